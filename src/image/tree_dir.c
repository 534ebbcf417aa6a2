/* The dir: source: a directory on disk read as a tree, without following any symlink out of it.
 *
 * Every open goes through the root's file descriptor: openat2 with RESOLVE_IN_ROOT and
 * RESOLVE_NO_SYMLINKS where the kernel has it, otherwise one openat per component with O_NOFOLLOW.
 * Either way a symlink (or a rename racing the walk) can never lead outside the root. */
#include "image/path.h"
#include "image/tree_internal.h"

#include "cairn/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int tree_dir_without_openat2 = 0;

/* Opens rel (no leading slash, "" for the root itself) below rootfd without following symlinks. */
static int open_beneath(int rootfd, const char *rel, int flags)
{
	if (rel[0] == '\0')
		return openat(rootfd, ".", flags | O_CLOEXEC);
#ifdef SYS_openat2
	struct open_how how;
	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	for (int attempt = 0; attempt < 3 && !tree_dir_without_openat2; attempt++) {
		long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
		if (fd < 0 && errno == EAGAIN)
			continue; /* the kernel saw a rename race; try again */
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != E2BIG))
			return (int)fd;
		break;
	}
#endif
	/* Older kernels (or a seccomp filter): one component at a time, never following a link. */
	int fd_dir = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *cursor = rel, *comp;
	size_t len;
	char name[CAIRN_PATH_NAME_MAX + 1];
	while (fd_dir >= 0 && cairn_path_next(&cursor, &comp, &len)) {
		if (len > CAIRN_PATH_NAME_MAX || (len == 2 && comp[0] == '.' && comp[1] == '.')) {
			close(fd_dir);
			errno = EINVAL;
			return -1;
		}
		memcpy(name, comp, len);
		name[len] = '\0';
		const char *rest = cursor, *more;
		size_t more_len;
		int last = !cairn_path_next(&rest, &more, &more_len);
		int next = openat(fd_dir, name,
				  last ? flags | O_NOFOLLOW | O_CLOEXEC : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;
		close(fd_dir);
		errno = saved;
		if (last)
			return next;
		fd_dir = next;
	}
	return fd_dir;
}

static int open_failure(const char *root, const char *path, int errnum)
{
	if (errnum == ENOENT || errnum == ENOTDIR)
		return cairn_error_set(CAIRN_ENOENT, "%s%s: no such file", root, path);
	if (errnum == ELOOP || errnum == EXDEV)
		return cairn_error_set(CAIRN_EINVAL, "%s%s: a symbolic link is in the way; refusing to follow it", root,
				       path);
	if (errnum == EACCES || errnum == EPERM)
		return cairn_error_set(CAIRN_EACCES, "%s%s: permission denied", root, path);
	return cairn_error_set(CAIRN_EIO, "%s%s: %s", root, path, strerror(errnum));
}

/* Reads at most limit bytes of an open regular file; CAIRN_ETOOBIG when it holds more. */
static int read_regular(int fd, const char *root, const char *path, uint64_t limit, int strict, cairn_buf *out)
{
	size_t start = out->len;
	uint64_t total = 0;
	for (;;) {
		int err = cairn_buf_reserve(out, 65536);
		if (err)
			return err;
		ssize_t got = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = cairn_error_set(CAIRN_EIO, "%s%s: read failed: %s", root, path, strerror(errno));
			out->len = start;
			out->data[start] = 0;
			return err;
		}
		if (got == 0)
			break;
		total += (uint64_t)got;
		out->len += (size_t)got;
		if (total > limit) {
			if (!strict) { /* the file grew while we walked: keep what it had */
				out->len = start + (size_t)limit;
				break;
			}
			out->len = start;
			out->data[start] = 0;
			return cairn_error_set(CAIRN_ETOOBIG, "%s%s: larger than the limit of %llu bytes", root, path,
					       (unsigned long long)limit);
		}
	}
	out->data[out->len] = 0;
	return 0;
}

/* Opens path of the tree at root for reading, refusing anything but a regular file. */
static int open_regular(const char *root, const char *path, int *out)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return open_failure(root, "", errno);
	int fd = open_beneath(rootfd, path + (path[0] == '/'), O_RDONLY | O_NONBLOCK | O_NOCTTY);
	int err = fd < 0 ? open_failure(root, path, errno) : 0;
	close(rootfd);
	if (err)
		return err;
	struct stat st;
	if (fstat(fd, &st) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s%s: %s", root, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		err = cairn_error_set(CAIRN_EINVAL, "%s%s: no longer a regular file", root, path);
	if (err) {
		close(fd);
		return err;
	}
	*out = fd;
	return 0;
}

int tree_dir_read(const char *root, const char *path, size_t limit, cairn_buf *out)
{
	int fd;
	int err = open_regular(root, path, &fd);
	if (err)
		return err;
	err = read_regular(fd, root, path, limit, 1, out);
	close(fd);
	return err;
}

/* Fills buf with exactly len bytes at offset of a regular file of a directory tree, opened the way
 * tree_dir_read opens it; CAIRN_EIO when the file is shorter than that now (it changed since the walk). */
int tree_dir_read_at(const char *root, const char *path, uint64_t offset, void *buf, size_t len)
{
	int fd = -1;
	int err = open_regular(root, path, &fd);
	size_t done = 0;
	while (!err && done < len) {
		ssize_t got = pread(fd, (unsigned char *)buf + done, len - done, (off_t)(offset + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = cairn_error_set(CAIRN_EIO, "%s%s: read failed: %s", root, path, strerror(errno));
		else if (got == 0)
			err = cairn_error_set(CAIRN_EIO, "%s%s: shorter than when it was listed (it changed)", root, path);
		else
			done += (size_t)got;
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/* ---- the walk ---- */

struct dir_walk {
	cairn_tree_builder *builder;
	const cairn_tree_limits *limits;
	const char *root;
	int rootfd;
	char **stack; /* directories still to read, relative to the root */
	size_t depth, cap;
	cairn_buf path, content;
	uint32_t ordinal;
};

static int push_dir(struct dir_walk *walk, const char *rel)
{
	if (walk->depth == walk->cap) {
		size_t cap = walk->cap ? walk->cap * 2 : 64;
		char **stack = realloc(walk->stack, cap * sizeof *stack);
		if (stack == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory walking %s", walk->root);
		walk->stack = stack;
		walk->cap = cap;
	}
	char *copy = strdup(rel);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory walking %s", walk->root);
	walk->stack[walk->depth++] = copy;
	return 0;
}

/* Pseudo file systems (/proc, /sys, ...) hold no files of the image, only endless views of the host. */
static int is_pseudo_fs(int fd)
{
	struct statfs fs;
	if (fstatfs(fd, &fs) != 0)
		return 0;
	switch ((unsigned long)fs.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case DEVPTS_SUPER_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEBUGFS_MAGIC:
	case SECURITYFS_MAGIC:
	case TRACEFS_MAGIC:
	case BPF_FS_MAGIC: return 1;
	default: return 0;
	}
}

static int read_link(struct dir_walk *walk, int dirfd, const char *name, const char *shown, cairn_buf *target)
{
	size_t cap = walk->limits->max_path + 1;
	cairn_buf_clear(target);
	int err = cairn_buf_reserve(target, cap);
	if (err)
		return err;
	ssize_t len = readlinkat(dirfd, name, (char *)target->data, cap);
	if (len < 0)
		return cairn_error_set(CAIRN_EIO, "%s: cannot read the symbolic link %s: %s", walk->root, shown,
				       strerror(errno));
	if ((size_t)len >= cap)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: symbolic link %s has a target over %zu bytes", walk->root, shown,
				       walk->limits->max_path);
	target->len = (size_t)len;
	target->data[len] = 0;
	return 0;
}

static int keep_file(struct dir_walk *walk, int dirfd, const char *name, const struct tree_item *item,
		     struct tree_node *node)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		tree_builder_warn(walk->builder, "%s: %s cannot be read (permission denied); not kept", walk->root,
				  item->path);
		return 0;
	}
	if (fd < 0)
		return open_failure(walk->root, item->path, errno);
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		err = cairn_error_set(CAIRN_EINVAL, "%s%s: changed while it was read", walk->root, item->path);
	cairn_buf_clear(&walk->content);
	if (!err)
		err = read_regular(fd, walk->root, item->path, item->size, 0, &walk->content);
	close(fd);
	return err ? err : tree_builder_keep(walk->builder, node, &walk->content);
}

/* One directory entry: stat it without following, put it in the tree, queue it when a directory. */
static int add_dir_entry(struct dir_walk *walk, int dirfd, const char *rel, const char *name)
{
	char shown[256];
	cairn_buf_clear(&walk->path);
	int err = cairn_buf_printf(&walk->path, "%s/%s", rel, name);
	if (err)
		return err;
	const char *path = cairn_buf_cstr(&walk->path); /* "/etc/passwd" */
	cairn_path_printable(path + 1, shown, sizeof shown);
	err = tree_builder_count(walk->builder, shown);
	if (err)
		return err;
	if (walk->path.len > walk->limits->max_path)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: entry %s has a path of %zu bytes, over the limit of %zu",
				       walk->root, shown, walk->path.len, walk->limits->max_path);
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return open_failure(walk->root, path, errno);
	struct tree_item item = {.path = path, .shown = shown, .ordinal = walk->ordinal++};
	item.mode = (uint32_t)st.st_mode & 07777;
	item.uid = st.st_uid;
	item.gid = st.st_gid;
	item.mtime = st.st_mtime;
	cairn_buf target = CAIRN_BUF_INIT;
	if (S_ISREG(st.st_mode)) {
		item.type = CAIRN_ENTRY_FILE;
		item.size = (uint64_t)st.st_size;
		if (item.size > walk->limits->max_file_size)
			return cairn_error_set(CAIRN_ETOOBIG, "%s: entry %s is %llu bytes, over the limit of %llu bytes for one file",
					       walk->root, shown, (unsigned long long)item.size,
					       (unsigned long long)walk->limits->max_file_size);
	} else if (S_ISDIR(st.st_mode)) {
		item.type = CAIRN_ENTRY_DIR;
	} else if (S_ISLNK(st.st_mode)) {
		item.type = CAIRN_ENTRY_SYMLINK;
		err = read_link(walk, dirfd, name, shown, &target);
		item.link = cairn_buf_cstr(&target);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
		item.type = S_ISCHR(st.st_mode) ? CAIRN_ENTRY_CHAR : S_ISBLK(st.st_mode) ? CAIRN_ENTRY_BLOCK : CAIRN_ENTRY_FIFO;
		tree_builder_warn(walk->builder, "%s: entry %s is a %s; it is recorded but never read", walk->root, shown,
				  item.type == CAIRN_ENTRY_FIFO ? "FIFO" : "device node");
	} else {
		tree_builder_warn(walk->builder, "%s: entry %s is a socket or of an unknown type; skipped", walk->root,
				  shown);
		return 0;
	}
	struct tree_node *node = NULL;
	if (!err)
		err = tree_builder_put(walk->builder, &item, &node);
	cairn_buf_free(&target);
	if (!err && item.type == CAIRN_ENTRY_DIR)
		err = push_dir(walk, path);
	if (!err && node != NULL && tree_builder_wants(walk->builder, &item))
		err = keep_file(walk, dirfd, name, &item, node);
	return err;
}

static int walk_one_dir(struct dir_walk *walk, const char *rel)
{
	int fd = open_beneath(walk->rootfd, rel[0] == '/' ? rel + 1 : rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0 && rel[0] != '\0' && (errno == EACCES || errno == EPERM)) {
		/* A directory we may not read (walking a root file system as a user): say so, go on. */
		tree_builder_warn(walk->builder, "%s: %s cannot be read (permission denied); its contents are skipped",
				  walk->root, rel);
		return 0;
	}
	if (fd < 0)
		return open_failure(walk->root, rel, errno);
	if (rel[0] != '\0' && is_pseudo_fs(fd)) {
		tree_builder_warn(walk->builder, "%s: %s is a kernel pseudo file system (like /proc); its contents are skipped",
				  walk->root, rel);
		close(fd);
		return 0;
	}
	DIR *dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return cairn_error_set(CAIRN_EIO, "%s%s: cannot list: %s", walk->root, rel, strerror(errno));
	}
	int err = 0;
	for (;;) {
		errno = 0;
		struct dirent *d = readdir(dir);
		if (d == NULL) {
			if (errno != 0)
				err = cairn_error_set(CAIRN_EIO, "%s%s: cannot list: %s", walk->root, rel, strerror(errno));
			break;
		}
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		err = add_dir_entry(walk, dirfd(dir), rel, d->d_name);
		if (err)
			break;
	}
	closedir(dir);
	return err;
}

static int walk_all(struct dir_walk *walk)
{
	struct stat st;
	if (fstat(walk->rootfd, &st) != 0)
		return cairn_error_set(CAIRN_EIO, "%s: %s", walk->root, strerror(errno));
	struct tree_item item = {.path = "/", .shown = ".", .type = CAIRN_ENTRY_DIR};
	item.mode = (uint32_t)st.st_mode & 07777;
	item.uid = st.st_uid;
	item.gid = st.st_gid;
	item.mtime = st.st_mtime;
	struct tree_node *node;
	int err = tree_builder_put(walk->builder, &item, &node);
	if (!err)
		err = push_dir(walk, "");
	while (!err && walk->depth > 0) {
		char *rel = walk->stack[--walk->depth];
		err = walk_one_dir(walk, rel);
		free(rel);
	}
	return err;
}

int cairn_tree_from_dir(cairn_tree **out, const char *root, const cairn_tree_limits *limits, cairn_tree_want_fn want,
			void *want_arg)
{
	*out = NULL;
	struct dir_walk walk;
	memset(&walk, 0, sizeof walk);
	walk.root = root;
	walk.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (walk.rootfd < 0)
		return open_failure(root, "", errno);
	char *root_copy = strdup(root);
	int err = root_copy != NULL ? cairn_tree_builder_new(&walk.builder, limits, want, want_arg, NULL, NULL)
				    : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		walk.limits = tree_builder_limits(walk.builder);
		cairn_buf label = CAIRN_BUF_INIT;
		err = cairn_buf_printf(&label, "directory %s", root);
		if (!err)
			err = tree_builder_begin(walk.builder, -1, cairn_buf_cstr(&label));
		cairn_buf_free(&label);
	}
	if (!err)
		err = walk_all(&walk);
	close(walk.rootfd);
	while (walk.depth > 0)
		free(walk.stack[--walk.depth]);
	free(walk.stack);
	cairn_buf_free(&walk.path);
	cairn_buf_free(&walk.content);
	if (err) {
		cairn_tree_builder_free(walk.builder);
		free(root_copy);
		return err;
	}
	err = cairn_tree_builder_finish(walk.builder, out);
	if (err) {
		free(root_copy);
		return err;
	}
	(*out)->dir_root = root_copy;
	return 0;
}
