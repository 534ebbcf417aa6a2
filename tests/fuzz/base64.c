/* libFuzzer target: base64 decoding in every mode must never crash, and whatever strict decoding
 * accepts must re-encode to exactly the same text (one value, one encoding). */
#include "cairn/buf.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int flags = data[0] & (CAIRN_BASE64_URL | CAIRN_BASE64_PAD_OPTIONAL | CAIRN_BASE64_LAX_BITS);
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	cairn_buf decoded = CAIRN_BUF_INIT, encoded = CAIRN_BUF_INIT;
	if (cairn_base64_decode(&decoded, text, len, flags, "fuzz") == 0 &&
	    (flags & (CAIRN_BASE64_PAD_OPTIONAL | CAIRN_BASE64_LAX_BITS)) == 0) {
		if (cairn_base64_encode(&encoded, decoded.data, decoded.len, flags & CAIRN_BASE64_URL) != 0)
			__builtin_trap();
		if (encoded.len != len || (len > 0 && memcmp(encoded.data, text, len) != 0))
			__builtin_trap(); /* strict decoding accepted a non-canonical encoding */
	}
	cairn_buf_free(&decoded);
	cairn_buf_free(&encoded);
	return 0;
}
