/* cairn attest: signs an in-toto attestation (an SBOM, provenance, a scan result, VEX) about an image
 * and stores it in the image's registry as cosign does, or about a file into a Sigstore bundle. */
#include "cli.h"

#include "cairn/attest.h"
#include "cairn/bundle.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_attest_usage[] =
	"usage: cairn attest --key KEY --type TYPE --predicate FILE [--new-bundle-format] [registry options] IMAGE\n"
	"       cairn attest --key KEY --type TYPE --predicate FILE --bundle OUT FILE\n"
	"\n"
	"Makes an in-toto Statement v1 whose predicate is the JSON in --predicate and whose subject is IMAGE\n"
	"(REGISTRY/REPO:TAG, REGISTRY/REPO@DIGEST or registry:REF; the tag is resolved to the manifest digest)\n"
	"or FILE (its SHA-256 and SHA-512), and signs it with KEY into a DSSE envelope.\n"
	"\n"
	"For an image the envelope is stored as `cosign attest` stores it: a layer (media type\n"
	"application/vnd.dsse.envelope.v1+json, annotation predicateType) of the manifest tagged\n"
	"sha256-<hex>.att in the image's repository; attestations already there are kept. With\n"
	"--new-bundle-format it is stored instead as a Sigstore bundle v0.3 in an OCI 1.1 referrer of the image,\n"
	"also listed in the referrers tag-schema fallback index sha256-<hex>. For a file, --bundle OUT writes a\n"
	"Sigstore bundle v0.3 holding the envelope. Nothing is written to a transparency log.\n"
	"\n"
	"TYPE is a predicate type URI or one of: slsaprovenance (v1 or v0.2, told by the predicate),\n"
	"slsaprovenance1, slsaprovenance02, cyclonedx, spdx, spdxjson, vuln, openvex, link. The predicate must\n"
	"be a JSON object; a CycloneDX or SPDX SBOM, SLSA provenance or OpenVEX document must look like one.\n"
	"`cairn sbom ... -o cyclonedx-json=sbom.json` output can be attested directly with --type cyclonedx.\n"
	"\n"
	"options:\n"
	"  --key KEY                  the private key to sign with (PEM PKCS#8, or a cosign.key)\n"
	"  --type TYPE                the predicate type (see above)\n"
	"  --predicate FILE           the predicate (JSON)\n"
	"  --new-bundle-format        store a Sigstore bundle as an OCI 1.1 referrer instead of a .att layer\n"
	"  --bundle OUT               file mode: write the bundle to OUT (\"-\": standard output)\n"
	"  --ca-file FILE             extra CA certificates for registry TLS\n"
	"  --insecure-registry HOST   allow plain HTTP to HOST (repeatable; loopback needs no flag)\n"
	"\n"
	"Exit status: 0 attested; 2 bad usage or input; 3 a registry or I/O failure.\n";

struct attest_args {
	const char *key_path, *type, *predicate_path, *bundle_path, *operand;
	int new_bundle_format;
	struct cli_registry_args reg;
};

static int parse_options(int argc, char **argv, struct attest_args *a)
{
	static const struct option options[] = {
		{"key", required_argument, NULL, 'k'},
		{"type", required_argument, NULL, 't'},
		{"predicate", required_argument, NULL, 'p'},
		{"new-bundle-format", no_argument, NULL, 'N'},
		{"bundle", required_argument, NULL, 'b'},
		CLI_OPTIONS_TLS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = cli_next_option(argc, argv, ":", options, &a->reg, NULL, "attest")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'k': a->key_path = optarg; break;
		case 't': a->type = optarg; break;
		case 'p': a->predicate_path = optarg; break;
		case 'N': a->new_bundle_format = 1; break;
		case 'b': a->bundle_path = optarg; break;
		case 'h': return -1;
		default: return cli_option_error("attest", argv, opt);
		}
	}
	if (a->key_path == NULL)
		return cli_usage_error("attest", "--key is required (keyless signing is not available offline)");
	if (a->type == NULL)
		return cli_usage_error("attest", "--type is required");
	if (a->predicate_path == NULL)
		return cli_usage_error("attest", "--predicate is required");
	if (a->bundle_path && a->new_bundle_format)
		return cli_usage_error("attest", "--new-bundle-format is for images; --bundle is for files");
	if (argc - optind != 1)
		return cli_usage_error("attest", "expected one IMAGE or FILE");
	a->operand = argv[optind];
	if (a->bundle_path && strcmp(a->operand, "-") == 0)
		return cli_usage_error("attest", "FILE must be a file (it is read twice, for SHA-256 and SHA-512)");
	return CLI_OK;
}

/* The predicate file, parsed and checked against the type; *uri the predicate type URI. */
static int load_predicate(const struct attest_args *a, json_t **predicate, const char **uri)
{
	cairn_buf data = CAIRN_BUF_INIT;
	json_t *loose = NULL;
	int err = cairn_file_read(a->predicate_path, CAIRN_ATTEST_MAX_PREDICATE, &data);
	/* the type name "slsaprovenance" depends on the predicate, so parse once without a shape check */
	if (!err)
		err = cairn_json_parse(&loose, data.data, data.len, NULL, a->predicate_path);
	if (!err)
		err = cairn_attest_type_uri(a->type, json_is_object(loose) ? loose : NULL, uri);
	if (!err)
		err = cairn_attest_predicate_parse(predicate, data.data, data.len, *uri, a->predicate_path);
	json_decref(loose);
	cairn_buf_free(&data);
	return err;
}

static int attest_file(const struct attest_args *a, const cairn_key *key, const json_t *predicate, const char *uri)
{
	cairn_digest digests[2];
	cairn_buf statement = CAIRN_BUF_INIT, bundle = CAIRN_BUF_INIT;
	const char *slash = strrchr(a->operand, '/');
	const char *name = slash ? slash + 1 : a->operand;
	int err = cairn_digest_file(CAIRN_DIGEST_SHA256, a->operand, &digests[0]);
	if (!err)
		err = cairn_digest_file(CAIRN_DIGEST_SHA512, a->operand, &digests[1]);
	if (!err)
		err = cairn_attest_statement_make(name, digests, 2, uri, predicate, &statement);
	if (!err)
		err = cairn_bundle_write_dsse(key, statement.data, statement.len, "attestation statement", &bundle);
	if (!err)
		err = cairn_file_write_or_stdout(a->bundle_path, bundle.data, bundle.len, 0644);
	int status = err ? cli_report_error() : CLI_OK;
	if (!err && strcmp(a->bundle_path, "-") != 0)
		fprintf(stderr, "Attestation of type %s for %s written to %s\n", uri, a->operand, a->bundle_path);
	cairn_buf_free(&statement);
	cairn_buf_free(&bundle);
	return status;
}

static int attest_image(struct attest_args *a, const cairn_key *key, const json_t *predicate, const char *uri)
{
	cairn_ref ref;
	int status = cli_registry_ref(a->operand, &ref);
	if (status != CLI_OK)
		return status;
	cairn_registry *reg = NULL;
	cairn_attest_pushed pushed;
	cairn_buf digest = CAIRN_BUF_INIT, where = CAIRN_BUF_INIT;
	if (cairn_registry_new(&reg, ref.registry, &a->reg.opts.registry) ||
	    cairn_attest_image(reg, &ref, key, uri, predicate, a->new_bundle_format, &pushed) ||
	    cairn_digest_format(&pushed.image, &digest)) {
		status = cli_report_error();
	} else {
		printf("%s/%s@%s\n", ref.registry, ref.repository, cairn_buf_cstr(&digest));
		if (a->new_bundle_format) {
			cairn_digest_format(&pushed.manifest, &where);
			fprintf(stderr, "Attestation (%s) pushed as referrer %s/%s@%s\n", uri, ref.registry, ref.repository,
				cairn_buf_cstr(&where));
		} else {
			cairn_attest_tag(&pushed.image, &where);
			fprintf(stderr, "%s (%s) %s/%s:%s\n", pushed.added ? "Attestation pushed to" : "Already attested:", uri,
				ref.registry, ref.repository, cairn_buf_cstr(&where));
		}
	}
	cairn_buf_free(&digest);
	cairn_buf_free(&where);
	cairn_registry_free(reg);
	cairn_ref_free(&ref);
	return status;
}

int cmd_attest(int argc, char **argv)
{
	struct attest_args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc, argv, &a);
	if (status != CLI_OK)
		return status == -1 ? cli_print_usage("attest") : status;
	json_t *predicate = NULL;
	const char *uri = NULL;
	cairn_key *key = NULL;
	if (load_predicate(&a, &predicate, &uri) || cairn_key_load_private_file(&key, a.key_path)) {
		status = cli_report_error();
	} else {
		status = a.bundle_path ? attest_file(&a, key, predicate, uri) : attest_image(&a, key, predicate, uri);
	}
	json_decref(predicate);
	cairn_key_free(key);
	return status;
}
