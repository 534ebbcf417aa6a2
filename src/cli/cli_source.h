/* cli_source.h - the SOURCE argument of the commands that read packages (sbom, scan): an image, a
 * directory, or an SBOM file (sbom:FILE). */
#ifndef CAIRN_CLI_SOURCE_H
#define CAIRN_CLI_SOURCE_H

#include "cli.h"

/* The cataloging limits for hostile layers, from the environment as `cairn image` reads them
 * (CAIRN_MAX_* and CAIRN_SBOM_MAX_DB_SIZE); prints the usage error and returns CLI_USAGE on a bad value. */
int cli_source_limits(cairn_tree_limits *limits, cairn_sbom_options *opts, const char *command);
/* sbom:FILE is read with cairn_sbom_read; anything else is opened as an image (with reg's options)
 * into *image and catalogued. Returns 0 or the library's error (not yet reported). */
int cli_source_load(const char *source, const struct cli_registry_args *reg, const cairn_sbom_options *opts,
		    cairn_image **image, cairn_sbom **sbom);

#endif
