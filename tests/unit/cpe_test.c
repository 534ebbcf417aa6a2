/* Unit tests of CPE 2.3 formatted strings: the binding examples of NISTIR 7695 section 6.2 (values given
 * here unquoted, as a cataloger has them; the expected strings are the document's), and which packages
 * get a CPE at all. */
#include "cairn/error.h"
#include "cairn/sbom.h"
#include "sbom/sbom_internal.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <string.h>

static void expect_bound(const char *value, const char *want)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(sbom_cpe_bind_value(value, &out), 0, "%s", value ? value : "(null)");
	cr_assert_str_eq(cairn_buf_cstr(&out), want);
	cairn_buf_free(&out);
}

static void expect_refused(const char *value)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_neq(sbom_cpe_bind_value(value, &out), 0, "%s", value);
	cairn_buf_free(&out);
}

/* NISTIR 7695 6.2.5, examples 1-6: each attribute value as bound into the formatted string. */
Test(cpe, nistir_7695_value_binding)
{
	expect_bound("microsoft", "microsoft");
	expect_bound("internet_explorer", "internet_explorer");
	expect_bound("8.0.6001", "8.0.6001");          /* WFN 8\.0\.6001: "." is not quoted in FS */
	expect_bound("beta", "beta");
	expect_bound("8.*", "8.\\*");                  /* WFN 8\.\* (a literal asterisk) -> 8.\* */
	expect_bound("sp?", "sp\\?");                  /* a literal question mark stays quoted */
	expect_bound("7.4.0.1570", "7.4.0.1570");
	expect_bound("online", "online");
	expect_bound("win2003", "win2003");
	expect_bound("x64", "x64");
	expect_bound("openview_network_manager", "openview_network_manager");
	expect_bound("foo\\bar", "foo\\\\bar");        /* WFN foo\\bar -> foo\\bar */
	expect_bound("big$money_2010", "big\\$money_2010");
	expect_bound("ipod_touch", "ipod_touch");
	expect_bound("80gb", "80gb");
	expect_bound(NULL, "*");                       /* ANY */
	expect_bound("", "*");
	/* other punctuation is quoted too (6.2.2.2: only "-", "." and "_" are unquoted) */
	expect_bound("1.0.0+build:5", "1.0.0\\+build\\:5");
	expect_bound("a-b_c", "a-b_c");
}

Test(cpe, values_a_wfn_cannot_hold_are_refused)
{
	expect_refused("-"); /* would read back as NA */
	expect_refused("two words");
	expect_refused("tab\there");
	expect_refused("caf\xc3\xa9");
	char longv[600];
	memset(longv, 'a', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	expect_refused(longv);
}

Test(cpe, formatted_strings_of_the_examples)
{
	cairn_buf out = CAIRN_BUF_INIT;
	/* example 1's first five components; its update "beta" is not something packages record */
	cr_assert_eq(sbom_cpe_format(&out, "microsoft", "internet_explorer", "8.0.6001"), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:*:*:*:*:*:*:*");
	cairn_buf_clear(&out);
	/* example 4: hp openview_network_manager 7.51 (target_sw left ANY here) */
	cr_assert_eq(sbom_cpe_format(&out, "hp", "openview_network_manager", "7.51"), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:*:*:*");
	cairn_buf_clear(&out);
	/* example 6's vendor and product, version ANY */
	cr_assert_eq(sbom_cpe_format(&out, "foo\\bar", "big$money_2010", NULL), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "cpe:2.3:a:foo\\\\bar:big\\$money_2010:*:*:*:*:*:*:*:*");
	cairn_buf_clear(&out);
	/* lowercase vendor and product; a refused value leaves nothing behind */
	cr_assert_eq(sbom_cpe_format(&out, "Apache", "Log4J", "2.17.1"), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "cpe:2.3:a:apache:log4j:2.17.1:*:*:*:*:*:*:*");
	cairn_buf_clear(&out);
	cr_assert_neq(sbom_cpe_format(&out, "a b", "x", "1"), 0);
	cr_assert_eq(out.len, 0);
	cr_assert_neq(sbom_cpe_format(&out, "x", "y", "-"), 0);
	cr_assert_eq(out.len, 0);
	cairn_buf_free(&out);
}

static cairn_sbom_package *add(cairn_sbom *sbom, const char *type, const char *ns, const char *name, const char *version)
{
	size_t i;
	cr_assert_eq(cairn_sbom_add_package(sbom, type, name, version, &i), 0);
	cairn_sbom_package *p = cairn_sbom_package_at(sbom, i);
	if (ns)
		cr_assert_eq(cairn_sbom_set(&p->namespace_, ns), 0);
	return p;
}

static void expect_cpe(const cairn_sbom_package *p, const char *want)
{
	if (want == NULL) {
		cr_assert_eq(p->cpe_count, 0, "%s %s got %s", p->type, p->name, p->cpe_count ? p->cpes[0] : "");
		return;
	}
	cr_assert_eq(p->cpe_count, 1, "%s %s has no CPE", p->type, p->name);
	cr_assert_str_eq(p->cpes[0], want);
}

Test(cpe, generated_only_where_metadata_supports_it)
{
	cairn_sbom *sbom;
	cr_assert_eq(cairn_sbom_new(&sbom), 0);
	cr_assert_eq(cairn_sbom_set(&cairn_sbom_get_source(sbom)->distro_id, "debian"), 0);
	cairn_sbom_package *npm = add(sbom, "npm", NULL, "lodash", "4.17.21");
	cairn_sbom_package *scoped = add(sbom, "npm", "@babel", "core", "7.24.0");
	cairn_sbom_package *py = add(sbom, "pypi", NULL, "Jinja2", "3.1.3");
	cairn_sbom_package *crate = add(sbom, "cargo", NULL, "regex", "1.10.3");
	cairn_sbom_package *gh = add(sbom, "golang", "github.com/gorilla", "websocket", "v1.5.1");
	cairn_sbom_package *xsys = add(sbom, "golang", "golang.org/x", "sys", "v0.17.0");
	cairn_sbom_package *std = add(sbom, "golang", NULL, "stdlib", "go1.22.1");
	cairn_sbom_package *devel = add(sbom, "golang", "github.com/me", "app", "(devel)");
	cairn_sbom_package *mvn = add(sbom, "maven", "org.apache.logging.log4j", "log4j-core", "2.17.1");
	cairn_sbom_package *mvn1 = add(sbom, "maven", "junit", "junit", "4.13.2");
	cairn_sbom_package *deb = add(sbom, "deb", "debian", "bash", "5.2.15-2+b2");
	cairn_sbom_package *apk = add(sbom, "apk", NULL, "musl", "1.2.4-r2"); /* distro from os-release */
	cairn_sbom_package *odd = add(sbom, "cargo", NULL, "weird", "1.0 beta");
	cairn_sbom_package *other = add(sbom, "github", "actions", "checkout", "4");
	cairn_sbom_package *has = add(sbom, "npm", NULL, "kept", "1.0.0");
	cr_assert_eq(cairn_sbom_add_cpe(has, "cpe:2.3:a:vendor:kept:1.0.0:*:*:*:*:*:*:*"), 0);
	cr_assert_eq(sbom_cpe_generate(sbom), 0);
	expect_cpe(npm, "cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*");
	expect_cpe(scoped, NULL);
	expect_cpe(py, "cpe:2.3:a:jinja2:jinja2:3.1.3:*:*:*:*:*:*:*");
	expect_cpe(crate, "cpe:2.3:a:regex:regex:1.10.3:*:*:*:*:*:*:*");
	expect_cpe(gh, "cpe:2.3:a:gorilla:websocket:1.5.1:*:*:*:*:*:*:*");
	expect_cpe(xsys, NULL);
	expect_cpe(std, "cpe:2.3:a:golang:go:1.22.1:*:*:*:*:*:*:*");
	expect_cpe(devel, NULL);
	expect_cpe(mvn, "cpe:2.3:a:apache:log4j-core:2.17.1:*:*:*:*:*:*:*");
	expect_cpe(mvn1, NULL);
	expect_cpe(deb, "cpe:2.3:a:debian:bash:5.2.15-2\\+b2:*:*:*:*:*:*:*");
	expect_cpe(apk, "cpe:2.3:a:debian:musl:1.2.4-r2:*:*:*:*:*:*:*");
	expect_cpe(odd, NULL);
	expect_cpe(other, NULL);
	expect_cpe(has, "cpe:2.3:a:vendor:kept:1.0.0:*:*:*:*:*:*:*");
	/* twice is harmless: a package that has a CPE keeps exactly it */
	cr_assert_eq(sbom_cpe_generate(sbom), 0);
	expect_cpe(npm, "cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*");
	/* written into CycloneDX (cpe) and SPDX (cpe23Type external references) */
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_sbom_write(sbom, CAIRN_SBOM_CYCLONEDX_16, &out), 0);
	cr_assert_not_null(strstr(cairn_buf_cstr(&out), "\"cpe\": \"cpe:2.3:a:lodash:lodash:4.17.21:*:*:*:*:*:*:*\""));
	cairn_buf_clear(&out);
	cr_assert_eq(cairn_sbom_write(sbom, CAIRN_SBOM_SPDX_23, &out), 0);
	cr_assert_not_null(strstr(cairn_buf_cstr(&out), "cpe23Type"));
	cr_assert_not_null(strstr(cairn_buf_cstr(&out), "cpe:2.3:a:golang:go:1.22.1:*:*:*:*:*:*:*"));
	cairn_buf_free(&out);
	cairn_sbom_free(sbom);
}
