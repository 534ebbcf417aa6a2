/* tree_internal.h - what the tree, its builder, the layer stream and the directory walk share.
 *
 * The builder keeps a mutable tree of nodes (one per path component, found through a hash of parent
 * and name) so that whiteouts and replacements can drop whole subtrees cheaply. Finishing turns it into
 * the read-only cairn_tree: one array of entries sorted by path, with every string in one arena. */
#ifndef CAIRN_IMAGE_TREE_INTERNAL_H
#define CAIRN_IMAGE_TREE_INTERNAL_H

#include "cairn/tree.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct archive;
struct archive_entry;

/* Names, link targets and paths: many small strings that live as long as the tree. The arena refuses
 * to grow past a fixed budget, which bounds what hostile metadata can cost. */
#define TREE_ARENA_BUDGET ((size_t)1 << 30)

struct tree_arena_chunk;
struct tree_arena {
	struct tree_arena_chunk *chunks;
	size_t total; /* bytes of all chunks */
};
/* A NUL-terminated copy of s[0..len) in the arena; NULL (with the error set) past the budget. */
char *tree_arena_strndup(struct tree_arena *arena, const char *s, size_t len);
void tree_arena_free(struct tree_arena *arena);

/* Content kept in memory for `want`; shared by a file and the hardlinks to it. */
struct tree_kept {
	size_t refs;
	size_t len;
	uint8_t *data;
};
void tree_kept_unref(struct tree_kept *kept);

/* Warnings are capped; the ones past the cap are counted and summarised in one last line. */
#define TREE_WARNINGS_MAX 100
struct tree_warnings {
	char *items[TREE_WARNINGS_MAX + 1];
	size_t count;
	size_t dropped;
};
void tree_warn(struct tree_warnings *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tree_warnings_finish(struct tree_warnings *warnings);
void tree_warnings_free(struct tree_warnings *warnings);

/* One entry of the finished tree. pub comes first so a cairn_entry pointer leads back to it. */
struct tree_entry {
	cairn_entry pub;
	const char *src_path;    /* regular files and hardlinks: the path of the content in src_layer */
	struct tree_kept *kept;  /* NULL when not kept */
	uint32_t ordinal;        /* position of the content's header in src_layer (0 first) */
	int src_layer;
};

struct tree_layer_name {
	int index;
	char *name;
	uint64_t compressed_size; /* as announced, for the ratio check when the layer is streamed again */
};

struct cairn_tree {
	struct tree_entry *entries;
	size_t count;
	struct tree_arena strings;
	cairn_tree_limits limits;
	cairn_tree_reopen_fn reopen;
	void *reopen_arg;
	struct tree_layer_name *layers;
	size_t layer_count;
	char *dir_root; /* set for a tree of a directory */
	struct tree_warnings warnings;
};

/* The layer's name for messages ("sha256:..."), or "layer N" when it has none. */
const char *tree_layer_label(const struct tree_layer_name *layers, size_t count, int index);

/* ---- tree_stream.c: one layer through libarchive, with every limit checked as bytes go by ---- */

struct tree_stream {
	struct archive *archive;
	cairn_tree_read_fn read;
	void *read_arg;
	const char *label;               /* the layer, for messages */
	const cairn_tree_limits *limits;
	uint64_t compressed_size;        /* as announced; 0 when unknown */
	uint64_t consumed;               /* compressed bytes handed to libarchive so far */
	uint64_t total_before;           /* uncompressed bytes of earlier layers */
	unsigned char *buf;
	int read_err;                    /* the read callback's failure, kept for the message */
	char read_msg[512];
	char entry[256];                 /* the current entry as written, printable */
	int started;                     /* an entry header has been read */
	uint64_t entry_size;             /* the current entry's size as its header says */
	uint64_t entry_end;              /* uncompressed bytes read when the last content ended */
};

int tree_stream_open(struct tree_stream *stream, const char *label, const cairn_tree_limits *limits,
		     uint64_t compressed_size, uint64_t total_before, cairn_tree_read_fn read, void *read_arg);
/* 1 with *entry set, 0 at the end of the layer, or an error naming the layer and entry. */
int tree_stream_next(struct tree_stream *stream, struct archive_entry **entry);
/* Reads the current entry's content: appended to out (holes of sparse files as zeros) when out is not
 * NULL, else discarded; either way every byte is counted against the limits. CAIRN_ETOOBIG past
 * `limit` bytes (out is left as it was). */
int tree_stream_content(struct tree_stream *stream, uint64_t limit, cairn_buf *out);
/* Uncompressed bytes of this layer so far. */
uint64_t tree_stream_produced(struct tree_stream *stream);
void tree_stream_close(struct tree_stream *stream);

/* ---- tree_builder.c: the mutable tree ---- */

/* What one tar header or directory entry says, once its path is normalised. */
struct tree_item {
	const char *path;   /* normalised absolute path */
	const char *shown;  /* the name as written, printable, for messages */
	enum cairn_entry_type type;
	uint32_t mode, uid, gid;
	int64_t mtime;
	uint64_t size;
	const char *link;   /* symlink target as written, or a hardlink's normalised target */
	uint32_t ordinal;
};

struct tree_node;

/* Starts a layer (or the single pseudo-layer -1 of a directory) named label. */
int tree_builder_begin(cairn_tree_builder *builder, int index, const char *label);
/* Counts one more entry against max_entries. */
int tree_builder_count(cairn_tree_builder *builder, const char *shown);
/* Puts an item into the tree (replacing what was there); *node is the new node for regular files. */
int tree_builder_put(cairn_tree_builder *builder, const struct tree_item *item, struct tree_node **node);
/* 1 when `want` asks for this file and it fits the kept budget (a warning says when it does not). */
int tree_builder_wants(cairn_tree_builder *builder, const struct tree_item *item);
/* Attaches kept content, taking over the buffer's memory (content is left empty). */
int tree_builder_keep(cairn_tree_builder *builder, struct tree_node *node, cairn_buf *content);
void tree_builder_warn(cairn_tree_builder *builder, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const cairn_tree_limits *tree_builder_limits(const cairn_tree_builder *builder);

/* ---- tree_dir.c ---- */

/* Set by tests only: use the component-by-component fallback even where openat2 exists. */
extern int tree_dir_without_openat2;

/* Reads a regular file of a directory tree, never following a symlink, never leaving root. */
int tree_dir_read(const char *root, const char *path, size_t limit, cairn_buf *out);
/* Reads exactly len bytes at offset of such a file (pread); CAIRN_EIO when it has fewer now. */
int tree_dir_read_at(const char *root, const char *path, uint64_t offset, void *buf, size_t len);

#endif
