/* Signing and verifying messages and pre-computed digests, and converting ECDSA signatures between
 * DER and raw r||s.
 *
 * Verification fails closed: OpenSSL reports failure as 0 or as a negative number, so anything but 1
 * is "does not verify". ECDSA signatures must be canonical DER: one signature, one encoding, so a
 * signature cannot be altered into another valid-looking one (malleability). */
#include "cairn/error.h"
#include "cairn/sig.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <string.h>

#define ED25519_SIG_SIZE 64
/* Larger than any signature cairn handles (RSA-16384 is 2048 bytes); bounds what reaches a parser. */
#define SIG_MAX 4096
/* The largest ECDSA field: P-521's 66 bytes. */
#define ECDSA_FIELD_MAX 66

static const EVP_MD *evp_md(enum cairn_digest_alg alg)
{
	switch (alg) {
	case CAIRN_DIGEST_SHA256: return EVP_sha256();
	case CAIRN_DIGEST_SHA384: return EVP_sha384();
	case CAIRN_DIGEST_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

static int is_ecdsa(enum cairn_key_type type)
{
	return type == CAIRN_KEY_ECDSA_P256 || type == CAIRN_KEY_ECDSA_P384;
}

static int check_signing_key(const cairn_key *key)
{
	enum cairn_key_type type = cairn_key_get_type(key);
	if (type == CAIRN_KEY_RSA)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "cairn cannot sign with RSA keys (RSA is for verification only)");
	if (type == CAIRN_KEY_UNKNOWN)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "cannot sign with a key of unknown type");
	if (!cairn_key_is_private(key))
		return cairn_error_set(CAIRN_EINVAL, "cannot sign with a public key (the %s key has no private half)",
				       cairn_key_type_name(type));
	return 0;
}

/* A digest's length must be its algorithm's, or the signature would cover something else. */
static int check_digest(const cairn_digest *digest, const EVP_MD **md)
{
	*md = evp_md(digest->alg);
	if (*md == NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "cannot sign or verify a digest of unknown algorithm %d",
				       (int)digest->alg);
	if (digest->len != cairn_digest_alg_size(digest->alg))
		return cairn_error_set(CAIRN_EINVAL, "a %s digest has %zu bytes, not %zu",
				       cairn_digest_alg_name(digest->alg), cairn_digest_alg_size(digest->alg), digest->len);
	return 0;
}

/* OpenSSL wrote `used` bytes into the space reserved after sig's data: make them part of it. */
static int keep_signature(cairn_buf *sig, size_t used)
{
	sig->len += used;
	sig->data[sig->len] = 0;
	return 0;
}

int cairn_sig_sign(const cairn_key *key, const void *msg, size_t len, cairn_buf *sig)
{
	int err = check_signing_key(key);
	if (err)
		return err;
	EVP_PKEY *pkey = cairn_key_evp(key);
	enum cairn_digest_alg alg = cairn_key_default_digest(key);
	const EVP_MD *md = alg == CAIRN_DIGEST_NONE ? NULL : evp_md(alg); /* Ed25519: pure, no digest */
	size_t max = (size_t)EVP_PKEY_get_size(pkey);
	if ((err = cairn_buf_reserve(sig, max)) != 0)
		return err;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t used = max;
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig->data + sig->len, &used, msg, len) != 1 || used > max)
		err = cairn_error_set_openssl(CAIRN_EINTERNAL, "signing with the %s key failed",
					      cairn_key_type_name(cairn_key_get_type(key)));
	else
		err = keep_signature(sig, used);
	EVP_MD_CTX_free(ctx);
	return err;
}

int cairn_sig_sign_digest(const cairn_key *key, const cairn_digest *digest, cairn_buf *sig)
{
	int err = check_signing_key(key);
	if (err)
		return err;
	if (cairn_key_get_type(key) == CAIRN_KEY_ED25519)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "Ed25519 signs whole messages; cannot sign a pre-computed digest");
	const EVP_MD *md;
	if ((err = check_digest(digest, &md)) != 0)
		return err;
	EVP_PKEY *pkey = cairn_key_evp(key);
	size_t max = (size_t)EVP_PKEY_get_size(pkey);
	if ((err = cairn_buf_reserve(sig, max)) != 0)
		return err;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	size_t used = max;
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, md) != 1 ||
	    EVP_PKEY_sign(ctx, sig->data + sig->len, &used, digest->bytes, digest->len) != 1 || used > max)
		err = cairn_error_set_openssl(CAIRN_EINTERNAL, "signing a %s digest with the %s key failed",
					      cairn_digest_alg_name(digest->alg), cairn_key_type_name(cairn_key_get_type(key)));
	else
		err = keep_signature(sig, used);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/* ---- verification ---- */

/* Parses a DER ECDSA-Sig-Value and insists that re-encoding gives back exactly the same bytes:
 * no long-form lengths, no extra leading zeros, no trailing data. */
static int ecdsa_parse_canonical(const uint8_t *der, size_t len, ECDSA_SIG **out)
{
	*out = NULL;
	if (len == 0 || len > SIG_MAX)
		return cairn_error_set(CAIRN_EVERIFY, "signature is not canonical DER (%zu bytes)", len);
	const unsigned char *p = der;
	ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &p, (long)len);
	int canonical = parsed != NULL && p == der + len;
	unsigned char *again = NULL;
	if (canonical) {
		int again_len = i2d_ECDSA_SIG(parsed, &again);
		canonical = again_len > 0 && (size_t)again_len == len && memcmp(again, der, len) == 0;
	}
	OPENSSL_free(again);
	ERR_clear_error();
	if (!canonical) {
		ECDSA_SIG_free(parsed);
		return cairn_error_set(CAIRN_EVERIFY, "signature is not canonical DER");
	}
	*out = parsed;
	return 0;
}

/* Checks the shape of a signature before OpenSSL sees it. */
static int check_signature_form(const cairn_key *key, const uint8_t *sig, size_t sig_len)
{
	enum cairn_key_type type = cairn_key_get_type(key);
	if (type == CAIRN_KEY_UNKNOWN)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "cannot verify with a key of unknown type");
	if (type == CAIRN_KEY_ED25519 && sig_len != ED25519_SIG_SIZE)
		return cairn_error_set(CAIRN_EVERIFY, "an Ed25519 signature has %d bytes, not %zu", ED25519_SIG_SIZE,
				       sig_len);
	if (sig_len == 0 || sig_len > SIG_MAX)
		return cairn_error_set(CAIRN_EVERIFY, "signature does not match (%zu bytes is no valid signature)", sig_len);
	if (is_ecdsa(type)) {
		ECDSA_SIG *parsed;
		int err = ecdsa_parse_canonical(sig, sig_len, &parsed);
		ECDSA_SIG_free(parsed);
		return err;
	}
	return 0;
}

/* RSA keys verify PKCS#1 v1.5, whatever OpenSSL's default for the key might be. */
static int set_rsa_padding(const cairn_key *key, EVP_PKEY_CTX *pctx)
{
	if (cairn_key_get_type(key) != CAIRN_KEY_RSA)
		return 1;
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
}

static int verify_result(int rc)
{
	ERR_clear_error();
	if (rc != 1)
		return cairn_error_set(CAIRN_EVERIFY, "signature does not match");
	return 0;
}

int cairn_sig_verify(const cairn_key *key, const void *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
	int err = check_signature_form(key, sig, sig_len);
	if (err)
		return err;
	enum cairn_digest_alg alg = cairn_key_default_digest(key);
	const EVP_MD *md = alg == CAIRN_DIGEST_NONE ? NULL : evp_md(alg);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	if (ctx == NULL || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, cairn_key_evp(key)) != 1 ||
	    !set_rsa_padding(key, pctx))
		err = cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot start verifying with the %s key",
					      cairn_key_type_name(cairn_key_get_type(key)));
	else
		err = verify_result(EVP_DigestVerify(ctx, sig, sig_len, msg, len));
	EVP_MD_CTX_free(ctx);
	return err;
}

int cairn_sig_verify_digest(const cairn_key *key, const cairn_digest *digest, const uint8_t *sig, size_t sig_len)
{
	if (cairn_key_get_type(key) == CAIRN_KEY_ED25519)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "Ed25519 verifies whole messages; cannot verify against a pre-computed digest");
	const EVP_MD *md;
	int err = check_digest(digest, &md);
	if (!err)
		err = check_signature_form(key, sig, sig_len);
	if (err)
		return err;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, cairn_key_evp(key), NULL);
	if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 || !set_rsa_padding(key, ctx) ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1)
		err = cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot start verifying a %s digest with the %s key",
					      cairn_digest_alg_name(digest->alg), cairn_key_type_name(cairn_key_get_type(key)));
	else
		err = verify_result(EVP_PKEY_verify(ctx, sig, sig_len, digest->bytes, digest->len));
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/* ---- DER <-> raw r||s ---- */

size_t cairn_sig_ecdsa_field_size(const cairn_key *key)
{
	switch (cairn_key_get_type(key)) {
	case CAIRN_KEY_ECDSA_P256: return 32;
	case CAIRN_KEY_ECDSA_P384: return 48;
	default: return 0;
	}
}

/* r and s of an ECDSA signature are in [1, n-1]: positive, and no wider than the field. */
static int check_component(const BIGNUM *value, const char *name, size_t field_size)
{
	if (BN_is_zero(value) || BN_is_negative(value))
		return cairn_error_set(CAIRN_EINVAL, "ECDSA signature: %s is not a positive number", name);
	if ((size_t)BN_num_bytes(value) > field_size)
		return cairn_error_set(CAIRN_EINVAL, "ECDSA signature: %s has %d bytes, more than the field size %zu", name,
				       BN_num_bytes(value), field_size);
	return 0;
}

int cairn_sig_ecdsa_der_to_raw(const uint8_t *der, size_t len, size_t field_size, cairn_buf *raw)
{
	if (field_size == 0 || field_size > ECDSA_FIELD_MAX)
		return cairn_error_set(CAIRN_EINVAL, "ECDSA field size %zu is not one of a supported curve", field_size);
	ECDSA_SIG *parsed;
	int err = ecdsa_parse_canonical(der, len, &parsed);
	if (err)
		return cairn_error_set(CAIRN_EINVAL, "ECDSA signature is not canonical DER");
	const BIGNUM *r, *s;
	ECDSA_SIG_get0(parsed, &r, &s);
	err = check_component(r, "r", field_size);
	if (!err)
		err = check_component(s, "s", field_size);
	if (!err)
		err = cairn_buf_reserve(raw, 2 * field_size);
	if (!err) {
		uint8_t *p = raw->data + raw->len;
		if (BN_bn2binpad(r, p, (int)field_size) != (int)field_size ||
		    BN_bn2binpad(s, p + field_size, (int)field_size) != (int)field_size) {
			err = cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot convert an ECDSA signature to raw form");
		} else {
			raw->len += 2 * field_size;
			raw->data[raw->len] = 0;
		}
	}
	ECDSA_SIG_free(parsed);
	return err;
}

int cairn_sig_ecdsa_raw_to_der(const uint8_t *raw, size_t len, cairn_buf *der)
{
	if (len == 0 || len % 2 != 0 || len > 2 * ECDSA_FIELD_MAX)
		return cairn_error_set(CAIRN_EINVAL,
				       "a raw ECDSA signature is r||s of equal halves up to %d bytes each, not %zu bytes",
				       ECDSA_FIELD_MAX, len);
	size_t half = len / 2;
	BIGNUM *r = BN_bin2bn(raw, (int)half, NULL);
	BIGNUM *s = BN_bin2bn(raw + half, (int)half, NULL);
	ECDSA_SIG *sig = ECDSA_SIG_new();
	int err = 0;
	if (r == NULL || s == NULL || sig == NULL)
		err = cairn_error_set_openssl(CAIRN_ENOMEM, "out of memory converting an ECDSA signature");
	if (!err)
		err = check_component(r, "r", half);
	if (!err)
		err = check_component(s, "s", half);
	if (err) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return err;
	}
	ECDSA_SIG_set0(sig, r, s); /* sig owns r and s now */
	unsigned char *encoded = NULL;
	int encoded_len = i2d_ECDSA_SIG(sig, &encoded);
	if (encoded_len <= 0)
		err = cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot encode an ECDSA signature as DER");
	else
		err = cairn_buf_append(der, encoded, (size_t)encoded_len);
	OPENSSL_free(encoded);
	ECDSA_SIG_free(sig);
	return err;
}
