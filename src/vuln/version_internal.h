/* version_internal.h - what the per-ecosystem version files share with the dispatcher in version.c.
 *
 * Each ecosystem file provides one compare function. It returns 0 and stores -1, 0 or 1 in *out, or
 * returns -1 when a version is invalid and names which one and why in *err (a static string), so
 * version.c can build one message. Callers have already checked that both strings are at most
 * CAIRN_VERSION_MAX bytes, which also bounds every component count below. */
#ifndef CAIRN_VERSION_INTERNAL_H
#define CAIRN_VERSION_INTERNAL_H

#include "cairn/version.h"

#include <stddef.h>

/* Enough parts for any version of CAIRN_VERSION_MAX bytes (a part needs one byte plus a separator). */
#define VER_MAX_PARTS (CAIRN_VERSION_MAX / 2 + 2)

struct ver_error {
	const char *version; /* the offending input, a or b */
	const char *why;     /* a static, user-facing reason */
};

typedef int (*ver_compare_fn)(const char *a, const char *b, int *out, struct ver_error *err);

int ver_deb_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_rpm_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_apk_compare(const char *a, const char *b, int *out, struct ver_error *err);
/* apk-tools' own grammar check; compare accepts what apk compares, like `apk version -t`. */
int ver_apk_validate(const char *v, const char **why);
int ver_pep440_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_npm_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_go_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_crates_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_semver_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_maven_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_rubygems_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_nuget_compare(const char *a, const char *b, int *out, struct ver_error *err);
int ver_composer_compare(const char *a, const char *b, int *out, struct ver_error *err);

/* Compares two runs of ASCII digits as unbounded non-negative integers (leading zeros ignored). */
int ver_digits_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Byte-wise comparison of two runs, shorter first on a common prefix (as strcmp would order them). */
int ver_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* ASCII-only character classes, independent of the C locale. */
static inline int ver_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline int ver_isalpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int ver_isalnum(int c) { return ver_isdigit(c) || ver_isalpha(c); }
static inline int ver_tolower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }
static inline int ver_sign(int x) { return (x > 0) - (x < 0); }

#endif
