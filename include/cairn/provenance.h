/* cairn/provenance.h - SLSA v1 provenance: isolated builds that produce it, and its verification.
 *
 * Three parts:
 *
 *  - the isolation (src/attest/isolate.c): runs a command in new user, mount, PID, IPC, UTS and
 *    network namespaces, in a root made of a tmpfs, read-only bind mounts of the toolchain
 *    directories and the declared inputs, and a writable /workspace holding a copy of the source;
 *    with a scrubbed environment, no network and a time limit;
 *  - the predicate (src/attest/slsa.c): an in-toto Statement v1 whose predicate is SLSA provenance
 *    v1 with buildType CAIRN_SLSA_BUILD_TYPE (its fields are described in docs/slsa.md);
 *  - the verification (src/attest/provenance_verify.c), with slsa-verifier's semantics: a subject
 *    carries the artifact's digest, the signature verifies (a DSSE envelope with a key, or a Sigstore
 *    bundle whose certificate is a trusted GitHub Actions builder), and the builder ID, the source
 *    repository and the tag or branch match what the caller expects. */
#ifndef CAIRN_PROVENANCE_H
#define CAIRN_PROVENANCE_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/dsse.h"
#include "cairn/key.h"
#include "cairn/ref.h"
#include "cairn/registry.h"
#include "cairn/trustroot.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CAIRN_SLSA_PROVENANCE_V1 "https://slsa.dev/provenance/v1"
#define CAIRN_SLSA_PROVENANCE_V02 "https://slsa.dev/provenance/v0.2"
/* The buildType of provenance cairn writes; docs/slsa.md defines its parameters. */
#define CAIRN_SLSA_BUILD_TYPE "https://cairn.dev/build/v1"
/* The builder.id of `cairn build` on one machine. */
#define CAIRN_SLSA_BUILDER_ID "https://cairn.dev/builder/local/v1"

#define CAIRN_BUILD_MAX_INPUTS 256
#define CAIRN_BUILD_MAX_OUTPUTS 256
#define CAIRN_BUILD_MAX_ARGS 4096

/* --- the isolation ---------------------------------------------------------------------------------- */

typedef struct cairn_isolate_options {
	const char *workspace;            /* host directory mounted read-write at /workspace (the cwd) */
	const char *const *inputs;        /* host paths mounted read-only at the same absolute path */
	size_t input_count;
	char *const *argv;                /* the command; argv[0] is looked up in the sandbox PATH */
	int timeout_seconds;              /* > 0 */
	const char *source_date_epoch;    /* passed as SOURCE_DATE_EPOCH when non-NULL */
} cairn_isolate_options;

/* Runs argv isolated (see above). The command's standard output and error both go to this process's
 * standard error, its standard input is /dev/null. *exit_status receives its exit status (128+N when a
 * signal N ended it). 0 when the command ran (whatever its status); CAIRN_EVERIFY when the time limit
 * was hit (the whole sandbox is killed); CAIRN_EUNSUPPORTED when namespaces cannot be made here;
 * CAIRN_EINTERNAL/CAIRN_EIO for other failures, naming the step. */
int cairn_isolate_run(const cairn_isolate_options *options, int *exit_status);

/* Copies the tree at src into the existing directory dst (regular files, directories and symlinks,
 * keeping permission bits; other file types are refused). Bounded to CAIRN_BUILD_MAX_TREE_FILES. */
#define CAIRN_BUILD_MAX_TREE_FILES 200000
int cairn_tree_copy(const char *src, const char *dst);

/* Opens root/rel for reading without following any symlink and without leaving root ("..",
 * absolute paths and symlinks are refused): what the parent uses to read what a build wrote. */
int cairn_path_open_beneath(const char *root, const char *rel, int *fd_out);

/* --- the predicate ---------------------------------------------------------------------------------- */

/* A digest of a directory tree, independent of timestamps and owners ("cairn dirhash v1", defined in
 * docs/slsa.md). `.git` at the top is skipped. */
int cairn_slsa_dirhash(const char *dir, cairn_digest *out);

typedef struct cairn_slsa_artifact {
	const char *name;   /* a path or a URI */
	cairn_digest digest; /* sha256 */
} cairn_slsa_artifact;

typedef struct cairn_slsa_tool {
	const char *path;    /* the absolute path of the binary (as seen in the sandbox) */
	cairn_digest digest; /* sha256 of the file */
	const char *version; /* first line of `PATH --version`, "" when it has none */
} cairn_slsa_tool;

typedef struct cairn_slsa_build {
	const char *builder_id;          /* CAIRN_SLSA_BUILDER_ID when NULL */
	const char *builder_version;     /* cairn's version */
	char *const *argv;               /* the exact command */
	size_t argc;
	const char *source_uri;          /* the git remote or file://DIR */
	const char *source_ref;          /* refs/heads/B, refs/tags/T, or NULL */
	const char *source_git_commit;   /* 40 hex, or NULL outside git */
	const char *source_git_tree;     /* 40 hex, or NULL */
	cairn_digest source_tree;        /* cairn dirhash v1 of the source */
	const cairn_slsa_artifact *inputs;
	size_t input_count;
	const cairn_slsa_tool *tools;
	size_t tool_count;
	const cairn_slsa_artifact *subjects; /* the outputs */
	size_t subject_count;
	const char *invocation_id;       /* a fresh UUID */
	int64_t started_on, finished_on; /* Unix seconds */
	const char *source_date_epoch;   /* or NULL */
	int timeout_seconds;
	int exit_status;
} cairn_slsa_build;

/* Builds the in-toto Statement v1 with the SLSA v1 predicate; *out is a new reference. */
int cairn_slsa_statement(const cairn_slsa_build *build, json_t **out);

/* --- verification ----------------------------------------------------------------------------------- */

typedef struct cairn_provenance_expect {
	const char *artifact_path; /* the artifact file, or NULL when only its digest is known */
	cairn_digest artifact;    /* used when artifact_path is NULL: sha256, sha384 or sha512 */
	const char *source_uri;   /* github.com/OWNER/REPO, https://..., git+https://..., file://DIR */
	const char *builder_id;   /* NULL: the default trusted builders */
	const char *source_tag;   /* NULL or the tag name (v1.2.3) */
	const char *source_branch; /* NULL or the branch name (main) */
	const char *source_versioned_tag; /* NULL or a semantic version pattern: v1, v1.2, v1.2.3 */
	const char *const *workflow_inputs; /* "NAME=VALUE": inputs of the workflow_dispatch that built it */
	size_t workflow_input_count;
	const char *package_name;    /* npm only: NULL or the package's name (@scope/name) */
	const char *package_version; /* npm only: NULL or its version */
	int image;                   /* the artifact is a container image: its own default builders */
} cairn_provenance_expect;

typedef struct cairn_provenance_result {
	char *builder_id;      /* the verified builder, name@version when known */
	char *source_uri;      /* the provenance's source */
	char *source_commit;   /* the source's git commit, NULL when none */
	char *predicate_type;
	cairn_buf statement;   /* the verified in-toto statement, as signed (empty from check_statement) */
} cairn_provenance_result;
void cairn_provenance_result_free(cairn_provenance_result *result);

/* A DSSE envelope (JSON, or the first line of a .jsonl) signed by key. The payload must be an in-toto
 * statement with SLSA provenance v1 or v0.2; builder and source are checked as for a bundle when they
 * are GitHub's, otherwise exactly (builder_id, when given, must equal builder.id; source_uri must equal
 * the first resolvedDependency's URI, without its @ref or git+ prefix). CAIRN_EVERIFY naming the check
 * that failed. */
int cairn_provenance_verify_dsse(const void *json, size_t len, const char *what, const cairn_key *key,
				 const cairn_provenance_expect *expect, cairn_provenance_result *result);

/* A Sigstore bundle holding a DSSE envelope, verified through cairn_bundle_verify against root at time
 * now (0: the clock); then its certificate is checked as slsa-verifier does for GitHub Actions (see
 * provenance_verify.c) and the provenance against the certificate and the expectations. */
int cairn_provenance_verify_bundle(const void *json, size_t len, const char *what,
				   const cairn_trusted_root *root, int64_t now,
				   const cairn_provenance_expect *expect, cairn_provenance_result *result);

/* npm's attestations for a package version, as the registry serves them at
 * /-/npm/v1/attestations/NAME@VERSION: {"attestations":[{"predicateType":...,"bundle":{...}},...]}.
 * Both must verify, as slsa-verifier's verify-npm-package requires:
 *  - the SLSA provenance bundle, through cairn_provenance_verify_bundle (expect->builder_id is required:
 *    npm's CLI on GitHub's runner is https://github.com/actions/runner/github-hosted);
 *  - the registry's publish attestation: a bundle signed by the registry's key (registry_key, or when
 *    NULL the npm registry's published attestation keys, chosen by the bundle's key hint and valid at
 *    the logged signing time) and logged in Rekor;
 * both naming the tarball's digest; and, when expected, the package name and version in the
 * provenance's single subject (pkg:npm/NAME@VERSION) and in the publish attestation. */
int cairn_provenance_verify_npm(const void *json, size_t len, const char *what, const cairn_trusted_root *root,
				const cairn_key *registry_key, int64_t now, const cairn_provenance_expect *expect,
				cairn_provenance_result *result);

/* A bare DSSE envelope whose one signature carries its Fulcio certificate (slsa-github-generator's
 * .intoto.jsonl before v2.1; json is its line exactly as written), restated as a Sigstore bundle v0.3
 * with the dsse 0.0.1 entry it made in the Rekor v1 log at rekor_url (fetched by the entry's UUID;
 * ca_file: an extra CA for https, or NULL). Nothing the log says is checked here: verify the bundle.
 * CAIRN_EVERIFY when the signature does not verify with the certificate or the log has no entry. */
int cairn_provenance_bundle_from_log(const void *json, size_t len, const char *what, const char *rekor_url,
				     const char *ca_file, cairn_buf *bundle_out);

/* An image saved with its attestations by `cosign save` (an OCI layout whose index.json marks the
 * image and its .att manifest with cosign's "kind" annotations), as slsa-github-generator's container
 * generator attests images: each keyless DSSE .att layer is restated as a Sigstore bundle and verified
 * with cairn_provenance_verify_bundle for the image's digest (stored in *image; expect's artifact is
 * ignored). 0 when one verifies; CAIRN_EVERIFY with every layer's reason otherwise. */
int cairn_provenance_verify_image_layout(const char *dir, const cairn_trusted_root *root, int64_t now,
					 const cairn_provenance_expect *expect, cairn_digest *image,
					 cairn_provenance_result *result);

/* The same for an image in a registry (ref, by tag or digest): its .att manifest is the one cosign
 * tags sha256-<hex>.att, found from the digest the registry answers for ref. */
int cairn_provenance_verify_image_registry(cairn_registry *reg, const cairn_ref *ref,
					   const cairn_trusted_root *root, int64_t now,
					   const cairn_provenance_expect *expect, cairn_digest *image,
					   cairn_provenance_result *result);

/* Whether a provenance's tag (v1.2.3) satisfies a --source-versioned-tag pattern (v1, v1.2, v1.2.3),
 * with slsa-verifier's semantics. 0, CAIRN_EVERIFY, or CAIRN_EINVAL when the pattern is not a version. */
int cairn_provenance_versioned_tag_check(const char *tag, const char *pattern);

/* The checks on a statement alone (no signature): its type, predicate type, subject, builder, source,
 * tag and branch, for provenance not issued by GitHub. Exposed for tests and the fuzzer. */
int cairn_provenance_check_statement(const cairn_intoto_statement *st, const json_t *payload,
				     const cairn_provenance_expect *expect, cairn_provenance_result *result);

#endif
