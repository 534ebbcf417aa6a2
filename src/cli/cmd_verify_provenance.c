/* cairn verify-provenance: SLSA provenance for an artifact, with slsa-verifier's semantics. */
#include "cli.h"

#include "cairn/json.h"
#include "cairn/provenance.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORKFLOW_INPUTS 64

const char cmd_verify_provenance_usage[] =
	"usage: cairn verify-provenance (--provenance FILE [--key PUB] | --bundle FILE | --attestations FILE)\n"
	"                               --source-uri URI [--builder-id ID]\n"
	"                               [--source-tag T | --source-versioned-tag vX[.Y[.Z]]] [--source-branch B]\n"
	"                               [--build-workflow-input NAME=VALUE]... [--trusted-root ROOT]\n"
	"                               [--package-name N] [--package-version V] [--npm-key PUB] [--rekor-url URL]\n"
	"                               ARTIFACT|sha256:HEX...\n"
	"       cairn verify-provenance --source-uri URI [--builder-id ID] [...] oci-dir:DIR|registry:REF...\n"
	"\n"
	"Verifies that the provenance names each ARTIFACT (a file, or its digest) as a subject, that it is\n"
	"signed, and that its builder, source repository and ref are the expected ones:\n"
	"  --provenance FILE (--provenance-path): a Sigstore bundle from GitHub Actions (slsa-github-generator's\n"
	"      .intoto.jsonl, .build.slsa, .sigstore), verified offline against ROOT, default the public-good\n"
	"      root; with --key, a DSSE envelope (or the first line of a .intoto.jsonl) signed by PUB.\n"
	"      --bundle FILE is the same as --provenance FILE without --key. A bare envelope signed with a\n"
	"      certificate (slsa-github-generator before v2.1) has its log entry fetched from --rekor-url URL.\n"
	"  --attestations FILE (--attestations-path): npm's attestations for a package version, as the\n"
	"      registry serves them at /-/npm/v1/attestations/NAME@VERSION; ARTIFACT is the tarball. Both\n"
	"      the provenance and the registry's publish attestation must verify (the registry's key:\n"
	"      npm's, or --npm-key PUB for another registry); --package-name and --package-version are\n"
	"      checked against both.\n"
	"\n"
	"An image carries its own provenance, in a registry (registry:REF, by tag or digest) or saved with its\n"
	"attestations by `cosign save` (oci-dir:DIR): its keyless .att layers are checked for the image's\n"
	"digest, slsa-github-generator's container generator being the default builder, as slsa-verifier\n"
	"verify-image does. --insecure-registry HOST and --ca-file PEM as for the other image commands.\n"
	"\n"
	"For GitHub the builder is the certificate's workflow: by default only slsa-github-generator's\n"
	"builders at a release tag are trusted; --builder-id names another (NAME or NAME@refs/tags/vX.Y.Z or\n"
	"NAME@vX.Y.Z); with a BYOB delegator it is the builder the provenance names. npm provenance needs\n"
	"--builder-id https://github.com/actions/runner/github-hosted.\n"
	"--source-uri is github.com/OWNER/REPO for GitHub; for `cairn build` provenance, the git remote it\n"
	"recorded or file://DIR. --source-versioned-tag v1.2 accepts any v1.2.x tag.\n"
	"\n"
	"Prints the verified builder and source and exits 0; exits 1 naming the check that failed.\n"
	"--print-provenance writes the verified in-toto statement to standard output (and the rest to\n"
	"standard error), as slsa-verifier does.\n";

struct prov_input {
	const char *provenance, *bundle, *attestations, *key_path, *npm_key_path, *root_path, *rekor_url;
};

#define IMAGE_LAYOUT "oci-dir:"
#define IMAGE_REGISTRY "registry:"

static int is_layout(const char *artifact)
{
	return strncmp(artifact, IMAGE_LAYOUT, strlen(IMAGE_LAYOUT)) == 0;
}

static int is_image(const char *artifact)
{
	return is_layout(artifact) || strncmp(artifact, IMAGE_REGISTRY, strlen(IMAGE_REGISTRY)) == 0;
}

/* Options that only some kinds of input take, and those that exclude each other. */
static int check_options(const struct prov_input *in, const cairn_provenance_expect *e, char **artifact, int artifacts)
{
	int kinds = (in->provenance != NULL) + (in->bundle != NULL) + (in->attestations != NULL), images = 0;
	for (int i = 0; i < artifacts; i++)
		images += is_image(artifact[i]);
	if (images > 0 && (kinds > 0 || images < artifacts))
		return cli_usage_error("verify-provenance", "an image (oci-dir:DIR or registry:REF) carries its own "
				       "provenance: give images alone, without --provenance, --bundle or --attestations");
	if (kinds != 1 && images == 0)
		return cli_usage_error("verify-provenance", "give one of --provenance, --bundle or --attestations, or an "
				       "image (oci-dir:DIR or registry:REF)");
	if (in->key_path && !in->provenance)
		return cli_usage_error("verify-provenance", "--key applies to --provenance only");
	if (in->npm_key_path && !in->attestations)
		return cli_usage_error("verify-provenance", "--npm-key applies to --attestations only");
	if ((e->package_name || e->package_version) && !in->attestations)
		return cli_usage_error("verify-provenance", "--package-name and --package-version apply to --attestations only");
	if (in->rekor_url && (in->key_path || in->attestations))
		return cli_usage_error("verify-provenance", "--rekor-url applies to certificate-signed envelopes only");
	if (in->key_path && in->root_path)
		return cli_usage_error("verify-provenance", "--trusted-root applies to certificate-signed provenance, not to --key");
	if (e->source_uri == NULL || e->source_uri[0] == '\0')
		return cli_usage_error("verify-provenance", "--source-uri is required");
	if (e->source_tag && e->source_versioned_tag)
		return cli_usage_error("verify-provenance", "give --source-tag or --source-versioned-tag, not both");
	/* a valid pattern matches itself; one that is not a version is refused now, not after verifying */
	if (e->source_versioned_tag &&
	    cairn_provenance_versioned_tag_check(e->source_versioned_tag, e->source_versioned_tag) == CAIRN_EINVAL)
		return cli_usage_error("verify-provenance", "--source-versioned-tag %s: not a semantic version (vX, vX.Y or vX.Y.Z)",
				       e->source_versioned_tag);
	if (artifacts < 1)
		return cli_usage_error("verify-provenance", "expected an ARTIFACT");
	if (in->attestations && artifacts != 1)
		return cli_usage_error("verify-provenance", "--attestations verifies one package tarball");
	return CLI_OK;
}

/* A .jsonl holds one document per line: its first line when that is a whole JSON value, else the
 * whole file (a pretty-printed bundle). *parsed is that document, NULL when it is not JSON. */
static void first_document(const cairn_buf *doc, const char **text, size_t *len, json_t **parsed)
{
	const char *p = (const char *)doc->data, *end = p + doc->len;
	while (p < end && (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t'))
		p++;
	*text = p;
	*len = (size_t)(end - p);
	*parsed = NULL;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (nl && cairn_json_parse(parsed, p, (size_t)(nl - p), NULL, "provenance") == 0)
		*len = (size_t)(nl - p);
	else if (cairn_json_parse(parsed, p, *len, NULL, "provenance") != 0)
		*parsed = NULL;
}

/* --provenance without --key: a Sigstore bundle, or a bare DSSE envelope whose signature carries a
 * certificate (slsa-github-generator before v2.1). Such an envelope has nothing to say when it was
 * signed: its log entry, which does, is fetched from --rekor-url, as slsa-verifier fetches it from
 * Rekor; offline it cannot be verified. Returns 1 for such an envelope, 0 for anything else. */
static int bare_envelope(const json_t *doc, const char *path, const char *rekor_url, int *is_bare)
{
	const json_t *sigs = json_object_get(doc, "signatures");
	*is_bare = 0;
	if (json_object_get(doc, "mediaType") != NULL || json_object_get(doc, "payloadType") == NULL)
		return 0;
	for (size_t i = 0; i < json_array_size(sigs); i++)
		*is_bare |= json_object_get(json_array_get(sigs, i), "cert") != NULL;
	if (!*is_bare)
		return cairn_error_set(CAIRN_EINVAL, "%s: a DSSE envelope without a certificate: give the key that signed it with --key", path);
	if (rekor_url == NULL)
		return cairn_error_set(CAIRN_EVERIFY,
				       "%s: a DSSE envelope signed with a Fulcio certificate but without its "
				       "transparency-log entry, which proves when it was signed: it cannot be verified "
				       "offline (give the log that holds its entry with --rekor-url, as slsa-verifier looks "
				       "it up in the public Rekor, or use the builder's Sigstore bundle)",
				       path);
	return 0;
}

static int set_artifact(cairn_provenance_expect *e, const char *artifact)
{
	e->artifact_path = NULL;
	if (strncmp(artifact, "sha256:", 7) == 0 || strncmp(artifact, "sha512:", 7) == 0 || strncmp(artifact, "sha384:", 7) == 0) {
		if (cairn_digest_parse(artifact, strlen(artifact), &e->artifact) != 0)
			return cli_usage_error("verify-provenance", "not a digest: %s", artifact);
		return CLI_OK;
	}
	e->artifact_path = artifact;
	return CLI_OK;
}

/* An image's own provenance: from a layout `cosign save` wrote, or from its registry. */
static int verify_image(const char *artifact, struct cli_registry_args *reg_args, const cairn_trusted_root *root,
			const cairn_provenance_expect *e, cairn_provenance_result *result)
{
	cairn_digest image;
	if (is_layout(artifact))
		return cairn_provenance_verify_image_layout(artifact + strlen(IMAGE_LAYOUT), root, 0, e, &image, result);
	cairn_ref ref;
	if (cairn_ref_parse(&ref, artifact + strlen(IMAGE_REGISTRY)) != 0)
		return cairn_error_prefix(CAIRN_EINVAL, "%s", artifact);
	cairn_registry *reg = NULL;
	int err = cairn_registry_new(&reg, ref.registry, &reg_args->opts.registry);
	if (!err)
		err = cairn_provenance_verify_image_registry(reg, &ref, root, 0, e, &image, result);
	cairn_registry_free(reg);
	cairn_ref_free(&ref);
	return err;
}

static void print_passed(FILE *out, const char *artifact, const cairn_provenance_expect *e,
			 const cairn_provenance_result *r)
{
	fprintf(out, "PASSED: %s built by %s from %s%s%s", artifact, r->builder_id, r->source_uri, r->source_commit ? " at " : "",
	       r->source_commit ? r->source_commit : "");
	if (e->package_name || e->package_version)
		fprintf(out, " (npm package %s%s%s)", e->package_name ? e->package_name : "", e->package_version ? "@" : "",
		       e->package_version ? e->package_version : "");
	fprintf(out, "\n");
}

/* What the options name, read once for every ARTIFACT. */
struct loaded {
	cairn_buf doc;           /* the provenance file, or the npm document */
	const char *text;        /* the provenance to verify: doc's first document, or `fetched` */
	size_t len;
	json_t *parsed;          /* that first document, when it is JSON */
	cairn_buf fetched;       /* a bare envelope restated as a bundle with its log entry */
	cairn_key *key;          /* --key or --npm-key */
	cairn_trusted_root *root;
};

static void loaded_free(struct loaded *l)
{
	json_decref(l->parsed);
	cairn_buf_free(&l->fetched);
	cairn_trusted_root_free(l->root);
	cairn_key_free(l->key);
	cairn_buf_free(&l->doc);
}

static int load_inputs(const struct prov_input *in, const char *path, struct loaded *l)
{
	int err = path ? cairn_file_read(path, CAIRN_FILE_LIMIT_DOCUMENT, &l->doc) : 0;
	if (!err && (in->key_path || in->npm_key_path))
		err = cairn_key_load_public_file(&l->key, in->key_path ? in->key_path : in->npm_key_path);
	if (!err && !in->key_path)
		err = in->root_path ? cairn_trusted_root_load_file(&l->root, in->root_path)
				    : cairn_trusted_root_public_good(&l->root);
	if (err || path == NULL)
		return err;
	first_document(&l->doc, &l->text, &l->len, &l->parsed);
	int is_bare = 0;
	if (!in->key_path && !in->attestations && l->parsed)
		err = bare_envelope(l->parsed, path, in->rekor_url, &is_bare);
	if (!err && is_bare) {
		err = cairn_provenance_bundle_from_log(l->text, l->len, path, in->rekor_url, NULL, &l->fetched);
		l->text = (const char *)l->fetched.data;
		l->len = l->fetched.len;
	}
	return err;
}

int cmd_verify_provenance(int argc, char **argv)
{
	static const struct option options[] = {
		{"provenance", required_argument, NULL, 'p'},
		{"provenance-path", required_argument, NULL, 'p'},
		{"bundle", required_argument, NULL, 'b'},
		{"attestations", required_argument, NULL, 'a'},
		{"attestations-path", required_argument, NULL, 'a'},
		{"key", required_argument, NULL, 'k'},
		{"npm-key", required_argument, NULL, 'N'},
		{"trusted-root", required_argument, NULL, 'r'},
		{"rekor-url", required_argument, NULL, 'R'},
		{"source-uri", required_argument, NULL, 'u'},
		{"builder-id", required_argument, NULL, 'i'},
		{"source-tag", required_argument, NULL, 't'},
		{"source-branch", required_argument, NULL, 'B'},
		{"source-versioned-tag", required_argument, NULL, 'V'},
		{"build-workflow-input", required_argument, NULL, 'w'},
		{"package-name", required_argument, NULL, 'n'},
		{"package-version", required_argument, NULL, 'v'},
		{"print-provenance", no_argument, NULL, 'P'},
		CLI_OPTIONS_TLS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct prov_input in;
	memset(&in, 0, sizeof in);
	cairn_provenance_expect e;
	memset(&e, 0, sizeof e);
	const char *inputs[MAX_WORKFLOW_INPUTS];
	int print_provenance = 0;
	e.workflow_inputs = inputs;
	int opt;
	struct cli_registry_args reg_args;
	memset(&reg_args, 0, sizeof reg_args);
	while ((opt = cli_next_option(argc, argv, "", options, &reg_args, NULL, "verify-provenance")) != -1) {
		switch (opt) {
		case CLI_OPT_REFUSED: return CLI_USAGE;
		case 'p': in.provenance = optarg; break;
		case 'b': in.bundle = optarg; break;
		case 'a': in.attestations = optarg; break;
		case 'k': in.key_path = optarg; break;
		case 'N': in.npm_key_path = optarg; break;
		case 'r': in.root_path = optarg; break;
		case 'R': in.rekor_url = optarg; break;
		case 'u': e.source_uri = optarg; break;
		case 'i': e.builder_id = optarg; break;
		case 't': e.source_tag = optarg; break;
		case 'B': e.source_branch = optarg; break;
		case 'V': e.source_versioned_tag = optarg; break;
		case 'n': e.package_name = optarg; break;
		case 'v': e.package_version = optarg; break;
		case 'w':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=')
				return cli_usage_error("verify-provenance", "--build-workflow-input %s: expected NAME=VALUE", optarg);
			if (e.workflow_input_count == MAX_WORKFLOW_INPUTS)
				return cli_usage_error("verify-provenance", "too many --build-workflow-input options");
			inputs[e.workflow_input_count++] = optarg;
			break;
		case 'P': print_provenance = 1; break;
		case 'h': return cli_print_usage("verify-provenance");
		default: return cli_option_error("verify-provenance", argv, opt);
		}
	}
	int status = check_options(&in, &e, argv + optind, argc - optind);
	if (status == CLI_OK)
		status = cli_registry_finish(&reg_args, "verify-provenance");
	if (status != CLI_OK) {
		cli_registry_free(&reg_args);
		return status;
	}
	const char *path = in.attestations ? in.attestations : in.provenance ? in.provenance : in.bundle;
	struct loaded l = {CAIRN_BUF_INIT, NULL, 0, NULL, CAIRN_BUF_INIT, NULL, NULL};
	int err = load_inputs(&in, path, &l);
	for (int i = optind; !err && i < argc; i++) {
		if (!is_image(argv[i]) && (status = set_artifact(&e, argv[i])) != CLI_OK)
			break;
		cairn_provenance_result result;
		memset(&result, 0, sizeof result);
		int verr = is_image(argv[i]) ? verify_image(argv[i], &reg_args, l.root, &e, &result)
			   : in.attestations ? cairn_provenance_verify_npm(l.doc.data, l.doc.len, path, l.root, l.key, 0, &e, &result)
			   : in.key_path     ? cairn_provenance_verify_dsse(l.doc.data, l.doc.len, path, l.key, &e, &result)
					     : cairn_provenance_verify_bundle(l.text, l.len, path, l.root, 0, &e, &result);
		if (verr == 0) {
			print_passed(print_provenance ? stderr : stdout, argv[i], &e, &result);
			if (print_provenance) {
				fwrite(result.statement.data, 1, result.statement.len, stdout);
				putchar('\n');
			}
		} else if (verr == CAIRN_EVERIFY) {
			fprintf(stderr, "cairn verify-provenance: %s: FAILED: %s\n", argv[i], cairn_error_message());
			status = CLI_FAILED;
		} else {
			err = verr;
		}
		cairn_provenance_result_free(&result);
	}
	if (err == CAIRN_EVERIFY) {
		fprintf(stderr, "cairn verify-provenance: FAILED: %s\n", cairn_error_message());
		status = CLI_FAILED;
	} else if (err) {
		status = cli_report_error();
	}
	cli_registry_free(&reg_args);
	loaded_free(&l);
	return status;
}
