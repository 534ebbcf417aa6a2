/* Unit tests of the npm cataloger: package-lock.json as docs.npmjs.com describes lockfileVersion 1
 * and 2/3, node_modules as Node's module resolution finds packages, and hostile manifests. The full
 * comparison with npm itself (npm install, npm ls) is in tests/e2e/sbom_lang.bats. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/sbom.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A project: a needs b@^2 (installed nested under a) and c; the scoped @s/b needs b@1 (hoisted);
 * c names a as a peer; an alias installs real-pkg as "alias"; a workspace link is not a package. */
static const char lock_v3[] = "{\"name\": \"app\", \"lockfileVersion\": 3, \"requires\": true, \"packages\": {\n"
			      " \"\": {\"name\": \"app\", \"dependencies\": {\"a\": \"^1\", \"@s/b\": \"3\"}},\n"
			      " \"node_modules/a\": {\"version\": \"1.0.0\", \"license\": \"MIT\", \"dependencies\": {\"b\": \"^2\", \"c\": \"1\"}},\n"
			      " \"node_modules/a/node_modules/b\": {\"version\": \"2.0.0\"},\n"
			      " \"node_modules/b\": {\"version\": \"1.0.0\", \"license\": \"(MIT OR Apache-2.0)\"},\n"
			      " \"node_modules/@s/b\": {\"version\": \"3.1.0\", \"dependencies\": {\"b\": \"1\"}},\n"
			      " \"node_modules/c\": {\"version\": \"1.2.0\", \"optional\": true, \"peerDependencies\": {\"a\": \"1\"}},\n"
			      " \"node_modules/alias\": {\"name\": \"real-pkg\", \"version\": \"4.0.0\"},\n"
			      " \"node_modules/linked\": {\"resolved\": \"packages/linked\", \"link\": true},\n"
			      " \"packages/linked\": {\"name\": \"linked\", \"version\": \"0.0.1\"}\n"
			      "}}\n";

static const char lock_v1[] = "{\"name\": \"app\", \"lockfileVersion\": 1, \"requires\": true, \"dependencies\": {\n"
			      " \"a\": {\"version\": \"1.0.0\", \"requires\": {\"b\": \"^2\", \"c\": \"1\"},\n"
			      "        \"dependencies\": {\"b\": {\"version\": \"2.0.0\"}}},\n"
			      " \"b\": {\"version\": \"1.0.0\"},\n"
			      " \"@s/b\": {\"version\": \"3.1.0\", \"requires\": {\"b\": \"1\"}},\n"
			      " \"c\": {\"version\": \"1.2.0\", \"requires\": {\"a\": \"1\"}}\n"
			      "}}\n";

/* The package "[@ns/]name@version", or fails. */
static size_t find(const cairn_sbom *sbom, const char *ns, const char *name, const char *version)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->type, "npm") == 0 && strcmp(p->name, name) == 0 && strcmp(p->version, version) == 0 &&
		    ((ns == NULL && p->namespace_ == NULL) || (ns && p->namespace_ && strcmp(ns, p->namespace_) == 0)))
			return i;
	}
	cr_assert_fail("no npm package %s%s%s@%s", ns ? ns : "", ns ? "/" : "", name, version);
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

static int warned(const cairn_sbom *sbom, const char *text)
{
	for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
		if (strstr(cairn_sbom_warning(sbom, i), text) != NULL)
			return 1;
	return 0;
}

/* The graph both lockfile versions describe. */
static void check_graph(const cairn_sbom *sbom)
{
	size_t a = find(sbom, NULL, "a", "1.0.0"), b1 = find(sbom, NULL, "b", "1.0.0"), b2 = find(sbom, NULL, "b", "2.0.0");
	size_t sb = find(sbom, "@s", "b", "3.1.0"), c = find(sbom, NULL, "c", "1.2.0");
	cr_assert(depends(sbom, a, b2), "a's own node_modules/b comes first");
	cr_assert(!depends(sbom, a, b1));
	cr_assert(depends(sbom, a, c));
	cr_assert(depends(sbom, sb, b1), "@s/b finds the hoisted b");
	cr_assert(depends(sbom, c, a), "peer dependencies count");
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 4);
}

Test(sbom_npm, lockfile_v3)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(cairn_sbom_parse_npm_lock(sbom, lock_v3, strlen(lock_v3), "/srv/app/package-lock.json", NULL), 0, "%s",
		     cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 6, "a, b@1, b@2, @s/b, c, real-pkg; not the project nor the link");
	check_graph(sbom);
	const cairn_sbom_package *sb = cairn_sbom_package_at(sbom, find(sbom, "@s", "b", "3.1.0"));
	cr_assert_str_eq(sb->purl, "pkg:npm/%40s/b@3.1.0"); /* purl-spec: the npm scope is the namespace */
	cr_assert_str_eq(sb->locations[0].path, "/srv/app/package-lock.json");
	const cairn_sbom_package *a = cairn_sbom_package_at(sbom, find(sbom, NULL, "a", "1.0.0"));
	cr_assert_eq(a->license_count, 1);
	cr_assert_str_eq(a->licenses[0], "MIT");
	find(sbom, NULL, "real-pkg", "4.0.0"); /* an alias is the real package */
	cairn_sbom_free(sbom);
}

Test(sbom_npm, lockfile_v1)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(cairn_sbom_parse_npm_lock(sbom, lock_v1, strlen(lock_v1), "/package-lock.json", NULL), 0, "%s",
		     cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 5);
	check_graph(sbom);
	cairn_sbom_free(sbom);
}

Test(sbom_npm, hostile_lockfiles)
{
	static const char *const bad[] = {
		"not json",
		"[1, 2]",
		"{\"lockfileVersion\": 3}",
		"{\"packages\": {\"node_modules/x\": {\"version\": 5}, \"node_modules/y\": \"z\", \"node_modules/\": {\"version\": \"1\"}}}",
		"{\"packages\": {\"node_modules/a/b/c\": {\"version\": \"1\"}}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_sbom *sbom;
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		cr_assert_eq(cairn_sbom_parse_npm_lock(sbom, bad[i], strlen(bad[i]), "/p/package-lock.json", NULL), 0, "%s",
			     cairn_error_message());
		cr_assert_eq(cairn_sbom_package_count(sbom), 0, "%s", bad[i]);
		cr_assert(warned(sbom, "/p/package-lock.json"), "case %zu warns naming the file", i);
		cairn_sbom_free(sbom);
	}
	/* nested past the limit */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 1);
	cr_assert_not_null(deep);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(cairn_sbom_parse_npm_lock(sbom, deep, 2 * depth, "/deep/package-lock.json", NULL), 0);
	cr_assert(warned(sbom, "/deep/package-lock.json"));
	cairn_sbom_free(sbom);
	free(deep);
}

/* ---- node_modules, through the catalog ---- */

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

static void fixture(void)
{
	snprintf(root, sizeof root, "/tmp/cairn-npm-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

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

Test(sbom_npm, node_modules, .init = fixture, .fini = cleanup)
{
	put("app/package.json", "{\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": {\"x\": \"1\"}}");
	put("app/node_modules/x/package.json",
	    "{\"name\": \"x\", \"version\": \"1.0.0\", \"license\": {\"type\": \"ISC\"}, \"dependencies\": {\"y\": \"1\", \"z\": \"2\"}}");
	put("app/node_modules/x/node_modules/z/package.json", "{\"name\": \"z\", \"version\": \"2.0.0\"}");
	put("app/node_modules/z/package.json", "{\"name\": \"z\", \"version\": \"1.0.0\"}");
	put("app/node_modules/@sc/y/package.json", "{\"name\": \"@sc/y\", \"version\": \"0.1.0\"}");
	put("app/node_modules/y/package.json", "{\"name\": \"y\", \"version\": \"3.0.0\", \"dependencies\": {\"z\": \"1\"}}");
	put("app/node_modules/x/lib/package.json", "{\"name\": \"x-lib\", \"version\": \"9\"}"); /* not an installed package */
	put("app/node_modules/.bin/package.json", "{\"name\": \"bin\", \"version\": \"9\"}");
	put("app/node_modules/broken/package.json", "{\"name\": \"broken\", ");
	put("app/node_modules/noversion/package.json", "{\"name\": \"noversion\"}");
	/* the lockfile lists x too: one package, two locations */
	put("app/package-lock.json", "{\"lockfileVersion\": 3, \"packages\": {\"\": {}, \"node_modules/x\": {\"version\": \"1.0.0\"},"
				     " \"node_modules/only-locked\": {\"version\": \"5.0.0\"}}}");
	cairn_sbom *sbom = catalog();
	size_t npm = 0;
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		npm += strcmp(cairn_sbom_package_at(sbom, i)->type, "npm") == 0;
	cr_assert_eq(npm, 6, "x, z@2, z@1, @sc/y, y, only-locked");
	size_t x = find(sbom, NULL, "x", "1.0.0"), y = find(sbom, NULL, "y", "3.0.0");
	size_t z1 = find(sbom, NULL, "z", "1.0.0"), z2 = find(sbom, NULL, "z", "2.0.0");
	find(sbom, "@sc", "y", "0.1.0");
	find(sbom, NULL, "only-locked", "5.0.0");
	cr_assert(depends(sbom, x, z2) && !depends(sbom, x, z1), "x's own node_modules/z wins");
	cr_assert(depends(sbom, x, y) && depends(sbom, y, z1));
	const cairn_sbom_package *xp = cairn_sbom_package_at(sbom, x);
	cr_assert_str_eq(xp->licenses[0], "ISC");
	cr_assert_eq(xp->location_count, 2);
	cr_assert_str_eq(xp->locations[0].path, "/app/node_modules/x/package.json");
	cr_assert_str_eq(xp->locations[1].path, "/app/package-lock.json");
	cr_assert(warned(sbom, "/app/node_modules/broken/package.json"));
	cr_assert(warned(sbom, "/app/node_modules/noversion/package.json"));
	cairn_sbom_free(sbom);
}

Test(sbom_npm, package_json_bomb, .init = fixture, .fini = cleanup)
{
	put("node_modules/ok/package.json", "{\"name\": \"ok\", \"version\": \"1.0.0\"}");
	char rel[] = "node_modules/deep/package.json";
	size_t depth = 200;
	cairn_buf text = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_buf_append_str(&text, "{\"name\": \"deep\", \"version\": \"1.0.0\", \"x\": "), 0);
	for (size_t i = 0; i < depth; i++)
		cr_assert_eq(cairn_buf_append_byte(&text, '['), 0);
	for (size_t i = 0; i < depth; i++)
		cr_assert_eq(cairn_buf_append_byte(&text, ']'), 0);
	cr_assert_eq(cairn_buf_append_str(&text, "}"), 0);
	put(rel, cairn_buf_cstr(&text));
	cairn_buf_clear(&text);
	cr_assert_eq(cairn_buf_append_str(&text, "{\"name\": \"huge\", \"version\": \"1.0.0\", \"x\": \""), 0);
	for (size_t i = 0; i < 1100 * 1024; i++)
		cr_assert_eq(cairn_buf_append_byte(&text, 'a'), 0);
	cr_assert_eq(cairn_buf_append_str(&text, "\"}"), 0);
	put("node_modules/huge/package.json", cairn_buf_cstr(&text));
	cairn_buf_free(&text);
	cairn_sbom *sbom = catalog();
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	cr_assert_str_eq(cairn_sbom_package_at(sbom, 0)->name, "ok");
	cr_assert(warned(sbom, "/node_modules/deep/package.json"));
	cr_assert(warned(sbom, "/node_modules/huge/package.json"));
	cairn_sbom_free(sbom);
}

/* ---- yarn.lock and pnpm-lock.yaml: the same project in each format ---- */

/* yarn v1 (classic): a needs b@^2 and c; @s/b and c need b@^1 */
static const char yarn_v1[] = "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
			      "# yarn lockfile v1\n\n\n"
			      "\"@s/b@3\":\n  version \"3.1.0\"\n  resolved \"https://registry.yarnpkg.com/@s/b/-/b-3.1.0.tgz\"\n"
			      "  dependencies:\n    b \"^1.0.0\"\n\n"
			      "a@^1:\n  version \"1.0.0\"\n  dependencies:\n    b \"^2\"\n    c \"1\"\n\n"
			      "b@^1.0.0, b@~1.0:\n  version \"1.0.0\"\n\n"
			      "b@^2:\n  version \"2.0.0\"\n\n"
			      "c@1:\n  version \"1.2.0\"\n  optionalDependencies:\n    b \"~1.0\"\n";

static const char yarn_berry[] = "# This file is generated by running \"yarn install\" inside your project.\n\n"
				 "__metadata:\n  version: 6\n  cacheKey: 8\n\n"
				 "\"@s/b@npm:3\":\n  version: 3.1.0\n  resolution: \"@s/b@npm:3.1.0\"\n"
				 "  dependencies:\n    b: ^1.0.0\n  languageName: node\n  linkType: hard\n\n"
				 "\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  dependencies:\n    b: ^2\n    c: 1\n"
				 "  linkType: hard\n\n"
				 "\"b@npm:^1.0.0, b@npm:~1.0\":\n  version: 1.0.0\n  resolution: \"b@npm:1.0.0\"\n\n"
				 "\"b@npm:^2\":\n  version: 2.0.0\n  resolution: \"b@npm:2.0.0\"\n\n"
				 "\"c@npm:1\":\n  version: 1.2.0\n  resolution: \"c@npm:1.2.0\"\n  optionalDependencies:\n    b: ~1.0\n\n"
				 "\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n"
				 "  dependencies:\n    a: ^1\n  languageName: unknown\n  linkType: soft\n";

static const char pnpm_v5[] = "lockfileVersion: 5.4\n\nspecifiers:\n  a: ^1\n\ndependencies:\n  a: 1.0.0\n\npackages:\n\n"
			      "  /@s/b/3.1.0:\n    resolution: {integrity: sha512-x}\n    dependencies:\n      b: 1.0.0\n    dev: false\n\n"
			      "  /a/1.0.0:\n    dependencies:\n      b: 2.0.0\n      c: 1.2.0_b@1.0.0\n\n"
			      "  /b/1.0.0:\n    dev: false\n\n  /b/2.0.0:\n    dev: false\n\n"
			      "  /c/1.2.0_b@1.0.0:\n    optionalDependencies:\n      b: 1.0.0\n";

static const char pnpm_v6[] = "lockfileVersion: '6.0'\n\ndependencies:\n  a:\n    specifier: ^1\n    version: 1.0.0\n\npackages:\n\n"
			      "  /@s/b@3.1.0:\n    resolution: {integrity: sha512-x}\n    dependencies:\n      b: 1.0.0\n\n"
			      "  /a@1.0.0:\n    dependencies:\n      b: 2.0.0\n      c: 1.2.0(b@1.0.0)\n\n"
			      "  /b@1.0.0:\n    dev: false\n\n  /b@2.0.0:\n    dev: false\n\n"
			      "  /c@1.2.0(b@1.0.0):\n    optionalDependencies:\n      b: 1.0.0\n";

static const char pnpm_v9[] = "lockfileVersion: '9.0'\n\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n"
			      "        version: 1.0.0\n\npackages:\n\n"
			      "  '@s/b@3.1.0':\n    resolution: {integrity: sha512-x}\n\n  a@1.0.0:\n    resolution: {integrity: sha512-y}\n\n"
			      "  b@1.0.0:\n    resolution: {integrity: sha512-z}\n\n  b@2.0.0:\n    resolution: {integrity: sha512-w}\n\n"
			      "  c@1.2.0:\n    resolution: {integrity: sha512-v}\n    peerDependencies:\n      b: '*'\n\n"
			      "snapshots:\n\n  '@s/b@3.1.0':\n    dependencies:\n      b: 1.0.0\n\n"
			      "  a@1.0.0:\n    dependencies:\n      b: 2.0.0\n      c: 1.2.0(b@1.0.0)\n\n"
			      "  b@1.0.0: {}\n\n  b@2.0.0: {}\n\n  c@1.2.0(b@1.0.0):\n    optionalDependencies:\n      b: 1.0.0\n";

/* a -> b@2, a -> c, @s/b -> b@1, c -> b@1: the same graph in every format */
static void check_keyed(int (*parse)(cairn_sbom *, const char *, size_t, const char *, const char *), const char *text,
			const char *path)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(parse(sbom, text, strlen(text), path, NULL), 0, "%s: %s", path, cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
		cr_log_info("%s: warning: %s", path, cairn_sbom_warning(sbom, i));
	cr_assert_eq(cairn_sbom_package_count(sbom), 5, "%s: a, b@1, b@2, @s/b, c (not the workspace)", path);
	size_t a = find(sbom, NULL, "a", "1.0.0"), b1 = find(sbom, NULL, "b", "1.0.0"), b2 = find(sbom, NULL, "b", "2.0.0");
	size_t sb = find(sbom, "@s", "b", "3.1.0"), c = find(sbom, NULL, "c", "1.2.0");
	cr_assert(depends(sbom, a, b2) && !depends(sbom, a, b1), "%s: a needs b@^2", path);
	cr_assert(depends(sbom, a, c), "%s", path);
	cr_assert(depends(sbom, sb, b1), "%s", path);
	cr_assert(depends(sbom, c, b1), "%s: optional dependencies count", path);
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 4, "%s", path);
	cr_assert_str_eq(cairn_sbom_package_at(sbom, sb)->locations[0].path, path);
	cairn_sbom_free(sbom);
}

Test(sbom_npm, yarn_v1) { check_keyed(cairn_sbom_parse_yarn_lock, yarn_v1, "/app/yarn.lock"); }
Test(sbom_npm, yarn_berry) { check_keyed(cairn_sbom_parse_yarn_lock, yarn_berry, "/app/yarn.lock"); }
Test(sbom_npm, pnpm_v5) { check_keyed(cairn_sbom_parse_pnpm_lock, pnpm_v5, "/app/pnpm-lock.yaml"); }
Test(sbom_npm, pnpm_v6) { check_keyed(cairn_sbom_parse_pnpm_lock, pnpm_v6, "/app/pnpm-lock.yaml"); }
Test(sbom_npm, pnpm_v9) { check_keyed(cairn_sbom_parse_pnpm_lock, pnpm_v9, "/app/pnpm-lock.yaml"); }

Test(sbom_npm, hostile_yarn_and_pnpm)
{
	static const char *const yarn_bad[] = {"a@1:\n  resolved \"x\"\n", "just text\n", "a@1:\n  version \"1\"\0\n",
					       "__metadata:\n  version: 6\n\"a@npm:1\": [unclosed\n"};
	static const size_t yarn_len[] = {0, 0, 21, 0};
	for (size_t i = 0; i < sizeof yarn_bad / sizeof yarn_bad[0]; i++) {
		cairn_sbom *sbom;
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		size_t len = yarn_len[i] ? yarn_len[i] : strlen(yarn_bad[i]);
		cr_assert_eq(cairn_sbom_parse_yarn_lock(sbom, yarn_bad[i], len, "/y/yarn.lock", NULL), 0);
		cr_assert(warned(sbom, "/y/yarn.lock"), "yarn case %zu warns naming the file", i);
		cairn_sbom_free(sbom);
	}
	/* YAML aliases: a billion laughs is a tree of references, never expanded */
	static const char laughs[] = "lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
				     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\npackages: {'x@1': {dependencies: {y: *c}}}\n";
	static const char *const pnpm_bad[] = {"- a list\n", "packages: {'/nover': {}}\n", "packages: [\n", laughs};
	for (size_t i = 0; i < sizeof pnpm_bad / sizeof pnpm_bad[0]; i++) {
		cairn_sbom *sbom;
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		cr_assert_eq(cairn_sbom_parse_pnpm_lock(sbom, pnpm_bad[i], strlen(pnpm_bad[i]), "/p/pnpm-lock.yaml", NULL), 0);
		cr_assert(i == 3 || warned(sbom, "/p/pnpm-lock.yaml"), "pnpm case %zu warns naming the file", i);
		cairn_sbom_free(sbom);
	}
}
