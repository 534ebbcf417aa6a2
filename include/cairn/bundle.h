/* cairn/bundle.h - Sigstore bundles (dev.sigstore.bundle.v1.Bundle, versions 0.1, 0.2 and 0.3) and
 * their verification, offline, as the Sigstore client specification describes it.
 *
 * A bundle holds what a verifier needs besides the artifact and the trust root: the signing
 * certificate (or a hint naming a managed key), transparency-log entries with their proofs, RFC 3161
 * timestamps, and either a signature over the artifact (messageSignature) or a DSSE envelope.
 *
 * Verification of a certificate bundle establishes the signing time from the integrated times of
 * Rekor v1 entries whose signed entry timestamp or inclusion proof verified and from RFC 3161
 * timestamps of trusted TSAs (at least one time is required); checks that the certificate chains to
 * a trusted Fulcio CA at every such time and carries a valid SCT; checks the identity policy; checks
 * every log entry (signed entry timestamp, inclusion proof against a signed checkpoint, and that the
 * entry's body names this bundle's key, signature and digest); and checks the signature over the
 * artifact or over the DSSE envelope, whose in-toto subjects must include the artifact's digest. */
#ifndef CAIRN_BUNDLE_H
#define CAIRN_BUNDLE_H

#include "cairn/cert.h"
#include "cairn/digest.h"
#include "cairn/dsse.h"
#include "cairn/key.h"
#include "cairn/trustroot.h"

#include <stddef.h>
#include <stdint.h>

#define CAIRN_BUNDLE_MAX_SIZE ((size_t)64 * 1024 * 1024)
#define CAIRN_BUNDLE_MAX_TLOG_ENTRIES 32
#define CAIRN_BUNDLE_MAX_TIMESTAMPS 32
#define CAIRN_BUNDLE_MAX_CHAIN 10

typedef struct cairn_bundle cairn_bundle;

/* Parses a bundle. Its media type must be one of
 *   application/vnd.dev.sigstore.bundle+json;version=0.1 | 0.2 | 0.3
 *   application/vnd.dev.sigstore.bundle.v0.3+json
 * and its members must be as that version requires (v0.1: every log entry has a signed entry
 * timestamp; v0.2 and later: every log entry has an inclusion proof; v0.3: a single certificate
 * rather than a chain). Nothing is verified yet. */
int cairn_bundle_parse(cairn_bundle **out, const void *json, size_t len, const char *what);
int cairn_bundle_load_file(cairn_bundle **out, const char *path);
void cairn_bundle_free(cairn_bundle *bundle);

/* The minor version: 1, 2 or 3. */
int cairn_bundle_version(const cairn_bundle *bundle);
/* 1 when the content is a DSSE envelope (then cairn_bundle_dsse returns it), 0 for a message signature. */
int cairn_bundle_is_dsse(const cairn_bundle *bundle);
const cairn_dsse_envelope *cairn_bundle_dsse(const cairn_bundle *bundle);
/* 1 when the verification material is a public-key hint (a managed-key bundle), 0 for a certificate. */
int cairn_bundle_is_key_based(const cairn_bundle *bundle);
size_t cairn_bundle_tlog_count(const cairn_bundle *bundle);
size_t cairn_bundle_timestamp_count(const cairn_bundle *bundle);

/* What was signed: a file, or only its digest (then a message signature can be checked only through
 * its digest, so an Ed25519 message signature cannot be). */
typedef struct cairn_bundle_artifact {
	const char *path;    /* a file ("-" is standard input), or NULL */
	cairn_digest digest; /* used when path is NULL: sha256, sha384 or sha512 */
} cairn_bundle_artifact;

typedef struct cairn_bundle_options {
	const cairn_key *key;           /* managed-key bundles: the key that must have signed; else NULL */
	cairn_identity_policy identity; /* certificate bundles: who must have signed */
	int64_t now;                    /* the current time (Unix seconds); 0 means the clock */
	/* Managed-key bundles only: accept one that has no transparency-log entry, as cosign's
	 * --insecure-ignore-tlog does (offline `cairn sign-blob --bundle` writes such bundles). Entries
	 * and timestamps that are present are still verified. Such a bundle proves who signed, not when. */
	int allow_missing_tlog;
} cairn_bundle_options;

#define CAIRN_BUNDLE_MAX_TIMES (CAIRN_BUNDLE_MAX_TLOG_ENTRIES + CAIRN_BUNDLE_MAX_TIMESTAMPS)

/* What verification established. */
typedef struct cairn_bundle_result {
	int64_t times[CAIRN_BUNDLE_MAX_TIMES]; /* the verified signing times */
	size_t time_count;
	size_t tlog_verified;                  /* log entries verified */
	char *identity;                        /* the certificate's first SAN (NULL for key bundles) */
	char *issuer;                          /* its OIDC issuer (NULL when none) */
} cairn_bundle_result;

/* Verifies the bundle over the artifact against the trust root. 0 when every check passed;
 * CAIRN_EVERIFY with a message naming the check that failed; other codes for unreadable input.
 * result may be NULL; otherwise free it with cairn_bundle_result_free. */
int cairn_bundle_verify(const cairn_bundle *bundle, const cairn_trusted_root *root,
			const cairn_bundle_artifact *artifact, const cairn_bundle_options *options,
			cairn_bundle_result *result);
void cairn_bundle_result_free(cairn_bundle_result *result);

/* --- writing managed-key bundles ---------------------------------------------------------------- */

#define CAIRN_BUNDLE_MEDIA_TYPE_V03 "application/vnd.dev.sigstore.bundle.v0.3+json"

/* Appends the public-key hint of key: standard base64 of the SHA-256 of its DER
 * SubjectPublicKeyInfo, as cosign and the Sigstore conformance suite's managed-key bundles write it. */
int cairn_bundle_key_hint(const cairn_key *key, cairn_buf *hint);

/* Signs the file at artifact_path ("-" is standard input) with the private key and appends a v0.3
 * bundle (protobuf JSON, one line and a newline) holding the key's hint and a messageSignature:
 * messageDigest (SHA2_256 for P-256, SHA2_384 for P-384, and the informative SHA2_256 for Ed25519,
 * whose signature is over the whole file) and the signature (DER for ECDSA). The bundle carries no
 * transparency-log entry and no timestamp: it is made offline. */
int cairn_bundle_write_message(const cairn_key *key, const char *artifact_path, cairn_buf *json_out);

/* Signs an in-toto statement (it must parse as an in-toto Statement with subjects; `what` names it in
 * errors) into a DSSE envelope of type application/vnd.in-toto+json with exactly one signature, and
 * appends a v0.3 bundle holding the key's hint and that dsseEnvelope. The payload is the statement's
 * bytes exactly as given. No log entry, no timestamp. */
int cairn_bundle_write_dsse(const cairn_key *key, const void *statement, size_t len, const char *what,
			    cairn_buf *json_out);

#endif
