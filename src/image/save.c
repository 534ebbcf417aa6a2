/* Saving an image as an OCI image layout: oci-layout, index.json and blobs/<alg>/<hex>.
 *
 * The manifest is written byte for byte (so its digest stays the same), with the index it was selected
 * from when there was one: index.json then names the index, and the layout holds the chosen platform's
 * manifest, config and layers (the image-layout spec lets a layout miss blobs it refers to; reading
 * it back for another platform says which blob is missing). Layers are copied through verifying
 * readers into temporary files that are renamed into place only once their digest matched. An
 * existing index.json keeps its other entries; an entry with the same tag is replaced. */
#include "image/image_internal.h"

#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return cairn_error_set(CAIRN_EIO, "%s: cannot create the directory: %s", path, strerror(errno));
	return 0;
}

static int blob_path(const char *root, const cairn_digest *digest, cairn_buf *out)
{
	int err = cairn_buf_printf(out, "%s/blobs/%s", root, cairn_digest_alg_name(digest->alg));
	if (!err)
		err = make_dir(cairn_buf_cstr(out));
	if (!err)
		err = cairn_buf_append_byte(out, '/');
	if (!err)
		err = cairn_digest_hex(digest, out);
	return err;
}

static int write_small_blob(const char *root, const cairn_digest *digest, const cairn_buf *bytes)
{
	cairn_buf path = CAIRN_BUF_INIT;
	int err = blob_path(root, digest, &path);
	if (!err)
		err = cairn_file_write_atomic(cairn_buf_cstr(&path), bytes->data, bytes->len, 0644);
	cairn_buf_free(&path);
	return err;
}

static int write_all(int fd, const unsigned char *p, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cairn_error_set(CAIRN_EIO, "%s: write failed: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int copy_layer(cairn_image *image, const char *root, const cairn_image_layer *layer)
{
	cairn_buf path = CAIRN_BUF_INIT, tmp = CAIRN_BUF_INIT;
	int err = blob_path(root, &layer->digest, &path);
	if (!err)
		err = cairn_buf_printf(&tmp, "%s.tmp-XXXXXX", cairn_buf_cstr(&path));
	int fd = -1;
	if (!err && (fd = mkostemp((char *)tmp.data, O_CLOEXEC)) < 0)
		err = cairn_error_set(CAIRN_EIO, "%s: %s", cairn_buf_cstr(&tmp), strerror(errno));
	cairn_blob_reader *r = NULL;
	if (!err)
		err = cairn_image_open_blob(image, &layer->digest, layer->size, &r);
	unsigned char *buf = err ? NULL : malloc(65536);
	if (!err && buf == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	while (!err) {
		size_t got = 0;
		err = cairn_blob_read(r, buf, 65536, &got);
		if (err || got == 0)
			break;
		err = write_all(fd, buf, got, cairn_buf_cstr(&tmp));
	}
	free(buf);
	cairn_blob_close(r);
	if (fd >= 0) {
		if (!err && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
			err = cairn_error_set(CAIRN_EIO, "%s: %s", cairn_buf_cstr(&tmp), strerror(errno));
		if (close(fd) != 0 && !err)
			err = cairn_error_set(CAIRN_EIO, "%s: close failed: %s", cairn_buf_cstr(&tmp), strerror(errno));
		if (!err && rename(cairn_buf_cstr(&tmp), cairn_buf_cstr(&path)) != 0)
			err = cairn_error_set(CAIRN_EIO, "%s: rename failed: %s", cairn_buf_cstr(&path), strerror(errno));
		if (err)
			unlink(cairn_buf_cstr(&tmp));
	}
	cairn_buf_free(&path);
	cairn_buf_free(&tmp);
	return err;
}

/* The index.json entry for what was saved: the index when there was one, else the manifest. */
static json_t *top_descriptor(const cairn_image *image, const char *tag)
{
	const cairn_buf *bytes = image->has_index ? &image->index : &image->manifest;
	const char *type = image->has_index ? image->index_media_type : image->manifest_media_type;
	cairn_buf digest = CAIRN_BUF_INIT;
	if (cairn_digest_format(image->has_index ? &image->index_digest : &image->manifest_digest, &digest) != 0)
		return NULL;
	json_t *desc = json_pack("{sssssI}", "mediaType", type, "digest", cairn_buf_cstr(&digest), "size",
				 (json_int_t)bytes->len);
	cairn_buf_free(&digest);
	if (desc == NULL)
		return NULL;
	if (!image->has_index && image->config != NULL) {
		const json_t *os = json_object_get(image->config, "os"), *arch = json_object_get(image->config, "architecture");
		const json_t *variant = json_object_get(image->config, "variant");
		if (json_is_string(os) && json_is_string(arch)) {
			json_t *p = json_pack("{sOsO}", "architecture", arch, "os", os);
			if (p != NULL && json_is_string(variant))
				json_object_set(p, "variant", (json_t *)variant);
			json_object_set_new(desc, "platform", p);
		}
	}
	json_object_set_new(desc, "annotations", json_pack("{ss}", IMAGE_REF_NAME_ANNOTATION, tag));
	return desc;
}

static int write_index_json(const cairn_image *image, const char *root)
{
	const char *tag = image->tag != NULL ? image->tag : "latest";
	cairn_buf path = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&path, "%s/index.json", root);
	json_t *old = NULL;
	if (!err && cairn_file_exists(cairn_buf_cstr(&path)))
		err = cairn_json_parse_file(&old, cairn_buf_cstr(&path));
	json_t *manifests = json_array();
	const json_t *old_list = json_object_get(old, "manifests");
	for (size_t i = 0; !err && manifests != NULL && i < json_array_size(old_list); i++) {
		const json_t *entry = json_array_get(old_list, i);
		const json_t *name = json_object_get(json_object_get(entry, "annotations"), IMAGE_REF_NAME_ANNOTATION);
		if (!json_is_string(name) || strcmp(json_string_value(name), tag) != 0)
			json_array_append(manifests, (json_t *)entry);
	}
	json_t *desc = err ? NULL : top_descriptor(image, tag);
	json_t *index = NULL;
	char *text = NULL;
	if (!err && (manifests == NULL || desc == NULL || json_array_append_new(manifests, desc) != 0))
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		index = json_pack("{sissso}", "schemaVersion", 2, "mediaType", IMAGE_MEDIA_OCI_INDEX, "manifests", manifests);
	else
		json_decref(manifests);
	if (!err && (index == NULL || (text = json_dumps(index, JSON_COMPACT)) == NULL))
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err)
		err = cairn_file_write_atomic(cairn_buf_cstr(&path), text, strlen(text), 0644);
	free(text);
	json_decref(index);
	json_decref(old);
	cairn_buf_free(&path);
	return err;
}

int cairn_image_save_oci_dir(cairn_image *image, const char *path)
{
	if (image->dir_root != NULL || image->manifest_media_type == NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: a directory source has no image to save", image->name);
	cairn_buf sub = CAIRN_BUF_INIT;
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	int err = make_dir(path);
	if (!err)
		err = cairn_buf_printf(&sub, "%s/blobs", path);
	if (!err)
		err = make_dir(cairn_buf_cstr(&sub));
	for (size_t i = 0; !err && i < image->layer_count; i++)
		err = copy_layer(image, path, &image->layers[i]);
	if (!err)
		err = write_small_blob(path, &image->config_digest, &image->config_bytes);
	if (!err)
		err = write_small_blob(path, &image->manifest_digest, &image->manifest);
	if (!err && image->has_index)
		err = write_small_blob(path, &image->index_digest, &image->index);
	cairn_buf_clear(&sub);
	if (!err)
		err = cairn_buf_printf(&sub, "%s/oci-layout", path);
	if (!err)
		err = cairn_file_write_atomic(cairn_buf_cstr(&sub), layout, strlen(layout), 0644);
	if (!err)
		err = write_index_json(image, path);
	cairn_buf_free(&sub);
	if (err)
		cairn_error_prefix(err, "saving to oci-dir:%s", path);
	return err;
}
