/* SemVer 2.0 and its dialects: npm (node-semver), Go modules (x/mod/semver), crates.io (the Rust
 * semver crate) and generic SemVer.
 *
 *   MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]
 *
 * The dialects differ in the prefix they take ("v" required by Go, tolerated by node-semver and
 * generic SemVer, refused by Rust), in number limits (2^53-1 in JavaScript, 2^64-1 in Rust), in
 * shorthands (Go's v1 and v1.2), in how numeric pre-release identifiers compare (node-semver
 * compares them as JavaScript numbers, so beyond 2^53 they round) and in build metadata, which only
 * the Rust crate orders. The identifiers are compared in place, without copying them out. */
#include "version_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum sv_dialect { SV_NPM, SV_GO, SV_CRATES, SV_GENERIC };

struct semver {
	const char *num[3];
	size_t num_len[3];
	const char *pre; /* NULL when there is no pre-release */
	size_t pre_len;
	const char *build; /* NULL when there is no build metadata */
	size_t build_len;
};

#define NPM_MAX_LENGTH 256
static const char NPM_MAX_SAFE[] = "9007199254740991"; /* Number.MAX_SAFE_INTEGER */
static const char U64_MAX[] = "18446744073709551615";

static int sv_is_ident_char(int c) { return ver_isalnum(c) || c == '-'; }

static int all_digits(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!ver_isdigit(p[i]))
			return 0;
	return 1;
}

/* Reads a numeric core part at *p: "0" or digits without a leading zero. */
static int sv_number(const char **p, const char **start, size_t *len, const char **why)
{
	const char *s = *p;
	while (ver_isdigit(**p))
		(*p)++;
	*start = s;
	*len = (size_t)(*p - s);
	if (*len == 0)
		return *why = "expected MAJOR.MINOR.PATCH numbers", -1;
	if (*len > 1 && s[0] == '0')
		return *why = "a number has a leading zero", -1;
	return 0;
}

/* Checks dot-separated identifiers: non-empty, [0-9A-Za-z-], numeric ones without leading zeros
 * when `numeric_no_leading_zero`. Returns the length consumed. */
static int sv_idents(const char **p, int numeric_no_leading_zero, const char **start, size_t *len,
		     const char **why)
{
	const char *s = *p;
	for (;;) {
		const char *id = *p;
		while (sv_is_ident_char(**p))
			(*p)++;
		size_t idlen = (size_t)(*p - id);
		if (idlen == 0)
			return *why = "an empty pre-release or build identifier", -1;
		if (numeric_no_leading_zero && idlen > 1 && id[0] == '0' && all_digits(id, idlen))
			return *why = "a numeric pre-release identifier has a leading zero", -1;
		if (**p != '.')
			break;
		(*p)++;
	}
	*start = s;
	*len = (size_t)(*p - s);
	return 0;
}

static int sv_parse(enum sv_dialect d, const char *s, struct semver *v, const char **why)
{
	memset(v, 0, sizeof *v);
	const char *p = s, *end = s + strlen(s);
	if (d == SV_NPM) {
		/* node-semver trims whitespace, and clean() drops leading '=' and 'v'. */
		if ((size_t)(end - s) > NPM_MAX_LENGTH)
			return *why = "longer than node-semver's 256 characters", -1;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r' ||
				   end[-1] == '\f' || end[-1] == '\v'))
			end--;
		while (*p == '=' || *p == 'v')
			p++;
	} else if (d == SV_GO) {
		if (*p != 'v')
			return *why = "a Go module version starts with 'v'", -1;
		p++;
	} else if (d == SV_GENERIC) {
		if (*p == 'v')
			p++;
	}
	int parts = 0;
	for (;;) {
		if (sv_number(&p, &v->num[parts], &v->num_len[parts], why) != 0)
			return -1;
		parts++;
		if (parts == 3 || *p != '.')
			break;
		p++;
	}
	int shorthand = parts < 3;
	if (shorthand && (d == SV_NPM || d == SV_CRATES))
		return *why = "expected MAJOR.MINOR.PATCH", -1;
	for (int i = parts; i < 3; i++)
		v->num[i] = "0", v->num_len[i] = 1;
	if (p < end && *p == '-' && !shorthand) {
		p++;
		if (sv_idents(&p, 1, &v->pre, &v->pre_len, why) != 0)
			return -1;
	}
	if (p < end && *p == '+' && !shorthand) {
		p++;
		if (sv_idents(&p, 0, &v->build, &v->build_len, why) != 0)
			return -1;
	}
	if (p != end)
		return *why = shorthand ? "a shortened version cannot carry a pre-release or build"
					: "unexpected characters after the version",
		       -1;
	const char *limit = d == SV_NPM ? NPM_MAX_SAFE : d == SV_CRATES ? U64_MAX : NULL;
	for (int i = 0; limit && i < 3; i++)
		if (ver_digits_cmp(v->num[i], v->num_len[i], limit, strlen(limit)) > 0)
			return *why = d == SV_NPM ? "a number is above 2^53-1" : "a number is above 2^64-1", -1;
	return 0;
}

/* Next dot-separated identifier of [*p, end): its start and length. */
static void sv_next_ident(const char **p, const char *end, const char **id, size_t *len)
{
	*id = *p;
	while (*p < end && **p != '.')
		(*p)++;
	*len = (size_t)(*p - *id);
	if (*p < end)
		(*p)++;
}

/* node-semver turns all-digit identifiers into JavaScript numbers: doubles, correctly rounded. */
static double js_number(const char *p, size_t len)
{
	char buf[CAIRN_VERSION_MAX + 1];
	memcpy(buf, p, len);
	buf[len] = '\0';
	return strtod(buf, NULL);
}

static int sv_ident_cmp(enum sv_dialect d, const char *a, size_t alen, const char *b, size_t blen)
{
	int anum = all_digits(a, alen), bnum = all_digits(b, blen);
	if (anum && bnum) {
		if (d == SV_NPM) {
			double x = js_number(a, alen), y = js_number(b, blen);
			return x < y ? -1 : x > y;
		}
		return ver_digits_cmp(a, alen, b, blen);
	}
	if (anum != bnum)
		return anum ? -1 : 1; /* numeric identifiers are lower */
	return ver_bytes_cmp(a, alen, b, blen);
}

/* Pre-release precedence: absent is highest; then identifier by identifier, fewer is lower. */
static int sv_pre_cmp(enum sv_dialect d, const struct semver *x, const struct semver *y)
{
	if (!x->pre || !y->pre)
		return x->pre ? -1 : (y->pre ? 1 : 0);
	const char *pa = x->pre, *ea = x->pre + x->pre_len, *pb = y->pre, *eb = y->pre + y->pre_len;
	while (pa < ea && pb < eb) {
		const char *ia, *ib;
		size_t la, lb;
		sv_next_ident(&pa, ea, &ia, &la);
		sv_next_ident(&pb, eb, &ib, &lb);
		int c = sv_ident_cmp(d, ia, la, ib, lb);
		if (c != 0)
			return c;
	}
	return (pa < ea) - (pb < eb);
}

/* The Rust semver crate orders build metadata too: none first; numeric identifiers below others,
 * compared as numbers and then by length (so 0 < 00 < 1); others byte-wise; fewer is lower. */
static int sv_build_cmp(const struct semver *x, const struct semver *y)
{
	if (!x->build || !y->build)
		return x->build ? 1 : (y->build ? -1 : 0);
	const char *pa = x->build, *ea = x->build + x->build_len;
	const char *pb = y->build, *eb = y->build + y->build_len;
	while (pa < ea && pb < eb) {
		const char *ia, *ib;
		size_t la, lb;
		sv_next_ident(&pa, ea, &ia, &la);
		sv_next_ident(&pb, eb, &ib, &lb);
		int anum = all_digits(ia, la), bnum = all_digits(ib, lb);
		int c;
		if (anum && bnum) {
			c = ver_digits_cmp(ia, la, ib, lb);
			if (c == 0)
				c = la < lb ? -1 : la > lb;
		} else if (anum != bnum) {
			c = anum ? -1 : 1;
		} else {
			c = ver_bytes_cmp(ia, la, ib, lb);
		}
		if (c != 0)
			return c;
	}
	return (pa < ea) - (pb < eb);
}

static int sv_compare(enum sv_dialect d, const char *a, const char *b, int *out, struct ver_error *err)
{
	struct semver x, y;
	if (sv_parse(d, a, &x, &err->why) != 0)
		return err->version = a, -1;
	if (sv_parse(d, b, &y, &err->why) != 0)
		return err->version = b, -1;
	int c = 0;
	for (int i = 0; i < 3 && c == 0; i++)
		c = ver_digits_cmp(x.num[i], x.num_len[i], y.num[i], y.num_len[i]);
	if (c == 0)
		c = sv_pre_cmp(d, &x, &y);
	if (c == 0 && d == SV_CRATES)
		c = sv_build_cmp(&x, &y);
	*out = c;
	return 0;
}

int ver_npm_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	return sv_compare(SV_NPM, a, b, out, err);
}

int ver_go_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	return sv_compare(SV_GO, a, b, out, err);
}

int ver_crates_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	return sv_compare(SV_CRATES, a, b, out, err);
}

int ver_semver_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	return sv_compare(SV_GENERIC, a, b, out, err);
}
