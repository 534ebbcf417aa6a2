/* cairn/sig.h - signatures over messages and over pre-computed digests.
 *
 * ECDSA signatures are DER (as X.509, cosign and Sigstore write them); helpers convert to and from
 * the raw r||s form that JOSE and some DSSE producers use. Ed25519 signatures are 64 bytes of pure
 * EdDSA over the whole message, so Ed25519 cannot sign a pre-computed digest. */
#ifndef CAIRN_SIG_H
#define CAIRN_SIG_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/key.h"

#include <stddef.h>
#include <stdint.h>

/* Signs msg with the key's default digest (cairn_key_default_digest); appends the signature. */
int cairn_sig_sign(const cairn_key *key, const void *msg, size_t len, cairn_buf *sig);
/* Signs a digest computed elsewhere (for streaming large files); not for Ed25519. */
int cairn_sig_sign_digest(const cairn_key *key, const cairn_digest *digest, cairn_buf *sig);

/* 0 when sig is a valid signature by key over msg; CAIRN_EVERIFY when it is not (including a
 * malformed or non-canonical DER signature); other codes for unusable keys. RSA keys verify
 * PKCS#1 v1.5 signatures with SHA-256. */
int cairn_sig_verify(const cairn_key *key, const void *msg, size_t len, const uint8_t *sig, size_t sig_len);
int cairn_sig_verify_digest(const cairn_key *key, const cairn_digest *digest, const uint8_t *sig, size_t sig_len);

/* Sign or verify a whole file ("-" is standard input). ECDSA and RSA stream the file through the
 * key's digest, whatever its size; Ed25519 must see the whole message, so it reads the file into
 * memory up to CAIRN_SIG_ED25519_FILE_LIMIT. */
#define CAIRN_SIG_ED25519_FILE_LIMIT ((size_t)1 << 30)
int cairn_sig_sign_file(const cairn_key *key, const char *path, cairn_buf *sig);
int cairn_sig_verify_file(const cairn_key *key, const char *path, const uint8_t *sig, size_t sig_len);

/* The byte length of one ECDSA coordinate for the key's curve (32 for P-256, 48 for P-384), 0 for
 * other keys. A raw signature is twice this. */
size_t cairn_sig_ecdsa_field_size(const cairn_key *key);
/* DER ECDSA-Sig-Value -> raw r||s, each left-padded to field_size. */
int cairn_sig_ecdsa_der_to_raw(const uint8_t *der, size_t len, size_t field_size, cairn_buf *raw);
/* raw r||s (even length) -> DER. */
int cairn_sig_ecdsa_raw_to_der(const uint8_t *raw, size_t len, cairn_buf *der);

#endif
