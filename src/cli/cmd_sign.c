/* cairn sign: signs a container image in its registry the way `cosign sign --key` does. */
#include "cli.h"

#include "cairn/cosign.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_sign_usage[] =
	"usage: cairn sign --key KEY [registry options] IMAGE\n"
	"\n"
	"Signs IMAGE (REGISTRY/REPO:TAG, REGISTRY/REPO@DIGEST, or registry:REF) in its registry the way\n"
	"`cosign sign --key` does: the tag is resolved to the manifest digest, a simple-signing payload naming\n"
	"the repository and that digest is signed with KEY, and the signature is added as a layer of the OCI\n"
	"manifest tagged sha256-<hex>.sig in the same repository. Signatures already there are kept; signing\n"
	"twice with the same payload and signature adds nothing. cosign verifies what cairn writes and the\n"
	"other way round (see docs/sign.md). No transparency log is written to: this is offline signing.\n"
	"\n"
	"KEY is a private key file: PKCS#8 PEM (encrypted or not) or a cosign.key (ENCRYPTED SIGSTORE PRIVATE\n"
	"KEY; password from COSIGN_PASSWORD, then CAIRN_PASSWORD, then the terminal).\n"
	"\n"
	"options:\n"
	"  --key KEY                  the private key to sign with\n"
	"  --ca-file FILE             extra CA certificates for TLS\n"
	"  --insecure-registry HOST   allow plain HTTP to HOST (repeatable; loopback needs no flag)\n"
	"  --username USER            registry user (with --password-stdin); else the Docker config or\n"
	"  --password-stdin           CAIRN_REGISTRY_USERNAME/CAIRN_REGISTRY_PASSWORD\n"
	"\n"
	"Prints the digest signed and the signature tag. Exit status: 0 signed; 2 bad usage or input;\n"
	"3 a registry or I/O failure.\n";

/* Signs image with the key at key_path through the registry options ropts. */
static int sign_image(const char *image, const char *key_path, const cairn_registry_options *ropts)
{
	cairn_ref ref;
	int status = cli_registry_ref(image, &ref);
	if (status != CLI_OK)
		return status;
	cairn_key *key = NULL;
	cairn_registry *reg = NULL;
	cairn_digest digest;
	cairn_buf text = CAIRN_BUF_INIT, tag = CAIRN_BUF_INIT;
	int added = 0;
	if (cairn_key_load_private_file(&key, key_path) || cairn_registry_new(&reg, ref.registry, ropts) ||
	    cairn_cosign_sign(reg, &ref, key, &digest, &added) || cairn_digest_format(&digest, &text) ||
	    cairn_cosign_signature_tag(&digest, &tag)) {
		status = cli_report_error();
	} else {
		printf("%s/%s@%s\n", ref.registry, ref.repository, cairn_buf_cstr(&text));
		fprintf(stderr, "%s %s/%s:%s\n", added ? "Signature pushed to" : "Already signed with this key:",
			ref.registry, ref.repository, cairn_buf_cstr(&tag));
	}
	cairn_buf_free(&text);
	cairn_buf_free(&tag);
	cairn_registry_free(reg);
	cairn_key_free(key);
	cairn_ref_free(&ref);
	return status;
}

int cmd_sign(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		CLI_OPTIONS_TLS,
		CLI_OPTIONS_LOGIN,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_registry_args reg;
	memset(&reg, 0, sizeof reg);
	const char *key_path = NULL;
	int opt;
	while ((opt = cli_next_option(argc, argv, ":", options, &reg, NULL, "sign")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'k': key_path = optarg; break;
		case 'h': return cli_print_usage("sign");
		default: return cli_option_error("sign", argv, opt);
		}
	}
	if (key_path == NULL)
		return cli_usage_error("sign", "--key is required (keyless signing is not available offline)");
	if (argc - optind != 1)
		return cli_usage_error("sign", "expected one IMAGE");
	if (cli_registry_finish(&reg, "sign") != CLI_OK)
		return CLI_USAGE;
	int status = sign_image(argv[optind], key_path, &reg.opts.registry);
	cli_registry_free(&reg);
	return status;
}
