#!/usr/bin/env bats
# The Sigstore conformance suite's bundle-verify cases (70 cases, each with the artifact given as a
# file and as its sha256 digest), driven through `cairn verify-bundle` by the corpus's own runner.
# Every one of the 140 runs must give the expected result.

load helpers

@test "sigstore conformance: all 140 bundle-verify runs pass" {
	local dir
	dir="$(corpus)"
	run "$dir/sigstore/run-conformance.sh" cairn
	local failures
	failures="$(printf '%s\n' "$output" | grep '^FAIL' || true)"
	if [ -n "$failures" ]; then
		echo "failing runs:" >&2
		echo "$failures" >&2
		# the reasons cairn gave, for the failing cases
		for c in $(printf '%s\n' "$failures" | awk '{print $2}' | sort -u); do
			CASES="^$c\$" "$dir/sigstore/run-conformance.sh" -v cairn | grep '|' >&2 || true
		done
	fi
	[ "$status" -eq 0 ]
	[[ "$output" == *"140 passed, 0 failed" ]]
}
