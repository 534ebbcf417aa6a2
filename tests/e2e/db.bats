#!/usr/bin/env bats
# cairn db: importing the real advisory corpus, and matches checked against each ecosystem's own
# tools run here (python3-packaging, RubyGems, dpkg), plus the failure paths.

load helpers

vulndb() {
	echo "$(corpus)/vulndb"
}

# The OSV schema's evaluation pseudocode with packaging's PEP 440 ordering, over OSV YAML files:
# prints the IDs of the non-withdrawn advisories affecting PACKAGE VERSION, sorted.
write_pypi_oracle() {
	cat >"$TMP/pypi_oracle.py" <<'EOF'
import glob, re, sys, yaml
from packaging.version import Version, InvalidVersion
def norm(n): return re.sub(r"[-_.]+", "-", n).lower()
def ok(x):
    try: Version(str(x)); return True
    except InvalidVersion: return False
def in_ranges(a, v):
    for r in a.get("ranges") or []:
        if r["type"] == "GIT": continue
        ev = r["events"]
        lim = [e["limit"] for e in ev if "limit" in e]
        if lim and not any(l == "*" or v < Version(str(l)) for l in lim): continue
        def key(e):
            k, x = next(iter(e.items()))
            return (0, Version("0")) if k == "introduced" and str(x) == "0" else (1, Version(str(x)))
        vul = False
        for e in sorted(ev, key=key):
            k, x = next(iter(e.items()))
            if k == "introduced" and (str(x) == "0" or v >= Version(str(x))): vul = True
            elif k == "fixed" and v >= Version(str(x)): vul = False
            elif k == "last_affected" and v > Version(str(x)): vul = False
        if vul: return True
    return False
root, pkg, v = sys.argv[1], norm(sys.argv[2]), Version(sys.argv[3])
hits = set()
for f in glob.glob(root + "/**/*.yaml", recursive=True):
    d = yaml.safe_load(open(f))
    if d.get("withdrawn"): continue
    for a in d.get("affected") or []:
        p = a.get("package") or {}
        if p.get("ecosystem") != "PyPI" or norm(p.get("name", "")) != pkg: continue
        if any(Version(str(x)) == v for x in a.get("versions") or [] if ok(x)) or in_ranges(a, v):
            hits.add(d["id"])
print("\n".join(sorted(hits)))
EOF
}

@test "importing the whole corpus reports counts per source" {
	local start end
	start=$(date +%s%N)
	run --separate-stderr cairn db import --db "$TMP/v.db" "$(vulndb)"
	end=$(date +%s%N)
	expect_status 0
	echo "# import of the whole corpus: $(((end - start) / 1000000)) ms" >&3
	# Counts from the corpus README: Go 4291 records of which 17 withdrawn, PyPI 2661 with 10.
	[[ "$output" =~ osv:Go\ +4274\ +17\ +0 ]]
	[[ "$output" =~ osv:PyPI\ +2651\ +10\ +0 ]]
	for source in osv:AlmaLinux osv:Bitnami osv:CRAN osv:PSF hsec friendsofphp rubysec rustsec alpine-secdb; do
		[[ "$output" =~ $source\ +[1-9][0-9]*\ +[0-9]+\ +0 ]] || { echo "no count for $source" >&2; return 1; }
	done
	[[ "$output" =~ total\ +[0-9]+\ +40\ +0 ]]
	run --separate-stderr cairn db status --db "$TMP/v.db"
	expect_status 0
	[[ "$output" == *"schema version: 1"* ]]
	[[ "$output" =~ osv:Go\ +4274\ +20[0-9][0-9]- ]]
	[[ "$output" =~ rustsec\ +1212\ +2026-08-20 ]]
}

@test "PyPI matches agree with python3-packaging over the same advisories" {
	mkdir "$TMP/pypi"
	zstd -dc "$(vulndb)/pypi-osv-yaml.tar.zst" | tar -x -C "$TMP/pypi"
	write_pypi_oracle
	run cairn db import --db "$TMP/v.db" "$(vulndb)/pypi-osv-yaml.tar.zst"
	expect_status 0
	# Boundaries of PYSEC-2024-69 (introduced 4.2 and 5.0, fixed 4.2.15 and 5.0.8), a pre-release,
	# a name spelled differently, and redis 2.0.0 (listed only by a withdrawn advisory).
	local q
	for q in "django 4.2" "django 4.2.14" "django 4.2.15" "Django 5.0" "django 5.0.8rc1" "django 5.0.8" \
		"pillow 9.0.0" "Jinja2 2.10" "jinja2 2.11.3" "urllib3 1.26.4" "requests 2.19.0" "redis 2.0.0" \
		"PyYAML 5.3" "cryptography 3.2"; do
		set -- $q
		want=$(/usr/bin/python3 "$TMP/pypi_oracle.py" "$TMP/pypi" "$1" "$2")
		got=$(cairn db match --db "$TMP/v.db" PyPI "$1" "$2")
		[ "$got" = "$want" ] || { echo "PyPI $q: packaging says [$want], cairn [$got]" >&2; return 1; }
	done
}

@test "RubySec matches agree with RubyGems' Gem::Requirement" {
	mkdir "$TMP/rubysec"
	zstd -dc "$(vulndb)/rubysec.tar.zst" | tar -x -C "$TMP/rubysec"
	run cairn db import --db "$TMP/v.db" "$(vulndb)/rubysec.tar.zst"
	expect_status 0
	local q
	for q in "rack 2.0.0" "rack 2.2.3" "rails 4.2.5" "actionpack 4.2.5.1" "nokogiri 1.10.0" "passenger 4.0.8"; do
		set -- $q
		want=$(ruby -ryaml -rdate -e '
			gem, v = ARGV[1], Gem::Version.new(ARGV[2])
			ids = Dir.glob("#{ARGV[0]}/**/gems/#{gem}/*.yml").map { |f| YAML.safe_load(File.read(f), permitted_classes: [Date]) }
				.reject { |a| ((a["patched_versions"] || []) + (a["unaffected_versions"] || []))
					.any? { |r| Gem::Requirement.new(*r.split(", ")).satisfied_by?(v) } }
				.map { |a| a["cve"] ? "CVE-#{a["cve"]}" : a["ghsa"] ? "GHSA-#{a["ghsa"]}" : "OSVDB-#{a["osvdb"]}" }
			puts ids.uniq.sort' "$TMP/rubysec" "$1" "$2")
		got=$(cairn db match --db "$TMP/v.db" RubyGems "$1" "$2")
		[ "$got" = "$want" ] || { echo "RubyGems $q: Gem::Requirement says [$want], cairn [$got]" >&2; return 1; }
	done
}

@test "Debian tracker statuses agree with dpkg --compare-versions" {
	cat >"$TMP/tracker.json" <<'EOF'
{"openssl": {
  "CVE-2023-0286": {"scope": "remote", "description": "X.400 type confusion", "releases": {
    "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "fixed_version": "3.0.8-1", "urgency": "not yet assigned"},
    "bullseye": {"status": "resolved", "repositories": {"bullseye": "1.1.1w-0+deb11u1"}, "fixed_version": "1.1.1n-0+deb11u4", "urgency": "high"},
    "trixie": {"status": "resolved", "repositories": {"trixie": "3.0.13-1"}, "fixed_version": "0", "urgency": "not yet assigned"}}},
  "CVE-2024-9999": {"scope": "local", "releases": {
    "bookworm": {"status": "open", "repositories": {"bookworm": "3.0.11-1~deb12u2"}, "urgency": "unimportant"}}}}}
EOF
	run --separate-stderr cairn db import --db "$TMP/v.db" "$TMP/tracker.json"
	expect_status 0
	[[ "$output" =~ debian-tracker\ +2\ +0\ +0 ]]
	local release fixed v
	for release in bookworm:3.0.8-1 bullseye:1.1.1n-0+deb11u4; do
		fixed=${release#*:}
		for v in 3.0.7-1 3.0.8-1~deb12u1 3.0.8-1 3.0.11-1~deb12u2 1.1.1n-0+deb11u3 1.1.1n-0+deb11u4 1.1.1w-0+deb11u1 1:0.1; do
			got=$(cairn db match --db "$TMP/v.db" "Debian:${release%%:*}" openssl "$v" | grep -c CVE-2023-0286 || true)
			if dpkg --compare-versions "$v" lt "$fixed"; then want=1; else want=0; fi
			[ "$got" = "$want" ] || { echo "$release $v: dpkg says $want, cairn $got" >&2; return 1; }
		done
	done
	# "0" as fixed_version: never affected in trixie; "open": every version of bookworm.
	[ -z "$(cairn db match --db "$TMP/v.db" Debian:13 openssl 3.0.0-1)" ]
	[ "$(cairn db match --db "$TMP/v.db" Debian:12 openssl 99:9)" = CVE-2024-9999 ]
}

@test "zip and tar.gz archives are read like directories" {
	mkdir "$TMP/x"
	zstd -dc "$(vulndb)/cran-rsec.tar.zst" | tar -x -C "$TMP/x"
	(cd "$TMP/x" && zip -qr "$TMP/cran.zip" . && tar -czf "$TMP/cran.tar.gz" .)
	for archive in "$TMP/cran.zip" "$TMP/cran.tar.gz" "$TMP/x"; do
		rm -f "$TMP/v.db"*
		run --separate-stderr cairn db import --db "$TMP/v.db" "$archive"
		expect_status 0
		[[ "$output" =~ osv:CRAN\ +14\ +0\ +0 ]] || { echo "$archive: $output" >&2; return 1; }
		[ "$(cairn db match --db "$TMP/v.db" CRAN png 0.1-8)" = RSEC-2026-1 ]
	done
}

@test "a corrupt advisory is named on stderr, skipped, and the import goes on" {
	mkdir "$TMP/in"
	cat >"$TMP/in/GOOD-1.json" <<'EOF'
{"id": "GOOD-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"},
 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.5"}]}]}]}
EOF
	printf '{"id": "BAD-1", "modified": ' >"$TMP/in/BAD-1.json"
	printf 'id: BAD-2\nmodified: [oops\n' >"$TMP/in/BAD-2.yaml"
	echo "not an advisory" >"$TMP/in/README.md"
	run --separate-stderr cairn db import --db "$TMP/v.db" "$TMP/in"
	expect_status 0
	expect_stderr "BAD-1.json"
	expect_stderr "BAD-2.yaml"
	[[ "$output" =~ osv:PyPI\ +1\ +0\ +2 ]]
	[ "$(cairn db match --db "$TMP/v.db" PyPI demo 1.4)" = GOOD-1 ]
	[ -z "$(cairn db match --db "$TMP/v.db" PyPI demo 1.5)" ]
}

@test "a truncated archive gives a clear message and loses nothing already imported" {
	run cairn db import --db "$TMP/v.db" "$(vulndb)/cran-rsec.tar.zst"
	expect_status 0
	before=$(cairn db status --db "$TMP/v.db" | grep '^advisories')
	local size
	size=$(stat -c %s "$(vulndb)/pypi-osv-yaml.tar.zst")
	head -c $((size / 2)) "$(vulndb)/pypi-osv-yaml.tar.zst" >"$TMP/half.tar.zst"
	run --separate-stderr cairn db import --db "$TMP/v.db" "$TMP/half.tar.zst"
	expect_status 2
	expect_stderr "half.tar.zst"
	expect_stderr "truncated"
	[ "$(cairn db status --db "$TMP/v.db" | grep '^advisories')" = "$before" ]
	[ "$(cairn db match --db "$TMP/v.db" CRAN png 0.1-5)" = RSEC-2026-1 ]
}

@test "a database of another schema version is refused with how to rebuild it" {
	run cairn db import --db "$TMP/v.db" "$(vulndb)/cran-rsec.tar.zst"
	expect_status 0
	sqlite3 "$TMP/v.db" 'PRAGMA user_version = 7;'
	for sub in "status" "match CRAN png 0.1-5" "import $(vulndb)/cran-rsec.tar.zst"; do
		run --separate-stderr cairn db $sub --db "$TMP/v.db"
		[ "$status" -ne 0 ]
		expect_stderr "schema version 7"
		expect_stderr "delete the file and import the advisories again"
	done
	rm "$TMP/v.db"*
	run cairn db import --db "$TMP/v.db" "$(vulndb)/cran-rsec.tar.zst"
	expect_status 0
}

@test "update downloads an archive over loopback HTTP, checks its SHA-256 and imports it" {
	mkdir "$TMP/www"
	cp "$(vulndb)/cran-rsec.tar.zst" "$TMP/www/"
	local port=$((20000 + RANDOM % 20000))
	/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$TMP/www" >/dev/null 2>&1 &
	local server=$!
	for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	local sum
	sum=$(sha256sum "$TMP/www/cran-rsec.tar.zst" | cut -d' ' -f1)
	run --separate-stderr cairn db update --db "$TMP/bad.db" --url "http://127.0.0.1:$port/cran-rsec.tar.zst" \
		--sha256 0000000000000000000000000000000000000000000000000000000000000000
	local bad_status=$status bad_stderr=$stderr
	run --separate-stderr cairn db update --db "$TMP/v.db" --url "http://127.0.0.1:$port/cran-rsec.tar.zst" --sha256 "$sum"
	kill "$server"
	expect_status 0
	[[ "$output" =~ osv:CRAN\ +14\ +0\ +0 ]]
	[ "$(cairn db match --db "$TMP/v.db" CRAN png 0.1-5)" = RSEC-2026-1 ]
	[ "$bad_status" -eq 1 ] || { echo "wrong checksum: exit $bad_status" >&2; return 1; }
	[[ "$bad_stderr" == *"SHA-256"* ]]
	[ "$(cairn db status --db "$TMP/bad.db" | grep '^advisories')" = "advisories:     0 (0 affected packages)" ]
	! ls "$TMP" | grep -q download- # the download is removed after the import
	run --separate-stderr cairn db update --db "$TMP/v.db" --url "http://example.com/osv.zip"
	expect_status 2
	expect_stderr "only https"
}

@test "the default database lives under XDG_CACHE_HOME" {
	XDG_CACHE_HOME="$TMP/cache" run cairn db import "$(vulndb)/cran-rsec.tar.zst"
	expect_status 0
	[ -f "$TMP/cache/cairn/vuln.db" ]
	[ "$(XDG_CACHE_HOME="$TMP/cache" cairn db match CRAN png 0.1-3)" = RSEC-2026-1 ]
}

@test "match refuses an invalid version and bad usage" {
	run cairn db import --db "$TMP/v.db" "$(vulndb)/cran-rsec.tar.zst"
	run --separate-stderr cairn db match --db "$TMP/v.db" PyPI django "not a version"
	expect_status 2
	expect_stderr "not a version"
	run --separate-stderr cairn db match --db "$TMP/v.db" PyPI django
	expect_status 2
	run --separate-stderr cairn db status --db "$TMP/missing.db"
	expect_status 2
	expect_stderr "does not exist"
}
