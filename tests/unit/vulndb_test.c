/* Unit tests of the advisory database: importing real advisories from the shared corpus and
 * matching them, against expectations computed outside cairn:
 *   - PyPI: the OSV schema's evaluation pseudocode run in Python with packaging.version over the
 *     corpus YAML (the same check, swept over 632 queries of 150 packages, agreed completely);
 *   - RubySec: ruby's Gem::Requirement with bundler-audit's rule (a 246-query sweep agreed);
 *   - RustSec: cargo's own requirement matching (a 57-query sweep agreed);
 *   - Debian: dpkg --compare-versions; Alpine, AlmaLinux, HSEC, CRAN, Go, Bitnami: read from the
 *     advisory text, boundaries included.
 * Plus the failure paths: corrupt advisories, a truncated archive, another schema version. */
#include "cairn/error.h"
#include "cairn/vulndb.h"
#include "test_util.h"
#include "vuln/vuln_internal.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char db_path[128];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/cairn-vulndb-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/vuln.db", dir);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(vulndb, .init = make_dir, .fini = remove_dir);

struct corrupt_log {
	int count;
	char last_file[512];
	char last_reason[512];
};

static void note_corrupt(void *ctx, const char *file, const char *reason)
{
	struct corrupt_log *log = ctx;
	log->count++;
	snprintf(log->last_file, sizeof log->last_file, "%s", file);
	snprintf(log->last_reason, sizeof log->last_reason, "%s", reason);
}

static cairn_vulndb *open_db(void)
{
	cairn_vulndb *db;
	cr_assert_eq(cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_CREATE), 0, "%s", cairn_error_message());
	return db;
}

/* Imports corpus/vulndb/<rel>; returns the report. */
static cairn_vulndb_report import_corpus(cairn_vulndb *db, const char *rel)
{
	char path[512];
	cairn_vulndb_report report;
	memset(&report, 0, sizeof report);
	snprintf(path, sizeof path, "%s/vulndb/%s", test_corpus(), rel);
	cr_assert_eq(cairn_vulndb_import(db, path, NULL, &report), 0, "%s", cairn_error_message());
	return report;
}

static const cairn_vulndb_count *source_count(const cairn_vulndb_report *r, const char *source)
{
	for (size_t i = 0; i < r->n_sources; i++)
		if (strcmp(r->sources[i].source, source) == 0)
			return &r->sources[i];
	cr_assert_fail("no counts for source %s", source);
	return NULL;
}

/* The IDs found for a package version, joined by spaces. */
static char *match(cairn_vulndb *db, const char *eco, const char *name, const char *version)
{
	static char out[8192];
	cairn_vulndb_findings *f;
	cr_assert_eq(cairn_vulndb_match(db, eco, name, version, &f), 0, "%s %s %s: %s", eco, name, version,
		     cairn_error_message());
	out[0] = '\0';
	for (size_t i = 0; i < cairn_vulndb_findings_count(f); i++) {
		size_t used = strlen(out);
		snprintf(out + used, sizeof out - used, "%s%s", i ? " " : "", cairn_vulndb_findings_get(f, i)->id);
	}
	cairn_vulndb_findings_free(f);
	return out;
}

static int contains_id(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; (p = strstr(p, id)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static size_t count_advisories(void)
{
	cairn_vulndb *db;
	cairn_vulndb_status st;
	cr_assert_eq(cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_READ), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_vulndb_get_status(db, &st), 0);
	cairn_vulndb_close(db);
	return st.advisories;
}

Test(vulndb, pypi_yaml_archive)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r = import_corpus(db, "pypi-osv-yaml.tar.zst");
	/* The corpus README: 2661 records, 10 of them withdrawn. */
	const cairn_vulndb_count *c = source_count(&r, "osv:PyPI");
	cr_expect_eq(c->imported, 2651);
	cr_expect_eq(c->withdrawn, 10);
	cr_expect_eq(c->corrupt, 0);
	/* Python with packaging, running the OSV pseudocode over the same YAML. */
	cr_expect_str_eq(match(db, "PyPI", "django", "4.2"),
			 "PYSEC-2023-100 PYSEC-2023-222 PYSEC-2023-225 PYSEC-2023-226 PYSEC-2023-61 PYSEC-2024-102 "
			 "PYSEC-2024-28 PYSEC-2024-47 PYSEC-2024-56 PYSEC-2024-57 PYSEC-2024-58 PYSEC-2024-59 "
			 "PYSEC-2024-67 PYSEC-2024-68 PYSEC-2024-69 PYSEC-2024-70");
	cr_expect_str_eq(match(db, "PyPI", "django", "4.2.15"), "PYSEC-2024-102");
	cr_expect_str_eq(match(db, "PyPI", "Django", "5.0.7"),
			 "PYSEC-2024-102 PYSEC-2024-67 PYSEC-2024-68 PYSEC-2024-69 PYSEC-2024-70");
	cr_expect_str_eq(match(db, "PyPI", "Pillow", "9.0.0"), "PYSEC-2022-168 PYSEC-2022-42979 PYSEC-2023-175 PYSEC-2023-227");
	cr_expect_str_eq(match(db, "PyPI", "Jinja2", "2.10"), "PYSEC-2019-217 PYSEC-2021-66");
	cr_expect_str_eq(match(db, "PyPI", "urllib3", "1.26.4"), "PYSEC-2021-108 PYSEC-2023-192 PYSEC-2023-212");
	/* PYSEC-2024-69: introduced 4.2 (exact boundary affected), fixed 4.2.15 and 5.0.8 (not). */
	cr_expect(contains_id(match(db, "PyPI", "django", "4.2.14"), "PYSEC-2024-69"));
	cr_expect(!contains_id(match(db, "PyPI", "django", "5.0.8"), "PYSEC-2024-69"));
	/* PYSEC-2023-73 (redis) is withdrawn although 2.0.0 is in its versions list. */
	cr_expect_str_eq(match(db, "PyPI", "redis", "2.0.0"), "");
	/* PEP 503: the same package however it is spelled. */
	cr_expect_str_eq(match(db, "PyPI", "DJANGO", "4.2.15"), "PYSEC-2024-102");
	cairn_vulndb_close(db);
}

Test(vulndb, bitnami_last_affected)
{
	cairn_vulndb *db = open_db();
	import_corpus(db, "bitnami-osv.tar.zst");
	/* BIT-activemq-2020-26217: [0, 5.15.14) and introduced = last_affected = 5.16.0. */
	cr_expect(contains_id(match(db, "Bitnami", "activemq", "5.15.13"), "BIT-activemq-2020-26217"));
	cr_expect(!contains_id(match(db, "Bitnami", "activemq", "5.15.14"), "BIT-activemq-2020-26217"));
	cr_expect(contains_id(match(db, "Bitnami", "activemq", "5.16.0"), "BIT-activemq-2020-26217"));
	cr_expect(!contains_id(match(db, "Bitnami", "activemq", "5.16.1"), "BIT-activemq-2020-26217"));
	cairn_vulndb_close(db);
}

Test(vulndb, go_semver_ranges)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r = import_corpus(db, "go-osv.tar.zst");
	/* The corpus README: 4291 records, 17 withdrawn. */
	cr_expect_eq(source_count(&r, "osv:Go")->imported, 4274);
	cr_expect_eq(source_count(&r, "osv:Go")->withdrawn, 17);
	/* GO-2023-1542: [0, 1.7.3) and [1.11.0, 1.11.3). */
	const char *wings = "github.com/pterodactyl/wings";
	cr_expect(contains_id(match(db, "Go", wings, "v1.7.2"), "GO-2023-1542"));
	cr_expect(!contains_id(match(db, "Go", wings, "v1.7.3"), "GO-2023-1542"));
	cr_expect(!contains_id(match(db, "Go", wings, "v1.10.9"), "GO-2023-1542"));
	cr_expect(contains_id(match(db, "Go", wings, "v1.11.0"), "GO-2023-1542"));
	cr_expect(contains_id(match(db, "Go", wings, "v1.11.2"), "GO-2023-1542"));
	cr_expect(!contains_id(match(db, "Go", wings, "v1.11.3"), "GO-2023-1542"));
	cairn_vulndb_close(db);
}

Test(vulndb, rustsec_markdown)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r = import_corpus(db, "rustsec.tar.zst");
	const cairn_vulndb_count *c = source_count(&r, "rustsec");
	cr_expect_eq(c->imported + c->withdrawn, 1225); /* every advisory file */
	cr_expect_eq(c->corrupt, 0);
	/* RUSTSEC-2026-0041: patched [">= 0.11.6, < 0.12.0", ">= 0.12.1"] (cargo's answers). */
	cr_expect_str_eq(match(db, "crates.io", "lz4_flex", "0.11.5"), "RUSTSEC-2026-0041");
	cr_expect_str_eq(match(db, "crates.io", "lz4_flex", "0.11.6"), "");
	cr_expect_str_eq(match(db, "crates.io", "lz4_flex", "0.12.0"), "RUSTSEC-2026-0041");
	cr_expect_str_eq(match(db, "crates.io", "lz4_flex", "0.12.1"), "");
	cairn_vulndb_close(db);
}

Test(vulndb, rubysec_yaml)
{
	cairn_vulndb *db = open_db();
	import_corpus(db, "rubysec.tar.zst");
	/* Gem::Requirement over CVE-2014-1831 and CVE-2014-1832 (passenger): they share only an OSVDB
	 * ID, which may cover several vulnerabilities, so both are reported. */
	const char *found = match(db, "RubyGems", "passenger", "4.0.5");
	cr_expect(contains_id(found, "CVE-2014-1831"), "%s", found);
	cr_expect(contains_id(found, "CVE-2014-1832"), "%s", found);
	cr_expect_str_eq(match(db, "RubyGems", "passenger", "4.0.8"),
			 "CVE-2014-1831 CVE-2014-1832 CVE-2015-7519 CVE-2016-10345 CVE-2017-16355 CVE-2018-12029 "
			 "CVE-2018-12615");
	cairn_vulndb_close(db);
}

Test(vulndb, alpine_secdb_directory)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r = import_corpus(db, "alpine-secdb/v3.10");
	cr_expect_eq(source_count(&r, "alpine-secdb")->corrupt, 0);
	/* ansible on v3.10: 2.8.4-r0 fixes CVE-2019-10206/10217, 2.8.2-r0 CVE-2019-10156, 2.7.9-r0
	 * CVE-2018-16876, 2.6.3-r0 CVE-2018-10875. */
	cr_expect_str_eq(match(db, "Alpine:v3.10", "ansible", "2.8.3-r0"), "CVE-2019-10206 CVE-2019-10217");
	cr_expect_str_eq(match(db, "Alpine:v3.10", "ansible", "2.8.4-r0"), "");
	cr_expect_str_eq(match(db, "Alpine:3.10", "ansible", "2.6.2-r0"),
			 "CVE-2018-10875 CVE-2018-16876 CVE-2019-10156 CVE-2019-10206 CVE-2019-10217");
	/* Another branch knows nothing of these. */
	cr_expect_str_eq(match(db, "Alpine:v3.9", "ansible", "2.6.2-r0"), "");
	cairn_vulndb_close(db);
}

Test(vulndb, almalinux_hsec_cran_friendsofphp)
{
	cairn_vulndb *db = open_db();
	import_corpus(db, "almalinux-osv.tar.zst");
	import_corpus(db, "haskell-hsec.tar.zst");
	import_corpus(db, "cran-rsec.tar.zst");
	import_corpus(db, "php-friendsofphp.tar.zst");
	/* ALSA-2022:5527 squid on AlmaLinux 9: fixed 7:5.2-1.el9_0.1 (rpmvercmp, epoch 7). */
	cr_expect(contains_id(match(db, "AlmaLinux:9", "squid", "7:5.2-1.el9_0"), "ALSA-2022:5527"));
	cr_expect(!contains_id(match(db, "AlmaLinux:9", "squid", "7:5.2-1.el9_0.1"), "ALSA-2022:5527"));
	cr_expect(!contains_id(match(db, "AlmaLinux:8", "squid", "7:5.2-1.el9_0"), "ALSA-2022:5527"));
	/* HSEC git-annex: 0009 [0, 6.20170818), 0010 [0, 6.20180626), 0011 [0.20110417, 6.20180626),
	 * 0012 [0.20110417, 6.20160419), 0013 [0.20110401, 5.20140919). */
	cr_expect_str_eq(match(db, "Hackage", "git-annex", "6.20170101"), "HSEC-2023-0009 HSEC-2023-0010 HSEC-2023-0011");
	cr_expect_str_eq(match(db, "Hackage", "git-annex", "6.20170818"), "HSEC-2023-0010 HSEC-2023-0011");
	cr_expect_str_eq(match(db, "Hackage", "git-annex", "0.20110416"), "HSEC-2023-0009 HSEC-2023-0010 HSEC-2023-0013");
	/* RSEC-2026-1 png: versions 0.1-3 .. 0.1-8, range [0.1-3, 0.1-9). */
	cr_expect_str_eq(match(db, "CRAN", "png", "0.1-2"), "");
	cr_expect_str_eq(match(db, "CRAN", "png", "0.1-3"), "RSEC-2026-1");
	cr_expect_str_eq(match(db, "CRAN", "png", "0.1-8"), "RSEC-2026-1");
	cr_expect_str_eq(match(db, "CRAN", "png", "0.1-9"), "");
	/* FriendsOfPHP cakephp 2015-08-06: branch 2.5.x ['>=2.5.0', '<2.5.9']. */
	cr_expect(contains_id(match(db, "Packagist", "cakephp/cakephp", "2.5.8"), "FriendsOfPHP/cakephp/cakephp/2015-08-06"));
	cr_expect(!contains_id(match(db, "Packagist", "CakePHP/CakePHP", "2.5.9"), "FriendsOfPHP/cakephp/cakephp/2015-08-06"));
	cairn_vulndb_close(db);
}

/* A small file in the Debian security tracker's published format
 * (https://security-tracker.debian.org/tracker/data/json). */
static const char DEBIAN_TRACKER[] =
	"{\"openssl\": {"
	"  \"CVE-2023-0286\": {\"scope\": \"remote\", \"debianbug\": 1031060, \"description\": \"X.400 type confusion\","
	"    \"releases\": {"
	"      \"bookworm\": {\"status\": \"resolved\", \"repositories\": {\"bookworm\": \"3.0.11-1~deb12u2\"},"
	"                     \"fixed_version\": \"3.0.8-1\", \"urgency\": \"not yet assigned\"},"
	"      \"bullseye\": {\"status\": \"resolved\", \"repositories\": {\"bullseye\": \"1.1.1w-0+deb11u1\"},"
	"                     \"fixed_version\": \"1.1.1n-0+deb11u4\", \"urgency\": \"high\"},"
	"      \"trixie\": {\"status\": \"resolved\", \"repositories\": {\"trixie\": \"3.0.13-1\"},"
	"                   \"fixed_version\": \"0\", \"urgency\": \"not yet assigned\"}}},"
	"  \"CVE-2024-9999\": {\"scope\": \"local\", \"description\": \"still open\","
	"    \"releases\": {"
	"      \"bookworm\": {\"status\": \"open\", \"repositories\": {\"bookworm\": \"3.0.11-1~deb12u2\"},"
	"                     \"urgency\": \"unimportant\"},"
	"      \"bullseye\": {\"status\": \"undetermined\", \"repositories\": {\"bullseye\": \"1.1.1w-0+deb11u1\"},"
	"                     \"urgency\": \"not yet assigned\"}}}}}";

Test(vulndb, debian_tracker_json)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r;
	memset(&r, 0, sizeof r);
	cr_assert_eq(cairn_vulndb_import_memory(db, "tracker.json", DEBIAN_TRACKER, strlen(DEBIAN_TRACKER), NULL, &r), 0,
		     "%s", cairn_error_message());
	cr_expect_eq(source_count(&r, "debian-tracker")->imported, 2);
	/* dpkg --compare-versions against fixed 3.0.8-1 (bookworm): 3.0.7-1 and 3.0.8-1~deb12u1 are
	 * lower, 3.0.8-1 and 3.0.11-1~deb12u2 are not. Open and undetermined: every version. */
	cr_expect_str_eq(match(db, "Debian:12", "openssl", "3.0.7-1"), "CVE-2023-0286 CVE-2024-9999");
	cr_expect_str_eq(match(db, "Debian:bookworm", "openssl", "3.0.8-1~deb12u1"), "CVE-2023-0286 CVE-2024-9999");
	cr_expect_str_eq(match(db, "Debian:12", "openssl", "3.0.8-1"), "CVE-2024-9999");
	cr_expect_str_eq(match(db, "Debian:12", "openssl", "3.0.11-1~deb12u2"), "CVE-2024-9999");
	/* bullseye, fixed 1.1.1n-0+deb11u4: u3 and u4~1 lower; u4 and 1.1.1w-0+deb11u1 not. */
	cr_expect_str_eq(match(db, "Debian:11", "openssl", "1.1.1n-0+deb11u3"), "CVE-2023-0286 CVE-2024-9999");
	cr_expect_str_eq(match(db, "Debian:11", "openssl", "1.1.1n-0+deb11u4~1"), "CVE-2023-0286 CVE-2024-9999");
	cr_expect_str_eq(match(db, "Debian:11", "openssl", "1.1.1n-0+deb11u4"), "CVE-2024-9999");
	cr_expect_str_eq(match(db, "Debian:11", "openssl", "1.1.1w-0+deb11u1"), "CVE-2024-9999");
	/* trixie: fixed_version "0" means never affected. */
	cr_expect_str_eq(match(db, "Debian:13", "openssl", "3.0.0-1"), "");
	cairn_vulndb_close(db);
}

static int import_text(cairn_vulndb *db, const char *name, const char *text, cairn_vulndb_report *r,
		       struct corrupt_log *log)
{
	cairn_vulndb_import_options opts = {note_corrupt, NULL, log};
	return cairn_vulndb_import_memory(db, name, text, strlen(text), &opts, r);
}

#define OSV(id, aliases, name, extra)                                                                      \
	"{\"id\":\"" id "\",\"modified\":\"2024-01-01T00:00:00Z\",\"aliases\":" aliases extra                \
	",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"" name "\"},"                          \
	"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}]}]}]}"

Test(vulndb, aliases_are_reported_once)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r;
	struct corrupt_log log = {0};
	memset(&r, 0, sizeof r);
	cr_assert_eq(import_text(db, "a.json", OSV("GHSA-aaaa-bbbb-cccc", "[\"CVE-2024-0001\"]", "demo-pkg", ""), &r, &log), 0);
	cr_assert_eq(import_text(db, "b.json", OSV("PYSEC-2024-1", "[\"CVE-2024-0001\",\"GHSA-aaaa-bbbb-cccc\"]", "Demo_Pkg", ""),
				 &r, &log), 0);
	cr_assert_eq(import_text(db, "c.json", OSV("CVE-2024-0001", "[]", "demo.pkg", ""), &r, &log), 0);
	cr_assert_eq(import_text(db, "d.json", OSV("PYSEC-2024-2", "[\"CVE-2024-0002\"]", "demo-pkg", ""), &r, &log), 0);
	/* One vulnerability known by three IDs, shown by the ecosystem database's own ID. */
	cairn_vulndb_findings *f;
	cr_assert_eq(cairn_vulndb_match(db, "PyPI", "DEMO-PKG", "1.0", &f), 0);
	cr_assert_eq(cairn_vulndb_findings_count(f), 2);
	cr_expect_str_eq(cairn_vulndb_findings_get(f, 0)->id, "PYSEC-2024-1");
	cr_expect_str_eq(cairn_vulndb_findings_get(f, 0)->aliases, "CVE-2024-0001, GHSA-aaaa-bbbb-cccc");
	cr_expect_str_eq(cairn_vulndb_findings_get(f, 0)->fixed, "2.0");
	cr_expect_str_eq(cairn_vulndb_findings_get(f, 1)->id, "PYSEC-2024-2");
	cairn_vulndb_findings_free(f);
	cr_expect_str_eq(match(db, "PyPI", "demo-pkg", "2.0"), "");
	cairn_vulndb_close(db);
}

Test(vulndb, severity_from_rating_or_vector)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r;
	struct corrupt_log log = {0};
	memset(&r, 0, sizeof r);
	/* A CVSS 3.1 vector of 9.8 (the familiar AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H), no own rating. */
	cr_assert_eq(import_text(db, "v.json",
				 OSV("PYSEC-2024-3", "[]", "rated",
				     ",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]"),
				 &r, &log),
		     0);
	/* The advisory's own word wins over the vector's score. */
	cr_assert_eq(import_text(db, "w.json",
				 OSV("PYSEC-2024-4", "[]", "rated",
				     ",\"database_specific\":{\"severity\":\"MODERATE\"},\"severity\":[{\"type\":\"CVSS_V3\","
				     "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]"),
				 &r, &log),
		     0);
	cairn_vulndb_findings *f;
	cr_assert_eq(cairn_vulndb_match(db, "PyPI", "rated", "1.0", &f), 0);
	cr_assert_eq(cairn_vulndb_findings_count(f), 2);
	cr_expect_eq(cairn_vulndb_findings_get(f, 0)->severity, CAIRN_SEVERITY_CRITICAL);
	cr_expect_float_eq(cairn_vulndb_findings_get(f, 0)->score, 9.8, 1e-9);
	cr_expect_eq(cairn_vulndb_findings_get(f, 1)->severity, CAIRN_SEVERITY_MEDIUM);
	cairn_vulndb_findings_free(f);
	cairn_vulndb_close(db);
}

Test(vulndb, reimport_replaces_and_withdrawal_removes)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r;
	struct corrupt_log log = {0};
	memset(&r, 0, sizeof r);
	cr_assert_eq(import_text(db, "a.json", OSV("PYSEC-2024-5", "[]", "pkg", ""), &r, &log), 0);
	cr_assert_eq(import_text(db, "a.json", OSV("PYSEC-2024-5", "[]", "pkg", ""), &r, &log), 0);
	cr_expect_str_eq(match(db, "PyPI", "pkg", "1.0"), "PYSEC-2024-5");
	cr_assert_eq(import_text(db, "a.json", OSV("PYSEC-2024-5", "[]", "pkg", ",\"withdrawn\":\"2024-02-01T00:00:00Z\""),
				 &r, &log), 0);
	cr_expect_str_eq(match(db, "PyPI", "pkg", "1.0"), "");
	cr_expect_eq(source_count(&r, "osv:PyPI")->imported, 2);
	cr_expect_eq(source_count(&r, "osv:PyPI")->withdrawn, 1);
	cairn_vulndb_close(db);
	cr_expect_eq(count_advisories(), 0);
}

Test(vulndb, corrupt_advisories_are_named_and_skipped)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_report r;
	struct corrupt_log log = {0};
	memset(&r, 0, sizeof r);
	cr_assert_eq(import_text(db, "good.json", OSV("PYSEC-2024-6", "[]", "pkg", ""), &r, &log), 0);
	const char *bad[][2] = {
		{"truncated.json", "{\"id\":\"PYSEC-2024-7\",\"modified\":"},
		{"bad-event.json", "{\"id\":\"X-1\",\"modified\":\"2024\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\","
				   "\"name\":\"p\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"broken\":\"1\"}]}]}]}"},
		{"bad-type.json", "{\"id\":\"X-2\",\"modified\":\"2024\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\","
				  "\"name\":\"p\"},\"ranges\":[{\"type\":\"SOMETHING\",\"events\":[{\"introduced\":\"0\"}]}]}]}"},
		{"bad.yaml", "id: X-3\nmodified: [unclosed\n"},
		{"alias.yaml", "a: &x 1\nb: *x\n"},
		{"RUSTSEC-2024-9999.md", "```toml\n[advisory]\nid = \"RUSTSEC-2024-9999\"\npackage = \"p\"\n[versions]\npatched = "
					 "[\">= nonsense\"]\n```\n"},
		{"gem.yml", "gem: rack\ncve: 2024-1\npatched_versions: [\"~> \"]\n"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int before = log.count;
		cr_expect_eq(import_text(db, bad[i][0], bad[i][1], &r, &log), 0, "%s: %s", bad[i][0], cairn_error_message());
		cr_expect_eq(log.count, before + 1, "%s was not reported as corrupt", bad[i][0]);
		cr_expect_str_eq(log.last_file, bad[i][0]);
		cr_expect_neq(log.last_reason[0], '\0');
	}
	/* Nothing of the corrupt files was kept; the good one is still there. */
	cr_expect_str_eq(match(db, "PyPI", "pkg", "1.0"), "PYSEC-2024-6");
	cr_expect_str_eq(match(db, "PyPI", "p", "1.0"), "");
	cairn_vulndb_close(db);
	cr_expect_eq(count_advisories(), 1);
}

Test(vulndb, truncated_archive_loses_nothing_before)
{
	cairn_vulndb *db = open_db();
	import_corpus(db, "cran-rsec.tar.zst");
	size_t before;
	cairn_vulndb_close(db);
	before = count_advisories();
	cr_assert_gt(before, 0);
	/* The PyPI archive cut in half. */
	char src[512], cut[256];
	snprintf(src, sizeof src, "%s/vulndb/pypi-osv-yaml.tar.zst", test_corpus());
	snprintf(cut, sizeof cut, "%s/half.tar.zst", dir);
	FILE *in = fopen(src, "rb"), *out = fopen(cut, "wb");
	cr_assert(in != NULL && out != NULL);
	fseek(in, 0, SEEK_END);
	long size = ftell(in);
	fseek(in, 0, SEEK_SET);
	char *data = malloc((size_t)size);
	cr_assert_eq(fread(data, 1, (size_t)size, in), (size_t)size);
	fwrite(data, 1, (size_t)size / 2, out);
	fclose(in);
	fclose(out);
	free(data);
	db = open_db();
	cairn_vulndb_report r;
	memset(&r, 0, sizeof r);
	int err = cairn_vulndb_import(db, cut, NULL, &r);
	cr_expect_neq(err, 0);
	cr_expect(strstr(cairn_error_message(), "half.tar.zst") != NULL, "%s", cairn_error_message());
	cr_expect(strstr(cairn_error_message(), "truncated") != NULL, "%s", cairn_error_message());
	cr_expect_str_eq(match(db, "CRAN", "png", "0.1-5"), "RSEC-2026-1");
	cairn_vulndb_close(db);
	cr_expect_eq(count_advisories(), before);
}

Test(vulndb, other_schema_version_is_refused_with_how_to_rebuild)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_close(db);
	sqlite3 *raw;
	cr_assert_eq(sqlite3_open(db_path, &raw), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version = 99;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	cr_expect_eq(cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_READ), CAIRN_EUNSUPPORTED);
	const char *msg = cairn_error_message();
	cr_expect(strstr(msg, "schema version 99") != NULL, "%s", msg);
	cr_expect(strstr(msg, "delete") != NULL && strstr(msg, "import") != NULL, "%s", msg);
	cr_expect_eq(cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_CREATE), CAIRN_EUNSUPPORTED);
}

Test(vulndb, not_a_database)
{
	FILE *f = fopen(db_path, "w");
	cr_assert_not_null(f);
	fputs("this is not SQLite, just some text that is long enough to be a header.......................", f);
	fclose(f);
	cairn_vulndb *db;
	cr_expect_eq(cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_READ), CAIRN_EINVAL);
	cr_expect(strstr(cairn_error_message(), "not a cairn advisory database") != NULL, "%s", cairn_error_message());
	char missing[256];
	snprintf(missing, sizeof missing, "%s/none.db", dir);
	cr_expect_eq(cairn_vulndb_open(&db, missing, CAIRN_VULNDB_READ), CAIRN_ENOENT);
}

Test(vulndb, invalid_version_is_refused)
{
	cairn_vulndb *db = open_db();
	cairn_vulndb_findings *f;
	cr_expect_eq(cairn_vulndb_match(db, "PyPI", "django", "not:a:version", &f), CAIRN_EINVAL);
	cr_expect(strstr(cairn_error_message(), "not:a:version") != NULL, "%s", cairn_error_message());
	cairn_vulndb_close(db);
}

Test(vulndb, default_path)
{
	cairn_buf out = CAIRN_BUF_INIT;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	cr_assert_eq(cairn_vulndb_default_path(&out), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "/x/cache/cairn/vuln.db");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	cr_assert_eq(cairn_vulndb_default_path(&out), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "/home/u/.cache/cairn/vuln.db");
	cairn_buf_free(&out);
}

/* The TOML subset of advisory front blocks, checked against what the TOML 1.0 specification says
 * these constructs mean. */
Test(vulndb, toml_subset)
{
	const char *text = "# comment\n"
			   "title = \"tab\\there \\u00e9\" # trailing comment\n"
			   "literal = 'C:\\path'\n"
			   "date = 2022-08-31\n"
			   "list = [\n  \">= 1.2.3, < 1.3\", # first\n  \"^1.4\",\n]\n"
			   "[advisory]\n"
			   "id = \"X\"\n"
			   "[affected.functions]\n"
			   "\"crate::f\" = [\"< 1.0\"]\n"
			   "[[affected.versions]]\n"
			   "introduced = \"0\"\n"
			   "[[affected.versions]]\n"
			   "fixed = \"2\"\n"
			   "[inline]\n"
			   "t = { a = \"1\", \"b.c\" = [\"x\"] }\n"
			   "dotted.key = \"v\"\n";
	json_t *doc = NULL;
	cr_assert_eq(vuln_toml_parse(text, strlen(text), "test.toml", &doc), 0, "%s", cairn_error_message());
	char *got = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	cr_expect_str_eq(got, "{\"advisory\":{\"id\":\"X\"},\"affected\":{\"functions\":{\"crate::f\":[\"< 1.0\"]},"
			      "\"versions\":[{\"introduced\":\"0\"},{\"fixed\":\"2\"}]},\"date\":\"2022-08-31\","
			      "\"inline\":{\"dotted\":{\"key\":\"v\"},\"t\":{\"a\":\"1\",\"b.c\":[\"x\"]}},"
			      "\"list\":[\">= 1.2.3, < 1.3\",\"^1.4\"],\"literal\":\"C:\\\\path\",\"title\":\"tab\\there \\u00E9\"}");
	free(got);
	json_decref(doc);
	const char *bad[] = {"a = \"1\"\na = \"2\"\n", "a = \"unterminated\n", "a = \"\"\"multi\"\"\"\n", "[t\n",
			     "a = [1, 2\n", "a = 1 b\n", "= 1\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		doc = NULL;
		cr_expect_eq(vuln_toml_parse(bad[i], strlen(bad[i]), "bad.toml", &doc), CAIRN_EINVAL, "accepted: %s", bad[i]);
		cr_expect(strstr(cairn_error_message(), "bad.toml") != NULL, "%s", cairn_error_message());
		json_decref(doc);
	}
}

/* YAML as the JSON tree it denotes, with every scalar kept as written (YAML 1.1 would read 1.10 as
 * the number 1.1 and a version would be lost). */
Test(vulndb, yaml_scalars_stay_text)
{
	const char *text = "a: 1.10\nb: '0.1-3'\nc: ~\nd:\ne: [x, 2]\nf: {g: true}\nh: 2015-08-06 22:08:00\n";
	json_t *doc = NULL;
	cr_assert_eq(vuln_yaml_parse(text, strlen(text), "t.yaml", &doc), 0, "%s", cairn_error_message());
	char *got = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(got, "{\"a\":\"1.10\",\"b\":\"0.1-3\",\"c\":null,\"d\":null,\"e\":[\"x\",\"2\"],\"f\":{\"g\":\"true\"},"
			      "\"h\":\"2015-08-06 22:08:00\"}");
	free(got);
	json_decref(doc);
	const char *bad[] = {"a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n", "? [k]\n: v\n", "a: [\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		doc = NULL;
		cr_expect_neq(vuln_yaml_parse(bad[i], strlen(bad[i]), "bad.yaml", &doc), 0, "accepted: %s", bad[i]);
		cr_expect(strstr(cairn_error_message(), "bad.yaml") != NULL, "%s", cairn_error_message());
		json_decref(doc);
	}
}
