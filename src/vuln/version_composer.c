/* Packagist version ordering: PHP's version_compare() as Composer relies on it, over versions with
 * an optional leading 'v'.
 *
 * '-', '_' and '+' become '.', and a '.' goes between digits and other characters; the parts then
 * compare in turn: numbers as (unbounded) numbers; words by the special form they start with,
 *   any other word < dev < alpha = a < beta = b < RC = rc < number < pl = p (patch);
 * a number against a word as the form "#". When one version has more parts, a further number makes
 * it higher, and further words compare against "#". */
#include "version_internal.h"

#include <string.h>

#define PHP_BUF (2 * CAIRN_VERSION_MAX + 2)

/* The canonical form with '.' between parts, as PHP writes it. */
static int php_canonical(const char *s, char *out, const char **why)
{
	if (*s == 'v' || *s == 'V')
		s++;
	if (*s == '\0')
		return *why = "empty version", -1;
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 0x7f)
			return *why = "whitespace or control characters in a version", -1;
		if (c == '-' || c == '_' || c == '+') {
			out[n++] = '.';
			continue;
		}
		if (p > s) {
			unsigned char prev = (unsigned char)p[-1];
			int prev_digit = ver_isdigit(prev), this_digit = ver_isdigit(c);
			int prev_other = !prev_digit && prev != '.' && prev != '-' && prev != '_' && prev != '+';
			int this_other = !this_digit && c != '.';
			if ((prev_digit && this_other) || (prev_other && this_digit))
				out[n++] = '.';
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

/* PHP's special forms, matched by prefix in PHP's order. */
static int php_form(const char *p, size_t len)
{
	static const struct {
		const char *name;
		int order;
	} forms[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3},
		     {"rc", 3},  {"#", 4},     {"pl", 5}, {"p", 5}};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		size_t n = strlen(forms[i].name);
		if (len >= n && memcmp(p, forms[i].name, n) == 0)
			return forms[i].order;
	}
	return -6;
}

static int php_is_number(const char *p, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!ver_isdigit(p[i]))
			return 0;
	return 1;
}

static void php_next(const char **p, const char **part, size_t *len)
{
	*part = *p;
	while (**p && **p != '.')
		(*p)++;
	*len = (size_t)(*p - *part);
}

static int php_part_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int an = php_is_number(a, alen), bn = php_is_number(b, blen);
	if (an && bn)
		return ver_digits_cmp(a, alen, b, blen);
	int x = an ? 4 : php_form(a, alen), y = bn ? 4 : php_form(b, blen);
	return x < y ? -1 : x > y;
}

static int php_compare(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	for (;;) {
		const char *xa, *xb;
		size_t la, lb;
		php_next(&pa, &xa, &la);
		php_next(&pb, &xb, &lb);
		int c = php_part_cmp(xa, la, xb, lb);
		if (c != 0)
			return c;
		if (*pa == '\0' || *pb == '\0')
			break;
		pa++, pb++;
	}
	/* One has more parts: a number makes it higher, words weigh against "#". */
	int sign = 1;
	const char *rest = pa;
	if (*pa == '\0') {
		if (*pb == '\0')
			return 0;
		sign = -1, rest = pb;
	}
	while (*rest == '.') {
		rest++;
		const char *x;
		size_t len;
		php_next(&rest, &x, &len);
		if (php_is_number(x, len))
			return sign;
		int c = php_part_cmp(x, len, "#", 1);
		if (c != 0)
			return sign * c;
	}
	return 0;
}

int ver_composer_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	char ca[PHP_BUF], cb[PHP_BUF];
	if (php_canonical(a, ca, &err->why) != 0)
		return err->version = a, -1;
	if (php_canonical(b, cb, &err->why) != 0)
		return err->version = b, -1;
	*out = php_compare(ca, cb);
	return 0;
}
