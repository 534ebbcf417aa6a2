/* tar_fixture.h - writes tar layers in memory with libarchive's write API, for the tree tests.
 *
 * A layer is written entry by entry (any type, any name: hostile names are written exactly as given)
 * and compressed with gzip, zstd or nothing. Big contents are streamed in chunks so a test can write a
 * file of many megabytes of zeros without holding it. Reading back goes through mem_layer, a
 * cairn_tree_read_fn over the bytes that can hand them out in small pieces. */
#ifndef CAIRN_TAR_FIXTURE_H
#define CAIRN_TAR_FIXTURE_H

#include "cairn/buf.h"
#include "cairn/error.h"
#include "cairn/tree.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum tf_compression { TF_NONE, TF_GZIP, TF_ZSTD };

typedef struct tar_fixture {
	struct archive *archive;
	cairn_buf out; /* the layer's bytes once tf_end has run */
} tar_fixture;

static inline la_ssize_t tf_write_cb(struct archive *a, void *arg, const void *data, size_t len)
{
	(void)a;
	tar_fixture *t = arg;
	return cairn_buf_append(&t->out, data, len) == 0 ? (la_ssize_t)len : -1;
}

/* level: the gzip or zstd compression level, 0 for the default. */
static inline void tf_begin_level(tar_fixture *t, enum tf_compression compression, int level)
{
	cairn_buf_init(&t->out);
	t->archive = archive_write_new();
	cr_assert_not_null(t->archive);
	cr_assert_eq(archive_write_set_format_pax_restricted(t->archive), ARCHIVE_OK);
	if (compression == TF_GZIP)
		cr_assert_eq(archive_write_add_filter_gzip(t->archive), ARCHIVE_OK);
	else if (compression == TF_ZSTD)
		cr_assert_eq(archive_write_add_filter_zstd(t->archive), ARCHIVE_OK);
	if (level > 0) {
		char text[16];
		snprintf(text, sizeof text, "%d", level);
		cr_assert_eq(archive_write_set_filter_option(t->archive, NULL, "compression-level", text), ARCHIVE_OK);
	}
	/* No padding of the last block beyond what tar itself needs. */
	archive_write_set_bytes_in_last_block(t->archive, 1);
	cr_assert_eq(archive_write_open(t->archive, t, NULL, tf_write_cb, NULL), ARCHIVE_OK);
}

static inline void tf_begin(tar_fixture *t, enum tf_compression compression) { tf_begin_level(t, compression, 0); }

static inline struct archive_entry *tf_entry(const char *name, mode_t type, unsigned perm, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, 1700000000, 0);
	return e;
}

static inline void tf_put(tar_fixture *t, struct archive_entry *e, const void *data, size_t len)
{
	cr_assert_eq(archive_write_header(t->archive, e), ARCHIVE_OK, "writing %s: %s", archive_entry_pathname(e),
		     archive_error_string(t->archive));
	if (len > 0)
		cr_assert_eq(archive_write_data(t->archive, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static inline void tf_file_mode(tar_fixture *t, const char *name, const char *content, unsigned perm)
{
	size_t len = strlen(content);
	tf_put(t, tf_entry(name, AE_IFREG, perm, (int64_t)len), content, len);
}

static inline void tf_file(tar_fixture *t, const char *name, const char *content)
{
	tf_file_mode(t, name, content, 0644);
}

static inline void tf_dir(tar_fixture *t, const char *name) { tf_put(t, tf_entry(name, AE_IFDIR, 0755, 0), NULL, 0); }

static inline void tf_symlink(tar_fixture *t, const char *name, const char *target)
{
	struct archive_entry *e = tf_entry(name, AE_IFLNK, 0777, 0);
	archive_entry_set_symlink(e, target);
	tf_put(t, e, NULL, 0);
}

static inline void tf_hardlink(tar_fixture *t, const char *name, const char *target)
{
	struct archive_entry *e = tf_entry(name, AE_IFREG, 0644, 0);
	archive_entry_set_hardlink(e, target);
	tf_put(t, e, NULL, 0);
}

static inline void tf_special(tar_fixture *t, const char *name, mode_t type)
{
	struct archive_entry *e = tf_entry(name, type, 0600, 0);
	archive_entry_set_rdev(e, 0x0103);
	tf_put(t, e, NULL, 0);
}

/* "dir/name" becomes "dir/.wh.name"; "name" becomes ".wh.name". */
static inline void tf_whiteout(tar_fixture *t, const char *path)
{
	char name[1024];
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(name, sizeof name, ".wh.%s", path);
	else
		snprintf(name, sizeof name, "%.*s/.wh.%s", (int)(slash - path), path, slash + 1);
	tf_file(t, name, "");
}

static inline void tf_opaque(tar_fixture *t, const char *dir)
{
	char name[1024];
	snprintf(name, sizeof name, "%s/.wh..wh..opq", dir);
	tf_file(t, name, "");
}

/* A file of `size` zero bytes, written 1 MiB at a time. */
static inline void tf_zeros(tar_fixture *t, const char *name, int64_t size)
{
	static const char zeros[1 << 20];
	struct archive_entry *e = tf_entry(name, AE_IFREG, 0644, size);
	cr_assert_eq(archive_write_header(t->archive, e), ARCHIVE_OK);
	archive_entry_free(e);
	for (int64_t left = size; left > 0;) {
		size_t chunk = left < (int64_t)sizeof zeros ? (size_t)left : sizeof zeros;
		cr_assert_eq(archive_write_data(t->archive, zeros, chunk), (la_ssize_t)chunk);
		left -= (int64_t)chunk;
	}
}

/* A file of `size` bytes that do not compress (a xorshift sequence from seed). */
static inline void tf_noise(tar_fixture *t, const char *name, int64_t size, uint64_t seed)
{
	struct archive_entry *e = tf_entry(name, AE_IFREG, 0644, size);
	cr_assert_eq(archive_write_header(t->archive, e), ARCHIVE_OK);
	archive_entry_free(e);
	uint64_t x = seed | 1;
	unsigned char chunk[4096];
	for (int64_t left = size; left > 0;) {
		for (size_t i = 0; i < sizeof chunk; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			chunk[i] = (unsigned char)x;
		}
		size_t n = left < (int64_t)sizeof chunk ? (size_t)left : sizeof chunk;
		cr_assert_eq(archive_write_data(t->archive, chunk, n), (la_ssize_t)n);
		left -= (int64_t)n;
	}
}

static inline void tf_end(tar_fixture *t)
{
	cr_assert_eq(archive_write_close(t->archive), ARCHIVE_OK);
	archive_write_free(t->archive);
	t->archive = NULL;
}

/* ---- reading a layer back from memory ---- */

typedef struct mem_layer {
	const uint8_t *data;
	size_t len, pos;
	size_t chunk; /* the most one read hands out; 0 for no cap */
} mem_layer;

static inline int mem_layer_read(void *arg, void *buf, size_t cap, size_t *got)
{
	mem_layer *m = arg;
	size_t n = m->len - m->pos;
	if (n > cap)
		n = cap;
	if (m->chunk > 0 && n > m->chunk)
		n = m->chunk;
	if (n > 0)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	*got = n;
	return 0;
}

/* ---- a set of layers, built into a tree, reopened on demand ---- */

#define LS_MAX 8

typedef struct layer_set {
	cairn_buf bytes[LS_MAX];
	int count;
	int reopens;  /* how many times a layer was streamed again */
	size_t chunk; /* reads hand out at most this many bytes (0: as many as asked) */
} layer_set;

/* Moves a finished fixture's bytes into the set as the next layer. */
static inline void ls_take(layer_set *set, tar_fixture *t)
{
	cr_assert_lt(set->count, LS_MAX);
	set->bytes[set->count++] = t->out;
	cairn_buf_init(&t->out);
}

static inline void ls_free(layer_set *set)
{
	for (int i = 0; i < set->count; i++)
		cairn_buf_free(&set->bytes[i]);
	set->count = 0;
}

static inline void ls_close(void *arg) { free(arg); }

static inline int ls_reopen(void *arg, int index, cairn_tree_read_fn *read, void **read_arg,
			    void (**close)(void *))
{
	layer_set *set = arg;
	if (index < 0 || index >= set->count)
		return cairn_error_set(CAIRN_ENOENT, "no layer %d", index);
	mem_layer *m = calloc(1, sizeof *m);
	if (m == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	m->data = set->bytes[index].data;
	m->len = set->bytes[index].len;
	m->chunk = set->chunk;
	set->reopens++;
	*read = mem_layer_read;
	*read_arg = m;
	*close = ls_close;
	return 0;
}

/* Layer i is named "sha256:layer<i>" in messages. */
static inline int ls_build(layer_set *set, const cairn_tree_limits *limits, cairn_tree_want_fn want, void *want_arg,
			   cairn_tree **out)
{
	*out = NULL;
	cairn_tree_builder *builder;
	int err = cairn_tree_builder_new(&builder, limits, want, want_arg, ls_reopen, set);
	if (err)
		return err;
	for (int i = 0; i < set->count; i++) {
		mem_layer m = {set->bytes[i].data, set->bytes[i].len, 0, set->chunk};
		char name[32];
		snprintf(name, sizeof name, "sha256:layer%d", i);
		err = cairn_tree_builder_add_layer(builder, i, name, 0, mem_layer_read, &m);
		if (err) {
			cairn_tree_builder_free(builder);
			return err;
		}
	}
	return cairn_tree_builder_finish(builder, out);
}

#endif
