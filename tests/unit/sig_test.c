/* Unit tests of signatures (suite sig).
 *
 * The independent reference is the openssl command: it must accept cairn's signatures (and reject
 * them over a changed message), and cairn must accept its signatures. DER <-> raw conversions are
 * checked against encodings written out by hand from X.690 and against `openssl asn1parse`. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/sig.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers: a temporary directory per test, running openssl, files ---- */

static char tmpdir[64];
static char last_cmd[1024];

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/cairn-sig-test-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp failed");
	unsetenv("CAIRN_PASSWORD");
}

static void tmp_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static const char *tpath(const char *name)
{
	static char slots[8][256];
	static int next;
	char *p = slots[next++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static int sh_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh_status(const char *fmt, ...)
{
	char full[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_cmd, sizeof last_cmd, fmt, ap);
	va_end(ap);
	snprintf(full, sizeof full, "cd '%s' && { %s; } >/dev/null 2>&1", tmpdir, last_cmd);
	int status = system(full);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define sh(...) cr_assert_eq(sh_status(__VA_ARGS__), 0, "command failed: %s", last_cmd)

static void slurp(const char *path, cairn_buf *out)
{
	cairn_buf_clear(out);
	cr_assert_eq(cairn_file_read(path, 1 << 20, out), 0, "%s", cairn_error_message());
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void assert_error(int rc, int code, const char *fragment)
{
	cr_assert_eq(rc, code, "expected %s, got %d: %s", cairn_error_name(code), rc, cairn_error_message());
	cr_assert_not_null(strstr(cairn_error_message(), fragment), "message \"%s\" lacks \"%s\"",
			   cairn_error_message(), fragment);
}

static const char message[] = "cairn: stones resting on stones\n";

/* ---- sign and verify within cairn ---- */

static const enum cairn_key_type signing_types[] = {CAIRN_KEY_ECDSA_P256, CAIRN_KEY_ECDSA_P384, CAIRN_KEY_ED25519};
#define SIGNING_TYPE_COUNT (sizeof signing_types / sizeof signing_types[0])

Test(sig, generate_save_load_sign_verify_for_every_type)
{
	for (size_t i = 0; i < SIGNING_TYPE_COUNT; i++) {
		const char *name = cairn_key_type_name(signing_types[i]);
		cairn_key *generated, *signer, *verifier, *stranger;
		cairn_buf priv = CAIRN_BUF_INIT, pub = CAIRN_BUF_INIT, sig = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_key_generate(&generated, signing_types[i]), 0);
		cr_assert_eq(cairn_key_generate(&stranger, signing_types[i]), 0);
		cr_assert_eq(cairn_key_save_private(generated, "pw", &priv), 0);
		cr_assert_eq(cairn_key_save_public(generated, &pub), 0);
		cr_assert_eq(cairn_key_load_private(&signer, priv.data, priv.len, "pw", name), 0, "%s",
			     cairn_error_message());
		cr_assert_eq(cairn_key_load_public(&verifier, pub.data, pub.len, name), 0, "%s", cairn_error_message());

		cr_assert_eq(cairn_sig_sign(signer, message, sizeof message - 1, &sig), 0, "%s", cairn_error_message());
		if (signing_types[i] == CAIRN_KEY_ED25519)
			cr_assert_eq(sig.len, 64);
		else
			cr_assert(sig.len >= 8 && sig.len <= 2 * cairn_sig_ecdsa_field_size(signer) + 9, "%s: %zu bytes", name,
				  sig.len);
		cr_assert_eq(cairn_sig_verify(verifier, message, sizeof message - 1, sig.data, sig.len), 0, "%s: %s", name,
			     cairn_error_message());
		cr_assert_eq(cairn_sig_verify(generated, message, sizeof message - 1, sig.data, sig.len), 0);

		/* A changed message, another key, or any flipped bit: no. */
		assert_error(cairn_sig_verify(verifier, message, sizeof message - 2, sig.data, sig.len), CAIRN_EVERIFY,
			     "signature does not match");
		assert_error(cairn_sig_verify(stranger, message, sizeof message - 1, sig.data, sig.len), CAIRN_EVERIFY,
			     "signature does not match");
		for (size_t byte = 0; byte < sig.len; byte++) {
			for (int bit = 0; bit < 8; bit += 3) {
				sig.data[byte] ^= (uint8_t)(1u << bit);
				int rc = cairn_sig_verify(verifier, message, sizeof message - 1, sig.data, sig.len);
				cr_assert_eq(rc, CAIRN_EVERIFY, "%s: flipping bit %d of byte %zu gave %d", name, bit, byte,
					     rc);
				sig.data[byte] ^= (uint8_t)(1u << bit);
			}
		}
		/* Cut short or extended: no. */
		cr_assert_eq(cairn_sig_verify(verifier, message, sizeof message - 1, sig.data, sig.len - 1), CAIRN_EVERIFY);
		cairn_buf_append_byte(&sig, 0);
		cr_assert_eq(cairn_sig_verify(verifier, message, sizeof message - 1, sig.data, sig.len), CAIRN_EVERIFY);
		cr_assert_eq(cairn_sig_verify(verifier, message, sizeof message - 1, sig.data, 0), CAIRN_EVERIFY);

		cairn_key_free(generated);
		cairn_key_free(stranger);
		cairn_key_free(signer);
		cairn_key_free(verifier);
		cairn_buf_free_secret(&priv);
		cairn_buf_free(&pub);
		cairn_buf_free(&sig);
	}
}

Test(sig, keys_that_cannot_sign)
{
	cairn_key *key, *pub;
	cairn_buf sig = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256), 0);
	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	assert_error(cairn_sig_sign(pub, message, sizeof message - 1, &sig), CAIRN_EINVAL, "public key");
	cairn_digest digest;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, message, sizeof message - 1, &digest), 0);
	assert_error(cairn_sig_sign_digest(pub, &digest, &sig), CAIRN_EINVAL, "public key");
	cr_assert_eq(sig.len, 0);
	cairn_key_free(key);
	cairn_key_free(pub);
}

Test(sig, ed25519_signatures_are_exactly_64_bytes)
{
	cairn_key *key;
	cairn_buf sig = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_generate(&key, CAIRN_KEY_ED25519), 0);
	cr_assert_eq(cairn_sig_sign(key, message, sizeof message - 1, &sig), 0);
	cr_assert_eq(cairn_sig_verify(key, message, sizeof message - 1, sig.data, 64), 0);
	assert_error(cairn_sig_verify(key, message, sizeof message - 1, sig.data, 63), CAIRN_EVERIFY, "64 bytes");
	cairn_buf_append_byte(&sig, 0);
	assert_error(cairn_sig_verify(key, message, sizeof message - 1, sig.data, 65), CAIRN_EVERIFY, "64 bytes");
	cairn_key_free(key);
	cairn_buf_free(&sig);
}

/* ---- pre-computed digests ---- */

Test(sig, sign_digest_verifies_over_the_message)
{
	for (size_t i = 0; i < 2; i++) {
		cairn_key *key;
		cr_assert_eq(cairn_key_generate(&key, signing_types[i]), 0);
		cairn_digest digest;
		cr_assert_eq(cairn_digest_compute(cairn_key_default_digest(key), message, sizeof message - 1, &digest), 0);
		cairn_buf sig = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_sig_sign_digest(key, &digest, &sig), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_sig_verify(key, message, sizeof message - 1, sig.data, sig.len), 0, "%s",
			     cairn_error_message());
		cr_assert_eq(cairn_sig_verify_digest(key, &digest, sig.data, sig.len), 0);
		digest.bytes[0] ^= 1;
		assert_error(cairn_sig_verify_digest(key, &digest, sig.data, sig.len), CAIRN_EVERIFY,
			     "signature does not match");
		digest.bytes[0] ^= 1;

		/* A digest whose length is not its algorithm's is refused. */
		cairn_digest wrong = digest;
		wrong.len = 20;
		cairn_buf_clear(&sig);
		assert_error(cairn_sig_sign_digest(key, &wrong, &sig), CAIRN_EINVAL, "bytes");
		assert_error(cairn_sig_verify_digest(key, &wrong, sig.data, sig.len), CAIRN_EINVAL, "bytes");
		wrong = digest;
		wrong.alg = CAIRN_DIGEST_NONE;
		assert_error(cairn_sig_sign_digest(key, &wrong, &sig), CAIRN_EUNSUPPORTED, "digest");
		cr_assert_eq(sig.len, 0);

		/* Another SHA-2 digest than the key's default signs and verifies as that digest. */
		cairn_digest sha512;
		cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA512, message, sizeof message - 1, &sha512), 0);
		cr_assert_eq(cairn_sig_sign_digest(key, &sha512, &sig), 0);
		cr_assert_eq(cairn_sig_verify_digest(key, &sha512, sig.data, sig.len), 0);
		cr_assert_eq(cairn_sig_verify(key, message, sizeof message - 1, sig.data, sig.len), CAIRN_EVERIFY);

		cairn_key_free(key);
		cairn_buf_free(&sig);
	}

	cairn_key *ed;
	cr_assert_eq(cairn_key_generate(&ed, CAIRN_KEY_ED25519), 0);
	cairn_digest digest;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, message, sizeof message - 1, &digest), 0);
	cairn_buf sig = CAIRN_BUF_INIT;
	int rc = cairn_sig_sign_digest(ed, &digest, &sig);
	cr_assert_eq(rc, CAIRN_EUNSUPPORTED);
	cr_assert_str_eq(cairn_error_message(), "Ed25519 signs whole messages; cannot sign a pre-computed digest");
	cr_assert_eq(sig.len, 0);
	cr_assert_eq(cairn_sig_sign(ed, message, sizeof message - 1, &sig), 0);
	assert_error(cairn_sig_verify_digest(ed, &digest, sig.data, sig.len), CAIRN_EUNSUPPORTED, "Ed25519");
	cairn_key_free(ed);
	cairn_buf_free(&sig);
}

/* ---- openssl checks cairn, cairn checks openssl ---- */

static const struct {
	enum cairn_key_type type;
	const char *genkey;
	/* {verify, sign}: openssl commands in the temp dir; key.pem, key.pub, msg, sig */
	const char *verify;
	const char *sign;
} peers[] = {
	{CAIRN_KEY_ECDSA_P256, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
	 "openssl dgst -sha256 -verify key.pub -signature sig msg", "openssl dgst -sha256 -sign key.pem -out sig msg"},
	{CAIRN_KEY_ECDSA_P384, "openssl ecparam -genkey -noout -name secp384r1 -out key.pem",
	 "openssl dgst -sha384 -verify key.pub -signature sig msg", "openssl dgst -sha384 -sign key.pem -out sig msg"},
	{CAIRN_KEY_ED25519, "openssl genpkey -algorithm ED25519 -out key.pem",
	 "openssl pkeyutl -verify -pubin -inkey key.pub -rawin -in msg -sigfile sig",
	 "openssl pkeyutl -sign -inkey key.pem -rawin -in msg -out sig"},
};
#define PEER_COUNT (sizeof peers / sizeof peers[0])

Test(sig, openssl_accepts_cairn_signatures, .init = tmp_setup, .fini = tmp_teardown)
{
	for (size_t i = 0; i < PEER_COUNT; i++) {
		sh("%s && openssl pkey -in key.pem -pubout -out key.pub", peers[i].genkey);
		spit(tpath("msg"), message, sizeof message - 1);
		cairn_key *key;
		cr_assert_eq(cairn_key_load_private_file(&key, tpath("key.pem")), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_key_get_type(key), peers[i].type);
		cairn_buf sig = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_sig_sign(key, message, sizeof message - 1, &sig), 0);
		spit(tpath("sig"), sig.data, sig.len);
		sh("%s", peers[i].verify);
		/* openssl must be able to say no, or the line above proves nothing */
		spit(tpath("msg"), message, sizeof message - 2);
		cr_assert_neq(sh_status("%s", peers[i].verify), 0, "openssl accepted a changed message");

		/* The streamed file path (sign_digest for ECDSA) gives signatures openssl accepts too. */
		spit(tpath("msg"), message, sizeof message - 1);
		cairn_buf_clear(&sig);
		cr_assert_eq(cairn_sig_sign_file(key, tpath("msg"), &sig), 0, "%s", cairn_error_message());
		spit(tpath("sig"), sig.data, sig.len);
		sh("%s", peers[i].verify);
		cairn_key_free(key);
		cairn_buf_free(&sig);
	}
}

Test(sig, cairn_accepts_openssl_signatures, .init = tmp_setup, .fini = tmp_teardown)
{
	cairn_buf sig = CAIRN_BUF_INIT;
	for (size_t i = 0; i < PEER_COUNT; i++) {
		spit(tpath("msg"), message, sizeof message - 1);
		sh("%s && openssl pkey -in key.pem -pubout -out key.pub && %s", peers[i].genkey, peers[i].sign);
		slurp(tpath("sig"), &sig);
		cairn_key *pub;
		cr_assert_eq(cairn_key_load_public_file(&pub, tpath("key.pub")), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_sig_verify(pub, message, sizeof message - 1, sig.data, sig.len), 0, "%s: %s",
			     cairn_key_type_name(peers[i].type), cairn_error_message());
		cr_assert_eq(cairn_sig_verify_file(pub, tpath("msg"), sig.data, sig.len), 0, "%s", cairn_error_message());
		assert_error(cairn_sig_verify(pub, message, sizeof message - 2, sig.data, sig.len), CAIRN_EVERIFY,
			     "signature does not match");
		cairn_key_free(pub);
	}

	/* RSA: PKCS#1 v1.5 with SHA-256, verification only. */
	sh("openssl genrsa -out rsa.pem 3072 && openssl pkey -in rsa.pem -pubout -out rsa.pub && "
	   "openssl dgst -sha256 -sign rsa.pem -out sig msg");
	slurp(tpath("sig"), &sig);
	cairn_key *rsa;
	cr_assert_eq(cairn_key_load_public_file(&rsa, tpath("rsa.pub")), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sig_verify(rsa, message, sizeof message - 1, sig.data, sig.len), 0, "%s",
		     cairn_error_message());
	cairn_digest digest;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, message, sizeof message - 1, &digest), 0);
	cr_assert_eq(cairn_sig_verify_digest(rsa, &digest, sig.data, sig.len), 0, "%s", cairn_error_message());
	sig.data[sig.len / 2] ^= 0x40;
	assert_error(cairn_sig_verify(rsa, message, sizeof message - 1, sig.data, sig.len), CAIRN_EVERIFY,
		     "signature does not match");
	assert_error(cairn_sig_verify_digest(rsa, &digest, sig.data, sig.len), CAIRN_EVERIFY, "signature does not match");
	/* Signatures of the wrong size (OpenSSL reports some of these as errors, not as "no"). */
	assert_error(cairn_sig_verify(rsa, message, sizeof message - 1, sig.data, 10), CAIRN_EVERIFY,
		     "signature does not match");
	cairn_buf_append(&sig, "xyz", 3);
	assert_error(cairn_sig_verify(rsa, message, sizeof message - 1, sig.data, sig.len), CAIRN_EVERIFY,
		     "signature does not match");
	assert_error(cairn_sig_verify_digest(rsa, &digest, sig.data, sig.len), CAIRN_EVERIFY, "signature does not match");
	/* A PSS signature is not PKCS#1 v1.5: no. */
	sh("openssl dgst -sha256 -sign rsa.pem -sigopt rsa_padding_mode:pss -out pss msg");
	slurp(tpath("pss"), &sig);
	assert_error(cairn_sig_verify(rsa, message, sizeof message - 1, sig.data, sig.len), CAIRN_EVERIFY,
		     "signature does not match");
	cairn_buf out = CAIRN_BUF_INIT;
	assert_error(cairn_sig_sign(rsa, message, sizeof message - 1, &out), CAIRN_EUNSUPPORTED, "RSA");
	assert_error(cairn_sig_sign_digest(rsa, &digest, &out), CAIRN_EUNSUPPORTED, "RSA");
	cr_assert_eq(out.len, 0);
	cairn_key_free(rsa);
	cairn_buf_free(&sig);
}

/* ---- canonical DER ---- */

/* Rebuilds a DER ECDSA-Sig-Value from parts, so tests can write encodings X.690 forbids. */
struct der_parts {
	const uint8_t *r, *s;
	size_t r_len, s_len;
};

static void split_der(const cairn_buf *der, struct der_parts *parts)
{
	/* 30 L 02 rl r 02 sl s, all short-form lengths (true for P-256 and P-384) */
	cr_assert_eq(der->data[0], 0x30);
	cr_assert_eq(der->data[1], der->len - 2);
	cr_assert_eq(der->data[2], 0x02);
	parts->r_len = der->data[3];
	parts->r = der->data + 4;
	cr_assert_eq(parts->r[parts->r_len], 0x02);
	parts->s_len = parts->r[parts->r_len + 1];
	parts->s = parts->r + parts->r_len + 2;
	cr_assert_eq(4 + parts->r_len + 2 + parts->s_len, der->len);
}

Test(sig, non_canonical_der_is_rejected)
{
	cairn_key *key;
	cr_assert_eq(cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256), 0);
	cairn_buf sig = CAIRN_BUF_INIT, bad = CAIRN_BUF_INIT, raw = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_sig_sign(key, message, sizeof message - 1, &sig), 0);
	struct der_parts p;
	split_der(&sig, &p);

	for (int variant = 0; variant < 5; variant++) {
		cairn_buf_clear(&bad);
		size_t body = sig.len - 2;
		switch (variant) {
		case 0: /* long-form outer length */
			cairn_buf_append(&bad, (const uint8_t[]){0x30, 0x81, (uint8_t)body}, 3);
			cairn_buf_append(&bad, sig.data + 2, body);
			break;
		case 1: /* an extra leading zero in r */
			cairn_buf_append(&bad, (const uint8_t[]){0x30, (uint8_t)(body + 1), 0x02, (uint8_t)(p.r_len + 1), 0x00},
					 5);
			cairn_buf_append(&bad, p.r, p.r_len);
			cairn_buf_append(&bad, p.s - 2, p.s_len + 2);
			break;
		case 2: /* long-form length of r */
			cairn_buf_append(&bad, (const uint8_t[]){0x30, (uint8_t)(body + 1), 0x02, 0x81, (uint8_t)p.r_len}, 5);
			cairn_buf_append(&bad, p.r, p.r_len);
			cairn_buf_append(&bad, p.s - 2, p.s_len + 2);
			break;
		case 3: /* a byte after the signature */
			cairn_buf_append(&bad, sig.data, sig.len);
			cairn_buf_append_byte(&bad, 0);
			break;
		case 4: /* indefinite length (BER) */
			cairn_buf_append(&bad, (const uint8_t[]){0x30, 0x80}, 2);
			cairn_buf_append(&bad, sig.data + 2, body);
			cairn_buf_append(&bad, (const uint8_t[]){0x00, 0x00}, 2);
			break;
		}
		int rc = cairn_sig_verify(key, message, sizeof message - 1, bad.data, bad.len);
		cr_assert_eq(rc, CAIRN_EVERIFY, "variant %d gave %d", variant, rc);
		cr_assert_str_eq(cairn_error_message(), "signature is not canonical DER", "variant %d", variant);
		cairn_digest digest;
		cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, message, sizeof message - 1, &digest), 0);
		cr_assert_eq(cairn_sig_verify_digest(key, &digest, bad.data, bad.len), CAIRN_EVERIFY);
		assert_error(cairn_sig_ecdsa_der_to_raw(bad.data, bad.len, 32, &raw), CAIRN_EINVAL, "canonical DER");
		cr_assert_eq(raw.len, 0);
	}
	/* The untouched signature still verifies. */
	cr_assert_eq(cairn_sig_verify(key, message, sizeof message - 1, sig.data, sig.len), 0);
	cairn_key_free(key);
	cairn_buf_free(&sig);
	cairn_buf_free(&bad);
	cairn_buf_free(&raw);
}

/* ---- DER <-> raw ---- */

Test(sig, der_raw_conversion_matches_hand_written_encodings)
{
	/* r has its high bit set, so DER needs a 0x00 in front; s starts with two zero bytes, which
	 * DER drops (X.690 8.3.2: minimal two's complement). */
	uint8_t raw[64];
	raw[0] = 0x80;
	memset(raw + 1, 0x11, 31);
	raw[32] = 0x00;
	raw[33] = 0x00;
	raw[34] = 0x01;
	memset(raw + 35, 0x22, 29);
	uint8_t expect[2 + 2 + 33 + 2 + 30];
	size_t n = 0;
	expect[n++] = 0x30;
	expect[n++] = 2 + 33 + 2 + 30;
	expect[n++] = 0x02;
	expect[n++] = 33;
	expect[n++] = 0x00;
	memcpy(expect + n, raw, 32);
	n += 32;
	expect[n++] = 0x02;
	expect[n++] = 30;
	memcpy(expect + n, raw + 34, 30);
	n += 30;
	cr_assert_eq(n, sizeof expect);

	cairn_buf der = CAIRN_BUF_INIT, back = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_sig_ecdsa_raw_to_der(raw, sizeof raw, &der), 0, "%s", cairn_error_message());
	cr_assert_eq(der.len, sizeof expect);
	cr_assert(memcmp(der.data, expect, sizeof expect) == 0);
	cr_assert_eq(cairn_sig_ecdsa_der_to_raw(expect, sizeof expect, 32, &back), 0, "%s", cairn_error_message());
	cr_assert_eq(back.len, 64);
	cr_assert(memcmp(back.data, raw, 64) == 0);

	/* Wider output field: values padded on the left. */
	cairn_buf_clear(&back);
	cr_assert_eq(cairn_sig_ecdsa_der_to_raw(expect, sizeof expect, 48, &back), 0);
	cr_assert_eq(back.len, 96);
	static const uint8_t zeros[16];
	cr_assert(memcmp(back.data, zeros, 16) == 0 && memcmp(back.data + 16, raw, 32) == 0);
	cr_assert(memcmp(back.data + 48, zeros, 16) == 0 && memcmp(back.data + 64, raw + 32, 32) == 0);

	/* r that needs more bytes than the field: 0x01 followed by 32 bytes. */
	uint8_t wide[2 + 2 + 33 + 2 + 1] = {0x30, 2 + 33 + 2 + 1, 0x02, 33, 0x01};
	memset(wide + 5, 0x33, 32);
	wide[37] = 0x02;
	wide[38] = 1;
	wide[39] = 0x05;
	cairn_buf_clear(&back);
	assert_error(cairn_sig_ecdsa_der_to_raw(wide, sizeof wide, 32, &back), CAIRN_EINVAL, "field size");
	cr_assert_eq(cairn_sig_ecdsa_der_to_raw(wide, sizeof wide, 33, &back), 0);
	cairn_buf_clear(&back);
	/* zero and negative values */
	const uint8_t zero_r[] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05};
	assert_error(cairn_sig_ecdsa_der_to_raw(zero_r, sizeof zero_r, 32, &back), CAIRN_EINVAL, "r is not a positive");
	/* 0x85 alone is negative in DER; OpenSSL reads it as 133, which re-encodes differently */
	const uint8_t negative_s[] = {0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x85};
	assert_error(cairn_sig_ecdsa_der_to_raw(negative_s, sizeof negative_s, 32, &back), CAIRN_EINVAL, "canonical");
	/* an empty INTEGER is not DER */
	const uint8_t empty_r[] = {0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x05};
	assert_error(cairn_sig_ecdsa_der_to_raw(empty_r, sizeof empty_r, 32, &back), CAIRN_EINVAL, "canonical");
	assert_error(cairn_sig_ecdsa_der_to_raw(expect, sizeof expect, 0, &back), CAIRN_EINVAL, "field size");
	assert_error(cairn_sig_ecdsa_der_to_raw(expect, 0, 32, &back), CAIRN_EINVAL, "canonical");
	cr_assert_eq(back.len, 0);

	/* raw -> DER: odd, empty, zero halves */
	cairn_buf_clear(&der);
	assert_error(cairn_sig_ecdsa_raw_to_der(raw, 63, &der), CAIRN_EINVAL, "63 bytes");
	assert_error(cairn_sig_ecdsa_raw_to_der(raw, 0, &der), CAIRN_EINVAL, "0 bytes");
	uint8_t zero_half[64] = {0};
	zero_half[63] = 1;
	assert_error(cairn_sig_ecdsa_raw_to_der(zero_half, 64, &der), CAIRN_EINVAL, "r is not a positive");
	cr_assert_eq(der.len, 0);

	cairn_buf_free(&der);
	cairn_buf_free(&back);
}

/* Parses `openssl asn1parse` lines "... prim: INTEGER :HEX" into the hex strings. */
static size_t asn1parse_integers(const char *text, char out[2][200])
{
	size_t found = 0;
	for (const char *p = text; found < 2 && (p = strstr(p, "INTEGER")) != NULL; p++) {
		const char *colon = strchr(p, ':');
		cr_assert_not_null(colon);
		size_t n = 0;
		for (colon++; isxdigit((unsigned char)*colon) && n < 199; colon++)
			out[found][n++] = (char)tolower((unsigned char)*colon);
		out[found][n] = '\0';
		found++;
	}
	return found;
}

Test(sig, der_raw_round_trip_on_real_signatures_agrees_with_openssl, .init = tmp_setup, .fini = tmp_teardown)
{
	for (size_t i = 0; i < 2; i++) {
		cairn_key *key;
		cr_assert_eq(cairn_key_generate(&key, signing_types[i]), 0);
		size_t field = cairn_sig_ecdsa_field_size(key);
		cr_assert_eq(field, i == 0 ? 32u : 48u);
		cairn_buf sig = CAIRN_BUF_INIT, raw = CAIRN_BUF_INIT, der = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
		cairn_buf hex = CAIRN_BUF_INIT;
		for (int round = 0; round < 16; round++) {
			cairn_buf_clear(&sig);
			cairn_buf_clear(&raw);
			cairn_buf_clear(&der);
			cr_assert_eq(cairn_sig_sign(key, message, sizeof message - 1, &sig), 0);
			cr_assert_eq(cairn_sig_ecdsa_der_to_raw(sig.data, sig.len, field, &raw), 0, "%s",
				     cairn_error_message());
			cr_assert_eq(raw.len, 2 * field);
			cr_assert_eq(cairn_sig_ecdsa_raw_to_der(raw.data, raw.len, &der), 0);
			cr_assert_eq(der.len, sig.len);
			cr_assert(memcmp(der.data, sig.data, sig.len) == 0);
			if (round > 1)
				continue;
			/* openssl's reading of the DER gives the same r and s */
			spit(tpath("sig.der"), sig.data, sig.len);
			sh("openssl asn1parse -inform DER -in sig.der > sig.txt");
			slurp(tpath("sig.txt"), &text);
			char ints[2][200];
			cr_assert_eq(asn1parse_integers(cairn_buf_cstr(&text), ints), 2, "%s", cairn_buf_cstr(&text));
			for (int half = 0; half < 2; half++) {
				cairn_buf_clear(&hex);
				cr_assert_eq(cairn_hex_encode(&hex, raw.data + half * field, field), 0);
				const char *digits = cairn_buf_cstr(&hex);
				while (digits[0] == '0' && digits[1] == '0') /* asn1parse prints whole bytes */
					digits += 2;
				const char *theirs = ints[half];
				while (theirs[0] == '0' && theirs[1] == '0')
					theirs += 2;
				cr_assert_str_eq(digits, theirs);
			}
		}
		cairn_key_free(key);
		cairn_buf_free(&sig);
		cairn_buf_free(&raw);
		cairn_buf_free(&der);
		cairn_buf_free(&text);
		cairn_buf_free(&hex);
	}
	cairn_key *ed;
	cr_assert_eq(cairn_key_generate(&ed, CAIRN_KEY_ED25519), 0);
	cr_assert_eq(cairn_sig_ecdsa_field_size(ed), 0);
	cairn_key_free(ed);
}
