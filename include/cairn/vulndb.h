/* cairn/vulndb.h - the offline advisory database: import, status and matching.
 *
 * One SQLite file holds advisories from every source cairn reads: OSV records in JSON or YAML
 * (files, directories, .zip, .tar.gz and .tar.zst archives), RustSec and HSEC (Markdown with a TOML
 * block), RubySec and FriendsOfPHP YAML, Alpine secdb and the Debian security tracker's JSON. Each
 * source's own version semantics are kept exactly (docs/db.md gives the rules per source).
 *
 * Matching a package is one indexed lookup by (ecosystem, normalised name); the candidate
 * advisories' affected ranges are then evaluated with OSV's algorithm and each ecosystem's version
 * ordering. Advisories that are aliases of each other (CVE, GHSA, PYSEC, ...) are reported once. */
#ifndef CAIRN_VULNDB_H
#define CAIRN_VULNDB_H

#include "cairn/buf.h"
#include "cairn/cvss.h"

#include <stddef.h>

/* The layout of the database file. A file of another version is refused with a message saying to
 * delete it and import again; cairn never migrates it in place. */
#define CAIRN_VULNDB_SCHEMA_VERSION 1

typedef struct cairn_vulndb cairn_vulndb;

enum cairn_vulndb_flags {
	CAIRN_VULNDB_READ = 0,       /* open an existing database for matching and status */
	CAIRN_VULNDB_CREATE = 1 << 0, /* create the file (and its directory) when missing; allow imports */
};

/* The default location: $XDG_CACHE_HOME/cairn/vuln.db, else $HOME/.cache/cairn/vuln.db. */
int cairn_vulndb_default_path(cairn_buf *out);

/* Opens the database at path. CAIRN_ENOENT when it does not exist and CREATE is not given;
 * CAIRN_EUNSUPPORTED when its schema version is not CAIRN_VULNDB_SCHEMA_VERSION (the message says
 * how to rebuild it); CAIRN_EINVAL when the file is not a cairn advisory database. */
int cairn_vulndb_open(cairn_vulndb **out, const char *path, int flags);
void cairn_vulndb_close(cairn_vulndb *db);

#define CAIRN_VULNDB_MAX_SOURCES 32
#define CAIRN_VULNDB_SOURCE_MAX 64

/* Counts of one import, per source ("osv:PyPI", "rustsec", "alpine-secdb", ...). */
typedef struct cairn_vulndb_count {
	char source[CAIRN_VULNDB_SOURCE_MAX];
	size_t imported;  /* advisories stored (a re-imported record replaces its older copy) */
	size_t withdrawn; /* advisories skipped because they are withdrawn (and removed if stored) */
	size_t corrupt;   /* files that could not be read, counted under the source of their PATH */
} cairn_vulndb_count;

typedef struct cairn_vulndb_report {
	cairn_vulndb_count sources[CAIRN_VULNDB_MAX_SOURCES];
	size_t n_sources;
	size_t files;   /* files looked at */
	size_t ignored; /* files that are not advisories (README, LICENSE, ...) */
} cairn_vulndb_report;

typedef struct cairn_vulndb_import_options {
	/* Called for each corrupt advisory file, which is skipped; NULL to ignore. */
	void (*on_corrupt)(void *ctx, const char *file, const char *reason);
	/* Called now and then with the files and advisories seen so far; NULL for none. */
	void (*on_progress)(void *ctx, size_t files, size_t advisories);
	void *ctx;
} cairn_vulndb_import_options;

/* Imports a file, a directory (recursively; names starting with '.' are skipped) or an archive
 * (.zip, .tar, .tar.gz, .tgz, .tar.zst). Everything read from one path is committed in one
 * transaction: when the path cannot be read to its end (a truncated archive, an I/O error) nothing
 * of it is kept, everything imported before stays, and the error is returned. Corrupt advisory
 * files are not errors: each is reported through on_corrupt, counted and skipped. Counts are added
 * to *report (which the caller zeroes first). opts may be NULL. */
int cairn_vulndb_import(cairn_vulndb *db, const char *path, const cairn_vulndb_import_options *opts,
			cairn_vulndb_report *report);
/* The same for one file held in memory; `name` (its path or file name) decides the format. */
int cairn_vulndb_import_memory(cairn_vulndb *db, const char *name, const void *data, size_t len,
			       const cairn_vulndb_import_options *opts, cairn_vulndb_report *report);

/* What the database holds. */
typedef struct cairn_vulndb_source_status {
	char source[CAIRN_VULNDB_SOURCE_MAX];
	size_t advisories;
	char newest[64];      /* the latest "modified" of its records ("" when the source gives none) */
	char imported_at[32]; /* when it was last imported, RFC 3339 UTC */
} cairn_vulndb_source_status;

typedef struct cairn_vulndb_status {
	int schema_version;
	size_t advisories, packages; /* advisories, and (advisory, package) rows */
	cairn_vulndb_source_status sources[CAIRN_VULNDB_MAX_SOURCES];
	size_t n_sources;
} cairn_vulndb_status;

int cairn_vulndb_get_status(cairn_vulndb *db, cairn_vulndb_status *out);

/* One vulnerability affecting the package asked about. */
typedef struct cairn_vuln_finding {
	const char *id;      /* the preferred ID among the aliases (see docs/db.md) */
	const char *aliases; /* the other IDs, sorted, joined by ", " ("" when none) */
	const char *summary;
	const char *fixed; /* the lowest version that fixes it, "" when none is known */
	const char *source;
	enum cairn_severity severity; /* the advisory's own rating, else from its CVSS score */
	double score;                 /* CVSS base score, or -1 when none */
	enum cairn_cvss_version score_version;
} cairn_vuln_finding;

typedef struct cairn_vulndb_findings cairn_vulndb_findings;

/* Finds the advisories affecting version `version` of package `name` in `ecosystem` (OSV spelling:
 * "PyPI", "Go", "crates.io", "Debian:12", "Debian:bookworm", "Alpine:v3.20", "AlmaLinux:9", ...).
 * Distribution packages are looked up by source package name and release; an ecosystem with a
 * release also matches advisories that name no release. Names are normalised as the ecosystem
 * defines (PEP 503 for PyPI, ...). Findings are sorted by ID, one per vulnerability. An invalid
 * version for the ecosystem is CAIRN_EINVAL naming it. */
int cairn_vulndb_match(cairn_vulndb *db, const char *ecosystem, const char *name, const char *version,
		       cairn_vulndb_findings **out);
size_t cairn_vulndb_findings_count(const cairn_vulndb_findings *findings);
const cairn_vuln_finding *cairn_vulndb_findings_get(const cairn_vulndb_findings *findings, size_t i);
void cairn_vulndb_findings_free(cairn_vulndb_findings *findings);

#endif
