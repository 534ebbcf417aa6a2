/* rekor_entry.c - proposed Rekor v1 entries: the kind dispatch and the hashedrekord 0.0.1 type.
 *
 * A hashedrekord entry records a signature over an artifact's digest, with the key or certificate
 * that made it. Rekor (pkg/types/hashedrekord/v0.0.1) verifies the signature over the digest and
 * stores {"data": {"hash"}, "signature": {"content", "publicKey": {"content"}}} with the key in its
 * canonical PEM form; data.content and publicKey URLs are dropped. The stored body is RFC 8785 JSON,
 * which is what Rekor's jsoncanonicalizer turns its json.Marshal output into. */
#include "cairn/rekor.h"

#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/sig.h"
#include "rekor_internal.h"

#include <string.h>

static const char *const hashedrekord_algs[] = {"sha256", "sha384", "sha512", NULL};

/* The signature must verify over the digest with the entry's key, as Rekor insists. */
static int check_hashedrekord(const rekor_verifier *v, const cairn_digest *digest, const cairn_buf *sig)
{
	if (cairn_key_get_type(v->key) == CAIRN_KEY_ED25519)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "rekor entry: hashedrekord with an Ed25519 key: Ed25519 signs "
							   "whole messages, not digests (use a dsse entry)");
	int err = cairn_sig_verify_digest(v->key, digest, sig->data, sig->len);
	if (err == CAIRN_EVERIFY)
		return cairn_error_set(CAIRN_EVERIFY, "rekor entry: spec.signature.content does not verify over the %s "
						      "digest with spec.signature.publicKey",
				       cairn_digest_alg_name(digest->alg));
	if (err)
		return cairn_error_prefix(err, "rekor entry: spec.signature");
	return 0;
}

/* {"data": {"hash": {...}}, "signature": {"content": ..., "publicKey": {"content": ...}}} */
static int hashedrekord_spec(const cairn_digest *digest, const cairn_buf *sig, const cairn_buf *pem, json_t **out)
{
	json_t *hash = NULL;
	int err = rekor_hash_json(digest, &hash);
	if (err)
		return err;
	json_t *pub = json_object(), *signature = json_object();
	json_t *spec = json_pack("{s:{s:o}}", "data", "hash", hash);
	if (pub == NULL || signature == NULL || spec == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = rekor_set_base64(pub, "content", pem->data, pem->len);
	if (!err)
		err = rekor_set_base64(signature, "content", sig->data, sig->len);
	if (!err) {
		err = rekor_set(signature, "publicKey", pub);
		pub = NULL;
	}
	if (!err) {
		err = rekor_set(spec, "signature", signature);
		signature = NULL;
	}
	json_decref(pub);
	json_decref(signature);
	if (err) {
		json_decref(spec);
		return err;
	}
	*out = spec;
	return 0;
}

int rekor_hashedrekord_canonicalize(const json_t *spec, cairn_buf *out)
{
	const json_t *sig_obj, *pub_obj, *data;
	cairn_buf sig = CAIRN_BUF_INIT;
	rekor_verifier v;
	memset(&v, 0, sizeof v);
	cairn_digest digest;
	json_t *canon = NULL;
	int err = rekor_get_object(spec, "signature", "spec.signature", &sig_obj);
	if (!err)
		err = rekor_get_base64(sig_obj, "content", "spec.signature.content", &sig);
	if (!err && sig.len > 16384)
		err = cairn_error_set(CAIRN_ETOOBIG, "rekor entry: spec.signature.content is %zu bytes, more than any "
						     "supported signature",
				      sig.len);
	if (!err)
		err = rekor_get_object(sig_obj, "publicKey", "spec.signature.publicKey", &pub_obj);
	if (!err)
		err = rekor_verifier_parse_b64(&v, json_object_get(pub_obj, "content"), "spec.signature.publicKey.content");
	if (!err)
		err = rekor_get_object(spec, "data", "spec.data", &data);
	if (!err)
		err = rekor_hash_parse(json_object_get(data, "hash"), hashedrekord_algs, "spec.data.hash", &digest);
	if (!err)
		err = check_hashedrekord(&v, &digest, &sig);
	if (!err)
		err = hashedrekord_spec(&digest, &sig, &v.pem, &canon);
	if (!err)
		err = rekor_finish_body("hashedrekord", "0.0.1", canon, out);
	rekor_verifier_free(&v);
	cairn_buf_free(&sig);
	return err;
}

/* ---- dispatch ---- */

int cairn_rekor_canonicalize(const void *json, size_t len, cairn_buf *canonical, char kind[32])
{
	kind[0] = '\0';
	if (len > CAIRN_REKOR_MAX_PROPOSED)
		return cairn_error_set(CAIRN_ETOOBIG, "rekor entry: %zu bytes, more than the %zu a proposed entry may have",
				       len, CAIRN_REKOR_MAX_PROPOSED);
	cairn_json_limits limits = {CAIRN_REKOR_MAX_PROPOSED, CAIRN_REKOR_MAX_DEPTH};
	json_t *doc = NULL;
	int err = cairn_json_parse(&doc, json, len, &limits, "rekor entry");
	if (err)
		return err;
	const char *k = NULL, *version = NULL;
	const json_t *spec = NULL;
	if (!json_is_object(doc))
		err = cairn_error_set(CAIRN_EINVAL, "rekor entry: not a JSON object");
	if (!err)
		err = rekor_get_string(doc, "kind", "kind", &k);
	if (!err)
		err = rekor_get_string(doc, "apiVersion", "apiVersion", &version);
	if (!err)
		err = rekor_get_object(doc, "spec", "spec", &spec);
	size_t start = canonical->len;
	if (err) {
		/* reported above */
	} else if (strcmp(k, "hashedrekord") == 0 && strcmp(version, "0.0.1") == 0) {
		err = rekor_hashedrekord_canonicalize(spec, canonical);
	} else if (strcmp(k, "dsse") == 0 && strcmp(version, "0.0.1") == 0) {
		err = rekor_dsse_canonicalize(spec, canonical);
	} else if (strcmp(k, "intoto") == 0 && strcmp(version, "0.0.2") == 0) {
		err = rekor_intoto_canonicalize(spec, canonical);
	} else {
		err = cairn_error_set(CAIRN_EUNSUPPORTED,
				      "rekor entry: kind \"%.40s\" version \"%.40s\" is not supported (cairn's log accepts "
				      "hashedrekord 0.0.1, dsse 0.0.1 and intoto 0.0.2)",
				      k, version);
	}
	if (!err) {
		strncpy(kind, k, 31);
		kind[31] = '\0';
	} else {
		canonical->len = start; /* nothing half-written */
		if (canonical->data != NULL)
			canonical->data[start] = '\0';
	}
	json_decref(doc);
	return err;
}
