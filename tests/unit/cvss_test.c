/* Unit tests of CVSS scoring and severity ratings.
 *
 * The scores are checked against Red Hat's CVSS test vectors in the shared corpus
 * (vulndb/cvss/redhat-cvss/vectors_*), computed by Red Hat's independent Python implementation: every
 * line must give exactly the listed base score (CVSS 4.0: the listed score, which includes threat and
 * environmental metrics). */
#include "cairn/cvss.h"
#include "cairn/error.h"
#include "test_util.h"
#include "vuln/cvss_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the corpus vectors ---- */

/* A line is "VECTOR - (base, temporal, environmental)" (v2, v3) or "VECTOR - score" or
 * "VECTOR - (score,)" (v4). Splits it into the vector and the first score. */
static int split_line(char *line, const char **vector, double *expected)
{
	line[strcspn(line, "\r\n")] = '\0';
	char *sep = strstr(line, " - ");
	if (sep == NULL)
		return -1;
	*sep = '\0';
	*vector = line;
	const char *number = sep + 3;
	if (*number == '(')
		number++;
	char *end;
	*expected = strtod(number, &end);
	return end == number ? -1 : 0;
}

/* Scores every line of one corpus file and fails on the first few mismatches, naming them. Returns
 * the number of lines checked. */
static int check_corpus_file(const char *name, enum cairn_cvss_version want_version)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/vulndb/cvss/redhat-cvss/%s", test_corpus(), name);
	FILE *file = fopen(path, "r");
	cr_assert_not_null(file, "cannot open %s (set CAIRN_CORPUS)", path);
	char line[1024];
	int lines = 0, failures = 0;
	while (fgets(line, sizeof line, file) != NULL) {
		const char *vector;
		double expected;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		cr_assert_eq(split_line(line, &vector, &expected), 0, "%s: malformed line %d", name, lines + 1);
		lines++;
		double score = -1.0;
		enum cairn_cvss_version version = 0;
		int rc = cairn_cvss_score(vector, &score, &version);
		bool ok = rc == 0 && version == want_version && lround(score * 10.0) == lround(expected * 10.0);
		if (!ok && failures++ < 10)
			cr_log_error("%s: %s: expected %.1f, got %.1f (rc %d: %s)", name, vector, expected, score, rc,
			             rc != 0 ? cairn_error_message() : "");
	}
	fclose(file);
	cr_expect_eq(failures, 0, "%s: %d of %d vectors scored wrong", name, failures, lines);
	return lines;
}

Test(cvss2, corpus_base_scores)
{
	cr_assert_eq(check_corpus_file("vectors_simple2", CAIRN_CVSS_V2_0), 729);
	/* These carry temporal and environmental metrics; the base score must ignore them. */
	cr_assert_gt(check_corpus_file("vectors_calculator2", CAIRN_CVSS_V2_0), 0);
	cr_assert_gt(check_corpus_file("vectors_cvsslib2", CAIRN_CVSS_V2_0), 0);
}

Test(cvss3, corpus_v30_base_scores)
{
	cr_assert_eq(check_corpus_file("vectors_simple3", CAIRN_CVSS_V3_0), 2592);
	/* Temporal and environmental metrics, and one vector with its metrics out of order. */
	cr_assert_gt(check_corpus_file("vectors_calculator3", CAIRN_CVSS_V3_0), 0);
	cr_assert_gt(check_corpus_file("vectors_cvsslib3", CAIRN_CVSS_V3_0), 0);
}

Test(cvss3, corpus_v31_base_scores)
{
	cr_assert_eq(check_corpus_file("vectors_simple31", CAIRN_CVSS_V3_1), 2592);
}

Test(cvss4, corpus_scores)
{
	cr_assert_eq(check_corpus_file("vectors_simple4", CAIRN_CVSS_V4_0), 1058);
	cr_assert_eq(check_corpus_file("vectors_threat4", CAIRN_CVSS_V4_0), 6);      /* E changes the score */
	cr_assert_eq(check_corpus_file("vectors_security4", CAIRN_CVSS_V4_0), 54);   /* CR/IR/AR change it */
	cr_assert_eq(check_corpus_file("vectors_supplemental4", CAIRN_CVSS_V4_0), 576); /* these do not */
}

/* ---- examples from the specifications ---- */

static double score_of(const char *vector)
{
	double score = -1.0;
	int rc = cairn_cvss_score(vector, &score, NULL);
	cr_assert_eq(rc, 0, "%s: %s", vector, cairn_error_message());
	return score;
}

#define assert_score(vector, expected) \
	cr_assert_eq(lround(score_of(vector) * 10.0), lround((expected) * 10.0), "%s: got %.1f, want %.1f", \
	             vector, score_of(vector), (double)(expected))

Test(cvss2, guide_examples)
{
	/* "A Complete Guide to CVSS v2", section 3.3: CVE-2002-0392 (Apache chunked encoding) and
	 * CVE-2003-0818 (Microsoft ASN.1), base scores 7.8 and 10.0; and NVD's parenthesised form. */
	assert_score("AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8);
	assert_score("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0);
	assert_score("(AV:N/AC:L/Au:N/C:N/I:N/A:C)", 7.8);
	/* The CVE-2003-0062 example (buffer overflow in NOD32), base score 6.2. */
	assert_score("AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2);
	/* No impact gives 0.0, not -0.0. */
	double score = score_of("AV:N/AC:L/Au:N/C:N/I:N/A:N");
	cr_assert_eq(score, 0.0);
	cr_assert_eq(signbit(score), 0);
}

Test(cvss3, spec_examples_and_versions)
{
	/* CVSS v3.1 examples document: CVE-2014-0160 (Heartbleed) 7.5, CVE-2014-6271 (Shellshock) 9.8. */
	assert_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5);
	assert_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
	assert_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
	enum cairn_cvss_version version;
	double score;
	cr_assert_eq(cairn_cvss_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N", &score, &version), 0);
	cr_assert_eq(version, CAIRN_CVSS_V3_0);
	cr_assert_eq(cairn_cvss_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N", &score, &version), 0);
	cr_assert_eq(version, CAIRN_CVSS_V3_1);
	cr_assert_str_eq(cairn_cvss_version_name(version), "3.1");
	/* Not Defined (X) may be written out for temporal and environmental metrics. */
	assert_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:X/RL:X/RC:X/CR:X/MAV:X/MS:X", 7.5);
}

Test(cvss3, roundup_of_each_version)
{
	/* v3.0 section 7.1 and v3.1 Appendix A: Roundup(4.02) = 4.1 and Roundup(4.00) = 4.0 in both. */
	cr_assert_eq(lround(cvss_roundup_v30(4.02) * 10), 41);
	cr_assert_eq(lround(cvss_roundup_v31(4.02) * 10), 41);
	cr_assert_eq(lround(cvss_roundup_v30(4.0) * 10), 40);
	cr_assert_eq(lround(cvss_roundup_v31(4.0) * 10), 40);
	/* Appendix A's reason for the change: a result that is 4.0 but lands a hair above it in binary
	 * floating point. v3.0's definition, applied as written, gives 4.1; v3.1 gives 4.0. */
	double noisy = 4.000000000000001;
	cr_assert_eq(lround(cvss_roundup_v30(noisy) * 10), 41);
	cr_assert_eq(lround(cvss_roundup_v31(noisy) * 10), 40);
	/* Just above a step is still rounded up by v3.1 when it is more than noise. */
	cr_assert_eq(lround(cvss_roundup_v31(4.00001) * 10), 41);
	cr_assert_eq(lround(cvss_roundup_v31(0.0) * 10), 0);
	cr_assert_eq(lround(cvss_roundup_v31(10.0) * 10), 100);
}

Test(cvss4, spec_examples)
{
	/* Well-known scores, as FIRST's v4.0 calculator gives them. */
	assert_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0);
	assert_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3);
	assert_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9);
	/* No impact on any system is 0.0 whatever the rest says. */
	assert_score("CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0);
}

Test(cvss4, environmental_and_threat_metrics_apply)
{
	/* Severities Red Hat's own test suite (tests/test_cvss4.py, test_severity) expects for full
	 * vectors with modified metrics, written in Red Hat's order (supplemental AU among the base
	 * metrics) - which also shows that order does not matter. */
	static const struct {
		const char *vector;
		const char *severity;
	} cases[] = {
		{"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/AU:N/SA:N/S:P/R:A/V:D/RE:L/U:Red/"
		 "MAV:L/MAC:L/MAT:N/MPR:L/MUI:A/MVC:L/MVI:N/MVA:H/MSC:H/MSI:L/MSA:N/CR:H/IR:L/AR:L/E:P",
		 "low"},
		{"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:P/VC:N/VI:L/VA:L/SC:H/SI:N/AU:Y/SA:N/S:N/R:I/V:C/RE:M/U:Amber/"
		 "MAV:L/MAC:H/MAT:P/MPR:N/MUI:P/MVC:L/MVI:N/MVA:H/MSC:H/MSI:H/MSA:S/CR:M/IR:M/AR:M/E:A",
		 "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:H/SC:H/SI:L/AU:Y/SA:H/S:N/R:U/V:C/RE:M/U:Amber/"
		 "MAV:L/MAC:H/MAT:N/MPR:H/MUI:N/MVC:N/MVI:L/MVA:N/MSC:L/MSI:S/MSA:H/CR:H/IR:M/AR:M/E:A",
		 "medium"},
		{"CVSS:4.0/AV:A/AC:H/AT:N/PR:H/UI:A/VC:H/VI:N/VA:H/SC:L/SI:N/AU:N/SA:H/S:P/R:I/V:D/RE:M/U:Red/"
		 "MAV:N/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:S/CR:H/IR:H/AR:H/E:U",
		 "critical"},
		{"CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:N/VA:H/SC:L/SI:H/AU:N/SA:H/S:P/R:U/V:C/RE:H/U:Red/"
		 "MAV:L/MAC:L/MAT:P/MPR:L/MUI:P/MVC:N/MVI:N/MVA:N/MSC:N/MSI:N/MSA:N/CR:H/IR:H/AR:H/E:P",
		 "none"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double score = score_of(cases[i].vector);
		cr_assert_str_eq(cairn_cvss_severity(score, CAIRN_CVSS_V4_0), cases[i].severity, "%s: score %.1f",
		                 cases[i].vector, score);
	}
	/* Modified metrics that are Not Defined leave the base score alone. */
	assert_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:X/MVC:X/CR:X/E:X", 9.3);
}

/* ---- rejected vectors ---- */

static void assert_rejected(const char *vector, int code, const char *needle)
{
	double score = 42.0;
	enum cairn_cvss_version version = 0;
	cairn_error_clear();
	int rc = cairn_cvss_score(vector, &score, &version);
	cr_assert_eq(rc, code, "%s: expected code %d, got %d (%s)", vector, code, rc, cairn_error_message());
	cr_assert_not_null(strstr(cairn_error_message(), needle), "%s: message \"%s\" does not mention \"%s\"",
	                   vector, cairn_error_message(), needle);
	cr_assert_eq(score, 42.0, "%s: output written on failure", vector);
	cr_assert_eq(version, 0);
}

Test(cvss, rejects_malformed_vectors)
{
	/* missing base metric */
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", CAIRN_EINVAL, "A is missing");
	assert_rejected("AV:N/AC:L/C:P/I:P/A:P", CAIRN_EINVAL, "Au is missing");
	assert_rejected("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", CAIRN_EINVAL, "SA is missing");
	/* duplicate */
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L", CAIRN_EINVAL, "AV appears more than once");
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/E:X", CAIRN_EINVAL, "E appears");
	/* unknown value, unknown metric, wrong case */
	assert_rejected("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "AV has unknown value \"Q\"");
	assert_rejected("CVSS:3.0/AV:N/AC:L/PR:U/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "PR has unknown value");
	assert_rejected("CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "AV has unknown value");
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y", CAIRN_EINVAL, "unknown metric \"XX\"");
	assert_rejected("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X", CAIRN_EINVAL, "E has unknown value \"X\"");
	assert_rejected("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:S/SI:N/SA:N", CAIRN_EINVAL,
	                "SC has unknown value \"S\"");
	assert_rejected("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:clear", CAIRN_EINVAL,
	                "U has unknown value");
	/* a v3 metric in a v4 vector, a v3 vector without its prefix */
	assert_rejected("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/RL:O", CAIRN_EINVAL,
	                "unknown metric \"RL\" for CVSS 4.0");
	assert_rejected("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "unknown metric \"PR\" for CVSS 2.0");
	/* wrong or missing prefix, unsupported version */
	assert_rejected("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EUNSUPPORTED, "CVSS:3.2");
	assert_rejected("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", CAIRN_EUNSUPPORTED, "unsupported");
	assert_rejected("cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "unknown metric");
	assert_rejected("CVSS:3.1", CAIRN_EINVAL, "no metrics");
	assert_rejected("CVSS:4.0", CAIRN_EINVAL, "no metrics");
	assert_rejected("CVSS:3.1AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EUNSUPPORTED, "CVSS:3.1AV:N");
	assert_rejected("CVSS:3.1/", CAIRN_EINVAL, "no metrics");
	/* trailing, leading and doubled slashes; empty; bad fields */
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", CAIRN_EINVAL, "ends with '/'");
	assert_rejected("AV:N/AC:L/Au:N/C:P/I:P/A:P/", CAIRN_EINVAL, "ends with '/'");
	assert_rejected("CVSS:3.1//AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "empty field");
	assert_rejected("AV:N/AC:L//Au:N/C:P/I:P/A:P", CAIRN_EINVAL, "empty field");
	assert_rejected("", CAIRN_EINVAL, "empty");
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A", CAIRN_EINVAL, "\"A\" is not METRIC:VALUE");
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H:H", CAIRN_EINVAL, "A has unknown value \"H:H\"");
	assert_rejected("(AV:N/AC:L/Au:N/C:P/I:P/A:P", CAIRN_EINVAL, "closing");
	assert_rejected("()", CAIRN_EINVAL, "no metrics");
	/* spaces and control characters are never part of a vector */
	assert_rejected(" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CAIRN_EINVAL, "character 1");
	assert_rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n", CAIRN_EINVAL, "character 45");
}

Test(cvss, rejects_overlong_vectors)
{
	char vector[CAIRN_CVSS_VECTOR_MAX + 64];
	strcpy(vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	/* Still valid at exactly the limit would need repeated metrics, so pad with a long bad value. */
	size_t len = strlen(vector);
	memset(vector + len, 'X', sizeof vector - len - 1);
	vector[sizeof vector - 1] = '\0';
	assert_rejected(vector, CAIRN_ETOOBIG, "longer than 512");
	vector[CAIRN_CVSS_VECTOR_MAX] = '\0'; /* at the limit: parsed, and rejected for its content */
	assert_rejected(vector, CAIRN_EINVAL, "has unknown value");
}

Test(cvss, rejects_null_arguments)
{
	double score;
	cr_assert_eq(cairn_cvss_score(NULL, &score, NULL), CAIRN_EINVAL);
	cr_assert_eq(cairn_cvss_score("AV:N/AC:L/Au:N/C:P/I:P/A:P", NULL, NULL), CAIRN_EINVAL);
}

/* ---- severity ---- */

Test(cvss_severity, v3_and_v4_boundaries)
{
	/* The table in section 5 of the v3.1 specification and section 6 of v4.0. */
	static const struct {
		double score;
		const char *name;
	} cases[] = {
		{0.0, "none"},   {0.1, "low"},  {3.9, "low"},      {4.0, "medium"},    {6.9, "medium"},
		{7.0, "high"},   {8.9, "high"}, {9.0, "critical"}, {10.0, "critical"},
	};
	static const enum cairn_cvss_version versions[] = {CAIRN_CVSS_V3_0, CAIRN_CVSS_V3_1, CAIRN_CVSS_V4_0};
	for (size_t v = 0; v < 3; v++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
			cr_assert_str_eq(cairn_cvss_severity(cases[i].score, versions[v]), cases[i].name, "%.1f v%s",
			                 cases[i].score, cairn_cvss_version_name(versions[v]));
}

Test(cvss_severity, v2_uses_nvd_ranges)
{
	cr_assert_str_eq(cairn_cvss_severity(0.0, CAIRN_CVSS_V2_0), "low");
	cr_assert_str_eq(cairn_cvss_severity(3.9, CAIRN_CVSS_V2_0), "low");
	cr_assert_str_eq(cairn_cvss_severity(4.0, CAIRN_CVSS_V2_0), "medium");
	cr_assert_str_eq(cairn_cvss_severity(6.9, CAIRN_CVSS_V2_0), "medium");
	cr_assert_str_eq(cairn_cvss_severity(7.0, CAIRN_CVSS_V2_0), "high");
	cr_assert_str_eq(cairn_cvss_severity(10.0, CAIRN_CVSS_V2_0), "high");
}

Test(cvss_severity, out_of_range_is_unknown)
{
	cr_assert_str_eq(cairn_cvss_severity(-0.1, CAIRN_CVSS_V3_1), "unknown");
	cr_assert_str_eq(cairn_cvss_severity(10.1, CAIRN_CVSS_V3_1), "unknown");
	cr_assert_str_eq(cairn_cvss_severity(NAN, CAIRN_CVSS_V4_0), "unknown");
	cr_assert_str_eq(cairn_cvss_severity(5.0, (enum cairn_cvss_version)99), "unknown");
	cr_assert_eq(cairn_cvss_rating(9.8, CAIRN_CVSS_V3_1), CAIRN_SEVERITY_CRITICAL);
	cr_assert(CAIRN_SEVERITY_LOW < CAIRN_SEVERITY_MEDIUM && CAIRN_SEVERITY_HIGH < CAIRN_SEVERITY_CRITICAL);
}

Test(cvss_severity, parses_advisory_words)
{
	static const struct {
		const char *text;
		enum cairn_severity severity;
	} cases[] = {
		{"none", CAIRN_SEVERITY_NONE},        {"LOW", CAIRN_SEVERITY_LOW},
		{"Medium", CAIRN_SEVERITY_MEDIUM},    {"MODERATE", CAIRN_SEVERITY_MEDIUM},
		{"high", CAIRN_SEVERITY_HIGH},        {"Important", CAIRN_SEVERITY_HIGH},
		{"CRITICAL", CAIRN_SEVERITY_CRITICAL}, {"negligible", CAIRN_SEVERITY_LOW},
		{"unimportant", CAIRN_SEVERITY_LOW},  {"Unknown", CAIRN_SEVERITY_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum cairn_severity got = CAIRN_SEVERITY_NONE;
		cr_assert_eq(cairn_severity_parse(cases[i].text, &got), 0, "%s", cases[i].text);
		cr_assert_eq(got, cases[i].severity, "%s", cases[i].text);
	}
	static const char *const bad[] = {"", "hi", "severe", " high", "high ", "medium-high", "critical!"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum cairn_severity got = CAIRN_SEVERITY_HIGH;
		cr_assert_eq(cairn_severity_parse(bad[i], &got), CAIRN_EINVAL, "\"%s\"", bad[i]);
		cr_assert_eq(got, CAIRN_SEVERITY_HIGH);
		cr_assert_not_null(strstr(cairn_error_message(), "not a known rating"));
	}
	cr_assert_str_eq(cairn_severity_name(CAIRN_SEVERITY_MEDIUM), "medium");
}
