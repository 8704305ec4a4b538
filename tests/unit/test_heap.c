/* SPDX-License-Identifier: MIT */
/* test_heap.c -- the first load's heap in huge pages, and its undoing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/heap.h"

/* The VmFlags of the mapping that holds addr (/proc/self/smaps). */
static bool flags_at(uintptr_t addr, char *buf, size_t sz)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, found = false;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = addr >= lo && addr < hi;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(buf, sz, "%s", line + 8);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool has_flag(const char *flags, const char *f)
{
	char pad[520];

	snprintf(pad, sizeof(pad), " %s ", flags);
	for (char *p = pad; *p != '\0'; p++) {
		if (*p == '\n') {
			*p = ' ';
		}
	}
	char want[8];
	snprintf(want, sizeof(want), " %s ", f);
	return strstr(pad, want) != NULL;
}

#define HUGE ((uintptr_t)2 << 20)

static void test_huge_then_normal(void **state)
{
	char flags[512];
	size_t got;
	void *keep;
	uintptr_t top0, top1, huge;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip(); /* AddressSanitizer's malloc has no brk heap */
#endif
	/* as dropzoned sets it (main.c): big blocks from the heap */
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	keep = malloc(1000); /* the heap exists */
	assert_non_null(keep);
	top0 = (uintptr_t)sbrk(0);
	got = dz_heap_huge_begin((size_t)64 << 20);
	/* the reserve is heap, untouched, advised for huge pages */
	assert_true(got >= (size_t)56 << 20);
	assert_true((uintptr_t)sbrk(0) >= top0 + got);
	/* a load's allocations come from it */
	void *p = malloc((size_t)8 << 20);
	assert_non_null(p);
	assert_true((uintptr_t)p + ((size_t)1 << 20) >= top0 &&
		    (uintptr_t)p < (uintptr_t)sbrk(0));
	memset(p, 1, (size_t)8 << 20);
	free(p);
	/* (stdio's buffers now come from the bottom of the free top) */
	huge = ((top0 + HUGE - 1) & ~(HUGE - 1)) + HUGE / 2;
	assert_true(flags_at(huge, flags, sizeof(flags)));
	assert_true(has_flag(flags, "hg"));
	/* then the free top goes back and the advice is withdrawn */
	assert_int_equal(dz_heap_huge_end(), 1);
	top1 = (uintptr_t)sbrk(0);
	assert_true(top1 < top0 + ((size_t)4 << 20));
	assert_true(flags_at(top1 - 1, flags, sizeof(flags)));
	assert_false(has_flag(flags, "hg"));
	/* and the heap a reload grows again is in normal pages */
	p = malloc((size_t)32 << 20);
	assert_non_null(p);
	memset(p, 1, (size_t)32 << 20);
	assert_true(flags_at((uintptr_t)p + ((size_t)16 << 20), flags,
			     sizeof(flags)));
	assert_false(has_flag(flags, "hg"));
	free(p);
	/* once */
	assert_int_equal(dz_heap_huge_end(), 0);
	free(keep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_huge_then_normal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
