/* cairn/error.h - results and the per-thread error message.
 *
 * Every fallible function in libcairn returns an int: 0 on success or one of the negative CAIRN_E*
 * codes below. The reason, naming the input and what was wrong with it, is kept per thread and read
 * with cairn_error_message(). The library never exits or aborts on bad input. */
#ifndef CAIRN_ERROR_H
#define CAIRN_ERROR_H

#include <stdarg.h>

enum cairn_error_code {
	CAIRN_OK = 0,
	CAIRN_EINVAL = -1,       /* malformed input or bad usage */
	CAIRN_ENOENT = -2,       /* a named input does not exist */
	CAIRN_ETOOBIG = -3,      /* an input is over a size, count or depth limit */
	CAIRN_EUNSUPPORTED = -4, /* well-formed, but something cairn does not handle */
	CAIRN_EVERIFY = -5,      /* a check said no: signature, digest, policy */
	CAIRN_EIO = -6,          /* reading or writing failed */
	CAIRN_ENOMEM = -7,       /* out of memory */
	CAIRN_EINTERNAL = -8,    /* a bug or a library failure that is not the input's fault */
	CAIRN_EACCES = -9,       /* permission denied on an input */
	CAIRN_EEXIST = -10,      /* refusing to overwrite something that exists */
	CAIRN_EBUSY = -11,       /* a bounded queue is full: try again later */
};

/* Records code and a printf-style message for this thread and returns code, so callers can write
 * `return cairn_error_set(CAIRN_EINVAL, "%s: not a PEM file", path);`. */
int cairn_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cairn_error_setv(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Like cairn_error_set, but appends OpenSSL's queued error reason (and clears the queue). */
int cairn_error_set_openssl(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Puts "context: " in front of the current message, keeping the code; returns the code. Use it when a
 * lower layer's message does not name the input the caller knows about. */
int cairn_error_prefix(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message set on this thread ("" when none). Valid until the next cairn call on this thread. */
const char *cairn_error_message(void);

/* The last code set on this thread (0 when none). */
int cairn_error_code(void);

/* Forgets the last error. */
void cairn_error_clear(void);

/* Short name of a code ("invalid input", "verification failed", ...). */
const char *cairn_error_name(int code);

/* The exit status the cairn command uses for a code: 0 ok, 1 a check said no, 2 bad usage or
 * unreadable input, 3 an internal or I/O failure. */
int cairn_error_exit_status(int code);

#endif
