# Test registries for the bats suites: the Debian docker-registry (distribution 2.8) started on
# 127.0.0.1 on a free port, and small python3 stubs for behaviour a real registry will not show on
# demand (429, 503, Bearer tokens, redirects, wrong digests).
#
#   registry_start MODE     MODE is plain, basic or tls. Sets REG_<MODE>_HOST ("127.0.0.1:PORT") and
#                           REG_<MODE>_DIR; basic sets REG_USER and REG_PASS; tls sets REG_CA (the CA
#                           certificate that signed the registry's certificate, SAN IP:127.0.0.1).
#   registry_stop_all       stops every registry and stub started by this file, by PID.
#   stub_start MODE [ADDR]  starts the python3 stub (MODE: retry or bearer); sets STUB_HOST and
#                           STUB_LOG (one line per request the stub saw).
#
# Each registry has its own storage directory and config.yml under $BATS_FILE_TMPDIR, listens only on
# 127.0.0.1, and has nothing configured that would reach the network (no notifications, no proxy, no
# bugsnag/newrelic reporting, no redis, no letsencrypt). Stubs stop themselves after STUB_LIFETIME
# seconds whatever happens.

REG_PIDS_FILE="${BATS_FILE_TMPDIR:-/tmp}/cairn-registry.pids"
STUB_LIFETIME=120

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Writes a CA and a server certificate for 127.0.0.1 and localhost into directory $1.
registry_make_certs() {
	local dir=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" -subj "/CN=cairn test CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		2>/dev/null || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null || return 1
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$dir/server.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
}

# Writes config.yml for MODE into directory $1, listening on port $2.
registry_write_config() {
	local dir=$1 port=$2 mode=$3
	cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: cairn-test-$RANDOM$RANDOM
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
EOF
	if [ "$mode" = basic ]; then
		cat >>"$dir/config.yml" <<EOF
auth:
  htpasswd:
    realm: cairn-test
    path: $dir/htpasswd
EOF
	fi
	if [ "$mode" = tls ]; then
		# Appended under http: (the last top-level key written above is health, so re-open http).
		sed -i "s|^  addr: 127.0.0.1:$port|  addr: 127.0.0.1:$port\n  tls:\n    certificate: $dir/server.crt\n    key: $dir/server.key|" \
			"$dir/config.yml"
	fi
}

# Prints the HTTP status of GET $1 (trusting CA file $2 when given), or 0 when nothing answered.
registry_probe() {
	python3 - "$1" "$2" <<'PYEOF'
import ssl, sys, urllib.error, urllib.request
url, ca = sys.argv[1], sys.argv[2]
context = ssl.create_default_context(cafile=ca or None)
try:
    print(urllib.request.urlopen(url, timeout=2, context=context).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
PYEOF
}

# Waits until the registry answers /v2/ (200 or 401) or gives up after 20 s.
registry_wait() {
	local url=$1 ca=$2 log=$3 pid=$4
	local _ code
	for _ in $(seq 1 100); do
		code=$(registry_probe "$url/v2/" "$ca")
		case "$code" in 200 | 401) return 0 ;; esac
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	echo "registry at $url did not start; its log:" >&2
	cat "$log" >&2
	return 1
}

registry_start() {
	local mode=$1
	local upper
	upper=$(echo "$mode" | tr '[:lower:]' '[:upper:]')
	local dir="$BATS_FILE_TMPDIR/registry-$mode"
	mkdir -p "$dir/data"
	local port
	port=$(free_port) || return 1
	local scheme=http ca=""
	case "$mode" in
	plain) ;;
	basic)
		export REG_USER=cairn-user REG_PASS="pw-$RANDOM-$RANDOM"
		htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$dir/htpasswd" 2>/dev/null || return 1
		;;
	tls)
		registry_make_certs "$dir" || return 1
		export REG_CA="$dir/ca.crt"
		scheme=https ca="$REG_CA"
		;;
	*) echo "registry_start: unknown mode $mode" >&2; return 1 ;;
	esac
	registry_write_config "$dir" "$port" "$mode"
	# A clean environment: docker-registry reads REGISTRY_* variables as configuration.
	env -i PATH=/usr/bin:/bin HOME="$dir" /usr/bin/docker-registry serve "$dir/config.yml" \
		>"$dir/registry.log" 2>&1 &
	local pid=$!
	echo "$pid" >>"$REG_PIDS_FILE"
	registry_wait "$scheme://127.0.0.1:$port" "$ca" "$dir/registry.log" "$pid" || return 1
	export "REG_${upper}_HOST=127.0.0.1:$port" "REG_${upper}_DIR=$dir"
}

# Stops every process this file started, by PID: TERM, then KILL after 5 s.
registry_stop_all() {
	[ -f "$REG_PIDS_FILE" ] || return 0
	local pid _
	while read -r pid; do
		kill "$pid" 2>/dev/null || continue
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	done <"$REG_PIDS_FILE"
	rm -f "$REG_PIDS_FILE"
}

# The python3 stub. MODE retry: /v2/r/manifests/once429 answers 429 (Retry-After: 1) once, then the
# manifest; always503 answers 503; baddigest sends a wrong Docker-Content-Digest; /v2/r/blobs/<d>
# sends bytes that do not match; /v2/r/tags/list is paginated with Link. MODE bearer: every /v2/
# request needs "Bearer <token>" from /token, which needs Basic alice:s3cret; blobs redirect to a
# second port that records the Authorization header it receives.
stub_write() {
	cat >"$1" <<'PYEOF'
import base64, hashlib, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, port_file, log_file, lifetime, address = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
                                  "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
                       "layers": []}).encode()
DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
TOKEN = "tok-" + hashlib.sha256(str(time.time()).encode()).hexdigest()[:16]
state = {"once429": 0}
lock = threading.Lock()

def log(line):
    with lock, open(log_file, "a") as f:
        f.write(line + "\n")

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def do_HEAD(self):
        self.do_GET()
    def do_GET(self):
        log("%s %s %s" % (self.server.name, self.command, self.path) +
            (" auth=" + self.headers["Authorization"].split(" ")[0] if self.headers["Authorization"] else ""))
        if self.server.name == "blobstore":
            return self.reply(200, b"blob-bytes", [("Content-Type", "application/octet-stream")])
        if mode == "retry":
            return self.retry_mode()
        return self.bearer_mode()
    def manifest(self, digest=DIGEST):
        headers = [("Content-Type", "application/vnd.oci.image.manifest.v1+json")]
        if digest:
            headers.append(("Docker-Content-Digest", digest))
        self.reply(200, MANIFEST, headers)
    def retry_mode(self):
        p = self.path
        if p == "/v2/r/manifests/once429":
            state["once429"] += 1
            if state["once429"] == 1:
                return self.reply(429, b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
                                  [("Retry-After", "1")])
            return self.manifest()
        if p == "/v2/r/manifests/always503":
            return self.reply(503, b"busy", [("Retry-After", "0")])
        if p == "/v2/r/manifests/huge":
            return self.reply(200, b" " * (5 * 1024 * 1024), [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
        if p == "/v2/r/manifests/baddigest":
            return self.manifest("sha256:" + "0" * 64)
        if p.startswith("/v2/r/manifests/sha256:"):
            return self.manifest(None)  # content that cannot match the digest asked for
        if p.startswith("/v2/r/blobs/"):
            return self.reply(200, b"not what was asked for", [("Content-Type", "application/octet-stream")])
        if p == "/v2/r/tags/list":
            return self.reply(200, b'{"name":"r","tags":["a","b"]}', [("Content-Type", "application/json"),
                              ("Link", '</v2/r/tags/list?last=b&n=2>; rel="next"')])
        if p == "/v2/r/tags/list?last=b&n=2":
            return self.reply(200, b'{"name":"r","tags":["c"]}', [("Content-Type", "application/json")])
        return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
    def bearer_mode(self):
        host = "127.0.0.1:%d" % self.server.server_port
        if self.path.startswith("/token?"):
            expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
            if self.headers["Authorization"] != expected:
                return self.reply(401, b'{"details":"bad credentials"}')
            log("token-request " + self.path)
            return self.reply(200, json.dumps({"token": TOKEN, "expires_in": 300}).encode(),
                              [("Content-Type", "application/json")])
        if self.headers["Authorization"] != "Bearer " + TOKEN:
            challenge = 'Bearer realm="http://%s/token",service="stub registry",scope="repository:r:pull"' % host
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}',
                              [("WWW-Authenticate", challenge)])
        if self.path == "/v2/r/manifests/v1":
            return self.manifest()
        if self.path.startswith("/v2/r/blobs/"):
            return self.reply(307, b"", [("Location", "http://127.0.0.1:%d/blob" % blobstore.server_port)])
        return self.reply(404, b"")

def serve(name):
    server = ThreadingHTTPServer((address, 0), Handler)
    server.name = name
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

blobstore = serve("blobstore")
main = serve("main")
with open(port_file + ".tmp", "w") as f:
    f.write(str(main.server_port))
import os
os.rename(port_file + ".tmp", port_file)
time.sleep(lifetime)
PYEOF
}

# stub_start MODE [ADDRESS]: ADDRESS defaults to 127.0.0.1 (another is only for the insecure-host test).
stub_start() {
	local mode=$1 address=${2:-127.0.0.1}
	local dir="$BATS_TEST_TMPDIR"
	stub_write "$dir/stub.py"
	export STUB_LOG="$dir/stub-$mode.log"
	: >"$STUB_LOG"
	python3 "$dir/stub.py" "$mode" "$dir/stub.port" "$STUB_LOG" "$STUB_LIFETIME" "$address" >"$dir/stub.out" 2>&1 &
	echo "$!" >>"$REG_PIDS_FILE"
	local _
	for _ in $(seq 1 100); do
		[ -s "$dir/stub.port" ] && break
		sleep 0.1
	done
	[ -s "$dir/stub.port" ] || { cat "$dir/stub.out" >&2; return 1; }
	STUB_HOST="$address:$(cat "$dir/stub.port")"
	export STUB_HOST
}

# Helpers for suites that run against the test registry.

# The registry client, driven from the command line.
rd() {
	cairn registry-debug "$@"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# push_image REPO:TAG (needs OCI_MANIFEST): a tiny OCI image (random layer, so every call makes a new digest); prints
# the manifest digest.
push_image() {
	local ref=$1
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >config.json
	head -c 2000 /dev/urandom >layer.bin
	rd push-blob "$ref" config.json >/dev/null || return 1
	rd push-blob "$ref" layer.bin >/dev/null || return 1
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"sha256:%s"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":%d,"digest":"sha256:%s"}]}' \
		"$OCI_MANIFEST" "$(stat -c %s config.json)" "$(sha config.json)" "$(stat -c %s layer.bin)" "$(sha layer.bin)" >manifest.json
	rd push-manifest "$ref" "$OCI_MANIFEST" manifest.json
}

# keys: two P-256 key pairs, a.key/a.pub and b.key/b.pub, in the current directory.
keys() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out a.key 2>/dev/null
	openssl pkey -in a.key -pubout -out a.pub
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out b.key 2>/dev/null
	openssl pkey -in b.key -pubout -out b.pub
}
