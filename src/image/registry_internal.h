/* registry_internal.h - what the registry client's files share: the client state, one HTTP request
 * with its retries and authentication, and the pure parsers of response headers and Docker's config. */
#ifndef CAIRN_REGISTRY_INTERNAL_H
#define CAIRN_REGISTRY_INTERNAL_H

#include "cairn/registry.h"

#include <curl/curl.h>
#include <stdint.h>
#include <time.h>

#define REGISTRY_TOKEN_CACHE 16          /* bearer tokens kept per client (one per repository scope) */
#define REGISTRY_HEADER_MAX 8192         /* longest response header value kept */
#define REGISTRY_ERROR_BODY_MAX 65536    /* how much of an error response is read for its message */
#define REGISTRY_TOKEN_BODY_MAX 65536    /* a token endpoint's JSON answer */
#define REGISTRY_RETRY_BASE_MS 200       /* first back-off wait; doubles on each retry */
#define REGISTRY_RETRY_CAP_S 30          /* no single wait is longer, whatever Retry-After says */
#define REGISTRY_MAX_INSECURE 32         /* insecure hosts accepted in the options */

enum registry_scheme { REGISTRY_AUTH_NONE = 0, REGISTRY_AUTH_BASIC, REGISTRY_AUTH_BEARER };

/* One challenge of a WWW-Authenticate header (RFC 7235): the scheme and the parameters the
 * distribution token flow uses. */
typedef struct registry_challenge {
	enum registry_scheme scheme;
	char *realm;
	char *service;
	char *scope;
} registry_challenge;

/* Parses a WWW-Authenticate value; of several challenges, Bearer is preferred over Basic and unknown
 * schemes are skipped. CAIRN_EUNSUPPORTED when no Basic or Bearer challenge is present, CAIRN_EINVAL
 * when the value is malformed. Parameter names are case-insensitive; values token or quoted-string. */
int registry_challenge_parse(registry_challenge *out, const char *header);
void registry_challenge_free(registry_challenge *challenge);

/* The target of the rel="next" link of a Link header (RFC 8288), or NULL in *next when there is none. */
int registry_link_next(const char *header, char **next);

/* Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime),
 * as seconds from now (0 for a date in the past). CAIRN_EINVAL when it is neither. */
int registry_retry_after_parse(const char *value, time_t now, long *seconds);

/* Looks registry up in the "auths" of a Docker config.json text: keys may be a bare host, a URL
 * ("https://host/v1/"), and Docker Hub answers to "https://index.docker.io/v1/" and its aliases.
 * The "auth" field is base64 "user:password" (or "username"/"password" fields). Sets *username and
 * *password (to free with free_secret()) or leaves them NULL when no entry names registry. `what`
 * names the file in errors. */
int registry_docker_auths_lookup(const char *json_text, size_t len, const char *registry, const char *what,
				 char **username, char **password);
/* Zeroes and frees a secret string. */
void registry_free_secret(char *secret);

struct registry_token {
	char *scope;
	char *token;
};

struct cairn_registry {
	char *registry;      /* as named in references: "docker.io", "localhost:5000" */
	char *host;          /* what is connected to: "registry-1.docker.io" */
	char *base_url;      /* "https://host" or "http://host" */
	int may_downgrade;   /* loopback or insecure: may fall back to http once if TLS is not spoken */
	char *ca_file;
	char **insecure;     /* NULL-terminated copy of opts->insecure_hosts */
	char *username;      /* credentials in effect, or NULL */
	char *password;
	int use_basic;       /* the registry asked for Basic: send it from now on */
	int progress;        /* progress line on a terminal */
	int max_retries;
	long retry_base_ms;
	struct registry_token tokens[REGISTRY_TOKEN_CACHE];
	size_t token_next;   /* round-robin slot to replace when the cache is full */
	CURL *curl;          /* one handle, reset per request, so connections are reused */
};

/* Response headers a request keeps (each at most REGISTRY_HEADER_MAX bytes). */
struct registry_headers {
	char *content_type;
	char *docker_digest;
	char *location;
	char *link;
	char *www_authenticate;
	char *retry_after;
	char *filters_applied; /* OCI-Filters-Applied */
};

struct registry_request {
	const char *method;          /* GET HEAD POST PUT PATCH */
	const char *url;             /* absolute */
	const char *scope;           /* token scope; NULL for a token request itself (Basic only) */
	const char *accept;
	const char *content_type;
	const char *content_range;
	const void *body;
	size_t body_len;
	int follow_redirects;        /* blobs may be served from another host (S3-style) */
	int retry_on_server_error;   /* idempotent enough to repeat after 429/5xx */
	size_t max_body;             /* limit for body_out */
	cairn_buf *body_out;         /* the 2xx body, when not streamed */
	cairn_registry_sink sink;    /* streamed 2xx body */
	void *sink_arg;
	const char *progress_label;  /* non-NULL: progress line on a terminal */
	/* results */
	long status;
	struct registry_headers headers;
	cairn_buf error_body;        /* body of a >= 400 answer */
	int sent_credentials;        /* the last attempt carried Basic credentials or a token */
	uint64_t delivered;          /* 2xx bytes given to sink or body_out */
	int sink_error;              /* what the sink returned when it aborted */
};

void registry_request_free(struct registry_request *req);
/* Sends req with the client's authentication, answering 401 challenges (at most twice), retrying
 * connection failures and (when allowed) 429/5xx with back-off, and falling back to plain HTTP once
 * when a loopback or insecure registry does not speak TLS. 0 with req->status set when an HTTP answer
 * came back (whatever its status); an error when none did. */
int registry_perform(cairn_registry *reg, struct registry_request *req);

/* Sets an error for an unexpected status, naming registry, repository and what was asked
 * (`what`: "manifest v1", "blob sha256:..."), with the registry's own message when it sent one. */
int registry_status_error(cairn_registry *reg, const struct registry_request *req, const char *repository,
			  const char *what);

/* Authentication (registry_auth.c). */
int registry_credentials_resolve(cairn_registry *reg, const cairn_registry_options *opts);
/* After a 401: prepares what the next attempt sends (a token for req->scope, or Basic). 0 when a
 * retry is worthwhile, an error naming the registry otherwise. */
int registry_auth_answer(cairn_registry *reg, struct registry_request *req);
const char *registry_token_find(const cairn_registry *reg, const char *scope);
int registry_host_is_insecure(const cairn_registry *reg, const char *host);

/* Shared by the operations (registry.c, registry_push.c). */
/* Appends "<base>/v2/<repository>/<kind>/<reference>" (reference NULL: ends after kind). */
int registry_api_url(const cairn_registry *reg, cairn_buf *out, const char *repository, const char *kind,
		     const char *reference);
/* "repository:<name>:pull" or "...:pull,push". */
int registry_scope(cairn_buf *out, const char *repository, int push);
/* Checks a repository name and a reference (a tag, or a digest parsed into *digest with *is_digest). */
int registry_check_target(const char *repository, const char *reference, cairn_digest *digest, int *is_digest);

/* "%XX"-escapes everything outside RFC 3986's unreserved set. */
int registry_url_escape(cairn_buf *out, const char *text);

#endif
