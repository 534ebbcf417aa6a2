/* Unit tests of certificates: loading, chain verification to Fulcio CAs, embedded SCTs, identities and
 * identity policies, against the real certificates of the Sigstore conformance bundles. Expected
 * values come from `openssl x509 -text` on those certificates and from the cases' READMEs. */
#include "cairn/cert.h"
#include "cairn/error.h"
#include "cairn/trustroot.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#define GITHUB_WORKFLOW                                                                                          \
	"https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"      \
	"extremely-dangerous-oidc-beacon.yml@refs/heads/main"
#define GITHUB_ISSUER "https://token.actions.githubusercontent.com"

/* happy-path-v0.1's certificate: notBefore Jul 12 15:56:35 2023 GMT, ten minutes long. */
#define HAPPY_NOT_BEFORE 1689177395
#define HAPPY_NOT_AFTER 1689177995

static json_t *load_json(const char *relative)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/sigstore/%s", test_corpus(), relative);
	json_error_t error;
	json_t *doc = json_load_file(path, 0, &error);
	cr_assert_not_null(doc, "%s: %s", path, error.text);
	return doc;
}

/* The certificates of a conformance case's bundle, leaf first; returns how many. */
static size_t bundle_certs(const char *name, cairn_cert **certs, size_t max)
{
	char relative[512];
	snprintf(relative, sizeof relative, "conformance/bundle-verify/%s/bundle.sigstore.json", name);
	json_t *doc = load_json(relative);
	json_t *vm = json_object_get(doc, "verificationMaterial");
	json_t *list = json_object_get(json_object_get(vm, "x509CertificateChain"), "certificates");
	json_t *single = json_object_get(vm, "certificate");
	size_t count = single != NULL ? 1 : json_array_size(list);
	cr_assert(count > 0 && count <= max, "%s: %zu certificates", name, count);
	for (size_t i = 0; i < count; i++) {
		json_t *entry = single != NULL ? single : json_array_get(list, i);
		const char *b64 = json_string_value(json_object_get(entry, "rawBytes"));
		cairn_buf der = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_base64_decode(&der, b64, strlen(b64), CAIRN_BASE64_STD, name), 0);
		cr_assert_eq(cairn_cert_load_der(&certs[i], der.data, der.len, name), 0, "%s", cairn_error_message());
		cairn_buf_free(&der);
	}
	json_decref(doc);
	return count;
}

static cairn_cert *bundle_leaf(const char *name)
{
	cairn_cert *certs[4];
	size_t n = bundle_certs(name, certs, 4);
	for (size_t i = 1; i < n; i++)
		cairn_cert_free(certs[i]);
	return certs[0];
}

static cairn_trusted_root *root_from_json(json_t *doc)
{
	char *text = json_dumps(doc, 0);
	json_decref(doc);
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_parse(&root, text, strlen(text), "test root"), 0, "%s", cairn_error_message());
	free(text);
	return root;
}

static cairn_trusted_root *corpus_root(const char *relative)
{
	return root_from_json(load_json(relative));
}

static void assert_message(const char *needle)
{
	cr_assert(strstr(cairn_error_message(), needle) != NULL, "message \"%s\" lacks \"%s\"", cairn_error_message(),
		  needle);
}

/* A cairn_cert of a trusted root certificate (a copy). */
static cairn_cert *cert_of(X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	cr_assert(len > 0);
	cairn_cert *cert = NULL;
	cr_assert_eq(cairn_cert_load_der(&cert, der, (size_t)len, "root certificate"), 0);
	OPENSSL_free(der);
	return cert;
}

/* ---- loading ---- */

Test(cert, loads_der_with_times_key_and_exact_round_trip)
{
	cairn_cert *cert = bundle_leaf("happy-path-v0.1");
	cr_assert_eq(cairn_cert_not_before(cert), HAPPY_NOT_BEFORE);
	cr_assert_eq(cairn_cert_not_after(cert), HAPPY_NOT_AFTER);
	cairn_key *key = NULL;
	cr_assert_eq(cairn_cert_public_key(cert, &key), 0);
	cr_assert_eq(cairn_key_get_type(key), CAIRN_KEY_ECDSA_P256);
	cr_assert_eq(cairn_key_is_private(key), 0);
	cairn_key_free(key);

	cairn_buf der = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_cert_der(cert, &der), 0);
	cairn_cert *again = NULL;
	cr_assert_eq(cairn_cert_load_der(&again, der.data, der.len, "again"), 0);
	cr_assert_eq(X509_cmp(cairn_cert_x509(cert), cairn_cert_x509(again)), 0);
	cairn_cert_free(again);

	/* Trailing bytes and truncation are refused. */
	cairn_buf_append_byte(&der, 0);
	cr_assert_eq(cairn_cert_load_der(&again, der.data, der.len, "padded.der"), CAIRN_EINVAL);
	assert_message("padded.der: trailing bytes");
	cr_assert_eq(cairn_cert_load_der(&again, der.data, der.len - 20, "short.der"), CAIRN_EINVAL);
	assert_message("short.der: not a valid DER X.509 certificate");
	cr_assert_null(again);
	cairn_buf_free(&der);
	cairn_cert_free(cert);
}

Test(cert, loads_the_first_certificate_block_of_pem)
{
	cairn_cert *cert = bundle_leaf("happy-path-v0.1");
	cairn_buf der = CAIRN_BUF_INIT, b64 = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_cert_der(cert, &der), 0);
	cr_assert_eq(cairn_base64_encode(&b64, der.data, der.len, CAIRN_BASE64_STD), 0);
	cairn_buf_append_str(&pem, "some text before\n-----BEGIN CERTIFICATE-----\n");
	for (size_t i = 0; i < b64.len; i += 64) {
		cairn_buf_append(&pem, b64.data + i, b64.len - i < 64 ? b64.len - i : 64);
		cairn_buf_append_byte(&pem, '\n');
	}
	cairn_buf_append_str(&pem, "-----END CERTIFICATE-----\n");
	cairn_cert *loaded = NULL;
	cr_assert_eq(cairn_cert_load_pem(&loaded, pem.data, pem.len, "cert.pem"), 0, "%s", cairn_error_message());
	cr_assert_eq(X509_cmp(cairn_cert_x509(cert), cairn_cert_x509(loaded)), 0);
	cairn_cert_free(loaded);
	cr_assert_eq(cairn_cert_load_pem(&loaded, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 56,
					 "key.pem"),
		     CAIRN_EINVAL);
	assert_message("key.pem: no valid PEM CERTIFICATE block");
	cairn_buf_free(&der);
	cairn_buf_free(&b64);
	cairn_buf_free(&pem);
	cairn_cert_free(cert);
}

/* ---- chains ---- */

Test(cert, chain_to_public_good_fulcio_at_signing_time)
{
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0);
	cairn_cert *leaf = bundle_leaf("happy-path-v0.1");
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, HAPPY_NOT_BEFORE + 1), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, HAPPY_NOT_AFTER), 0, "%s", cairn_error_message());

	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, HAPPY_NOT_AFTER + 1), CAIRN_EVERIFY);
	assert_message("certificate expired at 2023-07-12T16:06:35Z before the signing time 2023-07-12T16:06:36Z");
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, HAPPY_NOT_BEFORE - 1), CAIRN_EVERIFY);
	assert_message("certificate was not yet valid at the signing time 2023-07-12T15:56:34Z");
	cairn_cert_free(leaf);
	cairn_trusted_root_free(root);
}

Test(cert, staging_certificate_is_not_from_a_public_good_ca)
{
	/* bundle-from-wrong-instance_fail: a staging certificate must not verify against production. */
	cairn_trusted_root *good = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&good), 0);
	cairn_cert *leaf = bundle_leaf("bundle-from-wrong-instance_fail");
	int64_t at = cairn_cert_not_before(leaf) + 60;
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, good, at), CAIRN_EVERIFY);
	assert_message("certificate was not issued by a trusted Fulcio CA");
	cairn_trusted_root *staging = corpus_root("trusted_root.staging.json");
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, staging, at), 0, "%s", cairn_error_message());
	cairn_trusted_root_free(staging);
	cairn_cert_free(leaf);
	cairn_trusted_root_free(good);
}

Test(cert, bundle_chain_with_a_root_is_refused)
{
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0);
	cairn_cert *certs[4];
	size_t n = bundle_certs("bundle-with-root-cert_fail", certs, 4);
	cr_assert_eq(n, 3);
	int64_t at = cairn_cert_not_before(certs[0]) + 1;
	cr_assert_eq(cairn_cert_verify_chain(certs[0], certs + 1, n - 1, root, at), CAIRN_EVERIFY);
	assert_message("contains a self-signed root certificate");
	/* Without the chain, the leaf (issued by the production intermediate) verifies. */
	cr_assert_eq(cairn_cert_verify_chain(certs[0], NULL, 0, root, at), 0, "%s", cairn_error_message());
	for (size_t i = 0; i < n; i++)
		cairn_cert_free(certs[i]);
	cairn_trusted_root_free(root);
}

Test(cert, bundle_intermediates_complete_the_path)
{
	/* A root whose production CA lists only its root certificate: the leaf verifies only when the
	 * bundle brings the intermediate. */
	json_t *doc = load_json("trusted_root.public-good.json");
	json_t *certs = json_object_get(
		json_object_get(json_array_get(json_object_get(doc, "certificateAuthorities"), 1), "certChain"),
		"certificates");
	json_array_remove(certs, 0);
	cairn_trusted_root *root = root_from_json(doc);
	cairn_trusted_root *full = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&full), 0);
	cairn_cert *intermediate = cert_of(full->cas[1].chain[0]);
	cairn_cert *leaf = bundle_leaf("happy-path-v0.1");
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, HAPPY_NOT_BEFORE), CAIRN_EVERIFY);
	assert_message("certificate was not issued by a trusted Fulcio CA");
	cr_assert_eq(cairn_cert_verify_chain(leaf, &intermediate, 1, root, HAPPY_NOT_BEFORE), 0, "%s",
		     cairn_error_message());
	cairn_cert_free(leaf);
	cairn_cert_free(intermediate);
	cairn_trusted_root_free(full);
	cairn_trusted_root_free(root);
}

Test(cert, ca_must_be_valid_at_signing_time)
{
	cairn_trusted_root *good = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&good), 0);
	/* Narrow the production CA's validFor so it ends before the signing time. */
	good->cas[1].valid.end = HAPPY_NOT_BEFORE - 1;
	cairn_cert *leaf = bundle_leaf("happy-path-v0.1");
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, good, HAPPY_NOT_BEFORE), CAIRN_EVERIFY);
	assert_message("no certificate authority in the trusted root is valid at the signing time 2023-07-12T15:56:35Z");
	cairn_cert_free(leaf);
	cairn_trusted_root_free(good);

	/* intoto-expired-certificate_fail: the mock CA certificate expired in 2024, the leaf is from 2030. */
	cairn_trusted_root *mock = corpus_root("conformance/bundle-verify/intoto-expired-certificate_fail/trusted_root.json");
	leaf = bundle_leaf("intoto-expired-certificate_fail");
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, mock, cairn_cert_not_before(leaf) + 1), CAIRN_EVERIFY);
	assert_message("a CA certificate in the chain had expired");
	cairn_cert_free(leaf);
	cairn_trusted_root_free(mock);
}

Test(cert, key_usage_and_code_signing_eku_are_required)
{
	/* The public-good TSA's leaf has digitalSignature but the timeStamping EKU; the Fulcio
	 * intermediate has only certificate-signing key usage. Trusting their chains as a "Fulcio CA"
	 * isolates the usage checks from the path checks. */
	json_t *doc = load_json("trusted_root.public-good.json");
	json_t *tsa = json_array_get(json_object_get(doc, "timestampAuthorities"), 0);
	json_array_append(json_object_get(doc, "certificateAuthorities"), tsa);
	cairn_trusted_root *root = root_from_json(doc);
	cairn_cert *tsa_leaf = cert_of(root->tsas[0].chain[0]);
	int64_t at = cairn_cert_not_before(tsa_leaf) + 1;
	cr_assert_eq(cairn_cert_verify_chain(tsa_leaf, NULL, 0, root, at), CAIRN_EVERIFY);
	assert_message("certificate lacks the code signing extended key usage");
	cairn_cert *intermediate = cert_of(root->cas[1].chain[0]);
	cr_assert_eq(cairn_cert_verify_chain(intermediate, NULL, 0, root, cairn_cert_not_before(intermediate) + 1),
		     CAIRN_EVERIFY);
	assert_message("certificate lacks the digitalSignature key usage");
	cairn_cert_free(intermediate);
	cairn_cert_free(tsa_leaf);
	cairn_trusted_root_free(root);
}

/* ---- SCTs ---- */

static cairn_cert *production_intermediate(cairn_trusted_root **root)
{
	cr_assert_eq(cairn_trusted_root_public_good(root), 0);
	return cert_of((*root)->cas[1].chain[0]);
}

Test(cert, embedded_sct_verifies_against_public_good_ct_log)
{
	cairn_trusted_root *root;
	cairn_cert *issuer = production_intermediate(&root);
	const char *cases[] = {"happy-path-v0.1", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3",
			       "wrong-hashedrekord-artifact_fail"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cairn_cert *leaf = bundle_leaf(cases[i]);
		cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 1), 0, "%s: %s", cases[i], cairn_error_message());
		/* Each carries exactly one SCT (openssl x509 -text), so two cannot be met. */
		cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 2), CAIRN_EVERIFY);
		assert_message("1 verified SCT from trusted CT logs but 2 are needed");
		cairn_cert_free(leaf);
	}
	cairn_cert_free(issuer);
	cairn_trusted_root_free(root);
}

Test(cert, sct_with_extensions_verifies_with_its_own_root)
{
	/* bundle-with-sct-with-extensions: a Static CT log's SCT with a non-empty extensions field. */
	cairn_trusted_root *root =
		corpus_root("conformance/bundle-verify/bundle-with-sct-with-extensions/trusted_root.json");
	cairn_cert *issuer = cert_of(root->cas[0].chain[0]);
	cairn_cert *leaf = bundle_leaf("bundle-with-sct-with-extensions");
	cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 1), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, cairn_cert_not_before(leaf) + 1), 0, "%s",
		     cairn_error_message());
	cairn_cert_free(leaf);
	cairn_cert_free(issuer);
	cairn_trusted_root_free(root);
}

Test(cert, sct_from_an_untrusted_log_or_wrong_issuer_fails)
{
	/* invalid-ct-key_fail: its root lists only staging CT logs. */
	cairn_trusted_root *root = corpus_root("conformance/bundle-verify/invalid-ct-key_fail/trusted_root.json");
	cairn_cert *issuer = cert_of(root->cas[1].chain[0]);
	cairn_cert *leaf = bundle_leaf("invalid-ct-key_fail");
	cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 1), CAIRN_EVERIFY);
	assert_message("it is from CT log 3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=, which the trusted root does not list");
	cairn_cert_free(issuer);
	cairn_trusted_root_free(root);

	/* The right log, but the issuer key hash of the wrong certificate. */
	cairn_cert *wrong_issuer = production_intermediate(&root);
	cairn_cert_free(wrong_issuer);
	cr_assert_eq(cairn_cert_verify_scts(leaf, leaf, root, 1), CAIRN_EVERIFY);
	assert_message("does not verify");

	/* The right log, outside its validity window. */
	issuer = cert_of(root->cas[1].chain[0]);
	root->ctlogs[1].valid.start = HAPPY_NOT_AFTER;
	cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 1), CAIRN_EVERIFY);
	assert_message("its time is outside the trusted validity of CT log https://ctfe.sigstore.dev/2022");
	cairn_cert_free(issuer);
	cairn_cert_free(leaf);
	cairn_trusted_root_free(root);
}

/* Flips one byte of the leaf's DER at the first occurrence of `marker` plus `offset`. */
static cairn_cert *tampered_leaf(const char *name, const uint8_t *marker, size_t marker_len, size_t offset)
{
	cairn_cert *leaf = bundle_leaf(name);
	cairn_buf der = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_cert_der(leaf, &der), 0);
	cairn_cert_free(leaf);
	uint8_t *at = memmem(der.data, der.len, marker, marker_len);
	cr_assert_not_null(at);
	at[offset] ^= 0x01;
	cr_assert_eq(cairn_cert_load_der(&leaf, der.data, der.len, "tampered"), 0, "%s", cairn_error_message());
	cairn_buf_free(&der);
	return leaf;
}

Test(cert, tampered_sct_or_certificate_fails)
{
	cairn_trusted_root *root;
	cairn_cert *issuer = production_intermediate(&root);
	/* The SCT's log ID (openssl: DD:3D:30:6A...); the byte 32 + 7 after it is the timestamp's last. */
	static const uint8_t log_id[] = {0xDD, 0x3D, 0x30, 0x6A, 0xC6, 0xC7, 0x11, 0x32};
	cairn_cert *leaf = tampered_leaf("happy-path-v0.1", log_id, sizeof log_id, 32 + 7);
	cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 1), CAIRN_EVERIFY);
	assert_message("SCT 1: its signature by CT log https://ctfe.sigstore.dev/2022 does not verify");
	cairn_cert_free(leaf);
	/* A byte of the certificate outside the SCT: the workflow name in extension 1.4. */
	leaf = tampered_leaf("happy-path-v0.1", (const uint8_t *)"Extremely dangerous", 19, 0);
	cr_assert_eq(cairn_cert_verify_scts(leaf, issuer, root, 1), CAIRN_EVERIFY);
	assert_message("does not verify");
	/* ... which the CA's signature catches too. */
	cr_assert_eq(cairn_cert_verify_chain(leaf, NULL, 0, root, HAPPY_NOT_BEFORE), CAIRN_EVERIFY);
	assert_message("certificate was not issued by a trusted Fulcio CA");
	cairn_cert_free(leaf);
	/* A certificate without SCTs. */
	cr_assert_eq(cairn_cert_verify_scts(issuer, issuer, root, 1), CAIRN_EVERIFY);
	assert_message("certificate has no embedded SCTs");
	cairn_cert_free(issuer);
	cairn_trusted_root_free(root);
}

/* ---- identity ---- */

Test(cert, identity_of_a_github_workflow_certificate)
{
	cairn_cert *leaf = bundle_leaf("happy-path-v0.1");
	cairn_cert_identity id;
	cr_assert_eq(cairn_cert_get_identity(leaf, &id), 0, "%s", cairn_error_message());
	cr_assert_eq(id.san_count, 1);
	cr_assert_str_eq(id.sans[0], GITHUB_WORKFLOW);
	cr_assert_str_eq(id.issuer, GITHUB_ISSUER);
	/* v1 extensions are raw; v2 ones are DER UTF8Strings (openssl prints their tag bytes as dots). */
	cr_assert_str_eq(id.extensions[1], GITHUB_ISSUER);
	cr_assert_str_eq(id.extensions[2], "workflow_dispatch");
	cr_assert_str_eq(id.extensions[3], "af785b6d3b0fa0c0aa1305faee7ce6036e8d90c4");
	cr_assert_str_eq(id.extensions[4], "Extremely dangerous OIDC beacon");
	cr_assert_str_eq(id.extensions[5], "sigstore-conformance/extremely-dangerous-public-oidc-beacon");
	cr_assert_str_eq(id.extensions[6], "refs/heads/main");
	cr_assert_null(id.extensions[7]);
	cr_assert_str_eq(id.extensions[8], GITHUB_ISSUER);
	cr_assert_str_eq(id.extensions[9], GITHUB_WORKFLOW);
	cr_assert_str_eq(id.extensions[11], "github-hosted");
	cr_assert_str_eq(id.extensions[12], "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon");
	cr_assert_str_eq(id.extensions[14], "refs/heads/main");
	cr_assert_str_eq(id.extensions[15], "632596897");
	cr_assert_str_eq(id.extensions[20], "workflow_dispatch");
	cr_assert_str_eq(id.extensions[21],
			 "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/5533741497/attempts/1");
	cr_assert_null(id.extensions[22]);
	cairn_cert_identity_free(&id);
	cairn_cert_free(leaf);
}

Test(cert, identity_of_an_email_certificate)
{
	cairn_cert *leaf = bundle_leaf("bundle-with-root-cert_fail");
	cairn_cert_identity id;
	cr_assert_eq(cairn_cert_get_identity(leaf, &id), 0, "%s", cairn_error_message());
	cr_assert_eq(id.san_count, 1);
	cr_assert_str_eq(id.sans[0], "a@tny.town");
	cr_assert_str_eq(id.issuer, "https://github.com/login/oauth");
	cr_assert_null(id.extensions[2]);
	cairn_cert_identity_free(&id);
	cairn_cert_free(leaf);
}

Test(cert, identity_of_a_certificate_without_fulcio_extensions)
{
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0);
	cairn_cert *ca = cert_of(root->cas[1].chain[1]);
	cairn_cert_identity id;
	cr_assert_eq(cairn_cert_get_identity(ca, &id), 0);
	cr_assert_eq(id.san_count, 0);
	cr_assert_null(id.issuer);
	cairn_cert_identity_free(&id);
	cairn_identity_policy policy = {.identity = "x", .issuer = "y"};
	cr_assert_eq(cairn_identity_policy_check(&policy, ca), CAIRN_EVERIFY);
	assert_message("certificate holds no email, URI or username identity");
	cairn_cert_free(ca);
	cairn_trusted_root_free(root);
}

/* ---- policy ---- */

static int check(const char *identity, const char *identity_re, const char *issuer, const char *issuer_re)
{
	cairn_cert *leaf = bundle_leaf("happy-path-v0.1");
	cairn_identity_policy policy = {identity, identity_re, issuer, issuer_re};
	int err = cairn_identity_policy_check(&policy, leaf);
	cairn_cert_free(leaf);
	return err;
}

Test(cert, policy_exact_and_regexp_matches)
{
	cr_assert_eq(check(GITHUB_WORKFLOW, NULL, GITHUB_ISSUER, NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(check(NULL, "https://github\\.com/sigstore-conformance/.*@refs/heads/main", NULL,
			   "https://token\\.actions\\.githubusercontent\\.com"),
		     0, "%s", cairn_error_message());
	cr_assert_eq(check(GITHUB_WORKFLOW, ".*beacon.*", GITHUB_ISSUER, "https://.*"), 0, "%s", cairn_error_message());
	/* Alternation stays inside the anchors: "a|b" means the whole value is a or b. */
	cr_assert_eq(check(NULL, "nothing|" GITHUB_WORKFLOW, GITHUB_ISSUER, NULL), 0, "%s", cairn_error_message());
}

Test(cert, policy_mismatches_say_what_was_held_and_expected)
{
	cr_assert_eq(check("someone@example.com", NULL, GITHUB_ISSUER, NULL), CAIRN_EVERIFY);
	assert_message("certificate identity mismatch: the certificate was issued to \"" GITHUB_WORKFLOW
		       "\", but \"someone@example.com\" was expected");
	cr_assert_eq(check(GITHUB_WORKFLOW, NULL, "https://accounts.google.com", NULL), CAIRN_EVERIFY);
	assert_message("certificate issuer mismatch: the certificate's OIDC issuer is \"" GITHUB_ISSUER
		       "\", but \"https://accounts.google.com\" was expected");
	/* A regexp matches the whole value, not a part of it. */
	cr_assert_eq(check(NULL, "sigstore-conformance", GITHUB_ISSUER, NULL), CAIRN_EVERIFY);
	assert_message("which does not match the regular expression \"sigstore-conformance\"");
	cr_assert_eq(check(GITHUB_WORKFLOW, NULL, NULL, "https://token"), CAIRN_EVERIFY);
	assert_message("does not match the regular expression \"https://token\"");
	/* Both given: both must hold. */
	cr_assert_eq(check(GITHUB_WORKFLOW, "x.*", GITHUB_ISSUER, NULL), CAIRN_EVERIFY);
}

Test(cert, policy_usage_errors)
{
	cr_assert_eq(check(NULL, NULL, GITHUB_ISSUER, NULL), CAIRN_EINVAL);
	assert_message("needs --certificate-identity or --certificate-identity-regexp");
	cr_assert_eq(check(GITHUB_WORKFLOW, NULL, NULL, NULL), CAIRN_EINVAL);
	assert_message("needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp");
	cr_assert_eq(check(NULL, "(unclosed", GITHUB_ISSUER, NULL), CAIRN_EINVAL);
	assert_message("--certificate-identity-regexp: \"(unclosed\" is not a valid POSIX extended regular expression");
}
