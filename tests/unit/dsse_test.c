/* Unit tests of DSSE v1 and in-toto statements: every vector of the corpus's slsa/dsse-vectors (the
 * DSSE spec's own P-256 vector with a raw r||s signature, in-toto envelopes signed with Ed25519 and
 * P-256, URL-safe base64, two signatures, and tampered envelopes that must fail), the PAE bytes the
 * corpus records, and an independent check: envelopes cairn signs are verified by a short Python
 * script using python3-cryptography that computes the PAE itself from the DSSE spec. */
#include "cairn/buf.h"
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/sig.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void read_vector(const char *name, cairn_buf *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/slsa/dsse-vectors/%s", test_corpus(), name);
	cr_assert_eq(cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, out), 0, "%s: %s", path, cairn_error_message());
}

static void load_envelope(const char *name, cairn_dsse_envelope *env)
{
	cairn_buf text = CAIRN_BUF_INIT;
	read_vector(name, &text);
	cr_assert_eq(cairn_dsse_parse(env, text.data, text.len, name), 0, "%s: %s", name, cairn_error_message());
	cairn_buf_free(&text);
}

static cairn_key *load_pub(const char *name)
{
	cairn_buf pem = CAIRN_BUF_INIT;
	read_vector(name, &pem);
	cairn_key *key;
	cr_assert_eq(cairn_key_load_public(&key, pem.data, pem.len, name), 0, "%s: %s", name, cairn_error_message());
	cairn_buf_free(&pem);
	return key;
}

static int verify_with(const char *envelope, const char *pub, size_t threshold)
{
	cairn_dsse_envelope env;
	load_envelope(envelope, &env);
	cairn_key *key = load_pub(pub);
	const cairn_key *keys[1] = {key};
	int err = cairn_dsse_verify(&env, keys, 1, threshold);
	cairn_key_free(key);
	cairn_dsse_envelope_free(&env);
	return err;
}

/* --- PAE ------------------------------------------------------------------------------------------ */

Test(dsse, pae_matches_the_spec_vector)
{
	cairn_buf want = CAIRN_BUF_INIT, got = CAIRN_BUF_INIT;
	read_vector("spec-pae.bin", &want);
	cr_assert_eq(cairn_dsse_pae("http://example.com/HelloWorld", "hello world", 11, &got), 0);
	cr_assert_eq(got.len, want.len);
	cr_assert_eq(memcmp(got.data, want.data, want.len), 0);
	cairn_buf_free(&want);
	cairn_buf_free(&got);
}

Test(dsse, pae_of_the_intoto_envelopes_is_the_recorded_one)
{
	cairn_buf want = CAIRN_BUF_INIT, got = CAIRN_BUF_INIT;
	read_vector("intoto-statement.pae.bin", &want);
	cairn_dsse_envelope env;
	load_envelope("intoto-ed25519.dsse.json", &env);
	cr_assert_eq(cairn_dsse_pae(env.payload_type, env.payload.data, env.payload.len, &got), 0);
	cr_assert_eq(got.len, want.len);
	cr_assert_eq(memcmp(got.data, want.data, want.len), 0);
	cairn_dsse_envelope_free(&env);
	cairn_buf_free(&want);
	cairn_buf_free(&got);
}

Test(dsse, pae_of_empty_type_and_body)
{
	cairn_buf got = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_dsse_pae("", "", 0, &got), 0);
	cr_assert_str_eq(cairn_buf_cstr(&got), "DSSEv1 0  0 ");
	cairn_buf_free(&got);
}

/* --- the corpus vectors ---------------------------------------------------------------------------- */

Test(dsse, spec_vector_with_raw_ecdsa_signature_verifies)
{
	cr_assert_eq(verify_with("spec-p256-rawsig.dsse.json", "spec-p256.pub.pem", 1), 0, "%s", cairn_error_message());
}

Test(dsse, intoto_envelopes_verify)
{
	cr_assert_eq(verify_with("intoto-ed25519.dsse.json", "ed25519.pub.pem", 1), 0, "%s", cairn_error_message());
	cr_assert_eq(verify_with("intoto-p256-der.dsse.json", "p256.pub.pem", 1), 0, "%s", cairn_error_message());
	cr_assert_eq(verify_with("intoto-ed25519-urlsafe.dsse.json", "ed25519.pub.pem", 1), 0, "%s",
		     cairn_error_message());
}

Test(dsse, urlsafe_envelope_decodes_to_the_same_payload_and_signature)
{
	cairn_dsse_envelope std, url;
	load_envelope("intoto-ed25519.dsse.json", &std);
	load_envelope("intoto-ed25519-urlsafe.dsse.json", &url);
	cr_assert_eq(std.payload.len, url.payload.len);
	cr_assert_eq(memcmp(std.payload.data, url.payload.data, std.payload.len), 0);
	cr_assert_eq(std.sigs[0].sig.len, 64);
	cr_assert_eq(memcmp(std.sigs[0].sig.data, url.sigs[0].sig.data, 64), 0);
	cr_assert_str_eq(url.sigs[0].keyid, ""); /* the urlsafe vector has no keyid member */
	cairn_dsse_envelope_free(&std);
	cairn_dsse_envelope_free(&url);
}

Test(dsse, wrong_key_does_not_verify)
{
	cr_assert_eq(verify_with("intoto-ed25519.dsse.json", "p256.pub.pem", 1), CAIRN_EVERIFY);
	cr_assert_eq(verify_with("intoto-p256-der.dsse.json", "spec-p256.pub.pem", 1), CAIRN_EVERIFY);
}

Test(dsse, tampered_envelopes_fail)
{
	cr_assert_eq(verify_with("neg-ed25519-wrong-payloadtype.dsse.json", "ed25519.pub.pem", 1), CAIRN_EVERIFY);
	cr_assert_eq(verify_with("neg-p256-tampered-payload.dsse.json", "p256.pub.pem", 1), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "0 signature(s)") != NULL, "%s", cairn_error_message());
}

Test(dsse, multisig_thresholds)
{
	cairn_dsse_envelope env;
	load_envelope("intoto-multisig.dsse.json", &env);
	cr_assert_eq(env.sig_count, 2);
	cr_assert_str_eq(env.sigs[0].keyid, "ed");
	cr_assert_str_eq(env.sigs[1].keyid, "ec");
	cairn_key *ed = load_pub("ed25519.pub.pem"), *ec = load_pub("p256.pub.pem"), *other = load_pub("spec-p256.pub.pem");
	const cairn_key *just_ed[] = {ed}, *just_ec[] = {ec}, *both[] = {ed, ec}, *twice[] = {ed, ed},
			*with_other[] = {ed, other};
	cr_assert_eq(cairn_dsse_verify(&env, just_ed, 1, 1), 0);
	cr_assert_eq(cairn_dsse_verify(&env, just_ec, 1, 1), 0);
	cr_assert_eq(cairn_dsse_verify(&env, both, 2, 2), 0, "%s", cairn_error_message());
	/* one key listed twice must not count twice */
	cr_assert_eq(cairn_dsse_verify(&env, twice, 2, 2), CAIRN_EVERIFY);
	cr_assert_eq(cairn_dsse_verify(&env, with_other, 2, 2), CAIRN_EVERIFY);
	cr_assert_eq(cairn_dsse_verify(&env, just_ed, 1, 2), CAIRN_EINVAL);
	cairn_key_free(ed);
	cairn_key_free(ec);
	cairn_key_free(other);
	cairn_dsse_envelope_free(&env);
}

Test(dsse, one_signature_repeated_does_not_meet_a_threshold_of_two)
{
	/* the P-256 envelope with its one signature listed twice, checked with two copies of the key */
	cairn_buf text = CAIRN_BUF_INIT;
	read_vector("intoto-p256-der.dsse.json", &text);
	json_error_t error;
	json_t *doc = json_loadb((const char *)text.data, text.len, 0, &error);
	cr_assert_not_null(doc);
	json_t *sigs = json_object_get(doc, "signatures");
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
	char *twice = json_dumps(doc, 0);
	cairn_dsse_envelope env;
	cr_assert_eq(cairn_dsse_parse(&env, twice, strlen(twice), "twice"), 0);
	cr_assert_eq(env.sig_count, 2);
	cairn_key *ec = load_pub("p256.pub.pem"), *copy;
	cr_assert_eq(cairn_key_public_copy(ec, &copy), 0);
	const cairn_key *keys[] = {ec, copy};
	cr_assert_eq(cairn_dsse_verify(&env, keys, 2, 1), 0);
	/* two key objects holding one public key are one signer */
	cr_assert_eq(cairn_dsse_verify(&env, keys, 2, 2), CAIRN_EVERIFY);
	cairn_key_free(copy);
	cairn_key_free(ec);
	cairn_dsse_envelope_free(&env);
	free(twice);
	json_decref(doc);
	cairn_buf_free(&text);
}

/* --- parsing ---------------------------------------------------------------------------------------- */

static int parse_text(const char *json)
{
	cairn_dsse_envelope env;
	int err = cairn_dsse_parse(&env, json, strlen(json), "test envelope");
	if (err == 0)
		cairn_dsse_envelope_free(&env);
	return err;
}

Test(dsse, malformed_envelopes_are_refused)
{
	cr_assert_eq(parse_text("{\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"AA==\"}]}"), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "payloadType") != NULL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"AA==\"}]}"), CAIRN_EINVAL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[]}"), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "no signatures") != NULL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGk=\"}"), CAIRN_EINVAL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"a!k=\",\"signatures\":[{\"sig\":\"AA==\"}]}"),
		     CAIRN_EINVAL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"keyid\":1,\"sig\":\"AA==\"}]}"),
		     CAIRN_EINVAL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"\"}]}"), CAIRN_EINVAL);
	/* non-zero trailing bits: one value, one encoding */
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGl=\",\"signatures\":[{\"sig\":\"AA==\"}]}"),
		     CAIRN_EINVAL);
	cr_assert_eq(parse_text("[]"), CAIRN_EINVAL);
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"AA==\"}]}"), 0);
	/* unpadded standard base64 is allowed too */
	cr_assert_eq(parse_text("{\"payloadType\":\"t\",\"payload\":\"aGk\",\"signatures\":[{\"sig\":\"AA\"}]}"), 0);
}

Test(dsse, signature_count_is_bounded)
{
	cairn_buf json = CAIRN_BUF_INIT;
	cairn_buf_append_str(&json, "{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[");
	for (int i = 0; i <= CAIRN_DSSE_MAX_SIGNATURES; i++)
		cairn_buf_append_str(&json, i ? ",{\"sig\":\"AA==\"}" : "{\"sig\":\"AA==\"}");
	cairn_buf_append_str(&json, "]}");
	cairn_dsse_envelope env;
	cr_assert_eq(cairn_dsse_parse(&env, json.data, json.len, "many"), CAIRN_ETOOBIG);
	cairn_buf_free(&json);
}

/* --- signing, and an independent verifier ---------------------------------------------------------- */

static const char python_verifier[] =
	"import base64, json, sys\n"
	"from cryptography.hazmat.primitives import hashes, serialization\n"
	"from cryptography.hazmat.primitives.asymmetric import ec, ed25519\n"
	"env = json.load(open(sys.argv[1]))\n"
	"key = serialization.load_pem_public_key(open(sys.argv[2], 'rb').read())\n"
	"t = env['payloadType'].encode()\n"
	"body = base64.b64decode(env['payload'], validate=True)\n"
	"pae = b'DSSEv1 %d %s %d %s' % (len(t), t, len(body), body)\n"
	"sig = base64.b64decode(env['signatures'][0]['sig'], validate=True)\n"
	"assert env['signatures'][0]['keyid'] == sys.argv[3], env['signatures'][0]['keyid']\n"
	"if isinstance(key, ed25519.Ed25519PublicKey):\n"
	"    key.verify(sig, pae)\n"
	"else:\n"
	"    h = hashes.SHA384() if key.curve.key_size == 384 else hashes.SHA256()\n"
	"    key.verify(sig, pae, ec.ECDSA(h))\n"
	"print('ok')\n";

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void check_with_python(enum cairn_key_type type)
{
	char dir[] = "/tmp/cairn-dsse-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cairn_key *key;
	cr_assert_eq(cairn_key_generate(&key, type), 0);
	static const char statement[] = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\","
					"\"digest\":{\"sha256\":\"00\"}}],\"predicateType\":\"x\",\"predicate\":{}}";
	cairn_dsse_envelope env;
	cr_assert_eq(cairn_dsse_envelope_init(&env, CAIRN_DSSE_INTOTO_TYPE, statement, strlen(statement)), 0);
	cr_assert_eq(cairn_dsse_sign(&env, key, "key-1"), 0, "%s", cairn_error_message());
	cairn_buf json = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_dsse_serialize(&env, &json), 0);
	cr_assert_eq(cairn_key_save_public(key, &pem), 0);
	char env_path[64], pub_path[64], py_path[64];
	snprintf(env_path, sizeof env_path, "%s/env.json", dir);
	snprintf(pub_path, sizeof pub_path, "%s/key.pub", dir);
	snprintf(py_path, sizeof py_path, "%s/verify.py", dir);
	write_file(env_path, json.data, json.len);
	write_file(pub_path, pem.data, pem.len);
	write_file(py_path, python_verifier, strlen(python_verifier));
	char command[300];
	snprintf(command, sizeof command, "python3 %s %s %s key-1 2>&1", py_path, env_path, pub_path);
	FILE *p = popen(command, "r");
	cr_assert_not_null(p);
	char out[4096] = "";
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int status = pclose(p);
	cr_assert_eq(status, 0, "python3 rejected cairn's %s envelope: %s", cairn_key_type_name(type), out);
	cr_assert_str_eq(out, "ok\n");

	/* and the serialised envelope parses back and verifies with cairn */
	cairn_dsse_envelope back;
	cr_assert_eq(cairn_dsse_parse(&back, json.data, json.len, "round trip"), 0);
	const cairn_key *keys[] = {key};
	cr_assert_eq(cairn_dsse_verify(&back, keys, 1, 1), 0);
	cr_assert_str_eq(back.sigs[0].keyid, "key-1");
	cairn_dsse_envelope_free(&back);

	unlink(env_path);
	unlink(pub_path);
	unlink(py_path);
	rmdir(dir);
	cairn_buf_free(&json);
	cairn_buf_free(&pem);
	cairn_dsse_envelope_free(&env);
	cairn_key_free(key);
}

Test(dsse, envelopes_signed_by_cairn_verify_with_python_cryptography)
{
	check_with_python(CAIRN_KEY_ECDSA_P256);
	check_with_python(CAIRN_KEY_ECDSA_P384);
	check_with_python(CAIRN_KEY_ED25519);
}

/* --- in-toto statements ---------------------------------------------------------------------------- */

Test(dsse, intoto_statement_subjects)
{
	cairn_dsse_envelope env;
	load_envelope("intoto-p256-der.dsse.json", &env);
	cairn_intoto_statement st;
	cr_assert_eq(cairn_intoto_statement_parse(&st, env.payload.data, env.payload.len, "statement"), 0, "%s",
		     cairn_error_message());
	cr_assert_str_eq(st.type, CAIRN_INTOTO_STATEMENT_V1);
	cr_assert_str_eq(st.predicate_type, "https://slsa.dev/provenance/v1");
	cr_assert_eq(st.subject_count, 1);
	cr_assert_str_eq(st.subjects[0].name, "hello.txt");
	cairn_digest d;
	static const char want[] = "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
	cr_assert_eq(cairn_digest_parse(want, strlen(want), &d), 0);
	cr_assert_eq(cairn_intoto_statement_has_digest(&st, &d), 1);
	d.bytes[0] ^= 1;
	cr_assert_eq(cairn_intoto_statement_has_digest(&st, &d), 0);
	cr_assert(json_is_object(st.predicate));
	cairn_intoto_statement_free(&st);
	cairn_dsse_envelope_free(&env);
}

static int parse_statement(const char *json)
{
	cairn_intoto_statement st;
	int err = cairn_intoto_statement_parse(&st, json, strlen(json), "statement");
	if (!err)
		cairn_intoto_statement_free(&st);
	return err;
}

Test(dsse, intoto_statement_rules)
{
	cr_assert_eq(parse_statement("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\","
				     "\"digest\":{\"sha512\":\"" /* 64 bytes */
				     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
				     "000000000000000000000000000000000000000000000000\",\"gitCommit\":\"abc\"}}]}"),
		     0, "%s", cairn_error_message());
	cr_assert_eq(parse_statement("{\"_type\":\"https://example.com/Other\",\"subject\":[{\"digest\":{\"sha256\":\"00\"}}]}"),
		     CAIRN_EUNSUPPORTED);
	cr_assert_eq(parse_statement("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}"), CAIRN_EINVAL);
	cr_assert_eq(parse_statement("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\","
				     "\"digest\":{\"sha256\":\"abcd\"}}]}"),
		     CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "sha256") != NULL);
	cr_assert_eq(parse_statement("{\"subject\":[{\"digest\":{\"sha256\":\"00\"}}]}"), CAIRN_EINVAL);
}
