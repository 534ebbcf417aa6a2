/* One layer streamed through libarchive: tar (ustar, pax, GNU) inside gzip, zstd or nothing, and no
 * other format or filter. Every byte is counted as it goes by: compressed bytes in the read callback,
 * uncompressed bytes as the tar reader consumes them, so a decompression bomb or an oversized layer is
 * stopped while it streams, with memory bounded by libarchive's own buffers. */
#include "image/path.h"
#include "image/tree_internal.h"

#include "cairn/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_BUF_SIZE ((size_t)64 * 1024)

static const char *archive_reason(struct archive *archive)
{
	const char *reason = archive_error_string(archive);
	return reason != NULL ? reason : "unknown libarchive error";
}

static la_ssize_t stream_read(struct archive *archive, void *arg, const void **buffer)
{
	struct tree_stream *stream = arg;
	size_t got = 0;
	int err = stream->read(stream->read_arg, stream->buf, STREAM_BUF_SIZE, &got);
	if (!err && got > STREAM_BUF_SIZE)
		err = cairn_error_set(CAIRN_EINTERNAL, "the layer's read callback returned more than it was asked for");
	if (err) {
		/* Keep the source's own words: libarchive only passes on a string. */
		stream->read_err = err;
		snprintf(stream->read_msg, sizeof stream->read_msg, "%s", cairn_error_message());
		archive_set_error(archive, EIO, "%s", stream->read_msg);
		return -1;
	}
	stream->consumed += got;
	*buffer = stream->buf;
	return (la_ssize_t)got;
}

static int stream_failure(struct tree_stream *stream, const char *where)
{
	struct archive *archive = stream->archive;
	if (stream->read_err && !stream->started)
		return cairn_error_set(stream->read_err, "%s: reading failed before its first entry: %s",
				       stream->label, stream->read_msg);
	if (stream->read_err)
		return cairn_error_set(stream->read_err, "%s: reading failed %s entry %s: %s", stream->label, where,
				       stream->entry, stream->read_msg);
	if (stream->started)
		return cairn_error_set(CAIRN_EINVAL, "%s is truncated or corrupt %s entry %s: %s", stream->label,
				       where, stream->entry, archive_reason(archive));
	/* Nothing read yet: either no compression we know and no tar inside, or a broken stream. */
	if (archive_format(archive) == 0 && archive_filter_code(archive, 0) == ARCHIVE_FILTER_NONE)
		return cairn_error_set(CAIRN_EINVAL, "%s is not a tar archive (uncompressed, gzip or zstd): %s",
				       stream->label, archive_reason(archive));
	return cairn_error_set(CAIRN_EINVAL, "%s is truncated or corrupt before its first entry: %s",
			       stream->label, archive_reason(archive));
}

int tree_stream_open(struct tree_stream *stream, const char *label, const cairn_tree_limits *limits,
		     uint64_t compressed_size, uint64_t total_before, cairn_tree_read_fn read, void *read_arg)
{
	memset(stream, 0, sizeof *stream);
	stream->label = label;
	stream->limits = limits;
	stream->compressed_size = compressed_size;
	stream->total_before = total_before;
	stream->read = read;
	stream->read_arg = read_arg;
	stream->buf = malloc(STREAM_BUF_SIZE);
	stream->archive = archive_read_new();
	if (stream->buf == NULL || stream->archive == NULL) {
		tree_stream_close(stream);
		return cairn_error_set(CAIRN_ENOMEM, "%s: out of memory", label);
	}
	struct archive *archive = stream->archive;
	/* ARCHIVE_WARN here would mean libarchive falls back to running an external program: refuse. */
	if (archive_read_support_filter_gzip(archive) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(archive) != ARCHIVE_OK ||
	    archive_read_support_filter_none(archive) != ARCHIVE_OK ||
	    archive_read_support_format_tar(archive) != ARCHIVE_OK ||
	    archive_read_support_format_empty(archive) != ARCHIVE_OK) {
		int err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: this libarchive cannot read gzip and zstd itself: %s",
					  label, archive_reason(archive));
		tree_stream_close(stream);
		return err;
	}
	if (archive_read_open(archive, stream, NULL, stream_read, NULL) != ARCHIVE_OK) {
		int err = stream_failure(stream, "at");
		tree_stream_close(stream);
		return err;
	}
	return 0;
}

void tree_stream_close(struct tree_stream *stream)
{
	if (stream->archive != NULL)
		archive_read_free(stream->archive);
	free(stream->buf);
	stream->archive = NULL;
	stream->buf = NULL;
}

uint64_t tree_stream_produced(struct tree_stream *stream)
{
	/* Filter 0 is the decompressed stream as the tar reader consumes it. */
	la_int64_t bytes = archive_filter_bytes(stream->archive, 0);
	return bytes > 0 ? (uint64_t)bytes : 0;
}

static const char *entry_or_start(const struct tree_stream *stream)
{
	return stream->started ? stream->entry : "(before its first entry)";
}

/* The size and ratio limits, checked after every header and every block of content. */
static int check_bytes(struct tree_stream *stream)
{
	const cairn_tree_limits *limits = stream->limits;
	uint64_t produced = tree_stream_produced(stream);
	if (produced > limits->max_total_size || stream->total_before > limits->max_total_size - produced)
		return cairn_error_set(CAIRN_ETOOBIG,
				       "%s: the image is over its limit of %" PRIu64
				       " uncompressed bytes (at entry %s)",
				       stream->label, limits->max_total_size, entry_or_start(stream));
	/* The announced size of the whole layer is the fairest base: a layer that starts with a long run of
	 * zeros is not a bomb if the rest of it is ordinary. Without it, the bytes read so far. */
	uint64_t base = stream->consumed > stream->compressed_size ? stream->consumed : stream->compressed_size;
	if (limits->max_ratio > 0 && produced > limits->ratio_floor && base < UINT64_MAX / limits->max_ratio &&
	    produced > base * limits->max_ratio)
		return cairn_error_set(CAIRN_ETOOBIG,
				       "%s: decompresses to more than %" PRIu64
				       " times its compressed size (%" PRIu64 " bytes from %" PRIu64
				       "), refused as a decompression bomb (at entry %s)",
				       stream->label, limits->max_ratio, produced, base, entry_or_start(stream));
	return 0;
}


int tree_stream_next(struct tree_stream *stream, struct archive_entry **entry)
{
	int r = archive_read_next_header(stream->archive, entry);
	if (r == ARCHIVE_EOF) {
		int err = check_bytes(stream);
		if (err)
			return err;
		/* libarchive takes a tar that simply stops after an entry as complete. A layer cut at an entry
		 * boundary would then pass as a shorter tree, so the end-of-archive marker (a zero block that
		 * the tar reader consumes) must be there: after the last entry's content, only its padding
		 * (under 512 bytes) was read if the marker was missing. */
		if (stream->started && tree_stream_produced(stream) - stream->entry_end < 512)
			return cairn_error_set(CAIRN_EINVAL,
					       "%s is truncated after entry %s: the tar end-of-archive marker is missing",
					       stream->label, stream->entry);
		return 0;
	}
	/* ARCHIVE_WARN is libarchive noting something it coped with (a name it could not convert). */
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return stream_failure(stream, "after");
	const char *name = archive_entry_pathname(*entry);
	if (name == NULL)
		name = archive_entry_pathname_utf8(*entry);
	cairn_path_printable(name != NULL ? name : "", stream->entry, sizeof stream->entry);
	la_int64_t size = archive_entry_size(*entry);
	stream->entry_size = size > 0 ? (uint64_t)size : 0;
	stream->started = 1;
	int err = check_bytes(stream);
	return err ? err : 1;
}

static int append_zeros(cairn_buf *out, uint64_t count)
{
	int err = cairn_buf_reserve(out, (size_t)count);
	if (err)
		return err;
	memset(out->data + out->len, 0, (size_t)count);
	out->len += (size_t)count;
	out->data[out->len] = 0;
	return 0;
}

int tree_stream_content(struct tree_stream *stream, uint64_t limit, cairn_buf *out)
{
	size_t start = out != NULL ? out->len : 0;
	uint64_t written = 0; /* bytes of this entry placed in out so far, holes included */
	int err = 0;
	for (;;) {
		const void *block;
		size_t len;
		la_int64_t offset;
		int r = archive_read_data_block(stream->archive, &block, &len, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			err = stream_failure(stream, "at");
			break;
		}
		if (offset < 0 || (uint64_t)offset < written || (uint64_t)offset > UINT64_MAX - len) {
			err = cairn_error_set(CAIRN_EINVAL, "%s is corrupt at entry %s: its content blocks overlap",
					      stream->label, stream->entry);
			break;
		}
		uint64_t end = (uint64_t)offset + len;
		if (end > limit) {
			err = cairn_error_set(CAIRN_ETOOBIG,
					      "%s: entry %s has more than %" PRIu64 " bytes of content",
					      stream->label, stream->entry, limit);
			break;
		}
		if (out != NULL) {
			err = append_zeros(out, (uint64_t)offset - written); /* a hole of a sparse file */
			if (!err)
				err = cairn_buf_append(out, block, len);
			if (err)
				break;
		}
		written = end;
		err = check_bytes(stream);
		if (err)
			break;
	}
	if (!err && out != NULL && written < stream->entry_size) {
		/* A sparse file may end in a hole. */
		if (stream->entry_size > limit)
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: entry %s has more than %" PRIu64 " bytes of content",
					      stream->label, stream->entry, limit);
		else
			err = append_zeros(out, stream->entry_size - written);
	}
	stream->entry_end = tree_stream_produced(stream);
	if (err && out != NULL) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = 0;
	}
	return err;
}
