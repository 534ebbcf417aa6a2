/* cairn/registry.h - a client of the OCI distribution API (libcurl).
 *
 * One cairn_registry talks to one registry host and caches its bearer tokens per repository scope.
 * Authentication follows the registry's WWW-Authenticate challenges: anonymous first, then Basic or a
 * Bearer token from the realm it names, with credentials from the options, from CAIRN_REGISTRY_USERNAME
 * and CAIRN_REGISTRY_PASSWORD, or from the Docker config file's "auths". TLS uses the system CAs (plus
 * ca_file); plain HTTP is used only for loopback registries and for hosts named in insecure_hosts, and
 * even there only after https failed because the server does not speak TLS (a certificate that does
 * not verify is an error, never a reason to fall back).
 * Every manifest and blob fetched is checked against the digest asked for (or, for a tag, the digest
 * reported is recomputed). 429 and 5xx are retried with back-off, honouring Retry-After. */
#ifndef CAIRN_REGISTRY_H
#define CAIRN_REGISTRY_H

#include "cairn/buf.h"
#include "cairn/digest.h"

#include <stdint.h>

#define CAIRN_REGISTRY_MAX_MANIFEST ((size_t)4 * 1024 * 1024)

typedef struct cairn_registry_options {
	const char *ca_file;                /* extra CA bundle for TLS, or NULL */
	const char *const *insecure_hosts;  /* NULL-terminated hosts that may use plain HTTP, or NULL */
	const char *username;               /* explicit credentials, or NULL */
	const char *password;
	const char *docker_config;          /* Docker config.json path; NULL: $DOCKER_CONFIG or ~/.docker */
	int progress;                       /* 1: show transfer progress on stderr when it is a terminal */
	int max_retries;                    /* 0: the default (4) */
} cairn_registry_options;

typedef struct cairn_registry cairn_registry;

/* The Accept header value listing every manifest type cairn reads: OCI manifest and index, Docker v2
 * schema2 manifest and manifest list. */
extern const char cairn_registry_manifest_accept[];

int cairn_registry_new(cairn_registry **out, const char *registry, const cairn_registry_options *opts);
void cairn_registry_free(cairn_registry *reg);

/* GET /v2/<repo>/manifests/<reference> (a tag or a digest). body receives at most
 * CAIRN_REGISTRY_MAX_MANIFEST bytes; media_type the Content-Type; digest the verified digest. */
int cairn_registry_get_manifest(cairn_registry *reg, const char *repository, const char *reference,
				cairn_buf *body, cairn_buf *media_type, cairn_digest *digest);
/* HEAD of a manifest: *exists 0/1 and its digest when it exists. */
int cairn_registry_head_manifest(cairn_registry *reg, const char *repository, const char *reference,
				 int *exists, cairn_digest *digest);

/* Receives a blob's bytes as they arrive; a non-zero return aborts the transfer with that code. */
typedef int (*cairn_registry_sink)(void *arg, const void *data, size_t len);
/* GET /v2/<repo>/blobs/<digest>, streamed to sink; fails with CAIRN_EVERIFY when the bytes do not
 * match the digest (or exceed expected_size, when non-zero) - the sink has then seen bad data and the
 * caller must discard it. */
int cairn_registry_get_blob(cairn_registry *reg, const char *repository, const cairn_digest *digest,
			    uint64_t expected_size, cairn_registry_sink sink, void *arg);
int cairn_registry_blob_exists(cairn_registry *reg, const char *repository, const cairn_digest *digest,
			       int *exists);

/* Uploads a blob unless it exists: monolithic when small, chunked (PATCH) above chunk_size (0: 8 MiB). */
int cairn_registry_push_blob(cairn_registry *reg, const char *repository, const void *data, size_t len,
			     size_t chunk_size);
/* PUT a manifest under a tag or its digest; digest receives the digest of body. */
int cairn_registry_push_manifest(cairn_registry *reg, const char *repository, const char *reference,
				 const char *media_type, const void *body, size_t len, cairn_digest *digest);
/* Tags of a repository, one per line in out (follows Link pagination, bounded). */
int cairn_registry_list_tags(cairn_registry *reg, const char *repository, cairn_buf *out);

/* The OCI 1.1 referrers of subject as an image index (JSON): from the referrers API when the registry
 * has it, else from the tag-schema fallback "<alg>-<hex>" index (an empty index when neither exists).
 * artifact_type filters when non-NULL. *from_api says which was used. */
int cairn_registry_referrers(cairn_registry *reg, const char *repository, const cairn_digest *subject,
			     const char *artifact_type, cairn_buf *index_json, int *from_api);

#endif
