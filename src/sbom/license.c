/* Licenses: metadata text to valid SPDX expressions. Known ids are written in their canonical case,
 * deprecated forms ("GPL-2.0+") become their current ids, Debian copyright-format names ("GPL-2+",
 * "Expat") map to SPDX, and anything else is kept as a LicenseRef- whose text is recorded, so no
 * license a package declares is ever dropped. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The SPDX license ids cairn recognises (a unit test checks each against the official list). */
static const char *const spdx_ids[] = {
	"0BSD", "AFL-2.1", "AFL-3.0", "AGPL-1.0-only", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.0",
	"Apache-1.1", "Apache-2.0", "APSL-2.0", "Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0", "Beerware",
	"BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause",
	"BSD-Source-Code", "BSL-1.0", "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0",
	"CC0-1.0", "CDDL-1.0", "CDDL-1.1", "CPL-1.0", "curl", "EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "FSFAP",
	"FSFUL", "FSFULLR", "FTL", "GFDL-1.1-only", "GFDL-1.1-or-later", "GFDL-1.2-only", "GFDL-1.2-or-later",
	"GFDL-1.3-only", "GFDL-1.3-or-later", "GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0-only", "GPL-2.0-or-later",
	"GPL-3.0-only", "GPL-3.0-or-later", "HPND", "ICU", "IJG", "Info-ZIP", "IPL-1.0", "ISC", "LGPL-2.0-only",
	"LGPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "Libpng",
	"libpng-2.0", "libtiff", "LPPL-1.3c", "MIT", "MIT-0", "MIT-CMU", "MPL-1.0", "MPL-1.1", "MPL-2.0", "MS-PL",
	"MS-RL", "NCSA", "NTP", "OFL-1.1", "OLDAP-2.8", "OpenSSL", "PHP-3.0", "PHP-3.01", "PostgreSQL", "PSF-2.0",
	"Python-2.0", "Ruby", "Sleepycat", "SMLNJ", "TCL", "Unicode-DFS-2015", "Unicode-DFS-2016", "Unlicense", "UPL-1.0",
	"Vim", "W3C", "WTFPL", "X11", "Zlib", "zlib-acknowledgement", "ZPL-2.1",
};
#define SPDX_ID_COUNT (sizeof spdx_ids / sizeof spdx_ids[0])

/* Exceptions that may follow WITH. */
static const char *const spdx_exceptions[] = {
	"Autoconf-exception-2.0", "Autoconf-exception-3.0", "Bison-exception-2.2", "Classpath-exception-2.0",
	"GCC-exception-2.0", "GCC-exception-3.1", "LLVM-exception", "Font-exception-2.0",
	"Libtool-exception", "Linux-syscall-note",
};

/* Deprecated SPDX ids and common spellings that have one current id. */
static const char *const aliases[][2] = {
	{"GPL-1.0", "GPL-1.0-only"},   {"GPL-1.0+", "GPL-1.0-or-later"},   {"GPL-2.0", "GPL-2.0-only"},
	{"GPL-2.0+", "GPL-2.0-or-later"}, {"GPL-3.0", "GPL-3.0-only"},   {"GPL-3.0+", "GPL-3.0-or-later"},
	{"LGPL-2.0", "LGPL-2.0-only"}, {"LGPL-2.0+", "LGPL-2.0-or-later"}, {"LGPL-2.1", "LGPL-2.1-only"},
	{"LGPL-2.1+", "LGPL-2.1-or-later"}, {"LGPL-3.0", "LGPL-3.0-only"}, {"LGPL-3.0+", "LGPL-3.0-or-later"},
	{"AGPL-3.0", "AGPL-3.0-only"}, {"AGPL-3.0+", "AGPL-3.0-or-later"}, {"GFDL-1.2", "GFDL-1.2-only"},
	{"GFDL-1.3", "GFDL-1.3-only"}, {"Expat", "MIT"},
};

/* Debian copyright-format (DEP-5) short names: name -> (exact version, "+" version). */
static const char *const dep5_names[][3] = {
	{"GPL-1", "GPL-1.0-only", "GPL-1.0-or-later"},       {"GPL-2", "GPL-2.0-only", "GPL-2.0-or-later"},
	{"GPL-3", "GPL-3.0-only", "GPL-3.0-or-later"},       {"LGPL-2", "LGPL-2.0-only", "LGPL-2.0-or-later"},
	{"LGPL-2.1", "LGPL-2.1-only", "LGPL-2.1-or-later"},  {"LGPL-3", "LGPL-3.0-only", "LGPL-3.0-or-later"},
	{"AGPL-3", "AGPL-3.0-only", "AGPL-3.0-or-later"},    {"GFDL-1.2", "GFDL-1.2-only", "GFDL-1.2-or-later"},
	{"GFDL-1.3", "GFDL-1.3-only", "GFDL-1.3-or-later"},  {"GFDL-1.1", "GFDL-1.1-only", "GFDL-1.1-or-later"},
	{"Artistic", "Artistic-1.0", NULL},                  {"Expat", "MIT", NULL},
	{"BSD-2-clause", "BSD-2-Clause", NULL},              {"BSD-3-clause", "BSD-3-Clause", NULL},
	{"BSD-4-clause", "BSD-4-Clause", NULL},              {"CC0", "CC0-1.0", NULL},
	{"Apache-2", "Apache-2.0", NULL},                    {"MPL-2", "MPL-2.0", NULL},
	{"Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later", NULL}, {"zlib", "Zlib", NULL},
};

size_t cairn_sbom_spdx_license_count(void) { return SPDX_ID_COUNT; }
const char *cairn_sbom_spdx_license_at(size_t i) { return i < SPDX_ID_COUNT ? spdx_ids[i] : NULL; }

static int word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

const char *cairn_sbom_spdx_license_id(const char *id, size_t len)
{
	for (size_t i = 0; i < SPDX_ID_COUNT; i++)
		if (word_is(id, len, spdx_ids[i]))
			return spdx_ids[i];
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (word_is(id, len, aliases[i][0]))
			return aliases[i][1];
	return NULL;
}

static const char *exception_id(const char *id, size_t len)
{
	for (size_t i = 0; i < sizeof spdx_exceptions / sizeof spdx_exceptions[0]; i++)
		if (word_is(id, len, spdx_exceptions[i]))
			return spdx_exceptions[i];
	return NULL;
}

static const char *dep5_id(const char *name, size_t len)
{
	int plus = len > 1 && name[len - 1] == '+';
	size_t base = plus ? len - 1 : len;
	for (size_t i = 0; i < sizeof dep5_names / sizeof dep5_names[0]; i++)
		if (word_is(name, base, dep5_names[i][0]))
			return plus ? dep5_names[i][2] : dep5_names[i][1];
	return plus ? NULL : cairn_sbom_spdx_license_id(name, len);
}

/* ---- expressions ---- */

struct token {
	const char *s;
	size_t len;
};

#define MAX_TOKENS 256

static size_t tokenize(const char *text, size_t len, struct token *tokens)
{
	size_t n = 0, i = 0;
	while (i < len) {
		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		if (n == MAX_TOKENS)
			return MAX_TOKENS + 1;
		size_t start = i;
		if (text[i] == '(' || text[i] == ')' || text[i] == ',')
			i++;
		else
			while (i < len && !isspace((unsigned char)text[i]) && text[i] != '(' && text[i] != ')' && text[i] != ',')
				i++;
		tokens[n++] = (struct token){text + start, i - start};
	}
	return n;
}

static int is_op(const struct token *t, const char *op) { return word_is(t->s, t->len, op); }

/* Converts one operand (a license name) to an SPDX id or LicenseRef. */
static int operand(cairn_sbom *sbom, const struct token *t, int dep5, cairn_buf *out)
{
	if (sbom == NULL)
		return 0; /* a dry run that only checks the grammar */
	if (t->len > 11 && strncmp(t->s, "LicenseRef-", 11) == 0)
		return cairn_buf_append(out, t->s, t->len);
	const char *id = dep5 ? dep5_id(t->s, t->len) : cairn_sbom_spdx_license_id(t->s, t->len);
	if (id == NULL && !dep5 && t->len > 1 && t->s[t->len - 1] == '+') {
		/* SPDX's "+" operator after a known id */
		id = cairn_sbom_spdx_license_id(t->s, t->len - 1);
		if (id != NULL) {
			int err = cairn_buf_append_str(out, id);
			return err ? err : cairn_buf_append_byte(out, '+');
		}
	}
	if (id == NULL)
		return sbom_license_ref(sbom, t->s, t->len, out);
	if (strchr(id, ' ') != NULL) { /* a name that stands for an expression */
		int err = cairn_buf_append_byte(out, '(');
		if (!err)
			err = cairn_buf_append_str(out, id);
		return err ? err : cairn_buf_append_byte(out, ')');
	}
	return cairn_buf_append_str(out, id);
}

/* Rewrites a well-formed expression token by token; returns 1 when it is not one. The grammar:
 * expr = term { (AND|OR) term }; term = "(" expr ")" | id [WITH exception]. DEP-5 separates
 * alternatives with "or", "and" and ","; "with X exception" (several words) is not SPDX and so
 * makes the whole text a LicenseRef. sbom NULL: only check. */
static int rewrite(cairn_sbom *sbom, const struct token *t, size_t n, int dep5, cairn_buf *out)
{
	int depth = 0, want_operand = 1;
	for (size_t i = 0; i < n; i++) {
		int err = 0;
		if (want_operand) {
			if (t[i].len == 1 && t[i].s[0] == '(') {
				if (++depth > 16)
					return 1;
				err = cairn_buf_append_byte(out, '(');
			} else if ((t[i].len == 1 && (t[i].s[0] == ')' || t[i].s[0] == ',')) || is_op(&t[i], "AND") ||
				   is_op(&t[i], "OR") || is_op(&t[i], "WITH")) {
				return 1;
			} else {
				err = operand(sbom, &t[i], dep5, out);
				want_operand = 0;
				if (!err && i + 2 < n + 1 && i + 1 < n && is_op(&t[i + 1], "WITH")) {
					const char *ex = i + 2 < n ? exception_id(t[i + 2].s, t[i + 2].len) : NULL;
					if (ex == NULL)
						return 1;
					err = cairn_buf_printf(out, " WITH %s", ex);
					i += 2;
				}
			}
		} else {
			if (t[i].len == 1 && t[i].s[0] == ')') {
				if (--depth < 0)
					return 1;
				err = cairn_buf_append_byte(out, ')');
			} else if (is_op(&t[i], "AND") || (dep5 && t[i].len == 1 && t[i].s[0] == ',')) {
				err = cairn_buf_append_str(out, " AND ");
				want_operand = 1;
			} else if (is_op(&t[i], "OR")) {
				err = cairn_buf_append_str(out, " OR ");
				want_operand = 1;
			} else {
				return 1;
			}
		}
		if (err)
			return err;
	}
	return (want_operand || depth != 0) ? 1 : 0;
}

int cairn_sbom_add_license(cairn_sbom *sbom, cairn_sbom_package *pkg, const char *text, int dep5)
{
	size_t len = strlen(text);
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	if (len == 0)
		return 0;
	struct token tokens[MAX_TOKENS];
	size_t n = tokenize(text, len, tokens);
	cairn_buf expr = CAIRN_BUF_INIT;
	/* check the grammar first, so a text that is no expression registers no partial LicenseRefs */
	int err = n <= MAX_TOKENS ? rewrite(NULL, tokens, n, dep5, &expr) : 1;
	cairn_buf_clear(&expr);
	if (err == 0)
		err = rewrite(sbom, tokens, n, dep5, &expr);
	if (err == 1) { /* not an expression: keep the whole text as one named license */
		cairn_buf_clear(&expr);
		err = sbom_license_ref(sbom, text, len, &expr);
	}
	if (!err) {
		/* Several licenses on one package are ANDed by the writers: parenthesise ORs now. */
		const char *e = cairn_buf_cstr(&expr);
		if (strstr(e, " OR ") != NULL || strstr(e, " AND ") != NULL) {
			cairn_buf wrapped = CAIRN_BUF_INIT;
			err = cairn_buf_printf(&wrapped, "(%s)", e);
			if (!err)
				err = sbom_package_add_expression(pkg, cairn_buf_cstr(&wrapped));
			cairn_buf_free(&wrapped);
		} else {
			err = sbom_package_add_expression(pkg, e);
		}
	}
	cairn_buf_free(&expr);
	return err;
}
