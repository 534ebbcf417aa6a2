/* Sigstore bundle parsing (protobuf JSON of dev.sigstore.bundle.v1.Bundle).
 *
 * Protobuf JSON writes member names in camelCase, bytes as standard base64 and 64-bit integers as
 * decimal strings (numbers are accepted too). A member we know that is malformed is an error naming
 * where it is ("tlogEntries[0].inclusionProof.hashes[3]"); members we do not know are ignored, so a
 * bundle from a newer writer still parses. What a bundle version requires is checked here, so that
 * verification works on a bundle whose shape is known. */
#include "verify_internal.h"

#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *what; /* the bundle's name in messages */
};

static const struct {
	const char *media_type;
	int minor;
} media_types[] = {
	{"application/vnd.dev.sigstore.bundle+json;version=0.1", 1},
	{"application/vnd.dev.sigstore.bundle+json;version=0.2", 2},
	{"application/vnd.dev.sigstore.bundle+json;version=0.3", 3},
	{"application/vnd.dev.sigstore.bundle.v0.3+json", 3},
};

static int bad(const struct reader *r, const char *path, const char *reason)
{
	return cairn_error_set(CAIRN_EINVAL, "%s: %s: %s", r->what, path, reason);
}

/* A member, treating JSON null as absent (protobuf JSON's rule). */
static json_t *member(const json_t *obj, const char *name)
{
	json_t *value = json_object_get(obj, name);
	return json_is_null(value) ? NULL : value;
}

static int get_object(const struct reader *r, const json_t *obj, const char *name, const char *path, json_t **out)
{
	*out = member(obj, name);
	if (*out == NULL)
		return bad(r, path, "missing");
	if (!json_is_object(*out))
		return bad(r, path, "not an object");
	return 0;
}

static int get_string(const struct reader *r, const json_t *obj, const char *name, const char *path,
		      const char **out, size_t *len)
{
	json_t *value = member(obj, name);
	if (value == NULL)
		return bad(r, path, "missing");
	if (!json_is_string(value))
		return bad(r, path, "not a string");
	*out = json_string_value(value);
	if (len != NULL)
		*len = json_string_length(value);
	return 0;
}

/* A protobuf JSON bytes field. The protobuf JSON mapping accepts standard and URL-safe base64, with
 * or without padding, and the reference parsers (Go's, Python's) skip line breaks, which `base64`
 * writes every 76 characters; bundles edited with shell tools carry them. Anything else is strict. */
static int decode_bytes(cairn_buf *out, const char *text, size_t len, const char *what)
{
	cairn_buf joined = CAIRN_BUF_INIT;
	int err = 0;
	const char *t = text;
	size_t n = len;
	if (memchr(text, '\n', len) != NULL || memchr(text, '\r', len) != NULL) {
		for (size_t i = 0; !err && i < len; i++)
			if (text[i] != '\n' && text[i] != '\r')
				err = cairn_buf_append_byte(&joined, (uint8_t)text[i]);
		t = joined.len ? (const char *)joined.data : "";
		n = joined.len;
	}
	if (!err) {
		err = cairn_base64_decode(out, t, n, CAIRN_BASE64_STD | CAIRN_BASE64_PAD_OPTIONAL, what);
		if (err && err != CAIRN_ENOMEM) {
			char message[512];
			snprintf(message, sizeof message, "%s", cairn_error_message());
			cairn_buf_clear(out);
			err = cairn_base64_decode(out, t, n, CAIRN_BASE64_URL | CAIRN_BASE64_PAD_OPTIONAL, what);
			if (err && err != CAIRN_ENOMEM)
				err = cairn_error_set(CAIRN_EINVAL, "%s", message);
		}
	}
	cairn_buf_free(&joined);
	return err;
}

static int get_base64(const struct reader *r, const json_t *obj, const char *name, const char *path, cairn_buf *out)
{
	const char *text;
	size_t len;
	int err = get_string(r, obj, name, path, &text, &len);
	if (err)
		return err;
	char what[300];
	snprintf(what, sizeof what, "%s: %s", r->what, path);
	err = decode_bytes(out, text, len, what);
	if (!err && out->len == 0)
		err = bad(r, path, "empty");
	return err;
}

/* An int64 written as a decimal string (or a JSON integer); it must not be negative. */
static int get_int64(const struct reader *r, const json_t *obj, const char *name, const char *path, int required,
		     int64_t *out)
{
	json_t *value = member(obj, name);
	*out = 0;
	if (value == NULL)
		return required ? bad(r, path, "missing") : 0;
	if (json_is_integer(value)) {
		*out = json_integer_value(value);
	} else if (json_is_string(value)) {
		const char *text = json_string_value(value);
		size_t len = json_string_length(value);
		if (len == 0 || len > 20)
			return bad(r, path, "not a decimal integer");
		size_t start = text[0] == '-' ? 1 : 0;
		if (start == len)
			return bad(r, path, "not a decimal integer");
		for (size_t i = start; i < len; i++)
			if (text[i] < '0' || text[i] > '9')
				return bad(r, path, "not a decimal integer");
		errno = 0;
		char *end;
		long long v = strtoll(text, &end, 10);
		if (errno != 0 || *end != '\0')
			return bad(r, path, "out of range");
		*out = v;
	} else {
		return bad(r, path, "not an integer");
	}
	if (*out < 0)
		return bad(r, path, "negative");
	return 0;
}

static int get_array(const struct reader *r, const json_t *obj, const char *name, const char *path, size_t max,
		     json_t **out)
{
	*out = member(obj, name);
	if (*out == NULL)
		return 0;
	if (!json_is_array(*out))
		return bad(r, path, "not an array");
	if (json_array_size(*out) > max)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %s: more than %zu items", r->what, path, max);
	return 0;
}

/* ---- verification material ---- */

static int add_cert(const struct reader *r, cairn_bundle *b, const json_t *cert, const char *path)
{
	if (!json_is_object(cert))
		return bad(r, path, "not an object");
	cairn_buf *grown = realloc(b->certs, (b->cert_count + 1) * sizeof *grown);
	if (grown == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	b->certs = grown;
	cairn_buf_init(&b->certs[b->cert_count]);
	b->cert_count++;
	char field[200];
	snprintf(field, sizeof field, "%s.rawBytes", path);
	return get_base64(r, cert, "rawBytes", field, &b->certs[b->cert_count - 1]);
}

static int read_material(const struct reader *r, const json_t *vm, cairn_bundle *b)
{
	json_t *chain = member(vm, "x509CertificateChain");
	json_t *cert = member(vm, "certificate");
	json_t *key = member(vm, "publicKey");
	int kinds = (chain != NULL) + (cert != NULL) + (key != NULL);
	if (kinds == 0)
		return bad(r, "verificationMaterial", "has no certificate, certificate chain or public key");
	if (kinds > 1)
		return bad(r, "verificationMaterial", "has more than one of certificate, certificate chain and public key");
	if (chain != NULL) {
		if (b->minor >= 3)
			return bad(r, "verificationMaterial.x509CertificateChain",
				   "bundle v0.3 must carry a single certificate, not a chain");
		json_t *certs;
		int err = get_array(r, chain, "certificates", "verificationMaterial.x509CertificateChain.certificates",
				    CAIRN_BUNDLE_MAX_CHAIN, &certs);
		if (err)
			return err;
		if (certs == NULL || json_array_size(certs) == 0)
			return bad(r, "verificationMaterial.x509CertificateChain", "the certificate chain is empty");
		size_t i;
		json_t *item;
		json_array_foreach(certs, i, item) {
			char path[120];
			snprintf(path, sizeof path, "verificationMaterial.x509CertificateChain.certificates[%zu]", i);
			err = add_cert(r, b, item, path);
			if (err)
				return err;
		}
		return 0;
	}
	if (cert != NULL) {
		if (b->minor < 3)
			return bad(r, "verificationMaterial.certificate", "a single certificate needs bundle v0.3");
		return add_cert(r, b, cert, "verificationMaterial.certificate");
	}
	if (!json_is_object(key))
		return bad(r, "verificationMaterial.publicKey", "not an object");
	b->key_based = 1;
	json_t *hint = member(key, "hint");
	if (hint != NULL && !json_is_string(hint))
		return bad(r, "verificationMaterial.publicKey.hint", "not a string");
	b->key_hint = strdup(hint ? json_string_value(hint) : "");
	return b->key_hint ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

/* ---- transparency-log entries ---- */

static int read_proof(const struct reader *r, const json_t *proof, const char *path, bundle_tlog_entry *e)
{
	char field[200];
	int err;
	e->has_proof = 1;
	snprintf(field, sizeof field, "%s.logIndex", path);
	/* protobuf's JSON mapping leaves out zero values: a missing logIndex is entry 0 (sigstore-js writes
	 * it so); a wrong index still fails the inclusion proof and the signed entry timestamp */
	if ((err = get_int64(r, proof, "logIndex", field, 0, &e->proof_index)))
		return err;
	snprintf(field, sizeof field, "%s.treeSize", path);
	if ((err = get_int64(r, proof, "treeSize", field, 1, &e->tree_size)))
		return err;
	cairn_buf raw = CAIRN_BUF_INIT;
	snprintf(field, sizeof field, "%s.rootHash", path);
	err = get_base64(r, proof, "rootHash", field, &raw);
	if (!err)
		err = cairn_merkle_hash_from_bytes(&e->root_hash, raw.data, raw.len, field);
	cairn_buf_free(&raw);
	if (err)
		return err;
	json_t *hashes;
	snprintf(field, sizeof field, "%s.hashes", path);
	if ((err = get_array(r, proof, "hashes", field, CAIRN_MERKLE_MAX_PROOF, &hashes)))
		return err;
	size_t count = hashes ? json_array_size(hashes) : 0;
	if (count > 0) {
		e->hashes = calloc(count, sizeof *e->hashes);
		if (e->hashes == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		json_t *item = json_array_get(hashes, i);
		snprintf(field, sizeof field, "%s.hashes[%zu]", path, i);
		if (!json_is_string(item))
			return bad(r, field, "not a string");
		char what[300];
		snprintf(what, sizeof what, "%s: %s", r->what, field);
		err = decode_bytes(&raw, json_string_value(item), json_string_length(item), what);
		if (!err)
			err = cairn_merkle_hash_from_bytes(&e->hashes[i], raw.data, raw.len, what);
		cairn_buf_free(&raw);
		if (err)
			return err;
		e->hash_count++;
	}
	json_t *checkpoint = member(proof, "checkpoint");
	if (checkpoint != NULL) {
		const char *text;
		size_t len;
		snprintf(field, sizeof field, "%s.checkpoint.envelope", path);
		if (!json_is_object(checkpoint))
			return bad(r, field, "not an object");
		if ((err = get_string(r, checkpoint, "envelope", field, &text, &len)))
			return err;
		if (len == 0 || strlen(text) != len)
			return bad(r, field, "empty or holds a NUL byte");
		e->checkpoint = strdup(text);
		if (e->checkpoint == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	return 0;
}

static int read_entry(const struct reader *r, const json_t *obj, size_t index, int minor, bundle_tlog_entry *e)
{
	char path[64], field[160];
	snprintf(path, sizeof path, "tlogEntries[%zu]", index);
	if (!json_is_object(obj))
		return bad(r, path, "not an object");
	int err;
	snprintf(field, sizeof field, "%s.logIndex", path);
	if ((err = get_int64(r, obj, "logIndex", field, 0, &e->log_index))) /* zero may be left out, as above */
		return err;
	json_t *log_id, *kv;
	snprintf(field, sizeof field, "%s.logId", path);
	if ((err = get_object(r, obj, "logId", field, &log_id)))
		return err;
	snprintf(field, sizeof field, "%s.logId.keyId", path);
	if ((err = get_base64(r, log_id, "keyId", field, &e->log_id)))
		return err;
	snprintf(field, sizeof field, "%s.kindVersion", path);
	if ((err = get_object(r, obj, "kindVersion", field, &kv)))
		return err;
	const char *kind, *version;
	snprintf(field, sizeof field, "%s.kindVersion.kind", path);
	if ((err = get_string(r, kv, "kind", field, &kind, NULL)))
		return err;
	snprintf(field, sizeof field, "%s.kindVersion.version", path);
	if ((err = get_string(r, kv, "version", field, &version, NULL)))
		return err;
	e->kind = strdup(kind);
	e->version = strdup(version);
	if (e->kind == NULL || e->version == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	snprintf(field, sizeof field, "%s.integratedTime", path);
	if ((err = get_int64(r, obj, "integratedTime", field, 0, &e->integrated_time)))
		return err;
	json_t *promise = member(obj, "inclusionPromise");
	if (promise != NULL) {
		snprintf(field, sizeof field, "%s.inclusionPromise.signedEntryTimestamp", path);
		if (!json_is_object(promise))
			return bad(r, field, "not an object");
		if ((err = get_base64(r, promise, "signedEntryTimestamp", field, &e->set)))
			return err;
	} else if (minor == 1) {
		return bad(r, path, "a v0.1 bundle's log entry needs an inclusion promise (signed entry timestamp)");
	}
	json_t *proof = member(obj, "inclusionProof");
	if (proof != NULL) {
		snprintf(field, sizeof field, "%s.inclusionProof", path);
		if (!json_is_object(proof))
			return bad(r, field, "not an object");
		if ((err = read_proof(r, proof, field, e)))
			return err;
	} else if (minor >= 2) {
		return bad(r, path, "has no inclusion proof, which bundle v0.2 and later require");
	}
	snprintf(field, sizeof field, "%s.canonicalizedBody", path);
	return get_base64(r, obj, "canonicalizedBody", field, &e->body);
}

static int read_entries(const struct reader *r, const json_t *vm, cairn_bundle *b)
{
	json_t *entries;
	int err = get_array(r, vm, "tlogEntries", "verificationMaterial.tlogEntries", CAIRN_BUNDLE_MAX_TLOG_ENTRIES,
			    &entries);
	if (err || entries == NULL)
		return err;
	size_t count = json_array_size(entries);
	if (count == 0)
		return 0;
	b->entries = calloc(count, sizeof *b->entries);
	if (b->entries == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		b->entry_count++;
		err = read_entry(r, json_array_get(entries, i), i, b->minor, &b->entries[i]);
		if (err)
			return err;
	}
	return 0;
}

static int read_timestamps(const struct reader *r, const json_t *vm, cairn_bundle *b)
{
	json_t *data = member(vm, "timestampVerificationData");
	if (data == NULL)
		return 0;
	if (!json_is_object(data))
		return bad(r, "verificationMaterial.timestampVerificationData", "not an object");
	json_t *list;
	int err = get_array(r, data, "rfc3161Timestamps", "timestampVerificationData.rfc3161Timestamps",
			    CAIRN_BUNDLE_MAX_TIMESTAMPS, &list);
	if (err || list == NULL || json_array_size(list) == 0)
		return err;
	b->timestamps = calloc(json_array_size(list), sizeof *b->timestamps);
	if (b->timestamps == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		char path[120];
		snprintf(path, sizeof path, "timestampVerificationData.rfc3161Timestamps[%zu].signedTimestamp", i);
		b->timestamp_count++;
		if (!json_is_object(item))
			return bad(r, path, "not an object");
		err = get_base64(r, item, "signedTimestamp", path, &b->timestamps[i]);
		if (err)
			return err;
	}
	return 0;
}

/* ---- content ---- */

static int read_message_signature(const struct reader *r, const json_t *ms, cairn_bundle *b)
{
	if (!json_is_object(ms))
		return bad(r, "messageSignature", "not an object");
	int err = get_base64(r, ms, "signature", "messageSignature.signature", &b->signature);
	if (err)
		return err;
	json_t *md = member(ms, "messageDigest");
	if (md == NULL)
		return 0;
	if (!json_is_object(md))
		return bad(r, "messageSignature.messageDigest", "not an object");
	const char *alg;
	if ((err = get_string(r, md, "algorithm", "messageSignature.messageDigest.algorithm", &alg, NULL)))
		return err;
	if (strcmp(alg, "SHA2_256") == 0)
		b->message_digest.alg = CAIRN_DIGEST_SHA256;
	else if (strcmp(alg, "SHA2_384") == 0)
		b->message_digest.alg = CAIRN_DIGEST_SHA384;
	else if (strcmp(alg, "SHA2_512") == 0)
		b->message_digest.alg = CAIRN_DIGEST_SHA512;
	else
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: messageSignature.messageDigest: unsupported algorithm \"%s\"",
				       r->what, alg);
	cairn_buf raw = CAIRN_BUF_INIT;
	err = get_base64(r, md, "digest", "messageSignature.messageDigest.digest", &raw);
	if (!err && raw.len != cairn_digest_alg_size(b->message_digest.alg))
		err = bad(r, "messageSignature.messageDigest.digest", "has the wrong length for its algorithm");
	if (!err) {
		b->message_digest.len = raw.len;
		memcpy(b->message_digest.bytes, raw.data, raw.len);
		b->has_message_digest = 1;
	}
	cairn_buf_free(&raw);
	return err;
}

static int read_bundle(const struct reader *r, const json_t *doc, cairn_bundle *b)
{
	if (!json_is_object(doc))
		return cairn_error_set(CAIRN_EINVAL, "%s: a bundle must be a JSON object", r->what);
	const char *media_type;
	int err = get_string(r, doc, "mediaType", "mediaType", &media_type, NULL);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++)
		if (strcmp(media_type, media_types[i].media_type) == 0)
			b->minor = media_types[i].minor;
	if (b->minor == 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: unsupported bundle media type \"%s\" (cairn reads bundle versions 0.1 to 0.3)",
				       r->what, media_type);
	json_t *vm;
	if ((err = get_object(r, doc, "verificationMaterial", "verificationMaterial", &vm)))
		return err;
	if ((err = read_material(r, vm, b)) || (err = read_entries(r, vm, b)) || (err = read_timestamps(r, vm, b)))
		return err;
	json_t *ms = member(doc, "messageSignature");
	json_t *dsse = member(doc, "dsseEnvelope");
	if ((ms != NULL) == (dsse != NULL))
		return bad(r, "content", "a bundle needs exactly one of messageSignature and dsseEnvelope");
	if (ms != NULL)
		return read_message_signature(r, ms, b);
	b->is_dsse = 1;
	err = cairn_dsse_parse_json(&b->dsse, dsse, r->what);
	if (!err && b->dsse.sig_count != 1)
		err = bad(r, "dsseEnvelope.signatures", "a Sigstore bundle's DSSE envelope must have exactly one signature");
	return err;
}

int cairn_bundle_parse(cairn_bundle **out, const void *json, size_t len, const char *what)
{
	*out = NULL;
	cairn_json_limits limits = {CAIRN_BUNDLE_MAX_SIZE, 64};
	json_t *doc;
	int err = cairn_json_parse(&doc, json, len, &limits, what);
	if (err)
		return err;
	cairn_bundle *b = calloc(1, sizeof *b);
	if (b == NULL) {
		json_decref(doc);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	struct reader r = {what};
	err = read_bundle(&r, doc, b);
	json_decref(doc);
	if (err) {
		cairn_bundle_free(b);
		return err;
	}
	*out = b;
	return 0;
}

int cairn_bundle_load_file(cairn_bundle **out, const char *path)
{
	*out = NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_BUNDLE_MAX_SIZE, &text);
	if (!err) {
		char what[300];
		snprintf(what, sizeof what, "bundle %s", path);
		err = cairn_bundle_parse(out, text.data, text.len, what);
	}
	cairn_buf_free(&text);
	return err;
}

static void entry_clear(bundle_tlog_entry *e)
{
	cairn_buf_free(&e->log_id);
	free(e->kind);
	free(e->version);
	cairn_buf_free(&e->set);
	free(e->hashes);
	free(e->checkpoint);
	cairn_buf_free(&e->body);
}

void cairn_bundle_free(cairn_bundle *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->cert_count; i++)
		cairn_buf_free(&b->certs[i]);
	free(b->certs);
	free(b->key_hint);
	for (size_t i = 0; i < b->entry_count; i++)
		entry_clear(&b->entries[i]);
	free(b->entries);
	for (size_t i = 0; i < b->timestamp_count; i++)
		cairn_buf_free(&b->timestamps[i]);
	free(b->timestamps);
	cairn_dsse_envelope_free(&b->dsse);
	cairn_buf_free(&b->signature);
	free(b);
}

int cairn_bundle_version(const cairn_bundle *bundle)
{
	return bundle->minor;
}

int cairn_bundle_is_dsse(const cairn_bundle *bundle)
{
	return bundle->is_dsse;
}

const cairn_dsse_envelope *cairn_bundle_dsse(const cairn_bundle *bundle)
{
	return bundle->is_dsse ? &bundle->dsse : NULL;
}

int cairn_bundle_is_key_based(const cairn_bundle *bundle)
{
	return bundle->key_based;
}

size_t cairn_bundle_tlog_count(const cairn_bundle *bundle)
{
	return bundle->entry_count;
}

size_t cairn_bundle_timestamp_count(const cairn_bundle *bundle)
{
	return bundle->timestamp_count;
}
