/* cosign's encrypted private key files, read and written with libsodium.
 *
 * cosign (through sigstore's cryptoutils and go-securesystemslib's "encrypted" package) stores a
 * private key as a PEM block labelled "ENCRYPTED SIGSTORE PRIVATE KEY" (older files: "ENCRYPTED
 * COSIGN PRIVATE KEY"). The block's bytes are a JSON document:
 *
 *   {"kdf": {"name": "scrypt", "params": {"N": 65536, "r": 8, "p": 1}, "salt": BASE64},
 *    "cipher": {"name": "nacl/secretbox", "nonce": BASE64},
 *    "ciphertext": BASE64}
 *
 * The 32-byte box key is scrypt(password, salt, N, r, p); the ciphertext is a NaCl secretbox
 * (XSalsa20-Poly1305, the 16-byte tag first, as libsodium's "easy" API lays it out) of the PKCS#8
 * DER private key. Base64 is the standard alphabet with padding (what Go writes for []byte).
 *
 * The scrypt parameters come from the file, so a hostile file could ask for gigabytes of memory
 * and minutes of work; they are bounded before anything is derived. The decrypted PKCS#8 is handed
 * to cairn_key_load_private, so cosign keys get exactly the checks every other key gets. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/key.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define COSIGN_LABEL "ENCRYPTED SIGSTORE PRIVATE KEY"
#define COSIGN_LABEL_OLD "ENCRYPTED COSIGN PRIVATE KEY"

/* A cosign key file is under a kilobyte for ECDSA and a few for RSA. */
#define COSIGN_PEM_MAX CAIRN_FILE_LIMIT_SMALL
/* The JSON nests three deep (kdf.params.N). */
#define COSIGN_JSON_DEPTH 4
/* A PKCS#8 RSA-4096 key is about 2.4 KB; nothing larger is a key. */
#define COSIGN_CIPHERTEXT_MAX ((size_t)16 * 1024)
#define COSIGN_SALT_MAX 256
#define COSIGN_PASSWORD_MAX 4096

/* scrypt bounds. cosign writes N = 2^16, r = 8, p = 1 (64 MiB, about 0.1 s); go-securesystemslib
 * also knows 2^15 and 2^17. We accept up to 2^20, but never more than 256 MiB of memory
 * (128 * r * N bytes) nor more than four times the work of N = 2^17, r = 8 (N * r * p <= 2^22). */
#define SCRYPT_N_MAX ((uint64_t)1 << 20)
#define SCRYPT_RP_MAX 1024 /* each of r and p; keeps the products below from overflowing */
#define SCRYPT_MEMORY_MAX ((uint64_t)256 << 20)
#define SCRYPT_WORK_MAX ((uint64_t)1 << 22)

/* What cairn writes: cosign's own defaults, which every cosign version reads. */
#define WRITE_N 65536
#define WRITE_R 8
#define WRITE_P 1
#define WRITE_SALT_LEN 32

#define BOX_KEY_LEN crypto_secretbox_KEYBYTES
#define BOX_NONCE_LEN crypto_secretbox_NONCEBYTES
#define BOX_TAG_LEN crypto_secretbox_MACBYTES

/* The parsed JSON body. */
struct cosign_box {
	uint64_t n;
	uint32_t r, p;
	cairn_buf salt, nonce, ciphertext;
};

static void box_free(struct cosign_box *box)
{
	cairn_buf_free(&box->salt);
	cairn_buf_free(&box->nonce);
	cairn_buf_free(&box->ciphertext);
}

static int is_cosign_label(const char *label)
{
	return strcmp(label, COSIGN_LABEL) == 0 || strcmp(label, COSIGN_LABEL_OLD) == 0;
}

static int sodium_ready(void)
{
	/* 0: initialised now, 1: already was; both fine. */
	if (sodium_init() < 0)
		return cairn_error_set(CAIRN_EINTERNAL, "libsodium could not be initialised");
	return 0;
}

/* ---- PEM ---- */

/* Finds the first "-----BEGIN " at the start of a line and has OpenSSL decode that block into
 * body. The block must carry one of cosign's labels and no headers. */
static int pem_decode(const void *pem, size_t len, const char *what, cairn_buf *body)
{
	static const char begin[] = "-----BEGIN ";
	const char *text = pem;
	size_t at = 0;
	for (;;) {
		const char *found = memmem(text + at, len - at, begin, sizeof begin - 1);
		if (found == NULL)
			return cairn_error_set(CAIRN_EINVAL, "%s: not a PEM file (no -----BEGIN line)", what);
		at = (size_t)(found - text);
		if (at == 0 || text[at - 1] == '\n')
			break;
		at++;
	}
	BIO *bio = BIO_new_mem_buf(text + at, (int)(len - at));
	if (bio == NULL)
		return cairn_error_set_openssl(CAIRN_ENOMEM, "%s: cannot read PEM", what);
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long data_len = 0;
	int ok = PEM_read_bio_ex(bio, &name, &header, &data, &data_len, 0);
	BIO_free(bio);
	ERR_clear_error();
	int err = 0;
	if (ok != 1 || data_len <= 0)
		err = cairn_error_set(CAIRN_EINVAL, "%s: truncated or corrupt PEM", what);
	else if (!is_cosign_label(name))
		err = cairn_error_set(CAIRN_EINVAL, "%s: not a cosign private key (found a %s PEM block, expected %s)",
				      what, name, COSIGN_LABEL);
	else if (header != NULL && header[0] != '\0')
		err = cairn_error_set(CAIRN_EINVAL, "%s: unexpected headers in the %s PEM block", what, name);
	else
		err = cairn_buf_append(body, data, (size_t)data_len);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return err;
}

/* Appends a PEM block with 64-character base64 lines, as Go's encoding/pem and OpenSSL write it.
 * The output is reserved up front so that no copy of secret data is left behind by a realloc. */
static int pem_encode(const char *label, const void *data, size_t len, cairn_buf *out)
{
	cairn_buf b64 = CAIRN_BUF_SECRET_INIT;
	int err = cairn_base64_encode(&b64, data, len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_buf_reserve(out, b64.len + b64.len / 64 + 2 * strlen(label) + 40);
	if (!err)
		err = cairn_buf_printf(out, "-----BEGIN %s-----\n", label);
	for (size_t i = 0; !err && i < b64.len; i += 64) {
		size_t n = b64.len - i < 64 ? b64.len - i : 64;
		err = cairn_buf_append(out, b64.data + i, n);
		if (!err)
			err = cairn_buf_append_byte(out, '\n');
	}
	if (!err)
		err = cairn_buf_printf(out, "-----END %s-----\n", label);
	cairn_buf_free_secret(&b64);
	return err;
}

/* ---- the JSON body ---- */

/* Refuses members other than the expected ones: a field we do not know could change what the
 * file means, and cosign writes none. */
static int only_members(json_t *obj, const char *const *names, const char *where, const char *what)
{
	const char *key;
	json_t *value;
	json_object_foreach(obj, key, value) {
		int known = 0;
		for (size_t i = 0; names[i] != NULL; i++)
			known |= strcmp(key, names[i]) == 0;
		if (!known)
			return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: unexpected member \"%s\" in %s",
					       what, key, where);
	}
	return 0;
}

static int get_object(json_t *parent, const char *key, const char *path, const char *what, json_t **out)
{
	*out = json_object_get(parent, key);
	if (!json_is_object(*out))
		return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: \"%s\" is missing or not an object", what,
				       path);
	return 0;
}

static int get_string(json_t *parent, const char *key, const char *path, const char *what, const char **out)
{
	json_t *value = json_object_get(parent, key);
	if (!json_is_string(value))
		return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: \"%s\" is missing or not a string", what,
				       path);
	*out = json_string_value(value);
	return 0;
}

/* A base64 member, decoded, whose length must lie in [min, max]. */
static int get_bytes(json_t *parent, const char *key, const char *path, size_t min, size_t max, const char *what,
		     cairn_buf *out)
{
	json_t *value = json_object_get(parent, key);
	if (!json_is_string(value))
		return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: \"%s\" is missing or not a string", what,
				       path);
	const char *text = json_string_value(value);
	size_t text_len = json_string_length(value);
	if (text_len > (max / 3 + 1) * 4)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: malformed cosign key: \"%s\" is longer than %zu bytes", what,
				       path, max);
	char where[80];
	snprintf(where, sizeof where, "%s: \"%s\"", what, path);
	int err = cairn_base64_decode(out, text, text_len, CAIRN_BASE64_STD, where);
	if (err)
		return err;
	if (out->len < min || out->len > max) {
		if (min == max)
			return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: \"%s\" is %zu bytes, expected %zu",
					       what, path, out->len, min);
		return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: \"%s\" is %zu bytes, expected %zu to %zu",
				       what, path, out->len, min, max);
	}
	return 0;
}

static int get_positive_int(json_t *params, const char *key, const char *what, json_int_t *out)
{
	json_t *value = json_object_get(params, key);
	if (!json_is_integer(value) || json_integer_value(value) < 1)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: malformed cosign key: scrypt parameter \"%s\" is missing or not a positive integer",
				       what, key);
	*out = json_integer_value(value);
	return 0;
}

/* Bounds what the key derivation may cost before any of it is spent. */
static int check_scrypt_params(json_int_t n, json_int_t r, json_int_t p, const char *what)
{
	if (n < 2 || (n & (n - 1)) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: scrypt N=%lld is not a power of two", what,
				       (long long)n);
	if ((uint64_t)n > SCRYPT_N_MAX)
		return cairn_error_set(CAIRN_ETOOBIG,
				       "%s: refusing scrypt N=%lld: cairn accepts N up to 2^20 (cosign writes 65536)", what,
				       (long long)n);
	if (r > SCRYPT_RP_MAX || p > SCRYPT_RP_MAX)
		return cairn_error_set(CAIRN_ETOOBIG,
				       "%s: refusing scrypt r=%lld, p=%lld: cairn accepts r and p up to %d (cosign writes r=8, p=1)",
				       what, (long long)r, (long long)p, SCRYPT_RP_MAX);
	uint64_t memory = 128 * (uint64_t)r * (uint64_t)n;
	if (memory > SCRYPT_MEMORY_MAX)
		return cairn_error_set(CAIRN_ETOOBIG,
				       "%s: refusing scrypt N=%lld, r=%lld: it would need %llu MiB of memory (cairn's limit is %llu MiB)",
				       what, (long long)n, (long long)r, (unsigned long long)(memory >> 20),
				       (unsigned long long)(SCRYPT_MEMORY_MAX >> 20));
	if ((uint64_t)n * (uint64_t)r * (uint64_t)p > SCRYPT_WORK_MAX)
		return cairn_error_set(CAIRN_ETOOBIG,
				       "%s: refusing scrypt N=%lld, r=%lld, p=%lld: N*r*p is over cairn's limit of 2^22",
				       what, (long long)n, (long long)r, (long long)p);
	return 0;
}

static int parse_kdf(json_t *root, const char *what, struct cosign_box *box)
{
	static const char *const kdf_members[] = {"name", "params", "salt", NULL};
	static const char *const param_members[] = {"N", "r", "p", NULL};
	json_t *kdf, *params;
	const char *name = NULL;
	int err = get_object(root, "kdf", "kdf", what, &kdf);
	if (!err)
		err = only_members(kdf, kdf_members, "kdf", what);
	if (!err)
		err = get_string(kdf, "name", "kdf.name", what, &name);
	if (err)
		return err;
	if (strcmp(name, "scrypt") != 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: cosign key derivation \"%s\" is not supported (cosign keys use scrypt)", what, name);
	json_int_t n = 0, r = 0, p = 0;
	err = get_object(kdf, "params", "kdf.params", what, &params);
	if (!err)
		err = only_members(params, param_members, "kdf.params", what);
	if (!err)
		err = get_positive_int(params, "N", what, &n);
	if (!err)
		err = get_positive_int(params, "r", what, &r);
	if (!err)
		err = get_positive_int(params, "p", what, &p);
	if (!err)
		err = check_scrypt_params(n, r, p, what);
	if (!err)
		err = get_bytes(kdf, "salt", "kdf.salt", 1, COSIGN_SALT_MAX, what, &box->salt);
	if (err)
		return err;
	box->n = (uint64_t)n;
	box->r = (uint32_t)r;
	box->p = (uint32_t)p;
	return 0;
}

static int parse_cipher(json_t *root, const char *what, struct cosign_box *box)
{
	static const char *const cipher_members[] = {"name", "nonce", NULL};
	json_t *cipher;
	const char *name = NULL;
	int err = get_object(root, "cipher", "cipher", what, &cipher);
	if (!err)
		err = only_members(cipher, cipher_members, "cipher", what);
	if (!err)
		err = get_string(cipher, "name", "cipher.name", what, &name);
	if (err)
		return err;
	if (strcmp(name, "nacl/secretbox") != 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: cosign key cipher \"%s\" is not supported (cosign keys use nacl/secretbox)", what,
				       name);
	return get_bytes(cipher, "nonce", "cipher.nonce", BOX_NONCE_LEN, BOX_NONCE_LEN, what, &box->nonce);
}

static int parse_body(const cairn_buf *body, const char *what, struct cosign_box *box)
{
	static const char *const root_members[] = {"kdf", "cipher", "ciphertext", NULL};
	const cairn_json_limits limits = {COSIGN_PEM_MAX, COSIGN_JSON_DEPTH};
	json_t *root = NULL;
	/* JSON errors read "KEY: malformed cosign key: JSON body:LINE:COLUMN: reason". */
	char where[512];
	snprintf(where, sizeof where, "%s: malformed cosign key: JSON body", what);
	int err = cairn_json_parse(&root, body->data, body->len, &limits, where);
	if (err)
		return err;
	if (!json_is_object(root))
		err = cairn_error_set(CAIRN_EINVAL, "%s: malformed cosign key: the PEM body is not a JSON object", what);
	if (!err)
		err = only_members(root, root_members, "the key", what);
	if (!err)
		err = parse_kdf(root, what, box);
	if (!err)
		err = parse_cipher(root, what, box);
	if (!err)
		/* The tag alone (an empty key) is no key either. */
		err = get_bytes(root, "ciphertext", "ciphertext", BOX_TAG_LEN + 1, COSIGN_CIPHERTEXT_MAX, what,
				&box->ciphertext);
	json_decref(root);
	return err;
}

/* ---- crypto ---- */

static int derive_box_key(const char *password, const uint8_t *salt, size_t salt_len, uint64_t n, uint32_t r,
			  uint32_t p, uint8_t key[BOX_KEY_LEN])
{
	errno = 0;
	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)password, strlen(password), salt, salt_len, n, r, p,
						  key, BOX_KEY_LEN) != 0) {
		int code = errno == ENOMEM ? CAIRN_ENOMEM : CAIRN_EINTERNAL;
		return cairn_error_set(code, "scrypt key derivation failed (N=%llu, r=%u, p=%u)", (unsigned long long)n,
				       r, p);
	}
	return 0;
}

static int check_password(const char *password, const char *what)
{
	if (password == NULL)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: the cosign private key is encrypted; set COSIGN_PASSWORD (or CAIRN_PASSWORD) or run on a terminal",
				       what);
	if (strlen(password) > COSIGN_PASSWORD_MAX)
		return cairn_error_set(CAIRN_EINVAL, "%s: password longer than %d bytes", what, COSIGN_PASSWORD_MAX);
	return 0;
}

/* Opens the box into plain (reserved exactly, so no stray copies are left) and checks it holds one
 * whole PKCS#8 structure, which is all cosign ever encrypts. */
static int open_box(const struct cosign_box *box, const char *password, const char *what, cairn_buf *plain)
{
	uint8_t key[BOX_KEY_LEN];
	int err = derive_box_key(password, box->salt.data, box->salt.len, box->n, box->r, box->p, key);
	size_t plain_len = box->ciphertext.len - BOX_TAG_LEN;
	if (!err)
		err = cairn_buf_reserve(plain, plain_len);
	if (!err && crypto_secretbox_open_easy(plain->data, box->ciphertext.data, box->ciphertext.len,
					       box->nonce.data, key) != 0)
		err = cairn_error_set(CAIRN_EINVAL, "%s: wrong password or corrupt key (the cosign key did not decrypt)",
				      what);
	sodium_memzero(key, sizeof key);
	if (err)
		return err;
	plain->len = plain_len;
	plain->data[plain_len] = 0;
	const unsigned char *p = plain->data;
	PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)plain_len);
	int whole = p8 != NULL && p == plain->data + plain_len;
	PKCS8_PRIV_KEY_INFO_free(p8);
	ERR_clear_error();
	if (!whole)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: the cosign key decrypted, but what it holds is not a PKCS#8 private key", what);
	return 0;
}

/* ---- public ---- */

int cairn_key_load_cosign(cairn_key **out, const void *pem, size_t len, const char *password, const char *what)
{
	*out = NULL;
	if (len > COSIGN_PEM_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too large for a key (limit %zu)", what, len,
				       (size_t)COSIGN_PEM_MAX);
	int err = sodium_ready();
	if (err)
		return err;
	cairn_buf body = CAIRN_BUF_INIT, plain = CAIRN_BUF_SECRET_INIT, der_pem = CAIRN_BUF_SECRET_INIT;
	struct cosign_box box = {0, 0, 0, CAIRN_BUF_INIT, CAIRN_BUF_INIT, CAIRN_BUF_INIT};
	err = pem_decode(pem, len, what, &body);
	if (!err)
		err = parse_body(&body, what, &box);
	/* The password is checked after the file, so a malformed file says so even without one. */
	if (!err)
		err = check_password(password, what);
	if (!err)
		err = open_box(&box, password, what, &plain);
	/* Reuse the ordinary loader: same type checks, pair check and messages as any key. */
	if (!err)
		err = pem_encode("PRIVATE KEY", plain.data, plain.len, &der_pem);
	if (!err)
		err = cairn_key_load_private(out, der_pem.data, der_pem.len, NULL, what);
	cairn_buf_free_secret(&der_pem);
	cairn_buf_free_secret(&plain);
	cairn_buf_free(&body);
	box_free(&box);
	return err;
}

/* The PKCS#8 DER of a private key, as cosign encrypts it. */
static int private_der(const cairn_key *key, cairn_buf *der)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(cairn_key_evp(key));
	unsigned char *bytes = NULL;
	int len = p8 != NULL ? i2d_PKCS8_PRIV_KEY_INFO(p8, &bytes) : -1;
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (len <= 0) {
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "encoding the %s private key failed",
					       cairn_key_type_name(cairn_key_get_type(key)));
	}
	int err = cairn_buf_reserve(der, (size_t)len);
	if (!err)
		err = cairn_buf_append(der, bytes, (size_t)len);
	OPENSSL_clear_free(bytes, (size_t)len);
	return err;
}

/* Appends the JSON body cosign writes, members in its order. */
static int write_body(const uint8_t *salt, const uint8_t *nonce, const cairn_buf *sealed, cairn_buf *json)
{
	cairn_buf salt64 = CAIRN_BUF_INIT, nonce64 = CAIRN_BUF_INIT, sealed64 = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&salt64, salt, WRITE_SALT_LEN, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_base64_encode(&nonce64, nonce, BOX_NONCE_LEN, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_base64_encode(&sealed64, sealed->data, sealed->len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_buf_printf(json,
				       "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":%d,\"r\":%d,\"p\":%d},\"salt\":\"%s\"},"
				       "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"%s\"},\"ciphertext\":\"%s\"}",
				       WRITE_N, WRITE_R, WRITE_P, cairn_buf_cstr(&salt64), cairn_buf_cstr(&nonce64),
				       cairn_buf_cstr(&sealed64));
	cairn_buf_free(&salt64);
	cairn_buf_free(&nonce64);
	cairn_buf_free(&sealed64);
	return err;
}

int cairn_key_save_cosign(const cairn_key *key, const char *password, cairn_buf *pem)
{
	if (!cairn_key_is_private(key))
		return cairn_error_set(CAIRN_EINVAL, "cannot save a cosign key: this %s key has only its public half",
				       cairn_key_type_name(cairn_key_get_type(key)));
	/* cosign encrypts even with an empty password; so do we. */
	if (password == NULL)
		password = "";
	int err = check_password(password, "cosign key");
	if (!err)
		err = sodium_ready();
	if (err)
		return err;
	uint8_t salt[WRITE_SALT_LEN], nonce[BOX_NONCE_LEN], box_key[BOX_KEY_LEN];
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	cairn_buf der = CAIRN_BUF_SECRET_INIT, sealed = CAIRN_BUF_INIT, json = CAIRN_BUF_INIT;
	err = private_der(key, &der);
	if (!err)
		err = derive_box_key(password, salt, sizeof salt, WRITE_N, WRITE_R, WRITE_P, box_key);
	if (!err)
		err = cairn_buf_reserve(&sealed, der.len + BOX_TAG_LEN);
	if (!err && crypto_secretbox_easy(sealed.data, der.data, der.len, nonce, box_key) != 0)
		err = cairn_error_set(CAIRN_EINTERNAL, "encrypting the cosign key failed");
	if (!err) {
		sealed.len = der.len + BOX_TAG_LEN;
		err = write_body(salt, nonce, &sealed, &json);
	}
	if (!err)
		err = pem_encode(COSIGN_LABEL, json.data, json.len, pem);
	sodium_memzero(box_key, sizeof box_key);
	cairn_buf_free_secret(&der);
	cairn_buf_free(&sealed);
	cairn_buf_free(&json);
	return err;
}
