/* Unit tests of the log server without sockets: routing, query numbers, addresses, and the request
 * handler over a real log holding the eight RFC 6962 test leaves, whose answers (root, consistency and
 * inclusion proofs, level-0 tile) are compared with the corpus vectors (cross-checked against
 * transparency-dev's proofgen), not with cairn's own Merkle code. */
#include "cairn/buf.h"
#include "cairn/error.h"
#include "cairn/key.h"
#include "cairn/logserver.h"
#include "cairn/logstore.h"
#include "log/server_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- routing ---- */

static void expect_route(const char *method, const char *path, int status, enum logserver_route route)
{
	struct logserver_match m;
	int got = logserver_route(method, path, &m);
	cr_assert_eq(got, status, "%s %s: status %d, expected %d", method, path, got, status);
	if (status != 404)
		cr_assert_eq(m.route, route, "%s %s: route %d, expected %d", method, path, m.route, route);
}

Test(logserver, routes_rekor_v1_paths)
{
	expect_route("POST", "/api/v1/log/entries", 0, LOGSERVER_ROUTE_ENTRIES);
	expect_route("GET", "/api/v1/log/entries", 0, LOGSERVER_ROUTE_ENTRIES);
	expect_route("POST", "/api/v1/log/entries/retrieve", 0, LOGSERVER_ROUTE_RETRIEVE);
	expect_route("GET", "/api/v1/log", 0, LOGSERVER_ROUTE_LOG_INFO);
	expect_route("HEAD", "/api/v1/log", 0, LOGSERVER_ROUTE_LOG_INFO);
	expect_route("GET", "/api/v1/log/proof", 0, LOGSERVER_ROUTE_PROOF);
	expect_route("GET", "/api/v1/log/publicKey", 0, LOGSERVER_ROUTE_PUBLIC_KEY);
	expect_route("GET", "/checkpoint", 0, LOGSERVER_ROUTE_CHECKPOINT);
	expect_route("GET", "/tile/0/000", 0, LOGSERVER_ROUTE_TILE);
	expect_route("GET", "/tile/entries/x001/234.p/5", 0, LOGSERVER_ROUTE_TILE);

	struct logserver_match m;
	cr_assert_eq(logserver_route("GET", "/api/v1/log/entries/abcdef", &m), 0);
	cr_assert_eq(m.route, LOGSERVER_ROUTE_ENTRY_UUID);
	cr_assert_str_eq(m.param, "abcdef");
	cr_assert_eq(logserver_route("GET", "/tile/1/002.p/7", &m), 0);
	cr_assert_str_eq(m.param, "tile/1/002.p/7", "tile paths are handed on without their leading '/'");
}

Test(logserver, unknown_paths_are_404_and_wrong_methods_405)
{
	expect_route("GET", "/", 404, LOGSERVER_ROUTE_NONE);
	expect_route("GET", "/api/v1/log/", 404, LOGSERVER_ROUTE_NONE);
	expect_route("GET", "/api/v1/log/entries/", 404, LOGSERVER_ROUTE_NONE);
	expect_route("GET", "/api/v1/log/entries/a/b", 404, LOGSERVER_ROUTE_NONE);
	expect_route("GET", "/api/v1/logx", 404, LOGSERVER_ROUTE_NONE);
	expect_route("GET", "/checkpoint/", 404, LOGSERVER_ROUTE_NONE);
	expect_route("GET", "/api/v2/log", 404, LOGSERVER_ROUTE_NONE);

	struct logserver_match m;
	cr_assert_eq(logserver_route("DELETE", "/api/v1/log/entries", &m), 405);
	cr_assert_str_eq(m.allow, "GET, HEAD, POST");
	cr_assert_eq(logserver_route("GET", "/api/v1/log/entries/retrieve", &m), 405);
	cr_assert_str_eq(m.allow, "POST");
	cr_assert_eq(logserver_route("POST", "/api/v1/log", &m), 405);
	cr_assert_str_eq(m.allow, "GET, HEAD");
	cr_assert_eq(logserver_route("PUT", "/checkpoint", &m), 405);
	cr_assert_eq(logserver_route("POST", "/tile/0/000", &m), 405);
	cr_assert_eq(logserver_route("get", "/api/v1/log", &m), 405, "methods are case-sensitive (RFC 9110)");
}

/* ---- numbers and addresses ---- */

Test(logserver, query_numbers_are_strict_decimals)
{
	uint64_t v = 99;
	cr_assert_eq(logserver_parse_u64("n", "0", 0, 10, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(logserver_parse_u64("n", "0010", 0, 10, &v), 0);
	cr_assert_eq(v, 10);
	cr_assert_eq(logserver_parse_u64("n", "9223372036854775807", 0, INT64_MAX, &v), 0);
	cr_assert_eq(v, (uint64_t)INT64_MAX);
	const char *bad[] = {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1e3", "1.0", "18446744073709551616",
			     "99999999999999999999999999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(logserver_parse_u64("firstSize", bad[i], 0, INT64_MAX, &v), CAIRN_EINVAL, "\"%s\"", bad[i]);
		cr_assert(strstr(cairn_error_message(), "firstSize") != NULL, "the message names the parameter: %s",
			  cairn_error_message());
	}
	cr_assert_eq(logserver_parse_u64("n", NULL, 0, 10, &v), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "missing") != NULL);
	cr_assert_eq(logserver_parse_u64("n", "11", 0, 10, &v), CAIRN_EINVAL);
	cr_assert_eq(logserver_parse_u64("n", "0", 1, 10, &v), CAIRN_EINVAL);
	cr_assert_eq(logserver_parse_u64("n", "9223372036854775808", 0, INT64_MAX, &v), CAIRN_EINVAL);
}

Test(logserver, addresses)
{
	char host[64];
	uint16_t port;
	cr_assert_eq(cairn_logserver_parse_addr(NULL, host, sizeof host, &port), 0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_eq(port, CAIRN_LOGSERVER_DEFAULT_PORT);
	cr_assert_eq(cairn_logserver_parse_addr("0.0.0.0:8080", host, sizeof host, &port), 0);
	cr_assert_str_eq(host, "0.0.0.0");
	cr_assert_eq(port, 8080);
	cr_assert_eq(cairn_logserver_parse_addr(":0", host, sizeof host, &port), 0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_eq(port, 0);
	cr_assert_eq(cairn_logserver_parse_addr("[::1]:443", host, sizeof host, &port), 0);
	cr_assert_str_eq(host, "::1");
	cr_assert_eq(port, 443);
	cr_assert_eq(cairn_logserver_parse_addr("localhost", host, sizeof host, &port), 0);
	cr_assert_str_eq(host, "localhost");
	const char *bad[] = {"::1", "[::1", "[::1]x", "127.0.0.1:65536", "127.0.0.1:", "127.0.0.1:-1", "h:80x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(cairn_logserver_parse_addr(bad[i], host, sizeof host, &port), CAIRN_EINVAL, "%s", bad[i]);
	char small[4];
	cr_assert_eq(cairn_logserver_parse_addr("example.org:1", small, sizeof small, &port), CAIRN_EINVAL);
}

Test(logserver, statuses_for_error_codes)
{
	cr_assert_eq(logserver_status_for(CAIRN_EINVAL), 400);
	cr_assert_eq(logserver_status_for(CAIRN_EVERIFY), 400);
	cr_assert_eq(logserver_status_for(CAIRN_ENOENT), 404);
	cr_assert_eq(logserver_status_for(CAIRN_EEXIST), 409);
	cr_assert_eq(logserver_status_for(CAIRN_ETOOBIG), 413);
	cr_assert_eq(logserver_status_for(CAIRN_EBUSY), 503);
	cr_assert_eq(logserver_status_for(CAIRN_EIO), 500);
	cr_assert_eq(logserver_status_for(CAIRN_ENOMEM), 500);
}

/* ---- the handler over a real log ---- */

struct fixture {
	char dir[64];
	char db[128];
	cairn_key *key;
	cairn_log *log;
	struct logserver_ctx ctx;
	json_t *vectors;
};

struct query {
	const char *names[4];
	const char *values[4];
};

static const char *query_get(void *arg, const char *name)
{
	struct query *q = arg;
	for (size_t i = 0; q != NULL && i < 4 && q->names[i] != NULL; i++)
		if (strcmp(q->names[i], name) == 0)
			return q->values[i];
	return NULL;
}

static void hex_decode(const char *hex, cairn_buf *out)
{
	cr_assert_eq(cairn_hex_decode(out, hex, strlen(hex)), 0, "%s", hex);
}

/* A log holding the corpus's eight RFC 6962 leaves, in order. */
static void fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/cairn-logserver-test.XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof f->db, "%s/log.db", f->dir);
	cr_assert_eq(cairn_key_generate(&f->key, CAIRN_KEY_ECDSA_P256), 0);
	cairn_log_options opts = {.db_path = f->db, .key = f->key, .origin = "test.example/log"};
	cr_assert_eq(cairn_log_open(&f->log, &opts), 0, "%s", cairn_error_message());
	cr_assert_eq(logserver_ctx_init(&f->ctx, f->log, f->key, 0), 0, "%s", cairn_error_message());
	char path[4096];
	snprintf(path, sizeof path, "%s/tlog/rfc6962-vectors.json", test_corpus());
	json_error_t error;
	f->vectors = json_load_file(path, 0, &error);
	cr_assert_not_null(f->vectors, "%s: %s", path, error.text);
	json_t *leaves = json_object_get(f->vectors, "leaves_hex");
	cr_assert_eq(json_array_size(leaves), 8);
	for (size_t i = 0; i < 8; i++) {
		cairn_buf leaf = CAIRN_BUF_INIT;
		hex_decode(json_string_value(json_array_get(leaves, i)), &leaf);
		cairn_log_added added;
		int err = cairn_log_add(f->log, leaf.data, leaf.len, &added);
		cr_assert_eq(err, 0, "leaf %zu: %s", i, cairn_error_message());
		cr_assert_eq(added.index, i);
		cairn_buf_free(&leaf);
	}
}

static void fixture_close(struct fixture *f)
{
	logserver_ctx_free(&f->ctx);
	cairn_log_close(f->log);
	cairn_key_free(f->key);
	json_decref(f->vectors);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	cr_assert_eq(system(cmd), 0);
}

static json_t *request(struct fixture *f, const char *method, const char *path, struct query *q, const char *body,
		       unsigned expect_status, struct logserver_response *resp)
{
	struct logserver_request req = {method, path, query_get, q, (const uint8_t *)body, body ? strlen(body) : 0};
	logserver_handle(&f->ctx, &req, resp);
	cr_assert_eq(resp->status, expect_status, "%s %s: status %u, expected %u: %.*s", method, path, resp->status,
		     expect_status, (int)resp->body.len, (const char *)resp->body.data);
	if (resp->content_type == NULL || strcmp(resp->content_type, "application/json") != 0)
		return NULL;
	json_error_t error;
	json_t *doc = json_loadb((const char *)resp->body.data, resp->body.len, 0, &error);
	cr_assert_not_null(doc, "%s %s: not JSON: %s", method, path, error.text);
	return doc;
}

static void expect_error(struct fixture *f, const char *method, const char *path, struct query *q, const char *body,
			 unsigned status, const char *needle)
{
	struct logserver_response resp;
	json_t *doc = request(f, method, path, q, body, status, &resp);
	cr_assert_not_null(doc, "%s %s: errors are JSON", method, path);
	cr_assert_eq(json_integer_value(json_object_get(doc, "code")), status);
	const char *message = json_string_value(json_object_get(doc, "message"));
	cr_assert(message != NULL && strstr(message, needle) != NULL, "%s %s: message \"%s\" lacks \"%s\"", method,
		  path, message ? message : "(none)", needle);
	json_decref(doc);
	logserver_response_free(&resp);
}

Test(logserver, log_info_and_consistency_proofs_match_rfc6962_vectors)
{
	struct fixture f;
	fixture_open(&f);
	struct logserver_response resp;
	json_t *info = request(&f, "GET", "/api/v1/log", NULL, NULL, 200, &resp);
	cr_assert_eq(json_integer_value(json_object_get(info, "treeSize")), 8);
	const char *want_root = json_string_value(json_object_get(json_object_get(f.vectors, "roots_by_size"), "8"));
	cr_assert_str_eq(json_string_value(json_object_get(info, "rootHash")), want_root);
	const char *sth = json_string_value(json_object_get(info, "signedTreeHead"));
	cr_assert(sth != NULL && strncmp(sth, "test.example/log\n8\n", 19) == 0, "checkpoint: %s", sth);
	cr_assert(json_is_array(json_object_get(info, "inactiveShards")));
	const char *tree_id = json_string_value(json_object_get(info, "treeID"));
	cr_assert(tree_id != NULL && tree_id[0] != '\0' && strspn(tree_id, "0123456789") == strlen(tree_id));
	json_decref(info);
	logserver_response_free(&resp);

	size_t i;
	json_t *c;
	size_t checked = 0;
	json_array_foreach(json_object_get(f.vectors, "consistency"), i, c) {
		char first[24], last[24];
		snprintf(first, sizeof first, "%lld", (long long)json_integer_value(json_object_get(c, "size1")));
		snprintf(last, sizeof last, "%lld", (long long)json_integer_value(json_object_get(c, "size2")));
		struct query q = {{"firstSize", "lastSize"}, {first, last}};
		json_t *proof = request(&f, "GET", "/api/v1/log/proof", &q, NULL, 200, &resp);
		cr_assert(json_equal(json_object_get(proof, "hashes"), json_object_get(c, "proof")),
			  "proof %s..%s differs from the vector", first, last);
		cr_assert_str_eq(json_string_value(json_object_get(proof, "rootHash")),
				 json_string_value(json_object_get(json_object_get(f.vectors, "roots_by_size"), last)));
		json_decref(proof);
		logserver_response_free(&resp);
		checked++;
	}
	cr_assert_geq(checked, 30);
	fixture_close(&f);
}

Test(logserver, bad_proof_queries_are_400)
{
	struct fixture f;
	fixture_open(&f);
	struct query beyond = {{"firstSize", "lastSize"}, {"1", "9"}};
	expect_error(&f, "GET", "/api/v1/log/proof", &beyond, NULL, 400, "beyond the tree");
	struct query reversed = {{"firstSize", "lastSize"}, {"5", "4"}};
	expect_error(&f, "GET", "/api/v1/log/proof", &reversed, NULL, 400, "larger than lastSize");
	struct query negative = {{"firstSize", "lastSize"}, {"-1", "4"}};
	expect_error(&f, "GET", "/api/v1/log/proof", &negative, NULL, 400, "firstSize");
	struct query zero = {{"firstSize", "lastSize"}, {"0", "4"}};
	expect_error(&f, "GET", "/api/v1/log/proof", &zero, NULL, 400, "firstSize");
	struct query huge = {{"lastSize"}, {"184467440737095516160000"}};
	expect_error(&f, "GET", "/api/v1/log/proof", &huge, NULL, 400, "too large");
	struct query text = {{"lastSize"}, {"eight"}};
	expect_error(&f, "GET", "/api/v1/log/proof", &text, NULL, 400, "lastSize");
	expect_error(&f, "GET", "/api/v1/log/proof", NULL, NULL, 400, "lastSize: missing");
	struct query none = {{"logIndex"}, {"abc"}};
	expect_error(&f, "GET", "/api/v1/log/entries", &none, NULL, 400, "logIndex");
	struct query past = {{"logIndex"}, {"8"}};
	expect_error(&f, "GET", "/api/v1/log/entries", &past, NULL, 404, "8");
	expect_error(&f, "GET", "/nothing", NULL, NULL, 404, "no such path");
	expect_error(&f, "PUT", "/api/v1/log", NULL, NULL, 405, "not allowed");
	expect_error(&f, "GET", "/api/v1/log/entries/zz", NULL, NULL, 400, "zz");
	expect_error(&f, "POST", "/api/v1/log/entries/retrieve", NULL, "[1]", 400, "JSON object");
	expect_error(&f, "POST", "/api/v1/log/entries/retrieve", NULL, "{}", 400, "entryUUIDs");
	expect_error(&f, "POST", "/api/v1/log/entries/retrieve", NULL, "{\"logIndexes\":[1,2,3,4,5,6,7,0,1,2,3]}", 400,
		     "at most 10");
	expect_error(&f, "POST", "/api/v1/log/entries/retrieve", NULL, "{\"logIndexes\":[-1]}", 400, "non-negative");
	expect_error(&f, "POST", "/api/v1/log/entries", NULL, "{not json", 400, "");
	fixture_close(&f);
}

Test(logserver, entries_carry_the_vectors_inclusion_proofs)
{
	struct fixture f;
	fixture_open(&f);
	struct logserver_response resp;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(f.vectors, "inclusion"), i, v) {
		if (json_integer_value(json_object_get(v, "tree_size")) != 8)
			continue;
		char index[24];
		snprintf(index, sizeof index, "%lld", (long long)json_integer_value(json_object_get(v, "leaf_index")));
		struct query q = {{"logIndex"}, {index}};
		json_t *doc = request(&f, "GET", "/api/v1/log/entries", &q, NULL, 200, &resp);
		cr_assert_eq(json_object_size(doc), 1);
		char uuid[65];
		snprintf(uuid, sizeof uuid, "%s", json_object_iter_key(json_object_iter(doc)));
		json_t *entry = json_object_iter_value(json_object_iter(doc));
		/* The UUID is the leaf hash, which the corpus gives independently. */
		cr_assert_str_eq(uuid, json_string_value(json_array_get(json_object_get(f.vectors, "leaf_hashes"),
									(size_t)atoi(index))));
		json_t *proof = json_object_get(json_object_get(entry, "verification"), "inclusionProof");
		cr_assert(json_equal(json_object_get(proof, "hashes"), json_object_get(v, "proof")), "leaf %s", index);
		cr_assert_eq(json_integer_value(json_object_get(proof, "treeSize")), 8);
		json_decref(doc);
		logserver_response_free(&resp);

		char path[160];
		snprintf(path, sizeof path, "/api/v1/log/entries/%s", uuid);
		doc = request(&f, "GET", path, NULL, NULL, 200, &resp);
		cr_assert_not_null(json_object_get(doc, uuid));
		json_decref(doc);
		logserver_response_free(&resp);
	}
	char body[300];
	snprintf(body, sizeof body, "{\"logIndexes\":[2,99],\"entryUUIDs\":[\"%s\"]}",
		 json_string_value(json_array_get(json_object_get(f.vectors, "leaf_hashes"), 5)));
	json_t *found = request(&f, "POST", "/api/v1/log/entries/retrieve", NULL, body, 200, &resp);
	cr_assert_eq(json_array_size(found), 2, "the index beyond the log is left out");
	json_decref(found);
	logserver_response_free(&resp);
	fixture_close(&f);
}

Test(logserver, tiles_checkpoint_and_public_key)
{
	struct fixture f;
	fixture_open(&f);
	struct logserver_response resp;
	request(&f, "GET", "/tile/0/000.p/8", NULL, NULL, 200, &resp);
	cr_assert_eq(resp.body.len, 8 * 32);
	cr_assert_str_eq(resp.cache_control, "public, max-age=10");
	json_t *hashes = json_object_get(f.vectors, "leaf_hashes");
	for (size_t i = 0; i < 8; i++) {
		cairn_buf want = CAIRN_BUF_INIT;
		hex_decode(json_string_value(json_array_get(hashes, i)), &want);
		cr_assert_eq(memcmp(resp.body.data + 32 * i, want.data, 32), 0, "tile hash %zu", i);
		cairn_buf_free(&want);
	}
	logserver_response_free(&resp);
	expect_error(&f, "GET", "/tile/0/000", NULL, NULL, 404, "");
	expect_error(&f, "GET", "/tile/0/000.p/9", NULL, NULL, 404, "");
	expect_error(&f, "GET", "/tile/0/001.p/1", NULL, NULL, 404, "");
	expect_error(&f, "GET", "/tile/nonsense", NULL, NULL, 404, "");

	request(&f, "GET", "/checkpoint", NULL, NULL, 200, &resp);
	cr_assert_str_eq(resp.cache_control, "no-cache");
	cr_assert(resp.body.len > 20 && memcmp(resp.body.data, "test.example/log\n8\n", 19) == 0);
	logserver_response_free(&resp);

	request(&f, "GET", "/api/v1/log/publicKey", NULL, NULL, 200, &resp);
	cr_assert_str_eq(resp.content_type, "application/x-pem-file");
	cr_assert(strstr(cairn_buf_cstr(&resp.body), "-----BEGIN PUBLIC KEY-----") != NULL);
	cr_assert(strstr(cairn_buf_cstr(&resp.body), "PRIVATE") == NULL);
	logserver_response_free(&resp);
	fixture_close(&f);
}

Test(logserver, full_tiles_are_immutable_and_hold_the_leaf_hashes)
{
	struct fixture f;
	fixture_open(&f); /* 8 leaves; 248 more fill the first tile */
	for (unsigned i = 8; i < CAIRN_LOG_TILE_WIDTH; i++) {
		char leaf[32];
		snprintf(leaf, sizeof leaf, "leaf %u", i);
		cairn_log_added added;
		cr_assert_eq(cairn_log_add(f.log, leaf, strlen(leaf), &added), 0, "%s", cairn_error_message());
	}
	struct logserver_response resp;
	request(&f, "GET", "/tile/0/000", NULL, NULL, 200, &resp);
	cr_assert_eq(resp.body.len, CAIRN_LOG_TILE_WIDTH * 32);
	cr_assert_str_eq(resp.cache_control, "public, max-age=31536000, immutable");
	/* Hash 200 is SHA-256(0x00 || "leaf 200"), computed here with OpenSSL directly. */
	uint8_t want[32];
	unsigned char input[] = "\0leaf 200";
	cr_assert_eq(EVP_Digest(input, sizeof input - 1, want, NULL, EVP_sha256(), NULL), 1);
	cr_assert_eq(memcmp(resp.body.data + 200 * 32, want, 32), 0);
	logserver_response_free(&resp);
	request(&f, "GET", "/tile/1/000.p/1", NULL, NULL, 200, &resp);
	cr_assert_eq(resp.body.len, 32);
	logserver_response_free(&resp);
	fixture_close(&f);
}
