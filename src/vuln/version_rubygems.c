/* RubyGems version ordering: Gem::Version (RubyGems 3.3).
 *
 * A version is digits, then '.'-separated alphanumeric segments, then an optional '-' part that
 * RubyGems reads as ".pre." (so 1.0-rc1 is 1.0.pre.rc1). It splits into runs of digits and runs of
 * letters; trailing zeros are dropped from the numeric head and from the rest; then runs compare
 * pairwise, a missing one counting as 0: numbers as numbers, letters byte-wise, letters below
 * numbers. Blank means "0". */
#include "version_internal.h"

#include <string.h>

struct gem_segment {
	const char *p;
	size_t len;
	int numeric;
};

#define GEM_MAX_SEGMENTS (CAIRN_VERSION_MAX + 2)

struct gem_version {
	const char *text; /* stripped, for the exact-equality shortcut */
	size_t text_len;
	struct gem_segment seg[GEM_MAX_SEGMENTS];
	size_t nseg;
};

static int gem_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int gem_seg_char(int c) { return ver_isalnum(c) || c == '-'; }

static int gem_is_zero(const struct gem_segment *s)
{
	if (!s->numeric)
		return 0;
	for (size_t i = 0; i < s->len; i++)
		if (s->p[i] != '0')
			return 0;
	return 1;
}

/* Checks /\A\s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z/. */
static int gem_check(const char *p, const char *end, const char **why)
{
	if (p == end)
		return 0;
	if (!ver_isdigit(*p))
		return *why = "does not start with a digit", -1;
	while (p < end && ver_isdigit(*p))
		p++;
	while (p < end && *p == '.') {
		const char *s = ++p;
		while (p < end && ver_isalnum(*p))
			p++;
		if (p == s)
			return *why = "an empty segment after '.'", -1;
	}
	if (p < end && *p == '-') {
		for (;;) {
			const char *s = ++p;
			while (p < end && gem_seg_char(*p))
				p++;
			if (p == s)
				return *why = "an empty pre-release segment", -1;
			if (p == end || *p != '.')
				break;
		}
	}
	if (p != end)
		return *why = "Malformed version number string (only digits, letters, '.' and '-' allowed)", -1;
	return 0;
}

static int gem_parse(const char *s, struct gem_version *v, const char **why)
{
	const char *p = s, *end = s + strlen(s);
	while (p < end && gem_space(*p))
		p++;
	while (end > p && (gem_space(end[-1]) || end[-1] == '\0'))
		end--;
	if (gem_check(p, end, why) != 0)
		return -1;
	if (p == end)
		p = "0", end = p + 1;
	v->text = p;
	v->text_len = (size_t)(end - p);
	v->nseg = 0;
	while (p < end) {
		struct gem_segment *seg = &v->seg[v->nseg];
		if (*p == '-') {
			/* RubyGems rewrites "-" as ".pre.". */
			seg->p = "pre", seg->len = 3, seg->numeric = 0;
			v->nseg++;
			p++;
			continue;
		}
		if (!ver_isalnum(*p)) {
			p++;
			continue;
		}
		seg->p = p;
		seg->numeric = ver_isdigit(*p);
		while (p < end && (seg->numeric ? ver_isdigit(*p) : ver_isalpha(*p)))
			p++;
		seg->len = (size_t)(p - seg->p);
		v->nseg++;
	}
	/* Canonical form: trailing zeros go from the numeric head and from the rest. */
	size_t first_str = 0;
	while (first_str < v->nseg && v->seg[first_str].numeric)
		first_str++;
	size_t head = first_str;
	while (head > 0 && gem_is_zero(&v->seg[head - 1]))
		head--;
	size_t tail = v->nseg;
	while (tail > first_str && gem_is_zero(&v->seg[tail - 1]))
		tail--;
	memmove(&v->seg[head], &v->seg[first_str], (tail - first_str) * sizeof v->seg[0]);
	v->nseg = head + (tail - first_str);
	return 0;
}

static const struct gem_segment gem_zero = {"0", 1, 1};

static int gem_cmp(const struct gem_version *a, const struct gem_version *b)
{
	if (a->text_len == b->text_len && memcmp(a->text, b->text, a->text_len) == 0)
		return 0;
	size_t n = a->nseg > b->nseg ? a->nseg : b->nseg;
	for (size_t i = 0; i < n; i++) {
		const struct gem_segment *x = i < a->nseg ? &a->seg[i] : &gem_zero;
		const struct gem_segment *y = i < b->nseg ? &b->seg[i] : &gem_zero;
		int c;
		if (x->numeric != y->numeric)
			return x->numeric ? 1 : -1;
		if (x->numeric)
			c = ver_digits_cmp(x->p, x->len, y->p, y->len);
		else
			c = ver_bytes_cmp(x->p, x->len, y->p, y->len);
		if (c != 0)
			return c;
	}
	return 0;
}

int ver_rubygems_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	static _Thread_local struct gem_version va, vb;
	if (gem_parse(a, &va, &err->why) != 0)
		return err->version = a, -1;
	if (gem_parse(b, &vb, &err->why) != 0)
		return err->version = b, -1;
	*out = gem_cmp(&va, &vb);
	return 0;
}
