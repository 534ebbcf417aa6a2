/* Debian version ordering, as dpkg compares [epoch:]upstream[-revision] (deb-version(7)).
 *
 * Within upstream and revision, non-digit runs compare character by character with '~' before the
 * end of the string, the end before letters, and letters before every other character; digit runs
 * compare as numbers. A version dpkg would warn about is invalid here too. */
#include "version_internal.h"

#include <limits.h>
#include <string.h>

struct deb_version {
	long epoch;
	const char *upstream;
	size_t upstream_len;
	const char *revision;
	size_t revision_len;
};

static int deb_isblank(int c) { return c == ' ' || c == '\t'; }

/* The weight of one character in a non-digit run; 0 is the end of the run. */
static int deb_order(int c)
{
	if (ver_isdigit(c))
		return 0;
	if (ver_isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int deb_parse(const char *s, struct deb_version *v, const char **why)
{
	while (*s && deb_isblank(*s))
		s++;
	const char *end = s;
	while (*end && !deb_isblank(*end))
		end++;
	for (const char *p = end; *p; p++)
		if (!deb_isblank(*p))
			return *why = "version string has embedded spaces", -1;
	if (s == end)
		return *why = "version string is empty", -1;

	const char *colon = memchr(s, ':', (size_t)(end - s));
	v->epoch = 0;
	if (colon) {
		/* dpkg reads the epoch with strtol: an optional sign, then digits, ending at the colon. */
		const char *p = s;
		int negative = 0;
		if (*p == '+' || *p == '-')
			negative = *p++ == '-';
		if (p == colon || !ver_isdigit(*p))
			return *why = (p == colon && p == s) ? "epoch in version is empty"
							   : "epoch in version is not number",
			       -1;
		long epoch = 0;
		for (; p < colon && ver_isdigit(*p); p++) {
			epoch = epoch * 10 + (*p - '0');
			if (epoch > INT_MAX)
				return *why = "epoch in version is too big", -1;
		}
		if (p != colon)
			return *why = "epoch in version is not number", -1;
		if (negative && epoch != 0)
			return *why = "epoch in version is negative", -1;
		if (colon + 1 == end)
			return *why = "nothing after colon in version number", -1;
		v->epoch = epoch;
		s = colon + 1;
	}
	const char *hyphen = NULL;
	for (const char *p = s; p < end; p++)
		if (*p == '-')
			hyphen = p;
	v->upstream = s;
	v->upstream_len = hyphen ? (size_t)(hyphen - s) : (size_t)(end - s);
	v->revision = hyphen ? hyphen + 1 : end;
	v->revision_len = hyphen ? (size_t)(end - hyphen - 1) : 0;
	if (hyphen && v->revision_len == 0)
		return *why = "revision number is empty", -1;
	if (v->upstream_len == 0)
		return *why = "version number is empty", -1;
	/* dpkg only warns when the upstream part does not start with a digit (and compares anyway). */
	for (size_t i = 0; i < v->upstream_len; i++) {
		char c = v->upstream[i];
		if (!ver_isalnum(c) && strchr(".-+~:", c) == NULL)
			return *why = "invalid character in version number", -1;
	}
	for (size_t i = 0; i < v->revision_len; i++) {
		char c = v->revision[i];
		if (!ver_isalnum(c) && strchr(".+~", c) == NULL)
			return *why = "invalid character in revision number", -1;
	}
	return 0;
}

/* dpkg's verrevcmp over two counted strings; a position past the end reads as NUL. */
static int deb_verrevcmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;
#define AT_A (i < alen ? (unsigned char)a[i] : 0)
#define AT_B (j < blen ? (unsigned char)b[j] : 0)
	while (i < alen || j < blen) {
		int first_diff = 0;
		while ((AT_A && !ver_isdigit(AT_A)) || (AT_B && !ver_isdigit(AT_B))) {
			int ac = deb_order(AT_A), bc = deb_order(AT_B);
			if (ac != bc)
				return ver_sign(ac - bc);
			i++, j++;
		}
		while (AT_A == '0')
			i++;
		while (AT_B == '0')
			j++;
		while (ver_isdigit(AT_A) && ver_isdigit(AT_B)) {
			if (!first_diff)
				first_diff = AT_A - AT_B;
			i++, j++;
		}
		if (ver_isdigit(AT_A))
			return 1;
		if (ver_isdigit(AT_B))
			return -1;
		if (first_diff)
			return ver_sign(first_diff);
	}
#undef AT_A
#undef AT_B
	return 0;
}

int ver_deb_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	struct deb_version va, vb;
	if (deb_parse(a, &va, &err->why) != 0)
		return err->version = a, -1;
	if (deb_parse(b, &vb, &err->why) != 0)
		return err->version = b, -1;
	if (va.epoch != vb.epoch) {
		*out = va.epoch < vb.epoch ? -1 : 1;
		return 0;
	}
	int c = deb_verrevcmp(va.upstream, va.upstream_len, vb.upstream, vb.upstream_len);
	if (c == 0)
		c = deb_verrevcmp(va.revision, va.revision_len, vb.revision, vb.revision_len);
	*out = c;
	return 0;
}
