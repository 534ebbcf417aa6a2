/* Unit tests of attestations: predicate type names against the URIs the in-toto framework and cosign
 * publish, predicate shape checks with the corpus's real SBOMs, statements read back by the in-toto
 * parser, envelopes checked by an independent PAE computation with OpenSSL, the .att manifest and
 * referrer index built as cosign and OCI 1.1 lay them out, verification refusals with their reasons,
 * and a real keyless SLSA attestation bundle from the Sigstore conformance corpus. */
#include "cairn/attest.h"
#include "cairn/bundle.h"
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/sig.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define OTHER_HEX "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static cairn_digest digest_of(const char *text)
{
	cairn_digest d;
	cr_assert_eq(cairn_digest_parse(text, strlen(text), &d), 0, "%s", cairn_error_message());
	return d;
}

static json_t *json_of(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	cr_assert_not_null(v);
	return v;
}

static cairn_key *p256(void)
{
	cairn_key *k = NULL;
	cr_assert_eq(cairn_key_generate(&k, CAIRN_KEY_ECDSA_P256), 0);
	return k;
}

static void read_corpus(const char *rel, cairn_buf *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", test_corpus(), rel);
	cr_assert_eq(cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, out), 0, "%s", cairn_error_message());
}

/* --- predicate types ------------------------------------------------------------------------------- */

Test(attest, type_names_map_to_the_published_uris)
{
	static const struct {
		const char *name, *uri;
	} cases[] = {
		{"slsaprovenance1", "https://slsa.dev/provenance/v1"},
		{"slsaprovenance02", "https://slsa.dev/provenance/v0.2"},
		{"cyclonedx", "https://cyclonedx.org/bom"},
		{"spdx", "https://spdx.dev/Document"},
		{"spdxjson", "https://spdx.dev/Document"},
		{"vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"},
		{"openvex", "https://openvex.dev/ns"},
		{"link", "https://in-toto.io/Link/v1"},
		{"https://example.com/custom/v1", "https://example.com/custom/v1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *uri = NULL;
		cr_assert_eq(cairn_attest_type_uri(cases[i].name, NULL, &uri), 0, "%s", cases[i].name);
		cr_assert_str_eq(uri, cases[i].uri);
		cr_assert(cairn_attest_type_matches(cases[i].name, cases[i].uri));
	}
	const char *uri = NULL;
	/* "slsaprovenance" follows the predicate: v1 members, or v0.2's builder */
	json_t *v1 = json_of("{\"buildDefinition\":{},\"runDetails\":{}}");
	json_t *v02 = json_of("{\"builder\":{\"id\":\"x\"},\"buildType\":\"t\"}");
	cr_assert_eq(cairn_attest_type_uri("slsaprovenance", v1, &uri), 0);
	cr_assert_str_eq(uri, "https://slsa.dev/provenance/v1");
	cr_assert_eq(cairn_attest_type_uri("slsaprovenance", v02, &uri), 0);
	cr_assert_str_eq(uri, "https://slsa.dev/provenance/v0.2");
	cr_assert(cairn_attest_type_matches("slsaprovenance", "https://slsa.dev/provenance/v0.2"));
	cr_assert(cairn_attest_type_matches("slsaprovenance", "https://slsa.dev/provenance/v1"));
	json_decref(v1);
	json_decref(v02);
	/* no prefix matching, no case folding, no unknown names */
	cr_assert_not(cairn_attest_type_matches("cyclonedx", "https://cyclonedx.org/bom/v1.6"));
	cr_assert_not(cairn_attest_type_matches("spdx", "https://cyclonedx.org/bom"));
	cr_assert_not(cairn_attest_type_matches("https://example.com/a", "https://example.com/A"));
	cr_assert_not(cairn_attest_type_matches("slsaprovenance1", "https://slsa.dev/provenance/v0.2"));
	static const char *bad[] = {"", "CycloneDX", "custom", "example.com/x", "://x", "https://", "https://a b"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(cairn_attest_type_uri(bad[i], NULL, &uri), CAIRN_EINVAL, "'%s' accepted", bad[i]);
		cr_assert_not(cairn_attest_type_matches(bad[i], bad[i]));
	}
}

Test(attest, predicates_are_checked_against_their_type_with_real_sboms)
{
	cairn_buf cdx = CAIRN_BUF_INIT, spdx = CAIRN_BUF_INIT;
	read_corpus("sbom/examples/cyclonedx-1.6/valid-tags-1.6.json", &cdx);
	read_corpus("sbom/examples/SPDXJSONExample-v2.3.spdx.json", &spdx);
	json_t *p = NULL;
	cr_assert_eq(cairn_attest_predicate_parse(&p, cdx.data, cdx.len, "https://cyclonedx.org/bom", "cdx"), 0, "%s",
		     cairn_error_message());
	cr_assert_str_eq(json_string_value(json_object_get(p, "bomFormat")), "CycloneDX");
	json_decref(p);
	cr_assert_eq(cairn_attest_predicate_parse(&p, spdx.data, spdx.len, "https://spdx.dev/Document", "spdx"), 0, "%s",
		     cairn_error_message());
	json_decref(p);
	/* crossed over, each is refused with its reason */
	cr_assert_eq(cairn_attest_predicate_parse(&p, spdx.data, spdx.len, "https://cyclonedx.org/bom", "spdx"),
		     CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "not a CycloneDX predicate") != NULL, "%s", cairn_error_message());
	cr_assert_null(p);
	cr_assert_eq(cairn_attest_predicate_parse(&p, cdx.data, cdx.len, "https://spdx.dev/Document", "cdx"), CAIRN_EINVAL);
	cr_assert_eq(cairn_attest_predicate_parse(&p, cdx.data, cdx.len, "https://slsa.dev/provenance/v1", "cdx"),
		     CAIRN_EINVAL);
	/* any JSON object for a custom type, but not an array, a scalar or broken JSON */
	static const char obj[] = "{\"a\":1}", arr[] = "[1]", num[] = "3", broken[] = "{\"a\":", dup[] = "{\"a\":1,\"a\":2}";
	cr_assert_eq(cairn_attest_predicate_parse(&p, obj, strlen(obj), "https://example.com/t", "obj"), 0);
	json_decref(p);
	cr_assert_eq(cairn_attest_predicate_parse(&p, arr, strlen(arr), "https://example.com/t", "arr"), CAIRN_EINVAL);
	cr_assert_eq(cairn_attest_predicate_parse(&p, num, strlen(num), "https://example.com/t", "num"), CAIRN_EINVAL);
	cr_assert_eq(cairn_attest_predicate_parse(&p, broken, strlen(broken), "https://example.com/t", "b"), CAIRN_EINVAL);
	cr_assert_eq(cairn_attest_predicate_parse(&p, dup, strlen(dup), "https://example.com/t", "d"), CAIRN_EINVAL);
	static const char vex[] = "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[]}";
	cr_assert_eq(cairn_attest_predicate_parse(&p, vex, strlen(vex), "https://openvex.dev/ns", "vex"), 0);
	json_decref(p);
	cr_assert_eq(cairn_attest_predicate_parse(&p, obj, strlen(obj), "https://openvex.dev/ns", "vex"), CAIRN_EINVAL);
	cairn_buf_free(&cdx);
	cairn_buf_free(&spdx);
}

/* --- statements and envelopes ---------------------------------------------------------------------- */

Test(attest, statement_is_in_toto_v1_with_the_subject_digests)
{
	cairn_digest d[2];
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, "abc", 3, &d[0]), 0);
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA512, "abc", 3, &d[1]), 0);
	json_t *pred = json_of("{\"k\":\"v\"}");
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_attest_statement_make("abc.txt", d, 2, "https://example.com/t", pred, &out), 0);
	/* the FIPS 180-2 digests of "abc", written as in-toto's DigestSet */
	cr_assert_str_eq(cairn_buf_cstr(&out),
			 "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"abc.txt\",\"digest\":{"
			 "\"sha256\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
			 "\"sha512\":\"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836"
			 "ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f\"}}],"
			 "\"predicateType\":\"https://example.com/t\",\"predicate\":{\"k\":\"v\"}}");
	cairn_intoto_statement st;
	cr_assert_eq(cairn_intoto_statement_parse(&st, out.data, out.len, "st"), 0, "%s", cairn_error_message());
	cr_assert(cairn_intoto_statement_has_digest(&st, &d[0]));
	cr_assert(cairn_intoto_statement_has_digest(&st, &d[1]));
	cairn_intoto_statement_free(&st);
	cairn_buf_free(&out);
	cr_assert_eq(cairn_attest_statement_make("x", d, 0, "https://example.com/t", pred, &out), CAIRN_EINVAL);
	json_decref(pred);
}

/* The DSSE spec's PAE written out by hand, verified with OpenSSL directly. */
Test(attest, envelope_verifies_over_an_independent_pae)
{
	cairn_key *key = p256();
	static const char statement[] = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
	cairn_buf env_json = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_attest_envelope_sign(key, statement, strlen(statement), &env_json), 0);
	json_t *env = json_of(cairn_buf_cstr(&env_json));
	cr_assert_str_eq(json_string_value(json_object_get(env, "payloadType")), "application/vnd.in-toto+json");
	const char *sig_b64 = json_string_value(json_object_get(json_array_get(json_object_get(env, "signatures"), 0), "sig"));
	cairn_buf sig = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_decode(&sig, sig_b64, strlen(sig_b64), CAIRN_BASE64_STD, "sig"), 0);
	char pae[256];
	int n = snprintf(pae, sizeof pae, "DSSEv1 28 application/vnd.in-toto+json %zu %s", strlen(statement), statement);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	cr_assert_eq(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, cairn_key_evp(key)), 1);
	cr_assert_eq(EVP_DigestVerify(ctx, sig.data, sig.len, (const unsigned char *)pae, (size_t)n), 1);
	EVP_MD_CTX_free(ctx);
	json_decref(env);
	cairn_buf_free(&sig);
	cairn_buf_free(&env_json);
	cairn_key_free(key);
}

/* --- verification of one envelope ------------------------------------------------------------------ */

static void signed_statement(const cairn_key *key, const char *subject_hex, const char *type, cairn_buf *env)
{
	char text[80];
	snprintf(text, sizeof text, "sha256:%s", subject_hex);
	cairn_digest d = digest_of(text);
	json_t *pred = json_of("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}");
	cairn_buf st = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_attest_statement_make("registry.example/app", &d, 1, type, pred, &st), 0);
	cr_assert_eq(cairn_attest_envelope_sign(key, st.data, st.len, env), 0);
	cairn_buf_free(&st);
	json_decref(pred);
}

static int verify_env(const cairn_buf *env, const cairn_key *key, const char *type)
{
	cairn_attest_verify_options o;
	memset(&o, 0, sizeof o);
	o.key = key;
	o.type = type;
	cairn_digest image = digest_of("sha256:" IMAGE_HEX);
	cairn_attest_verified v;
	int err = cairn_attest_verify_envelope(env->data, env->len, &image, &o, &v);
	if (!err) {
		cr_assert_str_eq(v.predicate_type, "https://cyclonedx.org/bom");
		cr_assert(strstr(v.statement, IMAGE_HEX) != NULL);
		cr_assert_eq(v.from_referrer, 0);
		cairn_attest_verified_free(&v);
	}
	return err;
}

static void expect_reason(int err, const char *reason)
{
	cr_assert_eq(err, CAIRN_EVERIFY, "%d %s", err, cairn_error_message());
	cr_assert(strstr(cairn_error_message(), reason) != NULL, "'%s' lacks '%s'", cairn_error_message(), reason);
}

Test(attest, envelope_verification_names_each_reason)
{
	cairn_key *key = p256(), *other = p256();
	cairn_buf good = CAIRN_BUF_INIT, wrong_subject = CAIRN_BUF_INIT, wrong_type = CAIRN_BUF_INIT;
	signed_statement(key, IMAGE_HEX, "https://cyclonedx.org/bom", &good);
	signed_statement(key, OTHER_HEX, "https://cyclonedx.org/bom", &wrong_subject);
	signed_statement(key, IMAGE_HEX, "https://spdx.dev/Document", &wrong_type);
	cr_assert_eq(verify_env(&good, key, "cyclonedx"), 0, "%s", cairn_error_message());
	cr_assert_eq(verify_env(&good, key, "https://cyclonedx.org/bom"), 0);
	expect_reason(verify_env(&good, other, "cyclonedx"), "does not verify with the given key");
	expect_reason(verify_env(&wrong_subject, key, "cyclonedx"), "wrong subject");
	expect_reason(verify_env(&wrong_type, key, "cyclonedx"), "not the requested cyclonedx");
	expect_reason(verify_env(&good, key, "spdx"), "predicate type is https://cyclonedx.org/bom");

	/* the payload changed under the same signature */
	json_t *env = json_of(cairn_buf_cstr(&good));
	cairn_buf payload = CAIRN_BUF_INIT, b64 = CAIRN_BUF_INIT, tampered = CAIRN_BUF_INIT;
	const char *p = json_string_value(json_object_get(env, "payload"));
	cr_assert_eq(cairn_base64_decode(&payload, p, strlen(p), CAIRN_BASE64_STD, "p"), 0);
	char *where = strstr((char *)payload.data, "1.6");
	cr_assert_not_null(where);
	where[2] = '5';
	cr_assert_eq(cairn_base64_encode(&b64, payload.data, payload.len, CAIRN_BASE64_STD), 0);
	json_object_set_new(env, "payload", json_string(cairn_buf_cstr(&b64)));
	char *dump = json_dumps(env, JSON_COMPACT);
	cairn_buf_append_str(&tampered, dump);
	free(dump);
	expect_reason(verify_env(&tampered, key, "cyclonedx"), "does not verify");

	/* not an envelope, and an envelope of another payload type */
	cairn_buf junk = CAIRN_BUF_INIT;
	cairn_buf_append_str(&junk, "{\"hello\":1}");
	expect_reason(verify_env(&junk, key, "cyclonedx"), "not a DSSE envelope");
	json_object_set_new(env, "payloadType", json_string("text/plain"));
	dump = json_dumps(env, JSON_COMPACT);
	cairn_buf_clear(&tampered);
	cairn_buf_append_str(&tampered, dump);
	free(dump);
	expect_reason(verify_env(&tampered, key, "cyclonedx"), "payload type is text/plain");

	/* no key and no certificate: nothing can verify it (fail closed) */
	cairn_attest_verify_options o;
	memset(&o, 0, sizeof o);
	o.type = "cyclonedx";
	cairn_digest image = digest_of("sha256:" IMAGE_HEX);
	expect_reason(cairn_attest_verify_envelope(good.data, good.len, &image, &o, NULL), "no key given");

	json_decref(env);
	cairn_buf_free(&junk);
	cairn_buf_free(&payload);
	cairn_buf_free(&b64);
	cairn_buf_free(&tampered);
	cairn_buf_free(&good);
	cairn_buf_free(&wrong_subject);
	cairn_buf_free(&wrong_type);
	cairn_key_free(key);
	cairn_key_free(other);
}

/* --- the registry layouts -------------------------------------------------------------------------- */

Test(attest, att_tag_and_manifest_follow_cosign)
{
	cairn_digest image = digest_of("sha256:" IMAGE_HEX);
	cairn_buf tag = CAIRN_BUF_INIT, m1 = CAIRN_BUF_INIT, c1 = CAIRN_BUF_INIT, m2 = CAIRN_BUF_INIT, c2 = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_attest_tag(&image, &tag), 0);
	cr_assert_str_eq(cairn_buf_cstr(&tag), "sha256-" IMAGE_HEX ".att");
	int added = 0;
	cr_assert_eq(cairn_attest_manifest_append(NULL, 0, "{}", 2, "https://cyclonedx.org/bom", &m1, &c1, &added), 0);
	cr_assert_eq(added, 1);
	/* sha256("{}") is the OCI empty descriptor's well-known digest */
	cr_assert_str_eq(cairn_buf_cstr(&c1),
			 "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":"
			 "\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
			 "\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"]},\"config\":{}}");
	cr_assert(strstr(cairn_buf_cstr(&m1),
			 "\"layers\":[{\"mediaType\":\"application/vnd.dsse.envelope.v1+json\",\"size\":2,\"digest\":"
			 "\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"annotations\":{"
			 "\"dev.cosignproject.cosign/signature\":\"\",\"predicateType\":\"https://cyclonedx.org/bom\"}}]") != NULL,
		  "%s", cairn_buf_cstr(&m1));
	cr_assert(strncmp(cairn_buf_cstr(&m1), "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
						"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"", 120) == 0);
	/* the same envelope again adds nothing; another is appended after the first */
	cr_assert_eq(cairn_attest_manifest_append(m1.data, m1.len, "{}", 2, "https://cyclonedx.org/bom", &m2, &c2, &added), 0);
	cr_assert_eq(added, 0);
	cr_assert_eq(m2.len, 0);
	cr_assert_eq(cairn_attest_manifest_append(m1.data, m1.len, "[]", 2, "https://spdx.dev/Document", &m2, &c2, &added), 0);
	cr_assert_eq(added, 1);
	json_t *m = json_of(cairn_buf_cstr(&m2));
	json_t *layers = json_object_get(m, "layers");
	cr_assert_eq(json_array_size(layers), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(layers, 1), "annotations"),
							   "predicateType")), "https://spdx.dev/Document");
	json_decref(m);
	/* an index is not an image manifest */
	static const char index[] = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
				    "\"manifests\":[]}";
	cairn_buf_clear(&m2);
	cr_assert_eq(cairn_attest_manifest_append(index, strlen(index), "{}", 2, "https://x.example/t", &m2, &c2, &added),
		     CAIRN_EUNSUPPORTED);
	cairn_buf_free(&tag);
	cairn_buf_free(&m1);
	cairn_buf_free(&c1);
	cairn_buf_free(&m2);
	cairn_buf_free(&c2);
}

Test(attest, referrer_manifest_and_fallback_index)
{
	cairn_attest_subject subject = {"application/vnd.oci.image.manifest.v1+json", digest_of("sha256:" IMAGE_HEX), 1234};
	cairn_digest bundle = digest_of("sha256:" OTHER_HEX);
	cairn_buf m = CAIRN_BUF_INIT, idx1 = CAIRN_BUF_INIT, idx2 = CAIRN_BUF_INIT, idx3 = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_attest_referrer_manifest(&subject, &bundle, 99, "https://cyclonedx.org/bom",
						    "2026-01-02T03:04:05Z", &m), 0);
	json_t *root = json_of(cairn_buf_cstr(&m));
	cr_assert_str_eq(json_string_value(json_object_get(root, "artifactType")),
			 "application/vnd.dev.sigstore.bundle.v0.3+json");
	json_t *subj = json_object_get(root, "subject");
	cr_assert_str_eq(json_string_value(json_object_get(subj, "digest")), "sha256:" IMAGE_HEX);
	cr_assert_eq(json_integer_value(json_object_get(subj, "size")), 1234);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "config"), "mediaType")),
			 "application/vnd.oci.empty.v1+json");
	json_t *ann = json_object_get(root, "annotations");
	cr_assert_str_eq(json_string_value(json_object_get(ann, "dev.sigstore.bundle.predicateType")),
			 "https://cyclonedx.org/bom");
	cr_assert_str_eq(json_string_value(json_object_get(ann, "org.opencontainers.image.created")), "2026-01-02T03:04:05Z");
	json_decref(root);

	/* an existing index (another artifact already listed) keeps its entry; the referrer is added once */
	static const char existing[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
		"\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" OTHER_HEX "\","
		"\"size\":7,\"artifactType\":\"application/example\"}]}";
	int added = 0;
	cr_assert_eq(cairn_attest_fallback_index_add(existing, strlen(existing), m.data, m.len, &idx1, &added), 0);
	cr_assert_eq(added, 1);
	cr_assert_eq(cairn_attest_fallback_index_add(idx1.data, idx1.len, m.data, m.len, &idx2, &added), 0);
	cr_assert_eq(added, 0);
	root = json_of(cairn_buf_cstr(&idx1));
	json_t *list = json_object_get(root, "manifests");
	cr_assert_eq(json_array_size(list), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "artifactType")), "application/example");
	json_t *entry = json_array_get(list, 1);
	cairn_digest md;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, m.data, m.len, &md), 0);
	cairn_buf mtext = CAIRN_BUF_INIT;
	cairn_digest_format(&md, &mtext);
	cr_assert_str_eq(json_string_value(json_object_get(entry, "digest")), cairn_buf_cstr(&mtext));
	cr_assert_eq((size_t)json_integer_value(json_object_get(entry, "size")), m.len);
	cr_assert_str_eq(json_string_value(json_object_get(entry, "artifactType")),
			 "application/vnd.dev.sigstore.bundle.v0.3+json");
	json_decref(root);
	/* a new index when there is none; an image manifest under the fallback tag is refused */
	cr_assert_eq(cairn_attest_fallback_index_add(NULL, 0, m.data, m.len, &idx3, &added), 0);
	cr_assert_eq(added, 1);
	cairn_buf_clear(&idx2);
	cr_assert_eq(cairn_attest_fallback_index_add(m.data, m.len, m.data, m.len, &idx2, &added), CAIRN_EUNSUPPORTED);
	cairn_buf_free(&mtext);
	cairn_buf_free(&m);
	cairn_buf_free(&idx1);
	cairn_buf_free(&idx2);
	cairn_buf_free(&idx3);
}

/* --- bundles --------------------------------------------------------------------------------------- */

#define BEACON_IDENTITY                                                                                     \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/" \
	"extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define BEACON_ISSUER "https://token.actions.githubusercontent.com"

/* A real keyless SLSA v1 attestation over a.txt from the Sigstore conformance suite. */
Test(attest, conformance_dsse_bundle_verifies_as_slsa_provenance_only)
{
	char path[4096], root_path[4096];
	snprintf(path, sizeof path, "%s/sigstore/conformance/bundle-verify/a.txt", test_corpus());
	snprintf(root_path, sizeof root_path, "%s/sigstore/trusted_root.public-good.json", test_corpus());
	cairn_buf bundle = CAIRN_BUF_INIT;
	read_corpus("sigstore/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json", &bundle);
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_load_file(&root, root_path), 0, "%s", cairn_error_message());
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	artifact.path = path;
	cairn_attest_verify_options o;
	memset(&o, 0, sizeof o);
	o.root = root;
	o.identity.identity = BEACON_IDENTITY;
	o.identity.issuer = BEACON_ISSUER;
	o.type = "slsaprovenance";
	cairn_attest_verified v;
	cr_assert_eq(cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, &o, &v), 0, "%s", cairn_error_message());
	cr_assert_str_eq(v.predicate_type, "https://slsa.dev/provenance/v1");
	cr_assert_str_eq(v.identity, BEACON_IDENTITY);
	cr_assert_str_eq(v.issuer, BEACON_ISSUER);
	cr_assert_eq(v.from_referrer, 1);
	cairn_attest_verified_free(&v);
	o.type = "cyclonedx";
	expect_reason(cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, &o, NULL), "not the requested cyclonedx");
	o.type = "slsaprovenance";
	o.identity.identity = "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main";
	cr_assert_eq(cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, &o, NULL), CAIRN_EVERIFY);
	/* a digest that is not the artifact's */
	o.identity.identity = BEACON_IDENTITY;
	artifact.path = NULL;
	artifact.digest = digest_of("sha256:" IMAGE_HEX);
	cr_assert_eq(cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, &o, NULL), CAIRN_EVERIFY);
	cairn_trusted_root_free(root);
	cairn_buf_free(&bundle);
}

/* A keyless cosign .att layer carries the DSSE envelope as its blob and, in annotations, the Fulcio
 * certificate (PEM) and the Rekor bundle {"SignedEntryTimestamp", "Payload": {body, integratedTime,
 * logIndex, logID (hex)}}. The conformance corpus's keyless DSSE bundle (a real Fulcio certificate and
 * a real Rekor entry) is taken apart into exactly that layout by the test, independently of the code
 * that puts it back together. */
struct cosign_layer {
	char *envelope, *certificate_pem, *rekor_bundle;
};

static void cosign_layer_from_bundle(const char *rel, struct cosign_layer *out)
{
	cairn_buf text = CAIRN_BUF_INIT;
	read_corpus(rel, &text);
	json_t *b = json_of(cairn_buf_cstr(&text));
	json_t *vm = json_object_get(b, "verificationMaterial");
	out->envelope = json_dumps(json_object_get(b, "dsseEnvelope"), JSON_COMPACT);
	/* the certificate as PEM, lines of 64 */
	const char *raw = json_string_value(json_object_get(json_object_get(vm, "certificate"), "rawBytes"));
	cr_assert_not_null(raw);
	cairn_buf pem = CAIRN_BUF_INIT;
	cairn_buf_append_str(&pem, "-----BEGIN CERTIFICATE-----\n");
	for (size_t at = 0; at < strlen(raw); at += 64) {
		cairn_buf_append(&pem, raw + at, strlen(raw) - at < 64 ? strlen(raw) - at : 64);
		cairn_buf_append_byte(&pem, '\n');
	}
	cairn_buf_append_str(&pem, "-----END CERTIFICATE-----\n");
	out->certificate_pem = strdup(cairn_buf_cstr(&pem));
	/* the Rekor bundle annotation; logID in hex, numbers as numbers */
	json_t *e = json_array_get(json_object_get(vm, "tlogEntries"), 0);
	cairn_buf id = CAIRN_BUF_INIT, hex = CAIRN_BUF_INIT;
	const char *key_id = json_string_value(json_object_get(json_object_get(e, "logId"), "keyId"));
	cr_assert_eq(cairn_base64_decode(&id, key_id, strlen(key_id), CAIRN_BASE64_STD, "keyId"), 0);
	cairn_hex_encode(&hex, id.data, id.len);
	json_t *annotation = json_pack(
		"{s:O,s:{s:O,s:I,s:I,s:s}}", "SignedEntryTimestamp",
		json_object_get(json_object_get(e, "inclusionPromise"), "signedEntryTimestamp"), "Payload", "body",
		json_object_get(e, "canonicalizedBody"), "integratedTime",
		(json_int_t)strtoll(json_string_value(json_object_get(e, "integratedTime")), NULL, 10), "logIndex",
		(json_int_t)strtoll(json_string_value(json_object_get(e, "logIndex")), NULL, 10), "logID", cairn_buf_cstr(&hex));
	cr_assert_not_null(annotation);
	out->rekor_bundle = json_dumps(annotation, JSON_COMPACT);
	json_decref(annotation);
	json_decref(b);
	cairn_buf_free(&text);
	cairn_buf_free(&pem);
	cairn_buf_free(&id);
	cairn_buf_free(&hex);
}

static void cosign_layer_free(struct cosign_layer *l)
{
	free(l->envelope);
	free(l->certificate_pem);
	free(l->rekor_bundle);
}

Test(attest, keyless_cosign_att_layer_verifies_from_its_annotations)
{
	char root_path[4096];
	snprintf(root_path, sizeof root_path, "%s/sigstore/trusted_root.public-good.json", test_corpus());
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_load_file(&root, root_path), 0, "%s", cairn_error_message());
	struct cosign_layer l;
	cosign_layer_from_bundle("sigstore/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json", &l);
	/* the statement's subject is a.txt */
	cairn_digest subject = digest_of("sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf");
	cairn_attest_verify_options o;
	memset(&o, 0, sizeof o);
	o.root = root;
	o.identity.identity = BEACON_IDENTITY;
	o.identity.issuer = BEACON_ISSUER;
	o.type = "slsaprovenance";
	size_t len = strlen(l.envelope);
	cairn_attest_verified v;
	cr_assert_eq(cairn_attest_verify_cosign_keyless(l.envelope, len, l.certificate_pem, l.rekor_bundle, &subject, &o, &v),
		     0, "%s", cairn_error_message());
	cr_assert_str_eq(v.predicate_type, "https://slsa.dev/provenance/v1");
	cr_assert_str_eq(v.identity, BEACON_IDENTITY);
	cr_assert_eq(v.from_referrer, 0);
	cairn_attest_verified_free(&v);
	/* another identity, another subject, another predicate type: each refused */
	o.identity.identity = "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main";
	cr_assert_eq(cairn_attest_verify_cosign_keyless(l.envelope, len, l.certificate_pem, l.rekor_bundle, &subject, &o, NULL),
		     CAIRN_EVERIFY);
	o.identity.identity = BEACON_IDENTITY;
	cairn_digest image = digest_of("sha256:" IMAGE_HEX);
	cr_assert_eq(cairn_attest_verify_cosign_keyless(l.envelope, len, l.certificate_pem, l.rekor_bundle, &image, &o, NULL),
		     CAIRN_EVERIFY);
	o.type = "cyclonedx";
	expect_reason(cairn_attest_verify_cosign_keyless(l.envelope, len, l.certificate_pem, l.rekor_bundle, &subject, &o, NULL),
		      "not the requested cyclonedx");
	o.type = "slsaprovenance";
	/* a Rekor bundle whose entry timestamp was flipped, and one that is not JSON */
	char *bad = strdup(l.rekor_bundle);
	char *set = strstr(bad, "\"SignedEntryTimestamp\":\"") + strlen("\"SignedEntryTimestamp\":\"");
	set[4] = set[4] == 'A' ? 'B' : 'A';
	cr_assert_eq(cairn_attest_verify_cosign_keyless(l.envelope, len, l.certificate_pem, bad, &subject, &o, NULL),
		     CAIRN_EVERIFY);
	cr_assert_eq(cairn_attest_verify_cosign_keyless(l.envelope, len, l.certificate_pem, "{", &subject, &o, NULL),
		     CAIRN_EVERIFY);
	/* the envelope's payload changed */
	char *env = strdup(l.envelope);
	char *payload = strstr(env, "\"payload\":\"") + strlen("\"payload\":\"");
	payload[8] = payload[8] == 'A' ? 'B' : 'A';
	cr_assert_eq(cairn_attest_verify_cosign_keyless(env, len, l.certificate_pem, l.rekor_bundle, &subject, &o, NULL),
		     CAIRN_EVERIFY);
	free(env);
	free(bad);
	cosign_layer_free(&l);
	cairn_trusted_root_free(root);
}

Test(attest, key_bundle_round_trip_needs_the_tlog_waiver)
{
	cairn_key *key = p256();
	cairn_digest subject;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, "artifact", 8, &subject), 0);
	json_t *pred = json_of("{\"@context\":\"https://openvex.dev/ns/v0.2.0\"}");
	cairn_buf st = CAIRN_BUF_INIT, bundle = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_attest_statement_make("artifact", &subject, 1, "https://openvex.dev/ns", pred, &st), 0);
	cr_assert_eq(cairn_bundle_write_dsse(key, st.data, st.len, "st", &bundle), 0);
	cairn_trusted_root *root = NULL;
	char root_path[4096];
	snprintf(root_path, sizeof root_path, "%s/sigstore/trusted_root.public-good.json", test_corpus());
	cr_assert_eq(cairn_trusted_root_load_file(&root, root_path), 0);
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	artifact.digest = subject;
	cairn_attest_verify_options o;
	memset(&o, 0, sizeof o);
	o.root = root;
	o.key = key;
	o.type = "openvex";
	cr_assert_eq(cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, &o, NULL), CAIRN_EVERIFY);
	o.allow_missing_tlog = 1;
	cr_assert_eq(cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, &o, NULL), 0, "%s", cairn_error_message());
	cairn_buf_free(&bundle);
	cairn_attest_verified_free(NULL);
	json_decref(pred);
	cairn_buf_free(&st);
	cairn_trusted_root_free(root);
	cairn_key_free(key);
}
