#!/usr/bin/env bats
# cairn sbom, Ruby, PHP and .NET packages against independent ground truth.
#  - Ruby, installed: the specifications directories of Debian's ruby and ruby-* packages (ruby-rack,
#    ruby-json, ruby-mustermann, ruby-tilt; scripts/deps installs them), copied into a root, against
#    RubyGems itself: Gem::Specification.load of each gemspec, and Gem::Specification.each with
#    GEM_PATH set to the copies; the runtime dependency edges; and the owner `dpkg -S` names for each
#    gemspec (CONTAINS).
#  - Ruby, Gemfile.lock: Bundler's own Bundler::LockfileParser on a lockfile with GIT, PATH and GEM
#    sources and platform variants: the specs and their dependency edges.
#  - PHP: composer.lock and installed.json (Composer 1 and 2 forms) against python3's json reading of
#    the same files: packages (packages-dev left out of the lockfile) and require edges.
#  - .NET: a deps.json against python3's json reading of it.
# Recall and precision are printed; every SBOM written validates against the official schemas.

load helpers

setup_file() {
	export SOURCE_DATE_EPOCH=1700000000
}

py() { python3 -c "$@"; }

validate() { # validate cyclonedx|spdx FILE
	run "$CAIRN_CORPUS/sbom/validate.sh" "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
}

# Recall and precision of got against want (files of lines); prints them and every miss.
score() { # score LABEL WANT GOT
	py '
import sys
label, want, got = sys.argv[1], set(open(sys.argv[2]).read().split("\n")) - {""}, set(open(sys.argv[3]).read().split("\n")) - {""}
tp = len(want & got)
print("%s: %d expected, %d found, recall %.1f%%, precision %.1f%%" % (label, len(want), len(got),
      100.0 * tp / max(len(want), 1), 100.0 * tp / max(len(got), 1)))
for m in sorted(want - got): print("  missed:", m)
for m in sorted(got - want): print("  extra:", m)
sys.exit(0 if want == got else 1)
' "$@" >&3
}

# Packages of one purl type in a CycloneDX file, one "key" a line, and the dependency edges between
# them as "key -> key". The key is the purl without "pkg:TYPE/", percent-decoded, with "@" and
# "?platform=" made into tabs and "-": "rack\t3.0.8", "nokogiri\t1.15.0-x86_64-linux",
# "symfony/console\tv5.4.0".
cdx() { # cdx TYPE FILE packages|edges
	py '
import json, sys, urllib.parse
kind, path, what = sys.argv[1:4]
d = json.load(open(path))
key = {}
for c in d["components"]:
    purl = c.get("purl", "")
    if not purl.startswith("pkg:" + kind + "/"):
        continue
    rest = urllib.parse.unquote(purl[len(kind) + 5:])
    rest, _, quals = rest.partition("?")
    name, _, version = rest.rpartition("@")
    plat = dict(q.split("=", 1) for q in quals.split("&") if q).get("platform")
    key[c["bom-ref"]] = name + "\t" + version + ("-" + plat if plat else "")
if what == "packages":
    out = set(key.values())
else:
    out = {key[x["ref"]] + " -> " + key[y] for x in d["dependencies"] if x["ref"] in key for y in x["dependsOn"] if y in key}
print("\n".join(sorted(out)))
' "$@" | LC_ALL=C sort -u
}

SPEC_DIRS="/usr/share/rubygems-integration/all /usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0 /usr/lib/ruby/gems/3.1.0"

# A root with the specifications directories of Debian's gems (and dpkg's database, for ownership).
ruby_root() {
	root="$BATS_TEST_TMPDIR/root"
	gempath=""
	for d in $SPEC_DIRS; do
		[ -d "$d/specifications" ] || continue
		mkdir -p "$root$d"
		cp -r "$d/specifications" "$root$d/"
		gempath="$gempath${gempath:+:}$root$d"
	done
	mkdir -p "$root/var/lib/dpkg/info"
	cp /var/lib/dpkg/status "$root/var/lib/dpkg/status"
	find /var/lib/dpkg/info -maxdepth 1 -name '*.list' -exec cp -t "$root/var/lib/dpkg/info" {} +
}

@test "sbom ruby: Debian's installed gems against RubyGems' own reading (recall and precision 100%)" {
	# the packages scripts/deps installs must be there: this test never skips
	ls /usr/share/rubygems-integration/all/specifications/ >debian-gems
	grep -q '^rack-' debian-gems && grep -q '^mustermann-' debian-gems && grep -q '^tilt-' debian-gems
	ruby_root
	run --separate-stderr cairn sbom "dir:$root" -o cyclonedx-json=gems.json -o spdx-json=gems.spdx.json
	expect_status 0
	validate cyclonedx gems.json
	validate spdx gems.spdx.json
	cdx gem gems.json packages >got
	# RubyGems evaluating each gemspec itself
	find "$root" -path '*/specifications/*.gemspec' >files
	[ "$(wc -l <files)" -ge 20 ]
	ruby -e '
names = {}
specs = File.readlines(ARGV[0], chomp: true).map { |f| Gem::Specification.load(f) or abort("cannot load #{f}") }
specs.each { |s| names[s.name] = true }
File.open("want", "w") { |o| specs.each { |s| o.puts "#{s.name}\t#{s.version}#{s.platform.to_s == "ruby" ? "" : "-" + s.platform.to_s}" } }
File.open("want-edges", "w") do |o|
  specs.each do |s|
    s.runtime_dependencies.each { |d| names[d.name] and specs.select { |t| t.name == d.name }.each { |t| o.puts "#{s.name}\t#{s.version} -> #{t.name}\t#{t.version}" } }
  end
end
' files
	LC_ALL=C sort -u -o want want
	score "gems (Gem::Specification.load)" want got
	# and what `gem list --local` lists with GEM_PATH set to the copies (default gems come from ruby's
	# own default directory, which is the one copied)
	GEM_HOME="$BATS_TEST_TMPDIR/nohome" GEM_PATH="$gempath" ruby -e 'Gem::Specification.each { |s| puts "#{s.name}\t#{s.version}" }' |
		LC_ALL=C sort -u >want-list
	score "gems (gem list --local)" want-list got
	# runtime dependencies between installed gems: an installed gem's dependency resolves by name
	LC_ALL=C sort -u -o want-edges want-edges
	cdx gem gems.json edges >got-edges
	py '
import sys
# a dependency with several installed versions links to one of them: count an edge as found when
# cairn links the dependent to some version of that gem
want = [l for l in open("want-edges").read().split("\n") if l]
got = set(l for l in open("got-edges").read().split("\n") if l)
got_names = {(a.split("\t")[0], b.split("\t")[0]) for a, b in (l.split(" -> ") for l in got)}
want_names = {(a.split("\t")[0], b.split("\t")[0]) for a, b in (l.split(" -> ") for l in want)}
print("gem dependency edges: %d expected, %d found, recall %.1f%%, precision %.1f%%" % (len(want_names), len(got_names),
      100.0 * len(want_names & got_names) / max(len(want_names), 1), 100.0 * len(want_names & got_names) / max(len(got_names), 1)))
for m in sorted(want_names ^ got_names): print("  differs:", m)
sys.exit(0 if want_names == got_names and len(want_names) > 0 else 1)
' >&3
	# ownership: the package dpkg -S names for each gemspec CONTAINS that gem, once
	while read -r f; do
		real="${f#"$root"}"
		owner=$(dpkg -S "$real" 2>/dev/null | head -1 | cut -d: -f1 || true)
		printf '%s\t%s\n' "$real" "${owner:--}"
	done <files | LC_ALL=C sort >want-owners
	py '
import json
d = json.load(open("gems.spdx.json"))
pk = {p["SPDXID"]: p for p in d["packages"]}
owner = {}
for r in d["relationships"]:
    a, b = pk.get(r["spdxElementId"]), pk.get(r["relatedSpdxElement"])
    if r["relationshipType"] == "CONTAINS" and a and b and "-deb-" in a["SPDXID"] and "-gem-" in b["SPDXID"]:
        owner.setdefault(b["SPDXID"], []).append(a["name"])
for p in d["packages"]:
    if "-gem-" in p["SPDXID"]:
        o = owner.get(p["SPDXID"], ["-"])
        assert len(o) == 1, (p["name"], o)
        print(p["comment"].split("found in ", 1)[1].split(",")[0].split(" ")[0], o[0], sep="\t")
' | LC_ALL=C sort >got-owners
	score "gem owners (dpkg -S)" want-owners got-owners
}

@test "sbom ruby: Gemfile.lock against Bundler's LockfileParser (recall and precision 100%)" {
	mkdir -p app
	: >app/Gemfile # LockfileParser needs a Gemfile beside a PATH source
	cat >app/Gemfile.lock <<-'EOF'
		GIT
		  remote: https://github.com/example/mygit.git
		  revision: 0123456789abcdef0123456789abcdef01234567
		  branch: main
		  specs:
		    mygit (0.3.0)
		      rack (>= 2.0)

		PATH
		  remote: .
		  specs:
		    myapp (1.0.0)
		      mygit
		      nokogiri (~> 1.15)
		      sinatra (~> 3.0)

		GEM
		  remote: https://rubygems.org/
		  specs:
		    mini_portile2 (2.8.2)
		    mustermann (3.0.0)
		      ruby2_keywords (~> 0.0.1)
		    nokogiri (1.15.0)
		      mini_portile2 (~> 2.8.2)
		      racc (~> 1.4)
		    nokogiri (1.15.0-x86_64-linux)
		      racc (~> 1.4)
		    nokogiri (1.15.0-arm64-darwin)
		      racc (~> 1.4)
		    racc (1.7.1)
		    rack (2.2.7)
		    rack-protection (3.0.6)
		      rack
		    ruby2_keywords (0.0.5)
		    sinatra (3.0.6)
		      mustermann (~> 3.0)
		      rack (~> 2.2, >= 2.2.4)
		      rack-protection (= 3.0.6)
		      tilt (~> 2.0)
		    tilt (2.1.0)

		PLATFORMS
		  arm64-darwin
		  ruby
		  x86_64-linux

		DEPENDENCIES
		  myapp!
		  mygit!
		  sinatra (~> 3.0)

		BUNDLED WITH
		   2.3.7
	EOF
	BUNDLE_GEMFILE="$PWD/app/Gemfile" ruby -rbundler -e '
l = Bundler::LockfileParser.new(File.read(ARGV[0]))
key = ->(s) { "#{s.name}\t#{s.version}#{s.platform.to_s == "ruby" ? "" : "-" + s.platform.to_s}" }
File.open("want", "w") { |o| l.specs.each { |s| o.puts key.(s) } }
File.open("want-edges", "w") do |o|
  l.specs.each { |s| s.dependencies.each { |d| l.specs.select { |t| t.name == d.name }.each { |t| o.puts "#{key.(s)} -> #{key.(t)}" } } }
end
' app/Gemfile.lock
	LC_ALL=C sort -u -o want want
	LC_ALL=C sort -u -o want-edges want-edges
	[ "$(wc -l <want)" -eq 13 ]
	run --separate-stderr cairn sbom dir:app -o cyclonedx-json=lock.json -o spdx-json=lock.spdx.json
	expect_status 0
	validate cyclonedx lock.json
	validate spdx lock.spdx.json
	cdx gem lock.json packages >got
	score "Gemfile.lock specs (Bundler)" want got
	cdx gem lock.json edges >got-edges
	score "Gemfile.lock dependency edges (Bundler)" want-edges got-edges
	grep -q '"purl": "pkg:gem/nokogiri@1.15.0?platform=x86_64-linux"' lock.json
}

# The PHP projects: a composer.lock, and vendor/composer/installed.json as Composer 2 and Composer 1
# write it, each in its own project.
php_projects() {
	mkdir -p p/lock p/c2/vendor/composer p/c1/vendor/composer
	cat >p/lock/composer.lock <<-'EOF'
		{"_readme": ["This file locks the dependencies of your project to a known state"],
		 "content-hash": "0123", "packages": [
		  {"name": "monolog/monolog", "version": "2.9.1", "type": "library", "license": ["MIT"],
		   "require": {"php": ">=7.2", "psr/log": "^1.0.1 || ^2.0 || ^3.0"},
		   "provide": {"psr/log-implementation": "1.0.0 || 2.0.0 || 3.0.0"}},
		  {"name": "psr/log", "version": "3.0.0", "license": ["MIT"], "require": {"php": ">=8.0.0"}},
		  {"name": "symfony/console", "version": "v6.3.0", "license": ["MIT"],
		   "require": {"php": ">=8.1", "ext-mbstring": "*", "symfony/polyfill-mbstring": "~1.0",
		               "symfony/service-contracts": "^2.5|^3", "symfony/string": "^5.4|^6.0"}},
		  {"name": "symfony/polyfill-mbstring", "version": "v1.27.0", "license": ["MIT"],
		   "require": {"php": ">=7.1"}, "provide": {"ext-mbstring": "*"}},
		  {"name": "symfony/service-contracts", "version": "v3.3.0", "license": ["MIT"],
		   "require": {"php": ">=8.1", "psr/container": "^2.0"}},
		  {"name": "psr/container", "version": "2.0.2", "license": ["MIT"]},
		  {"name": "symfony/string", "version": "v6.3.0", "license": ["MIT"],
		   "require": {"symfony/polyfill-ctype": "~1.8", "symfony/polyfill-mbstring": "~1.0"}},
		  {"name": "symfony/polyfill-ctype", "version": "v1.27.0", "license": ["MIT"]}
		 ],
		 "packages-dev": [
		  {"name": "phpunit/phpunit", "version": "10.2.2", "license": ["BSD-3-Clause"],
		   "require": {"sebastian/diff": "^5.0"}},
		  {"name": "sebastian/diff", "version": "5.0.3", "license": ["BSD-3-Clause"]}
		 ],
		 "aliases": [], "minimum-stability": "stable", "stability-flags": [], "prefer-stable": false,
		 "prefer-lowest": false, "platform": {"php": ">=8.1"}, "platform-dev": [], "plugin-api-version": "2.3.0"}
	EOF
	cat >p/c2/vendor/composer/installed.json <<-'EOF'
		{"packages": [
		  {"name": "guzzlehttp/guzzle", "version": "7.7.0", "version_normalized": "7.7.0.0", "type": "library",
		   "require": {"php": "^7.2.5 || ^8.0", "ext-json": "*", "guzzlehttp/promises": "^1.5.3 || ^2.0",
		               "guzzlehttp/psr7": "^1.9.1 || ^2.4.5", "psr/http-client": "^1.0"},
		   "install-path": "../guzzlehttp/guzzle", "license": ["MIT"]},
		  {"name": "guzzlehttp/promises", "version": "2.0.0", "install-path": "../guzzlehttp/promises", "license": ["MIT"]},
		  {"name": "guzzlehttp/psr7", "version": "2.5.0", "require": {"psr/http-message": "^1.1 || ^2.0"},
		   "install-path": "../guzzlehttp/psr7", "license": ["MIT"]},
		  {"name": "psr/http-client", "version": "1.0.2", "require": {"psr/http-message": "^1.0 || ^2.0"}, "license": ["MIT"]},
		  {"name": "psr/http-message", "version": "2.0", "license": ["MIT"]},
		  {"name": "phpunit/phpunit", "version": "10.2.2", "license": ["BSD-3-Clause"]}
		 ], "dev": true, "dev-package-names": ["phpunit/phpunit"]}
	EOF
	cat >p/c1/vendor/composer/installed.json <<-'EOF'
		[{"name": "laravel/framework", "version": "v5.5.50", "type": "library",
		  "require": {"php": ">=7.0", "ext-openssl": "*", "doctrine/inflector": "~1.1"},
		  "replace": {"illuminate/support": "self.version"}, "license": ["MIT"]},
		 {"name": "doctrine/inflector", "version": "v1.3.1", "require": {"php": "^7.1"}, "license": ["MIT"]},
		 {"name": "acme/uses-support", "version": "1.0.0", "require": {"illuminate/support": "5.5.*"}}]
	EOF
}

@test "sbom php: composer.lock and installed.json (Composer 1 and 2) against python3's reading" {
	php_projects
	run --separate-stderr cairn sbom dir:p -o cyclonedx-json=php.json -o spdx-json=php.spdx.json
	expect_status 0
	validate cyclonedx php.json
	validate spdx php.spdx.json
	# independent: the packages of each file (a lockfile's packages-dev left out), and each require
	# that names a package of the same file, by its name or by what a package provides or replaces
	py '
import json
pk, edges = set(), set()
for path in ["p/lock/composer.lock", "p/c2/vendor/composer/installed.json", "p/c1/vendor/composer/installed.json"]:
    d = json.load(open(path))
    pkgs = d if isinstance(d, list) else d["packages"]
    key = lambda p: p["name"].lower() + "\t" + p["version"]
    names = {}
    for p in pkgs:
        pk.add(key(p))
        names.setdefault(p["name"].lower(), key(p))
    for p in pkgs:
        for alt in ("provide", "replace"):
            for n in p.get(alt, {}):
                names.setdefault(n.lower(), key(p))
    for p in pkgs:
        for n in p.get("require", {}):
            if "/" in n and n.lower() in names and names[n.lower()] != key(p):
                edges.add(key(p) + " -> " + names[n.lower()])
open("want", "w").write("\n".join(sorted(pk)) + "\n")
open("want-edges", "w").write("\n".join(sorted(edges)) + "\n")
'
	LC_ALL=C sort -u -o want want
	LC_ALL=C sort -u -o want-edges want-edges
	cdx composer php.json packages >got
	score "composer packages (python3 json)" want got
	cdx composer php.json edges >got-edges
	score "composer require edges (python3 json)" want-edges got-edges
	# development packages of a lockfile are left out; installed ones are listed
	! grep -q 'pkg:composer/sebastian/diff' php.json
	grep -q 'pkg:composer/phpunit/phpunit@10.2.2' php.json
	grep -q '"purl": "pkg:composer/symfony/console@v6.3.0"' php.json
}

@test "sbom dotnet: a deps.json against python3's reading" {
	mkdir -p app
	cat >app/MyApp.deps.json <<-'EOF'
		{"runtimeTarget": {"name": ".NETCoreApp,Version=v8.0/linux-x64", "signature": ""},
		 "compilationOptions": {},
		 "targets": {
		  ".NETCoreApp,Version=v8.0": {},
		  ".NETCoreApp,Version=v8.0/linux-x64": {
		   "MyApp/1.0.0": {"dependencies": {"Microsoft.Extensions.Logging": "8.0.0", "Newtonsoft.Json": "13.0.3",
		                    "MyApp.Core": "1.0.0", "Microsoft.NETCore.App.Runtime.linux-x64": "8.0.0"},
		                   "runtime": {"MyApp.dll": {}}},
		   "Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"runtime": {"System.Private.CoreLib.dll": {}}},
		   "Microsoft.Extensions.Logging/8.0.0": {"dependencies": {"Microsoft.Extensions.DependencyInjection": "8.0.0",
		     "Microsoft.Extensions.Logging.Abstractions": "8.0.0", "Microsoft.Extensions.Options": "8.0.0"},
		     "runtime": {"lib/net8.0/Microsoft.Extensions.Logging.dll": {"assemblyVersion": "8.0.0.0", "fileVersion": "8.0.23.53103"}}},
		   "Microsoft.Extensions.DependencyInjection/8.0.0": {"dependencies": {"Microsoft.Extensions.DependencyInjection.Abstractions": "8.0.0"}},
		   "Microsoft.Extensions.DependencyInjection.Abstractions/8.0.0": {},
		   "Microsoft.Extensions.Logging.Abstractions/8.0.0": {"dependencies": {"Microsoft.Extensions.DependencyInjection.Abstractions": "8.0.0"}},
		   "Microsoft.Extensions.Options/8.0.0": {"dependencies": {"Microsoft.Extensions.DependencyInjection.Abstractions": "8.0.0",
		     "Microsoft.Extensions.Primitives": "8.0.0"}},
		   "Microsoft.Extensions.Primitives/8.0.0": {},
		   "Newtonsoft.Json/13.0.3": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {}}},
		   "MyApp.Core/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.3", "System.Legacy": "4.0.0.0"},
		                        "runtime": {"MyApp.Core.dll": {}}},
		   "System.Legacy/4.0.0.0": {"runtime": {"System.Legacy.dll": {}}}
		  }
		 },
		 "libraries": {
		  "MyApp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
		  "Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"type": "runtimepack", "serviceable": false, "sha512": ""},
		  "Microsoft.Extensions.Logging/8.0.0": {"type": "package", "serviceable": true, "sha512": "sha512-a",
		    "path": "microsoft.extensions.logging/8.0.0", "hashPath": "microsoft.extensions.logging.8.0.0.nupkg.sha512"},
		  "Microsoft.Extensions.DependencyInjection/8.0.0": {"type": "package", "serviceable": true, "sha512": "sha512-b"},
		  "Microsoft.Extensions.DependencyInjection.Abstractions/8.0.0": {"type": "package", "serviceable": true, "sha512": "sha512-c"},
		  "Microsoft.Extensions.Logging.Abstractions/8.0.0": {"type": "package", "serviceable": true, "sha512": "sha512-d"},
		  "Microsoft.Extensions.Options/8.0.0": {"type": "package", "serviceable": true, "sha512": "sha512-e"},
		  "Microsoft.Extensions.Primitives/8.0.0": {"type": "package", "serviceable": true, "sha512": "sha512-f"},
		  "Newtonsoft.Json/13.0.3": {"type": "package", "serviceable": true, "sha512": "sha512-g"},
		  "MyApp.Core/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
		  "System.Legacy/4.0.0.0": {"type": "reference", "serviceable": false, "sha512": ""}
		 }}
	EOF
	run --separate-stderr cairn sbom dir:app -o cyclonedx-json=net.json -o spdx-json=net.spdx.json
	expect_status 0
	validate cyclonedx net.json
	validate spdx net.spdx.json
	py '
import json
d = json.load(open("app/MyApp.deps.json"))
libs = {k for k, v in d["libraries"].items() if v["type"] in ("package", "project", "runtimepack")}
key = lambda k: k.replace("/", "\t", 1)
open("want", "w").write("\n".join(sorted(key(k) for k in libs)) + "\n")
edges = set()
for target in d["targets"].values():
    for k, v in target.items():
        for n, ver in v.get("dependencies", {}).items():
            if k in libs and n + "/" + ver in libs:
                edges.add(key(k) + " -> " + key(n + "/" + ver))
open("want-edges", "w").write("\n".join(sorted(edges)) + "\n")
'
	LC_ALL=C sort -u -o want want
	LC_ALL=C sort -u -o want-edges want-edges
	cdx nuget net.json packages >got
	score "nuget libraries (python3 json)" want got
	cdx nuget net.json edges >got-edges
	score "nuget dependency edges (python3 json)" want-edges got-edges
}

@test "sbom ruby/php/dotnet: malformed files are warnings naming them, and the rest is listed" {
	mkdir -p root/var/lib/gems/3.1.0/specifications root/app root/php root/net
	printf 'Gem::Specification.new do |s|\n  s.name = "good"\n  s.version = "1.0"\nend\n' \
		>root/var/lib/gems/3.1.0/specifications/good-1.0.gemspec
	printf 'Gem::Specification.new do |s|\n  s.name = "a#{x}"\n  s.version = "1.0"\nend\n' \
		>root/var/lib/gems/3.1.0/specifications/evil-1.0.gemspec
	printf 'GEM\n  specs:\n    ok (1.0)\n    not a spec\n' >root/app/Gemfile.lock
	printf '{"packages": [' >root/php/composer.lock
	printf '{"libraries": []}' >root/net/x.deps.json
	run --separate-stderr cairn sbom dir:root -o cyclonedx-json=out.json
	expect_status 0
	validate cyclonedx out.json
	expect_stderr "evil-1.0.gemspec"
	expect_stderr "Gemfile.lock: line 4"
	expect_stderr "php/composer.lock"
	expect_stderr "net/x.deps.json"
	[ "$(cdx gem out.json packages | tr '\n' ' ')" = "good	1.0 ok	1.0 " ]
}
