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
CLI_DECLARE(scan);
CLI_DECLARE(attest);
CLI_DECLARE(verify_attestation);
CLI_DECLARE(log);

/* ---- registry and trust options shared by the commands (cli_registry.c) ----
 * Their getopt values lie above any option letter, so a command's own letters never clash. */
enum cli_shared_option {
	CLI_OPT_PLATFORM = 0x100,
	CLI_OPT_CA_FILE,
	CLI_OPT_INSECURE_REGISTRY,
	CLI_OPT_USERNAME,
	CLI_OPT_PASSWORD_STDIN,
	CLI_OPT_CACHE_DIR,
	CLI_OPT_KEY,
	CLI_OPT_TRUSTED_ROOT,
	CLI_OPT_IDENTITY,
	CLI_OPT_IDENTITY_REGEXP,
	CLI_OPT_ISSUER,
	CLI_OPT_ISSUER_REGEXP,
	CLI_OPT_REFUSED, /* from cli_next_option: a shared option's value was refused (message printed) */
};

/* Entries for a command's struct option table. */
#define CLI_OPTIONS_TLS                                                      \
	{"ca-file", required_argument, NULL, CLI_OPT_CA_FILE},               \
	{"insecure-registry", required_argument, NULL, CLI_OPT_INSECURE_REGISTRY}
#define CLI_OPTIONS_LOGIN                                          \
	{"username", required_argument, NULL, CLI_OPT_USERNAME},   \
	{"password-stdin", no_argument, NULL, CLI_OPT_PASSWORD_STDIN}
#define CLI_OPTIONS_IMAGE                                          \
	{"platform", required_argument, NULL, CLI_OPT_PLATFORM},   \
	{"cache-dir", required_argument, NULL, CLI_OPT_CACHE_DIR}
#define CLI_OPTIONS_TRUST                                                                   \
	{"key", required_argument, NULL, CLI_OPT_KEY},                                      \
	{"certificate-identity", required_argument, NULL, CLI_OPT_IDENTITY},                \
	{"certificate-identity-regexp", required_argument, NULL, CLI_OPT_IDENTITY_REGEXP},  \
	{"certificate-oidc-issuer", required_argument, NULL, CLI_OPT_ISSUER},               \
	{"certificate-oidc-issuer-regexp", required_argument, NULL, CLI_OPT_ISSUER_REGEXP}, \
	{"trusted-root", required_argument, NULL, CLI_OPT_TRUSTED_ROOT}

#define CLI_INSECURE_MAX 16 /* --insecure-registry options */

/* Where to find an image and how to reach its registry. */
struct cli_registry_args {
	cairn_image_options opts; /* opts.registry for commands that only talk to a registry */
	const char *insecure[CLI_INSECURE_MAX + 1];
	size_t insecure_count;
	int password_stdin;
	char password[4096];
};

/* Takes opt if it is one of the registry options: returns 1 when taken, 0 when opt is not one of
 * them, -1 when its value is refused (the usage error is printed). */
int cli_registry_option(struct cli_registry_args *a, int opt, const char *command);
struct cli_trust_args;
/* getopt_long (with getopt's own messages off) that takes the registry options, and the trust
 * options when trust is not NULL, itself: returns the next other option, -1 at the end, or
 * CLI_OPT_REFUSED. */
int cli_next_option(int argc, char **argv, const char *shortopts, const struct option *options,
		    struct cli_registry_args *reg, struct cli_trust_args *trust, const char *command);
/* After the options: --username and --password-stdin go together; reads the password from stdin. */
int cli_registry_finish(struct cli_registry_args *a, const char *command);
/* Parses IMAGE (REF or registry:REF) into ref; on failure reports the error and returns its status. */
int cli_registry_ref(const char *image, cairn_ref *ref);
/* -o text|json: sets *json from optarg. */
int cli_output_json(int *json, const char *command);
/* A positive number from environment variable name into *value (left alone when unset or empty). */
int cli_env_limit(const char *name, uint64_t *value, const char *command);
/* The limits for hostile layers: the defaults, lowered by CAIRN_MAX_ENTRIES, CAIRN_MAX_FILE_SIZE,
 * CAIRN_MAX_TOTAL_SIZE, CAIRN_MAX_RATIO and CAIRN_RATIO_FLOOR. */
int cli_tree_limits(cairn_tree_limits *limits, const char *command);
/* Wipes the password. */
void cli_registry_free(struct cli_registry_args *a);

/* What a signature must verify against: a public key, or a certificate identity under a trusted root. */
struct cli_trust_args {
	const char *key_path, *root_path;
	cairn_identity_policy identity;
	cairn_key *key;             /* loaded by cli_trust_load */
	cairn_trusted_root *root;   /* --trusted-root, else the embedded public-good root */
};

/* Takes opt if it is one of the trust options: returns 1 when taken, 0 when not. */
int cli_trust_option(struct cli_trust_args *t, int opt);
/* Either --key or a complete identity (exact or regexp for each of identity and issuer). */
int cli_trust_check(const struct cli_trust_args *t, const char *command);
/* Loads the key (if given) and the trusted root and sets the verifier's key, identity and root; on
 * failure reports the error and returns its status. */
int cli_trust_load(struct cli_trust_args *t, const cairn_key **key, cairn_identity_policy *identity,
		   const cairn_trusted_root **root);
void cli_trust_free(struct cli_trust_args *t);

#endif
