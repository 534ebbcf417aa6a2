/* Importing advisories: walking files, directories and archives, recognising each file's format,
 * and storing what the source readers make of it.
 *
 * Formats are recognised by name, then by content:
 *   *.json          an object with "id" and one of "modified", "affected", "published",
 *                   "schema_version", "aliases", "withdrawn": OSV;
 *                   with "distroversion" and "packages": Alpine secdb;
 *                   an object of packages holding CVE-/TEMP- keyed objects: the Debian tracker;
 *   *.yaml, *.yml   OSV YAML, Alpine secdb, RubySec ("gem" or "engine"), FriendsOfPHP ("reference"
 *                   and "branches");
 *   *.md            starting with a ```toml block: RustSec or HSEC.
 * Anything else (README, LICENSE, a JSON schema, a Markdown page) is not an advisory and is
 * counted as ignored. A file of a recognised kind that cannot be read is corrupt: it is reported
 * with its name and the reason, skipped (nothing of it is kept, by a savepoint), and the import goes
 * on. Names with a component starting with '.' are skipped.
 *
 * Transactions: the loose files of a path form one transaction and every archive another, so a
 * truncated archive or an I/O error loses only the unit being read, never what was imported
 * before it. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/json.h"
#include "vuln/vuln_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define WALK_MAX_DEPTH 32
#define ARCHIVE_MAX_ENTRIES 1000000
#define PROGRESS_EVERY 500

struct import {
	cairn_vulndb *db;
	const cairn_vulndb_import_options *opts;
	cairn_vulndb_report *report; /* the caller's: units are added when committed */
	cairn_vulndb_report unit;    /* counts of the unit being read */
	cairn_vulndb_report file;    /* counts of the file being read */
	size_t unit_corrupt;
	int in_unit;
	int fatal;     /* a database failure while storing: stops the import */
	size_t broken; /* archives inside a directory that could not be read to their end */
	size_t files, advisories;
};

static cairn_vulndb_count *count_for(cairn_vulndb_report *r, const char *source)
{
	for (size_t i = 0; i < r->n_sources; i++)
		if (strcmp(r->sources[i].source, source) == 0)
			return &r->sources[i];
	if (r->n_sources == CAIRN_VULNDB_MAX_SOURCES) {
		/* More sources than a report holds: the rest share the last row. */
		cairn_vulndb_count *last = &r->sources[CAIRN_VULNDB_MAX_SOURCES - 1];
		snprintf(last->source, sizeof last->source, "other");
		return last;
	}
	cairn_vulndb_count *c = &r->sources[r->n_sources++];
	memset(c, 0, sizeof *c);
	snprintf(c->source, sizeof c->source, "%s", source);
	return c;
}

static void report_add(cairn_vulndb_report *into, const cairn_vulndb_report *from)
{
	for (size_t i = 0; i < from->n_sources; i++) {
		cairn_vulndb_count *c = count_for(into, from->sources[i].source);
		c->imported += from->sources[i].imported;
		c->withdrawn += from->sources[i].withdrawn;
		c->corrupt += from->sources[i].corrupt;
	}
	into->files += from->files;
	into->ignored += from->ignored;
}

static int emit(void *ctx, struct vuln_advisory *adv)
{
	struct import *imp = ctx;
	cairn_vulndb_count *c = count_for(&imp->file, adv->source);
	int err;
	if (adv->withdrawn) {
		err = vuln_db_remove(imp->db, adv->source, adv->record);
		c->withdrawn++;
	} else {
		err = vuln_db_store(imp->db, adv);
		c->imported++;
	}
	vuln_advisory_free(adv);
	if (err != 0)
		imp->fatal = err;
	imp->advisories++;
	return err;
}

static int savepoint(struct import *imp, const char *sql)
{
	if (sqlite3_exec(imp->db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return imp->fatal = vuln_db_error(imp->db, "managing a savepoint");
	return 0;
}

static int unit_begin(struct import *imp)
{
	if (imp->in_unit)
		return 0;
	int err = vuln_db_begin(imp->db);
	if (err != 0)
		return imp->fatal = err;
	imp->in_unit = 1;
	return 0;
}

/* Forgets the unit's counts once they are merged or rolled back. */
static void unit_reset(struct import *imp)
{
	memset(&imp->unit, 0, sizeof imp->unit);
	imp->unit_corrupt = 0;
	imp->in_unit = 0;
}

/* Commits the unit: corrupt files count under the unit's main source (the one with most records). */
static int unit_commit(struct import *imp)
{
	if (!imp->in_unit) {
		report_add(imp->report, &imp->unit); /* files looked at, none of them an advisory */
		unit_reset(imp);
		return 0;
	}
	int err = 0;
	if (imp->unit_corrupt > 0) {
		cairn_vulndb_count *main = NULL;
		for (size_t i = 0; i < imp->unit.n_sources; i++)
			if (main == NULL || imp->unit.sources[i].imported > main->imported)
				main = &imp->unit.sources[i];
		if (main == NULL)
			main = count_for(&imp->unit, "unrecognised");
		main->corrupt += imp->unit_corrupt;
	}
	for (size_t i = 0; i < imp->unit.n_sources && err == 0; i++)
		if (strcmp(imp->unit.sources[i].source, "unrecognised") != 0)
			err = vuln_db_touch_source(imp->db, imp->unit.sources[i].source);
	if (err == 0)
		err = vuln_db_commit(imp->db);
	if (err != 0) {
		vuln_db_rollback(imp->db);
		unit_reset(imp);
		return imp->fatal = err;
	}
	report_add(imp->report, &imp->unit);
	unit_reset(imp);
	return 0;
}

static void unit_abort(struct import *imp)
{
	if (imp->in_unit)
		vuln_db_rollback(imp->db);
	unit_reset(imp);
}

static const char *extension(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	const char *dot = strrchr(base, '.');
	return dot ? dot : "";
}

static int has_key(const json_t *doc, const char *key)
{
	return json_object_get(doc, key) != NULL;
}

/* The Debian tracker: packages mapping to objects keyed by CVE-... or TEMP-... IDs. */
static int looks_like_debian(const json_t *doc)
{
	const char *package;
	const json_t *vulns;
	json_object_foreach((json_t *)doc, package, vulns)
	{
		if (!json_is_object(vulns))
			return 0;
		void *it = json_object_iter((json_t *)vulns);
		if (it == NULL)
			continue;
		const char *key = json_object_iter_key(it);
		return strncmp(key, "CVE-", 4) == 0 || strncmp(key, "TEMP-", 5) == 0;
	}
	return 0;
}

/* Reads one parsed JSON or YAML document of a recognised kind. *known is 0 when it is no advisory. */
static int read_tree(struct import *imp, const char *what, const json_t *doc, int yaml, int *known)
{
	*known = 1;
	if (!json_is_object(doc)) {
		*known = 0;
		return 0;
	}
	if (has_key(doc, "distroversion") && has_key(doc, "packages"))
		return vuln_alpine_read(what, doc, emit, imp);
	if (yaml && (has_key(doc, "gem") || has_key(doc, "engine")))
		return vuln_rubysec_read(what, doc, emit, imp);
	if (yaml && has_key(doc, "reference") && has_key(doc, "branches"))
		return vuln_friendsofphp_read(what, doc, emit, imp);
	/* OSV: an "id" with one more OSV field (a JSON Schema's "id" comes with none of them). */
	if (has_key(doc, "id") && (has_key(doc, "modified") || has_key(doc, "affected") || has_key(doc, "published") ||
				   has_key(doc, "schema_version") || has_key(doc, "aliases") || has_key(doc, "withdrawn"))) {
		struct vuln_advisory *adv;
		int err = vuln_osv_from_json(doc, what, &adv);
		return err != 0 ? err : emit(imp, adv);
	}
	if (!yaml && looks_like_debian(doc))
		return vuln_debian_read(what, doc, emit, imp);
	*known = 0;
	return 0;
}

/* Dispatches one file by name and content. Returns 0 when the file was read, ignored or found
 * corrupt (reported); negative only for failures that must stop the import. */
static int import_data(struct import *imp, const char *what, const void *data, size_t len)
{
	const char *ext = extension(what);
	int yaml = strcasecmp(ext, ".yaml") == 0 || strcasecmp(ext, ".yml") == 0;
	int json = strcasecmp(ext, ".json") == 0;
	int md = strcasecmp(ext, ".md") == 0 && len >= 7 && memcmp(data, "```toml", 7) == 0;
	imp->files++;
	imp->unit.files++;
	if (imp->opts != NULL && imp->opts->on_progress != NULL && imp->files % PROGRESS_EVERY == 0)
		imp->opts->on_progress(imp->opts->ctx, imp->files, imp->advisories);
	if (!yaml && !json && !md) {
		imp->unit.ignored++;
		return 0;
	}
	int err = unit_begin(imp);
	if (err != 0 || (err = savepoint(imp, "SAVEPOINT advisory_file;")) != 0)
		return err;
	memset(&imp->file, 0, sizeof imp->file);
	int known = 1;
	if (md) {
		err = vuln_rustsec_read(what, data, len, emit, imp);
	} else {
		json_t *doc = NULL;
		if (yaml) {
			err = vuln_yaml_parse(data, len, what, &doc);
		} else {
			cairn_json_limits limits = {VULN_MAX_FILE, VULN_MAX_DEPTH};
			err = cairn_json_parse(&doc, data, len, &limits, what);
		}
		if (err == 0)
			err = read_tree(imp, what, doc, yaml, &known);
		json_decref(doc);
	}
	if (imp->fatal != 0) {
		savepoint(imp, "ROLLBACK TO advisory_file;");
		return imp->fatal;
	}
	if (err != 0) {
		/* Corrupt: nothing of this file is kept; say which file and why, and go on. */
		if (savepoint(imp, "ROLLBACK TO advisory_file;") != 0 || savepoint(imp, "RELEASE advisory_file;") != 0)
			return imp->fatal;
		imp->unit_corrupt++;
		if (imp->opts != NULL && imp->opts->on_corrupt != NULL)
			imp->opts->on_corrupt(imp->opts->ctx, what, cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	if (!known)
		imp->unit.ignored++;
	if ((err = savepoint(imp, "RELEASE advisory_file;")) != 0)
		return err;
	report_add(&imp->unit, &imp->file);
	return 0;
}

static int is_archive_name(const char *name)
{
	static const char *const SUFFIXES[] = {".zip", ".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".tzst"};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof SUFFIXES / sizeof SUFFIXES[0]; i++) {
		size_t m = strlen(SUFFIXES[i]);
		if (n > m && strcasecmp(name + n - m, SUFFIXES[i]) == 0)
			return 1;
	}
	return 0;
}

/* True when some component of a relative path starts with '.' (".github", ".id-allocator"). */
static int hidden(const char *path)
{
	for (const char *p = path; *p; p++)
		if (*p == '.' && (p == path || p[-1] == '/') && strcmp(p, ".") != 0 && strncmp(p, "./", 2) != 0)
			return 1;
	return 0;
}

/* Reads one archive member into buf; CAIRN_ETOOBIG when over the limit (then skipped). */
static int read_member(struct archive *a, const char *what, cairn_buf *buf)
{
	char chunk[65536];
	cairn_buf_clear(buf);
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, sizeof chunk);
		if (n == 0)
			return 0;
		if (n < 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: the archive is truncated or corrupt: %s", what,
					       archive_error_string(a) ? archive_error_string(a) : "read error");
		if (buf->len + (size_t)n > VULN_MAX_FILE)
			return cairn_error_set(CAIRN_ETOOBIG, "%s: larger than %zu bytes", what, VULN_MAX_FILE);
		if (cairn_buf_append(buf, chunk, (size_t)n) != 0)
			return CAIRN_ENOMEM;
	}
}

/* Imports every member of an open archive as one unit. */
static int import_archive(struct import *imp, struct archive *a, const char *name)
{
	cairn_buf buf = CAIRN_BUF_INIT;
	char *what = NULL;
	int err = unit_commit(imp); /* the loose files before it are their own unit */
	if (err == 0)
		err = unit_begin(imp);
	size_t entries = 0;
	while (err == 0) {
		struct archive_entry *entry;
		int rc = archive_read_next_header(a, &entry);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: the archive is truncated or corrupt: %s", name,
					      archive_error_string(a) ? archive_error_string(a) : "unreadable header");
			break;
		}
		if (++entries > ARCHIVE_MAX_ENTRIES) {
			err = cairn_error_set(CAIRN_ETOOBIG, "%s: more than %d archive members", name, ARCHIVE_MAX_ENTRIES);
			break;
		}
		const char *member = archive_entry_pathname(entry);
		if (archive_entry_filetype(entry) != AE_IFREG || member == NULL || hidden(member))
			continue;
		free(what);
		if ((what = malloc(strlen(name) + strlen(member) + 2)) == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
		sprintf(what, "%s:%s", name, member);
		if ((err = read_member(a, what, &buf)) == CAIRN_ETOOBIG) {
			/* One oversized member is a corrupt advisory, not a broken archive. */
			imp->unit_corrupt++;
			if (imp->opts != NULL && imp->opts->on_corrupt != NULL)
				imp->opts->on_corrupt(imp->opts->ctx, what, cairn_error_message());
			cairn_error_clear();
			err = 0;
			continue;
		}
		if (err == 0)
			err = import_data(imp, what, buf.data ? (const char *)buf.data : "", buf.len);
	}
	free(what);
	cairn_buf_free(&buf);
	if (err != 0) {
		unit_abort(imp);
		return cairn_error_prefix(err, "nothing of %s was imported", name);
	}
	return unit_commit(imp);
}

static struct archive *archive_new_reader(void)
{
	struct archive *a = archive_read_new();
	if (a == NULL)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	return a;
}

static int import_archive_file(struct import *imp, const char *path)
{
	struct archive *a = archive_new_reader();
	if (a == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory for an archive reader");
	int err;
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		err = cairn_error_set(CAIRN_EINVAL, "%s: not a readable archive: %s", path,
				      archive_error_string(a) ? archive_error_string(a) : "unknown format");
	else
		err = import_archive(imp, a, path);
	archive_read_free(a);
	return err;
}

static int import_file(struct import *imp, const char *path)
{
	if (is_archive_name(path))
		return import_archive_file(imp, path);
	cairn_buf buf = CAIRN_BUF_INIT;
	int err = cairn_file_read(path, VULN_MAX_FILE, &buf);
	if (err == CAIRN_ETOOBIG) {
		char reason[512];
		snprintf(reason, sizeof reason, "%s", cairn_error_message());
		cairn_error_clear();
		if ((err = unit_begin(imp)) == 0) {
			imp->unit_corrupt++;
			if (imp->opts != NULL && imp->opts->on_corrupt != NULL)
				imp->opts->on_corrupt(imp->opts->ctx, path, reason);
		}
	} else if (err == 0) {
		err = import_data(imp, path, buf.data ? (const char *)buf.data : "", buf.len);
	}
	cairn_buf_free(&buf);
	return err;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks a directory in name order (so imports are reproducible), skipping hidden names and links. */
static int import_dir(struct import *imp, const char *dir, int depth)
{
	if (depth > WALK_MAX_DEPTH)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: directories nested deeper than %d", dir, WALK_MAX_DEPTH);
	DIR *d = opendir(dir);
	if (d == NULL)
		return cairn_error_set(CAIRN_EIO, "cannot read directory %s", dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int err = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && err == 0) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof *names);
			if (grown == NULL) {
				err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
				break;
			}
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		else
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n && err == 0; i++) {
		char *path = malloc(strlen(dir) + strlen(names[i]) + 2);
		struct stat st;
		if (path == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			break;
		}
		size_t dlen = strlen(dir);
		while (dlen > 1 && dir[dlen - 1] == '/')
			dlen--; /* "corpus/" names its files "corpus/x", not "corpus//x" */
		sprintf(path, "%.*s/%s", (int)dlen, dir, names[i]);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			err = import_dir(imp, path, depth + 1);
		else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			err = import_file(imp, path);
		/* A broken archive inside the tree loses only itself: report it and go on. */
		if (err != 0 && imp->fatal == 0 && err != CAIRN_ENOMEM && is_archive_name(path)) {
			if (imp->opts != NULL && imp->opts->on_corrupt != NULL)
				imp->opts->on_corrupt(imp->opts->ctx, path, cairn_error_message());
			cairn_error_clear();
			imp->broken++;
			err = 0;
		}
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

static int finish(struct import *imp, int err)
{
	if (err == 0 && imp->fatal == 0) {
		if ((err = unit_commit(imp)) != 0)
			return err;
		if (imp->broken > 0)
			return cairn_error_set(CAIRN_EINVAL,
					       "%zu archive(s) could not be read to their end and were not imported; "
					       "everything else was",
					       imp->broken);
		return 0;
	}
	unit_abort(imp);
	return err != 0 ? err : imp->fatal;
}

int cairn_vulndb_import(cairn_vulndb *db, const char *path, const cairn_vulndb_import_options *opts,
			cairn_vulndb_report *report)
{
	struct import imp = {.db = db, .opts = opts, .report = report};
	struct stat st;
	if (stat(path, &st) != 0)
		return cairn_error_set(CAIRN_ENOENT, "%s: no such file or directory", path);
	int err;
	if (S_ISDIR(st.st_mode))
		err = import_dir(&imp, path, 0);
	else if (S_ISREG(st.st_mode))
		err = import_file(&imp, path);
	else
		return cairn_error_set(CAIRN_EINVAL, "%s: not a file or directory", path);
	return finish(&imp, err);
}

int cairn_vulndb_import_memory(cairn_vulndb *db, const char *name, const void *data, size_t len,
			       const cairn_vulndb_import_options *opts, cairn_vulndb_report *report)
{
	struct import imp = {.db = db, .opts = opts, .report = report};
	int err;
	if (is_archive_name(name)) {
		struct archive *a = archive_new_reader();
		if (a == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "out of memory for an archive reader");
		if (archive_read_open_memory(a, data, len) != ARCHIVE_OK)
			err = cairn_error_set(CAIRN_EINVAL, "%s: not a readable archive: %s", name,
					      archive_error_string(a) ? archive_error_string(a) : "unknown format");
		else
			err = import_archive(&imp, a, name);
		archive_read_free(a);
	} else {
		if (len > VULN_MAX_FILE)
			return cairn_error_set(CAIRN_ETOOBIG, "%s: larger than %zu bytes", name, VULN_MAX_FILE);
		err = import_data(&imp, name, data, len);
	}
	return finish(&imp, err);
}
