/* Unit tests of the .NET cataloger: a deps.json as the .NET SDK writes it (the dotnet/runtime
 * "DotNetCore.Deps.json" design document's shape: runtimeTarget, targets per framework and runtime,
 * libraries by "Name/Version"), and hostile input. The comparison with an independent reading of the
 * sample is in tests/e2e/sbom_ruby_php.bats. */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char deps[] =
	"{\n"
	"  \"runtimeTarget\": {\"name\": \".NETCoreApp,Version=v8.0/linux-x64\", \"signature\": \"\"},\n"
	"  \"compilationOptions\": {},\n"
	"  \"targets\": {\n"
	"    \".NETCoreApp,Version=v8.0\": {},\n"
	"    \".NETCoreApp,Version=v8.0/linux-x64\": {\n"
	"      \"MyApp/1.0.0\": {\n"
	"        \"dependencies\": {\"Newtonsoft.Json\": \"13.0.3\", \"Serilog.Sinks.Console\": \"5.0.1\",\n"
	"                         \"MyLib\": \"1.0.0\", \"Microsoft.NETCore.App.Runtime.linux-x64\": \"8.0.0\"},\n"
	"        \"runtime\": {\"MyApp.dll\": {}}\n"
	"      },\n"
	"      \"Microsoft.NETCore.App.Runtime.linux-x64/8.0.0\": {\"runtime\": {\"System.Runtime.dll\": {}}},\n"
	"      \"Newtonsoft.Json/13.0.3\": {\"runtime\": {\"lib/net6.0/Newtonsoft.Json.dll\": {\"assemblyVersion\": \"13.0.0.0\"}}},\n"
	"      \"Serilog/3.1.1\": {},\n"
	"      \"Serilog.Sinks.Console/5.0.1\": {\"dependencies\": {\"serilog\": \"3.1.1\", \"Missing\": \"1.0\"}},\n"
	"      \"MyLib/1.0.0\": {\"dependencies\": {\"Newtonsoft.Json\": \"13.0.3\", \"Legacy\": \"1.0.0.0\"}},\n"
	"      \"Legacy/1.0.0.0\": {}\n"
	"    }\n"
	"  },\n"
	"  \"libraries\": {\n"
	"    \"MyApp/1.0.0\": {\"type\": \"project\", \"serviceable\": false, \"sha512\": \"\"},\n"
	"    \"Microsoft.NETCore.App.Runtime.linux-x64/8.0.0\": {\"type\": \"runtimepack\", \"serviceable\": false, \"sha512\": \"\"},\n"
	"    \"Newtonsoft.Json/13.0.3\": {\"type\": \"package\", \"serviceable\": true,\n"
	"      \"sha512\": \"sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==\",\n"
	"      \"path\": \"newtonsoft.json/13.0.3\", \"hashPath\": \"newtonsoft.json.13.0.3.nupkg.sha512\"},\n"
	"    \"Serilog/3.1.1\": {\"type\": \"package\", \"serviceable\": true, \"sha512\": \"sha512-x\"},\n"
	"    \"Serilog.Sinks.Console/5.0.1\": {\"type\": \"package\", \"serviceable\": true, \"sha512\": \"sha512-y\"},\n"
	"    \"MyLib/1.0.0\": {\"type\": \"project\", \"serviceable\": false, \"sha512\": \"\"},\n"
	"    \"Legacy/1.0.0.0\": {\"type\": \"reference\", \"serviceable\": false, \"sha512\": \"\"}\n"
	"  }\n"
	"}\n";

static size_t find(const cairn_sbom *sbom, const char *purl)
{
	for (size_t i = 0; i < cairn_sbom_package_count(sbom); i++)
		if (strcmp(cairn_sbom_package_at(sbom, i)->purl, purl) == 0)
			return i;
	cr_assert_fail("no package %s", purl);
	return 0;
}

static int depends(const cairn_sbom *sbom, size_t from, size_t to)
{
	for (size_t i = 0; i < cairn_sbom_relationship_count(sbom); i++) {
		const cairn_sbom_relationship *r = cairn_sbom_relationship_at(sbom, i);
		if (r->from == from && r->to == to && r->type == CAIRN_SBOM_REL_DEPENDS_ON)
			return 1;
	}
	return 0;
}

static cairn_sbom *parse(const char *text, size_t len)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(sbom_dotnet_parse_deps(sbom, text, len, "/app/MyApp.deps.json", NULL), 0, "%s", cairn_error_message());
	cr_assert_eq(cairn_sbom_finish(sbom), 0);
	return sbom;
}

Test(sbom_dotnet, deps_json)
{
	cairn_sbom *sbom = parse(deps, sizeof deps - 1);
	cr_assert_eq(cairn_sbom_package_count(sbom), 6, "a reference assembly is no package");
	size_t app = find(sbom, "pkg:nuget/MyApp@1.0.0"), lib = find(sbom, "pkg:nuget/MyLib@1.0.0");
	size_t json = find(sbom, "pkg:nuget/Newtonsoft.Json@13.0.3"), serilog = find(sbom, "pkg:nuget/Serilog@3.1.1");
	size_t console = find(sbom, "pkg:nuget/Serilog.Sinks.Console@5.0.1");
	size_t runtime = find(sbom, "pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@8.0.0");
	cr_assert(depends(sbom, app, json));
	cr_assert(depends(sbom, app, console));
	cr_assert(depends(sbom, app, lib));
	cr_assert(depends(sbom, app, runtime));
	cr_assert(depends(sbom, lib, json));
	cr_assert(depends(sbom, console, serilog), "NuGet ids compare without case");
	cr_assert_eq(cairn_sbom_relationship_count(sbom), 6);
	const cairn_sbom_package *p = cairn_sbom_package_at(sbom, json);
	cr_assert_str_eq(p->type, "nuget");
	cr_assert_str_eq(p->name, "Newtonsoft.Json");
	cr_assert_str_eq(p->locations[0].path, "/app/MyApp.deps.json");
	cr_assert_eq(cairn_sbom_warning_count(sbom), 0);
	cairn_sbom_free(sbom);
}

Test(sbom_dotnet, hostile)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"targets\": {}}",
		"{\"libraries\": {\"NoVersion\": {\"type\": \"package\"}, \"a/b/c\": {\"type\": \"package\"},\n"
		" \"/1.0\": {\"type\": \"package\"}, \"x y/1\": {\"type\": \"package\"}, \"ok/1 2\": {\"type\": \"package\"},\n"
		" \"Fine/1.0\": {\"type\": \"package\"}, \"NoType/1.0\": {}, \"Num/1.0\": {\"type\": 5}},\n"
		" \"targets\": {\"t\": {\"Fine/1.0\": {\"dependencies\": {\"Fine\": \"1.0\", \"a\": 1}}}, \"u\": []}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cairn_sbom *sbom = parse(bad[i], strlen(bad[i]));
		cr_assert_eq(cairn_sbom_package_count(sbom), i == 3 ? 1 : 0, "case %zu", i);
		cr_assert_eq(cairn_sbom_relationship_count(sbom), 0, "a self-dependency is no edge");
		int named = 0;
		for (size_t w = 0; w < cairn_sbom_warning_count(sbom); w++)
			named |= strstr(cairn_sbom_warning(sbom, w), "/app/MyApp.deps.json") != NULL;
		cr_assert(named, "case %zu: a warning names the file", i);
		cairn_sbom_free(sbom);
	}
	cr_assert(sbom_dotnet_wants("app/MyApp.deps.json", 100));
	cr_assert(!sbom_dotnet_wants("app/MyApp.deps.json", 64 * 1024 * 1024));
	cr_assert(!sbom_dotnet_wants("app/MyApp.runtimeconfig.json", 100));
}
