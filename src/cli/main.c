/* main.c - the cairn command: a table from command names to functions, as git's git.c has.
 *
 * Adding a command: write src/cli/cmd_<name>.c with cmd_<name>() and cmd_<name>_usage[], declare
 * both in cli.h with CLI_DECLARE, and add one line below. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const struct cli_command cli_commands[] = {
	{"help", cmd_help, "show the commands, or the help of one", cmd_help_usage},
	{"version", cmd_version, "print cairn's version", cmd_version_usage},
	{"keygen", cmd_keygen, "generate a key pair for signing", cmd_keygen_usage},
	{"sign-blob", cmd_sign_blob, "sign a file with a key", cmd_sign_blob_usage},
	{"verify-blob", cmd_verify_blob, "verify a file's signature", cmd_verify_blob_usage},
	{"vercmp", cmd_vercmp, "compare two versions by an ecosystem's rules", cmd_vercmp_usage},
	{"registry-debug", cmd_registry_debug, "(internal) exercise the registry client", cmd_registry_debug_usage},
	{"verify-bundle", cmd_verify_blob, "verify a Sigstore bundle (alias of verify-blob --bundle)", cmd_verify_blob_usage},
	{"image", cmd_image, "inspect, list and save container images", cmd_image_usage},
	{"db", cmd_db, "import and query the offline advisory database", cmd_db_usage},
	{"sign", cmd_sign, "sign a container image in its registry, as cosign does", cmd_sign_usage},
	{"verify", cmd_verify, "verify a container image's signatures", cmd_verify_usage},
	{"build", cmd_build, "run a build in isolation and sign its SLSA provenance", cmd_build_usage},
	{"verify-provenance", cmd_verify_provenance, "verify SLSA provenance for an artifact", cmd_verify_provenance_usage},
	{"sbom", cmd_sbom, "catalog every package of an image or directory into an SBOM", cmd_sbom_usage},
	{"scan", cmd_scan, "scan an image, directory or SBOM for known vulnerabilities", cmd_scan_usage},
	{"attest", cmd_attest, "attach a signed attestation (SBOM, provenance, scan, VEX) to an image or file", cmd_attest_usage},
	{"verify-attestation", cmd_verify_attestation, "verify an image's or file's attestations of a type", cmd_verify_attestation_usage},
	{"log", cmd_log, "run or query a transparency log (Rekor v1 API, C2SP tiles)", cmd_log_usage},
	{NULL, NULL, NULL, NULL},
};

const struct cli_command *cli_find_command(const char *name)
{
	for (const struct cli_command *cmd = cli_commands; cmd->name != NULL; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	return NULL;
}

int cli_report_error(void)
{
	int code = cairn_error_code();
	const char *message = cairn_error_message();
	fprintf(stderr, "cairn: %s\n", message[0] ? message : cairn_error_name(code));
	int status = cairn_error_exit_status(code);
	return status == 0 ? CLI_INTERNAL : status; /* an error without a code is still an error */
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "cairn %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'cairn help %s' for usage.\n", command);
	return CLI_USAGE;
}

int cli_getopt(int argc, char **argv, const struct option *options)
{
	opterr = 0;
	return getopt_long(argc, argv, ":", options, NULL);
}

int cli_option_error(const char *command, char **argv, int opt)
{
	const char *arg = argv[optind - 1];
	if (opt == ':')
		return cli_usage_error(command, "option '%s' needs a value", arg);
	return cli_usage_error(command, "unknown option '%s'", arg);
}

int cli_print_usage(const char *command)
{
	const struct cli_command *cmd = cli_find_command(command);
	if (cmd == NULL)
		return CLI_INTERNAL;
	fputs(cmd->usage, stdout);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		char help_name[] = "help";
		char *help_argv[] = {help_name, NULL};
		cmd_help(1, help_argv);
		return CLI_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	if (strcmp(name, "--version") == 0)
		name = "version";
	const struct cli_command *cmd = cli_find_command(name);
	if (cmd == NULL) {
		fprintf(stderr, "cairn: '%s' is not a cairn command. Run 'cairn help' for the list.\n", name);
		return CLI_USAGE;
	}
	int status = cmd->run(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("cairn: writing standard output");
		return CLI_INTERNAL;
	}
	return status;
}
