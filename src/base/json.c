/* JSON parsing with limits: our own strict RFC 8259 reader building jansson values.
 *
 * A document is refused when two readers could disagree about it or when it could exhaust us:
 * over the size limit, nested past the depth limit, duplicate object keys, NUL characters in
 * strings, invalid UTF-8 (overlong forms, encoded surrogates, code points above U+10FFFF), lone
 * surrogate escapes, and anything after the value. Any value may be the top level (RFC 8259).
 *
 * Why not json_loadb: jansson reads one character at a time through a stream with a UTF-8 check
 * and a buffer append per byte, about 200 instructions per byte of a Sigstore bundle (mostly long
 * base64 strings), which made parsing the largest non-cryptographic cost of verifying one. Here a
 * string without escapes is validated in a tight loop and handed to jansson in one copy.
 *
 * Numbers: an integer that fits in 64 bits is a jansson integer; a larger one is read as the
 * nearest double, as RFC 8785 and ECMAScript read every number (the canonical form of 1e20 is
 * 100000000000000000000, which must read back). A caller needing an exact integer checks
 * json_is_integer. A real whose magnitude overflows a double is refused.
 *
 * Errors give the input's name, the line and the column (in characters) of the last character
 * read, and the reason. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parser recurses once per level of nesting; this bounds its stack whatever the caller asks. */
#define HARD_MAX_DEPTH ((size_t)4096)

struct parser {
	const unsigned char *start, *p, *end;
	size_t depth, max_depth;
	const char *what;
	cairn_buf scratch; /* decoded strings that held escapes */
};

static const char *document_name(const char *what)
{
	return what != NULL ? what : "JSON document";
}

/* Line and column (characters, 1-based; 0 when nothing of the line was read) of the byte before pos. */
static void position(const struct parser *ps, const unsigned char *pos, size_t *line, size_t *column)
{
	*line = 1;
	*column = 0;
	for (const unsigned char *c = ps->start; c < pos && c < ps->end; c++) {
		if (*c == '\n') {
			++*line;
			*column = 0;
		} else if ((*c & 0xC0) != 0x80) {
			++*column;
		}
	}
}

__attribute__((format(printf, 4, 5))) static int fail(const struct parser *ps, const unsigned char *pos, int code,
							 const char *fmt, ...)
{
	char reason[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	size_t line, column;
	position(ps, pos, &line, &column);
	return cairn_error_set(code, "%s:%zu:%zu: %s", document_name(ps->what), line, column, reason);
}

/* The token at pos (up to 20 printable characters), for "near '...'" in messages. */
static int fail_near(const struct parser *ps, const unsigned char *from, const unsigned char *to, const char *reason)
{
	char near[24];
	size_t n = 0;
	for (const unsigned char *c = from; c < to && n < 20; c++)
		near[n++] = *c >= 0x20 && *c < 0x7f ? (char)*c : '?';
	near[n] = '\0';
	if (n == 0)
		return fail(ps, to, CAIRN_EINVAL, "%s", reason);
	return fail(ps, to, CAIRN_EINVAL, "%s near '%s'", reason, near);
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Length of the valid UTF-8 sequence at p (2..4 bytes, for a lead byte >= 0x80), or 0. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* encoded surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int d = cairn_hex_digit(p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

/* One escape after the backslash at ps->p; appends what it stands for to scratch. */
static int read_escape(struct parser *ps)
{
	const unsigned char *at = ps->p;
	if (ps->end - ps->p < 2)
		return fail(ps, ps->end, CAIRN_EINVAL, "premature end of input in a string");
	unsigned char c = ps->p[1];
	static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
	const char *s = c != '\0' ? strchr(simple_in, c) : NULL;
	if (s != NULL) {
		ps->p += 2;
		return cairn_buf_append_byte(&ps->scratch, (uint8_t)simple_out[s - simple_in]);
	}
	unsigned cp;
	if (c != 'u' || ps->end - ps->p < 6 || hex4(ps->p + 2, &cp) != 0)
		return fail_near(ps, at, ps->p + 2, "invalid escape");
	ps->p += 6;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(ps, ps->p, CAIRN_EINVAL, "invalid Unicode '\\u%04X': a lone low surrogate", cp);
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		unsigned low;
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &low) != 0 ||
		    low < 0xDC00 || low > 0xDFFF)
			return fail(ps, ps->p, CAIRN_EINVAL, "invalid Unicode '\\u%04X': a high surrogate without its pair",
				    cp);
		ps->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
	}
	if (cp == 0)
		return fail(ps, ps->p, CAIRN_EINVAL, "\\u0000 is not allowed");
	return cairn_buf_append_utf8(&ps->scratch, cp);
}

/* A string at ps->p (the opening quote). *text and *len receive its UTF-8 value: in place when it held
 * no escapes, else in ps->scratch. */
static int read_string(struct parser *ps, const char **text, size_t *len)
{
	const unsigned char *begin = ++ps->p, *p = begin, *end = ps->end;
	/* The fast path: plain ASCII and valid UTF-8 up to the closing quote. */
	for (;;) {
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p >= end)
			return fail(ps, end, CAIRN_EINVAL, "premature end of input in a string");
		if (*p >= 0x80) {
			size_t n = utf8_sequence(p, end);
			if (n == 0)
				return fail(ps, p + 1, CAIRN_EINVAL, "invalid UTF-8: unable to decode byte 0x%02x", *p);
			p += n;
			continue;
		}
		break;
	}
	if (*p == '"') {
		*text = (const char *)begin;
		*len = (size_t)(p - begin);
		ps->p = p + 1;
		return 0;
	}
	if (*p != '\\')
		return fail(ps, p + 1, CAIRN_EINVAL, "control character 0x%x in a string", *p);
	/* Escapes: decode into scratch, starting with what was read so far. */
	cairn_buf_clear(&ps->scratch);
	int err = cairn_buf_append(&ps->scratch, begin, (size_t)(p - begin));
	ps->p = p;
	while (!err) {
		p = ps->p;
		if (p >= end)
			return fail(ps, end, CAIRN_EINVAL, "premature end of input in a string");
		if (*p == '"') {
			ps->p = p + 1;
			*text = (const char *)ps->scratch.data;
			*len = ps->scratch.len;
			return 0;
		}
		if (*p == '\\') {
			err = read_escape(ps);
		} else if (*p < 0x20) {
			return fail(ps, p + 1, CAIRN_EINVAL, "control character 0x%x in a string", *p);
		} else {
			size_t n = *p < 0x80 ? 1 : utf8_sequence(p, end);
			if (n == 0)
				return fail(ps, p + 1, CAIRN_EINVAL, "invalid UTF-8: unable to decode byte 0x%02x", *p);
			err = cairn_buf_append(&ps->scratch, p, n);
			ps->p = p + n;
		}
	}
	return err;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A number per RFC 8259's grammar; the whole run of number-like characters must be one. */
static int read_number(struct parser *ps, json_t **out)
{
	const unsigned char *begin = ps->p, *p = begin, *end = ps->end;
	bool integer = true;
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else if (p < end && is_digit(*p) && *p != '0') {
		while (p < end && is_digit(*p))
			p++;
	} else {
		goto invalid;
	}
	if (p < end && *p == '.') {
		integer = false;
		if (++p >= end || !is_digit(*p))
			goto invalid;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		integer = false;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			goto invalid;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-'))
		goto invalid; /* "01", "1.2.3", "1e5e" */
	ps->p = p;
	size_t n = (size_t)(p - begin);
	char small[64];
	char *copy = n < sizeof small ? small : malloc(n + 1);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory reading a number");
	memcpy(copy, begin, n);
	copy[n] = '\0';
	int err = 0;
	if (integer) {
		errno = 0;
		char *stop;
		long long v = strtoll(copy, &stop, 10);
		if (errno == 0)
			*out = json_integer((json_int_t)v);
		else
			integer = false; /* beyond 64 bits: the nearest double */
	}
	if (!integer) {
		errno = 0;
		double d = strtod(copy, NULL);
		if (errno == ERANGE && (isinf(d) || d == HUGE_VAL || d == -HUGE_VAL))
			err = fail(ps, p, CAIRN_EINVAL, "real number overflow");
		else
			*out = json_real(d);
	}
	if (copy != small)
		free(copy);
	if (!err && *out == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory reading a number");
	return err;
invalid:
	while (p < end && (is_digit(*p) || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-'))
		p++;
	return fail_near(ps, begin, p > begin ? p : p + (p < end), "invalid token");
}

static int read_value(struct parser *ps, json_t **out);

static int read_array(struct parser *ps, json_t *array)
{
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		json_t *item = NULL;
		int err = read_value(ps, &item);
		if (err)
			return err;
		if (json_array_append_new(array, item) != 0)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory reading an array");
		skip_space(ps);
		if (ps->p >= ps->end)
			return fail(ps, ps->end, CAIRN_EINVAL, "']' expected near end of file");
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail_near(ps, ps->p, ps->p + 1, "']' expected");
		ps->p++;
	}
}

static int read_object(struct parser *ps, json_t *object)
{
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_space(ps);
		if (ps->p >= ps->end)
			return fail(ps, ps->end, CAIRN_EINVAL, "string or '}' expected near end of file");
		if (*ps->p != '"')
			return fail_near(ps, ps->p, ps->p + 1, "string or '}' expected");
		const char *key;
		size_t key_len;
		int err = read_string(ps, &key, &key_len);
		if (err)
			return err;
		if (json_object_getn(object, key, key_len) != NULL)
			return fail(ps, ps->p, CAIRN_EINVAL, "duplicate object key");
		/* The key must be copied before the value's strings reuse the scratch buffer. */
		char small[128];
		char *copy = key_len < sizeof small ? small : malloc(key_len + 1);
		if (copy == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory reading an object");
		memcpy(copy, key, key_len);
		skip_space(ps);
		json_t *value = NULL;
		if (ps->p >= ps->end || *ps->p != ':')
			err = fail_near(ps, ps->p, ps->p + (ps->p < ps->end), "':' expected");
		else
			ps->p++;
		if (!err)
			err = read_value(ps, &value);
		if (!err && json_object_setn_new_nocheck(object, copy, key_len, value) != 0)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory reading an object");
		if (copy != small)
			free(copy);
		if (err)
			return err;
		skip_space(ps);
		if (ps->p >= ps->end)
			return fail(ps, ps->end, CAIRN_EINVAL, "'}' expected near end of file");
		if (*ps->p == '}') {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return fail_near(ps, ps->p, ps->p + 1, "'}' expected");
		ps->p++;
	}
}

static int read_container(struct parser *ps, json_t **out, bool object)
{
	if (++ps->depth > ps->max_depth)
		return fail(ps, ps->p + 1, CAIRN_ETOOBIG, "nested deeper than the limit of %zu arrays and objects",
			    ps->max_depth);
	json_t *value = object ? json_object() : json_array();
	if (value == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory reading JSON");
	int err = object ? read_object(ps, value) : read_array(ps, value);
	ps->depth--;
	if (err) {
		json_decref(value);
		return err;
	}
	*out = value;
	return 0;
}

static int read_literal(struct parser *ps, const char *word, json_t *value, json_t **out)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
		ps->p += n;
		*out = value;
		return 0;
	}
	const unsigned char *stop = ps->p;
	while (stop < ps->end && ((*stop >= 'a' && *stop <= 'z') || (*stop >= 'A' && *stop <= 'Z')))
		stop++;
	return fail_near(ps, ps->p, stop > ps->p ? stop : ps->p + 1, "invalid token");
}

static int read_value(struct parser *ps, json_t **out)
{
	skip_space(ps);
	if (ps->p >= ps->end)
		return fail(ps, ps->end, CAIRN_EINVAL, "'[' or '{' or a value expected near end of file");
	switch (*ps->p) {
	case '{': return read_container(ps, out, true);
	case '[': return read_container(ps, out, false);
	case '"': {
		const char *text;
		size_t len;
		int err = read_string(ps, &text, &len);
		if (err)
			return err;
		*out = json_stringn_nocheck(text, len);
		return *out != NULL ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory reading a string");
	}
	case 't': return read_literal(ps, "true", json_true(), out);
	case 'f': return read_literal(ps, "false", json_false(), out);
	case 'n': return read_literal(ps, "null", json_null(), out);
	default:
		if (*ps->p == '-' || is_digit(*ps->p))
			return read_number(ps, out);
		return fail_near(ps, ps->p, ps->p + 1, "invalid token");
	}
}

int cairn_json_parse(json_t **out, const void *text, size_t len, const cairn_json_limits *limits,
		     const char *what)
{
	*out = NULL;
	/* A limit of 0 (or no limits) means the default. */
	size_t max_bytes = limits != NULL && limits->max_bytes ? limits->max_bytes : CAIRN_JSON_DEFAULT_MAX_BYTES;
	size_t max_depth = limits != NULL && limits->max_depth ? limits->max_depth : CAIRN_JSON_DEFAULT_MAX_DEPTH;
	if (max_depth > HARD_MAX_DEPTH)
		max_depth = HARD_MAX_DEPTH;
	if (len > max_bytes)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is larger than the limit of %zu bytes",
				       document_name(what), len, max_bytes);
	if (text == NULL && len > 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: no text to parse", document_name(what));
	static const unsigned char nothing[1];
	struct parser ps = {.start = text != NULL ? text : nothing, .max_depth = max_depth, .what = what,
			    .scratch = CAIRN_BUF_INIT};
	ps.p = ps.start;
	ps.end = ps.start + len;
	json_t *value = NULL;
	int err = read_value(&ps, &value);
	if (!err) {
		skip_space(&ps);
		if (ps.p < ps.end)
			err = fail_near(&ps, ps.p, ps.p + 1, "end of file expected");
	}
	cairn_buf_free(&ps.scratch);
	if (err) {
		json_decref(value);
		return err;
	}
	*out = value;
	return 0;
}

int cairn_json_parse_file(json_t **out, const char *path)
{
	*out = NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, &text);
	if (!err)
		err = cairn_json_parse(out, text.data, text.len, NULL, strcmp(path, "-") == 0 ? "standard input" : path);
	cairn_buf_free(&text);
	return err;
}

const char *cairn_json_string_at(const json_t *object, const char *key)
{
	const json_t *v = json_is_object(object) ? json_object_get(object, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int cairn_json_dump(const json_t *value, size_t flags, cairn_buf *out)
{
	char *text = value ? json_dumps(value, flags) : NULL;
	if (text == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory writing JSON");
	int err = cairn_buf_append_str(out, text);
	free(text);
	return err;
}
