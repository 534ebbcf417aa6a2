/* Unit tests of SHA-2 digests and the "alg:hex" form. Expected values are the FIPS 180-2 examples. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/file.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void expect_hex(const cairn_digest *digest, const char *hex)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_digest_hex(digest, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), hex);
	cairn_buf_free(&out);
}

static const struct {
	enum cairn_digest_alg alg;
	const char *abc;       /* digest of "abc" (FIPS 180-2 appendix examples) */
	const char *two_block; /* digest of the 448/896-bit two-block message */
} fips[] = {
	{CAIRN_DIGEST_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{CAIRN_DIGEST_SHA384,
	 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
	 "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"},
	{CAIRN_DIGEST_SHA512,
	 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	 "454d4423643ce80e2a9ac94fa54ca49f",
	 "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433a"
	 "c7d329eeb6dd26545e96e55b874be909"},
};

static const char two_block_256[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char two_block_512[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
				    "klmnopqrlmnopqrsmnopqrstnopqrstu";

Test(digest, fips_180_examples)
{
	for (size_t i = 0; i < sizeof fips / sizeof fips[0]; i++) {
		cairn_digest d;
		cr_assert_eq(cairn_digest_compute(fips[i].alg, "abc", 3, &d), 0);
		cr_assert_eq(d.len, cairn_digest_alg_size(fips[i].alg));
		expect_hex(&d, fips[i].abc);
		const char *msg = fips[i].alg == CAIRN_DIGEST_SHA256 ? two_block_256 : two_block_512;
		cr_assert_eq(cairn_digest_compute(fips[i].alg, msg, strlen(msg), &d), 0);
		expect_hex(&d, fips[i].two_block);
	}
}

Test(digest, streaming_equals_one_shot_at_every_split)
{
	const char *msg = two_block_512;
	size_t len = strlen(msg);
	cairn_digest whole;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, msg, len, &whole), 0);
	for (size_t split = 0; split <= len; split++) {
		cairn_digest_ctx *ctx;
		cairn_digest parts;
		cr_assert_eq(cairn_digest_ctx_new(&ctx, CAIRN_DIGEST_SHA256), 0);
		cr_assert_eq(cairn_digest_update(ctx, msg, split), 0);
		cr_assert_eq(cairn_digest_update(ctx, msg + split, len - split), 0);
		cr_assert_eq(cairn_digest_final(ctx, &parts), 0);
		cairn_digest_ctx_free(ctx);
		cr_assert_eq(cairn_digest_equal(&whole, &parts), 0);
	}
}

Test(digest, million_a_streams_from_a_file)
{
	/* FIPS 180-2: one million repetitions of "a". */
	char path[] = "/tmp/cairn-digest-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	char block[1000];
	memset(block, 'a', sizeof block);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
	close(fd);
	cairn_digest d;
	cr_assert_eq(cairn_digest_file(CAIRN_DIGEST_SHA256, path, &d), 0);
	expect_hex(&d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(path);
	cr_assert_eq(cairn_digest_file(CAIRN_DIGEST_SHA256, path, &d), CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), path) != NULL);
}

Test(digest, parse_and_format_round_trip)
{
	const char *text = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	cairn_digest d, abc;
	cr_assert_eq(cairn_digest_parse(text, strlen(text), &d), 0);
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, "abc", 3, &abc), 0);
	cr_assert_eq(cairn_digest_equal(&d, &abc), 0);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_digest_format(&d, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), text);
	cairn_buf_free(&out);

	char sha512[200];
	snprintf(sha512, sizeof sha512, "sha512:%s", fips[2].abc);
	cr_assert_eq(cairn_digest_parse(sha512, strlen(sha512), &d), 0);
	cr_assert_eq(d.alg, CAIRN_DIGEST_SHA512);
	cr_assert_eq(d.len, 64);
}

Test(digest, parse_is_strict)
{
	static const char *const bad[] = {
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",          /* no algorithm */
		"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",   /* uppercase */
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",    /* short */
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad00", /* long */
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",   /* not hex */
		"SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",   /* algorithm case */
		"md5:900150983cd24fb0d6963f7d28e17f72",                                     /* unknown algorithm */
		"sha256:",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_digest d;
		int err = cairn_digest_parse(bad[i], strlen(bad[i]), &d);
		cr_assert(err == CAIRN_EINVAL || err == CAIRN_EUNSUPPORTED, "accepted \"%s\"", bad[i]);
		cr_assert(strstr(cairn_error_message(), "digest") != NULL);
	}
}

Test(digest, algorithm_names)
{
	enum cairn_digest_alg alg;
	cr_assert_eq(cairn_digest_alg_parse("sha384", &alg), 0);
	cr_assert_eq(alg, CAIRN_DIGEST_SHA384);
	cr_assert_str_eq(cairn_digest_alg_name(CAIRN_DIGEST_SHA512), "sha512");
	cr_assert_eq(cairn_digest_alg_parse("sha1", &alg), CAIRN_EUNSUPPORTED);
}
