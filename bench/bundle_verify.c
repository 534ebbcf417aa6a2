/* Sigstore bundle verifications per second on one core, through libcairn.
 *
 *   bundle_verify SECONDS MANIFEST
 *   bundle_verify COUNTx MANIFEST     (exactly COUNT timed verifications per bundle, e.g. "100x": for
 *                                      instruction counts under valgrind --tool=callgrind)
 *
 * MANIFEST has one bundle per line, tab-separated:
 *   label  bundle.json  trusted_root.json|-  artifact  identity|key  IDENTITY|KEY.pub  ISSUER|-
 * ("-" as the root means none: an empty trusted root, for managed-key bundles made offline, which
 * are then accepted without a log entry, as `verify-blob --insecure-ignore-tlog` does.) The trusted root (and key) is loaded once;
 * each verification parses the bundle from memory and verifies it over the artifact file, as
 * `cairn verify-blob` would in a long-running process. Each bundle is verified first once; one that
 * does not verify is reported as "label n/a reason" and not timed. Otherwise prints "label rate". */
#include "cairn/cairn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIELDS 7

/* Wall-clock time, or with BENCH_CPU_TIME=1 in the environment this process's CPU time: on a shared,
 * loaded machine the rate per CPU-second is the steadier estimate of the rate per core. */
static double now(void)
{
	static int cpu = -1;
	if (cpu < 0)
		cpu = getenv("BENCH_CPU_TIME") != NULL && strcmp(getenv("BENCH_CPU_TIME"), "1") == 0;
	struct timespec ts;
	clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct job {
	cairn_buf text;
	cairn_trusted_root *root;
	cairn_key *key;
	cairn_bundle_artifact artifact;
	cairn_bundle_options options;
};

static int verify_once(const struct job *job)
{
	cairn_bundle *bundle;
	int err = cairn_bundle_parse(&bundle, job->text.data, job->text.len, "bundle");
	if (!err)
		err = cairn_bundle_verify(bundle, job->root, &job->artifact, &job->options, NULL);
	cairn_bundle_free(bundle);
	return err;
}

static int job_load(struct job *job, char **f)
{
	memset(job, 0, sizeof *job);
	int err = cairn_file_read(f[1], CAIRN_BUNDLE_MAX_SIZE, &job->text);
	static const char empty_root[] = "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
					 "\"tlogs\":[],\"certificateAuthorities\":[],\"ctlogs\":[],\"timestampAuthorities\":[]}";
	if (!err)
		err = strcmp(f[2], "-") == 0 ? cairn_trusted_root_parse(&job->root, empty_root, strlen(empty_root), "empty root")
					     : cairn_trusted_root_load_file(&job->root, f[2]);
	job->artifact.path = f[3];
	job->options.allow_missing_tlog = strcmp(f[2], "-") == 0; /* made offline: no log entry to require */
	if (!err && strcmp(f[4], "key") == 0) {
		err = cairn_key_load_public_file(&job->key, f[5]);
		job->options.key = job->key;
	} else {
		job->options.identity.identity = f[5];
		job->options.identity.issuer = f[6];
	}
	return err;
}

static void job_free(struct job *job)
{
	cairn_buf_free(&job->text);
	cairn_trusted_root_free(job->root);
	cairn_key_free(job->key);
}

static void run_line(char *line, double seconds, long iterations)
{
	char *f[FIELDS];
	char *save = NULL;
	size_t n = 0;
	for (char *tok = strtok_r(line, "\t\n", &save); tok != NULL && n < FIELDS; tok = strtok_r(NULL, "\t\n", &save))
		f[n++] = tok;
	if (n != FIELDS) {
		fprintf(stderr, "bundle_verify: a manifest line needs %d tab-separated fields\n", FIELDS);
		return;
	}
	struct job job;
	int err = job_load(&job, f);
	if (!err)
		err = verify_once(&job);
	if (err) {
		printf("%s n/a %s\n", f[0], cairn_error_message());
		job_free(&job);
		return;
	}
	long count = 0;
	double start = now(), end;
	do {
		if (verify_once(&job) != 0) {
			printf("%s n/a failed while timing: %s\n", f[0], cairn_error_message());
			job_free(&job);
			return;
		}
		count++;
	} while ((end = now()) - start < seconds || count < iterations);
	printf("%s %.1f\n", f[0], (double)count / (end - start));
	fflush(stdout);
	job_free(&job);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bundle_verify SECONDS MANIFEST\n");
		return 2;
	}
	/* "100x": a fixed number of verifications, whatever the time */
	size_t arg_len = strlen(argv[1]);
	long iterations = arg_len > 0 && argv[1][arg_len - 1] == 'x' ? atol(argv[1]) : 0;
	double seconds = iterations > 0 ? 0 : atof(argv[1]);
	FILE *manifest = fopen(argv[2], "r");
	if (manifest == NULL) {
		perror(argv[2]);
		return 2;
	}
	char line[8192];
	while (fgets(line, sizeof line, manifest) != NULL)
		if (line[0] != '#' && line[0] != '\n')
			run_line(line, seconds, iterations);
	fclose(manifest);
	return 0;
}
