/* cairn sign-blob: a detached signature over a file, base64 as cosign writes it, or a Sigstore bundle
 * (v0.3, managed key) holding a signature over the file or a DSSE envelope over an in-toto statement. */
#include "cli.h"

#include "cairn/bundle.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_sign_blob_usage[] =
	"usage: cairn sign-blob --key KEY [--output-signature FILE] FILE\n"
	"       cairn sign-blob --key KEY --bundle OUT [--in-toto] FILE\n"
	"\n"
	"Signs FILE (\"-\" for standard input) with the private key KEY and prints the signature in base64\n"
	"(ECDSA: DER, over SHA-256 for P-256 and SHA-384 for P-384; Ed25519: over the whole file). An\n"
	"encrypted key's passphrase comes from CAIRN_PASSWORD or a terminal prompt.\n"
	"\n"
	"With --bundle, writes a Sigstore bundle v0.3 to OUT (\"-\" for standard output) instead: the key's\n"
	"hint (base64 of the SHA-256 of its DER public key), the digest of FILE and the signature. With\n"
	"--in-toto, FILE is an in-toto statement (JSON) and is signed into a DSSE envelope; the bundle then\n"
	"verifies for the artifacts the statement names as subjects. Signing is offline: the bundle has no\n"
	"transparency-log entry and no timestamp.\n"
	"\n"
	"options:\n"
	"  --key KEY                a private key file (PEM PKCS#8 or SEC1, or a cosign key)\n"
	"  --output-signature FILE  write the base64 signature to FILE instead of standard output\n"
	"  --bundle OUT             write a Sigstore bundle to OUT (written atomically)\n"
	"  --in-toto                FILE is an in-toto statement to sign into a DSSE envelope (needs --bundle)\n";

/* Makes the bundle for path with key into json. */
static int make_bundle(const cairn_key *key, const char *path, int in_toto, cairn_buf *json)
{
	if (!in_toto)
		return cairn_bundle_write_message(key, path, json);
	cairn_buf statement = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, CAIRN_DSSE_MAX_SIZE, &statement);
	if (!err) {
		char what[300];
		snprintf(what, sizeof what, "in-toto statement %s", path);
		err = cairn_bundle_write_dsse(key, statement.data, statement.len, what, json);
	}
	cairn_buf_free(&statement);
	return err;
}

static int sign_bundle(const char *key_path, const char *path, const char *bundle_path, int in_toto)
{
	cairn_key *key = NULL;
	cairn_buf json = CAIRN_BUF_INIT;
	int status = CLI_OK;
	if (cairn_key_load_private_file(&key, key_path) || make_bundle(key, path, in_toto, &json) ||
	    cairn_file_write_or_stdout(bundle_path, json.data, json.len, 0644))
		status = cli_report_error();
	else if (strcmp(bundle_path, "-") != 0)
		fprintf(stderr, "Bundle written to %s\n", bundle_path);
	cairn_key_free(key);
	cairn_buf_free(&json);
	return status;
}

static int sign_detached(const char *key_path, const char *path, const char *output)
{
	cairn_key *key = NULL;
	cairn_buf sig = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
	int status = CLI_OK;
	if (cairn_key_load_private_file(&key, key_path) || cairn_sig_sign_file(key, path, &sig) ||
	    cairn_base64_encode(&text, sig.data, sig.len, CAIRN_BASE64_STD)) {
		status = cli_report_error();
	} else if (output != NULL) {
		if (cairn_file_write_atomic(output, text.data, text.len, 0644))
			status = cli_report_error();
		else
			fprintf(stderr, "Signature written to %s\n", output);
	} else {
		printf("%s\n", cairn_buf_cstr(&text));
	}
	cairn_key_free(key);
	cairn_buf_free(&sig);
	cairn_buf_free(&text);
	return status;
}

int cmd_sign_blob(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"output-signature", required_argument, NULL, 'o'},
		{"bundle", required_argument, NULL, 'b'},
		{"in-toto", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key_path = NULL;
	const char *output = NULL;
	const char *bundle_path = NULL;
	int in_toto = 0;
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'k': key_path = optarg; break;
		case 'o': output = optarg; break;
		case 'b': bundle_path = optarg; break;
		case 'i': in_toto = 1; break;
		case 'h': return cli_print_usage("sign-blob");
		default: return cli_option_error("sign-blob", argv, opt);
		}
	}
	if (key_path == NULL)
		return cli_usage_error("sign-blob", "--key is required");
	if (in_toto && bundle_path == NULL)
		return cli_usage_error("sign-blob", "--in-toto needs --bundle: a DSSE envelope is written into a bundle");
	if (bundle_path != NULL && output != NULL)
		return cli_usage_error("sign-blob", "give --bundle or --output-signature, not both (the bundle holds the "
						    "signature)");
	if (argc - optind != 1)
		return cli_usage_error("sign-blob", "expected one FILE to sign");
	const char *path = argv[optind];
	return bundle_path ? sign_bundle(key_path, path, bundle_path, in_toto) : sign_detached(key_path, path, output);
}
