/* cairn/cert.h - X.509 certificates as Sigstore uses them.
 *
 * Fulcio issues short-lived code-signing certificates whose Subject Alternative Name is the signer's
 * identity (an email, a URI such as a GitHub workflow, or an otherName username) and whose extensions
 * under 1.3.6.1.4.1.57264.1 record the OIDC issuer and, for CI identities, the build's details. This
 * module loads certificates, verifies a leaf's chain to a trusted Fulcio CA at a given time, verifies
 * its embedded SCTs against trusted CT logs, and checks an identity policy. */
#ifndef CAIRN_CERT_H
#define CAIRN_CERT_H

#include "cairn/buf.h"
#include "cairn/key.h"
#include "cairn/trustroot.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cairn_cert cairn_cert;

int cairn_cert_load_der(cairn_cert **out, const void *der, size_t len, const char *what);
/* The first CERTIFICATE block of a PEM text. */
int cairn_cert_load_pem(cairn_cert **out, const void *pem, size_t len, const char *what);
void cairn_cert_free(cairn_cert *cert);
struct x509_st *cairn_cert_x509(const cairn_cert *cert); /* borrowed */
int cairn_cert_public_key(const cairn_cert *cert, cairn_key **out);
int64_t cairn_cert_not_before(const cairn_cert *cert);
int64_t cairn_cert_not_after(const cairn_cert *cert);
/* Appends the DER encoding. */
int cairn_cert_der(const cairn_cert *cert, cairn_buf *out);

/* Verifies that leaf (with the untrusted intermediates the bundle carried, possibly none) chains to
 * one of the root's Fulcio CAs, at time `at` (Unix seconds), with the CA valid (validFor) at that
 * time; that the leaf has digitalSignature key usage and the codeSigning extended key usage; and that
 * `intermediates` does not contain a self-signed root (except, last, one the trusted root holds byte for
 * byte, as npm's v0.1 bundles carry). Fails with CAIRN_EVERIFY and the reason. */
int cairn_cert_verify_chain(const cairn_cert *leaf, cairn_cert *const *intermediates, size_t count,
			    const cairn_trusted_root *root, int64_t at);

/* Verifies the SCTs embedded in leaf (RFC 6962 section 3.3, the precertificate reconstructed by
 * removing the SCT list extension and using the issuer's key hash) against the root's CT logs, valid
 * at the SCT's time. `threshold` verified SCTs are needed (Sigstore: 1). issuer is the certificate that
 * signed leaf. */
int cairn_cert_verify_scts(const cairn_cert *leaf, const cairn_cert *issuer, const cairn_trusted_root *root,
			   size_t threshold);

/* The identity Fulcio put in the certificate. Strings are owned by the struct. */
typedef struct cairn_cert_identity {
	char **sans;        /* every SAN value: emails, URIs, otherName usernames */
	size_t san_count;
	char *issuer;       /* OIDC issuer: 1.3.6.1.4.1.57264.1.8 (v2), else .1.1 (v1); NULL if absent */
	/* Further Fulcio extensions by OID suffix ("1.2" ... "1.22"), for policies; NULL when absent. */
	char *extensions[32];
} cairn_cert_identity;

int cairn_cert_get_identity(const cairn_cert *cert, cairn_cert_identity *out);
void cairn_cert_identity_free(cairn_cert_identity *identity);

/* What a verifier requires of the signer: exact identity or a regular expression (POSIX extended,
 * matched against the whole SAN), and likewise the issuer. At least one of each pair must be set. */
typedef struct cairn_identity_policy {
	const char *identity;
	const char *identity_regexp;
	const char *issuer;
	const char *issuer_regexp;
} cairn_identity_policy;

/* CAIRN_EVERIFY naming what the certificate holds and what was expected when they differ. */
int cairn_identity_policy_check(const cairn_identity_policy *policy, const cairn_cert *leaf);

#endif
