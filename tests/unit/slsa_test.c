/* Tests of SLSA provenance: the statement cairn writes, read back by the verifier's checks. */
#include "cairn/error.h"
#include "cairn/provenance.h"

#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static json_t *make_statement(const char *subject_text, cairn_digest *subject_digest)
{
	cairn_digest_compute(CAIRN_DIGEST_SHA256, subject_text, strlen(subject_text), subject_digest);
	static char *argv[] = {(char *)"gcc", (char *)"-o", (char *)"hello", (char *)"hello.c"};
	cairn_slsa_artifact subject = {"hello", *subject_digest};
	cairn_slsa_build b;
	memset(&b, 0, sizeof b);
	b.argv = argv;
	b.argc = 4;
	b.source_uri = "https://github.com/example/hello";
	b.source_ref = "refs/tags/v1.0.0";
	b.source_git_commit = "0123456789abcdef0123456789abcdef01234567";
	cairn_digest_compute(CAIRN_DIGEST_SHA256, "tree", 4, &b.source_tree);
	b.subjects = &subject;
	b.subject_count = 1;
	b.invocation_id = "00000000-0000-4000-8000-000000000000";
	b.started_on = 0;
	b.finished_on = 86400;
	json_t *st = NULL;
	cr_assert_eq(cairn_slsa_statement(&b, &st), 0, "%s", cairn_error_message());
	return st;
}

Test(slsa, statement_is_valid_intoto_with_slsa_v1)
{
	cairn_digest d;
	json_t *st = make_statement("binary", &d);
	char *text = json_dumps(st, JSON_COMPACT);
	cairn_intoto_statement parsed;
	cr_assert_eq(cairn_intoto_statement_parse(&parsed, text, strlen(text), "test"), 0, "%s", cairn_error_message());
	cr_assert_str_eq(parsed.predicate_type, "https://slsa.dev/provenance/v1");
	cr_assert_eq(cairn_intoto_statement_has_digest(&parsed, &d), 1);
	/* RFC 3339 times as SLSA requires */
	const json_t *meta = json_object_get(json_object_get(parsed.predicate, "runDetails"), "metadata");
	cr_assert_str_eq(json_string_value(json_object_get(meta, "finishedOn")), "1970-01-02T00:00:00Z");
	cairn_intoto_statement_free(&parsed);
	free(text);
	json_decref(st);
}

static int check(json_t *st, const cairn_provenance_expect *e)
{
	char *text = json_dumps(st, JSON_COMPACT);
	cairn_intoto_statement parsed;
	cr_assert_eq(cairn_intoto_statement_parse(&parsed, text, strlen(text), "test"), 0);
	cairn_provenance_result r;
	memset(&r, 0, sizeof r);
	int err = cairn_provenance_check_statement(&parsed, st, e, &r);
	cairn_provenance_result_free(&r);
	cairn_intoto_statement_free(&parsed);
	free(text);
	return err;
}

Test(slsa, checks_subject_builder_source_and_tag)
{
	cairn_digest d;
	json_t *st = make_statement("binary", &d);
	cairn_provenance_expect e;
	memset(&e, 0, sizeof e);
	e.artifact = d;
	e.source_uri = "github.com/example/hello";
	cr_assert_eq(check(st, &e), 0, "%s", cairn_error_message());
	e.source_tag = "v1.0.0";
	e.builder_id = "https://cairn.dev/builder/local/v1";
	cr_assert_eq(check(st, &e), 0, "%s", cairn_error_message());
	e.source_tag = "v1.0.1";
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "tag mismatch") != NULL);
	e.source_tag = NULL;
	e.source_branch = "main";
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	e.source_branch = NULL;
	e.builder_id = "https://cairn.dev/builder/other";
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "builder mismatch") != NULL);
	e.builder_id = NULL;
	e.source_uri = "github.com/example/other";
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "source mismatch") != NULL);
	e.source_uri = "github.com/example/hello";
	cairn_digest_compute(CAIRN_DIGEST_SHA256, "other", 5, &e.artifact);
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "subject mismatch") != NULL);
	json_decref(st);
}

Test(slsa, rejects_other_predicate_types)
{
	cairn_digest d;
	json_t *st = make_statement("binary", &d);
	json_object_set_new(st, "predicateType", json_string("https://cyclonedx.org/bom"));
	cairn_provenance_expect e;
	memset(&e, 0, sizeof e);
	e.artifact = d;
	e.source_uri = "github.com/example/hello";
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "wrong predicate type") != NULL);
	json_decref(st);
}

/* The dirhash ignores times and owners but not content, names or the executable bit. */
Test(slsa, dirhash_depends_on_content_names_and_modes)
{
	char dir[] = "/tmp/cairn-dirhash.XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	char path[256];
	snprintf(path, sizeof path, "%s/a", dir);
	FILE *f = fopen(path, "w");
	fputs("x", f);
	fclose(f);
	cairn_digest d1, d2, d3, d4;
	cr_assert_eq(cairn_slsa_dirhash(dir, &d1), 0);
	cr_assert_eq(cairn_slsa_dirhash(dir, &d2), 0);
	cr_assert_eq(cairn_digest_equal(&d1, &d2), 0);
	chmod(path, 0755);
	cr_assert_eq(cairn_slsa_dirhash(dir, &d3), 0);
	cr_assert_neq(cairn_digest_equal(&d1, &d3), 0);
	char renamed[256];
	snprintf(renamed, sizeof renamed, "%s/b", dir);
	chmod(path, 0644);
	rename(path, renamed);
	cr_assert_eq(cairn_slsa_dirhash(dir, &d4), 0);
	cr_assert_neq(cairn_digest_equal(&d1, &d4), 0);
	unlink(renamed);
	rmdir(dir);
}

/* --source-versioned-tag: the cases of slsa-verifier's Test_VerifyVersionedTag (provenance tag, pattern,
 * 1 when it must not match), which follow Go's golang.org/x/mod/semver. */
static const struct {
	const char *tag, *pattern;
	int fails;
} versioned_tag_cases[] = {
	{"v1.2", "1.2", 1},
	{"vslsa1", "vslsa1", 1},
	{"vslsa1", "v1.2.3", 1},
	{"v1.2.3", "v1.2.3", 0},
	{"v1.2.3", "v1.2", 0},
	{"v1.2.3", "v1", 0},
	{"v1.2.3", "v2", 1},
	{"v1.2.3", "v1.3", 1},
	{"v1.2.3", "v1.2.4", 1},
	{"v1.2.3", "v1.2.2", 1},
	{"v1.2", "v1.2", 0},
	{"v1.2", "v1", 0},
	{"v1.3", "v1.1", 1},
	{"v1.3", "v0", 1},
	{"v1.2", "v1.3", 1},
	{"v1.2", "v1.2.3", 1},
	{"v1.2", "v1.2.0", 0},
	{"v1.2", "v1.2.0+123", 0},
	{"v1.2", "v1.2+123", 1},
	{"v1.2", "v1.2-alpha", 1},
	{"v1.2", "v1-alpha", 1},
	{"v1.2", "v1+123", 1},
	{"v1.2", "v1-alpha+123", 1},
	{"v1.2", "v1.2-alpha+123", 1},
	{"v1.2.3-alpha", "v1.2.3-alpha", 0},
	{"v1.2.3-alpha", "v1.2.3", 1},
	{"v1.2.3-alpha+123", "v1.2.3-alpha", 0},
	{"v1.2.3-alpha+123", "v1.2.3-alpha+123", 0},
	{"v1.2.3-alpha+123", "v1.2.3-alpha+456", 0},
	{"v1.2.3-alpha", "v1.2.3-alpha+123", 0},
	{"v1.2.3-alpha", "v1.2.3-beta+123", 1},
	{"v1.2.3+123", "v1.2.3-alpha+123", 1},
	{"v1.2.3+123", "v1.2.3-alpha", 1},
	{"v1.2.3+123", "v1.2.3+123", 0},
	{"v1.2.3+123", "v1.2.3", 0},
	{"v1.2.3+123", "v1.2.3+456", 0},
	{"v1.2.3", "v1.2.3-alpha", 1},
	{"v1.2.3-alpha", "v1.2.3-beta", 1},
	{"v1.2", "v1.2.3-beta", 1},
	{"v1.2.3", "v1.2.3+123", 0},
	{"v1.2", "v1.2.0-alpha+123", 1},
	{"v1.2", "v2", 1},
	{"v1", "v1", 0},
	{"v1", "v2", 1},
	{"v1", "v1.2", 1},
	{"v1", "v0", 1},
	{"v1", "v1.2.3", 1},
	{"v1", "v1.0", 0},
	{"v1", "v1.0.0", 0},
	{"v1", "v1-alpha", 1},
};

Test(slsa, versioned_tags_match_as_slsa_verifier_does)
{
	for (size_t i = 0; i < sizeof versioned_tag_cases / sizeof versioned_tag_cases[0]; i++) {
		int rc = cairn_provenance_versioned_tag_check(versioned_tag_cases[i].tag, versioned_tag_cases[i].pattern);
		cr_expect_eq(rc != 0, versioned_tag_cases[i].fails, "tag %s, pattern %s: %d (%s)", versioned_tag_cases[i].tag,
			     versioned_tag_cases[i].pattern, rc, rc ? cairn_error_message() : "match");
	}
	/* a pattern that is not a version is bad usage; a tag that is not one is a failed check */
	cr_expect_eq(cairn_provenance_versioned_tag_check("v1.2.3", "1.2"), CAIRN_EINVAL);
	cr_expect_eq(cairn_provenance_versioned_tag_check("v1.2.3", "v01"), CAIRN_EINVAL);
	cr_expect_eq(cairn_provenance_versioned_tag_check("vslsa1", "v1"), CAIRN_EVERIFY);
	cr_expect_eq(cairn_provenance_versioned_tag_check("v1.2.3-01", "v1"), CAIRN_EVERIFY);
}

/* --build-workflow-input: the inputs of the workflow_dispatch event, as SLSA v0.2 provenance from
 * GitHub Actions records them (invocation.environment.github_event_payload.inputs). */
Test(slsa, workflow_inputs_must_match_the_dispatch_event)
{
	cairn_digest d;
	cairn_digest_compute(CAIRN_DIGEST_SHA256, "binary", 6, &d);
	cairn_buf hex = CAIRN_BUF_INIT;
	cairn_hex_encode(&hex, d.bytes, d.len);
	char text[2048];
	snprintf(text, sizeof text,
		 "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
		 "\"subject\":[{\"name\":\"binary\",\"digest\":{\"sha256\":\"%s\"}}],\"predicate\":{"
		 "\"builder\":{\"id\":\"https://example.com/builder@v1\"},\"buildType\":\"https://example.com/t\","
		 "\"invocation\":{\"environment\":{\"github_event_name\":\"%s\",\"github_event_payload\":"
		 "{\"inputs\":{\"release_version\":\"v1.2.3\",\"count\":2}}}},"
		 "\"materials\":[{\"uri\":\"git+https://github.com/o/r@refs/heads/main\",\"digest\":{\"sha1\":\"ab\"}}]}}",
		 cairn_buf_cstr(&hex), "workflow_dispatch");
	json_t *st = json_loads(text, 0, NULL);
	cr_assert_not_null(st);
	cairn_provenance_expect e;
	memset(&e, 0, sizeof e);
	e.artifact = d;
	e.source_uri = "github.com/o/r";
	const char *ok[] = {"release_version=v1.2.3"}, *wrong[] = {"release_version=v1.2.4"}, *absent[] = {"other=x"},
		   *not_text[] = {"count=2"};
	e.workflow_inputs = ok;
	e.workflow_input_count = 1;
	cr_assert_eq(check(st, &e), 0, "%s", cairn_error_message());
	e.workflow_inputs = wrong;
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "expected release_version=v1.2.4, got release_version=v1.2.3") != NULL);
	e.workflow_inputs = absent;
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	e.workflow_inputs = not_text; /* slsa-verifier reads inputs as strings only */
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	json_decref(st);
	/* a push, not a dispatch: there are no inputs to match */
	char *push = strstr(text, "workflow_dispatch");
	memcpy(push, "push\",\"x\":\"aaaaaaa", 17);
	st = json_loads(text, 0, NULL);
	cr_assert_not_null(st);
	e.workflow_inputs = ok;
	cr_assert_eq(check(st, &e), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "not workflow_dispatch") != NULL);
	json_decref(st);
	cairn_buf_free(&hex);
}
