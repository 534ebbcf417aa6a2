/* cairn/tree.h - a container image's layers squashed into one file tree, without extracting anything.
 *
 * Layers are tar streams (uncompressed, gzip or zstd, detected from their bytes) read once, in order,
 * through libarchive. Whiteouts apply as the OCI image spec says: ".wh.NAME" hides NAME (and all below
 * it) from lower layers; ".wh..wh..opq" in a directory hides everything lower layers put in it. The
 * result is one entry per path with its layer, type, mode, size and link target. File contents are not
 * kept unless the `want` callback asks for them while the layer streams past (how catalogers read
 * package databases in one pass); anything else is read later by streaming its layer again.
 *
 * Hostile layers are refused with a message naming the layer and the entry: absolute paths and ".."
 * components, hardlinks to paths that do not exist, more entries than the limit, a file or an image over
 * its size limit, a layer that decompresses more than max_ratio times its compressed size (past a
 * floor, so small zero-filled layers pass), a truncated or corrupt layer. Survivable oddities become
 * warnings: device nodes and FIFOs are recorded but never read; a duplicate entry replaces the earlier
 * one, as tar extraction would; symlinks are kept as written but resolved only inside the root, the way
 * a chroot resolves them. */
#ifndef CAIRN_TREE_H
#define CAIRN_TREE_H

#include "cairn/buf.h"

#include <stddef.h>
#include <stdint.h>

enum cairn_entry_type {
	CAIRN_ENTRY_FILE = 1,
	CAIRN_ENTRY_DIR,
	CAIRN_ENTRY_SYMLINK,
	CAIRN_ENTRY_HARDLINK, /* a regular file sharing the content of `link` */
	CAIRN_ENTRY_CHAR,
	CAIRN_ENTRY_BLOCK,
	CAIRN_ENTRY_FIFO,
};

typedef struct cairn_entry {
	const char *path;  /* normalised absolute path: "/", "/usr/bin/env" */
	enum cairn_entry_type type;
	uint32_t mode;     /* permission and set-id bits */
	uint64_t size;     /* bytes of content (regular files and hardlinks) */
	const char *link;  /* symlink target as written, or the normalised path a hardlink names */
	int layer;         /* index of the layer that wrote it; -1 for a directory source */
	uint32_t uid, gid;
	int64_t mtime;
} cairn_entry;

typedef struct cairn_tree_limits {
	size_t max_entries;       /* entries across all layers */
	uint64_t max_file_size;   /* one file's content */
	uint64_t max_total_size;  /* uncompressed bytes across all layers */
	uint64_t max_ratio;       /* uncompressed / compressed bytes of one layer ... */
	uint64_t ratio_floor;     /* ... checked only once the layer has produced this many bytes */
	size_t max_path;          /* bytes in one path */
	uint64_t max_kept_bytes;  /* contents kept in memory for `want` */
} cairn_tree_limits;

/* Defaults: 1,000,000 entries; 4 GiB per file; 32 GiB per image; ratio 200 past 64 MiB; 4096-byte
 * paths; 256 MiB of kept contents. */
void cairn_tree_limits_default(cairn_tree_limits *limits);

/* Asked once per regular file as its layer streams: return 1 to keep its content (up to the limits). */
typedef int (*cairn_tree_want_fn)(void *arg, const char *path, uint64_t size);

/* Supplies a layer's bytes (compressed as stored); *got = 0 at the end. */
typedef int (*cairn_tree_read_fn)(void *arg, void *buf, size_t cap, size_t *got);
/* Opens layer `index` again for a later read of a file that was not kept. */
typedef int (*cairn_tree_reopen_fn)(void *arg, int index, cairn_tree_read_fn *read, void **read_arg,
				    void (**close)(void *read_arg));

typedef struct cairn_tree cairn_tree;
typedef struct cairn_tree_builder cairn_tree_builder;

/* limits NULL: the defaults. want and reopen may be NULL. */
int cairn_tree_builder_new(cairn_tree_builder **out, const cairn_tree_limits *limits, cairn_tree_want_fn want,
			   void *want_arg, cairn_tree_reopen_fn reopen, void *reopen_arg);
/* Streams one layer (in order, index 0 first). name (a digest) is used in messages; compressed_size,
 * when known, feeds the ratio check. */
int cairn_tree_builder_add_layer(cairn_tree_builder *builder, int index, const char *name,
				 uint64_t compressed_size, cairn_tree_read_fn read, void *read_arg);
/* Finishes (checks hardlinks, sorts) and hands over the tree; the builder is freed either way. */
int cairn_tree_builder_finish(cairn_tree_builder *builder, cairn_tree **out);
void cairn_tree_builder_free(cairn_tree_builder *builder);

/* A tree of a directory on disk (the dir: source): never follows symlinks out of it. */
int cairn_tree_from_dir(cairn_tree **out, const char *root, const cairn_tree_limits *limits,
			cairn_tree_want_fn want, void *want_arg);

void cairn_tree_free(cairn_tree *tree);
size_t cairn_tree_count(const cairn_tree *tree);
/* Entries sorted by path (bytewise). */
const cairn_entry *cairn_tree_at(const cairn_tree *tree, size_t index);
/* The entry at exactly path (normalised first), following no symlink; NULL when absent. */
const cairn_entry *cairn_tree_lookup(const cairn_tree *tree, const char *path);
/* Follows symlinks (in every component, at most 40) without ever leaving the root. */
int cairn_tree_resolve(const cairn_tree *tree, const char *path, const cairn_entry **out);
/* Appends a regular file's (or hardlink's) content: kept content, or by streaming its layer again (or
 * reading it from disk for a directory). CAIRN_ETOOBIG past limit. */
int cairn_tree_read(const cairn_tree *tree, const cairn_entry *entry, size_t limit, cairn_buf *out);
/* Copies exactly len bytes at offset of a regular file's (or hardlink's) content into buf, for readers
 * that need a few parts of a large file (the sections of a binary): from kept content, or from disk
 * for a directory. CAIRN_EINVAL when [offset, offset+len) is not inside the content;
 * CAIRN_EUNSUPPORTED when the content is neither kept nor on disk (an image layer would have to be
 * streamed again: read the whole file with cairn_tree_read instead). */
int cairn_tree_read_at(const cairn_tree *tree, const cairn_entry *entry, uint64_t offset, void *buf, size_t len);

size_t cairn_tree_warning_count(const cairn_tree *tree);
const char *cairn_tree_warning(const cairn_tree *tree, size_t index);

#endif
