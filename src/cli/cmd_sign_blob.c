#include "cli.h"
const char cmd_sign_blob_usage[] = "usage: todo\n";
int cmd_sign_blob(int argc, char **argv) { (void)argc; (void)argv; return CLI_INTERNAL; }
