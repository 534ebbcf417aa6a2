/* cairn/rekor.h - Rekor v1 entry types: what cairn's transparency log accepts, stores and serves.
 *
 * A client proposes an entry with POST /api/v1/log/entries, a JSON object {"apiVersion", "kind",
 * "spec"}. cairn accepts three kinds, each at the version the public-good Rekor v1 writes today:
 *
 *   hashedrekord 0.0.1  a signature over a SHA-256 digest (the artifact itself never reaches the log)
 *   dsse 0.0.1          a DSSE envelope; the log keeps hashes of the envelope and payload only
 *   intoto 0.0.2        a DSSE envelope of in-toto type; the log keeps the envelope with its payload
 *                       replaced by hashes
 *
 * The log verifies the signature(s) with the public key or certificate the entry carries, then stores
 * the entry's canonical body: exactly the form Rekor's Canonicalize() produces, RFC 8785 serialised,
 * so that a body cairn stores is byte for byte the canonicalizedBody Rekor would have stored (and
 * Sigstore verifiers compare that body against a bundle's certificate, signature and digest).
 *
 * Entries are addressed by their UUID: the hex RFC 6962 leaf hash SHA-256(0x00 || body). Rekor also
 * serves an 80-hex "entry ID", the 16-hex tree ID followed by the UUID; cairn's log has a single
 * tree, and cairn_rekor_uuid_parse() accepts both forms on lookup (the tree-ID prefix is not checked
 * against anything: cairn serves the UUID form only).
 *
 * Size limits: a proposed entry is at most CAIRN_REKOR_MAX_PROPOSED bytes of JSON (Rekor's own limit
 * is larger, but DSSE entries this big are not signatures of anything reasonable), nesting at most
 * CAIRN_REKOR_MAX_DEPTH; a DSSE envelope carries at most CAIRN_REKOR_MAX_SIGNATURES signatures. */
#ifndef CAIRN_REKOR_H
#define CAIRN_REKOR_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/dsse.h"
#include "cairn/key.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CAIRN_REKOR_MAX_PROPOSED ((size_t)1 << 20) /* a proposed entry's JSON */
#define CAIRN_REKOR_MAX_DEPTH ((size_t)16)          /* JSON nesting of a proposed entry */
#define CAIRN_REKOR_MAX_SIGNATURES 16               /* signatures of one DSSE envelope */
#define CAIRN_REKOR_MAX_RESPONSE ((size_t)4 << 20)  /* a LogEntry response a client parses */
#define CAIRN_REKOR_MAX_PROOF 64                    /* hashes of an inclusion proof */

/* --- the log's side -------------------------------------------------------------------------------- */

/* Parses a proposed entry (the JSON body of POST /api/v1/log/entries: {"apiVersion","kind","spec"}),
 * checks it against the kind's schema (hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2; anything else
 * CAIRN_EUNSUPPORTED naming kind and version), VERIFIES its signature(s) with the public key or the
 * certificate it carries (X.509 cert PEM or a PEM public key: ECDSA P-256/384, Ed25519, RSA), and
 * writes the canonical body the log stores (Rekor's Canonicalize: the form Rekor itself stores, RFC 8785
 * serialised) into canonical (appended). CAIRN_EINVAL (malformed, naming the field) / CAIRN_EVERIFY
 * (signature does not verify) / CAIRN_ETOOBIG (over a limit) otherwise. kind receives "hashedrekord"
 * etc.
 *
 * A canonical body is itself a valid proposed entry of the same kind and canonicalizes to itself,
 * except for dsse and intoto, whose canonical bodies no longer hold the payload and so cannot be
 * verified again. */
int cairn_rekor_canonicalize(const void *json, size_t len, cairn_buf *canonical, char kind[32]);

/* The log ID of a public key: SHA-256 of its DER SubjectPublicKeyInfo (hex in the v1 API). */
int cairn_rekor_log_id(const cairn_key *key, char hex[65]);

/* Appends the payload a signed entry timestamp signs: the RFC 8785 JSON of {"body": base64(body),
 * "integratedTime": t, "logID": log_id_hex, "logIndex": i}. Shared by signer and verifier. */
int cairn_rekor_set_payload(const void *body, size_t len, int64_t integrated_time, const char *log_id_hex,
			    uint64_t log_index, cairn_buf *out);

/* The signed entry timestamp: the log key's signature over the RFC 8785 JSON of
 * {"body": base64(body), "integratedTime": t, "logID": hex, "logIndex": i}, base64 (as Rekor returns it).
 * Appended to set_b64 (a NUL-terminated string through cairn_buf_cstr). */
int cairn_rekor_set_sign(const cairn_key *key, const void *body, size_t len, int64_t integrated_time,
			 const char *log_id_hex, uint64_t log_index, cairn_buf *set_b64);

/* What the v1 API's LogEntry object is made of. */
typedef struct cairn_rekor_entry_info {
	const void *body;
	size_t body_len;
	int64_t integrated_time;
	uint64_t log_index;
	const char *log_id_hex;
	const char *set_b64;    /* from cairn_rekor_set_sign */
	const char *checkpoint; /* signed note text covering tree_size; NULL: no inclusionProof is written */
	uint64_t tree_size;
	const uint8_t (*proof)[32];
	size_t proof_count;  /* inclusion proof of log_index in tree_size */
	const uint8_t *root; /* 32 bytes */
} cairn_rekor_entry_info;

/* The v1 API's LogEntry JSON object {"<uuid>": {"body", "integratedTime", "logID", "logIndex",
 * "verification": {"signedEntryTimestamp", "inclusionProof": {"checkpoint", "hashes", "logIndex",
 * "rootHash", "treeSize"}}}} as Rekor serves it: body standard base64, uuid the 64-hex leaf hash of
 * the body, proof hashes and rootHash lowercase hex. A new object, the caller decrefs. */
int cairn_rekor_entry_json(const cairn_rekor_entry_info *info, json_t **out);

/* The entry UUID of a canonical body: hex of the RFC 6962 leaf hash SHA-256(0x00 || body). Search key
 * for POST /api/v1/log/entries/retrieve and for finding duplicates. */
int cairn_rekor_uuid(const void *body, size_t len, char hex[65]);

/* Reads an entry UUID from a lookup (GET /api/v1/log/entries/{entryUUID}): 64 hex digits, or 80 (a
 * 16-hex tree ID followed by the UUID, as Rekor's entry IDs are), either case. Writes the lowercase
 * 64-hex UUID. CAIRN_EINVAL naming the text otherwise. */
int cairn_rekor_uuid_parse(const char *text, char hex[65]);

/* --- the client's side ------------------------------------------------------------------------------ */

/* Appends the proposed hashedrekord 0.0.1 entry (compact JSON) for a signature over a SHA-256 or
 * SHA-512 digest of an artifact. verifier_pem is the signer's PEM public key or PEM certificate; sig
 * is the signature as the key makes it (DER for ECDSA). The signature is checked before anything is
 * proposed (CAIRN_EVERIFY when it does not verify over the digest; Ed25519 keys cannot sign digests,
 * so they are refused with CAIRN_EUNSUPPORTED, as Rekor refuses them in hashedrekord). */
int cairn_rekor_hashedrekord_proposal(const void *verifier_pem, size_t pem_len, const cairn_digest *digest,
				      const uint8_t *sig, size_t sig_len, cairn_buf *json_out);

/* Appends the proposed dsse 0.0.1 entry for a signed envelope: {"proposedContent": {"envelope":
 * <the envelope's JSON as a string>, "verifiers": [base64 of verifier_pem]}}. Every signature must
 * verify with the verifier (CAIRN_EVERIFY otherwise), as the log will insist. */
int cairn_rekor_dsse_proposal(const cairn_dsse_envelope *env, const void *verifier_pem, size_t pem_len,
			      cairn_buf *json_out);

/* A LogEntry response parsed into what a Sigstore bundle's tlogEntries[] item needs. Strings and
 * buffers are owned by the struct; release with cairn_rekor_log_entry_free. */
typedef struct cairn_rekor_log_entry {
	char uuid[65];          /* 64-hex leaf hash (the response's key, checked against the body) */
	cairn_buf body;         /* canonicalized body, decoded */
	char kind[32];          /* from the body: "hashedrekord", "dsse", "intoto" ... */
	char version[32];       /* from the body: "0.0.1" ... */
	int64_t integrated_time;
	uint64_t log_index;
	char log_id_hex[65];
	cairn_buf set;          /* signedEntryTimestamp, decoded (empty when absent) */
	int has_proof;          /* 1 when verification.inclusionProof was present */
	uint64_t proof_log_index;
	uint64_t tree_size;
	uint8_t root[32];
	uint8_t (*hashes)[32];
	size_t hash_count;
	char *checkpoint;       /* signed note text; NULL when absent */
} cairn_rekor_log_entry;

/* Parses the response to POST /api/v1/log/entries (or a GET of one entry): a JSON object with exactly
 * one member {"<uuid or entry ID>": {...}}. Checks its shape and that the UUID is the leaf hash of the
 * body; does NOT verify the SET or the proof (the bundle verifier does that with the trusted root).
 * CAIRN_EINVAL naming the field otherwise. */
int cairn_rekor_log_entry_parse(cairn_rekor_log_entry *out, const void *json, size_t len, const char *what);
void cairn_rekor_log_entry_free(cairn_rekor_log_entry *entry);

/* A Sigstore bundle v0.3 tlogEntries[] item (protobuf JSON: int64 as strings, bytes as base64):
 * {"logIndex", "logId": {"keyId"}, "kindVersion": {"kind", "version"}, "integratedTime",
 * "inclusionPromise": {"signedEntryTimestamp"}, "inclusionProof": {"logIndex", "rootHash",
 * "treeSize", "hashes", "checkpoint": {"envelope"}}, "canonicalizedBody"}. inclusionPromise and
 * inclusionProof are left out when the entry had none. A new object, the caller decrefs. */
int cairn_rekor_log_entry_bundle_json(const cairn_rekor_log_entry *entry, json_t **out);

/* --- talking to a log over HTTP (rekor_http.c, rekor_upload.c) ------------------------------------- */

/* A log's address: https anywhere, plain http to a loopback address only (a log's answers are
 * verified, but a client's view should not be trivially redirected on the network). */
typedef struct cairn_rekor_client {
	char base[2048];     /* the URL without trailing '/' */
	const char *ca_file; /* an extra CA file for https (kept by reference), or NULL */
} cairn_rekor_client;

int cairn_rekor_client_init(cairn_rekor_client *c, const char *url, const char *ca_file);

/* One request to base + path: a GET, or a POST of post_body (Content-Type application/json) when
 * post_body is not NULL. No redirects are followed; connect timeout 30 s, whole request 120 s. The
 * response body (at most max bytes, CAIRN_ETOOBIG beyond) is appended to out and the HTTP status
 * stored; any status is a success here. CAIRN_EIO when no answer came. */
int cairn_rekor_client_request(const cairn_rekor_client *c, const char *path, const void *post_body, size_t post_len,
			       size_t max, cairn_buf *out, long *status);
/* A GET that must answer 200; any other status is an error naming the URL with the log's own
 * message (CAIRN_ENOENT for 404, CAIRN_EIO otherwise). */
int cairn_rekor_client_get_ok(const cairn_rekor_client *c, const char *path, size_t max, cairn_buf *out);

/* The log's public key from GET /api/v1/log/publicKey. Trust on first use: a key pinned by the
 * caller (from the log's operator, or its trusted root) is better. */
int cairn_rekor_public_key_fetch(const cairn_rekor_client *c, cairn_key **out);

/* Verifies a parsed LogEntry: the inclusion proof from the body's leaf hash to the proof's root, and
 * that root is the one of the checkpoint served with it. With log_key (may be NULL: only the proof
 * is checked) also the checkpoint's signature (under the origin it names), that the logID is the
 * key's, and the signed entry timestamp. CAIRN_EVERIFY naming the failed check. */
int cairn_rekor_log_entry_verify(const cairn_rekor_log_entry *entry, const cairn_key *log_key);

/* Proposes an entry (hashedrekord or dsse proposal JSON as built above) with POST
 * /api/v1/log/entries and returns the log's entry for it, verified with log_key (required): the
 * body is the canonical form of the proposal (so the log recorded what was proposed), the inclusion
 * proof and checkpoint, the logID and the signed entry timestamp. A 409 (already in the log) fetches
 * the existing entry by its UUID instead (*existed = 1; may be NULL). Free out with
 * cairn_rekor_log_entry_free. */
int cairn_rekor_upload(const cairn_rekor_client *c, const void *proposal, size_t len, const cairn_key *log_key,
		       cairn_rekor_log_entry *out, int *existed);

#endif
