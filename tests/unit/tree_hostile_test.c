/* Hostile layers: each is refused (or survives with a warning) with a message naming the layer and the
 * entry, and decompression bombs are stopped early with bounded memory. */
#include "cairn/error.h"
#include "cairn/tree.h"
#include "tar_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void assert_message_has(const char *needle)
{
	cr_assert(strstr(cairn_error_message(), needle) != NULL, "message \"%s\" lacks \"%s\"", cairn_error_message(),
		  needle);
}

/* Builds the set and expects code; the tree must not exist afterwards. */
static void expect_refused(layer_set *set, const cairn_tree_limits *limits, int code)
{
	cairn_tree *tree = (cairn_tree *)1;
	int err = ls_build(set, limits, NULL, NULL, &tree);
	cr_assert_eq(err, code, "got %d (%s)", err, cairn_error_message());
	cr_assert_null(tree);
}

static void one_file_layer(layer_set *set, enum tf_compression kind, const char *name)
{
	tar_fixture t;
	tf_begin(&t, kind);
	tf_file(&t, "ok", "fine");
	tf_file(&t, name, "evil");
	tf_end(&t);
	ls_take(set, &t);
}

Test(tree_hostile, absolute_path)
{
	layer_set set = {0};
	one_file_layer(&set, TF_GZIP, "/etc/passwd");
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0: entry /etc/passwd has an absolute path");
	ls_free(&set);
}

Test(tree_hostile, dotdot_component)
{
	const char *names[] = {"../evil", "a/../../b", "a/b/..", ".."};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		layer_set set = {0};
		one_file_layer(&set, TF_NONE, names[i]);
		expect_refused(&set, NULL, CAIRN_EINVAL);
		char want[128];
		snprintf(want, sizeof want, "layer sha256:layer0: entry %s has a \"..\" component", names[i]);
		assert_message_has(want);
		ls_free(&set);
	}
}

Test(tree_hostile, dotdot_in_a_second_layer_names_that_layer)
{
	layer_set set = {0};
	one_file_layer(&set, TF_ZSTD, "fine/too");
	one_file_layer(&set, TF_ZSTD, "x/../../etc/shadow");
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer1: entry x/../../etc/shadow");
	ls_free(&set);
}

Test(tree_hostile, hardlink_to_a_missing_target)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_hardlink(&t, "bin/sh", "bin/bash");
	tf_file(&t, "bin/bash", "too late: a hardlink needs its target first");
	tf_end(&t);
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0: hardlink bin/sh points to /bin/bash");
	ls_free(&set);
}

Test(tree_hostile, hardlink_escaping_or_to_a_directory)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_file(&t, "a", "a");
	tf_hardlink(&t, "b", "../../etc/shadow");
	tf_end(&t);
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0: entry b has a hardlink target that has a \"..\" component");
	ls_free(&set);

	tf_begin(&t, TF_NONE);
	tf_hardlink(&t, "b", "/etc/shadow");
	tf_end(&t);
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("entry b has a hardlink target that has an absolute path");
	ls_free(&set);

	tf_begin(&t, TF_NONE);
	tf_dir(&t, "d/");
	tf_hardlink(&t, "b", "d");
	tf_end(&t);
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("hardlink b points to the directory /d");
	ls_free(&set);
}

Test(tree_hostile, device_node_and_duplicate_are_warnings)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_special(&t, "dev/kmem", AE_IFCHR);
	tf_file(&t, "etc/hosts", "one");
	tf_file(&t, "etc/hosts", "two");
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree *tree;
	cr_assert_eq(ls_build(&set, NULL, NULL, NULL, &tree), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_tree_warning_count(tree), 2);
	cr_assert_str_eq(cairn_tree_warning(tree, 0),
			 "layer sha256:layer0: entry dev/kmem is a device node; it is recorded but never read");
	cr_assert_str_eq(cairn_tree_warning(tree, 1),
			 "layer sha256:layer0: entry etc/hosts appears twice; the later one wins");
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_tree_read(tree, cairn_tree_lookup(tree, "/etc/hosts"), 10, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "two");
	cairn_buf_free(&out);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree_hostile, entry_count_limit)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_ZSTD);
	for (int i = 0; i < 20; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%02d", i);
		tf_file(&t, name, "x");
	}
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_entries = 10;
	expect_refused(&set, &limits, CAIRN_ETOOBIG);
	assert_message_has("layer sha256:layer0: more than 10 entries in the image (at entry f10)");
	ls_free(&set);
}

Test(tree_hostile, per_file_size_limit)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_zeros(&t, "usr/lib/huge.so", 200000);
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_file_size = 100000;
	expect_refused(&set, &limits, CAIRN_ETOOBIG);
	assert_message_has("layer sha256:layer0: entry usr/lib/huge.so is 200000 bytes, over the limit of 100000 bytes");
	ls_free(&set);
}

Test(tree_hostile, total_size_limit_across_layers)
{
	layer_set set = {0};
	for (int i = 0; i < 2; i++) {
		tar_fixture t;
		tf_begin(&t, TF_ZSTD);
		tf_zeros(&t, i == 0 ? "first" : "second", 600 << 10);
		tf_end(&t);
		ls_take(&set, &t);
	}
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_total_size = 1 << 20;
	expect_refused(&set, &limits, CAIRN_ETOOBIG);
	assert_message_has("layer sha256:layer1: the image is over its limit of 1048576 uncompressed bytes (at entry second)");
	ls_free(&set);
}

static long peak_rss_kib(void)
{
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	return usage.ru_maxrss;
}

Test(tree_hostile, decompression_bomb_with_small_limits)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "innocent", "x");
	tf_zeros(&t, "bomb", (int64_t)50 << 20);
	tf_end(&t);
	ls_take(&set, &t);
	cr_assert_lt(set.bytes[0].len, 1 << 20, "50 MiB of zeros gzip to well under 1 MiB");
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_ratio = 10;
	limits.ratio_floor = 1 << 20;
	expect_refused(&set, &limits, CAIRN_ETOOBIG);
	assert_message_has("layer sha256:layer0: decompresses to more than 10 times its compressed size");
	assert_message_has("decompression bomb (at entry bomb)");
	ls_free(&set);
}

/* 1 GiB of zeros in a 1 MiB gzip, written a chunk at a time, against the default limits: refused soon
 * after the 64 MiB floor, without memory growing with the bomb. */
Test(tree_hostile, gigabyte_gzip_bomb_with_default_limits, .timeout = 120)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin_level(&t, TF_GZIP, 1);
	tf_zeros(&t, "zeros", (int64_t)1 << 30);
	tf_end(&t);
	ls_take(&set, &t);
	long before = peak_rss_kib();
	clock_t start = clock();
	expect_refused(&set, NULL, CAIRN_ETOOBIG);
	double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	assert_message_has("refused as a decompression bomb (at entry zeros)");
	cr_assert_lt(seconds, 10.0, "took %.1f s", seconds);
	cr_assert_lt(peak_rss_kib() - before, 32 * 1024, "peak memory grew by %ld KiB", peak_rss_kib() - before);
	ls_free(&set);
}

Test(tree_hostile, announced_compressed_size_feeds_the_ratio)
{
	/* 4 MiB of zeros is a fine ratio for a layer announced as 1 MiB, a bomb for one of 1 KiB. */
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_zeros(&t, "zeros", 4 << 20);
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_ratio = 10;
	limits.ratio_floor = 1 << 20;
	for (int announced = 0; announced < 2; announced++) {
		cairn_tree_builder *builder;
		cr_assert_eq(cairn_tree_builder_new(&builder, &limits, NULL, NULL, NULL, NULL), 0);
		mem_layer m = {set.bytes[0].data, set.bytes[0].len, 0, 0};
		int err = cairn_tree_builder_add_layer(builder, 0, "sha256:z", announced ? 1 << 20 : 0, mem_layer_read, &m);
		cr_assert_eq(err, announced ? 0 : CAIRN_ETOOBIG, "%s", cairn_error_message());
		cairn_tree_builder_free(builder);
	}
	ls_free(&set);
}

static void truncated_layer(enum tf_compression kind, const char *needle)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, kind);
	tf_file(&t, "etc/a", "a");
	tf_noise(&t, "usr/bin/x", 300000, 42);
	tf_file(&t, "etc/z", "z");
	tf_end(&t);
	if (kind == TF_NONE)
		t.out.len = 512 + 512 + 512 + 1000; /* inside usr/bin/x's content */
	else
		t.out.len /= 2;
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has(needle);
	ls_free(&set);
}

Test(tree_hostile, truncated_layers)
{
	truncated_layer(TF_NONE, "layer sha256:layer0 is truncated or corrupt at entry usr/bin/x: ");
	truncated_layer(TF_GZIP, "layer sha256:layer0 is truncated or corrupt at entry usr/bin/x: ");
	truncated_layer(TF_ZSTD, "layer sha256:layer0 is truncated or corrupt at entry usr/bin/x: ");
}

Test(tree_hostile, truncated_in_a_header)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_file(&t, "etc/a", "a");
	tf_file(&t, "etc/b", "b");
	tf_end(&t);
	t.out.len = 512 + 512 + 100; /* a third of the second header */
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0 is truncated or corrupt after entry etc/a: ");
	ls_free(&set);
}

/* Cut exactly after an entry, the tar is still well formed up to there: only the missing end marker
 * tells that something is gone. */
Test(tree_hostile, truncated_at_an_entry_boundary)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_file(&t, "etc/a", "a");
	tf_file(&t, "etc/b", "b");
	tf_end(&t);
	cr_assert_geq(t.out.len, 4 * 512 + 1024);
	t.out.len = 512 + 512; /* etc/a's header and its padded content */
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0 is truncated after entry etc/a: the tar end-of-archive marker is missing");
	ls_free(&set);
}

Test(tree_hostile, empty_layers_are_fine)
{
	/* A tar of nothing but its end marker, and a layer of no bytes at all. */
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_end(&t);
	ls_take(&set, &t);
	set.count = 2;
	cairn_tree *tree;
	cr_assert_eq(ls_build(&set, NULL, NULL, NULL, &tree), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_tree_count(tree), 1);
	cr_assert_str_eq(cairn_tree_at(tree, 0)->path, "/");
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree_hostile, corrupt_gzip)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	for (int i = 0; i < 50; i++) {
		char name[32], content[64];
		snprintf(name, sizeof name, "file%d", i);
		snprintf(content, sizeof content, "content of file %d, not very compressible %d", i, i * 7919);
		tf_file(&t, name, content);
	}
	tf_end(&t);
	for (size_t i = t.out.len / 3; i < t.out.len / 3 + 40; i++)
		t.out.data[i] ^= 0x5a;
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0 is truncated or corrupt ");
	ls_free(&set);
}

Test(tree_hostile, not_a_tar)
{
	layer_set set = {0};
	cairn_buf_append_str(&set.bytes[0], "{\"this\": \"is a JSON config, not a layer\"}\n");
	set.count = 1;
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0 is not a tar archive");
	ls_free(&set);

	/* A zip is an archive libarchive knows, but not a layer. */
	struct archive *zip = archive_write_new();
	cr_assert_eq(archive_write_set_format_zip(zip), ARCHIVE_OK);
	tar_fixture t;
	cairn_buf_init(&t.out);
	cr_assert_eq(archive_write_open(zip, &t, NULL, tf_write_cb, NULL), ARCHIVE_OK);
	t.archive = zip;
	tf_file(&t, "etc/passwd", "root");
	tf_end(&t);
	ls_take(&set, &t);
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0 is not a tar archive");
	ls_free(&set);
}

Test(tree_hostile, path_longer_than_max_path)
{
	char name[300];
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	for (int i = 50; i < 290; i += 50)
		name[i] = '/';
	layer_set set = {0};
	one_file_layer(&set, TF_GZIP, name);
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_path = 128;
	expect_refused(&set, &limits, CAIRN_ETOOBIG);
	assert_message_has("layer sha256:layer0: entry aaaa");
	assert_message_has("has a path of 299 bytes, over the limit of 128");
	ls_free(&set);
}

Test(tree_hostile, component_longer_than_name_max)
{
	char name[300];
	memset(name, 'b', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	layer_set set = {0};
	one_file_layer(&set, TF_NONE, name);
	expect_refused(&set, NULL, CAIRN_ETOOBIG);
	assert_message_has("has a path component over 255 bytes");
	ls_free(&set);
}

Test(tree_hostile, whiteout_of_parent_or_self)
{
	const char *names[] = {"etc/.wh..", "etc/.wh...", "etc/.wh."};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		layer_set set = {0};
		one_file_layer(&set, TF_NONE, "etc/passwd");
		tar_fixture t;
		tf_begin(&t, TF_NONE);
		tf_file(&t, names[i], "");
		tf_end(&t);
		ls_take(&set, &t);
		expect_refused(&set, NULL, CAIRN_EINVAL);
		assert_message_has("layer sha256:layer1: entry etc/.wh.");
		assert_message_has("is a whiteout of nothing valid");
		ls_free(&set);
	}
}

Test(tree_hostile, entry_inside_a_whiteout)
{
	layer_set set = {0};
	one_file_layer(&set, TF_GZIP, "etc/.wh.hidden/file");
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("layer sha256:layer0: entry etc/.wh.hidden/file lies inside a whiteout");
	ls_free(&set);
}

Test(tree_hostile, long_symlink_target)
{
	char target[200];
	memset(target, 'c', sizeof target - 1);
	target[sizeof target - 1] = '\0';
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_ZSTD);
	tf_symlink(&t, "link", target);
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_path = 100;
	expect_refused(&set, &limits, CAIRN_ETOOBIG);
	assert_message_has("layer sha256:layer0: symlink link has a target of 199 bytes, over the limit of 100");
	ls_free(&set);
}

Test(tree_hostile, control_bytes_in_names_are_shown_safely)
{
	layer_set set = {0};
	one_file_layer(&set, TF_NONE, "/evil\n\033[2Jname");
	expect_refused(&set, NULL, CAIRN_EINVAL);
	assert_message_has("entry /evil??[2Jname has an absolute path");
	ls_free(&set);
}

Test(tree_hostile, layers_out_of_order_and_after_failure)
{
	layer_set set = {0};
	one_file_layer(&set, TF_NONE, "a");
	cairn_tree_builder *builder;
	cr_assert_eq(cairn_tree_builder_new(&builder, NULL, NULL, NULL, NULL, NULL), 0);
	mem_layer m = {set.bytes[0].data, set.bytes[0].len, 0, 0};
	cr_assert_eq(cairn_tree_builder_add_layer(builder, 1, "one", 0, mem_layer_read, &m), 0);
	m.pos = 0;
	cr_assert_eq(cairn_tree_builder_add_layer(builder, 1, "again", 0, mem_layer_read, &m), CAIRN_EINVAL);
	assert_message_has("layers must be added in order");
	cairn_tree *tree = (cairn_tree *)1;
	cr_assert_eq(cairn_tree_builder_finish(builder, &tree), CAIRN_EINVAL);
	cr_assert_null(tree);
	ls_free(&set);
}

static int failing_read(void *arg, void *buf, size_t cap, size_t *got)
{
	(void)arg;
	(void)buf;
	(void)cap;
	*got = 0;
	return cairn_error_set(CAIRN_EIO, "blob sha256:abc: connection reset");
}

Test(tree_hostile, read_callback_failure_keeps_its_message)
{
	cairn_tree_builder *builder;
	cr_assert_eq(cairn_tree_builder_new(&builder, NULL, NULL, NULL, NULL, NULL), 0);
	int err = cairn_tree_builder_add_layer(builder, 0, "sha256:abc", 0, failing_read, NULL);
	cr_assert_eq(err, CAIRN_EIO, "%s", cairn_error_message());
	assert_message_has("layer sha256:abc");
	assert_message_has("blob sha256:abc: connection reset");
	cairn_tree_builder_free(builder);
}
