/* Verifying a signing certificate's chain to a trusted Fulcio CA, as the Sigstore client
 * specification asks: at the verified signing time, to a CA whose validFor window holds that time,
 * with the digitalSignature key usage and the codeSigning extended key usage, and without a root
 * certificate smuggled in with the bundle's intermediates.
 *
 * For each CA we build a fresh X509_STORE. When the CA's chain links up (cairn_trusted_ca_chain_checked,
 * worked out once per CA), every certificate of it is a trust anchor: the leaf then costs one
 * signature check against its issuing intermediate instead of re-checking the intermediate against
 * the root for every bundle, and what the skipped part of the path still depends on (validity at the
 * signing time, path length) is checked by hand. Otherwise the last certificate is the one anchor and
 * the CA's other certificates are untrusted helpers. The bundle's intermediates are always untrusted
 * helpers. A store costs a few allocations, small next to a signature check, and keeps the function
 * free of shared mutable state. */
#include "cairn/cert.h"
#include "cairn/error.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <time.h>

/* Fulcio chains are leaf, intermediate, root; a longer path is not one we need to follow. */
#define CHAIN_MAX_DEPTH 8
#define INTERMEDIATES_MAX 8

/* "2024-05-07T15:18:10Z" */
static void format_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%lld (Unix time)", (long long)t);
}

/* The leaf's own checks, each with its own message: validity at `at`, key usage, EKU. */
static int check_leaf(const cairn_cert *leaf, int64_t at)
{
	char when[64], limit[64];
	format_time(at, when, sizeof when);
	if (at < cairn_cert_not_before(leaf)) {
		format_time(cairn_cert_not_before(leaf), limit, sizeof limit);
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate was not yet valid at the signing time %s (it is valid from %s)", when,
				       limit);
	}
	if (at > cairn_cert_not_after(leaf)) {
		format_time(cairn_cert_not_after(leaf), limit, sizeof limit);
		return cairn_error_set(CAIRN_EVERIFY, "certificate expired at %s before the signing time %s", limit,
				       when);
	}
	X509 *x = cairn_cert_x509(leaf);
	/* X509_get_extension_flags also makes OpenSSL parse (and cache) the extensions; a certificate
	 * whose extensions cannot be parsed is marked invalid. */
	uint32_t flags = X509_get_extension_flags(x);
	if (flags & EXFLAG_INVALID) {
		ERR_clear_error();
		return cairn_error_set(CAIRN_EVERIFY, "certificate has malformed extensions");
	}
	if (!(flags & EXFLAG_KUSAGE) || !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE))
		return cairn_error_set(CAIRN_EVERIFY, "certificate lacks the digitalSignature key usage");
	if (!(flags & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(x) & XKU_CODE_SIGN))
		return cairn_error_set(CAIRN_EVERIFY, "certificate lacks the code signing extended key usage");
	return 0;
}

static void describe_subject(X509 *x, char *buf, size_t size)
{
	if (X509_NAME_oneline(X509_get_subject_name(x), buf, (int)size) == NULL)
		snprintf(buf, size, "(unreadable name)");
}

/* OpenSSL treats notAfter as exclusive; RFC 5280 (4.1.2.5) and the other Sigstore clients treat it
 * as the last valid second. So an "expired" verdict at exactly notAfter is overruled. */
static int inclusive_not_after(int ok, X509_STORE_CTX *ctx)
{
	if (ok || X509_STORE_CTX_get_error(ctx) != X509_V_ERR_CERT_HAS_EXPIRED)
		return ok;
	X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
	time_t at = X509_VERIFY_PARAM_get_time(X509_STORE_CTX_get0_param(ctx));
	if (cert != NULL && ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert), at) == 0) {
		X509_STORE_CTX_set_error(ctx, X509_V_OK);
		return 1;
	}
	return ok;
}

/* Where cert sits in the CA's chain, or -1. */
static int chain_index(const cairn_trusted_ca *ca, X509 *cert)
{
	for (size_t i = 0; i < ca->chain_len; i++)
		if (X509_cmp(ca->chain[i], cert) == 0)
			return (int)i;
	return -1;
}

/* Whether x is one of the trusted root's CA certificates, byte for byte. */
static int is_trusted_ca_cert(const cairn_trusted_root *root, X509 *x)
{
	for (size_t i = 0; i < root->ca_count; i++)
		if (chain_index(&root->cas[i], x) >= 0)
			return 1;
	return 0;
}

/* The bundle must carry intermediates only: a root there would let the bundle vouch for itself
 * if a verifier ever trusted what the bundle brings. One exception, because npm's sigstore-js wrote
 * such v0.1 bundles: the complete chain ending in its root, when that root is byte for byte one the
 * trusted root already holds (it then adds nothing). A root anywhere else is refused. */
static int check_intermediates(cairn_cert *const *intermediates, size_t count, const cairn_trusted_root *root)
{
	if (count > INTERMEDIATES_MAX)
		return cairn_error_set(CAIRN_EVERIFY, "the bundle carries %zu chain certificates, more than the limit of %d",
				       count, INTERMEDIATES_MAX);
	for (size_t i = 0; i < count; i++) {
		X509 *x = cairn_cert_x509(intermediates[i]);
		if (X509_self_signed(x, 0) == 1 && !(i == count - 1 && is_trusted_ca_cert(root, x))) {
			char name[256];
			describe_subject(x, name, sizeof name);
			ERR_clear_error();
			return cairn_error_set(CAIRN_EVERIFY,
					       "the bundle's certificate chain contains a self-signed root certificate (%s)%s; a bundle must not carry the root, which comes only from the trusted root",
					       name, i == count - 1 ? " that the trusted root does not hold" : " before its end");
		}
	}
	ERR_clear_error();
	return 0;
}


/* A path that stopped at an intermediate of a CA whose chain was checked once for all
 * (cairn_trusted_ca_chain_checked) skipped the CA's certificates above that anchor. Their signatures
 * were checked then; what
 * depends on this path is checked here, as OpenSSL would had it walked up to the root: each is valid
 * at `at` (notAfter inclusive, as in inclusive_not_after) and no path length constraint is exceeded.
 * Self-issued certificates are counted too, which can only make this stricter. */
static int check_ancestors(X509_STORE_CTX *ctx, const cairn_trusted_ca *ca, int64_t at, int *reason)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
	int depth = path != NULL ? sk_X509_num(path) : 0;
	int anchor = depth > 0 ? chain_index(ca, sk_X509_value(path, depth - 1)) : -1;
	if (anchor < 0) {
		*reason = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
		return CAIRN_EVERIFY;
	}
	for (size_t j = (size_t)anchor + 1; j < ca->chain_len; j++) {
		X509 *x = ca->chain[j];
		int after_start = ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), (time_t)at);
		int before_end = ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), (time_t)at);
		if (after_start == -2 || before_end == -2)
			*reason = X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD;
		else if (after_start > 0)
			*reason = X509_V_ERR_CERT_NOT_YET_VALID;
		else if (before_end < 0)
			*reason = X509_V_ERR_CERT_HAS_EXPIRED;
		/* certificates between the leaf and x: the path's (the leaf aside) and the CA's skipped ones */
		long below = (long)(depth - 1) + (long)(j - (size_t)anchor - 1);
		long pathlen = X509_get_pathlen(x);
		if (*reason == X509_V_OK && pathlen >= 0 && below > pathlen)
			*reason = X509_V_ERR_PATH_LENGTH_EXCEEDED;
		if (*reason != X509_V_OK)
			return CAIRN_EVERIFY;
	}
	return 0;
}

/* Verifies leaf against one CA; returns 0 or sets *reason to OpenSSL's verdict. */
static int verify_with_ca(X509 *leaf, cairn_cert *const *intermediates, size_t count, const cairn_trusted_ca *ca,
			  int64_t at, int *reason)
{
	*reason = X509_V_OK;
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err = CAIRN_EINTERNAL, ok = 0;
	if (store == NULL || untrusted == NULL || ctx == NULL)
		goto done;
	/* A chain checked at load: all its certificates are anchors, so the path ends at the first one
	 * reached (the issuing intermediate) and only the bundle's own certificates are checked here.
	 * Otherwise the last certificate is the one anchor and the others are helpers. */
	int anchored = cairn_trusted_ca_chain_checked(ca);
	size_t first_anchor = anchored ? 0 : ca->chain_len - 1;
	for (size_t i = 0; i < ca->chain_len; i++) {
		if (i >= first_anchor ? X509_STORE_add_cert(store, ca->chain[i]) != 1 : !sk_X509_push(untrusted, ca->chain[i]))
			goto done;
	}
	for (size_t i = 0; i < count; i++)
		if (!sk_X509_push(untrusted, cairn_cert_x509(intermediates[i])))
			goto done;
	if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
		goto done;
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, (time_t)at);
	X509_VERIFY_PARAM_set_depth(param, CHAIN_MAX_DEPTH);
	/* The CA's last certificate is the anchor even when it is not self-signed (a CA that lists
	 * only an intermediate). Only certificates in the store are ever anchors. */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_CTX_set_verify_cb(ctx, inclusive_not_after);
	ok = X509_verify_cert(ctx) == 1;
	err = 0;
	if (!ok)
		*reason = X509_STORE_CTX_get_error(ctx);
	else if (anchored)
		ok = check_ancestors(ctx, ca, at, reason) == 0;
done:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* the certificates belong to their owners */
	X509_STORE_free(store);
	ERR_clear_error();
	if (err)
		return cairn_error_set(CAIRN_EINTERNAL, "cannot set up certificate chain verification");
	return ok ? 0 : CAIRN_EVERIFY;
}

int cairn_cert_verify_chain(const cairn_cert *leaf, cairn_cert *const *intermediates, size_t count,
			    const cairn_trusted_root *root, int64_t at)
{
	if (leaf == NULL || root == NULL || (count > 0 && intermediates == NULL))
		return cairn_error_set(CAIRN_EINVAL, "certificate chain verification needs a certificate and a trusted root");
	int err = check_intermediates(intermediates, count, root);
	if (!err)
		err = check_leaf(leaf, at);
	if (err)
		return err;
	char when[64];
	format_time(at, when, sizeof when);
	size_t tried = 0;
	int reason = X509_V_OK;
	for (size_t i = 0; i < root->ca_count; i++) {
		const cairn_trusted_ca *ca = &root->cas[i];
		if (ca->chain_len == 0 || !cairn_validity_contains(&ca->valid, at))
			continue;
		tried++;
		int ca_reason;
		err = verify_with_ca(cairn_cert_x509(leaf), intermediates, count, ca, at, &ca_reason);
		if (err == 0)
			return 0;
		if (err != CAIRN_EVERIFY)
			return err;
		/* Keep the most telling reason: one that is not "no path to this CA". */
		if (reason == X509_V_OK || ca_reason != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
			reason = ca_reason;
	}
	if (tried == 0)
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate was not issued by a trusted Fulcio CA: no certificate authority in the trusted root is valid at the signing time %s",
				       when);
	switch (reason) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate was not issued by a trusted Fulcio CA valid at the signing time %s: a CA certificate in the chain %s",
				       when, reason == X509_V_ERR_CERT_HAS_EXPIRED ? "had expired" : "was not yet valid");
	default:
		return cairn_error_set(CAIRN_EVERIFY, "certificate was not issued by a trusted Fulcio CA (%s)",
				       X509_verify_cert_error_string(reason));
	}
}
