/* rekor_upload.c - a client putting an entry into a Rekor v1 log, and checking what the log answers.
 *
 * The log's answer is not taken on trust: the body it recorded must be the canonical form of what was
 * proposed (computed here with the log's own canonicalizer, so the UUID is known before asking), the
 * inclusion proof must lead from that body to the root of a checkpoint signed by the log's key, and
 * the signed entry timestamp must verify with that key over the body, time, log ID and index. Only
 * then does the entry go into a bundle, where every Sigstore verifier will check the same things. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/merkle.h"
#include "cairn/note.h"
#include "cairn/rekor.h"
#include "cairn/sig.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PUBLIC_KEY_MAX ((size_t)64 * 1024) /* a PEM public key; far more than any key needs */

int cairn_rekor_public_key_fetch(const cairn_rekor_client *c, cairn_key **out)
{
	*out = NULL;
	cairn_buf pem = CAIRN_BUF_INIT;
	char what[2200];
	snprintf(what, sizeof what, "%s/api/v1/log/publicKey", c->base);
	int err = cairn_rekor_client_get_ok(c, "/api/v1/log/publicKey", PUBLIC_KEY_MAX, &pem);
	if (!err)
		err = cairn_key_load_public(out, pem.data, pem.len, what);
	cairn_buf_free(&pem);
	return err;
}

/* ---- verifying a LogEntry ---- */

/* The signed entry timestamp: the log key's signature over the RFC 8785 JSON of body, integrated
 * time, log ID and index (cairn_rekor_set_payload writes it, for the log and for us). */
static int verify_set(const cairn_rekor_log_entry *e, const cairn_key *key)
{
	if (e->set.len == 0)
		return cairn_error_set(CAIRN_EVERIFY, "the entry has no signed entry timestamp");
	cairn_buf payload = CAIRN_BUF_INIT;
	int err = cairn_rekor_set_payload(e->body.data, e->body.len, e->integrated_time, e->log_id_hex, e->log_index,
					  &payload);
	if (!err && cairn_sig_verify(key, payload.data, payload.len, e->set.data, e->set.len) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "the signed entry timestamp does not verify with the log's key");
	cairn_buf_free(&payload);
	return err;
}

/* The checkpoint served with the proof: its form always, its signature when a key is given (under
 * the origin it names itself, as Rekor v1 signs it). */
static int open_checkpoint(const char *text, const cairn_key *key, cairn_checkpoint *cp)
{
	cairn_note *note = NULL;
	cairn_note_verifier *verifier = NULL;
	memset(cp, 0, sizeof *cp);
	int err = cairn_note_parse(&note, text, strlen(text), "the entry's checkpoint");
	if (!err) {
		size_t len;
		const char *body = cairn_note_text(note, &len);
		err = cairn_checkpoint_parse(cp, body, len, "the entry's checkpoint");
	}
	if (!err && key != NULL) {
		err = cairn_note_verifier_new(&verifier, cp->origin, key);
		if (!err) {
			const cairn_note_verifier *list[1] = {verifier};
			if (cairn_note_verify(note, list, 1) != 0)
				err = cairn_error_prefix(CAIRN_EVERIFY, "the entry's checkpoint is not signed by the log's key");
		}
	}
	if (err && cp->origin != NULL)
		cairn_checkpoint_free(cp);
	cairn_note_verifier_free(verifier);
	cairn_note_free(note);
	return err;
}

static int verify_proof(const cairn_rekor_log_entry *e, cairn_merkle_hash *root)
{
	if (!e->has_proof || e->checkpoint == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "the entry comes without an inclusion proof and checkpoint");
	if (e->proof_log_index != e->log_index)
		return cairn_error_set(CAIRN_EVERIFY, "the inclusion proof is for index %" PRIu64 ", not the entry's %" PRIu64,
				       e->proof_log_index, e->log_index);
	if (e->hash_count > CAIRN_MERKLE_MAX_PROOF)
		return cairn_error_set(CAIRN_EVERIFY, "the inclusion proof is too long");
	cairn_merkle_hash leaf, hashes[CAIRN_MERKLE_MAX_PROOF];
	for (size_t i = 0; i < e->hash_count; i++)
		memcpy(hashes[i].bytes, e->hashes[i], 32);
	memcpy(root->bytes, e->root, 32);
	int err = cairn_merkle_leaf_hash(e->body.data, e->body.len, &leaf);
	if (!err)
		err = cairn_merkle_verify_inclusion(e->log_index, e->tree_size, &leaf, hashes, e->hash_count, root);
	return err ? cairn_error_prefix(CAIRN_EVERIFY, "the inclusion proof does not verify") : 0;
}

int cairn_rekor_log_entry_verify(const cairn_rekor_log_entry *e, const cairn_key *key)
{
	cairn_merkle_hash root;
	int err = verify_proof(e, &root);
	if (err)
		return err;
	cairn_checkpoint cp;
	err = open_checkpoint(e->checkpoint, key, &cp);
	if (err)
		return err;
	if (cp.size != e->tree_size || !cairn_merkle_hash_equal(&cp.root, &root))
		err = cairn_error_set(CAIRN_EVERIFY, "the inclusion proof's tree is not the one its checkpoint signs");
	cairn_checkpoint_free(&cp);
	if (!err && key != NULL) {
		char log_id[65];
		err = cairn_rekor_log_id(key, log_id);
		if (!err && strcasecmp(log_id, e->log_id_hex) != 0)
			err = cairn_error_set(CAIRN_EVERIFY, "the entry's logID %s is not the key's %s", e->log_id_hex, log_id);
		if (!err)
			err = verify_set(e, key);
	}
	return err;
}

/* ---- uploading ---- */

/* The log's error answer {"code", "message"} as an error naming the URL and the status. */
static int answer_error(const cairn_rekor_client *c, long status, const cairn_buf *body)
{
	json_t *doc = json_loadb((const char *)body->data, body->len, 0, NULL);
	const char *message = json_string_value(json_object_get(doc, "message"));
	/* 4xx: the log refused what we sent (as cairn would refuse it); 5xx and others: the log failed. */
	int code = status >= 400 && status < 500 && status != 408 && status != 429 ? CAIRN_EVERIFY : CAIRN_EIO;
	int err = cairn_error_set(code, "%s/api/v1/log/entries: the log answered HTTP %ld%s%.300s", c->base, status,
				  message ? ": " : "", message ? message : "");
	json_decref(doc);
	return err;
}

/* Reads the LogEntry in body and checks it is the entry of expected (the canonical body) and that
 * it verifies with the log's key. */
static int accept_entry(const cairn_buf *body, const cairn_buf *expected, const cairn_key *log_key,
			cairn_rekor_log_entry *out)
{
	int err = cairn_rekor_log_entry_parse(out, body->data, body->len, "the log's entry");
	if (err)
		return err;
	if (out->body.len != expected->len || memcmp(out->body.data, expected->data, expected->len) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "the log recorded another body than the one proposed (entry %s)",
				      out->uuid);
	if (!err)
		err = cairn_rekor_log_entry_verify(out, log_key);
	if (err) {
		err = cairn_error_prefix(err, "the log's entry for the proposal");
		cairn_rekor_log_entry_free(out);
	}
	return err;
}

int cairn_rekor_upload(const cairn_rekor_client *c, const void *proposal, size_t len, const cairn_key *log_key,
		       cairn_rekor_log_entry *out, int *existed)
{
	memset(out, 0, sizeof *out);
	if (existed != NULL)
		*existed = 0;
	if (log_key == NULL)
		return cairn_error_set(CAIRN_EINVAL, "uploading to %s: the log's public key is needed to check its answer",
				       c->base);
	/* What the log will store, and so its UUID: known before sending, checked after. */
	cairn_buf expected = CAIRN_BUF_INIT, body = CAIRN_BUF_INIT;
	char kind[32], uuid[65], path[128];
	long status = 0;
	int err = cairn_rekor_canonicalize(proposal, len, &expected, kind);
	if (!err)
		err = cairn_rekor_uuid(expected.data, expected.len, uuid);
	if (!err)
		err = cairn_rekor_client_request(c, "/api/v1/log/entries", proposal, len, CAIRN_REKOR_MAX_RESPONSE, &body,
						 &status);
	if (!err && status == 409) {
		/* Already logged (the same signature over the same artifact): use the entry that is there. */
		if (existed != NULL)
			*existed = 1;
		cairn_buf_clear(&body);
		snprintf(path, sizeof path, "/api/v1/log/entries/%s", uuid);
		err = cairn_rekor_client_get_ok(c, path, CAIRN_REKOR_MAX_RESPONSE, &body);
	} else if (!err && status != 201 && status != 200) {
		err = answer_error(c, status, &body);
	}
	if (!err)
		err = accept_entry(&body, &expected, log_key, out);
	cairn_buf_free(&expected);
	cairn_buf_free(&body);
	return err;
}
