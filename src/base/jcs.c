/* RFC 8785 JSON Canonicalization Scheme (JCS) and ECMAScript number formatting.
 *
 * The canonical form is what signatures over JSON are computed on, so two implementations must
 * produce the same bytes: members sorted by the UTF-16 code units of their names, no whitespace,
 * minimal string escapes, and numbers written as ECMAScript's Number.prototype.toString writes
 * doubles. Anything that has no canonical form (invalid UTF-8, NaN, nesting past a bound) is an
 * error, never a guess. */
#include "cairn/error.h"
#include "cairn/json.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parsed documents are at most CAIRN_JSON_DEFAULT_MAX_DEPTH deep; values built in memory get some
 * slack, and a cycle (jansson does not forbid an array containing itself) ends here too. */
#define CANON_MAX_DEPTH (CAIRN_JSON_DEFAULT_MAX_DEPTH * 2)

/* ---------------------------------------------------------------------------------------------
 * Numbers: ECMA-262 Number::toString(x), radix 10.
 *
 * The spec asks for the shortest digit string s (k digits) and exponent n such that
 * s x 10^(n-k) reads back as x; among strings of that length, the one closest to x. glibc's
 * printf("%.*e") rounds exactly, so for each precision 1..17 it gives the closest k-digit decimal,
 * and strtod tells whether it reads back as x. */

/* value = 0.d1 d2 ... dk x 10^point, the spec's s and n (point is n). */
typedef struct decimal {
	char digits[24];
	int count;
	int point;
} decimal;

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod follows the program's locale ("1,5" in some); number text here is always C's. */
static locale_t numeric_locale(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return c_locale;
}

/* Reads "d.ddde+XX" as printf wrote it. Only digits are taken before the 'e', so the radix
 * character of the current locale does not matter. */
static bool decimal_from_printf(const char *text, decimal *d)
{
	d->count = 0;
	const char *p = text;
	for (; *p != '\0' && *p != 'e'; p++) {
		if (*p >= '0' && *p <= '9') {
			if (d->count >= (int)sizeof d->digits - 1)
				return false;
			d->digits[d->count++] = *p;
		}
	}
	if (*p != 'e' || d->count == 0)
		return false;
	d->digits[d->count] = '\0';
	d->point = atoi(p + 1) + 1; /* d.ddd x 10^e == 0.dddd x 10^(e+1) */
	return true;
}

/* The double that d reads back as. */
static double decimal_value(const decimal *d, locale_t loc)
{
	char text[64];
	snprintf(text, sizeof text, "0.%se%d", d->digits, d->point);
	return strtod_l(text, NULL, loc);
}

/* Adds one unit in the last digit: 0.199 -> 0.200, 0.999 -> 0.1000 x 10^(point+1). */
static void decimal_increment(decimal *d)
{
	int i = d->count - 1;
	while (i >= 0 && d->digits[i] == '9') {
		d->digits[i] = '0';
		i--;
	}
	if (i >= 0) {
		d->digits[i]++;
		return;
	}
	d->digits[0] = '1'; /* all nines: the rest are now zeros */
	d->point++;
}

/* The shortest decimal that reads back as v (v finite and > 0). */
static int shortest_decimal(double v, decimal *d)
{
	locale_t loc = numeric_locale();
	if (loc == (locale_t)0)
		return cairn_error_set(CAIRN_EINTERNAL, "cannot create the C locale for number formatting");
	for (int precision = 1; precision <= 17; precision++) {
		char text[64];
		snprintf(text, sizeof text, "%.*e", precision - 1, v);
		if (!decimal_from_printf(text, d))
			return cairn_error_set(CAIRN_EINTERNAL, "unexpected printf output \"%s\"", text);
		double back = decimal_value(d, loc);
		if (back == v)
			return 0;
		/* When v's significand is a power of two, the doubles below it are closer together than
		 * those above, so the closest k-digit decimal can miss (below v) while the next one up
		 * still reads back as v. The spec wants that shorter string. */
		if (back < v) {
			decimal up = *d;
			decimal_increment(&up);
			if (decimal_value(&up, loc) == v) {
				*d = up;
				return 0;
			}
		}
	}
	/* 17 significant digits always identify a double. */
	return cairn_error_set(CAIRN_EINTERNAL, "no decimal form reads back as %a", v);
}

static void append_zeros(char **p, int count)
{
	for (int i = 0; i < count; i++)
		*(*p)++ = '0';
}

/* Lays out digits and exponent as Number::toString steps 6 to 10 say. */
static void decimal_layout(const decimal *d, char *out)
{
	int k = d->count, n = d->point;
	char *p = out;
	if (k <= n && n <= 21) {
		/* An integer: the digits, then n - k zeros. */
		memcpy(p, d->digits, (size_t)k);
		p += k;
		append_zeros(&p, n - k);
	} else if (0 < n && n <= 21) {
		/* A decimal point inside the digits. */
		memcpy(p, d->digits, (size_t)n);
		p += n;
		*p++ = '.';
		memcpy(p, d->digits + n, (size_t)(k - n));
		p += k - n;
	} else if (-6 < n && n <= 0) {
		/* A small fraction: "0.", -n zeros, the digits. */
		*p++ = '0';
		*p++ = '.';
		append_zeros(&p, -n);
		memcpy(p, d->digits, (size_t)k);
		p += k;
	} else {
		/* Exponential: d[.ddd]e+X or e-X, the exponent without leading zeros. */
		*p++ = d->digits[0];
		if (k > 1) {
			*p++ = '.';
			memcpy(p, d->digits + 1, (size_t)(k - 1));
			p += k - 1;
		}
		p += sprintf(p, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	*p = '\0';
}

int cairn_json_format_number(double value, cairn_buf *out)
{
	if (isnan(value))
		return cairn_error_set(CAIRN_EINVAL, "NaN has no JSON form");
	if (isinf(value))
		return cairn_error_set(CAIRN_EINVAL, "%s has no JSON form", value > 0 ? "Infinity" : "-Infinity");
	if (value == 0) /* both +0 and -0 */
		return cairn_buf_append_str(out, "0");
	char text[64];
	char *p = text;
	if (value < 0) {
		*p++ = '-';
		value = -value;
	}
	decimal d;
	int err = shortest_decimal(value, &d);
	if (err)
		return err;
	while (d.count > 1 && d.digits[d.count - 1] == '0') /* k is as small as possible */
		d.digits[--d.count] = '\0';
	decimal_layout(&d, p);
	return cairn_buf_append_str(out, text);
}

/* ---------------------------------------------------------------------------------------------
 * Strings. */

/* Decodes one UTF-8 sequence at s: its length, or 0 if it is not well-formed (overlong forms,
 * surrogates and values above U+10FFFF are not). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t need;
	uint32_t value, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		need = 2, value = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3, value = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4, value = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		value = (value << 6) | (s[i] & 0x3Fu);
	}
	if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
		return 0;
	*cp = value;
	return need;
}

static bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	for (size_t i = 0; i < len;) {
		size_t used = utf8_decode(p + i, len - i, &cp);
		if (used == 0)
			return false;
		i += used;
	}
	return true;
}

/* RFC 8785 section 3.2.2.2: the two-character escapes where JSON has them, \u00xx (lowercase)
 * for the other controls, everything else (including '/' and all non-ASCII) as it is. */
static int write_string(cairn_buf *out, const char *s, size_t len)
{
	if (!utf8_valid(s, len))
		return cairn_error_set(CAIRN_EINVAL, "cannot canonicalize JSON: a string is not valid UTF-8");
	int err = cairn_buf_append_byte(out, '"');
	size_t run = 0; /* start of the bytes not yet written */
	for (size_t i = 0; i < len && !err; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *escape = NULL;
		char hex[8];
		switch (c) {
		case '\b': escape = "\\b"; break;
		case '\t': escape = "\\t"; break;
		case '\n': escape = "\\n"; break;
		case '\f': escape = "\\f"; break;
		case '\r': escape = "\\r"; break;
		case '"': escape = "\\\""; break;
		case '\\': escape = "\\\\"; break;
		default:
			if (c < 0x20) {
				snprintf(hex, sizeof hex, "\\u%04x", c);
				escape = hex;
			}
		}
		if (escape == NULL)
			continue;
		err = cairn_buf_append(out, s + run, i - run);
		if (!err)
			err = cairn_buf_append_str(out, escape);
		run = i + 1;
	}
	if (!err)
		err = cairn_buf_append(out, s + run, len - run);
	if (!err)
		err = cairn_buf_append_byte(out, '"');
	return err;
}

/* ---------------------------------------------------------------------------------------------
 * Objects: members sorted by the UTF-16 code units of their names (RFC 8785 section 3.2.3). */

typedef struct member {
	const char *key;
	size_t key_len;
	json_t *value;
} member;

/* The first UTF-16 code unit of a code point: itself, or the high surrogate. */
static uint32_t utf16_first_unit(uint32_t cp)
{
	return cp >= 0x10000 ? 0xD800 + ((cp - 0x10000) >> 10) : cp;
}

/* UTF-8 byte order is code point order, which differs from UTF-16 order exactly when a code point
 * above U+FFFF (a surrogate pair, D800..DBFF first) meets one in U+E000..U+FFFF. So names are
 * decoded and compared by code unit. Both names were checked to be valid UTF-8. */
static int compare_utf16(const char *a, size_t a_len, const char *b, size_t b_len)
{
	const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
	size_t i = 0, j = 0;
	while (i < a_len && j < b_len) {
		uint32_t ca = 0, cb = 0;
		i += utf8_decode(pa + i, a_len - i, &ca);
		j += utf8_decode(pb + j, b_len - j, &cb);
		if (ca == cb)
			continue;
		uint32_t ua = utf16_first_unit(ca), ub = utf16_first_unit(cb);
		if (ua != ub)
			return ua < ub ? -1 : 1;
		/* Two pairs with the same high surrogate: low surrogates follow code point order. */
		return ca < cb ? -1 : 1;
	}
	if (i < a_len)
		return 1;
	if (j < b_len)
		return -1;
	return 0;
}

static int compare_members(const void *a, const void *b)
{
	const member *ma = a, *mb = b;
	return compare_utf16(ma->key, ma->key_len, mb->key, mb->key_len);
}

static int write_value(const json_t *value, cairn_buf *out, size_t depth);

/* Collects the members of object (keys checked to be UTF-8) into a new array, sorted. */
static int sorted_members(const json_t *object, member **out, size_t *count)
{
	size_t n = json_object_size(object);
	member *members = calloc(n ? n : 1, sizeof *members);
	if (members == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory sorting %zu JSON object members", n);
	size_t used = 0;
	json_t *obj = (json_t *)object; /* jansson's iterators take a non-const object; nothing changes */
	for (void *it = json_object_iter(obj); it != NULL && used < n; it = json_object_iter_next(obj, it)) {
		members[used].key = json_object_iter_key(it);
		members[used].key_len = json_object_iter_key_len(it);
		members[used].value = json_object_iter_value(it);
		if (!utf8_valid(members[used].key, members[used].key_len)) {
			free(members);
			return cairn_error_set(CAIRN_EINVAL, "cannot canonicalize JSON: an object key is not valid UTF-8");
		}
		used++;
	}
	qsort(members, used, sizeof *members, compare_members);
	*out = members;
	*count = used;
	return 0;
}

static int write_object(const json_t *object, cairn_buf *out, size_t depth)
{
	member *members = NULL;
	size_t count = 0;
	int err = sorted_members(object, &members, &count);
	if (err)
		return err;
	err = cairn_buf_append_byte(out, '{');
	for (size_t i = 0; i < count && !err; i++) {
		if (i > 0)
			err = cairn_buf_append_byte(out, ',');
		if (!err)
			err = write_string(out, members[i].key, members[i].key_len);
		if (!err)
			err = cairn_buf_append_byte(out, ':');
		if (!err)
			err = write_value(members[i].value, out, depth + 1);
	}
	if (!err)
		err = cairn_buf_append_byte(out, '}');
	free(members);
	return err;
}

static int write_array(const json_t *array, cairn_buf *out, size_t depth)
{
	int err = cairn_buf_append_byte(out, '[');
	size_t n = json_array_size(array);
	for (size_t i = 0; i < n && !err; i++) {
		if (i > 0)
			err = cairn_buf_append_byte(out, ',');
		if (!err)
			err = write_value(json_array_get(array, i), out, depth + 1);
	}
	if (!err)
		err = cairn_buf_append_byte(out, ']');
	return err;
}

static int write_value(const json_t *value, cairn_buf *out, size_t depth)
{
	if (depth > CANON_MAX_DEPTH)
		return cairn_error_set(CAIRN_ETOOBIG, "cannot canonicalize JSON: nested deeper than %zu levels",
				       (size_t)CANON_MAX_DEPTH);
	if (value == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cannot canonicalize JSON: missing value");
	switch (json_typeof(value)) {
	case JSON_OBJECT: return write_object(value, out, depth);
	case JSON_ARRAY: return write_array(value, out, depth);
	case JSON_STRING: return write_string(out, json_string_value(value), json_string_length(value));
	/* RFC 8785 treats every number as an IEEE 754 double, as ECMAScript does: a jansson integer
	 * is converted first, so 9007199254740993 (2^53 + 1) is written 9007199254740992. */
	case JSON_INTEGER: return cairn_json_format_number((double)json_integer_value(value), out);
	case JSON_REAL: return cairn_json_format_number(json_real_value(value), out);
	case JSON_TRUE: return cairn_buf_append_str(out, "true");
	case JSON_FALSE: return cairn_buf_append_str(out, "false");
	case JSON_NULL: return cairn_buf_append_str(out, "null");
	}
	return cairn_error_set(CAIRN_EINVAL, "cannot canonicalize JSON: unknown value type");
}

int cairn_json_canonicalize(const json_t *value, cairn_buf *out)
{
	size_t start = out->len;
	int err = write_value(value, out, 0);
	if (err && out->data != NULL) {
		/* Leave out as it was: half a canonical form must not be hashed or signed. */
		out->len = start;
		out->data[start] = 0;
	}
	return err;
}
