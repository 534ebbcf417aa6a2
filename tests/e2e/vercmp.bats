#!/usr/bin/env bats
# cairn vercmp: one comparison per ecosystem, answers known from each ecosystem's own rules.

load helpers

vercmp_is() {
	run --separate-stderr cairn vercmp "$1" "$2" "$3"
	expect_status 0
	[ "$output" = "$4" ] || { echo "cairn vercmp $1 $2 $3: want $4, got $output" >&2; return 1; }
}

@test "each ecosystem orders by its own rules" {
	vercmp_is Debian:12 1.0~rc1-1 1.0-1 -1
	vercmp_is "Rocky Linux" 1.0^git1-1 1.0-1 1
	vercmp_is Alpine 1.2_rc1-r0 1.2-r0 -1
	vercmp_is PyPI 1.0.dev0 1.0a0 -1
	vercmp_is npm 1.0.0-beta.11 1.0.0-beta.2 1
	vercmp_is Go v1.2 v1.2.0 0
	vercmp_is Maven 1.0-SNAPSHOT 1.0 -1
	vercmp_is RubyGems 1.0.a 1.0 -1
	vercmp_is crates.io 1.0.0-alpha 1.0.0 -1
	vercmp_is NuGet 1.0.0-BETA 1.0.0-beta 0
	vercmp_is Packagist 1.0pl1 1.0 1
	vercmp_is SemVer 1.0.0 1.0.0-rc.1 1
}

@test "Maven and Alpine rules that their peers get wrong" {
	vercmp_is Maven 5.2.0.CR1 5.2-rc-1 0
	vercmp_is Maven 1-1 1-ga-1 1
	vercmp_is Alpine 6.6.2p1-r1 6.6.2p1-r2 -1
	vercmp_is Alpine 8.2.0 8.2.001 -1
	vercmp_is Alpine 1.0~1234-r1 1.0~2345-r0 -1
}

@test "an invalid version exits 2 naming it and the reason" {
	run --separate-stderr cairn vercmp PyPI 1.0 not-a-version
	expect_status 2
	expect_stderr "not-a-version"
	expect_stderr "PyPI"
}

@test "an unknown ecosystem exits 2 listing the known ones" {
	run --separate-stderr cairn vercmp Nonesuch 1 2
	expect_status 2
	expect_stderr "unknown ecosystem"
	expect_stderr "Debian"
}

@test "wrong argument count is a usage error" {
	run --separate-stderr cairn vercmp npm 1.0.0
	expect_status 2
}
