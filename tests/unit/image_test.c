/* Unit tests of the image sources: platform matching (containerd's rules, written out by hand), OCI
 * layout index and tag resolution, docker-archive manifest handling, and the blob reader's checks.
 *
 * Layouts and archives are written here, file by file, from the OCI image-layout spec and the format
 * `docker save` documents; the expected digests are computed over the bytes written, independently
 * of the code under test. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/json.h"
#include "image/image_internal.h"
#include "tar_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- platforms ---- */

static void assert_normalized(const char *in, const char *want)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(image_platform_normalize(in, &out), 0, "%s: %s", in, cairn_error_message());
	cr_assert_str_eq(cairn_buf_cstr(&out), want, "%s", in);
	cairn_buf_free(&out);
}

Test(image, platform_aliases_and_default_variants)
{
	assert_normalized("linux/amd64", "linux/amd64");
	assert_normalized("linux/x86_64", "linux/amd64");
	assert_normalized("linux/amd64/v1", "linux/amd64");
	assert_normalized("linux/amd64/v3", "linux/amd64/v3");
	assert_normalized("Linux/AMD64", "linux/amd64");
	assert_normalized("linux/aarch64", "linux/arm64/v8");
	assert_normalized("linux/arm64", "linux/arm64/v8");
	assert_normalized("linux/arm64/8", "linux/arm64/v8");
	assert_normalized("linux/arm", "linux/arm/v7");
	assert_normalized("linux/armhf", "linux/arm/v7");
	assert_normalized("linux/armel", "linux/arm/v6");
	assert_normalized("linux/arm/6", "linux/arm/v6");
	assert_normalized("linux/i386", "linux/386");
	assert_normalized("windows/amd64", "windows/amd64");
	static const char *const bad[] = {"linux", "linux/", "/amd64", "linux/amd64/", "linux/arm/v7/x", "linux/a b", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_buf out = CAIRN_BUF_INIT;
		cr_assert_eq(image_platform_normalize(bad[i], &out), CAIRN_EINVAL, "'%s' accepted", bad[i]);
		cairn_buf_free(&out);
	}
	cairn_buf host = CAIRN_BUF_INIT;
	cr_assert_eq(image_platform_host(&host), 0);
#if defined(__x86_64__)
	cr_assert_str_eq(cairn_buf_cstr(&host), "linux/amd64");
#endif
	cairn_buf_free(&host);
}

/* An index whose entries are "os/arch[/variant]" or "" (no platform). */
static json_t *make_index(const char *const *platforms, size_t n)
{
	json_t *manifests = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_pack("{sssIss}", "mediaType", IMAGE_MEDIA_OCI_MANIFEST, "size", (json_int_t)100, "digest",
				      "sha256:0000000000000000000000000000000000000000000000000000000000000000");
		if (platforms[i][0]) {
			char os[32], arch[32], variant[32] = "";
			int parts = sscanf(platforms[i], "%31[^/]/%31[^/]/%31s", os, arch, variant);
			json_t *p = json_pack("{ssss}", "os", os, "architecture", arch);
			if (parts == 3)
				json_object_set_new(p, "variant", json_string(variant));
			json_object_set_new(e, "platform", p);
		}
		json_array_append_new(manifests, e);
	}
	return json_pack("{sissso}", "schemaVersion", 2, "mediaType", IMAGE_MEDIA_OCI_INDEX, "manifests", manifests);
}

static int select_in(const char *const *platforms, size_t n, const char *want)
{
	json_t *index = make_index(platforms, n);
	cairn_buf norm = CAIRN_BUF_INIT;
	cr_assert_eq(image_platform_normalize(want, &norm), 0);
	size_t chosen = 999;
	int err = image_select_platform(index, cairn_buf_cstr(&norm), &chosen);
	json_decref(index);
	cairn_buf_free(&norm);
	return err ? err : (int)chosen;
}

Test(image, platform_selection_follows_containerd)
{
	static const char *const multi[] = {"unknown/unknown", "linux/amd64", "linux/arm64/v8", "linux/arm/v7",
					    "linux/arm/v6", "linux/s390x", "windows/amd64"};
	size_t n = sizeof multi / sizeof multi[0];
	cr_assert_eq(select_in(multi, n, "linux/amd64"), 1);
	cr_assert_eq(select_in(multi, n, "linux/arm64"), 2);
	cr_assert_eq(select_in(multi, n, "linux/aarch64"), 2);
	cr_assert_eq(select_in(multi, n, "linux/arm/v7"), 3);
	cr_assert_eq(select_in(multi, n, "linux/arm"), 3); /* arm means arm/v7 */
	cr_assert_eq(select_in(multi, n, "linux/arm/v6"), 4);
	cr_assert_eq(select_in(multi, n, "linux/arm/v8"), 3); /* a v8 CPU runs v7 code: the closest */
	cr_assert_eq(select_in(multi, n, "windows/amd64"), 6);
	cr_assert_eq(select_in(multi, n, "linux/arm/v5"), CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), "linux/amd64, linux/arm64/v8, linux/arm/v7") != NULL, "%s",
		  cairn_error_message());
	cr_assert(strstr(cairn_error_message(), "unknown") == NULL, "%s", cairn_error_message());
	cr_assert_eq(select_in(multi, n, "linux/ppc64le"), CAIRN_ENOENT);

	/* arm64 without a variant is arm64/v8; amd64 variants only run on newer CPUs. */
	static const char *const novariant[] = {"linux/arm64", "linux/amd64/v3", "linux/amd64/v2"};
	cr_assert_eq(select_in(novariant, 3, "linux/arm64/v8"), 0);
	cr_assert_eq(select_in(novariant, 3, "linux/amd64"), CAIRN_ENOENT);
	cr_assert_eq(select_in(novariant, 3, "linux/amd64/v3"), 1);
	cr_assert_eq(select_in(novariant, 3, "linux/amd64/v4"), 1);
	/* Ties go to the first; entries without a platform never match. */
	static const char *const twice[] = {"", "linux/amd64", "linux/amd64"};
	cr_assert_eq(select_in(twice, 3, "linux/amd64"), 1);
	static const char *const none[] = {"", ""};
	cr_assert_eq(select_in(none, 2, "linux/amd64"), CAIRN_ENOENT);
}

/* ---- writing layouts ---- */

struct layout {
	char root[256];
};

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Writes a blob and returns its "sha256:<hex>" (static buffer rotation: copy it if kept). */
static const char *put_blob(const struct layout *l, const void *data, size_t len)
{
	static char names[8][80];
	static int next;
	char *name = names[next++ % 8];
	cairn_digest d;
	cr_assert_eq(cairn_digest_compute(CAIRN_DIGEST_SHA256, data, len, &d), 0);
	cairn_buf hex = CAIRN_BUF_INIT, path = CAIRN_BUF_INIT;
	cairn_digest_hex(&d, &hex);
	snprintf(name, 80, "sha256:%s", cairn_buf_cstr(&hex));
	cairn_buf_printf(&path, "%s/blobs/sha256/%s", l->root, cairn_buf_cstr(&hex));
	write_file(cairn_buf_cstr(&path), data, len);
	cairn_buf_free(&hex);
	cairn_buf_free(&path);
	return name;
}

static void layout_init(struct layout *l)
{
	snprintf(l->root, sizeof l->root, "/tmp/cairn-image-test-XXXXXX");
	cr_assert_not_null(mkdtemp(l->root));
	char path[400];
	snprintf(path, sizeof path, "%s/blobs", l->root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/blobs/sha256", l->root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/oci-layout", l->root);
	write_file(path, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
}

static void layout_cleanup(const struct layout *l)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", l->root);
	cr_assert_eq(system(cmd), 0);
}

/* One image: a gzip layer with /etc/name holding `name`, a config for arch; returns the manifest's
 * digest and writes its descriptor (for index.json) into desc. */
static void put_image(const struct layout *l, const char *name, const char *arch, char *manifest_digest,
		      size_t *manifest_size)
{
	tar_fixture t;
	tf_begin(&t, TF_GZIP);
	tf_dir(&t, "etc");
	tf_file(&t, "etc/name", name);
	tf_end(&t);
	char layer[80];
	snprintf(layer, sizeof layer, "%s", put_blob(l, t.out.data, t.out.len));
	size_t layer_size = t.out.len;
	cairn_buf_free(&t.out);
	cairn_buf config = CAIRN_BUF_INIT, manifest = CAIRN_BUF_INIT;
	cairn_buf_printf(&config, "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Env\":[\"NAME=%s\"]}}", arch,
			 name);
	char config_digest[80];
	snprintf(config_digest, sizeof config_digest, "%s", put_blob(l, config.data, config.len));
	cairn_buf_printf(&manifest,
			 "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\","
			 "\"size\":%zu},\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
			 IMAGE_MEDIA_OCI_MANIFEST, IMAGE_MEDIA_OCI_CONFIG, config_digest, config.len, IMAGE_MEDIA_OCI_LAYER_GZIP,
			 layer, layer_size);
	snprintf(manifest_digest, 80, "%s", put_blob(l, manifest.data, manifest.len));
	*manifest_size = manifest.len;
	cairn_buf_free(&config);
	cairn_buf_free(&manifest);
}

static void write_index_json(const struct layout *l, const char *entries)
{
	char path[400];
	snprintf(path, sizeof path, "%s/index.json", l->root);
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_buf_printf(&text, "{\"schemaVersion\":2,\"manifests\":[%s]}", entries);
	write_file(path, text.data, text.len);
	cairn_buf_free(&text);
}

static void entry_json(cairn_buf *out, const char *digest, size_t size, const char *tag, const char *arch)
{
	cairn_buf_printf(out, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu", out->len ? "," : "",
			 IMAGE_MEDIA_OCI_MANIFEST, digest, size);
	if (tag)
		cairn_buf_printf(out, ",\"annotations\":{\"%s\":\"%s\"}", IMAGE_REF_NAME_ANNOTATION, tag);
	if (arch)
		cairn_buf_printf(out, ",\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"}", arch);
	cairn_buf_append_byte(out, '}');
}

static char *open_and_read_name(const char *source, const char *platform, int *err_out)
{
	cairn_image_options opts = {0};
	opts.platform = platform;
	cairn_image *image = NULL;
	int err = cairn_image_open(&image, source, &opts);
	*err_out = err;
	if (err)
		return NULL;
	cairn_tree *tree = NULL;
	cr_assert_eq(cairn_image_tree(image, NULL, NULL, NULL, &tree), 0, "%s", cairn_error_message());
	const cairn_entry *e = cairn_tree_lookup(tree, "/etc/name");
	cr_assert_not_null(e);
	cr_assert_eq(e->layer, 0);
	cairn_buf content = CAIRN_BUF_INIT;
	/* Not kept: read by streaming the layer again through the image's reopen callback. */
	cr_assert_eq(cairn_tree_read(tree, e, 1024, &content), 0, "%s", cairn_error_message());
	char *name = strdup(cairn_buf_cstr(&content));
	cairn_buf_free(&content);
	cairn_tree_free(tree);
	cairn_image_close(image);
	return name;
}

Test(image, oci_dir_resolves_tags_digests_and_platforms)
{
	struct layout l;
	layout_init(&l);
	char a[80], b[80];
	size_t a_size, b_size;
	put_image(&l, "alpha", "amd64", a, &a_size);
	put_image(&l, "beta", "arm64", b, &b_size);
	cairn_buf entries = CAIRN_BUF_INIT;
	entry_json(&entries, a, a_size, "v1", NULL);
	entry_json(&entries, b, b_size, "v2", NULL);
	write_index_json(&l, cairn_buf_cstr(&entries));
	char source[512];
	int err;

	snprintf(source, sizeof source, "oci-dir:%s:v1", l.root);
	char *name = open_and_read_name(source, NULL, &err);
	cr_assert_eq(err, 0, "%s", cairn_error_message());
	cr_assert_str_eq(name, "alpha");
	free(name);
	snprintf(source, sizeof source, "oci-dir:%s:v2", l.root);
	name = open_and_read_name(source, NULL, &err);
	cr_assert_str_eq(name, "beta");
	free(name);
	snprintf(source, sizeof source, "oci-dir:%s@%s", l.root, b);
	name = open_and_read_name(source, NULL, &err);
	cr_assert_str_eq(name, "beta");
	free(name);

	/* Two images and no tag: ambiguous, and the message lists the tags. */
	snprintf(source, sizeof source, "oci-dir:%s", l.root);
	cr_assert_null(open_and_read_name(source, NULL, &err));
	cr_assert_eq(err, CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "v1, v2") != NULL, "%s", cairn_error_message());
	snprintf(source, sizeof source, "oci-dir:%s:v3", l.root);
	cr_assert_null(open_and_read_name(source, NULL, &err));
	cr_assert_eq(err, CAIRN_ENOENT);
	cr_assert(strstr(cairn_error_message(), "no image tagged v3") != NULL, "%s", cairn_error_message());

	/* The same images as platform entries without tags: picked by platform. */
	cairn_buf_clear(&entries);
	entry_json(&entries, a, a_size, NULL, "amd64");
	entry_json(&entries, b, b_size, NULL, "arm64");
	write_index_json(&l, cairn_buf_cstr(&entries));
	snprintf(source, sizeof source, "oci-dir:%s", l.root);
	name = open_and_read_name(source, "linux/arm64", &err);
	cr_assert_eq(err, 0, "%s", cairn_error_message());
	cr_assert_str_eq(name, "beta");
	free(name);
	name = open_and_read_name(source, "linux/amd64", &err);
	cr_assert_str_eq(name, "alpha");
	free(name);

	/* Accessors, on a single image. */
	cairn_buf_clear(&entries);
	entry_json(&entries, a, a_size, "latest", NULL);
	write_index_json(&l, cairn_buf_cstr(&entries));
	cairn_image *image;
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_image_get_kind(image), CAIRN_IMAGE_OCI_DIR);
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest_format(cairn_image_manifest_digest(image), &text);
	cr_assert_str_eq(cairn_buf_cstr(&text), a);
	cr_assert_null(cairn_image_index_digest(image));
	cr_assert_str_eq(cairn_image_platform(image), "linux/amd64");
	cr_assert_eq(cairn_image_layer_count(image), 1);
	cr_assert_eq(cairn_image_layer_at(image, 0)->compression, CAIRN_COMPRESSION_GZIP);
	cr_assert_null(cairn_image_layer_at(image, 1));
	cr_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(json_object_get(cairn_image_config(image), "config"), "Env"), 0)),
			 "NAME=alpha");
	cairn_image_close(image);
	cairn_buf_free(&text);
	cairn_buf_free(&entries);
	layout_cleanup(&l);
}

Test(image, blob_reader_checks_digest_and_size_at_the_end)
{
	struct layout l;
	layout_init(&l);
	char a[80];
	size_t a_size;
	put_image(&l, "alpha", "amd64", a, &a_size);
	cairn_buf entries = CAIRN_BUF_INIT;
	entry_json(&entries, a, a_size, "v1", NULL);
	write_index_json(&l, cairn_buf_cstr(&entries));
	cairn_buf_free(&entries);
	char source[512];
	snprintf(source, sizeof source, "oci-dir:%s:v1", l.root);
	cairn_image *image;
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());

	/* A blob whose bytes are not its digest's: every read succeeds until the one that ends it. */
	const char *data = "hello, world";
	const char *real = put_blob(&l, data, strlen(data));
	char fake[80];
	snprintf(fake, sizeof fake, "%s", real);
	fake[7] = fake[7] == '0' ? '1' : '0';
	char from[400], to[400];
	snprintf(from, sizeof from, "%s/blobs/sha256/%s", l.root, real + 7);
	snprintf(to, sizeof to, "%s/blobs/sha256/%s", l.root, fake + 7);
	cr_assert_eq(rename(from, to), 0);
	cairn_digest d;
	cr_assert_eq(cairn_digest_parse(fake, strlen(fake), &d), 0);
	cairn_blob_reader *r;
	cr_assert_eq(cairn_image_open_blob(image, &d, strlen(data), &r), 0, "%s", cairn_error_message());
	char buf[5];
	size_t got;
	cr_assert_eq(cairn_blob_read(r, buf, 5, &got), 0);
	cr_assert_eq(got, 5);
	cr_assert_eq(cairn_blob_read(r, buf, 5, &got), 0);
	cr_assert_eq(cairn_blob_read(r, buf, 5, &got), CAIRN_EVERIFY);
	cr_assert(strstr(cairn_error_message(), fake) != NULL, "%s", cairn_error_message());
	cairn_blob_close(r);

	/* A descriptor that says fewer bytes than the file holds: refused before a byte is handed out. */
	cr_assert_eq(cairn_digest_parse(a, strlen(a), &d), 0);
	cr_assert_eq(cairn_image_open_blob(image, &d, a_size - 1, &r), CAIRN_EVERIFY);
	/* A missing blob. */
	d.bytes[0] ^= 1;
	cr_assert_eq(cairn_image_open_blob(image, &d, 10, &r), CAIRN_ENOENT);
	/* The right blob reads whole and ends cleanly, again and again at the end. */
	d.bytes[0] ^= 1;
	cr_assert_eq(cairn_image_open_blob(image, &d, a_size, &r), 0);
	cairn_buf all = CAIRN_BUF_INIT;
	for (;;) {
		char chunk[64];
		cr_assert_eq(cairn_blob_read(r, chunk, sizeof chunk, &got), 0, "%s", cairn_error_message());
		if (got == 0)
			break;
		cairn_buf_append(&all, chunk, got);
	}
	cr_assert_eq(cairn_blob_read(r, buf, 5, &got), 0);
	cr_assert_eq(got, 0);
	cr_assert_eq(all.len, a_size);
	cr_assert(memcmp(all.data, cairn_image_manifest(image)->data, a_size) == 0);
	cairn_buf_free(&all);
	cairn_blob_close(r);
	cairn_image_close(image);
	layout_cleanup(&l);
}

/* ---- docker-archive ---- */

static void archive_add(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = tf_entry(name, AE_IFREG, 0644, (int64_t)len);
	cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
	if (len)
		cr_assert_eq(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static void sha256_text(const void *data, size_t len, char out[80], int with_prefix)
{
	cairn_digest d;
	cairn_digest_compute(CAIRN_DIGEST_SHA256, data, len, &d);
	cairn_buf hex = CAIRN_BUF_INIT;
	cairn_digest_hex(&d, &hex);
	snprintf(out, 80, "%s%s", with_prefix ? "sha256:" : "", cairn_buf_cstr(&hex));
	cairn_buf_free(&hex);
}

/* A legacy docker save archive: <id>.json config, <dir>/layer.tar layers (uncompressed), two images. */
static void write_docker_archive(const char *path, int tamper_config_name, char *config_digest_out,
				 char *diff_id_out)
{
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_dir(&t, "etc");
	tf_file(&t, "etc/from-docker", "yes\n");
	tf_end(&t);
	char diff_id[80], hex[80];
	sha256_text(t.out.data, t.out.len, diff_id, 1);
	cairn_buf config = CAIRN_BUF_INIT, manifest = CAIRN_BUF_INIT, name = CAIRN_BUF_INIT;
	cairn_buf_printf(&config,
			 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
			 diff_id);
	sha256_text(config.data, config.len, hex, 0);
	snprintf(config_digest_out, 80, "sha256:%.64s", hex);
	snprintf(diff_id_out, 80, "%s", diff_id);
	if (tamper_config_name)
		hex[0] = hex[0] == 'a' ? 'b' : 'a';
	cairn_buf_printf(&name, "%s.json", hex);
	cairn_buf_printf(&manifest,
			 "[{\"Config\":\"%s\",\"RepoTags\":[\"example.com/app:1\"],\"Layers\":[\"0123abcd/layer.tar\"]},"
			 "{\"Config\":\"%s\",\"RepoTags\":[\"example.com/app:2\"],\"Layers\":[\"./0123abcd/layer.tar\"]}]",
			 cairn_buf_cstr(&name), cairn_buf_cstr(&name));
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_add(a, cairn_buf_cstr(&name), config.data, config.len);
	archive_add(a, "0123abcd/layer.tar", t.out.data, t.out.len);
	archive_add(a, "manifest.json", manifest.data, manifest.len);
	archive_write_close(a);
	archive_write_free(a);
	cairn_buf_free(&t.out);
	cairn_buf_free(&config);
	cairn_buf_free(&manifest);
	cairn_buf_free(&name);
}

Test(image, docker_archive_synthesizes_an_oci_manifest)
{
	char path[] = "/tmp/cairn-docker-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	char config_digest[80], diff_id[80];
	write_docker_archive(path, 0, config_digest, diff_id);
	char source[300];

	/* Two images: the archive must be told which. */
	cairn_image *image = NULL;
	snprintf(source, sizeof source, "docker-archive:%s", path);
	cr_assert_eq(cairn_image_open(&image, source, NULL), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "example.com/app:1, example.com/app:2") != NULL, "%s",
		  cairn_error_message());
	snprintf(source, sizeof source, "docker-archive:%s:example.com/app:3", path);
	cr_assert_eq(cairn_image_open(&image, source, NULL), CAIRN_ENOENT);

	snprintf(source, sizeof source, "docker-archive:%s:example.com/app:2", path);
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_image_get_kind(image), CAIRN_IMAGE_DOCKER_ARCHIVE);
	cr_assert_str_eq(cairn_image_name(image), source);
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest_format(cairn_image_config_digest(image), &text);
	cr_assert_str_eq(cairn_buf_cstr(&text), config_digest);
	/* The uncompressed legacy layer is named by its diff_id, and typed as a plain tar. */
	cr_assert_eq(cairn_image_layer_count(image), 1);
	const cairn_image_layer *layer = cairn_image_layer_at(image, 0);
	cairn_buf_clear(&text);
	cairn_digest_format(&layer->digest, &text);
	cr_assert_str_eq(cairn_buf_cstr(&text), diff_id);
	cr_assert_str_eq(layer->media_type, IMAGE_MEDIA_OCI_LAYER);
	cr_assert_eq(layer->compression, CAIRN_COMPRESSION_NONE);
	/* The synthesised manifest is an OCI manifest whose digest is that of its own bytes. */
	cr_assert_str_eq(cairn_image_manifest_media_type(image), IMAGE_MEDIA_OCI_MANIFEST);
	const cairn_buf *m = cairn_image_manifest(image);
	char m_digest[80];
	sha256_text(m->data, m->len, m_digest, 1);
	cairn_buf_clear(&text);
	cairn_digest_format(cairn_image_manifest_digest(image), &text);
	cr_assert_str_eq(cairn_buf_cstr(&text), m_digest);
	json_t *doc;
	cr_assert_eq(cairn_json_parse(&doc, m->data, m->len, NULL, "manifest"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "config"), "digest")), config_digest);
	json_decref(doc);
	cairn_tree *tree;
	cr_assert_eq(cairn_image_tree(image, NULL, NULL, NULL, &tree), 0, "%s", cairn_error_message());
	const cairn_entry *e = cairn_tree_lookup(tree, "/etc/from-docker");
	cr_assert_not_null(e);
	cairn_buf content = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_tree_read(tree, e, 100, &content), 0, "%s", cairn_error_message());
	cr_assert_str_eq(cairn_buf_cstr(&content), "yes\n");
	cairn_buf_free(&content);
	cairn_tree_free(tree);
	cairn_image_close(image);

	/* A config whose name states another digest than its bytes have. */
	write_docker_archive(path, 1, config_digest, diff_id);
	snprintf(source, sizeof source, "docker-archive:%s:example.com/app:1", path);
	cr_assert_eq(cairn_image_open(&image, source, NULL), CAIRN_EVERIFY);
	cairn_buf_free(&text);
	unlink(path);
}

/* Newer `docker save`: config and layers as blobs/sha256/<hex> members, here with a gzip layer. */
Test(image, docker_archive_with_oci_style_blob_members)
{
	char path[] = "/tmp/cairn-docker-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	tar_fixture t;
	tf_begin(&t, TF_NONE);
	tf_file(&t, "hello", "gzip layer\n");
	tf_end(&t);
	char diff_id[80], layer_hex[80], config_hex[80];
	sha256_text(t.out.data, t.out.len, diff_id, 1);
	cairn_buf_free(&t.out);
	tf_begin(&t, TF_GZIP);
	tf_file(&t, "hello", "gzip layer\n");
	tf_end(&t);
	sha256_text(t.out.data, t.out.len, layer_hex, 0);
	cairn_buf config = CAIRN_BUF_INIT, manifest = CAIRN_BUF_INIT, name = CAIRN_BUF_INIT;
	cairn_buf_printf(&config, "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[\"%s\"]}}",
			 diff_id);
	sha256_text(config.data, config.len, config_hex, 0);
	cairn_buf_printf(&manifest, "[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":null,\"Layers\":[\"blobs/sha256/%s\"]}]",
			 config_hex, layer_hex);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
	cairn_buf_printf(&name, "blobs/sha256/%s", config_hex);
	archive_add(a, cairn_buf_cstr(&name), config.data, config.len);
	cairn_buf_clear(&name);
	cairn_buf_printf(&name, "blobs/sha256/%s", layer_hex);
	archive_add(a, cairn_buf_cstr(&name), t.out.data, t.out.len);
	archive_add(a, "manifest.json", manifest.data, manifest.len);
	archive_write_close(a);
	archive_write_free(a);

	char source[300];
	snprintf(source, sizeof source, "docker-archive:%s", path);
	cairn_image *image;
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
	cr_assert_str_eq(cairn_image_platform(image), "linux/arm64/v8");
	const cairn_image_layer *layer = cairn_image_layer_at(image, 0);
	cr_assert_eq(layer->compression, CAIRN_COMPRESSION_GZIP);
	cr_assert_str_eq(layer->media_type, IMAGE_MEDIA_OCI_LAYER_GZIP);
	cr_assert_eq(layer->size, t.out.len);
	cairn_buf text = CAIRN_BUF_INIT;
	cairn_digest_hex(&layer->digest, &text);
	cr_assert_str_eq(cairn_buf_cstr(&text), layer_hex);
	cairn_buf_clear(&text);
	cairn_digest_format(&layer->diff_id, &text);
	cr_assert_str_eq(cairn_buf_cstr(&text), diff_id);
	cairn_tree *tree;
	cr_assert_eq(cairn_image_tree(image, NULL, NULL, NULL, &tree), 0, "%s", cairn_error_message());
	cr_assert_not_null(cairn_tree_lookup(tree, "/hello"));
	cairn_tree_free(tree);
	cairn_image_close(image);
	cairn_buf_free(&text);
	cairn_buf_free(&t.out);
	cairn_buf_free(&config);
	cairn_buf_free(&manifest);
	cairn_buf_free(&name);
	unlink(path);
}

Test(image, sources_are_dispatched_by_prefix)
{
	cairn_image *image = NULL;
	cr_assert_eq(cairn_image_open(&image, "docker:alpine", NULL), CAIRN_EUNSUPPORTED);
	cr_assert_eq(cairn_image_open(&image, "", NULL), CAIRN_EINVAL);
	cr_assert_eq(cairn_image_open(&image, "oci-dir:/nonexistent/cairn", NULL), CAIRN_ENOENT);
	cr_assert_eq(cairn_image_open(&image, "oci-archive:/nonexistent/cairn.tar", NULL), CAIRN_ENOENT);
	cr_assert_eq(cairn_image_open(&image, "dir:/nonexistent/cairn", NULL), CAIRN_ENOENT);
	cairn_image_options opts = {0};
	opts.platform = "linux";
	cr_assert_eq(cairn_image_open(&image, "dir:/", &opts), CAIRN_EINVAL);
	cr_assert_eq(cairn_image_open(&image, "dir:/tmp", NULL), 0);
	cr_assert_eq(cairn_image_get_kind(image), CAIRN_IMAGE_DIR);
	cr_assert_null(cairn_image_manifest(image));
	cr_assert_null(cairn_image_config(image));
	cr_assert_eq(cairn_image_layer_count(image), 0);
	cairn_image_close(image);
}
