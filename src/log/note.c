/* C2SP signed notes (c2sp.org/signed-note): parsing, verifier keys, verification and signing, with
 * the Ed25519 (0x01), ECDSA (0x02, Rekor v1) and Ed25519 cosignature (0x04, c2sp.org/tlog-cosignature)
 * signature types.
 *
 * The parser is strict because the note text is what gets signed: one byte sequence, one meaning. It
 * keeps a copy of the input so the signed text and the signature lines stay valid while the note
 * lives. Verification follows the spec's rule for mixed signatures: unknown keys are skipped, a known
 * key that does not verify fails the whole note, and at least one known key must verify. */
#include "cairn/note.h"
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/sig.h"
#include "log/note_internal.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIG_PREFIX "\xe2\x80\x94 " /* em dash U+2014, space */
#define SIG_PREFIX_LEN 4
#define ED25519_KEY_SIZE 32
#define ED25519_SIG_SIZE 64
#define COSIG_HEADER "cosignature/v1\n"

/* --- Characters and names ------------------------------------------------------------------------- */

/* Length (1-4) of the well-formed UTF-8 sequence at s, storing its code point; 0 when ill-formed
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_next(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint8_t b = s[0];
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	size_t need;
	uint8_t lo = 0x80, hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf) {
		need = 1;
		*cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		*cp = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0; /* overlong */
		if (b == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		*cp = b & 0x07;
		if (b == 0xf0)
			lo = 0x90; /* overlong */
		if (b == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len < need + 1)
		return 0;
	for (size_t i = 1; i <= need; i++) {
		uint8_t c = s[i];
		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = *cp << 6 | (c & 0x3f);
	}
	return need + 1;
}

int cairn_note_check_chars(const char *text, size_t len, const char *what)
{
	const uint8_t *s = (const uint8_t *)text;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (n == 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: invalid UTF-8 at byte %zu", what, i);
		if (cp < 0x20 && cp != '\n')
			return cairn_error_set(CAIRN_EINVAL, "%s: control character 0x%02x at byte %zu (only newline is allowed)",
					       what, (unsigned)cp, i);
		i += n;
	}
	return 0;
}

/* Unicode White_Space, which key names must not contain. */
static bool is_unicode_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	       cp == 0x3000;
}

/* Key names are non-empty, and have no spaces, no '+' and no control characters. */
static int check_key_name(const char *name, size_t len, const char *what)
{
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: empty key name", what);
	const uint8_t *s = (const uint8_t *)name;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (n == 0 || cp < 0x20)
			return cairn_error_set(CAIRN_EINVAL, "%s: key name \"%.*s\" is not printable UTF-8", what,
					       (int)(len > 64 ? 64 : len), name);
		if (is_unicode_space(cp) || cp == '+')
			return cairn_error_set(CAIRN_EINVAL, "%s: key name \"%.*s\" contains a space or '+'", what,
					       (int)(len > 64 ? 64 : len), name);
		i += n;
	}
	return 0;
}

static char *copy_string(const char *s, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

static uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }

static void put_be32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* --- Key IDs and verifier keys -------------------------------------------------------------------- */

struct cairn_note_verifier {
	char *name;
	uint32_t key_id;
	enum cairn_note_sig_type type;
	cairn_key *key;
	cairn_buf material; /* the public key as the vkey carries it: 32 raw bytes, or SPKI DER */
};

int cairn_note_key_id(const char *name, uint8_t type, const uint8_t *key, size_t key_len, uint32_t *out)
{
	cairn_digest_ctx *ctx;
	cairn_digest digest;
	int err = cairn_digest_ctx_new(&ctx, CAIRN_DIGEST_SHA256);
	if (err)
		return err;
	static const uint8_t newline = '\n';
	err = cairn_digest_update(ctx, name, strlen(name));
	if (!err)
		err = cairn_digest_update(ctx, &newline, 1);
	if (!err)
		err = cairn_digest_update(ctx, &type, 1);
	if (!err)
		err = cairn_digest_update(ctx, key, key_len);
	if (!err)
		err = cairn_digest_final(ctx, &digest);
	cairn_digest_ctx_free(ctx);
	if (!err)
		*out = be32(digest.bytes);
	return err;
}

/* The key ID of a given type for name and material (the vkey's public key bytes). */
static int compute_key_id(const char *name, enum cairn_note_sig_type type, const cairn_buf *material, uint32_t *out)
{
	if (type == CAIRN_NOTE_SIG_ECDSA) {
		cairn_digest digest;
		int err = cairn_digest_compute(CAIRN_DIGEST_SHA256, material->data, material->len, &digest);
		if (!err)
			*out = be32(digest.bytes);
		return err;
	}
	return cairn_note_key_id(name, (uint8_t)type, material->data, material->len, out);
}

static int ed25519_from_raw(cairn_key **out, const uint8_t *raw, size_t len, const char *what)
{
	if (len != ED25519_KEY_SIZE)
		return cairn_error_set(CAIRN_EINVAL, "%s: an Ed25519 public key has %d bytes, not %zu", what, ED25519_KEY_SIZE,
				       len);
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, len);
	if (pkey == NULL)
		return cairn_error_set_openssl(CAIRN_EINVAL, "%s: not a valid Ed25519 public key", what);
	int err = cairn_key_from_evp(out, pkey, what); /* takes its own reference */
	EVP_PKEY_free(pkey);
	return err;
}

/* The public key material a vkey carries for key: raw 32 bytes for Ed25519, SPKI DER for ECDSA. */
static int key_material(const cairn_key *key, enum cairn_note_sig_type type, cairn_buf *out)
{
	if (type == CAIRN_NOTE_SIG_ECDSA)
		return cairn_key_public_der(key, out);
	uint8_t raw[ED25519_KEY_SIZE];
	size_t len = sizeof raw;
	if (EVP_PKEY_get_raw_public_key(cairn_key_evp(key), raw, &len) != 1 || len != sizeof raw)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot read the Ed25519 public key");
	return cairn_buf_append(out, raw, len);
}

/* Which signature type a key signs notes with (cosigner asks for 0x04). */
static int key_sig_type(const cairn_key *key, bool cosigner, enum cairn_note_sig_type *type, const char *name)
{
	enum cairn_key_type kt = cairn_key_get_type(key);
	if (kt == CAIRN_KEY_ED25519) {
		*type = cosigner ? CAIRN_NOTE_SIG_COSIGNATURE_V1 : CAIRN_NOTE_SIG_ED25519;
		return 0;
	}
	if (!cosigner && (kt == CAIRN_KEY_ECDSA_P256 || kt == CAIRN_KEY_ECDSA_P384)) {
		*type = CAIRN_NOTE_SIG_ECDSA;
		return 0;
	}
	return cairn_error_set(CAIRN_EUNSUPPORTED, "note key %s: %s keys cannot %s notes (use %s)", name,
			       cairn_key_type_name(kt), cosigner ? "cosign" : "sign",
			       cosigner ? "Ed25519" : "Ed25519 or ECDSA");
}

void cairn_note_verifier_free(cairn_note_verifier *verifier)
{
	if (verifier == NULL)
		return;
	free(verifier->name);
	cairn_key_free(verifier->key);
	cairn_buf_free(&verifier->material);
	free(verifier);
}

/* Builds a verifier; takes ownership of key (freed on failure too). */
static int verifier_make(cairn_note_verifier **out, const char *name, size_t name_len, enum cairn_note_sig_type type,
			 cairn_key *key, const char *what)
{
	*out = NULL;
	cairn_note_verifier *v = calloc(1, sizeof *v);
	if (v == NULL) {
		cairn_key_free(key);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	v->key = key;
	v->type = type;
	cairn_buf_init(&v->material);
	int err = check_key_name(name, name_len, what);
	if (!err && (v->name = copy_string(name, name_len)) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = key_material(key, type, &v->material);
	if (!err)
		err = compute_key_id(v->name, type, &v->material, &v->key_id);
	if (err) {
		cairn_note_verifier_free(v);
		return err;
	}
	*out = v;
	return 0;
}

static int verifier_from_key(cairn_note_verifier **out, const char *name, const cairn_key *key, bool cosigner)
{
	*out = NULL;
	enum cairn_note_sig_type type = CAIRN_NOTE_SIG_ED25519;
	int err = key_sig_type(key, cosigner, &type, name);
	if (err)
		return err;
	cairn_key *pub;
	err = cairn_key_public_copy(key, &pub);
	if (err)
		return err;
	return verifier_make(out, name, strlen(name), type, pub, "note verifier");
}

int cairn_note_verifier_new(cairn_note_verifier **out, const char *name, const cairn_key *key)
{
	return verifier_from_key(out, name, key, false);
}

int cairn_note_verifier_new_cosigner(cairn_note_verifier **out, const char *name, const cairn_key *key)
{
	return verifier_from_key(out, name, key, true);
}

int cairn_note_verifier_parse(cairn_note_verifier **out, const char *vkey, size_t len)
{
	*out = NULL;
	const char *what = "verifier key";
	if (len > CAIRN_NOTE_MAX_SIZE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too long", what, len);
	const char *plus = memchr(vkey, '+', len);
	if (plus == NULL || (size_t)(vkey + len - plus) < 10 || plus[9] != '+')
		return cairn_error_set(CAIRN_EINVAL, "%s: expected NAME+KEYID+KEY (KEYID 8 hex digits)", what);
	size_t name_len = (size_t)(plus - vkey);
	uint32_t id = 0;
	for (int i = 1; i <= 8; i++) {
		int d = cairn_hex_digit(plus[i]);
		if (d < 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: key ID \"%.8s\" is not 8 hex digits", what, plus + 1);
		id = id << 4 | (uint32_t)d;
	}
	const char *b64 = plus + 10;
	cairn_buf raw = CAIRN_BUF_INIT;
	int err = cairn_base64_decode(&raw, b64, (size_t)(vkey + len - b64), CAIRN_BASE64_STD, what);
	if (!err && raw.len < 2)
		err = cairn_error_set(CAIRN_EINVAL, "%s: no key after the signature type", what);
	cairn_key *key = NULL;
	enum cairn_note_sig_type type = CAIRN_NOTE_SIG_ED25519;
	if (!err) {
		type = (enum cairn_note_sig_type)raw.data[0];
		if (type == CAIRN_NOTE_SIG_ED25519 || type == CAIRN_NOTE_SIG_COSIGNATURE_V1)
			err = ed25519_from_raw(&key, raw.data + 1, raw.len - 1, what);
		else if (type == CAIRN_NOTE_SIG_ECDSA) {
			err = cairn_key_load_public_der(&key, raw.data + 1, raw.len - 1, what);
			enum cairn_key_type kt = err ? CAIRN_KEY_UNKNOWN : cairn_key_get_type(key);
			if (!err && kt != CAIRN_KEY_ECDSA_P256 && kt != CAIRN_KEY_ECDSA_P384)
				err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: signature type 0x02 needs an ECDSA key, not %s", what,
						      cairn_key_type_name(kt));
		} else
			err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: unsupported signature type 0x%02x", what, raw.data[0]);
	}
	cairn_buf_free(&raw);
	if (err) {
		cairn_key_free(key);
		return err;
	}
	cairn_note_verifier *v;
	err = verifier_make(&v, vkey, name_len, type, key, what);
	if (err)
		return err;
	if (v->key_id != id) {
		err = cairn_error_set(CAIRN_EINVAL, "%s: key ID %08x does not match the name and key (expected %08x)", what, id,
				      v->key_id);
		cairn_note_verifier_free(v);
		return err;
	}
	*out = v;
	return 0;
}

const char *cairn_note_verifier_name(const cairn_note_verifier *verifier) { return verifier->name; }
uint32_t cairn_note_verifier_key_id(const cairn_note_verifier *verifier) { return verifier->key_id; }
enum cairn_note_sig_type cairn_note_verifier_type(const cairn_note_verifier *verifier) { return verifier->type; }

int cairn_note_verifier_format(const cairn_note_verifier *verifier, cairn_buf *out)
{
	cairn_buf raw = CAIRN_BUF_INIT;
	int err = cairn_buf_append_byte(&raw, (uint8_t)verifier->type);
	if (!err)
		err = cairn_buf_append(&raw, verifier->material.data, verifier->material.len);
	if (!err)
		err = cairn_buf_printf(out, "%s+%08x+", verifier->name, verifier->key_id);
	if (!err)
		err = cairn_base64_encode(out, raw.data, raw.len, CAIRN_BASE64_STD);
	cairn_buf_free(&raw);
	return err;
}

/* --- Parsing -------------------------------------------------------------------------------------- */

struct cairn_note {
	char *data; /* a NUL-terminated copy of the whole note; the text is its first text_len bytes */
	size_t text_len;
	char *what;
	cairn_note_sig *sigs;
	size_t sig_count;
	cairn_buf sig_bytes; /* all decoded signatures, back to back */
};

void cairn_note_free(cairn_note *note)
{
	if (note == NULL)
		return;
	for (size_t i = 0; i < note->sig_count; i++)
		free((char *)note->sigs[i].name);
	free(note->sigs);
	cairn_buf_free(&note->sig_bytes);
	free(note->what);
	free(note->data);
	free(note);
}

/* Parses one signature line (without its newline) into sig; sig->sig holds an offset into
 * note->sig_bytes until all lines are read (the buffer may move while it grows). */
static int parse_sig_line(cairn_note *note, const char *line, size_t len, size_t line_no, cairn_note_sig *sig,
			  size_t *offset)
{
	if (len < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: signature line %zu does not start with an em dash and a space",
				       note->what, line_no);
	line += SIG_PREFIX_LEN;
	len -= SIG_PREFIX_LEN;
	const char *space = memchr(line, ' ', len);
	if (space == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: signature line %zu has no space between key name and signature",
				       note->what, line_no);
	size_t name_len = (size_t)(space - line);
	int err = check_key_name(line, name_len, note->what);
	if (err)
		return err;
	*offset = note->sig_bytes.len;
	const char *b64 = space + 1;
	err = cairn_base64_decode(&note->sig_bytes, b64, (size_t)(line + len - b64), CAIRN_BASE64_STD, note->what);
	if (err)
		return err;
	size_t decoded = note->sig_bytes.len - *offset;
	if (decoded < 5)
		return cairn_error_set(CAIRN_EINVAL, "%s: signature line %zu is too short to hold a key ID and a signature",
				       note->what, line_no);
	sig->name = copy_string(line, name_len);
	if (sig->name == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	sig->key_id = be32(note->sig_bytes.data + *offset);
	sig->sig_len = decoded - 4;
	*offset += 4;
	return 0;
}

static int parse_sig_block(cairn_note *note, const char *block, size_t len)
{
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: no signature lines after the blank line", note->what);
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += block[i] == '\n';
	if (lines > CAIRN_NOTE_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu signature lines, more than the limit of %d", note->what, lines,
				       CAIRN_NOTE_MAX_SIGNATURES);
	note->sigs = calloc(lines, sizeof *note->sigs);
	size_t *offsets = calloc(lines, sizeof *offsets);
	int err = note->sigs == NULL || offsets == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	const char *p = block;
	while (!err && p < block + len) {
		const char *nl = memchr(p, '\n', (size_t)(block + len - p)); /* the block ends in '\n' */
		err = parse_sig_line(note, p, (size_t)(nl - p), note->sig_count + 1, &note->sigs[note->sig_count],
				     &offsets[note->sig_count]);
		if (!err)
			note->sig_count++;
		else if (note->sigs[note->sig_count].name != NULL)
			note->sig_count++; /* so that free releases the name */
		p = nl + 1;
	}
	for (size_t i = 0; !err && i < note->sig_count; i++)
		note->sigs[i].sig = note->sig_bytes.data + offsets[i];
	free(offsets);
	return err;
}

int cairn_note_parse(cairn_note **out, const void *data, size_t len, const char *what)
{
	*out = NULL;
	if (what == NULL)
		what = "signed note";
	if (len > CAIRN_NOTE_MAX_SIZE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes, more than the limit of %zu", what, len,
				       CAIRN_NOTE_MAX_SIZE);
	const char *text = data;
	int err = cairn_note_check_chars(text, len, what);
	if (err)
		return err;
	if (len == 0 || text[len - 1] != '\n')
		return cairn_error_set(CAIRN_EINVAL, "%s: does not end with a newline", what);
	/* The signatures start after the last blank line. */
	size_t split = len;
	for (size_t i = len - 1; i > 0; i--)
		if (text[i - 1] == '\n' && text[i] == '\n') {
			split = i;
			break;
		}
	if (split == len)
		return cairn_error_set(CAIRN_EINVAL, "%s: no blank line between the text and the signatures", what);

	cairn_note *note = calloc(1, sizeof *note);
	if (note == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	cairn_buf_init(&note->sig_bytes);
	note->data = copy_string(text, len);
	note->what = copy_string(what, strlen(what));
	note->text_len = split; /* up to and including the newline before the blank line */
	if (note->data == NULL || note->what == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = parse_sig_block(note, note->data + split + 1, len - split - 1);
	if (err) {
		cairn_note_free(note);
		return err;
	}
	*out = note;
	return 0;
}

const char *cairn_note_text(const cairn_note *note, size_t *len)
{
	*len = note->text_len;
	return note->data;
}

size_t cairn_note_sig_count(const cairn_note *note) { return note->sig_count; }

const cairn_note_sig *cairn_note_sig_at(const cairn_note *note, size_t index)
{
	return index < note->sig_count ? &note->sigs[index] : NULL;
}

/* --- Verifying ------------------------------------------------------------------------------------ */

/* The message a type-0x04 cosignature signs: header, time line, then the note text. */
static int cosignature_message(uint64_t timestamp, const char *text, size_t len, cairn_buf *out)
{
	int err = cairn_buf_printf(out, COSIG_HEADER "time %llu\n", (unsigned long long)timestamp);
	if (!err)
		err = cairn_buf_append(out, text, len);
	return err;
}

static uint64_t be64(const uint8_t *b)
{
	return (uint64_t)be32(b) << 32 | be32(b + 4);
}

/* Checks one signature by its known verifier: 0, or CAIRN_EVERIFY naming the key. */
static int verify_one(const cairn_note *note, cairn_note_sig *sig, const cairn_note_verifier *v)
{
	const char *text = note->data;
	size_t len = note->text_len;
	int err;
	switch (v->type) {
	case CAIRN_NOTE_SIG_ED25519:
		err = sig->sig_len != ED25519_SIG_SIZE ? CAIRN_EVERIFY
						       : cairn_sig_verify(v->key, text, len, sig->sig, sig->sig_len);
		break;
	case CAIRN_NOTE_SIG_ECDSA: err = cairn_sig_verify(v->key, text, len, sig->sig, sig->sig_len); break;
	case CAIRN_NOTE_SIG_COSIGNATURE_V1: {
		if (sig->sig_len != 8 + ED25519_SIG_SIZE || be64(sig->sig) > INT64_MAX) {
			err = CAIRN_EVERIFY;
			break;
		}
		cairn_buf msg = CAIRN_BUF_INIT;
		err = cosignature_message(be64(sig->sig), text, len, &msg);
		if (!err)
			err = cairn_sig_verify(v->key, msg.data, msg.len, sig->sig + 8, ED25519_SIG_SIZE);
		cairn_buf_free(&msg);
		if (!err)
			sig->timestamp = be64(sig->sig);
		break;
	}
	default: err = CAIRN_EVERIFY; break;
	}
	if (err == CAIRN_EVERIFY)
		return cairn_error_set(CAIRN_EVERIFY, "%s: the signature by known key %s+%08x does not verify", note->what,
				       v->name, v->key_id);
	return err;
}

static const cairn_note_verifier *find_verifier(const cairn_note_sig *sig, const cairn_note_verifier *const *verifiers,
						size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (verifiers[i]->key_id == sig->key_id && strcmp(verifiers[i]->name, sig->name) == 0)
			return verifiers[i];
	return NULL;
}

/* An identical line (name, key ID, signature) that already verified earlier in the note. */
static bool repeats_verified_line(const cairn_note *note, size_t index)
{
	const cairn_note_sig *sig = &note->sigs[index];
	for (size_t j = 0; j < index; j++) {
		const cairn_note_sig *o = &note->sigs[j];
		if (o->verifier != NULL && o->key_id == sig->key_id && o->sig_len == sig->sig_len &&
		    strcmp(o->name, sig->name) == 0 && memcmp(o->sig, sig->sig, sig->sig_len) == 0)
			return true;
	}
	return false;
}

static void forget_results(cairn_note *note)
{
	for (size_t i = 0; i < note->sig_count; i++) {
		note->sigs[i].verifier = NULL;
		note->sigs[i].timestamp = 0;
	}
}

int cairn_note_verify(cairn_note *note, const cairn_note_verifier *const *verifiers, size_t count)
{
	forget_results(note);
	for (size_t i = 0; i < count; i++)
		for (size_t j = i + 1; j < count; j++)
			if (verifiers[i]->key_id == verifiers[j]->key_id && strcmp(verifiers[i]->name, verifiers[j]->name) == 0)
				return cairn_error_set(CAIRN_EINVAL, "%s: two verifier keys share the name %s and key ID %08x",
						       note->what, verifiers[i]->name, verifiers[i]->key_id);
	size_t verified = 0;
	for (size_t i = 0; i < note->sig_count; i++) {
		cairn_note_sig *sig = &note->sigs[i];
		const cairn_note_verifier *v = find_verifier(sig, verifiers, count);
		if (v == NULL || repeats_verified_line(note, i))
			continue; /* unknown keys are ignored, repeated lines count once */
		int err = verify_one(note, sig, v);
		if (err) {
			forget_results(note);
			return err;
		}
		sig->verifier = v;
		verified++;
	}
	if (verified == 0)
		return cairn_error_set(CAIRN_EVERIFY, "%s: no signature from a known key (%zu signature line%s, %zu key%s known)",
				       note->what, note->sig_count, note->sig_count == 1 ? "" : "s", count,
				       count == 1 ? "" : "s");
	return 0;
}

int cairn_note_verified_by(const cairn_note *note, const cairn_note_verifier *verifier)
{
	for (size_t i = 0; i < note->sig_count; i++)
		if (note->sigs[i].verifier == verifier)
			return 1;
	return 0;
}

int cairn_note_open(cairn_note **out, const void *data, size_t len, const cairn_note_verifier *const *verifiers,
		    size_t count, const char *what)
{
	cairn_note *note;
	int err = cairn_note_parse(&note, data, len, what);
	if (err) {
		*out = NULL;
		return err;
	}
	err = cairn_note_verify(note, verifiers, count);
	if (err) {
		cairn_note_free(note);
		*out = NULL;
		return err;
	}
	*out = note;
	return 0;
}

/* --- Signing -------------------------------------------------------------------------------------- */

struct cairn_note_signer {
	cairn_note_verifier *verifier; /* name, key ID, type and public key */
	cairn_key *key;                /* the private key */
	uint64_t timestamp;            /* for cosignatures; 0 means "now" */
};

void cairn_note_signer_free(cairn_note_signer *signer)
{
	if (signer == NULL)
		return;
	cairn_note_verifier_free(signer->verifier);
	cairn_key_free(signer->key);
	free(signer);
}

static int signer_new(cairn_note_signer **out, const char *name, const cairn_key *key, bool cosigner)
{
	*out = NULL;
	if (!cairn_key_is_private(key))
		return cairn_error_set(CAIRN_EINVAL, "note signer %s: the key has no private half", name);
	cairn_note_signer *s = calloc(1, sizeof *s);
	if (s == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = verifier_from_key(&s->verifier, name, key, cosigner);
	if (!err) /* a second reference on the same OpenSSL key, so the signer owns what it uses */
		err = cairn_key_from_evp(&s->key, cairn_key_evp(key), name);
	if (err) {
		cairn_note_signer_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int cairn_note_signer_new(cairn_note_signer **out, const char *name, const cairn_key *key)
{
	return signer_new(out, name, key, false);
}

int cairn_note_signer_new_cosigner(cairn_note_signer **out, const char *name, const cairn_key *key)
{
	return signer_new(out, name, key, true);
}

void cairn_note_signer_set_time(cairn_note_signer *signer, uint64_t timestamp) { signer->timestamp = timestamp; }

int cairn_note_signer_verifier(const cairn_note_signer *signer, cairn_note_verifier **out)
{
	*out = NULL;
	const cairn_note_verifier *v = signer->verifier;
	cairn_key *pub;
	int err = cairn_key_public_copy(v->key, &pub);
	if (err)
		return err;
	return verifier_make(out, v->name, strlen(v->name), v->type, pub, "note verifier");
}

static int check_signable_text(const char *text, size_t len)
{
	int err = cairn_note_check_chars(text, len, "note text");
	if (err)
		return err;
	if (len == 0 || text[len - 1] != '\n')
		return cairn_error_set(CAIRN_EINVAL, "note text: must end with a newline");
	if (len > CAIRN_NOTE_MAX_SIZE / 2)
		return cairn_error_set(CAIRN_ETOOBIG, "note text: %zu bytes is too long", len);
	return 0;
}

int cairn_note_sign_line(const cairn_note_signer *signer, const char *text, size_t len, cairn_buf *out)
{
	int err = check_signable_text(text, len);
	if (err)
		return err;
	const cairn_note_verifier *v = signer->verifier;
	cairn_buf sig = CAIRN_BUF_INIT;
	uint8_t id[4];
	put_be32(id, v->key_id);
	err = cairn_buf_append(&sig, id, sizeof id);
	if (!err && v->type == CAIRN_NOTE_SIG_COSIGNATURE_V1) {
		uint64_t t = signer->timestamp ? signer->timestamp : (uint64_t)time(NULL);
		uint8_t stamp[8];
		for (int i = 0; i < 8; i++)
			stamp[i] = (uint8_t)(t >> (56 - 8 * i));
		cairn_buf msg = CAIRN_BUF_INIT;
		err = cairn_buf_append(&sig, stamp, sizeof stamp);
		if (!err)
			err = cosignature_message(t, text, len, &msg);
		if (!err)
			err = cairn_sig_sign(signer->key, msg.data, msg.len, &sig);
		cairn_buf_free(&msg);
	} else if (!err) {
		err = cairn_sig_sign(signer->key, text, len, &sig);
	}
	if (!err)
		err = cairn_buf_printf(out, SIG_PREFIX "%s ", v->name);
	if (!err)
		err = cairn_base64_encode(out, sig.data, sig.len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_buf_append_byte(out, '\n');
	cairn_buf_free(&sig);
	return err;
}

int cairn_note_sign(const char *text, size_t len, const cairn_note_signer *const *signers, size_t count,
		    cairn_buf *out)
{
	if (count == 0 || count > CAIRN_NOTE_MAX_SIGNATURES)
		return cairn_error_set(CAIRN_EINVAL, "signing a note needs 1 to %d signers, not %zu",
				       CAIRN_NOTE_MAX_SIGNATURES, count);
	int err = check_signable_text(text, len);
	if (!err)
		err = cairn_buf_append(out, text, len);
	if (!err)
		err = cairn_buf_append_byte(out, '\n');
	for (size_t i = 0; !err && i < count; i++)
		err = cairn_note_sign_line(signers[i], text, len, out);
	return err;
}
