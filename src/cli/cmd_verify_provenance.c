/* cairn verify-provenance: SLSA provenance for an artifact, with slsa-verifier's semantics. */
#include "cli.h"

#include "cairn/provenance.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_verify_provenance_usage[] =
	"usage: cairn verify-provenance (--provenance FILE --key PUB | --bundle FILE [--trusted-root ROOT])\n"
	"                               --source-uri URI [--builder-id ID] [--source-tag T | --source-branch B]\n"
	"                               ARTIFACT|sha256:HEX\n"
	"\n"
	"Verifies that the provenance names ARTIFACT (a file, or its digest) as a subject, that it is signed\n"
	"(--provenance: a DSSE envelope, or the first line of a .intoto.jsonl, signed by PUB; --bundle: a\n"
	"Sigstore bundle from GitHub Actions, verified offline against ROOT, default the public-good root),\n"
	"and that its builder, source repository and ref are the expected ones.\n"
	"\n"
	"For a bundle the builder is the certificate's workflow: by default only slsa-github-generator's\n"
	"builders at a release tag are trusted; --builder-id names another (NAME or NAME@refs/tags/vX.Y.Z or\n"
	"NAME@vX.Y.Z). npm provenance: --builder-id https://github.com/actions/runner/github-hosted.\n"
	"--source-uri is github.com/OWNER/REPO for GitHub; for `cairn build` provenance, the git remote it\n"
	"recorded or file://DIR.\n"
	"\n"
	"Prints the verified builder and source and exits 0; exits 1 naming the check that failed.\n";

int cmd_verify_provenance(int argc, char **argv)
{
	static const struct option options[] = {
		{"provenance", required_argument, NULL, 'p'},
		{"bundle", required_argument, NULL, 'b'},
		{"key", required_argument, NULL, 'k'},
		{"trusted-root", required_argument, NULL, 'r'},
		{"source-uri", required_argument, NULL, 'u'},
		{"builder-id", required_argument, NULL, 'i'},
		{"source-tag", required_argument, NULL, 't'},
		{"source-branch", required_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *prov = NULL, *bundle = NULL, *key_path = NULL, *root_path = NULL;
	cairn_provenance_expect e;
	memset(&e, 0, sizeof e);
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'p': prov = optarg; break;
		case 'b': bundle = optarg; break;
		case 'k': key_path = optarg; break;
		case 'r': root_path = optarg; break;
		case 'u': e.source_uri = optarg; break;
		case 'i': e.builder_id = optarg; break;
		case 't': e.source_tag = optarg; break;
		case 'B': e.source_branch = optarg; break;
		case 'h': return cli_print_usage("verify-provenance");
		default: return cli_option_error("verify-provenance", argv, opt);
		}
	}
	if ((prov == NULL) == (bundle == NULL))
		return cli_usage_error("verify-provenance", "give one of --provenance or --bundle");
	if (prov && key_path == NULL)
		return cli_usage_error("verify-provenance", "--provenance needs --key");
	if (bundle && key_path)
		return cli_usage_error("verify-provenance", "--key applies to --provenance only");
	if (e.source_uri == NULL || e.source_uri[0] == '\0')
		return cli_usage_error("verify-provenance", "--source-uri is required");
	if (e.source_tag && e.source_branch)
		return cli_usage_error("verify-provenance", "give --source-tag or --source-branch, not both");
	if (argc - optind != 1)
		return cli_usage_error("verify-provenance", "expected one ARTIFACT");
	const char *artifact = argv[optind];
	if (strncmp(artifact, "sha256:", 7) == 0 || strncmp(artifact, "sha512:", 7) == 0 || strncmp(artifact, "sha384:", 7) == 0) {
		if (cairn_digest_parse(artifact, strlen(artifact), &e.artifact) != 0)
			return cli_usage_error("verify-provenance", "%s: not a digest: %s", artifact, cairn_error_message());
	} else {
		e.artifact_path = artifact;
	}
	const char *path = prov ? prov : bundle;
	cairn_buf doc = CAIRN_BUF_INIT;
	cairn_key *key = NULL;
	cairn_trusted_root *root = NULL;
	cairn_provenance_result result;
	memset(&result, 0, sizeof result);
	int status = CLI_OK;
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, &doc);
	if (!err && key_path)
		err = cairn_key_load_public_file(&key, key_path);
	if (!err && bundle)
		err = root_path ? cairn_trusted_root_load_file(&root, root_path) : cairn_trusted_root_public_good(&root);
	if (err) {
		status = cli_report_error();
		goto out;
	}
	err = prov ? cairn_provenance_verify_dsse(doc.data, doc.len, path, key, &e, &result)
		   : cairn_provenance_verify_bundle(doc.data, doc.len, path, root, 0, &e, &result);
	if (err == CAIRN_EVERIFY) {
		fprintf(stderr, "cairn verify-provenance: %s: FAILED: %s\n", artifact, cairn_error_message());
		status = CLI_FAILED;
	} else if (err) {
		status = cli_report_error();
	} else {
		printf("PASSED: %s built by %s from %s%s%s\n", artifact, result.builder_id, result.source_uri,
		       result.source_commit ? " at " : "", result.source_commit ? result.source_commit : "");
	}
out:
	cairn_provenance_result_free(&result);
	cairn_trusted_root_free(root);
	cairn_key_free(key);
	cairn_buf_free(&doc);
	return status;
}
