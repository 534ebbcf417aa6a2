/* The log server's request handlers: the Rekor v1 API and the C2SP tlog-tiles read API over a
 * cairn_log. Each handler turns one request into one response; nothing here touches a socket.
 *
 * Entries are served with a freshly signed entry timestamp and an inclusion proof against the latest
 * checkpoint, so a client always gets a proof it can check against the newest signed tree head. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/logserver.h"
#include "cairn/rekor.h"
#include "server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_TYPE "application/json"
#define MAX_INDEX ((uint64_t)INT64_MAX) /* numbers must fit JSON integers as clients read them */
#define CACHE_FULL_TILE "public, max-age=31536000, immutable"
#define CACHE_PARTIAL_TILE "public, max-age=10"

/* ---- context ---- */

int logserver_ctx_init(struct logserver_ctx *ctx, cairn_log *log, const cairn_key *key, size_t body_max)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->log = log;
	ctx->key = key;
	ctx->body_max = body_max != 0 ? body_max : CAIRN_REKOR_MAX_PROPOSED;
	int err = cairn_rekor_log_id(key, ctx->log_id_hex);
	if (!err)
		err = cairn_key_save_public(key, &ctx->public_pem);
	if (err) {
		cairn_buf_free(&ctx->public_pem);
		return err;
	}
	/* Rekor's tree IDs are decimal int64s; ours is the log ID's first 63 bits, stable for the key. */
	uint64_t id = 0;
	for (int i = 0; i < 16; i++) {
		char c = ctx->log_id_hex[i];
		id = id << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	snprintf(ctx->tree_id, sizeof ctx->tree_id, "%llu", (unsigned long long)(id >> 1));
	return 0;
}

void logserver_ctx_free(struct logserver_ctx *ctx)
{
	cairn_buf_free(&ctx->public_pem);
	memset(ctx, 0, sizeof *ctx);
}

/* ---- responses ---- */

void logserver_response_free(struct logserver_response *resp)
{
	cairn_buf_free(&resp->body);
	memset(resp, 0, sizeof *resp);
}

void logserver_error(struct logserver_response *resp, unsigned status, const char *message)
{
	cairn_buf_clear(&resp->body);
	resp->status = status;
	resp->content_type = JSON_TYPE;
	resp->cache_control = "no-store";
	json_t *obj = json_pack("{s:i, s:s}", "code", (int)status, "message", message);
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;
	if (text == NULL || cairn_buf_append_str(&resp->body, text) != 0) {
		cairn_buf_clear(&resp->body);
		resp->status = 500;
		cairn_buf_append_str(&resp->body, "{\"code\":500,\"message\":\"out of memory\"}");
	}
	free(text);
	json_decref(obj);
}

/* The error on this thread as a response; internal failures are not detailed to the client. */
static void error_from_code(struct logserver_response *resp, int code)
{
	unsigned status = logserver_status_for(code);
	const char *message = cairn_error_message();
	if (status == 500)
		message = "internal error in the log server";
	else if (message[0] == '\0')
		message = cairn_error_name(code);
	logserver_error(resp, status, message);
}

static void respond_json(struct logserver_response *resp, unsigned status, json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text == NULL) {
		logserver_error(resp, 500, "out of memory");
		return;
	}
	cairn_buf_clear(&resp->body);
	if (cairn_buf_append_str(&resp->body, text) != 0) {
		free(text);
		logserver_error(resp, 500, "out of memory");
		return;
	}
	free(text);
	resp->status = status;
	resp->content_type = JSON_TYPE;
	resp->cache_control = "no-store";
}

static void hex32(const cairn_merkle_hash *hash, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = digits[hash->bytes[i] >> 4];
		out[2 * i + 1] = digits[hash->bytes[i] & 15];
	}
	out[64] = '\0';
}

/* ---- entries ---- */

/* The LogEntry object of entry `index` (body and time already read), with a new signed entry
 * timestamp and an inclusion proof against the latest checkpoint. */
static int entry_json(const struct logserver_ctx *ctx, uint64_t index, const cairn_buf *body, int64_t time,
		      json_t **out)
{
	cairn_buf note = CAIRN_BUF_INIT, set = CAIRN_BUF_INIT;
	cairn_merkle_hash root, proof[CAIRN_MERKLE_MAX_PROOF];
	uint8_t proof_bytes[CAIRN_MERKLE_MAX_PROOF][32];
	uint64_t size = 0;
	size_t count = 0;
	int err = cairn_log_checkpoint(ctx->log, &note, &size, &root);
	if (!err && index >= size)
		err = cairn_error_set(CAIRN_EINTERNAL, "entry %llu is not yet covered by a checkpoint",
				      (unsigned long long)index);
	if (!err)
		err = cairn_log_inclusion_proof(ctx->log, index, size, proof, &count);
	if (!err)
		err = cairn_rekor_set_sign(ctx->key, body->data, body->len, time, ctx->log_id_hex, index, &set);
	if (!err) {
		for (size_t i = 0; i < count; i++)
			memcpy(proof_bytes[i], proof[i].bytes, 32);
		cairn_rekor_entry_info info = {
			.body = body->data,
			.body_len = body->len,
			.integrated_time = time,
			.log_index = index,
			.log_id_hex = ctx->log_id_hex,
			.set_b64 = cairn_buf_cstr(&set),
			.checkpoint = cairn_buf_cstr(&note),
			.tree_size = size,
			.proof = (const uint8_t(*)[32])proof_bytes,
			.proof_count = count,
			.root = root.bytes,
		};
		err = cairn_rekor_entry_json(&info, out);
	}
	cairn_buf_free(&note);
	cairn_buf_free(&set);
	return err;
}

/* Reads entry index and adds its LogEntry members to collect (an object of uuid -> entry). */
static int add_entry_at(const struct logserver_ctx *ctx, uint64_t index, json_t *collect)
{
	cairn_buf body = CAIRN_BUF_INIT;
	int64_t time = 0;
	json_t *entry = NULL;
	int err = cairn_log_entry(ctx->log, index, &body, &time);
	if (!err)
		err = entry_json(ctx, index, &body, time, &entry);
	if (!err && json_object_update(collect, entry) != 0)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	json_decref(entry);
	cairn_buf_free(&body);
	return err;
}

static int index_of_uuid(const struct logserver_ctx *ctx, const char *uuid_hex, uint64_t *index)
{
	cairn_merkle_hash leaf;
	for (size_t i = 0; i < 32; i++) {
		unsigned byte;
		if (sscanf(uuid_hex + 2 * i, "%2x", &byte) != 1)
			return cairn_error_set(CAIRN_EINVAL, "entry UUID %s: not hexadecimal", uuid_hex);
		leaf.bytes[i] = (uint8_t)byte;
	}
	int err = cairn_log_find(ctx->log, &leaf, index);
	if (err == CAIRN_ENOENT)
		return cairn_error_set(CAIRN_ENOENT, "no entry with UUID %s", uuid_hex);
	return err;
}

static void set_location(struct logserver_response *resp, const char *uuid)
{
	snprintf(resp->location, sizeof resp->location, "/api/v1/log/entries/%s", uuid);
	snprintf(resp->etag, sizeof resp->etag, "\"%s\"", uuid);
}

static void create_entry(const struct logserver_ctx *ctx, const struct logserver_request *req,
			 struct logserver_response *resp)
{
	cairn_buf canonical = CAIRN_BUF_INIT;
	char kind[32] = "", uuid[65];
	cairn_log_added added;
	int err = cairn_rekor_canonicalize(req->body, req->body_len, &canonical, kind);
	if (err) {
		/* Whatever is wrong with a proposed entry is the client's to fix: 400, never 500. */
		int status = err == CAIRN_ENOMEM || err == CAIRN_EINTERNAL || err == CAIRN_EIO ? 500 : 400;
		if (status == 500)
			error_from_code(resp, err);
		else
			logserver_error(resp, 400, cairn_error_message()[0] ? cairn_error_message() : "invalid entry");
		goto out;
	}
	err = cairn_rekor_uuid(canonical.data, canonical.len, uuid);
	if (!err)
		err = cairn_log_add(ctx->log, canonical.data, canonical.len, &added);
	if (err == CAIRN_EEXIST) {
		set_location(resp, uuid);
		logserver_error(resp, 409, "an equivalent entry already exists in the log");
		goto out;
	}
	if (err == CAIRN_EBUSY) {
		logserver_error(resp, 503, "the log is busy; try again shortly");
		resp->retry_after = 1;
		goto out;
	}
	if (!err) {
		json_t *entry = NULL;
		err = entry_json(ctx, added.index, &canonical, added.integrated_time, &entry);
		if (!err) {
			respond_json(resp, 201, entry);
			set_location(resp, uuid);
		}
		json_decref(entry);
	}
	if (err)
		error_from_code(resp, err);
out:
	cairn_buf_free(&canonical);
}

static void entry_by_index(const struct logserver_ctx *ctx, const struct logserver_request *req,
			   struct logserver_response *resp)
{
	uint64_t index;
	json_t *collect = json_object();
	int err = collect == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	if (!err)
		err = logserver_parse_u64("logIndex", req->query(req->query_arg, "logIndex"), 0, MAX_INDEX, &index);
	if (!err) {
		err = add_entry_at(ctx, index, collect);
		if (err == CAIRN_ENOENT)
			err = cairn_error_set(CAIRN_ENOENT, "no entry at log index %llu", (unsigned long long)index);
	}
	if (err)
		error_from_code(resp, err);
	else
		respond_json(resp, 200, collect);
	json_decref(collect);
}

static void entry_by_uuid(const struct logserver_ctx *ctx, const char *text, struct logserver_response *resp)
{
	char uuid[65];
	uint64_t index = 0;
	json_t *collect = json_object();
	int err = collect == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	if (!err)
		err = cairn_rekor_uuid_parse(text, uuid);
	if (!err)
		err = index_of_uuid(ctx, uuid, &index);
	if (!err)
		err = add_entry_at(ctx, index, collect);
	if (err)
		error_from_code(resp, err);
	else
		respond_json(resp, 200, collect);
	json_decref(collect);
}

/* ---- retrieve ---- */

static int retrieve_list(const json_t *query, const char *name, json_t **list)
{
	*list = json_object_get(query, name);
	if (*list == NULL)
		return 0;
	if (!json_is_array(*list))
		return cairn_error_set(CAIRN_EINVAL, "%s: must be an array", name);
	if (json_array_size(*list) > CAIRN_LOGSERVER_MAX_RETRIEVE)
		return cairn_error_set(CAIRN_EINVAL, "%s: at most %d items per request", name, CAIRN_LOGSERVER_MAX_RETRIEVE);
	return 0;
}

/* Appends to results the entry at index, unless it is not in the log. */
static int retrieve_one(const struct logserver_ctx *ctx, uint64_t index, json_t *results)
{
	json_t *collect = json_object();
	if (collect == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = add_entry_at(ctx, index, collect);
	if (err == CAIRN_ENOENT) {
		cairn_error_clear();
		json_decref(collect);
		return 0;
	}
	if (!err && json_array_append(results, collect) != 0)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	json_decref(collect);
	return err;
}

static int retrieve_uuid(const struct logserver_ctx *ctx, const char *uuid, json_t *results)
{
	uint64_t index;
	int err = index_of_uuid(ctx, uuid, &index);
	if (err == CAIRN_ENOENT) {
		cairn_error_clear();
		return 0;
	}
	return err ? err : retrieve_one(ctx, index, results);
}

static int retrieve_all(const struct logserver_ctx *ctx, const json_t *query, json_t *results)
{
	json_t *uuids, *indexes, *entries;
	int err = retrieve_list(query, "entryUUIDs", &uuids);
	if (!err)
		err = retrieve_list(query, "logIndexes", &indexes);
	if (!err)
		err = retrieve_list(query, "entries", &entries);
	if (err)
		return err;
	if (uuids == NULL && indexes == NULL && entries == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a search needs entryUUIDs, logIndexes or entries");
	for (size_t i = 0; !err && uuids != NULL && i < json_array_size(uuids); i++) {
		const char *text = json_string_value(json_array_get(uuids, i));
		char uuid[65];
		err = text == NULL ? cairn_error_set(CAIRN_EINVAL, "entryUUIDs[%zu]: must be a string", i)
				   : cairn_rekor_uuid_parse(text, uuid);
		if (!err)
			err = retrieve_uuid(ctx, uuid, results);
	}
	for (size_t i = 0; !err && indexes != NULL && i < json_array_size(indexes); i++) {
		json_t *item = json_array_get(indexes, i);
		if (!json_is_integer(item) || json_integer_value(item) < 0)
			err = cairn_error_set(CAIRN_EINVAL, "logIndexes[%zu]: must be a non-negative integer", i);
		else
			err = retrieve_one(ctx, (uint64_t)json_integer_value(item), results);
	}
	for (size_t i = 0; !err && entries != NULL && i < json_array_size(entries); i++) {
		/* A proposed entry is found by its canonical body, as Rekor does: verify, canonicalize, look up. */
		char *text = json_dumps(json_array_get(entries, i), JSON_COMPACT);
		cairn_buf canonical = CAIRN_BUF_INIT;
		char kind[32], uuid[65];
		err = text == NULL ? cairn_error_set(CAIRN_EINVAL, "entries[%zu]: not a proposed entry", i)
				   : cairn_rekor_canonicalize(text, strlen(text), &canonical, kind);
		if (err && err != CAIRN_ENOMEM)
			err = cairn_error_prefix(CAIRN_EINVAL, "entries[%zu]", i);
		if (!err)
			err = cairn_rekor_uuid(canonical.data, canonical.len, uuid);
		if (!err)
			err = retrieve_uuid(ctx, uuid, results);
		cairn_buf_free(&canonical);
		free(text);
	}
	return err;
}

static void retrieve(const struct logserver_ctx *ctx, const struct logserver_request *req,
		     struct logserver_response *resp)
{
	json_t *query = NULL, *results = json_array();
	cairn_json_limits limits = {ctx->body_max, CAIRN_REKOR_MAX_DEPTH};
	int err = results == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	if (!err)
		err = cairn_json_parse(&query, req->body, req->body_len, &limits, "search query");
	if (!err && !json_is_object(query))
		err = cairn_error_set(CAIRN_EINVAL, "search query: must be a JSON object");
	if (!err)
		err = retrieve_all(ctx, query, results);
	if (err) {
		/* A query over the limits is a bad query, not a too-large body (that was checked on upload). */
		if (err == CAIRN_ETOOBIG)
			err = CAIRN_EINVAL;
		error_from_code(resp, err);
	} else {
		respond_json(resp, 200, results);
	}
	json_decref(query);
	json_decref(results);
}

/* ---- log info, proofs, key ---- */

static void log_info(const struct logserver_ctx *ctx, struct logserver_response *resp)
{
	cairn_buf note = CAIRN_BUF_INIT;
	cairn_merkle_hash root;
	uint64_t size = 0;
	char root_hex[65];
	int err = cairn_log_checkpoint(ctx->log, &note, &size, &root);
	if (err) {
		error_from_code(resp, err);
		cairn_buf_free(&note);
		return;
	}
	hex32(&root, root_hex);
	json_t *info = json_pack("{s:s, s:I, s:s, s:s, s:[]}", "rootHash", root_hex, "treeSize", (json_int_t)size,
				 "signedTreeHead", cairn_buf_cstr(&note), "treeID", ctx->tree_id, "inactiveShards");
	if (info == NULL)
		logserver_error(resp, 500, "out of memory");
	else
		respond_json(resp, 200, info);
	json_decref(info);
	cairn_buf_free(&note);
}

static void consistency_proof(const struct logserver_ctx *ctx, const struct logserver_request *req,
			      struct logserver_response *resp)
{
	cairn_buf note = CAIRN_BUF_INIT;
	cairn_merkle_hash latest_root, root, proof[CAIRN_MERKLE_MAX_PROOF];
	uint64_t size = 0, first = 1, last = 0;
	size_t count = 0;
	const char *first_text = req->query(req->query_arg, "firstSize");
	int err = cairn_log_checkpoint(ctx->log, &note, &size, &latest_root);
	if (!err && first_text != NULL)
		err = logserver_parse_u64("firstSize", first_text, 1, MAX_INDEX, &first);
	if (!err)
		err = logserver_parse_u64("lastSize", req->query(req->query_arg, "lastSize"), 1, MAX_INDEX, &last);
	if (!err && last > size)
		err = cairn_error_set(CAIRN_EINVAL, "lastSize %llu is beyond the tree's size %llu", (unsigned long long)last,
				      (unsigned long long)size);
	if (!err && first > last)
		err = cairn_error_set(CAIRN_EINVAL, "firstSize %llu is larger than lastSize %llu", (unsigned long long)first,
				      (unsigned long long)last);
	if (!err)
		err = cairn_log_consistency_proof(ctx->log, first, last, proof, &count);
	if (!err)
		err = cairn_log_root(ctx->log, last, &root);
	cairn_buf_free(&note);
	if (err) {
		error_from_code(resp, err);
		return;
	}
	char hex[65];
	json_t *hashes = json_array(), *obj = NULL;
	for (size_t i = 0; hashes != NULL && i < count; i++) {
		hex32(&proof[i], hex);
		if (json_array_append_new(hashes, json_string(hex)) != 0)
			break;
	}
	hex32(&root, hex);
	if (hashes != NULL && json_array_size(hashes) == count)
		obj = json_pack("{s:s, s:O}", "rootHash", hex, "hashes", hashes);
	if (obj == NULL)
		logserver_error(resp, 500, "out of memory");
	else
		respond_json(resp, 200, obj);
	json_decref(obj);
	json_decref(hashes);
}

static void public_key(const struct logserver_ctx *ctx, const struct logserver_request *req,
		       struct logserver_response *resp)
{
	const char *tree_id = req->query(req->query_arg, "treeID");
	if (tree_id != NULL && (tree_id[0] == '\0' || strspn(tree_id, "0123456789") != strlen(tree_id) ||
				strlen(tree_id) > 20)) {
		logserver_error(resp, 400, "query parameter treeID: must be a decimal number");
		return;
	}
	if (cairn_buf_append(&resp->body, ctx->public_pem.data, ctx->public_pem.len) != 0) {
		logserver_error(resp, 500, "out of memory");
		return;
	}
	resp->status = 200;
	resp->content_type = "application/x-pem-file";
	resp->cache_control = "public, max-age=3600";
}

/* ---- tlog-tiles ---- */

static void checkpoint(const struct logserver_ctx *ctx, struct logserver_response *resp)
{
	cairn_merkle_hash root;
	uint64_t size;
	int err = cairn_log_checkpoint(ctx->log, &resp->body, &size, &root);
	if (err) {
		error_from_code(resp, err);
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; charset=utf-8";
	resp->cache_control = "no-cache"; /* the checkpoint moves: caches must ask every time */
}

static void tile(const struct logserver_ctx *ctx, const char *path, struct logserver_response *resp)
{
	int entries = 0;
	unsigned level = 0, width = 0;
	uint64_t index = 0;
	if (cairn_log_tile_path_parse(path, &entries, &level, &index, &width) != 0) {
		logserver_error(resp, 404, cairn_error_message());
		return;
	}
	int err = entries ? cairn_log_entry_bundle(ctx->log, index, width, &resp->body)
			  : cairn_log_tile(ctx->log, level, index, width, &resp->body);
	if (err) {
		/* A tile the tree does not have yet is simply not there: 404, as a static server says. */
		error_from_code(resp, err == CAIRN_EINVAL ? CAIRN_ENOENT : err);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/octet-stream";
	/* A full tile never changes; a partial one is replaced by a wider one as the tree grows. */
	resp->cache_control = width == CAIRN_LOG_TILE_WIDTH ? CACHE_FULL_TILE : CACHE_PARTIAL_TILE;
}

/* ---- dispatch ---- */

void logserver_handle(const struct logserver_ctx *ctx, const struct logserver_request *req,
		      struct logserver_response *resp)
{
	memset(resp, 0, sizeof *resp);
	cairn_error_clear();
	struct logserver_match match;
	int status = logserver_route(req->method, req->path, &match);
	if (status == 404) {
		logserver_error(resp, 404, "no such path on this log server");
		return;
	}
	if (status == 405) {
		logserver_error(resp, 405, "method not allowed on this path");
		resp->allow = match.allow;
		return;
	}
	int post = strcmp(req->method, "POST") == 0;
	switch (match.route) {
	case LOGSERVER_ROUTE_ENTRIES:
		if (post)
			create_entry(ctx, req, resp);
		else
			entry_by_index(ctx, req, resp);
		break;
	case LOGSERVER_ROUTE_ENTRY_UUID: entry_by_uuid(ctx, match.param, resp); break;
	case LOGSERVER_ROUTE_RETRIEVE: retrieve(ctx, req, resp); break;
	case LOGSERVER_ROUTE_LOG_INFO: log_info(ctx, resp); break;
	case LOGSERVER_ROUTE_PROOF: consistency_proof(ctx, req, resp); break;
	case LOGSERVER_ROUTE_PUBLIC_KEY: public_key(ctx, req, resp); break;
	case LOGSERVER_ROUTE_CHECKPOINT: checkpoint(ctx, resp); break;
	case LOGSERVER_ROUTE_TILE: tile(ctx, match.param, resp); break;
	default: logserver_error(resp, 404, "no such path on this log server"); break;
	}
}
