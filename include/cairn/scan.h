/* cairn/scan.h - scanning an SBOM against the advisory database, VEX, and the scan reports.
 *
 * A scan maps every package of a cairn_sbom to an OSV ecosystem, name and version (distribution
 * packages through their source package and the release from os-release; language packages by
 * their purl type), matches it with cairn_vulndb_match and keeps each finding with the index of
 * its package. OpenVEX documents (cairn_vex) then mark findings as suppressed: not_affected or
 * fixed statements about that vulnerability and package. Reports write the result as a table, a
 * documented JSON shape, SARIF 2.1.0, a CycloneDX 1.6 BOM with vulnerabilities, or OpenVEX.
 * docs/scan.md gives the rules. */
#ifndef CAIRN_SCAN_H
#define CAIRN_SCAN_H

#include "cairn/buf.h"
#include "cairn/json.h"
#include "cairn/sbom.h"
#include "cairn/vulndb.h"

#include <stddef.h>
#include <stdint.h>

/* ---- OpenVEX (vex.c) ---- */

/* Bounds on untrusted VEX documents. */
#define CAIRN_VEX_MAX_BYTES ((size_t)16 * 1024 * 1024)
#define CAIRN_VEX_MAX_DEPTH 32
#define CAIRN_VEX_MAX_STATEMENTS ((size_t)100000) /* over all documents read into one cairn_vex */
#define CAIRN_VEX_MAX_PRODUCTS 10000              /* products (and subcomponents) of one statement */
#define CAIRN_VEX_MAX_ALIASES 512
#define CAIRN_VEX_MAX_STRING 4096 /* an ID, a purl, a status, a justification */

typedef struct cairn_vex cairn_vex;

/* One statement as read (strings owned by the cairn_vex). */
typedef struct cairn_vex_statement {
	const char *vulnerability; /* its name, else its @id */
	const char *status;        /* "not_affected", "affected", "fixed" or "under_investigation" */
	const char *justification; /* not_affected: the justification ("" when none) */
	const char *impact_statement; /* "" when none */
	const char *document;      /* the `what` of the document it came from */
	int64_t timestamp;         /* the statement's timestamp, else its document's (Unix seconds) */
} cairn_vex_statement;

int cairn_vex_new(cairn_vex **out);
void cairn_vex_free(cairn_vex *vex);
/* Adds the statements of one OpenVEX document (@context https://openvex.dev/ns/v0.2.0, or the
 * older https://openvex.dev/ns[/...]). Structure is checked and sizes bounded; CAIRN_EINVAL or
 * CAIRN_ETOOBIG names `what` and the statement at fault. Nothing of a refused document is kept. */
int cairn_vex_read(cairn_vex *vex, const void *json, size_t len, const char *what);
size_t cairn_vex_statement_count(const cairn_vex *vex);

/* The statement that decides about vulnerability `id` (with `aliases`: IDs joined by ", ", may be
 * "" or NULL) in the package with `purl` (qualifiers and subpath are ignored), inside the image
 * known by `image_ids` (NULL-terminated; NULL when there is no image): the latest by timestamp
 * (of equal ones, the last read) among the matching statements, or NULL. A statement matches when
 * its vulnerability name, @id or one of its aliases is id or one of aliases, and one of its
 * products is the package, or is the image with no subcomponents, or has the package among its
 * subcomponents and is the image (or no image is known). */
const cairn_vex_statement *cairn_vex_find(const cairn_vex *vex, const char *id, const char *aliases,
					  const char *purl, const char *const *image_ids);
/* 1 when a statement's status suppresses a finding (not_affected or fixed), else 0. */
int cairn_vex_suppresses(const cairn_vex_statement *statement);

/* ---- scanning (scan.c) ---- */

/* Where a package is looked up. ecosystem is "" when cairn has no advisories for its kind (then
 * name and version are left empty). */
typedef struct cairn_scan_query {
	cairn_buf ecosystem; /* OSV spelling: "PyPI", "Debian:12", "Alpine:v3.20", "AlmaLinux:9" */
	cairn_buf name;      /* source package for deb and apk; group:artifact for Maven; ... */
	cairn_buf version;
} cairn_scan_query;

void cairn_scan_query_free(cairn_scan_query *q);
/* Fills q for package p of sbom (see docs/scan.md). Returns 0, also when the package has no
 * ecosystem; a distribution package whose release cannot be told is CAIRN_EINVAL with the reason
 * (the scan turns it into a warning). */
int cairn_scan_query_for(const cairn_sbom *sbom, const cairn_sbom_package *p, cairn_scan_query *q);

typedef struct cairn_scan_finding {
	size_t package;        /* index into the scanned sbom's packages */
	const char *ecosystem; /* as looked up ("PyPI", "Debian:12") */
	const char *name;      /* the name looked up (the source package for deb and apk) */
	const char *version;   /* the version looked up */
	cairn_vuln_finding vuln;
	/* Set when a VEX statement decided about this finding (suppressing or not). */
	const cairn_vex_statement *vex;
	int suppressed; /* 1 when that statement is not_affected or fixed */
} cairn_scan_finding;

typedef struct cairn_scan_options {
	int only_fixed;       /* drop findings without a known fixed version */
	const cairn_vex *vex; /* NULL: no VEX */
	const char *sbom_file; /* the SBOM file scanned, for reports' locations; NULL for images */
} cairn_scan_options;

typedef struct cairn_scan_result cairn_scan_result;

/* Scans every package of sbom (finishing it first: purls, IDs, order). A package whose version its
 * ecosystem cannot read, or whose distribution release is unknown, is a warning, not a failure.
 * The result refers to sbom, which must outlive it. Findings are sorted by severity (highest
 * first), then package name, version and index, then ID. opts may be NULL. */
int cairn_scan_run(cairn_scan_result **out, cairn_vulndb *db, cairn_sbom *sbom, const cairn_scan_options *opts);
void cairn_scan_free(cairn_scan_result *result);

size_t cairn_scan_count(const cairn_scan_result *result);
const cairn_scan_finding *cairn_scan_get(const cairn_scan_result *result, size_t i);
size_t cairn_scan_warning_count(const cairn_scan_result *result);
const char *cairn_scan_warning(const cairn_scan_result *result, size_t i);
cairn_sbom *cairn_scan_sbom(const cairn_scan_result *result);
const char *cairn_scan_sbom_file(const cairn_scan_result *result);
/* How many packages were looked up (had an ecosystem and a readable version). */
size_t cairn_scan_packages_matched(const cairn_scan_result *result);
/* The identities of the scanned image for VEX (source name, manifest digest), NULL-terminated. */
const char *const *cairn_scan_image_ids(const cairn_scan_result *result);

/* The number of findings that are not suppressed and whose severity is at least `threshold`
 * (findings of unknown severity never count): what --fail-on checks. */
size_t cairn_scan_count_at_least(const cairn_scan_result *result, enum cairn_severity threshold);
/* "low", "medium", "high", "critical" (any case) into a threshold; anything else CAIRN_EINVAL. */
int cairn_scan_threshold_parse(const char *text, enum cairn_severity *out);

/* ---- reports (report_*.c) ---- */

enum cairn_scan_format {
	CAIRN_SCAN_TABLE = 1,
	CAIRN_SCAN_JSON,
	CAIRN_SCAN_SARIF,
	CAIRN_SCAN_CYCLONEDX,
	CAIRN_SCAN_OPENVEX,
};

/* "table", "json", "sarif", "cyclonedx" (or "cyclonedx-json"), "openvex". */
int cairn_scan_format_parse(const char *name, enum cairn_scan_format *out);

/* Each appends the report to out. Timestamps come from cairn_sbom_timestamp (SOURCE_DATE_EPOCH
 * makes the output byte-for-byte reproducible). */
int cairn_scan_write_table(const cairn_scan_result *result, cairn_buf *out);
int cairn_scan_write_json(const cairn_scan_result *result, cairn_buf *out);
int cairn_scan_write_sarif(const cairn_scan_result *result, cairn_buf *out);
int cairn_scan_write_cyclonedx(const cairn_scan_result *result, cairn_buf *out);
int cairn_scan_write_openvex(const cairn_scan_result *result, cairn_buf *out);
int cairn_scan_write(const cairn_scan_result *result, enum cairn_scan_format format, cairn_buf *out);

/* A helper the reports share: the package's purl without qualifiers and subpath (the form VEX
 * matching compares). Times are written with cairn_sbom_format_time. */
int cairn_scan_purl_base(const char *purl, cairn_buf *out);
/* Appends doc as indented JSON (members in insertion order) and a newline; takes the reference
 * (a NULL doc is an out-of-memory error). */
int cairn_scan_append_json(json_t *doc, cairn_buf *out);

#endif
