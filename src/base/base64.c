/* Base64 per RFC 4648, standard and URL-safe alphabets, strict unless the caller opts out.
 *
 * Strictness matters for signatures: if one signature had several accepted encodings, a log or a
 * policy keyed on its text could be fooled. So by default we refuse padding where the variant has
 * none (and the reverse), any byte outside the alphabet, and non-zero bits in the last character. */
#include "cairn/buf.h"
#include "cairn/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

static const char std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int cairn_base64_encode(cairn_buf *out, const void *data, size_t len, int flags)
{
	const uint8_t *in = data;
	bool url = flags & CAIRN_BASE64_URL;
	bool pad = !url || (flags & CAIRN_BASE64_PAD);
	const char *alphabet = url ? url_alphabet : std_alphabet;
	if (len > CAIRN_BUF_MAX / 4 * 3)
		return cairn_error_set(CAIRN_ETOOBIG, "base64: input of %zu bytes is too large", len);
	int err = cairn_buf_reserve(out, (len + 2) / 3 * 4);
	if (err)
		return err;
	char *o = (char *)out->data + out->len;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		*o++ = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		if (i + 1 < len)
			*o++ = alphabet[v >> 6 & 63];
		else if (pad)
			*o++ = '=';
		if (pad)
			*o++ = '=';
	}
	out->len = (size_t)((uint8_t *)o - out->data);
	out->data[out->len] = 0;
	return 0;
}

/* The value of each byte in the two alphabets (-1: not in it), built once from the encoding
 * alphabets so the decoding loop is one table lookup per character. */
static signed char decode_table[2][256];
static pthread_once_t decode_table_once = PTHREAD_ONCE_INIT;

static void build_decode_tables(void)
{
	memset(decode_table, -1, sizeof decode_table);
	for (int i = 0; i < 64; i++) {
		decode_table[0][(unsigned char)std_alphabet[i]] = (signed char)i;
		decode_table[1][(unsigned char)url_alphabet[i]] = (signed char)i;
	}
}

static int fail(cairn_buf *out, size_t start, const char *what, const char *reason, size_t offset)
{
	out->len = start;
	if (out->data != NULL)
		out->data[start] = 0;
	return cairn_error_set(CAIRN_EINVAL, "%s: invalid base64: %s at offset %zu", what, reason, offset);
}

int cairn_base64_decode(cairn_buf *out, const char *text, size_t len, int flags, const char *what)
{
	bool url = flags & CAIRN_BASE64_URL;
	bool pad_optional = flags & CAIRN_BASE64_PAD_OPTIONAL;
	bool pad_required = !url && !pad_optional;
	bool pad_allowed = !url || pad_optional;
	if (what == NULL)
		what = "base64 input";

	/* Split off the padding; at most two '=' and only at the end. */
	size_t body = len;
	while (body > 0 && text[body - 1] == '=' && len - body < 2)
		body--;
	size_t padding = len - body;
	if (body > 0 && text[body - 1] == '=')
		return fail(out, out->len, what, "too much padding", body - 1);
	if (padding > 0 && !pad_allowed)
		return fail(out, out->len, what, "padding is not allowed in URL-safe base64", body);
	size_t rest = body % 4;
	if (rest == 1)
		return fail(out, out->len, what, "truncated input (length leaves one stray character)", body - 1);
	if (padding > 0 && (rest == 0 || rest + padding != 4))
		return fail(out, out->len, what, "wrong amount of padding", body);
	if (padding == 0 && rest != 0 && pad_required)
		return fail(out, out->len, what, "missing padding", len);

	int err = cairn_buf_reserve(out, body / 4 * 3 + 2);
	if (err)
		return err;
	pthread_once(&decode_table_once, build_decode_tables);
	const signed char *table = decode_table[url];
	size_t start = out->len;
	/* Whole groups of four characters first; a group with a bad character is left to the loop
	 * below, which names it. */
	size_t i = 0;
	for (; i + 4 <= body; i += 4) {
		const unsigned char *g = (const unsigned char *)text + i;
		int a = table[g[0]], b = table[g[1]], c = table[g[2]], d = table[g[3]];
		if ((a | b | c | d) < 0)
			break;
		uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out->data[out->len++] = (uint8_t)(v >> 16);
		out->data[out->len++] = (uint8_t)(v >> 8);
		out->data[out->len++] = (uint8_t)v;
	}
	uint32_t acc = 0;
	int bits = 0;
	for (; i < body; i++) {
		int v = table[(unsigned char)text[i]];
		if (v < 0)
			return fail(out, start, what, text[i] == '=' ? "padding in the middle" : "character outside the alphabet", i);
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->data[out->len++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (bits > 0 && acc != 0 && !(flags & CAIRN_BASE64_LAX_BITS))
		return fail(out, start, what, "non-zero trailing bits (non-canonical encoding)", body - 1);
	out->data[out->len] = 0;
	return 0;
}

int cairn_pem_encode(cairn_buf *out, const char *label, const void *der, size_t len)
{
	cairn_buf b64 = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&b64, der, len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_buf_printf(out, "-----BEGIN %s-----\n", label);
	for (size_t at = 0; !err && at < b64.len; at += 64) {
		err = cairn_buf_append(out, b64.data + at, b64.len - at < 64 ? b64.len - at : 64);
		if (!err)
			err = cairn_buf_append_byte(out, '\n');
	}
	if (!err)
		err = cairn_buf_printf(out, "-----END %s-----\n", label);
	cairn_buf_free(&b64);
	return err;
}
