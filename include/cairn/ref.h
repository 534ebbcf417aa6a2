/* cairn/ref.h - image references in the Docker grammar.
 *
 *   alpine                      -> docker.io/library/alpine:latest
 *   localhost:5000/app@sha256:… -> registry localhost:5000, repository app, digest
 *   ghcr.io/org/app:v1@sha256:… -> tag and digest (the digest is what is fetched)
 *
 * The first path component is a registry when it contains '.' or ':' or is "localhost"; otherwise the
 * registry is docker.io, and a single-component docker.io repository gets "library/". Repository
 * components are lowercase [a-z0-9] separated by '.', '_', '__' or '-'s; tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127};
 * digests are parsed strictly (cairn/digest.h). */
#ifndef CAIRN_REF_H
#define CAIRN_REF_H

#include "cairn/buf.h"

typedef struct cairn_ref {
	char *registry;   /* "docker.io", "localhost:5000", "[::1]:5000" */
	char *repository; /* "library/alpine" */
	char *tag;        /* NULL when none was given */
	char *digest;     /* "sha256:<hex>", NULL when none was given */
} cairn_ref;

/* Parses text; `latest` is NOT filled in: use cairn_ref_reference() for what to fetch. */
int cairn_ref_parse(cairn_ref *out, const char *text);
void cairn_ref_free(cairn_ref *ref);
/* The tag or digest to ask the registry for: the digest when present, else the tag, else "latest". */
const char *cairn_ref_reference(const cairn_ref *ref);
/* Appends the full form "registry/repository[:tag][@digest]" ("latest" added when neither is given). */
int cairn_ref_format(const cairn_ref *ref, cairn_buf *out);
/* The host to connect to: "registry-1.docker.io" for docker.io, otherwise the registry itself. */
const char *cairn_ref_api_host(const cairn_ref *ref);
/* 1 when the registry host is loopback (localhost, 127.0.0.0/8, ::1), where plain HTTP is allowed. */
int cairn_ref_registry_is_loopback(const char *registry);

/* Checks one part on its own, as the grammar above defines it (for callers that build registry URLs
 * from parts they did not parse): a registry "host[:port]", a repository path, a tag. */
int cairn_ref_check_registry(const char *registry);
int cairn_ref_check_repository(const char *repository);
int cairn_ref_check_tag(const char *tag);

#endif
