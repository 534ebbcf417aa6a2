/* RFC 3161 signed timestamps in a bundle, checked with OpenSSL's TS API against the trusted root's
 * timestamp authorities.
 *
 * A timestamp vouches for a signing time only when: it is a granted response whose token is signed
 * by a TSA of the trusted root (its certificate chains to that TSA's root, verified at the
 * timestamp's own time, so a TSA certificate that has expired since still counts); the TSA's
 * validFor window in the trusted root contains that time; and its message imprint is the digest of
 * the bundle's signature bytes, so it stamps this signature and no other. */
#include "verify_internal.h"

#include "cairn/error.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <string.h>
#include <time.h>

/* A parsed timestamp: a response keeps its token and timestamp information itself (OpenSSL parses
 * both with the response), so they are borrowed from it rather than copied; a bare token owns its
 * information. */
struct parsed_token {
	TS_RESP *resp;     /* NULL for a bare token */
	PKCS7 *token;      /* resp's, or owned */
	TS_TST_INFO *info; /* resp's, or owned */
};

static void parsed_token_free(struct parsed_token *t)
{
	if (t->resp != NULL) {
		TS_RESP_free(t->resp);
	} else {
		TS_TST_INFO_free(t->info);
		PKCS7_free(t->token);
	}
	memset(t, 0, sizeof *t);
}

/* The response, or a bare token (ContentInfo) as some writers store it. */
static int load_token(const cairn_buf *der, size_t index, struct parsed_token *out)
{
	memset(out, 0, sizeof *out);
	const unsigned char *p = der->data;
	TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)der->len);
	if (resp != NULL && p == der->data + der->len) {
		const ASN1_INTEGER *status = TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp));
		long s = ASN1_INTEGER_get(status);
		PKCS7 *token = TS_RESP_get_token(resp);
		if ((s != 0 && s != 1) || token == NULL) {
			TS_RESP_free(resp);
			return cairn_error_set(CAIRN_EVERIFY, "timestamp %zu: the timestamp authority did not grant it", index);
		}
		out->resp = resp;
		out->token = token;
		out->info = TS_RESP_get_tst_info(resp);
	} else {
		TS_RESP_free(resp);
		ERR_clear_error();
		p = der->data;
		out->token = d2i_PKCS7(NULL, &p, (long)der->len);
		if (out->token != NULL && p != der->data + der->len) {
			PKCS7_free(out->token);
			out->token = NULL;
		}
		if (out->token == NULL)
			return cairn_error_set_openssl(CAIRN_EVERIFY, "timestamp %zu is not an RFC 3161 timestamp response",
						       index);
		out->info = PKCS7_to_TS_TST_INFO(out->token);
	}
	if (out->info == NULL) {
		parsed_token_free(out);
		return cairn_error_set_openssl(CAIRN_EVERIFY, "timestamp %zu holds no timestamp information", index);
	}
	return 0;
}

static int gen_time(const TS_TST_INFO *info, int64_t *out)
{
	struct tm tm;
	const ASN1_GENERALIZEDTIME *t = TS_TST_INFO_get_time(info);
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return CAIRN_EINVAL;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Whether the TSA's own certificate may be the trust anchor: its chain links up (checked once per TSA
 * by cairn_trusted_ca_chain_checked, so its signature by the root is known good), and it is a leaf
 * (not a CA) directly under the root. Then a token signed with that very certificate costs one
 * signature check (the token's) instead of two. Longer chains take the general path. */
static int leaf_is_anchor(const cairn_trusted_ca *tsa)
{
	return tsa->chain_len == 2 && X509_check_ca(tsa->chain[0]) == 0 && cairn_trusted_ca_chain_checked(tsa);
}

/* The root's validity at `at`, which OpenSSL does not see when the path stops at the TSA's
 * certificate: judged as OpenSSL judges it (X509_cmp_time). */
static int root_valid_at(const cairn_trusted_ca *tsa, int64_t at)
{
	X509 *root = tsa->chain[tsa->chain_len - 1];
	time_t t = (time_t)at;
	int started = X509_cmp_time(X509_get0_notBefore(root), &t);
	int ended = X509_cmp_time(X509_get0_notAfter(root), &t);
	return started < 0 && ended > 0;
}

/* Verifies token against one TSA: signature, imprint over data, and the chain at time `at`. With
 * leaf_anchor, the TSA's certificate is the one trust anchor (OpenSSL takes a leaf as its own anchor
 * only when no issuer of it is in the store, so the root stays out); otherwise the root is, and the
 * chain's other certificates are helpers. */
static int verify_token(PKCS7 *token, const cairn_trusted_ca *tsa, const cairn_buf *data, int64_t at, int leaf_anchor)
{
	TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	BIO *bio = BIO_new_mem_buf(data->data, (int)data->len);
	int ok = ctx && store && untrusted && bio;
	/* the last certificate of the TSA's chain is its root; the others are intermediates and the leaf */
	if (ok)
		ok = X509_STORE_add_cert(store, tsa->chain[leaf_anchor ? 0 : tsa->chain_len - 1]) == 1;
	/* the token may not carry its signer's certificate: it is found among these */
	for (size_t i = 0; ok && i + 1 < tsa->chain_len; i++) {
		ok = X509_up_ref(tsa->chain[i]) == 1;
		if (ok && !sk_X509_push(untrusted, tsa->chain[i])) {
			X509_free(tsa->chain[i]);
			ok = 0;
		}
	}
	if (ok) {
		X509_VERIFY_PARAM *param = X509_STORE_get0_param(store);
		X509_VERIFY_PARAM_set_time(param, (time_t)at);
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
		TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
		TS_VERIFY_CTX_set_store(ctx, store);
		TS_VERIFY_CTX_set_certs(ctx, untrusted);
		TS_VERIFY_CTX_set_data(ctx, bio);
		store = NULL; /* the context owns them now */
		untrusted = NULL;
		bio = NULL;
		ok = TS_RESP_verify_token(ctx, token) == 1;
	}
	ERR_clear_error();
	TS_VERIFY_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(untrusted, X509_free);
	BIO_free(bio);
	return ok ? 0 : CAIRN_EVERIFY;
}

/* The TSA's own certificate as anchor first (one signature check); when that does not verify (a
 * token signed by another certificate of the TSA, say), the whole chain as before. */
static int verify_with_tsa(PKCS7 *token, const cairn_trusted_ca *tsa, const cairn_buf *data, int64_t at)
{
	if (tsa->chain_len == 0)
		return CAIRN_EVERIFY;
	if (leaf_is_anchor(tsa) && root_valid_at(tsa, at) && verify_token(token, tsa, data, at, 1) == 0)
		return 0;
	ERR_clear_error();
	return verify_token(token, tsa, data, at, 0);
}

int timestamp_verify(const cairn_buf *response, size_t index, const cairn_trusted_root *root,
		     const cairn_buf *signed_bytes, int64_t *time_out)
{
	*time_out = 0;
	struct parsed_token parsed;
	int err = load_token(response, index, &parsed);
	if (err)
		return err;
	PKCS7 *token = parsed.token;
	const TS_TST_INFO *info = parsed.info;
	int64_t at = 0;
	if (gen_time(info, &at) != 0) {
		err = cairn_error_set(CAIRN_EVERIFY, "timestamp %zu has an unreadable time", index);
	} else {
		size_t in_window = 0;
		err = CAIRN_EVERIFY;
		for (size_t i = 0; err && i < root->tsa_count; i++) {
			if (!cairn_validity_contains(&root->tsas[i].valid, at))
				continue;
			in_window++;
			err = verify_with_tsa(token, &root->tsas[i], signed_bytes, at);
		}
		if (err && root->tsa_count == 0)
			err = cairn_error_set(CAIRN_EVERIFY, "timestamp %zu cannot be checked: the trusted root lists no timestamp "
							     "authorities",
					      index);
		else if (err && in_window == 0)
			err = cairn_error_set(CAIRN_EVERIFY,
					      "timestamp %zu: its time is outside the validity of every timestamp authority in the "
					      "trusted root",
					      index);
		else if (err)
			err = cairn_error_set(CAIRN_EVERIFY,
					      "timestamp %zu does not verify: it is not signed by a trusted timestamp authority "
					      "whose certificate was valid at its time, or it stamps other data than this "
					      "bundle's signature",
					      index);
	}
	if (!err)
		*time_out = at;
	parsed_token_free(&parsed);
	return err;
}
