/* libFuzzer target: the parsers of what a registry sends back in headers - WWW-Authenticate
 * challenges, Link pagination and Retry-After - must never crash or leak on any input, and what
 * they accept must be consistent (a Bearer challenge always has a realm). */
#include "cairn/error.h"
#include "image/registry_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *text = malloc(size);
	if (text == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: {
		registry_challenge c;
		if (registry_challenge_parse(&c, text) == 0) {
			if (c.scheme == REGISTRY_AUTH_NONE || (c.scheme == REGISTRY_AUTH_BEARER && c.realm == NULL))
				__builtin_trap();
			registry_challenge_free(&c);
		} else if (c.realm != NULL || c.service != NULL || c.scope != NULL) {
			__builtin_trap(); /* a failed parse leaves nothing behind */
		}
		break;
	}
	case 1: {
		char *next = NULL;
		if (registry_link_next(text, &next) == 0 && next != NULL && next[0] == '\0')
			__builtin_trap();
		free(next);
		break;
	}
	default: {
		long seconds = -1;
		if (registry_retry_after_parse(text, 784111777, &seconds) == 0 && seconds < 0)
			__builtin_trap();
		break;
	}
	}
	free(text);
	return 0;
}
