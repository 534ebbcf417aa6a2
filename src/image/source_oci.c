/* OCI image layouts: oci-dir:PATH[:TAG|@DIGEST] and oci-archive:TAR[:TAG|@DIGEST].
 *
 * A layout is an index.json naming manifests (tags are org.opencontainers.image.ref.name annotations)
 * and a content-addressed blobs/<alg>/<hex> store. The archive form is the same layout in a tar; its
 * members are indexed once (archive_index.c) and read in place, so the tar must be uncompressed. */
#include "image/image_internal.h"

#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct oci_source {
	int is_archive;
	char *root;
	struct archive_index archive;
};

static const char *kind_name(const struct oci_source *s) { return s->is_archive ? "oci-archive" : "oci-dir"; }

static const char *where(const struct oci_source *s) { return s->is_archive ? s->archive.path : s->root; }

static int blob_name(const cairn_digest *digest, cairn_buf *out)
{
	int err = cairn_buf_printf(out, "blobs/%s/", cairn_digest_alg_name(digest->alg));
	if (!err)
		err = cairn_digest_hex(digest, out);
	return err;
}

/* The size of a blob as stored (for a digest the user named that index.json does not list). */
static int stored_size(const struct oci_source *s, const cairn_digest *digest, uint64_t *size)
{
	cairn_buf name = CAIRN_BUF_INIT, path = CAIRN_BUF_INIT;
	int err = blob_name(digest, &name);
	if (!err && s->is_archive) {
		const struct archive_member *m = archive_index_find(&s->archive, cairn_buf_cstr(&name));
		if (m == NULL)
			err = cairn_error_set(CAIRN_ENOENT, "%s %s: no blob %s", kind_name(s), where(s), cairn_buf_cstr(&name));
		else
			*size = m->size;
	} else if (!err) {
		struct stat st;
		err = cairn_buf_printf(&path, "%s/%s", s->root, cairn_buf_cstr(&name));
		if (!err && stat(cairn_buf_cstr(&path), &st) != 0)
			err = cairn_error_set(CAIRN_ENOENT, "%s %s: no blob %s", kind_name(s), where(s), cairn_buf_cstr(&name));
		else if (!err)
			*size = (uint64_t)st.st_size;
	}
	cairn_buf_free(&name);
	cairn_buf_free(&path);
	return err;
}

static int oci_open_blob(cairn_image *image, const cairn_digest *digest, uint64_t size, struct image_blob_src *out)
{
	struct oci_source *s = image->source;
	cairn_buf name = CAIRN_BUF_INIT, path = CAIRN_BUF_INIT;
	int err = blob_name(digest, &name);
	if (!err && s->is_archive) {
		const struct archive_member *m = archive_index_find(&s->archive, cairn_buf_cstr(&name));
		if (m == NULL)
			err = cairn_error_set(CAIRN_ENOENT, "%s %s: blob %s is missing", kind_name(s), where(s),
					      cairn_buf_cstr(&name));
		else if (m->size != size)
			err = cairn_error_set(CAIRN_EVERIFY, "%s %s: blob %s holds %" PRIu64 " bytes, its descriptor says %" PRIu64,
					      kind_name(s), where(s), cairn_buf_cstr(&name), m->size, size);
		else
			err = image_blob_src_range(s->archive.fd, m->offset, m->size, out);
	} else if (!err) {
		err = cairn_buf_printf(&path, "%s/%s", s->root, cairn_buf_cstr(&name));
		if (!err) {
			cairn_buf_clear(&name);
			cairn_buf_printf(&name, "%s %s: blob ", kind_name(s), s->root);
			cairn_digest_format(digest, &name);
			err = image_blob_src_file(cairn_buf_cstr(&path), cairn_buf_cstr(&name), size, out);
		}
	}
	cairn_buf_free(&name);
	cairn_buf_free(&path);
	return err;
}

static void oci_free(void *arg)
{
	struct oci_source *s = arg;
	if (s == NULL)
		return;
	if (s->is_archive)
		archive_index_close(&s->archive);
	free(s->root);
	free(s);
}

static const struct image_source_ops oci_ops = {oci_open_blob, NULL, oci_free};

/* Reads a small file of the layout (index.json, oci-layout). */
static int read_layout_file(const struct oci_source *s, const char *name, size_t limit, cairn_buf *out)
{
	if (s->is_archive) {
		const struct archive_member *m = archive_index_find(&s->archive, name);
		if (m == NULL)
			return cairn_error_set(CAIRN_EINVAL, "%s %s: not an OCI image layout (no %s)", kind_name(s), where(s),
					       name);
		return archive_index_read(&s->archive, m, limit, out);
	}
	cairn_buf path = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&path, "%s/%s", s->root, name);
	if (!err && !cairn_file_exists(cairn_buf_cstr(&path)))
		err = cairn_error_set(CAIRN_EINVAL, "%s %s: not an OCI image layout (no %s)", kind_name(s), where(s), name);
	if (!err)
		err = cairn_file_read(cairn_buf_cstr(&path), limit, out);
	cairn_buf_free(&path);
	return err;
}

/* Splits PATH[:TAG|@DIGEST]. A PATH that exists as it is wins over a tag reading of its last colon. */
static int split_spec(const char *spec, char **path, char **tag, char **digest)
{
	*path = *tag = *digest = NULL;
	const char *at = strrchr(spec, '@');
	cairn_digest d;
	if (at != NULL && cairn_digest_parse(at + 1, strlen(at + 1), &d) == 0) {
		*path = strndup(spec, (size_t)(at - spec));
		*digest = strdup(at + 1);
		return *path && *digest ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	cairn_error_clear();
	const char *colon = strrchr(spec, ':');
	if (!cairn_file_exists(spec) && colon != NULL && colon[1] != '\0' && strchr(colon, '/') == NULL) {
		*path = strndup(spec, (size_t)(colon - spec));
		*tag = strdup(colon + 1);
		return *path && *tag ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	*path = strdup(spec);
	return *path ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

static const char *ref_name(const json_t *entry)
{
	const json_t *v = json_object_get(json_object_get(entry, "annotations"), IMAGE_REF_NAME_ANNOTATION);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void list_tags(const json_t *manifests, cairn_buf *out)
{
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		const char *name = ref_name(json_array_get(manifests, i));
		if (name != NULL)
			cairn_buf_printf(out, "%s%s", out->len ? ", " : "", name);
	}
	if (out->len == 0)
		cairn_buf_append_str(out, "none");
}

/* Chooses the entry of index.json the user means; *entry is borrowed from manifests. */
static int choose_entry(cairn_image *image, const struct oci_source *s, const json_t *manifests, const char *tag,
			const json_t **entry)
{
	size_t n = json_array_size(manifests);
	json_t *matches = json_array();
	if (matches == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *name = ref_name(json_array_get(manifests, i));
		if (tag == NULL || (name != NULL && strcmp(name, tag) == 0))
			json_array_append(matches, json_array_get(manifests, i));
	}
	size_t m = json_array_size(matches);
	int err = 0;
	if (m == 1) {
		*entry = json_array_get(matches, 0);
	} else if (m == 0) {
		cairn_buf tags = CAIRN_BUF_INIT;
		list_tags(manifests, &tags);
		err = tag != NULL ? cairn_error_set(CAIRN_ENOENT, "%s %s: no image tagged %s (tags: %s)", kind_name(s),
						    where(s), tag, cairn_buf_cstr(&tags))
				  : cairn_error_set(CAIRN_ENOENT, "%s %s: index.json names no image", kind_name(s), where(s));
		cairn_buf_free(&tags);
	} else {
		/* Several: one per platform (as some tools write a multi-platform image), else ambiguous. */
		json_t *pseudo = json_pack("{sO}", "manifests", matches);
		size_t chosen = 0;
		err = pseudo ? image_select_platform(pseudo, image->want_platform, &chosen)
			     : cairn_error_set(CAIRN_ENOMEM, "out of memory");
		if (err == CAIRN_EINVAL || (err == CAIRN_ENOENT && tag == NULL)) {
			cairn_buf tags = CAIRN_BUF_INIT;
			list_tags(manifests, &tags);
			err = cairn_error_set(CAIRN_EINVAL, "%s %s holds %zu images; name one as %s:PATH:TAG (tags: %s)",
					      kind_name(s), where(s), m, kind_name(s), cairn_buf_cstr(&tags));
			cairn_buf_free(&tags);
		} else if (err) {
			cairn_error_prefix(err, "%s %s", kind_name(s), where(s));
		} else {
			*entry = json_array_get(matches, chosen);
		}
		json_decref(pseudo);
	}
	/* matches holds references into manifests, which outlives it. */
	json_decref(matches);
	return err;
}

static int find_by_digest(const json_t *manifests, const cairn_digest *want, const json_t **entry)
{
	for (size_t i = 0; i < json_array_size(manifests); i++) {
		const json_t *e = json_array_get(manifests, i);
		const json_t *d = json_object_get(e, "digest");
		cairn_digest have;
		if (json_is_string(d) && cairn_digest_parse(json_string_value(d), json_string_length(d), &have) == 0 &&
		    cairn_digest_equal(&have, want) == 0) {
			*entry = e;
			return 1;
		}
	}
	cairn_error_clear();
	return 0;
}

static int open_layout(cairn_image *image, struct oci_source *s, const char *tag, const char *digest_text)
{
	cairn_buf text = CAIRN_BUF_INIT, body = CAIRN_BUF_INIT, what = CAIRN_BUF_INIT;
	json_t *index = NULL;
	int err = read_layout_file(s, "oci-layout", 4096, &text);
	json_t *layout = NULL;
	if (!err)
		err = cairn_json_parse(&layout, text.data, text.len, NULL, "oci-layout");
	if (!err && !json_is_string(json_object_get(layout, "imageLayoutVersion")))
		err = cairn_error_set(CAIRN_EINVAL, "%s %s: oci-layout has no imageLayoutVersion", kind_name(s), where(s));
	json_decref(layout);
	cairn_buf_clear(&text);
	if (!err)
		err = read_layout_file(s, "index.json", IMAGE_MAX_MANIFEST, &text);
	if (!err) {
		cairn_buf_printf(&what, "%s %s: index.json", kind_name(s), where(s));
		err = cairn_json_parse(&index, text.data, text.len, NULL, cairn_buf_cstr(&what));
	}
	const json_t *manifests = json_object_get(index, "manifests");
	if (!err && !json_is_array(manifests))
		err = cairn_error_set(CAIRN_EINVAL, "%s: no \"manifests\" array", cairn_buf_cstr(&what));
	if (!err && json_array_size(manifests) > IMAGE_MAX_INDEX_ENTRIES)
		err = cairn_error_set(CAIRN_ETOOBIG, "%s: more than %d manifests", cairn_buf_cstr(&what),
				      IMAGE_MAX_INDEX_ENTRIES);
	const json_t *entry = NULL;
	cairn_digest digest;
	uint64_t size = 0;
	const char *media_type = "";
	if (!err && digest_text != NULL) {
		err = cairn_digest_parse(digest_text, strlen(digest_text), &digest);
		if (!err && find_by_digest(manifests, &digest, &entry))
			err = image_parse_descriptor(entry, cairn_buf_cstr(&what), &digest, &size, &media_type);
		else if (!err)
			err = stored_size(s, &digest, &size); /* a manifest inside an index, named by its digest */
	} else if (!err) {
		err = choose_entry(image, s, manifests, tag, &entry);
		if (!err)
			err = image_parse_descriptor(entry, cairn_buf_cstr(&what), &digest, &size, &media_type);
	}
	if (!err) {
		cairn_buf_clear(&what);
		cairn_buf_printf(&what, "manifest ");
		cairn_digest_format(&digest, &what);
		err = image_read_blob_all(image, &digest, size, IMAGE_MAX_MANIFEST, cairn_buf_cstr(&what), &body);
	}
	if (!err)
		err = image_resolve(image, &body, media_type, &digest);
	json_decref(index);
	cairn_buf_free(&text);
	cairn_buf_free(&body);
	cairn_buf_free(&what);
	return err;
}

static int open_oci(cairn_image *image, const char *spec, int is_archive)
{
	char *path, *tag, *digest;
	int err = split_spec(spec, &path, &tag, &digest);
	struct oci_source *s = calloc(1, sizeof *s);
	if (!err && s == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	if (!err) {
		s->is_archive = is_archive;
		s->archive.fd = -1;
		image->source = s;
		image->ops = &oci_ops;
		image->tag = tag;
		tag = NULL;
	}
	struct stat st;
	if (!err && is_archive) {
		err = archive_index_open(&s->archive, path, "oci-archive");
	} else if (!err) {
		if (stat(path, &st) != 0)
			err = cairn_error_set(CAIRN_ENOENT, "oci-dir %s: %s", path, strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			err = cairn_error_set(CAIRN_EINVAL, "oci-dir %s: not a directory", path);
		else if ((s->root = strdup(path)) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = open_layout(image, s, image->tag, digest);
	if (!err) {
		cairn_buf name = CAIRN_BUF_INIT;
		err = cairn_buf_printf(&name, "%s:%s%s%s%s%s", is_archive ? "oci-archive" : "oci-dir", path,
				       image->tag ? ":" : "", image->tag ? image->tag : "", digest ? "@" : "",
				       digest ? digest : "");
		image->name = err ? NULL : (char *)cairn_buf_detach(&name, NULL);
		cairn_buf_free(&name);
	}
	free(path);
	free(tag);
	free(digest);
	return err;
}

int image_open_oci_dir(cairn_image *image, const char *spec) { return open_oci(image, spec, 0); }

int image_open_oci_archive(cairn_image *image, const char *spec) { return open_oci(image, spec, 1); }
