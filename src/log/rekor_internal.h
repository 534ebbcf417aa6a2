/* Helpers shared by the rekor_*.c files (not part of the public API). */
#ifndef CAIRN_LOG_REKOR_INTERNAL_H
#define CAIRN_LOG_REKOR_INTERNAL_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/key.h"

#include <jansson.h>
#include <stddef.h>

/* A verifier (public key or certificate) more than this is no key anyone signs with. */
#define REKOR_MAX_VERIFIER ((size_t)64 * 1024)

/* The key material an entry carries, as Rekor's x509 PublicKey reads it: one PEM block, either a
 * CERTIFICATE or a PUBLIC KEY (SubjectPublicKeyInfo). */
typedef struct rekor_verifier {
	cairn_key *key;    /* the public key (the certificate's, for a certificate) */
	cairn_buf pem;     /* canonical PEM: the DER re-encoded, 64-column lines, as Rekor stores it */
	int is_cert;
} rekor_verifier;

/* Reads pem (the decoded bytes of a base64 field); `what` names the field in messages. */
int rekor_verifier_parse(rekor_verifier *out, const void *pem, size_t len, const char *what);
void rekor_verifier_free(rekor_verifier *v);

/* Decodes a base64 field first, for the fields that hold a base64-encoded PEM. */
int rekor_verifier_parse_b64(rekor_verifier *out, const json_t *value, const char *what);

/* A member that must be a string / an object; CAIRN_EINVAL naming `what` when it is absent or of the
 * wrong type. */
int rekor_get_string(const json_t *obj, const char *name, const char *what, const char **out);
int rekor_get_object(const json_t *obj, const char *name, const char *what, const json_t **out);
/* A string member holding strict standard base64 (padding required), decoded into out. */
int rekor_get_base64(const json_t *obj, const char *name, const char *what, cairn_buf *out);

/* {"algorithm": "sha256", "value": "<lowercase hex>"} of the digest. */
int rekor_hash_json(const cairn_digest *digest, json_t **out);
/* Reads such an object; the algorithm must be one of `allowed` (NULL-terminated list of names). */
int rekor_hash_parse(const json_t *hash, const char *const *allowed, const char *what, cairn_digest *out);

/* Sets obj[name] = value, taking the reference (also on failure); CAIRN_ENOMEM when it fails. */
int rekor_set(json_t *obj, const char *name, json_t *value);
/* Sets obj[name] to the standard base64 of data. */
int rekor_set_base64(json_t *obj, const char *name, const void *data, size_t len);

/* Appends the RFC 8785 form of {"apiVersion": version, "kind": kind, "spec": spec} (spec is taken). */
int rekor_finish_body(const char *kind, const char *version, json_t *spec, cairn_buf *out);

/* The three kinds' canonicalizers (rekor_entry.c, rekor_dsse.c); spec is the proposed entry's spec. */
int rekor_hashedrekord_canonicalize(const json_t *spec, cairn_buf *out);
int rekor_dsse_canonicalize(const json_t *spec, cairn_buf *out);
int rekor_intoto_canonicalize(const json_t *spec, cairn_buf *out);

#endif
