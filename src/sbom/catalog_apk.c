/* apk: Alpine packages from lib/apk/db/installed.
 *
 * The database is blocks of "X:value" lines separated by blank lines (apk-tools' installed-database
 * format): P name, V version, A arch, L license, o origin (the source package), m maintainer,
 * D dependencies (space-separated: "name>=1.2", "so:libc.musl-x86_64.so.1", "cmd:sh", "!conflict"),
 * p provides (the same syntax, "so:libcrypto.so.3=3.1.4-r0"), F a directory and R a file in the last
 * F. Dependencies resolve to the installed package of that name or the one providing it. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

struct apk_deps {
	size_t package;
	char *depends;
	char *provides;
};

struct apk_state {
	cairn_sbom *sbom;
	const char *path, *layer;
	struct apk_deps *deps;
	size_t count, cap;
	/* the block being read */
	long current;      /* package index, or -1 before its P and V are both known */
	char *name, *version, *arch, *license, *origin, *maint, *depends, *provides;
	cairn_buf dir;     /* the last F: line */
	char **pending_files; /* R: lines seen before P/V are known (P usually comes first) */
	size_t pending_count, pending_cap;
	size_t line, block_line;
	int broken;
};

static void block_reset(struct apk_state *st)
{
	char **fields[] = {&st->name, &st->version, &st->arch, &st->license, &st->origin, &st->maint, &st->depends, &st->provides};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
	for (size_t i = 0; i < st->pending_count; i++)
		free(st->pending_files[i]);
	st->pending_count = 0;
	cairn_buf_clear(&st->dir);
	st->current = -1;
	st->broken = 0;
}

static int add_file(struct apk_state *st, const char *name, size_t len)
{
	cairn_buf path = CAIRN_BUF_INIT;
	int err = cairn_buf_append_byte(&path, '/');
	if (!err && st->dir.len > 0) {
		err = cairn_buf_append(&path, st->dir.data, st->dir.len);
		if (!err)
			err = cairn_buf_append_byte(&path, '/');
	}
	if (!err)
		err = cairn_buf_append(&path, name, len);
	if (!err && st->current >= 0) {
		err = cairn_sbom_add_file(st->sbom, cairn_sbom_package_at(st->sbom, (size_t)st->current), (const char *)path.data,
					  path.len);
	} else if (!err) {
		err = sbom_grow(&st->pending_files, &st->pending_cap, st->pending_count, sizeof *st->pending_files);
		if (!err)
			st->pending_files[st->pending_count++] = (char *)cairn_buf_detach(&path, NULL);
	}
	cairn_buf_free(&path);
	return err;
}

/* Creates the package once P and V are known. */
static int block_package(struct apk_state *st)
{
	if (st->current >= 0 || st->name == NULL || st->version == NULL || st->broken)
		return 0;
	size_t index;
	int err = cairn_sbom_add_package(st->sbom, "apk", st->name, st->version, &index);
	if (err)
		return err;
	st->current = (long)index;
	cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, index);
	const char *distro = cairn_sbom_source_of(st->sbom)->distro_id;
	err = cairn_sbom_set(&p->namespace_, distro ? distro : "alpine");
	if (!err)
		err = cairn_sbom_add_location(p, st->layer, st->path);
	for (size_t i = 0; !err && i < st->pending_count; i++)
		err = cairn_sbom_add_file(st->sbom, p, st->pending_files[i], strlen(st->pending_files[i]));
	return err;
}

/* Completes the block's package with the fields that may come after P and V. */
static int block_end(struct apk_state *st)
{
	int err = block_package(st);
	if (!err && st->current < 0 && !st->broken && (st->name || st->version))
		cairn_sbom_warn(st->sbom, "%s: line %zu: a package without %s; left out", st->path, st->block_line,
				st->name ? "V: (version)" : "P: (name)");
	if (!err && st->current >= 0) {
		cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, (size_t)st->current);
		if (st->arch)
			err = cairn_sbom_set(&p->arch, st->arch);
		if (!err && st->maint)
			err = cairn_sbom_set(&p->supplier, st->maint);
		if (!err && st->license)
			err = cairn_sbom_add_license(st->sbom, p, st->license, 0);
		if (!err)
			err = cairn_sbom_set(&p->source_name, st->origin ? st->origin : st->name);
		if (!err)
			err = cairn_sbom_set(&p->source_version, st->version);
		if (!err && (st->depends || st->provides)) {
			err = sbom_grow(&st->deps, &st->cap, st->count, sizeof *st->deps);
			if (!err) {
				st->deps[st->count++] = (struct apk_deps){(size_t)st->current, st->depends, st->provides};
				st->depends = st->provides = NULL;
			}
		}
	}
	block_reset(st);
	return err;
}

static int set_field(char **field, const char *value, size_t len)
{
	char *copy = strndup(value, len);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	free(*field);
	*field = copy;
	return 0;
}

static int parse_line(struct apk_state *st, const char *s, size_t len)
{
	if (len < 2 || s[1] != ':' || memchr(s, '\0', len) != NULL) {
		if (!st->broken)
			cairn_sbom_warn(st->sbom, "%s: line %zu: not an 'X:value' line; the package there is left out", st->path,
					st->line);
		st->broken = 1;
		return 0;
	}
	const char *v = s + 2;
	size_t vl = len - 2;
	switch (s[0]) {
	case 'P': return st->name ? 0 : set_field(&st->name, v, vl);
	case 'V': return st->version ? 0 : set_field(&st->version, v, vl);
	case 'A': return set_field(&st->arch, v, vl);
	case 'L': return set_field(&st->license, v, vl);
	case 'o': return set_field(&st->origin, v, vl);
	case 'm': return set_field(&st->maint, v, vl);
	case 'D': return set_field(&st->depends, v, vl);
	case 'p': return set_field(&st->provides, v, vl);
	case 'F':
		cairn_buf_clear(&st->dir);
		return cairn_buf_append(&st->dir, v, vl);
	case 'R': {
		int err = block_package(st);
		return err ? err : add_file(st, v, vl);
	}
	default: return 0; /* checksums, sizes, times, ACLs: not needed */
	}
}

/* ---- dependencies ---- */

/* The name in "so:libc.musl-x86_64.so.1=1", "busybox>=1.36", "!foo", "cmd:sh". */
static size_t token_name(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[n] != '=' && s[n] != '<' && s[n] != '>' && s[n] != '~')
		n++;
	return n;
}

static int for_tokens(struct apk_state *st, sbom_name_index *index, size_t package, const char *list, int provides)
{
	const char *s = list;
	int err = 0;
	while (!err && s && *s) {
		while (*s == ' ')
			s++;
		const char *e = strchr(s, ' ');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len > 0 && s[0] != '!') { /* "!name" is a conflict, not a dependency */
			size_t n = token_name(s, len), to;
			if (provides)
				err = sbom_name_index_add(index, s, n, package, 1);
			else if (n > 0 && sbom_name_index_find(index, s, n, &to) == 0 && to != package)
				err = cairn_sbom_add_relationship(st->sbom, package, to, CAIRN_SBOM_REL_DEPENDS_ON);
		}
		s = e;
	}
	return err;
}

static int resolve(struct apk_state *st, size_t first_package)
{
	sbom_name_index *index;
	int err = sbom_name_index_new(&index);
	size_t total = cairn_sbom_package_count(st->sbom);
	for (size_t i = first_package; !err && i < total; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, i);
		err = sbom_name_index_add(index, p->name, strlen(p->name), i, 0);
	}
	for (size_t i = 0; !err && i < st->count; i++)
		err = for_tokens(st, index, st->deps[i].package, st->deps[i].provides, 1);
	for (size_t i = 0; !err && i < st->count; i++)
		err = for_tokens(st, index, st->deps[i].package, st->deps[i].depends, 0);
	sbom_name_index_free(index);
	return err;
}

int cairn_sbom_parse_apk_installed(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	struct apk_state st;
	memset(&st, 0, sizeof st);
	st.sbom = sbom;
	st.path = path;
	st.layer = layer;
	st.current = -1;
	size_t first_package = cairn_sbom_package_count(sbom);
	const char *s = text, *end = text + len;
	int err = 0, in_block = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *line_end = nl ? nl : end;
		size_t l = (size_t)(line_end - s);
		if (l > 0 && s[l - 1] == '\r')
			l--;
		st.line++;
		if (l == 0) {
			if (in_block)
				err = block_end(&st);
			in_block = 0;
		} else {
			if (!in_block)
				st.block_line = st.line;
			in_block = 1;
			err = parse_line(&st, s, l);
		}
		s = nl ? nl + 1 : end;
	}
	if (!err && in_block)
		err = block_end(&st);
	if (!err)
		err = resolve(&st, first_package);
	block_reset(&st);
	for (size_t i = 0; i < st.count; i++) {
		free(st.deps[i].depends);
		free(st.deps[i].provides);
	}
	free(st.deps);
	free(st.pending_files);
	cairn_buf_free(&st.dir);
	return err;
}
