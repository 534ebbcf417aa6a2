#!/usr/bin/env bats
# The transparency log with Sigstore clients: `cairn sign-blob --rekor-url` records signatures in a
# `cairn log serve` on loopback and writes bundles that `cairn verify-blob` and sigstore-js's
# @sigstore/verify both verify given the trusted root `cairn log trusted-root` prints; tampering with
# the artifact, the signed entry timestamp or the inclusion proof fails. sigstore-js's own signing
# path (@sigstore/sign, with @sigstore/mock's Fulcio as the CA) uploads to the same log.
#
# sigstore-js is pinned in tests/e2e/sigstore-js/package.json and installed into build/sigstore-js.

load helpers

SERVER_PIDS=()

setup_file() {
	local here
	here="$(cd "$BATS_TEST_DIRNAME" && pwd)"
	export CAIRN_SIGSTORE_JS
	CAIRN_SIGSTORE_JS="$("$here/sigstore-js/install.sh")" || return 1
	export VERIFY_JS="$here/sigstore-js/verify.js" SIGN_JS="$here/sigstore-js/sign.js"
}

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

# Starts `cairn log serve` with log.key on a free port (its default origin, HOST:PORT, is what
# verifiers derive from the trusted root's baseUrl); sets URL and SERVER_PID.
start_log() {
	rm -f port
	cairn log serve --db log.db --key log.key --addr 127.0.0.1:0 --port-file port >log.out 2>log.err &
	SERVER_PID=$!
	SERVER_PIDS+=("$SERVER_PID")
	for _ in $(seq 1 200); do
		[ -s port ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || { cat log.err >&2; return 1; }
		sleep 0.05
	done
	[ -s port ] || { echo "the log did not start" >&2; cat log.err >&2; return 1; }
	URL="http://127.0.0.1:$(cat port)"
}

# Stops the log by SIGTERM and checks it exited cleanly (sanitizers included).
stop_log() {
	kill -TERM "$SERVER_PID"
	local rc=0
	wait "$SERVER_PID" || rc=$?
	[ "$rc" -eq 0 ] || { echo "the log exited with $rc" >&2; return 1; }
}

statement_for() {
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"https://example.com/test/v1","predicate":{}}\n' \
		"$1" "$(sha256sum "$1" | cut -d' ' -f1)" >"$2"
}

# Edits bundle $1 into $2 with the python expression $3 applied to e, its first tlog entry.
tamper() {
	python3 - "$1" "$2" "$3" <<-'EOF'
		import base64, json, sys
		b = json.load(open(sys.argv[1]))
		e = b["verificationMaterial"]["tlogEntries"][0]
		def flip(s):
		    raw = bytearray(base64.b64decode(s)); raw[len(raw) // 2] ^= 1
		    return base64.b64encode(bytes(raw)).decode()
		exec(sys.argv[3])
		json.dump(b, open(sys.argv[2], "w"))
	EOF
}

sigstore_js() {
	run --separate-stderr timeout 120 node "$VERIFY_JS" "$@"
}

@test "sign-blob --rekor-url: the bundle carries a verified entry; cairn verify-blob accepts it and refuses tampering" {
	make_key log
	make_key signer
	start_log
	head -c 5000 /dev/urandom >artifact
	run --separate-stderr cairn sign-blob --key signer.key --bundle b.json --rekor-url "$URL" --rekor-public-key log.pub artifact
	expect_status 0
	expect_stderr "Logged in $URL at index 0"
	# What the bundle holds, against the log's own record of the entry (by index, independently).
	cairn log get "$URL" --index 0 --public-key log.pub -o json >entry.json
	python3 - <<-'EOF'
		import base64, hashlib, json
		b = json.load(open("b.json"))
		assert b["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
		(e,) = b["verificationMaterial"]["tlogEntries"]
		(uuid, log), = json.load(open("entry.json")).items()
		body = base64.b64decode(e["canonicalizedBody"])
		assert hashlib.sha256(b"\0" + body).hexdigest() == uuid
		assert e["canonicalizedBody"] == log["body"]
		assert e["logIndex"] == "0" and e["integratedTime"] == str(log["integratedTime"])
		assert e["kindVersion"] == {"kind": "hashedrekord", "version": "0.0.1"}
		assert base64.b64decode(e["logId"]["keyId"]).hex() == log["logID"]
		# the signed entry timestamp's payload, rebuilt here as RFC 8785 JSON, for openssl to check below
		payload = {"body": e["canonicalizedBody"], "integratedTime": int(e["integratedTime"]),
		           "logID": log["logID"], "logIndex": int(e["logIndex"])}
		open("set.payload", "w").write(json.dumps(payload, sort_keys=True, separators=(",", ":")))
		open("set.sig", "wb").write(base64.b64decode(e["inclusionPromise"]["signedEntryTimestamp"]))
		p = e["inclusionProof"]
		assert p["checkpoint"]["envelope"].startswith(log["verification"]["inclusionProof"]["checkpoint"].split("\n")[0])
		# the body records this signature and this artifact's digest
		spec = json.loads(body)["spec"]
		assert spec["signature"]["content"] == b["messageSignature"]["signature"]
		assert spec["data"]["hash"]["value"] == hashlib.sha256(open("artifact", "rb").read()).hexdigest()
	EOF
	openssl dgst -sha256 -verify log.pub -signature set.sig set.payload
	openssl pkey -pubin -in log.pub -outform DER | sha256sum | cut -d' ' -f1 >logid.hex
	python3 -c 'import json; (u, e), = json.load(open("entry.json")).items(); assert e["logID"] == open("logid.hex").read().strip()'

	cairn log trusted-root --public-key log.pub --url "$URL" >root.json
	run --separate-stderr cairn verify-blob --bundle b.json --key signer.pub --trusted-root root.json artifact
	expect_status 0
	expect_stderr "Verified OK"

	{ cat artifact; echo x; } >tampered
	run --separate-stderr cairn verify-blob --bundle b.json --key signer.pub --trusted-root root.json tampered
	expect_status 1
	tamper b.json bad-set.json 'e["inclusionPromise"]["signedEntryTimestamp"] = flip(e["inclusionPromise"]["signedEntryTimestamp"])'
	run --separate-stderr cairn verify-blob --bundle bad-set.json --key signer.pub --trusted-root root.json artifact
	expect_status 1
	expect_stderr "signed entry timestamp"
	tamper b.json bad-proof.json 'e["inclusionProof"]["rootHash"] = flip(e["inclusionProof"]["rootHash"])'
	run --separate-stderr cairn verify-blob --bundle bad-proof.json --key signer.pub --trusted-root root.json artifact
	expect_status 1
	# A second entry, so that the first one's proof has a hash to break.
	run --separate-stderr cairn sign-blob --key signer.key --bundle b2.json --rekor-url "$URL" artifact
	expect_status 0
	expect_stderr "at index 1"
	tamper b2.json bad-hash.json 'p = e["inclusionProof"]; p["hashes"] = [flip(h) for h in p["hashes"]]; assert p["hashes"]'
	run --separate-stderr cairn verify-blob --bundle bad-hash.json --key signer.pub --trusted-root root.json artifact
	expect_status 1
	run --separate-stderr cairn verify-blob --bundle b2.json --key signer.pub --trusted-root root.json artifact
	expect_status 0
	# Another log key in the trusted root: the entry is not that log's.
	make_key other
	cairn log trusted-root --public-key other.pub --url "$URL" >other-root.json
	run --separate-stderr cairn verify-blob --bundle b.json --key signer.pub --trusted-root other-root.json artifact
	expect_status 1
	stop_log
}

@test "sign-blob --rekor-url --in-toto: a dsse entry; a repeated upload (409) reuses the entry; the key can be fetched" {
	make_key log
	start_log
	CAIRN_PASSWORD= cairn keygen --type ed25519 --output-key-prefix ed 2>/dev/null
	echo "the artifact" >artifact
	statement_for artifact statement.json
	# Ed25519 signatures are deterministic: signing twice proposes the same entry.
	run --separate-stderr cairn sign-blob --key ed.key --bundle d1.json --in-toto --rekor-url "$URL" statement.json
	expect_status 0
	expect_stderr "Logged in"
	expect_stderr "WARNING"
	run --separate-stderr cairn sign-blob --key ed.key --bundle d2.json --in-toto --rekor-url "$URL" --rekor-public-key log.pub statement.json
	expect_status 0
	expect_stderr "Already in the log $URL at index 0"
	python3 - <<-'EOF'
		import base64, json
		a, b = (json.load(open(f))["verificationMaterial"]["tlogEntries"][0] for f in ("d1.json", "d2.json"))
		assert a["kindVersion"] == {"kind": "dsse", "version": "0.0.1"}, a
		assert a["logIndex"] == b["logIndex"] == "0" and a["canonicalizedBody"] == b["canonicalizedBody"]
	EOF
	cairn log trusted-root --public-key log.pub --url "$URL" >root.json
	run --separate-stderr cairn verify-blob --bundle d2.json --key ed.pub --trusted-root root.json artifact
	expect_status 0
	echo other >other
	run --separate-stderr cairn verify-blob --bundle d2.json --key ed.pub --trusted-root root.json other
	expect_status 1

	# Refusals: an Ed25519 message signature (hashedrekord needs a digest signature), a wrong pinned
	# log key (the answer does not verify: nothing is written), no log there, plain http elsewhere.
	run --separate-stderr cairn sign-blob --key ed.key --bundle m.json --rekor-url "$URL" artifact
	expect_status 2
	make_key other
	make_key signer
	run --separate-stderr cairn sign-blob --key signer.key --bundle w.json --rekor-url "$URL" --rekor-public-key other.pub artifact
	expect_status 1
	expect_stderr "not signed by the log's key"
	[ ! -e w.json ]
	run --separate-stderr cairn sign-blob --key signer.key --bundle w.json --rekor-url http://example.com artifact
	expect_status 2
	expect_stderr "only https"
	run --separate-stderr cairn sign-blob --key signer.key --rekor-url "$URL" artifact
	expect_status 2
	stop_log
	run --separate-stderr cairn sign-blob --key signer.key --bundle w.json --rekor-url "$URL" --rekor-public-key log.pub artifact
	expect_status 3
	[ ! -e w.json ]
}

@test "sigstore-js @sigstore/verify verifies the bundles given the log's trusted root; tampering fails there too" {
	make_key log
	make_key signer
	start_log
	head -c 3000 /dev/urandom >artifact
	statement_for artifact statement.json
	# A first entry, so that the bundles' inclusion proofs have hashes to tamper with.
	cairn sign-blob --key signer.key --bundle first.json --rekor-url "$URL" --rekor-public-key log.pub artifact 2>/dev/null
	cairn sign-blob --key signer.key --bundle b.json --rekor-url "$URL" --rekor-public-key log.pub artifact 2>/dev/null
	cairn sign-blob --key signer.key --bundle d.json --in-toto --rekor-url "$URL" --rekor-public-key log.pub statement.json 2>/dev/null
	cairn log trusted-root --public-key log.pub --url "$URL" >root.json
	# No --offline: sigstore-js's default thresholds, one verified log entry required.
	for bundle in b.json d.json; do
		sigstore_js --bundle "$bundle" --key signer.pub --trusted-root root.json artifact
		expect_status 0
		expect_stderr "Verified OK"
	done
	tamper b.json bad-set.json 'e["inclusionPromise"]["signedEntryTimestamp"] = flip(e["inclusionPromise"]["signedEntryTimestamp"])'
	# (sigstore-js takes the root from the signed checkpoint, not from inclusionProof.rootHash)
	tamper b.json bad-proof.json 'p = e["inclusionProof"]; p["hashes"] = [flip(h) for h in p["hashes"]]; assert p["hashes"]'
	tamper b.json bad-body.json 'e["canonicalizedBody"] = base64.b64encode(base64.b64decode(e["canonicalizedBody"]).replace(b"sha256", b"SHA256")).decode()'
	for bad in bad-set.json bad-proof.json bad-body.json; do
		sigstore_js --bundle "$bad" --key signer.pub --trusted-root root.json artifact
		expect_status 1
	done
	# A trusted root without the log: no entry can be verified.
	make_key other
	cairn log trusted-root --public-key other.pub --url "$URL" >other-root.json
	sigstore_js --bundle b.json --key signer.pub --trusted-root other-root.json artifact
	expect_status 1
	stop_log
}

@test "sigstore-js signs keylessly (mock Fulcio) and uploads to the cairn log; the entry is the log's" {
	make_key log
	make_key signer
	start_log
	echo "built by sigstore-js" >artifact
	# sigstore-js (4.1) omits a zero logIndex from the bundle's JSON, as protobuf JSON drops default
	# values: the first entry below is index 0 and its bundle has no logIndex, which cairn reads as 0.
	for mode in message in-toto; do
		local flag=()
		[ "$mode" = in-toto ] && flag=(--in-toto)
		run --separate-stderr timeout 120 node "$SIGN_JS" "${flag[@]}" --rekor-url "$URL" --bundle "k-$mode.json" \
			--trusted-root "mock-$mode.json" --identity signer@example.com --issuer https://issuer.example.com artifact
		expect_status 0
		expect_stderr "Signed artifact as signer@example.com"
		# The entry sigstore-js put into its bundle is in the log: found by its UUID (the leaf hash of
		# its body), its inclusion proof, checkpoint and entry timestamp verified by cairn log get.
		python3 - "k-$mode.json" "$mode" >uuid <<-'EOF'
			import base64, hashlib, json, sys
			b = json.load(open(sys.argv[1]))
			(e,) = b["verificationMaterial"]["tlogEntries"]
			assert e["kindVersion"]["kind"] == ("dsse" if sys.argv[2] == "in-toto" else "hashedrekord"), e
			m = b["verificationMaterial"]  # sigstore-js writes v0.2 (a chain) for messages, v0.3 for DSSE
			assert "certificate" in m or "x509CertificateChain" in m, list(m)
			print(hashlib.sha256(b"\0" + base64.b64decode(e["canonicalizedBody"])).hexdigest())
		EOF
		run --separate-stderr cairn log get "$URL" --uuid "$(cat uuid)" --public-key log.pub -o json
		expect_status 0
		echo "$output" >"entry-$mode.json"
		python3 - "k-$mode.json" "entry-$mode.json" <<-'EOF'
			import base64, json, sys
			(e,) = json.load(open(sys.argv[1]))["verificationMaterial"]["tlogEntries"]
			(u, log), = json.load(open(sys.argv[2])).items()
			assert e["canonicalizedBody"] == log["body"]
			assert int(e.get("logIndex", "0")) == log["logIndex"]
			assert base64.b64decode(e["logId"]["keyId"]).hex() == log["logID"]
			payload = {"body": e["canonicalizedBody"], "integratedTime": int(e["integratedTime"]),
			           "logID": log["logID"], "logIndex": log["logIndex"]}
			open("set.payload", "w").write(json.dumps(payload, sort_keys=True, separators=(",", ":")))
			open("set.sig", "wb").write(base64.b64decode(e["inclusionPromise"]["signedEntryTimestamp"]))
		EOF
		# The signed entry timestamp sigstore-js kept verifies with the log's key (openssl).
		openssl dgst -sha256 -verify log.pub -signature set.sig set.payload
		# The full bundle: the log part verifies; the certificate cannot, because @sigstore/mock 0.11's
		# CT log writes a malformed SCT (no length prefix, empty signature), which sigstore-js's own
		# verifier refuses too. Both must stop there and nowhere earlier.
		cairn log trusted-root --public-key log.pub --url "$URL" --add-to "mock-$mode.json" >"root-$mode.json"
		run --separate-stderr cairn verify-blob --bundle "k-$mode.json" --certificate-identity signer@example.com \
			--certificate-oidc-issuer https://issuer.example.com --trusted-root "root-$mode.json" artifact
		expect_status 1
		expect_stderr "SCT"
	done
	stop_log
}
