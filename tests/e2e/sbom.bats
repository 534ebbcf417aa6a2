#!/usr/bin/env bats
# cairn sbom: every SBOM validates against the official schemas; the package list, file ownership
# and dependency graph agree with dpkg itself (dpkg-query on the same database); apk databases in the
# documented format; the same image from all four image sources gives the same SBOM; hostile
# metadata gives warnings naming the file and the rest of the SBOM.

load helpers
load registry

# The Debian packages installed with `dpkg --root` into a test root: small, no maintainer scripts
# that need a chroot. Taken from apt's cache, else downloaded once into build/sbom-debs.
DEBS="bats-support bats-assert autotools-dev aglfn"

setup_file() {
	export SOURCE_DATE_EPOCH=1700000000
	local repo
	repo="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	# A copy of this host's dpkg database (status, info/*.list, *.md5sums and format), os-release and the
	# copyright files: a real, large Debian package database, without the rest of the file system.
	HOSTROOT="$BATS_FILE_TMPDIR/hostroot"
	mkdir -p "$HOSTROOT/var/lib/dpkg/info" "$HOSTROOT/etc" "$HOSTROOT/usr/share/doc"
	cp /var/lib/dpkg/status "$HOSTROOT/var/lib/dpkg/status"
	# (info/format says how list files are named: NAME:ARCH.list for every package in format 1)
	find /var/lib/dpkg/info -maxdepth 1 \( -name '*.list' -o -name '*.md5sums' -o -name format \) \
		-exec cp -t "$HOSTROOT/var/lib/dpkg/info" {} +
	cp /usr/lib/os-release "$HOSTROOT/etc/os-release"
	(cd /usr/share/doc && find . -mindepth 2 -maxdepth 2 -name copyright -type f -print0 |
		xargs -0 -r cp --parents -t "$HOSTROOT/usr/share/doc")
	export HOSTROOT

	# Real .deb files installed by dpkg into an empty root.
	DEBROOT="$BATS_FILE_TMPDIR/debroot"
	mkdir -p "$DEBROOT/var/lib/dpkg/info" "$DEBROOT/var/lib/dpkg/updates" "$DEBROOT/etc"
	touch "$DEBROOT/var/lib/dpkg/status" "$DEBROOT/var/lib/dpkg/available"
	cp /usr/lib/os-release "$DEBROOT/etc/os-release"
	local cache="$repo/build/sbom-debs" files="" pkg f
	mkdir -p "$cache"
	for pkg in $DEBS; do
		f=$(ls /var/cache/apt/archives/"${pkg}"_*.deb "$cache/${pkg}"_*.deb 2>/dev/null | head -1 || true)
		if [ -z "$f" ]; then
			(cd "$cache" && apt-get download -qq "$pkg" >/dev/null 2>&1) || true
			f=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | head -1 || true)
		fi
		[ -n "$f" ] && files="$files $f"
	done
	DEBS_OK=0
	# shellcheck disable=SC2086
	if [ -n "$files" ] && dpkg --root="$DEBROOT" --force-not-root --force-script-chrootless -i $files >/dev/null 2>&1; then
		DEBS_OK=1
	fi
	export DEBROOT DEBS_OK
}

teardown_file() {
	registry_stop_all
}

# Python checks on SBOM JSON files, shared by the tests below.
py() { python3 -c "$@"; }

validate() { # validate cyclonedx|spdx FILE
	run "$CAIRN_CORPUS/sbom/validate.sh" "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
}

# NAME<TAB>VERSION<TAB>ARCH of every deb component of a CycloneDX file.
cdx_debs() {
	py '
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["components"]:
    p = {x["name"]: x["value"] for x in c.get("properties", [])}
    if p.get("cairn:package:type") == "deb":
        print(c["name"], c["version"], p.get("cairn:package:arch", ""), sep="\t")
' "$1" | sort
}

@test "sbom: usage errors exit 2" {
	run cairn sbom
	[ "$status" -eq 2 ]
	run cairn sbom dir:/nonexistent-cairn-test
	[ "$status" -eq 2 ]
	run cairn sbom dir:. -o syft-json
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown SBOM format 'syft-json'"* ]]
	run cairn sbom dir:. -o table -o spdx-json
	[ "$status" -eq 2 ]
}

@test "sbom: every format of a real Debian database validates against the official schemas" {
	run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=cdx16.json -o cyclonedx-json@1.5=cdx15.json \
		-o spdx-json=spdx.json -o table=table.txt
	expect_status 0
	validate cyclonedx cdx16.json
	validate cyclonedx cdx15.json
	validate spdx spdx.json
	py 'import json; d = json.load(open("cdx16.json")); assert d["specVersion"] == "1.6"'
	py 'import json; d = json.load(open("cdx15.json")); assert d["specVersion"] == "1.5"'
	head -1 table.txt | grep -q '^NAME  *VERSION  *TYPE$'
	# sorted by name (then version), as sort(1) in the C locale orders them
	tail -n +2 table.txt | awk '{print $1}' >names
	LC_ALL=C sort -c names
}

@test "sbom: the package list equals dpkg-query's on the same database (recall and precision 100%)" {
	run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=cdx.json
	expect_status 0
	cdx_debs cdx.json >got
	# dpkg-query lists packages in every state; an SBOM lists those whose files are on disk, so
	# packages removed with only their configuration files left (config-files, not-installed) are out.
	dpkg-query --admindir="$HOSTROOT/var/lib/dpkg" -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n' |
		awk -F'\t' '$4 != "config-files" && $4 != "not-installed" {print $1 "\t" $2 "\t" $3}' | sort >expected
	local tp exp got_n
	tp=$(comm -12 expected got | wc -l)
	exp=$(wc -l <expected)
	got_n=$(wc -l <got)
	echo "# dpkg: expected $exp, found $got_n, matching $tp" >&3
	echo "# recall $((100 * tp / exp))%, precision $((100 * tp / got_n))%" >&3
	comm -3 expected got
	[ "$exp" -gt 10 ]
	[ "$tp" -eq "$exp" ]
	[ "$tp" -eq "$got_n" ]
	# purls: the distro from os-release, the architecture, the source package as upstream
	. /usr/lib/os-release
	py '
import json, sys
d = json.load(open("cdx.json"))
distro = sys.argv[1]
libs = [c for c in d["components"] if c["type"] == "library"]
assert all(("distro=" + distro) in c["purl"] for c in libs), distro
assert all(c["purl"].startswith("pkg:deb/debian/") for c in libs)
os = [c for c in d["components"] if c["type"] == "operating-system"]
assert len(os) == 1 and os[0]["name"] == "debian", os
' "$ID-$VERSION_ID"
}

@test "sbom: file ownership agrees with dpkg-query -L for every package" {
	run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=cdx.json
	expect_status 0
	py '
import json
d = json.load(open("cdx.json"))
for c in d["components"]:
    p = {x["name"]: x["value"] for x in c.get("properties", [])}
    if p.get("cairn:package:type") == "deb":
        arch = p.get("cairn:package:arch", "")
        print(c["name"] + (":" + arch if arch else ""), p.get("cairn:file-count", "0"))
' | sort >got
	# dpkg-query -L prints every path a package owns, "/." (the root) included, which owns nothing
	: >expected
	while read -r pkg _; do
		n=$(dpkg-query --admindir="$HOSTROOT/var/lib/dpkg" -L "$pkg" 2>/dev/null | grep -cvx '/\.' || true)
		echo "$pkg $n" >>expected
	done <got
	diff expected got
	echo "# ownership: $(wc -l <got) packages, $(awk '{s += $2} END {print s}' got) files, equal to dpkg-query -L" >&3
}

@test "sbom: Depends and Pre-Depends agree with dpkg-query for every package" {
	run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=cdx.json
	expect_status 0
	dpkg-query --admindir="$HOSTROOT/var/lib/dpkg" -W \
		-f '${Package}\t${db:Status-Status}\t${Provides}\t${Pre-Depends}, ${Depends}\n' >dbinfo
	# The expected graph computed independently from dpkg-query's fields: for each comma group the
	# first alternative that names an installed package (or one an installed package provides).
	py '
import json, re
rows = [l.rstrip("\n").split("\t") for l in open("dbinfo")]
inst = {r[0] for r in rows if r[1] not in ("config-files", "not-installed")}
prov = {}
for r in rows:
    if r[0] in inst:
        for p in filter(None, (x.strip() for x in r[2].split(","))):
            prov.setdefault(re.split(r"[ (:]", p)[0], r[0])
def resolve(name):
    return name if name in inst else prov.get(name)
expected = set()
for r in rows:
    if r[0] not in inst: continue
    for group in r[3].split(","):
        for alt in group.split("|"):
            name = re.split(r"[ (:\[<]", alt.strip())[0]
            to = resolve(name) if name else None
            if to:
                if to != r[0]: expected.add((r[0], to))
                break
d = json.load(open("cdx.json"))
names = {c["bom-ref"]: c["name"] for c in d["components"]}
got = {(names[x["ref"]], names[t]) for x in d["dependencies"] for t in x.get("dependsOn", [])}
print("# depends: expected %d edges, found %d, matching %d" % (len(expected), len(got), len(expected & got)))
for e in sorted(expected ^ got)[:20]: print("differs:", e)
assert expected == got
' >&3
}

@test "sbom: packages installed by dpkg --root from real .deb files" {
	[ "$DEBS_OK" = 1 ] || { echo "no .deb files: apt's cache is empty and apt-get download failed" >&2; false; }
	run --separate-stderr cairn sbom "dir:$DEBROOT" -o cyclonedx-json=cdx.json -o spdx-json=spdx.json -o table
	expect_status 0
	echo "$output"
	validate cyclonedx cdx.json
	validate spdx spdx.json
	cdx_debs cdx.json >got
	dpkg-query --admindir="$DEBROOT/var/lib/dpkg" -W -f '${Package}\t${Version}\t${Architecture}\n' | sort >expected
	diff expected got
	# bats-assert Depends: bats-support
	py '
import json
d = json.load(open("cdx.json"))
names = {c["bom-ref"]: c["name"] for c in d["components"]}
got = {(names[x["ref"]], names[t]) for x in d["dependencies"] for t in x.get("dependsOn", [])}
assert ("bats-assert", "bats-support") in got, got
s = json.load(open("spdx.json"))
rels = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in s["relationships"]}
ids = {p["name"]: p["SPDXID"] for p in s["packages"]}
assert (ids["bats-assert"], "DEPENDS_ON", ids["bats-support"]) in rels
assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Source") in rels
'
}

@test "sbom: the same image from all four sources (oci-dir, oci-archive, docker-archive, registry) gives the same SBOM" {
	[ "$DEBS_OK" = 1 ] || { echo "no .deb files: apt's cache is empty and apt-get download failed" >&2; false; }
	command -v umoci >/dev/null && command -v skopeo >/dev/null || { echo "umoci and skopeo are needed (scripts/deps)" >&2; false; }
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$DEBROOT" -cf layer.tar .
	umoci init --layout layout
	umoci new --image layout:deb
	umoci raw add-layer --image layout:deb layer.tar
	umoci config --image layout:deb --os linux --architecture amd64 --created 2024-01-02T03:04:05Z
	skopeo copy -q oci:layout:deb docker-archive:deb.tar:cairn/deb:1
	skopeo copy -q oci:layout:deb oci-archive:deb.oci.tar:deb
	registry_start plain
	skopeo copy -q --dest-tls-verify=false oci:layout:deb "docker://$REG_PLAIN_HOST/cairn/deb:1"
	local src name
	for src in "oci oci-dir:layout:deb" "ociarchive oci-archive:deb.oci.tar" "docker docker-archive:deb.tar" \
		"registry registry:$REG_PLAIN_HOST/cairn/deb:1"; do
		name=${src%% *}
		run --separate-stderr cairn sbom "${src#* }" -o cyclonedx-json="$name.cdx.json" -o spdx-json="$name.spdx.json"
		expect_status 0
		validate cyclonedx "$name.cdx.json"
		validate spdx "$name.spdx.json"
	done
	# Everything but the description of the source (and what is derived from all of it: the serial
	# number and the SPDX namespace) is identical, layer locations included (diff IDs).
	py '
import json
names = ["oci", "ociarchive", "docker", "registry"]
docs = [json.load(open(n + ".cdx.json")) for n in names]
for d in docs:
    del d["metadata"]["component"], d["serialNumber"]
for n, d in zip(names[1:], docs[1:]):
    assert d == docs[0], n + ": CycloneDX differs from oci-dir"
assert len(docs[0]["components"]) >= 4
assert any(p["name"] == "cairn:location:layer" and p["value"].startswith("sha256:")
           for c in docs[0]["components"] for p in c.get("properties", []))
docs = [json.load(open(n + ".spdx.json")) for n in names]
for d in docs:
    del d["name"], d["documentNamespace"], d["packages"][0]
for n, d in zip(names[1:], docs[1:]):
    assert d == docs[0], n + ": SPDX differs from oci-dir"
'
}

@test "sbom: output is deterministic with SOURCE_DATE_EPOCH" {
	run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=a.json -o spdx-json=a.spdx
	expect_status 0
	run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=b.json -o spdx-json=b.spdx
	expect_status 0
	cmp a.json b.json
	cmp a.spdx b.spdx
	grep -q '"timestamp": "2023-11-14T22:13:20Z"' a.json
	SOURCE_DATE_EPOCH= run --separate-stderr cairn sbom "dir:$HOSTROOT" -o cyclonedx-json=c.json
	expect_status 0
	! cmp -s a.json c.json
}

# A hand-made Alpine database following apk-tools' installed-database format (there is no apk here).
@test "sbom: apk packages, licenses, origins and so:/cmd: dependencies" {
	mkdir -p root/lib/apk/db root/etc
	printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n' >root/etc/os-release
	cat >root/lib/apk/db/installed <<'EOF'
C:Q1b+4MK5bzkgs53AAq58WJB7A3i6c=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407141
I:663552
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1701882413
c:2c4e2ec7c4e48fb4dbc4b26cc1be7a1c96bf3b88
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1LFiDUZLbdjnMnD58oNc5tKsYLWs=
R:libc.musl-x86_64.so.1

C:Q1hOYXkT7MA3XzDsbEHbhYjExnNf8=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
D:so:libc.musl-x86_64.so.1 !busybox-extras
p:/bin/sh cmd:busybox=1.36.1-r15 cmd:sh=1.36.1-r15
F:bin
R:busybox

P:alpine-baselayout
V:3.4.3-r2
A:x86_64
L:GPL-2.0-only
o:alpine-baselayout
D:alpine-baselayout-data=3.4.3-r2 /bin/sh
F:etc
R:motd

P:alpine-baselayout-data
V:3.4.3-r2
A:x86_64
L:GPL-2.0-only
o:alpine-baselayout

P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0 AND some-custom-terms
o:openssl
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
EOF
	run --separate-stderr cairn sbom dir:root -o cyclonedx-json=cdx.json -o spdx-json=spdx.json -o table=table.txt
	expect_status 0
	cat table.txt
	[ "$(grep -c ' apk$' table.txt)" -eq 5 ]
	validate cyclonedx cdx.json
	validate spdx spdx.json
	py '
import json
d = json.load(open("cdx.json"))
c = {x["name"]: x for x in d["components"]}
assert c["libcrypto3"]["purl"] == "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl", c["libcrypto3"]["purl"]
assert c["musl"]["purl"] == "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"
assert c["alpine-baselayout-data"]["purl"].endswith("&upstream=alpine-baselayout")
assert c["musl"]["licenses"] == [{"license": {"id": "MIT"}}]
assert c["libcrypto3"]["licenses"] == [{"expression": "(Apache-2.0 AND LicenseRef-some-custom-terms)"}], c["libcrypto3"]["licenses"]
assert c["alpine"]["type"] == "operating-system" and c["alpine"]["version"] == "3.19.1"
names = {x["bom-ref"]: x["name"] for x in d["components"]}
got = {(names[x["ref"]], names[t]) for x in d["dependencies"] for t in x.get("dependsOn", [])}
want = {("busybox", "musl"), ("libcrypto3", "musl"), ("alpine-baselayout", "alpine-baselayout-data"),
        ("alpine-baselayout", "busybox")}
assert got == want, got
s = json.load(open("spdx.json"))
refs = {e["licenseId"]: e["extractedText"] for e in s["hasExtractedLicensingInfos"]}
assert refs == {"LicenseRef-some-custom-terms": "some-custom-terms"}, refs
'
}

@test "sbom: hostile metadata gives warnings naming the file, and the rest of the SBOM" {
	mkdir -p root/var/lib/dpkg/status.d
	# a status file with a malformed stanza, a stanza without a version, and a Depends cycle
	cat >root/var/lib/dpkg/status <<'EOF'
Package: a
Status: install ok installed
Version: 1
Architecture: amd64
Depends: b

Package: b
Status: install ok installed
Version: 2
Architecture: amd64
Depends: c (>= 1) | nonexistent

Package: c
Status: install ok installed
Version: 3
Architecture: amd64
Pre-Depends: a

Package: broken
Status: install ok installed
garbage line without a colon
Version: 1

Package: noversion
Status: install ok installed
EOF
	# distroless status.d: one good file, one over the database size limit (64 MiB)
	printf 'Package: distroless-pkg\nVersion: 9\nArchitecture: all\n' >root/var/lib/dpkg/status.d/distroless-pkg
	truncate -s 65M root/var/lib/dpkg/status.d/huge
	run --separate-stderr cairn sbom dir:root -o table
	expect_status 0
	echo "$output"
	echo "$stderr"
	[[ "$stderr" == *"/var/lib/dpkg/status: line 21: not a 'Field: value' line"* ]]
	[[ "$stderr" == *"/var/lib/dpkg/status: line 24: a package stanza without Version"* ]]
	[[ "$stderr" == *"/var/lib/dpkg/status.d/huge: 68157440 bytes, over the limit of 67108864"* ]]
	[ "$(echo "$output" | grep -c ' deb$')" -eq 4 ]
	[[ "$output" == *distroless-pkg* ]]
	run --separate-stderr cairn sbom dir:root -o cyclonedx-json=cdx.json
	expect_status 0
	validate cyclonedx cdx.json
	py '
import json
d = json.load(open("cdx.json"))
names = {x["bom-ref"]: x["name"] for x in d["components"]}
got = {(names[x["ref"]], names[t]) for x in d["dependencies"] for t in x.get("dependsOn", [])}
assert got == {("a", "b"), ("b", "c"), ("c", "a")}, got
'
	# a status file over the limit: a warning, and the other databases still count
	CAIRN_SBOM_MAX_DB_SIZE=100 run --separate-stderr cairn sbom dir:root -o table
	expect_status 0
	[[ "$stderr" == *"/var/lib/dpkg/status: "*" bytes, over the limit of 100; its packages are not listed"* ]]
	[[ "$output" == *distroless-pkg* ]]
}
