/* cli_source.c - reading a SOURCE argument into an SBOM, shared by `cairn sbom` and `cairn scan`. */
#include "cairn/file.h"
#include "cli_source.h"

#include <string.h>

int cli_source_limits(cairn_tree_limits *limits, cairn_sbom_options *opts, const char *command)
{
	int status = cli_tree_limits(limits, command);
	if (status == CLI_OK)
		status = cli_env_limit("CAIRN_SBOM_MAX_DB_SIZE", &opts->max_db_size, command);
	opts->tree_limits = limits;
	return status;
}

/* sbom:FILE - an SBOM another tool (or cairn) wrote, read into the same model. */
static int read_sbom_file(const char *path, cairn_sbom **out)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, &text);
	if (!err)
		err = cairn_sbom_read(out, text.data, text.len, path);
	cairn_buf_free(&text);
	return err;
}

int cli_source_load(const char *source, const struct cli_registry_args *reg, const cairn_sbom_options *opts,
		    cairn_image **image, cairn_sbom **sbom)
{
	if (strncmp(source, "sbom:", 5) == 0)
		return read_sbom_file(source + 5, sbom);
	int err = cairn_image_open(image, source, &reg->opts);
	return err ? err : cairn_sbom_catalog(sbom, *image, opts);
}
