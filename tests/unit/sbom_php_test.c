/* Unit tests of the PHP cataloger: composer.lock and vendor/composer/installed.json in the shapes
 * getcomposer.org documents (Composer 1's array, Composer 2's {"packages": [...]}), and hostile input.
 * The comparison with an independent reading of sample files is in tests/e2e/sbom_ruby_php.bats. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* monolog needs psr/log (which psr/log-implementation is provided by monolog itself) and the platform;
 * symfony/console needs symfony/polyfill-mbstring, which symfony/polyfill-php80 "replaces" here only
 * for the test; phpunit is a development package. */
static const char lock[] =
	"{\"_readme\": [\"This file locks the dependencies\"], \"content-hash\": \"abc\",\n"
	" \"packages\": [\n"
	"  {\"name\": \"monolog/monolog\", \"version\": \"2.9.1\", \"type\": \"library\",\n"
	"   \"require\": {\"php\": \">=7.2\", \"ext-json\": \"*\", \"psr/log\": \"^1.0.1 || ^2.0 || ^3.0\"},\n"
	"   \"provide\": {\"psr/log-implementation\": \"1.0.0 || 2.0.0 || 3.0.0\"},\n"
	"   \"license\": [\"MIT\"], \"authors\": [{\"name\": \"Jordi Boggiano\", \"email\": \"j.boggiano@seld.be\"}]},\n"
	"  {\"name\": \"psr/log\", \"version\": \"3.0.0\", \"license\": [\"MIT\"]},\n"
	"  {\"name\": \"symfony/console\", \"version\": \"v5.4.0\", \"license\": [\"MIT\"],\n"
	"   \"require\": {\"php\": \">=7.2.5\", \"symfony/polyfill-mbstring\": \"~1.0\", \"psr/log-implementation\": \"1\"}},\n"
	"  {\"name\": \"symfony/polyfill-php80\", \"version\": \"v1.27.0\",\n"
	"   \"replace\": {\"symfony/polyfill-mbstring\": \"*\"}, \"license\": [\"MIT\", \"Apache-2.0\"]},\n"
	"  {\"name\": \"Vendor/MixedCase\", \"version\": \"dev-main\", \"license\": \"proprietary\"}\n"
	" ],\n"
	" \"packages-dev\": [\n"
	"  {\"name\": \"phpunit/phpunit\", \"version\": \"9.6.8\", \"require\": {\"psr/log\": \"*\"}}\n"
	" ],\n"
	" \"aliases\": [], \"minimum-stability\": \"stable\", \"platform\": {\"php\": \">=7.4\"}\n"
	"}\n";

static size_t find(const cairn_sbom *sbom, const char *ns, const char *name, const char *version)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->type, "composer") == 0 && strcmp(p->name, name) == 0 && strcmp(p->version, version) == 0 &&
		    p->namespace_ && strcmp(p->namespace_, ns) == 0)
			return i;
	}
	cr_assert_fail("no composer package %s/%s@%s", ns, name, version);
	return 0;
}

static int depends(const cairn_sbom *sbom, size_t from, size_t to)
{
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		if (r->from == from && r->to == to && r->type == CAIRN_SBOM_REL_DEPENDS_ON)
			return 1;
	}
	return 0;
}

static int warned(const cairn_sbom *sbom, const char *a, const char *b)
{
	for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
		if (strstr(cairn_sbom_warning(sbom, i), a) != NULL && (b == NULL || strstr(cairn_sbom_warning(sbom, i), b) != NULL))
			return 1;
	return 0;
}

static cairn_sbom *parse(const char *text, const char *path)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_php_parse(sbom, text, strlen(text), path, NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	return sbom;
}

Test(sbom_php, composer_lock)
{
	cairn_sbom *sbom = parse(lock, "/app/composer.lock");
	cr_assert_eq(cairn_sbom_package_count(sbom), 5, "packages-dev are left out");
	size_t monolog = find(sbom, "monolog", "monolog", "2.9.1"), log = find(sbom, "psr", "log", "3.0.0");
	size_t console = find(sbom, "symfony", "console", "v5.4.0"), poly = find(sbom, "symfony", "polyfill-php80", "v1.27.0");
	size_t mixed = find(sbom, "Vendor", "MixedCase", "dev-main");
	const cairn_sbom_package *m = cairn_sbom_package_at(sbom, monolog);
	cr_assert_str_eq(m->purl, "pkg:composer/monolog/monolog@2.9.1");
	cr_assert_str_eq(m->supplier, "Jordi Boggiano <j.boggiano@seld.be>");
	cr_assert_str_eq(m->licenses[0], "MIT");
	/* the purl spec lowercases composer names and says nothing of a leading "v" */
	cr_assert_str_eq(cairn_sbom_package_at(sbom, console)->purl, "pkg:composer/symfony/console@v5.4.0");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, mixed)->purl, "pkg:composer/vendor/mixedcase@dev-main");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, poly)->licenses[0], "(MIT OR Apache-2.0)", "an array is a choice");
	cr_assert_str_eq(cairn_sbom_package_at(sbom, mixed)->licenses[0], "LicenseRef-proprietary");
	cr_assert(depends(sbom, monolog, log));
	cr_assert(depends(sbom, console, poly), "through replace");
	cr_assert(depends(sbom, console, monolog), "through provide");
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 3, "php and ext-json are the platform");
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0);
	cairn_sbom_free(sbom);
}

Test(sbom_php, installed_json_composer_1_and_2)
{
	static const char v1[] = "[{\"name\": \"psr/log\", \"version\": \"1.1.4\", \"version_normalized\": \"1.1.4.0\"},\n"
				 " {\"name\": \"monolog/monolog\", \"version\": \"1.27.1\", \"require\": {\"psr/log\": \"~1.0\"}}]";
	static const char v2[] = "{\"packages\": [{\"name\": \"psr/log\", \"version\": \"1.1.4\", \"install-path\": \"../psr/log\"},\n"
				 " {\"name\": \"monolog/monolog\", \"version\": \"1.27.1\", \"require\": {\"psr/log\": \"~1.0\"}},\n"
				 " {\"name\": \"phpunit/phpunit\", \"version\": \"9.6.8\"}],\n"
				 " \"dev\": true, \"dev-package-names\": [\"phpunit/phpunit\"]}";
	for (int i = 0; i < 2; i++) {
		cairn_sbom *sbom = parse(i ? v2 : v1, "/app/vendor/composer/installed.json");
		cr_assert_eq(cairn_sbom_package_count(sbom), i ? 3 : 2, "installed development packages are installed");
		size_t log = find(sbom, "psr", "log", "1.1.4"), monolog = find(sbom, "monolog", "monolog", "1.27.1");
		cr_assert(depends(sbom, monolog, log));
		cr_assert_str_eq(cairn_sbom_package_at(sbom, log)->locations[0].path, "/app/vendor/composer/installed.json");
		cairn_sbom_free(sbom);
	}
	/* a lockfile is never an array */
	cairn_sbom *sbom = parse(v1, "/app/composer.lock");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cr_assert(warned(sbom, "/app/composer.lock", "packages"));
	cairn_sbom_free(sbom);
}

Test(sbom_php, hostile)
{
	static const char *const bad[] = {
		"not json",
		"{\"packages\": {\"a/b\": \"1\"}}",
		"{\"packages\": [1, null, {\"name\": \"novendor\", \"version\": \"1\"}, {\"name\": \"a/b/c\", \"version\": \"1\"},\n"
		" {\"name\": \"a/b\"}, {\"name\": \"a/b\", \"version\": \"1 2\"}, {\"name\": \"a/\", \"version\": \"1\"},\n"
		" {\"name\": \"a b/c\", \"version\": \"1\"}, {\"name\": \"ok/ok\", \"version\": \"1\", \"require\": [\"x/y\"],\n"
		"  \"license\": {\"x\": 1}, \"authors\": \"me\"}]}",
		"{\"packages\": [{\"name\": \"a/b\", \"name\": \"c/d\", \"version\": \"1\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_sbom *sbom = parse(bad[i], "/x/composer.lock");
		cr_assert_eq(cairn_sbom_package_count(sbom), i == 2 ? 1 : 0, "case %zu", i);
		cr_assert(warned(sbom, "/x/composer.lock", NULL), "case %zu names the file", i);
		cairn_sbom_free(sbom);
	}
	/* nesting deeper than the limit */
	char deep[4096];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof deep, "{\"packages\": [{\"name\": \"a/b\", \"version\": \"1\", \"extra\": ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	n += (size_t)snprintf(deep + n, sizeof deep - n, "}]}");
	cairn_sbom *sbom = parse(deep, "/x/composer.lock");
	cr_assert_eq(cairn_sbom_package_count(sbom), 0);
	cr_assert(warned(sbom, "/x/composer.lock", NULL));
	cairn_sbom_free(sbom);
}

Test(sbom_php, lock_and_installed_are_one_package)
{
	char root[] = "/tmp/cairn-php-XXXXXX", path[256], source[128];
	cr_assert_not_null(mkdtemp(root));
	snprintf(path, sizeof path, "mkdir -p %s/srv/app/vendor/composer %s/srv/app/vendor/x/y", root, root);
	cr_assert_eq(system(path), 0);
	static const char *const files[][2] = {
		{"srv/app/composer.lock", "{\"packages\": [{\"name\": \"psr/log\", \"version\": \"3.0.0\"}],"
					  " \"packages-dev\": [{\"name\": \"phpunit/phpunit\", \"version\": \"9.6.8\"}]}"},
		{"srv/app/vendor/composer/installed.json", "{\"packages\": [{\"name\": \"psr/log\", \"version\": \"3.0.0\"}]}"},
		/* a lockfile shipped inside a package describes that package's development */
		{"srv/app/vendor/x/y/composer.lock", "{\"packages\": [{\"name\": \"other/thing\", \"version\": \"1.0.0\"}]}"},
	};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", root, files[i][0]);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(files[i][1], f);
		fclose(f);
	}
	snprintf(source, sizeof source, "dir:%s", root);
	cairn_image *image;
	cr_assert_eq(cairn_image_open(&image, source, NULL), 0, "%s", cairn_error_message());
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_catalog(&sbom, image, NULL), 0, "%s", cairn_error_message());
	cairn_image_close(image);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	const cairn_sbom_package *p = cairn_sbom_package_at(sbom, 0);
	cr_assert_eq(p->location_count, 2);
	cr_assert_str_eq(p->locations[0].path, "/srv/app/vendor/composer/installed.json");
	cr_assert_str_eq(p->locations[1].path, "/srv/app/composer.lock");
	cairn_sbom_free(sbom);
	snprintf(path, sizeof path, "rm -rf '%s'", root);
	cr_assert_eq(system(path), 0);
	cr_assert(sbom_php_wants("srv/app/vendor/composer/installed.json", 10));
	cr_assert(sbom_php_wants("composer.lock", 10));
	cr_assert(!sbom_php_wants("srv/app/installed.json", 10));
}
