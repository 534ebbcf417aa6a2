#!/usr/bin/env bats
# verify-blob --bundle against forged and tampered Sigstore bundles: each is built here from a real
# conformance bundle (one bit flipped, one field changed, a trust root edited) and must be refused
# with exit 1 and a message naming the check that failed.

load helpers

BEACON_ID="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
BEACON_ISSUER="https://token.actions.githubusercontent.com"

setup_file() {
	local dir
	dir="$(corpus)" || return 1
	export CASES_DIR="$dir/sigstore/conformance/bundle-verify"
	export PG_ROOT="$dir/sigstore/trusted_root.public-good.json"
	export ARTIFACT="$CASES_DIR/a.txt"
	# tamper.py IN OUT EXPR: loads the JSON IN, runs the Python statement EXPR with `b` bound to it
	# and helpers to flip one bit of a base64 field, and writes OUT.
	cat >"$BATS_FILE_TMPDIR/tamper.py" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
def flip(text, byte=-1, bit=0):
    raw = bytearray(base64.b64decode(text))
    raw[byte] ^= 1 << bit
    return base64.b64encode(bytes(raw)).decode()
def entry():
    return b["verificationMaterial"]["tlogEntries"][0]
def flip_checkpoint_sig(note):
    text, sep, sigs = note.partition("\n\n")
    first, rest = sigs.split("\n", 1)
    head, sig = first.rsplit(" ", 1)
    return text + sep + head + " " + flip(sig, byte=-1) + "\n" + rest
exec(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"))
PY
}

tamper() {
	python3 "$BATS_FILE_TMPDIR/tamper.py" "$@"
}

# verify BUNDLE [ROOT] [ARTIFACT]: verify-blob with the beacon identity
verify() {
	run --separate-stderr cairn verify-blob --bundle "$1" --certificate-identity "$BEACON_ID" \
		--certificate-oidc-issuer "$BEACON_ISSUER" --trusted-root "${2:-$PG_ROOT}" "${3:-$ARTIFACT}"
}

@test "the untouched bundles verify, by file and by digest" {
	for c in happy-path-v0.1 happy-path-v0.3 happy-path-intoto-in-dsse-v3; do
		verify "$CASES_DIR/$c/bundle.sigstore.json"
		expect_status 0
		expect_stderr "Verified OK"
		verify "$CASES_DIR/$c/bundle.sigstore.json" "$PG_ROOT" "sha256:$(sha256sum "$ARTIFACT" | cut -d' ' -f1)"
		expect_status 0
	done
}

@test "the embedded public-good root is the default" {
	run --separate-stderr cairn verify-blob --bundle "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" \
		--certificate-identity "$BEACON_ID" --certificate-oidc-issuer "$BEACON_ISSUER" "$ARTIFACT"
	expect_status 0
}

@test "verify-bundle is the same command" {
	run --separate-stderr cairn verify-bundle --bundle "$CASES_DIR/happy-path-v0.2/bundle.sigstore.json" \
		--certificate-identity "$BEACON_ID" --certificate-oidc-issuer "$BEACON_ISSUER" --trusted-root "$PG_ROOT" "$ARTIFACT"
	expect_status 0
}

# The chain as npm's sigstore-js v1 wrote it in v0.1 bundles: leaf, intermediate, root.
chain_with() { # bundle-out python-expression-for-the-extra-certificates
	tamper "$CASES_DIR/happy-path-v0.1/bundle.sigstore.json" "$1" "
ca = [c for c in json.load(open('$PG_ROOT'))['certificateAuthorities'] if len(c['certChain']['certificates']) == 2][0]
intermediate, root = ca['certChain']['certificates']
b['verificationMaterial']['x509CertificateChain']['certificates'] += $2"
}

@test "a chain ending in a root the trusted root holds is accepted; a root elsewhere or unknown is refused" {
	chain_with full.json "[intermediate, root]"
	verify full.json
	expect_status 0
	chain_with misplaced.json "[root, intermediate]"
	verify misplaced.json
	expect_status 1
	expect_stderr "self-signed root certificate (/O=sigstore.dev/CN=sigstore) before its end"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj "/O=sigstore.dev/CN=sigstore" \
		-days 1 -outform DER -out foreign.der 2>/dev/null
	chain_with foreign.json "[intermediate, {'rawBytes': base64.b64encode(open('foreign.der', 'rb').read()).decode()}]"
	verify foreign.json
	expect_status 1
	expect_stderr "that the trusted root does not hold"
}

@test "a flipped bit in the signature is refused" {
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json \
		'b["messageSignature"]["signature"] = flip(b["messageSignature"]["signature"], byte=-3)'
	verify b.json
	expect_status 1
	expect_stderr "different signature"
}

@test "a flipped bit in the message digest is refused" {
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json \
		'md = b["messageSignature"]["messageDigest"]; md["digest"] = flip(md["digest"])'
	verify b.json
	expect_status 1
	expect_stderr "message digest is not the artifact's digest"
}

@test "a changed artifact is refused" {
	printf 'not the artifact\n' >other.txt
	verify "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" "$PG_ROOT" other.txt
	expect_status 1
	expect_stderr "digest"
}

@test "a flipped bit in the signed entry timestamp is refused" {
	tamper "$CASES_DIR/happy-path-v0.1/bundle.sigstore.json" b.json \
		'p = entry()["inclusionPromise"]; p["signedEntryTimestamp"] = flip(p["signedEntryTimestamp"], byte=-2)'
	verify b.json
	expect_status 1
	expect_stderr "signed entry timestamp"
}

@test "a changed integrated time breaks the signed entry timestamp" {
	tamper "$CASES_DIR/happy-path-v0.1/bundle.sigstore.json" b.json \
		'entry()["integratedTime"] = str(int(entry()["integratedTime"]) + 1)'
	verify b.json
	expect_status 1
	expect_stderr "signed entry timestamp"
}

@test "a flipped bit in the inclusion proof is refused" {
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json \
		'h = entry()["inclusionProof"]["hashes"]; h[2] = flip(h[2], byte=5)'
	verify b.json
	expect_status 1
	expect_stderr "inclusion proof does not lead"
}

@test "a flipped bit in the checkpoint signature is refused" {
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json \
		'c = entry()["inclusionProof"]["checkpoint"]; c["envelope"] = flip_checkpoint_sig(c["envelope"])'
	verify b.json
	expect_status 1
	expect_stderr "checkpoint is not signed by the log rekor.sigstore.dev"
}

@test "a checkpoint for another tree is refused" {
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json \
		'p = entry()["inclusionProof"]; p["treeSize"] = str(int(p["treeSize"]) + 1)'
	verify b.json
	expect_status 1
	expect_stderr "transparency log entry 0"
}

@test "a flipped bit in the certificate is refused" {
	# a bit of the certificate's own signature: still a well-formed certificate, no longer Fulcio's
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json \
		'c = b["verificationMaterial"]["certificate"]; c["rawBytes"] = flip(c["rawBytes"], byte=-5)'
	verify b.json
	expect_status 1
	expect_stderr "certificate"
}

@test "a certificate that is not the one in the log entry is refused" {
	# the v0.2 bundle's certificate inside the v0.3 bundle
	tamper "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" b.json "
other = json.load(open('$CASES_DIR/happy-path-v0.2/bundle.sigstore.json'))
b['verificationMaterial']['certificate']['rawBytes'] = other['verificationMaterial']['x509CertificateChain']['certificates'][0]['rawBytes']"
	verify b.json
	expect_status 1
	expect_stderr "different certificate"
}

@test "a wrong identity is refused, naming both" {
	run --separate-stderr cairn verify-blob --bundle "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" \
		--certificate-identity "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main" \
		--certificate-oidc-issuer "$BEACON_ISSUER" --trusted-root "$PG_ROOT" "$ARTIFACT"
	expect_status 1
	expect_stderr "identity mismatch"
	expect_stderr "evil/repo"
	run --separate-stderr cairn verify-blob --bundle "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" \
		--certificate-identity-regexp '^https://github\.com/evil/.*' \
		--certificate-oidc-issuer "$BEACON_ISSUER" --trusted-root "$PG_ROOT" "$ARTIFACT"
	expect_status 1
}

@test "a wrong issuer is refused" {
	run --separate-stderr cairn verify-blob --bundle "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" \
		--certificate-identity "$BEACON_ID" --certificate-oidc-issuer https://accounts.google.com \
		--trusted-root "$PG_ROOT" "$ARTIFACT"
	expect_status 1
	expect_stderr "issuer mismatch"
}

@test "a certificate expired at the signing time is refused" {
	c=intoto-set-outside-signing-cert-validity_fail
	verify "$CASES_DIR/$c/bundle.sigstore.json" "$CASES_DIR/$c/trusted_root.json" "$CASES_DIR/$c/artifact"
	expect_status 1
	expect_stderr "was not valid at the signing time"
}

@test "a certificate from a CA whose trust window ended before the signing time is refused" {
	# every CA is trusted only at the instant its window opens, long before the signature
	tamper "$PG_ROOT" root.json 'for ca in b["certificateAuthorities"]: ca["validFor"]["end"] = ca["validFor"]["start"]'
	verify "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" root.json
	expect_status 1
	expect_stderr "certificate chain"
}

@test "an entry from a log the trusted root does not list is refused" {
	tamper "$PG_ROOT" root.json 'b["tlogs"] = [t for t in b["tlogs"] if "rekor.sigstore.dev" not in t["baseUrl"]]'
	verify "$CASES_DIR/happy-path-v0.3/bundle.sigstore.json" root.json
	expect_status 1
	expect_stderr "comes from a log the trusted root does not list"
}

@test "an entry integrated outside the log key's validity is refused" {
	tamper "$PG_ROOT" root.json '
for t in b["tlogs"]:
    if t["logId"]["keyId"] == "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=":
        t["publicKey"]["validFor"]["end"] = "2023-07-12T15:56:35Z"'
	verify "$CASES_DIR/happy-path-v0.1/bundle.sigstore.json" root.json
	expect_status 1
	expect_stderr "outside the validity of the log's key"
}

@test "a Rekor v2 entry from a log not trusted at the timestamp's time is refused" {
	c=rekor2-happy-path
	# the timestamp is from 2025-06-12T12:02:20Z; the log's window now closes a second before
	tamper "$CASES_DIR/$c/trusted_root.json" root.json '
for t in b["tlogs"]:
    if t["logId"]["keyId"] == "8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck=":
        t["publicKey"]["validFor"]["end"] = "2025-06-12T12:02:19Z"'
	verify "$CASES_DIR/$c/bundle.sigstore.json" root.json
	expect_status 1
	expect_stderr "not valid in the trusted root at any verified timestamp"
	verify "$CASES_DIR/$c/bundle.sigstore.json" "$CASES_DIR/$c/trusted_root.json"
	expect_status 0
}

@test "a tampered DSSE payload is refused" {
	tamper "$CASES_DIR/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" b.json \
		'e = b["dsseEnvelope"]; e["payload"] = flip(e["payload"], byte=40)'
	verify b.json
	expect_status 1
	expect_stderr "DSSE"
}

@test "a DSSE bundle for another artifact is refused" {
	printf 'other\n' >other.txt
	verify "$CASES_DIR/happy-path-intoto-in-dsse-v3/bundle.sigstore.json" "$PG_ROOT" other.txt
	expect_status 1
	expect_stderr "no subject of the in-toto statement"
}

@test "a RFC 3161 timestamp over other data is refused" {
	c=rekor2-happy-path
	tamper "$CASES_DIR/$c/bundle.sigstore.json" b.json "
other = json.load(open('$CASES_DIR/rekor2-timestamp-payload-mismatch_fail/bundle.sigstore.json'))
b['verificationMaterial']['timestampVerificationData'] = other['verificationMaterial']['timestampVerificationData']"
	verify b.json "$CASES_DIR/$c/trusted_root.json"
	expect_status 1
	expect_stderr "timestamp 0 does not verify"
}

@test "managed-key bundles: the right key verifies, another key and no key do not" {
	c=managed-key-happy-path
	run --separate-stderr cairn verify-blob --bundle "$CASES_DIR/$c/bundle.sigstore.json" --key "$CASES_DIR/$c/key.pub" \
		--trusted-root "$PG_ROOT" "$ARTIFACT"
	expect_status 0
	CAIRN_PASSWORD= cairn keygen --type ecdsa-p256 --output-key-prefix other 2>/dev/null
	run --separate-stderr cairn verify-blob --bundle "$CASES_DIR/$c/bundle.sigstore.json" --key other.pub \
		--trusted-root "$PG_ROOT" "$ARTIFACT"
	expect_status 1
	expect_stderr "different certificate or key"
	verify "$CASES_DIR/$c/bundle.sigstore.json"
	expect_status 1
	expect_stderr "managed key"
}

@test "usage errors exit 2" {
	run --separate-stderr cairn verify-blob --bundle x.json "$ARTIFACT"
	expect_status 2
	expect_stderr "--certificate-identity"
	run --separate-stderr cairn verify-blob --bundle x.json --certificate-identity a "$ARTIFACT"
	expect_status 2
	expect_stderr "--certificate-oidc-issuer"
	run --separate-stderr cairn verify-blob --bundle x.json --key k --certificate-identity a "$ARTIFACT"
	expect_status 2
	run --separate-stderr cairn verify-blob --bundle x.json --signature s --key k "$ARTIFACT"
	expect_status 2
	run --separate-stderr cairn verify-blob --bundle missing.json --certificate-identity a --certificate-oidc-issuer b "$ARTIFACT"
	expect_status 2
	expect_stderr "missing.json"
}
