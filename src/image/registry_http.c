/* One registry HTTP request through libcurl, with everything around it: authentication after a 401,
 * retries with back-off, the plain-HTTP fallback for loopback and insecure registries, response
 * headers, bounded bodies, progress on a terminal, and the parsers of Retry-After and Link.
 *
 * Transport choices, and why:
 * - TLS always verifies the peer (system CAs, plus ca_file). A loopback registry (as Docker treats
 *   127.0.0.0/8) or one named insecure is tried with https first, and only if the server does not
 *   speak TLS at all (the handshake fails, CURLE_SSL_CONNECT_ERROR) does the client fall back to plain
 *   http for the rest of its life. A certificate that does not verify is never a reason to fall back:
 *   it is reported. This lets one rule serve a TLS registry on 127.0.0.1 and a plain one.
 * - Redirects are followed only for blobs (registries hand them to object storage). libcurl does not
 *   send credentials set through CURLOPT_USERNAME/CURLOPT_XOAUTH2_BEARER to another host, port or
 *   scheme on a redirect (CURLOPT_UNRESTRICTED_AUTH stays off), so a token never leaks to S3.
 * - No request has a total timeout (a large blob may take long); a connection that sends nothing
 *   for LOW_SPEED_TIME seconds is dropped instead, and connecting is bounded. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "registry_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "dev"
#endif

#define CONNECT_TIMEOUT_S 30L
#define LOW_SPEED_TIME_S 60L
#define MAX_REDIRECTS 5L
#define MAX_AUTH_ROUNDS 2

int registry_url_escape(cairn_buf *out, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		bool unreserved = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				  *p == '-' || *p == '.' || *p == '_' || *p == '~';
		int err = unreserved ? cairn_buf_append_byte(out, *p) : cairn_buf_printf(out, "%%%02X", *p);
		if (err)
			return err;
	}
	return 0;
}

/* ---- Retry-After and Link ------------------------------------------------------------------------ */

int registry_retry_after_parse(const char *value, time_t now, long *seconds)
{
	while (*value == ' ' || *value == '\t')
		value++;
	size_t len = strlen(value);
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (len == 0 || len > 64)
		return cairn_error_set(CAIRN_EINVAL, "Retry-After: empty or too long");
	if (strspn(value, "0123456789") == len) {
		long total = 0;
		for (size_t i = 0; i < len; i++)
			total = total > 100000000L ? total : total * 10 + (value[i] - '0'); /* saturates */
		*seconds = total;
		return 0;
	}
	char text[65];
	memcpy(text, value, len);
	text[len] = '\0';
	static const char *const formats[] = {
		"%a, %d %b %Y %H:%M:%S GMT", /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		"%A, %d-%b-%y %H:%M:%S GMT", /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		"%a %b %e %H:%M:%S %Y",      /* asctime: Sun Nov  6 08:49:37 1994 */
	};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		const char *end = strptime(text, formats[i], &tm);
		if (end == NULL || *end != '\0')
			continue;
		time_t when = timegm(&tm);
		if (when == (time_t)-1)
			continue;
		*seconds = when > now ? (long)(when - now > 100000000 ? 100000000 : when - now) : 0;
		return 0;
	}
	return cairn_error_set(CAIRN_EINVAL, "Retry-After \"%s\": neither seconds nor an HTTP date", text);
}

/* Does a Link parameter list (after the '>') say rel="next"? Stops at the ',' ending the link. */
static bool link_params_next(const char **pp)
{
	const char *p = *pp;
	bool next = false;
	while (*p != '\0' && *p != ',') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *name = p;
		while (*p != '\0' && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
			p++;
		size_t name_len = (size_t)(p - name);
		while (*p == ' ')
			p++;
		char value[64] = "";
		size_t value_len = 0;
		if (*p == '=') {
			p++;
			while (*p == ' ')
				p++;
			bool quoted = *p == '"';
			p += quoted;
			while (*p != '\0' && (quoted ? *p != '"' : (*p != ';' && *p != ',' && *p != ' '))) {
				if (value_len + 1 < sizeof value)
					value[value_len++] = *p;
				p++;
			}
			value[value_len] = '\0';
			p += quoted && *p == '"';
		}
		if (name_len == 3 && strncasecmp(name, "rel", 3) == 0) {
			/* rel may list several space-separated relation types. */
			for (char *save = NULL, *t = strtok_r(value, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
				if (strcasecmp(t, "next") == 0)
					next = true;
		}
		while (*p == ' ')
			p++;
		if (name_len == 0 && *p != ';' && *p != ',' && *p != '\0')
			p++; /* skip a stray character rather than loop on it */
	}
	*pp = p;
	return next;
}

int registry_link_next(const char *header, char **next)
{
	*next = NULL;
	if (strnlen(header, REGISTRY_HEADER_MAX + 1) > REGISTRY_HEADER_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "Link: header longer than %d bytes", REGISTRY_HEADER_MAX);
	const char *p = header;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		if (*p != '<')
			return cairn_error_set(CAIRN_EINVAL, "Link: expected '<' at \"%.40s\"", p);
		const char *close = strchr(p, '>');
		if (close == NULL)
			return cairn_error_set(CAIRN_EINVAL, "Link: unterminated '<'");
		const char *target = p + 1;
		size_t target_len = (size_t)(close - target);
		p = close + 1;
		if (link_params_next(&p)) {
			if (target_len == 0)
				return cairn_error_set(CAIRN_EINVAL, "Link: empty next target");
			*next = strndup(target, target_len);
			return *next != NULL ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
		}
	}
}

/* ---- Callbacks ----------------------------------------------------------------------------------- */

struct transfer {
	cairn_registry *reg;
	struct registry_request *req;
	bool show_progress;
	struct timespec last_progress;
};

static void headers_free(struct registry_headers *h)
{
	free(h->content_type);
	free(h->docker_digest);
	free(h->location);
	free(h->link);
	free(h->www_authenticate);
	free(h->retry_after);
	free(h->filters_applied);
	memset(h, 0, sizeof *h);
}

void registry_request_free(struct registry_request *req)
{
	headers_free(&req->headers);
	cairn_buf_free(&req->error_body);
}

static size_t on_header(char *line, size_t size, size_t count, void *arg)
{
	struct transfer *t = arg;
	struct registry_headers *h = &t->req->headers;
	size_t len = size * count;
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		headers_free(h); /* a new response (after a redirect or a 100 Continue) */
		return len;
	}
	const char *colon = memchr(line, ':', len);
	if (colon == NULL)
		return len;
	size_t name_len = (size_t)(colon - line);
	const char *value = colon + 1;
	size_t value_len = len - name_len - 1;
	while (value_len > 0 && (*value == ' ' || *value == '\t'))
		value++, value_len--;
	while (value_len > 0 && strchr(" \t\r\n", value[value_len - 1]) != NULL)
		value_len--;
	static const char *const names[] = {"content-type", "docker-content-digest", "location", "link",
					    "www-authenticate", "retry-after", "oci-filters-applied"};
	char **slots[] = {&h->content_type, &h->docker_digest,   &h->location,       &h->link,
			  &h->www_authenticate, &h->retry_after, &h->filters_applied};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i]) != name_len || strncasecmp(names[i], line, name_len) != 0)
			continue;
		char **slot = slots[i];
		if (*slot != NULL || value_len > REGISTRY_HEADER_MAX)
			break; /* the first wins; an over-long value is ignored (treated as absent) */
		*slot = strndup(value, value_len);
		if (*slot == NULL)
			return 0;
		break;
	}
	return len;
}

static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
	struct transfer *t = arg;
	struct registry_request *req = t->req;
	size_t len = size * count;
	long status = 0;
	curl_easy_getinfo(t->reg->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status >= 300) {
		/* An error's body is only read for its message; the rest is dropped. */
		size_t room = REGISTRY_ERROR_BODY_MAX - req->error_body.len;
		if (cairn_buf_append(&req->error_body, data, len < room ? len : room) != 0)
			return 0;
		return len;
	}
	if (req->sink != NULL) {
		int err = req->sink(req->sink_arg, data, len);
		if (err) {
			req->sink_error = err;
			return 0;
		}
	} else if (req->body_out != NULL) {
		if (req->body_out->len + len > req->max_body) {
			req->sink_error = cairn_error_set(CAIRN_ETOOBIG, "the response is larger than %zu bytes",
							  req->max_body);
			return 0;
		}
		if (cairn_buf_append(req->body_out, data, len) != 0) {
			req->sink_error = cairn_error_code();
			return 0;
		}
	}
	req->delivered += len;
	return len;
}

static void show_progress(const char *label, curl_off_t now, curl_off_t total, bool final)
{
	double mib = 1024.0 * 1024.0;
	if (total > 0)
		fprintf(stderr, "\r%s: %.1f / %.1f MiB", label, (double)now / mib, (double)total / mib);
	else
		fprintf(stderr, "\r%s: %.1f MiB", label, (double)now / mib);
	fputs(final ? "\n" : "\033[K", stderr);
	fflush(stderr);
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long elapsed_ms = (now.tv_sec - t->last_progress.tv_sec) * 1000 + (now.tv_nsec - t->last_progress.tv_nsec) / 1000000;
	if (elapsed_ms < 200)
		return 0;
	t->last_progress = now;
	bool upload = ultotal > 0;
	show_progress(t->req->progress_label, upload ? ulnow : dlnow, upload ? ultotal : dltotal, false);
	return 0;
}

/* ---- One attempt --------------------------------------------------------------------------------- */

static void set_auth(cairn_registry *reg, struct registry_request *req)
{
	CURL *c = reg->curl;
	req->sent_credentials = 0;
	const char *token = req->scope != NULL ? registry_token_find(reg, req->scope) : NULL;
	if (token != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token);
		req->sent_credentials = 1;
	} else if (reg->username != NULL && (req->scope == NULL || reg->use_basic)) {
		/* A token request (scope NULL) always carries the credentials; registry requests do once the
		 * registry asked for Basic. */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, reg->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, reg->password);
		req->sent_credentials = 1;
	}
}

static struct curl_slist *build_headers(const struct registry_request *req, int *failed)
{
	char line[512];
	const char *values[3][2] = {
		{"Accept", req->accept},
		{"Content-Type", req->content_type},
		{"Content-Range", req->content_range},
	};
	struct curl_slist *list = NULL, *grown;
	/* No "Expect: 100-continue" round trip before uploads. */
	list = curl_slist_append(list, "Expect:");
	*failed = list == NULL;
	for (size_t i = 0; i < 3 && !*failed; i++) {
		if (values[i][1] == NULL)
			continue;
		snprintf(line, sizeof line, "%s: %s", values[i][0], values[i][1]);
		grown = curl_slist_append(list, line);
		*failed = grown == NULL;
		list = grown != NULL ? grown : list;
	}
	return list;
}

static CURLcode attempt(cairn_registry *reg, struct registry_request *req, const char *url, char *errbuf)
{
	CURL *c = reg->curl;
	curl_easy_reset(c);
	struct transfer t = {reg, req, false, {0, 0}};
	int failed;
	struct curl_slist *headers = build_headers(req, &failed);
	if (failed) {
		curl_slist_free_all(headers);
		return CURLE_OUT_OF_MEMORY;
	}
	bool plain = strncmp(reg->base_url, "http://", 7) == 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, plain ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cairn/" CAIRN_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME_S);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
	if (reg->ca_file != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, reg->ca_file);
		if (access("/etc/ssl/certs", R_OK) == 0) /* keep the system CAs beside the extra bundle */
			curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	set_auth(reg, req);
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	t.show_progress = req->progress_label != NULL && reg->progress && isatty(STDERR_FILENO);
	if (t.show_progress) {
		clock_gettime(CLOCK_MONOTONIC, &t.last_progress);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &req->status);
	if (t.show_progress) {
		curl_off_t done = 0;
		curl_easy_getinfo(c, req->body_len > 0 ? CURLINFO_SIZE_UPLOAD_T : CURLINFO_SIZE_DOWNLOAD_T, &done);
		show_progress(req->progress_label, done, done, true);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	return rc;
}

/* ---- The retry loop ------------------------------------------------------------------------------ */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static long backoff_ms(const cairn_registry *reg, const struct registry_request *req, int retry)
{
	long seconds;
	if (req->headers.retry_after != NULL && registry_retry_after_parse(req->headers.retry_after, time(NULL), &seconds) == 0)
		return seconds >= REGISTRY_RETRY_CAP_S ? REGISTRY_RETRY_CAP_S * 1000L : seconds * 1000L;
	long ms = reg->retry_base_ms;
	for (int i = 0; i < retry && ms < REGISTRY_RETRY_CAP_S * 1000L; i++)
		ms *= 2;
	return ms < REGISTRY_RETRY_CAP_S * 1000L ? ms : REGISTRY_RETRY_CAP_S * 1000L;
}

static bool is_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM: return true;
	default: return false;
	}
}

/* The loopback or insecure registry does not speak TLS: from now on use http. */
static int downgrade(cairn_registry *reg, cairn_buf *url)
{
	cairn_buf rebuilt = CAIRN_BUF_INIT;
	size_t base_len = strlen(reg->base_url);
	int err = cairn_buf_printf(&rebuilt, "http://%s", reg->host);
	if (!err && url->len >= base_len && memcmp(url->data, reg->base_url, base_len) == 0)
		err = cairn_buf_append(&rebuilt, url->data + base_len, url->len - base_len);
	char *base = err ? NULL : strdup(cairn_buf_cstr(&rebuilt)); /* only the base part */
	if (base != NULL)
		base[strlen("http://") + strlen(reg->host)] = '\0';
	if (err || base == NULL) {
		cairn_buf_free(&rebuilt);
		return err ? err : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	free(reg->base_url);
	reg->base_url = base;
	reg->may_downgrade = 0;
	cairn_buf_free(url);
	*url = rebuilt;
	return 0;
}

static int transport_error(cairn_registry *reg, const struct registry_request *req, CURLcode rc, const char *errbuf)
{
	const char *reason = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
		return cairn_error_set(CAIRN_EIO, "registry %s: TLS certificate not trusted: %s (give its CA with --ca-file)",
				       reg->registry, reason);
	if (rc == CURLE_TOO_MANY_REDIRECTS || rc == CURLE_UNSUPPORTED_PROTOCOL)
		return cairn_error_set(CAIRN_EIO, "registry %s: %s %s: refused redirect: %s", reg->registry, req->method,
				       req->url, reason);
	return cairn_error_set(CAIRN_EIO, "registry %s: %s failed: %s", reg->registry, req->method, reason);
}

int registry_perform(cairn_registry *reg, struct registry_request *req)
{
	cairn_buf url = CAIRN_BUF_INIT;
	int err = cairn_buf_append_str(&url, req->url);
	int auth_rounds = 0, retries = 0;
	char errbuf[CURL_ERROR_SIZE];
	while (!err) {
		headers_free(&req->headers);
		cairn_buf_clear(&req->error_body);
		req->status = 0;
		req->sink_error = 0;
		if (req->sink == NULL) {
			req->delivered = 0;
			if (req->body_out != NULL)
				cairn_buf_clear(req->body_out);
		}
		errbuf[0] = '\0';
		bool https = strncmp(cairn_buf_cstr(&url), "https://", 8) == 0;
		CURLcode rc = attempt(reg, req, cairn_buf_cstr(&url), errbuf);
		bool can_repeat = req->sink == NULL || req->delivered == 0;
		if (rc != CURLE_OK) {
			if (req->sink_error) {
				err = req->sink_error;
			} else if (rc == CURLE_SSL_CONNECT_ERROR && https && reg->may_downgrade && req->scope != NULL) {
				err = downgrade(reg, &url);
			} else if (is_transient(rc) && can_repeat && retries < reg->max_retries) {
				sleep_ms(backoff_ms(reg, req, retries++));
			} else {
				err = transport_error(reg, req, rc, errbuf);
			}
			continue;
		}
		if (https && req->scope != NULL)
			reg->may_downgrade = 0; /* it speaks TLS: never fall back from now on */
		if (req->status == 401 && req->scope != NULL && auth_rounds < MAX_AUTH_ROUNDS) {
			auth_rounds++;
			err = registry_auth_answer(reg, req);
			continue;
		}
		bool overloaded = req->status == 429 || (req->status >= 500 && req->status != 501);
		if (overloaded && req->retry_on_server_error && can_repeat && retries < reg->max_retries) {
			sleep_ms(backoff_ms(reg, req, retries++));
			continue;
		}
		break;
	}
	cairn_buf_free(&url);
	return err;
}

/* ---- Errors -------------------------------------------------------------------------------------- */

/* "CODE: message" from a distribution error body ({"errors":[{"code":..,"message":..}]}), printable
 * characters only. */
static void registry_message(const cairn_buf *body, char *out, size_t size)
{
	out[0] = '\0';
	json_t *root;
	cairn_json_limits limits = {REGISTRY_ERROR_BODY_MAX, 16};
	if (body->len == 0 || cairn_json_parse(&root, body->data, body->len, &limits, "error") != 0) {
		cairn_error_clear();
		return;
	}
	json_t *first = json_array_get(json_object_get(root, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));
	const char *message = json_string_value(json_object_get(first, "message"));
	if (code != NULL || message != NULL)
		snprintf(out, size, "%s%s%s", code ? code : "", code && message ? ": " : "", message ? message : "");
	for (char *p = out; *p != '\0'; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
	json_decref(root);
}

int registry_status_error(cairn_registry *reg, const struct registry_request *req, const char *repository,
			  const char *what)
{
	char said[256], suffix[300] = "";
	registry_message(&req->error_body, said, sizeof said);
	if (said[0] != '\0')
		snprintf(suffix, sizeof suffix, " (registry says: %s)", said);
	switch (req->status) {
	case 401:
		if (reg->username != NULL) /* an anonymous token that is not enough still means: log in */
			return cairn_error_set(CAIRN_EACCES, "credentials rejected for %s (repository %s)%s", reg->registry,
					       repository, suffix);
		return cairn_error_set(CAIRN_EACCES,
				       "authentication required for %s (repository %s): give --username and "
				       "--password-stdin or docker login%s",
				       reg->registry, repository, suffix);
	case 403:
		return cairn_error_set(CAIRN_EACCES, "access denied to %s in %s/%s%s", what, reg->registry, repository,
				       suffix);
	case 404:
		return cairn_error_set(CAIRN_ENOENT, "%s not found in %s/%s%s", what, reg->registry, repository, suffix);
	case 429:
		return cairn_error_set(CAIRN_EIO, "registry %s: too many requests for %s in %s, gave up after %d retries%s",
				       reg->registry, what, repository, reg->max_retries, suffix);
	default:
		return cairn_error_set(CAIRN_EIO, "registry %s: HTTP %ld for %s in %s%s", reg->registry, req->status, what,
				       repository, suffix);
	}
}
