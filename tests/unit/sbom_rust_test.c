/* Unit tests of the Rust and ELF package note catalogers: Cargo.lock files of versions 1 to 4 written as
 * cargo's Cargo.lock format describes them (v1's fully qualified dependencies and [metadata] checksums,
 * v2+'s shortest unambiguous dependency strings, v3/v4's version key, git and alternate registry
 * sources), malformed and oversized lockfiles; ELF files built here with a .dep-v0 section (zlib-
 * compressed JSON, as cargo-auditable documents it) and a .note.package note (systemd's package
 * metadata spec), in both classes and byte orders, and with sizes that leave their sections. Real files
 * are compared with cargo metadata, objcopy and ld in tests/e2e/sbom_rust.bats. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const cairn_sbom_package *find(const cairn_sbom *sbom, const char *name, const char *version)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->name, name) == 0 && (version == NULL || strcmp(p->version, version) == 0))
			return p;
	}
	return NULL;
}

static int depends(const cairn_sbom *sbom, const char *from, const char *to, const char *to_version)
{
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		const cairn_sbom_package *f = cairn_sbom_package_at(sbom, r->from), *t = cairn_sbom_package_at(sbom, r->to);
		if (r->type == CAIRN_SBOM_REL_DEPENDS_ON && strcmp(f->name, from) == 0 && strcmp(t->name, to) == 0 &&
		    (to_version == NULL || strcmp(t->version, to_version) == 0))
			return 1;
	}
	return 0;
}

static cairn_sbom *parse_lock(const char *text)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_rust_parse_lock(sbom, text, strlen(text), "/src/app/Cargo.lock", NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	return sbom;
}

static void expect_no_warnings(const cairn_sbom *sbom)
{
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0, "%s", cairn_sbom_warning_count(sbom) ? cairn_sbom_warning(sbom, 0) : "");
}

static void expect_warning(const cairn_sbom *sbom, const char *part)
{
	for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
		if (strstr(cairn_sbom_warning(sbom, i), part) != NULL)
			return;
	cr_assert_fail("no warning contains '%s' (%zu warnings%s%s)", part, cairn_sbom_warning_count(sbom),
		       cairn_sbom_warning_count(sbom) ? ": " : "", cairn_sbom_warning_count(sbom) ? cairn_sbom_warning(sbom, 0) : "");
}

#define CRATES "registry+https://github.com/rust-lang/crates.io-index"

/* Version 1 (cargo before 1.41): every dependency fully qualified, checksums in [metadata]. */
static const char lock_v1[] =
	"[[package]]\n"
	"name = \"app\"\n"
	"version = \"0.1.0\"\n"
	"dependencies = [\n"
	" \"rand 0.7.3 (" CRATES ")\",\n"
	" \"serde 1.0.100 (" CRATES ")\",\n"
	"]\n"
	"\n"
	"[[package]]\n"
	"name = \"libc\"\n"
	"version = \"0.2.66\"\n"
	"source = \"" CRATES "\"\n"
	"\n"
	"[[package]]\n"
	"name = \"rand\"\n"
	"version = \"0.7.3\"\n"
	"source = \"" CRATES "\"\n"
	"dependencies = [\n"
	" \"libc 0.2.66 (" CRATES ")\",\n"
	"]\n"
	"\n"
	"[[package]]\n"
	"name = \"serde\"\n"
	"version = \"1.0.100\"\n"
	"source = \"" CRATES "\"\n"
	"\n"
	"[metadata]\n"
	"\"checksum libc 0.2.66 (" CRATES ")\" = \"d515b1f41455adea1313a4a2ac8a8a477634fbae63cc6100e3aebb207ce61558\"\n"
	"\"checksum rand 0.7.3 (" CRATES ")\" = \"6a6b1679d49b24bbfe0c803429aa1874472f50d9b363131f0e89fc356b544d03\"\n"
	"\"checksum serde 1.0.100 (" CRATES ")\" = \"f4473e8506b213730ff2061073b48fa51dcc66349219e2e7c5608f0296a1d95a\"\n";

Test(sbom_rust, lock_v1)
{
	cairn_sbom *sbom = parse_lock(lock_v1);
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 4);
	const cairn_sbom_package *p = find(sbom, "rand", NULL);
	cr_assert_not_null(p);
	cr_assert_str_eq(p->type, "cargo");
	cr_assert_str_eq(p->purl, "pkg:cargo/rand@0.7.3");
	cr_assert_str_eq(p->locations[0].path, "/src/app/Cargo.lock");
	cr_assert_str_eq(find(sbom, "app", NULL)->purl, "pkg:cargo/app@0.1.0");
	cr_assert(depends(sbom, "app", "rand", "0.7.3"));
	cr_assert(depends(sbom, "app", "serde", "1.0.100"));
	cr_assert(depends(sbom, "rand", "libc", "0.2.66"));
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 3);
	cairn_sbom_free(sbom);
}

/* The oldest v1 files keep the root package in [root]. */
Test(sbom_rust, lock_v1_root_table)
{
	cairn_sbom *sbom = parse_lock("[root]\nname = \"old\"\nversion = \"0.0.1\"\ndependencies = [\n"
				      " \"libc 0.2.66 (" CRATES ")\",\n]\n\n"
				      "[[package]]\nname = \"libc\"\nversion = \"0.2.66\"\nsource = \"" CRATES "\"\n");
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 2);
	cr_assert(depends(sbom, "old", "libc", "0.2.66"));
	cairn_sbom_free(sbom);
}

/* Version 2 (cargo 1.41-1.52): checksum per package, dependencies as short as unambiguous. */
static const char lock_v2[] =
	"# This file is automatically @generated by Cargo.\n"
	"# It is not intended for manual editing.\n"
	"[[package]]\n"
	"name = \"app\"\n"
	"version = \"0.1.0\"\n"
	"dependencies = [\n"
	" \"itoa\",\n"
	" \"memchr 2.4.1\",\n"
	" \"memchr 2.5.0\",\n"
	"]\n"
	"\n"
	"[[package]]\n"
	"name = \"itoa\"\n"
	"version = \"1.0.1\"\n"
	"source = \"" CRATES "\"\n"
	"checksum = \"1aab8fc367588b89dcee83ab0fd66b72b50b72fa1904d7095045ace2b0c81c35\"\n"
	"\n"
	"[[package]]\n"
	"name = \"memchr\"\n"
	"version = \"2.4.1\"\n"
	"source = \"" CRATES "\"\n"
	"checksum = \"308cc39be01b73d0d18f82a0e7b2a3df85245f84af96fdddc5d202d27e47b86a\"\n"
	"\n"
	"[[package]]\n"
	"name = \"memchr\"\n"
	"version = \"2.5.0\"\n"
	"source = \"" CRATES "\"\n"
	"checksum = \"2dffe52ecf27772e601905b7522cb4ef790d2cc203488bbd0e2fe85fcb74566d\"\n";

Test(sbom_rust, lock_v2_short_dependencies)
{
	cairn_sbom *sbom = parse_lock(lock_v2);
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 4);
	cr_assert(depends(sbom, "app", "itoa", "1.0.1"));
	cr_assert(depends(sbom, "app", "memchr", "2.4.1"));
	cr_assert(depends(sbom, "app", "memchr", "2.5.0"));
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 3);
	cairn_sbom_free(sbom);
}

/* Version 3: a version key; a workspace member and a path dependency have no source. */
Test(sbom_rust, lock_v3_workspace)
{
	cairn_sbom *sbom = parse_lock("# This file is automatically @generated by Cargo.\n"
				      "# It is not intended for manual editing.\n"
				      "version = 3\n\n"
				      "[[package]]\nname = \"cli\"\nversion = \"0.2.0\"\ndependencies = [\n \"core-lib\",\n \"itoa\",\n]\n\n"
				      "[[package]]\nname = \"core-lib\"\nversion = \"0.2.0\"\n\n"
				      "[[package]]\nname = \"itoa\"\nversion = \"1.0.9\"\nsource = \"" CRATES "\"\n"
				      "checksum = \"af150ab688ff2122fcef229be89cb50dd66af9e01a4ff320cc137eecc9bacc38\"\n");
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 3);
	cr_assert_str_eq(find(sbom, "core-lib", NULL)->purl, "pkg:cargo/core-lib@0.2.0");
	cr_assert(depends(sbom, "cli", "core-lib", NULL));
	cr_assert(depends(sbom, "cli", "itoa", "1.0.9"));
	cairn_sbom_free(sbom);
}

/* Version 4 (cargo 1.78+), CRLF line ends, sources from git, another registry and the sparse index. */
Test(sbom_rust, lock_v4_sources)
{
	cairn_sbom *sbom = parse_lock(
		"version = 4\r\n\r\n"
		"[[package]]\r\nname = \"app\"\r\nversion = \"0.1.0\"\r\ndependencies = [\r\n \"gitdep\",\r\n \"inhouse\",\r\n \"tiny 0.1.0 (sparse+https://index.crates.io/)\",\r\n]\r\n\r\n"
		"[[package]]\r\nname = \"gitdep\"\r\nversion = \"0.3.0\"\r\n"
		"source = \"git+https://github.com/example/gitdep?branch=main#0123456789abcdef0123456789abcdef01234567\"\r\n\r\n"
		"[[package]]\r\nname = \"inhouse\"\r\nversion = \"2.0.0\"\r\nsource = \"sparse+https://crates.example.com/index/\"\r\n"
		"checksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\r\n\r\n"
		"[[package]]\r\nname = \"tiny\"\r\nversion = \"0.1.0\"\r\nsource = \"sparse+https://index.crates.io/\"\r\n\r\n"
		"[[package]]\r\nname = \"tiny\"\r\nversion = \"0.1.0\"\r\nsource = \"" CRATES "\" # the same crate twice\r\n");
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 5);
	cairn_purl purl;
	const cairn_sbom_package *p = find(sbom, "gitdep", NULL);
	cr_assert_eq(cairn_purl_parse(&purl, p->purl), 0, "%s", p->purl);
	cr_assert_str_eq(purl.type, "cargo");
	cr_assert_str_eq(purl.version, "0.3.0");
	cr_assert_str_eq(cairn_purl_qualifier_get(&purl, "vcs_url"),
			 "git+https://github.com/example/gitdep@0123456789abcdef0123456789abcdef01234567");
	cairn_purl_clear(&purl);
	p = find(sbom, "inhouse", NULL);
	cr_assert_eq(cairn_purl_parse(&purl, p->purl), 0, "%s", p->purl);
	cr_assert_str_eq(cairn_purl_qualifier_get(&purl, "repository_url"), "https://crates.example.com/index/");
	cairn_purl_clear(&purl);
	cr_assert_str_eq(find(sbom, "tiny", NULL)->purl, "pkg:cargo/tiny@0.1.0"); /* crates.io: no qualifier */
	cr_assert(depends(sbom, "app", "gitdep", NULL));
	cr_assert(depends(sbom, "app", "inhouse", NULL));
	cr_assert(depends(sbom, "app", "tiny", NULL));
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 3);
	cairn_sbom_free(sbom);
}

Test(sbom_rust, string_escapes_and_literal_strings)
{
	cairn_sbom *sbom = parse_lock("[[package]]\nname = \"a\\u0062c\"\nversion = '1.0.0'\n"
				      "dependencies = ['x', # a comment in an array\n]\n"
				      "[[package]]\nname = \"x\"\nversion = \"0.1.0\"\n");
	expect_no_warnings(sbom);
	cr_assert_not_null(find(sbom, "abc", "1.0.0"));
	cr_assert(depends(sbom, "abc", "x", "0.1.0"));
	cairn_sbom_free(sbom);
}

Test(sbom_rust, unresolvable_dependencies_are_a_warning)
{
	/* "memchr" alone is ambiguous with two versions present; "ghost" is not in the file */
	cairn_sbom *sbom = parse_lock("[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"memchr\", \"ghost\"]\n"
				      "[[package]]\nname = \"memchr\"\nversion = \"2.4.1\"\n"
				      "[[package]]\nname = \"memchr\"\nversion = \"2.5.0\"\n");
	expect_warning(sbom, "2 Rust dependencies name no single package");
	cr_assert_eq(cairn_sbom_package_count(sbom), 3);
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 0);
	cairn_sbom_free(sbom);
}

static void expect_rejected(const char *text, const char *why)
{
	cairn_sbom *sbom = parse_lock(text);
	expect_warning(sbom, "/src/app/Cargo.lock");
	expect_warning(sbom, why);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0, "%s", text);
	cairn_sbom_free(sbom);
}

Test(sbom_rust, malformed_lockfiles_list_nothing_and_say_why)
{
	expect_rejected("[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\n \"b\",\n", "an array is not closed");
	expect_rejected("[[package]]\nname = \"\"\"a\"\"\"\n", "multi-line strings");
	expect_rejected("[[package]]\nname = { x = 1 }\n", "not a string, number");
	expect_rejected("[[package]]\nname = \"a\nversion = \"1\"\n", "not closed on its line");
	expect_rejected("[[package]]\nname = \"a\\q\"\n", "invalid escape");
	expect_rejected("[[package\nname = \"a\"\n", "header is not closed");
	expect_rejected("[[package]]\nname = \"a\" version = \"1\"\n", "unexpected text");
	expect_rejected("[[package]]\nname \"a\"\n", "without '='");
	expect_rejected("[[package]]\ndependencies = [[\"a\"]]\n", "other than strings");
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_rust_parse_lock(sbom, "[[package]]\0", 12, "/x/Cargo.lock", NULL), 0);
	expect_warning(sbom, "NUL byte");
	cairn_sbom_free(sbom);
}

Test(sbom_rust, incomplete_packages_are_left_out_with_a_warning)
{
	cairn_sbom *sbom = parse_lock("[[package]]\nname = \"noversion\"\n\n[[package]]\nname = \"ok\"\nversion = \"1.0.0\"\n"
				      "dependencies = [\"noversion\"]\n\n[[patch.unused]]\nname = \"unused\"\nversion = \"9.9.9\"\n");
	expect_warning(sbom, "without name or version");
	cr_assert_eq(cairn_sbom_package_count(sbom), 1); /* [[patch.unused]] lists no installed package */
	cr_assert_not_null(find(sbom, "ok", "1.0.0"));
	cairn_sbom_free(sbom);
}

Test(sbom_rust, package_count_is_bounded)
{
	cairn_buf text = CAIRN_BUF_INIT;
	for (size_t i = 0; i <= 100000; i++)
		cr_assert_eq(cairn_buf_printf(&text, "[[package]]\nname = \"p%zu\"\nversion = \"1.0.0\"\n", i), 0);
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_rust_parse_lock(sbom, (const char *)text.data, text.len, "/big/Cargo.lock", NULL), 0);
	expect_warning(sbom, "more packages than the limit");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
	cairn_buf_free(&text);
}

/* ---- ELF files ---- */

struct section {
	const char *name;
	uint32_t type;
	uint32_t align;
	const unsigned char *data;
	size_t len;
};

struct elf_file {
	unsigned char *b;
	size_t len;
	int big, is64;
};

static void put(struct elf_file *f, size_t off, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		f->b[off + i] = (unsigned char)(v >> (8 * (f->big ? width - 1 - i : i)));
}

/* An ELF file (ET_EXEC, no code) holding the given sections after its header, then .shstrtab, then the
 * section header table; or, with segment set, no sections and one PT_NOTE segment holding sections[0]. */
static void build_elf(struct elf_file *f, int is64, int big, const struct section *secs, size_t n, int segment)
{
	size_t cap = 4096;
	for (size_t i = 0; i < n; i++)
		cap += secs[i].len + 16;
	f->b = calloc(1, cap);
	cr_assert_not_null(f->b);
	f->big = big;
	f->is64 = is64;
	unsigned ehsize = is64 ? 64 : 52, shsize = is64 ? 64 : 40, phsize = is64 ? 56 : 32, w = is64 ? 8 : 4;
	memcpy(f->b, "\x7f" "ELF", 4);
	f->b[4] = is64 ? 2 : 1;
	f->b[5] = big ? 2 : 1;
	f->b[6] = 1;
	put(f, 16, 2, 2);
	size_t pos = ehsize + (segment ? phsize : 0);
	size_t offs[8], names[8];
	char strtab[256] = "";
	size_t strlen_ = 1;
	for (size_t i = 0; i < n; i++) {
		pos = (pos + 7) & ~(size_t)7;
		offs[i] = pos;
		memcpy(f->b + pos, secs[i].data, secs[i].len);
		pos += secs[i].len;
		names[i] = strlen_;
		strcpy(strtab + strlen_, secs[i].name);
		strlen_ += strlen(secs[i].name) + 1;
	}
	size_t shstr_name = strlen_;
	strcpy(strtab + strlen_, ".shstrtab");
	strlen_ += strlen(".shstrtab") + 1;
	size_t shstr_off = pos;
	memcpy(f->b + pos, strtab, strlen_);
	pos += strlen_;
	pos = (pos + 7) & ~(size_t)7;
	size_t shoff = pos;
	if (segment) {
		put(f, is64 ? 0x20 : 0x1c, ehsize, w); /* e_phoff */
		put(f, is64 ? 0x36 : 0x2a, phsize, 2);
		put(f, is64 ? 0x38 : 0x2c, 1, 2);
		size_t ph = ehsize;
		put(f, ph, 4, 4); /* PT_NOTE */
		if (is64) {
			put(f, ph + 8, offs[0], 8);
			put(f, ph + 0x20, secs[0].len, 8);
			put(f, ph + 0x28, secs[0].len, 8);
			put(f, ph + 0x30, secs[0].align, 8);
		} else {
			put(f, ph + 4, offs[0], 4);
			put(f, ph + 0x10, secs[0].len, 4);
			put(f, ph + 0x14, secs[0].len, 4);
			put(f, ph + 0x1c, secs[0].align, 4);
		}
		f->len = pos;
		return;
	}
	put(f, is64 ? 0x28 : 0x20, shoff, w); /* e_shoff */
	put(f, is64 ? 0x3a : 0x2e, shsize, 2);
	put(f, is64 ? 0x3c : 0x30, n + 2, 2);
	put(f, is64 ? 0x3e : 0x32, n + 1, 2);
	for (size_t i = 0; i <= n; i++) {
		size_t sh = shoff + (i + 1) * shsize;
		size_t name = i < n ? names[i] : shstr_name, off = i < n ? offs[i] : shstr_off, len = i < n ? secs[i].len : strlen_;
		put(f, sh, name, 4);
		put(f, sh + 4, i < n ? secs[i].type : 3, 4);
		put(f, sh + (is64 ? 0x18 : 0x10), off, w);
		put(f, sh + (is64 ? 0x20 : 0x14), len, w);
		put(f, sh + (is64 ? 0x30 : 0x20), i < n ? secs[i].align : 1, w);
	}
	f->len = shoff + (n + 2) * shsize;
}

/* A note: namesz, descsz, type, name and descriptor each padded to 4 bytes. */
static size_t build_note(unsigned char *out, int big, const char *owner, uint32_t type, const char *desc)
{
	struct elf_file f = {out, 0, big, 0};
	size_t namesz = strlen(owner) + 1, descsz = strlen(desc) + 1; /* ld writes the JSON with its NUL */
	put(&f, 0, namesz, 4);
	put(&f, 4, descsz, 4);
	put(&f, 8, type, 4);
	size_t pos = 12;
	memset(out + pos, 0, (namesz + 3) & ~(size_t)3);
	memcpy(out + pos, owner, namesz);
	pos += (namesz + 3) & ~(size_t)3;
	memset(out + pos, 0, (descsz + 3) & ~(size_t)3);
	memcpy(out + pos, desc, descsz);
	return pos + ((descsz + 3) & ~(size_t)3);
}

static size_t deflate_text(const char *text, size_t len, unsigned char **out)
{
	uLongf n = compressBound((uLong)len);
	*out = malloc(n);
	cr_assert_not_null(*out);
	cr_assert_eq(compress2(*out, &n, (const Bytef *)text, (uLong)len, 9), Z_OK);
	return (size_t)n;
}

static const char audit_json[] =
	"{\"packages\":[{\"name\":\"app\",\"version\":\"0.1.0\",\"source\":\"local\",\"dependencies\":[1,2],\"root\":true},"
	"{\"name\":\"itoa\",\"version\":\"1.0.9\",\"source\":\"crates.io\"},"
	"{\"name\":\"cc\",\"version\":\"1.0.83\",\"source\":\"crates.io\",\"kind\":\"build\"}]}";

static cairn_sbom *parse_binary(const struct elf_file *f)
{
	cairn_sbom *sbom;
	sbom_elf elf;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_elf_open(&elf, f->b, f->len), 0);
	cr_assert_eq(sbom_rust_parse_binary(sbom, &elf, "/usr/bin/app", "sha256:ab"), 0, "%s", cairn_error_message());
	cr_assert_eq(sbom_elfnote_parse(sbom, &elf, "/usr/bin/app", "sha256:ab"), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	return sbom;
}

static cairn_sbom *audit_binary(int is64, int big, const char *json, size_t json_len)
{
	unsigned char *z;
	size_t zlen = deflate_text(json, json_len, &z);
	struct section s[] = {{".text", 1, 16, (const unsigned char *)"\xc3", 1}, {".dep-v0", 1, 1, z, zlen}};
	struct elf_file f;
	build_elf(&f, is64, big, s, 2, 0);
	cairn_sbom *sbom = parse_binary(&f);
	free(z);
	free(f.b);
	return sbom;
}

Test(sbom_rust, auditable_data_in_every_elf_layout)
{
	for (int layout = 0; layout < 4; layout++) {
		cairn_sbom *sbom = audit_binary(layout & 1, layout >> 1, audit_json, strlen(audit_json));
		expect_no_warnings(sbom);
		cr_assert_eq(cairn_sbom_package_count(sbom), 3, "layout %d", layout);
		const cairn_sbom_package *p = find(sbom, "itoa", NULL);
		cr_assert_str_eq(p->purl, "pkg:cargo/itoa@1.0.9");
		cr_assert_str_eq(p->locations[0].path, "/usr/bin/app");
		cr_assert_str_eq(p->locations[0].layer, "sha256:ab");
		cr_assert(depends(sbom, "app", "itoa", "1.0.9"));
		cr_assert(depends(sbom, "app", "cc", "1.0.83"));
		cr_assert_eq(cairn_sbom_relationship_count(sbom), 2);
		cairn_sbom_free(sbom);
	}
}

Test(sbom_rust, hostile_auditable_data)
{
	/* an index out of range: the packages stay, the edge goes, a warning says so */
	static const char bad_index[] = "{\"packages\":[{\"name\":\"a\",\"version\":\"1.0.0\",\"dependencies\":[7,-1,\"x\"]}]}";
	cairn_sbom *sbom = audit_binary(1, 0, bad_index, strlen(bad_index));
	expect_warning(sbom, "index out of range");
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 0);
	cairn_sbom_free(sbom);
	/* not the documented structure */
	sbom = audit_binary(1, 0, "{\"packages\":{}}", 15);
	expect_warning(sbom, "not zlib-compressed JSON");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
	sbom = audit_binary(1, 0, "[1,2", 4);
	expect_warning(sbom, "not zlib-compressed JSON");
	cairn_sbom_free(sbom);
	/* a bomb: 9 MiB of JSON whitespace deflates to a few KB; inflating stops at the bound */
	size_t big = (size_t)9 * 1024 * 1024;
	char *bomb = malloc(big);
	cr_assert_not_null(bomb);
	memset(bomb, ' ', big);
	memcpy(bomb, "{\"packages\":[", 13);
	memcpy(bomb + big - 2, "]}", 2);
	sbom = audit_binary(1, 0, bomb, big);
	free(bomb);
	expect_warning(sbom, "inflates to over");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
}

Test(sbom_rust, truncated_and_corrupt_zlib)
{
	unsigned char *z;
	size_t zlen = deflate_text(audit_json, strlen(audit_json), &z);
	for (int variant = 0; variant < 2; variant++) {
		size_t len = variant == 0 ? zlen / 2 : zlen;
		if (variant == 1)
			z[zlen - 3] ^= 0xff; /* the Adler-32 check fails */
		struct section s[] = {{".dep-v0", 1, 1, z, len}};
		struct elf_file f;
		build_elf(&f, 1, 0, s, 1, 0);
		cairn_sbom *sbom = parse_binary(&f);
		expect_warning(sbom, ".dep-v0");
		cr_assert_eq(cairn_sbom_package_count(sbom), 0);
		cairn_sbom_free(sbom);
		free(f.b);
	}
	free(z);
}

static const char note_json[] = "{\"type\":\"rpm\",\"os\":\"fedora\",\"osVersion\":\"40\",\"name\":\"curl\","
				"\"version\":\"8.6.0-1.fc40\",\"architecture\":\"x86_64\",\"osCpe\":\"cpe:/o:fedoraproject:fedora:40\","
				"\"debugInfoUrl\":\"https://debuginfod.fedoraproject.org/\"}";

static cairn_sbom *note_binary(int is64, int big, const unsigned char *notes, size_t len, int segment)
{
	struct section s[] = {{".note.package", 7, 4, notes, len}};
	struct elf_file f;
	build_elf(&f, is64, big, s, 1, segment);
	cairn_sbom *sbom = parse_binary(&f);
	free(f.b);
	return sbom;
}

static void expect_curl(cairn_sbom *sbom)
{
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	const cairn_sbom_package *p = cairn_sbom_package_at(sbom, 0);
	cr_assert_str_eq(p->type, "rpm");
	cr_assert_str_eq(p->name, "curl");
	cr_assert_str_eq(p->version, "8.6.0-1.fc40");
	cr_assert_str_eq(p->purl, "pkg:rpm/fedora/curl@8.6.0-1.fc40?arch=x86_64");
	cr_assert_str_eq(p->locations[0].path, "/usr/bin/app");
}

Test(sbom_rust, package_note_in_sections_and_segments)
{
	unsigned char notes[1024];
	for (int layout = 0; layout < 8; layout++) {
		/* a GNU build-id note first: the package note is found by owner and type, not position */
		size_t n = build_note(notes, layout >> 1 & 1, "GNU", 3, "0123456789abcdefghi");
		n += build_note(notes + n, layout >> 1 & 1, "FDO", 0xcafe1a7e, note_json);
		cairn_sbom *sbom = note_binary(layout & 1, layout >> 1 & 1, notes, n, layout >> 2);
		expect_curl(sbom);
		cairn_sbom_free(sbom);
	}
}

Test(sbom_rust, package_note_checked_strictly)
{
	unsigned char notes[1024];
	/* the descriptor size runs past the section */
	size_t n = build_note(notes, 0, "FDO", 0xcafe1a7e, note_json);
	notes[4] = (unsigned char)(notes[4] + 8);
	cairn_sbom *sbom = note_binary(1, 0, notes, n, 0);
	expect_warning(sbom, "package note (.note.package) is malformed");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
	/* a section that ends inside the padding of the name */
	n = build_note(notes, 0, "FDO", 0xcafe1a7e, note_json);
	sbom = note_binary(1, 0, notes, 14, 0);
	expect_warning(sbom, "malformed");
	cairn_sbom_free(sbom);
	/* the right type from another owner is not the package note */
	n = build_note(notes, 0, "GNU", 0xcafe1a7e, note_json);
	sbom = note_binary(1, 0, notes, n, 0);
	expect_no_warnings(sbom);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
	/* JSON without a version, or with a type no purl can have */
	n = build_note(notes, 0, "FDO", 0xcafe1a7e, "{\"type\":\"rpm\",\"name\":\"curl\"}");
	sbom = note_binary(1, 0, notes, n, 0);
	expect_warning(sbom, "lacks type, name or version");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
	n = build_note(notes, 0, "FDO", 0xcafe1a7e, "{\"type\":\"R P M\",\"name\":\"curl\",\"version\":\"1\"}");
	sbom = note_binary(1, 0, notes, n, 0);
	expect_warning(sbom, "malformed");
	cairn_sbom_free(sbom);
	n = build_note(notes, 0, "FDO", 0xcafe1a7e, "{\"type\":\"rpm\",\"name\":\"curl\",\"version\":\"1\"} trailing");
	sbom = note_binary(1, 0, notes, n, 0);
	expect_warning(sbom, "malformed");
	cairn_sbom_free(sbom);
}

Test(sbom_rust, every_truncation_of_a_binary_is_safe)
{
	unsigned char notes[1024], *z;
	size_t n = build_note(notes, 0, "FDO", 0xcafe1a7e, note_json);
	size_t zlen = deflate_text(audit_json, strlen(audit_json), &z);
	struct section s[] = {{".note.package", 7, 4, notes, n}, {".dep-v0", 1, 1, z, zlen}};
	struct elf_file f;
	build_elf(&f, 1, 0, s, 2, 0);
	for (size_t len = 0; len <= f.len; len++) {
		cairn_sbom *sbom;
		sbom_elf elf;
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		unsigned char *copy = malloc(len ? len : 1); /* exact size: ASan sees any read past it */
		memcpy(copy, f.b, len);
		if (sbom_elf_open(&elf, copy, len) == 0) {
			cr_assert_eq(sbom_rust_parse_binary(sbom, &elf, "/b", NULL), 0);
			cr_assert_eq(sbom_elfnote_parse(sbom, &elf, "/b", NULL), 0);
		}
		if (len == f.len)
			cr_assert_eq(cairn_sbom_package_count(sbom), 4);
		free(copy);
		cairn_sbom_free(sbom);
	}
	free(f.b);
	free(z);
}

/* ---- the whole cataloger over a directory ---- */

static char root[64];

static void write_file(const char *rel, const void *data, size_t len, int mode)
{
	char path[256], cmd[320];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(data, 1, len, fp), len);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "chmod %o '%s'", (unsigned)mode, path);
	cr_assert_eq(system(cmd), 0);
}

Test(sbom_rust, catalog_directory)
{
	strcpy(root, "/tmp/cairn-rust-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	unsigned char notes[1024], *z;
	/* two binaries of one package note; a deb the dpkg database lists, whose binary carries a note too */
	size_t n = build_note(notes, 0, "FDO", 0xcafe1a7e, note_json);
	struct section s1[] = {{".note.package", 7, 4, notes, n}};
	struct elf_file f;
	build_elf(&f, 1, 0, s1, 1, 0);
	write_file("usr/bin/curl", f.b, f.len, 0755);
	write_file("usr/lib64/libcurl.so.4.8.0", f.b, f.len, 0644);
	write_file("usr/share/doc/notes.txt", f.b, f.len, 0755); /* not a binary by name: not read */
	free(f.b);
	n = build_note(notes, 0, "FDO", 0xcafe1a7e, "{\"type\":\"deb\",\"os\":\"debian\",\"name\":\"hello\",\"version\":\"2.10-3\"}");
	build_elf(&f, 1, 0, s1, 1, 0);
	write_file("usr/bin/hello", f.b, f.len, 0755);
	free(f.b);
	/* as Debian's libsystemd0: the note names the source package (systemd, not installed), the file
	 * belongs to the binary package dpkg lists; the SBOM must not claim systemd is installed */
	n = build_note(notes, 0, "FDO", 0xcafe1a7e, "{\"type\":\"deb\",\"os\":\"debian\",\"name\":\"systemd\",\"version\":\"252.39-1\"}");
	build_elf(&f, 1, 0, s1, 1, 0);
	write_file("usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0", f.b, f.len, 0644);
	free(f.b);
	static const char status[] = "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n\n"
				     "Package: libsystemd0\nStatus: install ok installed\nVersion: 252.39-1\nArchitecture: amd64\n"
				     "Source: systemd\n\n";
	write_file("var/lib/dpkg/status", status, strlen(status), 0644);
	static const char list[] = "/.\n/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0\n";
	write_file("var/lib/dpkg/info/libsystemd0:amd64.list", list, strlen(list), 0644);
	/* a Rust program outside bin/ (extension-less, over 64 KiB) with auditable data, and a lockfile */
	size_t zlen = deflate_text(audit_json, strlen(audit_json), &z);
	unsigned char *pad = calloc(1, 70000);
	struct section s2[] = {{".dep-v0", 1, 1, z, zlen}, {".pad", 1, 1, pad, 70000}};
	build_elf(&f, 1, 0, s2, 2, 0);
	write_file("app/server", f.b, f.len, 0755);
	free(f.b);
	free(pad);
	free(z);
	write_file("src/app/Cargo.lock", lock_v2, strlen(lock_v2), 0644);

	char source[96];
	snprintf(source, sizeof source, "dir:%s", root);
	cairn_image *image;
	cairn_sbom *sbom;
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_catalog(&sbom, image, NULL), 0, "%s", cairn_error_message());
	cairn_image_close(image);
	expect_no_warnings(sbom);
	const cairn_sbom_package *curl = find(sbom, "curl", NULL);
	cr_assert_not_null(curl);
	cr_assert_eq(curl->location_count, 2);
	const cairn_sbom_package *hello = find(sbom, "hello", NULL);
	cr_assert_not_null(hello);
	size_t hellos = 0;
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		hellos += strcmp(cairn_sbom_package_at(sbom, i)->name, "hello") == 0;
	cr_assert_eq(hellos, 1);
	cr_assert_str_eq(hello->type, "deb");
	cr_assert_str_eq(hello->locations[0].path, "/var/lib/dpkg/status"); /* once, from the database */
	cr_assert_null(find(sbom, "systemd", NULL), "a note in a file libsystemd0 owns adds no systemd package");
	cr_assert_not_null(find(sbom, "libsystemd0", NULL));
	const cairn_sbom_package *app = find(sbom, "app", "0.1.0");
	cr_assert_not_null(app);
	size_t cargo = 0;
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		cargo += strcmp(cairn_sbom_package_at(sbom, i)->type, "cargo") == 0;
	cr_assert_eq(cargo, 3 + 4); /* the binary's three and the lockfile's four, each at its place */
	const cairn_sbom_package *itoa = find(sbom, "itoa", "1.0.9");
	cr_assert_str_eq(itoa->locations[0].path, "/app/server");
	cr_assert_eq(itoa->cpe_count, 1);
	cr_assert_str_eq(itoa->cpes[0], "cpe:2.3:a:itoa:itoa:1.0.9:*:*:*:*:*:*:*");
	cairn_sbom_free(sbom);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

/* ---- loading a binary in parts (sbom_elf_load) ---- */

static int keep_all(void *arg, const char *path, uint64_t size)
{
	(void)arg;
	(void)path;
	(void)size;
	return 1;
}

/* A directory holding one file, as a tree (keep: its content kept in memory as an image's would be). */
static cairn_tree *tree_of_one(const void *data, size_t len, int keep, const cairn_entry **entry)
{
	strcpy(root, "/tmp/cairn-elfload-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	write_file("usr/bin/app", data, len, 0755);
	cairn_tree *tree;
	cr_assert_eq(cairn_tree_from_dir(&tree, root, NULL, keep ? keep_all : NULL, NULL), 0, "%s", cairn_error_message());
	*entry = cairn_tree_lookup(tree, "/usr/bin/app");
	cr_assert_not_null(*entry);
	return tree;
}

static void drop_tree(cairn_tree *tree)
{
	cairn_tree_free(tree);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The note, the auditable data and the headers are read; a large section between them is not, and
 * the parsers find the same four packages in the parts as in the whole file. */
Test(sbom_rust, sparse_load_reads_only_what_the_parsers_need)
{
	unsigned char notes[1024], *z;
	size_t n = build_note(notes, 0, "FDO", 0xcafe1a7e, note_json);
	size_t zlen = deflate_text(audit_json, strlen(audit_json), &z);
	unsigned char *pad = malloc(200000);
	memset(pad, 0xaa, 200000);
	struct section s[] = {{".note.package", 7, 4, notes, n}, {".text", 1, 16, pad, 200000}, {".dep-v0", 1, 1, z, zlen}};
	struct elf_file f;
	for (int is64 = 0; is64 <= 1; is64++)
		for (int keep = 0; keep <= 1; keep++) {
			build_elf(&f, is64, 0, s, 3, 0);
			sbom_elf whole;
			size_t text_off, text_len, dep_off, dep_len, note_off, note_len;
			cr_assert_eq(sbom_elf_open(&whole, f.b, f.len), 0);
			cr_assert_eq(sbom_elf_find_section(&whole, ".text", &text_off, &text_len), 0);
			cr_assert_eq(sbom_elf_find_section(&whole, ".dep-v0", &dep_off, &dep_len), 0);
			cr_assert_eq(sbom_elf_find_section(&whole, ".note.package", &note_off, &note_len), 0);
			const cairn_entry *e;
			cairn_tree *tree = tree_of_one(f.b, f.len, keep, &e);
			sbom_elf elf;
			unsigned char *mem;
			cr_assert_eq(sbom_elf_load(&elf, &mem, tree, e), 0, "%s", cairn_error_message());
			cr_assert_eq(elf.len, f.len);
			cr_assert_eq(memcmp(mem + note_off, notes, n), 0);
			cr_assert_eq(memcmp(mem + dep_off, z, zlen), 0);
			size_t shtab = (size_t)whole.shoff, shlen = (size_t)whole.shnum * whole.shentsize;
			cr_assert_eq(memcmp(mem + shtab, f.b + shtab, shlen), 0, "the section headers");
			/* the front 4 KiB are read in one go; the rest of .text never is */
			cr_assert(all_zero(mem + 4096, text_off + text_len - 4096), "is64 %d keep %d", is64, keep);
			cairn_sbom *sbom;
			cr_assert_eq(cairn_sbom_new(&sbom), 0);
			cr_assert_eq(sbom_rust_parse_binary(sbom, &elf, "/usr/bin/app", NULL), 0);
			cr_assert_eq(sbom_elfnote_parse(sbom, &elf, "/usr/bin/app", NULL), 0);
			expect_no_warnings(sbom);
			cr_assert_eq(cairn_sbom_package_count(sbom), 4);
			cr_assert_not_null(find(sbom, "curl", "8.6.0-1.fc40"));
			cr_assert_not_null(find(sbom, "itoa", "1.0.9"));
			cairn_sbom_free(sbom);
			sbom_elf_unload(mem, elf.len);
			drop_tree(tree);
			free(f.b);
		}
	free(pad);
	free(z);
}

/* Without section headers the PT_NOTE segment is read, and the note found in it. */
Test(sbom_rust, sparse_load_of_a_note_segment)
{
	unsigned char notes[1024];
	size_t n = build_note(notes, 1, "FDO", 0xcafe1a7e, note_json);
	struct section s[] = {{".note.package", 7, 4, notes, n}};
	struct elf_file f;
	build_elf(&f, 1, 1, s, 1, 1);
	const cairn_entry *e;
	cairn_tree *tree = tree_of_one(f.b, f.len, 0, &e);
	sbom_elf elf;
	unsigned char *mem;
	cr_assert_eq(sbom_elf_load(&elf, &mem, tree, e), 0, "%s", cairn_error_message());
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_elfnote_parse(sbom, &elf, "/usr/bin/app", NULL), 0);
	cr_assert_not_null(find(sbom, "curl", "8.6.0-1.fc40"));
	cairn_sbom_free(sbom);
	sbom_elf_unload(mem, elf.len);
	drop_tree(tree);
	free(f.b);
}

static void put_at(unsigned char *b, size_t off, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		b[off + i] = (unsigned char)(v >> (8 * i)); /* little-endian files only */
}

/* Loads a (little-endian, 64-bit) file built above after `edit` changed its bytes; returns the result.
 * whole: the load must hold every byte of the file. */
static int load_edited(const struct elf_file *f, void (*edit)(unsigned char *b, size_t len), int whole, cairn_sbom **sbom)
{
	unsigned char *copy = malloc(f->len);
	memcpy(copy, f->b, f->len);
	edit(copy, f->len);
	const cairn_entry *e;
	cairn_tree *tree = tree_of_one(copy, f->len, 0, &e);
	sbom_elf elf;
	unsigned char *mem = NULL;
	int r = sbom_elf_load(&elf, &mem, tree, e);
	cr_assert_eq(cairn_sbom_new(sbom), 0);
	if (r == 0) {
		cr_assert_eq(elf.len, f->len);
		cr_assert(!whole || memcmp(mem, copy, f->len) == 0);
		cr_assert(whole || memcmp(mem, copy, f->len) != 0, "a few bytes of the file are never needed");
		cr_assert_eq(sbom_rust_parse_binary(*sbom, &elf, "/usr/bin/app", NULL), 0);
		cr_assert_eq(sbom_elfnote_parse(*sbom, &elf, "/usr/bin/app", NULL), 0);
		sbom_elf_unload(mem, elf.len);
	} else {
		cr_assert_null(mem);
	}
	drop_tree(tree);
	free(copy);
	return r;
}

static void shdrs_past_the_end(unsigned char *b, size_t len) { put_at(b, 0x28, len + 64, 8); }
static void shdrs_overflowing(unsigned char *b, size_t len)
{
	(void)len;
	put_at(b, 0x28, UINT64_MAX - 8, 8);
}
/* Every section (the .dep-v0 data's header is the second) claims the offset UINT64_MAX-3 or a huge size. */
static void sections_past_the_end(unsigned char *b, size_t len)
{
	(void)len;
	uint64_t shoff = b[0x28] | (uint64_t)b[0x29] << 8 | (uint64_t)b[0x2a] << 16;
	put_at(b, shoff + 64 + 0x18, UINT64_MAX - 3, 8);      /* the note section: offset */
	put_at(b, shoff + 2 * 64 + 0x20, (uint64_t)1 << 62, 8); /* .dep-v0: size */
}
static void absurd_phnum(unsigned char *b, size_t len)
{
	(void)len;
	put_at(b, 0x20, 64, 8);   /* e_phoff */
	put_at(b, 0x36, 56, 2);   /* e_phentsize */
	put_at(b, 0x38, 65535, 2);
}
static void absurd_shnum(unsigned char *b, size_t len)
{
	(void)len;
	put_at(b, 0x3a, 65535, 2); /* e_shentsize */
	put_at(b, 0x3c, 65535, 2); /* e_shnum: a 4 GiB table in a small file */
}
/* Two overlapping note sections that together cover more than the file: read whole, once. */
static void notes_over_the_whole_file(unsigned char *b, size_t len)
{
	uint64_t shoff = b[0x28] | (uint64_t)b[0x29] << 8 | (uint64_t)b[0x2a] << 16;
	put_at(b, shoff + 64 + 4, 7, 4);
	put_at(b, shoff + 64 + 0x18, 0, 8);
	put_at(b, shoff + 64 + 0x20, len - 1, 8);
	put_at(b, shoff + 2 * 64 + 4, 7, 4);
	put_at(b, shoff + 2 * 64 + 0x18, 1, 8);
	put_at(b, shoff + 2 * 64 + 0x20, len - 1, 8);
}
static void not_elf(unsigned char *b, size_t len)
{
	(void)len;
	memcpy(b, "#!/bin/sh\n", 10);
}

Test(sbom_rust, sparse_load_of_hostile_headers)
{
	unsigned char notes[1024], *z;
	size_t n = build_note(notes, 0, "FDO", 0xcafe1a7e, note_json);
	size_t zlen = deflate_text(audit_json, strlen(audit_json), &z);
	unsigned char pad[8192];
	memset(pad, 0xaa, sizeof pad); /* past the first 4 KiB, never needed */
	struct section s[] = {{".note.package", 7, 4, notes, n}, {".dep-v0", 1, 1, z, zlen}, {".text", 1, 16, pad, sizeof pad}};
	struct elf_file f;
	build_elf(&f, 1, 0, s, 3, 0);
	cairn_sbom *sbom;

	/* section headers outside the file: no section at all, so nothing is found and nothing read */
	cr_assert_eq(load_edited(&f, shdrs_past_the_end, 0, &sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);
	cr_assert_eq(load_edited(&f, shdrs_overflowing, 0, &sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);

	/* sections outside the file: the broken .note.package is a warning, .dep-v0 is not there */
	cr_assert_eq(load_edited(&f, sections_past_the_end, 0, &sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	expect_warning(sbom, ".note.package");
	cairn_sbom_free(sbom);

	/* 65535 program headers: refused with a message naming the file */
	cr_assert_eq(load_edited(&f, absurd_phnum, 0, &sbom), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "/usr/bin/app") != NULL, "%s", cairn_error_message());
	cr_assert(strstr(cairn_error_message(), "65535 program headers") != NULL, "%s", cairn_error_message());
	cairn_error_clear();
	cairn_sbom_free(sbom);

	/* a section table of 4 GiB in a file of a few KB is not read; no section is found */
	cr_assert_eq(load_edited(&f, absurd_shnum, 0, &sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cairn_sbom_free(sbom);

	/* ranges adding up to more than the file: the whole file is read instead, and all is found */
	cr_assert_eq(load_edited(&f, notes_over_the_whole_file, 1, &sbom), 0);
	cairn_sbom_free(sbom);

	/* not ELF: only its first bytes are looked at */
	cr_assert_eq(load_edited(&f, not_elf, 0, &sbom), 1);
	cairn_sbom_free(sbom);
	free(f.b);
	free(z);
}
