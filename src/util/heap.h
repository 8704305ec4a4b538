/* SPDX-License-Identifier: MIT */
/* heap.h -- the first load's heap in transparent huge pages. */
#pragma once

#include <stddef.h>

/*
 * Before the first load: grow malloc's main heap by up to reserve bytes
 * (address space only: nothing is touched) and ask for it to be backed
 * by transparent huge pages, so that the load's first touches are one
 * page fault per 2 MiB instead of per 4 KiB (a fault costs 5-20 us in
 * a VM: most of a million-record start-up's system time). Does nothing
 * where the heap is not glibc's brk heap (sanitizers, valgrind) or the
 * system says no. Needs malloc's mmap threshold above 256 MiB (main.c
 * sets it), else the reserve is mapped apart. Main thread, once. Returns the bytes advised (0: none).
 */
size_t dz_heap_huge_begin(size_t reserve);

/*
 * After the first load is published: give the free heap back
 * (malloc_trim splits the huge pages it frees part of) and withdraw the
 * advice, so that khugepaged never collapses the sparse ranges a later
 * reload leaves behind (that would grow resident memory). A no-op when
 * dz_heap_huge_begin did nothing. Returns whether it trimmed.
 */
int dz_heap_huge_end(void);
