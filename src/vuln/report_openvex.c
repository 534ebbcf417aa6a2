/* The scan report as an OpenVEX v0.2.0 document (github.com/openvex/spec): one statement per
 * finding, its product the package's purl. A finding no VEX statement decided is "affected", with
 * an action statement saying where the fix is; one a VEX statement decided keeps that statement's
 * status, justification and impact statement. Read back with --vex, such a document suppresses
 * nothing until someone changes a status to not_affected (with a reason) or fixed: that is the
 * triage workflow it is meant for. The document @id is derived from its statements, so the same
 * scan gives the same document. */
#include "cairn/digest.h"
#include "cairn/error.h"
#include "cairn/scan.h"

#include <stdlib.h>
#include <string.h>

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "0.0.0"
#endif

static json_t *statement_json(const cairn_scan_result *r, const cairn_scan_finding *f)
{
	const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
	const cairn_vuln_finding *v = &f->vuln;
	json_t *aliases = json_array();
	for (const char *a = v->aliases; *a;) {
		size_t n = strcspn(a, ",");
		json_array_append_new(aliases, json_stringn(a, n));
		a += n;
		while (*a == ',' || *a == ' ')
			a++;
	}
	json_t *vuln = json_pack("{s:s}", "name", v->id);
	if (vuln != NULL && json_array_size(aliases) > 0)
		json_object_set(vuln, "aliases", aliases);
	json_decref(aliases);
	json_t *st = json_pack("{s:o,s:[{s:s}]}", "vulnerability", vuln, "products", "@id", p->purl ? p->purl : p->name);
	if (st == NULL)
		return NULL;
	const cairn_vex_statement *vex = f->vex;
	if (vex == NULL || strcmp(vex->status, "affected") == 0) {
		json_object_set_new(st, "status", json_string("affected"));
		json_object_set_new(st, "action_statement",
				    v->fixed[0] ? json_sprintf("Update %s to %s or later.", p->name, v->fixed)
						: json_string("No fixed version is known."));
		return st;
	}
	json_object_set_new(st, "status", json_string(vex->status));
	if (vex->justification[0])
		json_object_set_new(st, "justification", json_string(vex->justification));
	if (vex->impact_statement[0])
		json_object_set_new(st, "impact_statement", json_string(vex->impact_statement));
	return st;
}

int cairn_scan_write_openvex(const cairn_scan_result *r, cairn_buf *out)
{
	int64_t when;
	int deterministic;
	char ts[32];
	int err = cairn_sbom_timestamp(&when, &deterministic);
	if (err)
		return err;
	cairn_sbom_format_time(when, ts);
	json_t *statements = json_array();
	for (size_t i = 0; i < cairn_scan_count(r); i++)
		json_array_append_new(statements, statement_json(r, cairn_scan_get(r, i)));
	char *seed = json_dumps(statements, JSON_COMPACT);
	cairn_digest d;
	cairn_buf id = CAIRN_BUF_INIT;
	err = seed && json_array_size(statements) == cairn_scan_count(r)
		      ? cairn_digest_compute(CAIRN_DIGEST_SHA256, seed, strlen(seed), &d)
		      : cairn_error_set(CAIRN_ENOMEM, "OpenVEX: out of memory");
	free(seed);
	if (!err)
		err = cairn_buf_append_str(&id, "https://openvex.dev/docs/public/cairn-scan-");
	if (!err)
		err = cairn_hex_encode(&id, d.bytes, 16);
	if (err) {
		json_decref(statements);
		cairn_buf_free(&id);
		return err;
	}
	json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:o}", "@context", "https://openvex.dev/ns/v0.2.0", "@id",
				cairn_buf_cstr(&id), "author", "cairn scan", "timestamp", ts, "version", (json_int_t)1,
				"tooling", "cairn " CAIRN_VERSION, "statements", statements);
	cairn_buf_free(&id);
	return cairn_scan_append_json(doc, out);
}
