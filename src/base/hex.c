/* Hexadecimal: lowercase out, either case in. */
#include "cairn/buf.h"
#include "cairn/error.h"

int cairn_hex_encode(cairn_buf *out, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *bytes = data;
	if (len > CAIRN_BUF_MAX / 2)
		return cairn_error_set(CAIRN_ETOOBIG, "hex: input of %zu bytes is too large", len);
	int err = cairn_buf_reserve(out, len * 2);
	if (err)
		return err;
	for (size_t i = 0; i < len; i++) {
		out->data[out->len++] = (uint8_t)digits[bytes[i] >> 4];
		out->data[out->len++] = (uint8_t)digits[bytes[i] & 15];
	}
	out->data[out->len] = 0;
	return 0;
}

int cairn_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cairn_hex_decode(cairn_buf *out, const char *text, size_t len)
{
	if (len % 2 != 0)
		return cairn_error_set(CAIRN_EINVAL, "hex: odd number of digits (%zu)", len);
	int err = cairn_buf_reserve(out, len / 2);
	if (err)
		return err;
	size_t start = out->len;
	for (size_t i = 0; i < len; i += 2) {
		int hi = cairn_hex_digit(text[i]);
		int lo = cairn_hex_digit(text[i + 1]);
		if (hi < 0 || lo < 0) {
			out->len = start;
			out->data[start] = 0;
			return cairn_error_set(CAIRN_EINVAL, "hex: not a hex digit at offset %zu", hi < 0 ? i : i + 1);
		}
		out->data[out->len++] = (uint8_t)(hi << 4 | lo);
	}
	out->data[out->len] = 0;
	return 0;
}
