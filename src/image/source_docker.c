/* docker-archive:TAR[:REPO:TAG] - what `docker save` and `skopeo copy ... docker-archive:` write.
 *
 * The archive's manifest.json lists, per image, its Config member, its RepoTags and its Layers
 * members: "<id>/layer.tar" in the legacy form, "blobs/sha256/<hex>" as newer `docker save` writes
 * them (an OCI layout beside the legacy manifest). There is no image manifest in the archive, so cairn
 * writes the equivalent OCI image manifest itself; its digest is therefore cairn's, not any
 * registry's (the config digest, the image ID, is the same as everywhere else).
 *
 * Layer digests: a blobs/sha256/<hex> member is named by its digest; an uncompressed legacy layer's
 * digest is its diff_id from the config (checked when the layer is read); a compressed legacy layer is
 * hashed once when the archive is opened. */
#include "image/image_internal.h"

#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DOCKER_MAX_IMAGES 1024

struct docker_blob {
	cairn_digest digest;
	const struct archive_member *member;
};

struct docker_source {
	struct archive_index archive;
	struct docker_blob *blobs; /* the config, then the layers */
	size_t blob_count;
};

static int docker_open_blob(cairn_image *image, const cairn_digest *digest, uint64_t size, struct image_blob_src *out)
{
	struct docker_source *s = image->source;
	for (size_t i = 0; i < s->blob_count; i++) {
		if (cairn_digest_equal(&s->blobs[i].digest, digest) != 0)
			continue;
		const struct archive_member *m = s->blobs[i].member;
		if (m->size != size)
			return cairn_error_set(CAIRN_EVERIFY, "docker-archive %s: member %s holds %" PRIu64
					       " bytes, its descriptor says %" PRIu64, s->archive.path, m->name, m->size, size);
		return image_blob_src_range(s->archive.fd, m->offset, m->size, out);
	}
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest_format(digest, &text);
	int err = cairn_error_set(CAIRN_ENOENT, "docker-archive %s: no blob %s", s->archive.path, cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

static void docker_free(void *arg)
{
	struct docker_source *s = arg;
	if (s == NULL)
		return;
	archive_index_close(&s->archive);
	free(s->blobs);
	free(s);
}

static const struct image_source_ops docker_ops = {docker_open_blob, NULL, docker_free};

/* The digest a member's name states: "<hex>.json", "<hex>/layer.tar"'s is NOT one (a v1 ID), but
 * "blobs/sha256/<hex>" and "<hex>.json" (the image ID) are. Returns 1 when the name states one. */
static int digest_from_name(const char *name, cairn_digest *out)
{
	char text[80];
	const char *hex = NULL;
	if (strncmp(name, "blobs/sha256/", 13) == 0 && strlen(name) == 13 + 64)
		hex = name + 13;
	else if (strlen(name) == 64 + 5 && strcmp(name + 64, ".json") == 0)
		hex = name;
	if (hex == NULL)
		return 0;
	snprintf(text, sizeof text, "sha256:%.64s", hex);
	int ok = cairn_digest_parse(text, strlen(text), out) == 0;
	cairn_error_clear();
	return ok;
}

static int hash_member(const struct archive_index *a, const struct archive_member *m, cairn_digest *out)
{
	struct image_blob_src src;
	cairn_digest_ctx *ctx = NULL;
	int err = image_blob_src_range(a->fd, m->offset, m->size, &src);
	if (err)
		return err;
	err = cairn_digest_ctx_new(&ctx, CAIRN_DIGEST_SHA256);
	unsigned char *buf = malloc(65536);
	if (!err && buf == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (uint64_t done = 0; !err && done < m->size;) {
		size_t got = 0;
		err = src.read(src.arg, buf, 65536, &got);
		if (!err && got == 0)
			err = cairn_error_set(CAIRN_EIO, "%s: member %s is truncated", a->path, m->name);
		if (!err)
			err = cairn_digest_update(ctx, buf, got);
		done += got;
	}
	if (!err)
		err = cairn_digest_final(ctx, out);
	free(buf);
	cairn_digest_ctx_free(ctx);
	src.close(src.arg);
	return err;
}

static const char *layer_media_type(const struct archive_index *a, const struct archive_member *m, int *compressed)
{
	unsigned char magic[4] = {0};
	*compressed = 1;
	if (m->size >= 4 && pread(a->fd, magic, 4, (off_t)m->offset) == 4) {
		if (magic[0] == 0x1f && magic[1] == 0x8b)
			return IMAGE_MEDIA_OCI_LAYER_GZIP;
		if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
			return IMAGE_MEDIA_OCI_LAYER_ZSTD;
	}
	*compressed = 0;
	return IMAGE_MEDIA_OCI_LAYER;
}

static int find_member(const struct docker_source *s, const json_t *name, const char *what,
		       const struct archive_member **out)
{
	if (!json_is_string(name))
		return cairn_error_set(CAIRN_EINVAL, "docker-archive %s: manifest.json: %s is not a string", s->archive.path,
				       what);
	*out = archive_index_find(&s->archive, json_string_value(name));
	if (*out == NULL)
		return cairn_error_set(CAIRN_EINVAL, "docker-archive %s: %s %s is not in the archive", s->archive.path, what,
				       json_string_value(name));
	return 0;
}

static int has_tag(const json_t *entry, const char *ref)
{
	const json_t *tags = json_object_get(entry, "RepoTags");
	for (size_t i = 0; i < json_array_size(tags); i++) {
		const json_t *t = json_array_get(tags, i);
		if (json_is_string(t) && strcmp(json_string_value(t), ref) == 0)
			return 1;
	}
	return 0;
}

static int choose_image(const struct docker_source *s, const json_t *list, const char *ref, const json_t **out)
{
	if (!json_is_array(list) || json_array_size(list) == 0)
		return cairn_error_set(CAIRN_EINVAL, "docker-archive %s: manifest.json is not a non-empty array",
				       s->archive.path);
	if (json_array_size(list) > DOCKER_MAX_IMAGES)
		return cairn_error_set(CAIRN_ETOOBIG, "docker-archive %s: more than %d images", s->archive.path,
				       DOCKER_MAX_IMAGES);
	if (ref == NULL && json_array_size(list) == 1) {
		*out = json_array_get(list, 0);
		return 0;
	}
	cairn_buf names = CAIRN_BUF_INIT;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *entry = json_array_get(list, i);
		if (ref != NULL && has_tag(entry, ref)) {
			*out = entry;
			cairn_buf_free(&names);
			return 0;
		}
		const json_t *tags = json_object_get(entry, "RepoTags");
		for (size_t j = 0; j < json_array_size(tags); j++)
			if (json_is_string(json_array_get(tags, j)))
				cairn_buf_printf(&names, "%s%s", names.len ? ", " : "", json_string_value(json_array_get(tags, j)));
	}
	int err = ref != NULL ? cairn_error_set(CAIRN_ENOENT, "docker-archive %s: no image tagged %s (tags: %s)",
						s->archive.path, ref, names.len ? cairn_buf_cstr(&names) : "none")
			      : cairn_error_set(CAIRN_EINVAL, "docker-archive %s holds %zu images; name one as "
							      "docker-archive:PATH:REPO:TAG (tags: %s)",
						s->archive.path, json_array_size(list), names.len ? cairn_buf_cstr(&names) : "none");
	cairn_buf_free(&names);
	return err;
}

/* Reads and checks the config member; its diff_ids give the digests of uncompressed legacy layers. */
static int load_config(struct docker_source *s, const struct archive_member *m, json_t **config)
{
	cairn_buf bytes = CAIRN_BUF_INIT;
	cairn_digest actual;
	int err = archive_index_read(&s->archive, m, CAIRN_IMAGE_MAX_CONFIG, &bytes);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, bytes.data, bytes.len, &actual);
	if (!err && digest_from_name(m->name, &s->blobs[0].digest) && cairn_digest_equal(&actual, &s->blobs[0].digest) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "docker-archive %s: config %s does not match the digest its name states",
				      s->archive.path, m->name);
	if (!err) {
		s->blobs[0].digest = actual;
		s->blobs[0].member = m;
		err = cairn_json_parse(config, bytes.data, bytes.len, &(cairn_json_limits){CAIRN_IMAGE_MAX_CONFIG, 0}, m->name);
	}
	cairn_buf_free(&bytes);
	return err;
}

static int add_layer(struct docker_source *s, const json_t *name, size_t i, const json_t *diff_ids, json_t *layers)
{
	const struct archive_member *m;
	char what[32];
	snprintf(what, sizeof what, "layer %zu", i);
	int err = find_member(s, name, what, &m);
	if (err)
		return err;
	struct docker_blob *b = &s->blobs[i + 1];
	b->member = m;
	int compressed;
	const char *media_type = layer_media_type(&s->archive, m, &compressed);
	if (!digest_from_name(m->name, &b->digest)) {
		if (compressed) {
			err = hash_member(&s->archive, m, &b->digest);
		} else {
			const json_t *d = json_array_get(diff_ids, i);
			if (!json_is_string(d) || cairn_digest_parse(json_string_value(d), json_string_length(d), &b->digest) != 0)
				err = cairn_error_set(CAIRN_EINVAL, "docker-archive %s: the config has no diff_id for layer %zu (%s)",
						      s->archive.path, i, m->name);
		}
	}
	cairn_buf digest = CAIRN_BUF_INIT;
	if (!err)
		err = cairn_digest_format(&b->digest, &digest);
	if (!err && json_array_append_new(layers, json_pack("{sssIss}", "mediaType", media_type, "size",
							     (json_int_t)m->size, "digest", cairn_buf_cstr(&digest))) != 0)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	cairn_buf_free(&digest);
	return err;
}

/* Writes the OCI image manifest equivalent to the chosen manifest.json entry. */
static int synthesize(struct docker_source *s, const json_t *entry, cairn_buf *out)
{
	const struct archive_member *cm;
	json_t *config = NULL;
	const json_t *names = json_object_get(entry, "Layers");
	if (!json_is_array(names))
		return cairn_error_set(CAIRN_EINVAL, "docker-archive %s: manifest.json has no Layers array", s->archive.path);
	size_t n = json_array_size(names);
	if (n > IMAGE_MAX_LAYERS)
		return cairn_error_set(CAIRN_ETOOBIG, "docker-archive %s lists %zu layers, over the limit of %d",
				       s->archive.path, n, IMAGE_MAX_LAYERS);
	s->blobs = calloc(n + 1, sizeof *s->blobs);
	if (s->blobs == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	s->blob_count = n + 1;
	int err = find_member(s, json_object_get(entry, "Config"), "Config", &cm);
	if (!err)
		err = load_config(s, cm, &config);
	const json_t *diff_ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	json_t *layers = json_array();
	if (!err && layers == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; !err && i < n; i++)
		err = add_layer(s, json_array_get(names, i), i, diff_ids, layers);
	cairn_buf digest = CAIRN_BUF_INIT;
	if (!err)
		err = cairn_digest_format(&s->blobs[0].digest, &digest);
	json_t *manifest = NULL;
	if (!err) {
		manifest = json_pack("{sisss{sssIss}sO}", "schemaVersion", 2, "mediaType", IMAGE_MEDIA_OCI_MANIFEST, "config",
				     "mediaType", IMAGE_MEDIA_OCI_CONFIG, "size", (json_int_t)cm->size, "digest",
				     cairn_buf_cstr(&digest), "layers", layers);
		err = cairn_json_dump(manifest, JSON_COMPACT, out);
	}
	json_decref(manifest);
	json_decref(layers);
	json_decref(config);
	cairn_buf_free(&digest);
	return err;
}

/* The tag to save under: the named reference's, else the image's first RepoTag's. */
static char *tag_of(const json_t *entry, const char *ref)
{
	const char *full = ref;
	if (full == NULL) {
		const json_t *t = json_array_get(json_object_get(entry, "RepoTags"), 0);
		full = json_is_string(t) ? json_string_value(t) : NULL;
	}
	const char *colon = full ? strrchr(full, ':') : NULL;
	return colon && strchr(colon, '/') == NULL && colon[1] ? strdup(colon + 1) : NULL;
}

/* Splits TAR[:REF]: the longest prefix up to a colon that names an existing file is the path. */
static int split_spec(const char *spec, char **path, char **ref)
{
	*path = *ref = NULL;
	if (!cairn_file_exists(spec)) {
		for (const char *c = strchr(spec, ':'); c != NULL; c = strchr(c + 1, ':')) {
			char *prefix = strndup(spec, (size_t)(c - spec));
			if (prefix == NULL)
				return cairn_error_set(CAIRN_ENOMEM, "out of memory");
			if (cairn_file_exists(prefix)) {
				*path = prefix;
				*ref = strdup(c + 1);
				return *ref ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
			}
			free(prefix);
		}
	}
	*path = strdup(spec);
	return *path ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

int image_open_docker_archive(cairn_image *image, const char *spec)
{
	char *path, *ref;
	int err = split_spec(spec, &path, &ref);
	struct docker_source *s = err ? NULL : calloc(1, sizeof *s);
	if (!err && s == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		s->archive.fd = -1;
		image->source = s;
		image->ops = &docker_ops;
		err = archive_index_open(&s->archive, path, "docker-archive");
	}
	cairn_buf text = CAIRN_BUF_INIT, manifest = CAIRN_BUF_INIT;
	json_t *list = NULL;
	const json_t *entry = NULL;
	const struct archive_member *m = NULL;
	if (!err && (m = archive_index_find(&s->archive, "manifest.json")) == NULL)
		err = cairn_error_set(CAIRN_EINVAL, "docker-archive %s: no manifest.json (not what docker save writes)", path);
	if (!err)
		err = archive_index_read(&s->archive, m, IMAGE_MAX_MANIFEST, &text);
	if (!err) {
		cairn_buf what = CAIRN_BUF_INIT;
		cairn_buf_printf(&what, "docker-archive %s: manifest.json", path);
		err = cairn_json_parse(&list, text.data, text.len, NULL, cairn_buf_cstr(&what));
		cairn_buf_free(&what);
	}
	if (!err)
		err = choose_image(s, list, ref, &entry);
	if (!err)
		err = synthesize(s, entry, &manifest);
	cairn_digest digest;
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, manifest.data, manifest.len, &digest);
	if (!err)
		err = image_resolve(image, &manifest, IMAGE_MEDIA_OCI_MANIFEST, &digest);
	if (!err) {
		image->tag = tag_of(entry, ref);
		cairn_buf name = CAIRN_BUF_INIT;
		err = cairn_buf_printf(&name, "docker-archive:%s%s%s", path, ref ? ":" : "", ref ? ref : "");
		image->name = err ? NULL : (char *)cairn_buf_detach(&name, NULL);
	}
	json_decref(list);
	cairn_buf_free(&text);
	cairn_buf_free(&manifest);
	free(path);
	free(ref);
	return err;
}
