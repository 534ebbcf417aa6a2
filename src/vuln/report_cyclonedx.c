/* The scan report as a CycloneDX 1.6 BOM (cyclonedx.org/docs/1.6/json): the SBOM's components as
 * cairn_sbom_write_cyclonedx writes them, plus a "vulnerabilities" array with one entry per
 * (package, vulnerability) - id, source, ratings, the affected component's bom-ref - and, for the
 * findings a VEX statement decided, an "analysis" in CycloneDX's own vocabulary (VEX in CycloneDX). */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/scan.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rating_method(enum cairn_cvss_version v)
{
	switch (v) {
	case CAIRN_CVSS_V2_0: return "CVSSv2";
	case CAIRN_CVSS_V3_0: return "CVSSv3";
	case CAIRN_CVSS_V3_1: return "CVSSv31";
	case CAIRN_CVSS_V4_0: return "CVSSv4";
	}
	return "other";
}

/* OpenVEX statuses and justifications in CycloneDX's analysis terms. */
static const char *analysis_state(const char *status)
{
	if (strcmp(status, "not_affected") == 0)
		return "not_affected";
	if (strcmp(status, "fixed") == 0)
		return "resolved";
	if (strcmp(status, "affected") == 0)
		return "exploitable";
	return "in_triage";
}

static const char *analysis_justification(const char *j)
{
	static const struct {
		const char *openvex, *cyclonedx;
	} map[] = {
		{"component_not_present", "code_not_present"},
		{"vulnerable_code_not_present", "code_not_present"},
		{"vulnerable_code_not_in_execute_path", "code_not_reachable"},
		{"vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment"},
		{"inline_mitigations_already_exist", "protected_by_mitigating_control"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(j, map[i].openvex) == 0)
			return map[i].cyclonedx;
	return NULL;
}

static json_t *ratings_json(const cairn_vuln_finding *v)
{
	json_t *rating = json_pack("{s:s}", "severity", v->severity == CAIRN_SEVERITY_NONE ? "none"
							  : cairn_severity_name(v->severity));
	if (rating != NULL && v->score >= 0) {
		json_object_set_new(rating, "score", json_real(v->score));
		json_object_set_new(rating, "method", json_string(rating_method(v->score_version)));
	}
	return json_pack("[o]", rating);
}

static json_t *analysis_json(const cairn_vex_statement *s)
{
	json_t *a = json_pack("{s:s}", "state", analysis_state(s->status));
	const char *j = s->justification[0] ? analysis_justification(s->justification) : NULL;
	if (a != NULL && j != NULL)
		json_object_set_new(a, "justification", json_string(j));
	cairn_buf detail = CAIRN_BUF_INIT;
	cairn_buf_printf(&detail, "OpenVEX %s%s%s%s%s (%s)", s->status, s->justification[0] ? ": " : "", s->justification,
			 s->impact_statement[0] ? "; " : "", s->impact_statement, s->document);
	if (a != NULL)
		json_object_set_new(a, "detail", json_string(cairn_buf_cstr(&detail)));
	cairn_buf_free(&detail);
	return a;
}

static json_t *vulnerability_json(const cairn_scan_result *r, const cairn_scan_finding *f, size_t index)
{
	const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
	const cairn_vuln_finding *v = &f->vuln;
	char ref[48];
	snprintf(ref, sizeof ref, "vulnerability-%zu", index + 1);
	json_t *refs = json_array();
	for (const char *a = v->aliases; *a;) {
		size_t n = strcspn(a, ",");
		json_array_append_new(refs, json_pack("{s:s%,s:{s:s}}", "id", a, n, "source", "name", v->source));
		a += n;
		while (*a == ',' || *a == ' ')
			a++;
	}
	json_t *vuln = json_pack("{s:s,s:s,s:{s:s},s:o,s:[{s:s,s:[{s:s,s:s}]}]}", "bom-ref", ref, "id", v->id, "source",
				 "name", v->source, "ratings", ratings_json(v), "affects", "ref", p->id, "versions",
				 "version", p->version, "status", "affected");
	if (vuln == NULL) {
		json_decref(refs);
		return NULL;
	}
	if (json_array_size(refs) > 0)
		json_object_set_new(vuln, "references", refs);
	else
		json_decref(refs);
	if (v->summary[0])
		json_object_set_new(vuln, "description", json_string(v->summary));
	if (v->fixed[0])
		json_object_set_new(vuln, "recommendation", json_sprintf("Upgrade %s to %s or later.", p->name, v->fixed));
	if (f->vex != NULL)
		json_object_set_new(vuln, "analysis", analysis_json(f->vex));
	return vuln;
}

/* A new serial number for the new BOM: random, or derived from its content with SOURCE_DATE_EPOCH. */
static int serial_number(json_t *bom, int deterministic)
{
	uint8_t b[16];
	if (deterministic) {
		char *text = json_dumps(bom, JSON_COMPACT | JSON_SORT_KEYS);
		cairn_digest d;
		int err = text ? cairn_digest_compute(CAIRN_DIGEST_SHA256, text, strlen(text), &d)
			       : cairn_error_set(CAIRN_ENOMEM, "CycloneDX: out of memory");
		free(text);
		if (err)
			return err;
		memcpy(b, d.bytes, sizeof b);
	} else if (RAND_bytes(b, sizeof b) != 1) {
		return cairn_error_set_openssl(CAIRN_EINTERNAL, "CycloneDX: no random bytes for a serial number");
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	char serial[48];
	snprintf(serial, sizeof serial, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return json_object_set_new(bom, "serialNumber", json_string(serial)) == 0
		       ? 0
		       : cairn_error_set(CAIRN_ENOMEM, "CycloneDX: out of memory");
}

int cairn_scan_write_cyclonedx(const cairn_scan_result *r, cairn_buf *out)
{
	cairn_buf sbom_text = CAIRN_BUF_INIT;
	int64_t when;
	int deterministic;
	int err = cairn_sbom_timestamp(&when, &deterministic);
	if (!err)
		err = cairn_sbom_write_cyclonedx(cairn_scan_sbom(r), 6, &sbom_text);
	if (err) {
		cairn_buf_free(&sbom_text);
		return err;
	}
	json_t *bom;
	err = cairn_json_parse(&bom, sbom_text.data, sbom_text.len, NULL, "the scanned SBOM");
	cairn_buf_free(&sbom_text);
	if (err)
		return err;
	json_t *vulns = json_array();
	for (size_t i = 0; i < cairn_scan_count(r); i++)
		json_array_append_new(vulns, vulnerability_json(r, cairn_scan_get(r, i), i));
	if (json_array_size(vulns) != cairn_scan_count(r) || json_object_set_new(bom, "vulnerabilities", vulns) != 0) {
		json_decref(bom);
		return cairn_error_set(CAIRN_ENOMEM, "CycloneDX: out of memory");
	}
	json_object_set_new(bom, "serialNumber", json_string(""));
	if ((err = serial_number(bom, deterministic)) != 0) {
		json_decref(bom);
		return err;
	}
	return cairn_scan_append_json(bom, out);
}
