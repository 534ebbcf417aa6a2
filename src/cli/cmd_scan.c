/* cairn scan: find the known vulnerabilities of an image, directory or SBOM (cairn/scan.h). */
#include "cairn/file.h"
#include "cairn/scan.h"
#include "cli_source.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEX_FILES_MAX 64

const char cmd_scan_usage[] =
	"usage: cairn scan SOURCE [-o FORMAT] [--output-file FILE] [--fail-on SEVERITY] [--only-fixed]\n"
	"                  [--vex FILE]... [--db PATH] [OPTIONS]\n"
	"\n"
	"Catalogs the packages of SOURCE (as `cairn sbom` does, or reads an SBOM) and matches each against\n"
	"the offline advisory database: distribution packages through their source package and release\n"
	"(Debian, Alpine, AlmaLinux, Rocky, ...), language packages by ecosystem (PyPI, npm, Go, Maven,\n"
	"crates.io, RubyGems, Packagist, NuGet, ...). No network is used for matching.\n"
	"\n"
	"sources: registry:REF or REF, oci-dir:PATH, oci-archive:TAR, docker-archive:TAR, dir:PATH,\n"
	"         sbom:FILE (CycloneDX 1.4-1.6 or SPDX 2.3 JSON)\n"
	"\n"
	"options:\n"
	"  -o, --output FORMAT     table (default), json, sarif (2.1.0), cyclonedx (1.6 with vulnerabilities),\n"
	"                          openvex (v0.2.0)\n"
	"  --output-file FILE      write the report to FILE instead of standard output\n"
	"  --fail-on SEVERITY      exit 1 when a finding not suppressed by VEX is at least SEVERITY\n"
	"                          (low, medium, high, critical)\n"
	"  --only-fixed            report only vulnerabilities with a known fixed version\n"
	"  --vex FILE              an OpenVEX document whose not_affected and fixed statements suppress\n"
	"                          findings (repeatable; the latest statement by timestamp wins)\n"
	"  --db PATH               the advisory database (default $XDG_CACHE_HOME/cairn/vuln.db or\n"
	"                          ~/.cache/cairn/vuln.db); build it with `cairn db import`\n"
	"  --platform OS/ARCH[/VAR], --ca-file FILE, --insecure-registry HOST, --username USER,\n"
	"  --password-stdin, --cache-dir DIR: as for `cairn sbom`\n"
	"\n"
	"A package whose version its ecosystem cannot read is a warning on standard error, not a failure.\n"
	"SOURCE_DATE_EPOCH fixes the timestamps of the reports. docs/scan.md has the details.\n"
	"\n"
	"exit status: 0 success; 1 --fail-on was hit; 2 bad usage or an unreadable, malformed SBOM, VEX\n"
	"document, image or database; 3 an I/O or internal failure.\n";

enum {
	OPT_OUTPUT_FILE = 0x200,
	OPT_FAIL_ON,
	OPT_ONLY_FIXED,
	OPT_VEX,
	OPT_DB,
};

struct scan_args {
	struct cli_registry_args reg;
	enum cairn_scan_format format;
	const char *output_file;
	int fail_on_set;
	enum cairn_severity fail_on;
	int only_fixed;
	const char *vex[VEX_FILES_MAX];
	size_t vex_count;
	const char *db;
	cairn_buf default_db;
	char **operands;
	int operand_count;
};

static int take_option(struct scan_args *a, int opt)
{
	switch (opt) {
	case 'o':
		if (cairn_scan_format_parse(optarg, &a->format) != 0)
			return cli_usage_error("scan", "%s", cairn_error_message());
		return CLI_OK;
	case OPT_OUTPUT_FILE: a->output_file = optarg; return CLI_OK;
	case OPT_FAIL_ON:
		if (cairn_scan_threshold_parse(optarg, &a->fail_on) != 0)
			return cli_usage_error("scan", "--fail-on: %s", cairn_error_message());
		a->fail_on_set = 1;
		return CLI_OK;
	case OPT_ONLY_FIXED: a->only_fixed = 1; return CLI_OK;
	case OPT_VEX:
		if (a->vex_count >= VEX_FILES_MAX)
			return cli_usage_error("scan", "at most %d --vex options", VEX_FILES_MAX);
		a->vex[a->vex_count++] = optarg;
		return CLI_OK;
	case OPT_DB: a->db = optarg; return CLI_OK;
	}
	return CLI_USAGE;
}

static int parse_options(int argc, char **argv, struct scan_args *a)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"output-file", required_argument, NULL, OPT_OUTPUT_FILE},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"only-fixed", no_argument, NULL, OPT_ONLY_FIXED},
		{"vex", required_argument, NULL, OPT_VEX},
		{"db", required_argument, NULL, OPT_DB},
		CLI_OPTIONS_IMAGE,
		CLI_OPTIONS_TLS,
		CLI_OPTIONS_LOGIN,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, status;
	a->format = CAIRN_SCAN_TABLE;
	while ((opt = cli_next_option(argc, argv, ":o:h", options, &a->reg, NULL, "scan")) != -1) {
		if (opt == CLI_OPT_REFUSED)
			return CLI_USAGE;
		if (opt == 'h')
			return -1;
		if (opt == ':' || opt == '?')
			return cli_option_error("scan", argv, opt);
		if ((status = take_option(a, opt)) != CLI_OK)
			return status;
	}
	if (cli_registry_finish(&a->reg, "scan") != CLI_OK)
		return CLI_USAGE;
	a->reg.opts.registry.progress = 1; /* shown only on a terminal */
	a->operands = argv + optind;
	a->operand_count = argc - optind;
	if (a->db == NULL) {
		if (cairn_vulndb_default_path(&a->default_db) != 0)
			return cli_usage_error("scan", "%s", cairn_error_message());
		a->db = cairn_buf_cstr(&a->default_db);
	}
	return CLI_OK;
}

/* Every --vex document, read before anything is scanned so a malformed one stops the command. */
static int read_vex(const struct scan_args *a, cairn_vex **out)
{
	if (a->vex_count == 0) {
		*out = NULL;
		return 0;
	}
	int err = cairn_vex_new(out);
	for (size_t i = 0; !err && i < a->vex_count; i++) {
		cairn_buf text = CAIRN_BUF_INIT;
		err = cairn_file_read(a->vex[i], CAIRN_VEX_MAX_BYTES, &text);
		if (!err)
			err = cairn_vex_read(*out, text.data, text.len, a->vex[i]);
		cairn_buf_free(&text);
	}
	return err;
}

static int report(const struct scan_args *a, const cairn_scan_result *result)
{
	for (size_t i = 0; i < cairn_scan_warning_count(result); i++)
		fprintf(stderr, "cairn: warning: %s\n", cairn_scan_warning(result, i));
	cairn_buf out = CAIRN_BUF_INIT;
	int err = cairn_scan_write(result, a->format, &out);
	if (!err)
		err = cairn_file_write_or_stdout(a->output_file, out.data ? out.data : (const uint8_t *)"", out.len, 0644);
	cairn_buf_free(&out);
	if (err)
		return cli_report_error();
	if (a->fail_on_set) {
		size_t hits = cairn_scan_count_at_least(result, a->fail_on);
		if (hits > 0) {
			fprintf(stderr, "cairn: %zu finding%s at or above %s severity (--fail-on)\n", hits, hits == 1 ? "" : "s",
				cairn_severity_name(a->fail_on));
			return CLI_FAILED;
		}
	}
	return CLI_OK;
}

static int scan(const struct scan_args *a, cairn_vulndb *db, const cairn_vex *vex)
{
	cairn_tree_limits limits;
	cairn_sbom_options opts = {0};
	if (cli_source_limits(&limits, &opts, "scan") != CLI_OK)
		return CLI_USAGE;
	const char *source = a->operands[0];
	cairn_image *image = NULL;
	cairn_sbom *sbom = NULL;
	cairn_scan_result *result = NULL;
	int status;
	cairn_scan_options scan_opts = {a->only_fixed, vex, strncmp(source, "sbom:", 5) == 0 ? source + 5 : NULL};
	if (cli_source_load(source, &a->reg, &opts, &image, &sbom) != 0 ||
	    cairn_scan_run(&result, db, sbom, &scan_opts) != 0) {
		status = cli_report_error();
	} else {
		for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
			fprintf(stderr, "cairn: warning: %s\n", cairn_sbom_warning(sbom, i));
		status = report(a, result);
	}
	cairn_scan_free(result);
	cairn_sbom_free(sbom);
	cairn_image_close(image);
	return status;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc, argv, &a);
	if (status == CLI_OK && a.operand_count != 1)
		status = cli_usage_error("scan", "expected one SOURCE");
	if (status != CLI_OK) {
		cairn_buf_free(&a.default_db);
		cli_registry_free(&a.reg);
		return status < 0 ? cli_print_usage("scan") : status;
	}
	int64_t when;
	int deterministic;
	cairn_vulndb *db = NULL;
	cairn_vex *vex = NULL;
	if (cairn_sbom_timestamp(&when, &deterministic) != 0)
		status = cli_usage_error("scan", "%s", cairn_error_message());
	else if (read_vex(&a, &vex) != 0 || cairn_vulndb_open(&db, a.db, CAIRN_VULNDB_READ) != 0)
		status = cli_report_error();
	else
		status = scan(&a, db, vex);
	cairn_vulndb_close(db);
	cairn_vex_free(vex);
	cairn_buf_free(&a.default_db);
	cli_registry_free(&a.reg);
	return status;
}
