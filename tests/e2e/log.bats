#!/usr/bin/env bats
# cairn log: the transparency log server on loopback, fed hashedrekord entries signed by openssl and
# posted with curl; its proofs checked by cairn log get/info/monitor, its tiles by an independent
# python3 RFC 6962 computation; rollbacks and forks raised by the monitor; restarts keep everything.

load helpers

SERVER_PIDS=()

teardown() {
	# Only the servers this test started, by PID.
	for pid in "${SERVER_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	cd / && rm -rf "$TMP"
}

# A P-256 key pair made by openssl: prefix.key, prefix.pub.
make_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
	openssl pkey -in "$1.key" -pubout -out "$1.pub"
}

# Starts `cairn log serve` on DB $1 with extra arguments; sets PORT and URL, appends to SERVER_PIDS.
start_server() {
	local db=$1
	shift
	rm -f port
	local origin=(--origin "${ORIGIN-test-log}")
	[ -n "${ORIGIN-test-log}" ] || origin=()
	cairn log serve --db "$db" --key log.key --addr 127.0.0.1:0 "${origin[@]}" --port-file port "$@" \
		>"$db.out" 2>"$db.err" &
	local pid=$!
	SERVER_PIDS+=("$pid")
	LAST_PID=$pid
	for _ in $(seq 1 200); do
		[ -s port ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$db.err" >&2; return 1; }
		sleep 0.05
	done
	[ -s port ] || { echo "server did not start" >&2; cat "$db.err" >&2; return 1; }
	PORT=$(cat port)
	URL="http://127.0.0.1:$PORT"
}

# Stops the server with PID $1 by SIGTERM and checks it exited cleanly (sanitizers included).
stop_server() {
	kill -TERM "$1"
	local rc=0
	wait "$1" || rc=$?
	[ "$rc" -eq 0 ] || { echo "server exited with $rc" >&2; return 1; }
}

# Writes to $2 a hashedrekord 0.0.1 proposed entry for file $1, signed with openssl by signer.key.
make_entry() {
	openssl dgst -sha256 -sign signer.key -out "$1.sig" "$1"
	local hash
	hash=$(sha256sum "$1" | cut -d' ' -f1)
	printf '{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"signature":{"content":"%s","publicKey":{"content":"%s"}},"data":{"hash":{"algorithm":"sha256","value":"%s"}}}}' \
		"$(base64 -w0 "$1.sig")" "$(base64 -w0 signer.pub)" "$hash" >"$2"
}

# POSTs file $1 to path $2; prints the status code; the body goes to resp.json, headers to resp.hdr.
post() {
	curl -sS -o resp.json -D resp.hdr -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$1" "$URL$2"
}

# GETs path $1 (extra curl arguments after it); prints the status code; the body goes to resp.json.
get() {
	local path=$1
	shift
	curl -sS -o resp.json -D resp.hdr -w '%{http_code}' "$@" "$URL$path"
}

# Appends $1 new random artifacts (named with prefix $2) and checks each is created.
append() {
	for i in $(seq 1 "$1"); do
		head -c 64 /dev/urandom >"$2$i"
		make_entry "$2$i" "$2$i.json"
		code=$(post "$2$i.json" /api/v1/log/entries)
		[ "$code" = 201 ] || { echo "POST $2$i: $code $(cat resp.json)" >&2; return 1; }
	done
}

header() {
	grep -i "^$1:" resp.hdr | head -1 | cut -d' ' -f2- | tr -d '\r'
}

tree_size() {
	get /api/v1/log >/dev/null
	python3 -c 'import json,sys; print(json.load(open("resp.json"))["treeSize"])'
}

@test "entries: 201 with the entry and its location, 409 for a duplicate, 4xx for bad requests" {
	make_key log
	make_key signer
	start_server log.db
	echo "first artifact" >a1
	make_entry a1 e1.json
	run post e1.json /api/v1/log/entries
	[ "$output" = 201 ] || { cat resp.json; false; }
	location=$(header Location)
	# The UUID is the RFC 6962 leaf hash of the body, computed here without cairn.
	uuid=$(python3 - <<-'EOF'
		import base64, hashlib, json
		doc = json.load(open("resp.json"))
		(key, entry), = doc.items()
		body = base64.b64decode(entry["body"])
		assert hashlib.sha256(b"\0" + body).hexdigest() == key, key
		assert entry["logIndex"] == 0
		assert json.loads(body)["kind"] == "hashedrekord"
		proof = entry["verification"]["inclusionProof"]
		assert proof["treeSize"] >= 1 and proof["checkpoint"].startswith("test-log\n")
		assert entry["verification"]["signedEntryTimestamp"]
		print(key)
	EOF
	)
	[ "$location" = "/api/v1/log/entries/$uuid" ]

	run post e1.json /api/v1/log/entries
	[ "$output" = 409 ]
	[ "$(header Location)" = "/api/v1/log/entries/$uuid" ]
	grep -q '"code": *409' resp.json

	# A signature over another artifact: refused, with a message.
	echo "other" >a2
	make_entry a2 e2.json
	python3 - <<-'EOF'
		import json
		a, b = json.load(open("e1.json")), json.load(open("e2.json"))
		a["spec"]["signature"]["content"] = b["spec"]["signature"]["content"]
		json.dump(a, open("bad-sig.json", "w"))
	EOF
	run post bad-sig.json /api/v1/log/entries
	[ "$output" = 400 ] || { cat resp.json; false; }
	python3 -c 'import json; d = json.load(open("resp.json")); assert d["code"] == 400 and d["message"], d'
	printf '{"kind":"hashedrekord"' >truncated.json
	run post truncated.json /api/v1/log/entries
	[ "$output" = 400 ]
	printf '{"apiVersion":"0.0.1","kind":"rpm","spec":{}}' >wrong-kind.json
	run post wrong-kind.json /api/v1/log/entries
	[ "$output" = 400 ]
	head -c 2000000 /dev/zero | tr '\0' ' ' >huge.json
	run post huge.json /api/v1/log/entries
	[ "$output" = 413 ] || { cat resp.json; false; }
	# Without a Content-Length the body is counted as it arrives.
	code=$(curl -sS -o resp.json -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @huge.json \
		"$URL/api/v1/log/entries")
	[ "$code" = 413 ]

	run get /nothing/here
	[ "$output" = 404 ]
	run get /api/v1/log -X DELETE
	[ "$output" = 405 ]
	[ -n "$(header Allow)" ]
	run post e1.json /api/v1/log
	[ "$output" = 405 ]
	for query in "lastSize=999" "firstSize=-1&lastSize=1" "lastSize=abc" "firstSize=2&lastSize=1" \
		"lastSize=99999999999999999999999999" "firstSize=0&lastSize=1" ""; do
		run get "/api/v1/log/proof?$query"
		[ "$output" = 400 ] || { echo "proof?$query: $output $(cat resp.json)"; false; }
		python3 -c 'import json; d = json.load(open("resp.json")); assert d["code"] == 400 and d["message"]'
	done
	run get "/api/v1/log/entries?logIndex=5"
	[ "$output" = 404 ]
	run get "/api/v1/log/entries?logIndex=x"
	[ "$output" = 400 ]
	# None of that changed the log.
	[ "$(tree_size)" = 1 ]
	stop_server "$LAST_PID"
}

@test "get, info and retrieve: proofs verified by cairn log get, entries found by index, UUID and content" {
	make_key log
	make_key signer
	start_server log.db
	append 3 art
	run --separate-stderr cairn log get "$URL" --index 1 --public-key log.pub
	expect_status 0
	[[ "$output" == *"log index:       1"* ]]
	[[ "$output" == *"inclusion proof: verified in the tree of size 3"* ]]
	[[ "$output" == *"entry timestamp: signature verified"* ]]
	uuid=$(echo "$output" | awk '/^uuid:/ {print $2}')
	run --separate-stderr cairn log get "$URL" --uuid "$uuid" -o json
	expect_status 0
	echo "$output" | python3 -c "import json,sys; d = json.load(sys.stdin); assert list(d) == ['$uuid']"
	run --separate-stderr cairn log info "$URL" --public-key log.pub
	expect_status 0
	[[ "$output" == *"origin:     test-log"* ]]
	[[ "$output" == *"tree size:  3"* ]]
	[[ "$output" == *"signature verified"* ]]

	# Another key: the checkpoint is not the log's.
	make_key other
	run --separate-stderr cairn log info "$URL" --public-key other.pub
	expect_status 1
	run --separate-stderr cairn log get "$URL" --index 0 --public-key other.pub
	expect_status 1
	run --separate-stderr cairn log get "$URL" --index 7
	expect_status 2
	run --separate-stderr cairn log get "$URL"
	expect_status 2

	printf '{"logIndexes":[0,2,50],"entryUUIDs":["%s"]}' "$uuid" >query.json
	run post query.json /api/v1/log/entries/retrieve
	[ "$output" = 200 ]
	python3 -c 'import json; d = json.load(open("resp.json")); assert len(d) == 3, d; assert sorted(list(e.values())[0]["logIndex"] for e in d) == [0, 1, 2]'
	# A proposed entry is found by its canonical form.
	printf '{"entries":[%s]}' "$(cat art2.json)" >query.json
	run post query.json /api/v1/log/entries/retrieve
	[ "$output" = 200 ]
	python3 -c 'import json; d = json.load(open("resp.json")); assert [list(e.values())[0]["logIndex"] for e in d] == [1], d'
	printf '{"logIndexes":[0,1,2,3,4,5,6,7,8,9,10]}' >query.json
	run post query.json /api/v1/log/entries/retrieve
	[ "$output" = 400 ]

	run get /api/v1/log/publicKey
	[ "$output" = 200 ]
	# The served key is the log's: the same DER as openssl derives from the private key.
	[ "$(openssl pkey -pubin -in resp.json -outform DER | sha256sum)" = "$(openssl pkey -in log.key -pubout -outform DER | sha256sum)" ]
	stop_server "$LAST_PID"
}

@test "tiles: the root recomputed from level-0 tiles and entry bundles by python equals the checkpoint's" {
	make_key log
	make_key signer
	start_server log.db
	append 5 art
	run get /checkpoint
	[ "$output" = 200 ]
	[ "$(header Cache-Control)" = "no-cache" ]
	cp resp.json checkpoint
	size=$(sed -n 2p checkpoint)
	[ "$size" = 5 ]
	run get "/tile/0/000.p/$size"
	[ "$output" = 200 ]
	[[ "$(header Cache-Control)" != *immutable* ]]
	cp resp.json tile
	run get "/tile/entries/000.p/$size"
	[ "$output" = 200 ]
	cp resp.json bundle
	python3 - "$size" <<-'EOF'
		import base64, hashlib, sys
		size = int(sys.argv[1])
		lines = open("checkpoint").read().split("\n")
		root = base64.b64decode(lines[2])
		tile = open("tile", "rb").read()
		assert len(tile) == 32 * size
		leaves = [tile[32 * i:32 * i + 32] for i in range(size)]
		# Entry bundle: big-endian uint16 length, then the entry; each entry's leaf hash is in the tile.
		data, pos, n = open("bundle", "rb").read(), 0, 0
		while pos < len(data):
		    length = int.from_bytes(data[pos:pos + 2], "big")
		    entry = data[pos + 2:pos + 2 + length]
		    assert hashlib.sha256(b"\0" + entry).digest() == leaves[n], n
		    pos, n = pos + 2 + length, n + 1
		assert n == size
		def mth(hashes):
		    if len(hashes) == 1:
		        return hashes[0]
		    k = 1
		    while k * 2 < len(hashes):
		        k *= 2
		    return hashlib.sha256(b"\1" + mth(hashes[:k]) + mth(hashes[k:])).digest()
		assert mth(leaves) == root, "root from tiles differs from the checkpoint"
	EOF
	run get /tile/0/000
	[ "$output" = 404 ]
	run get "/tile/0/000.p/$((size + 1))"
	[ "$output" = 404 ]
	run get /tile/0/001.p/1
	[ "$output" = 404 ]
	run get /tile/../etc/passwd --path-as-is
	[ "$output" = 404 ]
	stop_server "$LAST_PID"
}

@test "monitor: the state advances across appends; a rollback and a fork raise an ALARM" {
	make_key log
	make_key signer
	start_server a.db
	pid_a=$LAST_PID
	url_a=$URL
	append 2 a
	run --separate-stderr cairn log monitor "$url_a" --state state --public-key log.pub --once
	expect_status 0
	[[ "$output" == *"size 2"*"first checkpoint"* ]]
	[ "$(sed -n 2p state)" = 2 ]
	append 3 b
	run --separate-stderr cairn log monitor "$url_a" --state state --public-key log.pub --once
	expect_status 0
	[[ "$output" == *"size 5"*"consistent"* ]]
	[ "$(sed -n 2p state)" = 5 ]
	run --separate-stderr cairn log monitor "$url_a" --state state --public-key log.pub --once
	expect_status 0
	[[ "$output" == *"unchanged"* ]]
	cp state state.good

	# Another log with the same key and name, and other entries: first smaller (a rollback) ...
	start_server b.db
	append 1 c
	run --separate-stderr cairn log monitor "$URL" --state state --public-key log.pub --once
	expect_status 1
	expect_stderr "ALARM"
	expect_stderr "rollback"
	cmp state state.good
	# ... then of the same size with another root, then larger but not an extension (forks).
	append 4 d
	run --separate-stderr cairn log monitor "$URL" --state state --public-key log.pub --once
	expect_status 1
	expect_stderr "ALARM"
	expect_stderr "fork"
	append 1 e
	run --separate-stderr cairn log monitor "$URL" --state state --public-key log.pub --once
	expect_status 1
	expect_stderr "ALARM: fork"
	cmp state state.good
	# A checkpoint signed by another key is an alarm too.
	make_key other
	run --separate-stderr cairn log monitor "$url_a" --state state2 --public-key other.pub --once
	expect_status 1
	expect_stderr "ALARM"
	stop_server "$pid_a"
}

@test "restart: a stopped server comes back on the same database with every entry and the same root" {
	make_key log
	make_key signer
	start_server log.db
	append 4 art
	get /api/v1/log >/dev/null
	cp resp.json info.before
	stop_server "$LAST_PID"
	start_server log.db
	get /api/v1/log >/dev/null
	python3 - <<-'EOF'
		import json
		a, b = json.load(open("info.before")), json.load(open("resp.json"))
		assert (a["treeSize"], a["rootHash"]) == (b["treeSize"], b["rootHash"]), (a, b)
	EOF
	for i in 0 1 2 3; do
		run --separate-stderr cairn log get "$URL" --index "$i" --public-key log.pub
		expect_status 0
	done
	run post art2.json /api/v1/log/entries
	[ "$output" = 409 ]
	append 1 more
	[ "$(tree_size)" = 5 ]
	stop_server "$LAST_PID"
}

@test "TLS: the server speaks https with the given certificate" {
	make_key log
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.crt \
		-days 1 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
	start_server log.db --tls-cert tls.crt --tls-key tls.key
	code=$(curl -sS -o resp.json -w '%{http_code}' --cacert tls.crt "https://127.0.0.1:$PORT/api/v1/log")
	[ "$code" = 200 ]
	run --separate-stderr cairn log info "https://127.0.0.1:$PORT" --ca-file tls.crt --public-key log.pub
	expect_status 0
	# Without the CA the certificate is not trusted: no fallback to anything weaker.
	run --separate-stderr cairn log info "https://127.0.0.1:$PORT"
	expect_status 3
	stop_server "$LAST_PID"
}

@test "trusted-root: names the log by its key's SHA-256, and adds to an existing root" {
	make_key log
	run --separate-stderr cairn log trusted-root --public-key log.pub --url http://127.0.0.1:3000 --start 2025-01-02T03:04:05Z
	expect_status 0
	echo "$output" >root.json
	want=$(openssl pkey -pubin -in log.pub -outform DER | openssl dgst -sha256 -binary | base64 -w0)
	raw=$(openssl pkey -pubin -in log.pub -outform DER | base64 -w0)
	python3 - "$want" "$raw" <<-'EOF'
		import json, sys
		root = json.load(open("root.json"))
		assert root["mediaType"] == "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
		(log,) = root["tlogs"]
		assert log["baseUrl"] == "http://127.0.0.1:3000"
		assert log["hashAlgorithm"] == "SHA2_256"
		assert log["logId"]["keyId"] == sys.argv[1]
		assert log["publicKey"]["rawBytes"] == sys.argv[2]
		assert log["publicKey"]["keyDetails"] == "PKIX_ECDSA_P256_SHA_256"
		assert log["publicKey"]["validFor"]["start"] == "2025-01-02T03:04:05Z"
	EOF
	corpus_root="$(corpus)/sigstore/trusted_root.public-good.json"
	run --separate-stderr cairn log trusted-root --public-key log.pub --url https://log.example --add-to "$corpus_root" \
		--start 2025-01-02T03:04:05Z
	expect_status 0
	echo "$output" >merged.json
	python3 - "$corpus_root" "$want" <<-'EOF'
		import json, sys
		before, after = json.load(open(sys.argv[1])), json.load(open("merged.json"))
		assert len(after["tlogs"]) == len(before["tlogs"]) + 1
		assert after["tlogs"][-1]["logId"]["keyId"] == sys.argv[2]
		assert after["certificateAuthorities"] == before["certificateAuthorities"]
	EOF
	run --separate-stderr cairn log trusted-root --public-key log.pub --url https://log.example --start yesterday
	expect_status 2
}

@test "a bundle made from a served entry verifies with verify-blob and the log's trusted root" {
	make_key log
	make_key signer
	ORIGIN= start_server log.db
	echo "release artifact" >artifact
	make_entry artifact entry.json
	run post entry.json /api/v1/log/entries
	[ "$output" = 201 ]
	cp resp.json logentry.json
	sleep 1 # a root valid only from "now" would disown the entry
	cairn log trusted-root --public-key log.pub --url "$URL" >root.json
	python3 - <<-'EOF'
		import datetime, json
		(e,) = json.load(open("logentry.json")).values()
		start = json.load(open("root.json"))["tlogs"][0]["publicKey"]["validFor"]["start"]
		t = datetime.datetime.fromtimestamp(e["integratedTime"], datetime.timezone.utc)
		assert start == t.strftime("%Y-%m-%dT%H:%M:%SZ"), (start, t)
	EOF
	# The Sigstore bundle v0.3 a client would write, assembled here from the log's answer alone.
	python3 - <<-'EOF'
		import base64, hashlib, json
		(uuid, e), = json.load(open("logentry.json")).items()
		p = e["verification"]["inclusionProof"]
		b64 = lambda raw: base64.b64encode(raw).decode()
		body = json.loads(base64.b64decode(e["body"]))
		bundle = {
		    "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
		    "verificationMaterial": {
		        "publicKey": {"hint": ""},
		        "tlogEntries": [{
		            "logIndex": str(e["logIndex"]),
		            "logId": {"keyId": b64(bytes.fromhex(e["logID"]))},
		            "kindVersion": {"kind": body["kind"], "version": body["apiVersion"]},
		            "integratedTime": str(e["integratedTime"]),
		            "inclusionPromise": {"signedEntryTimestamp": e["verification"]["signedEntryTimestamp"]},
		            "inclusionProof": {
		                "logIndex": str(p["logIndex"]), "rootHash": b64(bytes.fromhex(p["rootHash"])),
		                "treeSize": str(p["treeSize"]), "hashes": [b64(bytes.fromhex(h)) for h in p["hashes"]],
		                "checkpoint": {"envelope": p["checkpoint"]},
		            },
		            "canonicalizedBody": e["body"],
		        }],
		    },
		    "messageSignature": {
		        "messageDigest": {"algorithm": "SHA2_256",
		                          "digest": b64(hashlib.sha256(open("artifact", "rb").read()).digest())},
		        "signature": b64(open("artifact.sig", "rb").read()),
		    },
		}
		json.dump(bundle, open("bundle.json", "w"))
	EOF
	run --separate-stderr cairn verify-blob --bundle bundle.json --key signer.pub --trusted-root root.json artifact
	expect_status 0
	expect_stderr "Verified OK"
	# The same bundle against a root naming another key for the log: refused.
	make_key other
	cairn log trusted-root --public-key other.pub --url "$URL" >other-root.json
	run --separate-stderr cairn verify-blob --bundle bundle.json --key signer.pub --trusted-root other-root.json artifact
	expect_status 1
	stop_server "$LAST_PID"
}

@test "usage: missing options and non-loopback plain http are refused" {
	run --separate-stderr cairn log
	expect_status 2
	run --separate-stderr cairn log serve --db x.db
	expect_status 2
	run --separate-stderr cairn log info http://example.com
	expect_status 2
	expect_stderr "only https"
	run --separate-stderr cairn log monitor http://127.0.0.1:1 --state s
	expect_status 2
	run --separate-stderr cairn log frobnicate
	expect_status 2
	run --separate-stderr cairn log serve --db x.db --key nothere.key --addr 127.0.0.1:0
	expect_status 2
}
