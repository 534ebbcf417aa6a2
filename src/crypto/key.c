/* Keys: generating, loading and saving ECDSA P-256/P-384 and Ed25519 keys, and RSA public keys for
 * verification. Everything goes through OpenSSL 3's EVP layer.
 *
 * PEM input is read in two steps. First we find the first "-----BEGIN LABEL-----" line ourselves,
 * so that a certificate or a public key handed in as a private key gets a message saying exactly
 * what was found. Then OpenSSL decodes that one block (PEM_read_bio_ex) and we parse its DER with
 * the parser the label calls for. Decrypting is done with PKCS8_decrypt, which takes the passphrase
 * as an argument: OpenSSL is never given a chance to prompt on its own. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A key's public DER, encoded on first use and kept: OpenSSL 3 encodes through its (slow) encoder
 * framework, and verifiers ask for the same key's DER over and over (log bodies, note key IDs). */
struct der_cache {
	size_t len;
	unsigned char data[];
};

struct cairn_key {
	EVP_PKEY *pkey;
	enum cairn_key_type type;
	int is_private;
	/* Set once, by whichever thread encodes first (compare-and-swap), then never changed: keys are
	 * shared read-only between threads, and a const key may fill it. */
	_Atomic(struct der_cache *) der;
};

/* PEM labels longer than this are not labels any key format uses. */
#define PEM_LABEL_MAX 64
/* A key PEM is a few hundred bytes; anything larger held in memory is not a key. */
#define KEY_INPUT_LIMIT CAIRN_FILE_LIMIT_SMALL
/* Passphrases come from a terminal line or an environment variable; bound what we hand to PBKDF2. */
#define PASSPHRASE_MAX 4096
/* RSA moduli we accept for verification: weaker ones are broken, larger ones only cost time. */
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384

static const struct {
	enum cairn_key_type type;
	const char *name;
} type_names[] = {
	{CAIRN_KEY_ECDSA_P256, "ecdsa-p256"},
	{CAIRN_KEY_ECDSA_P384, "ecdsa-p384"},
	{CAIRN_KEY_ED25519, "ed25519"},
	{CAIRN_KEY_RSA, "rsa"},
};
#define TYPE_NAME_COUNT (sizeof type_names / sizeof type_names[0])

const char *cairn_key_type_name(enum cairn_key_type type)
{
	for (size_t i = 0; i < TYPE_NAME_COUNT; i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "unknown";
}

int cairn_key_type_parse(const char *name, enum cairn_key_type *out)
{
	for (size_t i = 0; i < TYPE_NAME_COUNT; i++)
		if (strcmp(type_names[i].name, name) == 0) {
			*out = type_names[i].type;
			return 0;
		}
	return cairn_error_set(CAIRN_EUNSUPPORTED,
			       "unknown key type \"%s\" (expected ecdsa-p256, ecdsa-p384, ed25519 or rsa)", name);
}

/* ---- classifying an OpenSSL key ---- */

/* Works out which cairn key type pkey is. On failure the message names `what` and the algorithm or
 * curve that cairn does not handle. */
static int classify(EVP_PKEY *pkey, const char *what, enum cairn_key_type *out)
{
	*out = CAIRN_KEY_UNKNOWN;
	if (EVP_PKEY_is_a(pkey, "EC")) {
		char group[80];
		size_t group_len = 0;
		if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &group_len) != 1) {
			ERR_clear_error();
			return cairn_error_set(CAIRN_EUNSUPPORTED,
					       "%s: EC key with explicit curve parameters is not supported (use a named curve: P-256 or P-384)",
					       what);
		}
		int nid = OBJ_sn2nid(group);
		if (nid == NID_undef)
			nid = EC_curve_nist2nid(group);
		if (nid == NID_X9_62_prime256v1) {
			*out = CAIRN_KEY_ECDSA_P256;
			return 0;
		}
		if (nid == NID_secp384r1) {
			*out = CAIRN_KEY_ECDSA_P384;
			return 0;
		}
		const char *nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: ECDSA curve %s is not supported (cairn supports P-256 and P-384)", what,
				       nist != NULL ? nist : group);
	}
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*out = CAIRN_KEY_ED25519;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		int bits = EVP_PKEY_get_bits(pkey);
		if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
			return cairn_error_set(CAIRN_EUNSUPPORTED,
					       "%s: RSA key of %d bits is not supported (cairn accepts %d to %d bits)", what,
					       bits, RSA_MIN_BITS, RSA_MAX_BITS);
		*out = CAIRN_KEY_RSA;
		return 0;
	}
	const char *name = EVP_PKEY_get0_type_name(pkey);
	return cairn_error_set(CAIRN_EUNSUPPORTED,
			       "%s: %s keys are not supported (cairn supports ECDSA P-256, ECDSA P-384, Ed25519, and RSA for verification)",
			       what, name != NULL ? name : "this algorithm's");
}

/* Whether pkey holds a private half: OpenSSL keeps no flag for this, so ask for the secret part. */
static int has_private_half(EVP_PKEY *pkey, enum cairn_key_type type)
{
	int present = 0;
	if (type == CAIRN_KEY_ED25519) {
		size_t len = 0;
		present = EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0, &len) == 1 &&
			  len > 0;
	} else {
		BIGNUM *secret = NULL;
		const char *param = type == CAIRN_KEY_RSA ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
		present = EVP_PKEY_get_bn_param(pkey, param, &secret) == 1 && secret != NULL;
		BN_clear_free(secret);
	}
	ERR_clear_error();
	return present;
}

/* Wraps pkey, whose type is known, taking over the caller's reference (freed on failure too). */
static int key_wrap(cairn_key **out, EVP_PKEY *pkey, enum cairn_key_type type, int is_private)
{
	cairn_key *key = calloc(1, sizeof *key);
	if (key == NULL) {
		EVP_PKEY_free(pkey);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	key->pkey = pkey;
	key->type = type;
	key->is_private = is_private;
	*out = key;
	return 0;
}

/* Checks pkey's type and wraps it, taking over the caller's reference (freed on failure too). */
static int key_adopt(cairn_key **out, EVP_PKEY *pkey, const char *what, int is_private)
{
	enum cairn_key_type type;
	int err = classify(pkey, what, &type);
	if (err) {
		EVP_PKEY_free(pkey);
		return err;
	}
	return key_wrap(out, pkey, type, is_private);
}

int cairn_key_from_evp(cairn_key **out, struct evp_pkey_st *pkey, const char *what)
{
	*out = NULL;
	if (pkey == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: no key", what);
	enum cairn_key_type type;
	int err = classify(pkey, what, &type);
	if (err)
		return err;
	if (EVP_PKEY_up_ref(pkey) != 1)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "%s: cannot take a reference on the key", what);
	/* RSA keys are for verification only, whatever they hold. */
	int is_private = type != CAIRN_KEY_RSA && has_private_half(pkey, type);
	return key_wrap(out, pkey, type, is_private);
}

/* ---- generating ---- */

int cairn_key_generate(cairn_key **out, enum cairn_key_type type)
{
	*out = NULL;
	EVP_PKEY *pkey = NULL;
	switch (type) {
	case CAIRN_KEY_ECDSA_P256: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case CAIRN_KEY_ECDSA_P384: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
	case CAIRN_KEY_ED25519: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
	case CAIRN_KEY_RSA:
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "cairn does not generate RSA keys (RSA is for verification only); use ecdsa-p256, ecdsa-p384 or ed25519");
	default: return cairn_error_set(CAIRN_EUNSUPPORTED, "cannot generate a key of unknown type %d", (int)type);
	}
	if (pkey == NULL)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "generating a %s key failed", cairn_key_type_name(type));
	return key_adopt(out, pkey, "generated key", 1);
}

/* ---- finding and decoding PEM blocks ---- */

struct pem_block {
	char *name;
	char *header;
	unsigned char *data;
	long len;
};

static void pem_block_free(struct pem_block *block)
{
	/* PEM_FLAG_SECURE allocations must go back through the secure allocator; clearing them also
	 * wipes decoded (possibly unencrypted) key material. */
	if (block->name != NULL)
		OPENSSL_secure_clear_free(block->name, strlen(block->name));
	if (block->header != NULL)
		OPENSSL_secure_clear_free(block->header, strlen(block->header));
	if (block->data != NULL)
		OPENSSL_secure_clear_free(block->data, (size_t)block->len);
	memset(block, 0, sizeof *block);
}

/* Finds the first line that starts with "-----BEGIN " (other than EC PARAMETERS). Returns 1 and
 * sets *start and label when found, 0 when the input holds no such line, CAIRN_EINVAL when the line
 * is not a sane label. */
static int pem_find_begin(const char *text, size_t len, const char *what, size_t *start,
			  char label[PEM_LABEL_MAX + 1])
{
	static const char begin[] = "-----BEGIN ";
	const size_t begin_len = sizeof begin - 1;
	size_t pos = 0;
	while (pos < len) {
		const char *found = memmem(text + pos, len - pos, begin, begin_len);
		if (found == NULL)
			return 0;
		size_t at = (size_t)(found - text);
		if (at > 0 && text[at - 1] != '\n') { /* not at the start of a line */
			pos = at + 1;
			continue;
		}
		/* RFC 7468: the label is printable ASCII, ended by five hyphens. */
		size_t i = at + begin_len, n = 0;
		while (i < len && n < PEM_LABEL_MAX && text[i] >= 0x20 && text[i] <= 0x7e &&
		       !(len - i >= 5 && memcmp(text + i, "-----", 5) == 0))
			label[n++] = text[i++];
		label[n] = '\0';
		if (n == 0 || len - i < 5 || memcmp(text + i, "-----", 5) != 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (bad BEGIN line)", what);
		/* `openssl ecparam -genkey` without -noout writes the curve's name in a block of its own
		 * before the key; it says nothing the key does not, so look past it. */
		if (strcmp(label, "EC PARAMETERS") == 0) {
			pos = i;
			continue;
		}
		*start = at;
		return 1;
	}
	return 0;
}

/* Finds the first PEM block, reports its label, and has OpenSSL decode it. */
static int pem_read_first(const void *pem, size_t len, const char *what, char label[PEM_LABEL_MAX + 1],
			  struct pem_block *block)
{
	memset(block, 0, sizeof *block);
	if (len > KEY_INPUT_LIMIT)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too large for a key (limit %zu)", what, len,
				       (size_t)KEY_INPUT_LIMIT);
	size_t start = 0;
	int found = pem_find_begin(pem, len, what, &start, label);
	if (found < 0)
		return found;
	if (found == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: not a PEM file (no -----BEGIN line)", what);
	BIO *bio = BIO_new_mem_buf((const char *)pem + start, (int)(len - start));
	if (bio == NULL)
		return cairn_error_set_openssl(CAIRN_ENOMEM, "%s: cannot read PEM", what);
	int ok = PEM_read_bio_ex(bio, &block->name, &block->header, &block->data, &block->len, PEM_FLAG_SECURE);
	BIO_free(bio);
	ERR_clear_error();
	if (ok != 1 || block->len <= 0) {
		pem_block_free(block);
		return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (%s block)", what, label);
	}
	/* OpenSSL skips a BEGIN line it finds malformed and reads a later block: not the one we named. */
	if (strcmp(block->name, label) != 0) {
		pem_block_free(block);
		return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM", what);
	}
	return 0;
}

/* "a CERTIFICATE", "an EC PRIVATE KEY": the article for a label in a message. */
static const char *article(const char *label)
{
	int vowel_sound = (label[0] != '\0' && strchr("AEIOU", label[0]) != NULL) || strncmp(label, "RSA", 3) == 0;
	return vowel_sound ? "an" : "a";
}

/* True when a DER parser consumed exactly the whole block: trailing bytes mean corruption. */
static int consumed_all(const unsigned char *end, const struct pem_block *block)
{
	return end == block->data + block->len;
}

/* Why OpenSSL could not turn a PKCS#8 structure into a key: an algorithm it does not know is
 * unsupported; a key of a known algorithm that does not decode is corrupt. */
static int pkcs8_decode_error(const PKCS8_PRIV_KEY_INFO *p8, const char *what)
{
	const ASN1_OBJECT *alg = NULL;
	char name[80] = "unknown";
	if (PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8) == 1 && alg != NULL)
		OBJ_obj2txt(name, sizeof name, alg, 0);
	int nid = alg != NULL ? OBJ_obj2nid(alg) : NID_undef;
	if (nid == NID_X9_62_id_ecPublicKey)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: cannot decode the EC private key (corrupt, or a curve OpenSSL does not know)", what);
	if (nid == NID_ED25519 || nid == NID_rsaEncryption)
		return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (bad %s private key)", what, name);
	return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: private key algorithm %s is not supported", what, name);
}

static int decode_pkcs8(const struct pem_block *block, const char *what, EVP_PKEY **out)
{
	const unsigned char *p = block->data;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, block->len);
	if (p8 == NULL || !consumed_all(p, block)) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		ERR_clear_error();
		return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (bad PKCS#8 private key)", what);
	}
	*out = EVP_PKCS82PKEY(p8);
	ERR_clear_error();
	int err = *out == NULL ? pkcs8_decode_error(p8, what) : 0;
	PKCS8_PRIV_KEY_INFO_free(p8); /* clears its secret */
	return err;
}

static int decode_encrypted_pkcs8(const struct pem_block *block, const char *passphrase, const char *what,
				  EVP_PKEY **out)
{
	if (passphrase == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: the private key is encrypted; set CAIRN_PASSWORD or run on a terminal",
				       what);
	size_t pass_len = strlen(passphrase);
	if (pass_len > PASSPHRASE_MAX)
		return cairn_error_set(CAIRN_EINVAL, "%s: passphrase longer than %d bytes", what, PASSPHRASE_MAX);
	const unsigned char *p = block->data;
	X509_SIG *sealed = d2i_X509_SIG(NULL, &p, block->len);
	if (sealed == NULL || !consumed_all(p, block)) {
		X509_SIG_free(sealed);
		ERR_clear_error();
		return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (bad encrypted PKCS#8 key)", what);
	}
	PKCS8_PRIV_KEY_INFO *p8 = PKCS8_decrypt(sealed, passphrase, (int)pass_len);
	X509_SIG_free(sealed);
	ERR_clear_error();
	if (p8 == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: wrong passphrase or corrupt encrypted key", what);
	*out = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	ERR_clear_error();
	if (*out == NULL)
		/* Decryption can "succeed" with a wrong passphrase when the padding happens to look right. */
		return cairn_error_set(CAIRN_EINVAL, "%s: wrong passphrase or corrupt encrypted key", what);
	return 0;
}

/* SEC1 "EC PRIVATE KEY", as `openssl ecparam -genkey` writes it. */
static int decode_sec1(const struct pem_block *block, const char *what, EVP_PKEY **out)
{
	if (block->header != NULL && strstr(block->header, "ENCRYPTED") != NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: legacy encrypted EC PRIVATE KEY (Proc-Type ENCRYPTED) is not supported; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
				       what);
	if (block->header != NULL && block->header[0] != '\0')
		return cairn_error_set(CAIRN_EINVAL, "%s: unexpected headers in EC PRIVATE KEY PEM block", what);
	const unsigned char *p = block->data;
	*out = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, block->len);
	int whole = consumed_all(p, block);
	ERR_clear_error();
	if (*out == NULL || !whole) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (bad EC PRIVATE KEY)", what);
	}
	return 0;
}

/* Labels that say "private key" in a format or algorithm cairn does not read. */
static int unsupported_private_label(const char *label, const char *what)
{
	if (strcmp(label, "RSA PRIVATE KEY") == 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: RSA private keys cannot sign in cairn (RSA is for verification only)", what);
	if (strcmp(label, "OPENSSH PRIVATE KEY") == 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: OpenSSH private keys are not supported; convert with `ssh-keygen -p -m PKCS8 -f FILE`",
				       what);
	if (strstr(label, "SIGSTORE") != NULL || strstr(label, "COSIGN") != NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: %s PEM blocks are not supported (cosign keys are %s)",
				       what, label, "ENCRYPTED SIGSTORE PRIVATE KEY");
	if (strstr(label, "PRIVATE KEY") != NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: %s PEM blocks are not supported", what, label);
	return 0;
}

/* cosign's encrypted key format (cosign_key.c). */
static int is_cosign_label(const char *label)
{
	return strcmp(label, "ENCRYPTED SIGSTORE PRIVATE KEY") == 0 || strcmp(label, "ENCRYPTED COSIGN PRIVATE KEY") == 0;
}

/* A private key whose public half does not belong to it would sign things no one can verify. */
static int check_pair(EVP_PKEY *pkey, const char *what)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = ctx != NULL && EVP_PKEY_pairwise_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return cairn_error_set(CAIRN_EINVAL, "%s: the private key is inconsistent (its public half does not match)",
				       what);
	return 0;
}

int cairn_key_load_private(cairn_key **out, const void *pem, size_t len, const char *passphrase, const char *what)
{
	*out = NULL;
	char label[PEM_LABEL_MAX + 1];
	struct pem_block block;
	int err = pem_read_first(pem, len, what, label, &block);
	if (err)
		return err;
	if (is_cosign_label(label)) {
		pem_block_free(&block);
		return cairn_key_load_cosign(out, pem, len, passphrase, what);
	}
	EVP_PKEY *pkey = NULL;
	if (strcmp(label, "PRIVATE KEY") == 0)
		err = decode_pkcs8(&block, what, &pkey);
	else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
		err = decode_encrypted_pkcs8(&block, passphrase, what, &pkey);
	else if (strcmp(label, "EC PRIVATE KEY") == 0)
		err = decode_sec1(&block, what, &pkey);
	else if ((err = unsupported_private_label(label, what)) == 0)
		err = cairn_error_set(CAIRN_EINVAL, "%s: expected a private key but found %s %s PEM block", what,
				      article(label), label);
	pem_block_free(&block);
	if (err)
		return err;
	enum cairn_key_type type;
	err = classify(pkey, what, &type);
	if (!err && type == CAIRN_KEY_RSA)
		err = cairn_error_set(CAIRN_EUNSUPPORTED,
				      "%s: RSA private keys cannot sign in cairn (RSA is for verification only)", what);
	if (!err)
		err = check_pair(pkey, what);
	if (err) {
		EVP_PKEY_free(pkey);
		return err;
	}
	return key_wrap(out, pkey, type, 1);
}

int cairn_key_load_private_file(cairn_key **out, const char *path)
{
	*out = NULL;
	cairn_buf pem = CAIRN_BUF_SECRET_INIT;
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_SMALL, &pem);
	if (err) {
		cairn_buf_free_secret(&pem);
		return err;
	}
	/* Only an encrypted key needs a passphrase; don't prompt for the others. */
	char label[PEM_LABEL_MAX + 1];
	size_t start;
	cairn_buf passphrase = CAIRN_BUF_SECRET_INIT;
	int found = pem_find_begin((const char *)pem.data, pem.len, path, &start, label) == 1;
	int cosign = found && is_cosign_label(label);
	int encrypted = cosign || (found && strcmp(label, "ENCRYPTED PRIVATE KEY") == 0);
	/* cosign's own variable comes first for cosign's keys, as cosign reads it (even when empty). */
	const char *cosign_password = cosign ? getenv("COSIGN_PASSWORD") : NULL;
	if (cosign_password != NULL) {
		err = cairn_buf_append_str(&passphrase, cosign_password);
	} else if (encrypted) {
		char prompt[512];
		snprintf(prompt, sizeof prompt, "Enter %s for %s: ", cosign ? "password" : "passphrase", path);
		err = cairn_passphrase_read(&passphrase, prompt, 0);
		if (err)
			err = cairn_error_prefix(err, "%s: the private key is encrypted%s", path,
						 cosign ? " (set COSIGN_PASSWORD or CAIRN_PASSWORD)" : "");
	}
	if (!err)
		err = cairn_key_load_private(out, pem.data, pem.len, encrypted ? cairn_buf_cstr(&passphrase) : NULL,
					     path);
	cairn_buf_free_secret(&passphrase);
	cairn_buf_free_secret(&pem);
	return err;
}

/* ---- public keys ---- */

static int cache_public_der(cairn_key *key, const void *der, size_t len);

/* The DER SubjectPublicKeyInfo of a named-curve EC key with an uncompressed point is these bytes and
 * then the point: the form every Sigstore and cosign key takes. */
static const struct {
	const char *group;
	size_t prefix_len, point_len;
	unsigned char prefix[26];
} ec_spki[] = {
	{"P-256", 26, 65, {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
			   0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00}},
	{"P-384", 23, 97, {0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05,
			   0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00}},
};

/* A key of that exact form is imported from its point: OpenSSL 3's d2i_PUBKEY sets up its whole
 * decoder chain for every key, about seven times the cost (a transparency log parses one key per
 * entry). The import still checks the point is on the curve. Returns NULL for any other form, which
 * d2i_PUBKEY then reads. */
static EVP_PKEY *ec_spki_import(const unsigned char *der, size_t len)
{
	for (size_t i = 0; i < sizeof ec_spki / sizeof ec_spki[0]; i++) {
		if (len != ec_spki[i].prefix_len + ec_spki[i].point_len ||
		    memcmp(der, ec_spki[i].prefix, ec_spki[i].prefix_len) != 0 || der[ec_spki[i].prefix_len] != 0x04)
			continue;
		OSSL_PARAM params[3];
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)ec_spki[i].group, 0);
		params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)(der + ec_spki[i].prefix_len),
							      ec_spki[i].point_len);
		params[2] = OSSL_PARAM_construct_end();
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		EVP_PKEY *pkey = NULL;
		if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		return pkey;
	}
	return NULL;
}

int cairn_key_load_public_der(cairn_key **out, const void *der, size_t len, const char *what)
{
	*out = NULL;
	if (len > KEY_INPUT_LIMIT)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too large for a public key", what, len);
	EVP_PKEY *ec = ec_spki_import(der, len);
	if (ec != NULL) {
		int err = key_adopt(out, ec, what, 0);
		if (!err) /* the input is already the canonical encoding: keep it, nothing to encode later */
			err = cache_public_der(*out, der, len);
		if (err) {
			cairn_key_free(*out);
			*out = NULL;
		}
		return err;
	}
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
	int whole = p == (const unsigned char *)der + len;
	ERR_clear_error();
	if (pkey == NULL || !whole) {
		EVP_PKEY_free(pkey);
		return cairn_error_set(CAIRN_EINVAL, "%s: not a valid DER SubjectPublicKeyInfo", what);
	}
	return key_adopt(out, pkey, what, 0);
}

int cairn_key_load_public(cairn_key **out, const void *pem, size_t len, const char *what)
{
	*out = NULL;
	char label[PEM_LABEL_MAX + 1];
	struct pem_block block;
	int err = pem_read_first(pem, len, what, label, &block);
	if (err)
		return err;
	if (strcmp(label, "PUBLIC KEY") == 0) {
		err = cairn_key_load_public_der(out, block.data, (size_t)block.len, what);
	} else if (strcmp(label, "RSA PUBLIC KEY") == 0) {
		const unsigned char *p = block.data;
		EVP_PKEY *pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, block.len);
		int whole = consumed_all(p, &block);
		ERR_clear_error();
		if (pkey == NULL || !whole) {
			EVP_PKEY_free(pkey);
			err = cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM (bad RSA PUBLIC KEY)", what);
		} else {
			err = key_adopt(out, pkey, what, 0);
		}
	} else if (strstr(label, "PRIVATE KEY") != NULL) {
		err = cairn_error_set(CAIRN_EINVAL,
				      "%s: expected a public key but found %s %s PEM block (give the public key, not the private one)",
				      what, article(label), label);
	} else {
		err = cairn_error_set(CAIRN_EINVAL, "%s: expected a public key but found %s %s PEM block", what,
				      article(label), label);
	}
	pem_block_free(&block);
	return err;
}

int cairn_key_load_public_file(cairn_key **out, const char *path)
{
	*out = NULL;
	cairn_buf pem = CAIRN_BUF_SECRET_INIT;
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_SMALL, &pem);
	if (!err)
		err = cairn_key_load_public(out, pem.data, pem.len, path);
	/* A file given as a public key may turn out to be a private one. */
	cairn_buf_free_secret(&pem);
	return err;
}

/* ---- saving ---- */

/* Appends everything written to a memory BIO. */
static int append_bio(BIO *bio, cairn_buf *out)
{
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);
	if (len <= 0 || data == NULL)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "writing the key produced no output");
	return cairn_buf_append(out, data, (size_t)len);
}

int cairn_key_save_private(const cairn_key *key, const char *passphrase, cairn_buf *pem)
{
	if (!key->is_private)
		return cairn_error_set(CAIRN_EINVAL, "cannot save a private key: this %s key has only its public half",
				       cairn_key_type_name(key->type));
	size_t pass_len = passphrase != NULL ? strlen(passphrase) : 0;
	if (pass_len > PASSPHRASE_MAX)
		return cairn_error_set(CAIRN_EINVAL, "passphrase longer than %d bytes", PASSPHRASE_MAX);
	/* A secure-memory BIO is wiped when freed, so the unencrypted key leaves no copy behind. */
	BIO *bio = BIO_new(BIO_s_secmem());
	if (bio == NULL)
		return cairn_error_set_openssl(CAIRN_ENOMEM, "cannot write the private key");
	/* AES-256-CBC selects PBES2 with PBKDF2-HMAC-SHA256 in OpenSSL 3; the passphrase goes in
	 * directly (kstr), so no callback can prompt. */
	const EVP_CIPHER *cipher = pass_len > 0 ? EVP_aes_256_cbc() : NULL;
	int ok = PEM_write_bio_PKCS8PrivateKey(bio, key->pkey, cipher, pass_len > 0 ? (const char *)passphrase : NULL,
					       (int)pass_len, NULL, NULL);
	int err = ok == 1 ? append_bio(bio, pem)
			  : cairn_error_set_openssl(CAIRN_EINTERNAL, "writing the %s private key failed",
						    cairn_key_type_name(key->type));
	BIO_free(bio);
	return err;
}

static int public_der_cached(const cairn_key *key, const struct der_cache **out);

/* PEM from the cached DER: no encoder runs twice for one key. */
int cairn_key_save_public(const cairn_key *key, cairn_buf *pem)
{
	const struct der_cache *c;
	int err = public_der_cached(key, &c);
	return err ? err : cairn_pem_encode(pem, "PUBLIC KEY", c->data, c->len);
}

/* Encodes key's public half as DER SubjectPublicKeyInfo into a new cache entry. */
static int encode_public(const cairn_key *key, struct der_cache **out)
{
	*out = NULL;
	int len = i2d_PUBKEY(key->pkey, NULL);
	if (len <= 0)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "encoding the %s public key failed",
					       cairn_key_type_name(key->type));
	struct der_cache *c = malloc(sizeof *c + (size_t)len);
	if (c == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	unsigned char *p = c->data;
	if (i2d_PUBKEY(key->pkey, &p) != len) {
		free(c);
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "encoding the %s public key failed",
					       cairn_key_type_name(key->type));
	}
	c->len = (size_t)len;
	*out = c;
	return 0;
}

/* The key's cached DER, encoding it on first use. */
/* Fills the empty DER cache of a key just made with bytes known to be its canonical encoding. */
static int cache_public_der(cairn_key *key, const void *der, size_t len)
{
	struct der_cache *c = malloc(sizeof *c + len);
	if (c == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	c->len = len;
	memcpy(c->data, der, len);
	atomic_store(&key->der, c);
	return 0;
}

static int public_der_cached(const cairn_key *key, const struct der_cache **out)
{
	/* The cache is the one mutable part of a key; key itself was allocated writable (key_wrap). */
	_Atomic(struct der_cache *) *slot = (_Atomic(struct der_cache *) *)&key->der;
	struct der_cache *c = atomic_load(slot);
	if (c == NULL) {
		int err = encode_public(key, &c);
		if (err)
			return err;
		struct der_cache *expected = NULL;
		if (!atomic_compare_exchange_strong(slot, &expected, c)) {
			free(c); /* another thread was first: use its copy */
			c = expected;
		}
	}
	*out = c;
	return 0;
}

int cairn_key_public_der(const cairn_key *key, cairn_buf *der)
{
	const struct der_cache *c;
	int err = public_der_cached(key, &c);
	if (!err)
		err = cairn_buf_append(der, c->data, c->len);
	return err;
}

/* ---- accessors ---- */

enum cairn_key_type cairn_key_get_type(const cairn_key *key)
{
	return key != NULL ? key->type : CAIRN_KEY_UNKNOWN;
}

int cairn_key_is_private(const cairn_key *key)
{
	return key != NULL && key->is_private;
}

enum cairn_digest_alg cairn_key_default_digest(const cairn_key *key)
{
	switch (cairn_key_get_type(key)) {
	case CAIRN_KEY_ECDSA_P256:
	case CAIRN_KEY_RSA: return CAIRN_DIGEST_SHA256;
	case CAIRN_KEY_ECDSA_P384: return CAIRN_DIGEST_SHA384;
	default: return CAIRN_DIGEST_NONE;
	}
}

int cairn_key_public_copy(const cairn_key *key, cairn_key **out)
{
	*out = NULL;
	/* A public key is immutable, so the copy can share OpenSSL's key. A private key (and an RSA key,
	 * which is marked public whatever it holds) is re-read from its public DER, so that the copy holds
	 * no private half. */
	if (!key->is_private && key->type != CAIRN_KEY_RSA) {
		if (EVP_PKEY_up_ref(key->pkey) != 1)
			return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot take a reference on the key");
		return key_wrap(out, key->pkey, key->type, 0);
	}
	cairn_buf der = CAIRN_BUF_INIT;
	int err = cairn_key_public_der(key, &der);
	if (!err)
		err = cairn_key_load_public_der(out, der.data, der.len, "public key");
	cairn_buf_free(&der);
	return err;
}

struct evp_pkey_st *cairn_key_evp(const cairn_key *key)
{
	return key->pkey;
}

void cairn_key_free(cairn_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL clears the private half */
	free(atomic_load(&key->der));
	free(key);
}
