/* rekor_dsse.c - the DSSE entry types: dsse 0.0.1 and intoto 0.0.2.
 *
 * dsse 0.0.1 (Rekor pkg/types/dsse/v0.0.1): the client proposes {"proposedContent": {"envelope":
 * <the envelope's JSON, as a string>, "verifiers": [<base64 PEM>...]}}. Every signature of the
 * envelope must verify with one of the verifiers over PAE(payloadType, payload); the log then keeps
 * only hashes: {"envelopeHash": SHA-256 of the envelope string exactly as sent, "payloadHash": SHA-256
 * of the decoded payload, "signatures": [{"signature": <the envelope's sig string>, "verifier":
 * <base64 canonical PEM>}]} sorted by the signature string, one item per distinct signature.
 *
 * intoto 0.0.2 (pkg/types/intoto/v0.0.2): the client sends the envelope itself as {"content":
 * {"envelope": {"payload", "payloadType", "signatures": [{"keyid", "sig", "publicKey"}]}, "hash"}},
 * where payload and sig are the envelope's base64 strings base64-encoded once more, and hash is the
 * client's SHA-256 of the whole envelope (Rekor takes it as given). The log verifies, computes
 * payloadHash, and keeps the envelope without its payload, signatures in the order given.
 *
 * cairn is stricter than Rekor where Rekor's leniency has no use: each verifier of a dsse entry must
 * verify some signature, each intoto signature must verify with its own publicKey, and signature
 * strings must be standard base64 so the stored string is the one that verified. A dsse verifier is
 * stored in canonical PEM (Rekor re-encodes it); an intoto publicKey is stored as sent (Rekor does
 * not), after checking it is exactly one PEM block. */
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/rekor.h"
#include "rekor_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- dsse 0.0.1 ---- */

/* One signature of the envelope as the log records it. */
typedef struct dsse_sig {
	const char *text;          /* the envelope's sig string (standard base64) */
	const rekor_verifier *ver; /* the verifier that verified it */
} dsse_sig;

static int compare_sig(const void *a, const void *b)
{
	return strcmp(((const dsse_sig *)a)->text, ((const dsse_sig *)b)->text);
}

/* The sig strings of the envelope, checked to be the standard base64 of what the parser decoded, so
 * that the string the log stores is exactly the signature that verified. */
static int envelope_sig_texts(const json_t *envelope, const cairn_dsse_envelope *env, dsse_sig *sigs)
{
	const json_t *array = json_object_get(envelope, "signatures");
	for (size_t i = 0; i < env->sig_count; i++) {
		const char *text = json_string_value(json_object_get(json_array_get(array, i), "sig"));
		cairn_buf again = CAIRN_BUF_INIT;
		int err = cairn_base64_encode(&again, env->sigs[i].sig.data, env->sigs[i].sig.len, CAIRN_BASE64_STD);
		int same = !err && text != NULL && strcmp(text, cairn_buf_cstr(&again)) == 0;
		cairn_buf_free(&again);
		if (err)
			return err;
		if (!same)
			return cairn_error_set(CAIRN_EINVAL, "rekor entry: spec.proposedContent.envelope: signature %zu is not "
							     "standard base64 with padding",
					       i);
		sigs[i].text = text;
	}
	return 0;
}

static int parse_verifiers(const json_t *array, rekor_verifier *vs, size_t *count)
{
	*count = 0;
	if (!json_is_array(array) || json_array_size(array) == 0)
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: spec.proposedContent.verifiers must be a non-empty array");
	if (json_array_size(array) > CAIRN_REKOR_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_ETOOBIG, "rekor entry: spec.proposedContent.verifiers has %zu items, more than "
						      "the %d allowed",
				       json_array_size(array), CAIRN_REKOR_MAX_SIGNATURES);
	for (size_t i = 0; i < json_array_size(array); i++) {
		char what[64];
		snprintf(what, sizeof what, "spec.proposedContent.verifiers[%zu]", i);
		int err = rekor_verifier_parse_b64(&vs[i], json_array_get(array, i), what);
		if (err)
			return cairn_error_prefix(err, "rekor entry");
		*count = i + 1;
	}
	return 0;
}

/* Every signature must verify with some verifier, and every verifier must verify some signature. */
static int match_signatures(const cairn_dsse_envelope *env, dsse_sig *sigs, const rekor_verifier *vs, size_t nv)
{
	int used[CAIRN_REKOR_MAX_SIGNATURES] = {0};
	for (size_t i = 0; i < env->sig_count; i++) {
		sigs[i].ver = NULL;
		for (size_t j = 0; j < nv && sigs[i].ver == NULL; j++) {
			if (cairn_dsse_verify_one(env, vs[j].key, env->sigs[i].sig.data, env->sigs[i].sig.len) == 0) {
				sigs[i].ver = &vs[j];
				used[j] = 1;
			}
		}
		cairn_error_clear();
		if (sigs[i].ver == NULL)
			return cairn_error_set(CAIRN_EVERIFY, "rekor entry: DSSE signature %zu does not verify with any of "
							      "spec.proposedContent.verifiers",
					       i);
	}
	for (size_t j = 0; j < nv; j++)
		if (!used[j])
			return cairn_error_set(CAIRN_EVERIFY, "rekor entry: spec.proposedContent.verifiers[%zu] verifies none "
							      "of the envelope's signatures",
					       j);
	return 0;
}

static int digest_json(const void *data, size_t len, json_t **out)
{
	cairn_digest d;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, data, len, &d);
	return err ? err : rekor_hash_json(&d, out);
}

/* {"envelopeHash", "payloadHash", "signatures"} from the verified envelope. */
static int dsse_spec(const char *envelope_text, size_t envelope_len, const cairn_dsse_envelope *env, dsse_sig *sigs,
		     json_t **out)
{
	json_t *spec = json_object(), *list = json_array(), *h = NULL;
	int err = spec == NULL || list == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	if (!err)
		err = digest_json(envelope_text, envelope_len, &h);
	if (!err)
		err = rekor_set(spec, "envelopeHash", h);
	if (!err)
		err = digest_json(env->payload.data, env->payload.len, &h);
	if (!err)
		err = rekor_set(spec, "payloadHash", h);
	qsort(sigs, env->sig_count, sizeof *sigs, compare_sig);
	for (size_t i = 0; !err && i < env->sig_count; i++) {
		if (i > 0 && strcmp(sigs[i].text, sigs[i - 1].text) == 0)
			continue; /* one item per distinct signature, as Rekor's map makes it */
		json_t *item = json_pack("{s:s}", "signature", sigs[i].text);
		err = item == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
		if (!err)
			err = rekor_set_base64(item, "verifier", sigs[i].ver->pem.data, sigs[i].ver->pem.len);
		if (!err && json_array_append(list, item) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		json_decref(item);
	}
	if (!err) {
		err = rekor_set(spec, "signatures", list);
		list = NULL;
	}
	json_decref(list);
	if (err)
		json_decref(spec);
	else
		*out = spec;
	return err;
}

int rekor_dsse_canonicalize(const json_t *spec, cairn_buf *out)
{
	if (json_object_get(spec, "signatures") != NULL || json_object_get(spec, "envelopeHash") != NULL ||
	    json_object_get(spec, "payloadHash") != NULL)
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: a dsse entry is proposed with spec.proposedContent only; "
						     "signatures, envelopeHash and payloadHash are computed by the log");
	const json_t *proposed;
	const char *text;
	int err = rekor_get_object(spec, "proposedContent", "spec.proposedContent", &proposed);
	if (!err)
		err = rekor_get_string(proposed, "envelope", "spec.proposedContent.envelope", &text);
	if (err)
		return err;
	size_t text_len = json_string_length(json_object_get(proposed, "envelope"));
	cairn_json_limits limits = {CAIRN_REKOR_MAX_PROPOSED, CAIRN_REKOR_MAX_DEPTH};
	json_t *envelope = NULL;
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	rekor_verifier vs[CAIRN_REKOR_MAX_SIGNATURES];
	memset(vs, 0, sizeof vs);
	size_t nv = 0;
	dsse_sig sigs[CAIRN_REKOR_MAX_SIGNATURES];
	json_t *canon = NULL;
	err = cairn_json_parse(&envelope, text, text_len, &limits, "rekor entry: spec.proposedContent.envelope");
	if (!err)
		err = cairn_dsse_parse_json(&env, envelope, "rekor entry: spec.proposedContent.envelope");
	if (!err && env.sig_count > CAIRN_REKOR_MAX_SIGNATURES)
		err = cairn_error_set(CAIRN_ETOOBIG, "rekor entry: the DSSE envelope has %zu signatures, more than the %d "
						     "allowed",
				      env.sig_count, CAIRN_REKOR_MAX_SIGNATURES);
	if (!err)
		err = envelope_sig_texts(envelope, &env, sigs);
	if (!err)
		err = parse_verifiers(json_object_get(proposed, "verifiers"), vs, &nv);
	if (!err)
		err = match_signatures(&env, sigs, vs, nv);
	if (!err)
		err = dsse_spec(text, text_len, &env, sigs, &canon);
	if (!err)
		err = rekor_finish_body("dsse", "0.0.1", canon, out);
	for (size_t i = 0; i < nv; i++)
		rekor_verifier_free(&vs[i]);
	cairn_dsse_envelope_free(&env);
	json_decref(envelope);
	return err;
}

/* ---- intoto 0.0.2 ---- */

static const char *const sha256_only[] = {"sha256", NULL};

/* A base64 field whose decoded bytes are themselves text (the envelope's base64 strings). */
static int double_b64(const json_t *obj, const char *name, const char *what, json_t **text_out)
{
	cairn_buf inner = CAIRN_BUF_INIT;
	int err = rekor_get_base64(obj, name, what, &inner);
	if (!err) {
		*text_out = json_stringn((const char *)inner.data, inner.len);
		if (*text_out == NULL)
			err = cairn_error_set(CAIRN_EINVAL, "rekor entry: %s does not decode to base64 text", what);
	}
	cairn_buf_free(&inner);
	return err;
}

/* Rebuilds the plain DSSE envelope {payloadType, payload, signatures: [{sig}]} from the doubly
 * encoded one, and reads each signature's publicKey. */
static int intoto_envelope(const json_t *envelope, json_t **plain, rekor_verifier *vs, size_t *nv)
{
	const char *type;
	int err = rekor_get_string(envelope, "payloadType", "spec.content.envelope.payloadType", &type);
	if (err)
		return err;
	const json_t *array = json_object_get(envelope, "signatures");
	if (!json_is_array(array) || json_array_size(array) == 0)
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: spec.content.envelope.signatures must be a non-empty array");
	if (json_array_size(array) > CAIRN_REKOR_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_ETOOBIG, "rekor entry: spec.content.envelope.signatures has %zu items, more "
						      "than the %d allowed",
				       json_array_size(array), CAIRN_REKOR_MAX_SIGNATURES);
	json_t *payload = NULL, *sigs = json_array();
	*plain = NULL;
	err = sigs == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	if (!err)
		err = double_b64(envelope, "payload", "spec.content.envelope.payload", &payload);
	for (size_t i = 0; !err && i < json_array_size(array); i++) {
		const json_t *item = json_array_get(array, i);
		char what[80];
		json_t *sig = NULL;
		snprintf(what, sizeof what, "spec.content.envelope.signatures[%zu].sig", i);
		err = json_is_object(item) ? double_b64(item, "sig", what, &sig)
					   : cairn_error_set(CAIRN_EINVAL, "rekor entry: %s: not an object", what);
		if (!err && json_array_append_new(sigs, json_pack("{s:o}", "sig", sig)) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		snprintf(what, sizeof what, "spec.content.envelope.signatures[%zu].publicKey", i);
		if (!err)
			err = rekor_verifier_parse_b64(&vs[i], json_object_get(item, "publicKey"), what);
		if (err)
			err = cairn_error_prefix(err, "rekor entry");
		else
			*nv = i + 1;
	}
	if (!err) {
		*plain = json_pack("{s:s, s:O, s:O}", "payloadType", type, "payload", payload, "signatures", sigs);
		if (*plain == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	json_decref(payload);
	json_decref(sigs);
	return err;
}

/* The stored envelope: payloadType and the signatures as sent (keyid kept when non-empty), without
 * the payload. */
static int intoto_spec(const json_t *content, const cairn_dsse_envelope *env, const cairn_digest *hash, json_t **out)
{
	const json_t *in_sigs = json_object_get(json_object_get(content, "envelope"), "signatures");
	json_t *spec = NULL, *sigs = json_array(), *h = NULL, *ph = NULL;
	int err = sigs == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	for (size_t i = 0; !err && i < env->sig_count; i++) {
		const json_t *in = json_array_get(in_sigs, i);
		const json_t *keyid = json_object_get(in, "keyid");
		if (keyid != NULL && !json_is_null(keyid) && !json_is_string(keyid)) {
			err = cairn_error_set(CAIRN_EINVAL, "rekor entry: spec.content.envelope.signatures[%zu].keyid is not a "
							    "string",
					      i);
			break;
		}
		json_t *item = json_pack("{s:O}", "sig", json_object_get(in, "sig"));
		err = item == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
		if (!err && json_is_string(keyid) && json_string_length(keyid) > 0)
			err = rekor_set(item, "keyid", json_copy((json_t *)keyid));
		/* As sent, as Rekor keeps it: it is exactly one PEM block, and it verified. */
		if (!err)
			err = rekor_set(item, "publicKey", json_copy(json_object_get(in, "publicKey")));
		if (!err && json_array_append(sigs, item) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		json_decref(item);
	}
	if (!err)
		err = rekor_hash_json(hash, &h);
	cairn_digest payload_digest;
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, env->payload.data, env->payload.len, &payload_digest);
	if (!err)
		err = rekor_hash_json(&payload_digest, &ph);
	if (!err) {
		spec = json_pack("{s:{s:{s:s, s:O}, s:O, s:O}}", "content", "envelope", "payloadType", env->payload_type,
				 "signatures", sigs, "hash", h, "payloadHash", ph);
		if (spec == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	json_decref(sigs);
	json_decref(h);
	json_decref(ph);
	if (!err)
		*out = spec;
	return err;
}

int rekor_intoto_canonicalize(const json_t *spec, cairn_buf *out)
{
	const json_t *content, *envelope;
	int err = rekor_get_object(spec, "content", "spec.content", &content);
	if (!err)
		err = rekor_get_object(content, "envelope", "spec.content.envelope", &envelope);
	if (err)
		return err;
	cairn_digest hash;
	json_t *plain = NULL, *canon = NULL;
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	rekor_verifier vs[CAIRN_REKOR_MAX_SIGNATURES];
	memset(vs, 0, sizeof vs);
	size_t nv = 0;
	err = rekor_hash_parse(json_object_get(content, "hash"), sha256_only, "spec.content.hash", &hash);
	if (!err)
		err = intoto_envelope(envelope, &plain, vs, &nv);
	if (!err)
		err = cairn_dsse_parse_json(&env, plain, "rekor entry: spec.content.envelope");
	for (size_t i = 0; !err && i < env.sig_count; i++) {
		int v = cairn_dsse_verify_one(&env, vs[i].key, env.sigs[i].sig.data, env.sigs[i].sig.len);
		cairn_error_clear();
		if (v != 0)
			err = cairn_error_set(CAIRN_EVERIFY, "rekor entry: spec.content.envelope.signatures[%zu] does not "
							     "verify with its publicKey",
					      i);
	}
	if (!err)
		err = intoto_spec(content, &env, &hash, &canon);
	if (!err)
		err = rekor_finish_body("intoto", "0.0.2", canon, out);
	for (size_t i = 0; i < nv; i++)
		rekor_verifier_free(&vs[i]);
	cairn_dsse_envelope_free(&env);
	json_decref(plain);
	return err;
}
