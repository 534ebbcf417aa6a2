#!/usr/bin/env bats
# keygen, and key files exchanged with OpenSSL in both directions.

load helpers

@test "keygen writes a 0600 private key and a public key, and refuses to overwrite them" {
	CAIRN_PASSWORD=secret run --separate-stderr cairn keygen
	expect_status 0
	[ "$(stat -c %a cairn.key)" = 600 ]
	grep -q -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' cairn.key
	grep -q -- '-----BEGIN PUBLIC KEY-----' cairn.pub
	CAIRN_PASSWORD=secret run --separate-stderr cairn keygen
	expect_status 2
	expect_stderr "cairn.key already exists"
	CAIRN_PASSWORD=secret run --separate-stderr cairn keygen --force
	expect_status 0
}

@test "keygen with an empty passphrase writes an unencrypted key and says so" {
	CAIRN_PASSWORD= run --separate-stderr cairn keygen --output-key-prefix plain
	expect_status 0
	grep -q -- '-----BEGIN PRIVATE KEY-----' plain.key
	expect_stderr "unencrypted"
}

@test "keygen without a passphrase source and without a terminal exits 2" {
	run --separate-stderr setsid -w cairn keygen </dev/null
	expect_status 2
	expect_stderr "CAIRN_PASSWORD"
	[ ! -e cairn.key ]
}

@test "keygen rejects an unknown key type" {
	CAIRN_PASSWORD= run --separate-stderr cairn keygen --type rsa-1024
	expect_status 2
	expect_stderr "unknown key type 'rsa-1024'"
}

@test "keys written by cairn load in openssl, encrypted and not, for every type" {
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		CAIRN_PASSWORD="pass $type" cairn keygen --type "$type" --output-key-prefix "$type"
		CAIRN_PASSWORD="pass $type" openssl pkey -in "$type.key" -passin env:CAIRN_PASSWORD -noout
		openssl pkey -pubin -in "$type.pub" -noout
		# openssl derives the same public key from the private key cairn wrote.
		CAIRN_PASSWORD="pass $type" openssl pkey -in "$type.key" -passin env:CAIRN_PASSWORD -pubout -out derived.pub
		cmp derived.pub "$type.pub"
		CAIRN_PASSWORD= cairn keygen --type "$type" --output-key-prefix "plain-$type"
		openssl pkey -in "plain-$type.key" -noout
	done
	# An encrypted key does not load in openssl without the right passphrase.
	run openssl pkey -in ecdsa-p256.key -passin pass:wrong -noout
	[ "$status" -ne 0 ]
}

@test "keys written by openssl load in cairn: PKCS#8, encrypted PKCS#8 and SEC1" {
	echo "payload" >file
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		# shellcheck disable=SC2046
		openssl genpkey $(openssl_genpkey_args "$type") -out "$type.key"
		openssl pkey -in "$type.key" -pubout -out "$type.pub"
		openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$type.key" -passout pass:hunter2 -out "$type.enc.key"
		cairn sign-blob --key "$type.key" --output-signature sig file
		cairn verify-blob --key "$type.pub" --signature sig file
		CAIRN_PASSWORD=hunter2 cairn sign-blob --key "$type.enc.key" --output-signature sig2 file
		cairn verify-blob --key "$type.pub" --signature sig2 file
	done
	openssl ecparam -name prime256v1 -genkey -noout -out sec1.key
	grep -q -- '-----BEGIN EC PRIVATE KEY-----' sec1.key
	openssl pkey -in sec1.key -pubout -out sec1.pub
	cairn sign-blob --key sec1.key --output-signature sig file
	cairn verify-blob --key sec1.pub --signature sig file
}

@test "keygen: Ctrl-C at the passphrase prompt leaves the terminal's echo on" {
	# On a pseudo-terminal: echo is off while the passphrase is typed, and back on after Ctrl-C
	# kills cairn at the prompt (the shell would otherwise be left without echo).
	cat >ctrlc.py <<-'EOF2'
		import os, pty, signal, sys, termios, time
		pid, master = pty.fork()
		if pid == 0:
		    env = {k: v for k, v in os.environ.items() if k != "CAIRN_PASSWORD"}
		    os.execvpe("cairn", ["cairn", "keygen", "--output-key-prefix", "k"], env)
		out, deadline = b"", time.time() + 20
		while b"assphrase" not in out and time.time() < deadline:
		    out += os.read(master, 1024)
		assert b"assphrase" in out, out
		assert not termios.tcgetattr(master)[3] & termios.ECHO, "echo is on during the prompt"
		os.write(master, b"\x03")
		_, status = os.waitpid(pid, 0)
		assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT, status
		assert termios.tcgetattr(master)[3] & termios.ECHO, "echo is still off after Ctrl-C"
		assert not os.path.exists("k.key"), "a key was written"
	EOF2
	python3 ctrlc.py
}
