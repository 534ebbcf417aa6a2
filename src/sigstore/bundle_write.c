/* Writing managed-key Sigstore bundles (v0.3), as `cairn sign-blob --bundle` does.
 *
 * The bundle is the protobuf-JSON form of dev.sigstore.bundle.v1.Bundle: camelCase member names,
 * standard base64 with padding for bytes, enum values by name, empty fields left out. Its
 * verification material is a public-key hint, base64 of the SHA-256 of the key's DER
 * SubjectPublicKeyInfo (what cosign writes, and what the conformance suite's managed-key bundles
 * carry); the verifier finds its key by that hint.
 *
 * No transparency-log entry and no timestamp are written: signing is offline. Such a bundle proves
 * who signed (whoever holds the key) but not when, so a verifier must be told to accept it without
 * a log entry (sigstore-js: tlogThreshold and timestampThreshold 0). */
#include "cairn/bundle.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/sig.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int cairn_bundle_key_hint(const cairn_key *key, cairn_buf *hint)
{
	cairn_buf der = CAIRN_BUF_INIT;
	cairn_digest digest;
	int err = cairn_key_public_der(key, &der);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, der.data, der.len, &digest);
	if (!err)
		err = cairn_base64_encode(hint, digest.bytes, digest.len, CAIRN_BASE64_STD);
	cairn_buf_free(&der);
	return err;
}

/* ---- building the JSON ---- */

/* Sets obj[name] to a new value, taking the reference; jansson reports only allocation failure. */
static int set_new(json_t *obj, const char *name, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, name, value) != 0)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

static int set_base64(json_t *obj, const char *name, const void *data, size_t len)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&text, data, len, CAIRN_BASE64_STD);
	if (!err)
		err = set_new(obj, name, json_stringn(cairn_buf_cstr(&text), text.len));
	cairn_buf_free(&text);
	return err;
}

/* A new bundle object holding the media type and the verification material for key; *out is NULL
 * on failure. */
static int bundle_start(const cairn_key *key, json_t **out)
{
	*out = NULL;
	cairn_buf hint = CAIRN_BUF_INIT;
	json_t *doc = json_object(), *material = json_object(), *public_key = json_object();
	int err = cairn_bundle_key_hint(key, &hint);
	if (!err && (doc == NULL || material == NULL || public_key == NULL))
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = set_new(doc, "mediaType", json_string(CAIRN_BUNDLE_MEDIA_TYPE_V03));
	if (!err)
		err = set_new(public_key, "hint", json_string(cairn_buf_cstr(&hint)));
	if (!err) {
		err = set_new(material, "publicKey", public_key);
		public_key = NULL;
	}
	if (!err) {
		err = set_new(doc, "verificationMaterial", material);
		material = NULL;
	}
	json_decref(public_key);
	json_decref(material);
	cairn_buf_free(&hint);
	if (err) {
		json_decref(doc);
		return err;
	}
	*out = doc;
	return 0;
}

/* Appends the compact JSON text of doc and a newline. */
static int bundle_finish(const json_t *doc, cairn_buf *json_out)
{
	int err = cairn_json_dump(doc, JSON_COMPACT, json_out);
	if (!err)
		err = cairn_buf_append_byte(json_out, '\n');
	return err;
}

/* ---- message signatures ---- */

static const char *digest_enum_name(enum cairn_digest_alg alg)
{
	switch (alg) {
	case CAIRN_DIGEST_SHA256: return "SHA2_256";
	case CAIRN_DIGEST_SHA384: return "SHA2_384";
	case CAIRN_DIGEST_SHA512: return "SHA2_512";
	default: return NULL;
	}
}

/* Signs the artifact and gives its digest. ECDSA signs the digest it streamed, so the digest and the
 * signature are over the same bytes even when the artifact is standard input. Ed25519 signs the whole
 * message, so the artifact is read into memory (up to the limit sig.h names) and both are made from
 * that one copy; its bundle then names the SHA-256 digest, as cosign's does. */
static int sign_artifact(const cairn_key *key, const char *path, cairn_digest *digest, cairn_buf *sig)
{
	enum cairn_digest_alg alg = cairn_key_default_digest(key);
	if (alg != CAIRN_DIGEST_NONE) {
		int err = cairn_digest_file(alg, path, digest);
		return err ? err : cairn_sig_sign_digest(key, digest, sig);
	}
	cairn_buf data = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_SIG_ED25519_FILE_LIMIT, &data);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, data.data, data.len, digest);
	if (!err)
		err = cairn_sig_sign(key, data.data, data.len, sig);
	cairn_buf_free(&data);
	return err;
}

int cairn_bundle_write_message(const cairn_key *key, const char *artifact_path, cairn_buf *json_out)
{
	if (!cairn_key_is_private(key))
		return cairn_error_set(CAIRN_EINVAL, "signing a bundle needs a private key, not a public one");
	cairn_digest digest;
	cairn_buf sig = CAIRN_BUF_INIT;
	json_t *doc = NULL, *message = NULL, *md = NULL;
	int err = sign_artifact(key, artifact_path, &digest, &sig);
	if (!err)
		err = bundle_start(key, &doc);
	if (!err) {
		message = json_object();
		md = json_object();
		if (message == NULL || md == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = set_new(md, "algorithm", json_string(digest_enum_name(digest.alg)));
	if (!err)
		err = set_base64(md, "digest", digest.bytes, digest.len);
	if (!err) {
		err = set_new(message, "messageDigest", md);
		md = NULL;
	}
	if (!err)
		err = set_base64(message, "signature", sig.data, sig.len);
	if (!err) {
		err = set_new(doc, "messageSignature", message);
		message = NULL;
	}
	if (!err)
		err = bundle_finish(doc, json_out);
	json_decref(md);
	json_decref(message);
	json_decref(doc);
	cairn_buf_free(&sig);
	return err;
}

/* ---- DSSE envelopes over in-toto statements ---- */

/* The envelope in protobuf-JSON form (io.intoto.Envelope): payload, payloadType, signatures with
 * sig and, since it is empty, no keyid. */
static int envelope_json(const cairn_dsse_envelope *env, json_t **out)
{
	*out = NULL;
	json_t *obj = json_object(), *sigs = json_array(), *one = json_object();
	int err = 0;
	if (obj == NULL || sigs == NULL || one == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = set_base64(obj, "payload", env->payload.data, env->payload.len);
	if (!err)
		err = set_new(obj, "payloadType", json_string(env->payload_type));
	if (!err)
		err = set_base64(one, "sig", env->sigs[0].sig.data, env->sigs[0].sig.len);
	if (!err) {
		if (json_array_append_new(sigs, one) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		one = NULL;
	}
	if (!err) {
		err = set_new(obj, "signatures", sigs);
		sigs = NULL;
	}
	json_decref(one);
	json_decref(sigs);
	if (err) {
		json_decref(obj);
		return err;
	}
	*out = obj;
	return 0;
}

int cairn_bundle_write_dsse(const cairn_key *key, const void *statement, size_t len, const char *what,
			    cairn_buf *json_out)
{
	if (!cairn_key_is_private(key))
		return cairn_error_set(CAIRN_EINVAL, "signing a bundle needs a private key, not a public one");
	if (len > CAIRN_DSSE_MAX_SIZE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: larger than the %zu-byte limit of a DSSE payload", what,
				       CAIRN_DSSE_MAX_SIZE);
	/* A statement a verifier cannot read could never name the artifact: refuse it now. */
	cairn_intoto_statement st;
	int err = cairn_intoto_statement_parse(&st, statement, len, what);
	if (err)
		return err;
	cairn_intoto_statement_free(&st);

	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	json_t *doc = NULL, *envelope = NULL;
	err = cairn_dsse_envelope_init(&env, CAIRN_DSSE_INTOTO_TYPE, statement, len);
	if (!err)
		err = cairn_dsse_sign(&env, key, NULL);
	if (!err)
		err = bundle_start(key, &doc);
	if (!err)
		err = envelope_json(&env, &envelope);
	if (!err) {
		err = set_new(doc, "dsseEnvelope", envelope);
		envelope = NULL;
	}
	if (!err)
		err = bundle_finish(doc, json_out);
	json_decref(envelope);
	json_decref(doc);
	cairn_dsse_envelope_free(&env);
	return err;
}
