/* libFuzzer target: version comparison must never crash on any input, must be reflexive, and must
 * be antisymmetric: compare(a, b) == -compare(b, a). Input: one byte choosing the ecosystem, then
 * a and b separated by a NUL byte. */
#include "cairn/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 2 * CAIRN_VERSION_MAX + 8)
		return 0;
	enum cairn_ecosystem eco = (enum cairn_ecosystem)(1 + data[0] % (CAIRN_ECOSYSTEM_COUNT - 1));
	char *a = malloc(size);
	if (a == NULL)
		return 0;
	memcpy(a, data + 1, size - 1);
	a[size - 1] = '\0';
	size_t alen = strlen(a);
	const char *b = alen + 1 < size - 1 ? a + alen + 1 : "";
	int ab, ba, aa;
	int e1 = cairn_version_compare_eco(eco, a, b, &ab);
	int e2 = cairn_version_compare_eco(eco, b, a, &ba);
	if ((e1 == 0) != (e2 == 0))
		__builtin_trap(); /* validity must not depend on argument order */
	if (e1 == 0 && (ab != -ba || ab < -1 || ab > 1))
		__builtin_trap();
	if (cairn_version_compare_eco(eco, a, a, &aa) == 0 && aa != 0)
		__builtin_trap();
	cairn_version_validate_eco(eco, a);
	free(a);
	return 0;
}
