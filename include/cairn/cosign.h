/* cairn/cosign.h - container image signatures stored in a registry the way cosign stores them.
 *
 * cosign signs a "simple signing" payload (containers/image's signature format) that names the image
 * by repository and manifest digest:
 *
 *   {"critical":{"identity":{"docker-reference":"REGISTRY/REPO"},
 *                "image":{"docker-manifest-digest":"sha256:HEX"},
 *                "type":"cosign container image signature"},"optional":null}
 *
 * and keeps every signature of an image in one OCI image manifest tagged "sha256-HEX.sig" in the
 * image's repository: one layer per signature whose blob is the payload (media type
 * application/vnd.dev.cosign.simplesigning.v1+json) and whose annotations carry the base64 signature
 * (dev.cosignproject.cosign/signature) and, for keyless signatures, the certificate, chain and Rekor
 * bundle (dev.sigstore.cosign/certificate, /chain, /bundle). The manifest's config is the image config
 * go-containerregistry writes for such an image (rootfs diff_ids = the layer digests, one empty history
 * entry per layer), so a manifest cairn writes is byte-for-byte what cosign writes for the same layers.
 *
 * Newer cosign also stores Sigstore bundles (v0.3, a DSSE envelope of an in-toto statement whose
 * subject is the image) as OCI 1.1 referrers with artifactType
 * application/vnd.dev.sigstore.bundle.v0.3+json; verification reads those too. */
#ifndef CAIRN_COSIGN_H
#define CAIRN_COSIGN_H

#include "cairn/buf.h"
#include "cairn/cert.h"
#include "cairn/digest.h"
#include "cairn/key.h"
#include "cairn/ref.h"
#include "cairn/registry.h"
#include "cairn/trustroot.h"

#include <stddef.h>
#include <stdint.h>

#define CAIRN_COSIGN_PAYLOAD_MEDIA_TYPE "application/vnd.dev.cosign.simplesigning.v1+json"
#define CAIRN_COSIGN_PAYLOAD_KIND "cosign container image signature"
#define CAIRN_COSIGN_ANNOTATION_SIGNATURE "dev.cosignproject.cosign/signature"
#define CAIRN_COSIGN_ANNOTATION_CERTIFICATE "dev.sigstore.cosign/certificate"
#define CAIRN_COSIGN_ANNOTATION_CHAIN "dev.sigstore.cosign/chain"
#define CAIRN_COSIGN_ANNOTATION_BUNDLE "dev.sigstore.cosign/bundle"
#define CAIRN_COSIGN_BUNDLE_ARTIFACT_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define CAIRN_COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"

#define CAIRN_COSIGN_MAX_PAYLOAD ((size_t)256 * 1024) /* a payload is a few hundred bytes */
#define CAIRN_COSIGN_MAX_SIGNATURES 1000              /* layers of one .sig manifest (cosign's limit) */
#define CAIRN_COSIGN_MAX_REFERRERS 100                /* bundle referrers examined per image */

/* ---- the payload ---- */

/* The docker-reference cosign writes for an image: "REGISTRY/REPOSITORY" (go-containerregistry's
 * Repository.Name(), which spells Docker Hub "index.docker.io"). */
int cairn_cosign_docker_reference(const cairn_ref *ref, cairn_buf *out);
/* Appends the payload, serialised exactly as cosign does (Go's encoding/json, fields in that order). */
int cairn_cosign_payload_make(const char *docker_reference, const cairn_digest *image, cairn_buf *out);

typedef struct cairn_cosign_payload {
	char *docker_reference;
	cairn_digest image;
} cairn_cosign_payload;

/* Parses a payload strictly: an object with "critical" {identity {docker-reference: string},
 * image {docker-manifest-digest: a digest}, type: "cosign container image signature"} and "optional"
 * (null or an object). Bounded by CAIRN_COSIGN_MAX_PAYLOAD. */
int cairn_cosign_payload_parse(cairn_cosign_payload *out, const void *data, size_t len, const char *what);
void cairn_cosign_payload_free(cairn_cosign_payload *payload);
/* 1 when docker_reference names the repository `expected` ("registry/repo", tag and digest of either
 * ignored; Docker Hub spellings normalised), as containers/image's matchRepository policy requires. */
int cairn_cosign_reference_matches(const char *docker_reference, const char *expected);

/* ---- the signature manifest ---- */

/* "sha256-HEX.sig". */
int cairn_cosign_signature_tag(const cairn_digest *image, cairn_buf *out);

/* One signature as a layer of the .sig manifest holds it. Strings are borrowed. */
typedef struct cairn_cosign_signature {
	const uint8_t *payload;
	size_t payload_len;
	const char *signature;   /* base64 */
	const char *certificate; /* PEM, or NULL */
	const char *chain;       /* PEM, or NULL */
	const char *bundle;      /* cosign's Rekor bundle JSON, or NULL */
} cairn_cosign_signature;

/* Given the current .sig manifest (NULL/0 when there is none), appends the layer descriptor of sig
 * and writes the new manifest and its config. *added is 0 when a layer with the same payload digest
 * and signature is already there (then manifest and config are left empty). Existing layers are
 * kept unchanged; a manifest that is not an OCI or Docker image manifest is refused. */
int cairn_cosign_manifest_append(const void *existing, size_t existing_len, const cairn_cosign_signature *sig,
				 cairn_buf *manifest, cairn_buf *config, int *added);

/* ---- verification ---- */

typedef struct cairn_cosign_verify_options {
	const cairn_key *key;               /* --key: the key that must have signed; or NULL */
	cairn_identity_policy identity;     /* keyless: who must have signed (used when key is NULL) */
	const cairn_trusted_root *root;     /* for certificates and log entries (required for keyless) */
	const char *docker_reference;       /* when set: the payload must name this repository */
	int64_t now;                        /* 0: the clock */
} cairn_cosign_verify_options;

/* What one verified signature established. */
typedef struct cairn_cosign_verified {
	char *payload;          /* the signed payload (JSON text) */
	char *docker_reference; /* as the payload claims it */
	char *identity;         /* keyless: the certificate's SAN */
	char *issuer;           /* keyless: its OIDC issuer */
	int64_t signed_at;      /* verified transparency-log time, 0 when there was no log entry */
	int from_referrer;      /* 1: a Sigstore bundle referrer; 0: a layer of the .sig manifest */
} cairn_cosign_verified;

void cairn_cosign_verified_free(cairn_cosign_verified *v);

/* Verifies one signature over image: the payload names the image's digest (and docker_reference
 * when asked); the signature verifies with the key, or the certificate chains to a trusted Fulcio CA
 * at the time the Rekor bundle proves and meets the identity policy (a keyless signature without a
 * Rekor bundle is refused: nothing establishes when it was made). A Rekor bundle present beside a key
 * signature is verified too. CAIRN_EVERIFY with the reason; out (may be NULL) filled on success. */
int cairn_cosign_verify_signature(const cairn_cosign_signature *sig, const cairn_digest *image,
				  const cairn_cosign_verify_options *opts, cairn_cosign_verified *out);

/* Verifies a Sigstore bundle (JSON) stored as a referrer of image: a DSSE in-toto statement of
 * predicate type CAIRN_COSIGN_SIGN_PREDICATE whose subject is image, or a message signature over
 * the image digest. */
int cairn_cosign_verify_bundle(const void *bundle_json, size_t len, const cairn_digest *image,
			       const cairn_cosign_verify_options *opts, cairn_cosign_verified *out);

/* ---- in a registry ---- */

/* Signs the image ref names (its tag resolved to a digest) with key and appends the signature to its
 * .sig manifest. image receives the digest signed; *added is 0 when the same signature was there. */
int cairn_cosign_sign(cairn_registry *reg, const cairn_ref *ref, const cairn_key *key, cairn_digest *image,
		      int *added);

typedef struct cairn_cosign_report {
	cairn_digest image;               /* the digest verified */
	cairn_cosign_verified *verified;  /* the signatures that verified */
	size_t verified_count;
	size_t checked;                   /* signatures examined */
} cairn_cosign_report;

/* Finds every signature of the image (the .sig manifest and bundle referrers) and verifies each.
 * 0 when at least one verified; CAIRN_EVERIFY naming why each failed, or that none was found. */
int cairn_cosign_verify_image(cairn_registry *reg, const cairn_ref *ref, const cairn_cosign_verify_options *opts,
			      cairn_cosign_report *report);
void cairn_cosign_report_free(cairn_cosign_report *report);

#endif
