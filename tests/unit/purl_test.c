/* Unit tests of purl building, against the purl-spec test suite (github.com/package-url/purl-spec:
 * test-suite-data.json and tests/types/{deb,apk}-test.json): each case below is a spec "build" or
 * canonical case of a type cairn produces, with the spec's expected canonical string.
 *
 * Left out on purpose: the old suite's maven "repository_url=repo.spring.io/release" and npm
 * "vcs_url=git%2Bhttps%3A%2F%2F..." cases, which contradict each other on encoding '/' and ':' in
 * qualifier values; cairn follows the current spec (':' never encoded, '/' encoded in a value). */
#include "cairn/error.h"
#include "cairn/sbom.h"

#include <criterion/criterion.h>
#include <string.h>

struct purl_case {
	const char *type, *namespace_, *name, *version;
	cairn_purl_qualifier q[4];
	size_t nq;
	const char *subpath;
	const char *expected;
};

static const struct purl_case cases[] = {
	/* tests/types/deb-test.json */
	{"deb", "debian", "curl", "7.50.3-1", {{"arch", "i386"}, {"distro", "jessie"}}, 2, NULL,
	 "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"},
	{"deb", "debian", "dpkg", "1.19.0.4", {{"arch", "amd64"}, {"distro", "stretch"}}, 2, NULL,
	 "pkg:deb/debian/dpkg@1.19.0.4?arch=amd64&distro=stretch"},
	{"deb", "ubuntu", "dpkg", "1.19.0.4", {{"arch", "amd64"}}, 1, NULL, "pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64"},
	{"deb", "debian", "attr", "1:2.4.47-2", {{"arch", "source"}}, 1, NULL, "pkg:deb/debian/attr@1:2.4.47-2?arch=source"},
	{"deb", "debian", "attr", "1:2.4.47-2+b1", {{"arch", "amd64"}}, 1, NULL,
	 "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64"},
	/* tests/types/apk-test.json (qualifiers given out of order: the build sorts them) */
	{"apk", "alpine", "curl", "7.83.0-r0", {{"arch", "x86"}}, 1, NULL, "pkg:apk/alpine/curl@7.83.0-r0?arch=x86"},
	{"apk", "alpine", "apk", "2.12.9-r3", {{"arch", "x86"}}, 1, NULL, "pkg:apk/alpine/apk@2.12.9-r3?arch=x86"},
	{"apk", "alpine", "libcrypto3", "3.5.5-r0", {{"upstream", "openssl"}, {"distro", "alpine-edge"}, {"arch", "x86_64"}}, 3, NULL,
	 "pkg:apk/alpine/libcrypto3@3.5.5-r0?arch=x86_64&distro=alpine-edge&upstream=openssl"},
	/* test-suite-data.json */
	{"Rpm", "fedora", "curl", "7.50.3-1.fc25", {{"distro", "fedora-25"}, {"arch", "i386"}}, 2, NULL,
	 "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"},
	{"npm", "@angular", "animation", "12.3.1", {{0}}, 0, NULL, "pkg:npm/%40angular/animation@12.3.1"},
	{"PYPI", NULL, "Django_package", "1.11.1.dev1", {{0}}, 0, NULL, "pkg:pypi/django-package@1.11.1.dev1"},
	{"Nuget", NULL, "EnterpriseLibrary.Common", "6.0.1304", {{0}}, 0, NULL, "pkg:nuget/EnterpriseLibrary.Common@6.0.1304"},
	{"gem", NULL, "jruby-launcher", "1.1.2", {{"platform", "java"}}, 1, NULL, "pkg:gem/jruby-launcher@1.1.2?platform=java"},
	{"maven", "org.apache.commons", "io", "1.3.4", {{0}}, 0, NULL, "pkg:maven/org.apache.commons/io@1.3.4"},
	{"maven", "org.apache.commons", "io", NULL, {{0}}, 0, NULL, "pkg:maven/org.apache.commons/io"},
	{"maven", "HTTPClient", "HTTPClient", "0.3-3", {{0}}, 0, NULL, "pkg:maven/HTTPClient/HTTPClient@0.3-3"},
	{"maven", "mygroup", "myartifact", "1.0.0 Final", {{"mykey", "my value"}}, 1, NULL,
	 "pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value"},
	{"maven", "net.sf.jacob-project", "jacob", "1.14.3", {{"type", "dll"}, {"classifier", "x86"}}, 2, NULL,
	 "pkg:maven/net.sf.jacob-project/jacob@1.14.3?classifier=x86&type=dll"},
	{"GOLANG", "google.golang.org", "genproto", "abcdedf", {{0}}, 0, "/googleapis/api/annotations/",
	 "pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations"},
	{"golang", "google.golang.org", "genproto", NULL, {{0}}, 0, "/googleapis/api/annotations/",
	 "pkg:golang/google.golang.org/genproto#googleapis/api/annotations"},
	{"github", "Package-url", "purl-Spec", "244fd47e07d1004f0aed9c", {{0}}, 0, NULL,
	 "pkg:github/package-url/purl-spec@244fd47e07d1004f0aed9c"},
	{"bitbucket", "birKenfeld", "pyGments-main", "244fd47e07d1014f0aed9c", {{0}}, 0, NULL,
	 "pkg:bitbucket/birkenfeld/pygments-main@244fd47e07d1014f0aed9c"},
	{"conda", NULL, "absl-py", "0.4.1", {{"type", "tar.bz2"}, {"subdir", "linux-64"}, {"channel", "main"}, {"build", "py36h06a4308_0"}}, 4, NULL,
	 "pkg:conda/absl-py@0.4.1?build=py36h06a4308_0&channel=main&subdir=linux-64&type=tar.bz2"},
	{"docker", "customer", "dockerimage", "sha256:244fd47e07d1004f0aed9c", {{"repository_url", "gcr.io"}}, 1, NULL,
	 "pkg:docker/customer/dockerimage@sha256:244fd47e07d1004f0aed9c?repository_url=gcr.io"},
	{"swift", "github.com/Alamofire", "Alamofire", "5.4.3", {{0}}, 0, NULL, "pkg:swift/github.com/Alamofire/Alamofire@5.4.3"},
};

Test(purl, spec_build_cases)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct purl_case *c = &cases[i];
		cairn_buf out = CAIRN_BUF_INIT;
		int err = cairn_purl_build(&out, c->type, c->namespace_, c->name, c->version, c->q, c->nq, c->subpath);
		cr_expect_eq(err, 0, "case %zu (%s): %s", i, c->expected, cairn_error_message());
		cr_expect_str_eq(cairn_buf_cstr(&out), c->expected, "case %zu", i);
		cairn_buf_free(&out);
	}
}

/* The spec's invalid cases a builder can meet: a missing name, a qualifier key with a space. */
Test(purl, spec_invalid_cases)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_expect_eq(cairn_purl_build(&out, "maven", NULL, "", "1.3.4", NULL, 0, NULL), CAIRN_EINVAL);
	cairn_purl_qualifier bad[] = {{"in production", "true"}};
	cr_expect_eq(cairn_purl_build(&out, "npm", NULL, "myartifact", "1.0.0", bad, 1, NULL), CAIRN_EINVAL);
	cairn_purl_qualifier twice[] = {{"arch", "a"}, {"arch", "b"}};
	cr_expect_eq(cairn_purl_build(&out, "deb", "debian", "x", "1", twice, 2, NULL), CAIRN_EINVAL);
	cairn_buf_free(&out);
}

/* Empty qualifier values are left out (spec: "a key=value pair with an empty value is the same as no
 * pair"), and characters outside the unreserved set are percent-encoded in upper-case hex. */
Test(purl, empty_values_and_encoding)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cairn_purl_qualifier q[] = {{"arch", ""}, {"distro", "debian-12"}};
	cr_assert_eq(cairn_purl_build(&out, "deb", "debian", "libc6", "2.36-9+deb12u4", q, 2, NULL), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?distro=debian-12");
	cairn_buf_free(&out);
	cr_assert_eq(cairn_purl_build(&out, "generic", NULL, "a b/c?d#e@f", "1", NULL, 0, NULL), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), "pkg:generic/a%20b%2Fc%3Fd%23e%40f@1");
	cairn_buf_free(&out);
}
