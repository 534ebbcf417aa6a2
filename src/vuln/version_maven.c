/* Maven version ordering: maven-artifact 3.8's ComparableVersion (the rules of 3.8.7, checked against
 * it item by item).
 *
 * Parsing. The version is read in lower case, left to right, into a list of items: numbers and words.
 * An item ends at '.', at '-' and wherever digits change to letters or back; an empty item before a
 * separator is the number 0. Some boundaries also open a nested list that holds the rest of the
 * version, so a version is a chain of lists, each the last item of the one before:
 *   - '-' opens one after the item before it ("1-1" is [1, [1]]);
 *   - digits followed by letters open one after the number ("1rc" is [1, [rc]]);
 *   - letters followed by digits open one after the word, and, when the current list already holds
 *     something, one before it too: ".X" reads like "-X" ("5.2.0.CR1" is [5, 2, [rc, [1]]]);
 *   - a word at the very end also opens one before it when the current list holds something
 *     ("1.0.final" is [1, 0, [final]] before trimming).
 * A word of one letter a, b or m followed by a digit means alpha, beta or milestone; ga, final and
 * release mean the empty word; cr means rc.
 *
 * Trimming ("normalising"), from the innermost list out: trailing null items (the number 0, the empty
 * word, an empty list) are dropped from every list; a nested list at the end is skipped over, so nulls
 * before it go too ("5.2.0.CR1" loses its 0).
 *
 * Kinds. A number is an int (at most 9 digits after leading zeros are stripped), a long (at most 18)
 * or a big integer; an all-zero run keeps its length. Different kinds order int < long < big whatever
 * the values ("0000000000" is a long 0, above the int 5); within a kind, by value.
 *
 * Comparing. Lists compare item by item; a missing item is "null". Across kinds:
 *   number > list > word;  numbers as above;  lists recursively;
 *   words by rank: alpha < beta < milestone < rc < snapshot < "" < sp < any other word,
 *   other words among themselves by their bytes (Maven's "7-" prefix trick);
 *   against null: a number is above it unless 0, a word compares as against "", a list as its first
 *   item that is not equal to null.
 * Maven accepts any string, and so does this. Only ASCII letters are folded to lower case and only
 * ASCII digits are digits (Java also folds and counts non-ASCII ones). The chain is walked in loops,
 * without recursion, so nesting depth costs no stack. */
#include "version_internal.h"

#include <string.h>

enum mvn_kind {
	MVN_WORD,   /* a qualifier */
	MVN_NUMBER, /* digits; `size` tells int, long and big integer apart */
};

/* Qualifier ranks, in Maven's order; every word outside the list ranks MVN_OTHER. */
enum mvn_rank { MVN_ALPHA, MVN_BETA, MVN_MILESTONE, MVN_RC, MVN_SNAPSHOT, MVN_RELEASE, MVN_SP, MVN_OTHER };

/* Java's classes for a number: int, long, BigInteger (by digit count, as ComparableVersion picks). */
enum mvn_size { MVN_INT, MVN_LONG, MVN_BIG };

struct mvn_item {
	enum mvn_kind kind;
	const char *p; /* digits without leading zeros (or all of an all-zero run), or the word */
	size_t len;
	enum mvn_size size; /* numbers */
	enum mvn_rank rank; /* words */
};

/* A version of n bytes has at most n + 1 items and n + 2 lists (a position opens two lists only when
 * the one before it opened none, and the end opens at most one). */
#define MVN_MAX (CAIRN_VERSION_MAX + 4)

struct mvn_version {
	struct mvn_item item[MVN_MAX];
	int nitems;
	int start[MVN_MAX]; /* list i holds items [start[i], end[i]); list i + 1 is its last item */
	int end[MVN_MAX];
	int nlists;
};

static int mvn_word_is(const char *p, size_t len, const char *word)
{
	if (strlen(word) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (ver_tolower((unsigned char)p[i]) != word[i])
			return 0;
	return 1;
}

static enum mvn_rank mvn_rank(const char *p, size_t len, int followed_by_digit)
{
	static const struct {
		const char *word;
		enum mvn_rank rank;
	} words[] = {
		{"alpha", MVN_ALPHA}, {"beta", MVN_BETA},       {"milestone", MVN_MILESTONE},
		{"rc", MVN_RC},       {"cr", MVN_RC},           {"snapshot", MVN_SNAPSHOT},
		{"ga", MVN_RELEASE},  {"final", MVN_RELEASE},   {"release", MVN_RELEASE},
		{"sp", MVN_SP},
	};
	/* "a1", "b1", "m1": only a single letter directly followed by a digit is an abbreviation. */
	if (followed_by_digit && len == 1) {
		switch (ver_tolower((unsigned char)p[0])) {
		case 'a': return MVN_ALPHA;
		case 'b': return MVN_BETA;
		case 'm': return MVN_MILESTONE;
		default: break;
		}
	}
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (mvn_word_is(p, len, words[i].word))
			return words[i].rank;
	return MVN_OTHER;
}

static void mvn_add_number(struct mvn_version *v, const char *p, size_t len)
{
	struct mvn_item *item = &v->item[v->nitems++];
	size_t zeros = 0;
	while (zeros < len && p[zeros] == '0')
		zeros++;
	if (zeros < len) /* Java strips leading zeros only when a non-zero digit follows */
		p += zeros, len -= zeros;
	item->kind = MVN_NUMBER;
	item->p = p;
	item->len = len;
	item->size = len <= 9 ? MVN_INT : len <= 18 ? MVN_LONG : MVN_BIG;
	item->rank = MVN_OTHER;
}

static void mvn_add_word(struct mvn_version *v, const char *p, size_t len, int followed_by_digit)
{
	struct mvn_item *item = &v->item[v->nitems++];
	item->kind = MVN_WORD;
	item->p = p;
	item->len = len;
	item->size = MVN_INT;
	item->rank = mvn_rank(p, len, followed_by_digit);
}

static void mvn_add(struct mvn_version *v, int is_digit, const char *p, size_t len)
{
	if (is_digit)
		mvn_add_number(v, p, len);
	else
		mvn_add_word(v, p, len, 0);
}

static void mvn_open_list(struct mvn_version *v)
{
	v->start[v->nlists++] = v->nitems;
}

/* Whether the innermost list (the one being filled) holds an item yet. */
static int mvn_list_has_items(const struct mvn_version *v)
{
	return v->nitems > v->start[v->nlists - 1];
}

static int mvn_is_null(const struct mvn_item *item)
{
	if (item->kind == MVN_NUMBER)
		return item->p[0] == '0'; /* a non-zero number has no leading zero left */
	return item->rank == MVN_RELEASE;
}

/* Drops trailing nulls from the innermost list out; a list left with nothing, not even a nested
 * list, is itself a trailing null of the list before. */
static void mvn_normalise(struct mvn_version *v)
{
	for (int i = v->nlists - 1; i >= 0; i--) {
		int end = i + 1 < v->nlists ? v->start[i + 1] : v->nitems;
		while (end > v->start[i] && mvn_is_null(&v->item[end - 1]))
			end--;
		v->end[i] = end;
		if (i > 0 && i == v->nlists - 1 && end == v->start[i])
			v->nlists--;
	}
}

static void mvn_parse(const char *s, struct mvn_version *v)
{
	v->nitems = 0;
	v->nlists = 0;
	mvn_open_list(v);
	size_t n = strlen(s), start = 0;
	int is_digit = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.' || c == '-') {
			if (i == start)
				mvn_add_number(v, "0", 1);
			else
				mvn_add(v, is_digit, s + start, i - start);
			start = i + 1;
			if (c == '-')
				mvn_open_list(v);
		} else if (ver_isdigit(c)) {
			if (!is_digit && i > start) {
				if (mvn_list_has_items(v))
					mvn_open_list(v); /* ".X1" reads as "-X1" */
				mvn_add_word(v, s + start, i - start, 1);
				start = i;
				mvn_open_list(v);
			}
			is_digit = 1;
		} else {
			if (is_digit && i > start) {
				mvn_add_number(v, s + start, i - start);
				start = i;
				mvn_open_list(v);
			}
			is_digit = 0;
		}
	}
	if (n > start) {
		if (!is_digit && mvn_list_has_items(v))
			mvn_open_list(v); /* a final ".X" reads as "-X" too */
		mvn_add(v, is_digit, s + start, n - start);
	}
	mvn_normalise(v);
}

static int mvn_number_cmp(const struct mvn_item *a, const struct mvn_item *b)
{
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return ver_digits_cmp(a->p, a->len, b->p, b->len);
}

/* Other words compare as Java strings; with ASCII (and UTF-8 below U+E000) that is byte order. */
static int mvn_word_cmp(const struct mvn_item *a, const struct mvn_item *b)
{
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->rank != MVN_OTHER)
		return 0;
	size_t n = a->len < b->len ? a->len : b->len;
	for (size_t i = 0; i < n; i++) {
		int x = ver_tolower((unsigned char)a->p[i]), y = ver_tolower((unsigned char)b->p[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a->len == b->len ? 0 : (a->len < b->len ? -1 : 1);
}

static int mvn_item_cmp(const struct mvn_item *a, const struct mvn_item *b)
{
	if (a->kind != b->kind)
		return a->kind == MVN_NUMBER ? 1 : -1;
	return a->kind == MVN_NUMBER ? mvn_number_cmp(a, b) : mvn_word_cmp(a, b);
}

/* An item against a missing one: numbers against 0, words against the release "". */
static int mvn_item_vs_null(const struct mvn_item *a)
{
	if (a->kind == MVN_NUMBER)
		return !mvn_is_null(a);
	return a->rank < MVN_RELEASE ? -1 : a->rank > MVN_RELEASE;
}

/* The chain of lists from list i on, against nothing: its first item not equal to null decides. */
static int mvn_lists_vs_null(const struct mvn_version *v, int i)
{
	for (; i < v->nlists; i++)
		for (int k = v->start[i]; k < v->end[i]; k++) {
			int c = mvn_item_vs_null(&v->item[k]);
			if (c != 0)
				return c;
		}
	return 0;
}

/* What stands at position pos of list `list`: an item, the nested list, or nothing. */
enum mvn_slot { SLOT_NONE, SLOT_ITEM, SLOT_LIST };

static enum mvn_slot mvn_slot(const struct mvn_version *v, int list, int pos)
{
	if (pos < v->end[list])
		return SLOT_ITEM;
	return list + 1 < v->nlists ? SLOT_LIST : SLOT_NONE;
}

/* A nested list against an item of the other version: below a number, above a word. */
static int mvn_list_vs_item(const struct mvn_item *other)
{
	return other->kind == MVN_NUMBER ? -1 : 1;
}

static int mvn_cmp(const struct mvn_version *a, const struct mvn_version *b)
{
	int la = 0, lb = 0, pa = a->start[0], pb = b->start[0];
	for (;;) {
		enum mvn_slot x = mvn_slot(a, la, pa), y = mvn_slot(b, lb, pb);
		int c;
		if (x == SLOT_NONE && y == SLOT_NONE)
			return 0;
		if (x == SLOT_LIST && y == SLOT_LIST) {
			/* A nested list is the last item of both lists, so its result is theirs. */
			la++, lb++;
			pa = a->start[la], pb = b->start[lb];
			continue;
		}
		if (x == SLOT_LIST)
			return y == SLOT_NONE ? mvn_lists_vs_null(a, la + 1) : mvn_list_vs_item(&b->item[pb]);
		if (y == SLOT_LIST)
			return x == SLOT_NONE ? -mvn_lists_vs_null(b, lb + 1) : -mvn_list_vs_item(&a->item[pa]);
		if (y == SLOT_NONE)
			c = mvn_item_vs_null(&a->item[pa++]);
		else if (x == SLOT_NONE)
			c = -mvn_item_vs_null(&b->item[pb++]);
		else
			c = mvn_item_cmp(&a->item[pa++], &b->item[pb++]);
		if (c != 0)
			return c;
	}
}

int ver_maven_compare(const char *a, const char *b, int *out, struct ver_error *err)
{
	(void)err;
	/* Each parsed version holds a few thousand items: kept per thread rather than on the stack. */
	static _Thread_local struct mvn_version va, vb;
	mvn_parse(a, &va);
	mvn_parse(b, &vb);
	*out = mvn_cmp(&va, &vb);
	return 0;
}
