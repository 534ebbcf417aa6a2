#!/usr/bin/env bats
# cairn build: the isolation of the build, and provenance that verifies only for what was built.

load helpers

setup_build() {
	mkdir -p src out keys
	printf '#include <stdio.h>\nint main(void) { puts("hello from cairn"); return 0; }\n' > src/hello.c
	CAIRN_PASSWORD= cairn keygen --output-key-prefix keys/k >/dev/null 2>&1
}

@test "build: a small C program builds and its provenance verifies" {
	setup_build
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output hello -- gcc -O2 -o hello hello.c
	expect_status 0
	[[ "$output" == "sha256:$(sha256sum out/hello | cut -d' ' -f1)  hello" ]]
	[ -f out/hello.intoto.jsonl ]
	run ./out/hello
	[ "$output" = "hello from cairn" ]
	run --separate-stderr cairn verify-provenance --provenance out/hello.intoto.jsonl --key keys/k.pub \
		--source-uri "file://$TMP/src" out/hello
	expect_status 0
	[[ "$output" == PASSED:* ]]
	# the statement records the command, the source tree and the compiler
	payload="$(head -1 out/hello.intoto.jsonl | python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(sys.stdin)["payload"]).decode())')"
	echo "$payload" | grep -q '"buildType":"https://cairn.dev/build/v1"'
	echo "$payload" | grep -q '"command":\["gcc","-O2","-o","hello","hello.c"\]'
	echo "$payload" | grep -q 'cairnDirhashV1Sha256'
	echo "$payload" | grep -q "\"uri\":\"file://$(readlink -f /usr/bin/gcc)\""
}

@test "build: an output changed after the build no longer matches its provenance" {
	setup_build
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output hello -- gcc -o hello hello.c
	expect_status 0
	printf 'x' >> out/hello
	run --separate-stderr cairn verify-provenance --provenance out/hello.intoto.jsonl --key keys/k.pub \
		--source-uri "file://$TMP/src" out/hello
	expect_status 1
	expect_stderr "subject mismatch"
}

@test "build: the build cannot reach the network; it has no interface but lo" {
	setup_build
	python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(5); print(s.getsockname()[1], flush=True); time.sleep(60)' > port &
	listener=$!
	for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
	port="$(cat port)"
	# the listener is reachable from here...
	bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output result -- \
		bash -c "cat /proc/net/dev > result; if exec 3<>/dev/tcp/127.0.0.1/$port; then echo CONNECTED >> result; else echo REFUSED >> result; fi"
	kill "$listener"
	expect_status 0
	grep -q REFUSED out/result
	! grep -q CONNECTED out/result
	[ "$(tail -n +3 out/result | grep -v REFUSED | awk '{print $1}')" = "lo:" ]
}

@test "build: the build cannot read the key file nor the parent's environment" {
	setup_build
	export CAIRN_TEST_SECRET=hunter2-do-not-leak
	run --separate-stderr cairn build --key "$TMP/keys/k.key" --source src --out out --output result -- \
		sh -c "env > result; cat /proc/1/environ >> result 2>&1; if cat '$TMP/keys/k.key' >> result 2>&1; then echo READ-KEY >> result; fi"
	unset CAIRN_TEST_SECRET
	expect_status 0
	! grep -q hunter2 out/result
	! grep -q READ-KEY out/result
	! grep -q 'PRIVATE KEY' out/result
	grep -q '^HOME=/workspace$' out/result
	! grep -q CAIRN_TEST_SECRET out/result
}

@test "build: a key inside the source directory is refused" {
	setup_build
	cp keys/k.key src/
	run --separate-stderr cairn build --key src/k.key --source src --out out --output hello -- gcc -o hello hello.c
	expect_status 2
	expect_stderr "which the build can see"
}

@test "build: the build cannot write outside its workspace" {
	setup_build
	before="$(sha256sum src/hello.c)"
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output result -- \
		sh -c "touch result; for f in '$TMP/src/hello.c' /usr/cairn-escape /etc/passwd /cairn-escape; do if echo x >> \$f; then echo WROTE \$f >> result; fi; done 2>/dev/null; echo changed >> hello.c"
	expect_status 0
	[ ! -s out/result ]
	[ ! -e /usr/cairn-escape ] && [ ! -e /cairn-escape ]
	[ "$(sha256sum src/hello.c)" = "$before" ]
}

@test "build: a symlink output pointing at a host file is refused" {
	setup_build
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output leak -- ln -s /etc/shadow leak
	expect_status 2
	expect_stderr "symlink"
	[ ! -e out/leak ]
}

@test "build: a failing build signs nothing; a build over its time limit is killed" {
	setup_build
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output hello -- false
	expect_status 1
	[ ! -e out/hello.intoto.jsonl ]
	run --separate-stderr cairn build --key keys/k.key --source src --out out --timeout 1 --output hello -- sleep 30
	expect_status 1
	expect_stderr "did not finish within 1 seconds"
}

@test "build: a git checkout records its commit, and its remote is the source URI" {
	setup_build
	git -C src init -q && git -C src add hello.c && git -C src -c user.name=t -c user.email=t@e commit -qm init
	git -C src remote add origin https://github.com/example/hello.git
	git -C src branch -M main
	run --separate-stderr cairn build --key keys/k.key --source src --out out --output hello -- gcc -o hello hello.c
	expect_status 0
	commit="$(git -C src rev-parse HEAD)"
	run --separate-stderr cairn verify-provenance --provenance out/hello.intoto.jsonl --key keys/k.pub \
		--source-uri github.com/example/hello --source-branch main out/hello
	expect_status 0
	[[ "$output" == *"$commit"* ]]
	run --separate-stderr cairn verify-provenance --provenance out/hello.intoto.jsonl --key keys/k.pub \
		--source-uri github.com/example/other out/hello
	expect_status 1
	expect_stderr "source mismatch"
	run --separate-stderr cairn verify-provenance --provenance out/hello.intoto.jsonl --key keys/k.pub \
		--source-uri github.com/example/hello --source-branch dev out/hello
	expect_status 1
	expect_stderr "branch mismatch"
}
