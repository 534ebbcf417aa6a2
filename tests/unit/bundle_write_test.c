/* Unit tests of writing managed-key Sigstore bundles (v0.3): the key hint against the conformance
 * corpus's managed-key bundle, message digests against the FIPS 180-2 "abc" vectors, signatures
 * checked with the public half of the key, the DSSE payload kept byte for byte, and the refusals.
 * That sigstore-js and OpenSSL accept what is written is checked in tests/e2e/sigstore_js.bats and
 * tests/e2e/sign_bundle.bats. */
#include "cairn/bundle.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/sig.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* SHA-256 and SHA-384 of "abc" (FIPS 180-2, appendix B.1 and D.1), in standard base64. */
#define ABC_SHA256_B64 "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
#define ABC_SHA384_B64 "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"

static char artifact[64];

static void write_abc(void)
{
	strcpy(artifact, "/tmp/cairn-bundle-write-XXXXXX");
	int fd = mkstemp(artifact);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "abc", 3), 3);
	close(fd);
}

static void remove_abc(void)
{
	unlink(artifact);
}

static cairn_key *new_key(enum cairn_key_type type)
{
	cairn_key *key = NULL;
	cr_assert_eq(cairn_key_generate(&key, type), 0, "%s", cairn_error_message());
	return key;
}

static json_t *parse_json(const cairn_buf *text)
{
	json_error_t error;
	json_t *doc = json_loadb((const char *)text->data, text->len, 0, &error);
	cr_assert_not_null(doc, "bundle is not JSON: %s", error.text);
	return doc;
}

static const char *str_at(const json_t *doc, const char *a, const char *b, const char *c)
{
	const json_t *v = json_object_get(doc, a);
	if (b != NULL)
		v = json_object_get(v, b);
	if (c != NULL)
		v = json_object_get(v, c);
	cr_assert(json_is_string(v), "%s.%s.%s is not a string", a, b ? b : "", c ? c : "");
	return json_string_value(v);
}

static void decode(const char *text, cairn_buf *out)
{
	cr_assert_eq(cairn_base64_decode(out, text, strlen(text), CAIRN_BASE64_STD, "test"), 0, "%s",
		     cairn_error_message());
}

Test(bundle_write, hint_matches_the_conformance_managed_key_bundle)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/sigstore/conformance/bundle-verify/managed-key-happy-path/key.pub", test_corpus());
	cairn_key *key = NULL;
	cr_assert_eq(cairn_key_load_public_file(&key, path), 0, "%s", cairn_error_message());
	cairn_buf hint = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_bundle_key_hint(key, &hint), 0);
	/* the hint the bundle.sigstore.json of that case carries */
	cr_assert_str_eq(cairn_buf_cstr(&hint), "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=");
	cairn_buf_free(&hint);
	cairn_key_free(key);
}

/* Writes a message bundle for "abc" with a new key of type, checks its shape and digest, and checks
 * the signature with the public half of the key (and that it does not cover other data). */
static void check_message_bundle(enum cairn_key_type type, const char *alg_name, const char *digest_b64)
{
	cairn_key *key = new_key(type), *pub = NULL;
	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	cairn_buf json = CAIRN_BUF_INIT, hint = CAIRN_BUF_INIT, sig = CAIRN_BUF_INIT, digest = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_bundle_write_message(key, artifact, &json), 0, "%s", cairn_error_message());
	cr_assert_eq(json.data[json.len - 1], '\n');
	json_t *doc = parse_json(&json);
	cr_assert_str_eq(str_at(doc, "mediaType", NULL, NULL), "application/vnd.dev.sigstore.bundle.v0.3+json");
	cr_assert_eq(cairn_bundle_key_hint(pub, &hint), 0);
	cr_assert_str_eq(str_at(doc, "verificationMaterial", "publicKey", "hint"), cairn_buf_cstr(&hint));
	cr_assert_null(json_object_get(json_object_get(doc, "verificationMaterial"), "tlogEntries"));
	cr_assert_null(json_object_get(doc, "dsseEnvelope"));
	const json_t *ms = json_object_get(doc, "messageSignature");
	cr_assert_str_eq(str_at(ms, "messageDigest", "algorithm", NULL), alg_name);
	cr_assert_str_eq(str_at(ms, "messageDigest", "digest", NULL), digest_b64);
	decode(str_at(ms, "signature", NULL, NULL), &sig);
	cr_assert_eq(cairn_sig_verify(pub, "abc", 3, sig.data, sig.len), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sig_verify(pub, "abd", 3, sig.data, sig.len), CAIRN_EVERIFY);

	/* cairn's own parser reads it as a managed-key v0.3 message-signature bundle */
	cairn_bundle *bundle = NULL;
	cr_assert_eq(cairn_bundle_parse(&bundle, json.data, json.len, "written bundle"), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_bundle_version(bundle), 3);
	cr_assert_eq(cairn_bundle_is_key_based(bundle), 1);
	cr_assert_eq(cairn_bundle_is_dsse(bundle), 0);
	cr_assert_eq(cairn_bundle_tlog_count(bundle), 0);
	cr_assert_eq(cairn_bundle_timestamp_count(bundle), 0);
	cairn_bundle_free(bundle);
	json_decref(doc);
	cairn_buf_free(&json);
	cairn_buf_free(&hint);
	cairn_buf_free(&sig);
	cairn_buf_free(&digest);
	cairn_key_free(pub);
	cairn_key_free(key);
}

Test(bundle_write, p256_message_signature_over_sha256, .init = write_abc, .fini = remove_abc)
{
	check_message_bundle(CAIRN_KEY_ECDSA_P256, "SHA2_256", ABC_SHA256_B64);
}

Test(bundle_write, p384_message_signature_over_sha384, .init = write_abc, .fini = remove_abc)
{
	check_message_bundle(CAIRN_KEY_ECDSA_P384, "SHA2_384", ABC_SHA384_B64);
}

Test(bundle_write, ed25519_signs_the_whole_message_and_names_its_sha256, .init = write_abc, .fini = remove_abc)
{
	check_message_bundle(CAIRN_KEY_ED25519, "SHA2_256", ABC_SHA256_B64);
}

/* The verifier fails closed on a bundle without a log entry: signing offline must not make a bundle
 * that verifies by default (see docs/sign-blob.md). */
Test(bundle_write, offline_bundle_is_not_verified_without_a_log_entry, .init = write_abc, .fini = remove_abc)
{
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256), *pub = NULL;
	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	cairn_buf json = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_bundle_write_message(key, artifact, &json), 0);
	cairn_bundle *bundle = NULL;
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_bundle_parse(&bundle, json.data, json.len, "written bundle"), 0);
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0);
	cairn_bundle_artifact art = {.path = artifact};
	cairn_bundle_options options = {.key = pub};
	cr_assert_eq(cairn_bundle_verify(bundle, root, &art, &options, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "transparency log") != NULL, "%s", cairn_error_message());
	cairn_trusted_root_free(root);
	cairn_bundle_free(bundle);
	cairn_buf_free(&json);
	cairn_key_free(pub);
	cairn_key_free(key);
}

static const char statement[] =
	"{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"abc\",\"digest\":{\"sha256\":"
	"\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}}],"
	"\"predicateType\":\"https://example.com/test/v1\",\"predicate\":{\"n\":1}}\n";

Test(bundle_write, dsse_envelope_keeps_the_statement_and_verifies)
{
	static const enum cairn_key_type types[] = {CAIRN_KEY_ECDSA_P256, CAIRN_KEY_ECDSA_P384, CAIRN_KEY_ED25519};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		cairn_key *key = new_key(types[i]), *pub = NULL;
		cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
		cairn_buf json = CAIRN_BUF_INIT, payload = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_bundle_write_dsse(key, statement, strlen(statement), "statement", &json), 0, "%s",
			     cairn_error_message());
		json_t *doc = parse_json(&json);
		cr_assert_null(json_object_get(doc, "messageSignature"));
		const json_t *env = json_object_get(doc, "dsseEnvelope");
		cr_assert_str_eq(str_at(env, "payloadType", NULL, NULL), "application/vnd.in-toto+json");
		decode(str_at(env, "payload", NULL, NULL), &payload);
		cr_assert_eq(payload.len, strlen(statement));
		cr_assert_eq(memcmp(payload.data, statement, payload.len), 0);
		cr_assert_eq(json_array_size(json_object_get(env, "signatures")), 1);

		cairn_bundle *bundle = NULL;
		cr_assert_eq(cairn_bundle_parse(&bundle, json.data, json.len, "written bundle"), 0, "%s",
			     cairn_error_message());
		cr_assert_eq(cairn_bundle_is_dsse(bundle), 1);
		const cairn_dsse_envelope *e = cairn_bundle_dsse(bundle);
		cr_assert_eq(e->sig_count, 1);
		cr_assert_eq(cairn_dsse_verify_one(e, pub, e->sigs[0].sig.data, e->sigs[0].sig.len), 0, "%s",
			     cairn_error_message());
		/* the signature is over PAE(type, payload): another payload does not verify */
		cairn_dsse_envelope other;
		cr_assert_eq(cairn_dsse_envelope_init(&other, e->payload_type, "{}", 2), 0);
		cr_assert_eq(cairn_dsse_verify_one(&other, pub, e->sigs[0].sig.data, e->sigs[0].sig.len), CAIRN_EVERIFY);
		cairn_dsse_envelope_free(&other);
		cairn_bundle_free(bundle);
		json_decref(doc);
		cairn_buf_free(&json);
		cairn_buf_free(&payload);
		cairn_key_free(pub);
		cairn_key_free(key);
	}
}

Test(bundle_write, dsse_refuses_what_is_not_an_intoto_statement)
{
	static const char *const bad[] = {
		"not json",
		"{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"x\"}",
		("{\"_type\":\"https://example.com/other\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":"
		 "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}}]}"),
		"{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"abc\"}}]}",
		"[1,2,3]",
	};
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_buf json = CAIRN_BUF_INIT;
		int err = cairn_bundle_write_dsse(key, bad[i], strlen(bad[i]), "statement st.json", &json);
		cr_assert(err == CAIRN_EINVAL || err == CAIRN_EUNSUPPORTED, "case %zu: %d", i, err);
		cr_assert(strstr(cairn_error_message(), "st.json") != NULL, "case %zu: %s", i, cairn_error_message());
		cr_assert_eq(json.len, 0);
		cairn_buf_free(&json);
	}
	cairn_key_free(key);
}

Test(bundle_write, refuses_public_keys_and_missing_files, .init = write_abc, .fini = remove_abc)
{
	cairn_key *key = new_key(CAIRN_KEY_ECDSA_P256), *pub = NULL;
	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	cairn_buf json = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_bundle_write_message(pub, artifact, &json), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "private key") != NULL);
	cr_assert_eq(cairn_bundle_write_dsse(pub, statement, strlen(statement), "st", &json), CAIRN_EINVAL);
	cr_assert_eq(cairn_bundle_write_message(key, "/nonexistent/cairn-artifact", &json), CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), "/nonexistent/cairn-artifact") != NULL, "%s", cairn_error_message());
	cr_assert_eq(json.len, 0);
	cairn_buf_free(&json);
	cairn_key_free(pub);
	cairn_key_free(key);
}
