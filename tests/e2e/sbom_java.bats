#!/usr/bin/env bats
# cairn sbom, Java cataloger, against ground truth cairn does not compute:
#  - every distinct jar of Debian's Maven repository (/usr/share/maven-repo, from libmaven3-core-java
#    and its dependencies): the truth is each jar's pom.properties read with python3's zipfile plus
#    the groupId/artifactId/version its maven-repo path spells; recall and precision are printed;
#  - the same jars at their Debian paths with dpkg's own records: each is CONTAINed by the package
#    `dpkg -S` names;
#  - a WAR built here with python3's zipfile (WEB-INF/lib with real jars, a jar inside a jar, its own
#    pom.properties and pom.xml): the packages nested in it, their locations and CONTAINS edges,
#    and SBOMs that validate against the official CycloneDX 1.6 and SPDX 2.3 schemas;
#  - a zip bomb and a jar nested too deep: warnings naming the outer file and nested path, and the
#    rest of the SBOM.

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

need_maven_repo() {
	[ -d /usr/share/maven-repo/org/apache/maven/maven-core ] || {
		echo "Debian's Maven repository is missing: install libmaven3-core-java (scripts/deps)" >&2
		false
	}
}

# Copies each distinct jar of /usr/share/maven-repo into $1/<group path>/<file name as in the repo>
# and writes $2: one line per (jar, groupId, artifactId, version) the truth holds.
copy_maven_repo() {
	py '
import os, shutil, sys, zipfile
repo, dest, truth = "/usr/share/maven-repo", sys.argv[1], sys.argv[2]
seen, rows = {}, set()
for d, dirs, files in os.walk(repo):
    dirs.sort()
    for f in sorted(files):
        if not f.endswith(".jar"):
            continue
        p = os.path.join(d, f)
        parts = os.path.relpath(p, repo).split("/")
        group, artifact, version = ".".join(parts[:-3]), parts[-3], parts[-2]
        if version == "debian" or version.endswith(".x"):
            continue  # Debian aliases of a real version
        real = os.path.realpath(p)
        if real not in seen:
            rel = "/".join(parts[:-3]) + "/" + f
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy(real, os.path.join(dest, rel))
            seen[real] = "/" + rel
            with zipfile.ZipFile(real) as z:
                for n in z.namelist():
                    if n.startswith("META-INF/maven/") and n.endswith("/pom.properties") and n.count("/") == 4:
                        props = {}
                        for line in z.read(n).decode("latin-1").splitlines():
                            line = line.strip()
                            if line and line[0] not in "#!" and "=" in line:
                                k, _, v = line.partition("=")
                                props[k.strip()] = v.strip()
                        rows.add((seen[real], props["groupId"], props["artifactId"], props["version"]))
        rows.add((seen[real], group, artifact, version))
with open(truth, "w") as out:
    for r in sorted(rows):
        out.write("\t".join(r) + "\n")
print(len(seen), "jars,", len(rows), "truth rows")
' "$1" "$2"
}

# Compares the maven packages of CycloneDX file $1 with truth $2 on (jar, artifactId, version), and
# checks every groupId cairn gives; prints recall, precision and each miss. Exit 1 on any miss.
compare_truth() {
	py '
import json, sys, urllib.parse
doc, truth_file = json.load(open(sys.argv[1])), sys.argv[2]
truth, groups = set(), {}
for line in open(truth_file):
    jar, g, a, v = line.rstrip("\n").split("\t")
    truth.add((jar, a, v))
    groups.setdefault((jar, a, v), set()).add(g)
found, bad_group, no_group = set(), [], []
for c in doc["components"]:
    purl = c.get("purl", "")
    if not purl.startswith("pkg:maven/"):
        continue
    path = [p["value"] for p in c.get("properties", []) if p["name"] == "cairn:location:path"][0]
    jar = path.split(":")[0]
    body = purl[len("pkg:maven/"):].split("?")[0]
    coords, _, version = body.rpartition("@")
    parts = [urllib.parse.unquote(x) for x in coords.split("/")]
    key = (jar, parts[-1], urllib.parse.unquote(version))
    found.add(key)
    if len(parts) == 2 and key in groups and parts[0] not in groups[key]:
        bad_group.append((key, parts[0], groups[key]))
    if len(parts) == 1:
        no_group.append(key)
tp = len(truth & found)
print("maven recall %d/%d = %.1f%%, precision %d/%d = %.1f%%" % (tp, len(truth), 100.0 * tp / max(len(truth), 1),
      tp, len(found), 100.0 * tp / max(len(found), 1)))
for k in sorted(truth - found):
    print("missed:", k)
for k in sorted(found - truth):
    print("extra:", k)
for k in bad_group:
    print("wrong groupId:", k)
# a jar without pom.properties records no groupId anywhere (its manifest has no Implementation-Vendor-Id)
for k in sorted(no_group):
    print("no groupId recorded in the jar:", k)
sys.exit(0 if truth == found and not bad_group else 1)
' "$1" "$2"
}

@test "sbom java: Debian's Maven repository jars against pom.properties and maven-repo paths" {
	need_maven_repo
	mkdir jars
	copy_maven_repo "$PWD/jars" truth.tsv
	run --separate-stderr cairn sbom dir:jars -o cyclonedx-json=sbom.json
	expect_status 0
	echo "$stderr"
	run compare_truth sbom.json truth.tsv
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"recall"*"= 100.0%, precision"*"= 100.0%"* ]]
	validate cyclonedx sbom.json
}

@test "sbom java: jars at their Debian paths are contained by the dpkg package that owns them" {
	need_maven_repo
	mkdir -p root/var/lib/dpkg/info root/usr/share/java
	local pkgs="" f pkg
	for f in /usr/share/java/*.jar; do
		[ -L "$f" ] && continue
		pkg=$(dpkg -S "$f" 2>/dev/null | cut -d: -f1) || continue
		[ -n "$pkg" ] || continue
		cp "$f" root/usr/share/java/
		echo "$f	$pkg" >>owners.tsv
		pkgs="$pkgs $pkg"
	done
	[ -s owners.tsv ]
	for pkg in $(echo "$pkgs" | tr ' ' '\n' | sort -u); do
		dpkg-query -s "$pkg" && echo
		cp /var/lib/dpkg/info/"$pkg".list /var/lib/dpkg/info/"$pkg":*.list root/var/lib/dpkg/info/ 2>/dev/null || true
	done >root/var/lib/dpkg/status
	run --separate-stderr cairn sbom dir:root -o spdx-json=sbom.spdx.json
	expect_status 0
	run py '
import json, sys
d = json.load(open("sbom.spdx.json"))
owners = dict(line.rstrip("\n").split("\t") for line in open("owners.tsv"))
pk = {p["SPDXID"]: p for p in d["packages"]}
def purl(p):
    return ([r["referenceLocator"] for r in p.get("externalRefs", []) if r["referenceType"] == "purl"] + [""])[0]
contains = {(r["spdxElementId"], r["relatedSpdxElement"]) for r in d["relationships"] if r["relationshipType"] == "CONTAINS"}
debs = {p["name"]: i for i, p in pk.items() if purl(p).startswith("pkg:deb/")}
checked = missing = 0
for i, p in pk.items():
    if not purl(p).startswith("pkg:maven/"):
        continue
    # "found in PATH": the top archive, unless a nested path follows a colon
    loc = p.get("comment", "")[len("found in "):]
    if not loc.startswith("/usr/share/java/") or ":" in loc:
        continue
    jar = loc
    owner = owners.get(jar)
    checked += 1
    if owner is None or (debs.get(owner), i) not in contains:
        missing += 1
        print("not contained by", owner, ":", purl(p), jar)
print("checked", checked, "jars, missing", missing)
sys.exit(1 if missing or checked == 0 else 0)
'
	echo "$output"
	[ "$status" -eq 0 ]
	validate spdx sbom.spdx.json
}

# A WAR as Maven's war plugin lays it out, with a Spring-Boot-style jar in a jar, built by zipfile.
make_war() {
	py '
import io, sys, zipfile
def jar_bytes(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return b.getvalue()
real = {n: open("/usr/share/java/" + n, "rb").read() for n in ("commons-lang3.jar", "slf4j-api.jar", "commons-io.jar")}
inner = jar_bytes([("META-INF/maven/org.example/inner/pom.properties", "groupId=org.example\nartifactId=inner\nversion=0.3\n")])
boot = jar_bytes([("META-INF/maven/org.example/boot/pom.properties", "groupId=org.example\nartifactId=boot\nversion=0.2\n"),
                  ("BOOT-INF/lib/inner-0.3.jar", inner)])
pom = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1.0</version></parent>
  <artifactId>shop</artifactId>
  <packaging>war</packaging>
  <name>Shop</name>
  <licenses><license><name>Apache License, Version 2.0</name></license></licenses>
</project>
"""
war = jar_bytes([("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n"),
                 ("META-INF/maven/org.example/shop/pom.properties", "groupId=org.example\nartifactId=shop\nversion=1.0\n"),
                 ("META-INF/maven/org.example/shop/pom.xml", pom),
                 ("WEB-INF/web.xml", "<web-app/>"),
                 ("WEB-INF/lib/commons-lang3-3.12.0.jar", real["commons-lang3.jar"]),
                 ("WEB-INF/lib/slf4j-api-1.7.32.jar", real["slf4j-api.jar"]),
                 ("WEB-INF/lib/commons-io-2.11.0.jar", real["commons-io.jar"]),
                 ("WEB-INF/lib/boot-0.2.jar", boot)])
open(sys.argv[1], "wb").write(war)
' "$1"
}

@test "sbom java: a WAR with nested jars, validated as CycloneDX 1.6 and SPDX 2.3" {
	need_maven_repo
	mkdir -p app/srv
	make_war app/srv/shop-1.0.war
	run --separate-stderr cairn sbom dir:app -o cyclonedx-json=war.cdx.json -o spdx-json=war.spdx.json -o table
	expect_status 0
	echo "$output"
	[ -z "$stderr" ] || { echo "unexpected warnings: $stderr"; false; }
	validate cyclonedx war.cdx.json
	validate spdx war.spdx.json
	# the truth: the pom.properties of each archive, read with zipfile, and where it sits
	run py '
import io, json, sys, zipfile
def walk(data, loc, out):
    z = zipfile.ZipFile(io.BytesIO(data))
    for n in z.namelist():
        if n.startswith("META-INF/maven/") and n.endswith("pom.properties"):
            p = dict(l.split("=", 1) for l in z.read(n).decode().splitlines() if "=" in l and not l.startswith("#"))
            out.add((loc, p["groupId"], p["artifactId"], p["version"]))
        elif n.endswith(".jar"):
            walk(z.read(n), loc + ":" + n, out)
truth = set()
walk(open("app/srv/shop-1.0.war", "rb").read(), "/srv/shop-1.0.war", truth)
d = json.load(open("war.spdx.json"))
got = set()
ids = {}
for p in d["packages"]:
    refs = [r["referenceLocator"] for r in p.get("externalRefs", []) if r["referenceType"] == "purl"]
    if not refs or not refs[0].startswith("pkg:maven/"):
        continue
    g, rest = refs[0][len("pkg:maven/"):].split("/", 1)
    a, v = rest.split("@")
    ids[a] = p["SPDXID"]
    got.add((g, a, v))
want = {(g, a, v) for _, g, a, v in truth}
print("truth", sorted(want)); print("cairn", sorted(got))
assert got == want, (want - got, got - want)
contains = {(r["spdxElementId"], r["relatedSpdxElement"]) for r in d["relationships"] if r["relationshipType"] == "CONTAINS"}
for parent, child in [("shop", "commons-lang3"), ("shop", "slf4j-api"), ("shop", "commons-io"), ("shop", "boot"), ("boot", "inner")]:
    assert (ids[parent], ids[child]) in contains, (parent, child)
assert (ids["shop"], ids["inner"]) not in contains
shop = [p for p in d["packages"] if p["SPDXID"] == ids["shop"]][0]
print("shop license:", shop.get("licenseDeclared"))
assert shop.get("licenseDeclared") == "Apache-2.0"
'
	echo "$output"
	[ "$status" -eq 0 ]
	# locations as "outer:nested" paths
	grep -q '"/srv/shop-1.0.war:WEB-INF/lib/boot-0.2.jar:BOOT-INF/lib/inner-0.3.jar"' war.cdx.json
}

@test "sbom java: a zip bomb and a jar nested too deep are warnings, the rest is listed" {
	need_maven_repo
	mkdir -p hostile
	py '
import io, sys, zipfile
def jar_bytes(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return b.getvalue()
# 200 MiB of zeros named as a nested jar (about 200 KiB compressed)
with zipfile.ZipFile("hostile/bomb-1.0.jar", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("META-INF/maven/org.bomb/bomb/pom.properties", "groupId=org.bomb\nartifactId=bomb\nversion=1.0\n")
    with z.open("lib/zeros.jar", "w", force_zip64=True) as f:
        chunk = bytes(1 << 20)
        for _ in range(200):
            f.write(chunk)
# a jar nested 8 deep
data = jar_bytes([("META-INF/maven/g/l8/pom.properties", "groupId=g\nartifactId=l8\nversion=1\n")])
for level in range(7, -1, -1):
    data = jar_bytes([("META-INF/maven/g/l%d/pom.properties" % level, "groupId=g\nartifactId=l%d\nversion=1\n" % level),
                      ("l%d-1.jar" % (level + 1), data)])
open("hostile/l0-1.jar", "wb").write(data)
'
	cp /usr/share/java/commons-lang3.jar hostile/
	run --separate-stderr cairn sbom dir:hostile -o cyclonedx-json=h.json
	expect_status 0
	echo "$stderr"
	expect_stderr "/bomb-1.0.jar:lib/zeros.jar"
	expect_stderr "/l0-1.jar:l1-1.jar:l2-1.jar:l3-1.jar:l4-1.jar:l5-1.jar:l6-1.jar: archives nested more than 5 deep"
	run py '
import json
d = json.load(open("h.json"))
names = sorted(c["name"] for c in d["components"] if c.get("purl", "").startswith("pkg:maven/"))
print(names)
assert "bomb" in names and all("l%d" % i in names for i in range(6)) and "l6" not in names
'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '"pkg:maven/org.apache.commons/commons-lang3@3.12.0"' h.json
	validate cyclonedx h.json
}
