#!/bin/bash
# Sigstore bundle verifications per second per core: cairn (libcairn, bench/bundle_verify.c) against
# sigstore-js (@sigstore/verify, bench/bundle_verify.js) on the same bundles, in the same run, one
# after the other on one core each. Bundles: the keyless happy-path bundles of the conformance corpus
# (Fulcio certificate, SCT, Rekor v1/v2 entry, timestamps), its managed-key bundles (with Rekor entry
# and timestamp), and managed-key bundles cairn sign-blob makes offline (no log entry).
# Targets (issue 7): 800/s keyless, 3000/s managed-key.
# BENCH_SECONDS (default 2) per bundle; BENCH_CPU_TIME=1 makes cairn's rates per CPU-second instead of
# per wall-clock second, steadier on a loaded machine (sigstore-js's stay wall-clock).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${BENCH_SECONDS:-2}
bin=${BENCH_BIN:-build/bench/bundle_verify}
cairn=${CAIRN_BIN:-build/cairn}
corpus=${CAIRN_CORPUS:-$(cd .. && pwd)/shared/corpus}
cases=$corpus/sigstore/conformance/bundle-verify
pg=$corpus/sigstore/trusted_root.public-good.json
id="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
iss="https://token.actions.githubusercontent.com"

if ! CAIRN_SIGSTORE_JS="$(tests/e2e/sigstore-js/install.sh)"; then
	echo "bundle_verify: sigstore-js could not be installed; cairn figures only" >&2
	CAIRN_SIGSTORE_JS=
fi
export CAIRN_SIGSTORE_JS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# cairn-made managed-key bundles over a small artifact and an in-toto statement about it.
cp "$cases/a.txt" "$work/a.txt"
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a.txt","digest":{"sha256":"%s"}}],"predicateType":"https://example.com/bench/v1","predicate":{}}\n' \
	"$(sha256sum "$work/a.txt" | cut -d' ' -f1)" >"$work/statement.json"
for type in ecdsa-p256 ecdsa-p384; do
	CAIRN_PASSWORD= "$cairn" keygen --type "$type" --output-key-prefix "$work/$type" 2>/dev/null
	"$cairn" sign-blob --key "$work/$type.key" --bundle "$work/$type.json" "$work/a.txt" 2>/dev/null
done
"$cairn" sign-blob --key "$work/ecdsa-p256.key" --bundle "$work/dsse.json" --in-toto "$work/statement.json" 2>/dev/null

m=$work/manifest
{
	for c in happy-path-v0.1 happy-path-v0.2 happy-path-v0.3 happy-path-v0.3-new-mediaType happy-path-intoto-in-dsse-v3; do
		printf 'keyless:%s\t%s\t%s\t%s\tidentity\t%s\t%s\n' "$c" "$cases/$c/bundle.sigstore.json" "$pg" "$cases/a.txt" "$id" "$iss"
	done
	printf 'keyless:%s\t%s\t%s\t%s\tidentity\t%s\t%s\n' rekor2-happy-path "$cases/rekor2-happy-path/bundle.sigstore.json" \
		"$cases/rekor2-happy-path/trusted_root.json" "$cases/a.txt" "$id" "$iss"
	printf 'key:%s\t%s\t%s\t%s\tkey\t%s\t-\n' managed-key-happy-path "$cases/managed-key-happy-path/bundle.sigstore.json" \
		"$pg" "$cases/a.txt" "$cases/managed-key-happy-path/key.pub"
	printf 'key:%s\t%s\t%s\t%s\tkey\t%s\t-\n' managed-key-and-trusted-root "$cases/managed-key-and-trusted-root/bundle.sigstore.json" \
		"$cases/managed-key-and-trusted-root/trusted_root.json" "$cases/a.txt" "$cases/managed-key-and-trusted-root/key.pub"
	for type in ecdsa-p256 ecdsa-p384; do
		printf 'key:cairn-offline-%s\t%s\t-\t%s\tkey\t%s\t-\n' "$type" "$work/$type.json" "$work/a.txt" "$work/$type.pub"
	done
	printf 'key:cairn-offline-dsse-p256\t%s\t-\t%s\tkey\t%s\t-\n' "$work/dsse.json" "$work/a.txt" "$work/ecdsa-p256.pub"
} >"$m"

# The machine's own signature-check rates, for the crypto-only ceiling of each kind of bundle.
speed=$(openssl speed -seconds 1 ecdsap256 ecdsap384 2>/dev/null)
p256=$(echo "$speed" | awk '/ecdsa \(nistp256\)/ {print $NF}')
p384=$(echo "$speed" | awk '/ecdsa \(nistp384\)/ {print $NF}')
"$bin" "$seconds" "$m" >"$work/cairn.out"
if [ -n "$CAIRN_SIGSTORE_JS" ]; then
	node bench/bundle_verify.js "$seconds" "$m" >"$work/js.out"
else
	: >"$work/js.out"
fi

python3 - "$work/cairn.out" "$work/js.out" "$p256" "$p384" <<'PY'
import sys
p256, p384 = float(sys.argv[3]), float(sys.argv[4])
def load(path):
    rates, notes = {}, {}
    for line in open(path):
        label, rest = line.rstrip("\n").split(" ", 1)
        if rest.startswith("n/a"):
            notes[label] = rest[4:]
        else:
            rates[label] = float(rest)
    return rates, notes
cairn, cairn_notes = load(sys.argv[1])
js, js_notes = load(sys.argv[2])
labels = list(dict.fromkeys([*cairn, *cairn_notes, *js, *js_notes]))
fmt = "%-42s %12s %12s %8s"
print(fmt % ("bundle (verifications/s, 1 core)", "cairn", "sigstore-js", "ratio"))
def show(x):
    return "%.0f" % x if x is not None else "n/a"
for label in labels:
    c, j = cairn.get(label), js.get(label)
    ratio = "%.1fx" % (c / j) if c and j else "-"
    print(fmt % (label, show(c), show(j), ratio))
print()
targets = {"keyless": 800, "key": 3000}
for cls, target in targets.items():
    both = [l for l in labels if l.startswith(cls + ":") and l in cairn]
    if not both:
        continue
    # harmonic mean: the rate for an equal mix of these bundles
    hc = len(both) / sum(1 / cairn[l] for l in both)
    jl = [l for l in both if l in js]
    hj = len(jl) / sum(1 / js[l] for l in jl) if jl else None
    worst = min(cairn[l] for l in both)
    print("%-8s cairn %6.0f/s (slowest %5.0f/s, target %d/s: %s)   sigstore-js %s/s   ratio %s" % (
        cls, hc, worst, target, "met" if worst >= target else "NOT met", show(hj),
        "%.1fx" % (hc / hj) if hj else "-"))
# What the signature checks alone allow (counted with callgrind, see bench/RESULTS.md): a public-good
# keyless bundle needs 1 P-384 (the leaf by the Fulcio intermediate, which the trusted root checked
# against its root once, at load) and 4 P-256 (SCT, SET, checkpoint, artifact).
print("openssl here: %.0f P-256 and %.0f P-384 verifications/s; keyless ceiling %.0f/s (1 P-384 + 4 P-256)"
      % (p256, p384, 1 / (1 / p384 + 4 / p256)))
for label, note in {**cairn_notes}.items():
    print("cairn n/a %s: %s" % (label, note))
for label, note in {**js_notes}.items():
    print("sigstore-js n/a %s: %s" % (label, note))
PY
