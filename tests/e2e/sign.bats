#!/usr/bin/env bats
# sign-blob and verify-blob: interoperation with OpenSSL, tampering, and bad input.

load helpers

setup_file() {
	export KEYS="$BATS_FILE_TMPDIR"
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		CAIRN_PASSWORD= cairn keygen --type "$type" --output-key-prefix "$KEYS/$type" 2>/dev/null
	done
}

@test "signatures made by cairn verify with openssl, for every key type" {
	head -c 100000 /dev/urandom >artifact
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" artifact >"$type.sig"
		openssl_verify "$KEYS/$type.pub" artifact "$type.sig" "$type"
	done
}

@test "signatures made by openssl verify with cairn, for every key type and RSA" {
	head -c 5000 /dev/urandom >artifact
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		# shellcheck disable=SC2046
		openssl genpkey $(openssl_genpkey_args "$type") -out key.pem
		openssl pkey -in key.pem -pubout -out pub.pem
		openssl_sign key.pem artifact "$type" sig
		run --separate-stderr cairn verify-blob --key pub.pem --signature sig artifact
		expect_status 0
		expect_stderr "Verified OK"
	done
	openssl genrsa -out rsa.pem 2048 2>/dev/null
	openssl pkey -in rsa.pem -pubout -out rsa.pub
	openssl dgst -sha256 -sign rsa.pem -out sig.bin artifact
	base64 -w0 sig.bin >sig
	run --separate-stderr cairn verify-blob --key rsa.pub --signature sig artifact
	expect_status 0
}

@test "RSA keys verify but do not sign" {
	openssl genrsa -out rsa.pem 2048 2>/dev/null
	echo data >artifact
	run --separate-stderr cairn sign-blob --key rsa.pem artifact
	expect_status 2
	expect_stderr "rsa.pem"
	expect_stderr "RSA"
}

@test "signing standard input gives a signature over the same bytes" {
	echo "streamed" >artifact
	for type in ecdsa-p256 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" - <artifact >sig
		cairn verify-blob --key "$KEYS/$type.pub" --signature sig artifact
		cairn verify-blob --key "$KEYS/$type.pub" --signature sig - <artifact
	done
}

@test "a tampered file is rejected with exit 1, for every key type" {
	echo "original" >artifact
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" --output-signature sig artifact
		echo "original!" >tampered
		run --separate-stderr cairn verify-blob --key "$KEYS/$type.pub" --signature sig tampered
		expect_status 1
		expect_stderr "does not verify"
	done
}

@test "a signature with flipped bits is rejected with exit 1" {
	echo "original" >artifact
	for type in ecdsa-p256 ed25519; do
		cairn sign-blob --key "$KEYS/$type.key" artifact | base64 -d >sig.bin
		# Flip one bit in the last byte (inside s for ECDSA, inside S for Ed25519).
		python3 -c 'import sys; b=bytearray(open("sig.bin","rb").read()); b[-1]^=1; sys.stdout.buffer.write(b)' >bad.bin
		base64 -w0 bad.bin >bad
		run --separate-stderr cairn verify-blob --key "$KEYS/$type.pub" --signature bad artifact
		expect_status 1
	done
}

@test "a signature checked with a key of another algorithm fails the check" {
	echo "data" >artifact
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --output-signature sig artifact
	for other in ecdsa-p384 ed25519; do
		run --separate-stderr cairn verify-blob --key "$KEYS/$other.pub" --signature sig artifact
		expect_status 1
	done
}

@test "a key of an unsupported algorithm is refused with exit 2" {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem
	echo data >artifact
	run --separate-stderr cairn sign-blob --key p521.pem artifact
	expect_status 2
	expect_stderr "p521.pem"
}

@test "truncated and wrong-type PEM files are refused with exit 2 and a message naming the file" {
	echo data >artifact
	head -c 100 "$KEYS/ecdsa-p256.key" >truncated.key
	run --separate-stderr cairn sign-blob --key truncated.key artifact
	expect_status 2
	expect_stderr "truncated.key"
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.pub" artifact
	expect_status 2
	expect_stderr "PUBLIC KEY"
	openssl req -x509 -new -key "$KEYS/ecdsa-p256.key" -subj /CN=test -days 1 -out cert.pem
	run --separate-stderr cairn sign-blob --key cert.pem artifact
	expect_status 2
	expect_stderr "CERTIFICATE"
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --output-signature sig artifact
	run --separate-stderr cairn verify-blob --key "$KEYS/ecdsa-p256.key" --signature sig artifact
	expect_status 2
	expect_stderr "ecdsa-p256.key"
	echo "not a key at all" >garbage.key
	run --separate-stderr cairn sign-blob --key garbage.key artifact
	expect_status 2
	expect_stderr "garbage.key"
}

@test "an encrypted key with a wrong or missing passphrase is refused with exit 2" {
	CAIRN_PASSWORD=right cairn keygen --output-key-prefix enc 2>/dev/null
	echo data >artifact
	CAIRN_PASSWORD=wrong run --separate-stderr cairn sign-blob --key enc.key artifact
	expect_status 2
	expect_stderr "passphrase"
	run --separate-stderr setsid -w cairn sign-blob --key enc.key artifact </dev/null
	expect_status 2
	expect_stderr "CAIRN_PASSWORD"
}

@test "a corrupt base64 signature is refused with exit 2" {
	echo data >artifact
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --output-signature sig artifact
	printf 'MEUCIQ*@!notbase64' >bad
	run --separate-stderr cairn verify-blob --key "$KEYS/ecdsa-p256.pub" --signature bad artifact
	expect_status 2
	expect_stderr "signature file bad: invalid base64"
	# Non-canonical trailing bits are refused too. An Ed25519 signature is 64 bytes, so its base64 ends in
	# "==" and the character before the padding carries 4 unused bits; setting the lowest one changes the
	# text but not the bytes a lax decoder would produce.
	cairn sign-blob --key "$KEYS/ed25519.key" --output-signature ed.sig artifact
	python3 -c 's = open("ed.sig").read().strip(); assert s.endswith("=="); print(s[:-3] + chr(ord(s[-3]) + 1) + "==")' >noncanon
	run --separate-stderr cairn verify-blob --key "$KEYS/ed25519.pub" --signature noncanon artifact
	expect_status 2
	expect_stderr "non-canonical"
	printf '' >empty
	run --separate-stderr cairn verify-blob --key "$KEYS/ecdsa-p256.pub" --signature empty artifact
	expect_status 2
	expect_stderr "empty"
}

@test "inputs over their size limit are refused with exit 2 before being read" {
	echo data >artifact
	head -c 100000 /dev/zero | base64 -w0 >huge.sig
	run --separate-stderr cairn verify-blob --key "$KEYS/ecdsa-p256.pub" --signature huge.sig artifact
	expect_status 2
	expect_stderr "huge.sig"
	expect_stderr "limit"
	{ cat "$KEYS/ecdsa-p256.key"; head -c 70000 /dev/zero | tr '\0' '#'; } >huge.key
	run --separate-stderr cairn sign-blob --key huge.key artifact
	expect_status 2
	expect_stderr "limit"
}

@test "missing files are refused with exit 2 naming them" {
	echo data >artifact
	run --separate-stderr cairn sign-blob --key missing.key artifact
	expect_status 2
	expect_stderr "missing.key: no such file"
	run --separate-stderr cairn sign-blob --key "$KEYS/ecdsa-p256.key" missing-artifact
	expect_status 2
	expect_stderr "missing-artifact: no such file"
	cairn sign-blob --key "$KEYS/ecdsa-p256.key" --output-signature sig artifact
	run --separate-stderr cairn verify-blob --key "$KEYS/ecdsa-p256.pub" --signature missing.sig artifact
	expect_status 2
	expect_stderr "missing.sig: no such file"
	run --separate-stderr cairn verify-blob --key "$KEYS/ecdsa-p256.pub" --signature sig missing-artifact
	expect_status 2
	expect_stderr "missing-artifact"
}

@test "usage errors: missing --key, --signature or FILE exit 2" {
	run --separate-stderr cairn sign-blob artifact
	expect_status 2
	expect_stderr "--key is required"
	run --separate-stderr cairn verify-blob --key k artifact
	expect_status 2
	expect_stderr "--signature is required"
	run --separate-stderr cairn sign-blob --key k
	expect_status 2
	expect_stderr "expected one FILE"
}
