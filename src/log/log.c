/* The transparency log store: opening (schema, recovery), closing, and the read API.
 *
 * Schema version 1 (PRAGMA user_version; PRAGMA application_id 'carn'):
 *   meta(name, value)                 origin and vkey: the log's identity, checked at every open
 *   entries(idx, leaf UNIQUE, body, itime)
 *   tiles(level, idx, hashes, inner)  C2SP tlog-tiles hash tiles: `hashes` is exactly what the spec
 *                                     serves (width * 32 bytes, partial tiles rewritten in place),
 *                                     `inner` the 254 nodes between the tile's hashes and its root
 *   checkpoints(size, root, note, itime)  every signed checkpoint; the largest is the log's state
 * The sequencer (log_sequencer.c) writes all four in one transaction per batch, so the latest committed
 * checkpoint always describes exactly the entries and tiles on disk; open checks that it does. */
#include "cairn/error.h"
#include "log/log_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ORIGIN "cairn-log"
#define DEFAULT_QUEUE_MAX 4096
#define DEFAULT_BATCH_MAX 1024
#define MAX_QUEUE ((size_t)1 << 20)
#define MAX_ORIGIN 256

static const char SCHEMA[] = "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
			     "CREATE TABLE entries(idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL UNIQUE,"
			     "  body BLOB NOT NULL, itime INTEGER NOT NULL);"
			     "CREATE TABLE tiles(level INTEGER NOT NULL, idx INTEGER NOT NULL, hashes BLOB NOT NULL,"
			     "  inner BLOB NOT NULL, PRIMARY KEY(level, idx));"
			     "CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL,"
			     "  itime INTEGER NOT NULL);"
			     "PRAGMA application_id = 1667330670;" /* LOG_APPLICATION_ID */
			     "PRAGMA user_version = 1;";

/* --- Small database helpers ------------------------------------------------------------------------ */

static int query_int(log_conn *conn, const char *sql, sqlite3_int64 *out, bool *is_null)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(conn->db, sql, -1, &st, NULL) != SQLITE_OK)
		return log_conn_error(conn, "reading the database");
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (is_null != NULL)
		*is_null = rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return log_conn_error(conn, "reading the database");
	return 0;
}

/* meta's value for name into out (CAIRN_ENOENT when missing). */
static int meta_get(log_conn *conn, const char *name, cairn_buf *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(conn->db, "SELECT value FROM meta WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return log_conn_error(conn, "reading the log's identity");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), err;
	if (rc == SQLITE_ROW)
		err = cairn_buf_append_str(out, (const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		err = cairn_error_set(CAIRN_EINVAL, "transparency log %s: its %s is missing: not a cairn log database",
				      conn->path, name);
	else
		err = log_conn_error(conn, "reading the log's identity");
	sqlite3_finalize(st);
	return err;
}

static int meta_put(log_conn *conn, const char *name, const char *value)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(conn->db, "INSERT INTO meta(name, value) VALUES(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return log_conn_error(conn, "storing the log's identity");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : log_conn_error(conn, "storing the log's identity");
}

/* --- Checkpoints ----------------------------------------------------------------------------------- */

int log_sign_checkpoint(cairn_log *log, uint64_t size, const cairn_merkle_hash *root, cairn_buf *note)
{
	cairn_buf text = CAIRN_BUF_INIT;
	const cairn_note_signer *signers[1] = {log->signer};
	int err = cairn_checkpoint_format(log->origin, size, root, NULL, &text);
	if (err == 0)
		err = cairn_note_sign((const char *)text.data, text.len, signers, 1, note);
	cairn_buf_free(&text);
	return err;
}

static int store_checkpoint(log_conn *conn, uint64_t size, const cairn_merkle_hash *root, const cairn_buf *note)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(conn->db, "INSERT INTO checkpoints(size, root, note, itime) VALUES(?1, ?2, ?3, ?4)", -1,
			       &st, NULL) != SQLITE_OK)
		return log_conn_error(conn, "storing a checkpoint");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	sqlite3_bind_blob(st, 2, root->bytes, CAIRN_MERKLE_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, (const char *)note->data, (int)note->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : log_conn_error(conn, "storing a checkpoint");
}

/* Reads the latest checkpoint and checks it: our signature, our origin, and the size and root that
 * its row says. */
static int load_checkpoint(cairn_log *log, uint64_t *size, cairn_merkle_hash *root, cairn_buf *note)
{
	log_conn *conn = log->writer;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(conn->db, "SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return log_conn_error(conn, "reading the latest checkpoint");
	int rc = sqlite3_step(st), err = 0;
	if (rc == SQLITE_DONE)
		err = cairn_error_set(CAIRN_EINVAL, "transparency log %s has no checkpoint: the database is damaged",
				      log->path);
	else if (rc != SQLITE_ROW)
		err = log_conn_error(conn, "reading the latest checkpoint");
	else if (sqlite3_column_int64(st, 0) < 0 ||
		 (err = cairn_merkle_hash_from_bytes(root, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
						     "stored checkpoint root")) != 0 ||
		 (err = cairn_buf_append(note, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2))) != 0)
		err = err != 0 ? err : cairn_error_set(CAIRN_EINVAL, "transparency log %s: a negative tree size", log->path);
	else
		*size = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (err != 0)
		return err;

	cairn_note *opened = NULL;
	const cairn_note_verifier *verifiers[1] = {log->verifier};
	cairn_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	size_t text_len;
	const char *text = NULL;
	if ((err = cairn_note_open(&opened, note->data, note->len, verifiers, 1, "the latest stored checkpoint")) == 0)
		text = cairn_note_text(opened, &text_len);
	if (err != 0 || (err = cairn_checkpoint_parse(&cp, text, text_len, "the latest stored checkpoint")) != 0) {
		err = cairn_error_prefix(err, "transparency log %s", log->path);
	} else if (strcmp(cp.origin, log->origin) != 0 || cp.size != *size || !cairn_merkle_hash_equal(&cp.root, root)) {
		err = cairn_error_set(CAIRN_EINVAL,
				      "transparency log %s: the latest checkpoint's text does not match its stored size "
				      "and root: the database is damaged",
				      log->path);
	}
	cairn_checkpoint_free(&cp);
	cairn_note_free(opened);
	return err;
}

/* --- Recovery -------------------------------------------------------------------------------------- */

/* The edge tile of each level for a tree of `size` leaves, from the stored tiles. A stored edge tile
 * must be exactly as wide as the checkpoint makes it; its inner nodes are recomputed, not trusted. */
static int load_edges(cairn_log *log, uint64_t size)
{
	for (unsigned level = 0; level < LOG_TILE_LEVELS; level++) {
		uint64_t count = size >> (8 * level); /* hashes at this tile level */
		log_tile *edge = &log->edge[level];
		memset(edge, 0, sizeof *edge);
		edge->level = level;
		edge->index = count / LOG_TILE_HASHES;
		log->edge_dirty[level] = false;
		unsigned width = (unsigned)(count % LOG_TILE_HASHES);
		if (width == 0)
			continue;
		const log_tile *stored;
		int err = log_conn_tile(log->writer, level, edge->index, width, &stored);
		if (err != 0)
			return err;
		if (stored->width != width)
			return cairn_error_set(CAIRN_EIO,
					       "transparency log %s: tile %u/%llu holds %u hashes but the latest checkpoint "
					       "(size %llu) needs %u: the database is inconsistent",
					       log->path, level, (unsigned long long)edge->index, stored->width,
					       (unsigned long long)size, width);
		memcpy(edge->nodes, stored->nodes, width * sizeof edge->nodes[0]);
		edge->width = width;
		for (unsigned pos = 0; pos < width; pos++)
			if ((err = log_tile_complete_inner(edge, pos)) != 0)
				return err;
	}
	return 0;
}

/* The frontier for `size` leaves: one perfect subtree per set bit of size. The subtree for bit 8L + r
 * ends at the tree's right edge, so it lies in the edge tile of level L, whose nodes load_edges just
 * recomputed from the stored hashes (so a damaged edge tile shows as a wrong root). */
static int load_frontier(cairn_log *log, uint64_t size)
{
	cairn_merkle_frontier_init(&log->frontier);
	for (unsigned h = 0; h < 64; h++) {
		if (!(size >> h & 1))
			continue;
		unsigned level = h / 8, r = h % 8;
		uint64_t node = (size >> h) - 1;
		const log_tile *edge = &log->edge[level];
		unsigned pos = (unsigned)(node & ((LOG_TILE_HASHES >> r) - 1));
		if (level >= LOG_TILE_LEVELS || node >> (8 - r) != edge->index || (pos + 1) << r > edge->width)
			return cairn_error_set(CAIRN_EINTERNAL, "transparency log %s: frontier node %u/%llu is not in its "
								"edge tile",
					       log->path, h, (unsigned long long)node);
		log->frontier.nodes[h] = edge->nodes[log_tile_offset(r) + pos];
	}
	log->frontier.size = size;
	return 0;
}

/* The last entry must be the last leaf of the tree: its body hashes to the stored leaf hash and to the
 * level-0 tile's last hash, and no entry lies beyond it. */
static int check_last_entry(cairn_log *log, uint64_t size)
{
	sqlite3_int64 max_idx;
	bool none;
	int err = query_int(log->writer, "SELECT max(idx) FROM entries", &max_idx, &none);
	if (err != 0)
		return err;
	if (size == 0 ? !none : (none || (uint64_t)max_idx != size - 1))
		return cairn_error_set(CAIRN_EIO,
				       "transparency log %s: the entries do not end where the latest checkpoint (size "
				       "%llu) does: the database is inconsistent",
				       log->path, (unsigned long long)size);
	if (size == 0)
		return 0;
	sqlite3_stmt *st = log->writer->entry_get;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(size - 1));
	cairn_merkle_hash leaf, in_tile;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		err = log_conn_error(log->writer, "reading the last entry");
	else
		err = cairn_merkle_leaf_hash(sqlite3_column_blob(st, 0) != NULL ? sqlite3_column_blob(st, 0) : "",
					     (size_t)sqlite3_column_bytes(st, 0), &leaf);
	sqlite3_reset(st);
	if (err == 0 && (err = log_conn_perfect(log->writer, 0, size - 1, &in_tile)) == 0 &&
	    !cairn_merkle_hash_equal(&leaf, &in_tile))
		err = cairn_error_set(CAIRN_EIO,
				      "transparency log %s: entry %llu does not hash to the leaf in its tile: the "
				      "database is inconsistent",
				      log->path, (unsigned long long)(size - 1));
	return err;
}

int log_recover(cairn_log *log)
{
	uint64_t size = 0;
	cairn_merkle_hash root, computed;
	cairn_buf note = CAIRN_BUF_INIT;
	for (size_t i = 0; i < LOG_CACHE_SLOTS; i++)
		log->writer->cache[i].valid = false; /* it may hold tiles of a rolled-back batch */
	int err;
	if ((err = load_checkpoint(log, &size, &root, &note)) != 0 || (err = check_last_entry(log, size)) != 0 ||
	    (err = load_edges(log, size)) != 0 || (err = load_frontier(log, size)) != 0 ||
	    (err = cairn_merkle_frontier_root(&log->frontier, &computed)) != 0)
		goto done;
	if (!cairn_merkle_hash_equal(&root, &computed)) {
		err = cairn_error_set(CAIRN_EIO,
				      "transparency log %s: the stored tiles give a different root than the latest "
				      "checkpoint (size %llu) signs: the database is inconsistent; refusing to start",
				      log->path, (unsigned long long)size);
		goto done;
	}
	pthread_mutex_lock(&log->state_mu);
	log->state.size = size;
	log->state.root = root;
	cairn_buf_free(&log->state.note);
	log->state.note = note;
	pthread_mutex_unlock(&log->state_mu);
	cairn_buf_init(&note);
done:
	cairn_buf_free(&note);
	return err;
}

/* --- Opening --------------------------------------------------------------------------------------- */

/* A new database: the schema, the log's identity and the checkpoint of the empty tree, in one
 * transaction, so a crash leaves either nothing or a complete empty log. */
static int create_schema(cairn_log *log, const char *vkey)
{
	log_conn *conn = log->writer;
	cairn_merkle_hash empty;
	cairn_merkle_empty_root(&empty);
	cairn_buf note = CAIRN_BUF_INIT;
	int err;
	if ((err = log_conn_exec(conn, "BEGIN IMMEDIATE;", "creating the schema")) != 0)
		return err;
	if ((err = log_conn_exec(conn, SCHEMA, "creating the schema")) != 0 ||
	    (err = meta_put(conn, "origin", log->origin)) != 0 || (err = meta_put(conn, "vkey", vkey)) != 0 ||
	    (err = log_sign_checkpoint(log, 0, &empty, &note)) != 0 ||
	    (err = store_checkpoint(conn, 0, &empty, &note)) != 0 ||
	    (err = log_conn_exec(conn, "COMMIT;", "creating the schema")) != 0)
		sqlite3_exec(conn->db, "ROLLBACK;", NULL, NULL, NULL);
	cairn_buf_free(&note);
	return err;
}

/* The stored identity must be the one we were given: another origin or key would sign checkpoints
 * that clients of this log cannot verify. */
static int check_identity(cairn_log *log, const char *vkey)
{
	cairn_buf stored_origin = CAIRN_BUF_INIT, stored_vkey = CAIRN_BUF_INIT;
	int err;
	if ((err = meta_get(log->writer, "origin", &stored_origin)) == 0 &&
	    (err = meta_get(log->writer, "vkey", &stored_vkey)) == 0) {
		if (strcmp(cairn_buf_cstr(&stored_origin), log->origin) != 0)
			err = cairn_error_set(CAIRN_EINVAL, "transparency log %s has origin '%s', not '%s'", log->path,
					      cairn_buf_cstr(&stored_origin), log->origin);
		else if (strcmp(cairn_buf_cstr(&stored_vkey), vkey) != 0)
			err = cairn_error_set(CAIRN_EINVAL,
					      "transparency log %s is signed by key %s; the key given (%s) is another one",
					      log->path, cairn_buf_cstr(&stored_vkey), vkey);
	}
	cairn_buf_free(&stored_origin);
	cairn_buf_free(&stored_vkey);
	return err;
}

static int open_schema(cairn_log *log)
{
	cairn_buf vkey = CAIRN_BUF_INIT;
	sqlite3_int64 version, app_id, tables;
	int err;
	if ((err = cairn_note_verifier_format(log->verifier, &vkey)) != 0 ||
	    (err = query_int(log->writer, "PRAGMA user_version", &version, NULL)) != 0 ||
	    (err = query_int(log->writer, "PRAGMA application_id", &app_id, NULL)) != 0 ||
	    (err = query_int(log->writer, "SELECT count(*) FROM sqlite_master", &tables, NULL)) != 0)
		goto done;
	if (version == 0 && app_id == 0 && tables == 0) {
		/* WAL is a property of the file and cannot change inside a transaction: set it first. */
		if ((err = log_conn_exec(log->writer, "PRAGMA journal_mode=WAL;", "switching to WAL")) == 0)
			err = create_schema(log, cairn_buf_cstr(&vkey));
	} else if (app_id != LOG_APPLICATION_ID) {
		err = cairn_error_set(CAIRN_EINVAL, "%s is an SQLite database but not a cairn transparency log", log->path);
	} else if (version != LOG_SCHEMA_VERSION) {
		err = cairn_error_set(CAIRN_EUNSUPPORTED,
				      "transparency log %s has schema version %lld, but this cairn reads version %d: "
				      "use the cairn that wrote it",
				      log->path, (long long)version, LOG_SCHEMA_VERSION);
	} else if ((err = log_conn_exec(log->writer, "PRAGMA journal_mode=WAL;", "switching to WAL")) == 0) {
		err = check_identity(log, cairn_buf_cstr(&vkey));
	}
done:
	cairn_buf_free(&vkey);
	return err;
}

/* Only one process may sequence a log: two would hand out the same indexes. An flock on the database
 * file says so clearly (SQLite's own locks are per transaction). */
static int lock_file(cairn_log *log)
{
	log->lock_fd = open(log->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (log->lock_fd < 0) {
		int e = errno;
		return cairn_error_set(e == EACCES ? CAIRN_EACCES : e == ENOENT ? CAIRN_ENOENT : CAIRN_EIO,
				       "transparency log %s: cannot open: %s", log->path, strerror(e));
	}
	if (flock(log->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		return cairn_error_set(e == EWOULDBLOCK ? CAIRN_EBUSY : CAIRN_EIO,
				       "transparency log %s: %s", log->path,
				       e == EWOULDBLOCK ? "already open (by another process or another cairn_log)"
							: strerror(e));
	}
	return 0;
}

static int check_options(const cairn_log_options *opts, const char **origin)
{
	if (opts == NULL || opts->db_path == NULL || opts->db_path[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "transparency log: no database path given");
	if (opts->key == NULL || !cairn_key_is_private(opts->key))
		return cairn_error_set(CAIRN_EINVAL, "transparency log %s: a private key is needed to sign checkpoints",
				       opts->db_path);
	*origin = opts->origin != NULL ? opts->origin : DEFAULT_ORIGIN;
	size_t len = strlen(*origin);
	if (len == 0 || len > MAX_ORIGIN || strchr(*origin, '\n') != NULL)
		return cairn_error_set(CAIRN_EINVAL, "transparency log origin '%.300s': must be one line of 1 to %d bytes",
				       *origin, MAX_ORIGIN);
	if (opts->queue_max > MAX_QUEUE || opts->batch_max > MAX_QUEUE)
		return cairn_error_set(CAIRN_ETOOBIG, "transparency log %s: queue_max and batch_max are limited to %zu",
				       opts->db_path, MAX_QUEUE);
	return 0;
}

/* The signer's key name is the origin's first word: signed-note key names cannot hold spaces, and
 * Rekor v1 signs "rekor.sigstore.dev - <tree ID>" checkpoints as "rekor.sigstore.dev". */
static int make_signer(cairn_log *log)
{
	size_t name_len = strcspn(log->origin, " ");
	char *name = strndup(log->origin, name_len);
	if (name == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int err = cairn_note_signer_new(&log->signer, name, log->key);
	free(name);
	if (err == 0)
		err = cairn_note_signer_verifier(log->signer, &log->verifier);
	if (err != 0)
		return cairn_error_prefix(err, "transparency log %s", log->path);
	return 0;
}

static int init_sync(cairn_log *log)
{
	pthread_condattr_t attr;
	if (pthread_condattr_init(&attr) != 0 || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0)
		return cairn_error_set(CAIRN_EINTERNAL, "transparency log: cannot set up a condition variable");
	pthread_mutex_init(&log->state_mu, NULL);
	pthread_mutex_init(&log->pool_mu, NULL);
	pthread_cond_init(&log->pool_cond, NULL);
	pthread_mutex_init(&log->queue_mu, NULL);
	pthread_cond_init(&log->queue_cond, &attr);
	pthread_cond_init(&log->done_cond, NULL);
	pthread_condattr_destroy(&attr);
	return 0;
}

int cairn_log_open(cairn_log **out, const cairn_log_options *opts)
{
	const char *origin = NULL;
	*out = NULL;
	int err = check_options(opts, &origin);
	if (err != 0)
		return err;
	cairn_log *log = calloc(1, sizeof *log);
	if (log == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	log->lock_fd = -1;
	log->key = opts->key;
	log->queue_max = opts->queue_max != 0 ? opts->queue_max : DEFAULT_QUEUE_MAX;
	log->batch_max = opts->batch_max != 0 ? opts->batch_max : DEFAULT_BATCH_MAX;
	log->batch_wait_ms = opts->batch_wait_ms != 0 ? opts->batch_wait_ms : 1;
	if ((err = init_sync(log)) != 0) {
		free(log);
		return err;
	}
	log->path = strdup(opts->db_path);
	log->origin = strdup(origin);
	log->queue = calloc(log->queue_max, sizeof *log->queue);
	if (log->path == NULL || log->origin == NULL || log->queue == NULL) {
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		goto fail;
	}
	if ((err = lock_file(log)) != 0 || (err = make_signer(log)) != 0 ||
	    (err = log_conn_open(&log->writer, log->path, true)) != 0)
		goto fail;
	if ((err = open_schema(log)) != 0 || (err = log_sequencer_prepare(log)) != 0 || (err = log_recover(log)) != 0 ||
	    (err = log_sequencer_start(log)) != 0)
		goto fail;
	*out = log;
	return 0;
fail:
	cairn_log_close(log);
	return err;
}

void cairn_log_close(cairn_log *log)
{
	if (log == NULL)
		return;
	log_sequencer_stop(log);
	sqlite3_finalize(log->insert_entry);
	sqlite3_finalize(log->put_tile);
	sqlite3_finalize(log->insert_checkpoint);
	log_conn_close(log->writer);
	while (log->pool != NULL) {
		log_conn *next = log->pool->next;
		log_conn_close(log->pool);
		log->pool = next;
	}
	/* Closed only after every SQLite connection: closing any descriptor of the file drops the process's
	 * POSIX locks on it, SQLite's included. */
	if (log->lock_fd >= 0)
		close(log->lock_fd);
	cairn_note_signer_free(log->signer);
	cairn_note_verifier_free(log->verifier);
	cairn_buf_free(&log->state.note);
	pthread_mutex_destroy(&log->state_mu);
	pthread_mutex_destroy(&log->pool_mu);
	pthread_cond_destroy(&log->pool_cond);
	pthread_mutex_destroy(&log->queue_mu);
	pthread_cond_destroy(&log->queue_cond);
	pthread_cond_destroy(&log->done_cond);
	free(log->queue);
	free(log->batch);
	free(log->slots);
	free(log->origin);
	free(log->path);
	free(log);
}

/* --- Reads ----------------------------------------------------------------------------------------- */

/* A read connection from the pool: a new one while there are fewer than LOG_MAX_READERS, otherwise
 * the next one given back (reads are short, and two cores gain nothing from more). */
static int reader_get(cairn_log *log, log_conn **out)
{
	pthread_mutex_lock(&log->pool_mu);
	while (log->pool == NULL && log->readers >= LOG_MAX_READERS)
		pthread_cond_wait(&log->pool_cond, &log->pool_mu);
	log_conn *conn = log->pool;
	if (conn != NULL)
		log->pool = conn->next;
	else
		log->readers++; /* reserved; given back below if opening fails */
	pthread_mutex_unlock(&log->pool_mu);
	if (conn == NULL) {
		int err = log_conn_open(&conn, log->path, false);
		if (err == 0 && (err = log_conn_prepare(conn)) != 0) {
			log_conn_close(conn);
			conn = NULL;
		}
		if (err != 0) {
			pthread_mutex_lock(&log->pool_mu);
			log->readers--;
			pthread_cond_signal(&log->pool_cond);
			pthread_mutex_unlock(&log->pool_mu);
			return err;
		}
	}
	conn->next = NULL;
	*out = conn;
	return 0;
}

static void reader_put(cairn_log *log, log_conn *conn)
{
	pthread_mutex_lock(&log->pool_mu);
	conn->next = log->pool;
	log->pool = conn;
	pthread_cond_signal(&log->pool_cond);
	pthread_mutex_unlock(&log->pool_mu);
}

static uint64_t published_size(cairn_log *log)
{
	pthread_mutex_lock(&log->state_mu);
	uint64_t size = log->state.size;
	pthread_mutex_unlock(&log->state_mu);
	return size;
}

int cairn_log_checkpoint(cairn_log *log, cairn_buf *note, uint64_t *size, cairn_merkle_hash *root)
{
	pthread_mutex_lock(&log->state_mu);
	int err = note != NULL ? cairn_buf_append(note, log->state.note.data, log->state.note.len) : 0;
	if (size != NULL)
		*size = log->state.size;
	if (root != NULL)
		*root = log->state.root;
	pthread_mutex_unlock(&log->state_mu);
	return err;
}

int cairn_log_entry(cairn_log *log, uint64_t index, cairn_buf *body, int64_t *integrated_time)
{
	uint64_t size = published_size(log);
	if (index >= size)
		return cairn_error_set(CAIRN_ENOENT, "transparency log %s has %llu entries: there is no entry %llu", log->path,
				       (unsigned long long)size, (unsigned long long)index);
	log_conn *conn;
	int err = reader_get(log, &conn);
	if (err != 0)
		return err;
	sqlite3_stmt *st = conn->entry_get;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		err = body != NULL ? cairn_buf_append(body, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) : 0;
		if (integrated_time != NULL)
			*integrated_time = sqlite3_column_int64(st, 1);
	} else if (rc == SQLITE_DONE) {
		err = cairn_error_set(CAIRN_EIO, "transparency log %s: entry %llu is missing: the database is inconsistent",
				      log->path, (unsigned long long)index);
	} else {
		err = log_conn_error(conn, "reading an entry");
	}
	sqlite3_reset(st);
	reader_put(log, conn);
	return err;
}

int cairn_log_find(cairn_log *log, const cairn_merkle_hash *leaf_hash, uint64_t *index)
{
	uint64_t size = published_size(log), found;
	int64_t itime;
	log_conn *conn;
	int err = reader_get(log, &conn);
	if (err != 0)
		return err;
	err = log_conn_find(conn, leaf_hash, &found, &itime);
	reader_put(log, conn);
	if (err == 0 && found >= size) /* committed a moment ago, not yet published */
		err = cairn_error_set(CAIRN_ENOENT, "transparency log %s: no entry has that leaf hash", log->path);
	if (err == 0)
		*index = found;
	return err;
}

static int check_tree_size(cairn_log *log, uint64_t tree_size, const char *what)
{
	uint64_t size = published_size(log);
	if (tree_size > size)
		return cairn_error_set(CAIRN_EINVAL, "%s %llu is beyond the transparency log's latest checkpoint (size %llu)",
				       what, (unsigned long long)tree_size, (unsigned long long)size);
	return 0;
}

int cairn_log_inclusion_proof(cairn_log *log, uint64_t index, uint64_t tree_size, cairn_merkle_hash *proof,
			      size_t *count)
{
	int err = check_tree_size(log, tree_size, "tree size");
	if (err != 0)
		return err;
	if (index >= tree_size)
		return cairn_error_set(CAIRN_EINVAL, "inclusion proof: entry %llu is not in a tree of size %llu",
				       (unsigned long long)index, (unsigned long long)tree_size);
	log_conn *conn;
	if ((err = reader_get(log, &conn)) != 0)
		return err;
	cairn_merkle_perfect_reader reader = {log_conn_perfect, conn};
	err = cairn_merkle_inclusion_proof(cairn_merkle_perfect_reader_node, &reader, index, tree_size, proof, count);
	reader_put(log, conn);
	return err;
}

int cairn_log_consistency_proof(cairn_log *log, uint64_t size1, uint64_t size2, cairn_merkle_hash *proof,
				size_t *count)
{
	int err = check_tree_size(log, size2, "tree size");
	if (err != 0)
		return err;
	if (size1 == 0 || size1 > size2)
		return cairn_error_set(CAIRN_EINVAL, "consistency proof from size %llu to %llu: need 0 < first <= second",
				       (unsigned long long)size1, (unsigned long long)size2);
	log_conn *conn;
	if ((err = reader_get(log, &conn)) != 0)
		return err;
	cairn_merkle_perfect_reader reader = {log_conn_perfect, conn};
	err = cairn_merkle_consistency_proof(cairn_merkle_perfect_reader_node, &reader, size1, size2, proof, count);
	reader_put(log, conn);
	return err;
}

int cairn_log_root(cairn_log *log, uint64_t tree_size, cairn_merkle_hash *root)
{
	int err = check_tree_size(log, tree_size, "tree size");
	if (err != 0)
		return err;
	if (tree_size == 0) {
		cairn_merkle_empty_root(root);
		return 0;
	}
	log_conn *conn;
	if ((err = reader_get(log, &conn)) != 0)
		return err;
	err = cairn_merkle_perfect_node(log_conn_perfect, conn, 0, tree_size, root);
	reader_put(log, conn);
	return err;
}

/* How many hashes tile (level, index) holds in a tree of `size` leaves (0 when it does not exist). */
static unsigned tile_width_at(uint64_t size, unsigned level, uint64_t index)
{
	if (level >= LOG_TILE_LEVELS)
		return 0;
	uint64_t count = size >> (8 * level);
	if (index > count / LOG_TILE_HASHES)
		return 0;
	uint64_t left = count - index * LOG_TILE_HASHES;
	return left >= LOG_TILE_HASHES ? LOG_TILE_HASHES : (unsigned)left;
}

static int check_tile_request(cairn_log *log, int entries, unsigned level, uint64_t index, unsigned width)
{
	if (width == 0 || width > LOG_TILE_HASHES)
		return cairn_error_set(CAIRN_EINVAL, "tile width %u: must be 1..256", width);
	uint64_t size = published_size(log);
	/* Tiles never change below their width, so any prefix of an existing tile is the same resource a
	 * client holding an older checkpoint asks for. */
	if (width > tile_width_at(size, level, index))
		return cairn_error_set(CAIRN_ENOENT, "transparency log %s of size %llu has no %s %u/%llu of width %u",
				       log->path, (unsigned long long)size, entries ? "entry bundle" : "tile",
				       entries ? 0 : level, (unsigned long long)index, width);
	return 0;
}

int cairn_log_tile(cairn_log *log, unsigned level, uint64_t index, unsigned width, cairn_buf *out)
{
	int err = check_tile_request(log, 0, level, index, width);
	if (err != 0)
		return err;
	log_conn *conn;
	if ((err = reader_get(log, &conn)) != 0)
		return err;
	const log_tile *tile;
	if ((err = log_conn_tile(conn, level, index, width, &tile)) == 0)
		err = cairn_buf_append(out, tile->nodes, width * sizeof tile->nodes[0]);
	reader_put(log, conn);
	return err;
}

static int read_bundle(cairn_log *log, log_conn *conn, uint64_t index, unsigned width, cairn_buf *out)
{
	sqlite3_stmt *st = conn->bundle_get;
	uint64_t first = index * LOG_TILE_HASHES;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)first);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(first + width));
	unsigned count = 0;
	int rc = SQLITE_DONE, err = 0;
	while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		/* The bundle's uint16 length prefix cannot say more; such entries are served only one by one. */
		if (len > LOG_BUNDLE_MAX_ENTRY) {
			err = cairn_error_set(CAIRN_ETOOBIG,
					      "transparency log %s: entry %llu is %zu bytes, over the 65535 bytes an entry "
					      "bundle (C2SP tlog-tiles) can carry: fetch it by index instead",
					      log->path, (unsigned long long)(first + count), len);
			break;
		}
		uint8_t prefix[2] = {(uint8_t)(len >> 8), (uint8_t)len};
		if ((err = cairn_buf_append(out, prefix, 2)) == 0 && len > 0)
			err = cairn_buf_append(out, sqlite3_column_blob(st, 0), len);
		count++;
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = log_conn_error(conn, "reading an entry bundle");
	else if (err == 0 && count != width)
		err = cairn_error_set(CAIRN_EIO, "transparency log %s: entries of bundle %llu are missing: the database "
						 "is inconsistent",
				      log->path, (unsigned long long)index);
	sqlite3_reset(st);
	return err;
}

int cairn_log_entry_bundle(cairn_log *log, uint64_t index, unsigned width, cairn_buf *out)
{
	int err = check_tile_request(log, 1, 0, index, width);
	if (err != 0)
		return err;
	log_conn *conn;
	if ((err = reader_get(log, &conn)) != 0)
		return err;
	size_t start = out->len;
	err = read_bundle(log, conn, index, width, out);
	reader_put(log, conn);
	if (err != 0 && out->data != NULL) {
		out->len = start; /* no half bundle */
		out->data[start] = '\0';
	}
	return err;
}

const cairn_note_verifier *cairn_log_verifier(const cairn_log *log) { return log->verifier; }

const char *cairn_log_origin(const cairn_log *log) { return log->origin; }
