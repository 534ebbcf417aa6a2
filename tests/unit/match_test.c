/* Unit tests of matching: OSV range evaluation, requirement lists and name rules, against
 * independent expectations:
 *   - the OSV schema's own examples and its "Evaluation" pseudocode applied by hand;
 *   - cargo requirement vectors answered by cargo 1.95 itself (a path dependency of version V
 *     with `version = "REQ"`: `cargo generate-lockfile --offline` succeeds iff REQ matches V);
 *   - Gem::Requirement vectors answered by ruby (`Gem::Requirement.new(*REQ.split(", "))
 *     .satisfied_by?(Gem::Version.new(V))`);
 *   - PEP 503's normalisation examples. */
#include "cairn/error.h"
#include "test_util.h"
#include "vuln/vuln_internal.h"

#include <criterion/criterion.h>
#include <string.h>

/* Evaluates spec (JSON text) for version in ecosystem; returns 1/0, fails the test on error. */
static int affects(const char *ecosystem, const char *spec_text, const char *version)
{
	json_error_t jerr;
	json_t *spec = json_loads(spec_text, 0, &jerr);
	cr_assert_not_null(spec, "bad test spec: %s", jerr.text);
	int hit = -1;
	int err = vuln_spec_affects(ecosystem, spec, version, &hit, NULL);
	json_decref(spec);
	cr_assert_eq(err, 0, "%s %s: %s", ecosystem, version, cairn_error_message());
	return hit;
}

static void expect(const char *ecosystem, const char *spec, const char *version, int want)
{
	int got = affects(ecosystem, spec, version);
	cr_expect_eq(got, want, "%s %s against %s: want %d, got %d", ecosystem, version, spec, want, got);
}

Test(match, osv_schema_examples)
{
	/* "every possible version is affected" */
	const char *unfixed = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"}]}]}";
	expect("semver", unfixed, "0.0.0", 1);
	expect("semver", unfixed, "99.0.0", 1);
	/* "everything before 1.0.2" */
	const char *fixed = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0.2\"}]}]}";
	expect("semver", fixed, "1.0.1", 1);
	expect("semver", fixed, "1.0.2", 0);
	expect("semver", fixed, "1.0.2-rc.1", 1); /* a pre-release sorts below its release */
	/* "[1.0.0, 1.0.2) or [3.0.0, 3.2.5)" */
	const char *multi = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.0.2\"},"
			    "{\"introduced\":\"3.0.0\"},{\"fixed\":\"3.2.5\"}]}]}";
	expect("semver", multi, "0.9.9", 0);
	expect("semver", multi, "1.0.0", 1);
	expect("semver", multi, "1.0.1", 1);
	expect("semver", multi, "1.0.2", 0);
	expect("semver", multi, "2.5.0", 0);
	expect("semver", multi, "3.0.0", 1);
	expect("semver", multi, "3.2.4", 1);
	expect("semver", multi, "3.2.5", 0);
	/* last_affected 2.1.214 includes it; fixed 2.1.214 excludes it */
	const char *last = "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},"
			   "{\"last_affected\":\"2.1.214\"}]}]}";
	expect("Maven", last, "2.1.214", 1);
	expect("Maven", last, "2.1.215", 0);
	expect("Maven", last, "2.1.213", 1);
}

Test(match, events_are_sorted_before_walking)
{
	/* PYSEC-2024-69 lists 5.0 before 4.2; sorted, [4.2, 4.2.15) and [5.0, 5.0.8) are affected. */
	const char *spec = "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"5.0\"},{\"fixed\":\"5.0.8\"},"
			   "{\"introduced\":\"4.2\"},{\"fixed\":\"4.2.15\"}]}]}";
	expect("PyPI", spec, "4.1.9", 0);
	expect("PyPI", spec, "4.2", 1);
	expect("PyPI", spec, "4.2.0", 1); /* PEP 440: 4.2.0 == 4.2 */
	expect("PyPI", spec, "4.2.14", 1);
	expect("PyPI", spec, "4.2.15", 0);
	expect("PyPI", spec, "4.2.16", 0);
	expect("PyPI", spec, "5.0rc1", 0); /* below its introduced 5.0 */
	expect("PyPI", spec, "5.0", 1);
	expect("PyPI", spec, "5.0.8rc1", 1);
	expect("PyPI", spec, "5.0.8", 0);
}

Test(match, limit_caps_a_range)
{
	/* BeforeLimits: with limit events, only versions below one of them can be affected. */
	const char *spec = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"}]}]}";
	expect("semver", spec, "0.9.0", 0);
	expect("semver", spec, "1.0.0", 1);
	expect("semver", spec, "1.9.9", 1);
	expect("semver", spec, "2.0.0", 0);
	expect("semver", spec, "3.0.0", 0);
	const char *star = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.0.0\"},{\"limit\":\"*\"}]}]}";
	expect("semver", star, "9.0.0", 1);
}

Test(match, introduced_equal_to_last_affected)
{
	/* BIT-activemq-2020-26217: [0, 5.15.14) and exactly 5.16.0. */
	const char *spec = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"5.15.14\"}]},"
			   "{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"5.16.0\"},{\"last_affected\":\"5.16.0\"}]}]}";
	expect("Bitnami", spec, "5.15.13", 1);
	expect("Bitnami", spec, "5.15.14", 0);
	expect("Bitnami", spec, "5.15.99", 0);
	expect("Bitnami", spec, "5.16.0", 1);
	expect("Bitnami", spec, "5.16.1", 0);
}

Test(match, versions_list_and_git_ranges)
{
	/* IncludedInVersions compares by the ecosystem's equality; GIT ranges never match a version. */
	const char *spec = "{\"versions\":[\"1.0\",\"1.1.post1\"]}";
	expect("PyPI", spec, "1.0", 1);
	expect("PyPI", spec, "1.0.0", 1);
	expect("PyPI", spec, "1.1.post1", 1);
	expect("PyPI", spec, "1.1", 0);
	const char *both = "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.0\"},{\"fixed\":\"2.1\"}]}],"
			   "\"versions\":[\"1.5\"]}";
	expect("PyPI", both, "1.5", 1);
	expect("PyPI", both, "1.6", 0);
	expect("PyPI", both, "2.0.5", 1);
}

Test(match, semver_ranges_accept_go_v_prefix)
{
	/* Go advisories write SEMVER events without "v"; module versions carry it. */
	const char *spec = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.20.5\"}]}]}";
	expect("Go", spec, "v1.20.4", 1);
	expect("Go", spec, "v1.20.5", 0);
	expect("Go", spec, "v0.0.0-20230101000000-abcdefabcdef", 1);
}

Test(match, invalid_version_is_an_error_naming_it)
{
	json_t *spec = json_loads("{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}", 0, NULL);
	int hit = 0;
	int err = vuln_spec_affects("pypi", spec, "not a version!", &hit, NULL);
	json_decref(spec);
	cr_assert_neq(err, 0);
	cr_assert(strstr(cairn_error_message(), "not a version!") != NULL, "%s", cairn_error_message());
}

Test(match, fixed_version_reported)
{
	json_t *spec = json_loads("{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"5.0\"},{\"fixed\":\"5.0.8\"},"
				  "{\"introduced\":\"4.2\"},{\"fixed\":\"4.2.15\"}]}]}",
				  0, NULL);
	cairn_buf fixed = CAIRN_BUF_INIT;
	int hit = 0;
	cr_assert_eq(vuln_spec_affects("pypi", spec, "4.2.3", &hit, &fixed), 0);
	cr_expect_eq(hit, 1);
	cr_expect_str_eq(cairn_buf_cstr(&fixed), "4.2.15");
	cairn_buf_free(&fixed);
	json_decref(spec);
}

struct req_vector {
	const char *req, *version;
	int want;
};

/* Answered by cargo 1.95 (see the top of this file). */
static const struct req_vector CARGO[] = {
	{">= 0.11.6, < 0.12.0", "0.11.5", 0}, {">= 0.11.6, < 0.12.0", "0.11.6", 1},
	{">= 0.11.6, < 0.12.0", "0.11.9", 1}, {">= 0.11.6, < 0.12.0", "0.12.0", 0},
	{">= 0.11.6, < 0.12.0", "0.12.0-rc.1", 0}, {">= 0.12.1", "0.12.1", 1},
	{">= 0.12.1", "0.12.0", 0}, {">= 0.12.1", "3.0.0", 1},
	{">= 1.0.0", "2.0.0-alpha.1", 0}, {">= 1.0.0-alpha.1", "1.0.0-alpha.2", 1},
	{">= 1.0.0-alpha.1", "1.0.0-alpha.0", 0}, {">= 1.0.0-alpha.1", "1.0.1-alpha.1", 0},
	{"^1.4", "1.4.0", 1}, {"^1.4", "1.9.9", 1}, {"^1.4", "2.0.0", 0}, {"^1.4", "1.3.9", 0},
	{"^1.4.2", "1.4.1", 0}, {"^1.4.2", "1.4.2", 1}, {"^0.3.1", "0.3.9", 1}, {"^0.3.1", "0.4.0", 0},
	{"^0.3.1", "0.3.0", 0}, {"^0.0.3", "0.0.3", 1}, {"^0.0.3", "0.0.4", 0}, {"^0.0", "0.0.7", 1},
	{"^0.0", "0.1.0", 0}, {"^0", "0.9.9", 1}, {"^0", "1.0.0", 0}, {"^ 1.2.3", "1.5.0", 1},
	{"1.2.3", "1.2.9", 1}, {"1.2.3", "2.0.0", 0}, {"= 1.2.3", "1.2.3", 1}, {"= 1.2.3", "1.2.4", 0},
	{"=1.2", "1.2.7", 1}, {"=1.2", "1.3.0", 0}, {"> 1.2.3", "1.2.4", 1}, {"> 1.2.3", "1.2.3", 0},
	{"> 1.2", "1.2.9", 0}, {"> 1.2", "1.3.0", 1}, {"> 1", "1.9.0", 0}, {"> 1", "2.0.0", 1},
	{"<= 1.2.3", "1.2.3", 1}, {"<= 1.2.3", "1.2.4", 0}, {"<= 1.2", "1.2.9", 1}, {"<= 1.2", "1.3.0", 0},
	{"< 1.2", "1.1.9", 1}, {"< 1.2", "1.2.0", 0}, {"< 1.2.3-alpha.1", "1.2.3-alpha.0", 1},
	{"< 1.2.3-alpha.1", "1.2.2", 1}, {"< 1.2.3", "1.2.3-alpha.1", 0}, {"~1.2.3", "1.2.9", 1},
	{"~1.2.3", "1.3.0", 0}, {"~1.2", "1.2.0", 1}, {"~1", "1.9.0", 1}, {"~1", "2.0.0", 0},
	{"*", "5.0.0", 1}, {">= 1.2.3, < 1.3", "1.2.5", 1}, {">= 1.2.3, < 1.3", "1.3.0", 0},
	{"<= 0.11.5", "0.11.5", 1}, {"<= 0.11.5", "0.11.6", 0}, {">= 2, < 3", "2.5.0", 1},
	{">= 2, < 3", "3.0.0", 0}, {">=0.2.0,<0.3.0", "0.2.5", 1}, {"1.2.3", "1.2.3+build.5", 1},
};

Test(match, cargo_requirements_agree_with_cargo)
{
	for (size_t i = 0; i < sizeof CARGO / sizeof CARGO[0]; i++) {
		int got = -1;
		int err = vuln_cargo_req_matches(CARGO[i].req, CARGO[i].version, &got);
		cr_expect_eq(err, 0, "'%s' vs %s: %s", CARGO[i].req, CARGO[i].version, cairn_error_message());
		cr_expect_eq(got, CARGO[i].want, "'%s' vs %s: cargo says %d, cairn %d", CARGO[i].req, CARGO[i].version,
			     CARGO[i].want, got);
	}
}

/* Answered by ruby's Gem::Requirement (see the top of this file). */
static const struct req_vector GEM[] = {
	{"~> 1.2.3", "1.2.3", 1}, {"~> 1.2.3", "1.2.9", 1}, {"~> 1.2.3", "1.3.0", 0}, {"~> 1.2.3", "1.3.a", 0},
	{"~> 1.2.3", "1.2.2", 0}, {"~> 1.2", "1.9", 1}, {"~> 1.2", "2.0", 0}, {"~> 1.2", "2.0.a", 0},
	{"~> 4.2.5, >= 4.2.5.1", "4.2.5", 0}, {"~> 4.2.5, >= 4.2.5.1", "4.2.5.1", 1},
	{"~> 4.2.5, >= 4.2.5.1", "4.2.6", 1}, {"~> 4.2.5, >= 4.2.5.1", "4.3.0", 0},
	{"~> 2.0.0.rc1", "2.0.0", 1}, {"~> 2.0.0.rc1", "2.0.0.rc2", 1}, {"~> 2.0.0.rc1", "2.1.0", 0},
	{"~> 2.0.0.rc1", "2.0.0.beta1", 0}, {"~> 5.0.0-rc", "5.0.0", 1}, {"~> 5.0.0-rc", "5.0.1", 1},
	{"~> 5.0.0-rc", "5.1.0", 0}, {"~> 5.0.0-rc", "5.0.0.rc2", 1}, {">= 1.2.3", "1.2.3", 1},
	{">= 1.2.3", "1.2.3.pre", 0}, {"> 1.2.3", "1.2.3", 0}, {"> 1.2.3", "1.2.4", 1}, {"< 1.2", "1.2.0", 0},
	{"< 1.2", "1.1.99", 1}, {"<= 1.2.3", "1.2.3.0", 1}, {"= 1.2.3", "1.2.3", 1}, {"1.2.3", "1.2.3.0", 1},
	{"!= 1.2.3", "1.2.4", 1}, {">= 3.1.0.beta1", "3.1.0.alpha", 0}, {">= 3.1.0.beta1", "3.1.0", 1},
	{"~> 0.9", "0.10", 1}, {"~> 0", "0.5", 1}, {"~> 1.0.0.beta.2", "1.0.0.beta.3", 1},
	{"~> 1.0.0.beta.2", "1.0.1", 1},
};

Test(match, gem_requirements_agree_with_rubygems)
{
	for (size_t i = 0; i < sizeof GEM / sizeof GEM[0]; i++) {
		int got = -1;
		int err = vuln_gem_req_matches(GEM[i].req, GEM[i].version, &got);
		cr_expect_eq(err, 0, "'%s' vs %s: %s", GEM[i].req, GEM[i].version, cairn_error_message());
		cr_expect_eq(got, GEM[i].want, "'%s' vs %s: RubyGems says %d, cairn %d", GEM[i].req, GEM[i].version,
			     GEM[i].want, got);
	}
}

Test(match, rustsec_requirement_lists)
{
	/* RUSTSEC-2026-0041 (lz4_flex): patched [">= 0.11.6, < 0.12.0", ">= 0.12.1"]; affected is what
	 * satisfies none (answers from the cargo vectors above). */
	const char *spec = "{\"reqs\":{\"scheme\":\"cargo\",\"safe\":[\">= 0.11.6, < 0.12.0\",\">= 0.12.1\"]}}";
	expect("crates.io", spec, "0.11.5", 1);
	expect("crates.io", spec, "0.11.6", 0);
	expect("crates.io", spec, "0.12.0", 1);
	expect("crates.io", spec, "0.12.1", 0);
	expect("crates.io", spec, "0.12.0-rc.1", 1);
	/* Nothing patched, nothing unaffected: every version. */
	expect("crates.io", "{\"reqs\":{\"scheme\":\"cargo\",\"safe\":[]}}", "1.0.0", 1);
}

Test(match, composer_branches)
{
	/* FriendsOfPHP cakephp 2015-08-06: the 2.5.x branch ['>=2.5.0', '<2.5.9'] and 2.7.x. */
	const char *spec = "{\"branches\":[[\">=2.5.0\",\"<2.5.9\"],[\">=2.7.0\",\"<2.7.2\"]]}";
	expect("packagist", spec, "2.4.9", 0);
	expect("packagist", spec, "2.5.0", 1);
	expect("packagist", spec, "2.5.8", 1);
	expect("packagist", spec, "2.5.9", 0);
	expect("packagist", spec, "2.6.0", 0);
	expect("packagist", spec, "v2.7.1", 1);
	expect("packagist", spec, "2.7.2", 0);
	/* Composer reads "<2.5.9" as "<2.5.9-dev": 2.5.9's own pre-releases are not below it. */
	expect("packagist", spec, "2.5.9-beta1", 0);
}

Test(match, name_normalisation)
{
	cairn_buf out = CAIRN_BUF_INIT;
	/* PEP 503's examples all normalise to "friendly-bar". */
	const char *pep503[] = {"friendly-bar", "Friendly-Bar", "friendly.bar", "friendly_bar", "FRIENDLY__BAR",
				"friendly.-_bar"};
	for (size_t i = 0; i < sizeof pep503 / sizeof pep503[0]; i++) {
		cr_assert_eq(vuln_name_normalise("pypi", pep503[i], &out), 0);
		cr_expect_str_eq(cairn_buf_cstr(&out), "friendly-bar", "%s", pep503[i]);
	}
	cr_assert_eq(vuln_name_normalise("packagist", "Symfony/HTTP-Kernel", &out), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "symfony/http-kernel");
	cr_assert_eq(vuln_name_normalise("nuget", "Newtonsoft.Json", &out), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "newtonsoft.json");
	cr_assert_eq(vuln_name_normalise("npm", "@Scope/Pkg", &out), 0); /* npm is case-sensitive */
	cr_expect_str_eq(cairn_buf_cstr(&out), "@Scope/Pkg");
	cr_assert_eq(vuln_name_normalise("go", "github.com/BurntSushi/toml", &out), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "github.com/BurntSushi/toml");
	cairn_buf_free(&out);
}

Test(match, ecosystem_normalisation)
{
	cairn_buf out = CAIRN_BUF_INIT;
	const char *cases[][2] = {
		{"Debian:bookworm", "debian:12"}, {"Debian:12", "debian:12"},     {"Alpine:3.20", "alpine:v3.20"},
		{"Alpine:v3.20", "alpine:v3.20"}, {"AlmaLinux:9", "almalinux:9"}, {"PyPI", "pypi"},
		{"crates.io", "crates.io"},       {"Rocky Linux:8", "rocky linux:8"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(vuln_ecosystem_normalise(cases[i][0], &out), 0);
		cr_expect_str_eq(cairn_buf_cstr(&out), cases[i][1], "%s", cases[i][0]);
	}
	cairn_buf_free(&out);
}

Test(match, dotted_versions_of_hackage_and_cran)
{
	/* Data.Version and R's package_version: numeric components, a shorter prefix is lower. */
	int c;
	cr_assert_eq(vuln_version_compare("hackage", "6.20170818", "6.20170101", &c), 0);
	cr_expect_eq(c, 1);
	cr_assert_eq(vuln_version_compare("hackage", "1.0", "1.0.0", &c), 0);
	cr_expect_eq(c, -1);
	cr_assert_eq(vuln_version_compare("cran", "0.1-10", "0.1-9", &c), 0);
	cr_expect_eq(c, 1);
	cr_expect_neq(vuln_version_compare("cran", "0.1-x", "0.1-9", &c), 0);
}

Test(match, alias_rank_prefers_the_specific_source)
{
	cr_expect_lt(vuln_id_rank("PYSEC-2021-1"), vuln_id_rank("GHSA-aaaa-bbbb-cccc"));
	cr_expect_lt(vuln_id_rank("RUSTSEC-2021-0001"), vuln_id_rank("CVE-2021-1"));
	cr_expect_lt(vuln_id_rank("GHSA-aaaa-bbbb-cccc"), vuln_id_rank("CVE-2021-1"));
}
