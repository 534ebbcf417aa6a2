/* Transparency-log entries in a bundle: Rekor v1 (signed entry timestamp, inclusion proof, ECDSA
 * checkpoint) and Rekor v2 (inclusion proof, Ed25519 checkpoint, no SET), and the check that the
 * entry's body records this bundle's key, signature and digest - a valid entry for some other
 * signature proves nothing about this one.
 *
 * The signed entry timestamp is the log's signature over the RFC 8785 canonical JSON of
 * {"body": <canonicalizedBody, base64>, "integratedTime": <int>, "logID": <log ID, hex>,
 *  "logIndex": <int>}. The inclusion proof's leaf is the body itself (RFC 6962 leaf hash), and its root
 * must be the one of a checkpoint the log signed. */
#include "verify_internal.h"

#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/note.h"
#include "cairn/sig.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#define BODY_MAX_DEPTH 32

static int entry_fail(size_t index, const char *fmt, const char *detail)
{
	return cairn_error_set(CAIRN_EVERIFY, "transparency log entry %zu: %s%s", index, fmt, detail ? detail : "");
}

/* ---- signed entry timestamp ---- */

/* Integers up to 2^53 are written as plain decimals by RFC 8785; larger ones go through the general
 * canonicalizer, which knows its number rules. */
#define JCS_PLAIN_INT_MAX 9007199254740992LL

/* The canonical JSON of the SET payload, written directly: its members are fixed, in RFC 8785 key
 * order, and base64 and hex need no escaping. Returns 0 when it cannot be written so (then the
 * general canonicalizer is used). */
static int set_payload_direct(const bundle_tlog_entry *e, const cairn_buf *body64, const cairn_buf *id_hex,
			      cairn_buf *out)
{
	if (e->integrated_time < 0 || e->integrated_time > JCS_PLAIN_INT_MAX || e->log_index < 0 ||
	    e->log_index > JCS_PLAIN_INT_MAX)
		return 0;
	char time_text[32], index_text[32];
	snprintf(time_text, sizeof time_text, "%lld", (long long)e->integrated_time);
	snprintf(index_text, sizeof index_text, "%lld", (long long)e->log_index);
	return cairn_buf_append_str(out, "{\"body\":\"") == 0 && cairn_buf_append(out, body64->data, body64->len) == 0 &&
	       cairn_buf_append_str(out, "\",\"integratedTime\":") == 0 && cairn_buf_append_str(out, time_text) == 0 &&
	       cairn_buf_append_str(out, ",\"logID\":\"") == 0 && cairn_buf_append(out, id_hex->data, id_hex->len) == 0 &&
	       cairn_buf_append_str(out, "\",\"logIndex\":") == 0 && cairn_buf_append_str(out, index_text) == 0 &&
	       cairn_buf_append_str(out, "}") == 0;
}

static int verify_set(const bundle_tlog_entry *e, size_t index, const cairn_trusted_log *log)
{
	if (e->integrated_time <= 0)
		return entry_fail(index, "has a signed entry timestamp but no integrated time", NULL);
	cairn_buf body64 = CAIRN_BUF_INIT, id_hex = CAIRN_BUF_INIT, canon = CAIRN_BUF_INIT;
	json_t *obj = NULL;
	int err = cairn_base64_encode(&body64, e->body.data, e->body.len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_hex_encode(&id_hex, e->log_id.data, e->log_id.len);
	if (!err && !set_payload_direct(e, &body64, &id_hex, &canon)) {
		canon.len = 0;
		obj = json_pack("{s:s, s:I, s:s, s:I}", "body", cairn_buf_cstr(&body64), "integratedTime",
				(json_int_t)e->integrated_time, "logID", cairn_buf_cstr(&id_hex), "logIndex",
				(json_int_t)e->log_index);
		if (obj == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err && obj != NULL)
		err = cairn_json_canonicalize(obj, &canon);
	if (!err) {
		err = cairn_sig_verify(log->key, canon.data, canon.len, e->set.data, e->set.len);
		if (err == CAIRN_EVERIFY)
			err = entry_fail(index, "the signed entry timestamp (the log's promise of inclusion) does not verify "
						"with the log's key",
					 NULL);
	}
	json_decref(obj);
	cairn_buf_free(&body64);
	cairn_buf_free(&id_hex);
	cairn_buf_free(&canon);
	return err;
}

/* ---- inclusion proof and checkpoint ---- */

/* The checkpoint's origin must name this log: Rekor v2 uses the host itself, Rekor v1
 * "<host> - <tree ID>". */
static int origin_matches(const char *origin, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(origin, name, n) != 0)
		return 0;
	return origin[n] == '\0' || strncmp(origin + n, " - ", 3) == 0;
}

static int verify_checkpoint(const bundle_tlog_entry *e, size_t index, const cairn_trusted_log *log)
{
	if (log->origin == NULL)
		return entry_fail(index, "the trusted root gives no name for the log's checkpoint key", NULL);
	cairn_note_verifier *verifier = NULL; /* built here only when the trusted root has none */
	cairn_note *note = NULL;
	cairn_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	int err = log->note_verifier != NULL ? 0 : cairn_note_verifier_new(&verifier, log->origin, log->key);
	if (!err) {
		const cairn_note_verifier *list[1] = {log->note_verifier != NULL ? log->note_verifier : verifier};
		err = cairn_note_open(&note, e->checkpoint, strlen(e->checkpoint), list, 1, "checkpoint");
		if (err)
			err = cairn_error_prefix(CAIRN_EVERIFY, "transparency log entry %zu: the checkpoint is not signed by "
								"the log %s",
						 index, log->origin);
	}
	if (!err) {
		size_t len;
		const char *text = cairn_note_text(note, &len);
		err = cairn_checkpoint_parse(&cp, text, len, "checkpoint");
		if (err)
			err = cairn_error_prefix(CAIRN_EVERIFY, "transparency log entry %zu", index);
	}
	if (!err && !origin_matches(cp.origin, log->origin))
		err = cairn_error_set(CAIRN_EVERIFY, "transparency log entry %zu: the checkpoint's origin \"%s\" is not the log %s",
				      index, cp.origin, log->origin);
	if (!err && (cp.size != (uint64_t)e->tree_size || !cairn_merkle_hash_equal(&cp.root, &e->root_hash)))
		err = entry_fail(index, "the inclusion proof's tree size and root hash are not the ones the signed "
					"checkpoint gives",
				 NULL);
	if (cp.origin != NULL)
		cairn_checkpoint_free(&cp);
	cairn_note_free(note);
	cairn_note_verifier_free(verifier);
	return err;
}

static int verify_proof(const bundle_tlog_entry *e, size_t index, const cairn_trusted_log *log, int minor)
{
	cairn_merkle_hash leaf;
	int err = cairn_merkle_leaf_hash(e->body.data, e->body.len, &leaf);
	if (err)
		return err;
	if (e->proof_index >= e->tree_size)
		return entry_fail(index, "the inclusion proof's leaf index is outside its tree", NULL);
	err = cairn_merkle_verify_inclusion((uint64_t)e->proof_index, (uint64_t)e->tree_size, &leaf, e->hashes,
					    e->hash_count, &e->root_hash);
	if (err)
		return cairn_error_prefix(CAIRN_EVERIFY, "transparency log entry %zu: the inclusion proof does not lead from "
							 "the entry to the root hash",
					  index);
	if (e->checkpoint == NULL && minor >= 2)
		return entry_fail(index, "the inclusion proof has no signed checkpoint, which bundle v0.2 and later require",
				  NULL);
	if (e->checkpoint == NULL)
		return 0; /* a v0.1 bundle's proof may lack one; its SET is then what vouches */
	return verify_checkpoint(e, index, log);
}

/* ---- the body must describe this bundle ---- */

static int b64_field(const json_t *obj, const char *name, cairn_buf *out)
{
	const json_t *v = json_object_get(obj, name);
	if (!json_is_string(v))
		return CAIRN_EINVAL;
	return cairn_base64_decode(out, json_string_value(v), json_string_length(v), CAIRN_BASE64_STD, name);
}

static int bufs_equal(const cairn_buf *a, const uint8_t *b, size_t len)
{
	return a->len == len && (len == 0 || memcmp(a->data, b, len) == 0);
}

/* The DER inside a PEM block with the given label, when pem is exactly one such block as Rekor writes
 * it (no headers, nothing before it); 0 otherwise, and then the caller takes the general path. */
static int pem_block_der(const cairn_buf *pem, const char *label, cairn_buf *der)
{
	char begin[64], end[64];
	snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
	snprintf(end, sizeof end, "-----END %s-----", label);
	const char *text = (const char *)pem->data;
	size_t begin_len = strlen(begin), end_len = strlen(end);
	if (pem->len < begin_len + end_len || memcmp(text, begin, begin_len) != 0)
		return 0;
	cairn_buf b64 = CAIRN_BUF_INIT;
	size_t i = begin_len;
	int ok = 1;
	while (ok && i < pem->len && text[i] != '-') {
		size_t run = 0; /* a line's worth of base64, appended at once */
		while (i + run < pem->len && text[i + run] != '\n' && text[i + run] != '\r' && text[i + run] != '-')
			run++;
		ok = run == 0 || cairn_buf_append(&b64, text + i, run) == 0;
		i += run;
		while (i < pem->len && (text[i] == '\n' || text[i] == '\r'))
			i++;
	}
	ok = ok && pem->len - i >= end_len && memcmp(text + i, end, end_len) == 0 &&
	     cairn_base64_decode(der, (const char *)b64.data, b64.len, CAIRN_BASE64_STD, "PEM") == 0;
	cairn_buf_free(&b64);
	cairn_error_clear();
	return ok;
}

/* The fast path of match_pem: the PEM holds exactly the expected certificate or key, byte for byte.
 * Equal DER means the same certificate or key, so a match here is a match; anything else is left to
 * the general comparison. */
static int pem_is_expected(const cairn_buf *pem, const entry_expect *x)
{
	cairn_buf der = CAIRN_BUF_INIT, want = CAIRN_BUF_INIT;
	int same = 0;
	if (x->cert_der != NULL && pem_block_der(pem, "CERTIFICATE", &der))
		same = bufs_equal(x->cert_der, der.data, der.len);
	else if (x->cert_der == NULL && pem_block_der(pem, "PUBLIC KEY", &der))
		same = cairn_key_public_der(x->key, &want) == 0 && bufs_equal(&want, der.data, der.len);
	cairn_error_clear();
	cairn_buf_free(&der);
	cairn_buf_free(&want);
	return same;
}

/* The key material the body names (a PEM certificate or PEM public key) against the bundle's: the
 * same certificate for certificate bundles (or, as some older clients logged it, the certificate's
 * public key), the same public key for managed-key bundles. */
static int match_pem(const cairn_buf *pem, const entry_expect *x)
{
	if (pem_is_expected(pem, x))
		return 1;
	if (x->cert_der != NULL && pem->len < INT32_MAX) {
		BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
		X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		ERR_clear_error();
		if (cert != NULL) {
			unsigned char *der = NULL;
			int len = i2d_X509(cert, &der);
			int same = len > 0 && bufs_equal(x->cert_der, der, (size_t)len);
			OPENSSL_free(der);
			X509_free(cert);
			return same;
		}
	}
	cairn_key *key = NULL;
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT;
	int same = cairn_key_load_public(&key, pem->data, pem->len, "log entry key") == 0 &&
		   cairn_key_public_der(key, &a) == 0 && cairn_key_public_der(x->key, &b) == 0 && bufs_equal(&a, b.data, b.len);
	cairn_error_clear();
	cairn_key_free(key);
	cairn_buf_free(&a);
	cairn_buf_free(&b);
	return same;
}

/* Rekor v2's verifier: {"x509Certificate": {"rawBytes"}} or {"publicKey": {"rawBytes"}} (DER). */
static int match_v2_verifier(const json_t *verifier, const entry_expect *x)
{
	const json_t *cert = json_object_get(verifier, "x509Certificate");
	const json_t *pub = json_object_get(verifier, "publicKey");
	cairn_buf der = CAIRN_BUF_INIT, want = CAIRN_BUF_INIT;
	int same = 0;
	if (x->cert_der != NULL && json_is_object(cert)) {
		same = b64_field(cert, "rawBytes", &der) == 0 && bufs_equal(x->cert_der, der.data, der.len);
	} else if (x->cert_der == NULL && json_is_object(pub)) {
		same = b64_field(pub, "rawBytes", &der) == 0 && cairn_key_public_der(x->key, &want) == 0 &&
		       bufs_equal(&want, der.data, der.len);
	}
	cairn_error_clear();
	cairn_buf_free(&der);
	cairn_buf_free(&want);
	return same;
}

/* The digest the artifact has in the given algorithm, or NULL when it is not known. */
static const cairn_digest *artifact_digest(const artifact_digests *a, enum cairn_digest_alg alg)
{
	if (alg == CAIRN_DIGEST_SHA256 && a->have_sha256)
		return &a->sha256;
	if (alg == CAIRN_DIGEST_SHA384 && a->have_sha384)
		return &a->sha384;
	if (alg == CAIRN_DIGEST_SHA512 && a->have_sha512)
		return &a->sha512;
	return NULL;
}

static int digest_from(enum cairn_digest_alg alg, const cairn_buf *raw, cairn_digest *out)
{
	if (alg == CAIRN_DIGEST_NONE || raw->len != cairn_digest_alg_size(alg))
		return CAIRN_EINVAL;
	out->alg = alg;
	out->len = raw->len;
	memcpy(out->bytes, raw->data, raw->len);
	return 0;
}

/* "sha256" (Rekor v1, hex values) and "SHA2_256" (Rekor v2, base64 values). */
static enum cairn_digest_alg alg_from_name(const char *name)
{
	enum cairn_digest_alg alg = CAIRN_DIGEST_NONE;
	if (name == NULL)
		return alg;
	if (strcmp(name, "SHA2_256") == 0)
		return CAIRN_DIGEST_SHA256;
	if (strcmp(name, "SHA2_384") == 0)
		return CAIRN_DIGEST_SHA384;
	if (strcmp(name, "SHA2_512") == 0)
		return CAIRN_DIGEST_SHA512;
	if (cairn_digest_alg_parse(name, &alg) != 0) {
		cairn_error_clear();
		alg = CAIRN_DIGEST_NONE;
	}
	return alg;
}

static int hex_digest(const json_t *hash, cairn_digest *out)
{
	const json_t *v = json_object_get(hash, "value");
	if (!json_is_string(v))
		return CAIRN_EINVAL;
	cairn_buf raw = CAIRN_BUF_INIT;
	int err = cairn_hex_decode(&raw, json_string_value(v), json_string_length(v));
	if (!err)
		err = digest_from(alg_from_name(json_string_value(json_object_get(hash, "algorithm"))), &raw, out);
	cairn_buf_free(&raw);
	cairn_error_clear();
	return err;
}

static int b64_digest(const json_t *hash, cairn_digest *out)
{
	cairn_buf raw = CAIRN_BUF_INIT;
	int err = b64_field(hash, "digest", &raw);
	if (!err)
		err = digest_from(alg_from_name(json_string_value(json_object_get(hash, "algorithm"))), &raw, out);
	cairn_buf_free(&raw);
	cairn_error_clear();
	return err;
}

/* The digest the entry records for a message signature must be the artifact's. */
static int match_artifact_digest(const cairn_digest *recorded, const entry_expect *x, size_t index)
{
	const cairn_digest *mine = artifact_digest(x->artifact, recorded->alg);
	if (mine == NULL)
		return cairn_error_set(CAIRN_EVERIFY,
				       "transparency log entry %zu records a %s digest, and the artifact's %s digest is not known",
				       index, cairn_digest_alg_name(recorded->alg), cairn_digest_alg_name(recorded->alg));
	if (cairn_digest_equal(recorded, mine) != 0)
		return entry_fail(index, "the log entry records a different artifact digest than the artifact's", NULL);
	return 0;
}

/* The digest of PAE(envelope) (Rekor v2 hashedrekord over DSSE) or of the envelope's payload. */
static int envelope_digest(const cairn_dsse_envelope *env, int pae, enum cairn_digest_alg alg, cairn_digest *out)
{
	if (!pae)
		return cairn_digest_compute(alg, env->payload.data, env->payload.len, out);
	cairn_buf buf = CAIRN_BUF_INIT;
	int err = cairn_dsse_pae(env->payload_type, env->payload.data, env->payload.len, &buf);
	if (!err)
		err = cairn_digest_compute(alg, buf.data, buf.len, out);
	cairn_buf_free(&buf);
	return err;
}

static int match_envelope_digest(const cairn_digest *recorded, const entry_expect *x, int pae, size_t index)
{
	cairn_digest mine;
	int err = envelope_digest(&x->bundle->dsse, pae, recorded->alg, &mine);
	if (err)
		return err;
	if (cairn_digest_equal(recorded, &mine) != 0)
		return entry_fail(index, pae ? "the log entry records a different DSSE envelope than the bundle's"
					     : "the log entry records a different DSSE payload than the bundle's",
				  NULL);
	return 0;
}

static int check_signature(const cairn_buf *recorded, const entry_expect *x, size_t index)
{
	if (!bufs_equal(recorded, x->signature->data, x->signature->len))
		return entry_fail(index, "the log entry records a different signature than the bundle's", NULL);
	return 0;
}

#define MALFORMED(what) entry_fail(index, "the log entry's body is malformed: ", what)

static int match_hashedrekord_v1(const json_t *spec, const entry_expect *x, size_t index)
{
	if (x->bundle->is_dsse)
		return entry_fail(index, "a hashedrekord 0.0.1 entry cannot record a DSSE envelope", NULL);
	const json_t *sig = json_object_get(spec, "signature");
	const json_t *pub = json_object_get(sig, "publicKey");
	cairn_buf content = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	cairn_digest recorded;
	int err = 0;
	if (b64_field(sig, "content", &content) != 0)
		err = MALFORMED("spec.signature.content");
	else if (b64_field(pub, "content", &pem) != 0)
		err = MALFORMED("spec.signature.publicKey.content");
	else if (hex_digest(json_object_get(json_object_get(spec, "data"), "hash"), &recorded) != 0)
		err = MALFORMED("spec.data.hash");
	if (!err)
		err = check_signature(&content, x, index);
	if (!err && !match_pem(&pem, x))
		err = entry_fail(index, "the log entry records a different certificate or key than the bundle's", NULL);
	if (!err)
		err = match_artifact_digest(&recorded, x, index);
	cairn_buf_free(&content);
	cairn_buf_free(&pem);
	return err;
}

static int match_hashedrekord_v2(const json_t *spec, const entry_expect *x, size_t index)
{
	const json_t *v2 = json_object_get(spec, "hashedRekordV002");
	const json_t *sig = json_object_get(v2, "signature");
	cairn_buf content = CAIRN_BUF_INIT;
	cairn_digest recorded;
	int err = 0;
	if (b64_field(sig, "content", &content) != 0)
		err = MALFORMED("spec.hashedRekordV002.signature.content");
	else if (b64_digest(json_object_get(v2, "data"), &recorded) != 0)
		err = MALFORMED("spec.hashedRekordV002.data");
	if (!err)
		err = check_signature(&content, x, index);
	if (!err && !match_v2_verifier(json_object_get(sig, "verifier"), x))
		err = entry_fail(index, "the log entry records a different certificate or key than the bundle's", NULL);
	/* Over DSSE, Rekor v2's hashedrekord records the digest of PAE(envelope) (rekor-v2 spec 6.1.4). */
	if (!err)
		err = x->bundle->is_dsse ? match_envelope_digest(&recorded, x, 1, index)
					 : match_artifact_digest(&recorded, x, index);
	cairn_buf_free(&content);
	return err;
}

static int match_dsse_v1(const json_t *spec, const entry_expect *x, size_t index)
{
	if (!x->bundle->is_dsse)
		return entry_fail(index, "a dsse entry cannot record a message signature", NULL);
	const json_t *sigs = json_object_get(spec, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return entry_fail(index, "the dsse log entry must record exactly one signature", NULL);
	const json_t *sig = json_array_get(sigs, 0);
	cairn_buf content = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	cairn_digest recorded;
	int err = 0;
	if (b64_field(sig, "signature", &content) != 0)
		err = MALFORMED("spec.signatures[0].signature");
	else if (b64_field(sig, "verifier", &pem) != 0)
		err = MALFORMED("spec.signatures[0].verifier");
	else if (hex_digest(json_object_get(spec, "payloadHash"), &recorded) != 0)
		err = MALFORMED("spec.payloadHash");
	if (!err)
		err = check_signature(&content, x, index);
	if (!err && !match_pem(&pem, x))
		err = entry_fail(index, "the log entry records a different certificate or key than the bundle's", NULL);
	if (!err)
		err = match_envelope_digest(&recorded, x, 0, index);
	cairn_buf_free(&content);
	cairn_buf_free(&pem);
	return err;
}

static int match_dsse_v2(const json_t *spec, const entry_expect *x, size_t index)
{
	if (!x->bundle->is_dsse)
		return entry_fail(index, "a dsse entry cannot record a message signature", NULL);
	const json_t *v2 = json_object_get(spec, "dsseV002");
	const json_t *sigs = json_object_get(v2, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return entry_fail(index, "the dsse log entry must record exactly one signature", NULL);
	const json_t *sig = json_array_get(sigs, 0);
	cairn_buf content = CAIRN_BUF_INIT;
	cairn_digest recorded;
	int err = 0;
	if (b64_field(sig, "content", &content) != 0)
		err = MALFORMED("spec.dsseV002.signatures[0].content");
	else if (b64_digest(json_object_get(v2, "payloadHash"), &recorded) != 0)
		err = MALFORMED("spec.dsseV002.payloadHash");
	if (!err)
		err = check_signature(&content, x, index);
	if (!err && !match_v2_verifier(json_object_get(sig, "verifier"), x))
		err = entry_fail(index, "the log entry records a different certificate or key than the bundle's", NULL);
	if (!err)
		err = match_envelope_digest(&recorded, x, 0, index);
	cairn_buf_free(&content);
	return err;
}

/* intoto 0.0.2 keeps the envelope with its payload and signatures base64-encoded once more. */
static int match_intoto_v2(const json_t *spec, const entry_expect *x, size_t index)
{
	if (!x->bundle->is_dsse)
		return entry_fail(index, "an intoto entry cannot record a message signature", NULL);
	const json_t *content = json_object_get(spec, "content");
	const json_t *env = json_object_get(content, "envelope");
	const json_t *sigs = json_object_get(env, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return entry_fail(index, "the intoto log entry must record exactly one signature", NULL);
	const json_t *sig = json_array_get(sigs, 0);
	cairn_buf once = CAIRN_BUF_INIT, twice = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	cairn_digest recorded;
	int err = 0;
	const char *ptype = json_string_value(json_object_get(env, "payloadType"));
	if (b64_field(sig, "sig", &once) != 0)
		err = MALFORMED("spec.content.envelope.signatures[0].sig");
	else if (cairn_base64_decode(&twice, (const char *)once.data, once.len, CAIRN_BASE64_STD, "sig") != 0)
		err = entry_fail(index, "the log entry records a different signature than the bundle's", NULL);
	else if (b64_field(sig, "publicKey", &pem) != 0)
		err = MALFORMED("spec.content.envelope.signatures[0].publicKey");
	else if (hex_digest(json_object_get(content, "payloadHash"), &recorded) != 0)
		err = MALFORMED("spec.content.payloadHash");
	else if (ptype == NULL || strcmp(ptype, x->bundle->dsse.payload_type) != 0)
		err = entry_fail(index, "the log entry records a different DSSE payload type than the bundle's", NULL);
	if (!err)
		err = check_signature(&twice, x, index);
	if (!err && !match_pem(&pem, x))
		err = entry_fail(index, "the log entry records a different certificate or key than the bundle's", NULL);
	if (!err)
		err = match_envelope_digest(&recorded, x, 0, index);
	cairn_buf_free(&once);
	cairn_buf_free(&twice);
	cairn_buf_free(&pem);
	return err;
}

/* intoto 0.0.1 (what cosign attest logged until 2023) records the SHA-256 of the envelope as it was
 * uploaded, of its payload, and the signer's certificate or key - not the signature. The envelope's
 * bytes are not kept in a bundle, so the entry is matched by the payload and the signer; the signature
 * itself is checked by the bundle verifier over that payload with that signer's key, which only the
 * signer can have made. */
static int match_intoto_v1(const json_t *spec, const entry_expect *x, size_t index)
{
	if (!x->bundle->is_dsse)
		return entry_fail(index, "an intoto entry cannot record a message signature", NULL);
	cairn_buf pem = CAIRN_BUF_INIT;
	cairn_digest recorded, envelope;
	int err = 0;
	if (b64_field(spec, "publicKey", &pem) != 0)
		err = MALFORMED("spec.publicKey");
	else if (hex_digest(json_object_get(json_object_get(spec, "content"), "payloadHash"), &recorded) != 0)
		err = MALFORMED("spec.content.payloadHash");
	else if (hex_digest(json_object_get(json_object_get(spec, "content"), "hash"), &envelope) != 0)
		err = MALFORMED("spec.content.hash");
	if (!err && !match_pem(&pem, x))
		err = entry_fail(index, "the log entry records a different certificate or key than the bundle's", NULL);
	if (!err)
		err = match_envelope_digest(&recorded, x, 0, index);
	cairn_buf_free(&pem);
	return err;
}

static int match_body(const bundle_tlog_entry *e, size_t index, const entry_expect *x)
{
	cairn_json_limits limits = {e->body.len + 1, BODY_MAX_DEPTH};
	json_t *body;
	if (cairn_json_parse(&body, e->body.data, e->body.len, &limits, "log entry body") != 0)
		return cairn_error_prefix(CAIRN_EVERIFY, "transparency log entry %zu", index);
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *version = json_string_value(json_object_get(body, "apiVersion"));
	const json_t *spec = json_object_get(body, "spec");
	int err;
	if (kind == NULL || version == NULL || !json_is_object(spec))
		err = MALFORMED("no kind, apiVersion or spec");
	else if (strcmp(kind, e->kind) != 0 || strcmp(version, e->version) != 0)
		err = cairn_error_set(CAIRN_EVERIFY,
				      "transparency log entry %zu: the body is a %s %s entry, the bundle says %s %s", index,
				      kind, version, e->kind, e->version);
	else if (strcmp(kind, "hashedrekord") == 0 && strcmp(version, "0.0.1") == 0)
		err = match_hashedrekord_v1(spec, x, index);
	else if (strcmp(kind, "hashedrekord") == 0 && strcmp(version, "0.0.2") == 0)
		err = match_hashedrekord_v2(spec, x, index);
	else if (strcmp(kind, "dsse") == 0 && strcmp(version, "0.0.1") == 0)
		err = match_dsse_v1(spec, x, index);
	else if (strcmp(kind, "dsse") == 0 && strcmp(version, "0.0.2") == 0)
		err = match_dsse_v2(spec, x, index);
	else if (strcmp(kind, "intoto") == 0 && strcmp(version, "0.0.2") == 0)
		err = match_intoto_v2(spec, x, index);
	else if (strcmp(kind, "intoto") == 0 && strcmp(version, "0.0.1") == 0)
		err = match_intoto_v1(spec, x, index);
	else
		err = cairn_error_set(CAIRN_EVERIFY, "transparency log entry %zu: cairn cannot check %s %s entries", index,
				      kind, version);
	json_decref(body);
	return err;
}

int tlog_verify_entry(const bundle_tlog_entry *e, size_t index, const cairn_trusted_root *root,
		      const entry_expect *expect, int64_t now, int64_t *time_out)
{
	*time_out = 0;
	const cairn_trusted_log *log = cairn_trusted_root_find_tlog(root, e->log_id.data, e->log_id.len);
	if (log == NULL) {
		cairn_buf b64 = CAIRN_BUF_INIT;
		cairn_base64_encode(&b64, e->log_id.data, e->log_id.len, CAIRN_BASE64_STD);
		int err = cairn_error_set(CAIRN_EVERIFY,
					  "transparency log entry %zu comes from a log the trusted root does not list (log ID %s)",
					  index, cairn_buf_cstr(&b64));
		cairn_buf_free(&b64);
		return err;
	}
	if (log->key == NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "transparency log entry %zu: the log %s uses a key type cairn "
							   "does not support",
				       index, log->base_url ? log->base_url : "");
	if (e->integrated_time > now)
		return entry_fail(index, "its integrated time is in the future", NULL);
	if (e->integrated_time > 0 && !cairn_validity_contains(&log->valid, e->integrated_time))
		return entry_fail(index, "its integrated time is outside the validity of the log's key in the trusted root",
				  NULL);
	if (e->set.len == 0 && !e->has_proof)
		return entry_fail(index, "has neither a signed entry timestamp nor an inclusion proof", NULL);
	int err = 0;
	if (e->set.len > 0)
		err = verify_set(e, index, log);
	if (!err && e->has_proof)
		err = verify_proof(e, index, log, expect->bundle->minor);
	if (!err)
		err = match_body(e, index, expect);
	if (!err && e->integrated_time > 0)
		*time_out = e->integrated_time;
	return err;
}
