/* libFuzzer target: a proposed Rekor entry (POST /api/v1/log/entries) and a LogEntry response must
 * never crash or leak, whatever the bytes. An accepted hashedrekord body must be a fixed point (the
 * log stores what it would accept again), and a parsed response must always turn into a bundle item. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/rekor.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_proposed(const uint8_t *data, size_t size)
{
	cairn_buf body = CAIRN_BUF_INIT, again = CAIRN_BUF_INIT;
	char kind[32], kind2[32];
	if (cairn_rekor_canonicalize(data, size, &body, kind) == 0 && strcmp(kind, "hashedrekord") == 0) {
		if (cairn_rekor_canonicalize(body.data, body.len, &again, kind2) != 0 || again.len != body.len ||
		    memcmp(again.data, body.data, body.len) != 0)
			__builtin_trap();
	}
	cairn_buf_free(&body);
	cairn_buf_free(&again);
}

static void check_response(const uint8_t *data, size_t size)
{
	cairn_rekor_log_entry entry;
	if (cairn_rekor_log_entry_parse(&entry, data, size, "fuzz") == 0) {
		json_t *item = NULL;
		if (cairn_rekor_log_entry_bundle_json(&entry, &item) != 0)
			__builtin_trap();
		json_decref(item);
		cairn_rekor_log_entry_free(&entry);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_proposed(data, size);
	check_response(data, size);
	char uuid[65];
	char text[96];
	if (size < sizeof text) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)cairn_rekor_uuid_parse(text, uuid);
	}
	cairn_error_clear();
	return 0;
}
