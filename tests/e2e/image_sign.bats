#!/usr/bin/env bats
# `cairn sign` and `cairn verify` against the Debian docker-registry on 127.0.0.1: the round trip,
# a second signature appended, a wrong key and a re-pushed image rejected, and the signature manifest
# compared field by field with the layout cosign writes (specs/SIGNATURE_SPEC.md, go-containerregistry's
# image config, sigstore's payload.SimpleContainerImage).

load helpers
load registry

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

setup_file() {
	registry_start plain
	export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/cache"
}

teardown_file() {
	registry_stop_all
}

@test "sign, verify with the right key, refuse another key" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/signed"
	local digest
	digest=$(push_image "$repo:v1")
	run --separate-stderr cairn sign --key a.key "$repo:v1"
	expect_status 0
	[ "$output" = "$repo@$digest" ]
	expect_stderr "Signature pushed to $repo:sha256-${digest#sha256:}.sig"
	run --separate-stderr cairn verify --key a.pub "$repo:v1"
	expect_status 0
	[[ "$output" == *"1 signature verified"* ]]
	[[ "$output" == *"docker-reference $repo"* ]]
	# by digest and with the registry: prefix too
	cairn verify --key a.pub "registry:$repo@$digest"
	run --separate-stderr cairn verify --key b.pub "$repo:v1"
	expect_status 1
	expect_stderr "none of the 1 signatures verifies"
	expect_stderr "does not verify with the given key"
	# the repository named in the payload can be required
	cairn verify --key a.pub --docker-reference "$repo:other" "$repo:v1"
	run --separate-stderr cairn verify --key a.pub --docker-reference "$REG_PLAIN_HOST/cairn/elsewhere" "$repo:v1"
	expect_status 1
	expect_stderr "the payload names repository $repo, not"
}

@test "a second signature is appended and both listed; layers kept; the same signature not duplicated" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/twice"
	local digest
	digest=$(push_image "$repo:v1")
	cairn sign --key a.key "$repo:v1"
	cairn sign --key b.key "$repo:v1"
	local tag="sha256-${digest#sha256:}.sig"
	rd get-manifest "$repo:$tag" >sig.json 2>/dev/null
	[ "$(python3 -c 'import json,sys; print(len(json.load(open("sig.json"))["layers"]))')" = 2 ]
	# each key verifies its own signature; the other layer is reported as not verifying
	run --separate-stderr cairn verify --key a.pub -o json "$repo:v1"
	expect_status 0
	python3 - "$output" "$repo" "$digest" <<'PYEOF'
import json, sys
out, repo, digest = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
assert len(out) == 1, out
assert out[0] == {"critical": {"identity": {"docker-reference": repo}, "image": {"docker-manifest-digest": digest},
                  "type": "cosign container image signature"}, "optional": None}, out
PYEOF
	cairn verify --key b.pub "$repo:v1"
	# existing layers are kept unchanged when a third is added
	cairn sign --key a.key "$repo:v1"
	rd get-manifest "$repo:$tag" >sig3.json 2>/dev/null
	[ "$(python3 -c 'import json; print(len(json.load(open("sig3.json"))["layers"]))')" = 3 ]
	python3 - <<'PYEOF'
import json
a, b = json.load(open("sig.json")), json.load(open("sig3.json"))
assert b["layers"][:2] == a["layers"], "existing layers were not kept unchanged"
PYEOF
	# two signatures by key a now: both listed
	run --separate-stderr cairn verify --key a.pub "$repo:v1"
	expect_status 0
	[[ "$output" == *"2 signatures verified"* ]]
	[[ "$output" == *"signature 2: verified"* ]]
	run --separate-stderr cairn verify --key a.pub -o json "$repo:v1"
	[ "$(echo "$output" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ]
	# Ed25519 signatures are deterministic: signing again gives the same layer, which is not duplicated
	openssl genpkey -algorithm ed25519 -out c.key 2>/dev/null
	openssl pkey -in c.key -pubout -out c.pub
	cairn sign --key c.key "$repo:v1"
	run --separate-stderr cairn sign --key c.key "$repo:v1"
	expect_status 0
	expect_stderr "Already signed with this key"
	rd get-manifest "$repo:$tag" >sig4.json 2>/dev/null
	[ "$(python3 -c 'import json; print(len(json.load(open("sig4.json"))["layers"]))')" = 4 ]
	cairn verify --key c.pub "$repo:v1"
}

@test "a re-pushed (tampered) image under the same tag fails verification" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/tamper"
	push_image "$repo:v1" >/dev/null
	cairn sign --key a.key "$repo:v1"
	cairn verify --key a.pub "$repo:v1"
	local new
	new=$(push_image "$repo:v1")
	run --separate-stderr cairn verify --key a.pub "$repo:v1"
	expect_status 1
	expect_stderr "$repo@$new: no signatures found"
	expect_stderr "re-pushed under the same tag has a new digest"
}

@test "an image without signatures, a missing image, and bad usage" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/unsigned"
	push_image "$repo:v1" >/dev/null
	run --separate-stderr cairn verify --key a.pub "$repo:v1"
	expect_status 1
	expect_stderr "no signatures found"
	run --separate-stderr cairn verify --key a.pub "$repo:nosuchtag"
	expect_status 2
	run --separate-stderr cairn verify "$repo:v1"
	expect_status 2
	run --separate-stderr cairn verify --key a.pub --certificate-identity x "$repo:v1"
	expect_status 2
	run --separate-stderr cairn sign "$repo:v1"
	expect_status 2
	# keyless verification of a key-only signature fails with the reason
	cairn sign --key a.key "$repo:v1"
	run --separate-stderr cairn verify --certificate-identity me@example.com \
		--certificate-oidc-issuer https://accounts.example.com "$repo:v1"
	expect_status 1
	expect_stderr "has no certificate"
}

@test "the signature manifest matches cosign's layout field by field" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/layout"
	local digest
	digest=$(push_image "$repo:v1")
	cairn sign --key a.key "$repo:v1"
	cairn sign --key b.key "$repo:v1"
	local tag="sha256-${digest#sha256:}.sig"
	[[ "$tag" =~ ^sha256-[0-9a-f]{64}\.sig$ ]]
	rd get-manifest "$repo:$tag" >sig.json 2>mt.txt
	grep -q "$OCI_MANIFEST" mt.txt
	python3 - <<'PYEOF' sig.json
import json, sys
m = json.load(open(sys.argv[1]))
# The members and their order, as go-containerregistry marshals v1.Manifest.
assert list(m) == ["schemaVersion", "mediaType", "config", "layers"], list(m)
assert m["schemaVersion"] == 2
assert m["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
assert list(m["config"]) == ["mediaType", "size", "digest"]
assert m["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
for layer in m["layers"]:
    assert list(layer) == ["mediaType", "size", "digest", "annotations"], list(layer)
    assert layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json"
    assert list(layer["annotations"]) == ["dev.cosignproject.cosign/signature"]
json.dump(m, open("parsed.json", "w"))
PYEOF
	# the blobs: payload bytes exactly as cosign serialises them, config as go-containerregistry does
	local i=0 layer_digest
	for layer_digest in $(python3 -c 'import json; [print(l["digest"]) for l in json.load(open("sig.json"))["layers"]]'); do
		rd get-blob "$repo" "$layer_digest" "payload$i" >/dev/null
		printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"cosign container image signature"},"optional":null}' \
			"$repo" "$digest" >expected
		cmp "payload$i" expected
		# the annotation is the base64 DER ECDSA signature over the payload, checked by OpenSSL
		python3 -c "import json,base64; open('sig$i.der','wb').write(base64.b64decode(json.load(open('sig.json'))['layers'][$i]['annotations']['dev.cosignproject.cosign/signature']))"
		i=$((i + 1))
	done
	openssl dgst -sha256 -verify a.pub -signature sig0.der payload0
	openssl dgst -sha256 -verify b.pub -signature sig1.der payload1
	local config_digest
	config_digest=$(python3 -c 'import json; print(json.load(open("sig.json"))["config"]["digest"])')
	rd get-blob "$repo" "$config_digest" config.out >/dev/null
	local d0 d1
	d0=$(python3 -c 'import json; print(json.load(open("sig.json"))["layers"][0]["digest"])')
	d1=$(python3 -c 'import json; print(json.load(open("sig.json"))["layers"][1]["digest"])')
	printf '{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["%s","%s"]},"config":{}}' \
		"$d0" "$d1" >config.expected
	cmp config.out config.expected
	[ "$(python3 -c 'import json; print(json.load(open("sig.json"))["config"]["size"])')" = "$(stat -c %s config.out)" ]
}

@test "skopeo copies the image with its signature tag; cairn verifies the copy" {
	command -v skopeo >/dev/null || { echo "skopeo is missing (scripts/deps installs it)" >&2; false; }
	keys
	local repo="$REG_PLAIN_HOST/cairn/src" copy="$REG_PLAIN_HOST/cairn/copy"
	local digest
	digest=$(push_image "$repo:v1")
	cairn sign --key a.key "$repo:v1"
	local tag="sha256-${digest#sha256:}.sig"
	local sk="skopeo --insecure-policy copy -q --preserve-digests --src-tls-verify=false --dest-tls-verify=false"
	$sk "docker://$repo:v1" "docker://$copy:v1"
	$sk "docker://$repo:$tag" "docker://$copy:$tag"
	# the payload still names the source repository (cosign does not check it; --docker-reference does)
	cairn verify --key a.pub "$copy:v1"
	run --separate-stderr cairn verify --key a.pub --docker-reference "$copy" "$copy:v1"
	expect_status 1
}

# push_referrer REPO IMAGE_DIGEST BUNDLE: stores BUNDLE as an OCI 1.1 referrer of the image, as
# cosign's new bundle format does, and lists it in the tag-schema fallback index "sha256-<hex>"
# (the Debian docker-registry has no referrers API).
push_referrer() {
	local repo=$1 subject=$2 bundle=$3
	local bt=application/vnd.dev.sigstore.bundle.v0.3+json
	printf '{}' >empty.json
	rd push-blob "$repo" empty.json >/dev/null
	rd push-blob "$repo" "$bundle" >/dev/null
	local subject_size
	subject_size=$(stat -c %s manifest.json)
	printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"sha256:%s"},"layers":[{"mediaType":"%s","size":%d,"digest":"sha256:%s"}],"subject":{"mediaType":"%s","size":%d,"digest":"%s"}}' \
		"$OCI_MANIFEST" "$bt" "$(sha empty.json)" "$bt" "$(stat -c %s "$bundle")" "$(sha "$bundle")" \
		"$OCI_MANIFEST" "$subject_size" "$subject" >referrer.json
	local rdigest
	rdigest=$(rd push-manifest "$repo@sha256:$(sha referrer.json)" "$OCI_MANIFEST" referrer.json)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"%s","size":%d,"digest":"%s","artifactType":"%s"}]}' \
		"$OCI_MANIFEST" "$(stat -c %s referrer.json)" "$rdigest" "$bt" >fallback.json
	rd push-manifest "$repo:sha256-${subject#sha256:}" application/vnd.oci.image.index.v1+json fallback.json >/dev/null
}

@test "Sigstore bundle referrers are found and checked (offline bundles without a log entry are refused)" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/referred"
	local digest
	digest=$(push_image "$repo:v1")
	# a DSSE bundle of cosign's signing statement about this image, made by cairn sign-blob (offline,
	# so without a transparency-log entry)
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"","digest":{"sha256":"%s"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}' \
		"${digest#sha256:}" >statement.json
	cairn sign-blob --key a.key --bundle bundle.json --in-toto statement.json
	push_referrer "$repo" "$digest" bundle.json
	run --separate-stderr cairn verify --key a.pub "$repo:v1"
	expect_status 1
	expect_stderr "none of the 1 signatures verifies"
	expect_stderr "bundle referrer 1:"
	expect_stderr "transparency log entry"
	# with a cosign signature beside it, that one verifies and the referrer is only reported
	cairn sign --key a.key "$repo:v1"
	run --separate-stderr cairn verify --key a.pub -o json "$repo:v1"
	expect_status 0
	[ "$(echo "$output" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ]
}

@test "an attestation referrer of another predicate type is not taken for a signature" {
	keys
	local repo="$REG_PLAIN_HOST/cairn/attested"
	local digest
	digest=$(push_image "$repo:v1")
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"","digest":{"sha256":"%s"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}' \
		"${digest#sha256:}" >statement.json
	cairn sign-blob --key a.key --bundle bundle.json --in-toto statement.json
	push_referrer "$repo" "$digest" bundle.json
	run --separate-stderr cairn verify --key a.pub "$repo:v1"
	expect_status 1
	expect_stderr "an attestation of type https://slsa.dev/provenance/v1, not a signature"
}
