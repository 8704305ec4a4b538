/* SPDX-License-Identifier: MIT */
/* heap.c -- the first load's heap in transparent huge pages. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/heap.h"
#include "util/log.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* Less than malloc's mmap threshold (main.c sets 1 GiB): from the heap. */
#define STEP ((size_t)256 << 20)
/* What main.c sets; the reserve must stay below the trim threshold
 * while it is free, or free() gives it straight back. */
#define TRIM_NORMAL (1 << 30)
#define TRIM_RESERVE 0x7fffffff

static uintptr_t huge_lo;

size_t dz_heap_huge_begin(size_t reserve)
{
	void *steps[TRIM_RESERVE / STEP];
	size_t n = 0;
	uintptr_t lo, hi;
	char *a;

	if (reserve > TRIM_RESERVE - STEP) {
		reserve = TRIM_RESERVE - STEP;
	}
	mallopt(M_TRIM_THRESHOLD, TRIM_RESERVE);
	a = sbrk(0);
	/* In steps: one malloc of it all would be mmap'd, not heap. */
	while (n * STEP < reserve && (steps[n] = malloc(STEP)) != NULL) {
		n++;
	}
	while (n > 0) {
		free(steps[--n]);
	}
	lo = ((uintptr_t)a + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	if (a == (void *)-1 || hi <= lo ||
	    madvise((void *)lo, hi - lo, MADV_HUGEPAGE) != 0) {
		mallopt(M_TRIM_THRESHOLD, TRIM_NORMAL);
		return 0;
	}
	huge_lo = lo;
	dz_log_debug("heap: %zu MB in huge pages for the first load",
		     (size_t)((hi - lo) >> 20));
	return hi - lo;
}

int dz_heap_huge_end(void)
{
	uintptr_t hi;

	if (huge_lo == 0) {
		return 0;
	}
	mallopt(M_TRIM_THRESHOLD, TRIM_NORMAL);
	malloc_trim(0);
	hi = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	if (hi > huge_lo) {
		madvise((void *)huge_lo, hi - huge_lo, MADV_NOHUGEPAGE);
	}
	huge_lo = 0;
	return 1;
}
