/* libFuzzer target: what cairn reads of attestations from a registry or a file must never crash or
 * leak. The first byte picks the reader: a .att layer blob (a DSSE envelope verified against a fixed
 * key, image digest and type), an existing .att manifest to append to, an existing referrers
 * fallback index to add to, a predicate file checked against a type, or an attestation bundle. */
#include "cairn/attest.h"
#include "cairn/bundle.h"
#include "cairn/error.h"
#include "cairn/key.h"
#include "cairn/trustroot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cairn_key *key;
static cairn_trusted_root *root;

static const char referrer[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":"
	"\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"annotations\":{\"dev.sigstore.bundle.predicateType\":"
	"\"https://cyclonedx.org/bom\"}}";

static const char *const types[] = {
	"https://cyclonedx.org/bom", "https://spdx.dev/Document", "https://slsa.dev/provenance/v1",
	"https://slsa.dev/provenance/v0.2", "https://openvex.dev/ns", "https://example.com/any",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (key == NULL && (cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256) != 0 || cairn_trusted_root_public_good(&root) != 0))
		abort();
	if (size == 0)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	cairn_digest image;
	memset(&image, 0, sizeof image);
	image.alg = CAIRN_DIGEST_SHA256;
	image.len = 32;
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT;
	int added = 0;
	switch (data[0] % 5) {
	case 0: {
		cairn_attest_verify_options o;
		memset(&o, 0, sizeof o);
		o.key = key;
		o.type = "cyclonedx";
		cairn_attest_verified v;
		if (cairn_attest_verify_envelope(text, len, &image, &o, &v) == 0)
			cairn_attest_verified_free(&v);
		break;
	}
	case 1:
		cairn_attest_manifest_append(text, len, "{}", 2, "https://cyclonedx.org/bom", &a, &b, &added);
		break;
	case 2:
		cairn_attest_fallback_index_add(text, len, referrer, sizeof referrer - 1, &a, &added);
		break;
	case 3: {
		json_t *p = NULL;
		const char *type = types[(data[0] / 5) % (sizeof types / sizeof types[0])];
		if (cairn_attest_predicate_parse(&p, text, len, type, "fuzz") == 0)
			json_decref(p);
		break;
	}
	default: {
		cairn_attest_verify_options o;
		memset(&o, 0, sizeof o);
		o.key = key;
		o.type = "slsaprovenance";
		o.allow_missing_tlog = 1;
		o.root = root;
		cairn_bundle_artifact artifact;
		memset(&artifact, 0, sizeof artifact);
		artifact.digest = image;
		cairn_attest_verify_bundle(text, len, &artifact, &o, NULL);
		break;
	}
	}
	cairn_buf_free(&a);
	cairn_buf_free(&b);
	cairn_error_clear();
	return 0;
}
