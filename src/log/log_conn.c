/* Database connections of the log store: opening them, their statements, and reading tiles through a
 * per-connection cache. The schema itself is in log.c. */
#include "cairn/error.h"
#include "log/log_internal.h"

#include <stdlib.h>
#include <string.h>

int log_conn_error(const log_conn *conn, const char *doing)
{
	int rc = conn->db != NULL ? sqlite3_errcode(conn->db) : SQLITE_NOMEM;
	int code = rc == SQLITE_NOMEM ? CAIRN_ENOMEM
		   : (rc == SQLITE_READONLY || rc == SQLITE_PERM || rc == SQLITE_CANTOPEN) ? CAIRN_EACCES
		   : (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) ? CAIRN_EINVAL
								     : CAIRN_EIO;
	if (rc == SQLITE_NOTADB)
		return cairn_error_set(code, "%s is not a cairn transparency log (not an SQLite file)", conn->path);
	return cairn_error_set(code, "transparency log %s: %s: %s", conn->path, doing,
			       conn->db != NULL ? sqlite3_errmsg(conn->db) : "out of memory");
}

int log_conn_exec(log_conn *conn, const char *sql, const char *doing)
{
	if (sqlite3_exec(conn->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return log_conn_error(conn, doing);
	return 0;
}

static int prepare(log_conn *conn, sqlite3_stmt **stmt, const char *sql)
{
	if (sqlite3_prepare_v3(conn->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
		return log_conn_error(conn, "preparing a statement");
	return 0;
}

/* The statements need the schema, so they are prepared on first use rather than at open (the
 * connection that creates the schema opens before it exists). */
int log_conn_prepare(log_conn *conn)
{
	if (conn->tile_get != NULL)
		return 0;
	int err;
	if ((err = prepare(conn, &conn->tile_get, "SELECT hashes, inner FROM tiles WHERE level = ?1 AND idx = ?2")) != 0 ||
	    (err = prepare(conn, &conn->entry_get, "SELECT body, itime FROM entries WHERE idx = ?1")) != 0 ||
	    (err = prepare(conn, &conn->find_leaf, "SELECT idx, itime FROM entries WHERE leaf = ?1")) != 0 ||
	    (err = prepare(conn, &conn->bundle_get,
			   "SELECT body FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")) != 0 ||
	    (err = prepare(conn, &conn->covering, "SELECT min(size) FROM checkpoints WHERE size > ?1")) != 0)
		return err;
	return 0;
}

int log_conn_open(log_conn **out, const char *path, bool create)
{
	log_conn *conn = calloc(1, sizeof *conn);
	if (conn == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	conn->path = path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int err;
	if (sqlite3_open_v2(path, &conn->db, flags, NULL) != SQLITE_OK) {
		err = log_conn_error(conn, "opening the database");
		goto fail;
	}
	sqlite3_extended_result_codes(conn->db, 0);
	sqlite3_busy_timeout(conn->db, 10000);
	/* FULL: a commit returns only after the WAL is synced, which is what acknowledging an append means. */
	if ((err = log_conn_exec(conn, "PRAGMA synchronous=FULL;", "setting synchronous")) != 0)
		goto fail;
	*out = conn;
	return 0;
fail:
	log_conn_close(conn);
	return err;
}

void log_conn_close(log_conn *conn)
{
	if (conn == NULL)
		return;
	sqlite3_finalize(conn->tile_get);
	sqlite3_finalize(conn->entry_get);
	sqlite3_finalize(conn->find_leaf);
	sqlite3_finalize(conn->bundle_get);
	sqlite3_finalize(conn->covering);
	sqlite3_close(conn->db);
	free(conn);
}

int log_tile_complete_inner(log_tile *tile, unsigned pos)
{
	for (unsigned r = 1; r < 8 && ((pos + 1) & ((1u << r) - 1)) == 0; r++) {
		unsigned j = pos >> r;
		const cairn_merkle_hash *below = &tile->nodes[log_tile_offset(r - 1)];
		int err = cairn_merkle_node_hash(&below[2 * j], &below[2 * j + 1], &tile->nodes[log_tile_offset(r) + j]);
		if (err != 0)
			return err;
	}
	return 0;
}

static int corrupt(const log_conn *conn, unsigned level, uint64_t index, const char *why)
{
	return cairn_error_set(CAIRN_EIO, "transparency log %s: tile %u/%llu %s: the database is inconsistent",
			       conn->path, level, (unsigned long long)index, why);
}

/* How many of the hashes read for tile (level, index) the slot already holds with their inner nodes:
 * the tree's rightmost tile grows with every batch, and without this each reader would rehash all of
 * it (up to 255 SHA-256s) after every batch. A tile's hashes never change once written, so the slot's
 * inner nodes stay right; the hashes are still compared (a memcmp is cheap next to hashing), and any
 * difference makes the whole tile recomputed. */
static unsigned known_prefix(const log_tile *slot, bool was_valid, unsigned level, uint64_t index,
			     const void *hashes, unsigned width)
{
	if (!was_valid || slot->level != level || slot->index != index || slot->width > width)
		return 0;
	if (memcmp(slot->nodes, hashes, (size_t)slot->width * CAIRN_MERKLE_HASH_SIZE) != 0)
		return 0;
	return slot->width;
}

/* Reads tile (level, index) from the database into slot. */
static int load_tile(log_conn *conn, unsigned level, uint64_t index, log_tile *slot)
{
	int err = log_conn_prepare(conn);
	if (err != 0)
		return err;
	sqlite3_stmt *st = conn->tile_get;
	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	int rc = sqlite3_step(st);
	bool was_valid = slot->valid;
	slot->valid = false;
	if (rc == SQLITE_DONE) {
		err = corrupt(conn, level, index, "is missing");
	} else if (rc != SQLITE_ROW) {
		err = log_conn_error(conn, "reading a tile");
	} else {
		int hashes_len = sqlite3_column_bytes(st, 0), inner_len = sqlite3_column_bytes(st, 1);
		const void *hashes = sqlite3_column_blob(st, 0), *inner = sqlite3_column_blob(st, 1);
		const int full = LOG_TILE_HASHES * CAIRN_MERKLE_HASH_SIZE;
		/* Full tiles keep their inner nodes; partial ones do not (see write_tile). */
		if (hashes_len <= 0 || hashes_len % CAIRN_MERKLE_HASH_SIZE != 0 || hashes_len > full || hashes == NULL ||
		    inner_len != (hashes_len == full ? LOG_TILE_INNER * CAIRN_MERKLE_HASH_SIZE : 0)) {
			err = corrupt(conn, level, index, "has a wrong size");
		} else {
			unsigned width = (unsigned)hashes_len / CAIRN_MERKLE_HASH_SIZE, known = 0;
			if (inner_len == 0)
				known = known_prefix(slot, was_valid, level, index, hashes, width);
			memcpy(slot->nodes, hashes, (size_t)hashes_len);
			slot->width = width;
			if (inner_len > 0)
				memcpy(&slot->nodes[LOG_TILE_HASHES], inner, (size_t)inner_len);
			for (unsigned pos = known; inner_len == 0 && err == 0 && pos < slot->width; pos++)
				err = log_tile_complete_inner(slot, pos);
			slot->level = level;
			slot->index = index;
			slot->valid = err == 0;
		}
	}
	sqlite3_reset(st);
	return err;
}

int log_conn_tile(log_conn *conn, unsigned level, uint64_t index, unsigned need, const log_tile **out)
{
	log_tile *slot = &conn->cache[(index * LOG_TILE_LEVELS + level) % LOG_CACHE_SLOTS];
	if (!(slot->valid && slot->level == level && slot->index == index && slot->width >= need)) {
		int err = load_tile(conn, level, index, slot);
		if (err != 0)
			return err;
		if (slot->width < need)
			return corrupt(conn, level, index, "is shorter than the tree needs");
	}
	*out = slot;
	return 0;
}

int log_conn_perfect(void *ctx, unsigned level, uint64_t index, cairn_merkle_hash *out)
{
	log_conn *conn = ctx;
	unsigned tile_level = level / 8, r = level % 8;
	if (tile_level >= LOG_TILE_LEVELS)
		return cairn_error_set(CAIRN_EINVAL, "transparency log %s: no tree has a node at level %u", conn->path,
				       level);
	/* Node `index` of Merkle level 8L + r sits in tile index >> (8 - r), at position j of sublevel r. */
	uint64_t tile_index = index >> (8 - r);
	unsigned j = (unsigned)(index & ((LOG_TILE_HASHES >> r) - 1));
	const log_tile *tile;
	int err = log_conn_tile(conn, tile_level, tile_index, (j + 1) << r, &tile);
	if (err != 0)
		return err;
	*out = tile->nodes[log_tile_offset(r) + j];
	return 0;
}

int log_conn_find(log_conn *conn, const cairn_merkle_hash *leaf, uint64_t *index, int64_t *itime)
{
	int err = log_conn_prepare(conn);
	if (err != 0)
		return err;
	sqlite3_stmt *st = conn->find_leaf;
	sqlite3_bind_blob(st, 1, leaf->bytes, CAIRN_MERKLE_HASH_SIZE, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*index = (uint64_t)sqlite3_column_int64(st, 0);
		*itime = sqlite3_column_int64(st, 1);
		err = 0;
	} else if (rc == SQLITE_DONE) {
		err = cairn_error_set(CAIRN_ENOENT, "transparency log %s: no entry has that leaf hash", conn->path);
	} else {
		err = log_conn_error(conn, "looking up a leaf hash");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return err;
}

int log_conn_covering(log_conn *conn, uint64_t index, uint64_t *size)
{
	int err = log_conn_prepare(conn);
	if (err != 0)
		return err;
	sqlite3_stmt *st = conn->covering;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		*size = (uint64_t)sqlite3_column_int64(st, 0);
		err = 0;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		err = cairn_error_set(CAIRN_ENOENT, "transparency log %s: no checkpoint covers entry %llu", conn->path,
				      (unsigned long long)index);
	} else {
		err = log_conn_error(conn, "finding the checkpoint of an entry");
	}
	sqlite3_reset(st);
	return err;
}
