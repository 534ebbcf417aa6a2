/* cairn/file.h - reading with a size limit, writing atomically. */
#ifndef CAIRN_FILE_H
#define CAIRN_FILE_H

#include "cairn/buf.h"

#include <stddef.h>

/* Limits for small inputs that must never be large: keys, signatures, certificates. */
#define CAIRN_FILE_LIMIT_SMALL ((size_t)64 * 1024)
/* Limit for a document read whole: bundles, manifests, SBOMs, policies. */
#define CAIRN_FILE_LIMIT_DOCUMENT ((size_t)64 * 1024 * 1024)

/* Appends the contents of `path` ("-" is standard input) to out. Fails with CAIRN_ETOOBIG when the
 * file holds more than `limit` bytes, CAIRN_ENOENT when it does not exist, CAIRN_EINVAL when it is
 * not a regular file (or a pipe for "-"); every message names the path. */
int cairn_file_read(const char *path, size_t limit, cairn_buf *out);

/* Replaces `path` with data so that a reader sees either the old or the new file, never a part:
 * writes a temporary file beside it, fsyncs it, renames it over path and fsyncs the directory.
 * `mode` is the new file's permission bits (0600 for private keys). */
int cairn_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Writes data to standard output when path is NULL or "-", otherwise as cairn_file_write_atomic. */
int cairn_file_write_or_stdout(const char *path, const void *data, size_t len, unsigned mode);

/* 1 if something exists at path (following no symlink), 0 if not. */
int cairn_file_exists(const char *path);

#endif
