#!/usr/bin/env bats
# sign-blob --bundle: Sigstore bundles v0.3 with a managed key, checked field by field with OpenSSL and
# Python (hint, digest, signature, DSSE pre-authentication encoding), and the refusals.
# Interoperation with sigstore-js is in sigstore_js.bats.

load helpers

setup_file() {
	export KEYS="$BATS_FILE_TMPDIR"
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		CAIRN_PASSWORD= cairn keygen --type "$type" --output-key-prefix "$KEYS/$type" 2>/dev/null
	done
}

# field BUNDLE PYTHON-EXPRESSION: prints the expression evaluated with `b` bound to the bundle.
field() {
	python3 -c 'import json, sys; b = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# Writes the in-toto statement for file $1 (sha256 subject) to $2.
statement_for() {
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"https://example.com/test/v1","predicate":{"built":true}}\n' \
		"$1" "$(sha256sum "$1" | cut -d' ' -f1)" >"$2"
}

@test "a message bundle holds the key's hint, the artifact's digest and a signature OpenSSL verifies" {
	head -c 70000 /dev/urandom >artifact
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		run --separate-stderr cairn sign-blob --key "$KEYS/$type.key" --bundle "$type.json" artifact
		expect_status 0
		expect_stderr "Bundle written to $type.json"
		[ "$(field "$type.json" 'b["mediaType"]')" = "application/vnd.dev.sigstore.bundle.v0.3+json" ]
		hint="$(openssl pkey -pubin -in "$KEYS/$type.pub" -outform DER | openssl dgst -sha256 -binary | base64 -w0)"
		[ "$(field "$type.json" 'b["verificationMaterial"]["publicKey"]["hint"]')" = "$hint" ]
		[ "$(field "$type.json" 'sorted(b["verificationMaterial"].keys())')" = "['publicKey']" ]
		[ "$(field "$type.json" 'sorted(b.keys())')" = "['mediaType', 'messageSignature', 'verificationMaterial']" ]
		case "$type" in
		ecdsa-p384) alg=SHA2_384 dgst=-sha384 ;;
		*) alg=SHA2_256 dgst=-sha256 ;;
		esac
		[ "$(field "$type.json" 'b["messageSignature"]["messageDigest"]["algorithm"]')" = "$alg" ]
		[ "$(field "$type.json" 'b["messageSignature"]["messageDigest"]["digest"]')" = \
			"$(openssl dgst "$dgst" -binary artifact | base64 -w0)" ]
		field "$type.json" 'b["messageSignature"]["signature"]' >"$type.sig"
		openssl_verify "$KEYS/$type.pub" artifact "$type.sig" "$type"
	done
}

@test "a bundle over standard input signs the bytes read" {
	echo "streamed" >artifact
	for type in ecdsa-p256 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" --bundle b.json - <artifact 2>/dev/null
		field b.json 'b["messageSignature"]["signature"]' >sig
		openssl_verify "$KEYS/$type.pub" artifact sig "$type"
	done
}

@test "--bundle - writes the bundle to standard output" {
	echo data >artifact
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle - artifact
	expect_status 0
	echo "$output" >b.json
	[ "$(field b.json 'b["mediaType"]')" = "application/vnd.dev.sigstore.bundle.v0.3+json" ]
}

@test "--in-toto signs the statement into a DSSE envelope with one signature over its PAE" {
	echo "the artifact" >artifact
	statement_for artifact statement.json
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" --bundle "$type.json" --in-toto statement.json 2>/dev/null
		[ "$(field "$type.json" 'sorted(b.keys())')" = "['dsseEnvelope', 'mediaType', 'verificationMaterial']" ]
		[ "$(field "$type.json" 'b["dsseEnvelope"]["payloadType"]')" = "application/vnd.in-toto+json" ]
		[ "$(field "$type.json" 'len(b["dsseEnvelope"]["signatures"])')" = 1 ]
		# The payload is the statement's bytes exactly.
		field "$type.json" 'b["dsseEnvelope"]["payload"]' | base64 -d >payload
		cmp payload statement.json
		# The signature is over PAE("application/vnd.in-toto+json", payload), built here from the DSSE spec.
		python3 -c 'import sys; p = open("payload", "rb").read(); t = b"application/vnd.in-toto+json"
sys.stdout.buffer.write(b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p))' >pae
		field "$type.json" 'b["dsseEnvelope"]["signatures"][0]["sig"]' >sig
		openssl_verify "$KEYS/$type.pub" pae sig "$type"
	done
}

@test "--in-toto refuses a file that is not an in-toto statement, naming it, and writes nothing" {
	echo '{"hello": "world"}' >notastatement.json
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json --in-toto notastatement.json
	expect_status 2
	expect_stderr "notastatement.json"
	[ ! -e b.json ]
	echo '{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"}' >empty.json
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json --in-toto empty.json
	expect_status 2
	expect_stderr "empty.json"
	echo 'not json' >garbage
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json --in-toto garbage
	expect_status 2
	expect_stderr "garbage"
	[ ! -e b.json ]
}

@test "a failed signing leaves an existing bundle untouched and no temporary file behind" {
	echo data >artifact
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json artifact 2>/dev/null
	cp b.json before.json
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json missing-artifact
	expect_status 2
	expect_stderr "missing-artifact"
	cmp b.json before.json
	# A second signing replaces the file whole (ECDSA signatures differ each time).
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json artifact 2>/dev/null
	run cmp -s b.json before.json
	[ "$status" -ne 0 ]
	[ "$(ls -A | sort | tr '\n' ' ')" = "artifact b.json before.json " ]
}

@test "an encrypted key and a cosign key sign bundles too" {
	echo data >artifact
	CAIRN_PASSWORD=secret cairn keygen --output-key-prefix enc 2>/dev/null
	CAIRN_PASSWORD=secret cairn sign-blob --key enc.key --bundle b.json artifact 2>/dev/null
	field b.json 'b["messageSignature"]["signature"]' >sig
	openssl_verify enc.pub artifact sig ecdsa-p256
	COSIGN_PASSWORD=pw cairn keygen --cosign --output-key-prefix cosign 2>/dev/null
	COSIGN_PASSWORD=pw cairn sign-blob --key cosign.key --bundle c.json artifact 2>/dev/null
	field c.json 'b["messageSignature"]["signature"]' >sig
	openssl_verify cosign.pub artifact sig ecdsa-p256
}

@test "usage errors: --in-toto without --bundle, --bundle with --output-signature" {
	echo data >artifact
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --in-toto artifact
	expect_status 2
	expect_stderr "--in-toto needs --bundle"
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json --output-signature s artifact
	expect_status 2
	expect_stderr "not both"
	[ ! -e b.json ]
}

# cairn's verifier requires a transparency-log entry (or, for certificates, a verified time) and fails
# closed; an offline bundle has neither. See docs/sign-blob.md.
@test "verify-blob refuses an offline bundle by default, naming the missing log entry" {
	echo data >artifact
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --bundle b.json artifact 2>/dev/null
	run --separate-stderr cairn verify-blob --bundle b.json --key "$KEYS/ecdsa-p256.pub" artifact
	expect_status 1
	expect_stderr "no transparency log entry"
}

@test "verify-blob --insecure-ignore-tlog accepts offline bundles and still rejects tampering" {
	echo data >artifact
	echo "the artifact" >subject
	statement_for subject statement.json
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" --bundle m.json artifact 2>/dev/null
		cairn verify-blob --insecure-ignore-tlog --bundle m.json --key "$KEYS/$type.pub" artifact
		cairn sign-blob --key "$KEYS/$type.key" --bundle d.json --in-toto statement.json 2>/dev/null
		cairn verify-blob --insecure-ignore-tlog --bundle d.json --key "$KEYS/$type.pub" subject
		echo tampered >>artifact
		run --separate-stderr cairn verify-blob --insecure-ignore-tlog --bundle m.json --key "$KEYS/$type.pub" artifact
		expect_status 1
		run --separate-stderr cairn verify-blob --insecure-ignore-tlog --bundle d.json --key "$KEYS/$type.pub" artifact
		expect_status 1
	done
}
