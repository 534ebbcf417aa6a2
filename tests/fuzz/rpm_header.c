/* libFuzzer target: any bytes as an RPM header blob, an NDB Packages.db and a BerkeleyDB Packages must never crash, leak,
 * read outside the input or produce an SBOM the writers cannot write. (SQLite files are SQLite's own
 * fuzzing business; the blobs they hold come here.) */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_sbom *sbom;
	sbom_rpm *rpm;
	if (cairn_sbom_new(&sbom) != 0)
		return 0;
	if (sbom_rpm_new(&rpm, sbom) != 0) {
		cairn_sbom_free(sbom);
		return 0;
	}
	if (sbom_rpm_add_header(rpm, data, size, "/var/lib/rpm/rpmdb.sqlite", "sha256:00") != 0 ||
	    sbom_rpm_parse_ndb(rpm, data, size, "/var/lib/rpm/Packages.db", NULL) != 0 ||
	    sbom_rpm_parse_bdb(rpm, data, size, "/var/lib/rpm/Packages", NULL) != 0 || sbom_rpm_resolve(rpm) != 0)
		__builtin_trap(); /* malformed input is a warning, never a failure */
	sbom_rpm_free(rpm);
	cairn_buf out = CAIRN_BUF_INIT;
	if (cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out) != 0 || cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out) != 0)
		__builtin_trap();
	cairn_buf_free(&out);
	cairn_sbom_free(sbom);
	cairn_error_clear();
	return 0;
}
