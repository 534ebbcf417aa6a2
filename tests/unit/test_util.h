/* Helpers shared by the unit tests. */
#ifndef CAIRN_TEST_UTIL_H
#define CAIRN_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdlib.h>

/* The shared corpus directory; fails the test with a clear message when it is missing. */
static inline const char *test_corpus(void)
{
	const char *dir = getenv("CAIRN_CORPUS");
	if (dir == NULL || dir[0] == '\0')
		dir = "../shared/corpus";
	return dir;
}

#endif
