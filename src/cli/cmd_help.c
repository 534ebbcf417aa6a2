/* cairn help [COMMAND] */
#include "cli.h"

#include <stdio.h>
#include <string.h>

const char cmd_help_usage[] =
	"usage: cairn help [COMMAND]\n"
	"\n"
	"Without COMMAND, lists cairn's commands. With it, shows that command's usage.\n";

int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return cli_usage_error("help", "expected at most one command name");
	if (argc == 2) {
		const struct cli_command *cmd = cli_find_command(argv[1]);
		if (cmd == NULL) {
			fprintf(stderr, "cairn help: no command named '%s'. Run 'cairn help' for the list.\n", argv[1]);
			return CLI_USAGE;
		}
		fputs(cmd->usage, stdout);
		return CLI_OK;
	}
	printf("usage: cairn COMMAND [ARGS]\n\n"
	       "cairn secures the path from source to running container.\n\ncommands:\n");
	for (const struct cli_command *cmd = cli_commands; cmd->name != NULL; cmd++)
		if (strncmp(cmd->summary, "(internal)", 10) != 0) /* tools for tests, not for users */
			printf("  %-19s %s\n", cmd->name, cmd->summary);
	printf("\nRun 'cairn help COMMAND' for a command's options.\n"
	       "Exit status: 0 success, 1 a check failed, 2 bad usage or input, 3 internal or I/O error.\n");
	return CLI_OK;
}
