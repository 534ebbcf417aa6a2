#!/usr/bin/env bats
# Real cosign-made image signatures: the fixtures Debian's golang-github-containers-image-dev ships in
# signature/fixtures, with the results containers/image's own tests expect of them
# (signature/policy_eval_sigstore_test.go).
#
# The fixtures are containers/image "dir:" images holding only manifest.json and signature-N files
# (no config or layer blobs), so they cannot be pushed to a registry. Each signature-N is the
# "\x00sigstore-json\n" + {"mimeType","payload" (base64),"annotations"} form containers/image uses;
# the test unpacks payload and dev.cosignproject.cosign/signature into files and checks them with
# `cairn verify --payload FILE --signature FILE --key cosign.pub MANIFEST`, the image digest being
# the SHA-256 of the fixture's manifest.json.

load helpers

FIX=/usr/share/gocode/src/github.com/containers/image/signature/fixtures

setup() {
	[ -f "$FIX/cosign.pub" ] || { echo "golang-github-containers-image-dev is not installed (scripts/deps installs it)" >&2; false; }
	TMP="$(mktemp -d "${BATS_TMPDIR:-/tmp}/cairn-e2e.XXXXXX")"
	cd "$TMP" || return 1
}

# unpack SIGNATURE-FILE NAME: writes NAME.payload and NAME.sig; prints the mimeType.
unpack() {
	python3 - "$1" "$2" <<'PYEOF'
import base64, json, sys
data = open(sys.argv[1], "rb").read()
prefix = b"\x00sigstore-json\n"
assert data.startswith(prefix), "not a containers/image sigstore signature"
sig = json.loads(data[len(prefix):])
open(sys.argv[2] + ".payload", "wb").write(base64.b64decode(sig["payload"]))
open(sys.argv[2] + ".sig", "w").write(sig["annotations"].get("dev.cosignproject.cosign/signature", ""))
print(sig["mimeType"])
PYEOF
}

vfy() {
	local name=$1 manifest=$2
	shift 2
	cairn verify --key "$FIX/cosign.pub" --payload "$name.payload" --signature "$name.sig" "$@" "$manifest"
}

@test "the cosign-signed image (dir-img-cosign-valid) verifies, and prints cosign's JSON shape" {
	unpack "$FIX/dir-img-cosign-valid/signature-1" valid
	run --separate-stderr vfy valid "$FIX/dir-img-cosign-valid/manifest.json"
	expect_status 0
	[[ "$output" == *"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00: 1 signature verified"* ]]
	run --separate-stderr vfy valid "$FIX/dir-img-cosign-valid/manifest.json" -o json
	expect_status 0
	python3 -c '
import json, sys
out = json.loads(sys.argv[1])
assert out == [{"critical": {"identity": {"docker-reference": "192.168.64.2:5000/cosign-signed-single-sample"},
                "image": {"docker-manifest-digest": "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"},
                "type": "cosign container image signature"}, "optional": None}], out' "$output"
	# the payload is byte for byte what cairn writes for that reference and digest
	printf '{"critical":{"identity":{"docker-reference":"192.168.64.2:5000/cosign-signed-single-sample"},"image":{"docker-manifest-digest":"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"},"type":"cosign container image signature"},"optional":null}' >expected
	cmp valid.payload expected
	# by digest as well, and matching the repository as containers/image's matchRepository does
	vfy valid sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00
	vfy valid "$FIX/dir-img-cosign-valid/manifest.json" --docker-reference 192.168.64.2:5000/cosign-signed-single-sample
}

@test "both signatures of dir-img-cosign-valid-2 verify" {
	local i
	for i in 1 2; do
		unpack "$FIX/dir-img-cosign-valid-2/signature-$i" "s$i"
		vfy "s$i" "$FIX/dir-img-cosign-valid-2/manifest.json"
	done
	! cmp -s s1.sig s2.sig
}

@test "dir-img-cosign-valid-with-tag (signed by skopeo, with optional fields) verifies" {
	unpack "$FIX/dir-img-cosign-valid-with-tag/signature-1" tagged
	run --separate-stderr vfy tagged "$FIX/dir-img-cosign-valid-with-tag/manifest.json" -o json
	expect_status 0
	python3 -c '
import json, sys
out = json.loads(sys.argv[1])
assert out[0]["critical"]["identity"]["docker-reference"] == "192.168.64.2:5000/skopeo-signed:tag"
assert out[0]["optional"]["creator"].startswith("containers/image")' "$output"
	vfy tagged "$FIX/dir-img-cosign-valid-with-tag/manifest.json" --docker-reference 192.168.64.2:5000/skopeo-signed
}

@test "a signature by an unknown key is rejected (unknown-cosign-key.signature)" {
	unpack "$FIX/unknown-cosign-key.signature" unknown
	run --separate-stderr vfy unknown "$FIX/dir-img-cosign-valid/manifest.json"
	expect_status 1
	expect_stderr "does not verify with the given key"
}

@test "dir-img-cosign-mixed: the unknown-key signature fails, the valid one passes" {
	unpack "$FIX/dir-img-cosign-mixed/signature-1" m1
	unpack "$FIX/dir-img-cosign-mixed/signature-2" m2
	run --separate-stderr vfy m1 "$FIX/dir-img-cosign-mixed/manifest.json"
	expect_status 1
	vfy m2 "$FIX/dir-img-cosign-mixed/manifest.json"
}

@test "a valid signature over a modified manifest is rejected (dir-img-cosign-modified-manifest)" {
	unpack "$FIX/dir-img-cosign-modified-manifest/signature-1" mod
	run --separate-stderr vfy mod "$FIX/dir-img-cosign-modified-manifest/manifest.json"
	expect_status 1
	expect_stderr "the payload signs manifest sha256:634a8f35"
}

@test "a schema 1 manifest (dir-img-cosign-manifest-digest-error) is refused, not verified" {
	unpack "$FIX/dir-img-cosign-manifest-digest-error/signature-1" v1
	run --separate-stderr vfy v1 "$FIX/dir-img-cosign-manifest-digest-error/manifest.json"
	expect_status 2
	expect_stderr "schema 1 manifest"
}

@test "a missing manifest (dir-img-cosign-no-manifest) is an input error" {
	unpack "$FIX/dir-img-cosign-no-manifest/signature-1" nm
	run --separate-stderr vfy nm "$FIX/dir-img-cosign-no-manifest/manifest.json"
	expect_status 2
}

@test "a non-signature attachment (dir-img-cosign-other-attachment) is rejected" {
	run unpack "$FIX/dir-img-cosign-other-attachment/signature-1" other
	[ "$output" = text/plain ]
	run --separate-stderr vfy other "$FIX/dir-img-cosign-other-attachment/manifest.json"
	expect_status 1
	expect_stderr "not a cosign signature payload"
}

@test "a mismatching docker-reference is rejected when the repository is required" {
	unpack "$FIX/dir-img-cosign-valid/signature-1" valid
	run --separate-stderr vfy valid "$FIX/dir-img-cosign-valid/manifest.json" --docker-reference this/doesnt:match
	expect_status 1
	expect_stderr "not this/doesnt:match"
	# skopeo's exact-reference signature against another repository
	unpack "$FIX/dir-img-cosign-valid-with-tag/signature-1" tagged
	run --separate-stderr vfy tagged "$FIX/dir-img-cosign-valid-with-tag/manifest.json" --docker-reference testing/manifest
	expect_status 1
}

@test "a corrupted signature and a flipped payload byte are rejected" {
	unpack "$FIX/dir-img-cosign-valid/signature-1" valid
	printf '%s' "$(base64 -w0 <<<'invalid signature')" >bad.sig
	run --separate-stderr cairn verify --key "$FIX/cosign.pub" --payload valid.payload --signature bad.sig \
		"$FIX/dir-img-cosign-valid/manifest.json"
	expect_status 1
	sed 's/single-sample/single-sampla/' valid.payload >flipped.payload
	run --separate-stderr cairn verify --key "$FIX/cosign.pub" --payload flipped.payload --signature valid.sig \
		"$FIX/dir-img-cosign-valid/manifest.json"
	expect_status 1
	expect_stderr "does not verify with the given key"
}
