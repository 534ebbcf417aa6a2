/* C2SP tlog-checkpoint bodies: origin, tree size, root hash, optional extension lines.
 *
 * The body is parsed strictly because clients compare checkpoints by their fields: a size written two
 * ways ("07" and "7") or a root with non-canonical base64 would let two different texts mean the same
 * tree head, so both are refused. */
#include "cairn/error.h"
#include "cairn/note.h"
#include "log/note_internal.h"

#include <stdlib.h>
#include <string.h>

void cairn_checkpoint_free(cairn_checkpoint *checkpoint)
{
	if (checkpoint == NULL)
		return;
	free(checkpoint->origin);
	free(checkpoint->extensions);
	memset(checkpoint, 0, sizeof *checkpoint);
}

/* Decimal without leading zeros, at most CAIRN_CHECKPOINT_MAX_SIZE. */
static int parse_size(const char *line, size_t len, uint64_t *out, const char *what)
{
	if (len == 0 || len > 19 || (len > 1 && line[0] == '0'))
		return cairn_error_set(CAIRN_EINVAL, "%s: tree size \"%.*s\" is not a decimal number without leading zeros",
				       what, (int)(len > 40 ? 40 : len), line);
	uint64_t value = 0;
	for (size_t i = 0; i < len; i++) {
		if (line[i] < '0' || line[i] > '9')
			return cairn_error_set(CAIRN_EINVAL, "%s: tree size \"%.*s\" is not a decimal number", what,
					       (int)(len > 40 ? 40 : len), line);
		value = value * 10 + (uint64_t)(line[i] - '0'); /* 19 digits cannot overflow 64 bits */
	}
	if (value > CAIRN_CHECKPOINT_MAX_SIZE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: tree size %.*s is too large", what, (int)len, line);
	*out = value;
	return 0;
}

static int parse_root(const char *line, size_t len, cairn_merkle_hash *out, const char *what)
{
	cairn_buf raw = CAIRN_BUF_INIT;
	int err = cairn_base64_decode(&raw, line, len, CAIRN_BASE64_STD, what);
	if (!err)
		err = cairn_merkle_hash_from_bytes(out, raw.data, raw.len, what);
	if (err)
		cairn_error_prefix(err, "checkpoint root hash");
	cairn_buf_free(&raw);
	return err;
}

static char *copy_string(const char *s, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

int cairn_checkpoint_parse(cairn_checkpoint *out, const char *text, size_t len, const char *what)
{
	memset(out, 0, sizeof *out);
	if (what == NULL)
		what = "checkpoint";
	if (len > CAIRN_NOTE_MAX_SIZE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is too long", what, len);
	int err = cairn_note_check_chars(text, len, what);
	if (err)
		return err;
	if (len == 0 || text[len - 1] != '\n')
		return cairn_error_set(CAIRN_EINVAL, "%s: does not end with a newline", what);

	/* Walk the lines: 1 origin, 2 size, 3 root, then extensions; none may be empty. */
	const char *line = text, *end = text + len;
	const char *extensions = end;
	size_t line_no = 0;
	while (!err && line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = (size_t)(nl - line);
		line_no++;
		if (line_len == 0)
			err = cairn_error_set(CAIRN_EINVAL, "%s: line %zu is empty", what, line_no);
		else if (line_no == 1 && (out->origin = copy_string(line, line_len)) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		else if (line_no == 2)
			err = parse_size(line, line_len, &out->size, what);
		else if (line_no == 3)
			err = parse_root(line, line_len, &out->root, what);
		else if (line_no > 3) {
			if (extensions == end)
				extensions = line;
			if (++out->extension_count > CAIRN_CHECKPOINT_MAX_EXTENSIONS)
				err = cairn_error_set(CAIRN_ETOOBIG, "%s: more than %d extension lines", what,
						      CAIRN_CHECKPOINT_MAX_EXTENSIONS);
		}
		line = nl + 1;
	}
	if (!err && line_no < 3)
		err = cairn_error_set(CAIRN_EINVAL, "%s: needs an origin, a tree size and a root hash line, found %zu line%s",
				      what, line_no, line_no == 1 ? "" : "s");
	if (!err && (out->extensions = copy_string(extensions, (size_t)(end - extensions))) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (err)
		cairn_checkpoint_free(out);
	return err;
}

int cairn_checkpoint_format(const char *origin, uint64_t size, const cairn_merkle_hash *root, const char *extensions,
			    cairn_buf *out)
{
	if (origin[0] == '\0' || strchr(origin, '\n') != NULL)
		return cairn_error_set(CAIRN_EINVAL, "checkpoint origin must be one non-empty line");
	if (size > CAIRN_CHECKPOINT_MAX_SIZE)
		return cairn_error_set(CAIRN_ETOOBIG, "checkpoint tree size %llu is too large", (unsigned long long)size);
	if (extensions == NULL)
		extensions = "";
	size_t ext_len = strlen(extensions);
	if (ext_len > 0 && (extensions[ext_len - 1] != '\n' || extensions[0] == '\n' || strstr(extensions, "\n\n") != NULL))
		return cairn_error_set(CAIRN_EINVAL, "checkpoint extension lines must be non-empty and end with a newline");
	size_t start = out->len;
	int err = cairn_buf_printf(out, "%s\n%llu\n", origin, (unsigned long long)size);
	if (!err)
		err = cairn_base64_encode(out, root->bytes, sizeof root->bytes, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_buf_append_byte(out, '\n');
	if (!err)
		err = cairn_buf_append(out, extensions, ext_len);
	if (!err)
		err = cairn_note_check_chars((const char *)out->data + start, out->len - start, "checkpoint");
	return err;
}
