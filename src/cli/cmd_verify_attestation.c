/* cairn verify-attestation: verifies an image's attestations of one predicate type in its registry
 * (cosign's .att layers and Sigstore bundle referrers), or a file's attestation bundle. */
#include "cli.h"

#include "cairn/attest.h"
#include "cairn/bundle.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_verify_attestation_usage[] =
	"usage: cairn verify-attestation (--key PUB | --certificate-identity ID --certificate-oidc-issuer URL)\n"
	"                                --type TYPE [-o text|json] [options] IMAGE\n"
	"       cairn verify-attestation --bundle BUNDLE (--key PUB [--insecure-ignore-tlog] | identity options)\n"
	"                                --type TYPE [-o text|json] FILE\n"
	"\n"
	"Finds the attestations of IMAGE (REGISTRY/REPO:TAG, REGISTRY/REPO@DIGEST or registry:REF; the tag is\n"
	"resolved to the manifest digest): the layers of the sha256-<hex>.att manifest and the Sigstore bundles\n"
	"stored as OCI 1.1 referrers (through the referrers API or its tag-schema fallback). Each is verified:\n"
	"the DSSE signature with PUB (or, for bundles, the certificate chain, identity and log entries), the\n"
	"statement's subject must be the image digest, and its predicate type must be TYPE (a URI, or a name:\n"
	"slsaprovenance - v1 or v0.2 -, slsaprovenance1, slsaprovenance02, cyclonedx, spdx, spdxjson, vuln,\n"
	"openvex, link). With --key, attestations need no transparency-log entry (as `cairn verify --key`).\n"
	"\n"
	"The --bundle form verifies a Sigstore bundle holding a DSSE attestation over FILE, as\n"
	"`cairn attest --bundle` writes it. A bundle signed with a key and made offline has no log entry and\n"
	"is refused unless --insecure-ignore-tlog is given (as for verify-blob).\n"
	"\n"
	"Prints the verified statements: a summary, or with -o json an array of the statements.\n"
	"\n"
	"options:\n"
	"  --key PUB                           the public key (PEM) that must have signed\n"
	"  --certificate-identity ID           the signer's identity (a certificate SAN) exactly\n"
	"  --certificate-identity-regexp RE    ... or a POSIX extended regular expression for it\n"
	"  --certificate-oidc-issuer URL       the OIDC issuer, exactly\n"
	"  --certificate-oidc-issuer-regexp RE ... or a regular expression for it\n"
	"  --type TYPE                         the predicate type required\n"
	"  --bundle BUNDLE                     file mode: the attestation bundle\n"
	"  --insecure-ignore-tlog              file mode with --key: accept a bundle without a log entry\n"
	"  --trusted-root ROOT                 trusted_root.json (default: the Sigstore public-good root)\n"
	"  -o, --output text|json              json: an array of the verified statements\n"
	"  --ca-file FILE                      extra CA certificates for registry TLS\n"
	"  --insecure-registry HOST            allow plain HTTP to HOST (repeatable; loopback needs no flag)\n"
	"\n"
	"Exit status: 0 at least one attestation of TYPE verified; 1 none did (each reason is printed);\n"
	"2 bad usage or unreadable input; 3 a registry, I/O or internal failure.\n";

struct args {
	cairn_attest_verify_options opts;
	struct cli_registry_args reg;
	struct cli_trust_args trust;
	const char *bundle_path, *operand;
	int json, ignore_tlog;
};

static int parse_options(int argc, char **argv, struct args *a)
{
	static const struct option options[] = {
		CLI_OPTIONS_TRUST,
		{"type", required_argument, NULL, 't'},
		{"bundle", required_argument, NULL, 'b'},
		{"insecure-ignore-tlog", no_argument, NULL, 'T'},
		{"output", required_argument, NULL, 'o'},
		CLI_OPTIONS_TLS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = cli_next_option(argc, argv, ":o:", options, &a->reg, &a->trust, "verify-attestation")) !=
	       -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 't': a->opts.type = optarg; break;
		case 'b': a->bundle_path = optarg; break;
		case 'T': a->ignore_tlog = 1; break;
		case 'o':
			if (cli_output_json(&a->json, "verify-attestation") != CLI_OK)
				return CLI_USAGE;
			break;
		case 'h': return -1;
		default: return cli_option_error("verify-attestation", argv, opt);
		}
	}
	if (cli_trust_check(&a->trust, "verify-attestation") != CLI_OK)
		return CLI_USAGE;
	if (a->opts.type == NULL)
		return cli_usage_error("verify-attestation", "--type is required");
	const char *uri;
	if (cairn_attest_type_uri(a->opts.type, NULL, &uri) != 0)
		return cli_usage_error("verify-attestation", "%s", cairn_error_message());
	if (a->ignore_tlog && (!a->bundle_path || !a->trust.key_path))
		return cli_usage_error("verify-attestation", "--insecure-ignore-tlog applies to --bundle with --key only");
	if (argc - optind != 1)
		return cli_usage_error("verify-attestation", "expected one IMAGE or FILE");
	a->operand = argv[optind];
	return CLI_OK;
}

static void print_one(const cairn_attest_verified *v, size_t n)
{
	printf("attestation %zu: verified (%s), predicate type %s", n,
	       v->from_referrer ? "Sigstore bundle" : "cosign .att layer", v->predicate_type);
	if (v->identity)
		printf(", signed by %s", v->identity);
	if (v->issuer)
		printf(" (issuer %s)", v->issuer);
	printf("\n  %s\n", v->statement);
}

static int print_results(const struct args *a, const char *name, const cairn_attest_verified *list, size_t count)
{
	if (a->json) {
		json_t *array = json_array();
		for (size_t i = 0; array != NULL && i < count; i++) {
			json_t *st = json_loads(list[i].statement, 0, NULL);
			if (st == NULL || json_array_append_new(array, st)) {
				json_decref(array);
				array = NULL;
			}
		}
		char *dump = array ? json_dumps(array, JSON_COMPACT) : NULL;
		json_decref(array);
		if (dump == NULL) {
			fprintf(stderr, "cairn verify-attestation: cannot print the statements as JSON\n");
			return CLI_INTERNAL;
		}
		printf("%s\n", dump);
		free(dump);
	} else {
		printf("%s: %zu attestation%s of type %s verified\n", name, count, count == 1 ? "" : "s", a->opts.type);
		for (size_t i = 0; i < count; i++)
			print_one(&list[i], i + 1);
	}
	return CLI_OK;
}

static int failed(int err)
{
	if (err == CAIRN_EVERIFY) {
		fprintf(stderr, "cairn verify-attestation: %s\n", cairn_error_message());
		return CLI_FAILED;
	}
	return cli_report_error();
}

static int verify_file(struct args *a)
{
	cairn_buf data = CAIRN_BUF_INIT;
	cairn_attest_verified v;
	memset(&v, 0, sizeof v);
	int err = cairn_file_read(a->bundle_path, CAIRN_BUNDLE_MAX_SIZE, &data);
	if (err)
		return cli_report_error();
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	artifact.path = a->operand;
	a->opts.allow_missing_tlog = a->ignore_tlog;
	if (a->ignore_tlog)
		fprintf(stderr, "WARNING: --insecure-ignore-tlog: a bundle without a transparency-log entry proves who "
				"signed, not when\n");
	err = cairn_attest_verify_bundle(data.data, data.len, &artifact, &a->opts, &v);
	int status;
	if (err == CAIRN_EVERIFY) {
		fprintf(stderr, "cairn verify-attestation: %s: bundle %s does not verify: %s\n", a->operand, a->bundle_path,
			cairn_error_message());
		status = CLI_FAILED;
	} else if (err) {
		status = cli_report_error();
	} else {
		status = print_results(a, a->operand, &v, 1);
	}
	cairn_attest_verified_free(&v);
	cairn_buf_free(&data);
	return status;
}

static int verify_image(struct args *a)
{
	cairn_ref ref;
	int status = cli_registry_ref(a->operand, &ref);
	if (status != CLI_OK)
		return status;
	cairn_registry *reg = NULL;
	cairn_attest_report report;
	memset(&report, 0, sizeof report);
	cairn_buf name = CAIRN_BUF_INIT, digest = CAIRN_BUF_INIT;
	/* key attestations in a registry are accepted without a log entry, as `cairn verify --key` does */
	a->opts.allow_missing_tlog = a->opts.key != NULL;
	int err = cairn_registry_new(&reg, ref.registry, &a->reg.opts.registry);
	if (!err)
		err = cairn_attest_verify_image(reg, &ref, &a->opts, &report);
	if (err) {
		status = failed(err);
	} else {
		cairn_digest_format(&report.image, &digest);
		cairn_buf_printf(&name, "%s/%s@%s", ref.registry, ref.repository, cairn_buf_cstr(&digest));
		status = print_results(a, cairn_buf_cstr(&name), report.verified, report.verified_count);
	}
	cairn_buf_free(&name);
	cairn_buf_free(&digest);
	cairn_attest_report_free(&report);
	cairn_registry_free(reg);
	cairn_ref_free(&ref);
	return status;
}

int cmd_verify_attestation(int argc, char **argv)
{
	struct args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc, argv, &a);
	if (status != CLI_OK)
		return status == -1 ? cli_print_usage("verify-attestation") : status;
	if ((status = cli_trust_load(&a.trust, &a.opts.key, &a.opts.identity, &a.opts.root)) != CLI_OK)
		return status;
	status = a.bundle_path ? verify_file(&a) : verify_image(&a);
	cli_trust_free(&a.trust);
	return status;
}
