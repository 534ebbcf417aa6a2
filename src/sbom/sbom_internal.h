/* sbom_internal.h - what the SBOM module's files share and nothing outside it needs. */
#ifndef CAIRN_SBOM_INTERNAL_H
#define CAIRN_SBOM_INTERNAL_H

#include "cairn/sbom.h"

#include <stddef.h>

/* Grows an array (passed by address) of `size`-byte items so one more fits after `count`. */
int sbom_grow(void *array_ptr, size_t *cap, size_t count, size_t size);
/* Adds a finished SPDX expression to a package's licenses, once. */
int sbom_package_add_expression(cairn_sbom_package *pkg, const char *expr);
/* Appends to out the LicenseRef- id for text, registering it in the sbom with the text. */
int sbom_license_ref(cairn_sbom *sbom, const char *text, size_t len, cairn_buf *out);

/* A 128-bit UUID (version 4 layout) as "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx": from the SHA-256 of
 * seed when seed is not NULL (deterministic), else random. */
int sbom_uuid(const void *seed, size_t seed_len, char out[37]);

/* Dependency resolution for distro databases: maps names (and provided names) to packages. */
typedef struct sbom_name_index sbom_name_index;
int sbom_name_index_new(sbom_name_index **out);
void sbom_name_index_free(sbom_name_index *index);
/* provided: 0 for a package's own name (preferred), 1 for a name it provides. */
int sbom_name_index_add(sbom_name_index *index, const char *name, size_t len, size_t package, int provided);
/* The package named (or providing) name; returns 0 and sets *package, or -1 when none. */
int sbom_name_index_find(const sbom_name_index *index, const char *name, size_t len, size_t *package);
/* Indexes, by path, the files the OS packages (deb, rpm, apk) among the first `limit` packages own,
 * those `keep` accepts (NULL: all): how a language cataloger finds the OS package that installed
 * what it found (that package then CONTAINS it). */
int sbom_os_file_index(const cairn_sbom *sbom, size_t limit, int (*keep)(const char *path), sbom_name_index **out);

/* dpkg: several databases (status and the files of status.d) feed one dependency graph, resolved at the end. */
typedef struct sbom_dpkg sbom_dpkg;
int sbom_dpkg_new(sbom_dpkg **out, cairn_sbom *sbom);
void sbom_dpkg_free(sbom_dpkg *dpkg);
/* Parses one status-format file; malformed stanzas become warnings naming path and line. */
int sbom_dpkg_parse(sbom_dpkg *dpkg, const char *text, size_t len, const char *path, const char *layer);
/* Adds owned files from an info/NAME.list (or a .md5sums when list is 0) to the package. */
int sbom_dpkg_add_files(sbom_dpkg *dpkg, size_t package, const char *text, size_t len, int list);
/* Adds the licenses of a machine-readable copyright file (DEP-5); other formats add nothing. */
int sbom_dpkg_add_copyright(sbom_dpkg *dpkg, size_t package, const char *text, size_t len);
/* Resolves Depends and Pre-Depends to installed packages (alternatives: the first installed). */
int sbom_dpkg_resolve(sbom_dpkg *dpkg);
/* The dpkg packages found so far: sbom package indexes. */
size_t sbom_dpkg_count(const sbom_dpkg *dpkg);
size_t sbom_dpkg_package(const sbom_dpkg *dpkg, size_t i);

/* Language catalogers (catalog_python.c, catalog_npm.c): which files they read (path without the
 * leading '/'), and cataloging the tree once the OS packages are known; layers are diff IDs by index. */
int sbom_python_wants(const char *path, uint64_t size);
int sbom_python_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
int sbom_python_normalize(const char *name, size_t len, cairn_buf *out);
int sbom_npm_wants(const char *path, uint64_t size);
int sbom_npm_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
/* Java (catalog_java.c): JAR, WAR, EAR and the archives nested in them. */
int sbom_java_want(const char *path, uint64_t size, int directory);
int sbom_java_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
/* Readers of other tools' SBOMs (read_cyclonedx.c, read_spdx.c), from parsed JSON. */
int sbom_read_cyclonedx(cairn_sbom *sbom, struct json_t *doc, const char *what);
int sbom_read_spdx(cairn_sbom *sbom, struct json_t *doc, const char *what);
/* A license expression read from a document (LicenseRef texts from texts: id -> text, may be NULL),
 * and a purl read back into the package's type, namespace and qualifiers. */
int sbom_read_license(cairn_sbom *sbom, cairn_sbom_package *p, const char *expr, struct json_t *texts);
int sbom_read_purl(cairn_sbom *sbom, cairn_sbom_package *p, const char *purl, const char *what);

/* Go (catalog_go.c): build info of ELF binaries and go.mod files (for directory sources only). want:
 * the files whose content the tree should keep (binaries of images; go.mod files of directories).
 * Binaries are read by the pass over binaries (sbom_binary_catalog), which asks binary_candidate
 * which files might be Go programs, buildinfo_indirect whether a binary needs the whole file (the
 * pointer-based build info before Go 1.18), and link_owners to tie the Go packages found from index
 * `first` on to the OS packages owning their binaries; sbom_go_catalog reads go.mod files. */
int sbom_go_want(const char *path, uint64_t size, int directory);
int sbom_go_binary_candidate(const char *path, uint64_t size);
int sbom_go_parse_binary(cairn_sbom *sbom, const unsigned char *data, size_t len, const char *path, const char *layer);
int sbom_go_parse_mod(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int sbom_go_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count, int directory);

/* ELF (elf.c): reading binaries in either class and byte order, every offset checked against len. */
typedef struct sbom_elf {
	const unsigned char *data;
	size_t len;
	int is64, big;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
} sbom_elf;
typedef struct sbom_elf_segment {
	uint64_t type, flags, offset, vaddr, filesz, align;
} sbom_elf_segment;
typedef struct sbom_elf_section {
	uint64_t name, type, offset, size, align;
} sbom_elf_section;
/* -1 when data is no ELF file or its header is cut short. */
int sbom_elf_open(sbom_elf *e, const unsigned char *data, size_t len);
/* A width-byte integer in the file's byte order at off (unchecked), or checked (-1 past the end). */
uint64_t sbom_elf_rd(const sbom_elf *e, size_t off, unsigned width);
int sbom_elf_field(const sbom_elf *e, uint64_t off, unsigned width, uint64_t *out);
int sbom_elf_segment_at(const sbom_elf *e, unsigned i, sbom_elf_segment *s);
int sbom_elf_section_at(const sbom_elf *e, unsigned i, sbom_elf_section *s);
/* 1 when section i is called name. */
int sbom_elf_section_named(const sbom_elf *e, unsigned i, const char *name);
/* The file offset of virtual address addr with n bytes readable there (through PT_LOAD segments). */
int sbom_elf_addr(const sbom_elf *e, uint64_t addr, uint64_t n, size_t *off);
/* The bytes of the section called name, inside the file; -1 when there is none. */
int sbom_elf_find_section(const sbom_elf *e, const char *name, size_t *off, size_t *size);
/* Loads the parts of a tree's binary the catalogers read into *mem (zeroed pages of the file's size,
 * released with sbom_elf_unload(*mem, e->len)):
 * the ELF header, program and section headers, the section names, every SHT_NOTE section,
 * .go.buildinfo (with up to 64 KiB after it, what Go itself reads) and .dep-v0; without section
 * headers the PT_NOTE segments; and the writable PT_LOAD segments where Go's build info must be
 * searched for (no section headers, or a Go binary without .go.buildinfo). Other bytes stay 0, so the
 * parsers above work on *mem unchanged. Returns 0 with e open over *mem; 1 (nothing allocated) when the
 * file is no ELF file, of which only the first 64 bytes are read; CAIRN_EUNSUPPORTED when the tree
 * cannot read parts of it (read it whole); another error with the message set. */
int sbom_elf_load(sbom_elf *e, unsigned char **mem, const cairn_tree *tree, const cairn_entry *entry);
void sbom_elf_unload(unsigned char *mem, size_t len);
int sbom_go_buildinfo_indirect(const sbom_elf *e);
int sbom_go_link_owners(cairn_sbom *sbom, size_t first, const sbom_name_index *owned);
/* Calls fn for each note in [off, off+size) with the given alignment (4 or 8); a nonzero return of fn
 * stops the walk and is returned; -1 when a note's sizes or padding leave the region. */
typedef int (*sbom_elf_note_fn)(void *arg, const char *name, size_t namesz, uint32_t type, const unsigned char *desc,
				size_t descsz);
int sbom_elf_notes(const sbom_elf *e, size_t off, size_t size, unsigned align, sbom_elf_note_fn fn, void *arg);

/* Rust (catalog_rust.c): Cargo.lock files and the cargo auditable data (.dep-v0) of ELF binaries. */
int sbom_rust_want(const char *path, uint64_t size);
int sbom_rust_parse_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int sbom_rust_parse_binary(cairn_sbom *sbom, const sbom_elf *elf, const char *path, const char *layer);
int sbom_rust_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
/* ELF package notes (catalog_elfnote.c), and the one pass over binaries (sbom_binary_catalog): each
 * candidate binary is loaded once, sparsely (sbom_elf_load), for Go build info, the package note and
 * cargo auditable data. want: binaries of images (a directory's are read in parts later). */
int sbom_elfnote_want(const char *path, uint64_t size, int directory);
int sbom_elfnote_parse(cairn_sbom *sbom, const sbom_elf *elf, const char *path, const char *layer);
int sbom_binary_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
/* CPEs (cpe.c): appends one attribute value bound for a CPE 2.3 formatted string (NISTIR 7695 6.2):
 * NULL or "" is ANY ("*"); -1 (no CPE should be made) for a value that has whitespace, control or
 * non-ASCII bytes, or is "-" alone (it would read as NA). */
int sbom_cpe_bind_value(const char *value, cairn_buf *out);
/* "cpe:2.3:a:<vendor>:<product>:<version>:*:*:*:*:*:*:*"; vendor and product lowercased; -1 as above. */
int sbom_cpe_format(cairn_buf *out, const char *vendor, const char *product, const char *version);
/* Adds a CPE to every package that has none and for which a useful one can be derived. */
int sbom_cpe_generate(cairn_sbom *sbom);

/* rpm (catalog_rpm.c): SQLite, NDB and BerkeleyDB databases of RPM header blobs; requires resolved at the end. */
typedef struct sbom_rpm sbom_rpm;
int sbom_rpm_new(sbom_rpm **out, cairn_sbom *sbom);
void sbom_rpm_free(sbom_rpm *rpm);
int sbom_rpm_add_header(sbom_rpm *rpm, const unsigned char *blob, size_t len, const char *path, const char *layer);
int sbom_rpm_parse_sqlite(sbom_rpm *rpm, const unsigned char *data, size_t len, const char *path, const char *layer);
int sbom_rpm_parse_ndb(sbom_rpm *rpm, const unsigned char *data, size_t len, const char *path, const char *layer);
int sbom_rpm_parse_bdb(sbom_rpm *rpm, const unsigned char *data, size_t len, const char *path, const char *layer);
int sbom_rpm_resolve(sbom_rpm *rpm);
int sbom_rpm_want(const char *path, uint64_t size, uint64_t max_db);
int sbom_rpm_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count, uint64_t max_db);

/* Ruby (catalog_ruby.c): installed gems (specifications/NAME.gemspec, read without running them) and
 * Gemfile.lock; PHP (catalog_php.c): composer.lock and vendor/composer/installed.json; .NET
 * (catalog_dotnet.c): *.deps.json. The parse functions read one file's bytes as found at path (named in
 * warnings), for tests and fuzzing; php_parse tells installed.json from a lockfile by its name. */
int sbom_ruby_wants(const char *path, uint64_t size);
int sbom_ruby_parse_gemspec(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int sbom_ruby_parse_gemfile_lock(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int sbom_ruby_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
int sbom_php_wants(const char *path, uint64_t size);
int sbom_php_parse(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int sbom_php_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);
int sbom_dotnet_wants(const char *path, uint64_t size);
int sbom_dotnet_parse_deps(cairn_sbom *sbom, const char *text, size_t len, const char *path, const char *layer);
int sbom_dotnet_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count);

#endif
