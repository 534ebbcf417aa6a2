/* libFuzzer target: a Java archive (zip bytes, with nested archives, pom.properties, pom.xml and
 * MANIFEST.MF inside), and the same bytes read as each metadata file alone, must never crash, leak or
 * produce an SBOM the writers cannot write. Limits are small so nesting and bounds are reached. */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "sbom/java_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	java_meta m;
	memset(&m, 0, sizeof m);
	java_parse_properties(&m, (const char *)data, size);
	java_parse_manifest(&m, (const char *)data, size);
	java_parse_pom_xml(&m, (const char *)data, size, "pom.xml");
	java_meta_clear(&m);

	cairn_sbom *sbom;
	if (cairn_sbom_new(&sbom) != 0)
		return 0;
	sbom_java_limits lim;
	sbom_java_limits_default(&lim);
	lim.max_total = (uint64_t)16 * 1024 * 1024;
	lim.max_nested = (uint64_t)4 * 1024 * 1024;
	lim.max_entries = 10000;
	if (sbom_java_parse_archive(sbom, data, size, "/app/app-1.0.war", NULL, &lim) == 0) {
		cairn_buf out = CAIRN_BUF_INIT;
		if (cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out) != 0 || cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out) != 0)
			__builtin_trap();
		cairn_buf_free(&out);
	}
	cairn_sbom_free(sbom);
	cairn_error_clear();
	return 0;
}
