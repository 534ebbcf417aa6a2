/* JSON parsing with limits, on top of jansson.
 *
 * A document is refused when two readers could disagree about it or when it could exhaust us:
 * over the size limit, nested past the depth limit (checked by a cheap scan before jansson
 * recurses), duplicate object keys, NUL characters in strings, invalid UTF-8 or lone surrogate
 * escapes (jansson refuses both by itself), and anything after the value.
 *
 * Integers beyond the 64-bit range: jansson refuses them ("too big integer"). RFC 8785 and
 * ECMAScript read every number as a double, and the canonical form of 1e20 is
 * 100000000000000000000, which must read back. So such an integer is read as a double (the
 * nearest one, as RFC 8785 would), by turning its token into an exponent form before jansson sees
 * it; integers that fit stay exact jansson integers. A caller that needs an exact integer checks
 * json_is_integer and so still refuses a huge one. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"

#include <stdbool.h>
#include <string.h>

/* Parse flags: duplicate keys are refused (two readers could pick different values); any value
 * may be the top level, as RFC 8259 allows; NUL in strings stays refused (no JSON_ALLOW_NUL);
 * end-of-input is checked (no JSON_DISABLE_EOF_CHECK), so trailing data is an error. */
#define PARSE_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

static const char *document_name(const char *what)
{
	return what != NULL ? what : "JSON document";
}

static bool is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* True when token (a maximal run of number characters) is a well-formed JSON integer outside
 * [INT64_MIN, INT64_MAX], the range jansson's json_int_t holds. */
static bool is_big_integer(const char *token, size_t len)
{
	bool negative = token[0] == '-';
	const char *digits = token + negative;
	size_t count = len - negative;
	if (count == 0 || digits[0] == '0')
		return false; /* "-", "0", or a leading zero that jansson refuses anyway */
	for (size_t i = 0; i < count; i++)
		if (digits[i] < '0' || digits[i] > '9')
			return false; /* a real number, or a malformed token jansson will name */
	const char *limit = negative ? "9223372036854775808" : "9223372036854775807";
	return count > 19 || (count == 19 && memcmp(digits, limit, 19) > 0);
}

/* One pass over the text outside strings (honouring backslash escapes): refuses nesting deeper
 * than max_depth before jansson recurses into it, and, when the document holds integers beyond
 * 64 bits, writes into *widened a copy where each such token has "e0" appended (same value, read
 * as a double). widened stays empty when nothing needs changing. */
static int prescan(const char *text, size_t len, size_t max_depth, const char *what, cairn_buf *widened)
{
	size_t depth = 0, line = 1, column = 0, copied = 0;
	bool in_string = false, escaped = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			line++;
			column = 0;
		} else if (((unsigned char)c & 0xC0) != 0x80) {
			column++; /* characters, not bytes, as jansson counts them */
		}
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return cairn_error_set(CAIRN_ETOOBIG,
						       "%s:%zu:%zu: nested deeper than the limit of %zu arrays and objects",
						       document_name(what), line, column, max_depth);
		} else if (c == ']' || c == '}') {
			if (depth > 0)
				depth--;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t end = i;
			while (end < len && is_number_char(text[end]))
				end++;
			if (is_big_integer(text + i, end - i)) {
				int err = cairn_buf_append(widened, text + copied, end - copied);
				if (!err)
					err = cairn_buf_append_str(widened, "e0");
				if (err)
					return err;
				copied = end;
			}
			column += end - i - 1;
			i = end - 1;
		}
	}
	if (copied > 0)
		return cairn_buf_append(widened, text + copied, len - copied);
	return 0;
}

static int jansson_error_code(const json_error_t *error)
{
	switch (json_error_code(error)) {
	case json_error_out_of_memory: return CAIRN_ENOMEM;
	case json_error_stack_overflow: return CAIRN_ETOOBIG;
	default: return CAIRN_EINVAL;
	}
}

int cairn_json_parse(json_t **out, const void *text, size_t len, const cairn_json_limits *limits,
		     const char *what)
{
	*out = NULL;
	/* A limit of 0 (or no limits) means the default. */
	size_t max_bytes = limits != NULL && limits->max_bytes ? limits->max_bytes : CAIRN_JSON_DEFAULT_MAX_BYTES;
	size_t max_depth = limits != NULL && limits->max_depth ? limits->max_depth : CAIRN_JSON_DEFAULT_MAX_DEPTH;
	if (len > max_bytes)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is larger than the limit of %zu bytes",
				       document_name(what), len, max_bytes);
	if (text == NULL && len > 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: no text to parse", document_name(what));
	cairn_buf widened = CAIRN_BUF_INIT;
	int err = prescan(text, len, max_depth, what, &widened);
	if (err) {
		cairn_buf_free(&widened);
		return err;
	}
	const char *input = text != NULL ? text : "";
	if (widened.len > 0) {
		/* Positions in jansson's messages then count the added "e0"s; rare enough to accept. */
		input = (const char *)widened.data;
		len = widened.len;
	}
	json_error_t error;
	json_t *value = json_loadb(input, len, PARSE_FLAGS, &error);
	cairn_buf_free(&widened);
	if (value == NULL) {
		/* jansson says "unable to decode byte 0xff"; say what that means. */
		const char *kind = json_error_code(&error) == json_error_invalid_utf8 ? "invalid UTF-8: " : "";
		return cairn_error_set(jansson_error_code(&error), "%s:%d:%d: %s%s", document_name(what), error.line,
				       error.column, kind, error.text);
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
