/* cairn/version.h - exact version ordering for every ecosystem cairn catalogs.
 *
 * Each ecosystem orders versions by its own tool's rules: dpkg for Debian and Ubuntu, rpmvercmp for
 * the RPM distributions, apk-tools for Alpine, PEP 440 for PyPI, node-semver for npm, x/mod/semver
 * for Go, ComparableVersion for Maven, Gem::Version for RubyGems, the semver crate for crates.io,
 * NuGet's NuGetVersion, PHP's version_compare for Packagist, and SemVer 2.0 for the rest.
 *
 * Ecosystem names are accepted as OSV writes them ("Debian", "Debian:12", "Rocky Linux", "PyPI",
 * "crates.io", ...) and by short aliases ("deb", "rpm", "apk", "python", "cargo", ...), ignoring
 * case. A version is at most CAIRN_VERSION_MAX bytes. */
#ifndef CAIRN_VERSION_H
#define CAIRN_VERSION_H

#define CAIRN_VERSION_MAX 1024

/* The ordering rules an ecosystem uses; several OSV ecosystems share one (Ubuntu uses DEBIAN). */
enum cairn_ecosystem {
	CAIRN_ECOSYSTEM_UNKNOWN = 0,
	CAIRN_ECOSYSTEM_DEBIAN,    /* dpkg: [epoch:]upstream[-revision] */
	CAIRN_ECOSYSTEM_RPM,       /* rpmvercmp over [epoch:]version[-release] */
	CAIRN_ECOSYSTEM_ALPINE,    /* apk-tools */
	CAIRN_ECOSYSTEM_PYPI,      /* PEP 440 */
	CAIRN_ECOSYSTEM_NPM,       /* node-semver */
	CAIRN_ECOSYSTEM_GO,        /* golang.org/x/mod/semver */
	CAIRN_ECOSYSTEM_MAVEN,     /* maven-artifact ComparableVersion */
	CAIRN_ECOSYSTEM_RUBYGEMS,  /* Gem::Version */
	CAIRN_ECOSYSTEM_CRATES,    /* the Rust semver crate (build metadata ordered last) */
	CAIRN_ECOSYSTEM_NUGET,     /* NuGetVersion */
	CAIRN_ECOSYSTEM_PACKAGIST, /* PHP version_compare, as Composer uses it */
	CAIRN_ECOSYSTEM_SEMVER,    /* SemVer 2.0.0, build metadata ignored */
	CAIRN_ECOSYSTEM_COUNT
};

/* Resolves an ecosystem name (OSV spelling or alias, any case, an optional ":release" suffix
 * ignored). CAIRN_EUNSUPPORTED, with a message listing the known names, when it is not one. */
int cairn_ecosystem_parse(const char *name, enum cairn_ecosystem *out);

/* The canonical name of an ecosystem's ordering ("Debian", "PyPI", ...); "" for UNKNOWN. */
const char *cairn_ecosystem_name(enum cairn_ecosystem ecosystem);

/* A comma-separated list of the accepted names, for help texts and error messages. */
const char *cairn_ecosystem_known_names(void);

/* Compares versions a and b of an ecosystem: *result is -1, 0 or 1 as a is lower, equal or higher.
 * CAIRN_EINVAL naming the ecosystem, the version and the reason when a version is invalid there;
 * CAIRN_ETOOBIG when one is over CAIRN_VERSION_MAX; CAIRN_EUNSUPPORTED for an unknown ecosystem. */
int cairn_version_compare(const char *ecosystem, const char *a, const char *b, int *result);
int cairn_version_compare_eco(enum cairn_ecosystem ecosystem, const char *a, const char *b, int *result);

/* 0 when v is a valid version of the ecosystem, else the error compare would give for it. Alpine,
 * RPM and Maven versions are compared whatever they hold, as their own tools do, but validation
 * still reports the versions those tools call invalid (apk's grammar; rpm and Maven accept all). */
int cairn_version_validate(const char *ecosystem, const char *v);
int cairn_version_validate_eco(enum cairn_ecosystem ecosystem, const char *v);

#endif
