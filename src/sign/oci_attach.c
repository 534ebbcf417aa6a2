/* oci_attach.c - the sha256-<hex>.<suffix> manifests cosign attaches signatures and attestations
 * with: reading, appending a layer, pushing, and fetching the attached blobs within limits. */
#include "oci_attach.h"

#include "cairn/cosign.h"
#include "cairn/error.h"
#include "cairn/json.h"

#include <stdlib.h>
#include <string.h>

static int oom(void)
{
	return cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

int oci_attach_tag(const cairn_digest *image, const char *suffix, cairn_buf *out)
{
	cairn_buf hex = CAIRN_BUF_INIT;
	int err = cairn_digest_hex(image, &hex);
	if (!err)
		err = cairn_buf_printf(out, "%s-%s%s", cairn_digest_alg_name(image->alg), cairn_buf_cstr(&hex), suffix);
	cairn_buf_free(&hex);
	return err;
}

int oci_attach_get_optional(cairn_registry *reg, const char *repository, const char *tag, cairn_buf *body)
{
	cairn_buf media_type = CAIRN_BUF_INIT;
	cairn_digest digest;
	int err = cairn_registry_get_manifest(reg, repository, tag, body, &media_type, &digest);
	if (err == CAIRN_ENOENT) {
		cairn_error_clear();
		cairn_buf_clear(body);
		err = 0;
	}
	cairn_buf_free(&media_type);
	return err;
}

/* ---- appending ---- */

/* Reads the layers of the current manifest, checked; the media types keep its own spellings. */
static int read_existing(const struct oci_attach_kind *kind, const void *data, size_t len, json_t **root,
			 json_t **layers, const char **media_type, const char **config_type)
{
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	int err = cairn_json_parse(root, data, len, &limits, kind->what);
	if (err)
		return err;
	json_t *mt = json_object_get(*root, "mediaType");
	json_t *config = json_object_get(*root, "config");
	*layers = json_object_get(*root, "layers");
	if (mt != NULL && (!json_is_string(mt) || (strcmp(json_string_value(mt), CAIRN_OCI_MANIFEST) != 0 &&
						    strcmp(json_string_value(mt), CAIRN_DOCKER_MANIFEST) != 0)))
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: media type is not an image manifest", kind->what);
	if (!json_is_array(*layers) || !json_is_object(config))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"layers\" or \"config\" is missing", kind->what);
	if (json_array_size(*layers) >= kind->max_layers)
		return cairn_error_set(CAIRN_ETOOBIG, "%s already holds %zu %s (limit %zu)", kind->what,
				       json_array_size(*layers), kind->items, kind->max_layers);
	if (mt != NULL)
		*media_type = json_string_value(mt);
	json_t *ct = json_object_get(config, "mediaType");
	if (json_is_string(ct))
		*config_type = json_string_value(ct);
	size_t i;
	json_t *layer;
	json_array_foreach(*layers, i, layer) {
		json_t *digest = json_object_get(layer, "digest");
		cairn_digest d;
		if (!json_is_object(layer) || !json_is_string(digest) ||
		    cairn_digest_parse(json_string_value(digest), json_string_length(digest), &d) != 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: layer %zu has no valid digest", kind->what, i + 1);
	}
	return 0;
}

/* 1 when a layer with this digest (and, if signature is not NULL, this signature) is already there. */
static int already_there(const json_t *layers, const char *digest, const char *signature)
{
	size_t i;
	json_t *layer;
	json_array_foreach(layers, i, layer) {
		if (strcmp(json_string_value(json_object_get(layer, "digest")), digest) != 0)
			continue;
		if (signature == NULL)
			return 1;
		json_t *sig = json_object_get(json_object_get(layer, "annotations"), CAIRN_COSIGN_ANNOTATION_SIGNATURE);
		if (json_is_string(sig) && strcmp(json_string_value(sig), signature) == 0)
			return 1;
	}
	return 0;
}

/* go-containerregistry's image config for these layers: empty platform, zero times, one empty
 * history entry and one diff_id (the uncompressed layer is the blob itself) per layer. */
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

/* The manifest, members in Go's field order: schemaVersion, mediaType, config, layers. */
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
	err = bad ? oom() : cairn_json_dump(root, JSON_COMPACT, manifest);
	json_decref(root);
	return err;
}

int oci_attach_append(const struct oci_attach_kind *kind, const void *existing, size_t existing_len, json_t *layer,
		      const char *signature, cairn_buf *manifest, cairn_buf *config, int *added)
{
	*added = 0;
	const char *media_type = CAIRN_OCI_MANIFEST, *config_type = CAIRN_OCI_CONFIG;
	json_t *root = NULL, *layers = NULL, *fresh = NULL;
	int err = 0;
	if (existing != NULL)
		err = read_existing(kind, existing, existing_len, &root, &layers, &media_type, &config_type);
	if (err)
		goto out;
	if (layers != NULL &&
	    already_there(layers, json_string_value(json_object_get(layer, "digest")), signature))
		goto out;
	fresh = json_array();
	if (fresh == NULL || (layers && json_array_extend(fresh, layers)) || json_array_append(fresh, layer)) {
		err = oom();
		goto out;
	}
	err = write_config(fresh, config);
	if (!err)
		err = write_manifest(media_type, config_type, config, fresh, manifest);
	if (!err)
		*added = 1;
out:
	json_decref(layer);
	json_decref(fresh);
	json_decref(root);
	return err;
}

int oci_attach_push(cairn_registry *reg, const char *repository, const char *tag, const void *blob, size_t blob_len,
		    const cairn_buf *config, const cairn_buf *manifest, cairn_digest *pushed)
{
	int err = cairn_registry_push_blob(reg, repository, blob, blob_len, 0);
	if (!err)
		err = cairn_registry_push_blob(reg, repository, config->data, config->len, 0);
	const char *media_type = strstr(cairn_buf_cstr(manifest), CAIRN_DOCKER_MANIFEST) ? CAIRN_DOCKER_MANIFEST
											  : CAIRN_OCI_MANIFEST;
	if (!err)
		err = cairn_registry_push_manifest(reg, repository, tag, media_type, manifest->data, manifest->len, pushed);
	return err;
}

/* ---- reading for verification ---- */

int oci_attach_get_layers(cairn_registry *reg, const char *repository, const char *tag,
			  const struct oci_attach_kind *kind, json_t **root, json_t **layers)
{
	*root = NULL;
	*layers = NULL;
	cairn_buf body = CAIRN_BUF_INIT;
	int err = oci_attach_get_optional(reg, repository, tag, &body);
	if (err || body.len == 0)
		goto out;
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	json_t *found = NULL;
	if (cairn_json_parse(root, body.data, body.len, &limits, kind->what) != 0 ||
	    !json_is_array(found = json_object_get(*root, "layers"))) {
		if (*root != NULL)
			cairn_error_set(CAIRN_EVERIFY, "the %s has no layers array", kind->what);
		err = OCI_ATTACH_UNUSABLE;
	} else if (json_array_size(found) > kind->max_layers) {
		cairn_error_set(CAIRN_ETOOBIG, "the %s has %zu layers (limit %zu)", kind->what, json_array_size(found),
				kind->max_layers);
		err = OCI_ATTACH_UNUSABLE;
	} else {
		*layers = found;
	}
out:
	cairn_buf_free(&body);
	return err;
}

struct collect {
	cairn_buf data;
	size_t limit;
};

static int collect_sink(void *arg, const void *data, size_t len)
{
	struct collect *c = arg;
	if (c->data.len + len > c->limit)
		return cairn_error_set(CAIRN_ETOOBIG, "blob over the %zu-byte limit", c->limit);
	return cairn_buf_append(&c->data, data, len);
}

int oci_attach_fetch_blob(cairn_registry *reg, const char *repository, const json_t *layer, size_t limit,
			  cairn_buf *out)
{
	json_t *digest = json_object_get(layer, "digest"), *size = json_object_get(layer, "size");
	cairn_digest d;
	if (!json_is_string(digest) || cairn_digest_parse(json_string_value(digest), json_string_length(digest), &d))
		return cairn_error_set(CAIRN_EVERIFY, "the layer has no valid digest");
	if (!json_is_integer(size) || json_integer_value(size) < 0 || (uint64_t)json_integer_value(size) > limit)
		return cairn_error_set(CAIRN_EVERIFY, "the layer's size is missing or over %zu bytes", limit);
	struct collect c = {CAIRN_BUF_INIT, limit};
	int err = cairn_registry_get_blob(reg, repository, &d, (uint64_t)json_integer_value(size), collect_sink, &c);
	if (!err && c.data.len != (size_t)json_integer_value(size))
		err = cairn_error_set(CAIRN_EVERIFY, "the layer blob's size differs from its descriptor");
	if (err)
		cairn_buf_free(&c.data);
	else
		*out = c.data;
	return err;
}

int oci_attach_referrer_blob(cairn_registry *reg, const char *repository, const char *digest, size_t limit,
			     int missing_unusable, cairn_buf *blob)
{
	cairn_buf body = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT;
	cairn_digest got;
	json_t *root = NULL, *layers = NULL;
	int err = cairn_registry_get_manifest(reg, repository, digest, &body, &media_type, &got);
	if (missing_unusable && (err == CAIRN_ENOENT || err == CAIRN_EVERIFY))
		err = OCI_ATTACH_UNUSABLE;
	if (err)
		goto out;
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	if (cairn_json_parse(&root, body.data, body.len, &limits, "bundle referrer manifest") != 0 ||
	    !json_is_array(layers = json_object_get(root, "layers")) || json_array_size(layers) != 1) {
		if (root != NULL)
			cairn_error_set(CAIRN_EVERIFY, "the referrer manifest does not hold exactly one bundle layer");
		err = OCI_ATTACH_UNUSABLE;
		goto out;
	}
	err = oci_attach_fetch_blob(reg, repository, json_array_get(layers, 0), limit, blob);
	if (err == CAIRN_EVERIFY || err == CAIRN_ETOOBIG)
		err = OCI_ATTACH_UNUSABLE;
out:
	json_decref(root);
	cairn_buf_free(&body);
	cairn_buf_free(&media_type);
	return err;
}

int oci_attach_reason(cairn_buf *reasons, const char *where)
{
	int code = cairn_error_code();
	if (code != CAIRN_EVERIFY && code != CAIRN_ETOOBIG && code != CAIRN_EINVAL && code != CAIRN_EUNSUPPORTED &&
	    code != 0)
		return code;
	return cairn_buf_printf(reasons, "\n  %s: %s", where, cairn_error_message());
}

char *oci_attach_dup_text(const void *data, size_t len)
{
	char *s = malloc(len + 1);
	if (s != NULL) {
		memcpy(s, data, len);
		s[len] = '\0';
	}
	return s;
}
