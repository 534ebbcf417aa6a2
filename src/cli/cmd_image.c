/* cairn image: inspect, list and save container images from any source (cairn/image.h). */
#include "cairn/image.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_image_usage[] =
	"usage: cairn image inspect SOURCE [-o json] [OPTIONS]\n"
	"       cairn image ls SOURCE [PATH] [OPTIONS]\n"
	"       cairn image save SOURCE oci-dir:PATH [OPTIONS]\n"
	"\n"
	"inspect  the reference, manifest digest and media type, platform, config digest, creation time,\n"
	"         entrypoint, cmd and environment, and the layers with their digests and sizes\n"
	"ls       the squashed file tree like `ls -l`: type and mode, size, the layer that wrote each\n"
	"         entry, its path and link target; only what is under PATH when PATH is given\n"
	"save     a copy of the image as an OCI image layout (prints the manifest digest)\n"
	"\n"
	"sources:\n"
	"  registry:REF or REF          a registry (docker.io/library/ is the default)\n"
	"  oci-dir:PATH[:TAG|@DIGEST]   an OCI image layout directory\n"
	"  oci-archive:TAR[:TAG]        an OCI image layout in an uncompressed tar\n"
	"  docker-archive:TAR[:REF]     what `docker save` writes\n"
	"  dir:PATH                     a directory (ls only)\n"
	"\n"
	"options:\n"
	"  -o json                    inspect: print JSON\n"
	"  --platform OS/ARCH[/VAR]   the image to pick from an index (default: this host's, linux/amd64 here)\n"
	"  --ca-file FILE             extra CA certificates for TLS\n"
	"  --insecure-registry HOST   allow plain HTTP to HOST (repeatable; loopback needs no flag)\n"
	"  --username USER            with --password-stdin: registry credentials\n"
	"  --password-stdin           read the registry password from standard input\n"
	"  --cache-dir DIR            the blob cache (default $XDG_CACHE_HOME/cairn or ~/.cache/cairn)\n"
	"\n"
	"Limits for hostile layers may be lowered with CAIRN_MAX_ENTRIES, CAIRN_MAX_FILE_SIZE,\n"
	"CAIRN_MAX_TOTAL_SIZE, CAIRN_MAX_RATIO and CAIRN_RATIO_FLOOR (bytes or counts).\n"
	"\n"
	"exit status: 0 success; 1 a digest did not match (an integrity check failed); 2 bad usage or an\n"
	"image that is malformed, hostile or over a limit; 3 an I/O, network or internal failure.\n";

struct image_args {
	struct cli_registry_args reg;
	int json;
	char **operands;
	int operand_count;
};

static int parse_options(int argc, char **argv, struct image_args *a)
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_IMAGE,
		CLI_OPTIONS_TLS,
		CLI_OPTIONS_LOGIN,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = cli_next_option(argc, argv, ":o:", options, &a->reg, NULL, "image")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'o':
			if (cli_output_json(&a->json, "image") != CLI_OK)
				return CLI_USAGE;
			break;
		case 'h': return -1;
		default: return cli_option_error("image", argv, opt);
		}
	}
	if (cli_registry_finish(&a->reg, "image") != CLI_OK)
		return CLI_USAGE;
	a->reg.opts.registry.progress = 1; /* the client shows it only on a terminal */
	a->operands = argv + optind;
	a->operand_count = argc - optind;
	return CLI_OK;
}

/* ---- inspect ---- */

static const char *digest_str(const cairn_digest *d, cairn_buf *scratch)
{
	cairn_buf_clear(scratch);
	if (d == NULL || d->alg == CAIRN_DIGEST_NONE || cairn_digest_format(d, scratch) != 0)
		return NULL;
	return cairn_buf_cstr(scratch);
}

static json_t *json_str_or_null(const char *s) { return s != NULL ? json_string(s) : json_null(); }

static json_t *inspect_json(const cairn_image *image)
{
	cairn_buf scratch = CAIRN_BUF_INIT;
	const json_t *config = cairn_image_config(image);
	const json_t *cc = json_object_get(config, "config");
	json_t *out = json_object();
	json_object_set_new(out, "reference", json_string(cairn_image_name(image)));
	json_object_set_new(out, "manifestDigest", json_str_or_null(digest_str(cairn_image_manifest_digest(image), &scratch)));
	json_object_set_new(out, "mediaType", json_str_or_null(cairn_image_manifest_media_type(image)));
	json_object_set_new(out, "indexDigest", json_str_or_null(digest_str(cairn_image_index_digest(image), &scratch)));
	json_object_set_new(out, "platform", json_str_or_null(cairn_image_platform(image)));
	json_object_set_new(out, "configDigest", json_str_or_null(digest_str(cairn_image_config_digest(image), &scratch)));
	const json_t *created = json_object_get(config, "created");
	json_object_set_new(out, "created", json_is_string(created) ? json_copy((json_t *)created) : json_null());
	static const char *const keys[] = {"Entrypoint", "Cmd", "Env", "WorkingDir", "User"};
	static const char *const names[] = {"entrypoint", "cmd", "env", "workingDir", "user"};
	for (size_t i = 0; i < 5; i++) {
		const json_t *v = json_object_get(cc, keys[i]);
		json_object_set_new(out, names[i], v != NULL ? json_deep_copy(v) : json_null());
	}
	json_t *layers = json_array();
	uint64_t total = 0;
	for (size_t i = 0; i < cairn_image_layer_count(image); i++) {
		const cairn_image_layer *l = cairn_image_layer_at(image, i);
		json_t *entry = json_pack("{sssssI}", "digest", digest_str(&l->digest, &scratch), "mediaType", l->media_type,
					  "size", (json_int_t)l->size);
		json_object_set_new(entry, "diffID", json_str_or_null(digest_str(&l->diff_id, &scratch)));
		json_array_append_new(layers, entry);
		total += l->size;
	}
	json_object_set_new(out, "layers", layers);
	json_object_set_new(out, "totalSize", json_integer((json_int_t)total));
	cairn_buf_free(&scratch);
	return out;
}

static void print_value(const char *label, const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		printf("%-14s %s\n", label, json_string_value(v));
		return;
	}
	char *text = json_dumps(v, JSON_COMPACT);
	if (text != NULL)
		printf("%-14s %s\n", label, text);
	free(text);
}

static void print_inspect_text(const json_t *info)
{
	print_value("reference:", json_object_get(info, "reference"));
	print_value("manifest:", json_object_get(info, "manifestDigest"));
	print_value("media type:", json_object_get(info, "mediaType"));
	print_value("index:", json_object_get(info, "indexDigest"));
	print_value("platform:", json_object_get(info, "platform"));
	print_value("config:", json_object_get(info, "configDigest"));
	print_value("created:", json_object_get(info, "created"));
	print_value("entrypoint:", json_object_get(info, "entrypoint"));
	print_value("cmd:", json_object_get(info, "cmd"));
	print_value("workdir:", json_object_get(info, "workingDir"));
	print_value("user:", json_object_get(info, "user"));
	const json_t *env = json_object_get(info, "env");
	for (size_t i = 0; i < json_array_size(env); i++)
		print_value(i == 0 ? "env:" : "", json_array_get(env, i));
	const json_t *layers = json_object_get(info, "layers");
	printf("%-14s %zu\n", "layers:", json_array_size(layers));
	for (size_t i = 0; i < json_array_size(layers); i++) {
		const json_t *l = json_array_get(layers, i);
		printf("  %3zu  %s  %12" JSON_INTEGER_FORMAT "  %s\n", i, json_string_value(json_object_get(l, "digest")),
		       json_integer_value(json_object_get(l, "size")), json_string_value(json_object_get(l, "mediaType")));
	}
	printf("%-14s %" JSON_INTEGER_FORMAT " bytes\n", "total size:", json_integer_value(json_object_get(info, "totalSize")));
}

static int run_inspect(cairn_image *image, const struct image_args *a)
{
	if (cairn_image_get_kind(image) == CAIRN_IMAGE_DIR)
		return cli_usage_error("image", "inspect: a dir: source has no manifest or config; use 'cairn image ls'");
	json_t *info = inspect_json(image);
	if (info == NULL) {
		fprintf(stderr, "cairn: out of memory\n");
		return CLI_INTERNAL;
	}
	if (a->json) {
		char *text = json_dumps(info, JSON_INDENT(2));
		if (text != NULL)
			printf("%s\n", text);
		free(text);
	} else {
		print_inspect_text(info);
	}
	json_decref(info);
	return CLI_OK;
}

/* ---- ls ---- */

static void mode_string(const cairn_entry *e, char out[11])
{
	static const char types[] = {'?', '-', 'd', 'l', '-', 'c', 'b', 'p'};
	uint32_t m = e->mode;
	out[0] = (size_t)e->type < sizeof types ? types[e->type] : '?';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
	if (m & 04000)
		out[3] = (m & 0100) ? 's' : 'S';
	if (m & 02000)
		out[6] = (m & 010) ? 's' : 'S';
	if (m & 01000)
		out[9] = (m & 01) ? 't' : 'T';
	out[10] = '\0';
}

static void print_entry(const cairn_entry *e)
{
	char mode[11];
	mode_string(e, mode);
	char layer[16];
	if (e->layer < 0)
		snprintf(layer, sizeof layer, "-");
	else
		snprintf(layer, sizeof layer, "%d", e->layer);
	printf("%s %12" PRIu64 " %3s %s", mode, e->size, layer, e->path);
	if (e->type == CAIRN_ENTRY_SYMLINK)
		printf(" -> %s", e->link);
	else if (e->type == CAIRN_ENTRY_HARDLINK)
		printf(" link to %s", e->link);
	putchar('\n');
}

static int under(const char *path, const char *prefix)
{
	if (strcmp(prefix, "/") == 0)
		return 1;
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int run_ls(cairn_image *image, const char *path)
{
	cairn_tree_limits limits;
	if (cli_tree_limits(&limits, "image") != CLI_OK)
		return CLI_USAGE;
	cairn_tree *tree = NULL;
	if (cairn_image_tree(image, &limits, NULL, NULL, &tree) != 0)
		return cli_report_error();
	for (size_t i = 0; i < cairn_tree_warning_count(tree); i++)
		fprintf(stderr, "cairn: warning: %s\n", cairn_tree_warning(tree, i));
	const char *prefix = "/";
	const cairn_entry *top = NULL;
	if (path != NULL) {
		/* Like ls -l: a symlink named exactly is shown itself; symlinks on the way are followed
		 * (inside the image root). */
		top = cairn_tree_lookup(tree, path);
		if (top != NULL && top->type == CAIRN_ENTRY_SYMLINK) {
			print_entry(top);
			cairn_tree_free(tree);
			return CLI_OK;
		}
		if (top == NULL && cairn_tree_resolve(tree, path, &top) != 0) {
			int status = cli_report_error();
			cairn_tree_free(tree);
			return status;
		}
		prefix = top->path;
	}
	for (size_t i = 0; i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if (strcmp(e->path, "/") == 0 && strcmp(prefix, "/") == 0)
			continue; /* the root itself says nothing */
		if (under(e->path, prefix))
			print_entry(e);
	}
	cairn_tree_free(tree);
	return CLI_OK;
}

/* ---- save ---- */

static int run_save(cairn_image *image, const char *dest)
{
	if (strncmp(dest, "oci-dir:", 8) != 0 || dest[8] == '\0')
		return cli_usage_error("image", "save: the destination must be oci-dir:PATH, not '%s'", dest);
	if (cairn_image_save_oci_dir(image, dest + 8) != 0)
		return cli_report_error();
	cairn_buf digest = CAIRN_BUF_INIT;
	if (cairn_digest_format(cairn_image_manifest_digest(image), &digest) == 0)
		printf("%s\n", cairn_buf_cstr(&digest));
	cairn_buf_free(&digest);
	fprintf(stderr, "Saved %s to %s\n", cairn_image_name(image), dest);
	return CLI_OK;
}

int cmd_image(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("image", "expected a subcommand: inspect, ls or save");
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0)
		return cli_print_usage("image");
	int min = 1, max = 1;
	if (strcmp(sub, "ls") == 0)
		max = 2;
	else if (strcmp(sub, "save") == 0)
		min = max = 2;
	else if (strcmp(sub, "inspect") != 0)
		return cli_usage_error("image", "unknown subcommand '%s' (inspect, ls or save)", sub);
	struct image_args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc - 1, argv + 1, &a);
	if (status != CLI_OK)
		return status < 0 ? cli_print_usage("image") : status;
	if (a.operand_count < min || a.operand_count > max)
		return cli_usage_error("image", "%s: expected %s", sub,
				       max == 2 && min == 2 ? "SOURCE and oci-dir:PATH" : max == 2 ? "SOURCE [PATH]" : "one SOURCE");
	if (a.json && strcmp(sub, "inspect") != 0)
		return cli_usage_error("image", "-o json is for inspect");
	cairn_image *image = NULL;
	if (cairn_image_open(&image, a.operands[0], &a.reg.opts) != 0)
		status = cli_report_error();
	else if (strcmp(sub, "inspect") == 0)
		status = run_inspect(image, &a);
	else if (strcmp(sub, "ls") == 0)
		status = run_ls(image, a.operand_count > 1 ? a.operands[1] : NULL);
	else
		status = run_save(image, a.operands[1]);
	cairn_image_close(image);
	cli_registry_free(&a.reg);
	return status;
}
