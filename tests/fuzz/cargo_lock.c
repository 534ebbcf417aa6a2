/* libFuzzer target: any bytes as a Cargo.lock must never crash, leak, read outside the input or produce
 * an SBOM the writers cannot write; malformed files are warnings, never failures. */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_sbom *sbom;
	if (cairn_sbom_new(&sbom) != 0)
		return 0;
	if (sbom_rust_parse_lock(sbom, (const char *)data, size, "/src/Cargo.lock", NULL) != 0 || sbom_cpe_generate(sbom) != 0)
		__builtin_trap();
	cairn_buf out = CAIRN_BUF_INIT;
	if (cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out) != 0 || cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out) != 0)
		__builtin_trap();
	cairn_buf_free(&out);
	cairn_sbom_free(sbom);
	cairn_error_clear();
	return 0;
}
