/* Growable byte buffers. Growth doubles, is checked for overflow and stops at CAIRN_BUF_MAX. */
#include "cairn/buf.h"
#include "cairn/error.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cairn_buf_init(cairn_buf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->secret = 0;
}

void cairn_buf_free(cairn_buf *buf)
{
	if (buf->secret && buf->data != NULL)
		OPENSSL_cleanse(buf->data, buf->cap);
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

void cairn_buf_free_secret(cairn_buf *buf)
{
	if (buf->data != NULL)
		OPENSSL_cleanse(buf->data, buf->cap);
	cairn_buf_free(buf);
}

/* realloc for a secret buffer: new memory, the contents copied, the old memory zeroed and freed. */
static uint8_t *move_secret(cairn_buf *buf, size_t cap)
{
	uint8_t *data = malloc(cap);
	if (data != NULL && buf->data != NULL) {
		memcpy(data, buf->data, buf->len + 1);
		OPENSSL_cleanse(buf->data, buf->cap);
		free(buf->data);
	}
	return data;
}

void cairn_buf_clear(cairn_buf *buf)
{
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = 0;
}

int cairn_buf_reserve(cairn_buf *buf, size_t extra)
{
	/* +1 keeps room for the NUL that makes the contents usable as a C string. */
	if (extra >= CAIRN_BUF_MAX || buf->len >= CAIRN_BUF_MAX - extra)
		return cairn_error_set(CAIRN_ETOOBIG, "buffer would exceed %zu bytes", (size_t)CAIRN_BUF_MAX);
	size_t need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	size_t cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap *= 2;
	uint8_t *data = buf->secret ? move_secret(buf, cap) : realloc(buf->data, cap);
	if (data == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
	buf->data = data;
	buf->cap = cap;
	return 0;
}

int cairn_buf_append(cairn_buf *buf, const void *data, size_t len)
{
	int err = cairn_buf_reserve(buf, len);
	if (err)
		return err;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = 0;
	return 0;
}

int cairn_buf_append_str(cairn_buf *buf, const char *str)
{
	return cairn_buf_append(buf, str, strlen(str));
}

int cairn_buf_append_byte(cairn_buf *buf, uint8_t byte)
{
	return cairn_buf_append(buf, &byte, 1);
}

int cairn_buf_printf(cairn_buf *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return cairn_error_set(CAIRN_EINTERNAL, "cannot format \"%s\"", fmt);
	int err = cairn_buf_reserve(buf, (size_t)need);
	if (err)
		return err;
	va_start(ap, fmt);
	vsnprintf((char *)buf->data + buf->len, (size_t)need + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)need;
	return 0;
}

const char *cairn_buf_cstr(const cairn_buf *buf)
{
	return buf->data ? (const char *)buf->data : "";
}

uint8_t *cairn_buf_detach(cairn_buf *buf, size_t *len)
{
	uint8_t *data = buf->data;
	if (len != NULL)
		*len = buf->len;
	cairn_buf_init(buf);
	return data;
}

int cairn_memeq_consttime(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0 ? 0 : 1;
}

int cairn_buf_append_utf8(cairn_buf *buf, uint32_t cp)
{
	uint8_t b[4];
	size_t n;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return cairn_error_set(CAIRN_EINVAL, "U+%04X is not a Unicode scalar value", (unsigned)cp);
	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xE0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return cairn_buf_append(buf, b, n);
}
