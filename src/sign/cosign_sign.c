/* cosign_sign.c - cosign's simple-signing payload, its .sig manifest, and signing an image in place.
 *
 * Byte-exact compatibility matters here: cosign serialises with Go's encoding/json (struct fields in
 * declaration order, map keys sorted, no spaces), so the payload and the config are written by hand in
 * that order, and the manifest is built member by member in Go's field order. */
#include "cosign_internal.h"
#include "oci_attach.h"

#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/sig.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* A value cosign would write without escapes: printable ASCII other than '"' and '\\' (and Go's
 * HTML escapes <, >, &, which a repository name never contains). */
static int plain_json_text(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
			return 0;
	}
	return 1;
}

int cairn_cosign_docker_reference(const cairn_ref *ref, cairn_buf *out)
{
	if (ref == NULL || ref->registry == NULL || ref->repository == NULL)
		return cairn_error_set(CAIRN_EINVAL, "image reference: registry and repository are required");
	/* go-containerregistry's RegistryStr() spells the default registry index.docker.io */
	const char *registry = strcmp(ref->registry, "docker.io") == 0 ? "index.docker.io" : ref->registry;
	return cairn_buf_printf(out, "%s/%s", registry, ref->repository);
}

int cairn_cosign_payload_make(const char *docker_reference, const cairn_digest *image, cairn_buf *out)
{
	if (docker_reference == NULL || !plain_json_text(docker_reference) || strlen(docker_reference) > 1024)
		return cairn_error_set(CAIRN_EINVAL, "docker reference \"%s\" cannot go into a signature payload",
				       docker_reference ? docker_reference : "(none)");
	cairn_buf digest = CAIRN_BUF_INIT;
	int err = cairn_digest_format(image, &digest);
	if (!err)
		err = cairn_buf_printf(out,
				       "{\"critical\":{\"identity\":{\"docker-reference\":\"%s\"},"
				       "\"image\":{\"docker-manifest-digest\":\"%s\"},"
				       "\"type\":\"" CAIRN_COSIGN_PAYLOAD_KIND "\"},\"optional\":null}",
				       docker_reference, cairn_buf_cstr(&digest));
	cairn_buf_free(&digest);
	return err;
}

static int payload_bad(const char *what, const char *why)
{
	return cairn_error_set(CAIRN_EVERIFY, "%s: not a cosign signature payload: %s", what, why);
}

int cairn_cosign_payload_parse(cairn_cosign_payload *out, const void *data, size_t len, const char *what)
{
	memset(out, 0, sizeof *out);
	if (len > CAIRN_COSIGN_MAX_PAYLOAD)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: payload of %zu bytes is over the %zu-byte limit", what, len,
				       CAIRN_COSIGN_MAX_PAYLOAD);
	cairn_json_limits limits = {CAIRN_COSIGN_MAX_PAYLOAD, 16};
	json_t *root = NULL;
	int err = cairn_json_parse(&root, data, len, &limits, what);
	if (err == CAIRN_EINVAL) {
		/* not JSON at all: a check that said no, like any other payload that is not a signature */
		char reason[512];
		snprintf(reason, sizeof reason, "%s", cairn_error_message());
		return cairn_error_set(CAIRN_EVERIFY, "not a cosign signature payload: %s", reason);
	}
	if (err)
		return err;
	json_t *critical = json_object_get(root, "critical");
	json_t *optional = json_object_get(root, "optional");
	json_t *identity = json_object_get(critical, "identity");
	json_t *image = json_object_get(critical, "image");
	json_t *type = json_object_get(critical, "type");
	json_t *ref = json_object_get(identity, "docker-reference");
	json_t *digest = json_object_get(image, "docker-manifest-digest");
	if (!json_is_object(root))
		err = payload_bad(what, "not a JSON object");
	else if (!json_is_object(critical))
		err = payload_bad(what, "\"critical\" is missing or not an object");
	else if (optional != NULL && !json_is_null(optional) && !json_is_object(optional))
		err = payload_bad(what, "\"optional\" is neither null nor an object");
	else if (!json_is_string(type) || strcmp(json_string_value(type), CAIRN_COSIGN_PAYLOAD_KIND) != 0)
		err = payload_bad(what, "critical.type is not \"" CAIRN_COSIGN_PAYLOAD_KIND "\"");
	else if (!json_is_string(ref))
		err = payload_bad(what, "critical.identity.docker-reference is missing or not a string");
	else if (!json_is_string(digest))
		err = payload_bad(what, "critical.image.docker-manifest-digest is missing or not a string");
	else if (cairn_digest_parse(json_string_value(digest), json_string_length(digest), &out->image) != 0)
		err = payload_bad(what, "critical.image.docker-manifest-digest is not a digest");
	else if ((out->docker_reference = strdup(json_string_value(ref))) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	json_decref(root);
	if (err)
		cairn_cosign_payload_free(out);
	return err;
}

void cairn_cosign_payload_free(cairn_cosign_payload *payload)
{
	if (payload == NULL)
		return;
	free(payload->docker_reference);
	memset(payload, 0, sizeof *payload);
}

/* registry/repository of a reference, without tag or digest, Docker Hub spelt docker.io. */
static int repository_of(const char *text, cairn_buf *out)
{
	cairn_ref ref;
	if (cairn_ref_parse(&ref, text) != 0) {
		cairn_error_clear();
		return -1;
	}
	int err = cairn_buf_printf(out, "%s/%s", strcmp(ref.registry, "index.docker.io") == 0 ? "docker.io" : ref.registry,
				   ref.repository);
	cairn_ref_free(&ref);
	return err;
}

int cairn_cosign_reference_matches(const char *docker_reference, const char *expected)
{
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT;
	int match = repository_of(docker_reference, &a) == 0 && repository_of(expected, &b) == 0 &&
		    strcmp(cairn_buf_cstr(&a), cairn_buf_cstr(&b)) == 0;
	cairn_buf_free(&a);
	cairn_buf_free(&b);
	return match;
}

int cairn_cosign_signature_tag(const cairn_digest *image, cairn_buf *out)
{
	return oci_attach_tag(image, ".sig", out);
}

/* ---- the .sig manifest ---- */

static int oom(void)
{
	return cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

/* The descriptor of a new signature layer; annotation keys in sorted order, as Go writes a map. */
static json_t *new_layer(const cairn_cosign_signature *sig, const cairn_digest *digest)
{
	cairn_buf text = CAIRN_BUF_INIT;
	if (cairn_digest_format(digest, &text) != 0)
		return NULL;
	json_t *layer = json_object();
	json_t *ann = json_object();
	int bad = layer == NULL || ann == NULL;
	bad |= json_object_set_new(layer, "mediaType", json_string(CAIRN_COSIGN_PAYLOAD_MEDIA_TYPE));
	bad |= json_object_set_new(layer, "size", json_integer((json_int_t)sig->payload_len));
	bad |= json_object_set_new(layer, "digest", json_string(cairn_buf_cstr(&text)));
	bad |= json_object_set_new(ann, CAIRN_COSIGN_ANNOTATION_SIGNATURE, json_string(sig->signature));
	if (sig->bundle)
		bad |= json_object_set_new(ann, CAIRN_COSIGN_ANNOTATION_BUNDLE, json_string(sig->bundle));
	if (sig->certificate)
		bad |= json_object_set_new(ann, CAIRN_COSIGN_ANNOTATION_CERTIFICATE, json_string(sig->certificate));
	if (sig->chain)
		bad |= json_object_set_new(ann, CAIRN_COSIGN_ANNOTATION_CHAIN, json_string(sig->chain));
	bad |= json_object_set_new(layer, "annotations", ann);
	cairn_buf_free(&text);
	if (bad) {
		json_decref(layer);
		return NULL;
	}
	return layer;
}

static const struct oci_attach_kind sig_kind = {"signature manifest", "signatures", CAIRN_COSIGN_MAX_SIGNATURES};

int cairn_cosign_manifest_append(const void *existing, size_t existing_len, const cairn_cosign_signature *sig,
				 cairn_buf *manifest, cairn_buf *config, int *added)
{
	*added = 0;
	if (sig == NULL || sig->signature == NULL || sig->payload == NULL)
		return cairn_error_set(CAIRN_EINVAL, "signature: payload and signature are required");
	cairn_digest digest;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, sig->payload, sig->payload_len, &digest);
	if (err)
		return err;
	json_t *layer = new_layer(sig, &digest);
	if (layer == NULL)
		return oom();
	return oci_attach_append(&sig_kind, existing, existing_len, layer, sig->signature, manifest, config, added);
}

/* ---- signing in a registry ---- */

int cosign_resolve_digest(cairn_registry *reg, const cairn_ref *ref, cairn_digest *image)
{
	cairn_buf body = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT;
	int err = cairn_registry_get_manifest(reg, ref->repository, cairn_ref_reference(ref), &body, &media_type, image);
	cairn_buf_free(&body);
	cairn_buf_free(&media_type);
	return err;
}

/* The current .sig manifest into body; body stays empty when there is none. */
int cosign_get_sig_manifest(cairn_registry *reg, const char *repository, const cairn_digest *image, cairn_buf *body)
{
	cairn_buf tag = CAIRN_BUF_INIT;
	int err = cairn_cosign_signature_tag(image, &tag);
	if (!err)
		err = oci_attach_get_optional(reg, repository, cairn_buf_cstr(&tag), body);
	cairn_buf_free(&tag);
	return err;
}

int cairn_cosign_sign(cairn_registry *reg, const cairn_ref *ref, const cairn_key *key, cairn_digest *image,
		      int *added)
{
	*added = 0;
	cairn_buf docker_ref = CAIRN_BUF_INIT, payload = CAIRN_BUF_INIT, raw = CAIRN_BUF_INIT, b64 = CAIRN_BUF_INIT;
	cairn_buf existing = CAIRN_BUF_INIT, manifest = CAIRN_BUF_INIT, config = CAIRN_BUF_INIT, tag = CAIRN_BUF_INIT;
	int err = cosign_resolve_digest(reg, ref, image);
	if (!err)
		err = cairn_cosign_docker_reference(ref, &docker_ref);
	if (!err)
		err = cairn_cosign_payload_make(cairn_buf_cstr(&docker_ref), image, &payload);
	if (!err)
		err = cairn_sig_sign(key, payload.data, payload.len, &raw);
	if (!err)
		err = cairn_base64_encode(&b64, raw.data, raw.len, CAIRN_BASE64_STD);
	if (!err)
		err = cosign_get_sig_manifest(reg, ref->repository, image, &existing);
	if (!err) {
		cairn_cosign_signature sig = {payload.data, payload.len, cairn_buf_cstr(&b64), NULL, NULL, NULL};
		err = cairn_cosign_manifest_append(existing.len ? existing.data : NULL, existing.len, &sig, &manifest,
						   &config, added);
	}
	if (!err && *added) {
		cairn_digest pushed;
		err = cairn_cosign_signature_tag(image, &tag);
		if (!err)
			err = oci_attach_push(reg, ref->repository, cairn_buf_cstr(&tag), payload.data, payload.len, &config,
					      &manifest, &pushed);
	}
	cairn_buf_free(&docker_ref);
	cairn_buf_free(&payload);
	cairn_buf_free(&raw);
	cairn_buf_free(&b64);
	cairn_buf_free(&existing);
	cairn_buf_free(&manifest);
	cairn_buf_free(&config);
	cairn_buf_free(&tag);
	return err;
}
