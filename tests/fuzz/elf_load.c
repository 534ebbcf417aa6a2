/* libFuzzer target: any bytes as a binary of a directory tree, loaded in parts (sbom_elf_load) and
 * given to the Go, package note and cargo auditable parsers, must never crash, leak, read outside what
 * was loaded or fail the SBOM; a load either succeeds over exactly the file's size or says why not. */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "cairn/tree.h"
#include "sbom/sbom_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/cairn-fuzz-elf-XXXXXX";
static char file[64];

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (file[0] == '\0') {
		if (mkdtemp(dir) == NULL)
			__builtin_trap();
		snprintf(file, sizeof file, "%s/app", dir);
		atexit(cleanup);
	}
	FILE *f = fopen(file, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		__builtin_trap();
	cairn_tree *tree;
	if (cairn_tree_from_dir(&tree, dir, NULL, NULL, NULL) != 0)
		__builtin_trap();
	cairn_sbom *sbom;
	if (cairn_sbom_new(&sbom) != 0)
		__builtin_trap();
	sbom_elf elf;
	unsigned char *mem = NULL;
	int r = sbom_elf_load(&elf, &mem, tree, cairn_tree_lookup(tree, "/app"));
	if (r == 0) {
		if (elf.len != size || elf.data != mem)
			__builtin_trap();
		if (sbom_go_parse_binary(sbom, mem, elf.len, "/app", NULL) != 0 || sbom_elfnote_parse(sbom, &elf, "/app", NULL) != 0 ||
		    sbom_rust_parse_binary(sbom, &elf, "/app", NULL) != 0)
			__builtin_trap(); /* malformed input is a warning, never a failure */
		sbom_elf_unload(mem, elf.len);
	} else if (mem != NULL || (r < 0 && cairn_error_message()[0] == '\0')) {
		__builtin_trap();
	}
	cairn_sbom_free(sbom);
	cairn_tree_free(tree);
	cairn_error_clear();
	return 0;
}
