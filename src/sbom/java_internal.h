/* java_internal.h - what the Java cataloger's files share (catalog_java.c reads archives, java_meta.c
 * reads the metadata files inside them). */
#ifndef CAIRN_JAVA_INTERNAL_H
#define CAIRN_JAVA_INTERNAL_H

#include "sbom_internal.h"

#include <stddef.h>
#include <stdint.h>

/* Bounds on one top archive (a JAR, WAR or EAR found in the tree) and everything nested inside it. */
typedef struct sbom_java_limits {
	unsigned max_depth;  /* archives nested below the top one (a jar in a war in an ear is depth 2) */
	size_t max_entries;  /* zip entries across the top archive and all nested ones */
	uint64_t max_total;  /* uncompressed bytes read: nested archives and metadata files together */
	uint64_t max_nested; /* one nested archive, uncompressed */
	uint64_t max_meta;   /* one pom.properties, pom.xml or MANIFEST.MF */
} sbom_java_limits;

/* Defaults: depth 5, 500,000 entries, 512 MiB in all, 128 MiB per nested archive, 1 MiB per file. */
void sbom_java_limits_default(sbom_java_limits *limits);

/* Catalogs one archive held in memory, found at path (named in locations and warnings); layer may
 * be NULL, limits NULL means the defaults. Trouble inside the archive (damage, a limit, a malformed
 * pom.xml) is a warning; only running out of memory (or the SBOM's package cap) fails. */
int sbom_java_parse_archive(cairn_sbom *sbom, const void *data, size_t len, const char *path, const char *layer,
			    const sbom_java_limits *limits);

/* What one META-INF/maven/<group>/<artifact>/ directory, or a MANIFEST.MF, says. NULL: not said. */
typedef struct java_meta {
	char *group, *artifact, *version, *name;
	char *parent_group, *parent_version;
	char **licenses;
	size_t license_count;
} java_meta;

void java_meta_clear(java_meta *m);

/* pom.properties (java.util.Properties text format): groupId, artifactId, version. Never fails on
 * content; only on memory. */
int java_parse_properties(java_meta *m, const char *text, size_t len);

/* pom.xml: project groupId/artifactId/version/name, parent groupId/version, licenses/license/name, and
 * ${...} references to those and to <properties>. A bounded reader of well-formed XML: no DTD, no
 * entities beyond the five predefined ones and character references, so nothing external is ever
 * fetched or expanded. Malformed or unsupported XML is CAIRN_EINVAL with a message naming what. */
int java_parse_pom_xml(java_meta *m, const char *text, size_t len, const char *what);

/* MANIFEST.MF main section: name from Implementation-Title, Bundle-SymbolicName, Specification-Title or
 * Automatic-Module-Name; version from Implementation-Version, Bundle-Version or Specification-Version;
 * group from Implementation-Vendor-Id. Continuation lines (a leading space) are joined. */
int java_parse_manifest(java_meta *m, const char *text, size_t len);

#endif
