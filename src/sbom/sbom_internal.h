/* sbom_internal.h - what the SBOM module's files share and nothing outside it needs. */
#ifndef CAIRN_SBOM_INTERNAL_H
#define CAIRN_SBOM_INTERNAL_H

#include "cairn/sbom.h"

#include <stddef.h>

/* Grows an array (passed by address) of `size`-byte items so one more fits after `count`. */
int sbom_grow(void *array_ptr, size_t *cap, size_t count, size_t size);
/* Adds a finished SPDX expression to a package's licenses, once. */
int sbom_package_add_expression(cairn_sbom_package *pkg, const char *expr);
/* Appends to out the LicenseRef- id for text, registering it in the sbom with the text. */
int sbom_license_ref(cairn_sbom *sbom, const char *text, size_t len, cairn_buf *out);

/* A 128-bit UUID (version 4 layout) as "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx": from the SHA-256 of
 * seed when seed is not NULL (deterministic), else random. */
int sbom_uuid(const void *seed, size_t seed_len, char out[37]);
/* RFC 3339 UTC "2024-01-02T03:04:05Z". */
void sbom_format_time(int64_t t, char out[32]);

/* Dependency resolution for distro databases: maps names (and provided names) to packages. */
typedef struct sbom_name_index sbom_name_index;
int sbom_name_index_new(sbom_name_index **out);
void sbom_name_index_free(sbom_name_index *index);
/* provided: 0 for a package's own name (preferred), 1 for a name it provides. */
int sbom_name_index_add(sbom_name_index *index, const char *name, size_t len, size_t package, int provided);
/* The package named (or providing) name; returns 0 and sets *package, or -1 when none. */
int sbom_name_index_find(const sbom_name_index *index, const char *name, size_t len, size_t *package);

/* dpkg: several databases (status and the files of status.d) feed one dependency graph, resolved at the end. */
typedef struct sbom_dpkg sbom_dpkg;
int sbom_dpkg_new(sbom_dpkg **out, cairn_sbom *sbom);
void sbom_dpkg_free(sbom_dpkg *dpkg);
/* Parses one status-format file; malformed stanzas become warnings naming path and line. */
int sbom_dpkg_parse(sbom_dpkg *dpkg, const char *text, size_t len, const char *path, const char *layer);
/* Adds owned files from an info/NAME.list (or a .md5sums when list is 0) to the package. */
int sbom_dpkg_add_files(sbom_dpkg *dpkg, size_t package, const char *text, size_t len, int list);
/* Adds the licenses of a machine-readable copyright file (DEP-5); other formats add nothing. */
int sbom_dpkg_add_copyright(sbom_dpkg *dpkg, size_t package, const char *text, size_t len);
/* Resolves Depends and Pre-Depends to installed packages (alternatives: the first installed). */
int sbom_dpkg_resolve(sbom_dpkg *dpkg);
/* The dpkg packages found so far: sbom package indexes. */
size_t sbom_dpkg_count(const sbom_dpkg *dpkg);
size_t sbom_dpkg_package(const sbom_dpkg *dpkg, size_t i);

#endif
