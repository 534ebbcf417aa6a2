/* The finished tree: entries sorted by path, lookup, chroot-style symlink resolution and reading. */
#include "image/path.h"
#include "image/tree_internal.h"

#include "cairn/error.h"

#include <archive_entry.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits ---- */

void cairn_tree_limits_default(cairn_tree_limits *limits)
{
	limits->max_entries = 1000000;
	limits->max_file_size = (uint64_t)4 << 30;
	limits->max_total_size = (uint64_t)32 << 30;
	limits->max_ratio = 200;
	limits->ratio_floor = (uint64_t)64 << 20;
	limits->max_path = 4096;
	limits->max_kept_bytes = (uint64_t)256 << 20;
}

/* ---- string arena ---- */

#define ARENA_CHUNK_SIZE ((size_t)64 * 1024)

struct tree_arena_chunk {
	struct tree_arena_chunk *next;
	size_t used, cap;
	char data[];
};

char *tree_arena_strndup(struct tree_arena *arena, const char *s, size_t len)
{
	struct tree_arena_chunk *chunk = arena->chunks;
	if (chunk == NULL || chunk->cap - chunk->used < len + 1) {
		size_t cap = len + 1 > ARENA_CHUNK_SIZE ? len + 1 : ARENA_CHUNK_SIZE;
		if (len >= TREE_ARENA_BUDGET || arena->total > TREE_ARENA_BUDGET - cap) {
			cairn_error_set(CAIRN_ETOOBIG, "the tree's names and link targets take over %zu bytes",
					(size_t)TREE_ARENA_BUDGET);
			return NULL;
		}
		chunk = malloc(sizeof *chunk + cap);
		if (chunk == NULL) {
			cairn_error_set(CAIRN_ENOMEM, "out of memory storing the tree's names");
			return NULL;
		}
		chunk->used = 0;
		chunk->cap = cap;
		/* A big string gets a chunk of its own behind the current one, which stays in use. */
		if (arena->chunks != NULL && cap > ARENA_CHUNK_SIZE) {
			chunk->next = arena->chunks->next;
			arena->chunks->next = chunk;
		} else {
			chunk->next = arena->chunks;
			arena->chunks = chunk;
		}
		arena->total += cap;
	}
	char *copy = chunk->data + chunk->used;
	memcpy(copy, s, len);
	copy[len] = '\0';
	chunk->used += len + 1;
	return copy;
}

void tree_arena_free(struct tree_arena *arena)
{
	struct tree_arena_chunk *chunk = arena->chunks;
	while (chunk != NULL) {
		struct tree_arena_chunk *next = chunk->next;
		free(chunk);
		chunk = next;
	}
	arena->chunks = NULL;
	arena->total = 0;
}

/* ---- kept contents ---- */

void tree_kept_unref(struct tree_kept *kept)
{
	if (kept != NULL && --kept->refs == 0) {
		free(kept->data);
		free(kept);
	}
}

/* ---- warnings ---- */

void tree_warn(struct tree_warnings *warnings, const char *fmt, ...)
{
	if (warnings->count >= TREE_WARNINGS_MAX) {
		warnings->dropped++;
		return;
	}
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	char *copy = strdup(text);
	if (copy == NULL) {
		warnings->dropped++;
		return;
	}
	warnings->items[warnings->count++] = copy;
}

void tree_warnings_finish(struct tree_warnings *warnings)
{
	if (warnings->dropped == 0 || warnings->count > TREE_WARNINGS_MAX)
		return;
	char text[128];
	snprintf(text, sizeof text, "... and %zu more warnings", warnings->dropped);
	char *copy = strdup(text);
	if (copy != NULL)
		warnings->items[warnings->count++] = copy;
}

void tree_warnings_free(struct tree_warnings *warnings)
{
	for (size_t i = 0; i < warnings->count; i++)
		free(warnings->items[i]);
	warnings->count = 0;
	warnings->dropped = 0;
}

size_t cairn_tree_warning_count(const cairn_tree *tree) { return tree->warnings.count; }

const char *cairn_tree_warning(const cairn_tree *tree, size_t index)
{
	return index < tree->warnings.count ? tree->warnings.items[index] : NULL;
}

/* ---- layer names ---- */

const char *tree_layer_label(const struct tree_layer_name *layers, size_t count, int index)
{
	for (size_t i = 0; i < count; i++)
		if (layers[i].index == index)
			return layers[i].name;
	return "an unknown layer";
}

/* ---- the tree ---- */

void cairn_tree_free(cairn_tree *tree)
{
	if (tree == NULL)
		return;
	for (size_t i = 0; i < tree->count; i++)
		tree_kept_unref(tree->entries[i].kept);
	free(tree->entries);
	tree_arena_free(&tree->strings);
	for (size_t i = 0; i < tree->layer_count; i++)
		free(tree->layers[i].name);
	free(tree->layers);
	free(tree->dir_root);
	tree_warnings_free(&tree->warnings);
	free(tree);
}

size_t cairn_tree_count(const cairn_tree *tree) { return tree->count; }

const cairn_entry *cairn_tree_at(const cairn_tree *tree, size_t index)
{
	return index < tree->count ? &tree->entries[index].pub : NULL;
}

static const struct tree_entry *find_exact(const cairn_tree *tree, const char *path)
{
	size_t lo = 0, hi = tree->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(tree->entries[mid].pub.path, path);
		if (cmp == 0)
			return &tree->entries[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const cairn_entry *cairn_tree_lookup(const cairn_tree *tree, const char *path)
{
	if (tree == NULL || path == NULL)
		return NULL;
	cairn_buf clean = CAIRN_BUF_INIT;
	const struct tree_entry *found = NULL;
	if (cairn_path_clean(path, &clean) == 0)
		found = find_exact(tree, cairn_buf_cstr(&clean));
	cairn_buf_free(&clean);
	return found != NULL ? &found->pub : NULL;
}

/* ---- resolution ---- */

#define RESOLVE_MAX_HOPS 40
#define RESOLVE_MAX_PENDING ((size_t)64 * 1024)

/* Drops the last component of an absolute path in buf; the root stays the root. */
static void path_pop(cairn_buf *buf)
{
	while (buf->len > 1 && buf->data[buf->len - 1] != '/')
		buf->len--;
	if (buf->len > 1)
		buf->len--;
	buf->data[buf->len] = 0;
}

/* Replaces pending with target + "/" + the rest of pending after cursor. */
static int splice_link(cairn_buf *pending, const char *cursor, const char *target, const char *shown)
{
	cairn_buf next = CAIRN_BUF_INIT;
	int err = cairn_buf_append_str(&next, target);
	if (!err)
		err = cairn_buf_append_byte(&next, '/');
	if (!err)
		err = cairn_buf_append_str(&next, cursor);
	if (!err && next.len > RESOLVE_MAX_PENDING)
		err = cairn_error_set(CAIRN_ETOOBIG, "%s: symbolic links expand to a path over %zu bytes", shown,
				      RESOLVE_MAX_PENDING);
	if (err) {
		cairn_buf_free(&next);
		return err;
	}
	cairn_buf_free(pending);
	*pending = next;
	return 0;
}

static int resolve_walk(const cairn_tree *tree, const char *path, const char *shown, cairn_buf *done,
			cairn_buf *pending)
{
	int err = cairn_buf_append_str(pending, path);
	if (!err)
		err = cairn_buf_append_byte(done, '/');
	if (err)
		return err;
	int hops = 0;
	const char *cursor = cairn_buf_cstr(pending), *comp;
	size_t len;
	while (cairn_path_next(&cursor, &comp, &len)) {
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			path_pop(done); /* ".." at the root stays at the root, as in a chroot */
			continue;
		}
		size_t before = done->len;
		if (done->len > 1)
			err = cairn_buf_append_byte(done, '/');
		if (!err)
			err = cairn_buf_append(done, comp, len);
		if (err)
			return err;
		const struct tree_entry *found = find_exact(tree, cairn_buf_cstr(done));
		if (found == NULL)
			return cairn_error_set(CAIRN_ENOENT, "%s: no such file or directory in the image", shown);
		if (found->pub.type == CAIRN_ENTRY_SYMLINK) {
			if (found->pub.link[0] == '\0')
				return cairn_error_set(CAIRN_ENOENT, "%s: %s is an empty symbolic link", shown,
						       found->pub.path);
			if (++hops > RESOLVE_MAX_HOPS)
				return cairn_error_set(CAIRN_EINVAL,
						       "%s: too many levels of symbolic links (more than %d)", shown,
						       RESOLVE_MAX_HOPS);
			done->len = before;
			done->data[done->len] = 0;
			if (found->pub.link[0] == '/') {
				done->len = 1; /* an absolute target starts again at the image root */
				done->data[1] = 0;
			}
			err = splice_link(pending, cursor, found->pub.link, shown);
			if (err)
				return err;
			cursor = cairn_buf_cstr(pending);
			continue;
		}
		const char *rest = cursor;
		if (found->pub.type != CAIRN_ENTRY_DIR && cairn_path_next(&rest, &comp, &len))
			return cairn_error_set(CAIRN_ENOENT, "%s: %s is not a directory", shown, found->pub.path);
	}
	return 0;
}

int cairn_tree_resolve(const cairn_tree *tree, const char *path, const cairn_entry **out)
{
	*out = NULL;
	char shown[256];
	cairn_path_printable(path, shown, sizeof shown);
	cairn_buf done = CAIRN_BUF_INIT, pending = CAIRN_BUF_INIT;
	int err = resolve_walk(tree, path, shown, &done, &pending);
	if (!err) {
		const struct tree_entry *found = find_exact(tree, cairn_buf_cstr(&done));
		if (found == NULL)
			err = cairn_error_set(CAIRN_ENOENT, "%s: no such file or directory in the image", shown);
		else
			*out = &found->pub;
	}
	cairn_buf_free(&done);
	cairn_buf_free(&pending);
	return err;
}

/* ---- reading ---- */

static const struct tree_entry *own_entry(const cairn_tree *tree, const cairn_entry *entry)
{
	if (tree->count == 0)
		return NULL;
	/* Only pointers into our own array are accepted. */
	uintptr_t p = (uintptr_t)entry, first = (uintptr_t)&tree->entries[0].pub;
	uintptr_t last = (uintptr_t)&tree->entries[tree->count - 1].pub;
	if (p < first || p > last || (p - first) % sizeof(struct tree_entry) != 0)
		return NULL;
	return &tree->entries[(p - first) / sizeof(struct tree_entry)];
}

/* Streams the entry's layer again up to the entry's header and reads its content. */
static int read_from_layer(const cairn_tree *tree, const struct tree_entry *item, size_t limit, cairn_buf *out)
{
	const char *label = tree_layer_label(tree->layers, tree->layer_count, item->src_layer);
	cairn_tree_read_fn read = NULL;
	void *read_arg = NULL;
	void (*close)(void *) = NULL;
	int err = tree->reopen(tree->reopen_arg, item->src_layer, &read, &read_arg, &close);
	if (err)
		return cairn_error_prefix(err, "%s: reopening %s", item->pub.path, label);
	if (read == NULL) {
		if (close != NULL)
			close(read_arg);
		return cairn_error_set(CAIRN_EINTERNAL, "%s: reopening %s gave no reader", item->pub.path, label);
	}
	uint64_t compressed_size = 0;
	for (size_t i = 0; i < tree->layer_count; i++)
		if (tree->layers[i].index == item->src_layer)
			compressed_size = tree->layers[i].compressed_size;
	struct tree_stream stream;
	err = tree_stream_open(&stream, label, &tree->limits, compressed_size, 0, read, read_arg);
	struct archive_entry *header = NULL;
	uint32_t ordinal = 0;
	while (!err) {
		int more = tree_stream_next(&stream, &header);
		if (more < 0) {
			err = more;
			break;
		}
		if (more == 0) {
			err = cairn_error_set(CAIRN_EIO, "%s changed since it was indexed: it ends before entry %s",
					      label, item->src_path);
			break;
		}
		if (ordinal == item->ordinal)
			break;
		ordinal++;
		err = tree_stream_content(&stream, tree->limits.max_file_size, NULL);
	}
	if (!err) {
		cairn_buf clean = CAIRN_BUF_INIT;
		const char *problem;
		const char *name = archive_entry_pathname(header);
		if (name == NULL)
			name = archive_entry_pathname_utf8(header);
		int bad = cairn_path_normalize_entry(name, tree->limits.max_path, &clean, &problem);
		if (bad || strcmp(cairn_buf_cstr(&clean), item->src_path) != 0)
			err = cairn_error_set(CAIRN_EIO, "%s changed since it was indexed: entry %s is not where it was",
					      label, item->src_path);
		cairn_buf_free(&clean);
	}
	if (!err) {
		uint64_t cap = limit < tree->limits.max_file_size ? limit : tree->limits.max_file_size;
		err = tree_stream_content(&stream, cap, out);
		if (err == CAIRN_ETOOBIG && cap == limit)
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: larger than the limit of %zu bytes", item->pub.path, limit);
	}
	tree_stream_close(&stream);
	if (close != NULL)
		close(read_arg);
	return err;
}

int cairn_tree_read(const cairn_tree *tree, const cairn_entry *entry, size_t limit, cairn_buf *out)
{
	const struct tree_entry *item = own_entry(tree, entry);
	if (item == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_tree_read: the entry does not belong to this tree");
	switch (entry->type) {
	case CAIRN_ENTRY_FILE:
	case CAIRN_ENTRY_HARDLINK: break;
	case CAIRN_ENTRY_DIR: return cairn_error_set(CAIRN_EINVAL, "%s: is a directory, not a file", entry->path);
	case CAIRN_ENTRY_SYMLINK:
		return cairn_error_set(CAIRN_EINVAL, "%s: is a symbolic link; resolve it to read its target",
				       entry->path);
	default:
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: is a device node or FIFO; its content is never read",
				       entry->path);
	}
	if (entry->size > limit)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %" PRIu64 " bytes is larger than the limit of %zu bytes",
				       entry->path, entry->size, limit);
	if (item->kept != NULL)
		return cairn_buf_append(out, item->kept->data, item->kept->len);
	if (entry->size == 0)
		return 0;
	if (tree->dir_root != NULL)
		return tree_dir_read(tree->dir_root, item->src_path, limit, out);
	if (tree->reopen == NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: its content was not kept and its layer cannot be opened again", entry->path);
	return read_from_layer(tree, item, limit, out);
}

int cairn_tree_read_at(const cairn_tree *tree, const cairn_entry *entry, uint64_t offset, void *buf, size_t len)
{
	const struct tree_entry *item = own_entry(tree, entry);
	if (item == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_tree_read_at: the entry does not belong to this tree");
	if (entry->type != CAIRN_ENTRY_FILE && entry->type != CAIRN_ENTRY_HARDLINK)
		return cairn_error_set(CAIRN_EINVAL, "%s: not a regular file; only a file's content is read in parts",
				       entry->path);
	/* Kept content may be shorter than the entry says (a directory's file that shrank while walked). */
	uint64_t size = item->kept != NULL ? item->kept->len : entry->size;
	if (offset > size || len > size - offset)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: bytes %" PRIu64 " to %" PRIu64 " are past the end of its %" PRIu64 " bytes",
				       entry->path, offset, offset + (uint64_t)len, size);
	if (len == 0)
		return 0;
	if (item->kept != NULL) {
		memcpy(buf, item->kept->data + offset, len);
		return 0;
	}
	if (tree->dir_root != NULL)
		return tree_dir_read_at(tree->dir_root, item->src_path, offset, buf, len);
	return cairn_error_set(CAIRN_EUNSUPPORTED,
			       "%s: its content was not kept; only a whole read (streaming its layer again) can get it",
			       entry->path);
}
