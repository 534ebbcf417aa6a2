/* Unit tests of keys (suite key) and passphrases (suite passphrase).
 *
 * The independent reference is the openssl command: keys it makes must load, keys cairn saves must
 * be read back by it to the same public key, and its view of an encrypted file must show the
 * documented PBES2 parameters. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/key.h"
#include "cairn/sig.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* ---- helpers: a temporary directory per test, running openssl, files ---- */

static char tmpdir[64];

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/cairn-key-test-XXXXXX");
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

/* A path inside the temporary directory; a few stay valid at once. */
static const char *tpath(const char *name)
{
	static char slots[8][256];
	static int next;
	char *p = slots[next++ % 8];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static char last_cmd[1024];

/* Runs a shell command with the temporary directory as working directory; returns its status. */
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

static void assert_same_bytes(const cairn_buf *a, const cairn_buf *b, const char *what)
{
	cr_assert_eq(a->len, b->len, "%s: %zu bytes vs %zu", what, a->len, b->len);
	cr_assert(memcmp(a->data, b->data, a->len) == 0, "%s: bytes differ", what);
}

/* Asserts the last error has this code and its message contains every given fragment. */
static void assert_error(int rc, int code, const char *frag1, const char *frag2)
{
	cr_assert_eq(rc, code, "expected %s, got %d: %s", cairn_error_name(code), rc, cairn_error_message());
	cr_assert_not_null(strstr(cairn_error_message(), frag1), "message \"%s\" lacks \"%s\"", cairn_error_message(),
			   frag1);
	if (frag2 != NULL)
		cr_assert_not_null(strstr(cairn_error_message(), frag2), "message \"%s\" lacks \"%s\"",
				   cairn_error_message(), frag2);
}

/* openssl's own DER SubjectPublicKeyInfo for a PEM private key file. */
static void openssl_public_der(const char *pem_name, const char *passin, cairn_buf *der)
{
	if (passin != NULL)
		sh("openssl pkey -in %s -passin 'pass:%s' -pubout -outform DER -out ref.der", pem_name, passin);
	else
		sh("openssl pkey -in %s -pubout -outform DER -out ref.der", pem_name);
	slurp(tpath("ref.der"), der);
}

static void assert_public_matches_openssl(const cairn_key *key, const char *pem_name, const char *passin)
{
	cairn_buf mine = CAIRN_BUF_INIT, ref = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_public_der(key, &mine), 0);
	openssl_public_der(pem_name, passin, &ref);
	assert_same_bytes(&mine, &ref, pem_name);
	cairn_buf_free(&mine);
	cairn_buf_free(&ref);
}

/* ---- type names ---- */

Test(key, type_names_round_trip)
{
	static const struct {
		enum cairn_key_type type;
		const char *name;
	} expect[] = {
		{CAIRN_KEY_ECDSA_P256, "ecdsa-p256"},
		{CAIRN_KEY_ECDSA_P384, "ecdsa-p384"},
		{CAIRN_KEY_ED25519, "ed25519"},
		{CAIRN_KEY_RSA, "rsa"},
	};
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		cr_assert_str_eq(cairn_key_type_name(expect[i].type), expect[i].name);
		enum cairn_key_type parsed = CAIRN_KEY_UNKNOWN;
		cr_assert_eq(cairn_key_type_parse(expect[i].name, &parsed), 0);
		cr_assert_eq(parsed, expect[i].type);
	}
	enum cairn_key_type parsed;
	assert_error(cairn_key_type_parse("ecdsa-p521", &parsed), CAIRN_EUNSUPPORTED, "ecdsa-p521", NULL);
	assert_error(cairn_key_type_parse("ECDSA-P256", &parsed), CAIRN_EUNSUPPORTED, "ECDSA-P256", NULL);
}

/* ---- generate, save, load, and openssl agrees ---- */

static const struct {
	enum cairn_key_type type;
	const char *openssl_text; /* what `openssl pkey -text` prints for such a key */
	enum cairn_digest_alg digest;
} generated[] = {
	{CAIRN_KEY_ECDSA_P256, "NIST CURVE: P-256", CAIRN_DIGEST_SHA256},
	{CAIRN_KEY_ECDSA_P384, "NIST CURVE: P-384", CAIRN_DIGEST_SHA384},
	{CAIRN_KEY_ED25519, "ED25519 Private-Key", CAIRN_DIGEST_NONE},
};

Test(key, generated_keys_save_as_pkcs8_that_openssl_reads, .init = tmp_setup, .fini = tmp_teardown)
{
	for (size_t i = 0; i < sizeof generated / sizeof generated[0]; i++) {
		cairn_key *key, *loaded, *pub;
		cr_assert_eq(cairn_key_generate(&key, generated[i].type), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_key_get_type(key), generated[i].type);
		cr_assert(cairn_key_is_private(key));
		cr_assert_eq(cairn_key_default_digest(key), generated[i].digest);

		cairn_buf pem = CAIRN_BUF_INIT, pub_pem = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_key_save_private(key, NULL, &pem), 0, "%s", cairn_error_message());
		cr_assert(strncmp(cairn_buf_cstr(&pem), "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
		spit(tpath("gen.pem"), pem.data, pem.len);
		sh("openssl pkey -in gen.pem -noout -text > gen.txt");
		slurp(tpath("gen.txt"), &text);
		cr_assert_not_null(strstr(cairn_buf_cstr(&text), generated[i].openssl_text), "%s",
				   cairn_buf_cstr(&text));
		assert_public_matches_openssl(key, "gen.pem", NULL);

		cr_assert_eq(cairn_key_load_private(&loaded, pem.data, pem.len, NULL, "gen.pem"), 0, "%s",
			     cairn_error_message());
		cr_assert_eq(cairn_key_get_type(loaded), generated[i].type);
		cr_assert(cairn_key_is_private(loaded));
		assert_public_matches_openssl(loaded, "gen.pem", NULL);

		cr_assert_eq(cairn_key_save_public(key, &pub_pem), 0);
		cr_assert(strncmp(cairn_buf_cstr(&pub_pem), "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
		spit(tpath("gen.pub"), pub_pem.data, pub_pem.len);
		cr_assert_eq(cairn_key_load_public_file(&pub, tpath("gen.pub")), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_key_get_type(pub), generated[i].type);
		cr_assert_not(cairn_key_is_private(pub));
		assert_public_matches_openssl(pub, "gen.pem", NULL);
		/* openssl reads cairn's public PEM too */
		sh("openssl pkey -pubin -in gen.pub -noout");

		cairn_key_free(key);
		cairn_key_free(loaded);
		cairn_key_free(pub);
		cairn_buf_free_secret(&pem);
		cairn_buf_free(&pub_pem);
		cairn_buf_free(&text);
	}
}

Test(key, encrypted_save_uses_pbes2_aes256_and_needs_the_passphrase, .init = tmp_setup, .fini = tmp_teardown)
{
	cairn_key *key, *loaded;
	cr_assert_eq(cairn_key_generate(&key, CAIRN_KEY_ECDSA_P256), 0);
	cairn_buf pem = CAIRN_BUF_INIT, text = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_save_private(key, "correct horse", &pem), 0, "%s", cairn_error_message());
	cr_assert(strncmp(cairn_buf_cstr(&pem), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38) == 0);
	spit(tpath("enc.pem"), pem.data, pem.len);

	/* The parameters the header promises, as openssl sees them. */
	sh("openssl asn1parse -in enc.pem > enc.txt");
	slurp(tpath("enc.txt"), &text);
	const char *expect[] = {":PBES2", ":PBKDF2", ":hmacWithSHA256", ":aes-256-cbc"};
	for (size_t i = 0; i < 4; i++)
		cr_assert_not_null(strstr(cairn_buf_cstr(&text), expect[i]), "no %s in %s", expect[i],
				   cairn_buf_cstr(&text));
	assert_public_matches_openssl(key, "enc.pem", "correct horse");
	cr_assert_neq(sh_status("openssl pkey -in enc.pem -passin pass:wrong -noout"), 0);

	cr_assert_eq(cairn_key_load_private(&loaded, pem.data, pem.len, "correct horse", "enc.pem"), 0, "%s",
		     cairn_error_message());
	assert_public_matches_openssl(loaded, "enc.pem", "correct horse");
	cairn_key_free(loaded);

	assert_error(cairn_key_load_private(&loaded, pem.data, pem.len, "correct horsf", "enc.pem"), CAIRN_EINVAL,
		     "enc.pem: wrong passphrase or corrupt encrypted key", NULL);
	cr_assert_null(loaded);
	assert_error(cairn_key_load_private(&loaded, pem.data, pem.len, "", "enc.pem"), CAIRN_EINVAL,
		     "wrong passphrase", NULL);
	assert_error(cairn_key_load_private(&loaded, pem.data, pem.len, NULL, "enc.pem"), CAIRN_EINVAL,
		     "enc.pem: the private key is encrypted", "set CAIRN_PASSWORD or run on a terminal");

	/* An empty passphrase means "not encrypted". */
	cairn_buf plain = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_save_private(key, "", &plain), 0);
	cr_assert(strncmp(cairn_buf_cstr(&plain), "-----BEGIN PRIVATE KEY-----\n", 28) == 0);

	cairn_key_free(key);
	cairn_buf_free_secret(&pem);
	cairn_buf_free_secret(&plain);
	cairn_buf_free(&text);
}

Test(key, loads_private_keys_made_by_openssl, .init = tmp_setup, .fini = tmp_teardown)
{
	static const struct {
		const char *cmd;
		const char *file;
		enum cairn_key_type type;
		const char *label;
	} made[] = {
		{"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem", "p256.pem",
		 CAIRN_KEY_ECDSA_P256, "-----BEGIN PRIVATE KEY-----"},
		{"openssl ecparam -genkey -noout -name secp384r1 -out p384.pem", "p384.pem", CAIRN_KEY_ECDSA_P384,
		 "-----BEGIN EC PRIVATE KEY-----"},
		{"openssl ecparam -genkey -noout -name prime256v1 -out sec1.pem", "sec1.pem", CAIRN_KEY_ECDSA_P256,
		 "-----BEGIN EC PRIVATE KEY-----"},
		/* without -noout an "EC PARAMETERS" block comes first */
		{"openssl ecparam -genkey -name prime256v1 -out params.pem", "params.pem", CAIRN_KEY_ECDSA_P256,
		 "-----BEGIN EC PARAMETERS-----"},
		{"openssl genpkey -algorithm ED25519 -out ed.pem", "ed.pem", CAIRN_KEY_ED25519,
		 "-----BEGIN PRIVATE KEY-----"},
	};
	cairn_buf pem = CAIRN_BUF_INIT;
	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		sh("%s", made[i].cmd);
		slurp(tpath(made[i].file), &pem);
		cr_assert(strncmp(cairn_buf_cstr(&pem), made[i].label, strlen(made[i].label)) == 0, "%s",
			  cairn_buf_cstr(&pem));
		cairn_key *key;
		cr_assert_eq(cairn_key_load_private_file(&key, tpath(made[i].file)), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_key_get_type(key), made[i].type, "%s", made[i].file);
		cr_assert(cairn_key_is_private(key));
		assert_public_matches_openssl(key, made[i].file, NULL);
		cairn_key_free(key);
	}

	/* Encrypted PKCS#8 made by openssl, passphrase from CAIRN_PASSWORD. */
	sh("openssl pkcs8 -topk8 -v2 aes-256-cbc -in p384.pem -passout pass:s3cret -out enc384.pem");
	sh("openssl pkcs8 -topk8 -v2 aes-256-cbc -in ed.pem -passout pass:s3cret -out enced.pem");
	setenv("CAIRN_PASSWORD", "s3cret", 1);
	cairn_key *key;
	cr_assert_eq(cairn_key_load_private_file(&key, tpath("enc384.pem")), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_key_get_type(key), CAIRN_KEY_ECDSA_P384);
	assert_public_matches_openssl(key, "p384.pem", NULL);
	cairn_key_free(key);
	cr_assert_eq(cairn_key_load_private_file(&key, tpath("enced.pem")), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_key_get_type(key), CAIRN_KEY_ED25519);
	assert_public_matches_openssl(key, "ed.pem", NULL);
	cairn_key_free(key);

	setenv("CAIRN_PASSWORD", "s3cret!", 1);
	assert_error(cairn_key_load_private_file(&key, tpath("enc384.pem")), CAIRN_EINVAL, tpath("enc384.pem"),
		     "wrong passphrase or corrupt encrypted key");
	cr_assert_null(key);
	cairn_buf_free_secret(&pem);
}

Test(key, loads_rsa_public_keys_for_verification, .init = tmp_setup, .fini = tmp_teardown)
{
	sh("openssl genrsa -out rsa.pem 2048");
	sh("openssl pkey -in rsa.pem -pubout -out rsa.pub");
	sh("openssl rsa -in rsa.pem -RSAPublicKey_out -out rsa1.pub");
	cairn_key *spki, *pkcs1;
	cr_assert_eq(cairn_key_load_public_file(&spki, tpath("rsa.pub")), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_key_load_public_file(&pkcs1, tpath("rsa1.pub")), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_key_get_type(spki), CAIRN_KEY_RSA);
	cr_assert_eq(cairn_key_get_type(pkcs1), CAIRN_KEY_RSA);
	cr_assert_not(cairn_key_is_private(spki));
	cr_assert_eq(cairn_key_default_digest(spki), CAIRN_DIGEST_SHA256);
	assert_public_matches_openssl(spki, "rsa.pem", NULL);
	assert_public_matches_openssl(pkcs1, "rsa.pem", NULL);
	cairn_key_free(spki);
	cairn_key_free(pkcs1);
}

Test(key, wrong_kind_of_pem_is_named, .init = tmp_setup, .fini = tmp_teardown)
{
	sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ck.pem -out cert.pem "
	   "-subj /CN=cairn-test -days 1");
	sh("openssl pkey -in ck.pem -pubout -out ck.pub");
	cairn_key *key = NULL;
	char expect[512];

	snprintf(expect, sizeof expect, "%s: expected a private key but found a CERTIFICATE PEM block", tpath("cert.pem"));
	assert_error(cairn_key_load_private_file(&key, tpath("cert.pem")), CAIRN_EINVAL, expect, NULL);
	snprintf(expect, sizeof expect, "%s: expected a public key but found a CERTIFICATE PEM block", tpath("cert.pem"));
	assert_error(cairn_key_load_public_file(&key, tpath("cert.pem")), CAIRN_EINVAL, expect, NULL);
	snprintf(expect, sizeof expect, "%s: expected a private key but found a PUBLIC KEY PEM block", tpath("ck.pub"));
	assert_error(cairn_key_load_private_file(&key, tpath("ck.pub")), CAIRN_EINVAL, expect, NULL);
	snprintf(expect, sizeof expect, "%s: expected a public key but found a PRIVATE KEY PEM block", tpath("ck.pem"));
	assert_error(cairn_key_load_public_file(&key, tpath("ck.pem")), CAIRN_EINVAL, expect, NULL);
	cr_assert_null(key);

	/* Not PEM at all. */
	spit(tpath("junk.pem"), "hello, world\n", 13);
	snprintf(expect, sizeof expect, "%s: not a PEM file", tpath("junk.pem"));
	assert_error(cairn_key_load_private_file(&key, tpath("junk.pem")), CAIRN_EINVAL, expect, NULL);
	assert_error(cairn_key_load_public_file(&key, tpath("junk.pem")), CAIRN_EINVAL, expect, NULL);
	spit(tpath("empty.pem"), "", 0);
	assert_error(cairn_key_load_private_file(&key, tpath("empty.pem")), CAIRN_EINVAL, "empty.pem: not a PEM file",
		     NULL);
	/* A BEGIN line that is not at the start of a line does not count. */
	assert_error(cairn_key_load_private(&key, "x-----BEGIN PRIVATE KEY-----\n", 29, NULL, "inline"), CAIRN_EINVAL,
		     "inline: not a PEM file", NULL);

	cairn_buf good = CAIRN_BUF_INIT, bad = CAIRN_BUF_INIT;
	slurp(tpath("ck.pem"), &good);
	slurp(tpath("ck.pub"), &bad);
	cairn_key *pub;
	cr_assert_eq(cairn_key_load_public(&pub, bad.data, bad.len, "ck.pub"), 0);

	/* Truncated: the END line is missing. */
	assert_error(cairn_key_load_private(&key, good.data, good.len / 2, NULL, "half.pem"), CAIRN_EINVAL,
		     "half.pem: truncated or corrupt PEM", NULL);
	assert_error(cairn_key_load_public(&key, bad.data, bad.len / 2, "half.pub"), CAIRN_EINVAL,
		     "half.pub: truncated or corrupt PEM", NULL);
	/* A character outside the base64 alphabet in the middle of the body. */
	cairn_buf_clear(&bad);
	cairn_buf_append(&bad, good.data, good.len);
	bad.data[40] = '!';
	assert_error(cairn_key_load_private(&key, bad.data, bad.len, NULL, "bang.pem"), CAIRN_EINVAL,
		     "bang.pem: truncated or corrupt PEM", NULL);
	/* Four base64 characters gone: still base64, but the DER inside is broken. */
	cairn_buf_clear(&bad);
	cairn_buf_append(&bad, good.data, 40);
	cairn_buf_append(&bad, good.data + 44, good.len - 44);
	assert_error(cairn_key_load_private(&key, bad.data, bad.len, NULL, "short.pem"), CAIRN_EINVAL,
		     "short.pem: truncated or corrupt PEM", NULL);
	/* An END line with another label. */
	cairn_buf_clear(&bad);
	cairn_buf_append(&bad, good.data, good.len);
	char *end = strstr((char *)bad.data, "-----END PRIVATE KEY");
	cr_assert_not_null(end);
	memcpy(end, "-----END PUBLIC! KEY", 20);
	assert_error(cairn_key_load_private(&key, bad.data, bad.len, NULL, "mismatch.pem"), CAIRN_EINVAL,
		     "mismatch.pem: truncated or corrupt PEM", NULL);
	cr_assert_null(key);

	/* DER public keys: whole, cut short, with a byte too many. */
	cairn_buf der = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_public_der(pub, &der), 0);
	cr_assert_eq(cairn_key_load_public_der(&key, der.data, der.len, "ck.der"), 0);
	cairn_key_free(key);
	assert_error(cairn_key_load_public_der(&key, der.data, der.len - 1, "cut.der"), CAIRN_EINVAL, "cut.der", NULL);
	cairn_buf_append_byte(&der, 0);
	assert_error(cairn_key_load_public_der(&key, der.data, der.len, "long.der"), CAIRN_EINVAL, "long.der", NULL);
	cr_assert_null(key);

	cairn_key_free(pub);
	cairn_buf_free(&good);
	cairn_buf_free(&bad);
	cairn_buf_free(&der);
}

Test(key, unsupported_algorithms_are_named, .init = tmp_setup, .fini = tmp_teardown)
{
	static const struct {
		const char *cmd;
		const char *file;
		const char *name; /* must appear in the message */
	} made[] = {
		{"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem", "p521.pem", "P-521"},
		{"openssl ecparam -genkey -noout -name secp256k1 -out k1.pem", "k1.pem", "secp256k1"},
		{"openssl genpkey -algorithm X25519 -out x25519.pem", "x25519.pem", "X25519"},
		{"openssl genpkey -algorithm ED448 -out ed448.pem", "ed448.pem", "ED448"},
		{"openssl genrsa -out rsa.pem 2048", "rsa.pem", "RSA"},
		{"openssl genrsa -traditional -out rsa1.pem 2048", "rsa1.pem", "RSA"},
	};
	cairn_key *key = NULL;
	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		sh("%s", made[i].cmd);
		assert_error(cairn_key_load_private_file(&key, tpath(made[i].file)), CAIRN_EUNSUPPORTED,
			     tpath(made[i].file), made[i].name);
		cr_assert_null(key);
	}
	/* Their public halves are refused too (RSA aside: it verifies). */
	sh("openssl pkey -in p521.pem -pubout -out p521.pub");
	assert_error(cairn_key_load_public_file(&key, tpath("p521.pub")), CAIRN_EUNSUPPORTED, "p521.pub", "P-521");
	sh("openssl pkey -in x25519.pem -pubout -out x25519.pub");
	assert_error(cairn_key_load_public_file(&key, tpath("x25519.pub")), CAIRN_EUNSUPPORTED, "x25519.pub", "X25519");
	sh("openssl genrsa -out weak.pem 1024 && openssl pkey -in weak.pem -pubout -out weak.pub");
	assert_error(cairn_key_load_public_file(&key, tpath("weak.pub")), CAIRN_EUNSUPPORTED, "weak.pub", "1024");

	/* SEC1 with the legacy PEM encryption header. */
	sh("openssl ecparam -genkey -noout -name prime256v1 -out ec.pem && "
	   "openssl ec -in ec.pem -aes256 -passout pass:x -out legacy.pem");
	setenv("CAIRN_PASSWORD", "x", 1);
	assert_error(cairn_key_load_private_file(&key, tpath("legacy.pem")), CAIRN_EUNSUPPORTED, "legacy.pem",
		     "legacy encrypted");
	cr_assert_null(key);

	/* cosign's own format (scrypt + secretbox inside PEM) goes to its reader, which names what is
	 * wrong with this one ({"kdf":{}}); tests/unit/cosign_key_test.c covers the format. */
	const char cosign[] = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n"
			      "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
	assert_error(cairn_key_load_private(&key, cosign, sizeof cosign - 1, "pw", "cosign.key"), CAIRN_EINVAL,
		     "cosign.key: malformed cosign key", "kdf.name");

	assert_error(cairn_key_generate(&key, CAIRN_KEY_RSA), CAIRN_EUNSUPPORTED, "RSA", NULL);
	cr_assert_null(key);
}

Test(key, from_evp_takes_a_reference_and_public_copy_drops_the_secret)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	cr_assert_not_null(pkey);
	cairn_key *key, *pub, *again;
	cr_assert_eq(cairn_key_from_evp(&key, pkey, "evp"), 0, "%s", cairn_error_message());
	EVP_PKEY_free(pkey); /* the cairn key holds its own reference */
	cr_assert_eq(cairn_key_get_type(key), CAIRN_KEY_ECDSA_P384);
	cr_assert(cairn_key_is_private(key));
	cr_assert_not_null(cairn_key_evp(key));

	cr_assert_eq(cairn_key_public_copy(key, &pub), 0);
	cr_assert_eq(cairn_key_get_type(pub), CAIRN_KEY_ECDSA_P384);
	cr_assert_not(cairn_key_is_private(pub));
	cairn_buf a = CAIRN_BUF_INIT, b = CAIRN_BUF_INIT, pem = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_key_public_der(key, &a), 0);
	cr_assert_eq(cairn_key_public_der(pub, &b), 0);
	assert_same_bytes(&a, &b, "public copy");
	assert_error(cairn_key_save_private(pub, NULL, &pem), CAIRN_EINVAL, "public half", NULL);
	cr_assert_eq(pem.len, 0);

	/* A public-only OpenSSL key comes out as public. */
	const unsigned char *p = b.data;
	EVP_PKEY *public_only = d2i_PUBKEY(NULL, &p, (long)b.len);
	cr_assert_not_null(public_only);
	cr_assert_eq(cairn_key_from_evp(&again, public_only, "cert key"), 0);
	cr_assert_not(cairn_key_is_private(again));
	cairn_key_free(again);
	EVP_PKEY_free(public_only);

	/* An unsupported OpenSSL key is refused and its reference left alone. */
	EVP_PKEY *x = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	cr_assert_not_null(x);
	assert_error(cairn_key_from_evp(&again, x, "cert key"), CAIRN_EUNSUPPORTED, "cert key", "X25519");
	cr_assert_null(again);
	EVP_PKEY_free(x);

	cairn_key_free(key);
	cairn_key_free(pub);
	cairn_buf_free(&a);
	cairn_buf_free(&b);
}

/* ---- passphrases ---- */

/* Results of work done in a child process that has no controlling terminal. */
struct detached_report {
	int rc[3];
	char message[3][256];
};

static void note(struct detached_report *report, int i, int rc)
{
	report->rc[i] = rc;
	snprintf(report->message[i], sizeof report->message[i], "%s", cairn_error_message());
}

/* Runs fn in a child that starts a new session (so /dev/tty cannot be opened: no terminal can
 * answer a prompt) and hands back what it noted. */
static void run_detached(void (*fn)(struct detached_report *), struct detached_report *report)
{
	int pipefd[2];
	cr_assert_eq(pipe(pipefd), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(pipefd[0]);
		struct detached_report out;
		memset(&out, 0, sizeof out);
		if (setsid() < 0)
			_exit(2);
		fn(&out);
		_exit(write(pipefd[1], &out, sizeof out) == (ssize_t)sizeof out ? 0 : 1);
	}
	close(pipefd[1]);
	ssize_t got = read(pipefd[0], report, sizeof *report);
	close(pipefd[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the detached child failed");
	cr_assert_eq(got, (ssize_t)sizeof *report);
}

static void load_plain_and_encrypted(struct detached_report *report)
{
	cairn_key *key = NULL;
	note(report, 0, cairn_key_load_private_file(&key, tpath("ed.pem")));
	cairn_key_free(key);
	note(report, 1, cairn_key_load_private_file(&key, tpath("enc.pem")));
	cairn_key_free(key);
	setenv("CAIRN_PASSWORD", "pw", 1);
	note(report, 2, cairn_key_load_private_file(&key, tpath("enc.pem")));
	cairn_key_free(key);
}

Test(key, unencrypted_file_never_asks_for_a_passphrase, .init = tmp_setup, .fini = tmp_teardown)
{
	sh("openssl genpkey -algorithm ED25519 -out ed.pem");
	sh("openssl pkcs8 -topk8 -v2 aes-256-cbc -in ed.pem -passout pass:pw -out enc.pem");
	struct detached_report report;
	run_detached(load_plain_and_encrypted, &report);
	cr_assert_eq(report.rc[0], 0, "%s", report.message[0]);
	cr_assert_eq(report.rc[1], CAIRN_EINVAL, "%s", report.message[1]);
	cr_assert_not_null(strstr(report.message[1], "enc.pem: the private key is encrypted"), "%s", report.message[1]);
	cr_assert_not_null(strstr(report.message[1], "set CAIRN_PASSWORD or run on a terminal"), "%s",
			   report.message[1]);
	cr_assert_eq(report.rc[2], 0, "%s", report.message[2]);
}

Test(passphrase, comes_from_cairn_password_even_when_empty)
{
	cairn_buf pass = CAIRN_BUF_INIT;
	setenv("CAIRN_PASSWORD", "s3cret pass phrase", 1);
	cr_assert_eq(cairn_passphrase_read(&pass, "Passphrase: ", 1), 0);
	cr_assert_str_eq(cairn_buf_cstr(&pass), "s3cret pass phrase");
	cairn_buf_free_secret(&pass);

	setenv("CAIRN_PASSWORD", "", 1);
	cr_assert_eq(cairn_passphrase_read(&pass, "Passphrase: ", 0), 0);
	cr_assert_eq(pass.len, 0);
	cairn_buf_free_secret(&pass);

	char long_one[1100];
	memset(long_one, 'a', sizeof long_one - 1);
	long_one[sizeof long_one - 1] = '\0';
	setenv("CAIRN_PASSWORD", long_one, 1);
	assert_error(cairn_passphrase_read(&pass, "Passphrase: ", 0), CAIRN_EINVAL, "CAIRN_PASSWORD", "longer");
	cr_assert_null(strstr(cairn_error_message(), "aaaa")); /* never echo the passphrase */
	cairn_buf_free_secret(&pass);
	unsetenv("CAIRN_PASSWORD");
}

static void read_without_terminal(struct detached_report *report)
{
	unsetenv("CAIRN_PASSWORD");
	cairn_buf pass = CAIRN_BUF_INIT;
	note(report, 0, cairn_passphrase_read(&pass, "Passphrase: ", 0));
	report->rc[1] = (int)pass.len;
	cairn_buf_free_secret(&pass);
}

Test(passphrase, without_terminal_or_variable_is_an_error)
{
	struct detached_report report;
	run_detached(read_without_terminal, &report);
	cr_assert_eq(report.rc[0], CAIRN_EINVAL);
	cr_assert_str_eq(report.message[0], "no passphrase: set CAIRN_PASSWORD or run on a terminal");
	cr_assert_eq(report.rc[1], 0);
}

/* What a child that asked for a passphrase on a pseudo-terminal reports back. */
struct pty_report {
	int rc;
	int echo_restored;
	size_t len;
	char pass[128];
	char message[256];
};

/* Runs cairn_passphrase_read in a child whose controlling terminal is a new pseudo-terminal, types
 * each line after its prompt appears, and collects everything the terminal showed. */
static void run_on_pty(const char *const *lines, size_t count, int confirm, struct pty_report *report,
		       char *shown, size_t shown_size)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	char slave_name[128];
	cr_assert_eq(ptsname_r(master, slave_name, sizeof slave_name), 0);
	int pipefd[2];
	cr_assert_eq(pipe(pipefd), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(master);
		close(pipefd[0]);
		struct pty_report out = {0};
		setsid();
		int slave = open(slave_name, O_RDWR); /* becomes the controlling terminal */
		if (slave >= 0)
			ioctl(slave, TIOCSCTTY, 0);
		unsetenv("CAIRN_PASSWORD");
		cairn_buf pass = CAIRN_BUF_INIT;
		out.rc = cairn_passphrase_read(&pass, "Passphrase: ", confirm);
		struct termios now;
		out.echo_restored = slave >= 0 && tcgetattr(slave, &now) == 0 && (now.c_lflag & ECHO) != 0;
		out.len = pass.len;
		snprintf(out.pass, sizeof out.pass, "%s", cairn_buf_cstr(&pass));
		snprintf(out.message, sizeof out.message, "%s", cairn_error_message());
		cairn_buf_free_secret(&pass);
		if (write(pipefd[1], &out, sizeof out) != (ssize_t)sizeof out)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	size_t used = 0;
	shown[0] = '\0';
	size_t typed = 0;
	for (int rounds = 0; rounds < 200; rounds++) {
		/* A line is typed only once its prompt is on the screen, i.e. echo is already off. */
		size_t prompts = 0;
		for (const char *p = shown; (p = strstr(p, "assphrase")) != NULL; p++)
			prompts++;
		if (typed < count && prompts > typed) {
			cr_assert_eq(write(master, lines[typed], strlen(lines[typed])), (ssize_t)strlen(lines[typed]));
			typed++;
		}
		struct pollfd pfd = {.fd = master, .events = POLLIN};
		if (poll(&pfd, 1, 50) > 0) {
			ssize_t got = read(master, shown + used, shown_size - 1 - used);
			if (got > 0) {
				used += (size_t)got;
				shown[used] = '\0';
			} else {
				/* No slave side open: the child has not opened it yet, or has exited. */
				poll(NULL, 0, 20);
			}
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		cr_assert_fail("the passphrase prompt did not finish; terminal showed: %s", shown);
	}
	cr_assert_eq(read(pipefd[0], report, sizeof *report), (ssize_t)sizeof *report);
	close(pipefd[0]);
	close(master);
}

Test(passphrase, prompts_on_the_terminal_without_echo)
{
	const char *lines[] = {"hunter2 is here\n"};
	struct pty_report report;
	char shown[4096];
	run_on_pty(lines, 1, 0, &report, shown, sizeof shown);
	cr_assert_eq(report.rc, 0, "%s", report.message);
	cr_assert_str_eq(report.pass, "hunter2 is here");
	cr_assert_eq(report.len, 15);
	cr_assert_not_null(strstr(shown, "Passphrase: "), "terminal showed: %s", shown);
	cr_assert_null(strstr(shown, "hunter2"), "the passphrase was echoed: %s", shown);
	cr_assert(report.echo_restored, "echo was left off");
}

Test(passphrase, confirmation_must_match)
{
	const char *same[] = {"tr0ub4dor\n", "tr0ub4dor\n"};
	struct pty_report report;
	char shown[4096];
	run_on_pty(same, 2, 1, &report, shown, sizeof shown);
	cr_assert_eq(report.rc, 0, "%s", report.message);
	cr_assert_str_eq(report.pass, "tr0ub4dor");
	cr_assert_not_null(strstr(shown, "again"), "no second prompt: %s", shown);
	cr_assert_null(strstr(shown, "tr0ub4dor"), "the passphrase was echoed: %s", shown);

	const char *differ[] = {"tr0ub4dor\n", "tr0ub4dor&3\n"};
	run_on_pty(differ, 2, 1, &report, shown, sizeof shown);
	cr_assert_eq(report.rc, CAIRN_EINVAL);
	cr_assert_not_null(strstr(report.message, "do not match"), "%s", report.message);
	cr_assert_null(strstr(report.message, "tr0ub4dor"), "the message shows the passphrase");
	cr_assert_eq(report.len, 0);
	cr_assert(report.echo_restored, "echo was left off");
}

/* EC public keys in the usual SubjectPublicKeyInfo form are imported from their point (a fast path
 * beside d2i_PUBKEY): they must read to the same key OpenSSL reads, write the same PEM as OpenSSL's
 * writer, verify signatures, and refuse a point that is not on the curve. */
Test(key, ec_public_keys_import_like_openssl)
{
	static const char *curves[] = {"P-256", "P-384"};
	for (size_t i = 0; i < 2; i++) {
		EVP_PKEY *ossl = EVP_EC_gen(curves[i]);
		cr_assert_not_null(ossl);
		unsigned char *der = NULL;
		int len = i2d_PUBKEY(ossl, &der);
		cr_assert_gt(len, 0);
		cairn_key *key = NULL;
		cr_assert_eq(cairn_key_load_public_der(&key, der, (size_t)len, "test key"), 0, "%s", cairn_error_message());
		/* the same public key as OpenSSL's own reading */
		cr_assert_eq(EVP_PKEY_eq(ossl, cairn_key_evp(key)), 1, "%s", curves[i]);
		/* the PEM OpenSSL writes */
		BIO *bio = BIO_new(BIO_s_mem());
		cr_assert_eq(PEM_write_bio_PUBKEY(bio, ossl), 1);
		char *want = NULL;
		long want_len = BIO_get_mem_data(bio, &want);
		cairn_buf pem = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_key_save_public(key, &pem), 0);
		cr_assert_eq(pem.len, (size_t)want_len);
		cr_assert_eq(memcmp(pem.data, want, pem.len), 0, "%s", curves[i]);
		cairn_buf_free(&pem);
		BIO_free(bio);
		/* a signature OpenSSL makes verifies */
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		unsigned char sig[256];
		size_t sig_len = sizeof sig;
		const EVP_MD *alg = i == 0 ? EVP_sha256() : EVP_sha384();
		cr_assert_eq(EVP_DigestSignInit(md, NULL, alg, NULL, ossl), 1);
		cr_assert_eq(EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)"abc", 3), 1);
		EVP_MD_CTX_free(md);
		cr_assert_eq(cairn_sig_verify(key, "abc", 3, sig, sig_len), 0, "%s", cairn_error_message());
		cr_assert_eq(cairn_sig_verify(key, "abd", 3, sig, sig_len), CAIRN_EVERIFY);
		cairn_key_free(key);
		/* a point moved off the curve */
		der[len - 1] ^= 0x01;
		cr_assert_eq(cairn_key_load_public_der(&key, der, (size_t)len, "bent key"), CAIRN_EINVAL);
		cr_assert_null(key);
		OPENSSL_free(der);
		EVP_PKEY_free(ossl);
	}
}
