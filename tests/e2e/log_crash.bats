#!/usr/bin/env bats
# cairn log under crashes and overload. Concurrent clients append hashedrekord entries (signed ahead of
# time by python3-cryptography) while the server is killed with SIGKILL at random moments and restarted
# on the same database. Afterwards every acknowledged (201) entry must be at the index it was given, and
# every checkpoint any client was ever served must be consistent with the final one. The proofs are
# checked by an RFC 9162 verifier written here in python (not cairn's code), which first has to pass
# transparency-dev's Merkle probes from the corpus, the ones that must fail included.

load helpers

teardown() {
	# Only servers this test started: the driver writes each server's PID to server.pids.
	if [ -f "$TMP/server.pids" ]; then
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null || true
		done <"$TMP/server.pids"
	fi
	cd / && rm -rf "$TMP"
}

make_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
	openssl pkey -in "$1.key" -pubout -out "$1.pub"
}

# The python side, shared by both tests: entry signing, the server's lifecycle, HTTP with retries, and
# the independent RFC 9162 / signed-note checks.
write_lib() {
	cat >loglib.py <<-'EOF'
		import base64, hashlib, http.client, json, os, signal, subprocess, time
		from cryptography.hazmat.primitives import hashes, serialization
		from cryptography.hazmat.primitives.asymmetric import ec

		ORIGIN = "crash-test-log"

		def make_entries(count, seed):
		    """count hashedrekord proposals over distinct artifacts, signed now (before any clock starts)."""
		    key = ec.generate_private_key(ec.SECP256R1())
		    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
		                                        serialization.PublicFormat.SubjectPublicKeyInfo)
		    pem64 = base64.b64encode(pem).decode()
		    out = []
		    for i in range(count):
		        artifact = b"%s artifact %d " % (seed.encode(), i) + os.urandom(16)
		        sig = key.sign(artifact, ec.ECDSA(hashes.SHA256()))
		        out.append(json.dumps({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
		            "signature": {"content": base64.b64encode(sig).decode(), "publicKey": {"content": pem64}},
		            "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(artifact).hexdigest()}}}}).encode())
		    return out

		class Server:
		    """cairn log serve on a fresh loopback port each start, same database, key and origin."""
		    def __init__(self, cairn, db, extra=()):
		        self.cairn, self.db, self.extra = cairn, db, list(extra)
		        self.proc, self.port, self.starts = None, None, 0

		    def start(self):
		        if os.path.exists("port"):
		            os.unlink("port")
		        self.starts += 1
		        err = open("server.err", "ab")
		        self.proc = subprocess.Popen([self.cairn, "log", "serve", "--db", self.db, "--key", "log.key",
		                                      "--addr", "127.0.0.1:0", "--origin", ORIGIN, "--port-file", "port"]
		                                     + self.extra, stdout=subprocess.DEVNULL, stderr=err)
		        err.close()
		        with open("server.pids", "a") as f:
		            f.write("%d\n" % self.proc.pid)
		        deadline = time.monotonic() + 60
		        while not (os.path.exists("port") and open("port").read().strip()):
		            if self.proc.poll() is not None:
		                raise SystemExit("server exited with %s on start %d: %s" % (
		                    self.proc.returncode, self.starts, open("server.err").read()[-2000:]))
		            if time.monotonic() > deadline:
		                raise SystemExit("server did not start")
		            time.sleep(0.02)
		        self.port = int(open("port").read())

		    def kill(self):
		        os.kill(self.proc.pid, signal.SIGKILL)
		        self.proc.wait()

		    def stop(self):
		        self.proc.send_signal(signal.SIGTERM)
		        rc = self.proc.wait(timeout=60)
		        if rc != 0:
		            raise SystemExit("server exited with %d on SIGTERM: %s" % (rc, open("server.err").read()[-2000:]))

		def request(port, method, path, body=None, timeout=30):
		    """One request on a new connection: (status, headers, body)."""
		    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
		    try:
		        headers = {"Content-Type": "application/json"} if body is not None else {}
		        conn.request(method, path, body=body, headers=headers)
		        resp = conn.getresponse()
		        return resp.status, dict(resp.getheaders()), resp.read()
		    finally:
		        conn.close()

		def get_json(port, path):
		    status, _, body = request(port, "GET", path)
		    assert status == 200, (path, status, body[:300])
		    return json.loads(body)

		# ---- RFC 9162 section 2.1, written from the RFC ----

		def node(left, right):
		    return hashlib.sha256(b"\x01" + left + right).digest()

		def leaf_hash(data):
		    return hashlib.sha256(b"\x00" + data).digest()

		# Hashes are SHA-256: a shorter "hash" must never match (roots are compared, so their length is
		# checked by that comparison).
		def sizes_ok(*hashes):
		    return all(len(h) == 32 for h in hashes)

		def verify_inclusion(index, size, leaf, proof, root):
		    if index >= size or not sizes_ok(leaf, root, *proof):
		        return False
		    fn, sn, r = index, size - 1, leaf
		    for p in proof:
		        if sn == 0:
		            return False
		        if fn & 1 or fn == sn:
		            r = node(p, r)
		            if not fn & 1:
		                while not fn & 1 and fn != 0:
		                    fn, sn = fn >> 1, sn >> 1
		        else:
		            r = node(r, p)
		        fn, sn = fn >> 1, sn >> 1
		    return sn == 0 and r == root

		def verify_consistency(size1, size2, root1, root2, proof):
		    # Nothing is proved from an empty tree (transparency-dev's probes refuse it even for 0 -> 0).
		    if size1 == 0 or size1 > size2 or not sizes_ok(*proof):
		        return False
		    if size1 == size2:
		        return not proof and root1 == root2
		    if not proof:
		        return False
		    if size1 & (size1 - 1) == 0:
		        proof = [root1] + list(proof)
		    fn, sn = size1 - 1, size2 - 1
		    while fn & 1:
		        fn, sn = fn >> 1, sn >> 1
		    fr = sr = proof[0]
		    for c in proof[1:]:
		        if sn == 0:
		            return False
		        if fn & 1 or fn == sn:
		            fr, sr = node(c, fr), node(c, sr)
		            if not fn & 1:
		                while not fn & 1 and fn != 0:
		                    fn, sn = fn >> 1, sn >> 1
		        else:
		            sr = node(sr, c)
		        fn, sn = fn >> 1, sn >> 1
		    return sn == 0 and fr == root1 and sr == root2

		def check_verifier_on_probes(corpus):
		    """The verifier above must accept every happy path and reject every mutation."""
		    b64 = lambda v: base64.b64decode(v) if v else b""
		    n = 0
		    for kind in ("inclusion", "consistency"):
		        top = os.path.join(corpus, "tlog", "merkle-probes", kind)
		        for dirpath, _, files in os.walk(top):
		            for name in files:
		                if not name.endswith(".json"):
		                    continue
		                t = json.load(open(os.path.join(dirpath, name)))
		                proof = [b64(p) for p in (t.get("proof") or [])]
		                if kind == "inclusion":
		                    ok = verify_inclusion(t["leafIdx"], t["treeSize"], b64(t["leafHash"]), proof, b64(t["root"]))
		                else:
		                    ok = verify_consistency(t["size1"], t["size2"], b64(t["root1"]), b64(t["root2"]), proof)
		                assert ok == (not t["wantErr"]), (kind, dirpath, name, t.get("desc"))
		                n += 1
		    assert n > 100, "too few Merkle probes found in %s" % corpus
		    return n

		# ---- checkpoints (C2SP tlog-checkpoint in a signed note) ----

		def parse_checkpoint(text, log_pub):
		    """(size, root) of a checkpoint whose note signature verifies under log_pub (ECDSA P-256)."""
		    body, sep, sigs = text.partition("\n\n")
		    assert sep, "checkpoint without a signature block: %r" % text
		    body += "\n"
		    lines = body.split("\n")
		    assert lines[0] == ORIGIN, lines
		    size, root = int(lines[1]), base64.b64decode(lines[2])
		    assert len(root) == 32
		    verified = False
		    for line in sigs.strip("\n").split("\n"):
		        prefix = "\u2014 " + ORIGIN.split(" ")[0] + " "
		        assert line.startswith(prefix), line
		        raw = base64.b64decode(line[len(prefix):])
		        log_pub.verify(raw[4:], body.encode(), ec.ECDSA(hashes.SHA256()))  # raises when invalid
		        verified = True
		    assert verified
		    return size, root

		def load_log_pub():
		    return serialization.load_pem_public_key(open("log.pub", "rb").read())
	EOF
}

@test "crash: SIGKILL at random moments loses no acknowledged entry and every checkpoint served stays consistent" {
	make_key log
	write_lib
	cat >crash.py <<-'EOF'
		import base64, hashlib, http.client, json, random, sys, threading, time
		from loglib import *

		cairn, corpus = sys.argv[1], sys.argv[2]
		ROUNDS, CLIENTS, PER_CLIENT = 5, 8, 600
		probes = check_verifier_on_probes(corpus)

		entries = make_entries(CLIENTS * PER_CLIENT, "crash")
		server = Server(cairn, "log.db")
		lock = threading.Lock()
		acked = {}          # uuid -> index, from 201 answers
		existing = set()    # uuids named by 409 answers (entries whose first answer was lost in a kill)
		checkpoints = {}    # note text -> True: every checkpoint any client was served
		failures = []
		conn_errors = [0]
		stop = threading.Event()
		port = [None]       # the live server's port; None while it is down

		def record_checkpoint(text):
		    with lock:
		        checkpoints[text] = True

		def client(mine):
		    conn, conn_port, i, n = None, None, 0, 0
		    deadline = time.monotonic() + 600
		    while i < len(mine) and not stop.is_set() and time.monotonic() < deadline:
		        try:
		            if conn is None or conn_port != port[0]:
		                if conn is not None:
		                    conn.close()
		                conn_port = port[0]
		                if conn_port is None:
		                    raise ConnectionError("server down")
		                conn = http.client.HTTPConnection("127.0.0.1", conn_port, timeout=30)
		            n += 1
		            if n % 8 == 0:
		                conn.request("GET", "/checkpoint")
		                resp = conn.getresponse()
		                body = resp.read()
		                if resp.status == 200:
		                    record_checkpoint(body.decode())
		                continue
		            conn.request("POST", "/api/v1/log/entries", body=mine[i], headers={"Content-Type": "application/json"})
		            resp = conn.getresponse()
		            body = resp.read()
		        except (OSError, http.client.HTTPException):
		            # The server is being killed or restarted: try again on a new connection.
		            with lock:
		                conn_errors[0] += 1
		            if conn is not None:
		                conn.close()
		            conn = None
		            time.sleep(0.02)
		            continue
		        if resp.status == 201:
		            (uuid, e), = json.loads(body).items()
		            with lock:
		                if uuid in acked:
		                    failures.append("uuid %s acknowledged twice (%d, %d)" % (uuid, acked[uuid], e["logIndex"]))
		                acked[uuid] = e["logIndex"]
		            record_checkpoint(e["verification"]["inclusionProof"]["checkpoint"])
		            i += 1
		        elif resp.status == 409:
		            with lock:
		                existing.add(resp.getheader("Location").rsplit("/", 1)[1])
		            i += 1
		        elif resp.status == 503:
		            time.sleep(0.05)
		        else:
		            with lock:
		                failures.append("POST answered %d: %s" % (resp.status, body[:300]))
		            i += 1
		    if conn is not None:
		        conn.close()

		threads = [threading.Thread(target=client, args=(entries[c::CLIENTS],)) for c in range(CLIENTS)]
		rng = random.Random()
		server.start()
		port[0] = server.port
		for t in threads:
		    t.start()
		kills = []
		try:
		    for r in range(ROUNDS):
		        # Let at least one more append through, then kill at a random moment of the load.
		        before = len(acked)
		        limit = time.monotonic() + 60
		        while len(acked) == before and time.monotonic() < limit:
		            time.sleep(0.01)
		        assert len(acked) > before, "round %d: no append acknowledged in 60 s" % r
		        time.sleep(rng.uniform(0.05, 0.6))
		        with lock:
		            at = len(acked)
		        server.kill()
		        port[0] = None
		        kills.append(at)
		        time.sleep(rng.uniform(0.0, 0.3))
		        server.start()
		        port[0] = server.port
		    # After the last restart, more appends, then stop the clients.
		    before = len(acked)
		    limit = time.monotonic() + 60
		    while len(acked) < before + 20 and time.monotonic() < limit and any(t.is_alive() for t in threads):
		        time.sleep(0.01)
		finally:
		    stop.set()
		    for t in threads:
		        t.join(timeout=120)
		assert not any(t.is_alive() for t in threads), "a client did not stop"
		assert not failures, failures[:5]

		# ---- what the log holds now ----
		p = server.port
		log_pub = load_log_pub()
		info = get_json(p, "/api/v1/log")
		size, root = info["treeSize"], bytes.fromhex(info["rootHash"])
		assert parse_checkpoint(info["signedTreeHead"], log_pub) == (size, root)
		indexes = sorted(acked.values())
		assert len(set(indexes)) == len(indexes), "two acknowledged entries share an index"
		assert indexes[-1] < size, (indexes[-1], size)

		# Every acknowledged entry is at its index, with a proof to the current root.
		for uuid, index in acked.items():
		    (got, e), = get_json(p, "/api/v1/log/entries?logIndex=%d" % index).items()
		    body = base64.b64decode(e["body"])
		    assert got == uuid and leaf_hash(body).hex() == uuid, (index, uuid, got)
		    assert e["logIndex"] == index
		    proof = e["verification"]["inclusionProof"]
		    assert (proof["treeSize"], bytes.fromhex(proof["rootHash"])) == (size, root)
		    assert verify_inclusion(index, size, bytes.fromhex(uuid), [bytes.fromhex(h) for h in proof["hashes"]], root), index
		# Entries whose 201 was lost in a kill and were then answered 409 are in the log too.
		for uuid in existing:
		    (got, e), = get_json(p, "/api/v1/log/entries/" + uuid).items()
		    assert got == uuid and e["logIndex"] < size

		# Every checkpoint ever served: signed by the log, not beyond the current tree, and consistent with it.
		sizes = set()
		for text in checkpoints:
		    s, r = parse_checkpoint(text, log_pub)
		    assert s <= size, "checkpoint of size %d was served, the log now has %d entries" % (s, size)
		    sizes.add(s)
		    if s == 0:
		        assert r == hashlib.sha256(b"").digest()
		        continue
		    cp = get_json(p, "/api/v1/log/proof?firstSize=%d&lastSize=%d" % (s, size))
		    assert bytes.fromhex(cp["rootHash"]) == root
		    assert verify_consistency(s, size, r, root, [bytes.fromhex(h) for h in cp["hashes"]]), \
		        "checkpoint of size %d is not consistent with the current tree of size %d" % (s, size)
		server.stop()
		print("probes %d, kills %d (at %s acknowledged), connection errors %d, acknowledged %d, 409 after a kill %d, "
		      "tree size %d, checkpoints checked %d (%d sizes)" % (probes, len(kills), kills, conn_errors[0], len(acked),
		      len(existing), size, len(checkpoints), len(sizes)))
		assert len(kills) == ROUNDS and server.starts == ROUNDS + 1
		assert len(sizes) > ROUNDS, "too few distinct checkpoints were served to mean anything"
	EOF
	run python3 crash.py "$(command -v cairn)" "$(corpus)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"kills 5"* ]]
}

@test "overload: a full append queue is answered 503 with Retry-After, and leaves the log unchanged" {
	make_key log
	write_lib
	cat >busy.py <<-'EOF'
		import json, sqlite3, sys, threading, time
		from loglib import *

		cairn = sys.argv[1]
		N = 12
		entries = make_entries(N, "busy")
		# Two appends may wait. Another connection holds the database's write lock, so the first batch
		# cannot commit and stays in flight: the others arrive while the queue is full.
		server = Server(cairn, "busy.db", ["--queue-max", "2"])
		server.start()
		answers = [None] * N

		def post(i):
		    answers[i] = request(server.port, "POST", "/api/v1/log/entries", entries[i])

		lock = sqlite3.connect("busy.db", isolation_level=None)
		lock.execute("BEGIN IMMEDIATE")
		threads = [threading.Thread(target=post, args=(i,)) for i in range(N)]
		for t in threads:
		    t.start()
		time.sleep(2)  # well within the log's 10 s wait for the lock
		lock.execute("ROLLBACK")
		lock.close()
		for t in threads:
		    t.join(timeout=60)
		codes = sorted(a[0] for a in answers)
		print("answers:", codes)
		busy = [i for i in range(N) if answers[i][0] == 503]
		created = [i for i in range(N) if answers[i][0] == 201]
		assert len(created) + len(busy) == N, codes
		assert 1 <= len(created) <= N - 1 and busy, codes
		for i in busy:
		    status, headers, body = answers[i]
		    retry = {k.lower(): v for k, v in headers.items()}.get("retry-after")
		    assert retry is not None and retry.isdigit() and int(retry) >= 1, headers
		    doc = json.loads(body)
		    assert doc["code"] == 503 and doc["message"], doc
		# The refused appends left nothing behind: the tree holds exactly the created ones.
		info = get_json(server.port, "/api/v1/log")
		assert info["treeSize"] == len(created), (info["treeSize"], len(created))
		# Retried one at a time after Retry-After, each refused append is accepted.
		time.sleep(int(retry))
		for i in busy:
		    status, _, body = request(server.port, "POST", "/api/v1/log/entries", entries[i])
		    assert status == 201, (status, body[:300])
		assert get_json(server.port, "/api/v1/log")["treeSize"] == N
		server.stop()
	EOF
	run python3 busy.py "$(command -v cairn)"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "serve: --queue-max and --batch-wait-ms take bounded numbers" {
	make_key log
	for bad in "--queue-max 0" "--queue-max -1" "--queue-max 1048577" "--queue-max 12x" "--batch-wait-ms 0" \
		"--batch-wait-ms 10001" "--batch-wait-ms ''"; do
		eval "run --separate-stderr cairn log serve --db x.db --key log.key --addr 127.0.0.1:0 $bad"
		expect_status 2
		expect_stderr "needs a number from 1 to"
	done
	[ ! -e x.db ]
}
