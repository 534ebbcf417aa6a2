/* Unit tests of cosign's encrypted key files (suite cosign_key).
 *
 * Independent references: key files written by cosign itself for its own test suite (with their
 * passwords), go-securesystemslib's published test vectors for the JSON/scrypt/secretbox layer,
 * and public keys derived from those files by python3-cryptography (not by cairn). Interop with
 * an independent writer and reader (PyNaCl, hashlib.scrypt) is in tests/e2e/cosign_keys.bats. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/sig.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- test data ---- */

/* From sigstore/cosign, pkg/cosign/keys_test.go ("SIGSTORE labeled key", pemsigstorekey), which
 * loads it with the password "hello". An ECDSA P-256 key; scrypt N = 32768. */
static const char cosign_sigstore_key[] =
	"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiI3T3VGd2VsbWZZNXVId2NoaURSc210anNwZ2ZlZjFG\n"
	"Mk5lOGFDTjVLYVpZPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJQNHk4OGhCb3ZTa09MbXN0bFVBaGJwdDJ0K2xTNUxQSCJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiMnB1QzdyZldJOWh3bnJlQ2s4aUZDRlVwQlRrSzRJNlIvbFBF\n"
	"cnBDekpXUGpJWXl4eGVIL1A2VW52cFJHdVhla1NNb3JMdGhLamdoQ1JlNy82NDVH\n"
	"QWtoVm1LRC92eEF0S2EvbE1abENSQ3FlekJGUFd1dzNpeFRtZ2xhb2J1ZFVSbUVs\n"
	"bmNGOGlZbzBTMVl6Y1ZOMVFwY2J2c0dNcUlYRzVlbmdteGp5dCtBcXlyZTF0Q0Y0\n"
	"V01tU1BlaEljNlBqd2h1Q2xHaVpJUWRvTGc9PSJ9\n"
	"-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";

/* Its public key, derived by python3-cryptography from the key decrypted with PyNaCl and
 * hashlib.scrypt (an implementation independent of cairn). */
static const char cosign_sigstore_pub[] = "-----BEGIN PUBLIC KEY-----\n"
					  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE7z9gA/tqa9iHt/f9F3ulyVi4lwqU\n"
					  "LfHWfhG2mK4eyJ8LDcLstb+VVhxj3pkMjc3fNo+sSfiIY2NLR7c+DG1V4w==\n"
					  "-----END PUBLIC KEY-----\n";

/* From sigstore/cosign, pkg/cosign/keys_test.go (pemcosignkey), password "hello": the old label.
 * cosign's comment calls it an RSA key, but it holds ECDSA P-256 (as python3-cryptography says). */
static const char cosign_old_label_key[] =
	"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJ4WWdoc09JTUxUWGNOT0RsclNIOUNKc1FlOVFnZmN1\n"
	"cmUrMXlLdHh1TlkwPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiI0cS9PSlVmaXJkSUkrUjZ0ajZBMmcyQ0JqL25xdFNicCJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiKzB4Q3NzcFN0WStBczdKanJpOWtsbHBWd2JhcUI4ZWJNdWto\n"
	"eS9aVE1MSXRsL3B1YS9jWVJvbytLRGxMWWdmOW1kSjk4K1FnQW9oTktoYnJPMTcw\n"
	"MHdBY1JTMjFDOE4zQUNJRUVZaWpOMllBNnMraGJSbkhjUnd4eGhDMDFtb2FvL0dO\n"
	"Y1pmbEJheXZMV3pXblo4d2NDZ2ZpT1o1VXlRTEFJMHh0dnR6dEh3cTdDV1Vhd3V4\n"
	"RlhlNDZzck9TUE9SNHN6bytabWErUGovSFE9PSJ9\n"
	"-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

/* Its public key, derived as above by python3-cryptography. */
static const char cosign_old_label_pub[] = "-----BEGIN PUBLIC KEY-----\n"
					   "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECYtspttZZ7e9PMd8wyU2CWDlpEXN\n"
					   "bqTve0ZBuOXu9xTjtm7Z107cVLCCk96Ma4D0tesnKeCPwrcspLz7GNZJSw==\n"
					   "-----END PUBLIC KEY-----\n";

/* From sigstore/cosign, pkg/cosign/keys_test.go ("COSIGN labeled EC key", pemcosigneckey), password
 * "hello": it decrypts to a SEC1 key, not PKCS#8, and cosign itself refuses it for that. */
static const char cosign_sec1_inside_key[] =
	"-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
	"eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo2NTUzNiwiciI6\n"
	"OCwicCI6MX0sInNhbHQiOiJHK3F5WTYrNzhNS0JzMXNGTGs1ajYwcS9kS3Z1czBW\n"
	"VkhlSHZybC9POTF3PSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
	"Iiwibm9uY2UiOiJRc2JGdG13WDRDK2ttV3ZCcVRaMEFGOUFYdk1jRmg1SCJ9LCJj\n"
	"aXBoZXJ0ZXh0IjoiREM5T28zeldiYVQzSXYwdFVnWEdycjUxYW1samwwNlQ5MTNP\n"
	"VkxPbWpuMWhnK2o2WXRUbWg3SGhZSlY1N2J5eGE0Q281bE9YYmRqbTJ3aklubEd1\n"
	"Um5aZCt5OExnekpSNzFSeEhKVzgrWmRlcFJmYWJMTjdHbDgrSFZEcERVQ3NxQnRh\n"
	"VngyblpGbFEwWUl1anZwbFphblNGaUVvdERLVGkxZ3VhUXIwUHNzYU01NXZxbTRY\n"
	"WS9rPSJ9\n"
	"-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

/* go-securesystemslib, encrypted/encrypted_test.go (kdfVectors): "reallyimportant" encrypted with
 * "supersecret" at its three scrypt strengths (N = 2^15, 2^16, 2^17). */
static const char *const securesystemslib_vectors[] = {
	"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,\"p\":1},\"salt\":\"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX\"},\"ciphertext\":\"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw=\"}",
	"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":65536,\"r\":8,\"p\":1},\"salt\":\"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE\"},\"ciphertext\":\"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8=\"}",
	"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":131072,\"r\":8,\"p\":1},\"salt\":\"m38E3kouJTtiheLQN22NQ8DTito5hrjpUIskqcd375k=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"Y6PM13yA+o44pE/W1ZBwczeGnTV/m9Zc\"},\"ciphertext\":\"6H8sqj1K6B6yDjtH5AQ6lbFigg/C2yDDJc4rYJ79w9aVPImFIPI=\"}",
};

/* ---- helpers ---- */

#define SIGSTORE_LABEL "ENCRYPTED SIGSTORE PRIVATE KEY"

static void assert_error(int rc, int code, const char *frag1, const char *frag2)
{
	cr_assert_eq(rc, code, "expected %s, got %d: %s", cairn_error_name(code), rc, cairn_error_message());
	cr_assert_not_null(strstr(cairn_error_message(), frag1), "message \"%s\" lacks \"%s\"", cairn_error_message(),
			   frag1);
	if (frag2 != NULL)
		cr_assert_not_null(strstr(cairn_error_message(), frag2), "message \"%s\" lacks \"%s\"",
				   cairn_error_message(), frag2);
}

/* A PEM block around text, 64 base64 characters a line. */
static void make_pem(const char *label, const char *text, size_t len, cairn_buf *pem)
{
	cairn_buf b64 = CAIRN_BUF_INIT;
	cairn_buf_clear(pem);
	cr_assert_eq(cairn_base64_encode(&b64, text, len, CAIRN_BASE64_STD), 0);
	cr_assert_eq(cairn_buf_printf(pem, "-----BEGIN %s-----\n", label), 0);
	for (size_t i = 0; i < b64.len; i += 64) {
		cr_assert_eq(cairn_buf_append(pem, b64.data + i, b64.len - i < 64 ? b64.len - i : 64), 0);
		cr_assert_eq(cairn_buf_append_byte(pem, '\n'), 0);
	}
	cr_assert_eq(cairn_buf_printf(pem, "-----END %s-----\n", label), 0);
	cairn_buf_free(&b64);
}

/* The JSON inside a PEM written by cairn: the base64 lines between the first and last line. */
static json_t *pem_json(const cairn_buf *pem)
{
	const char *text = cairn_buf_cstr(pem);
	const char *start = strchr(text, '\n') + 1;
	const char *end = strstr(text, "-----END ");
	cr_assert_not_null(end);
	cairn_buf b64 = CAIRN_BUF_INIT, raw = CAIRN_BUF_INIT;
	for (const char *p = start; p < end; p++)
		if (*p != '\n')
			cr_assert_eq(cairn_buf_append_byte(&b64, (uint8_t)*p), 0);
	cr_assert_eq(cairn_base64_decode(&raw, (const char *)b64.data, b64.len, CAIRN_BASE64_STD, "test"), 0);
	json_error_t error;
	json_t *doc = json_loadb((const char *)raw.data, raw.len, 0, &error);
	cr_assert_not_null(doc, "%s", error.text);
	cairn_buf_free(&b64);
	cairn_buf_free(&raw);
	return doc;
}

static void json_to_pem(const char *label, const json_t *doc, cairn_buf *pem)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_not_null(text);
	make_pem(label, text, strlen(text), pem);
	free(text);
}

/* Base64 member `key` of obj, decoded, with one bit flipped, written back. */
static void flip_bit(json_t *obj, const char *key, size_t byte)
{
	const char *text = json_string_value(json_object_get(obj, key));
	cr_assert_not_null(text, "no %s", key);
	cairn_buf raw = CAIRN_BUF_INIT, b64 = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_decode(&raw, text, strlen(text), CAIRN_BASE64_STD, "test"), 0);
	cr_assert_lt(byte, raw.len);
	raw.data[byte] ^= 0x01;
	cr_assert_eq(cairn_base64_encode(&b64, raw.data, raw.len, CAIRN_BASE64_STD), 0);
	json_object_set_new(obj, key, json_string(cairn_buf_cstr(&b64)));
	cairn_buf_free(&raw);
	cairn_buf_free(&b64);
}

static void assert_same_public(const cairn_key *a, const cairn_key *b)
{
	cairn_buf da = CAIRN_BUF_INIT, db = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_public_der(a, &da), 0);
	cr_assert_eq(cairn_key_public_der(b, &db), 0);
	cr_assert_eq(da.len, db.len);
	cr_assert(memcmp(da.data, db.data, da.len) == 0, "public keys differ");
	cairn_buf_free(&da);
	cairn_buf_free(&db);
}

static void assert_signs_for(const cairn_key *key, const cairn_key *pub)
{
	static const char msg[] = "signed with a cosign key";
	cairn_buf sig = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_sig_sign(key, msg, sizeof msg - 1, &sig), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sig_verify(pub, msg, sizeof msg - 1, sig.data, sig.len), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sig_verify(pub, msg, sizeof msg - 2, sig.data, sig.len), CAIRN_EVERIFY);
	cairn_buf_free(&sig);
}

/* A fresh P-256 key saved in cosign's format with `password`, parsed back to its JSON. */
static json_t *saved_json(const char *password, cairn_key **key_out)
{
	cairn_key *key = NULL;
	cairn_buf pem = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256), 0);
	cr_assert_eq(cairn_key_save_cosign(key, password, &pem), 0, "%s", cairn_error_message());
	json_t *doc = pem_json(&pem);
	cairn_buf_free(&pem);
	if (key_out != NULL)
		*key_out = key;
	else
		cairn_key_free(key);
	return doc;
}

static int load_json(const json_t *doc, const char *password)
{
	cairn_buf pem = CAIRN_BUF_INIT;
	json_to_pem(SIGSTORE_LABEL, doc, &pem);
	cairn_key *key = NULL;
	int rc = cairn_key_load_cosign(&key, pem.data, pem.len, password, "test.key");
	cr_assert(rc != 0 || key != NULL);
	cr_assert(rc == 0 || key == NULL);
	cairn_key_free(key);
	cairn_buf_free(&pem);
	return rc;
}

static int load_text(const char *json_text, const char *password)
{
	cairn_buf pem = CAIRN_BUF_INIT;
	make_pem(SIGSTORE_LABEL, json_text, strlen(json_text), &pem);
	cairn_key *key = NULL;
	int rc = cairn_key_load_cosign(&key, pem.data, pem.len, password, "test.key");
	cr_assert(rc != 0 || key != NULL);
	cairn_key_free(key);
	cairn_buf_free(&pem);
	return rc;
}

/* ---- keys made by cosign ---- */

Test(cosign_key, loads_a_key_cosign_wrote_and_signs_with_it)
{
	cairn_key *key = NULL, *pub = NULL;
	cr_assert_eq(cairn_key_load_cosign(&key, cosign_sigstore_key, sizeof cosign_sigstore_key - 1, "hello",
					   "cosign.key"),
		     0, "%s", cairn_error_message());
	cr_assert_eq(cairn_key_get_type(key), CAIRN_KEY_ECDSA_P256);
	cr_assert(cairn_key_is_private(key));
	cr_assert_eq(cairn_key_load_public(&pub, cosign_sigstore_pub, sizeof cosign_sigstore_pub - 1, "cosign.pub"), 0);
	assert_same_public(key, pub);
	assert_signs_for(key, pub);
	cairn_key_free(key);

	/* The general loader dispatches on the label. */
	cr_assert_eq(cairn_key_load_private(&key, cosign_sigstore_key, sizeof cosign_sigstore_key - 1, "hello",
					    "cosign.key"),
		     0, "%s", cairn_error_message());
	assert_same_public(key, pub);
	cairn_key_free(key);
	cairn_key_free(pub);

	assert_error(cairn_key_load_cosign(&key, cosign_sigstore_key, sizeof cosign_sigstore_key - 1, "hellO",
					   "cosign.key"),
		     CAIRN_EINVAL, "cosign.key: wrong password or corrupt key", NULL);
	cr_assert_null(key);
}

Test(cosign_key, old_label_from_cosign_decrypts)
{
	cairn_key *key = NULL, *pub = NULL;
	cr_assert_eq(cairn_key_load_private(&key, cosign_old_label_key, sizeof cosign_old_label_key - 1, "hello",
					    "old.key"),
		     0, "%s", cairn_error_message());
	cr_assert_eq(cairn_key_load_public(&pub, cosign_old_label_pub, sizeof cosign_old_label_pub - 1, "old.pub"), 0);
	assert_same_public(key, pub);
	assert_signs_for(key, pub);
	cairn_key_free(key);
	cairn_key_free(pub);
	key = NULL;
	assert_error(cairn_key_load_private(&key, cosign_old_label_key, sizeof cosign_old_label_key - 1, "bye",
					    "old.key"),
		     CAIRN_EINVAL, "old.key: wrong password or corrupt key", NULL);
	/* cosign's own SEC1-inside file is refused by cosign and by us, after it decrypts. */
	assert_error(cairn_key_load_cosign(&key, cosign_sec1_inside_key, sizeof cosign_sec1_inside_key - 1, "hello",
					   "sec1.key"),
		     CAIRN_EINVAL, "sec1.key", "not a PKCS#8 private key");
	assert_error(cairn_key_load_cosign(&key, cosign_sec1_inside_key, sizeof cosign_sec1_inside_key - 1, "nope",
					   "sec1.key"),
		     CAIRN_EINVAL, "wrong password", NULL);
	cr_assert_null(key);
}

Test(cosign_key, securesystemslib_vectors_decrypt_at_every_strength)
{
	/* The plaintext is not a key, so the right password ends in "not PKCS#8", the wrong one in
	 * "wrong password": the secretbox tag tells which, so this checks scrypt and the box. */
	for (size_t i = 0; i < sizeof securesystemslib_vectors / sizeof securesystemslib_vectors[0]; i++) {
		assert_error(load_text(securesystemslib_vectors[i], "supersecret"), CAIRN_EINVAL, "not a PKCS#8", NULL);
		assert_error(load_text(securesystemslib_vectors[i], "supersecreT"), CAIRN_EINVAL, "wrong password", NULL);
	}
}

/* ---- round trip ---- */

Test(cosign_key, round_trip_for_every_type)
{
	static const enum cairn_key_type types[] = {CAIRN_KEY_ECDSA_P256, CAIRN_KEY_ECDSA_P384, CAIRN_KEY_ED25519};
	static const char *const passwords[] = {"correct horse", ""};
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		for (size_t p = 0; p < 2; p++) {
			cairn_key *key = NULL, *back = NULL, *pub = NULL;
			cairn_buf pem = CAIRN_BUF_INIT;
			cr_assert_eq(cairn_key_generate(&key, types[t]), 0);
			cr_assert_eq(cairn_key_save_cosign(key, passwords[p], &pem), 0, "%s", cairn_error_message());
			cr_assert(strncmp(cairn_buf_cstr(&pem), "-----BEGIN " SIGSTORE_LABEL "-----\n",
					  strlen("-----BEGIN " SIGSTORE_LABEL "-----\n")) == 0);
			cr_assert_eq(cairn_key_load_cosign(&back, pem.data, pem.len, passwords[p], "rt.key"), 0, "%s",
				     cairn_error_message());
			cr_assert_eq(cairn_key_get_type(back), types[t]);
			cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
			assert_same_public(back, pub);
			assert_signs_for(back, pub);
			cairn_key_free(back);
			/* An empty password is not the absence of one. */
			assert_error(cairn_key_load_cosign(&back, pem.data, pem.len, p == 0 ? "" : "x", "rt.key"),
				     CAIRN_EINVAL, "wrong password", NULL);
			cr_assert_null(back);
			cairn_key_free(key);
			cairn_key_free(pub);
			cairn_buf_free(&pem);
		}
	}
}

Test(cosign_key, writes_what_cosign_writes)
{
	json_t *doc = saved_json("pw", NULL);
	/* Members in cosign's order, cosign's default parameters, a fresh 32-byte salt and 24-byte nonce. */
	const char *order[] = {"kdf", "cipher", "ciphertext"};
	size_t i = 0;
	const char *name;
	json_t *value;
	json_object_foreach(doc, name, value) {
		cr_assert_lt(i, 3);
		cr_assert_str_eq(name, order[i++]);
	}
	json_t *kdf = json_object_get(doc, "kdf");
	cr_assert_str_eq(json_string_value(json_object_get(kdf, "name")), "scrypt");
	json_t *params = json_object_get(kdf, "params");
	cr_assert_eq(json_integer_value(json_object_get(params, "N")), 65536);
	cr_assert_eq(json_integer_value(json_object_get(params, "r")), 8);
	cr_assert_eq(json_integer_value(json_object_get(params, "p")), 1);
	cr_assert_eq(strlen(json_string_value(json_object_get(kdf, "salt"))), 44); /* 32 bytes */
	json_t *cipher = json_object_get(doc, "cipher");
	cr_assert_str_eq(json_string_value(json_object_get(cipher, "name")), "nacl/secretbox");
	cr_assert_eq(strlen(json_string_value(json_object_get(cipher, "nonce"))), 32); /* 24 bytes */
	json_t *again = saved_json("pw", NULL);
	cr_assert_str_neq(json_string_value(json_object_get(json_object_get(again, "kdf"), "salt")),
			  json_string_value(json_object_get(kdf, "salt")));
	json_decref(again);
	json_decref(doc);

	cairn_key *key = NULL, *pub = NULL;
	cairn_buf pem = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_generate(&key, CAIRN_KEY_ED25519), 0);
	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	assert_error(cairn_key_save_cosign(pub, "pw", &pem), CAIRN_EINVAL, "public half", NULL);
	/* NULL means the empty password: the key is still encrypted. */
	cr_assert_eq(cairn_key_save_cosign(key, NULL, &pem), 0);
	cairn_key *back = NULL;
	cr_assert_eq(cairn_key_load_cosign(&back, pem.data, pem.len, "", "null.key"), 0, "%s", cairn_error_message());
	cairn_key_free(back);
	cairn_key_free(key);
	cairn_key_free(pub);
	cairn_buf_free(&pem);
}

/* ---- refusals ---- */

Test(cosign_key, wrong_password_and_tampering_are_refused)
{
	cairn_key *key = NULL;
	json_t *doc = saved_json("right", NULL);
	cr_assert_eq(load_json(doc, "right"), 0, "%s", cairn_error_message());
	assert_error(load_json(doc, "wrong"), CAIRN_EINVAL, "test.key: wrong password or corrupt key", NULL);
	assert_error(load_json(doc, "right "), CAIRN_EINVAL, "wrong password", NULL);

	/* A flipped bit anywhere the box depends on: tag, body, nonce, salt. */
	static const struct {
		const char *object;
		const char *member;
		size_t byte;
	} flips[] = {
		{NULL, "ciphertext", 0}, {NULL, "ciphertext", 40}, {"cipher", "nonce", 23}, {"kdf", "salt", 5},
	};
	for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
		json_t *copy = json_deep_copy(doc);
		json_t *obj = flips[i].object != NULL ? json_object_get(copy, flips[i].object) : copy;
		flip_bit(obj, flips[i].member, flips[i].byte);
		assert_error(load_json(copy, "right"), CAIRN_EINVAL, "wrong password or corrupt key", NULL);
		json_decref(copy);
	}
	/* Truncated ciphertext: a shorter box fails its tag too. */
	json_t *copy = json_deep_copy(doc);
	const char *ct = json_string_value(json_object_get(copy, "ciphertext"));
	char shorter[512];
	cr_assert_lt(strlen(ct), sizeof shorter);
	snprintf(shorter, sizeof shorter, "%.*s", (int)(strlen(ct) / 4 * 4 - 4), ct);
	json_object_set_new(copy, "ciphertext", json_string(shorter));
	assert_error(load_json(copy, "right"), CAIRN_EINVAL, "wrong password or corrupt key", NULL);
	json_decref(copy);

	cairn_buf pem = CAIRN_BUF_INIT;
	json_to_pem(SIGSTORE_LABEL, doc, &pem);
	assert_error(cairn_key_load_cosign(&key, pem.data, pem.len, NULL, "nopw.key"), CAIRN_EINVAL, "nopw.key",
		     "COSIGN_PASSWORD");
	char long_password[5000];
	memset(long_password, 'a', sizeof long_password - 1);
	long_password[sizeof long_password - 1] = '\0';
	assert_error(cairn_key_load_cosign(&key, pem.data, pem.len, long_password, "long.key"), CAIRN_EINVAL,
		     "longer than", NULL);
	cr_assert_null(key);
	cairn_buf_free(&pem);
	json_decref(doc);
}

Test(cosign_key, hostile_scrypt_parameters_are_refused_quickly)
{
	static const struct {
		json_int_t n, r, p;
		int code;
		const char *why;
	} cases[] = {
		{(json_int_t)1 << 30, 8, 1, CAIRN_ETOOBIG, "up to 2^20"},
		{(json_int_t)1 << 21, 1, 1, CAIRN_ETOOBIG, "up to 2^20"},
		{(json_int_t)1 << 62, 8, 1, CAIRN_ETOOBIG, "up to 2^20"},
		{(json_int_t)1 << 20, 8, 1, CAIRN_ETOOBIG, "1024 MiB"},
		{(json_int_t)1 << 16, 64, 1, CAIRN_ETOOBIG, "MiB of memory"},
		{(json_int_t)1 << 16, 8, 64, CAIRN_ETOOBIG, "N*r*p"},
		{(json_int_t)1 << 16, 8, 1 << 30, CAIRN_ETOOBIG, "r and p up to"},
		{(json_int_t)1 << 16, (json_int_t)1 << 40, 1, CAIRN_ETOOBIG, "r and p up to"},
		{65535, 8, 1, CAIRN_EINVAL, "not a power of two"},
		{1, 8, 1, CAIRN_EINVAL, "not a power of two"},
		{0, 8, 1, CAIRN_EINVAL, "\"N\""},
		{-65536, 8, 1, CAIRN_EINVAL, "\"N\""},
		{65536, 0, 1, CAIRN_EINVAL, "\"r\""},
		{65536, 8, -1, CAIRN_EINVAL, "\"p\""},
	};
	json_t *doc = saved_json("pw", NULL);
	json_t *params = json_object_get(json_object_get(doc, "kdf"), "params");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object_set_new(params, "N", json_integer(cases[i].n));
		json_object_set_new(params, "r", json_integer(cases[i].r));
		json_object_set_new(params, "p", json_integer(cases[i].p));
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_error(load_json(doc, "pw"), cases[i].code, "test.key", cases[i].why);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		cr_assert_lt(seconds, 0.5, "case %zu took %.2f s: the parameters were not refused up front", i, seconds);
	}
	/* Parameters that are not integers. */
	json_object_set_new(params, "N", json_string("65536"));
	assert_error(load_json(doc, "pw"), CAIRN_EINVAL, "\"N\"", NULL);
	json_object_set_new(params, "N", json_real(65536.0));
	assert_error(load_json(doc, "pw"), CAIRN_EINVAL, "\"N\"", NULL);
	/* Small but legal parameters are accepted (and only the tag then says no). */
	json_object_set_new(params, "N", json_integer(1024));
	json_object_set_new(params, "r", json_integer(8));
	json_object_set_new(params, "p", json_integer(1));
	assert_error(load_json(doc, "pw"), CAIRN_EINVAL, "wrong password or corrupt key", NULL);
	json_decref(doc);
}

Test(cosign_key, malformed_bodies_are_refused_with_the_reason)
{
/* Pieces of a well-formed body, for building malformed ones. */
#define GOOD_PARAMS "\"params\":{\"N\":1024,\"r\":8,\"p\":1}"
#define GOOD_SALT "\"salt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""
#define GOOD_CIPHER "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"
#define GOOD_CT "\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""
	char text[1024];
	static const struct {
		const char *json;
		int code;
		const char *why;
	} cases[] = {
		{"{\"kdf\":{\"name\":\"argon2\"," GOOD_PARAMS "," GOOD_SALT "}," GOOD_CIPHER "," GOOD_CT "}",
		 CAIRN_EUNSUPPORTED, "\"argon2\""},
		{"{\"kdf\":{\"name\":\"scrypt\"," GOOD_PARAMS "," GOOD_SALT "},"
		 "\"cipher\":{\"name\":\"aes-gcm\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}," GOOD_CT "}",
		 CAIRN_EUNSUPPORTED, "\"aes-gcm\""},
		{"{\"kdf\":{\"name\":\"scrypt\"," GOOD_PARAMS "," GOOD_SALT "}," GOOD_CIPHER "}", CAIRN_EINVAL,
		 "\"ciphertext\" is missing"},
		{"{\"kdf\":{\"name\":\"scrypt\"," GOOD_PARAMS "," GOOD_SALT "}," GOOD_CIPHER "," GOOD_CT ",\"extra\":1}",
		 CAIRN_EINVAL, "unexpected member \"extra\""},
		{"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8,\"p\":1,\"q\":2}," GOOD_SALT "}," GOOD_CIPHER
		 "," GOOD_CT "}",
		 CAIRN_EINVAL, "unexpected member \"q\" in kdf.params"},
		{"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8}," GOOD_SALT "}," GOOD_CIPHER "," GOOD_CT "}",
		 CAIRN_EINVAL, "\"p\""},
		{"{\"kdf\":{\"name\":\"scrypt\"," GOOD_SALT "}," GOOD_CIPHER "," GOOD_CT "}", CAIRN_EINVAL, "kdf.params"},
		{"{\"kdf\":{\"name\":1," GOOD_PARAMS "," GOOD_SALT "}," GOOD_CIPHER "," GOOD_CT "}", CAIRN_EINVAL,
		 "kdf.name"},
		{"{\"kdf\":{\"name\":\"scrypt\"," GOOD_PARAMS "}," GOOD_CIPHER "," GOOD_CT "}", CAIRN_EINVAL, "kdf.salt"},
		{"{\"kdf\":{\"name\":\"scrypt\"," GOOD_PARAMS "," GOOD_SALT "},\"cipher\":[]," GOOD_CT "}", CAIRN_EINVAL,
		 "\"cipher\" is missing or not an object"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_error(load_text(cases[i].json, "pw"), cases[i].code, "test.key", cases[i].why);
	/* Sizes and encodings of the byte strings. */
	static const struct {
		const char *nonce, *ciphertext, *salt;
		const char *why;
	} bytes[] = {
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAA", "\"cipher.nonce\" is 22 bytes"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAA==", "AAAA", "\"ciphertext\" is 16 bytes"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "\"kdf.salt\" is 0 bytes"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAA AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAA", "ciphertext"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAA", "kdf.salt"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAA", "cipher.nonce"},
	};
	for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
		snprintf(text, sizeof text,
			 "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8,\"p\":1},\"salt\":\"%s\"},"
			 "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"%s\"},\"ciphertext\":\"%s\"}",
			 bytes[i].salt, bytes[i].nonce, bytes[i].ciphertext);
		assert_error(load_text(text, "pw"), CAIRN_EINVAL, "test.key", bytes[i].why);
	}
	/* Not JSON, not an object, trailing data, duplicate members, nesting. */
	static const char *const not_json[] = {
		"{\"kdf\": [}", "[1,2,3]", "\"kdf\"", "{\"kdf\":{}} x", "{\"kdf\":{},\"kdf\":{}}", "[[[[[[[[[[1]]]]]]]]]]",
		"{\"kdf\":{}}",
	};
	for (size_t i = 0; i < sizeof not_json / sizeof not_json[0]; i++) {
		int rc = load_text(not_json[i], "pw");
		/* Too deep is over a limit (ETOOBIG); the rest are malformed (EINVAL). */
		cr_assert(rc == CAIRN_EINVAL || (rc == CAIRN_ETOOBIG && strstr(not_json[i], "[[[[") != NULL),
			  "case %zu: %d %s", i, rc, cairn_error_message());
		cr_assert_not_null(strstr(cairn_error_message(), "test.key: malformed cosign key"), "case %zu: %s", i,
				   cairn_error_message());
	}
	/* An oversized ciphertext is refused before it is decoded. */
	cairn_buf big = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_buf_printf(&big,
				      "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8,\"p\":1},%s},"
				      "%s,\"ciphertext\":\"",
				      GOOD_SALT, GOOD_CIPHER),
		     0);
	for (int i = 0; i < 6000; i++)
		cr_assert_eq(cairn_buf_append_str(&big, "AAAA"), 0);
	cr_assert_eq(cairn_buf_append_str(&big, "\"}"), 0);
	assert_error(load_text(cairn_buf_cstr(&big), "pw"), CAIRN_ETOOBIG, "\"ciphertext\" is longer than", NULL);
	cairn_buf_free(&big);
}

Test(cosign_key, pem_framing_is_checked)
{
	cairn_key *key = NULL;
	static const char not_pem[] = "just text\n";
	assert_error(cairn_key_load_cosign(&key, not_pem, sizeof not_pem - 1, "pw", "a.key"), CAIRN_EINVAL, "a.key",
		     "no -----BEGIN");
	static const char other[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	assert_error(cairn_key_load_cosign(&key, other, sizeof other - 1, "pw", "b.key"), CAIRN_EINVAL, "b.key",
		     "not a cosign private key");
	static const char headers[] = "-----BEGIN " SIGSTORE_LABEL "-----\nProc-Type: 4,ENCRYPTED\n\neyJrZGYiOnt9fQ==\n"
				      "-----END " SIGSTORE_LABEL "-----\n";
	assert_error(cairn_key_load_cosign(&key, headers, sizeof headers - 1, "pw", "c.key"), CAIRN_EINVAL, "c.key",
		     "headers");
	static const char truncated[] = "-----BEGIN " SIGSTORE_LABEL "-----\neyJrZGYiOnt9fQ==\n";
	assert_error(cairn_key_load_cosign(&key, truncated, sizeof truncated - 1, "pw", "d.key"), CAIRN_EINVAL, "d.key",
		     "corrupt PEM");
	cairn_buf huge = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_buf_reserve(&huge, CAIRN_FILE_LIMIT_SMALL + 1), 0);
	memset(huge.data, 'A', CAIRN_FILE_LIMIT_SMALL + 1);
	huge.len = CAIRN_FILE_LIMIT_SMALL + 1;
	assert_error(cairn_key_load_cosign(&key, huge.data, huge.len, "pw", "e.key"), CAIRN_ETOOBIG, "e.key", NULL);
	cairn_buf_free(&huge);
	cr_assert_null(key);
}

/* ---- files and the password's source ---- */

static char tmpdir[64];

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/cairn-cosign-test-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	unsetenv("CAIRN_PASSWORD");
	unsetenv("COSIGN_PASSWORD");
}

static void tmp_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	unsetenv("CAIRN_PASSWORD");
	unsetenv("COSIGN_PASSWORD");
}

Test(cosign_key, file_loading_prefers_cosign_password, .init = tmp_setup, .fini = tmp_teardown)
{
	char path[128];
	snprintf(path, sizeof path, "%s/cosign.key", tmpdir);
	cr_assert_eq(cairn_file_write_atomic(path, cosign_sigstore_key, sizeof cosign_sigstore_key - 1, 0600), 0);
	cairn_key *key = NULL;

	setenv("COSIGN_PASSWORD", "hello", 1);
	setenv("CAIRN_PASSWORD", "wrong", 1);
	cr_assert_eq(cairn_key_load_private_file(&key, path), 0, "%s", cairn_error_message());
	cairn_key_free(key);

	/* Set but empty is a password too, and it is the one used. */
	setenv("COSIGN_PASSWORD", "", 1);
	setenv("CAIRN_PASSWORD", "hello", 1);
	assert_error(cairn_key_load_private_file(&key, path), CAIRN_EINVAL, path, "wrong password");
	cr_assert_null(key);

	unsetenv("COSIGN_PASSWORD");
	cr_assert_eq(cairn_key_load_private_file(&key, path), 0, "%s", cairn_error_message());
	cairn_key_free(key);

	/* The old label is dispatched the same way. */
	snprintf(path, sizeof path, "%s/old.key", tmpdir);
	cr_assert_eq(cairn_file_write_atomic(path, cosign_old_label_key, sizeof cosign_old_label_key - 1, 0600), 0);
	setenv("COSIGN_PASSWORD", "hello", 1);
	cr_assert_eq(cairn_key_load_private_file(&key, path), 0, "%s", cairn_error_message());
	cairn_key_free(key);
}
