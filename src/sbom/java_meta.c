/* Java metadata files found inside archives: pom.properties, pom.xml and META-INF/MANIFEST.MF.
 *
 * pom.properties is what Maven's archiver writes next to the pom: groupId, artifactId and version in
 * java.util.Properties text format (comments, "key=value" / "key: value" / "key value", backslash
 * escapes and continuation lines). pom.xml adds what the properties lack: the project's name, its
 * licenses, and a groupId or version inherited from <parent>. The XML reader here is deliberately
 * small: it understands elements, attributes (skipped), text, CDATA, comments, processing instructions,
 * the five predefined entities and character references, and nothing else. A DOCTYPE is refused, so
 * no DTD, external entity or entity expansion can ever happen, and depth, property count and value
 * sizes are bounded. The manifest format (JAR File Specification) is "Name: value" lines, continued by
 * lines that start with one space, whose main section ends at the first empty line. */
#include "cairn/error.h"
#include "java_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XML_MAX_DEPTH 64
#define XML_MAX_PROPS 256    /* <properties> children kept for ${...} */
#define XML_MAX_LICENSES 32
#define META_MAX_VALUE 4096 /* one name, version, property value after substitution */

static int oom(void) { return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory"); }

void java_meta_clear(java_meta *m)
{
	free(m->group);
	free(m->artifact);
	free(m->version);
	free(m->name);
	free(m->parent_group);
	free(m->parent_version);
	for (size_t i = 0; i < m->license_count; i++)
		free(m->licenses[i]);
	free(m->licenses);
	memset(m, 0, sizeof *m);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

/* Replaces *field with the trimmed text (an empty or over-long value counts as not said). */
static int set_trimmed(char **field, const char *s, size_t len)
{
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0 || len > META_MAX_VALUE || memchr(s, '\0', len) != NULL)
		return 0;
	char *copy = strndup(s, len);
	if (copy == NULL)
		return oom();
	free(*field);
	*field = copy;
	return 0;
}

/* UTF-8 for a code point from \uXXXX or &#...;: 0, 1 when it is NUL or no Unicode scalar value,
 * -1 when memory runs out. */
static int append_utf8(cairn_buf *out, unsigned long cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 1;
	return cairn_buf_append_utf8(out, (uint32_t)cp) ? -1 : 0;
}

/* ---- pom.properties ---- */

/* Reads one logical line (physical lines joined where one ends in an odd number of backslashes,
 * the next one's leading white space dropped). 1 at the end of the text. */
static int prop_line(const char **pos, const char *end, cairn_buf *line)
{
	const char *s = *pos;
	cairn_buf_clear(line);
	if (s >= end)
		return 1;
	for (int first = 1;; first = 0) {
		while (s < end && (*s == ' ' || *s == '\t' || *s == '\f'))
			s++;
		const char *start = s;
		while (s < end && *s != '\n' && *s != '\r')
			s++;
		size_t len = (size_t)(s - start), slashes = 0;
		if (s < end && *s == '\r' && s + 1 < end && s[1] == '\n')
			s++;
		if (s < end)
			s++;
		if (first && len > 0 && (start[0] == '#' || start[0] == '!'))
			break; /* a comment: an empty logical line */
		while (slashes < len && start[len - 1 - slashes] == '\\')
			slashes++;
		int more = slashes % 2 == 1;
		if (cairn_buf_append(line, start, more ? len - 1 : len) != 0)
			return -1;
		if (!more || s >= end)
			break;
	}
	*pos = s;
	return 0;
}

/* Undoes the escapes of a key or value: \t \n \r \f \uXXXX, and \X for any other X. */
static int prop_unescape(const char *s, size_t len, cairn_buf *out)
{
	cairn_buf_clear(out);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < len) {
			c = s[++i];
			if (c == 'u' && len - i > 4) { /* four hex digits follow */
				unsigned long cp = 0;
				int ok = 1;
				for (size_t k = 1; ok && k <= 4; k++) {
					int h = cairn_hex_digit(s[i + k]);
					ok = h >= 0;
					cp = cp * 16 + (unsigned long)(ok ? h : 0);
				}
				if (ok && append_utf8(out, cp) < 0)
					return -1;
				if (ok) {
					i += 4;
					continue;
				}
			}
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
		}
		if (cairn_buf_append_byte(out, (uint8_t)c) != 0)
			return -1;
	}
	return 0;
}

static int prop_pair(java_meta *m, const char *s, size_t len, cairn_buf *key, cairn_buf *value)
{
	size_t k = 0;
	while (k < len && s[k] != '=' && s[k] != ':' && !is_space(s[k]))
		k += s[k] == '\\' && k + 1 < len ? 2 : 1;
	if (k > len)
		k = len;
	size_t v = k;
	while (v < len && (s[v] == ' ' || s[v] == '\t' || s[v] == '\f'))
		v++;
	if (v < len && (s[v] == '=' || s[v] == ':'))
		v++;
	while (v < len && (s[v] == ' ' || s[v] == '\t' || s[v] == '\f'))
		v++;
	if (prop_unescape(s, k, key) != 0 || prop_unescape(s + v, len - v, value) != 0)
		return oom();
	const char *name = cairn_buf_cstr(key);
	char **field = strcmp(name, "groupId") == 0      ? &m->group
		       : strcmp(name, "artifactId") == 0 ? &m->artifact
		       : strcmp(name, "version") == 0    ? &m->version
							 : NULL;
	return field ? set_trimmed(field, (const char *)value->data, value->len) : 0;
}

int java_parse_properties(java_meta *m, const char *text, size_t len)
{
	cairn_buf line = CAIRN_BUF_INIT, key = CAIRN_BUF_INIT, value = CAIRN_BUF_INIT;
	const char *pos = text, *end = text + len;
	int err = 0, r;
	while (!err && (r = prop_line(&pos, end, &line)) == 0)
		if (line.len > 0)
			err = prop_pair(m, (const char *)line.data, line.len, &key, &value);
	if (!err && r < 0)
		err = oom();
	cairn_buf_free(&line);
	cairn_buf_free(&key);
	cairn_buf_free(&value);
	return err;
}

/* ---- MANIFEST.MF ---- */

enum { MF_IMPL_TITLE, MF_IMPL_VERSION, MF_IMPL_VENDOR_ID, MF_BUNDLE_NAME, MF_BUNDLE_VERSION, MF_SPEC_TITLE,
       MF_SPEC_VERSION, MF_MODULE_NAME, MF_COUNT };

static const char *const mf_names[MF_COUNT] = {
	"Implementation-Title", "Implementation-Version", "Implementation-Vendor-Id", "Bundle-SymbolicName",
	"Bundle-Version",       "Specification-Title",    "Specification-Version",    "Automatic-Module-Name",
};

/* Stores a finished attribute if it is one of those wanted (names are case-insensitive). */
static int mf_attribute(char **values, const cairn_buf *attr)
{
	const char *s = (const char *)attr->data;
	const char *colon = attr->len ? memchr(s, ':', attr->len) : NULL;
	if (colon == NULL)
		return 0;
	size_t klen = (size_t)(colon - s);
	for (int i = 0; i < MF_COUNT; i++) {
		if (strlen(mf_names[i]) != klen || strncasecmp(s, mf_names[i], klen) != 0 || values[i] != NULL)
			continue;
		const char *v = colon + 1;
		size_t vlen = attr->len - klen - 1;
		if (i == MF_BUNDLE_NAME) { /* "org.example.foo;singleton:=true": the name before any directive */
			const char *semi = memchr(v, ';', vlen);
			if (semi != NULL)
				vlen = (size_t)(semi - v);
		}
		return set_trimmed(&values[i], v, vlen);
	}
	return 0;
}

int java_parse_manifest(java_meta *m, const char *text, size_t len)
{
	char *values[MF_COUNT] = {NULL};
	cairn_buf attr = CAIRN_BUF_INIT;
	const char *s = text, *end = text + len;
	int err = 0;
	while (!err && s < end) {
		const char *start = s;
		while (s < end && *s != '\n' && *s != '\r')
			s++;
		size_t l = (size_t)(s - start);
		if (s < end && *s == '\r' && s + 1 < end && s[1] == '\n')
			s++;
		if (s < end)
			s++;
		if (l == 0)
			break; /* the main section ends; per-entry sections follow */
		if (start[0] == ' ') { /* a continuation of the attribute before */
			err = attr.len ? cairn_buf_append(&attr, start + 1, l - 1) : 0;
			continue;
		}
		err = mf_attribute(values, &attr);
		cairn_buf_clear(&attr);
		if (!err && l <= META_MAX_VALUE * 4)
			err = cairn_buf_append(&attr, start, l);
	}
	if (!err)
		err = mf_attribute(values, &attr);
	/* the name and version in the order of preference; the vendor id is the groupId Maven writes */
	static const int names[] = {MF_IMPL_TITLE, MF_BUNDLE_NAME, MF_SPEC_TITLE, MF_MODULE_NAME};
	static const int versions[] = {MF_IMPL_VERSION, MF_BUNDLE_VERSION, MF_SPEC_VERSION};
	for (size_t i = 0; !err && m->name == NULL && i < sizeof names / sizeof names[0]; i++)
		if (values[names[i]] != NULL)
			err = cairn_sbom_set(&m->name, values[names[i]]);
	for (size_t i = 0; !err && m->version == NULL && i < sizeof versions / sizeof versions[0]; i++)
		if (values[versions[i]] != NULL)
			err = cairn_sbom_set(&m->version, values[versions[i]]);
	if (!err && m->group == NULL && values[MF_IMPL_VENDOR_ID] != NULL)
		err = cairn_sbom_set(&m->group, values[MF_IMPL_VENDOR_ID]);
	for (int i = 0; i < MF_COUNT; i++)
		free(values[i]);
	cairn_buf_free(&attr);
	return err;
}

/* ---- pom.xml ---- */

struct xml {
	const char *s, *end, *what;
	cairn_buf path;               /* element names from the root: "project/parent/version" */
	size_t stack[XML_MAX_DEPTH]; /* path length before each open element */
	unsigned depth;
	int root_seen, root_done;
	cairn_buf text;               /* character data of the innermost element */
	java_meta *m;
	char *prop_keys[XML_MAX_PROPS], *prop_values[XML_MAX_PROPS];
	size_t prop_count;
};

/* Skips to just past `marker`; CAIRN_EINVAL naming what was left open when it is missing. */
static int xml_skip_past(struct xml *x, const char *marker, const char *what)
{
	size_t n = strlen(marker);
	for (const char *p = x->s; p + n <= x->end; p++)
		if (memcmp(p, marker, n) == 0) {
			x->s = p + n;
			return 0;
		}
	return cairn_error_set(CAIRN_EINVAL, "%s: %s is not closed", x->what, what);
}

/* An entity or character reference after '&', appended to the text. */
static int xml_entity(struct xml *x)
{
	const char *semi = NULL;
	for (const char *p = x->s + 1; p < x->end && p < x->s + 12; p++)
		if (*p == ';') {
			semi = p;
			break;
		}
	if (semi == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: a '&' that starts no entity reference", x->what);
	const char *name = x->s + 1;
	size_t len = (size_t)(semi - name);
	static const char *const predefined[][2] = {{"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
	x->s = semi + 1;
	for (size_t i = 0; i < 5; i++)
		if (strlen(predefined[i][0]) == len && memcmp(name, predefined[i][0], len) == 0)
			return cairn_buf_append_str(&x->text, predefined[i][1]) ? oom() : 0;
	if (len >= 2 && name[0] == '#') {
		int hex = name[1] == 'x';
		unsigned long cp = 0;
		size_t i = hex ? 2 : 1;
		int ok = i < len;
		for (; ok && i < len; i++) {
			int d = hex ? cairn_hex_digit(name[i]) : (name[i] >= '0' && name[i] <= '9' ? name[i] - '0' : -1);
			ok = d >= 0 && cp <= 0x10FFFF;
			cp = cp * (hex ? 16 : 10) + (unsigned long)(d < 0 ? 0 : d);
		}
		int r = ok ? append_utf8(&x->text, cp) : 1;
		if (r < 0)
			return oom();
		if (r == 0)
			return 0;
		return cairn_error_set(CAIRN_EINVAL, "%s: a character reference names no valid character", x->what);
	}
	return cairn_error_set(CAIRN_EINVAL, "%s: entity &%.*s; is not defined (POMs are read without any DTD)", x->what,
			       (int)len, name);
}

static int path_is(const struct xml *x, const char *path) { return strcmp(cairn_buf_cstr(&x->path), path) == 0; }

/* The text of an element that just closed, kept when its path is one cairn reads. */
static int xml_element_done(struct xml *x)
{
	java_meta *m = x->m;
	const char *t = (const char *)x->text.data;
	size_t n = x->text.len;
	static const char props[] = "project/properties/";
	if (path_is(x, "project/groupId"))
		return set_trimmed(&m->group, t, n);
	if (path_is(x, "project/artifactId"))
		return set_trimmed(&m->artifact, t, n);
	if (path_is(x, "project/version"))
		return set_trimmed(&m->version, t, n);
	if (path_is(x, "project/name"))
		return set_trimmed(&m->name, t, n);
	if (path_is(x, "project/parent/groupId"))
		return set_trimmed(&m->parent_group, t, n);
	if (path_is(x, "project/parent/version"))
		return set_trimmed(&m->parent_version, t, n);
	if (path_is(x, "project/licenses/license/name") && m->license_count < XML_MAX_LICENSES) {
		char *value = NULL;
		int err = set_trimmed(&value, t, n);
		if (!err && value != NULL) {
			size_t cap = m->license_count;
			err = sbom_grow(&m->licenses, &cap, m->license_count, sizeof *m->licenses);
			if (err)
				free(value);
			else
				m->licenses[m->license_count++] = value;
		}
		return err;
	}
	const char *p = cairn_buf_cstr(&x->path);
	if (strncmp(p, props, sizeof props - 1) == 0 && strchr(p + sizeof props - 1, '/') == NULL &&
	    x->prop_count < XML_MAX_PROPS) {
		char *key = strdup(p + sizeof props - 1), *value = NULL;
		int err = key ? set_trimmed(&value, t, n) : oom();
		if (!err && value != NULL) {
			x->prop_keys[x->prop_count] = key;
			x->prop_values[x->prop_count++] = value;
			key = NULL;
		}
		free(key);
		return err;
	}
	return 0;
}

/* Closes the innermost element: the path loses its last name. */
static void xml_pop(struct xml *x)
{
	x->path.len = x->stack[--x->depth];
	if (x->path.data != NULL)
		x->path.data[x->path.len] = '\0';
	cairn_buf_clear(&x->text);
	x->root_done = x->depth == 0;
}

static int name_char(char c) { return c != '\0' && !is_space(c) && c != '/' && c != '>' && c != '<' && c != '='; }

/* A start tag after '<': pushes the element (its local name, without a namespace prefix). */
static int xml_start_tag(struct xml *x)
{
	const char *name = x->s;
	while (x->s < x->end && name_char(*x->s))
		x->s++;
	size_t len = (size_t)(x->s - name);
	if (len == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: a '<' that starts no element", x->what);
	const char *colon = memchr(name, ':', len);
	if (colon != NULL) {
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	/* attributes are skipped; a quoted value may hold '>' */
	char quote = 0;
	while (x->s < x->end && (quote || *x->s != '>')) {
		if (quote && *x->s == quote)
			quote = 0;
		else if (!quote && (*x->s == '"' || *x->s == '\''))
			quote = *x->s;
		x->s++;
	}
	if (x->s >= x->end)
		return cairn_error_set(CAIRN_EINVAL, "%s: the tag <%.*s> is not closed", x->what, (int)(len > 64 ? 64 : len), name);
	int empty = x->s[-1] == '/';
	x->s++;
	if (x->depth == 0 && x->root_done)
		return cairn_error_set(CAIRN_EINVAL, "%s: more than one root element", x->what);
	if (x->depth == 0 && (len != 7 || memcmp(name, "project", 7) != 0))
		return cairn_error_set(CAIRN_EINVAL, "%s: the root element is not <project>; not a Maven POM", x->what);
	if (x->depth >= XML_MAX_DEPTH)
		return cairn_error_set(CAIRN_EINVAL, "%s: elements nested deeper than %d", x->what, XML_MAX_DEPTH);
	x->root_seen = 1;
	x->stack[x->depth++] = x->path.len;
	int err = x->path.len ? cairn_buf_append_byte(&x->path, '/') : 0;
	if (!err)
		err = cairn_buf_append(&x->path, name, len);
	if (err)
		return oom();
	cairn_buf_clear(&x->text);
	if (empty) {
		err = xml_element_done(x);
		xml_pop(x);
	}
	return err;
}

/* An end tag after "</": must close the innermost element. */
static int xml_end_tag(struct xml *x)
{
	const char *name = x->s;
	while (x->s < x->end && name_char(*x->s))
		x->s++;
	size_t len = (size_t)(x->s - name);
	const char *colon = len ? memchr(name, ':', len) : NULL;
	if (colon != NULL) {
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	while (x->s < x->end && is_space(*x->s))
		x->s++;
	if (x->s >= x->end || *x->s != '>')
		return cairn_error_set(CAIRN_EINVAL, "%s: a malformed end tag", x->what);
	x->s++;
	if (x->depth == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: an end tag </%.*s> without a start tag", x->what, (int)(len > 64 ? 64 : len), name);
	const char *open = cairn_buf_cstr(&x->path) + x->stack[x->depth - 1] + (x->depth > 1);
	if (strlen(open) != len || memcmp(open, name, len) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: </%.*s> closes <%s>", x->what, (int)(len > 64 ? 64 : len), name, open);
	int err = xml_element_done(x);
	xml_pop(x);
	return err;
}

/* What follows a '<'. */
static int xml_markup(struct xml *x)
{
	size_t left = (size_t)(x->end - x->s);
	if (left >= 4 && memcmp(x->s, "<!--", 4) == 0) {
		x->s += 4;
		return xml_skip_past(x, "-->", "a comment");
	}
	if (left >= 9 && memcmp(x->s, "<![CDATA[", 9) == 0) {
		const char *start = x->s + 9;
		x->s = start;
		int err = xml_skip_past(x, "]]>", "a CDATA section");
		if (!err && x->depth > 0 && cairn_buf_append(&x->text, start, (size_t)(x->s - 3 - start)) != 0)
			err = oom();
		return err;
	}
	if (left >= 2 && x->s[1] == '!')
		return cairn_error_set(CAIRN_EINVAL, "%s: has a DOCTYPE or other declaration; cairn reads POMs without "
						    "any DTD or external entity",
				       x->what);
	if (left >= 2 && x->s[1] == '?') {
		x->s += 2;
		return xml_skip_past(x, "?>", "a processing instruction");
	}
	if (left >= 2 && x->s[1] == '/') {
		x->s += 2;
		return xml_end_tag(x);
	}
	x->s++;
	return xml_start_tag(x);
}

/* ${...} references: to the project's own fields, its parent's, and <properties>. Unknown ones leave
 * the value unresolved (NULL): a version cairn cannot know is not guessed. */
static const char *xml_property(const struct xml *x, const char *key, size_t len)
{
	const java_meta *m = x->m;
	static const char *const aliases[][2] = {
		{"project.version", "v"}, {"pom.version", "v"}, {"version", "v"}, {"project.groupId", "g"},
		{"pom.groupId", "g"}, {"groupId", "g"}, {"project.artifactId", "a"}, {"pom.artifactId", "a"},
		{"artifactId", "a"}, {"project.parent.version", "pv"}, {"parent.version", "pv"},
		{"project.parent.groupId", "pg"}, {"parent.groupId", "pg"},
	};
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strlen(aliases[i][0]) != len || memcmp(aliases[i][0], key, len) != 0)
			continue;
		const char *k = aliases[i][1];
		if (strcmp(k, "v") == 0)
			return m->version ? m->version : m->parent_version;
		if (strcmp(k, "g") == 0)
			return m->group ? m->group : m->parent_group;
		if (strcmp(k, "a") == 0)
			return m->artifact;
		return strcmp(k, "pv") == 0 ? m->parent_version : m->parent_group;
	}
	for (size_t i = 0; i < x->prop_count; i++)
		if (strlen(x->prop_keys[i]) == len && memcmp(x->prop_keys[i], key, len) == 0)
			return x->prop_values[i];
	return NULL;
}

/* One round of substitution into out; 1 when a reference cannot be resolved. */
static int substitute_once(const struct xml *x, const char *value, cairn_buf *out)
{
	cairn_buf_clear(out);
	for (const char *s = value; *s;) {
		const char *ref = strstr(s, "${");
		const char *close = ref ? strchr(ref, '}') : NULL;
		if (ref == NULL || close == NULL)
			return cairn_buf_append_str(out, s) ? -1 : 0;
		if (cairn_buf_append(out, s, (size_t)(ref - s)) != 0)
			return -1;
		const char *v = xml_property(x, ref + 2, (size_t)(close - ref - 2));
		if (v == NULL)
			return 1;
		if (cairn_buf_append_str(out, v) != 0)
			return -1;
		if (out->len > META_MAX_VALUE)
			return 1;
		s = close + 1;
	}
	return 0;
}

/* Resolves references in *field (a few rounds, for properties naming properties), or clears it. */
static int resolve(const struct xml *x, char **field)
{
	cairn_buf out = CAIRN_BUF_INIT;
	int r = 0;
	for (int round = 0; r == 0 && *field != NULL && strstr(*field, "${") != NULL; round++) {
		r = round < 4 ? substitute_once(x, *field, &out) : 1;
		if (r == 0 && cairn_sbom_set(field, cairn_buf_cstr(&out)) != 0)
			r = -1;
	}
	cairn_buf_free(&out);
	if (r < 0)
		return oom();
	if (r > 0) {
		free(*field);
		*field = NULL;
	}
	return 0;
}

static int xml_finish(struct xml *x)
{
	java_meta *m = x->m;
	int err = 0;
	/* the parent's fields first, since the project's may refer to them */
	char **fields[] = {&m->parent_group, &m->parent_version, &m->group, &m->version, &m->artifact, &m->name};
	for (size_t i = 0; !err && i < sizeof fields / sizeof fields[0]; i++)
		err = resolve(x, fields[i]);
	for (size_t i = 0; !err && i < m->license_count; i++)
		if (strstr(m->licenses[i], "${") != NULL)
			err = resolve(x, &m->licenses[i]);
	size_t kept = 0;
	for (size_t i = 0; i < m->license_count; i++)
		if (m->licenses[i] != NULL)
			m->licenses[kept++] = m->licenses[i];
	m->license_count = kept;
	/* inheritance: a POM without its own groupId or version has its parent's */
	if (!err && m->group == NULL && m->parent_group != NULL)
		err = cairn_sbom_set(&m->group, m->parent_group);
	if (!err && m->version == NULL && m->parent_version != NULL)
		err = cairn_sbom_set(&m->version, m->parent_version);
	return err;
}

int java_parse_pom_xml(java_meta *m, const char *text, size_t len, const char *what)
{
	struct xml x;
	memset(&x, 0, sizeof x);
	x.s = text;
	x.end = text + len;
	x.what = what;
	x.m = m;
	int err = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		x.s += 3; /* a UTF-8 byte order mark */
	while (!err && x.s < x.end) {
		char c = *x.s;
		if (c == '<')
			err = xml_markup(&x);
		else if (c == '\0')
			err = cairn_error_set(CAIRN_EINVAL, "%s: holds a NUL byte; not XML text", what);
		else if (x.depth == 0 && !is_space(c))
			err = cairn_error_set(CAIRN_EINVAL, "%s: text outside the root element", what);
		else if (c == '&')
			err = xml_entity(&x);
		else if (cairn_buf_append_byte(&x.text, (uint8_t)*x.s++) != 0)
			err = oom();
	}
	if (!err && !x.root_seen)
		err = cairn_error_set(CAIRN_EINVAL, "%s: no root element", what);
	if (!err && x.depth > 0)
		err = cairn_error_set(CAIRN_EINVAL, "%s: ends inside <%s>", what, cairn_buf_cstr(&x.path));
	if (!err)
		err = xml_finish(&x);
	for (size_t i = 0; i < x.prop_count; i++) {
		free(x.prop_keys[i]);
		free(x.prop_values[i]);
	}
	cairn_buf_free(&x.path);
	cairn_buf_free(&x.text);
	return err;
}
