/* RubySec advisories (ruby-advisory-db): one YAML file per vulnerability and gem.
 *
 * gems/<gem>/<ID>.yml names a gem; rubies/<engine>/<ID>.yml an interpreter (matched under the
 * ecosystem "Ruby" with the engine as the package name). patched_versions and unaffected_versions
 * are lists of Gem::Requirement strings ("~> 1.2.3, >= 1.2.3.1" is one requirement of two
 * comparators). A version is affected when it satisfies none of them, as bundler-audit decides.
 *
 * The ID is "CVE-<cve>" when a CVE is given, else "GHSA-<ghsa>", else "OSVDB-<osvdb>"; the others
 * become aliases. Scores come from cvss_v4, cvss_v3 or cvss_v2 (numbers; the newest version wins). */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <stdlib.h>
#include <string.h>

/* "2023-1234" or "CVE-2023-1234" as "CVE-2023-1234" in out. */
static void prefixed(const char *prefix, const char *value, char *out, size_t size)
{
	size_t n = strlen(prefix);
	if (strncmp(value, prefix, n) == 0)
		snprintf(out, size, "%s", value);
	else
		snprintf(out, size, "%s%s", prefix, value);
}

static int read_ids(const char *what, const json_t *doc, struct vuln_advisory *adv)
{
	static const char *const FIELDS[][2] = {{"cve", "CVE-"}, {"ghsa", "GHSA-"}, {"osvdb", "OSVDB-"}};
	char id[VULN_MAX_ID + 16];
	int err = 0;
	for (size_t i = 0; i < 3 && err == 0; i++) {
		const char *value = json_string_value(json_object_get(doc, FIELDS[i][0]));
		if (value == NULL || value[0] == '\0' || strlen(value) > VULN_MAX_ID - 8)
			continue;
		prefixed(FIELDS[i][1], value, id, sizeof id);
		if (adv->id == NULL)
			err = vuln_advisory_set(&adv->id, id);
		else
			err = vuln_advisory_add_alias(adv, id);
	}
	if (err == 0 && adv->id == NULL) {
		/* No identifier at all: the file's name, which is what the database calls it. */
		const char *base = strrchr(what, '/');
		base = base ? base + 1 : what;
		size_t n = strcspn(base, ".");
		snprintf(id, sizeof id, "RUBYSEC-%.*s", (int)(n < 200 ? n : 200), base);
		err = vuln_advisory_set(&adv->id, id);
	}
	return err;
}

static int read_requirements(const char *what, const json_t *list, const char *field, json_t *safe)
{
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return cairn_error_set(CAIRN_EINVAL, "%s: %s is not a list", what, field);
	size_t i;
	const json_t *entry;
	json_array_foreach(list, i, entry)
	{
		const char *req = json_string_value(entry);
		int probe;
		if (req == NULL)
			return cairn_error_set(CAIRN_EINVAL, "%s: %s holds a non-string", what, field);
		if (vuln_gem_req_matches(req, "0", &probe) != 0)
			return cairn_error_prefix(CAIRN_EINVAL, "%s: %s", what, field);
		json_array_append(safe, (json_t *)entry);
	}
	return 0;
}

/* The newest CVSS score given (cvss_v4, then v3, then v2), as the rating's source. */
static void read_score(const json_t *doc, struct vuln_advisory *adv)
{
	static const struct {
		const char *field;
		enum cairn_cvss_version version;
	} SCORES[] = {{"cvss_v4", CAIRN_CVSS_V4_0}, {"cvss_v3", CAIRN_CVSS_V3_1}, {"cvss_v2", CAIRN_CVSS_V2_0}};
	for (size_t i = 0; i < 3; i++) {
		const char *text = json_string_value(json_object_get(doc, SCORES[i].field));
		char *end;
		if (text == NULL || text[0] == '\0')
			continue;
		double score = strtod(text, &end);
		if (*end != '\0' || !(score >= 0 && score <= 10))
			continue;
		adv->score = score;
		adv->score_version = SCORES[i].version;
		adv->severity = cairn_cvss_rating(score, SCORES[i].version);
		return;
	}
}

int vuln_rubysec_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx)
{
	const char *gem = json_string_value(json_object_get(doc, "gem"));
	const char *engine = json_string_value(json_object_get(doc, "engine"));
	const char *name = gem != NULL ? gem : engine;
	if (name == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: RubySec advisory names neither a gem nor an engine", what);
	struct vuln_advisory *adv;
	int err = vuln_advisory_new(&adv);
	if (err != 0)
		return err;
	json_t *safe = json_array();
	char record[2 * VULN_MAX_ID + 16];
	if ((err = read_ids(what, doc, adv)) != 0 || (err = vuln_advisory_set(&adv->source, "rubysec")) != 0 ||
	    (err = vuln_advisory_set(&adv->modified, json_string_value(json_object_get(doc, "date")))) != 0 ||
	    (err = vuln_advisory_set(&adv->summary, json_string_value(json_object_get(doc, "title")))) != 0)
		goto fail;
	snprintf(record, sizeof record, "%s/%.200s/%s", gem ? "gem" : "engine", name, adv->id);
	if ((err = vuln_advisory_set(&adv->record, record)) != 0 ||
	    (err = read_requirements(what, json_object_get(doc, "patched_versions"), "patched_versions", safe)) != 0 ||
	    (err = read_requirements(what, json_object_get(doc, "unaffected_versions"), "unaffected_versions",
				     safe)) != 0)
		goto fail;
	read_score(doc, adv);
	json_t *spec = json_pack("{s:{s:s,s:O}}", "reqs", "scheme", "gem", "safe", safe);
	if ((err = vuln_advisory_add_affected(adv, gem ? "RubyGems" : "Ruby", name, spec)) != 0)
		goto fail;
	json_decref(safe);
	return emit(ctx, adv);
fail:
	json_decref(safe);
	vuln_advisory_free(adv);
	return err;
}
