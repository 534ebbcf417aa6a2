/* Version ordering: ecosystem names, length limits and the one error message for an invalid version.
 * The orderings themselves live in one file per family (version_deb.c, version_rpm.c, ...). */
#include "cairn/error.h"
#include "cairn/version.h"
#include "version_internal.h"

#include <string.h>
#include <strings.h>

struct eco_name {
	const char *name; /* compared ignoring case */
	enum cairn_ecosystem ecosystem;
};

/* OSV's ecosystem names first, then short aliases. Distributions that share a package format share
 * its ordering: every RPM distribution orders with rpmvercmp, Wolfi and Chainguard with apk-tools. */
static const struct eco_name eco_names[] = {
	{"Debian", CAIRN_ECOSYSTEM_DEBIAN},
	{"Ubuntu", CAIRN_ECOSYSTEM_DEBIAN},
	{"Alpine", CAIRN_ECOSYSTEM_ALPINE},
	{"Wolfi", CAIRN_ECOSYSTEM_ALPINE},
	{"Chainguard", CAIRN_ECOSYSTEM_ALPINE},
	{"AlmaLinux", CAIRN_ECOSYSTEM_RPM},
	{"Rocky Linux", CAIRN_ECOSYSTEM_RPM},
	{"Red Hat", CAIRN_ECOSYSTEM_RPM},
	{"openSUSE", CAIRN_ECOSYSTEM_RPM},
	{"SUSE", CAIRN_ECOSYSTEM_RPM},
	{"Mageia", CAIRN_ECOSYSTEM_RPM},
	{"openEuler", CAIRN_ECOSYSTEM_RPM},
	{"Photon OS", CAIRN_ECOSYSTEM_RPM},
	{"Azure Linux", CAIRN_ECOSYSTEM_RPM},
	{"PyPI", CAIRN_ECOSYSTEM_PYPI},
	{"npm", CAIRN_ECOSYSTEM_NPM},
	{"Go", CAIRN_ECOSYSTEM_GO},
	{"Maven", CAIRN_ECOSYSTEM_MAVEN},
	{"RubyGems", CAIRN_ECOSYSTEM_RUBYGEMS},
	{"crates.io", CAIRN_ECOSYSTEM_CRATES},
	{"NuGet", CAIRN_ECOSYSTEM_NUGET},
	{"Packagist", CAIRN_ECOSYSTEM_PACKAGIST},
	{"Bitnami", CAIRN_ECOSYSTEM_SEMVER},
	{"Hex", CAIRN_ECOSYSTEM_SEMVER},
	{"SemVer", CAIRN_ECOSYSTEM_SEMVER},
	/* aliases */
	{"deb", CAIRN_ECOSYSTEM_DEBIAN},
	{"dpkg", CAIRN_ECOSYSTEM_DEBIAN},
	{"rpm", CAIRN_ECOSYSTEM_RPM},
	{"redhat", CAIRN_ECOSYSTEM_RPM},
	{"rhel", CAIRN_ECOSYSTEM_RPM},
	{"rocky", CAIRN_ECOSYSTEM_RPM},
	{"alma", CAIRN_ECOSYSTEM_RPM},
	{"fedora", CAIRN_ECOSYSTEM_RPM},
	{"centos", CAIRN_ECOSYSTEM_RPM},
	{"apk", CAIRN_ECOSYSTEM_ALPINE},
	{"python", CAIRN_ECOSYSTEM_PYPI},
	{"pep440", CAIRN_ECOSYSTEM_PYPI},
	{"node", CAIRN_ECOSYSTEM_NPM},
	{"golang", CAIRN_ECOSYSTEM_GO},
	{"java", CAIRN_ECOSYSTEM_MAVEN},
	{"gem", CAIRN_ECOSYSTEM_RUBYGEMS},
	{"ruby", CAIRN_ECOSYSTEM_RUBYGEMS},
	{"crates", CAIRN_ECOSYSTEM_CRATES},
	{"cargo", CAIRN_ECOSYSTEM_CRATES},
	{"rust", CAIRN_ECOSYSTEM_CRATES},
	{"dotnet", CAIRN_ECOSYSTEM_NUGET},
	{"composer", CAIRN_ECOSYSTEM_PACKAGIST},
	{"php", CAIRN_ECOSYSTEM_PACKAGIST},
	{"semver2", CAIRN_ECOSYSTEM_SEMVER},
};

static const char *const eco_canonical[CAIRN_ECOSYSTEM_COUNT] = {
	[CAIRN_ECOSYSTEM_UNKNOWN] = "",
	[CAIRN_ECOSYSTEM_DEBIAN] = "Debian",
	[CAIRN_ECOSYSTEM_RPM] = "RPM",
	[CAIRN_ECOSYSTEM_ALPINE] = "Alpine",
	[CAIRN_ECOSYSTEM_PYPI] = "PyPI",
	[CAIRN_ECOSYSTEM_NPM] = "npm",
	[CAIRN_ECOSYSTEM_GO] = "Go",
	[CAIRN_ECOSYSTEM_MAVEN] = "Maven",
	[CAIRN_ECOSYSTEM_RUBYGEMS] = "RubyGems",
	[CAIRN_ECOSYSTEM_CRATES] = "crates.io",
	[CAIRN_ECOSYSTEM_NUGET] = "NuGet",
	[CAIRN_ECOSYSTEM_PACKAGIST] = "Packagist",
	[CAIRN_ECOSYSTEM_SEMVER] = "SemVer",
};

static const ver_compare_fn eco_compare[CAIRN_ECOSYSTEM_COUNT] = {
	[CAIRN_ECOSYSTEM_DEBIAN] = ver_deb_compare,
	[CAIRN_ECOSYSTEM_RPM] = ver_rpm_compare,
	[CAIRN_ECOSYSTEM_ALPINE] = ver_apk_compare,
	[CAIRN_ECOSYSTEM_PYPI] = ver_pep440_compare,
	[CAIRN_ECOSYSTEM_NPM] = ver_npm_compare,
	[CAIRN_ECOSYSTEM_GO] = ver_go_compare,
	[CAIRN_ECOSYSTEM_MAVEN] = ver_maven_compare,
	[CAIRN_ECOSYSTEM_RUBYGEMS] = ver_rubygems_compare,
	[CAIRN_ECOSYSTEM_CRATES] = ver_crates_compare,
	[CAIRN_ECOSYSTEM_NUGET] = ver_nuget_compare,
	[CAIRN_ECOSYSTEM_PACKAGIST] = ver_composer_compare,
	[CAIRN_ECOSYSTEM_SEMVER] = ver_semver_compare,
};

const char *cairn_ecosystem_known_names(void)
{
	return "Debian, Ubuntu, Alpine, Wolfi, Chainguard, AlmaLinux, Rocky Linux, Red Hat, openSUSE, SUSE, "
	       "Mageia, openEuler, Photon OS, Azure Linux, PyPI, npm, Go, Maven, RubyGems, crates.io, NuGet, "
	       "Packagist, Bitnami, Hex, SemVer (or deb, dpkg, rpm, apk, python, golang, gem, cargo, "
	       "composer, ...; any case, \":RELEASE\" suffix allowed)";
}

int cairn_ecosystem_parse(const char *name, enum cairn_ecosystem *out)
{
	*out = CAIRN_ECOSYSTEM_UNKNOWN;
	if (name == NULL)
		return cairn_error_set(CAIRN_EINVAL, "no ecosystem given");
	/* OSV adds the release after a colon: "Debian:12", "Alpine:v3.19", "Ubuntu:22.04:LTS". */
	size_t len = strcspn(name, ":");
	for (size_t i = 0; i < sizeof eco_names / sizeof eco_names[0]; i++) {
		if (strlen(eco_names[i].name) == len && strncasecmp(eco_names[i].name, name, len) == 0) {
			*out = eco_names[i].ecosystem;
			return 0;
		}
	}
	return cairn_error_set(CAIRN_EUNSUPPORTED, "unknown ecosystem '%.100s'; known: %s", name,
			       cairn_ecosystem_known_names());
}

const char *cairn_ecosystem_name(enum cairn_ecosystem ecosystem)
{
	if ((int)ecosystem < 0 || ecosystem >= CAIRN_ECOSYSTEM_COUNT)
		return "";
	return eco_canonical[ecosystem];
}

static int check_length(enum cairn_ecosystem ecosystem, const char *v)
{
	if (v == NULL)
		return cairn_error_set(CAIRN_EINVAL, "%s: no version given", eco_canonical[ecosystem]);
	size_t len = strnlen(v, CAIRN_VERSION_MAX + 1);
	if (len > CAIRN_VERSION_MAX)
		return cairn_error_set(CAIRN_ETOOBIG, "%s version '%.40s...' is longer than %d bytes",
				       eco_canonical[ecosystem], v, CAIRN_VERSION_MAX);
	return 0;
}

static int valid_ecosystem(enum cairn_ecosystem ecosystem)
{
	if ((int)ecosystem <= CAIRN_ECOSYSTEM_UNKNOWN || ecosystem >= CAIRN_ECOSYSTEM_COUNT)
		return cairn_error_set(CAIRN_EUNSUPPORTED, "unknown ecosystem; known: %s",
				       cairn_ecosystem_known_names());
	return 0;
}

int cairn_version_compare_eco(enum cairn_ecosystem ecosystem, const char *a, const char *b, int *result)
{
	*result = 0;
	int err = valid_ecosystem(ecosystem);
	if (err == 0)
		err = check_length(ecosystem, a);
	if (err == 0)
		err = check_length(ecosystem, b);
	if (err)
		return err;
	struct ver_error why = {NULL, NULL};
	int out = 0;
	if (eco_compare[ecosystem](a, b, &out, &why) != 0)
		return cairn_error_set(CAIRN_EINVAL, "invalid %s version '%s': %s", eco_canonical[ecosystem],
				       why.version ? why.version : "", why.why ? why.why : "not a version");
	*result = out;
	return 0;
}

int cairn_version_compare(const char *ecosystem, const char *a, const char *b, int *result)
{
	enum cairn_ecosystem eco;
	*result = 0;
	int err = cairn_ecosystem_parse(ecosystem, &eco);
	if (err)
		return err;
	return cairn_version_compare_eco(eco, a, b, result);
}

int cairn_version_validate_eco(enum cairn_ecosystem ecosystem, const char *v)
{
	int err = valid_ecosystem(ecosystem);
	if (err == 0)
		err = check_length(ecosystem, v);
	if (err)
		return err;
	if (ecosystem == CAIRN_ECOSYSTEM_ALPINE) {
		/* apk compares anything, but its grammar still says what a valid version is. */
		const char *why = NULL;
		if (ver_apk_validate(v, &why) != 0)
			return cairn_error_set(CAIRN_EINVAL, "invalid Alpine version '%s': %s", v, why);
		return 0;
	}
	int result;
	return cairn_version_compare_eco(ecosystem, v, v, &result);
}

int cairn_version_validate(const char *ecosystem, const char *v)
{
	enum cairn_ecosystem eco;
	int err = cairn_ecosystem_parse(ecosystem, &eco);
	if (err)
		return err;
	return cairn_version_validate_eco(eco, v);
}

int ver_digits_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen > 0 && *a == '0')
		a++, alen--;
	while (blen > 0 && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return ver_sign(memcmp(a, b, alen));
}

int ver_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return ver_sign(c);
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}
