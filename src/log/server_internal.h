/* The log server's parts that do not need a socket: routing, query parsing and the request handler.
 * server.c puts them behind libmicrohttpd; the unit tests call them directly. */
#ifndef CAIRN_LOG_SERVER_INTERNAL_H
#define CAIRN_LOG_SERVER_INTERNAL_H

#include "cairn/buf.h"
#include "cairn/key.h"
#include "cairn/logstore.h"

#include <stddef.h>
#include <stdint.h>

enum logserver_route {
	LOGSERVER_ROUTE_NONE = 0,
	LOGSERVER_ROUTE_ENTRIES,     /* /api/v1/log/entries: POST creates, GET ?logIndex=N reads */
	LOGSERVER_ROUTE_ENTRY_UUID,  /* /api/v1/log/entries/{uuid}: GET */
	LOGSERVER_ROUTE_RETRIEVE,    /* /api/v1/log/entries/retrieve: POST */
	LOGSERVER_ROUTE_LOG_INFO,    /* /api/v1/log: GET */
	LOGSERVER_ROUTE_PROOF,       /* /api/v1/log/proof: GET */
	LOGSERVER_ROUTE_PUBLIC_KEY,  /* /api/v1/log/publicKey: GET */
	LOGSERVER_ROUTE_CHECKPOINT,  /* /checkpoint: GET */
	LOGSERVER_ROUTE_TILE,        /* /tile/...: GET */
};

struct logserver_match {
	enum logserver_route route;
	const char *param;  /* ENTRY_UUID: the UUID text; TILE: the path without its leading '/' */
	const char *allow;  /* the methods the path takes (for a 405's Allow header) */
};

/* Finds the route of method and path (the path without its query). Returns 0 with *match set, 404
 * when no route has that path, 405 when the path exists but not for this method (match->allow then
 * names the methods it takes). HEAD is taken wherever GET is. */
int logserver_route(const char *method, const char *path, struct logserver_match *match);

/* A query parameter as a decimal number in [min, max]: digits only (no sign, no spaces), at most 19
 * of them. CAIRN_EINVAL with a message naming the parameter otherwise. */
int logserver_parse_u64(const char *name, const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* The HTTP status for a cairn error code (400, 404, 409, 413, 503, 500). */
unsigned logserver_status_for(int code);

/* What every request handler needs: the log, its key, and what is derived from the key once. */
struct logserver_ctx {
	cairn_log *log;
	const cairn_key *key;
	char log_id_hex[65];
	char tree_id[24];     /* decimal, from the log ID: Rekor clients expect a number */
	cairn_buf public_pem; /* the log's public key */
	size_t body_max;
};

int logserver_ctx_init(struct logserver_ctx *ctx, cairn_log *log, const cairn_key *key, size_t body_max);
void logserver_ctx_free(struct logserver_ctx *ctx);

struct logserver_request {
	const char *method;
	const char *path;
	const char *(*query)(void *arg, const char *name); /* a query parameter's value, NULL when absent */
	void *query_arg;
	const uint8_t *body;
	size_t body_len;
};

struct logserver_response {
	unsigned status;
	const char *content_type;
	cairn_buf body;
	char location[128];        /* Location header ("" for none) */
	char etag[72];             /* ETag header ("" for none) */
	const char *cache_control; /* NULL for none */
	const char *allow;         /* Allow header of a 405 (NULL for none) */
	unsigned retry_after;      /* seconds (0 for none) */
};

/* Answers one request; always fills resp (errors become JSON error responses). Thread-safe. */
void logserver_handle(const struct logserver_ctx *ctx, const struct logserver_request *req,
		      struct logserver_response *resp);
/* Sets resp to the JSON error {"code": status, "message": message}. */
void logserver_error(struct logserver_response *resp, unsigned status, const char *message);
void logserver_response_free(struct logserver_response *resp);

#endif
