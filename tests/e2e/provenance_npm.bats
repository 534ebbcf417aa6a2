#!/usr/bin/env bats
# cairn verify-provenance --attestations: npm's attestations document (what the registry serves at
# /-/npm/v1/attestations/NAME@VERSION). The registry's publish attestation here is made the way npm's
# is: an in-toto statement (pkg:npm/NAME@VERSION, the tarball's sha512) signed into a DSSE envelope by a
# registry key and logged in a Rekor-compatible log (a local `cairn log serve`). The SLSA provenance
# is the conformance suite's real GitHub Actions bundle: its certificate is not an npm publishing
# workflow's, so it must be refused, after the publish attestation verified. (Real npm documents pass
# too: see scripts/slsa-verifier-regression on slsa-verifier's own test data, and provenance_keyless.bats.)

load helpers

NPM_HOSTED=https://github.com/actions/runner/github-hosted
BEACON=github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon

# One log, one registry key and one publish attestation for all the tests; the bundles carry their log
# entries, so everything is verified offline after the log stops.
setup_file() {
	export NPM="$BATS_FILE_TMPDIR/npm"
	mkdir -p "$NPM" && cd "$NPM" || return 1
	local conformance
	conformance="$(corpus)/sigstore/conformance" || return 1
	cp "$conformance/a.txt" package.tgz
	for k in log registry other; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$k.key" 2>/dev/null
		openssl pkey -in "$k.key" -pubout -out "$k.pub"
	done
	cairn log serve --db log.db --key log.key --addr 127.0.0.1:0 --port-file port >log.out 2>log.err &
	local pid=$!
	for _ in $(seq 1 200); do [ -s port ] && break; sleep 0.05; done
	[ -s port ] || { cat log.err >&2; kill -TERM "$pid"; return 1; }
	local url="http://127.0.0.1:$(cat port)"
	publish_statement package.tgz '@acme/widget' 1.2.3 >publish.json
	publish_statement /dev/null '@acme/widget' 1.2.3 >publish-empty.json
	local rc=0
	cairn sign-blob --key registry.key --bundle publish.bundle --in-toto --rekor-url "$url" --rekor-public-key log.pub publish.json &&
		cairn sign-blob --key other.key --bundle other.bundle --in-toto --rekor-url "$url" --rekor-public-key log.pub publish.json &&
		cairn sign-blob --key registry.key --bundle empty.bundle --in-toto --rekor-url "$url" --rekor-public-key log.pub publish-empty.json &&
		cairn log trusted-root --public-key log.pub --url "$url" >log-root.json || rc=1
	kill -TERM "$pid"
	wait "$pid" || true
	[ "$rc" -eq 0 ] || return 1
	# the public-good root (for the provenance) with the local log added (for the publish attestation)
	python3 - "$(corpus)/sigstore/trusted_root.public-good.json" <<-'EOF'
		import json, sys
		root = json.load(open(sys.argv[1]))
		root["tlogs"] += json.load(open("log-root.json"))["tlogs"]
		json.dump(root, open("root.json", "w"))
	EOF
	cp "$conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" provenance.bundle
}

# The statement npm's registry signs for a published version.
publish_statement() { # tarball name version
	printf '{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"pkg:npm/%s@%s","digest":{"sha512":"%s"}}],"predicateType":"https://github.com/npm/attestation/tree/main/specs/publish/v0.1","predicate":{"name":"%s","version":"%s","registry":"https://registry.npmjs.org"}}\n' \
		"$(printf %s "$2" | sed 's/@/%40/')" "$3" "$(sha512sum "$1" | cut -d' ' -f1)" "$2" "$3"
}

# Writes the attestations document from a publish bundle and a provenance bundle ("-" leaves one out).
attestations() { # publish-bundle provenance-bundle out
	python3 - "$@" <<-'EOF'
		import json, sys
		pub, prov, out = sys.argv[1:]
		doc = {"attestations": []}
		if pub != "-":
		    doc["attestations"].append({"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
		                                "bundle": json.load(open(pub))})
		if prov != "-":
		    doc["attestations"].append({"predicateType": "https://slsa.dev/provenance/v1", "bundle": json.load(open(prov))})
		json.dump(doc, open(out, "w"))
	EOF
}

verify_npm() { # document [options...]
	local doc="$1"
	shift
	run --separate-stderr cairn verify-provenance --attestations "$doc" --trusted-root "$NPM/root.json" \
		--source-uri "$BEACON" --builder-id "$NPM_HOSTED" "$@"
}

@test "npm: the registry's publish attestation verifies; then the provenance is refused for its certificate" {
	attestations "$NPM/publish.bundle" "$NPM/provenance.bundle" doc.json
	verify_npm doc.json --npm-key "$NPM/registry.pub" --package-name @acme/widget --package-version 1.2.3 "$NPM/package.tgz"
	expect_status 1
	expect_stderr "the SLSA provenance: builder mismatch"
	[[ "$stderr" != *"publish attestation"* ]]
}

@test "npm: a publish attestation by another key, for another tarball, or tampered is refused" {
	attestations "$NPM/other.bundle" "$NPM/provenance.bundle" other.json
	verify_npm other.json --npm-key "$NPM/registry.pub" "$NPM/package.tgz"
	expect_status 1
	expect_stderr "the registry's publish attestation"
	attestations "$NPM/empty.bundle" "$NPM/provenance.bundle" empty.json
	verify_npm empty.json --npm-key "$NPM/registry.pub" "$NPM/package.tgz"
	expect_status 1
	expect_stderr "the registry's publish attestation"
	printf 'another tarball\n' >other.tgz
	attestations "$NPM/publish.bundle" "$NPM/provenance.bundle" doc.json
	verify_npm doc.json --npm-key "$NPM/registry.pub" other.tgz
	expect_status 1
	expect_stderr "the registry's publish attestation"
	# the envelope's payload changed after logging: the log entry no longer matches
	python3 - "$NPM/publish.bundle" tampered.bundle <<-'EOF'
		import base64, json, sys
		b = json.load(open(sys.argv[1]))
		st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
		st["predicate"]["version"] = "9.9.9"
		b["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
		json.dump(b, open(sys.argv[2], "w"))
	EOF
	attestations tampered.bundle "$NPM/provenance.bundle" tampered.json
	verify_npm tampered.json --npm-key "$NPM/registry.pub" "$NPM/package.tgz"
	expect_status 1
	expect_stderr "the registry's publish attestation"
}

@test "npm: the package name and version must be the ones the registry attested" {
	attestations "$NPM/publish.bundle" "$NPM/provenance.bundle" doc.json
	verify_npm doc.json --npm-key "$NPM/registry.pub" --package-name @acme/gadget "$NPM/package.tgz"
	expect_status 1
	expect_stderr "package name mismatch: the registry attested @acme/widget, expected @acme/gadget"
	verify_npm doc.json --npm-key "$NPM/registry.pub" --package-version 1.2.4 "$NPM/package.tgz"
	expect_status 1
	expect_stderr "package version mismatch: the registry attested 1.2.3, expected 1.2.4"
}

@test "npm: without --npm-key only the npm registry's own keys are trusted" {
	attestations "$NPM/publish.bundle" "$NPM/provenance.bundle" doc.json
	verify_npm doc.json "$NPM/package.tgz"
	expect_status 1
	expect_stderr "which is not one of the npm registry's"
}

@test "npm: a document without both attestations, or malformed, is refused; --builder-id is required" {
	attestations "$NPM/publish.bundle" - no-provenance.json
	verify_npm no-provenance.json --npm-key "$NPM/registry.pub" "$NPM/package.tgz"
	expect_status 1
	expect_stderr "the SLSA provenance attestation is missing"
	attestations - "$NPM/provenance.bundle" no-publish.json
	verify_npm no-publish.json --npm-key "$NPM/registry.pub" "$NPM/package.tgz"
	expect_status 1
	expect_stderr "the registry's publish attestation is missing"
	printf '{"attestations": [' >truncated.json
	verify_npm truncated.json "$NPM/package.tgz"
	expect_status 2
	expect_stderr "truncated.json"
	printf '{"attestations": {}}' >wrong.json
	verify_npm wrong.json "$NPM/package.tgz"
	expect_status 2
	expect_stderr "no \"attestations\" array"
	attestations "$NPM/publish.bundle" "$NPM/provenance.bundle" doc.json
	run --separate-stderr cairn verify-provenance --attestations doc.json --source-uri "$BEACON" "$NPM/package.tgz"
	expect_status 1
	expect_stderr "no builder ID expected"
}
