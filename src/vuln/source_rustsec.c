/* RustSec and HSEC advisories: Markdown files that open with a ```toml block.
 *
 * The TOML subset these databases write is parsed here into a JSON tree: [tables], [dotted.tables],
 * [[arrays.of.tables]], bare and quoted keys, dotted keys, basic and literal strings, arrays and
 * inline tables. Numbers, booleans and dates keep their text. Multi-line strings are refused.
 *
 * RustSec: [advisory] id, package, aliases, cvss, date, withdrawn; [versions] patched and
 * unaffected are lists of cargo requirements. A crate version is affected when it satisfies none of
 * them, exactly as the rustsec crate decides (its VersionReq semantics, pre-release rule included).
 * [affected] functions/os/arch narrow the impact to some code paths or targets; cairn matches the
 * whole crate, as cargo-audit does.
 *
 * HSEC (Haskell): [advisory] id, aliases; [[affected]] package (ecosystem Hackage) or ghc-component
 * (ecosystem GHC, as OSV names it), cvss, [[affected.versions]] introduced/fixed: each versions
 * entry is one ECOSYSTEM range over dotted version numbers. */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct toml {
	const char *p, *end;
	const char *what;
	size_t line;
	int depth;
};

static int toml_fail(struct toml *t, const char *why)
{
	return cairn_error_set(CAIRN_EINVAL, "%s: TOML line %zu: %s", t->what, t->line, why);
}

static void skip_space(struct toml *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Skips blanks, comments and (when newlines) line ends. */
static void skip_blank(struct toml *t, int newlines)
{
	for (;;) {
		skip_space(t);
		if (t->p < t->end && *t->p == '#')
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		if (newlines && t->p < t->end && (*t->p == '\n' || *t->p == '\r')) {
			if (*t->p == '\n')
				t->line++;
			t->p++;
			continue;
		}
		return;
	}
}


/* A "basic" or 'literal' string on one line, into out. */
static int toml_string(struct toml *t, cairn_buf *out)
{
	char quote = *t->p++;
	if (t->end - t->p >= 2 && t->p[0] == quote && t->p[1] == quote)
		return toml_fail(t, "multi-line strings are not supported");
	cairn_buf_clear(out);
	while (t->p < t->end && *t->p != quote) {
		char c = *t->p++;
		if (c == '\n')
			return toml_fail(t, "unterminated string");
		if (c != '\\' || quote == '\'') {
			if (cairn_buf_append_byte(out, (uint8_t)c) != 0)
				return CAIRN_ENOMEM;
			continue;
		}
		if (t->p >= t->end)
			break;
		char e = *t->p++;
		const char *simple = "\"\\btnfr", *value = "\"\\\b\t\n\f\r";
		const char *at = strchr(simple, e);
		if (at != NULL && e != '\0') {
			if (cairn_buf_append_byte(out, (uint8_t)value[at - simple]) != 0)
				return CAIRN_ENOMEM;
			continue;
		}
		int digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
		if (digits == 0 || t->end - t->p < digits)
			return toml_fail(t, "unknown escape in a string");
		uint32_t cp = 0;
		for (int i = 0; i < digits; i++) {
			int h = cairn_hex_digit(*t->p++);
			if (h < 0)
				return toml_fail(t, "bad \\u escape");
			cp = cp * 16 + (uint32_t)h;
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return toml_fail(t, "\\u escape outside Unicode scalar values");
		if (cairn_buf_append_utf8(out, cp) != 0)
			return CAIRN_ENOMEM;
	}
	if (t->p >= t->end)
		return toml_fail(t, "unterminated string");
	t->p++;
	return 0;
}

static int is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One key component, bare or quoted. */
static int toml_key_part(struct toml *t, cairn_buf *out)
{
	skip_space(t);
	if (t->p < t->end && (*t->p == '"' || *t->p == '\''))
		return toml_string(t, out);
	cairn_buf_clear(out);
	const char *start = t->p;
	while (t->p < t->end && is_bare(*t->p))
		t->p++;
	if (t->p == start)
		return toml_fail(t, "expected a key");
	return cairn_buf_append(out, start, (size_t)(t->p - start));
}

/* A dotted key "a.b.c" into a JSON array of its parts. */
static int toml_key(struct toml *t, json_t **parts)
{
	cairn_buf part = CAIRN_BUF_INIT;
	json_t *list = json_array();
	int err;
	for (;;) {
		if ((err = toml_key_part(t, &part)) != 0)
			break;
		json_t *s = json_stringn((const char *)part.data ? (const char *)part.data : "", part.len);
		if (s == NULL) {
			err = toml_fail(t, "a key is not valid UTF-8");
			break;
		}
		json_array_append_new(list, s);
		if (json_array_size(list) > VULN_MAX_DEPTH) {
			err = toml_fail(t, "key nested too deeply");
			break;
		}
		skip_space(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			continue;
		}
		break;
	}
	cairn_buf_free(&part);
	if (err != 0) {
		json_decref(list);
		return err;
	}
	*parts = list;
	return 0;
}

static int toml_value(struct toml *t, json_t **out);

static int toml_array(struct toml *t, json_t **out)
{
	json_t *arr = json_array();
	t->p++;
	for (;;) {
		skip_blank(t, 1);
		if (t->p < t->end && *t->p == ']') {
			t->p++;
			*out = arr;
			return 0;
		}
		json_t *v;
		int err = toml_value(t, &v);
		if (err != 0) {
			json_decref(arr);
			return err;
		}
		json_array_append_new(arr, v);
		skip_blank(t, 1);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == ']')
			continue;
		json_decref(arr);
		return toml_fail(t, "expected ',' or ']' in an array");
	}
}

/* Sets value at the dotted key path below table, creating tables on the way. Takes value. */
static int toml_set(struct toml *t, json_t *table, const json_t *parts, json_t *value)
{
	size_t n = json_array_size(parts);
	for (size_t i = 0; i + 1 < n; i++) {
		const char *k = json_string_value(json_array_get(parts, i));
		json_t *next = json_object_get(table, k);
		if (next == NULL) {
			next = json_object();
			json_object_set_new(table, k, next);
		} else if (!json_is_object(next)) {
			json_decref(value);
			return toml_fail(t, "a dotted key runs through a value that is not a table");
		}
		table = next;
	}
	const char *last = json_string_value(json_array_get(parts, n - 1));
	if (json_object_get(table, last) != NULL) {
		json_decref(value);
		return toml_fail(t, "a key is defined twice");
	}
	json_object_set_new(table, last, value);
	return 0;
}

static int toml_inline_table(struct toml *t, json_t **out)
{
	json_t *table = json_object();
	t->p++;
	skip_blank(t, 1);
	if (t->p < t->end && *t->p == '}') {
		t->p++;
		*out = table;
		return 0;
	}
	for (;;) {
		json_t *parts, *v;
		int err = toml_key(t, &parts);
		if (err == 0) {
			skip_space(t);
			if (t->p >= t->end || *t->p != '=')
				err = toml_fail(t, "expected '=' in an inline table");
			else {
				t->p++;
				skip_space(t);
				if ((err = toml_value(t, &v)) == 0)
					err = toml_set(t, table, parts, v);
			}
			json_decref(parts);
		}
		if (err != 0) {
			json_decref(table);
			return err;
		}
		skip_blank(t, 1);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			skip_blank(t, 1);
			continue;
		}
		if (t->p < t->end && *t->p == '}') {
			t->p++;
			*out = table;
			return 0;
		}
		json_decref(table);
		return toml_fail(t, "expected ',' or '}' in an inline table");
	}
}

static int toml_value(struct toml *t, json_t **out)
{
	if (t->p >= t->end)
		return toml_fail(t, "expected a value");
	if (++t->depth > VULN_MAX_DEPTH)
		return toml_fail(t, "values nested too deeply");
	int err = 0;
	char c = *t->p;
	if (c == '"' || c == '\'') {
		cairn_buf s = CAIRN_BUF_INIT;
		err = toml_string(t, &s);
		if (err == 0 && (*out = json_stringn(s.data ? (const char *)s.data : "", s.len)) == NULL)
			err = toml_fail(t, "a string is not valid UTF-8 or holds NUL");
		cairn_buf_free(&s);
	} else if (c == '[') {
		err = toml_array(t, out);
	} else if (c == '{') {
		err = toml_inline_table(t, out);
	} else {
		/* Numbers, booleans, dates and times: kept as their text. */
		const char *start = t->p;
		while (t->p < t->end && (is_bare(*t->p) || *t->p == '.' || *t->p == ':' || *t->p == '+'))
			t->p++;
		if (t->p == start)
			err = toml_fail(t, "expected a value");
		else
			*out = json_stringn(start, (size_t)(t->p - start));
	}
	t->depth--;
	return err;
}

/* Walks to the table a [header] or [[header]] names, creating what is missing. */
static int toml_header(struct toml *t, json_t *root, json_t **current)
{
	int array = t->end - t->p >= 2 && t->p[1] == '[';
	t->p += array ? 2 : 1;
	json_t *parts;
	int err = toml_key(t, &parts);
	if (err != 0)
		return err;
	skip_space(t);
	if (t->end - t->p < (array ? 2 : 1) || t->p[0] != ']' || (array && t->p[1] != ']')) {
		json_decref(parts);
		return toml_fail(t, "unterminated table header");
	}
	t->p += array ? 2 : 1;
	json_t *table = root;
	size_t n = json_array_size(parts);
	for (size_t i = 0; i < n && err == 0; i++) {
		const char *k = json_string_value(json_array_get(parts, i));
		json_t *next = json_object_get(table, k);
		int last = i + 1 == n;
		if (last && array) {
			if (next == NULL) {
				next = json_array();
				json_object_set_new(table, k, next);
			}
			if (!json_is_array(next)) {
				err = toml_fail(t, "[[table]] names a key that is not an array of tables");
				break;
			}
			json_t *obj = json_object();
			json_array_append_new(next, obj);
			table = obj;
			continue;
		}
		if (next == NULL) {
			next = json_object();
			json_object_set_new(table, k, next);
		}
		if (json_is_array(next))
			next = json_array_get(next, json_array_size(next) - 1);
		if (!json_is_object(next)) {
			err = toml_fail(t, "a table header runs through a value that is not a table");
			break;
		}
		table = next;
	}
	json_decref(parts);
	if (err == 0)
		*current = table;
	return err;
}

int vuln_toml_parse(const char *text, size_t len, const char *what, json_t **out)
{
	struct toml t = {text, text + len, what, 1, 0};
	json_t *root = json_object(), *current = root;
	int err = 0;
	for (;;) {
		skip_blank(&t, 1);
		if (t.p >= t.end)
			break;
		if (*t.p == '[') {
			err = toml_header(&t, root, &current);
		} else {
			json_t *parts, *v;
			if ((err = toml_key(&t, &parts)) != 0)
				break;
			skip_space(&t);
			if (t.p >= t.end || *t.p != '=') {
				json_decref(parts);
				err = toml_fail(&t, "expected '=' after a key");
				break;
			}
			t.p++;
			skip_space(&t);
			if ((err = toml_value(&t, &v)) == 0)
				err = toml_set(&t, current, parts, v);
			json_decref(parts);
		}
		if (err != 0)
			break;
		skip_blank(&t, 0);
		if (t.p < t.end && *t.p != '\n' && *t.p != '\r') {
			err = toml_fail(&t, "unexpected text after a value");
			break;
		}
	}
	if (err != 0) {
		json_decref(root);
		return err;
	}
	*out = root;
	return 0;
}

/* ---- the advisories ---- */

/* Finds the ```toml block at the start; *body is what follows it. */
static int front_block(const char *what, const char *text, size_t len, const char **block, size_t *block_len,
		       const char **body)
{
	const char *open = "```toml";
	size_t n = strlen(open);
	if (len < n || memcmp(text, open, n) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: does not start with a ```toml block", what);
	const char *start = memchr(text, '\n', len);
	if (start == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: unterminated ```toml block", what);
	start++;
	for (const char *p = start; p < text + len;) {
		const char *eol = memchr(p, '\n', (size_t)(text + len - p));
		if ((size_t)(text + len - p) >= 3 && memcmp(p, "```", 3) == 0) {
			*block = start;
			*block_len = (size_t)(p - start);
			*body = eol ? eol + 1 : text + len;
			return 0;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return cairn_error_set(CAIRN_EINVAL, "%s: unterminated ```toml block", what);
}

/* The first "# " heading of the Markdown body, the advisory's title. */
static char *markdown_title(const char *body, const char *end)
{
	for (const char *p = body; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n > 2 && p[0] == '#' && p[1] == ' ')
			return strndup(p + 2, n - 2 > 300 ? 300 : n - 2);
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return NULL;
}

/* A CVSS vector as a one-entry OSV severity array, so one rating rule serves every source. */
static json_t *severity_from_vector(const char *vector)
{
	if (vector == NULL)
		return NULL;
	const char *type = strncmp(vector, "CVSS:4", 6) == 0 ? "CVSS_V4" : strncmp(vector, "CVSS:3", 6) == 0 ? "CVSS_V3" : "CVSS_V2";
	return json_pack("[{s:s,s:s}]", "type", type, "score", vector);
}

static int add_string_list(struct vuln_advisory *adv, const json_t *list, const char *what, const char *field)
{
	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"%s\" is not a list", what, field);
	size_t i;
	const json_t *entry;
	json_array_foreach(list, i, entry)
	{
		if (!json_is_string(entry))
			return cairn_error_set(CAIRN_EINVAL, "%s: \"%s\" holds something other than a string", what,
					       field);
		int err = vuln_advisory_add_alias(adv, json_string_value(entry));
		if (err != 0)
			return err;
	}
	return 0;
}

/* Appends the strings of list to arr; CAIRN_EINVAL when it is not a list of strings. */
static int append_requirements(json_t *arr, const json_t *list, const char *what, const char *field)
{
	if (list == NULL)
		return 0;
	size_t i;
	const json_t *entry;
	if (!json_is_array(list))
		return cairn_error_set(CAIRN_EINVAL, "%s: [versions] %s is not a list", what, field);
	json_array_foreach(list, i, entry)
	{
		const char *req = json_string_value(entry);
		int probe;
		if (req == NULL)
			return cairn_error_set(CAIRN_EINVAL, "%s: [versions] %s holds a non-string", what, field);
		/* Check the requirement reads, so a broken one is reported at import, not at match. */
		if (vuln_cargo_req_matches(req, "0.0.0", &probe) != 0)
			return cairn_error_prefix(CAIRN_EINVAL, "%s", what);
		json_array_append(arr, (json_t *)entry);
	}
	return 0;
}

static int rustsec_advisory(const char *what, const json_t *doc, const char *body, const char *end,
			    struct vuln_advisory *adv)
{
	const json_t *advisory = json_object_get(doc, "advisory");
	const json_t *versions = json_object_get(doc, "versions");
	const char *package = json_string_value(json_object_get(advisory, "package"));
	if (package == NULL || !json_is_object(versions))
		return cairn_error_set(CAIRN_EINVAL, "%s: RustSec advisory lacks [advisory] package or [versions]",
				       what);
	int err;
	if ((err = vuln_advisory_set(&adv->source, "rustsec")) != 0 ||
	    (err = vuln_advisory_set(&adv->modified, json_string_value(json_object_get(advisory, "date")))) != 0 ||
	    (err = add_string_list(adv, json_object_get(advisory, "aliases"), what, "aliases")) != 0)
		return err;
	adv->withdrawn = json_object_get(advisory, "withdrawn") != NULL;
	adv->summary = markdown_title(body, end);
	json_t *severity = severity_from_vector(json_string_value(json_object_get(advisory, "cvss")));
	vuln_advisory_rate(adv, severity, NULL);
	json_decref(severity);
	json_t *safe = json_array();
	if ((err = append_requirements(safe, json_object_get(versions, "patched"), what, "patched")) != 0 ||
	    (err = append_requirements(safe, json_object_get(versions, "unaffected"), what, "unaffected")) != 0) {
		json_decref(safe);
		return err;
	}
	json_t *spec = json_pack("{s:{s:s,s:o}}", "reqs", "scheme", "cargo", "safe", safe);
	return vuln_advisory_add_affected(adv, "crates.io", package, spec);
}

static int hsec_affected(const char *what, const json_t *entry, struct vuln_advisory *adv)
{
	/* A package on Hackage, or a component of GHC itself (OSV's "GHC" ecosystem). */
	const char *package = json_string_value(json_object_get(entry, "package"));
	const char *component = json_string_value(json_object_get(entry, "ghc-component"));
	const char *ecosystem = package != NULL ? "Hackage" : "GHC";
	if (package == NULL)
		package = component;
	const json_t *versions = json_object_get(entry, "versions");
	if (package == NULL || (versions != NULL && !json_is_array(versions)))
		return cairn_error_set(CAIRN_EINVAL, "%s: an [[affected]] entry lacks its package or versions", what);
	json_t *ranges = json_array();
	size_t i;
	const json_t *v;
	json_array_foreach(versions, i, v)
	{
		const char *introduced = json_string_value(json_object_get(v, "introduced"));
		const char *fixed = json_string_value(json_object_get(v, "fixed"));
		if (introduced == NULL) {
			json_decref(ranges);
			return cairn_error_set(CAIRN_EINVAL, "%s: an [[affected.versions]] entry lacks 'introduced'", what);
		}
		json_t *events = json_pack("[{s:s}]", "introduced", introduced);
		if (fixed != NULL)
			json_array_append_new(events, json_pack("{s:s}", "fixed", fixed));
		json_array_append_new(ranges, json_pack("{s:s,s:o}", "type", "ECOSYSTEM", "events", events));
	}
	if (json_array_size(ranges) == 0) {
		json_decref(ranges);
		return 0;
	}
	return vuln_advisory_add_affected(adv, ecosystem, package, json_pack("{s:o}", "ranges", ranges));
}

static int hsec_advisory(const char *what, const json_t *doc, const char *body, const char *end,
			 struct vuln_advisory *adv)
{
	const json_t *advisory = json_object_get(doc, "advisory");
	const json_t *affected = json_object_get(doc, "affected");
	int err;
	if (!json_is_array(affected))
		return cairn_error_set(CAIRN_EINVAL, "%s: HSEC advisory lacks [[affected]]", what);
	if ((err = vuln_advisory_set(&adv->source, "hsec")) != 0 ||
	    (err = vuln_advisory_set(&adv->modified, json_string_value(json_object_get(advisory, "modified")))) != 0 ||
	    (err = add_string_list(adv, json_object_get(advisory, "aliases"), what, "aliases")) != 0)
		return err;
	adv->summary = markdown_title(body, end);
	size_t i;
	const json_t *entry;
	json_array_foreach(affected, i, entry)
	{
		if ((err = hsec_affected(what, entry, adv)) != 0)
			return err;
		if (adv->score < 0) {
			json_t *severity = severity_from_vector(json_string_value(json_object_get(entry, "cvss")));
			vuln_advisory_rate(adv, severity, NULL);
			json_decref(severity);
		}
	}
	return 0;
}

int vuln_rustsec_read(const char *what, const char *text, size_t len, vuln_emit_fn emit, void *ctx)
{
	const char *block = NULL, *body = NULL;
	size_t block_len = 0;
	json_t *doc = NULL;
	struct vuln_advisory *adv = NULL;
	int err;
	if ((err = front_block(what, text, len, &block, &block_len, &body)) != 0 ||
	    (err = vuln_toml_parse(block, block_len, what, &doc)) != 0)
		return err;
	const char *id = json_string_value(json_object_get(json_object_get(doc, "advisory"), "id"));
	if (id == NULL || id[0] == '\0' || strlen(id) > VULN_MAX_ID) {
		err = cairn_error_set(CAIRN_EINVAL, "%s: [advisory] has no valid id", what);
		goto out;
	}
	if ((err = vuln_advisory_new(&adv)) != 0 || (err = vuln_advisory_set(&adv->id, id)) != 0 ||
	    (err = vuln_advisory_set(&adv->record, id)) != 0)
		goto out;
	if (json_object_get(doc, "versions") != NULL || json_object_get(json_object_get(doc, "advisory"), "package"))
		err = rustsec_advisory(what, doc, body, text + len, adv);
	else
		err = hsec_advisory(what, doc, body, text + len, adv);
	if (err == 0) {
		err = emit(ctx, adv);
		adv = NULL;
	}
out:
	vuln_advisory_free(adv);
	json_decref(doc);
	return err;
}
