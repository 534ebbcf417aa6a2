/* Unit tests of the registry client's pure parts: WWW-Authenticate challenges (RFC 7235 and the
 * distribution token spec's examples), Link pagination (RFC 8288, the distribution spec's example),
 * Retry-After (RFC 9110's date forms), and Docker config.json "auths". The client's network
 * behaviour is tested end to end against real registries in tests/e2e/registry.bats. */
#include "cairn/error.h"
#include "cairn/registry.h"
#include "image/registry_internal.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void expect_challenge(const char *header, enum registry_scheme scheme, const char *realm, const char *service,
			     const char *scope)
{
	registry_challenge c;
	int err = registry_challenge_parse(&c, header);
	cr_assert_eq(err, 0, "%s: %s", header, cairn_error_message());
	cr_expect_eq(c.scheme, scheme, "%s", header);
#define EXPECT_FIELD(field, want)                                              \
	do {                                                                   \
		if ((want) == NULL)                                            \
			cr_expect_null(c.field, "%s: " #field, header);        \
		else                                                           \
			cr_expect_str_eq(c.field, (want), "%s: " #field, header); \
	} while (0)
	EXPECT_FIELD(realm, realm);
	EXPECT_FIELD(service, service);
	EXPECT_FIELD(scope, scope);
#undef EXPECT_FIELD
	registry_challenge_free(&c);
}

Test(registry_auth, parses_bearer_challenges_from_the_token_spec)
{
	/* The example of the distribution token authentication specification. */
	expect_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
			 "scope=\"repository:samalba/my-app:pull,push\"",
			 REGISTRY_AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
			 "repository:samalba/my-app:pull,push");
	/* ghcr.io's form, with spaces after the commas. */
	expect_challenge("Bearer realm=\"https://ghcr.io/token\", service=\"ghcr.io\", scope=\"repository:o/a:pull\"",
			 REGISTRY_AUTH_BEARER, "https://ghcr.io/token", "ghcr.io", "repository:o/a:pull");
	/* Case-insensitive scheme and names; unknown parameters skipped; token (unquoted) values. */
	expect_challenge("bearer REALM=\"https://a/t\" , Service=svc,error=\"insufficient_scope\"", REGISTRY_AUTH_BEARER,
			 "https://a/t", "svc", NULL);
	/* Quoted-pair escapes. */
	expect_challenge("Bearer realm=\"https://a/t\\\"q\\\\\"", REGISTRY_AUTH_BEARER, "https://a/t\"q\\", NULL, NULL);
}

Test(registry_auth, parses_basic_and_picks_bearer_among_several)
{
	expect_challenge("Basic realm=\"Registry Realm\"", REGISTRY_AUTH_BASIC, "Registry Realm", NULL, NULL);
	expect_challenge("Basic realm=\"cairn-test\", charset=\"UTF-8\"", REGISTRY_AUTH_BASIC, "cairn-test", NULL, NULL);
	expect_challenge("Basic", REGISTRY_AUTH_BASIC, NULL, NULL, NULL);
	expect_challenge("Basic realm=\"b\", Bearer realm=\"https://t\",service=\"s\"", REGISTRY_AUTH_BEARER,
			 "https://t", "s", NULL);
	expect_challenge("Bearer realm=\"https://t\", Basic realm=\"b\"", REGISTRY_AUTH_BEARER, "https://t", NULL, NULL);
	/* An unknown scheme with a token68 is skipped. */
	expect_challenge("Negotiate abc==, Basic realm=\"x\"", REGISTRY_AUTH_BASIC, "x", NULL, NULL);
	expect_challenge("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
			 REGISTRY_AUTH_BASIC, "simple", NULL, NULL);
}

Test(registry_auth, refuses_malformed_challenges)
{
	static const char *const bad[] = {
		"Bearer realm=\"https://t",           /* unterminated quote */
		"Bearer realm=\"a\" service=\"b\"",   /* missing comma */
		"Bearer realm=\"a\", realm=\"b\"",    /* a parameter twice */
		"Bearer service=\"s\"",               /* Bearer without a realm */
		"Bearer realm=",                      /* a value missing */
		"=x",                                 /* no scheme */
		"Bearer realm=\"a\",, =b",
		"Basic\x01",
		"Bearer realm=https://a/t", /* '/' and ':' are not token characters: it must be quoted */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		registry_challenge c;
		int err = registry_challenge_parse(&c, bad[i]);
		cr_expect_eq(err, CAIRN_EINVAL, "accepted or misjudged \"%s\": %d %s", bad[i], err, cairn_error_message());
		cr_expect_null(c.realm, "%s", bad[i]);
	}
	registry_challenge c;
	cr_expect_eq(registry_challenge_parse(&c, "Negotiate"), CAIRN_EUNSUPPORTED);
	cr_expect_eq(registry_challenge_parse(&c, ""), CAIRN_EUNSUPPORTED);
	char huge[REGISTRY_HEADER_MAX + 20];
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	cr_expect_eq(registry_challenge_parse(&c, huge), CAIRN_ETOOBIG);
}

static void expect_next(const char *header, const char *want)
{
	char *next = NULL;
	int err = registry_link_next(header, &next);
	cr_assert_eq(err, 0, "%s: %s", header, cairn_error_message());
	if (want == NULL)
		cr_expect_null(next, "%s", header);
	else
		cr_expect_str_eq(next, want, "%s", header);
	free(next);
}

Test(registry_link, finds_the_next_page)
{
	/* The distribution spec's catalog pagination example. */
	expect_next("</v2/_catalog?last=b&n=2>; rel=\"next\"", "/v2/_catalog?last=b&n=2");
	expect_next("</v2/r/tags/list?n=100&last=x>; rel=next", "/v2/r/tags/list?n=100&last=x");
	/* RFC 8288 examples: several links, several relation types, other parameters. */
	expect_next("<https://a/prev>; rel=\"previous\"; title=\"previous, page\", <https://a/next>; rel=\"next\"",
		    "https://a/next");
	expect_next("<http://example.org/>; rel=\"start http://example.net/relation/other\"", NULL);
	expect_next("<https://a/x>; rel=\"prefetch next\"", "https://a/x");
	expect_next("<https://a/x>; REL=NEXT", "https://a/x");
	expect_next("<https://a/x>; rel=\"nextish\"", NULL);
	expect_next("", NULL);
}

Test(registry_link, refuses_malformed_links)
{
	char *next = NULL;
	cr_expect_eq(registry_link_next("/v2/x; rel=next", &next), CAIRN_EINVAL);
	cr_expect_eq(registry_link_next("</v2/x; rel=next", &next), CAIRN_EINVAL);
	cr_expect_eq(registry_link_next("<>; rel=next", &next), CAIRN_EINVAL);
	cr_expect_null(next);
}

Test(registry_retry_after, reads_seconds_and_the_three_http_date_forms)
{
	long seconds = -1;
	const time_t date = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example */
	cr_assert_eq(registry_retry_after_parse("120", date, &seconds), 0);
	cr_expect_eq(seconds, 120);
	cr_assert_eq(registry_retry_after_parse(" 0 ", date, &seconds), 0);
	cr_expect_eq(seconds, 0);
	cr_assert_eq(registry_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", date - 10, &seconds), 0);
	cr_expect_eq(seconds, 10);
	cr_assert_eq(registry_retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", date - 10, &seconds), 0);
	cr_expect_eq(seconds, 10);
	cr_assert_eq(registry_retry_after_parse("Sun Nov  6 08:49:37 1994", date - 10, &seconds), 0);
	cr_expect_eq(seconds, 10);
	cr_assert_eq(registry_retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", date + 3600, &seconds), 0);
	cr_expect_eq(seconds, 0, "a date in the past means now");
	cr_assert_eq(registry_retry_after_parse("99999999999999999999", date, &seconds), 0);
	cr_expect(seconds > 0, "a huge value saturates instead of overflowing");
	static const char *const bad[] = {"", "-1", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37", "12 s",
					  "Sun, 06 Nov 1994 08:49:37 GMT trailing"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(registry_retry_after_parse(bad[i], date, &seconds), CAIRN_EINVAL, "accepted \"%s\"", bad[i]);
}

static void expect_auth(const char *json, const char *registry, const char *user, const char *pass)
{
	char *u = NULL, *p = NULL;
	int err = registry_docker_auths_lookup(json, strlen(json), registry, "config.json", &u, &p);
	cr_assert_eq(err, 0, "%s: %s", registry, cairn_error_message());
	if (user == NULL) {
		cr_expect_null(u, "%s", registry);
		cr_expect_null(p, "%s", registry);
	} else {
		cr_assert_not_null(u, "%s", registry);
		cr_expect_str_eq(u, user, "%s", registry);
		cr_expect_str_eq(p, pass, "%s", registry);
	}
	registry_free_secret(u);
	registry_free_secret(p);
}

Test(registry_config, decodes_docker_config_auths)
{
	/* "dXNlcjpwYTpzcw==" is base64 of "user:pa:ss" (made with base64(1)): the password keeps its colon. */
	const char *config = "{\"auths\":{"
			     "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"},"
			     "\"localhost:5000\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
			     "\"http://127.0.0.1:5001\":{\"auth\":\"bG9jYWw6cHc=\"},"
			     "\"ghcr.io\":{\"username\":\"gh\",\"password\":\"tok\"},"
			     "\"quay.io\":{}"
			     "},\"credsStore\":\"desktop\"}";
	expect_auth(config, "docker.io", "hub", "hubpw");
	expect_auth(config, "index.docker.io", "hub", "hubpw");
	expect_auth(config, "localhost:5000", "user", "pa:ss");
	expect_auth(config, "127.0.0.1:5001", "local", "pw");
	expect_auth(config, "ghcr.io", "gh", "tok");
	expect_auth(config, "quay.io", NULL, NULL);
	expect_auth(config, "localhost:5002", NULL, NULL);
	expect_auth("{}", "docker.io", NULL, NULL);
	/* An exact key wins over an alias of Docker Hub. */
	expect_auth("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"YTpi\"},\"docker.io\":{\"auth\":\"Yzpk\"}}}",
		    "docker.io", "c", "d");
}

Test(registry_config, refuses_broken_entries_by_name)
{
	static const char *const bad[] = {
		"{\"auths\":{\"r.io\":{\"auth\":\"%%%\"}}}",          /* not base64 */
		"{\"auths\":{\"r.io\":{\"auth\":\"bm9jb2xvbg==\"}}}", /* "nocolon" */
		"{\"auths\":{\"r.io\":{\"auth\":\"OnB3\"}}}",         /* ":pw", an empty user */
		"{\"auths\":[]}",
		"{\"auths\":",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *u = NULL, *p = NULL;
		int err = registry_docker_auths_lookup(bad[i], strlen(bad[i]), "r.io", "my-config.json", &u, &p);
		cr_expect_eq(err, CAIRN_EINVAL, "accepted %s", bad[i]);
		cr_expect_null(u);
		cr_expect(strstr(cairn_error_message(), "my-config.json") != NULL, "%s", cairn_error_message());
	}
}

Test(registry_client, refuses_bad_registry_names_and_options)
{
	cairn_registry *reg = (cairn_registry *)1;
	cr_expect_eq(cairn_registry_new(&reg, "not a host", NULL), CAIRN_EINVAL);
	cr_expect_null(reg);
	cr_expect_eq(cairn_registry_new(&reg, "host/path", NULL), CAIRN_EINVAL);
	cairn_registry_options opts = {0};
	opts.docker_config = "/nonexistent/config.json";
	cr_expect_eq(cairn_registry_new(&reg, "localhost:5000", &opts), CAIRN_ENOENT, "a Docker config named but missing");
	cr_expect(strstr(cairn_error_message(), "/nonexistent/config.json") != NULL, "%s", cairn_error_message());
	opts.username = "u";
	opts.docker_config = "/nonexistent/config.json";
	cr_expect_eq(cairn_registry_new(&reg, "localhost:5000", &opts), CAIRN_EINVAL);
	cr_expect(strstr(cairn_error_message(), "without a password") != NULL, "%s", cairn_error_message());
	opts.password = "p";
	cr_assert_eq(cairn_registry_new(&reg, "localhost:5000", &opts), 0, "%s", cairn_error_message());
	/* Bad names are refused before any request is made. */
	cairn_buf body = CAIRN_BUF_INIT;
	cr_expect_eq(cairn_registry_get_manifest(reg, "../x", "v1", &body, NULL, NULL), CAIRN_EINVAL);
	cr_expect_eq(cairn_registry_get_manifest(reg, "x", "v1/../../y", &body, NULL, NULL), CAIRN_EINVAL);
	cr_expect_neq(cairn_registry_get_manifest(reg, "x", "sha256:abc", &body, NULL, NULL), 0);
	cr_expect_eq(cairn_registry_push_manifest(reg, "x", "v1", "text/plain\r\nX: y", "{}", 2, NULL), CAIRN_EINVAL);
	cr_expect_eq(cairn_registry_push_manifest(reg, "x", "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
						  "application/json", "{ }", 3, NULL),
		     CAIRN_EINVAL, "a body pushed under a digest that is not its own");
	cairn_registry_free(reg);
	cairn_buf_free(&body);
	/* The accept list names all four manifest types. */
	cr_expect(strstr(cairn_registry_manifest_accept, "application/vnd.oci.image.manifest.v1+json") != NULL);
	cr_expect(strstr(cairn_registry_manifest_accept, "application/vnd.oci.image.index.v1+json") != NULL);
	cr_expect(strstr(cairn_registry_manifest_accept, "application/vnd.docker.distribution.manifest.v2+json") != NULL);
	cr_expect(strstr(cairn_registry_manifest_accept, "application/vnd.docker.distribution.manifest.list.v2+json") != NULL);
}
