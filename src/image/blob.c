/* Blob readers: every byte of a blob passes through a digest, and the read that reaches the end fails
 * with CAIRN_EVERIFY when the bytes are not those the descriptor names (or not as many as it says).
 * A reader never hands out more than the descriptor's size, so a hostile source cannot feed an
 * endless stream through it. */
#include "image/image_internal.h"

#include "cairn/error.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cairn_blob_reader {
	struct image_blob_src src;
	cairn_digest_ctx *ctx;
	cairn_digest want;
	uint64_t size, seen;
	int done;   /* verified and at the end */
	int failed; /* an earlier read failed: keep failing */
	char name[160];
};

int image_blob_reader_new(struct image_blob_src *src, const cairn_digest *digest, uint64_t size,
			  cairn_blob_reader **out)
{
	*out = NULL;
	cairn_blob_reader *r = calloc(1, sizeof *r);
	if (r == NULL) {
		if (src->close)
			src->close(src->arg);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	r->src = *src;
	r->want = *digest;
	r->size = size;
	cairn_buf name = CAIRN_BUF_INIT;
	int err = cairn_digest_format(digest, &name);
	snprintf(r->name, sizeof r->name, "%s", err ? "blob" : cairn_buf_cstr(&name));
	cairn_buf_free(&name);
	if (!err)
		err = cairn_digest_ctx_new(&r->ctx, digest->alg);
	if (err) {
		cairn_blob_close(r);
		return err;
	}
	*out = r;
	return 0;
}

/* Called once all `size` bytes went through: the digest decides. */
static int finish(cairn_blob_reader *r)
{
	cairn_digest got;
	int err = cairn_digest_final(r->ctx, &got);
	if (err)
		return err;
	if (cairn_digest_equal(&got, &r->want) != 0) {
		cairn_buf text = CAIRN_BUF_INIT;
		cairn_digest_format(&got, &text);
		err = cairn_error_set(CAIRN_EVERIFY, "blob %s: its content does not match its digest (it is %s)", r->name,
				      cairn_buf_cstr(&text));
		cairn_buf_free(&text);
		return err;
	}
	r->done = 1;
	return 0;
}

int cairn_blob_read(cairn_blob_reader *r, void *buf, size_t cap, size_t *got)
{
	*got = 0;
	if (r->failed)
		return cairn_error_set(CAIRN_EIO, "blob %s: reading after a failure", r->name);
	if (r->done)
		return 0;
	if (r->seen == r->size) {
		int err = finish(r);
		r->failed = err != 0;
		return err;
	}
	if (cap == 0)
		return 0; /* nothing asked, nothing read: not the end */
	uint64_t left = r->size - r->seen;
	size_t want = cap < left ? cap : (size_t)left;
	size_t n = 0;
	int err = r->src.read(r->src.arg, buf, want, &n);
	if (!err && n == 0)
		err = cairn_error_set(CAIRN_EVERIFY, "blob %s: it ends after %" PRIu64 " bytes, its descriptor says %" PRIu64,
				      r->name, r->seen, r->size);
	if (!err && n > want)
		err = cairn_error_set(CAIRN_EINTERNAL, "blob %s: the source returned more than asked", r->name);
	if (!err)
		err = cairn_digest_update(r->ctx, buf, n);
	if (err) {
		r->failed = 1;
		return err;
	}
	r->seen += n;
	*got = n;
	/* Verify as soon as the last byte is in: the caller that stops reading there (libarchive stops
	 * at the tar's end marker) must still learn about a mismatch from this very read. */
	if (r->seen == r->size) {
		err = finish(r);
		if (err) {
			r->failed = 1;
			*got = 0;
			return err;
		}
	}
	return 0;
}

void cairn_blob_close(cairn_blob_reader *r)
{
	if (r == NULL)
		return;
	if (r->src.close)
		r->src.close(r->src.arg);
	cairn_digest_ctx_free(r->ctx);
	free(r);
}

/* ---- raw sources ---- */

struct range_src {
	int fd;
	int own_fd;
	uint64_t offset, size, pos;
	char what[256];
};

static int range_read(void *arg, void *buf, size_t cap, size_t *got)
{
	struct range_src *s = arg;
	*got = 0;
	uint64_t left = s->size - s->pos;
	size_t want = cap < left ? cap : (size_t)left;
	if (want == 0)
		return 0;
	for (;;) {
		ssize_t n = pread(s->fd, buf, want, (off_t)(s->offset + s->pos));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cairn_error_set(CAIRN_EIO, "%s: read failed: %s", s->what, strerror(errno));
		s->pos += (uint64_t)n;
		*got = (size_t)n;
		return 0;
	}
}

static void range_close(void *arg)
{
	struct range_src *s = arg;
	if (s->own_fd)
		close(s->fd);
	free(s);
}

int image_blob_src_range(int fd, uint64_t offset, uint64_t size, struct image_blob_src *out)
{
	struct range_src *s = calloc(1, sizeof *s);
	if (s == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	s->fd = fd;
	s->offset = offset;
	s->size = size;
	snprintf(s->what, sizeof s->what, "archive member at offset %" PRIu64, offset);
	out->read = range_read;
	out->close = range_close;
	out->arg = s;
	return 0;
}

int image_blob_src_file(const char *path, const char *what, uint64_t size, struct image_blob_src *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return cairn_error_set(CAIRN_ENOENT, "%s: missing (%s)", what, path);
	if (fd < 0)
		return cairn_error_set(errno == EACCES ? CAIRN_EACCES : CAIRN_EIO, "%s: %s: %s", what, path,
				       strerror(errno));
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: %s: %s", what, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		err = cairn_error_set(CAIRN_EINVAL, "%s: %s is not a regular file", what, path);
	else if ((uint64_t)st.st_size != size)
		err = cairn_error_set(CAIRN_EVERIFY, "%s: holds %jd bytes, its descriptor says %" PRIu64, what,
				      (intmax_t)st.st_size, size);
	if (!err)
		err = image_blob_src_range(fd, 0, size, out);
	if (err) {
		close(fd);
		return err;
	}
	struct range_src *s = out->arg;
	s->own_fd = 1;
	snprintf(s->what, sizeof s->what, "%s", path);
	return 0;
}

/* ---- the public entry point ---- */

int cairn_image_open_blob(cairn_image *image, const cairn_digest *digest, uint64_t size, cairn_blob_reader **out)
{
	*out = NULL;
	if (image == NULL || digest == NULL || image->ops == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_image_open_blob: this image has no blobs");
	struct image_blob_src src = {0};
	int err = image->ops->open_blob(image, digest, size, &src);
	if (err)
		return err;
	return image_blob_reader_new(&src, digest, size, out);
}
