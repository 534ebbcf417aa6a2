/* Reading SBOMs other tools wrote: the format is told by its own marker ("bomFormat": "CycloneDX", or
 * "spdxVersion": "SPDX-2.x"), and this file reads CycloneDX 1.4-1.6 JSON (cyclonedx.org/docs/1.6/json).
 *
 * Each component (nested ones too) becomes a package: its purl, parsed back into type, namespace, name,
 * version and the arch / epoch qualifiers, gives the package's identity (the purl itself is kept as
 * written); without a purl the package is "generic". Licenses ({license: {id}}, {license: {name}},
 * {expression}) go through the same SPDX normalisation as catalogers use. The operating-system
 * component describes the distro; metadata.component the source. The dependency graph comes from
 * "dependencies" (ref -> dependsOn), references resolved through bom-ref. cairn's own properties
 * (cairn:location:*, cairn:package:*, cairn:source-package) are read back, so a cairn SBOM survives a
 * round trip. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

#define READ_MAX_BYTES ((size_t)256 * 1024 * 1024)
#define READ_MAX_DEPTH ((size_t)64)
#define CDX_MAX_NESTING 16 /* components inside components */

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Replaces each LicenseRef-X in a finished expression by the id the model gives X's text, so refs
 * from another document are registered (their texts, when the document has them, else X). */
/* Length of expr without one pair of parentheses around all of it ("(A OR B)" -> "A OR B"), which the
 * model adds itself to an OR it stores, so a round trip does not pile them up. */
static size_t unwrap(const char **expr)
{
	const char *s = *expr;
	size_t len = strlen(s);
	if (len < 2 || s[0] != '(' || s[len - 1] != ')')
		return len;
	int depth = 0;
	for (size_t i = 0; i < len; i++) {
		depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
		if (depth == 0 && i < len - 1)
			return len; /* "(A) OR (B)": the first parenthesis closes early */
	}
	(*expr)++;
	return len - 2;
}

/* The model keeps a package's licenses as a list that is ANDed: "A AND (B OR C)" is two of them. */
static int add_unwrapped(cairn_sbom *sbom, cairn_sbom_package *p, const char *expr)
{
	const char *s = expr;
	size_t len = unwrap(&s);
	char *copy = strndup(s, len);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	int depth = 0, err = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len && !err; i++) {
		if (i < len && (copy[i] == '(' || copy[i] == ')'))
			depth += copy[i] == '(' ? 1 : -1;
		if (i == len || (depth == 0 && strncmp(copy + i, " AND ", 5) == 0)) {
			char *part = strndup(copy + start, i - start);
			const char *ps = part;
			size_t pl = part ? unwrap(&ps) : 0;
			char *inner = part ? strndup(ps, pl) : NULL;
			err = inner ? cairn_sbom_add_license(sbom, p, inner, 0) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			free(part);
			free(inner);
			start = i + 5;
			i += 4;
		}
	}
	free(copy);
	return err;
}

int sbom_read_license(cairn_sbom *sbom, cairn_sbom_package *p, const char *expr, json_t *texts)
{
	if (strstr(expr, "LicenseRef-") == NULL)
		return add_unwrapped(sbom, p, expr);
	cairn_buf out = CAIRN_BUF_INIT;
	int err = 0;
	const char *s = expr;
	while (!err && *s) {
		const char *ref = strstr(s, "LicenseRef-");
		if (ref == NULL) {
			err = cairn_buf_append_str(&out, s);
			break;
		}
		/* "DocumentRef-x:LicenseRef-y" names another document's license: kept as the plain ref */
		const char *copy_end = ref;
		const char *colon_start = ref;
		while (colon_start > s && colon_start[-1] != ' ' && colon_start[-1] != '(')
			colon_start--;
		if (colon_start < ref)
			copy_end = colon_start;
		err = cairn_buf_append(&out, s, (size_t)(copy_end - s));
		const char *e = ref + 11;
		while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '.' || *e == '-')
			e++;
		char *id = strndup(ref, (size_t)(e - ref));
		if (!err && id == NULL)
			err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
		const char *text = NULL;
		if (!err && json_is_object(texts))
			text = json_string_value(json_object_get(texts, id));
		if (!err && text == NULL)
			text = id + 11; /* no text known: the ref's own name */
		if (!err && text[0] == '\0')
			text = "unknown";
		if (!err)
			err = sbom_license_ref(sbom, text, strlen(text), &out);
		free(id);
		s = e;
	}
	if (!err && out.len > 0) {
		/* single refs go straight in; compound expressions are checked by the normal path */
		if (strchr(cairn_buf_cstr(&out), ' ') == NULL)
			err = sbom_package_add_expression(p, cairn_buf_cstr(&out));
		else
			err = add_unwrapped(sbom, p, cairn_buf_cstr(&out));
	}
	cairn_buf_free(&out);
	return err;
}

/* Fills type, namespace, arch and epoch from a purl, keeping the purl as written. */
int sbom_read_purl(cairn_sbom *sbom, cairn_sbom_package *p, const char *purl, const char *what)
{
	cairn_purl parsed;
	if (cairn_purl_parse(&parsed, purl) != 0) {
		cairn_sbom_warn(sbom, "%s: package %s: %s; its purl is left out", what, p->name, cairn_error_message());
		cairn_error_clear();
		return 0;
	}
	int err = cairn_sbom_set(&p->type, parsed.type);
	if (!err)
		err = cairn_sbom_set(&p->namespace_, parsed.namespace_);
	if (!err && cairn_purl_qualifier_get(&parsed, "arch"))
		err = cairn_sbom_set(&p->arch, cairn_purl_qualifier_get(&parsed, "arch"));
	if (!err && cairn_purl_qualifier_get(&parsed, "epoch"))
		err = cairn_sbom_set(&p->epoch, cairn_purl_qualifier_get(&parsed, "epoch"));
	if (!err && cairn_purl_qualifier_get(&parsed, "upstream") && p->source_name == NULL)
		err = cairn_sbom_set(&p->source_name, cairn_purl_qualifier_get(&parsed, "upstream"));
	if (!err)
		err = cairn_sbom_set(&p->purl, purl);
	cairn_purl_clear(&parsed);
	return err;
}

struct cdx {
	cairn_sbom *sbom;
	const char *what;
	sbom_name_index *refs; /* bom-ref -> package */
};

static int cdx_licenses(struct cdx *c, cairn_sbom_package *p, json_t *list)
{
	size_t i;
	json_t *item;
	int err = 0;
	if (!json_is_array(list))
		return 0;
	json_array_foreach(list, i, item)
	{
		if (err || i >= 64)
			break;
		const char *expr = str(item, "expression");
		json_t *lic = json_object_get(item, "license");
		const char *id = str(lic, "id"), *name = str(lic, "name");
		if ((expr != NULL) == (lic != NULL) || (lic != NULL && id == NULL && name == NULL)) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: component %s: a license entry needs exactly one of \"expression\" "
					      "and \"license\" (with an \"id\" or a \"name\")", c->what, p->name);
			break;
		}
		if (expr != NULL && expr[0])
			err = sbom_read_license(c->sbom, p, expr, NULL);
		else if (id != NULL && id[0])
			err = cairn_sbom_add_license(c->sbom, p, id, 0);
		else if (name != NULL && name[0]) /* free text: a listed id stays an id, the rest a LicenseRef */
			err = cairn_sbom_add_license(c->sbom, p, name, 0);
	}
	return err;
}

static int cdx_properties(struct cdx *c, cairn_sbom_package *p, json_t *props)
{
	size_t i;
	json_t *item;
	int err = 0;
	const char *layer = NULL;
	if (!json_is_array(props))
		return 0;
	json_array_foreach(props, i, item)
	{
		const char *name = str(item, "name"), *value = str(item, "value");
		if (!err && name == NULL)
			err = cairn_error_set(CAIRN_EINVAL, "%s: component %s: a property without a \"name\"", c->what, p->name);
		if (err || value == NULL)
			continue;
		if (strcmp(name, "cairn:package:arch") == 0 && p->arch == NULL)
			err = cairn_sbom_set(&p->arch, value);
		else if (strcmp(name, "cairn:location:layer") == 0)
			layer = value;
		else if (strcmp(name, "cairn:location:path") == 0) {
			err = cairn_sbom_add_location(p, layer, value);
			layer = NULL;
		} else if (strcmp(name, "cairn:cpe") == 0)
			err = cairn_sbom_add_cpe(p, value);
		else if (strcmp(name, "cairn:source-package") == 0) {
			const char *at = strchr(value, '@');
			char *src = at ? strndup(value, (size_t)(at - value)) : strdup(value);
			err = src ? cairn_sbom_set(&p->source_name, src) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
			if (!err && at)
				err = cairn_sbom_set(&p->source_version, at + 1);
			free(src);
		}
	}
	return err;
}

static int cdx_os(struct cdx *c, json_t *comp)
{
	cairn_sbom_source *s = cairn_sbom_get_source(c->sbom);
	const char *name = str(comp, "name"), *version = str(comp, "version"), *desc = str(comp, "description");
	int err = 0;
	if (name && s->distro_id == NULL)
		err = cairn_sbom_set(&s->distro_id, name);
	if (!err && version && version[0] && s->distro_version == NULL)
		err = cairn_sbom_set(&s->distro_version, version);
	if (!err && desc && s->distro_name == NULL)
		err = cairn_sbom_set(&s->distro_name, desc);
	return err;
}

static int cdx_component(struct cdx *c, json_t *comp, size_t nesting);

/* The component types of CycloneDX 1.4 to 1.6. */
static int known_type(const char *type)
{
	static const char *const types[] = {"application", "framework", "library", "container", "platform",
					    "operating-system", "device", "device-driver", "firmware", "file",
					    "machine-learning-model", "data", "cryptographic-asset"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

static int cdx_components(struct cdx *c, json_t *list, size_t nesting)
{
	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"components\" is not an array", c->what);
	if (nesting > CDX_MAX_NESTING)
		return cairn_error_set(CAIRN_ETOOBIG, "%s: components nested more than %d deep", c->what, CDX_MAX_NESTING);
	size_t i;
	json_t *comp;
	int err = 0;
	json_array_foreach(list, i, comp)
	{
		if (err)
			break;
		err = cdx_component(c, comp, nesting);
	}
	return err;
}

static int cdx_component(struct cdx *c, json_t *comp, size_t nesting)
{
	if (!json_is_object(comp))
		return cairn_error_set(CAIRN_EINVAL, "%s: a component is not an object", c->what);
	const char *type = str(comp, "type"), *name = str(comp, "name"), *version = str(comp, "version");
	const char *purl = str(comp, "purl"), *ref = str(comp, "bom-ref");
	if (type == NULL || name == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: a component without \"type\" and \"name\"", c->what);
	if (!known_type(type))
		return cairn_error_set(CAIRN_EINVAL, "%s: component %s: type '%s' is not a CycloneDX component type", c->what, name, type);
	size_t seen;
	if (ref != NULL && (ref[0] == '\0' || sbom_name_index_find(c->refs, ref, strlen(ref), &seen) == 0))
		return cairn_error_set(CAIRN_EINVAL, "%s: component %s: bom-ref '%s' is empty or not unique", c->what, name, ref);
	int err = 0;
	if (strcmp(type, "operating-system") == 0) {
		err = cdx_os(c, comp);
	} else if (name[0] == '\0') {
		cairn_sbom_warn(c->sbom, "%s: a component with an empty name; left out", c->what);
	} else {
		size_t index;
		err = cairn_sbom_add_package(c->sbom, "generic", name, version ? version : "", &index);
		cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(c->sbom, index);
		if (!err)
			err = cdx_properties(c, p, json_object_get(comp, "properties"));
		if (!err && str(comp, "group") != NULL && str(comp, "group")[0] != '\0') /* a Maven group, an npm scope */
			err = cairn_sbom_set(&p->namespace_, str(comp, "group"));
		if (!err && purl != NULL)
			err = sbom_read_purl(c->sbom, p, purl, c->what);
		if (!err)
			err = cdx_licenses(c, p, json_object_get(comp, "licenses"));
		json_t *supplier = json_object_get(comp, "supplier");
		if (!err && str(supplier, "name") != NULL)
			err = cairn_sbom_set(&p->supplier, str(supplier, "name"));
		if (!err && str(comp, "cpe") != NULL)
			err = cairn_sbom_add_cpe(p, str(comp, "cpe"));
		if (!err && ref != NULL)
			err = sbom_name_index_add(c->refs, ref, strlen(ref), index, 0);
	}
	if (!err)
		err = cdx_components(c, json_object_get(comp, "components"), nesting + 1);
	return err;
}

static int cdx_dependencies(struct cdx *c, json_t *deps)
{
	if (deps == NULL)
		return 0;
	if (!json_is_array(deps))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"dependencies\" is not an array", c->what);
	size_t i, j;
	json_t *d, *on;
	int err = 0;
	json_array_foreach(deps, i, d)
	{
		const char *ref = str(d, "ref");
		json_t *list = json_object_get(d, "dependsOn");
		if (err || !json_is_object(d))
			continue;
		if (ref == NULL) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: a dependency without \"ref\"", c->what);
			break;
		}
		size_t from, to;
		if (sbom_name_index_find(c->refs, ref, strlen(ref), &from) != 0 || !json_is_array(list))
			continue; /* the described component or the OS: no package of ours */
		json_array_foreach(list, j, on)
		{
			if (!err && json_is_string(on) &&
			    sbom_name_index_find(c->refs, json_string_value(on), json_string_length(on), &to) == 0 && to != from)
				err = cairn_sbom_add_relationship(c->sbom, from, to, CAIRN_SBOM_REL_DEPENDS_ON);
		}
	}
	return err;
}

int sbom_read_cyclonedx(cairn_sbom *sbom, json_t *doc, const char *what)
{
	const char *spec = str(doc, "specVersion");
	if (spec == NULL || (strcmp(spec, "1.4") != 0 && strcmp(spec, "1.5") != 0 && strcmp(spec, "1.6") != 0))
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: CycloneDX specVersion %s; cairn reads 1.4, 1.5 and 1.6", what,
				       spec ? spec : "(missing)");
	struct cdx c = {sbom, what, NULL};
	int err = sbom_name_index_new(&c.refs);
	json_t *subject = json_object_get(json_object_get(doc, "metadata"), "component");
	if (!err && str(subject, "name") != NULL) {
		cairn_sbom_source *s = cairn_sbom_get_source(sbom);
		err = cairn_sbom_set(&s->name, str(subject, "name"));
		if (!err)
			err = cairn_sbom_set(&s->kind, strcmp(str(subject, "type") ? str(subject, "type") : "", "container") == 0 ? "image" : "directory");
	}
	if (!err)
		err = cdx_components(&c, json_object_get(doc, "components"), 0);
	if (!err)
		err = cdx_dependencies(&c, json_object_get(doc, "dependencies"));
	sbom_name_index_free(c.refs);
	return err;
}

int cairn_sbom_read(cairn_sbom **out, const void *json, size_t len, const char *what)
{
	*out = NULL;
	json_t *doc;
	cairn_json_limits limits = {READ_MAX_BYTES, READ_MAX_DEPTH};
	int err = cairn_json_parse(&doc, json, len, &limits, what);
	if (err)
		return err;
	cairn_sbom *sbom = NULL;
	const char *bom_format = str(doc, "bomFormat"), *spdx = str(doc, "spdxVersion");
	if (!json_is_object(doc))
		err = cairn_error_set(CAIRN_EINVAL, "%s: not an SBOM (the document is not a JSON object)", what);
	else if (bom_format == NULL && spdx == NULL)
		err = cairn_error_set(CAIRN_EINVAL, "%s: not an SBOM (neither \"bomFormat\" nor \"spdxVersion\")", what);
	else if (bom_format != NULL && strcmp(bom_format, "CycloneDX") != 0)
		err = cairn_error_set(CAIRN_EINVAL, "%s: bomFormat '%s' is not CycloneDX", what, bom_format);
	if (!err)
		err = cairn_sbom_new(&sbom);
	if (!err)
		err = bom_format ? sbom_read_cyclonedx(sbom, doc, what) : sbom_read_spdx(sbom, doc, what);
	json_decref(doc);
	if (err) {
		cairn_sbom_free(sbom);
		return err;
	}
	*out = sbom;
	return 0;
}
