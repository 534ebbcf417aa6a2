/* Unit tests of reading SBOMs: purl parsing (cases from the purl specification's examples and test
 * suite), CycloneDX's own valid and invalid example BOMs and the SPDX 2.3 example document from the
 * corpus, and round trips of what cairn writes (CycloneDX and SPDX, byte for byte). */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- purl ---- */

struct parse_case {
	const char *text, *type, *namespace_, *name, *version, *subpath;
	const char *key, *value; /* one qualifier to check, or NULL */
};

static const struct parse_case parse_cases[] = {
	{"pkg:maven/org.apache.commons/io@1.3.4", "maven", "org.apache.commons", "io", "1.3.4", NULL, NULL, NULL},
	{"pkg:npm/%40angular/animation@12.3.1", "npm", "@angular", "animation", "12.3.1", NULL, NULL, NULL},
	{"pkg:golang/google.golang.org/genproto#googleapis/api/annotations", "golang", "google.golang.org", "genproto", NULL,
	 "googleapis/api/annotations", NULL, NULL},
	{"pkg:docker/customer/dockerimage@sha256%3A244fd47e07d10?repository_url=gcr.io", "docker", "customer", "dockerimage",
	 "sha256:244fd47e07d10", NULL, "repository_url", "gcr.io"},
	{"pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie", "deb", "debian", "curl", "7.50.3-1", NULL, "distro", "jessie"},
	{"pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25", "rpm", "fedora", "curl", "7.50.3-1.fc25", NULL, "arch",
	 "i386"},
	{"pkg:rpm/opensuse/curl@7.56.1-1.1.?arch=i386&distro=opensuse-tumbleweed", "rpm", "opensuse", "curl", "7.56.1-1.1.", NULL,
	 "distro", "opensuse-tumbleweed"},
	{"pkg:GOLANG/github.com/gorilla/context@234fd47e07d1004f0aed9c", "golang", "github.com/gorilla", "context",
	 "234fd47e07d1004f0aed9c", NULL, NULL, NULL},
	{"pkg:nuget/EnterpriseLibrary.Common@6.0.1304", "nuget", NULL, "EnterpriseLibrary.Common", "6.0.1304", NULL, NULL, NULL},
	{"pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&type=zip", "maven", "org.apache.xmlgraphics",
	 "batik-anim", "1.9.1", NULL, "classifier", "sources"},
	{"pkg:gem/jruby-launcher@1.1.2?Platform=java", "gem", NULL, "jruby-launcher", "1.1.2", NULL, "platform", "java"},
	{"pkg://pypi/django@1.11.1", "pypi", NULL, "django", "1.11.1", NULL, NULL, NULL},
	{"pkg:rpm/centos/bash@4.2.46-34.el7?epoch=1&arch=x86_64", "rpm", "centos", "bash", "4.2.46-34.el7", NULL, "epoch", "1"},
};

static void check_str(const char *got, const char *want, const char *what, const char *text)
{
	if (want == NULL)
		cr_assert_null(got, "%s: %s should be absent, is '%s'", text, what, got);
	else
		cr_assert(got != NULL && strcmp(got, want) == 0, "%s: %s is '%s', not '%s'", text, what, got ? got : "(null)", want);
}

Test(sbom_read, purl_parse)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		cairn_purl p;
		cr_assert_eq(cairn_purl_parse(&p, c->text), 0, "%s: %s", c->text, cairn_error_message());
		check_str(p.type, c->type, "type", c->text);
		check_str(p.namespace_, c->namespace_, "namespace", c->text);
		check_str(p.name, c->name, "name", c->text);
		check_str(p.version, c->version, "version", c->text);
		check_str(p.subpath, c->subpath, "subpath", c->text);
		if (c->key != NULL)
			check_str(cairn_purl_qualifier_get(&p, c->key), c->value, c->key, c->text);
		cairn_purl_clear(&p);
	}
}

Test(sbom_read, purl_parse_rejects)
{
	/* purl-spec test suite "invalid" cases, and hostile ones */
	static const char *const bad[] = {"EnterpriseLibrary.Common@6.0.1304", "pkg:EnterpriseLibrary.Common@6.0.1304",
					  "pkg:maven/@1.3.4", "pkg:/name@1", "pkg:3d/name@1", "pkg:npm/a%2", "pkg:npm/a%zz",
					  "pkg:npm/a%00b", "pkg:npm/a?=x", "pkg:npm/a?k=1&k=2", "pkg:npm/a?1k=x", "pkg:npm/"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_purl p;
		cr_assert_neq(cairn_purl_parse(&p, bad[i]), 0, "'%s' is no purl", bad[i]);
		cr_assert_null(p.type);
	}
	char *huge = malloc(5000);
	cr_assert_not_null(huge);
	memset(huge, 'a', 4999);
	memcpy(huge, "pkg:npm/", 8);
	huge[4999] = '\0';
	cairn_purl p;
	cr_assert_eq(cairn_purl_parse(&p, huge), CAIRN_ETOOBIG);
	free(huge);
}

Test(sbom_read, purl_build_parse_agree)
{
	/* what cairn builds parses back into the same parts */
	cairn_purl_qualifier q[] = {{"arch", "amd64"}, {"distro", "debian-12"}, {"upstream", "openssl"}};
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_purl_build(&out, "deb", "debian", "libssl3", "3.0.11-1~deb12u2", q, 3, NULL), 0);
	cairn_purl p;
	cr_assert_eq(cairn_purl_parse(&p, cairn_buf_cstr(&out)), 0, "%s", cairn_error_message());
	cr_assert_str_eq(p.name, "libssl3");
	cr_assert_str_eq(p.version, "3.0.11-1~deb12u2");
	cr_assert_str_eq(cairn_purl_qualifier_get(&p, "upstream"), "openssl");
	cr_assert_eq(p.qualifier_count, 3);
	cairn_purl_clear(&p);
	cairn_buf_free(&out);
}

/* ---- corpus documents ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	cairn_buf b = CAIRN_BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		cr_assert_eq(cairn_buf_append(&b, chunk, n), 0);
	fclose(f);
	*len = b.len;
	cr_assert_eq(cairn_buf_append_byte(&b, 0), 0);
	return (char *)cairn_buf_detach(&b, NULL);
}

static int read_corpus(const char *rel, cairn_sbom **out)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/sbom/examples/%s", test_corpus(), rel);
	size_t len;
	char *text = slurp(path, &len);
	int err = cairn_sbom_read(out, text, len, rel);
	free(text);
	return err;
}

static size_t find(const cairn_sbom *sbom, const char *name)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		if (strcmp(cairn_sbom_package_at(sbom, i)->name, name) == 0)
			return i;
	cr_assert_fail("no package %s", name);
	return 0;
}

Test(sbom_read, cyclonedx_valid_examples)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/sbom/examples/cyclonedx-1.6", test_corpus());
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	size_t count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "valid-", 6) != 0)
			continue;
		char rel[512];
		snprintf(rel, sizeof rel, "cyclonedx-1.6/%s", e->d_name);
		cairn_sbom *sbom;
		cr_assert_eq(read_corpus(rel, &sbom), 0, "%s: %s", rel, cairn_error_message());
		/* whatever it holds, cairn can write it again */
		cairn_buf out = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out), 0, "%s: %s", rel, cairn_error_message());
		cr_assert_eq(cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out), 0, "%s: %s", rel, cairn_error_message());
		cairn_buf_free(&out);
		cairn_sbom_free(sbom);
		count++;
	}
	closedir(d);
	cr_assert_geq(count, 40, "the corpus holds CycloneDX's valid examples");
}

Test(sbom_read, cyclonedx_examples_content)
{
	cairn_sbom *sbom;
	cr_assert_eq(read_corpus("cyclonedx-1.6/valid-dependency-1.6.json", &sbom), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 3);
	size_t b = find(sbom, "library-b"), c = find(sbom, "library-c");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, b)->version, "1.0.0");
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 1, "library-b dependsOn library-c; library-a on nothing");
	const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, 0);
	cr_assert(r->from == b && r->to == c && r->type == CAIRN_SBOM_REL_DEPENDS_ON);
	cairn_sbom_free(sbom);

	cr_assert_eq(read_corpus("cyclonedx-1.6/valid-component-identifiers-1.6.json", &sbom), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	const cairn_sbom_package *p = cairn_sbom_package_at(sbom, find(sbom, "acme-library"));
	cr_assert_str_eq(p->type, "maven");
	cr_assert_str_eq(p->namespace_, "com.example");
	cr_assert_str_eq(p->purl, "pkg:maven/com.example/acme-library@1.0.0");
	cr_assert_eq(p->cpe_count, 1);
	cr_assert_str_eq(p->cpes[0], "cpe:2.3:a:example:acme-library:1.0.0:*:*:*:*:*:*:*");
	cairn_sbom_free(sbom);
}

Test(sbom_read, cyclonedx_invalid_examples)
{
	/* the invalid examples whose fault is in what cairn reads (hashes, signatures, services... are not read) */
	static const char *const bad[] = {"invalid-bomformat", "invalid-empty-component", "invalid-missing-component-type",
					  "invalid-component-type", "invalid-dependency", "invalid-license-missing-id-and-name",
					  "invalid-license-choice", "invalid-properties", "invalid-component-ref"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char rel[256];
		snprintf(rel, sizeof rel, "cyclonedx-1.6/%s-1.6.json", bad[i]);
		cairn_sbom *sbom = (cairn_sbom *)1;
		cr_assert_eq(read_corpus(rel, &sbom), CAIRN_EINVAL, "%s is refused", rel);
		cr_assert_null(sbom);
		cr_assert(strstr(cairn_error_message(), rel) != NULL, "the message names the input: %s", cairn_error_message());
	}
}

Test(sbom_read, spdx_example)
{
	cairn_sbom *sbom;
	cr_assert_eq(read_corpus("SPDXJSONExample-v2.3.spdx.json", &sbom), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	/* glibc (described, but a package with identifiers), Apache Commons Lang, Jena, Saxon */
	cr_assert_eq(cairn_sbom_package_count(sbom), 4);
	const cairn_sbom_package *glibc = cairn_sbom_package_at(sbom, find(sbom, "glibc"));
	cr_assert_str_eq(glibc->version, "2.11.1");
	cr_assert_str_eq(glibc->supplier, "Jane Doe (jane.doe@example.com)");
	cr_assert_str_eq(glibc->cpes[0], "cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*");
	/* "(LGPL-2.0-only AND LicenseRef-3)": the model's list of licenses is ANDed */
	cr_assert_eq(glibc->license_count, 2);
	cr_assert_str_eq(glibc->licenses[0], "LGPL-2.0-only");
	/* LicenseRef-3 is the CyberNeko License: its name is kept with the ref */
	int found = 0;
	for (size_t i = 0; i < cairn_sbom_license_ref_count(sbom); i++)
		found |= strcmp(cairn_sbom_license_ref_at(sbom, i)->text, "CyberNeko License") == 0 &&
			 strcmp(glibc->licenses[1], cairn_sbom_license_ref_at(sbom, i)->id) == 0;
	cr_assert(found, "glibc's LicenseRef-3 resolves to the CyberNeko License");
	const cairn_sbom_package *jena = cairn_sbom_package_at(sbom, find(sbom, "Jena"));
	cr_assert_str_eq(jena->type, "maven");
	cr_assert_str_eq(jena->namespace_, "org.apache.jena");
	cr_assert_str_eq(jena->purl, "pkg:maven/org.apache.jena/apache-jena@3.12.0");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, find(sbom, "Saxon"))->licenses[0], "MPL-1.0");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, find(sbom, "Apache Commons Lang"))->type, "generic");
	/* the example's relationships are to files and other documents, or not dependencies */
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 0);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out), 0);
	cairn_buf_free(&out);
	cairn_sbom_free(sbom);
}

Test(sbom_read, rejects_what_is_no_sbom)
{
	static const char *const bad[] = {
		"", "[]", "{}", "{\"bomFormat\": \"SWID\"}",
		"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\"}",
		"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": {}}",
		"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [1]}",
		"{\"spdxVersion\": \"SPDX-2.2\"}",
		"{\"spdxVersion\": \"SPDX-2.3\", \"packages\": [{\"name\": \"x\"}]}",
		"{\"spdxVersion\": \"SPDX-2.3\", \"packages\": {}}",
		"{\"spdxVersion\": \"SPDX-2.3\", \"relationships\": [{\"spdxElementId\": \"a\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_sbom *sbom = (cairn_sbom *)1;
		cr_assert_lt(cairn_sbom_read(&sbom, bad[i], strlen(bad[i]), "input.json"), 0, "%s", bad[i]);
		cr_assert_null(sbom);
		cr_assert(strstr(cairn_error_message(), "input.json") != NULL, "%s", cairn_error_message());
	}
	/* components nested past the limit */
	cairn_buf deep = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_buf_append_str(&deep, "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": ["), 0);
	for (int i = 0; i < 30; i++)
		cr_assert_eq(cairn_buf_append_str(&deep, "{\"type\": \"library\", \"name\": \"n\", \"components\": ["), 0);
	for (int i = 0; i < 30; i++)
		cr_assert_eq(cairn_buf_append_str(&deep, "]}"), 0);
	cr_assert_eq(cairn_buf_append_str(&deep, "]}"), 0);
	cairn_sbom *sbom;
	cr_assert_lt(cairn_sbom_read(&sbom, deep.data, deep.len, "deep.json"), 0);
	cairn_buf_free(&deep);
}

/* ---- round trips ---- */

static const char status[] = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\n"
			     "Version: 3.0.11-1~deb12u2\nDepends: libc6 (>= 2.34)\nMaintainer: Debian OpenSSL Team <x@example.org>\n\n"
			     "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9\n\n";
static const char lock[] = "{\"lockfileVersion\": 3, \"packages\": {\"\": {},"
			   " \"node_modules/@s/a\": {\"version\": \"1.0.0\", \"license\": \"Apache 2.0\", \"dependencies\": {\"b\": \"1\"}},"
			   " \"node_modules/b\": {\"version\": \"1.0.0\", \"license\": \"MIT OR (Apache 2.0 AND ISC)\"}}}";

static cairn_sbom *sample(void)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cairn_sbom_source *s = cairn_sbom_get_source(sbom);
	cr_assert_eq(cairn_sbom_set(&s->name, "dir:/rootfs"), 0);
	cr_assert_eq(cairn_sbom_set(&s->kind, "directory"), 0);
	static const char os[] = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
	cr_assert_eq(cairn_sbom_parse_os_release(sbom, os, sizeof os - 1), 0);
	cr_assert_eq(cairn_sbom_parse_dpkg_status(sbom, status, sizeof status - 1, "/var/lib/dpkg/status", "sha256:ab"), 0);
	cr_assert_eq(cairn_sbom_parse_npm_lock(sbom, lock, sizeof lock - 1, "/app/package-lock.json", NULL), 0, "%s",
		     cairn_error_message());
	return sbom;
}

static void round_trip(enum cairn_sbom_format format)
{
	cr_assert_eq(setenv("SOURCE_DATE_EPOCH", "1700000000", 1), 0);
	cairn_sbom *first = sample();
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_sbom_write(first, format, &a), 0, "%s", cairn_error_message());
	cairn_sbom *second;
	cr_assert_eq(cairn_sbom_read(&second, a.data, a.len, "first"), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_write(second, format, &b), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_package_count(second), 4);
	cr_assert_eq(cairn_sbom_relationship_count(second), cairn_sbom_relationship_count(first));
	for (size_t i = 0; i < cairn_sbom_package_count(first); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(first, i), *q = cairn_sbom_package_at(second, i);
		cr_assert_str_eq(p->id, q->id);
		cr_assert_str_eq(p->type, q->type);
		cr_assert_str_eq(p->name, q->name);
		cr_assert_str_eq(p->version, q->version);
	}
	cr_assert_eq(a.len, b.len, "written again, the document is the same:\n%s\n----\n%s", cairn_buf_cstr(&a), cairn_buf_cstr(&b));
	cr_assert_eq(memcmp(a.data, b.data, a.len), 0, "written again, the document is the same:\n%s\n----\n%s",
		     cairn_buf_cstr(&a), cairn_buf_cstr(&b));
	cairn_buf_free(&a);
	cairn_buf_free(&b);
	cairn_sbom_free(first);
	cairn_sbom_free(second);
	unsetenv("SOURCE_DATE_EPOCH");
}

Test(sbom_read, round_trip_cyclonedx) { round_trip(CAIRN_SBOM_CYCLONEDX_16); }

Test(sbom_read, round_trip_spdx) { round_trip(CAIRN_SBOM_SPDX_23); }
