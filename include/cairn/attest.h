/* cairn/attest.h - signed attestations (SBOMs, provenance, scan results, VEX) about images and files.
 *
 * An attestation is an in-toto Statement v1 naming its subject (an image by repository and manifest
 * digest, or a file by its SHA-256 and SHA-512) and carrying a predicate of a given type, signed into
 * a DSSE envelope of type application/vnd.in-toto+json.
 *
 * For an image it is stored the way cosign stores it: every attestation of the image is one layer of
 * the OCI image manifest tagged "sha256-HEX.att" in the image's repository, whose blob is the DSSE
 * envelope (media type application/vnd.dsse.envelope.v1+json) and whose annotations are
 * "dev.cosignproject.cosign/signature": "" (the signature is inside the envelope) and
 * "predicateType": the statement's predicate type. The config is go-containerregistry's image config
 * for those layers, as for .sig manifests (cairn/cosign.h).
 *
 * With the newer Sigstore bundle format the attestation is a v0.3 bundle holding the DSSE envelope,
 * stored as an OCI 1.1 referrer of the image: a manifest with artifactType
 * application/vnd.dev.sigstore.bundle.v0.3+json, the empty config, one layer holding the bundle,
 * subject = the image manifest's descriptor and the annotation dev.sigstore.bundle.predicateType.
 * It is pushed by digest; as registries without the referrers API (distribution 2.8) need it, the
 * tag-schema fallback index "sha256-HEX" is updated too (read, the new descriptor added, written).
 *
 * Predicate types by name, as cosign's --type spells them:
 *   slsaprovenance   https://slsa.dev/provenance/v1 for a v1 predicate (buildDefinition, runDetails),
 *                    https://slsa.dev/provenance/v0.2 for a v0.2 one (builder, buildType) - cosign
 *                    maps the name to v0.2 only; when verifying, the name matches either
 *   slsaprovenance02 https://slsa.dev/provenance/v0.2
 *   slsaprovenance1  https://slsa.dev/provenance/v1
 *   cyclonedx        https://cyclonedx.org/bom
 *   spdx, spdxjson   https://spdx.dev/Document
 *   vuln             https://cosign.sigstore.dev/attestation/vuln/v1
 *   openvex          https://openvex.dev/ns
 *   link             https://in-toto.io/Link/v1
 * and any other absolute URI (scheme "://" ...) as itself. */
#ifndef CAIRN_ATTEST_H
#define CAIRN_ATTEST_H

#include "cairn/buf.h"
#include "cairn/bundle.h"
#include "cairn/cert.h"
#include "cairn/digest.h"
#include "cairn/key.h"
#include "cairn/ref.h"
#include "cairn/registry.h"
#include "cairn/trustroot.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CAIRN_ATTEST_DSSE_MEDIA_TYPE "application/vnd.dsse.envelope.v1+json"
#define CAIRN_ATTEST_ANNOTATION_PREDICATE_TYPE "predicateType"
#define CAIRN_ATTEST_BUNDLE_ANNOTATION_PREDICATE_TYPE "dev.sigstore.bundle.predicateType"
#define CAIRN_ATTEST_BUNDLE_ANNOTATION_CONTENT "dev.sigstore.bundle.content"
#define CAIRN_ATTEST_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define CAIRN_ATTEST_OCI_EMPTY "application/vnd.oci.empty.v1+json"

#define CAIRN_ATTEST_PREDICATE_SLSA_V1 "https://slsa.dev/provenance/v1"
#define CAIRN_ATTEST_PREDICATE_SLSA_V02 "https://slsa.dev/provenance/v0.2"
#define CAIRN_ATTEST_PREDICATE_CYCLONEDX "https://cyclonedx.org/bom"
#define CAIRN_ATTEST_PREDICATE_SPDX "https://spdx.dev/Document"
#define CAIRN_ATTEST_PREDICATE_VULN "https://cosign.sigstore.dev/attestation/vuln/v1"
#define CAIRN_ATTEST_PREDICATE_OPENVEX "https://openvex.dev/ns"
#define CAIRN_ATTEST_PREDICATE_LINK "https://in-toto.io/Link/v1"

#define CAIRN_ATTEST_MAX_PREDICATE ((size_t)32 * 1024 * 1024) /* a predicate file read whole */
#define CAIRN_ATTEST_MAX_ENVELOPE ((size_t)64 * 1024 * 1024)  /* one .att layer blob */
#define CAIRN_ATTEST_MAX_LAYERS 1000                           /* attestations in one .att manifest */
#define CAIRN_ATTEST_MAX_REFERRERS 100                         /* bundle referrers examined per image */
#define CAIRN_ATTEST_MAX_URI 2048

/* ---- predicates and statements ---- */

/* The predicate type URI for `type` (a name above or a URI). predicate is consulted only for
 * "slsaprovenance" (to tell v1 from v0.2) and may be NULL, which means v1. *uri is a static string
 * or `type` itself. CAIRN_EINVAL naming the accepted names when type is neither. */
int cairn_attest_type_uri(const char *type, const json_t *predicate, const char **uri);
/* 1 when a statement's predicate_type is what `type` asks for (a name above, or a URI compared
 * exactly), 0 when not. */
int cairn_attest_type_matches(const char *type, const char *predicate_type);

/* Parses a predicate file's bytes (bounded by CAIRN_ATTEST_MAX_PREDICATE) and checks it fits the
 * predicate type: a JSON object for every type; for CycloneDX "bomFormat": "CycloneDX" and a
 * "specVersion"; for SPDX an "spdxVersion" "SPDX-..." and "SPDXID"; for SLSA v1 "buildDefinition"
 * and "runDetails" objects; for SLSA v0.2 a "builder" object; for OpenVEX an "@context" of
 * openvex.dev. CAIRN_EINVAL naming `what` and the reason. Release *out with json_decref. */
int cairn_attest_predicate_parse(json_t **out, const void *data, size_t len, const char *type_uri, const char *what);

/* Appends an in-toto Statement v1 (compact JSON: _type, subject, predicateType, predicate) with one
 * subject {name, digest: {alg: hex, ...}} holding the given digests. */
int cairn_attest_statement_make(const char *subject_name, const cairn_digest *digests, size_t digest_count,
				const char *predicate_type, const json_t *predicate, cairn_buf *out);

/* Signs statement into a DSSE envelope of type application/vnd.in-toto+json with one signature
 * (no keyid, as cosign writes it for a key) and appends the envelope's JSON. */
int cairn_attest_envelope_sign(const cairn_key *key, const void *statement, size_t len, cairn_buf *out);

/* ---- storing in a registry ---- */

/* "sha256-HEX.att". */
int cairn_attest_tag(const cairn_digest *image, cairn_buf *out);

/* Given the current .att manifest (NULL/0 when there is none), appends a layer holding envelope
 * (its digest and size) annotated with predicate_type, and writes the new manifest and its config.
 * *added is 0 when a layer with the same envelope digest is already there (manifest and config are
 * then left empty). Existing layers are kept; a manifest that is not an image manifest is refused. */
int cairn_attest_manifest_append(const void *existing, size_t existing_len, const void *envelope,
				 size_t envelope_len, const char *predicate_type, cairn_buf *manifest,
				 cairn_buf *config, int *added);

/* The image manifest a referrer points at. */
typedef struct cairn_attest_subject {
	const char *media_type; /* the image manifest's media type */
	cairn_digest digest;
	uint64_t size;
} cairn_attest_subject;

/* Appends the OCI 1.1 referrer manifest holding one bundle layer (bundle_len bytes of digest
 * bundle_digest), with subject, artifactType bundle v0.3, the empty config, and the annotations
 * dev.sigstore.bundle.content "dsse-envelope", dev.sigstore.bundle.predicateType and
 * org.opencontainers.image.created (`created`, RFC 3339). */
int cairn_attest_referrer_manifest(const cairn_attest_subject *subject, const cairn_digest *bundle_digest,
				   size_t bundle_len, const char *predicate_type, const char *created,
				   cairn_buf *manifest);

/* Adds a descriptor (media type OCI manifest, digest, size, artifactType, annotations) of the
 * referrer manifest to the tag-schema fallback index `existing` (NULL/0: a new empty index) and
 * appends the new index. Existing entries are kept; *added is 0 when the digest is already listed. */
int cairn_attest_fallback_index_add(const void *existing, size_t existing_len, const void *referrer_manifest,
				    size_t referrer_len, cairn_buf *index, int *added);

typedef struct cairn_attest_pushed {
	cairn_digest image;    /* the image digest attested */
	cairn_digest manifest; /* the .att manifest's or the referrer's digest */
	int added;             /* 0: the same attestation was already there */
} cairn_attest_pushed;

/* Attests the image ref names (its tag resolved to a digest): builds the statement (subject name
 * "REGISTRY/REPOSITORY" as cosign writes it, digest sha256), signs it with key, and appends it to the
 * .att manifest, or with bundle_format stores it as a bundle referrer (and in the fallback index). */
int cairn_attest_image(cairn_registry *reg, const cairn_ref *ref, const cairn_key *key, const char *predicate_type,
		       const json_t *predicate, int bundle_format, cairn_attest_pushed *out);

/* ---- verification ---- */

typedef struct cairn_attest_verify_options {
	const cairn_key *key;            /* the key that must have signed; or NULL */
	cairn_identity_policy identity;  /* keyless: who must have signed (used when key is NULL) */
	const cairn_trusted_root *root;  /* for bundles (required) */
	const char *type;                /* the predicate type asked for: a name or a URI (required) */
	int allow_missing_tlog;          /* key bundles: accept one without a log entry (cosign's
					  * --insecure-ignore-tlog) */
	int64_t now;                     /* 0: the clock */
} cairn_attest_verify_options;

typedef struct cairn_attest_verified {
	char *statement;      /* the signed statement (JSON text) */
	char *predicate_type;
	char *identity;       /* keyless: the certificate's SAN */
	char *issuer;
	int from_referrer;    /* 1: a Sigstore bundle (referrer or file), 0: a .att layer */
} cairn_attest_verified;

void cairn_attest_verified_free(cairn_attest_verified *v);

/* Verifies one DSSE envelope (a .att layer blob) with opts->key: the signature, that the payload is
 * an in-toto statement one of whose subjects carries `subject`, and that its predicate type is the
 * one asked for. CAIRN_EVERIFY with the reason. A keyless layer goes through the next function. */
int cairn_attest_verify_envelope(const void *envelope, size_t len, const cairn_digest *subject,
				 const cairn_attest_verify_options *opts, cairn_attest_verified *out);

/* A .att layer cosign signed keylessly: the DSSE envelope (the layer's blob) with the Fulcio
 * certificate (PEM) and the Rekor bundle from the layer's annotations (CAIRN_COSIGN_ANNOTATION_*),
 * restated as a Sigstore bundle v0.1 and verified as one (certificate chain to a trusted Fulcio CA at
 * the integrated time, SCT, signed entry timestamp, the log entry matching the envelope, identity
 * policy opts->identity), then the statement's subject and predicate type. The chain annotation is
 * not used: intermediates come from the trusted root. */
int cairn_attest_verify_cosign_keyless(const void *envelope, size_t len, const char *certificate_pem,
				       const char *rekor_bundle, const cairn_digest *subject,
				       const cairn_attest_verify_options *opts, cairn_attest_verified *out);

/* The same .att layer restated as that Sigstore bundle v0.1 (appended to bundle_out), for a caller
 * that verifies it its own way. Nothing is verified here. */
int cairn_attest_cosign_bundle(const void *envelope, size_t len, const char *certificate_pem, const char *rekor_bundle,
			       cairn_buf *bundle_out);

/* Verifies a Sigstore bundle holding a DSSE attestation over the artifact (a file path or a
 * digest) with cairn_bundle_verify, then the predicate type. */
int cairn_attest_verify_bundle(const void *bundle_json, size_t len, const cairn_bundle_artifact *artifact,
			       const cairn_attest_verify_options *opts, cairn_attest_verified *out);

typedef struct cairn_attest_report {
	cairn_digest image;
	cairn_attest_verified *verified;
	size_t verified_count;
	size_t checked; /* attestations examined */
} cairn_attest_report;

/* Finds every attestation of the image (.att layers and bundle referrers) and verifies each; keeps
 * those of the requested type. 0 when at least one verified; CAIRN_EVERIFY naming why each was
 * rejected, or that none was found. */
int cairn_attest_verify_image(cairn_registry *reg, const cairn_ref *ref, const cairn_attest_verify_options *opts,
			      cairn_attest_report *report);
void cairn_attest_report_free(cairn_attest_report *report);

#endif
