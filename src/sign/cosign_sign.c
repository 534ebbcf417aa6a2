/* cosign_sign.c - cosign's simple-signing payload, its .sig manifest, and signing an image in place.
 *
 * Byte-exact compatibility matters here: cosign serialises with Go's encoding/json (struct fields in
 * declaration order, map keys sorted, no spaces), so the payload and the config are written by hand in
 * that order, and the manifest is built member by member in Go's field order. */
#include "cosign_internal.h"

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
	cairn_buf hex = CAIRN_BUF_INIT;
	int err = cairn_digest_hex(image, &hex);
	if (!err)
		err = cairn_buf_printf(out, "%s-%s.sig", cairn_digest_alg_name(image->alg), cairn_buf_cstr(&hex));
	cairn_buf_free(&hex);
	return err;
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

/* Reads the layers of the current manifest; the media types keep its own spellings. */
static int existing_layers(const void *data, size_t len, json_t **layers, const char **media_type,
			   const char **config_type, json_t **root)
{
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	int err = cairn_json_parse(root, data, len, &limits, "signature manifest");
	if (err)
		return err;
	json_t *mt = json_object_get(*root, "mediaType");
	json_t *config = json_object_get(*root, "config");
	*layers = json_object_get(*root, "layers");
	if (mt != NULL && (!json_is_string(mt) || (strcmp(json_string_value(mt), CAIRN_OCI_MANIFEST) != 0 &&
						    strcmp(json_string_value(mt), CAIRN_DOCKER_MANIFEST) != 0)))
		return cairn_error_set(CAIRN_EUNSUPPORTED, "signature manifest: media type is not an image manifest");
	if (!json_is_array(*layers) || !json_is_object(config))
		return cairn_error_set(CAIRN_EINVAL, "signature manifest: \"layers\" or \"config\" is missing");
	if (json_array_size(*layers) >= CAIRN_COSIGN_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_ETOOBIG, "signature manifest already holds %zu signatures (limit %d)",
				       json_array_size(*layers), CAIRN_COSIGN_MAX_SIGNATURES);
	json_t *ct = json_object_get(config, "mediaType");
	if (mt != NULL)
		*media_type = json_string_value(mt);
	if (json_is_string(ct))
		*config_type = json_string_value(ct);
	size_t i;
	json_t *layer;
	json_array_foreach(*layers, i, layer) {
		json_t *digest = json_object_get(layer, "digest");
		cairn_digest d;
		if (!json_is_object(layer) || !json_is_string(digest) ||
		    cairn_digest_parse(json_string_value(digest), json_string_length(digest), &d) != 0)
			return cairn_error_set(CAIRN_EINVAL, "signature manifest: layer %zu has no valid digest", i + 1);
	}
	return 0;
}

/* 1 when a layer with this payload digest and signature is already there. */
static int already_there(const json_t *layers, const char *digest, const char *signature)
{
	size_t i;
	json_t *layer;
	json_array_foreach(layers, i, layer) {
		json_t *sig = json_object_get(json_object_get(layer, "annotations"), CAIRN_COSIGN_ANNOTATION_SIGNATURE);
		if (strcmp(json_string_value(json_object_get(layer, "digest")), digest) == 0 && json_is_string(sig) &&
		    strcmp(json_string_value(sig), signature) == 0)
			return 1;
	}
	return 0;
}

/* go-containerregistry's image config for these layers: empty platform, zero times, one empty
 * history entry and one diff_id (the uncompressed layer is the payload itself) per layer. */
static int write_config(const json_t *layers, cairn_buf *config)
{
	int err = cairn_buf_append_str(config, "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[");
	size_t i, n = json_array_size(layers);
	for (i = 0; !err && i < n; i++)
		err = cairn_buf_printf(config, "%s{\"created\":\"0001-01-01T00:00:00Z\"}", i ? "," : "");
	if (!err)
		err = cairn_buf_append_str(config, "],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
	for (i = 0; !err && i < n; i++)
		err = cairn_buf_printf(config, "%s\"%s\"", i ? "," : "",
				       json_string_value(json_object_get(json_array_get(layers, i), "digest")));
	if (!err)
		err = cairn_buf_append_str(config, "]},\"config\":{}}");
	return err;
}

static int write_manifest(const char *media_type, const char *config_type, const cairn_buf *config,
			  json_t *layers, cairn_buf *manifest)
{
	cairn_digest config_digest;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, config->data, config->len, &config_digest);
	if (!err)
		err = cairn_digest_format(&config_digest, &text);
	if (err) {
		cairn_buf_free(&text);
		return err;
	}
	json_t *root = json_object(), *cfg = json_object();
	int bad = root == NULL || cfg == NULL;
	bad |= json_object_set_new(root, "schemaVersion", json_integer(2));
	bad |= json_object_set_new(root, "mediaType", json_string(media_type));
	bad |= json_object_set_new(cfg, "mediaType", json_string(config_type));
	bad |= json_object_set_new(cfg, "size", json_integer((json_int_t)config->len));
	bad |= json_object_set_new(cfg, "digest", json_string(cairn_buf_cstr(&text)));
	bad |= json_object_set_new(root, "config", cfg);
	bad |= json_object_set(root, "layers", layers);
	cairn_buf_free(&text);
	char *dump = bad ? NULL : json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (dump == NULL)
		return oom();
	err = cairn_buf_append_str(manifest, dump);
	free(dump);
	return err;
}

int cairn_cosign_manifest_append(const void *existing, size_t existing_len, const cairn_cosign_signature *sig,
				 cairn_buf *manifest, cairn_buf *config, int *added)
{
	*added = 0;
	if (sig == NULL || sig->signature == NULL || sig->payload == NULL)
		return cairn_error_set(CAIRN_EINVAL, "signature: payload and signature are required");
	const char *media_type = CAIRN_OCI_MANIFEST, *config_type = CAIRN_OCI_CONFIG;
	json_t *root = NULL, *layers = NULL, *fresh = NULL;
	cairn_digest digest;
	cairn_buf digest_text = CAIRN_BUF_INIT;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, sig->payload, sig->payload_len, &digest);
	if (!err)
		err = cairn_digest_format(&digest, &digest_text);
	if (!err && existing != NULL)
		err = existing_layers(existing, existing_len, &layers, &media_type, &config_type, &root);
	if (err)
		goto out;
	if (layers != NULL && already_there(layers, cairn_buf_cstr(&digest_text), sig->signature))
		goto out;
	fresh = json_array();
	json_t *layer = new_layer(sig, &digest);
	if (fresh == NULL || layer == NULL || (layers && json_array_extend(fresh, layers)) ||
	    json_array_append_new(fresh, layer)) {
		err = oom();
		goto out;
	}
	err = write_config(fresh, config);
	if (!err)
		err = write_manifest(media_type, config_type, config, fresh, manifest);
	if (!err)
		*added = 1;
out:
	json_decref(fresh);
	json_decref(root);
	cairn_buf_free(&digest_text);
	return err;
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
	cairn_buf tag = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT;
	cairn_digest digest;
	int err = cairn_cosign_signature_tag(image, &tag);
	if (!err)
		err = cairn_registry_get_manifest(reg, repository, cairn_buf_cstr(&tag), body, &media_type, &digest);
	if (err == CAIRN_ENOENT) {
		cairn_error_clear();
		cairn_buf_clear(body);
		err = 0;
	}
	cairn_buf_free(&tag);
	cairn_buf_free(&media_type);
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
		/* blobs first: a registry refuses a manifest whose blobs it does not have */
		err = cairn_registry_push_blob(reg, ref->repository, payload.data, payload.len, 0);
		if (!err)
			err = cairn_registry_push_blob(reg, ref->repository, config.data, config.len, 0);
		if (!err)
			err = cairn_cosign_signature_tag(image, &tag);
		cairn_digest pushed;
		const char *media_type = strstr(cairn_buf_cstr(&manifest), CAIRN_DOCKER_MANIFEST) ? CAIRN_DOCKER_MANIFEST
												   : CAIRN_OCI_MANIFEST;
		if (!err)
			err = cairn_registry_push_manifest(reg, ref->repository, cairn_buf_cstr(&tag), media_type,
							   manifest.data, manifest.len, &pushed);
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
