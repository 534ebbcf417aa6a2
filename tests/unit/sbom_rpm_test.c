/* Unit tests of the rpm cataloger: RPM header blobs laid out as the RPM file format specification
 * describes them (big-endian index entries {tag, type, offset, count} and a data store), stored the
 * way rpm stores them (an SQLite Packages(hnum, blob) table; NDB's slot pages and blobs), and
 * hostile headers: every truncation, offsets and counts outside the data store, directory indexes
 * out of range. Databases written by rpm itself are compared with `rpm -qa` in
 * tests/e2e/sbom_go_rpm.bats. */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ---- building headers ---- */

struct hdr {
	unsigned char index[64 * 16], data[4096];
	uint32_t il, dl;
};

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void entry(struct hdr *h, uint32_t tag, uint32_t type, const void *data, size_t len, uint32_t count)
{
	if (type == 4) /* INT32 data is 4-byte aligned */
		h->dl = (h->dl + 3) & ~3u;
	unsigned char *e = h->index + h->il * 16;
	be32(e, tag);
	be32(e + 4, type);
	be32(e + 8, h->dl);
	be32(e + 12, count);
	memcpy(h->data + h->dl, data, len);
	h->dl += (uint32_t)len;
	h->il++;
}

static void str(struct hdr *h, uint32_t tag, const char *s) { entry(h, tag, 6, s, strlen(s) + 1, 1); }

/* NUL-separated strings given as one literal with embedded "\0". */
static void strs(struct hdr *h, uint32_t tag, const char *s, size_t len, uint32_t count) { entry(h, tag, 8, s, len, count); }
#define STRS(h, tag, literal, count) strs(h, tag, literal, sizeof literal, count)

static void int32s(struct hdr *h, uint32_t tag, const uint32_t *v, uint32_t count)
{
	unsigned char buf[64];
	for (uint32_t i = 0; i < count; i++)
		be32(buf + 4 * i, v[i]);
	entry(h, tag, 4, buf, 4 * count, count);
}

static size_t blob(const struct hdr *h, unsigned char *out)
{
	be32(out, h->il);
	be32(out + 4, h->dl);
	memcpy(out + 8, h->index, h->il * 16);
	memcpy(out + 8 + h->il * 16, h->data, h->dl);
	return 8 + h->il * 16 + h->dl;
}

/* bash as Fedora ships it, reduced: what the cataloger reads. */
static size_t bash_header(unsigned char *out)
{
	struct hdr h;
	memset(&h, 0, sizeof h);
	str(&h, 1000, "bash");
	str(&h, 1001, "5.2.26");
	str(&h, 1002, "3.fc40");
	uint32_t epoch = 0;
	int32s(&h, 1003, &epoch, 1);
	str(&h, 1011, "Fedora Project");
	str(&h, 1014, "GPL-3.0-or-later");
	str(&h, 1022, "x86_64");
	str(&h, 1044, "bash-5.2.26-3.fc40.src.rpm");
	STRS(&h, 1047, "bash\0bash(x86-64)\0/bin/bash", 3);
	STRS(&h, 1049, "/bin/sh\0rpmlib(CompressedFileNames)\0libc.so.6()(64bit)", 3);
	STRS(&h, 1117, "bash\0sh\0bash.1.gz", 3);
	STRS(&h, 1118, "/usr/bin/\0/usr/share/man/man1/", 2);
	uint32_t dirs[3] = {0, 0, 1};
	int32s(&h, 1116, dirs, 3);
	return blob(&h, out);
}

static size_t glibc_header(unsigned char *out)
{
	struct hdr h;
	memset(&h, 0, sizeof h);
	str(&h, 1000, "glibc");
	str(&h, 1001, "2.39");
	str(&h, 1002, "4.fc40");
	str(&h, 1022, "x86_64");
	str(&h, 1014, "LGPLv2+ and GPLv2+");
	STRS(&h, 1047, "libc.so.6()(64bit)\0glibc", 2);
	STRS(&h, 1117, "sh", 1);
	STRS(&h, 1118, "/bin/", 1);
	uint32_t d = 0;
	int32s(&h, 1116, &d, 1);
	return blob(&h, out);
}

static const cairn_sbom_package *find(const cairn_sbom *sbom, const char *name)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		if (strcmp(cairn_sbom_package_at(sbom, i)->name, name) == 0)
			return cairn_sbom_package_at(sbom, i);
	return NULL;
}

static size_t depends_count(const cairn_sbom *sbom, const char *from, const char *to)
{
	size_t n = 0;
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		n += strcmp(cairn_sbom_package_at(sbom, r->from)->name, from) == 0 &&
		     strcmp(cairn_sbom_package_at(sbom, r->to)->name, to) == 0;
	}
	return n;
}

static cairn_sbom *fedora_sbom(void)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	static const char osr[] = "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=40\n";
	cr_assert_eq(cairn_sbom_parse_os_release(sbom, osr, sizeof osr - 1), 0);
	return sbom;
}

static void expect_bash_glibc(cairn_sbom *sbom)
{
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0, "%s", cairn_sbom_warning_count(sbom) ? cairn_sbom_warning(sbom, 0) : "");
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 2);
	const cairn_sbom_package *p = find(sbom, "bash");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, "5.2.26-3.fc40");
	cr_assert_str_eq(p->purl, "pkg:rpm/fedora/bash@5.2.26-3.fc40?arch=x86_64&distro=fedora-40&epoch=0"
				  "&upstream=bash-5.2.26-3.fc40.src.rpm");
	cr_assert_str_eq(p->supplier, "Fedora Project");
	cr_assert_eq(p->license_count, 1);
	cr_assert_str_eq(p->licenses[0], "GPL-3.0-or-later");
	cr_assert_eq(p->file_count, 3);
	cr_assert_str_eq(p->files[0], "/usr/bin/bash");
	cr_assert_str_eq(p->files[2], "/usr/share/man/man1/bash.1.gz");
	/* bash needs /bin/sh (a file glibc owns here) and libc.so.6()(64bit) (glibc provides it): one edge */
	cr_assert_eq(depends_count(sbom, "bash", "glibc"), 1);
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 1);
	p = find(sbom, "glibc");
	cr_assert_null(p->epoch);
	cr_assert_eq(p->license_count, 1); /* old Fedora short names are kept as a named license */
}

Test(sbom_rpm, header_blobs)
{
	unsigned char a[8192], b[8192];
	size_t na = bash_header(a), nb = glibc_header(b);
	cairn_sbom *sbom = fedora_sbom();
	sbom_rpm *rpm;
	cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
	cr_assert_eq(sbom_rpm_add_header(rpm, a, na, "/var/lib/rpm/rpmdb.sqlite", NULL), 0);
	cr_assert_eq(sbom_rpm_add_header(rpm, b, nb, "/var/lib/rpm/rpmdb.sqlite", NULL), 0);
	cr_assert_eq(sbom_rpm_resolve(rpm), 0);
	sbom_rpm_free(rpm);
	expect_bash_glibc(sbom);
	cairn_sbom_free(sbom);
}

/* ---- SQLite, as rpm >= 4.16 writes it (and in WAL mode, as rpm leaves it) ---- */

static unsigned char *sqlite_db(size_t *len, int wal)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)", NULL,
				  NULL, NULL),
		     SQLITE_OK);
	unsigned char a[8192];
	for (int i = 0; i < 2; i++) {
		size_t n = i == 0 ? glibc_header(a) : bash_header(a);
		sqlite3_stmt *st;
		cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_blob(st, 1, a, (int)n, SQLITE_TRANSIENT);
		cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	sqlite3_int64 size;
	unsigned char *mem = sqlite3_serialize(db, "main", &size, 0);
	cr_assert_not_null(mem);
	sqlite3_close(db);
	if (wal) /* the file format's read/write version bytes say WAL */
		mem[18] = mem[19] = 2;
	*len = (size_t)size;
	return mem;
}

Test(sbom_rpm, sqlite_database)
{
	for (int wal = 0; wal <= 1; wal++) {
		size_t len;
		unsigned char *db = sqlite_db(&len, wal);
		cairn_sbom *sbom = fedora_sbom();
		sbom_rpm *rpm;
		cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
		cr_assert_eq(sbom_rpm_parse_sqlite(rpm, db, len, "/var/lib/rpm/rpmdb.sqlite", "sha256:00"), 0);
		cr_assert_eq(sbom_rpm_resolve(rpm), 0);
		sbom_rpm_free(rpm);
		expect_bash_glibc(sbom);
		cr_assert_str_eq(find(sbom, "bash")->locations[0].layer, "sha256:00");
		cairn_sbom_free(sbom);
		/* truncated databases: a warning, never a crash */
		for (size_t cut = 0; cut < len; cut += len / 7 + 1) {
			cr_assert_eq(cairn_sbom_new(&sbom), 0);
			cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
			cr_assert_eq(sbom_rpm_parse_sqlite(rpm, db, cut, "/var/lib/rpm/rpmdb.sqlite", NULL), 0);
			sbom_rpm_free(rpm);
			cr_assert_geq(cairn_sbom_warning_count(sbom) + cairn_sbom_package_count(sbom), 1);
			cairn_sbom_free(sbom);
		}
		sqlite3_free(db);
	}
}

/* ---- NDB: rpm's Packages.db (little-endian slots and blobs) ---- */

static void le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static size_t ndb_file(unsigned char *out, size_t cap)
{
	memset(out, 0, cap);
	memcpy(out, "RpmP", 4);
	le32(out + 4, 0);  /* version */
	le32(out + 8, 1);  /* generation */
	le32(out + 12, 1); /* slot pages */
	size_t pos = 4096, slot = 32;
	unsigned char h[8192];
	for (uint32_t pkg = 1; pkg <= 2; pkg++) {
		size_t n = pkg == 1 ? bash_header(h) : glibc_header(h);
		size_t blocks = (16 + n + 12 + 15) / 16;
		memcpy(out + slot, "Slot", 4);
		le32(out + slot + 4, pkg);
		le32(out + slot + 8, (uint32_t)(pos / 16));
		le32(out + slot + 12, (uint32_t)blocks);
		memcpy(out + pos, "BlbS", 4);
		le32(out + pos + 4, pkg);
		le32(out + pos + 8, 1);
		le32(out + pos + 12, (uint32_t)n);
		memcpy(out + pos + 16, h, n);
		pos += blocks * 16;
		slot += 16;
	}
	memcpy(out + slot, "Slot", 4); /* a free slot */
	return pos;
}

Test(sbom_rpm, ndb_database)
{
	static unsigned char file[32768];
	size_t len = ndb_file(file, sizeof file);
	cairn_sbom *sbom = fedora_sbom();
	sbom_rpm *rpm;
	cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
	cr_assert_eq(sbom_rpm_parse_ndb(rpm, file, len, "/var/lib/rpm/Packages.db", NULL), 0);
	cr_assert_eq(sbom_rpm_resolve(rpm), 0);
	sbom_rpm_free(rpm);
	expect_bash_glibc(sbom);
	cairn_sbom_free(sbom);
	/* a slot pointing past the end: that package is a warning, the other still counts */
	le32(file + 32 + 8, 0x7fffffff);
	sbom = fedora_sbom();
	cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
	cr_assert_eq(sbom_rpm_parse_ndb(rpm, file, len, "/var/lib/rpm/Packages.db", NULL), 0);
	sbom_rpm_free(rpm);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 1);
	cr_assert(strstr(cairn_sbom_warning(sbom, 0), "/var/lib/rpm/Packages.db: package slot 1 points outside") != NULL);
	cairn_sbom_free(sbom);
	/* every truncation */
	len = ndb_file(file, sizeof file);
	for (size_t cut = 0; cut < len; cut += 61) {
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
		cr_assert_eq(sbom_rpm_parse_ndb(rpm, file, cut, "/var/lib/rpm/Packages.db", NULL), 0);
		sbom_rpm_free(rpm);
		cairn_sbom_free(sbom);
	}
}

/* ---- hostile headers ---- */

static void hostile(const unsigned char *b, size_t n, const char *expect)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	sbom_rpm *rpm;
	cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
	cr_assert_eq(sbom_rpm_add_header(rpm, b, n, "/var/lib/rpm/rpmdb.sqlite", NULL), 0);
	cr_assert_eq(sbom_rpm_resolve(rpm), 0);
	sbom_rpm_free(rpm);
	if (expect != NULL) {
		cr_assert_geq(cairn_sbom_warning_count(sbom), 1);
		cr_assert(strstr(cairn_sbom_warning(sbom, 0), expect) != NULL, "%s", cairn_sbom_warning(sbom, 0));
	}
	cairn_sbom_free(sbom);
}

Test(sbom_rpm, hostile_headers)
{
	unsigned char b[8192], c[8192];
	size_t n = bash_header(b);
	/* every truncation: never a read past the end (ASan), a warning when the counts no longer fit */
	for (size_t cut = 0; cut < n; cut++) {
		memcpy(c, b, cut);
		hostile(c, cut, cut < n ? "/var/lib/rpm/rpmdb.sqlite: an RPM header" : NULL);
	}
	/* counts in the preamble out of range */
	memcpy(c, b, n);
	be32(c, 0x10000);
	hostile(c, n, "index entry count is out of range");
	memcpy(c, b, n);
	be32(c + 4, 0xffffffff);
	hostile(c, n, "data size is out of range");
	/* each index entry in turn: its offset outside the data store, then its count enormous */
	uint32_t il = 0;
	for (int k = 0; k < 4; k++)
		il = il << 8 | b[k];
	for (uint32_t i = 0; i < il; i++) {
		memcpy(c, b, n);
		be32(c + 8 + 16 * i + 8, 0x7ffffff0);
		hostile(c, n, "/var/lib/rpm/rpmdb.sqlite: an RPM header");
		memcpy(c, b, n);
		be32(c + 8 + 16 * i + 12, 0xffffffff);
		hostile(c, n, "/var/lib/rpm/rpmdb.sqlite: an RPM header");
		memcpy(c, b, n);
		be32(c + 8 + 16 * i + 12, 0x40000000); /* large, fits 32 bits, overflows count * 4 in 32 */
		hostile(c, n, NULL);
	}
	/* a string without its NUL: the data store ends inside it */
	struct hdr h;
	memset(&h, 0, sizeof h);
	entry(&h, 1000, 6, "bash", 4, 1);
	n = blob(&h, c);
	hostile(c, n, "without a valid NAME");
	/* a directory index past the directory names */
	memset(&h, 0, sizeof h);
	str(&h, 1000, "x");
	str(&h, 1001, "1");
	str(&h, 1002, "1");
	STRS(&h, 1117, "a", 1);
	STRS(&h, 1118, "/", 1);
	uint32_t d = 7;
	int32s(&h, 1116, &d, 1);
	n = blob(&h, c);
	hostile(c, n, "malformed tag");
}

Test(sbom_rpm, want_takes_the_databases_only)
{
	cr_assert(sbom_rpm_want("var/lib/rpm/rpmdb.sqlite", 1000, 1 << 20));
	cr_assert(sbom_rpm_want("usr/lib/sysimage/rpm/rpmdb.sqlite", 1000, 1 << 20));
	cr_assert(sbom_rpm_want("var/lib/rpm/Packages.db", 1000, 1 << 20));
	cr_assert_not(sbom_rpm_want("var/lib/rpm/rpmdb.sqlite", 2 << 20, 1 << 20));
	cr_assert_not(sbom_rpm_want("var/lib/rpm/Index.db", 1000, 1 << 20));
}

/* ---- BerkeleyDB hash (rpm < 4.16), laid out as Berkeley DB's on-disk format describes it ---- */

enum { PG = 512 };

static void le16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* meta page 0, hash page 1 with two key/value pairs pointing at overflow chains from page 2 on. */
static size_t bdb_file(unsigned char *out, size_t cap)
{
	memset(out, 0, cap);
	le32(out + 12, 0x061561);
	le32(out + 16, 9);
	le32(out + 20, PG);
	out[25] = 8; /* hash metadata */
	unsigned char *hp = out + PG;
	le32(hp + 8, 1);
	hp[25] = 13; /* hash page */
	le16(hp + 20, 4);
	uint32_t pgno = 2, item = PG;
	unsigned char h[8192];
	for (uint32_t k = 0; k < 2; k++) {
		size_t n = k == 0 ? bash_header(h) : glibc_header(h);
		/* key: an inline 4-byte instance number; value: an off-page item */
		item -= 12;
		unsigned char *v = hp + item;
		v[0] = 3;
		le32(v + 4, pgno);
		le32(v + 8, (uint32_t)n);
		item -= 5;
		hp[item] = 1;
		le32(hp + item + 1, k + 1);
		le16(hp + 26 + 4 * k, item);
		le16(hp + 26 + 4 * k + 2, item + 5);
		for (size_t done = 0; done < n; pgno++) {
			unsigned char *op = out + (size_t)pgno * PG;
			size_t chunk = n - done < PG - 26 ? n - done : PG - 26;
			le32(op + 8, pgno);
			op[25] = 7;
			le16(op + 22, (uint32_t)chunk);
			memcpy(op + 26, h + done, chunk);
			done += chunk;
			le32(op + 16, done < n ? pgno + 1 : 0);
		}
	}
	le32(out + 32, pgno - 1); /* last page */
	return (size_t)pgno * PG;
}

Test(sbom_rpm, bdb_database)
{
	static unsigned char file[32768];
	size_t len = bdb_file(file, sizeof file);
	cairn_sbom *sbom = fedora_sbom();
	sbom_rpm *rpm;
	cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
	cr_assert_eq(sbom_rpm_parse_bdb(rpm, file, len, "/var/lib/rpm/Packages", NULL), 0);
	cr_assert_eq(sbom_rpm_resolve(rpm), 0);
	sbom_rpm_free(rpm);
	expect_bash_glibc(sbom);
	cairn_sbom_free(sbom);
	/* an item longer than its overflow chain (which ends, next page 0): a warning, the other package
	 * still counts; the first value item sits 12 bytes below the end of the hash page */
	le32(file + PG + PG - 12 + 8, 5000);
	sbom = fedora_sbom();
	cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
	cr_assert_eq(sbom_rpm_parse_bdb(rpm, file, len, "/var/lib/rpm/Packages", NULL), 0);
	sbom_rpm_free(rpm);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	cr_assert_eq(cairn_sbom_warning_count(sbom), 1);
	cr_assert(strstr(cairn_sbom_warning(sbom, 0), "/var/lib/rpm/Packages: an overflow") != NULL, "%s",
		  cairn_sbom_warning(sbom, 0));
	cairn_sbom_free(sbom);
	/* every truncation, and every byte of the hash page flipped: no crash, no read outside */
	len = bdb_file(file, sizeof file);
	for (size_t cut = 0; cut < len; cut += 37) {
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
		cr_assert_eq(sbom_rpm_parse_bdb(rpm, file, cut, "/var/lib/rpm/Packages", NULL), 0);
		sbom_rpm_free(rpm);
		cairn_sbom_free(sbom);
	}
	for (size_t i = PG; i < 2 * PG; i++) {
		unsigned char saved = file[i];
		file[i] ^= 0xff;
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		cr_assert_eq(sbom_rpm_new(&rpm, sbom), 0);
		cr_assert_eq(sbom_rpm_parse_bdb(rpm, file, len, "/var/lib/rpm/Packages", NULL), 0);
		sbom_rpm_free(rpm);
		cairn_sbom_free(sbom);
		file[i] = saved;
	}
}
