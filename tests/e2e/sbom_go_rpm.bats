#!/usr/bin/env bats
# cairn sbom, Go and rpm catalogers, against the tools themselves:
# - Go binaries of Debian packages (the go tool, skopeo, umoci, docker-registry...) and a module-mode
#   binary built here from vendored Debian sources (dependencies, a replacement, four architectures
#   including 32-bit and big-endian) agree with `go version -m` on main module, deps and Go version;
# - an rpm database made by Debian's rpm (`rpm --initdb`, real .rpm files built with rpmbuild and
#   installed with `rpm -i --justdb`) agrees with `rpm -qa` (recall and precision printed), with
#   `rpm -ql` on owned files and with `rpm -q --whatprovides` on the dependency graph;
# - hostile headers and build info cost a warning naming the file, never the rest of the SBOM.

load helpers

setup_file() {
	export SOURCE_DATE_EPOCH=1700000000
	W="$BATS_FILE_TMPDIR"

	# ---- Go: binaries from Debian packages, at their own paths, plus a module-mode build ----
	GOROOTFS="$W/goroot"
	mkdir -p "$GOROOTFS"
	GO_OK=0
	if command -v go >/dev/null; then
		local pkg f
		for pkg in golang-1.19-go golang-go skopeo umoci docker-registry; do
			dpkg -L "$pkg" 2>/dev/null || true
		done | sort -u | while read -r f; do
			[ -f "$f" ] && [ ! -L "$f" ] && [ -x "$f" ] || continue
			go version -m "$f" >/dev/null 2>&1 || continue
			mkdir -p "$GOROOTFS$(dirname "$f")"
			cp -l "$f" "$GOROOTFS$f" 2>/dev/null || cp "$f" "$GOROOTFS$f"
		done
		# their dpkg records and file lists, so ownership can be checked against dpkg -S
		mkdir -p "$GOROOTFS/var/lib/dpkg/info"
		for pkg in golang-1.19-go golang-go skopeo umoci docker-registry; do
			dpkg-query -s "$pkg" 2>/dev/null && echo || true
			cp /var/lib/dpkg/info/"$pkg".list /var/lib/dpkg/info/"$pkg":*.list "$GOROOTFS/var/lib/dpkg/info/" 2>/dev/null || true
		done >"$GOROOTFS/var/lib/dpkg/status"
		build_module_binary "$W/gomod" "$GOROOTFS/opt/gotest/bin" && GO_OK=1
	fi
	export GOROOTFS GO_OK

	# ---- rpm: three packages built with rpmbuild, installed into a fresh SQLite rpm database ----
	RPMROOT="$W/rpmroot"
	RPM_OK=0
	if command -v rpmbuild >/dev/null && command -v rpm >/dev/null; then
		build_rpms "$W/rpmtop" && RPM_OK=1
		mkdir -p "$RPMROOT/etc" "$RPMROOT/var/lib/rpm"
		printf 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n' >"$RPMROOT/etc/os-release"
		if [ "$RPM_OK" = 1 ]; then
			rpm --initdb --dbpath "$W/rpmdb" --define '_db_backend sqlite' &&
				rpm -i --nodeps --justdb --dbpath "$W/rpmdb" "$W"/rpmtop/RPMS/*/*.rpm >/dev/null 2>&1 &&
				cp "$W/rpmdb/rpmdb.sqlite" "$RPMROOT/var/lib/rpm/rpmdb.sqlite" || RPM_OK=0
		fi
	fi
	export RPMROOT RPM_OK RPMDB="$W/rpmdb"
}

# A module-mode binary from vendored sources Debian ships (no network): two dependencies, one replaced.
build_module_binary() { # DIR OUTDIR
	local d="$1" out="$2" src=/usr/share/gocode/src/github.com
	[ -d "$src/opencontainers/go-digest" ] && [ -d "$src/davecgh/go-spew/spew" ] || return 1
	mkdir -p "$d/vendor/github.com/opencontainers" "$d/vendor/github.com/davecgh/go-spew" "$out"
	cp -r "$src/opencontainers/go-digest" "$d/vendor/github.com/opencontainers/"
	cp -r "$src/davecgh/go-spew/spew" "$d/vendor/github.com/davecgh/go-spew/"
	find "$d/vendor" -name '*_test.go' -delete
	cat >"$d/go.mod" <<-'EOF'
	module example.com/cairn/gotest

	go 1.19

	require (
		github.com/davecgh/go-spew v1.1.1
		github.com/opencontainers/go-digest v1.0.0 // indirect
	)

	replace github.com/davecgh/go-spew => github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	EOF
	cat >"$d/vendor/modules.txt" <<-'EOF'
	# github.com/davecgh/go-spew v1.1.1 => github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	## explicit
	github.com/davecgh/go-spew/spew
	# github.com/opencontainers/go-digest v1.0.0
	## explicit
	github.com/opencontainers/go-digest
	# github.com/davecgh/go-spew => github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc
	EOF
	cat >"$d/main.go" <<-'EOF'
	package main

	import (
		"fmt"

		"github.com/davecgh/go-spew/spew"
		"github.com/opencontainers/go-digest"
	)

	func main() { fmt.Println(spew.Sdump(digest.FromString("cairn"))) }
	EOF
	local arch
	for arch in amd64 386 arm64 mips; do
		(cd "$d" && CGO_ENABLED=0 GOARCH=$arch GOFLAGS="-mod=vendor -buildvcs=false" GOPROXY=off \
			GOCACHE="$d/.cache" go build -o "$out/gotest-$arch" .) >/dev/null 2>&1 || return 1
	done
}

build_rpms() { # TOPDIR
	local top="$1" n
	mkdir -p "$top/SPECS"
	# alpha needs beta by name, beta needs gamma by a file it owns, gamma needs a capability alpha provides
	for n in alpha:cairn-beta:MIT:0 beta:/usr/bin/gammash:GPL-2.0-or-later:2 "gamma:alpha-feature:ASL 2.0 and BSD:"; do
		IFS=: read -r name req lic epoch <<<"$n"
		{
			echo "Name: cairn-$name"
			echo "Version: 1.$((${#name} + 1))"
			echo "Release: 3.fc40"
			[ -n "$epoch" ] && echo "Epoch: $epoch"
			echo "Summary: cairn test package $name"
			echo "License: $lic"
			echo "Vendor: Cairn Test"
			echo "BuildArch: noarch"
			echo "Provides: $name-feature"
			echo "Requires: $req"
			printf '%%description\ntest\n%%install\n'
			echo "mkdir -p %{buildroot}/usr/share/$name %{buildroot}/usr/bin"
			echo "echo $name > %{buildroot}/usr/share/$name/data.txt"
			echo "printf '#!/bin/sh\\n' > %{buildroot}/usr/bin/${name}sh"
			printf '%%files\n/usr/share/%s/data.txt\n/usr/bin/%ssh\n' "$name" "$name"
		} >"$top/SPECS/$name.spec"
		rpmbuild --define "_topdir $top" -bb "$top/SPECS/$name.spec" >/dev/null 2>&1 || return 1
	done
}

py() { python3 -c "$@"; }

validate() { # validate cyclonedx|spdx FILE
	run "$CAIRN_CORPUS/sbom/validate.sh" "$1" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
}

# "PATH<TAB>KIND<TAB>NAME@VERSION" lines of cairn's Go packages: KIND is main (the package that depends
# on the others), go (stdlib) or dep.
cdx_go() {
	py '
import json, sys
d = json.load(open(sys.argv[1]))
deps = {x["ref"]: x.get("dependsOn", []) for x in d.get("dependencies", [])}
for c in d["components"]:
    p = {}
    for x in c.get("properties", []):
        p.setdefault(x["name"], x["value"])
    if p.get("cairn:package:type") != "golang":
        continue
    kind = "go" if c["name"] == "stdlib" else ("main" if deps.get(c["bom-ref"]) else "dep")
    print(p["cairn:location:path"], kind, c["name"] + "@" + c["version"], sep="\t")
' "$1" | sort
}

# The same lines from `go version -m` for every binary under ROOT: the replacement when there is one
# (a directory replacement keeps the module path, at version "(devel)").
gotool_go() { # ROOT
	local root="$1" f
	find "$root" -type f | sort | while read -r f; do
		go version -m "$f" 2>/dev/null | ROOT="$root" F="$f" py '
import os, sys
f = os.environ["F"]; path = f[len(os.environ["ROOT"]):]
lines = sys.stdin.read().split("\n")
if ": " not in lines[0]:
    sys.exit(0)  # not a Go binary
ver = lines[0].split(": ", 1)[1].split(" ")[0]
out = {"go\tstdlib@" + ver}
last = None
for l in lines[1:]:
    t = l.strip("\t").split("\t")
    if t[0] == "mod":
        out.add("main\t%s@%s" % (t[1], t[2]))
    elif t[0] == "dep":
        last = "dep\t%s@%s" % (t[1], t[2]); out.add(last)
    elif t[0] == "=>":
        out.discard(last)
        if t[1].startswith(("./", "../", "/")):  # a directory of the build: the module path, (devel)
            out.add(last.split("@")[0] + "@(devel)")
        else:
            out.add("dep\t%s@%s" % (t[1], t[2] if len(t) > 2 and t[2] else "(devel)"))
for o in sorted(out):
    print(path + "\t" + o)
'
	done | sort
}

@test "sbom go: Go binaries agree with go version -m (main module, deps, Go version: 100%)" {
	[ "$GO_OK" = 1 ] || skip "go or the vendored Debian Go sources are missing (scripts/deps)"
	run --separate-stderr cairn sbom "dir:$GOROOTFS" -o cyclonedx-json=cdx.json -o spdx-json=spdx.json
	expect_status 0
	validate cyclonedx cdx.json
	validate spdx spdx.json
	cdx_go cdx.json >got
	gotool_go "$GOROOTFS" >expected
	local tp exp got_n bins
	tp=$(comm -12 expected got | wc -l)
	exp=$(wc -l <expected)
	got_n=$(wc -l <got)
	bins=$(cut -f1 expected | sort -u | wc -l)
	echo "# go: $bins binaries; expected $exp packages, found $got_n, matching $tp" >&3
	echo "# recall $((100 * tp / exp))%, precision $((100 * tp / got_n))%" >&3
	comm -3 expected got
	[ "$bins" -ge 5 ]
	[ "$tp" -eq "$exp" ]
	[ "$tp" -eq "$got_n" ]
	# every architecture of the module build: its main module, both deps (one replaced) and stdlib
	for arch in amd64 386 arm64 mips; do
		grep -qx "/opt/gotest/bin/gotest-$arch	main	example.com/cairn/gotest@(devel)" got
		grep -qx "/opt/gotest/bin/gotest-$arch	dep	github.com/davecgh/go-spew@v1.1.2-0.20180830191138-d8f796af33cc" got
	done
	# purls as syft writes them: pkg:golang/<module path>@<version>
	py '
import json
d = json.load(open("cdx.json"))
purls = {c["purl"] for c in d["components"] if "purl" in c}
assert "pkg:golang/github.com/opencontainers/go-digest@v1.0.0" in purls, purls
assert any(p.startswith("pkg:golang/stdlib@go1.") for p in purls), purls
'
}

@test "sbom go: each Go binary's packages are contained by the Debian package dpkg -S names as its owner" {
	[ "$GO_OK" = 1 ] || skip "go missing"
	run --separate-stderr cairn sbom "dir:$GOROOTFS" -o spdx-json=spdx.json
	expect_status 0
	validate spdx spdx.json
	# cairn: PATH<TAB>OWNER for every Go package (SPDX: the deb package CONTAINS it; "-" for none)
	py '
import json
d = json.load(open("spdx.json"))
pk = {p["SPDXID"]: p for p in d["packages"]}
owner = {}
for r in d["relationships"]:
    a, b = pk.get(r["spdxElementId"]), pk.get(r["relatedSpdxElement"])
    if r["relationshipType"] == "CONTAINS" and a and b and "-deb-" in a["SPDXID"]:
        owner[b["SPDXID"]] = a["name"]
for p in d["packages"]:
    if "-golang-" in p["SPDXID"]:
        print(p["comment"].split("found in ", 1)[1], owner.get(p["SPDXID"], "-"), sep="\t")
' | sort -u >got
	cut -f1 got | sort -u | while read -r f; do
		o=$(dpkg -S "$f" 2>/dev/null | cut -d: -f1 || true)
		printf '%s\t%s\n' "$f" "${o:--}"
	done | sort -u >expected
	cat got
	diff expected got
	grep -q "^/usr/bin/skopeo	skopeo$" got
	grep -q "^/opt/gotest/bin/gotest-amd64	-$" got
}

@test "sbom go: go.mod in a directory lists its requirements with replacements applied" {
	[ "$GO_OK" = 1 ] || skip "go missing"
	mkdir -p src
	cp "$BATS_FILE_TMPDIR/gomod/go.mod" src/go.mod
	run --separate-stderr cairn sbom dir:src -o cyclonedx-json=cdx.json
	expect_status 0
	validate cyclonedx cdx.json
	# ground truth from the go command's own parser (go mod edit -json), replacements applied as go does
	go mod edit -json src/go.mod | py '
import json, sys
m = json.load(sys.stdin)
for r in m.get("Require") or []:
    path, ver = r["Path"], r["Version"]
    for x in m.get("Replace") or []:
        if x["Old"]["Path"] == r["Path"] and x["Old"].get("Version", r["Version"]) == r["Version"] and x["New"].get("Version"):
            path, ver = x["New"]["Path"], x["New"]["Version"]
    print(path + "@" + ver)
' | sort >expected
	[ "$(wc -l <expected)" -eq 2 ]
	py '
import json
d = json.load(open("cdx.json"))
for c in d["components"]:
    if c.get("purl", "").startswith("pkg:golang/"):
        print(c["name"] + "@" + c["version"])
' | sort >got
	diff expected got
}

@test "sbom rpm: the package list equals rpm -qa on the same database (recall and precision 100%)" {
	[ "$RPM_OK" = 1 ] || skip "rpm or rpmbuild missing (scripts/deps)"
	run --separate-stderr cairn sbom "dir:$RPMROOT" -o cyclonedx-json=cdx.json -o spdx-json=spdx.json
	expect_status 0
	[ -z "$stderr" ]
	validate cyclonedx cdx.json
	validate spdx spdx.json
	rpm -qa --dbpath "$RPMDB" --qf '%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{EPOCH}\t%{VENDOR}\n' |
		sed 's/(none)//g' | sort >expected
	py '
import json
d = json.load(open("cdx.json"))
for c in d["components"]:
    p = {x["name"]: x["value"] for x in c.get("properties", [])}
    if p.get("cairn:package:type") == "rpm":
        q = dict(kv.split("=", 1) for kv in c["purl"].split("?", 1)[1].split("&"))
        print(c["name"], c["version"], p.get("cairn:package:arch", ""), q.get("epoch", ""), c.get("supplier", {}).get("name", ""), sep="\t")
' | sort >got
	local tp exp got_n
	tp=$(comm -12 expected got | wc -l)
	exp=$(wc -l <expected)
	got_n=$(wc -l <got)
	echo "# rpm (sqlite): expected $exp, found $got_n, matching $tp" >&3
	echo "# recall $((100 * tp / exp))%, precision $((100 * tp / got_n))%" >&3
	comm -3 expected got
	[ "$exp" -eq 3 ]
	[ "$tp" -eq "$exp" ]
	[ "$tp" -eq "$got_n" ]
	# purl: the os-release ID as namespace, distro, arch, epoch, the source rpm as upstream
	py '
import json
d = json.load(open("cdx.json"))
purls = sorted(c["purl"] for c in d["components"] if c.get("purl", "").startswith("pkg:rpm/"))
assert purls[1] == "pkg:rpm/fedora/cairn-beta@1.5-3.fc40?arch=noarch&distro=fedora-40&epoch=2&upstream=cairn-beta-1.5-3.fc40.src.rpm", purls
lic = {c["name"]: c.get("licenses") for c in d["components"]}
assert lic["cairn-alpha"] == [{"license": {"id": "MIT"}}], lic
assert lic["cairn-beta"] == [{"license": {"id": "GPL-2.0-or-later"}}], lic
'
}

@test "sbom rpm: owned files agree with rpm -ql and dependencies with rpm -q --whatprovides" {
	[ "$RPM_OK" = 1 ] || skip "rpm or rpmbuild missing"
	run --separate-stderr cairn sbom "dir:$RPMROOT" -o cyclonedx-json=cdx.json
	expect_status 0
	local name
	for name in $(rpm -qa --dbpath "$RPMDB" --qf '%{NAME}\n'); do
		exp=$(rpm -ql --dbpath "$RPMDB" "$name" | wc -l)
		got=$(py '
import json, sys
d = json.load(open("cdx.json"))
for c in d["components"]:
    if c["name"] == sys.argv[1]:
        print({x["name"]: x["value"] for x in c["properties"]}.get("cairn:file-count", 0))
' "$name")
		echo "$name: rpm -ql $exp, cairn $got"
		[ "$exp" = "$got" ]
		# each requirement, resolved by rpm itself, is an edge of cairn's dependency graph
		rpm -q --requires --dbpath "$RPMDB" "$name" | grep -v '^rpmlib(' | while read -r req _; do
			rpm -q --whatprovides "$req" --dbpath "$RPMDB" --qf '%{NAME}\n' 2>/dev/null
		done | grep -vx "$name" | sort -u >want_deps || true
		py '
import json, sys
d = json.load(open("cdx.json"))
ref = {c["bom-ref"]: c["name"] for c in d["components"]}
me = [c["bom-ref"] for c in d["components"] if c["name"] == sys.argv[1]][0]
for x in d["dependencies"]:
    if x["ref"] == me:
        for r in x.get("dependsOn", []):
            print(ref[r])
' "$name" | sort -u >got_deps
		diff want_deps got_deps
		[ -s want_deps ]
	done
}

# Rewrites one package row's header blob in a copy of the database with a Python expression of b.
hostile_db() { # OUT EXPR
	cp -r "$RPMROOT" "$1"
	python3 - "$1/var/lib/rpm/rpmdb.sqlite" "$2" <<-'EOF'
	import sqlite3, struct, sys
	db = sqlite3.connect(sys.argv[1])
	hnum, b = db.execute("SELECT hnum, blob FROM Packages ORDER BY hnum LIMIT 1").fetchone()
	b = bytearray(b)
	exec(sys.argv[2])
	db.execute("UPDATE Packages SET blob = ? WHERE hnum = ?", (bytes(b), hnum))
	db.commit()
	db.execute("PRAGMA journal_mode=DELETE")
	db.close()
	EOF
}

@test "sbom rpm: hostile headers (truncated, offsets outside, overflowing counts) are warnings naming the database" {
	[ "$RPM_OK" = 1 ] || skip "rpm or rpmbuild missing"
	local case expr
	for case in truncated offset count; do
		case $case in
		truncated) expr='b[:] = b[:len(b) // 2]' ;;
		# the first index entry's offset far past the data store
		offset) expr='il = struct.unpack(">I", b[0:4])[0]
for i in range(il):
    struct.pack_into(">I", b, 8 + 16 * i + 8, 0x7ffffff0)' ;;
		# every entry's count enormous
		count) expr='il = struct.unpack(">I", b[0:4])[0]
for i in range(il):
    struct.pack_into(">I", b, 8 + 16 * i + 12, 0xffffffff)' ;;
		esac
		hostile_db "h-$case" "$expr"
		run --separate-stderr cairn sbom "dir:h-$case" -o cyclonedx-json=cdx.json
		echo "$case: $stderr"
		expect_status 0
		[[ "$stderr" == *"warning: /var/lib/rpm/rpmdb.sqlite: "* ]]
		validate cyclonedx cdx.json
		# the two other packages are still there
		n=$(py 'import json; print(sum(1 for c in json.load(open("cdx.json"))["components"] if c.get("purl", "").startswith("pkg:rpm/")))')
		[ "$n" -eq 2 ]
	done
	# a database that is not SQLite at all
	cp -r "$RPMROOT" h-garbage
	head -c 100000 /dev/urandom >h-garbage/var/lib/rpm/rpmdb.sqlite
	run --separate-stderr cairn sbom "dir:h-garbage" -o table
	expect_status 0
	[[ "$stderr" == *"/var/lib/rpm/rpmdb.sqlite: not an SQLite database"* ]]
}

@test "sbom go: a binary with corrupt build info is a warning naming it; the other binaries still count" {
	[ "$GO_OK" = 1 ] || skip "go missing"
	mkdir -p bad/usr/bin
	cp "$GOROOTFS/opt/gotest/bin/gotest-amd64" bad/usr/bin/good
	cp "$GOROOTFS/opt/gotest/bin/gotest-amd64" bad/usr/bin/broken
	# the module info length (a uvarint after the version string) made huge
	python3 - bad/usr/bin/broken <<-'EOF'
	import sys
	b = bytearray(open(sys.argv[1], "rb").read())
	i = b.index(b"\xff Go buildinf:")
	vlen = b[i + 32]
	j = i + 33 + vlen
	b[j:j + 1] = b"\xff\xff\xff\xff\x0f"
	open(sys.argv[1], "wb").write(b)
	EOF
	run --separate-stderr cairn sbom dir:bad -o cyclonedx-json=cdx.json
	echo "$stderr"
	expect_status 0
	[[ "$stderr" == *"warning: /usr/bin/broken: Go build info is malformed"* ]]
	cdx_go cdx.json >got
	cat got
	grep -q "^/usr/bin/good	main	example.com/cairn/gotest@(devel)$" got
	! grep -q "^/usr/bin/broken" got
}

@test "sbom go+rpm: an image of the same files gives the same Go and rpm packages as the directory" {
	[ "$GO_OK" = 1 ] && [ "$RPM_OK" = 1 ] || skip "go, rpm or rpmbuild missing"
	command -v umoci >/dev/null || skip "umoci missing (scripts/deps)"
	# one layer: the Go module build and the rpm database (image binaries are kept as the layer streams)
	mkdir -p rootfs/opt
	cp -r "$GOROOTFS/opt/gotest" rootfs/opt/
	cp -r "$RPMROOT/etc" "$RPMROOT/var" rootfs/
	tar -C rootfs -cf layer.tar .
	umoci init --layout layout
	umoci new --image layout:img
	umoci raw add-layer --image layout:img layer.tar
	run --separate-stderr cairn sbom oci-dir:layout:img -o cyclonedx-json=img.json
	expect_status 0
	validate cyclonedx img.json
	run --separate-stderr cairn sbom dir:rootfs -o cyclonedx-json=dir.json
	expect_status 0
	for f in img dir; do
		py '
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["components"]:
    if c.get("purl", "").startswith(("pkg:golang/", "pkg:rpm/")):
        p = {x["name"]: x["value"] for x in c.get("properties", [])}
        print(c["purl"], p.get("cairn:location:path"))
' "$f.json" | sort >"$f.list"
	done
	diff img.list dir.list
	[ "$(grep -c '^pkg:rpm/' img.list)" -eq 3 ]
	[ "$(grep -c '^pkg:golang/' img.list)" -eq 16 ]
}
