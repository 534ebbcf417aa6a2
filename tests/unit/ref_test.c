/* Unit tests of image references. Most cases come from the distribution project's own reference
 * tests (reference_test.go, normalize_test.go), restated for normalised parsing: a name without a
 * registry lands on docker.io, a one-component Docker Hub name under library/. */
#include "cairn/error.h"
#include "cairn/ref.h"

#include <criterion/criterion.h>
#include <string.h>

#define FFF64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

struct valid_case {
	const char *input;
	const char *registry;
	const char *repository;
	const char *tag;    /* NULL: none */
	const char *digest; /* NULL: none */
};

static const struct valid_case valid[] = {
	{"alpine", "docker.io", "library/alpine", NULL, NULL},
	{"test_com", "docker.io", "library/test_com", NULL, NULL},
	{"test.com:tag", "docker.io", "library/test.com", "tag", NULL},
	{"test.com:5000", "docker.io", "library/test.com", "5000", NULL},
	{"test.com/repo:tag", "test.com", "repo", "tag", NULL},
	{"test:5000/repo", "test:5000", "repo", NULL, NULL},
	{"test:5000/repo:tag", "test:5000", "repo", "tag", NULL},
	{"test:5000/repo@sha256:" FFF64, "test:5000", "repo", NULL, "sha256:" FFF64},
	{"test:5000/repo:tag@sha256:" FFF64, "test:5000", "repo", "tag", "sha256:" FFF64},
	{"lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", NULL},
	{"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", NULL},
	{"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com",
	 NULL},
	{"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", NULL},
	{"xn--7o8h.com/myimage:xn--7o8h.com@sha512:" FFF64 FFF64, "xn--7o8h.com", "myimage", "xn--7o8h.com",
	 "sha512:" FFF64 FFF64},
	{"foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", NULL},
	{"foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", NULL},
	{"192.168.1.1", "docker.io", "library/192.168.1.1", NULL, NULL},
	{"192.168.1.1/repo", "192.168.1.1", "repo", NULL, NULL},
	{"192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", NULL},
	{"[2001:db8::1]/repo", "[2001:db8::1]", "repo", NULL, NULL},
	{"[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", NULL},
	{"[2001:db8::1]:5000/repo:tag@sha256:" FFF64, "[2001:db8::1]:5000", "repo", "tag", "sha256:" FFF64},
	{"[::1]:5000/repo", "[::1]:5000", "repo", NULL, NULL},
	{"localhost/app", "localhost", "app", NULL, NULL},
	{"localhost:5000/a/b:tag@sha256:" FFF64, "localhost:5000", "a/b", "tag", "sha256:" FFF64},
	/* Docker Hub's names, normalised. */
	{"docker.io/alpine", "docker.io", "library/alpine", NULL, NULL},
	{"index.docker.io/alpine:3", "docker.io", "library/alpine", "3", NULL},
	{"index.docker.io/user/app", "docker.io", "user/app", NULL, NULL},
	{"docker.io/library/alpine:3.19", "docker.io", "library/alpine", "3.19", NULL},
	{"user/app", "docker.io", "user/app", NULL, NULL},
	/* Separators: '.', '_', "__", and any run of '-'. */
	{"a/b.c_d__e---f-g", "docker.io", "a/b.c_d__e---f-g", NULL, NULL},
	{"a.b_c/d", NULL, NULL, NULL, NULL}, /* '.' makes "a.b_c" a registry host, and '_' has no place in one */
	{"ghcr.io/org/app:v1@sha256:" FFF64, "ghcr.io", "org/app", "v1", "sha256:" FFF64},
	{"ghcr.io/org/app:_under", "ghcr.io", "org/app", "_under", NULL},
};

Test(ref, parses_the_docker_grammar)
{
	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		const struct valid_case *c = &valid[i];
		cairn_ref ref;
		int err = cairn_ref_parse(&ref, c->input);
		if (c->registry == NULL) {
			cr_expect_eq(err, CAIRN_EINVAL, "%s", c->input);
			continue;
		}
		cr_assert_eq(err, 0, "%s: %s", c->input, cairn_error_message());
		cr_expect_str_eq(ref.registry, c->registry, "%s", c->input);
		cr_expect_str_eq(ref.repository, c->repository, "%s", c->input);
		if (c->tag == NULL)
			cr_expect_null(ref.tag, "%s", c->input);
		else
			cr_expect_str_eq(ref.tag, c->tag, "%s", c->input);
		if (c->digest == NULL)
			cr_expect_null(ref.digest, "%s", c->input);
		else
			cr_expect_str_eq(ref.digest, c->digest, "%s", c->input);
		cairn_ref_free(&ref);
	}
}

static const char *const invalid[] = {
	"",
	":justtag",
	"@sha256:" FFF64,
	"repo@sha256:ffffffffffffffffffffffffffffffffff",
	"validname@invaliddigest:" FFF64,
	"repo@sha256:" "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", /* uppercase hex */
	"Uppercase:tag",
	"test:5000/Uppercase/lowercase:tag",
	"docker.io/Library/alpine",
	"aa/asdf$$^/aa",
	"[2001:db8::1]",
	"[2001:db8::1]:5000",
	"[2001:db8::1]:tag",
	"[fe80::1%eth0]:5000/repo",
	"[fe80::1%@invalidzone]:5000/repo",
	"[zz::1]:5000/repo",
	"a//b",
	"/a",
	"a/",
	"ghcr.io/",
	"a/b/",
	"-a/b",
	"a-/b",
	"a/_b",
	"a/b_",
	"a/b___c",
	"a/b..c",
	"a/b._c",
	"a:",
	"a:-tag",
	"a:.tag",
	"a:ta g",
	"a:tag@",
	"a@",
	"host:99999/a",
	"host:0/a",
	"host:/a",
	"-host.io/a",
	"host-.io/a",
	"host..io/a",
	"localhost:5000/a/b:tag@sha256:" FFF64 "0",
	"localhost:5000/a/b:tag@sha256:" FFF64 "@sha256:" FFF64,
	FFF64, /* a bare image ID */
};

Test(ref, refuses_what_the_grammar_does_not_allow)
{
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		cairn_ref ref;
		cairn_error_clear();
		int err = cairn_ref_parse(&ref, invalid[i]);
		cr_expect_neq(err, 0, "accepted \"%s\"", invalid[i]);
		cr_expect_neq(cairn_error_message()[0], '\0', "no message for \"%s\"", invalid[i]);
		if (err == 0)
			cairn_ref_free(&ref);
		else
			cr_expect_null(ref.registry, "\"%s\": fields left set", invalid[i]);
	}
}

Test(ref, messages_name_the_problem)
{
	cairn_ref ref;
	cr_assert_eq(cairn_ref_parse(&ref, "ghcr.io/Org/app"), CAIRN_EINVAL);
	cr_expect(strstr(cairn_error_message(), "lowercase") != NULL, "%s", cairn_error_message());
	cr_expect(strstr(cairn_error_message(), "ghcr.io/Org/app") != NULL, "%s", cairn_error_message());
	cr_assert_eq(cairn_ref_parse(&ref, "a:b!"), CAIRN_EINVAL);
	cr_expect(strstr(cairn_error_message(), "tag") != NULL, "%s", cairn_error_message());
	cr_assert_neq(cairn_ref_parse(&ref, "a@sha256:abc"), 0);
	cr_expect(strstr(cairn_error_message(), "a@sha256:abc") != NULL, "%s", cairn_error_message());
}

/* Builds a name of exactly `len` characters on registry "r.io": "r.io/" followed by a/a/... */
static void name_of_length(char *out, size_t len)
{
	strcpy(out, "r.io/");
	size_t used = 5;
	while (used < len) {
		out[used] = used % 2 == 1 ? 'a' : '/';
		used++;
	}
	if (out[used - 1] == '/')
		out[used - 1] = 'b';
	out[used] = '\0';
}

Test(ref, limits_the_name_to_255_characters)
{
	char name[300];
	cairn_ref ref;
	name_of_length(name, 255);
	cr_assert_eq(strlen(name), 255);
	cr_assert_eq(cairn_ref_parse(&ref, name), 0, "%s", cairn_error_message());
	cairn_ref_free(&ref);
	strcat(name, ":a-tag-does-not-count");
	cr_assert_eq(cairn_ref_parse(&ref, name), 0, "%s", cairn_error_message());
	cairn_ref_free(&ref);
	name_of_length(name, 257);
	cr_assert_eq(cairn_ref_parse(&ref, name), CAIRN_EINVAL);
	/* The docker.io/library/ prefix counts: 246 + "docker.io/library/" is over the limit. */
	char hub[300];
	memset(hub, 'a', 246);
	hub[246] = '\0';
	cr_assert_eq(cairn_ref_parse(&ref, hub), CAIRN_EINVAL);
	/* A tag of 128 characters is allowed, 129 is not. */
	char tagged[200] = "a:";
	memset(tagged + 2, 't', 128);
	tagged[130] = '\0';
	cr_assert_eq(cairn_ref_parse(&ref, tagged), 0);
	cairn_ref_free(&ref);
	strcat(tagged, "t");
	cr_assert_eq(cairn_ref_parse(&ref, tagged), CAIRN_EINVAL);
}

static void expect_format(const char *input, const char *full, const char *reference)
{
	cairn_ref ref;
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_ref_parse(&ref, input), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_ref_format(&ref, &out), 0);
	cr_expect_str_eq(cairn_buf_cstr(&out), full);
	cr_expect_str_eq(cairn_ref_reference(&ref), reference);
	cairn_buf_free(&out);
	cairn_ref_free(&ref);
}

Test(ref, formats_the_full_form_and_picks_what_to_fetch)
{
	expect_format("alpine", "docker.io/library/alpine:latest", "latest");
	expect_format("alpine:3", "docker.io/library/alpine:3", "3");
	expect_format("ghcr.io/o/a@sha256:" FFF64, "ghcr.io/o/a@sha256:" FFF64, "sha256:" FFF64);
	expect_format("ghcr.io/o/a:v1@sha256:" FFF64, "ghcr.io/o/a:v1@sha256:" FFF64, "sha256:" FFF64);
	expect_format("[::1]:5000/x", "[::1]:5000/x:latest", "latest");
}

Test(ref, api_host_and_loopback)
{
	cairn_ref ref;
	cr_assert_eq(cairn_ref_parse(&ref, "alpine"), 0);
	cr_expect_str_eq(cairn_ref_api_host(&ref), "registry-1.docker.io");
	cairn_ref_free(&ref);
	cr_assert_eq(cairn_ref_parse(&ref, "quay.io/a/b"), 0);
	cr_expect_str_eq(cairn_ref_api_host(&ref), "quay.io");
	cairn_ref_free(&ref);

	const char *loopback[] = {"localhost", "localhost:5000", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:5000",
				  "127.1.2.3:80", "[::1]", "[::1]:5000", "::1"};
	for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
		cr_expect_eq(cairn_ref_registry_is_loopback(loopback[i]), 1, "%s", loopback[i]);
	const char *remote[] = {"docker.io", "128.0.0.1", "10.0.0.1:5000", "[::2]:5000", "localhost.evil.com",
				"127.0.0.1.nip.io", "[::ffff:8.8.8.8]", "", "localhostx:5000"};
	for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++)
		cr_expect_eq(cairn_ref_registry_is_loopback(remote[i]), 0, "%s", remote[i]);
}

Test(ref, checks_parts_on_their_own)
{
	cr_expect_eq(cairn_ref_check_registry("localhost:5000"), 0);
	cr_expect_eq(cairn_ref_check_registry("[::1]:5000"), 0);
	cr_expect_neq(cairn_ref_check_registry("a b"), 0);
	cr_expect_neq(cairn_ref_check_registry("host/path"), 0);
	cr_expect_neq(cairn_ref_check_registry(""), 0);
	cr_expect_eq(cairn_ref_check_repository("library/alpine"), 0);
	cr_expect_neq(cairn_ref_check_repository("../etc"), 0);
	cr_expect_neq(cairn_ref_check_repository("a?b"), 0);
	cr_expect_neq(cairn_ref_check_repository(""), 0);
	cr_expect_eq(cairn_ref_check_tag("v1.2.3-rc_1"), 0);
	cr_expect_neq(cairn_ref_check_tag("v1/2"), 0);
	cr_expect_neq(cairn_ref_check_tag(""), 0);
}
