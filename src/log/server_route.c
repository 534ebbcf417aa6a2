/* The log server's routing table, query-number parsing and error-to-status mapping: small pure
 * functions, kept apart from the socket code so they can be tested alone. */
#include "cairn/error.h"
#include "cairn/logserver.h"
#include "server_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRIES_PREFIX "/api/v1/log/entries/"

struct route_row {
	const char *path;
	enum logserver_route route;
	int get;  /* GET (and HEAD) allowed */
	int post; /* POST allowed */
};

static const struct route_row exact_routes[] = {
	{"/api/v1/log/entries", LOGSERVER_ROUTE_ENTRIES, 1, 1},
	{"/api/v1/log/entries/retrieve", LOGSERVER_ROUTE_RETRIEVE, 0, 1},
	{"/api/v1/log", LOGSERVER_ROUTE_LOG_INFO, 1, 0},
	{"/api/v1/log/proof", LOGSERVER_ROUTE_PROOF, 1, 0},
	{"/api/v1/log/publicKey", LOGSERVER_ROUTE_PUBLIC_KEY, 1, 0},
	{"/checkpoint", LOGSERVER_ROUTE_CHECKPOINT, 1, 0},
};

static const char *allow_of(int get, int post)
{
	return get && post ? "GET, HEAD, POST" : post ? "POST" : "GET, HEAD";
}

static int method_result(const char *method, int get, int post, struct logserver_match *match)
{
	match->allow = allow_of(get, post);
	int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int is_post = strcmp(method, "POST") == 0;
	if ((is_get && get) || (is_post && post))
		return 0;
	return 405;
}

int logserver_route(const char *method, const char *path, struct logserver_match *match)
{
	memset(match, 0, sizeof *match);
	for (size_t i = 0; i < sizeof exact_routes / sizeof exact_routes[0]; i++) {
		const struct route_row *row = &exact_routes[i];
		if (strcmp(path, row->path) != 0)
			continue;
		match->route = row->route;
		return method_result(method, row->get, row->post, match);
	}
	size_t prefix_len = strlen(ENTRIES_PREFIX);
	if (strncmp(path, ENTRIES_PREFIX, prefix_len) == 0 && path[prefix_len] != '\0' &&
	    strchr(path + prefix_len, '/') == NULL) {
		match->route = LOGSERVER_ROUTE_ENTRY_UUID;
		match->param = path + prefix_len;
		return method_result(method, 1, 0, match);
	}
	if (strncmp(path, "/tile/", 6) == 0) {
		match->route = LOGSERVER_ROUTE_TILE;
		match->param = path + 1;
		return method_result(method, 1, 0, match);
	}
	return 404;
}

int logserver_parse_u64(const char *name, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	if (text == NULL || text[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "query parameter %s: missing", name);
	size_t len = strspn(text, "0123456789");
	if (text[len] != '\0')
		return cairn_error_set(CAIRN_EINVAL, "query parameter %s: \"%.40s\" is not a non-negative decimal number",
				       name, text);
	if (len > 19)
		return cairn_error_set(CAIRN_EINVAL, "query parameter %s: %.40s%s is too large", name, text,
				       len > 40 ? "..." : "");
	uint64_t value = 0;
	for (size_t i = 0; i < len; i++)
		value = value * 10 + (uint64_t)(text[i] - '0'); /* 19 digits cannot overflow 64 bits */
	if (value < min || value > max)
		return cairn_error_set(CAIRN_EINVAL, "query parameter %s: %llu is outside [%llu, %llu]", name,
				       (unsigned long long)value, (unsigned long long)min, (unsigned long long)max);
	*out = value;
	return 0;
}

unsigned logserver_status_for(int code)
{
	switch (code) {
	case CAIRN_EINVAL:
	case CAIRN_EVERIFY:
	case CAIRN_EUNSUPPORTED: return 400;
	case CAIRN_ENOENT: return 404;
	case CAIRN_EEXIST: return 409;
	case CAIRN_ETOOBIG: return 413;
	case CAIRN_EBUSY: return 503;
	default: return 500;
	}
}

int cairn_logserver_parse_addr(const char *addr, char *host, size_t host_size, uint16_t *port)
{
	if (addr == NULL || addr[0] == '\0')
		addr = CAIRN_LOGSERVER_DEFAULT_HOST;
	const char *host_start = addr, *host_end, *rest;
	if (addr[0] == '[') {
		host_start = addr + 1;
		host_end = strchr(host_start, ']');
		if (host_end == NULL)
			return cairn_error_set(CAIRN_EINVAL, "address %s: unterminated '['", addr);
		rest = host_end + 1;
		if (*rest != '\0' && *rest != ':')
			return cairn_error_set(CAIRN_EINVAL, "address %s: expected ':PORT' after ']'", addr);
	} else {
		const char *colon = strrchr(addr, ':');
		if (colon != NULL && strchr(addr, ':') != colon)
			return cairn_error_set(CAIRN_EINVAL, "address %s: write an IPv6 address in brackets, [::1]:PORT",
					       addr);
		host_end = colon != NULL ? colon : addr + strlen(addr);
		rest = host_end;
	}
	size_t host_len = (size_t)(host_end - host_start);
	if (host_len == 0) {
		host_start = CAIRN_LOGSERVER_DEFAULT_HOST;
		host_len = strlen(host_start);
	}
	if (host_len + 1 > host_size)
		return cairn_error_set(CAIRN_EINVAL, "address %s: host name too long", addr);
	*port = CAIRN_LOGSERVER_DEFAULT_PORT;
	if (*rest == ':') {
		uint64_t value;
		if (logserver_parse_u64("port", rest + 1, 0, 65535, &value) != 0)
			return cairn_error_set(CAIRN_EINVAL, "address %s: the port must be a number from 0 to 65535", addr);
		*port = (uint16_t)value;
	}
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';
	return 0;
}
