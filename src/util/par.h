/* SPDX-License-Identifier: MIT */
/* par.h -- run one function on a few threads at once (load-time work). */
#pragma once

#include <stddef.h>

/* Threads at most, whatever is asked. */
#define DZ_PAR_MAX 16

/*
 * Threads worth starting for n independent items: the online CPUs (or
 * want, when not 0), at most DZ_PAR_MAX, and none beyond one per
 * min_items items. At least 1.
 */
unsigned dz_par_threads(unsigned want, size_t n, size_t min_items);

/*
 * Run fn(arg) on threads threads -- the caller's among them -- and
 * return once all have returned. fn takes its work from arg (an atomic
 * counter is the usual way). A thread that cannot be started is simply
 * not there: fn must cope with fewer threads, never with none.
 */
void dz_par_run(unsigned threads, void (*fn)(void *arg), void *arg);
