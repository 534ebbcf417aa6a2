/* cairn/note.h - C2SP signed notes, verifier keys, tlog checkpoints and witness cosignatures.
 *
 * A signed note (c2sp.org/signed-note) is UTF-8 text ending in a newline, a blank line, and one or
 * more lines "— <key name> base64(key ID || signature)". A key is known by its name together with
 * its 4-byte key ID; verification ignores signatures from keys it does not know, fails when a known
 * key's signature does not verify, and fails when no known key signed.
 *
 * Signature types (the byte hashed into the key ID):
 *   0x01 Ed25519 over the note text; key ID = SHA-256(name || "\n" || 0x01 || 32-byte key)[:4].
 *   0x02 ECDSA (DER signature, the curve's usual digest) over the note text; key ID =
 *        SHA-256(SubjectPublicKeyInfo DER)[:4]. This is how Rekor v1 signs its checkpoints.
 *   0x04 Ed25519 witness cosignature (c2sp.org/tlog-cosignature): the signature is an 8-byte
 *        big-endian timestamp and 64 bytes of Ed25519 over "cosignature/v1\ntime <T>\n" || text.
 *
 * A checkpoint (c2sp.org/tlog-checkpoint) is the text of a note: origin line, decimal tree size,
 * base64 root hash, optional extension lines. */
#ifndef CAIRN_NOTE_H
#define CAIRN_NOTE_H

#include "cairn/buf.h"
#include "cairn/key.h"
#include "cairn/merkle.h"

#include <stddef.h>
#include <stdint.h>

#define CAIRN_NOTE_MAX_SIZE ((size_t)1 << 20)  /* a whole note, signatures included */
#define CAIRN_NOTE_MAX_SIGNATURES 100         /* as Go's golang.org/x/mod/sumdb/note (the spec: >= 16) */

enum cairn_note_sig_type {
	CAIRN_NOTE_SIG_ED25519 = 0x01,
	CAIRN_NOTE_SIG_ECDSA = 0x02,
	CAIRN_NOTE_SIG_COSIGNATURE_V1 = 0x04,
};

/* --- Verifier keys -------------------------------------------------------------------------------- */

typedef struct cairn_note_verifier cairn_note_verifier;

/* Parses a vkey "<name>+<8 hex digits key ID>+base64(type || public key)", as Go's note package and
 * C2SP write them. Types 0x01 and 0x04 carry a 32-byte Ed25519 key, 0x02 a DER SubjectPublicKeyInfo.
 * The key ID must be the one the spec derives from the name and key. */
int cairn_note_verifier_parse(cairn_note_verifier **out, const char *vkey, size_t len);
/* A verifier for `key` under `name`: type 0x01 for an Ed25519 key, 0x02 for an ECDSA key. */
int cairn_note_verifier_new(cairn_note_verifier **out, const char *name, const cairn_key *key);
/* A verifier of type 0x04 (witness cosignatures) for an Ed25519 key. */
int cairn_note_verifier_new_cosigner(cairn_note_verifier **out, const char *name, const cairn_key *key);
void cairn_note_verifier_free(cairn_note_verifier *verifier);

const char *cairn_note_verifier_name(const cairn_note_verifier *verifier);
uint32_t cairn_note_verifier_key_id(const cairn_note_verifier *verifier);
enum cairn_note_sig_type cairn_note_verifier_type(const cairn_note_verifier *verifier);
/* Appends the vkey text. */
int cairn_note_verifier_format(const cairn_note_verifier *verifier, cairn_buf *out);

/* SHA-256(name || "\n" || type || key)[:4] as a big-endian number: the key ID of types 0x01 and 0x04. */
int cairn_note_key_id(const char *name, uint8_t type, const uint8_t *key, size_t key_len, uint32_t *out);

/* --- Notes ---------------------------------------------------------------------------------------- */

typedef struct cairn_note cairn_note;

/* One signature line, as parsed; after cairn_note_verify, `verifier` is the known key that verified
 * it (NULL when the key is unknown or the line repeats an earlier one) and `timestamp` the time of a
 * cosignature (type 0x04), in seconds since the epoch. */
typedef struct cairn_note_sig {
	const char *name;
	uint32_t key_id;
	const uint8_t *sig; /* the bytes after the key ID */
	size_t sig_len;
	const cairn_note_verifier *verifier;
	uint64_t timestamp;
} cairn_note_sig;

/* Parses a signed note without checking any signature: the format rules of the spec (UTF-8, no control
 * characters but newline, the blank line, the signature lines, at most CAIRN_NOTE_MAX_SIGNATURES).
 * `what` names the input in messages. */
int cairn_note_parse(cairn_note **out, const void *data, size_t len, const char *what);
void cairn_note_free(cairn_note *note);

/* The text that was signed (ends with a newline, does not include the blank line). */
const char *cairn_note_text(const cairn_note *note, size_t *len);
size_t cairn_note_sig_count(const cairn_note *note);
const cairn_note_sig *cairn_note_sig_at(const cairn_note *note, size_t index);

/* Checks the note's signatures against the known verifiers, as the spec says: lines whose name and key
 * ID match no verifier are ignored; a matching line must verify (else CAIRN_EVERIFY naming the key);
 * at least one must verify (else CAIRN_EVERIFY). Records the result in each cairn_note_sig; the
 * verifiers must outlive the note's use of them. Two verifiers with the same name and ID: CAIRN_EINVAL. */
int cairn_note_verify(cairn_note *note, const cairn_note_verifier *const *verifiers, size_t count);
/* 1 when a signature by this verifier verified in the last cairn_note_verify (for witness quorums). */
int cairn_note_verified_by(const cairn_note *note, const cairn_note_verifier *verifier);
/* Parse and verify in one step. */
int cairn_note_open(cairn_note **out, const void *data, size_t len, const cairn_note_verifier *const *verifiers,
		    size_t count, const char *what);

/* --- Signing -------------------------------------------------------------------------------------- */

typedef struct cairn_note_signer cairn_note_signer;

/* A signer for `key` under `name`: type 0x01 for Ed25519, 0x02 for ECDSA (as Rekor v1 signs). */
int cairn_note_signer_new(cairn_note_signer **out, const char *name, const cairn_key *key);
/* A witness cosigner (type 0x04) for an Ed25519 key; it signs with the current time unless
 * cairn_note_signer_set_time gave one. */
int cairn_note_signer_new_cosigner(cairn_note_signer **out, const char *name, const cairn_key *key);
void cairn_note_signer_set_time(cairn_note_signer *signer, uint64_t timestamp);
void cairn_note_signer_free(cairn_note_signer *signer);
/* The verifier matching this signer. */
int cairn_note_signer_verifier(const cairn_note_signer *signer, cairn_note_verifier **out);

/* Appends one signature line "— name base64(key ID || signature)\n" for text. */
int cairn_note_sign_line(const cairn_note_signer *signer, const char *text, size_t len, cairn_buf *out);
/* Appends a whole signed note: text (which must be valid note text ending in a newline), the blank
 * line, and a signature line from each signer. */
int cairn_note_sign(const char *text, size_t len, const cairn_note_signer *const *signers, size_t count,
		    cairn_buf *out);

/* --- Checkpoints ---------------------------------------------------------------------------------- */

#define CAIRN_CHECKPOINT_MAX_SIZE (((uint64_t)1 << 63) - 1) /* tree sizes above this are refused */
#define CAIRN_CHECKPOINT_MAX_EXTENSIONS 64

typedef struct cairn_checkpoint {
	char *origin;          /* the first line, without its newline */
	uint64_t size;         /* the tree size */
	cairn_merkle_hash root; /* the root hash */
	char *extensions;      /* the extension lines, each ending in a newline ("" when none) */
	size_t extension_count;
} cairn_checkpoint;

/* Parses checkpoint text (a note's text, or a bare body). Sizes are decimal without leading zeros and at
 * most CAIRN_CHECKPOINT_MAX_SIZE; the root is standard base64 of 32 bytes; extension lines, if any, are
 * non-empty. Free with cairn_checkpoint_free. */
int cairn_checkpoint_parse(cairn_checkpoint *out, const char *text, size_t len, const char *what);
void cairn_checkpoint_free(cairn_checkpoint *checkpoint);
/* Appends the checkpoint text: origin, size, root and the extension lines (NULL or "" for none). */
int cairn_checkpoint_format(const char *origin, uint64_t size, const cairn_merkle_hash *root, const char *extensions,
			    cairn_buf *out);

#endif
