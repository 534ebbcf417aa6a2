/* attest_oci.c - attestations stored in a registry: cosign's .att manifest, and Sigstore bundles as
 * OCI 1.1 referrers with the tag-schema fallback index.
 *
 * The .att manifest is built as cosign builds its .sig manifest (go-containerregistry's encoding:
 * descriptor members mediaType, size, digest, annotations; annotation keys sorted, as Go writes a
 * map), so that cosign reads what cairn writes and cairn appends to what cosign wrote. */
#include "cairn/attest.h"

#include "cairn/bundle.h"
#include "cairn/cosign.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "sign/oci_attach.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_FALLBACK_ENTRIES 4096 /* descriptors in one fallback index */

static int oom(void)
{
	return cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

int cairn_attest_tag(const cairn_digest *image, cairn_buf *out)
{
	return oci_attach_tag(image, ".att", out);
}

static json_t *descriptor(const char *media_type, const cairn_digest *digest, size_t size)
{
	cairn_buf text = CAIRN_BUF_INIT;
	if (cairn_digest_format(digest, &text) != 0)
		return NULL;
	json_t *d = json_object();
	int bad = d == NULL || json_object_set_new(d, "mediaType", json_string(media_type)) ||
		  json_object_set_new(d, "size", json_integer((json_int_t)size)) ||
		  json_object_set_new(d, "digest", json_string(cairn_buf_cstr(&text)));
	cairn_buf_free(&text);
	if (bad) {
		json_decref(d);
		return NULL;
	}
	return d;
}

/* ---- the .att manifest ---- */

static json_t *att_layer(const cairn_digest *digest, size_t size, const char *predicate_type)
{
	json_t *layer = descriptor(CAIRN_ATTEST_DSSE_MEDIA_TYPE, digest, size);
	json_t *ann = json_object();
	/* cosign keeps the signature annotation, empty: the signature is inside the envelope */
	if (layer == NULL || ann == NULL ||
	    json_object_set_new(ann, CAIRN_COSIGN_ANNOTATION_SIGNATURE, json_string("")) ||
	    json_object_set_new(ann, CAIRN_ATTEST_ANNOTATION_PREDICATE_TYPE, json_string(predicate_type)) ||
	    json_object_set_new(layer, "annotations", ann)) {
		json_decref(layer);
		return NULL;
	}
	return layer;
}

int cairn_attest_manifest_append(const void *existing, size_t existing_len, const void *envelope,
				 size_t envelope_len, const char *predicate_type, cairn_buf *manifest,
				 cairn_buf *config, int *added)
{
	*added = 0;
	if (envelope == NULL || predicate_type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "attestation: an envelope and a predicate type are required");
	cairn_digest digest;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, envelope, envelope_len, &digest);
	if (err)
		return err;
	json_t *layer = att_layer(&digest, envelope_len, predicate_type);
	if (layer == NULL)
		return oom();
	static const struct oci_attach_kind kind = {"attestation manifest", "attestations", CAIRN_ATTEST_MAX_LAYERS};
	return oci_attach_append(&kind, existing, existing_len, layer, NULL, manifest, config, added);
}

/* ---- bundle referrers ---- */

/* The empty config OCI 1.1 prescribes for artifacts: the two bytes "{}". */
static const char empty_config[] = "{}";

int cairn_attest_referrer_manifest(const cairn_attest_subject *subject, const cairn_digest *bundle_digest,
				   size_t bundle_len, const char *predicate_type, const char *created,
				   cairn_buf *manifest)
{
	cairn_digest empty;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, empty_config, 2, &empty);
	if (err)
		return err;
	json_t *root = json_object(), *layers = json_array(), *ann = json_object();
	json_t *cfg = descriptor(CAIRN_ATTEST_OCI_EMPTY, &empty, 2);
	json_t *layer = descriptor(CAIRN_BUNDLE_MEDIA_TYPE_V03, bundle_digest, bundle_len);
	json_t *subj = descriptor(subject->media_type, &subject->digest, (size_t)subject->size);
	int bad = root == NULL || layers == NULL || ann == NULL || cfg == NULL || layer == NULL || subj == NULL;
	bad = bad || json_array_append(layers, layer) ||
	      json_object_set_new(ann, CAIRN_ATTEST_BUNDLE_ANNOTATION_CONTENT, json_string("dsse-envelope")) ||
	      json_object_set_new(ann, CAIRN_ATTEST_BUNDLE_ANNOTATION_PREDICATE_TYPE, json_string(predicate_type)) ||
	      json_object_set_new(ann, "org.opencontainers.image.created", json_string(created)) ||
	      json_object_set_new(root, "schemaVersion", json_integer(2)) ||
	      json_object_set_new(root, "mediaType", json_string(CAIRN_OCI_MANIFEST)) ||
	      json_object_set_new(root, "artifactType", json_string(CAIRN_BUNDLE_MEDIA_TYPE_V03)) ||
	      json_object_set(root, "config", cfg) || json_object_set(root, "layers", layers) ||
	      json_object_set(root, "subject", subj) || json_object_set(root, "annotations", ann);
	err = bad ? oom() : cairn_json_dump(root, JSON_COMPACT, manifest);
	json_decref(root);
	json_decref(layers);
	json_decref(ann);
	json_decref(cfg);
	json_decref(layer);
	json_decref(subj);
	return err;
}

/* The descriptor of a referrer manifest as an index lists it: artifactType and annotations copied. */
static int referrer_descriptor(const void *manifest, size_t len, json_t **out)
{
	*out = NULL;
	cairn_digest digest;
	json_t *root = NULL;
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, manifest, len, &digest);
	if (!err)
		err = cairn_json_parse(&root, manifest, len, &limits, "referrer manifest");
	if (err)
		return err;
	json_t *d = descriptor(CAIRN_OCI_MANIFEST, &digest, len);
	json_t *at = json_object_get(root, "artifactType"), *ann = json_object_get(root, "annotations");
	int bad = d == NULL || (json_is_string(at) && json_object_set(d, "artifactType", at)) ||
		  (json_is_object(ann) && json_object_set(d, "annotations", ann));
	json_decref(root);
	if (bad) {
		json_decref(d);
		return oom();
	}
	*out = d;
	return 0;
}

int cairn_attest_fallback_index_add(const void *existing, size_t existing_len, const void *referrer_manifest,
				    size_t referrer_len, cairn_buf *index, int *added)
{
	*added = 0;
	json_t *root = NULL, *entry = NULL;
	int err = referrer_descriptor(referrer_manifest, referrer_len, &entry);
	if (err)
		return err;
	if (existing != NULL) {
		cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
		err = cairn_json_parse(&root, existing, existing_len, &limits, "referrers fallback index");
		json_t *mt = root ? json_object_get(root, "mediaType") : NULL;
		if (!err && (!json_is_array(json_object_get(root, "manifests")) ||
			     (mt != NULL && (!json_is_string(mt) || strcmp(json_string_value(mt), CAIRN_ATTEST_OCI_INDEX) != 0))))
			err = cairn_error_set(CAIRN_EUNSUPPORTED, "the referrers fallback tag does not hold an OCI image index");
	} else {
		root = json_object();
		if (root == NULL || json_object_set_new(root, "schemaVersion", json_integer(2)) ||
		    json_object_set_new(root, "mediaType", json_string(CAIRN_ATTEST_OCI_INDEX)) ||
		    json_object_set_new(root, "manifests", json_array()))
			err = oom();
	}
	json_t *manifests = json_object_get(root, "manifests");
	if (!err && json_array_size(manifests) >= MAX_FALLBACK_ENTRIES)
		err = cairn_error_set(CAIRN_ETOOBIG, "the referrers fallback index already lists %zu manifests",
				      json_array_size(manifests));
	size_t i;
	json_t *m;
	int present = 0;
	json_array_foreach(manifests, i, m) {
		json_t *d = json_object_get(m, "digest");
		if (json_is_string(d) && strcmp(json_string_value(d), json_string_value(json_object_get(entry, "digest"))) == 0)
			present = 1;
	}
	if (!err && !present) {
		if (json_array_append(manifests, entry))
			err = oom();
		else if (!(err = cairn_json_dump(root, JSON_COMPACT, index)))
			*added = 1;
	}
	json_decref(entry);
	json_decref(root);
	return err;
}

/* ---- in a registry ---- */

static int push_att_layer(cairn_registry *reg, const cairn_ref *ref, const cairn_digest *image, const cairn_buf *envelope,
			  const char *predicate_type, cairn_attest_pushed *out)
{
	cairn_buf tag = CAIRN_BUF_INIT, existing = CAIRN_BUF_INIT, manifest = CAIRN_BUF_INIT, config = CAIRN_BUF_INIT;
	int err = cairn_attest_tag(image, &tag);
	if (!err)
		err = oci_attach_get_optional(reg, ref->repository, cairn_buf_cstr(&tag), &existing);
	if (!err)
		err = cairn_attest_manifest_append(existing.len ? existing.data : NULL, existing.len, envelope->data,
						   envelope->len, predicate_type, &manifest, &config, &out->added);
	if (!err && out->added)
		err = oci_attach_push(reg, ref->repository, cairn_buf_cstr(&tag), envelope->data, envelope->len, &config,
				      &manifest, &out->manifest);
	cairn_buf_free(&tag);
	cairn_buf_free(&existing);
	cairn_buf_free(&manifest);
	cairn_buf_free(&config);
	return err;
}

static int now_rfc3339(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return cairn_error_set(CAIRN_EINTERNAL, "cannot format the current time");
	return 0;
}

/* Pushes the referrer by digest, then records it in the fallback index "sha256-HEX". */
static int push_referrer(cairn_registry *reg, const cairn_ref *ref, const cairn_attest_subject *subject,
			 const cairn_buf *bundle, const char *predicate_type, cairn_attest_pushed *out)
{
	cairn_buf manifest = CAIRN_BUF_INIT, ref_text = CAIRN_BUF_INIT, tag = CAIRN_BUF_INIT;
	cairn_buf existing = CAIRN_BUF_INIT, index = CAIRN_BUF_INIT;
	cairn_digest bundle_digest, pushed;
	char created[32];
	int added = 0;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, bundle->data, bundle->len, &bundle_digest);
	if (!err)
		err = now_rfc3339(created, sizeof created);
	if (!err)
		err = cairn_attest_referrer_manifest(subject, &bundle_digest, bundle->len, predicate_type, created, &manifest);
	if (!err)
		err = cairn_registry_push_blob(reg, ref->repository, bundle->data, bundle->len, 0);
	if (!err)
		err = cairn_registry_push_blob(reg, ref->repository, empty_config, 2, 0);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, manifest.data, manifest.len, &out->manifest);
	if (!err)
		err = cairn_digest_format(&out->manifest, &ref_text);
	if (!err)
		err = cairn_registry_push_manifest(reg, ref->repository, cairn_buf_cstr(&ref_text), CAIRN_OCI_MANIFEST,
						   manifest.data, manifest.len, &pushed);
	/* a registry with the referrers API indexes the manifest by its subject itself */
	int from_api = 0;
	if (!err)
		err = cairn_registry_referrers(reg, ref->repository, &subject->digest, NULL, &index, &from_api);
	cairn_buf_clear(&index);
	if (!err && from_api)
		goto out;
	if (!err)
		err = oci_attach_tag(&subject->digest, "", &tag);
	if (!err)
		err = oci_attach_get_optional(reg, ref->repository, cairn_buf_cstr(&tag), &existing);
	if (!err)
		err = cairn_attest_fallback_index_add(existing.len ? existing.data : NULL, existing.len, manifest.data,
						      manifest.len, &index, &added);
	if (!err && added)
		err = cairn_registry_push_manifest(reg, ref->repository, cairn_buf_cstr(&tag), CAIRN_ATTEST_OCI_INDEX,
						   index.data, index.len, &pushed);
out:
	out->added = 1; /* a new bundle (a new signature, a new time) is a new referrer */
	cairn_buf_free(&manifest);
	cairn_buf_free(&ref_text);
	cairn_buf_free(&tag);
	cairn_buf_free(&existing);
	cairn_buf_free(&index);
	return err;
}

int cairn_attest_image(cairn_registry *reg, const cairn_ref *ref, const cairn_key *key, const char *predicate_type,
		       const json_t *predicate, int bundle_format, cairn_attest_pushed *out)
{
	memset(out, 0, sizeof *out);
	cairn_buf body = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT, name = CAIRN_BUF_INIT;
	cairn_buf statement = CAIRN_BUF_INIT, signed_form = CAIRN_BUF_INIT;
	int err = cairn_registry_get_manifest(reg, ref->repository, cairn_ref_reference(ref), &body, &media_type,
					      &out->image);
	if (!err)
		err = cairn_cosign_docker_reference(ref, &name);
	if (!err)
		err = cairn_attest_statement_make(cairn_buf_cstr(&name), &out->image, 1, predicate_type, predicate,
						  &statement);
	if (!err && !bundle_format) {
		err = cairn_attest_envelope_sign(key, statement.data, statement.len, &signed_form);
		if (!err)
			err = push_att_layer(reg, ref, &out->image, &signed_form, predicate_type, out);
	} else if (!err) {
		err = cairn_bundle_write_dsse(key, statement.data, statement.len, "attestation statement", &signed_form);
		cairn_attest_subject subject = {media_type.len ? cairn_buf_cstr(&media_type) : CAIRN_OCI_MANIFEST, out->image,
						body.len};
		if (!err)
			err = push_referrer(reg, ref, &subject, &signed_form, predicate_type, out);
	}
	cairn_buf_free(&body);
	cairn_buf_free(&media_type);
	cairn_buf_free(&name);
	cairn_buf_free(&statement);
	cairn_buf_free(&signed_form);
	return err;
}
