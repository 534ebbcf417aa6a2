/* provenance_verify.c - SLSA provenance verification with slsa-verifier's semantics.
 *
 * For a Sigstore bundle from GitHub Actions (slsa-verifier's verifiers/internal/gha):
 *  1. the bundle verifies (cairn_bundle_verify): chain to Fulcio, SCT, log entries, the DSSE signature,
 *     and the in-toto subjects naming the artifact; the signer must be a GitHub workflow
 *     (https://github.com/...) vouched for by https://token.actions.githubusercontent.com;
 *  2. the certificate's workflow (its URI SAN, name@ref) is a trusted builder: with no --builder-id,
 *     one of slsa-github-generator's reusable workflows (generic, Go, container-based, and the BYOB
 *     delegators); with --builder-id, the certificate's workflow must match it (name, and the version
 *     when given, where v1.2.3 matches refs/tags/v1.2.3). A builder's ref must be a release tag
 *     refs/tags/vX.Y.Z. npm provenance is the exception: its builder ID is GitHub's hosted runner
 *     (https://github.com/actions/runner/github-hosted), the certificate names the publishing
 *     workflow, which must run on a GitHub-hosted runner, and the provenance must then agree with the
 *     certificate (it was written by the workflow itself, so only what the certificate attests counts);
 *  3. the certificate's source repository (extension 1.12, or the deprecated 1.5) is --source-uri;
 *  4. the provenance: in-toto payload type, SLSA v1 or v0.2 predicate, a build type the builder is
 *     known to produce, builder.id equal to the certificate's builder (BYOB: a released builder of
 *     slsa-github-generator, or --builder-id), the trigger and source URIs are --source-uri, a subject
 *     carries the artifact's digest, and --source-tag/--source-branch match the provenance's ref.
 *
 * A DSSE envelope verified with --key has no certificate: the key is the trust, builder.id is checked
 * against --builder-id when given, and the source against the provenance's own source URI. */
#include "cairn/provenance.h"

#include "cairn/bundle.h"
#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GH "https://github.com/"
#define GH_ISSUER "https://token.actions.githubusercontent.com"
#define GENERATOR GH "slsa-framework/slsa-github-generator/.github/workflows/"
#define NPM_RUNNER GH "actions/runner"
#define NPM_HOSTED NPM_RUNNER "/github-hosted"

static const char *const default_builders[] = {
	GENERATOR "generator_generic_slsa3.yml",
	GENERATOR "builder_go_slsa3.yml",
	GENERATOR "builder_container-based_slsa3.yml",
	GENERATOR "delegator_generic_slsa3.yml",
	GENERATOR "delegator_lowperms-generic_slsa3.yml",
};
#define CONTAINER_GENERATOR GENERATOR "generator_container_slsa3.yml"
static const char *const byob_builders[] = {
	GENERATOR "delegator_generic_slsa3.yml",
	GENERATOR "delegator_lowperms-generic_slsa3.yml",
};

/* Which build types each builder writes, per predicate version (slsa-verifier's buildTypeMap of
 * slsaprovenance v0.2 and v1.0): v is 2 for SLSA provenance v0.2, 1 for v1. */
#define DELEGATOR_TYPE "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0"
#define NPM_CLI_V1 "https://github.com/npm/cli/gha@v1"
#define NPM_CLI_V2 "https://github.com/npm/cli/gha/v2"
static const struct {
	const char *builder;
	const char *build_type;
	int v;
} build_types[] = {
	{GENERATOR "generator_generic_slsa3.yml", "https://github.com/slsa-framework/slsa-github-generator/generic@v1", 2},
	{CONTAINER_GENERATOR, "https://github.com/slsa-framework/slsa-github-generator/container@v1", 2},
	{GENERATOR "builder_go_slsa3.yml", "https://github.com/slsa-framework/slsa-github-generator/go@v1", 2},
	{GENERATOR "builder_go_slsa3.yml", "https://github.com/slsa-framework/slsa-github-generator@v1", 2},
	{GENERATOR "builder_go_slsa3.yml", "https://github.com/slsa-framework/slsa-github-generator-go@v1", 2},
	{GENERATOR "builder_container-based_slsa3.yml", "https://slsa.dev/container-based-build/v0.1?draft", 1},
	{GENERATOR "delegator_generic_slsa3.yml", DELEGATOR_TYPE, 2},
	{GENERATOR "delegator_generic_slsa3.yml", DELEGATOR_TYPE, 1},
	{GENERATOR "delegator_lowperms-generic_slsa3.yml", DELEGATOR_TYPE, 2},
	{GENERATOR "delegator_lowperms-generic_slsa3.yml", DELEGATOR_TYPE, 1},
	{NPM_RUNNER, NPM_CLI_V1, 2},
	{NPM_RUNNER, NPM_CLI_V2, 2},
	{NPM_HOSTED, NPM_CLI_V1, 2},
	{NPM_HOSTED, NPM_CLI_V2, 2},
	{NPM_HOSTED, "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1", 1},
};

void cairn_provenance_result_free(cairn_provenance_result *r)
{
	if (r == NULL)
		return;
	free(r->builder_id);
	free(r->source_uri);
	free(r->source_commit);
	free(r->predicate_type);
	cairn_buf_free(&r->statement);
	memset(r, 0, sizeof *r);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int code = cairn_error_setv(CAIRN_EVERIFY, fmt, ap);
	va_end(ap);
	return code;
}

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* ---- builder IDs: NAME or NAME@VERSION ---- */

struct builder_id {
	char name[1024];
	char version[256]; /* "" when none */
};

static int builder_parse(const char *id, struct builder_id *out)
{
	const char *at = strchr(id, '@');
	if (at && strchr(at + 1, '@'))
		return fail("builder ID %s: more than one '@'", id);
	size_t name_len = at ? (size_t)(at - id) : strlen(id);
	if (name_len == 0 || name_len >= sizeof out->name || (at && (at[1] == '\0' || strlen(at + 1) >= sizeof out->version)))
		return fail("builder ID %s: malformed", id);
	memcpy(out->name, id, name_len);
	out->name[name_len] = '\0';
	snprintf(out->version, sizeof out->version, "%s", at ? at + 1 : "");
	return 0;
}

/* slsa-verifier's MatchesLoose (full=0) and MatchesFull (full=1): `want` matches `have` when the names
 * are equal and want's version, if any (always, when full), equals have's or is the tag have names. */
static int builder_matches(const struct builder_id *have, const char *want_text, int full)
{
	struct builder_id want;
	if (builder_parse(want_text, &want))
		return 0;
	if (strcmp(want.name, have->name) != 0)
		return 0;
	if (!full && want.version[0] == '\0')
		return 1;
	if (strcmp(want.version, have->version) == 0)
		return 1;
	return strncmp(have->version, "refs/tags/", 10) == 0 && strcmp(have->version + 10, want.version) == 0;
}

/* refs/tags/vX.Y.Z with X, Y, Z decimal numbers without leading zeros, nothing more. */
static int is_release_tag(const char *ref)
{
	if (strncmp(ref, "refs/tags/v", 11) != 0)
		return 0;
	const char *p = ref + 11;
	for (int part = 0; part < 3; part++) {
		if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
		if (part < 2 && *p++ != '.')
			return 0;
	}
	return *p == '\0';
}

/* ---- reading the provenance ---- */

struct prov {
	int v1;                      /* predicate v1 (else v0.2) */
	const json_t *pred;
	const char *builder_id;
	const char *build_type;
	const char *source_uri;      /* resolvedDependencies[0].uri / materials[0].uri */
	const json_t *source_digest;
	const json_t *env;           /* v0.2 invocation.environment / v1 internalParameters */
	int upper_env;               /* env keys in capitals (slsa-github-generator's v1) */
	char trigger[2048];          /* the trigger URI, git+https://...@ref, "" when unknown */
};

static int prov_read(const json_t *payload, struct prov *p)
{
	memset(p, 0, sizeof *p);
	const char *type = cairn_json_string_at(payload, "predicateType");
	p->pred = json_object_get(payload, "predicate");
	if (!json_is_object(p->pred))
		return fail("provenance has no predicate object");
	p->v1 = type != NULL && strcmp(type, CAIRN_SLSA_PROVENANCE_V1) == 0;
	const json_t *first = NULL;
	if (p->v1) {
		const json_t *def = json_object_get(p->pred, "buildDefinition");
		const json_t *run = json_object_get(p->pred, "runDetails");
		p->builder_id = cairn_json_string_at(json_object_get(run, "builder"), "id");
		p->build_type = cairn_json_string_at(def, "buildType");
		first = json_array_get(json_object_get(def, "resolvedDependencies"), 0);
		p->env = json_object_get(def, "internalParameters");
		p->upper_env = 1;
		const json_t *ext = json_object_get(def, "externalParameters");
		const json_t *wf = json_object_get(ext, "workflow");
		const char *repo = cairn_json_string_at(wf, "repository"), *ref = cairn_json_string_at(wf, "ref");
		const char *wref = cairn_json_string_at(p->env, "GITHUB_WORKFLOW_REF");
		if (repo && ref) {
			snprintf(p->trigger, sizeof p->trigger, "git+%s@%s", repo, ref);
		} else if (wref) {
			/* owner/repo/path@ref */
			const char *at = strrchr(wref, '@');
			const char *slash = strchr(wref, '/');
			slash = slash ? strchr(slash + 1, '/') : NULL;
			if (at && slash && slash < at)
				snprintf(p->trigger, sizeof p->trigger, "git+https://github.com/%.*s@%s", (int)(slash - wref), wref, at + 1);
		}
	} else {
		p->builder_id = cairn_json_string_at(json_object_get(p->pred, "builder"), "id");
		p->build_type = cairn_json_string_at(p->pred, "buildType");
		first = json_array_get(json_object_get(p->pred, "materials"), 0);
		const json_t *inv = json_object_get(p->pred, "invocation");
		p->env = json_object_get(inv, "environment");
		const char *cs = cairn_json_string_at(json_object_get(inv, "configSource"), "uri");
		if (cs)
			snprintf(p->trigger, sizeof p->trigger, "%s", cs);
	}
	p->source_uri = cairn_json_string_at(first, "uri");
	p->source_digest = json_object_get(first, "digest");
	if (p->builder_id == NULL || p->builder_id[0] == '\0')
		return fail("provenance names no builder ID");
	if (p->build_type == NULL)
		return fail("provenance names no build type");
	return 0;
}

static const char *env_str(const struct prov *p, const char *lower)
{
	char key[64];
	snprintf(key, sizeof key, "%s", lower);
	if (p->upper_env)
		for (char *c = key; *c; c++)
			*c = (char)toupper((unsigned char)*c);
	return cairn_json_string_at(p->env, key);
}

/* "github.com/o/r", "https://github.com/o/r", "git+https://github.com/o/r" -> "git+https://github.com/o/r" */
static void normalize_uri(const char *in, char *out, size_t size)
{
	if (strncmp(in, "git+", 4) == 0)
		snprintf(out, size, "%s", in);
	else if (strstr(in, "://") == NULL)
		snprintf(out, size, "git+https://%s", in);
	else
		snprintf(out, size, "git+%s", in);
}

/* Splits git+URI@REF; the ref may be absent. */
static void split_ref(const char *uri, char *base, size_t size, const char **ref)
{
	const char *at = strchr(uri, '@');
	size_t n = at ? (size_t)(at - uri) : strlen(uri);
	if (n >= size)
		n = size - 1;
	memcpy(base, uri, n);
	base[n] = '\0';
	*ref = at ? at + 1 : "";
}

static int check_source(const struct prov *p, const char *expected, int github)
{
	char want[2048], base[2048];
	normalize_uri(expected, want, sizeof want);
	if (github && strncmp(want, "git+https://github.com/", 23) != 0)
		return fail("source URI %s: expected a github.com repository", expected);
	const char *ref;
	if (github) {
		if (p->trigger[0] == '\0')
			return fail("provenance names no trigger (configSource or workflow)");
		split_ref(p->trigger, base, sizeof base, &ref);
		if (strcmp(base, want) != 0)
			return fail("source mismatch: the build was triggered from %s, expected %s", p->trigger, want);
		if (ref[0] == '\0')
			return fail("provenance trigger %s has no ref", p->trigger);
	}
	if (p->source_uri == NULL)
		return fail("provenance names no source (resolvedDependencies or materials)");
	char src[2048];
	normalize_uri(p->source_uri, src, sizeof src);
	split_ref(src, base, sizeof base, &ref);
	if (strcmp(base, want) != 0)
		return fail("source mismatch: the provenance's source is %s, expected %s", p->source_uri, want);
	if (github && ref[0] == '\0' && strcmp(p->build_type, NPM_CLI_V1) != 0 &&
	    strcmp(p->build_type, DELEGATOR_TYPE) != 0)
		return fail("provenance source %s has no ref", p->source_uri);
	if (github && ref[0] != '\0' && strcmp(p->trigger, src) != 0)
		return fail("provenance source %s and trigger %s differ", p->source_uri, p->trigger);
	return 0;
}

/* The ref a tag or branch check compares: refs/tags/T or refs/heads/B. */
static const char *prov_ref(const struct prov *p, int want_branch, char *buf, size_t size)
{
	/* BYOB builders and cairn record the ref in the source URI; npm's v1 in the workflow */
	if (strcmp(p->build_type, CAIRN_SLSA_BUILD_TYPE) == 0 ||
	    strcmp(p->build_type, DELEGATOR_TYPE) == 0 ||
	    (p->v1 && env_str(p, "github_ref_type") == NULL)) {
		const char *uri = p->source_uri ? p->source_uri : p->trigger, *ref;
		char base[2048];
		split_ref(uri, base, sizeof base, &ref);
		if (ref[0] == '\0' && p->trigger[0] != '\0')
			split_ref(p->trigger, base, sizeof base, &ref);
		snprintf(buf, size, "%s", ref);
		if (!(want_branch && strncmp(buf, "refs/tags/", 10) == 0))
			return buf;
	}
	const char *type = env_str(p, "github_ref_type");
	if (type && strcmp(type, "branch") == 0)
		return want_branch ? env_str(p, "github_ref") : "";
	if (type && strcmp(type, "tag") == 0) {
		if (!want_branch)
			return env_str(p, "github_ref");
		const char *base = env_str(p, "github_base_ref");
		if (base && base[0])
			return base;
		const char *event = env_str(p, "github_event_name");
		char key[64];
		snprintf(key, sizeof key, "%s", p->upper_env ? "GITHUB_EVENT_PAYLOAD" : "github_event_payload");
		const json_t *payload = json_object_get(p->env, key);
		if (event && strcmp(event, "push") == 0)
			return cairn_json_string_at(payload, "base_ref");
		if (event && strcmp(event, "release") == 0) {
			const char *target = cairn_json_string_at(json_object_get(payload, "release"), "target_commitish");
			if (target) {
				snprintf(buf, size, "refs/heads/%s", target);
				return buf;
			}
		}
		return "";
	}
	return NULL;
}

static int check_ref(const struct prov *p, const cairn_provenance_expect *e)
{
	char buf[1024];
	const char *tag = e->source_tag ? e->source_tag : e->source_versioned_tag;
	if (tag) {
		const char *ref = prov_ref(p, 0, buf, sizeof buf);
		if (ref == NULL || strncmp(ref, "refs/tags/", 10) != 0)
			return fail("tag mismatch: expected tag %s, the provenance's ref is %s", tag, ref && ref[0] ? ref : "not a tag");
		if (e->source_tag && strcmp(ref + 10, tag) != 0)
			return fail("tag mismatch: expected tag %s, got %s", tag, ref + 10);
		if (e->source_versioned_tag) {
			int err = cairn_provenance_versioned_tag_check(ref + 10, e->source_versioned_tag);
			if (err)
				return err;
		}
	}
	if (e->source_branch) {
		const char *ref = prov_ref(p, 1, buf, sizeof buf);
		if (ref == NULL || strncmp(ref, "refs/heads/", 11) != 0)
			return fail("branch mismatch: expected branch %s, the provenance's ref is %s", e->source_branch,
				    ref && ref[0] ? ref : "not a branch");
		if (strcmp(ref + 11, e->source_branch) != 0)
			return fail("branch mismatch: expected branch %s, got %s", e->source_branch, ref + 11);
	}
	return 0;
}

/* --build-workflow-input NAME=VALUE: the inputs of the workflow_dispatch event that started the build,
 * as the provenance records its event payload (slsa-verifier's VerifyWorkflowInputs). */
static int check_inputs(const struct prov *p, const cairn_provenance_expect *e)
{
	if (e->workflow_input_count == 0)
		return 0;
	const char *event = env_str(p, "github_event_name");
	if (event == NULL || strcmp(event, "workflow_dispatch") != 0)
		return fail("workflow inputs mismatch: the build was triggered by %s, not workflow_dispatch", event ? event : "an unknown event");
	const json_t *payload = json_object_get(p->env, p->upper_env ? "GITHUB_EVENT_PAYLOAD" : "github_event_payload");
	const json_t *inputs = json_object_get(payload, "inputs");
	if (!json_is_object(inputs))
		return fail("workflow inputs mismatch: the provenance records no workflow inputs");
	for (size_t i = 0; i < e->workflow_input_count; i++) {
		const char *kv = e->workflow_inputs[i], *eq = strchr(kv, '=');
		char name[256];
		if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof name)
			return cairn_error_set(CAIRN_EINVAL, "workflow input %s: expected NAME=VALUE", kv);
		snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
		const char *have = cairn_json_string_at(inputs, name);
		if (have == NULL)
			return fail("workflow inputs mismatch: the provenance has no input %s", name);
		if (strcmp(have, eq + 1) != 0)
			return fail("workflow inputs mismatch: expected %s, got %s=%s", kv, name, have);
	}
	return 0;
}

/* Digests of the artifact to look for among the subjects. */
static int artifact_digests(const cairn_provenance_expect *e, cairn_digest *out, size_t *count)
{
	*count = 0;
	if (e->artifact_path == NULL) {
		out[(*count)++] = e->artifact;
		return 0;
	}
	int err = cairn_digest_file(CAIRN_DIGEST_SHA256, e->artifact_path, &out[0]);
	if (!err)
		err = cairn_digest_file(CAIRN_DIGEST_SHA512, e->artifact_path, &out[1]);
	if (!err)
		*count = 2;
	return err;
}

static int check_subject(const cairn_intoto_statement *st, const cairn_provenance_expect *e)
{
	cairn_digest d[2];
	size_t n;
	int err = artifact_digests(e, d, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		if (cairn_intoto_statement_has_digest(st, &d[i]) == 1)
			return 0;
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest_format(&d[0], &text);
	err = fail("subject mismatch: no subject of the provenance has the artifact's digest %s", cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

static int check_types(const cairn_intoto_statement *st)
{
	if (strcmp(st->predicate_type, CAIRN_SLSA_PROVENANCE_V1) != 0 && strcmp(st->predicate_type, CAIRN_SLSA_PROVENANCE_V02) != 0)
		return fail("wrong predicate type: %s is not SLSA provenance (%s or %s)",
			    st->predicate_type[0] ? st->predicate_type : "(none)", CAIRN_SLSA_PROVENANCE_V1, CAIRN_SLSA_PROVENANCE_V02);
	return 0;
}

static int fill_result(cairn_provenance_result *r, const struct prov *p, const char *builder, const char *ptype)
{
	if (r == NULL)
		return 0;
	memset(r, 0, sizeof r[0]);
	r->builder_id = strdup(builder);
	r->source_uri = strdup(p->source_uri ? p->source_uri : "");
	r->predicate_type = strdup(ptype);
	const char *commit = cairn_json_string_at(p->source_digest, "gitCommit");
	if (commit == NULL)
		commit = cairn_json_string_at(p->source_digest, "sha1");
	r->source_commit = commit ? strdup(commit) : NULL;
	if (!r->builder_id || !r->source_uri || !r->predicate_type || (commit && !r->source_commit)) {
		cairn_provenance_result_free(r);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	return 0;
}

/* The verified statement's bytes, as signed, for the caller to print. */
static int keep_statement(cairn_provenance_result *r, const cairn_dsse_envelope *env)
{
	if (r == NULL)
		return 0;
	int err = cairn_buf_append(&r->statement, env->payload.data, env->payload.len);
	if (err)
		cairn_provenance_result_free(r);
	return err;
}

int cairn_provenance_check_statement(const cairn_intoto_statement *st, const json_t *payload,
				     const cairn_provenance_expect *e, cairn_provenance_result *result)
{
	int err = check_types(st);
	if (!err)
		err = check_subject(st, e);
	struct prov p;
	if (!err)
		err = prov_read(payload, &p);
	if (!err && e->builder_id) {
		struct builder_id have;
		err = builder_parse(p.builder_id, &have);
		if (!err && !builder_matches(&have, e->builder_id, 0))
			err = fail("builder mismatch: the provenance's builder is %s, expected %s", p.builder_id, e->builder_id);
	}
	if (!err && e->source_uri)
		err = check_source(&p, e->source_uri, 0);
	if (!err)
		err = check_ref(&p, e);
	if (!err)
		err = check_inputs(&p, e);
	if (!err)
		err = fill_result(result, &p, p.builder_id, st->predicate_type);
	return err;
}

/* Parses the statement inside an envelope (after its signature verified). */
static int statement_of(const cairn_dsse_envelope *env, cairn_intoto_statement *st, json_t **payload)
{
	if (strcmp(env->payload_type, CAIRN_DSSE_INTOTO_TYPE) != 0)
		return fail("wrong payload type %s: provenance must be %s", env->payload_type, CAIRN_DSSE_INTOTO_TYPE);
	int err = cairn_intoto_statement_parse(st, env->payload.data, env->payload.len, "provenance statement");
	if (err)
		return err == CAIRN_EVERIFY ? err : cairn_error_prefix(CAIRN_EVERIFY, "malformed provenance");
	err = cairn_json_parse(payload, env->payload.data, env->payload.len, NULL, "provenance statement");
	if (err) {
		cairn_intoto_statement_free(st);
		return err;
	}
	return 0;
}

int cairn_provenance_verify_dsse(const void *json, size_t len, const char *what, const cairn_key *key,
				 const cairn_provenance_expect *e, cairn_provenance_result *result)
{
	/* a .jsonl holds one envelope per line: use the first non-empty one */
	const char *text = json, *end = text + len;
	while (text < end && (*text == '\n' || *text == '\r' || *text == ' '))
		text++;
	const char *nl = memchr(text, '\n', (size_t)(end - text));
	if (nl) {
		const char *rest = nl;
		while (rest < end && isspace((unsigned char)*rest))
			rest++;
		if (rest < end)
			end = nl; /* more lines follow */
	}
	/* an envelope without signatures is unsigned provenance: a "no", not a malformed input */
	json_t *doc = NULL;
	if (cairn_json_parse(&doc, text, (size_t)(end - text), NULL, what) == 0) {
		const json_t *sigs = json_object_get(doc, "signatures");
		int unsigned_env = json_is_object(doc) && (sigs == NULL || (json_is_array(sigs) && json_array_size(sigs) == 0));
		json_decref(doc);
		if (unsigned_env)
			return fail("%s: unsigned: the envelope has no signatures", what);
	}
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	int err = cairn_dsse_parse(&env, text, (size_t)(end - text), what);
	if (err)
		return err;
	const cairn_key *keys[1] = {key};
	err = cairn_dsse_verify(&env, keys, 1, 1);
	if (err == CAIRN_EVERIFY)
		cairn_error_prefix(err, "%s: signature does not verify with the key", what);
	cairn_intoto_statement st;
	memset(&st, 0, sizeof st);
	json_t *payload = NULL;
	if (!err)
		err = statement_of(&env, &st, &payload);
	if (!err) {
		err = cairn_provenance_check_statement(&st, payload, e, result);
		cairn_intoto_statement_free(&st);
	}
	if (!err)
		err = keep_statement(result, &env);
	json_decref(payload);
	cairn_dsse_envelope_free(&env);
	return err;
}

/* ---- the GitHub Actions certificate ---- */

struct workflow {
	struct builder_id signer;  /* the certificate's workflow: name@ref */
	char repo[512];            /* owner/repo */
	const char *sha, *trigger, *hosted, *ref;
};

static const char *ext_pair(const cairn_cert_identity *id, int deprecated, int current, int *conflict)
{
	const char *a = id->extensions[deprecated], *b = id->extensions[current];
	*conflict = a && b && strcmp(a, b) != 0;
	return b ? b : a;
}

static int workflow_read(const cairn_cert_identity *id, struct workflow *w)
{
	memset(w, 0, sizeof *w);
	const char *san = NULL;
	for (size_t i = 0; i < id->san_count && san == NULL; i++)
		if (strncmp(id->sans[i], GH, strlen(GH)) == 0)
			san = id->sans[i];
	if (san == NULL)
		return fail("the certificate names no GitHub workflow");
	const char *at = strrchr(san, '@');
	if (at == NULL || at[1] == '\0')
		return fail("the certificate's workflow %s has no ref", san);
	if ((size_t)(at - san) >= sizeof w->signer.name || strlen(at + 1) >= sizeof w->signer.version)
		return fail("the certificate's workflow %s is too long", san);
	memcpy(w->signer.name, san, (size_t)(at - san));
	snprintf(w->signer.version, sizeof w->signer.version, "%s", at + 1);
	int conflict = 0, c2 = 0;
	w->trigger = ext_pair(id, 2, 20, &conflict);
	w->sha = ext_pair(id, 3, 13, &c2);
	const char *dep_repo = id->extensions[5], *uri = id->extensions[12];
	if (conflict || c2 || (id->extensions[19] && w->sha && strcmp(id->extensions[19], w->sha) != 0))
		return fail("the certificate's deprecated and current extensions disagree");
	if (w->trigger == NULL || w->sha == NULL)
		return fail("the certificate has no build trigger or source digest: not a GitHub Actions certificate");
	if (uri && dep_repo && (strncmp(uri, GH, strlen(GH)) != 0 || strcmp(uri + strlen(GH), dep_repo) != 0))
		return fail("the certificate's source repository extensions disagree: %s and %s", uri, dep_repo);
	const char *repo = uri && strncmp(uri, GH, strlen(GH)) == 0 ? uri + strlen(GH) : dep_repo;
	if (repo == NULL || repo[0] == '\0' || strlen(repo) >= sizeof w->repo)
		return fail("the certificate names no source repository");
	snprintf(w->repo, sizeof w->repo, "%s", repo);
	w->hosted = id->extensions[11];
	w->ref = id->extensions[14];
	return 0;
}

static int accepts_build_type(const char *builder, const struct prov *p)
{
	for (size_t i = 0; i < sizeof build_types / sizeof build_types[0]; i++)
		if (strcmp(build_types[i].builder, builder) == 0 && strcmp(build_types[i].build_type, p->build_type) == 0 &&
		    build_types[i].v == (p->v1 ? 1 : 2))
			return 1;
	return 0;
}

/* npm provenance is written by the publishing workflow itself: it counts only where it agrees with
 * what Fulcio certified (slsa-verifier's verifyProvenanceMatchesCertificate, in part). */
static int check_matches_certificate(const struct prov *p, const struct workflow *w)
{
	const char *commit = cairn_json_string_at(p->source_digest, "gitCommit");
	if (commit == NULL)
		commit = cairn_json_string_at(p->source_digest, "sha1");
	if (commit == NULL || strcmp(commit, w->sha) != 0)
		return fail("the provenance's source commit %s is not the certificate's %s", commit ? commit : "(none)", w->sha);
	const char *event = NULL;
	if (p->v1)
		event = cairn_json_string_at(json_object_get(p->env, "github"), "event_name");
	if (event == NULL)
		event = env_str(p, "github_event_name");
	if (event && strcmp(event, w->trigger) != 0)
		return fail("the provenance's trigger %s is not the certificate's %s", event, w->trigger);
	return 0;
}

static int check_github(const cairn_intoto_statement *st, const json_t *payload, const struct workflow *w,
			const cairn_provenance_expect *e, cairn_provenance_result *result)
{
	int err = check_types(st);
	if (!err)
		err = check_subject(st, e);
	struct prov p;
	if (!err)
		err = prov_read(payload, &p);
	if (err)
		return err;
	char signer[1400];
	snprintf(signer, sizeof signer, "%s@%s", w->signer.name, w->signer.version);
	/* images have their own default builder, slsa-github-generator's container generator, and no BYOB */
	int byob = !e->image && in_list(w->signer.name, byob_builders, sizeof byob_builders / sizeof byob_builders[0]);
	int trusted = e->image ? strcmp(w->signer.name, CONTAINER_GENERATOR) == 0
			       : in_list(w->signer.name, default_builders, sizeof default_builders / sizeof default_builders[0]);
	const char *verified = signer;
	struct builder_id pb;
	if ((err = builder_parse(p.builder_id, &pb)) != 0)
		return err;
	if (!trusted && e->builder_id && (strcmp(e->builder_id, NPM_HOSTED) == 0 || strcmp(e->builder_id, NPM_RUNNER) == 0)) {
		/* npm: the builder is GitHub's hosted runner; the certificate is the publishing workflow */
		if (w->hosted == NULL || strcmp(w->hosted, "github-hosted") != 0)
			return fail("builder mismatch: %s needs a GitHub-hosted runner, the certificate says %s", e->builder_id,
				    w->hosted ? w->hosted : "nothing");
		/* older provenance names the runner without "/github-hosted"; either form matches the other */
		if (!builder_matches(&pb, NPM_HOSTED, 0) && !builder_matches(&pb, NPM_RUNNER, 0))
			return fail("builder mismatch: the provenance's builder is %s, expected %s", p.builder_id, e->builder_id);
		/* the build types are those of the builder asked for: the short name is v0.2's only */
		if (!accepts_build_type(e->builder_id, &p))
			return fail("builder mismatch: build type %s (SLSA %s) is not one builder %s produces", p.build_type,
				    p.v1 ? "v1" : "v0.2", e->builder_id);
		err = check_matches_certificate(&p, w);
		verified = p.builder_id;
	} else {
		if (e->builder_id == NULL && !trusted)
			return fail("untrusted builder: the certificate's workflow %s is not a trusted builder "
				    "(give --builder-id to trust it)", signer);
		if (e->builder_id && !byob && !builder_matches(&w->signer, e->builder_id, 0))
			return fail("builder mismatch: the provenance was signed by %s, expected %s", signer, e->builder_id);
		if (!is_release_tag(w->signer.version))
			return fail("untrusted builder: %s is not at a release tag refs/tags/vX.Y.Z", signer);
		if (byob) {
			if (!is_release_tag(pb.version))
				return fail("untrusted builder: %s is not at a release tag refs/tags/vX.Y.Z", p.builder_id);
			const char *want = e->builder_id;
			if (want == NULL && strncmp(pb.name, GENERATOR, strlen(GENERATOR)) != 0)
				return fail("builder mismatch: %s is not a builder of slsa-github-generator", p.builder_id);
			if (want && !builder_matches(&pb, want, 0))
				return fail("builder mismatch: the provenance's builder is %s, expected %s", p.builder_id, want);
			verified = p.builder_id;
			if (!accepts_build_type(w->signer.name, &p))
				return fail("build type %s is not one builder %s produces", p.build_type, w->signer.name);
		} else {
			if (!builder_matches(&pb, signer, 1) && !builder_matches(&w->signer, p.builder_id, 1))
				return fail("builder mismatch: the provenance names builder %s but was signed by %s", p.builder_id, signer);
			if (trusted && !accepts_build_type(w->signer.name, &p))
				return fail("build type %s is not one builder %s produces", p.build_type, w->signer.name);
			if (!trusted)
				err = check_matches_certificate(&p, w);
		}
	}
	/* the repository Fulcio certified, then the provenance's own claims */
	char want[2048];
	normalize_uri(e->source_uri, want, sizeof want);
	const char *want_repo = strncmp(want, "git+https://github.com/", 23) == 0 ? want + 23 : want;
	if (!err && strcmp(want_repo, w->repo) != 0)
		err = fail("source mismatch: the certificate's source repository is github.com/%s, expected %s", w->repo, e->source_uri);
	if (!err)
		err = check_source(&p, e->source_uri, 1);
	if (!err)
		err = check_ref(&p, e);
	if (!err)
		err = check_inputs(&p, e);
	if (!err)
		err = fill_result(result, &p, verified, st->predicate_type);
	return err;
}

/* The leaf certificate as the bundle holds it (v0.3: certificate; v0.1/0.2: the chain's first). */
static int bundle_leaf(const void *json, size_t len, cairn_cert **leaf)
{
	json_t *doc = NULL;
	int err = cairn_json_parse(&doc, json, len, NULL, "bundle");
	if (err)
		return err;
	const json_t *vm = json_object_get(doc, "verificationMaterial");
	const char *raw = cairn_json_string_at(json_object_get(vm, "certificate"), "rawBytes");
	if (raw == NULL)
		raw = cairn_json_string_at(json_array_get(json_object_get(json_object_get(vm, "x509CertificateChain"), "certificates"), 0),
			     "rawBytes");
	cairn_buf der = CAIRN_BUF_INIT;
	if (raw == NULL)
		err = fail("the bundle holds no certificate: a GitHub Actions provenance bundle is signed with one");
	else
		err = cairn_base64_decode(&der, raw, strlen(raw), CAIRN_BASE64_STD, "bundle certificate");
	if (!err)
		err = cairn_cert_load_der(leaf, der.data, der.len, "bundle certificate");
	cairn_buf_free(&der);
	json_decref(doc);
	return err;
}

int cairn_provenance_verify_bundle(const void *json, size_t len, const char *what, const cairn_trusted_root *root,
				   int64_t now, const cairn_provenance_expect *e, cairn_provenance_result *result)
{
	if (e->source_uri == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a source URI is required");
	cairn_bundle *bundle = NULL;
	int err = cairn_bundle_parse(&bundle, json, len, what);
	if (err)
		return err;
	if (!cairn_bundle_is_dsse(bundle) || cairn_bundle_is_key_based(bundle)) {
		cairn_bundle_free(bundle);
		return fail("%s: not provenance: the bundle %s", what,
			    cairn_bundle_is_dsse(bundle) ? "is signed with a key, not a GitHub certificate" : "holds no DSSE envelope");
	}
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	artifact.path = e->artifact_path;
	artifact.digest = e->artifact;
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	options.identity.identity_regexp = "https://github\\.com/.+";
	options.identity.issuer = GH_ISSUER;
	options.now = now;
	cairn_bundle_result br;
	memset(&br, 0, sizeof br);
	err = cairn_bundle_verify(bundle, root, &artifact, &options, &br);
	cairn_bundle_result_free(&br);
	if (err == CAIRN_EVERIFY)
		cairn_error_prefix(err, "%s", what);
	cairn_cert *leaf = NULL;
	cairn_cert_identity id;
	memset(&id, 0, sizeof id);
	struct workflow w;
	if (!err)
		err = bundle_leaf(json, len, &leaf);
	if (!err)
		err = cairn_cert_get_identity(leaf, &id);
	if (!err)
		err = workflow_read(&id, &w);
	cairn_intoto_statement st;
	memset(&st, 0, sizeof st);
	json_t *payload = NULL;
	if (!err)
		err = statement_of(cairn_bundle_dsse(bundle), &st, &payload);
	if (!err) {
		err = check_github(&st, payload, &w, e, result);
		cairn_intoto_statement_free(&st);
	}
	if (!err)
		err = keep_statement(result, cairn_bundle_dsse(bundle));
	json_decref(payload);
	cairn_cert_identity_free(&id);
	cairn_cert_free(leaf);
	cairn_bundle_free(bundle);
	return err;
}
