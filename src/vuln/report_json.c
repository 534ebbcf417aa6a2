/* The scan report as cairn's own JSON shape (docs/scan.md documents it field by field), and the
 * format names every report shares. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/scan.h"

#include <stdlib.h>
#include <string.h>

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "0.0.0"
#endif

int cairn_scan_append_json(json_t *doc, cairn_buf *out)
{
	if (doc == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "scan report: out of memory");
	/* Scores have one decimal; jansson's default 17 digits would print 9.8 as 9.8000000000000007. */
	int err = cairn_json_dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4), out);
	json_decref(doc);
	if (!err)
		err = cairn_buf_append_byte(out, '\n');
	return err;
}

static json_t *string_or_null(const char *s)
{
	return s != NULL && s[0] ? json_string(s) : json_null();
}

/* "a, b, c" as a JSON array. */
static json_t *alias_array(const char *aliases)
{
	json_t *list = json_array();
	for (const char *p = aliases; p != NULL && *p;) {
		size_t n = strcspn(p, ",");
		json_array_append_new(list, json_stringn(p, n));
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return list;
}

static json_t *package_json(const cairn_sbom_package *p)
{
	json_t *locations = json_array();
	for (size_t i = 0; i < p->location_count; i++)
		json_array_append_new(locations, json_pack("{s:s?,s:s?}", "layer", p->locations[i].layer, "path",
							   p->locations[i].path));
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "name", p->name, "version", p->version, "type", p->type, "purl",
			 string_or_null(p->purl), "bom_ref", string_or_null(p->id), "locations", locations);
}

static json_t *suppression_json(const cairn_scan_finding *f)
{
	if (!f->suppressed)
		return json_null();
	return json_pack("{s:s,s:o,s:o,s:s}", "status", f->vex->status, "justification",
			 string_or_null(f->vex->justification), "impact_statement", string_or_null(f->vex->impact_statement),
			 "document", f->vex->document);
}

static json_t *finding_json(const cairn_scan_result *r, const cairn_scan_finding *f)
{
	const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
	const cairn_vuln_finding *v = &f->vuln;
	json_t *score = v->score >= 0 ? json_real(v->score) : json_null();
	json_t *cvss = v->score >= 0 ? json_string(cairn_cvss_version_name(v->score_version)) : json_null();
	return json_pack("{s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:{s:s,s:s,s:s},s:o}", "id", v->id, "aliases",
			 alias_array(v->aliases), "summary", v->summary, "severity", cairn_severity_name(v->severity),
			 "score", score, "cvss_version", cvss, "fixed_version", string_or_null(v->fixed), "source",
			 v->source, "package", package_json(p), "match", "ecosystem", f->ecosystem, "name", f->name,
			 "version", f->version, "suppressed", suppression_json(f));
}

static json_t *source_json(const cairn_scan_result *r)
{
	const cairn_sbom_source *s = cairn_sbom_source_of(cairn_scan_sbom(r));
	json_t *distro = s->distro_id ? json_pack("{s:s,s:o,s:o}", "id", s->distro_id, "version",
						  string_or_null(s->distro_version), "codename",
						  string_or_null(s->distro_codename))
				      : json_null();
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "name", string_or_null(s->name), "kind", string_or_null(s->kind),
			 "manifest_digest", string_or_null(s->manifest_digest), "sbom_file",
			 string_or_null(cairn_scan_sbom_file(r)), "distro", distro);
}

static json_t *summary_json(const cairn_scan_result *r)
{
	size_t counts[CAIRN_SEVERITY_CRITICAL + 1] = {0}, suppressed = 0;
	for (size_t i = 0; i < cairn_scan_count(r); i++) {
		const cairn_scan_finding *f = cairn_scan_get(r, i);
		if (f->suppressed)
			suppressed++;
		else
			counts[f->vuln.severity]++;
	}
	json_t *by = json_object();
	for (int s = CAIRN_SEVERITY_CRITICAL; s >= CAIRN_SEVERITY_UNKNOWN; s--)
		json_object_set_new(by, cairn_severity_name((enum cairn_severity)s), json_integer((json_int_t)counts[s]));
	return json_pack("{s:I,s:I,s:I,s:I,s:o}", "packages", (json_int_t)cairn_sbom_package_count(cairn_scan_sbom(r)),
			 "packages_matched", (json_int_t)cairn_scan_packages_matched(r), "findings",
			 (json_int_t)(cairn_scan_count(r) - suppressed), "suppressed", (json_int_t)suppressed, "by_severity",
			 by);
}

int cairn_scan_write_json(const cairn_scan_result *r, cairn_buf *out)
{
	int64_t when;
	int deterministic;
	char ts[32];
	int err = cairn_sbom_timestamp(&when, &deterministic);
	if (err)
		return err;
	cairn_sbom_format_time(when, ts);
	json_t *findings = json_array(), *warnings = json_array();
	for (size_t i = 0; i < cairn_scan_count(r); i++)
		json_array_append_new(findings, finding_json(r, cairn_scan_get(r, i)));
	for (size_t i = 0; i < cairn_scan_warning_count(r); i++)
		json_array_append_new(warnings, json_string(cairn_scan_warning(r, i)));
	return cairn_scan_append_json(json_pack("{s:s,s:{s:s,s:s},s:s,s:o,s:o,s:o,s:o}", "schema", "cairn-scan/1",
						"tool", "name", "cairn", "version", CAIRN_VERSION, "timestamp", ts,
						"source", source_json(r), "summary", summary_json(r), "findings",
						findings, "warnings", warnings),
				      out);
}

int cairn_scan_format_parse(const char *name, enum cairn_scan_format *out)
{
	static const struct {
		const char *name;
		enum cairn_scan_format format;
	} formats[] = {
		{"table", CAIRN_SCAN_TABLE},         {"json", CAIRN_SCAN_JSON},
		{"sarif", CAIRN_SCAN_SARIF},         {"cyclonedx", CAIRN_SCAN_CYCLONEDX},
		{"cyclonedx-json", CAIRN_SCAN_CYCLONEDX}, {"openvex", CAIRN_SCAN_OPENVEX},
	};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	return cairn_error_set(CAIRN_EINVAL, "unknown scan format '%.40s' (table, json, sarif, cyclonedx, openvex)", name);
}

int cairn_scan_write(const cairn_scan_result *r, enum cairn_scan_format format, cairn_buf *out)
{
	switch (format) {
	case CAIRN_SCAN_TABLE: return cairn_scan_write_table(r, out);
	case CAIRN_SCAN_JSON: return cairn_scan_write_json(r, out);
	case CAIRN_SCAN_SARIF: return cairn_scan_write_sarif(r, out);
	case CAIRN_SCAN_CYCLONEDX: return cairn_scan_write_cyclonedx(r, out);
	case CAIRN_SCAN_OPENVEX: return cairn_scan_write_openvex(r, out);
	}
	return cairn_error_set(CAIRN_EINVAL, "unknown scan format %d", (int)format);
}
