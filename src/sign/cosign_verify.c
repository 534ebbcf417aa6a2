/* cosign_verify.c - finding and checking cosign image signatures.
 *
 * A keyless cosign signature carries its evidence in annotations: the Fulcio certificate and cosign's
 * "Rekor bundle" (the log entry body, integrated time, log index and log ID, and the signed entry
 * timestamp). That is exactly what a Sigstore bundle v0.1 holds, so rather than a second verifier the
 * annotations are restated as a v0.1 bundle with a message signature over the payload's SHA-256, and
 * cairn_bundle_verify checks it all: the SET, the entry body against this signature and certificate,
 * the chain to Fulcio at the integrated time, the SCT and the identity policy. */
#include "cosign_internal.h"
#include "oci_attach.h"

#include "cairn/bundle.h"
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/sig.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define MAX_ANNOTATION ((size_t)1 << 20) /* a certificate chain or Rekor bundle is a few KiB */

void cairn_cosign_verified_free(cairn_cosign_verified *v)
{
	if (v == NULL)
		return;
	free(v->payload);
	free(v->docker_reference);
	free(v->identity);
	free(v->issuer);
	memset(v, 0, sizeof *v);
}

/* The payload names this image (and the repository asked for). */
static int check_payload(const cairn_cosign_signature *sig, const cairn_digest *image,
			 const cairn_cosign_verify_options *opts, cairn_cosign_payload *payload)
{
	int err = cairn_cosign_payload_parse(payload, sig->payload, sig->payload_len, "signature payload");
	if (err)
		return err;
	if (cairn_digest_equal(&payload->image, image) != 0) {
		cairn_buf want = CAIRN_BUF_INIT, got = CAIRN_BUF_INIT;
		cairn_digest_format(image, &want);
		cairn_digest_format(&payload->image, &got);
		err = cairn_error_set(CAIRN_EVERIFY, "the payload signs manifest %s, not this image (%s)",
				      cairn_buf_cstr(&got), cairn_buf_cstr(&want));
		cairn_buf_free(&want);
		cairn_buf_free(&got);
		return err;
	}
	if (opts->docker_reference && !cairn_cosign_reference_matches(payload->docker_reference, opts->docker_reference))
		return cairn_error_set(CAIRN_EVERIFY, "the payload names repository %s, not %s",
				       payload->docker_reference, opts->docker_reference);
	return 0;
}

/* ---- cosign's annotations restated as a Sigstore bundle v0.1 ---- */

static int set_b64(json_t *obj, const char *name, const void *data, size_t len)
{
	cairn_buf b64 = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&b64, data, len, CAIRN_BASE64_STD);
	if (!err && json_object_set_new(obj, name, json_string(cairn_buf_cstr(&b64))))
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	cairn_buf_free(&b64);
	return err;
}

static int bad_rekor(const char *why)
{
	return cairn_error_set(CAIRN_EVERIFY, "the Rekor bundle annotation (" CAIRN_COSIGN_ANNOTATION_BUNDLE ") %s", why);
}

/* {"SignedEntryTimestamp":B64,"Payload":{"body":B64,"integratedTime":N,"logIndex":N,"logID":HEX}}
 * -> a v0.1 tlogEntries[] member. */
int cosign_rekor_entry(const char *text, json_t **out)
{
	json_t *root = NULL, *entry = NULL, *inner = NULL;
	cairn_buf body = CAIRN_BUF_INIT, log_id = CAIRN_BUF_INIT;
	cairn_json_limits limits = {MAX_ANNOTATION, 16};
	int err = cairn_json_parse(&root, text, strlen(text), &limits, "Rekor bundle annotation");
	if (err)
		return cairn_error_prefix(CAIRN_EVERIFY, "signature");
	json_t *set = json_object_get(root, "SignedEntryTimestamp");
	json_t *p = json_object_get(root, "Payload");
	json_t *b = json_object_get(p, "body"), *t = json_object_get(p, "integratedTime");
	json_t *i = json_object_get(p, "logIndex"), *id = json_object_get(p, "logID");
	if (!json_is_string(set) || !json_is_string(b) || !json_is_integer(t) || !json_is_integer(i) || !json_is_string(id)) {
		err = bad_rekor("lacks SignedEntryTimestamp, body, integratedTime, logIndex or logID");
		goto out;
	}
	if ((err = cairn_base64_decode(&body, json_string_value(b), json_string_length(b), CAIRN_BASE64_STD,
				       "Rekor bundle body")) ||
	    (err = cairn_hex_decode(&log_id, json_string_value(id), json_string_length(id)))) {
		err = cairn_error_prefix(CAIRN_EVERIFY, "signature");
		goto out;
	}
	if ((err = cairn_json_parse(&inner, body.data, body.len, &limits, "Rekor entry body"))) {
		err = cairn_error_prefix(CAIRN_EVERIFY, "signature");
		goto out;
	}
	json_t *kind = json_object_get(inner, "kind"), *version = json_object_get(inner, "apiVersion");
	if (!json_is_string(kind) || !json_is_string(version)) {
		err = bad_rekor("has an entry body without kind and apiVersion");
		goto out;
	}
	entry = json_pack("{s:I,s:{},s:{s:O,s:O},s:I,s:{s:O},s:O}", "logIndex", json_integer_value(i), "logId",
			  "kindVersion", "kind", kind, "version", version, "integratedTime", json_integer_value(t),
			  "inclusionPromise", "signedEntryTimestamp", set, "canonicalizedBody", b);
	if (entry == NULL || (err = set_b64(json_object_get(entry, "logId"), "keyId", log_id.data, log_id.len))) {
		err = err ? err : cairn_error_set(CAIRN_ENOMEM, "out of memory");
		goto out;
	}
	*out = entry;
	entry = NULL;
out:
	json_decref(entry);
	json_decref(inner);
	json_decref(root);
	cairn_buf_free(&body);
	cairn_buf_free(&log_id);
	return err;
}

/* Verifies the signature and its Rekor bundle (and certificate, when there is one) as a v0.1 bundle. */
int cosign_verify_evidence(const cairn_cosign_signature *sig, const cairn_cosign_verify_options *opts,
			   cairn_cosign_verified *out)
{
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	json_t *entry = NULL, *root = NULL;
	cairn_cert *cert = NULL;
	cairn_buf der = CAIRN_BUF_INIT, json = CAIRN_BUF_INIT;
	cairn_bundle *bundle = NULL;
	cairn_bundle_result result;
	memset(&result, 0, sizeof result);
	int err = cosign_rekor_entry(sig->bundle, &entry);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, sig->payload, sig->payload_len, &artifact.digest);
	if (err)
		goto out;
	json_t *material;
	if (sig->certificate) {
		/* Only the leaf: cosign's chain annotation ends with the root, which a bundle must not carry;
		 * the intermediates come from the trusted root. */
		if ((err = cairn_cert_load_pem(&cert, sig->certificate, strlen(sig->certificate), "signing certificate")) ||
		    (err = cairn_cert_der(cert, &der)))
			goto out;
		material = json_pack("{s:{s:[{}]},s:[O]}", "x509CertificateChain", "certificates", "tlogEntries", entry);
		if (material)
			err = set_b64(json_array_get(json_object_get(json_object_get(material, "x509CertificateChain"),
								      "certificates"), 0),
				      "rawBytes", der.data, der.len);
	} else {
		material = json_pack("{s:{s:s},s:[O]}", "publicKey", "hint", "", "tlogEntries", entry);
	}
	root = json_pack("{s:s,s:o,s:{s:{s:s},s:s}}", "mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1",
			 "verificationMaterial", material, "messageSignature", "messageDigest", "algorithm", "SHA2_256",
			 "signature", sig->signature);
	if (!err && root == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = set_b64(json_object_get(json_object_get(root, "messageSignature"), "messageDigest"), "digest",
			      artifact.digest.bytes, artifact.digest.len);
	char *text = err ? NULL : json_dumps(root, JSON_COMPACT);
	if (!err && text == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = cairn_bundle_parse(&bundle, text, strlen(text), "cosign signature annotations");
	free(text);
	if (err)
		goto out;
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	options.key = sig->certificate ? NULL : opts->key;
	options.identity = opts->identity;
	options.now = opts->now;
	err = cairn_bundle_verify(bundle, opts->root, &artifact, &options, &result);
	if (!err && out) {
		out->signed_at = result.time_count ? result.times[0] : 0;
		if (result.identity && (out->identity = strdup(result.identity)) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		if (result.issuer && (out->issuer = strdup(result.issuer)) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
out:
	cairn_bundle_result_free(&result);
	cairn_bundle_free(bundle);
	cairn_cert_free(cert);
	json_decref(entry);
	json_decref(root);
	cairn_buf_free(&der);
	cairn_buf_free(&json);
	return err;
}

int cairn_cosign_verify_signature(const cairn_cosign_signature *sig, const cairn_digest *image,
				  const cairn_cosign_verify_options *opts, cairn_cosign_verified *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (sig->signature == NULL)
		return cairn_error_set(CAIRN_EVERIFY, "the layer has no " CAIRN_COSIGN_ANNOTATION_SIGNATURE " annotation");
	cairn_cosign_payload payload;
	cairn_buf raw = CAIRN_BUF_INIT;
	cairn_cosign_verified got;
	memset(&got, 0, sizeof got);
	memset(&payload, 0, sizeof payload);
	int err = check_payload(sig, image, opts, &payload);
	if (err)
		goto out;
	if ((err = cairn_base64_decode(&raw, sig->signature, strlen(sig->signature), CAIRN_BASE64_STD,
				       "the signature annotation"))) {
		err = cairn_error_prefix(CAIRN_EVERIFY, "signature");
		goto out;
	}
	if (opts->key != NULL) {
		err = cairn_sig_verify(opts->key, sig->payload, sig->payload_len, raw.data, raw.len);
		if (err == CAIRN_EVERIFY)
			err = cairn_error_set(CAIRN_EVERIFY, "the signature does not verify with the given key");
		/* cosign verifies a Rekor bundle stored beside a key signature too */
		if (!err && sig->bundle != NULL) {
			if (opts->root == NULL)
				err = cairn_error_set(CAIRN_EINVAL, "a trusted root is needed to check the Rekor bundle");
			else if (sig->certificate)
				err = cairn_error_set(CAIRN_EVERIFY, "the signature carries a certificate; verify it by "
								     "identity, not with --key");
			else
				err = cosign_verify_evidence(sig, opts, &got);
		}
	} else if (sig->certificate == NULL) {
		err = cairn_error_set(CAIRN_EVERIFY, "the signature has no certificate, so it can only be verified with --key");
	} else if (sig->bundle == NULL) {
		err = cairn_error_set(CAIRN_EVERIFY, "keyless signature without a Rekor bundle: nothing proves when it was "
						     "made, so its short-lived certificate cannot be checked");
	} else if (opts->root == NULL) {
		err = cairn_error_set(CAIRN_EINVAL, "a trusted root is needed to verify a keyless signature");
	} else {
		err = cosign_verify_evidence(sig, opts, &got);
	}
	if (!err && out) {
		*out = got;
		memset(&got, 0, sizeof got);
		out->payload = oci_attach_dup_text(sig->payload, sig->payload_len);
		out->docker_reference = strdup(payload.docker_reference);
		if (out->payload == NULL || out->docker_reference == NULL) {
			cairn_cosign_verified_free(out);
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		}
	}
out:
	cairn_cosign_verified_free(&got);
	cairn_cosign_payload_free(&payload);
	cairn_buf_free(&raw);
	return err;
}

/* ---- Sigstore bundles as referrers ---- */

int cairn_cosign_verify_bundle(const void *bundle_json, size_t len, const cairn_digest *image,
			       const cairn_cosign_verify_options *opts, cairn_cosign_verified *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (opts->root == NULL)
		return cairn_error_set(CAIRN_EINVAL, "a trusted root is needed to verify a Sigstore bundle");
	cairn_bundle *bundle = NULL;
	cairn_intoto_statement st;
	memset(&st, 0, sizeof st);
	cairn_bundle_result result;
	memset(&result, 0, sizeof result);
	int err = cairn_bundle_parse(&bundle, bundle_json, len, "bundle referrer");
	if (err)
		return err == CAIRN_EINVAL ? CAIRN_EVERIFY : err;
	const char *payload = NULL;
	size_t payload_len = 0;
	if (cairn_bundle_is_dsse(bundle)) {
		const cairn_dsse_envelope *env = cairn_bundle_dsse(bundle);
		if ((err = cairn_intoto_statement_parse(&st, env->payload.data, env->payload.len, "bundle statement")))
			err = CAIRN_EVERIFY;
		else if (strcmp(st.predicate_type, CAIRN_COSIGN_SIGN_PREDICATE) != 0)
			err = cairn_error_set(CAIRN_EVERIFY, "the bundle is an attestation of type %s, not a signature",
					      st.predicate_type);
		payload = (const char *)env->payload.data;
		payload_len = env->payload.len;
	}
	cairn_bundle_artifact artifact;
	memset(&artifact, 0, sizeof artifact);
	artifact.digest = *image;
	cairn_bundle_options options;
	memset(&options, 0, sizeof options);
	options.key = opts->key;
	options.identity = opts->identity;
	options.now = opts->now;
	if (!err)
		err = cairn_bundle_verify(bundle, opts->root, &artifact, &options, &result);
	if (!err && out) {
		out->from_referrer = 1;
		out->signed_at = result.time_count ? result.times[0] : 0;
		out->payload = payload ? oci_attach_dup_text(payload, payload_len) : strdup("null");
		out->identity = result.identity ? strdup(result.identity) : NULL;
		out->issuer = result.issuer ? strdup(result.issuer) : NULL;
		if (out->payload == NULL || (result.identity && !out->identity) || (result.issuer && !out->issuer)) {
			cairn_cosign_verified_free(out);
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		}
	}
	cairn_bundle_result_free(&result);
	cairn_intoto_statement_free(&st);
	cairn_bundle_free(bundle);
	return err;
}

/* ---- in a registry ---- */

struct report_ctx {
	cairn_cosign_report *report;
	cairn_buf reasons;
};

static int note_failure(struct report_ctx *ctx, const char *where)
{
	ctx->report->checked++;
	return oci_attach_reason(&ctx->reasons, where);
}

static int add_verified(struct report_ctx *ctx, cairn_cosign_verified *v)
{
	cairn_cosign_report *r = ctx->report;
	r->checked++;
	cairn_cosign_verified *grown = realloc(r->verified, (r->verified_count + 1) * sizeof *grown);
	if (grown == NULL) {
		cairn_cosign_verified_free(v);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	r->verified = grown;
	r->verified[r->verified_count++] = *v;
	return 0;
}

static const char *annotation(const json_t *layer, const char *name)
{
	json_t *value = json_object_get(json_object_get(layer, "annotations"), name);
	if (!json_is_string(value) || json_string_length(value) > MAX_ANNOTATION)
		return NULL;
	return json_string_value(value);
}

static int verify_sig_layer(cairn_registry *reg, const cairn_ref *ref, const json_t *layer,
			    const cairn_cosign_verify_options *opts, struct report_ctx *ctx, const char *where)
{
	json_t *mt = json_object_get(layer, "mediaType");
	if (!json_is_string(mt) || strcmp(json_string_value(mt), CAIRN_COSIGN_PAYLOAD_MEDIA_TYPE) != 0) {
		cairn_error_set(CAIRN_EVERIFY, "not a simple-signing layer (media type %s)",
				json_is_string(mt) ? json_string_value(mt) : "missing");
		return note_failure(ctx, where);
	}
	cairn_buf payload = CAIRN_BUF_INIT;
	int err = oci_attach_fetch_blob(reg, ref->repository, layer, CAIRN_COSIGN_MAX_PAYLOAD, &payload);
	if (err) {
		cairn_buf_free(&payload);
		return err == CAIRN_EVERIFY || err == CAIRN_ETOOBIG ? note_failure(ctx, where) : err;
	}
	cairn_cosign_signature sig = {payload.data, payload.len, annotation(layer, CAIRN_COSIGN_ANNOTATION_SIGNATURE),
				      annotation(layer, CAIRN_COSIGN_ANNOTATION_CERTIFICATE),
				      annotation(layer, CAIRN_COSIGN_ANNOTATION_CHAIN),
				      annotation(layer, CAIRN_COSIGN_ANNOTATION_BUNDLE)};
	cairn_cosign_verified v;
	err = cairn_cosign_verify_signature(&sig, &ctx->report->image, opts, &v);
	cairn_buf_free(&payload);
	return err ? note_failure(ctx, where) : add_verified(ctx, &v);
}

static int verify_tag_signatures(cairn_registry *reg, const cairn_ref *ref, const cairn_cosign_verify_options *opts,
				 struct report_ctx *ctx)
{
	static const struct oci_attach_kind kind = {"signature manifest", "signatures", CAIRN_COSIGN_MAX_SIGNATURES};
	cairn_buf tag = CAIRN_BUF_INIT;
	json_t *root = NULL, *layers = NULL;
	int err = cairn_cosign_signature_tag(&ctx->report->image, &tag);
	if (!err)
		err = oci_attach_get_layers(reg, ref->repository, cairn_buf_cstr(&tag), &kind, &root, &layers);
	if (err == OCI_ATTACH_UNUSABLE)
		err = note_failure(ctx, "signature manifest");
	for (size_t i = 0; !err && i < json_array_size(layers); i++) {
		char where[64];
		snprintf(where, sizeof where, "signature %zu", i + 1);
		err = verify_sig_layer(reg, ref, json_array_get(layers, i), opts, ctx, where);
	}
	json_decref(root);
	cairn_buf_free(&tag);
	return err;
}

static int verify_referrer(cairn_registry *reg, const cairn_ref *ref, const char *digest,
			   const cairn_cosign_verify_options *opts, struct report_ctx *ctx, const char *where)
{
	cairn_buf blob = CAIRN_BUF_INIT;
	int err = oci_attach_referrer_blob(reg, ref->repository, digest, CAIRN_BUNDLE_MAX_SIZE, 0, &blob);
	if (err == OCI_ATTACH_UNUSABLE) {
		err = note_failure(ctx, where);
	} else if (!err) {
		cairn_cosign_verified v;
		err = cairn_cosign_verify_bundle(blob.data, blob.len, &ctx->report->image, opts, &v);
		err = err ? note_failure(ctx, where) : add_verified(ctx, &v);
	}
	cairn_buf_free(&blob);
	return err;
}

static int verify_referrers(cairn_registry *reg, const cairn_ref *ref, const cairn_cosign_verify_options *opts,
			    struct report_ctx *ctx)
{
	cairn_buf index = CAIRN_BUF_INIT;
	json_t *root = NULL;
	int from_api = 0;
	int err = cairn_registry_referrers(reg, ref->repository, &ctx->report->image, CAIRN_COSIGN_BUNDLE_ARTIFACT_TYPE,
					   &index, &from_api);
	if (err)
		goto out;
	cairn_json_limits limits = {CAIRN_REGISTRY_MAX_MANIFEST, 32};
	if ((err = cairn_json_parse(&root, index.data, index.len, &limits, "referrers index")))
		goto out;
	json_t *manifests = json_object_get(root, "manifests");
	size_t i;
	json_t *m;
	json_array_foreach(manifests, i, m) {
		if (i >= CAIRN_COSIGN_MAX_REFERRERS)
			break;
		json_t *at = json_object_get(m, "artifactType"), *digest = json_object_get(m, "digest");
		if (!json_is_string(at) || strcmp(json_string_value(at), CAIRN_COSIGN_BUNDLE_ARTIFACT_TYPE) != 0 ||
		    !json_is_string(digest))
			continue; /* the fallback index may list other artifacts */
		char where[64];
		snprintf(where, sizeof where, "bundle referrer %zu", i + 1);
		if ((err = verify_referrer(reg, ref, json_string_value(digest), opts, ctx, where)))
			break;
	}
out:
	json_decref(root);
	cairn_buf_free(&index);
	return err;
}

int cairn_cosign_verify_image(cairn_registry *reg, const cairn_ref *ref, const cairn_cosign_verify_options *opts,
			      cairn_cosign_report *report)
{
	memset(report, 0, sizeof *report);
	struct report_ctx ctx = {report, CAIRN_BUF_INIT};
	cairn_buf name = CAIRN_BUF_INIT, digest = CAIRN_BUF_INIT;
	int err = cosign_resolve_digest(reg, ref, &report->image);
	if (!err)
		err = verify_tag_signatures(reg, ref, opts, &ctx);
	if (!err)
		err = verify_referrers(reg, ref, opts, &ctx);
	if (!err && report->verified_count == 0) {
		cairn_buf_printf(&name, "%s/%s", ref->registry, ref->repository);
		cairn_digest_format(&report->image, &digest);
		if (report->checked == 0)
			err = cairn_error_set(CAIRN_EVERIFY,
					      "%s@%s: no signatures found (no .sig tag for this digest and no Sigstore "
					      "bundle referrers); an image re-pushed under the same tag has a new digest "
					      "and needs signing again",
					      cairn_buf_cstr(&name), cairn_buf_cstr(&digest));
		else
			err = cairn_error_set(CAIRN_EVERIFY, "%s@%s: none of the %zu signatures verifies:%s",
					      cairn_buf_cstr(&name), cairn_buf_cstr(&digest), report->checked,
					      cairn_buf_cstr(&ctx.reasons));
	}
	cairn_buf_free(&ctx.reasons);
	cairn_buf_free(&name);
	cairn_buf_free(&digest);
	return err;
}

void cairn_cosign_report_free(cairn_cosign_report *report)
{
	if (report == NULL)
		return;
	for (size_t i = 0; i < report->verified_count; i++)
		cairn_cosign_verified_free(&report->verified[i]);
	free(report->verified);
	memset(report, 0, sizeof *report);
}
