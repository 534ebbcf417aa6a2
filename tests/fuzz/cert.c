/* libFuzzer target: certificate DER loading, identity extraction, SCT parsing and chain building
 * must never crash or leak. Every certificate that loads goes through the identity reader, the
 * identity policy (with a regexp), the embedded SCT check and the chain check against the embedded
 * public-good root, so the parsers of SANs, Fulcio extensions and SCT lists all see fuzzed input. */
#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/trustroot.h"

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cairn_trusted_root *root;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (root == NULL && cairn_trusted_root_public_good(&root) != 0)
		__builtin_trap();
	cairn_cert *cert = NULL;
	if (cairn_cert_load_der(&cert, data, size, "fuzz") != 0)
		return 0;
	cairn_cert_identity id;
	if (cairn_cert_get_identity(cert, &id) == 0)
		cairn_cert_identity_free(&id);
	cairn_identity_policy policy = {NULL, "https://github\\.com/.*", "https://token.actions.githubusercontent.com",
					NULL};
	(void)cairn_identity_policy_check(&policy, cert);
	cairn_cert *issuer = NULL;
	unsigned char *der = NULL;
	int len = i2d_X509(root->cas[1].chain[0], &der);
	if (len > 0 && cairn_cert_load_der(&issuer, der, (size_t)len, "issuer") == 0) {
		(void)cairn_cert_verify_scts(cert, issuer, root, 1);
		cairn_cert_free(issuer);
	}
	OPENSSL_free(der);
	(void)cairn_cert_verify_chain(cert, &cert, 1, root, cairn_cert_not_before(cert));
	(void)cairn_cert_verify_chain(cert, NULL, 0, root, cairn_cert_not_before(cert));
	cairn_cert_free(cert);
	return 0;
}
