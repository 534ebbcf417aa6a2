/* libFuzzer target: manifest, index and config parsing, and platform selection, must never crash,
 * leak or read out of bounds, whatever the documents say.
 *
 * The input is a manifest (or index) and a config separated by the first NUL byte. The target points
 * the manifest's config descriptor at the config bytes (so the digest check passes and the config
 * parser is reached), then walks it with image_resolve over an in-memory source that serves the
 * config bytes for every blob. The first line of the input is also tried as a --platform value, and
 * the document as an index for a few platforms. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "image/image_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem_src {
	const uint8_t *data;
	size_t len, pos;
};

static int mem_read(void *arg, void *buf, size_t cap, size_t *got)
{
	struct mem_src *m = arg;
	size_t n = m->len - m->pos < cap ? m->len - m->pos : cap;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	*got = n;
	return 0;
}

static void mem_close(void *arg) { free(arg); }

static const uint8_t *config_bytes;
static size_t config_len;

static int fake_open_blob(cairn_image *image, const cairn_digest *digest, uint64_t size, struct image_blob_src *out)
{
	(void)image;
	(void)digest;
	(void)size;
	struct mem_src *m = calloc(1, sizeof *m);
	if (m == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	m->data = config_bytes;
	m->len = config_len;
	*out = (struct image_blob_src){mem_read, mem_close, m};
	return 0;
}

static void fake_free(void *source) { (void)source; }

static const struct image_source_ops fake_ops = {fake_open_blob, NULL, fake_free};

/* Points doc's config descriptor at the config bytes, when it has one. */
static void retarget_config(json_t *doc)
{
	json_t *config = json_object_get(doc, "config");
	if (!json_is_object(config))
		return;
	cairn_digest d;
	cairn_buf text = CAIRN_BUF_INIT;
	if (cairn_digest_compute(CAIRN_DIGEST_SHA256, config_bytes, config_len, &d) == 0 &&
	    cairn_digest_format(&d, &text) == 0) {
		json_object_set_new(config, "digest", json_string(cairn_buf_cstr(&text)));
		json_object_set_new(config, "size", json_integer((json_int_t)config_len));
	}
	cairn_buf_free(&text);
}

static void try_platforms(const json_t *doc)
{
	static const char *const wants[] = {"linux/amd64", "linux/arm64/v8", "linux/arm/v7", "windows/amd64"};
	for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++) {
		size_t chosen = 0;
		if (image_select_platform(doc, wants[i], &chosen) == 0 &&
		    chosen >= json_array_size(json_object_get(doc, "manifests")))
			__builtin_trap(); /* a choice that is not an entry */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t manifest_len = nul ? (size_t)(nul - data) : size;
	config_bytes = nul ? nul + 1 : (const uint8_t *)"";
	config_len = nul ? size - manifest_len - 1 : 0;

	/* The first line as a platform. */
	const uint8_t *eol = memchr(data, '\n', manifest_len);
	size_t line_len = eol ? (size_t)(eol - data) : manifest_len;
	if (line_len < 64) {
		char line[64];
		memcpy(line, data, line_len);
		line[line_len] = '\0';
		cairn_buf norm = CAIRN_BUF_INIT;
		(void)image_platform_normalize(line, &norm);
		cairn_buf_free(&norm);
	}

	json_t *doc = NULL;
	if (cairn_json_parse(&doc, data, manifest_len, NULL, "fuzz") != 0 || !json_is_object(doc)) {
		json_decref(doc);
		return 0;
	}
	try_platforms(doc);
	retarget_config(doc);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text == NULL)
		return 0;

	cairn_image *image = calloc(1, sizeof *image);
	if (image != NULL) {
		image->ops = &fake_ops;
		image->want_platform = strdup("linux/amd64");
		image->kind = CAIRN_IMAGE_OCI_DIR;
		cairn_buf body = CAIRN_BUF_INIT;
		cairn_digest digest;
		if (image->want_platform != NULL && cairn_buf_append_str(&body, text) == 0 &&
		    cairn_digest_compute(CAIRN_DIGEST_SHA256, body.data, body.len, &digest) == 0 &&
		    image_resolve(image, &body, "", &digest) == 0) {
			/* Whatever was accepted must be consistent. */
			for (size_t i = 0; i < cairn_image_layer_count(image); i++)
				if (cairn_image_layer_at(image, i)->media_type == NULL)
					__builtin_trap();
			if (cairn_image_config(image) == NULL || cairn_image_platform(image) == NULL)
				__builtin_trap();
		}
		cairn_buf_free(&body);
		cairn_image_close(image);
	}
	free(text);
	return 0;
}
