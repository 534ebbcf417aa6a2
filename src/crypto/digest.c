/* SHA-2 digests through OpenSSL EVP, and the "alg:hex" text form. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cairn_digest_ctx {
	EVP_MD_CTX *md;
	enum cairn_digest_alg alg;
};

static const struct {
	enum cairn_digest_alg alg;
	const char *name;
	size_t size;
} algorithms[] = {
	{CAIRN_DIGEST_SHA256, "sha256", 32},
	{CAIRN_DIGEST_SHA384, "sha384", 48},
	{CAIRN_DIGEST_SHA512, "sha512", 64},
};
#define ALGORITHM_COUNT (sizeof algorithms / sizeof algorithms[0])

const char *cairn_digest_alg_name(enum cairn_digest_alg alg)
{
	for (size_t i = 0; i < ALGORITHM_COUNT; i++)
		if (algorithms[i].alg == alg)
			return algorithms[i].name;
	return "none";
}

int cairn_digest_alg_parse(const char *name, enum cairn_digest_alg *out)
{
	for (size_t i = 0; i < ALGORITHM_COUNT; i++)
		if (strcmp(algorithms[i].name, name) == 0) {
			*out = algorithms[i].alg;
			return 0;
		}
	return cairn_error_set(CAIRN_EUNSUPPORTED, "unknown digest algorithm \"%s\" (expected sha256, sha384 or sha512)",
			       name);
}

size_t cairn_digest_alg_size(enum cairn_digest_alg alg)
{
	for (size_t i = 0; i < ALGORITHM_COUNT; i++)
		if (algorithms[i].alg == alg)
			return algorithms[i].size;
	return 0;
}

static const EVP_MD *evp_md(enum cairn_digest_alg alg)
{
	switch (alg) {
	case CAIRN_DIGEST_SHA256: return EVP_sha256();
	case CAIRN_DIGEST_SHA384: return EVP_sha384();
	case CAIRN_DIGEST_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

int cairn_digest_ctx_new(cairn_digest_ctx **out, enum cairn_digest_alg alg)
{
	*out = NULL;
	const EVP_MD *md = evp_md(alg);
	if (md == NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "unsupported digest algorithm %d", (int)alg);
	cairn_digest_ctx *ctx = calloc(1, sizeof *ctx);
	if (ctx == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	ctx->alg = alg;
	ctx->md = EVP_MD_CTX_new();
	if (ctx->md == NULL || EVP_DigestInit_ex(ctx->md, md, NULL) != 1) {
		cairn_digest_ctx_free(ctx);
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "cannot start a %s digest", cairn_digest_alg_name(alg));
	}
	*out = ctx;
	return 0;
}

int cairn_digest_update(cairn_digest_ctx *ctx, const void *data, size_t len)
{
	if (EVP_DigestUpdate(ctx->md, data, len) != 1)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "digest update failed");
	return 0;
}

int cairn_digest_final(cairn_digest_ctx *ctx, cairn_digest *out)
{
	unsigned int len = 0;
	memset(out, 0, sizeof *out);
	if (EVP_DigestFinal_ex(ctx->md, out->bytes, &len) != 1)
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "digest final failed");
	out->alg = ctx->alg;
	out->len = len;
	return 0;
}

void cairn_digest_ctx_free(cairn_digest_ctx *ctx)
{
	if (ctx == NULL)
		return;
	EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

int cairn_digest_compute(enum cairn_digest_alg alg, const void *data, size_t len, cairn_digest *out)
{
	cairn_digest_ctx *ctx;
	int err = cairn_digest_ctx_new(&ctx, alg);
	if (!err)
		err = cairn_digest_update(ctx, data, len);
	if (!err)
		err = cairn_digest_final(ctx, out);
	cairn_digest_ctx_free(ctx);
	return err;
}

int cairn_digest_file(enum cairn_digest_alg alg, const char *path, cairn_digest *out)
{
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return cairn_error_set(CAIRN_ENOENT, "%s: no such file", path);
		return cairn_error_set(errno == EACCES ? CAIRN_EACCES : CAIRN_EIO, "%s: %s", path, strerror(errno));
	}
	cairn_digest_ctx *ctx;
	int err = cairn_digest_ctx_new(&ctx, alg);
	static _Thread_local uint8_t chunk[1 << 16];
	while (!err) {
		ssize_t got = read(fd, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = cairn_error_set(errno == EISDIR ? CAIRN_EINVAL : CAIRN_EIO, "%s: read failed: %s", path,
					      strerror(errno));
		else if (got == 0)
			break;
		else
			err = cairn_digest_update(ctx, chunk, (size_t)got);
	}
	if (!err)
		err = cairn_digest_final(ctx, out);
	cairn_digest_ctx_free(ctx);
	if (!is_stdin)
		close(fd);
	return err;
}

int cairn_digest_parse(const char *text, size_t len, cairn_digest *out)
{
	memset(out, 0, sizeof *out);
	const char *colon = memchr(text, ':', len);
	if (colon == NULL)
		return cairn_error_set(CAIRN_EINVAL, "digest \"%.*s\": expected ALGORITHM:HEX", (int)(len > 80 ? 80 : len),
				       text);
	size_t name_len = (size_t)(colon - text);
	for (size_t i = 0; i < ALGORITHM_COUNT; i++) {
		if (strlen(algorithms[i].name) != name_len || memcmp(algorithms[i].name, text, name_len) != 0)
			continue;
		const char *hex = colon + 1;
		size_t hex_len = len - name_len - 1;
		if (hex_len != algorithms[i].size * 2)
			return cairn_error_set(CAIRN_EINVAL, "digest \"%.*s\": a %s digest has %zu hex digits, not %zu",
					       (int)(len > 80 ? 80 : len), text, algorithms[i].name, algorithms[i].size * 2,
					       hex_len);
		for (size_t j = 0; j < hex_len; j++) {
			char c = hex[j];
			int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (v < 0)
				return cairn_error_set(CAIRN_EINVAL,
						       "digest \"%.*s\": character %zu is not a lowercase hex digit",
						       (int)(len > 80 ? 80 : len), text, j + 1);
			out->bytes[j / 2] = (uint8_t)(out->bytes[j / 2] << 4 | v);
		}
		out->alg = algorithms[i].alg;
		out->len = algorithms[i].size;
		return 0;
	}
	return cairn_error_set(CAIRN_EUNSUPPORTED, "digest \"%.*s\": unknown algorithm \"%.*s\"",
			       (int)(len > 80 ? 80 : len), text, (int)(name_len > 20 ? 20 : name_len), text);
}

int cairn_digest_hex(const cairn_digest *digest, cairn_buf *out)
{
	return cairn_hex_encode(out, digest->bytes, digest->len);
}

int cairn_digest_format(const cairn_digest *digest, cairn_buf *out)
{
	int err = cairn_buf_printf(out, "%s:", cairn_digest_alg_name(digest->alg));
	return err ? err : cairn_digest_hex(digest, out);
}

int cairn_digest_equal(const cairn_digest *a, const cairn_digest *b)
{
	if (a->alg != b->alg || a->len != b->len)
		return 1;
	return CRYPTO_memcmp(a->bytes, b->bytes, a->len) == 0 ? 0 : 1;
}
