/* registry:REF (and a bare REF): an image in an OCI distribution registry, through cairn/registry.h.
 *
 * Manifests are fetched by tag, then by digest, each checked by the client. Blobs are downloaded once
 * into a content-addressed cache, <cache>/blobs/<alg>/<hex> (cache: the options' cache_dir, else
 * $XDG_CACHE_HOME/cairn, else ~/.cache/cairn): written to a temporary file beside their final name,
 * moved into place only after the client verified their digest, hashed again the first time a later
 * process uses them (a damaged entry is replaced), and checked by the blob reader whenever they are
 * read. A second read of the image downloads nothing. */
#include "image/image_internal.h"

#include "cairn/error.h"
#include "cairn/ref.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct registry_source {
	cairn_registry *reg;
	cairn_ref ref;
	char *cache; /* the cache root */
	cairn_digest *verified; /* blobs of the cache checked by this process */
	size_t verified_count;
};

static int is_verified(const struct registry_source *s, const cairn_digest *digest)
{
	for (size_t i = 0; i < s->verified_count; i++)
		if (cairn_digest_equal(&s->verified[i], digest) == 0)
			return 1;
	return 0;
}

static int mark_verified(struct registry_source *s, const cairn_digest *digest)
{
	if ((s->verified_count & (s->verified_count + 1)) == 0 || s->verified_count == 0) {
		size_t cap = s->verified_count == 0 ? 8 : (s->verified_count + 1) * 2;
		cairn_digest *grown = realloc(s->verified, cap * sizeof *grown);
		if (grown == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
		s->verified = grown;
	}
	s->verified[s->verified_count++] = *digest;
	return 0;
}

/* A blob found in the cache is hashed once per process before it is used: a damaged entry (a disk
 * error, a hand edit) is then dropped and downloaded again instead of failing every later run. */
static int cached_blob_ok(const char *path, const cairn_digest *digest, uint64_t size)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
		return 0;
	cairn_digest actual;
	int ok = cairn_digest_file(digest->alg, path, &actual) == 0 && cairn_digest_equal(&actual, digest) == 0;
	cairn_error_clear();
	return ok;
}

static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int failed = mkdir(path, 0700) != 0 && errno != EEXIST;
		*p = '/';
		if (failed)
			return -1;
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int cache_root(const cairn_image_options *opts, char **out)
{
	cairn_buf path = CAIRN_BUF_INIT;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int err;
	if (opts->cache_dir != NULL && opts->cache_dir[0] != '\0')
		err = cairn_buf_append_str(&path, opts->cache_dir);
	else if (xdg != NULL && xdg[0] == '/')
		err = cairn_buf_printf(&path, "%s/cairn", xdg);
	else if (home != NULL && home[0] == '/')
		err = cairn_buf_printf(&path, "%s/.cache/cairn", home);
	else
		err = cairn_error_set(CAIRN_EINVAL, "no blob cache: set XDG_CACHE_HOME or HOME");
	*out = err ? NULL : (char *)cairn_buf_detach(&path, NULL);
	cairn_buf_free(&path);
	return err;
}

static int write_sink(void *arg, const void *data, size_t len)
{
	int fd = *(int *)arg;
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cairn_error_set(CAIRN_EIO, "writing to the blob cache failed: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Downloads a blob into the cache at final (absent so far); only verified bytes are ever renamed in. */
static int download(struct registry_source *s, const cairn_digest *digest, uint64_t size, const char *final)
{
	cairn_buf tmp = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&tmp, "%s.part-XXXXXX", final);
	if (err)
		return err;
	char *dir = strdup(final);
	if (dir == NULL) {
		cairn_buf_free(&tmp);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	*strrchr(dir, '/') = '\0';
	int fd = -1;
	if (make_dirs(dir) != 0)
		err = cairn_error_set(CAIRN_EIO, "blob cache %s: %s", dir, strerror(errno));
	else if ((fd = mkostemp((char *)tmp.data, O_CLOEXEC)) < 0)
		err = cairn_error_set(CAIRN_EIO, "blob cache %s: %s", dir, strerror(errno));
	if (!err)
		err = cairn_registry_get_blob(s->reg, s->ref.repository, digest, size, write_sink, &fd);
	if (!err && fsync(fd) != 0)
		err = cairn_error_set(CAIRN_EIO, "blob cache %s: fsync failed: %s", dir, strerror(errno));
	if (fd >= 0 && close(fd) != 0 && !err)
		err = cairn_error_set(CAIRN_EIO, "blob cache %s: close failed: %s", dir, strerror(errno));
	if (!err && rename(cairn_buf_cstr(&tmp), final) != 0)
		err = cairn_error_set(CAIRN_EIO, "blob cache %s: rename failed: %s", final, strerror(errno));
	if (err && fd >= 0)
		unlink(cairn_buf_cstr(&tmp));
	free(dir);
	cairn_buf_free(&tmp);
	return err;
}

static int registry_open_blob(cairn_image *image, const cairn_digest *digest, uint64_t size, struct image_blob_src *out)
{
	struct registry_source *s = image->source;
	cairn_buf path = CAIRN_BUF_INIT, what = CAIRN_BUF_INIT;
	int err = cairn_buf_printf(&path, "%s/blobs/%s/", s->cache, cairn_digest_alg_name(digest->alg));
	if (!err)
		err = cairn_digest_hex(digest, &path);
	if (!err)
		err = cairn_buf_append_str(&what, "cached blob ");
	if (!err)
		err = cairn_digest_format(digest, &what);
	struct stat st;
	if (!err && !is_verified(s, digest)) {
		if (lstat(cairn_buf_cstr(&path), &st) == 0 && !cached_blob_ok(cairn_buf_cstr(&path), digest, size))
			unlink(cairn_buf_cstr(&path));
		if (lstat(cairn_buf_cstr(&path), &st) != 0)
			err = download(s, digest, size, cairn_buf_cstr(&path));
		if (!err)
			err = mark_verified(s, digest);
	}
	if (!err)
		err = image_blob_src_file(cairn_buf_cstr(&path), cairn_buf_cstr(&what), size, out);
	cairn_buf_free(&path);
	cairn_buf_free(&what);
	return err;
}

static int registry_get_manifest(cairn_image *image, const cairn_digest *digest, cairn_buf *body, cairn_buf *media_type)
{
	struct registry_source *s = image->source;
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest got;
	int err = cairn_digest_format(digest, &text);
	if (!err)
		err = cairn_registry_get_manifest(s->reg, s->ref.repository, cairn_buf_cstr(&text), body, media_type, &got);
	if (!err && cairn_digest_equal(&got, digest) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "manifest %s: the registry sent another manifest", cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

static void registry_free(void *arg)
{
	struct registry_source *s = arg;
	if (s == NULL)
		return;
	cairn_registry_free(s->reg);
	cairn_ref_free(&s->ref);
	free(s->cache);
	free(s->verified);
	free(s);
}

static const struct image_source_ops registry_ops = {registry_open_blob, registry_get_manifest, registry_free};

int image_open_registry(cairn_image *image, const char *text, const cairn_image_options *opts)
{
	struct registry_source *s = calloc(1, sizeof *s);
	if (s == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	image->source = s;
	image->ops = &registry_ops;
	int err = cairn_ref_parse(&s->ref, text);
	if (!err)
		err = cache_root(opts, &s->cache);
	if (!err)
		err = cairn_registry_new(&s->reg, s->ref.registry, &opts->registry);
	cairn_buf body = CAIRN_BUF_INIT, type = CAIRN_BUF_INIT, name = CAIRN_BUF_INIT;
	cairn_digest digest;
	if (!err)
		err = cairn_registry_get_manifest(s->reg, s->ref.repository, cairn_ref_reference(&s->ref), &body, &type,
						  &digest);
	if (!err)
		err = image_resolve(image, &body, cairn_buf_cstr(&type), &digest);
	if (!err)
		err = cairn_buf_append_str(&name, "registry:");
	if (!err)
		err = cairn_ref_format(&s->ref, &name);
	if (!err) {
		image->name = (char *)cairn_buf_detach(&name, NULL);
		if (s->ref.tag != NULL && (image->tag = strdup(s->ref.tag)) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	cairn_buf_free(&body);
	cairn_buf_free(&type);
	cairn_buf_free(&name);
	return err;
}
