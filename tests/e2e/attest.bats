#!/usr/bin/env bats
# `cairn attest` and `cairn verify-attestation` against the Debian docker-registry on 127.0.0.1: an SBOM
# made by `cairn sbom` and a SLSA provenance attached to an image the way cosign stores attestations
# (sha256-<hex>.att, one DSSE layer each), verified by type; a wrong key, a wrong type, a tampered
# envelope and a wrong subject rejected with their reasons; the .att manifest compared field by field
# with cosign's layout; Sigstore bundle referrers found through the tag-schema fallback; the file mode;
# and the DSSE envelope checked independently with python3-cryptography (PAE from the DSSE spec).

load helpers
load registry

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json

setup_file() {
	registry_start plain
	export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/cache"
}

teardown_file() {
	registry_stop_all
}

# An SBOM of a small Debian-like root made by cairn itself, and a SLSA v1 provenance predicate.
predicates() {
	mkdir -p root/var/lib/dpkg root/etc
	printf 'Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n\n' >root/var/lib/dpkg/status
	printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >root/etc/os-release
	cairn sbom dir:root -o cyclonedx-json=sbom.json
	cat >prov.json <<'EOF'
{"buildDefinition":{"buildType":"https://example.com/build/v1","externalParameters":{"source":"git+https://example.com/app"},"resolvedDependencies":[]},"runDetails":{"builder":{"id":"https://example.com/builder"},"metadata":{"invocationId":"1"}}}
EOF
}

@test "attest a cairn SBOM and a SLSA provenance; verify-attestation by type, with the right key only" {
	keys
	predicates
	local repo="$REG_PLAIN_HOST/cairn/attested"
	local digest
	digest=$(push_image "$repo:v1")
	run --separate-stderr cairn attest --key a.key --type cyclonedx --predicate sbom.json "$repo:v1"
	expect_status 0
	[ "$output" = "$repo@$digest" ]
	expect_stderr "Attestation pushed to (https://cyclonedx.org/bom) $repo:sha256-${digest#sha256:}.att"
	cairn attest --key a.key --type slsaprovenance --predicate prov.json "$repo:v1"

	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx "$repo:v1"
	expect_status 0
	[[ "$output" == *"$repo@$digest: 1 attestation of type cyclonedx verified"* ]]
	[[ "$output" == *"predicate type https://cyclonedx.org/bom"* ]]
	[[ "$output" == *'"bomFormat":"CycloneDX"'* ]]
	# -o json: an array of the statements, whose subject is the image and whose predicate is the SBOM
	cairn verify-attestation --key a.pub --type cyclonedx -o json "$repo@$digest" >out.json
	python3 - "$repo" "${digest#sha256:}" <<'EOF'
import json, sys
repo, hexd = sys.argv[1], sys.argv[2]
arr = json.load(open("out.json"))
sbom = json.load(open("sbom.json"))
assert isinstance(arr, list) and len(arr) == 1, arr
st = arr[0]
assert st["_type"] == "https://in-toto.io/Statement/v1"
assert st["predicateType"] == "https://cyclonedx.org/bom"
assert st["subject"] == [{"name": repo, "digest": {"sha256": hexd}}], st["subject"]
assert st["predicate"] == sbom
EOF
	run --separate-stderr cairn verify-attestation --key a.pub --type slsaprovenance1 -o json "$repo:v1"
	expect_status 0
	[[ "$output" == *'"predicateType":"https://slsa.dev/provenance/v1"'* ]]
	[[ "$output" == *'"builder":{"id":"https://example.com/builder"}'* ]]

	run --separate-stderr cairn verify-attestation --key b.pub --type cyclonedx "$repo:v1"
	expect_status 1
	expect_stderr "none of the 2 attestations verifies as type cyclonedx"
	expect_stderr ".att layer 1: the DSSE signature does not verify with the given key"

	run --separate-stderr cairn verify-attestation --key a.pub --type spdxjson "$repo:v1"
	expect_status 1
	expect_stderr "none of the 2 attestations is of the requested type spdxjson"
	expect_stderr "predicate type is https://cyclonedx.org/bom, not the requested spdxjson"
	expect_stderr "predicate type is https://slsa.dev/provenance/v1, not the requested spdxjson"

	# an image without attestations
	push_image "$repo:bare" >/dev/null
	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx "$repo:bare"
	expect_status 1
	expect_stderr "no attestations found"
}

@test "the .att manifest is laid out as cosign writes it, field by field" {
	keys
	predicates
	local repo="$REG_PLAIN_HOST/cairn/layout"
	local digest
	digest=$(push_image "$repo:v1")
	cairn attest --key a.key --type cyclonedx --predicate sbom.json "$repo:v1"
	cairn attest --key a.key --type slsaprovenance --predicate prov.json "$repo:v1"
	local tag="sha256-${digest#sha256:}.att"
	rd get-manifest "$repo:$tag" >att.json 2>att.err
	grep -q "$OCI_MANIFEST" att.err
	local config_digest
	config_digest=$(python3 -c 'import json; print(json.load(open("att.json"))["config"]["digest"])')
	rd get-blob "$repo" "$config_digest" config.out >/dev/null
	for i in 0 1; do
		rd get-blob "$repo" "$(python3 -c "import json; print(json.load(open('att.json'))['layers'][$i]['digest'])")" "env$i" >/dev/null
	done
	python3 - "$repo" "${digest#sha256:}" <<'EOF'
import base64, hashlib, json, sys
repo, hexd = sys.argv[1], sys.argv[2]
raw = open("att.json", "rb").read()
m = json.loads(raw)
# go-containerregistry's member order, compact
assert list(m) == ["schemaVersion", "mediaType", "config", "layers"], list(m)
assert m["schemaVersion"] == 2 and m["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
cfg = open("config.out", "rb").read()
assert m["config"] == {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(cfg),
                       "digest": "sha256:" + hashlib.sha256(cfg).hexdigest()}
layers = m["layers"]
assert len(layers) == 2
types = ["https://cyclonedx.org/bom", "https://slsa.dev/provenance/v1"]
expected_cfg = {"architecture": "", "created": "0001-01-01T00:00:00Z",
                "history": [{"created": "0001-01-01T00:00:00Z"}] * 2, "os": "",
                "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}, "config": {}}
assert json.loads(cfg) == expected_cfg, cfg
for i, layer in enumerate(layers):
    assert list(layer) == ["mediaType", "size", "digest", "annotations"], list(layer)
    assert layer["mediaType"] == "application/vnd.dsse.envelope.v1+json"
    blob = open("env%d" % i, "rb").read()
    assert layer["size"] == len(blob) and layer["digest"] == "sha256:" + hashlib.sha256(blob).hexdigest()
    assert layer["annotations"] == {"dev.cosignproject.cosign/signature": "", "predicateType": types[i]}
    assert list(layer["annotations"]) == ["dev.cosignproject.cosign/signature", "predicateType"]
    env = json.loads(blob)
    assert env["payloadType"] == "application/vnd.in-toto+json"
    assert len(env["signatures"]) == 1
    st = json.loads(base64.b64decode(env["payload"]))
    assert st["_type"] == "https://in-toto.io/Statement/v1"
    assert st["predicateType"] == types[i]
    assert st["subject"] == [{"name": repo, "digest": {"sha256": hexd}}]
EOF
}

@test "the DSSE envelope in the registry verifies independently (python3-cryptography, PAE per the DSSE spec)" {
	python3 -c 'import cryptography' 2>/dev/null || skip "python3-cryptography is not installed (scripts/deps)"
	keys
	predicates
	local repo="$REG_PLAIN_HOST/cairn/independent"
	local digest
	digest=$(push_image "$repo:v1")
	cairn attest --key a.key --type cyclonedx --predicate sbom.json "$repo:v1"
	rd get-manifest "$repo:sha256-${digest#sha256:}.att" >att.json 2>/dev/null
	rd get-blob "$repo" "$(python3 -c 'import json; print(json.load(open("att.json"))["layers"][0]["digest"])')" env.json >/dev/null
	cat >dsse_check.py <<'EOF'
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.exceptions import InvalidSignature

def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)

env = json.load(open(sys.argv[1]))
key = serialization.load_pem_public_key(open(sys.argv[2], "rb").read())
payload = base64.b64decode(env["payload"])
sig = base64.b64decode(env["signatures"][0]["sig"])
try:
    key.verify(sig, pae(env["payloadType"], payload), ec.ECDSA(hashes.SHA256()))
except InvalidSignature:
    print("bad signature")
    sys.exit(1)
print("ok")
EOF
	run python3 dsse_check.py env.json a.pub
	expect_status 0
	[ "$output" = ok ]
	run python3 dsse_check.py env.json b.pub
	expect_status 1
	# and a changed payload no longer verifies for the independent checker either
	python3 -c '
import base64, json
e = json.load(open("env.json"))
e["payload"] = base64.b64encode(base64.b64decode(e["payload"]).replace(b"CycloneDX", b"CycloneDY")).decode()
json.dump(e, open("env2.json", "w"))'
	run python3 dsse_check.py env2.json a.pub
	expect_status 1
}

# replace_layer REPO TAG N BLOB: pushes BLOB and rewrites the manifest at TAG so layer N names it.
replace_layer() {
	local repo=$1 tag=$2 n=$3 blob=$4
	rd push-blob "$repo" "$blob" >/dev/null
	rd get-manifest "$repo:$tag" >m.json 2>/dev/null
	python3 - "$n" "$blob" <<'EOF'
import hashlib, json, sys
n, path = int(sys.argv[1]), sys.argv[2]
data = open(path, "rb").read()
m = json.load(open("m.json"))
m["layers"][n]["digest"] = "sha256:" + hashlib.sha256(data).hexdigest()
m["layers"][n]["size"] = len(data)
open("m2.json", "w").write(json.dumps(m, separators=(",", ":")))
EOF
	rd push-manifest "$repo:$tag" "$OCI_MANIFEST" m2.json >/dev/null
}

@test "a tampered envelope and an attestation of another image are rejected, each with its reason" {
	keys
	predicates
	local repo="$REG_PLAIN_HOST/cairn/tampered"
	local digest other
	digest=$(push_image "$repo:v1")
	other=$(push_image "$repo:other")
	cairn attest --key a.key --type cyclonedx --predicate sbom.json "$repo:v1"
	cairn verify-attestation --key a.pub --type cyclonedx "$repo:v1"
	local tag="sha256-${digest#sha256:}.att"
	rd get-manifest "$repo:$tag" >att.json 2>/dev/null
	rd get-blob "$repo" "$(python3 -c 'import json; print(json.load(open("att.json"))["layers"][0]["digest"])')" env.json >/dev/null
	# the payload changed (a package renamed), the signature kept
	python3 -c '
import base64, json
e = json.load(open("env.json"))
e["payload"] = base64.b64encode(base64.b64decode(e["payload"]).replace(b"hello", b"hellx")).decode()
open("bad.json", "w").write(json.dumps(e))'
	replace_layer "$repo" "$tag" 0 bad.json
	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx "$repo:v1"
	expect_status 1
	expect_stderr ".att layer 1: the DSSE signature does not verify with the given key"

	# a genuine, signed attestation of the other image, placed under this image's .att tag
	cairn attest --key a.key --type cyclonedx --predicate sbom.json "$repo:other"
	rd get-manifest "$repo:sha256-${other#sha256:}.att" >other.json 2>/dev/null
	rd push-manifest "$repo:$tag" "$OCI_MANIFEST" other.json >/dev/null
	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx "$repo:v1"
	expect_status 1
	expect_stderr "the statement's subjects do not include $digest (wrong subject)"
	# it still verifies for the image it names
	cairn verify-attestation --key a.pub --type cyclonedx "$repo:other"

	# a layer that is not a DSSE envelope at all
	printf 'not json' >junk.bin
	replace_layer "$repo" "$tag" 0 junk.bin
	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx "$repo:v1"
	expect_status 1
	expect_stderr "not a DSSE envelope"
}

@test "--new-bundle-format stores a Sigstore bundle referrer, listed in the tag-schema fallback index" {
	keys
	predicates
	local repo="$REG_PLAIN_HOST/cairn/referred"
	local digest
	digest=$(push_image "$repo:v1")
	run --separate-stderr cairn attest --key a.key --type cyclonedx --predicate sbom.json --new-bundle-format "$repo:v1"
	expect_status 0
	expect_stderr "pushed as referrer $repo@sha256:"
	local first=${stderr##*@}
	# no .att tag was written; the fallback index lists the referrer
	[ "$(rd head-manifest "$repo:sha256-${digest#sha256:}.att")" = missing ]
	rd get-manifest "$repo:sha256-${digest#sha256:}" >index.json 2>index.err
	grep -q "$OCI_INDEX" index.err
	rd get-manifest "$repo@$first" >ref.json 2>/dev/null
	rd get-blob "$repo" "$(python3 -c 'import json; print(json.load(open("ref.json"))["layers"][0]["digest"])')" bundle.json >/dev/null
	python3 - "$digest" "$first" "$(stat -c %s manifest.json)" <<'EOF'
import hashlib, json, sys
digest, first, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
idx = json.load(open("index.json"))
assert idx["schemaVersion"] == 2 and idx["mediaType"] == "application/vnd.oci.image.index.v1+json"
assert len(idx["manifests"]) == 1
d = idx["manifests"][0]
raw = open("ref.json", "rb").read()
assert d["digest"] == first == "sha256:" + hashlib.sha256(raw).hexdigest() and d["size"] == len(raw)
assert d["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
assert d["artifactType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
assert d["annotations"]["dev.sigstore.bundle.predicateType"] == "https://cyclonedx.org/bom"
m = json.loads(raw)
assert m["artifactType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
assert m["subject"] == {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": size, "digest": digest}
assert m["config"] == {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2,
                       "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}
assert len(m["layers"]) == 1 and m["layers"][0]["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
assert m["annotations"]["dev.sigstore.bundle.content"] == "dsse-envelope"
b = json.load(open("bundle.json"))
assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json" and "dsseEnvelope" in b
EOF
	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx "$repo:v1"
	expect_status 0
	[[ "$output" == *"1 attestation of type cyclonedx verified"* ]]
	[[ "$output" == *"(Sigstore bundle)"* ]]
	# a second referrer is added to the index, keeping the first
	cairn attest --key a.key --type slsaprovenance --predicate prov.json --new-bundle-format "$repo:v1"
	rd get-manifest "$repo:sha256-${digest#sha256:}" >index2.json 2>/dev/null
	python3 -c "
import json
m = json.load(open('index2.json'))['manifests']
assert len(m) == 2 and m[0]['digest'] == '$first', m"
	run --separate-stderr cairn verify-attestation --key a.pub --type slsaprovenance "$repo:v1"
	expect_status 0
	run --separate-stderr cairn verify-attestation --key b.pub --type cyclonedx "$repo:v1"
	expect_status 1
	expect_stderr "bundle referrer 1:"
	# the registry's own view of the referrers (through the same fallback) names both
	rd referrers "$repo@$digest" >refs.json 2>/dev/null
	[ "$(grep -o 'application/vnd.dev.sigstore.bundle.v0.3+json' refs.json | wc -l)" -ge 2 ]
}

@test "file mode: --bundle writes a v0.3 bundle with the DSSE envelope; verify-attestation --bundle round trip" {
	keys
	predicates
	echo "an artifact" >artifact.bin
	run --separate-stderr cairn attest --key a.key --type cyclonedx --predicate sbom.json --bundle art.bundle artifact.bin
	expect_status 0
	python3 - <<'EOF'
import base64, hashlib, json
b = json.load(open("art.bundle"))
assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
env = b["dsseEnvelope"]
st = json.loads(base64.b64decode(env["payload"]))
data = open("artifact.bin", "rb").read()
assert st["subject"] == [{"name": "artifact.bin", "digest": {"sha256": hashlib.sha256(data).hexdigest(),
                                                            "sha512": hashlib.sha512(data).hexdigest()}}]
assert st["predicateType"] == "https://cyclonedx.org/bom"
EOF
	run --separate-stderr cairn verify-attestation --bundle art.bundle --key a.pub --insecure-ignore-tlog --type cyclonedx artifact.bin
	expect_status 0
	[[ "$output" == *"artifact.bin: 1 attestation of type cyclonedx verified"* ]]
	# the bundle verifier of verify-blob accepts it too
	cairn verify-blob --bundle art.bundle --key a.pub --insecure-ignore-tlog artifact.bin
	# no log entry: refused unless told
	run --separate-stderr cairn verify-attestation --bundle art.bundle --key a.pub --type cyclonedx artifact.bin
	expect_status 1
	expect_stderr "transparency log"
	run --separate-stderr cairn verify-attestation --bundle art.bundle --key b.pub --insecure-ignore-tlog --type cyclonedx artifact.bin
	expect_status 1
	run --separate-stderr cairn verify-attestation --bundle art.bundle --key a.pub --insecure-ignore-tlog --type vuln artifact.bin
	expect_status 1
	expect_stderr "not the requested vuln"
	echo "changed" >>artifact.bin
	run --separate-stderr cairn verify-attestation --bundle art.bundle --key a.pub --insecure-ignore-tlog --type cyclonedx artifact.bin
	expect_status 1
}

@test "usage: type, predicate shape and options are checked before anything is signed" {
	keys
	predicates
	echo x >f
	run --separate-stderr cairn attest --key a.key --predicate sbom.json --bundle o f
	expect_status 2
	run --separate-stderr cairn attest --key a.key --type nonsense --predicate sbom.json --bundle o f
	expect_status 2
	expect_stderr "neither a known name"
	# a SLSA provenance is not a CycloneDX SBOM, and an SBOM is not SLSA provenance
	run --separate-stderr cairn attest --key a.key --type cyclonedx --predicate prov.json --bundle o f
	expect_status 2
	expect_stderr "not a CycloneDX predicate"
	run --separate-stderr cairn attest --key a.key --type slsaprovenance1 --predicate sbom.json --bundle o f
	expect_status 2
	printf '[1,2]' >array.json
	run --separate-stderr cairn attest --key a.key --type https://example.com/custom/v1 --predicate array.json --bundle o f
	expect_status 2
	expect_stderr "must be a JSON object"
	printf '{"k":' >broken.json
	run --separate-stderr cairn attest --key a.key --type https://example.com/custom/v1 --predicate broken.json --bundle o f
	expect_status 2
	[ ! -e o ]
	# any URI type works
	printf '{"k":"v"}' >custom.json
	cairn attest --key a.key --type https://example.com/custom/v1 --predicate custom.json --bundle o f
	cairn verify-attestation --bundle o --key a.pub --insecure-ignore-tlog --type https://example.com/custom/v1 f
	run --separate-stderr cairn verify-attestation --key a.pub f
	expect_status 2
	run --separate-stderr cairn verify-attestation --type cyclonedx f
	expect_status 2
	run --separate-stderr cairn verify-attestation --key a.pub --type cyclonedx --insecure-ignore-tlog "$REG_PLAIN_HOST/x:y"
	expect_status 2
}

@test "Ed25519 and P-384 keys attest and verify, each only with its own key" {
	predicates
	openssl genpkey -algorithm ED25519 -out ed.key 2>/dev/null
	openssl pkey -in ed.key -pubout -out ed.pub
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key 2>/dev/null
	openssl pkey -in p384.key -pubout -out p384.pub
	local repo="$REG_PLAIN_HOST/cairn/keytypes"
	push_image "$repo:v1" >/dev/null
	cairn attest --key ed.key --type cyclonedx --predicate sbom.json "$repo:v1"
	cairn attest --key p384.key --type cyclonedx --predicate sbom.json --new-bundle-format "$repo:v1"
	run --separate-stderr cairn verify-attestation --key ed.pub --type cyclonedx "$repo:v1"
	expect_status 0
	[[ "$output" == *"1 attestation of type cyclonedx verified"* ]]
	[[ "$output" == *"cosign .att layer"* ]]
	run --separate-stderr cairn verify-attestation --key p384.pub --type cyclonedx "$repo:v1"
	expect_status 0
	[[ "$output" == *"1 attestation of type cyclonedx verified"* ]]
	[[ "$output" == *"(Sigstore bundle)"* ]]
}

@test "a keyless .att layer (certificate and Rekor bundle in its annotations) is verified through its evidence" {
	keys
	predicates
	local repo="$REG_PLAIN_HOST/cairn/keyless"
	local digest bv="$CAIRN_CORPUS/sigstore/conformance/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
	digest=$(push_image "$repo:v1")
	cairn attest --key a.key --type slsaprovenance --predicate prov.json "$repo:v1"
	local tag="sha256-${digest#sha256:}.att"
	rd get-manifest "$repo:$tag" >att.json 2>/dev/null
	# The conformance corpus's keyless DSSE bundle (real Fulcio certificate, real Rekor entry) taken
	# apart into cosign's keyless layer: the envelope as the blob, the certificate and Rekor bundle as
	# annotations. Its statement names a.txt, not this image.
	python3 - "$bv" <<'PY'
import base64, json, sys, textwrap
b = json.load(open(sys.argv[1]))
vm = b["verificationMaterial"]
open("keyless-env.json", "w").write(json.dumps(b["dsseEnvelope"], separators=(",", ":")))
raw = vm["certificate"]["rawBytes"]
pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(raw, 64)) + "\n-----END CERTIFICATE-----\n"
e = vm["tlogEntries"][0]
rekor = {"SignedEntryTimestamp": e["inclusionPromise"]["signedEntryTimestamp"],
         "Payload": {"body": e["canonicalizedBody"], "integratedTime": int(e["integratedTime"]),
                     "logIndex": int(e["logIndex"]), "logID": base64.b64decode(e["logId"]["keyId"]).hex()}}
json.dump({"dev.sigstore.cosign/certificate": pem, "dev.sigstore.cosign/bundle": json.dumps(rekor)},
          open("annotations.json", "w"))
PY
	replace_layer "$repo" "$tag" 0 keyless-env.json
	python3 -c '
import json
m = json.load(open("m2.json"))
m["layers"][0]["annotations"].update(json.load(open("annotations.json")))
open("m3.json", "w").write(json.dumps(m, separators=(",", ":")))'
	rd push-manifest "$repo:$tag" "$OCI_MANIFEST" m3.json >/dev/null
	local id="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
	# Certificate, SCT, entry timestamp and log body all check out; the statement is not about this
	# image, so it is refused for that reason and no other.
	run --separate-stderr cairn verify-attestation --certificate-identity "$id" \
		--certificate-oidc-issuer https://token.actions.githubusercontent.com --type slsaprovenance "$repo:v1"
	expect_status 1
	expect_stderr ".att layer 1: no subject of the in-toto statement has the artifact's digest"
	# the wrong identity stops it earlier, at the certificate
	run --separate-stderr cairn verify-attestation --certificate-identity https://example.com/other \
		--certificate-oidc-issuer https://token.actions.githubusercontent.com --type slsaprovenance "$repo:v1"
	expect_status 1
	expect_stderr ".att layer 1: identity: certificate identity mismatch"
}
