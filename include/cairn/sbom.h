/* cairn/sbom.h - a software bill of materials: every package of an image or directory, one model for all.
 *
 * A cairn_sbom holds packages (OS and language alike), the relationships between them, the source it
 * describes and the warnings met on the way. Catalogers fill it in from one pass over the image's file
 * tree (cairn_sbom_catalog); writers turn it into CycloneDX 1.6/1.5 JSON, SPDX 2.3 JSON or a table.
 *
 * Every string in the model is owned by the sbom. Packages are read through the public structs below and
 * changed only through the functions here, so later catalogers (rpm, Python, npm, Go, ...) add packages
 * the same way the dpkg and apk ones do. Output is deterministic: packages are sorted and their IDs are
 * derived from their purl and location, never from the order of discovery. */
#ifndef CAIRN_SBOM_H
#define CAIRN_SBOM_H

#include "cairn/buf.h"
#include "cairn/image.h"

#include <stddef.h>
#include <stdint.h>

/* Limits for package metadata (a hostile image can hold anything). */
#define CAIRN_SBOM_MAX_DB_SIZE ((uint64_t)64 * 1024 * 1024) /* one status/installed database */
#define CAIRN_SBOM_MAX_META_SIZE ((uint64_t)1024 * 1024)    /* one list, md5sums, copyright, os-release */
#define CAIRN_SBOM_MAX_PACKAGES ((size_t)500000)
#define CAIRN_SBOM_MAX_FILES ((size_t)20000000)          /* owned-file records across all packages */
#define CAIRN_SBOM_MAX_WARNINGS ((size_t)1000)

/* A place a package was found: the layer (its diff ID, "sha256:..."; NULL for a directory) and path. */
typedef struct cairn_sbom_location {
	char *layer;
	char *path;
} cairn_sbom_location;

typedef struct cairn_sbom_package {
	char *type;       /* purl type: "deb", "apk", "rpm", "pypi", "npm", "golang", "maven", "cargo", ... */
	char *name;
	char *version;
	char *namespace_; /* purl namespace: "debian", "alpine", "@scope", a Maven group; NULL if none */
	char *arch;       /* for distro packages: "amd64", "x86_64", "all"; NULL if none */
	char *epoch;      /* rpm: the epoch, written as the purl's epoch qualifier; NULL if none */
	char *purl;       /* filled by cairn_sbom_finish from the fields above (unless a cataloger set it) */
	char **cpes;
	size_t cpe_count;
	char **licenses;  /* each a valid SPDX expression (unknown text became a LicenseRef-); ANDed */
	size_t license_count;
	char *supplier;   /* the maintainer or vendor, as written ("Name <mail>") */
	char *source_name;    /* the source package of distro packages (dpkg Source, apk origin) */
	char *source_version;
	cairn_sbom_location *locations;
	size_t location_count;
	char **files;     /* absolute paths the package owns */
	size_t file_count;
	char *id;         /* stable identifier, filled by cairn_sbom_finish: "<purl>...package-id=<hash>" */
	/* private to the model */
	size_t files_cap, locations_cap;
} cairn_sbom_package;

enum cairn_sbom_rel_type {
	CAIRN_SBOM_REL_DEPENDS_ON = 1, /* from depends on to */
	CAIRN_SBOM_REL_CONTAINS,       /* from contains (owns) to: an OS package owning a language package */
};

typedef struct cairn_sbom_relationship {
	size_t from, to; /* package indexes */
	enum cairn_sbom_rel_type type;
} cairn_sbom_relationship;

/* A license cataloger met that is not on the SPDX list: id "LicenseRef-...", the text as found. */
typedef struct cairn_sbom_license_ref {
	char *id;
	char *text;
} cairn_sbom_license_ref;

/* What the SBOM describes. */
typedef struct cairn_sbom_source {
	char *name;            /* "oci-dir:/x:tag", "dir:/rootfs" */
	char *kind;            /* "image" or "directory" */
	char *manifest_digest; /* NULL for a directory */
	char *config_digest;
	char *platform;
	char *distro_id;       /* os-release ID ("debian", "alpine"); NULL when unknown */
	char *distro_version;  /* os-release VERSION_ID */
	char *distro_name;     /* PRETTY_NAME or NAME */
	char *distro_codename; /* VERSION_CODENAME */
} cairn_sbom_source;

typedef struct cairn_sbom cairn_sbom;

int cairn_sbom_new(cairn_sbom **out);
void cairn_sbom_free(cairn_sbom *sbom);

cairn_sbom_source *cairn_sbom_get_source(cairn_sbom *sbom);
const cairn_sbom_source *cairn_sbom_source_of(const cairn_sbom *sbom);

size_t cairn_sbom_package_count(const cairn_sbom *sbom);
cairn_sbom_package *cairn_sbom_package_at(const cairn_sbom *sbom, size_t index);
size_t cairn_sbom_relationship_count(const cairn_sbom *sbom);
const cairn_sbom_relationship *cairn_sbom_relationship_at(const cairn_sbom *sbom, size_t index);
size_t cairn_sbom_license_ref_count(const cairn_sbom *sbom);
const cairn_sbom_license_ref *cairn_sbom_license_ref_at(const cairn_sbom *sbom, size_t index);
size_t cairn_sbom_warning_count(const cairn_sbom *sbom);
const char *cairn_sbom_warning(const cairn_sbom *sbom, size_t index);

/* ---- building (catalogers) ---- */

/* Adds a package of `type` (name and version required); *index receives its index. Package pointers
 * from cairn_sbom_package_at stay valid while more are added (until cairn_sbom_finish sorts them). */
int cairn_sbom_add_package(cairn_sbom *sbom, const char *type, const char *name, const char *version, size_t *index);
/* Replaces a string field of a package (or the source) with a copy of value (NULL clears it). */
int cairn_sbom_set(char **field, const char *value);
int cairn_sbom_add_location(cairn_sbom_package *pkg, const char *layer, const char *path);
int cairn_sbom_add_file(cairn_sbom *sbom, cairn_sbom_package *pkg, const char *path, size_t len);
int cairn_sbom_add_cpe(cairn_sbom_package *pkg, const char *cpe);
/* Adds a license as found in metadata: an SPDX expression is kept (ids in their canonical case);
 * any id not on the SPDX list becomes a LicenseRef- with the original text recorded. dep5: the text
 * is a Debian copyright-format short name ("GPL-2+", "Expat", "BSD-3-clause or Artistic"). */
int cairn_sbom_add_license(cairn_sbom *sbom, cairn_sbom_package *pkg, const char *text, int dep5);
int cairn_sbom_add_relationship(cairn_sbom *sbom, size_t from, size_t to, enum cairn_sbom_rel_type type);
/* Records a warning (printf-style); the SBOM goes on without what it concerns. Capped in number. */
void cairn_sbom_warn(cairn_sbom *sbom, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The canonical SPDX id for a known license id (any case), or NULL: "mit" -> "MIT". */
const char *cairn_sbom_spdx_license_id(const char *id, size_t len);
/* The built-in license ids, for tests (each must be on the SPDX list). */
size_t cairn_sbom_spdx_license_count(void);
const char *cairn_sbom_spdx_license_at(size_t index);

/* Fills purls and stable IDs, sorts packages (by type, name, version, id), remaps and deduplicates
 * relationships. Writers call it; calling it twice is harmless. */
int cairn_sbom_finish(cairn_sbom *sbom);

/* ---- purl (purl.c) ---- */

typedef struct cairn_purl_qualifier {
	const char *key;   /* lowercase */
	const char *value; /* empty values are left out */
} cairn_purl_qualifier;

/* Appends the canonical purl: "pkg:" type "/" namespace "/" name "@" version "?" qualifiers (sorted by
 * key) "#" subpath, each part percent-encoded as the purl spec says, with the type's name rules (pypi
 * lowercases and turns "_" into "-"; deb, apk, npm, github, bitbucket... lowercase as specified).
 * namespace, version and subpath may be NULL. */
int cairn_purl_build(cairn_buf *out, const char *type, const char *namespace_, const char *name, const char *version,
		     const cairn_purl_qualifier *qualifiers, size_t qualifier_count, const char *subpath);

/* ---- cataloging (catalog.c) ---- */

typedef struct cairn_sbom_options {
	const cairn_tree_limits *tree_limits; /* NULL: cairn_tree_limits_default */
	uint64_t max_db_size;                 /* 0: CAIRN_SBOM_MAX_DB_SIZE */
} cairn_sbom_options;

/* Reads the image (or directory) tree once, keeping only the files catalogers need, and catalogs
 * every package. Trouble with one package database is a warning, not a failure; only an unreadable
 * image fails. */
int cairn_sbom_catalog(cairn_sbom **out, cairn_image *image, const cairn_sbom_options *opts);

/* The catalogers, for tests and fuzzing: parse a database's bytes as found at `path` (named in
 * warnings). layer may be NULL. */
int cairn_sbom_parse_os_release(cairn_sbom *sbom, const char *text, size_t len);
int cairn_sbom_parse_dpkg_status(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int cairn_sbom_parse_apk_installed(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);

/* ---- writers ---- */

enum cairn_sbom_format {
	CAIRN_SBOM_CYCLONEDX_16 = 1,
	CAIRN_SBOM_CYCLONEDX_15,
	CAIRN_SBOM_SPDX_23,
	CAIRN_SBOM_TABLE,
};

/* "cyclonedx-json", "cyclonedx-json@1.6", "cyclonedx-json@1.5", "spdx-json", "spdx-json@2.3", "table". */
int cairn_sbom_format_parse(const char *name, enum cairn_sbom_format *out);

/* The time written into documents: SOURCE_DATE_EPOCH when set (deterministic output), else now.
 * *deterministic is 1 when it came from SOURCE_DATE_EPOCH. */
int cairn_sbom_timestamp(int64_t *out, int *deterministic);
/* RFC 3339 UTC: "2024-01-02T03:04:05Z" (the epoch for a time gmtime cannot represent). */
void cairn_sbom_format_time(int64_t t, char out[32]);

int cairn_sbom_write_cyclonedx(cairn_sbom *sbom, int spec_minor, cairn_buf *out);
int cairn_sbom_write_spdx(cairn_sbom *sbom, cairn_buf *out);
int cairn_sbom_write_table(cairn_sbom *sbom, cairn_buf *out);
int cairn_sbom_write(cairn_sbom *sbom, enum cairn_sbom_format format, cairn_buf *out);

/* ---- language catalogers and SBOM readers ---- */

/* npm: a package-lock.json (lockfileVersion 1, 2 or 3) found at path; its install paths are taken
 * relative to path's directory. For tests and fuzzing; cairn_sbom_catalog reads them itself. */
int cairn_sbom_parse_npm_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
/* yarn.lock (v1, or berry's YAML) and pnpm-lock.yaml (lockfile 5.x, 6.x, 9.x), the same way. */
int cairn_sbom_parse_yarn_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int cairn_sbom_parse_pnpm_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);

/* Reads an SBOM another tool wrote (CycloneDX 1.4-1.6 JSON or SPDX 2.3 JSON, told apart by their
 * bomFormat / spdxVersion) into a new model: packages with their purls, licenses and relationships.
 * what names the input in messages. Structure is checked (CAIRN_EINVAL naming what: a component
 * without type or name, a dependency without ref...) and sizes bounded; a purl that does not parse
 * is a warning, and the package stays without it. */
int cairn_sbom_read(cairn_sbom **out, const void *json, size_t len, const char *what);

/* A parsed purl; every string owned by it (cairn_purl_clear). namespace_, version and subpath are NULL
 * when absent; qualifier keys are lowercased. */
typedef struct cairn_purl {
	char *type, *namespace_, *name, *version, *subpath;
	char **keys, **values;
	size_t qualifier_count;
} cairn_purl;

/* Parses "pkg:type/namespace/name@version?qualifiers#subpath" as the purl specification says
 * (percent-decoding each part); CAIRN_EINVAL naming the text when it is no purl. */
int cairn_purl_parse(cairn_purl *out, const char *text);
void cairn_purl_clear(cairn_purl *purl);
/* The value of qualifier key, or NULL. */
const char *cairn_purl_qualifier_get(const cairn_purl *purl, const char *key);

#endif
