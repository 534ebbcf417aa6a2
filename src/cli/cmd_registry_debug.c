/* cairn registry-debug: an internal command that drives the registry client from the command line,
 * one API call per subcommand, so the end-to-end tests can exercise it against real registries. */
#include "cairn/ref.h"
#include "cairn/registry.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOB_FILE_MAX ((size_t)1024 * 1024 * 1024)

const char cmd_registry_debug_usage[] =
	"usage: cairn registry-debug SUBCOMMAND ARGS [OPTIONS]\n"
	"\n"
	"Internal: exercises the registry client, one call per subcommand.\n"
	"\n"
	"  push-blob REF FILE                push FILE as a blob of REF's repository; prints its digest\n"
	"  get-blob REF DIGEST [OUT]         fetch a blob, checked against DIGEST, to OUT or stdout\n"
	"  blob-exists REF DIGEST            prints \"yes\" or \"no\"\n"
	"  push-manifest REF MEDIATYPE FILE  push FILE under REF's tag or digest; prints its digest\n"
	"  get-manifest REF                  prints the manifest; its media type and digest go to stderr\n"
	"  head-manifest REF                 prints the manifest's digest, or \"missing\"\n"
	"  tags REF                          lists the repository's tags\n"
	"  referrers REF@DIGEST              prints the referrers of DIGEST as an image index\n"
	"\n"
	"options:\n"
	"  --ca-file FILE            extra CA certificates for TLS\n"
	"  --insecure-registry HOST  allow plain HTTP to HOST (repeatable)\n"
	"  --username USER           with --password-stdin: the credentials\n"
	"  --password-stdin          read the password from standard input\n"
	"  --docker-config FILE      the Docker config.json to read credentials from\n"
	"  --chunk-size BYTES        push blobs larger than this in chunks\n"
	"  --artifact-type TYPE      referrers: only those of this artifact type\n"
	"  --max-retries N           retries after 429, 5xx and connection failures\n"
	"  --progress                show transfer progress on a terminal\n";

struct debug_args {
	struct cli_registry_args reg;
	size_t chunk_size;
	const char *artifact_type;
};

static int parse_size(const char *text, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value > (1ULL << 32))
		return cli_usage_error("registry-debug", "'%s' is not a size in bytes", text);
	*out = (size_t)value;
	return CLI_OK;
}

static int parse_options(int argc, char **argv, struct debug_args *a)
{
	static const struct option options[] = {
		CLI_OPTIONS_TLS,
		CLI_OPTIONS_LOGIN,
		{"docker-config", required_argument, NULL, 'd'}, {"chunk-size", required_argument, NULL, 's'},
		{"artifact-type", required_argument, NULL, 'a'}, {"max-retries", required_argument, NULL, 'r'},
		{"progress", no_argument, NULL, 'P'},        {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt, status = CLI_OK;
	size_t retries = 0;
	cairn_registry_options *ropts = &a->reg.opts.registry;
	while (status == CLI_OK &&
	       (opt = cli_next_option(argc, argv, ":", options, &a->reg, NULL, "registry-debug")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'd': ropts->docker_config = optarg; break;
		case 's': status = parse_size(optarg, &a->chunk_size); break;
		case 'a': a->artifact_type = optarg; break;
		case 'r':
			status = parse_size(optarg, &retries);
			ropts->max_retries = (int)(retries > 10 ? 10 : retries);
			break;
		case 'P': ropts->progress = 1; break;
		case 'h': return -1;
		default: return cli_option_error("registry-debug", argv, opt);
		}
	}
	if (status == CLI_OK && cli_registry_finish(&a->reg, "registry-debug") != CLI_OK)
		return CLI_USAGE;
	return status;
}

static int write_stream(void *arg, const void *data, size_t len)
{
	if (fwrite(data, 1, len, arg) != len)
		return cairn_error_set(CAIRN_EIO, "writing the blob failed: %s", strerror(errno));
	return 0;
}

static int get_blob(cairn_registry *reg, const cairn_ref *ref, char **args, int count)
{
	cairn_digest digest;
	int err = cairn_digest_parse(args[0], strlen(args[0]), &digest);
	if (err)
		return err;
	FILE *out = count > 1 ? fopen(args[1], "wb") : stdout;
	if (out == NULL)
		return cairn_error_set(CAIRN_EIO, "%s: %s", args[1], strerror(errno));
	err = cairn_registry_get_blob(reg, ref->repository, &digest, 0, write_stream, out);
	if (count > 1) {
		if (fclose(out) != 0 && !err)
			err = cairn_error_set(CAIRN_EIO, "%s: %s", args[1], strerror(errno));
		if (err)
			unlink(args[1]); /* never leave bytes that failed their check */
	}
	return err;
}

static int print_digest(const cairn_digest *digest, FILE *to)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_digest_format(digest, &text);
	if (!err)
		fprintf(to, "%s\n", cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

static int push_file(cairn_registry *reg, const cairn_ref *ref, const char *media_type, const char *path,
		     size_t chunk_size)
{
	cairn_buf data = CAIRN_BUF_INIT;
	cairn_digest digest;
	int err = cairn_file_read(path, media_type != NULL ? CAIRN_REGISTRY_MAX_MANIFEST : BLOB_FILE_MAX, &data);
	if (!err && media_type == NULL)
		err = cairn_registry_push_blob(reg, ref->repository, data.data, data.len, chunk_size);
	if (!err && media_type == NULL)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, data.data != NULL ? data.data : (const uint8_t *)"",
					   data.len, &digest);
	if (!err && media_type != NULL)
		err = cairn_registry_push_manifest(reg, ref->repository, cairn_ref_reference(ref), media_type, data.data,
						   data.len, &digest);
	if (!err)
		err = print_digest(&digest, stdout);
	cairn_buf_free(&data);
	return err;
}

static int get_manifest(cairn_registry *reg, const cairn_ref *ref, int head)
{
	cairn_buf body = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT;
	cairn_digest digest;
	int exists = 1, err;
	if (head)
		err = cairn_registry_head_manifest(reg, ref->repository, cairn_ref_reference(ref), &exists, &digest);
	else
		err = cairn_registry_get_manifest(reg, ref->repository, cairn_ref_reference(ref), &body, &media_type,
						  &digest);
	if (!err && !head) {
		fwrite(body.data != NULL ? body.data : (const uint8_t *)"", 1, body.len, stdout);
		fprintf(stderr, "media-type: %s\ndigest: ", cairn_buf_cstr(&media_type));
	}
	if (!err && exists)
		err = print_digest(&digest, head ? stdout : stderr);
	else if (!err)
		printf("missing\n");
	cairn_buf_free(&body);
	cairn_buf_free(&media_type);
	return err;
}

static int run(cairn_registry *reg, const cairn_ref *ref, const char *sub, char **args, int count,
	       const struct debug_args *a)
{
	cairn_buf out = CAIRN_BUF_INIT;
	int err = 0;
	if (strcmp(sub, "push-blob") == 0) {
		err = push_file(reg, ref, NULL, args[0], a->chunk_size);
	} else if (strcmp(sub, "get-blob") == 0) {
		err = get_blob(reg, ref, args, count);
	} else if (strcmp(sub, "blob-exists") == 0) {
		cairn_digest digest;
		int exists = 0;
		err = cairn_digest_parse(args[0], strlen(args[0]), &digest);
		if (!err)
			err = cairn_registry_blob_exists(reg, ref->repository, &digest, &exists);
		if (!err)
			printf("%s\n", exists ? "yes" : "no");
	} else if (strcmp(sub, "push-manifest") == 0) {
		err = push_file(reg, ref, args[0], args[1], 0);
	} else if (strcmp(sub, "get-manifest") == 0 || strcmp(sub, "head-manifest") == 0) {
		err = get_manifest(reg, ref, sub[0] == 'h');
	} else if (strcmp(sub, "tags") == 0) {
		err = cairn_registry_list_tags(reg, ref->repository, &out);
		fputs(cairn_buf_cstr(&out), stdout);
	} else if (strcmp(sub, "referrers") == 0) {
		cairn_digest subject;
		int from_api = 0;
		if (ref->digest == NULL)
			err = cairn_error_set(CAIRN_EINVAL, "referrers needs REF@DIGEST");
		if (!err)
			err = cairn_digest_parse(ref->digest, strlen(ref->digest), &subject);
		if (!err)
			err = cairn_registry_referrers(reg, ref->repository, &subject, a->artifact_type, &out, &from_api);
		if (!err) {
			printf("%s\n", cairn_buf_cstr(&out));
			fprintf(stderr, "source: %s\n", from_api ? "api" : "tag-schema");
		}
	}
	cairn_buf_free(&out);
	return err;
}

static int operand_count(const char *sub, int *min, int *max)
{
	static const struct {
		const char *name;
		int min, max;
	} subs[] = {
		{"push-blob", 2, 2}, {"get-blob", 2, 3}, {"blob-exists", 2, 2}, {"push-manifest", 3, 3},
		{"get-manifest", 1, 1}, {"head-manifest", 1, 1}, {"tags", 1, 1}, {"referrers", 1, 1},
	};
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(subs[i].name, sub) == 0) {
			*min = subs[i].min;
			*max = subs[i].max;
			return 0;
		}
	}
	return -1;
}

int cmd_registry_debug(int argc, char **argv)
{
	struct debug_args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc, argv, &a);
	if (status != CLI_OK)
		return status < 0 ? cli_print_usage("registry-debug") : status;
	int count = argc - optind, min = 0, max = 0;
	if (count < 1)
		return cli_usage_error("registry-debug", "expected a subcommand");
	const char *sub = argv[optind];
	if (operand_count(sub, &min, &max) != 0)
		return cli_usage_error("registry-debug", "unknown subcommand '%s'", sub);
	if (count - 1 < min || count - 1 > max)
		return cli_usage_error("registry-debug", "%s: wrong number of arguments", sub);
	cairn_ref ref;
	if (cairn_ref_parse(&ref, argv[optind + 1]) != 0)
		return cli_report_error();
	cairn_registry *reg = NULL;
	int err = cairn_registry_new(&reg, ref.registry, &a.reg.opts.registry);
	if (!err)
		err = run(reg, &ref, sub, argv + optind + 2, count - 2, &a);
	cairn_registry_free(reg);
	cairn_ref_free(&ref);
	cli_registry_free(&a.reg);
	return err ? cli_report_error() : CLI_OK;
}
