/* The scan report as a table for people: PACKAGE INSTALLED FIXED ID SEVERITY SCORE, in the result's
 * order (severity, then package, then ID), the findings VEX suppressed in a section of their own
 * with the statement's justification, and a one-line summary. */
#include "cairn/error.h"
#include "cairn/scan.h"

#include <stdio.h>
#include <string.h>

#define CELL_MAX 60 /* wider cells are cut: a table row must stay readable */

struct widths {
	int package, installed, fixed, id, severity;
};

static int width(const char *s)
{
	size_t n = strlen(s);
	return n > CELL_MAX ? CELL_MAX : (int)n;
}

static void measure(const cairn_scan_result *r, int suppressed, struct widths *w)
{
	*w = (struct widths){7, 9, 5, 2, 8};
	for (size_t i = 0; i < cairn_scan_count(r); i++) {
		const cairn_scan_finding *f = cairn_scan_get(r, i);
		if (f->suppressed != suppressed)
			continue;
		const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
		int lp = width(p->name), li = width(p->version), lf = width(f->vuln.fixed), lid = width(f->vuln.id);
		int ls = suppressed ? width(f->vex->status) : 8;
		w->package = lp > w->package ? lp : w->package;
		w->installed = li > w->installed ? li : w->installed;
		w->fixed = lf > w->fixed ? lf : w->fixed;
		w->id = lid > w->id ? lid : w->id;
		w->severity = ls > w->severity ? ls : w->severity;
	}
}

static int findings_rows(const cairn_scan_result *r, cairn_buf *out)
{
	struct widths w;
	measure(r, 0, &w);
	int err = cairn_buf_printf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w.package, "PACKAGE", w.installed, "INSTALLED",
				   w.fixed, "FIXED", w.id, "ID", w.severity, "SEVERITY", "SCORE");
	for (size_t i = 0; !err && i < cairn_scan_count(r); i++) {
		const cairn_scan_finding *f = cairn_scan_get(r, i);
		if (f->suppressed)
			continue;
		const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
		char score[16] = "-";
		if (f->vuln.score >= 0)
			snprintf(score, sizeof score, "%.1f", f->vuln.score);
		err = cairn_buf_printf(out, "%-*.*s  %-*.*s  %-*.*s  %-*.*s  %-*s  %s\n", w.package, CELL_MAX, p->name,
				       w.installed, CELL_MAX, p->version, w.fixed, CELL_MAX,
				       f->vuln.fixed[0] ? f->vuln.fixed : "-", w.id, CELL_MAX, f->vuln.id, w.severity,
				       cairn_severity_name(f->vuln.severity), score);
	}
	return err;
}

static int suppressed_rows(const cairn_scan_result *r, cairn_buf *out)
{
	struct widths w;
	measure(r, 1, &w);
	int err = cairn_buf_printf(out, "\nSuppressed by VEX:\n%-*s  %-*s  %-*s  %-*s  %s\n", w.package, "PACKAGE",
				   w.installed, "INSTALLED", w.id, "ID", w.severity, "STATUS", "JUSTIFICATION");
	for (size_t i = 0; !err && i < cairn_scan_count(r); i++) {
		const cairn_scan_finding *f = cairn_scan_get(r, i);
		if (!f->suppressed)
			continue;
		const cairn_sbom_package *p = cairn_sbom_package_at(cairn_scan_sbom(r), f->package);
		const char *why = f->vex->justification[0] ? f->vex->justification : f->vex->impact_statement;
		err = cairn_buf_printf(out, "%-*.*s  %-*.*s  %-*.*s  %-*s  %s\n", w.package, CELL_MAX, p->name, w.installed,
				       CELL_MAX, p->version, w.id, CELL_MAX, f->vuln.id, w.severity, f->vex->status,
				       why[0] ? why : "-");
	}
	return err;
}

static int summary_line(const cairn_scan_result *r, cairn_buf *out)
{
	size_t counts[CAIRN_SEVERITY_CRITICAL + 1] = {0}, shown = 0, suppressed = 0;
	for (size_t i = 0; i < cairn_scan_count(r); i++) {
		const cairn_scan_finding *f = cairn_scan_get(r, i);
		if (f->suppressed) {
			suppressed++;
		} else {
			shown++;
			counts[f->vuln.severity]++;
		}
	}
	int err = cairn_buf_printf(out, "\n%zu vulnerabilit%s (critical %zu, high %zu, medium %zu, low %zu, other %zu)",
				   shown, shown == 1 ? "y" : "ies", counts[CAIRN_SEVERITY_CRITICAL],
				   counts[CAIRN_SEVERITY_HIGH], counts[CAIRN_SEVERITY_MEDIUM], counts[CAIRN_SEVERITY_LOW],
				   counts[CAIRN_SEVERITY_NONE] + counts[CAIRN_SEVERITY_UNKNOWN]);
	if (!err)
		err = cairn_buf_printf(out, ", %zu suppressed by VEX, in %zu packages (%zu matched against the database)\n",
				       suppressed, cairn_sbom_package_count(cairn_scan_sbom(r)), cairn_scan_packages_matched(r));
	return err;
}

int cairn_scan_write_table(const cairn_scan_result *r, cairn_buf *out)
{
	size_t suppressed = 0;
	for (size_t i = 0; i < cairn_scan_count(r); i++)
		suppressed += cairn_scan_get(r, i)->suppressed != 0;
	int err = 0;
	if (cairn_scan_count(r) > suppressed)
		err = findings_rows(r, out);
	else
		err = cairn_buf_append_str(out, "No vulnerabilities found.\n");
	if (!err && suppressed > 0)
		err = suppressed_rows(r, out);
	if (!err)
		err = summary_line(r, out);
	return err;
}
