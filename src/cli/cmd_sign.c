/* cairn sign: signs a container image in its registry the way `cosign sign --key` does. */
#include "cli.h"

#include "cairn/cosign.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define INSECURE_MAX 16

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

static int read_password(char *buf, size_t size)
{
	size_t len = fread(buf, 1, size - 1, stdin);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return cli_usage_error("sign", "the password holds a NUL byte");
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return CLI_OK;
}

int cmd_sign(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"ca-file", required_argument, NULL, 'c'},
		{"insecure-registry", required_argument, NULL, 'i'},
		{"username", required_argument, NULL, 'u'},
		{"password-stdin", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	cairn_registry_options ropts;
	memset(&ropts, 0, sizeof ropts);
	const char *insecure[INSECURE_MAX + 1] = {NULL};
	size_t insecure_count = 0;
	const char *key_path = NULL;
	int password_stdin = 0;
	static char password[4096];
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'k': key_path = optarg; break;
		case 'c': ropts.ca_file = optarg; break;
		case 'i':
			if (insecure_count >= INSECURE_MAX)
				return cli_usage_error("sign", "at most %d --insecure-registry", INSECURE_MAX);
			insecure[insecure_count++] = optarg;
			ropts.insecure_hosts = insecure;
			break;
		case 'u': ropts.username = optarg; break;
		case 'p': password_stdin = 1; break;
		case 'h': return cli_print_usage("sign");
		default: return cli_option_error("sign", argv, opt);
		}
	}
	if (key_path == NULL)
		return cli_usage_error("sign", "--key is required (keyless signing is not available offline)");
	if (argc - optind != 1)
		return cli_usage_error("sign", "expected one IMAGE");
	if (password_stdin != (ropts.username != NULL))
		return cli_usage_error("sign", "--username and --password-stdin go together");
	if (password_stdin) {
		if (read_password(password, sizeof password) != CLI_OK)
			return CLI_USAGE;
		ropts.password = password;
	}
	const char *image = argv[optind];
	if (strncmp(image, "registry:", 9) == 0)
		image += 9;
	cairn_ref ref;
	memset(&ref, 0, sizeof ref);
	if (cairn_ref_parse(&ref, image) != 0)
		return cli_report_error();
	cairn_key *key = NULL;
	cairn_registry *reg = NULL;
	cairn_digest digest;
	cairn_buf text = CAIRN_BUF_INIT, tag = CAIRN_BUF_INIT;
	int added = 0, status = CLI_OK;
	if (cairn_key_load_private_file(&key, key_path) || cairn_registry_new(&reg, ref.registry, &ropts) ||
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
