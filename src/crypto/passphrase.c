/* Passphrases for private keys: from CAIRN_PASSWORD, or typed on the controlling terminal without
 * echo. The passphrase is never logged or put into an error message. */
#include "cairn/error.h"
#include "cairn/key.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Longest passphrase accepted, from the terminal or the environment. */
#define PASSPHRASE_MAX 1024

static int tty_write(int fd, const char *text)
{
	size_t len = strlen(text);
	while (len > 0) {
		ssize_t done = write(fd, text, len);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return cairn_error_set(CAIRN_EIO, "cannot write to the terminal: %s", strerror(errno));
		text += done;
		len -= (size_t)done;
	}
	return 0;
}

/* Reads one line, without its line ending, into line (PASSPHRASE_MAX + 1 bytes). A line that is
 * too long is read to its end anyway, so that its rest does not become the next input. */
static int tty_read_line(int fd, char *line, size_t *len)
{
	size_t n = 0;
	int too_long = 0, got_any = 0;
	for (;;) {
		char c;
		ssize_t got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return cairn_error_set(CAIRN_EIO, "cannot read from the terminal: %s", strerror(errno));
		if (got == 0) {
			if (!got_any)
				return cairn_error_set(CAIRN_EINVAL, "no passphrase entered (end of input)");
			break;
		}
		got_any = 1;
		if (c == '\n')
			break;
		if (n < PASSPHRASE_MAX)
			line[n++] = c;
		else
			too_long = 1;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	*len = n;
	if (too_long)
		return cairn_error_set(CAIRN_EINVAL, "passphrase longer than %d bytes", PASSPHRASE_MAX);
	return 0;
}

/* A signal that ends the process while echo is off (Ctrl-C at the prompt) must not leave the user's
 * terminal without echo: for the prompt's duration these signals restore the settings first, then
 * take their usual course. Only async-signal-safe calls happen in the handler. Job control (Ctrl-Z)
 * is left alone: the shell keeps and restores the terminal settings of a stopped job. */
static const int prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define PROMPT_SIGNALS (sizeof prompt_signals / sizeof prompt_signals[0])
static struct termios prompt_saved;
static volatile sig_atomic_t prompt_fd = -1;
static struct sigaction prompt_old[PROMPT_SIGNALS];

static void prompt_interrupted(int sig)
{
	int saved_errno = errno;
	if (prompt_fd >= 0) {
		tcsetattr(prompt_fd, TCSAFLUSH, &prompt_saved);
		(void)!write(prompt_fd, "\n", 1);
	}
	for (size_t i = 0; i < PROMPT_SIGNALS; i++)
		if (prompt_signals[i] == sig)
			sigaction(sig, &prompt_old[i], NULL);
	raise(sig); /* delivered once this handler returns, with the caller's own disposition */
	errno = saved_errno;
}

static void prompt_guard(int fd, const struct termios *saved)
{
	prompt_saved = *saved;
	prompt_fd = fd;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = prompt_interrupted;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &sa, &prompt_old[i]);
}

static void prompt_unguard(void)
{
	for (size_t i = 0; i < PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &prompt_old[i], NULL);
	prompt_fd = -1;
}

/* Prints prompt and reads one line with echo turned off; echo is restored on every path, a signal
 * that ends the process included. */
static int tty_prompt(int fd, const char *prompt, char *line, size_t *len)
{
	struct termios saved;
	if (tcgetattr(fd, &saved) != 0)
		return cairn_error_set(CAIRN_EIO, "cannot read the terminal settings: %s", strerror(errno));
	struct termios quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	prompt_guard(fd, &saved);
	/* Echo goes off before the prompt appears, so nothing typed after it is shown. */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		prompt_unguard();
		return cairn_error_set(CAIRN_EIO, "cannot turn off terminal echo: %s", strerror(errno));
	}
	int err = tty_write(fd, prompt);
	if (!err)
		err = tty_read_line(fd, line, len);
	int restored = tcsetattr(fd, TCSAFLUSH, &saved);
	int saved_errno = errno;
	prompt_unguard();
	tty_write(fd, "\n"); /* the user's Enter was not echoed */
	if (!err && restored != 0)
		err = cairn_error_set(CAIRN_EIO, "cannot restore terminal echo: %s", strerror(saved_errno));
	return err;
}

static int read_from_terminal(cairn_buf *out, const char *prompt, int confirm)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return cairn_error_set(CAIRN_EINVAL, "no passphrase: set CAIRN_PASSWORD or run on a terminal");
	char first[PASSPHRASE_MAX + 1], second[PASSPHRASE_MAX + 1];
	size_t first_len = 0, second_len = 0;
	int err = tty_prompt(fd, prompt, first, &first_len);
	if (!err && confirm) {
		err = tty_prompt(fd, "Enter the same passphrase again: ", second, &second_len);
		if (!err && (first_len != second_len || CRYPTO_memcmp(first, second, first_len) != 0))
			err = cairn_error_set(CAIRN_EINVAL, "the passphrases do not match");
	}
	close(fd);
	if (!err)
		err = cairn_buf_append(out, first, first_len);
	OPENSSL_cleanse(first, sizeof first);
	OPENSSL_cleanse(second, sizeof second);
	return err;
}

int cairn_passphrase_read(cairn_buf *out, const char *prompt, int confirm)
{
	/* Set but empty means "no passphrase", which scripts need for unencrypted keys. */
	const char *env = getenv("CAIRN_PASSWORD");
	if (env != NULL) {
		if (strlen(env) > PASSPHRASE_MAX)
			return cairn_error_set(CAIRN_EINVAL, "CAIRN_PASSWORD is longer than %d bytes", PASSPHRASE_MAX);
		return cairn_buf_append_str(out, env);
	}
	return read_from_terminal(out, prompt, confirm);
}
