/* rekor_client.c - the client's side of a Rekor v1 log: proposing entries, and reading the LogEntry
 * the log answers with into what a Sigstore bundle's tlogEntries[] item holds.
 *
 * A proposal is checked before it is sent (its signature verifies), so a client learns of a wrong key
 * from cairn rather than from a 400 of the log. The hashedrekord proposal is written in canonical form
 * already: it is exactly the body the log will store. */
#include "cairn/rekor.h"

#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/merkle.h"
#include "cairn/sig.h"
#include "rekor_internal.h"

#include <stdlib.h>
#include <string.h>

int cairn_rekor_hashedrekord_proposal(const void *verifier_pem, size_t pem_len, const cairn_digest *digest,
				      const uint8_t *sig, size_t sig_len, cairn_buf *json_out)
{
	if (digest == NULL || (digest->alg != CAIRN_DIGEST_SHA256 && digest->alg != CAIRN_DIGEST_SHA384 &&
			       digest->alg != CAIRN_DIGEST_SHA512))
		return cairn_error_set(CAIRN_EINVAL, "hashedrekord proposal: needs a SHA-256, SHA-384 or SHA-512 digest");
	json_t *doc = NULL;
	rekor_verifier v;
	cairn_buf sig_b64 = CAIRN_BUF_INIT, pem_b64 = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
	int err = rekor_verifier_parse(&v, verifier_pem, pem_len, "hashedrekord proposal: verifier");
	if (err)
		return err;
	json_t *hash = NULL;
	err = rekor_hash_json(digest, &hash);
	if (!err)
		err = cairn_base64_encode(&sig_b64, sig, sig_len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_base64_encode(&pem_b64, v.pem.data, v.pem.len, CAIRN_BASE64_STD);
	if (!err) {
		doc = json_pack("{s:s, s:s, s:{s:{s:O}, s:{s:s, s:{s:s}}}}", "apiVersion", "0.0.1", "kind", "hashedrekord",
				"spec", "data", "hash", hash, "signature", "content", cairn_buf_cstr(&sig_b64), "publicKey",
				"content", cairn_buf_cstr(&pem_b64));
		if (doc == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = cairn_json_canonicalize(doc, &text);
	/* The log's own check, run here first: the proposal is refused unless the signature verifies. */
	char kind[32];
	cairn_buf canon = CAIRN_BUF_INIT;
	if (!err)
		err = cairn_rekor_canonicalize(text.data, text.len, &canon, kind);
	if (!err)
		err = cairn_buf_append(json_out, text.data, text.len);
	json_decref(hash);
	json_decref(doc);
	rekor_verifier_free(&v);
	cairn_buf_free(&sig_b64);
	cairn_buf_free(&pem_b64);
	cairn_buf_free(&text);
	cairn_buf_free(&canon);
	return err;
}

/* The envelope as Sigstore clients send it: RFC 8785 JSON of {"payload", "payloadType",
 * "signatures": [{"keyid" (only when non-empty), "sig"}]}, standard base64. */
static int envelope_text(const cairn_dsse_envelope *env, cairn_buf *out)
{
	json_t *obj = json_object(), *sigs = json_array();
	int err = obj == NULL || sigs == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	if (!err)
		err = rekor_set_base64(obj, "payload", env->payload.data, env->payload.len);
	if (!err)
		err = rekor_set(obj, "payloadType", json_string(env->payload_type));
	for (size_t i = 0; !err && i < env->sig_count; i++) {
		json_t *item = json_object();
		err = item == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
		if (!err && env->sigs[i].keyid != NULL && env->sigs[i].keyid[0] != '\0')
			err = rekor_set(item, "keyid", json_string(env->sigs[i].keyid));
		if (!err)
			err = rekor_set_base64(item, "sig", env->sigs[i].sig.data, env->sigs[i].sig.len);
		if (!err && json_array_append(sigs, item) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		json_decref(item);
	}
	if (!err) {
		err = rekor_set(obj, "signatures", sigs);
		sigs = NULL;
	}
	if (!err)
		err = cairn_json_canonicalize(obj, out);
	json_decref(sigs);
	json_decref(obj);
	return err;
}

int cairn_rekor_dsse_proposal(const cairn_dsse_envelope *env, const void *verifier_pem, size_t pem_len,
			      cairn_buf *json_out)
{
	if (env == NULL || env->sig_count == 0 || env->payload_type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "dsse proposal: the envelope has no signatures");
	rekor_verifier v;
	int err = rekor_verifier_parse(&v, verifier_pem, pem_len, "dsse proposal: verifier");
	if (err)
		return err;
	cairn_buf envelope = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT, canon = CAIRN_BUF_INIT;
	json_t *doc = NULL, *verifiers = json_array();
	err = verifiers == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : envelope_text(env, &envelope);
	cairn_buf pem_b64 = CAIRN_BUF_INIT;
	if (!err)
		err = cairn_base64_encode(&pem_b64, v.pem.data, v.pem.len, CAIRN_BASE64_STD);
	if (!err && json_array_append_new(verifiers, json_string(cairn_buf_cstr(&pem_b64))) != 0)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		doc = json_pack("{s:s, s:s, s:{s:{s:s%, s:O}}}", "apiVersion", "0.0.1", "kind", "dsse", "spec",
				"proposedContent", "envelope", (const char *)envelope.data, envelope.len, "verifiers", verifiers);
		if (doc == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = cairn_json_canonicalize(doc, &text);
	char kind[32];
	if (!err)
		err = cairn_rekor_canonicalize(text.data, text.len, &canon, kind); /* the log's checks, first here */
	if (!err)
		err = cairn_buf_append(json_out, text.data, text.len);
	json_decref(doc);
	json_decref(verifiers);
	rekor_verifier_free(&v);
	cairn_buf_free(&envelope);
	cairn_buf_free(&pem_b64);
	cairn_buf_free(&text);
	cairn_buf_free(&canon);
	return err;
}

/* ---- reading a LogEntry ---- */

#define BAD(field) cairn_error_set(CAIRN_EINVAL, "%s: %s is missing or malformed", what, field)

static int get_uint(const json_t *obj, const char *name, uint64_t *out)
{
	const json_t *v = json_object_get(obj, name);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return CAIRN_EINVAL;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_hex32(const json_t *v, uint8_t out[32])
{
	if (!json_is_string(v) || json_string_length(v) != 64)
		return CAIRN_EINVAL;
	cairn_buf raw = CAIRN_BUF_INIT;
	int err = cairn_hex_decode(&raw, json_string_value(v), 64);
	if (!err)
		memcpy(out, raw.data, 32);
	cairn_buf_free(&raw);
	cairn_error_clear();
	return err ? CAIRN_EINVAL : 0;
}

static int parse_proof(cairn_rekor_log_entry *e, const json_t *proof, const char *what)
{
	const json_t *hashes = json_object_get(proof, "hashes");
	const json_t *checkpoint = json_object_get(proof, "checkpoint");
	if (get_uint(proof, "logIndex", &e->proof_log_index) || get_uint(proof, "treeSize", &e->tree_size) ||
	    e->proof_log_index >= e->tree_size || e->tree_size > (uint64_t)INT64_MAX)
		return BAD("verification.inclusionProof logIndex/treeSize");
	if (get_hex32(json_object_get(proof, "rootHash"), e->root))
		return BAD("verification.inclusionProof.rootHash");
	if (!json_is_array(hashes) || json_array_size(hashes) > CAIRN_REKOR_MAX_PROOF)
		return BAD("verification.inclusionProof.hashes");
	if (!json_is_string(checkpoint) || json_string_length(checkpoint) == 0 ||
	    strlen(json_string_value(checkpoint)) != json_string_length(checkpoint))
		return BAD("verification.inclusionProof.checkpoint");
	e->checkpoint = strdup(json_string_value(checkpoint));
	e->hashes = calloc(json_array_size(hashes) + 1, 32);
	if (e->checkpoint == NULL || e->hashes == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(hashes); i++) {
		if (get_hex32(json_array_get(hashes, i), e->hashes[i]))
			return BAD("verification.inclusionProof.hashes");
		e->hash_count = i + 1;
	}
	e->has_proof = 1;
	return 0;
}

/* kind and apiVersion from the body itself, which is what the SET and the leaf hash cover. */
static int body_kind(cairn_rekor_log_entry *e, const char *what)
{
	cairn_json_limits limits = {e->body.len + 1, 64};
	json_t *body = NULL;
	if (cairn_json_parse(&body, e->body.data, e->body.len, &limits, "log entry body") != 0)
		return cairn_error_prefix(CAIRN_EINVAL, "%s", what);
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *version = json_string_value(json_object_get(body, "apiVersion"));
	int err = 0;
	if (kind == NULL || version == NULL || strlen(kind) >= sizeof e->kind || strlen(version) >= sizeof e->version)
		err = BAD("the body's kind or apiVersion");
	else {
		strcpy(e->kind, kind);
		strcpy(e->version, version);
	}
	json_decref(body);
	return err;
}

static int parse_entry(cairn_rekor_log_entry *e, const char *key, const json_t *v, const char *what)
{
	char claimed[65];
	const json_t *body = json_object_get(v, "body"), *verification = json_object_get(v, "verification");
	const char *log_id = json_string_value(json_object_get(v, "logID"));
	uint64_t t;
	if (cairn_rekor_uuid_parse(key, claimed) != 0)
		return cairn_error_prefix(CAIRN_EINVAL, "%s", what);
	if (!json_is_object(v))
		return BAD("the entry object");
	if (!json_is_string(body) || cairn_base64_decode(&e->body, json_string_value(body), json_string_length(body),
							 CAIRN_BASE64_STD, "body") != 0 || e->body.len == 0)
		return BAD("body");
	if (cairn_rekor_uuid(e->body.data, e->body.len, e->uuid) != 0)
		return cairn_error_code();
	if (strcmp(claimed, e->uuid) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: the entry's UUID %s is not the leaf hash of its body (%s)", what,
				       claimed, e->uuid);
	if (get_uint(v, "integratedTime", &t) || t > (uint64_t)INT64_MAX)
		return BAD("integratedTime");
	e->integrated_time = (int64_t)t;
	if (get_uint(v, "logIndex", &e->log_index))
		return BAD("logIndex");
	uint8_t id_bytes[32];
	if (log_id == NULL || get_hex32(json_object_get(v, "logID"), id_bytes) != 0)
		return BAD("logID");
	for (size_t i = 0; i < 64; i++)
		e->log_id_hex[i] = (char)(log_id[i] >= 'A' && log_id[i] <= 'F' ? log_id[i] - 'A' + 'a' : log_id[i]);
	e->log_id_hex[64] = '\0';
	if (verification != NULL && !json_is_object(verification))
		return BAD("verification");
	const json_t *set = json_object_get(verification, "signedEntryTimestamp");
	if (set != NULL && (!json_is_string(set) || cairn_base64_decode(&e->set, json_string_value(set),
									json_string_length(set), CAIRN_BASE64_STD,
									"signedEntryTimestamp") != 0))
		return BAD("verification.signedEntryTimestamp");
	const json_t *proof = json_object_get(verification, "inclusionProof");
	if (proof != NULL) {
		int err = json_is_object(proof) ? parse_proof(e, proof, what) : BAD("verification.inclusionProof");
		if (err)
			return err;
	}
	return body_kind(e, what);
}

int cairn_rekor_log_entry_parse(cairn_rekor_log_entry *out, const void *json, size_t len, const char *what)
{
	memset(out, 0, sizeof *out);
	if (len > CAIRN_REKOR_MAX_RESPONSE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes, more than the %zu a log entry may have", what, len,
				       CAIRN_REKOR_MAX_RESPONSE);
	cairn_json_limits limits = {CAIRN_REKOR_MAX_RESPONSE, CAIRN_REKOR_MAX_DEPTH};
	json_t *doc = NULL;
	int err = cairn_json_parse(&doc, json, len, &limits, what);
	if (err)
		return err;
	if (!json_is_object(doc) || json_object_size(doc) != 1) {
		err = cairn_error_set(CAIRN_EINVAL, "%s: a log entry response must be an object with exactly one entry", what);
	} else {
		const char *key = json_object_iter_key(json_object_iter(doc));
		err = parse_entry(out, key, json_object_iter_value(json_object_iter(doc)), what);
	}
	json_decref(doc);
	if (err)
		cairn_rekor_log_entry_free(out);
	return err;
}

void cairn_rekor_log_entry_free(cairn_rekor_log_entry *entry)
{
	if (entry == NULL)
		return;
	cairn_buf_free(&entry->body);
	cairn_buf_free(&entry->set);
	free(entry->hashes);
	free(entry->checkpoint);
	memset(entry, 0, sizeof *entry);
}

/* ---- the bundle's tlogEntries[] item ---- */

static json_t *int64_string(uint64_t v)
{
	char text[32];
	snprintf(text, sizeof text, "%llu", (unsigned long long)v);
	return json_string(text);
}

static int b64_string(const void *data, size_t len, json_t **out)
{
	cairn_buf b64 = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&b64, data, len, CAIRN_BASE64_STD);
	*out = err ? NULL : json_stringn(cairn_buf_cstr(&b64), b64.len);
	cairn_buf_free(&b64);
	if (!err && *out == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return err;
}

static int bundle_proof(const cairn_rekor_log_entry *e, json_t **out)
{
	json_t *hashes = json_array(), *root = NULL;
	int err = hashes == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : b64_string(e->root, 32, &root);
	for (size_t i = 0; !err && i < e->hash_count; i++) {
		json_t *h = NULL;
		err = b64_string(e->hashes[i], 32, &h);
		if (!err && json_array_append_new(hashes, h) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err) {
		*out = json_pack("{s:o, s:O, s:o, s:O, s:{s:s}}", "logIndex", int64_string(e->proof_log_index), "rootHash",
				 root, "treeSize", int64_string(e->tree_size), "hashes", hashes, "checkpoint", "envelope",
				 e->checkpoint);
		if (*out == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	json_decref(root);
	json_decref(hashes);
	return err;
}

int cairn_rekor_log_entry_bundle_json(const cairn_rekor_log_entry *entry, json_t **out)
{
	*out = NULL;
	cairn_buf id = CAIRN_BUF_INIT;
	json_t *item = NULL, *key_id = NULL, *body = NULL, *v = NULL;
	int err = cairn_hex_decode(&id, entry->log_id_hex, strlen(entry->log_id_hex));
	if (!err)
		err = b64_string(id.data, id.len, &key_id);
	if (!err)
		err = b64_string(entry->body.data, entry->body.len, &body);
	if (!err) {
		item = json_pack("{s:o, s:{s:O}, s:{s:s, s:s}, s:o, s:O}", "logIndex", int64_string(entry->log_index),
				 "logId", "keyId", key_id, "kindVersion", "kind", entry->kind, "version", entry->version,
				 "integratedTime", int64_string((uint64_t)entry->integrated_time), "canonicalizedBody", body);
		if (item == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err && entry->set.len > 0) {
		err = b64_string(entry->set.data, entry->set.len, &v);
		if (!err)
			err = rekor_set(item, "inclusionPromise", json_pack("{s:O}", "signedEntryTimestamp", v));
		json_decref(v);
	}
	if (!err && entry->has_proof) {
		err = bundle_proof(entry, &v);
		if (!err)
			err = rekor_set(item, "inclusionProof", v);
	}
	json_decref(key_id);
	json_decref(body);
	cairn_buf_free(&id);
	if (err)
		json_decref(item);
	else
		*out = item;
	return err;
}
