/* libFuzzer target: an OpenVEX document must never crash, leak or hang the VEX reader, whatever the
 * bytes; a document it accepts must answer lookups, and one it refuses must leave nothing behind. */
#include "cairn/error.h"
#include "cairn/scan.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_vex *vex;
	if (cairn_vex_new(&vex) != 0)
		return 0;
	const char *image[] = {"sha256:abcd", NULL};
	if (cairn_vex_read(vex, data, size, "fuzz.vex.json") == 0) {
		cairn_vex_find(vex, "CVE-2024-0001", "GHSA-aaaa-bbbb-cccc, PYSEC-2024-1", "pkg:pypi/a@1.0?x=y", image);
		cairn_vex_find(vex, "CVE-2024-0001", NULL, "not a purl", NULL);
	} else if (cairn_vex_statement_count(vex) != 0) {
		__builtin_trap(); /* a refused document keeps nothing */
	}
	cairn_vex_free(vex);
	cairn_error_clear();
	return 0;
}
