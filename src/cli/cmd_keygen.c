#include "cli.h"
const char cmd_keygen_usage[] = "usage: todo\n";
int cmd_keygen(int argc, char **argv) { (void)argc; (void)argv; return CLI_INTERNAL; }
