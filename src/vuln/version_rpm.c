/* RPM version ordering: rpm 4.18's rpmvercmp over [epoch:]version[-release].
 *
 * A version splits into alternating runs of ASCII letters and digits; everything else separates
 * runs. Digit runs compare as numbers and beat letter runs; '~' sorts before everything, even the
 * end, and '^' after the end but before anything else. rpm accepts any string, and so does this. */
#include "version_internal.h"

#include <string.h>

struct rpm_evr {
	const char *epoch; /* NULL when absent: it compares as "0" */
	size_t epoch_len;
	const char *version;
	size_t version_len;
	const char *release; /* NULL when absent: releases are then not compared */
	size_t release_len;
};

/* As rpm splits EVR: leading digits followed by ':' are the epoch, the last '-' after them starts
 * the release. */
static void rpm_split(const char *s, struct rpm_evr *v)
{
	size_t len = strlen(s);
	const char *p = s;
	while (ver_isdigit(*p))
		p++;
	const char *hyphen = strrchr(p, '-');
	const char *vstart = s;
	v->epoch = NULL;
	v->epoch_len = 0;
	if (*p == ':') {
		v->epoch = s;
		v->epoch_len = (size_t)(p - s);
		if (v->epoch_len == 0)
			v->epoch = "0", v->epoch_len = 1;
		vstart = p + 1;
	}
	v->version = vstart;
	if (hyphen) {
		v->version_len = (size_t)(hyphen - vstart);
		v->release = hyphen + 1;
		v->release_len = (size_t)(s + len - hyphen - 1);
	} else {
		v->version_len = (size_t)(s + len - vstart);
		v->release = NULL;
		v->release_len = 0;
	}
}

static int rpm_is_separator(int c) { return c && !ver_isalnum(c) && c != '~' && c != '^'; }

/* rpmvercmp over two counted strings. */
static int rpm_vercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	size_t i = 0, j = 0;
#define AT_A (i < alen ? (unsigned char)a[i] : 0)
#define AT_B (j < blen ? (unsigned char)b[j] : 0)
	while (i < alen || j < blen) {
		while (rpm_is_separator(AT_A))
			i++;
		while (rpm_is_separator(AT_B))
			j++;
		if (AT_A == '~' || AT_B == '~') {
			if (AT_A != '~')
				return 1;
			if (AT_B != '~')
				return -1;
			i++, j++;
			continue;
		}
		/* '^' is like '~', except that a version that ends there is the lower one. */
		if (AT_A == '^' || AT_B == '^') {
			if (!AT_A)
				return -1;
			if (!AT_B)
				return 1;
			if (AT_A != '^')
				return 1;
			if (AT_B != '^')
				return -1;
			i++, j++;
			continue;
		}
		if (!(AT_A && AT_B))
			break;
		size_t si = i, sj = j;
		int isnum = ver_isdigit(AT_A);
		if (isnum) {
			while (ver_isdigit(AT_A))
				i++;
			while (ver_isdigit(AT_B))
				j++;
		} else {
			while (ver_isalpha(AT_A))
				i++;
			while (ver_isalpha(AT_B))
				j++;
		}
		/* A digit run is newer than a letter run. */
		if (sj == j)
			return isnum ? 1 : -1;
		int c = isnum ? ver_digits_cmp(a + si, i - si, b + sj, j - sj)
			      : ver_bytes_cmp(a + si, i - si, b + sj, j - sj);
		if (c != 0)
			return c;
	}
	if (!AT_A && !AT_B)
		return 0;
	return AT_A ? 1 : -1;
#undef AT_A
#undef AT_B
}

int ver_rpm_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	(void)err;
	struct rpm_evr va, vb;
	rpm_split(a, &va);
	rpm_split(b, &vb);
	const char *ea = va.epoch ? va.epoch : "0", *eb = vb.epoch ? vb.epoch : "0";
	size_t eal = va.epoch ? va.epoch_len : 1, ebl = vb.epoch ? vb.epoch_len : 1;
	int c = rpm_vercmp(ea, eal, eb, ebl);
	if (c == 0)
		c = rpm_vercmp(va.version, va.version_len, vb.version, vb.version_len);
	/* rpm 4.18: a version with a release (even an empty one) is above the same version without. */
	if (c == 0 && va.release && vb.release)
		c = rpm_vercmp(va.release, va.release_len, vb.release, vb.release_len);
	else if (c == 0 && (va.release || vb.release))
		c = va.release ? 1 : -1;
	*out = c;
	return 0;
}
