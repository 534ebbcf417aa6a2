/* The scan report as SARIF 2.1.0 (OASIS, docs.oasis-open.org/sarif/sarif/v2.1.0), shaped the way
 * GitHub code scanning reads it: one rule per vulnerability ID carrying
 * properties."security-severity" (the CVSS score as a string, which GitHub turns into its own
 * critical/high/medium/low), one result per (package, ID) whose level comes from the severity, and
 * the package's location in the image (or the SBOM file scanned) as the artifact. Findings VEX
 * suppressed stay in the log with a "suppressions" entry, as SARIF intends, so viewers hide them
 * but the record is kept. */
#include "cairn/error.h"
#include "cairn/scan.h"

#include <stdio.h>
#include <string.h>

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "0.0.0"
#endif

static const char *level(enum cairn_severity s)
{
	if (s >= CAIRN_SEVERITY_HIGH)
		return "error";
	if (s == CAIRN_SEVERITY_MEDIUM)
		return "warning";
	return "note";
}

/* GitHub needs a number for every rule to rank it; an advisory without a CVSS score gets the middle
 * of its rating's band. */
static int security_severity(const cairn_vuln_finding *v, char out[16])
{
	static const double band[] = {[CAIRN_SEVERITY_LOW] = 2.0, [CAIRN_SEVERITY_MEDIUM] = 5.5,
				      [CAIRN_SEVERITY_HIGH] = 8.0, [CAIRN_SEVERITY_CRITICAL] = 9.5};
	double score = v->score;
	if (score < 0 && v->severity >= CAIRN_SEVERITY_LOW)
		score = band[v->severity];
	if (score < 0)
		return 0;
	snprintf(out, 16, "%.1f", score);
	return 1;
}

/* A relative URI reference for a path: the leading '/' dropped (code scanning wants paths relative
 * to the checkout) and anything outside RFC 3986's unreserved characters and '/' percent-encoded. */
static int path_uri(const char *path, cairn_buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	while (*path == '/')
		path++;
	int err = 0;
	for (const unsigned char *p = (const unsigned char *)path; *p && !err; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			err = cairn_buf_append_byte(out, *p);
		else
			err = cairn_buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
	return err;
}

static json_t *rule_json(const cairn_scan_finding *f)
{
	const cairn_vuln_finding *v = &f->vuln;
	char sev[16];
	json_t *props = json_pack("{s:[s,s,s]}", "tags", "security", "vulnerability", cairn_severity_name(v->severity));
	if (props != NULL && security_severity(v, sev))
		json_object_set_new(props, "security-severity", json_string(sev));
	cairn_buf help = CAIRN_BUF_INIT;
	cairn_buf_printf(&help, "%s%s%s\nSeverity: %s.%s%s", v->id, v->summary[0] ? ": " : "", v->summary,
			 cairn_severity_name(v->severity), v->aliases[0] ? " Also known as " : "", v->aliases);
	json_t *rule = json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s},s:o}", "id", v->id, "name", v->id, "shortDescription",
				 "text", v->summary[0] ? v->summary : v->id, "fullDescription", "text", cairn_buf_cstr(&help),
				 "help", "text", cairn_buf_cstr(&help), "properties", props);
	cairn_buf_free(&help);
	return rule;
}

static json_t *location_json(const cairn_scan_result *r, const cairn_sbom_package *p)
{
	const char *path = p->location_count > 0 && p->locations[0].path ? p->locations[0].path : cairn_scan_sbom_file(r);
	if (path == NULL)
		path = cairn_sbom_source_of(cairn_scan_sbom(r))->name;
	cairn_buf uri = CAIRN_BUF_INIT;
	if (path == NULL || path_uri(path, &uri) != 0 || uri.len == 0)
		cairn_buf_append_str(&uri, "sbom");
	json_t *loc = json_pack("{s:{s:{s:s}},s:[{s:s,s:s}]}", "physicalLocation", "artifactLocation", "uri",
				cairn_buf_cstr(&uri), "logicalLocations", "name", p->purl ? p->purl : p->name, "kind",
				"package");
	cairn_buf_free(&uri);
	return loc;
}

static json_t *result_json(const cairn_scan_result *r, const cairn_scan_finding *f, size_t rule_index)
{
	const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
	const cairn_vuln_finding *v = &f->vuln;
	cairn_buf msg = CAIRN_BUF_INIT;
	cairn_buf_printf(&msg, "%s %s is affected by %s (%s)", p->name, p->version, v->id, cairn_severity_name(v->severity));
	if (v->fixed[0])
		cairn_buf_printf(&msg, "; fixed in %s", v->fixed);
	json_t *res = json_pack("{s:s,s:I,s:s,s:{s:s},s:[o],s:{s:s,s:s,s:s,s:s}}", "ruleId", v->id, "ruleIndex",
				(json_int_t)rule_index, "level", level(v->severity), "message", "text", cairn_buf_cstr(&msg),
				"locations", location_json(r, p), "properties", "package", p->name, "installedVersion",
				p->version, "fixedVersion", v->fixed, "purl", p->purl ? p->purl : "");
	cairn_buf_free(&msg);
	if (res != NULL && f->suppressed) {
		const char *why = f->vex->justification[0] ? f->vex->justification : f->vex->impact_statement;
		cairn_buf j = CAIRN_BUF_INIT;
		cairn_buf_printf(&j, "VEX %s: %s (%s)", f->vex->status, why[0] ? why : "no reason given", f->vex->document);
		json_object_set_new(res, "suppressions", json_pack("[{s:s,s:s,s:s}]", "kind", "external", "status", "accepted",
								  "justification", cairn_buf_cstr(&j)));
		cairn_buf_free(&j);
	}
	return res;
}

int cairn_scan_write_sarif(const cairn_scan_result *r, cairn_buf *out)
{
	json_t *rules = json_array(), *results = json_array(), *index_of = json_object();
	size_t n = cairn_scan_count(r);
	/* Rules in the order their IDs first appear among the (sorted) findings; index_of maps an ID to
	 * its rule's index, so each finding finds its rule in one lookup. */
	for (size_t i = 0; i < n; i++) {
		const cairn_scan_finding *f = cairn_scan_get(r, i);
		json_t *known = json_object_get(index_of, f->vuln.id);
		size_t index = known ? (size_t)json_integer_value(known) : json_array_size(rules);
		if (known == NULL) {
			json_object_set_new(index_of, f->vuln.id, json_integer((json_int_t)index));
			json_array_append_new(rules, rule_json(f));
		}
		json_array_append_new(results, result_json(r, f, index));
	}
	size_t n_rules = json_object_size(index_of);
	json_decref(index_of);
	if (json_array_size(rules) != n_rules || json_array_size(results) != n) {
		json_decref(rules);
		json_decref(results);
		return cairn_error_set(CAIRN_ENOMEM, "SARIF: out of memory");
	}
	json_t *run = json_pack("{s:{s:{s:s,s:s,s:o}},s:o}", "tool", "driver", "name", "cairn", "version",
				CAIRN_VERSION, "rules", rules,
				"results", results);
	return cairn_scan_append_json(json_pack("{s:s,s:s,s:[o]}", "$schema",
						"https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
						"runs", run),
				      out);
}
