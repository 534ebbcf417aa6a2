/* The SBOM model: packages, relationships, license references, warnings, and the finishing step that
 * gives every package its purl and a stable ID and puts everything in a deterministic order. */
#include "cairn/sbom.h"
#include "cairn/digest.h"
#include "cairn/error.h"
#include "sbom_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cairn_sbom {
	cairn_sbom_source source;
	cairn_sbom_package **packages;
	size_t package_count, package_cap;
	cairn_sbom_relationship *rels;
	size_t rel_count, rel_cap;
	cairn_sbom_license_ref *refs;
	size_t ref_count, ref_cap;
	char **warnings;
	size_t warning_count, warning_cap;
	size_t file_total;
	int warnings_dropped;
};

/* Grows an array of `size`-byte items so one more fits. */
int sbom_grow(void *array_ptr, size_t *cap, size_t count, size_t size)
{
	void **array = array_ptr;
	if (count < *cap)
		return 0;
	size_t new_cap = *cap ? *cap * 2 : 8;
	if (new_cap > SIZE_MAX / size)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	void *p = realloc(*array, new_cap * size);
	if (p == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	*array = p;
	*cap = new_cap;
	return 0;
}

int cairn_sbom_new(cairn_sbom **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
}

static void free_strings(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

static void package_free(cairn_sbom_package *p)
{
	free(p->type);
	free(p->name);
	free(p->version);
	free(p->namespace_);
	free(p->arch);
	free(p->epoch);
	free(p->purl);
	free_strings(p->cpes, p->cpe_count);
	free_strings(p->licenses, p->license_count);
	free(p->supplier);
	free(p->source_name);
	free(p->source_version);
	for (size_t i = 0; i < p->location_count; i++) {
		free(p->locations[i].layer);
		free(p->locations[i].path);
	}
	free(p->locations);
	free_strings(p->files, p->file_count);
	free(p->id);
	free(p);
}

void cairn_sbom_free(cairn_sbom *sbom)
{
	if (sbom == NULL)
		return;
	cairn_sbom_source *s = &sbom->source;
	free(s->name);
	free(s->kind);
	free(s->manifest_digest);
	free(s->config_digest);
	free(s->platform);
	free(s->distro_id);
	free(s->distro_version);
	free(s->distro_name);
	free(s->distro_codename);
	for (size_t i = 0; i < sbom->package_count; i++)
		package_free(sbom->packages[i]);
	free(sbom->packages);
	free(sbom->rels);
	for (size_t i = 0; i < sbom->ref_count; i++) {
		free(sbom->refs[i].id);
		free(sbom->refs[i].text);
	}
	free(sbom->refs);
	free_strings(sbom->warnings, sbom->warning_count);
	free(sbom);
}

cairn_sbom_source *cairn_sbom_get_source(cairn_sbom *sbom) { return &sbom->source; }
const cairn_sbom_source *cairn_sbom_source_of(const cairn_sbom *sbom) { return &sbom->source; }
size_t cairn_sbom_package_count(const cairn_sbom *sbom) { return sbom->package_count; }
cairn_sbom_package *cairn_sbom_package_at(const cairn_sbom *sbom, size_t i)
{
	return i < sbom->package_count ? sbom->packages[i] : NULL;
}
size_t cairn_sbom_relationship_count(const cairn_sbom *sbom) { return sbom->rel_count; }
const cairn_sbom_relationship *cairn_sbom_relationship_at(const cairn_sbom *sbom, size_t i)
{
	return i < sbom->rel_count ? &sbom->rels[i] : NULL;
}
size_t cairn_sbom_license_ref_count(const cairn_sbom *sbom) { return sbom->ref_count; }
const cairn_sbom_license_ref *cairn_sbom_license_ref_at(const cairn_sbom *sbom, size_t i)
{
	return i < sbom->ref_count ? &sbom->refs[i] : NULL;
}
size_t cairn_sbom_warning_count(const cairn_sbom *sbom) { return sbom->warning_count; }
const char *cairn_sbom_warning(const cairn_sbom *sbom, size_t i)
{
	return i < sbom->warning_count ? sbom->warnings[i] : NULL;
}

int cairn_sbom_set(char **field, const char *value)
{
	char *copy = NULL;
	if (value != NULL && (copy = strdup(value)) == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	free(*field);
	*field = copy;
	return 0;
}

static int push_string(char ***list, size_t *count, size_t *cap, const char *value, size_t len)
{
	if (sbom_grow(list, cap, *count, sizeof **list) != 0)
		return CAIRN_ENOMEM;
	char *copy = strndup(value, len);
	if (copy == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	(*list)[(*count)++] = copy;
	return 0;
}

int cairn_sbom_add_package(cairn_sbom *sbom, const char *type, const char *name, const char *version, size_t *index)
{
	if (type == NULL || name == NULL || name[0] == '\0' || version == NULL)
		return cairn_error_set(CAIRN_EINVAL, "sbom: a package needs a type, a name and a version");
	if (sbom->package_count >= CAIRN_SBOM_MAX_PACKAGES)
		return cairn_error_set(CAIRN_ETOOBIG, "sbom: more than %zu packages", CAIRN_SBOM_MAX_PACKAGES);
	if (sbom_grow(&sbom->packages, &sbom->package_cap, sbom->package_count, sizeof *sbom->packages) != 0)
		return CAIRN_ENOMEM;
	cairn_sbom_package *p = calloc(1, sizeof *p);
	if (p == NULL || cairn_sbom_set(&p->type, type) != 0 || cairn_sbom_set(&p->name, name) != 0 ||
	    cairn_sbom_set(&p->version, version) != 0) {
		if (p != NULL)
			package_free(p);
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	sbom->packages[sbom->package_count] = p;
	if (index != NULL)
		*index = sbom->package_count;
	sbom->package_count++;
	return 0;
}

int cairn_sbom_add_location(cairn_sbom_package *pkg, const char *layer, const char *path)
{
	if (sbom_grow(&pkg->locations, &pkg->locations_cap, pkg->location_count, sizeof *pkg->locations) != 0)
		return CAIRN_ENOMEM;
	cairn_sbom_location *l = &pkg->locations[pkg->location_count];
	l->layer = NULL;
	l->path = NULL;
	if (cairn_sbom_set(&l->layer, layer) != 0 || cairn_sbom_set(&l->path, path) != 0) {
		free(l->layer);
		return CAIRN_ENOMEM;
	}
	pkg->location_count++;
	return 0;
}

int cairn_sbom_add_file(cairn_sbom *sbom, cairn_sbom_package *pkg, const char *path, size_t len)
{
	if (sbom->file_total >= CAIRN_SBOM_MAX_FILES)
		return cairn_error_set(CAIRN_ETOOBIG, "sbom: more than %zu owned files", CAIRN_SBOM_MAX_FILES);
	sbom->file_total++;
	return push_string(&pkg->files, &pkg->file_count, &pkg->files_cap, path, len);
}

int cairn_sbom_add_cpe(cairn_sbom_package *pkg, const char *cpe)
{
	size_t cap = pkg->cpe_count; /* exact-size growth: CPEs are few */
	for (size_t i = 0; i < pkg->cpe_count; i++)
		if (strcmp(pkg->cpes[i], cpe) == 0)
			return 0;
	return push_string(&pkg->cpes, &pkg->cpe_count, &cap, cpe, strlen(cpe));
}

/* Adds a finished SPDX expression to a package, once. */
int sbom_package_add_expression(cairn_sbom_package *pkg, const char *expr)
{
	for (size_t i = 0; i < pkg->license_count; i++)
		if (strcmp(pkg->licenses[i], expr) == 0)
			return 0;
	size_t cap = pkg->license_count;
	return push_string(&pkg->licenses, &pkg->license_count, &cap, expr, strlen(expr));
}

/* Registers a LicenseRef for text; writes its id to out. Same text, same id; distinct texts that
 * sanitise alike get a hash suffix. */
int sbom_license_ref(cairn_sbom *sbom, const char *text, size_t len, cairn_buf *out)
{
	cairn_buf id = CAIRN_BUF_INIT;
	int err = cairn_buf_append_str(&id, "LicenseRef-");
	for (size_t i = 0; !err && i < len && i < 64; i++) {
		char c = text[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
		err = cairn_buf_append_byte(&id, (uint8_t)(ok ? c : '-'));
	}
	for (int attempt = 0; !err; attempt++) {
		size_t i;
		for (i = 0; i < sbom->ref_count; i++)
			if (strcmp(sbom->refs[i].id, cairn_buf_cstr(&id)) == 0)
				break;
		if (i < sbom->ref_count && strlen(sbom->refs[i].text) == len && memcmp(sbom->refs[i].text, text, len) == 0)
			break; /* known */
		if (i == sbom->ref_count) { /* new */
			err = sbom_grow(&sbom->refs, &sbom->ref_cap, sbom->ref_count, sizeof *sbom->refs);
			if (!err) {
				char *id_copy = strdup(cairn_buf_cstr(&id)), *text_copy = strndup(text, len);
				if (id_copy == NULL || text_copy == NULL) {
					free(id_copy);
					free(text_copy);
					err = cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
				} else {
					sbom->refs[sbom->ref_count].id = id_copy;
					sbom->refs[sbom->ref_count++].text = text_copy;
				}
			}
			break;
		}
		/* a different text with this id: disambiguate by the text's hash */
		cairn_digest d;
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, text, len, &d);
		if (!err)
			err = cairn_buf_printf(&id, "-%02x%02x%02x%02x%d", d.bytes[0], d.bytes[1], d.bytes[2], d.bytes[3], attempt);
	}
	if (!err)
		err = cairn_buf_append_str(out, cairn_buf_cstr(&id));
	cairn_buf_free(&id);
	return err;
}

void cairn_sbom_warn(cairn_sbom *sbom, const char *fmt, ...)
{
	if (sbom->warning_count >= CAIRN_SBOM_MAX_WARNINGS) {
		sbom->warnings_dropped = 1;
		return;
	}
	if (sbom_grow(&sbom->warnings, &sbom->warning_cap, sbom->warning_count, sizeof *sbom->warnings) != 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text != NULL)
		sbom->warnings[sbom->warning_count++] = text;
}

int cairn_sbom_add_relationship(cairn_sbom *sbom, size_t from, size_t to, enum cairn_sbom_rel_type type)
{
	if (from >= sbom->package_count || to >= sbom->package_count)
		return cairn_error_set(CAIRN_EINVAL, "sbom: relationship between unknown packages");
	if (sbom_grow(&sbom->rels, &sbom->rel_cap, sbom->rel_count, sizeof *sbom->rels) != 0)
		return CAIRN_ENOMEM;
	sbom->rels[sbom->rel_count++] = (cairn_sbom_relationship){from, to, type};
	return 0;
}

/* ---- finishing: purls, IDs, order ---- */

static int package_purl(const cairn_sbom *sbom, cairn_sbom_package *p)
{
	if (p->purl != NULL)
		return 0;
	const cairn_sbom_source *s = &sbom->source;
	cairn_buf distro = CAIRN_BUF_INIT, purl = CAIRN_BUF_INIT;
	cairn_purl_qualifier q[4];
	size_t n = 0;
	int distro_pkg = strcmp(p->type, "deb") == 0 || strcmp(p->type, "apk") == 0 || strcmp(p->type, "rpm") == 0;
	int err = 0;
	if (p->arch != NULL)
		q[n++] = (cairn_purl_qualifier){"arch", p->arch};
	if (distro_pkg && s->distro_id != NULL) {
		const char *rel = s->distro_version ? s->distro_version : s->distro_codename;
		err = rel ? cairn_buf_printf(&distro, "%s-%s", s->distro_id, rel) : cairn_buf_append_str(&distro, s->distro_id);
		q[n++] = (cairn_purl_qualifier){"distro", cairn_buf_cstr(&distro)};
	}
	if (p->epoch != NULL)
		q[n++] = (cairn_purl_qualifier){"epoch", p->epoch};
	if (distro_pkg && p->source_name != NULL && strcmp(p->source_name, p->name) != 0)
		q[n++] = (cairn_purl_qualifier){"upstream", p->source_name};
	if (!err)
		err = cairn_purl_build(&purl, p->type, p->namespace_, p->name, p->version, q, n, NULL);
	if (!err)
		err = cairn_sbom_set(&p->purl, cairn_buf_cstr(&purl));
	cairn_buf_free(&distro);
	cairn_buf_free(&purl);
	return err;
}

/* ID: the purl with a package-id qualifier, a hash of the purl and the first location, so the same
 * package found at the same place has the same ID in every run and from every image source. */
static int package_id(cairn_sbom_package *p)
{
	cairn_buf text = CAIRN_BUF_INIT, id = CAIRN_BUF_INIT;
	const cairn_sbom_location *l = p->location_count ? &p->locations[0] : NULL;
	int err = cairn_buf_printf(&text, "%s\n%s\n%s", p->purl, l && l->layer ? l->layer : "", l && l->path ? l->path : "");
	cairn_digest d;
	if (!err)
		err = cairn_digest_compute(CAIRN_DIGEST_SHA256, text.data, text.len, &d);
	if (!err)
		err = cairn_buf_printf(&id, "%s%cpackage-id=", p->purl, strchr(p->purl, '?') ? '&' : '?');
	if (!err)
		err = cairn_hex_encode(&id, d.bytes, 8);
	if (!err)
		err = cairn_sbom_set(&p->id, cairn_buf_cstr(&id));
	cairn_buf_free(&text);
	cairn_buf_free(&id);
	return err;
}

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

struct order {
	cairn_sbom_package *p;
	size_t old;
};

static int cmp_package(const void *va, const void *vb)
{
	const cairn_sbom_package *a = ((const struct order *)va)->p, *b = ((const struct order *)vb)->p;
	int c = cmp_str(a->type, b->type);
	if (c == 0)
		c = cmp_str(a->name, b->name);
	if (c == 0)
		c = cmp_str(a->version, b->version);
	if (c == 0)
		c = cmp_str(a->id, b->id);
	if (c == 0) {
		size_t oa = ((const struct order *)va)->old, ob = ((const struct order *)vb)->old;
		c = oa < ob ? -1 : oa > ob;
	}
	return c;
}

static int cmp_rel(const void *va, const void *vb)
{
	const cairn_sbom_relationship *a = va, *b = vb;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	return 0;
}

static int cmp_path(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const cairn_sbom_license_ref *)a)->id, ((const cairn_sbom_license_ref *)b)->id);
}

/* Two packages with the same ID (a database listing one package twice) get "-2", "-3"...; equal IDs
 * sort next to each other, since an ID starts with the purl. */
static int unique_ids(cairn_sbom *sbom)
{
	size_t start = 0, run = 1;
	for (size_t i = 1; i < sbom->package_count; i++) {
		cairn_sbom_package *p = sbom->packages[i];
		if (strcmp(p->id, sbom->packages[start]->id) != 0) {
			start = i;
			run = 1;
			continue;
		}
		cairn_buf id = CAIRN_BUF_INIT;
		int err = cairn_buf_printf(&id, "%s-%zu", p->id, ++run);
		if (!err)
			err = cairn_sbom_set(&p->id, cairn_buf_cstr(&id));
		cairn_buf_free(&id);
		if (err)
			return err;
	}
	return 0;
}

int cairn_sbom_finish(cairn_sbom *sbom)
{
	size_t n = sbom->package_count;
	for (size_t i = 0; i < n; i++) {
		cairn_sbom_package *p = sbom->packages[i];
		int err = package_purl(sbom, p);
		if (!err && p->id == NULL)
			err = package_id(p);
		if (err)
			return err;
		if (p->file_count > 1)
			qsort(p->files, p->file_count, sizeof *p->files, cmp_path);
	}
	struct order *order = calloc(n ? n : 1, sizeof *order);
	size_t *new_index = calloc(n ? n : 1, sizeof *new_index);
	if (order == NULL || new_index == NULL) {
		free(order);
		free(new_index);
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (struct order){sbom->packages[i], i};
	qsort(order, n, sizeof *order, cmp_package);
	for (size_t i = 0; i < n; i++) {
		sbom->packages[i] = order[i].p;
		new_index[order[i].old] = i;
	}
	for (size_t i = 0; i < sbom->rel_count; i++) {
		sbom->rels[i].from = new_index[sbom->rels[i].from];
		sbom->rels[i].to = new_index[sbom->rels[i].to];
	}
	free(order);
	free(new_index);
	if (sbom->rel_count > 1)
		qsort(sbom->rels, sbom->rel_count, sizeof *sbom->rels, cmp_rel);
	size_t kept = 0;
	for (size_t i = 0; i < sbom->rel_count; i++)
		if (kept == 0 || cmp_rel(&sbom->rels[kept - 1], &sbom->rels[i]) != 0)
			sbom->rels[kept++] = sbom->rels[i];
	sbom->rel_count = kept;
	if (sbom->ref_count > 1)
		qsort(sbom->refs, sbom->ref_count, sizeof *sbom->refs, cmp_ref);
	if (sbom->warnings_dropped) {
		sbom->warnings_dropped = 0;
		sbom->warning_count--; /* make room for the note */
		free(sbom->warnings[sbom->warning_count]);
		sbom->warnings[sbom->warning_count] = NULL;
		cairn_sbom_warn(sbom, "more than %zu warnings; the rest were not shown", CAIRN_SBOM_MAX_WARNINGS);
	}
	return unique_ids(sbom);
}
