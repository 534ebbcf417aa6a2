#!/usr/bin/env bats
# `cairn image` against every form of one image: an OCI layout, OCI archives, a docker-archive, and the
# Debian docker-registry in plain HTTP, Basic auth and TLS modes (images pushed there by skopeo, with
# their digests preserved). The images are built without a daemon by tests/e2e/make-images.

load helpers
load registry

setup_file() {
	export IMG="$BATS_FILE_TMPDIR/images"
	"$BATS_TEST_DIRNAME/make-images" "$IMG" >/dev/null
	registry_start plain
	registry_start basic
	registry_start tls
	mkdir -p "$BATS_FILE_TMPDIR/certs"
	cp "$REG_CA" "$BATS_FILE_TMPDIR/certs/ca.crt"
	local sk="skopeo --insecure-policy copy -q --preserve-digests"
	$sk --all "oci:$IMG/layout:multi" "docker://$REG_PLAIN_HOST/cairn/img:multi" --dest-tls-verify=false
	$sk "dir:$IMG/v2s2" "docker://$REG_PLAIN_HOST/cairn/v2:v1" --dest-tls-verify=false
	$sk --all "oci:$IMG/layout:multi" "docker://$REG_BASIC_HOST/cairn/img:multi" --dest-tls-verify=false \
		--dest-creds "$REG_USER:$REG_PASS"
	$sk --all "oci:$IMG/layout:multi" "docker://$REG_TLS_HOST/cairn/img:multi" \
		--dest-cert-dir "$BATS_FILE_TMPDIR/certs"
	export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/cache"
}

teardown_file() {
	registry_stop_all
}

img() {
	cairn image "$@"
}

# The config digest of source $1 (more options may follow).
config_of() {
	img inspect -o json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["configDigest"])'
}

manifest_of() {
	img inspect -o json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifestDigest"])'
}

host_is_amd64() {
	[ "$(uname -m)" = x86_64 ]
}

@test "every form of the image gives the same squashed tree and the same config digest" {
	host_is_amd64 || { echo "these expectations are written for a linux/amd64 host" >&2; false; }
	img ls "oci-dir:$IMG/layout:amd64" >expected
	[ "$(wc -l <expected)" -gt 15 ]
	local config
	config=$(config_of "oci-dir:$IMG/layout:amd64")
	local sources=(
		"oci-dir:$IMG/layout:multi"
		"oci-archive:$IMG/amd64.oci.tar"
		"oci-archive:$IMG/multi.oci.tar:multi"
		"docker-archive:$IMG/amd64.docker.tar"
		"registry:$REG_PLAIN_HOST/cairn/img:multi"
		"$REG_PLAIN_HOST/cairn/img:multi"
	)
	local s
	for s in "${sources[@]}"; do
		img ls "$s" >got
		diff -u expected got
		[ "$(config_of "$s")" = "$config" ]
	done
	img ls --username "$REG_USER" --password-stdin "$REG_BASIC_HOST/cairn/img:multi" <<<"$REG_PASS" >got
	diff -u expected got
	[ "$(config_of --username "$REG_USER" --password-stdin "$REG_BASIC_HOST/cairn/img:multi" <<<"$REG_PASS")" = "$config" ]
	img ls --ca-file "$REG_CA" "$REG_TLS_HOST/cairn/img:multi" >got
	diff -u expected got
	[ "$(config_of --ca-file "$REG_CA" "$REG_TLS_HOST/cairn/img:multi")" = "$config" ]
}

@test "registry and OCI layout give the same manifest and index digests" {
	host_is_amd64 || { echo "these expectations are written for a linux/amd64 host" >&2; false; }
	run --separate-stderr img inspect -o json "oci-dir:$IMG/layout:multi"
	expect_status 0
	local layout=$output
	run --separate-stderr img inspect -o json "registry:$REG_PLAIN_HOST/cairn/img:multi"
	expect_status 0
	local registry=$output
	local field
	for field in manifestDigest indexDigest configDigest mediaType platform; do
		a=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['$field'])" "$layout")
		b=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['$field'])" "$registry")
		[ "$a" = "$b" ]
	done
	# And they are the digests of the bytes in the layout, as skopeo or sha256sum see them.
	local index_digest
	index_digest=$(python3 -c 'import json,sys; print([m["digest"] for m in json.load(open(sys.argv[1]))["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "amd64"][0])' "$IMG/layout/index.json")
	[ "$(manifest_of "registry:$REG_PLAIN_HOST/cairn/img:multi")" = "$index_digest" ]
}

@test "platform selection: --platform linux/arm64 picks the arm64 image; the default is the host's" {
	run --separate-stderr img inspect --platform linux/arm64 "oci-dir:$IMG/layout:multi"
	expect_status 0
	[[ "$output" == *"platform:      linux/arm64"* ]]
	arm_config=$(config_of --platform linux/arm64 "oci-dir:$IMG/layout:multi")
	[ "$arm_config" = "$(config_of "oci-dir:$IMG/layout:arm64")" ]
	[ "$(config_of --platform linux/arm64/v8 "$REG_PLAIN_HOST/cairn/img:multi")" = "$arm_config" ]
	[ "$(config_of --platform linux/aarch64 "$REG_PLAIN_HOST/cairn/img:multi")" = "$arm_config" ]
	img ls --platform linux/arm64 "$REG_PLAIN_HOST/cairn/img:multi" /etc/arch | grep -q ' /etc/arch$'
	if host_is_amd64; then
		run --separate-stderr img inspect "$REG_PLAIN_HOST/cairn/img:multi"
		expect_status 0
		[[ "$output" == *"platform:      linux/amd64"* ]]
		[ "$(config_of "$REG_PLAIN_HOST/cairn/img:multi")" = "$(config_of --platform linux/amd64 "oci-dir:$IMG/layout:multi")" ]
	fi
	run --separate-stderr img inspect --platform linux/s390x "$REG_PLAIN_HOST/cairn/img:multi"
	expect_status 2
	expect_stderr "no image for platform linux/s390x"
	expect_stderr "linux/amd64, linux/arm64/v8"
	run --separate-stderr img inspect --platform linux "$REG_PLAIN_HOST/cairn/img:multi"
	expect_status 2
	expect_stderr "not os/arch"
}

@test "the zstd layer and the whiteouts are reflected in the tree" {
	run --separate-stderr img inspect "oci-dir:$IMG/layout:amd64"
	expect_status 0
	[[ "$output" == *"application/vnd.oci.image.layer.v1.tar+zstd"* ]]
	run --separate-stderr img ls "oci-dir:$IMG/layout:amd64"
	expect_status 0
	# The zstd layer (index 2) wrote these.
	echo "$output" | grep -E '^-rwxr-xr-x +[0-9]+ +2 /usr/local/bin/zecho$'
	echo "$output" | grep -E '^-rw-r--r-- +21 +2 /usr/local/bin/README.zstd$'
	# .wh.removed deleted /etc/removed; the opaque /opt/data hides old.txt and sub/; no marker shows.
	! echo "$output" | grep -q '/etc/removed'
	! echo "$output" | grep -q '/opt/data/old.txt'
	! echo "$output" | grep -q '/opt/data/sub'
	! echo "$output" | grep -q '\.wh\.'
	echo "$output" | grep -E '^-rw-r--r-- +9 +1 /opt/data/new.txt$'
	echo "$output" | grep -E ' 0 /etc/os-release$'
	# Links, as ls -l shows them.
	echo "$output" | grep -E '^lrwxrwxrwx +0 +0 /bin/false-link -> true$'
	echo "$output" | grep -E ' /bin/true-hard link to /bin/true$'
	echo "$output" | grep -E '^drwxrwxrwt +0 +0 /tmp$'
	# The lower layer alone still has them.
	run --separate-stderr img ls "oci-dir:$IMG/layout:base" /opt/data
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 2 ]
}

@test "ls PATH lists under PATH, shows a symlink itself, and resolves symlinks only inside the root" {
	run --separate-stderr img ls "oci-dir:$IMG/layout:amd64" /usr/local
	expect_status 0
	[ "$(echo "$output" | awk '{print $4}' | tr '\n' ' ')" = "/usr/local /usr/local/bin /usr/local/bin/README.zstd /usr/local/bin/zecho " ]
	run --separate-stderr img ls "oci-dir:$IMG/layout:amd64" /usr/share/doc/cairn-test/escape
	expect_status 0
	[[ "$output" == *"/usr/share/doc/cairn-test/escape -> ../../../../../../etc" ]]
	# Through the link that climbs above the root: it stays at the root, so this is the image's /etc.
	run --separate-stderr img ls "oci-dir:$IMG/layout:amd64" /usr/share/doc/cairn-test/escape/motd
	expect_status 0
	[[ "$output" == *" 1 /etc/motd" ]]
	run --separate-stderr img ls "oci-dir:$IMG/layout:amd64" /nope
	expect_status 2
	expect_stderr "/nope"
}

@test "a Docker v2 schema2 manifest from the registry" {
	run --separate-stderr img inspect -o json "$REG_PLAIN_HOST/cairn/v2:v1"
	expect_status 0
	echo "$output" | grep -q '"mediaType": "application/vnd.docker.distribution.manifest.v2+json"'
	echo "$output" | grep -q 'application/vnd.docker.image.rootfs.diff.tar.gzip'
	[ "$(manifest_of "$REG_PLAIN_HOST/cairn/v2:v1")" = "sha256:$(sha256sum <"$IMG/v2s2/manifest.json" | cut -d' ' -f1)" ]
	img ls "oci-dir:$IMG/layout:base" >expected
	img ls "$REG_PLAIN_HOST/cairn/v2:v1" >got
	diff -u expected got
}

@test "save then inspect oci-dir: round trips with the same manifest digest" {
	local want
	want=$(manifest_of "$REG_PLAIN_HOST/cairn/img:multi")
	run --separate-stderr img save "$REG_PLAIN_HOST/cairn/img:multi" "oci-dir:$TMP/saved"
	expect_status 0
	[ "$output" = "$want" ]
	[ "$(manifest_of "oci-dir:$TMP/saved")" = "$want" ]
	[ "$(manifest_of "oci-dir:$TMP/saved:multi")" = "$want" ]
	img ls "$REG_PLAIN_HOST/cairn/img:multi" >expected
	img ls "oci-dir:$TMP/saved" >got
	diff -u expected got
	# umoci reads what was saved too.
	umoci ls --layout "$TMP/saved" | grep -qx multi
	# A docker-archive saved: its synthesised manifest keeps its digest.
	want=$(manifest_of "docker-archive:$IMG/amd64.docker.tar")
	img save "docker-archive:$IMG/amd64.docker.tar" "oci-dir:$TMP/fromdocker" >/dev/null
	[ "$(manifest_of "oci-dir:$TMP/fromdocker:amd64")" = "$want" ]
	run --separate-stderr img save "oci-dir:$IMG/layout:base" "$TMP/nowhere"
	expect_status 2
	expect_stderr "oci-dir:PATH"
}

@test "registry blobs are cached and verified; a damaged cache entry is replaced; a second read downloads nothing" {
	# An image of its own, with a layer no other test shares (its blob is deleted below).
	mkdir -p root/data && head -c 100000 /dev/urandom >root/data/random
	tar -C root -cf layer.tar .
	umoci init --layout layout && umoci new --image layout:v1
	umoci raw add-layer --image layout:v1 layer.tar
	skopeo --insecure-policy copy -q oci:layout:v1 "docker://$REG_PLAIN_HOST/cairn/cache:v1" --dest-tls-verify=false
	local cache="$TMP/cache" ref="$REG_PLAIN_HOST/cairn/cache:v1" layer
	img ls --cache-dir "$cache" "$ref" >first
	grep -q ' /data/random$' first
	layer=$(img inspect -o json "oci-dir:layout:v1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"].split(":")[1])')
	[ -f "$cache/blobs/sha256/$layer" ]
	[ -z "$(find "$cache" -name '*.part-*')" ]
	# Same size, other bytes: the entry is found damaged, dropped and downloaded again.
	python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-1]^=1; open(p,"wb").write(b)' "$cache/blobs/sha256/$layer"
	run --separate-stderr img ls --cache-dir "$cache" "$ref"
	expect_status 0
	[ "$output" = "$(cat first)" ]
	[ "$(sha256sum <"$cache/blobs/sha256/$layer" | cut -d' ' -f1)" = "$layer" ]
	# A second read downloads nothing: with the registry's copy of the layer gone, it still works...
	rm -rf "$REG_PLAIN_DIR/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer"
	img ls --cache-dir "$cache" "$ref" >second
	diff -u first second
	# ... and without the cache it cannot.
	run --separate-stderr img ls --cache-dir "$TMP/empty-cache" "$ref"
	[ "$status" -ne 0 ]
	expect_stderr "$layer"
}

@test "registry errors: no credentials, an untrusted certificate, an unknown tag" {
	run --separate-stderr img inspect "$REG_BASIC_HOST/cairn/img:multi"
	expect_status 2
	expect_stderr "authentication required"
	run --separate-stderr img inspect "$REG_TLS_HOST/cairn/img:multi"
	expect_status 3
	expect_stderr "--ca-file"
	run --separate-stderr img inspect "$REG_PLAIN_HOST/cairn/img:nope"
	expect_status 2
	expect_stderr "not found"
}

@test "inspect prints the config summary; -o json has every field" {
	run --separate-stderr img inspect "oci-archive:$IMG/amd64.oci.tar"
	expect_status 0
	[[ "$output" == *"entrypoint:    [\"/bin/true\"]"* ]]
	[[ "$output" == *"cmd:           [\"--version\"]"* ]]
	[[ "$output" == *"CAIRN_TEST=1"* ]]
	[[ "$output" == *"created:       2024-01-02T03:04:05Z"* ]]
	[[ "$output" == *"layers:        3"* ]]
	run --separate-stderr img inspect -o json "oci-archive:$IMG/amd64.oci.tar"
	expect_status 0
	python3 - "$output" <<'PYEOF'
import json, sys
d = json.loads(sys.argv[1])
for k in ("reference", "manifestDigest", "mediaType", "platform", "configDigest", "created", "entrypoint",
          "cmd", "env", "layers", "totalSize"):
    assert k in d, k
assert d["platform"] == "linux/amd64"
assert d["totalSize"] == sum(l["size"] for l in d["layers"])
assert all(l["diffID"].startswith("sha256:") for l in d["layers"])
PYEOF
}

@test "sources: usage errors, a layout with several images, a dir: source" {
	run --separate-stderr img inspect "oci-dir:$IMG/layout"
	expect_status 2
	expect_stderr "name one as oci-dir:PATH:TAG"
	run --separate-stderr img inspect "oci-dir:$IMG/layout:nosuchtag"
	expect_status 2
	expect_stderr "no image tagged nosuchtag"
	run --separate-stderr img inspect "docker:alpine"
	expect_status 2
	expect_stderr "unknown source type"
	run --separate-stderr img frobnicate x
	expect_status 2
	gzip -c "$IMG/amd64.oci.tar" >c.tar.gz
	run --separate-stderr img inspect "oci-archive:c.tar.gz"
	expect_status 2
	expect_stderr "is compressed"
	mkdir -p d/etc && echo hi >d/etc/hello
	run --separate-stderr img ls dir:d
	expect_status 0
	echo "$output" | grep -E '^-rw-r--r-- +3 +- /etc/hello$'
	# A digest names one manifest of the layout, even one inside an index.
	local arm
	arm=$(manifest_of --platform linux/arm64 "oci-dir:$IMG/layout:multi")
	[ "$(manifest_of "oci-dir:$IMG/layout@$arm")" = "$arm" ]
}
