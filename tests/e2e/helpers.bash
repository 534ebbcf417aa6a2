# Shared setup for the bats suites: a private temporary directory per test and the corpus location.
# `cairn` is found on PATH; make test puts the sanitizer build first.

bats_require_minimum_version 1.5.0

# The corpus default is relative to the repository, resolved now: tests run in temporary directories.
if [ -z "${CAIRN_CORPUS:-}" ]; then
	CAIRN_CORPUS="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/../shared/corpus"
fi
export CAIRN_CORPUS

setup() {
	TMP="$(mktemp -d "${BATS_TMPDIR:-/tmp}/cairn-e2e.XXXXXX")"
	cd "$TMP" || return 1
	unset CAIRN_PASSWORD
}

teardown() {
	cd / && rm -rf "$TMP"
}

# The shared corpus, or a clear failure when it is missing.
corpus() {
	local dir="$CAIRN_CORPUS"
	[ -d "$dir" ] || { echo "corpus missing at $dir (set CAIRN_CORPUS)" >&2; return 1; }
	echo "$dir"
}

# Asserts the last `run` exited with $1; prints what happened when not.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit $1, got $status" >&2
		echo "stdout: $output" >&2
		echo "stderr: ${stderr:-}" >&2
		return 1
	fi
}

# Asserts that the stderr of the last `run --separate-stderr` contains $1.
expect_stderr() {
	if [[ "${stderr:-}" != *"$1"* ]]; then
		echo "stderr does not contain: $1" >&2
		echo "stderr: ${stderr:-}" >&2
		return 1
	fi
}

# openssl's digest option for a cairn key type (Sigstore's pairing: P-384 signs SHA-384).
openssl_digest_for() {
	case "$1" in
	ecdsa-p384) echo -sha384 ;;
	*) echo -sha256 ;;
	esac
}

# openssl genpkey arguments for a cairn key type.
openssl_genpkey_args() {
	case "$1" in
	ecdsa-p256) echo "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" ;;
	ecdsa-p384) echo "-algorithm EC -pkeyopt ec_paramgen_curve:P-384" ;;
	ed25519) echo "-algorithm ED25519" ;;
	esac
}

# Verifies with openssl a base64 signature file $3 by public key $1 over file $2 for key type $4.
openssl_verify() {
	local pub=$1 file=$2 sig=$3 type=$4
	base64 -d "$sig" >"$sig.bin" || return 1
	if [ "$type" = ed25519 ]; then
		openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$file" -sigfile "$sig.bin"
	else
		openssl dgst "$(openssl_digest_for "$type")" -verify "$pub" -signature "$sig.bin" "$file"
	fi
}

# Signs file $2 with openssl private key $1 (type $3), writing base64 to $4.
openssl_sign() {
	local key=$1 file=$2 type=$3 out=$4
	if [ "$type" = ed25519 ]; then
		openssl pkeyutl -sign -inkey "$key" -rawin -in "$file" -out "$out.bin" || return 1
	else
		openssl dgst "$(openssl_digest_for "$type")" -sign "$key" -out "$out.bin" "$file" || return 1
	fi
	base64 -w0 "$out.bin" >"$out"
}
