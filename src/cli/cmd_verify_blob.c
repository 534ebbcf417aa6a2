#include "cli.h"
const char cmd_verify_blob_usage[] = "usage: todo\n";
int cmd_verify_blob(int argc, char **argv) { (void)argc; (void)argv; return CLI_INTERNAL; }
