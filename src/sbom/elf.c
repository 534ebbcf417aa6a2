/* ELF reading for the catalogers that look inside binaries (Go build info, cargo auditable data,
 * package notes): the file header, program headers, sections by name and notes, every offset and
 * size checked against the bytes at hand, in either byte order and either class (the System V gABI,
 * "ELF Header", "Program Header", "Sections" and "Note Section"); and loading a binary of a tree in
 * only the parts those readers need (sbom_elf_load). */
#include "sbom_internal.h"

#include "cairn/error.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

uint64_t sbom_elf_rd(const sbom_elf *e, size_t off, unsigned width)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++) {
		unsigned b = e->big ? e->data[off + i] : e->data[off + width - 1 - i];
		v = (v << 8) | b;
	}
	return v;
}

int sbom_elf_field(const sbom_elf *e, uint64_t off, unsigned width, uint64_t *out)
{
	if (off > e->len || width > e->len - off)
		return -1;
	*out = sbom_elf_rd(e, (size_t)off, width);
	return 0;
}

int sbom_elf_open(sbom_elf *e, const unsigned char *data, size_t len)
{
	memset(e, 0, sizeof *e);
	e->data = data;
	e->len = len;
	if (len < 52 || memcmp(data, "\x7f" "ELF", 4) != 0 || (data[4] != 1 && data[4] != 2) || (data[5] != 1 && data[5] != 2))
		return -1;
	e->is64 = data[4] == 2;
	e->big = data[5] == 2;
	uint64_t v[7];
	int bad = e->is64 ? (sbom_elf_field(e, 0x20, 8, &v[0]) || sbom_elf_field(e, 0x28, 8, &v[1]) ||
			     sbom_elf_field(e, 0x36, 2, &v[2]) || sbom_elf_field(e, 0x38, 2, &v[3]) ||
			     sbom_elf_field(e, 0x3a, 2, &v[4]) || sbom_elf_field(e, 0x3c, 2, &v[5]) ||
			     sbom_elf_field(e, 0x3e, 2, &v[6]))
			  : (sbom_elf_field(e, 0x1c, 4, &v[0]) || sbom_elf_field(e, 0x20, 4, &v[1]) ||
			     sbom_elf_field(e, 0x2a, 2, &v[2]) || sbom_elf_field(e, 0x2c, 2, &v[3]) ||
			     sbom_elf_field(e, 0x2e, 2, &v[4]) || sbom_elf_field(e, 0x30, 2, &v[5]) ||
			     sbom_elf_field(e, 0x32, 2, &v[6]));
	if (bad)
		return -1;
	e->phoff = v[0];
	e->shoff = v[1];
	e->phentsize = (unsigned)v[2];
	e->phnum = (unsigned)v[3];
	e->shentsize = (unsigned)v[4];
	e->shnum = (unsigned)v[5];
	e->shstrndx = (unsigned)v[6];
	return 0;
}

int sbom_elf_segment_at(const sbom_elf *e, unsigned i, sbom_elf_segment *s)
{
	if (e->phentsize < (e->is64 ? 56u : 32u))
		return -1;
	uint64_t base = e->phoff + (uint64_t)i * e->phentsize;
	if (e->is64)
		return sbom_elf_field(e, base, 4, &s->type) || sbom_elf_field(e, base + 4, 4, &s->flags) ||
			       sbom_elf_field(e, base + 8, 8, &s->offset) || sbom_elf_field(e, base + 0x10, 8, &s->vaddr) ||
			       sbom_elf_field(e, base + 0x20, 8, &s->filesz) || sbom_elf_field(e, base + 0x30, 8, &s->align)
			   ? -1
			   : 0;
	return sbom_elf_field(e, base, 4, &s->type) || sbom_elf_field(e, base + 4, 4, &s->offset) ||
		       sbom_elf_field(e, base + 8, 4, &s->vaddr) || sbom_elf_field(e, base + 0x10, 4, &s->filesz) ||
		       sbom_elf_field(e, base + 0x18, 4, &s->flags) || sbom_elf_field(e, base + 0x1c, 4, &s->align)
		   ? -1
		   : 0;
}

int sbom_elf_addr(const sbom_elf *e, uint64_t addr, uint64_t n, size_t *off)
{
	for (unsigned i = 0; i < e->phnum; i++) {
		sbom_elf_segment s;
		if (sbom_elf_segment_at(e, i, &s) != 0 || s.type != 1 /* PT_LOAD */)
			continue;
		if (addr >= s.vaddr && addr - s.vaddr < s.filesz && n <= s.filesz - (addr - s.vaddr)) {
			uint64_t o = s.offset + (addr - s.vaddr);
			if (o > e->len || n > e->len - o)
				return -1;
			*off = (size_t)o;
			return 0;
		}
	}
	return -1;
}

int sbom_elf_section_at(const sbom_elf *e, unsigned i, sbom_elf_section *s)
{
	if (e->shentsize < (e->is64 ? 64u : 40u) || i >= e->shnum)
		return -1;
	unsigned w = e->is64 ? 8 : 4;
	uint64_t base = e->shoff + (uint64_t)i * e->shentsize;
	if (sbom_elf_field(e, base, 4, &s->name) || sbom_elf_field(e, base + 4, 4, &s->type) ||
	    sbom_elf_field(e, base + (e->is64 ? 0x18 : 0x10), w, &s->offset) ||
	    sbom_elf_field(e, base + (e->is64 ? 0x20 : 0x14), w, &s->size) ||
	    sbom_elf_field(e, base + (e->is64 ? 0x30 : 0x20), w, &s->align))
		return -1;
	return 0;
}

/* The section-name string table, checked to lie inside the file. */
static int name_table(const sbom_elf *e, uint64_t *off, uint64_t *size)
{
	sbom_elf_section strtab;
	if (e->shstrndx >= e->shnum || sbom_elf_section_at(e, e->shstrndx, &strtab) != 0)
		return -1;
	if (strtab.offset > e->len || strtab.size > e->len - strtab.offset)
		return -1;
	*off = strtab.offset;
	*size = strtab.size;
	return 0;
}

int sbom_elf_section_named(const sbom_elf *e, unsigned i, const char *name)
{
	uint64_t off, size;
	sbom_elf_section s;
	if (name_table(e, &off, &size) != 0 || sbom_elf_section_at(e, i, &s) != 0)
		return 0;
	size_t want = strlen(name) + 1; /* with its NUL */
	return s.name < size && size - s.name >= want && memcmp(e->data + off + s.name, name, want) == 0;
}

int sbom_elf_find_section(const sbom_elf *e, const char *name, size_t *off, size_t *size)
{
	uint64_t toff, tsize;
	if (e->shentsize < (e->is64 ? 64u : 40u) || name_table(e, &toff, &tsize) != 0)
		return -1;
	for (unsigned i = 0; i < e->shnum; i++) {
		sbom_elf_section s;
		if (sbom_elf_section_at(e, i, &s) != 0)
			return -1;
		if (!sbom_elf_section_named(e, i, name))
			continue;
		if (s.type == 8 /* SHT_NOBITS: no bytes in the file */ || s.offset > e->len || s.size > e->len - s.offset)
			return -1;
		*off = (size_t)s.offset;
		*size = (size_t)s.size;
		return 0;
	}
	return -1;
}

/* Notes are {namesz, descsz, type} words, then the name and the descriptor, each padded to the
 * note alignment (4 for every note this module reads; 8 only for some GNU notes of 64-bit files).
 * Sizes and padding are checked strictly: a note that runs past its region or is misaligned ends
 * the walk with -1. */
int sbom_elf_notes(const sbom_elf *e, size_t off, size_t size, unsigned align, sbom_elf_note_fn fn, void *arg)
{
	if (align != 4 && align != 8)
		return -1;
	if (off > e->len || size > e->len - off || off % align != 0)
		return -1;
	size_t pos = 0;
	while (pos < size) {
		if (size - pos < 12)
			return -1;
		uint64_t namesz = sbom_elf_rd(e, off + pos, 4), descsz = sbom_elf_rd(e, off + pos + 4, 4),
			 type = sbom_elf_rd(e, off + pos + 8, 4);
		uint64_t name_pad = (namesz + align - 1) / align * align, desc_pad = (descsz + align - 1) / align * align;
		size_t rest = size - pos - 12;
		if (name_pad > rest || desc_pad > rest - name_pad)
			return -1;
		const char *name = (const char *)e->data + off + pos + 12;
		const unsigned char *desc = e->data + off + pos + 12 + name_pad;
		int r = fn(arg, name, (size_t)namesz, (uint32_t)type, desc, (size_t)descsz);
		if (r != 0)
			return r;
		pos += 12 + (size_t)name_pad + (size_t)desc_pad;
	}
	return 0;
}

/* ---- loading a binary of a tree sparsely ---- */

/* The catalogers read a few small parts of a binary that may be hundreds of megabytes, so a binary is
 * loaded into zeroed pages of its size with only those parts read into place at their offsets: the
 * parsers see a normal file image whose other bytes are 0. The pages come from mmap, not calloc:
 * malloc may hand out reused heap memory and clear all of it, making every page resident, while
 * anonymous pages never written cost no memory (reading them maps the shared zero page).
 * A hostile header cannot make this read or allocate more than the file holds: every range is checked
 * against the file's size, and once the ranges add up to the whole file (or too many reads), the file
 * is read whole once instead. */
#define LOAD_FRONT ((size_t)4096)  /* the header, program headers and the first notes, in one read */
#define LOAD_MAX_RANGES 64
#define LOAD_MAX_PHNUM 4096u      /* real binaries have about a dozen */
#define LOAD_BUILDINFO ((uint64_t)64 * 1024) /* Go's debug/buildinfo reads this much of the build info */

struct load_range {
	uint64_t off, len;
};

struct loader {
	const cairn_tree *tree;
	const cairn_entry *entry;
	unsigned char *data;
	size_t len;
	struct load_range ranges[LOAD_MAX_RANGES];
	size_t count;
	uint64_t loaded; /* bytes read so far */
	int whole;       /* all of the file is in data */
};

static int load_whole(struct loader *l)
{
	int err = cairn_tree_read_at(l->tree, l->entry, 0, l->data, l->len);
	l->whole = !err;
	return err;
}

/* Reads [off, off+len) into place, unless it is empty, outside the file (left zero: the parsers then
 * find nothing there and say so) or read already. */
static int load_range(struct loader *l, uint64_t off, uint64_t len)
{
	if (l->whole || len == 0 || off > l->len || len > l->len - off)
		return 0;
	for (size_t i = 0; i < l->count; i++)
		if (off >= l->ranges[i].off && off + len <= l->ranges[i].off + l->ranges[i].len)
			return 0;
	if (l->count == LOAD_MAX_RANGES || len > l->len - l->loaded)
		return load_whole(l);
	int err = cairn_tree_read_at(l->tree, l->entry, off, l->data + off, (size_t)len);
	if (err)
		return err;
	l->ranges[l->count].off = off;
	l->ranges[l->count++].len = len;
	l->loaded += len;
	return 0;
}

/* 1 when section i's name starts with prefix (the name table is loaded by then). */
static int name_starts(const sbom_elf *e, unsigned i, const char *prefix)
{
	uint64_t off, size;
	sbom_elf_section s;
	if (name_table(e, &off, &size) != 0 || sbom_elf_section_at(e, i, &s) != 0 || s.name >= size)
		return 0;
	size_t n = strlen(prefix);
	return size - s.name >= n && memcmp(e->data + off + s.name, prefix, n) == 0;
}

/* The sections: every SHT_NOTE (package notes), .go.buildinfo and .dep-v0. Sets *search_segments
 * when Go's build info must be searched for in the writable segments: no section names to go by, or
 * a Go binary (.go* or .note.go.* sections) without .go.buildinfo. */
static int load_sections(struct loader *l, const sbom_elf *e, int *search_segments)
{
	uint64_t toff, tsize;
	int named = name_table(e, &toff, &tsize) == 0, go = 0, buildinfo = 0, err = 0;
	for (unsigned i = 0; !err && i < e->shnum; i++) {
		sbom_elf_section s;
		if (sbom_elf_section_at(e, i, &s) != 0)
			break;
		if (s.type == 8 /* SHT_NOBITS */)
			continue;
		uint64_t size = s.type == 7 /* SHT_NOTE */ ? s.size : 0;
		if (sbom_elf_section_named(e, i, ".go.buildinfo")) {
			/* the inline strings follow the header; the parser reads as far as the file goes */
			size = s.size > LOAD_BUILDINFO ? s.size : LOAD_BUILDINFO;
			if (s.offset < l->len && size > l->len - s.offset)
				size = l->len - s.offset;
			buildinfo = 1;
		} else if (sbom_elf_section_named(e, i, ".dep-v0")) {
			size = s.size;
		} else if (name_starts(e, i, ".go") || name_starts(e, i, ".note.go.")) {
			go = 1;
		}
		err = load_range(l, s.offset, size);
	}
	*search_segments = !buildinfo && (!named || go || e->shnum == 0);
	return err;
}

/* Without section headers: PT_NOTE segments; when Go's build info must be searched for: the writable
 * PT_LOAD segments. */
static int load_segments(struct loader *l, const sbom_elf *e, int search_segments)
{
	int err = 0;
	for (unsigned i = 0; !err && i < e->phnum; i++) {
		sbom_elf_segment s;
		if (sbom_elf_segment_at(e, i, &s) != 0)
			break;
		if ((s.type == 4 /* PT_NOTE */ && e->shnum == 0) || (search_segments && s.type == 1 && (s.flags & 2)))
			err = load_range(l, s.offset, s.filesz);
	}
	return err;
}

int sbom_elf_load(sbom_elf *e, unsigned char **mem, const cairn_tree *tree, const cairn_entry *entry)
{
	*mem = NULL;
	unsigned char head[64];
	if (entry->size < 52)
		return 1;
	size_t n = entry->size < sizeof head ? (size_t)entry->size : sizeof head;
	int err = cairn_tree_read_at(tree, entry, 0, head, n);
	if (err)
		return err;
	if (sbom_elf_open(e, head, n) != 0)
		return 1;
	if (entry->size > SIZE_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: too large to load", entry->path);
	struct loader l;
	memset(&l, 0, sizeof l);
	l.tree = tree;
	l.entry = entry;
	l.len = (size_t)entry->size;
	void *pages = mmap(NULL, l.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		return cairn_error_set(CAIRN_ENOMEM, "%s: out of memory for %zu bytes", entry->path, l.len);
	l.data = pages;
	/* e points into data from here on: ranges land in place as they are read */
	err = load_range(&l, 0, l.len < LOAD_FRONT ? l.len : LOAD_FRONT);
	if (!err && sbom_elf_open(e, l.data, l.len) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: changed while it was read", entry->path);
	if (!err && e->phnum > LOAD_MAX_PHNUM)
		err = cairn_error_set(CAIRN_EINVAL, "%s: its ELF header claims %u program headers (at most %u are read)",
				      entry->path, e->phnum, LOAD_MAX_PHNUM);
	if (!err)
		err = load_range(&l, e->phoff, (uint64_t)e->phnum * e->phentsize);
	if (!err)
		err = load_range(&l, e->shoff, (uint64_t)e->shnum * e->shentsize);
	uint64_t toff, tsize;
	if (!err && name_table(e, &toff, &tsize) == 0)
		err = load_range(&l, toff, tsize);
	int search_segments = 0;
	if (!err)
		err = load_sections(&l, e, &search_segments);
	if (!err)
		err = load_segments(&l, e, search_segments);
	if (err) {
		munmap(l.data, l.len);
		memset(e, 0, sizeof *e);
		return err;
	}
	*mem = l.data;
	return 0;
}

void sbom_elf_unload(unsigned char *mem, size_t len)
{
	if (mem != NULL)
		munmap(mem, len);
}
