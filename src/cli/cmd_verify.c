/* cairn verify: checks a container image's cosign signatures in its registry, as `cosign verify`
 * does; or, with --payload, one payload and signature held in files (signatures copied out of a
 * registry, or fixtures such as containers/image's). */
#include "cli.h"

#include "cairn/cosign.h"
#include "cairn/json.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char cmd_verify_usage[] =
	"usage: cairn verify --key PUB [options] IMAGE\n"
	"       cairn verify (--certificate-identity ID | --certificate-identity-regexp RE)\n"
	"                    (--certificate-oidc-issuer URL | --certificate-oidc-issuer-regexp RE) [options] IMAGE\n"
	"       cairn verify --payload FILE --signature FILE [--certificate PEM --rekor-bundle JSON]\n"
	"                    (--key PUB | identity options) MANIFEST|sha256:HEX\n"
	"\n"
	"Verifies the cosign signatures of IMAGE (REGISTRY/REPO:TAG, REGISTRY/REPO@DIGEST, or registry:REF):\n"
	"the tag is resolved to the manifest digest, then every layer of the sha256-<hex>.sig manifest and\n"
	"every Sigstore bundle stored as an OCI 1.1 referrer (artifactType\n"
	"application/vnd.dev.sigstore.bundle.v0.3+json) is checked: the payload must name this digest, and\n"
	"the signature must verify with PUB, or carry a Fulcio certificate that chains to the trusted root at\n"
	"the time its Rekor bundle proves, with the required identity and issuer. A keyless signature without\n"
	"a Rekor bundle is refused (nothing proves when it was made). Lists each signature that verified.\n"
	"\n"
	"The --payload form checks one simple-signing payload and its base64 signature from files against a\n"
	"manifest file (its SHA-256 is the image digest) or a digest.\n"
	"\n"
	"options:\n"
	"  --key PUB                           the public key (PEM) that must have signed\n"
	"  --certificate-identity ID           the signer's identity (a certificate SAN) exactly\n"
	"  --certificate-identity-regexp RE    ... or a POSIX extended regular expression for it\n"
	"  --certificate-oidc-issuer URL       the OIDC issuer, exactly\n"
	"  --certificate-oidc-issuer-regexp RE ... or a regular expression for it\n"
	"  --trusted-root ROOT                 trusted_root.json (default: the Sigstore public-good root)\n"
	"  --docker-reference REPO             also require the payload to name repository REPO (as\n"
	"                                      containers/image's matchRepository; cosign ignores the field)\n"
	"  -o, --output text|json              json: an array of the verified payloads, as cosign prints them\n"
	"  --payload FILE, --signature FILE    the --payload form: payload bytes and base64 signature\n"
	"  --certificate PEM, --rekor-bundle JSON  the --payload form of a keyless signature\n"
	"  --ca-file FILE                      extra CA certificates for registry TLS\n"
	"  --insecure-registry HOST            allow plain HTTP to HOST (repeatable; loopback needs no flag)\n"
	"\n"
	"Exit status: 0 at least one signature verified; 1 none did (each reason is printed); 2 bad usage or\n"
	"unreadable input; 3 a registry, I/O or internal failure.\n";

struct verify_args {
	cairn_cosign_verify_options opts;
	struct cli_registry_args reg;
	struct cli_trust_args trust;
	const char *payload_path, *sig_path, *cert_path, *rekor_path;
	int json;
	const char *operand;
};

static int parse_options(int argc, char **argv, struct verify_args *a)
{
	static const struct option options[] = {
		CLI_OPTIONS_TRUST,
		{"docker-reference", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"payload", required_argument, NULL, 'P'},
		{"signature", required_argument, NULL, 's'},
		{"certificate", required_argument, NULL, 'C'},
		{"rekor-bundle", required_argument, NULL, 'R'},
		CLI_OPTIONS_TLS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = cli_next_option(argc, argv, ":o:", options, &a->reg, &a->trust, "verify")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'd': a->opts.docker_reference = optarg; break;
		case 'o':
			if (cli_output_json(&a->json, "verify") != CLI_OK)
				return CLI_USAGE;
			break;
		case 'P': a->payload_path = optarg; break;
		case 's': a->sig_path = optarg; break;
		case 'C': a->cert_path = optarg; break;
		case 'R': a->rekor_path = optarg; break;
		case 'h': return -1;
		default: return cli_option_error("verify", argv, opt);
		}
	}
	if (cli_trust_check(&a->trust, "verify") != CLI_OK)
		return CLI_USAGE;
	if (!a->payload_path && (a->sig_path || a->cert_path || a->rekor_path))
		return cli_usage_error("verify", "--signature, --certificate and --rekor-bundle go with --payload");
	if (a->payload_path && !a->sig_path)
		return cli_usage_error("verify", "--payload needs --signature");
	if (argc - optind != 1)
		return cli_usage_error("verify", "expected one IMAGE");
	a->operand = argv[optind];
	return CLI_OK;
}

/* The payload as JSON, with what a keyless signature established added under "optional", as cosign
 * adds Subject and Issuer. */
static json_t *payload_json(const cairn_cosign_verified *v)
{
	json_t *value = json_loads(v->payload, 0, NULL);
	if (value == NULL)
		return json_string(v->payload);
	if (v->identity && json_is_object(value) && json_object_get(value, "critical")) {
		json_t *optional = json_object_get(value, "optional");
		if (!json_is_object(optional)) {
			optional = json_object();
			json_object_set_new(value, "optional", optional);
		}
		json_object_set_new(optional, "Subject", json_string(v->identity));
		if (v->issuer)
			json_object_set_new(optional, "Issuer", json_string(v->issuer));
	}
	return value;
}

static void print_one(const cairn_cosign_verified *v, size_t n)
{
	printf("signature %zu: verified (%s)", n, v->from_referrer ? "Sigstore bundle referrer" : "cosign .sig layer");
	if (v->docker_reference)
		printf(", docker-reference %s", v->docker_reference);
	if (v->identity)
		printf(", signed by %s", v->identity);
	if (v->issuer)
		printf(" (issuer %s)", v->issuer);
	if (v->signed_at) {
		char when[32];
		time_t t = (time_t)v->signed_at;
		struct tm tm;
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		printf(", logged at %s", when);
	}
	printf("\n");
}

static int print_results(const struct verify_args *a, const char *name, const cairn_digest *digest,
			 const cairn_cosign_verified *list, size_t count)
{
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest_format(digest, &text);
	if (a->json) {
		json_t *array = json_array();
		for (size_t i = 0; i < count; i++)
			json_array_append_new(array, payload_json(&list[i]));
		char *dump = json_dumps(array, JSON_COMPACT);
		json_decref(array);
		if (dump == NULL) {
			cairn_buf_free(&text);
			return CLI_INTERNAL;
		}
		printf("%s\n", dump);
		free(dump);
	} else {
		printf("%s@%s: %zu signature%s verified\n", name, cairn_buf_cstr(&text), count, count == 1 ? "" : "s");
		for (size_t i = 0; i < count; i++)
			print_one(&list[i], i + 1);
	}
	cairn_buf_free(&text);
	return CLI_OK;
}

static int failed(int err)
{
	if (err == CAIRN_EVERIFY) {
		fprintf(stderr, "cairn verify: %s\n", cairn_error_message());
		return CLI_FAILED;
	}
	return cli_report_error();
}

static int read_text(const char *path, cairn_buf *out)
{
	int err = cairn_file_read(path, CAIRN_FILE_LIMIT_SMALL, out);
	if (!err && strlen(cairn_buf_cstr(out)) != out->len)
		err = cairn_error_set(CAIRN_EINVAL, "%s: holds a NUL byte", path);
	return err;
}

/* The --payload form: the image digest is the operand, or the SHA-256 of the manifest file it names. */
static int verify_files(struct verify_args *a)
{
	cairn_buf payload = CAIRN_BUF_INIT, sig = CAIRN_BUF_INIT, cert = CAIRN_BUF_INIT, rekor = CAIRN_BUF_INIT;
	cairn_buf manifest = CAIRN_BUF_INIT;
	cairn_digest digest;
	cairn_cosign_verified v;
	memset(&v, 0, sizeof v);
	int err;
	if (strncmp(a->operand, "sha256:", 7) == 0) {
		err = cairn_digest_parse(a->operand, strlen(a->operand), &digest);
	} else {
		err = cairn_file_read(a->operand, CAIRN_REGISTRY_MAX_MANIFEST, &manifest);
		json_t *m = NULL;
		int is_schema1 = !err && cairn_json_parse(&m, manifest.data, manifest.len, NULL, a->operand) == 0 &&
				 json_integer_value(json_object_get(m, "schemaVersion")) == 1;
		json_decref(m);
		if (!err)
			cairn_error_clear(); /* a manifest that is not JSON still has a digest */
		if (is_schema1)
			err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: a Docker schema 1 manifest, whose digest cairn "
								  "does not compute", a->operand);
		if (!err)
			err = cairn_digest_compute(CAIRN_DIGEST_SHA256, manifest.data, manifest.len, &digest);
	}
	if (!err)
		err = cairn_file_read(a->payload_path, CAIRN_COSIGN_MAX_PAYLOAD, &payload);
	if (!err)
		err = read_text(a->sig_path, &sig);
	while (!err && sig.len && (sig.data[sig.len - 1] == '\n' || sig.data[sig.len - 1] == '\r' || sig.data[sig.len - 1] == ' '))
		sig.data[--sig.len] = '\0';
	if (!err && a->cert_path)
		err = read_text(a->cert_path, &cert);
	if (!err && a->rekor_path)
		err = read_text(a->rekor_path, &rekor);
	int status;
	if (err) {
		status = cli_report_error();
	} else {
		cairn_cosign_signature s = {payload.data, payload.len, cairn_buf_cstr(&sig),
					    a->cert_path ? cairn_buf_cstr(&cert) : NULL, NULL,
					    a->rekor_path ? cairn_buf_cstr(&rekor) : NULL};
		err = cairn_cosign_verify_signature(&s, &digest, &a->opts, &v);
		status = err ? failed(err) : print_results(a, a->payload_path, &digest, &v, 1);
	}
	cairn_cosign_verified_free(&v);
	cairn_buf_free(&payload);
	cairn_buf_free(&sig);
	cairn_buf_free(&cert);
	cairn_buf_free(&rekor);
	cairn_buf_free(&manifest);
	return status;
}

static int verify_registry(struct verify_args *a)
{
	cairn_ref ref;
	int status = cli_registry_ref(a->operand, &ref);
	if (status != CLI_OK)
		return status;
	cairn_registry *reg = NULL;
	cairn_cosign_report report;
	memset(&report, 0, sizeof report);
	cairn_buf name = CAIRN_BUF_INIT;
	int err = cairn_registry_new(&reg, ref.registry, &a->reg.opts.registry);
	if (!err)
		err = cairn_cosign_verify_image(reg, &ref, &a->opts, &report);
	if (err) {
		status = failed(err);
	} else {
		cairn_buf_printf(&name, "%s/%s", ref.registry, ref.repository);
		status = print_results(a, cairn_buf_cstr(&name), &report.image, report.verified, report.verified_count);
	}
	cairn_buf_free(&name);
	cairn_cosign_report_free(&report);
	cairn_registry_free(reg);
	cairn_ref_free(&ref);
	return status;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_args a;
	memset(&a, 0, sizeof a);
	int status = parse_options(argc, argv, &a);
	if (status != CLI_OK)
		return status == -1 ? cli_print_usage("verify") : status;
	if ((status = cli_trust_load(&a.trust, &a.opts.key, &a.opts.identity, &a.opts.root)) != CLI_OK)
		return status;
	status = a.payload_path ? verify_files(&a) : verify_registry(&a);
	cli_trust_free(&a.trust);
	return status;
}
