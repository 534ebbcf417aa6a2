/* Package URLs (github.com/package-url/purl-spec), built in their canonical form:
 *   pkg:type/namespace/name@version?qualifiers#subpath
 * Every component is percent-encoded except the unreserved characters (A-Z a-z 0-9 . - _ ~) and ':'
 * (which the spec says must not be encoded); '/' separates namespace and subpath segments and is
 * encoded inside one. Qualifier keys are lowercase and sorted, empty values left out. Some types
 * normalise names as their ecosystems compare them (pypi: lowercase, '_' to '-'). */
#include "cairn/error.h"
#include "cairn/sbom.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int keep(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':';
}

/* lower: lowercase ASCII letters; pypi: also '_' to '-'. */
static int encode(cairn_buf *out, const char *s, size_t len, int lower, int pypi)
{
	static const char hex[] = "0123456789ABCDEF";
	int err = 0;
	for (size_t i = 0; !err && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (pypi && c == '_')
			c = '-';
		if (keep(c)) {
			err = cairn_buf_append_byte(out, c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			err = cairn_buf_append(out, e, 3);
		}
	}
	return err;
}

/* Encodes '/'-separated segments, dropping empty ones (and '.' and '..' for a subpath). */
static int encode_segments(cairn_buf *out, const char *s, int lower, int subpath)
{
	int first = 1, err = 0;
	while (!err && *s) {
		const char *end = strchr(s, '/');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		int skip = len == 0 || (subpath && ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.')));
		if (!skip) {
			if (!first)
				err = cairn_buf_append_byte(out, '/');
			if (!err)
				err = encode(out, s, len, lower, 0);
			first = 0;
		}
		s += len;
		if (*s == '/')
			s++;
	}
	return err;
}

static int type_lowercases(const char *type, int *namespace_, int *name, int *pypi)
{
	static const char *const both[] = {"deb", "apk", "alpm", "bitbucket", "github", "composer", "hex", "gitlab", "qpkg"};
	*namespace_ = *name = *pypi = 0;
	for (size_t i = 0; i < sizeof both / sizeof both[0]; i++)
		if (strcmp(type, both[i]) == 0)
			*namespace_ = *name = 1;
	if (strcmp(type, "pypi") == 0)
		*namespace_ = *name = *pypi = 1;
	if (strcmp(type, "rpm") == 0)
		*namespace_ = 1; /* the vendor; rpm names are case-sensitive */
	return 0;
}

static int cmp_qualifier(const void *a, const void *b)
{
	return strcmp(((const cairn_purl_qualifier *)a)->key, ((const cairn_purl_qualifier *)b)->key);
}

static int valid_type(const char *type)
{
	if (!isalpha((unsigned char)type[0]))
		return 0;
	for (const char *p = type; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+')
			return 0;
	return 1;
}

static int valid_key(const char *key)
{
	if (key == NULL || !isalpha((unsigned char)key[0]))
		return 0;
	for (const char *p = key; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

int cairn_purl_build(cairn_buf *out, const char *type, const char *namespace_, const char *name, const char *version,
		     const cairn_purl_qualifier *qualifiers, size_t qualifier_count, const char *subpath)
{
	if (type == NULL || !valid_type(type) || name == NULL || name[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "purl: a type (letters, digits, '.', '-', '+') and a name are required");
	if (qualifier_count > 64)
		return cairn_error_set(CAIRN_ETOOBIG, "purl: more than 64 qualifiers");
	int lower_ns, lower_name, pypi;
	char type_lc[64];
	size_t tl = strlen(type);
	if (tl >= sizeof type_lc)
		return cairn_error_set(CAIRN_EINVAL, "purl: type '%.32s...' is too long", type);
	for (size_t i = 0; i <= tl; i++)
		type_lc[i] = (char)tolower((unsigned char)type[i]);
	type_lowercases(type_lc, &lower_ns, &lower_name, &pypi);
	cairn_purl_qualifier sorted[64];
	size_t n = 0;
	for (size_t i = 0; i < qualifier_count; i++) {
		if (!valid_key(qualifiers[i].key))
			return cairn_error_set(CAIRN_EINVAL, "purl: qualifier key '%s' is not lowercase letters, digits, '.', '-', '_'",
					       qualifiers[i].key ? qualifiers[i].key : "");
		if (qualifiers[i].value != NULL && qualifiers[i].value[0] != '\0')
			sorted[n++] = qualifiers[i];
	}
	qsort(sorted, n, sizeof *sorted, cmp_qualifier);
	for (size_t i = 1; i < n; i++)
		if (strcmp(sorted[i - 1].key, sorted[i].key) == 0)
			return cairn_error_set(CAIRN_EINVAL, "purl: qualifier '%s' given twice", sorted[i].key);

	int err = cairn_buf_printf(out, "pkg:%s/", type_lc);
	if (!err && namespace_ != NULL && namespace_[0] != '\0') {
		size_t before = out->len;
		err = encode_segments(out, namespace_, lower_ns, 0);
		if (!err && out->len > before)
			err = cairn_buf_append_byte(out, '/');
	}
	if (!err)
		err = encode(out, name, strlen(name), lower_name, pypi);
	if (!err && version != NULL && version[0] != '\0') {
		err = cairn_buf_append_byte(out, '@');
		if (!err)
			err = encode(out, version, strlen(version), 0, 0);
	}
	for (size_t i = 0; !err && i < n; i++) {
		err = cairn_buf_printf(out, "%c%s=", i == 0 ? '?' : '&', sorted[i].key);
		if (!err)
			err = encode(out, sorted[i].value, strlen(sorted[i].value), 0, 0);
	}
	if (!err && subpath != NULL) {
		cairn_buf seg = CAIRN_BUF_INIT;
		err = encode_segments(&seg, subpath, 0, 1);
		if (!err && seg.len > 0) {
			err = cairn_buf_append_byte(out, '#');
			if (!err)
				err = cairn_buf_append(out, seg.data, seg.len);
		}
		cairn_buf_free(&seg);
	}
	return err;
}
