/* rekor_verifier.c - the key material inside Rekor entries, and small JSON helpers for the entry
 * types.
 *
 * Rekor reads a "public key" field as one PEM block: a CERTIFICATE (Fulcio's code-signing
 * certificates) or a PUBLIC KEY. What it stores is the canonical value: the parsed DER written out
 * again as PEM with 64-column lines. cairn does the same, so a body records exactly the material that
 * verified the signature, and two spellings of one key cannot make two different entries. cairn is
 * stricter than Rekor in two ways: nothing but whitespace may surround the block (Rekor skips
 * leading text), and certificate chains are refused (Sigstore clients send the leaf only). */
#include "rekor_internal.h"

#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/json.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

static int only_space(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/* Whether the n bytes at p (not NUL-terminated) contain word. */
static int contains(const char *p, size_t n, const char *word)
{
	size_t w = strlen(word);
	for (size_t i = 0; i + w <= n; i++)
		if (memcmp(p + i, word, w) == 0)
			return 1;
	return 0;
}

/* Splits text into its single PEM block's label and DER. */
static int read_pem_block(const void *pem, size_t len, const char *what, char **label, unsigned char **der,
			  long *der_len)
{
	const char *text = pem;
	size_t lead = 0;
	while (lead < len && strchr(" \t\r\n", text[lead]) != NULL && text[lead] != '\0')
		lead++;
	if (len - lead < 11 || memcmp(text + lead, "-----BEGIN ", 11) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: not a PEM public key or certificate", what);
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	if (bio == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	char *header = NULL;
	int err = 0;
	if (PEM_read_bio(bio, label, &header, der, der_len) != 1) {
		err = cairn_error_set_openssl(CAIRN_EINVAL, "%s: malformed PEM", what);
	} else if (header != NULL && header[0] != '\0') {
		err = cairn_error_set(CAIRN_EINVAL, "%s: PEM headers are not allowed", what);
	} else {
		/* What follows the block: whitespace only. The input is bounded by REKOR_MAX_VERIFIER. */
		char *rest = NULL;
		long n = BIO_get_mem_data(bio, &rest);
		if (n > 0 && !only_space(rest, (size_t)n))
			err = contains(rest, (size_t)n, "-----BEGIN ")
				      ? cairn_error_set(CAIRN_EUNSUPPORTED, "%s: more than one PEM block (certificate chains "
									    "are not accepted; give the signing certificate only)",
							what)
				      : cairn_error_set(CAIRN_EINVAL, "%s: text after the PEM block", what);
	}
	ERR_clear_error();
	OPENSSL_free(header);
	BIO_free(bio);
	if (err) {
		OPENSSL_free(*label);
		OPENSSL_free(*der);
		*label = NULL;
		*der = NULL;
	}
	return err;
}

static int canonical_cert(rekor_verifier *out, const unsigned char *der, long len, const char *what)
{
	cairn_cert *cert = NULL;
	int err = cairn_cert_load_der(&cert, der, (size_t)len, what);
	if (!err)
		err = cairn_cert_public_key(cert, &out->key);
	if (!err) /* Rekor stores a certificate's own DER (Go's cert.Raw) as PEM */
		err = cairn_pem_encode(&out->pem, "CERTIFICATE", der, (size_t)len);
	cairn_cert_free(cert);
	out->is_cert = 1;
	return err;
}

int rekor_verifier_parse(rekor_verifier *out, const void *pem, size_t len, const char *what)
{
	memset(out, 0, sizeof *out);
	if (len > REKOR_MAX_VERIFIER)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes, more than the %zu a key or certificate may have",
				       what, len, REKOR_MAX_VERIFIER);
	char *label = NULL;
	unsigned char *der = NULL;
	long der_len = 0;
	int err = read_pem_block(pem, len, what, &label, &der, &der_len);
	if (err)
		return err;
	if (strcmp(label, "CERTIFICATE") == 0) {
		err = canonical_cert(out, der, der_len, what);
	} else if (strcmp(label, "PUBLIC KEY") == 0) {
		err = cairn_key_load_public_der(&out->key, der, (size_t)der_len, what);
		if (!err)
			err = cairn_key_save_public(out->key, &out->pem);
	} else {
		err = cairn_error_set(CAIRN_EINVAL, "%s: a PEM \"%s\" block; expected a CERTIFICATE or a PUBLIC KEY", what,
				      label);
	}
	OPENSSL_free(label);
	OPENSSL_free(der);
	if (err)
		rekor_verifier_free(out);
	return err;
}

int rekor_verifier_parse_b64(rekor_verifier *out, const json_t *value, const char *what)
{
	memset(out, 0, sizeof *out);
	if (!json_is_string(value))
		return cairn_error_set(CAIRN_EINVAL, "%s: missing, or not a string", what);
	if (json_string_length(value) > REKOR_MAX_VERIFIER * 4 / 3 + 4)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: more than the %zu bytes a key or certificate may have", what,
				       REKOR_MAX_VERIFIER);
	cairn_buf pem = CAIRN_BUF_INIT;
	int err = cairn_base64_decode(&pem, json_string_value(value), json_string_length(value), CAIRN_BASE64_STD, what);
	if (!err)
		err = rekor_verifier_parse(out, pem.data, pem.len, what);
	cairn_buf_free(&pem);
	return err;
}

void rekor_verifier_free(rekor_verifier *v)
{
	cairn_key_free(v->key);
	cairn_buf_free(&v->pem);
	memset(v, 0, sizeof *v);
}

/* ---- JSON helpers ---- */

int rekor_get_string(const json_t *obj, const char *name, const char *what, const char **out)
{
	const json_t *v = json_object_get(obj, name);
	if (!json_is_string(v))
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s is %s", what, v == NULL ? "missing" : "not a string");
	*out = json_string_value(v);
	return 0;
}

int rekor_get_object(const json_t *obj, const char *name, const char *what, const json_t **out)
{
	const json_t *v = json_object_get(obj, name);
	if (!json_is_object(v))
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s is %s", what, v == NULL ? "missing" : "not an object");
	*out = v;
	return 0;
}

int rekor_get_base64(const json_t *obj, const char *name, const char *what, cairn_buf *out)
{
	const json_t *v = json_object_get(obj, name);
	if (!json_is_string(v))
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s is %s", what, v == NULL ? "missing" : "not a string");
	int err = cairn_base64_decode(out, json_string_value(v), json_string_length(v), CAIRN_BASE64_STD, what);
	if (err)
		return cairn_error_prefix(CAIRN_EINVAL, "rekor entry");
	if (out->len == 0)
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s is empty", what);
	return 0;
}

int rekor_hash_json(const cairn_digest *digest, json_t **out)
{
	cairn_buf hex = CAIRN_BUF_INIT;
	int err = cairn_digest_hex(digest, &hex);
	*out = NULL;
	if (!err) {
		*out = json_pack("{s:s, s:s}", "algorithm", cairn_digest_alg_name(digest->alg), "value", cairn_buf_cstr(&hex));
		if (*out == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	cairn_buf_free(&hex);
	return err;
}

static int is_lower_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int rekor_hash_parse(const json_t *hash, const char *const *allowed, const char *what, cairn_digest *out)
{
	if (!json_is_object(hash))
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s is %s", what, hash == NULL ? "missing" : "not an object");
	const char *alg_name = NULL, *value = NULL;
	int err = rekor_get_string(hash, "algorithm", what, &alg_name);
	if (!err)
		err = rekor_get_string(hash, "value", what, &value);
	if (err)
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s needs string members algorithm and value", what);
	int known = 0;
	for (size_t i = 0; allowed[i] != NULL; i++)
		known |= strcmp(alg_name, allowed[i]) == 0;
	enum cairn_digest_alg alg = CAIRN_DIGEST_NONE;
	if (!known || cairn_digest_alg_parse(alg_name, &alg) != 0)
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s.algorithm \"%s\" is not one this entry type allows",
				       what, alg_name);
	size_t size = cairn_digest_alg_size(alg), len = strlen(value);
	/* Rekor's schema says lower case; one spelling per digest keeps duplicates detectable. */
	if (len != 2 * size || !is_lower_hex(value, len))
		return cairn_error_set(CAIRN_EINVAL, "rekor entry: %s.value is not %zu lowercase hex digits", what, 2 * size);
	cairn_buf raw = CAIRN_BUF_INIT;
	err = cairn_hex_decode(&raw, value, len);
	if (!err) {
		out->alg = alg;
		out->len = size;
		memcpy(out->bytes, raw.data, size);
	}
	cairn_buf_free(&raw);
	return err;
}

int rekor_set(json_t *obj, const char *name, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, name, value) != 0)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

int rekor_set_base64(json_t *obj, const char *name, const void *data, size_t len)
{
	cairn_buf b64 = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&b64, data, len, CAIRN_BASE64_STD);
	if (!err)
		err = rekor_set(obj, name, json_stringn(cairn_buf_cstr(&b64), b64.len));
	cairn_buf_free(&b64);
	return err;
}

int rekor_finish_body(const char *kind, const char *version, json_t *spec, cairn_buf *out)
{
	json_t *body = json_pack("{s:s, s:s, s:o}", "apiVersion", version, "kind", kind, "spec", spec);
	if (body == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = cairn_json_canonicalize(body, out);
	json_decref(body);
	return err;
}
