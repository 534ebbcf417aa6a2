/* X.509 certificates: loading from DER or PEM, and the few accessors Sigstore verification needs.
 *
 * A cairn_cert wraps one OpenSSL X509. Input is bounded and must be exactly one certificate: DER with
 * trailing bytes is refused, because two readers could then disagree about what was signed. */
#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/file.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A Fulcio certificate is about 1 KiB; a certificate is never larger than a small file. */
#define CERT_INPUT_LIMIT CAIRN_FILE_LIMIT_SMALL

struct cairn_cert {
	X509 *x509;
	int64_t not_before;
	int64_t not_after;
};

/* Unix seconds of an ASN.1 time; fails on a time OpenSSL cannot read. */
static int asn1_time_seconds(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	time_t seconds = timegm(&tm);
	*out = (int64_t)seconds;
	return 0;
}

/* Takes ownership of x. */
static int cert_wrap(cairn_cert **out, X509 *x, const char *what)
{
	cairn_cert *cert = calloc(1, sizeof *cert);
	if (cert == NULL) {
		X509_free(x);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	cert->x509 = x;
	if (asn1_time_seconds(X509_get0_notBefore(x), &cert->not_before) != 0 ||
	    asn1_time_seconds(X509_get0_notAfter(x), &cert->not_after) != 0) {
		cairn_cert_free(cert);
		ERR_clear_error();
		return cairn_error_set(CAIRN_EINVAL, "%s: the certificate's validity times cannot be read", what);
	}
	*out = cert;
	return 0;
}

int cairn_cert_load_der(cairn_cert **out, const void *der, size_t len, const char *what)
{
	*out = NULL;
	if (what == NULL)
		what = "certificate";
	if (len > CERT_INPUT_LIMIT)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too large for a certificate", what, len);
	if (der == NULL || len == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: empty certificate", what);
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int whole = p == (const unsigned char *)der + len;
	ERR_clear_error();
	if (x == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: not a valid DER X.509 certificate", what);
	if (!whole) {
		X509_free(x);
		return cairn_error_set(CAIRN_EINVAL, "%s: trailing bytes after the DER certificate", what);
	}
	return cert_wrap(out, x, what);
}

/* OpenSSL must never prompt for a passphrase on its own: certificates are not encrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

int cairn_cert_load_pem(cairn_cert **out, const void *pem, size_t len, const char *what)
{
	*out = NULL;
	if (what == NULL)
		what = "certificate";
	if (len > CERT_INPUT_LIMIT)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too large for a PEM certificate", what, len);
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return cairn_error_set_openssl(CAIRN_ENOMEM, "%s: cannot read the PEM text", what);
	/* PEM_read_bio_X509 skips blocks of other types and reads the first CERTIFICATE block. */
	X509 *x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (x == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: no valid PEM CERTIFICATE block found", what);
	return cert_wrap(out, x, what);
}

void cairn_cert_free(cairn_cert *cert)
{
	if (cert == NULL)
		return;
	X509_free(cert->x509);
	free(cert);
}

struct x509_st *cairn_cert_x509(const cairn_cert *cert)
{
	return cert->x509;
}

int cairn_cert_public_key(const cairn_cert *cert, cairn_key **out)
{
	*out = NULL;
	EVP_PKEY *pkey = X509_get0_pubkey(cert->x509);
	if (pkey == NULL) {
		ERR_clear_error();
		return cairn_error_set(CAIRN_EINVAL, "certificate: its public key cannot be read");
	}
	return cairn_key_from_evp(out, pkey, "certificate's public key");
}

int64_t cairn_cert_not_before(const cairn_cert *cert)
{
	return cert->not_before;
}

int64_t cairn_cert_not_after(const cairn_cert *cert)
{
	return cert->not_after;
}

int cairn_cert_der(const cairn_cert *cert, cairn_buf *out)
{
	int len = i2d_X509(cert->x509, NULL);
	if (len <= 0)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot encode the certificate as DER");
	int err = cairn_buf_reserve(out, (size_t)len);
	if (err)
		return err;
	unsigned char *p = out->data + out->len;
	if (i2d_X509(cert->x509, &p) != len)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot encode the certificate as DER");
	out->len += (size_t)len;
	out->data[out->len] = 0;
	return 0;
}
