/* cairn/cvss.h - CVSS scores computed from vector strings, and severity ratings.
 *
 * Every version is scored from FIRST's specification:
 *   CVSS 2.0  "A Complete Guide to the CVSS Version 2.0", section 3.2.1 (base equation).
 *   CVSS 3.0  specification section 7, with v3.0's Roundup (the smallest one-decimal number >= x).
 *   CVSS 3.1  specification section 7, with v3.1's Roundup (Appendix A: works on x * 100000 rounded
 *             to an integer, so that floating-point noise cannot push a score up by 0.1).
 *   CVSS 4.0  specification section 8: MacroVector (equivalence classes EQ1..EQ6), FIRST's table of
 *             MacroVector scores, and interpolation by severity distance.
 *
 * Which score is reported:
 *   v2 and v3.x: the BASE score. Temporal and environmental metrics are checked (known names, known
 *                values, at most once) but do not change the result.
 *   v4.0:        the score of every metric group present, as the v4.0 specification defines it:
 *                CVSS-B for a base-only vector, CVSS-BT / CVSS-BE / CVSS-BTE when threat (E) and
 *                environmental (CR/IR/AR, MAV..MSA) metrics are given. Supplemental metrics (S, AU,
 *                R, V, RE, U) are checked but never change the score, as the specification says.
 *
 * Parsing is strict: every base metric of the version exactly once, each metric at most once, only
 * the metric names and values the version's specification lists (case-sensitive, as written there),
 * no empty field and no trailing '/'. Metrics may appear in any order. Vectors are at most
 * CAIRN_CVSS_VECTOR_MAX characters of printable ASCII. */
#ifndef CAIRN_CVSS_H
#define CAIRN_CVSS_H

#define CAIRN_CVSS_VECTOR_MAX 512

enum cairn_cvss_version {
	CAIRN_CVSS_V2_0 = 20,
	CAIRN_CVSS_V3_0 = 30,
	CAIRN_CVSS_V3_1 = 31,
	CAIRN_CVSS_V4_0 = 40,
};

/* Ordered from least to most severe, so ratings compare with < and > (as --fail-on needs).
 * UNKNOWN means no rating could be given (no score, or a score outside 0..10). */
enum cairn_severity {
	CAIRN_SEVERITY_UNKNOWN = 0,
	CAIRN_SEVERITY_NONE,
	CAIRN_SEVERITY_LOW,
	CAIRN_SEVERITY_MEDIUM,
	CAIRN_SEVERITY_HIGH,
	CAIRN_SEVERITY_CRITICAL,
};

/* Computes the score of `vector` (see above for which score). The version comes from the prefix:
 * "CVSS:3.0/", "CVSS:3.1/" or "CVSS:4.0/"; a vector without "CVSS:" is CVSS 2.0 ("AV:N/AC:L/Au:N/
 * C:P/I:P/A:P"), optionally wrapped in parentheses as NVD once wrote it ("(AV:N/...)"). Another
 * "CVSS:" version is CAIRN_EUNSUPPORTED; a malformed vector CAIRN_EINVAL; an over-long one
 * CAIRN_ETOOBIG. Each message names the vector and the metric at fault. On success *score is in
 * 0.0..10.0, rounded to one decimal as the version's specification rounds; `version` may be NULL.
 * Nothing is written to the outputs on failure. */
int cairn_cvss_score(const char *vector, double *score, enum cairn_cvss_version *version);

/* The qualitative rating of a score.
 *   v3.0, v3.1, v4.0 (the specifications' own table): 0.0 none, 0.1-3.9 low, 4.0-6.9 medium,
 *                    7.0-8.9 high, 9.0-10.0 critical.
 *   v2.0 (v2 defines no rating; this is NVD's mapping): 0.0-3.9 low, 4.0-6.9 medium, 7.0-10.0 high;
 *                    there is neither "none" nor "critical".
 * Scores are expected rounded to one decimal, as cairn_cvss_score returns them. A score outside
 * 0..10 (or NaN), or an unknown version, is CAIRN_SEVERITY_UNKNOWN. */
enum cairn_severity cairn_cvss_rating(double score, enum cairn_cvss_version version);

/* cairn_cvss_rating as text: "none", "low", "medium", "high", "critical" (or "unknown"). */
const char *cairn_cvss_severity(double score, enum cairn_cvss_version version);

/* "unknown", "none", "low", "medium", "high" or "critical"; never NULL. */
const char *cairn_severity_name(enum cairn_severity severity);

/* "2.0", "3.0", "3.1" or "4.0" ("unknown" for anything else). */
const char *cairn_cvss_version_name(enum cairn_cvss_version version);

/* Reads a rating an advisory gives in words, ignoring case: none, low, medium, high, critical, and
 * the words other sources use for them: "moderate" (GitHub, Red Hat) is medium, "important" (Red
 * Hat) is high, "negligible" (Ubuntu) and "unimportant" (Debian) are low; "unknown" is
 * CAIRN_SEVERITY_UNKNOWN. Anything else (including surrounding spaces) is CAIRN_EINVAL. */
int cairn_severity_parse(const char *text, enum cairn_severity *out);

#endif
