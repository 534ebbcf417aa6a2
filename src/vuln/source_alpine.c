/* Alpine secdb: one YAML (or JSON) document per release and repository.
 *
 *   distroversion: v3.10
 *   packages:
 *     - pkg: {name: ansible, secfixes: {2.8.4-r0: [CVE-2019-10206, "CVE-2017-8904 XSA-214"], "0": [...]}}
 *
 * A vulnerability listed under version V is fixed in V on that release: every version below V is
 * affected (an ECOSYSTEM range introduced 0, fixed V, ecosystem "Alpine:v3.10"). One advisory is
 * made per package and vulnerability. A line naming several IDs ("CVE-2017-8904 XSA-214") is one
 * vulnerability: the first ID, the others its aliases. Listed under "0" means the release was never
 * affected: nothing is recorded. An ID listed under several fixed versions of one package gets all
 * of them as fixed events of one range, so the lowest fix decides (as OSV's algorithm evaluates it). */
#include "cairn/error.h"
#include "vuln/vuln_internal.h"

#include <stdlib.h>
#include <string.h>

/* Splits a secfixes line into its IDs: the first into id, the rest appended to aliases. */
static int split_ids(const char *line, char *id, size_t size, json_t *aliases)
{
	id[0] = '\0';
	for (const char *p = line; *p;) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (n >= size)
			return -1;
		if (id[0] == '\0') {
			memcpy(id, p, n);
			id[n] = '\0';
		} else {
			json_array_append_new(aliases, json_stringn(p, n));
		}
		p += n;
	}
	return id[0] ? 0 : -1;
}

/* Adds fixed version `fixed` of `id` to the per-package map by_id: id -> {aliases, fixed[]}. */
static int note_fix(json_t *by_id, const char *what, const char *line, const char *fixed)
{
	char id[VULN_MAX_ID + 1];
	json_t *aliases = json_array();
	if (split_ids(line, id, sizeof id, aliases) != 0) {
		json_decref(aliases);
		return cairn_error_set(CAIRN_EINVAL, "%s: secfixes entry '%.80s' is not a list of IDs", what, line);
	}
	json_t *entry = json_object_get(by_id, id);
	if (entry == NULL) {
		entry = json_pack("{s:o,s:[]}", "aliases", aliases, "fixed");
		json_object_set_new(by_id, id, entry);
	} else {
		json_array_extend(json_object_get(entry, "aliases"), aliases);
		json_decref(aliases);
	}
	if (strcmp(fixed, "0") != 0)
		json_array_append_new(json_object_get(entry, "fixed"), json_string(fixed));
	return 0;
}

static int emit_package(const char *what, const char *release, const char *name, json_t *by_id, vuln_emit_fn emit,
			void *ctx)
{
	const char *id;
	json_t *entry;
	char ecosystem[128], record[VULN_MAX_NAME + VULN_MAX_ID + 160];
	snprintf(ecosystem, sizeof ecosystem, "Alpine:%.100s", release);
	json_object_foreach(by_id, id, entry)
	{
		json_t *fixed = json_object_get(entry, "fixed");
		if (json_array_size(fixed) == 0)
			continue; /* only listed under "0": never affected */
		struct vuln_advisory *adv;
		int err = vuln_advisory_new(&adv);
		if (err != 0)
			return err;
		snprintf(record, sizeof record, "%s/%s/%s", ecosystem, name, id);
		json_t *events = json_pack("[{s:s}]", "introduced", "0");
		size_t i;
		json_t *v;
		json_array_foreach(fixed, i, v)
			json_array_append_new(events, json_pack("{s:O}", "fixed", v));
		json_t *spec = json_pack("{s:[{s:s,s:o}]}", "ranges", "type", "ECOSYSTEM", "events", events);
		if ((err = vuln_advisory_set(&adv->id, id)) != 0 || (err = vuln_advisory_set(&adv->record, record)) != 0 ||
		    (err = vuln_advisory_set(&adv->source, "alpine-secdb")) != 0 ||
		    (err = vuln_advisory_set(&adv->modified, "")) != 0) {
			json_decref(spec);
			vuln_advisory_free(adv);
			return err;
		}
		json_array_foreach(json_object_get(entry, "aliases"), i, v)
			if (err == 0)
				err = vuln_advisory_add_alias(adv, json_string_value(v));
		if (err == 0)
			err = vuln_advisory_add_affected(adv, ecosystem, name, spec);
		else
			json_decref(spec);
		if (err != 0) {
			vuln_advisory_free(adv);
			return cairn_error_prefix(err, "%s", what);
		}
		if ((err = emit(ctx, adv)) != 0)
			return err;
	}
	return 0;
}

static int read_package(const char *what, const char *release, const json_t *item, vuln_emit_fn emit, void *ctx)
{
	const json_t *pkg = json_object_get(item, "pkg");
	const char *name = json_string_value(json_object_get(pkg, "name"));
	const json_t *secfixes = json_object_get(pkg, "secfixes");
	if (name == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: a package entry has no pkg.name", what);
	if (secfixes == NULL || json_is_null(secfixes))
		return 0;
	if (!json_is_object(secfixes))
		return cairn_error_set(CAIRN_EINVAL, "%s: secfixes of %.100s is not a mapping", what, name);
	json_t *by_id = json_object();
	const char *fixed;
	const json_t *ids;
	int err = 0;
	json_object_foreach((json_t *)secfixes, fixed, ids)
	{
		if (json_is_null(ids))
			continue;
		if (!json_is_array(ids) || strlen(fixed) > CAIRN_VERSION_MAX) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: secfixes %.100s of %.100s is not a list", what, fixed,
					      name);
			break;
		}
		size_t i;
		const json_t *line;
		json_array_foreach(ids, i, line)
		{
			if (!json_is_string(line)) {
				err = cairn_error_set(CAIRN_EINVAL, "%s: secfixes of %.100s holds a non-string", what, name);
				break;
			}
			if ((err = note_fix(by_id, what, json_string_value(line), fixed)) != 0)
				break;
		}
		if (err != 0)
			break;
	}
	if (err == 0)
		err = emit_package(what, release, name, by_id, emit, ctx);
	json_decref(by_id);
	return err;
}

int vuln_alpine_read(const char *what, const json_t *doc, vuln_emit_fn emit, void *ctx)
{
	const char *release = json_string_value(json_object_get(doc, "distroversion"));
	const json_t *packages = json_object_get(doc, "packages");
	if (json_is_null(packages))
		packages = NULL; /* "packages:" with nothing under it: a release without fixes */
	if (release == NULL || release[0] == '\0' || strchr(release, ':') != NULL ||
	    (packages != NULL && !json_is_array(packages)))
		return cairn_error_set(CAIRN_EINVAL, "%s: Alpine secdb lacks distroversion or packages", what);
	size_t i;
	const json_t *item;
	json_array_foreach(packages, i, item)
	{
		int err = read_package(what, release, item, emit, ctx);
		if (err != 0)
			return err;
	}
	return 0;
}
