/* cairn version */
#include "cli.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>

const char cmd_version_usage[] =
	"usage: cairn version\n"
	"\n"
	"Prints cairn's version, the git revision it was built from and the libraries it uses.\n";

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error("version", "takes no arguments");
	printf("cairn %s (%s)\n", CAIRN_VERSION, CAIRN_GIT_REV);
	printf("  %s, jansson %s\n", OpenSSL_version(OPENSSL_VERSION), jansson_version_str());
	return CLI_OK;
}
