/* Embedded Signed Certificate Timestamps (RFC 6962 sections 3.2 and 3.3).
 *
 * Fulcio logs a precertificate in its CT log and embeds the log's SCTs in the final certificate
 * under OID 1.3.6.1.4.1.11129.2.4.2. The log signed the precertificate's TBSCertificate, which is
 * the final certificate's TBSCertificate without that extension. So to check an SCT we remove the
 * extension, re-encode the TBSCertificate and verify the log's signature over
 *
 *   version(1) | signature_type(1) = 0 | timestamp(8) | entry_type(2) = 1 (precert_entry) |
 *   issuer_key_hash(32) = SHA-256 of the issuer's SubjectPublicKeyInfo | tbs length(3) | tbs |
 *   extensions length(2) | extensions
 *
 * OpenSSL's CT module does the same, but it only takes its logs from a configuration file, while
 * ours come from the trusted root with validity windows; so we build the message ourselves and let
 * OpenSSL do only the DER and the signature.
 *
 * Fulcio issues final certificates straight from the CA that signed the precertificate, so the
 * "precertificate signing certificate" variant of RFC 6962 (a special issuer) is not handled: such
 * an SCT fails to verify, which is the safe side. */
#include "cairn/cert.h"
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/sig.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A certificate carries a handful of SCTs; more is a hostile certificate. */
#define SCT_MAX_COUNT 64

/* TLS hash and signature algorithm numbers (RFC 5246 7.4.1.4.1). */
#define TLS_HASH_SHA256 4
#define TLS_SIG_RSA 1
#define TLS_SIG_ECDSA 3

struct sct {
	uint8_t version;
	const uint8_t *log_id; /* 32 bytes */
	uint64_t timestamp;    /* milliseconds since the epoch */
	const uint8_t *extensions;
	size_t extensions_len;
	uint8_t hash_alg;
	uint8_t sig_alg;
	const uint8_t *sig;
	size_t sig_len;
};

/* A bounds-checked reader of TLS-encoded bytes. */
struct reader {
	const uint8_t *p;
	size_t left;
};

static bool take(struct reader *r, size_t n, const uint8_t **out)
{
	if (r->left < n)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static bool take_uint(struct reader *r, size_t n, uint64_t *out)
{
	const uint8_t *b;
	if (!take(r, n, &b))
		return false;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = *out << 8 | b[i];
	return true;
}

/* A 16-bit length followed by that many bytes. */
static bool take_vector16(struct reader *r, const uint8_t **data, size_t *len)
{
	uint64_t n;
	if (!take_uint(r, 2, &n) || !take(r, (size_t)n, data))
		return false;
	*len = (size_t)n;
	return true;
}

static bool parse_sct(const uint8_t *data, size_t len, struct sct *out)
{
	struct reader r = {data, len};
	const uint8_t *b;
	uint64_t v;
	if (!take_uint(&r, 1, &v))
		return false;
	out->version = (uint8_t)v;
	if (out->version != 0)
		return false; /* only v1 is defined; its layout is all we can read */
	if (!take(&r, 32, &out->log_id) || !take_uint(&r, 8, &out->timestamp) ||
	    !take_vector16(&r, &out->extensions, &out->extensions_len) || !take(&r, 1, &b))
		return false;
	out->hash_alg = b[0];
	if (!take(&r, 1, &b))
		return false;
	out->sig_alg = b[0];
	return take_vector16(&r, &out->sig, &out->sig_len) && r.left == 0;
}

/* The TLS-encoded SignedCertificateTimestampList inside the extension's OCTET STRING. */
static int sct_list_bytes(X509 *x, ASN1_OCTET_STRING **inner)
{
	*inner = NULL;
	int index = X509_get_ext_by_NID(x, NID_ct_precert_scts, -1);
	if (index < 0)
		return 0;
	if (X509_get_ext_by_NID(x, NID_ct_precert_scts, index) >= 0)
		return cairn_error_set(CAIRN_EVERIFY, "certificate has two SCT list extensions");
	ASN1_OCTET_STRING *value = X509_EXTENSION_get_data(X509_get_ext(x, index));
	const unsigned char *p = ASN1_STRING_get0_data(value);
	long len = ASN1_STRING_length(value);
	*inner = d2i_ASN1_OCTET_STRING(NULL, &p, len);
	if (*inner == NULL || p != ASN1_STRING_get0_data(value) + len) {
		ASN1_OCTET_STRING_free(*inner);
		*inner = NULL;
		ERR_clear_error();
		return cairn_error_set(CAIRN_EVERIFY, "certificate's SCT list extension is not a DER OCTET STRING");
	}
	return 0;
}

/* The precertificate's TBSCertificate: the leaf's, without the SCT list extension. */
static int precert_tbs(X509 *leaf, cairn_buf *out)
{
	X509 *copy = X509_dup(leaf);
	if (copy == NULL)
		return cairn_error_set_openssl(CAIRN_ENOMEM, "cannot copy the certificate");
	int index = X509_get_ext_by_NID(copy, NID_ct_precert_scts, -1);
	X509_EXTENSION *ext = index >= 0 ? X509_delete_ext(copy, index) : NULL;
	X509_EXTENSION_free(ext);
	/* i2d_re_X509_tbs encodes the TBSCertificate afresh, not the cached original bytes. */
	unsigned char *der = NULL;
	int len = i2d_re_X509_tbs(copy, &der);
	int err = 0;
	if (len <= 0)
		err = cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot encode the precertificate");
	else
		err = cairn_buf_append(out, der, (size_t)len);
	OPENSSL_free(der);
	X509_free(copy);
	return err;
}

static int issuer_key_hash(X509 *issuer, uint8_t hash[32])
{
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &der);
	if (len <= 0) {
		OPENSSL_free(der);
		return cairn_error_set_openssl(CAIRN_EINVAL, "cannot encode the issuer's public key");
	}
	cairn_digest d;
	int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, der, (size_t)len, &d);
	OPENSSL_free(der);
	if (!err)
		memcpy(hash, d.bytes, 32);
	return err;
}

static int append_uint(cairn_buf *buf, uint64_t v, size_t n)
{
	int err = 0;
	for (size_t i = n; i-- > 0 && !err;)
		err = cairn_buf_append_byte(buf, (uint8_t)(v >> (8 * i)));
	return err;
}

/* The bytes the log signed for this SCT (RFC 6962 3.2, digitally-signed struct). */
static int signed_data(const struct sct *sct, const uint8_t key_hash[32], const cairn_buf *tbs, cairn_buf *out)
{
	if (tbs->len >= (1u << 24))
		return cairn_error_set(CAIRN_EINVAL, "precertificate too large for an SCT");
	int err = append_uint(out, sct->version, 1);
	if (!err)
		err = append_uint(out, 0, 1); /* certificate_timestamp */
	if (!err)
		err = append_uint(out, sct->timestamp, 8);
	if (!err)
		err = append_uint(out, 1, 2); /* precert_entry */
	if (!err)
		err = cairn_buf_append(out, key_hash, 32);
	if (!err)
		err = append_uint(out, tbs->len, 3);
	if (!err)
		err = cairn_buf_append(out, tbs->data, tbs->len);
	if (!err)
		err = append_uint(out, sct->extensions_len, 2);
	if (!err && sct->extensions_len > 0)
		err = cairn_buf_append(out, sct->extensions, sct->extensions_len);
	return err;
}

/* 0 when the SCT verifies with a trusted CT log valid at its time; otherwise CAIRN_EVERIFY with the
 * reason in `why`. */
static int check_one(const struct sct *sct, const uint8_t key_hash[32], const cairn_buf *tbs,
		     const cairn_trusted_root *root, char *why, size_t why_size)
{
	const cairn_trusted_log *log = cairn_trusted_root_find_ctlog(root, sct->log_id, 32);
	if (log == NULL) {
		cairn_buf id = CAIRN_BUF_INIT;
		cairn_base64_encode(&id, sct->log_id, 32, CAIRN_BASE64_STD);
		snprintf(why, why_size, "it is from CT log %s, which the trusted root does not list", cairn_buf_cstr(&id));
		cairn_buf_free(&id);
		return CAIRN_EVERIFY;
	}
	const char *name = log->base_url != NULL ? log->base_url : "(unnamed)";
	int64_t seconds = (int64_t)(sct->timestamp / 1000);
	if (!cairn_validity_contains(&log->valid, seconds)) {
		snprintf(why, why_size, "its time is outside the trusted validity of CT log %s", name);
		return CAIRN_EVERIFY;
	}
	if (log->key == NULL) {
		snprintf(why, why_size, "CT log %s has a key type cairn does not support (unsupported key)", name);
		return CAIRN_EVERIFY;
	}
	enum cairn_key_type type = cairn_key_get_type(log->key);
	bool alg_ok = sct->hash_alg == TLS_HASH_SHA256 &&
		      ((sct->sig_alg == TLS_SIG_ECDSA && (type == CAIRN_KEY_ECDSA_P256 || type == CAIRN_KEY_ECDSA_P384)) ||
		       (sct->sig_alg == TLS_SIG_RSA && type == CAIRN_KEY_RSA));
	if (!alg_ok) {
		snprintf(why, why_size, "its signature algorithm (%u, %u) does not fit CT log %s's key", sct->hash_alg,
			 sct->sig_alg, name);
		return CAIRN_EVERIFY;
	}
	cairn_buf msg = CAIRN_BUF_INIT;
	cairn_digest digest;
	int err = signed_data(sct, key_hash, tbs, &msg);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, msg.data, msg.len, &digest);
	cairn_buf_free(&msg);
	if (err)
		return err;
	err = cairn_sig_verify_digest(log->key, &digest, sct->sig, sct->sig_len);
	if (err == CAIRN_EVERIFY || err == CAIRN_EINVAL) {
		snprintf(why, why_size, "its signature by CT log %s does not verify", name);
		return CAIRN_EVERIFY;
	}
	return err;
}

/* Walks the SCT list, counting SCTs that verify; `why` keeps the reason of the first failure. */
static int count_verified(const ASN1_OCTET_STRING *list, X509 *leaf, X509 *issuer, const cairn_trusted_root *root,
			  size_t *verified, size_t *total, char *why, size_t why_size)
{
	struct reader r = {ASN1_STRING_get0_data(list), (size_t)ASN1_STRING_length(list)};
	const uint8_t *body;
	size_t body_len;
	if (!take_vector16(&r, &body, &body_len) || r.left != 0)
		return cairn_error_set(CAIRN_EVERIFY, "certificate's SCT list is malformed");
	uint8_t key_hash[32];
	cairn_buf tbs = CAIRN_BUF_INIT;
	int err = issuer_key_hash(issuer, key_hash);
	if (!err)
		err = precert_tbs(leaf, &tbs);
	struct reader items = {body, body_len};
	while (!err && items.left > 0) {
		const uint8_t *item;
		size_t item_len;
		struct sct sct;
		if (++*total > SCT_MAX_COUNT)
			err = cairn_error_set(CAIRN_EVERIFY, "certificate has more than %d SCTs", SCT_MAX_COUNT);
		else if (!take_vector16(&items, &item, &item_len) || !parse_sct(item, item_len, &sct))
			err = cairn_error_set(CAIRN_EVERIFY, "certificate's SCT %zu is malformed", *total);
		if (err)
			break;
		char reason[512];
		int one = check_one(&sct, key_hash, &tbs, root, reason, sizeof reason);
		if (one == 0)
			++*verified;
		else if (one != CAIRN_EVERIFY)
			err = one;
		else if (why[0] == '\0')
			snprintf(why, why_size, "SCT %zu: %s", *total, reason);
	}
	cairn_buf_free(&tbs);
	return err;
}

int cairn_cert_verify_scts(const cairn_cert *leaf, const cairn_cert *issuer, const cairn_trusted_root *root,
			   size_t threshold)
{
	if (threshold == 0)
		return 0;
	if (leaf == NULL || issuer == NULL || root == NULL)
		return cairn_error_set(CAIRN_EINVAL, "SCT verification needs the certificate, its issuer and a trusted root");
	ASN1_OCTET_STRING *list;
	int err = sct_list_bytes(cairn_cert_x509(leaf), &list);
	if (err)
		return err;
	if (list == NULL)
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate has no embedded SCTs (signed certificate timestamps), so it was not shown to have been logged in a CT log");
	size_t verified = 0, total = 0;
	char why[768] = "";
	err = count_verified(list, cairn_cert_x509(leaf), cairn_cert_x509(issuer), root, &verified, &total, why,
			     sizeof why);
	ASN1_OCTET_STRING_free(list);
	if (err)
		return err;
	if (verified < threshold)
		return cairn_error_set(CAIRN_EVERIFY,
				       "certificate has %zu verified SCT%s from trusted CT logs but %zu %s needed (%s)",
				       verified, verified == 1 ? "" : "s", threshold, threshold == 1 ? "is" : "are",
				       why[0] != '\0' ? why : "the SCT list is empty");
	return 0;
}
