/* cairn/image.h - open a container image from any of its forms, as one read-only object.
 *
 * Sources are written as Syft and cosign users expect:
 *   registry:REF or a bare REF          an OCI distribution registry (cairn/registry.h)
 *   oci-dir:PATH[:TAG|@DIGEST]          an OCI image layout directory
 *   oci-archive:TAR                     an OCI image layout in a tar file
 *   docker-archive:TAR                  what `docker save` writes
 *   dir:PATH                            a directory (no manifest, no layers: see cairn_tree_from_dir)
 *
 * An index (or Docker manifest list) is resolved to one platform: the options' platform, else the
 * host's. Manifests and configs are size-limited and digest-checked; every blob read through
 * cairn_image_open_blob is checked against its digest when the reader reaches its end. Registry blobs
 * are cached, verified, in a content-addressed directory, so a second read costs no download. */
#ifndef CAIRN_IMAGE_H
#define CAIRN_IMAGE_H

#include "cairn/buf.h"
#include "cairn/digest.h"
#include "cairn/registry.h"
#include "cairn/tree.h"

#include <jansson.h>
#include <stdint.h>

#define CAIRN_IMAGE_MAX_CONFIG ((size_t)8 * 1024 * 1024)

enum cairn_image_kind {
	CAIRN_IMAGE_REGISTRY = 1,
	CAIRN_IMAGE_OCI_DIR,
	CAIRN_IMAGE_OCI_ARCHIVE,
	CAIRN_IMAGE_DOCKER_ARCHIVE,
	CAIRN_IMAGE_DIR,
};

enum cairn_compression {
	CAIRN_COMPRESSION_NONE = 0,
	CAIRN_COMPRESSION_GZIP,
	CAIRN_COMPRESSION_ZSTD,
};

typedef struct cairn_image_options {
	cairn_registry_options registry;
	const char *platform;  /* "os/arch[/variant]"; NULL: the host's (linux/amd64 here) */
	const char *cache_dir; /* blob cache; NULL: $XDG_CACHE_HOME/cairn or ~/.cache/cairn */
} cairn_image_options;

typedef struct cairn_image_layer {
	cairn_digest digest;   /* the blob as stored */
	uint64_t size;         /* from the manifest */
	const char *media_type;
	enum cairn_compression compression;
	cairn_digest diff_id;  /* the uncompressed tar's digest from the config (alg NONE if absent) */
} cairn_image_layer;

typedef struct cairn_image cairn_image;
typedef struct cairn_blob_reader cairn_blob_reader;

int cairn_image_open(cairn_image **out, const char *source, const cairn_image_options *opts);
void cairn_image_close(cairn_image *image);

enum cairn_image_kind cairn_image_get_kind(const cairn_image *image);
/* The source as a user would write it again, normalised ("registry:docker.io/library/alpine:3.20"). */
const char *cairn_image_name(const cairn_image *image);
/* The selected image manifest: bytes, media type and digest (docker-archive has no stored manifest:
 * cairn synthesises the equivalent OCI manifest, whose digest is then not the registry's). */
const cairn_buf *cairn_image_manifest(const cairn_image *image);
const char *cairn_image_manifest_media_type(const cairn_image *image);
const cairn_digest *cairn_image_manifest_digest(const cairn_image *image);
/* The index it was selected from, when there was one (NULL otherwise). */
const cairn_digest *cairn_image_index_digest(const cairn_image *image);
const cairn_digest *cairn_image_config_digest(const cairn_image *image);
const json_t *cairn_image_config(const cairn_image *image);
/* "linux/amd64", "linux/arm64/v8" - from the config. */
const char *cairn_image_platform(const cairn_image *image);
size_t cairn_image_layer_count(const cairn_image *image);
const cairn_image_layer *cairn_image_layer_at(const cairn_image *image, size_t index);

/* Reads a blob of this image; the digest is checked at the end: the read that reaches the end fails
 * with CAIRN_EVERIFY on a mismatch. */
int cairn_image_open_blob(cairn_image *image, const cairn_digest *digest, uint64_t size, cairn_blob_reader **out);
int cairn_blob_read(cairn_blob_reader *reader, void *buf, size_t cap, size_t *got);
void cairn_blob_close(cairn_blob_reader *reader);

/* The squashed tree of the image's layers (cairn/tree.h); for dir: sources, the directory's tree. */
int cairn_image_tree(cairn_image *image, const cairn_tree_limits *limits, cairn_tree_want_fn want, void *want_arg,
		     cairn_tree **out);

/* Writes the image as an OCI image layout at path (created if needed), tagged with the reference's tag
 * (or "latest"), with the index the image came from when there was one. */
int cairn_image_save_oci_dir(cairn_image *image, const char *path);

#endif
