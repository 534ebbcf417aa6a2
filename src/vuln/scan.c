/* Scanning an SBOM: every package mapped to an OSV ecosystem, name and version, matched against the
 * advisory database, and the findings marked by VEX.
 *
 * Distribution packages are matched the way their advisories are written. Debian's tracker and
 * Alpine's secdb speak of SOURCE packages (dpkg's Source, apk's origin), so deb and apk packages are
 * looked up by source name and version; AlmaLinux and Rocky advisories list binary rpms with
 * epoch:version-release, so rpm packages are looked up by their own name. The release comes from the
 * SBOM's os-release (or, for an SBOM read from a file, the purl's `distro` qualifier): Debian by its
 * major version or codename, Alpine by its branch "v3.20", AlmaLinux and Rocky by their major.
 * Language packages are mapped by purl type (pypi -> PyPI, golang -> Go, ...). */
#include "cairn/error.h"
#include "cairn/scan.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SCAN_MAX_WARNINGS 1000

/* One lookup already done: its key "ecosystem\nname\nversion" and its findings. */
struct memo_slot {
	char *key; /* NULL: empty */
	const cairn_vulndb_findings *found;
};

struct cairn_scan_result {
	cairn_sbom *sbom;
	char *sbom_file;
	cairn_scan_finding *items;
	size_t n, cap;
	cairn_vulndb_findings **matches; /* own the strings the findings point to */
	size_t n_matches, cap_matches;
	char **strings; /* ecosystems, names and versions looked up */
	size_t n_strings, cap_strings;
	char **warnings;
	size_t n_warnings;
	size_t packages_matched;
	char *image_ids[3];
	struct memo_slot *memo; /* lookups done, so a package found in many places is matched once */
	size_t memo_cap, memo_used;
};

void cairn_scan_query_free(cairn_scan_query *q)
{
	cairn_buf_free(&q->ecosystem);
	cairn_buf_free(&q->name);
	cairn_buf_free(&q->version);
}

/* ---- which ecosystem ---- */

static const struct {
	const char *purl_type, *ecosystem;
} LANGUAGES[] = {
	{"pypi", "PyPI"},      {"npm", "npm"},           {"golang", "Go"},       {"maven", "Maven"},
	{"cargo", "crates.io"}, {"gem", "RubyGems"},      {"composer", "Packagist"}, {"nuget", "NuGet"},
	{"hex", "Hex"},        {"pub", "Pub"},           {"hackage", "Hackage"}, {"cran", "CRAN"},
	{"bitnami", "Bitnami"}, {"swift", "SwiftURL"},   {"cocoapods", "CocoaPods"},
};

/* The name as the ecosystem writes it, from the purl's namespace and name (the purl is the
 * package's identity; an SBOM's component name may be either part): npm "@scope/name", Maven
 * "group:artifact", Go and Packagist "namespace/name". */
static int join_name(const char *ns, const char *name, const char *ecosystem, cairn_buf *out)
{
	if (ns == NULL || ns[0] == '\0')
		return cairn_buf_append_str(out, name);
	if (strcmp(ecosystem, "Maven") == 0)
		return cairn_buf_printf(out, "%s:%s", ns, name);
	if (strcmp(ecosystem, "npm") == 0 || strcmp(ecosystem, "Go") == 0 || strcmp(ecosystem, "Packagist") == 0 ||
	    strcmp(ecosystem, "SwiftURL") == 0)
		return cairn_buf_printf(out, "%s/%s", ns, name);
	return cairn_buf_append_str(out, name);
}

static int language_name(const cairn_sbom_package *p, const char *ecosystem, cairn_buf *out)
{
	cairn_purl purl;
	if (p->purl != NULL && cairn_purl_parse(&purl, p->purl) == 0) {
		int err = join_name(purl.namespace_, purl.name, ecosystem, out);
		cairn_purl_clear(&purl);
		return err;
	}
	cairn_error_clear();
	return join_name(p->namespace_, p->name, ecosystem, out);
}

/* Go module versions always start with "v"; SBOMs often drop it, and the Go toolchain (the "stdlib"
 * package) is written as the toolchain names itself, "go1.19.8", which OSV's Go advisories list as
 * module version v1.19.8. */
static int language_version(const cairn_sbom_package *p, const char *ecosystem, cairn_buf *out)
{
	if (strcmp(ecosystem, "Go") == 0 && strncmp(p->version, "go", 2) == 0 && p->version[2] >= '0' &&
	    p->version[2] <= '9') {
		/* Before Go 1.21 the first release of a minor version had no patch number: go1.20 is v1.20.0. */
		const char *v = p->version + 2;
		int dots = 0;
		for (const char *c = v; (*c >= '0' && *c <= '9') || *c == '.'; c++)
			dots += *c == '.';
		return cairn_buf_printf(out, dots == 1 ? "v%s.0" : "v%s", v);
	}
	if (strcmp(ecosystem, "Go") == 0 && p->version[0] >= '0' && p->version[0] <= '9')
		return cairn_buf_printf(out, "v%s", p->version);
	return cairn_buf_append_str(out, p->version);
}

/* Digits of a version up to `parts` dot-separated numbers: "3.20.3", 2 -> "3.20". */
static int leading_numbers(const char *v, int parts, cairn_buf *out)
{
	size_t n = 0;
	int seen = 0;
	while (v[n] >= '0' && v[n] <= '9') {
		while (v[n] >= '0' && v[n] <= '9')
			n++;
		if (++seen == parts || v[n] != '.' || !(v[n + 1] >= '0' && v[n + 1] <= '9'))
			break;
		n++;
	}
	if (seen < parts)
		return -1;
	return cairn_buf_append(out, v, n);
}

/* The OSV ecosystem of a distribution release; CAIRN_EINVAL when the release cannot be told, or the
 * distribution has no advisory source cairn reads. */
static int distro_ecosystem(const char *id, const char *version, const char *codename, cairn_buf *out)
{
	cairn_buf_clear(out);
	const char *v = version && version[0] ? version : NULL;
	if (strcasecmp(id, "debian") == 0) {
		if (v != NULL && cairn_buf_append_str(out, "Debian:") == 0 && leading_numbers(v, 1, out) == 0)
			return 0;
		const char *name = codename && codename[0] ? codename : (v && !(v[0] >= '0' && v[0] <= '9') ? v : NULL);
		cairn_buf_clear(out);
		if (name != NULL)
			return cairn_buf_printf(out, "Debian:%s", name);
	} else if (strcasecmp(id, "alpine") == 0) {
		if (v != NULL && cairn_buf_append_str(out, "Alpine:v") == 0 && leading_numbers(v, 2, out) == 0)
			return 0;
	} else if (strcasecmp(id, "almalinux") == 0 || strcasecmp(id, "rocky") == 0) {
		if (v != NULL && cairn_buf_append_str(out, strcasecmp(id, "rocky") == 0 ? "Rocky Linux:" : "AlmaLinux:") == 0 &&
		    leading_numbers(v, 1, out) == 0)
			return 0;
	} else if (strcasecmp(id, "ubuntu") == 0) {
		if (v != NULL && cairn_buf_append_str(out, "Ubuntu:") == 0 && leading_numbers(v, 2, out) == 0)
			return 0;
	} else if (strcasecmp(id, "wolfi") == 0 || strcasecmp(id, "chainguard") == 0) {
		return cairn_buf_append_str(out, strcasecmp(id, "wolfi") == 0 ? "Wolfi" : "Chainguard");
	} else {
		cairn_buf_clear(out);
		return cairn_error_set(CAIRN_EINVAL, "no advisories are known for distribution '%.64s'", id);
	}
	cairn_buf_clear(out);
	return cairn_error_set(CAIRN_EINVAL, "the release of %.64s is unknown (os-release VERSION_ID '%.64s')", id,
			       version ? version : "");
}

/* The distribution a package came from: the SBOM's os-release, else the purl's distro qualifier
 * ("alpine-3.20.3", "debian-12", "debian-bookworm"), else its namespace without a release. */
static int package_distro(const cairn_sbom *sbom, const cairn_sbom_package *p, cairn_buf *out)
{
	const cairn_sbom_source *s = cairn_sbom_source_of(sbom);
	if (s->distro_id != NULL && s->distro_id[0])
		return distro_ecosystem(s->distro_id, s->distro_version, s->distro_codename, out);
	cairn_purl purl;
	if (p->purl != NULL && cairn_purl_parse(&purl, p->purl) == 0) {
		const char *q = cairn_purl_qualifier_get(&purl, "distro");
		int err;
		if (q != NULL && q[0]) {
			char id[128];
			const char *dash = strrchr(q, '-');
			size_t n = dash ? (size_t)(dash - q) : strlen(q);
			snprintf(id, sizeof id, "%.*s", (int)(n < sizeof id ? n : sizeof id - 1), q);
			/* distro=debian-12 or distro=bookworm: a release alone names its distribution by type */
			err = dash ? distro_ecosystem(id, dash + 1, NULL, out)
				   : distro_ecosystem(p->namespace_ ? p->namespace_ : p->type, q, NULL, out);
		} else {
			err = cairn_error_set(CAIRN_EINVAL, "the SBOM names no distribution release (no os-release, no "
							    "purl distro qualifier)");
		}
		cairn_purl_clear(&purl);
		return err;
	}
	cairn_error_clear();
	return cairn_error_set(CAIRN_EINVAL, "the SBOM names no distribution release");
}

static int distro_query(const cairn_sbom *sbom, const cairn_sbom_package *p, cairn_scan_query *q)
{
	int err = package_distro(sbom, p, &q->ecosystem);
	if (err != 0)
		return err;
	if (strcmp(p->type, "rpm") == 0) {
		/* Red Hat-style advisories list binary packages, versions with the epoch when not 0. */
		err = cairn_buf_append_str(&q->name, p->name);
		if (!err && p->epoch != NULL && p->epoch[0] && strcmp(p->epoch, "0") != 0 && strchr(p->version, ':') == NULL)
			err = cairn_buf_printf(&q->version, "%s:", p->epoch);
		return err ? err : cairn_buf_append_str(&q->version, p->version);
	}
	int has_source = p->source_name != NULL && p->source_name[0];
	err = cairn_buf_append_str(&q->name, has_source ? p->source_name : p->name);
	if (!err)
		err = cairn_buf_append_str(&q->version, has_source && p->source_version && p->source_version[0]
								 ? p->source_version
								 : p->version);
	return err;
}

int cairn_scan_query_for(const cairn_sbom *sbom, const cairn_sbom_package *p, cairn_scan_query *q)
{
	cairn_buf_clear(&q->ecosystem);
	cairn_buf_clear(&q->name);
	cairn_buf_clear(&q->version);
	if (p->type == NULL || p->name == NULL || p->version == NULL || p->version[0] == '\0')
		return 0;
	if (strcmp(p->type, "deb") == 0 || strcmp(p->type, "apk") == 0 || strcmp(p->type, "rpm") == 0) {
		int err = distro_query(sbom, p, q);
		if (err != 0) {
			cairn_buf_clear(&q->ecosystem);
			cairn_buf_clear(&q->name);
			cairn_buf_clear(&q->version);
		}
		return err;
	}
	for (size_t i = 0; i < sizeof LANGUAGES / sizeof LANGUAGES[0]; i++) {
		if (strcmp(p->type, LANGUAGES[i].purl_type) != 0)
			continue;
		int err = cairn_buf_append_str(&q->ecosystem, LANGUAGES[i].ecosystem);
		if (!err)
			err = language_name(p, LANGUAGES[i].ecosystem, &q->name);
		if (!err)
			err = language_version(p, LANGUAGES[i].ecosystem, &q->version);
		return err;
	}
	return 0;
}

/* ---- the result ---- */

static void warn(cairn_scan_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(cairn_scan_result *r, const char *fmt, ...)
{
	if (r->n_warnings >= SCAN_MAX_WARNINGS)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) >= 0)
		r->warnings[r->n_warnings++] = text;
	va_end(ap);
}

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t new_cap = *cap ? *cap * 2 : 64;
	void *grown = realloc(*items, new_cap * size);
	if (grown == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "scan: out of memory");
	*items = grown;
	*cap = new_cap;
	return 0;
}

static const char *keep(cairn_scan_result *r, const cairn_buf *text)
{
	if (grow((void **)&r->strings, &r->cap_strings, r->n_strings, sizeof *r->strings) != 0)
		return NULL;
	char *copy = strdup(cairn_buf_cstr(text));
	if (copy == NULL)
		return NULL;
	r->strings[r->n_strings++] = copy;
	return copy;
}

/* ---- lookups already done ---- */

static size_t memo_hash(const char *key, size_t cap)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)h & (cap - 1);
}

static int memo_key(const cairn_scan_query *q, cairn_buf *key)
{
	cairn_buf_clear(key);
	return cairn_buf_printf(key, "%s\n%s\n%s", cairn_buf_cstr(&q->ecosystem), cairn_buf_cstr(&q->name),
				cairn_buf_cstr(&q->version));
}

static const cairn_vulndb_findings *memo_find(const cairn_scan_result *r, const char *key)
{
	if (r->memo_cap == 0)
		return NULL;
	for (size_t i = memo_hash(key, r->memo_cap); r->memo[i].key != NULL; i = (i + 1) & (r->memo_cap - 1))
		if (strcmp(r->memo[i].key, key) == 0)
			return r->memo[i].found;
	return NULL;
}

static int memo_grow(cairn_scan_result *r)
{
	size_t cap = r->memo_cap ? r->memo_cap * 2 : 256;
	struct memo_slot *slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "scan: out of memory");
	for (size_t i = 0; i < r->memo_cap; i++) {
		if (r->memo[i].key == NULL)
			continue;
		size_t j = memo_hash(r->memo[i].key, cap);
		while (slots[j].key != NULL)
			j = (j + 1) & (cap - 1);
		slots[j] = r->memo[i];
	}
	free(r->memo);
	r->memo = slots;
	r->memo_cap = cap;
	return 0;
}

static int memo_add(cairn_scan_result *r, const char *key, const cairn_vulndb_findings *found)
{
	if ((r->memo_used + 1) * 2 > r->memo_cap && memo_grow(r) != 0)
		return CAIRN_ENOMEM;
	size_t i = memo_hash(key, r->memo_cap);
	while (r->memo[i].key != NULL)
		i = (i + 1) & (r->memo_cap - 1);
	if ((r->memo[i].key = strdup(key)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "scan: out of memory");
	r->memo[i].found = found;
	r->memo_used++;
	return 0;
}

static int add_findings(cairn_scan_result *r, size_t index, const cairn_scan_query *q,
			const cairn_vulndb_findings *found, const cairn_scan_options *opts)
{
	size_t count = cairn_vulndb_findings_count(found);
	if (count == 0)
		return 0;
	const char *eco = keep(r, &q->ecosystem), *name = keep(r, &q->name), *version = keep(r, &q->version);
	if (eco == NULL || name == NULL || version == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "scan: out of memory");
	const cairn_sbom_package *p = cairn_sbom_package_at(r->sbom, index);
	for (size_t i = 0; i < count; i++) {
		const cairn_vuln_finding *v = cairn_vulndb_findings_get(found, i);
		if (opts->only_fixed && v->fixed[0] == '\0')
			continue;
		if (grow((void **)&r->items, &r->cap, r->n, sizeof *r->items) != 0)
			return CAIRN_ENOMEM;
		cairn_scan_finding *f = &r->items[r->n++];
		memset(f, 0, sizeof *f);
		f->package = index;
		f->ecosystem = eco;
		f->name = name;
		f->version = version;
		f->vuln = *v;
		f->vex = cairn_vex_find(opts->vex, v->id, v->aliases, p->purl, (const char *const *)r->image_ids);
		f->suppressed = cairn_vex_suppresses(f->vex);
	}
	return 0;
}

/* Matches one query, or reuses the answer of the same query for another package. *found stays
 * owned by the result. CAIRN_EINVAL and CAIRN_ETOOBIG say the version was refused. */
static int lookup(cairn_scan_result *r, cairn_vulndb *db, const cairn_scan_query *q, cairn_buf *key,
		  const cairn_vulndb_findings **found)
{
	int err = memo_key(q, key);
	if (err != 0)
		return err;
	if ((*found = memo_find(r, cairn_buf_cstr(key))) != NULL)
		return 0;
	cairn_vulndb_findings *fresh = NULL;
	err = cairn_vulndb_match(db, cairn_buf_cstr(&q->ecosystem), cairn_buf_cstr(&q->name), cairn_buf_cstr(&q->version),
				 &fresh);
	if (err != 0)
		return err;
	if (grow((void **)&r->matches, &r->cap_matches, r->n_matches, sizeof *r->matches) != 0) {
		cairn_vulndb_findings_free(fresh);
		return CAIRN_ENOMEM;
	}
	r->matches[r->n_matches++] = fresh;
	*found = fresh;
	return memo_add(r, cairn_buf_cstr(key), fresh);
}

/* Severity first (highest on top), then package, then ID: the order people read a report in. */
static int compare_findings(const void *va, const void *vb, void *ctx)
{
	const cairn_scan_result *sort_result = ctx;
	const cairn_scan_finding *a = va, *b = vb;
	if (a->vuln.severity != b->vuln.severity)
		return a->vuln.severity > b->vuln.severity ? -1 : 1;
	const cairn_sbom_package *pa = cairn_sbom_package_at(sort_result->sbom, a->package);
	const cairn_sbom_package *pb = cairn_sbom_package_at(sort_result->sbom, b->package);
	int c = strcmp(pa->name, pb->name);
	if (c == 0)
		c = strcmp(pa->version, pb->version);
	if (c == 0 && a->package != b->package)
		c = a->package < b->package ? -1 : 1;
	if (c == 0)
		c = strcmp(a->vuln.id, b->vuln.id);
	return c;
}

static int set_image_ids(cairn_scan_result *r)
{
	const cairn_sbom_source *s = cairn_sbom_source_of(r->sbom);
	size_t n = 0;
	if (s->name != NULL && s->name[0] && (r->image_ids[n] = strdup(s->name)) != NULL)
		n++;
	if (s->manifest_digest != NULL && s->manifest_digest[0] && (r->image_ids[n] = strdup(s->manifest_digest)) != NULL)
		n++;
	return 0;
}

int cairn_scan_run(cairn_scan_result **out, cairn_vulndb *db, cairn_sbom *sbom, const cairn_scan_options *opts)
{
	static const cairn_scan_options no_options = {0, NULL, NULL};
	opts = opts ? opts : &no_options;
	int err = cairn_sbom_finish(sbom);
	if (err != 0)
		return err;
	cairn_scan_result *r = calloc(1, sizeof *r);
	if (r == NULL || (r->warnings = calloc(SCAN_MAX_WARNINGS, sizeof *r->warnings)) == NULL) {
		free(r);
		return cairn_error_set(CAIRN_ENOMEM, "scan: out of memory");
	}
	r->sbom = sbom;
	if (opts->sbom_file != NULL && (r->sbom_file = strdup(opts->sbom_file)) == NULL)
		err = cairn_error_set(CAIRN_ENOMEM, "scan: out of memory");
	set_image_ids(r);
	cairn_scan_query q = {CAIRN_BUF_INIT, CAIRN_BUF_INIT, CAIRN_BUF_INIT};
	cairn_buf key = CAIRN_BUF_INIT;
	for (size_t i = 0; err == 0 && i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (cairn_scan_query_for(sbom, p, &q) != 0) {
			warn(r, "%s %s (%s): not scanned: %s", p->name, p->version ? p->version : "", p->type,
			     cairn_error_message());
			cairn_error_clear();
			continue;
		}
		if (q.ecosystem.len == 0)
			continue;
		const cairn_vulndb_findings *found = NULL;
		err = lookup(r, db, &q, &key, &found);
		if (err == CAIRN_EINVAL || err == CAIRN_ETOOBIG) {
			/* A version the ecosystem cannot read: reported, never silently "not affected". */
			warn(r, "%s %s (%s): not scanned: %s", p->name, p->version, cairn_buf_cstr(&q.ecosystem),
			     cairn_error_message());
			cairn_error_clear();
			err = 0;
			continue;
		}
		if (err == 0) {
			r->packages_matched++;
			err = add_findings(r, i, &q, found, opts);
		}
	}
	cairn_scan_query_free(&q);
	cairn_buf_free(&key);
	if (err != 0) {
		cairn_scan_free(r);
		return err;
	}
	if (r->n > 1) /* qsort_r: no global state, so scans may run on several threads */
		qsort_r(r->items, r->n, sizeof *r->items, compare_findings, r);
	*out = r;
	return 0;
}

void cairn_scan_free(cairn_scan_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_matches; i++)
		cairn_vulndb_findings_free(r->matches[i]);
	for (size_t i = 0; i < r->n_strings; i++)
		free(r->strings[i]);
	for (size_t i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	for (size_t i = 0; i < sizeof r->image_ids / sizeof r->image_ids[0]; i++)
		free(r->image_ids[i]);
	for (size_t i = 0; i < r->memo_cap; i++)
		free(r->memo[i].key);
	free(r->memo);
	free(r->matches);
	free(r->strings);
	free(r->warnings);
	free(r->items);
	free(r->sbom_file);
	free(r);
}

size_t cairn_scan_count(const cairn_scan_result *r)
{
	return r ? r->n : 0;
}

const cairn_scan_finding *cairn_scan_get(const cairn_scan_result *r, size_t i)
{
	return r && i < r->n ? &r->items[i] : NULL;
}

size_t cairn_scan_warning_count(const cairn_scan_result *r)
{
	return r ? r->n_warnings : 0;
}

const char *cairn_scan_warning(const cairn_scan_result *r, size_t i)
{
	return r && i < r->n_warnings ? r->warnings[i] : NULL;
}

cairn_sbom *cairn_scan_sbom(const cairn_scan_result *r)
{
	return r->sbom;
}

const char *cairn_scan_sbom_file(const cairn_scan_result *r)
{
	return r->sbom_file;
}

size_t cairn_scan_packages_matched(const cairn_scan_result *r)
{
	return r->packages_matched;
}

const char *const *cairn_scan_image_ids(const cairn_scan_result *r)
{
	return (const char *const *)r->image_ids;
}

size_t cairn_scan_count_at_least(const cairn_scan_result *r, enum cairn_severity threshold)
{
	size_t n = 0;
	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (!r->items[i].suppressed && r->items[i].vuln.severity != CAIRN_SEVERITY_UNKNOWN &&
		    r->items[i].vuln.severity >= threshold)
			n++;
	return n;
}

int cairn_scan_threshold_parse(const char *text, enum cairn_severity *out)
{
	static const struct {
		const char *name;
		enum cairn_severity severity;
	} levels[] = {
		{"low", CAIRN_SEVERITY_LOW},
		{"medium", CAIRN_SEVERITY_MEDIUM},
		{"high", CAIRN_SEVERITY_HIGH},
		{"critical", CAIRN_SEVERITY_CRITICAL},
	};
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (strcasecmp(text, levels[i].name) == 0) {
			*out = levels[i].severity;
			return 0;
		}
	return cairn_error_set(CAIRN_EINVAL, "unknown severity '%.40s' (low, medium, high, critical)", text);
}

