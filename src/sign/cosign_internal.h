/* cosign_internal.h - what cosign_sign.c, cosign_verify.c and the attestation verifier share. */
#ifndef CAIRN_SIGN_COSIGN_INTERNAL_H
#define CAIRN_SIGN_COSIGN_INTERNAL_H

#include "cairn/cosign.h"

#include <jansson.h>

#define CAIRN_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define CAIRN_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define CAIRN_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* The digest of the manifest ref names (fetched, so the digest is recomputed, not trusted). */
int cosign_resolve_digest(cairn_registry *reg, const cairn_ref *ref, cairn_digest *image);
/* The image's current .sig manifest into body; body stays empty when there is none. */
int cosign_get_sig_manifest(cairn_registry *reg, const char *repository, const cairn_digest *image, cairn_buf *body);

/* Cosign's Rekor bundle annotation ({"SignedEntryTimestamp", "Payload": {"body", "integratedTime",
 * "logIndex", "logID"}}) as a Sigstore bundle v0.1 tlogEntries[] member (a new JSON object). */
int cosign_rekor_entry(const char *annotation, json_t **out);
/* Verifies the signature over sig->payload with the evidence in its annotations (the Rekor bundle,
 * and the certificate when there is one, else opts->key), restated as a Sigstore bundle v0.1; fills
 * signed_at, identity and issuer of out. The payload itself is not interpreted here. */
int cosign_verify_evidence(const cairn_cosign_signature *sig, const cairn_cosign_verify_options *opts,
			   cairn_cosign_verified *out);

#endif
