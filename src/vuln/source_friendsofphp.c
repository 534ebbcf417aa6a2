/* FriendsOfPHP security advisories: one YAML file per vulnerability and Composer package.
 *
 *   reference: composer://vendor/package
 *   cve: CVE-2015-1234 (or ~)
 *   branches: {2.7.x: {time: ..., versions: ['>=2.7.0', '<2.7.2']}, ...}
 *
 * Each branch is one affected interval: a version is affected when every constraint of some branch
 * holds, with Composer's constraint rules (see match.c). The ID is the CVE when given, else
 * "FriendsOfPHP/<vendor>/<package>/<file name>", the file's own place in the database. */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <string.h>

/* The last three components of the file path, without the extension: vendor/package/file. */
static void path_id(const char *what, char *out, size_t size)
{
	const char *end = what + strlen(what), *start = end;
	for (int slashes = 0; start > what; start--)
		if (start[-1] == '/' && ++slashes == 3)
			break;
	const char *dot = strrchr(start, '.');
	size_t n = dot != NULL ? (size_t)(dot - start) : (size_t)(end - start);
	snprintf(out, size, "FriendsOfPHP/%.*s", (int)(n < 200 ? n : 200), start);
}

static int read_branches(const char *what, const json_t *branches, json_t *out, struct vuln_advisory *adv)
{
	const char *key;
	const json_t *branch;
	if (!json_is_object(branches) || json_object_size(branches) == 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: \"branches\" is missing or not a mapping", what);
	json_object_foreach((json_t *)branches, key, branch)
	{
		const json_t *versions = json_object_get(branch, "versions");
		const char *time = json_string_value(json_object_get(branch, "time"));
		if (!json_is_array(versions) || json_array_size(versions) == 0)
			return cairn_error_set(CAIRN_EINVAL, "%s: branch '%.60s' has no versions list", what, key);
		size_t i;
		const json_t *c;
		json_array_foreach(versions, i, c)
		{
			if (!json_is_string(c))
				return cairn_error_set(CAIRN_EINVAL, "%s: branch '%.60s' holds a non-string constraint",
						       what, key);
		}
		json_array_append(out, (json_t *)versions);
		if (time != NULL && (adv->modified == NULL || strcmp(time, adv->modified) > 0)) {
			int err = vuln_advisory_set(&adv->modified, time);
			if (err != 0)
				return err;
		}
	}
	return 0;
}

int vuln_friendsofphp_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx)
{
	const char *reference = json_string_value(json_object_get(doc, "reference"));
	const char *cve = json_string_value(json_object_get(doc, "cve"));
	const char *scheme = "composer://";
	if (reference == NULL || strncmp(reference, scheme, strlen(scheme)) != 0)
		return cairn_error_set(CAIRN_EINVAL, "%s: \"reference\" is not composer://vendor/package", what);
	const char *package = reference + strlen(scheme);
	struct vuln_advisory *adv;
	int err = vuln_advisory_new(&adv);
	if (err != 0)
		return err;
	json_t *branches = json_array();
	char id[VULN_MAX_ID + 32], record[2 * VULN_MAX_ID + 64];
	if (cve != NULL && strncmp(cve, "CVE-", 4) == 0 && strlen(cve) < VULN_MAX_ID)
		snprintf(id, sizeof id, "%s", cve);
	else
		path_id(what, id, sizeof id);
	snprintf(record, sizeof record, "%.200s/%s", package, id);
	if ((err = vuln_advisory_set(&adv->id, id)) != 0 || (err = vuln_advisory_set(&adv->record, record)) != 0 ||
	    (err = vuln_advisory_set(&adv->source, "friendsofphp")) != 0 ||
	    (err = vuln_advisory_set(&adv->summary, json_string_value(json_object_get(doc, "title")))) != 0 ||
	    (err = read_branches(what, json_object_get(doc, "branches"), branches, adv)) != 0)
		goto fail;
	if (adv->modified == NULL && (err = vuln_advisory_set(&adv->modified, "")) != 0)
		goto fail;
	json_t *spec = json_pack("{s:O}", "branches", branches);
	/* Check every constraint reads, so a broken one is reported now and not at match time. */
	int probe;
	if ((err = vuln_spec_affects("packagist", spec, "0.0.1", &probe, NULL)) != 0) {
		json_decref(spec);
		err = cairn_error_prefix(err, "%s", what);
		goto fail;
	}
	if ((err = vuln_advisory_add_affected(adv, "Packagist", package, spec)) != 0)
		goto fail;
	json_decref(branches);
	return emit(ctx, adv);
fail:
	json_decref(branches);
	vuln_advisory_free(adv);
	return err;
}
