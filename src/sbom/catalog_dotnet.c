/* .NET: the NAME.deps.json a .NET build writes beside an application (and the shared frameworks have).
 *
 * The file (dotnet/runtime docs, "design/features/host-probing" and "DotNetCore.Deps.json" format):
 * "libraries" maps "Name/Version" to {"type": "package" | "project" | "runtimepack" | "reference",
 * "sha512", "path", ...}; "targets" maps each target framework (".NETCoreApp,Version=v8.0", and
 * "…/linux-x64" for a runtime-specific build) to "Name/Version" -> {"dependencies": {"Name":
 * "Version"}, "runtime": {...}}. Packages are the libraries of type "package" (NuGet packages),
 * "runtimepack" (the NuGet runtime pack a self-contained application carries: it matters for
 * vulnerabilities) and "project" (the application itself and the projects it references); "reference"
 * libraries are assemblies referenced by path and no package. Dependencies come from every target
 * and resolve to the library with that name and version. purl: pkg:nuget/Name@Version. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DOTNET_MAX_FILE ((size_t)16 * 1024 * 1024) /* one deps.json */
#define DOTNET_MAX_DEPTH ((size_t)32)              /* its nesting is 5 levels */
#define DOTNET_MAX_LIBRARIES ((size_t)100000)
#define DOTNET_MAX_ID 512                          /* "Name/Version" */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int sbom_dotnet_wants(const char *path, uint64_t size)
{
	return ends_with(path, ".deps.json") && size <= DOTNET_MAX_FILE;
}

/* "Name/Version": a NuGet id (letters, digits, '.', '_', '-') and a version without spaces. Returns
 * the length of the name, or 0 when key is not that. */
static size_t split_id(const char *key)
{
	size_t len = strlen(key);
	const char *slash = strchr(key, '/');
	if (len > DOTNET_MAX_ID || slash == NULL || slash == key || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return 0;
	for (const char *p = key; p < slash; p++)
		if (!isalnum((unsigned char)*p) && strchr("._-", *p) == NULL)
			return 0;
	for (const char *p = slash + 1; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return (size_t)(slash - key);
}

/* NuGet ids and versions compare without case. */
static int id_key(cairn_buf *key, const char *id)
{
	cairn_buf_clear(key);
	int err = 0;
	for (const char *p = id; !err && *p; p++)
		err = cairn_buf_append_byte(key, (uint8_t)tolower((unsigned char)*p));
	return err;
}

static int add_libraries(cairn_sbom *sbom, json_t *libraries, const char *path, const char *layer, sbom_name_index *ids)
{
	const char *id;
	json_t *lib;
	size_t n = 0;
	cairn_buf key = CAIRN_BUF_INIT;
	int err = 0;
	json_object_foreach(libraries, id, lib)
	{
		const char *type = json_string_value(json_object_get(lib, "type"));
		if (err || type == NULL ||
		    (strcmp(type, "package") != 0 && strcmp(type, "project") != 0 && strcmp(type, "runtimepack") != 0))
			continue; /* "reference" and unknown kinds are no packages */
		if (++n > DOTNET_MAX_LIBRARIES) {
			cairn_sbom_warn(sbom, "%s: more than %zu libraries; the rest are left out", path, DOTNET_MAX_LIBRARIES);
			break;
		}
		size_t name_len = split_id(id), index;
		if (name_len == 0) {
			cairn_sbom_warn(sbom, "%s: library '%.100s' is not Name/Version; left out", path, id);
			continue;
		}
		char *name = strndup(id, name_len);
		err = name ? cairn_sbom_add_package(sbom, "nuget", name, id + name_len + 1, &index)
			   : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		free(name);
		if (!err)
			err = cairn_sbom_add_location(cairn_sbom_package_at(sbom, index), layer, path);
		if (!err)
			err = id_key(&key, id);
		if (!err)
			err = sbom_name_index_add(ids, (const char *)key.data, key.len, index, 0);
	}
	cairn_buf_free(&key);
	return err;
}

/* Every target's "Name/Version": {"dependencies": {"Dep": "Version"}} between catalogued libraries. */
static int add_dependencies(cairn_sbom *sbom, json_t *targets, sbom_name_index *ids)
{
	const char *framework, *id;
	json_t *target, *lib;
	cairn_buf key = CAIRN_BUF_INIT;
	int err = 0;
	json_object_foreach(targets, framework, target)
	{
		if (err || !json_is_object(target))
			continue;
		json_object_foreach(target, id, lib)
		{
			json_t *deps = json_object_get(lib, "dependencies");
			size_t from, to;
			if (err || !json_is_object(deps) || strlen(id) > DOTNET_MAX_ID || (err = id_key(&key, id)) != 0 ||
			    sbom_name_index_find(ids, (const char *)key.data, key.len, &from) != 0)
				continue;
			const char *dep;
			json_t *version;
			json_object_foreach(deps, dep, version)
			{
				const char *v = json_string_value(version);
				if (err || v == NULL || strlen(dep) + strlen(v) > DOTNET_MAX_ID)
					continue;
				cairn_buf_clear(&key);
				err = cairn_buf_printf(&key, "%s/%s", dep, v);
				cairn_buf lower = CAIRN_BUF_INIT;
				if (!err)
					err = id_key(&lower, cairn_buf_cstr(&key));
				if (!err && sbom_name_index_find(ids, (const char *)lower.data, lower.len, &to) == 0 && to != from)
					err = cairn_sbom_add_relationship(sbom, from, to, CAIRN_SBOM_REL_DEPENDS_ON);
				cairn_buf_free(&lower);
			}
		}
	}
	cairn_buf_free(&key);
	return err;
}

int sbom_dotnet_parse_deps(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	json_t *doc;
	cairn_json_limits limits = {DOTNET_MAX_FILE, DOTNET_MAX_DEPTH};
	if (cairn_json_parse(&doc, text, len, &limits, path) != 0) {
		cairn_sbom_warn(sbom, "%s; its packages are not listed", cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	json_t *libraries = json_object_get(doc, "libraries"), *targets = json_object_get(doc, "targets");
	sbom_name_index *ids = NULL;
	int err = 0;
	if (!json_is_object(libraries)) {
		cairn_sbom_warn(sbom, "%s: no \"libraries\" object; not a deps.json, its packages are not listed", path);
	} else {
		err = sbom_name_index_new(&ids);
		if (!err)
			err = add_libraries(sbom, libraries, path, layer, ids);
		if (!err && json_is_object(targets))
			err = add_dependencies(sbom, targets, ids);
	}
	sbom_name_index_free(ids);
	json_decref(doc);
	return err;
}

int sbom_dotnet_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if ((e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK) || !ends_with(e->path, ".deps.json"))
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		cairn_buf_clear(&text);
		if (e->size > DOTNET_MAX_FILE) {
			cairn_sbom_warn(sbom, "%s: %llu bytes, over the limit of %zu; its packages are not listed", e->path,
					(unsigned long long)e->size, DOTNET_MAX_FILE);
		} else if (cairn_tree_read(tree, e, DOTNET_MAX_FILE, &text) != 0) {
			cairn_sbom_warn(sbom, "%s: cannot be read (%s); its packages are not listed", e->path, cairn_error_message());
			cairn_error_clear();
		} else {
			err = sbom_dotnet_parse_deps(sbom, (const char *)text.data, text.len, e->path, layer);
		}
	}
	cairn_buf_free(&text);
	return err;
}
