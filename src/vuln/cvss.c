/* CVSS vectors: choosing the version from the prefix, the strict metric parser every version shares,
 * and the qualitative severity ratings. The scoring itself lives in cvss2.c, cvss3.c and cvss4.c. */
#include "cairn/cvss.h"

#include "cairn/error.h"
#include "vuln/cvss_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

double cvss_round1(double x)
{
	/* 1e-6 is far below the 0.05 that separates two outcomes, and far above the error a few
	 * double operations leave, so it only ever decides the exact-half cases. */
	return floor((x + 1e-6) * 10.0 + 0.5) / 10.0;
}

/* ---- the metric parser ---- */

static int find_metric(const struct cvss_scheme *scheme, const char *name, size_t len)
{
	for (size_t i = 0; i < scheme->count; i++)
		if (strlen(scheme->metrics[i].name) == len && memcmp(scheme->metrics[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int find_value(const struct cvss_metric *metric, const char *value, size_t len)
{
	for (int i = 0; metric->values[i] != NULL; i++)
		if (strlen(metric->values[i]) == len && memcmp(metric->values[i], value, len) == 0)
			return i;
	return -1;
}

/* "N, A, L, P": the allowed values, for a message that says what would have been right. */
static void list_values(const struct cvss_metric *metric, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; metric->values[i] != NULL && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%s", i > 0 ? ", " : "", metric->values[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Checks one NAME:VALUE field and records it. */
static int parse_field(const char *vector, const char *field, size_t len, const struct cvss_scheme *scheme,
                       struct cvss_parsed *out)
{
	const char *colon = memchr(field, ':', len);
	if (colon == NULL)
		return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": \"%.*s\" is not METRIC:VALUE", vector,
		                       (int)len, field);
	size_t name_len = (size_t)(colon - field);
	const char *value = colon + 1;
	size_t value_len = len - name_len - 1;
	int m = find_metric(scheme, field, name_len);
	if (m < 0)
		return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": unknown metric \"%.*s\" for CVSS %s", vector,
		                       (int)name_len, field, scheme->version);
	const struct cvss_metric *metric = &scheme->metrics[m];
	if (out->value[m] != CVSS_ABSENT)
		return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": metric %s appears more than once", vector,
		                       metric->name);
	int v = find_value(metric, value, value_len);
	if (v < 0) {
		char allowed[128];
		list_values(metric, allowed, sizeof allowed);
		return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": metric %s has unknown value \"%.*s\" (CVSS %s allows %s)",
		                       vector, metric->name, (int)value_len, value, scheme->version, allowed);
	}
	out->value[m] = v;
	return 0;
}

int cvss_parse(const char *vector, const char *body, size_t len, const struct cvss_scheme *scheme,
               struct cvss_parsed *out)
{
	if (scheme->count > CVSS_METRICS_MAX)
		return cairn_error_set(CAIRN_EINTERNAL, "CVSS %s: metric table too large", scheme->version);
	for (size_t i = 0; i < CVSS_METRICS_MAX; i++)
		out->value[i] = CVSS_ABSENT;
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": no metrics", vector);

	size_t start = 0;
	for (;;) {
		const char *slash = memchr(body + start, '/', len - start);
		size_t end = slash != NULL ? (size_t)(slash - body) : len;
		if (end == start)
			return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": %s", vector,
			                       end == len ? "ends with '/'" : "empty field between '/'");
		int rc = parse_field(vector, body + start, end - start, scheme, out);
		if (rc != 0)
			return rc;
		if (slash == NULL)
			break;
		start = end + 1;
		if (start == len)
			return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": ends with '/'", vector);
	}

	for (size_t i = 0; i < scheme->count; i++)
		if (scheme->metrics[i].mandatory && out->value[i] == CVSS_ABSENT)
			return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": base metric %s is missing", vector,
			                       scheme->metrics[i].name);
	return 0;
}

/* ---- choosing the version ---- */

static bool has_prefix(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* A CVSS 2.0 vector has no prefix; NVD's older feeds wrapped it in parentheses. */
static int score_v2(const char *vector, size_t len, double *score)
{
	if (vector[0] == '(') {
		if (len < 2 || vector[len - 1] != ')')
			return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": '(' without a closing ')'", vector);
		return cvss2_score(vector, vector + 1, len - 2, score);
	}
	return cvss2_score(vector, vector, len, score);
}

int cairn_cvss_score(const char *vector, double *score, enum cairn_cvss_version *version)
{
	if (vector == NULL || score == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_cvss_score: no vector or no place for the score");
	size_t len = strnlen(vector, CAIRN_CVSS_VECTOR_MAX + 1);
	if (len > CAIRN_CVSS_VECTOR_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "CVSS vector \"%.40s...\": longer than %d characters", vector,
		                       CAIRN_CVSS_VECTOR_MAX);
	/* Checked before anything is echoed in a message, so messages stay plain text. */
	for (size_t i = 0; i < len; i++)
		if (vector[i] < 0x21 || vector[i] > 0x7e)
			return cairn_error_set(CAIRN_EINVAL,
			                       "CVSS vector: character %zu is a space, a control character or not ASCII",
			                       i + 1);

	static const size_t prefix_len = 9; /* "CVSS:3.1/" */
	enum cairn_cvss_version found;
	double result;
	int rc;
	if (has_prefix(vector, "CVSS:3.0/")) {
		found = CAIRN_CVSS_V3_0;
		rc = cvss3_score(vector, vector + prefix_len, len - prefix_len, false, &result);
	} else if (has_prefix(vector, "CVSS:3.1/")) {
		found = CAIRN_CVSS_V3_1;
		rc = cvss3_score(vector, vector + prefix_len, len - prefix_len, true, &result);
	} else if (has_prefix(vector, "CVSS:4.0/")) {
		found = CAIRN_CVSS_V4_0;
		rc = cvss4_score(vector, vector + prefix_len, len - prefix_len, &result);
	} else if (has_prefix(vector, "CVSS:")) {
		size_t label = strcspn(vector, "/");
		if (vector[label] == '\0' &&
		    (strcmp(vector, "CVSS:3.0") == 0 || strcmp(vector, "CVSS:3.1") == 0 || strcmp(vector, "CVSS:4.0") == 0))
			return cairn_error_set(CAIRN_EINVAL, "CVSS vector \"%s\": no metrics", vector);
		return cairn_error_set(CAIRN_EUNSUPPORTED,
		                       "CVSS vector \"%s\": unsupported version label \"%.*s\" (cairn reads CVSS:3.0, "
		                       "CVSS:3.1, CVSS:4.0, and CVSS 2.0 vectors without a label)",
		                       vector, (int)label, vector);
	} else if (len == 0) {
		return cairn_error_set(CAIRN_EINVAL, "CVSS vector is empty");
	} else {
		found = CAIRN_CVSS_V2_0;
		rc = score_v2(vector, len, &result);
	}
	if (rc != 0)
		return rc;
	if (!(result >= 0.0 && result <= 10.0)) /* also catches NaN: fail closed on a bug */
		return cairn_error_set(CAIRN_EINTERNAL, "CVSS vector \"%s\": computed score %g is outside 0..10",
		                       vector, result);
	*score = result + 0.0; /* turns -0.0 into 0.0 */
	if (version != NULL)
		*version = found;
	return 0;
}

/* ---- severity ---- */

enum cairn_severity cairn_cvss_rating(double score, enum cairn_cvss_version version)
{
	if (!(score >= 0.0 && score <= 10.0))
		return CAIRN_SEVERITY_UNKNOWN;
	switch (version) {
	case CAIRN_CVSS_V2_0:
		/* NVD's mapping for v2, which defines no rating of its own. */
		if (score < 4.0)
			return CAIRN_SEVERITY_LOW;
		return score < 7.0 ? CAIRN_SEVERITY_MEDIUM : CAIRN_SEVERITY_HIGH;
	case CAIRN_CVSS_V3_0:
	case CAIRN_CVSS_V3_1:
	case CAIRN_CVSS_V4_0:
		if (score == 0.0)
			return CAIRN_SEVERITY_NONE;
		if (score < 4.0)
			return CAIRN_SEVERITY_LOW;
		if (score < 7.0)
			return CAIRN_SEVERITY_MEDIUM;
		return score < 9.0 ? CAIRN_SEVERITY_HIGH : CAIRN_SEVERITY_CRITICAL;
	}
	return CAIRN_SEVERITY_UNKNOWN;
}

const char *cairn_cvss_severity(double score, enum cairn_cvss_version version)
{
	return cairn_severity_name(cairn_cvss_rating(score, version));
}

const char *cairn_severity_name(enum cairn_severity severity)
{
	switch (severity) {
	case CAIRN_SEVERITY_UNKNOWN: return "unknown";
	case CAIRN_SEVERITY_NONE: return "none";
	case CAIRN_SEVERITY_LOW: return "low";
	case CAIRN_SEVERITY_MEDIUM: return "medium";
	case CAIRN_SEVERITY_HIGH: return "high";
	case CAIRN_SEVERITY_CRITICAL: return "critical";
	}
	return "unknown";
}

const char *cairn_cvss_version_name(enum cairn_cvss_version version)
{
	switch (version) {
	case CAIRN_CVSS_V2_0: return "2.0";
	case CAIRN_CVSS_V3_0: return "3.0";
	case CAIRN_CVSS_V3_1: return "3.1";
	case CAIRN_CVSS_V4_0: return "4.0";
	}
	return "unknown";
}

int cairn_severity_parse(const char *text, enum cairn_severity *out)
{
	static const struct {
		const char *word;
		enum cairn_severity severity;
	} words[] = {
		{"none", CAIRN_SEVERITY_NONE},
		{"low", CAIRN_SEVERITY_LOW},
		{"negligible", CAIRN_SEVERITY_LOW},  /* Ubuntu */
		{"unimportant", CAIRN_SEVERITY_LOW}, /* Debian security tracker */
		{"medium", CAIRN_SEVERITY_MEDIUM},
		{"moderate", CAIRN_SEVERITY_MEDIUM}, /* GitHub advisories, Red Hat */
		{"high", CAIRN_SEVERITY_HIGH},
		{"important", CAIRN_SEVERITY_HIGH}, /* Red Hat */
		{"critical", CAIRN_SEVERITY_CRITICAL},
		{"unknown", CAIRN_SEVERITY_UNKNOWN},
	};
	if (text == NULL || out == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_severity_parse: no text or no place for the result");
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strcasecmp(text, words[i].word) == 0) {
			*out = words[i].severity;
			return 0;
		}
	}
	return cairn_error_set(CAIRN_EINVAL,
	                       "severity \"%.64s\": not a known rating (none, low, medium, moderate, high, "
	                       "important, critical)",
	                       text);
}
