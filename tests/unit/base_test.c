/* Unit tests of the base module: errors, buffers, hex, base64, files. */
#include "cairn/buf.h"
#include "cairn/error.h"
#include "cairn/file.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(error, message_names_input_and_code_maps_to_exit_status)
{
	int code = cairn_error_set(CAIRN_EINVAL, "%s: not a PEM file", "key.pem");
	cr_assert_eq(code, CAIRN_EINVAL);
	cr_assert_str_eq(cairn_error_message(), "key.pem: not a PEM file");
	cr_assert_eq(cairn_error_code(), CAIRN_EINVAL);
	cairn_error_prefix(CAIRN_EINVAL, "loading %s", "cosign.key");
	cr_assert_str_eq(cairn_error_message(), "loading cosign.key: key.pem: not a PEM file");
	cr_assert_eq(cairn_error_exit_status(CAIRN_EVERIFY), 1);
	cr_assert_eq(cairn_error_exit_status(CAIRN_EINVAL), 2);
	cr_assert_eq(cairn_error_exit_status(CAIRN_ENOENT), 2);
	cr_assert_eq(cairn_error_exit_status(CAIRN_ETOOBIG), 2);
	cr_assert_eq(cairn_error_exit_status(CAIRN_EIO), 3);
	cr_assert_eq(cairn_error_exit_status(CAIRN_EINTERNAL), 3);
	cairn_error_clear();
	cr_assert_str_eq(cairn_error_message(), "");
}

static void *set_error_in_thread(void *arg)
{
	(void)arg;
	cairn_error_set(CAIRN_EIO, "other thread");
	return NULL;
}

Test(error, is_per_thread)
{
	cairn_error_set(CAIRN_EINVAL, "this thread");
	pthread_t thread;
	cr_assert_eq(pthread_create(&thread, NULL, set_error_in_thread, NULL), 0);
	pthread_join(thread, NULL);
	cr_assert_str_eq(cairn_error_message(), "this thread");
	cr_assert_eq(cairn_error_code(), CAIRN_EINVAL);
}

Test(buf, grows_and_stays_nul_terminated)
{
	cairn_buf buf = CAIRN_BUF_INIT;
	cr_assert_str_eq(cairn_buf_cstr(&buf), "");
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(cairn_buf_printf(&buf, "%d,", i), 0);
	cr_assert_eq(buf.data[buf.len], 0);
	cr_assert(strncmp(cairn_buf_cstr(&buf), "0,1,2,", 6) == 0);
	cr_assert(buf.len > 3000);
	size_t len;
	uint8_t *owned = cairn_buf_detach(&buf, &len);
	cr_assert_eq(buf.data, NULL);
	cr_assert_eq(strlen((char *)owned), len);
	free(owned);
}

Test(buf, refuses_absurd_sizes)
{
	cairn_buf buf = CAIRN_BUF_INIT;
	cairn_buf_append_str(&buf, "x");
	cr_assert_eq(cairn_buf_reserve(&buf, SIZE_MAX), CAIRN_ETOOBIG);
	cr_assert_eq(cairn_buf_reserve(&buf, SIZE_MAX - 1), CAIRN_ETOOBIG);
	cr_assert_eq(cairn_buf_reserve(&buf, CAIRN_BUF_MAX), CAIRN_ETOOBIG);
	cr_assert_str_eq(cairn_buf_cstr(&buf), "x");
	cairn_buf_free(&buf);
}

Test(buf, constant_time_compare)
{
	cr_assert_eq(cairn_memeq_consttime("abcd", "abcd", 4), 0);
	cr_assert_neq(cairn_memeq_consttime("abcd", "abce", 4), 0);
}

Test(hex, round_trip_and_errors)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_hex_encode(&out, "\x00\x7f\xff\xab", 4), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "007fffab");
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_hex_decode(&out, "007FffAb", 8), 0);
	cr_assert_eq(out.len, 4);
	cr_assert_eq(memcmp(out.data, "\x00\x7f\xff\xab", 4), 0);
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_hex_decode(&out, "abc", 3), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "odd") != NULL);
	cr_assert_eq(cairn_hex_decode(&out, "zz", 2), CAIRN_EINVAL);
	cr_assert_eq(out.len, 0);
	cairn_buf_free(&out);
}

/* RFC 4648 section 10 test vectors. */
static const char *const rfc4648[][2] = {
	{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
	{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

Test(base64, rfc4648_vectors_standard)
{
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		cairn_buf out = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_base64_encode(&out, rfc4648[i][0], strlen(rfc4648[i][0]), CAIRN_BASE64_STD), 0);
		cr_assert_str_eq(cairn_buf_cstr(&out), rfc4648[i][1]);
		cairn_buf_clear(&out);
		cr_assert_eq(cairn_base64_decode(&out, rfc4648[i][1], strlen(rfc4648[i][1]), CAIRN_BASE64_STD, NULL), 0);
		cr_assert_eq(out.len, strlen(rfc4648[i][0]));
		cr_assert_str_eq(cairn_buf_cstr(&out), rfc4648[i][0]);
		cairn_buf_free(&out);
	}
}

Test(base64, url_safe_alphabet_without_padding)
{
	cairn_buf out = CAIRN_BUF_INIT;
	const uint8_t bytes[] = {0xfb, 0xff, 0xbf, 0xfe};
	cr_assert_eq(cairn_base64_encode(&out, bytes, sizeof bytes, CAIRN_BASE64_URL), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "-_-__g");
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_base64_encode(&out, bytes, sizeof bytes, CAIRN_BASE64_STD), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "+/+//g==");
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_base64_decode(&out, "-_-__g", 6, CAIRN_BASE64_URL, NULL), 0);
	cr_assert_eq(out.len, 4);
	cr_assert_eq(memcmp(out.data, bytes, 4), 0);
	cairn_buf_clear(&out);
	/* Each alphabet refuses the other's characters. */
	cr_assert_eq(cairn_base64_decode(&out, "+/+//g==", 8, CAIRN_BASE64_URL | CAIRN_BASE64_PAD_OPTIONAL, NULL),
		     CAIRN_EINVAL);
	cr_assert_eq(cairn_base64_decode(&out, "-_-__g==", 8, CAIRN_BASE64_STD, NULL), CAIRN_EINVAL);
	/* URL-safe padding only when the caller allows it. */
	cr_assert_eq(cairn_base64_decode(&out, "-_-__g==", 8, CAIRN_BASE64_URL, NULL), CAIRN_EINVAL);
	cr_assert_eq(cairn_base64_decode(&out, "-_-__g==", 8, CAIRN_BASE64_URL | CAIRN_BASE64_PAD_OPTIONAL, NULL), 0);
	cairn_buf_free(&out);
}

Test(base64, strict_decoding_refuses_sloppy_input)
{
	static const char *const bad[] = {
		"Zg",        /* missing padding */
		"Zg=",       /* short padding */
		"Zg===",     /* too much padding */
		"Zm9v=",     /* padding after a full group */
		"Zh==",      /* non-zero trailing bits: "Zh==" and "Zg==" would both mean "f" */
		"Zm9=",      /* likewise with one pad */
		"Zm9v\n",    /* whitespace */
		"Zm 9v",     /* stray space */
		"Zm9vY",     /* a single stray character */
		"Z=g=",      /* padding in the middle */
		"Zm9v*mFy",  /* outside the alphabet */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_buf out = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_base64_decode(&out, bad[i], strlen(bad[i]), CAIRN_BASE64_STD, "sig.b64"),
			     CAIRN_EINVAL, "accepted \"%s\"", bad[i]);
		cr_assert(strncmp(cairn_error_message(), "sig.b64: invalid base64", 23) == 0, "%s",
			  cairn_error_message());
		cr_assert_eq(out.len, 0);
		cairn_buf_free(&out);
	}
}

Test(base64, opt_ins_relax_only_what_they_name)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_base64_decode(&out, "Zh==", 4, CAIRN_BASE64_LAX_BITS, NULL), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "f");
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_base64_decode(&out, "Zg", 2, CAIRN_BASE64_PAD_OPTIONAL, NULL), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "f");
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_base64_decode(&out, "Zh", 2, CAIRN_BASE64_PAD_OPTIONAL, NULL), CAIRN_EINVAL);
	cairn_buf_free(&out);
}

Test(base64, round_trips_every_length)
{
	uint8_t data[300];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 131 + 7);
	for (size_t n = 0; n <= sizeof data; n++) {
		for (int flags = 0; flags <= CAIRN_BASE64_URL; flags++) {
			cairn_buf text = CAIRN_BUF_INIT, back = CAIRN_BUF_INIT;
			cr_assert_eq(cairn_base64_encode(&text, data, n, flags), 0);
			cr_assert_eq(cairn_base64_decode(&back, (char *)text.data, text.len, flags, NULL), 0);
			cr_assert_eq(back.len, n);
			cr_assert(n == 0 || memcmp(back.data, data, n) == 0);
			cairn_buf_free(&text);
			cairn_buf_free(&back);
		}
	}
}

static char tmpdir[64];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/cairn-test-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

Test(file, read_with_limit_and_clear_errors, .init = make_tmpdir)
{
	char path[128];
	snprintf(path, sizeof path, "%s/data", tmpdir);
	cr_assert_eq(cairn_file_write_atomic(path, "0123456789", 10, 0600), 0);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);

	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_file_read(path, 10, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "0123456789");
	cairn_buf_clear(&out);

	cr_assert_eq(cairn_file_read(path, 9, &out), CAIRN_ETOOBIG);
	cr_assert(strstr(cairn_error_message(), path) != NULL);
	cr_assert(strstr(cairn_error_message(), "limit") != NULL);
	cr_assert_eq(out.len, 0);

	char missing[160];
	snprintf(missing, sizeof missing, "%s/missing", tmpdir);
	cr_assert_eq(cairn_file_read(missing, 10, &out), CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), "missing: no such file") != NULL);
	cr_assert_eq(cairn_file_read(tmpdir, 10, &out), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "directory") != NULL);
	cairn_buf_free(&out);
}

Test(file, atomic_write_replaces_and_leaves_no_temp_files, .init = make_tmpdir)
{
	char path[128];
	snprintf(path, sizeof path, "%s/out", tmpdir);
	cr_assert_eq(cairn_file_write_atomic(path, "old", 3, 0644), 0);
	cr_assert_eq(cairn_file_write_atomic(path, "new contents", 12, 0644), 0);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_file_read(path, 100, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "new contents");
	cairn_buf_free(&out);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", tmpdir);
	cr_assert_eq(system(cmd), 0, "temporary files were left behind");

	char unwritable[160];
	snprintf(unwritable, sizeof unwritable, "%s/no/such/dir/out", tmpdir);
	cr_assert_eq(cairn_file_write_atomic(unwritable, "x", 1, 0644), CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), unwritable) != NULL);
}

/* A secret buffer grows by copying (the old memory is zeroed, which cannot be observed safely here),
 * so its contents must survive every move intact; it stays secret after being freed. */
Test(base, secret_buffer_keeps_its_contents_across_growth)
{
	cairn_buf b = CAIRN_BUF_SECRET_INIT;
	char chunk[97];
	for (int i = 0; i < 300; i++) {
		memset(chunk, 'a' + i % 26, sizeof chunk);
		cr_assert_eq(cairn_buf_append(&b, chunk, sizeof chunk), 0);
	}
	cr_assert_eq(b.len, 300 * sizeof chunk);
	for (size_t i = 0; i < b.len; i++)
		cr_assert_eq(b.data[i], 'a' + (i / sizeof chunk) % 26, "byte %zu", i);
	cr_assert_eq(b.data[b.len], 0);
	cairn_buf_free(&b);
	cr_assert_null(b.data);
	cr_assert_eq(b.secret, 1);
	cr_assert_eq(cairn_buf_printf(&b, "%s", "again"), 0);
	cr_assert_str_eq(cairn_buf_cstr(&b), "again");
	cairn_buf_free(&b);
}
