/* cairn verify-blob: checks a detached signature over a file. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

const char cmd_verify_blob_usage[] =
	"usage: cairn verify-blob --key PUB --signature SIG FILE\n"
	"\n"
	"Verifies that SIG, a file holding a base64 signature (as sign-blob and cosign write it), is a\n"
	"signature by the public key PUB over FILE (\"-\" for standard input). Prints \"Verified OK\" and\n"
	"exits 0 when it is, exits 1 when it is not.\n"
	"\n"
	"options:\n"
	"  --key PUB        a public key file (PEM SubjectPublicKeyInfo; ECDSA P-256/P-384, Ed25519, RSA)\n"
	"  --signature SIG  the signature file (base64; surrounding whitespace is ignored)\n";

/* Reads a signature file: base64 text, strictly decoded apart from surrounding whitespace, which
 * editors and `echo` add. */
static int read_signature(const char *path, cairn_buf *sig)
{
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_SMALL, &text);
	if (!err) {
		size_t start = 0, end = text.len;
		while (start < end && (text.data[start] == ' ' || (text.data[start] >= '\t' && text.data[start] <= '\r')))
			start++;
		while (end > start && (text.data[end - 1] == ' ' || (text.data[end - 1] >= '\t' && text.data[end - 1] <= '\r')))
			end--;
		if (start == end)
			err = cairn_error_set(CAIRN_EINVAL, "signature file %s is empty", path);
		else {
			char what[300];
			snprintf(what, sizeof what, "signature file %s", path);
			err = cairn_base64_decode(sig, (const char *)text.data + start, end - start, CAIRN_BASE64_STD, what);
		}
	}
	cairn_buf_free(&text);
	return err;
}

int cmd_verify_blob(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"signature", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key_path = NULL;
	const char *sig_path = NULL;
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'k': key_path = optarg; break;
		case 's': sig_path = optarg; break;
		case 'h': return cli_print_usage("verify-blob");
		default: return cli_option_error("verify-blob", argv, opt);
		}
	}
	if (key_path == NULL)
		return cli_usage_error("verify-blob", "--key is required");
	if (sig_path == NULL)
		return cli_usage_error("verify-blob", "--signature is required");
	if (argc - optind != 1)
		return cli_usage_error("verify-blob", "expected one FILE to verify");
	const char *path = argv[optind];

	cairn_key *key = NULL;
	cairn_buf sig = CAIRN_BUF_INIT;
	int status = CLI_OK;
	if (cairn_key_load_public_file(&key, key_path) || read_signature(sig_path, &sig)) {
		status = cli_report_error();
	} else {
		int err = cairn_sig_verify_file(key, path, sig.data, sig.len);
		if (err == CAIRN_EVERIFY) {
			fprintf(stderr, "cairn verify-blob: %s: signature %s does not verify with key %s: %s\n", path,
				sig_path, key_path, cairn_error_message());
			status = CLI_FAILED;
		} else if (err) {
			status = cli_report_error();
		} else {
			fprintf(stderr, "Verified OK\n");
		}
	}
	cairn_key_free(key);
	cairn_buf_free(&sig);
	return status;
}
