/* attest_verify.c - finding an image's attestations and verifying them.
 *
 * Every candidate is checked in the same order: the signature (DSSE with the key, or the whole
 * Sigstore bundle), then that the signed statement names the image's digest, then its predicate
 * type. Annotations beside a layer or in an index are hints outside the signature and decide
 * nothing: only what was signed is trusted. */
#include "cairn/attest.h"

#include "cairn/bundle.h"
#include "cairn/cert.h"
#include "cairn/cosign.h"
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "sign/cosign_internal.h"
#include "sign/oci_attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cairn_attest_verified_free(cairn_attest_verified *v)
{
	if (v == NULL)
		return;
	free(v->statement);
	free(v->predicate_type);
	free(v->identity);
	free(v->issuer);
	memset(v, 0, sizeof *v);
}

/* The statement is parsed (it must be an in-toto statement naming `subject` when given) and its
 * predicate type compared with the one asked for. */
static int check_statement(const cairn_buf *payload, const cairn_digest *subject, const char *type,
			   cairn_intoto_statement *st)
{
	int err = cairn_intoto_statement_parse(st, payload->data, payload->len, "attestation statement");
	if (err)
		return err == CAIRN_EINVAL ? cairn_error_prefix(CAIRN_EVERIFY, "the signed payload is not an in-toto "
									       "statement") : err;
	if (subject != NULL && !cairn_intoto_statement_has_digest(st, subject)) {
		cairn_buf text = CAIRN_BUF_INIT;
		cairn_digest_format(subject, &text);
		err = cairn_error_set(CAIRN_EVERIFY, "the statement's subjects do not include %s (wrong subject)",
				      cairn_buf_cstr(&text));
		cairn_buf_free(&text);
		return err;
	}
	if (!cairn_attest_type_matches(type, st->predicate_type)) {
		/* a name is followed by what it stands for */
		const char *uri = NULL;
		if (strcmp(type, "slsaprovenance") == 0)
			uri = CAIRN_ATTEST_PREDICATE_SLSA_V1 " or v0.2";
		else if (cairn_attest_type_uri(type, NULL, &uri) != 0 || uri == type)
			uri = NULL;
		cairn_error_clear();
		return cairn_error_set(CAIRN_EVERIFY, "predicate type is %s, not the requested %s%s%s%s",
				       st->predicate_type[0] ? st->predicate_type : "(none)", type, uri ? " (" : "",
				       uri ? uri : "", uri ? ")" : "");
	}
	return 0;
}

static int fill_verified(cairn_attest_verified *out, const cairn_buf *payload, const cairn_intoto_statement *st,
			 const char *identity, const char *issuer, int from_referrer)
{
	memset(out, 0, sizeof *out);
	out->statement = oci_attach_dup_text(payload->data, payload->len);
	out->predicate_type = strdup(st->predicate_type);
	out->identity = identity ? strdup(identity) : NULL;
	out->issuer = issuer ? strdup(issuer) : NULL;
	out->from_referrer = from_referrer;
	if (out->statement == NULL || out->predicate_type == NULL || (identity && !out->identity) || (issuer && !out->issuer)) {
		cairn_attest_verified_free(out);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	return 0;
}

int cairn_attest_verify_envelope(const void *envelope, size_t len, const cairn_digest *subject,
				 const cairn_attest_verify_options *opts, cairn_attest_verified *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (opts->key == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "no key given, and the layer carries no certificate and Rekor bundle "
						      "(a keyless signature needs both)");
	if (opts->type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a predicate type to look for is required");
	if (len > CAIRN_ATTEST_MAX_ENVELOPE)
		return cairn_error_set(CAIRN_EVERIFY, "the envelope is over the %zu-byte limit", CAIRN_ATTEST_MAX_ENVELOPE);
	cairn_dsse_envelope env;
	memset(&env, 0, sizeof env);
	cairn_intoto_statement st;
	memset(&st, 0, sizeof st);
	int err = cairn_dsse_parse(&env, envelope, len, "DSSE envelope");
	if (err == CAIRN_EINVAL)
		err = cairn_error_prefix(CAIRN_EVERIFY, "not a DSSE envelope");
	if (!err && strcmp(env.payload_type, CAIRN_DSSE_INTOTO_TYPE) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "the envelope's payload type is %s, not " CAIRN_DSSE_INTOTO_TYPE,
				      env.payload_type);
	if (!err) {
		const cairn_key *keys[1] = {opts->key};
		err = cairn_dsse_verify(&env, keys, 1, 1);
		if (err == CAIRN_EVERIFY)
			err = cairn_error_prefix(CAIRN_EVERIFY, "the DSSE signature does not verify with the given key");
	}
	if (!err)
		err = check_statement(&env.payload, subject, opts->type, &st);
	if (!err && out)
		err = fill_verified(out, &env.payload, &st, NULL, NULL, 0);
	cairn_intoto_statement_free(&st);
	cairn_dsse_envelope_free(&env);
	return err;
}

int cairn_attest_verify_bundle(const void *bundle_json, size_t len, const cairn_bundle_artifact *artifact,
			       const cairn_attest_verify_options *opts, cairn_attest_verified *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (opts->root == NULL || opts->type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a trusted root and a predicate type are needed to verify an "
						     "attestation bundle");
	cairn_bundle *bundle = NULL;
	cairn_bundle_result result;
	memset(&result, 0, sizeof result);
	cairn_intoto_statement st;
	memset(&st, 0, sizeof st);
	int err = cairn_bundle_parse(&bundle, bundle_json, len, "attestation bundle");
	if (err)
		return err == CAIRN_EINVAL ? CAIRN_EVERIFY : err;
	if (!cairn_bundle_is_dsse(bundle))
		err = cairn_error_set(CAIRN_EVERIFY, "the bundle holds a message signature, not a DSSE attestation");
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	options.key = opts->key;
	options.identity = opts->identity;
	options.now = opts->now;
	options.allow_missing_tlog = opts->allow_missing_tlog;
	if (!err)
		err = cairn_bundle_verify(bundle, opts->root, artifact, &options, &result);
	const cairn_dsse_envelope *env = err ? NULL : cairn_bundle_dsse(bundle);
	/* the bundle verifier checked the subject against the artifact; the type remains */
	if (!err)
		err = check_statement(&env->payload, NULL, opts->type, &st);
	if (!err && out)
		err = fill_verified(out, &env->payload, &st, result.identity, result.issuer, 1);
	cairn_intoto_statement_free(&st);
	cairn_bundle_result_free(&result);
	cairn_bundle_free(bundle);
	return err;
}

int cairn_attest_cosign_bundle(const void *envelope, size_t len, const char *certificate_pem, const char *rekor_bundle,
			       cairn_buf *bundle_out)
{
	if (len > CAIRN_ATTEST_MAX_ENVELOPE)
		return cairn_error_set(CAIRN_EVERIFY, "the envelope is over the %zu-byte limit", CAIRN_ATTEST_MAX_ENVELOPE);
	json_t *entry = NULL, *env = NULL, *root = NULL;
	cairn_cert *cert = NULL;
	cairn_buf der = CAIRN_BUF_INIT, b64 = CAIRN_BUF_INIT;
	cairn_json_limits limits = {CAIRN_ATTEST_MAX_ENVELOPE, 16};
	int err = cosign_rekor_entry(rekor_bundle, &entry);
	if (!err && cairn_json_parse(&env, envelope, len, &limits, "DSSE envelope") != 0)
		err = cairn_error_prefix(CAIRN_EVERIFY, "not a DSSE envelope");
	/* Only the leaf: cosign's chain annotation ends with the root, which a bundle must not carry. */
	if (!err && (err = cairn_cert_load_pem(&cert, certificate_pem, strlen(certificate_pem), "signing certificate")) == 0)
		err = cairn_cert_der(cert, &der);
	if (!err)
		err = cairn_base64_encode(&b64, der.data, der.len, CAIRN_BASE64_STD);
	if (!err) {
		root = json_pack("{s:s,s:{s:{s:[{s:s}]},s:[O]},s:O}", "mediaType",
				 "application/vnd.dev.sigstore.bundle+json;version=0.1", "verificationMaterial",
				 "x509CertificateChain", "certificates", "rawBytes", cairn_buf_cstr(&b64), "tlogEntries", entry,
				 "dsseEnvelope", env);
		if (root == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = cairn_json_dump(root, JSON_COMPACT, bundle_out);
	json_decref(root);
	json_decref(env);
	json_decref(entry);
	cairn_cert_free(cert);
	cairn_buf_free(&der);
	cairn_buf_free(&b64);
	return err;
}

int cairn_attest_verify_cosign_keyless(const void *envelope, size_t len, const char *certificate_pem,
				       const char *rekor_bundle, const cairn_digest *subject,
				       const cairn_attest_verify_options *opts, cairn_attest_verified *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	cairn_buf bundle = CAIRN_BUF_INIT;
	int err = cairn_attest_cosign_bundle(envelope, len, certificate_pem, rekor_bundle, &bundle);
	if (!err) {
		cairn_bundle_artifact artifact;
		memset(&artifact, 0, sizeof artifact);
		artifact.digest = *subject;
		err = cairn_attest_verify_bundle(bundle.data, bundle.len, &artifact, opts, out);
		if (!err && out)
			out->from_referrer = 0;
	}
	cairn_buf_free(&bundle);
	return err;
}

/* ---- in a registry ---- */

struct ctx {
	cairn_registry *reg;
	const cairn_ref *ref;
	const cairn_attest_verify_options *opts;
	cairn_attest_report *report;
	cairn_buf reasons;
	size_t wrong_type; /* verified, but of another predicate type */
};

/* Records why a candidate was rejected; I/O and internal failures stop verification instead. */
static int reject(struct ctx *c, const char *where)
{
	c->report->checked++;
	int err = oci_attach_reason(&c->reasons, where);
	if (!err && strstr(cairn_error_message(), "not the requested") != NULL)
		c->wrong_type++;
	return err;
}

static int accept(struct ctx *c, cairn_attest_verified *v)
{
	cairn_attest_report *r = c->report;
	r->checked++;
	cairn_attest_verified *grown = realloc(r->verified, (r->verified_count + 1) * sizeof *grown);
	if (grown == NULL) {
		cairn_attest_verified_free(v);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	r->verified = grown;
	r->verified[r->verified_count++] = *v;
	return 0;
}

static int verify_att_layer(struct ctx *c, const json_t *layer, const char *where)
{
	json_t *mt = json_object_get(layer, "mediaType");
	if (!json_is_string(mt) || strcmp(json_string_value(mt), CAIRN_ATTEST_DSSE_MEDIA_TYPE) != 0) {
		cairn_error_set(CAIRN_EVERIFY, "not a DSSE layer (media type %s)",
				json_is_string(mt) ? json_string_value(mt) : "missing");
		return reject(c, where);
	}
	cairn_buf blob = CAIRN_BUF_INIT;
	int err = oci_attach_fetch_blob(c->reg, c->ref->repository, layer, CAIRN_ATTEST_MAX_ENVELOPE, &blob);
	if (err) {
		cairn_buf_free(&blob);
		return err == CAIRN_EVERIFY || err == CAIRN_ETOOBIG ? reject(c, where) : err;
	}
	cairn_attest_verified v;
	json_t *ann = json_object_get(layer, "annotations");
	const char *cert = json_string_value(json_object_get(ann, CAIRN_COSIGN_ANNOTATION_CERTIFICATE));
	const char *rekor = json_string_value(json_object_get(ann, CAIRN_COSIGN_ANNOTATION_BUNDLE));
	if (c->opts->key == NULL && cert != NULL && rekor != NULL) /* keyless, as cosign attest writes it */
		err = cairn_attest_verify_cosign_keyless(blob.data, blob.len, cert, rekor, &c->report->image, c->opts, &v);
	else
		err = cairn_attest_verify_envelope(blob.data, blob.len, &c->report->image, c->opts, &v);
	cairn_buf_free(&blob);
	return err ? reject(c, where) : accept(c, &v);
}

static int verify_att_manifest(struct ctx *c)
{
	static const struct oci_attach_kind kind = {"attestation manifest", "attestations", CAIRN_ATTEST_MAX_LAYERS};
	cairn_buf tag = CAIRN_BUF_INIT;
	json_t *root = NULL, *layers = NULL;
	int err = cairn_attest_tag(&c->report->image, &tag);
	if (!err)
		err = oci_attach_get_layers(c->reg, c->ref->repository, cairn_buf_cstr(&tag), &kind, &root, &layers);
	if (err == OCI_ATTACH_UNUSABLE)
		err = reject(c, "attestation manifest");
	for (size_t i = 0; !err && i < json_array_size(layers); i++) {
		char where[64];
		snprintf(where, sizeof where, ".att layer %zu", i + 1);
		err = verify_att_layer(c, json_array_get(layers, i), where);
	}
	json_decref(root);
	cairn_buf_free(&tag);
	return err;
}

static int verify_referrer(struct ctx *c, const char *digest, const char *where)
{
	cairn_buf blob = CAIRN_BUF_INIT;
	int err = oci_attach_referrer_blob(c->reg, c->ref->repository, digest, CAIRN_BUNDLE_MAX_SIZE, 1, &blob);
	if (err == OCI_ATTACH_UNUSABLE) {
		err = reject(c, where);
	} else if (!err) {
		cairn_bundle_artifact artifact;
		memset(&artifact, 0, sizeof artifact);
		artifact.digest = c->report->image;
		cairn_attest_verified v;
		err = cairn_attest_verify_bundle(blob.data, blob.len, &artifact, c->opts, &v);
		err = err ? reject(c, where) : accept(c, &v);
	}
	cairn_buf_free(&blob);
	return err;
}

static int verify_referrers(struct ctx *c)
{
	cairn_buf index = CAIRN_BUF_INIT;
	json_t *root = NULL;
	int from_api = 0;
	int err = cairn_registry_referrers(c->reg, c->ref->repository, &c->report->image, CAIRN_BUNDLE_MEDIA_TYPE_V03,
					   &index, &from_api);
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	if (!err)
		err = cairn_json_parse(&root, index.data, index.len, &limits, "referrers index");
	size_t i, seen = 0;
	json_t *m;
	json_array_foreach(json_object_get(root, "manifests"), i, m) {
		if (err)
			break;
		json_t *at = json_object_get(m, "artifactType"), *digest = json_object_get(m, "digest");
		if (!json_is_string(at) || strcmp(json_string_value(at), CAIRN_BUNDLE_MEDIA_TYPE_V03) != 0 ||
		    !json_is_string(digest))
			continue; /* the fallback index may list other artifacts */
		if (++seen > CAIRN_ATTEST_MAX_REFERRERS)
			break;
		char where[64];
		snprintf(where, sizeof where, "bundle referrer %zu", seen);
		err = verify_referrer(c, json_string_value(digest), where);
	}
	json_decref(root);
	cairn_buf_free(&index);
	return err;
}

static int none_verified(struct ctx *c)
{
	cairn_buf name = CAIRN_BUF_INIT, digest = CAIRN_BUF_INIT;
	cairn_buf_printf(&name, "%s/%s", c->ref->registry, c->ref->repository);
	cairn_digest_format(&c->report->image, &digest);
	int err;
	if (c->report->checked == 0)
		err = cairn_error_set(CAIRN_EVERIFY,
				      "%s@%s: no attestations found (no .att tag for this digest and no Sigstore bundle "
				      "referrers)",
				      cairn_buf_cstr(&name), cairn_buf_cstr(&digest));
	else if (c->wrong_type == c->report->checked)
		err = cairn_error_set(CAIRN_EVERIFY, "%s@%s: none of the %zu attestations is of the requested type %s:%s",
				      cairn_buf_cstr(&name), cairn_buf_cstr(&digest), c->report->checked, c->opts->type,
				      cairn_buf_cstr(&c->reasons));
	else
		err = cairn_error_set(CAIRN_EVERIFY, "%s@%s: none of the %zu attestations verifies as type %s:%s",
				      cairn_buf_cstr(&name), cairn_buf_cstr(&digest), c->report->checked, c->opts->type,
				      cairn_buf_cstr(&c->reasons));
	cairn_buf_free(&name);
	cairn_buf_free(&digest);
	return err;
}

int cairn_attest_verify_image(cairn_registry *reg, const cairn_ref *ref, const cairn_attest_verify_options *opts,
			      cairn_attest_report *report)
{
	memset(report, 0, sizeof *report);
	if (opts->type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a predicate type to look for is required");
	struct ctx c = {reg, ref, opts, report, CAIRN_BUF_INIT, 0};
	cairn_buf body = CAIRN_BUF_INIT, media_type = CAIRN_BUF_INIT;
	int err = cairn_registry_get_manifest(reg, ref->repository, cairn_ref_reference(ref), &body, &media_type,
					      &report->image);
	if (!err)
		err = verify_att_manifest(&c);
	if (!err)
		err = verify_referrers(&c);
	if (!err && report->verified_count == 0)
		err = none_verified(&c);
	cairn_buf_free(&c.reasons);
	cairn_buf_free(&body);
	cairn_buf_free(&media_type);
	return err;
}

void cairn_attest_report_free(cairn_attest_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->verified_count; i++)
		cairn_attest_verified_free(&report->verified[i]);
	free(report->verified);
	memset(report, 0, sizeof *report);
}
