/* libFuzzer target: the advisory readers (OSV JSON and YAML, RustSec/HSEC Markdown with TOML,
 * RubySec, FriendsOfPHP, Alpine secdb, the Debian tracker) and the matcher must never crash on any
 * input, and a stored rule must match the same after its round trip through JSON text, as the
 * database stores it. Input: one byte choosing the reader, then the document. */
#include "cairn/error.h"
#include "cairn/json.h"
#include "vuln/vuln_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const VERSIONS[] = {"0", "1.0.0", "v1.2.3", "2.0", "1.0-r0", "1:1.0-1", "0.1-3", "1.0.0-rc.1"};

static int check(void *ctx, struct vuln_advisory *adv)
{
	(void)ctx;
	for (size_t i = 0; i < adv->n_affected; i++) {
		const struct vuln_affected *a = &adv->affected[i];
		char *text = json_dumps(a->spec, JSON_COMPACT);
		json_t *again = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		for (size_t v = 0; v < sizeof VERSIONS / sizeof VERSIONS[0]; v++) {
			int hit1 = 0, hit2 = 0;
			cairn_buf fixed = CAIRN_BUF_INIT;
			int e1 = vuln_spec_affects(a->ecosystem, a->spec, VERSIONS[v], &hit1, &fixed);
			int e2 = again ? vuln_spec_affects(a->ecosystem, again, VERSIONS[v], &hit2, NULL) : e1;
			cairn_buf_free(&fixed);
			if (again != NULL && (e1 != e2 || (e1 == 0 && hit1 != hit2)))
				__builtin_trap();
		}
		json_decref(again);
	}
	vuln_advisory_free(adv);
	return 0;
}

static void read_tree(const json_t *doc, int yaml)
{
	struct vuln_advisory *adv;
	if (vuln_osv_from_json(doc, "fuzz", &adv) == 0)
		check(NULL, adv);
	vuln_alpine_read("fuzz", doc, check, NULL);
	if (yaml) {
		vuln_rubysec_read("fuzz", doc, check, NULL);
		vuln_friendsofphp_read("fuzz/a/b.yaml", doc, check, NULL);
	} else {
		vuln_debian_read("fuzz", doc, check, NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1024 * 1024)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	json_t *doc = NULL;
	switch (data[0] % 4) {
	case 0: {
		cairn_json_limits limits = {len + 1, VULN_MAX_DEPTH};
		if (cairn_json_parse(&doc, text, len, &limits, "fuzz") == 0)
			read_tree(doc, 0);
		break;
	}
	case 1:
		if (vuln_yaml_parse(text, len, "fuzz", &doc) == 0)
			read_tree(doc, 1);
		break;
	case 2:
		vuln_rustsec_read("fuzz", text, len, check, NULL);
		break;
	default:
		if (vuln_toml_parse(text, len, "fuzz", &doc) == 0)
			read_tree(doc, 0);
		break;
	}
	json_decref(doc);
	cairn_error_clear();
	return 0;
}
