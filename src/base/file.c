/* Files: bounded reads and atomic replacement. */
#include "cairn/error.h"
#include "cairn/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_error(const char *path, int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR: return cairn_error_set(CAIRN_ENOENT, "%s: no such file", path);
	case EACCES:
	case EPERM: return cairn_error_set(CAIRN_EACCES, "%s: permission denied", path);
	case EISDIR: return cairn_error_set(CAIRN_EINVAL, "%s: is a directory, expected a file", path);
	default: return cairn_error_set(CAIRN_EIO, "%s: %s", path, strerror(errnum));
	}
}

static int read_fd(int fd, const char *path, size_t limit, cairn_buf *out)
{
	size_t start = out->len;
	for (;;) {
		int err = cairn_buf_reserve(out, 65536);
		if (err)
			return err;
		ssize_t got = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = cairn_error_set(CAIRN_EIO, "%s: read failed: %s", path, strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		out->len += (size_t)got;
		if (out->len - start > limit) {
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: larger than the limit of %zu bytes", path, limit);
			goto fail;
		}
		continue;
	fail:
		out->len = start;
		out->data[start] = 0;
		return err;
	}
	out->data[out->len] = 0;
	return 0;
}

int cairn_file_read(const char *path, size_t limit, cairn_buf *out)
{
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "standard input", limit, out);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return open_error(path, errno);
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		err = cairn_error_set(CAIRN_EINVAL, "%s: is a directory, expected a file", path);
	else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		err = cairn_error_set(CAIRN_EINVAL, "%s: not a regular file", path);
	else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > limit)
		/* Refuse before reading a byte: a huge file must cost nothing. */
		err = cairn_error_set(CAIRN_ETOOBIG, "%s: %jd bytes is larger than the limit of %zu bytes", path,
				      (intmax_t)st.st_size, limit);
	else
		err = read_fd(fd, path, limit, out);
	close(fd);
	return err;
}

static int write_all(int fd, const void *data, size_t len, const char *path)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t done = write(fd, p, len);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return cairn_error_set(CAIRN_EIO, "%s: write failed: %s", path, strerror(errno));
		p += done;
		len -= (size_t)done;
	}
	return 0;
}

static int fsync_directory_of(const char *path)
{
	char *copy = strdup(path);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;
	if (fd < 0 || fsync(fd) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: cannot sync its directory: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return err;
}

int cairn_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	cairn_buf tmp = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
	if (err)
		return err;
	char *tmp_path = (char *)tmp.data;
	int fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd < 0) {
		err = open_error(path, errno);
		cairn_buf_free(&tmp);
		return err;
	}
	if (fchmod(fd, mode) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: chmod failed: %s", tmp_path, strerror(errno));
	if (!err)
		err = write_all(fd, data, len, path);
	if (!err && fsync(fd) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: fsync failed: %s", path, strerror(errno));
	if (close(fd) != 0 && !err)
		err = cairn_error_set(CAIRN_EIO, "%s: close failed: %s", path, strerror(errno));
	if (!err && rename(tmp_path, path) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: rename failed: %s", path, strerror(errno));
	if (err)
		unlink(tmp_path);
	else
		err = fsync_directory_of(path);
	cairn_buf_free(&tmp);
	return err;
}

int cairn_file_write_or_stdout(const char *path, const void *data, size_t len, unsigned mode)
{
	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return cairn_error_set(CAIRN_EIO, "standard output: write failed: %s", strerror(errno));
		return 0;
	}
	return cairn_file_write_atomic(path, data, len, mode);
}

int cairn_file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}
