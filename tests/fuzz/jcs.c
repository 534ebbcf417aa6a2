/* libFuzzer target: JSON parsing with limits and RFC 8785 canonicalisation.
 *
 * Whatever parses must canonicalize, the canonical form must parse again, and canonicalizing that
 * must give the same bytes (the canonical form is a fixed point). Any other outcome is a bug. */
#include "cairn/buf.h"
#include "cairn/json.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Canonicalizes text; traps when it does not parse with the default limits or has no canonical
 * form. */
static void canonical_or_trap(const void *text, size_t len, cairn_buf *out)
{
	json_t *value = NULL;
	if (cairn_json_parse(&value, text, len, NULL, "canonical form") != 0)
		__builtin_trap();
	if (cairn_json_canonicalize(value, out) != 0)
		__builtin_trap();
	json_decref(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small limits keep each run fast and exercise the limit paths. */
	const cairn_json_limits limits = {.max_bytes = 64 * 1024, .max_depth = 32};
	json_t *value = NULL;
	if (cairn_json_parse(&value, data, size, &limits, "fuzz input") != 0)
		return 0;
	cairn_buf first = CAIRN_BUF_INIT, second = CAIRN_BUF_INIT;
	/* A parsed document is valid UTF-8, finite and within the depth bound: it has a canonical form. */
	if (cairn_json_canonicalize(value, &first) != 0)
		__builtin_trap();
	json_decref(value);
	canonical_or_trap(first.data, first.len, &second);
	if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
		__builtin_trap();
	cairn_buf_free(&first);
	cairn_buf_free(&second);
	return 0;
}
