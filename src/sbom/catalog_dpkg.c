/* dpkg: Debian and Ubuntu packages from var/lib/dpkg/status (and the one-file-per-package
 * var/lib/dpkg/status.d/ of distroless images), files from info/NAME.list (or .md5sums), licenses
 * from machine-readable usr/share/doc/NAME/copyright, and the Depends/Pre-Depends graph.
 *
 * The status format is deb822: stanzas of "Field: value" lines, continuation lines starting with a
 * space or tab, stanzas separated by blank lines. A stanza that breaks the format is left out with a
 * warning naming the file and line; the others still count. Only packages whose files are on disk
 * are listed (dpkg states installed, unpacked, half-configured, half-installed, triggers-*), not
 * those removed with only their configuration left. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

struct dpkg_entry {
	size_t package;
	char *depends; /* Depends and Pre-Depends joined with ", " */
	char *provides;
};

struct sbom_dpkg {
	cairn_sbom *sbom;
	struct dpkg_entry *entries;
	size_t count, cap;
};

int sbom_dpkg_new(sbom_dpkg **out, cairn_sbom *sbom)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	(*out)->sbom = sbom;
	return 0;
}

void sbom_dpkg_free(sbom_dpkg *dpkg)
{
	if (dpkg == NULL)
		return;
	for (size_t i = 0; i < dpkg->count; i++) {
		free(dpkg->entries[i].depends);
		free(dpkg->entries[i].provides);
	}
	free(dpkg->entries);
	free(dpkg);
}

size_t sbom_dpkg_count(const sbom_dpkg *dpkg) { return dpkg->count; }
size_t sbom_dpkg_package(const sbom_dpkg *dpkg, size_t i) { return dpkg->entries[i].package; }

/* ---- one stanza ---- */

enum { F_PACKAGE, F_STATUS, F_VERSION, F_ARCH, F_SOURCE, F_MAINTAINER, F_DEPENDS, F_PREDEPENDS, F_PROVIDES, F_COUNT };
static const char *const field_names[F_COUNT] = {"Package", "Status",     "Version",     "Architecture", "Source",
						 "Maintainer", "Depends", "Pre-Depends", "Provides"};

struct stanza {
	const char *value[F_COUNT];
	size_t len[F_COUNT];
	size_t line;        /* where it starts */
	int current;        /* the field continuation lines belong to, or -1 */
};

static char *trimmed_copy(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	return strndup(s, len);
}

/* dpkg states whose package files are present. */
static int status_installed(const char *status)
{
	const char *state = strrchr(status, ' ');
	state = state ? state + 1 : status;
	static const char *const ok[] = {"installed", "unpacked", "half-configured", "half-installed",
					 "triggers-awaited", "triggers-pending"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(state, ok[i]) == 0)
			return 1;
	return 0;
}

/* "name (version)" or "name". */
static int set_source(cairn_sbom_package *p, const char *source)
{
	const char *paren = strchr(source, '(');
	if (paren == NULL) {
		char *name = trimmed_copy(source, strlen(source));
		int err = name ? cairn_sbom_set(&p->source_name, name) : CAIRN_ENOMEM;
		free(name);
		return err ? err : cairn_sbom_set(&p->source_version, p->version);
	}
	const char *close = strchr(paren, ')');
	char *name = trimmed_copy(source, (size_t)(paren - source));
	char *version = trimmed_copy(paren + 1, close ? (size_t)(close - paren - 1) : strlen(paren + 1));
	int err = (name && version) ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err)
		err = cairn_sbom_set(&p->source_name, name);
	if (!err)
		err = cairn_sbom_set(&p->source_version, version);
	free(name);
	free(version);
	return err;
}

static char *field(const struct stanza *s, int f)
{
	return s->value[f] ? trimmed_copy(s->value[f], s->len[f]) : NULL;
}

static int add_stanza(sbom_dpkg *dpkg, const struct stanza *s, const char *path, const char *layer)
{
	cairn_sbom *sbom = dpkg->sbom;
	char *name = field(s, F_PACKAGE), *version = field(s, F_VERSION), *status = field(s, F_STATUS);
	int err = 0;
	if (name == NULL || name[0] == '\0' || version == NULL || version[0] == '\0') {
		cairn_sbom_warn(sbom, "%s: line %zu: a package stanza without %s; left out", path, s->line,
				name == NULL || name[0] == '\0' ? "Package" : "Version");
	} else if (status == NULL || status_installed(status)) {
		size_t index;
		err = cairn_sbom_add_package(sbom, "deb", name, version, &index);
		cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(sbom, index);
		const char *distro = cairn_sbom_source_of(sbom)->distro_id;
		if (!err)
			err = cairn_sbom_set(&p->namespace_, distro ? distro : "debian");
		char *arch = field(s, F_ARCH), *source = field(s, F_SOURCE), *maint = field(s, F_MAINTAINER);
		if (!err && arch && arch[0])
			err = cairn_sbom_set(&p->arch, arch);
		if (!err && maint && maint[0])
			err = cairn_sbom_set(&p->supplier, maint);
		if (!err)
			err = source && source[0] ? set_source(p, source) : set_source(p, name);
		if (!err)
			err = cairn_sbom_add_location(p, layer, path);
		free(arch);
		free(source);
		free(maint);
		if (!err)
			err = sbom_grow(&dpkg->entries, &dpkg->cap, dpkg->count, sizeof *dpkg->entries);
		if (!err) {
			struct dpkg_entry *e = &dpkg->entries[dpkg->count++];
			e->package = index;
			e->provides = field(s, F_PROVIDES);
			char *dep = field(s, F_DEPENDS), *pre = field(s, F_PREDEPENDS);
			e->depends = NULL;
			if (dep && pre) {
				if (asprintf(&e->depends, "%s, %s", pre, dep) < 0)
					e->depends = NULL;
			} else {
				e->depends = dep ? dep : pre;
				dep = pre = NULL;
			}
			free(dep);
			free(pre);
		}
	}
	free(name);
	free(version);
	free(status);
	return err;
}

int sbom_dpkg_parse(sbom_dpkg *dpkg, const char *text, size_t len, const char *path, const char *layer)
{
	struct stanza s;
	memset(&s, 0, sizeof s);
	s.current = -1;
	int in_stanza = 0, broken = 0, err = 0;
	size_t line_no = 0;
	const char *p = text, *end = text + len;
	while (!err && p <= end) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *line_end = nl ? nl : end;
		size_t line_len = (size_t)(line_end - p);
		line_no++;
		int blank = line_len == 0 || (line_len == 1 && p[0] == '\r');
		if (blank || p == end) {
			if (in_stanza && !broken)
				err = add_stanza(dpkg, &s, path, layer);
			memset(&s, 0, sizeof s);
			s.current = -1;
			in_stanza = broken = 0;
		} else if (memchr(p, '\0', line_len) != NULL) {
			if (!broken)
				cairn_sbom_warn(dpkg->sbom, "%s: line %zu: a NUL byte; the stanza there is left out", path, line_no);
			broken = in_stanza = 1;
		} else if (p[0] == ' ' || p[0] == '\t') {
			if (!in_stanza && !broken) {
				cairn_sbom_warn(dpkg->sbom, "%s: line %zu: a continuation line outside a stanza; ignored", path, line_no);
			} else if (s.current >= 0) {
				/* extend the field's value through this line (values are contiguous in text) */
				s.len[s.current] = (size_t)(line_end - s.value[s.current]);
			}
		} else {
			const char *colon = memchr(p, ':', line_len);
			if (!in_stanza)
				s.line = line_no;
			in_stanza = 1;
			if (colon == NULL || colon == p) {
				if (!broken)
					cairn_sbom_warn(dpkg->sbom, "%s: line %zu: not a 'Field: value' line; the stanza there is left out",
							path, line_no);
				broken = 1;
			} else {
				s.current = -1;
				for (int f = 0; f < F_COUNT; f++) {
					if ((size_t)(colon - p) == strlen(field_names[f]) &&
					    strncasecmp(p, field_names[f], (size_t)(colon - p)) == 0) {
						s.value[f] = colon + 1;
						s.len[f] = (size_t)(line_end - colon - 1);
						s.current = f;
					}
				}
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (!err && in_stanza && !broken)
		err = add_stanza(dpkg, &s, path, layer);
	return err;
}

/* ---- files and licenses ---- */

int sbom_dpkg_add_files(sbom_dpkg *dpkg, size_t package, const char *text, size_t len, int list)
{
	cairn_sbom_package *p = cairn_sbom_package_at(dpkg->sbom, package);
	const char *s = text, *end = text + len;
	cairn_buf path = CAIRN_BUF_INIT;
	int err = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *line_end = nl ? nl : end;
		const char *f = s;
		if (!list) { /* "<md5>  relative/path" */
			const char *sp = memchr(s, ' ', (size_t)(line_end - s));
			f = sp ? sp : line_end;
			while (f < line_end && *f == ' ')
				f++;
		}
		size_t flen = (size_t)(line_end - f);
		if (flen > 0 && f[flen - 1] == '\r')
			flen--;
		cairn_buf_clear(&path);
		if (flen > 0 && f[0] != '/')
			err = cairn_buf_append_byte(&path, '/');
		if (!err && flen > 0)
			err = cairn_buf_append(&path, f, flen);
		/* "/." is the root every package lists; it owns nothing */
		if (!err && path.len > 0 && strcmp(cairn_buf_cstr(&path), "/.") != 0 && memchr(path.data, '\0', path.len) == NULL)
			err = cairn_sbom_add_file(dpkg->sbom, p, (const char *)path.data, path.len);
		s = nl ? nl + 1 : end;
	}
	cairn_buf_free(&path);
	return err;
}

int sbom_dpkg_add_copyright(sbom_dpkg *dpkg, size_t package, const char *text, size_t len)
{
	/* Only the machine-readable format (DEP-5) names its licenses reliably. */
	if (len < 8 || strncasecmp(text, "Format:", 7) != 0)
		return 0;
	const char *nl0 = memchr(text, '\n', len);
	size_t first = nl0 ? (size_t)(nl0 - text) : len;
	if (memmem(text, first, "copyright-format", 16) == NULL && memmem(text, first, "dep5", 4) == NULL &&
	    memmem(text, first, "DEP-5", 5) == NULL)
		return 0;
	cairn_sbom_package *p = cairn_sbom_package_at(dpkg->sbom, package);
	const char *s = text, *end = text + len;
	int err = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *line_end = nl ? nl : end;
		if ((size_t)(line_end - s) > 8 && strncasecmp(s, "License:", 8) == 0) {
			char *name = trimmed_copy(s + 8, (size_t)(line_end - s - 8));
			if (name == NULL)
				err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			else if (name[0] != '\0' && memchr(name, '\0', strlen(name)) != NULL)
				err = 0;
			else if (name[0] != '\0')
				err = cairn_sbom_add_license(dpkg->sbom, p, name, 1);
			free(name);
		}
		s = nl ? nl + 1 : end;
	}
	return err;
}

/* ---- dependencies ---- */

/* The package name at the start of one alternative: "libc6 (>= 2.34)", "python3:any", "foo [amd64]". */
static size_t dep_name(const char *s, size_t len, const char **name)
{
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		len--;
	}
	size_t n = 0;
	while (n < len && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' && s[n] != '(' && s[n] != ':' && s[n] != '[' &&
	       s[n] != '<')
		n++;
	*name = s;
	return n;
}

/* Calls fn for each comma-separated item of list. */
static int each_item(const char *list, char sep, int (*fn)(void *, const char *, size_t), void *arg)
{
	const char *s = list;
	while (s != NULL && *s) {
		const char *c = strchr(s, sep);
		size_t len = c ? (size_t)(c - s) : strlen(s);
		int r = fn(arg, s, len);
		if (r != 0)
			return r;
		s = c ? c + 1 : NULL;
	}
	return 0;
}

struct resolve_ctx {
	sbom_dpkg *dpkg;
	sbom_name_index *index;
	size_t from;
	int err;
};

static int index_provide(void *arg, const char *s, size_t len)
{
	struct resolve_ctx *r = arg;
	const char *name;
	size_t n = dep_name(s, len, &name);
	if (n > 0)
		r->err = sbom_name_index_add(r->index, name, n, r->from, 1);
	return r->err;
}

static int try_alternative(void *arg, const char *s, size_t len)
{
	struct resolve_ctx *r = arg;
	const char *name;
	size_t n = dep_name(s, len, &name), to;
	if (n == 0 || sbom_name_index_find(r->index, name, n, &to) != 0)
		return 0;
	if (to != r->from)
		r->err = cairn_sbom_add_relationship(r->dpkg->sbom, r->from, to, CAIRN_SBOM_REL_DEPENDS_ON);
	return 1; /* the first installed alternative is the one used */
}

static int resolve_group(void *arg, const char *s, size_t len)
{
	struct resolve_ctx *r = arg;
	char *group = strndup(s, len);
	if (group == NULL)
		return r->err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	each_item(group, '|', try_alternative, r);
	free(group);
	return r->err;
}

int sbom_dpkg_resolve(sbom_dpkg *dpkg)
{
	struct resolve_ctx r = {dpkg, NULL, 0, 0};
	if (sbom_name_index_new(&r.index) != 0)
		return CAIRN_ENOMEM;
	for (size_t i = 0; !r.err && i < dpkg->count; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(dpkg->sbom, dpkg->entries[i].package);
		r.err = sbom_name_index_add(r.index, p->name, strlen(p->name), dpkg->entries[i].package, 0);
	}
	for (size_t i = 0; !r.err && i < dpkg->count; i++) {
		r.from = dpkg->entries[i].package;
		each_item(dpkg->entries[i].provides, ',', index_provide, &r);
	}
	for (size_t i = 0; !r.err && i < dpkg->count; i++) {
		r.from = dpkg->entries[i].package;
		each_item(dpkg->entries[i].depends, ',', resolve_group, &r);
	}
	sbom_name_index_free(r.index);
	return r.err;
}

int cairn_sbom_parse_dpkg_status(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	sbom_dpkg *dpkg;
	int err = sbom_dpkg_new(&dpkg, sbom);
	if (!err)
		err = sbom_dpkg_parse(dpkg, text, len, path, layer);
	if (!err)
		err = sbom_dpkg_resolve(dpkg);
	sbom_dpkg_free(dpkg);
	return err;
}
