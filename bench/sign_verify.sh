#!/bin/bash
# Sign and verify throughput: cairn (through libcairn) against `openssl speed` for the same algorithms
# on the same machine, in the same run. Prints operations per second and cairn/openssl as a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${BENCH_SECONDS:-3}
bin=build/bench/sign_verify

cairn_out=$("$bin" "$seconds")
openssl_out=$(openssl speed -seconds "$seconds" ecdsap256 ecdsap384 ed25519 2>/dev/null)

# openssl speed's summary lines: "256 bits ecdsa (nistp256) 0.0000s 0.0001s 39570.0 13150.6".
openssl_rates() {
	case "$1" in
	ecdsa-p256) echo "$openssl_out" | awk '/ecdsa \(nistp256\)/ {print $(NF-1), $NF}' ;;
	ecdsa-p384) echo "$openssl_out" | awk '/ecdsa \(nistp384\)/ {print $(NF-1), $NF}' ;;
	ed25519) echo "$openssl_out" | awk '/EdDSA \(Ed25519\)/ {print $(NF-1), $NF}' ;;
	esac
}

printf '%-12s %12s %12s %7s   %12s %12s %7s\n' type "cairn sign/s" "openssl" ratio "cairn verif/s" "openssl" ratio
echo "$cairn_out" | while read -r type sign verify; do
	read -r osign overify <<<"$(openssl_rates "$type")"
	printf '%-12s %12.0f %12.0f %7.2f   %12.0f %12.0f %7.2f\n' "$type" "$sign" "$osign" \
		"$(echo "$sign / $osign" | bc -l)" "$verify" "$overify" "$(echo "$verify / $overify" | bc -l)"
done
