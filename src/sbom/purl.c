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

/* ---- parsing ---- */

#define PURL_MAX_LEN 4096

/* Percent-decodes s[0..len) into a new string; NULL (error set) on a bad escape or a NUL. */
static char *decode(const char *s, size_t len, const char *text)
{
	char *out = malloc(len + 1);
	if (out == NULL) {
		cairn_error_set(CAIRN_ENOMEM, "purl: out of memory");
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = s[i];
			continue;
		}
		int hi = i + 2 < len && isxdigit((unsigned char)s[i + 1]) ? s[i + 1] : -1;
		int lo = hi >= 0 && isxdigit((unsigned char)s[i + 2]) ? s[i + 2] : -1;
		if (hi < 0 || lo < 0) {
			free(out);
			cairn_error_set(CAIRN_EINVAL, "purl '%s': '%%' not followed by two hex digits", text);
			return NULL;
		}
		int v = (isdigit(hi) ? hi - '0' : (tolower(hi) - 'a' + 10)) * 16 + (isdigit(lo) ? lo - '0' : (tolower(lo) - 'a' + 10));
		if (v == 0) {
			free(out);
			cairn_error_set(CAIRN_EINVAL, "purl '%s': an encoded NUL", text);
			return NULL;
		}
		out[n++] = (char)v;
		i += 2;
	}
	out[n] = '\0';
	return out;
}

void cairn_purl_clear(cairn_purl *purl)
{
	free(purl->type);
	free(purl->namespace_);
	free(purl->name);
	free(purl->version);
	free(purl->subpath);
	for (size_t i = 0; i < purl->qualifier_count; i++) {
		free(purl->keys[i]);
		free(purl->values[i]);
	}
	free(purl->keys);
	free(purl->values);
	memset(purl, 0, sizeof *purl);
}

const char *cairn_purl_qualifier_get(const cairn_purl *purl, const char *key)
{
	for (size_t i = 0; i < purl->qualifier_count; i++)
		if (strcmp(purl->keys[i], key) == 0)
			return purl->values[i];
	return NULL;
}

static int parse_qualifiers(cairn_purl *p, const char *s, size_t len, const char *text)
{
	size_t count = 1;
	for (size_t i = 0; i < len; i++)
		count += s[i] == '&';
	if (count > 64)
		return cairn_error_set(CAIRN_ETOOBIG, "purl '%s': more than 64 qualifiers", text);
	p->keys = calloc(count, sizeof *p->keys);
	p->values = calloc(count, sizeof *p->values);
	if (p->keys == NULL || p->values == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "purl: out of memory");
	const char *end = s + len;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(s, '=', (size_t)(stop - s));
		if (stop > s) {
			if (eq == NULL || eq == s)
				return cairn_error_set(CAIRN_EINVAL, "purl '%s': a qualifier without 'key='", text);
			char *key = strndup(s, (size_t)(eq - s));
			if (key == NULL)
				return cairn_error_set(CAIRN_ENOMEM, "purl: out of memory");
			for (char *k = key; *k; k++)
				*k = (char)tolower((unsigned char)*k);
			if (!valid_key(key) || cairn_purl_qualifier_get(p, key) != NULL) {
				int err = cairn_error_set(CAIRN_EINVAL, "purl '%s': qualifier key '%s' is invalid or repeated", text, key);
				free(key);
				return err;
			}
			char *value = decode(eq + 1, (size_t)(stop - eq - 1), text);
			if (value == NULL) {
				free(key);
				return cairn_error_code() ? cairn_error_code() : CAIRN_EINVAL;
			}
			if (value[0] == '\0') { /* empty values are as if absent */
				free(key);
				free(value);
			} else {
				p->keys[p->qualifier_count] = key;
				p->values[p->qualifier_count++] = value;
			}
		}
		s = amp ? amp + 1 : end;
	}
	return 0;
}

/* Decodes '/'-separated segments, dropping empty ones; NULL result (no error) when none remain. */
static int decode_segments(char **out, const char *s, size_t len, const char *text)
{
	cairn_buf b = CAIRN_BUF_INIT;
	const char *end = s + len;
	int err = 0;
	while (!err && s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		size_t l = (size_t)((slash ? slash : end) - s);
		if (l > 0) {
			char *seg = decode(s, l, text);
			if (seg == NULL)
				err = CAIRN_EINVAL;
			else if (strchr(seg, '/') != NULL)
				err = cairn_error_set(CAIRN_EINVAL, "purl '%s': an encoded '/' in the namespace", text);
			if (!err && b.len > 0)
				err = cairn_buf_append_byte(&b, '/');
			if (!err)
				err = cairn_buf_append_str(&b, seg);
			free(seg);
		}
		s = slash ? slash + 1 : end;
	}
	*out = !err && b.len > 0 ? (char *)cairn_buf_detach(&b, NULL) : NULL;
	cairn_buf_free(&b);
	return err;
}

int cairn_purl_parse(cairn_purl *out, const char *text)
{
	memset(out, 0, sizeof *out);
	size_t len = strlen(text);
	if (len > PURL_MAX_LEN)
		return cairn_error_set(CAIRN_ETOOBIG, "purl: %zu bytes, over the limit of %d", len, PURL_MAX_LEN);
	if (len < 4 || tolower((unsigned char)text[0]) != 'p' || tolower((unsigned char)text[1]) != 'k' ||
	    tolower((unsigned char)text[2]) != 'g' || text[3] != ':')
		return cairn_error_set(CAIRN_EINVAL, "purl '%s': does not start with 'pkg:'", text);
	const char *s = text + 4, *end = text + len;
	while (s < end && *s == '/') /* "pkg://type/..." is tolerated, as the spec says */
		s++;
	int err = 0;
	const char *hash = memchr(s, '#', (size_t)(end - s));
	if (hash != NULL) {
		err = decode_segments(&out->subpath, hash + 1, (size_t)(end - hash - 1), text);
		end = hash;
	}
	const char *q = err ? NULL : memchr(s, '?', (size_t)(end - s));
	if (q != NULL) {
		err = parse_qualifiers(out, q + 1, (size_t)(end - q - 1), text);
		end = q;
	}
	const char *slash = err ? NULL : memchr(s, '/', (size_t)(end - s));
	if (!err && (slash == NULL || slash == s))
		err = cairn_error_set(CAIRN_EINVAL, "purl '%s': no type and name", text);
	if (!err && (out->type = strndup(s, (size_t)(slash - s))) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "purl: out of memory");
	if (!err) {
		for (char *t = out->type; *t; t++)
			*t = (char)tolower((unsigned char)*t);
		if (!valid_type(out->type))
			err = cairn_error_set(CAIRN_EINVAL, "purl '%s': type '%s' is not letters, digits, '.', '-', '+'", text, out->type);
	}
	s = slash ? slash + 1 : end;
	while (!err && end > s && end[-1] == '/')
		end--;
	/* the version follows the last '@' after the last '/' (an npm namespace starts with an encoded or plain '@') */
	const char *last_slash = NULL;
	for (const char *p = s; !err && p < end; p++)
		if (*p == '/')
			last_slash = p;
	const char *name_start = last_slash ? last_slash + 1 : s;
	const char *at = NULL;
	for (const char *p = name_start; !err && p < end; p++)
		if (*p == '@')
			at = p;
	if (!err && at != NULL) {
		if ((out->version = decode(at + 1, (size_t)(end - at - 1), text)) == NULL)
			err = CAIRN_EINVAL;
		end = at;
	}
	if (!err && name_start >= end)
		err = cairn_error_set(CAIRN_EINVAL, "purl '%s': the name is empty", text);
	if (!err && (out->name = decode(name_start, (size_t)(end - name_start), text)) == NULL)
		err = CAIRN_EINVAL;
	if (!err && last_slash != NULL)
		err = decode_segments(&out->namespace_, s, (size_t)(last_slash - s), text);
	if (err) {
		int code = cairn_error_code();
		cairn_purl_clear(out);
		return code ? code : err;
	}
	return 0;
}
