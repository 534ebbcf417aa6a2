/* Unit tests of the Python cataloger, on a directory laid out as pip and Debian lay it out:
 * expectations from the core metadata and RECORD specifications (packaging.python.org), PEP 503's
 * name normalisation examples, and dpkg's file list for ownership. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/sbom.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (root[0])
		cr_assert_eq(system(cmd), 0);
}

#define SITE "usr/lib/python3/dist-packages/"

static void fixture(void)
{
	snprintf(root, sizeof root, "/tmp/cairn-py-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	/* a wheel install: core metadata 2.4 with a License-Expression; the body is not headers */
	put(SITE "Foo.Bar_baz-1.0.dist-info/METADATA", "Metadata-Version: 2.4\n"
						     "Name: Foo.Bar_baz\n"
						     "Version: 1.0\n"
						     "License-Expression: MIT OR Apache-2.0\n"
						     "Author-email: Jane <jane@example.org>\n"
						     "Requires-Dist: six>=1.0\n"
						     "Requires-Dist: requests[security] (>=2) ; extra == \"http\"\n"
						     "Requires-Dist: Missing_Thing\n"
						     "\n"
						     "Requires-Dist: not-a-header\n");
	/* RECORD is CSV: a quoted path with a comma, a script outside the site directory */
	put(SITE "Foo.Bar_baz-1.0.dist-info/RECORD", "foo/__init__.py,sha256=AAAA,10\n"
						   "\"foo/we,ird.py\",sha256=BBBB,1\n"
						   "../../../bin/foo,sha256=CCCC,2\n"
						   "Foo.Bar_baz-1.0.dist-info/METADATA,,\n");
	/* a setuptools install, as Debian's python3-six has it */
	put(SITE "six-1.16.0.egg-info/PKG-INFO", "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n");
	put(SITE "six-1.16.0.egg-info/installed-files.txt", "../six.py\nPKG-INFO\n");
	/* the same distribution's metadata again, as Debian's python3-cryptography ships a
	 * cryptography.egg-info beside its .dist-info: one package, two locations */
	put(SITE "six.egg-info/PKG-INFO", "Metadata-Version: 2.1\nName: Six\nVersion: 1.16.0\n");
	/* an .egg-info file; License UNKNOWN, so the classifiers say */
	put(SITE "classy-2.0.egg-info", "Metadata-Version: 1.1\nName: classy\nVersion: 2.0\nLicense: UNKNOWN\n"
					"Classifier: License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)\n"
					"Classifier: License :: OSI Approved :: BSD License\n"
					"Classifier: Programming Language :: Python\n");
	put(SITE "broken-0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: broken\n");
	/* dpkg owns six */
	put("var/lib/dpkg/status", "Package: python3-six\nStatus: install ok installed\nArchitecture: all\n"
				   "Version: 1.16.0-4\nMaintainer: Debian Python Team <team+python@tracker.debian.org>\n\n");
	put("var/lib/dpkg/info/python3-six.list", "/.\n/usr\n/usr/lib/python3/dist-packages/six-1.16.0.egg-info\n"
						  "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO\n"
						  "/usr/lib/python3/dist-packages/six.py\n");
}

TestSuite(sbom_python, .init = fixture, .fini = cleanup);

static cairn_sbom *catalog(void)
{
	char source[128];
	snprintf(source, sizeof source, "dir:%s", root);
	cairn_image *image;
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_catalog(&sbom, image, NULL), 0, "%s", cairn_error_message());
	cairn_image_close(image);
	return sbom;
}

static size_t find(const cairn_sbom *sbom, const char *type, const char *name)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->type, type) == 0 && strcmp(p->name, name) == 0)
			return i;
	}
	cr_assert_fail("no %s package %s", type, name);
	return 0;
}

static int related(const cairn_sbom *sbom, size_t from, size_t to, enum cairn_sbom_rel_type type)
{
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		if (r->from == from && r->to == to && r->type == type)
			return 1;
	}
	return 0;
}

Test(sbom_python, distributions_and_purls)
{
	cairn_sbom *sbom = catalog();
	size_t pypi = 0;
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		pypi += strcmp(cairn_sbom_package_at(sbom, i)->type, "pypi") == 0;
	cr_assert_eq(pypi, 3, "Foo.Bar_baz, six, classy (broken has no Version)");
	const cairn_sbom_package *foo = cairn_sbom_package_at(sbom, find(sbom, "pypi", "Foo.Bar_baz"));
	cr_assert_str_eq(foo->version, "1.0");
	cr_assert_str_eq(foo->purl, "pkg:pypi/foo-bar-baz@1.0"); /* PEP 503 */
	cr_assert_str_eq(foo->locations[0].path, "/" SITE "Foo.Bar_baz-1.0.dist-info/METADATA");
	cr_assert_str_eq(foo->supplier, "Jane <jane@example.org>");
	cr_assert_eq(foo->license_count, 1);
	cr_assert_str_eq(foo->licenses[0], "(MIT OR Apache-2.0)"); /* the model parenthesises an OR, so ANDing licenses keeps it */
	const cairn_sbom_package *six = cairn_sbom_package_at(sbom, find(sbom, "pypi", "six"));
	cr_assert_str_eq(six->purl, "pkg:pypi/six@1.16.0");
	cr_assert_eq(six->location_count, 2, "six.egg-info and six-1.16.0.egg-info are one distribution");
	int warned = 0;
	for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
		warned |= strstr(cairn_sbom_warning(sbom, i), "broken-0.1.dist-info/METADATA") != NULL &&
			  strstr(cairn_sbom_warning(sbom, i), "Version") != NULL;
	cr_assert(warned, "a warning names the METADATA without a Version");
	cairn_sbom_free(sbom);
}

Test(sbom_python, record_and_installed_files)
{
	cairn_sbom *sbom = catalog();
	const cairn_sbom_package *foo = cairn_sbom_package_at(sbom, find(sbom, "pypi", "Foo.Bar_baz"));
	/* sorted by cairn_sbom_finish */
	static const char *const want[] = {"/usr/bin/foo", "/" SITE "Foo.Bar_baz-1.0.dist-info/METADATA",
					   "/" SITE "foo/__init__.py", "/" SITE "foo/we,ird.py"};
	cr_assert_eq(foo->file_count, 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(foo->files[i], want[i]);
	const cairn_sbom_package *six = cairn_sbom_package_at(sbom, find(sbom, "pypi", "six"));
	cr_assert_eq(six->file_count, 2);
	cr_assert_str_eq(six->files[0], "/" SITE "six-1.16.0.egg-info/PKG-INFO");
	cr_assert_str_eq(six->files[1], "/" SITE "six.py");
	cairn_sbom_free(sbom);
}

Test(sbom_python, licenses_from_classifiers)
{
	cairn_sbom *sbom = catalog();
	const cairn_sbom_package *classy = cairn_sbom_package_at(sbom, find(sbom, "pypi", "classy"));
	cr_assert_str_eq(classy->locations[0].path, "/" SITE "classy-2.0.egg-info");
	cr_assert_eq(classy->license_count, 2);
	/* GPLv2+ names one license; "BSD License" does not say which, so it is kept as written */
	cr_assert_str_eq(classy->licenses[0], "GPL-2.0-or-later");
	cr_assert_str_eq(classy->licenses[1], "LicenseRef-BSD-License");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, find(sbom, "pypi", "six"))->licenses[0], "MIT");
	cairn_sbom_free(sbom);
}

Test(sbom_python, requires_dist_and_dpkg_ownership)
{
	cairn_sbom *sbom = catalog();
	size_t foo = find(sbom, "pypi", "Foo.Bar_baz"), six = find(sbom, "pypi", "six"), classy = find(sbom, "pypi", "classy");
	size_t deb = find(sbom, "deb", "python3-six");
	cr_assert(related(sbom, foo, six, CAIRN_SBOM_REL_DEPENDS_ON), "six>=1.0 resolves to the installed six");
	cr_assert(related(sbom, deb, six, CAIRN_SBOM_REL_CONTAINS), "python3-six's file list holds six's metadata");
	cr_assert(!related(sbom, deb, foo, CAIRN_SBOM_REL_CONTAINS));
	cr_assert(!related(sbom, deb, classy, CAIRN_SBOM_REL_CONTAINS));
	size_t depends = 0;
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++)
		depends += cairn_sbom_relationship_at(sbom, i)->from == foo;
	cr_assert_eq(depends, 1, "the extra-only and the missing requirements resolve to nothing");
	cairn_sbom_free(sbom);
}

Test(sbom_python, pep503_normalisation)
{
	/* PEP 503: these all name the same project, whose normalised name is "friendly-bar" */
	static const char *const names[] = {"Friendly-Bar", "friendly_bar", "FRIENDLY.BAR", "friendly--bar", "Friendly._-Bar"};
	char rel[256], text[256];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(rel, sizeof rel, "opt/site%zu/%s-1.dist-info/METADATA", i, names[i]);
		snprintf(text, sizeof text, "Name: %s\nVersion: 1\n", names[i]);
		put(rel, text);
	}
	cairn_sbom *sbom = catalog();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		cr_assert_str_eq(cairn_sbom_package_at(sbom, find(sbom, "pypi", names[i]))->purl, "pkg:pypi/friendly-bar@1", "%s",
				 names[i]);
	cairn_sbom_free(sbom);
}
