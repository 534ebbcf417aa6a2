/* Pushing to a registry: blobs (monolithic, or chunked with PATCH) and manifests.
 *
 * A blob upload is POST /v2/<repo>/blobs/uploads/ (202 with a Location), then either one
 * PUT <location>?digest=<d> with the whole blob, or PATCHes of Content-Range "<first>-<last>" (each
 * answered 202 with the next Location) closed by an empty PUT ?digest=. Every Location must stay on
 * the registry we talk to: the client's credentials go with it. PATCH is never repeated after a
 * failure, as the registry may have kept part of it. */
#include "cairn/error.h"
#include "registry_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_CHUNK ((size_t)8 * 1024 * 1024)
#define MIN_CHUNK ((size_t)1024)
#define MEDIA_TYPE_MAX 255

/* The absolute URL of an upload Location: a path on this registry or a URL on it. */
static int upload_url(const cairn_registry *reg, const char *location, cairn_buf *url)
{
	size_t base_len = strlen(reg->base_url);
	cairn_buf_clear(url);
	if (location == NULL)
		return cairn_error_set(CAIRN_EIO, "registry %s: upload answer without a Location", reg->registry);
	for (const char *p = location; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return cairn_error_set(CAIRN_EIO, "registry %s: invalid upload Location", reg->registry);
	if (location[0] == '/' && location[1] != '/')
		return cairn_buf_printf(url, "%s%s", reg->base_url, location);
	if (strncasecmp(location, reg->base_url, base_len) == 0 && location[base_len] == '/')
		return cairn_buf_append_str(url, location);
	return cairn_error_set(CAIRN_EIO, "registry %s: refusing an upload Location on another host: %.200s",
			       reg->registry, location);
}

struct upload {
	cairn_registry *reg;
	const char *repository;
	const char *scope;
	const char *digest; /* "sha256:..." */
	cairn_buf url;      /* where the next request of the upload goes */
};

/* One request of an upload; *status receives the answer and url the next Location when given. */
static int upload_step(struct upload *up, const char *method, const void *data, size_t len, const char *range,
		       long expected)
{
	struct registry_request req = {0};
	req.method = method;
	req.url = cairn_buf_cstr(&up->url);
	req.scope = up->scope;
	req.body = data;
	req.body_len = len;
	req.content_type = strcmp(method, "POST") == 0 ? NULL : "application/octet-stream";
	req.content_range = range;
	req.retry_on_server_error = strcmp(method, "PATCH") != 0;
	req.progress_label = len > 0 ? "upload" : NULL;
	int err = registry_perform(up->reg, &req);
	char what[200];
	snprintf(what, sizeof what, "upload of blob %s", up->digest);
	if (!err && req.status != expected)
		err = registry_status_error(up->reg, &req, up->repository, what);
	if (!err && strcmp(method, "PUT") == 0 && req.headers.docker_digest != NULL &&
	    strcmp(req.headers.docker_digest, up->digest) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "registry %s stored blob %s under digest %.100s", up->reg->registry,
				      up->digest, req.headers.docker_digest);
	if (!err && strcmp(method, "PUT") != 0)
		err = upload_url(up->reg, req.headers.location, &up->url);
	registry_request_free(&req);
	return err;
}

/* Adds ?digest=<d> (or &digest=) to the upload URL. */
static int with_digest(struct upload *up)
{
	int err = cairn_buf_append_str(&up->url, strchr(cairn_buf_cstr(&up->url), '?') ? "&digest=" : "?digest=");
	return err ? err : registry_url_escape(&up->url, up->digest);
}

static int upload_blob(struct upload *up, const uint8_t *data, size_t len, size_t chunk)
{
	int err = registry_api_url(up->reg, &up->url, up->repository, "blobs", "uploads/");
	if (!err)
		err = upload_step(up, "POST", NULL, 0, NULL, 202);
	if (!err && len <= chunk) {
		err = with_digest(up);
		return err ? err : upload_step(up, "PUT", data, len, NULL, 201);
	}
	for (size_t offset = 0; !err && offset < len; offset += chunk) {
		size_t part = len - offset < chunk ? len - offset : chunk;
		char range[64];
		snprintf(range, sizeof range, "%zu-%zu", offset, offset + part - 1);
		err = upload_step(up, "PATCH", data + offset, part, range, 202);
	}
	if (!err)
		err = with_digest(up);
	return err ? err : upload_step(up, "PUT", NULL, 0, NULL, 201);
}

int cairn_registry_push_blob(cairn_registry *reg, const char *repository, const void *data, size_t len,
			     size_t chunk_size)
{
	cairn_digest digest;
	int exists = 0;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, data != NULL ? data : "", len, &digest);
	if (!err)
		err = cairn_registry_blob_exists(reg, repository, &digest, &exists);
	if (err || exists)
		return err;
	cairn_buf digest_text = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT;
	struct upload up = {reg, repository, NULL, NULL, CAIRN_BUF_INIT};
	err = cairn_digest_format(&digest, &digest_text);
	if (!err)
		err = registry_scope(&scope, repository, 1);
	up.scope = cairn_buf_cstr(&scope);
	up.digest = cairn_buf_cstr(&digest_text);
	size_t chunk = chunk_size == 0 ? DEFAULT_CHUNK : chunk_size < MIN_CHUNK ? MIN_CHUNK : chunk_size;
	if (!err)
		err = upload_blob(&up, data, len, chunk);
	cairn_buf_free(&up.url);
	cairn_buf_free(&scope);
	cairn_buf_free(&digest_text);
	return err;
}

static bool is_media_type(const char *text)
{
	size_t len = strlen(text), slashes = 0;
	if (len == 0 || len > MEDIA_TYPE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		slashes += c == '/';
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("/.+-_", c)))
			return false;
	}
	return slashes == 1;
}

int cairn_registry_push_manifest(cairn_registry *reg, const char *repository, const char *reference,
				 const char *media_type, const void *body, size_t len, cairn_digest *digest)
{
	cairn_digest wanted, computed;
	int is_digest;
	int err = registry_check_target(repository, reference, &wanted, &is_digest);
	if (err)
		return err;
	if (!is_media_type(media_type))
		return cairn_error_set(CAIRN_EINVAL, "manifest media type \"%.100s\" is not a type/subtype", media_type);
	if (len > CAIRN_REGISTRY_MAX_MANIFEST)
		return cairn_error_set(CAIRN_ETOOBIG, "manifest of %zu bytes is over the %zu-byte limit", len,
				       CAIRN_REGISTRY_MAX_MANIFEST);
	err = cairn_digest_compute(is_digest ? wanted.alg : CAIRN_DIGEST_SHA256, body != NULL ? body : "", len, &computed);
	if (err)
		return err;
	if (is_digest && cairn_digest_equal(&computed, &wanted) != 0)
		return cairn_error_set(CAIRN_EINVAL, "manifest pushed as %s does not have that digest", reference);
	cairn_buf url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT, digest_text = CAIRN_BUF_INIT;
	struct registry_request req = {0};
	err = registry_api_url(reg, &url, repository, "manifests", reference);
	if (!err)
		err = registry_scope(&scope, repository, 1);
	if (!err)
		err = cairn_digest_format(&computed, &digest_text);
	req.method = "PUT";
	req.url = cairn_buf_cstr(&url);
	req.scope = cairn_buf_cstr(&scope);
	req.content_type = media_type;
	req.body = body;
	req.body_len = len;
	req.retry_on_server_error = 1;
	if (!err)
		err = registry_perform(reg, &req);
	char what[200];
	snprintf(what, sizeof what, "manifest %s", reference);
	if (!err && (req.status < 200 || req.status > 299))
		err = registry_status_error(reg, &req, repository, what);
	if (!err && req.headers.docker_digest != NULL && strcmp(req.headers.docker_digest, cairn_buf_cstr(&digest_text)) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "registry %s stored manifest %s under digest %.100s, not %s",
				      reg->registry, reference, req.headers.docker_digest, cairn_buf_cstr(&digest_text));
	if (!err && digest != NULL)
		*digest = computed;
	registry_request_free(&req);
	cairn_buf_free(&digest_text);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	return err;
}
