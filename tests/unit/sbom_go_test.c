/* Unit tests of the Go cataloger: build info in ELF binaries laid out as the ELF specification and Go's
 * debug/buildinfo documentation describe them (64- and 32-bit, little- and big-endian, the inline
 * strings of Go >= 1.18 and the pointer-based format before it, with and without section headers),
 * module info text as `go version -m` prints it, go.mod files as the Go modules reference writes them,
 * and hostile bytes: every truncation, lengths and pointers outside the file. The real binaries of
 * Debian packages are compared with `go version -m` in tests/e2e/sbom_go_rpm.bats. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The 16-byte markers Go (>= 1.13) writes around module info (runtime/debug's modinfo sentinels). */
static const char sentinel_start[] = "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6";
static const char sentinel_end[] = "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2";

static const char modinfo_text[] = "path\texample.com/app/cmd/app\n"
				   "mod\texample.com/app\t(devel)\t\n"
				   "dep\tgithub.com/pkg/errors\tv0.9.1\th1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=\n"
				   "dep\tgolang.org/x/sys\tv0.1.0\th1:kunALQeHf1/185U1i0GOB/fy1IPRDDpuoOOqRReG57U=\n"
				   "=>\tgolang.org/x/sys\tv0.2.0\th1:ljd4t30dBnAvMZaQCevtY0xLLD0A+bRZXbgLMLU1F/A=\n"
				   "dep\texample.com/local\tv1.0.0\t\n"
				   "=>\t./local\t\t\n"
				   "build\t-compiler=gc\n"
				   "build\tGOARCH=amd64\n";

struct image {
	unsigned char b[4096];
	size_t len;
	int big;
};

static void put(struct image *im, size_t off, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++) {
		unsigned shift = 8 * (im->big ? width - 1 - i : i);
		im->b[off + i] = (unsigned char)(v >> shift);
	}
}

static size_t put_uvarint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

enum { BI_OFF = 0x100, STR_OFF = 0x180, SH_STR = 0x600, SH_OFF = 0x640 };
#define VADDR 0x400000u

/* An ELF executable with one writable PT_LOAD mapping the whole file at VADDR, build info at 0x100. */
static void build_elf(struct image *im, int is64, int big, int inline_strings, int sections, const char *version,
		      const char *modinfo, size_t modinfo_len)
{
	memset(im, 0, sizeof *im);
	im->big = big;
	im->len = 0x800;
	memcpy(im->b, "\x7f" "ELF", 4);
	im->b[4] = is64 ? 2 : 1;
	im->b[5] = big ? 2 : 1;
	im->b[6] = 1;
	put(im, 16, 2, 2); /* ET_EXEC */
	unsigned w = is64 ? 8 : 4, phoff = is64 ? 64 : 52;
	if (is64) {
		put(im, 0x20, phoff, 8);
		put(im, 0x28, sections ? SH_OFF : 0, 8);
		put(im, 0x36, 56, 2);
		put(im, 0x38, 1, 2);
		put(im, 0x3a, 64, 2);
		put(im, 0x3c, sections ? 3 : 0, 2);
		put(im, 0x3e, sections ? 2 : 0, 2);
		put(im, phoff, 1, 4);               /* PT_LOAD */
		put(im, phoff + 4, 6, 4);           /* PF_R | PF_W */
		put(im, phoff + 8, 0, 8);           /* offset */
		put(im, phoff + 0x10, VADDR, 8);    /* vaddr */
		put(im, phoff + 0x20, im->len, 8);  /* filesz */
		put(im, phoff + 0x28, im->len, 8);  /* memsz */
	} else {
		put(im, 0x1c, phoff, 4);
		put(im, 0x20, sections ? SH_OFF : 0, 4);
		put(im, 0x2a, 32, 2);
		put(im, 0x2c, 1, 2);
		put(im, 0x2e, 40, 2);
		put(im, 0x30, sections ? 3 : 0, 2);
		put(im, 0x32, sections ? 2 : 0, 2);
		put(im, phoff, 1, 4);
		put(im, phoff + 4, 0, 4);
		put(im, phoff + 8, VADDR, 4);
		put(im, phoff + 0x10, im->len, 4);
		put(im, phoff + 0x14, im->len, 4);
		put(im, phoff + 0x18, 6, 4);
	}
	/* the build info header: magic, pointer size, flags (bit 0 big-endian, bit 1 inline strings) */
	memcpy(im->b + BI_OFF, "\xff Go buildinf:", 14);
	im->b[BI_OFF + 14] = (unsigned char)w;
	im->b[BI_OFF + 15] = (unsigned char)((big ? 1 : 0) | (inline_strings ? 2 : 0));
	size_t vlen = strlen(version);
	if (inline_strings) {
		size_t p = BI_OFF + 32;
		p += put_uvarint(im->b + p, vlen);
		memcpy(im->b + p, version, vlen);
		p += vlen;
		p += put_uvarint(im->b + p, modinfo_len);
		memcpy(im->b + p, modinfo, modinfo_len);
	} else {
		/* two pointers to Go string headers {data, len}, the strings after them */
		size_t hdr = BI_OFF + 32, data = STR_OFF;
		put(im, BI_OFF + 16, VADDR + hdr, w);
		put(im, BI_OFF + 16 + w, VADDR + hdr + 2 * w, w);
		put(im, hdr, VADDR + data, w);
		put(im, hdr + w, vlen, w);
		memcpy(im->b + data, version, vlen);
		put(im, hdr + 2 * w, VADDR + data + vlen, w);
		put(im, hdr + 3 * w, modinfo_len, w);
		memcpy(im->b + data + vlen, modinfo, modinfo_len);
	}
	if (sections) {
		static const char names[] = "\0.go.buildinfo\0.shstrtab";
		memcpy(im->b + SH_STR, names, sizeof names);
		unsigned sz = is64 ? 64 : 40;
		size_t s1 = SH_OFF + sz, s2 = SH_OFF + 2 * sz;
		put(im, s1, 1, 4);
		put(im, s1 + 4, 1, 4);
		put(im, s1 + (is64 ? 0x18 : 0x10), BI_OFF, w);
		put(im, s1 + (is64 ? 0x20 : 0x14), 0x80, w);
		put(im, s2, 15, 4);
		put(im, s2 + 4, 3, 4);
		put(im, s2 + (is64 ? 0x18 : 0x10), SH_STR, w);
		put(im, s2 + (is64 ? 0x20 : 0x14), sizeof names, w);
	}
}

static size_t wrapped_modinfo(char *out)
{
	size_t n = strlen(modinfo_text);
	memcpy(out, sentinel_start, 16);
	memcpy(out + 16, modinfo_text, n);
	memcpy(out + 16 + n, sentinel_end, 16);
	return n + 32;
}

static const cairn_sbom_package *find(const cairn_sbom *sbom, const char *name)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		if (strcmp(cairn_sbom_package_at(sbom, i)->name, name) == 0)
			return cairn_sbom_package_at(sbom, i);
	return NULL;
}

static int depends(const cairn_sbom *sbom, const char *from, const char *to)
{
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		if (r->type == CAIRN_SBOM_REL_DEPENDS_ON && strcmp(cairn_sbom_package_at(sbom, r->from)->name, from) == 0 &&
		    strcmp(cairn_sbom_package_at(sbom, r->to)->name, to) == 0)
			return 1;
	}
	return 0;
}

static void expect_app(cairn_sbom *sbom, const char *go)
{
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0, "%s", cairn_sbom_warning_count(sbom) ? cairn_sbom_warning(sbom, 0) : "");
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 5);
	const cairn_sbom_package *p = find(sbom, "example.com/app");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, "(devel)");
	cr_assert_str_eq(p->purl, "pkg:golang/example.com/app@%28devel%29");
	cr_assert_str_eq(p->locations[0].path, "/usr/bin/app");
	p = find(sbom, "github.com/pkg/errors");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->purl, "pkg:golang/github.com/pkg/errors@v0.9.1");
	p = find(sbom, "golang.org/x/sys"); /* the replacement, as `go version -m` shows it last */
	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, "v0.2.0");
	p = find(sbom, "example.com/local"); /* replaced by a directory: the module path, (devel) */
	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, "(devel)");
	p = find(sbom, "stdlib");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, go);
	cr_assert(depends(sbom, "example.com/app", "github.com/pkg/errors"));
	cr_assert(depends(sbom, "example.com/app", "golang.org/x/sys"));
	cr_assert(depends(sbom, "example.com/app", "stdlib"));
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 4);
}

static void parse(cairn_sbom **sbom, const struct image *im)
{
	cr_assert_eq(cairn_sbom_new(sbom), 0);
	cr_assert_eq(sbom_go_parse_binary(*sbom, im->b, im->len, "/usr/bin/app", NULL), 0, "%s", cairn_error_message());
}

Test(sbom_go, inline_strings_every_layout)
{
	char mod[1024];
	size_t n = wrapped_modinfo(mod);
	for (int is64 = 0; is64 <= 1; is64++)
		for (int big = 0; big <= 1; big++)
			for (int sections = 0; sections <= 1; sections++) {
				struct image im;
				build_elf(&im, is64, big, 1, sections, "go1.21.5", mod, n);
				cairn_sbom *sbom;
				parse(&sbom, &im);
				expect_app(sbom, "go1.21.5");
				cairn_sbom_free(sbom);
			}
}

Test(sbom_go, pointer_format_before_go_1_18)
{
	char mod[1024];
	size_t n = wrapped_modinfo(mod);
	for (int is64 = 0; is64 <= 1; is64++)
		for (int big = 0; big <= 1; big++) {
			struct image im;
			build_elf(&im, is64, big, 0, 1, "go1.16.15", mod, n);
			cairn_sbom *sbom;
			parse(&sbom, &im);
			expect_app(sbom, "go1.16.15");
			cairn_sbom_free(sbom);
		}
}

Test(sbom_go, gopath_binary_and_experiments)
{
	/* GOPATH mode: a path line, no mod line: no main module; toolchain experiments after a space */
	static const char text[] = "path\tgithub.com/opencontainers/umoci/cmd/umoci\nbuild\t-compiler=gc\n";
	struct image im;
	build_elf(&im, 1, 0, 1, 1, "go1.22.1 X:nocoverageredesign", text, strlen(text));
	cairn_sbom *sbom;
	parse(&sbom, &im);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	cr_assert_str_eq(cairn_sbom_package_at(sbom, 0)->name, "stdlib");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, 0)->version, "go1.22.1");
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 0);
	cairn_sbom_free(sbom);
}

Test(sbom_go, not_go_or_not_elf_adds_nothing)
{
	struct image im;
	build_elf(&im, 1, 0, 1, 1, "go1.21.5", "", 0);
	memset(im.b + BI_OFF, 0, 16); /* no magic anywhere: a C program */
	cairn_sbom *sbom;
	parse(&sbom, &im);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0);
	cr_assert_eq(sbom_go_parse_binary(sbom, (const unsigned char *)"#!/bin/sh\n", 10, "/bin/x", NULL), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
}

/* Every prefix of a binary and every corrupted length or pointer: never a crash or a read outside
 * (ASan), at most a warning naming the file, never a failure of the SBOM. */
Test(sbom_go, hostile_truncations_and_pointers)
{
	char mod[1024];
	size_t n = wrapped_modinfo(mod);
	for (int inl = 0; inl <= 1; inl++) {
		struct image im;
		build_elf(&im, 1, 0, inl, 1, "go1.21.5", mod, n);
		for (size_t len = 0; len <= im.len; len += 7) {
			unsigned char *copy = malloc(len ? len : 1);
			memcpy(copy, im.b, len);
			cairn_sbom *sbom;
			cr_assert_eq(cairn_sbom_new(&sbom), 0);
			cr_assert_eq(sbom_go_parse_binary(sbom, copy, len, "/usr/bin/app", NULL), 0);
			free(copy);
			cairn_sbom_free(sbom);
		}
	}
	/* the module info length far past the end */
	struct image im;
	build_elf(&im, 1, 0, 1, 1, "go1.21.5", mod, n);
	size_t p = BI_OFF + 32 + 1 + strlen("go1.21.5");
	memcpy(im.b + p, "\xff\xff\xff\xff\x0f", 5);
	cairn_sbom *sbom;
	parse(&sbom, &im);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 1);
	cr_assert(strstr(cairn_sbom_warning(sbom, 0), "/usr/bin/app: Go build info is malformed") != NULL);
	cairn_sbom_free(sbom);
	/* pointer format: the string header pointer outside every segment */
	build_elf(&im, 1, 0, 0, 1, "go1.16.15", mod, n);
	put(&im, BI_OFF + 16 + 8, 0xdead0000u, 8);
	parse(&sbom, &im);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 1);
	cairn_sbom_free(sbom);
	/* pointer format: a string length past its segment */
	build_elf(&im, 1, 0, 0, 1, "go1.16.15", mod, n);
	put(&im, BI_OFF + 32 + 24, 0x7fffffffffffull, 8);
	parse(&sbom, &im);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 1);
	cairn_sbom_free(sbom);
}

Test(sbom_go, malformed_lines_are_one_warning)
{
	static const char text[] = "mod\texample.com/app\tv1.0.0\n=>\n\x01garbage\ndep\tgood.example/x\tv1.2.3\n";
	struct image im;
	build_elf(&im, 1, 0, 1, 1, "go1.21.5", text, strlen(text));
	cairn_sbom *sbom;
	parse(&sbom, &im);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 1);
	cr_assert_not_null(find(sbom, "good.example/x"));
	cr_assert_not_null(find(sbom, "example.com/app"));
	cairn_sbom_free(sbom);
}

/* The example go.mod of the Go modules reference (go.dev/ref/mod#go-mod-file), plus a versioned
 * replacement and a directory replacement (which keeps the required version). */
Test(sbom_go, go_mod_file)
{
	static const char text[] = "module example.com/my/thing\n\n"
				   "go 1.12\n\n"
				   "require example.com/other/thing v1.0.2\n"
				   "require example.com/new/thing/v2 v2.3.4\n"
				   "exclude example.com/old/thing v1.2.3\n"
				   "replace example.com/bad/thing v1.4.5 => example.com/good/thing v1.4.5\n"
				   "retract [v1.9.0, v1.9.5]\n\n"
				   "require (\n"
				   "\texample.com/bad/thing v1.4.5 // indirect\n"
				   "\t\"example.com/quoted\" v0.1.0\n"
				   "\texample.com/dir/thing v0.3.0\n"
				   ")\n"
				   "replace (\n\texample.com/dir/thing => ../thing\n)\n";
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_go_parse_mod(sbom, text, sizeof text - 1, "/src/go.mod", NULL), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 5);
	cr_assert_str_eq(find(sbom, "example.com/other/thing")->version, "v1.0.2");
	cr_assert_str_eq(find(sbom, "example.com/new/thing/v2")->purl, "pkg:golang/example.com/new/thing/v2@v2.3.4");
	cr_assert_str_eq(find(sbom, "example.com/good/thing")->version, "v1.4.5");
	cr_assert_null(find(sbom, "example.com/bad/thing"));
	cr_assert_null(find(sbom, "example.com/old/thing"));
	cr_assert_str_eq(find(sbom, "example.com/quoted")->version, "v0.1.0");
	cr_assert_str_eq(find(sbom, "example.com/dir/thing")->version, "v0.3.0");
	cairn_sbom_free(sbom);
}

Test(sbom_go, want_chooses_by_place_name_and_size)
{
	const uint64_t mb = 1024 * 1024;
	cr_assert(sbom_go_want("/usr/bin/skopeo", 30 * mb, 0));
	cr_assert(sbom_go_want("/manager", 30 * mb, 0));
	cr_assert(sbom_go_want("/usr/local/bin/kubectl.1.27", 30 * mb, 0)); /* a dotted name in a bin dir */
	cr_assert_not(sbom_go_want("/usr/lib/x86_64-linux-gnu/libc.so.6", 2 * mb, 0));
	cr_assert_not(sbom_go_want("/usr/bin/tiny", 1000, 0));       /* smaller than any Go program */
	cr_assert_not(sbom_go_want("/usr/bin/huge", 1024 * mb, 0)); /* over the per-binary bound */
	/* directories: binaries are read from disk later, never kept; go.mod kept */
	cr_assert_not(sbom_go_want("/usr/bin/skopeo", 30 * mb, 1));
	cr_assert(sbom_go_want("/src/app/go.mod", 1000, 1));
	cr_assert_not(sbom_go_want("/src/app/go.mod", 1000, 0));
}

/* ---- Go binaries of a directory, read in parts ---- */

#define BIG_BINARY ((size_t)600 * 1024) /* over the 512 KiB no Go program is smaller than */
#define MARKER_OFF ((size_t)300 * 1024)
#define FAR_OFF ((size_t)400 * 1024)

/* Writes im at dir/usr/bin/app, padded to BIG_BINARY bytes with a marker no parser needs; far (64-bit
 * little-endian with sections only): the build info moved from BI_OFF to FAR_OFF, where its section
 * header then points. */
static void write_binary(const char *dir, const struct image *im, int far)
{
	char path[256];
	snprintf(path, sizeof path, "%s/usr", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/usr/bin", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/usr/bin/app", dir);
	unsigned char *data = calloc(1, BIG_BINARY);
	cr_assert_not_null(data);
	memcpy(data, im->b, im->len);
	memset(data + MARKER_OFF, 0xaa, 64);
	if (far) {
		memcpy(data + FAR_OFF, data + BI_OFF, SH_STR - BI_OFF);
		memset(data + BI_OFF, 0, SH_STR - BI_OFF);
		for (unsigned i = 0; i < 8; i++)
			data[SH_OFF + 64 + 0x18 + i] = (unsigned char)(FAR_OFF >> (8 * i));
	}
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, BIG_BINARY, f), BIG_BINARY);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
	free(data);
}

static void remove_dir(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Build info of every layout, through the sparse loader: what is read holds it all (inline strings),
 * or the loader says the whole file is needed (the pointer format); the marker is never read. */
Test(sbom_go, sparse_load_finds_the_build_info)
{
	char mod[1024];
	size_t n = wrapped_modinfo(mod);
	for (int inl = 0; inl <= 1; inl++)
		for (int sections = 0; sections <= 2; sections++) {
			char dir[] = "/tmp/cairn-go-load-XXXXXX";
			cr_assert_not_null(mkdtemp(dir));
			struct image im;
			build_elf(&im, 1, 0, inl, sections > 0, inl ? "go1.21.5" : "go1.16.15", mod, n);
			write_binary(dir, &im, sections == 2 && inl); /* 2: the section far from the front */
			cairn_tree *tree;
			cr_assert_eq(cairn_tree_from_dir(&tree, dir, NULL, NULL, NULL), 0, "%s", cairn_error_message());
			const cairn_entry *e = cairn_tree_lookup(tree, "/usr/bin/app");
			cr_assert_not_null(e);
			sbom_elf elf;
			unsigned char *mem;
			cr_assert_eq(sbom_elf_load(&elf, &mem, tree, e), 0, "%s", cairn_error_message());
			cr_assert_eq(elf.len, BIG_BINARY);
			cr_assert_eq(mem[MARKER_OFF], 0, "inline %d sections %d: the marker was read", inl, sections);
			cr_assert_eq(sbom_go_buildinfo_indirect(&elf), !inl);
			if (inl) {
				cairn_sbom *sbom;
				cr_assert_eq(cairn_sbom_new(&sbom), 0);
				cr_assert_eq(sbom_go_parse_binary(sbom, mem, elf.len, "/usr/bin/app", NULL), 0);
				expect_app(sbom, "go1.21.5");
				cairn_sbom_free(sbom);
			}
			sbom_elf_unload(mem, elf.len);
			cairn_tree_free(tree);
			remove_dir(dir);
		}
}

/* The whole cataloger over a directory: the same packages in every layout, the pointer format by a
 * whole read of the binary. */
Test(sbom_go, catalog_directory_binaries_in_every_layout)
{
	char mod[1024];
	size_t n = wrapped_modinfo(mod);
	for (int inl = 0; inl <= 1; inl++)
		for (int sections = 0; sections <= 1; sections++)
			for (int big = 0; big <= 1; big++) {
				char dir[] = "/tmp/cairn-go-dir-XXXXXX";
				cr_assert_not_null(mkdtemp(dir));
				struct image im;
				const char *go = inl ? "go1.21.5" : "go1.16.15";
				build_elf(&im, 1, big, inl, sections, go, mod, n);
				write_binary(dir, &im, 0);
				char source[64];
				snprintf(source, sizeof source, "dir:%s", dir);
				cairn_image *image;
				cairn_sbom *sbom;
				cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
				cr_assert_eq(cairn_sbom_catalog(&sbom, image, NULL), 0, "%s", cairn_error_message());
				cairn_image_close(image);
				cr_assert_eq(cairn_sbom_package_count(sbom), 5, "inline %d sections %d big %d", inl, sections, big);
				cr_assert_str_eq(find(sbom, "stdlib")->version, go);
				cr_assert_str_eq(find(sbom, "golang.org/x/sys")->version, "v0.2.0");
				cr_assert_str_eq(find(sbom, "example.com/app")->locations[0].path, "/usr/bin/app");
				cr_assert(depends(sbom, "example.com/app", "stdlib"));
				cairn_sbom_free(sbom);
				remove_dir(dir);
			}
}
