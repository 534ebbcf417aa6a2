/* The squashed tree of an image: each layer's blob, read through a verifying blob reader, streams once
 * through a cairn_tree_builder. A layer is read to its very end even when the tar inside stops early,
 * so its digest is always checked. The tree keeps a reopen callback that opens a layer's blob again
 * for cairn_tree_read, so the tree must not outlive the image it came from. dir: sources are walked
 * with cairn_tree_from_dir. */
#include "image/image_internal.h"

#include "cairn/error.h"

#include <stdlib.h>

static int blob_read_fn(void *arg, void *buf, size_t cap, size_t *got)
{
	return cairn_blob_read(arg, buf, cap, got);
}

static void blob_close_fn(void *arg) { cairn_blob_close(arg); }

static int reopen_layer(void *arg, int index, cairn_tree_read_fn *read, void **read_arg, void (**close)(void *))
{
	cairn_image *image = arg;
	if (index < 0 || (size_t)index >= image->layer_count)
		return cairn_error_set(CAIRN_EINVAL, "no layer %d in this image", index);
	const cairn_image_layer *layer = &image->layers[index];
	cairn_blob_reader *r;
	int err = cairn_image_open_blob(image, &layer->digest, layer->size, &r);
	if (err)
		return err;
	*read = blob_read_fn;
	*read_arg = r;
	*close = blob_close_fn;
	return 0;
}

/* Reads what the tar reader left of a layer (end-of-archive padding), so the digest gets checked. */
static int drain(cairn_blob_reader *r)
{
	unsigned char buf[16384];
	for (;;) {
		size_t got = 0;
		int err = cairn_blob_read(r, buf, sizeof buf, &got);
		if (err || got == 0)
			return err;
	}
}

int cairn_image_tree(cairn_image *image, const cairn_tree_limits *limits, cairn_tree_want_fn want, void *want_arg,
		     cairn_tree **out)
{
	*out = NULL;
	if (image->dir_root != NULL)
		return cairn_tree_from_dir(out, image->dir_root, limits, want, want_arg);
	cairn_tree_builder *builder;
	int err = cairn_tree_builder_new(&builder, limits, want, want_arg, reopen_layer, image);
	if (err)
		return err;
	cairn_buf name = CAIRN_BUF_INIT;
	for (size_t i = 0; !err && i < image->layer_count; i++) {
		const cairn_image_layer *layer = &image->layers[i];
		cairn_buf_clear(&name);
		err = cairn_digest_format(&layer->digest, &name);
		cairn_blob_reader *r = NULL;
		if (!err)
			err = cairn_image_open_blob(image, &layer->digest, layer->size, &r);
		if (err) {
			cairn_error_prefix(err, "layer %zu", i);
			break;
		}
		err = cairn_tree_builder_add_layer(builder, (int)i, cairn_buf_cstr(&name), layer->size, blob_read_fn, r);
		if (!err) {
			err = drain(r);
			if (err)
				cairn_error_prefix(err, "layer %s", cairn_buf_cstr(&name));
		}
		cairn_blob_close(r);
	}
	cairn_buf_free(&name);
	if (err) {
		cairn_tree_builder_free(builder);
		return err;
	}
	return cairn_tree_builder_finish(builder, out);
}
