/* Embedded Signed Certificate Timestamps (RFC 6962 sections 3.2 and 3.3).
 *
 * Fulcio logs a precertificate in its CT log and embeds the log's SCTs in the final certificate
 * under OID 1.3.6.1.4.1.11129.2.4.2. The log signed the precertificate's TBSCertificate, which is
 * the final certificate's TBSCertificate without that extension. So to check an SCT we remove the
 * extension from the TBSCertificate's DER (fixing the enclosing lengths) and verify the log's signature over
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

/* The SCT list extension's extnID, 1.3.6.1.4.1.11129.2.4.2, as a DER OBJECT IDENTIFIER body. */
static const uint8_t SCT_OID[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x04, 0x02};

#define DER_SEQUENCE 0x30
#define DER_OID 0x06
#define DER_EXTENSIONS 0xa3 /* [3] EXPLICIT, constructed, in TBSCertificate */

/* One DER element: where it starts, its tag and the extent of its contents. */
struct der_tlv {
	const uint8_t *start; /* the tag byte */
	uint8_t tag;
	const uint8_t *body;
	size_t body_len;
	size_t total; /* header and body */
};

/* Reads the element at the front of r and steps past it. Only what a certificate's outer structure
 * uses is accepted: a one-byte tag and a definite length in minimal form (DER, X.690 10.1), which
 * must fit in what is left. A certificate is far below 4 GiB, so longer length forms are refused. */
static bool der_next(struct reader *r, struct der_tlv *out)
{
	const uint8_t *b;
	if (!take(r, 2, &b) || (b[0] & 0x1f) == 0x1f)
		return false;
	out->start = b;
	out->tag = b[0];
	size_t len = b[1], header = 2;
	if (b[1] & 0x80) {
		size_t n = b[1] & 0x7f;
		const uint8_t *lb;
		/* 0x80 is the indefinite form; a leading zero byte or a short length in long form are not minimal */
		if (n == 0 || n > 4 || !take(r, n, &lb) || lb[0] == 0)
			return false;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | lb[i];
		if (len < 0x80)
			return false;
		header += n;
	}
	if (!take(r, len, &out->body))
		return false;
	out->body_len = len;
	out->total = header + len;
	return true;
}

/* Appends a DER length in minimal form. */
static int append_der_length(cairn_buf *out, size_t len)
{
	if (len < 0x80)
		return cairn_buf_append_byte(out, (uint8_t)len);
	size_t n = 0;
	for (size_t v = len; v > 0; v >>= 8)
		n++;
	int err = cairn_buf_append_byte(out, (uint8_t)(0x80 | n));
	if (!err)
		err = append_uint(out, len, n);
	return err;
}

/* The size of a DER length field for len. */
static size_t der_length_size(size_t len)
{
	size_t n = 1;
	if (len >= 0x80)
		for (size_t v = len; v > 0; v >>= 8)
			n++;
	return n;
}

/* Whether ext (an Extension SEQUENCE) has the SCT list's extnID; false too when it is malformed. */
static bool is_sct_extension(const struct der_tlv *ext, bool *malformed)
{
	struct reader r = {ext->body, ext->body_len};
	struct der_tlv id;
	if (ext->tag != DER_SEQUENCE || !der_next(&r, &id) || id.tag != DER_OID) {
		*malformed = true;
		return false;
	}
	return id.body_len == sizeof SCT_OID && memcmp(id.body, SCT_OID, sizeof SCT_OID) == 0;
}

/* The parts of the leaf's TBSCertificate around the SCT list extension. */
struct tbs_parts {
	const uint8_t *head; /* TBSCertificate contents before the [3] extensions */
	size_t head_len;
	const uint8_t *before; /* Extensions contents before the SCT list extension */
	size_t before_len;
	const uint8_t *after; /* Extensions contents after it */
	size_t after_len;
};

/* Walks Certificate → TBSCertificate → [3] → Extensions → Extension (RFC 5280 4.1) and finds the one
 * SCT list extension. Extensions come last in a TBSCertificate, and there must be others besides the
 * SCT list (an empty Extensions SEQUENCE is not allowed), so anything else is refused. */
static bool split_tbs(const uint8_t *der, size_t len, struct tbs_parts *out)
{
	struct reader r = {der, len};
	struct der_tlv cert, tbs, field, exts, ext;
	if (!der_next(&r, &cert) || cert.tag != DER_SEQUENCE || r.left != 0)
		return false;
	r = (struct reader){cert.body, cert.body_len};
	if (!der_next(&r, &tbs) || tbs.tag != DER_SEQUENCE)
		return false;
	r = (struct reader){tbs.body, tbs.body_len};
	do {
		if (!der_next(&r, &field))
			return false;
	} while (field.tag != DER_EXTENSIONS);
	if (r.left != 0)
		return false;
	out->head = tbs.body;
	out->head_len = (size_t)(field.start - tbs.body);
	r = (struct reader){field.body, field.body_len};
	if (!der_next(&r, &exts) || exts.tag != DER_SEQUENCE || r.left != 0)
		return false;
	r = (struct reader){exts.body, exts.body_len};
	const uint8_t *found = NULL;
	size_t found_len = 0;
	bool malformed = false;
	while (r.left > 0) {
		if (!der_next(&r, &ext))
			return false;
		if (is_sct_extension(&ext, &malformed)) {
			if (found != NULL)
				return false; /* twice */
			found = ext.start;
			found_len = ext.total;
		}
		if (malformed)
			return false;
	}
	if (found == NULL || found_len == exts.body_len)
		return false;
	out->before = exts.body;
	out->before_len = (size_t)(found - exts.body);
	out->after = found + found_len;
	out->after_len = exts.body_len - out->before_len - found_len;
	return true;
}

/* The precertificate's TBSCertificate: the leaf's, without the SCT list extension. The extension is
 * cut out of the leaf's DER directly and the three enclosing lengths written afresh, which keeps
 * every other byte as the CA signed it (and costs far less than copying and re-encoding the X509). */
static int precert_tbs(X509 *leaf, cairn_buf *out)
{
	unsigned char *der = NULL;
	int len = i2d_X509(leaf, &der);
	if (len <= 0) {
		OPENSSL_free(der);
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot encode the certificate as DER");
	}
	struct tbs_parts parts;
	int err = 0;
	if (!split_tbs(der, (size_t)len, &parts)) {
		err = cairn_error_set(CAIRN_EVERIFY,
				      "malformed certificate: cannot remove its SCT list extension to rebuild the precertificate");
	} else {
		size_t exts_len = parts.before_len + parts.after_len;
		size_t wrapper_len = 1 + der_length_size(exts_len) + exts_len;
		size_t tbs_len = parts.head_len + 1 + der_length_size(wrapper_len) + wrapper_len;
		err = cairn_buf_append_byte(out, DER_SEQUENCE);
		if (!err)
			err = append_der_length(out, tbs_len);
		if (!err)
			err = cairn_buf_append(out, parts.head, parts.head_len);
		if (!err)
			err = cairn_buf_append_byte(out, DER_EXTENSIONS);
		if (!err)
			err = append_der_length(out, wrapper_len);
		if (!err)
			err = cairn_buf_append_byte(out, DER_SEQUENCE);
		if (!err)
			err = append_der_length(out, exts_len);
		if (!err)
			err = cairn_buf_append(out, parts.before, parts.before_len);
		if (!err)
			err = cairn_buf_append(out, parts.after, parts.after_len);
	}
	OPENSSL_free(der);
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
