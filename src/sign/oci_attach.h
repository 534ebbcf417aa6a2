/* oci_attach.h - cosign's way of attaching things to an image in its registry, shared by signatures
 * (src/sign, the .sig manifest) and attestations (src/attest, the .att manifest): an image manifest
 * tagged sha256-<hex>.<suffix> in the image's repository whose layers are the attached blobs, built
 * byte for byte as go-containerregistry builds it so that cosign and cairn read each other's. */
#ifndef CAIRN_SIGN_OCI_ATTACH_H
#define CAIRN_SIGN_OCI_ATTACH_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/ref.h"
#include "cairn/registry.h"

#include <jansson.h>

/* The same spellings as cosign_internal.h (an identical redefinition is allowed). */
#define CAIRN_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define CAIRN_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define CAIRN_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* What is attached, for limits and messages. */
struct oci_attach_kind {
	const char *what;  /* "signature manifest" */
	const char *items; /* "signatures": what its layers are */
	size_t max_layers;
};

/* "sha256-<hex><suffix>": the tag of what is attached to image (suffix ".sig", ".att", or "" for
 * the referrers fallback index). */
int oci_attach_tag(const cairn_digest *image, const char *suffix, cairn_buf *out);
/* The manifest tagged tag into body; body stays empty when the tag does not exist. */
int oci_attach_get_optional(cairn_registry *reg, const char *repository, const char *tag, cairn_buf *body);

/* Adds layer (a descriptor with a "digest"; the reference is taken) to the layers of the existing
 * manifest (NULL: none yet), keeping its media types, and writes the new manifest and its config.
 * *added stays 0 when a layer with that digest is already there and, if signature is not NULL,
 * with that signature annotation too. */
int oci_attach_append(const struct oci_attach_kind *kind, const void *existing, size_t existing_len, json_t *layer,
		      const char *signature, cairn_buf *manifest, cairn_buf *config, int *added);
/* Pushes the layer blob and the config, then the manifest under tag (blobs first: a registry refuses
 * a manifest whose blobs it does not have). */
int oci_attach_push(cairn_registry *reg, const char *repository, const char *tag, const void *blob, size_t blob_len,
		    const cairn_buf *config, const cairn_buf *manifest, cairn_digest *pushed);

/* What oci_attach_get_layers and oci_attach_referrer_blob return for a candidate that cannot be
 * used (the error is set, for the caller to record as a reason); I/O failures are negative codes. */
#define OCI_ATTACH_UNUSABLE 1

/* For verification: the layers of the manifest tagged tag, bounded by kind. 0 with *layers NULL when
 * the tag does not exist; *root is the parsed manifest, for json_decref. */
int oci_attach_get_layers(cairn_registry *reg, const char *repository, const char *tag,
			  const struct oci_attach_kind *kind, json_t **root, json_t **layers);
/* The blob the layer descriptor names, at most limit bytes and exactly its declared size. */
int oci_attach_fetch_blob(cairn_registry *reg, const char *repository, const json_t *layer, size_t limit,
			  cairn_buf *out);
/* The one layer (at most limit bytes) of the referrer manifest named by digest into blob. With
 * missing_unusable, a referrer manifest that is missing or does not match its digest is unusable
 * rather than a failure. */
int oci_attach_referrer_blob(cairn_registry *reg, const char *repository, const char *digest, size_t limit,
			     int missing_unusable, cairn_buf *blob);

/* Records why a candidate was rejected: appends "\n  where: <the error message>" to reasons and
 * returns 0; but returns the error code instead when it is an I/O or internal failure, which stops
 * verification. */
int oci_attach_reason(cairn_buf *reasons, const char *where);
/* A NUL-terminated copy of len bytes (which may hold a NUL); NULL when out of memory. */
char *oci_attach_dup_text(const void *data, size_t len);

#endif
