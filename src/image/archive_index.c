/* The outer tar of oci-archive and docker-archive sources, indexed in one pass.
 *
 * libarchive reads the headers; right after a header, the bytes it has consumed (archive_filter_bytes)
 * are the offset of that member's data, because the tar reader consumes a member's data only when it
 * is read or skipped. Blobs are then read in place with pread, as many times as needed, without
 * extracting anything. This needs the tar to be uncompressed (a compressed stream cannot be seeked
 * into): a compressed outer archive is refused with a message saying so. */
#include "image/image_internal.h"

#include "cairn/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Members are found by a linear search (an image archive holds tens of blobs), so their count is kept
 * small enough that even a hostile archive costs little. */
#define ARCHIVE_MAX_MEMBERS 10000
#define ARCHIVE_MAX_NAME 1024

static int add_member(struct archive_index *index, const char *name, uint64_t offset, uint64_t size)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	if (strlen(name) > ARCHIVE_MAX_NAME)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: a member name is longer than %d bytes", index->path,
				       ARCHIVE_MAX_NAME);
	if (archive_index_find(index, name) != NULL)
		/* Two readers could pick different copies: refuse rather than guess. */
		return cairn_error_set(CAIRN_EINVAL, "%s: member %s appears twice", index->path, name);
	if (index->count >= ARCHIVE_MAX_MEMBERS)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: more than %d members", index->path, ARCHIVE_MAX_MEMBERS);
	if ((index->count & (index->count - 1)) == 0) {
		size_t cap = index->count == 0 ? 16 : index->count * 2;
		struct archive_member *grown = realloc(index->members, cap * sizeof *grown);
		if (grown == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
		index->members = grown;
	}
	char *copy = strdup(name);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	index->members[index->count++] = (struct archive_member){copy, offset, size};
	return 0;
}

/* Every member must lie inside the file: a truncated archive is refused now, not at some later read. */
static int check_extents(const struct archive_index *index, const char *kind)
{
	struct stat st;
	if (fstat(index->fd, &st) != 0)
		return cairn_error_set(CAIRN_EIO, "%s %s: %s", kind, index->path, strerror(errno));
	for (size_t i = 0; i < index->count; i++) {
		const struct archive_member *m = &index->members[i];
		if (m->offset > (uint64_t)st.st_size || m->size > (uint64_t)st.st_size - m->offset)
			return cairn_error_set(CAIRN_EINVAL, "%s %s: member %s is truncated", kind, index->path, m->name);
	}
	return 0;
}

static int scan(struct archive_index *index, struct archive *a, const char *kind)
{
	if (archive_read_open_fd(a, index->fd, 65536) != ARCHIVE_OK)
		return cairn_error_set(CAIRN_EINVAL, "%s %s: not a tar archive: %s", kind, index->path,
				       archive_error_string(a));
	for (;;) {
		struct archive_entry *entry;
		int r = archive_read_next_header(a, &entry);
		if (r == ARCHIVE_EOF)
			return check_extents(index, kind);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return cairn_error_set(CAIRN_EINVAL, "%s %s: not a readable tar archive: %s", kind, index->path,
					       archive_error_string(a));
		if (archive_filter_count(a) > 1 || archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE)
			return cairn_error_set(CAIRN_EUNSUPPORTED,
					       "%s %s is compressed (%s); cairn reads blobs in place from an uncompressed "
					       "tar: decompress it first",
					       kind, index->path, archive_filter_name(a, 0));
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		if (archive_entry_sparse_count(entry) > 0)
			return cairn_error_set(CAIRN_EUNSUPPORTED, "%s %s: member %s is a sparse file", kind, index->path,
					       archive_entry_pathname(entry));
		const char *name = archive_entry_pathname(entry);
		if (name == NULL || archive_entry_size(entry) < 0)
			return cairn_error_set(CAIRN_EINVAL, "%s %s: a member without a name or size", kind, index->path);
		int64_t offset = archive_filter_bytes(a, 0);
		int err = add_member(index, name, (uint64_t)offset, (uint64_t)archive_entry_size(entry));
		if (err)
			return err;
	}
}

int archive_index_open(struct archive_index *index, const char *path, const char *kind)
{
	memset(index, 0, sizeof *index);
	index->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (index->fd < 0) {
		int code = errno == ENOENT || errno == ENOTDIR ? CAIRN_ENOENT : CAIRN_EIO;
		return cairn_error_set(code, "%s %s: %s", kind, path, strerror(errno));
	}
	index->path = strdup(path);
	struct archive *a = archive_read_new();
	if (index->path == NULL || a == NULL) {
		archive_read_free(a);
		archive_index_close(index);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	int err = scan(index, a, kind);
	archive_read_free(a);
	if (err)
		archive_index_close(index);
	return err;
}

const struct archive_member *archive_index_find(const struct archive_index *index, const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	for (size_t i = 0; i < index->count; i++)
		if (strcmp(index->members[i].name, name) == 0)
			return &index->members[i];
	return NULL;
}

int archive_index_read(const struct archive_index *index, const struct archive_member *member, size_t limit,
		       cairn_buf *out)
{
	if (member->size > limit)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: member %s is larger than the limit of %zu bytes", index->path,
				       member->name, limit);
	int err = cairn_buf_reserve(out, (size_t)member->size + 1);
	size_t done = 0;
	while (!err && done < member->size) {
		ssize_t n = pread(index->fd, out->data + out->len + done, (size_t)member->size - done,
				  (off_t)(member->offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = cairn_error_set(CAIRN_EIO, "%s: member %s: %s", index->path, member->name,
					      n == 0 ? "the archive ends inside it" : strerror(errno));
		else
			done += (size_t)n;
	}
	if (!err) {
		out->len += done;
		out->data[out->len] = 0;
	}
	return err;
}

void archive_index_close(struct archive_index *index)
{
	for (size_t i = 0; i < index->count; i++)
		free(index->members[i].name);
	free(index->members);
	free(index->path);
	if (index->fd >= 0)
		close(index->fd);
	memset(index, 0, sizeof *index);
	index->fd = -1;
}
