/* Python: installed distributions, as importlib.metadata finds them.
 *
 * A wheel install leaves NAME-VERSION.dist-info/ with METADATA (core metadata: RFC 822 style headers,
 * packaging.python.org "Core metadata specifications") and RECORD (CSV: path,hash,size for every file,
 * relative to the directory holding the .dist-info). A setuptools install leaves NAME.egg-info/ with
 * PKG-INFO (the same headers), installed-files.txt (paths relative to the .egg-info) and requires.txt,
 * or a single NAME.egg-info file holding PKG-INFO. The package's purl name is normalised as PEP 503
 * says (lowercase, runs of '-', '_' and '.' become one '-').
 *
 * Licenses: License-Expression (already SPDX), else the License field, else the "License ::" trove
 * classifiers that name one license unambiguously. Requires-Dist (and requires.txt) resolve, by
 * normalised name, to a distribution installed in the same directory; requirements that apply only
 * with an extra are optional and left out. A distribution whose metadata a dpkg package owns (it is in
 * that package's file list) is linked to it by a CONTAINS relationship: listed once, never dropped. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PY_MAX_META ((uint64_t)1024 * 1024)        /* METADATA / PKG-INFO / requires.txt */
#define PY_MAX_RECORD ((uint64_t)16 * 1024 * 1024) /* RECORD / installed-files.txt */
#define PY_MAX_REQUIRES 1000                       /* Requires-Dist lines of one distribution */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int sbom_python_wants(const char *path, uint64_t size)
{
	if (ends_with(path, ".dist-info/METADATA") || ends_with(path, ".egg-info/PKG-INFO") ||
	    ends_with(path, ".egg-info/requires.txt") || ends_with(path, ".egg-info"))
		return size <= PY_MAX_META;
	if (ends_with(path, ".dist-info/RECORD") || ends_with(path, ".egg-info/installed-files.txt"))
		return size <= PY_MAX_RECORD;
	return 0;
}

/* PEP 503: lowercase, and every run of '-', '_', '.' becomes one '-'. */
int sbom_python_normalize(const char *name, size_t len, cairn_buf *out)
{
	int err = 0, in_run = 0;
	for (size_t i = 0; !err && i < len; i++) {
		char c = name[i];
		if (c == '-' || c == '_' || c == '.') {
			in_run = 1;
			continue;
		}
		if (in_run && out->len > 0)
			err = cairn_buf_append_byte(out, '-');
		in_run = 0;
		if (!err)
			err = cairn_buf_append_byte(out, (uint8_t)tolower((unsigned char)c));
	}
	return err;
}

/* ---- core metadata headers ---- */

struct py_meta {
	char *name, *version, *license, *license_expr, *author, *maintainer;
	char **classifiers, **requires;
	size_t classifier_count, classifier_cap, require_count, require_cap;
};

static void meta_free(struct py_meta *m)
{
	free(m->name);
	free(m->version);
	free(m->license);
	free(m->license_expr);
	free(m->author);
	free(m->maintainer);
	for (size_t i = 0; i < m->classifier_count; i++)
		free(m->classifiers[i]);
	for (size_t i = 0; i < m->require_count; i++)
		free(m->requires[i]);
	free(m->classifiers);
	free(m->requires);
	memset(m, 0, sizeof *m);
}

static int push(char ***list, size_t *count, size_t *cap, const char *s, size_t len)
{
	if (*count >= PY_MAX_REQUIRES)
		return 0; /* more is hostile; the first ones are kept */
	int err = sbom_grow(list, cap, *count, sizeof **list);
	char *copy = err ? NULL : strndup(s, len);
	if (!err && copy == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err)
		(*list)[(*count)++] = copy;
	return err;
}

static int set_once(char **field, const char *s, size_t len)
{
	if (*field != NULL)
		return 0;
	*field = strndup(s, len);
	return *field ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
}

static int field_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

static int meta_field(struct py_meta *m, const char *key, size_t kl, const char *v, size_t vl)
{
	while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		vl--;
	if (field_is(key, kl, "Name"))
		return set_once(&m->name, v, vl);
	if (field_is(key, kl, "Version"))
		return set_once(&m->version, v, vl);
	if (field_is(key, kl, "License"))
		return set_once(&m->license, v, vl);
	if (field_is(key, kl, "License-Expression"))
		return set_once(&m->license_expr, v, vl);
	if (field_is(key, kl, "Author-email") || (field_is(key, kl, "Author") && m->author == NULL))
		return set_once(&m->author, v, vl);
	if (field_is(key, kl, "Maintainer-email") || field_is(key, kl, "Maintainer"))
		return set_once(&m->maintainer, v, vl);
	if (field_is(key, kl, "Classifier") && vl > 11 && strncmp(v, "License :: ", 11) == 0)
		return push(&m->classifiers, &m->classifier_count, &m->classifier_cap, v, vl);
	if (field_is(key, kl, "Requires-Dist"))
		return push(&m->requires, &m->require_count, &m->require_cap, v, vl);
	return 0;
}

/* Reads the header block (up to the first blank line); continuation lines (starting with white space)
 * belong to the field before, and only its first line is kept (License may hold a whole text). */
static int meta_parse(struct py_meta *m, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	int err = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);
		if (l > 0 && s[l - 1] == '\r')
			l--;
		if (l == 0)
			break; /* the body (a description) follows */
		const char *colon = memchr(s, ':', l);
		if (s[0] != ' ' && s[0] != '\t' && colon != NULL && memchr(s, '\0', l) == NULL) {
			const char *v = colon + 1;
			while (v < s + l && (*v == ' ' || *v == '\t'))
				v++;
			err = meta_field(m, s, (size_t)(colon - s), v, (size_t)(s + l - v));
		}
		s = nl ? nl + 1 : end;
	}
	return err;
}

/* requires.txt: one requirement a line until the first "[extra]" section (optional ones). */
static int requires_txt(struct py_meta *m, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	int err = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);
		while (l > 0 && isspace((unsigned char)s[l - 1]))
			l--;
		if (l > 0 && s[0] == '[')
			break;
		if (l > 0 && s[0] != '#')
			err = push(&m->requires, &m->require_count, &m->require_cap, s, l);
		s = nl ? nl + 1 : end;
	}
	return err;
}

/* ---- licenses ---- */

/* Trove classifiers that name exactly one SPDX license. ("BSD License" or "Apache Software License"
 * do not say which version, so they are kept as written.) */
static const char *const classifier_ids[][2] = {
	{"MIT License", "MIT"},
	{"MIT No Attribution License (MIT-0)", "MIT-0"},
	{"ISC License (ISCL)", "ISC"},
	{"Python Software Foundation License", "PSF-2.0"},
	{"Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
	{"GNU General Public License v2 (GPLv2)", "GPL-2.0-only"},
	{"GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"},
	{"GNU General Public License v3 (GPLv3)", "GPL-3.0-only"},
	{"GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"},
	{"GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only"},
	{"GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"},
	{"GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"},
	{"GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"},
	{"GNU Affero General Public License v3", "AGPL-3.0-only"},
	{"GNU Affero General Public License v3 or later (AGPLv3+)", "AGPL-3.0-or-later"},
	{"Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"},
	{"Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"},
	{"The Unlicense (Unlicense)", "Unlicense"},
	{"CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"},
};

static int classifier_license(cairn_sbom *sbom, cairn_sbom_package *p, const char *c)
{
	const char *last = strrchr(c, ':'); /* "License :: OSI Approved :: MIT License" */
	last = last ? last + 1 : c;
	while (*last == ' ')
		last++;
	if (strcmp(last, "OSI Approved") == 0 || strcmp(last, "Other/Proprietary License") == 0)
		return 0; /* says nothing about which license */
	for (size_t i = 0; i < sizeof classifier_ids / sizeof classifier_ids[0]; i++)
		if (strcmp(last, classifier_ids[i][0]) == 0)
			return cairn_sbom_add_license(sbom, p, classifier_ids[i][1], 0);
	return cairn_sbom_add_license(sbom, p, last, 0);
}

static int add_licenses(cairn_sbom *sbom, cairn_sbom_package *p, const struct py_meta *m)
{
	if (m->license_expr != NULL && m->license_expr[0] != '\0')
		return cairn_sbom_add_license(sbom, p, m->license_expr, 0);
	const char *l = m->license;
	if (l != NULL && l[0] != '\0' && strcmp(l, "UNKNOWN") != 0 && strlen(l) <= 200)
		return cairn_sbom_add_license(sbom, p, l, 0);
	int err = 0;
	for (size_t i = 0; !err && i < m->classifier_count; i++)
		err = classifier_license(sbom, p, m->classifiers[i]);
	if (!err && p->license_count == 0 && l != NULL && l[0] != '\0' && strcmp(l, "UNKNOWN") != 0)
		err = cairn_sbom_add_license(sbom, p, "LicenseRef-long-license-text-in-metadata", 0);
	return err;
}

/* ---- the catalog ---- */

struct py_dist {
	size_t package;
	char *dir;  /* the directory holding the .dist-info / .egg-info */
	char **requires;
	size_t require_count;
};

struct py_state {
	cairn_sbom *sbom;
	const cairn_tree *tree;
	char *const *layers;
	size_t layer_count;
	struct py_dist *dists;
	size_t count, cap;
};

/* Reads a file named by path if it is in the tree; 1 when absent, too big or unreadable (a warning). */
static int read_file(struct py_state *st, const char *path, uint64_t limit, cairn_buf *out, const cairn_entry **entry)
{
	const cairn_entry *e = cairn_tree_lookup(st->tree, path);
	if (e != NULL && e->type == CAIRN_ENTRY_SYMLINK && cairn_tree_resolve(st->tree, path, &e) != 0) {
		cairn_error_clear();
		return 1;
	}
	if (e == NULL || (e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK))
		return 1;
	if (entry)
		*entry = e;
	if (e->size > limit) {
		cairn_sbom_warn(st->sbom, "%s: %llu bytes, over the limit of %llu; not read", path, (unsigned long long)e->size,
				(unsigned long long)limit);
		return 1;
	}
	cairn_buf_clear(out);
	if (cairn_tree_read(st->tree, e, (size_t)limit, out) != 0) {
		cairn_sbom_warn(st->sbom, "%s: cannot be read (%s)", path, cairn_error_message());
		cairn_error_clear();
		return 1;
	}
	return 0;
}

/* Joins dir and a relative path, resolving "." and ".." (never above the root). */
static int join_path(cairn_buf *out, const char *dir, const char *rel, size_t len)
{
	cairn_buf_clear(out);
	int err = 0;
	if (len == 0 || rel[0] != '/')
		err = cairn_buf_append_str(out, dir);
	const char *s = rel, *end = rel + len;
	while (!err && s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		size_t l = (size_t)((slash ? slash : end) - s);
		if (l == 0 || (l == 1 && s[0] == '.')) {
			/* nothing */
		} else if (l == 2 && s[0] == '.' && s[1] == '.') {
			while (out->len > 0 && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
		} else {
			err = cairn_buf_append_byte(out, '/');
			if (!err)
				err = cairn_buf_append(out, s, l);
		}
		s = slash ? slash + 1 : end;
	}
	if (!err && out->len == 0)
		err = cairn_buf_append_byte(out, '/');
	return err;
}

/* RECORD (CSV, first field, maybe quoted) or installed-files.txt (one path a line). */
static int add_files(struct py_state *st, cairn_sbom_package *p, const char *base, const char *text, size_t len, int csv)
{
	cairn_buf path = CAIRN_BUF_INIT, field = CAIRN_BUF_INIT;
	const char *s = text, *end = text + len;
	int err = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);
		if (l > 0 && s[l - 1] == '\r')
			l--;
		cairn_buf_clear(&field);
		if (csv && l > 0 && s[0] == '"') {
			for (size_t i = 1; !err && i < l; i++) {
				if (s[i] == '"' && i + 1 < l && s[i + 1] == '"')
					err = cairn_buf_append_byte(&field, (uint8_t)s[i++]);
				else if (s[i] == '"')
					break;
				else
					err = cairn_buf_append_byte(&field, (uint8_t)s[i]);
			}
		} else {
			const char *comma = csv ? memchr(s, ',', l) : NULL;
			err = cairn_buf_append(&field, s, comma ? (size_t)(comma - s) : l);
		}
		if (!err && field.len > 0 && memchr(field.data, '\0', field.len) == NULL) {
			err = join_path(&path, base, (const char *)field.data, field.len);
			if (!err)
				err = cairn_sbom_add_file(st->sbom, p, (const char *)path.data, path.len);
		}
		s = nl ? nl + 1 : end;
	}
	cairn_buf_free(&path);
	cairn_buf_free(&field);
	return err;
}

static int set_purl(cairn_sbom_package *p)
{
	cairn_buf name = CAIRN_BUF_INIT, purl = CAIRN_BUF_INIT;
	int err = sbom_python_normalize(p->name, strlen(p->name), &name);
	if (!err)
		err = cairn_purl_build(&purl, "pypi", NULL, cairn_buf_cstr(&name), p->version, NULL, 0, NULL);
	if (!err)
		err = cairn_sbom_set(&p->purl, cairn_buf_cstr(&purl));
	cairn_buf_free(&name);
	cairn_buf_free(&purl);
	return err;
}

/* 1 with *index set when a distribution of the same name and version was already found in the same
 * site directory as info (its .dist-info / .egg-info path). */
static int same_dist(const struct py_state *st, const char *info, const struct py_meta *m, size_t *index)
{
	const char *slash = strrchr(info, '/');
	size_t site_len = slash && slash > info ? (size_t)(slash - info) : 1;
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT;
	int found = 0;
	if (sbom_python_normalize(m->name, strlen(m->name), &a) != 0)
		goto out;
	for (size_t i = 0; i < st->count && !found; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, st->dists[i].package);
		if (strlen(st->dists[i].dir) != site_len || strncmp(st->dists[i].dir, info, site_len) != 0 ||
		    strcmp(p->version, m->version) != 0)
			continue;
		cairn_buf_clear(&b);
		if (sbom_python_normalize(p->name, strlen(p->name), &b) == 0 && a.len == b.len &&
		    memcmp(a.data, b.data, a.len) == 0) {
			*index = st->dists[i].package;
			found = 1;
		}
	}
out:
	cairn_error_clear();
	cairn_buf_free(&a);
	cairn_buf_free(&b);
	return found;
}

/* One distribution: meta_path is its METADATA or PKG-INFO (or the .egg-info file), info_dir its
 * .dist-info / .egg-info directory (NULL for an .egg-info file). */
static int catalog_dist(struct py_state *st, const cairn_entry *meta_entry, const char *info_dir, int wheel)
{
	const char *meta_path = meta_entry->path;
	cairn_buf text = CAIRN_BUF_INIT, path = CAIRN_BUF_INIT;
	struct py_meta m;
	memset(&m, 0, sizeof m);
	int err = 0;
	if (read_file(st, meta_path, PY_MAX_META, &text, NULL) != 0)
		goto out;
	err = meta_parse(&m, (const char *)text.data, text.len);
	if (err)
		goto out;
	if (m.name == NULL || m.name[0] == '\0' || m.version == NULL || m.version[0] == '\0') {
		cairn_sbom_warn(st->sbom, "%s: no %s field; the distribution is left out", meta_path, m.name ? "Version" : "Name");
		goto out;
	}
	const char *layer = meta_entry->layer >= 0 && (size_t)meta_entry->layer < st->layer_count ? st->layers[meta_entry->layer] : NULL;
	size_t index;
	if (same_dist(st, info_dir ? info_dir : meta_path, &m, &index)) {
		/* Debian ships some distributions with both a .dist-info and an .egg-info: one package. */
		err = cairn_sbom_add_location(cairn_sbom_package_at(st->sbom, index), layer, meta_path);
		goto out;
	}
	err = cairn_sbom_add_package(st->sbom, "pypi", m.name, m.version, &index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(st->sbom, index);
	if (!err)
		err = cairn_sbom_add_location(p, layer, meta_path);
	if (!err)
		err = set_purl(p);
	if (!err)
		err = add_licenses(st->sbom, p, &m);
	if (!err && (m.maintainer || m.author))
		err = cairn_sbom_set(&p->supplier, m.maintainer ? m.maintainer : m.author);
	/* the site directory: where the .dist-info / .egg-info is */
	const char *info = info_dir ? info_dir : meta_path;
	const char *slash = strrchr(info, '/');
	char *site = strndup(info, slash && slash > info ? (size_t)(slash - info) : 1);
	if (!err && site == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err && info_dir != NULL) {
		err = cairn_buf_printf(&path, "%s/%s", info_dir, wheel ? "RECORD" : "installed-files.txt");
		if (!err && read_file(st, cairn_buf_cstr(&path), PY_MAX_RECORD, &text, NULL) == 0)
			err = add_files(st, p, wheel ? site : info_dir, (const char *)text.data, text.len, wheel);
		cairn_buf_clear(&path);
		if (!err && !wheel && (err = cairn_buf_printf(&path, "%s/requires.txt", info_dir)) == 0 &&
		    read_file(st, cairn_buf_cstr(&path), PY_MAX_META, &text, NULL) == 0)
			err = requires_txt(&m, (const char *)text.data, text.len);
	}
	if (!err)
		err = sbom_grow(&st->dists, &st->cap, st->count, sizeof *st->dists);
	if (!err) {
		st->dists[st->count++] = (struct py_dist){index, site, m.requires, m.require_count};
		site = NULL;
		m.requires = NULL;
		m.require_count = 0;
	}
	free(site);
out:
	meta_free(&m);
	cairn_buf_free(&text);
	cairn_buf_free(&path);
	return err;
}

/* "name [extras] (>=1) ; marker": the name, or 0 when it applies only with an extra. */
static size_t requirement_name(const char *r)
{
	const char *semi = strchr(r, ';');
	if (semi != NULL && strstr(semi, "extra") != NULL)
		return 0;
	size_t n = 0;
	while (isalnum((unsigned char)r[n]) || r[n] == '-' || r[n] == '_' || r[n] == '.')
		n++;
	return n;
}

/* Key for the index: "site-dir\nnormalised-name". */
static int dist_key(cairn_buf *key, const char *site, const char *name, size_t len)
{
	cairn_buf_clear(key);
	int err = cairn_buf_printf(key, "%s\n", site);
	return err ? err : sbom_python_normalize(name, len, key);
}

static int resolve_requires(struct py_state *st)
{
	sbom_name_index *index;
	cairn_buf key = CAIRN_BUF_INIT;
	int err = sbom_name_index_new(&index);
	for (size_t i = 0; !err && i < st->count; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, st->dists[i].package);
		err = dist_key(&key, st->dists[i].dir, p->name, strlen(p->name));
		if (!err)
			err = sbom_name_index_add(index, (const char *)key.data, key.len, st->dists[i].package, 0);
	}
	for (size_t i = 0; !err && i < st->count; i++) {
		const struct py_dist *d = &st->dists[i];
		for (size_t r = 0; !err && r < d->require_count; r++) {
			size_t n = requirement_name(d->requires[r]), to;
			if (n == 0)
				continue;
			err = dist_key(&key, d->dir, d->requires[r], n);
			if (!err && sbom_name_index_find(index, (const char *)key.data, key.len, &to) == 0 && to != d->package)
				err = cairn_sbom_add_relationship(st->sbom, d->package, to, CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	sbom_name_index_free(index);
	cairn_buf_free(&key);
	return err;
}

/* Only .dist-info / .egg-info paths can own a distribution. */
static int is_metadata_path(const char *path) { return strstr(path, "-info") != NULL; }

/* dpkg package CONTAINS the distribution when its file list holds the distribution's metadata. */
static int link_owners(struct py_state *st)
{
	sbom_name_index *owners;
	int err = sbom_os_file_index(st->sbom, SIZE_MAX, is_metadata_path, &owners);
	for (size_t i = 0; !err && i < st->count; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, st->dists[i].package);
		const char *meta = p->locations[0].path;
		size_t owner, len = strlen(meta);
		int found = sbom_name_index_find(owners, meta, len, &owner) == 0;
		if (!found) { /* the .dist-info / .egg-info directory itself */
			const char *slash = strrchr(meta, '/');
			found = slash && sbom_name_index_find(owners, meta, (size_t)(slash - meta), &owner) == 0;
		}
		if (found)
			err = cairn_sbom_add_relationship(st->sbom, owner, st->dists[i].package, CAIRN_SBOM_REL_CONTAINS);
	}
	sbom_name_index_free(owners);
	return err;
}

int sbom_python_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	struct py_state st = {sbom, tree, layers, layer_count, NULL, 0, 0};
	cairn_buf dir = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if (e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK)
			continue;
		int wheel = ends_with(e->path, ".dist-info/METADATA");
		int egg = ends_with(e->path, ".egg-info/PKG-INFO");
		cairn_buf_clear(&dir);
		if (wheel || egg) {
			err = cairn_buf_append(&dir, e->path, (size_t)(strrchr(e->path, '/') - e->path));
			if (!err)
				err = catalog_dist(&st, e, cairn_buf_cstr(&dir), wheel);
		} else if (ends_with(e->path, ".egg-info")) {
			err = catalog_dist(&st, e, NULL, 0);
		}
	}
	if (!err)
		err = resolve_requires(&st);
	if (!err)
		err = link_owners(&st);
	for (size_t i = 0; i < st.count; i++) {
		free(st.dists[i].dir);
		for (size_t r = 0; r < st.dists[i].require_count; r++)
			free(st.dists[i].requires[r]);
		free(st.dists[i].requires);
	}
	free(st.dists);
	cairn_buf_free(&dir);
	return err;
}
