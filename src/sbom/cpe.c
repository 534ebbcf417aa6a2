/* CPE 2.3 names for packages, for scanners that match advisories by CPE (NVD).
 *
 * A CPE is made only where the package metadata says who makes it and what it is called, because a
 * wrong CPE is worse than none: it matches advisories of another product and raises false alarms.
 * The rules, by purl type:
 *   npm, pypi, gem, cargo    vendor = product = the package name (unscoped npm names only: a scoped
 *                            name's last part alone would name another package)
 *   golang                   stdlib: golang:go at the toolchain version without "go"; a module at
 *                            github.com/OWNER/REPO: OWNER:REPO; other paths get none
 *   maven                    vendor = the organisation label of the groupId (its second label:
 *                            org.apache.commons -> apache), product = the artifactId
 *   deb, rpm, apk            vendor = the distribution (purl namespace, else os-release ID), product =
 *                            the package name; no better vendor is recorded for distro packages
 * Versions lose a leading "v" (Go) as NVD writes them; "(devel)" and empty versions get no CPE.
 *
 * Binding follows NISTIR 7695 section 6.2 (formatted string binding): a value's letters, digits, "_",
 * "." and "-" stand as they are; every other printable ASCII character is quoted with a backslash;
 * an empty value is ANY ("*"). Whitespace, control and non-ASCII bytes cannot appear in a WFN, so such
 * a value gets no CPE, nor does "-" alone, which would read back as NA. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CPE_MAX_VALUE 512 /* longer names are not worth a CPE (and could be hostile) */

int sbom_cpe_bind_value(const char *value, cairn_buf *out)
{
	if (value == NULL || value[0] == '\0')
		return cairn_buf_append_str(out, "*");
	size_t n = strlen(value);
	if (n > CPE_MAX_VALUE || strcmp(value, "-") == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c <= 0x20 || c >= 0x7f)
			return -1;
	}
	int err = 0;
	for (size_t i = 0; !err && i < n; i++) {
		char c = value[i];
		if (isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-')
			err = cairn_buf_append(out, &c, 1);
		else {
			char quoted[2] = {'\\', c};
			err = cairn_buf_append(out, quoted, 2);
		}
	}
	return err;
}

/* value lowercased (CPE names are compared case-insensitively and NVD writes them in lowercase). */
static char *lower_copy(const char *value)
{
	char *s = strdup(value);
	if (s != NULL)
		for (char *c = s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	return s;
}

int sbom_cpe_format(cairn_buf *out, const char *vendor, const char *product, const char *version)
{
	if (vendor == NULL || product == NULL || vendor[0] == '\0' || product[0] == '\0')
		return -1;
	char *v = lower_copy(vendor), *p = lower_copy(product);
	if (v == NULL || p == NULL) {
		free(v);
		free(p);
		return cairn_error_set(CAIRN_ENOMEM, "sbom: out of memory");
	}
	size_t mark = out->len;
	int err = cairn_buf_append_str(out, "cpe:2.3:a:");
	if (!err)
		err = sbom_cpe_bind_value(v, out);
	if (!err)
		err = cairn_buf_append_str(out, ":");
	if (!err)
		err = sbom_cpe_bind_value(p, out);
	if (!err)
		err = cairn_buf_append_str(out, ":");
	if (!err)
		err = sbom_cpe_bind_value(version, out);
	if (!err)
		err = cairn_buf_append_str(out, ":*:*:*:*:*:*:*");
	free(v);
	free(p);
	if (err && out->data != NULL) { /* nothing half-written */
		out->len = mark;
		out->data[mark] = '\0';
	}
	return err;
}

struct cpe_parts {
	const char *vendor, *product, *version;
	char scratch[CPE_MAX_VALUE + 1]; /* a vendor cut out of a longer string */
};

static int is_type(const cairn_sbom_package *p, const char *type) { return strcmp(p->type, type) == 0; }

/* The version as NVD writes it, or NULL when there is none worth a CPE. */
static const char *cpe_version(const char *version)
{
	if (version == NULL || version[0] == '\0' || version[0] == '(')
		return NULL;
	if (version[0] == 'v' && isdigit((unsigned char)version[1]))
		return version + 1;
	return version;
}

/* "org.apache.commons" -> "apache": the second dot-separated label; 0 when there is none. */
static int maven_vendor(const char *group, struct cpe_parts *c)
{
	const char *dot = group ? strchr(group, '.') : NULL;
	if (dot == NULL)
		return 0;
	const char *start = dot + 1, *end = strchr(start, '.');
	size_t n = end ? (size_t)(end - start) : strlen(start);
	if (n == 0 || n > CPE_MAX_VALUE)
		return 0;
	memcpy(c->scratch, start, n);
	c->scratch[n] = '\0';
	c->vendor = c->scratch;
	return 1;
}

/* Fills c for package p; 0 when no trustworthy CPE can be derived. */
static int derive(const cairn_sbom_source *src, const cairn_sbom_package *p, struct cpe_parts *c)
{
	c->vendor = c->product = p->name;
	c->version = cpe_version(p->version);
	if (c->version == NULL)
		return 0;
	if (is_type(p, "npm"))
		return p->namespace_ == NULL || p->namespace_[0] == '\0';
	if (is_type(p, "pypi") || is_type(p, "gem") || is_type(p, "cargo"))
		return 1;
	if (is_type(p, "golang")) {
		if (strcmp(p->name, "stdlib") == 0 && p->namespace_ == NULL && strncmp(p->version, "go", 2) == 0) {
			c->vendor = "golang";
			c->product = "go";
			c->version = p->version + 2;
			return c->version[0] != '\0';
		}
		static const char gh[] = "github.com/";
		const char *ns = p->namespace_;
		if (ns == NULL || strncmp(ns, gh, sizeof gh - 1) != 0 || strchr(ns + sizeof gh - 1, '/') != NULL ||
		    ns[sizeof gh - 1] == '\0')
			return 0;
		c->vendor = ns + sizeof gh - 1;
		return 1;
	}
	if (is_type(p, "maven"))
		return maven_vendor(p->namespace_, c);
	if (is_type(p, "deb") || is_type(p, "rpm") || is_type(p, "apk")) {
		c->vendor = p->namespace_ ? p->namespace_ : src->distro_id;
		return c->vendor != NULL && c->vendor[0] != '\0';
	}
	return 0;
}

int sbom_cpe_generate(cairn_sbom *sbom)
{
	const cairn_sbom_source *src = cairn_sbom_source_of(sbom);
	cairn_buf cpe = CAIRN_BUF_INIT;
	int err = 0;
	for (size_t i = 0; !err && i < cairn_sbom_package_count(sbom); i++) {
		cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		struct cpe_parts c;
		if (p->cpe_count > 0 || p->name == NULL || !derive(src, p, &c))
			continue;
		cairn_buf_clear(&cpe);
		int r = sbom_cpe_format(&cpe, c.vendor, c.product, c.version);
		if (r == CAIRN_ENOMEM)
			err = r;
		else if (r == 0)
			err = cairn_sbom_add_cpe(p, cairn_buf_cstr(&cpe));
	}
	cairn_buf_free(&cpe);
	return err;
}
