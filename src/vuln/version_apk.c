/* Alpine version ordering, as apk-tools orders digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}.
 *
 * A version is read as a stream of tokens: the first digit group, ".digits" groups, one letter,
 * "_suffix" words with an optional number, a "~hash" of lower-case hex digits and "-r" with the
 * revision number. Two versions are walked token by token while both tokens are of the same kind;
 * the first token whose value differs decides. When the kinds differ (or one version ends), a
 * pre-release suffix (_alpha, _beta, _pre, _rc) makes its version the lower one; otherwise the
 * version whose next token comes earlier in the order above is the higher one, and a version that
 * goes on is higher than one that ends: "1.0.1" > "1.0a" > "1.0" > "1.0_rc1", "1.0_p1" > "1.0".
 *
 * The reading is that of apk-tools 2 (what Alpine releases ship and what their secdb and OSV data
 * were ordered with), which accepts more than apk-tools 3's grammar:
 *   - digits directly after the letter ("6.6.2p1", a real openssh version) are another number;
 *   - an empty digit group (".1", "1..2", "a") reads as 0, and "-r" without digits as -r0;
 *   - a second "-r#" is another revision.
 * Three rules come from apk-tools 3, where apk-tools 2 calls the versions invalid or where no
 * ordering data from an Alpine release contradicts them:
 *   - a ".digits" group with a leading zero compares as a string when either side has one
 *     ("8.2.0" < "8.2.001" < "8.2.002"; apk-tools 2 counted the zeros instead);
 *   - "~hash" is a token of its own, compared as a string (apk-tools 2 has no hashes);
 *   - a version that becomes unreadable where the other goes on is the lower one, ranked after the
 *     end of a version (apk-tools 2 ranked it first, so "1.2.0A" was above "1.2.0d").
 * Numbers compare exactly, however long (apk-tools 2 rejects 18 digits, apk-tools 3 wraps at 2^64).
 * Like `apk version -t`, any two strings compare; ver_apk_validate() applies apk-tools 3's grammar. */
#include "version_internal.h"

#include <string.h>

/* Token kinds in version order: when two versions differ in kind, the earlier kind is higher. */
enum apk_kind {
	APK_NUMBER,    /* the first digit group, or digits after the letter: compared as numbers */
	APK_GROUP,     /* ".digits": as numbers, or as strings when either has a leading zero */
	APK_LETTER,    /* one lower-case letter after a digit group */
	APK_SUFFIX,    /* "_word" */
	APK_SUFFIX_NO, /* the number after a suffix word */
	APK_HASH,      /* "~hex" */
	APK_REVISION,  /* "-r" and its number */
	APK_END,
	APK_INVALID, /* what cannot be read: ranked last, so such a version is lower */
};

/* Suffix ranks: the pre-releases below APK_SUFFIX_NONE (a version without suffix), the rest above. */
enum apk_suffix {
	APK_SUFFIX_ALPHA,
	APK_SUFFIX_BETA,
	APK_SUFFIX_PRE,
	APK_SUFFIX_RC,
	APK_SUFFIX_NONE,
	APK_SUFFIX_CVS,
	APK_SUFFIX_SVN,
	APK_SUFFIX_GIT,
	APK_SUFFIX_HG,
	APK_SUFFIX_P,
	APK_SUFFIX_UNKNOWN,
};

struct apk_token {
	const char *p, *end; /* what is left to read */
	enum apk_kind kind;
	const char *value; /* the token's digits, letter, word or hash */
	size_t len;
	enum apk_suffix suffix;
};

static int apk_islower(int c) { return c >= 'a' && c <= 'z'; }
static int apk_ishex(int c) { return ver_isdigit(c) || (c >= 'a' && c <= 'f'); }

static enum apk_suffix apk_suffix_rank(const char *s, size_t len)
{
	static const char *const words[] = {
		[APK_SUFFIX_ALPHA] = "alpha", [APK_SUFFIX_BETA] = "beta", [APK_SUFFIX_PRE] = "pre",
		[APK_SUFFIX_RC] = "rc",       [APK_SUFFIX_NONE] = NULL,   [APK_SUFFIX_CVS] = "cvs",
		[APK_SUFFIX_SVN] = "svn",     [APK_SUFFIX_GIT] = "git",   [APK_SUFFIX_HG] = "hg",
		[APK_SUFFIX_P] = "p",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (words[i] != NULL && strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
			return (enum apk_suffix)i;
	return APK_SUFFIX_UNKNOWN;
}

/* Reads a run of characters of one class (possibly empty) as the token's value. */
static void apk_take(struct apk_token *t, int (*is)(int))
{
	t->value = t->p;
	while (t->p < t->end && is((unsigned char)*t->p))
		t->p++;
	t->len = (size_t)(t->p - t->value);
}

static void apk_first(struct apk_token *t, const char *s)
{
	t->p = s;
	t->end = s + strlen(s);
	t->kind = APK_NUMBER;
	t->suffix = APK_SUFFIX_NONE;
	apk_take(t, ver_isdigit);
}

/* Reads the next token; which kinds may follow which is apk-tools 2's rule (see the top). */
static void apk_next(struct apk_token *t)
{
	if (t->kind >= APK_END)
		return;
	if (t->p == t->end) {
		t->kind = APK_END;
		return;
	}
	enum apk_kind prev = t->kind;
	int c = (unsigned char)*t->p;
	int after_digits = prev == APK_NUMBER || prev == APK_GROUP;
	if (after_digits && apk_islower(c)) {
		t->kind = APK_LETTER;
		t->value = t->p++;
		t->len = 1;
	} else if (prev == APK_LETTER && ver_isdigit(c)) {
		t->kind = APK_NUMBER;
		apk_take(t, ver_isdigit);
	} else if (prev == APK_SUFFIX && ver_isdigit(c)) {
		t->kind = APK_SUFFIX_NO;
		apk_take(t, ver_isdigit);
	} else if (c == '.' && after_digits) {
		t->p++;
		t->kind = APK_GROUP;
		apk_take(t, ver_isdigit);
	} else if (c == '_' && prev <= APK_SUFFIX_NO) {
		t->p++;
		apk_take(t, apk_islower);
		t->suffix = apk_suffix_rank(t->value, t->len);
		t->kind = t->suffix == APK_SUFFIX_UNKNOWN ? APK_INVALID : APK_SUFFIX;
	} else if (c == '~' && prev < APK_HASH) {
		t->p++;
		apk_take(t, apk_ishex);
		t->kind = t->len > 0 ? APK_HASH : APK_INVALID;
	} else if (c == '-' && t->end - t->p >= 2 && t->p[1] == 'r') {
		t->p += 2;
		t->kind = APK_REVISION; /* may repeat, and may have no digits (then it is -r0) */
		apk_take(t, ver_isdigit);
	} else {
		t->kind = APK_INVALID;
	}
}

static int apk_value_cmp(const struct apk_token *a, const struct apk_token *b)
{
	switch (a->kind) {
	case APK_GROUP:
		if ((a->len > 0 && a->value[0] == '0') || (b->len > 0 && b->value[0] == '0'))
			return ver_bytes_cmp(a->value, a->len, b->value, b->len);
		return ver_digits_cmp(a->value, a->len, b->value, b->len);
	case APK_NUMBER:
	case APK_SUFFIX_NO:
	case APK_REVISION:
		return ver_digits_cmp(a->value, a->len, b->value, b->len);
	case APK_SUFFIX:
		return a->suffix == b->suffix ? 0 : (a->suffix < b->suffix ? -1 : 1);
	case APK_LETTER:
	case APK_HASH:
		return ver_bytes_cmp(a->value, a->len, b->value, b->len);
	default:
		return 0;
	}
}

static int apk_is_prerelease(const struct apk_token *t)
{
	return t->kind == APK_SUFFIX && t->suffix < APK_SUFFIX_NONE;
}

static int apk_compare(const char *a, const char *b)
{
	struct apk_token x, y;
	apk_first(&x, a);
	apk_first(&y, b);
	while (x.kind == y.kind && x.kind < APK_END) {
		int c = apk_value_cmp(&x, &y);
		if (c != 0)
			return c;
		apk_next(&x);
		apk_next(&y);
	}
	if (x.kind == y.kind)
		return 0;
	/* Equal so far: a pre-release suffix is lower than whatever the other has; otherwise the
	 * version that goes on with an earlier kind of token (or goes on at all) is higher. */
	if (apk_is_prerelease(&x))
		return -1;
	if (apk_is_prerelease(&y))
		return 1;
	return x.kind > y.kind ? -1 : 1;
}

int ver_apk_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	(void)err;
	*out = apk_compare(a, b);
	return 0;
}

/* Skips a run of one class and says how long it was. */
static size_t apk_span(const char **p, int (*is)(int))
{
	const char *start = *p;
	while (**p && is((unsigned char)**p))
		(*p)++;
	return (size_t)(*p - start);
}

/* apk-tools 3's grammar, strictly: digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}. */
int ver_apk_validate(const char *v, const char **why)
{
	static const char form[] = "not of the form digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}";
	const char *p = v;
	if (apk_span(&p, ver_isdigit) == 0)
		return *why = "does not start with a digit", -1;
	while (*p == '.') {
		p++;
		if (apk_span(&p, ver_isdigit) == 0)
			return *why = "a '.' is not followed by digits", -1;
	}
	if (apk_islower((unsigned char)*p))
		p++;
	while (*p == '_') {
		const char *word = ++p;
		size_t len = apk_span(&p, apk_islower);
		if (apk_suffix_rank(word, len) == APK_SUFFIX_UNKNOWN)
			return *why = "unknown suffix (known: _alpha, _beta, _pre, _rc, _cvs, _svn, _git, _hg, _p)",
			       -1;
		apk_span(&p, ver_isdigit);
	}
	if (*p == '~') {
		p++;
		if (apk_span(&p, apk_ishex) == 0)
			return *why = "'~' is not followed by a lower-case hex hash", -1;
	}
	if (p[0] == '-' && p[1] == 'r') {
		p += 2;
		if (apk_span(&p, ver_isdigit) == 0)
			return *why = "'-r' is not followed by the revision number", -1;
	}
	if (*p != '\0')
		return *why = form, -1;
	return 0;
}
