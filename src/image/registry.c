/* The OCI distribution API client: creating a client, reading manifests and blobs (each checked
 * against its digest), listing tags and finding referrers. Pushing is in registry_push.c, the HTTP
 * machinery in registry_http.c, authentication in registry_auth.c. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/ref.h"
#include "registry_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_RETRIES_DEFAULT 4
#define MAX_RETRIES_LIMIT 10
#define TAG_PAGES_MAX 1000
#define TAG_LIST_MAX ((size_t)16 * 1024 * 1024)
#define OCI_INDEX "application/vnd.oci.image.index.v1+json"

const char cairn_registry_manifest_accept[] = "application/vnd.oci.image.manifest.v1+json, "
					      "application/vnd.oci.image.index.v1+json, "
					      "application/vnd.docker.distribution.manifest.v2+json, "
					      "application/vnd.docker.distribution.manifest.list.v2+json";

/* ---- The client ---------------------------------------------------------------------------------- */

static int copy_insecure(cairn_registry *reg, const char *const *hosts)
{
	size_t count = 0;
	while (hosts != NULL && hosts[count] != NULL)
		count++;
	if (count > REGISTRY_MAX_INSECURE)
		return cairn_error_set(CAIRN_ETOOBIG, "more than %d insecure registries", REGISTRY_MAX_INSECURE);
	reg->insecure = calloc(count + 1, sizeof *reg->insecure);
	if (reg->insecure == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++)
		if ((reg->insecure[i] = strdup(hosts[i])) == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

/* An insecure entry names "host:port" or just "host". */
static bool named_insecure(const cairn_registry *reg)
{
	if (registry_host_is_insecure(reg, reg->registry) || registry_host_is_insecure(reg, reg->host))
		return true;
	char bare[300];
	size_t len = strlen(reg->host);
	const char *colon = strrchr(reg->host, ':');
	if (colon != NULL && strchr(colon, ']') == NULL && len < sizeof bare) {
		memcpy(bare, reg->host, (size_t)(colon - reg->host));
		bare[colon - reg->host] = '\0';
		return registry_host_is_insecure(reg, bare);
	}
	return false;
}

static int client_init(cairn_registry *reg, const char *registry, const cairn_registry_options *opts)
{
	int err = cairn_ref_check_registry(registry);
	if (err)
		return cairn_error_prefix(err, "registry client");
	bool hub = strcmp(registry, "docker.io") == 0 || strcasecmp(registry, "index.docker.io") == 0;
	reg->registry = strdup(hub ? "docker.io" : registry);
	reg->host = strdup(hub ? "registry-1.docker.io" : registry);
	if (reg->registry == NULL || reg->host == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if ((err = copy_insecure(reg, opts != NULL ? opts->insecure_hosts : NULL)) != 0)
		return err;
	cairn_buf base = CAIRN_BUF_INIT;
	if ((err = cairn_buf_printf(&base, "https://%s", reg->host)) != 0)
		return err;
	reg->base_url = (char *)cairn_buf_detach(&base, NULL);
	reg->may_downgrade = cairn_ref_registry_is_loopback(reg->host) || named_insecure(reg);
	if (opts != NULL && opts->ca_file != NULL && (reg->ca_file = strdup(opts->ca_file)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	reg->progress = opts != NULL && opts->progress;
	reg->max_retries = opts != NULL && opts->max_retries > 0 ? opts->max_retries : MAX_RETRIES_DEFAULT;
	if (reg->max_retries > MAX_RETRIES_LIMIT)
		reg->max_retries = MAX_RETRIES_LIMIT;
	reg->retry_base_ms = REGISTRY_RETRY_BASE_MS;
	reg->curl = curl_easy_init();
	if (reg->curl == NULL)
		return cairn_error_set(CAIRN_EINTERNAL, "cannot start libcurl");
	return registry_credentials_resolve(reg, opts);
}

int cairn_registry_new(cairn_registry **out, const char *registry, const cairn_registry_options *opts)
{
	*out = NULL;
	cairn_registry *reg = calloc(1, sizeof *reg);
	if (reg == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = client_init(reg, registry, opts);
	if (err) {
		cairn_registry_free(reg);
		return err;
	}
	*out = reg;
	return 0;
}

void cairn_registry_free(cairn_registry *reg)
{
	if (reg == NULL)
		return;
	if (reg->curl != NULL)
		curl_easy_cleanup(reg->curl);
	for (size_t i = 0; i < REGISTRY_TOKEN_CACHE; i++) {
		free(reg->tokens[i].scope);
		registry_free_secret(reg->tokens[i].token);
	}
	for (char **h = reg->insecure; h != NULL && *h != NULL; h++)
		free(*h);
	free(reg->insecure);
	registry_free_secret(reg->username);
	registry_free_secret(reg->password);
	free(reg->ca_file);
	free(reg->base_url);
	free(reg->host);
	free(reg->registry);
	free(reg);
}

/* ---- Shared helpers ------------------------------------------------------------------------------ */

int registry_api_url(const cairn_registry *reg, cairn_buf *out, const char *repository, const char *kind,
		     const char *reference)
{
	int err = cairn_buf_printf(out, "%s/v2/%s/%s", reg->base_url, repository, kind);
	if (!err && reference != NULL)
		err = cairn_buf_printf(out, "/%s", reference);
	return err;
}

int registry_scope(cairn_buf *out, const char *repository, int push)
{
	return cairn_buf_printf(out, "repository:%s:%s", repository, push ? "pull,push" : "pull");
}

int registry_check_target(const char *repository, const char *reference, cairn_digest *digest, int *is_digest)
{
	int err = cairn_ref_check_repository(repository);
	if (err)
		return err;
	*is_digest = strchr(reference, ':') != NULL;
	if (*is_digest)
		return cairn_digest_parse(reference, strlen(reference), digest);
	return cairn_ref_check_tag(reference);
}

/* Content-Type without parameters ("application/json; charset=utf-8" -> "application/json"). */
static int media_type_of(const char *content_type, cairn_buf *out)
{
	if (content_type == NULL)
		return 0;
	size_t len = strcspn(content_type, "; \t");
	return cairn_buf_append(out, content_type, len);
}

/* ---- Manifests ----------------------------------------------------------------------------------- */

/* Checks body against the digest asked for (when it was one) and against Docker-Content-Digest. */
static int verify_manifest(cairn_registry *reg, const char *repository, const char *reference, const cairn_buf *body,
			   const cairn_digest *wanted, int is_digest, const char *reported, cairn_digest *out)
{
	cairn_digest computed, claimed;
	enum cairn_digest_alg alg = is_digest ? wanted->alg : CAIRN_DIGEST_SHA256;
	int err = cairn_digest_compute(alg, body->data != NULL ? body->data : (const uint8_t *)"", body->len, &computed);
	if (err)
		return err;
	if (is_digest && cairn_digest_equal(&computed, wanted) != 0)
		return cairn_error_set(CAIRN_EVERIFY,
				       "manifest %s from %s/%s: its content does not match the digest asked for",
				       reference, reg->registry, repository);
	if (reported != NULL) {
		if (cairn_digest_parse(reported, strlen(reported), &claimed) != 0)
			return cairn_error_set(CAIRN_EVERIFY, "manifest %s from %s/%s: invalid Docker-Content-Digest \"%.100s\"",
					       reference, reg->registry, repository, reported);
		cairn_digest recomputed;
		err = cairn_digest_compute(claimed.alg, body->data != NULL ? body->data : (const uint8_t *)"", body->len,
					   &recomputed);
		if (err)
			return err;
		if (cairn_digest_equal(&recomputed, &claimed) != 0)
			return cairn_error_set(CAIRN_EVERIFY,
					       "manifest %s from %s/%s: its content does not match the Docker-Content-Digest %s",
					       reference, reg->registry, repository, reported);
	}
	*out = computed;
	return 0;
}

int cairn_registry_get_manifest(cairn_registry *reg, const char *repository, const char *reference,
				cairn_buf *body, cairn_buf *media_type, cairn_digest *digest)
{
	cairn_digest wanted, verified;
	int is_digest;
	int err = registry_check_target(repository, reference, &wanted, &is_digest);
	if (err)
		return err;
	cairn_buf url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT, got = CAIRN_BUF_INIT;
	struct registry_request req = {0};
	err = registry_api_url(reg, &url, repository, "manifests", reference);
	if (!err)
		err = registry_scope(&scope, repository, 0);
	req.method = "GET";
	req.url = cairn_buf_cstr(&url);
	req.scope = cairn_buf_cstr(&scope);
	req.accept = cairn_registry_manifest_accept;
	req.body_out = &got;
	req.max_body = CAIRN_REGISTRY_MAX_MANIFEST;
	req.retry_on_server_error = 1;
	if (!err)
		err = registry_perform(reg, &req);
	if (err == CAIRN_ETOOBIG)
		err = cairn_error_prefix(err, "manifest %s in %s/%s", reference, reg->registry, repository);
	char what[200];
	snprintf(what, sizeof what, "manifest %s", reference);
	if (!err && req.status != 200)
		err = registry_status_error(reg, &req, repository, what);
	if (!err)
		err = verify_manifest(reg, repository, reference, &got, &wanted, is_digest, req.headers.docker_digest,
				      &verified);
	if (!err && body != NULL)
		err = cairn_buf_append(body, got.data != NULL ? got.data : (const uint8_t *)"", got.len);
	if (!err && media_type != NULL)
		err = media_type_of(req.headers.content_type, media_type);
	if (!err && digest != NULL)
		*digest = verified;
	registry_request_free(&req);
	cairn_buf_free(&got);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	return err;
}

int cairn_registry_head_manifest(cairn_registry *reg, const char *repository, const char *reference, int *exists,
				 cairn_digest *digest)
{
	cairn_digest wanted;
	int is_digest;
	*exists = 0;
	int err = registry_check_target(repository, reference, &wanted, &is_digest);
	if (err)
		return err;
	cairn_buf url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT;
	struct registry_request req = {0};
	err = registry_api_url(reg, &url, repository, "manifests", reference);
	if (!err)
		err = registry_scope(&scope, repository, 0);
	req.method = "HEAD";
	req.url = cairn_buf_cstr(&url);
	req.scope = cairn_buf_cstr(&scope);
	req.accept = cairn_registry_manifest_accept;
	req.retry_on_server_error = 1;
	if (!err)
		err = registry_perform(reg, &req);
	char what[200];
	snprintf(what, sizeof what, "manifest %s", reference);
	bool need_get = false;
	if (!err && req.status == 200) {
		*exists = 1;
		const char *reported = req.headers.docker_digest;
		if (is_digest) {
			if (digest != NULL)
				*digest = wanted;
		} else if (reported != NULL && digest != NULL) {
			if (cairn_digest_parse(reported, strlen(reported), digest) != 0)
				err = cairn_error_prefix(CAIRN_EVERIFY, "manifest %s in %s/%s", reference, reg->registry, repository);
		} else {
			need_get = digest != NULL; /* no digest in the answer: read the manifest and hash it */
		}
	} else if (!err && req.status != 404) {
		err = registry_status_error(reg, &req, repository, what);
	}
	registry_request_free(&req);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	if (!err && need_get)
		err = cairn_registry_get_manifest(reg, repository, reference, NULL, NULL, digest);
	return err;
}

/* ---- Blobs --------------------------------------------------------------------------------------- */

struct blob_stream {
	cairn_digest_ctx *ctx;
	uint64_t seen;
	uint64_t limit;
	cairn_registry_sink sink;
	void *arg;
	const char *name;
};

static int blob_sink(void *arg, const void *data, size_t len)
{
	struct blob_stream *s = arg;
	s->seen += len;
	if (s->limit != 0 && s->seen > s->limit)
		return cairn_error_set(CAIRN_EVERIFY, "blob %s: larger than its expected %llu bytes", s->name,
				       (unsigned long long)s->limit);
	int err = cairn_digest_update(s->ctx, data, len);
	return err ? err : s->sink(s->arg, data, len);
}

static int blob_request(cairn_registry *reg, struct registry_request *req, const char *method, const char *repository,
			const char *digest_text, cairn_buf *url, cairn_buf *scope)
{
	int err = registry_api_url(reg, url, repository, "blobs", digest_text);
	if (!err)
		err = registry_scope(scope, repository, 0);
	req->method = method;
	req->url = cairn_buf_cstr(url);
	req->scope = cairn_buf_cstr(scope);
	req->follow_redirects = 1;
	req->retry_on_server_error = 1;
	return err;
}

int cairn_registry_get_blob(cairn_registry *reg, const char *repository, const cairn_digest *digest,
			    uint64_t expected_size, cairn_registry_sink sink, void *arg)
{
	int err = cairn_ref_check_repository(repository);
	if (err)
		return err;
	cairn_buf name = CAIRN_BUF_INIT, url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT;
	struct blob_stream stream = {NULL, 0, expected_size, sink, arg, ""};
	struct registry_request req = {0};
	err = cairn_digest_format(digest, &name);
	stream.name = cairn_buf_cstr(&name);
	if (!err)
		err = cairn_digest_ctx_new(&stream.ctx, digest->alg);
	if (!err)
		err = blob_request(reg, &req, "GET", repository, stream.name, &url, &scope);
	req.sink = blob_sink;
	req.sink_arg = &stream;
	char label[40];
	snprintf(label, sizeof label, "blob %.19s", stream.name);
	req.progress_label = label;
	if (!err)
		err = registry_perform(reg, &req);
	char what[200];
	snprintf(what, sizeof what, "blob %s", stream.name);
	if (!err && req.status != 200)
		err = registry_status_error(reg, &req, repository, what);
	cairn_digest got;
	if (!err)
		err = cairn_digest_final(stream.ctx, &got);
	if (!err && cairn_digest_equal(&got, digest) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "blob %s from %s/%s: its content does not match its digest", stream.name,
				      reg->registry, repository);
	if (!err && expected_size != 0 && stream.seen != expected_size)
		err = cairn_error_set(CAIRN_EVERIFY, "blob %s from %s/%s: %llu bytes, expected %llu", stream.name,
				      reg->registry, repository, (unsigned long long)stream.seen,
				      (unsigned long long)expected_size);
	registry_request_free(&req);
	cairn_digest_ctx_free(stream.ctx);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	cairn_buf_free(&name);
	return err;
}

int cairn_registry_blob_exists(cairn_registry *reg, const char *repository, const cairn_digest *digest, int *exists)
{
	*exists = 0;
	int err = cairn_ref_check_repository(repository);
	if (err)
		return err;
	cairn_buf name = CAIRN_BUF_INIT, url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT;
	struct registry_request req = {0};
	err = cairn_digest_format(digest, &name);
	if (!err)
		err = blob_request(reg, &req, "HEAD", repository, cairn_buf_cstr(&name), &url, &scope);
	if (!err)
		err = registry_perform(reg, &req);
	char what[200];
	snprintf(what, sizeof what, "blob %s", cairn_buf_cstr(&name));
	if (!err && req.status == 200)
		*exists = 1;
	else if (!err && req.status != 404)
		err = registry_status_error(reg, &req, repository, what);
	registry_request_free(&req);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	cairn_buf_free(&name);
	return err;
}

/* ---- Tags ---------------------------------------------------------------------------------------- */

/* The next page's URL from a Link target: a path on this registry, or an absolute URL on it. */
static int next_page_url(const cairn_registry *reg, const char *target, cairn_buf *url)
{
	size_t base_len = strlen(reg->base_url);
	cairn_buf_clear(url);
	if (target[0] == '/' && target[1] != '/')
		return cairn_buf_printf(url, "%s%s", reg->base_url, target);
	if (strncasecmp(target, reg->base_url, base_len) == 0 && target[base_len] == '/')
		return cairn_buf_append_str(url, target);
	return cairn_error_set(CAIRN_EINVAL, "registry %s: refusing a tag list page on another host: %.200s",
			       reg->registry, target);
}

static int append_tags(const cairn_registry *reg, const char *repository, const cairn_buf *page, cairn_buf *out)
{
	json_t *root;
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 16};
	int err = cairn_json_parse(&root, page->data != NULL ? (const char *)page->data : "", page->len, &limits,
				   "tag list");
	if (err)
		return cairn_error_prefix(err, "%s/%s", reg->registry, repository);
	json_t *tags = json_object_get(root, "tags");
	if (!json_is_array(tags) && !json_is_null(tags) && tags != NULL)
		err = cairn_error_set(CAIRN_EINVAL, "%s/%s: tag list: \"tags\" is not an array", reg->registry, repository);
	size_t i;
	json_t *tag;
	json_array_foreach (tags, i, tag) {
		if (err)
			break;
		const char *text = json_string_value(tag);
		if (text == NULL || cairn_ref_check_tag(text) != 0)
			err = cairn_error_set(CAIRN_EINVAL, "%s/%s: tag list holds an invalid tag", reg->registry, repository);
		else if (out->len + strlen(text) + 1 > TAG_LIST_MAX)
			err = cairn_error_set(CAIRN_ETOOBIG, "%s/%s: tag list larger than %zu bytes", reg->registry,
					      repository, TAG_LIST_MAX);
		else
			err = cairn_buf_printf(out, "%s\n", text);
	}
	json_decref(root);
	return err;
}

int cairn_registry_list_tags(cairn_registry *reg, const char *repository, cairn_buf *out)
{
	int err = cairn_ref_check_repository(repository);
	if (err)
		return err;
	cairn_buf url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT, page = CAIRN_BUF_INIT;
	err = registry_api_url(reg, &url, repository, "tags", "list");
	if (!err)
		err = registry_scope(&scope, repository, 0);
	for (int pages = 0; !err; pages++) {
		if (pages >= TAG_PAGES_MAX) {
			err = cairn_error_set(CAIRN_ETOOBIG, "%s/%s: more than %d pages of tags", reg->registry, repository,
					      TAG_PAGES_MAX);
			break;
		}
		struct registry_request req = {0};
		req.method = "GET";
		req.url = cairn_buf_cstr(&url);
		req.scope = cairn_buf_cstr(&scope);
		req.body_out = &page;
		req.max_body = CAIRN_REGISTRY_MAX_MANIFEST;
		req.retry_on_server_error = 1;
		err = registry_perform(reg, &req);
		if (!err && req.status != 200)
			err = registry_status_error(reg, &req, repository, "tag list");
		if (!err)
			err = append_tags(reg, repository, &page, out);
		char *next = NULL;
		if (!err && req.headers.link != NULL)
			err = registry_link_next(req.headers.link, &next);
		registry_request_free(&req);
		if (!err && next == NULL)
			break;
		if (!err)
			err = next_page_url(reg, next, &url);
		free(next);
	}
	cairn_buf_free(&page);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	return err;
}

/* ---- Referrers ----------------------------------------------------------------------------------- */

/* Writes {"schemaVersion":2,"mediaType":<index>,"manifests":[...]} keeping the descriptors of
 * `source` whose artifactType is artifact_type (all when NULL). */
static int write_index(const json_t *source, const char *artifact_type, cairn_buf *out, const char *what)
{
	json_t *manifests = source != NULL ? json_object_get(source, "manifests") : NULL;
	if (source != NULL && !json_is_array(manifests) && !json_is_null(manifests) && manifests != NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: \"manifests\" is not an array", what);
	json_t *index = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", OCI_INDEX, "manifests");
	if (index == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	json_t *kept = json_object_get(index, "manifests");
	size_t i;
	json_t *descriptor;
	int err = 0;
	json_array_foreach (manifests, i, descriptor) {
		if (!json_is_object(descriptor)) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: descriptor %zu is not an object", what, i);
			break;
		}
		const char *type = json_string_value(json_object_get(descriptor, "artifactType"));
		if (artifact_type != NULL && (type == NULL || strcmp(type, artifact_type) != 0))
			continue;
		if (json_array_append(kept, descriptor) != 0) {
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
	}
	if (!err)
		err = cairn_json_dump(index, JSON_COMPACT, out);
	json_decref(index);
	return err;
}

static int parse_index(const cairn_buf *body, const char *what, json_t **out)
{
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 64};
	int err = cairn_json_parse(out, body->data != NULL ? (const char *)body->data : "", body->len, &limits, what);
	if (!err && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		err = cairn_error_set(CAIRN_EINVAL, "%s: not a JSON object", what);
	}
	return err;
}

/* GET /v2/<repo>/referrers/<digest>: status 200 with the body, or 404 when there is no API. */
static int referrers_api(cairn_registry *reg, const char *repository, const char *subject, const char *artifact_type,
			 cairn_buf *body, long *status)
{
	cairn_buf url = CAIRN_BUF_INIT, scope = CAIRN_BUF_INIT;
	struct registry_request req = {0};
	int err = registry_api_url(reg, &url, repository, "referrers", subject);
	if (!err && artifact_type != NULL) {
		err = cairn_buf_append_str(&url, "?artifactType=");
		if (!err)
			err = registry_url_escape(&url, artifact_type);
	}
	if (!err)
		err = registry_scope(&scope, repository, 0);
	req.method = "GET";
	req.url = cairn_buf_cstr(&url);
	req.scope = cairn_buf_cstr(&scope);
	req.accept = OCI_INDEX;
	req.body_out = body;
	req.max_body = CAIRN_REGISTRY_MAX_MANIFEST;
	req.retry_on_server_error = 1;
	if (!err)
		err = registry_perform(reg, &req);
	char what[200];
	snprintf(what, sizeof what, "referrers of %s", subject);
	*status = req.status;
	if (!err && req.status != 200 && req.status != 404)
		err = registry_status_error(reg, &req, repository, what);
	registry_request_free(&req);
	cairn_buf_free(&scope);
	cairn_buf_free(&url);
	return err;
}

int cairn_registry_referrers(cairn_registry *reg, const char *repository, const cairn_digest *subject,
			     const char *artifact_type, cairn_buf *index_json, int *from_api)
{
	*from_api = 0;
	int err = cairn_ref_check_repository(repository);
	if (err)
		return err;
	cairn_buf subject_text = CAIRN_BUF_INIT, body = CAIRN_BUF_INIT, tag = CAIRN_BUF_INIT;
	json_t *index = NULL;
	long status = 0;
	err = cairn_digest_format(subject, &subject_text);
	if (!err)
		err = referrers_api(reg, repository, cairn_buf_cstr(&subject_text), artifact_type, &body, &status);
	if (!err && status == 200) {
		*from_api = 1;
		err = parse_index(&body, "referrers answer", &index);
	} else if (!err) {
		/* No referrers API: the tag schema, "<alg>-<hex>", names an index of the referrers. */
		cairn_buf_clear(&body);
		err = cairn_buf_printf(&tag, "%s-", cairn_digest_alg_name(subject->alg));
		if (!err)
			err = cairn_digest_hex(subject, &tag);
		if (!err)
			err = cairn_registry_get_manifest(reg, repository, cairn_buf_cstr(&tag), &body, NULL, NULL);
		if (err == CAIRN_ENOENT) {
			cairn_error_clear();
			err = 0; /* no referrers at all: an empty index */
		}
		else if (!err)
			err = parse_index(&body, "referrers tag index", &index);
	}
	if (!err)
		err = write_index(index, artifact_type, index_json, "referrers index"); /* even if the registry filtered */
	json_decref(index);
	cairn_buf_free(&tag);
	cairn_buf_free(&body);
	cairn_buf_free(&subject_text);
	return err;
}
