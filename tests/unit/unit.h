/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal test harness: CHECK() records a failure with what was expected
 * and what was seen; each TEST prints "ok" or "not ok"; the run ends with
 * "N passed, N failed".
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_passed, unit_failed, unit_case_failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		if (unit_case_failed++ < 5) {				\
			fprintf(stderr, "  %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
		}							\
	}								\
} while (0)

#define RUN(fn) do {							\
	unit_case_failed = 0;						\
	fn();								\
	if (unit_case_failed) {						\
		unit_failed++;						\
		printf("not ok - %s (%d checks failed)\n", #fn, unit_case_failed); \
	} else {							\
		unit_passed++;						\
		printf("ok - %s\n", #fn);				\
	}								\
} while (0)

#define UNIT_END() do {							\
	printf("%d passed, %d failed\n", unit_passed, unit_failed);	\
	return unit_failed ? 1 : 0;					\
} while (0)

/* xorshift64*: reproducible pseudo-random numbers */
static unsigned long long unit_rng = 0x9e3779b97f4a7c15ULL;

static inline unsigned long long unit_rand(void)
{
	unit_rng ^= unit_rng >> 12;
	unit_rng ^= unit_rng << 25;
	unit_rng ^= unit_rng >> 27;
	return unit_rng * 2685821657736338717ULL;
}

#endif
