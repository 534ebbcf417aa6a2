/* JavaScript: packages installed in node_modules, and npm lockfiles.
 *
 * Installed: every node_modules/NAME/package.json (and node_modules/@scope/NAME/package.json) is a
 * package with its name, version and license; its dependencies (dependencies, optionalDependencies,
 * peerDependencies) resolve as Node's require() does: NAME in the package's own node_modules, then in
 * the node_modules of each directory above it.
 *
 * package-lock.json (docs.npmjs.com "package-lock.json"): lockfileVersion 2 and 3 list every package
 * in "packages", keyed by its install path ("node_modules/a/node_modules/b"; "" is the project
 * itself); version 1 nests "dependencies" objects (name -> {version, requires, dependencies}), which
 * maps onto the same install paths. Dependencies resolve over those paths the same way. A package
 * found both installed and in the lockfile is one package with both locations, never two.
 *
 * yarn.lock v1 (yarn's own format: "name@range, name@range2:" entries with indented version and
 * dependencies) and yarn berry (YAML: "name@npm:range" descriptors, resolution, dependencies), and
 * pnpm-lock.yaml (lockfile 5.x keys "/name/1.0.0_peer", 6.x "/name@1.0.0(peer@2)", 9.x "name@1.0.0"
 * with the dependencies under "snapshots") list resolved packages; their dependencies resolve through
 * the lockfile's own keys. The project itself (a workspace) is not a package.
 *
 * Everything is bounded: a package.json over 1 MiB, nested deeper than 64 levels, or not JSON is a
 * warning naming the file, and the rest of the SBOM goes on. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define NPM_MAX_MANIFEST ((size_t)1024 * 1024)     /* one package.json */
#define NPM_MAX_LOCK ((size_t)64 * 1024 * 1024)    /* one package-lock.json */
#define NPM_MAX_DEPTH ((size_t)64)                 /* JSON nesting of a package.json */
#define NPM_MAX_LOCK_DEPTH ((size_t)512)           /* v1 lockfiles nest one level per install level */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ".../node_modules/NAME/package.json" or ".../node_modules/@scope/NAME/package.json". */
static int installed_manifest(const char *path)
{
	size_t n = strlen(path);
	static const char tail[] = "/package.json";
	if (n < sizeof tail || strcmp(path + n - (sizeof tail - 1), tail) != 0)
		return 0;
	const char *nm = NULL;
	for (const char *p = strstr(path, "node_modules/"); p; p = strstr(p + 1, "node_modules/"))
		if (p == path || p[-1] == '/')
			nm = p;
	if (nm == NULL)
		return 0;
	const char *name = nm + strlen("node_modules/");
	const char *slash = strchr(name, '/');
	if (slash == NULL || slash == name)
		return 0;
	if (name[0] == '@')
		slash = strchr(slash + 1, '/');
	return slash != NULL && strcmp(slash, tail) == 0 && name[0] != '.';
}

int sbom_npm_wants(const char *path, uint64_t size)
{
	if (installed_manifest(path))
		return size <= NPM_MAX_MANIFEST;
	const char *b = base_name(path);
	if (strcmp(b, "package-lock.json") == 0 || strcmp(b, "yarn.lock") == 0 || strcmp(b, "pnpm-lock.yaml") == 0)
		return size <= NPM_MAX_LOCK;
	return 0;
}

/* ---- shared state: packages by install directory ---- */

struct npm_deps {
	size_t package;
	char *dir;  /* install directory (absolute), where resolution starts */
	json_t *deps; /* an object of name -> anything (owned reference) */
};

struct npm_state {
	cairn_sbom *sbom;
	const cairn_tree *tree;
	char *const *layers;
	size_t layer_count;
	sbom_name_index *by_dir; /* install directory -> package */
	struct npm_deps *deps;
	size_t dep_count, dep_cap;
};

static const char *layer_of(const struct npm_state *st, const cairn_entry *e)
{
	return e->layer >= 0 && (size_t)e->layer < st->layer_count ? st->layers[e->layer] : NULL;
}

static int remember_deps(struct npm_state *st, size_t package, const char *dir, json_t *obj)
{
	static const char *const keys[] = {"dependencies", "optionalDependencies", "peerDependencies", "requires"};
	json_t *all = json_object();
	if (all == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		json_t *d = json_object_get(obj, keys[k]);
		if (json_is_object(d))
			json_object_update(all, d);
	}
	if (json_object_size(all) == 0) {
		json_decref(all);
		return 0;
	}
	int err = sbom_grow(&st->deps, &st->dep_cap, st->dep_count, sizeof *st->deps);
	char *copy = err ? NULL : strdup(dir);
	if (!err && copy == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (err) {
		json_decref(all);
		return err;
	}
	st->deps[st->dep_count++] = (struct npm_deps){package, copy, all};
	return 0;
}

static int add_license(cairn_sbom *sbom, cairn_sbom_package *p, json_t *manifest)
{
	json_t *l = json_object_get(manifest, "license");
	if (json_is_object(l)) /* the old {"type": "MIT", "url": ...} form */
		l = json_object_get(l, "type");
	if (json_is_string(l) && json_string_length(l) > 0 && json_string_length(l) <= 1000)
		return cairn_sbom_add_license(sbom, p, json_string_value(l), 0);
	json_t *list = json_object_get(manifest, "licenses"); /* older still: [{"type": ...}] */
	size_t i;
	json_t *item;
	int err = 0;
	if (json_is_array(list))
		json_array_foreach(list, i, item)
		{
			json_t *t = json_is_object(item) ? json_object_get(item, "type") : item;
			if (!err && i < 16 && json_is_string(t) && json_string_length(t) > 0 && json_string_length(t) <= 1000)
				err = cairn_sbom_add_license(sbom, p, json_string_value(t), 0);
		}
	return err;
}

/* npm names: "@scope/name" has the namespace "@scope". */
static int add_npm_package(cairn_sbom *sbom, const char *name, const char *version, const char *layer,
			   const char *location, size_t *index)
{
	const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
	int err = cairn_sbom_add_package(sbom, "npm", slash ? slash + 1 : name, version, index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(sbom, *index);
	if (!err && slash) {
		char *ns = strndup(name, (size_t)(slash - name));
		err = ns ? cairn_sbom_set(&p->namespace_, ns) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		free(ns);
	}
	if (!err)
		err = cairn_sbom_add_location(p, layer, location);
	return err;
}

static int valid_name(const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) > 214) /* npm's own limit */
		return 0;
	if (name[0] == '@') {
		const char *slash = strchr(name, '/');
		return slash != NULL && slash > name + 1 && slash[1] != '\0' && strchr(slash + 1, '/') == NULL;
	}
	return strchr(name, '/') == NULL;
}

/* ---- node_modules ---- */

static int catalog_manifest(struct npm_state *st, const cairn_entry *e, cairn_buf *text)
{
	if (e->size > NPM_MAX_MANIFEST) {
		cairn_sbom_warn(st->sbom, "%s: %llu bytes, over the limit of %zu for a package.json; the package is left out",
				e->path, (unsigned long long)e->size, NPM_MAX_MANIFEST);
		return 0;
	}
	cairn_buf_clear(text);
	if (cairn_tree_read(st->tree, e, NPM_MAX_MANIFEST, text) != 0) {
		cairn_sbom_warn(st->sbom, "%s: cannot be read (%s); the package is left out", e->path, cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	json_t *m;
	cairn_json_limits limits = {NPM_MAX_MANIFEST, NPM_MAX_DEPTH};
	if (cairn_json_parse(&m, text->data, text->len, &limits, e->path) != 0) {
		cairn_sbom_warn(st->sbom, "%s; the package is left out", cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *version = json_string_value(json_object_get(m, "version"));
	int err = 0;
	if (!json_is_object(m) || !valid_name(name) || version == NULL || version[0] == '\0') {
		cairn_sbom_warn(st->sbom, "%s: no valid name and version; the package is left out", e->path);
	} else {
		size_t index, dir_len = strlen(e->path) - strlen("/package.json");
		err = add_npm_package(st->sbom, name, version, layer_of(st, e), e->path, &index);
		if (!err)
			err = add_license(st->sbom, cairn_sbom_package_at(st->sbom, index), m);
		if (!err)
			err = sbom_name_index_add(st->by_dir, e->path, dir_len, index, 0);
		char *dir = err ? NULL : strndup(e->path, dir_len);
		if (!err && dir == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		if (!err)
			err = remember_deps(st, index, dir, m);
		free(dir);
	}
	json_decref(m);
	return err;
}

/* Node's resolution: DIR/node_modules/NAME, then up through every directory that is not itself a
 * node_modules directory. */
static int resolve_one(struct npm_state *st, const char *dir, const char *name, size_t *out)
{
	cairn_buf path = CAIRN_BUF_INIT;
	size_t len = strlen(dir);
	int found = 0;
	for (;;) {
		int is_nm = len >= 12 && memcmp(dir + len - 12, "node_modules", 12) == 0 && (len == 12 || dir[len - 13] == '/');
		if (!is_nm) {
			cairn_buf_clear(&path);
			if (cairn_buf_append(&path, dir, len) != 0 || cairn_buf_printf(&path, "/node_modules/%s", name) != 0)
				break;
			if (sbom_name_index_find(st->by_dir, (const char *)path.data, path.len, out) == 0) {
				found = 1;
				break;
			}
		}
		if (len == 0)
			break;
		while (len > 0 && dir[len - 1] != '/')
			len--;
		if (len > 0)
			len--; /* drop the '/' too */
	}
	cairn_buf_free(&path);
	return found;
}

static int resolve_all(struct npm_state *st)
{
	int err = 0;
	for (size_t i = 0; !err && i < st->dep_count; i++) {
		const char *name;
		json_t *v;
		json_object_foreach(st->deps[i].deps, name, v)
		{
			size_t to;
			(void)v;
			if (!err && valid_name(name) && resolve_one(st, st->deps[i].dir, name, &to) && to != st->deps[i].package)
				err = cairn_sbom_add_relationship(st->sbom, st->deps[i].package, to, CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	return err;
}

/* ---- package-lock.json ---- */

/* One lock entry at install path key (relative to the lockfile's directory). */
static int lock_entry(struct npm_state *st, const char *lock_path, const char *layer, const char *project, const char *key,
		      json_t *entry, const char *name_hint)
{
	if (!json_is_object(entry) || json_is_true(json_object_get(entry, "link")))
		return 0; /* a symlink to a workspace: the target has its own entry */
	const char *version = json_string_value(json_object_get(entry, "version"));
	const char *name = json_string_value(json_object_get(entry, "name"));
	if (name == NULL)
		name = name_hint;
	if (!valid_name(name) || version == NULL || version[0] == '\0') {
		cairn_sbom_warn(st->sbom, "%s: entry '%s' has no valid name and version; left out", lock_path, key);
		return 0;
	}
	cairn_buf dir = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&dir, "%s/%s", strcmp(project, "/") == 0 ? "" : project, key);
	size_t index;
	if (!err && sbom_name_index_find(st->by_dir, (const char *)dir.data, dir.len, &index) == 0) {
		/* installed too: the same package, found in one more place */
		cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, index);
		if (strcmp(p->version, version) == 0)
			err = cairn_sbom_add_location(p, layer, lock_path);
		else
			cairn_sbom_warn(st->sbom, "%s: %s is %s in the lockfile but %s is installed", lock_path, key, version, p->version);
	} else if (!err) {
		err = add_npm_package(st->sbom, name, version, layer, lock_path, &index);
		if (!err)
			err = add_license(st->sbom, cairn_sbom_package_at(st->sbom, index), entry);
		if (!err)
			err = sbom_name_index_add(st->by_dir, (const char *)dir.data, dir.len, index, 0);
		if (!err)
			err = remember_deps(st, index, cairn_buf_cstr(&dir), entry);
	}
	cairn_buf_free(&dir);
	return err;
}

/* The name an install path ends with: "node_modules/a/node_modules/@s/b" -> "@s/b". */
static const char *key_name(const char *key)
{
	const char *name = NULL;
	for (const char *p = strstr(key, "node_modules/"); p; p = strstr(p + 1, "node_modules/"))
		if (p == key || p[-1] == '/')
			name = p + strlen("node_modules/");
	return name;
}

/* v1: "dependencies": {name: {version, requires, dependencies: {...}}}, nested by install level. */
static int lock_v1(struct npm_state *st, const char *lock_path, const char *layer, const char *project, const char *parent,
		   json_t *deps, size_t depth)
{
	if (depth > NPM_MAX_LOCK_DEPTH)
		return 0;
	const char *name;
	json_t *entry;
	int err = 0;
	cairn_buf key = CAIRN_BUF_INIT;
	json_object_foreach(deps, name, entry)
	{
		if (err)
			break;
		cairn_buf_clear(&key);
		err = parent[0] ? cairn_buf_printf(&key, "%s/node_modules/%s", parent, name) : cairn_buf_printf(&key, "node_modules/%s", name);
		if (!err)
			err = lock_entry(st, lock_path, layer, project, cairn_buf_cstr(&key), entry, name);
		json_t *nested = json_is_object(entry) ? json_object_get(entry, "dependencies") : NULL;
		if (!err && json_is_object(nested))
			err = lock_v1(st, lock_path, layer, project, cairn_buf_cstr(&key), nested, depth + 1);
	}
	cairn_buf_free(&key);
	return err;
}

static int parse_lock(struct npm_state *st, const char *text, size_t len, const char *path, const char *layer)
{
	json_t *doc;
	cairn_json_limits limits = {NPM_MAX_LOCK, NPM_MAX_LOCK_DEPTH * 2 + 8};
	if (cairn_json_parse(&doc, text, len, &limits, path) != 0) {
		cairn_sbom_warn(st->sbom, "%s; its packages are not listed", cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	char *project = strndup(path, (size_t)(base_name(path) - path > 1 ? base_name(path) - path - 1 : 1));
	int err = project ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	json_t *packages = json_object_get(doc, "packages"), *deps = json_object_get(doc, "dependencies");
	if (err) {
		/* nothing */
	} else if (!json_is_object(doc)) {
		cairn_sbom_warn(st->sbom, "%s: not a package-lock.json (no object); its packages are not listed", path);
	} else if (json_is_object(packages)) { /* lockfileVersion 2 and 3 */
		const char *key;
		json_t *entry;
		json_object_foreach(packages, key, entry)
		{
			const char *name = key_name(key);
			if (!err && name != NULL) /* "" is the project; workspace folders are not installed packages */
				err = lock_entry(st, path, layer, project, key, entry, name);
		}
	} else if (json_is_object(deps)) {
		err = lock_v1(st, path, layer, project, "", deps, 0);
	} else {
		cairn_sbom_warn(st->sbom, "%s: neither \"packages\" nor \"dependencies\"; its packages are not listed", path);
	}
	free(project);
	json_decref(doc);
	return err;
}

static int state_init(struct npm_state *st, cairn_sbom *sbom)
{
	memset(st, 0, sizeof *st);
	st->sbom = sbom;
	return sbom_name_index_new(&st->by_dir);
}

static void state_free(struct npm_state *st)
{
	for (size_t i = 0; i < st->dep_count; i++) {
		free(st->deps[i].dir);
		json_decref(st->deps[i].deps);
	}
	free(st->deps);
	sbom_name_index_free(st->by_dir);
}

int cairn_sbom_parse_npm_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	struct npm_state st;
	int err = state_init(&st, sbom);
	if (!err)
		err = parse_lock(&st, text, len, path, layer);
	if (!err)
		err = resolve_all(&st);
	state_free(&st);
	return err;
}

/* ---- lockfiles keyed by descriptor: yarn.lock and pnpm-lock.yaml ---- */

struct lock_graph {
	cairn_sbom *sbom;
	const char *path, *layer;
	sbom_name_index *keys; /* descriptor or key -> package */
	sbom_name_index *pkgs; /* "name@version" -> package: one package per resolved version */
	size_t *edge_from;
	char **edge_to;
	size_t edge_count, edge_cap, to_cap;
};

static int graph_init(struct lock_graph *g, cairn_sbom *sbom, const char *path, const char *layer)
{
	memset(g, 0, sizeof *g);
	g->sbom = sbom;
	g->path = path;
	g->layer = layer;
	int err = sbom_name_index_new(&g->keys);
	return err ? err : sbom_name_index_new(&g->pkgs);
}

static void graph_free(struct lock_graph *g)
{
	for (size_t i = 0; i < g->edge_count; i++)
		free(g->edge_to[i]);
	free(g->edge_to);
	free(g->edge_from);
	sbom_name_index_free(g->keys);
	sbom_name_index_free(g->pkgs);
}

static int graph_package(struct lock_graph *g, const char *name, size_t name_len, const char *version, size_t *index)
{
	cairn_buf key = CAIRN_BUF_INIT;
	char *n = strndup(name, name_len);
	int err = n ? cairn_buf_printf(&key, "%s@%s", n, version) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err && sbom_name_index_find(g->pkgs, (const char *)key.data, key.len, index) != 0) {
		if (!valid_name(n) || version[0] == '\0') {
			cairn_sbom_warn(g->sbom, "%s: '%s' is not a package name and version; left out", g->path, cairn_buf_cstr(&key));
			err = 1;
		} else {
			err = add_npm_package(g->sbom, n, version, g->layer, g->path, index);
			if (!err)
				err = sbom_name_index_add(g->pkgs, (const char *)key.data, key.len, *index, 0);
		}
	}
	free(n);
	cairn_buf_free(&key);
	return err;
}

static int graph_key(struct lock_graph *g, const char *key, size_t len, size_t index)
{
	return sbom_name_index_add(g->keys, key, len, index, 0);
}

static int graph_edge(struct lock_graph *g, size_t from, const char *to, size_t len)
{
	if (g->edge_count >= CAIRN_SBOM_MAX_PACKAGES * 4)
		return 0;
	int err = sbom_grow(&g->edge_from, &g->edge_cap, g->edge_count, sizeof *g->edge_from);
	if (!err)
		err = sbom_grow(&g->edge_to, &g->to_cap, g->edge_count, sizeof *g->edge_to);
	char *copy = err ? NULL : strndup(to, len);
	if (!err && copy == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err) {
		g->edge_from[g->edge_count] = from;
		g->edge_to[g->edge_count++] = copy;
	}
	return err;
}

static int graph_resolve(struct lock_graph *g)
{
	int err = 0;
	for (size_t i = 0; !err && i < g->edge_count; i++) {
		size_t to;
		if (sbom_name_index_find(g->keys, g->edge_to[i], strlen(g->edge_to[i]), &to) == 0 && to != g->edge_from[i])
			err = cairn_sbom_add_relationship(g->sbom, g->edge_from[i], to, CAIRN_SBOM_REL_DEPENDS_ON);
	}
	return err;
}

/* The name in "name@range" or "@scope/name@range": up to the first '@' after the first character. */
static size_t descriptor_name(const char *d, size_t len)
{
	const char *at = len > 1 ? memchr(d + 1, '@', len - 1) : NULL;
	return at ? (size_t)(at - d) : len;
}

/* Copies s[0..len) without surrounding quotes and white space. */
static char *unquote(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	return strndup(s, len);
}

/* ---- yarn.lock v1 ---- */

struct yarn_entry {
	char *specs; /* the key line without its ':' */
	char *version;
	char **deps;
	size_t dep_count, dep_cap;
	size_t line;
};

static void yarn_entry_clear(struct yarn_entry *e)
{
	free(e->specs);
	free(e->version);
	for (size_t i = 0; i < e->dep_count; i++)
		free(e->deps[i]);
	free(e->deps);
	memset(e, 0, sizeof *e);
}

/* Each of "a@^1, "a@~1.2"" names the entry; the first gives the name. */
static int yarn_entry_end(struct lock_graph *g, struct yarn_entry *e)
{
	if (e->specs == NULL)
		return 0;
	if (e->version == NULL) {
		cairn_sbom_warn(g->sbom, "%s: line %zu: an entry without a version; left out", g->path, e->line);
		return 0;
	}
	int err = 0, first = 1;
	size_t index = 0;
	for (const char *s = e->specs; !err && *s;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char *spec = unquote(s, len);
		if (spec == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		if (first && spec[0] != '\0') {
			err = graph_package(g, spec, descriptor_name(spec, strlen(spec)), e->version, &index);
			first = 0;
			if (err == 1) { /* not a package: warned */
				free(spec);
				return 0;
			}
		}
		if (!err && spec[0] != '\0')
			err = graph_key(g, spec, strlen(spec), index);
		free(spec);
		s = comma ? comma + 1 : s + len;
	}
	for (size_t i = 0; !err && !first && i < e->dep_count; i++)
		err = graph_edge(g, index, e->deps[i], strlen(e->deps[i]));
	return err;
}

/* One indented line of an entry: "  version "1.2.3"", "  dependencies:", "    name "range"". */
static int yarn_line(struct yarn_entry *e, const char *s, size_t len, int *in_deps)
{
	size_t indent = 0;
	while (indent < len && s[indent] == ' ')
		indent++;
	const char *v = s + indent;
	size_t vl = len - indent;
	if (indent == 2) {
		*in_deps = (vl == 13 && memcmp(v, "dependencies:", 13) == 0) ||
			   (vl == 21 && memcmp(v, "optionalDependencies:", 21) == 0);
		if (vl > 8 && memcmp(v, "version ", 8) == 0 && e->version == NULL &&
		    (e->version = unquote(v + 8, vl - 8)) == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		return 0;
	}
	if (indent != 4 || !*in_deps || vl == 0)
		return 0;
	/* "name range", either part maybe quoted */
	size_t name_end = 0;
	if (v[0] == '"') {
		const char *q = memchr(v + 1, '"', vl - 1);
		name_end = q ? (size_t)(q - v) + 1 : vl;
	} else {
		while (name_end < vl && v[name_end] != ' ')
			name_end++;
	}
	char *name = unquote(v, name_end), *range = unquote(v + name_end, vl - name_end);
	cairn_buf d = CAIRN_BUF_INIT;
	int err = name && range ? cairn_buf_printf(&d, "%s@%s", name, range) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err && e->dep_count < 10000)
		err = sbom_grow(&e->deps, &e->dep_cap, e->dep_count, sizeof *e->deps);
	if (!err && e->dep_count < 10000)
		e->deps[e->dep_count++] = (char *)cairn_buf_detach(&d, NULL);
	cairn_buf_free(&d);
	free(name);
	free(range);
	return err;
}

static int parse_yarn_v1(struct lock_graph *g, const char *text, size_t len)
{
	struct yarn_entry e;
	memset(&e, 0, sizeof e);
	const char *s = text, *end = text + len;
	size_t line = 0;
	int err = 0, in_deps = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);
		if (l > 0 && s[l - 1] == '\r')
			l--;
		line++;
		if (memchr(s, '\0', l) != NULL) {
			cairn_sbom_warn(g->sbom, "%s: line %zu: a NUL byte; the rest is not read", g->path, line);
			break;
		}
		if (l == 0 || s[0] == '#') {
			/* blank or comment */
		} else if (s[0] != ' ') {
			err = yarn_entry_end(g, &e);
			yarn_entry_clear(&e);
			in_deps = 0;
			if (!err && s[l - 1] == ':') {
				e.specs = strndup(s, l - 1);
				e.line = line;
				if (e.specs == NULL)
					err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			} else if (!err) {
				cairn_sbom_warn(g->sbom, "%s: line %zu: not an entry ('spec, spec:'); skipped", g->path, line);
			}
		} else if (e.specs != NULL) {
			err = yarn_line(&e, s, l, &in_deps);
		}
		s = nl ? nl + 1 : end;
	}
	if (!err)
		err = yarn_entry_end(g, &e);
	yarn_entry_clear(&e);
	return err;
}

/* ---- YAML lockfiles (yarn berry, pnpm) through libyaml's document tree ---- */

static const char *yscalar(yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE || strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static yaml_node_t *yget(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yscalar(yaml_document_get_node(doc, p->key));
		if (k != NULL && strcmp(k, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static int yaml_load(struct lock_graph *g, const char *text, size_t len, yaml_document_t *doc)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int ok = yaml_parser_load(&parser, doc);
	if (!ok)
		cairn_sbom_warn(g->sbom, "%s: line %zu: not YAML (%s); its packages are not listed", g->path,
				(size_t)parser.problem_mark.line + 1, parser.problem ? parser.problem : "malformed");
	else if (yaml_document_get_root_node(doc) == NULL || yaml_document_get_root_node(doc)->type != YAML_MAPPING_NODE) {
		cairn_sbom_warn(g->sbom, "%s: not a mapping; its packages are not listed", g->path);
		yaml_document_delete(doc);
		ok = 0;
	}
	yaml_parser_delete(&parser);
	return ok ? 0 : 1;
}

/* yarn berry: "name@npm:^1, name@npm:^1.2": {version, resolution, dependencies: {dep: range}}. */
static int parse_yarn_berry(struct lock_graph *g, const char *text, size_t len)
{
	yaml_document_t doc;
	if (yaml_load(g, text, len, &doc) != 0)
		return 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	int err = 0;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; !err && p < root->data.mapping.pairs.top; p++) {
		const char *specs = yscalar(yaml_document_get_node(&doc, p->key));
		yaml_node_t *entry = yaml_document_get_node(&doc, p->value);
		const char *version = yscalar(yget(&doc, entry, "version"));
		const char *resolution = yscalar(yget(&doc, entry, "resolution"));
		if (specs == NULL || strcmp(specs, "__metadata") == 0 || resolution == NULL || version == NULL)
			continue;
		if (strstr(resolution, "@workspace:") != NULL || strstr(resolution, "@link:") != NULL)
			continue; /* the project itself, or a link to a folder */
		size_t index;
		err = graph_package(g, resolution, descriptor_name(resolution, strlen(resolution)), version, &index);
		if (err == 1) {
			err = 0;
			continue;
		}
		for (const char *s = specs; !err && *s;) {
			const char *comma = strchr(s, ',');
			size_t l = comma ? (size_t)(comma - s) : strlen(s);
			char *spec = unquote(s, l);
			err = spec ? graph_key(g, spec, strlen(spec), index) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			free(spec);
			s = comma ? comma + 1 : s + l;
		}
		static const char *const dep_keys[] = {"dependencies", "optionalDependencies"};
		for (size_t k = 0; !err && k < 2; k++) {
			yaml_node_t *deps = yget(&doc, entry, dep_keys[k]);
			if (deps == NULL || deps->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *d = deps->data.mapping.pairs.start; !err && d < deps->data.mapping.pairs.top; d++) {
				const char *name = yscalar(yaml_document_get_node(&doc, d->key));
				const char *range = yscalar(yaml_document_get_node(&doc, d->value));
				cairn_buf desc = CAIRN_BUF_INIT;
				if (name && range) /* a range without a protocol is an npm range */
					err = cairn_buf_printf(&desc, strchr(range, ':') ? "%s@%s" : "%s@npm:%s", name, range);
				if (!err && desc.len > 0)
					err = graph_edge(g, index, (const char *)desc.data, desc.len);
				cairn_buf_free(&desc);
			}
		}
	}
	yaml_document_delete(&doc);
	return err;
}

/* A pnpm key in every lockfile version, as "name@version-with-peers":
 * "/name/1.0.0_peer" (5.x), "/name@1.0.0(peer@2)" (6.x), "name@1.0.0(peer@2)" (9.x). The plain
 * version ends before the peers. */
static int pnpm_key(const char *key, int v5, cairn_buf *norm, size_t *name_len, size_t *version_len)
{
	if (key[0] == '/')
		key++;
	size_t len = strlen(key), paren = strcspn(key, "(");
	size_t name = descriptor_name(key, paren);
	cairn_buf_clear(norm);
	int err;
	if (!v5 && name < paren) { /* 6.x and 9.x: name@version */
		err = cairn_buf_append(norm, key, len);
		*name_len = name;
		*version_len = paren - name - 1;
	} else { /* 5.x: name/version: the last '/' */
		const char *slash = strrchr(key, '/');
		if (slash == NULL || slash == key)
			return 1;
		*name_len = (size_t)(slash - key);
		err = cairn_buf_append(norm, key, *name_len);
		if (!err)
			err = cairn_buf_append_byte(norm, '@');
		if (!err)
			err = cairn_buf_append_str(norm, slash + 1);
		*version_len = strcspn(slash + 1, "_");
	}
	return err ? err : (*version_len == 0 ? 1 : 0);
}

static int pnpm_section(struct lock_graph *g, yaml_document_t *doc, yaml_node_t *section, int v5)
{
	if (section == NULL || section->type != YAML_MAPPING_NODE)
		return 0;
	cairn_buf norm = CAIRN_BUF_INIT, dep = CAIRN_BUF_INIT;
	int err = 0;
	for (yaml_node_pair_t *p = section->data.mapping.pairs.start; !err && p < section->data.mapping.pairs.top; p++) {
		const char *key = yscalar(yaml_document_get_node(doc, p->key));
		size_t nl, vl, index;
		if (key == NULL || pnpm_key(key, v5, &norm, &nl, &vl) != 0) {
			cairn_sbom_warn(g->sbom, "%s: package key '%s' is not /name/version or name@version; left out", g->path,
					key ? key : "(not text)");
			continue;
		}
		const char *k = cairn_buf_cstr(&norm);
		char *version = strndup(k + nl + 1, vl);
		if (version == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			break;
		}
		err = graph_package(g, k, nl, version, &index);
		free(version);
		if (err == 1) {
			err = 0;
			continue;
		}
		if (!err)
			err = graph_key(g, (const char *)norm.data, norm.len, index);
		yaml_node_t *entry = yaml_document_get_node(doc, p->value);
		static const char *const dep_keys[] = {"dependencies", "optionalDependencies"};
		for (size_t d = 0; !err && d < 2; d++) {
			yaml_node_t *deps = yget(doc, entry, dep_keys[d]);
			if (deps == NULL || deps->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *q = deps->data.mapping.pairs.start; !err && q < deps->data.mapping.pairs.top; q++) {
				const char *name = yscalar(yaml_document_get_node(doc, q->key));
				const char *v = yscalar(yaml_document_get_node(doc, q->value));
				if (name == NULL || v == NULL || strncmp(v, "link:", 5) == 0)
					continue;
				size_t a, b;
				cairn_buf_clear(&dep);
				if (v[0] == '/' || (!v5 && descriptor_name(v, strcspn(v, "(")) < strcspn(v, "(")))
					err = pnpm_key(v, v5, &dep, &a, &b) < 0 ? CAIRN_ENOMEM : 0; /* an alias: a whole key */
				else
					err = cairn_buf_printf(&dep, "%s@%s", name, v);
				if (!err && dep.len > 0)
					err = graph_edge(g, index, (const char *)dep.data, dep.len);
			}
		}
	}
	cairn_buf_free(&norm);
	cairn_buf_free(&dep);
	return err;
}

static int parse_pnpm(struct lock_graph *g, const char *text, size_t len)
{
	yaml_document_t doc;
	if (yaml_load(g, text, len, &doc) != 0)
		return 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	/* lockfileVersion 5.x keys are /name/version; 6.0 on, name@version */
	const char *version = yscalar(yget(&doc, root, "lockfileVersion"));
	int v5 = version != NULL && version[0] >= '0' && version[0] <= '5' && (version[1] == '.' || version[1] == '\0');
	int err = pnpm_section(g, &doc, yget(&doc, root, "packages"), v5);
	if (!err) /* 9.x: the dependencies are in snapshots */
		err = pnpm_section(g, &doc, yget(&doc, root, "snapshots"), v5);
	yaml_document_delete(&doc);
	return err;
}

static int parse_keyed_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer, int pnpm)
{
	struct lock_graph g;
	int err = graph_init(&g, sbom, path, layer);
	if (!err && pnpm)
		err = parse_pnpm(&g, text, len);
	else if (!err && (memmem(text, len, "\n__metadata:", 12) != NULL || (len >= 11 && memcmp(text, "__metadata:", 11) == 0)))
		err = parse_yarn_berry(&g, text, len);
	else if (!err)
		err = parse_yarn_v1(&g, text, len);
	if (!err)
		err = graph_resolve(&g);
	graph_free(&g);
	return err;
}

int cairn_sbom_parse_yarn_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	return parse_keyed_lock(sbom, text, len, path, layer, 0);
}

int cairn_sbom_parse_pnpm_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	return parse_keyed_lock(sbom, text, len, path, layer, 1);
}

int sbom_npm_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	struct npm_state st;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = state_init(&st, sbom);
	st.tree = tree;
	st.layers = layers;
	st.layer_count = layer_count;
	/* installed packages first, so the lockfiles find them */
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if ((e->type == CAIRN_ENTRY_FILE || e->type == CAIRN_ENTRY_HARDLINK) && installed_manifest(e->path))
			err = catalog_manifest(&st, e, &text);
	}
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		const char *b = base_name(e->path);
		int npm = strcmp(b, "package-lock.json") == 0, yarn = strcmp(b, "yarn.lock") == 0, pnpm = strcmp(b, "pnpm-lock.yaml") == 0;
		if ((e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK) || !(npm || yarn || pnpm))
			continue;
		if (strstr(e->path, "/node_modules/") != NULL)
			continue; /* a lockfile published inside a package describes its development, not this install */
		cairn_buf_clear(&text);
		if (e->size > NPM_MAX_LOCK) {
			cairn_sbom_warn(sbom, "%s: %llu bytes, over the limit of %zu; its packages are not listed", e->path,
					(unsigned long long)e->size, NPM_MAX_LOCK);
		} else if (cairn_tree_read(tree, e, NPM_MAX_LOCK, &text) != 0) {
			cairn_sbom_warn(sbom, "%s: cannot be read (%s); its packages are not listed", e->path, cairn_error_message());
			cairn_error_clear();
		} else if (npm) {
			err = parse_lock(&st, (const char *)text.data, text.len, e->path, layer_of(&st, e));
		} else {
			err = parse_keyed_lock(sbom, (const char *)text.data, text.len, e->path, layer_of(&st, e), pnpm);
		}
	}
	if (!err)
		err = resolve_all(&st);
	state_free(&st);
	cairn_buf_free(&text);
	return err;
}
