/* vuln/cvss_internal.h - what the per-version CVSS scorers share: a table-driven vector parser and
 * the rounding the specifications use. Private to src/vuln. */
#ifndef CAIRN_VULN_CVSS_INTERNAL_H
#define CAIRN_VULN_CVSS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define CVSS_METRICS_MAX 32

/* One metric a version defines: its abbreviation, its allowed values (NULL-terminated, in the order
 * the version's scorer indexes them) and whether a vector must carry it (the base metrics). */
struct cvss_metric {
	const char *name;
	const char *const *values;
	bool mandatory;
};

/* A version's whole metric set, for the parser and its messages. */
struct cvss_scheme {
	const char *version; /* "2.0", "3.1", ... */
	const struct cvss_metric *metrics;
	size_t count; /* at most CVSS_METRICS_MAX */
};

/* The parsed vector: for metric i of the scheme, the index of its value in metrics[i].values, or
 * CVSS_ABSENT when the vector does not name the metric. */
#define CVSS_ABSENT (-1)
struct cvss_parsed {
	int value[CVSS_METRICS_MAX];
};

/* Splits `body` (the vector after its prefix, len bytes) into NAME:VALUE fields separated by '/'
 * and checks each against the scheme: known name, known value, at most once; then that every
 * mandatory metric is there. `vector` is the whole input, used only to name it in messages. */
int cvss_parse(const char *vector, const char *body, size_t len, const struct cvss_scheme *scheme,
               struct cvss_parsed *out);

/* Rounds half away from zero to one decimal (every version's "round to one decimal"). The tiny
 * nudge keeps values that are exactly x.x5 in decimal, but a hair below it in binary, rounding up
 * as the specification's decimal arithmetic would. */
double cvss_round1(double x);

/* CVSS 3.0's and 3.1's Roundup (cvss3.c): the smallest one-decimal number >= x. v3.0 computes it
 * directly in floating point; v3.1 first rounds x to 5 decimals, so binary noise just above a
 * one-decimal value (4.000000000000001) no longer rounds it up. */
double cvss_roundup_v30(double x);
double cvss_roundup_v31(double x);

/* The per-version scorers: parse `body` and compute the score (see cairn/cvss.h for which one). */
int cvss2_score(const char *vector, const char *body, size_t len, double *score);
int cvss3_score(const char *vector, const char *body, size_t len, bool v31, double *score);
int cvss4_score(const char *vector, const char *body, size_t len, double *score);

/* CVSS 4.0 data from FIRST's specification and reference calculator (cvss4_table.c). */
#define CVSS4_NO_MACROVECTOR (-1.0)
/* The score of MacroVector eq1 eq2 eq3 eq4 eq5 eq6, or CVSS4_NO_MACROVECTOR when there is none
 * (eq3 = 2 with eq6 = 0 cannot occur, and indexes past the last level do not exist). */
double cvss4_macrovector_score(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6);

#endif
