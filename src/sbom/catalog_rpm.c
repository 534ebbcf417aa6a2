/* rpm: Red Hat, Fedora, SUSE, Alma, Rocky... packages from the rpm database, in any of its three
 * formats: SQLite (var/lib/rpm/rpmdb.sqlite, Packages.sqlite: table Packages(hnum, blob)), NDB
 * (var/lib/rpm/Packages.db, rpm's own slot-and-blob file) and BerkeleyDB (var/lib/rpm/Packages, a
 * hash database read page by page, read-only, without libdb).
 *
 * Each blob is an RPM header without its 8-byte magic: two big-endian 32-bit counts (index entries il,
 * data bytes dl), il entries of {tag, type, offset, count}, then dl bytes of data. Every offset and
 * count is checked against the data store before anything is read, strings must end inside it, and
 * a header that breaks a rule is left out with a warning naming the database; the others still count.
 *
 * Packages: NAME, VERSION-RELEASE, EPOCH, ARCH, LICENSE, VENDOR (the supplier), SOURCERPM (the
 * upstream qualifier), files from BASENAMES/DIRNAMES/DIRINDEXES, and REQUIRENAME resolved to the
 * installed package of that name, providing it (PROVIDENAME) or owning that file path. The purl
 * namespace is the os-release ID ("fedora", "almalinux", "opensuse-leap"...), as syft writes it. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define RPM_MAX_TAGS 0xffffu          /* rpm's own HEADER_TAGS_MAX */
#define RPM_MAX_DATA 0x0fffffffu      /* rpm's own HEADER_DATA_MAX */
#define RPM_MAX_FILES ((size_t)1000000) /* per package */

enum {
	TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002, TAG_EPOCH = 1003, TAG_VENDOR = 1011,
	TAG_LICENSE = 1014, TAG_ARCH = 1022, TAG_SOURCERPM = 1044, TAG_PROVIDENAME = 1047, TAG_REQUIRENAME = 1049,
	TAG_DIRINDEXES = 1116, TAG_BASENAMES = 1117, TAG_DIRNAMES = 1118,
};
enum { T_INT32 = 4, T_STRING = 6, T_STRING_ARRAY = 8, T_I18NSTRING = 9 };

struct rpm_entry {
	size_t package;
	char **requires;
	size_t require_count;
};

struct sbom_rpm {
	cairn_sbom *sbom;
	sbom_name_index *names;
	struct rpm_entry *entries;
	size_t count, cap;
};

int sbom_rpm_new(sbom_rpm **out, cairn_sbom *sbom)
{
	*out = calloc(1, sizeof **out);
	if (*out == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	(*out)->sbom = sbom;
	int err = sbom_name_index_new(&(*out)->names);
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

static void free_strings(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

void sbom_rpm_free(sbom_rpm *rpm)
{
	if (rpm == NULL)
		return;
	for (size_t i = 0; i < rpm->count; i++)
		free_strings(rpm->entries[i].requires, rpm->entries[i].require_count);
	free(rpm->entries);
	sbom_name_index_free(rpm->names);
	free(rpm);
}

/* ---- one header ---- */

struct header {
	const unsigned char *index, *data;
	uint32_t il, dl;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the counts and that the index and data fit the blob; a reason when they do not. */
static const char *header_open(struct header *h, const unsigned char *blob, size_t len)
{
	static const unsigned char magic[4] = {0x8e, 0xad, 0xe8, 0x01};
	if (len >= 16 && memcmp(blob, magic, 4) == 0) { /* a header as found in an .rpm file */
		blob += 8;
		len -= 8;
	}
	if (len < 8)
		return "shorter than its 8-byte preamble";
	h->il = be32(blob);
	h->dl = be32(blob + 4);
	if (h->il == 0 || h->il > RPM_MAX_TAGS)
		return "its index entry count is out of range";
	if (h->dl > RPM_MAX_DATA)
		return "its data size is out of range";
	if ((uint64_t)h->il * 16 + h->dl > len - 8)
		return "truncated: its index and data run past the end";
	h->index = blob + 8;
	h->data = h->index + (size_t)h->il * 16;
	return NULL;
}

/* Finds tag; returns 0 and its type, offset, count when present and inside the data store. */
static int header_find(const struct header *h, uint32_t tag, uint32_t *type, uint32_t *off, uint32_t *count)
{
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *e = h->index + (size_t)i * 16;
		if (be32(e) != tag)
			continue;
		*type = be32(e + 4);
		*off = be32(e + 8);
		*count = be32(e + 12);
		return *off < h->dl && *count > 0 && *count <= h->dl ? 0 : -1;
	}
	return 1;
}

/* A string tag: 0 and *s (inside the blob, NUL-terminated) or 1 when absent; -1 when malformed. */
static int header_string(const struct header *h, uint32_t tag, const char **s)
{
	uint32_t type, off, count;
	int r = header_find(h, tag, &type, &off, &count);
	if (r != 0)
		return r;
	if (type != T_STRING && type != T_I18NSTRING && type != T_STRING_ARRAY)
		return -1;
	if (memchr(h->data + off, '\0', h->dl - off) == NULL)
		return -1;
	*s = (const char *)h->data + off;
	return 0;
}

/* A string array: *first and *count, each string checked to end inside the data. */
static int header_strings(const struct header *h, uint32_t tag, const char **first, uint32_t *n)
{
	uint32_t type, off, count;
	int r = header_find(h, tag, &type, &off, &count);
	if (r != 0)
		return r;
	if (type != T_STRING_ARRAY)
		return -1;
	size_t pos = off;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *nul = pos < h->dl ? memchr(h->data + pos, '\0', h->dl - pos) : NULL;
		if (nul == NULL)
			return -1;
		pos = (size_t)(nul - h->data) + 1;
	}
	*first = (const char *)h->data + off;
	*n = count;
	return 0;
}

static int header_int32s(const struct header *h, uint32_t tag, const unsigned char **first, uint32_t *n)
{
	uint32_t type, off, count;
	int r = header_find(h, tag, &type, &off, &count);
	if (r != 0)
		return r;
	if (type != T_INT32 || (uint64_t)count * 4 > h->dl - off)
		return -1;
	*first = h->data + off;
	*n = count;
	return 0;
}

static const char *next_string(const char *s) { return s + strlen(s) + 1; }

/* Owned files: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]. */
static int add_files(sbom_rpm *rpm, size_t package, const struct header *h, int *bad)
{
	const char *base, *dir;
	const unsigned char *idx;
	uint32_t nb, nd, ni;
	int rb = header_strings(h, TAG_BASENAMES, &base, &nb), rd = header_strings(h, TAG_DIRNAMES, &dir, &nd),
	    ri = header_int32s(h, TAG_DIRINDEXES, &idx, &ni);
	if (rb == 1 && rd == 1 && ri == 1)
		return 0;
	if (rb != 0 || rd != 0 || ri != 0 || ni != nb || nb > RPM_MAX_FILES) {
		*bad = 1;
		return 0;
	}
	const char **dirs = calloc(nd, sizeof *dirs);
	if (dirs == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	for (uint32_t i = 0; i < nd; i++, dir = next_string(dir))
		dirs[i] = dir;
	cairn_buf path = CAIRN_BUF_INIT;
	int err = 0;
	cairn_sbom_package *p = cairn_sbom_package_at(rpm->sbom, package);
	for (uint32_t i = 0; !err && i < nb; i++, base = next_string(base)) {
		uint32_t d = be32(idx + (size_t)i * 4);
		if (d >= nd) {
			*bad = 1;
			break;
		}
		cairn_buf_clear(&path);
		err = cairn_buf_printf(&path, "%s%s", dirs[d], base);
		if (!err)
			err = cairn_sbom_add_file(rpm->sbom, p, (const char *)path.data, path.len);
		if (!err)
			err = sbom_name_index_add(rpm->names, (const char *)path.data, path.len, package, 1);
	}
	cairn_buf_free(&path);
	free(dirs);
	return err;
}

static int add_names(sbom_rpm *rpm, size_t package, const struct header *h, struct rpm_entry *entry, int *bad)
{
	const char *s;
	uint32_t n;
	int r = header_strings(h, TAG_PROVIDENAME, &s, &n), err = 0;
	if (r < 0)
		*bad = 1;
	for (uint32_t i = 0; r == 0 && !err && i < n; i++, s = next_string(s))
		err = sbom_name_index_add(rpm->names, s, strlen(s), package, 1);
	r = err ? 1 : header_strings(h, TAG_REQUIRENAME, &s, &n);
	if (r < 0)
		*bad = 1;
	if (r == 0 && !err) {
		entry->requires = calloc(n, sizeof *entry->requires);
		if (entry->requires == NULL)
			return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		for (uint32_t i = 0; i < n; i++, s = next_string(s)) {
			if (strncmp(s, "rpmlib(", 7) == 0 || s[0] == '\0')
				continue; /* rpm's own features, not packages */
			if ((entry->requires[entry->require_count] = strdup(s)) == NULL)
				return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			entry->require_count++;
		}
	}
	return err;
}

static int set_optional(const struct header *h, uint32_t tag, char **field, int *bad)
{
	const char *s;
	int r = header_string(h, tag, &s);
	if (r < 0)
		*bad = 1;
	return r == 0 && s[0] ? cairn_sbom_set(field, s) : 0;
}

static int add_package(sbom_rpm *rpm, const struct header *h, const char *path, const char *layer, int *bad)
{
	const char *name, *version, *release;
	if (header_string(h, TAG_NAME, &name) != 0 || header_string(h, TAG_VERSION, &version) != 0 ||
	    header_string(h, TAG_RELEASE, &release) != 0 || name[0] == '\0' || version[0] == '\0') {
		*bad = 2;
		return 0;
	}
	cairn_buf vr = CAIRN_BUF_INIT;
	size_t index;
	int err = release[0] ? cairn_buf_printf(&vr, "%s-%s", version, release) : cairn_buf_append_str(&vr, version);
	if (!err)
		err = cairn_sbom_add_package(rpm->sbom, "rpm", name, cairn_buf_cstr(&vr), &index);
	cairn_buf_free(&vr);
	if (!err)
		err = sbom_grow(&rpm->entries, &rpm->cap, rpm->count, sizeof *rpm->entries);
	if (err)
		return err;
	struct rpm_entry *entry = &rpm->entries[rpm->count++];
	memset(entry, 0, sizeof *entry);
	entry->package = index;
	cairn_sbom_package *p = cairn_sbom_package_at(rpm->sbom, index);
	const char *distro = cairn_sbom_source_of(rpm->sbom)->distro_id;
	err = distro ? cairn_sbom_set(&p->namespace_, distro) : 0;
	if (!err)
		err = set_optional(h, TAG_ARCH, &p->arch, bad);
	if (!err)
		err = set_optional(h, TAG_VENDOR, &p->supplier, bad);
	if (!err)
		err = set_optional(h, TAG_SOURCERPM, &p->source_name, bad);
	const unsigned char *epoch;
	uint32_t n;
	int r = err ? 1 : header_int32s(h, TAG_EPOCH, &epoch, &n);
	if (r < 0)
		*bad = 1;
	if (r == 0) {
		char text[16];
		snprintf(text, sizeof text, "%u", (unsigned)be32(epoch));
		err = cairn_sbom_set(&p->epoch, text);
	}
	const char *license;
	r = err ? 1 : header_string(h, TAG_LICENSE, &license);
	if (r < 0)
		*bad = 1;
	if (r == 0 && license[0])
		err = cairn_sbom_add_license(rpm->sbom, p, license, 0);
	if (!err)
		err = cairn_sbom_add_location(p, layer, path);
	if (!err)
		err = sbom_name_index_add(rpm->names, name, strlen(name), index, 0);
	if (!err)
		err = add_names(rpm, index, h, entry, bad);
	if (!err)
		err = add_files(rpm, index, h, bad);
	return err;
}

int sbom_rpm_add_header(sbom_rpm *rpm, const unsigned char *blob, size_t len, const char *path, const char *layer)
{
	struct header h;
	const char *why = header_open(&h, blob, len);
	if (why != NULL) {
		cairn_sbom_warn(rpm->sbom, "%s: an RPM header is %s; that package is left out", path, why);
		return 0;
	}
	int bad = 0;
	int err = add_package(rpm, &h, path, layer, &bad);
	if (!err && bad == 2)
		cairn_sbom_warn(rpm->sbom, "%s: an RPM header without a valid NAME, VERSION or RELEASE; that package is left out",
				path);
	else if (!err && bad)
		cairn_sbom_warn(rpm->sbom, "%s: an RPM header has a malformed tag (an offset or count outside its data); "
				      "some of that package's details are left out", path);
	return err;
}

int sbom_rpm_resolve(sbom_rpm *rpm)
{
	int err = 0;
	for (size_t i = 0; !err && i < rpm->count; i++) {
		const struct rpm_entry *e = &rpm->entries[i];
		for (size_t j = 0; !err && j < e->require_count; j++) {
			size_t to;
			if (sbom_name_index_find(rpm->names, e->requires[j], strlen(e->requires[j]), &to) == 0 && to != e->package)
				err = cairn_sbom_add_relationship(rpm->sbom, e->package, to, CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	return err;
}

/* ---- SQLite: Packages(hnum, blob) ---- */

int sbom_rpm_parse_sqlite(sbom_rpm *rpm, const unsigned char *data, size_t len, const char *path, const char *layer)
{
	if (len < 100 || memcmp(data, "SQLite format 3", 16) != 0) {
		cairn_sbom_warn(rpm->sbom, "%s: not an SQLite database; its packages are not listed", path);
		return 0;
	}
	/* a private copy: rpm keeps its database in WAL mode, which an in-memory database cannot be; bytes
	 * 18 and 19 (read and write versions) set to 1 say "rollback journal" and change nothing else */
	unsigned char *copy = sqlite3_malloc64(len);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	memcpy(copy, data, len);
	copy[18] = copy[19] = 1;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
					 SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
	else
		sqlite3_free(copy);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL);
	int err = 0;
	while (rc == SQLITE_OK && !err) {
		int step = sqlite3_step(st);
		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW) {
			rc = step;
			break;
		}
		const void *blob = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (blob != NULL && n > 0)
			err = sbom_rpm_add_header(rpm, blob, (size_t)n, path, layer);
		else
			cairn_sbom_warn(rpm->sbom, "%s: an empty package row; left out", path);
	}
	if (rc != SQLITE_OK)
		cairn_sbom_warn(rpm->sbom, "%s: the rpm SQLite database cannot be read (%s); packages after that are not listed",
				path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return err;
}

/* ---- NDB: rpm's Packages.db ----
 * Little-endian. A 32-byte header {magic "RpmP", version 0, generation, slot pages, ...}, then the
 * slot area (slot pages x 4096 bytes, counting the header as its first two 16-byte slots): slots of
 * {magic "Slot", package index, block offset, block count}, index 0 for a free slot. A package's blob
 * starts at block offset x 16: {magic "BlbS", package index, generation, length} then the header. */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int sbom_rpm_parse_ndb(sbom_rpm *rpm, const unsigned char *data, size_t len, const char *path, const char *layer)
{
	if (len < 32 || memcmp(data, "RpmP", 4) != 0 || le32(data + 4) != 0) {
		cairn_sbom_warn(rpm->sbom, "%s: not an rpm NDB database (version 0); its packages are not listed", path);
		return 0;
	}
	uint64_t pages = le32(data + 12), slots_end = pages * 4096;
	if (pages == 0 || slots_end > len) {
		cairn_sbom_warn(rpm->sbom, "%s: its slot area runs past the end of the file; its packages are not listed", path);
		return 0;
	}
	int err = 0, warned = 0;
	for (uint64_t off = 32; !err && off + 16 <= slots_end; off += 16) {
		const unsigned char *slot = data + off;
		uint32_t pkg = le32(slot + 4);
		if (memcmp(slot, "Slot", 4) != 0 || pkg == 0)
			continue;
		uint64_t blk = (uint64_t)le32(slot + 8) * 16, blkcnt = (uint64_t)le32(slot + 12) * 16;
		const char *why = NULL;
		if (blk < slots_end || blk > len || blkcnt > len - blk || blkcnt < 16)
			why = "points outside the file";
		else if (memcmp(data + blk, "BlbS", 4) != 0 || le32(data + blk + 4) != pkg)
			why = "does not point at its blob";
		else if ((uint64_t)le32(data + blk + 12) > blkcnt - 16)
			why = "has a blob longer than its blocks";
		if (why != NULL) {
			if (!warned)
				cairn_sbom_warn(rpm->sbom, "%s: package slot %u %s; that package is left out", path, pkg, why);
			warned = 1;
			continue;
		}
		err = sbom_rpm_add_header(rpm, data + blk + 16, le32(data + blk + 12), path, layer);
	}
	return err;
}

/* ---- BerkeleyDB hash: rpm's Packages before 4.16 ----
 * Read-only, from the on-disk format: a metadata page (page 0: magic 0x061561 at 12, in the writer's
 * byte order, page size at 20, last page number at 32), then pages with a 26-byte header {lsn, pgno,
 * prev, next (16), entry count (20), high free offset (22), level, type (25)} and an array of 16-bit
 * item offsets. Hash pages (types 2 and 13) hold key/value pairs; rpm's values (header blobs) are
 * off-page items {type 3, pad[3], first overflow page, total length}, stored on a chain of overflow
 * pages (type 7) each holding hf_offset bytes after its header. Every page number, offset and length
 * is checked; a chain longer than the file has pages is a loop. */

struct bdb {
	const unsigned char *data;
	size_t len;
	uint32_t pagesize, last;
	int big;
};

static uint32_t bdb32(const struct bdb *b, const unsigned char *p) { return b->big ? be32(p) : le32(p); }
static uint32_t bdb16(const struct bdb *b, const unsigned char *p)
{
	return b->big ? (uint32_t)(p[0] << 8 | p[1]) : (uint32_t)(p[1] << 8 | p[0]);
}

static const unsigned char *bdb_page(const struct bdb *b, uint32_t pgno)
{
	if (pgno > b->last || (uint64_t)(pgno + 1) * b->pagesize > b->len)
		return NULL;
	return b->data + (size_t)pgno * b->pagesize;
}

/* Concatenates an overflow chain of tlen bytes into out; a reason when it is broken. */
static const char *bdb_overflow(const struct bdb *b, uint32_t pgno, uint32_t tlen, cairn_buf *out)
{
	cairn_buf_clear(out);
	for (uint32_t hops = 0; out->len < tlen; hops++) {
		const unsigned char *pg = pgno ? bdb_page(b, pgno) : NULL;
		if (pg == NULL || hops > b->last)
			return "an overflow chain leaves the file or loops";
		if (pg[25] != 7)
			return "an overflow chain reaches a page that is not an overflow page";
		uint32_t n = bdb16(b, pg + 22);
		if (n > b->pagesize - 26 || n > tlen - out->len)
			return "an overflow page holds more than its page or its item";
		if (cairn_buf_append(out, pg + 26, n) != 0)
			return "out of memory";
		pgno = bdb32(b, pg + 16);
	}
	return NULL;
}

int sbom_rpm_parse_bdb(sbom_rpm *rpm, const unsigned char *data, size_t len, const char *path, const char *layer)
{
	struct bdb b = {data, len, 0, 0, 0};
	if (len >= 512 && le32(data + 12) == 0x061561)
		b.big = 0;
	else if (len >= 512 && be32(data + 12) == 0x061561)
		b.big = 1;
	else {
		cairn_sbom_warn(rpm->sbom, "%s: not a BerkeleyDB hash database; its packages are not listed", path);
		return 0;
	}
	b.pagesize = bdb32(&b, data + 20);
	b.last = bdb32(&b, data + 32);
	if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)) || data[25] != 8) {
		cairn_sbom_warn(rpm->sbom, "%s: a BerkeleyDB database that is not a hash or has a bad page size; "
				      "its packages are not listed", path);
		return 0;
	}
	if (len / b.pagesize < 2)
		return 0; /* a metadata page and nothing else: no packages */
	if ((uint64_t)b.last >= len / b.pagesize)
		b.last = (uint32_t)(len / b.pagesize) - 1; /* a truncated file: read the pages that are there */
	cairn_buf blob = CAIRN_BUF_INIT;
	int err = 0, warned = 0;
	for (uint32_t pgno = 1; !err && pgno <= b.last; pgno++) {
		const unsigned char *pg = bdb_page(&b, pgno);
		if (pg == NULL || (pg[25] != 13 && pg[25] != 2))
			continue;
		uint32_t entries = bdb16(&b, pg + 20);
		if (26 + (uint64_t)entries * 2 > b.pagesize)
			entries = 0;
		for (uint32_t i = 1; !err && i < entries; i += 2) { /* values: the odd items */
			uint32_t off = bdb16(&b, pg + 26 + 2 * i);
			if (off + 12 > b.pagesize || pg[off] != 3)
				continue; /* an inline value: not a header (rpm keeps its instance counter so) */
			uint32_t first = bdb32(&b, pg + off + 4), tlen = bdb32(&b, pg + off + 8);
			const char *why = tlen > RPM_MAX_DATA ? "an item is longer than any RPM header" : bdb_overflow(&b, first, tlen, &blob);
			if (why != NULL) {
				if (!warned)
					cairn_sbom_warn(rpm->sbom, "%s: %s; that package is left out", path, why);
				warned = 1;
				continue;
			}
			err = sbom_rpm_add_header(rpm, blob.data, blob.len, path, layer);
		}
	}
	cairn_buf_free(&blob);
	return err;
}

/* ---- the tree ---- */

static const char *const sqlite_paths[] = {"/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite",
					   "/var/lib/rpm/Packages.sqlite"};
static const char *const ndb_paths[] = {"/var/lib/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db"};
static const char *const bdb_paths[] = {"/var/lib/rpm/Packages", "/usr/lib/sysimage/rpm/Packages"};

static int in_list(const char *path, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(path, list[i] + 1) == 0)
			return 1;
	return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int sbom_rpm_want(const char *path, uint64_t size, uint64_t max_db)
{
	while (*path == '/')
		path++;
	return size <= max_db && (in_list(path, sqlite_paths, COUNT(sqlite_paths)) || in_list(path, ndb_paths, COUNT(ndb_paths)) ||
				  in_list(path, bdb_paths, COUNT(bdb_paths)));
}

static int read_db(cairn_sbom *sbom, const cairn_tree *tree, const char *path, uint64_t max_db, cairn_buf *out,
		   const cairn_entry **entry)
{
	const cairn_entry *e = cairn_tree_lookup(tree, path);
	if (e != NULL && e->type == CAIRN_ENTRY_SYMLINK && cairn_tree_resolve(tree, path, &e) != 0) {
		cairn_error_clear();
		return 1;
	}
	if (e == NULL || (e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK))
		return 1;
	if (e->size > max_db) {
		cairn_sbom_warn(sbom, "%s: %llu bytes, over the limit of %llu; its packages are not listed", path,
				(unsigned long long)e->size, (unsigned long long)max_db);
		return 1;
	}
	cairn_buf_clear(out);
	if (cairn_tree_read(tree, e, (size_t)max_db, out) != 0) {
		cairn_sbom_warn(sbom, "%s: cannot be read (%s); its packages are not listed", path, cairn_error_message());
		cairn_error_clear();
		return 1;
	}
	*entry = e;
	return 0;
}

int sbom_rpm_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count, uint64_t max_db)
{
	sbom_rpm *rpm;
	int err = sbom_rpm_new(&rpm, sbom), found = 0;
	cairn_buf data = CAIRN_BUF_INIT;
	const cairn_entry *e;
	/* one database per image: the first format found, newest first */
	for (size_t i = 0; !err && !found && i < COUNT(sqlite_paths) + COUNT(ndb_paths); i++) {
		int sqlite = i < COUNT(sqlite_paths);
		const char *path = sqlite ? sqlite_paths[i] : ndb_paths[i - COUNT(sqlite_paths)];
		if (read_db(sbom, tree, path, max_db, &data, &e) != 0)
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		found = 1;
		err = sqlite ? sbom_rpm_parse_sqlite(rpm, data.data, data.len, path, layer)
			     : sbom_rpm_parse_ndb(rpm, data.data, data.len, path, layer);
	}
	for (size_t i = 0; !err && !found && i < COUNT(bdb_paths); i++) {
		if (read_db(sbom, tree, bdb_paths[i], max_db, &data, &e) != 0)
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		found = 1;
		err = sbom_rpm_parse_bdb(rpm, data.data, data.len, bdb_paths[i], layer);
	}
	if (!err)
		err = sbom_rpm_resolve(rpm);
	sbom_rpm_free(rpm);
	cairn_buf_free(&data);
	return err;
}
