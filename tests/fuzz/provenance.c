/* libFuzzer target: the checks verify-provenance runs on an untrusted statement. */
#include "cairn/dsse.h"
#include "cairn/error.h"
#include "cairn/json.h"
#include "cairn/provenance.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cairn_intoto_statement st;
	if (cairn_intoto_statement_parse(&st, data, size, "fuzz") != 0)
		return 0;
	json_t *doc = NULL;
	if (cairn_json_parse(&doc, data, size, NULL, "fuzz") == 0) {
		cairn_provenance_expect e;
		memset(&e, 0, sizeof e);
		e.artifact = st.subject_count && st.subjects[0].digest_count ? st.subjects[0].digests[0] : e.artifact;
		e.source_uri = "github.com/o/r";
		e.source_tag = "v1.0.0";
		e.builder_id = "https://github.com/o/r/.github/workflows/b.yml";
		cairn_provenance_result r;
		memset(&r, 0, sizeof r);
		cairn_provenance_check_statement(&st, doc, &e, &r);
		cairn_provenance_result_free(&r);
		e.source_tag = NULL;
		e.source_versioned_tag = "v1.2";
		const char *inputs[] = {"release=v1", "n="};
		e.workflow_inputs = inputs;
		e.workflow_input_count = 2;
		cairn_provenance_check_statement(&st, doc, &e, NULL);
		e.source_versioned_tag = NULL;
		e.workflow_input_count = 0;
		e.source_branch = "main";
		cairn_provenance_check_statement(&st, doc, &e, NULL);
		json_decref(doc);
	}
	cairn_intoto_statement_free(&st);
	return 0;
}
