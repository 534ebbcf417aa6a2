/* Matching one package version against an affected package's rules.
 *
 * OSV ranges are evaluated exactly as the OSV schema's "Evaluation" pseudocode says: a range
 * applies only below one of its limit events (when it has any); its events are sorted by version
 * ("0" lowest) and walked, introduced turning "vulnerable" on when v >= it, fixed turning it off when
 * v >= it, last_affected turning it off when v > it. SEMVER ranges compare by SemVer 2.0 (a leading
 * "v" dropped, as Go's versions have it); ECOSYSTEM ranges by the ecosystem's own ordering.
 *
 * RustSec and RubySec requirement lists and FriendsOfPHP branches are evaluated with their own
 * tools' rules (the Rust semver crate's VersionReq, Gem::Requirement, Composer's constraints);
 * see docs/db.md. */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ECO_MAX 128

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ---- ecosystems and names ---- */

static const struct {
	const char *codename, *number;
} DEBIAN_RELEASES[] = {
	{"wheezy", "7"},  {"jessie", "8"}, {"stretch", "9"}, {"buster", "10"},
	{"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"}, {"duke", "15"},
};

int vuln_ecosystem_normalise(const char *ecosystem, cairn_buf *out)
{
	if (ecosystem == NULL || ecosystem[0] == '\0' || strlen(ecosystem) > ECO_MAX)
		return cairn_error_set(CAIRN_EINVAL, "ecosystem '%.40s' is empty or longer than %d bytes",
				       ecosystem ? ecosystem : "", ECO_MAX);
	char base[ECO_MAX + 1];
	size_t n = strcspn(ecosystem, ":");
	for (size_t i = 0; i < n; i++)
		base[i] = (char)lower((unsigned char)ecosystem[i]);
	base[n] = '\0';
	const char *release = ecosystem[n] == ':' ? ecosystem + n + 1 : NULL;
	cairn_buf_clear(out);
	int err = cairn_buf_append_str(out, base);
	if (err != 0 || release == NULL || release[0] == '\0')
		return err;
	err = cairn_buf_append_byte(out, ':');
	if (err == 0 && strcmp(base, "debian") == 0) {
		for (size_t i = 0; i < sizeof DEBIAN_RELEASES / sizeof DEBIAN_RELEASES[0]; i++)
			if (strcasecmp(release, DEBIAN_RELEASES[i].codename) == 0)
				return cairn_buf_append_str(out, DEBIAN_RELEASES[i].number);
	}
	if (err == 0 && strcmp(base, "alpine") == 0 && is_digit((unsigned char)release[0]))
		err = cairn_buf_append_byte(out, 'v');
	if (err == 0)
		err = cairn_buf_append_str(out, release);
	return err;
}

static int base_is(const char *ecosystem, const char *base)
{
	size_t n = strlen(base);
	return strncmp(ecosystem, base, n) == 0 && (ecosystem[n] == '\0' || ecosystem[n] == ':');
}

int vuln_name_normalise(const char *ecosystem, const char *name, cairn_buf *out)
{
	cairn_buf_clear(out);
	if (name == NULL || name[0] == '\0' || strlen(name) > VULN_MAX_NAME)
		return cairn_error_set(CAIRN_EINVAL, "package name '%.40s' is empty or longer than %d bytes",
				       name ? name : "", VULN_MAX_NAME);
	int err = cairn_buf_reserve(out, strlen(name) + 1);
	if (err != 0)
		return err;
	if (base_is(ecosystem, "pypi")) {
		/* PEP 503: lowercase, and every run of '-', '_' and '.' becomes one '-'. */
		for (const char *p = name; *p && err == 0;) {
			if (*p == '-' || *p == '_' || *p == '.') {
				while (*p == '-' || *p == '_' || *p == '.')
					p++;
				err = cairn_buf_append_byte(out, '-');
			} else {
				err = cairn_buf_append_byte(out, (uint8_t)lower((unsigned char)*p++));
			}
		}
		return err;
	}
	/* Packagist names are lowercase by Composer's rules; NuGet IDs compare ignoring case. */
	int fold = base_is(ecosystem, "packagist") || base_is(ecosystem, "nuget");
	for (const char *p = name; *p && err == 0; p++)
		err = cairn_buf_append_byte(out, (uint8_t)(fold ? lower((unsigned char)*p) : *p));
	return err;
}

/* ---- version ordering ---- */

/* Dotted numbers as Haskell's Data.Version and R's package_version order them: component by
 * component as integers, a shorter prefix first. CRAN also separates with '-'. */
static int dotted_compare(const char *a, const char *b, int dash, int *out)
{
	const char *v[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		const char *p = v[i];
		if (!is_digit((unsigned char)*p))
			return cairn_error_set(CAIRN_EINVAL, "version '%.100s' is not dotted numbers", v[i]);
		for (; *p; p++) {
			int sep = *p == '.' || (dash && *p == '-');
			if (!is_digit((unsigned char)*p) && !(sep && is_digit((unsigned char)p[1])))
				return cairn_error_set(CAIRN_EINVAL, "version '%.100s' is not dotted numbers", v[i]);
		}
	}
	while (*a && *b) {
		while (*a == '0' && is_digit((unsigned char)a[1]))
			a++;
		while (*b == '0' && is_digit((unsigned char)b[1]))
			b++;
		size_t la = 0, lb = 0;
		while (is_digit((unsigned char)a[la]))
			la++;
		while (is_digit((unsigned char)b[lb]))
			lb++;
		int c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
		if (c != 0) {
			*out = c < 0 ? -1 : 1;
			return 0;
		}
		a += la;
		b += lb;
		if (*a)
			a++;
		if (*b)
			b++;
	}
	*out = (*a != '\0') - (*b != '\0');
	return 0;
}

int vuln_version_compare(const char *ecosystem, const char *a, const char *b, int *out)
{
	if (base_is(ecosystem, "hackage") || base_is(ecosystem, "ghc"))
		return dotted_compare(a, b, 0, out);
	if (base_is(ecosystem, "cran"))
		return dotted_compare(a, b, 1, out);
	if (base_is(ecosystem, "ruby")) /* RubySec's interpreter advisories: Gem::Version order */
		return cairn_version_compare_eco(CAIRN_ECOSYSTEM_RUBYGEMS, a, b, out);
	return cairn_version_compare(ecosystem, a, b, out);
}

/* How versions of one range compare: the ecosystem's order, or SemVer for SEMVER ranges. */
struct order {
	const char *ecosystem;
	int semver;
};

static const char *strip_v(const char *v, int semver)
{
	return semver && (v[0] == 'v' || v[0] == 'V') ? v + 1 : v;
}

static int order_compare(const struct order *o, const char *a, const char *b, int *out)
{
	if (o->semver)
		return cairn_version_compare_eco(CAIRN_ECOSYSTEM_SEMVER, strip_v(a, 1), strip_v(b, 1), out);
	return vuln_version_compare(o->ecosystem, a, b, out);
}

/* ---- OSV ranges ---- */

struct event {
	const char *kind; /* introduced, fixed, last_affected, limit */
	const char *version;
};

static const char *event_kind(const json_t *event, const char **version)
{
	const char *kinds[] = {"introduced", "fixed", "last_affected", "limit"};
	for (size_t k = 0; k < 4; k++) {
		const char *v = json_string_value(json_object_get(event, kinds[k]));
		if (v != NULL) {
			*version = v;
			return kinds[k];
		}
	}
	return NULL;
}

/* Where an event sorts regardless of versions: -1 for introduced "0" (below every version), 1 for
 * limit "*" (above every version), 0 for the rest. */
static int event_special(const struct event *e)
{
	if (strcmp(e->kind, "introduced") == 0 && strcmp(e->version, "0") == 0)
		return -1;
	if (strcmp(e->kind, "limit") == 0 && strcmp(e->version, "*") == 0)
		return 1;
	return 0;
}

static int event_compare(const struct order *o, const struct event *a, const struct event *b)
{
	int sa = event_special(a), sb = event_special(b);
	if (sa != 0 || sb != 0)
		return (sa > sb) - (sa < sb);
	int c = 0;
	if (order_compare(o, a->version, b->version, &c) != 0)
		cairn_error_clear(); /* unusable events are left out before sorting */
	return c;
}

/* v compared with an event's version, honouring "0" and "*". */
static int version_vs_event(const struct order *o, const char *v, const struct event *e, int *out)
{
	if (strcmp(e->kind, "introduced") == 0 && strcmp(e->version, "0") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(e->kind, "limit") == 0 && strcmp(e->version, "*") == 0) {
		*out = -1;
		return 0;
	}
	return order_compare(o, v, e->version, out);
}

/* An event whose version the range's ordering cannot read is left out: it cannot be placed. */
static int event_usable(const struct order *o, const struct event *e)
{
	int c;
	if (strcmp(e->version, "0") == 0 || strcmp(e->version, "*") == 0)
		return 1;
	if (order_compare(o, e->version, e->version, &c) != 0) {
		cairn_error_clear();
		return 0;
	}
	return 1;
}

/* Insertion sort: stable, so events of equal version keep the advisory's order. */
static void sort_events(const struct order *o, struct event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct event e = ev[i];
		size_t j = i;
		while (j > 0 && event_compare(o, &ev[j - 1], &e) > 0) {
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = e;
	}
}

static void note_fixed(cairn_buf *fixed, const char *version)
{
	if (fixed != NULL && fixed->len == 0)
		cairn_buf_append_str(fixed, version);
}

/* The OSV IncludedInRanges for one range. */
static int range_affects(const char *ecosystem, const json_t *range, const char *v, int *hit, cairn_buf *fixed)
{
	struct order o = {ecosystem, strcmp(json_string_value(json_object_get(range, "type")), "SEMVER") == 0};
	const json_t *events = json_object_get(range, "events");
	size_t n = json_array_size(events), used = 0;
	struct event *ev = calloc(n ? n : 1, sizeof *ev);
	if (ev == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	int has_limit = 0, below_limit = 0, err = 0, c;
	for (size_t i = 0; i < n; i++) {
		struct event e;
		e.kind = event_kind(json_array_get(events, i), &e.version);
		if (e.kind == NULL || !event_usable(&o, &e))
			continue;
		if (strcmp(e.kind, "limit") == 0) {
			has_limit = 1;
			if ((err = version_vs_event(&o, v, &e, &c)) != 0)
				goto out;
			below_limit |= c < 0;
		}
		ev[used++] = e;
	}
	*hit = 0;
	if (has_limit && !below_limit)
		goto out;
	sort_events(&o, ev, used);
	int vulnerable = 0;
	size_t after = used; /* index of the event that last made v vulnerable */
	for (size_t i = 0; i < used; i++) {
		if ((err = version_vs_event(&o, v, &ev[i], &c)) != 0)
			goto out;
		if (strcmp(ev[i].kind, "introduced") == 0 && c >= 0) {
			vulnerable = 1;
			after = i;
		} else if (strcmp(ev[i].kind, "fixed") == 0 && c >= 0) {
			vulnerable = 0;
		} else if (strcmp(ev[i].kind, "last_affected") == 0 && c > 0) {
			vulnerable = 0;
		}
	}
	*hit = vulnerable;
	if (vulnerable)
		for (size_t i = after + 1; i < used; i++)
			if (strcmp(ev[i].kind, "fixed") == 0) {
				note_fixed(fixed, ev[i].version);
				break;
			}
out:
	free(ev);
	return err;
}

/* The first non-zero number of a version before any '+' (leading zeros dropped; "" when none):
 * "0:1.2" -> "1", "v2.0" -> "2", "0.0.3" -> "3". Every ecosystem compares numbers numerically and
 * none makes letters equal to digits, so two versions its ordering calls equal have the same key;
 * versions with different keys need no full (parsing) comparison. Build metadata and local labels
 * after '+' are left out, as SemVer ignores build metadata. */
static void equality_key(const char *v, const char **key, size_t *len)
{
	const char *end = v + strcspn(v, "+");
	for (const char *p = v; p < end;) {
		if (!is_digit((unsigned char)*p)) {
			p++;
			continue;
		}
		while (p < end && *p == '0')
			p++;
		const char *start = p;
		while (p < end && is_digit((unsigned char)*p))
			p++;
		if (p > start) {
			*key = start;
			*len = (size_t)(p - start);
			return;
		}
	}
	*key = "";
	*len = 0;
}

static int in_versions(const char *ecosystem, const json_t *versions, const char *v)
{
	size_t i;
	const json_t *entry;
	const char *vkey;
	size_t vlen;
	equality_key(v, &vkey, &vlen);
	json_array_foreach(versions, i, entry)
	{
		const char *listed = json_string_value(entry);
		int c;
		if (listed == NULL)
			continue;
		if (strcmp(listed, v) == 0)
			return 1;
		const char *key;
		size_t len;
		equality_key(listed, &key, &len);
		if (len != vlen || memcmp(key, vkey, len) != 0)
			continue;
		/* Equal by the ecosystem's order (1.0 and 1.0.0 in PyPI); unreadable entries only by text. */
		if (vuln_version_compare(ecosystem, listed, v, &c) == 0 && c == 0)
			return 1;
		cairn_error_clear();
	}
	return 0;
}

/* ---- Cargo requirements (the Rust semver crate) ---- */

struct semver {
	uint64_t major, minor, patch;
	int parts; /* how many of major.minor.patch were written */
	char pre[CAIRN_VERSION_MAX + 1];
};

static int parse_u64(const char **p, uint64_t *out)
{
	if (!is_digit((unsigned char)**p))
		return -1;
	uint64_t v = 0;
	while (is_digit((unsigned char)**p)) {
		unsigned d = (unsigned)(**p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		(*p)++;
	}
	*out = v;
	return 0;
}

/* Parses "1", "1.2", "1.2.3", "1.2.3-pre" (build metadata dropped); wildcards end the version. */
static int semver_parse(const char *s, struct semver *v, int partial)
{
	memset(v, 0, sizeof *v);
	const char *p = s;
	uint64_t *fields[3] = {&v->major, &v->minor, &v->patch};
	for (int i = 0; i < 3; i++) {
		if (partial && (*p == '*' || *p == 'x' || *p == 'X')) {
			p++;
			break;
		}
		if (parse_u64(&p, fields[i]) != 0)
			return -1;
		v->parts = i + 1;
		if (*p != '.')
			break;
		if (i < 2)
			p++;
	}
	if (v->parts < 3 && !partial)
		return -1;
	if (*p == '-') {
		size_t n = strcspn(p + 1, "+");
		if (n == 0 || n > CAIRN_VERSION_MAX)
			return -1;
		memcpy(v->pre, p + 1, n);
		v->pre[n] = '\0';
		p += 1 + n;
	}
	if (*p == '+')
		p += strlen(p);
	return *p == '\0' ? 0 : -1;
}

static int semver_cmp(const struct semver *a, uint64_t major, uint64_t minor, uint64_t patch, const char *pre)
{
	if (a->major != major)
		return a->major < major ? -1 : 1;
	if (a->minor != minor)
		return a->minor < minor ? -1 : 1;
	if (a->patch != patch)
		return a->patch < patch ? -1 : 1;
	char x[CAIRN_VERSION_MAX + 8], y[CAIRN_VERSION_MAX + 8];
	snprintf(x, sizeof x, "0.0.0%s%s", a->pre[0] ? "-" : "", a->pre);
	snprintf(y, sizeof y, "0.0.0%s%s", pre[0] ? "-" : "", pre);
	int c = 0;
	if (cairn_version_compare_eco(CAIRN_ECOSYSTEM_SEMVER, x, y, &c) != 0)
		cairn_error_clear();
	return c;
}

/* One comparator of a cargo requirement against v; the semver crate's matches_* functions. */
static int cargo_comparator(const char *op, const struct semver *c, const struct semver *v)
{
	uint64_t M = c->major, m = c->minor, p = c->patch;
	int lo, hi;
	if (strcmp(op, "=") == 0) {
		if (c->parts == 3)
			return semver_cmp(v, M, m, p, c->pre) == 0;
		if (c->parts == 2)
			return v->major == M && v->minor == m;
		return v->major == M;
	}
	if (strcmp(op, ">") == 0) {
		if (c->parts == 3)
			return semver_cmp(v, M, m, p, c->pre) > 0;
		if (c->parts == 2)
			return v->major > M || (v->major == M && v->minor > m);
		return v->major > M;
	}
	if (strcmp(op, ">=") == 0) {
		if (c->parts == 3)
			return semver_cmp(v, M, m, p, c->pre) >= 0;
		if (c->parts == 2)
			return v->major > M || (v->major == M && v->minor >= m);
		return v->major >= M;
	}
	if (strcmp(op, "<") == 0) {
		if (c->parts == 3)
			return semver_cmp(v, M, m, p, c->pre) < 0;
		if (c->parts == 2)
			return v->major < M || (v->major == M && v->minor < m);
		return v->major < M;
	}
	if (strcmp(op, "<=") == 0) {
		if (c->parts == 3)
			return semver_cmp(v, M, m, p, c->pre) <= 0;
		if (c->parts == 2)
			return v->major < M || (v->major == M && v->minor <= m);
		return v->major <= M;
	}
	if (strcmp(op, "~") == 0) {
		if (v->major != M)
			return 0;
		if (c->parts == 1)
			return 1;
		if (v->minor != m)
			return 0;
		return c->parts == 2 || semver_cmp(v, M, m, p, c->pre) >= 0;
	}
	if (strcmp(op, "^") == 0) {
		if (v->major != M)
			return 0;
		if (c->parts == 1)
			return 1;
		if (M > 0) {
			lo = c->parts == 2 ? v->minor >= m : semver_cmp(v, M, m, p, c->pre) >= 0;
			return lo;
		}
		if (v->minor != m)
			return 0;
		if (c->parts == 2)
			return 1;
		if (m > 0)
			return semver_cmp(v, M, m, p, c->pre) >= 0;
		hi = v->patch == p && semver_cmp(v, M, m, p, c->pre) >= 0;
		return hi;
	}
	return 0; /* "*" handled by the caller */
}

/* The next comma-separated clause of a requirement list (cargo's and RubyGems' share the shape
 * "OP VERSION, OP VERSION"): its operator, made of the characters in `ops` (at most two), into op and
 * its trimmed operand into *operand (pointing into buf). Returns 1 for a clause, 0 at the end, or an
 * error for an over-long list or an unknown operator. */
static int next_clause(const char **p, const char *req, const char *ops, char *buf, size_t cap, size_t *count,
		       char op[3], char **operand)
{
	if (**p == '\0')
		return 0;
	size_t n = strcspn(*p, ",");
	if (n >= cap || ++*count > 64)
		return cairn_error_set(CAIRN_EINVAL, "requirement '%.100s' is too long", req);
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += n + ((*p)[n] == ',');
	char *s = buf;
	while (*s == ' ')
		s++;
	size_t oplen = strspn(s, ops);
	if (oplen > 2)
		return cairn_error_set(CAIRN_EINVAL, "requirement '%.100s': unknown operator", req);
	memcpy(op, s, oplen);
	op[oplen] = '\0';
	s += oplen;
	while (*s == ' ')
		s++;
	char *end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		*--end = '\0';
	*operand = s;
	return 1;
}

int vuln_cargo_req_matches(const char *req, const char *version, int *out)
{
	struct semver v;
	if (semver_parse(version, &v, 0) != 0)
		return cairn_error_set(CAIRN_EINVAL, "crates.io version '%.100s' is not SemVer", version);
	int all = 1, pre_ok = v.pre[0] == '\0';
	const char *p = req;
	size_t count = 0;
	char buf[CAIRN_VERSION_MAX + 8], op[3], *s;
	int more;
	while ((more = next_clause(&p, req, "=<>~^", buf, sizeof buf, &count, op, &s)) > 0) {
		size_t oplen = strlen(op);
		if (strcmp(s, "*") == 0 && oplen == 0)
			continue;
		if (oplen == 0)
			strcpy(op, "^"); /* a bare version is a caret requirement in cargo */
		if (strcmp(op, "=") && strcmp(op, ">") && strcmp(op, ">=") && strcmp(op, "<") && strcmp(op, "<=") &&
		    strcmp(op, "~") && strcmp(op, "^"))
			return cairn_error_set(CAIRN_EINVAL, "requirement '%.100s': unknown operator '%s'", req, op);
		struct semver c;
		if (semver_parse(s, &c, 1) != 0)
			return cairn_error_set(CAIRN_EINVAL, "requirement '%.100s': '%.100s' is not a version", req, s);
		if (c.parts == 0)
			continue; /* a wildcard matches every version */
		all &= cargo_comparator(op, &c, &v);
		/* The semver crate's rule: a pre-release matches only through a comparator that names
		 * the same major.minor.patch with a pre-release of its own. */
		if (c.parts == 3 && c.pre[0] && c.major == v.major && c.minor == v.minor && c.patch == v.patch)
			pre_ok = 1;
	}
	if (more < 0)
		return more;
	*out = all && pre_ok;
	return 0;
}

/* ---- Gem::Requirement ---- */

/* Gem::Version's segments: "-" reads as ".pre.", then runs of digits or letters. */
static size_t gem_segments(const char *v, char seg[][64], size_t max, int *has_letter)
{
	size_t n = 0;
	*has_letter = 0;
	for (const char *p = v; *p && n < max;) {
		if (*p == '-') {
			strcpy(seg[n++], "pre");
			*has_letter = 1;
			p++;
			continue;
		}
		size_t len = 0;
		int digit = is_digit((unsigned char)*p);
		while ((digit ? is_digit((unsigned char)p[len]) : is_alpha((unsigned char)p[len])) && len < 63)
			len++;
		if (len == 0) {
			p++;
			continue;
		}
		*has_letter |= !digit;
		memcpy(seg[n], p, len);
		seg[n][len] = '\0';
		n++;
		p += len;
	}
	return n;
}

static int seg_is_string(const char *s)
{
	return !is_digit((unsigned char)s[0]);
}

static void gem_join(char seg[][64], size_t n, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "." : "", seg[i]);
}

/* Drops trailing segments while any segment is a string (Gem's release and bump both start so). */
static size_t gem_drop_strings(char seg[][64], size_t n)
{
	for (;;) {
		int any = 0;
		for (size_t i = 0; i < n; i++)
			any |= seg_is_string(seg[i]);
		if (!any || n == 0)
			return n;
		n--;
	}
}

/* Increments a digit string in place ("9" -> "10"). */
static void digits_succ(char *s)
{
	size_t n = strlen(s);
	for (size_t i = n; i-- > 0;) {
		if (s[i] < '9') {
			s[i]++;
			return;
		}
		s[i] = '0';
	}
	if (n + 1 < 64) {
		memmove(s + 1, s, n + 1);
		s[0] = '1';
	}
}

static int gem_cmp(const char *a, const char *b, int *out)
{
	return cairn_version_compare_eco(CAIRN_ECOSYSTEM_RUBYGEMS, a, b, out);
}

/* v ~> r: v >= r and v.release < r.bump. */
static int gem_pessimistic(const char *r, const char *v, int *out)
{
	char seg[128][64], bump[CAIRN_VERSION_MAX + 1], release[CAIRN_VERSION_MAX + 1];
	int letter, c;
	int err = gem_cmp(v, r, &c);
	if (err != 0)
		return err;
	if (c < 0) {
		*out = 0;
		return 0;
	}
	size_t n = gem_drop_strings(seg, gem_segments(r, seg, 128, &letter));
	if (n > 1)
		n--;
	if (n == 0)
		return cairn_error_set(CAIRN_EINVAL, "requirement '~> %.100s' has no number", r);
	digits_succ(seg[n - 1]);
	gem_join(seg, n, bump, sizeof bump);
	n = gem_segments(v, seg, 128, &letter);
	if (letter)
		n = gem_drop_strings(seg, n);
	gem_join(seg, n, release, sizeof release);
	if (release[0] == '\0')
		strcpy(release, "0");
	if ((err = gem_cmp(release, bump, &c)) != 0)
		return err;
	*out = c < 0;
	return 0;
}

int vuln_gem_req_matches(const char *req, const char *version, int *out)
{
	int all = 1, c;
	const char *p = req;
	size_t count = 0;
	int err = gem_cmp(version, version, &c);
	if (err != 0)
		return err;
	char buf[CAIRN_VERSION_MAX + 8], op[3], *s;
	int more;
	while ((more = next_clause(&p, req, "=!<>~", buf, sizeof buf, &count, op, &s)) > 0) {
		size_t oplen = strlen(op);
		if (oplen == 0)
			strcpy(op, "=");
		int hit = 0;
		if (strcmp(op, "~>") == 0) {
			if ((err = gem_pessimistic(s, version, &hit)) != 0)
				return err;
		} else {
			if ((err = gem_cmp(version, s, &c)) != 0)
				return err;
			if (strcmp(op, "=") == 0)
				hit = c == 0;
			else if (strcmp(op, "!=") == 0)
				hit = c != 0;
			else if (strcmp(op, ">") == 0)
				hit = c > 0;
			else if (strcmp(op, ">=") == 0)
				hit = c >= 0;
			else if (strcmp(op, "<") == 0)
				hit = c < 0;
			else if (strcmp(op, "<=") == 0)
				hit = c <= 0;
			else
				return cairn_error_set(CAIRN_EINVAL, "requirement '%.100s': unknown operator '%s'", req, op);
		}
		all &= hit;
	}
	if (more < 0)
		return more;
	*out = all;
	return 0;
}

/* The version a requirement entry starts at when it is a lower bound (">= X", "~> X", "^X"), for
 * reporting the fix; NULL-terminated copy into out, or "" when the entry has none. */
static void req_lower_bound(const char *entry, char *out, size_t size)
{
	out[0] = '\0';
	const char *s = entry;
	while (*s == ' ')
		s++;
	size_t oplen = strspn(s, "=!<>~^");
	int lower_op = (oplen == 2 && (strncmp(s, ">=", 2) == 0 || strncmp(s, "~>", 2) == 0)) ||
		       (oplen == 1 && (*s == '^' || *s == '~' || *s == '>'));
	if (!lower_op)
		return;
	s += oplen;
	while (*s == ' ')
		s++;
	size_t n = strcspn(s, ", ");
	if (n < size) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
}

static int reqs_affect(const json_t *reqs, const char *v, int *hit, cairn_buf *fixed)
{
	const char *scheme = json_string_value(json_object_get(reqs, "scheme"));
	int cargo = scheme != NULL && strcmp(scheme, "cargo") == 0;
	const json_t *safe = json_object_get(reqs, "safe");
	size_t i;
	const json_t *entry;
	*hit = 1;
	json_array_foreach(safe, i, entry)
	{
		const char *req = json_string_value(entry);
		int m = 0, err;
		if (req == NULL)
			continue;
		err = cargo ? vuln_cargo_req_matches(req, v, &m) : vuln_gem_req_matches(req, v, &m);
		if (err != 0)
			return err;
		if (m) {
			*hit = 0;
			return 0;
		}
	}
	/* Affected: the fix is the lowest lower bound of a safe entry above v. */
	const char *eco = cargo ? "crates.io" : "rubygems";
	char best[CAIRN_VERSION_MAX + 1] = "", bound[CAIRN_VERSION_MAX + 1];
	json_array_foreach(safe, i, entry)
	{
		int c1, c2;
		req_lower_bound(json_string_value(entry), bound, sizeof bound);
		if (bound[0] == '\0' || vuln_version_compare(eco, bound, v, &c1) != 0 || c1 <= 0) {
			cairn_error_clear();
			continue;
		}
		if (best[0] == '\0' || (vuln_version_compare(eco, bound, best, &c2) == 0 && c2 < 0))
			strcpy(best, bound);
		cairn_error_clear();
	}
	if (best[0])
		note_fixed(fixed, best);
	return 0;
}

/* ---- Composer constraints (FriendsOfPHP) ---- */

/* Composer normalises versions to four numbers ("1.2" -> "1.2.0.0") before comparing. */
static void composer_normalise(const char *v, char *out, size_t size)
{
	if (v[0] == 'v' || v[0] == 'V')
		v++;
	size_t n = strspn(v, "0123456789.");
	int dots = 0;
	for (size_t i = 0; i < n; i++)
		dots += v[i] == '.';
	while (n > 0 && v[n - 1] == '.')
		n--, dots--;
	size_t used = (size_t)snprintf(out, size, "%.*s", (int)n, v);
	for (int d = dots; d < 3 && n > 0 && used < size; d++)
		used += (size_t)snprintf(out + used, size - used, ".0");
	if (used < size)
		snprintf(out + used, size - used, "%s", v + n);
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int composer_constraint(const char *constraint, const char *v, int *hit)
{
	char op[3] = "", bound[CAIRN_VERSION_MAX + 8], norm_v[CAIRN_VERSION_MAX + 8];
	const char *s = constraint;
	while (*s == ' ')
		s++;
	size_t oplen = strspn(s, "=!<>");
	if (oplen > 2)
		return cairn_error_set(CAIRN_EINVAL, "constraint '%.100s': unknown operator", constraint);
	memcpy(op, s, oplen);
	op[oplen] = '\0';
	s += oplen;
	while (*s == ' ')
		s++;
	if (oplen == 0 || strcmp(op, "==") == 0)
		strcpy(op, "=");
	if (*s == '\0' || strlen(s) > CAIRN_VERSION_MAX)
		return cairn_error_set(CAIRN_EINVAL, "constraint '%.100s' has no version", constraint);
	composer_normalise(s, bound, sizeof bound - 4);
	/* Composer's VersionParser: "<X" and ">=X" mean "<X-dev" and ">=X-dev" unless X names its
	 * stability, so that X's own pre-releases count as below X. */
	if ((strcmp(op, "<") == 0 || strcmp(op, ">=") == 0) && !ends_with_ci(s, "-stable") &&
	    !ends_with_ci(s, "-rc") && !ends_with_ci(s, "-beta") && !ends_with_ci(s, "-alpha") &&
	    !ends_with_ci(s, "-dev") && strncmp(s, "dev-", 4) != 0)
		strcat(bound, "-dev");
	composer_normalise(v, norm_v, sizeof norm_v);
	int c, err = cairn_version_compare_eco(CAIRN_ECOSYSTEM_PACKAGIST, norm_v, bound, &c);
	if (err != 0)
		return err;
	if (strcmp(op, "=") == 0)
		*hit = c == 0;
	else if (strcmp(op, "!=") == 0 || strcmp(op, "<>") == 0)
		*hit = c != 0;
	else if (strcmp(op, "<") == 0)
		*hit = c < 0;
	else if (strcmp(op, "<=") == 0)
		*hit = c <= 0;
	else if (strcmp(op, ">") == 0)
		*hit = c > 0;
	else if (strcmp(op, ">=") == 0)
		*hit = c >= 0;
	else
		return cairn_error_set(CAIRN_EINVAL, "constraint '%.100s': unknown operator '%s'", constraint, op);
	return 0;
}

static int branches_affect(const json_t *branches, const char *v, int *hit, cairn_buf *fixed)
{
	size_t i;
	const json_t *branch;
	*hit = 0;
	json_array_foreach(branches, i, branch)
	{
		int all = 1, err;
		size_t j;
		const json_t *constraint;
		const char *upper = NULL;
		json_array_foreach(branch, j, constraint)
		{
			const char *text = json_string_value(constraint);
			int h = 0;
			if (text == NULL)
				continue;
			if ((err = composer_constraint(text, v, &h)) != 0)
				return err;
			all &= h;
			if (text[0] == '<' && text[1] != '=')
				upper = text + 1 + strspn(text + 1, " ");
		}
		if (all && json_array_size(branch) > 0) {
			*hit = 1;
			if (upper != NULL)
				note_fixed(fixed, upper);
			return 0;
		}
	}
	return 0;
}

/* ---- the whole spec ---- */

int vuln_spec_affects(const char *ecosystem, const json_t *spec, const char *version, int *affected,
		      cairn_buf *fixed)
{
	int c, hit = 0, err;
	*affected = 0;
	if (version == NULL || version[0] == '\0')
		return cairn_error_set(CAIRN_EINVAL, "an empty version cannot be matched");
	const json_t *reqs = json_object_get(spec, "reqs");
	const json_t *branches = json_object_get(spec, "branches");
	if (reqs != NULL)
		return reqs_affect(reqs, version, affected, fixed);
	if (branches != NULL)
		return branches_affect(branches, version, affected, fixed);
	/* The version must be one the ecosystem can order; saying "not affected" otherwise would be
	 * a silent miss. */
	if ((err = vuln_version_compare(ecosystem, version, version, &c)) != 0)
		return err;
	/* A listed version is affected; the ranges are still walked for the version that fixes it. */
	int listed = in_versions(ecosystem, json_object_get(spec, "versions"), version);
	size_t i;
	const json_t *range;
	json_array_foreach(json_object_get(spec, "ranges"), i, range)
	{
		const char *type = json_string_value(json_object_get(range, "type"));
		if (type == NULL || (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0))
			continue;
		if (strcmp(type, "SEMVER") == 0 &&
		    cairn_version_validate_eco(CAIRN_ECOSYSTEM_SEMVER, strip_v(version, 1)) != 0) {
			/* A version SemVer cannot read is outside every SEMVER range. */
			cairn_error_clear();
			continue;
		}
		if ((err = range_affects(ecosystem, range, version, &hit, fixed)) != 0)
			return err;
		if (hit) {
			*affected = 1;
			return 0;
		}
	}
	*affected = listed;
	return 0;
}

/* ---- which alias to show ---- */

int vuln_id_rank(const char *id)
{
	/* A vulnerability known by several IDs is shown by the one from the most specific source:
	 * the ecosystem's or distribution's own database first, then GitHub's, then CVE. */
	if (strncmp(id, "CVE-", 4) == 0)
		return 3;
	if (strncmp(id, "GHSA-", 5) == 0)
		return 2;
	if (strncmp(id, "OSV-", 4) == 0)
		return 1;
	return 0;
}

/* ---- matching a package in the database ---- */

struct hit {
	char *id, *summary, *source, *fixed;
	json_t *aliases;
	enum cairn_severity severity;
	double score;
	enum cairn_cvss_version score_version;
	size_t group; /* union-find parent */
};

struct cairn_vulndb_findings {
	cairn_vuln_finding *items;
	size_t n;
	char **strings; /* everything the items point to */
	size_t n_strings;
};

static size_t find_root(struct hit *hits, size_t i)
{
	while (hits[i].group != i)
		i = hits[i].group = hits[hits[i].group].group;
	return i;
}

/* A CVE or GHSA ID names exactly one vulnerability; an OSVDB or other ID may cover several. */
static int names_one_vulnerability(const char *id)
{
	return strncmp(id, "CVE-", 4) == 0 || strncmp(id, "GHSA-", 5) == 0;
}

/* Two hits are one vulnerability when they have the same ID, when one lists the other's ID among
 * its aliases, or when both list the same CVE or GHSA ID. */
static int same_vulnerability(const struct hit *a, const struct hit *b)
{
	if (strcmp(a->id, b->id) == 0)
		return 1;
	size_t i, j;
	const json_t *x, *y;
	json_array_foreach(a->aliases, i, x)
	{
		const char *alias = json_string_value(x);
		if (strcmp(alias, b->id) == 0)
			return 1;
		if (!names_one_vulnerability(alias))
			continue;
		json_array_foreach(b->aliases, j, y)
			if (strcmp(alias, json_string_value(y)) == 0)
				return 1;
	}
	json_array_foreach(b->aliases, j, y)
		if (strcmp(json_string_value(y), a->id) == 0)
			return 1;
	return 0;
}

static void hits_free(struct hit *hits, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(hits[i].id);
		free(hits[i].summary);
		free(hits[i].source);
		free(hits[i].fixed);
		json_decref(hits[i].aliases);
	}
	free(hits);
}

static char *column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);
	return strdup(t != NULL ? (const char *)t : "");
}

/* Evaluates every candidate row of one (ecosystem, name) lookup, appending the affecting ones. */
static int collect(cairn_vulndb *db, const char *ecosystem, const char *name, const char *version,
		   struct hit **hits, size_t *n, size_t *cap)
{
	sqlite3_stmt *s = db->lookup;
	sqlite3_bind_text(s, 1, ecosystem, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	int rc, err = 0;
	cairn_buf fixed = CAIRN_BUF_INIT;
	while (err == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *spec_text = (const char *)sqlite3_column_text(s, 7);
		json_t *spec = spec_text ? json_loads(spec_text, 0, NULL) : NULL;
		int affected = 0;
		if (spec == NULL) {
			err = cairn_error_set(CAIRN_EINVAL, "advisory database %s: a stored rule is not JSON", db->path);
			break;
		}
		cairn_buf_clear(&fixed);
		err = vuln_spec_affects(ecosystem, spec, version, &affected, &fixed);
		json_decref(spec);
		if (err != 0 || !affected)
			continue;
		if (*n == *cap) {
			size_t grown_cap = *cap ? *cap * 2 : 16;
			struct hit *grown = realloc(*hits, grown_cap * sizeof *grown);
			if (grown == NULL) {
				err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
				break;
			}
			*hits = grown;
			*cap = grown_cap;
		}
		struct hit *h = &(*hits)[*n];
		memset(h, 0, sizeof *h);
		const char *aliases = (const char *)sqlite3_column_text(s, 1);
		h->aliases = aliases ? json_loads(aliases, 0, NULL) : NULL;
		if (!json_is_array(h->aliases)) {
			json_decref(h->aliases);
			h->aliases = json_array();
		}
		h->id = column_dup(s, 0);
		h->summary = column_dup(s, 2);
		h->source = column_dup(s, 3);
		h->fixed = strdup(cairn_buf_cstr(&fixed));
		h->severity = (enum cairn_severity)sqlite3_column_int(s, 4);
		h->score = sqlite3_column_double(s, 5);
		h->score_version = (enum cairn_cvss_version)sqlite3_column_int(s, 6);
		h->group = *n;
		(*n)++;
		if (h->id == NULL || h->summary == NULL || h->source == NULL || h->fixed == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
	}
	if (err == 0 && rc != SQLITE_DONE)
		err = vuln_db_error(db, "looking up a package");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	cairn_buf_free(&fixed);
	return err;
}

static int keep_string(cairn_vulndb_findings *f, char *s, const char **slot)
{
	if (s == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	f->strings[f->n_strings++] = s;
	*slot = s;
	return 0;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is `id` better than `best` as the one ID to show? Lower rank, then the smaller ID. */
static int better_id(const char *id, const char *best)
{
	int a = vuln_id_rank(id), b = vuln_id_rank(best);
	return a != b ? a < b : strcmp(id, best) < 0;
}

/* Makes one finding of the hits in group `root`. */
static int make_finding(cairn_vulndb_findings *f, struct hit *hits, size_t n, size_t root, cairn_vuln_finding *out)
{
	struct hit *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (find_root(hits, i) == root && (best == NULL || better_id(hits[i].id, best->id)))
			best = &hits[i];
	const char *names[VULN_MAX_ALIASES];
	size_t n_names = 0;
	enum cairn_severity severity = best->severity;
	double score = best->score;
	enum cairn_cvss_version score_version = best->score_version;
	const char *fixed = best->fixed;
	for (size_t i = 0; i < n; i++) {
		if (find_root(hits, i) != root)
			continue;
		const char *candidates[1 + VULN_MAX_ALIASES];
		size_t nc = 0;
		candidates[nc++] = hits[i].id;
		size_t j;
		const json_t *a;
		json_array_foreach(hits[i].aliases, j, a) if (nc < sizeof candidates / sizeof candidates[0])
			candidates[nc++] = json_string_value(a);
		for (size_t k = 0; k < nc; k++) {
			int seen = strcmp(candidates[k], best->id) == 0;
			for (size_t m = 0; m < n_names && !seen; m++)
				seen = strcmp(names[m], candidates[k]) == 0;
			if (!seen && n_names < VULN_MAX_ALIASES)
				names[n_names++] = candidates[k];
		}
		/* The chosen record's own rating wins; others fill what it lacks. */
		if (severity == CAIRN_SEVERITY_UNKNOWN && hits[i].severity > severity)
			severity = hits[i].severity;
		if (score < 0 && hits[i].score >= 0) {
			score = hits[i].score;
			score_version = hits[i].score_version;
		}
		if (fixed[0] == '\0')
			fixed = hits[i].fixed;
	}
	if (n_names > 1)
		qsort(names, n_names, sizeof names[0], compare_strings);
	cairn_buf joined = CAIRN_BUF_INIT;
	for (size_t i = 0; i < n_names; i++)
		cairn_buf_printf(&joined, "%s%s", i ? ", " : "", names[i]);
	int err;
	if ((err = keep_string(f, strdup(best->id), &out->id)) != 0 ||
	    (err = keep_string(f, strdup(cairn_buf_cstr(&joined)), &out->aliases)) != 0 ||
	    (err = keep_string(f, strdup(best->summary), &out->summary)) != 0 ||
	    (err = keep_string(f, strdup(fixed), &out->fixed)) != 0 ||
	    (err = keep_string(f, strdup(best->source), &out->source)) != 0) {
		cairn_buf_free(&joined);
		return err;
	}
	cairn_buf_free(&joined);
	out->severity = severity;
	out->score = score;
	out->score_version = score_version;
	return 0;
}

static int compare_findings(const void *a, const void *b)
{
	return strcmp(((const cairn_vuln_finding *)a)->id, ((const cairn_vuln_finding *)b)->id);
}

int cairn_vulndb_match(cairn_vulndb *db, const char *ecosystem, const char *name, const char *version,
		       cairn_vulndb_findings **out)
{
	cairn_buf eco = CAIRN_BUF_INIT, base = CAIRN_BUF_INIT, norm = CAIRN_BUF_INIT;
	struct hit *hits = NULL;
	size_t n = 0, cap = 0;
	cairn_vulndb_findings *f = NULL;
	int c, err;
	if (version == NULL || strlen(version) > CAIRN_VERSION_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "version is missing or longer than %d bytes", CAIRN_VERSION_MAX);
	if ((err = vuln_ecosystem_normalise(ecosystem, &eco)) != 0 ||
	    (err = vuln_name_normalise(cairn_buf_cstr(&eco), name, &norm)) != 0)
		goto out;
	/* Refuse a version the ecosystem cannot read before looking anything up: "no findings" must
	 * never stand for "could not tell". */
	if ((err = vuln_version_compare(cairn_buf_cstr(&eco), version, version, &c)) != 0) {
		err = cairn_error_prefix(err, "%s %s", ecosystem, name);
		goto out;
	}
	if ((err = collect(db, cairn_buf_cstr(&eco), cairn_buf_cstr(&norm), version, &hits, &n, &cap)) != 0)
		goto out;
	/* An ecosystem with a release also matches advisories that name none. */
	const char *colon = strchr(cairn_buf_cstr(&eco), ':');
	if (colon != NULL) {
		if ((err = cairn_buf_append(&base, eco.data, (size_t)(colon - cairn_buf_cstr(&eco)))) != 0 ||
		    (err = collect(db, cairn_buf_cstr(&base), cairn_buf_cstr(&norm), version, &hits, &n, &cap)) != 0)
			goto out;
	}
	/* Pairs already in one group need no comparison of their aliases. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (find_root(hits, i) != find_root(hits, j) && same_vulnerability(&hits[i], &hits[j]))
				hits[find_root(hits, j)].group = find_root(hits, i);
	if ((f = calloc(1, sizeof *f)) == NULL || (n > 0 && ((f->items = calloc(n, sizeof *f->items)) == NULL ||
							      (f->strings = calloc(n * 5, sizeof *f->strings)) == NULL))) {
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && err == 0; i++)
		if (find_root(hits, i) == i)
			err = make_finding(f, hits, n, i, &f->items[f->n++]);
	if (err != 0)
		goto out;
	if (f->n > 1)
		qsort(f->items, f->n, sizeof *f->items, compare_findings);
	*out = f;
	f = NULL;
out:
	cairn_vulndb_findings_free(f);
	hits_free(hits, n);
	cairn_buf_free(&eco);
	cairn_buf_free(&base);
	cairn_buf_free(&norm);
	return err;
}

size_t cairn_vulndb_findings_count(const cairn_vulndb_findings *findings)
{
	return findings != NULL ? findings->n : 0;
}

const cairn_vuln_finding *cairn_vulndb_findings_get(const cairn_vulndb_findings *findings, size_t i)
{
	return findings != NULL && i < findings->n ? &findings->items[i] : NULL;
}

void cairn_vulndb_findings_free(cairn_vulndb_findings *findings)
{
	if (findings == NULL)
		return;
	for (size_t i = 0; i < findings->n_strings; i++)
		free(findings->strings[i]);
	free(findings->strings);
	free(findings->items);
	free(findings);
}
