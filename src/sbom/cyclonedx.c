/* CycloneDX JSON (1.6 by default, 1.5 on request): the BOM, its metadata (timestamp, tool, the
 * component the BOM describes), one component per package (and one operating-system component for
 * the distro), and the dependency graph. cairn-specific facts go into properties under "cairn:". */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#ifndef CAIRN_VERSION
#define CAIRN_VERSION "0.0.0"
#endif

static void add_property(json_t *props, const char *name, const char *value)
{
	if (value != NULL && value[0] != '\0')
		json_array_append_new(props, json_pack("{ssss}", "name", name, "value", value));
}

/* A license entry is simple when it is a single listed id or a single LicenseRef. */
static int simple_license(const char *expr) { return strchr(expr, ' ') == NULL && strchr(expr, '(') == NULL && strchr(expr, '+') == NULL; }

static const char *ref_text(const cairn_sbom *sbom, const char *id)
{
	for (size_t i = 0; i < cairn_sbom_license_ref_count(sbom); i++) {
		const cairn_sbom_license_ref *r = cairn_sbom_license_ref_at(sbom, i);
		if (strcmp(r->id, id) == 0)
			return r->text;
	}
	return id;
}

json_t *sbom_cdx_licenses(const cairn_sbom *sbom, const cairn_sbom_package *p);
json_t *sbom_cdx_licenses(const cairn_sbom *sbom, const cairn_sbom_package *p)
{
	if (p->license_count == 0)
		return NULL;
	int all_simple = 1;
	for (size_t i = 0; i < p->license_count; i++)
		all_simple &= simple_license(p->licenses[i]);
	json_t *list = json_array();
	if (all_simple) {
		for (size_t i = 0; i < p->license_count; i++) {
			const char *l = p->licenses[i];
			json_t *lic = strncmp(l, "LicenseRef-", 11) == 0 ? json_pack("{ss}", "name", ref_text(sbom, l))
									  : json_pack("{ss}", "id", l);
			json_array_append_new(list, json_pack("{so}", "license", lic));
		}
		return list;
	}
	cairn_buf expr = CAIRN_BUF_INIT;
	for (size_t i = 0; i < p->license_count; i++) {
		if (i > 0)
			cairn_buf_append_str(&expr, " AND ");
		cairn_buf_append_str(&expr, p->licenses[i]);
	}
	json_array_append_new(list, json_pack("{ss}", "expression", cairn_buf_cstr(&expr)));
	cairn_buf_free(&expr);
	return list;
}

static json_t *component(const cairn_sbom *sbom, const cairn_sbom_package *p)
{
	json_t *c = json_pack("{ssssssssss?}", "bom-ref", p->id, "type", "library", "name", p->name, "version", p->version,
			      "purl", p->purl);
	if (c == NULL)
		return NULL;
	if (p->supplier != NULL)
		json_object_set_new(c, "supplier", json_pack("{ss}", "name", p->supplier));
	json_t *licenses = sbom_cdx_licenses(sbom, p);
	if (licenses != NULL)
		json_object_set_new(c, "licenses", licenses);
	if (p->cpe_count > 0)
		json_object_set_new(c, "cpe", json_string(p->cpes[0]));
	json_t *props = json_array();
	add_property(props, "cairn:package:type", p->type);
	add_property(props, "cairn:package:arch", p->arch);
	for (size_t i = 1; i < p->cpe_count; i++)
		add_property(props, "cairn:cpe", p->cpes[i]);
	for (size_t i = 0; i < p->location_count; i++) {
		add_property(props, "cairn:location:layer", p->locations[i].layer);
		add_property(props, "cairn:location:path", p->locations[i].path);
	}
	if (p->source_name != NULL) {
		cairn_buf src = CAIRN_BUF_INIT;
		if (p->source_version != NULL)
			cairn_buf_printf(&src, "%s@%s", p->source_name, p->source_version);
		else
			cairn_buf_append_str(&src, p->source_name);
		add_property(props, "cairn:source-package", cairn_buf_cstr(&src));
		cairn_buf_free(&src);
	}
	char count[32];
	snprintf(count, sizeof count, "%zu", p->file_count);
	if (p->file_count > 0)
		add_property(props, "cairn:file-count", count);
	json_object_set_new(c, "properties", props);
	return c;
}

static json_t *metadata(const cairn_sbom *sbom, int64_t when)
{
	const cairn_sbom_source *s = cairn_sbom_source_of(sbom);
	char ts[32];
	cairn_sbom_format_time(when, ts);
	json_t *tool = json_pack("{ssssss}", "type", "application", "name", "cairn", "version", CAIRN_VERSION);
	json_t *subject = json_pack("{ssssss}", "bom-ref", "cairn:source", "type",
				    s->kind && strcmp(s->kind, "directory") == 0 ? "file" : "container", "name",
				    s->name ? s->name : "unknown");
	if (s->manifest_digest != NULL)
		json_object_set_new(subject, "version", json_string(s->manifest_digest));
	json_t *props = json_array();
	add_property(props, "cairn:source:kind", s->kind);
	add_property(props, "cairn:source:manifest-digest", s->manifest_digest);
	add_property(props, "cairn:source:config-digest", s->config_digest);
	add_property(props, "cairn:source:platform", s->platform);
	json_object_set_new(subject, "properties", props);
	return json_pack("{sss{s[o]}so}", "timestamp", ts, "tools", "components", tool, "component", subject);
}

static json_t *os_component(const cairn_sbom *sbom)
{
	const cairn_sbom_source *s = cairn_sbom_source_of(sbom);
	if (s->distro_id == NULL)
		return NULL;
	cairn_buf ref = CAIRN_BUF_INIT;
	cairn_buf_printf(&ref, "cairn:os:%s@%s", s->distro_id, s->distro_version ? s->distro_version : "");
	json_t *c = json_pack("{ssssssss?}", "bom-ref", cairn_buf_cstr(&ref), "type", "operating-system", "name", s->distro_id,
			      "version", s->distro_version);
	cairn_buf_free(&ref);
	if (c != NULL && s->distro_name != NULL)
		json_object_set_new(c, "description", json_string(s->distro_name));
	return c;
}

static json_t *dependencies(const cairn_sbom *sbom)
{
	json_t *deps = json_array();
	size_t n = cairn_sbom_package_count(sbom), r = 0, rels = cairn_sbom_relationship_count(sbom);
	/* relationships are sorted by from, so each package's list is one run */
	for (size_t i = 0; i < n; i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		json_t *on = json_array();
		for (; r < rels && cairn_sbom_relationship_at(sbom, r)->from <= i; r++) {
			const cairn_sbom_relationship *rel = cairn_sbom_relationship_at(sbom, r);
			if (rel->from == i && rel->type == CAIRN_SBOM_REL_DEPENDS_ON)
				json_array_append_new(on, json_string(cairn_sbom_package_at(sbom, rel->to)->id));
		}
		json_array_append_new(deps, json_pack("{ssso}", "ref", p->id, "dependsOn", on));
	}
	return deps;
}

int cairn_sbom_write_cyclonedx(cairn_sbom *sbom, int spec_minor, cairn_buf *out)
{
	if (spec_minor != 5 && spec_minor != 6)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "CycloneDX 1.%d: cairn writes 1.5 and 1.6", spec_minor);
	int err = cairn_sbom_finish(sbom);
	int64_t when;
	int deterministic;
	if (!err)
		err = cairn_sbom_timestamp(&when, &deterministic);
	if (err)
		return err;
	char schema[64], version[8];
	snprintf(schema, sizeof schema, "http://cyclonedx.org/schema/bom-1.%d.schema.json", spec_minor);
	snprintf(version, sizeof version, "1.%d", spec_minor);
	json_t *components = json_array();
	json_t *os = os_component(sbom);
	if (os != NULL)
		json_array_append_new(components, os);
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		json_array_append_new(components, component(sbom, cairn_sbom_package_at(sbom, i)));
	json_t *bom = json_pack("{sssssssssisososo}", "$schema", schema, "bomFormat", "CycloneDX", "specVersion", version,
				"serialNumber", "", "version", 1, "metadata", metadata(sbom, when), "components", components,
				"dependencies", dependencies(sbom));
	if (bom == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "CycloneDX: out of memory");
	/* The serial number: random, or with SOURCE_DATE_EPOCH derived from everything else in the BOM. */
	char uuid[37], serial[48];
	char *seed = deterministic ? json_dumps(bom, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	err = (deterministic && seed == NULL) ? cairn_error_set(CAIRN_ENOMEM, "CycloneDX: out of memory")
					      : sbom_uuid(seed, seed ? strlen(seed) : 0, uuid);
	free(seed);
	if (!err) {
		snprintf(serial, sizeof serial, "urn:uuid:%s", uuid);
		json_object_set_new(bom, "serialNumber", json_string(serial));
		err = cairn_json_dump(bom, JSON_INDENT(2) | JSON_PRESERVE_ORDER, out);
		if (!err)
			err = cairn_buf_append_byte(out, '\n');
	}
	json_decref(bom);
	return err;
}
