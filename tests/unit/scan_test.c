/* Unit tests of cairn scan (cairn/scan.h): how packages map to OSV ecosystems, OpenVEX reading and
 * matching rules, --fail-on thresholds, and the structure of each report format. Expectations come
 * from the specifications (OSV ecosystem names, OpenVEX v0.2.0, SARIF 2.1.0, CycloneDX 1.6) and from
 * advisories written here whose ranges decide the answer by inspection; the corpus-backed checks
 * against independent tools are in tests/e2e/scan.bats. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/scan.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char db_path[128];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/cairn-scan-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db_path, sizeof db_path, "%s/vuln.db", dir);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	unsetenv("SOURCE_DATE_EPOCH");
}

TestSuite(scan, .init = make_dir, .fini = remove_dir);

/* ---- ecosystem mapping ---- */

static cairn_sbom *new_sbom(const char *distro_id, const char *distro_version)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cairn_sbom_source *src = cairn_sbom_get_source(sbom);
	if (distro_id != NULL) {
		cr_assert_eq(cairn_sbom_set(&src->distro_id, distro_id), 0);
		cr_assert_eq(cairn_sbom_set(&src->distro_version, distro_version), 0);
	}
	return sbom;
}

static cairn_sbom_package *add(cairn_sbom *sbom, const char *type, const char *ns, const char *name, const char *version)
{
	size_t i;
	cr_assert_eq(cairn_sbom_add_package(sbom, type, name, version, &i), 0, "%s", cairn_error_message());
	cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
	if (ns != NULL)
		cr_assert_eq(cairn_sbom_set(&p->namespace_, ns), 0);
	return p;
}

static void expect_query(cairn_sbom *sbom, const cairn_sbom_package *p, const char *eco, const char *name,
			 const char *version)
{
	cairn_scan_query q = {CAIRN_BUF_INIT, CAIRN_BUF_INIT, CAIRN_BUF_INIT};
	cr_assert_eq(cairn_scan_query_for(sbom, p, &q), 0, "%s: %s", p->name, cairn_error_message());
	cr_expect_str_eq(cairn_buf_cstr(&q.ecosystem), eco, "%s", p->name);
	cr_expect_str_eq(cairn_buf_cstr(&q.name), name, "%s", p->name);
	cr_expect_str_eq(cairn_buf_cstr(&q.version), version, "%s", p->name);
	cairn_scan_query_free(&q);
}

Test(scan, debian_packages_match_by_source_package_and_major_release)
{
	cairn_sbom *sbom = new_sbom("debian", "12");
	cairn_sbom_package *p = add(sbom, "deb", "debian", "libssl3", "3.0.11-1~deb12u2");
	cr_assert_eq(cairn_sbom_set(&p->source_name, "openssl"), 0);
	cr_assert_eq(cairn_sbom_set(&p->source_version, "3.0.11-1~deb12u2"), 0);
	cairn_sbom_package *q = add(sbom, "deb", "debian", "bash", "5.2.15-2+b2");
	expect_query(sbom, p, "Debian:12", "openssl", "3.0.11-1~deb12u2");
	/* Without a source package the binary name and version stand for it. */
	expect_query(sbom, q, "Debian:12", "bash", "5.2.15-2+b2");
	cairn_sbom_free(sbom);

	/* Point releases and codenames: os-release VERSION_ID "12.5" is Debian 12. */
	sbom = new_sbom("debian", "12.5");
	add(sbom, "deb", "debian", "zlib1g", "1:1.2.13.dfsg-1");
	expect_query(sbom, cairn_sbom_package_at(sbom, 0), "Debian:12", "zlib1g", "1:1.2.13.dfsg-1");
	cairn_sbom_free(sbom);
	sbom = new_sbom("debian", NULL);
	cr_assert_eq(cairn_sbom_set(&cairn_sbom_get_source(sbom)->distro_codename, "trixie"), 0);
	add(sbom, "deb", "debian", "zlib1g", "1:1.3");
	expect_query(sbom, cairn_sbom_package_at(sbom, 0), "Debian:trixie", "zlib1g", "1:1.3");
	cairn_sbom_free(sbom);
}

Test(scan, alpine_almalinux_and_rocky_releases)
{
	/* OSV: "Alpine:v3.20" from VERSION_ID 3.20.3; apk packages by origin. */
	cairn_sbom *sbom = new_sbom("alpine", "3.20.3");
	cairn_sbom_package *p = add(sbom, "apk", "alpine", "libcrypto3", "3.3.2-r0");
	cr_assert_eq(cairn_sbom_set(&p->source_name, "openssl"), 0);
	expect_query(sbom, p, "Alpine:v3.20", "openssl", "3.3.2-r0");
	cairn_sbom_free(sbom);

	/* AlmaLinux advisories list binary rpms with epoch:version-release. */
	sbom = new_sbom("almalinux", "9.4");
	p = add(sbom, "rpm", "almalinux", "NetworkManager", "1.46.0-8.el9_4");
	cr_assert_eq(cairn_sbom_set(&p->epoch, "1"), 0);
	cr_assert_eq(cairn_sbom_set(&p->source_name, "NetworkManager-1.46.0-8.el9_4.src.rpm"), 0);
	cairn_sbom_package *bash = add(sbom, "rpm", "almalinux", "bash", "5.1.8-9.el9");
	expect_query(sbom, p, "AlmaLinux:9", "NetworkManager", "1:1.46.0-8.el9_4");
	expect_query(sbom, bash, "AlmaLinux:9", "bash", "5.1.8-9.el9");
	cairn_sbom_free(sbom);

	sbom = new_sbom("rocky", "8.10");
	p = add(sbom, "rpm", "rocky", "bash", "4.4.20-5.el8");
	expect_query(sbom, p, "Rocky Linux:8", "bash", "4.4.20-5.el8");
	cairn_sbom_free(sbom);
}

Test(scan, distro_release_from_the_purl_of_an_sbom_file)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":["
		"{\"type\":\"library\",\"name\":\"libcrypto1.1\",\"version\":\"1.1.1d-r2\","
		"\"purl\":\"pkg:apk/alpine/libcrypto1.1@1.1.1d-r2?arch=x86_64&distro=alpine-3.11.3&upstream=openssl\"},"
		"{\"type\":\"library\",\"name\":\"bash\",\"version\":\"5.1.8-9.el9\","
		"\"purl\":\"pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&distro=almalinux-9.4\"},"
		"{\"type\":\"library\",\"name\":\"curl\",\"version\":\"7.88.1-10\","
		"\"purl\":\"pkg:deb/debian/curl@7.88.1-10?distro=debian-bookworm\"},"
		"{\"type\":\"library\",\"name\":\"nodistro\",\"version\":\"1.0-1\",\"purl\":\"pkg:deb/debian/nodistro@1.0-1\"}]}";
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_read(&sbom, doc, strlen(doc), "doc.json"), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++) {
		cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->name, "libcrypto1.1") == 0)
			expect_query(sbom, p, "Alpine:v3.11", "openssl", "1.1.1d-r2");
		else if (strcmp(p->name, "bash") == 0)
			expect_query(sbom, p, "AlmaLinux:9", "bash", "5.1.8-9.el9");
		else if (strcmp(p->name, "curl") == 0)
			expect_query(sbom, p, "Debian:bookworm", "curl", "7.88.1-10");
		else {
			/* No release anywhere: an error the scan turns into a warning. */
			cairn_scan_query q = {CAIRN_BUF_INIT, CAIRN_BUF_INIT, CAIRN_BUF_INIT};
			cr_expect_eq(cairn_scan_query_for(sbom, p, &q), CAIRN_EINVAL);
			cr_expect_eq(q.ecosystem.len, 0);
			cairn_scan_query_free(&q);
		}
	}
	cairn_sbom_free(sbom);
}

Test(scan, language_packages_by_purl_type)
{
	cairn_sbom *sbom = new_sbom(NULL, NULL);
	cairn_sbom_package *py = add(sbom, "pypi", NULL, "Jinja2", "2.10");
	cairn_sbom_package *mvn = add(sbom, "maven", "org.apache.logging.log4j", "log4j-core", "2.14.1");
	cairn_sbom_package *npm = add(sbom, "npm", "@babel", "traverse", "7.22.0");
	cairn_sbom_package *go = add(sbom, "golang", NULL, "golang.org/x/net", "0.7.0");
	cairn_sbom_package *stdlib = add(sbom, "golang", NULL, "stdlib", "go1.19.8");
	cairn_sbom_package *stdlib_old = add(sbom, "golang", NULL, "stdlib", "go1.20");
	cairn_sbom_package *cargo = add(sbom, "cargo", NULL, "smallvec", "1.6.0");
	cairn_sbom_package *gem = add(sbom, "gem", NULL, "rack", "2.2.3");
	cairn_sbom_package *php = add(sbom, "composer", "symfony", "http-kernel", "v5.4.1");
	cairn_sbom_package *nuget = add(sbom, "nuget", NULL, "Newtonsoft.Json", "12.0.1");
	cairn_sbom_package *other = add(sbom, "generic", NULL, "thing", "1.0");
	expect_query(sbom, py, "PyPI", "Jinja2", "2.10");
	expect_query(sbom, mvn, "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1");
	expect_query(sbom, npm, "npm", "@babel/traverse", "7.22.0");
	expect_query(sbom, go, "Go", "golang.org/x/net", "v0.7.0"); /* Go versions get their "v" */
	/* The toolchain as `go version -m` names it; OSV lists it as module versions. */
	expect_query(sbom, stdlib, "Go", "stdlib", "v1.19.8");
	expect_query(sbom, stdlib_old, "Go", "stdlib", "v1.20.0");
	expect_query(sbom, cargo, "crates.io", "smallvec", "1.6.0");
	expect_query(sbom, gem, "RubyGems", "rack", "2.2.3");
	expect_query(sbom, php, "Packagist", "symfony/http-kernel", "v5.4.1");
	expect_query(sbom, nuget, "NuGet", "Newtonsoft.Json", "12.0.1");
	expect_query(sbom, other, "", "", "");
	cairn_sbom_free(sbom);
}

/* ---- a small database whose answers are plain from the advisories ---- */

/* PYSEC-T-1: jinja2 < 2.10.1, rated high by CVSS 3.1 (AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N = 7.5).
 * GHSA-t-2: jinja2 >= 2.0, < 3.0 without a fix known... then fixed 3.0; medium in words. A second
 * advisory PYSEC-T-3 (no rating) affects only 2.10 by its versions list. */
static const char *ADVISORIES[][2] = {
	{"PYSEC-T-1.json",
	 "{\"id\":\"PYSEC-T-1\",\"modified\":\"2024-01-01T00:00:00Z\",\"aliases\":[\"CVE-2099-0001\"],"
	 "\"summary\":\"sandbox escape\","
	 "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"}],"
	 "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"jinja2\"},"
	 "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.10.1\"}]}]}]}"},
	{"GHSA-t-2.json",
	 "{\"id\":\"GHSA-tttt-2222-tttt\",\"modified\":\"2024-01-01T00:00:00Z\",\"summary\":\"template injection\","
	 "\"database_specific\":{\"severity\":\"MODERATE\"},"
	 "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"jinja2\"},"
	 "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.0\"},{\"fixed\":\"3.0\"}]}]}]}"},
	{"PYSEC-T-3.json",
	 "{\"id\":\"PYSEC-T-3\",\"modified\":\"2024-01-01T00:00:00Z\",\"summary\":\"listed only\","
	 "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"jinja2\"},\"versions\":[\"2.10\"]}]}"},
	{"PYSEC-T-5.json",
	 "{\"id\":\"PYSEC-T-5\",\"modified\":\"2024-01-01T00:00:00Z\","
	 "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"listed\"},\"versions\":[\"1.0\",\"1.1\"],"
	 "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"fixed\":\"1.2\"}]}]}]}"},
	{"GO-T-4.json",
	 "{\"id\":\"GO-T-4\",\"modified\":\"2024-01-01T00:00:00Z\",\"summary\":\"no fix\","
	 "\"database_specific\":{\"severity\":\"CRITICAL\"},"
	 "\"affected\":[{\"package\":{\"ecosystem\":\"Go\",\"name\":\"example.com/mod\"},"
	 "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"}]}]}]}"},
};

static cairn_vulndb *small_db(void)
{
	cairn_vulndb *db;
	cr_assert_eq(cairn_vulndb_open(&db, db_path, CAIRN_VULNDB_CREATE), 0, "%s", cairn_error_message());
	cairn_vulndb_report r;
	memset(&r, 0, sizeof r);
	for (size_t i = 0; i < sizeof ADVISORIES / sizeof ADVISORIES[0]; i++)
		cr_assert_eq(cairn_vulndb_import_memory(db, ADVISORIES[i][0], ADVISORIES[i][1], strlen(ADVISORIES[i][1]), NULL, &r),
			     0, "%s", cairn_error_message());
	return db;
}

/* jinja2 2.10 (three findings), example.com/mod v1.0.0 (one), and a PyPI version PEP 440 cannot read. */
static cairn_sbom *small_sbom(void)
{
	static const char doc[] =
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":["
		"{\"type\":\"library\",\"bom-ref\":\"a\",\"name\":\"jinja2\",\"version\":\"2.10\",\"purl\":\"pkg:pypi/jinja2@2.10\"},"
		"{\"type\":\"library\",\"bom-ref\":\"b\",\"name\":\"example.com/mod\",\"version\":\"v1.0.0\","
		"\"purl\":\"pkg:golang/example.com/mod@v1.0.0\"},"
		"{\"type\":\"library\",\"bom-ref\":\"c\",\"name\":\"jinja2\",\"version\":\"not a version\","
		"\"purl\":\"pkg:pypi/jinja2@not%20a%20version\"}]}";
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_read(&sbom, doc, strlen(doc), "small.json"), 0, "%s", cairn_error_message());
	return sbom;
}

static cairn_scan_result *run(cairn_vulndb *db, cairn_sbom *sbom, const cairn_vex *vex, int only_fixed)
{
	cairn_scan_options opts = {only_fixed, vex, "small.json"};
	cairn_scan_result *r;
	cr_assert_eq(cairn_scan_run(&r, db, sbom, &opts), 0, "%s", cairn_error_message());
	return r;
}

static const cairn_scan_finding *find(const cairn_scan_result *r, const char *id)
{
	for (size_t i = 0; i < cairn_scan_count(r); i++)
		if (strcmp(cairn_scan_get(r, i)->vuln.id, id) == 0)
			return cairn_scan_get(r, i);
	return NULL;
}

Test(scan, findings_sorted_by_severity_with_warnings_for_bad_versions)
{
	cairn_vulndb *db = small_db();
	cairn_sbom *sbom = small_sbom();
	cairn_scan_result *r = run(db, sbom, NULL, 0);
	cr_assert_eq(cairn_scan_count(r), 4);
	static const char *order[] = {"GO-T-4", "PYSEC-T-1", "GHSA-tttt-2222-tttt", "PYSEC-T-3"};
	for (size_t i = 0; i < 4; i++)
		cr_expect_str_eq(cairn_scan_get(r, i)->vuln.id, order[i]);
	const cairn_scan_finding *f = find(r, "PYSEC-T-1");
	cr_expect_str_eq(f->vuln.fixed, "2.10.1");
	cr_expect_str_eq(f->vuln.aliases, "CVE-2099-0001");
	cr_expect_float_eq(f->vuln.score, 7.5, 1e-9);
	cr_expect_eq(f->vuln.severity, CAIRN_SEVERITY_HIGH);
	cr_expect_str_eq(f->ecosystem, "PyPI");
	cr_expect_eq(cairn_scan_warning_count(r), 1);
	cr_expect(strstr(cairn_scan_warning(r, 0), "not a version") != NULL, "%s", cairn_scan_warning(r, 0));
	cr_expect_eq(cairn_scan_packages_matched(r), 2);
	cairn_scan_free(r);

	/* --only-fixed drops GO-T-4 (no fix) and PYSEC-T-3 (a versions list names no fix). */
	r = run(db, sbom, NULL, 1);
	cr_expect_eq(cairn_scan_count(r), 2);
	cr_expect_null(find(r, "GO-T-4"));
	cr_expect_null(find(r, "PYSEC-T-3"));
	cairn_scan_free(r);
	cairn_sbom_free(sbom);
	cairn_vulndb_close(db);
}

Test(scan, listed_version_still_gets_the_fix_of_its_range)
{
	cairn_vulndb *db = small_db();
	cairn_vulndb_findings *f;
	/* "1.0.0" equals the listed "1.0" by PEP 440 (not by text); the range says 1.2 fixes it. */
	cr_assert_eq(cairn_vulndb_match(db, "PyPI", "listed", "1.0.0", &f), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_vulndb_findings_count(f), 1);
	cr_expect_str_eq(cairn_vulndb_findings_get(f, 0)->fixed, "1.2");
	cairn_vulndb_findings_free(f);
	cr_assert_eq(cairn_vulndb_match(db, "PyPI", "listed", "1.2", &f), 0);
	cr_expect_eq(cairn_vulndb_findings_count(f), 0);
	cairn_vulndb_findings_free(f);
	cairn_vulndb_close(db);
}

Test(scan, fail_on_thresholds)
{
	enum cairn_severity s;
	cr_assert_eq(cairn_scan_threshold_parse("HIGH", &s), 0);
	cr_expect_eq(s, CAIRN_SEVERITY_HIGH);
	cr_expect_eq(cairn_scan_threshold_parse("moderate", &s), CAIRN_EINVAL);
	cr_expect_eq(cairn_scan_threshold_parse("", &s), CAIRN_EINVAL);
	cairn_vulndb *db = small_db();
	cairn_sbom *sbom = small_sbom();
	cairn_scan_result *r = run(db, sbom, NULL, 0);
	/* critical GO-T-4, high PYSEC-T-1, medium GHSA; PYSEC-T-3 is unrated and never counts. */
	cr_expect_eq(cairn_scan_count_at_least(r, CAIRN_SEVERITY_CRITICAL), 1);
	cr_expect_eq(cairn_scan_count_at_least(r, CAIRN_SEVERITY_HIGH), 2);
	cr_expect_eq(cairn_scan_count_at_least(r, CAIRN_SEVERITY_MEDIUM), 3);
	cr_expect_eq(cairn_scan_count_at_least(r, CAIRN_SEVERITY_LOW), 3);
	cairn_scan_free(r);
	cairn_sbom_free(sbom);
	cairn_vulndb_close(db);
}

/* ---- VEX ---- */

static cairn_vex *vex_of(const char *doc)
{
	cairn_vex *vex;
	cr_assert_eq(cairn_vex_new(&vex), 0);
	cr_assert_eq(cairn_vex_read(vex, doc, strlen(doc), "test.vex.json"), 0, "%s", cairn_error_message());
	return vex;
}

#define VEX_HEAD "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"x\",\"author\":\"t\"," \
		 "\"timestamp\":\"2024-01-01T00:00:00Z\",\"version\":1,\"statements\":["

Test(scan, vex_matches_by_id_or_alias_and_purl_without_qualifiers)
{
	cairn_vex *vex = vex_of(VEX_HEAD
		"{\"vulnerability\":{\"name\":\"CVE-2099-0001\"},\"products\":[{\"@id\":\"pkg:pypi/Jinja2@2.10?repository_url=x#sub\"}],"
		"\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_in_execute_path\"},"
		"{\"vulnerability\":{\"@id\":\"https://x/GO-T-4\",\"name\":\"GO-T-4\",\"aliases\":[\"CVE-2099-0004\"]},"
		"\"products\":[{\"@id\":\"pkg:golang/example.com/mod@v1.0.0\"}],\"status\":\"fixed\"}]}");
	cr_expect_eq(cairn_vex_statement_count(vex), 2);
	/* By the finding's alias; the VEX purl's name case, qualifiers and subpath do not matter. */
	const cairn_vex_statement *s = cairn_vex_find(vex, "PYSEC-T-1", "CVE-2099-0001", "pkg:pypi/jinja2@2.10", NULL);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->justification, "vulnerable_code_not_in_execute_path");
	cr_expect(cairn_vex_suppresses(s));
	/* Another version of the package is another product. */
	cr_expect_null(cairn_vex_find(vex, "PYSEC-T-1", "CVE-2099-0001", "pkg:pypi/jinja2@2.11", NULL));
	/* Another vulnerability of the same package. */
	cr_expect_null(cairn_vex_find(vex, "PYSEC-T-3", "", "pkg:pypi/jinja2@2.10", NULL));
	/* The statement's alias matches the finding's ID. */
	s = cairn_vex_find(vex, "CVE-2099-0004", NULL, "pkg:golang/example.com/mod@v1.0.0", NULL);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->status, "fixed");
	cairn_vex_free(vex);
}

Test(scan, vex_image_products_and_subcomponents)
{
	cairn_vex *vex = vex_of(VEX_HEAD
		"{\"vulnerability\":{\"name\":\"V-1\"},\"products\":[{\"@id\":\"pkg:oci/app@sha256:abcd\"}],"
		"\"status\":\"not_affected\",\"impact_statement\":\"not reachable in this image\"},"
		"{\"vulnerability\":{\"name\":\"V-2\"},\"products\":[{\"@id\":\"pkg:oci/app@sha256:abcd\","
		"\"subcomponents\":[{\"@id\":\"pkg:npm/lodash@4.17.20\"}]}],"
		"\"status\":\"not_affected\",\"justification\":\"component_not_present\"}]}");
	const char *image[] = {"oci-dir:/x", "sha256:abcd", NULL};
	const char *other[] = {"sha256:ffff", NULL};
	/* The image itself, without subcomponents: every package of it. */
	cr_expect_not_null(cairn_vex_find(vex, "V-1", "", "pkg:npm/anything@1.0.0", image));
	cr_expect_null(cairn_vex_find(vex, "V-1", "", "pkg:npm/anything@1.0.0", other));
	/* With subcomponents: only those, and only in that image (or when no image is known). */
	cr_expect_not_null(cairn_vex_find(vex, "V-2", "", "pkg:npm/lodash@4.17.20", image));
	cr_expect_null(cairn_vex_find(vex, "V-2", "", "pkg:npm/express@4.0.0", image));
	cr_expect_null(cairn_vex_find(vex, "V-2", "", "pkg:npm/lodash@4.17.20", other));
	cr_expect_not_null(cairn_vex_find(vex, "V-2", "", "pkg:npm/lodash@4.17.20", NULL));
	cairn_vex_free(vex);
}

Test(scan, vex_latest_statement_wins)
{
	/* Read in the "wrong" order: the affected statement is later by timestamp, so it decides. */
	cairn_vex *vex = vex_of(VEX_HEAD
		"{\"vulnerability\":{\"name\":\"V-1\"},\"products\":[{\"@id\":\"pkg:pypi/a@1.0\"}],\"status\":\"affected\","
		"\"timestamp\":\"2024-03-01T10:00:00+02:00\"},"
		"{\"vulnerability\":{\"name\":\"V-1\"},\"products\":[{\"@id\":\"pkg:pypi/a@1.0\"}],\"status\":\"not_affected\","
		"\"justification\":\"inline_mitigations_already_exist\",\"timestamp\":\"2024-02-01T00:00:00Z\"}]}");
	const cairn_vex_statement *s = cairn_vex_find(vex, "V-1", "", "pkg:pypi/a@1.0", NULL);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->status, "affected");
	cr_expect_not(cairn_vex_suppresses(s));
	/* A second document with a later not_affected statement overrides it. */
	static const char later[] = "{\"@context\":\"https://openvex.dev/ns\",\"@id\":\"y\",\"author\":\"t\","
				    "\"timestamp\":\"2024-04-01T00:00:00Z\",\"version\":1,\"statements\":["
				    "{\"vulnerability\":\"V-1\",\"products\":[\"pkg:pypi/a@1.0\"],"
				    "\"status\":\"not_affected\",\"justification\":\"component_not_present\"}]}";
	cr_assert_eq(cairn_vex_read(vex, later, strlen(later), "later.json"), 0, "%s", cairn_error_message());
	s = cairn_vex_find(vex, "V-1", "", "pkg:pypi/a@1.0", NULL);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->justification, "component_not_present");
	cr_expect_str_eq(s->document, "later.json");
	cairn_vex_free(vex);
}

Test(scan, malformed_vex_is_refused_naming_the_file)
{
	static const char *bad[] = {
		"[]",
		"{\"@context\":\"https://example.com/ns\",\"statements\":[]}",
		"{\"@context\":\"https://openvex.dev/ns/v0.2.0\"}",
		VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"products\":[{\"@id\":\"p\"}],\"status\":\"not_affected\"}]}",
		VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"products\":[{\"@id\":\"p\"}],\"status\":\"maybe\"}]}",
		VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"products\":[{\"@id\":\"p\"}],\"status\":\"not_affected\","
			 "\"justification\":\"trust_me\"}]}",
		VEX_HEAD "{\"vulnerability\":{},\"products\":[{\"@id\":\"p\"}],\"status\":\"fixed\"}]}",
		VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"products\":[],\"status\":\"fixed\"}]}",
		VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"products\":[{\"@id\":\"p\"}],\"status\":\"fixed\","
			 "\"timestamp\":\"yesterday\"}]}",
		VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"products\":[{}],\"status\":\"fixed\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_vex *vex;
		cr_assert_eq(cairn_vex_new(&vex), 0);
		cr_expect_lt(cairn_vex_read(vex, bad[i], strlen(bad[i]), "bad.vex.json"), 0, "%s", bad[i]);
		cr_expect(strstr(cairn_error_message(), "bad.vex.json") != NULL, "%s", cairn_error_message());
		cr_expect_eq(cairn_vex_statement_count(vex), 0, "%s", bad[i]);
		cairn_vex_free(vex);
	}
}

Test(scan, vex_product_count_is_bounded)
{
	cairn_buf doc = CAIRN_BUF_INIT;
	cairn_buf_append_str(&doc, VEX_HEAD "{\"vulnerability\":{\"name\":\"V\"},\"status\":\"fixed\",\"products\":[");
	for (int i = 0; i <= CAIRN_VEX_MAX_PRODUCTS; i++)
		cairn_buf_printf(&doc, "%s{\"@id\":\"pkg:npm/p%d@1\"}", i ? "," : "", i);
	cairn_buf_append_str(&doc, "]}]}");
	cairn_vex *vex;
	cr_assert_eq(cairn_vex_new(&vex), 0);
	cr_expect_eq(cairn_vex_read(vex, doc.data, doc.len, "big.json"), CAIRN_ETOOBIG);
	cairn_vex_free(vex);
	cairn_buf_free(&doc);
}

Test(scan, suppressed_findings_do_not_fail)
{
	cairn_vulndb *db = small_db();
	cairn_sbom *sbom = small_sbom();
	cairn_vex *vex = vex_of(VEX_HEAD
		"{\"vulnerability\":{\"name\":\"GO-T-4\"},\"products\":[{\"@id\":\"pkg:golang/example.com/mod@v1.0.0\"}],"
		"\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_present\"}]}");
	cairn_scan_result *r = run(db, sbom, vex, 0);
	const cairn_scan_finding *f = find(r, "GO-T-4");
	cr_assert_not_null(f);
	cr_expect(f->suppressed);
	cr_expect_str_eq(f->vex->justification, "vulnerable_code_not_present");
	cr_expect_eq(cairn_scan_count_at_least(r, CAIRN_SEVERITY_CRITICAL), 0);
	cr_expect_eq(cairn_scan_count_at_least(r, CAIRN_SEVERITY_HIGH), 1);
	cairn_buf table = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_scan_write_table(r, &table), 0);
	const char *suppressed = strstr(cairn_buf_cstr(&table), "Suppressed by VEX:");
	cr_assert_not_null(suppressed, "%s", cairn_buf_cstr(&table));
	cr_expect(strstr(suppressed, "GO-T-4") != NULL && strstr(suppressed, "vulnerable_code_not_present") != NULL);
	/* ... and only there: not among the findings above it. */
	cr_expect(strstr(cairn_buf_cstr(&table), "GO-T-4") > suppressed);
	cairn_buf_free(&table);
	cairn_scan_free(r);
	cairn_vex_free(vex);
	cairn_sbom_free(sbom);
	cairn_vulndb_close(db);
}

/* ---- reports ---- */

static json_t *report(enum cairn_scan_format format, const cairn_vex *vex)
{
	cairn_vulndb *db = small_db();
	cairn_sbom *sbom = small_sbom();
	cairn_scan_result *r = run(db, sbom, vex, 0);
	cairn_buf out = CAIRN_BUF_INIT, again = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_scan_write(r, format, &out), 0, "%s", cairn_error_message());
	/* SOURCE_DATE_EPOCH is set: the same scan writes the same bytes. */
	cr_assert_eq(cairn_scan_write(r, format, &again), 0);
	cr_expect_eq(out.len, again.len);
	cr_expect_eq(memcmp(out.data, again.data, out.len), 0);
	json_t *doc;
	cr_assert_eq(cairn_json_parse(&doc, out.data, out.len, NULL, "report"), 0, "%s", cairn_error_message());
	cairn_buf_free(&out);
	cairn_buf_free(&again);
	cairn_scan_free(r);
	cairn_sbom_free(sbom);
	cairn_vulndb_close(db);
	return doc;
}

static const char *str_at(json_t *obj, const char *path)
{
	/* "a.b.0.c": members and array indexes */
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	json_t *cur = obj;
	for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
		cur = (tok[0] >= '0' && tok[0] <= '9') ? json_array_get(cur, (size_t)atoi(tok)) : json_object_get(cur, tok);
	return json_string_value(cur);
}

Test(scan, json_report_shape)
{
	json_t *doc = report(CAIRN_SCAN_JSON, NULL);
	cr_expect_str_eq(str_at(doc, "schema"), "cairn-scan/1");
	cr_expect_str_eq(str_at(doc, "timestamp"), "2023-11-14T22:13:20Z");
	json_t *findings = json_object_get(doc, "findings");
	cr_assert_eq(json_array_size(findings), 4);
	json_t *f = json_array_get(findings, 1);
	cr_expect_str_eq(str_at(f, "id"), "PYSEC-T-1");
	cr_expect_str_eq(str_at(f, "aliases.0"), "CVE-2099-0001");
	cr_expect_str_eq(str_at(f, "severity"), "high");
	cr_expect_float_eq(json_real_value(json_object_get(f, "score")), 7.5, 1e-9);
	cr_expect_str_eq(str_at(f, "cvss_version"), "3.1");
	cr_expect_str_eq(str_at(f, "fixed_version"), "2.10.1");
	cr_expect_str_eq(str_at(f, "package.purl"), "pkg:pypi/jinja2@2.10");
	cr_expect_str_eq(str_at(f, "match.ecosystem"), "PyPI");
	cr_expect(json_is_null(json_object_get(f, "suppressed")));
	cr_expect(json_is_null(json_object_get(json_array_get(findings, 0), "fixed_version")));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "summary"), "findings")), 4);
	cr_expect_eq(json_array_size(json_object_get(doc, "warnings")), 1);
	json_decref(doc);
}

Test(scan, sarif_report_structure)
{
	json_t *doc = report(CAIRN_SCAN_SARIF, NULL);
	cr_expect_str_eq(str_at(doc, "version"), "2.1.0");
	json_t *run0 = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *rules = json_object_get(json_object_get(json_object_get(run0, "tool"), "driver"), "rules");
	json_t *results = json_object_get(run0, "results");
	cr_assert_eq(json_array_size(rules), 4); /* one per vulnerability ID */
	cr_assert_eq(json_array_size(results), 4);
	cr_expect_str_eq(str_at(rules, "1.id"), "PYSEC-T-1");
	cr_expect_str_eq(str_at(rules, "1.properties.security-severity"), "7.5");
	cr_expect_str_eq(str_at(rules, "0.properties.security-severity"), "9.5"); /* critical, unscored */
	cr_expect_null(json_object_get(json_object_get(json_array_get(rules, 3), "properties"), "security-severity"));
	cr_expect_str_eq(str_at(results, "0.level"), "error");
	cr_expect_str_eq(str_at(results, "2.level"), "warning");
	cr_expect_str_eq(str_at(results, "3.level"), "note");
	cr_expect_str_eq(str_at(results, "1.ruleId"), "PYSEC-T-1");
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(results, 1), "ruleIndex")), 1);
	/* No location in the SBOM: the SBOM file scanned. */
	cr_expect_str_eq(str_at(results, "1.locations.0.physicalLocation.artifactLocation.uri"), "small.json");
	json_decref(doc);
}

Test(scan, cyclonedx_report_structure)
{
	cairn_vex *vex = vex_of(VEX_HEAD
		"{\"vulnerability\":{\"name\":\"GO-T-4\"},\"products\":[{\"@id\":\"pkg:golang/example.com/mod@v1.0.0\"}],"
		"\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_in_execute_path\"}]}");
	json_t *doc = report(CAIRN_SCAN_CYCLONEDX, vex);
	cairn_vex_free(vex);
	cr_expect_str_eq(str_at(doc, "specVersion"), "1.6");
	cr_expect(strncmp(str_at(doc, "serialNumber"), "urn:uuid:", 9) == 0);
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	cr_assert_eq(json_array_size(vulns), 4);
	/* Every affects ref is a component's bom-ref. */
	json_t *components = json_object_get(doc, "components");
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		const char *ref = str_at(json_array_get(vulns, i), "affects.0.ref");
		int found = 0;
		for (size_t j = 0; j < json_array_size(components); j++)
			found |= strcmp(str_at(json_array_get(components, j), "bom-ref"), ref) == 0;
		cr_expect(found, "%s", ref);
	}
	json_t *go = json_array_get(vulns, 0);
	cr_expect_str_eq(str_at(go, "id"), "GO-T-4");
	cr_expect_str_eq(str_at(go, "analysis.state"), "not_affected");
	cr_expect_str_eq(str_at(go, "analysis.justification"), "code_not_reachable");
	json_t *py = json_array_get(vulns, 1);
	cr_expect_str_eq(str_at(py, "ratings.0.method"), "CVSSv31");
	cr_expect_str_eq(str_at(py, "ratings.0.severity"), "high");
	cr_expect_str_eq(str_at(py, "source.name"), "osv:PyPI");
	cr_expect_str_eq(str_at(py, "references.0.id"), "CVE-2099-0001");
	json_decref(doc);
}

Test(scan, openvex_report_reads_back)
{
	json_t *doc = report(CAIRN_SCAN_OPENVEX, NULL);
	cr_expect_str_eq(str_at(doc, "@context"), "https://openvex.dev/ns/v0.2.0");
	json_t *st = json_object_get(doc, "statements");
	cr_assert_eq(json_array_size(st), 4);
	cr_expect_str_eq(str_at(st, "1.vulnerability.name"), "PYSEC-T-1");
	cr_expect_str_eq(str_at(st, "1.status"), "affected");
	cr_expect_str_eq(str_at(st, "1.products.0.@id"), "pkg:pypi/jinja2@2.10");
	/* The document is one --vex accepts; "affected" suppresses nothing. */
	char *text = json_dumps(doc, 0);
	cairn_vex *vex = vex_of(text);
	free(text);
	const cairn_vex_statement *s = cairn_vex_find(vex, "PYSEC-T-1", "", "pkg:pypi/jinja2@2.10", NULL);
	cr_assert_not_null(s);
	cr_expect_not(cairn_vex_suppresses(s));
	cairn_vex_free(vex);
	json_decref(doc);
}

Test(scan, format_names)
{
	enum cairn_scan_format f;
	cr_expect_eq(cairn_scan_format_parse("sarif", &f), 0);
	cr_expect_eq(f, CAIRN_SCAN_SARIF);
	cr_expect_eq(cairn_scan_format_parse("cyclonedx-json", &f), 0);
	cr_expect_eq(f, CAIRN_SCAN_CYCLONEDX);
	cr_expect_eq(cairn_scan_format_parse("xml", &f), CAIRN_EINVAL);
}
