/* rekor_log.c - what the log adds to an entry: its log ID, the signed entry timestamp (SET), the
 * entry UUID, and the LogEntry object of the Rekor v1 API.
 *
 * The SET is the log's signature over the RFC 8785 JSON of {"body", "integratedTime", "logID",
 * "logIndex"}: body the canonical body in standard base64, logID the hex SHA-256 of the log key's DER
 * SubjectPublicKeyInfo. Sigstore verifiers rebuild that JSON from a bundle's tlog entry, so both sides
 * must write it identically; cairn_rekor_set_payload is the one writer. */
#include "cairn/rekor.h"

#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/merkle.h"
#include "cairn/sig.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* RFC 8785 writes integers up to 2^53 as plain decimals; larger ones as doubles would, which the
 * general canonicalizer knows. */
#define JCS_PLAIN_INT_MAX 9007199254740992LL

static int hex_to(const void *data, size_t len, char *out, size_t out_size)
{
	cairn_buf hex = CAIRN_BUF_INIT;
	int err = cairn_hex_encode(&hex, data, len);
	if (!err && hex.len + 1 > out_size)
		err = cairn_error_set(CAIRN_EINTERNAL, "hex output does not fit");
	if (!err)
		memcpy(out, hex.data, hex.len + 1);
	cairn_buf_free(&hex);
	return err;
}

int cairn_rekor_log_id(const cairn_key *key, char hex[65])
{
	cairn_buf der = CAIRN_BUF_INIT;
	cairn_digest d;
	int err = cairn_key_public_der(key, &der);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, der.data, der.len, &d);
	if (!err)
		err = hex_to(d.bytes, d.len, hex, 65);
	cairn_buf_free(&der);
	return err;
}

static int is_hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int cairn_rekor_set_payload(const void *body, size_t len, int64_t integrated_time, const char *log_id_hex,
			    uint64_t log_index, cairn_buf *out)
{
	if (!is_hex64(log_id_hex))
		return cairn_error_set(CAIRN_EINVAL, "signed entry timestamp: the log ID must be 64 lowercase hex digits");
	cairn_buf b64 = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&b64, body, len, CAIRN_BASE64_STD);
	if (err)
		return err;
	if (integrated_time >= 0 && integrated_time <= JCS_PLAIN_INT_MAX && log_index <= (uint64_t)JCS_PLAIN_INT_MAX) {
		/* Members in RFC 8785 order; base64 and hex need no escaping. */
		err = cairn_buf_printf(out, "{\"body\":\"%s\",\"integratedTime\":%" PRId64 ",\"logID\":\"%s\",\"logIndex\":%" PRIu64 "}",
				       cairn_buf_cstr(&b64), integrated_time, log_id_hex, log_index);
	} else if (log_index > (uint64_t)INT64_MAX) {
		err = cairn_error_set(CAIRN_EINVAL, "signed entry timestamp: log index %" PRIu64 " is too large", log_index);
	} else {
		json_t *obj = json_pack("{s:s, s:I, s:s, s:I}", "body", cairn_buf_cstr(&b64), "integratedTime",
					(json_int_t)integrated_time, "logID", log_id_hex, "logIndex", (json_int_t)log_index);
		err = obj == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : cairn_json_canonicalize(obj, out);
		json_decref(obj);
	}
	cairn_buf_free(&b64);
	return err;
}

int cairn_rekor_set_sign(const cairn_key *key, const void *body, size_t len, int64_t integrated_time,
			 const char *log_id_hex, uint64_t log_index, cairn_buf *set_b64)
{
	cairn_buf payload = CAIRN_BUF_INIT, sig = CAIRN_BUF_INIT;
	int err = cairn_rekor_set_payload(body, len, integrated_time, log_id_hex, log_index, &payload);
	if (!err)
		err = cairn_sig_sign(key, payload.data, payload.len, &sig);
	if (!err)
		err = cairn_base64_encode(set_b64, sig.data, sig.len, CAIRN_BASE64_STD);
	cairn_buf_free(&payload);
	cairn_buf_free(&sig);
	return err;
}

int cairn_rekor_uuid(const void *body, size_t len, char hex[65])
{
	cairn_merkle_hash leaf;
	int err = cairn_merkle_leaf_hash(body, len, &leaf);
	return err ? err : hex_to(leaf.bytes, sizeof leaf.bytes, hex, 65);
}

int cairn_rekor_uuid_parse(const char *text, char hex[65])
{
	size_t len = text != NULL ? strlen(text) : 0;
	int ok = len == 64 || len == 80;
	for (size_t i = 0; ok && i < len; i++) {
		char c = text[i];
		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}
	if (!ok)
		return cairn_error_set(CAIRN_EINVAL, "entry UUID \"%.90s\": expected 64 hex digits (or 80: a tree ID and the "
						     "UUID)",
				       text != NULL ? text : "");
	const char *uuid = text + (len - 64);
	for (size_t i = 0; i < 64; i++)
		hex[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ? uuid[i] - 'A' + 'a' : uuid[i]);
	hex[64] = '\0';
	return 0;
}

/* ---- LogEntry ---- */

static json_t *hex_string(const uint8_t *bytes, size_t len)
{
	char hex[65];
	if (len > 32 || hex_to(bytes, len, hex, sizeof hex) != 0)
		return NULL;
	return json_string(hex);
}

static int inclusion_proof_json(const cairn_rekor_entry_info *info, json_t **out)
{
	if (info->tree_size > (uint64_t)INT64_MAX || info->log_index >= info->tree_size || info->root == NULL ||
	    (info->proof_count > 0 && info->proof == NULL) || info->proof_count > CAIRN_MERKLE_MAX_PROOF)
		return cairn_error_set(CAIRN_EINVAL, "log entry %" PRIu64 ": an inclusion proof needs a tree that holds it, "
						     "a root and at most %d hashes",
				       info->log_index, CAIRN_MERKLE_MAX_PROOF);
	json_t *hashes = json_array();
	int err = hashes == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	for (size_t i = 0; !err && i < info->proof_count; i++)
		if (json_array_append_new(hashes, hex_string(info->proof[i], 32)) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		*out = json_pack("{s:s, s:O, s:I, s:o, s:I}", "checkpoint", info->checkpoint, "hashes", hashes, "logIndex",
				 (json_int_t)info->log_index, "rootHash", hex_string(info->root, 32), "treeSize",
				 (json_int_t)info->tree_size);
		if (*out == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	json_decref(hashes);
	return err;
}

int cairn_rekor_entry_json(const cairn_rekor_entry_info *info, json_t **out)
{
	*out = NULL;
	if (info->body == NULL || info->set_b64 == NULL || !is_hex64(info->log_id_hex) ||
	    info->log_index > (uint64_t)INT64_MAX)
		return cairn_error_set(CAIRN_EINVAL, "log entry: body, signed entry timestamp, a 64-hex log ID and an "
						     "index below 2^63 are required");
	char uuid[65];
	cairn_buf b64 = CAIRN_BUF_INIT;
	json_t *verification = NULL, *proof = NULL;
	int err = cairn_rekor_uuid(info->body, info->body_len, uuid);
	if (!err)
		err = cairn_base64_encode(&b64, info->body, info->body_len, CAIRN_BASE64_STD);
	if (!err && info->checkpoint != NULL)
		err = inclusion_proof_json(info, &proof);
	if (!err) {
		verification = json_pack("{s:s}", "signedEntryTimestamp", info->set_b64);
		if (verification == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err && proof != NULL && json_object_set(verification, "inclusionProof", proof) != 0)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		*out = json_pack("{s:{s:s, s:I, s:s, s:I, s:O}}", uuid, "body", cairn_buf_cstr(&b64), "integratedTime",
				 (json_int_t)info->integrated_time, "logID", info->log_id_hex, "logIndex",
				 (json_int_t)info->log_index, "verification", verification);
		if (*out == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	json_decref(proof);
	json_decref(verification);
	cairn_buf_free(&b64);
	return err;
}
