/* libFuzzer target: image reference parsing must never crash, and whatever it accepts must format to
 * a full reference that parses back to the same parts (the normalised form is a fixed point). */
#include "cairn/ref.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cairn_ref ref, again;
	if (cairn_ref_parse(&ref, text) == 0) {
		cairn_buf full = CAIRN_BUF_INIT;
		if (cairn_ref_format(&ref, &full) != 0 || cairn_ref_parse(&again, cairn_buf_cstr(&full)) != 0)
			__builtin_trap(); /* an accepted reference whose full form is refused */
		const char *tag = ref.tag != NULL || ref.digest != NULL ? ref.tag : "latest";
		if (!same(ref.registry, again.registry) || !same(ref.repository, again.repository) ||
		    !same(tag, again.tag) || !same(ref.digest, again.digest))
			__builtin_trap();
		if (cairn_ref_check_registry(ref.registry) != 0 || cairn_ref_check_repository(ref.repository) != 0)
			__builtin_trap();
		(void)cairn_ref_registry_is_loopback(ref.registry);
		cairn_ref_free(&again);
		cairn_ref_free(&ref);
		cairn_buf_free(&full);
	}
	(void)cairn_ref_registry_is_loopback(text);
	free(text);
	return 0;
}
