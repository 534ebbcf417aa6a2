/* ELF package notes, and the one pass over binaries that reads them, Go build info and cargo auditable
 * data, loading each candidate binary once and only in the parts those need (sbom_elf_load).
 *
 * The package metadata note (systemd.io "Package Metadata for Executable Files"; Fedora builds every
 * binary with it, `ld --package-metadata` writes it): an ELF note with owner "FDO" and type
 * 0xcafe1a7e whose descriptor is a JSON object, NUL-padded to 4 bytes: {"type":"rpm", "os":"fedora",
 * "osVersion":"40", "name":"curl", "version":"8.6.0-1.fc40", "architecture":"x86_64", "osCpe":...,
 * "debugInfoUrl":...}. It becomes a package of the note's type (rpm, deb, ...) named and versioned as
 * the note says, its namespace the note's os and its arch the note's architecture, located at the
 * binary. Notes are found in SHT_NOTE sections, or in PT_NOTE segments when section headers are
 * gone; their sizes and padding are checked strictly, and a broken .note.package costs a warning.
 *
 * A binary an OS package owns (its file list names it), or whose package the OS database already
 * lists (same type and name), adds nothing: the package is listed once, as the database says. Binaries of one package (all of them carry the same note) make one package with a
 * location per binary.
 *
 * Which files: regular files of ELF_MIN_SIZE to ELF_MAX_SIZE bytes in a bin/, sbin/ or libexec/
 * directory, shared libraries (NAME.so, NAME.so.1.2), and files without an extension of 64 KiB or
 * more outside data trees (a Rust program in /app; not /usr/share, /var, /etc...); at catalog time only
 * those with an execute bit or a .so name. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

#define ELF_MIN_SIZE ((uint64_t)256)
#define ELF_MAX_SIZE ((uint64_t)64 * 1024 * 1024) /* one binary read for notes and auditable data */
#define ELF_BARE_MIN_SIZE ((uint64_t)64 * 1024)   /* an extension-less file outside bin/ */
#define NOTE_MAX_JSON ((size_t)64 * 1024)
#define NOTE_TYPE_PACKAGE 0xcafe1a7eu

static int in_bin_dir(const char *path, const char *base)
{
	for (const char *c = path; c < base;) {
		const char *slash = strchr(c, '/');
		size_t n = (size_t)(slash - c);
		if ((n == 3 && strncmp(c, "bin", 3) == 0) || (n == 4 && strncmp(c, "sbin", 4) == 0) ||
		    (n == 7 && strncmp(c, "libexec", 7) == 0))
			return 1;
		c = slash + 1;
	}
	return 0;
}

/* Trees that hold data, not programs: their large extension-less files (locale-archive, debconf and
 * man-db caches) are not worth keeping in memory as candidate binaries. */
static int data_dir(const char *path)
{
	static const char *const dirs[] = {"usr/share/", "usr/include/", "usr/lib/locale/", "var/", "etc/", "proc/", "sys/"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return 1;
	return 0;
}

/* "libz.so", "libz.so.1", "libz.so.1.2.13". */
static int so_name(const char *base)
{
	const char *so = strstr(base, ".so");
	if (so == NULL || so == base)
		return 0;
	for (const char *c = so + 3; *c; c++)
		if (!(*c == '.' || (*c >= '0' && *c <= '9')))
			return 0;
	return so[3] == '\0' || so[3] == '.';
}

static int candidate(const char *path, uint64_t size, int *library)
{
	while (*path == '/')
		path++;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	*library = so_name(base);
	if (size < ELF_MIN_SIZE || size > ELF_MAX_SIZE)
		return 0;
	return *library || in_bin_dir(path, base) ||
	       (strchr(base, '.') == NULL && size >= ELF_BARE_MIN_SIZE && !data_dir(path));
}

int sbom_elfnote_want(const char *path, uint64_t size, int directory)
{
	int library;
	return !directory && candidate(path, size, &library);
}

/* ---- the note ---- */

struct note_find {
	const unsigned char *desc;
	size_t descsz;
	int found;
};

static int match_note(void *arg, const char *name, size_t namesz, uint32_t type, const unsigned char *desc, size_t descsz)
{
	struct note_find *f = arg;
	if (type != NOTE_TYPE_PACKAGE || namesz != 4 || memcmp(name, "FDO", 4) != 0)
		return 0;
	f->desc = desc;
	f->descsz = descsz;
	f->found = 1;
	return 1;
}

/* Finds the FDO package note; 0 found, 1 none, -1 when .note.package itself is malformed. */
static int find_note(const sbom_elf *e, struct note_find *f)
{
	memset(f, 0, sizeof f[0]);
	int broken = 0;
	for (unsigned i = 0; i < e->shnum && !f->found; i++) {
		sbom_elf_section s;
		if (sbom_elf_section_at(e, i, &s) != 0)
			break;
		if (s.type != 7 /* SHT_NOTE */)
			continue;
		int r = s.offset > e->len || s.size > e->len - s.offset
				? -1
				: sbom_elf_notes(e, (size_t)s.offset, (size_t)s.size, s.align == 8 ? 8 : 4, match_note, f);
		if (r < 0 && sbom_elf_section_named(e, i, ".note.package"))
			broken = 1;
	}
	for (unsigned i = 0; e->shnum == 0 && i < e->phnum && !f->found; i++) {
		sbom_elf_segment s;
		if (sbom_elf_segment_at(e, i, &s) != 0)
			break;
		if (s.type == 4 /* PT_NOTE */ && s.offset <= e->len && s.filesz <= e->len - s.offset)
			sbom_elf_notes(e, (size_t)s.offset, (size_t)s.filesz, s.align == 8 ? 8 : 4, match_note, f);
	}
	return f->found ? 0 : broken ? -1 : 1;
}

static int plain(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A purl type: letters, digits, '.', '+', '-' (the purl spec), kept lowercase. */
static int purl_type(const char *s)
{
	if (!plain(s, 32) || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '+' || *c == '-'))
			return 0;
	return 1;
}

struct note_pkg {
	const char *type, *name, *version, *os, *arch;
};

/* The descriptor: JSON NUL-padded; 1 when it is not a usable package object. */
static int read_desc(const struct note_find *f, json_t **doc, struct note_pkg *p, const char *path)
{
	size_t n = f->descsz;
	while (n > 0 && f->desc[n - 1] == '\0')
		n--;
	if (n == 0 || n > NOTE_MAX_JSON || memchr(f->desc, '\0', n) != NULL)
		return 1;
	cairn_json_limits limits = {NOTE_MAX_JSON, 8};
	if (cairn_json_parse(doc, f->desc, n, &limits, path) != 0) {
		cairn_error_clear();
		return 1;
	}
	p->type = json_string_value(json_object_get(*doc, "type"));
	p->name = json_string_value(json_object_get(*doc, "name"));
	p->version = json_string_value(json_object_get(*doc, "version"));
	p->os = json_string_value(json_object_get(*doc, "os"));
	p->arch = json_string_value(json_object_get(*doc, "architecture"));
	if (!purl_type(p->type) || !plain(p->name, 256) || !plain(p->version, 256))
		return 1;
	if (!plain(p->os, 64))
		p->os = NULL;
	if (!plain(p->arch, 64))
		p->arch = NULL;
	return 0;
}

/* What the pass knows: OS packages by "type\nname", the files OS packages own by path, note packages
 * by "type\nname\nversion". */
struct note_ctx {
	sbom_name_index *os, *owned, *notes;
};

static int key_of(cairn_buf *key, const char *type, const char *name, const char *version)
{
	cairn_buf_clear(key);
	return version ? cairn_buf_printf(key, "%s\n%s\n%s", type, name, version) : cairn_buf_printf(key, "%s\n%s", type, name);
}

static int add_note_package(cairn_sbom *sbom, const struct note_pkg *n, const char *path, const char *layer, struct note_ctx *ctx)
{
	cairn_buf key = CAIRN_BUF_INIT;
	size_t index;
	int err = 0;
	if (ctx != NULL) {
		/* A file an OS package installed is that package's: Debian's libsystemd0 carries the note of
		 * its source package, systemd, which is not installed. */
		if (sbom_name_index_find(ctx->owned, path, strlen(path), &index) == 0)
			return 0;
		err = key_of(&key, n->type, n->name, NULL);
		if (!err && sbom_name_index_find(ctx->os, (const char *)key.data, key.len, &index) == 0) {
			cairn_buf_free(&key); /* the OS database lists it already */
			return 0;
		}
		if (!err)
			err = key_of(&key, n->type, n->name, n->version);
		if (!err && sbom_name_index_find(ctx->notes, (const char *)key.data, key.len, &index) == 0) {
			err = cairn_sbom_add_location(cairn_sbom_package_at(sbom, index), layer, path);
			cairn_buf_free(&key);
			return err;
		}
	}
	if (!err)
		err = cairn_sbom_add_package(sbom, n->type, n->name, n->version, &index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(sbom, index);
	if (!err && n->os)
		err = cairn_sbom_set(&p->namespace_, n->os);
	if (!err && n->arch)
		err = cairn_sbom_set(&p->arch, n->arch);
	if (!err)
		err = cairn_sbom_add_location(p, layer, path);
	if (!err && ctx != NULL)
		err = sbom_name_index_add(ctx->notes, (const char *)key.data, key.len, index, 0);
	cairn_buf_free(&key);
	return err;
}

static int parse_note(cairn_sbom *sbom, const sbom_elf *elf, const char *path, const char *layer, struct note_ctx *ctx)
{
	struct note_find f;
	int r = find_note(elf, &f);
	json_t *doc = NULL;
	struct note_pkg n;
	memset(&n, 0, sizeof n);
	if (r == 0)
		r = read_desc(&f, &doc, &n, path) == 0 ? 0 : -1;
	int err = 0;
	if (r < 0)
		cairn_sbom_warn(sbom, "%s: the ELF package note (.note.package) is malformed: its sizes or padding leave the "
				      "section, or its JSON lacks type, name or version; it is left out", path);
	else if (r == 0)
		err = add_note_package(sbom, &n, path, layer, ctx);
	json_decref(doc);
	return err;
}

int sbom_elfnote_parse(cairn_sbom *sbom, const sbom_elf *elf, const char *path, const char *layer)
{
	return parse_note(sbom, elf, path, layer, NULL);
}

/* ---- the pass over binaries ---- */

static int index_os_packages(cairn_sbom *sbom, struct note_ctx *ctx)
{
	cairn_buf key = CAIRN_BUF_INIT;
	int err = sbom_name_index_new(&ctx->os);
	if (!err)
		err = sbom_os_file_index(sbom, SIZE_MAX, NULL, &ctx->owned);
	if (!err)
		err = sbom_name_index_new(&ctx->notes);
	for (size_t i = 0; !err && i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		err = key_of(&key, p->type, p->name, NULL);
		if (!err)
			err = sbom_name_index_add(ctx->os, (const char *)key.data, key.len, i, 0);
	}
	cairn_buf_free(&key);
	return err;
}

/* One candidate binary in memory: loaded sparsely (mem) or, where the tree cannot read parts of it,
 * whole (whole, reused from binary to binary). */
struct binary {
	sbom_elf elf;
	unsigned char *mem;
	size_t mem_len;
	cairn_buf whole;
};

static void unload(struct binary *b)
{
	sbom_elf_unload(b->mem, b->mem_len);
	b->mem = NULL;
	b->mem_len = 0;
}

/* Loads the binary: 0, or 1 when it is no ELF file or cannot be read (a warning names it). Go build info
 * of the pointer kind (before Go 1.18) has its strings elsewhere in the file: such a binary is read
 * whole, as is an image's binary whose content was not kept (its layer is streamed again). */
static int load_binary(cairn_sbom *sbom, const cairn_tree *tree, const cairn_entry *e, int go, struct binary *b)
{
	unload(b);
	int r = sbom_elf_load(&b->elf, &b->mem, tree, e);
	b->mem_len = r == 0 ? b->elf.len : 0;
	if (r == 0 && go && sbom_go_buildinfo_indirect(&b->elf)) {
		unload(b);
		r = CAIRN_EUNSUPPORTED;
	}
	if (r == CAIRN_EUNSUPPORTED) {
		cairn_error_clear();
		cairn_buf_clear(&b->whole);
		r = cairn_tree_read(tree, e, (size_t)e->size, &b->whole); /* candidates are size-bounded */
		if (r == 0 && sbom_elf_open(&b->elf, b->whole.data, b->whole.len) != 0)
			r = 1;
	}
	if (r < 0) { /* even out of memory: this binary is too big for it, others may be fine */
		cairn_sbom_warn(sbom, "%s: cannot be read (%s); its Go modules, package note and Rust packages are not listed",
				e->path, cairn_error_message());
		cairn_error_clear();
		return 1;
	}
	return r;
}

int sbom_binary_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	struct note_ctx ctx = {NULL, NULL, NULL};
	struct binary b;
	memset(&b, 0, sizeof b);
	size_t first = cairn_sbom_package_count(sbom);
	int err = index_os_packages(sbom, &ctx);
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if (e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK)
			continue;
		int library, go = sbom_go_binary_candidate(e->path, e->size) && (e->mode & 0111);
		int note = candidate(e->path, e->size, &library) && (library || (e->mode & 0111));
		if (!go && !note)
			continue;
		if (load_binary(sbom, tree, e, go, &b) != 0)
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		if (go)
			err = sbom_go_parse_binary(sbom, b.elf.data, b.elf.len, e->path, layer);
		if (!err && note)
			err = parse_note(sbom, &b.elf, e->path, layer, &ctx);
		if (!err && note)
			err = sbom_rust_parse_binary(sbom, &b.elf, e->path, layer);
	}
	unload(&b);
	cairn_buf_free(&b.whole);
	if (!err) /* a Go program a distro installed belongs to its package (the same index of owned files) */
		err = sbom_go_link_owners(sbom, first, ctx.owned);
	sbom_name_index_free(ctx.os);
	sbom_name_index_free(ctx.owned);
	sbom_name_index_free(ctx.notes);
	return err;
}
