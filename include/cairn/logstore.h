/* cairn/logstore.h - the transparency log's storage and sequencer.
 *
 * A cairn_log keeps an append-only RFC 6962 Merkle tree in one SQLite file (WAL mode, synchronous=FULL).
 * One sequencer thread takes pending appends in batches, integrates each batch in one transaction
 * (entries, C2SP tlog-tiles hash tiles, a signed checkpoint), commits, and only then answers the waiting
 * callers: an acknowledged entry is durable and covered by a durable signed checkpoint. Reads (entries,
 * proofs, tiles, checkpoints) are thread-safe and run concurrently with appends; they see the tree of the
 * latest committed checkpoint. See docs/log.md, section "Storage". */
#ifndef CAIRN_LOGSTORE_H
#define CAIRN_LOGSTORE_H

#include "cairn/buf.h"
#include "cairn/key.h"
#include "cairn/merkle.h"
#include "cairn/note.h"

#include <stddef.h>
#include <stdint.h>

#define CAIRN_LOG_MAX_ENTRY ((size_t)1 << 20) /* one entry body; larger bodies are refused */
#define CAIRN_LOG_TILE_WIDTH 256               /* hashes (or entries) in a full tile */

typedef struct cairn_log cairn_log;

typedef struct cairn_log_options {
	const char *db_path;    /* the SQLite file, created when missing */
	const cairn_key *key;   /* private key (ECDSA P-256/P-384 or Ed25519): signs checkpoints; kept by reference */
	const char *origin;     /* checkpoint origin line, e.g. "log.example - 1234"; NULL: "cairn-log" */
	size_t queue_max;       /* pending appends before cairn_log_add returns CAIRN_EBUSY; 0: 4096 */
	size_t batch_max;       /* entries integrated per batch; 0: 1024 */
	unsigned batch_wait_ms; /* how long the sequencer waits to fill a batch; 0: 1 */
} cairn_log_options;

/* Opens or creates the log, recovers it to its latest committed checkpoint (checking that the stored
 * tiles give that checkpoint's root), and starts the sequencer thread. */
int cairn_log_open(cairn_log **out, const cairn_log_options *opts);
/* Drains the queue (pending appends are integrated and answered), stops the thread, frees the log. */
void cairn_log_close(cairn_log *log);

typedef struct cairn_log_added {
	uint64_t index;          /* the entry's position */
	int64_t integrated_time; /* seconds since the epoch, set when its batch was integrated */
	uint64_t tree_size;      /* size of the signed checkpoint that first covered it */
} cairn_log_added;

/* Appends body (its canonical bytes; the caller verified it). Blocks until the entry is durable
 * (committed with fsync) and covered by a signed checkpoint that is also durable. Thread-safe; many
 * callers at once are batched together. CAIRN_EEXIST with *out filled when an identical body is already
 * in the log (same leaf hash); CAIRN_EBUSY when the queue is full; CAIRN_ETOOBIG for an over-size body. */
int cairn_log_add(cairn_log *log, const void *body, size_t len, cairn_log_added *out);

/* Reads: all thread-safe, concurrent with appends. */

/* The latest signed checkpoint: the signed note text (appended to note), its size and root. */
int cairn_log_checkpoint(cairn_log *log, cairn_buf *note, uint64_t *size, cairn_merkle_hash *root);
/* The entry at index: its body (appended) and integrated time. CAIRN_ENOENT beyond the tree. */
int cairn_log_entry(cairn_log *log, uint64_t index, cairn_buf *body, int64_t *integrated_time);
/* The index of the entry whose leaf hash is leaf_hash; CAIRN_ENOENT when none. */
int cairn_log_find(cairn_log *log, const cairn_merkle_hash *leaf_hash, uint64_t *index);
/* Proofs against any tree size up to the latest checkpoint's (CAIRN_EINVAL naming the bound otherwise).
 * proof must hold CAIRN_MERKLE_MAX_PROOF hashes. */
int cairn_log_inclusion_proof(cairn_log *log, uint64_t index, uint64_t tree_size, cairn_merkle_hash *proof,
			      size_t *count);
int cairn_log_consistency_proof(cairn_log *log, uint64_t size1, uint64_t size2, cairn_merkle_hash *proof,
				size_t *count);
/* The root of the tree of tree_size leaves (0: the empty root), up to the latest checkpoint's size. */
int cairn_log_root(cairn_log *log, uint64_t tree_size, cairn_merkle_hash *root);

/* C2SP tlog-tiles: the hash tile at level L, index N, of width W (1..256; 256 = full) as the bytes the
 * spec serves (W * 32 bytes), and the entry bundle N of width W (each entry a big-endian uint16 length
 * then the bytes). That uint16 prefix limits bundled entries to 65535 bytes; a bundle holding a longer entry cannot be
 * served and gives CAIRN_ETOOBIG (the entry itself stays readable with cairn_log_entry). CAIRN_ENOENT
 * when that tile does not exist (yet) for the current tree, i.e. when width is more than the tree gives
 * it; any narrower width is served (a tile's first hashes never change, and a client holding an older
 * checkpoint asks for them). Bytes are appended to out. */
int cairn_log_tile(cairn_log *log, unsigned level, uint64_t index, unsigned width, cairn_buf *out);
int cairn_log_entry_bundle(cairn_log *log, uint64_t index, unsigned width, cairn_buf *out);

/* Path helpers for the server: parses "tile/L/N[.p/W]" and "tile/entries/N[.p/W]" (with or without a
 * leading '/'; N in the spec's x001/x234/067 form) strictly; formats them (with a leading '/', appended to
 * out). *entries is 1 for an entry bundle (level is then 0), width is 256 for a full tile. */
int cairn_log_tile_path_parse(const char *path, int *entries, unsigned *level, uint64_t *index, unsigned *width);
int cairn_log_tile_path_format(int entries, unsigned level, uint64_t index, unsigned width, cairn_buf *out);

/* The verifier of the log's checkpoints (its public key under the origin), for clients and tests. */
const cairn_note_verifier *cairn_log_verifier(const cairn_log *log);
const char *cairn_log_origin(const cairn_log *log);

#endif
