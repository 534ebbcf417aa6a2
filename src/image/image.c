/* Opening an image: the source prefix picks a source; every source then hands its top manifest (or
 * index) to image_resolve, which walks indexes down to one platform's image manifest, checks the
 * manifest's shape and limits, and reads and parses the config. */
#include "image/image_internal.h"

#include "cairn/error.h"
#include "cairn/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- small helpers ---- */

static int dup_str(char **out, const char *s)
{
	*out = strdup(s != NULL ? s : "");
	return *out == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
}

static const char *digest_text(const cairn_digest *digest, cairn_buf *scratch)
{
	cairn_buf_clear(scratch);
	if (cairn_digest_format(digest, scratch) != 0)
		return "(digest)";
	return cairn_buf_cstr(scratch);
}

static int json_string_member(const json_t *obj, const char *key, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = json_is_string(v) ? json_string_value(v) : NULL;
	return v == NULL || json_is_string(v);
}

int image_parse_descriptor(const json_t *desc, const char *what, cairn_digest *digest, uint64_t *size,
			   const char **media_type)
{
	if (!json_is_object(desc))
		return cairn_error_set(CAIRN_EINVAL, "%s: a descriptor is not a JSON object", what);
	const json_t *d = json_object_get(desc, "digest");
	if (!json_is_string(d))
		return cairn_error_set(CAIRN_EINVAL, "%s: a descriptor has no digest", what);
	if (cairn_digest_parse(json_string_value(d), json_string_length(d), digest) != 0)
		return cairn_error_prefix(CAIRN_EINVAL, "%s", what);
	const json_t *s = json_object_get(desc, "size");
	if (!json_is_integer(s) || json_integer_value(s) < 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: descriptor %s has no valid size", what, json_string_value(d));
	*size = (uint64_t)json_integer_value(s);
	if (!json_string_member(desc, "mediaType", media_type) || *media_type == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: descriptor %s has no media type", what, json_string_value(d));
	return 0;
}

const char *image_document_media_type(const json_t *doc)
{
	const char *declared;
	if (json_string_member(doc, "mediaType", &declared) && declared != NULL)
		return declared;
	if (json_is_array(json_object_get(doc, "manifests")))
		return IMAGE_MEDIA_OCI_INDEX;
	if (json_is_object(json_object_get(doc, "config")) && json_is_array(json_object_get(doc, "layers")))
		return IMAGE_MEDIA_OCI_MANIFEST;
	return "";
}

static int is_index_type(const char *t)
{
	return strcmp(t, IMAGE_MEDIA_OCI_INDEX) == 0 || strcmp(t, IMAGE_MEDIA_DOCKER_LIST) == 0;
}

static int is_manifest_type(const char *t)
{
	return strcmp(t, IMAGE_MEDIA_OCI_MANIFEST) == 0 || strcmp(t, IMAGE_MEDIA_DOCKER_MANIFEST) == 0;
}

/* ---- platforms ---- */

/* Architecture aliases, as uname, Debian and Go name them, and each one's default variant. */
static const struct {
	const char *alias, *arch, *variant;
} arch_aliases[] = {
	{"x86_64", "amd64", ""}, {"x86-64", "amd64", ""}, {"amd64", "amd64", ""},  {"i386", "386", ""},
	{"i686", "386", ""},     {"386", "386", ""},      {"aarch64", "arm64", "v8"}, {"arm64", "arm64", "v8"},
	{"armhf", "arm", "v7"},  {"armel", "arm", "v6"},  {"armv7l", "arm", "v7"}, {"armv6l", "arm", "v6"},
	{"arm", "arm", "v7"},    {"ppc64el", "ppc64le", ""},
};

static int platform_word_ok(const char *s, size_t len)
{
	if (len == 0 || len > 32)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* Normalises the three parts into out, the way containerd compares them: aliases become the Go name,
 * arm64 and arm get their default variant, a bare number variant gets its "v", amd64/v1 is amd64. */
static int platform_join(const char *os, size_t os_len, const char *arch, size_t arch_len, const char *variant,
			 size_t variant_len, cairn_buf *out)
{
	char a[40], v[40], o[40];
	if (!platform_word_ok(os, os_len) || !platform_word_ok(arch, arch_len) ||
	    (variant_len > 0 && !platform_word_ok(variant, variant_len)))
		return cairn_error_set(CAIRN_EINVAL, "platform '%.*s/%.*s%s%.*s' is not os/arch[/variant]", (int)os_len,
				       os, (int)arch_len, arch, variant_len ? "/" : "", (int)variant_len, variant);
	for (size_t i = 0; i < os_len; i++)
		o[i] = (char)(os[i] >= 'A' && os[i] <= 'Z' ? os[i] + 32 : os[i]);
	o[os_len] = '\0';
	for (size_t i = 0; i < arch_len; i++)
		a[i] = (char)(arch[i] >= 'A' && arch[i] <= 'Z' ? arch[i] + 32 : arch[i]);
	a[arch_len] = '\0';
	snprintf(v, sizeof v, "%.*s", (int)variant_len, variant);
	const char *arch_name = a, *def = "";
	for (size_t i = 0; i < sizeof arch_aliases / sizeof arch_aliases[0]; i++)
		if (strcmp(a, arch_aliases[i].alias) == 0) {
			arch_name = arch_aliases[i].arch;
			def = arch_aliases[i].variant;
			break;
		}
	char vv[48];
	if (v[0] >= '0' && v[0] <= '9')
		snprintf(vv, sizeof vv, "v%s", v);
	else
		snprintf(vv, sizeof vv, "%s", v[0] ? v : def);
	if (strcmp(arch_name, "amd64") == 0 && strcmp(vv, "v1") == 0)
		vv[0] = '\0';
	cairn_buf_clear(out);
	return cairn_buf_printf(out, "%s/%s%s%s", o, arch_name, vv[0] ? "/" : "", vv);
}

int image_platform_normalize(const char *text, cairn_buf *out)
{
	const char *slash1 = strchr(text, '/');
	if (slash1 == NULL)
		return cairn_error_set(CAIRN_EINVAL, "platform '%s' is not os/arch[/variant]", text);
	const char *arch = slash1 + 1;
	const char *slash2 = strchr(arch, '/');
	size_t arch_len = slash2 ? (size_t)(slash2 - arch) : strlen(arch);
	const char *variant = slash2 ? slash2 + 1 : "";
	if (slash2 != NULL && (variant[0] == '\0' || strchr(variant, '/') != NULL))
		return cairn_error_set(CAIRN_EINVAL, "platform '%s' is not os/arch[/variant]", text);
	return platform_join(text, (size_t)(slash1 - text), arch, arch_len, variant, strlen(variant), out);
}

int image_platform_host(cairn_buf *out)
{
	/* The architecture this binary was built for is the one it runs images for. */
#if defined(__x86_64__)
	const char *arch = "amd64";
#elif defined(__aarch64__)
	const char *arch = "arm64";
#elif defined(__arm__)
	const char *arch = "arm";
#elif defined(__i386__)
	const char *arch = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const char *arch = "ppc64le";
#elif defined(__s390x__)
	const char *arch = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	const char *arch = "riscv64";
#else
	const char *arch = "amd64";
#endif
	return platform_join("linux", 5, arch, strlen(arch), "", 0, out);
}

/* The number in a "vN" variant, or -1. */
static int variant_number(const char *platform)
{
	const char *slash = strrchr(platform, '/');
	const char *first = strchr(platform, '/');
	if (slash == first)
		return 1; /* no variant: v1 for amd64 */
	if (slash[1] != 'v' || slash[2] < '0' || slash[2] > '9')
		return -1;
	return atoi(slash + 2);
}

/* 0 for an exact match, N > 0 for a compatible older variant N steps down, -1 for no match. */
static int platform_rank(const char *want, const char *have)
{
	if (strcmp(want, have) == 0)
		return 0;
	/* Same os/arch? Compare up to the second slash. */
	const char *w2 = strchr(strchr(want, '/') + 1, '/');
	const char *h2 = strchr(strchr(have, '/') + 1, '/');
	size_t wl = w2 ? (size_t)(w2 - want) : strlen(want), hl = h2 ? (size_t)(h2 - have) : strlen(have);
	if (wl != hl || memcmp(want, have, wl) != 0)
		return -1;
	int wn = variant_number(want), hn = variant_number(have);
	if (wn < 0 || hn < 0 || hn > wn)
		return -1;
	return wn - hn; /* a v8 host runs v7 code, an amd64/v3 host runs v2 code */
}

static int entry_platform(const json_t *entry, cairn_buf *out)
{
	const json_t *p = json_object_get(entry, "platform");
	const char *os, *arch, *variant;
	if (!json_is_object(p) || !json_string_member(p, "os", &os) || !json_string_member(p, "architecture", &arch) ||
	    !json_string_member(p, "variant", &variant) || os == NULL || arch == NULL)
		return -1;
	if (variant == NULL)
		variant = "";
	int err = platform_join(os, strlen(os), arch, strlen(arch), variant, strlen(variant), out);
	cairn_error_clear();
	return err ? -1 : 0;
}

int image_select_platform(const json_t *index, const char *want, size_t *chosen)
{
	const json_t *manifests = json_object_get(index, "manifests");
	if (!json_is_array(manifests))
		return cairn_error_set(CAIRN_EINVAL, "the index has no \"manifests\" array");
	size_t n = json_array_size(manifests);
	if (n > IMAGE_MAX_INDEX_ENTRIES)
		return cairn_error_set(CAIRN_ETOOBIG, "the index lists %zu manifests, over the limit of %d", n,
				       IMAGE_MAX_INDEX_ENTRIES);
	cairn_buf have = CAIRN_BUF_INIT, seen = CAIRN_BUF_INIT;
	int best = -1;
	size_t best_at = 0;
	for (size_t i = 0; i < n; i++) {
		if (entry_platform(json_array_get(manifests, i), &have) != 0)
			continue;
		const char *h = cairn_buf_cstr(&have);
		if (strncmp(h, "unknown/", 8) != 0) /* buildkit's attestation manifests */
			cairn_buf_printf(&seen, "%s%s", seen.len ? ", " : "", h);
		int rank = platform_rank(want, h);
		if (rank >= 0 && (best < 0 || rank < best)) {
			best = rank;
			best_at = i;
		}
	}
	int err = 0;
	if (best < 0)
		err = cairn_error_set(CAIRN_ENOENT, "no image for platform %s in the index (it has: %s); choose one with --platform",
				      want, seen.len ? cairn_buf_cstr(&seen) : "no platforms");
	else
		*chosen = best_at;
	cairn_buf_free(&have);
	cairn_buf_free(&seen);
	return err;
}

/* ---- reading blobs whole ---- */

int image_read_blob_all(cairn_image *image, const cairn_digest *digest, uint64_t size, size_t limit,
			const char *what, cairn_buf *out)
{
	if (size > limit)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: %" PRIu64 " bytes is larger than the limit of %zu bytes", what,
				       size, limit);
	cairn_blob_reader *r;
	int err = cairn_image_open_blob(image, digest, size, &r);
	if (err)
		return cairn_error_prefix(err, "%s", what);
	err = cairn_buf_reserve(out, (size_t)size + 1);
	while (!err) {
		size_t got = 0;
		err = cairn_blob_read(r, out->data + out->len, out->cap - out->len - 1, &got);
		if (!err && got == 0)
			break;
		out->len += got;
		if (!err && out->cap - out->len - 1 == 0)
			err = cairn_buf_reserve(out, 4096);
	}
	if (out->data != NULL)
		out->data[out->len] = 0;
	cairn_blob_close(r);
	return err;
}

/* ---- the manifest and its config ---- */

static enum cairn_compression layer_compression(const char *media_type, int *ok)
{
	size_t len = strlen(media_type);
	*ok = 1;
	if (strstr(media_type, "+zstd") != NULL)
		return CAIRN_COMPRESSION_ZSTD;
	if (strstr(media_type, "+gzip") != NULL || (len >= 9 && strcmp(media_type + len - 9, ".tar.gzip") == 0))
		return CAIRN_COMPRESSION_GZIP;
	if (len >= 4 && strcmp(media_type + len - 4, ".tar") == 0)
		return CAIRN_COMPRESSION_NONE;
	*ok = 0;
	return CAIRN_COMPRESSION_NONE;
}

static int parse_layers(cairn_image *image, const json_t *layers, const char *what)
{
	size_t n = json_array_size(layers);
	if (n > IMAGE_MAX_LAYERS)
		return cairn_error_set(CAIRN_ETOOBIG, "%s lists %zu layers, over the limit of %d", what, n, IMAGE_MAX_LAYERS);
	image->layers = calloc(n ? n : 1, sizeof *image->layers);
	if (image->layers == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		cairn_image_layer *l = &image->layers[i];
		const char *mt;
		int err = image_parse_descriptor(json_array_get(layers, i), what, &l->digest, &l->size, &mt);
		if (err)
			return err;
		int ok;
		l->compression = layer_compression(mt, &ok);
		if (!ok)
			return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: layer %zu has media type %s, which is not a tar layer",
					       what, i, mt);
		char *copy;
		if ((err = dup_str(&copy, mt)) != 0)
			return err;
		l->media_type = copy;
		image->layer_count = i + 1;
	}
	return 0;
}

static int parse_config(cairn_image *image, const char *what)
{
	int err = cairn_json_parse(&image->config, image->config_bytes.data, image->config_bytes.len,
				   &(cairn_json_limits){CAIRN_IMAGE_MAX_CONFIG, 0}, what);
	if (err)
		return err;
	if (!json_is_object(image->config))
		return cairn_error_set(CAIRN_EINVAL, "%s: not a JSON object", what);
	const char *os, *arch, *variant;
	if (!json_string_member(image->config, "os", &os) || !json_string_member(image->config, "architecture", &arch) ||
	    !json_string_member(image->config, "variant", &variant))
		return cairn_error_set(CAIRN_EINVAL, "%s: os, architecture and variant must be strings", what);
	cairn_buf p = CAIRN_BUF_INIT;
	err = cairn_buf_printf(&p, "%s/%s%s%s", os ? os : "unknown", arch ? arch : "unknown",
			       variant && variant[0] ? "/" : "", variant ? variant : "");
	if (!err)
		err = dup_str(&image->platform, cairn_buf_cstr(&p));
	cairn_buf_free(&p);
	const json_t *rootfs = json_object_get(image->config, "rootfs");
	const json_t *diff_ids = json_object_get(rootfs, "diff_ids");
	if (err || diff_ids == NULL)
		return err;
	if (!json_is_array(diff_ids) || json_array_size(diff_ids) != image->layer_count)
		return cairn_error_set(CAIRN_EINVAL, "%s: rootfs.diff_ids lists %zu layers, the manifest %zu", what,
				       json_array_size(diff_ids), image->layer_count);
	for (size_t i = 0; i < image->layer_count; i++) {
		const json_t *d = json_array_get(diff_ids, i);
		if (!json_is_string(d) ||
		    cairn_digest_parse(json_string_value(d), json_string_length(d), &image->layers[i].diff_id) != 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: rootfs.diff_ids[%zu] is not a digest", what, i);
	}
	return 0;
}

/* Takes a parsed image manifest: layers, then the config (read, verified and parsed). */
static int use_manifest(cairn_image *image, const json_t *doc, const char *what)
{
	const json_t *version = json_object_get(doc, "schemaVersion");
	if (!json_is_integer(version) || json_integer_value(version) != 2)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: schemaVersion must be 2", what);
	const json_t *layers = json_object_get(doc, "layers");
	if (!json_is_array(layers))
		return cairn_error_set(CAIRN_EINVAL, "%s: no \"layers\" array", what);
	const char *config_type;
	int err = image_parse_descriptor(json_object_get(doc, "config"), what, &image->config_digest,
					 &image->config_size, &config_type);
	if (err)
		return err;
	if (strcmp(config_type, IMAGE_MEDIA_OCI_CONFIG) != 0 && strcmp(config_type, IMAGE_MEDIA_DOCKER_CONFIG) != 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s is an artifact (config media type %s), not a container image", what, config_type);
	if ((err = dup_str(&image->config_media_type, config_type)) != 0 || (err = parse_layers(image, layers, what)) != 0)
		return err;
	cairn_buf scratch = CAIRN_BUF_INIT, cwhat = CAIRN_BUF_INIT;
	err = cairn_buf_printf(&cwhat, "config %s", digest_text(&image->config_digest, &scratch));
	if (!err)
		err = image_read_blob_all(image, &image->config_digest, image->config_size, CAIRN_IMAGE_MAX_CONFIG,
					  cairn_buf_cstr(&cwhat), &image->config_bytes);
	if (!err)
		err = parse_config(image, cairn_buf_cstr(&cwhat));
	cairn_buf_free(&scratch);
	cairn_buf_free(&cwhat);
	return err;
}

static int fetch_child(cairn_image *image, const cairn_digest *digest, uint64_t size, const char *media_type,
		       const char *what, cairn_buf *body, cairn_buf *type)
{
	if (image->ops->get_manifest != NULL)
		return image->ops->get_manifest(image, digest, body, type);
	int err = image_read_blob_all(image, digest, size, IMAGE_MAX_MANIFEST, what, body);
	if (!err)
		err = cairn_buf_append_str(type, media_type);
	return err;
}

/* Registries send "type; charset=..." at times: compare only the type. */
static void strip_parameters(cairn_buf *type)
{
	for (size_t i = 0; i < type->len; i++)
		if (type->data[i] == ';' || type->data[i] == ' ') {
			type->len = i;
			type->data[i] = 0;
			break;
		}
}

int image_resolve(cairn_image *image, const cairn_buf *body_in, const char *media_type, const cairn_digest *digest_in)
{
	cairn_buf body = CAIRN_BUF_INIT, type = CAIRN_BUF_INIT, what = CAIRN_BUF_INIT, scratch = CAIRN_BUF_INIT;
	cairn_digest digest = *digest_in;
	json_t *doc = NULL;
	int err = cairn_buf_append(&body, body_in->data, body_in->len);
	if (!err)
		err = cairn_buf_append_str(&type, media_type);
	for (int depth = 0; !err; depth++) {
		strip_parameters(&type);
		cairn_buf_clear(&what);
		err = cairn_buf_printf(&what, "manifest %s", digest_text(&digest, &scratch));
		if (!err && depth > IMAGE_MAX_NESTING)
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: indexes nested more than %d deep", cairn_buf_cstr(&what),
					      IMAGE_MAX_NESTING);
		if (!err && body.len > IMAGE_MAX_MANIFEST)
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: %zu bytes is larger than the limit of %zu bytes",
					      cairn_buf_cstr(&what), body.len, IMAGE_MAX_MANIFEST);
		json_decref(doc);
		doc = NULL;
		if (!err)
			err = cairn_json_parse(&doc, body.data, body.len, NULL, cairn_buf_cstr(&what));
		if (!err && !json_is_object(doc))
			err = cairn_error_set(CAIRN_EINVAL, "%s: not a JSON object", cairn_buf_cstr(&what));
		if (err)
			break;
		const char *declared = image_document_media_type(doc);
		const char *t = type.len ? cairn_buf_cstr(&type) : declared;
		const json_t *mt = json_object_get(doc, "mediaType");
		if (json_is_string(mt) && type.len && strcmp(declared, t) != 0) {
			/* A document that says one thing and was served as another could be read two ways. */
			err = cairn_error_set(CAIRN_EINVAL, "%s declares media type %s but came as %s", cairn_buf_cstr(&what),
					      declared, t);
			break;
		}
		if (is_manifest_type(t)) {
			cairn_buf_free(&image->manifest);
			image->manifest = body;
			cairn_buf_init(&body);
			image->manifest_digest = digest;
			if ((err = dup_str(&image->manifest_media_type, t)) == 0)
				err = use_manifest(image, doc, cairn_buf_cstr(&what));
			break;
		}
		if (!is_index_type(t)) {
			if (strstr(t, "manifest.v1") != NULL)
				err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s is a Docker schema 1 manifest, which cairn does not read",
						      cairn_buf_cstr(&what));
			else
				err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s has media type '%s', which is not an image manifest or index",
						      cairn_buf_cstr(&what), t);
			break;
		}
		/* An index: remember it, pick the platform, fetch the chosen manifest. */
		size_t chosen;
		err = image_select_platform(doc, image->want_platform, &chosen);
		if (err) {
			cairn_error_prefix(err, "%s", cairn_buf_cstr(&what));
			break;
		}
		image->has_index = 1;
		image->index_digest = digest;
		free(image->index_media_type);
		cairn_buf_free(&image->index);
		if ((err = dup_str(&image->index_media_type, t)) != 0 || (err = cairn_buf_append(&image->index, body.data, body.len)) != 0)
			break;
		uint64_t size;
		const char *child_type;
		err = image_parse_descriptor(json_array_get(json_object_get(doc, "manifests"), chosen), cairn_buf_cstr(&what),
					     &digest, &size, &child_type);
		if (err)
			break;
		cairn_buf_clear(&body);
		cairn_buf_clear(&type);
		cairn_buf_clear(&what);
		err = cairn_buf_printf(&what, "manifest %s", digest_text(&digest, &scratch));
		if (!err)
			err = fetch_child(image, &digest, size, child_type, cairn_buf_cstr(&what), &body, &type);
	}
	json_decref(doc);
	cairn_buf_free(&body);
	cairn_buf_free(&type);
	cairn_buf_free(&what);
	cairn_buf_free(&scratch);
	return err;
}

/* ---- opening ---- */

static int open_dir(cairn_image *image, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return cairn_error_set(CAIRN_ENOENT, "dir:%s: no such directory", path);
	if (!S_ISDIR(st.st_mode))
		return cairn_error_set(CAIRN_EINVAL, "dir:%s: not a directory", path);
	return dup_str(&image->dir_root, path);
}

/* Prefixes of other tools' sources that cairn does not read: refuse them by name rather than take
 * them for a registry reference. */
static int unsupported_prefix(const char *source)
{
	static const char *const others[] = {"docker:", "podman:", "containerd:", "singularity:", "file:", "sbom:",
					     "docker-daemon:", "containers-storage:", NULL};
	for (size_t i = 0; others[i] != NULL; i++)
		if (strncmp(source, others[i], strlen(others[i])) == 0)
			return 1;
	return 0;
}

static int open_source(cairn_image *image, const char *source, const cairn_image_options *opts)
{
	if (strncmp(source, "oci-dir:", 8) == 0) {
		image->kind = CAIRN_IMAGE_OCI_DIR;
		return image_open_oci_dir(image, source + 8);
	}
	if (strncmp(source, "oci-archive:", 12) == 0) {
		image->kind = CAIRN_IMAGE_OCI_ARCHIVE;
		return image_open_oci_archive(image, source + 12);
	}
	if (strncmp(source, "docker-archive:", 15) == 0) {
		image->kind = CAIRN_IMAGE_DOCKER_ARCHIVE;
		return image_open_docker_archive(image, source + 15);
	}
	if (strncmp(source, "dir:", 4) == 0) {
		image->kind = CAIRN_IMAGE_DIR;
		int err = open_dir(image, source + 4);
		if (!err)
			err = dup_str(&image->name, source);
		return err;
	}
	if (unsupported_prefix(source))
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "%s: unknown source type (cairn reads registry:, oci-dir:, oci-archive:, "
				       "docker-archive: and dir:)",
				       source);
	image->kind = CAIRN_IMAGE_REGISTRY;
	return image_open_registry(image, strncmp(source, "registry:", 9) == 0 ? source + 9 : source, opts);
}

int cairn_image_open(cairn_image **out, const char *source, const cairn_image_options *opts)
{
	*out = NULL;
	static const cairn_image_options defaults;
	if (opts == NULL)
		opts = &defaults;
	if (source == NULL || source[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "no image source given");
	cairn_image *image = calloc(1, sizeof *image);
	if (image == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	cairn_buf platform = CAIRN_BUF_INIT;
	int err = opts->platform != NULL ? image_platform_normalize(opts->platform, &platform) : image_platform_host(&platform);
	if (!err)
		err = dup_str(&image->want_platform, cairn_buf_cstr(&platform));
	cairn_buf_free(&platform);
	if (!err)
		err = open_source(image, source, opts);
	if (err) {
		cairn_image_close(image);
		return err;
	}
	*out = image;
	return 0;
}

void cairn_image_close(cairn_image *image)
{
	if (image == NULL)
		return;
	if (image->ops != NULL && image->ops->free != NULL)
		image->ops->free(image->source);
	for (size_t i = 0; i < image->layer_count; i++)
		free((char *)image->layers[i].media_type);
	free(image->layers);
	json_decref(image->config);
	cairn_buf_free(&image->config_bytes);
	cairn_buf_free(&image->manifest);
	cairn_buf_free(&image->index);
	free(image->index_media_type);
	free(image->manifest_media_type);
	free(image->config_media_type);
	free(image->platform);
	free(image->want_platform);
	free(image->name);
	free(image->tag);
	free(image->dir_root);
	free(image);
}

/* ---- accessors ---- */

enum cairn_image_kind cairn_image_get_kind(const cairn_image *image) { return image->kind; }
const char *cairn_image_name(const cairn_image *image) { return image->name; }

const cairn_buf *cairn_image_manifest(const cairn_image *image)
{
	return image->manifest_media_type != NULL ? &image->manifest : NULL;
}

const char *cairn_image_manifest_media_type(const cairn_image *image) { return image->manifest_media_type; }

const cairn_digest *cairn_image_manifest_digest(const cairn_image *image)
{
	return image->manifest_media_type != NULL ? &image->manifest_digest : NULL;
}

const cairn_digest *cairn_image_index_digest(const cairn_image *image)
{
	return image->has_index ? &image->index_digest : NULL;
}

const cairn_digest *cairn_image_config_digest(const cairn_image *image)
{
	return image->config != NULL ? &image->config_digest : NULL;
}

const json_t *cairn_image_config(const cairn_image *image) { return image->config; }
const char *cairn_image_platform(const cairn_image *image) { return image->platform; }
size_t cairn_image_layer_count(const cairn_image *image) { return image->layer_count; }

const cairn_image_layer *cairn_image_layer_at(const cairn_image *image, size_t index)
{
	return index < image->layer_count ? &image->layers[index] : NULL;
}
