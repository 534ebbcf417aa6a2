/* cairn sign-blob: a detached signature over a file, base64 as cosign writes it. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

const char cmd_sign_blob_usage[] =
	"usage: cairn sign-blob --key KEY [--output-signature FILE] FILE\n"
	"\n"
	"Signs FILE (\"-\" for standard input) with the private key KEY and prints the signature in base64\n"
	"(ECDSA: DER, over SHA-256 for P-256 and SHA-384 for P-384; Ed25519: over the whole file). An\n"
	"encrypted key's passphrase comes from CAIRN_PASSWORD or a terminal prompt.\n"
	"\n"
	"options:\n"
	"  --key KEY                a private key file (PEM PKCS#8 or SEC1)\n"
	"  --output-signature FILE  write the base64 signature to FILE instead of standard output\n";

int cmd_sign_blob(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"output-signature", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key_path = NULL;
	const char *output = NULL;
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'k': key_path = optarg; break;
		case 'o': output = optarg; break;
		case 'h': return cli_print_usage("sign-blob");
		default: return cli_option_error("sign-blob", argv, opt);
		}
	}
	if (key_path == NULL)
		return cli_usage_error("sign-blob", "--key is required");
	if (argc - optind != 1)
		return cli_usage_error("sign-blob", "expected one FILE to sign");
	const char *path = argv[optind];

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
