/* PyPI version ordering: PEP 440, as python's `packaging` reads and orders versions.
 *
 *   [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 *
 * Spellings are normalised as PEP 440 says: any case, alpha/beta/c/pre/preview for a/b/rc, rev/r
 * and "-N" for post, optional '.', '-' or '_' separators, implied 0 when a number is left out, and
 * surrounding whitespace ignored. Versions compare by epoch, release (trailing zeros ignored),
 * pre-release, post-release, dev-release and local label, where a dev release of a final version
 * comes before its pre-releases. Numbers are unbounded. Anything else is an invalid version. */
#include "version_internal.h"

#include <string.h>

struct pep_num {
	const char *p;
	size_t len;
};

struct pep440 {
	struct pep_num epoch;
	struct pep_num release[VER_MAX_PARTS];
	size_t nrelease;
	int pre; /* 0 none, 1 a, 2 b, 3 rc */
	struct pep_num pre_n;
	int has_post, has_dev;
	struct pep_num post_n, dev_n;
	const char *local; /* NULL when absent */
	size_t local_len;
};

static const struct pep_num pep_zero = {"0", 1};

static int pep_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int pep_sep(int c) { return c == '-' || c == '_' || c == '.'; }

/* Matches `word` at *p ignoring case; advances past it when it matches. */
static int pep_word(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - *p) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ver_tolower((unsigned char)(*p)[i]) != word[i])
			return 0;
	*p += n;
	return 1;
}

static struct pep_num pep_digits(const char **p, const char *end)
{
	struct pep_num n = {*p, 0};
	while (*p < end && ver_isdigit(**p))
		(*p)++;
	n.len = (size_t)(*p - n.p);
	return n;
}

/* "[-_.]?N?" after a letter part; an absent number is 0. */
static struct pep_num pep_opt_number(const char **p, const char *end)
{
	if (*p < end && pep_sep(**p))
		(*p)++;
	struct pep_num n = pep_digits(p, end);
	return n.len ? n : pep_zero;
}

static int pep_pre(const char **p, const char *end, struct pep440 *v)
{
	/* Longest spelling first where one is a prefix of another, in the order PEP 440's regex tries. */
	static const struct {
		const char *word;
		int kind;
	} spellings[] = {{"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"preview", 3}, {"pre", 3}, {"c", 3}, {"rc", 3}};
	const char *q = *p;
	if (q < end && pep_sep(*q))
		q++;
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		if (pep_word(&q, end, spellings[i].word)) {
			v->pre = spellings[i].kind;
			v->pre_n = pep_opt_number(&q, end);
			*p = q;
			return 1;
		}
	}
	return 0;
}

static int pep_post(const char **p, const char *end, struct pep440 *v)
{
	const char *q = *p;
	if (q + 1 < end && *q == '-' && ver_isdigit(q[1])) {
		q++;
		v->post_n = pep_digits(&q, end);
		v->has_post = 1;
		*p = q;
		return 1;
	}
	if (q < end && pep_sep(*q))
		q++;
	if (pep_word(&q, end, "post") || pep_word(&q, end, "rev") || pep_word(&q, end, "r")) {
		v->post_n = pep_opt_number(&q, end);
		v->has_post = 1;
		*p = q;
		return 1;
	}
	return 0;
}

static int pep_dev(const char **p, const char *end, struct pep440 *v)
{
	const char *q = *p;
	if (q < end && pep_sep(*q))
		q++;
	if (!pep_word(&q, end, "dev"))
		return 0;
	v->dev_n = pep_opt_number(&q, end);
	v->has_dev = 1;
	*p = q;
	return 1;
}

/* "+" then alphanumeric segments joined by single '.', '-' or '_'. */
static int pep_local(const char **p, const char *end, struct pep440 *v, const char **why)
{
	const char *q = *p + 1;
	v->local = q;
	for (;;) {
		const char *seg = q;
		while (q < end && ver_isalnum(*q))
			q++;
		if (q == seg)
			return *why = "a local version label needs alphanumeric segments", -1;
		if (q == end || !pep_sep(*q))
			break;
		q++;
	}
	v->local_len = (size_t)(q - v->local);
	*p = q;
	return 0;
}

static int pep_parse(const char *s, struct pep440 *v, const char **why)
{
	memset(v, 0, sizeof *v);
	const char *p = s, *end = s + strlen(s);
	while (p < end && pep_space(*p))
		p++;
	while (end > p && pep_space(end[-1]))
		end--;
	if (p < end && (*p == 'v' || *p == 'V'))
		p++;
	v->epoch = pep_zero;
	const char *q = p;
	struct pep_num n = pep_digits(&q, end);
	if (n.len && q < end && *q == '!') {
		v->epoch = n;
		p = q + 1;
	}
	for (;;) {
		n = pep_digits(&p, end);
		if (n.len == 0)
			return *why = v->nrelease ? "a release number is missing after '.'"
						  : "does not start with a release number",
			       -1;
		v->release[v->nrelease++] = n;
		if (!(p + 1 < end && *p == '.' && ver_isdigit(p[1])))
			break;
		if (v->nrelease == VER_MAX_PARTS)
			return *why = "too many release numbers", -1;
		p++;
	}
	pep_pre(&p, end, v);
	pep_post(&p, end, v);
	pep_dev(&p, end, v);
	if (p < end && *p == '+' && pep_local(&p, end, v, why) != 0)
		return -1;
	if (p != end)
		return *why = "not a PEP 440 version (unexpected text after the release)", -1;
	return 0;
}

static int pep_num_cmp(struct pep_num a, struct pep_num b) { return ver_digits_cmp(a.p, a.len, b.p, b.len); }

/* Release numbers compare as if the shorter were padded with zeros. */
static int pep_release_cmp(const struct pep440 *a, const struct pep440 *b)
{
	size_t n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
	for (size_t i = 0; i < n; i++) {
		struct pep_num x = i < a->nrelease ? a->release[i] : pep_zero;
		struct pep_num y = i < b->nrelease ? b->release[i] : pep_zero;
		int c = pep_num_cmp(x, y);
		if (c != 0)
			return c;
	}
	return 0;
}

/* The pre-release key: a lone dev release sorts below every pre-release, a final above them. */
static int pep_pre_rank(const struct pep440 *v)
{
	if (!v->pre && !v->has_post && v->has_dev)
		return -1;
	if (!v->pre)
		return 4;
	return v->pre;
}

static void pep_next_segment(const char **p, const char *end, const char **seg, size_t *len)
{
	*seg = *p;
	while (*p < end && ver_isalnum(**p))
		(*p)++;
	*len = (size_t)(*p - *seg);
	if (*p < end)
		(*p)++;
}

static int pep_all_digits(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!ver_isdigit(p[i]))
			return 0;
	return 1;
}

/* Local labels: segment by segment, numbers above words, words ignoring case; longer is higher. */
static int pep_local_cmp(const struct pep440 *a, const struct pep440 *b)
{
	if (!a->local || !b->local)
		return a->local ? 1 : (b->local ? -1 : 0);
	const char *pa = a->local, *ea = pa + a->local_len, *pb = b->local, *eb = pb + b->local_len;
	while (pa < ea && pb < eb) {
		const char *sa, *sb;
		size_t la, lb;
		pep_next_segment(&pa, ea, &sa, &la);
		pep_next_segment(&pb, eb, &sb, &lb);
		int na = pep_all_digits(sa, la), nb = pep_all_digits(sb, lb);
		int c;
		if (na && nb) {
			c = ver_digits_cmp(sa, la, sb, lb);
		} else if (na != nb) {
			c = na ? 1 : -1;
		} else {
			c = 0;
			for (size_t i = 0; i < la && i < lb && c == 0; i++)
				c = ver_sign(ver_tolower((unsigned char)sa[i]) - ver_tolower((unsigned char)sb[i]));
			if (c == 0)
				c = la < lb ? -1 : la > lb;
		}
		if (c != 0)
			return c;
	}
	return (pa < ea) - (pb < eb);
}

static int pep_cmp(const struct pep440 *a, const struct pep440 *b)
{
	int c = pep_num_cmp(a->epoch, b->epoch);
	if (c == 0)
		c = pep_release_cmp(a, b);
	if (c == 0) {
		int ra = pep_pre_rank(a), rb = pep_pre_rank(b);
		c = ra < rb ? -1 : ra > rb;
		if (c == 0 && a->pre)
			c = pep_num_cmp(a->pre_n, b->pre_n);
	}
	if (c == 0) {
		/* no post-release is lowest */
		c = a->has_post - b->has_post;
		if (c == 0 && a->has_post)
			c = pep_num_cmp(a->post_n, b->post_n);
	}
	if (c == 0) {
		/* no dev-release is highest */
		c = b->has_dev - a->has_dev;
		if (c == 0 && a->has_dev)
			c = pep_num_cmp(a->dev_n, b->dev_n);
	}
	if (c == 0)
		c = pep_local_cmp(a, b);
	return c;
}

int ver_pep440_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	/* Two parsed versions hold up to VER_MAX_PARTS release numbers each: too big for the stack
	 * of every thread, so they are static per thread. */
	static _Thread_local struct pep440 va, vb;
	if (pep_parse(a, &va, &err->why) != 0)
		return err->version = a, -1;
	if (pep_parse(b, &vb, &err->why) != 0)
		return err->version = b, -1;
	*out = pep_cmp(&va, &vb);
	return 0;
}
