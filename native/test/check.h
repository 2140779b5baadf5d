/*
 * check.h: the one CHECK macro of the native unit tests (no framework: each
 * test binary counts its own results and prints "N passed, N failed", the
 * line scripts/test-all.sh adds up).
 */
#ifndef HACO_TEST_CHECK_H
#define HACO_TEST_CHECK_H

#include <stdio.h>

static int failed, passed;

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (cond) {                                         \
			passed++;                                   \
		} else {                                            \
			failed++;                                   \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
		}                                                   \
	} while (0)

#endif
