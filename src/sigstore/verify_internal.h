/* verify_internal.h - the parsed form of a Sigstore bundle and the checks verify.c composes. Private
 * to src/sigstore. */
#ifndef CAIRN_SIGSTORE_VERIFY_INTERNAL_H
#define CAIRN_SIGSTORE_VERIFY_INTERNAL_H

#include "cairn/bundle.h"
#include "cairn/merkle.h"

#include <stdint.h>

/* One transparency-log entry as the bundle carries it (dev.sigstore.rekor.v1.TransparencyLogEntry). */
typedef struct bundle_tlog_entry {
	int64_t log_index;
	cairn_buf log_id;
	char *kind;
	char *version;
	int64_t integrated_time; /* 0 when absent (Rekor v2) */
	cairn_buf set;           /* inclusionPromise.signedEntryTimestamp; empty when absent */
	int has_proof;
	int64_t proof_index;
	int64_t tree_size;
	cairn_merkle_hash root_hash;
	cairn_merkle_hash *hashes;
	size_t hash_count;
	char *checkpoint; /* the signed note; NULL when the proof has none */
	cairn_buf body;   /* canonicalizedBody, decoded */
} bundle_tlog_entry;

struct cairn_bundle {
	int minor; /* 1, 2, 3 */
	/* verification material: exactly one of the certificate (leaf first) or a key hint */
	cairn_buf *certs; /* DER, leaf first */
	size_t cert_count;
	int key_based;
	char *key_hint;
	bundle_tlog_entry *entries;
	size_t entry_count;
	cairn_buf *timestamps; /* DER RFC 3161 TimeStampResp */
	size_t timestamp_count;
	/* content */
	int is_dsse;
	cairn_dsse_envelope dsse;
	cairn_buf signature;       /* messageSignature.signature */
	int has_message_digest;
	cairn_digest message_digest;
};

/* The artifact's digests, computed once (or the one the user gave). */
typedef struct artifact_digests {
	const char *path; /* NULL when only a digest was given */
	cairn_digest sha256, sha384, sha512;
	int have_sha256, have_sha384, have_sha512;
} artifact_digests;

/* What the log entry's body must match: the bundle's signing key material and signature. */
typedef struct entry_expect {
	const cairn_buf *cert_der;  /* the leaf certificate (DER), or NULL for key bundles */
	const cairn_key *key;       /* the signing key (the leaf's key or the managed key) */
	const cairn_buf *signature; /* the message signature or the DSSE envelope's signature */
	const cairn_bundle *bundle;
	const artifact_digests *artifact;
} entry_expect;

/* tlog.c: verifies one entry against the trust root: the log is trusted; its SET (when present) over
 * the canonical entry; its inclusion proof and signed checkpoint (when present); that the body matches
 * `expect`. Sets *time_out to the integrated time when the entry gives one that a verified SET or
 * proof vouches for, else 0. */
int tlog_verify_entry(const bundle_tlog_entry *entry, size_t index, const cairn_trusted_root *root,
		      const entry_expect *expect, int64_t now, int64_t *time_out);

/* timestamp.c: verifies one RFC 3161 response over `signed_bytes` against the root's TSAs; sets
 * *time_out to its genTime. */
int timestamp_verify(const cairn_buf *response, size_t index, const cairn_trusted_root *root,
		     const cairn_buf *signed_bytes, int64_t *time_out);

#endif
