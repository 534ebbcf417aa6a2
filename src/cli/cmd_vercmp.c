/* cairn vercmp ECOSYSTEM A B */
#include "cairn/version.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

const char cmd_vercmp_usage[] =
	"usage: cairn vercmp ECOSYSTEM A B\n"
	"\n"
	"Compares versions A and B by the ecosystem's own rules and prints -1, 0 or 1 as A is lower\n"
	"than, equal to or higher than B. An invalid version or an unknown ecosystem exits 2.\n"
	"\n"
	"Ecosystems (as OSV names them, any case; a \":RELEASE\" suffix such as Debian:12 is ignored):\n"
	"  Debian, Ubuntu                    dpkg\n"
	"  AlmaLinux, Rocky Linux, Red Hat,  rpmvercmp\n"
	"  openSUSE, SUSE, Mageia, openEuler, Photon OS, Azure Linux\n"
	"  Alpine, Wolfi, Chainguard         apk-tools\n"
	"  PyPI                              PEP 440\n"
	"  npm                               node-semver\n"
	"  Go                                golang.org/x/mod/semver\n"
	"  Maven                             ComparableVersion\n"
	"  RubyGems                          Gem::Version\n"
	"  crates.io                         the Rust semver crate\n"
	"  NuGet                             NuGetVersion\n"
	"  Packagist                         PHP version_compare\n"
	"  SemVer, Bitnami, Hex              SemVer 2.0\n"
	"Aliases: deb, dpkg, rpm, apk, python, pep440, node, golang, java, gem, ruby, crates, cargo,\n"
	"rust, dotnet, composer, php.\n";

int cmd_vercmp(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_print_usage("vercmp");
	if (argc != 4)
		return cli_usage_error("vercmp", "expected ECOSYSTEM A B");
	int result;
	if (cairn_version_compare(argv[1], argv[2], argv[3], &result) != 0)
		return cli_report_error();
	printf("%d\n", result);
	return CLI_OK;
}
