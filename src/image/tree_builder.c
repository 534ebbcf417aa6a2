/* Building the squashed tree: layers in order, whiteouts, replacements, hardlinks and the limits.
 *
 * While layers stream, the tree is a set of nodes, one per path component, linked to their parent and
 * siblings (so a whiteout or a file replacing a directory can drop a whole subtree) and found through
 * one hash table keyed by (parent, name). Finishing writes every node out once as a sorted array. */
#include "image/path.h"
#include "image/tree_internal.h"

#include "cairn/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Full paths of all live entries: bounded so that a tree of deep paths cannot exhaust memory. */
#define TREE_PATH_BUDGET ((uint64_t)512 << 20)
#define NODES_PER_BLOCK 1024
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_PREFIX_LEN 4
#define OPAQUE_MARKER ".wh..wh..opq"

struct tree_node {
	struct tree_node *parent, *child, *next, *prev; /* children are a doubly linked list */
	struct tree_node *hash_next;
	const char *name;      /* this component, in the arena; "" for the root */
	const char *link;      /* symlink target or hardlink target */
	const char *src_path;  /* hardlinks: path of the content in src_layer; files: NULL (their own) */
	const char *full;      /* the full path, set while finishing */
	struct tree_kept *kept;
	uint64_t size;
	int64_t mtime;
	uint32_t mode, uid, gid;
	uint32_t ordinal;      /* header position of the content in src_layer */
	uint32_t name_len;
	uint32_t path_len;     /* bytes of the full path */
	uint32_t hash;
	int layer, src_layer;
	enum cairn_entry_type type;
	int is_explicit;       /* written by a header of its layer, not implied by an entry below it */
};

struct node_block {
	struct node_block *next;
	struct tree_node nodes[NODES_PER_BLOCK];
};

struct cairn_tree_builder {
	cairn_tree_limits limits;
	cairn_tree_want_fn want;
	void *want_arg;
	cairn_tree_reopen_fn reopen;
	void *reopen_arg;
	struct tree_arena strings;
	struct tree_node *root;
	struct tree_node **buckets;
	size_t bucket_count; /* a power of two */
	size_t node_count;
	struct tree_node *free_nodes;
	struct node_block *blocks;
	size_t block_used; /* nodes handed out of the newest block */
	size_t entries_seen;
	uint64_t total_bytes; /* uncompressed bytes of the finished layers */
	uint64_t kept_bytes;
	uint64_t path_bytes;
	struct tree_warnings warnings;
	struct tree_layer_name *layers;
	size_t layer_count;
	int layer;         /* the layer being added */
	const char *label; /* its name for messages */
	int failed;
};

/* ---- nodes and the hash table ---- */

static uint32_t hash_name(const struct tree_node *parent, const char *name, size_t len)
{
	/* FNV-1a over the parent's address and the name. */
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)parent;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static struct tree_node *find_child(const cairn_tree_builder *b, const struct tree_node *parent, const char *name,
				    size_t len)
{
	uint32_t h = hash_name(parent, name, len);
	for (struct tree_node *n = b->buckets[h & (b->bucket_count - 1)]; n != NULL; n = n->hash_next)
		if (n->hash == h && n->parent == parent && n->name_len == len && memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

static int grow_buckets(cairn_tree_builder *b)
{
	size_t count = b->bucket_count * 2;
	struct tree_node **buckets = calloc(count, sizeof *buckets);
	if (buckets == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory growing the tree's index");
	for (size_t i = 0; i < b->bucket_count; i++) {
		struct tree_node *n = b->buckets[i];
		while (n != NULL) {
			struct tree_node *next = n->hash_next;
			n->hash_next = buckets[n->hash & (count - 1)];
			buckets[n->hash & (count - 1)] = n;
			n = next;
		}
	}
	free(b->buckets);
	b->buckets = buckets;
	b->bucket_count = count;
	return 0;
}

static struct tree_node *alloc_node(cairn_tree_builder *b)
{
	struct tree_node *n = b->free_nodes;
	if (n != NULL) {
		b->free_nodes = n->next;
	} else {
		if (b->blocks == NULL || b->block_used == NODES_PER_BLOCK) {
			struct node_block *block = malloc(sizeof *block);
			if (block == NULL) {
				cairn_error_set(CAIRN_ENOMEM, "out of memory adding to the tree");
				return NULL;
			}
			block->next = b->blocks;
			b->blocks = block;
			b->block_used = 0;
		}
		n = &b->blocks->nodes[b->block_used++];
	}
	memset(n, 0, sizeof *n);
	return n;
}

static void set_implied_dir(struct tree_node *n, int layer)
{
	/* What extraction would create for a parent the layer does not list. */
	n->type = CAIRN_ENTRY_DIR;
	n->mode = 0755;
	n->uid = n->gid = 0;
	n->mtime = 0;
	n->size = 0;
	n->link = NULL;
	n->src_path = NULL;
	n->layer = n->src_layer = layer;
	n->ordinal = 0;
	n->is_explicit = 0;
}

static int new_child(cairn_tree_builder *b, struct tree_node *parent, const char *name, size_t len, const char *shown,
		     struct tree_node **out)
{
	uint32_t path_len = (parent == b->root ? 0 : parent->path_len) + 1 + (uint32_t)len;
	if (b->path_bytes + path_len + 1 > TREE_PATH_BUDGET)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: at entry %s the tree's paths take over %" PRIu64 " bytes",
				       b->label, shown, TREE_PATH_BUDGET);
	if (b->node_count >= b->bucket_count) {
		int err = grow_buckets(b);
		if (err)
			return err;
	}
	struct tree_node *n = alloc_node(b);
	const char *copy = n != NULL ? tree_arena_strndup(&b->strings, name, len) : NULL;
	if (copy == NULL) {
		if (n != NULL) {
			n->next = b->free_nodes;
			b->free_nodes = n;
		}
		return cairn_error_prefix(cairn_error_code(), "%s: entry %s", b->label, shown);
	}
	n->name = copy;
	n->name_len = (uint32_t)len;
	n->path_len = path_len;
	n->hash = hash_name(parent, name, len);
	n->parent = parent;
	n->next = parent->child;
	if (parent->child != NULL)
		parent->child->prev = n;
	parent->child = n;
	size_t slot = n->hash & (b->bucket_count - 1);
	n->hash_next = b->buckets[slot];
	b->buckets[slot] = n;
	b->node_count++;
	b->path_bytes += path_len + 1;
	*out = n;
	return 0;
}

static void drop_kept(cairn_tree_builder *b, struct tree_node *n)
{
	if (n->kept == NULL)
		return;
	if (n->kept->refs == 1)
		b->kept_bytes -= n->kept->len;
	tree_kept_unref(n->kept);
	n->kept = NULL;
}

/* Removes a node that has no children left. */
static void remove_node(cairn_tree_builder *b, struct tree_node *n)
{
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		n->parent->child = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	struct tree_node **slot = &b->buckets[n->hash & (b->bucket_count - 1)];
	while (*slot != n)
		slot = &(*slot)->hash_next;
	*slot = n->hash_next;
	drop_kept(b, n);
	b->node_count--;
	b->path_bytes -= n->path_len + 1;
	n->next = b->free_nodes;
	b->free_nodes = n;
}

static struct tree_node *leftmost_leaf(struct tree_node *n)
{
	while (n->child != NULL)
		n = n->child;
	return n;
}

/* Visits every node below top, children before their parent, without recursion (paths can be deep).
 * visit may remove the node it is given, which by then has only the children visit kept. */
static void visit_below(cairn_tree_builder *b, struct tree_node *top,
			void (*visit)(cairn_tree_builder *, struct tree_node *))
{
	if (top->child == NULL)
		return;
	struct tree_node *n = leftmost_leaf(top->child);
	for (;;) {
		struct tree_node *next = n->next != NULL ? leftmost_leaf(n->next) : n->parent;
		visit(b, n);
		if (next == top)
			return;
		n = next;
	}
}

static void visit_remove(cairn_tree_builder *b, struct tree_node *n) { remove_node(b, n); }

/* A whiteout or opaque marker hides what lower layers wrote, never what its own layer wrote: a node of
 * this layer stays, a lower node that still holds something of this layer becomes the directory the
 * layer implies, anything else goes. */
static void visit_hide_lower(cairn_tree_builder *b, struct tree_node *n)
{
	if (n->layer == b->layer)
		return;
	if (n->child != NULL) {
		drop_kept(b, n);
		set_implied_dir(n, b->layer);
		return;
	}
	remove_node(b, n);
}

/* ---- walking paths ---- */

/* Finds the node of a normalised path, creating nothing; NULL when absent. */
static struct tree_node *find_path(const cairn_tree_builder *b, const char *path)
{
	struct tree_node *n = b->root;
	const char *cursor = path, *comp;
	size_t len;
	while (n != NULL && cairn_path_next(&cursor, &comp, &len))
		n = n->type == CAIRN_ENTRY_DIR ? find_child(b, n, comp, len) : NULL;
	return n;
}

/* Makes sure every directory above path exists, as extraction would, and gives the parent node and
 * the last component (*len 0 for the root itself). */
static int walk_to_parent(cairn_tree_builder *b, const char *path, const char *shown, struct tree_node **parent,
			  const char **last, size_t *last_len)
{
	struct tree_node *n = b->root;
	const char *cursor = path, *comp = NULL;
	size_t len = 0;
	int have = cairn_path_next(&cursor, &comp, &len);
	while (have) {
		const char *next_comp;
		size_t next_len;
		if (!cairn_path_next(&cursor, &next_comp, &next_len))
			break;
		struct tree_node *child = find_child(b, n, comp, len);
		if (child == NULL) {
			int err = new_child(b, n, comp, len, shown, &child);
			if (err)
				return err;
			set_implied_dir(child, b->layer);
		} else if (child->type != CAIRN_ENTRY_DIR) {
			tree_builder_warn(b, "%s: entry %s replaces the non-directory %.*s above it with a directory",
					  b->label, shown, (int)(comp + len - path), path);
			drop_kept(b, child);
			set_implied_dir(child, b->layer);
		}
		n = child;
		comp = next_comp;
		len = next_len;
	}
	*parent = n;
	*last = have ? comp : "";
	*last_len = have ? len : 0;
	return 0;
}

/* ---- the builder ---- */

int cairn_tree_builder_new(cairn_tree_builder **out, const cairn_tree_limits *limits, cairn_tree_want_fn want,
			   void *want_arg, cairn_tree_reopen_fn reopen, void *reopen_arg)
{
	*out = NULL;
	cairn_tree_builder *b = calloc(1, sizeof *b);
	if (b == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory creating a tree builder");
	if (limits != NULL)
		b->limits = *limits;
	else
		cairn_tree_limits_default(&b->limits);
	b->want = want;
	b->want_arg = want_arg;
	b->reopen = reopen;
	b->reopen_arg = reopen_arg;
	b->bucket_count = 1024;
	b->buckets = calloc(b->bucket_count, sizeof *b->buckets);
	b->root = alloc_node(b);
	if (b->buckets == NULL || b->root == NULL) {
		cairn_tree_builder_free(b);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory creating a tree builder");
	}
	b->root->name = "";
	b->root->path_len = 1;
	set_implied_dir(b->root, 0);
	b->layer = -2; /* no layer yet */
	*out = b;
	return 0;
}

void cairn_tree_builder_free(cairn_tree_builder *b)
{
	if (b == NULL)
		return;
	if (b->root != NULL) {
		visit_below(b, b->root, visit_remove);
		drop_kept(b, b->root);
	}
	struct node_block *block = b->blocks;
	while (block != NULL) {
		struct node_block *next = block->next;
		free(block);
		block = next;
	}
	free(b->buckets);
	tree_arena_free(&b->strings);
	for (size_t i = 0; i < b->layer_count; i++)
		free(b->layers[i].name);
	free(b->layers);
	tree_warnings_free(&b->warnings);
	free(b);
}

const cairn_tree_limits *tree_builder_limits(const cairn_tree_builder *b) { return &b->limits; }

void tree_builder_warn(cairn_tree_builder *b, const char *fmt, ...)
{
	if (b->warnings.count >= TREE_WARNINGS_MAX) {
		b->warnings.dropped++;
		return;
	}
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	tree_warn(&b->warnings, "%s", text);
}

int tree_builder_begin(cairn_tree_builder *b, int index, const char *label)
{
	if (b->failed)
		return cairn_error_set(CAIRN_EINVAL, "%s: an earlier layer failed; start again", label);
	if (b->layer_count > 0 && index <= b->layer)
		return cairn_error_set(CAIRN_EINVAL, "%s: layers must be added in order (index %d after %d)", label,
				       index, b->layer);
	struct tree_layer_name *layers = realloc(b->layers, (b->layer_count + 1) * sizeof *layers);
	if (layers == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	b->layers = layers;
	char *copy = strdup(label);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	layers[b->layer_count].index = index;
	layers[b->layer_count].name = copy;
	layers[b->layer_count].compressed_size = 0;
	b->layer_count++;
	if (b->layer_count == 1 && !b->root->is_explicit)
		b->root->layer = b->root->src_layer = index;
	b->layer = index;
	b->label = copy;
	return 0;
}

int tree_builder_count(cairn_tree_builder *b, const char *shown)
{
	if (b->entries_seen >= b->limits.max_entries)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: more than %zu entries in the image (at entry %s)", b->label,
				       b->limits.max_entries, shown);
	b->entries_seen++;
	return 0;
}

int tree_builder_wants(cairn_tree_builder *b, const struct tree_item *item)
{
	if (b->want == NULL || b->want(b->want_arg, item->path, item->size) != 1)
		return 0;
	if (item->size > b->limits.max_kept_bytes - b->kept_bytes) {
		/* Friendlier than failing: the file can still be read later by streaming its layer again. */
		tree_builder_warn(b,
				  "%s: not keeping %s in memory (%" PRIu64 " bytes): over the limit of %" PRIu64
				  " bytes of kept contents",
				  b->label, item->shown, item->size, b->limits.max_kept_bytes);
		return 0;
	}
	return 1;
}

int tree_builder_keep(cairn_tree_builder *b, struct tree_node *node, cairn_buf *content)
{
	struct tree_kept *kept = malloc(sizeof *kept);
	if (kept == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory keeping %s", node->name);
	kept->refs = 1;
	kept->data = cairn_buf_detach(content, &kept->len);
	drop_kept(b, node);
	node->kept = kept;
	b->kept_bytes += kept->len;
	return 0;
}

/* What a hardlink takes from its target, copied before the tree changes under it. */
struct link_source {
	enum cairn_entry_type type;
	const char *link;
	const char *src_path;
	struct tree_kept *kept;
	uint64_t size;
	uint32_t ordinal;
	int src_layer;
};

static int hardlink_source(cairn_tree_builder *b, const struct tree_item *item, struct link_source *src)
{
	struct tree_node *target = find_path(b, item->link);
	if (target == NULL)
		return cairn_error_set(CAIRN_EINVAL,
				       "%s: hardlink %s points to %s, which no earlier entry of this layer or a lower "
				       "one created",
				       b->label, item->shown, item->link);
	if (target->type == CAIRN_ENTRY_DIR)
		return cairn_error_set(CAIRN_EINVAL, "%s: hardlink %s points to the directory %s", b->label,
				       item->shown, item->link);
	memset(src, 0, sizeof *src);
	src->type = target->type;
	src->size = target->size;
	src->link = target->link;
	src->src_layer = target->src_layer;
	src->ordinal = target->ordinal;
	src->kept = target->kept;
	if (src->kept != NULL)
		src->kept->refs++;
	if (target->type == CAIRN_ENTRY_FILE) {
		src->type = CAIRN_ENTRY_HARDLINK;
		src->src_path = tree_arena_strndup(&b->strings, item->link, strlen(item->link));
		if (src->src_path == NULL) {
			tree_kept_unref(src->kept);
			return cairn_error_code();
		}
		src->link = src->src_path;
	} else if (target->type == CAIRN_ENTRY_HARDLINK) {
		src->src_path = target->src_path;
		src->link = tree_arena_strndup(&b->strings, item->link, strlen(item->link));
		if (src->link == NULL) {
			tree_kept_unref(src->kept);
			return cairn_error_code();
		}
	} else if (target->type != CAIRN_ENTRY_SYMLINK) {
		tree_builder_warn(b, "%s: hardlink %s to the device node or FIFO %s is recorded but never read",
				  b->label, item->shown, item->link);
	}
	return 0;
}

static void fill_node(cairn_tree_builder *b, struct tree_node *n, const struct tree_item *item, const char *link)
{
	n->type = item->type;
	n->mode = item->mode & 07777;
	n->uid = item->uid;
	n->gid = item->gid;
	n->mtime = item->mtime;
	n->size = item->type == CAIRN_ENTRY_FILE ? item->size : 0;
	n->link = link;
	n->src_path = NULL;
	n->layer = n->src_layer = b->layer;
	n->ordinal = item->ordinal;
	n->is_explicit = 1;
}

int tree_builder_put(cairn_tree_builder *b, const struct tree_item *item, struct tree_node **node)
{
	*node = NULL;
	struct link_source src;
	int is_hardlink = item->type == CAIRN_ENTRY_HARDLINK;
	if (is_hardlink) {
		int err = hardlink_source(b, item, &src);
		if (err)
			return err;
	}
	const char *link = NULL;
	if (item->type == CAIRN_ENTRY_SYMLINK) {
		link = tree_arena_strndup(&b->strings, item->link, strlen(item->link));
		if (link == NULL)
			return cairn_error_prefix(cairn_error_code(), "%s: entry %s", b->label, item->shown);
	}
	struct tree_node *parent, *n;
	const char *last;
	size_t last_len;
	int err = walk_to_parent(b, item->path, item->shown, &parent, &last, &last_len);
	if (err)
		goto fail;
	if (last_len == 0) {
		/* "./" itself: only a directory can be the root. */
		if (item->type != CAIRN_ENTRY_DIR) {
			tree_builder_warn(b, "%s: entry %s names the root but is not a directory; ignored", b->label,
					  item->shown);
			goto fail;
		}
		fill_node(b, b->root, item, NULL);
		return 0;
	}
	n = find_child(b, parent, last, last_len);
	if (n == NULL) {
		err = new_child(b, parent, last, last_len, item->shown, &n);
		if (err)
			goto fail;
	} else {
		if (n->layer == b->layer && n->is_explicit)
			tree_builder_warn(b, "%s: entry %s appears twice; the later one wins", b->label, item->shown);
		/* A directory over a directory merges; anything else replaces the whole subtree. */
		if (!(item->type == CAIRN_ENTRY_DIR && n->type == CAIRN_ENTRY_DIR))
			visit_below(b, n, visit_remove);
		drop_kept(b, n);
	}
	fill_node(b, n, item, link);
	if (is_hardlink) {
		n->type = src.type;
		n->link = src.link;
		n->size = src.size;
		n->src_path = src.src_path;
		n->src_layer = src.src_layer;
		n->ordinal = src.ordinal;
		n->kept = src.kept;
	}
	if (n->type == CAIRN_ENTRY_FILE)
		*node = n;
	return 0;
fail:
	if (is_hardlink)
		tree_kept_unref(src.kept);
	return err;
}

/* ---- one tar layer ---- */

static int is_whiteout_name(const char *comp, size_t len)
{
	return len >= WHITEOUT_PREFIX_LEN && memcmp(comp, WHITEOUT_PREFIX, WHITEOUT_PREFIX_LEN) == 0;
}

/* 1 when the last component is a whiteout; -1 when an earlier one is (nothing can live inside a
 * whiteout, and letting it through would put a whiteout name in the tree). */
static int whiteout_kind(const char *path)
{
	const char *cursor = path, *comp;
	size_t len;
	while (cairn_path_next(&cursor, &comp, &len)) {
		if (!is_whiteout_name(comp, len))
			continue;
		const char *rest = cursor, *more;
		size_t more_len;
		return cairn_path_next(&rest, &more, &more_len) ? -1 : 1;
	}
	return 0;
}

/* ".wh.NAME" hides NAME from the layers below; ".wh..wh..opq" hides everything they put in its
 * directory. Either way only lower layers are affected (OCI image spec, layer.md). */
static int apply_whiteout(cairn_tree_builder *b, const char *path, const char *shown)
{
	struct tree_node *parent;
	const char *last;
	size_t last_len;
	int err = walk_to_parent(b, path, shown, &parent, &last, &last_len);
	if (err)
		return err;
	if (last_len == strlen(OPAQUE_MARKER) && memcmp(last, OPAQUE_MARKER, last_len) == 0) {
		visit_below(b, parent, visit_hide_lower);
		return 0;
	}
	const char *name = last + WHITEOUT_PREFIX_LEN;
	size_t name_len = last_len - WHITEOUT_PREFIX_LEN;
	if (is_whiteout_name(name, name_len)) {
		/* Other ".wh..wh." names are AUFS bookkeeping (hardlink stores and the like), not content. */
		tree_builder_warn(b, "%s: entry %s is an unknown whiteout marker; ignored", b->label, shown);
		return 0;
	}
	if (name_len == 0 || (name_len == 1 && name[0] == '.') || (name_len == 2 && name[0] == '.' && name[1] == '.'))
		return cairn_error_set(CAIRN_EINVAL, "%s: entry %s is a whiteout of nothing valid", b->label, shown);
	struct tree_node *victim = find_child(b, parent, name, name_len);
	if (victim != NULL) {
		visit_below(b, victim, visit_hide_lower);
		visit_hide_lower(b, victim);
	}
	return 0;
}

static int entry_type(cairn_tree_builder *b, struct archive_entry *header, const char *shown,
		      enum cairn_entry_type *type)
{
	switch (archive_entry_filetype(header)) {
	case AE_IFREG: *type = CAIRN_ENTRY_FILE; return 1;
	case AE_IFDIR: *type = CAIRN_ENTRY_DIR; return 1;
	case AE_IFLNK: *type = CAIRN_ENTRY_SYMLINK; return 1;
	case AE_IFCHR: *type = CAIRN_ENTRY_CHAR; break;
	case AE_IFBLK: *type = CAIRN_ENTRY_BLOCK; break;
	case AE_IFIFO: *type = CAIRN_ENTRY_FIFO; break;
	default:
		tree_builder_warn(b, "%s: entry %s is a socket or of an unknown type; skipped", b->label, shown);
		return 0;
	}
	tree_builder_warn(b, "%s: entry %s is a %s; it is recorded but never read", b->label, shown,
			  *type == CAIRN_ENTRY_FIFO ? "FIFO" : "device node");
	return 1;
}

static const char *header_text(const char *mbs, const char *utf8) { return mbs != NULL ? mbs : utf8; }

static int normalize_name(cairn_tree_builder *b, const char *name, const char *what, const char *shown,
			  cairn_buf *out)
{
	if (name != NULL && strlen(name) > b->limits.max_path)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: entry %s has a %s of %zu bytes, over the limit of %zu",
				       b->label, shown, what, strlen(name), b->limits.max_path);
	const char *problem;
	int err = cairn_path_normalize_entry(name, b->limits.max_path, out, &problem);
	if (err)
		return cairn_error_set(err, "%s: entry %s %s%s", b->label, shown,
				       strcmp(what, "path") == 0 ? "" : "has a hardlink target that ", problem);
	return 0;
}

/* One header: checks, the tree change, and the content (kept, or counted and dropped). */
static int add_header(cairn_tree_builder *b, struct tree_stream *stream, struct archive_entry *header,
		      uint32_t ordinal, cairn_buf *path, cairn_buf *target, cairn_buf *content)
{
	const char *shown = stream->entry;
	int err = tree_builder_count(b, shown);
	if (err)
		return err;
	const char *name = header_text(archive_entry_pathname(header), archive_entry_pathname_utf8(header));
	err = normalize_name(b, name, "path", shown, path);
	if (err)
		return err;
	const char *clean = cairn_buf_cstr(path);
	int whiteout = whiteout_kind(clean);
	if (whiteout < 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: entry %s lies inside a whiteout", b->label, shown);
	if (whiteout > 0) {
		err = apply_whiteout(b, clean, shown);
		return err ? err : tree_stream_content(stream, b->limits.max_file_size, NULL);
	}
	struct tree_item item = {.path = clean, .shown = shown, .ordinal = ordinal};
	const char *hardlink = header_text(archive_entry_hardlink(header), archive_entry_hardlink_utf8(header));
	if (hardlink != NULL) {
		err = normalize_name(b, hardlink, "hardlink target", shown, target);
		if (err)
			return err;
		item.type = CAIRN_ENTRY_HARDLINK;
		item.link = cairn_buf_cstr(target);
	} else if (!entry_type(b, header, shown, &item.type)) {
		return tree_stream_content(stream, b->limits.max_file_size, NULL);
	}
	if (item.type == CAIRN_ENTRY_SYMLINK) {
		item.link = header_text(archive_entry_symlink(header), archive_entry_symlink_utf8(header));
		if (item.link == NULL)
			item.link = "";
		if (strlen(item.link) > b->limits.max_path)
			return cairn_error_set(CAIRN_ETOOBIG, "%s: symlink %s has a target of %zu bytes, over the limit of %zu",
					       b->label, shown, strlen(item.link), b->limits.max_path);
	}
	la_int64_t size = archive_entry_size(header);
	item.size = item.type == CAIRN_ENTRY_FILE && size > 0 ? (uint64_t)size : 0;
	if (item.size > b->limits.max_file_size)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: entry %s is %" PRIu64 " bytes, over the limit of %" PRIu64
				       " bytes for one file", b->label, shown, item.size, b->limits.max_file_size);
	item.mode = (uint32_t)archive_entry_perm(header);
	item.uid = (uint32_t)archive_entry_uid(header);
	item.gid = (uint32_t)archive_entry_gid(header);
	item.mtime = archive_entry_mtime(header);
	struct tree_node *node;
	err = tree_builder_put(b, &item, &node);
	if (err)
		return err;
	if (node == NULL || !tree_builder_wants(b, &item))
		return tree_stream_content(stream, b->limits.max_file_size, NULL);
	cairn_buf_clear(content);
	err = tree_stream_content(stream, item.size, content);
	return err ? err : tree_builder_keep(b, node, content);
}

int cairn_tree_builder_add_layer(cairn_tree_builder *b, int index, const char *name, uint64_t compressed_size,
				 cairn_tree_read_fn read, void *read_arg)
{
	if (b == NULL || read == NULL || index < 0)
		return cairn_error_set(CAIRN_EINVAL, "cairn_tree_builder_add_layer: bad arguments");
	/* Messages say "layer sha256:...: entry ...". */
	cairn_buf label = CAIRN_BUF_INIT;
	int err = name != NULL ? cairn_buf_printf(&label, "layer %s", name) : cairn_buf_printf(&label, "layer %d", index);
	if (!err)
		err = tree_builder_begin(b, index, cairn_buf_cstr(&label));
	cairn_buf_free(&label);
	if (err) {
		b->failed = 1;
		return err;
	}
	b->layers[b->layer_count - 1].compressed_size = compressed_size;
	struct tree_stream stream;
	err = tree_stream_open(&stream, b->label, &b->limits, compressed_size, b->total_bytes, read, read_arg);
	cairn_buf path = CAIRN_BUF_INIT, target = CAIRN_BUF_INIT, content = CAIRN_BUF_INIT;
	uint32_t ordinal = 0;
	while (!err) {
		struct archive_entry *header;
		int more = tree_stream_next(&stream, &header);
		if (more <= 0) {
			err = more;
			break;
		}
		err = add_header(b, &stream, header, ordinal++, &path, &target, &content);
	}
	if (!err)
		b->total_bytes += tree_stream_produced(&stream);
	tree_stream_close(&stream);
	cairn_buf_free(&path);
	cairn_buf_free(&target);
	cairn_buf_free(&content);
	if (err)
		b->failed = 1;
	return err;
}

/* ---- finishing ---- */

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct tree_entry *)a)->pub.path, ((const struct tree_entry *)b)->pub.path);
}

static int node_full_path(cairn_tree_builder *b, struct tree_node *n, cairn_buf *scratch)
{
	if (n == b->root) {
		n->full = "/";
		return 0;
	}
	cairn_buf_clear(scratch);
	int err = cairn_buf_append_str(scratch, n->parent == b->root ? "" : n->parent->full);
	if (!err)
		err = cairn_buf_append_byte(scratch, '/');
	if (!err)
		err = cairn_buf_append(scratch, n->name, n->name_len);
	if (err)
		return err;
	n->full = tree_arena_strndup(&b->strings, (const char *)scratch->data, scratch->len);
	return n->full == NULL ? cairn_error_code() : 0;
}

static void node_to_entry(struct tree_node *n, struct tree_entry *e)
{
	e->pub.path = n->full;
	e->pub.type = n->type;
	e->pub.mode = n->mode;
	e->pub.size = n->size;
	e->pub.link = n->link;
	e->pub.layer = n->layer;
	e->pub.uid = n->uid;
	e->pub.gid = n->gid;
	e->pub.mtime = n->mtime;
	e->src_path = n->type == CAIRN_ENTRY_FILE ? n->full : n->src_path;
	e->src_layer = n->src_layer;
	e->ordinal = n->ordinal;
	e->kept = n->kept; /* the tree takes the reference */
	n->kept = NULL;
}

/* Writes every node out, parents before children, each with its full path. */
static int write_entries(cairn_tree_builder *b, cairn_tree *tree)
{
	tree->entries = calloc(b->node_count + 1, sizeof *tree->entries);
	if (tree->entries == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory finishing a tree of %zu entries", b->node_count + 1);
	cairn_buf scratch = CAIRN_BUF_INIT;
	struct tree_node *n = b->root;
	int err = 0;
	while (n != NULL) {
		err = node_full_path(b, n, &scratch);
		if (err)
			break;
		node_to_entry(n, &tree->entries[tree->count++]);
		if (n->child != NULL) {
			n = n->child;
			continue;
		}
		while (n != b->root && n->next == NULL)
			n = n->parent;
		n = n == b->root ? NULL : n->next;
	}
	cairn_buf_free(&scratch);
	return err;
}

int cairn_tree_builder_finish(cairn_tree_builder *b, cairn_tree **out)
{
	*out = NULL;
	if (b == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_tree_builder_finish: no builder");
	if (b->failed) {
		cairn_tree_builder_free(b);
		return cairn_error_set(CAIRN_EINVAL, "the tree cannot be finished: a layer failed");
	}
	cairn_tree *tree = calloc(1, sizeof *tree);
	if (tree == NULL) {
		cairn_tree_builder_free(b);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory finishing a tree");
	}
	int err = write_entries(b, tree);
	/* The tree takes the strings, the layer names and the warnings; the nodes go with the builder. */
	tree->strings = b->strings;
	b->strings.chunks = NULL;
	tree->layers = b->layers;
	tree->layer_count = b->layer_count;
	b->layers = NULL;
	b->layer_count = 0;
	tree->warnings = b->warnings;
	memset(&b->warnings, 0, sizeof b->warnings);
	tree_warnings_finish(&tree->warnings);
	tree->limits = b->limits;
	tree->reopen = b->reopen;
	tree->reopen_arg = b->reopen_arg;
	cairn_tree_builder_free(b);
	if (err) {
		cairn_tree_free(tree);
		return err;
	}
	qsort(tree->entries, tree->count, sizeof *tree->entries, compare_entries);
	*out = tree;
	return 0;
}
