/* libFuzzer target: cosign's encrypted key files (PEM framing, the JSON body, the scrypt bounds).
 * Every call must either succeed or fail with a cairn error; nothing may leak or crash. The input
 * is tried as a whole file and, wrapped in cosign's PEM label, as the JSON body alone, so the
 * fuzzer reaches the JSON parser without having to learn base64 first. */
#include "cairn/buf.h"
#include "cairn/error.h"
#include "cairn/key.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_load(const void *pem, size_t len)
{
	cairn_key *key = NULL;
	if (cairn_key_load_cosign(&key, pem, len, "fuzz", "fuzz input") == 0) {
		if (key == NULL)
			__builtin_trap();
		cairn_key_free(key);
	} else if (key != NULL) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_load(data, size);

	cairn_buf b64 = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	if (cairn_base64_encode(&b64, data, size, CAIRN_BASE64_STD) == 0 &&
	    cairn_buf_append_str(&pem, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n") == 0) {
		int err = 0;
		for (size_t i = 0; !err && i < b64.len; i += 64) {
			err = cairn_buf_append(&pem, b64.data + i, b64.len - i < 64 ? b64.len - i : 64);
			if (!err)
				err = cairn_buf_append_byte(&pem, '\n');
		}
		if (!err && cairn_buf_append_str(&pem, "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n") == 0)
			try_load(pem.data, pem.len);
	}
	cairn_buf_free(&b64);
	cairn_buf_free(&pem);
	cairn_error_clear();
	return 0;
}
