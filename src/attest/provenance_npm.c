/* provenance_npm.c - npm package provenance, with slsa-verifier's verify-npm-package semantics.
 *
 * The registry serves two attestations for a package version published with --provenance:
 *  - SLSA provenance (v0.2 or v1), signed keylessly by the publishing GitHub workflow: it says which
 *    repository, commit and workflow built the tarball. It is verified like any GitHub Actions
 *    provenance bundle (provenance_verify.c), with npm's builder ID.
 *  - the publish attestation (predicate https://github.com/npm/attestation/tree/main/specs/publish/v0.1),
 *    signed by the registry's own key and logged in Rekor: it says the registry accepted that tarball
 *    as NAME@VERSION. Without it, provenance for a tarball says nothing about the package name.
 * Both must name the tarball's digest; the package name and version, when expected, must be the
 * provenance's single subject pkg:npm/NAME@VERSION and the publish attestation's. */
#include "cairn/provenance.h"

#include "cairn/buf.h"
#include "cairn/bundle.h"
#include "cairn/error.h"
#include "cairn/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISH_PREFIX "https://github.com/npm/attestation/tree/main/specs/publish/"
#define MAX_ATTESTATIONS 16
#define NAME_MAX_LEN 512

/* The npm registry's attestation keys, as it publishes them (https://registry.npmjs.org/-/npm/v1/keys,
 * and Sigstore's TUF repository target registry.npmjs.org/keys.json): ECDSA P-256, DER
 * SubjectPublicKeyInfo in base64. A key signs only until it expires (0: no expiry). */
static const struct {
	const char *keyid;
	const char *spki;
	int64_t expires;
} npm_keys[] = {
	{"SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA",
	 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==",
	 1738108800 /* 2025-01-29T00:00:00Z */},
	{"SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U",
	 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g==",
	 0},
};

/* ---- the attestations document ---- */

struct npm_doc {
	json_t *root;
	const json_t *provenance; /* the bundles */
	const json_t *publish;
};

static int doc_read(struct npm_doc *d, const void *json, size_t len, const char *what)
{
	memset(d, 0, sizeof *d);
	int err = cairn_json_parse(&d->root, json, len, NULL, what);
	if (err)
		return err;
	const json_t *list = json_object_get(d->root, "attestations");
	if (!json_is_array(list))
		return cairn_error_set(CAIRN_EINVAL, "%s: not npm attestations: no \"attestations\" array", what);
	if (json_array_size(list) > MAX_ATTESTATIONS)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %zu attestations, more than the limit of %d", what,
				       json_array_size(list), MAX_ATTESTATIONS);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *item = json_array_get(list, i);
		const char *type = cairn_json_string_at(item, "predicateType");
		const json_t *bundle = json_object_get(item, "bundle");
		if (type == NULL || !json_is_object(bundle))
			return cairn_error_set(CAIRN_EINVAL, "%s: attestation %zu has no predicateType or bundle", what, i);
		const json_t **slot = NULL;
		if (strcmp(type, CAIRN_SLSA_PROVENANCE_V1) == 0 || strcmp(type, CAIRN_SLSA_PROVENANCE_V02) == 0)
			slot = &d->provenance;
		else if (strncmp(type, PUBLISH_PREFIX, strlen(PUBLISH_PREFIX)) == 0)
			slot = &d->publish;
		if (slot && *slot)
			return cairn_error_set(CAIRN_EINVAL, "%s: more than one %s attestation", what,
					       slot == &d->publish ? "publish" : "provenance");
		if (slot)
			*slot = bundle;
	}
	if (d->provenance == NULL || d->publish == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "%s: invalid npm attestations: the %s attestation is missing", what,
				       d->provenance == NULL ? "SLSA provenance" : "registry's publish");
	return 0;
}

/* The statement a verified bundle's DSSE envelope carries; its payload type must be in-toto's. */
static int bundle_statement(const cairn_bundle *bundle, const char *what, cairn_intoto_statement *st)
{
	const cairn_dsse_envelope *env = cairn_bundle_dsse(bundle);
	if (strcmp(env->payload_type, CAIRN_DSSE_INTOTO_TYPE) != 0)
		return cairn_error_set(CAIRN_EVERIFY, "%s: payload type %s, expected %s", what, env->payload_type,
				       CAIRN_DSSE_INTOTO_TYPE);
	return cairn_intoto_statement_parse(st, env->payload.data, env->payload.len, what);
}

/* ---- the publish attestation ---- */

/* The registry key for the bundle's key hint, and until when it signs. */
static int registry_key_for(const json_t *bundle, cairn_key **key, int64_t *expires)
{
	const char *hint = cairn_json_string_at(json_object_get(json_object_get(bundle, "verificationMaterial"), "publicKey"), "hint");
	if (hint == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "not signed with a registry key (no public key hint)");
	for (size_t i = 0; i < sizeof npm_keys / sizeof npm_keys[0]; i++) {
		if (strcmp(hint, npm_keys[i].keyid) != 0)
			continue;
		cairn_buf der = CAIRN_BUF_INIT;
		int err = cairn_base64_decode(&der, npm_keys[i].spki, strlen(npm_keys[i].spki), CAIRN_BASE64_STD, "npm key");
		if (!err)
			err = cairn_key_load_public_der(key, der.data, der.len, npm_keys[i].keyid);
		cairn_buf_free(&der);
		*expires = npm_keys[i].expires;
		return err;
	}
	return cairn_error_set(CAIRN_EVERIFY, "signed with key %s, which is not one of the npm registry's", hint);
}

static int verify_publish(const json_t *bundle_json, const cairn_trusted_root *root, const cairn_key *registry_key,
			  int64_t now, const cairn_provenance_expect *e, cairn_intoto_statement *st)
{
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_bundle *bundle = NULL;
	cairn_key *npm_key = NULL;
	int64_t expires = 0;
	int err = cairn_json_dump(bundle_json, JSON_COMPACT, &text);
	if (!err)
		err = cairn_bundle_parse(&bundle, text.data, text.len, "publish attestation bundle");
	if (!err && (!cairn_bundle_is_dsse(bundle) || !cairn_bundle_is_key_based(bundle)))
		err = cairn_error_set(CAIRN_EVERIFY, "not a DSSE envelope signed with the registry's key");
	if (!err && registry_key == NULL)
		err = registry_key_for(bundle_json, &npm_key, &expires);
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	options.key = registry_key ? registry_key : npm_key;
	options.now = now;
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	artifact.path = e->artifact_path;
	artifact.digest = e->artifact;
	cairn_bundle_result result;
	memset(&result, 0, sizeof result);
	if (!err)
		err = cairn_bundle_verify(bundle, root, &artifact, &options, &result);
	for (size_t i = 0; !err && expires != 0 && i < result.time_count; i++)
		if (result.times[i] >= expires)
			err = cairn_error_set(CAIRN_EVERIFY, "signed after the registry key expired");
	cairn_bundle_result_free(&result);
	if (!err)
		err = bundle_statement(bundle, "publish attestation bundle", st);
	if (!err && strncmp(st->predicate_type, PUBLISH_PREFIX, strlen(PUBLISH_PREFIX)) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "predicate type %s is not npm's publish attestation", st->predicate_type);
	cairn_key_free(npm_key);
	cairn_bundle_free(bundle);
	cairn_buf_free(&text);
	return err;
}

/* ---- package name and version ---- */

/* "pkg:npm/%40scope/name@1.0.0" -> name "@scope/name", version "1.0.0" (purl, percent-encoded). */
static int purl_split(const char *subject, char *name, char *version)
{
	const char *prefix = "pkg:npm/";
	if (strncmp(subject, prefix, strlen(prefix)) != 0)
		return cairn_error_set(CAIRN_EVERIFY, "the provenance's subject %s is not an npm package (pkg:npm/...)", subject);
	char decoded[NAME_MAX_LEN * 2];
	size_t n = 0;
	for (const char *p = subject + strlen(prefix); *p; p++) {
		if (n + 1 >= sizeof decoded)
			return cairn_error_set(CAIRN_EVERIFY, "the provenance's subject name is too long");
		if (*p == '%') {
			int hi = cairn_hex_digit(p[1]), lo = hi < 0 ? -1 : cairn_hex_digit(p[2]);
			if (hi < 0 || lo < 0)
				return cairn_error_set(CAIRN_EVERIFY, "the provenance's subject %s has a malformed %%-escape", subject);
			decoded[n++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			decoded[n++] = *p;
		}
	}
	decoded[n] = '\0';
	const char *at = strchr(decoded + (decoded[0] == '@'), '@');
	if (at && strchr(at + 1, '@'))
		return cairn_error_set(CAIRN_EVERIFY, "the provenance's subject %s is not NAME@VERSION", subject);
	size_t name_len = at ? (size_t)(at - decoded) : n;
	if (name_len >= NAME_MAX_LEN || (at && strlen(at + 1) >= NAME_MAX_LEN))
		return cairn_error_set(CAIRN_EVERIFY, "the provenance's subject name is too long");
	snprintf(name, NAME_MAX_LEN, "%.*s", (int)name_len, decoded);
	snprintf(version, NAME_MAX_LEN, "%s", at ? at + 1 : "");
	return 0;
}

/* The registry's word: the publish attestation's predicate names the expected package and version. */
static int check_publish_package(const cairn_intoto_statement *publish, const cairn_provenance_expect *e)
{
	const char *name = cairn_json_string_at(publish->predicate, "name"), *version = cairn_json_string_at(publish->predicate, "version");
	if (e->package_name && (name == NULL || strcmp(name, e->package_name) != 0))
		return cairn_error_set(CAIRN_EVERIFY, "package name mismatch: the registry attested %s, expected %s",
				       name ? name : "no name", e->package_name);
	if (e->package_version && (version == NULL || strcmp(version, e->package_version) != 0))
		return cairn_error_set(CAIRN_EVERIFY, "package version mismatch: the registry attested %s, expected %s",
				       version ? version : "no version", e->package_version);
	return 0;
}

/* The builder's word: the provenance's single subject is pkg:npm/NAME@VERSION. */
static int check_provenance_package(const cairn_intoto_statement *prov, const cairn_provenance_expect *e)
{
	if (e->package_name == NULL && e->package_version == NULL)
		return 0;
	if (prov->subject_count != 1)
		return cairn_error_set(CAIRN_EVERIFY, "the npm provenance has %zu subjects, expected one package", prov->subject_count);
	char name[NAME_MAX_LEN], version[NAME_MAX_LEN];
	int err = purl_split(prov->subjects[0].name, name, version);
	if (!err && e->package_name && strcmp(name, e->package_name) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "package name mismatch: the provenance names %s, expected %s", name, e->package_name);
	if (!err && e->package_version && strcmp(version, e->package_version) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "package version mismatch: the provenance names %s, expected %s", version, e->package_version);
	return err;
}

int cairn_provenance_verify_npm(const void *json, size_t len, const char *what, const cairn_trusted_root *root,
				const cairn_key *registry_key, int64_t now, const cairn_provenance_expect *e,
				cairn_provenance_result *result)
{
	if (e->builder_id == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "no builder ID expected: npm provenance is trusted only for a builder "
				       "given with --builder-id (npm's CLI on GitHub Actions: "
				       "https://github.com/actions/runner/github-hosted)");
	struct npm_doc doc;
	cairn_provenance_result own; /* where the verified statement is kept when the caller wants no result */
	memset(&own, 0, sizeof own);
	cairn_provenance_result *r = result ? result : &own;
	cairn_buf prov_text = CAIRN_BUF_INIT;
	cairn_intoto_statement prov, publish;
	memset(&prov, 0, sizeof prov);
	memset(&publish, 0, sizeof publish);
	int err = doc_read(&doc, json, len, what);
	/* the registry's attestation first: it is what ties the tarball to the package name */
	if (!err) {
		err = verify_publish(doc.publish, root, registry_key, now, e, &publish);
		if (!err)
			err = check_publish_package(&publish, e);
		if (err == CAIRN_EVERIFY)
			cairn_error_prefix(err, "%s: the registry's publish attestation", what);
	}
	if (!err) {
		err = cairn_json_dump(doc.provenance, JSON_COMPACT, &prov_text);
		if (!err)
			err = cairn_provenance_verify_bundle(prov_text.data, prov_text.len, "provenance bundle", root, now, e, r);
		/* the statement just verified, as signed */
		if (!err)
			err = cairn_intoto_statement_parse(&prov, r->statement.data, r->statement.len, "provenance bundle");
		if (!err)
			err = check_provenance_package(&prov, e);
		if (err == CAIRN_EVERIFY)
			cairn_error_prefix(err, "%s: the SLSA provenance", what);
	}
	if (err || r == &own)
		cairn_provenance_result_free(r);
	cairn_intoto_statement_free(&prov);
	cairn_intoto_statement_free(&publish);
	cairn_buf_free(&prov_text);
	json_decref(doc.root);
	return err;
}
