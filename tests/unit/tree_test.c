/* Unit tests of the layer engine: squashing, whiteouts, links, resolution and reading.
 *
 * Every layer is written here with libarchive's tar writer (tar_fixture.h) in gzip, zstd or plain tar;
 * the expected trees follow the OCI image spec's layer.md, written out by hand. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/tree.h"
#include "image/tree_internal.h"
#include "tar_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tree's paths, one per line, in order. */
static char *tree_listing(const cairn_tree *tree)
{
	cairn_buf text = CAIRN_BUF_INIT;
	for (size_t i = 0; i < cairn_tree_count(tree); i++)
		cairn_buf_printf(&text, "%s\n", cairn_tree_at(tree, i)->path);
	return (char *)cairn_buf_detach(&text, NULL);
}

static void assert_listing(const cairn_tree *tree, const char *expected)
{
	char *got = tree_listing(tree);
	cr_assert_str_eq(got, expected);
	free(got);
}

static const cairn_entry *must_lookup(const cairn_tree *tree, const char *path)
{
	const cairn_entry *e = cairn_tree_lookup(tree, path);
	cr_assert_not_null(e, "%s is missing", path);
	return e;
}

static void assert_content(const cairn_tree *tree, const char *path, const char *expected)
{
	cairn_buf out = CAIRN_BUF_INIT;
	int err = cairn_tree_read(tree, must_lookup(tree, path), 1 << 20, &out);
	cr_assert_eq(err, 0, "reading %s: %s", path, cairn_error_message());
	cr_assert_str_eq(cairn_buf_cstr(&out), expected);
	cairn_buf_free(&out);
}

static cairn_tree *build_ok(layer_set *set)
{
	cairn_tree *tree = NULL;
	int err = ls_build(set, NULL, NULL, NULL, &tree);
	cr_assert_eq(err, 0, "%s", cairn_error_message());
	return tree;
}

Test(tree, squashes_three_layers_with_whiteouts_and_opaque_dirs)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_dir(&t, "etc/");
	tf_file(&t, "etc/passwd", "root:x:0:0");
	tf_file(&t, "etc/shadow", "secret");
	tf_file(&t, "usr/bin/a", "a");
	tf_file(&t, "usr/bin/b", "b");
	tf_file(&t, "var/lib/x/1", "1");
	tf_file(&t, "var/lib/x/sub/2", "2");
	tf_file(&t, "opt/keep", "lower");
	tf_end(&t);
	ls_take(&set, &t);

	tf_begin(&t, TF_ZSTD);
	tf_whiteout(&t, "etc/shadow");
	tf_opaque(&t, "var/lib/x");
	tf_file(&t, "var/lib/x/3", "3");
	tf_file(&t, "usr/bin/c", "c");
	/* A whiteout never hides an entry of its own layer (layer.md). */
	tf_whiteout(&t, "opt/keep");
	tf_file(&t, "opt/keep", "upper");
	tf_end(&t);
	ls_take(&set, &t);

	tf_begin(&t, TF_NONE);
	tf_whiteout(&t, "usr/bin");
	tf_file(&t, "usr/bin/d", "d");
	tf_file(&t, "etc/passwd", "root:x:0:0:new");
	tf_end(&t);
	ls_take(&set, &t);

	cairn_tree *tree = build_ok(&set);
	assert_listing(tree, "/\n/etc\n/etc/passwd\n/opt\n/opt/keep\n/usr\n/usr/bin\n/usr/bin/d\n/var\n/var/lib\n"
			     "/var/lib/x\n/var/lib/x/3\n");
	cr_assert_eq(must_lookup(tree, "/etc/passwd")->layer, 2);
	cr_assert_eq(must_lookup(tree, "/etc")->layer, 0);
	cr_assert_eq(must_lookup(tree, "/opt/keep")->layer, 1);
	cr_assert_eq(must_lookup(tree, "/usr/bin")->layer, 2, "usr/bin was deleted and implied again by layer 2");
	cr_assert_eq(must_lookup(tree, "/var/lib/x")->layer, 0, "an opaque marker keeps the directory itself");
	assert_content(tree, "/opt/keep", "upper");
	assert_content(tree, "/etc/passwd", "root:x:0:0:new");
	assert_content(tree, "/var/lib/x/3", "3");
	cr_assert_eq(cairn_tree_warning_count(tree), 0);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, whiteout_after_entries_of_its_own_layer_still_only_hides_lower_ones)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_dir(&t, "app/");
	tf_file(&t, "app/old", "old");
	tf_file(&t, "app/deep/old", "old");
	tf_file(&t, "data/old", "old");
	tf_end(&t);
	ls_take(&set, &t);
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "app/deep/new", "new");
	tf_whiteout(&t, "app");
	tf_file(&t, "data/new", "new");
	tf_opaque(&t, "data");
	tf_end(&t);
	ls_take(&set, &t);

	cairn_tree *tree = build_ok(&set);
	assert_listing(tree, "/\n/app\n/app/deep\n/app/deep/new\n/data\n/data/new\n");
	/* The deleted directory is implied again by the layer's own entry below it. */
	const cairn_entry *app = must_lookup(tree, "/app");
	cr_assert_eq(app->layer, 1);
	cr_assert_eq(app->type, CAIRN_ENTRY_DIR);
	cr_assert_eq(app->mode, 0755);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, file_and_directory_replace_each_other_with_their_subtrees)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_ZSTD);
	tf_file(&t, "a/b/c", "c");
	tf_file(&t, "a/d", "d");
	tf_file(&t, "x", "file x");
	tf_dir(&t, "m/");
	tf_file(&t, "m/keep", "k");
	tf_end(&t);
	ls_take(&set, &t);
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "a", "now a file");
	tf_dir(&t, "x/");
	tf_file(&t, "x/y", "y");
	tf_dir(&t, "m/"); /* a directory over a directory merges */
	tf_end(&t);
	ls_take(&set, &t);

	cairn_tree *tree = build_ok(&set);
	assert_listing(tree, "/\n/a\n/m\n/m/keep\n/x\n/x/y\n");
	cr_assert_eq(must_lookup(tree, "/a")->type, CAIRN_ENTRY_FILE);
	cr_assert_eq(must_lookup(tree, "/x")->type, CAIRN_ENTRY_DIR);
	cr_assert_eq(must_lookup(tree, "/m")->layer, 1);
	assert_content(tree, "/a", "now a file");
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, implies_missing_parents_and_normalises_names)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	struct archive_entry *root = tf_entry("./", AE_IFDIR, 0700, 0);
	tf_put(&t, root, NULL, 0);
	tf_file(&t, "./deep//er/./file", "f");
	tf_dir(&t, "./etc/");
	tf_end(&t);
	ls_take(&set, &t);

	cairn_tree *tree = build_ok(&set);
	assert_listing(tree, "/\n/deep\n/deep/er\n/deep/er/file\n/etc\n");
	cr_assert_eq(must_lookup(tree, "/")->mode, 0700);
	const cairn_entry *deep = must_lookup(tree, "deep/er/"); /* lookups are normalised too */
	cr_assert_eq(deep->type, CAIRN_ENTRY_DIR);
	cr_assert_eq(deep->mode, 0755);
	cr_assert_str_eq(deep->path, "/deep/er");
	cr_assert_eq(must_lookup(tree, "/deep/er/file")->mtime, 1700000000);
	cr_assert_eq(must_lookup(tree, "/etc/../deep/er/file")->size, 1);
	cr_assert_null(cairn_tree_lookup(tree, "/nope"));
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, entries_are_sorted_bytewise)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_file(&t, "a/b", "");
	tf_file(&t, "a-c", "");
	tf_file(&t, "B", "");
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree *tree = build_ok(&set);
	/* '-' (0x2d) sorts before '/' (0x2f), and 'B' before 'a'. */
	assert_listing(tree, "/\n/B\n/a\n/a-c\n/a/b\n");
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, same_layer_gives_the_same_tree_in_every_compression)
{
	enum tf_compression kinds[] = {TF_NONE, TF_GZIP, TF_ZSTD};
	for (int k = 0; k < 3; k++) {
		layer_set set = {.chunk = 7}; /* tiny reads stress libarchive's buffering */
		tar_fixture t;
		tf_begin(&t, kinds[k]);
		tf_file(&t, "etc/os-release", "ID=debian\n");
		tf_symlink(&t, "bin", "usr/bin");
		tf_file(&t, "usr/bin/env", "#!env");
		tf_end(&t);
		ls_take(&set, &t);
		cairn_tree *tree = build_ok(&set);
		assert_listing(tree, "/\n/bin\n/etc\n/etc/os-release\n/usr\n/usr/bin\n/usr/bin/env\n");
		assert_content(tree, "/etc/os-release", "ID=debian\n");
		cairn_tree_free(tree);
		ls_free(&set);
	}
}

Test(tree, hardlinks_share_their_targets_content_even_after_a_whiteout)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "bin/a", "content-a");
	tf_hardlink(&t, "bin/b", "bin/a");
	tf_symlink(&t, "bin/s", "a");
	tf_hardlink(&t, "bin/s2", "./bin/s");
	tf_end(&t);
	ls_take(&set, &t);
	tf_begin(&t, TF_ZSTD);
	tf_hardlink(&t, "sbin/c", "bin/b"); /* a link to a link of a lower layer */
	tf_end(&t);
	ls_take(&set, &t);
	tf_begin(&t, TF_NONE);
	tf_whiteout(&t, "bin/a");
	tf_end(&t);
	ls_take(&set, &t);

	cairn_tree *tree = build_ok(&set);
	assert_listing(tree, "/\n/bin\n/bin/b\n/bin/s\n/bin/s2\n/sbin\n/sbin/c\n");
	const cairn_entry *b = must_lookup(tree, "/bin/b");
	cr_assert_eq(b->type, CAIRN_ENTRY_HARDLINK);
	cr_assert_str_eq(b->link, "/bin/a");
	cr_assert_eq(b->size, 9);
	const cairn_entry *c = must_lookup(tree, "/sbin/c");
	cr_assert_eq(c->type, CAIRN_ENTRY_HARDLINK);
	cr_assert_str_eq(c->link, "/bin/b");
	cr_assert_eq(c->layer, 1);
	cr_assert_eq(c->size, 9);
	/* A hardlink to a symlink is that symlink again. */
	cr_assert_eq(must_lookup(tree, "/bin/s2")->type, CAIRN_ENTRY_SYMLINK);
	cr_assert_str_eq(must_lookup(tree, "/bin/s2")->link, "a");
	/* /bin/a is gone, but its content lives on in layer 0 and is streamed from there. */
	assert_content(tree, "/bin/b", "content-a");
	assert_content(tree, "/sbin/c", "content-a");
	cr_assert_eq(set.reopens, 2);
	cairn_tree_free(tree);
	ls_free(&set);
}

static cairn_tree *symlink_tree(layer_set *set)
{
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "etc/passwd", "root");
	tf_file(&t, "usr/lib/libc.so", "elf");
	tf_symlink(&t, "lib", "usr/lib");
	tf_symlink(&t, "abs", "/etc");
	tf_symlink(&t, "a/b/escape", "../../../../etc/passwd");
	tf_symlink(&t, "up", "/../../..");
	tf_symlink(&t, "loop1", "loop2");
	tf_symlink(&t, "loop2", "/loop1");
	tf_symlink(&t, "dangling", "/nope");
	tf_symlink(&t, "empty", "");
	tf_symlink(&t, "usr/lib/self", ".");
	tf_end(&t);
	ls_take(set, &t);
	return build_ok(set);
}

static const char *resolved(const cairn_tree *tree, const char *path)
{
	const cairn_entry *e = NULL;
	int err = cairn_tree_resolve(tree, path, &e);
	cr_assert_eq(err, 0, "resolving %s: %s", path, cairn_error_message());
	return e->path;
}

Test(tree, resolves_symlinks_like_a_chroot)
{
	layer_set set = {0};
	cairn_tree *tree = symlink_tree(&set);
	cr_assert_str_eq(resolved(tree, "/lib/libc.so"), "/usr/lib/libc.so");
	cr_assert_str_eq(resolved(tree, "lib"), "/usr/lib");
	cr_assert_str_eq(resolved(tree, "/abs/passwd"), "/etc/passwd");
	/* ".." past the root stays at the root: the link cannot reach the host's /etc/passwd. */
	cr_assert_str_eq(resolved(tree, "/a/b/escape"), "/etc/passwd");
	cr_assert_str_eq(resolved(tree, "/up/etc/passwd"), "/etc/passwd");
	cr_assert_str_eq(resolved(tree, "/../../etc/passwd"), "/etc/passwd");
	cr_assert_str_eq(resolved(tree, "/lib/self/self/../lib/libc.so"), "/usr/lib/libc.so");
	cr_assert_str_eq(resolved(tree, "/"), "/");
	/* lookup follows nothing */
	cr_assert_eq(must_lookup(tree, "/lib")->type, CAIRN_ENTRY_SYMLINK);
	cr_assert_str_eq(must_lookup(tree, "/a/b/escape")->link, "../../../../etc/passwd");

	const cairn_entry *e = (const cairn_entry *)1;
	cr_assert_eq(cairn_tree_resolve(tree, "/loop1", &e), CAIRN_EINVAL);
	cr_assert_null(e);
	cr_assert(strstr(cairn_error_message(), "too many levels of symbolic links") != NULL, "%s",
		  cairn_error_message());
	cr_assert_eq(cairn_tree_resolve(tree, "/dangling", &e), CAIRN_ENOENT);
	cr_assert_eq(cairn_tree_resolve(tree, "/empty", &e), CAIRN_ENOENT);
	cr_assert_eq(cairn_tree_resolve(tree, "/etc/passwd/x", &e), CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), "not a directory") != NULL, "%s", cairn_error_message());
	cairn_tree_free(tree);
	ls_free(&set);
}

struct want_log {
	const char *wanted;
	int asked;
};

static int want_one(void *arg, const char *path, uint64_t size)
{
	(void)size;
	struct want_log *log = arg;
	log->asked++;
	return strcmp(path, log->wanted) == 0;
}

Test(tree, want_keeps_exactly_the_requested_contents)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "var/lib/dpkg/status", "Package: old");
	tf_file(&t, "etc/hostname", "box");
	tf_dir(&t, "tmp/");
	tf_end(&t);
	ls_take(&set, &t);
	tf_begin(&t, TF_ZSTD);
	tf_file(&t, "var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\n");
	tf_end(&t);
	ls_take(&set, &t);

	/* Built without reopen: only kept contents can be read. */
	cairn_tree_builder *builder;
	struct want_log log = {"/var/lib/dpkg/status", 0};
	cr_assert_eq(cairn_tree_builder_new(&builder, NULL, want_one, &log, NULL, NULL), 0);
	for (int i = 0; i < set.count; i++) {
		mem_layer m = {set.bytes[i].data, set.bytes[i].len, 0, 0};
		cr_assert_eq(cairn_tree_builder_add_layer(builder, i, NULL, set.bytes[i].len, mem_layer_read, &m), 0, "%s",
			     cairn_error_message());
	}
	cairn_tree *tree;
	cr_assert_eq(cairn_tree_builder_finish(builder, &tree), 0);
	cr_assert_eq(log.asked, 3, "asked once per regular file");
	assert_content(tree, "/var/lib/dpkg/status", "Package: libc6\nStatus: install ok installed\n");
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_tree_read(tree, must_lookup(tree, "/etc/hostname"), 100, &out), CAIRN_EUNSUPPORTED);
	cr_assert(strstr(cairn_error_message(), "/etc/hostname") != NULL);
	cr_assert_eq(out.len, 0);
	/* A limit below the size refuses without reading. */
	cr_assert_eq(cairn_tree_read(tree, must_lookup(tree, "/var/lib/dpkg/status"), 5, &out), CAIRN_ETOOBIG);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, want_over_the_kept_budget_warns_and_reads_later)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "big", "0123456789abcdef");
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_kept_bytes = 10;
	struct want_log log = {"/big", 0};
	cairn_tree *tree;
	cr_assert_eq(ls_build(&set, &limits, want_one, &log, &tree), 0);
	cr_assert_eq(cairn_tree_warning_count(tree), 1);
	cr_assert(strstr(cairn_tree_warning(tree, 0), "not keeping big") != NULL, "%s", cairn_tree_warning(tree, 0));
	assert_content(tree, "/big", "0123456789abcdef");
	cr_assert_eq(set.reopens, 1);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, reads_files_that_were_not_kept_by_streaming_their_layer_again)
{
	layer_set set = {.chunk = 100};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "usr/bin/x", "old x");
	tf_zeros(&t, "usr/share/big", 3 << 20);
	tf_end(&t);
	ls_take(&set, &t);
	tf_begin(&t, TF_ZSTD);
	tf_file(&t, "etc/a", "a");
	tf_file(&t, "usr/bin/x", "first");
	tf_file(&t, "usr/bin/x", "second, the one that counts");
	tf_end(&t);
	ls_take(&set, &t);

	cairn_tree *tree = build_ok(&set);
	cr_assert_eq(cairn_tree_warning_count(tree), 1, "the duplicate is a warning");
	assert_content(tree, "/usr/bin/x", "second, the one that counts");
	assert_content(tree, "/etc/a", "a");
	cairn_buf out = CAIRN_BUF_INIT;
	const cairn_entry *big = must_lookup(tree, "/usr/share/big");
	cr_assert_eq(big->size, 3 << 20);
	cr_assert_eq(cairn_tree_read(tree, big, 4 << 20, &out), 0, "%s", cairn_error_message());
	cr_assert_eq(out.len, 3 << 20);
	cr_assert_eq(out.data[12345], 0);
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_tree_read(tree, big, 1 << 20, &out), CAIRN_ETOOBIG);
	cr_assert_eq(out.len, 0);
	cr_assert_eq(set.reopens, 3);
	cairn_buf_free(&out);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, read_refuses_directories_symlinks_and_devices)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_dir(&t, "dev/");
	tf_special(&t, "dev/null", AE_IFCHR);
	tf_special(&t, "dev/sda", AE_IFBLK);
	tf_special(&t, "run/fifo", AE_IFIFO);
	tf_symlink(&t, "link", "dev");
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree *tree = build_ok(&set);
	cr_assert_eq(must_lookup(tree, "/dev/null")->type, CAIRN_ENTRY_CHAR);
	cr_assert_eq(must_lookup(tree, "/dev/sda")->type, CAIRN_ENTRY_BLOCK);
	cr_assert_eq(must_lookup(tree, "/run/fifo")->type, CAIRN_ENTRY_FIFO);
	cr_assert_eq(cairn_tree_warning_count(tree), 3);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_tree_read(tree, must_lookup(tree, "/dev/null"), 100, &out), CAIRN_EUNSUPPORTED);
	cr_assert(strstr(cairn_error_message(), "never read") != NULL);
	cr_assert_eq(cairn_tree_read(tree, must_lookup(tree, "/dev"), 100, &out), CAIRN_EINVAL);
	cr_assert_eq(cairn_tree_read(tree, must_lookup(tree, "/link"), 100, &out), CAIRN_EINVAL);
	cairn_entry foreign = *must_lookup(tree, "/dev/null");
	cr_assert_eq(cairn_tree_read(tree, &foreign, 100, &out), CAIRN_EINVAL);
	cr_assert_eq(set.reopens, 0);
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, warnings_are_bounded)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	for (int i = 0; i < 150; i++) {
		char name[32];
		snprintf(name, sizeof name, "dev/tty%d", i);
		tf_special(&t, name, AE_IFCHR);
	}
	tf_end(&t);
	ls_take(&set, &t);
	cairn_tree *tree = build_ok(&set);
	cr_assert_eq(cairn_tree_count(tree), 152);
	cr_assert_eq(cairn_tree_warning_count(tree), 101);
	cr_assert_str_eq(cairn_tree_warning(tree, 100), "... and 50 more warnings");
	cr_assert_null(cairn_tree_warning(tree, 101));
	cairn_tree_free(tree);
	ls_free(&set);
}

Test(tree, default_limits)
{
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	cr_assert_eq(limits.max_entries, 1000000);
	cr_assert_eq(limits.max_file_size, 4ULL << 30);
	cr_assert_eq(limits.max_total_size, 32ULL << 30);
	cr_assert_eq(limits.max_ratio, 200);
	cr_assert_eq(limits.ratio_floor, 64ULL << 20);
	cr_assert_eq(limits.max_path, 4096);
	cr_assert_eq(limits.max_kept_bytes, 256ULL << 20);
}

/* ---- cairn_tree_from_dir ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static char *make_dir_fixture(void)
{
	char *root = strdup("/tmp/cairn-tree-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	char path[512];
	snprintf(path, sizeof path, "%s/etc", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/etc/os-release", root);
	write_text(path, "ID=test\n");
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	write_text(path, "root:x:0:0\n");
	snprintf(path, sizeof path, "%s/outside", root);
	cr_assert_eq(symlink("/etc/passwd", path), 0); /* absolute: the image's /etc/passwd, not the host's */
	snprintf(path, sizeof path, "%s/rel", root);
	cr_assert_eq(symlink("etc/os-release", path), 0);
	snprintf(path, sizeof path, "%s/fifo", root);
	cr_assert_eq(mkfifo(path, 0600), 0);
	return root;
}

static void remove_dir_fixture(const char *root)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

static void from_dir_records_links_without_following_them(void)
{
	char *root = make_dir_fixture();
	struct want_log log = {"/etc/os-release", 0};
	cairn_tree *tree;
	cr_assert_eq(cairn_tree_from_dir(&tree, root, NULL, want_one, &log), 0, "%s", cairn_error_message());
	assert_listing(tree, "/\n/etc\n/etc/os-release\n/etc/passwd\n/fifo\n/outside\n/rel\n");
	cr_assert_eq(log.asked, 2);
	const cairn_entry *outside = must_lookup(tree, "/outside");
	cr_assert_eq(outside->type, CAIRN_ENTRY_SYMLINK);
	cr_assert_str_eq(outside->link, "/etc/passwd");
	cr_assert_eq(outside->layer, -1);
	cr_assert_str_eq(resolved(tree, "/outside"), "/etc/passwd");
	cr_assert_str_eq(resolved(tree, "/rel"), "/etc/os-release");
	cr_assert_eq(must_lookup(tree, "/fifo")->type, CAIRN_ENTRY_FIFO);
	cr_assert_eq(cairn_tree_warning_count(tree), 1);
	cr_assert_eq(must_lookup(tree, "/etc/passwd")->size, 11);

	/* Kept content survives the file changing; the rest is read from disk when asked. */
	char path[512];
	snprintf(path, sizeof path, "%s/etc/os-release", root);
	write_text(path, "ID=changed\n");
	assert_content(tree, "/etc/os-release", "ID=test\n");
	assert_content(tree, "/etc/passwd", "root:x:0:0\n");

	/* Swap /etc for a symlink to the host's /etc after the walk: the read must not follow it. */
	char moved[512];
	snprintf(path, sizeof path, "%s/etc", root);
	snprintf(moved, sizeof moved, "%s/etc.moved", root);
	cr_assert_eq(rename(path, moved), 0);
	cr_assert_eq(symlink("/etc", path), 0);
	cairn_buf out = CAIRN_BUF_INIT;
	int err = cairn_tree_read(tree, must_lookup(tree, "/etc/passwd"), 1 << 20, &out);
	cr_assert_neq(err, 0, "read through a symlink: %s", cairn_buf_cstr(&out));
	cr_assert_eq(out.len, 0);
	cairn_buf_free(&out);
	cairn_tree_free(tree);
	remove_dir_fixture(root);
	free(root);
}

Test(tree, from_dir_records_links_without_following_them)
{
	from_dir_records_links_without_following_them();
}

/* The same, through the openat-per-component path kernels without openat2 take. */
Test(tree, from_dir_without_openat2)
{
	tree_dir_without_openat2 = 1;
	from_dir_records_links_without_following_them();
	tree_dir_without_openat2 = 0;
}

Test(tree, from_dir_applies_limits)
{
	char *root = make_dir_fixture();
	cairn_tree_limits limits;
	cairn_tree_limits_default(&limits);
	limits.max_entries = 3;
	cairn_tree *tree = NULL;
	cr_assert_eq(cairn_tree_from_dir(&tree, root, &limits, NULL, NULL), CAIRN_ETOOBIG);
	cr_assert_null(tree);
	cr_assert(strstr(cairn_error_message(), "more than 3 entries") != NULL, "%s", cairn_error_message());
	cairn_tree_limits_default(&limits);
	limits.max_file_size = 5;
	cr_assert_eq(cairn_tree_from_dir(&tree, root, &limits, NULL, NULL), CAIRN_ETOOBIG);
	cr_assert(strstr(cairn_error_message(), "over the limit of 5 bytes") != NULL, "%s", cairn_error_message());
	cr_assert_eq(cairn_tree_from_dir(&tree, "/nonexistent/cairn", NULL, NULL, NULL), CAIRN_ENOENT);
	remove_dir_fixture(root);
	free(root);
}

/* ---- against GNU tar ---- */

static int same_kind(const cairn_entry *a, const cairn_entry *b)
{
	int a_file = a->type == CAIRN_ENTRY_FILE || a->type == CAIRN_ENTRY_HARDLINK;
	int b_file = b->type == CAIRN_ENTRY_FILE || b->type == CAIRN_ENTRY_HARDLINK;
	return a_file ? b_file : a->type == b->type;
}

/* GNU tar writes a layer of a real directory (tzdata's zoneinfo, with its hundreds of symlinks, plus a
 * hardlink); the squashed layer must describe exactly what cairn_tree_from_dir sees on disk. */
Test(tree, gnu_tar_layer_matches_the_directory_it_came_from)
{
	char *root = strdup("/tmp/cairn-tree-tar-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	char cmd[1024];
	const char *source = access("/usr/share/zoneinfo/UTC", F_OK) == 0 ? "/usr/share/zoneinfo" : "/usr/include/linux";
	snprintf(cmd, sizeof cmd,
		 "cp -a %s %s/tree && ln %s/tree/%s %s/tree/hardlinked && "
		 "ln -s target-of-symlink %s/tree/symlink && ln %s/tree/symlink %s/tree/hardlinked-symlink && "
		 "tar -C %s/tree -czf %s/layer.tar.gz . && test -s %s/layer.tar.gz",
		 source, root, root, strcmp(source, "/usr/share/zoneinfo") == 0 ? "Etc/UTC" : "types.h", root, root,
		 root, root, root, root, root);
	cr_assert_eq(system(cmd), 0, "%s", cmd);

	char path[512];
	snprintf(path, sizeof path, "%s/layer.tar.gz", root);
	layer_set set = {.chunk = 4093};
	cr_assert_eq(cairn_file_read(path, 64 << 20, &set.bytes[0]), 0);
	set.count = 1;
	cairn_tree *from_tar = build_ok(&set);
	snprintf(path, sizeof path, "%s/tree", root);
	cairn_tree *from_dir;
	cr_assert_eq(cairn_tree_from_dir(&from_dir, path, NULL, NULL, NULL), 0, "%s", cairn_error_message());

	cr_assert_gt(cairn_tree_count(from_dir), 20);
	cr_assert_eq(cairn_tree_count(from_tar), cairn_tree_count(from_dir));
	size_t links = 0, hardlinks = 0;
	for (size_t i = 0; i < cairn_tree_count(from_dir); i++) {
		const cairn_entry *d = cairn_tree_at(from_dir, i), *t = cairn_tree_at(from_tar, i);
		cr_assert_str_eq(t->path, d->path);
		cr_assert(same_kind(t, d), "%s: types %d and %d", d->path, t->type, d->type);
		cr_assert_eq(t->size, d->size, "%s", d->path);
		cr_assert_eq(t->mode, d->mode, "%s", d->path);
		if (d->type == CAIRN_ENTRY_SYMLINK) {
			cr_assert_str_eq(t->link, d->link);
			links++;
		}
		hardlinks += t->type == CAIRN_ENTRY_HARDLINK;
	}
	cr_assert_eq(hardlinks, 1);
	/* GNU tar wrote the second name of the symlink as a hardlink to it: a symlink again. */
	cr_assert_eq(must_lookup(from_tar, "/hardlinked-symlink")->type, CAIRN_ENTRY_SYMLINK);
	cr_assert_str_eq(must_lookup(from_tar, "/hardlinked-symlink")->link, "target-of-symlink");
	if (strcmp(source, "/usr/share/zoneinfo") == 0)
		cr_assert_gt(links, 10);
	/* Contents agree too, whichever way they are read. */
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT;
	const cairn_entry *hl = must_lookup(from_tar, "/hardlinked");
	cr_assert_eq(cairn_tree_read(from_tar, hl, 1 << 20, &a), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_tree_read(from_dir, must_lookup(from_dir, "/hardlinked"), 1 << 20, &b), 0);
	cr_assert_eq(a.len, b.len);
	cr_assert(a.len > 0 && memcmp(a.data, b.data, a.len) == 0);
	cairn_buf_free(&a);
	cairn_buf_free(&b);
	cairn_tree_free(from_tar);
	cairn_tree_free(from_dir);
	ls_free(&set);
	remove_dir_fixture(root);
	free(root);
}

/* ---- cairn_tree_read_at ---- */

static int want_all(void *arg, const char *path, uint64_t size)
{
	(void)arg;
	(void)path;
	(void)size;
	return 1;
}

Test(tree, read_at_copies_ranges_of_kept_content_and_refuses_the_rest)
{
	layer_set set = {0};
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "kept", "0123456789abcdef");
	tf_file(&t, "other", "not kept");
	tf_symlink(&t, "link", "kept");
	tf_end(&t);
	ls_take(&set, &t);
	struct want_log log = {"/kept", 0};
	cairn_tree *tree;
	cr_assert_eq(ls_build(&set, NULL, want_one, &log, &tree), 0, "%s", cairn_error_message());
	const cairn_entry *kept = must_lookup(tree, "/kept");
	char buf[17] = {0};
	cr_assert_eq(cairn_tree_read_at(tree, kept, 10, buf, 6), 0, "%s", cairn_error_message());
	cr_assert_str_eq(buf, "abcdef");
	cr_assert_eq(cairn_tree_read_at(tree, kept, 0, buf, 16), 0);
	cr_assert_eq(memcmp(buf, "0123456789abcdef", 16), 0);
	cr_assert_eq(cairn_tree_read_at(tree, kept, 16, buf, 0), 0, "an empty range at the end is fine");
	/* One byte past the end, an offset past it, and an offset whose sum with len wraps around. */
	cr_assert_eq(cairn_tree_read_at(tree, kept, 10, buf, 7), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "/kept") != NULL, "%s", cairn_error_message());
	cr_assert_eq(cairn_tree_read_at(tree, kept, 17, buf, 0), CAIRN_EINVAL);
	cr_assert_eq(cairn_tree_read_at(tree, kept, UINT64_MAX - 2, buf, 4), CAIRN_EINVAL);
	/* Content not kept lives only in the layer: the caller must read the whole file instead. */
	cr_assert_eq(cairn_tree_read_at(tree, must_lookup(tree, "/other"), 0, buf, 3), CAIRN_EUNSUPPORTED);
	cr_assert_eq(set.reopens, 0, "read_at never streams a layer again");
	cr_assert_eq(cairn_tree_read_at(tree, must_lookup(tree, "/link"), 0, buf, 1), CAIRN_EINVAL);
	cairn_entry foreign = *kept;
	cr_assert_eq(cairn_tree_read_at(tree, &foreign, 0, buf, 1), CAIRN_EINVAL);
	cairn_tree_free(tree);
	ls_free(&set);
}

static void read_at_from_dir(void)
{
	char *root = make_dir_fixture();
	cairn_tree *tree;
	cr_assert_eq(cairn_tree_from_dir(&tree, root, NULL, NULL, NULL), 0, "%s", cairn_error_message());
	const cairn_entry *passwd = must_lookup(tree, "/etc/passwd"); /* "root:x:0:0\n" */
	char buf[16] = {0};
	cr_assert_eq(cairn_tree_read_at(tree, passwd, 5, buf, 5), 0, "%s", cairn_error_message());
	cr_assert_str_eq(buf, "x:0:0");
	cr_assert_eq(cairn_tree_read_at(tree, passwd, 5, buf, 7), CAIRN_EINVAL, "past the size listed");
	cr_assert_eq(cairn_tree_read_at(tree, must_lookup(tree, "/outside"), 0, buf, 1), CAIRN_EINVAL, "a symlink");

	/* The file shrank since the walk: the range is no longer there. */
	char path[512];
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	write_text(path, "root\n");
	cr_assert_eq(cairn_tree_read_at(tree, passwd, 5, buf, 5), CAIRN_EIO);

	/* /etc swapped for a symlink to the host's /etc after the walk: never followed. */
	char moved[512];
	snprintf(path, sizeof path, "%s/etc", root);
	snprintf(moved, sizeof moved, "%s/etc.moved", root);
	cr_assert_eq(rename(path, moved), 0);
	cr_assert_eq(symlink("/etc", path), 0);
	memset(buf, 0, sizeof buf);
	int err = cairn_tree_read_at(tree, must_lookup(tree, "/etc/os-release"), 0, buf, 3);
	cr_assert_neq(err, 0, "read through a symlink: %s", buf);
	cr_assert_eq(buf[0], 0);
	cairn_tree_free(tree);
	remove_dir_fixture(root);
	free(root);
}

Test(tree, read_at_reads_a_directory_file_without_following_symlinks)
{
	read_at_from_dir();
}

Test(tree, read_at_without_openat2)
{
	tree_dir_without_openat2 = 1;
	read_at_from_dir();
	tree_dir_without_openat2 = 0;
}

Test(tree, read_at_of_a_directory_file_kept_by_want)
{
	char *root = make_dir_fixture();
	cairn_tree *tree;
	cr_assert_eq(cairn_tree_from_dir(&tree, root, NULL, want_all, NULL), 0, "%s", cairn_error_message());
	/* Kept while walked: later changes on disk do not show. */
	char path[512];
	snprintf(path, sizeof path, "%s/etc/passwd", root);
	write_text(path, "changed on disk\n");
	char buf[8] = {0};
	cr_assert_eq(cairn_tree_read_at(tree, must_lookup(tree, "/etc/passwd"), 0, buf, 4), 0, "%s", cairn_error_message());
	cr_assert_str_eq(buf, "root");
	cairn_tree_free(tree);
	remove_dir_fixture(root);
	free(root);
}
