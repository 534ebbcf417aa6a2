/* Unit tests of trusted_root.json parsing: the public-good and staging roots from the corpus, every
 * conformance case's own root, lookups by log ID, and malformed roots refused with the field named. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/trustroot.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

static cairn_trusted_root *load_corpus_root(const char *relative)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/sigstore/%s", test_corpus(), relative);
	cairn_trusted_root *root = NULL;
	int err = cairn_trusted_root_load_file(&root, path);
	cr_assert_eq(err, 0, "%s: %s", path, cairn_error_message());
	return root;
}

/* The log ID of Rekor v1 and of CT logs is the SHA-256 of the DER public key (RFC 6962 3.2). */
static void assert_log_id_is_key_hash(const cairn_trusted_log *log)
{
	cr_assert_not_null(log->key, "%s has no key", log->base_url);
	cairn_buf der = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_public_der(log->key, &der), 0);
	cairn_digest d;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, der.data, der.len, &d), 0);
	cr_assert_eq(log->log_id_len, 32);
	cr_assert_eq(memcmp(log->log_id, d.bytes, 32), 0, "%s: log ID is not the key's SHA-256", log->base_url);
	cairn_buf_free(&der);
}

/* Independent expectations come from the JSON text itself: these times are the ones written in
 * trusted_root.public-good.json, converted with `date -u -d ... +%s`. */
static void check_public_good(const cairn_trusted_root *root)
{
	cr_assert_eq(root->tlog_count, 2);
	cr_assert_eq(root->ctlog_count, 2);
	cr_assert_eq(root->ca_count, 2);
	cr_assert_eq(root->tsa_count, 1);

	cr_assert_str_eq(root->tlogs[0].base_url, "https://rekor.sigstore.dev");
	cr_assert_eq(cairn_key_get_type(root->tlogs[0].key), CAIRN_KEY_ECDSA_P256);
	cr_assert_eq(root->tlogs[0].valid.start, 1610452407); /* 2021-01-12T11:53:27Z */
	cr_assert_eq(root->tlogs[0].valid.end, INT64_MAX);
	assert_log_id_is_key_hash(&root->tlogs[0]);
	cr_assert_str_eq(root->tlogs[1].origin, "log2025-1.rekor.sigstore.dev");
	cr_assert_eq(cairn_key_get_type(root->tlogs[1].key), CAIRN_KEY_ED25519);
	cr_assert_eq(root->tlogs[1].valid.start, 1758585600); /* 2025-09-23T00:00:00Z */

	cr_assert_eq(root->ctlogs[0].valid.start, 1615680000); /* 2021-03-14T00:00:00Z */
	cr_assert_eq(root->ctlogs[0].valid.end, 1667260799); /* 2022-10-31T23:59:59.999Z, fraction dropped */
	assert_log_id_is_key_hash(&root->ctlogs[0]);
	assert_log_id_is_key_hash(&root->ctlogs[1]);

	cr_assert_str_eq(root->cas[0].uri, "https://fulcio.sigstore.dev");
	cr_assert_eq(root->cas[0].chain_len, 1);
	cr_assert_eq(root->cas[0].valid.start, 1615087229); /* 2021-03-07T03:20:29Z */
	cr_assert_eq(root->cas[0].valid.end, 1672531199);   /* 2022-12-31T23:59:59.999Z */
	cr_assert_eq(root->cas[1].chain_len, 2);
	cr_assert_eq(root->cas[1].valid.start, 1649880375); /* 2022-04-13T20:06:15Z */
	cr_assert_eq(root->cas[1].valid.end, INT64_MAX);
	/* Leaf first, root last: the last certificate of the chain is self-issued. */
	X509 *last = root->cas[1].chain[1];
	cr_assert_eq(X509_NAME_cmp(X509_get_subject_name(last), X509_get_issuer_name(last)), 0);
	cr_assert_neq(X509_NAME_cmp(X509_get_subject_name(root->cas[1].chain[0]),
				    X509_get_issuer_name(root->cas[1].chain[0])),
		      0);
	cr_assert_eq(root->tsas[0].chain_len, 2);
	cr_assert_eq(root->tsas[0].valid.start, 1751587200); /* 2025-07-04T00:00:00Z */
}

Test(trustroot, public_good_file_parses_with_counts_and_windows)
{
	cairn_trusted_root *root = load_corpus_root("trusted_root.public-good.json");
	check_public_good(root);
	cairn_trusted_root_free(root);
}

Test(trustroot, embedded_public_good_matches_the_corpus_file)
{
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_public_good(&root), 0, "%s", cairn_error_message());
	check_public_good(root);
	cairn_trusted_root *file = load_corpus_root("trusted_root.public-good.json");
	for (size_t i = 0; i < root->tlog_count; i++)
		cr_assert_eq(memcmp(root->tlogs[i].log_id, file->tlogs[i].log_id, 32), 0);
	for (size_t i = 0; i < root->ca_count; i++)
		for (size_t j = 0; j < root->cas[i].chain_len; j++)
			cr_assert_eq(X509_cmp(root->cas[i].chain[j], file->cas[i].chain[j]), 0);
	cairn_trusted_root_free(file);
	cairn_trusted_root_free(root);
}

Test(trustroot, staging_parses_including_pkcs1_rsa_ct_key)
{
	cairn_trusted_root *root = load_corpus_root("trusted_root.staging.json");
	cr_assert_eq(root->tlog_count, 4);
	cr_assert_eq(root->ctlog_count, 4);
	cr_assert_eq(root->ca_count, 1);
	cr_assert_eq(root->tsa_count, 1);
	cr_assert_eq(cairn_key_get_type(root->ctlogs[0].key), CAIRN_KEY_RSA);
	assert_log_id_is_key_hash(&root->ctlogs[0]); /* CT log IDs hash the SPKI even for a PKCS#1 key */
	cr_assert_str_eq(root->tlogs[1].origin, "log2025-alpha1.rekor.sigstage.dev");
	cr_assert_eq(root->tlogs[1].valid.start, 1744761600); /* 2025-04-16T00:00:00Z */
	cr_assert_eq(root->tlogs[1].valid.end, 1756944000);   /* 2025-09-04T00:00:00Z */
	cr_assert_eq(root->tsas[0].chain_len, 2);
	cairn_trusted_root_free(root);
}

Test(trustroot, every_conformance_root_parses_except_the_broken_one)
{
	char dir_path[1024];
	snprintf(dir_path, sizeof dir_path, "%s/sigstore/conformance/bundle-verify", test_corpus());
	DIR *dir = opendir(dir_path);
	cr_assert_not_null(dir, "%s missing", dir_path);
	size_t parsed = 0, refused = 0;
	struct dirent *ent;
	while ((ent = readdir(dir)) != NULL) {
		char path[2048];
		snprintf(path, sizeof path, "%s/%s/trusted_root.json", dir_path, ent->d_name);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		fclose(f);
		cairn_trusted_root *root = NULL;
		int err = cairn_trusted_root_load_file(&root, path);
		if (strcmp(ent->d_name, "trust-root-tlog-missing-validity-start_fail") == 0) {
			/* Its README: the tlog's validFor.start was deleted; the root must be refused. */
			cr_assert_eq(err, CAIRN_EINVAL);
			cr_assert(strstr(cairn_error_message(), "tlogs[1].publicKey.validFor.start: missing") != NULL,
				  "%s", cairn_error_message());
			refused++;
		} else {
			cr_assert_eq(err, 0, "%s: %s", ent->d_name, cairn_error_message());
			cr_assert(root->tlog_count > 0 && root->ca_count > 0);
			parsed++;
		}
		cairn_trusted_root_free(root);
	}
	closedir(dir);
	cr_assert_eq(refused, 1);
	cr_assert_geq(parsed, 37);
}

Test(trustroot, null_members_mean_absent)
{
	/* This case's root, exported by a protobuf library, writes unset members as null. */
	cairn_trusted_root *root =
		load_corpus_root("conformance/bundle-verify/trust-root-tlog-validity-end-inclusive/trusted_root.json");
	cr_assert_eq(root->tlogs[0].valid.end, 1689177396); /* 2023-07-12T15:56:36Z, from its README */
	cr_assert_eq(root->tlogs[1].valid.end, INT64_MAX);  /* "end": null */
	cr_assert_eq(root->ctlogs[0].valid.end, 1667260799); /* "2022-10-31T23:59:59.999000Z" */
	cairn_trusted_root_free(root);
}

Test(trustroot, lookup_by_log_id)
{
	cairn_trusted_root *root = load_corpus_root("trusted_root.public-good.json");
	cairn_buf id = CAIRN_BUF_INIT;
	const char *rekor = "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=";
	cr_assert_eq(cairn_base64_decode(&id, rekor, strlen(rekor), CAIRN_BASE64_STD, "id"), 0);
	const cairn_trusted_log *log = cairn_trusted_root_find_tlog(root, id.data, id.len);
	cr_assert_not_null(log);
	cr_assert_str_eq(log->base_url, "https://rekor.sigstore.dev");
	cr_assert_null(cairn_trusted_root_find_ctlog(root, id.data, id.len)); /* a tlog is not a CT log */
	cr_assert_null(cairn_trusted_root_find_tlog(root, id.data, 31));       /* a prefix is not an ID */
	cairn_buf_clear(&id);
	const char *ct = "3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=";
	cr_assert_eq(cairn_base64_decode(&id, ct, strlen(ct), CAIRN_BASE64_STD, "id"), 0);
	log = cairn_trusted_root_find_ctlog(root, id.data, id.len);
	cr_assert_not_null(log);
	cr_assert_str_eq(log->base_url, "https://ctfe.sigstore.dev/2022");
	cr_assert_null(cairn_trusted_root_find_tlog(root, id.data, id.len));
	cairn_buf_free(&id);
	cairn_trusted_root_free(root);
}

Test(trustroot, validity_ends_are_inclusive)
{
	cairn_validity v = {100, 200};
	cr_assert(cairn_validity_contains(&v, 100));
	cr_assert(cairn_validity_contains(&v, 200));
	cr_assert_not(cairn_validity_contains(&v, 99));
	cr_assert_not(cairn_validity_contains(&v, 201));
	cairn_validity open = {100, INT64_MAX};
	cr_assert(cairn_validity_contains(&open, INT64_MAX - 1));
}

/* ---- malformed roots, made by editing the public-good root ---- */

static json_t *public_good_json(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/sigstore/trusted_root.public-good.json", test_corpus());
	json_error_t error;
	json_t *doc = json_load_file(path, 0, &error);
	cr_assert_not_null(doc, "%s: %s", path, error.text);
	return doc;
}

/* Parses doc (and releases it); returns the error code, the message stays in cairn_error_message. */
static int parse_json(json_t *doc, cairn_trusted_root **out)
{
	char *text = json_dumps(doc, 0);
	json_decref(doc);
	cr_assert_not_null(text);
	int err = cairn_trusted_root_parse(out, text, strlen(text), "root.json");
	free(text);
	return err;
}

static void expect_refused(json_t *doc, int code, const char *message)
{
	cairn_trusted_root *root = NULL;
	int err = parse_json(doc, &root);
	cr_assert_eq(err, code, "expected %d, got %d: %s", code, err, cairn_error_message());
	cr_assert_null(root);
	cr_assert(strstr(cairn_error_message(), message) != NULL, "message \"%s\" lacks \"%s\"", cairn_error_message(),
		  message);
}

static json_t *tlog(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "tlogs"), i);
}

static json_t *path_get(json_t *obj, const char *a, const char *b)
{
	json_t *v = json_object_get(obj, a);
	return b != NULL ? json_object_get(v, b) : v;
}

Test(trustroot, refuses_bad_base64_naming_the_field)
{
	json_t *doc = public_good_json();
	json_object_set_new(path_get(tlog(doc, 0), "logId", NULL), "keyId", json_string("wNI9atQG!z+V"));
	expect_refused(doc, CAIRN_EINVAL, "root.json: tlogs[0].logId.keyId: invalid base64");

	doc = public_good_json();
	json_t *cert = json_array_get(
		path_get(path_get(json_array_get(json_object_get(doc, "certificateAuthorities"), 1), "certChain", NULL),
			 "certificates", NULL),
		1);
	json_object_set_new(cert, "rawBytes", json_string("MIIB9zCCAXygAw=="));
	expect_refused(doc, CAIRN_EINVAL, "certificateAuthorities[1].certChain.certificates[1].rawBytes: not a valid DER");
}

Test(trustroot, refuses_bad_times_naming_the_field)
{
	static const char *const bad[] = {
		"2021-02-29T00:00:00Z", /* not a leap year */
		"2021-03-07 03:20:29Z", /* no T */
		"2021-03-07T03:20:29",  /* no zone */
		"2021-03-07T24:00:00Z", "2021-03-07T03:20:60Z", "2021-03-07T03:20:29.Z", "21-03-07T03:20:29Z",
		"2021-03-07T03:20:29Zjunk", "1615087229",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *doc = public_good_json();
		json_t *valid = path_get(json_array_get(json_object_get(doc, "ctlogs"), 1), "publicKey", "validFor");
		json_object_set_new(valid, "start", json_string(bad[i]));
		expect_refused(doc, CAIRN_EINVAL, "ctlogs[1].publicKey.validFor.start: \"");
	}
	json_t *doc = public_good_json();
	json_t *valid = path_get(json_array_get(json_object_get(doc, "certificateAuthorities"), 0), "validFor", NULL);
	json_object_set_new(valid, "end", json_string("2020-01-01T00:00:00Z"));
	expect_refused(doc, CAIRN_EINVAL, "certificateAuthorities[0].validFor.end: ends before it starts");
}

Test(trustroot, time_zones_and_fractions)
{
	json_t *doc = public_good_json();
	json_t *valid = path_get(json_array_get(json_object_get(doc, "certificateAuthorities"), 0), "validFor", NULL);
	json_object_set_new(valid, "start", json_string("2021-03-07T04:20:29.123456789+01:00"));
	json_object_set_new(valid, "end", json_string("2000-02-29T23:59:59-00:30"));
	cairn_trusted_root *root = NULL;
	/* end (2000-03-01T00:29:59Z) is before start: the offset was applied to both. */
	cr_assert_eq(parse_json(doc, &root), CAIRN_EINVAL);
	doc = public_good_json();
	valid = path_get(json_array_get(json_object_get(doc, "certificateAuthorities"), 0), "validFor", NULL);
	json_object_set_new(valid, "start", json_string("2021-03-07T04:20:29.123456789+01:00"));
	json_object_set_new(valid, "end", json_string("2096-02-29T23:59:59-00:30"));
	cr_assert_eq(parse_json(doc, &root), 0, "%s", cairn_error_message());
	cr_assert_eq(root->cas[0].valid.start, 1615087229);
	cr_assert_eq(root->cas[0].valid.end, 3981400199); /* date -u -d 2096-03-01T00:29:59Z +%s */
	cairn_trusted_root_free(root);
}

Test(trustroot, refuses_missing_members)
{
	json_t *doc = public_good_json();
	json_object_del(tlog(doc, 1), "publicKey");
	expect_refused(doc, CAIRN_EINVAL, "root.json: tlogs[1].publicKey: missing");

	doc = public_good_json();
	json_object_del(path_get(tlog(doc, 0), "publicKey", NULL), "validFor");
	expect_refused(doc, CAIRN_EINVAL, "tlogs[0].publicKey.validFor: missing");

	doc = public_good_json();
	json_object_del(tlog(doc, 0), "logId");
	expect_refused(doc, CAIRN_EINVAL, "tlogs[0].logId: missing");

	doc = public_good_json();
	json_object_del(doc, "mediaType");
	expect_refused(doc, CAIRN_EINVAL, "mediaType: missing");

	doc = public_good_json();
	json_object_set_new(doc, "mediaType", json_string("application/vnd.dev.sigstore.trustedroot+json;version=9"));
	expect_refused(doc, CAIRN_EUNSUPPORTED, "version=9\" is not a trusted root version");

	doc = public_good_json();
	json_object_set_new(doc, "tlogs", json_object());
	expect_refused(doc, CAIRN_EINVAL, "tlogs: not a JSON array");

	doc = public_good_json();
	json_object_set_new(path_get(json_array_get(json_object_get(doc, "timestampAuthorities"), 0), "certChain", NULL),
			    "certificates", json_array());
	expect_refused(doc, CAIRN_EINVAL, "timestampAuthorities[0].certChain.certificates: empty");
}

Test(trustroot, key_must_match_key_details)
{
	json_t *doc = public_good_json();
	json_object_set_new(path_get(tlog(doc, 1), "publicKey", NULL), "keyDetails",
			    json_string("PKIX_ECDSA_P256_SHA_256"));
	expect_refused(doc, CAIRN_EINVAL, "tlogs[1].publicKey.rawBytes: holds a ed25519 key but keyDetails says PKIX_ECDSA_P256_SHA_256");

	doc = public_good_json();
	json_object_set_new(path_get(tlog(doc, 0), "publicKey", NULL), "rawBytes", json_string("AAAA"));
	expect_refused(doc, CAIRN_EINVAL, "tlogs[0].publicKey.rawBytes: not a valid DER SubjectPublicKeyInfo");
}

Test(trustroot, unknown_key_algorithm_keeps_the_log_without_key)
{
	json_t *doc = public_good_json();
	json_object_set_new(path_get(tlog(doc, 1), "publicKey", NULL), "keyDetails", json_string("LMS_SHA256"));
	cairn_trusted_root *root = NULL;
	cr_assert_eq(parse_json(doc, &root), 0, "%s", cairn_error_message());
	cr_assert_eq(root->tlog_count, 2);
	cr_assert_null(root->tlogs[1].key);
	cr_assert_not_null(root->tlogs[0].key);
	cairn_trusted_root_free(root);

	/* A well-formed key of a curve cairn does not verify with (P-521) is kept the same way. */
	EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	cr_assert_not_null(p521);
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(p521, &der);
	cr_assert(len > 0);
	cairn_buf b64 = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_encode(&b64, der, (size_t)len, CAIRN_BASE64_STD), 0);
	OPENSSL_free(der);
	EVP_PKEY_free(p521);
	doc = public_good_json();
	json_object_set_new(path_get(json_array_get(json_object_get(doc, "ctlogs"), 0), "publicKey", NULL), "rawBytes",
			    json_string(cairn_buf_cstr(&b64)));
	cairn_buf_free(&b64);
	cr_assert_eq(parse_json(doc, &root), 0, "%s", cairn_error_message());
	cr_assert_null(root->ctlogs[0].key);
	cr_assert_not_null(root->ctlogs[1].key);
	cairn_trusted_root_free(root);
}

Test(trustroot, unknown_members_are_ignored_and_new_media_type_accepted)
{
	json_t *doc = public_good_json();
	json_object_set_new(doc, "mediaType", json_string("application/vnd.dev.sigstore.trustedroot.v0.2+json"));
	json_object_set_new(doc, "futureField", json_pack("{s:[i,i]}", "x", 1, 2));
	json_object_set_new(tlog(doc, 0), "checkpointKeyId", json_pack("{s:s}", "keyId", "AAAA"));
	cairn_trusted_root *root = NULL;
	cr_assert_eq(parse_json(doc, &root), 0, "%s", cairn_error_message());
	cr_assert_eq(root->tlog_count, 2);
	cairn_trusted_root_free(root);
}

Test(trustroot, refuses_garbage_and_missing_files)
{
	cairn_trusted_root *root = NULL;
	cr_assert_eq(cairn_trusted_root_parse(&root, "[]", 2, "r.json"), CAIRN_EINVAL);
	cr_assert_eq(cairn_trusted_root_parse(&root, "{", 1, "r.json"), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "r.json") != NULL);
	cr_assert_eq(cairn_trusted_root_load_file(&root, "/nonexistent/trusted_root.json"), CAIRN_ENOENT);
	cr_assert_null(root);
}
