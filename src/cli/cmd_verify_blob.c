/* cairn verify-blob: checks a detached signature, or a Sigstore bundle, over a file.
 *
 * `verify-bundle` is the same command under the name the Sigstore conformance suite calls, so the
 * suite can drive cairn directly. */
#include "cli.h"

#include "cairn/bundle.h"
#include "cairn/cert.h"
#include "cairn/trustroot.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_verify_blob_usage[] =
	"usage: cairn verify-blob --key PUB --signature SIG FILE\n"
	"       cairn verify-blob --bundle BUNDLE (--certificate-identity ID | --certificate-identity-regexp RE)\n"
	"                         (--certificate-oidc-issuer URL | --certificate-oidc-issuer-regexp RE)\n"
	"                         [--trusted-root ROOT] FILE|sha256:HEX\n"
	"       cairn verify-blob --bundle BUNDLE --key PUB [--insecure-ignore-tlog] [--trusted-root ROOT]\n"
	"                         FILE|sha256:HEX\n"
	"\n"
	"The first form verifies that SIG, a file holding a base64 signature (as sign-blob and cosign write\n"
	"it), is a signature by the public key PUB over FILE (\"-\" for standard input).\n"
	"\n"
	"The other forms verify a Sigstore bundle (versions 0.1 to 0.3) offline, as the Sigstore client\n"
	"specification says: transparency-log entries and their proofs, timestamps, the signing certificate's\n"
	"chain to a trusted Fulcio CA at the signing time and its SCT, the signer's identity and issuer, and\n"
	"the signature over the artifact or the DSSE envelope whose in-toto subjects must name the artifact.\n"
	"The artifact is a file or its digest (sha256:HEX, sha384:HEX or sha512:HEX). Bundles signed with a\n"
	"managed key are verified with --key instead of an identity; one made offline (cairn sign-blob\n"
	"--bundle) has no transparency-log entry and is refused unless --insecure-ignore-tlog is given.\n"
	"\n"
	"Prints \"Verified OK\" and exits 0 when everything verifies; exits 1 naming the check that failed.\n"
	"\n"
	"options:\n"
	"  --key PUB                              a public key file (PEM; ECDSA P-256/P-384, Ed25519, RSA)\n"
	"  --signature SIG                        the signature file (base64; surrounding whitespace ignored)\n"
	"  --bundle BUNDLE                        a Sigstore bundle (JSON)\n"
	"  --certificate-identity ID              the signer's identity (a SAN: email, URI, ...) exactly\n"
	"  --certificate-identity-regexp RE       ... or a POSIX extended regular expression for it\n"
	"  --certificate-oidc-issuer URL          the OIDC issuer that vouched for the identity, exactly\n"
	"  --certificate-oidc-issuer-regexp RE    ... or a regular expression for it\n"
	"  --insecure-ignore-tlog                 with --key: accept a bundle without a transparency-log entry\n"
	"                                         (it then proves who signed, but not when)\n"
	"  --trusted-root ROOT                    a trusted_root.json (default: the Sigstore public-good root,\n"
	"                                         built into cairn)\n";

struct verify_args {
	const char *key_path;
	const char *sig_path;
	const char *bundle_path;
	const char *root_path;
	cairn_identity_policy identity;
	const char *artifact;
	int ignore_tlog;
};

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

static int verify_signature_file(const char *command, const struct verify_args *a)
{
	cairn_key *key = NULL;
	cairn_buf sig = CAIRN_BUF_INIT;
	int status = CLI_OK;
	if (cairn_key_load_public_file(&key, a->key_path) || read_signature(a->sig_path, &sig)) {
		status = cli_report_error();
	} else {
		int err = cairn_sig_verify_file(key, a->artifact, sig.data, sig.len);
		if (err == CAIRN_EVERIFY) {
			fprintf(stderr, "cairn %s: %s: signature %s does not verify with key %s: %s\n", command, a->artifact,
				a->sig_path, a->key_path, cairn_error_message());
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

/* FILE, or a digest written "sha256:HEX" (as the conformance suite passes it). */
static void artifact_from_arg(const char *arg, cairn_bundle_artifact *out)
{
	memset(out, 0, sizeof *out);
	if ((strncmp(arg, "sha256:", 7) == 0 || strncmp(arg, "sha384:", 7) == 0 || strncmp(arg, "sha512:", 7) == 0) &&
	    cairn_digest_parse(arg, strlen(arg), &out->digest) == 0)
		return;
	cairn_error_clear();
	out->path = arg;
}

static int verify_bundle(const char *command, const struct verify_args *a)
{
	cairn_bundle *bundle = NULL;
	cairn_trusted_root *root = NULL;
	cairn_key *key = NULL;
	cairn_bundle_result result;
	memset(&result, 0, sizeof result);
	int status = CLI_OK;
	int err = cairn_bundle_load_file(&bundle, a->bundle_path);
	if (!err)
		err = a->root_path ? cairn_trusted_root_load_file(&root, a->root_path) : cairn_trusted_root_public_good(&root);
	if (!err && a->key_path != NULL)
		err = cairn_key_load_public_file(&key, a->key_path);
	if (err) {
		status = cli_report_error();
		goto out;
	}
	cairn_bundle_artifact artifact;
	artifact_from_arg(a->artifact, &artifact);
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	options.key = key;
	options.identity = a->identity;
	options.allow_missing_tlog = a->ignore_tlog;
	if (a->ignore_tlog)
		fprintf(stderr, "WARNING: --insecure-ignore-tlog: a bundle without a transparency-log entry proves who "
				"signed, not when\n");
	err = cairn_bundle_verify(bundle, root, &artifact, &options, &result);
	if (err == CAIRN_EVERIFY) {
		fprintf(stderr, "cairn %s: %s: bundle %s does not verify: %s\n", command, a->artifact, a->bundle_path,
			cairn_error_message());
		status = CLI_FAILED;
	} else if (err) {
		status = cli_report_error();
	} else {
		fprintf(stderr, "Verified OK\n");
	}
out:
	cairn_bundle_result_free(&result);
	cairn_key_free(key);
	cairn_trusted_root_free(root);
	cairn_bundle_free(bundle);
	return status;
}

static int check_usage(const char *command, const struct verify_args *a)
{
	int has_identity = a->identity.identity || a->identity.identity_regexp || a->identity.issuer ||
			   a->identity.issuer_regexp;
	if (a->bundle_path == NULL) {
		if (a->key_path == NULL)
			return cli_usage_error(command, "--key or --bundle is required");
		if (a->sig_path == NULL)
			return cli_usage_error(command, "--signature is required with --key (or give --bundle)");
		if (has_identity || a->root_path || a->ignore_tlog)
			return cli_usage_error(command, "identities, --trusted-root and --insecure-ignore-tlog apply to --bundle only");
		return CLI_OK;
	}
	if (a->sig_path != NULL)
		return cli_usage_error(command, "--signature and --bundle cannot be combined");
	if (a->ignore_tlog && a->key_path == NULL)
		return cli_usage_error(command, "--insecure-ignore-tlog applies to managed-key bundles (--key) only");
	if (a->key_path != NULL) {
		if (has_identity)
			return cli_usage_error(command, "give either --key or a certificate identity, not both");
		return CLI_OK;
	}
	if (a->identity.identity && a->identity.identity_regexp)
		return cli_usage_error(command, "give --certificate-identity or --certificate-identity-regexp, not both");
	if (a->identity.issuer && a->identity.issuer_regexp)
		return cli_usage_error(command, "give --certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both");
	if (!a->identity.identity && !a->identity.identity_regexp)
		return cli_usage_error(command, "--certificate-identity or --certificate-identity-regexp is required "
						"(or --key for a managed-key bundle)");
	if (!a->identity.issuer && !a->identity.issuer_regexp)
		return cli_usage_error(command, "--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required");
	return CLI_OK;
}

int cmd_verify_blob(int argc, char **argv)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"signature", required_argument, NULL, 's'},
		{"bundle", required_argument, NULL, 'b'},
		{"certificate-identity", required_argument, NULL, 'i'},
		{"certificate-identity-regexp", required_argument, NULL, 'I'},
		{"certificate-oidc-issuer", required_argument, NULL, 'o'},
		{"certificate-oidc-issuer-regexp", required_argument, NULL, 'O'},
		{"trusted-root", required_argument, NULL, 'r'},
		{"insecure-ignore-tlog", no_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	/* the alias reports under its own name */
	const char *command = strcmp(argv[0], "verify-bundle") == 0 ? "verify-bundle" : "verify-blob";
	struct verify_args a;
	memset(&a, 0, sizeof a);
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case 'k': a.key_path = optarg; break;
		case 's': a.sig_path = optarg; break;
		case 'b': a.bundle_path = optarg; break;
		case 'i': a.identity.identity = optarg; break;
		case 'I': a.identity.identity_regexp = optarg; break;
		case 'o': a.identity.issuer = optarg; break;
		case 'O': a.identity.issuer_regexp = optarg; break;
		case 'r': a.root_path = optarg; break;
		case 'T': a.ignore_tlog = 1; break;
		case 'h': return cli_print_usage(command);
		default: return cli_option_error(command, argv, opt);
		}
	}
	int status = check_usage(command, &a);
	if (status != CLI_OK)
		return status;
	if (argc - optind != 1)
		return cli_usage_error(command, "expected one FILE to verify");
	a.artifact = argv[optind];
	return a.bundle_path ? verify_bundle(command, &a) : verify_signature_file(command, &a);
}
