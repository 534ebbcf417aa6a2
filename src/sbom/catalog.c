/* Cataloging: one pass over an image's (or directory's) tree that keeps only the files catalogers
 * read, then each cataloger in turn. A database that is too big, unreadable or malformed costs a
 * warning naming it, never the rest of the SBOM. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LIST_SIZE ((uint64_t)16 * 1024 * 1024)     /* one info/NAME.list */
#define MAX_COPYRIGHT_SIZE ((uint64_t)8 * 1024 * 1024) /* boost's is 2 MB */

struct want_ctx {
	uint64_t max_db;
	int directory; /* a dir: source, whose files are cheap to read later */
};

static int starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static int ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The files any cataloger reads, by path; size-bounded so a hostile file is never kept. */
static int want_file(void *arg, const char *path, uint64_t size)
{
	const struct want_ctx *w = arg;
	while (*path == '/')
		path++;
	if (strcmp(path, "etc/os-release") == 0 || strcmp(path, "usr/lib/os-release") == 0)
		return size <= CAIRN_SBOM_MAX_META_SIZE;
	if (strcmp(path, "var/lib/dpkg/status") == 0 || starts(path, "var/lib/dpkg/status.d/") ||
	    strcmp(path, "lib/apk/db/installed") == 0)
		return size <= w->max_db;
	if (starts(path, "var/lib/dpkg/info/") && (ends(path, ".list") || ends(path, ".md5sums")))
		return size <= MAX_LIST_SIZE;
	if (sbom_rpm_want(path, size, w->max_db) || sbom_go_want(path, size, w->directory))
		return 1;
	if (sbom_python_wants(path, size) || sbom_npm_wants(path, size))
		return 1;
	if (sbom_rust_want(path, size) || sbom_elfnote_want(path, size, w->directory))
		return 1;
	if (sbom_java_want(path, size, w->directory))
		return 1;
	if (sbom_ruby_wants(path, size) || sbom_php_wants(path, size) || sbom_dotnet_wants(path, size))
		return 1;
	if (starts(path, "usr/share/doc/") && ends(path, "/copyright")) {
		const char *rest = path + strlen("usr/share/doc/");
		const char *slash = strchr(rest, '/');
		return slash != NULL && strcmp(slash, "/copyright") == 0 && size <= MAX_COPYRIGHT_SIZE;
	}
	return 0;
}

struct catalog {
	cairn_sbom *sbom;
	cairn_tree *tree;
	char **layers; /* diff IDs by layer index */
	size_t layer_count;
	uint64_t max_db;
};

static const char *layer_of(const struct catalog *c, const cairn_entry *e)
{
	return e->layer >= 0 && (size_t)e->layer < c->layer_count ? c->layers[e->layer] : NULL;
}

/* Finds path (following symlinks inside the root) and reads it; NULL entry when absent. Trouble
 * reading becomes a warning naming the file, and 1. */
static int read_meta(struct catalog *c, const char *path, uint64_t limit, const cairn_entry **entry, cairn_buf *out,
		     const char *lost)
{
	*entry = NULL;
	const cairn_entry *e = cairn_tree_lookup(c->tree, path);
	if (e == NULL)
		return 1;
	if (e->type == CAIRN_ENTRY_SYMLINK && cairn_tree_resolve(c->tree, path, &e) != 0) {
		cairn_error_clear();
		return 1;
	}
	if (e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK)
		return 1;
	if (e->size > limit) {
		cairn_sbom_warn(c->sbom, "%s: %llu bytes, over the limit of %llu; %s", path, (unsigned long long)e->size,
				(unsigned long long)limit, lost);
		return 1;
	}
	cairn_buf_clear(out);
	if (cairn_tree_read(c->tree, e, (size_t)limit, out) != 0) {
		cairn_sbom_warn(c->sbom, "%s: cannot be read (%s); %s", path, cairn_error_message(), lost);
		cairn_error_clear();
		return 1;
	}
	*entry = e;
	return 0;
}

static void catalog_os_release(struct catalog *c)
{
	cairn_buf text = CAIRN_BUF_INIT;
	const cairn_entry *e;
	if (read_meta(c, "/etc/os-release", CAIRN_SBOM_MAX_META_SIZE, &e, &text, "the distribution is not known") == 0 ||
	    read_meta(c, "/usr/lib/os-release", CAIRN_SBOM_MAX_META_SIZE, &e, &text, "the distribution is not known") == 0)
		cairn_sbom_parse_os_release(c->sbom, (const char *)text.data, text.len);
	cairn_buf_free(&text);
}

static int dpkg_database(struct catalog *c, sbom_dpkg *dpkg, const char *path, cairn_buf *text)
{
	const cairn_entry *e;
	if (read_meta(c, path, c->max_db, &e, text, "its packages are not listed") != 0)
		return 0;
	return sbom_dpkg_parse(dpkg, (const char *)text->data, text->len, path, layer_of(c, e));
}

/* Owned files and licenses of each dpkg package. */
static int dpkg_details(struct catalog *c, sbom_dpkg *dpkg, cairn_buf *text)
{
	cairn_buf path = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < sbom_dpkg_count(dpkg); i++) {
		size_t index = sbom_dpkg_package(dpkg, i);
		const cairn_sbom_package *p = cairn_sbom_package_at(c->sbom, index);
		const cairn_entry *e = NULL;
		/* Multi-Arch: same packages name their files NAME:ARCH.list; distroless keeps only md5sums */
		for (int f = 0; !err && e == NULL && f < 5; f++) {
			const char *arch = p->arch ? p->arch : "";
			cairn_buf_clear(&path);
			switch (f) {
			case 0: err = cairn_buf_printf(&path, "/var/lib/dpkg/info/%s:%s.list", p->name, arch); break;
			case 1: err = cairn_buf_printf(&path, "/var/lib/dpkg/info/%s.list", p->name); break;
			case 2: err = cairn_buf_printf(&path, "/var/lib/dpkg/info/%s:%s.md5sums", p->name, arch); break;
			case 3: err = cairn_buf_printf(&path, "/var/lib/dpkg/info/%s.md5sums", p->name); break;
			default: err = cairn_buf_printf(&path, "/var/lib/dpkg/status.d/%s.md5sums", p->name); break;
			}
			if (!err && read_meta(c, cairn_buf_cstr(&path), MAX_LIST_SIZE, &e, text, "the package's files are not listed") == 0)
				err = sbom_dpkg_add_files(dpkg, index, (const char *)text->data, text->len, f < 2);
		}
		cairn_buf_clear(&path);
		if (!err)
			err = cairn_buf_printf(&path, "/usr/share/doc/%s/copyright", p->name);
		if (!err && read_meta(c, cairn_buf_cstr(&path), MAX_COPYRIGHT_SIZE, &e, text, "the package's licenses are not read") == 0)
			err = sbom_dpkg_add_copyright(dpkg, index, (const char *)text->data, text->len);
	}
	cairn_buf_free(&path);
	return err;
}

static int catalog_dpkg(struct catalog *c)
{
	sbom_dpkg *dpkg;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = sbom_dpkg_new(&dpkg, c->sbom);
	if (!err)
		err = dpkg_database(c, dpkg, "/var/lib/dpkg/status", &text);
	/* distroless: one file per package in status.d (and NAME.md5sums beside it) */
	static const char prefix[] = "/var/lib/dpkg/status.d/";
	for (size_t i = 0; !err && i < cairn_tree_count(c->tree); i++) {
		const cairn_entry *e = cairn_tree_at(c->tree, i);
		if (strncmp(e->path, prefix, sizeof prefix - 1) == 0 && strchr(e->path + sizeof prefix - 1, '/') == NULL &&
		    !ends(e->path, ".md5sums") && (e->type == CAIRN_ENTRY_FILE || e->type == CAIRN_ENTRY_HARDLINK))
			err = dpkg_database(c, dpkg, e->path, &text);
	}
	if (!err)
		err = dpkg_details(c, dpkg, &text);
	if (!err)
		err = sbom_dpkg_resolve(dpkg);
	sbom_dpkg_free(dpkg);
	cairn_buf_free(&text);
	return err;
}

static int catalog_apk(struct catalog *c)
{
	static const char path[] = "/lib/apk/db/installed";
	cairn_buf text = CAIRN_BUF_INIT;
	const cairn_entry *e;
	int err = 0;
	if (read_meta(c, path, c->max_db, &e, &text, "its packages are not listed") == 0)
		err = cairn_sbom_parse_apk_installed(c->sbom, (const char *)text.data, text.len, path, layer_of(c, e));
	cairn_buf_free(&text);
	return err;
}

static int set_digest(char **field, const cairn_digest *d)
{
	if (d == NULL || d->alg == CAIRN_DIGEST_NONE)
		return 0;
	cairn_buf text = CAIRN_BUF_INIT;
	int err = cairn_digest_format(d, &text);
	if (!err)
		err = cairn_sbom_set(field, cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	return err;
}

static int describe_source(struct catalog *c, cairn_image *image)
{
	cairn_sbom_source *s = cairn_sbom_get_source(c->sbom);
	int dir = cairn_image_get_kind(image) == CAIRN_IMAGE_DIR;
	int err = cairn_sbom_set(&s->name, cairn_image_name(image));
	if (!err)
		err = cairn_sbom_set(&s->kind, dir ? "directory" : "image");
	if (dir || err)
		return err;
	err = set_digest(&s->manifest_digest, cairn_image_manifest_digest(image));
	if (!err)
		err = set_digest(&s->config_digest, cairn_image_config_digest(image));
	if (!err)
		err = cairn_sbom_set(&s->platform, cairn_image_platform(image));
	c->layer_count = cairn_image_layer_count(image);
	c->layers = calloc(c->layer_count ? c->layer_count : 1, sizeof *c->layers);
	if (c->layers == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	for (size_t i = 0; !err && i < c->layer_count; i++) {
		/* the diff ID (uncompressed digest) is the same whichever way the image was stored */
		const cairn_image_layer *l = cairn_image_layer_at(image, i);
		err = set_digest(&c->layers[i], l->diff_id.alg != CAIRN_DIGEST_NONE ? &l->diff_id : &l->digest);
	}
	return err;
}

int cairn_sbom_catalog(cairn_sbom **out, cairn_image *image, const cairn_sbom_options *opts)
{
	*out = NULL;
	struct catalog c;
	memset(&c, 0, sizeof c);
	c.max_db = opts && opts->max_db_size ? opts->max_db_size : CAIRN_SBOM_MAX_DB_SIZE;
	struct want_ctx w = {c.max_db, cairn_image_get_kind(image) == CAIRN_IMAGE_DIR};
	int err = cairn_sbom_new(&c.sbom);
	if (!err)
		err = describe_source(&c, image);
	if (!err)
		err = cairn_image_tree(image, opts ? opts->tree_limits : NULL, want_file, &w, &c.tree);
	if (!err) {
		for (size_t i = 0; i < cairn_tree_warning_count(c.tree); i++)
			cairn_sbom_warn(c.sbom, "%s", cairn_tree_warning(c.tree, i));
		catalog_os_release(&c);
		err = catalog_dpkg(&c);
	}
	if (!err)
		err = catalog_apk(&c);
	if (!err)
		err = sbom_rpm_catalog(c.sbom, c.tree, c.layers, c.layer_count, c.max_db);
	if (!err) /* go.mod files; Go binaries are read in the pass over binaries below */
		err = sbom_go_catalog(c.sbom, c.tree, c.layers, c.layer_count, cairn_image_get_kind(image) == CAIRN_IMAGE_DIR);
	if (!err) /* after the OS catalogers: a distribution an OS package owns is linked to it */
		err = sbom_python_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err)
		err = sbom_npm_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err)
		err = sbom_rust_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err) /* after the OS catalogers: a binary their databases list adds no second package */
		err = sbom_binary_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err)
		err = sbom_java_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err)
		err = sbom_ruby_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err)
		err = sbom_php_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err)
		err = sbom_dotnet_catalog(c.sbom, c.tree, c.layers, c.layer_count);
	if (!err) /* last: every package is known */
		err = sbom_cpe_generate(c.sbom);
	if (!err)
		err = cairn_sbom_finish(c.sbom);
	cairn_tree_free(c.tree);
	for (size_t i = 0; i < c.layer_count; i++)
		free(c.layers[i]);
	free(c.layers);
	if (err) {
		cairn_sbom_free(c.sbom);
		return err;
	}
	*out = c.sbom;
	return 0;
}
