#!/usr/bin/env bats
# cairn scan: SBOM files with real purls scanned against a database imported from the advisory
# corpus. Expected IDs come from outside cairn's scanner: the OSV evaluation run in Python with
# python3-packaging over the PyPI advisories, rpm's own rpm.vercmp over the AlmaLinux advisories,
# the Alpine secdb text, and `cairn db match` per package. Reports are checked against their schemas
# (CycloneDX with the corpus validator, SARIF 2.1.0 with the official schema from an npm package).

load helpers

setup_file() {
	local vulndb
	vulndb="$(corpus)/vulndb"
	export SCAN_DB="$BATS_FILE_TMPDIR/v.db"
	cairn db import --db "$SCAN_DB" "$vulndb/pypi-osv-yaml.tar.zst" "$vulndb/go-osv.tar.zst" \
		"$vulndb/alpine-secdb/v3.11" "$vulndb/almalinux-osv.tar.zst" >/dev/null
	mkdir -p "$BATS_FILE_TMPDIR/pypi"
	zstd -dc "$vulndb/pypi-osv-yaml.tar.zst" | tar -x -C "$BATS_FILE_TMPDIR/pypi"
	export SOURCE_DATE_EPOCH=1700000000
}

# A CycloneDX 1.6 SBOM of the purls given (name and version taken from each purl).
write_sbom() {
	local out=$1
	shift
	/usr/bin/python3 - "$@" >"$out" <<'EOF'
import json, sys, urllib.parse
comps = []
for i, purl in enumerate(sys.argv[1:]):
    body = purl.split("?")[0]
    name, version = body.rsplit("@", 1)
    comps.append({"type": "library", "bom-ref": "c%d" % i, "name": urllib.parse.unquote(name.rsplit("/", 1)[1]),
                  "version": urllib.parse.unquote(version), "purl": purl})
print(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": comps}))
EOF
}

# The OSV schema's evaluation with packaging's PEP 440 ordering over the PyPI advisories of one
# package: prints the IDs of the non-withdrawn ones affecting VERSION, sorted.
pypi_oracle() {
	/usr/bin/python3 - "$BATS_FILE_TMPDIR/pypi" "$1" "$2" <<'EOF'
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
    if norm(f.split("/")[-2]) != pkg: continue
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

# IDs the JSON report gives for the package with purl $2 (sorted), from report file $1.
ids_for() {
	jq -r --arg purl "$2" '[.findings[] | select(.package.purl == $purl) | .id] | sort | .[]' "$1"
}

@test "findings agree with python3-packaging and with cairn db match, package by package" {
	write_sbom sbom.json pkg:pypi/jinja2@2.10 pkg:pypi/django@3.2.0 pkg:pypi/urllib3@1.24.1 \
		pkg:pypi/PyYAML@5.3 pkg:pypi/requests@2.19.0 pkg:golang/github.com/gin-gonic/gin@v1.6.0
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json --output-file report.json
	expect_status 0
	[ "$(jq -r .schema report.json)" = cairn-scan/1 ]
	local pkg version oracle
	for pv in jinja2@2.10 django@3.2.0 urllib3@1.24.1 PyYAML@5.3 requests@2.19.0; do
		pkg=${pv%@*} version=${pv#*@}
		oracle="$(pypi_oracle "$pkg" "$version")"
		[ -n "$oracle" ] || { echo "no advisories for $pv: a useless case" >&2; return 1; }
		[ "$(ids_for report.json "pkg:pypi/$pv")" = "$oracle" ] || {
			echo "$pv: scan $(ids_for report.json "pkg:pypi/$pv" | tr '\n' ' ') oracle $(echo "$oracle" | tr '\n' ' ')" >&2
			return 1
		}
		[ "$(cairn db match --db "$SCAN_DB" PyPI "$pkg" "$version")" = "$oracle" ]
	done
	# Go: the module path from the purl's namespace and name; the same IDs as db match.
	[ "$(ids_for report.json pkg:golang/github.com/gin-gonic/gin@v1.6.0)" = \
		"$(cairn db match --db "$SCAN_DB" Go github.com/gin-gonic/gin v1.6.0)" ]
	[ -n "$(ids_for report.json pkg:golang/github.com/gin-gonic/gin@v1.6.0)" ]
	# The table has the same findings, one line each, and the summary line.
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json
	expect_status 0
	[[ "${lines[0]}" =~ ^PACKAGE\ +INSTALLED\ +FIXED\ +ID\ +SEVERITY\ +SCORE$ ]]
	[ "$(grep -cE '^(jinja2|django|urllib3|PyYAML|requests|gin) ' <<<"$output")" = \
		"$(jq '.findings | length' report.json)" ]
	[[ "$output" == *"$(jq '.findings | length' report.json) vulnerabilities"*"in 6 packages"* ]]
}

@test "--fail-on exits 1 at or above the worst unsuppressed severity, 0 above it" {
	# PYSEC-2023-235 (couchbase, every version) carries CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N,
	# 7.5: high. The other package's advisories carry no rating.
	grep -q 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' "$BATS_FILE_TMPDIR"/pypi/*/vulns/couchbase/PYSEC-2023-235.yaml
	write_sbom sbom.json pkg:pypi/couchbase@3.0.2 pkg:pypi/jinja2@2.10
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json --fail-on high
	expect_status 1
	expect_stderr "at or above high severity"
	[ "$(jq -r '.findings[0].id, .findings[0].severity, .findings[0].score' <<<"$output" | tr '\n' ' ')" = "PYSEC-2023-235 high 7.5 " ]
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --fail-on medium
	expect_status 1
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --fail-on critical
	expect_status 0
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --fail-on severe
	expect_status 2
}

@test "--only-fixed drops the findings without a fixed version" {
	# PYSEC-2023-235 has only `introduced: 0`; jinja2's advisories have fixes.
	! grep -q 'fixed:' "$BATS_FILE_TMPDIR"/pypi/*/vulns/couchbase/PYSEC-2023-235.yaml
	write_sbom sbom.json pkg:pypi/couchbase@3.0.2 pkg:pypi/jinja2@2.10
	local want
	want="$(pypi_oracle jinja2 2.10)"
	[ -n "$want" ]
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json
	expect_status 0
	[ "$(jq -r '[.findings[].id] | sort | .[]' <<<"$output")" = "$(printf 'PYSEC-2023-235\n%s' "$want" | sort)" ]
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json --only-fixed
	expect_status 0
	[ "$(jq -r '[.findings[].id] | sort | .[]' <<<"$output")" = "$want" ]
	[ "$(jq '[.findings[] | select(.fixed_version == null)] | length' <<<"$output")" = 0 ]
}

@test "--vex suppresses not_affected and fixed statements, shows the justification, and --fail-on ignores them" {
	write_sbom sbom.json pkg:pypi/couchbase@3.0.2 pkg:pypi/jinja2@2.10
	# By the advisory's alias (CVE-2023-45875), for the package's purl with qualifiers.
	cat >vex.json <<'EOF'
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "test",
 "timestamp": "2024-01-01T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2023-45875"},
   "products": [{"@id": "pkg:pypi/couchbase@3.0.2?repository_url=https://pypi.org/simple"}],
   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
EOF
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex vex.json --fail-on high
	expect_status 0
	[[ "$output" == *"Suppressed by VEX:"*"couchbase"*"PYSEC-2023-235"*"not_affected"*"vulnerable_code_not_in_execute_path"* ]]
	[[ "$output" == *"1 suppressed by VEX"* ]]
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex vex.json -o json
	expect_status 0
	[ "$(jq -r '.findings[] | select(.id == "PYSEC-2023-235") | .suppressed.justification' <<<"$output")" = \
		vulnerable_code_not_in_execute_path ]
	[ "$(jq '[.findings[] | select(.suppressed != null)] | length' <<<"$output")" = 1 ]
	# A later "affected" statement in a second document takes it back.
	sed -e 's/2024-01-01/2024-06-01/' -e 's/"not_affected", "justification": "vulnerable_code_not_in_execute_path"/"affected"/' \
		vex.json >later.json
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex vex.json --vex later.json --fail-on high
	expect_status 1
}

@test "-o openvex is read back by --vex; with a status changed to fixed it suppresses" {
	write_sbom sbom.json pkg:pypi/jinja2@2.10
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o openvex --output-file out.vex.json
	expect_status 0
	local want
	want="$(pypi_oracle jinja2 2.10)"
	[ -n "$want" ]
	[ "$(jq -r '."@context"' out.vex.json)" = https://openvex.dev/ns/v0.2.0 ]
	[ "$(jq -r '[.statements[].vulnerability.name] | sort | .[]' out.vex.json)" = "$want" ]
	[ "$(jq -r '[.statements[].status] | unique | .[]' out.vex.json)" = affected ]
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex out.vex.json -o json
	expect_status 0
	[ "$(jq '[.findings[] | select(.suppressed != null)] | length' <<<"$output")" = 0 ]
	jq '.statements[].status = "fixed" | .statements[] |= del(.action_statement)' out.vex.json >fixed.vex.json
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex fixed.vex.json -o json
	expect_status 0
	[ "$(jq '[.findings[] | select(.suppressed == null)] | length' <<<"$output")" = 0 ]
	[ "$(jq -r '[.findings[].suppressed.status] | unique | .[]' <<<"$output")" = fixed ]
}

@test "-o cyclonedx is a valid CycloneDX 1.6 BOM whose vulnerabilities point at its components" {
	write_sbom sbom.json pkg:pypi/jinja2@2.10 pkg:pypi/couchbase@3.0.2 pkg:golang/github.com/gin-gonic/gin@v1.6.0
	cat >vex.json <<'EOF'
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/2", "author": "test",
 "timestamp": "2024-01-01T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "PYSEC-2023-235"}, "products": [{"@id": "pkg:pypi/couchbase@3.0.2"}],
   "status": "not_affected", "justification": "component_not_present"}]}
EOF
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex vex.json -o cyclonedx --output-file bom.json
	expect_status 0
	run "$(corpus)/sbom/validate.sh" cyclonedx bom.json
	expect_status 0
	[ "$(jq '[.vulnerabilities[].affects[0].ref] - [.components[]."bom-ref"] | length' bom.json)" = 0 ]
	[ "$(jq -r '.vulnerabilities[] | select(.id == "PYSEC-2023-235") | .analysis.state' bom.json)" = not_affected ]
	[ "$(jq -r '.vulnerabilities[] | select(.id == "PYSEC-2023-235") | .ratings[0].method' bom.json)" = CVSSv31 ]
	# Deterministic with SOURCE_DATE_EPOCH.
	cairn scan --db "$SCAN_DB" sbom:sbom.json --vex vex.json -o cyclonedx >again.json
	cmp bom.json again.json
}

@test "-o sarif validates against the official SARIF 2.1.0 schema" {
	local schema
	schema="$("$BATS_TEST_DIRNAME/sarif/install.sh")"
	write_sbom sbom.json pkg:pypi/jinja2@2.10 pkg:pypi/couchbase@3.0.2 pkg:pypi/django@3.2.0
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o sarif --output-file out.sarif
	expect_status 0
	/usr/bin/python3 - "$schema" out.sarif <<'EOF'
import json, sys, jsonschema
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.validators.validator_for(schema)(schema).validate(doc)
EOF
	# One rule per ID, one result per (package, ID); GitHub's security-severity on the scored rule.
	[ "$(jq '.runs[0].tool.driver.rules | length' out.sarif)" = "$(jq '[.runs[0].results[].ruleId] | unique | length' out.sarif)" ]
	[ "$(jq -r '.runs[0].tool.driver.rules[] | select(.id == "PYSEC-2023-235") | .properties."security-severity"' out.sarif)" = 7.5 ]
	[ "$(jq -r '.runs[0].results[] | select(.ruleId == "PYSEC-2023-235") | .level' out.sarif)" = error ]
	[ "$(jq -r '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri' out.sarif)" = sbom.json ]
}

@test "an Alpine package matches alpine-secdb through its origin and branch" {
	# v3.11/main.yaml: openssl secfixes 1.1.1d-r3 CVE-2019-1551, 1.1.1d-r1 CVE-2019-1547/1549/1563,
	# 1.1.1b-r1, 1.1.1a-r0: 1.1.1d-r2 is affected by CVE-2019-1551 only. musl 1.1.23-r2 fixes CVE-2019-14697.
	grep -A3 'name: openssl' "$(corpus)/vulndb/alpine-secdb/v3.11/main.yaml" | grep -q '1.1.1d-r3'
	write_sbom sbom.json "pkg:apk/alpine/libcrypto1.1@1.1.1d-r2?arch=x86_64&distro=alpine-3.11.6&upstream=openssl" \
		"pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=alpine-3.11.6" \
		"pkg:apk/alpine/musl-utils@1.1.23-r1?arch=x86_64&distro=alpine-3.11.6&upstream=musl"
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json
	expect_status 0
	[ "$(jq -r '.findings[] | "\(.package.name) \(.id) \(.fixed_version) \(.match.ecosystem) \(.match.name)"' <<<"$output" | sort)" = \
"libcrypto1.1 CVE-2019-1551 1.1.1d-r3 Alpine:v3.11 openssl
musl-utils CVE-2019-14697 1.1.23-r2 Alpine:v3.11 musl" ]
}

@test "a dir: source: os-release and the apk database give the branch and the origins" {
	mkdir -p root/etc root/lib/apk/db
	printf 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.6\n' >root/etc/os-release
	printf '%s\n' 'P:libcrypto1.1' 'V:1.1.1d-r2' 'A:x86_64' 'o:openssl' '' 'P:musl' 'V:1.1.24-r2' 'A:x86_64' 'o:musl' '' \
		>root/lib/apk/db/installed
	run --separate-stderr cairn scan --db "$SCAN_DB" dir:root -o json
	expect_status 0
	[ "$(jq -r '.findings[] | "\(.package.name) \(.id) \(.match.ecosystem) \(.match.name)"' <<<"$output")" = \
		"libcrypto1.1 CVE-2019-1551 Alpine:v3.11 openssl" ]
	[ "$(jq -r '.source.distro.version' <<<"$output")" = 3.11.6 ]
	run --separate-stderr cairn scan --db "$SCAN_DB" dir:root -o sarif
	expect_status 0
	[ "$(jq -r '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri' <<<"$output")" = lib/apk/db/installed ]
}

@test "an AlmaLinux rpm matches almalinux-osv as rpm orders versions" {
	local dir="$TMP/alma"
	mkdir -p "$dir"
	zstd -dc "$(corpus)/vulndb/almalinux-osv.tar.zst" | tar -x -C "$dir"
	# rpm's own comparison over every AlmaLinux 9 advisory naming bash.
	local expected
	expected="$(/usr/bin/python3 - "$dir" bash 5.1.8-4.el9 <<'EOF'
import glob, json, subprocess, sys
root, name, v = sys.argv[1:4]
def vercmp(a, b):
    out = subprocess.run(["rpm", "--eval", '%%{lua: print(rpm.vercmp("%s", "%s"))}' % (a, b)],
                         capture_output=True, text=True, check=True).stdout.strip()
    return int(out)
hits = set()
for f in glob.glob(root + "/**/almalinux9/*.json", recursive=True):
    d = json.load(open(f))
    if d.get("withdrawn"): continue
    for a in d.get("affected", []):
        if a["package"]["ecosystem"] != "AlmaLinux:9" or a["package"]["name"] != name: continue
        for r in a.get("ranges", []):
            ev = r["events"]
            intro = [e["introduced"] for e in ev if "introduced" in e]
            fixed = [e["fixed"] for e in ev if "fixed" in e]
            if intro == ["0"] and len(fixed) == 1 and vercmp(v, fixed[0]) < 0:
                hits.add(d["id"])
print("\n".join(sorted(hits)))
EOF
)"
	[ -n "$expected" ]
	write_sbom sbom.json "pkg:rpm/almalinux/bash@5.1.8-4.el9?arch=x86_64&distro=almalinux-9.4"
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json
	expect_status 0
	[ "$(jq -r '[.findings[].id] | sort | .[]' <<<"$output")" = "$expected" ]
	[ "$(jq -r '.findings[0].match.ecosystem' <<<"$output")" = AlmaLinux:9 ]
}

@test "malformed VEX and SBOM files are exit 2 naming the file" {
	write_sbom sbom.json pkg:pypi/jinja2@2.10
	printf '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "X"}, "products": [{"@id": "p"}], "status": "not_affected"}]}' >bad.vex.json
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex bad.vex.json
	expect_status 2
	expect_stderr "bad.vex.json"
	expect_stderr "justification"
	printf '{"statements": ' >truncated.vex.json
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json --vex truncated.vex.json
	expect_status 2
	expect_stderr "truncated.vex.json"
	printf '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library"}]}' >bad.sbom.json
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:bad.sbom.json
	expect_status 2
	expect_stderr "bad.sbom.json"
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:missing.json
	expect_status 2
	expect_stderr "missing.json"
	run --separate-stderr cairn scan --db "$TMP/none.db" sbom:sbom.json
	expect_status 2
	expect_stderr "does not exist"
}

@test "a version its ecosystem cannot read is a warning, and the rest is scanned" {
	write_sbom sbom.json pkg:pypi/jinja2@2.10 "pkg:pypi/rope@0.5m4"
	run --separate-stderr cairn scan --db "$SCAN_DB" sbom:sbom.json -o json
	expect_status 0
	expect_stderr "rope 0.5m4"
	expect_stderr "not scanned"
	local want
	want="$(pypi_oracle jinja2 2.10)"
	[ -n "$want" ]
	[ "$(jq -r '[.findings[].id] | sort | .[]' <<<"$output")" = "$want" ]
	[ "$(jq '.warnings | length' <<<"$output")" = 1 ]
}
