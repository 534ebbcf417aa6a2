/* versioned_tag.c - slsa-verifier's --source-versioned-tag: does a provenance's tag satisfy a semantic
 * version pattern such as v1, v1.2 or v1.2.3?
 *
 * Versions follow Go's golang.org/x/mod/semver, which slsa-verifier uses: a "v", a major number, then
 * optionally .minor and .patch (numbers without leading zeros); a prerelease (-a.1) and build
 * metadata (+b) only after a patch. The provenance's tag is completed to vMAJOR.MINOR.PATCH (without
 * build metadata); then the major must be equal, and the minor and patch too when the pattern gives
 * them (the patch compared with its prerelease, as slsa-verifier does). */
#include "cairn/provenance.h"

#include "cairn/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define TAG_MAX 256

/* A decimal number without leading zeros; returns its length, 0 when there is none. */
static size_t number_len(const char *s)
{
	size_t n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (n > 1 && s[0] == '0')
		return 0;
	return n;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones (prerelease only) without leading zeros. */
static size_t identifiers_len(const char *s, int prerelease)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		int numeric = 1;
		while (isalnum((unsigned char)s[i]) || s[i] == '-') {
			numeric &= isdigit((unsigned char)s[i]) != 0;
			i++;
		}
		if (i == start || (prerelease && numeric && i - start > 1 && s[start] == '0'))
			return 0;
		if (s[i] != '.')
			return i;
		i++;
	}
}

struct semver {
	char major[64], minor[64], patch[64], prerelease[TAG_MAX];
	int parts; /* 1, 2 or 3 numbers given */
	const char *build; /* "+..." or "" */
};

/* Parses v like Go's semver.IsValid; 0 when valid. */
static int semver_parse(const char *v, struct semver *out)
{
	memset(out, 0, sizeof *out);
	out->build = "";
	if (v[0] != 'v' || strlen(v) >= TAG_MAX)
		return -1;
	const char *p = v + 1;
	char *fields[3] = {out->major, out->minor, out->patch};
	for (int i = 0; i < 3; i++) {
		size_t n = number_len(p);
		if (n == 0 || n >= sizeof out->major)
			return -1;
		memcpy(fields[i], p, n);
		p += n;
		out->parts = i + 1;
		if (*p != '.')
			break;
		p++;
	}
	if (out->parts < 3)
		return *p == '\0' ? 0 : -1;
	if (*p == '-') {
		size_t n = identifiers_len(p + 1, 1);
		if (n == 0)
			return -1;
		memcpy(out->prerelease, p, n + 1);
		p += n + 1;
	}
	if (*p == '+') {
		if (identifiers_len(p + 1, 0) != strlen(p + 1))
			return -1;
		out->build = p;
		p += strlen(p);
	}
	return *p == '\0' ? 0 : -1;
}

/* The n-th (0-based) '.'-separated field of s, as slsa-verifier splits versions; "" when none. */
static void field(const char *s, int n, char *out, size_t size)
{
	for (int i = 0; i < n && s; i++) {
		s = strchr(s, '.');
		if (s)
			s++;
	}
	const char *end = s ? strchr(s, '.') : NULL;
	size_t len = s ? (end ? (size_t)(end - s) : strlen(s)) : 0;
	snprintf(out, size, "%.*s", (int)len, s ? s : "");
}

int cairn_provenance_versioned_tag_check(const char *tag, const char *pattern)
{
	struct semver want, have;
	if (semver_parse(pattern, &want) != 0)
		return cairn_error_set(CAIRN_EINVAL, "--source-versioned-tag %s: not a semantic version (vX, vX.Y or vX.Y.Z)", pattern);
	if (semver_parse(tag, &have) != 0)
		return cairn_error_set(CAIRN_EVERIFY, "versioned tag mismatch: the provenance's tag %s is not a semantic version", tag);
	char canonical[TAG_MAX * 2];
	snprintf(canonical, sizeof canonical, "v%s.%s.%s%s", have.major, have.parts > 1 ? have.minor : "0",
		 have.parts > 2 ? have.patch : "0", have.prerelease);
	if (strcmp(want.major, have.major) != 0)
		return cairn_error_set(CAIRN_EVERIFY, "versioned tag mismatch: major version expected v%s, the provenance's tag is %s",
				       want.major, tag);
	if (want.parts >= 2) {
		char a[TAG_MAX], b[TAG_MAX];
		field(pattern, 1, a, sizeof a);
		field(canonical, 1, b, sizeof b);
		if (strcmp(a, b) != 0)
			return cairn_error_set(CAIRN_EVERIFY, "versioned tag mismatch: minor version expected %s, the provenance's tag is %s",
					       a, tag);
	}
	if (want.parts >= 3) {
		char a[TAG_MAX], b[TAG_MAX];
		field(pattern, 2, a, sizeof a);
		size_t build = strlen(want.build), len = strlen(a);
		if (build > 0 && len >= build && strcmp(a + len - build, want.build) == 0)
			a[len - build] = '\0';
		field(canonical, 2, b, sizeof b);
		if (strcmp(a, b) != 0)
			return cairn_error_set(CAIRN_EVERIFY, "versioned tag mismatch: patch version expected %s, the provenance's tag is %s",
					       a, tag);
	}
	return 0;
}
