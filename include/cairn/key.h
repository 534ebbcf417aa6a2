/* cairn/key.h - signing and verification keys.
 *
 * Private keys are stored as PEM PKCS#8 ("PRIVATE KEY", or "ENCRYPTED PRIVATE KEY": PBES2 with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC, which every OpenSSL reads), public keys as PEM
 * SubjectPublicKeyInfo ("PUBLIC KEY"). SEC1 "EC PRIVATE KEY" files, as `openssl ecparam -genkey`
 * writes them, are read too, and so are cosign's "ENCRYPTED SIGSTORE PRIVATE KEY" files (see
 * cairn_key_load_cosign). RSA public keys load for verification only. */
#ifndef CAIRN_KEY_H
#define CAIRN_KEY_H

#include "cairn/buf.h"
#include "cairn/digest.h"

#include <stddef.h>

struct evp_pkey_st; /* OpenSSL's EVP_PKEY, for modules that need to hand the key to OpenSSL */

enum cairn_key_type {
	CAIRN_KEY_UNKNOWN = 0,
	CAIRN_KEY_ECDSA_P256,
	CAIRN_KEY_ECDSA_P384,
	CAIRN_KEY_ED25519,
	CAIRN_KEY_RSA, /* verification only */
};

typedef struct cairn_key cairn_key;

/* "ecdsa-p256", "ecdsa-p384", "ed25519", "rsa". */
const char *cairn_key_type_name(enum cairn_key_type type);
int cairn_key_type_parse(const char *name, enum cairn_key_type *out);

int cairn_key_generate(cairn_key **out, enum cairn_key_type type);

/* Loads a private key from PEM. `passphrase` is used when the PEM is encrypted (NULL: an encrypted
 * key is an error saying a passphrase is needed). A wrong passphrase, a key of a type cairn cannot
 * sign with, a PEM of the wrong kind (a certificate, a public key) each fail with a message naming
 * `what` and the reason. */
int cairn_key_load_private(cairn_key **out, const void *pem, size_t len, const char *passphrase,
			   const char *what);
/* Reads a private key file (size-limited); asks for the passphrase (cairn_passphrase_read) only when
 * the file is encrypted. For a cosign key the password is COSIGN_PASSWORD when set (even empty),
 * otherwise what cairn_passphrase_read gives (CAIRN_PASSWORD, then the terminal). */
int cairn_key_load_private_file(cairn_key **out, const char *path);

/* cosign's encrypted key files: a PEM block "ENCRYPTED SIGSTORE PRIVATE KEY" (or the older
 * "ENCRYPTED COSIGN PRIVATE KEY") holding JSON that names scrypt with its N, r, p and salt, and a
 * NaCl secretbox (XSalsa20-Poly1305) nonce and ciphertext of the PKCS#8 DER private key.
 * cairn_key_load_private handles these labels by calling this.
 *
 * Loading: `password` may be empty (cosign allows it) but not NULL. scrypt parameters are bounded
 * before any work (N a power of two up to 2^20, at most 256 MiB of memory, N*r*p up to 2^22;
 * CAIRN_ETOOBIG beyond); unknown JSON members, other KDFs or ciphers are refused. A wrong password
 * or a tampered file fails with CAIRN_EINVAL "wrong password or corrupt key".
 * Saving appends the PEM cosign writes (N=65536, r=8, p=1, a random 32-byte salt and 24-byte
 * nonce); a NULL password is the empty one, and the key is encrypted either way. */
int cairn_key_load_cosign(cairn_key **out, const void *pem, size_t len, const char *password, const char *what);
int cairn_key_save_cosign(const cairn_key *key, const char *password, cairn_buf *pem);

/* Loads a public key from PEM ("PUBLIC KEY" SubjectPublicKeyInfo, or "RSA PUBLIC KEY"). */
int cairn_key_load_public(cairn_key **out, const void *pem, size_t len, const char *what);
int cairn_key_load_public_der(cairn_key **out, const void *der, size_t len, const char *what);
int cairn_key_load_public_file(cairn_key **out, const char *path);

/* Appends PEM PKCS#8; encrypted when passphrase is non-NULL and non-empty. */
int cairn_key_save_private(const cairn_key *key, const char *passphrase, cairn_buf *pem);
/* Appends PEM SubjectPublicKeyInfo. */
int cairn_key_save_public(const cairn_key *key, cairn_buf *pem);
/* Appends DER SubjectPublicKeyInfo (what key IDs and trusted roots are made from). */
int cairn_key_public_der(const cairn_key *key, cairn_buf *der);

enum cairn_key_type cairn_key_get_type(const cairn_key *key);
int cairn_key_is_private(const cairn_key *key);
/* The digest a signature with this key uses by default, as Sigstore pairs them: SHA-256 for P-256
 * and RSA, SHA-384 for P-384, none (pure EdDSA over the message) for Ed25519. */
enum cairn_digest_alg cairn_key_default_digest(const cairn_key *key);
/* A new key holding only the public half. */
int cairn_key_public_copy(const cairn_key *key, cairn_key **out);
/* Borrowed; owned by key. */
struct evp_pkey_st *cairn_key_evp(const cairn_key *key);
/* Takes a reference on an OpenSSL key (for certificates' keys); checks the type is supported. */
int cairn_key_from_evp(cairn_key **out, struct evp_pkey_st *pkey, const char *what);
void cairn_key_free(cairn_key *key);

/* The passphrase for a key: CAIRN_PASSWORD when set (even empty), otherwise a prompt on the
 * controlling terminal without echo (twice when `confirm`); CAIRN_EINVAL when neither is possible.
 * Clear the result with cairn_buf_free_secret. */
int cairn_passphrase_read(cairn_buf *out, const char *prompt, int confirm);

#endif
