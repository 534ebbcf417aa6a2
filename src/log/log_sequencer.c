/* The sequencer: one thread that takes pending appends in batches and integrates each batch in one
 * SQLite transaction (entries, tiles, a signed checkpoint), and cairn_log_add, which queues an append
 * and waits for its batch.
 *
 * Callers are answered only after COMMIT returned: with synchronous=FULL that means the WAL holding
 * the entries and the checkpoint covering them is on disk. One fsync serves the whole batch, which is
 * what makes many concurrent appends cheap. */
#include "cairn/error.h"
#include "log/log_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int prepare(cairn_log *log, sqlite3_stmt **stmt, const char *sql)
{
	if (sqlite3_prepare_v3(log->writer->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
		return log_conn_error(log->writer, "preparing a statement");
	return 0;
}

int log_sequencer_prepare(cairn_log *log)
{
	int err;
	if ((err = log_conn_prepare(log->writer)) != 0 ||
	    (err = prepare(log, &log->insert_entry,
			   "INSERT INTO entries(idx, leaf, body, itime) VALUES(?1, ?2, ?3, ?4) "
			   "ON CONFLICT(leaf) DO NOTHING")) != 0 ||
	    (err = prepare(log, &log->put_tile,
			   "INSERT OR REPLACE INTO tiles(level, idx, hashes, inner) VALUES(?1, ?2, ?3, ?4)")) != 0 ||
	    (err = prepare(log, &log->insert_checkpoint,
			   "INSERT INTO checkpoints(size, root, note, itime) VALUES(?1, ?2, ?3, ?4)")) != 0)
		return err;
	log->batch = calloc(log->batch_max, sizeof *log->batch);
	log->slots = calloc(log->batch_max * 2, sizeof *log->slots);
	if (log->batch == NULL || log->slots == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	return 0;
}

static int step_done(cairn_log *log, sqlite3_stmt *st, const char *doing)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : log_conn_error(log->writer, doing);
}

/* Writes one tile: the hashes the spec serves and our inner nodes. */
static int write_tile(cairn_log *log, const log_tile *tile)
{
	sqlite3_stmt *st = log->put_tile;
	sqlite3_bind_int(st, 1, (int)tile->level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)tile->index);
	sqlite3_bind_blob(st, 3, tile->nodes, (int)(tile->width * CAIRN_MERKLE_HASH_SIZE), SQLITE_STATIC);
	/* A partial tile is rewritten by every batch: leaving out its inner nodes halves that write, and
	 * readers recompute them (at most 254 hashes) when they load it. */
	if (tile->width == LOG_TILE_HASHES)
		sqlite3_bind_blob(st, 4, &tile->nodes[LOG_TILE_HASHES], LOG_TILE_INNER * CAIRN_MERKLE_HASH_SIZE,
				  SQLITE_STATIC);
	else
		sqlite3_bind_zeroblob(st, 4, 0);
	return step_done(log, st, "writing a tile");
}

int log_edge_append(cairn_log *log, unsigned level, const cairn_merkle_hash *hash)
{
	if (level >= LOG_TILE_LEVELS)
		return cairn_error_set(CAIRN_ETOOBIG, "transparency log %s is full", log->path);
	log_tile *tile = &log->edge[level];
	unsigned pos = tile->width;
	tile->nodes[pos] = *hash;
	tile->width++;
	log->edge_dirty[level] = true;
	int err = log_tile_complete_inner(tile, pos);
	if (err != 0 || tile->width < LOG_TILE_HASHES)
		return err;
	/* The tile is full: store it for good, and its root becomes the next hash one level up. */
	cairn_merkle_hash root;
	const cairn_merkle_hash *top = &tile->nodes[log_tile_offset(7)];
	if ((err = cairn_merkle_node_hash(&top[0], &top[1], &root)) != 0 || (err = write_tile(log, tile)) != 0)
		return err;
	uint64_t next = tile->index + 1;
	memset(tile, 0, sizeof *tile);
	tile->level = level;
	tile->index = next;
	log->edge_dirty[level] = false;
	return log_edge_append(log, level + 1, &root);
}

/* --- Integrating one batch ------------------------------------------------------------------------- */

static void fail_request(log_request *req, int err)
{
	req->err = err;
	snprintf(req->message, sizeof req->message, "%s", cairn_error_message());
}

/* Finds an earlier request of the batch with the same leaf hash (open addressing over 2n slots, which
 * hold batch positions + 1). Returns its position, or n when req is the first. */
static size_t batch_duplicate(cairn_log *log, size_t n, size_t pos)
{
	const cairn_merkle_hash *leaf = &log->batch[pos]->leaf;
	uint64_t h;
	memcpy(&h, leaf->bytes, sizeof h);
	size_t mask_size = n * 2;
	for (size_t i = h % mask_size;; i = (i + 1) % mask_size) {
		size_t slot = log->slots[i];
		if (slot == 0) {
			log->slots[i] = pos + 1;
			return n;
		}
		if (cairn_merkle_hash_equal(&log->batch[slot - 1]->leaf, leaf))
			return slot - 1;
	}
}

/* An entry already in the log: fill in where it is. */
static void answer_stored(cairn_log *log, log_request *req, uint64_t index, int64_t itime)
{
	req->added.index = index;
	req->added.integrated_time = itime;
	req->added.tree_size = 0;
	int err = log_conn_covering(log->writer, index, &req->added.tree_size);
	if (err != 0) {
		fail_request(req, err);
		return;
	}
	req->err = cairn_error_set(CAIRN_EEXIST, "transparency log %s already holds this entry at index %llu",
				   log->path, (unsigned long long)index);
	snprintf(req->message, sizeof req->message, "%s", cairn_error_message());
}

/* Stores req as the next entry, or sets *stored false when its leaf hash is already in the log (the
 * UNIQUE index answers that in the same lookup the insert makes anyway). */
static int insert_entry(cairn_log *log, log_request *req, int64_t now, bool *stored)
{
	sqlite3_stmt *st = log->insert_entry;
	uint64_t index = log->frontier.size;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	sqlite3_bind_blob(st, 2, req->leaf.bytes, CAIRN_MERKLE_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, req->len > 0 ? req->body : "", (int)req->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	int err;
	if ((err = step_done(log, st, "storing an entry")) != 0)
		return err;
	*stored = sqlite3_changes(log->writer->db) > 0;
	if (!*stored)
		return 0;
	if ((err = cairn_merkle_frontier_append(&log->frontier, &req->leaf)) != 0 ||
	    (err = log_edge_append(log, 0, &req->leaf)) != 0)
		return err;
	req->added.index = index;
	req->added.integrated_time = now;
	return 0;
}

/* Writes the edge tiles, signs and stores the checkpoint. */
static int finish_batch(cairn_log *log, int64_t now, cairn_buf *note, cairn_merkle_hash *root)
{
	int err;
	for (unsigned level = 0; level < LOG_TILE_LEVELS; level++) {
		if (log->edge_dirty[level] && log->edge[level].width > 0 && (err = write_tile(log, &log->edge[level])) != 0)
			return err;
		log->edge_dirty[level] = false;
	}
	if ((err = cairn_merkle_frontier_root(&log->frontier, root)) != 0 ||
	    (err = log_sign_checkpoint(log, log->frontier.size, root, note)) != 0)
		return err;
	sqlite3_stmt *st = log->insert_checkpoint;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)log->frontier.size);
	sqlite3_bind_blob(st, 2, root->bytes, CAIRN_MERKLE_HASH_SIZE, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, (const char *)note->data, (int)note->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	return step_done(log, st, "storing the checkpoint");
}

/* Publishes a committed checkpoint to readers. */
static int publish(cairn_log *log, const cairn_buf *note, const cairn_merkle_hash *root)
{
	pthread_mutex_lock(&log->state_mu);
	cairn_buf_clear(&log->state.note);
	int err = cairn_buf_append(&log->state.note, note->data, note->len);
	if (err == 0) {
		log->state.size = log->frontier.size;
		log->state.root = *root;
	}
	pthread_mutex_unlock(&log->state_mu);
	return err;
}

/* The batch's transaction. Fills each request; returns the failure that hit the new entries, if any. */
static int integrate_new(cairn_log *log, size_t n, int64_t now, size_t *added)
{
	if (log->broken)
		return cairn_error_set(CAIRN_EIO, "transparency log %s failed earlier and refuses appends: reopen it",
				       log->path);
	int err = log_conn_exec(log->writer, "BEGIN IMMEDIATE;", "starting a transaction");
	if (err != 0)
		return err;
	memset(log->slots, 0, n * 2 * sizeof *log->slots);
	for (size_t i = 0; i < n; i++) {
		log_request *req = log->batch[i];
		uint64_t index;
		int64_t itime;
		bool stored;
		if (batch_duplicate(log, n, i) != n)
			continue; /* answered after the commit, like its twin */
		if ((err = insert_entry(log, req, now, &stored)) != 0)
			goto fail;
		if (!stored) {
			if ((err = log_conn_find(log->writer, &req->leaf, &index, &itime)) != 0)
				goto fail;
			answer_stored(log, req, index, itime);
			continue;
		}
		req->err = -1; /* marks a new entry until the commit */
		(*added)++;
	}
	if (*added == 0) {
		log_conn_exec(log->writer, "ROLLBACK;", "ending a transaction");
		return 0;
	}
	cairn_buf note = CAIRN_BUF_INIT;
	cairn_merkle_hash root;
	if ((err = finish_batch(log, now, &note, &root)) == 0 &&
	    (err = log_conn_exec(log->writer, "COMMIT;", "committing a batch")) == 0)
		err = publish(log, &note, &root);
	cairn_buf_free(&note);
	if (err == 0)
		return 0;
fail:
	/* Roll back and reload what the database holds, so memory and disk agree again. */
	{
		char message[512];
		snprintf(message, sizeof message, "%s", cairn_error_message());
		sqlite3_exec(log->writer->db, "ROLLBACK;", NULL, NULL, NULL);
		if (log_recover(log) != 0) {
			/* We cannot trust our state any more: refuse every further append. */
			log->broken = true;
			pthread_mutex_lock(&log->queue_mu);
			log->stopping = true;
			pthread_mutex_unlock(&log->queue_mu);
		}
		cairn_error_set(err, "%s", message);
	}
	return err;
}

static void integrate(cairn_log *log, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log->batch[i]->err = 0;
	size_t added = 0;
	int err = integrate_new(log, n, (int64_t)time(NULL), &added);
	for (size_t i = 0; i < n; i++) {
		log_request *req = log->batch[i];
		if (err != 0 && (req->err == -1 || req->err == 0))
			fail_request(req, err); /* not integrated (or not even looked at) */
		else if (req->err == -1)
			req->err = 0, req->added.tree_size = log->frontier.size;
	}
	/* Duplicates within the batch share their twin's answer: EEXIST when it was stored. */
	memset(log->slots, 0, n * 2 * sizeof *log->slots);
	for (size_t i = 0; i < n; i++) {
		size_t twin = batch_duplicate(log, n, i);
		if (twin == n)
			continue;
		log_request *req = log->batch[i], *first = log->batch[twin];
		req->added = first->added;
		if (first->err != 0 && first->err != CAIRN_EEXIST) {
			req->err = first->err;
			memcpy(req->message, first->message, sizeof req->message);
		} else {
			req->err = cairn_error_set(CAIRN_EEXIST, "transparency log %s already holds this entry at index %llu",
						   log->path, (unsigned long long)first->added.index);
			snprintf(req->message, sizeof req->message, "%s", cairn_error_message());
		}
	}
}

/* --- The thread and the queue ---------------------------------------------------------------------- */

static void deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* A batch is full at batch_max entries, or sooner when the queue cannot hold that many: waiting for
 * more would only run out the whole batch wait. */
static size_t batch_full(const cairn_log *log)
{
	return log->batch_max < log->queue_max ? log->batch_max : log->queue_max;
}

static void *sequencer_main(void *arg)
{
	cairn_log *log = arg;
	pthread_mutex_lock(&log->queue_mu);
	for (;;) {
		while (log->queue_count == 0 && !log->stopping)
			pthread_cond_wait(&log->queue_cond, &log->queue_mu);
		if (log->queue_count == 0)
			break;
		/* Wait a moment for more callers, so one fsync serves many. */
		struct timespec deadline;
		deadline_after(&deadline, log->batch_wait_ms);
		while (log->queue_count < batch_full(log) && !log->stopping)
			if (pthread_cond_timedwait(&log->queue_cond, &log->queue_mu, &deadline) == ETIMEDOUT)
				break;
		size_t n = log->queue_count < log->batch_max ? log->queue_count : log->batch_max;
		for (size_t i = 0; i < n; i++) {
			log->batch[i] = log->queue[log->queue_head];
			log->queue_head = (log->queue_head + 1) % log->queue_max;
		}
		log->queue_count -= n;
		log->in_flight = n;
		pthread_mutex_unlock(&log->queue_mu);

		integrate(log, n);

		pthread_mutex_lock(&log->queue_mu);
		for (size_t i = 0; i < n; i++)
			log->batch[i]->done = true;
		log->in_flight = 0;
		pthread_cond_broadcast(&log->done_cond);
	}
	pthread_mutex_unlock(&log->queue_mu);
	return NULL;
}

int log_sequencer_start(cairn_log *log)
{
	int rc = pthread_create(&log->thread, NULL, sequencer_main, log);
	if (rc != 0)
		return cairn_error_set(CAIRN_EINTERNAL, "transparency log %s: cannot start the sequencer: %s", log->path,
				       strerror(rc));
	log->thread_started = true;
	return 0;
}

void log_sequencer_stop(cairn_log *log)
{
	if (!log->thread_started)
		return;
	pthread_mutex_lock(&log->queue_mu);
	log->stopping = true;
	pthread_cond_broadcast(&log->queue_cond);
	pthread_mutex_unlock(&log->queue_mu);
	pthread_join(log->thread, NULL);
	log->thread_started = false;
}

int cairn_log_add(cairn_log *log, const void *body, size_t len, cairn_log_added *out)
{
	if (log == NULL || (body == NULL && len > 0) || out == NULL)
		return cairn_error_set(CAIRN_EINVAL, "cairn_log_add: missing argument");
	if (len > CAIRN_LOG_MAX_ENTRY)
		return cairn_error_set(CAIRN_ETOOBIG, "transparency log entry of %zu bytes: the limit is %zu bytes", len,
				       CAIRN_LOG_MAX_ENTRY);
	log_request req;
	memset(&req, 0, sizeof req);
	req.body = body;
	req.len = len;
	/* Hashing here, on the caller's thread, keeps the sequencer's critical path short. */
	int err = cairn_merkle_leaf_hash(body != NULL ? body : "", len, &req.leaf);
	if (err != 0)
		return err;
	pthread_mutex_lock(&log->queue_mu);
	if (log->stopping) {
		pthread_mutex_unlock(&log->queue_mu);
		return cairn_error_set(CAIRN_EIO, "transparency log %s is closing or has failed: appends are refused",
				       log->path);
	}
	if (log->queue_count + log->in_flight >= log->queue_max) {
		size_t pending = log->queue_count + log->in_flight;
		pthread_mutex_unlock(&log->queue_mu);
		return cairn_error_set(CAIRN_EBUSY, "transparency log %s: %zu appends are pending (the limit): try again later",
				       log->path, pending);
	}
	log->queue[(log->queue_head + log->queue_count) % log->queue_max] = &req;
	log->queue_count++;
	/* The sequencer needs waking only to start a batch or to end its wait early with a full one. */
	if (log->queue_count == 1 || log->queue_count >= batch_full(log))
		pthread_cond_signal(&log->queue_cond);
	while (!req.done)
		pthread_cond_wait(&log->done_cond, &log->queue_mu);
	pthread_mutex_unlock(&log->queue_mu);
	*out = req.added;
	if (req.err != 0)
		return cairn_error_set(req.err, "%s", req.message);
	return 0;
}
