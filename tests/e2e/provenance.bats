#!/usr/bin/env bats
# cairn verify-provenance: real GitHub Actions provenance bundles, and provenance that must be rejected.

load helpers

BV() { echo "$(corpus)/sigstore/conformance/bundle-verify"; }
A_TXT=sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf
BEACON=github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon

# Signs a statement file as a DSSE envelope with openssl, computing PAE from the DSSE spec.
sign_statement() { # statement key.pem out
	local type=application/vnd.in-toto+json
	{ printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < "$1")"; cat "$1"; } > pae
	openssl dgst -sha256 -sign "$2" -out sig.der pae
	printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"","sig":"%s"}]}\n' \
		"$type" "$(base64 -w0 < "$1")" "$(base64 -w0 < sig.der)" > "$3"
}

setup_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem 2>/dev/null
	openssl pkey -in k.pem -pubout -out k.pub
	printf 'artifact\n' > art
	digest="$(sha256sum art | cut -d' ' -f1)"
}

statement() { # predicateType
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"art","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":{"buildDefinition":{"buildType":"https://example.com/b","externalParameters":{},"resolvedDependencies":[{"uri":"git+https://github.com/o/r@refs/heads/main","digest":{"gitCommit":"aaaa"}}]},"runDetails":{"builder":{"id":"https://example.com/builder@v1"}}}}' "$digest" "$1"
}

@test "provenance: a GitHub Actions SLSA bundle is checked against its certificate's builder" {
	# The conformance DSSE bundles are signed by the conformance OIDC beacon workflow at refs/heads/main.
	run --separate-stderr cairn verify-provenance --bundle "$(BV)/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" \
		--source-uri github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon "$A_TXT"
	expect_status 1
	expect_stderr "untrusted builder"
	run --separate-stderr cairn verify-provenance --bundle "$(BV)/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" \
		--source-uri github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon \
		--builder-id https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml \
		"$A_TXT"
	expect_status 1
	expect_stderr "not at a release tag"
}

@test "provenance: a wrong builder or a wrong source repository fails" {
	run --separate-stderr cairn verify-provenance --bundle "$(BV)/rekor2-dsse-happy-path/bundle.sigstore.json" \
		--trusted-root "$(BV)/rekor2-dsse-happy-path/trusted_root.json" \
		--source-uri github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon \
		--builder-id https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml \
		"$A_TXT"
	expect_status 1
	expect_stderr "builder mismatch"
}

@test "provenance: a tampered bundle is rejected by its signature" {
	run --separate-stderr cairn verify-provenance --bundle "$(BV)/dsse-invalid-sig_fail/bundle.sigstore.json" \
		--source-uri github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon "$A_TXT"
	expect_status 1
	run --separate-stderr cairn verify-provenance --bundle "$(BV)/dsse-mismatch-envelope_fail/bundle.sigstore.json" \
		--source-uri github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon "$A_TXT"
	expect_status 1
}

@test "provenance: a bundle for another artifact is rejected" {
	run --separate-stderr cairn verify-provenance --bundle "$(BV)/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" \
		--source-uri github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon \
		sha256:0000000000000000000000000000000000000000000000000000000000000000
	expect_status 1
}

@test "provenance: DSSE with a key: valid, unsigned, tampered, wrong subject, wrong predicate type" {
	setup_key
	statement https://slsa.dev/provenance/v1 > st.json
	sign_statement st.json k.pem good.jsonl
	run --separate-stderr cairn verify-provenance --provenance good.jsonl --key k.pub --source-uri github.com/o/r \
		--builder-id https://example.com/builder art
	expect_status 0
	# --print-provenance: the statement exactly as signed on standard output, the verdict on standard error
	cairn verify-provenance --provenance good.jsonl --key k.pub --source-uri github.com/o/r --print-provenance art \
		>printed.json 2>verdict.txt
	printf '\n' | cat st.json - | cmp - printed.json
	grep -q "^PASSED: art built by https://example.com/builder@v1" verdict.txt
	run --separate-stderr cairn verify-provenance --provenance good.jsonl --key k.pub --source-uri github.com/o/r \
		--builder-id https://example.com/other art
	expect_status 1
	expect_stderr "builder mismatch"
	# unsigned
	printf '{"payloadType":"application/vnd.in-toto+json","payload":"%s","signatures":[]}\n' "$(base64 -w0 < st.json)" > unsigned.jsonl
	run --separate-stderr cairn verify-provenance --provenance unsigned.jsonl --key k.pub --source-uri github.com/o/r art
	expect_status 1
	expect_stderr "unsigned"
	# tampered: the payload changed after signing
	sed 's/refs\/heads\/main/refs\/heads\/evil/' st.json > evil.json
	python3 -c 'import json,sys,base64; e=json.load(open("good.jsonl")); e["payload"]=base64.b64encode(open("evil.json","rb").read()).decode(); print(json.dumps(e))' > tampered.jsonl
	run --separate-stderr cairn verify-provenance --provenance tampered.jsonl --key k.pub --source-uri github.com/o/r art
	expect_status 1
	expect_stderr "signature does not verify"
	# wrong subject
	printf 'other\n' > other
	run --separate-stderr cairn verify-provenance --provenance good.jsonl --key k.pub --source-uri github.com/o/r other
	expect_status 1
	expect_stderr "subject mismatch"
	# wrong predicate type
	statement https://spdx.dev/Document > sbom.json
	sign_statement sbom.json k.pem sbom.jsonl
	run --separate-stderr cairn verify-provenance --provenance sbom.jsonl --key k.pub --source-uri github.com/o/r art
	expect_status 1
	expect_stderr "wrong predicate type"
	# wrong source
	run --separate-stderr cairn verify-provenance --provenance good.jsonl --key k.pub --source-uri github.com/o/x art
	expect_status 1
	expect_stderr "source mismatch"
}

@test "provenance: a bare envelope carrying its certificate is refused as unverifiable offline" {
	# slsa-github-generator before v2.1 wrote .intoto.jsonl lines like this: the envelope, its signature
	# with the Fulcio certificate, and nothing proving when it was signed.
	python3 - "$(BV)/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" <<-'EOF2'
		import base64, json, sys, textwrap
		b = json.load(open(sys.argv[1]))
		env = b["dsseEnvelope"]
		der = b["verificationMaterial"]["certificate"]["rawBytes"]
		pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(der, 64)) + "\n-----END CERTIFICATE-----\n"
		env["signatures"][0]["cert"] = pem
		open("legacy.intoto.jsonl", "w").write(json.dumps(env) + "\n")
	EOF2
	run --separate-stderr cairn verify-provenance --provenance legacy.intoto.jsonl --source-uri "$BEACON" "$A_TXT"
	expect_status 1
	expect_stderr "cannot be verified offline"
	# an envelope without a certificate needs the key that signed it
	python3 -c 'import json; e = json.load(open("legacy.intoto.jsonl")); del e["signatures"][0]["cert"]; print(json.dumps(e))' >keyed.jsonl
	run --separate-stderr cairn verify-provenance --provenance keyed.jsonl --source-uri "$BEACON" "$A_TXT"
	expect_status 2
	expect_stderr "give the key that signed it with --key"
}

@test "provenance: options that do not go together are usage errors" {
	local b="$(BV)/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
	for args in "--bundle $b --provenance $b" "--bundle $b --npm-key k.pub" "--bundle $b --package-name x" \
		"--bundle $b --key k.pub" "--bundle $b --source-tag v1 --source-versioned-tag v1" \
		"--bundle $b --build-workflow-input novalue" "--attestations $b $A_TXT" \
		"--bundle $b --source-versioned-tag 1.2" "--bundle $b --source-versioned-tag v1.02"; do
		# shellcheck disable=SC2086 # the words are the options
		run --separate-stderr cairn verify-provenance $args --source-uri "$BEACON" "$A_TXT"
		expect_status 2
	done
}
