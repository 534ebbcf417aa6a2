/* Reading SPDX 2.3 JSON (spdx.github.io/spdx-spec/v2.3) into the model.
 *
 * Every package becomes a package, except the ones the document describes (DESCRIBES, or
 * documentDescribes) that have no purl: those are what the SBOM is about (an image, a directory),
 * and give the source's name; a package whose primaryPackagePurpose is OPERATING_SYSTEM gives the
 * distro. The identity comes from the PACKAGE-MANAGER purl external reference (parsed back into type,
 * namespace and qualifiers), licenses from licenseDeclared (else licenseConcluded), LicenseRef texts
 * from hasExtractedLicensingInfos. Relationships: DEPENDS_ON, the *DEPENDENCY_OF family (reversed),
 * CONTAINS and CONTAINED_BY between two packages. cairn's own comment ("found in PATH (layer L)")
 * and sourceInfo are read back, so a cairn SBOM survives a round trip. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

struct spdx {
	cairn_sbom *sbom;
	const char *what;
	sbom_name_index *ids; /* SPDXID -> package */
	json_t *described;    /* SPDXID -> true */
	json_t *texts;        /* LicenseRef id -> extracted text */
};

static int described(struct spdx *s, json_t *doc)
{
	size_t i;
	json_t *v;
	json_t *list = json_object_get(doc, "documentDescribes");
	if (json_is_array(list))
		json_array_foreach(list, i, v) if (json_is_string(v)) json_object_set(s->described, json_string_value(v), json_true());
	json_t *rels = json_object_get(doc, "relationships");
	if (json_is_array(rels))
		json_array_foreach(rels, i, v)
		{
			const char *type = str(v, "relationshipType"), *from = str(v, "spdxElementId"), *to = str(v, "relatedSpdxElement");
			if (type && from && to && strcmp(type, "DESCRIBES") == 0 && strcmp(from, "SPDXRef-DOCUMENT") == 0)
				json_object_set(s->described, to, json_true());
		}
	return 0;
}

static const char *package_purl(json_t *pkg, const char **cpe)
{
	const char *purl = NULL;
	size_t i;
	json_t *ref;
	*cpe = NULL;
	json_t *refs = json_object_get(pkg, "externalRefs");
	if (json_is_array(refs))
		json_array_foreach(refs, i, ref)
		{
			const char *type = str(ref, "referenceType"), *loc = str(ref, "referenceLocator");
			if (type && loc && strcmp(type, "purl") == 0 && purl == NULL)
				purl = loc;
			if (type && loc && (strcmp(type, "cpe23Type") == 0 || strcmp(type, "cpe22Type") == 0) && *cpe == NULL)
				*cpe = loc;
		}
	return purl;
}

static int set_source(struct spdx *s, json_t *pkg)
{
	cairn_sbom_source *src = cairn_sbom_get_source(s->sbom);
	const char *purpose = str(pkg, "primaryPackagePurpose");
	int err = cairn_sbom_set(&src->name, str(pkg, "name"));
	if (!err)
		err = cairn_sbom_set(&src->kind, purpose && strcmp(purpose, "CONTAINER") == 0 ? "image" : "directory");
	return err;
}

/* cairn writes "found in PATH" or "found in PATH (layer DIGEST)". */
static int comment_location(cairn_sbom_package *p, const char *comment)
{
	if (comment == NULL || strncmp(comment, "found in ", 9) != 0)
		return 0;
	const char *path = comment + 9, *layer = strstr(path, " (layer ");
	if (layer == NULL)
		return cairn_sbom_add_location(p, NULL, path);
	char *path_copy = strndup(path, (size_t)(layer - path));
	size_t ll = strlen(layer + 8);
	char *layer_copy = ll > 0 ? strndup(layer + 8, ll - 1) : NULL;
	int err = path_copy && layer_copy ? cairn_sbom_add_location(p, layer_copy, path_copy)
					  : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	free(path_copy);
	free(layer_copy);
	return err;
}

static int source_info(cairn_sbom_package *p, const char *info)
{
	static const char prefix[] = "built from source package ";
	if (info == NULL || strncmp(info, prefix, sizeof prefix - 1) != 0)
		return 0;
	const char *name = info + sizeof prefix - 1, *space = strchr(name, ' ');
	char *copy = strndup(name, space ? (size_t)(space - name) : strlen(name));
	int err = copy ? cairn_sbom_set(&p->source_name, copy) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	if (!err && space)
		err = cairn_sbom_set(&p->source_version, space + 1);
	free(copy);
	return err;
}

static int read_package(struct spdx *s, json_t *pkg)
{
	if (!json_is_object(pkg))
		return cairn_error_set(CAIRN_EINVAL, "%s: a package is not an object", s->what);
	const char *id = str(pkg, "SPDXID"), *name = str(pkg, "name"), *version = str(pkg, "versionInfo");
	if (id == NULL || name == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: a package without \"SPDXID\" and \"name\"", s->what);
	const char *cpe, *purl = package_purl(pkg, &cpe);
	const char *purpose = str(pkg, "primaryPackagePurpose");
	/* the thing described (an image, a directory) is the source, not a package; a described package
	 * with identifiers (a purl, a CPE) that is no container is a package like the rest */
	json_t *refs = json_object_get(pkg, "externalRefs");
	int container = purpose && strcmp(purpose, "CONTAINER") == 0;
	if (json_object_get(s->described, id) != NULL && (container || json_array_size(refs) == 0))
		return set_source(s, pkg);
	if (purl == NULL && purpose && strcmp(purpose, "OPERATING_SYSTEM") == 0) {
		cairn_sbom_source *src = cairn_sbom_get_source(s->sbom);
		int err = cairn_sbom_set(&src->distro_id, name);
		if (!err && version)
			err = cairn_sbom_set(&src->distro_version, version);
		return err;
	}
	if (name[0] == '\0') {
		cairn_sbom_warn(s->sbom, "%s: package %s has an empty name; left out", s->what, id);
		return 0;
	}
	size_t index;
	int err = cairn_sbom_add_package(s->sbom, "generic", name, version ? version : "", &index);
	cairn_sbom_package *p = err ? NULL : cairn_sbom_package_at(s->sbom, index);
	if (!err)
		err = comment_location(p, str(pkg, "comment"));
	if (!err)
		err = source_info(p, str(pkg, "sourceInfo"));
	if (!err && purl)
		err = sbom_read_purl(s->sbom, p, purl, s->what);
	if (!err && cpe)
		err = cairn_sbom_add_cpe(p, cpe);
	const char *lic = str(pkg, "licenseDeclared");
	if (lic == NULL || strcmp(lic, "NOASSERTION") == 0 || strcmp(lic, "NONE") == 0)
		lic = str(pkg, "licenseConcluded");
	if (!err && lic && lic[0] && strcmp(lic, "NOASSERTION") != 0 && strcmp(lic, "NONE") != 0)
		err = sbom_read_license(s->sbom, p, lic, s->texts);
	const char *supplier = str(pkg, "supplier");
	if (!err && supplier && strncmp(supplier, "Organization: ", 14) == 0)
		err = cairn_sbom_set(&p->supplier, supplier + 14);
	else if (!err && supplier && strncmp(supplier, "Person: ", 8) == 0)
		err = cairn_sbom_set(&p->supplier, supplier + 8);
	if (!err)
		err = sbom_name_index_add(s->ids, id, strlen(id), index, 0);
	return err;
}

static int read_relationships(struct spdx *s, json_t *rels)
{
	if (rels == NULL)
		return 0;
	if (!json_is_array(rels))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"relationships\" is not an array", s->what);
	size_t i;
	json_t *r;
	int err = 0;
	json_array_foreach(rels, i, r)
	{
		const char *type = str(r, "relationshipType"), *a = str(r, "spdxElementId"), *b = str(r, "relatedSpdxElement");
		if (err)
			break;
		if (type == NULL || a == NULL || b == NULL) {
			err = cairn_error_set(CAIRN_EINVAL, "%s: relationship %zu lacks spdxElementId, relationshipType or relatedSpdxElement",
					      s->what, i);
			break;
		}
		size_t from, to;
		if (sbom_name_index_find(s->ids, a, strlen(a), &from) != 0 || sbom_name_index_find(s->ids, b, strlen(b), &to) != 0 ||
		    from == to)
			continue; /* the document, the source, files: not packages of ours */
		size_t tl = strlen(type);
		if (strcmp(type, "DEPENDS_ON") == 0)
			err = cairn_sbom_add_relationship(s->sbom, from, to, CAIRN_SBOM_REL_DEPENDS_ON);
		else if (tl >= 13 && strcmp(type + tl - 13, "DEPENDENCY_OF") == 0)
			err = cairn_sbom_add_relationship(s->sbom, to, from, CAIRN_SBOM_REL_DEPENDS_ON);
		else if (strcmp(type, "CONTAINS") == 0)
			err = cairn_sbom_add_relationship(s->sbom, from, to, CAIRN_SBOM_REL_CONTAINS);
		else if (strcmp(type, "CONTAINED_BY") == 0)
			err = cairn_sbom_add_relationship(s->sbom, to, from, CAIRN_SBOM_REL_CONTAINS);
	}
	return err;
}

int sbom_read_spdx(cairn_sbom *sbom, json_t *doc, const char *what)
{
	const char *version = str(doc, "spdxVersion");
	if (version == NULL || strcmp(version, "SPDX-2.3") != 0)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "%s: spdxVersion %s; cairn reads SPDX-2.3", what, version ? version : "(missing)");
	json_t *packages = json_object_get(doc, "packages");
	if (packages != NULL && !json_is_array(packages))
		return cairn_error_set(CAIRN_EINVAL, "%s: \"packages\" is not an array", what);
	struct spdx s = {sbom, what, NULL, json_object(), json_object()};
	int err = s.described && s.texts ? sbom_name_index_new(&s.ids) : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	size_t i;
	json_t *v;
	json_t *extracted = json_object_get(doc, "hasExtractedLicensingInfos");
	if (!err && json_is_array(extracted))
		json_array_foreach(extracted, i, v)
		{
			const char *id = str(v, "licenseId"), *text = str(v, "extractedText");
			if (id && text) /* cairn writes the license's words as its name; other tools put whole texts here */
				json_object_set_new(s.texts, id, json_string(str(v, "name") ? str(v, "name") : text));
		}
	if (!err)
		err = described(&s, doc);
	if (!err && packages)
		json_array_foreach(packages, i, v)
		{
			if (err)
				break;
			err = read_package(&s, v);
		}
	if (!err)
		err = read_relationships(&s, json_object_get(doc, "relationships"));
	sbom_name_index_free(s.ids);
	json_decref(s.described);
	json_decref(s.texts);
	return err;
}
