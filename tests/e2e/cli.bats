#!/usr/bin/env bats
# The command table: help, version, usage errors and exit statuses.

load helpers

@test "help lists every command with its summary" {
	run --separate-stderr cairn help
	expect_status 0
	for cmd in help version keygen sign-blob verify-blob; do
		[[ "$output" == *"  $cmd "* ]] || { echo "missing $cmd"; false; }
	done
	# Commands that exist for the tests are not advertised.
	[[ "$output" != *"registry-debug"* ]]
}

@test "help COMMAND shows that command's usage, and --help does too" {
	run --separate-stderr cairn help sign-blob
	expect_status 0
	[[ "$output" == "usage: cairn sign-blob --key KEY"* ]]
	run --separate-stderr cairn verify-blob --help
	expect_status 0
	[[ "$output" == "usage: cairn verify-blob"* ]]
}

@test "no command prints help and exits 2" {
	run --separate-stderr cairn
	expect_status 2
	[[ "$output" == *"usage: cairn COMMAND"* ]]
}

@test "an unknown command or help topic exits 2 with a message" {
	run --separate-stderr cairn frobnicate
	expect_status 2
	expect_stderr "'frobnicate' is not a cairn command"
	run --separate-stderr cairn help frobnicate
	expect_status 2
	expect_stderr "no command named 'frobnicate'"
}

@test "unknown options and missing option values exit 2 naming the option" {
	run --separate-stderr cairn keygen --colour
	expect_status 2
	expect_stderr "unknown option '--colour'"
	run --separate-stderr cairn sign-blob README --key
	expect_status 2
	expect_stderr "option '--key' needs a value"
}

@test "version prints the version and the libraries" {
	run --separate-stderr cairn version
	expect_status 0
	[[ "$output" == "cairn "* ]]
	[[ "$output" == *"OpenSSL 3"* ]]
}
