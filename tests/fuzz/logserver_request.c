/* libFuzzer target: the log server's request parsing (route, query numbers, listen addresses) must
 * never crash or read out of bounds, and must answer only 0, 404 or 405 for a route. The input is split
 * at its first two NUL bytes into method, path and a number/address text. */
#include "cairn/error.h"
#include "cairn/logserver.h"
#include "log/server_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 3);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = copy[size + 2] = '\0';
	const char *method = copy;
	/* Three NULs at the end: path and text always lie inside the copy, at worst empty. */
	const char *path = method + strlen(method) + 1;
	const char *text = path + strlen(path) + 1;

	struct logserver_match match;
	int status = logserver_route(method, path, &match);
	if (status != 0 && status != 404 && status != 405)
		__builtin_trap();
	if (status == 0 && (match.route == LOGSERVER_ROUTE_NONE || match.allow == NULL))
		__builtin_trap();
	if (status == 0 && match.param != NULL && (match.param < path || match.param > path + strlen(path)))
		__builtin_trap();

	uint64_t value;
	if (logserver_parse_u64("n", text, 0, UINT64_MAX, &value) == 0 && strspn(text, "0123456789") != strlen(text))
		__builtin_trap();
	char host[64];
	uint16_t port;
	if (cairn_logserver_parse_addr(text, host, sizeof host, &port) == 0 && strlen(host) >= sizeof host)
		__builtin_trap();
	free(copy);
	cairn_error_clear();
	return 0;
}
