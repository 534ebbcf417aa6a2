#!/usr/bin/env bats
# Interoperation: bundles written by `cairn sign-blob --bundle` verify with sigstore-js
# (@sigstore/verify, pinned in tests/e2e/sigstore-js/package.json and installed into build/sigstore-js),
# given trust material that holds the signing key; tampered artifacts and signatures fail there too.
#
# sigstore-js, like cairn, wants a transparency-log entry or a timestamp by default; verify.js
# --offline sets its thresholds to 0 for bundles made offline. Two combinations sigstore-js 4.1 cannot
# verify whoever made them, so they are not tested here (docs/sign-blob.md): Ed25519 message
# signatures (it passes a digest name to Node's Ed25519 verify) and P-384 DSSE envelopes (it verifies
# DSSE with Node's default SHA-256, where Sigstore pairs P-384 with SHA-384).

load helpers

setup_file() {
	local here
	here="$(cd "$BATS_TEST_DIRNAME" && pwd)"
	export CAIRN_SIGSTORE_JS
	CAIRN_SIGSTORE_JS="$("$here/sigstore-js/install.sh")" || return 1
	export VERIFY_JS="$here/sigstore-js/verify.js"
	export KEYS="$BATS_FILE_TMPDIR"
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		CAIRN_PASSWORD= cairn keygen --type "$type" --output-key-prefix "$KEYS/$type" 2>/dev/null
	done
	CAIRN_PASSWORD= cairn keygen --type ecdsa-p256 --output-key-prefix "$KEYS/other" 2>/dev/null
}

sigstore_js() {
	run --separate-stderr node "$VERIFY_JS" "$@"
}

statement_for() {
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"https://example.com/test/v1","predicate":{}}\n' \
		"$1" "$(sha256sum "$1" | cut -d' ' -f1)" >"$2"
}

@test "verify.js itself: accepts the conformance managed-key bundle and refuses its wrong-key case" {
	local cases
	cases="$(corpus)/sigstore/conformance/bundle-verify"
	sigstore_js --bundle "$cases/managed-key-happy-path/bundle.sigstore.json" --key "$cases/managed-key-happy-path/key.pub" \
		--trusted-root "$(corpus)/sigstore/trusted_root.public-good.json" "$cases/a.txt"
	expect_status 0
	sigstore_js --bundle "$cases/managed-key-wrong-key_fail/bundle.sigstore.json" \
		--key "$cases/managed-key-wrong-key_fail/key.pub" --trusted-root "$(corpus)/sigstore/trusted_root.public-good.json" \
		"$cases/a.txt"
	expect_status 1
}

@test "message bundles (P-256, P-384) verify with sigstore-js; a tampered artifact does not" {
	head -c 20000 /dev/urandom >artifact
	for type in ecdsa-p256 ecdsa-p384; do
		cairn sign-blob --key "$KEYS/$type.key" --bundle b.json artifact 2>/dev/null
		sigstore_js --offline --bundle b.json --key "$KEYS/$type.pub" artifact
		expect_status 0
		expect_stderr "Verified OK"
		{ cat artifact; echo x; } >tampered
		sigstore_js --offline --bundle b.json --key "$KEYS/$type.pub" tampered
		expect_status 1
		expect_stderr "SIGNATURE_ERROR"
	done
}

@test "sigstore-js refuses an offline bundle by default, as cairn does, and a bundle by another key" {
	echo data >artifact
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json artifact 2>/dev/null
	sigstore_js --bundle b.json --key "$KEYS/ecdsa-p256.pub" artifact
	expect_status 1
	expect_stderr "expected 1"
	sigstore_js --offline --bundle b.json --key "$KEYS/other.pub" artifact
	expect_status 1
	expect_stderr "key not found"
}

@test "a flipped bit in the signature fails in sigstore-js" {
	echo data >artifact
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json artifact 2>/dev/null
	python3 -c 'import base64, json
b = json.load(open("b.json")); s = bytearray(base64.b64decode(b["messageSignature"]["signature"])); s[-1] ^= 1
b["messageSignature"]["signature"] = base64.b64encode(bytes(s)).decode(); json.dump(b, open("bad.json", "w"))'
	sigstore_js --offline --bundle bad.json --key "$KEYS/ecdsa-p256.pub" artifact
	expect_status 1
	expect_stderr "SIGNATURE_ERROR"
}

@test "in-toto DSSE bundles (P-256, Ed25519) verify with sigstore-js; tampering fails" {
	echo "the artifact" >artifact
	statement_for artifact statement.json
	for type in ecdsa-p256 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" --bundle d.json --in-toto statement.json 2>/dev/null
		sigstore_js --offline --bundle d.json --key "$KEYS/$type.pub" artifact
		expect_status 0
		# another artifact: no subject names it (the check verify.js adds, as sigstore-js leaves it to callers)
		echo "another" >other
		sigstore_js --offline --bundle d.json --key "$KEYS/$type.pub" other
		expect_status 1
		expect_stderr "no subject"
		# a changed payload: sigstore-js's own signature check fails
		python3 -c 'import base64, json
b = json.load(open("d.json")); e = b["dsseEnvelope"]
p = base64.b64decode(e["payload"]).replace(b"\"predicate\":{}", b"\"predicate\":{\"x\":1}")
e["payload"] = base64.b64encode(p).decode(); json.dump(b, open("bad.json", "w"))'
		sigstore_js --offline --bundle bad.json --key "$KEYS/$type.pub" artifact
		expect_status 1
		expect_stderr "SIGNATURE_ERROR"
	done
}
