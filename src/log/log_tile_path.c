/* C2SP tlog-tiles resource paths: "tile/<L>/<N>[.p/<W>]" and "tile/entries/<N>[.p/<W>]".
 *
 * <L> is 0..63 and <W> 1..255, both decimal without leading zeros. <N> is written in groups of three
 * digits, every group but the last prefixed with 'x' ("x001/x234/067" for 1234067). Parsing is strict:
 * only the one canonical spelling of each resource is accepted (so a cache keyed by path cannot be fed
 * two names for one tile), which also means no leading "x000/" group. */
#include "cairn/error.h"
#include "cairn/logstore.h"

#include <stdbool.h>
#include <string.h>

#define MAX_LEVEL 63
#define MAX_GROUPS 7 /* 2^64 has 20 digits */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int bad(const char *path, const char *why)
{
	return cairn_error_set(CAIRN_EINVAL, "tile path '%.120s': %s", path, why);
}

/* A decimal number 0..max with no leading zeros; advances *p past it. */
static bool parse_small(const char **p, unsigned max, unsigned *out)
{
	const char *s = *p;
	unsigned value = 0;
	size_t n = 0;
	while (is_digit(s[n]) && n < 4) {
		value = value * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n == 0 || n > 3 || is_digit(s[n]) || (n > 1 && s[0] == '0') || value > max)
		return false;
	*p = s + n;
	*out = value;
	return true;
}

static bool three_digits(const char *s, unsigned *out)
{
	if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]))
		return false;
	*out = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
	return true;
}

/* <N>: "xDDD/" groups then a final "DDD"; advances *p past it. */
static int parse_index(const char *path, const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t value = 0;
	for (unsigned groups = 0;; groups++) {
		bool more = s[0] == 'x';
		unsigned group;
		if (groups == MAX_GROUPS)
			return bad(path, "the tile index has too many digits");
		if (!three_digits(s + more, &group))
			return bad(path, "the tile index must be groups of three digits (x001/x234/067)");
		if (more && groups == 0 && group == 0)
			return bad(path, "the tile index has a leading x000 group");
		if (value > (UINT64_MAX - group) / 1000)
			return bad(path, "the tile index is too large");
		value = value * 1000 + group;
		s += 3 + more;
		if (!more)
			break;
		if (*s != '/')
			return bad(path, "the tile index must be groups of three digits (x001/x234/067)");
		s++;
	}
	*p = s;
	*out = value;
	return 0;
}

int cairn_log_tile_path_parse(const char *path, int *entries, unsigned *level, uint64_t *index, unsigned *width)
{
	if (path == NULL)
		return cairn_error_set(CAIRN_EINVAL, "tile path: none given");
	const char *p = path + (path[0] == '/');
	if (strncmp(p, "tile/", 5) != 0)
		return bad(path, "does not start with tile/");
	p += 5;
	int is_entries = strncmp(p, "entries/", 8) == 0;
	unsigned lvl = 0, w = CAIRN_LOG_TILE_WIDTH;
	if (is_entries) {
		p += 8;
	} else if (!parse_small(&p, MAX_LEVEL, &lvl) || *p++ != '/') {
		return bad(path, "the level must be a number from 0 to 63 without leading zeros, then '/'");
	}
	uint64_t n = 0;
	int err = parse_index(path, &p, &n);
	if (err != 0)
		return err;
	if (strncmp(p, ".p/", 3) == 0) {
		p += 3;
		if (!parse_small(&p, CAIRN_LOG_TILE_WIDTH - 1, &w) || w == 0)
			return bad(path, "a partial tile's width must be a number from 1 to 255 without leading zeros");
	}
	if (*p != '\0')
		return bad(path, "unexpected text after the tile index");
	*entries = is_entries;
	*level = lvl;
	*index = n;
	*width = w;
	return 0;
}

int cairn_log_tile_path_format(int entries, unsigned level, uint64_t index, unsigned width, cairn_buf *out)
{
	if (level > MAX_LEVEL || (entries && level != 0))
		return cairn_error_set(CAIRN_EINVAL, "tile level %u: must be 0..63 (0 for entry bundles)", level);
	if (width == 0 || width > CAIRN_LOG_TILE_WIDTH)
		return cairn_error_set(CAIRN_EINVAL, "tile width %u: must be 1..256", width);
	/* The groups of three digits, most significant first. */
	unsigned groups[MAX_GROUPS];
	size_t count = 0;
	do {
		groups[count++] = (unsigned)(index % 1000);
		index /= 1000;
	} while (index > 0);
	int err = entries ? cairn_buf_append_str(out, "/tile/entries/") : cairn_buf_printf(out, "/tile/%u/", level);
	for (size_t i = count; err == 0 && i-- > 0;)
		err = cairn_buf_printf(out, i > 0 ? "x%03u/" : "%03u", groups[i]);
	if (err == 0 && width < CAIRN_LOG_TILE_WIDTH)
		err = cairn_buf_printf(out, ".p/%u", width);
	return err;
}
