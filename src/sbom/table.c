/* The `table` format: NAME VERSION TYPE, one package a line, sorted, columns aligned - for people. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <stdlib.h>
#include <string.h>

static int cmp_row(const void *va, const void *vb)
{
	const cairn_sbom_package *a = *(cairn_sbom_package *const *)va, *b = *(cairn_sbom_package *const *)vb;
	int c = strcmp(a->name, b->name);
	if (c == 0)
		c = strcmp(a->version, b->version);
	if (c == 0)
		c = strcmp(a->type, b->type);
	return c;
}

int cairn_sbom_write_table(cairn_sbom *sbom, cairn_buf *out)
{
	int err = cairn_sbom_finish(sbom);
	if (err)
		return err;
	size_t n = cairn_sbom_package_count(sbom);
	cairn_sbom_package **rows = calloc(n ? n : 1, sizeof *rows);
	if (rows == NULL)
		return cairn_error_set(CAIRN_ENOMEM, "table: out of memory");
	int wname = 4, wversion = 7;
	for (size_t i = 0; i < n; i++) {
		rows[i] = cairn_sbom_package_at(sbom, i);
		int ln = (int)strnlen(rows[i]->name, 200), lv = (int)strnlen(rows[i]->version, 200);
		wname = ln > wname ? ln : wname;
		wversion = lv > wversion ? lv : wversion;
	}
	qsort(rows, n, sizeof *rows, cmp_row);
	err = cairn_buf_printf(out, "%-*s  %-*s  %s\n", wname, "NAME", wversion, "VERSION", "TYPE");
	for (size_t i = 0; !err && i < n; i++)
		err = cairn_buf_printf(out, "%-*s  %-*s  %s\n", wname, rows[i]->name, wversion, rows[i]->version, rows[i]->type);
	free(rows);
	return err;
}

int cairn_sbom_format_parse(const char *name, enum cairn_sbom_format *out)
{
	static const struct {
		const char *name;
		enum cairn_sbom_format format;
	} formats[] = {
		{"cyclonedx-json", CAIRN_SBOM_CYCLONEDX_16}, {"cyclonedx-json@1.6", CAIRN_SBOM_CYCLONEDX_16},
		{"cyclonedx-json@1.5", CAIRN_SBOM_CYCLONEDX_15}, {"spdx-json", CAIRN_SBOM_SPDX_23},
		{"spdx-json@2.3", CAIRN_SBOM_SPDX_23}, {"table", CAIRN_SBOM_TABLE},
	};
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	return cairn_error_set(CAIRN_EINVAL,
			       "unknown SBOM format '%s' (cyclonedx-json, cyclonedx-json@1.5, spdx-json, table)", name);
}

int cairn_sbom_write(cairn_sbom *sbom, enum cairn_sbom_format format, cairn_buf *out)
{
	switch (format) {
	case CAIRN_SBOM_CYCLONEDX_16: return cairn_sbom_write_cyclonedx(sbom, 6, out);
	case CAIRN_SBOM_CYCLONEDX_15: return cairn_sbom_write_cyclonedx(sbom, 5, out);
	case CAIRN_SBOM_SPDX_23: return cairn_sbom_write_spdx(sbom, out);
	case CAIRN_SBOM_TABLE: return cairn_sbom_write_table(sbom, out);
	}
	return cairn_error_set(CAIRN_EINVAL, "unknown SBOM format %d", (int)format);
}
