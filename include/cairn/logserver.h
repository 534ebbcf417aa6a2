/* cairn/logserver.h - the transparency log's HTTP server: the Rekor v1 API and C2SP tlog-tiles.
 *
 * The server answers over a cairn_log (cairn/logstore.h) it does not own:
 *
 *   POST /api/v1/log/entries            propose an entry (hashedrekord, dsse, intoto; cairn/rekor.h)
 *   GET  /api/v1/log/entries?logIndex=N  one entry by index
 *   GET  /api/v1/log/entries/{uuid}      one entry by UUID (64 hex, or 80 with a tree ID in front)
 *   POST /api/v1/log/entries/retrieve    entries by entryUUIDs, logIndexes or proposed entries
 *   GET  /api/v1/log                     LogInfo: rootHash, treeSize, signedTreeHead, treeID
 *   GET  /api/v1/log/proof               consistency proof (firstSize, lastSize)
 *   GET  /api/v1/log/publicKey           the log's public key, PEM
 *   GET  /checkpoint, /tile/..., /tile/entries/...   C2SP tlog-tiles, with cache headers
 *
 * Every entry served carries its signed entry timestamp and an inclusion proof against the latest
 * checkpoint. Errors are JSON {"code": <HTTP status>, "message": "..."}.
 *
 * One thread per connection (an append blocks its thread until the entry is durable, and the log
 * batches the appends of concurrent connections), at most connection_limit connections, request
 * bodies bounded while they are read, idle connections dropped after timeout_s. */
#ifndef CAIRN_LOGSERVER_H
#define CAIRN_LOGSERVER_H

#include "cairn/key.h"
#include "cairn/logstore.h"

#include <stddef.h>
#include <stdint.h>

#define CAIRN_LOGSERVER_DEFAULT_HOST "127.0.0.1"
#define CAIRN_LOGSERVER_DEFAULT_PORT 3000
#define CAIRN_LOGSERVER_MAX_CONNECTIONS 256 /* default connection limit */
#define CAIRN_LOGSERVER_TIMEOUT_S 30        /* default idle timeout of a connection */
#define CAIRN_LOGSERVER_MAX_RETRIEVE 10     /* items of each list in a retrieve request (Rekor's maxItems) */

typedef struct cairn_logserver cairn_logserver;

typedef struct cairn_logserver_options {
	cairn_log *log;            /* the log to serve; borrowed, must outlive the server */
	const cairn_key *key;      /* the log's private key: signs entry timestamps; borrowed */
	const char *addr;          /* "HOST:PORT", "[IPv6]:PORT", "HOST" or ":PORT"; NULL: 127.0.0.1:3000.
				      Port 0 picks a free port (read it with cairn_logserver_port). */
	const char *tls_cert_file; /* PEM certificate (chain) for HTTPS; NULL: plain HTTP */
	const char *tls_key_file;  /* PEM private key of that certificate (unencrypted) */
	unsigned connection_limit; /* 0: CAIRN_LOGSERVER_MAX_CONNECTIONS */
	unsigned timeout_s;        /* 0: CAIRN_LOGSERVER_TIMEOUT_S */
	size_t body_max;           /* request bodies; 0: CAIRN_REKOR_MAX_PROPOSED */
} cairn_logserver_options;

/* Binds the address and starts serving. The log's key must be the one given here. */
int cairn_logserver_start(cairn_logserver **out, const cairn_logserver_options *opts);
/* The port actually listened on. */
uint16_t cairn_logserver_port(const cairn_logserver *server);
/* Stops accepting connections, lets requests in flight (appends included) finish, and frees the
 * server. The log stays open: close it afterwards. NULL is ignored. */
void cairn_logserver_stop(cairn_logserver *server);

/* Splits "HOST:PORT" (as cairn_logserver_options.addr) into host (copied, at most host_size - 1
 * bytes, brackets of an IPv6 literal removed) and port. A missing host is 127.0.0.1, a missing port
 * CAIRN_LOGSERVER_DEFAULT_PORT. CAIRN_EINVAL naming the text when it is neither. */
int cairn_logserver_parse_addr(const char *addr, char *host, size_t host_size, uint16_t *port);

#endif
