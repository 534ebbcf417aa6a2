/* libFuzzer target: reading a CycloneDX or SPDX document must never crash or leak, and whatever it
 * accepts the writers must be able to write. */
#include "cairn/error.h"
#include "cairn/sbom.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_sbom *sbom;
	if (cairn_sbom_read(&sbom, data, size, "fuzz.json") == 0) {
		cairn_buf out = CAIRN_BUF_INIT;
		if (cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out) != 0 || cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out) != 0 ||
		    cairn_sbom_write(sbom, CAIRN_SBOM_TABLE, &out) != 0)
			__builtin_trap();
		cairn_buf_free(&out);
		cairn_sbom_free(sbom);
	}
	/* and a purl made of the same bytes */
	char *text = malloc(size + 1);
	if (text != NULL) {
		for (size_t i = 0; i < size; i++)
			text[i] = data[i] ? (char)data[i] : ' ';
		text[size] = '\0';
		cairn_purl purl;
		if (cairn_purl_parse(&purl, text) == 0)
			cairn_purl_clear(&purl);
		free(text);
	}
	cairn_error_clear();
	return 0;
}
