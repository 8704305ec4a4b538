/* SPDX-License-Identifier: MIT */
/* stats.h -- per-worker query counters (metrics) and the query log. */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

#include "query/query.h"

struct dz_wstats;

/*
 * Counters of one worker thread, written by that thread only (no lock on
 * the query path) and summed by the scraper. id: the worker's index.
 * NULL on OOM.
 */
struct dz_wstats *dz_stats_worker_new(unsigned id);
void dz_stats_worker_free(struct dz_wstats *s);

/*
 * Count one answer (and write the query log line when it is on). Called
 * inside the snapshot read lock, so info->zone may be read.
 * [in] flags: DZ_QUERY_* (DZ_QUERY_TCP: proto tcp).
 * [in] peer: the client (family label, query log).
 * [in] len: what is sent after rate limiting (0: nothing).
 */
void dz_stats_count(struct dz_wstats *s, const struct dz_query_info *info,
		    unsigned flags, const struct sockaddr *peer, size_t len);
