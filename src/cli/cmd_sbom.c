/* cairn sbom: catalog every package of an image or directory into an SBOM (cairn/sbom.h). */
#include "cairn/file.h"
#include "cairn/sbom.h"
#include "cli_source.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTPUT_MAX 8

const char cmd_sbom_usage[] =
	"usage: cairn sbom SOURCE [-o FORMAT[=FILE]]... [OPTIONS]\n"
	"\n"
	"Lists every package of an image or directory - Debian (dpkg, including distroless status.d),\n"
	"Alpine (apk), rpm (SQLite, NDB, BerkeleyDB), Python, npm/yarn/pnpm and Go binaries and go.mod -\n"
	"with its purl, licenses, supplier, source package, location and owned files, and the dependency\n"
	"graph, as an SBOM.\n"
	"\n"
	"sources:\n"
	"  registry:REF or REF          a registry (docker.io/library/ is the default)\n"
	"  oci-dir:PATH[:TAG|@DIGEST]   an OCI image layout directory\n"
	"  oci-archive:TAR[:TAG]        an OCI image layout in an uncompressed tar\n"
	"  docker-archive:TAR[:REF]     what `docker save` writes\n"
	"  dir:PATH                     a directory (a root file system)\n"
	"  sbom:FILE                    an SBOM (CycloneDX 1.4-1.6 or SPDX 2.3 JSON), read and rewritten\n"
	"\n"
	"formats (-o may repeat; each to standard output or to FILE):\n"
	"  cyclonedx-json               CycloneDX 1.6 JSON (the default)\n"
	"  cyclonedx-json@1.5           CycloneDX 1.5 JSON\n"
	"  spdx-json                    SPDX 2.3 JSON\n"
	"  table                        NAME VERSION TYPE, sorted\n"
	"\n"
	"options:\n"
	"  -o, --output FORMAT[=FILE]   the format and where to write it\n"
	"  --platform OS/ARCH[/VAR]     the image to pick from an index (default: this host's)\n"
	"  --ca-file FILE               extra CA certificates for TLS\n"
	"  --insecure-registry HOST     allow plain HTTP to HOST (repeatable)\n"
	"  --username USER              with --password-stdin: registry credentials\n"
	"  --password-stdin             read the registry password from standard input\n"
	"  --cache-dir DIR              the blob cache (default $XDG_CACHE_HOME/cairn or ~/.cache/cairn)\n"
	"\n"
	"Output is deterministic apart from the timestamp and serial number (SPDX: document namespace);\n"
	"set SOURCE_DATE_EPOCH to fix those too. Package databases that are too big or malformed give a\n"
	"warning naming the file on standard error, and the rest of the SBOM is still written.\n"
	"\n"
	"exit status: 0 success; 2 bad usage or an unreadable, malformed or hostile image; 3 an I/O,\n"
	"network or internal failure.\n";

struct output {
	enum cairn_sbom_format format;
	const char *file; /* NULL: standard output */
};

struct sbom_args {
	struct cli_registry_args reg;
	struct output outputs[OUTPUT_MAX];
	size_t output_count;
	char **operands;
	int operand_count;
};

static int add_output(struct sbom_args *a, char *spec)
{
	if (a->output_count >= OUTPUT_MAX)
		return cli_usage_error("sbom", "at most %d -o options", OUTPUT_MAX);
	struct output *o = &a->outputs[a->output_count];
	char *eq = strchr(spec, '=');
	o->file = NULL;
	if (eq != NULL) {
		*eq = '\0';
		o->file = eq + 1;
		if (o->file[0] == '\0')
			return cli_usage_error("sbom", "-o %s=: the file name is empty", spec);
	}
	if (cairn_sbom_format_parse(spec, &o->format) != 0)
		return cli_usage_error("sbom", "%s", cairn_error_message());
	for (size_t i = 0; i < a->output_count; i++)
		if (o->file == NULL && a->outputs[i].file == NULL)
			return cli_usage_error("sbom", "only one -o may write to standard output; give the others =FILE");
	a->output_count++;
	return CLI_OK;
}

static int parse_options(int argc, char **argv, struct sbom_args *a)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_IMAGE,
		CLI_OPTIONS_TLS,
		CLI_OPTIONS_LOGIN,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, status;
	while ((opt = cli_next_option(argc, argv, ":o:h", options, &a->reg, NULL, "sbom")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'o':
			if ((status = add_output(a, optarg)) != CLI_OK)
				return status;
			break;
		case 'h': return -1;
		default: return cli_option_error("sbom", argv, opt);
		}
	}
	if (cli_registry_finish(&a->reg, "sbom") != CLI_OK)
		return CLI_USAGE;
	if (a->output_count == 0)
		a->outputs[a->output_count++] = (struct output){CAIRN_SBOM_CYCLONEDX_16, NULL};
	a->reg.opts.registry.progress = 1; /* shown only on a terminal */
	a->operands = argv + optind;
	a->operand_count = argc - optind;
	return CLI_OK;
}

static int write_outputs(cairn_sbom *sbom, const struct sbom_args *a)
{
	for (size_t i = 0; i < a->output_count; i++) {
		cairn_buf out = CAIRN_BUF_INIT;
		int err = cairn_sbom_write(sbom, a->outputs[i].format, &out);
		if (!err)
			err = cairn_file_write_or_stdout(a->outputs[i].file, out.data ? out.data : (const uint8_t *)"", out.len, 0644);
		cairn_buf_free(&out);
		if (err)
			return cli_report_error();
	}
	return CLI_OK;
}

int cmd_sbom(int argc, char **argv)
{
	struct sbom_args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc, argv, &a);
	if (status != CLI_OK)
		return status < 0 ? cli_print_usage("sbom") : status;
	if (a.operand_count != 1)
		return cli_usage_error("sbom", "expected one SOURCE");
	cairn_tree_limits limits;
	cairn_sbom_options opts = {0};
	if (cli_source_limits(&limits, &opts, "sbom") != CLI_OK)
		return CLI_USAGE;
	int64_t when;
	int deterministic;
	if (cairn_sbom_timestamp(&when, &deterministic) != 0)
		return cli_usage_error("sbom", "%s", cairn_error_message());
	cairn_image *image = NULL;
	cairn_sbom *sbom = NULL;
	if (cli_source_load(a.operands[0], &a.reg, &opts, &image, &sbom) != 0) {
		status = cli_report_error();
	} else {
		for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
			fprintf(stderr, "cairn: warning: %s\n", cairn_sbom_warning(sbom, i));
		status = write_outputs(sbom, &a);
	}
	cairn_sbom_free(sbom);
	cairn_image_close(image);
	cli_registry_free(&a.reg);
	return status;
}
