/* libFuzzer target: Sigstore bundles must never crash or leak, whatever the bytes. A bundle that
 * parses is also verified against the embedded public-good root for a fixed artifact digest, with
 * an identity policy and (on alternate inputs) a managed key, so the log-entry, checkpoint,
 * timestamp, certificate and signature paths all run on fuzzed data. Verification of fuzzed data
 * must fail: a bundle that verifies would be a forgery of a real signature over this digest. */
#include "cairn/bundle.h"
#include "cairn/error.h"
#include "cairn/key.h"
#include "cairn/trustroot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cairn_trusted_root *root;
static cairn_key *key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (root == NULL && (cairn_trusted_root_public_good(&root) != 0 || cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256) != 0))
		abort();
	cairn_bundle *bundle;
	if (cairn_bundle_parse(&bundle, data, size, "fuzz") != 0)
		return 0;
	static const char digest[] = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	if (cairn_digest_parse(digest, strlen(digest), &artifact.digest) != 0)
		abort();
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	if (size % 2)
		options.key = key;
	options.identity.identity_regexp = ".*";
	options.identity.issuer_regexp = ".*";
	cairn_bundle_result result;
	if (cairn_bundle_verify(bundle, root, &artifact, &options, &result) == 0)
		__builtin_trap();
	cairn_bundle_free(bundle);
	return 0;
}
