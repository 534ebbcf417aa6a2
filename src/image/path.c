/* Path normalisation and the checks that keep untrusted entry names inside the image root. */
#include "image/path.h"

#include "cairn/error.h"

#include <string.h>

int cairn_path_next(const char **cursor, const char **comp, size_t *len)
{
	const char *p = *cursor;
	while (*p == '/')
		p++;
	if (*p == '\0') {
		*cursor = p;
		return 0;
	}
	const char *end = strchr(p, '/');
	if (end == NULL)
		end = p + strlen(p);
	*comp = p;
	*len = (size_t)(end - p);
	*cursor = end;
	return 1;
}

static int is_dot(const char *comp, size_t len) { return len == 1 && comp[0] == '.'; }

static int is_dotdot(const char *comp, size_t len) { return len == 2 && comp[0] == '.' && comp[1] == '.'; }

int cairn_path_normalize_entry(const char *name, size_t max_path, cairn_buf *out, const char **problem)
{
	cairn_buf_clear(out);
	*problem = NULL;
	if (name == NULL || name[0] == '\0') {
		*problem = "has an empty name";
		return CAIRN_EINVAL;
	}
	if (name[0] == '/') {
		/* Extraction would write outside the directory it unpacks into. */
		*problem = "has an absolute path";
		return CAIRN_EINVAL;
	}
	if (strlen(name) > max_path) {
		*problem = "has a path over the length limit";
		return CAIRN_ETOOBIG;
	}
	const char *cursor = name, *comp;
	size_t len;
	while (cairn_path_next(&cursor, &comp, &len)) {
		if (is_dot(comp, len))
			continue;
		if (is_dotdot(comp, len)) {
			*problem = "has a \"..\" component";
			return CAIRN_EINVAL;
		}
		if (len > CAIRN_PATH_NAME_MAX) {
			*problem = "has a path component over 255 bytes";
			return CAIRN_ETOOBIG;
		}
		int err = cairn_buf_append_byte(out, '/');
		if (!err)
			err = cairn_buf_append(out, comp, len);
		if (err) {
			*problem = "cannot be stored (out of memory)";
			return err;
		}
	}
	if (out->len == 0 && cairn_buf_append_byte(out, '/') != 0) {
		*problem = "cannot be stored (out of memory)";
		return CAIRN_ENOMEM;
	}
	return 0;
}

int cairn_path_clean(const char *path, cairn_buf *out)
{
	cairn_buf_clear(out);
	const char *cursor = path, *comp;
	size_t len;
	while (cairn_path_next(&cursor, &comp, &len)) {
		if (is_dot(comp, len))
			continue;
		if (is_dotdot(comp, len)) {
			/* Drop the last component; at the root there is nothing to drop. */
			while (out->len > 0 && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
			continue;
		}
		int err = cairn_buf_append_byte(out, '/');
		if (!err)
			err = cairn_buf_append(out, comp, len);
		if (err)
			return err;
	}
	if (out->len == 0)
		return cairn_buf_append_byte(out, '/');
	out->data[out->len] = '\0';
	return 0;
}

const char *cairn_path_printable(const char *text, char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	size_t i = 0;
	for (; text != NULL && text[i] != '\0' && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)text[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	buf[i] = '\0';
	if (text != NULL && text[i] != '\0' && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
	return buf;
}
