/* cli.h - what every command shares: the command table entry, usage errors and exit statuses. */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include "cairn/cairn.h"

#include <getopt.h>

enum cli_exit {
	CLI_OK = 0,       /* success */
	CLI_FAILED = 1,   /* a check said no */
	CLI_USAGE = 2,    /* bad usage or unreadable input */
	CLI_INTERNAL = 3, /* internal or I/O failure */
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;               /* one line for `cairn help` */
	const char *usage;                 /* the full help text for `cairn help NAME` */
};

/* The table in main.c. */
extern const struct cli_command cli_commands[];
const struct cli_command *cli_find_command(const char *name);

/* Prints "cairn: <the last library error>" to stderr; returns the exit status for its code. */
int cli_report_error(void);
/* Prints "cairn COMMAND: message" and a hint to run `cairn help COMMAND`; returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long over long options only, with getopt's own messages off; options may follow operands. */
int cli_getopt(int argc, char **argv, const struct option *options);
/* Reports what getopt complained about (opt is its ':' or '?' result); returns CLI_USAGE. */
int cli_option_error(const char *command, char **argv, int opt);
/* For --help inside a command: prints the command's usage to stdout, returns CLI_OK. */
int cli_print_usage(const char *command);

/* Command entry points and their help texts, one file each (cmd_<name>.c). */
#define CLI_DECLARE(name)                   \
	int cmd_##name(int argc, char **argv); \
	extern const char cmd_##name##_usage[]

CLI_DECLARE(help);
CLI_DECLARE(version);
CLI_DECLARE(keygen);
CLI_DECLARE(sign_blob);
CLI_DECLARE(verify_blob);
CLI_DECLARE(vercmp);
CLI_DECLARE(registry_debug);
CLI_DECLARE(image);
CLI_DECLARE(db);
CLI_DECLARE(sign);
CLI_DECLARE(verify);
CLI_DECLARE(build);
CLI_DECLARE(verify_provenance);
CLI_DECLARE(sbom);
CLI_DECLARE(attest);
CLI_DECLARE(verify_attestation);

#endif
