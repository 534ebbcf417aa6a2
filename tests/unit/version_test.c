/* Unit tests of version ordering, against independent expectations: the version-ordering corpus
 * (pairs answered by each ecosystem's own tool), the peer fixtures (osv-scalibr's and apk-tools'
 * test data), and the ordering laws every comparison must keep.
 *
 * Every line must agree. Where a peer fixture is wrong about the real tool, or where its lines
 * contradict each other, the line is listed below by content with the answer cairn must give and
 * why; where it holds a version the real tool rejects, that version is listed and must be rejected. */
#include "cairn/error.h"
#include "cairn/version.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 8

struct tally {
	int lines, agree;
	char shown[SHOW_MAX][512];
	int nshown;
};

/* Keeps the first few disagreements to print. */
#define NOTE(t, ...)                                                                             \
	do {                                                                                     \
		if ((t)->nshown < SHOW_MAX)                                                      \
			snprintf((t)->shown[(t)->nshown++], sizeof (t)->shown[0], __VA_ARGS__);  \
	} while (0)

/* A fixture line answered differently by the real tool (or by every consistent ordering). */
struct override {
	const char *a, *b;
	int want; /* what cairn answers, and the real tool with it */
};

static char *chomp(char *line)
{
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static FILE *open_corpus(const char *rel, char *path, size_t size)
{
	snprintf(path, size, "%s/versions/%s", test_corpus(), rel);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		cr_assert_fail("cannot open %s: the version corpus is missing (set CAIRN_CORPUS to the shared "
			 "corpus directory)",
			 path);
	return f;
}

static int listed(const char *const *list, const char *v)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

/* Checks one pair; `want` is -1, 0 or 1. A pair holding a version of `rejects` must be refused with a
 * message naming that version; any other pair must be compared and agree. */
static void check_pair(struct tally *t, const char *eco, const char *a, const char *b, int want,
		       const char *const *rejects)
{
	int got = 0;
	t->lines++;
	int err = cairn_version_compare(eco, a, b, &got);
	const char *bad = listed(rejects, a) ? a : listed(rejects, b) ? b : NULL;
	if (bad != NULL) {
		if (err == CAIRN_EINVAL && strstr(cairn_error_message(), bad) != NULL)
			t->agree++;
		else
			NOTE(t, "'%.150s' vs '%.150s': '%.150s' should be rejected (got %d, %d)", a, b, bad, err, got);
		return;
	}
	if (err != 0)
		NOTE(t, "'%.150s' vs '%.150s': want %d, error: %.150s", a, b, want, cairn_error_message());
	else if (got == want)
		t->agree++;
	else
		NOTE(t, "'%.200s' vs '%.200s': want %d, got %d", a, b, want, got);
}

static void report(const char *what, const struct tally *t)
{
	int ok = t->lines > 0 && t->agree == t->lines;
	if (!ok) {
		fprintf(stderr, "%s: %d of %d lines agree; first differences:\n", what, t->agree, t->lines);
		for (int i = 0; i < t->nshown; i++)
			fprintf(stderr, "  %s\n", t->shown[i]);
	}
	cr_expect(ok, "%s: %d of %d lines agree", what, t->agree, t->lines);
}

static void check_tsv(const char *file, const char *eco)
{
	char path[4096], line[4096];
	FILE *f = open_corpus(file, path, sizeof path);
	struct tally t = {0};
	while (fgets(line, sizeof line, f)) {
		chomp(line);
		char *a = line, *b = strchr(a, '\t');
		if (b == NULL)
			continue;
		*b++ = '\0';
		char *c = strchr(b, '\t');
		cr_assert_not_null(c, "%s: malformed line", path);
		*c++ = '\0';
		check_pair(&t, eco, a, b, atoi(c), NULL);
	}
	fclose(f);
	report(file, &t);
}

Test(version_corpus, deb) { check_tsv("deb.tsv", "Debian"); }
Test(version_corpus, rpm) { check_tsv("rpm.tsv", "Red Hat"); }
Test(version_corpus, alpine) { check_tsv("alpine.tsv", "Alpine"); }
Test(version_corpus, pypi) { check_tsv("pypi.tsv", "PyPI"); }
Test(version_corpus, npm) { check_tsv("npm.tsv", "npm"); }
Test(version_corpus, go) { check_tsv("go.tsv", "Go"); }
Test(version_corpus, maven) { check_tsv("maven.tsv", "Maven"); }
Test(version_corpus, rubygems) { check_tsv("rubygems.tsv", "RubyGems"); }

/* osv-scalibr fixtures: "A < B", "A = B", "A > B"; blank lines and '#' or '//' comments. Each
 * override must match exactly one line and each listed rejected version must occur. */
static void check_peer(const char *file, const char *eco, const char *const *rejects,
		       const struct override *overrides, size_t noverrides)
{
	char path[4096], line[4096];
	FILE *f = open_corpus(file, path, sizeof path);
	struct tally t = {0};
	int used[64] = {0};
	cr_assert(noverrides <= sizeof used / sizeof used[0]);
	while (fgets(line, sizeof line, f)) {
		chomp(line);
		if (line[0] == '\0' || line[0] == '#' || strncmp(line, "//", 2) == 0)
			continue;
		char a[2048], op[8], b[2048];
		if (sscanf(line, "%2047s %7s %2047s", a, op, b) != 3)
			cr_assert_fail("%s: cannot read line '%s'", path, line);
		int want = strcmp(op, "<") == 0 ? -1 : strcmp(op, ">") == 0 ? 1 : 0;
		cr_assert(want != 0 || strcmp(op, "=") == 0, "%s: unknown operator in '%s'", path, line);
		for (size_t i = 0; i < noverrides; i++)
			if (strcmp(overrides[i].a, a) == 0 && strcmp(overrides[i].b, b) == 0) {
				want = overrides[i].want;
				used[i]++;
			}
		check_pair(&t, eco, a, b, want, rejects);
	}
	fclose(f);
	for (size_t i = 0; i < noverrides; i++)
		cr_expect_eq(used[i], 1, "%s: the listed line '%s' '%s' occurs %d times (expected once)", file,
			     overrides[i].a, overrides[i].b, used[i]);
	report(file, &t);
}

/* Checks that every version in a NULL-terminated list is in the fixture (so the list stays honest)
 * and is rejected by cairn on its own. */
static void expect_rejected_all(const char *file, const char *eco, const char *const *rejects)
{
	char path[4096];
	FILE *f = open_corpus(file, path, sizeof path);
	size_t size = 1 << 20;
	char *text = malloc(size);
	cr_assert_not_null(text);
	size_t n = fread(text, 1, size - 1, f);
	text[n] = '\0';
	cr_assert(feof(f), "%s: larger than this check reads", path);
	fclose(f);
	for (size_t i = 0; rejects[i] != NULL; i++) {
		cr_expect(strstr(text, rejects[i]) != NULL, "%s: '%s' is not in the fixture", file, rejects[i]);
		cr_expect_eq(cairn_version_validate(eco, rejects[i]), CAIRN_EINVAL, "%s: '%s' should be invalid",
			     eco, rejects[i]);
	}
	free(text);
}

#define N(list) (sizeof(list) / sizeof((list)[0]))

/* alpine-versions.txt is partly hand-written and no apk-tools orders all of it: these four lines
 * contradict others of the same file under apk-tools 2 and 3 alike (see src/vuln/version_apk.c).
 *  - "0.r1" / "0.8.21.r2": apk-tools 2 reads an empty ".r" group as 0 followed by the letter, so
 *    "0.r1" > "0r2" (apk-tools 3 calls "0.r1" invalid, but it calls "0..1..0" invalid too, which the
 *    same file orders as apk-tools 2 does: "0..1..0 < 0..1..1").
 *  - "1-ruff": apk-tools 2 reads "-r" without digits as -r0 (the file relies on that in "1-r = 1-r0"
 *    and "1-r0-1 = 1-r-2"), so "1-ruff" goes on past "1" and is higher; apk-tools 3 says lower.
 *  - "1-ruff2" vs "1--ruff1": "1-ruff2" is -r0 and then unreadable, "1--ruff1" unreadable at once,
 *    and an unreadable version is the lower one (apk-tools 3's rule). apk-tools 2 answers -1 and
 *    apk-tools 3 answers 0 (it reads both as unreadable right after "1"). */
static const struct override alpine_overrides[] = {
	{"0.r1", "0r2", 1},
	{"0.8.21.r2", "0.8.21r2", 1},
	{"1", "1-ruff", -1},
	{"1-ruff2", "1--ruff1", 1},
};

Test(version_peer, alpine)
{
	check_peer("peer-fixtures/osv-scalibr/alpine-versions.txt", "Alpine", NULL, alpine_overrides,
		   N(alpine_overrides));
	check_peer("peer-fixtures/osv-scalibr/alpine-versions-generated.txt", "Alpine", NULL, NULL, 0);
}
Test(version_peer, debian)
{
	check_peer("peer-fixtures/osv-scalibr/debian-versions.txt", "Debian", NULL, NULL, 0);
	check_peer("peer-fixtures/osv-scalibr/debian-versions-generated.txt", "Debian", NULL, NULL, 0);
}

/* Lines where osv-scalibr's Maven fixtures disagree with Maven 3.8.7 itself; each answer is what
 *   java -cp /usr/share/java/maven3-artifact.jar org.apache.maven.artifact.versioning.ComparableVersion A B
 * prints (libmaven3-core-java 3.8.7, the maven.tsv oracle). "1-1" > "1-ga-1": 1-ga-1 is [1, [[1]]],
 * and a nested list is below a number. The others follow 3.8.7's ".X1 reads as -X1" rule ("2.9.0.RC1"
 * is [2, 9, [rc, [1]]], below "2.9.0-1" = [2, 9, [1]]) and its ordering of unknown qualifiers after
 * "sp" ("1.1.31.sec10" > "1.1.31_noneautotype"). */
static const struct override maven_overrides[] = {
	{"1-1", "1-ga-1", 1},
	{"1.0.0-RC16", "1.0.0.RC8-beta", 1},
	{"1.0.0-gradle-rework-beta3", "1.0.0.RC7-3", 1},
	{"2.9.0-1", "2.9.0.RC1", 1},
	{"6.1.12.rc5", "6.1.12rc1", 1},
	{"1.1.31.sec10", "1.1.31_noneautotype", 1},
	{"1.1.34.sec10", "1.1.34_noneautotype", 1},
	{"1.1.46.sec10", "1.1.46_noneautotype", 1},
	{"1.2.8.sec10_noneautotype", "1.2.8_noneautotype", 1},
	{"1.2.31.sec10", "1.2.31_noneautotype", 1},
	{"1.2.48.sec10", "1.2.48_noneautotype", 1},
	{"1.2.50.sec10", "1.2.50_noneautotype", 1},
	{"1.2.54.sec10", "1.2.54_noneautotype", 1},
	{"1.2.57.sec10", "1.2.57_noneautotype", 1},
	{"1.2.60.sec10", "1.2.60_noneautotype", 1},
	{"1.2.67.sec10", "1.2.67_noneautotype", 1},
	{"1.0.0rc0", "1.0.beta8", 1},
	{"1.5.9.RC1", "1.5.9-RC0", 1},
	{"1.1.0-01-glassfish", "1.1.0.Beta1", 1},
};

Test(version_peer, maven)
{
	check_peer("peer-fixtures/osv-scalibr/maven-versions.txt", "Maven", NULL, maven_overrides, 1);
	check_peer("peer-fixtures/osv-scalibr/maven-versions-generated.txt", "Maven", NULL, maven_overrides + 1,
		   N(maven_overrides) - 1);
}

/* NuGetVersion holds each number in an Int32, so NuGet itself rejects these. */
static const char *const nuget_rejects[] = {
	"999999999999999999999999999991",
	"999999999999999999999999999991.999999999999999999999999999991.999999999999999999999999999991",
	NULL,
};
Test(version_peer, nuget)
{
	check_peer("peer-fixtures/osv-scalibr/nuget-versions.txt", "NuGet", nuget_rejects, NULL, 0);
	expect_rejected_all("peer-fixtures/osv-scalibr/nuget-versions.txt", "NuGet", nuget_rejects);
}
Test(version_peer, packagist)
{
	check_peer("peer-fixtures/osv-scalibr/packagist-versions.txt", "Packagist", NULL, NULL, 0);
	check_peer("peer-fixtures/osv-scalibr/packagist-versions-generated.txt", "Packagist", NULL, NULL, 0);
}

/* Every version of the PyPI fixtures that packaging 23.0's Version() refuses with InvalidVersion
 * (python3-packaging; checked one by one): legacy, non-PEP 440 versions. */
static const char *const pypi_rejects[] = {
	"-class.-jw.util.version.version-dev", "-class.-jw.util.version.version-pre",
	"-class.-jw.util.version.version-preview", "-class.-jw.util.version.Version-",
	"0.1-bulbasaur", "0.1-charmander", "0.9-doduo", "0.9-eevee", "0.9-fearow", "0.9-gyarados",
	"0.9-horsea", "0.9-ivysaur", "0.0.1-test1", "0.3.1-p1", "0.4.0-p1",
	"0.3m1", "0.3m2", "0.3m3", "0.3m4", "0.3m5", "0.4m1", "0.4m2", "0.4m3", "0.4m4", "0.4m5",
	"0.5m1", "0.5m2", "0.5m3", "0.5m4", "0.5m5", "0.6m1", "0.6m2", "0.6m3", "0.6m4", "0.6m5", "0.6m6",
	"0.7.1.fix1", "0.7.4.svn.r2010", "0.7.10p1", "0.7.11p1", "0.7.11p2", "0.7.11p3", "0.8.1p1",
	"0.8.3p1", "0.8.4p1", "0.8.4p2", "0.8.6p1", "0.8.7p1", "1.0beta6.1", "1.3.1-STAGING",
	"2.0.0-final", "2.0.1rc2-git", "4.11-final", "5.0-final", "a3", "trunk",
	"2013-01-21T20:33:09+0100", "2013-01-23T17:11:52+0100", "2013-02-01T20:50:46+0100",
	"2013-02-02T19:59:03+0100", "2013-02-02T20:23:17+0100", "2013-02-08T17:40:57+0000",
	"2013-03-27T16:32:26+0100", "2013-05-09T12:47:53+0200", "2013-05-10T17:55:56+0200",
	"2013-05-14T20:16:05+0200", "2013-06-01T10:32:51+0200", "2013-07-19T09:11:08+0000",
	"2013-08-12T21:48:56+0200", "2013-09-11T19-27-10", "2013-12-23T17-51-15", "2014-01-12T15-52-10",
	NULL,
};
Test(version_peer, pypi)
{
	check_peer("peer-fixtures/osv-scalibr/pypi-versions.txt", "PyPI", pypi_rejects, NULL, 0);
	check_peer("peer-fixtures/osv-scalibr/pypi-versions-generated.txt", "PyPI", pypi_rejects, NULL, 0);
	expect_rejected_all("peer-fixtures/osv-scalibr/pypi-versions-generated.txt", "PyPI", pypi_rejects + 3);
}
Test(version_peer, redhat) { check_peer("peer-fixtures/osv-scalibr/redhat-versions.txt", "Red Hat", NULL, NULL, 0); }

/* Gem::Version.new raises "Malformed version number string" for these (ruby 3.1, rubygems 3.3.15):
 * a letter may not follow a digit without a '.' or '-'. */
static const char *const rubygems_rejects[] = {"1beta", "1gamma", NULL};
Test(version_peer, rubygems)
{
	check_peer("peer-fixtures/osv-scalibr/rubygems-versions.txt", "RubyGems", rubygems_rejects, NULL, 0);
	check_peer("peer-fixtures/osv-scalibr/rubygems-versions-generated.txt", "RubyGems", NULL, NULL, 0);
	expect_rejected_all("peer-fixtures/osv-scalibr/rubygems-versions.txt", "RubyGems", rubygems_rejects);
}

/* SemVer 2.0.0 has exactly three numbers before a pre-release or build part. */
static const char *const semver_rejects[] = {"1.1.3.4.5", NULL};
Test(version_peer, semver)
{
	check_peer("peer-fixtures/osv-scalibr/semver-versions.txt", "SemVer", semver_rejects, NULL, 0);
	expect_rejected_all("peer-fixtures/osv-scalibr/semver-versions.txt", "SemVer", semver_rejects);
}

/* apk-tools' version.data: "A op B" (op may be negated with '!'), "V" (valid) or "!V" (invalid),
 * '#' comments. The fuzzy operators (~, <~, >~) are prefix matches, not orderings: skipped. Every
 * ordering line and every validity line must hold. */
Test(version_peer, apk_tools)
{
	char path[4096], line[4096];
	FILE *f = open_corpus("peer-fixtures/apk-tools/version.data", path, sizeof path);
	struct tally t = {0};
	int validity = 0, validity_ok = 0;
	while (fgets(line, sizeof line, f)) {
		chomp(line);
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char a[2048], op[8], b[2048];
		int n = sscanf(line, "%2047s %7s %2047s", a, op, b);
		if (n == 1) {
			int want_valid = a[0] != '!';
			int valid = cairn_version_validate("Alpine", want_valid ? a : a + 1) == 0;
			validity++;
			if (valid == want_valid)
				validity_ok++;
			else
				NOTE(&t, "validity of '%.200s': want %d, got %d", a, want_valid, valid);
			continue;
		}
		if (n != 3)
			continue;
		int negate = op[0] == '!';
		const char *o = op + negate;
		if (strchr(o, '~'))
			continue;
		int got;
		cr_assert_eq(cairn_version_compare("Alpine", a, b, &got), 0, "%s", cairn_error_message());
		int holds = (got < 0 && strchr(o, '<')) || (got > 0 && strchr(o, '>')) || (got == 0 && strchr(o, '='));
		t.lines++;
		if (holds != negate)
			t.agree++;
		else
			NOTE(&t, "'%.200s' %s '%.200s' does not hold: got %d", a, op, b, got);
	}
	fclose(f);
	cr_expect(validity > 20 && validity == validity_ok, "validity lines: %d of %d agree", validity_ok, validity);
	report("apk-tools/version.data", &t);
}

/* Every ecosystem: compare(a, a) is 0 and compare(a, b) == -compare(b, a) over a mixed sample. */
Test(version_laws, reflexive_and_antisymmetric)
{
	static const char *const samples[] = {
		"1", "1.0", "1.0.0", "v1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.11", "1.0.0+build",
		"1.0a1", "1.0.post1", "1.0.dev1", "2:1.0-1", "1.0~rc1-1", "1.0^git1", "1.0_p1-r1", "1.0-SNAPSHOT",
		"1.0-sp1", "1.0.a.10", "1.0.0.1-beta", "1.0pl1", "0", "99999999999999999999.1", "1.2.3-01",
		"1..2", "", "a", "1.0-rc.1+x", "v1.2", "1.2.3.4.5", "20240101", "1.0.0-0.3.7", "1.0-r-1",
	};
	size_t n = sizeof samples / sizeof samples[0];
	for (int eco = 1; eco < CAIRN_ECOSYSTEM_COUNT; eco++) {
		for (size_t i = 0; i < n; i++) {
			int self;
			if (cairn_version_compare_eco((enum cairn_ecosystem)eco, samples[i], samples[i], &self) != 0)
				continue;
			cr_expect_eq(self, 0, "%s: '%s' vs itself gave %d", cairn_ecosystem_name(eco), samples[i], self);
			for (size_t j = 0; j < n; j++) {
				int ab, ba;
				if (cairn_version_compare_eco((enum cairn_ecosystem)eco, samples[i], samples[j], &ab) != 0 ||
				    cairn_version_compare_eco((enum cairn_ecosystem)eco, samples[j], samples[i], &ba) != 0)
					continue;
				cr_expect_eq(ab, -ba, "%s: '%s' vs '%s' gave %d, reversed %d", cairn_ecosystem_name(eco),
					     samples[i], samples[j], ab, ba);
			}
		}
	}
}

/* Invalid versions are rejected with a message naming the ecosystem, the version and the reason. */
static void expect_invalid(const char *eco, const char *v, const char *reason)
{
	int r;
	int err = cairn_version_compare(eco, v, v, &r);
	cr_expect_eq(err, CAIRN_EINVAL, "%s: '%s' should be invalid (got %d)", eco, v, err);
	const char *msg = cairn_error_message();
	cr_expect(strstr(msg, v) != NULL && strstr(msg, reason) != NULL,
		  "%s: message for '%s' should name it and say '%s': %s", eco, v, reason, msg);
	cr_expect_neq(cairn_version_validate(eco, v), 0, "%s: validate accepted '%s'", eco, v);
}

Test(version_invalid, rejected_with_reason)
{
	expect_invalid("Debian", "1.0-", "revision number is empty");
	expect_invalid("Debian", "x:1.0", "epoch");
	expect_invalid("Debian", "1.0_1", "invalid character");
	expect_invalid("PyPI", "1.0-", "not a PEP 440 version");
	expect_invalid("PyPI", "french toast", "release number");
	expect_invalid("PyPI", "1.0+", "local version");
	expect_invalid("npm", "1.2", "MAJOR.MINOR.PATCH");
	expect_invalid("npm", "01.2.3", "leading zero");
	expect_invalid("npm", "9007199254740992.0.0", "2^53");
	expect_invalid("Go", "1.2.3", "starts with 'v'");
	expect_invalid("Go", "v1.2-pre", "shortened");
	expect_invalid("Go", "v1.2.3-01", "leading zero");
	expect_invalid("crates.io", "v1.2.3", "MAJOR.MINOR.PATCH");
	expect_invalid("crates.io", "18446744073709551616.0.0", "2^64");
	expect_invalid("SemVer", "1.2.3-", "empty");
	expect_invalid("RubyGems", "1.0 beta", "Malformed");
	expect_invalid("RubyGems", "junk", "digit");
	expect_invalid("NuGet", "1.2.3.4.5", "four");
	expect_invalid("NuGet", "1.0-be_ta", "release label");
	expect_invalid("Packagist", "1.0 beta", "whitespace");
	cr_expect_eq(cairn_version_validate("Alpine", "1.0bc"), CAIRN_EINVAL);
	cr_expect_eq(cairn_version_validate("Alpine", "1.0_p1-r2"), 0);
	cr_expect_eq(cairn_version_validate("rpm", "anything goes"), 0);
	cr_expect_eq(cairn_version_validate("Maven", "anything-goes"), 0);
}

Test(version_names, osv_names_aliases_and_unknown)
{
	enum cairn_ecosystem e;
	static const struct {
		const char *name;
		enum cairn_ecosystem want;
	} cases[] = {
		{"Debian:12", CAIRN_ECOSYSTEM_DEBIAN}, {"ubuntu:22.04:LTS", CAIRN_ECOSYSTEM_DEBIAN},
		{"Rocky Linux:9", CAIRN_ECOSYSTEM_RPM}, {"Red Hat", CAIRN_ECOSYSTEM_RPM},
		{"AlmaLinux:8", CAIRN_ECOSYSTEM_RPM},   {"openSUSE:Leap 15.5", CAIRN_ECOSYSTEM_RPM},
		{"Alpine:v3.19", CAIRN_ECOSYSTEM_ALPINE}, {"PYPI", CAIRN_ECOSYSTEM_PYPI},
		{"python", CAIRN_ECOSYSTEM_PYPI},       {"golang", CAIRN_ECOSYSTEM_GO},
		{"crates.io", CAIRN_ECOSYSTEM_CRATES},  {"cargo", CAIRN_ECOSYSTEM_CRATES},
		{"gem", CAIRN_ECOSYSTEM_RUBYGEMS},      {"composer", CAIRN_ECOSYSTEM_PACKAGIST},
		{"NuGet", CAIRN_ECOSYSTEM_NUGET},       {"Hex", CAIRN_ECOSYSTEM_SEMVER},
		{"deb", CAIRN_ECOSYSTEM_DEBIAN},        {"apk", CAIRN_ECOSYSTEM_ALPINE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_expect_eq(cairn_ecosystem_parse(cases[i].name, &e), 0, "%s", cases[i].name);
		cr_expect_eq(e, cases[i].want, "%s", cases[i].name);
	}
	int r;
	cr_expect_eq(cairn_version_compare("Nonesuch", "1", "2", &r), CAIRN_EUNSUPPORTED);
	cr_expect(strstr(cairn_error_message(), "Nonesuch") && strstr(cairn_error_message(), "PyPI"),
		  "message should name the ecosystem and list known ones: %s", cairn_error_message());
	char big[CAIRN_VERSION_MAX + 2];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	cr_expect_eq(cairn_version_compare("Debian", big, "1", &r), CAIRN_ETOOBIG);
}

/* A few spec examples, written out, so a regression names the rule it broke. */
Test(version_spec, examples)
{
	static const struct {
		const char *eco, *a, *b;
		int want;
	} cases[] = {
		{"Debian", "1.0~rc1", "1.0", -1}, {"Debian", "1:0.9", "2.0", 1}, {"Debian", "1.0a", "1.0+", -1},
		{"rpm", "1.0~rc1", "1.0", -1},    {"rpm", "1.0^git1", "1.0", 1}, {"rpm", "1.0^git1", "1.0.1", -1},
		{"Alpine", "1.0_rc1", "1.0", -1}, {"Alpine", "1.0_p1", "1.0", 1}, {"Alpine", "1.0-r1", "1.0", 1},
		{"PyPI", "1.0.dev0", "1.0a0", -1}, {"PyPI", "1.0-r1", "1.0.post1", 0}, {"PyPI", "1.0+abc", "1.0", 1},
		{"PyPI", "1!0.1", "2.0", 1},      {"PyPI", "1.0RC1", "1.0rc1", 0},
		{"npm", "1.0.0-alpha", "1.0.0-alpha.1", -1}, {"npm", "1.0.0-beta.11", "1.0.0-beta.2", 1},
		{"npm", "1.0.0+x", "1.0.0", 0},   {"Go", "v1.2", "v1.2.0", 0},   {"Go", "v2.0.0+incompatible", "v2.0.0", 0},
		{"Maven", "1.0-alpha-1", "1.0", -1}, {"Maven", "1.0-SNAPSHOT", "1.0-rc1", 1}, {"Maven", "1.0.0", "1", 0},
		{"Maven", "1-sp1", "1", 1},       {"Maven", "1.0.RELEASE", "1.0", 0},
		{"RubyGems", "1.0.a", "1.0", -1}, {"RubyGems", "1.0-1", "1.0.pre.1", 0},
		{"crates.io", "1.0.0+b", "1.0.0+a", 1}, {"NuGet", "1.0.0-BETA", "1.0.0-beta", 0},
		{"NuGet", "1.0", "1.0.0.0", 0},   {"Packagist", "1.0-dev", "1.0a1", -1}, {"Packagist", "1.0pl1", "1.0", 1},
		{"SemVer", "1.0.0-rc.1", "1.0.0", -1},
		/* Maven 3.8.7 (its ComparableVersion main prints these): ".X1" reads as "-X1", a nested
		 * list is below a number, and a 10-digit number is a long, above any int, even when 0. */
		{"Maven", "5.2.0.CR1", "5.2-rc-1", 0}, {"Maven", "1-1", "1-ga-1", 1},
		{"Maven", "1.0.x1", "1.0-x2", -1},     {"Maven", "1.0.final.1", "1.0-1", 1},
		{"Maven", "0000000000.1", "5.1", 1},
		/* apk-tools: digits after the letter (apk 2), leading-zero groups as strings and ~hash
		 * (apk 3), an unreadable version below a readable one (apk 3). */
		{"Alpine", "6.6.2p1", "6.6.2p2", -1}, {"Alpine", "8.2.0", "8.2.001", -1},
		{"Alpine", "8.2.0015", "8.2.002", -1}, {"Alpine", "1.0~1234-r1", "1.0~2345-r0", -1},
		{"Alpine", "1.2.0A", "1.2.0d", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got;
		cr_expect_eq(cairn_version_compare(cases[i].eco, cases[i].a, cases[i].b, &got), 0, "%s: %s",
			     cases[i].eco, cairn_error_message());
		cr_expect_eq(got, cases[i].want, "%s: '%s' vs '%s': want %d, got %d", cases[i].eco, cases[i].a,
			     cases[i].b, cases[i].want, got);
	}
}
