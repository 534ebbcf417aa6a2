/* libFuzzer target: npm attestation documents (verify-provenance --attestations), verified against
 * the embedded public-good root for a fixed tarball digest. */
#include "cairn/error.h"
#include "cairn/provenance.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cairn_trusted_root *root;
	if (root == NULL && cairn_trusted_root_public_good(&root) != 0)
		return 0;
	cairn_provenance_expect e;
	memset(&e, 0, sizeof e);
	cairn_digest_compute(CAIRN_DIGEST_SHA512, "package", 7, &e.artifact);
	e.source_uri = "github.com/o/r";
	e.builder_id = "https://github.com/actions/runner/github-hosted";
	e.package_name = "@o/r";
	e.package_version = "1.0.0";
	cairn_provenance_result r;
	memset(&r, 0, sizeof r);
	cairn_provenance_verify_npm(data, size, "fuzz", root, NULL, 1700000000, &e, &r);
	cairn_provenance_result_free(&r);
	return 0;
}
