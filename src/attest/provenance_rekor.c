/* provenance_rekor.c - provenance written before Sigstore bundles existed.
 *
 * slsa-github-generator before v2.1 wrote .intoto.jsonl files holding a bare DSSE envelope whose one
 * signature carries the Fulcio certificate ("cert"). Nothing in the file proves when it was signed, so
 * its short-lived certificate cannot be checked from the file alone: slsa-verifier looks the log entry
 * up in Rekor. cairn does the same when given a log (--rekor-url): it works out the dsse 0.0.1 entry the
 * envelope made, fetches it by its UUID (the leaf hash of that entry) and restates envelope,
 * certificate and entry as a Sigstore bundle, which is then verified like any other - the log's answer
 * is trusted for nothing: the bundle verifier checks the entry's signed timestamp and inclusion proof
 * against the trusted root, that it records this envelope, and the certificate at its time. */
#include "cairn/provenance.h"

#include "cairn/bundle.h"
#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/rekor.h"

#include <stdlib.h>
#include <string.h>

/* The proposed dsse 0.0.1 entry for the envelope exactly as written (its hash is part of the entry). */
static int proposal_for(const char *line, size_t len, const char *cert_pem, cairn_buf *out)
{
	cairn_buf verifier = CAIRN_BUF_INIT;
	int err = cairn_base64_encode(&verifier, cert_pem, strlen(cert_pem), CAIRN_BASE64_STD);
	json_t *proposal = err ? NULL
			       : json_pack("{s:s, s:s, s:{s:{s:s%, s:[s]}}}", "apiVersion", "0.0.1", "kind", "dsse", "spec",
					   "proposedContent", "envelope", line, len, "verifiers", cairn_buf_cstr(&verifier));
	if (!err)
		err = cairn_json_dump(proposal, JSON_COMPACT, out);
	json_decref(proposal);
	cairn_buf_free(&verifier);
	return err;
}

/* The log's entry for the proposal, as a bundle tlogEntries[] item. */
static int fetch_entry(const cairn_buf *proposal, const char *rekor_url, const char *ca_file, json_t **tlog)
{
	cairn_buf canonical = CAIRN_BUF_INIT, answer = CAIRN_BUF_INIT;
	cairn_rekor_client client;
	cairn_rekor_log_entry entry;
	memset(&entry, 0, sizeof entry);
	char kind[32], uuid[65], path[128];
	int err = cairn_rekor_canonicalize(proposal->data, proposal->len, &canonical, kind);
	if (err == CAIRN_EVERIFY)
		cairn_error_prefix(err, "the envelope's signature does not verify with its certificate");
	if (!err)
		err = cairn_rekor_uuid(canonical.data, canonical.len, uuid);
	if (!err)
		err = cairn_rekor_client_init(&client, rekor_url, ca_file);
	if (!err) {
		snprintf(path, sizeof path, "/api/v1/log/entries/%s", uuid);
		err = cairn_rekor_client_get_ok(&client, path, CAIRN_REKOR_MAX_RESPONSE, &answer);
		if (err == CAIRN_ENOENT)
			err = cairn_error_set(CAIRN_EVERIFY, "the log at %s has no entry for this envelope (entry %s)", rekor_url, uuid);
	}
	if (!err)
		err = cairn_rekor_log_entry_parse(&entry, answer.data, answer.len, rekor_url);
	if (!err && strcmp(entry.uuid, uuid) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "the log at %s answered with entry %s, not %s", rekor_url, entry.uuid, uuid);
	if (!err)
		err = cairn_rekor_log_entry_bundle_json(&entry, tlog);
	cairn_rekor_log_entry_free(&entry);
	cairn_buf_free(&answer);
	cairn_buf_free(&canonical);
	return err;
}

/* {"mediaType", "verificationMaterial": {"certificate", "tlogEntries"}, "dsseEnvelope"} */
static int bundle_json(const json_t *envelope, const cairn_cert *cert, json_t *tlog, cairn_buf *out)
{
	cairn_buf der = CAIRN_BUF_INIT, raw = CAIRN_BUF_INIT;
	const json_t *sig = json_array_get(json_object_get(envelope, "signatures"), 0);
	int err = cairn_cert_der(cert, &der);
	if (!err)
		err = cairn_base64_encode(&raw, der.data, der.len, CAIRN_BASE64_STD);
	json_t *bundle = err ? NULL
			     : json_pack("{s:s, s:{s:{s:s}, s:[O]}, s:{s:O, s:O, s:[{s:O, s:s}]}}", "mediaType",
					 CAIRN_BUNDLE_MEDIA_TYPE_V03, "verificationMaterial", "certificate", "rawBytes",
					 cairn_buf_cstr(&raw), "tlogEntries", tlog, "dsseEnvelope", "payload",
					 json_object_get(envelope, "payload"), "payloadType",
					 json_object_get(envelope, "payloadType"), "signatures", "sig", json_object_get(sig, "sig"),
					 "keyid", "");
	if (!err)
		err = cairn_json_dump(bundle, JSON_COMPACT, out);
	json_decref(bundle);
	cairn_buf_free(&raw);
	cairn_buf_free(&der);
	return err;
}

int cairn_provenance_bundle_from_log(const void *json, size_t len, const char *what, const char *rekor_url,
				     const char *ca_file, cairn_buf *bundle_out)
{
	json_t *envelope = NULL, *tlog = NULL;
	cairn_cert *cert = NULL;
	cairn_buf proposal = CAIRN_BUF_INIT;
	int err = cairn_json_parse(&envelope, json, len, NULL, what);
	const json_t *sigs = err ? NULL : json_object_get(envelope, "signatures");
	const json_t *sig = json_array_get(sigs, 0);
	const char *pem = cairn_json_string_at(sig, "cert");
	if (!err && (cairn_json_string_at(envelope, "payloadType") == NULL || cairn_json_string_at(envelope, "payload") == NULL ||
		     json_array_size(sigs) != 1 || cairn_json_string_at(sig, "sig") == NULL || pem == NULL))
		err = cairn_error_set(CAIRN_EINVAL, "%s: not a DSSE envelope with one signature carrying its certificate", what);
	if (!err)
		err = cairn_cert_load_pem(&cert, pem, strlen(pem), what);
	if (!err)
		err = proposal_for(json, len, pem, &proposal);
	if (!err)
		err = fetch_entry(&proposal, rekor_url, ca_file, &tlog);
	if (!err)
		err = bundle_json(envelope, cert, tlog, bundle_out);
	if (err == CAIRN_EVERIFY)
		cairn_error_prefix(err, "%s", what);
	json_decref(tlog);
	cairn_buf_free(&proposal);
	cairn_cert_free(cert);
	json_decref(envelope);
	return err;
}
