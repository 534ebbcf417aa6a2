/* Java: JAR, WAR and EAR files (and the other zip-based Java archives: .jpi/.hpi Jenkins plugins, .par,
 * .sar, .kar, .rar resource adapters), with every archive nested inside them.
 *
 * Each archive is a zip read from memory with libarchive's seekable zip reader (it trusts the central
 * directory, as the JVM does). Inside one archive:
 *   - every META-INF/maven/<group>/<artifact>/pom.properties is a package (groupId, artifactId,
 *     version), completed by the pom.xml beside it (name, licenses, groupId and version inherited from
 *     <parent>); a pom.xml alone counts too when it names its artifact;
 *   - the archive's own package is its only pom.properties, or, in a shaded jar with several, the one
 *     whose artifactId the file name starts with; failing both, MANIFEST.MF and then the file name
 *     ("name-1.2.3.jar") give a name and version;
 *   - nested archives (WEB-INF/lib/x.jar, BOOT-INF/lib/x.jar, an EAR's modules, jars in jars) are read
 *     the same way, and the archive's own package CONTAINS what they and its other pom.properties hold.
 * Packages are type "maven" with the groupId as namespace (pkg:maven/group/artifact@version); their
 * location is the file in the tree, with nested paths after a colon: "/srv/app.war:WEB-INF/lib/x.jar".
 * A top archive owned by an OS package (in its file list) is CONTAINed by that package.
 *
 * Zip bombs and jar bombs are bounded per top archive: nesting depth, entries in all, uncompressed
 * bytes read in all, and the size of each nested archive and metadata file (only those are ever
 * decompressed). Passing a bound is a warning naming the outer file and the nested path; packages
 * found before it stay, and the rest of the SBOM goes on. */
#include "cairn/error.h"
#include "java_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JAVA_MAX_ARCHIVE ((uint64_t)256 * 1024 * 1024) /* one archive file of the tree, read into memory */
#define JAVA_CHUNK ((size_t)64 * 1024)
#define MAVEN_PREFIX "META-INF/maven/"

void sbom_java_limits_default(sbom_java_limits *limits)
{
	limits->max_depth = 5;
	limits->max_entries = 500000;
	limits->max_total = (uint64_t)512 * 1024 * 1024;
	limits->max_nested = (uint64_t)128 * 1024 * 1024;
	limits->max_meta = (uint64_t)1024 * 1024;
}

static int oom(void) { return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory"); }

/* ---- which files are Java archives ---- */

enum { EXT_NONE, EXT_JAVA, EXT_SHARED };

/* .rar, .par and .kar also name RAR archives, parity files and karaoke songs: those are read only
 * when their bytes start like a zip. */
static int java_ext(const char *path)
{
	static const char *const java[] = {".jar", ".war", ".ear", ".jpi", ".hpi", ".sar"};
	static const char *const shared[] = {".rar", ".par", ".kar"};
	size_t n = strlen(path);
	if (n < 5 || path[n - 5] == '/')
		return EXT_NONE; /* a bare ".jar" is no archive name */
	for (size_t i = 0; i < sizeof java / sizeof java[0]; i++)
		if (strcasecmp(path + n - 4, java[i]) == 0)
			return EXT_JAVA;
	for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
		if (strcasecmp(path + n - 4, shared[i]) == 0)
			return EXT_SHARED;
	return EXT_NONE;
}

/* libarchive's reason, which may be missing. */
static const char *archive_reason(struct archive *a)
{
	const char *why = archive_error_string(a);
	return why != NULL ? why : "unknown format or damage";
}

static int zip_magic(const void *data, size_t len) { return len >= 4 && memcmp(data, "PK\3\4", 4) == 0; }

/* An image's archives are kept as their layer streams past (reading them later means streaming the
 * layer again); a directory's are read from disk one at a time when cataloged, so none is kept. */
int sbom_java_want(const char *path, uint64_t size, int directory)
{
	return !directory && java_ext(path) != EXT_NONE && size <= JAVA_MAX_ARCHIVE;
}

/* ---- one top archive and what is nested in it ---- */

struct idx_list {
	size_t *v;
	size_t count, cap;
};

static int idx_push(struct idx_list *l, size_t value)
{
	int err = sbom_grow(&l->v, &l->cap, l->count, sizeof *l->v);
	if (!err)
		l->v[l->count++] = value;
	return err;
}

struct walk {
	cairn_sbom *sbom;
	const char *layer;
	sbom_java_limits lim;
	uint64_t total;  /* uncompressed bytes read so far under this top archive */
	size_t entries;  /* zip entries met so far under it */
	int stopped;     /* a bound was passed: nothing more is read */
};

/* A META-INF/maven/<group>/<artifact>/ directory of one archive. */
struct maven_dir {
	char *dir; /* "META-INF/maven/g/a/" */
	cairn_buf props, pom;
	int has_props, has_pom;
};

/* What one archive holds. */
struct level {
	struct maven_dir *dirs;
	size_t dir_count, dir_cap;
	cairn_buf manifest;
	int has_manifest;
	struct idx_list nested; /* the root packages of nested archives */
};

static void level_free(struct level *lv)
{
	for (size_t i = 0; i < lv->dir_count; i++) {
		free(lv->dirs[i].dir);
		cairn_buf_free(&lv->dirs[i].props);
		cairn_buf_free(&lv->dirs[i].pom);
	}
	free(lv->dirs);
	cairn_buf_free(&lv->manifest);
	free(lv->nested.v);
}

enum { MAVEN_NONE, MAVEN_PROPS, MAVEN_POM };

/* META-INF/maven/<group>/<artifact>/pom.properties or pom.xml; *dir_len covers up to the last '/'. */
static int maven_file(const char *name, size_t *dir_len)
{
	static const char prefix[] = MAVEN_PREFIX;
	if (strncmp(name, prefix, sizeof prefix - 1) != 0)
		return MAVEN_NONE;
	const char *group = name + sizeof prefix - 1;
	const char *slash = strchr(group, '/');
	if (slash == NULL || slash == group)
		return MAVEN_NONE;
	const char *artifact = slash + 1;
	slash = strchr(artifact, '/');
	if (slash == NULL || slash == artifact)
		return MAVEN_NONE;
	*dir_len = (size_t)(slash + 1 - name);
	if (strcmp(slash + 1, "pom.properties") == 0)
		return MAVEN_PROPS;
	return strcmp(slash + 1, "pom.xml") == 0 ? MAVEN_POM : MAVEN_NONE;
}

static int level_dir(struct level *lv, const char *name, size_t len, struct maven_dir **out)
{
	for (size_t i = 0; i < lv->dir_count; i++)
		if (strlen(lv->dirs[i].dir) == len && memcmp(lv->dirs[i].dir, name, len) == 0) {
			*out = &lv->dirs[i];
			return 0;
		}
	if (sbom_grow(&lv->dirs, &lv->dir_cap, lv->dir_count, sizeof *lv->dirs) != 0)
		return CAIRN_ENOMEM;
	struct maven_dir *d = &lv->dirs[lv->dir_count];
	memset(d, 0, sizeof *d);
	if ((d->dir = strndup(name, len)) == NULL)
		return oom();
	lv->dir_count++;
	*out = d;
	return 0;
}

/* Decompresses the current entry into out, up to limit bytes and the top archive's total. 0: read;
 * 1: not read (a warning says why); negative: out of memory. */
static int read_entry(struct walk *w, struct archive *a, struct archive_entry *ae, uint64_t limit, cairn_buf *out,
		      const char *loc, const char *name)
{
	cairn_buf_clear(out);
	if (archive_entry_size_is_set(ae) && archive_entry_size(ae) >= 0 && (uint64_t)archive_entry_size(ae) > limit) {
		cairn_sbom_warn(w->sbom, "%s:%s: %lld bytes uncompressed, over the limit of %llu; not read", loc, name,
				(long long)archive_entry_size(ae), (unsigned long long)limit);
		return 1;
	}
	for (;;) {
		if (cairn_buf_reserve(out, JAVA_CHUNK) != 0)
			return CAIRN_ENOMEM;
		la_ssize_t n = archive_read_data(a, out->data + out->len, JAVA_CHUNK);
		if (n < 0) {
			cairn_sbom_warn(w->sbom, "%s:%s: cannot be read (%s)", loc, name, archive_reason(a));
			return 1;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		w->total += (uint64_t)n;
		if (w->total > w->lim.max_total) {
			cairn_sbom_warn(w->sbom, "%s:%s: the archive expands past %llu bytes of nested archives and metadata "
						 "(a zip bomb?); the rest of it is not read",
					loc, name, (unsigned long long)w->lim.max_total);
			w->stopped = 1;
			return 1;
		}
		if (out->len > limit) {
			cairn_sbom_warn(w->sbom, "%s:%s: over the limit of %llu bytes uncompressed; not read", loc, name,
					(unsigned long long)limit);
			return 1;
		}
	}
	return 0;
}

static int walk_archive(struct walk *w, const void *data, size_t len, const char *loc, const char *base, unsigned depth,
			struct idx_list *roots);

/* A nested archive: read it and walk it one level deeper; its root packages go into lv->nested. */
static int nested_archive(struct walk *w, struct archive *a, struct archive_entry *ae, struct level *lv, const char *loc,
			  const char *name, unsigned depth)
{
	if (depth >= w->lim.max_depth) {
		cairn_sbom_warn(w->sbom, "%s:%s: archives nested more than %u deep (a jar bomb?); not read", loc, name,
				w->lim.max_depth);
		return 0;
	}
	cairn_buf data = CAIRN_BUF_INIT, nested_loc = CAIRN_BUF_INIT;
	int r = read_entry(w, a, ae, w->lim.max_nested, &data, loc, name);
	int err = r < 0 ? r : 0;
	if (r == 0 && (java_ext(name) == EXT_JAVA || zip_magic(data.data, data.len))) {
		const char *slash = strrchr(name, '/');
		err = cairn_buf_printf(&nested_loc, "%s:%s", loc, name);
		if (!err)
			err = walk_archive(w, data.data, data.len, cairn_buf_cstr(&nested_loc), slash ? slash + 1 : name,
					   depth + 1, &lv->nested);
	}
	cairn_buf_free(&data);
	cairn_buf_free(&nested_loc);
	return err;
}

/* One entry of an archive: metadata is kept, nested archives are walked, the rest skipped unread. */
static int archive_entry_seen(struct walk *w, struct archive *a, struct archive_entry *ae, struct level *lv,
			      const char *loc, const char *name, unsigned depth)
{
	size_t dir_len;
	int kind = maven_file(name, &dir_len), r;
	if (strcasecmp(name, "META-INF/MANIFEST.MF") == 0) {
		r = read_entry(w, a, ae, w->lim.max_meta, &lv->manifest, loc, name);
		lv->has_manifest = r == 0;
		return r < 0 ? r : 0;
	}
	if (kind != MAVEN_NONE) {
		struct maven_dir *d = NULL;
		int err = level_dir(lv, name, dir_len, &d);
		if (err)
			return err;
		r = read_entry(w, a, ae, w->lim.max_meta, kind == MAVEN_PROPS ? &d->props : &d->pom, loc, name);
		*(kind == MAVEN_PROPS ? &d->has_props : &d->has_pom) = r == 0;
		return r < 0 ? r : 0;
	}
	if (java_ext(name) != EXT_NONE)
		return nested_archive(w, a, ae, lv, loc, name, depth);
	return 0;
}

static int read_entries(struct walk *w, struct archive *a, struct level *lv, const char *loc, unsigned depth)
{
	struct archive_entry *ae;
	int err = 0, r = ARCHIVE_OK;
	while (!err && !w->stopped) {
		r = archive_read_next_header(a, &ae);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			break;
		if (++w->entries > w->lim.max_entries) {
			cairn_sbom_warn(w->sbom, "%s: more than %zu zip entries in all (a zip bomb?); the rest is not read", loc,
					w->lim.max_entries);
			w->stopped = 1;
			break;
		}
		const char *name = archive_entry_pathname_utf8(ae);
		if (name == NULL)
			name = archive_entry_pathname(ae);
		if (name != NULL && archive_entry_filetype(ae) == AE_IFREG)
			err = archive_entry_seen(w, a, ae, lv, loc, name, depth);
	}
	if (!err && !w->stopped && r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN)
		cairn_sbom_warn(w->sbom, "%s: a damaged zip archive (%s); only what comes before the damage is listed", loc,
				archive_reason(a));
	return err;
}

/* ---- packages ---- */

/* Licenses as POMs name them, for the names that mean one SPDX license; anything else is kept as
 * written (an SPDX id stays one, other text becomes a LicenseRef-). */
static const char *const pom_licenses[][2] = {
	{"apache license, version 2.0", "Apache-2.0"},
	{"apache software license, version 2.0", "Apache-2.0"},
	{"apache license version 2.0", "Apache-2.0"},
	{"apache license 2.0", "Apache-2.0"},
	{"apache 2.0", "Apache-2.0"},
	{"apache 2", "Apache-2.0"},
	{"asl 2.0", "Apache-2.0"},
	{"mit license", "MIT"},
	{"eclipse public license - v 1.0", "EPL-1.0"},
	{"eclipse public license 1.0", "EPL-1.0"},
	{"eclipse public license - v 2.0", "EPL-2.0"},
	{"eclipse public license v2.0", "EPL-2.0"},
	{"eclipse public license 2.0", "EPL-2.0"},
	{"eclipse distribution license - v 1.0", "BSD-3-Clause"},
	{"bsd 3-clause license", "BSD-3-Clause"},
	{"new bsd license", "BSD-3-Clause"},
	{"bsd 2-clause license", "BSD-2-Clause"},
	{"mozilla public license, version 2.0", "MPL-2.0"},
	{"mozilla public license 2.0", "MPL-2.0"},
	{"gnu lesser general public license, version 2.1", "LGPL-2.1-only"},
	{"gnu general public license, version 2 with the classpath exception", "GPL-2.0-only WITH Classpath-exception-2.0"},
	{"common development and distribution license (cddl) v1.0", "CDDL-1.0"},
	{"cddl 1.1", "CDDL-1.1"},
};

static int add_pom_license(cairn_sbom *sbom, cairn_sbom_package *p, const char *text)
{
	const char *t = strncasecmp(text, "the ", 4) == 0 ? text + 4 : text;
	for (size_t i = 0; i < sizeof pom_licenses / sizeof pom_licenses[0]; i++)
		if (strcasecmp(t, pom_licenses[i][0]) == 0)
			return cairn_sbom_add_license(sbom, p, pom_licenses[i][1], 0);
	return cairn_sbom_add_license(sbom, p, text, 0);
}

/* What a maven directory says: pom.properties first, the pom.xml for what it lacks. */
static int dir_meta(struct walk *w, const struct maven_dir *d, const char *loc, java_meta *m)
{
	int err = d->has_props ? java_parse_properties(m, (const char *)d->props.data, d->props.len) : 0;
	if (err || !d->has_pom)
		return err;
	java_meta pom;
	memset(&pom, 0, sizeof pom);
	cairn_buf what = CAIRN_BUF_INIT;
	err = cairn_buf_printf(&what, "%s:%spom.xml", loc, d->dir);
	int r = err ? 0 : java_parse_pom_xml(&pom, (const char *)d->pom.data, d->pom.len, cairn_buf_cstr(&what));
	if (r == CAIRN_ENOMEM)
		err = r;
	else if (r != 0) {
		cairn_sbom_warn(w->sbom, "%s; its name, licenses and parent are not read", cairn_error_message());
		cairn_error_clear();
	} else {
		char **mine[] = {&m->group, &m->artifact, &m->version, &m->name};
		char **theirs[] = {&pom.group, &pom.artifact, &pom.version, &pom.name};
		for (size_t i = 0; i < 4; i++)
			if (*mine[i] == NULL) {
				*mine[i] = *theirs[i];
				*theirs[i] = NULL;
			}
		m->licenses = pom.licenses;
		m->license_count = pom.license_count;
		pom.licenses = NULL;
		pom.license_count = 0;
	}
	java_meta_clear(&pom);
	cairn_buf_free(&what);
	return err;
}

/* The file name without its extension; "name-1.2.3" splits at the first '-' before a digit. */
static void split_file_name(const char *base, size_t *name_len, const char **version, size_t *version_len)
{
	size_t stem = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot != NULL && dot > base)
		stem = (size_t)(dot - base);
	*name_len = stem;
	*version = NULL;
	*version_len = 0;
	for (size_t i = 1; i + 1 < stem; i++)
		if (base[i] == '-' && base[i + 1] >= '0' && base[i + 1] <= '9') {
			*name_len = i;
			*version = base + i + 1;
			*version_len = stem - i - 1;
			break;
		}
}

/* Whether the file name belongs to artifact: "artifact.jar" or "artifact-<digit>...". */
static int file_is_artifact(const char *base, const char *artifact)
{
	size_t n = strlen(artifact);
	return strncmp(base, artifact, n) == 0 &&
	       (base[n] == '.' || (base[n] == '-' && base[n + 1] >= '0' && base[n + 1] <= '9'));
}

static int add_maven(struct walk *w, const java_meta *m, const char *location, size_t *index)
{
	int err = cairn_sbom_add_package(w->sbom, "maven", m->artifact, m->version ? m->version : "", index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(w->sbom, *index);
	if (!err && m->group != NULL)
		err = cairn_sbom_set(&p->namespace_, m->group);
	if (!err)
		err = cairn_sbom_add_location(p, w->layer, location);
	for (size_t i = 0; !err && i < m->license_count; i++)
		err = add_pom_license(w->sbom, p, m->licenses[i]);
	return err;
}

/* The archive's own package when no pom.properties is its own. The name: a file name of Maven's
 * form "artifactId-version[-classifier].jar" gives name and version (a manifest title is often a
 * human title, such as "Apache Commons Lang", that names no artifact); otherwise MANIFEST.MF, then
 * the bare file name. A manifest version that the file's version starts with, followed by '-',
 * separates the classifier ("guice-4.2.3-no_aop.jar", Bundle-Version 4.2.3). */
static int add_unpommed(struct walk *w, const struct level *lv, const char *loc, const char *base, size_t *index,
			int *added)
{
	java_meta mf, m;
	memset(&mf, 0, sizeof mf);
	memset(&m, 0, sizeof m);
	size_t name_len, version_len;
	const char *version;
	split_file_name(base, &name_len, &version, &version_len);
	int err = lv->has_manifest ? java_parse_manifest(&mf, (const char *)lv->manifest.data, lv->manifest.len) : 0;
	if (!err && version != NULL && mf.version != NULL && strlen(mf.version) < version_len &&
	    strncmp(version, mf.version, strlen(mf.version)) == 0 && version[strlen(mf.version)] == '-')
		version_len = strlen(mf.version);
	if (!err && version != NULL)
		err = (m.artifact = strndup(base, name_len)) && (m.version = strndup(version, version_len)) ? 0 : oom();
	else if (!err && mf.name != NULL) {
		m.artifact = mf.name; /* the purl name */
		m.version = mf.version;
		mf.name = mf.version = NULL;
	} else if (!err && name_len > 0)
		err = (m.artifact = strndup(base, name_len)) ? 0 : oom();
	m.group = mf.group;
	mf.group = NULL;
	*added = 0;
	if (!err && m.artifact != NULL) {
		err = add_maven(w, &m, loc, index);
		*added = !err;
	}
	java_meta_clear(&mf);
	java_meta_clear(&m);
	return err;
}

/* Which maven directory is the archive's own: the one the file is named after (the longest such
 * artifactId, for shaded jars); else the only one, unless the file's name-version form says it is
 * another artifact (Debian's guice-4.2.3.jar holds only cglib's pom.properties); else none. */
static size_t own_dir(const java_meta *metas, size_t count, const char *base)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < count; i++)
		if (metas[i].artifact != NULL && file_is_artifact(base, metas[i].artifact) &&
		    (best == SIZE_MAX || strlen(metas[i].artifact) > strlen(metas[best].artifact)))
			best = i;
	size_t name_len, version_len;
	const char *version;
	split_file_name(base, &name_len, &version, &version_len);
	if (best == SIZE_MAX && count == 1 && metas[0].artifact != NULL && version == NULL)
		best = 0;
	return best;
}

/* Packages of one archive; the archive's roots (its own package, or everything when it has none)
 * are added to roots. */
static int level_packages(struct walk *w, struct level *lv, const char *loc, const char *base, struct idx_list *roots)
{
	java_meta *metas = calloc(lv->dir_count ? lv->dir_count : 1, sizeof *metas);
	struct idx_list found = {NULL, 0, 0};
	cairn_buf where = CAIRN_BUF_INIT;
	int err = metas ? 0 : oom();
	for (size_t i = 0; !err && i < lv->dir_count; i++) {
		err = dir_meta(w, &lv->dirs[i], loc, &metas[i]);
		if (!err && metas[i].artifact == NULL)
			cairn_sbom_warn(w->sbom, "%s:%s: names no artifactId; left out", loc, lv->dirs[i].dir);
	}
	size_t own = err ? SIZE_MAX : own_dir(metas, lv->dir_count, base), own_index = 0;
	int has_own = 0;
	for (size_t i = 0; !err && i < lv->dir_count; i++) {
		if (metas[i].artifact == NULL)
			continue;
		size_t index;
		cairn_buf_clear(&where);
		err = cairn_buf_printf(&where, "%s:%s%s", loc, lv->dirs[i].dir, lv->dirs[i].has_props ? "pom.properties" : "pom.xml");
		if (!err)
			err = add_maven(w, &metas[i], i == own ? loc : cairn_buf_cstr(&where), &index);
		if (!err && i == own) {
			own_index = index;
			has_own = 1;
		} else if (!err) {
			err = idx_push(&found, index);
		}
	}
	if (!err && !has_own)
		err = add_unpommed(w, lv, loc, base, &own_index, &has_own);
	for (size_t i = 0; !err && i < lv->nested.count; i++)
		err = idx_push(&found, lv->nested.v[i]);
	for (size_t i = 0; !err && i < found.count; i++)
		err = has_own ? cairn_sbom_add_relationship(w->sbom, own_index, found.v[i], CAIRN_SBOM_REL_CONTAINS)
			      : idx_push(roots, found.v[i]);
	if (!err && has_own)
		err = idx_push(roots, own_index);
	for (size_t i = 0; metas && i < lv->dir_count; i++)
		java_meta_clear(&metas[i]);
	free(metas);
	free(found.v);
	cairn_buf_free(&where);
	return err;
}

/* One archive (top or nested) at loc, its file name base, depth 0 for the top. */
static int walk_archive(struct walk *w, const void *data, size_t len, const char *loc, const char *base, unsigned depth,
			struct idx_list *roots)
{
	struct archive *a = archive_read_new();
	if (a == NULL)
		return oom();
	struct level lv;
	memset(&lv, 0, sizeof lv);
	int err = 0;
	if (archive_read_support_format_zip_seekable(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		cairn_sbom_warn(w->sbom, "%s: not a readable zip archive (%s); its Java packages are not listed", loc,
				archive_reason(a));
	} else {
		err = read_entries(w, a, &lv, loc, depth);
		if (!err)
			err = level_packages(w, &lv, loc, base, roots);
	}
	archive_read_free(a);
	level_free(&lv);
	return err;
}

static int parse_top(cairn_sbom *sbom, const void *data, size_t len, const char *path, const char *layer,
		     const sbom_java_limits *limits, struct idx_list *roots)
{
	struct walk w;
	memset(&w, 0, sizeof w);
	w.sbom = sbom;
	w.layer = layer;
	if (limits != NULL)
		w.lim = *limits;
	else
		sbom_java_limits_default(&w.lim);
	const char *slash = strrchr(path, '/');
	return walk_archive(&w, data, len, path, slash ? slash + 1 : path, 0, roots);
}

int sbom_java_parse_archive(cairn_sbom *sbom, const void *data, size_t len, const char *path, const char *layer,
			    const sbom_java_limits *limits)
{
	struct idx_list roots = {NULL, 0, 0};
	int err = parse_top(sbom, data, len, path, layer, limits, &roots);
	free(roots.v);
	return err;
}

/* ---- the tree ---- */

/* OS packages (deb, rpm, apk) whose file lists hold Java archives, by path. */
static int is_java_archive(const char *path) { return java_ext(path) != EXT_NONE; }

static int catalog_file(cairn_sbom *sbom, const cairn_tree *tree, const cairn_entry *e, const char *layer,
			const sbom_name_index *owners, cairn_buf *data)
{
	if (e->size > JAVA_MAX_ARCHIVE) {
		cairn_sbom_warn(sbom, "%s: %llu bytes, over the limit of %llu; its Java packages are not listed", e->path,
				(unsigned long long)e->size, (unsigned long long)JAVA_MAX_ARCHIVE);
		return 0;
	}
	cairn_buf_clear(data);
	if (cairn_tree_read(tree, e, (size_t)JAVA_MAX_ARCHIVE, data) != 0) {
		cairn_sbom_warn(sbom, "%s: cannot be read (%s); its Java packages are not listed", e->path, cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	if (java_ext(e->path) == EXT_SHARED && !zip_magic(data->data, data->len))
		return 0; /* a RAR archive or another format sharing the extension */
	struct idx_list roots = {NULL, 0, 0};
	size_t owner;
	int err = parse_top(sbom, data->data, data->len, e->path, layer, NULL, &roots);
	if (!err && sbom_name_index_find(owners, e->path, strlen(e->path), &owner) == 0)
		for (size_t i = 0; !err && i < roots.count; i++)
			err = cairn_sbom_add_relationship(sbom, owner, roots.v[i], CAIRN_SBOM_REL_CONTAINS);
	free(roots.v);
	return err;
}

int sbom_java_catalog(cairn_sbom *sbom, const cairn_tree *tree, char *const *layers, size_t layer_count)
{
	sbom_name_index *owners = NULL;
	cairn_buf data = CAIRN_BUF_INIT;
	int err = sbom_os_file_index(sbom, SIZE_MAX, is_java_archive, &owners);
	for (size_t i = 0; !err && i < cairn_tree_count(tree); i++) {
		const cairn_entry *e = cairn_tree_at(tree, i);
		if ((e->type != CAIRN_ENTRY_FILE && e->type != CAIRN_ENTRY_HARDLINK) || java_ext(e->path) == EXT_NONE)
			continue;
		const char *layer = e->layer >= 0 && (size_t)e->layer < layer_count ? layers[e->layer] : NULL;
		err = catalog_file(sbom, tree, e, layer, owners, &data);
	}
	sbom_name_index_free(owners);
	cairn_buf_free(&data);
	return err;
}
