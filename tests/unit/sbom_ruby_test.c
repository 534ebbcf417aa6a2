/* Unit tests of the Ruby cataloger: gemspecs as RubyGems' Gem::Specification#to_ruby writes them
 * (the samples follow Debian's installed specifications and the RubyGems specification reference),
 * Gemfile.lock as Bundler writes it (bundler.io "Gemfile.lock" and LockfileParser's grammar), hostile
 * input, and a directory laid out as Debian lays gems out. The comparison with RubyGems and Bundler
 * themselves is in tests/e2e/sbom_ruby_php.bats. */
#include "cairn/error.h"
#include "cairn/image.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As RubyGems 3.3 writes it: %q<> names, .freeze, dependencies in both if/else branches, a
 * development dependency, a NUL byte in the stub comment line (RubyGems puts extension lists there). */
static const char rake_spec[] = "# -*- encoding: utf-8 -*-\n"
				"# stub: rake 13.0.6 ruby lib\n"
				"# stub: ext/a/extconf.rb\0ext/b/extconf.rb\n"
				"\n"
				"Gem::Specification.new do |s|\n"
				"  s.name = \"rake\".freeze\n"
				"  s.version = \"13.0.6\"\n"
				"\n"
				"  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze) if s.respond_to? :required_rubygems_version=\n"
				"  s.metadata = { \"bug_tracker_uri\" => \"https://github.com/ruby/rake/issues\",\n"
				"    \"name\" => \"not-the-name\" } if s.respond_to? :metadata=\n"
				"  s.authors = [\"Hiroshi SHIBATA\".freeze, \"Eric Hodel\".freeze, \"Jim Weirich\".freeze]\n"
				"  s.description = \"Rake is a Make-like program.\\n  s.name = \\\"evil\\\"\\n\".freeze\n"
				"  s.email = [\"hsbt@ruby-lang.org\".freeze, nil]\n"
				"  s.homepage = \"https://github.com/ruby/rake\".freeze\n"
				"  s.licenses = [\"MIT\".freeze]\n"
				"  s.installed_by_version = \"3.3.7\" if s.respond_to? :installed_by_version\n"
				"\n"
				"  if s.respond_to? :add_runtime_dependency then\n"
				"    s.add_runtime_dependency(%q<rbs>.freeze, [\">= 1.8.1\"])\n"
				"    s.add_development_dependency(%q<minitest>.freeze, [\"~> 5.0\"])\n"
				"  else\n"
				"    s.add_dependency(%q<rbs>.freeze, [\">= 1.8.1\"])\n"
				"    s.add_dependency(%q<minitest>.freeze, [\"~> 5.0\"])\n"
				"  end\n"
				"end\n";

static size_t find(const cairn_sbom *sbom, const char *name, const char *version)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++) {
		const cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
		if (strcmp(p->type, "gem") == 0 && strcmp(p->name, name) == 0 && strcmp(p->version, version) == 0)
			return i;
	}
	cr_assert_fail("no gem %s@%s", name, version);
	return 0;
}

static size_t find_purl(const cairn_sbom *sbom, const char *purl)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		if (cairn_sbom_package_at(sbom, i)->purl && strcmp(cairn_sbom_package_at(sbom, i)->purl, purl) == 0)
			return i;
	cr_assert_fail("no package %s", purl);
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

static int warned(const cairn_sbom *sbom, const char *a, const char *b)
{
	for (size_t i = 0; i < cairn_sbom_warning_count(sbom); i++)
		if (strstr(cairn_sbom_warning(sbom, i), a) != NULL && (b == NULL || strstr(cairn_sbom_warning(sbom, i), b) != NULL))
			return 1;
	return 0;
}

static cairn_sbom *gemspec(const char *text, size_t len)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_ruby_parse_gemspec(sbom, text, len, "/specifications/x.gemspec", NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	return sbom;
}

Test(sbom_ruby, gemspec_as_rubygems_writes_it)
{
	cairn_sbom *sbom = gemspec(rake_spec, sizeof rake_spec - 1);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1, "%zu warnings, first: %s", cairn_sbom_warning_count(sbom),
		     cairn_sbom_warning_count(sbom) ? cairn_sbom_warning(sbom, 0) : "");
	const cairn_sbom_package *p = cairn_sbom_package_at(sbom, 0);
	cr_assert_str_eq(p->name, "rake", "the first assignment, not one inside a string or a hash");
	cr_assert_str_eq(p->version, "13.0.6");
	cr_assert_str_eq(p->purl, "pkg:gem/rake@13.0.6");
	cr_assert_eq(p->license_count, 1);
	cr_assert_str_eq(p->licenses[0], "MIT");
	cr_assert_str_eq(p->supplier, "Hiroshi SHIBATA, Eric Hodel, Jim Weirich");
	cr_assert_str_eq(p->locations[0].path, "/specifications/x.gemspec");
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0);
	cairn_sbom_free(sbom);
}

Test(sbom_ruby, gemspec_other_forms)
{
	/* a hand-written form: another block variable, Gem::Version.new, single quotes, license as a
	 * string, a platform gem, several licenses (a choice: joined with OR) */
	static const char text[] = "Gem::Specification.new do |spec|\n"
				   "  spec.name    = 'nokogiri'\n"
				   "  spec.version = Gem::Version.new(\"1.15.0\".freeze)\n"
				   "  spec.platform = \"x86_64-linux\".freeze\n"
				   "  spec.licenses = [%q{Ruby}, \"BSD-2-Clause\"]\n"
				   "  spec.author = \"Mike Dalessio\"\n"
				   "  spec.summary = <<~EOS\n"
				   "    spec.name = 'heredoc'\n"
				   "  EOS\n"
				   "end\n";
	cairn_sbom *sbom = gemspec(text, sizeof text - 1);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	const cairn_sbom_package *p = cairn_sbom_package_at(sbom, 0);
	cr_assert_str_eq(p->name, "nokogiri");
	cr_assert_str_eq(p->version, "1.15.0");
	cr_assert_str_eq(p->purl, "pkg:gem/nokogiri@1.15.0?platform=x86_64-linux");
	cr_assert_eq(p->license_count, 1);
	cr_assert_str_eq(p->licenses[0], "(Ruby OR BSD-2-Clause)");
	cr_assert_str_eq(p->supplier, "Mike Dalessio");
	cairn_sbom_free(sbom);
}

Test(sbom_ruby, gemspec_that_needs_ruby_is_not_guessed)
{
	static const char *const bad[] = {
		"Gem::Specification.new do |s|\n s.name = \"a#{1}\"\n s.version = \"1.0\"\nend\n",
		"Gem::Specification.new do |s|\n s.name = NAME\n s.version = \"1.0\"\nend\n",
		"Gem::Specification.new do |s|\n s.name = \"ok\"\n s.version = VERSION\nend\n",
		"Gem::Specification.new do |s|\n s.name = \"bad name\"\n s.version = \"1.0\"\nend\n",
		"Gem::Specification.new do |s|\n s.name = \"ok\"\n s.version = \"1.0 beta\"\nend\n",
		"s.name = \"ok\"\ns.version = \"1.0\"\n", /* no block */
		"Gem::Specification.new do |s|\n s.name = \"unterminated\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_sbom *sbom = gemspec(bad[i], strlen(bad[i]));
		cr_assert_eq(cairn_sbom_package_count(sbom), 0, "case %zu", i);
		cr_assert(warned(sbom, "/specifications/x.gemspec", "left out"), "case %zu names the file", i);
		cairn_sbom_free(sbom);
	}
}

Test(sbom_ruby, gemspec_hostile_bytes)
{
	/* deep brackets, a statement of many tokens, NUL bytes, an unterminated %q: no crash, no leak */
	size_t n = 200000;
	char *text = malloc(n);
	cr_assert_not_null(text);
	static const char head[] = "Gem::Specification.new do |s|\n s.name = \"x\"\n s.version = \"1\"\n s.licenses = [";
	memcpy(text, head, sizeof head - 1);
	for (size_t i = sizeof head - 1; i < n; i++)
		text[i] = "[\"a\",\0(%q<"[i % 10];
	cairn_sbom *sbom = gemspec(text, n);
	cr_assert_eq(cairn_sbom_package_count(sbom), 1);
	cr_assert_str_eq(cairn_sbom_package_at(sbom, 0)->name, "x");
	cairn_sbom_free(sbom);
	free(text);
}

/* A lockfile with every kind of source, platform variants and a dependency list under each spec. */
static const char gemfile_lock[] = "GIT\n"
				   "  remote: https://github.com/example/mygit.git\n"
				   "  revision: 0123456789abcdef0123456789abcdef01234567\n"
				   "  specs:\n"
				   "    mygit (0.3.0)\n"
				   "      rack (>= 2.0)\n"
				   "\n"
				   "PATH\n"
				   "  remote: .\n"
				   "  specs:\n"
				   "    myapp (1.0.0)\n"
				   "      nokogiri (~> 1.15)\n"
				   "      mygit\n"
				   "\n"
				   "GEM\n"
				   "  remote: https://rubygems.org/\n"
				   "  specs:\n"
				   "    mini_portile2 (2.8.2)\n"
				   "    nokogiri (1.15.0)\n"
				   "      mini_portile2 (~> 2.8.2)\n"
				   "      racc (~> 1.4)\n"
				   "    nokogiri (1.15.0-x86_64-linux)\n"
				   "      racc (~> 1.4)\n"
				   "    racc (1.7.1)\n"
				   "    rack (3.0.8)\n"
				   "    this is not a spec\n"
				   "\n"
				   "PLATFORMS\n"
				   "  ruby\n"
				   "  x86_64-linux\n"
				   "\n"
				   "DEPENDENCIES\n"
				   "  myapp!\n"
				   "  mygit!\n"
				   "  notlisted (1.0)\n"
				   "\n"
				   "BUNDLED WITH\n"
				   "   2.4.10\n";

Test(sbom_ruby, gemfile_lock)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_ruby_parse_gemfile_lock(sbom, gemfile_lock, sizeof gemfile_lock - 1, "/app/Gemfile.lock", NULL), 0);
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	cr_assert_eq(cairn_sbom_package_count(sbom), 7, "mygit, myapp, mini_portile2, nokogiri twice, racc, rack");
	size_t app = find(sbom, "myapp", "1.0.0"), git = find(sbom, "mygit", "0.3.0"), rack = find(sbom, "rack", "3.0.8");
	size_t noko = find_purl(sbom, "pkg:gem/nokogiri@1.15.0");
	size_t noko_linux = find_purl(sbom, "pkg:gem/nokogiri@1.15.0?platform=x86_64-linux");
	size_t racc = find(sbom, "racc", "1.7.1"), mp = find(sbom, "mini_portile2", "2.8.2");
	cr_assert(related(sbom, app, noko, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(related(sbom, app, noko_linux, CAIRN_SBOM_REL_DEPENDS_ON), "every platform variant");
	cr_assert(related(sbom, app, git, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(related(sbom, git, rack, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(related(sbom, noko, mp, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(related(sbom, noko, racc, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(related(sbom, noko_linux, racc, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(!related(sbom, noko_linux, mp, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 7);
	cr_assert(warned(sbom, "/app/Gemfile.lock: line 26", NULL), "the malformed spec line is named");
	cairn_sbom_free(sbom);
}

Test(sbom_ruby, gemfile_lock_hostile)
{
	static const char *const bad[] = {
		"GEM\n  specs:\n    a (1.0\n    (1.0)\n    b ()\n    c (1.0-)\n    d (1 0)\n    e(1.0)\n",
		"GEM\n  specs:\n    a (1.0)\n\0    b (2.0)\n",
		"GEM\n  specs:\n      orphan-dependency\n",
		"GEM\nspecs:\n    a (1.0)\n", /* specs at the wrong indentation */
		"",
		"GEM\r\n  specs:\r\n    a (1.0)\r\n      b\r\n", /* CRLF line ends are fine */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		/* case 1 has a NUL byte: the spec before it counts, the rest is not read */
		size_t len = i == 1 ? strlen(bad[1]) + 1 + strlen(bad[1] + strlen(bad[1]) + 1) : strlen(bad[i]);
		cairn_sbom *sbom;
		cr_assert_eq(cairn_sbom_new(&sbom), 0);
		cr_assert_eq(sbom_ruby_parse_gemfile_lock(sbom, bad[i], len, "/Gemfile.lock", NULL), 0);
		cr_assert_eq(cairn_sbom_package_count(sbom), i == 1 || i == 5 ? 1 : 0, "case %zu", i);
		cairn_sbom_free(sbom);
	}
}

/* ---- a directory laid out as Debian and gem install lay gems out ---- */

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

#define DEB_SPECS "usr/share/rubygems-integration/all/specifications/"

static void fixture(void)
{
	snprintf(root, sizeof root, "/tmp/cairn-rb-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	put(DEB_SPECS "mustermann-3.0.0.gemspec",
	    "Gem::Specification.new do |s|\n  s.name = \"mustermann\".freeze\n  s.version = \"3.0.0\"\n"
	    "  s.licenses = [\"MIT\".freeze]\n"
	    "  if s.respond_to? :add_runtime_dependency then\n"
	    "    s.add_runtime_dependency(%q<ruby2_keywords>.freeze, [\"~> 0.0.1\"])\n"
	    "    s.add_development_dependency(%q<json>.freeze, [\">= 0\"])\n  else\n"
	    "    s.add_dependency(%q<ruby2_keywords>.freeze, [\"~> 0.0.1\"])\n"
	    "    s.add_dependency(%q<json>.freeze, [\">= 0\"])\n  end\nend\n");
	put("usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0/specifications/ruby2_keywords-0.0.5.gemspec",
	    "Gem::Specification.new do |spec|\n  spec.name = \"ruby2_keywords\".freeze\n  spec.version = \"0.0.5\"\n"
	    "  spec.add_dependency \"json\", \">= 2\"\nend\n");
	/* gem install (not Debian's): a default gem, and one the lockfile also lists */
	put("var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec",
	    "Gem::Specification.new do |s|\n  s.name = \"json\".freeze\n  s.version = \"2.6.1\"\nend\n");
	put("var/lib/gems/3.1.0/specifications/rack-3.0.8.gemspec",
	    "Gem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\nend\n");
	put("var/lib/gems/3.1.0/specifications/broken.gemspec", "this is not Ruby at all {{{\n");
	/* not under specifications/: not an installed gem */
	put("srv/app/myapp.gemspec", "Gem::Specification.new do |s|\n  s.name = \"myapp\"\n  s.version = \"1\"\nend\n");
	put("srv/app/Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.8)\n    sinatra (3.0.0)\n"
				    "      mustermann (~> 3.0)\n      rack (~> 2.2, >= 2.2.4)\n\n");
	put("var/lib/dpkg/status", "Package: ruby-mustermann\nStatus: install ok installed\nArchitecture: all\nVersion: 3.0.0-2\n\n");
	put("var/lib/dpkg/info/ruby-mustermann.list", "/.\n/usr\n/" DEB_SPECS "mustermann-3.0.0.gemspec\n");
}

TestSuite(sbom_ruby_dir, .init = fixture, .fini = cleanup);

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

Test(sbom_ruby_dir, installed_gems_lockfile_and_ownership)
{
	cairn_sbom *sbom = catalog();
	size_t gems = 0;
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		gems += strcmp(cairn_sbom_package_at(sbom, i)->type, "gem") == 0;
	cr_assert_eq(gems, 5, "mustermann, ruby2_keywords, json, rack, sinatra");
	size_t must = find(sbom, "mustermann", "3.0.0"), r2k = find(sbom, "ruby2_keywords", "0.0.5");
	size_t rack = find(sbom, "rack", "3.0.8"), sinatra = find(sbom, "sinatra", "3.0.0");
	size_t json = find(sbom, "json", "2.6.1");
	cr_assert(related(sbom, must, r2k, CAIRN_SBOM_REL_DEPENDS_ON), "resolved across specification directories");
	cr_assert(!related(sbom, must, json, CAIRN_SBOM_REL_DEPENDS_ON), "the else branch repeats development dependencies");
	cr_assert(related(sbom, r2k, json, CAIRN_SBOM_REL_DEPENDS_ON), "a plain add_dependency is a runtime one");
	cr_assert(related(sbom, sinatra, rack, CAIRN_SBOM_REL_DEPENDS_ON));
	cr_assert(!related(sbom, sinatra, must, CAIRN_SBOM_REL_DEPENDS_ON), "a lockfile resolves within itself");
	const cairn_sbom_package *r = cairn_sbom_package_at(sbom, rack);
	cr_assert_eq(r->location_count, 2, "installed and locked: one package, two locations");
	size_t deb = 0;
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		if (strcmp(cairn_sbom_package_at(sbom, i)->type, "deb") == 0)
			deb = i;
	cr_assert(related(sbom, deb, must, CAIRN_SBOM_REL_CONTAINS), "ruby-mustermann owns the gemspec");
	cr_assert(!related(sbom, deb, r2k, CAIRN_SBOM_REL_CONTAINS));
	cr_assert(warned(sbom, "specifications/broken.gemspec", "left out"));
	cairn_sbom_free(sbom);
}

Test(sbom_ruby_dir, wants)
{
	cr_assert(sbom_ruby_wants("usr/share/rubygems-integration/all/specifications/a-1.gemspec", 10));
	cr_assert(sbom_ruby_wants("usr/lib/ruby/gems/3.1.0/specifications/default/a-1.gemspec", 10));
	cr_assert(sbom_ruby_wants("srv/app/Gemfile.lock", 10));
	cr_assert(sbom_ruby_wants("srv/app/gems.locked", 10));
	cr_assert(!sbom_ruby_wants("srv/app/a.gemspec", 10));
	cr_assert(!sbom_ruby_wants("x/notspecifications/a.gemspec", 10));
	cr_assert(!sbom_ruby_wants("x/specifications/a.gemspec", 2 * 1024 * 1024));
}
