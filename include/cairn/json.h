/* cairn/json.h - JSON parsing with limits, and RFC 8785 canonical serialisation (JCS).
 *
 * Values are jansson's json_t. Parsing rejects what a hostile document could use to confuse two
 * readers: duplicate object keys, NUL in strings, invalid UTF-8, trailing data, and anything over the
 * size or nesting limits. */
#ifndef CAIRN_JSON_H
#define CAIRN_JSON_H

#include "cairn/buf.h"

#include <jansson.h>
#include <stddef.h>

typedef struct cairn_json_limits {
	size_t max_bytes; /* whole document */
	size_t max_depth; /* nesting of arrays and objects */
} cairn_json_limits;

#define CAIRN_JSON_DEFAULT_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define CAIRN_JSON_DEFAULT_MAX_DEPTH ((size_t)128)

/* Parses text into *out (release with json_decref). limits NULL means the defaults. Errors name
 * `what`, the line and column, and the reason. */
int cairn_json_parse(json_t **out, const void *text, size_t len, const cairn_json_limits *limits,
		     const char *what);
/* Reads and parses a file with the default limits. */
int cairn_json_parse_file(json_t **out, const char *path);

/* Appends value's text as jansson's json_dumps writes it with flags (JSON_COMPACT, JSON_INDENT(n), ...);
 * takes no reference. CAIRN_ENOMEM when it cannot be written. */
int cairn_json_dump(const json_t *value, size_t flags, cairn_buf *out);

/* The string member `key` of object, or NULL when object is not an object or the member is absent or
 * not a string. */
const char *cairn_json_string_at(const json_t *object, const char *key);

/* Appends the RFC 8785 canonical form of value: object members sorted by their UTF-16 code units,
 * no insignificant whitespace, minimal string escapes, numbers as ECMAScript writes doubles. */
int cairn_json_canonicalize(const json_t *value, cairn_buf *out);

/* Appends the ECMAScript Number.prototype.toString form of a finite double (RFC 8785 section
 * 3.2.2.3); CAIRN_EINVAL for NaN and infinities, which JSON cannot hold. */
int cairn_json_format_number(double value, cairn_buf *out);

#endif
