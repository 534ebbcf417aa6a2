/* vuln_internal.h - the in-memory advisory model shared by the source readers, the database and
 * the matcher.
 *
 * Every source (OSV JSON and YAML, RustSec, HSEC, RubySec, FriendsOfPHP, Alpine secdb, the Debian
 * tracker) is converted into the same model: one vuln_advisory with its aliases, rating and a list
 * of affected packages. Each affected package carries its matching rules as a small JSON object
 * (the "spec"), stored as is in the database and evaluated by vuln_spec_affects():
 *
 *   {"ranges":   [{"type": "ECOSYSTEM"|"SEMVER", "events": [{"introduced": "1.0"}, ...]}],
 *    "versions": ["1.0", "1.1"],
 *    "reqs":     {"scheme": "cargo"|"gem", "safe": [[">= 1.2.3", "< 1.3"], ["^1.4"]]},
 *    "branches": [[">=2.0.0", "<2.0.9"], ...]}
 *
 * "ranges" and "versions" follow the OSV schema (GIT ranges are dropped at import). "reqs" holds a
 * RustSec or RubySec requirement list: the version is affected when it satisfies none of the
 * "safe" entries (patched or unaffected; each entry is a conjunction). "branches" holds
 * FriendsOfPHP constraints: affected when all constraints of any one branch hold (Composer rules).
 * A package is affected when any of the present members says so. docs/db.md has the exact rules. */
#ifndef CAIRN_VULN_INTERNAL_H
#define CAIRN_VULN_INTERNAL_H

#include "cairn/buf.h"
#include "cairn/cvss.h"
#include "cairn/version.h"

#include "cairn/vulndb.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

/* Bounds on untrusted advisories. */
#define VULN_MAX_FILE ((size_t)256 * 1024 * 1024) /* one advisory file (the Debian tracker is large) */
#define VULN_MAX_DEPTH 64                          /* nesting of YAML, TOML and JSON */
#define VULN_MAX_ID 256                            /* an advisory or alias ID */
#define VULN_MAX_ALIASES 512
#define VULN_MAX_AFFECTED 100000 /* affected packages of one advisory (Alpine and Debian files hold many) */
#define VULN_MAX_EVENTS 4096     /* events of one range */
#define VULN_MAX_NAME 512        /* a package name */

struct vuln_affected {
	char *ecosystem; /* normalised by vuln_ecosystem_normalise: "pypi", "debian:12", "alpine:v3.20" */
	char *name;      /* normalised by vuln_name_normalise */
	json_t *spec;    /* the matching rules, see above */
};

struct vuln_advisory {
	char *id;
	char *source;   /* "osv:PyPI", "rustsec", "alpine-secdb", ... */
	char *record;   /* unique key within the source; re-importing the same record replaces it */
	char *modified; /* RFC 3339 or a date, "" when the source gives none */
	char *summary;
	char **aliases;
	size_t n_aliases;
	int withdrawn;
	enum cairn_severity severity; /* the advisory's own rating, else from the score */
	double score;                 /* the CVSS base score, or -1 when none */
	enum cairn_cvss_version score_version;
	struct vuln_affected *affected;
	size_t n_affected, cap_affected;
};

/* Advisories model (osv.c). */
int vuln_advisory_new(struct vuln_advisory **out);
void vuln_advisory_free(struct vuln_advisory *adv);
int vuln_advisory_set(char **field, const char *value);
int vuln_advisory_add_alias(struct vuln_advisory *adv, const char *alias);
/* Adds an affected package (normalising ecosystem and name); takes the reference to spec. */
int vuln_advisory_add_affected(struct vuln_advisory *adv, const char *ecosystem, const char *name,
			       json_t *spec);

/* Reads an OSV record (already parsed from JSON or YAML) into *out; `what` names it in errors.
 * Unknown fields are ignored, as the OSV schema allows; missing id/modified, or malformed affected
 * entries, are CAIRN_EINVAL. */
int vuln_osv_from_json(const json_t *doc, const char *what, struct vuln_advisory **out);
/* Parses YAML text into the JSON tree it denotes: mappings become objects, sequences arrays, every
 * scalar a string except plain null/~ (null). Aliases and anchors, duplicate keys and non-string
 * keys are refused; depth and size are bounded. */
int vuln_yaml_parse(const void *text, size_t len, const char *what, json_t **out);
/* Parses the TOML subset advisory front blocks use into a JSON tree: tables, dotted and array
 * tables, basic and literal strings, arrays, inline tables; numbers, booleans and dates are kept as
 * their text (strings). */
int vuln_toml_parse(const char *text, size_t len, const char *what, json_t **out);
/* Sets adv's rating from an OSV-style "severity" array (CVSS vectors) and a rating in words. */
void vuln_advisory_rate(struct vuln_advisory *adv, const json_t *severity_array, const char *words);

/* Source readers: each gets one file's bytes and calls `emit` for every advisory it holds. The
 * callback takes ownership of the advisory. A reader returns CAIRN_EINVAL (with the reason) when
 * the file is corrupt; advisories emitted before that stay emitted. */
typedef int (*vuln_emit_fn)(void *ctx, struct vuln_advisory *adv);
int vuln_rustsec_read(const char *what, const char *text, size_t len, vuln_emit_fn emit, void *ctx);
int vuln_rubysec_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx);
int vuln_friendsofphp_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx);
int vuln_alpine_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx);
int vuln_debian_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx);

/* Matching (match.c). */
/* The normalised form of an OSV ecosystem: the base name lowercased ("pypi", "crates.io",
 * "rocky linux"), then ":" and the release when one is given; Debian codenames become release
 * numbers ("Debian:bookworm" -> "debian:12") and Alpine releases get their "v" ("alpine:v3.20"). */
int vuln_ecosystem_normalise(const char *ecosystem, cairn_buf *out);
/* The normalised package name in an ecosystem (PEP 503 for PyPI, lowercase for Packagist and
 * NuGet, as written elsewhere). ecosystem is normalised. */
int vuln_name_normalise(const char *ecosystem, const char *name, cairn_buf *out);
/* 1 when `version` of a package of `ecosystem` (normalised) is affected by spec, 0 when not;
 * negative with the reason when version is invalid in the ecosystem. When affected and fixed is not
 * NULL, the lowest version that fixes it is appended (nothing when none is known). */
int vuln_spec_affects(const char *ecosystem, const json_t *spec, const char *version, int *affected,
		      cairn_buf *fixed);
/* Compares versions by a normalised ecosystem's ordering, including those version.h does not know
 * (Hackage, GHC and CRAN: dotted numbers). */
int vuln_version_compare(const char *ecosystem, const char *a, const char *b, int *out);
/* Cargo requirement matching (the Rust semver crate's VersionReq, including its pre-release rule)
 * and Gem::Requirement matching, over one conjunction of comparators. */
int vuln_cargo_req_matches(const char *req, const char *version, int *out);
int vuln_gem_req_matches(const char *req, const char *version, int *out);
/* Orders advisory IDs by how specific their source is, for picking one ID among aliases: the
 * lower the rank the more preferred (see docs/db.md). */
int vuln_id_rank(const char *id);

/* The database (db.c). */
struct cairn_vulndb {
	sqlite3 *sql;
	char *path;
	int writable;
	sqlite3_stmt *find_record, *delete_affected, *delete_advisory, *insert_advisory, *insert_affected,
		*touch_source, *lookup;
};

/* Transactions: one per imported path. */
int vuln_db_begin(cairn_vulndb *db);
int vuln_db_commit(cairn_vulndb *db);
void vuln_db_rollback(cairn_vulndb *db);
/* Stores an advisory, replacing the record of the same source and key. */
int vuln_db_store(cairn_vulndb *db, const struct vuln_advisory *adv);
/* Removes the record of that source and key, if stored (a withdrawn advisory stays out). */
int vuln_db_remove(cairn_vulndb *db, const char *source, const char *record);
/* Notes that a source was imported now. */
int vuln_db_touch_source(cairn_vulndb *db, const char *source);
/* A SQLite failure as a cairn error naming the database and what was being done. */
int vuln_db_error(cairn_vulndb *db, const char *doing);

#endif
