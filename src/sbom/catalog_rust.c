/* Rust: Cargo.lock files and the dependency data `cargo auditable` embeds in binaries.
 *
 * Cargo.lock is TOML (cargo's "Cargo.lock" format, versions 1 to 4). Each [[package]] table has name,
 * version, and for packages not in the workspace a source ("registry+URL", "sparse+URL",
 * "git+URL?branch=x#commit"; path dependencies and workspace members have none), a checksum (v2+;
 * v1 keeps checksums in [metadata]) and dependencies: strings "name", "name version" or
 * "name version (source)", written as long as needed to be unambiguous. Version 1 files may also hold
 * the root package in a [root] table. Only that subset of TOML is read: tables, [[arrays of tables]],
 * key = value with basic or literal strings, integers, booleans and arrays of strings; anything else
 * stops the file with a warning (a parser that does not understand says so and does not guess).
 *
 * Every package becomes pkg:cargo/NAME@VERSION; crates.io (either index) needs no qualifier, another
 * registry is named by repository_url and a git source by vcs_url (git+URL@commit). Dependencies
 * resolve within the file into DEPENDS_ON relationships.
 *
 * cargo auditable (rust-secure-code/cargo-auditable, "Parsing the data embedded by cargo auditable")
 * stores zlib-compressed JSON in the .dep-v0 section of the binary: {"packages":[{"name", "version",
 * "source", "kind", "dependencies":[indexes into packages], "root"}]}. It is inflated with a bound on
 * the output, parsed with a bound on depth, and every index checked. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CARGO_MAX_LOCK ((uint64_t)16 * 1024 * 1024) /* one Cargo.lock (large workspaces are ~1 MB) */
#define CARGO_MAX_PACKAGES ((size_t)100000)
#define CARGO_MAX_DEPS ((size_t)1000000) /* dependency strings in one file, all packages together */
#define CARGO_MAX_STRING ((size_t)65536)
#define AUDIT_MAX_JSON ((size_t)8 * 1024 * 1024) /* inflated .dep-v0 (real ones are a few KB) */

static const char crates_io_git[] = "registry+https://github.com/rust-lang/crates.io-index";
static const char crates_io_sparse[] = "sparse+https://index.crates.io/";

int sbom_rust_want(const char *path, uint64_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strcmp(base, "Cargo.lock") == 0 && size <= CARGO_MAX_LOCK;
}

/* ---- packages ---- */

static int printable(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* The purl qualifier that notes where a package came from, or none for crates.io and local paths. */
static int source_qualifier(const char *source, cairn_purl_qualifier *q, cairn_buf *value)
{
	if (source == NULL || strcmp(source, crates_io_git) == 0 || strcmp(source, crates_io_sparse) == 0)
		return 0;
	if (strncmp(source, "registry+", 9) == 0 || strncmp(source, "sparse+", 7) == 0) {
		const char *url = strchr(source, '+') + 1;
		*q = (cairn_purl_qualifier){"repository_url", url};
		return 1;
	}
	if (strncmp(source, "git+", 4) == 0) {
		/* git+URL?query#commit -> git+URL@commit (the purl spec's vcs_url form) */
		const char *hash = strchr(source, '#'), *query = strchr(source, '?');
		const char *url_end = query && (!hash || query < hash) ? query : (hash ? hash : source + strlen(source));
		if (cairn_buf_append(value, source, (size_t)(url_end - source)) != 0 ||
		    (hash && hash[1] && cairn_buf_printf(value, "@%s", hash + 1) != 0))
			return -1;
		*q = (cairn_purl_qualifier){"vcs_url", cairn_buf_cstr(value)};
		return 1;
	}
	return 0;
}

/* Adds one crate; a name or version no purl can hold is a warning and *added stays 0. */
static int add_crate(cairn_sbom *sbom, const char *name, const char *version, const char *source, const char *path,
		     const char *layer, size_t *index, int *added)
{
	*added = 0;
	if (!printable(name, 256) || !printable(version, 256) || strchr(name, ' ') != NULL) {
		cairn_sbom_warn(sbom, "%s: a Rust package with an unusable name or version; left out", path);
		return 0;
	}
	cairn_buf purl = CAIRN_BUF_INIT, qvalue = CAIRN_BUF_INIT;
	cairn_purl_qualifier q;
	int nq = source_qualifier(source, &q, &qvalue);
	int err = nq < 0 ? cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory") : 0;
	if (!err)
		err = cairn_purl_build(&purl, "cargo", NULL, name, version, &q, (size_t)nq, NULL);
	if (err && err != CAIRN_ENOMEM) {
		cairn_sbom_warn(sbom, "%s: Rust package '%s' cannot be named by a purl (%s); left out", path, name,
				cairn_error_message());
		cairn_error_clear();
		err = 0;
	} else if (!err) {
		err = cairn_sbom_add_package(sbom, "cargo", name, version, index);
		cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(sbom, *index);
		if (!err)
			err = cairn_sbom_set(&p->purl, cairn_buf_cstr(&purl));
		if (!err)
			err = cairn_sbom_add_location(p, layer, path);
		*added = !err;
	}
	cairn_buf_free(&purl);
	cairn_buf_free(&qvalue);
	return err;
}

/* ---- Cargo.lock: the TOML subset ---- */

struct lock_pkg {
	char *name, *version, *source;
	char **deps;
	size_t dep_count, dep_cap;
	size_t index; /* in the sbom, when added */
	int added;
};

struct lock {
	struct lock_pkg *pkgs;
	size_t count, cap, deps;
	const char *p, *end;
	size_t line;
	const char *why; /* what stopped the parse */
};

static void lock_free(struct lock *l)
{
	for (size_t i = 0; i < l->count; i++) {
		struct lock_pkg *k = &l->pkgs[i];
		free(k->name);
		free(k->version);
		free(k->source);
		for (size_t d = 0; d < k->dep_count; d++)
			free(k->deps[d]);
		free(k->deps);
	}
	free(l->pkgs);
}

static void skip_blank(struct lock *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t'))
		l->p++;
}

/* Whitespace, newlines and comments, as allowed between array elements. */
static void skip_space(struct lock *l)
{
	while (l->p < l->end) {
		if (*l->p == ' ' || *l->p == '\t' || *l->p == '\r')
			l->p++;
		else if (*l->p == '\n') {
			l->p++;
			l->line++;
		} else if (*l->p == '#') {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		} else
			break;
	}
}

/* The rest of the line must be blank or a comment; 1 when it is not. */
static int end_of_line(struct lock *l)
{
	skip_blank(l);
	if (l->p < l->end && *l->p == '#')
		while (l->p < l->end && *l->p != '\n')
			l->p++;
	if (l->p < l->end && *l->p == '\r')
		l->p++;
	if (l->p < l->end && *l->p != '\n') {
		l->why = "unexpected text after a value";
		return 1;
	}
	return 0;
}

static int put_utf8(cairn_buf *out, unsigned long c)
{
	unsigned char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | (c >> 6));
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (c >> 12));
		b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | (c >> 18));
		b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return cairn_buf_append(out, b, n);
}

/* A basic "..." (with TOML escapes) or literal '...' string on one line; 1 when malformed. */
static int read_string(struct lock *l, cairn_buf *out)
{
	cairn_buf_clear(out);
	char quote = *l->p++;
	if (l->end - l->p >= 2 && l->p[0] == quote && l->p[1] == quote) {
		l->why = "multi-line strings are not part of Cargo.lock";
		return 1;
	}
	while (l->p < l->end && *l->p != quote) {
		unsigned char c = (unsigned char)*l->p++;
		if (c == '\n' || c == '\0' || out->len >= CARGO_MAX_STRING) {
			l->why = c == '\n' ? "a string is not closed on its line" : "a string is too long or holds a NUL";
			return 1;
		}
		if (c != '\\' || quote == '\'') {
			if (cairn_buf_append(out, &c, 1) != 0)
				return -1;
			continue;
		}
		if (l->p >= l->end)
			break;
		char e = *l->p++;
		static const char pairs[] = "b\bt\tn\nf\fr\r\"\"\\\\"; /* escape letter, then what it stands for */
		const char *map = NULL;
		for (size_t i = 0; i + 1 < sizeof pairs; i += 2)
			if (pairs[i] == e)
				map = &pairs[i];
		if (map != NULL) {
			if (cairn_buf_append(out, map + 1, 1) != 0)
				return -1;
			continue;
		}
		int digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
		unsigned long cp = 0;
		for (int i = 0; i < digits; i++) {
			if (l->p >= l->end || !strchr("0123456789abcdefABCDEF", *l->p) || *l->p == '\0') {
				digits = -1;
				break;
			}
			char h = *l->p++;
			cp = cp * 16 + (unsigned long)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
		}
		if (digits <= 0 || cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			l->why = "a string has an invalid escape";
			return 1;
		}
		if (put_utf8(out, cp) != 0)
			return -1;
	}
	if (l->p >= l->end) {
		l->why = "a string is not closed";
		return 1;
	}
	l->p++;
	return 0;
}

static int new_package(struct lock *l)
{
	if (l->count >= CARGO_MAX_PACKAGES) {
		l->why = "more packages than the limit";
		return 1;
	}
	if (sbom_grow(&l->pkgs, &l->cap, l->count, sizeof *l->pkgs) != 0)
		return -1;
	memset(&l->pkgs[l->count++], 0, sizeof *l->pkgs);
	return 0;
}

/* Stores a string value for key of the current package (other keys are read and dropped). */
static int set_key(struct lock_pkg *k, const char *key, const cairn_buf *value)
{
	char **field = strcmp(key, "name") == 0 ? &k->name : strcmp(key, "version") == 0 ? &k->version
						  : strcmp(key, "source") == 0 ? &k->source : NULL;
	if (field == NULL)
		return 0;
	return cairn_sbom_set(field, cairn_buf_cstr(value));
}

/* An array of strings ([ "a", "b", ] over any number of lines); kept when k is not NULL. */
static int read_array(struct lock *l, struct lock_pkg *k, cairn_buf *tmp)
{
	l->p++; /* '[' */
	for (;;) {
		skip_space(l);
		if (l->p >= l->end) {
			l->why = "an array is not closed";
			return 1;
		}
		if (*l->p == ']') {
			l->p++;
			return 0;
		}
		if (*l->p != '"' && *l->p != '\'') {
			l->why = "an array holds something other than strings";
			return 1;
		}
		int r = read_string(l, tmp);
		if (r != 0)
			return r;
		if (k != NULL) {
			if (l->deps >= CARGO_MAX_DEPS) {
				l->why = "more dependencies than the limit";
				return 1;
			}
			char *d = strdup(cairn_buf_cstr(tmp));
			if (d == NULL || sbom_grow(&k->deps, &k->dep_cap, k->dep_count, sizeof *k->deps) != 0) {
				free(d);
				return -1;
			}
			k->deps[k->dep_count++] = d;
			l->deps++;
		}
		skip_space(l);
		if (l->p < l->end && *l->p == ',')
			l->p++;
		else if (l->p < l->end && *l->p != ']') {
			l->why = "array elements are not separated by commas";
			return 1;
		}
	}
}

enum section { TOP, PACKAGE, OTHER };

/* key = value; the key bare or quoted (v1's [metadata] keys are quoted). */
static int read_pair(struct lock *l, enum section sec, cairn_buf *key, cairn_buf *value)
{
	cairn_buf_clear(key);
	if (*l->p == '"' || *l->p == '\'') {
		int r = read_string(l, key);
		if (r != 0)
			return r;
	} else {
		const char *s = l->p;
		while (l->p < l->end && (strchr("-_", *l->p) || (*l->p >= 'a' && *l->p <= 'z') || (*l->p >= 'A' && *l->p <= 'Z') ||
					 (*l->p >= '0' && *l->p <= '9')) && *l->p != '\0')
			l->p++;
		if (l->p == s) {
			l->why = "a line is neither a table nor a key = value pair";
			return 1;
		}
		if (cairn_buf_append(key, s, (size_t)(l->p - s)) != 0)
			return -1;
	}
	skip_blank(l);
	if (l->p >= l->end || *l->p != '=') {
		l->why = "a key without '='";
		return 1;
	}
	l->p++;
	skip_blank(l);
	struct lock_pkg *k = sec == PACKAGE ? &l->pkgs[l->count - 1] : NULL;
	const char *name = cairn_buf_cstr(key);
	int r;
	if (l->p < l->end && (*l->p == '"' || *l->p == '\'')) {
		r = read_string(l, value);
		if (r == 0 && k != NULL && set_key(k, name, value) != 0)
			r = -1;
	} else if (l->p < l->end && *l->p == '[') {
		r = read_array(l, k != NULL && strcmp(name, "dependencies") == 0 ? k : NULL, value);
	} else { /* an integer (the top-level version) or a boolean */
		const char *s = l->p;
		while (l->p < l->end && ((*l->p >= '0' && *l->p <= '9') || (*l->p >= 'a' && *l->p <= 'z') || *l->p == '_'))
			l->p++;
		r = 0;
		if (l->p == s) {
			l->why = "a value that is not a string, number, boolean or array of strings";
			r = 1;
		}
	}
	return r != 0 ? r : end_of_line(l);
}

/* A [table] or [[array table]] header: the package tables and v1's [root] hold packages. */
static int read_header(struct lock *l, enum section *sec)
{
	int array = l->end - l->p >= 2 && l->p[1] == '[';
	l->p += array ? 2 : 1;
	const char *s = l->p;
	while (l->p < l->end && *l->p != ']' && *l->p != '\n')
		l->p++;
	size_t n = (size_t)(l->p - s);
	if (l->p >= l->end || *l->p != ']' || (array && (l->end - l->p < 2 || l->p[1] != ']'))) {
		l->why = "a table header is not closed";
		return 1;
	}
	l->p += array ? 2 : 1;
	int pkg = (array && n == 7 && memcmp(s, "package", 7) == 0) || (!array && n == 4 && memcmp(s, "root", 4) == 0);
	*sec = pkg ? PACKAGE : OTHER;
	if (pkg) {
		int r = new_package(l);
		if (r != 0)
			return r;
	}
	return end_of_line(l);
}

static int parse_toml(struct lock *l)
{
	cairn_buf key = CAIRN_BUF_INIT, value = CAIRN_BUF_INIT;
	enum section sec = TOP;
	int r = 0;
	l->line = 1;
	while (r == 0) {
		skip_space(l);
		if (l->p >= l->end)
			break;
		r = *l->p == '[' ? read_header(l, &sec) : read_pair(l, sec, &key, &value);
	}
	cairn_buf_free(&key);
	cairn_buf_free(&value);
	return r;
}

/* ---- Cargo.lock: packages and dependencies ---- */

static int cmp_by_name(const void *a, const void *b)
{
	return strcmp((*(struct lock_pkg *const *)a)->name, (*(struct lock_pkg *const *)b)->name);
}

/* The one package a dependency string names, or -1 (none, or several). */
static int resolve_dep(const struct lock *l, struct lock_pkg *const *order, const char *dep, size_t *out)
{
	char *copy = strdup(dep);
	if (copy == NULL)
		return -2;
	char *version = strchr(copy, ' '), *source = NULL;
	if (version) {
		*version++ = '\0';
		source = strchr(version, ' ');
		if (source) {
			*source++ = '\0';
			size_t n = strlen(source);
			if (n < 2 || source[0] != '(' || source[n - 1] != ')') {
				free(copy);
				return -1;
			}
			source[n - 1] = '\0';
			source++;
		}
	}
	size_t lo = 0, hi = l->count; /* first entry whose name is >= copy */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(order[mid]->name, copy) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	int found = 0;
	for (size_t i = lo; i < l->count && strcmp(order[i]->name, copy) == 0; i++) {
		const struct lock_pkg *k = order[i];
		if ((version && strcmp(k->version, version) != 0) || (source && (k->source == NULL || strcmp(k->source, source) != 0)))
			continue;
		*out = (size_t)(k - l->pkgs);
		found++;
	}
	free(copy);
	return found == 1 ? 0 : -1;
}

static int lock_relationships(cairn_sbom *sbom, struct lock *l, const char *path)
{
	struct lock_pkg **order = malloc((l->count ? l->count : 1) * sizeof *order);
	size_t unresolved = 0;
	if (order == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	for (size_t i = 0; i < l->count; i++)
		order[i] = &l->pkgs[i];
	qsort(order, l->count, sizeof *order, cmp_by_name);
	int err = 0;
	for (size_t i = 0; !err && i < l->count; i++) {
		const struct lock_pkg *k = &l->pkgs[i];
		for (size_t d = 0; !err && k->added && d < k->dep_count; d++) {
			size_t to;
			int r = resolve_dep(l, order, k->deps[d], &to);
			if (r == -2)
				err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			else if (r != 0 || !l->pkgs[to].added)
				unresolved++;
			else if (to != i)
				err = cairn_sbom_add_relationship(sbom, k->index, l->pkgs[to].index, CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	free(order);
	if (!err && unresolved)
		cairn_sbom_warn(sbom, "%s: %zu Rust dependencies name no single package of the file; they are not linked", path,
				unresolved);
	return err;
}

int sbom_rust_parse_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	if (memchr(text, '\0', len) != NULL) {
		cairn_sbom_warn(sbom, "%s: a NUL byte; not a Cargo.lock file, its packages are not listed", path);
		return 0;
	}
	struct lock l;
	memset(&l, 0, sizeof l);
	l.p = text;
	l.end = text + len;
	int r = parse_toml(&l);
	int err = r < 0 ? cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory") : 0;
	if (r > 0) { /* nothing half-read is listed */
		cairn_sbom_warn(sbom, "%s: line %zu: %s; its packages are not listed", path, l.line, l.why);
		lock_free(&l);
		return 0;
	}
	for (size_t i = 0; !err && i < l.count; i++) {
		struct lock_pkg *k = &l.pkgs[i];
		if (k->name == NULL || k->version == NULL) {
			cairn_sbom_warn(sbom, "%s: a [[package]] without name or version; left out", path);
			continue;
		}
		err = add_crate(sbom, k->name, k->version, k->source, path, layer, &k->index, &k->added);
	}
	/* resolution compares names and versions: a package left out takes part as "" */
	for (size_t i = 0; !err && i < l.count; i++)
		if (l.pkgs[i].name == NULL && (l.pkgs[i].name = strdup("")) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	for (size_t i = 0; !err && i < l.count; i++)
		if (l.pkgs[i].version == NULL && (l.pkgs[i].version = strdup("")) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err)
		err = lock_relationships(sbom, &l, path);
	lock_free(&l);
	return err;
}

/* ---- cargo auditable ---- */

/* zlib-inflates in into out, at most max bytes; 1 when the data is corrupt, truncated or too big. */
static int inflate_bounded(const unsigned char *in, size_t len, size_t max, cairn_buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	unsigned char chunk[16384];
	z.next_in = (unsigned char *)(uintptr_t)in; /* zlib's API is not const; it only reads */
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	int r = Z_OK, result = 1;
	while (r == Z_OK) {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		r = inflate(&z, Z_NO_FLUSH);
		size_t got = sizeof chunk - z.avail_out;
		if (got > max - out->len) {
			r = Z_DATA_ERROR;
			break;
		}
		if (got && cairn_buf_append(out, chunk, got) != 0) {
			inflateEnd(&z);
			return -1;
		}
		if (r == Z_BUF_ERROR && z.avail_in == 0)
			break; /* truncated */
	}
	if (r == Z_STREAM_END)
		result = 0;
	inflateEnd(&z);
	return result;
}

/* Adds the packages of parsed audit data; 1 when its structure is wrong. */
static int audit_packages(cairn_sbom *sbom, json_t *doc, const char *path, const char *layer)
{
	json_t *pkgs = json_object_get(doc, "packages");
	if (!json_is_array(pkgs) || json_array_size(pkgs) > CARGO_MAX_PACKAGES)
		return 1;
	size_t n = json_array_size(pkgs);
	size_t *index = calloc(n ? n : 1, sizeof *index);
	unsigned char *added = calloc(n ? n : 1, 1);
	int err = index && added ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory"), bad = 0;
	for (size_t i = 0; !err && i < n; i++) {
		json_t *p = json_array_get(pkgs, i);
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *version = json_string_value(json_object_get(p, "version"));
		if (name == NULL || version == NULL) {
			bad = 1;
			continue;
		}
		int a;
		err = add_crate(sbom, name, version, NULL, path, layer, &index[i], &a);
		added[i] = (unsigned char)a;
	}
	for (size_t i = 0; !err && i < n; i++) {
		json_t *deps = json_object_get(json_array_get(pkgs, i), "dependencies");
		if (deps == NULL)
			continue;
		if (!json_is_array(deps)) {
			bad = 1;
			continue;
		}
		for (size_t d = 0; !err && d < json_array_size(deps); d++) {
			json_t *v = json_array_get(deps, d);
			json_int_t to = json_is_integer(v) ? json_integer_value(v) : -1;
			if (to < 0 || (uint64_t)to >= n)
				bad = 1;
			else if (added[i] && added[to] && (size_t)to != i)
				err = cairn_sbom_add_relationship(sbom, index[i], index[to], CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	free(index);
	free(added);
	if (!err && bad)
		cairn_sbom_warn(sbom, "%s: cargo auditable data has a package without name or version, or a dependency "
				      "index out of range; those are left out", path);
	return err;
}

int sbom_rust_parse_binary(cairn_sbom *sbom, const sbom_elf *elf, const char *path, const char *layer)
{
	size_t off, size;
	if (sbom_elf_find_section(elf, ".dep-v0", &off, &size) != 0)
		return 0;
	cairn_buf text = CAIRN_BUF_INIT;
	int r = inflate_bounded(elf->data + off, size, AUDIT_MAX_JSON, &text);
	if (r < 0) {
		cairn_buf_free(&text);
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	json_t *doc = NULL;
	cairn_json_limits limits = {AUDIT_MAX_JSON, 16};
	if (r == 0 && cairn_json_parse(&doc, text.data ? (const char *)text.data : "", text.len, &limits, path) != 0) {
		cairn_error_clear();
		r = 1;
	}
	cairn_buf_free(&text);
	int err = r == 0 ? audit_packages(sbom, doc, path, layer) : 1;
	json_decref(doc);
	if (err == 1) {
		cairn_sbom_warn(sbom, "%s: the cargo auditable data (.dep-v0) is not zlib-compressed JSON in the documented "
				      "format, or inflates to over %zu bytes; its packages are not listed", path, AUDIT_MAX_JSON);
		err = 0;
	}
	return err;
}

/* ---- the tree ---- */

int sbom_rust_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if ((e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK) || !sbom_rust_want(e->path, e->size))
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		cairn_buf_clear(&text);
		if (cairn_tree_read(tree, e, (size_t)CARGO_MAX_LOCK, &text) != 0) {
			cairn_sbom_warn(sbom, "%s: cannot be read (%s); its Rust packages are not listed", e->path, cairn_error_message());
			cairn_error_clear();
			continue;
		}
		err = sbom_rust_parse_lock(sbom, text.data ? (const char *)text.data : "", text.len, e->path, layer);
	}
	cairn_buf_free(&text);
	return err;
}
