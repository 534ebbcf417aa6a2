/* NuGet version ordering: NuGet.Versioning's NuGetVersion and VersionComparer.
 *
 *   N[.N[.N[.N]]][-LABEL(.LABEL)*][+METADATA]
 *
 * Up to four numbers (32-bit, leading zeros allowed, missing ones 0), then release labels compared
 * one by one: labels that are 32-bit integers numerically and below the others, the others ignoring
 * ASCII case; no labels is above any; fewer labels is lower. Metadata is ignored. */
#include "version_internal.h"

#include <stdint.h>
#include <string.h>

struct nuget_version {
	int64_t num[4];
	const char *labels; /* NULL when there are none */
	size_t labels_len;
};

static int nuget_ident_char(int c) { return ver_isalnum(c) || c == '-'; }

/* Dot-separated, non-empty [0-9A-Za-z-] identifiers spanning [p, end). */
static int nuget_idents_ok(const char *p, const char *end)
{
	if (p == end)
		return 0;
	const char *s = p;
	for (; p < end; p++) {
		if (*p == '.') {
			if (p == s)
				return 0;
			s = p + 1;
		} else if (!nuget_ident_char(*p)) {
			return 0;
		}
	}
	return p > s;
}

static int nuget_parse(const char *s, struct nuget_version *v, const char **why)
{
	const char *end = s + strlen(s);
	const char *plus = memchr(s, '+', (size_t)(end - s));
	const char *core_end = plus ? plus : end;
	if (plus && !nuget_idents_ok(plus + 1, end))
		return *why = "invalid build metadata after '+'", -1;
	const char *dash = memchr(s, '-', (size_t)(core_end - s));
	const char *num_end = dash ? dash : core_end;
	v->labels = NULL;
	v->labels_len = 0;
	if (dash) {
		if (!nuget_idents_ok(dash + 1, core_end))
			return *why = "invalid release label after '-'", -1;
		v->labels = dash + 1;
		v->labels_len = (size_t)(core_end - dash - 1);
	}
	const char *p = s;
	int parts = 0;
	for (;;) {
		if (parts == 4)
			return *why = "more than four version numbers", -1;
		const char *d = p;
		int64_t n = 0;
		while (p < num_end && ver_isdigit(*p)) {
			n = n * 10 + (*p - '0');
			if (n > INT32_MAX)
				return *why = "a version number is above 2147483647", -1;
			p++;
		}
		if (p == d)
			return *why = "expected a version number", -1;
		v->num[parts++] = n;
		if (p == num_end)
			break;
		if (*p != '.')
			return *why = "expected digits separated by '.'", -1;
		p++;
	}
	for (int i = parts; i < 4; i++)
		v->num[i] = 0;
	return 0;
}

/* Int32.TryParse on a label: an optional '-' sign, digits, within 32 bits. */
static int nuget_label_int(const char *p, size_t len, int64_t *value)
{
	size_t i = 0;
	int negative = 0;
	if (len > 0 && p[0] == '-')
		negative = 1, i = 1;
	if (i == len)
		return 0;
	int64_t n = 0;
	for (; i < len; i++) {
		if (!ver_isdigit(p[i]))
			return 0;
		n = n * 10 + (p[i] - '0');
		if (n > (int64_t)INT32_MAX + 1)
			return 0;
	}
	if (negative)
		n = -n;
	if (n > INT32_MAX || n < INT32_MIN)
		return 0;
	*value = n;
	return 1;
}

static int nuget_label_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int64_t x, y;
	int anum = nuget_label_int(a, alen, &x), bnum = nuget_label_int(b, blen, &y);
	if (anum && bnum)
		return x < y ? -1 : x > y;
	if (anum != bnum)
		return anum ? -1 : 1;
	/* StringComparer.OrdinalIgnoreCase: upper-cased code units. */
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		int ca = (unsigned char)a[i], cb = (unsigned char)b[i];
		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

static int nuget_cmp(const struct nuget_version *a, const struct nuget_version *b)
{
	for (int i = 0; i < 4; i++)
		if (a->num[i] != b->num[i])
			return a->num[i] < b->num[i] ? -1 : 1;
	if (!a->labels || !b->labels)
		return a->labels ? -1 : (b->labels ? 1 : 0);
	const char *pa = a->labels, *ea = pa + a->labels_len, *pb = b->labels, *eb = pb + b->labels_len;
	while (pa < ea && pb < eb) {
		const char *sa = pa, *sb = pb;
		while (pa < ea && *pa != '.')
			pa++;
		while (pb < eb && *pb != '.')
			pb++;
		int c = nuget_label_cmp(sa, (size_t)(pa - sa), sb, (size_t)(pb - sb));
		if (c != 0)
			return c;
		if (pa < ea)
			pa++;
		if (pb < eb)
			pb++;
	}
	return (pa < ea) - (pb < eb);
}

int ver_nuget_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	struct nuget_version va, vb;
	if (nuget_parse(a, &va, &err->why) != 0)
		return err->version = a, -1;
	if (nuget_parse(b, &vb, &err->why) != 0)
		return err->version = b, -1;
	*out = nuget_cmp(&va, &vb);
	return 0;
}
