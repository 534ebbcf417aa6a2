/* Private parts of the transparency log store (cairn/logstore.h), shared by log.c, log_conn.c,
 * log_sequencer.c and log_tile_path.c. */
#ifndef CAIRN_LOG_LOG_INTERNAL_H
#define CAIRN_LOG_LOG_INTERNAL_H

#include "cairn/logstore.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_SCHEMA_VERSION 1
#define LOG_APPLICATION_ID 0x6361726e /* "carn": tells a log file from other SQLite files */

/* A tile holds 256 hashes at Merkle level 8 * L (its "sublevel 0"). Inside it are the nodes of
 * sublevels 1..7 (128 + 64 + ... + 2 hashes); its own root (sublevel 8) is a hash of the tile above.
 * We keep those inner nodes next to the served hashes so a proof never rehashes a tile. */
#define LOG_TILE_HASHES 256
#define LOG_TILE_INNER 254                              /* sublevels 1..7 */
#define LOG_TILE_NODES (LOG_TILE_HASHES + LOG_TILE_INNER) /* sublevels 0..7 */
#define LOG_TILE_LEVELS 8                               /* tile levels 0..7 cover 2^64 leaves */
#define LOG_CACHE_SLOTS 32                              /* tiles cached per connection */
#define LOG_MAX_READERS 32 /* read connections (each ~0.5 MiB of cache); more threads wait for one */
#define LOG_BUNDLE_MAX_ENTRY 65535                      /* an entry bundle's uint16 length prefix */

/* Sublevel r's nodes start here in log_tile.nodes: 0, 256, 384, 448, ... 508. */
static inline unsigned log_tile_offset(unsigned r) { return 512u - (512u >> r); }

/* One tile, expanded: nodes[log_tile_offset(r) + j] is node j of sublevel r. Node (r, j) is valid when
 * (j + 1) << r <= width. */
typedef struct log_tile {
	bool valid;
	unsigned level;
	uint64_t index;
	unsigned width;
	cairn_merkle_hash nodes[LOG_TILE_NODES];
} log_tile;

/* Computes the inner nodes that become complete when hash `pos` (0-based) is the last one added. */
int log_tile_complete_inner(log_tile *tile, unsigned pos);

/* A database connection with its prepared statements and a cache of tiles. Used by one thread at a
 * time: readers take one from the log's pool; the sequencer owns one. Tiles are append-only (a tile's
 * first w hashes never change), so a cached tile stays right for every node within its width. */
typedef struct log_conn {
	sqlite3 *db;
	const char *path; /* the log's, for messages */
	sqlite3_stmt *tile_get, *entry_get, *find_leaf, *bundle_get, *covering;
	log_tile cache[LOG_CACHE_SLOTS];
	struct log_conn *next; /* the pool's free list */
} log_conn;

/* Opens a connection (creating the file when `create`), in WAL mode with synchronous=FULL. */
int log_conn_open(log_conn **out, const char *path, bool create);
void log_conn_close(log_conn *conn);
/* Prepares the read statements (once the schema exists). */
int log_conn_prepare(log_conn *conn);
/* Sets the error from the connection's last SQLite failure. */
int log_conn_error(const log_conn *conn, const char *doing);
int log_conn_exec(log_conn *conn, const char *sql, const char *doing);

/* The tile (level, index) with at least `need` hashes, from the cache or the database. */
int log_conn_tile(log_conn *conn, unsigned level, uint64_t index, unsigned need, const log_tile **out);
/* A cairn_merkle_perfect_fn over conn's tiles; ctx is the log_conn. */
int log_conn_perfect(void *ctx, unsigned level, uint64_t index, cairn_merkle_hash *out);
/* Looks up a leaf hash: 0 with *index and *itime, or CAIRN_ENOENT. */
int log_conn_find(log_conn *conn, const cairn_merkle_hash *leaf, uint64_t *index, int64_t *itime);
/* The size of the first checkpoint covering entry index (CAIRN_ENOENT when none). */
int log_conn_covering(log_conn *conn, uint64_t index, uint64_t *size);

/* The latest checkpoint as published to readers (committed and durable). */
typedef struct log_state {
	uint64_t size;
	cairn_merkle_hash root;
	cairn_buf note;
} log_state;

/* A caller of cairn_log_add waiting for its entry to be integrated. Lives on the caller's stack. */
typedef struct log_request {
	const void *body;
	size_t len;
	cairn_merkle_hash leaf;
	bool done;
	int err; /* 0, CAIRN_EEXIST (added describes the stored entry) or a failure */
	cairn_log_added added;
	char message[512];
} log_request;

struct cairn_log {
	char *path;
	char *origin;
	const cairn_key *key;
	cairn_note_signer *signer;
	cairn_note_verifier *verifier;
	int lock_fd; /* an flock on the database: one log process per file */
	size_t queue_max, batch_max;
	unsigned batch_wait_ms;

	/* Readers. */
	pthread_mutex_t state_mu;
	log_state state;
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cond; /* a reader waits for a connection when all LOG_MAX_READERS are busy */
	log_conn *pool;
	size_t readers; /* connections made for the pool */

	/* The sequencer and its queue. The queue lock is never held across I/O. */
	pthread_mutex_t queue_mu;
	pthread_cond_t queue_cond; /* the sequencer waits for requests */
	pthread_cond_t done_cond;  /* callers wait for their batch */
	log_request **queue;       /* a ring of queue_max slots */
	size_t queue_head, queue_count, in_flight;
	bool stopping, thread_started;
	pthread_t thread;

	/* Owned by the sequencer thread (and by open before it starts). */
	log_conn *writer;
	sqlite3_stmt *insert_entry, *put_tile, *insert_checkpoint;
	cairn_merkle_frontier frontier;
	log_tile edge[LOG_TILE_LEVELS]; /* the rightmost (partial) tile of each level */
	bool edge_dirty[LOG_TILE_LEVELS];
	bool broken; /* a failed batch left a state we could not reload: refuse appends */
	log_request **batch;
	size_t *slots; /* batch_max * 2: finds duplicates within a batch */
};

/* log.c: reloads the sequencer's state (edge tiles, frontier) and the published checkpoint from the
 * database, checking that they agree. */
int log_recover(cairn_log *log);
/* log.c: signs the checkpoint for a tree of `size` leaves with this root, appending the note. */
int log_sign_checkpoint(cairn_log *log, uint64_t size, const cairn_merkle_hash *root, cairn_buf *note);

/* log_sequencer.c */
int log_sequencer_prepare(cairn_log *log);
int log_sequencer_start(cairn_log *log);
void log_sequencer_stop(cairn_log *log);
/* Appends a hash to the edge tile of `level`, writing tiles that fill up (inside the open transaction). */
int log_edge_append(cairn_log *log, unsigned level, const cairn_merkle_hash *hash);

#endif
