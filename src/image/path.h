/* path.h - normalising and checking the paths that layers, directories and callers name.
 *
 * Two kinds of path meet here. Entry names come from untrusted tar headers and are refused when they
 * could escape the image root (absolute, or with a ".." component). Lookup paths come from callers and
 * are only tidied lexically (".." at the root stays at the root). Both come out in one form: absolute,
 * no "." or empty components, no trailing slash ("/", "/usr/bin/env"). */
#ifndef CAIRN_IMAGE_PATH_H
#define CAIRN_IMAGE_PATH_H

#include "cairn/buf.h"

#include <stddef.h>

/* The longest component a Linux file system accepts; a layer could never be extracted with more. */
#define CAIRN_PATH_NAME_MAX 255

/* Normalises a tar entry name (or a hardlink target) into out (cleared first): strips "./", collapses
 * "//" and a trailing "/". Returns 0, or CAIRN_EINVAL / CAIRN_ETOOBIG with *problem set to a phrase
 * that completes "entry X ..." ("is an absolute path"); the caller adds layer and entry to the message,
 * so this function sets no error message of its own. "." and "./" name the root, "/". */
int cairn_path_normalize_entry(const char *name, size_t max_path, cairn_buf *out, const char **problem);

/* Tidies a caller's path into out (cleared first): relative paths are taken from the root, "." and
 * empty components vanish, ".." removes the previous component and stays at the root. */
int cairn_path_clean(const char *path, cairn_buf *out);

/* Steps through the components of a path: skips slashes, then sets *comp and *len to the next
 * component and advances *cursor past it. Returns 0 when no component is left. */
int cairn_path_next(const char **cursor, const char **comp, size_t *len);

/* A copy of text safe to put in a message: control bytes become '?', and text over cap-1 bytes is cut
 * with "...". Returns buf. */
const char *cairn_path_printable(const char *text, char *buf, size_t cap);

#endif
