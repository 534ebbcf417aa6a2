/* libFuzzer target: a C2SP tlog-tiles path (as a server receives it) must never crash or leak, and
 * whatever the parser accepts must format back to exactly the same path (one spelling per tile). */
#include "cairn/error.h"
#include "cairn/logstore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char path[257];
	memcpy(path, data, size);
	path[size] = '\0';
	int entries;
	unsigned level, width;
	uint64_t index;
	if (cairn_log_tile_path_parse(path, &entries, &level, &index, &width) == 0) {
		cairn_buf out = CAIRN_BUF_INIT;
		if (cairn_log_tile_path_format(entries, level, index, width, &out) != 0)
			__builtin_trap();
		const char *want = path;
		/* The formatted path has the leading slash; the parser also takes it without. */
		if (strcmp(cairn_buf_cstr(&out) + (path[0] == '/' ? 0 : 1), want) != 0)
			__builtin_trap();
		cairn_buf_free(&out);
	}
	cairn_error_clear();
	return 0;
}
