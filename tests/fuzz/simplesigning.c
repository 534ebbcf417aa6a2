/* libFuzzer target: cosign simple-signing payloads and .sig manifests must never crash or leak.
 * The first byte chooses: parse the rest as a payload (and, when it parses, check that the payload
 * cairn writes for the same reference and digest parses back to them), or append a signature to the
 * rest taken as an existing .sig manifest. */
#include "cairn/cosign.h"
#include "cairn/error.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_payload(const uint8_t *data, size_t size)
{
	cairn_cosign_payload p;
	if (cairn_cosign_payload_parse(&p, data, size, "fuzz") != 0)
		return;
	cairn_buf out = CAIRN_BUF_INIT;
	if (cairn_cosign_payload_make(p.docker_reference, &p.image, &out) == 0) {
		cairn_cosign_payload back;
		if (cairn_cosign_payload_parse(&back, out.data, out.len, "fuzz round trip") != 0)
			__builtin_trap(); /* cairn cannot read what it wrote */
		if (strcmp(back.docker_reference, p.docker_reference) != 0 || cairn_digest_equal(&back.image, &p.image) != 0)
			__builtin_trap();
		cairn_cosign_payload_free(&back);
	}
	cairn_buf_free(&out);
	cairn_cosign_payload_free(&p);
}

static void check_manifest(const uint8_t *data, size_t size)
{
	static const char payload[] = "{}";
	cairn_cosign_signature sig = {(const uint8_t *)payload, 2, "c2ln", NULL, NULL, NULL};
	cairn_buf manifest = CAIRN_BUF_INIT, config = CAIRN_BUF_INIT;
	int added = 0;
	if (cairn_cosign_manifest_append(data, size, &sig, &manifest, &config, &added) == 0 && added) {
		/* appending the same signature to the result must find it there */
		cairn_buf m2 = CAIRN_BUF_INIT, c2 = CAIRN_BUF_INIT;
		int again = 1;
		if (cairn_cosign_manifest_append(manifest.data, manifest.len, &sig, &m2, &c2, &again) != 0 || again)
			__builtin_trap();
		cairn_buf_free(&m2);
		cairn_buf_free(&c2);
	}
	cairn_buf_free(&manifest);
	cairn_buf_free(&config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		check_payload(data + 1, size - 1);
	else
		check_manifest(data + 1, size - 1);
	cairn_error_clear();
	return 0;
}
