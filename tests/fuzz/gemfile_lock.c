/* libFuzzer target: a Gemfile.lock must never crash, leak or produce an SBOM the writers cannot write,
 * whatever the bytes. */
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
	if (sbom_ruby_parse_gemfile_lock(sbom, (const char *)data, size, "/app/Gemfile.lock", NULL) == 0) {
		cairn_buf out = CAIRN_BUF_INIT;
		if (cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out) != 0 || cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out) != 0)
			__builtin_trap();
		cairn_buf_free(&out);
	}
	cairn_sbom_free(sbom);
	cairn_error_clear();
	return 0;
}
