/* The advisory database file: its schema, opening and creating it, storing records, status.
 *
 * Schema version 1 (PRAGMA user_version):
 *   advisories(rowid, source, record, id, modified, summary, aliases JSON, severity, score, score_version)
 *              UNIQUE(source, record): re-importing a record replaces it
 *   affected(advisory -> advisories.rowid, ecosystem, name, spec JSON)
 *              INDEX(ecosystem, name): matching a package is one indexed lookup
 *   sources(name, imported_at)
 * The file runs in WAL mode, so an import's transaction never leaves a half-written database and
 * readers are not blocked by it. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "vuln/vuln_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char SCHEMA[] =
	"CREATE TABLE advisories("
	"  rowid INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL, record TEXT NOT NULL, id TEXT NOT NULL,"
	"  modified TEXT NOT NULL, summary TEXT NOT NULL, aliases TEXT NOT NULL,"
	"  severity INTEGER NOT NULL, score REAL NOT NULL, score_version INTEGER NOT NULL,"
	"  UNIQUE(source, record));"
	"CREATE TABLE affected("
	"  advisory INTEGER NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL);"
	"CREATE INDEX affected_package ON affected(ecosystem, name);"
	"CREATE INDEX affected_advisory ON affected(advisory);"
	"CREATE TABLE sources(name TEXT PRIMARY KEY, imported_at TEXT NOT NULL);"
	"PRAGMA user_version = 1;";

int vuln_db_error(cairn_vulndb *db, const char *doing)
{
	int rc = sqlite3_errcode(db->sql);
	int code = rc == SQLITE_NOMEM ? CAIRN_ENOMEM
		   : (rc == SQLITE_READONLY || rc == SQLITE_PERM || rc == SQLITE_CANTOPEN) ? CAIRN_EACCES
		   : (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) ? CAIRN_EINVAL
								     : CAIRN_EIO;
	return cairn_error_set(code, "advisory database %s: %s: %s", db->path, doing, sqlite3_errmsg(db->sql));
}

int cairn_vulndb_default_path(cairn_buf *out)
{
	const char *cache = getenv("XDG_CACHE_HOME");
	cairn_buf_clear(out);
	if (cache != NULL && cache[0] == '/')
		return cairn_buf_printf(out, "%s/cairn/vuln.db", cache);
	const char *home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "neither XDG_CACHE_HOME nor HOME is set: give the database with --db");
	return cairn_buf_printf(out, "%s/.cache/cairn/vuln.db", home);
}

/* Creates the directories above path (mode 0700, as a cache directory). */
static int make_parents(const char *path)
{
	char *copy = strdup(path);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			free(copy);
			return cairn_error_set(e == EACCES ? CAIRN_EACCES : CAIRN_EIO, "cannot create directory for %s: %s",
					       path, strerror(e));
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static int prepare(cairn_vulndb *db, sqlite3_stmt **stmt, const char *sql)
{
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
		return vuln_db_error(db, "preparing a statement");
	return 0;
}

static int exec(cairn_vulndb *db, const char *sql, const char *doing)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return vuln_db_error(db, doing);
	return 0;
}

static int query_int(cairn_vulndb *db, const char *sql, int *out)
{
	sqlite3_stmt *stmt;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL) != SQLITE_OK)
		return vuln_db_error(db, "reading the schema");
	int rc = sqlite3_step(stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vuln_db_error(db, "reading the schema");
	return 0;
}

/* Checks the schema version; creates the schema in an empty file when allowed. */
static int check_schema(cairn_vulndb *db)
{
	int version, tables, err;
	if ((err = query_int(db, "PRAGMA user_version", &version)) != 0 ||
	    (err = query_int(db, "SELECT count(*) FROM sqlite_master", &tables)) != 0)
		return err;
	if (version == 0 && tables == 0) {
		if (!db->writable)
			return cairn_error_set(CAIRN_EINVAL, "advisory database %s is empty: import advisories with "
							      "'cairn db import --db %s PATH...'",
					       db->path, db->path);
		if ((err = exec(db, "BEGIN;", "creating the schema")) != 0)
			return err;
		if ((err = exec(db, SCHEMA, "creating the schema")) != 0) {
			vuln_db_rollback(db);
			return err;
		}
		return exec(db, "COMMIT;", "creating the schema");
	}
	if (version != CAIRN_VULNDB_SCHEMA_VERSION)
		return cairn_error_set(CAIRN_EUNSUPPORTED,
				       "advisory database %s has schema version %d, but this cairn uses version %d: "
				       "delete the file and import the advisories again (rm %s; cairn db import --db %s "
				       "PATH...)",
				       db->path, version, CAIRN_VULNDB_SCHEMA_VERSION, db->path, db->path);
	return 0;
}

static int prepare_all(cairn_vulndb *db)
{
	int err;
	if ((err = prepare(db, &db->lookup,
			   "SELECT a.id, a.aliases, a.summary, a.source, a.severity, a.score, a.score_version, f.spec "
			   "FROM affected f JOIN advisories a ON a.rowid = f.advisory "
			   "WHERE f.ecosystem = ?1 AND f.name = ?2")) != 0)
		return err;
	if (!db->writable)
		return 0;
	if ((err = prepare(db, &db->find_record, "SELECT rowid FROM advisories WHERE source = ?1 AND record = ?2")) !=
		    0 ||
	    (err = prepare(db, &db->delete_affected, "DELETE FROM affected WHERE advisory = ?1")) != 0 ||
	    (err = prepare(db, &db->delete_advisory, "DELETE FROM advisories WHERE rowid = ?1")) != 0 ||
	    (err = prepare(db, &db->insert_advisory,
			   "INSERT INTO advisories(source, record, id, modified, summary, aliases, severity, score, "
			   "score_version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")) != 0 ||
	    (err = prepare(db, &db->insert_affected,
			   "INSERT INTO affected(advisory, ecosystem, name, spec) VALUES(?1, ?2, ?3, ?4)")) != 0 ||
	    (err = prepare(db, &db->touch_source,
			   "INSERT INTO sources(name, imported_at) VALUES(?1, ?2) "
			   "ON CONFLICT(name) DO UPDATE SET imported_at = excluded.imported_at")) != 0)
		return err;
	return 0;
}

int cairn_vulndb_open(cairn_vulndb **out, const char *path, int flags)
{
	int create = (flags & CAIRN_VULNDB_CREATE) != 0, err;
	if (!create && !cairn_file_exists(path))
		return cairn_error_set(CAIRN_ENOENT,
				       "advisory database %s does not exist: import advisories first with "
				       "'cairn db import --db %s PATH...'",
				       path, path);
	if (create && (err = make_parents(path)) != 0)
		return err;
	cairn_vulndb *db = calloc(1, sizeof *db);
	if (db == NULL || (db->path = strdup(path)) == NULL) {
		free(db);
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	db->writable = create;
	int open_flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &db->sql, open_flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err = vuln_db_error(db, "opening");
		goto fail;
	}
	sqlite3_busy_timeout(db->sql, 10000);
	/* Fails with NOTADB here when the file is not SQLite at all. */
	if ((err = check_schema(db)) != 0)
		goto fail;
	if (create && ((err = exec(db, "PRAGMA journal_mode=WAL;", "switching to WAL")) != 0 ||
		       (err = exec(db, "PRAGMA synchronous=NORMAL;", "setting synchronous")) != 0))
		goto fail;
	/* Matching reads many small pages: map the file instead of a read() per page. */
	if ((err = exec(db, "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536;", "setting the cache")) != 0 ||
	    (err = prepare_all(db)) != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	if (err == CAIRN_EINVAL && sqlite3_errcode(db->sql) == SQLITE_NOTADB)
		err = cairn_error_set(CAIRN_EINVAL, "%s is not a cairn advisory database (not an SQLite file)", path);
	cairn_vulndb_close(db);
	return err;
}

void cairn_vulndb_close(cairn_vulndb *db)
{
	if (db == NULL)
		return;
	sqlite3_stmt *stmts[] = {db->find_record,    db->delete_affected, db->delete_advisory, db->insert_advisory,
				 db->insert_affected, db->touch_source,    db->lookup};
	for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++)
		sqlite3_finalize(stmts[i]);
	sqlite3_close(db->sql);
	free(db->path);
	free(db);
}

int vuln_db_begin(cairn_vulndb *db)
{
	if (!db->writable)
		return cairn_error_set(CAIRN_EINVAL, "advisory database %s was opened read-only", db->path);
	return exec(db, "BEGIN IMMEDIATE;", "starting an import");
}

int vuln_db_commit(cairn_vulndb *db)
{
	return exec(db, "COMMIT;", "committing an import");
}

void vuln_db_rollback(cairn_vulndb *db)
{
	sqlite3_exec(db->sql, "ROLLBACK;", NULL, NULL, NULL);
}

/* Steps a statement that returns no rows, then resets it for reuse. */
static int step_done(cairn_vulndb *db, sqlite3_stmt *stmt, const char *doing)
{
	int rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE ? 0 : vuln_db_error(db, doing);
}

int vuln_db_remove(cairn_vulndb *db, const char *source, const char *record)
{
	sqlite3_bind_text(db->find_record, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->find_record, 2, record, -1, SQLITE_STATIC);
	int rc = sqlite3_step(db->find_record);
	sqlite3_int64 rowid = rc == SQLITE_ROW ? sqlite3_column_int64(db->find_record, 0) : 0;
	sqlite3_reset(db->find_record);
	sqlite3_clear_bindings(db->find_record);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vuln_db_error(db, "looking up a record");
	if (rc == SQLITE_DONE)
		return 0;
	int err;
	sqlite3_bind_int64(db->delete_affected, 1, rowid);
	if ((err = step_done(db, db->delete_affected, "replacing a record")) != 0)
		return err;
	sqlite3_bind_int64(db->delete_advisory, 1, rowid);
	return step_done(db, db->delete_advisory, "replacing a record");
}

int vuln_db_store(cairn_vulndb *db, const struct vuln_advisory *adv)
{
	int err = vuln_db_remove(db, adv->source, adv->record);
	if (err != 0)
		return err;
	json_t *aliases = json_array();
	for (size_t i = 0; i < adv->n_aliases; i++)
		json_array_append_new(aliases, json_string(adv->aliases[i]));
	char *aliases_text = json_dumps(aliases, JSON_COMPACT);
	json_decref(aliases);
	if (aliases_text == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	sqlite3_stmt *s = db->insert_advisory;
	sqlite3_bind_text(s, 1, adv->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, adv->record, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, adv->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, adv->modified ? adv->modified : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, adv->summary ? adv->summary : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, aliases_text, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, (int)adv->severity);
	sqlite3_bind_double(s, 8, adv->score);
	sqlite3_bind_int(s, 9, (int)adv->score_version);
	err = step_done(db, s, "storing an advisory");
	free(aliases_text);
	if (err != 0)
		return err;
	sqlite3_int64 rowid = sqlite3_last_insert_rowid(db->sql);
	for (size_t i = 0; i < adv->n_affected && err == 0; i++) {
		const struct vuln_affected *a = &adv->affected[i];
		char *spec = json_dumps(a->spec, JSON_COMPACT);
		if (spec == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory");
		s = db->insert_affected;
		sqlite3_bind_int64(s, 1, rowid);
		sqlite3_bind_text(s, 2, a->ecosystem, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, a->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, spec, -1, SQLITE_STATIC);
		err = step_done(db, s, "storing an affected package");
		free(spec);
	}
	return err;
}

int vuln_db_touch_source(cairn_vulndb *db, const char *source)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_bind_text(db->touch_source, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(db->touch_source, 2, now, -1, SQLITE_TRANSIENT);
	return step_done(db, db->touch_source, "recording the import");
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

int cairn_vulndb_get_status(cairn_vulndb *db, cairn_vulndb_status *out)
{
	memset(out, 0, sizeof *out);
	out->schema_version = CAIRN_VULNDB_SCHEMA_VERSION;
	int n, err;
	if ((err = query_int(db, "SELECT count(*) FROM advisories", &n)) != 0)
		return err;
	out->advisories = (size_t)n;
	if ((err = query_int(db, "SELECT count(*) FROM affected", &n)) != 0)
		return err;
	out->packages = (size_t)n;
	sqlite3_stmt *stmt;
	if (sqlite3_prepare_v2(db->sql,
			       "SELECT s.name, count(a.rowid), coalesce(max(a.modified), ''), s.imported_at "
			       "FROM sources s LEFT JOIN advisories a ON a.source = s.name "
			       "GROUP BY s.name ORDER BY s.name",
			       -1, &stmt, NULL) != SQLITE_OK)
		return vuln_db_error(db, "reading the status");
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && out->n_sources < CAIRN_VULNDB_MAX_SOURCES) {
		cairn_vulndb_source_status *s = &out->sources[out->n_sources++];
		copy_text(s->source, sizeof s->source, sqlite3_column_text(stmt, 0));
		s->advisories = (size_t)sqlite3_column_int64(stmt, 1);
		copy_text(s->newest, sizeof s->newest, sqlite3_column_text(stmt, 2));
		copy_text(s->imported_at, sizeof s->imported_at, sqlite3_column_text(stmt, 3));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return vuln_db_error(db, "reading the status");
	return 0;
}
