/* The Debian security tracker's JSON (https://security-tracker.debian.org/tracker/data/json):
 *
 *   {"<source package>": {"CVE-2024-1234": {"description": "...", "scope": "local",
 *      "releases": {"bookworm": {"status": "resolved", "fixed_version": "1.2-3+deb12u1",
 *                                "urgency": "medium", "repositories": {"bookworm": "1.2-3"}}}}}}
 *
 * Per release, matched under the ecosystem "Debian:<number>" (codenames are mapped: bookworm 12):
 *   resolved, fixed_version V    affected below V (ECOSYSTEM range introduced 0, fixed V, dpkg order)
 *   resolved, fixed_version "0"  never affected in that release: nothing recorded
 *   open                         every version affected (introduced 0, no fix yet)
 *   undetermined                 every version affected: the tracker has not ruled it out, and a
 *                                scanner must not stay silent about a possible hole
 *   not-affected                 nothing recorded
 * Any other status is refused (the file is reported as corrupt). One advisory is made per source
 * package and vulnerability ID, with one affected entry per release; its rating is the worst
 * urgency over the releases ("unimportant" is low; "not yet assigned" and "end-of-life" give none). */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <string.h>

/* The tracker's urgency words, as a severity; trailing '*' (unverified) is dropped. */
static enum cairn_severity urgency_severity(const char *urgency)
{
	char word[32];
	enum cairn_severity s = CAIRN_SEVERITY_UNKNOWN;
	if (urgency == NULL)
		return s;
	size_t n = strcspn(urgency, "*");
	if (n >= sizeof word)
		return s;
	memcpy(word, urgency, n);
	word[n] = '\0';
	if (cairn_severity_parse(word, &s) != 0) {
		cairn_error_clear();
		s = CAIRN_SEVERITY_UNKNOWN;
	}
	return s;
}

/* The matching rules one release's entry gives; *spec NULL when the release is not affected. */
static int release_spec(const char *what, const char *id, const char *release, const json_t *entry, json_t **spec)
{
	const char *status = json_string_value(json_object_get(entry, "status"));
	const char *fixed = json_string_value(json_object_get(entry, "fixed_version"));
	*spec = NULL;
	if (status == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: %s in %.40s has no status", what, id, release);
	if (strcmp(status, "resolved") == 0) {
		if (fixed == NULL || fixed[0] == '\0')
			return cairn_error_set(CAIRN_EINVAL, "%s: %s in %.40s is resolved without a fixed_version", what,
					       id, release);
		if (strcmp(fixed, "0") == 0)
			return 0;
		*spec = json_pack("{s:[{s:s,s:[{s:s},{s:s}]}]}", "ranges", "type", "ECOSYSTEM", "events", "introduced",
				  "0", "fixed", fixed);
		return 0;
	}
	if (strcmp(status, "open") == 0 || strcmp(status, "undetermined") == 0) {
		*spec = json_pack("{s:[{s:s,s:[{s:s}]}]}", "ranges", "type", "ECOSYSTEM", "events", "introduced", "0");
		return 0;
	}
	if (strcmp(status, "not-affected") == 0)
		return 0;
	return cairn_error_set(CAIRN_EINVAL, "%s: %s in %.40s has unknown status '%.40s'", what, id, release, status);
}

static int read_vulnerability(const char *what, const char *package, const char *id, const json_t *vuln,
			      vuln_emit_fn emit, void *ctx)
{
	const json_t *releases = json_object_get(vuln, "releases");
	if (!json_is_object(vuln) || (releases != NULL && !json_is_object(releases)))
		return cairn_error_set(CAIRN_EINVAL, "%s: %s of %.100s is not an object with releases", what, id, package);
	if (strlen(id) > VULN_MAX_ID)
		return cairn_error_set(CAIRN_EINVAL, "%s: ID of %.100s is too long", what, package);
	struct vuln_advisory *adv;
	int err = vuln_advisory_new(&adv);
	if (err != 0)
		return err;
	char record[VULN_MAX_NAME + VULN_MAX_ID + 8];
	snprintf(record, sizeof record, "%.*s/%s", VULN_MAX_NAME, package, id);
	if ((err = vuln_advisory_set(&adv->id, id)) != 0 || (err = vuln_advisory_set(&adv->record, record)) != 0 ||
	    (err = vuln_advisory_set(&adv->source, "debian-tracker")) != 0 ||
	    (err = vuln_advisory_set(&adv->modified, "")) != 0 ||
	    (err = vuln_advisory_set(&adv->summary, json_string_value(json_object_get(vuln, "description")))) != 0)
		goto fail;
	const char *release;
	const json_t *entry;
	json_object_foreach((json_t *)releases, release, entry)
	{
		json_t *spec;
		char ecosystem[96];
		if ((err = release_spec(what, id, release, entry, &spec)) != 0)
			goto fail;
		if (spec == NULL)
			continue;
		enum cairn_severity s = urgency_severity(json_string_value(json_object_get(entry, "urgency")));
		if (s > adv->severity)
			adv->severity = s;
		snprintf(ecosystem, sizeof ecosystem, "Debian:%.80s", release);
		if ((err = vuln_advisory_add_affected(adv, ecosystem, package, spec)) != 0)
			goto fail;
	}
	if (adv->n_affected == 0) {
		vuln_advisory_free(adv);
		return 0;
	}
	return emit(ctx, adv);
fail:
	vuln_advisory_free(adv);
	return err;
}

int vuln_debian_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx)
{
	if (!json_is_object(doc))
		return cairn_error_set(CAIRN_EINVAL, "%s: the Debian tracker's data is an object of packages", what);
	const char *package;
	const json_t *vulns;
	json_object_foreach((json_t *)doc, package, vulns)
	{
		if (!json_is_object(vulns))
			return cairn_error_set(CAIRN_EINVAL, "%s: package %.100s is not an object", what, package);
		const char *id;
		const json_t *vuln;
		json_object_foreach((json_t *)vulns, id, vuln)
		{
			int err = read_vulnerability(what, package, id, vuln, emit, ctx);
			if (err != 0)
				return err;
		}
	}
	return 0;
}
