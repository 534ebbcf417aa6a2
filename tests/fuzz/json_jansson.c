/* libFuzzer target: cairn's JSON reader against jansson's, an independent implementation.
 *
 * cairn reads JSON itself (src/base/json.c) for speed; jansson, run with the same strictness
 * (duplicate keys refused, any top-level value, NUL refused), is the oracle. Both must accept and
 * reject the same documents and read accepted ones to equal values, apart from the documented
 * differences: cairn reads integers beyond 64 bits as doubles where jansson refuses them, and
 * cairn's depth limit (here 64) is lower than jansson's, and jansson stops at a NUL byte after a
 * complete value where cairn, like RFC 8259, refuses it (a NUL byte is never valid JSON). */
#include "cairn/error.h"
#include "cairn/json.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const cairn_json_limits limits = {.max_bytes = 64 * 1024, .max_depth = 64};
	if (size > limits.max_bytes)
		return 0;
	json_t *ours = NULL;
	int err = cairn_json_parse(&ours, data, size, &limits, "fuzz input");
	if (memchr(data, 0, size) != NULL) {
		if (err == 0)
			__builtin_trap();
		json_decref(ours);
		return 0;
	}
	json_error_t error;
	json_t *theirs = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
	if (theirs == NULL) {
		/* jansson refuses big integers that cairn reads as doubles; nothing else may differ. */
		if (err == 0 && strstr(error.text, "too big") == NULL)
			__builtin_trap();
	} else if (err == CAIRN_ETOOBIG) {
		/* deeper than our limit: fine */
	} else if (err != 0 || !json_equal(ours, theirs)) {
		__builtin_trap();
	}
	json_decref(ours);
	json_decref(theirs);
	return 0;
}
