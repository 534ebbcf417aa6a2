/* cairn/digest.h - SHA-2 digests, streaming, and the `sha256:<hex>` form OCI and in-toto use. */
#ifndef CAIRN_DIGEST_H
#define CAIRN_DIGEST_H

#include "cairn/buf.h"

#include <stddef.h>
#include <stdint.h>

enum cairn_digest_alg {
	CAIRN_DIGEST_NONE = 0,
	CAIRN_DIGEST_SHA256,
	CAIRN_DIGEST_SHA384,
	CAIRN_DIGEST_SHA512,
};

#define CAIRN_DIGEST_MAX_SIZE 64

typedef struct cairn_digest {
	enum cairn_digest_alg alg;
	size_t len;
	uint8_t bytes[CAIRN_DIGEST_MAX_SIZE];
} cairn_digest;

typedef struct cairn_digest_ctx cairn_digest_ctx;

/* "sha256", "sha384", "sha512" (lowercase, as in OCI digests and in-toto subjects). */
const char *cairn_digest_alg_name(enum cairn_digest_alg alg);
int cairn_digest_alg_parse(const char *name, enum cairn_digest_alg *out);
size_t cairn_digest_alg_size(enum cairn_digest_alg alg);

int cairn_digest_ctx_new(cairn_digest_ctx **out, enum cairn_digest_alg alg);
int cairn_digest_update(cairn_digest_ctx *ctx, const void *data, size_t len);
int cairn_digest_final(cairn_digest_ctx *ctx, cairn_digest *out);
void cairn_digest_ctx_free(cairn_digest_ctx *ctx);

/* One-shot digest of a buffer. */
int cairn_digest_compute(enum cairn_digest_alg alg, const void *data, size_t len, cairn_digest *out);
/* Streams a file ("-" is standard input) through the digest, whatever its size. */
int cairn_digest_file(enum cairn_digest_alg alg, const char *path, cairn_digest *out);

/* Parses "sha256:<64 lowercase hex digits>" (and sha384, sha512) exactly as the OCI image spec
 * writes them: a known algorithm, lowercase hex, the algorithm's exact length. */
int cairn_digest_parse(const char *text, size_t len, cairn_digest *out);
/* Appends "alg:hex" to out. */
int cairn_digest_format(const cairn_digest *digest, cairn_buf *out);
/* Appends only the lowercase hex. */
int cairn_digest_hex(const cairn_digest *digest, cairn_buf *out);
/* 0 when the two digests have the same algorithm and bytes (constant time on the bytes). */
int cairn_digest_equal(const cairn_digest *a, const cairn_digest *b);

#endif
