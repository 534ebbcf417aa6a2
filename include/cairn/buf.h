/* cairn/buf.h - growable byte buffers, hex and base64.
 *
 * A cairn_buf owns its memory; it always keeps one spare NUL byte after the data so text can be used
 * as a C string. Sizes are checked for overflow, and every buffer has a hard cap (CAIRN_BUF_MAX). */
#ifndef CAIRN_BUF_H
#define CAIRN_BUF_H

#include <stddef.h>
#include <stdint.h>

#define CAIRN_BUF_MAX ((size_t)1 << 34) /* 16 GiB: larger means a bug or a hostile input */

typedef struct cairn_buf {
	uint8_t *data; /* NULL until something is added */
	size_t len;
	size_t cap;
	int secret;    /* keys, passphrases, tokens: memory is zeroed before it is released or moved */
} cairn_buf;

#define CAIRN_BUF_INIT {NULL, 0, 0, 0}
/* A buffer for secrets: growing it copies the contents to new memory and zeroes the old (realloc
 * would leave a copy behind), and freeing it zeroes it first. */
#define CAIRN_BUF_SECRET_INIT {NULL, 0, 0, 1}

void cairn_buf_init(cairn_buf *buf);
/* Releases the memory (zeroed first for a secret buffer); the buffer stays usable, secret or not. */
void cairn_buf_free(cairn_buf *buf);
/* Overwrites the contents with zeros before freeing, whatever the buffer was made as. */
void cairn_buf_free_secret(cairn_buf *buf);
void cairn_buf_clear(cairn_buf *buf); /* len = 0, keeps the memory */
int cairn_buf_reserve(cairn_buf *buf, size_t extra);
int cairn_buf_append(cairn_buf *buf, const void *data, size_t len);
int cairn_buf_append_str(cairn_buf *buf, const char *str);
int cairn_buf_append_byte(cairn_buf *buf, uint8_t byte);
int cairn_buf_printf(cairn_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a NUL-terminated string ("" for an empty buffer). */
const char *cairn_buf_cstr(const cairn_buf *buf);
/* Hands the memory to the caller (who frees it with free()) and empties the buffer. */
uint8_t *cairn_buf_detach(cairn_buf *buf, size_t *len);

/* Constant-time comparison of two equal-length byte strings: 0 when equal. */
int cairn_memeq_consttime(const void *a, const void *b, size_t len);

/* Hex: lowercase on output; decoding accepts either case but needs an even count of hex digits. */
int cairn_hex_encode(cairn_buf *out, const void *data, size_t len);
int cairn_hex_decode(cairn_buf *out, const char *text, size_t len);
/* The value of one hex digit (either case), or -1. */
int cairn_hex_digit(int c);

/* Appends the UTF-8 encoding of a Unicode scalar value; CAIRN_EINVAL for a surrogate or a code
 * point above U+10FFFF (nothing is appended). */
int cairn_buf_append_utf8(cairn_buf *buf, uint32_t cp);

/* Base64 (RFC 4648). Decoding is strict by default: the alphabet of the variant only, padding as the
 * variant requires it, no whitespace, and the unused trailing bits must be zero (so that one value has
 * one encoding). Flags relax this only where a caller opts in. */
enum cairn_base64_flags {
	CAIRN_BASE64_STD = 0,               /* alphabet +/, padding required */
	CAIRN_BASE64_URL = 1 << 0,          /* alphabet -_, no padding (as JOSE writes it) */
	CAIRN_BASE64_PAD_OPTIONAL = 1 << 1, /* decoding: accept input with or without padding */
	CAIRN_BASE64_LAX_BITS = 1 << 2,     /* decoding: accept non-zero trailing bits */
	CAIRN_BASE64_PAD = 1 << 3,          /* encoding with CAIRN_BASE64_URL: write padding anyway */
};
int cairn_base64_encode(cairn_buf *out, const void *data, size_t len, int flags);
/* `what` names the input in error messages ("signature file sig.b64"). */
int cairn_base64_decode(cairn_buf *out, const char *text, size_t len, int flags, const char *what);
/* Appends DER as a PEM block the way OpenSSL and Go write one: "-----BEGIN LABEL-----", standard
 * base64 in lines of 64, "-----END LABEL-----", each line ending in a newline. */
int cairn_pem_encode(cairn_buf *out, const char *label, const void *der, size_t len);

#endif
