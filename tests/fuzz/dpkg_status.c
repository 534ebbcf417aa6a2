/* libFuzzer target: a dpkg status file (and the copyright and list files read beside it) must never
 * crash, leak or produce an SBOM the writers cannot write, whatever the bytes. */
#include "cairn/error.h"
#include "cairn/sbom.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_sbom *sbom;
	if (cairn_sbom_new(&sbom) != 0)
		return 0;
	if (cairn_sbom_parse_dpkg_status(sbom, (const char *)data, size, "/var/lib/dpkg/status", "sha256:00") == 0) {
		/* every package found gets the stanza's text as licenses too: the license parser fuzzed alike */
		for (size_t i = 0; i < cairn_sbom_package_count(sbom) && i < 4; i++) {
			cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
			if (cairn_sbom_add_license(sbom, p, p->version, 1) != 0 || cairn_sbom_add_license(sbom, p, p->name, 0) != 0)
				__builtin_trap();
		}
		cairn_buf out = CAIRN_BUF_INIT;
		if (cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out) != 0 || cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out) != 0)
			__builtin_trap();
		cairn_buf_free(&out);
	}
	cairn_sbom_free(sbom);
	cairn_error_clear();
	return 0;
}
