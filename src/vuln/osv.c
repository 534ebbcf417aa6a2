/* The advisory model, and OSV records in JSON or YAML read into it.
 *
 * OSV YAML (as PyPI's and CRAN's databases write it) is first turned into the JSON tree it denotes,
 * so both spellings go through one reader. Every scalar becomes a string: versions such as 1.10 or
 * 0.1-3 must keep their text, never become numbers. */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

int vuln_advisory_new(struct vuln_advisory **out)
{
	struct vuln_advisory *adv = calloc(1, sizeof *adv);
	if (adv == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory for an advisory");
	adv->score = -1;
	*out = adv;
	return 0;
}

void vuln_advisory_free(struct vuln_advisory *adv)
{
	if (adv == NULL)
		return;
	free(adv->id);
	free(adv->source);
	free(adv->record);
	free(adv->modified);
	free(adv->summary);
	for (size_t i = 0; i < adv->n_aliases; i++)
		free(adv->aliases[i]);
	free(adv->aliases);
	for (size_t i = 0; i < adv->n_affected; i++) {
		free(adv->affected[i].ecosystem);
		free(adv->affected[i].name);
		json_decref(adv->affected[i].spec);
	}
	free(adv->affected);
	free(adv);
}

int vuln_advisory_set(char **field, const char *value)
{
	char *copy = strdup(value != NULL ? value : "");
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

int vuln_advisory_add_alias(struct vuln_advisory *adv, const char *alias)
{
	if (alias == NULL || alias[0] == '\0' || strlen(alias) > VULN_MAX_ID)
		return cairn_error_set(CAIRN_EINVAL, "advisory %s: an alias is empty or longer than %d bytes",
				       adv->id ? adv->id : "?", VULN_MAX_ID);
	if (adv->id != NULL && strcmp(adv->id, alias) == 0)
		return 0;
	for (size_t i = 0; i < adv->n_aliases; i++)
		if (strcmp(adv->aliases[i], alias) == 0)
			return 0;
	if (adv->n_aliases >= VULN_MAX_ALIASES)
		return cairn_error_set(CAIRN_ETOOBIG, "advisory %s: more than %d aliases", adv->id ? adv->id : "?",
				       VULN_MAX_ALIASES);
	char **grown = realloc(adv->aliases, (adv->n_aliases + 1) * sizeof *grown);
	if (grown == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	adv->aliases = grown;
	if ((adv->aliases[adv->n_aliases] = strdup(alias)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "out of memory");
	adv->n_aliases++;
	return 0;
}

int vuln_advisory_add_affected(struct vuln_advisory *adv, const char *ecosystem, const char *name,
			       json_t *spec)
{
	cairn_buf eco = CAIRN_BUF_INIT, norm = CAIRN_BUF_INIT;
	int err = 0;
	if (adv->n_affected >= VULN_MAX_AFFECTED) {
		err = cairn_error_set(CAIRN_ETOOBIG, "advisory %s: more than %d affected packages", adv->id,
				      VULN_MAX_AFFECTED);
		goto out;
	}
	if (name == NULL || name[0] == '\0' || strlen(name) > VULN_MAX_NAME) {
		err = cairn_error_set(CAIRN_EINVAL, "advisory %s: a package name is empty or too long", adv->id);
		goto out;
	}
	if ((err = vuln_ecosystem_normalise(ecosystem, &eco)) != 0 ||
	    (err = vuln_name_normalise(cairn_buf_cstr(&eco), name, &norm)) != 0)
		goto out;
	if (adv->n_affected == adv->cap_affected) {
		size_t cap = adv->cap_affected ? adv->cap_affected * 2 : 4;
		struct vuln_affected *grown = realloc(adv->affected, cap * sizeof *grown);
		if (grown == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
			goto out;
		}
		adv->affected = grown;
		adv->cap_affected = cap;
	}
	struct vuln_affected *a = &adv->affected[adv->n_affected];
	a->ecosystem = (char *)cairn_buf_detach(&eco, NULL);
	a->name = (char *)cairn_buf_detach(&norm, NULL);
	if (a->ecosystem == NULL || a->name == NULL) {
		free(a->ecosystem);
		free(a->name);
		err = cairn_error_set(CAIRN_ENOMEM, "out of memory");
		goto out;
	}
	a->spec = spec;
	spec = NULL;
	adv->n_affected++;
out:
	json_decref(spec);
	cairn_buf_free(&eco);
	cairn_buf_free(&norm);
	return err;
}

/* The CVSS version a severity[] entry's type names, to prefer the newest one. */
static int severity_type_rank(const char *type)
{
	if (strcmp(type, "CVSS_V4") == 0)
		return 3;
	if (strcmp(type, "CVSS_V3") == 0)
		return 2;
	if (strcmp(type, "CVSS_V2") == 0)
		return 1;
	return 0;
}

void vuln_advisory_rate(struct vuln_advisory *adv, const json_t *severity_array, const char *words)
{
	int best_rank = 0;
	size_t i;
	const json_t *entry;
	json_array_foreach(severity_array, i, entry)
	{
		const char *type = json_string_value(json_object_get(entry, "type"));
		const char *vector = json_string_value(json_object_get(entry, "score"));
		int rank = type != NULL ? severity_type_rank(type) : 0;
		double score;
		enum cairn_cvss_version version;
		if (rank <= best_rank || vector == NULL)
			continue;
		/* A vector cairn cannot score does not make the advisory unusable; it is only unrated. */
		if (cairn_cvss_score(vector, &score, &version) != 0) {
			cairn_error_clear();
			continue;
		}
		best_rank = rank;
		adv->score = score;
		adv->score_version = version;
	}
	enum cairn_severity own = CAIRN_SEVERITY_UNKNOWN;
	if (words != NULL && cairn_severity_parse(words, &own) != 0) {
		cairn_error_clear();
		own = CAIRN_SEVERITY_UNKNOWN;
	}
	if (own != CAIRN_SEVERITY_UNKNOWN)
		adv->severity = own;
	else if (adv->score >= 0)
		adv->severity = cairn_cvss_rating(adv->score, adv->score_version);
}

/* ---- OSV ---- */

static const char *const EVENT_KEYS[] = {"introduced", "fixed", "last_affected", "limit"};

/* Checks one event: an object with exactly one of the four keys, holding a non-empty string. */
static int check_event(const json_t *event, const char *what)
{
	if (!json_is_object(event) || json_object_size(event) != 1)
		return cairn_error_set(CAIRN_EINVAL, "%s: a range event is not an object with one key", what);
	for (size_t k = 0; k < sizeof EVENT_KEYS / sizeof EVENT_KEYS[0]; k++) {
		const json_t *v = json_object_get(event, EVENT_KEYS[k]);
		if (v == NULL)
			continue;
		const char *s = json_string_value(v);
		if (s == NULL || s[0] == '\0' || strlen(s) > CAIRN_VERSION_MAX)
			return cairn_error_set(CAIRN_EINVAL, "%s: range event '%s' is not a version string", what,
					       EVENT_KEYS[k]);
		return 0;
	}
	return cairn_error_set(CAIRN_EINVAL, "%s: a range event has an unknown key", what);
}

/* Copies the ECOSYSTEM and SEMVER ranges into spec["ranges"]; GIT ranges say nothing about
 * package versions and are dropped. */
static int read_ranges(const json_t *ranges, const char *what, json_t *spec)
{
	if (ranges == NULL)
		return 0;
	if (!json_is_array(ranges))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"ranges\" is not an array", what);
	json_t *kept = json_array();
	size_t i;
	const json_t *range;
	json_array_foreach(ranges, i, range)
	{
		const char *type = json_string_value(json_object_get(range, "type"));
		const json_t *events = json_object_get(range, "events");
		if (type == NULL || !json_is_array(events) || json_array_size(events) == 0 ||
		    json_array_size(events) > VULN_MAX_EVENTS) {
			json_decref(kept);
			return cairn_error_set(CAIRN_EINVAL, "%s: a range lacks a type or its events", what);
		}
		if (strcmp(type, "GIT") == 0)
			continue;
		if (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0) {
			json_decref(kept);
			return cairn_error_set(CAIRN_EINVAL, "%s: unknown range type '%.40s'", what, type);
		}
		size_t j;
		const json_t *event;
		json_array_foreach(events, j, event)
		{
			if (check_event(event, what) != 0) {
				json_decref(kept);
				return CAIRN_EINVAL;
			}
		}
		json_array_append_new(kept, json_pack("{s:s,s:O}", "type", type, "events", events));
	}
	if (json_array_size(kept) > 0)
		json_object_set_new(spec, "ranges", kept);
	else
		json_decref(kept);
	return 0;
}

static int read_versions(const json_t *versions, const char *what, json_t *spec)
{
	if (versions == NULL)
		return 0;
	if (!json_is_array(versions))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"versions\" is not an array", what);
	size_t i;
	const json_t *v;
	json_array_foreach(versions, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) > CAIRN_VERSION_MAX)
			return cairn_error_set(CAIRN_EINVAL, "%s: \"versions\" holds something other than a version",
					       what);
	}
	if (json_array_size(versions) > 0)
		json_object_set(spec, "versions", (json_t *)versions);
	return 0;
}

static int read_affected(const json_t *entry, const char *what, struct vuln_advisory *adv)
{
	if (!json_is_object(entry))
		return cairn_error_set(CAIRN_EINVAL, "%s: an \"affected\" entry is not an object", what);
	const json_t *package = json_object_get(entry, "package");
	json_t *spec = json_object();
	int err;
	if ((err = read_ranges(json_object_get(entry, "ranges"), what, spec)) != 0 ||
	    (err = read_versions(json_object_get(entry, "versions"), what, spec)) != 0) {
		json_decref(spec);
		return err;
	}
	/* Without a package (CPython's GIT-only entries) or without any version rule, nothing can
	 * match by version; the advisory is still kept. */
	if (package == NULL || json_object_size(spec) == 0) {
		json_decref(spec);
		return 0;
	}
	const char *eco = json_string_value(json_object_get(package, "ecosystem"));
	const char *name = json_string_value(json_object_get(package, "name"));
	if (eco == NULL || name == NULL) {
		json_decref(spec);
		return cairn_error_set(CAIRN_EINVAL, "%s: an affected package lacks its ecosystem or name", what);
	}
	return vuln_advisory_add_affected(adv, eco, name, spec);
}

/* The source name of an OSV record: "osv:" and the first package's ecosystem (without release),
 * or the ID's prefix when no package is named. */
static int osv_source(const json_t *doc, const char *id, struct vuln_advisory *adv)
{
	char source[96];
	const json_t *affected = json_object_get(doc, "affected");
	const char *eco = json_string_value(json_object_get(json_object_get(json_array_get(affected, 0), "package"),
							    "ecosystem"));
	if (eco != NULL) {
		size_t n = strcspn(eco, ":");
		snprintf(source, sizeof source, "osv:%.*s", (int)(n < 60 ? n : 60), eco);
	} else {
		size_t n = strcspn(id, "-");
		snprintf(source, sizeof source, "osv:%.*s", (int)(n < 60 ? n : 60), id);
	}
	return vuln_advisory_set(&adv->source, source);
}

/* The advisory's own rating in words: database_specific.severity, else the first
 * ecosystem_specific or database_specific severity of an affected package. */
static const char *own_rating(const json_t *doc)
{
	const char *words = json_string_value(json_object_get(json_object_get(doc, "database_specific"), "severity"));
	size_t i;
	const json_t *entry;
	json_array_foreach(json_object_get(doc, "affected"), i, entry)
	{
		if (words != NULL)
			break;
		words = json_string_value(json_object_get(json_object_get(entry, "ecosystem_specific"), "severity"));
		if (words == NULL)
			words = json_string_value(
				json_object_get(json_object_get(entry, "database_specific"), "severity"));
	}
	return words;
}

int vuln_osv_from_json(const json_t *doc, const char *what, struct vuln_advisory **out)
{
	if (!json_is_object(doc))
		return cairn_error_set(CAIRN_EINVAL, "%s: an OSV record must be an object", what);
	const char *id = json_string_value(json_object_get(doc, "id"));
	const char *modified = json_string_value(json_object_get(doc, "modified"));
	if (id == NULL || id[0] == '\0' || strlen(id) > VULN_MAX_ID)
		return cairn_error_set(CAIRN_EINVAL, "%s: missing or invalid \"id\"", what);
	if (modified == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: missing \"modified\" (required by the OSV schema)", what);
	const json_t *aliases = json_object_get(doc, "aliases");
	const json_t *affected = json_object_get(doc, "affected");
	const json_t *withdrawn = json_object_get(doc, "withdrawn");
	if ((aliases != NULL && !json_is_array(aliases) && !json_is_null(aliases)) ||
	    (affected != NULL && !json_is_array(affected) && !json_is_null(affected)))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"aliases\" or \"affected\" is not an array", what);
	/* The newest date the record carries: Go's database writes a zero "modified" and the real
	 * date in "published". */
	const char *published = json_string_value(json_object_get(doc, "published"));
	if (published != NULL && strcmp(published, modified) > 0)
		modified = published;
	struct vuln_advisory *adv = NULL;
	int err = vuln_advisory_new(&adv);
	if (err != 0)
		return err;
	if ((err = vuln_advisory_set(&adv->id, id)) != 0 || (err = vuln_advisory_set(&adv->record, id)) != 0 ||
	    (err = vuln_advisory_set(&adv->modified, modified)) != 0 ||
	    (err = vuln_advisory_set(&adv->summary, json_string_value(json_object_get(doc, "summary")))) != 0 ||
	    (err = osv_source(doc, id, adv)) != 0)
		goto fail;
	adv->withdrawn = withdrawn != NULL && !json_is_null(withdrawn);
	size_t i;
	const json_t *entry;
	json_array_foreach(aliases, i, entry)
	{
		if (!json_is_string(entry)) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: an alias is not a string", what);
			goto fail;
		}
		if ((err = vuln_advisory_add_alias(adv, json_string_value(entry))) != 0)
			goto fail;
	}
	json_array_foreach(affected, i, entry)
	{
		if ((err = read_affected(entry, what, adv)) != 0)
			goto fail;
	}
	const json_t *severity = json_object_get(doc, "severity");
	vuln_advisory_rate(adv, json_is_array(severity) ? severity : NULL, own_rating(doc));
	*out = adv;
	return 0;
fail:
	vuln_advisory_free(adv);
	return err;
}

/* ---- YAML to JSON ---- */

struct yaml_frame {
	json_t *node;
	char *key; /* a mapping's pending key */
};

static int is_plain_null(const yaml_event_t *ev)
{
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = (const char *)ev->data.scalar.value;
	return strcmp(s, "") == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

/* Puts value into the container on top of the stack (or makes it the root). Takes the reference. */
static int yaml_place(struct yaml_frame *stack, size_t depth, json_t **root, json_t *value, const char *what,
		      int value_is_scalar, const char *scalar)
{
	if (depth == 0) {
		*root = value;
		return 0;
	}
	struct yaml_frame *top = &stack[depth - 1];
	if (json_is_array(top->node)) {
		json_array_append_new(top->node, value);
		return 0;
	}
	if (top->key == NULL) {
		if (!value_is_scalar) {
			json_decref(value);
			return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: a YAML mapping key is not a scalar", what);
		}
		json_decref(value);
		top->key = strdup(scalar);
		return top->key == NULL ? cairn_error_set(CAIRN_ENOMEM, "out of memory") : 0;
	}
	if (json_object_get(top->node, top->key) != NULL) {
		json_decref(value);
		return cairn_error_set(CAIRN_EINVAL, "%s: duplicate YAML key '%.80s'", what, top->key);
	}
	json_object_set_new(top->node, top->key, value);
	free(top->key);
	top->key = NULL;
	return 0;
}

int vuln_yaml_parse(const void *text, size_t len, const char *what, json_t **out)
{
	if (len > VULN_MAX_FILE)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: YAML document over %zu bytes", what, VULN_MAX_FILE);
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return cairn_error_set(CAIRN_ENOMEM, "out of memory for the YAML parser");
	yaml_parser_set_input_string(&parser, text, len);
	struct yaml_frame stack[VULN_MAX_DEPTH];
	size_t depth = 0;
	json_t *root = NULL;
	int err = 0, documents = 0, done = 0;
	while (!done && err == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: YAML line %zu: %s", what, parser.problem_mark.line + 1,
					      parser.problem ? parser.problem : "syntax error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1)
				err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: more than one YAML document", what);
			break;
		case YAML_ALIAS_EVENT:
			err = cairn_error_set(CAIRN_EUNSUPPORTED, "%s: YAML aliases are not accepted in advisories", what);
			break;
		case YAML_SCALAR_EVENT: {
			const char *s = (const char *)ev.data.scalar.value;
			json_t *v = is_plain_null(&ev) ? json_null() : json_stringn(s, ev.data.scalar.length);
			if (v == NULL)
				err = cairn_error_set(CAIRN_EINVAL, "%s: a YAML scalar is not valid UTF-8 or holds NUL", what);
			else
				err = yaml_place(stack, depth, &root, v, what, 1, s);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= VULN_MAX_DEPTH) {
				err = cairn_error_set(CAIRN_ETOOBIG, "%s: YAML nested deeper than %d", what, VULN_MAX_DEPTH);
				break;
			}
			stack[depth].node = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			stack[depth].key = NULL;
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			json_t *node = stack[--depth].node;
			free(stack[depth].key);
			err = yaml_place(stack, depth, &root, node, what, 0, NULL);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (depth > 0) {
		depth--;
		json_decref(stack[depth].node);
		free(stack[depth].key);
	}
	yaml_parser_delete(&parser);
	if (err == 0 && root == NULL)
		err = cairn_error_set(CAIRN_EINVAL, "%s: empty YAML document", what);
	if (err != 0) {
		json_decref(root);
		return err;
	}
	*out = root;
	return 0;
}
