#!/usr/bin/env bats
# cairn sbom, Rust and ELF package notes, against the tools themselves:
# - a crate whose Cargo.lock `cargo generate-lockfile --offline` writes from the crates Debian vendors
#   in /usr/share/cargo/registry (librust-*-dev, a directory source replacing crates.io): its packages
#   and dependency edges against `cargo metadata --format-version 1` (recall and precision 100%);
# - a C program linked with `ld --package-metadata` (binutils' own writer of the systemd package note)
#   against the JSON given to it and what `readelf --notes` reads back;
# - cargo auditable data: zlib-compressed JSON made by python3 as cargo-auditable documents it, put
#   into a .dep-v0 section by objcopy, against that JSON;
# - hostile files cost a warning naming them, and every SBOM validates against the official schemas.

load helpers

REGISTRY=/usr/share/cargo/registry

setup_file() {
	export SOURCE_DATE_EPOCH=1700000000
	W="$BATS_FILE_TMPDIR"
	CARGO=/usr/bin/cargo # Debian's (scripts/deps installs it)
	[ -x "$CARGO" ] || CARGO="$(command -v cargo || true)"
	# cargo's configuration: crates.io replaced by Debian's vendored crates, no network
	mkdir -p "$W/cargo-home" "$W/crate/app/src"
	cat >"$W/cargo-home/config.toml" <<-EOF
		[source.crates-io]
		replace-with = "debian"
		[source.debian]
		directory = "$REGISTRY"
		[net]
		offline = true
	EOF
	cat >"$W/crate/app/Cargo.toml" <<-'EOF'
		[package]
		name = "cairn-e2e-app"
		version = "0.1.0"
		edition = "2018"

		[dependencies]
		aho-corasick = "0.7"
		itoa = "1"
	EOF
	echo 'fn main() {}' >"$W/crate/app/src/main.rs"
	CARGO_OK=0
	if [ -n "$CARGO" ] && (cd "$W/crate/app" && CARGO_HOME="$W/cargo-home" "$CARGO" generate-lockfile --offline &&
		CARGO_HOME="$W/cargo-home" "$CARGO" metadata --format-version 1 --offline >"$W/metadata.json") \
		>"$W/cargo.log" 2>&1; then
		CARGO_OK=1
	fi
	export CARGO_OK W
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

# "name@version" of every package of purl type $2 in a CycloneDX file, and "a@1 -> b@2" edges.
cdx_packages() { # FILE TYPE
	py '
import json, sys
d = json.load(open(sys.argv[1]))
for c in d.get("components", []):
    if c.get("purl", "").startswith("pkg:" + sys.argv[2] + "/"):
        print(c["name"] + "@" + c["version"])
' "$1" "$2" | LC_ALL=C sort -u
}

cdx_edges() { # FILE
	py '
import json, sys
d = json.load(open(sys.argv[1]))
by_ref = {c["bom-ref"]: c["name"] + "@" + c["version"] for c in d.get("components", [])}
for dep in d.get("dependencies", []):
    for to in dep.get("dependsOn", []):
        if dep["ref"] in by_ref and to in by_ref:
            print(by_ref[dep["ref"]] + " -> " + by_ref[to])
' "$1" | LC_ALL=C sort -u
}

need_cargo() {
	[ "$CARGO_OK" = 1 ] || {
		echo "cargo with Debian's vendored crates ($REGISTRY: librust-aho-corasick-dev, librust-itoa-dev) is needed" >&2
		cat "$W/cargo.log" >&2 || true
		false
	}
}

@test "sbom rust: Cargo.lock from cargo generate-lockfile against cargo metadata (recall and precision 100%)" {
	need_cargo
	py '
import json, sys
m = json.load(open(sys.argv[1]))
for p in m["packages"]:
    print(p["name"] + "@" + p["version"])
' "$W/metadata.json" | LC_ALL=C sort -u >want
	[ "$(wc -l <want)" -ge 4 ]
	py '
import json, sys
m = json.load(open(sys.argv[1]))
name = {p["id"]: p["name"] + "@" + p["version"] for p in m["packages"]}
for n in m["resolve"]["nodes"]:
    for d in n.get("deps", []):
        print(name[n["id"]] + " -> " + name[d["pkg"]])
' "$W/metadata.json" | LC_ALL=C sort -u >want-edges
	[ "$(wc -l <want-edges)" -ge 3 ]
	run --separate-stderr cairn sbom "dir:$W/crate" -o cyclonedx-json=crate.json -o spdx-json=crate.spdx.json
	expect_status 0
	[ -z "$stderr" ]
	validate cyclonedx crate.json
	validate spdx crate.spdx.json
	cdx_packages crate.json cargo >got
	score "cargo (Cargo.lock)" want got
	cdx_edges crate.json >got-edges
	score "cargo dependency edges" want-edges got-edges
	# crates.io packages carry no qualifier; every cargo package has its CPE in both formats
	grep -q '"purl": "pkg:cargo/itoa@1.0.1"' crate.json
	grep -q '"cpe": "cpe:2.3:a:itoa:itoa:1.0.1:\*:\*:\*:\*:\*:\*:\*"' crate.json
	grep -q '"referenceLocator": "cpe:2.3:a:memchr:memchr:2.5.0:\*:\*:\*:\*:\*:\*:\*"' crate.spdx.json
}

# A C program whose package note binutils writes, at /usr/bin/hello of a root.
build_noted() { # ROOT JSON
	mkdir -p "$1/usr/bin"
	printf 'int main(void) { return 0; }\n' >hello.c
	gcc -o "$1/usr/bin/hello" hello.c -Xlinker "--package-metadata=$2" # -Xlinker: the JSON has commas
}

@test "sbom ELF package note: ld --package-metadata against the JSON and readelf --notes" {
	json='{"type":"rpm","os":"fedora","osVersion":"40","name":"hello","version":"2.12.1-4.fc40","architecture":"x86_64","osCpe":"cpe:/o:fedoraproject:fedora:40"}'
	build_noted root "$json"
	# readelf, an independent reader, sees the note as FDO packaging metadata with our JSON
	readelf --notes root/usr/bin/hello >notes.txt
	grep -q 'FDO' notes.txt
	grep -qF '"name":"hello"' notes.txt
	run --separate-stderr cairn sbom dir:root -o cyclonedx-json=note.json -o spdx-json=note.spdx.json
	expect_status 0
	[ -z "$stderr" ]
	validate cyclonedx note.json
	validate spdx note.spdx.json
	py '
import json, sys
want = json.loads(sys.argv[2])
d = json.load(open(sys.argv[1]))
got = [c for c in d["components"] if c.get("purl", "").startswith("pkg:rpm/")]
assert len(got) == 1, got
c = got[0]
assert c["name"] == want["name"] and c["version"] == want["version"], c
assert c["purl"] == "pkg:rpm/fedora/hello@2.12.1-4.fc40?arch=x86_64", c["purl"]
locs = [p["value"] for p in c["properties"] if p["name"] == "cairn:location:path"]
assert locs == ["/usr/bin/hello"], locs
' note.json "$json"
}

@test "sbom ELF package note: a note whose sizes leave its section is a warning naming the binary" {
	build_noted root '{"type":"deb","name":"hello","version":"1.0"}'
	# the note's descsz (bytes 4-7 of the section) made larger than the section
	off=$(readelf -W -S root/usr/bin/hello | sed -n 's/.* \.note\.package *NOTE *[0-9a-f]* \([0-9a-f]*\) .*/\1/p')
	[ -n "$off" ]
	printf '\xff\x00\x00\x00' | dd of=root/usr/bin/hello bs=1 seek=$((0x$off + 4)) conv=notrunc status=none
	run --separate-stderr cairn sbom dir:root -o table
	expect_status 0
	expect_stderr "/usr/bin/hello: the ELF package note (.note.package) is malformed"
	[[ "$output" != *hello* ]]
}

# An ELF file with a .dep-v0 section holding JSON compressed by python's zlib.
build_auditable() { # OUT JSON
	printf 'int main(void) { return 0; }\n' >plain.c
	gcc -o plain plain.c
	py 'import sys, zlib; open(sys.argv[1], "wb").write(zlib.compress(sys.argv[2].encode()))' dep.z "$2"
	mkdir -p "$(dirname "$1")"
	objcopy --add-section .dep-v0=dep.z --set-section-flags .dep-v0=readonly plain "$1"
}

@test "sbom rust: cargo auditable data added by objcopy against its JSON" {
	json='{"packages":[{"name":"server","version":"0.3.0","source":"local","dependencies":[1,2],"root":true},{"name":"itoa","version":"1.0.1","source":"crates.io","dependencies":[]},{"name":"memchr","version":"2.5.0","source":"crates.io","kind":"runtime"},{"name":"cc","version":"1.0.79","source":"crates.io","kind":"build"}]}'
	build_auditable root/usr/local/bin/server "$json"
	# objcopy reads back what cargo-auditable's docs say a parser should find
	objcopy --dump-section .dep-v0=back.z root/usr/local/bin/server
	py 'import sys, zlib, json; assert json.loads(zlib.decompress(open("back.z", "rb").read())) == json.loads(sys.argv[1])' "$json"
	py '
import json, sys
for p in json.loads(sys.argv[1])["packages"]:
    print(p["name"] + "@" + p["version"])
' "$json" | LC_ALL=C sort -u >want
	run --separate-stderr cairn sbom dir:root -o cyclonedx-json=aud.json -o spdx-json=aud.spdx.json
	expect_status 0
	[ -z "$stderr" ]
	validate cyclonedx aud.json
	validate spdx aud.spdx.json
	cdx_packages aud.json cargo >got
	score "cargo (auditable)" want got
	cdx_edges aud.json >edges
	grep -qx 'server@0.3.0 -> itoa@1.0.1' edges
	grep -qx 'server@0.3.0 -> memchr@2.5.0' edges
	[ "$(wc -l <edges)" -eq 2 ]
}

@test "sbom rust: corrupt auditable data and a broken Cargo.lock are warnings naming them" {
	build_auditable root/usr/bin/broken '{"packages":[]}'
	objcopy --dump-section .dep-v0=z root/usr/bin/broken
	head -c 5 z >z5
	objcopy --update-section .dep-v0=z5 root/usr/bin/broken
	mkdir -p root/src/x
	printf '[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = [\n "b",\n' >root/src/x/Cargo.lock
	mkdir -p root/src/y
	printf 'version = 3\n\n[[package]]\nname = "fine"\nversion = "1.2.3"\n' >root/src/y/Cargo.lock
	run --separate-stderr cairn sbom dir:root -o table
	expect_status 0
	expect_stderr "/usr/bin/broken: the cargo auditable data (.dep-v0) is not zlib-compressed JSON"
	expect_stderr "/src/x/Cargo.lock: line"
	[[ "$output" == *fine* ]]
}
