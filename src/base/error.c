/* Per-thread error state: one code and one message, overwritten by each failure. */
#include "cairn/error.h"

#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 1024

static _Thread_local int last_code;
static _Thread_local char last_message[MESSAGE_MAX];

int cairn_error_setv(int code, const char *fmt, va_list ap)
{
	last_code = code;
	vsnprintf(last_message, sizeof last_message, fmt, ap);
	return code;
}

int cairn_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cairn_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

int cairn_error_set_openssl(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cairn_error_setv(code, fmt, ap);
	va_end(ap);
	/* OpenSSL queues its reasons; the most specific one is the first. */
	unsigned long err = ERR_get_error();
	if (err != 0) {
		char reason[256];
		ERR_error_string_n(err, reason, sizeof reason);
		size_t used = strlen(last_message);
		snprintf(last_message + used, sizeof last_message - used, " (%s)", reason);
	}
	ERR_clear_error();
	return code;
}

int cairn_error_prefix(int code, const char *fmt, ...)
{
	char prefix[MESSAGE_MAX];
	char combined[2 * MESSAGE_MAX + 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	snprintf(combined, sizeof combined, "%s: %s", prefix, last_message);
	size_t len = strnlen(combined, sizeof last_message - 1); /* an over-long message is truncated */
	memcpy(last_message, combined, len);
	last_message[len] = '\0';
	last_code = code;
	return code;
}

const char *cairn_error_message(void) { return last_message; }

int cairn_error_code(void) { return last_code; }

void cairn_error_clear(void)
{
	last_code = 0;
	last_message[0] = '\0';
}

const char *cairn_error_name(int code)
{
	switch (code) {
	case CAIRN_OK: return "success";
	case CAIRN_EINVAL: return "invalid input";
	case CAIRN_ENOENT: return "not found";
	case CAIRN_ETOOBIG: return "over a limit";
	case CAIRN_EUNSUPPORTED: return "unsupported";
	case CAIRN_EVERIFY: return "verification failed";
	case CAIRN_EIO: return "I/O error";
	case CAIRN_ENOMEM: return "out of memory";
	case CAIRN_EINTERNAL: return "internal error";
	case CAIRN_EACCES: return "permission denied";
	case CAIRN_EEXIST: return "already exists";
	case CAIRN_EBUSY: return "busy";
	default: return "unknown error";
	}
}

int cairn_error_exit_status(int code)
{
	switch (code) {
	case CAIRN_OK: return 0;
	case CAIRN_EVERIFY: return 1;
	case CAIRN_EINVAL:
	case CAIRN_ENOENT:
	case CAIRN_ETOOBIG:
	case CAIRN_EUNSUPPORTED:
	case CAIRN_EACCES:
	case CAIRN_EEXIST:
	case CAIRN_EBUSY: return 2;
	default: return 3;
	}
}
