/* cairn log: run a transparency log server, and query, verify and monitor one (cairn/logserver.h,
 * cairn/logstore.h, cairn/rekor.h). The client side speaks the Rekor v1 API and C2SP checkpoints. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "cairn/logserver.h"
#include "cairn/logstore.h"
#include "cairn/note.h"
#include "cairn/rekor.h"
#include "cairn/sig.h"
#include "cairn/trustroot.h"
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RESPONSE_MAX CAIRN_REKOR_MAX_RESPONSE
#define MONITOR_INTERVAL_MAX 86400
#define TRUSTED_ROOT_MEDIA_TYPE "application/vnd.dev.sigstore.trustedroot+json;version=0.1"

const char cmd_log_usage[] =
	"usage: cairn log serve --db FILE --key KEY [--addr HOST:PORT] [--origin NAME]\n"
	"                       [--tls-cert PEM --tls-key PEM] [--port-file FILE]\n"
	"                       [--queue-max N] [--batch-wait-ms MS]\n"
	"       cairn log info URL [--public-key PEM] [--ca-file PEM]\n"
	"       cairn log get URL (--index N | --uuid UUID) [--public-key PEM] [-o text|json] [--ca-file PEM]\n"
	"       cairn log monitor URL --state FILE --public-key PEM [--interval SECONDS] [--once] [--ca-file PEM]\n"
	"       cairn log trusted-root --public-key PEM --url URL [--start RFC3339] [--add-to FILE] [--ca-file PEM]\n"
	"\n"
	"serve         runs a transparency log: the Rekor v1 API (/api/v1/log/...) and the C2SP tlog-tiles\n"
	"              read API (/checkpoint, /tile/...). Entries (hashedrekord 0.0.1, dsse 0.0.1, intoto\n"
	"              0.0.2) are verified before they are accepted and are acknowledged once durable. Listens\n"
	"              on 127.0.0.1:3000 unless --addr says otherwise (port 0 picks a free port; --port-file\n"
	"              receives it once the server listens). The key (ECDSA P-256/P-384 or Ed25519) signs\n"
	"              checkpoints and entry timestamps; an encrypted key's passphrase comes from\n"
	"              CAIRN_PASSWORD or a prompt. --origin names the log in its checkpoints; Sigstore\n"
	"              verifiers expect the log's URL without its scheme (the default is HOST:PORT).\n"
	"              SIGINT or SIGTERM stop it after the requests in flight. --queue-max bounds the\n"
	"              appends waiting to be integrated (default 4096; more are answered 503 with\n"
	"              Retry-After); --batch-wait-ms is how long a batch waits for more appends (default 1).\n"
	"info          prints the log's origin, size and root hash; verifies the checkpoint's signature\n"
	"              when --public-key is given.\n"
	"get           prints one entry and verifies its inclusion proof against the checkpoint served\n"
	"              with it; with --public-key also the checkpoint's signature and the signed entry\n"
	"              timestamp.\n"
	"monitor       on every poll, fetches the checkpoint, verifies its signature and that it is\n"
	"              consistent with the last verified one kept in --state (written atomically). A\n"
	"              failed consistency proof (a fork), a smaller tree (a rollback) or another root for\n"
	"              the same size ends it with an ALARM and exit status 1. --once polls once.\n"
	"trusted-root  prints a Sigstore trusted_root.json naming the log (or, with --add-to, the given\n"
	"              trusted root with the log added), for cairn verify-blob --trusted-root. The key is\n"
	"              valid from --start, by default from the log's first entry (asked of the log at URL).\n"
	"\n"
	"URLs are https, or plain http to a loopback address. --ca-file adds a CA for https.\n"
	"exit status: 0 success; 1 a verification failed or the monitor raised an alarm; 2 bad usage or\n"
	"unreadable input; 3 an I/O, network or internal failure.\n";

struct log_args {
	const char *db, *key, *addr, *origin, *tls_cert, *tls_key, *port_file;
	const char *public_key, *ca_file, *state, *url, *start, *add_to, *uuid, *index;
	long interval;
	unsigned long queue_max, batch_wait_ms; /* serve: 0 for the log's defaults */
	int once, json;
	char **operands;
	int operand_count;
};

enum log_option {
	OPT_DB = 0x200, OPT_KEY, OPT_ADDR, OPT_ORIGIN, OPT_TLS_CERT, OPT_TLS_KEY, OPT_PORT_FILE, OPT_PUBLIC_KEY,
	OPT_CA_FILE, OPT_STATE, OPT_INTERVAL, OPT_ONCE, OPT_URL, OPT_START, OPT_ADD_TO, OPT_INDEX, OPT_UUID,
	OPT_OUTPUT, OPT_QUEUE_MAX, OPT_BATCH_WAIT_MS, OPT_HELP,
};

#define QUEUE_MAX_LIMIT 1048576UL /* the log's own bound (cairn_log_open refuses more) */
#define BATCH_WAIT_MS_LIMIT 10000UL

/* A serve option's number in [1, max]; a usage error naming the option otherwise. */
static int parse_count(const char *option, const char *text, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value < 1 || value > max)
		return cli_usage_error("log", "%s needs a number from 1 to %lu", option, max);
	*out = value;
	return 0;
}

static int parse_args(int argc, char **argv, struct log_args *a)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"key", required_argument, NULL, OPT_KEY},
		{"addr", required_argument, NULL, OPT_ADDR},
		{"origin", required_argument, NULL, OPT_ORIGIN},
		{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
		{"tls-key", required_argument, NULL, OPT_TLS_KEY},
		{"port-file", required_argument, NULL, OPT_PORT_FILE},
		{"public-key", required_argument, NULL, OPT_PUBLIC_KEY},
		{"ca-file", required_argument, NULL, OPT_CA_FILE},
		{"state", required_argument, NULL, OPT_STATE},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"once", no_argument, NULL, OPT_ONCE},
		{"url", required_argument, NULL, OPT_URL},
		{"start", required_argument, NULL, OPT_START},
		{"add-to", required_argument, NULL, OPT_ADD_TO},
		{"index", required_argument, NULL, OPT_INDEX},
		{"uuid", required_argument, NULL, OPT_UUID},
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"queue-max", required_argument, NULL, OPT_QUEUE_MAX},
		{"batch-wait-ms", required_argument, NULL, OPT_BATCH_WAIT_MS},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	/* -o is the one short option; cli_getopt takes long ones only, so it is rewritten first. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-o") == 0)
			argv[i] = (char *)"--output";
	a->interval = 60;
	optind = 1;
	int opt;
	while ((opt = cli_getopt(argc, argv, options)) != -1) {
		switch (opt) {
		case OPT_DB: a->db = optarg; break;
		case OPT_KEY: a->key = optarg; break;
		case OPT_ADDR: a->addr = optarg; break;
		case OPT_ORIGIN: a->origin = optarg; break;
		case OPT_TLS_CERT: a->tls_cert = optarg; break;
		case OPT_TLS_KEY: a->tls_key = optarg; break;
		case OPT_PORT_FILE: a->port_file = optarg; break;
		case OPT_PUBLIC_KEY: a->public_key = optarg; break;
		case OPT_CA_FILE: a->ca_file = optarg; break;
		case OPT_STATE: a->state = optarg; break;
		case OPT_ONCE: a->once = 1; break;
		case OPT_URL: a->url = optarg; break;
		case OPT_START: a->start = optarg; break;
		case OPT_ADD_TO: a->add_to = optarg; break;
		case OPT_INDEX: a->index = optarg; break;
		case OPT_UUID: a->uuid = optarg; break;
		case OPT_INTERVAL: {
			char *end;
			a->interval = strtol(optarg, &end, 10);
			if (*end != '\0' || a->interval < 1 || a->interval > MONITOR_INTERVAL_MAX)
				return cli_usage_error("log", "--interval needs a number of seconds from 1 to %d",
						       MONITOR_INTERVAL_MAX);
			break;
		}
		case OPT_OUTPUT:
			if (cli_output_json(&a->json, "log") != 0)
				return CLI_USAGE;
			break;
		case OPT_QUEUE_MAX:
			if (parse_count("--queue-max", optarg, QUEUE_MAX_LIMIT, &a->queue_max) != 0)
				return CLI_USAGE;
			break;
		case OPT_BATCH_WAIT_MS:
			if (parse_count("--batch-wait-ms", optarg, BATCH_WAIT_MS_LIMIT, &a->batch_wait_ms) != 0)
				return CLI_USAGE;
			break;
		case OPT_HELP: return -1;
		default: return cli_option_error("log", argv, opt);
		}
	}
	a->operands = argv + optind;
	a->operand_count = argc - optind;
	return 0;
}

/* ---- HTTP client ---- */

/* The library's client (rekor_http.c), shared with sign-blob --rekor-url: https anywhere, plain
 * http only to a loopback address, bounded responses. */
struct client {
	cairn_rekor_client rc;
};

static int client_init(struct client *c, const char *url, const char *ca_file)
{
	return cairn_rekor_client_init(&c->rc, url, ca_file);
}

static int client_get(const struct client *c, const char *path, size_t max, cairn_buf *out, long *status)
{
	return cairn_rekor_client_request(&c->rc, path, NULL, 0, max, out, status);
}

static int client_get_ok(const struct client *c, const char *path, size_t max, cairn_buf *out)
{
	return cairn_rekor_client_get_ok(&c->rc, path, max, out);
}

/* ---- checkpoints ---- */

/* A signed checkpoint checked with key when given (under the origin the checkpoint names, as Rekor
 * v1 signs it); without a key only its form is checked. */
static int checkpoint_open(const char *text, size_t len, const cairn_key *key, cairn_checkpoint *cp, const char *what)
{
	cairn_note *note = NULL;
	cairn_note_verifier *verifier = NULL;
	memset(cp, 0, sizeof *cp);
	int err = cairn_note_parse(&note, text, len, what);
	if (!err) {
		size_t text_len;
		const char *body = cairn_note_text(note, &text_len);
		err = cairn_checkpoint_parse(cp, body, text_len, what);
	}
	if (!err && key != NULL) {
		err = cairn_note_verifier_new(&verifier, cp->origin, key);
		if (!err) {
			const cairn_note_verifier *list[1] = {verifier};
			err = cairn_note_verify(note, list, 1);
			if (err)
				err = cairn_error_prefix(CAIRN_EVERIFY, "%s is not signed by the log's key", what);
		}
	}
	if (err && cp->origin != NULL)
		cairn_checkpoint_free(cp);
	cairn_note_verifier_free(verifier);
	cairn_note_free(note);
	return err;
}

static void hex_of(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

static int load_public_key(const char *path, cairn_key **key)
{
	*key = NULL;
	return path == NULL ? 0 : cairn_key_load_public_file(key, path);
}

/* ---- serve ---- */

/* The port a listener on host:0 would get: bound once and released, so that the default origin can
 * name the port before the log (whose checkpoints carry the origin) is opened. */
static int pick_port(const char *host, uint16_t *port)
{
	struct sockaddr_storage sa;
	memset(&sa, 0, sizeof sa);
	socklen_t len;
	int family;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&sa)->sin_addr) == 1) {
		family = AF_INET;
		((struct sockaddr_in *)&sa)->sin_family = AF_INET;
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&sa)->sin6_addr) == 1) {
		family = AF_INET6;
		((struct sockaddr_in6 *)&sa)->sin6_family = AF_INET6;
		len = sizeof(struct sockaddr_in6);
	} else {
		return cairn_error_set(CAIRN_EINVAL, "--addr %s: port 0 needs a numeric host (or give --origin)", host);
	}
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return cairn_error_set(CAIRN_EIO, "cannot open a socket");
	int err = 0;
	if (bind(fd, (struct sockaddr *)&sa, len) != 0 || getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		err = cairn_error_set(CAIRN_EIO, "cannot bind %s:0", host);
	else
		*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
						: ((struct sockaddr_in6 *)&sa)->sin6_port);
	close(fd);
	return err;
}

static int serve(struct log_args *a)
{
	if (a->db == NULL || a->key == NULL)
		return cli_usage_error("log", "serve needs --db FILE and --key KEY");
	if ((a->tls_cert == NULL) != (a->tls_key == NULL))
		return cli_usage_error("log", "--tls-cert and --tls-key go together");
	char host[256], addr[300], origin[320];
	uint16_t port;
	if (cairn_logserver_parse_addr(a->addr, host, sizeof host, &port) != 0)
		return cli_report_error();
	if (port == 0 && pick_port(host, &port) != 0)
		return cli_report_error();
	int v6 = strchr(host, ':') != NULL;
	snprintf(addr, sizeof addr, v6 ? "[%s]:%u" : "%s:%u", host, port);
	snprintf(origin, sizeof origin, "%s", a->origin != NULL ? a->origin : addr);

	/* SIGINT and SIGTERM are taken by sigwait below; blocked before any thread starts, so that no
	 * server or sequencer thread receives them. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	cairn_key *key = NULL;
	cairn_log *log = NULL;
	cairn_logserver *server = NULL;
	int status = CLI_OK;
	if (cairn_key_load_private_file(&key, a->key) != 0)
		return cli_report_error();
	cairn_log_options log_opts = {.db_path = a->db, .key = key, .origin = origin, .queue_max = a->queue_max,
				      .batch_wait_ms = (unsigned)a->batch_wait_ms};
	cairn_logserver_options opts = {.key = key, .addr = addr, .tls_cert_file = a->tls_cert, .tls_key_file = a->tls_key};
	if (cairn_log_open(&log, &log_opts) != 0) {
		status = cli_report_error();
		goto out;
	}
	opts.log = log;
	if (cairn_logserver_start(&server, &opts) != 0) {
		status = cli_report_error();
		goto out;
	}
	char port_text[16];
	snprintf(port_text, sizeof port_text, "%u\n", cairn_logserver_port(server));
	if (a->port_file != NULL && cairn_file_write_atomic(a->port_file, port_text, strlen(port_text), 0644) != 0) {
		status = cli_report_error();
		goto out;
	}
	fprintf(stderr, "cairn log: serving %s on %s://%s:%u (log %s)\n", cairn_log_origin(log),
		a->tls_cert ? "https" : "http", v6 ? addr : host, cairn_logserver_port(server), a->db);
	int sig = 0;
	sigwait(&stop_signals, &sig);
	fprintf(stderr, "cairn log: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
out:
	cairn_logserver_stop(server);
	cairn_log_close(log);
	cairn_key_free(key);
	return status;
}

/* ---- info ---- */

static int info(struct log_args *a)
{
	struct client c;
	cairn_key *key = NULL;
	cairn_buf body = CAIRN_BUF_INIT;
	json_t *doc = NULL;
	cairn_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	int err = client_init(&c, a->operands[0], a->ca_file);
	if (!err)
		err = load_public_key(a->public_key, &key);
	if (!err)
		err = client_get_ok(&c, "/api/v1/log", RESPONSE_MAX, &body);
	if (!err)
		err = cairn_json_parse(&doc, body.data, body.len, NULL, "log info");
	const char *sth = json_string_value(json_object_get(doc, "signedTreeHead"));
	const char *root_hex = json_string_value(json_object_get(doc, "rootHash"));
	json_t *size = json_object_get(doc, "treeSize");
	if (!err && (sth == NULL || root_hex == NULL || !json_is_integer(size)))
		err = cairn_error_set(CAIRN_EINVAL, "log info: needs signedTreeHead, rootHash and treeSize");
	if (!err)
		err = checkpoint_open(sth, strlen(sth), key, &cp, "the log's checkpoint");
	char cp_root[65] = "";
	if (!err) {
		hex_of(cp.root.bytes, 32, cp_root);
		if ((uint64_t)json_integer_value(size) != cp.size || strcasecmp(root_hex, cp_root) != 0)
			err = cairn_error_set(CAIRN_EVERIFY, "log info: treeSize and rootHash are not the signed checkpoint's");
	}
	if (!err) {
		printf("origin:     %s\n", cp.origin);
		printf("tree size:  %" PRIu64 "\n", cp.size);
		printf("root hash:  %s\n", cp_root);
		const char *tree_id = json_string_value(json_object_get(doc, "treeID"));
		printf("tree ID:    %s\n", tree_id != NULL ? tree_id : "");
		printf("checkpoint: %s\n", key != NULL ? "signature verified" : "signature not checked (no --public-key)");
	}
	if (cp.origin != NULL)
		cairn_checkpoint_free(&cp);
	json_decref(doc);
	cairn_buf_free(&body);
	cairn_key_free(key);
	return err ? cli_report_error() : CLI_OK;
}

/* ---- get ---- */

static int get(struct log_args *a)
{
	if ((a->index == NULL) == (a->uuid == NULL))
		return cli_usage_error("log", "get needs one of --index N and --uuid UUID");
	char path[256], uuid[65] = "";
	uint64_t index = 0;
	if (a->index != NULL) {
		char *end;
		if (a->index[0] < '0' || a->index[0] > '9' || (index = strtoull(a->index, &end, 10), *end != '\0') ||
		    index > INT64_MAX)
			return cli_usage_error("log", "--index needs a non-negative number");
		snprintf(path, sizeof path, "/api/v1/log/entries?logIndex=%" PRIu64, index);
	} else {
		if (cairn_rekor_uuid_parse(a->uuid, uuid) != 0)
			return cli_report_error();
		snprintf(path, sizeof path, "/api/v1/log/entries/%s", uuid);
	}
	struct client c;
	cairn_key *key = NULL;
	cairn_buf body = CAIRN_BUF_INIT;
	cairn_rekor_log_entry e;
	memset(&e, 0, sizeof e);
	int parsed = 0;
	int err = client_init(&c, a->operands[0], a->ca_file);
	if (!err)
		err = load_public_key(a->public_key, &key);
	if (!err)
		err = client_get_ok(&c, path, RESPONSE_MAX, &body);
	if (!err && (err = cairn_rekor_log_entry_parse(&e, body.data, body.len, "the log's entry")) == 0)
		parsed = 1;
	if (!err && a->index != NULL && e.log_index != index)
		err = cairn_error_set(CAIRN_EVERIFY, "asked for index %" PRIu64 ", the log answered with %" PRIu64, index,
				      e.log_index);
	if (!err && a->uuid != NULL && strcmp(e.uuid, uuid) != 0)
		err = cairn_error_set(CAIRN_EVERIFY, "asked for UUID %s, the log answered with %s", uuid, e.uuid);
	if (!err)
		err = cairn_rekor_log_entry_verify(&e, key);
	if (!err && a->json) {
		fwrite(body.data, 1, body.len, stdout);
		putchar('\n');
	} else if (!err) {
		printf("uuid:            %s\n", e.uuid);
		printf("log index:       %" PRIu64 "\n", e.log_index);
		printf("kind:            %s %s\n", e.kind, e.version);
		printf("integrated time: %" PRId64 "\n", e.integrated_time);
		printf("log ID:          %s\n", e.log_id_hex);
		printf("inclusion proof: verified in the tree of size %" PRIu64 "\n", e.tree_size);
		printf("checkpoint:      %s\n", key != NULL ? "signature verified" : "signature not checked (no --public-key)");
		printf("entry timestamp: %s\n", key != NULL ? "signature verified" : "not checked (no --public-key)");
		printf("body:            %.*s\n", (int)e.body.len, (const char *)e.body.data);
	}
	if (parsed)
		cairn_rekor_log_entry_free(&e);
	cairn_buf_free(&body);
	cairn_key_free(key);
	return err ? cli_report_error() : CLI_OK;
}

/* ---- monitor ---- */

static int alarm_exit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int alarm_exit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("cairn log monitor: ALARM: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return CLI_FAILED;
}

/* The consistency proof from old to new, fetched from the log and checked against both roots. */
static int check_consistency(const struct client *c, const cairn_checkpoint *old, const cairn_checkpoint *new)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/log/proof?firstSize=%" PRIu64 "&lastSize=%" PRIu64, old->size, new->size);
	cairn_buf body = CAIRN_BUF_INIT;
	json_t *doc = NULL;
	cairn_merkle_hash proof[CAIRN_MERKLE_MAX_PROOF];
	size_t count = 0;
	int err = client_get_ok(c, path, RESPONSE_MAX, &body);
	if (!err)
		err = cairn_json_parse(&doc, body.data, body.len, NULL, "consistency proof");
	json_t *hashes = json_object_get(doc, "hashes");
	if (!err && (!json_is_array(hashes) || json_array_size(hashes) > CAIRN_MERKLE_MAX_PROOF))
		err = cairn_error_set(CAIRN_EVERIFY, "consistency proof: hashes must be an array of at most %d",
				      CAIRN_MERKLE_MAX_PROOF);
	for (size_t i = 0; !err && i < json_array_size(hashes); i++) {
		const char *hex = json_string_value(json_array_get(hashes, i));
		cairn_buf raw = CAIRN_BUF_INIT;
		err = hex == NULL ? cairn_error_set(CAIRN_EVERIFY, "consistency proof: hashes[%zu] is not a string", i)
				  : cairn_hex_decode(&raw, hex, strlen(hex));
		if (!err)
			err = cairn_merkle_hash_from_bytes(&proof[count++], raw.data, raw.len, "consistency proof hash");
		cairn_buf_free(&raw);
	}
	if (!err)
		err = cairn_merkle_verify_consistency(old->size, new->size, proof, count, &old->root, &new->root);
	json_decref(doc);
	cairn_buf_free(&body);
	return err;
}

/* One poll: 0 when the new checkpoint is verified (and saved), CLI_FAILED after an alarm, or the
 * status of an error (already reported). */
static int monitor_poll(const struct client *c, const cairn_key *key, const char *state_path)
{
	cairn_buf old_text = CAIRN_BUF_INIT, new_text = CAIRN_BUF_INIT;
	cairn_checkpoint old, new;
	memset(&old, 0, sizeof old);
	memset(&new, 0, sizeof new);
	int have_old = cairn_file_exists(state_path), status = CLI_OK;
	if (have_old && (cairn_file_read(state_path, CAIRN_NOTE_MAX_SIZE, &old_text) != 0 ||
			 checkpoint_open((const char *)old_text.data, old_text.len, key, &old, "the state file's checkpoint") != 0)) {
		status = cli_report_error();
		have_old = 0;
		goto out;
	}
	if (client_get_ok(c, "/checkpoint", CAIRN_NOTE_MAX_SIZE, &new_text) != 0) {
		status = cli_report_error();
		goto out;
	}
	if (checkpoint_open((const char *)new_text.data, new_text.len, key, &new, "the log's checkpoint") != 0) {
		status = alarm_exit("%s", cairn_error_message());
		goto out;
	}
	char root[65];
	hex_of(new.root.bytes, 32, root);
	if (have_old) {
		char old_root[65];
		hex_of(old.root.bytes, 32, old_root);
		if (strcmp(old.origin, new.origin) != 0) {
			status = alarm_exit("the log now calls itself \"%s\", not \"%s\"", new.origin, old.origin);
			goto out;
		}
		if (new.size < old.size) {
			status = alarm_exit("rollback: the log's tree has %" PRIu64 " entries, fewer than the %" PRIu64
					    " of the checkpoint verified before",
					    new.size, old.size);
			goto out;
		}
		if (new.size == old.size && !cairn_merkle_hash_equal(&new.root, &old.root)) {
			status = alarm_exit("fork: the tree of size %" PRIu64 " now has root %s, earlier %s", new.size, root,
					    old_root);
			goto out;
		}
		if (new.size > old.size && old.size > 0 && check_consistency(c, &old, &new) != 0) {
			if (cairn_error_code() == CAIRN_EVERIFY || cairn_error_code() == CAIRN_EINVAL ||
			    cairn_error_code() == CAIRN_ENOENT)
				status = alarm_exit("fork: the tree of size %" PRIu64 " (root %s) is not an extension of the "
						    "verified tree of size %" PRIu64 " (root %s): %s",
						    new.size, root, old.size, old_root, cairn_error_message());
			else
				status = cli_report_error();
			goto out;
		}
	}
	if (!have_old || new.size != old.size) {
		if (cairn_file_write_atomic(state_path, new_text.data, new_text.len, 0644) != 0) {
			status = cli_report_error();
			goto out;
		}
	}
	printf("%s: size %" PRIu64 ", root %s: %s\n", new.origin, new.size, root,
	       !have_old ? "first checkpoint, trusted from now on"
	       : new.size == old.size ? "unchanged"
				      : "consistent with the previous checkpoint");
	fflush(stdout);
out:
	if (old.origin != NULL)
		cairn_checkpoint_free(&old);
	if (new.origin != NULL)
		cairn_checkpoint_free(&new);
	cairn_buf_free(&old_text);
	cairn_buf_free(&new_text);
	return status;
}

static int monitor(struct log_args *a)
{
	if (a->state == NULL || a->public_key == NULL)
		return cli_usage_error("log", "monitor needs --state FILE and --public-key PEM");
	struct client c;
	cairn_key *key = NULL;
	if (client_init(&c, a->operands[0], a->ca_file) != 0 || load_public_key(a->public_key, &key) != 0)
		return cli_report_error();
	int status;
	for (;;) {
		status = monitor_poll(&c, key, a->state);
		/* An alarm always ends the monitor; a network failure ends only a single poll. */
		if (a->once || status == CLI_FAILED || status == CLI_USAGE)
			break;
		sleep((unsigned)a->interval);
	}
	cairn_key_free(key);
	return status;
}

/* ---- trusted-root ---- */

static const char *key_details(const cairn_key *key)
{
	switch (cairn_key_get_type(key)) {
	case CAIRN_KEY_ECDSA_P256: return "PKIX_ECDSA_P256_SHA_256";
	case CAIRN_KEY_ECDSA_P384: return "PKIX_ECDSA_P384_SHA_384";
	case CAIRN_KEY_ED25519: return "PKIX_ED25519";
	default: return NULL;
	}
}

/* When the log's key became valid, by default: the integration time of the log's first entry (a root
 * that starts later would disown the entries before it), or now for an empty log. */
static int first_entry_time(const struct client *c, time_t *when)
{
	cairn_buf body = CAIRN_BUF_INIT;
	long status = 0;
	int err = client_get(c, "/api/v1/log/entries?logIndex=0", RESPONSE_MAX, &body, &status);
	if (!err && status == 404) {
		*when = time(NULL);
	} else if (!err && status != 200) {
		err = cairn_error_set(CAIRN_EIO, "%s: HTTP %ld for the first entry (give --start instead)", c->rc.base, status);
	} else if (!err) {
		cairn_rekor_log_entry e;
		err = cairn_rekor_log_entry_parse(&e, body.data, body.len, "the log's first entry");
		if (!err) {
			*when = (time_t)e.integrated_time;
			cairn_rekor_log_entry_free(&e);
		}
	}
	if (err)
		err = cairn_error_prefix(err, "reading when the log began (or give --start)");
	cairn_buf_free(&body);
	return err;
}

static int validity_start(const struct client *c, const char *start, char out[32])
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (start != NULL) {
		const char *end = strptime(start, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (end == NULL || *end != '\0')
			return cairn_error_set(CAIRN_EINVAL, "--start %s: not an RFC 3339 UTC time like 2025-01-31T12:00:00Z",
					       start);
	} else {
		time_t when;
		int err = first_entry_time(c, &when);
		if (err)
			return err;
		gmtime_r(&when, &tm);
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

static int tlog_entry(const cairn_key *key, const struct client *c, const char *start, json_t **out)
{
	const char *details = key_details(key);
	if (details == NULL)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "the log key must be ECDSA P-256/P-384 or Ed25519");
	cairn_buf der = CAIRN_BUF_INIT, raw64 = CAIRN_BUF_INIT, id64 = CAIRN_BUF_INIT;
	cairn_digest id;
	char when[32];
	int err = validity_start(c, start, when);
	if (!err)
		err = cairn_key_public_der(key, &der);
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, der.data, der.len, &id);
	if (!err)
		err = cairn_base64_encode(&raw64, der.data, der.len, CAIRN_BASE64_STD);
	if (!err)
		err = cairn_base64_encode(&id64, id.bytes, id.len, CAIRN_BASE64_STD);
	if (!err) {
		*out = json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s}}, s:{s:s}}", "baseUrl", c->rc.base, "hashAlgorithm", "SHA2_256",
				 "publicKey", "rawBytes", cairn_buf_cstr(&raw64), "keyDetails", details, "validFor", "start",
				 when, "logId", "keyId", cairn_buf_cstr(&id64));
		if (*out == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	cairn_buf_free(&der);
	cairn_buf_free(&raw64);
	cairn_buf_free(&id64);
	return err;
}

/* Puts entry into the root's tlogs, replacing an entry with the same log ID. */
static int add_tlog(json_t *root, json_t *entry)
{
	json_t *tlogs = json_object_get(root, "tlogs");
	if (tlogs == NULL) {
		tlogs = json_array();
		if (tlogs == NULL || json_object_set_new(root, "tlogs", tlogs) != 0)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!json_is_array(tlogs))
		return cairn_error_set(CAIRN_EINVAL, "the trusted root's tlogs is not an array");
	const char *id = json_string_value(json_object_get(json_object_get(entry, "logId"), "keyId"));
	for (size_t i = 0; i < json_array_size(tlogs); i++) {
		const char *other = json_string_value(json_object_get(json_object_get(json_array_get(tlogs, i), "logId"), "keyId"));
		if (other != NULL && strcmp(other, id) == 0)
			return json_array_set(tlogs, i, entry) == 0 ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	return json_array_append(tlogs, entry) == 0 ? 0 : cairn_error_set(CAIRN_ENOMEM, "out of memory");
}

static int trusted_root(struct log_args *a)
{
	if (a->public_key == NULL || a->url == NULL)
		return cli_usage_error("log", "trusted-root needs --public-key PEM and --url URL");
	struct client c;
	cairn_key *key = NULL;
	json_t *entry = NULL, *root = NULL;
	char *text = NULL;
	int err = client_init(&c, a->url, a->ca_file);
	if (!err)
		err = cairn_key_load_public_file(&key, a->public_key);
	if (!err)
		err = tlog_entry(key, &c, a->start, &entry);
	if (!err && a->add_to != NULL) {
		err = cairn_json_parse_file(&root, a->add_to);
		if (!err && !json_is_object(root))
			err = cairn_error_set(CAIRN_EINVAL, "%s: not a trusted root (a JSON object)", a->add_to);
	} else if (!err) {
		root = json_pack("{s:s, s:[], s:[], s:[], s:[]}", "mediaType", TRUSTED_ROOT_MEDIA_TYPE, "tlogs",
				 "certificateAuthorities", "ctlogs", "timestampAuthorities");
		if (root == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (!err)
		err = add_tlog(root, entry);
	if (!err && (text = json_dumps(root, JSON_INDENT(2))) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	/* What is printed must be a trusted root cairn itself reads. */
	cairn_trusted_root *check = NULL;
	if (!err && (err = cairn_trusted_root_parse(&check, text, strlen(text), "the new trusted root")) == 0)
		cairn_trusted_root_free(check);
	if (!err)
		printf("%s\n", text);
	free(text);
	json_decref(entry);
	json_decref(root);
	cairn_key_free(key);
	return err ? cli_report_error() : CLI_OK;
}

int cmd_log(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)
		return argc < 2 ? cli_usage_error("log", "expected a subcommand: serve, info, get, monitor or trusted-root")
				: cli_print_usage("log");
	const char *sub = argv[1];
	struct log_args a;
	memset(&a, 0, sizeof a);
	int status = parse_args(argc - 1, argv + 1, &a);
	if (status == -1)
		return cli_print_usage("log");
	if (status != 0)
		return status;
	int takes_url = strcmp(sub, "info") == 0 || strcmp(sub, "get") == 0 || strcmp(sub, "monitor") == 0;
	if (takes_url && a.operand_count != 1)
		return cli_usage_error("log", "%s needs exactly one URL", sub);
	if (!takes_url && a.operand_count != 0)
		return cli_usage_error("log", "%s takes no operands", sub);
	if (strcmp(sub, "serve") == 0)
		return serve(&a);
	if (strcmp(sub, "info") == 0)
		return info(&a);
	if (strcmp(sub, "get") == 0)
		return get(&a);
	if (strcmp(sub, "monitor") == 0)
		return monitor(&a);
	if (strcmp(sub, "trusted-root") == 0)
		return trusted_root(&a);
	return cli_usage_error("log", "unknown subcommand '%s' (serve, info, get, monitor, trusted-root)", sub);
}
