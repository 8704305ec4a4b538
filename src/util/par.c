/* SPDX-License-Identifier: MIT */
/* par.c -- run one function on a few threads at once (load-time work). */
#include <pthread.h>
#include <unistd.h>

#include "util/par.h"

struct job {
	void (*fn)(void *arg);
	void *arg;
};

static void *trampoline(void *p)
{
	struct job *j = p;

	j->fn(j->arg);
	return NULL;
}

unsigned dz_par_threads(unsigned want, size_t n, size_t min_items)
{
	size_t t = want;

	if (t == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		t = c > 0 ? (size_t)c : 1;
	}
	if (min_items > 0 && t > n / min_items) {
		t = n / min_items;
	}
	if (t > DZ_PAR_MAX) {
		t = DZ_PAR_MAX;
	}
	return t > 0 ? (unsigned)t : 1;
}

void dz_par_run(unsigned threads, void (*fn)(void *arg), void *arg)
{
	struct job j = { .fn = fn, .arg = arg };
	pthread_t tid[DZ_PAR_MAX];
	unsigned started = 0;

	for (unsigned i = 1; i < threads && i < DZ_PAR_MAX; i++) {
		if (pthread_create(&tid[started], NULL, trampoline, &j) == 0) {
			started++;
		}
	}
	fn(arg);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
	}
}
