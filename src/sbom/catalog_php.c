/* PHP: Composer's composer.lock and vendor/composer/installed.json.
 *
 * composer.lock (getcomposer.org "Basic usage", "The composer.json schema"): an object whose
 * "packages" array lists the locked packages, each with the fields of a composer.json ("name":
 * "vendor/package", "version", "license", "authors", "require", "provide", "replace"), and whose
 * "packages-dev" array lists the packages needed only for development. Those are left out: `composer
 * install --no-dev`, the usual way to install for production, does not install them, and the model has
 * no way to mark a package as development-only. Development packages that are in fact installed are
 * listed in installed.json, and are catalogued from there.
 *
 * installed.json: what Composer installed into the vendor directory: Composer 1 writes a JSON array of
 * packages, Composer 2 an object {"packages": [...], "dev": ..., "dev-package-names": [...]}. Every
 * package in it is catalogued (it is installed).
 *
 * purl: pkg:composer/vendor/name@version (the vendor is the namespace). The purl specification says
 * nothing about the "v" many tags carry ("v5.4.0"), so the version is kept as Composer writes it.
 * Licenses: Composer's array means a choice between them, so several are joined with OR. "require"
 * entries resolve to packages of the same file, by name or by what a package provides or replaces;
 * platform requirements (php, ext-*, lib-*, composer-*: names without a vendor) are not packages.
 * A package found in both the lockfile and installed.json of one project is one package with both
 * locations. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PHP_MAX_FILE ((size_t)32 * 1024 * 1024) /* one composer.lock or installed.json */
#define PHP_MAX_DEPTH ((size_t)64)              /* JSON nesting */
#define PHP_MAX_PACKAGES ((size_t)100000)       /* packages of one file */
#define PHP_MAX_NAME 214                        /* a vendor/name */
#define PHP_MAX_VERSION 256

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_installed_json(const char *path)
{
	return strcmp(path, "composer/installed.json") == 0 || ends_with(path, "/composer/installed.json");
}

int sbom_php_wants(const char *path, uint64_t size)
{
	if (strcmp(base_name(path), "composer.lock") == 0 || is_installed_json(path))
		return size <= PHP_MAX_FILE;
	return 0;
}

static int oom(void) { return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory"); }

/* "vendor/name": both parts of letters, digits, '.', '_', '-' (Composer's own pattern is stricter). */
static int valid_name(const char *name, size_t len)
{
	if (len == 0 || len > PHP_MAX_NAME)
		return 0;
	const char *slash = memchr(name, '/', len);
	if (slash == NULL || slash == name || slash == name + len - 1 || memchr(slash + 1, '/', len - (size_t)(slash - name) - 1))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("._-/", name[i]) == NULL)
			return 0;
	return 1;
}

static int valid_version(const char *v)
{
	size_t len = v ? strlen(v) : 0;
	if (len == 0 || len > PHP_MAX_VERSION)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return 0;
	return 1;
}

/* Lowercased "scope\nname" into key (Composer compares names without case). */
static int name_key(cairn_buf *key, const char *scope, const char *name, size_t len)
{
	cairn_buf_clear(key);
	int err = cairn_buf_printf(key, "%s\n", scope);
	for (size_t i = 0; !err && i < len; i++)
		err = cairn_buf_append_byte(key, (uint8_t)tolower((unsigned char)name[i]));
	return err;
}

struct php_state {
	cairn_sbom *sbom;
	sbom_name_index *by_version; /* "project\nname\nversion" -> package, across files */
};

static int add_licenses(cairn_sbom *sbom, cairn_sbom_package *p, json_t *license)
{
	if (json_is_string(license)) {
		size_t n = json_string_length(license);
		return n > 0 && n <= 1000 ? cairn_sbom_add_license(sbom, p, json_string_value(license), 0) : 0;
	}
	if (!json_is_array(license) || json_array_size(license) == 0 || json_array_size(license) > 16)
		return 0;
	cairn_buf expr = CAIRN_BUF_INIT;
	size_t i;
	json_t *item;
	int err = 0, simple = 1;
	json_array_foreach(license, i, item)
	{
		const char *s = json_string_value(item);
		simple &= s != NULL && s[0] != '\0' && strlen(s) <= 64 && strcspn(s, " \t()") == strlen(s);
	}
	json_array_foreach(license, i, item)
	{
		const char *s = json_string_value(item);
		if (err || s == NULL || s[0] == '\0' || strlen(s) > 1000)
			continue;
		if (simple) /* single ids: one "A OR B" expression */
			err = cairn_buf_printf(&expr, "%s%s", expr.len ? " OR " : "", s);
		else
			err = cairn_sbom_add_license(sbom, p, s, 0);
	}
	if (!err && expr.len > 0)
		err = cairn_sbom_add_license(sbom, p, cairn_buf_cstr(&expr), 0);
	cairn_buf_free(&expr);
	return err;
}

/* The authors, as "Name <email>", joined (bounded). */
static int add_supplier(cairn_sbom_package *p, json_t *authors)
{
	if (!json_is_array(authors))
		return 0;
	cairn_buf text = CAIRN_BUF_INIT;
	size_t i;
	json_t *a;
	int err = 0;
	json_array_foreach(authors, i, a)
	{
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *email = json_string_value(json_object_get(a, "email"));
		if (err || text.len > 1000 || name == NULL || name[0] == '\0' || strlen(name) > 200 || strchr(name, '\n'))
			continue;
		err = cairn_buf_printf(&text, "%s%s", text.len ? ", " : "", name);
		if (!err && email && email[0] && strlen(email) <= 200 && strchr(email, '\n') == NULL)
			err = cairn_buf_printf(&text, " <%s>", email);
	}
	if (!err && text.len > 0)
		err = cairn_sbom_set(&p->supplier, cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

/* One package entry; *index receives it (new, or the same package found before in this project);
 * 1 when the entry is no package (warned). */
static int add_entry(struct php_state *st, json_t *entry, size_t n, const char *path, const char *layer,
		     const char *project, size_t *index)
{
	const char *name = json_string_value(json_object_get(entry, "name"));
	const char *version = json_string_value(json_object_get(entry, "version"));
	if (!json_is_object(entry) || name == NULL || !valid_name(name, strlen(name)) || !valid_version(version)) {
		cairn_sbom_warn(st->sbom, "%s: package %zu has no valid \"name\" (vendor/name) and \"version\"; left out", path, n);
		return 1;
	}
	cairn_buf key = CAIRN_BUF_INIT;
	int err = name_key(&key, project, name, strlen(name));
	if (!err)
		err = cairn_buf_printf(&key, "\n%s", version);
	if (!err && sbom_name_index_find(st->by_version, (const char *)key.data, key.len, index) == 0) {
		err = cairn_sbom_add_location(cairn_sbom_package_at(st->sbom, *index), layer, path);
		cairn_buf_free(&key);
		return err;
	}
	const char *slash = strchr(name, '/');
	char *vendor = err ? NULL : strndup(name, (size_t)(slash - name));
	if (!err && vendor == NULL)
		err = oom();
	if (!err)
		err = cairn_sbom_add_package(st->sbom, "composer", slash + 1, version, index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(st->sbom, *index);
	if (!err)
		err = cairn_sbom_set(&p->namespace_, vendor);
	if (!err)
		err = cairn_sbom_add_location(p, layer, path);
	if (!err)
		err = add_licenses(st->sbom, p, json_object_get(entry, "license"));
	if (!err)
		err = add_supplier(p, json_object_get(entry, "authors"));
	if (!err)
		err = sbom_name_index_add(st->by_version, (const char *)key.data, key.len, *index, 0);
	free(vendor);
	cairn_buf_free(&key);
	return err;
}

/* Every package of one file, then its "require" entries resolved within it. */
static int parse_packages(struct php_state *st, json_t *packages, const char *path, const char *layer, const char *project)
{
	size_t count = json_array_size(packages);
	if (count > PHP_MAX_PACKAGES) {
		cairn_sbom_warn(st->sbom, "%s: %zu packages, over the limit of %zu; only the first are listed", path, count, PHP_MAX_PACKAGES);
		count = PHP_MAX_PACKAGES;
	}
	size_t *indexes = calloc(count ? count : 1, sizeof *indexes);
	char *ok = calloc(count ? count : 1, 1);
	sbom_name_index *names = NULL;
	cairn_buf key = CAIRN_BUF_INIT;
	int err = indexes && ok ? sbom_name_index_new(&names) : oom();
	for (size_t i = 0; !err && i < count; i++) {
		json_t *entry = json_array_get(packages, i);
		err = add_entry(st, entry, i, path, layer, project, &indexes[i]);
		if (err == 1) {
			err = 0;
			continue;
		}
		ok[i] = 1;
		const char *name = json_string_value(json_object_get(entry, "name"));
		if (!err)
			err = name_key(&key, "", name, strlen(name));
		if (!err)
			err = sbom_name_index_add(names, (const char *)key.data, key.len, indexes[i], 0);
		/* a package that provides or replaces another satisfies requirements on it */
		static const char *const alt[] = {"provide", "replace"};
		for (size_t a = 0; !err && a < 2; a++) {
			const char *other;
			json_t *v;
			json_t *obj = json_object_get(entry, alt[a]);
			if (json_is_object(obj))
				json_object_foreach(obj, other, v)
				{
					(void)v;
					if (!err && valid_name(other, strlen(other)) && (err = name_key(&key, "", other, strlen(other))) == 0)
						err = sbom_name_index_add(names, (const char *)key.data, key.len, indexes[i], 1);
				}
		}
	}
	for (size_t i = 0; !err && i < count; i++) {
		json_t *require = ok[i] ? json_object_get(json_array_get(packages, i), "require") : NULL;
		const char *dep;
		json_t *v;
		size_t to;
		if (!json_is_object(require))
			continue;
		json_object_foreach(require, dep, v)
		{
			(void)v;
			/* php, ext-*, lib-*, composer-plugin-api...: the platform, not packages */
			if (err || !valid_name(dep, strlen(dep)))
				continue;
			err = name_key(&key, "", dep, strlen(dep));
			if (!err && sbom_name_index_find(names, (const char *)key.data, key.len, &to) == 0 && to != indexes[i])
				err = cairn_sbom_add_relationship(st->sbom, indexes[i], to, CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	sbom_name_index_free(names);
	cairn_buf_free(&key);
	free(indexes);
	free(ok);
	return err;
}

/* The project directory: a lockfile's own; for installed.json, the one holding vendor/composer/. */
static char *project_of(const char *path, int installed)
{
	size_t len = (size_t)(base_name(path) - path);
	for (int up = 0; up < (installed ? 3 : 1) && len > 0; up++) {
		len--; /* the '/' */
		if (up < (installed ? 2 : 0))
			while (len > 0 && path[len - 1] != '/')
				len--;
	}
	return strndup(path, len);
}

static int parse_file(struct php_state *st, const char *text, size_t len, const char *path, const char *layer)
{
	int installed = is_installed_json(path);
	json_t *doc;
	cairn_json_limits limits = {PHP_MAX_FILE, PHP_MAX_DEPTH};
	if (cairn_json_parse(&doc, text, len, &limits, path) != 0) {
		cairn_sbom_warn(st->sbom, "%s; its packages are not listed", cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	json_t *packages = json_is_array(doc) && installed ? doc : json_object_get(doc, "packages");
	char *project = project_of(path, installed);
	int err = project ? 0 : oom();
	if (!err && !json_is_array(packages))
		cairn_sbom_warn(st->sbom, "%s: no \"packages\" array; not a %s, its packages are not listed", path,
				installed ? "Composer installed.json" : "composer.lock");
	else if (!err)
		err = parse_packages(st, packages, path, layer, project);
	free(project);
	json_decref(doc);
	return err;
}

int sbom_php_parse(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	struct php_state st = {sbom, NULL};
	int err = sbom_name_index_new(&st.by_version);
	if (!err)
		err = parse_file(&st, text, len, path, layer);
	sbom_name_index_free(st.by_version);
	return err;
}

int sbom_php_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	struct php_state st = {sbom, NULL};
	cairn_buf text = CAIRN_BUF_INIT;
	int err = sbom_name_index_new(&st.by_version);
	/* installed.json first: a lockfile then adds its location to the packages already found */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
			const cairn_entry *e = cairn_tree_at(tree, i);
			if ((e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK) ||
			    !(pass == 0 ? is_installed_json(e->path) : strcmp(base_name(e->path), "composer.lock") == 0))
				continue;
			if (pass == 1 && strstr(e->path, "/vendor/") != NULL)
				continue; /* a lockfile published inside a package describes its development, not this install */
			const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
			cairn_buf_clear(&text);
			if (e->size > PHP_MAX_FILE) {
				cairn_sbom_warn(sbom, "%s: %llu bytes, over the limit of %zu; its packages are not listed", e->path,
						(unsigned long long)e->size, PHP_MAX_FILE);
			} else if (cairn_tree_read(tree, e, PHP_MAX_FILE, &text) != 0) {
				cairn_sbom_warn(sbom, "%s: cannot be read (%s); its packages are not listed", e->path, cairn_error_message());
				cairn_error_clear();
			} else {
				err = parse_file(&st, (const char *)text.data, text.len, e->path, layer);
			}
		}
	sbom_name_index_free(st.by_version);
	cairn_buf_free(&text);
	return err;
}
