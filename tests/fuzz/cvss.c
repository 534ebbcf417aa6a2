/* libFuzzer target: CVSS vector parsing and scoring must never crash, and whatever is accepted must
 * score within 0.0..10.0, to one decimal, with a rating; advisory severity words likewise. */
#include "cairn/cvss.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A little past the length limit, so the limit itself is exercised too. */
	if (size > 2 * CAIRN_CVSS_VECTOR_MAX)
		return 0;
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	double score = -1.0;
	enum cairn_cvss_version version = 0;
	if (cairn_cvss_score(text, &score, &version) == 0) {
		if (!(score >= 0.0 && score <= 10.0))
			__builtin_trap();
		if (fabs(score * 10.0 - round(score * 10.0)) > 1e-9)
			__builtin_trap(); /* not rounded to one decimal */
		if (version != CAIRN_CVSS_V2_0 && version != CAIRN_CVSS_V3_0 && version != CAIRN_CVSS_V3_1 &&
		    version != CAIRN_CVSS_V4_0)
			__builtin_trap();
		if (cairn_cvss_rating(score, version) == CAIRN_SEVERITY_UNKNOWN)
			__builtin_trap();
	}
	enum cairn_severity severity;
	if (cairn_severity_parse(text, &severity) == 0 && strcmp(cairn_severity_name(severity), "") == 0)
		__builtin_trap();
	free(text);
	return 0;
}
