/* Reading OpenVEX documents and deciding which statement applies to a finding.
 *
 * OpenVEX (github.com/openvex/spec, v0.2.0) is a JSON document with "statements"; each names a
 * vulnerability (an object with name, @id and aliases; older documents wrote a plain string), the
 * products it is about (objects with @id, identifiers and subcomponents; older: plain strings) and
 * a status. cairn keeps every statement, each with its vulnerability IDs and its products, and at
 * scan time picks the latest statement (by timestamp) that matches a finding. Purls are compared in
 * their canonical form without qualifiers and subpath, so "pkg:pypi/Jinja2@3.1.2?arch=x" in a VEX
 * document names the same package as "pkg:pypi/jinja2@3.1.2" in an SBOM.
 *
 * A document is untrusted input: its size, nesting, statement, product and alias counts and every
 * string are bounded, and anything that does not follow the specification (an unknown status or
 * justification, a not_affected statement without a reason) is refused rather than guessed at,
 * since a guessed suppression would hide a vulnerability. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/scan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vex_product {
	char *id;    /* @id or identifiers.purl, canonical when a purl */
	char **subs; /* subcomponent IDs, canonical when purls */
	size_t n_subs;
};

struct vex_statement {
	cairn_vex_statement pub;
	char *vulnerability, *status, *justification, *impact, *document;
	char **ids; /* the vulnerability's name, @id and aliases */
	size_t n_ids;
	struct vex_product *products;
	size_t n_products;
};

struct cairn_vex {
	struct vex_statement *items;
	size_t n, cap;
};

static const char *const STATUSES[] = {"not_affected", "affected", "fixed", "under_investigation"};
static const char *const JUSTIFICATIONS[] = {
	"component_not_present",
	"vulnerable_code_not_present",
	"vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary",
	"inline_mitigations_already_exist",
};

int cairn_vex_new(cairn_vex **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
}

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void statement_clear(struct vex_statement *s)
{
	free(s->vulnerability);
	free(s->status);
	free(s->justification);
	free(s->impact);
	free(s->document);
	free_strings(s->ids, s->n_ids);
	for (size_t i = 0; i < s->n_products; i++) {
		free(s->products[i].id);
		free_strings(s->products[i].subs, s->products[i].n_subs);
	}
	free(s->products);
	memset(s, 0, sizeof *s);
}

void cairn_vex_free(cairn_vex *vex)
{
	if (vex == NULL)
		return;
	for (size_t i = 0; i < vex->n; i++)
		statement_clear(&vex->items[i]);
	free(vex->items);
	free(vex);
}

size_t cairn_vex_statement_count(const cairn_vex *vex)
{
	return vex ? vex->n : 0;
}

int cairn_vex_suppresses(const cairn_vex_statement *statement)
{
	return statement != NULL &&
	       (strcmp(statement->status, "not_affected") == 0 || strcmp(statement->status, "fixed") == 0);
}

/* ---- purls and times ---- */

int cairn_scan_purl_base(const char *purl, cairn_buf *out)
{
	cairn_buf_clear(out);
	cairn_purl p;
	if (strncmp(purl, "pkg:", 4) != 0 || cairn_purl_parse(&p, purl) != 0) {
		/* Not a purl we can read: compared as written, without what follows '?' or '#'. */
		cairn_error_clear();
		return cairn_buf_append(out, purl, strcspn(purl, "?#"));
	}
	int err = cairn_purl_build(out, p.type, p.namespace_, p.name, p.version, NULL, 0, NULL);
	cairn_purl_clear(&p);
	return err;
}

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int number(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* RFC 3339 date-time ("2023-01-02T03:04:05Z", optional fraction, "+hh:mm" offsets) to Unix time. */
static int parse_time(const char *t, int64_t *out)
{
	size_t n = strlen(t);
	if (n < 20 || !is_digits(t, 4) || t[4] != '-' || !is_digits(t + 5, 2) || t[7] != '-' ||
	    !is_digits(t + 8, 2) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !is_digits(t + 11, 2) ||
	    t[13] != ':' || !is_digits(t + 14, 2) || t[16] != ':' || !is_digits(t + 17, 2))
		return -1;
	struct tm tm = {0};
	tm.tm_year = number(t, 4) - 1900;
	tm.tm_mon = number(t + 5, 2) - 1;
	tm.tm_mday = number(t + 8, 2);
	tm.tm_hour = number(t + 11, 2);
	tm.tm_min = number(t + 14, 2);
	tm.tm_sec = number(t + 17, 2);
	if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	const char *p = t + 19;
	if (*p == '.') {
		p++;
		size_t digits = strspn(p, "0123456789");
		if (digits == 0 || digits > 12)
			return -1;
		p += digits;
	}
	int64_t offset = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && is_digits(p + 1, 2) && p[3] == ':' &&
		   is_digits(p + 4, 2)) {
		offset = (int64_t)number(p + 1, 2) * 3600 + (int64_t)number(p + 4, 2) * 60;
		if (*p == '-')
			offset = -offset;
	} else {
		return -1;
	}
	*out = (int64_t)timegm(&tm) - offset;
	return 0;
}

/* ---- reading ---- */

struct reader {
	const char *what;
	size_t index; /* of the statement being read, for messages */
};

static int bad(const struct reader *r, const char *fmt, const char *detail)
{
	return cairn_error_set(CAIRN_EINVAL, "%s: statement %zu: %s%s", r->what, r->index, fmt, detail ? detail : "");
}

/* A bounded string member; NULL when absent. A present member that is not a string is refused. */
static int get_string(const struct reader *r, const json_t *obj, const char *key, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(r, "this member is not a string: ", key);
	if (json_string_length(v) > CAIRN_VEX_MAX_STRING)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: statement %zu: \"%s\" is longer than %d bytes", r->what,
				       r->index, key, CAIRN_VEX_MAX_STRING);
	*out = json_string_value(v);
	return 0;
}

static int push(char ***list, size_t *n, const char *value)
{
	char **grown = realloc(*list, (*n + 1) * sizeof **list);
	if (grown == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
	*list = grown;
	if ((grown[*n] = strdup(value)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
	(*n)++;
	return 0;
}

/* An ID as stored: purls in canonical base form, anything else as written. */
static int push_id(char ***list, size_t *n, const char *value)
{
	if (strncmp(value, "pkg:", 4) != 0)
		return push(list, n, value);
	cairn_buf base = CAIRN_BUF_INIT;
	int err = cairn_scan_purl_base(value, &base);
	if (!err)
		err = push(list, n, cairn_buf_cstr(&base));
	cairn_buf_free(&base);
	return err;
}

static int read_vulnerability(const struct reader *r, const json_t *v, struct vex_statement *s)
{
	const char *name = NULL, *id = NULL;
	int err;
	if (json_is_string(v)) { /* OpenVEX before v0.2.0 */
		name = json_string_value(v);
	} else if (json_is_object(v)) {
		if ((err = get_string(r, v, "name", &name)) != 0 || (err = get_string(r, v, "@id", &id)) != 0)
			return err;
		const json_t *aliases = json_object_get(v, "aliases");
		if (aliases != NULL && !json_is_array(aliases))
			return bad(r, "vulnerability \"aliases\" is not an array", NULL);
		if (json_array_size(aliases) > CAIRN_VEX_MAX_ALIASES)
			return cairn_error_set(CAIRN_ETOOBIG, "%s: statement %zu: more than %d aliases", r->what, r->index,
					       CAIRN_VEX_MAX_ALIASES);
		size_t i;
		const json_t *a;
		json_array_foreach(aliases, i, a)
		{
			if (!json_is_string(a) || json_string_length(a) == 0 || json_string_length(a) > CAIRN_VEX_MAX_STRING)
				return bad(r, "an alias is not a non-empty string", NULL);
			if ((err = push(&s->ids, &s->n_ids, json_string_value(a))) != 0)
				return err;
		}
	} else {
		return bad(r, "\"vulnerability\" is missing or not an object", NULL);
	}
	if ((name == NULL || name[0] == '\0') && (id == NULL || id[0] == '\0'))
		return bad(r, "the vulnerability has neither a name nor an @id", NULL);
	if (name != NULL && name[0] && (err = push(&s->ids, &s->n_ids, name)) != 0)
		return err;
	if (id != NULL && id[0] && (err = push(&s->ids, &s->n_ids, id)) != 0)
		return err;
	s->vulnerability = strdup(name && name[0] ? name : id);
	return s->vulnerability ? 0 : cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
}

/* A component's identity: its @id, else its purl identifier. */
static int component_id(const struct reader *r, const json_t *c, const char **out)
{
	if (json_is_string(c)) {
		*out = json_string_value(c);
	} else if (json_is_object(c)) {
		int err = get_string(r, c, "@id", out);
		if (err == 0 && *out == NULL)
			err = get_string(r, json_object_get(c, "identifiers"), "purl", out);
		if (err != 0)
			return err;
	} else {
		return bad(r, "a product or subcomponent is neither an object nor a string", NULL);
	}
	if (*out == NULL || (*out)[0] == '\0')
		return bad(r, "a product or subcomponent has no @id (or purl identifier)", NULL);
	if (strlen(*out) > CAIRN_VEX_MAX_STRING)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: statement %zu: a product ID is too long", r->what, r->index);
	return 0;
}

static int read_products(const struct reader *r, const json_t *products, struct vex_statement *s)
{
	if (!json_is_array(products) || json_array_size(products) == 0)
		return bad(r, "\"products\" is missing or empty", NULL);
	size_t count = json_array_size(products);
	if (count > CAIRN_VEX_MAX_PRODUCTS)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: statement %zu: more than %d products", r->what, r->index,
				       CAIRN_VEX_MAX_PRODUCTS);
	if ((s->products = calloc(count, sizeof *s->products)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
	size_t total = count, i;
	const json_t *p;
	json_array_foreach(products, i, p)
	{
		struct vex_product *prod = &s->products[s->n_products++];
		const char *id;
		char **one = NULL;
		size_t n_one = 0;
		int err = component_id(r, p, &id);
		if (err == 0)
			err = push_id(&one, &n_one, id);
		if (err != 0) {
			free_strings(one, n_one);
			return err;
		}
		prod->id = one[0];
		free(one);
		const json_t *subs = json_is_object(p) ? json_object_get(p, "subcomponents") : NULL;
		if (subs != NULL && !json_is_array(subs))
			return bad(r, "\"subcomponents\" is not an array", NULL);
		total += json_array_size(subs);
		if (total > CAIRN_VEX_MAX_PRODUCTS)
			return cairn_error_set(CAIRN_ETOOBIG, "%s: statement %zu: more than %d products and subcomponents",
					       r->what, r->index, CAIRN_VEX_MAX_PRODUCTS);
		size_t j;
		const json_t *sub;
		json_array_foreach(subs, j, sub)
		{
			if ((err = component_id(r, sub, &id)) != 0 || (err = push_id(&prod->subs, &prod->n_subs, id)) != 0)
				return err;
		}
	}
	return 0;
}

static int one_of(const char *value, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(value, list[i]) == 0)
			return 1;
	return 0;
}

static int dup_or_empty(char **field, const char *value)
{
	*field = strdup(value ? value : "");
	return *field ? 0 : cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
}

static int read_statement(const struct reader *r, const json_t *st, int64_t doc_time, struct vex_statement *s)
{
	if (!json_is_object(st))
		return bad(r, "not an object", NULL);
	const char *status, *justification, *impact, *timestamp;
	int err;
	if ((err = get_string(r, st, "status", &status)) != 0 ||
	    (err = get_string(r, st, "justification", &justification)) != 0 ||
	    (err = get_string(r, st, "impact_statement", &impact)) != 0 ||
	    (err = get_string(r, st, "timestamp", &timestamp)) != 0)
		return err;
	if (status == NULL || !one_of(status, STATUSES, sizeof STATUSES / sizeof STATUSES[0]))
		return bad(r, "unknown or missing status: ", status ? status : "(none)");
	if (justification != NULL &&
	    !one_of(justification, JUSTIFICATIONS, sizeof JUSTIFICATIONS / sizeof JUSTIFICATIONS[0]))
		return bad(r, "unknown justification: ", justification);
	/* The specification requires a reason for not_affected; without one it says nothing we can use. */
	if (strcmp(status, "not_affected") == 0 && justification == NULL && (impact == NULL || impact[0] == '\0'))
		return bad(r, "not_affected needs a justification or an impact_statement", NULL);
	s->pub.timestamp = doc_time;
	if (timestamp != NULL && parse_time(timestamp, &s->pub.timestamp) != 0)
		return bad(r, "the timestamp is not an RFC 3339 date-time: ", timestamp);
	if ((err = read_vulnerability(r, json_object_get(st, "vulnerability"), s)) != 0 ||
	    (err = read_products(r, json_object_get(st, "products"), s)) != 0 ||
	    (err = dup_or_empty(&s->status, status)) != 0 || (err = dup_or_empty(&s->justification, justification)) != 0 ||
	    (err = dup_or_empty(&s->impact, impact)) != 0 || (err = dup_or_empty(&s->document, r->what)) != 0)
		return err;
	return 0;
}

/* The pointers of the public view, set once the statement array no longer moves. */
static void publish(struct vex_statement *s)
{
	s->pub.vulnerability = s->vulnerability;
	s->pub.status = s->status;
	s->pub.justification = s->justification;
	s->pub.impact_statement = s->impact;
	s->pub.document = s->document;
}

static int check_context(const json_t *doc, const char *what)
{
	const char *context = json_string_value(json_object_get(doc, "@context"));
	if (context == NULL || strncmp(context, "https://openvex.dev/ns", 22) != 0 ||
	    (context[22] != '\0' && context[22] != '/'))
		return cairn_error_set(CAIRN_EINVAL, "%s is not an OpenVEX document (its @context is not https://openvex.dev/ns...)",
				       what);
	return 0;
}

int cairn_vex_read(cairn_vex *vex, const void *json, size_t len, const char *what)
{
	cairn_json_limits limits = {CAIRN_VEX_MAX_BYTES, CAIRN_VEX_MAX_DEPTH};
	json_t *doc;
	int err = cairn_json_parse(&doc, json, len, &limits, what);
	if (err != 0)
		return err;
	const json_t *statements = json_object_get(doc, "statements");
	const char *timestamp = json_string_value(json_object_get(doc, "timestamp"));
	int64_t doc_time = 0;
	size_t n = json_array_size(statements), first = vex->n;
	if (!json_is_object(doc) || (err = check_context(doc, what)) != 0) {
		err = err ? err : cairn_error_set(CAIRN_EINVAL, "%s is not an OpenVEX document (not a JSON object)", what);
		goto out;
	}
	if (!json_is_array(statements)) {
		err = cairn_error_set(CAIRN_EINVAL, "%s: \"statements\" is missing or not an array", what);
		goto out;
	}
	if (timestamp != NULL && parse_time(timestamp, &doc_time) != 0) {
		err = cairn_error_set(CAIRN_EINVAL, "%s: the document timestamp '%.64s' is not an RFC 3339 date-time", what,
				      timestamp);
		goto out;
	}
	if (n > CAIRN_VEX_MAX_STATEMENTS - vex->n) {
		err = cairn_error_set(CAIRN_ETOOBIG, "%s: more than %zu VEX statements in all", what, CAIRN_VEX_MAX_STATEMENTS);
		goto out;
	}
	if (vex->n + n > vex->cap) {
		struct vex_statement *grown = realloc(vex->items, (vex->n + n) * sizeof *grown);
		if (grown == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "vex: out of memory");
			goto out;
		}
		vex->items = grown;
		vex->cap = vex->n + n;
	}
	for (size_t i = 0; i < n && err == 0; i++) {
		struct reader r = {what, i};
		struct vex_statement *s = &vex->items[vex->n++];
		memset(s, 0, sizeof *s);
		err = read_statement(&r, json_array_get(statements, i), doc_time, s);
	}
	if (err != 0) { /* nothing of a refused document is kept */
		while (vex->n > first)
			statement_clear(&vex->items[--vex->n]);
		goto out;
	}
	for (size_t i = 0; i < vex->n; i++)
		publish(&vex->items[i]);
out:
	json_decref(doc);
	return err;
}

/* ---- matching ---- */

/* Does the comma-and-space separated list hold `id`? */
static int in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; p != NULL && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, id, n) == 0)
			return 1;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

static int names_vulnerability(const struct vex_statement *s, const char *id, const char *aliases)
{
	for (size_t i = 0; i < s->n_ids; i++)
		if (strcmp(s->ids[i], id) == 0 || in_list(aliases, s->ids[i]))
			return 1;
	return 0;
}

static int is_image(const char *id, const char *const *image_ids)
{
	for (size_t i = 0; image_ids != NULL && image_ids[i] != NULL; i++) {
		const char *img = image_ids[i];
		size_t n = strlen(img), m = strlen(id);
		if (strcmp(id, img) == 0)
			return 1;
		/* pkg:oci/name@sha256:... or name@sha256:...: the digest names the image */
		if (strncmp(img, "sha256:", 7) == 0 && m > n && id[m - n - 1] == '@' && strcmp(id + m - n, img) == 0)
			return 1;
	}
	return 0;
}

static int names_package(const struct vex_statement *s, const char *base, const char *const *image_ids)
{
	int no_image = image_ids == NULL || image_ids[0] == NULL;
	for (size_t i = 0; i < s->n_products; i++) {
		const struct vex_product *p = &s->products[i];
		if (strcmp(p->id, base) == 0)
			return 1;
		int image = is_image(p->id, image_ids);
		if (image && p->n_subs == 0)
			return 1;
		if (!image && !no_image)
			continue;
		for (size_t j = 0; j < p->n_subs; j++)
			if (strcmp(p->subs[j], base) == 0)
				return 1;
	}
	return 0;
}

const cairn_vex_statement *cairn_vex_find(const cairn_vex *vex, const char *id, const char *aliases,
					  const char *purl, const char *const *image_ids)
{
	if (vex == NULL || vex->n == 0 || id == NULL)
		return NULL;
	cairn_buf base = CAIRN_BUF_INIT;
	if (purl != NULL && cairn_scan_purl_base(purl, &base) != 0)
		cairn_error_clear();
	const char *b = cairn_buf_cstr(&base);
	const struct vex_statement *best = NULL;
	for (size_t i = 0; i < vex->n; i++) {
		const struct vex_statement *s = &vex->items[i];
		if (best != NULL && s->pub.timestamp < best->pub.timestamp)
			continue;
		if (names_vulnerability(s, id, aliases) && names_package(s, b, image_ids))
			best = s;
	}
	cairn_buf_free(&base);
	return best ? &best->pub : NULL;
}
