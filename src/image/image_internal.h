/* image_internal.h - what the image sources (oci-dir, oci-archive, docker-archive, registry, dir) share
 * with the source-independent code in image.c: manifest and index parsing, platform selection, blob
 * readers and the outer tar index of the archive sources.
 *
 * A source knows how to open the raw bytes of a blob by digest (and, for the registry, how to fetch a
 * manifest); everything else - limits, digest checks, the manifest walk, the config - is done once, in
 * image.c and blob.c, for all sources alike. */
#ifndef CAIRN_IMAGE_INTERNAL_H
#define CAIRN_IMAGE_INTERNAL_H

#include "cairn/image.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMAGE_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMAGE_MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define IMAGE_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMAGE_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMAGE_MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define IMAGE_MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define IMAGE_MEDIA_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define IMAGE_MEDIA_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define IMAGE_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

/* Limits on what manifests may hold (a real image has tens of layers and platforms). */
#define IMAGE_MAX_MANIFEST CAIRN_REGISTRY_MAX_MANIFEST
#define IMAGE_MAX_LAYERS 1024
#define IMAGE_MAX_INDEX_ENTRIES 4096
#define IMAGE_MAX_NESTING 4 /* an index naming an index naming ... */

/* The raw, unverified bytes of one blob as a source hands them out. */
struct image_blob_src {
	int (*read)(void *arg, void *buf, size_t cap, size_t *got);
	void (*close)(void *arg);
	void *arg;
};

struct image_source_ops {
	/* Opens a blob's bytes; CAIRN_ENOENT (naming it) when the source does not hold it. */
	int (*open_blob)(cairn_image *image, const cairn_digest *digest, uint64_t size, struct image_blob_src *out);
	/* Fetches a manifest or index by digest (NULL: use open_blob, the digest checked by image.c). */
	int (*get_manifest)(cairn_image *image, const cairn_digest *digest, cairn_buf *body, cairn_buf *media_type);
	void (*free)(void *source);
};

struct cairn_image {
	enum cairn_image_kind kind;
	char *name;
	const struct image_source_ops *ops;
	void *source;
	char *want_platform; /* normalised "os/arch[/variant]" to select from an index */
	char *tag;           /* for save: the tag the user named, or NULL */
	cairn_buf manifest;
	char *manifest_media_type;
	cairn_digest manifest_digest;
	int has_index;
	cairn_digest index_digest;
	cairn_buf index;
	char *index_media_type;
	cairn_digest config_digest;
	uint64_t config_size;
	char *config_media_type;
	cairn_buf config_bytes;
	json_t *config;
	char *platform;
	cairn_image_layer *layers;
	size_t layer_count;
	char *dir_root; /* dir: sources */
};

/* ---- image.c: the manifest walk, shared by every source ---- */

/* Takes a manifest or index (already digest-checked, its media type from the transport or the
 * descriptor, possibly "") and walks down to one image manifest, reading its config. */
int image_resolve(cairn_image *image, const cairn_buf *body, const char *media_type, const cairn_digest *digest);
/* Reads a whole blob, verified, refusing more than limit bytes; `what` names it in messages. */
int image_read_blob_all(cairn_image *image, const cairn_digest *digest, uint64_t size, size_t limit,
			const char *what, cairn_buf *out);
/* The media type a document declares, or the one implied by its shape ("" when it says nothing). */
const char *image_document_media_type(const json_t *doc);
/* Parses a descriptor object: digest, size and media type (borrowed from the JSON). */
int image_parse_descriptor(const json_t *desc, const char *what, cairn_digest *digest, uint64_t *size,
			   const char **media_type);

/* Platform helpers (exposed for the unit tests and the fuzz target). */
/* Normalises "os/arch[/variant]" (aliases such as x86_64 and aarch64 accepted) into out. */
int image_platform_normalize(const char *text, cairn_buf *out);
/* The host's platform, normalised ("linux/amd64", "linux/arm64/v8"). */
int image_platform_host(cairn_buf *out);
/* Picks the manifest of `index` (an OCI index or Docker manifest list) for the platform `want`
 * (normalised); *chosen is its position. CAIRN_ENOENT, listing what there is, when none matches. */
int image_select_platform(const json_t *index, const char *want, size_t *chosen);

/* Sources: each fills image->ops, image->source and the manifest via image_resolve. */
int image_open_oci_dir(cairn_image *image, const char *spec);
int image_open_oci_archive(cairn_image *image, const char *spec);
int image_open_docker_archive(cairn_image *image, const char *spec);
int image_open_registry(cairn_image *image, const char *ref, const cairn_image_options *opts);

/* ---- blob.c ---- */

/* Wraps raw bytes in a reader that checks size and digest; takes ownership of src (closed on failure). */
int image_blob_reader_new(struct image_blob_src *src, const cairn_digest *digest, uint64_t size,
			  cairn_blob_reader **out);
/* A raw source over a regular file, which must hold exactly size bytes (CAIRN_EVERIFY otherwise). */
int image_blob_src_file(const char *path, const char *what, uint64_t size, struct image_blob_src *out);
/* A raw source over [offset, offset+size) of an open file descriptor (not closed). */
int image_blob_src_range(int fd, uint64_t offset, uint64_t size, struct image_blob_src *out);

/* ---- archive_index.c: where each member of an uncompressed outer tar lies ---- */

struct archive_member {
	char *name; /* without a leading "./" */
	uint64_t offset, size;
};

struct archive_index {
	int fd;
	char *path;
	struct archive_member *members;
	size_t count;
};

/* Indexes the regular files of an uncompressed tar in one pass; a compressed tar is refused. */
int archive_index_open(struct archive_index *index, const char *path, const char *kind);
const struct archive_member *archive_index_find(const struct archive_index *index, const char *name);
void archive_index_close(struct archive_index *index);
/* Reads a whole member, refusing more than limit bytes. */
int archive_index_read(const struct archive_index *index, const struct archive_member *member, size_t limit,
		       cairn_buf *out);

#endif
