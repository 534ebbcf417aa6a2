/* cairn/dsse.h - DSSE v1 envelopes (github.com/secure-systems-lab/dsse) and in-toto Statement v1.
 *
 * A DSSE envelope signs a payload together with its type: every signature is over the
 * pre-authentication encoding
 *
 *     PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * where LEN is the byte length as ASCII decimal without leading zeros. The JSON form is
 * {"payloadType", "payload" (base64), "signatures": [{"keyid", "sig" (base64)}]}. The spec lets a
 * verifier accept standard and URL-safe base64; cairn accepts both when decoding (each strictly, with
 * or without padding) and writes standard base64 with padding.
 *
 * ECDSA signatures are DER as Sigstore writes them; the raw r||s form some producers use (the DSSE
 * spec's own test vector) is accepted as well when its length is exactly twice the curve's field size.
 *
 * An in-toto Statement (https://in-toto.io/Statement/v1) names its subjects, each with a name and a
 * digest set, and carries a predicate of a given type. */
#ifndef CAIRN_DSSE_H
#define CAIRN_DSSE_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/key.h"

#include <jansson.h>
#include <stddef.h>

#define CAIRN_DSSE_MAX_SIGNATURES 64              /* more in one envelope means a hostile input */
#define CAIRN_DSSE_MAX_SIZE ((size_t)64 * 1024 * 1024) /* a whole envelope */
#define CAIRN_DSSE_MAX_KEYID 1024                 /* bytes of one keyid */

#define CAIRN_DSSE_INTOTO_TYPE "application/vnd.in-toto+json"

typedef struct cairn_dsse_signature {
	char *keyid; /* "" when the envelope gave none */
	cairn_buf sig;
} cairn_dsse_signature;

typedef struct cairn_dsse_envelope {
	char *payload_type;
	cairn_buf payload;
	cairn_dsse_signature *sigs;
	size_t sig_count;
} cairn_dsse_envelope;

/* Appends PAE(type, payload) to out. */
int cairn_dsse_pae(const char *type, const void *payload, size_t len, cairn_buf *out);

/* An empty envelope holding a copy of type and payload, with no signatures yet. */
int cairn_dsse_envelope_init(cairn_dsse_envelope *env, const char *type, const void *payload, size_t len);
void cairn_dsse_envelope_free(cairn_dsse_envelope *env);

/* Parses the JSON form. Unknown members are ignored (as the spec allows); payloadType, payload and a
 * non-empty signatures array are required; a signature's keyid is optional. `what` names the input. */
int cairn_dsse_parse(cairn_dsse_envelope *out, const void *json, size_t len, const char *what);
/* The same from an already parsed JSON object (a Sigstore bundle's dsseEnvelope). */
int cairn_dsse_parse_json(cairn_dsse_envelope *out, const json_t *value, const char *what);
/* Appends the JSON form (standard base64, members in the order above). */
int cairn_dsse_serialize(const cairn_dsse_envelope *env, cairn_buf *out);

/* Signs PAE(type, payload) with key and appends the signature with keyid (NULL: none). */
int cairn_dsse_sign(cairn_dsse_envelope *env, const cairn_key *key, const char *keyid);

/* 0 when sig (DER, or raw r||s for ECDSA) is key's signature over PAE(env's type, env's payload). */
int cairn_dsse_verify_one(const cairn_dsse_envelope *env, const cairn_key *key, const uint8_t *sig, size_t sig_len);

/* 0 when at least `threshold` (>= 1) distinct keys each verified some signature of the envelope. A
 * key counts at most once, and a signature verifies for at most one key. CAIRN_EVERIFY otherwise,
 * saying how many verified. */
int cairn_dsse_verify(const cairn_dsse_envelope *env, const cairn_key *const *keys, size_t key_count,
		      size_t threshold);

/* --- in-toto Statement v1 --------------------------------------------------------------------------- */

#define CAIRN_INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define CAIRN_INTOTO_MAX_SUBJECTS 4096
#define CAIRN_INTOTO_MAX_DIGESTS 16 /* per subject */

typedef struct cairn_intoto_subject {
	char *name;          /* "" when absent */
	cairn_digest *digests; /* the digests of known algorithms (sha256, sha384, sha512) */
	size_t digest_count;
} cairn_intoto_subject;

typedef struct cairn_intoto_statement {
	char *type;           /* _type */
	char *predicate_type; /* "" when absent */
	cairn_intoto_subject *subjects;
	size_t subject_count;
	json_t *predicate;    /* a reference, NULL when absent */
} cairn_intoto_statement;

/* Parses a statement: _type must be Statement v1 (or the older v0.1), subject a non-empty array of
 * {name, digest} whose digest values are hex of the algorithm's length. */
int cairn_intoto_statement_parse(cairn_intoto_statement *out, const void *json, size_t len, const char *what);
void cairn_intoto_statement_free(cairn_intoto_statement *st);
/* 1 when some subject carries exactly this digest, 0 when none does. */
int cairn_intoto_statement_has_digest(const cairn_intoto_statement *st, const cairn_digest *digest);

#endif
