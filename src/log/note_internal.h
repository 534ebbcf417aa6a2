/* Helpers shared by note.c and checkpoint.c (not part of the public API). */
#ifndef CAIRN_LOG_NOTE_INTERNAL_H
#define CAIRN_LOG_NOTE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Checks the signed-note character rules on text: valid UTF-8, no control character but newline.
 * Returns 0 or CAIRN_EINVAL naming `what` and the byte offset. */
int cairn_note_check_chars(const char *text, size_t len, const char *what);

#endif
