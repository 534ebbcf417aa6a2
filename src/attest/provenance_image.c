/* provenance_image.c - SLSA provenance of a container image, as slsa-verifier's verify-image checks it.
 *
 * slsa-github-generator's container generator attaches its provenance to the image the way `cosign
 * attest` does: a DSSE envelope as a layer of the image's .att manifest, signed keylessly, with the
 * Fulcio certificate and the Rekor entry in the layer's annotations. `cosign save` writes the image and
 * those attestations as one OCI layout, its index.json entries marked with a "kind" annotation
 * (dev.cosignproject.cosign/image or imageIndex, and dev.cosignproject.cosign/atts); that is the form
 * verified here (slsa-verifier's own test data is in it). Each attestation is restated as a Sigstore
 * bundle and verified as provenance for the image's digest (provenance_verify.c); the image passes when
 * one of them does. Every blob read is named by a digest, bounded, and checked against it. */
#include "cairn/provenance.h"

#include "cairn/attest.h"
#include "cairn/cosign.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/registry.h"
#include "sign/oci_attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COSIGN_KIND "kind"
#define KIND_IMAGE "dev.cosignproject.cosign/image"
#define KIND_IMAGE_INDEX "dev.cosignproject.cosign/imageIndex"
#define KIND_ATTS "dev.cosignproject.cosign/atts"
#define MANIFEST_MAX ((size_t)4 * 1024 * 1024)

/* The blob of a layout named by an untrusted descriptor: sha256 only, its bytes checked. */
static int layout_blob(const char *dir, const json_t *descriptor, size_t max, cairn_buf *out)
{
	const char *text = cairn_json_string_at(descriptor, "digest");
	cairn_digest want, have;
	if (text == NULL || cairn_digest_parse(text, strlen(text), &want) != 0 || want.alg != CAIRN_DIGEST_SHA256)
		return cairn_error_set(CAIRN_EINVAL, "%s: a descriptor without a sha256 digest", dir);
	cairn_buf path = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&path, "%s/blobs/sha256/", dir);
	if (!err)
		err = cairn_digest_hex(&want, &path);
	if (!err)
		err = cairn_file_read(cairn_buf_cstr(&path), max, out);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, out->data, out->len, &have);
	if (!err && cairn_digest_equal(&want, &have) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "%s: blob %s does not have its digest", dir, text);
	cairn_buf_free(&path);
	return err;
}

/* index.json's entries: the image (or image index) and its attestations manifest. */
static int layout_entries(const char *dir, json_t **index, const json_t **image, const json_t **atts)
{
	cairn_buf path = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&path, "%s/index.json", dir);
	cairn_buf text = CAIRN_BUF_INIT;
	if (!err)
		err = cairn_file_read(cairn_buf_cstr(&path), MANIFEST_MAX, &text);
	if (!err)
		err = cairn_json_parse(index, text.data, text.len, NULL, cairn_buf_cstr(&path));
	cairn_buf_free(&text);
	cairn_buf_free(&path);
	*image = *atts = NULL;
	const json_t *manifests = err ? NULL : json_object_get(*index, "manifests");
	for (size_t i = 0; !err && i < json_array_size(manifests); i++) {
		const json_t *m = json_array_get(manifests, i);
		const char *kind = cairn_json_string_at(json_object_get(m, "annotations"), COSIGN_KIND);
		const json_t **slot = kind == NULL ? NULL
				      : strcmp(kind, KIND_ATTS) == 0 ? atts
				      : strcmp(kind, KIND_IMAGE) == 0 || strcmp(kind, KIND_IMAGE_INDEX) == 0 ? image
													      : NULL;
		if (slot && *slot)
			err = cairn_error_set(CAIRN_EINVAL, "%s: index.json names more than one %s", dir, kind);
		else if (slot)
			*slot = m;
	}
	if (!err && *image == NULL)
		err = cairn_error_set(CAIRN_EINVAL, "%s: not an image saved with its attestations (cosign save): index.json "
				      "marks no entry as %s or %s", dir, KIND_IMAGE, KIND_IMAGE_INDEX);
	return err;
}

/* Where the blobs of an image's attestations come from: a layout on disk, or a registry. */
struct att_source {
	const char *name; /* for messages */
	const char *dir;  /* a layout */
	cairn_registry *reg;
	const char *repository;
};

static int source_blob(const struct att_source *src, const json_t *descriptor, size_t max, cairn_buf *out)
{
	return src->reg ? oci_attach_fetch_blob(src->reg, src->repository, descriptor, max, out)
			: layout_blob(src->dir, descriptor, max, out);
}

/* One .att layer as a Sigstore bundle; CAIRN_EVERIFY when it is not a keyless DSSE attestation. */
static int layer_bundle(const struct att_source *src, const json_t *layer, cairn_buf *bundle)
{
	const char *type = cairn_json_string_at(layer, "mediaType");
	const json_t *ann = json_object_get(layer, "annotations");
	const char *cert = cairn_json_string_at(ann, CAIRN_COSIGN_ANNOTATION_CERTIFICATE);
	const char *rekor = cairn_json_string_at(ann, CAIRN_COSIGN_ANNOTATION_BUNDLE);
	if (type == NULL || strcmp(type, CAIRN_ATTEST_DSSE_MEDIA_TYPE) != 0)
		return cairn_error_set(CAIRN_EVERIFY, "not a DSSE layer (media type %s)", type ? type : "missing");
	if (cert == NULL || rekor == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "not signed keylessly: no certificate or Rekor bundle annotation");
	cairn_buf envelope = CAIRN_BUF_INIT;
	int err = source_blob(src, layer, CAIRN_ATTEST_MAX_ENVELOPE, &envelope);
	if (!err)
		err = cairn_attest_cosign_bundle(envelope.data, envelope.len, cert, rekor, bundle);
	cairn_buf_free(&envelope);
	return err;
}

/* Appends "; .att layer N: reason" for a rejected attestation. */
static int note_reason(cairn_buf *reasons, const char *where)
{
	const char *msg = cairn_error_message();
	if (strncmp(msg, where, strlen(where)) == 0)
		return cairn_buf_printf(reasons, "; %s", msg);
	return cairn_buf_printf(reasons, "; %s: %s", where, msg);
}

/* The image passes when one of the layers of its .att manifest verifies as its provenance. */
static int verify_layers(const struct att_source *src, const json_t *layers, const cairn_digest *image,
			 const cairn_trusted_root *root, int64_t now, const cairn_provenance_expect *expect,
			 cairn_provenance_result *result)
{
	if (json_array_size(layers) == 0 || json_array_size(layers) > CAIRN_ATTEST_MAX_LAYERS)
		return cairn_error_set(CAIRN_EVERIFY, "%s: the attestation manifest has %zu layers", src->name,
				       json_array_size(layers));
	cairn_provenance_expect e = expect ? *expect : (cairn_provenance_expect){0};
	e.artifact_path = NULL;
	e.artifact = *image;
	e.image = 1;
	cairn_buf reasons = CAIRN_BUF_INIT;
	int err = 0, verified = 0;
	for (size_t i = 0; !err && !verified && i < json_array_size(layers); i++) {
		cairn_buf bundle = CAIRN_BUF_INIT;
		char where[64];
		snprintf(where, sizeof where, ".att layer %zu", i + 1);
		int rc = layer_bundle(src, json_array_get(layers, i), &bundle);
		if (!rc)
			rc = cairn_provenance_verify_bundle(bundle.data, bundle.len, where, root, now, &e, result);
		if (rc == 0)
			verified = 1;
		else if (rc == CAIRN_EVERIFY)
			err = note_reason(&reasons, where);
		else
			err = rc;
		cairn_buf_free(&bundle);
	}
	if (!err && !verified)
		err = cairn_error_set(CAIRN_EVERIFY, "%s: no attestation of the image verifies as its provenance%s", src->name,
				      cairn_buf_cstr(&reasons));
	cairn_buf_free(&reasons);
	return err;
}

int cairn_provenance_verify_image_layout(const char *dir, const cairn_trusted_root *root, int64_t now,
					 const cairn_provenance_expect *expect, cairn_digest *image,
					 cairn_provenance_result *result)
{
	struct att_source src = {dir, dir, NULL, NULL};
	json_t *index = NULL, *manifest = NULL;
	const json_t *image_entry = NULL, *atts = NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = layout_entries(dir, &index, &image_entry, &atts);
	const char *digest = err ? NULL : cairn_json_string_at(image_entry, "digest");
	if (!err && (digest == NULL || cairn_digest_parse(digest, strlen(digest), image) != 0))
		err = cairn_error_set(CAIRN_EINVAL, "%s: the image's entry has no valid digest", dir);
	if (!err && atts == NULL)
		err = cairn_error_set(CAIRN_EVERIFY, "%s: the image has no attestations (index.json marks no %s entry)", dir,
				      KIND_ATTS);
	if (!err)
		err = layout_blob(dir, atts, MANIFEST_MAX, &text);
	if (!err)
		err = cairn_json_parse(&manifest, text.data, text.len, NULL, "attestation manifest");
	if (!err)
		err = verify_layers(&src, json_object_get(manifest, "layers"), image, root, now, expect, result);
	cairn_buf_free(&text);
	json_decref(manifest);
	json_decref(index);
	return err;
}

int cairn_provenance_verify_image_registry(cairn_registry *reg, const cairn_ref *ref, const cairn_trusted_root *root,
					   int64_t now, const cairn_provenance_expect *expect, cairn_digest *image,
					   cairn_provenance_result *result)
{
	static const struct oci_attach_kind kind = {"attestation manifest", "attestations", CAIRN_ATTEST_MAX_LAYERS};
	cairn_buf body = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT, tag = CAIRN_BUF_INIT, name = CAIRN_BUF_INIT;
	json_t *manifest = NULL, *layers = NULL;
	int err = cairn_buf_printf(&name, "%s/%s", ref->registry, ref->repository);
	if (!err)
		err = cairn_registry_get_manifest(reg, ref->repository, cairn_ref_reference(ref), &body, &media_type, image);
	if (!err)
		err = cairn_attest_tag(image, &tag);
	if (!err)
		err = oci_attach_get_layers(reg, ref->repository, cairn_buf_cstr(&tag), &kind, &manifest, &layers);
	if (err == OCI_ATTACH_UNUSABLE)
		err = cairn_error_prefix(CAIRN_EVERIFY, "%s: its attestation manifest %s", cairn_buf_cstr(&name),
					 cairn_buf_cstr(&tag));
	else if (!err && layers == NULL)
		err = cairn_error_set(CAIRN_EVERIFY, "%s: the image has no attestations (no tag %s)", cairn_buf_cstr(&name),
				      cairn_buf_cstr(&tag));
	struct att_source src = {cairn_buf_cstr(&name), NULL, reg, ref->repository};
	if (!err)
		err = verify_layers(&src, layers, image, root, now, expect, result);
	json_decref(manifest);
	cairn_buf_free(&name);
	cairn_buf_free(&tag);
	cairn_buf_free(&media_type);
	cairn_buf_free(&body);
	return err;
}
