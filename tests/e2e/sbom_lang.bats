#!/usr/bin/env bats
# cairn sbom, language packages: ground truth from the package managers themselves.
#  - npm: a real project installed by `npm install` (pinned versions, cached in build/npm-cache)
#    against `npm ls --all --json`: the (name, version) set and the dependency edges; node_modules
#    alone, package-lock.json (v3, and v1) alone and both together must agree.
#  - Python: Debian's python3-* packages in /usr/lib/python3/dist-packages against what
#    importlib.metadata finds in that directory; and, in a root with dpkg's database, every
#    distribution there is owned (CONTAINS) by the dpkg package whose file list holds it.
#  - SBOMs read back: what cairn writes (CycloneDX and SPDX) reads back into the same packages, and
#    every SBOM written validates against the official schemas.

load helpers

DIST=/usr/lib/python3/dist-packages

setup_file() {
	export SOURCE_DATE_EPOCH=1700000000
	local repo
	repo="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	# The npm project: express (about 70 packages with its dependencies) and a scoped package.
	NPMDIR="$BATS_FILE_TMPDIR/npmproject"
	mkdir -p "$NPMDIR"
	cat >"$NPMDIR/package.json" <<-'EOF'
		{"name": "cairn-npm-fixture", "version": "1.0.0", "private": true,
		 "dependencies": {"express": "4.18.2", "@sindresorhus/is": "4.6.0"}}
	EOF
	NPM_OK=0
	if command -v npm >/dev/null &&
		(cd "$NPMDIR" && npm install --cache "$repo/build/npm-cache" --prefer-offline --no-audit --no-fund \
			--ignore-scripts >"$BATS_FILE_TMPDIR/npm.log" 2>&1) &&
		(cd "$NPMDIR" && npm ls --all --json >"$BATS_FILE_TMPDIR/npm-ls.json" 2>>"$BATS_FILE_TMPDIR/npm.log"); then
		NPM_OK=1
	fi
	export NPMDIR NPM_OK
}

py() { python3 -c "$@"; }

validate() { # validate cyclonedx|spdx FILE
	run "$CAIRN_CORPUS/sbom/validate.sh" "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
}

need_npm() {
	[ "$NPM_OK" = 1 ] || {
		cat "$BATS_FILE_TMPDIR/npm.log" >&2 || true
		false
	}
}

# name<TAB>version of every npm package in a CycloneDX file ("@scope/name" from the purl's namespace).
cdx_npm() {
	py '
import json, sys, urllib.parse
d = json.load(open(sys.argv[1]))
for c in d["components"]:
    purl = c.get("purl", "")
    if not purl.startswith("pkg:npm/"):
        continue
    # "pkg:npm/%40scope/name@1.0.0": the name with its scope, as npm writes it
    print(urllib.parse.unquote(purl[len("pkg:npm/"):].rsplit("@", 1)[0]) + "\t" + c["version"])
' "$1" | LC_ALL=C sort -u
}

# The same from npm ls --all --json (every node of the tree, deduped ones included).
npm_ls() {
	py '
import json, sys
out = set()
def walk(n):
    for name, v in n.get("dependencies", {}).items():
        if "version" in v:
            out.add(name + "\t" + v["version"])
        walk(v)
walk(json.load(open(sys.argv[1])))
print("\n".join(sorted(out)))
' "$1" | LC_ALL=C sort -u
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

@test "sbom npm: node_modules and package-lock.json against npm ls --all (recall and precision 100%)" {
	need_npm
	npm_ls "$BATS_FILE_TMPDIR/npm-ls.json" >want
	[ "$(wc -l <want)" -ge 30 ]
	run --separate-stderr cairn sbom "dir:$NPMDIR" -o cyclonedx-json=both.json -o spdx-json=both.spdx.json
	expect_status 0
	validate cyclonedx both.json
	validate spdx both.spdx.json
	cdx_npm both.json >got
	score "npm (node_modules + lockfile v3)" want got
	# each package once, found in both places
	py '
import json
d = json.load(open("both.json"))
for c in d["components"]:
    locs = [p["value"] for p in c["properties"] if p["name"] == "cairn:location:path"]
    assert len(locs) == 2 and locs[0].endswith("/package.json") and locs[1] == "/package-lock.json", (c["name"], locs)
'
	# node_modules alone, and the lockfile alone, say the same
	mkdir installed lockonly
	cp -r "$NPMDIR/node_modules" installed/
	cp "$NPMDIR/package.json" "$NPMDIR/package-lock.json" lockonly/
	run --separate-stderr cairn sbom dir:installed -o cyclonedx-json=installed.json
	expect_status 0
	cdx_npm installed.json >got
	score "npm (node_modules only)" want got
	run --separate-stderr cairn sbom dir:lockonly -o cyclonedx-json=lock.json
	expect_status 0
	cdx_npm lock.json >got
	score "npm (package-lock.json v3 only)" want got
}

@test "sbom npm: the dependency graph equals npm ls's edges, from node_modules and from the lockfile" {
	need_npm
	py '
import json, sys
edges = set()
def walk(n, me):
    for name, v in n.get("dependencies", {}).items():
        child = name + "@" + v.get("version", "?")
        if me: edges.add(me + " -> " + child)
        walk(v, child)
walk(json.load(open(sys.argv[1])), None)
print("\n".join(sorted(edges)))
' "$BATS_FILE_TMPDIR/npm-ls.json" >want
	cdx_edges() {
		py '
import json, sys, urllib.parse
d = json.load(open(sys.argv[1]))
def name(c):
    return urllib.parse.unquote(c["purl"][len("pkg:npm/"):].rsplit("@", 1)[0]) + "@" + c["version"]
ref = {c["bom-ref"]: name(c) for c in d["components"] if c.get("purl", "").startswith("pkg:npm/")}
for x in d["dependencies"]:
    for y in x["dependsOn"]:
        if x["ref"] in ref and y in ref: print(ref[x["ref"]] + " -> " + ref[y])
' "$1" | LC_ALL=C sort -u
	}
	run --separate-stderr cairn sbom "dir:$NPMDIR" -o cyclonedx-json=both.json
	expect_status 0
	cdx_edges both.json >got
	score "npm dependency edges (node_modules + lockfile)" want got
	mkdir lockonly
	cp "$NPMDIR/package-lock.json" lockonly/
	run --separate-stderr cairn sbom dir:lockonly -o cyclonedx-json=lock.json
	expect_status 0
	cdx_edges lock.json >got
	score "npm dependency edges (lockfile v3 only)" want got
}

@test "sbom npm: a lockfileVersion 1 package-lock.json lists the same packages" {
	need_npm
	npm_ls "$BATS_FILE_TMPDIR/npm-ls.json" >want
	mkdir v1
	cp "$NPMDIR/package.json" v1/
	local repo
	repo="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	(cd v1 && npm install --package-lock-only --lockfile-version 1 --cache "$repo/build/npm-cache" --prefer-offline \
		--no-audit --no-fund --ignore-scripts >/dev/null 2>&1)
	py 'import json; assert json.load(open("v1/package-lock.json"))["lockfileVersion"] == 1'
	run --separate-stderr cairn sbom dir:v1 -o cyclonedx-json=v1.json
	expect_status 0
	validate cyclonedx v1.json
	cdx_npm v1.json >got
	score "npm (package-lock.json v1)" want got
}

@test "sbom npm: a package.json bomb (huge, deeply nested) gives a warning naming the file and the rest" {
	need_npm
	mkdir -p bomb/node_modules/huge bomb/node_modules/deep
	cp -r "$NPMDIR/node_modules/express" bomb/node_modules/
	py '
import json
open("bomb/node_modules/huge/package.json", "w").write(json.dumps({"name": "huge", "version": "1.0.0", "x": "a" * (2 << 20)}))
open("bomb/node_modules/deep/package.json", "w").write("{\"name\": \"deep\", \"version\": \"1.0.0\", \"x\": " + "[" * 100000 + "]" * 100000 + "}")
'
	run --separate-stderr cairn sbom dir:bomb -o cyclonedx-json=bomb.json
	expect_status 0
	echo "$stderr"
	echo "$stderr" | grep -q '/node_modules/huge/package.json'
	echo "$stderr" | grep -q '/node_modules/deep/package.json'
	validate cyclonedx bomb.json
	cdx_npm bomb.json >got
	grep -qx "express	4.18.2" got
	! grep -q "^huge	" got
	! grep -q "^deep	" got
}

# The same project locked by yarn classic, yarn berry and pnpm (fetched from the npm registry by npx,
# cached in build/npm-cache): each lockfile alone gives npm ls's packages and edges.
lock_with() { # lock_with DIR TOOL-COMMAND...
	local dir=$1 repo
	shift
	repo="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	mkdir -p "$dir"
	cp "$NPMDIR/package.json" "$dir/"
	(cd "$dir" && YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=0 YARN_CACHE_FOLDER="$repo/build/yarn-cache" \
		timeout 300 npx --yes --cache "$repo/build/npm-cache" "$@" >"$dir.log" 2>&1) || {
		cat "$dir.log" >&2
		return 1
	}
	mkdir -p "$dir-only"
	find "$dir" -maxdepth 1 \( -name yarn.lock -o -name pnpm-lock.yaml \) -exec cp -t "$dir-only" {} +
}

graph_of() { # graph_of CDX-FILE: name@version lines, then "a -> b" edges
	py '
import json, sys, urllib.parse
d = json.load(open(sys.argv[1]))
name = lambda c: urllib.parse.unquote(c["purl"][len("pkg:npm/"):].rsplit("@", 1)[0]) + "@" + c["version"]
ref = {c["bom-ref"]: name(c) for c in d["components"] if c.get("purl", "").startswith("pkg:npm/")}
out = set(ref.values()) | {ref[x["ref"]] + " -> " + ref[y] for x in d["dependencies"] if x["ref"] in ref for y in x["dependsOn"] if y in ref}
print("\n".join(sorted(out)))
' "$1"
}

npm_ls_graph() {
	py '
import json, sys
out = set()
def walk(n, me):
    for name, v in n.get("dependencies", {}).items():
        child = name + "@" + v.get("version", "?")
        out.add(child)
        if me: out.add(me + " -> " + child)
        walk(v, child)
walk(json.load(open(sys.argv[1])), None)
print("\n".join(sorted(out)))
' "$BATS_FILE_TMPDIR/npm-ls.json"
}

@test "sbom npm: yarn.lock v1, yarn berry and pnpm-lock.yaml v9 against npm ls (packages and edges 100%)" {
	need_npm
	npm_ls_graph >want
	lock_with "$PWD/yarn1" yarn@1.22.22 install --ignore-scripts --non-interactive --cache-folder "$PWD/yarn1-cache"
	lock_with "$PWD/berry" -p @yarnpkg/cli-dist@4.5.3 yarn install --mode=update-lockfile
	lock_with "$PWD/pnpm" pnpm@9.15.0 install --lockfile-only --store-dir "$PWD/pnpm-store"
	grep -q '^# yarn lockfile v1' yarn1-only/yarn.lock
	grep -q '^__metadata:' berry-only/yarn.lock
	grep -q "^lockfileVersion: '9.0'" pnpm-only/pnpm-lock.yaml
	for tool in yarn1 berry pnpm; do
		run --separate-stderr cairn sbom "dir:$tool-only" -o cyclonedx-json="$tool.json"
		expect_status 0
		validate cyclonedx "$tool.json"
		graph_of "$tool.json" >got
		score "npm packages and edges ($tool lockfile only)" want got
	done
}

# name<TAB>version of every pypi package, names PEP 503-normalised.
cdx_pypi() {
	py '
import json, re, sys
d = json.load(open(sys.argv[1]))
for c in d["components"]:
    if c.get("purl", "").startswith("pkg:pypi/"):
        print(re.sub(r"[-_.]+", "-", c["name"]).lower() + "\t" + c["version"])
' "$1" | LC_ALL=C sort
}

@test "sbom python: Debian's python3-* distributions against importlib.metadata (recall and precision 100%)" {
	[ -d "$DIST" ]
	/usr/bin/python3 -c '
import importlib.metadata as m, re, sys
for d in m.distributions(path=[sys.argv[1]]):
    print(re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() + "\t" + d.version)
' "$DIST" | LC_ALL=C sort >want
	# the packages the issue names must be among them
	for p in packaging cryptography jsonschema; do grep -q "^$p	" want; done
	run --separate-stderr cairn sbom "dir:$DIST" -o cyclonedx-json=py.json -o spdx-json=py.spdx.json
	expect_status 0
	validate cyclonedx py.json
	validate spdx py.spdx.json
	cdx_pypi py.json >got
	# two metadata directories of one distribution and version (Debian ships cryptography with a
	# .dist-info and an .egg-info) are one package: importlib lists it twice
	sort -u want -o want
	diff want got
	score "pypi (dist-packages)" want got
	# purls use PEP 503 names; jsonschema depends on attrs and pyrsistent as installed
	py '
import json
d = json.load(open("py.json"))
by = {c["bom-ref"]: c for c in d["components"]}
names = {c["name"]: c for c in d["components"]}
assert names["PyYAML"]["purl"].startswith("pkg:pypi/pyyaml@"), names["PyYAML"]["purl"]
js = names["jsonschema"]
deps = [by[r]["name"] for x in d["dependencies"] if x["ref"] == js["bom-ref"] for r in x["dependsOn"]]
assert "attrs" in deps and "pyrsistent" in deps, deps
assert any(l.get("license", {}).get("id") == "MIT" for l in js.get("licenses", [])), js.get("licenses")
'
}

@test "sbom python: every distribution a dpkg package installed is contained by it, counted once" {
	[ -d "$DIST" ]
	root="$BATS_TEST_TMPDIR/root"
	mkdir -p "$root/var/lib/dpkg/info" "$root/etc" "$root/usr/lib/python3"
	cp /var/lib/dpkg/status "$root/var/lib/dpkg/status"
	find /var/lib/dpkg/info -maxdepth 1 -name '*.list' -exec cp -t "$root/var/lib/dpkg/info" {} +
	cp /usr/lib/os-release "$root/etc/os-release"
	cp -r "$DIST" "$root/usr/lib/python3/"
	run --separate-stderr cairn sbom "dir:$root" -o cyclonedx-json=root.json -o spdx-json=root.spdx.json
	expect_status 0
	validate cyclonedx root.json
	validate spdx root.spdx.json
	# the owner dpkg says, for each distribution's metadata directory
	for d in "$DIST"/*.dist-info "$DIST"/*.egg-info; do
		owner=$(dpkg -S "$d" 2>/dev/null | head -1 | cut -d: -f1 || true)
		printf '%s\t%s\n' "$(basename "$d")" "${owner:--}"
	done | LC_ALL=C sort >want
	py '
import json, os
d = json.load(open("root.spdx.json"))
pk = {p["SPDXID"]: p for p in d["packages"]}
owner = {}
for r in d["relationships"]:
    a, b = pk.get(r["spdxElementId"]), pk.get(r["relatedSpdxElement"])
    if r["relationshipType"] == "CONTAINS" and a and b and "-deb-" in a["SPDXID"] and "-pypi-" in b["SPDXID"]:
        owner.setdefault(b["SPDXID"], []).append(a["name"])
# every metadata location of a package (CycloneDX lists them all), with the one owner of the package
paths = {}
for c in json.load(open("root.json"))["components"]:
    props = c.get("properties", [])
    if any(x["name"] == "cairn:package:type" and x["value"] == "pypi" for x in props):
        paths[(c["name"], c["version"])] = [x["value"] for x in props if x["name"] == "cairn:location:path"]
for p in d["packages"]:
    if "-pypi-" in p["SPDXID"]:
        o = owner.get(p["SPDXID"], ["-"])
        assert len(o) == 1, (p["name"], o)
        for where in paths[(p["name"], p["versionInfo"])]:
            print(os.path.basename(os.path.dirname(where)) if where.endswith(("/METADATA", "/PKG-INFO")) else os.path.basename(where), o[0], sep="\t")
' | LC_ALL=C sort >got
	score "pypi owners (dpkg -S)" want got
	# each distribution is listed once, beside (not instead of) its dpkg package
	[ "$(cdx_pypi root.json | wc -l)" -eq "$(cut -f1 want | sed -E 's/(-[0-9][^-]*)?\.(dist|egg)-info$//; s/[-_.]+/-/g' | tr 'A-Z' 'a-z' | sort -u | wc -l)" ]
}

@test "sbom read: what cairn writes reads back (CycloneDX and SPDX): same packages, and valid again" {
	need_npm
	run --separate-stderr cairn sbom "dir:$NPMDIR" -o cyclonedx-json=a.cdx.json -o spdx-json=a.spdx.json
	expect_status 0
	run --separate-stderr cairn sbom "sbom:a.cdx.json" -o cyclonedx-json=b.cdx.json -o spdx-json=b.spdx.json
	expect_status 0
	validate cyclonedx b.cdx.json
	validate spdx b.spdx.json
	run --separate-stderr cairn sbom "sbom:a.spdx.json" -o cyclonedx-json=c.cdx.json
	expect_status 0
	validate cyclonedx c.cdx.json
	purls() { py 'import json, sys; print("\n".join(sorted(c["purl"] + " " + c["bom-ref"] for c in json.load(open(sys.argv[1]))["components"] if "purl" in c)))' "$1"; }
	diff <(purls a.cdx.json) <(purls b.cdx.json)
	diff <(purls a.cdx.json) <(purls c.cdx.json)
}
