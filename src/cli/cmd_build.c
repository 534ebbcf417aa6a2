/* cairn build: runs a build isolated from the host and from the signing key, and signs SLSA v1
 * provenance for its declared outputs.
 *
 * Order matters: the key file is only stat()ed (to refuse a key inside the source or an input) before
 * the build; it is opened, read and used only after the sandbox is gone, so the build can never
 * inherit, map or read it. */
#include "cli.h"

#include "cairn/provenance.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char cmd_build_usage[] =
	"usage: cairn build --key KEY --output PATH [--output PATH]... [--source DIR] [--out DIR]\n"
	"                   [--input PATH]... [--timeout SEC] [--source-uri URI] [--source-date-epoch N]\n"
	"                   [--name NAME] -- COMMAND [ARG]...\n"
	"\n"
	"Copies the source directory (default: .) into a fresh workspace and runs COMMAND there, isolated:\n"
	"new user, mount, PID, IPC, UTS and network namespaces; no network; a root of read-only toolchain\n"
	"directories (/usr, /bin, /lib*) and the declared inputs; the environment PATH, HOME=/workspace,\n"
	"LANG=C.UTF-8 and SOURCE_DATE_EPOCH only. The build's output goes to standard error.\n"
	"\n"
	"Each --output (a path relative to the workspace) is hashed into a subject and copied to OUT\n"
	"(default: .). The SLSA v1 provenance, signed with KEY only after the build has ended, is written as a\n"
	"DSSE envelope to OUT/NAME.intoto.jsonl (NAME: the first output's file name). The subjects are printed\n"
	"as DIGEST NAME lines. The source URI is the git remote 'origin' when the source is a git checkout\n"
	"with one, else file://DIR (the absolute path); --source-uri overrides it.\n"
	"\n"
	"Exit status: 0 built and signed; 1 the build failed or timed out; 2 bad usage; 3 other failures.\n";

#define DEFAULT_TIMEOUT 600
#define TOOL_TIMEOUT_MS 10000

struct build_args {
	const char *key, *source, *out, *source_uri, *sde, *name;
	const char *inputs[CAIRN_BUILD_MAX_INPUTS];
	size_t input_count;
	const char *outputs[CAIRN_BUILD_MAX_OUTPUTS];
	size_t output_count;
	int timeout;
	char **argv;
	size_t argc;
};

/* Runs argv (no shell) with a small clean environment and returns the first line of its standard
 * output in out ("" on any failure): for git and `--version`. */
static void run_first_line(char *const *argv, char *out, size_t size)
{
	out[0] = '\0';
	int fds[2];
	if (pipe(fds) != 0)
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(null, 2);
		char *envp[] = {(char *)"PATH=/usr/local/bin:/usr/bin:/bin", (char *)"LANG=C", NULL};
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t n;
	char buf[4096];
	while ((n = read(fds[0], buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (len + 1 < size)
				out[len++] = buf[i];
	out[len] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		out[0] = '\0';
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
}

static void git(const char *dir, const char *a, const char *b, const char *c, char *out, size_t size)
{
	char *argv[] = {(char *)"/usr/bin/git", (char *)"-C", (char *)dir, (char *)a, (char *)b, (char *)c, NULL};
	run_first_line(argv, out, size);
}

/* git@github.com:o/r.git and https://github.com/o/r.git both become https://github.com/o/r. */
static void normalize_remote(char *url)
{
	size_t len = strlen(url);
	if (len > 4 && strcmp(url + len - 4, ".git") == 0)
		url[len - 4] = '\0';
	if (strncmp(url, "git@", 4) == 0) {
		char *colon = strchr(url, ':');
		if (colon) {
			char tmp[PATH_MAX];
			snprintf(tmp, sizeof tmp, "https://%.*s/%s", (int)(colon - url - 4), url + 4, colon + 1);
			snprintf(url, PATH_MAX, "%s", tmp);
		}
	}
}

struct source_info {
	char dir[PATH_MAX];
	char uri[PATH_MAX + 16];
	char commit[128], tree[128], ref[512], remote[PATH_MAX];
	cairn_digest dirhash;
};

static int describe_source(const struct build_args *a, struct source_info *s)
{
	memset(s, 0, sizeof *s);
	if (realpath(a->source, s->dir) == NULL)
		return cairn_error_set(CAIRN_ENOENT, "source %s: %s", a->source, strerror(errno));
	char top[PATH_MAX];
	git(s->dir, "rev-parse", "--show-toplevel", NULL, top, sizeof top);
	if (top[0] && strcmp(top, s->dir) == 0) {
		git(s->dir, "rev-parse", "--verify", "HEAD", s->commit, sizeof s->commit);
		git(s->dir, "rev-parse", "--verify", "HEAD^{tree}", s->tree, sizeof s->tree);
		git(s->dir, "symbolic-ref", "-q", "HEAD", s->ref, sizeof s->ref);
		git(s->dir, "remote", "get-url", "origin", s->remote, sizeof s->remote);
		normalize_remote(s->remote);
	}
	if (a->source_uri)
		snprintf(s->uri, sizeof s->uri, "%s", a->source_uri);
	else if (s->remote[0] && s->commit[0])
		snprintf(s->uri, sizeof s->uri, "%s", s->remote);
	else
		snprintf(s->uri, sizeof s->uri, "file://%s", s->dir);
	return cairn_slsa_dirhash(s->dir, &s->dirhash);
}

/* A key inside the source would be copied into the workspace, inside an input mounted into it. */
static int check_key_outside(const char *key, const char *source_dir, char inputs[][PATH_MAX], size_t n)
{
	char real[PATH_MAX];
	if (realpath(key, real) == NULL)
		return cairn_error_set(CAIRN_ENOENT, "key %s: %s", key, strerror(errno));
	const char *roots[CAIRN_BUILD_MAX_INPUTS + 1];
	roots[0] = source_dir;
	for (size_t i = 0; i < n; i++)
		roots[i + 1] = inputs[i];
	for (size_t i = 0; i <= n; i++) {
		size_t len = strlen(roots[i]);
		if (strncmp(real, roots[i], len) == 0 && (real[len] == '\0' || real[len] == '/' || strcmp(roots[i], "/") == 0))
			return cairn_error_set(CAIRN_EINVAL, "key %s is inside %s, which the build can see: keep it elsewhere",
					       key, roots[i]);
	}
	return 0;
}

static int digest_path(const char *path, cairn_digest *out)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return cairn_error_set(CAIRN_ENOENT, "%s: %s", path, strerror(errno));
	return S_ISDIR(st.st_mode) ? cairn_slsa_dirhash(path, out) : cairn_digest_file(CAIRN_DIGEST_SHA256, path, out);
}

/* The toolchain: the command's program and the C compiler, as the sandbox would find them. */
static size_t describe_tools(const struct build_args *a, cairn_slsa_tool *tools, char paths[][PATH_MAX],
			     char versions[][512])
{
	const char *candidates[3] = {a->argv[0], "cc", "gcc"};
	static const char *const dirs[] = {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"};
	size_t n = 0;
	for (size_t c = 0; c < 3; c++) {
		if (strchr(candidates[c], '/') != NULL)
			continue;
		for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
			char path[PATH_MAX], real[PATH_MAX];
			snprintf(path, sizeof path, "%s/%s", dirs[d], candidates[c]);
			if (access(path, X_OK) != 0 || realpath(path, real) == NULL)
				continue;
			int dup = 0;
			for (size_t i = 0; i < n; i++)
				dup |= strcmp(paths[i], real) == 0;
			if (!dup && cairn_digest_file(CAIRN_DIGEST_SHA256, real, &tools[n].digest) == 0) {
				snprintf(paths[n], PATH_MAX, "%s", real);
				char *argv[] = {real, (char *)"--version", NULL};
				run_first_line(argv, versions[n], 512);
				tools[n].path = paths[n];
				tools[n].version = versions[n];
				n++;
			}
			break;
		}
	}
	cairn_error_clear();
	return n;
}

static void uuid4(char *out)
{
	unsigned char b[16] = {0};
	FILE *f = fopen("/dev/urandom", "rb");
	if (f) {
		if (fread(b, 1, sizeof b, f) != sizeof b)
			memset(b, 0, sizeof b);
		fclose(f);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
		b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Copies one output (opened without following symlinks, inside the workspace) to OUT, hashing it. */
static int collect_output(const char *ws, const char *rel, const char *outdir, cairn_digest *digest, char *name, size_t size)
{
	int fd;
	int err = cairn_path_open_beneath(ws, rel, &fd);
	if (err)
		return err;
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	snprintf(name, size, "%s", base);
	char dst[PATH_MAX], tmp[PATH_MAX + 16];
	if (snprintf(dst, sizeof dst, "%s/%s", outdir, base) >= (int)sizeof dst ||
	    snprintf(tmp, sizeof tmp, "%s.tmp-cairn", dst) >= (int)sizeof tmp) {
		close(fd);
		return cairn_error_set(CAIRN_EINVAL, "output %s: path too long", rel);
	}
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0755);
	cairn_digest_ctx *ctx = NULL;
	if (out < 0)
		err = cairn_error_set(CAIRN_EIO, "%s: %s", tmp, strerror(errno));
	if (!err)
		err = cairn_digest_ctx_new(&ctx, CAIRN_DIGEST_SHA256);
	char buf[65536];
	ssize_t n;
	while (!err && (n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			err = cairn_error_set(CAIRN_EIO, "copying output %s: %s", rel, strerror(errno));
		else
			err = cairn_digest_update(ctx, buf, (size_t)n);
	}
	if (!err)
		err = cairn_digest_final(ctx, digest);
	cairn_digest_ctx_free(ctx);
	close(fd);
	if (out >= 0 && close(out) != 0 && !err)
		err = cairn_error_set(CAIRN_EIO, "%s: %s", tmp, strerror(errno));
	if (!err && rename(tmp, dst) != 0)
		err = cairn_error_set(CAIRN_EIO, "%s: %s", dst, strerror(errno));
	if (err && out >= 0)
		unlink(tmp);
	return err;
}

/* Signs the statement: the key is opened here, after the sandbox is gone. */
static int sign_and_write(const struct build_args *a, json_t *statement, const char *path)
{
	char *payload = json_dumps(statement, JSON_COMPACT);
	if (payload == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	cairn_key *key = NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_dsse_envelope_init(&env, CAIRN_DSSE_INTOTO_TYPE, payload, strlen(payload));
	if (!err)
		err = cairn_key_load_private_file(&key, a->key);
	if (!err)
		err = cairn_dsse_sign(&env, key, NULL);
	if (!err)
		err = cairn_dsse_serialize(&env, &text);
	if (!err)
		err = cairn_buf_append_byte(&text, '\n');
	if (!err)
		err = cairn_file_write_atomic(path, text.data, text.len, 0644);
	cairn_buf_free(&text);
	cairn_key_free(key);
	cairn_dsse_envelope_free(&env);
	free(payload);
	return err;
}

static int run_build(const struct build_args *a)
{
	static char inputs_real[CAIRN_BUILD_MAX_INPUTS][PATH_MAX];
	static cairn_slsa_artifact inputs[CAIRN_BUILD_MAX_INPUTS];
	static cairn_slsa_artifact subjects[CAIRN_BUILD_MAX_OUTPUTS];
	static char subject_names[CAIRN_BUILD_MAX_OUTPUTS][NAME_MAX + 1];
	static struct source_info src;
	static cairn_slsa_tool tools[3];
	static char tool_paths[3][PATH_MAX], tool_versions[3][512];
	char ws[] = "/tmp/cairn-ws.XXXXXX";
	int ws_made = 0, status = CLI_OK, err = 0;
	char outdir[PATH_MAX];
	if (realpath(a->out, outdir) == NULL)
		return cairn_error_set(CAIRN_ENOENT, "output directory %s: %s", a->out, strerror(errno)), cli_report_error();
	for (size_t i = 0; !err && i < a->input_count; i++) {
		if (realpath(a->inputs[i], inputs_real[i]) == NULL)
			err = cairn_error_set(CAIRN_ENOENT, "input %s: %s", a->inputs[i], strerror(errno));
		else
			err = digest_path(inputs_real[i], &inputs[i].digest);
		inputs[i].name = inputs_real[i];
	}
	if (!err)
		err = describe_source(a, &src);
	if (!err)
		err = check_key_outside(a->key, src.dir, inputs_real, a->input_count);
	if (err)
		return cli_report_error();
	size_t tool_count = describe_tools(a, tools, tool_paths, tool_versions);
	if (mkdtemp(ws) == NULL) {
		cairn_error_set(CAIRN_EIO, "creating the workspace: %s", strerror(errno));
		return cli_report_error();
	}
	ws_made = 1;
	err = cairn_tree_copy(src.dir, ws);
	const char *input_paths[CAIRN_BUILD_MAX_INPUTS];
	for (size_t i = 0; i < a->input_count; i++)
		input_paths[i] = inputs_real[i];
	cairn_isolate_options io = {ws, input_paths, a->input_count, a->argv, a->timeout, a->sde};
	int64_t started = (int64_t)time(NULL);
	int exit_status = -1;
	if (!err)
		err = cairn_isolate_run(&io, &exit_status);
	int64_t finished = (int64_t)time(NULL);
	if (err) {
		status = cli_report_error();
		goto out;
	}
	if (exit_status != 0) {
		fprintf(stderr, "cairn build: the build failed with exit status %d; nothing was signed\n", exit_status);
		status = CLI_FAILED;
		goto out;
	}
	for (size_t i = 0; !err && i < a->output_count; i++) {
		err = collect_output(ws, a->outputs[i], outdir, &subjects[i].digest, subject_names[i], sizeof subject_names[i]);
		subjects[i].name = subject_names[i];
	}
	char invocation[40];
	uuid4(invocation);
	cairn_slsa_build b = {
		.builder_version = CAIRN_VERSION,
		.argv = a->argv,
		.argc = a->argc,
		.source_uri = src.uri,
		.source_ref = src.ref[0] ? src.ref : NULL,
		.source_git_commit = src.commit[0] ? src.commit : NULL,
		.source_git_tree = src.tree[0] ? src.tree : NULL,
		.source_tree = src.dirhash,
		.inputs = inputs,
		.input_count = a->input_count,
		.tools = tools,
		.tool_count = tool_count,
		.subjects = subjects,
		.subject_count = a->output_count,
		.invocation_id = invocation,
		.started_on = started,
		.finished_on = finished,
		.source_date_epoch = a->sde,
		.timeout_seconds = a->timeout,
		.exit_status = exit_status,
	};
	json_t *statement = NULL;
	if (!err)
		err = cairn_slsa_statement(&b, &statement);
	char path[PATH_MAX + 64];
	if (snprintf(path, sizeof path, "%s/%s.intoto.jsonl", outdir, a->name ? a->name : subject_names[0]) >= (int)sizeof path)
		err = cairn_error_set(CAIRN_EINVAL, "%s: path too long", outdir);
	if (!err)
		err = sign_and_write(a, statement, path);
	json_decref(statement);
	if (err) {
		status = cli_report_error();
		goto out;
	}
	for (size_t i = 0; i < a->output_count; i++) {
		cairn_buf d = CAIRN_BUF_INIT;
		cairn_digest_format(&subjects[i].digest, &d);
		printf("%s  %s\n", cairn_buf_cstr(&d), subjects[i].name);
		cairn_buf_free(&d);
	}
	fprintf(stderr, "cairn build: provenance written to %s\n", path);
out:
	if (ws_made)
		nftw(ws, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
	return status;
}

int cmd_build(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"source", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},
		{"input", required_argument, NULL, 'i'},
		{"output", required_argument, NULL, 'O'},
		{"timeout", required_argument, NULL, 't'},
		{"source-uri", required_argument, NULL, 'u'},
		{"source-date-epoch", required_argument, NULL, 'e'},
		{"name", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct build_args a;
	memset(&a, 0, sizeof a);
	a.source = ".";
	a.out = ".";
	a.timeout = DEFAULT_TIMEOUT;
	/* options stop at "--": everything after is the command */
	int end = argc;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			break;
		}
	int opt;
	while ((opt = cli_getopt(end, argv, options)) != -1) {
		switch (opt) {
		case 'k': a.key = optarg; break;
		case 's': a.source = optarg; break;
		case 'o': a.out = optarg; break;
		case 'u': a.source_uri = optarg; break;
		case 'n': a.name = optarg; break;
		case 'e': a.sde = optarg; break;
		case 'i':
			if (a.input_count == CAIRN_BUILD_MAX_INPUTS)
				return cli_usage_error("build", "at most %d --input", CAIRN_BUILD_MAX_INPUTS);
			a.inputs[a.input_count++] = optarg;
			break;
		case 'O':
			if (a.output_count == CAIRN_BUILD_MAX_OUTPUTS)
				return cli_usage_error("build", "at most %d --output", CAIRN_BUILD_MAX_OUTPUTS);
			a.outputs[a.output_count++] = optarg;
			break;
		case 't': {
			char *endp;
			long v = strtol(optarg, &endp, 10);
			if (*endp || v <= 0 || v > 7 * 24 * 3600)
				return cli_usage_error("build", "--timeout must be a number of seconds");
			a.timeout = (int)v;
			break;
		}
		case 'h': return cli_print_usage("build");
		default: return cli_option_error("build", argv, opt);
		}
	}
	if (optind != end)
		return cli_usage_error("build", "unexpected '%s' before '--'", argv[optind]);
	if (end >= argc - 1)
		return cli_usage_error("build", "give the command after '--'");
	if (a.key == NULL)
		return cli_usage_error("build", "--key is required");
	if (a.output_count == 0)
		return cli_usage_error("build", "at least one --output is required");
	if (a.sde) {
		char *endp;
		long long v = strtoll(a.sde, &endp, 10);
		if (*endp || v < 0 || a.sde[0] == '\0')
			return cli_usage_error("build", "--source-date-epoch must be a number of seconds");
	} else if (getenv("SOURCE_DATE_EPOCH") && getenv("SOURCE_DATE_EPOCH")[0]) {
		a.sde = getenv("SOURCE_DATE_EPOCH");
	}
	if (a.name && (strchr(a.name, '/') || a.name[0] == '.'))
		return cli_usage_error("build", "--name must be a plain file name");
	a.argv = argv + end + 1;
	a.argc = (size_t)(argc - end - 1);
	if (a.argc > CAIRN_BUILD_MAX_ARGS)
		return cli_usage_error("build", "the command has more than %d arguments", CAIRN_BUILD_MAX_ARGS);
	return run_build(&a);
}
