/* The log server's sockets: libmicrohttpd with one thread per connection, a bounded number of
 * connections, an idle timeout, optional TLS (GnuTLS inside libmicrohttpd), and request bodies read
 * incrementally up to a bound. The requests themselves are answered by server_handler.c.
 *
 * Why a thread per connection and not a pool: an append blocks its caller until the entry is durable,
 * and the log batches the appends that wait at the same time. With a small pool, one waiting append
 * would hold up every connection of its pool thread and batches could never grow; with a thread per
 * connection, concurrent clients wait together and are committed together. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/logserver.h"
#include "cairn/rekor.h"
#include "server_internal.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TLS_FILE_MAX ((size_t)1 << 20)

struct cairn_logserver {
	struct MHD_Daemon *daemon;
	struct logserver_ctx ctx;
	cairn_buf tls_cert;
	cairn_buf tls_key;
	uint16_t port;
};

/* The state of one request while its body arrives. */
struct upload {
	cairn_buf body;
	int too_big;  /* the body passed the bound: the rest is dropped and the answer is 413 */
	int no_memory;
};

/* ---- responses ---- */

static enum MHD_Result send_response(struct MHD_Connection *conn, const struct logserver_response *r)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(r->body.len, r->body.data != NULL ? r->body.data : (void *)"",
						MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	char number[24];
	int ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type ? r->content_type
											   : "text/plain") == MHD_YES &&
		 MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES;
	if (ok && r->location[0] != '\0')
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location) == MHD_YES;
	if (ok && r->etag[0] != '\0')
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag) == MHD_YES;
	if (ok && r->cache_control != NULL)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control) == MHD_YES;
	if (ok && r->allow != NULL)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow) == MHD_YES;
	if (ok && r->retry_after != 0) {
		snprintf(number, sizeof number, "%u", r->retry_after);
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, number) == MHD_YES;
	}
	enum MHD_Result result = ok ? MHD_queue_response(conn, r->status, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return result;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *message)
{
	struct logserver_response r;
	memset(&r, 0, sizeof r);
	logserver_error(&r, status, message);
	enum MHD_Result result = send_response(conn, &r);
	logserver_response_free(&r);
	return result;
}

/* ---- requests ---- */

static const char *query_value(void *arg, const char *name)
{
	return MHD_lookup_connection_value(arg, MHD_GET_ARGUMENT_KIND, name);
}

/* A declared Content-Length over the bound is refused before any of the body is read. */
static int declared_too_big(struct MHD_Connection *conn, size_t max)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (length == NULL)
		return 0;
	uint64_t value;
	if (logserver_parse_u64("Content-Length", length, 0, UINT64_MAX >> 1, &value) != 0)
		return 1; /* not a number we could read: refuse rather than guess */
	return value > max;
}

static void take_upload(struct upload *up, const char *data, size_t len, size_t max)
{
	if (up->too_big || up->no_memory)
		return;
	if (len > max - up->body.len) {
		up->too_big = 1;
		cairn_buf_free(&up->body);
		return;
	}
	if (cairn_buf_append(&up->body, data, len) != 0)
		up->no_memory = 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **state)
{
	(void)version;
	cairn_logserver *server = cls;
	struct upload *up = *state;
	if (up == NULL) {
		/* First call: headers only. */
		up = calloc(1, sizeof *up);
		if (up == NULL)
			return MHD_NO;
		*state = up;
		if (declared_too_big(conn, server->ctx.body_max)) {
			up->too_big = 1;
			return send_error(conn, 413, "the request body is larger than the log accepts");
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		take_upload(up, upload_data, *upload_data_size, server->ctx.body_max);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return send_error(conn, 413, "the request body is larger than the log accepts");
	if (up->no_memory)
		return send_error(conn, 503, "the log server is out of memory");
	struct logserver_request req = {method, url, query_value, conn, up->body.data, up->body.len};
	struct logserver_response resp;
	logserver_handle(&server->ctx, &req, &resp);
	enum MHD_Result result = send_response(conn, &resp);
	logserver_response_free(&resp);
	return result;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)conn;
	(void)why;
	struct upload *up = *state;
	if (up != NULL) {
		cairn_buf_free(&up->body);
		free(up);
		*state = NULL;
	}
}

/* libmicrohttpd's own complaints (a bind that failed, a TLS setup error) become the thread's error,
 * so cairn_logserver_start can report them. They never hold key material. */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char text[512];
	vsnprintf(text, sizeof text, fmt, ap);
	size_t len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	cairn_error_set(CAIRN_EIO, "HTTP server: %s", text);
}

/* ---- start and stop ---- */

static int resolve(const char *addr, struct sockaddr_storage *sa, socklen_t *sa_len, int *ipv6)
{
	char host[256];
	uint16_t port;
	int err = cairn_logserver_parse_addr(addr, host, sizeof host, &port);
	if (err)
		return err;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	char service[8];
	snprintf(service, sizeof service, "%u", port);
	int rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0 || res == NULL)
		return cairn_error_set(CAIRN_EINVAL, "address %s: cannot resolve %s (%s)", addr ? addr : "", host,
				       gai_strerror(rc));
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*sa_len = res->ai_addrlen;
	*ipv6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

static int load_tls(cairn_logserver *server, const cairn_logserver_options *opts)
{
	if (opts->tls_cert_file == NULL && opts->tls_key_file == NULL)
		return 0;
	if (opts->tls_cert_file == NULL || opts->tls_key_file == NULL)
		return cairn_error_set(CAIRN_EINVAL, "TLS needs both a certificate and its private key");
	server->tls_key.secret = 1; /* zeroed when freed or moved */
	int err = cairn_file_read(opts->tls_cert_file, TLS_FILE_MAX, &server->tls_cert);
	if (!err)
		err = cairn_file_read(opts->tls_key_file, CAIRN_FILE_LIMIT_SMALL, &server->tls_key);
	return err;
}

static void server_free(cairn_logserver *server)
{
	logserver_ctx_free(&server->ctx);
	cairn_buf_free(&server->tls_cert);
	cairn_buf_free_secret(&server->tls_key);
	free(server);
}

int cairn_logserver_start(cairn_logserver **out, const cairn_logserver_options *opts)
{
	*out = NULL;
	if (opts == NULL || opts->log == NULL || opts->key == NULL)
		return cairn_error_set(CAIRN_EINVAL, "log server: needs a log and its key");
	struct sockaddr_storage sa;
	socklen_t sa_len = 0;
	int ipv6 = 0;
	int err = resolve(opts->addr, &sa, &sa_len, &ipv6);
	if (err)
		return err;
	cairn_logserver *server = calloc(1, sizeof *server);
	if (server == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	err = logserver_ctx_init(&server->ctx, opts->log, opts->key, opts->body_max);
	if (!err)
		err = load_tls(server, opts);
	if (err) {
		server_free(server);
		return err;
	}
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0) | (server->tls_cert.len ? MHD_USE_TLS : 0);
	unsigned limit = opts->connection_limit ? opts->connection_limit : CAIRN_LOGSERVER_MAX_CONNECTIONS;
	unsigned timeout = opts->timeout_s ? opts->timeout_s : CAIRN_LOGSERVER_TIMEOUT_S;
	struct MHD_OptionItem tls_options[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cairn_buf_cstr(&server->tls_cert)},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cairn_buf_cstr(&server->tls_key)},
		{MHD_OPTION_END, 0, NULL},
	};
	cairn_error_clear();
	server->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, server, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_ARRAY,
		server->tls_cert.len ? tls_options : tls_options + 2, MHD_OPTION_END);
	if (server->daemon == NULL) {
		char host[256];
		uint16_t port = 0;
		cairn_logserver_parse_addr(opts->addr, host, sizeof host, &port);
		err = cairn_error_code() != 0 ? cairn_error_prefix(CAIRN_EIO, "cannot serve on %s:%u", host, port)
					      : cairn_error_set(CAIRN_EIO, "cannot serve on %s:%u (address in use?)", host, port);
		server_free(server);
		return err;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info != NULL ? info->port : 0;
	*out = server;
	return 0;
}

uint16_t cairn_logserver_port(const cairn_logserver *server) { return server->port; }

void cairn_logserver_stop(cairn_logserver *server)
{
	if (server == NULL)
		return;
	/* Stop accepting first; MHD_stop_daemon then waits for every connection's thread, so an append
	 * in flight is finished (and durable) before the caller closes the log. */
	MHD_socket listener = MHD_quiesce_daemon(server->daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	MHD_stop_daemon(server->daemon);
	server_free(server);
}
