/* libFuzzer target: the input is one layer (tar, gzip or zstd) read with small limits, and then the
 * same bytes again as a second layer on top of it, so that its whiteouts, hardlinks and replacements
 * meet a lower layer. Whatever the engine accepts is resolved, looked up and read (by streaming the
 * layer again). Nothing may crash, leak or read outside the input, whatever the bytes. */
#include "cairn/buf.h"
#include "cairn/tree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t len, pos;
};

static int input_read(void *arg, void *buf, size_t cap, size_t *got)
{
	struct input *in = arg;
	size_t n = in->len - in->pos;
	if (n > cap)
		n = cap;
	if (n > 0)
		memcpy(buf, in->data + in->pos, n);
	in->pos += n;
	*got = n;
	return 0;
}

static void input_close(void *arg) { free(arg); }

static int input_reopen(void *arg, int index, cairn_tree_read_fn *read, void **read_arg, void (**close)(void *))
{
	const struct input *whole = arg;
	if (index != 0 && index != 1)
		return -1;
	struct input *in = malloc(sizeof *in);
	if (in == NULL)
		return -1;
	*in = *whole;
	in->pos = 0;
	*read = input_read;
	*read_arg = in;
	*close = input_close;
	return 0;
}

static int want_some(void *arg, const char *path, uint64_t size)
{
	(void)arg;
	return size < 4096 && strlen(path) % 2 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_entries = 2000;
	limits.max_file_size = 1 << 20;
	limits.max_total_size = 8 << 20;
	limits.max_ratio = 50;
	limits.ratio_floor = 256 << 10;
	limits.max_path = 512;
	limits.max_kept_bytes = 64 << 10;

	struct input whole = {data, size, 0};
	cairn_tree_builder *builder;
	if (cairn_tree_builder_new(&builder, &limits, want_some, NULL, input_reopen, &whole) != 0)
		return 0;
	for (int layer = 0; layer < 2; layer++) {
		struct input in = whole;
		if (cairn_tree_builder_add_layer(builder, layer, "sha256:fuzz", size, input_read, &in) != 0) {
			cairn_tree_builder_free(builder);
			return 0;
		}
	}
	cairn_tree *tree;
	if (cairn_tree_builder_finish(builder, &tree) != 0)
		return 0;

	static const char *const paths[] = {"/", "/etc/passwd", "a", "/a/b", "../../etc/shadow", "/bin/sh", "x/y/z"};
	cairn_buf out = CAIRN_BUF_INIT;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const cairn_entry *e = NULL;
		(void)cairn_tree_lookup(tree, paths[i]);
		if (cairn_tree_resolve(tree, paths[i], &e) == 0)
			(void)cairn_tree_read(tree, e, 4096, &out);
		cairn_buf_clear(&out);
	}
	/* Every entry: resolve its path and read the first few. */
	size_t count = cairn_tree_count(tree);
	for (size_t i = 0; i < count; i++) {
		const cairn_entry *e = cairn_tree_at(tree, i), *target = NULL;
		if (e->path[0] != '/' || (i > 0 && strcmp(cairn_tree_at(tree, i - 1)->path, e->path) >= 0))
			__builtin_trap(); /* paths are absolute, sorted and unique */
		if (cairn_tree_lookup(tree, e->path) != e)
			__builtin_trap();
		(void)cairn_tree_resolve(tree, e->path, &target);
		if (i < 16)
			(void)cairn_tree_read(tree, e, 1 << 16, &out);
		cairn_buf_clear(&out);
	}
	for (size_t i = 0; i < cairn_tree_warning_count(tree); i++)
		(void)strlen(cairn_tree_warning(tree, i));
	cairn_buf_free(&out);
	cairn_tree_free(tree);
	return 0;
}
