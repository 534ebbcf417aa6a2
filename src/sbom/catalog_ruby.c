/* Ruby: installed gems (specifications/NAME-VERSION.gemspec) and Bundler's Gemfile.lock.
 *
 * An installed gem's specification is Ruby source that RubyGems writes with Gem::Specification#to_ruby
 * ("Gem::Specification.new do |s| s.name = "rake".freeze ... end"). It is never executed here: a small
 * lexer reads Ruby's literals (strings in "", '' and %q<> forms, arrays, Gem::Version.new("1.0")) and
 * only statements of the form `VAR.attr = value` and `VAR.add_runtime_dependency(...)` on the block's
 * variable are understood; everything else is skipped. A value that would need evaluation (a string
 * with #{} interpolation, a constant) is not guessed: a name or version like that leaves the gem out
 * with a warning. Runtime dependencies (add_runtime_dependency, and add_dependency outside the
 * fallback branch RubyGems writes for older versions of itself, which repeats development
 * dependencies as add_dependency) resolve by name to installed gems: one in the same specifications
 * directory first, else any. Development dependencies are left out.
 *
 * Gemfile.lock (Bundler's lockfile, also named gems.locked): sections GEM, GIT, PATH and PLUGIN SOURCE
 * hold "  specs:" followed by four-space "name (version)" lines, each with its dependencies as
 * six-space lines below it; a version may carry a platform after its first '-' ("nokogiri
 * (1.15.0-x86_64-linux)"), which becomes the purl's platform qualifier. Dependencies resolve by name
 * within the lockfile, to every platform variant of the gem listed. A locked gem that is also
 * installed (same name, version and platform) is one package with both locations.
 *
 * A gemspec that a distribution package lists among its files (Debian's ruby-* packages) is linked
 * to that package by CONTAINS. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define GEM_MAX_SPEC ((uint64_t)1024 * 1024)       /* one .gemspec */
#define GEM_MAX_LOCK ((uint64_t)16 * 1024 * 1024)  /* one Gemfile.lock */
#define GEM_MAX_TOKENS 4096                        /* tokens of one statement; longer ones are skipped */
#define GEM_MAX_LIST 256                           /* licenses, authors, dependencies of one gem */
#define GEM_MAX_NAME 256                           /* a gem name or version */
#define GEM_MAX_LOCK_SPECS 100000                  /* specs of one lockfile */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ".../specifications/X.gemspec" or ".../specifications/default/X.gemspec" (default gems). */
static int is_gemspec(const char *path)
{
	if (!ends_with(path, ".gemspec"))
		return 0;
	size_t dir = (size_t)(base_name(path) - path);
	static const char spec[] = "specifications/", def[] = "specifications/default/";
	for (int i = 0; i < 2; i++) {
		const char *want = i ? def : spec;
		size_t n = strlen(want);
		if (dir >= n && memcmp(path + dir - n, want, n) == 0 && (dir == n || path[dir - n - 1] == '/'))
			return 1;
	}
	return 0;
}

static int is_lockfile(const char *path)
{
	const char *b = base_name(path);
	return strcmp(b, "Gemfile.lock") == 0 || strcmp(b, "gems.locked") == 0;
}

int sbom_ruby_wants(const char *path, uint64_t size)
{
	if (is_gemspec(path))
		return size <= GEM_MAX_SPEC;
	if (is_lockfile(path))
		return size <= GEM_MAX_LOCK;
	return 0;
}

/* RubyGems' own rules: names of letters, digits, '.', '-', '_'; versions of letters, digits and '.'
 * (a '-' in a version means a prerelease, so it is allowed there too). */
static int valid_word(const char *s, size_t len, const char *extra)
{
	if (len == 0 || len > GEM_MAX_NAME)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	return 1;
}

static int oom(void) { return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory"); }

/* ---- the shared state: gems found so far ---- */

struct gem {
	size_t package;
	char *dir;     /* the specifications directory (gemspecs) or the lockfile's path */
	char **deps;   /* dependency names */
	size_t dep_count;
	int locked;    /* from a lockfile: dependencies resolve inside it */
};

struct ruby_state {
	cairn_sbom *sbom;
	const cairn_tree *tree;
	char *const *layers;
	size_t layer_count;
	struct gem *gems;
	size_t count, cap;
	sbom_name_index *installed; /* "name\nversion\nplatform" -> installed gem's package */
};

static void state_free(struct ruby_state *st)
{
	for (size_t i = 0; i < st->count; i++) {
		free(st->gems[i].dir);
		for (size_t d = 0; d < st->gems[i].dep_count; d++)
			free(st->gems[i].deps[d]);
		free(st->gems[i].deps);
	}
	free(st->gems);
	sbom_name_index_free(st->installed);
}

/* A string list with a cap (more is hostile; the first ones are kept). */
struct list {
	char **items;
	size_t count, cap;
};

static int list_push(struct list *l, const char *s, size_t len)
{
	if (l->count >= GEM_MAX_LIST)
		return 0;
	for (size_t i = 0; i < l->count; i++) /* a gemspec names a dependency twice: if/else branches */
		if (strlen(l->items[i]) == len && memcmp(l->items[i], s, len) == 0)
			return 0;
	int err = sbom_grow(&l->items, &l->cap, l->count, sizeof *l->items);
	char *copy = err ? NULL : strndup(s, len);
	if (!err && copy == NULL)
		err = oom();
	if (!err)
		l->items[l->count++] = copy;
	return err;
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static int installed_key(cairn_buf *key, const char *name, const char *version, const char *platform)
{
	cairn_buf_clear(key);
	return cairn_buf_printf(key, "%s\n%s\n%s", name, version, platform ? platform : "");
}

/* Adds a gem package with its purl (platform as a qualifier, "ruby" being the default platform). */
static int add_gem(struct ruby_state *st, const char *name, const char *version, const char *platform,
		   const char *layer, const char *location, size_t *index)
{
	if (platform != NULL && (platform[0] == '\0' || strcmp(platform, "ruby") == 0))
		platform = NULL;
	cairn_buf purl = CAIRN_BUF_INIT;
	cairn_purl_qualifier q = {"platform", platform};
	int err = cairn_sbom_add_package(st->sbom, "gem", name, version, index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(st->sbom, *index);
	if (!err)
		err = cairn_sbom_add_location(p, layer, location);
	if (!err)
		err = cairn_purl_build(&purl, "gem", NULL, name, version, &q, platform ? 1 : 0, NULL);
	if (!err)
		err = cairn_sbom_set(&p->purl, cairn_buf_cstr(&purl));
	cairn_buf_free(&purl);
	return err;
}

/* Records a gem's dependency names for resolution at the end; takes the list's items. */
static int remember(struct ruby_state *st, size_t package, const char *dir, struct list *deps, int locked)
{
	int err = sbom_grow(&st->gems, &st->cap, st->count, sizeof *st->gems);
	char *copy = err ? NULL : strdup(dir);
	if (!err && copy == NULL)
		err = oom();
	if (err)
		return err;
	st->gems[st->count++] = (struct gem){package, copy, deps->items, deps->count, locked};
	memset(deps, 0, sizeof *deps);
	return 0;
}

/* ---- a lexer for the Ruby a gemspec is written in ---- */

enum tok_kind { T_IDENT = 1, T_STR, T_DYNAMIC, T_PUNCT, T_SYMBOL, T_OTHER };

struct token {
	enum tok_kind kind;
	char c;          /* T_PUNCT: the character ('C' for "::") */
	char *text;      /* T_IDENT, T_STR, T_SYMBOL: the identifier, the string's value, the symbol's name (owned) */
	size_t len;
};

struct lexer {
	const char *s, *end;
	char heredoc[64]; /* a pending heredoc's terminator, skipped at the next line end */
	int heredoc_pending;
};

/* Appends one (possibly escaped) character of a double-quoted string. */
static const char *dq_escape(const char *s, const char *end, cairn_buf *out, int *err)
{
	(void)end;
	char c = *s++;
	switch (c) {
	case 'n': *err = cairn_buf_append_byte(out, '\n'); break;
	case 't': *err = cairn_buf_append_byte(out, '\t'); break;
	case 's': *err = cairn_buf_append_byte(out, ' '); break;
	case '0': *err = cairn_buf_append_byte(out, '?'); break; /* a NUL has no place in a name */
	default: *err = cairn_buf_append_byte(out, (uint8_t)c); break;
	}
	return s;
}

/* A quoted string starting after its opening delimiter; close is the closing one and open the
 * opening one when they nest (%q<...>). interp: #{} makes the value dynamic. Returns the position
 * after the close, or end when unterminated (then *kind is T_OTHER). */
static const char *lex_string(const char *s, const char *end, char open, char close, int interp, int escapes_all,
			      cairn_buf *out, enum tok_kind *kind, int *err)
{
	int depth = 0;
	*kind = T_STR;
	while (s < end && !*err) {
		char c = *s;
		if (c == '\\' && s + 1 < end) {
			if (escapes_all) {
				s = dq_escape(s + 1, end, out, err);
			} else { /* single quotes: only \\ and \<delimiter> are escapes */
				char n = s[1];
				if (n == '\\' || n == close || (open && n == open)) {
					*err = cairn_buf_append_byte(out, (uint8_t)n);
					s += 2;
				} else {
					*err = cairn_buf_append_byte(out, '\\');
					s++;
				}
			}
			continue;
		}
		if (interp && c == '#' && s + 1 < end && s[1] == '{')
			*kind = T_DYNAMIC;
		if (open && c == open)
			depth++;
		else if (c == close && depth-- == 0)
			return s + 1;
		*err = cairn_buf_append_byte(out, (uint8_t)c);
		s++;
	}
	*kind = T_OTHER;
	return end;
}

static char closing_of(char c)
{
	switch (c) {
	case '<': return '>';
	case '(': return ')';
	case '[': return ']';
	case '{': return '}';
	default: return c;
	}
}

/* Skips a heredoc body: the lines up to one that is its terminator (indented or not). */
static void skip_heredoc(struct lexer *lx)
{
	size_t n = strlen(lx->heredoc);
	lx->heredoc_pending = 0;
	while (lx->s < lx->end) {
		const char *nl = memchr(lx->s, '\n', (size_t)(lx->end - lx->s));
		const char *line = lx->s, *le = nl ? nl : lx->end;
		lx->s = nl ? nl + 1 : lx->end;
		while (line < le && (*line == ' ' || *line == '\t'))
			line++;
		if (le > line && le[-1] == '\r')
			le--;
		if ((size_t)(le - line) == n && memcmp(line, lx->heredoc, n) == 0)
			return;
	}
}

/* The next token; 0 at the end of a statement (a line end outside brackets, or ';'), 1 for a token,
 * 2 at the end of the text, or a negative error code. */
static int lex(struct lexer *lx, struct token *t, int depth, cairn_buf *str)
{
	memset(t, 0, sizeof *t);
	for (;;) {
		if (lx->s >= lx->end)
			return 2;
		char c = *lx->s;
		if (c == ' ' || c == '\t' || c == '\r' || (c == '\\' && lx->s + 1 < lx->end && lx->s[1] == '\n')) {
			lx->s += c == '\\' ? 2 : 1;
		} else if (c == '#') { /* a comment, to the line end (NUL bytes included: RubyGems writes them there) */
			const char *nl = memchr(lx->s, '\n', (size_t)(lx->end - lx->s));
			lx->s = nl ? nl : lx->end;
		} else if (c == '\n') {
			lx->s++;
			if (lx->heredoc_pending)
				skip_heredoc(lx);
			if (depth == 0)
				return 0;
		} else if (c == ';') {
			lx->s++;
			return 0;
		} else {
			break;
		}
	}
	const char *s = lx->s, *end = lx->end;
	char c = *s;
	int err = 0;
	cairn_buf_clear(str);
	if (isalpha((unsigned char)c) || c == '_') {
		const char *e = s;
		while (e < end && (isalnum((unsigned char)*e) || *e == '_'))
			e++;
		if (e < end && (*e == '?' || *e == '!'))
			e++;
		t->kind = T_IDENT;
		err = cairn_buf_append(str, s, (size_t)(e - s));
		lx->s = e;
	} else if (c == '"' || c == '\'' || c == '`') {
		lx->s = lex_string(s + 1, end, 0, c, c != '\'', c != '\'', str, &t->kind, &err);
	} else if (c == '%' && s + 2 < end && (s[1] == 'q' || s[1] == 'Q') && !isalnum((unsigned char)s[2])) {
		char open = s[2], close = closing_of(open);
		lx->s = lex_string(s + 3, end, close != open ? open : 0, close, s[1] == 'Q', s[1] == 'Q', str, &t->kind, &err);
	} else if (c == '%' && s + 2 < end && strchr("wWiI", s[1]) && !isalnum((unsigned char)s[2])) {
		char open = s[2], close = closing_of(open); /* a word list: skipped, not read */
		lx->s = lex_string(s + 3, end, close != open ? open : 0, close, 0, 0, str, &t->kind, &err);
		t->kind = T_OTHER;
	} else if (c == '<' && s + 2 < end && s[1] == '<' && (s[2] == '~' || s[2] == '-' || isupper((unsigned char)s[2]))) {
		/* a heredoc: <<~EOS, <<-EOS or <<EOS (quoted terminators too); its body follows the line */
		const char *p = s + 2 + (s[2] == '~' || s[2] == '-');
		char quote = (p < end && (*p == '\'' || *p == '"')) ? *p++ : 0;
		size_t n = 0;
		while (p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof lx->heredoc - 1)
			n++;
		memcpy(lx->heredoc, p, n);
		lx->heredoc[n] = '\0';
		lx->heredoc_pending = n > 0;
		lx->s = p + n + (quote && p + n < end && p[n] == quote);
		t->kind = T_DYNAMIC;
	} else if (c == ':' && s + 1 < end && s[1] == ':') {
		t->kind = T_PUNCT;
		t->c = 'C';
		lx->s = s + 2;
	} else if (c == ':' && s + 1 < end && (isalpha((unsigned char)s[1]) || s[1] == '_')) {
		const char *e = s + 1; /* a symbol */
		while (e < end && (isalnum((unsigned char)*e) || *e == '_' || *e == '?' || *e == '=' || *e == '!'))
			e++;
		t->kind = T_SYMBOL;
		err = cairn_buf_append(str, s + 1, (size_t)(e - s - 1));
		lx->s = e;
	} else if (isdigit((unsigned char)c)) {
		const char *e = s;
		while (e < end && (isalnum((unsigned char)*e) || *e == '_' || *e == '.'))
			e++;
		t->kind = T_OTHER;
		lx->s = e;
	} else {
		t->kind = T_PUNCT;
		t->c = c;
		lx->s = s + 1;
	}
	if (err)
		return err;
	if (t->kind == T_IDENT || t->kind == T_STR || t->kind == T_SYMBOL) {
		t->len = str->len;
		t->text = strndup((const char *)(str->data ? str->data : (const uint8_t *)""), str->len);
		if (t->text == NULL)
			return oom();
	}
	return 1;
}

/* ---- gemspec statements ---- */

struct gemspec {
	char *var; /* the block's variable: "s", "spec" */
	char *name, *version, *platform;
	struct list licenses, authors, deps;
	int dynamic_name, dynamic_version;
	/* RubyGems writes "if s.respond_to? :add_runtime_dependency then ... else ... end": the else
	 * branch, for RubyGems too old to know runtime dependencies, lists development ones with
	 * add_dependency too. 1 in the then branch, 2 in the else branch (whose dependencies are skipped). */
	int fallback;
};

static void gemspec_free(struct gemspec *g)
{
	free(g->var);
	free(g->name);
	free(g->version);
	free(g->platform);
	list_free(&g->licenses);
	list_free(&g->authors);
	list_free(&g->deps);
}

static int is_ident(const struct token *t, size_t i, size_t n, const char *word)
{
	return i < n && t[i].kind == T_IDENT && strcmp(t[i].text, word) == 0;
}

static int is_punct(const struct token *t, size_t i, size_t n, char c)
{
	return i < n && t[i].kind == T_PUNCT && t[i].c == c;
}

/* A string value at t[*i]: "x", "x".freeze, Gem::Version.new("x"), Gem::Platform.new("x"). Returns
 * 1 and the token's text in *out, 0 when it is something else (*dynamic set when it is a string
 * that needs evaluation). Moves *i past it. */
static int string_value(const struct token *t, size_t *i, size_t n, const char **out, int *dynamic)
{
	size_t k = *i;
	if (is_ident(t, k, n, "Gem") && is_punct(t, k + 1, n, 'C') && (is_ident(t, k + 2, n, "Version") || is_ident(t, k + 2, n, "Platform")) &&
	    is_punct(t, k + 3, n, '.') && is_ident(t, k + 4, n, "new") && is_punct(t, k + 5, n, '(')) {
		size_t j = k + 6; /* a plain string inside, maybe frozen */
		if (j >= n || t[j].kind != T_STR)
			return 0;
		*out = t[j].text;
		j++;
		if (is_punct(t, j, n, '.') && is_ident(t, j + 1, n, "freeze"))
			j += 2;
		if (!is_punct(t, j, n, ')'))
			return 0;
		*i = j + 1;
		return 1;
	}
	if (k < n && t[k].kind == T_DYNAMIC)
		*dynamic = 1;
	if (k >= n || t[k].kind != T_STR)
		return 0;
	*out = t[k].text;
	k++;
	if (is_punct(t, k, n, '.') && (is_ident(t, k + 1, n, "freeze") || is_ident(t, k + 1, n, "dup")))
		k += 2;
	*i = k;
	return 1;
}

/* A string or an array of strings (nil items skipped) into list. */
static int list_value(const struct token *t, size_t i, size_t n, struct list *l)
{
	const char *v;
	int dynamic = 0, err = 0;
	if (!is_punct(t, i, n, '[')) {
		if (string_value(t, &i, n, &v, &dynamic) && v[0] != '\0')
			err = list_push(l, v, strlen(v));
		return err;
	}
	for (i++; !err && i < n && !is_punct(t, i, n, ']');) {
		if (string_value(t, &i, n, &v, &dynamic)) {
			if (v[0] != '\0')
				err = list_push(l, v, strlen(v));
		} else if (is_ident(t, i, n, "nil") || is_punct(t, i, n, ',')) {
			i++;
		} else {
			break; /* not a plain list: what was read so far is kept */
		}
	}
	return err;
}

static int set_string(char **field, int *dynamic_flag, const struct token *t, size_t i, size_t n)
{
	const char *v;
	int dynamic = 0;
	if (*field != NULL)
		return 0; /* the first assignment counts */
	if (!string_value(t, &i, n, &v, &dynamic)) {
		if (dynamic_flag)
			*dynamic_flag |= dynamic;
		return 0;
	}
	*field = strdup(v);
	return *field ? 0 : oom();
}

/* One statement: the block's opening, or VAR.attr = value, or VAR.add_*dependency(...). */
static int gemspec_statement(struct gemspec *g, const struct token *t, size_t n)
{
	size_t i = 0;
	if (g->var == NULL) {
		/* Gem::Specification.new [(...)] do |VAR|  or  { |VAR| */
		for (; i + 4 < n; i++)
			if (is_ident(t, i, n, "Gem") && is_punct(t, i + 1, n, 'C') && is_ident(t, i + 2, n, "Specification") &&
			    is_punct(t, i + 3, n, '.') && is_ident(t, i + 4, n, "new"))
				break;
		if (i + 4 >= n)
			return 0;
		i += 5;
		if (is_punct(t, i, n, '(')) {
			while (i < n && !is_punct(t, i, n, ')'))
				i++;
			i++;
		}
		if (!(is_ident(t, i, n, "do") || is_punct(t, i, n, '{')) || !is_punct(t, i + 1, n, '|') || i + 2 >= n ||
		    t[i + 2].kind != T_IDENT || !is_punct(t, i + 3, n, '|'))
			return 0;
		if ((g->var = strdup(t[i + 2].text)) == NULL)
			return oom();
		i += 4; /* the block may go on on the same line */
	}
	if (is_ident(t, i, n, "if")) {
		for (size_t k = i; k < n; k++)
			if (t[k].kind == T_SYMBOL && strcmp(t[k].text, "add_runtime_dependency") == 0)
				g->fallback = 1;
		return 0;
	}
	if (is_ident(t, i, n, "else") && g->fallback == 1) {
		g->fallback = 2;
		i++;
	} else if (is_ident(t, i, n, "end") && g->fallback) {
		g->fallback = 0;
		return 0;
	}
	if (!is_ident(t, i, n, g->var) || !is_punct(t, i + 1, n, '.') || i + 2 >= n || t[i + 2].kind != T_IDENT)
		return 0;
	const char *attr = t[i + 2].text;
	i += 3;
	if (is_punct(t, i, n, '=') && !is_punct(t, i + 1, n, '=')) {
		i++;
		if (strcmp(attr, "name") == 0)
			return set_string(&g->name, &g->dynamic_name, t, i, n);
		if (strcmp(attr, "version") == 0)
			return set_string(&g->version, &g->dynamic_version, t, i, n);
		if (strcmp(attr, "platform") == 0)
			return set_string(&g->platform, NULL, t, i, n);
		if (strcmp(attr, "license") == 0 || strcmp(attr, "licenses") == 0)
			return list_value(t, i, n, &g->licenses);
		if (strcmp(attr, "author") == 0 || strcmp(attr, "authors") == 0)
			return list_value(t, i, n, &g->authors);
		return 0;
	}
	if (strcmp(attr, "add_runtime_dependency") == 0 || (strcmp(attr, "add_dependency") == 0 && g->fallback != 2)) {
		const char *v;
		int dynamic = 0;
		if (is_punct(t, i, n, '('))
			i++;
		if (string_value(t, &i, n, &v, &dynamic) && valid_word(v, strlen(v), "._-"))
			return list_push(&g->deps, v, strlen(v));
	}
	return 0;
}

static void tokens_free(struct token *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].text);
}

/* Reads every statement of the text into g. */
static int gemspec_read(struct gemspec *g, const char *text, size_t len)
{
	struct lexer lx = {text, text + len, {0}, 0};
	struct token *toks = calloc(GEM_MAX_TOKENS, sizeof *toks);
	cairn_buf str = CAIRN_BUF_INIT;
	if (toks == NULL)
		return oom();
	size_t n = 0;
	int depth = 0, err = 0, r;
	do {
		struct token t;
		r = lex(&lx, &t, depth, &str);
		if (r < 0) {
			err = r;
			break;
		}
		if (r == 1) {
			if (t.kind == T_PUNCT && (t.c == '(' || t.c == '[' || t.c == '{') && depth < 64)
				depth++;
			else if (t.kind == T_PUNCT && (t.c == ')' || t.c == ']' || t.c == '}') && depth > 0)
				depth--;
			if (n < GEM_MAX_TOKENS)
				toks[n++] = t;
			else
				free(t.text);
			continue;
		}
		/* end of a statement (or of the text) */
		if (n < GEM_MAX_TOKENS)
			err = gemspec_statement(g, toks, n);
		tokens_free(toks, n);
		n = 0;
		depth = 0;
	} while (!err && r != 2);
	tokens_free(toks, n);
	free(toks);
	cairn_buf_free(&str);
	return err;
}

/* Licenses: RubyGems does not say how several combine; gems list several when they are offered
 * under a choice of them (Ruby's own "Ruby" or "BSD-2-Clause"), so single ids are joined with OR.
 * Free text is added as it is. */
static int add_licenses(cairn_sbom *sbom, cairn_sbom_package *p, const struct list *l)
{
	if (l->count == 0)
		return 0;
	int simple = 1;
	for (size_t i = 0; i < l->count; i++)
		simple &= strcspn(l->items[i], " \t()") == strlen(l->items[i]) && strlen(l->items[i]) <= 64;
	if (!simple || l->count == 1) {
		int err = 0;
		for (size_t i = 0; !err && i < l->count; i++)
			if (strlen(l->items[i]) <= 1000)
				err = cairn_sbom_add_license(sbom, p, l->items[i], 0);
		return err;
	}
	cairn_buf expr = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < l->count; i++)
		err = cairn_buf_printf(&expr, "%s%s", i ? " OR " : "", l->items[i]);
	if (!err)
		err = cairn_sbom_add_license(sbom, p, cairn_buf_cstr(&expr), 0);
	cairn_buf_free(&expr);
	return err;
}

static int add_supplier(cairn_sbom_package *p, const struct list *authors)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < authors->count && text.len < 1000; i++)
		if (authors->items[i][0] != '\0' && strchr(authors->items[i], '\n') == NULL)
			err = cairn_buf_printf(&text, "%s%s", text.len ? ", " : "", authors->items[i]);
	if (!err && text.len > 0)
		err = cairn_sbom_set(&p->supplier, cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

static int parse_gemspec(struct ruby_state *st, const char *text, size_t len, const char *path, const char *layer)
{
	struct gemspec g;
	memset(&g, 0, sizeof g);
	int err = gemspec_read(&g, text, len);
	if (err)
		goto out;
	if (g.var == NULL) {
		cairn_sbom_warn(st->sbom, "%s: no Gem::Specification.new block; the gem is left out", path);
		goto out;
	}
	if (g.name == NULL || !valid_word(g.name, strlen(g.name), "._-")) {
		cairn_sbom_warn(st->sbom, "%s: %s; the gem is left out", path,
				g.name ? "the name is not a gem name" : g.dynamic_name ? "the name needs evaluating Ruby" : "no name");
		goto out;
	}
	if (g.version == NULL || !valid_word(g.version, strlen(g.version), ".-")) {
		cairn_sbom_warn(st->sbom, "%s: %s; the gem is left out", path,
				g.version ? "the version is not a gem version" : g.dynamic_version ? "the version needs evaluating Ruby" : "no version");
		goto out;
	}
	if (g.platform != NULL && (!valid_word(g.platform, strlen(g.platform), "._-") || strcmp(g.platform, "ruby") == 0)) {
		free(g.platform);
		g.platform = NULL;
	}
	size_t index;
	cairn_buf key = CAIRN_BUF_INIT;
	err = add_gem(st, g.name, g.version, g.platform, layer, path, &index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(st->sbom, index);
	if (!err)
		err = add_licenses(st->sbom, p, &g.licenses);
	if (!err)
		err = add_supplier(p, &g.authors);
	if (!err)
		err = installed_key(&key, g.name, g.version, g.platform);
	if (!err)
		err = sbom_name_index_add(st->installed, (const char *)key.data, key.len, index, 0);
	cairn_buf_free(&key);
	char *dir = strndup(path, (size_t)(base_name(path) - path));
	if (!err && dir == NULL)
		err = oom();
	if (!err)
		err = remember(st, index, dir, &g.deps, 0);
	free(dir);
out:
	gemspec_free(&g);
	return err;
}

/* ---- Gemfile.lock ---- */

struct lock_spec {
	char *name;
	char *version;
	char *platform;
	struct list deps;
};

static void lock_spec_clear(struct lock_spec *s)
{
	free(s->name);
	free(s->version);
	free(s->platform);
	list_free(&s->deps);
	memset(s, 0, sizeof *s);
}

/* "name (version[-platform])" as Bundler writes it; 1 when the line is not that. */
static int split_spec(const char *s, size_t len, struct lock_spec *out)
{
	const char *open = memchr(s, '(', len);
	if (open == NULL || open == s || open[-1] != ' ' || s[len - 1] != ')')
		return 1;
	size_t name_len = (size_t)(open - 1 - s);
	const char *v = open + 1, *vend = s + len - 1;
	const char *dash = memchr(v, '-', (size_t)(vend - v));
	size_t vl = (size_t)((dash ? dash : vend) - v);
	if (!valid_word(s, name_len, "._-") || !valid_word(v, vl, ".") ||
	    (dash && !valid_word(dash + 1, (size_t)(vend - dash - 1), "._-")))
		return 1;
	out->name = strndup(s, name_len);
	out->version = strndup(v, vl);
	out->platform = dash ? strndup(dash + 1, (size_t)(vend - dash - 1)) : NULL;
	if (out->name == NULL || out->version == NULL || (dash && out->platform == NULL))
		return oom();
	return 0;
}

struct lock_state {
	struct ruby_state *st;
	const char *path, *layer;
	sbom_name_index *seen; /* "name\nversion\nplatform" of this lockfile */
	size_t specs;
};

static int lock_spec_end(struct lock_state *ls, struct lock_spec *s)
{
	if (s->name == NULL)
		return 0;
	struct ruby_state *st = ls->st;
	cairn_buf key = CAIRN_BUF_INIT;
	size_t index;
	int err = installed_key(&key, s->name, s->version, s->platform);
	if (!err && sbom_name_index_find(ls->seen, (const char *)key.data, key.len, &index) == 0)
		goto out; /* listed twice (a GIT source and GEM): one package */
	if (!err && ++ls->specs > GEM_MAX_LOCK_SPECS) {
		if (ls->specs == GEM_MAX_LOCK_SPECS + 1)
			cairn_sbom_warn(st->sbom, "%s: more than %d gems; the rest are left out", ls->path, GEM_MAX_LOCK_SPECS);
		goto out;
	}
	if (!err && sbom_name_index_find(st->installed, (const char *)key.data, key.len, &index) == 0) {
		/* installed too: the same gem, found in one more place */
		err = cairn_sbom_add_location(cairn_sbom_package_at(st->sbom, index), ls->layer, ls->path);
	} else if (!err) {
		err = add_gem(st, s->name, s->version, s->platform, ls->layer, ls->path, &index);
	}
	if (!err)
		err = sbom_name_index_add(ls->seen, (const char *)key.data, key.len, index, 0);
	if (!err)
		err = remember(st, index, ls->path, &s->deps, 1);
out:
	cairn_buf_free(&key);
	return err;
}

static int parse_lock(struct ruby_state *st, const char *text, size_t len, const char *path, const char *layer)
{
	struct lock_state ls = {st, path, layer, NULL, 0};
	struct lock_spec spec;
	memset(&spec, 0, sizeof spec);
	int err = sbom_name_index_new(&ls.seen);
	const char *s = text, *end = text + len;
	size_t line = 0;
	int in_source = 0, in_specs = 0;
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s), indent = 0;
		if (l > 0 && s[l - 1] == '\r')
			l--;
		line++;
		if (memchr(s, '\0', l) != NULL) {
			cairn_sbom_warn(st->sbom, "%s: line %zu: a NUL byte; the rest is not read", path, line);
			break;
		}
		while (indent < l && s[indent] == ' ')
			indent++;
		const char *v = s + indent;
		size_t vl = l - indent;
		if (vl == 0) {
			/* blank */
		} else if (indent == 0) { /* a section: only sources hold specs */
			err = lock_spec_end(&ls, &spec);
			lock_spec_clear(&spec);
			in_source = (vl == 3 && memcmp(v, "GEM", 3) == 0) || (vl == 3 && memcmp(v, "GIT", 3) == 0) ||
				    (vl == 4 && memcmp(v, "PATH", 4) == 0) || (vl == 13 && memcmp(v, "PLUGIN SOURCE", 13) == 0);
			in_specs = 0;
		} else if (in_source && indent == 2) {
			err = lock_spec_end(&ls, &spec);
			lock_spec_clear(&spec);
			in_specs = vl == 6 && memcmp(v, "specs:", 6) == 0;
		} else if (in_specs && indent == 4) {
			err = lock_spec_end(&ls, &spec);
			lock_spec_clear(&spec);
			if (!err && (err = split_spec(v, vl, &spec)) == 1) {
				cairn_sbom_warn(st->sbom, "%s: line %zu: not 'name (version)'; skipped", path, line);
				lock_spec_clear(&spec);
				err = 0;
			}
		} else if (in_specs && indent == 6 && spec.name != NULL) {
			size_t n = 0; /* "name" or "name (requirements)" */
			while (n < vl && v[n] != ' ' && v[n] != '!')
				n++;
			if (valid_word(v, n, "._-"))
				err = list_push(&spec.deps, v, n);
		}
		s = nl ? nl + 1 : end;
	}
	if (!err)
		err = lock_spec_end(&ls, &spec);
	lock_spec_clear(&spec);
	sbom_name_index_free(ls.seen);
	return err;
}

/* ---- resolution and ownership ---- */

static int gem_key(cairn_buf *key, const char *scope, const char *name, int n)
{
	cairn_buf_clear(key);
	return cairn_buf_printf(key, "%s\n%s\n%d", scope, name, n);
}

/* Dependencies by name: a lockfile's to every gem of that name it lists (its platform variants);
 * an installed gem's to one in its own specifications directory, else to any installed one. */
static int resolve(struct ruby_state *st)
{
	sbom_name_index *index;
	cairn_buf key = CAIRN_BUF_INIT;
	int err = sbom_name_index_new(&index);
	/* keys "scope\nname\nk": the k-th gem of that name in scope (a lockfile, a directory, or "" for all installed) */
	for (size_t i = 0; !err && i < st->count; i++) {
		const char *name = cairn_sbom_package_at(st->sbom, st->gems[i].package)->name;
		for (int pass = 0; !err && pass < (st->gems[i].locked ? 1 : 2); pass++) {
			const char *scope = pass ? "" : st->gems[i].dir;
			size_t found;
			int k = 0;
			while (!err && k < 64 && (err = gem_key(&key, scope, name, k)) == 0 &&
			       sbom_name_index_find(index, (const char *)key.data, key.len, &found) == 0 && found != st->gems[i].package)
				k++;
			if (!err && k < 64)
				err = sbom_name_index_add(index, (const char *)key.data, key.len, st->gems[i].package, 0);
		}
	}
	for (size_t i = 0; !err && i < st->count; i++) {
		const struct gem *g = &st->gems[i];
		for (size_t d = 0; !err && d < g->dep_count; d++) {
			size_t to;
			int linked = 0;
			for (int pass = 0; !err && !linked && pass < (g->locked ? 1 : 2); pass++)
				for (int k = 0; !err && k < 64; k++) {
					err = gem_key(&key, pass ? "" : g->dir, g->deps[d], k);
					if (err || sbom_name_index_find(index, (const char *)key.data, key.len, &to) != 0)
						break;
					if (to != g->package)
						err = cairn_sbom_add_relationship(st->sbom, g->package, to, CAIRN_SBOM_REL_DEPENDS_ON);
					linked = 1;
					if (!g->locked)
						break; /* an installed gem: one is enough */
				}
		}
	}
	sbom_name_index_free(index);
	cairn_buf_free(&key);
	return err;
}

static int ends_gemspec(const char *path) { return ends_with(path, ".gemspec"); }

/* An OS package whose file list holds a gemspec CONTAINS that gem. */
static int link_owners(struct ruby_state *st)
{
	sbom_name_index *owners;
	int err = sbom_os_file_index(st->sbom, SIZE_MAX, ends_gemspec, &owners);
	for (size_t i = 0; !err && i < st->count; i++) {
		if (st->gems[i].locked)
			continue;
		const cairn_sbom_package *p = cairn_sbom_package_at(st->sbom, st->gems[i].package);
		size_t owner;
		if (sbom_name_index_find(owners, p->locations[0].path, strlen(p->locations[0].path), &owner) == 0)
			err = cairn_sbom_add_relationship(st->sbom, owner, st->gems[i].package, CAIRN_SBOM_REL_CONTAINS);
	}
	sbom_name_index_free(owners);
	return err;
}

static int state_init(struct ruby_state *st, cairn_sbom *sbom)
{
	memset(st, 0, sizeof *st);
	st->sbom = sbom;
	return sbom_name_index_new(&st->installed);
}

int sbom_ruby_parse_gemspec(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	struct ruby_state st;
	int err = state_init(&st, sbom);
	if (!err)
		err = parse_gemspec(&st, text, len, path, layer);
	if (!err)
		err = resolve(&st);
	state_free(&st);
	return err;
}

int sbom_ruby_parse_gemfile_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	struct ruby_state st;
	int err = state_init(&st, sbom);
	if (!err)
		err = parse_lock(&st, text, len, path, layer);
	if (!err)
		err = resolve(&st);
	state_free(&st);
	return err;
}

/* Reads one entry; 1 when it is too big or unreadable (a warning naming it). */
static int read_entry(struct ruby_state *st, const cairn_entry *e, uint64_t limit, cairn_buf *out)
{
	if (e->size > limit) {
		cairn_sbom_warn(st->sbom, "%s: %llu bytes, over the limit of %llu; its gems are not listed", e->path,
				(unsigned long long)e->size, (unsigned long long)limit);
		return 1;
	}
	cairn_buf_clear(out);
	if (cairn_tree_read(st->tree, e, (size_t)limit, out) != 0) {
		cairn_sbom_warn(st->sbom, "%s: cannot be read (%s); its gems are not listed", e->path, cairn_error_message());
		cairn_error_clear();
		return 1;
	}
	return 0;
}

int sbom_ruby_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	struct ruby_state st;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = state_init(&st, sbom);
	st.tree = tree;
	st.layers = layers;
	st.layer_count = layer_count;
	/* installed gems first, so a lockfile finds them */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
			const cairn_entry *e = cairn_tree_at(tree, i);
			if (e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK)
				continue;
			if (pass == 0 ? !is_gemspec(e->path) : !is_lockfile(e->path))
				continue;
			const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
			if (read_entry(&st, e, pass ? GEM_MAX_LOCK : GEM_MAX_SPEC, &text) != 0)
				continue;
			if (pass == 0)
				err = parse_gemspec(&st, (const char *)text.data, text.len, e->path, layer);
			else
				err = parse_lock(&st, (const char *)text.data, text.len, e->path, layer);
		}
	if (!err)
		err = resolve(&st);
	if (!err)
		err = link_owners(&st);
	state_free(&st);
	cairn_buf_free(&text);
	return err;
}
