/* Unit tests of Sigstore bundle parsing and verification against the Sigstore conformance corpus:
 * which bundles are malformed for their version, what verification establishes for real bundles
 * (signing times as the bundles and their READMEs state them, the signer's identity), and what it
 * refuses (wrong identity, a clock before the entry, a missing or wrong managed key, hostile sizes).
 * The full pass/fail matrix of the suite runs in tests/e2e/conformance.bats. */
#include "cairn/bundle.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/trustroot.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BEACON_IDENTITY                                                                                     \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/" \
	"extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define BEACON_ISSUER "https://token.actions.githubusercontent.com"
#define A_TXT_SHA256 "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf"

static void case_path(char *out, size_t size, const char *name, const char *file)
{
	snprintf(out, size, "%s/sigstore/conformance/bundle-verify/%s/%s", test_corpus(), name, file);
}

static int load_case(const char *name, cairn_bundle **out)
{
	char path[4096];
	case_path(path, sizeof path, name, "bundle.sigstore.json");
	return cairn_bundle_load_file(out, path);
}

static cairn_trusted_root *public_good(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/sigstore/trusted_root.public-good.json", test_corpus());
	cairn_trusted_root *root;
	cr_assert_eq(cairn_trusted_root_load_file(&root, path), 0, "%s", cairn_error_message());
	return root;
}

static cairn_trusted_root *case_root(const char *name)
{
	char path[4096];
	case_path(path, sizeof path, name, "trusted_root.json");
	cairn_trusted_root *root;
	cr_assert_eq(cairn_trusted_root_load_file(&root, path), 0, "%s", cairn_error_message());
	return root;
}

static cairn_bundle_artifact a_txt(void)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/sigstore/conformance/bundle-verify/a.txt", test_corpus());
	cairn_bundle_artifact artifact = {path, {0}};
	return artifact;
}

static cairn_bundle_options beacon(void)
{
	cairn_bundle_options o;
	memset(&o, 0, sizeof o);
	o.identity.identity = BEACON_IDENTITY;
	o.identity.issuer = BEACON_ISSUER;
	return o;
}

static int64_t utc(int year, int month, int day, int hour, int minute, int second)
{
	struct tm tm = {0};
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	return (int64_t)timegm(&tm);
}

/* --- parsing -------------------------------------------------------------------------------------- */

Test(bundle, malformed_bundles_are_refused_at_parse_time)
{
	static const struct {
		const char *name;
		int code;
		const char *reason;
	} cases[] = {
		{"bundle-malformed-json_fail", CAIRN_EINVAL, "premature end of input"},
		{"bundle-unknown-version_fail", CAIRN_EUNSUPPORTED, "version=99.9"},
		{"bundle-empty-certificate-chain_fail", CAIRN_EINVAL, "chain is empty"},
		{"bundle-negative-log-index_fail", CAIRN_EINVAL, "logIndex: negative"},
		{"bundle-invalid-base64-signature_fail", CAIRN_EINVAL, "messageSignature.signature"},
		{"intoto-missing-inclusion-proof_fail", CAIRN_EINVAL, "no inclusion proof"},
		{"rekor2-no-inclusion-proof_fail", CAIRN_EINVAL, "no inclusion proof"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cairn_bundle *b = NULL;
		cr_assert_eq(load_case(cases[i].name, &b), cases[i].code, "%s: %s", cases[i].name, cairn_error_message());
		cr_assert_null(b);
		cr_assert(strstr(cairn_error_message(), cases[i].reason) != NULL, "%s: %s", cases[i].name,
			  cairn_error_message());
	}
}

Test(bundle, versions_content_and_material_are_read)
{
	static const struct {
		const char *name;
		int version, dsse, key_based;
		size_t tlogs, timestamps;
	} cases[] = {
		{"happy-path-v0.1", 1, 0, 0, 1, 0},
		{"happy-path-v0.2", 2, 0, 0, 1, 0},
		{"happy-path-v0.3", 3, 0, 0, 1, 0},
		{"happy-path-v0.3-new-mediaType", 3, 0, 0, 1, 0},
		{"happy-path-intoto-in-dsse-v3", 3, 1, 0, 1, 0},
		{"intoto-with-custom-trust-root", 2, 1, 0, 1, 1},
		{"managed-key-happy-path", 3, 0, 1, 1, 1},
		{"rekor2-happy-path", 3, 0, 0, 1, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cairn_bundle *b;
		cr_assert_eq(load_case(cases[i].name, &b), 0, "%s: %s", cases[i].name, cairn_error_message());
		cr_assert_eq(cairn_bundle_version(b), cases[i].version, "%s", cases[i].name);
		cr_assert_eq(cairn_bundle_is_dsse(b), cases[i].dsse, "%s", cases[i].name);
		cr_assert_eq(cairn_bundle_dsse(b) != NULL, cases[i].dsse, "%s", cases[i].name);
		cr_assert_eq(cairn_bundle_is_key_based(b), cases[i].key_based, "%s", cases[i].name);
		cr_assert_eq(cairn_bundle_tlog_count(b), cases[i].tlogs, "%s", cases[i].name);
		cr_assert_eq(cairn_bundle_timestamp_count(b), cases[i].timestamps, "%s", cases[i].name);
		cairn_bundle_free(b);
	}
}

static int parse_modified(const char *name, void (*modify)(json_t *doc))
{
	char path[4096];
	case_path(path, sizeof path, name, "bundle.sigstore.json");
	json_error_t error;
	json_t *doc = json_load_file(path, 0, &error);
	cr_assert_not_null(doc, "%s", error.text);
	modify(doc);
	char *text = json_dumps(doc, 0);
	cairn_bundle *b = NULL;
	int err = cairn_bundle_parse(&b, text, strlen(text), "modified bundle");
	cairn_bundle_free(b);
	free(text);
	json_decref(doc);
	return err;
}

static void many_entries(json_t *doc)
{
	json_t *entries = json_object_get(json_object_get(doc, "verificationMaterial"), "tlogEntries");
	while (json_array_size(entries) <= CAIRN_BUNDLE_MAX_TLOG_ENTRIES)
		json_array_append_new(entries, json_deep_copy(json_array_get(entries, 0)));
}

static void both_contents(json_t *doc)
{
	json_object_set_new(doc, "dsseEnvelope", json_pack("{s:s,s:s,s:[{s:s}]}", "payloadType", "t", "payload", "aGk=",
							   "signatures", "sig", "AA=="));
}

static void chain_in_v03(json_t *doc)
{
	json_t *vm = json_object_get(doc, "verificationMaterial");
	json_t *cert = json_deep_copy(json_object_get(vm, "certificate"));
	json_object_del(vm, "certificate");
	json_object_set_new(vm, "x509CertificateChain", json_pack("{s:[o]}", "certificates", cert));
}

static void wrapped_base64(json_t *doc)
{
	/* as `base64` without -w0 writes it: a line break every 76 characters */
	json_t *ms = json_object_get(doc, "messageSignature");
	const char *sig = json_string_value(json_object_get(ms, "signature"));
	char wrapped[512];
	snprintf(wrapped, sizeof wrapped, "%.76s\n%s", sig, sig + 76);
	json_object_set_new(ms, "signature", json_string(wrapped));
}

static void no_log_index(json_t *doc)
{
	json_t *entry = json_array_get(json_object_get(json_object_get(doc, "verificationMaterial"), "tlogEntries"), 0);
	json_object_del(entry, "logIndex");
	json_object_del(json_object_get(entry, "inclusionProof"), "logIndex");
}

static void two_dsse_signatures(json_t *doc)
{
	json_t *sigs = json_object_get(json_object_get(doc, "dsseEnvelope"), "signatures");
	json_array_append_new(sigs, json_deep_copy(json_array_get(sigs, 0)));
}

Test(bundle, structural_rules)
{
	cr_assert_eq(parse_modified("happy-path-v0.3", many_entries), CAIRN_ETOOBIG);
	cr_assert_eq(parse_modified("happy-path-v0.3", both_contents), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "exactly one of messageSignature and dsseEnvelope") != NULL);
	cr_assert_eq(parse_modified("happy-path-v0.3", chain_in_v03), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "single certificate") != NULL);
	cr_assert_eq(parse_modified("happy-path-intoto-in-dsse-v3", two_dsse_signatures), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "exactly one signature") != NULL);
	cr_assert_eq(parse_modified("happy-path-v0.1", wrapped_base64), 0, "%s", cairn_error_message());
	/* protobuf JSON leaves a zero logIndex out (sigstore-js does): it parses as entry 0 */
	cr_assert_eq(parse_modified("happy-path-v0.3", no_log_index), 0, "%s", cairn_error_message());
}

/* The same bundle without its (non-zero) logIndex reads as entry 0, which its signed entry timestamp
 * and inclusion proof contradict: refused at verification, not silently accepted. */
Test(bundle, a_left_out_log_index_is_zero_and_must_still_verify)
{
	char path[4096];
	case_path(path, sizeof path, "happy-path-v0.3", "bundle.sigstore.json");
	json_error_t error;
	json_t *doc = json_load_file(path, 0, &error);
	cr_assert_not_null(doc, "%s", error.text);
	no_log_index(doc);
	char *text = json_dumps(doc, 0);
	cairn_bundle *b = NULL;
	cr_assert_eq(cairn_bundle_parse(&b, text, strlen(text), "bundle"), 0, "%s", cairn_error_message());
	cairn_trusted_root *root = public_good();
	cairn_bundle_artifact art = a_txt();
	cairn_bundle_options opts = beacon();
	cairn_bundle_result result;
	cr_assert_eq(cairn_bundle_verify(b, root, &art, &opts, &result), CAIRN_EVERIFY);
	cairn_bundle_result_free(&result);
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
	free(text);
	json_decref(doc);
}

/* --- verification ----------------------------------------------------------------------------------- */

Test(bundle, v01_bundle_verifies_with_its_integrated_time_and_identity)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("happy-path-v0.1", &b), 0);
	cairn_trusted_root *root = public_good();
	cairn_bundle_artifact artifact = a_txt();
	cairn_bundle_options o = beacon();
	cairn_bundle_result r;
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, &r), 0, "%s", cairn_error_message());
	/* the bundle's integratedTime, which the trust-root-tlog-validity-end-inclusive README gives as
	 * 2023-07-12T15:56:36Z */
	cr_assert_eq(r.time_count, 1);
	cr_assert_eq(r.times[0], utc(2023, 7, 12, 15, 56, 36));
	cr_assert_eq(r.tlog_verified, 1);
	cr_assert_str_eq(r.identity, BEACON_IDENTITY);
	cr_assert_str_eq(r.issuer, BEACON_ISSUER);
	cairn_bundle_result_free(&r);

	/* by digest too */
	cairn_bundle_artifact digest = {NULL, {0}};
	cr_assert_eq(cairn_digest_parse(A_TXT_SHA256, strlen(A_TXT_SHA256), &digest.digest), 0);
	cr_assert_eq(cairn_bundle_verify(b, root, &digest, &o, NULL), 0, "%s", cairn_error_message());
	digest.digest.bytes[31] ^= 1;
	cr_assert_eq(cairn_bundle_verify(b, root, &digest, &o, NULL), CAIRN_EVERIFY);
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}

Test(bundle, the_embedded_public_good_root_verifies_production_bundles)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("happy-path-v0.3", &b), 0);
	cairn_trusted_root *root;
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0, "%s", cairn_error_message());
	cairn_bundle_artifact artifact = a_txt();
	cairn_bundle_options o = beacon();
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), 0, "%s", cairn_error_message());
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}

Test(bundle, wrong_identity_or_issuer_is_refused)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("happy-path-v0.2", &b), 0);
	cairn_trusted_root *root = public_good();
	cairn_bundle_artifact artifact = a_txt();
	cairn_bundle_options o = beacon();
	o.identity.identity = "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main";
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "identity") != NULL, "%s", cairn_error_message());
	o = beacon();
	o.identity.issuer = "https://accounts.google.com";
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "accounts.google.com") != NULL, "%s", cairn_error_message());
	o = beacon();
	o.identity.identity = NULL;
	o.identity.identity_regexp = "^https://github\\.com/sigstore-conformance/.*$";
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), 0, "%s", cairn_error_message());
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}

Test(bundle, an_entry_integrated_after_now_is_in_the_future)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("happy-path-v0.1", &b), 0);
	cairn_trusted_root *root = public_good();
	cairn_bundle_artifact artifact = a_txt();
	cairn_bundle_options o = beacon();
	o.now = utc(2023, 7, 12, 15, 56, 35);
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "in the future") != NULL, "%s", cairn_error_message());
	o.now = utc(2023, 7, 12, 15, 56, 36);
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), 0, "%s", cairn_error_message());
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}

Test(bundle, rekor_v2_bundle_takes_its_time_from_the_timestamp)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("rekor2-happy-path", &b), 0);
	cairn_trusted_root *root = case_root("rekor2-happy-path");
	cairn_bundle_artifact artifact = a_txt();
	cairn_bundle_options o = beacon();
	cairn_bundle_result r;
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, &r), 0, "%s", cairn_error_message());
	/* the TSA's genTime, 2025-06-12T12:02:20Z per trust-root-tsa-validity-end-inclusive's README */
	cr_assert_eq(r.time_count, 1);
	cr_assert_eq(r.times[0], utc(2025, 6, 12, 12, 2, 20));
	cr_assert_eq(r.tlog_verified, 1);
	cairn_bundle_result_free(&r);
	/* the same bundle against the production root: its log is unknown there */
	cairn_trusted_root *prod = public_good();
	cr_assert_eq(cairn_bundle_verify(b, prod, &artifact, &o, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "does not list") != NULL, "%s", cairn_error_message());
	cairn_trusted_root_free(prod);
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}

Test(bundle, managed_key_bundles_need_the_key)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("managed-key-happy-path", &b), 0);
	cairn_trusted_root *root = public_good();
	cairn_bundle_artifact artifact = a_txt();
	char path[4096];
	case_path(path, sizeof path, "managed-key-happy-path", "key.pub");
	cairn_key *key, *other;
	cr_assert_eq(cairn_key_load_public_file(&key, path), 0);
	cr_assert_eq(cairn_key_generate(&other, CAIRN_KEY_ECDSA_P256), 0);
	cairn_bundle_options o;
	memset(&o, 0, sizeof o);
	o.key = key;
	cairn_bundle_result r;
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, &r), 0, "%s", cairn_error_message());
	cr_assert_null(r.identity);
	cairn_bundle_result_free(&r);
	o.key = other;
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), CAIRN_EVERIFY);
	o = beacon();
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "managed key") != NULL, "%s", cairn_error_message());
	cairn_key_free(key);
	cairn_key_free(other);
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}

Test(bundle, dsse_bundle_subjects_must_name_the_artifact)
{
	cairn_bundle *b;
	cr_assert_eq(load_case("happy-path-intoto-in-dsse-v3", &b), 0);
	cairn_trusted_root *root = public_good();
	cairn_bundle_artifact artifact = a_txt();
	cairn_bundle_options o = beacon();
	cr_assert_eq(cairn_bundle_verify(b, root, &artifact, &o, NULL), 0, "%s", cairn_error_message());
	cairn_bundle_artifact other = {NULL, {0}};
	static const char zero[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	cr_assert_eq(cairn_digest_parse(zero, strlen(zero), &other.digest), 0);
	cr_assert_eq(cairn_bundle_verify(b, root, &other, &o, NULL), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), "in-toto statement") != NULL, "%s", cairn_error_message());
	cairn_trusted_root_free(root);
	cairn_bundle_free(b);
}
