/* SPDX 2.3 JSON: the document, a package for what it describes (image or directory), one for the
 * operating system, one per package with its purl and licenses, the LicenseRefs' texts, and the
 * DESCRIBES / CONTAINS / DEPENDS_ON relationships. SPDX IDs are stable: built from the package's
 * type, name and the hash in its cairn ID. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "0.0.0"
#endif

/* SPDX IDs and namespaces allow letters, digits, '.' and '-'. */
static void append_sanitized(cairn_buf *out, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
		cairn_buf_append_byte(out, (uint8_t)(ok ? c : '-'));
	}
}

static char *spdx_id(const cairn_sbom_package *p)
{
	cairn_buf id = CAIRN_BUF_INIT;
	cairn_buf_append_str(&id, "SPDXRef-Package-");
	append_sanitized(&id, p->type, 32);
	cairn_buf_append_byte(&id, '-');
	append_sanitized(&id, p->name, 128);
	const char *hash = strstr(p->id, "package-id=");
	cairn_buf_append_byte(&id, '-');
	append_sanitized(&id, hash ? hash + 11 : p->id, 40);
	return (char *)cairn_buf_detach(&id, NULL);
}

static json_t *package_json(const cairn_sbom_package *p, const char *id)
{
	json_t *j = json_pack("{sssssssssbssss}", "SPDXID", id, "name", p->name, "versionInfo", p->version,
			      "downloadLocation", "NOASSERTION", "filesAnalyzed", 0, "licenseConcluded", "NOASSERTION",
			      "copyrightText", "NOASSERTION");
	if (j == NULL)
		return NULL;
	cairn_buf text = CAIRN_BUF_INIT;
	for (size_t i = 0; i < p->license_count; i++) {
		if (i > 0)
			cairn_buf_append_str(&text, " AND ");
		cairn_buf_append_str(&text, p->licenses[i]);
	}
	json_object_set_new(j, "licenseDeclared", json_string(text.len ? cairn_buf_cstr(&text) : "NOASSERTION"));
	cairn_buf_clear(&text);
	if (p->supplier != NULL)
		cairn_buf_printf(&text, "Organization: %s", p->supplier);
	json_object_set_new(j, "supplier", json_string(text.len ? cairn_buf_cstr(&text) : "NOASSERTION"));
	cairn_buf_clear(&text);
	if (p->source_name != NULL) {
		cairn_buf_printf(&text, "built from source package %s", p->source_name);
		if (p->source_version != NULL)
			cairn_buf_printf(&text, " %s", p->source_version);
		json_object_set_new(j, "sourceInfo", json_string(cairn_buf_cstr(&text)));
	}
	cairn_buf_free(&text);
	json_t *refs = json_array();
	if (p->purl != NULL)
		json_array_append_new(refs, json_pack("{ssssss}", "referenceCategory", "PACKAGE-MANAGER", "referenceType", "purl",
						      "referenceLocator", p->purl));
	for (size_t i = 0; i < p->cpe_count; i++)
		json_array_append_new(refs, json_pack("{ssssss}", "referenceCategory", "SECURITY", "referenceType", "cpe23Type",
						      "referenceLocator", p->cpes[i]));
	json_object_set_new(j, "externalRefs", refs);
	if (p->location_count > 0 && p->locations[0].path != NULL) {
		cairn_buf c = CAIRN_BUF_INIT;
		cairn_buf_printf(&c, "found in %s", p->locations[0].path);
		if (p->locations[0].layer != NULL)
			cairn_buf_printf(&c, " (layer %s)", p->locations[0].layer);
		json_object_set_new(j, "comment", json_string(cairn_buf_cstr(&c)));
		cairn_buf_free(&c);
	}
	return j;
}

static json_t *relationship(const char *from, const char *type, const char *to)
{
	return json_pack("{ssssss}", "spdxElementId", from, "relationshipType", type, "relatedSpdxElement", to);
}

int cairn_sbom_write_spdx(cairn_sbom *sbom, cairn_buf *out)
{
	int err = cairn_sbom_finish(sbom);
	int64_t when;
	int deterministic;
	if (!err)
		err = cairn_sbom_timestamp(&when, &deterministic);
	if (err)
		return err;
	const cairn_sbom_source *s = cairn_sbom_source_of(sbom);
	const char *name = s->name ? s->name : "unknown";
	char ts[32];
	cairn_sbom_format_time(when, ts);
	size_t n = cairn_sbom_package_count(sbom);
	char **ids = calloc(n ? n : 1, sizeof *ids);
	if (ids == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "SPDX: out of memory");
	json_t *packages = json_array(), *rels = json_array();
	static const char root_id[] = "SPDXRef-Source";
	json_t *root = json_pack("{sssssssbssssss}", "SPDXID", root_id, "name", name, "downloadLocation", "NOASSERTION",
				 "filesAnalyzed", 0, "licenseConcluded", "NOASSERTION", "licenseDeclared", "NOASSERTION",
				 "copyrightText", "NOASSERTION");
	json_object_set_new(root, "primaryPackagePurpose", json_string(s->kind && strcmp(s->kind, "image") == 0 ? "CONTAINER" : "SOURCE"));
	if (s->manifest_digest != NULL)
		json_object_set_new(root, "versionInfo", json_string(s->manifest_digest));
	json_array_append_new(packages, root);
	json_array_append_new(rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", root_id));
	if (s->distro_id != NULL) {
		json_t *os = json_pack("{sssssssbssssss}", "SPDXID", "SPDXRef-OperatingSystem", "name", s->distro_id,
				       "downloadLocation", "NOASSERTION", "filesAnalyzed", 0, "licenseConcluded", "NOASSERTION",
				       "licenseDeclared", "NOASSERTION", "copyrightText", "NOASSERTION");
		if (s->distro_version != NULL)
			json_object_set_new(os, "versionInfo", json_string(s->distro_version));
		json_object_set_new(os, "primaryPackagePurpose", json_string("OPERATING_SYSTEM"));
		json_array_append_new(packages, os);
		json_array_append_new(rels, relationship(root_id, "CONTAINS", "SPDXRef-OperatingSystem"));
	}
	for (size_t i = 0; i < n && !err; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		ids[i] = spdx_id(p);
		if (ids[i] == NULL) {
			err = cairn_error_set(CAIRN_ENOMEM, "SPDX: out of memory");
			break;
		}
		json_array_append_new(packages, package_json(p, ids[i]));
		json_array_append_new(rels, relationship(root_id, "CONTAINS", ids[i]));
	}
	for (size_t i = 0; !err && i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		json_array_append_new(rels, relationship(ids[r->from], r->type == CAIRN_SBOM_REL_DEPENDS_ON ? "DEPENDS_ON" : "CONTAINS",
							 ids[r->to]));
	}
	json_t *extracted = json_array();
	for (size_t i = 0; i < cairn_sbom_license_ref_count(sbom); i++) {
		const cairn_sbom_license_ref *r = cairn_sbom_license_ref_at(sbom, i);
		json_array_append_new(extracted, json_pack("{ssssss}", "licenseId", r->id, "extractedText", r->text, "name", r->text));
	}
	cairn_buf ns = CAIRN_BUF_INIT;
	json_t *doc = NULL;
	if (!err) {
		doc = json_pack("{sssssssssss{sss[s]}soso so}", "spdxVersion", "SPDX-2.3", "dataLicense", "CC0-1.0", "SPDXID",
				"SPDXRef-DOCUMENT", "name", name, "documentNamespace", "", "creationInfo", "created", ts, "creators",
				"Tool: cairn-" CAIRN_VERSION, "packages", packages, "relationships", rels,
				"hasExtractedLicensingInfos", extracted);
		packages = rels = extracted = NULL;
		if (doc == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "SPDX: out of memory");
	}
	if (!err) {
		/* a unique namespace per document; with SOURCE_DATE_EPOCH derived from the content */
		char uuid[37];
		char *seed = deterministic ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		err = (deterministic && seed == NULL) ? cairn_error_set(CAIRN_ENOMEM, "SPDX: out of memory")
						      : sbom_uuid(seed, seed ? strlen(seed) : 0, uuid);
		free(seed);
		cairn_buf_append_str(&ns, "https://spdx.org/spdxdocs/cairn-");
		append_sanitized(&ns, name, 100);
		cairn_buf_printf(&ns, "-%s", uuid);
	}
	if (!err) {
		json_object_set_new(doc, "documentNamespace", json_string(cairn_buf_cstr(&ns)));
		err = cairn_json_dump(doc, JSON_INDENT(2), out);
		if (!err)
			err = cairn_buf_append_byte(out, '\n');
	}
	cairn_buf_free(&ns);
	json_decref(doc);
	json_decref(packages);
	json_decref(rels);
	json_decref(extracted);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return err;
}
