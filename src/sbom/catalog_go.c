/* Go: the module build info the Go linker embeds in every binary (main module, dependencies with
 * their versions, replacements, the toolchain version), and go.mod files of source trees.
 *
 * Build info lives in a blob that starts with the 14-byte magic "\xff Go buildinf:" (the
 * .go.buildinfo section, or, when section headers are gone, 16-byte aligned in a writable PT_LOAD
 * segment). Byte 14 is the pointer size, byte 15 flags: bit 0 big-endian, bit 1 "inline strings".
 * Go >= 1.18 writes inline strings: after the 32-byte header, two uvarint-length strings, the
 * toolchain version then the module info. Older binaries hold two pointers (at 16 and 16+ptrsize)
 * to Go string headers {data pointer, length}, which are virtual addresses mapped to the file
 * through the PT_LOAD program headers. Module info is lines of tab-separated fields:
 *   path <import path>          mod <path> <version> [<h1:sum>]
 *   dep <path> <version> [<sum>] => <path> <version> [<sum>]   (replaces the line before)
 *   build <key>=<value>
 * wrapped (since Go 1.13) in 16-byte sentinels. A GOPATH-mode binary has no mod line.
 *
 * Packages: the main module (version "(devel)" when built from a work tree), each dependency (the
 * replacement when there is one, as `go version -m` shows it last), and "stdlib" at the toolchain
 * version; the main module depends on the others, and the OS package (deb, rpm, apk) that owns the
 * binary contains them all. h1: sums and build settings are read but the model has no place for them
 * yet. Every offset, length and pointer is checked against the file. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

#define GO_MIN_BINARY ((uint64_t)512 * 1024)
#define GO_MAX_BINARY ((uint64_t)256 * 1024 * 1024) /* one binary kept for reading */
#define GO_MAX_MODINFO ((uint64_t)16 * 1024 * 1024)
#define GO_MAX_DEPS ((size_t)100000)
#define GO_MAX_GOMOD (CAIRN_SBOM_MAX_META_SIZE * 4)

static const char go_magic[14] = "\xff Go buildinf:";

/* ---- which files are candidates ---- */

enum { GO_NONE, GO_BINARY, GO_MOD };

/* The files this cataloger reads, chosen by name and size only (the tree asks before it has read a
 * byte, and without the mode): binaries of GO_MIN_BINARY to GO_MAX_BINARY bytes (the smallest Go
 * program, stripped, is over 1 MiB) whose name has no extension or that sit in a bin/, sbin/ or
 * libexec/ directory; go.mod files. Catalog time drops those without an execute bit or ELF magic. */
static int go_candidate(const char *path, uint64_t size)
{
	while (*path == '/')
		path++;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "go.mod") == 0)
		return size <= GO_MAX_GOMOD ? GO_MOD : GO_NONE;
	if (size < GO_MIN_BINARY || size > GO_MAX_BINARY)
		return GO_NONE;
	if (strchr(base, '.') == NULL)
		return GO_BINARY;
	for (const char *c = path; c < base;) {
		const char *slash = strchr(c, '/');
		size_t n = (size_t)(slash - c);
		if ((n == 3 && strncmp(c, "bin", 3) == 0) || (n == 4 && strncmp(c, "sbin", 4) == 0) ||
		    (n == 7 && strncmp(c, "libexec", 7) == 0))
			return GO_BINARY;
		c = slash + 1;
	}
	return GO_NONE;
}

/* Memory: a directory's binaries are read from disk one at a time at catalog time, and only in the
 * parts the pass over binaries needs, so none is kept; an image's are kept as their layer streams past
 * (reading them later means streaming the layer again), bounded in sum by the tree's max_kept_bytes;
 * past it the tree reads them again. */
int sbom_go_want(const char *path, uint64_t size, int directory)
{
	int kind = go_candidate(path, size);
	return directory ? kind == GO_MOD : kind == GO_BINARY;
}

int sbom_go_binary_candidate(const char *path, uint64_t size) { return go_candidate(path, size) == GO_BINARY; }

/* ---- ELF (read through elf.c) ---- */

/* The build info header: in its section, else 16-byte aligned in a writable segment. */
static int find_buildinfo(const sbom_elf *e, size_t *off, size_t *avail)
{
	size_t so, ss;
	if (sbom_elf_find_section(e, ".go.buildinfo", &so, &ss) == 0 && ss >= 32 && memcmp(e->data + so, go_magic, sizeof go_magic) == 0) {
		*off = so;
		*avail = e->len - so;
		return 0;
	}
	for (unsigned i = 0; i < e->phnum; i++) {
		sbom_elf_segment s;
		if (sbom_elf_segment_at(e, i, &s) != 0 || s.type != 1 || !(s.flags & 2) || s.offset > e->len || s.filesz > e->len - s.offset)
			continue;
		for (uint64_t p = 0; p + 32 <= s.filesz; p += 16)
			if (memcmp(e->data + s.offset + p, go_magic, sizeof go_magic) == 0) {
				*off = (size_t)(s.offset + p);
				*avail = e->len - *off;
				return 0;
			}
	}
	return -1;
}

int sbom_go_buildinfo_indirect(const sbom_elf *e)
{
	size_t off, avail;
	return find_buildinfo(e, &off, &avail) == 0 && avail >= 32 && !(e->data[off + 15] & 2);
}

static int uvarint(const unsigned char *p, size_t avail, uint64_t *value, size_t *used)
{
	uint64_t v = 0;
	for (size_t i = 0; i < avail && i < 10; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*value = v;
			*used = i + 1;
			return 0;
		}
	}
	return -1;
}

/* A Go string {ptr, len} stored at virtual address addr (pre-1.18 binaries). */
static int go_string_at(const sbom_elf *e, unsigned ptrsize, uint64_t addr, const char **s, size_t *n)
{
	size_t hdr, data;
	if (sbom_elf_addr(e, addr, 2u * ptrsize, &hdr) != 0)
		return -1;
	uint64_t ptr = sbom_elf_rd(e, hdr, ptrsize), len = sbom_elf_rd(e, hdr + ptrsize, ptrsize);
	if (len > GO_MAX_MODINFO)
		return -1;
	if (len == 0) {
		*s = "";
		*n = 0;
		return 0;
	}
	if (sbom_elf_addr(e, ptr, len, &data) != 0)
		return -1;
	*s = (const char *)e->data + data;
	*n = (size_t)len;
	return 0;
}

/* Extracts the toolchain version and module info; 1 when there is no build info at all. */
static int read_buildinfo(const sbom_elf *e, const char **ver, size_t *ver_len, const char **mod, size_t *mod_len)
{
	size_t off, avail;
	if (find_buildinfo(e, &off, &avail) != 0)
		return 1;
	const unsigned char *h = e->data + off;
	unsigned ptrsize = h[14], flags = h[15];
	if (avail < 32)
		return -1;
	if (flags & 2) { /* inline strings */
		size_t pos = 32, used;
		uint64_t n;
		if (uvarint(h + pos, avail - pos, &n, &used) != 0 || n > avail - pos - used)
			return -1;
		*ver = (const char *)h + pos + used;
		*ver_len = (size_t)n;
		pos += used + (size_t)n;
		if (uvarint(h + pos, avail - pos, &n, &used) != 0 || n > avail - pos - used || n > GO_MAX_MODINFO)
			return -1;
		*mod = (const char *)h + pos + used;
		*mod_len = (size_t)n;
		return 0;
	}
	if (ptrsize != 4 && ptrsize != 8)
		return -1;
	sbom_elf be = *e; /* the blob's own endianness flag rules its pointers */
	be.big = flags & 1;
	uint64_t vaddr = sbom_elf_rd(&be, off + 16, ptrsize), maddr = sbom_elf_rd(&be, off + 16 + ptrsize, ptrsize);
	if (go_string_at(&be, ptrsize, vaddr, ver, ver_len) != 0 || go_string_at(&be, ptrsize, maddr, mod, mod_len) != 0)
		return -1;
	return 0;
}

/* ---- packages ---- */

/* pkg:golang/<module path>@<version>: the path's last segment is the name, the rest the namespace. */
static int go_purl(const char *path, const char *version, cairn_buf *purl)
{
	const char *slash = strrchr(path, '/');
	char *ns = slash ? strndup(path, (size_t)(slash - path)) : NULL;
	if (slash && ns == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	int err = cairn_purl_build(purl, "golang", ns, slash ? slash + 1 : path, version, NULL, 0, NULL);
	free(ns);
	return err;
}

/* Adds one module; a path no purl can name (hostile build info) is a warning, not a failure. */
static int add_go_package(cairn_sbom *sbom, const char *name, const char *version, const char *path, const char *layer,
			  size_t *index, int *added)
{
	cairn_buf purl = CAIRN_BUF_INIT;
	*added = 0;
	int err = go_purl(name, version, &purl);
	if (err == CAIRN_ENOMEM) {
		cairn_buf_free(&purl);
		return err;
	}
	if (err) {
		cairn_sbom_warn(sbom, "%s: Go module '%s' cannot be named by a purl (%s); left out", path, name,
				cairn_error_message());
		cairn_error_clear();
		cairn_buf_free(&purl);
		return 0;
	}
	err = cairn_sbom_add_package(sbom, "golang", name, version, index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(sbom, *index);
	if (!err)
		err = cairn_sbom_set(&p->purl, cairn_buf_cstr(&purl));
	if (!err)
		err = cairn_sbom_add_location(p, layer, path);
	cairn_buf_free(&purl);
	*added = !err;
	return err;
}

struct modline {
	char *path, *version;
};

struct modinfo {
	char *main_path, *main_version;
	struct modline *deps;
	size_t count, cap;
	int has_mod;
};

static void modinfo_free(struct modinfo *m)
{
	free(m->main_path);
	free(m->main_version);
	for (size_t i = 0; i < m->count; i++) {
		free(m->deps[i].path);
		free(m->deps[i].version);
	}
	free(m->deps);
}

/* Splits a line into up to 4 tab-separated fields; returns how many. */
static size_t split_tabs(const char *s, size_t len, const char *f[4], size_t flen[4])
{
	size_t n = 0;
	const char *end = s + len;
	while (n < 4 && s <= end) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		const char *stop = tab ? tab : end;
		f[n] = s;
		flen[n++] = (size_t)(stop - s);
		if (tab == NULL)
			break;
		s = tab + 1;
	}
	return n;
}

static int usable(const char *s, size_t n)
{
	if (n == 0 || n > 4096)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A replacement by a directory ("./x", "../x", "/x") rather than a module. */
static int local_path(const char *s, size_t n)
{
	return (n >= 1 && s[0] == '/') || (n >= 2 && s[0] == '.' && s[1] == '/') || (n >= 3 && memcmp(s, "../", 3) == 0);
}

static int set_pair(char **path, char **version, const char *p, size_t plen, const char *v, size_t vlen)
{
	char *np = strndup(p, plen), *nv = vlen ? strndup(v, vlen) : strdup("(devel)");
	if (np == NULL || nv == NULL) {
		free(np);
		free(nv);
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	free(*path);
	free(*version);
	*path = np;
	*version = nv;
	return 0;
}

/* Parses module info text; malformed lines are skipped with one warning. */
static int parse_modinfo(cairn_sbom *sbom, const char *s, size_t len, const char *file, struct modinfo *m)
{
	/* Go >= 1.13 wraps the text in 16-byte sentinels: drop them (the text itself ends with '\n') */
	if (len >= 33 && s[len - 17] == '\n') {
		s += 16;
		len -= 32;
	}
	const char *end = s + len;
	int err = 0, warned = 0;
	struct modline *last = NULL; /* what a "=>" line replaces */
	while (!err && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		const char *f[4];
		size_t fl[4];
		size_t k = split_tabs(s, n, f, fl);
		int bad = 0;
		if (k >= 2 && fl[0] == 4 && memcmp(f[0], "path", 4) == 0) {
			if (!m->has_mod && usable(f[1], fl[1]))
				err = set_pair(&m->main_path, &m->main_version, f[1], fl[1], "", 0);
		} else if (k >= 2 && fl[0] == 3 && memcmp(f[0], "mod", 3) == 0) {
			bad = !usable(f[1], fl[1]);
			if (!bad) {
				err = set_pair(&m->main_path, &m->main_version, f[1], fl[1], k >= 3 ? f[2] : "", k >= 3 ? fl[2] : 0);
				m->has_mod = 1;
				last = NULL;
			}
		} else if (k >= 3 && fl[0] == 3 && memcmp(f[0], "dep", 3) == 0) {
			bad = !usable(f[1], fl[1]) || m->count >= GO_MAX_DEPS;
			if (!bad)
				err = sbom_grow(&m->deps, &m->cap, m->count, sizeof *m->deps);
			if (!bad && !err) {
				last = &m->deps[m->count];
				memset(last, 0, sizeof *last);
				err = set_pair(&last->path, &last->version, f[1], fl[1], f[2], fl[2]);
				if (!err)
					m->count++;
				else
					last = NULL;
			}
		} else if (k >= 2 && fl[0] == 2 && memcmp(f[0], "=>", 2) == 0) {
			bad = last == NULL || !usable(f[1], fl[1]);
			if (!bad && local_path(f[1], fl[1])) /* the module as found in a directory of the build */
				err = set_pair(&last->path, &last->version, last->path, strlen(last->path), "", 0);
			else if (!bad)
				err = set_pair(&last->path, &last->version, f[1], fl[1], k >= 3 ? f[2] : "", k >= 3 ? fl[2] : 0);
		} else if (!(n == 0 || (k >= 1 && fl[0] == 5 && memcmp(f[0], "build", 5) == 0))) {
			bad = 1;
		}
		if (bad && !warned) {
			cairn_sbom_warn(sbom, "%s: Go build info has a malformed line; it is skipped", file);
			warned = 1;
		}
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	return err;
}

static char *clean_version(const char *s, size_t n)
{
	/* "go1.22.1 X:nocoverageredesign": experiments follow the version after a space */
	const char *sp = memchr(s, ' ', n);
	if (sp && sp != s)
		n = (size_t)(sp - s);
	return usable(s, n) ? strndup(s, n) : NULL;
}

int sbom_go_parse_binary(cairn_sbom *sbom, const unsigned char *data, size_t len, const char *path, const char *layer)
{
	sbom_elf e;
	if (sbom_elf_open(&e, data, len) != 0)
		return 0; /* not ELF: not ours */
	const char *ver, *mod;
	size_t ver_len, mod_len;
	int r = read_buildinfo(&e, &ver, &ver_len, &mod, &mod_len);
	if (r == 1)
		return 0;
	if (r != 0) {
		cairn_sbom_warn(sbom, "%s: Go build info is malformed (an offset or length points outside the file); "
				      "its modules are not listed", path);
		return 0;
	}
	struct modinfo m;
	memset(&m, 0, sizeof m);
	int err = parse_modinfo(sbom, mod, mod_len, path, &m);
	char *gover = err ? NULL : clean_version(ver, ver_len);
	size_t main_index = 0, index;
	int has_main = 0, added;
	if (!err && m.has_mod && m.main_path)
		err = add_go_package(sbom, m.main_path, m.main_version, path, layer, &main_index, &has_main);
	for (size_t i = 0; !err && i < m.count; i++) {
		err = add_go_package(sbom, m.deps[i].path, m.deps[i].version, path, layer, &index, &added);
		if (!err && has_main && added)
			err = cairn_sbom_add_relationship(sbom, main_index, index, CAIRN_SBOM_REL_DEPENDS_ON);
	}
	if (!err && gover != NULL && strncmp(gover, "go", 2) == 0) {
		err = add_go_package(sbom, "stdlib", gover, path, layer, &index, &added);
		if (!err && has_main && added)
			err = cairn_sbom_add_relationship(sbom, main_index, index, CAIRN_SBOM_REL_DEPENDS_ON);
	}
	free(gover);
	modinfo_free(&m);
	return err;
}

/* ---- go.mod ---- */

struct gomod_req {
	char *path, *version;
};

struct gomod_repl {
	char *from, *from_version; /* from_version NULL: every version */
	char *to, *to_version;     /* to_version NULL: a local directory */
};

struct gomod {
	struct gomod_req *reqs;
	size_t req_count, req_cap;
	struct gomod_repl *repls;
	size_t repl_count, repl_cap;
};

static void gomod_free(struct gomod *g)
{
	for (size_t i = 0; i < g->req_count; i++) {
		free(g->reqs[i].path);
		free(g->reqs[i].version);
	}
	for (size_t i = 0; i < g->repl_count; i++) {
		free(g->repls[i].from);
		free(g->repls[i].from_version);
		free(g->repls[i].to);
		free(g->repls[i].to_version);
	}
	free(g->reqs);
	free(g->repls);
}

/* Splits a line (comments already cut) into up to 6 space-separated tokens, quotes removed. */
static size_t tokens(char *s, char *tok[6])
{
	size_t n = 0;
	while (n < 6) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		if (*s == '"' || *s == '`') {
			char q = *s++;
			tok[n++] = s;
			char *close = strchr(s, q);
			if (close == NULL)
				break;
			*close = '\0';
			s = close + 1;
			continue;
		}
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s == '\0')
			break;
		*s++ = '\0';
	}
	return n;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int gomod_line(struct gomod *g, const char *verb, char **tok, size_t n)
{
	if (strcmp(verb, "require") == 0 && n == 2) {
		if (g->req_count >= GO_MAX_DEPS)
			return 0;
		int err = sbom_grow(&g->reqs, &g->req_cap, g->req_count, sizeof *g->reqs);
		if (err)
			return err;
		struct gomod_req *r = &g->reqs[g->req_count];
		r->path = strdup(tok[0]);
		r->version = strdup(tok[1]);
		g->req_count++;
		return r->path && r->version ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	if (strcmp(verb, "replace") == 0 && n >= 3) {
		size_t arrow = strcmp(tok[1], "=>") == 0 ? 1 : (n >= 4 && strcmp(tok[2], "=>") == 0 ? 2 : 0);
		if (arrow == 0 || arrow + 1 >= n + 0 || g->repl_count >= GO_MAX_DEPS)
			return 0;
		int err = sbom_grow(&g->repls, &g->repl_cap, g->repl_count, sizeof *g->repls);
		if (err)
			return err;
		struct gomod_repl *r = &g->repls[g->repl_count++];
		r->from = strdup(tok[0]);
		r->from_version = arrow == 2 ? strdup(tok[1]) : NULL;
		r->to = strdup(tok[arrow + 1]);
		r->to_version = arrow + 2 < n ? dup_or_null(tok[arrow + 2]) : NULL;
		return r->from && r->to ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	return 0;
}

static int gomod_parse(struct gomod *g, const char *text, size_t len)
{
	char *copy = strndup(text, len);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	char block[16] = "";
	int err = 0;
	for (char *line = copy, *next; !err && line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *comment = strstr(line, "//");
		if (comment)
			*comment = '\0';
		char *tok[6];
		size_t n = tokens(line, tok);
		if (n == 0)
			continue;
		if (block[0]) {
			if (strcmp(tok[0], ")") == 0)
				block[0] = '\0';
			else
				err = gomod_line(g, block, tok, n);
		} else if (n == 2 && strcmp(tok[1], "(") == 0 && strlen(tok[0]) < sizeof block) {
			strcpy(block, tok[0]);
		} else if (n >= 2) {
			err = gomod_line(g, tok[0], tok + 1, n - 1);
		}
	}
	free(copy);
	return err;
}

int sbom_go_parse_mod(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer)
{
	if (memchr(text, '\0', len) != NULL) {
		cairn_sbom_warn(sbom, "%s: a NUL byte; not a go.mod file, its modules are not listed", path);
		return 0;
	}
	struct gomod g;
	memset(&g, 0, sizeof g);
	int err = gomod_parse(&g, text, len);
	for (size_t i = 0; !err && i < g.req_count; i++) {
		const char *name = g.reqs[i].path, *version = g.reqs[i].version;
		/* the last matching replace wins, as the go command applies them */
		for (size_t j = 0; j < g.repl_count; j++) {
			const struct gomod_repl *r = &g.repls[j];
			if (strcmp(r->from, g.reqs[i].path) == 0 && (r->from_version == NULL || strcmp(r->from_version, g.reqs[i].version) == 0) &&
			    r->to_version != NULL) {
				name = r->to;
				version = r->to_version;
			}
		}
		size_t index;
		int added;
		err = add_go_package(sbom, name, version, path, layer, &index, &added);
	}
	gomod_free(&g);
	return err;
}

/* ---- the tree ---- */

/* Links every Go package found at or after `first` to the OS package (deb, rpm, apk) that owns its
 * binary, so a Go program a distro installed is neither counted apart from its package nor lost.
 * owned: an sbom_os_file_index of the packages before `first`, or NULL to build one here. */
int sbom_go_link_owners(cairn_sbom *sbom, size_t first, const sbom_name_index *owned)
{
	size_t count = cairn_sbom_package_count(sbom);
	if (first >= count)
		return 0;
	sbom_name_index *built = NULL;
	int err = owned == NULL ? sbom_os_file_index(sbom, first, NULL, &built) : 0;
	const sbom_name_index *owners = owned != NULL ? owned : built;
	for (size_t i = first; !err && i < count; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		size_t owner;
		if (strcmp(p->type, "golang") == 0 && p->location_count > 0 &&
		    sbom_name_index_find(owners, p->locations[0].path, strlen(p->locations[0].path), &owner) == 0)
			err = cairn_sbom_add_relationship(sbom, owner, i, CAIRN_SBOM_REL_CONTAINS);
	}
	sbom_name_index_free(built);
	return err;
}

int sbom_go_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count, int directory)
{
	if (!directory) /* an image's go.mod files are sources, not what it runs */
		return 0;
	cairn_buf data = CAIRN_BUF_INIT;
	size_t first = cairn_sbom_package_count(sbom);
	int err = 0;
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if ((e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK) || go_candidate(e->path, e->size) != GO_MOD)
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		cairn_buf_clear(&data);
		if (cairn_tree_read(tree, e, (size_t)GO_MAX_GOMOD, &data) != 0) {
			cairn_sbom_warn(sbom, "%s: cannot be read (%s); its Go modules are not listed", e->path, cairn_error_message());
			cairn_error_clear();
			continue;
		}
		err = sbom_go_parse_mod(sbom, (const char *)data.data, data.len, e->path, layer);
	}
	cairn_buf_free(&data);
	if (!err)
		err = sbom_go_link_owners(sbom, first, NULL);
	return err;
}
