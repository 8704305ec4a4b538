/* SPDX-License-Identifier: MIT */
/* stats.c -- per-worker counters: stub until metrics land. */
#include <stdlib.h>

#include "daemon/stats.h"

struct dz_wstats {
	unsigned id;
};

struct dz_wstats *dz_stats_worker_new(unsigned id)
{
	struct dz_wstats *s = calloc(1, sizeof(*s));

	if (s != NULL) {
		s->id = id;
	}
	return s;
}

void dz_stats_worker_free(struct dz_wstats *s)
{
	free(s);
}

void dz_stats_count(struct dz_wstats *s, const struct dz_query_info *info,
		    unsigned flags, const struct sockaddr *peer, size_t len)
{
	(void)s;
	(void)info;
	(void)flags;
	(void)peer;
	(void)len;
}
