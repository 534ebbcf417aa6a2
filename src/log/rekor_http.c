/* rekor_http.c - the HTTP client of a Rekor v1 log: one libcurl request at a time, https or loopback
 * http, no redirects, bounded response bodies. Used by `cairn log` (info, get, monitor, trusted-root)
 * and by `cairn sign-blob --rekor-url` (through rekor_upload.c); it was cmd_log.c's own client.
 *
 * A client is cheap (a URL and a CA file name); each request makes its own curl handle, since the
 * commands send a handful of requests and a shared handle would tie a client to one thread. */
#include "cairn/error.h"
#include "cairn/rekor.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REKOR_CONNECT_TIMEOUT_S 30L
#define REKOR_REQUEST_TIMEOUT_S 120L
#define REKOR_ERROR_MESSAGE_MAX 300 /* how much of a log's error message is repeated */

int cairn_rekor_client_init(cairn_rekor_client *c, const char *url, const char *ca_file)
{
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		len--;
	if (len == 0 || len >= sizeof c->base)
		return cairn_error_set(CAIRN_EINVAL, "URL %s: empty or too long", url);
	memcpy(c->base, url, len);
	c->base[len] = '\0';
	c->ca_file = ca_file;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int err = 0;
	if (u == NULL || curl_url_set(u, CURLUPART_URL, c->base, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		err = cairn_error_set(CAIRN_EINVAL, "%s: not a URL", url);
	} else if (strcasecmp(scheme, "https") != 0) {
		int loopback = strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0 ||
			       strcasecmp(host, "localhost") == 0;
		if (strcasecmp(scheme, "http") != 0 || !loopback)
			err = cairn_error_set(CAIRN_EINVAL, "%s: only https is allowed (plain http only to a loopback address)",
					      url);
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return err;
}

struct body_sink {
	cairn_buf *out;
	size_t max;
	int too_big;
};

/* Keeps the body until it passes the bound; then stops the transfer (returning less than given). */
static size_t on_body(char *data, size_t size, size_t count, void *arg)
{
	struct body_sink *s = arg;
	size_t n = size * count;
	if (n > s->max - s->out->len) {
		s->too_big = 1;
		return 0;
	}
	return cairn_buf_append(s->out, data, n) == 0 ? n : 0;
}

int cairn_rekor_client_request(const cairn_rekor_client *c, const char *path, const void *post_body, size_t post_len,
			       size_t max, cairn_buf *out, long *status)
{
	char url[4096];
	if ((size_t)snprintf(url, sizeof url, "%s%s", c->base, path) >= sizeof url)
		return cairn_error_set(CAIRN_EINVAL, "%s%s: the URL is too long", c->base, path);
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return cairn_error_set(CAIRN_EINTERNAL, "cannot start libcurl");
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct body_sink sink = {out, out->len + max, 0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, REKOR_CONNECT_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, REKOR_REQUEST_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "cairn/" CAIRN_VERSION);
	if (c->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
	int err = 0;
	if (post_body != NULL) {
		headers = curl_slist_append(NULL, "Content-Type: application/json");
		if (headers == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)post_body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post_len);
	}
	if (!err) {
		CURLcode rc = curl_easy_perform(curl);
		if (sink.too_big)
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: the response is larger than %zu bytes", url, max);
		else if (rc != CURLE_OK)
			err = cairn_error_set(CAIRN_EIO, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		else
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return err;
}

int cairn_rekor_client_get_ok(const cairn_rekor_client *c, const char *path, size_t max, cairn_buf *out)
{
	long status = 0;
	size_t start = out->len;
	int err = cairn_rekor_client_request(c, path, NULL, 0, max, out, &status);
	if (err)
		return err;
	if (status == 200)
		return 0;
	/* Rekor and cairn answer errors as {"code", "message"}; the message says what was wrong. */
	json_t *doc = json_loadb((const char *)out->data + start, out->len - start, 0, NULL);
	const char *message = json_string_value(json_object_get(doc, "message"));
	err = cairn_error_set(status == 404 ? CAIRN_ENOENT : CAIRN_EIO, "%s%s: HTTP %ld%s%.*s", c->base, path, status,
			      message ? ": " : "", REKOR_ERROR_MESSAGE_MAX, message ? message : "");
	json_decref(doc);
	return err;
}
