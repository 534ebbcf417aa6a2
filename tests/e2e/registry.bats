#!/usr/bin/env bats
# The registry client against real registries (the Debian docker-registry, in plain HTTP, Basic auth
# and TLS modes) and small stubs for retries, Bearer tokens and bad digests, driven through the
# internal `cairn registry-debug` command.

load helpers
load registry

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json

setup_file() {
	registry_start plain
	registry_start basic
	registry_start tls
}

teardown_file() {
	registry_stop_all
}

# Pushes a config and a layer blob to $1 (host/repo) with options $2..., and writes an image manifest
# of media type $MT referring to them into manifest.json.
make_image() {
	local repo=$1
	shift
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >config.json
	head -c 3000 /dev/urandom >layer.bin
	rd "$@" push-blob "$repo" config.json >/dev/null || return 1
	rd "$@" push-blob "$repo" layer.bin >/dev/null || return 1
	local config_type=application/vnd.oci.image.config.v1+json layer_type=application/vnd.oci.image.layer.v1.tar
	if [ "${MT:-$OCI_MANIFEST}" = "$DOCKER_MANIFEST" ]; then
		config_type=application/vnd.docker.container.image.v1+json
		layer_type=application/vnd.docker.image.rootfs.diff.tar.gzip
	fi
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","size":%d,"digest":"sha256:%s"},"layers":[{"mediaType":"%s","size":%d,"digest":"sha256:%s"}]}' \
		"${MT:-$OCI_MANIFEST}" "$config_type" "$(stat -c %s config.json)" "$(sha config.json)" \
		"$layer_type" "$(stat -c %s layer.bin)" "$(sha layer.bin)" >manifest.json
}

@test "plain: a small blob is pushed whole and read back with its digest checked" {
	head -c 5000 /dev/urandom >blob
	run --separate-stderr rd push-blob "$REG_PLAIN_HOST/cairn/small" blob
	expect_status 0
	[ "$output" = "sha256:$(sha blob)" ]
	run --separate-stderr rd blob-exists "$REG_PLAIN_HOST/cairn/small" "sha256:$(sha blob)"
	[ "$output" = yes ]
	rd get-blob "$REG_PLAIN_HOST/cairn/small" "sha256:$(sha blob)" out
	cmp blob out
	# Pushing again skips the upload (the blob exists) and still succeeds.
	rd push-blob "$REG_PLAIN_HOST/cairn/small" blob
	run --separate-stderr rd blob-exists "$REG_PLAIN_HOST/cairn/small" "sha256:$(printf x | sha256sum | cut -d' ' -f1)"
	[ "$output" = no ]
}

@test "plain: a blob over 8 MiB is pushed in chunks (small and default chunk sizes) and read back" {
	head -c $((9 * 1024 * 1024 + 123)) /dev/urandom >big
	run --separate-stderr rd push-blob --chunk-size 3000000 "$REG_PLAIN_HOST/cairn/big" big
	expect_status 0
	[ "$output" = "sha256:$(sha big)" ]
	rd get-blob "$REG_PLAIN_HOST/cairn/big" "sha256:$(sha big)" out
	cmp big out
	head -c $((8 * 1024 * 1024 + 1)) /dev/urandom >big2
	rd push-blob "$REG_PLAIN_HOST/cairn/big" big2
	rd get-blob "$REG_PLAIN_HOST/cairn/big" "sha256:$(sha big2)" >out2
	cmp big2 out2
}

@test "plain: OCI manifests are pushed by tag and by digest and read back byte for byte" {
	local repo="$REG_PLAIN_HOST/cairn/oci"
	make_image "$repo"
	run --separate-stderr rd push-manifest "$repo:v1" "$OCI_MANIFEST" manifest.json
	expect_status 0
	[ "$output" = "sha256:$(sha manifest.json)" ]
	run --separate-stderr rd get-manifest "$repo:v1"
	expect_status 0
	[ "$output" = "$(cat manifest.json)" ]
	expect_stderr "media-type: $OCI_MANIFEST"
	expect_stderr "digest: sha256:$(sha manifest.json)"
	run --separate-stderr rd head-manifest "$repo:v1"
	[ "$output" = "sha256:$(sha manifest.json)" ]
	# By digest, into another repository that has the blobs too.
	make_image "$REG_PLAIN_HOST/cairn/oci-bydigest"
	rd push-manifest "$REG_PLAIN_HOST/cairn/oci-bydigest@sha256:$(sha manifest.json)" "$OCI_MANIFEST" manifest.json
	run --separate-stderr rd get-manifest "$REG_PLAIN_HOST/cairn/oci-bydigest@sha256:$(sha manifest.json)"
	expect_status 0
	[ "$output" = "$(cat manifest.json)" ]
	run --separate-stderr rd head-manifest "$repo:absent"
	[ "$output" = missing ]
}

@test "plain: Docker v2 manifests and an index keep their media types (Accept and Content-Type)" {
	local repo="$REG_PLAIN_HOST/cairn/docker"
	MT=$DOCKER_MANIFEST make_image "$repo"
	rd push-manifest "$repo:v2" "$DOCKER_MANIFEST" manifest.json
	run --separate-stderr rd get-manifest "$repo:v2"
	expect_status 0
	expect_stderr "media-type: $DOCKER_MANIFEST"
	[ "$output" = "$(cat manifest.json)" ]
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","size":%d,"digest":"sha256:%s","platform":{"architecture":"amd64","os":"linux"}}]}' \
		"$DOCKER_LIST" "$DOCKER_MANIFEST" "$(stat -c %s manifest.json)" "$(sha manifest.json)" >list.json
	rd push-manifest "$repo:list" "$DOCKER_LIST" list.json
	run --separate-stderr rd get-manifest "$repo:list"
	expect_status 0
	expect_stderr "media-type: $DOCKER_LIST"
	cmp <(printf '%s' "$output") list.json
}

@test "plain: tags are listed" {
	local repo="$REG_PLAIN_HOST/cairn/tags"
	make_image "$repo"
	for tag in one two three; do
		rd push-manifest "$repo:$tag" "$OCI_MANIFEST" manifest.json >/dev/null
	done
	run --separate-stderr rd tags "$repo"
	expect_status 0
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "one three two " ]
}

@test "plain: a missing manifest, blob and repository are reported by name (404)" {
	run --separate-stderr rd get-manifest "$REG_PLAIN_HOST/cairn/oci:nope"
	expect_status 2
	expect_stderr "manifest nope not found in $REG_PLAIN_HOST/cairn/oci"
	expect_stderr "MANIFEST_UNKNOWN"
	run --separate-stderr rd get-blob "$REG_PLAIN_HOST/cairn/oci" "sha256:$(printf y | sha256sum | cut -d' ' -f1)" out
	expect_status 2
	expect_stderr "not found in $REG_PLAIN_HOST/cairn/oci"
	[ ! -e out ]
	run --separate-stderr rd tags "$REG_PLAIN_HOST/cairn/never-pushed"
	expect_status 2
	expect_stderr "not found in $REG_PLAIN_HOST/cairn/never-pushed"
}

@test "plain: asking for a manifest by a digest it does not have fails" {
	local repo="$REG_PLAIN_HOST/cairn/wrongdigest"
	make_image "$repo"
	rd push-manifest "$repo:v1" "$OCI_MANIFEST" manifest.json
	printf '%s ' "$(cat manifest.json)" >other.json
	run --separate-stderr rd get-manifest "$repo@sha256:$(sha other.json)"
	expect_status 2
	expect_stderr "not found"
	# And the client refuses to push a body under a digest that is not its own.
	run --separate-stderr rd push-manifest "$repo@sha256:$(sha other.json)" "$OCI_MANIFEST" manifest.json
	expect_status 2
	expect_stderr "does not have that digest"
}

@test "plain: invalid references and media types are refused before any request" {
	run --separate-stderr rd get-manifest "$REG_PLAIN_HOST/Cairn/Upper:v1"
	expect_status 2
	expect_stderr "lowercase"
	run --separate-stderr rd push-manifest "$REG_PLAIN_HOST/cairn/x:v1" $'text/plain\r\nX-Evil: 1' /dev/null
	expect_status 2
}

@test "plain: referrers fall back to the sha256-<hex> tag index and filter by artifact type" {
	local repo="$REG_PLAIN_HOST/cairn/referrers"
	make_image "$repo"
	rd push-manifest "$repo:subject" "$OCI_MANIFEST" manifest.json
	local subject
	subject="sha256:$(sha manifest.json)"
	# No referrers yet: an empty index.
	run --separate-stderr rd referrers "$repo@$subject"
	expect_status 0
	expect_stderr "source: tag-schema"
	[ "$(echo "$output" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["manifests"]))')" = 0 ]
	# Two artifacts that refer to the subject, pushed by digest, and the tag-schema index naming them.
	printf '{}' >empty.json
	rd push-blob "$repo" empty.json >/dev/null
	local entries="" type
	for type in application/vnd.dev.sigstore.bundle.v0.3+json application/spdx+json; do
		printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s","config":{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"sha256:%s"},"layers":[{"mediaType":"application/octet-stream","size":%d,"digest":"sha256:%s"}],"subject":{"mediaType":"%s","size":%d,"digest":"%s"}}' \
			"$OCI_MANIFEST" "$type" "$(sha empty.json)" "$(stat -c %s layer.bin)" "$(sha layer.bin)" \
			"$OCI_MANIFEST" "$(stat -c %s manifest.json)" "$subject" >artifact.json
		rd push-manifest "$repo@sha256:$(sha artifact.json)" "$OCI_MANIFEST" artifact.json >/dev/null
		entries="$entries${entries:+,}$(printf '{"mediaType":"%s","size":%d,"digest":"sha256:%s","artifactType":"%s"}' \
			"$OCI_MANIFEST" "$(stat -c %s artifact.json)" "$(sha artifact.json)" "$type")"
	done
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[%s]}' "$OCI_INDEX" "$entries" >index.json
	rd push-manifest "$repo:sha256-$(sha manifest.json)" "$OCI_INDEX" index.json
	run --separate-stderr rd referrers "$repo@$subject"
	expect_status 0
	expect_stderr "source: tag-schema"
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["mediaType"], len(d["manifests"]))')" = "$OCI_INDEX 2" ]
	run --separate-stderr rd referrers "$repo@$subject" --artifact-type application/spdx+json
	expect_status 0
	[ "$(echo "$output" | python3 -c 'import json,sys; print([m["artifactType"] for m in json.load(sys.stdin)["manifests"]])')" = "['application/spdx+json']" ]
}

@test "basic: anonymous access is refused with a clear message" {
	echo data >blob
	run --separate-stderr rd push-blob "$REG_BASIC_HOST/cairn/auth" blob
	expect_status 2
	expect_stderr "authentication required for $REG_BASIC_HOST"
}

@test "basic: the right credentials work from --password-stdin, the environment and a Docker config" {
	local repo="$REG_BASIC_HOST/cairn/auth"
	echo data >blob
	run --separate-stderr rd --username "$REG_USER" --password-stdin push-blob "$repo" blob <<<"$REG_PASS"
	expect_status 0
	[ "$output" = "sha256:$(sha blob)" ]
	CAIRN_REGISTRY_USERNAME=$REG_USER CAIRN_REGISTRY_PASSWORD=$REG_PASS rd get-blob "$repo" "sha256:$(sha blob)" out
	cmp blob out
	printf '{"auths":{"https://index.docker.io/v1/":{"auth":"%s"},"%s":{"auth":"%s"}}}' \
		"$(printf 'x:y' | base64 -w0)" "$REG_BASIC_HOST" "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" >config.json
	rd --docker-config config.json get-blob "$repo" "sha256:$(sha blob)" out2
	cmp blob out2
	mkdir dockerdir && cp config.json dockerdir/config.json
	DOCKER_CONFIG=$PWD/dockerdir rd blob-exists "$repo" "sha256:$(sha blob)"
}

@test "basic: wrong credentials are rejected, and never printed" {
	echo data >blob
	run --separate-stderr rd --username "$REG_USER" --password-stdin push-blob "$REG_BASIC_HOST/cairn/auth" blob <<<"wrong-password-123"
	expect_status 2
	expect_stderr "credentials rejected for $REG_BASIC_HOST"
	[[ "$stderr" != *wrong-password-123* ]]
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG_BASIC_HOST" "$(printf 'cairn-user:nope' | base64 -w0)" >config.json
	run --separate-stderr rd --docker-config config.json get-manifest "$REG_BASIC_HOST/cairn/auth:v1"
	expect_status 2
	expect_stderr "credentials rejected"
	printf '{"auths":{"%s":{"auth":"%%%%%%"}}}' "$REG_BASIC_HOST" >bad.json
	run --separate-stderr rd --docker-config bad.json get-manifest "$REG_BASIC_HOST/cairn/auth:v1"
	expect_status 2
	expect_stderr "not valid base64"
}

@test "tls: without --ca-file the certificate is not trusted; with it everything works" {
	local repo="$REG_TLS_HOST/cairn/tls"
	echo data >blob
	run --separate-stderr rd push-blob "$repo" blob
	expect_status 3
	expect_stderr "TLS certificate not trusted"
	expect_stderr "--ca-file"
	MT=$OCI_MANIFEST make_image "$repo" --ca-file "$REG_CA"
	rd --ca-file "$REG_CA" push-manifest "$repo:v1" "$OCI_MANIFEST" manifest.json
	run --separate-stderr rd --ca-file "$REG_CA" get-manifest "$repo:v1"
	expect_status 0
	[ "$output" = "$(cat manifest.json)" ]
	rd --ca-file "$REG_CA" get-blob "$repo" "sha256:$(sha layer.bin)" out
	cmp layer.bin out
	head -c $((2 * 1024 * 1024)) /dev/urandom >big
	rd --ca-file "$REG_CA" push-blob --chunk-size 500000 "$repo" big
	rd --ca-file "$REG_CA" get-blob "$repo" "sha256:$(sha big)" out
	cmp big out
}

@test "stub: 429 with Retry-After is waited for and retried" {
	stub_start retry
	local start=$SECONDS
	run --separate-stderr rd get-manifest "$STUB_HOST/r:once429"
	expect_status 0
	[ $((SECONDS - start)) -ge 1 ]
	[ "$(grep -c 'GET /v2/r/manifests/once429' "$STUB_LOG")" = 2 ]
}

@test "stub: 503 is retried a bounded number of times, then reported" {
	stub_start retry
	run --separate-stderr rd --max-retries 2 get-manifest "$STUB_HOST/r:always503"
	expect_status 3
	expect_stderr "HTTP 503"
	[ "$(grep -c 'GET /v2/r/manifests/always503' "$STUB_LOG")" = 3 ]
}

@test "stub: a manifest or blob that does not match its digest is refused" {
	stub_start retry
	run --separate-stderr rd get-manifest "$STUB_HOST/r:baddigest"
	expect_status 1
	expect_stderr "does not match the Docker-Content-Digest"
	local wanted
	wanted="sha256:$(printf other | sha256sum | cut -d' ' -f1)"
	run --separate-stderr rd get-manifest "$STUB_HOST/r@$wanted"
	expect_status 1
	expect_stderr "does not match the digest asked for"
	run --separate-stderr rd get-blob "$STUB_HOST/r" "$wanted" out
	expect_status 1
	expect_stderr "blob $wanted from $STUB_HOST/r: its content does not match its digest"
	[ ! -e out ]
}

@test "stub: a manifest over the size limit is refused" {
	stub_start retry
	run --separate-stderr rd get-manifest "$STUB_HOST/r:huge"
	expect_status 2
	expect_stderr "manifest huge in $STUB_HOST/r"
	expect_stderr "larger than 4194304 bytes"
}

@test "stub: plain HTTP to a non-loopback registry only when it is named insecure" {
	# A registry that is not on loopback needs an address of its own. The test makes one that cannot
	# leak: a private network namespace whose loopback interface also carries 192.0.2.10 (TEST-NET-1),
	# with the stub and every cairn run inside it.
	local dir="$BATS_TEST_TMPDIR"
	stub_write "$dir/stub.py"
	cat >"$dir/inside.sh" <<'SH'
set -u
dir=$1 lifetime=$2
ip link set lo up && ip addr add 192.0.2.10/32 dev lo || exit 90
python3 "$dir/stub.py" retry "$dir/stub.port" "$dir/stub.log" "$lifetime" 192.0.2.10 >"$dir/stub.out" 2>&1 &
stub=$!
for _ in $(seq 1 100); do [ -s "$dir/stub.port" ] && break; sleep 0.1; done
host="192.0.2.10:$(cat "$dir/stub.port")"
cairn registry-debug get-manifest "$host/r:once429" >/dev/null 2>"$dir/plain.err"; echo "plain $?"
echo "gets-before-insecure $(cat "$dir/stub.log" 2>/dev/null | grep -c 'GET /v2/')"
cairn registry-debug --insecure-registry "$host" get-manifest "$host/r:once429" >/dev/null 2>&1; echo "by-host $?"
cairn registry-debug --insecure-registry 192.0.2.10 get-manifest "$host/r:once429" >/dev/null 2>&1; echo "by-address $?"
kill "$stub"
SH
	run --separate-stderr unshare -n bash "$dir/inside.sh" "$dir" "$STUB_LIFETIME"
	expect_status 0
	[[ "$output" == *"plain 3"* ]]
	[[ "$output" == *"gets-before-insecure 0"* ]]
	[[ "$output" == *"by-host 0"* ]]
	[[ "$output" == *"by-address 0"* ]]
}

@test "plain: progress shows on a terminal and not when piped" {
	head -c $((3 * 1024 * 1024)) /dev/urandom >big
	rd push-blob "$REG_PLAIN_HOST/cairn/progress" big >/dev/null
	run --separate-stderr rd --progress get-blob "$REG_PLAIN_HOST/cairn/progress" "sha256:$(sha big)" out
	expect_status 0
	[ -z "$stderr" ]
	rm -f out
	script -qec "cairn registry-debug --progress get-blob $REG_PLAIN_HOST/cairn/progress sha256:$(sha big) out" /dev/null >tty.log
	cmp big out
	grep -q 'MiB' tty.log
}

@test "stub: tag lists follow Link pagination" {
	stub_start retry
	run --separate-stderr rd tags "$STUB_HOST/r"
	expect_status 0
	[ "$(echo "$output" | tr '\n' ' ')" = "a b c " ]
}

@test "stub: Bearer tokens come from the realm with Basic credentials, and never follow a redirect" {
	stub_start bearer
	run --separate-stderr rd --username alice --password-stdin get-manifest "$STUB_HOST/r:v1" <<<"s3cret"
	expect_status 0
	grep -q 'token-request /token?service=stub%20registry&scope=repository%3Ar%3Apull' "$STUB_LOG"
	run --separate-stderr rd --username alice --password-stdin get-blob "$STUB_HOST/r" \
		"sha256:$(printf blob-bytes | sha256sum | cut -d' ' -f1)" out <<<"s3cret"
	expect_status 0
	[ "$(cat out)" = blob-bytes ]
	grep -q 'main GET /v2/r/blobs/.* auth=Bearer' "$STUB_LOG"
	grep 'blobstore GET /blob' "$STUB_LOG"
	[ "$(grep -c 'blobstore GET /blob auth=' "$STUB_LOG")" = 0 ]
	run --separate-stderr rd --username alice --password-stdin get-manifest "$STUB_HOST/r:v1" <<<"wrong"
	expect_status 2
	expect_stderr "credentials rejected for $STUB_HOST"
	run --separate-stderr rd get-manifest "$STUB_HOST/r:v1"
	expect_status 2
	expect_stderr "anonymous access denied"
}
