/* libFuzzer target: key PEM parsing (private, with a passphrase; public) and ECDSA DER signatures.
 * Every call must either succeed or fail with a cairn error; nothing may leak or crash. */
#include "cairn/error.h"
#include "cairn/key.h"
#include "cairn/sig.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_key *key = NULL;
	if (cairn_key_load_private(&key, data, size, "fuzz", "fuzz input") == 0) {
		/* A key that loads must also save and sign. */
		cairn_buf out = CAIRN_BUF_INIT;
		cairn_key_save_private(key, NULL, &out);
		cairn_buf_free_secret(&out);
		cairn_sig_sign(key, data, size, &out);
		cairn_buf_free(&out);
		cairn_key_free(key);
	}
	cairn_key *pub = NULL;
	if (cairn_key_load_public(&pub, data, size, "fuzz input") == 0) {
		cairn_buf der = CAIRN_BUF_INIT;
		cairn_key_public_der(pub, &der);
		cairn_sig_verify(pub, data, size, data, size);
		cairn_buf_free(&der);
		cairn_key_free(pub);
	}
	cairn_buf raw = CAIRN_BUF_INIT;
	if (cairn_sig_ecdsa_der_to_raw(data, size, 48, &raw) == 0) {
		/* Canonical DER is the only encoding, so converting back gives the input again. */
		cairn_buf der = CAIRN_BUF_INIT;
		if (cairn_sig_ecdsa_raw_to_der(raw.data, raw.len, &der) != 0 || der.len != size ||
		    memcmp(der.data, data, size) != 0)
			__builtin_trap();
		cairn_buf_free(&der);
	}
	cairn_buf_free(&raw);
	cairn_error_clear();
	return 0;
}
