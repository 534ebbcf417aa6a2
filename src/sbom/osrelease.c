/* /etc/os-release (os-release(5)): which distribution and release a tree holds. Its ID and VERSION_ID
 * become the purl namespace and distro qualifier of the OS packages, and the operating-system
 * component of the SBOM. Lines are KEY=VALUE with shell-style quoting; anything else is ignored. */
#include "cairn/error.h"
#include "sbom_internal.h"

#include <string.h>

#define MAX_VALUE 256

/* Unquotes a value: "..." or '...' with backslash escapes in double quotes, or a bare word. */
static void unquote(const char *s, size_t len, char *out)
{
	size_t o = 0;
	char q = (len > 0 && (s[0] == '"' || s[0] == '\'')) ? s[0] : 0;
	size_t i = q ? 1 : 0;
	for (; i < len && o < MAX_VALUE - 1; i++) {
		if (q && s[i] == q)
			break;
		if (q == '"' && s[i] == '\\' && i + 1 < len)
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
}

int cairn_sbom_parse_os_release(cairn_sbom *sbom, const char *text, size_t len)
{
	cairn_sbom_source *src = cairn_sbom_get_source(sbom);
	static const char *const keys[] = {"ID", "VERSION_ID", "PRETTY_NAME", "VERSION_CODENAME"};
	char **fields[] = {&src->distro_id, &src->distro_version, &src->distro_name, &src->distro_codename};
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(line_end - p));
		for (size_t k = 0; eq != NULL && k < sizeof keys / sizeof keys[0]; k++) {
			if ((size_t)(eq - p) == strlen(keys[k]) && memcmp(p, keys[k], (size_t)(eq - p)) == 0) {
				char value[MAX_VALUE];
				unquote(eq + 1, (size_t)(line_end - eq - 1), value);
				if (value[0] != '\0' && cairn_sbom_set(fields[k], value) != 0)
					return CAIRN_ENOMEM;
			}
		}
		p = line_end + (nl != NULL);
	}
	return 0;
}
