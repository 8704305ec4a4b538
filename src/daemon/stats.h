/* SPDX-License-Identifier: MIT */
/* stats.h -- per-worker query counters (metrics) and the query log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "query/query.h"

struct dz_wstats;

/* --query-log: one debug line per query (seen with --log-level debug). */
extern bool dz_stats_query_log;

/*
 * Counters of one worker thread, written by that thread only (no lock on
 * the query path) and summed by the scraper. id: the worker's index.
 * Registers the worker for dz_stats_write(). NULL on OOM.
 */
struct dz_wstats *dz_stats_worker_new(unsigned id);
/* Unregister and free (its counts leave the sums). NULL: no-op. */
void dz_stats_worker_free(struct dz_wstats *s);

/*
 * Count one answer (and write the query log line when it is on). Called
 * inside the snapshot read lock, so info->zone may be read.
 * [in] flags: DZ_QUERY_* (DZ_QUERY_TCP: proto tcp).
 * [in] peer: the client (family label, query log).
 * [in] len: what is sent after rate limiting (0: nothing).
 * Hot path: no allocation, no lock, no system call.
 */
void dz_stats_count(struct dz_wstats *s, const struct dz_query_info *info,
		    unsigned flags, const struct sockaddr *peer, size_t len);

/*
 * Write dropzone_dns_requests_total, dropzone_dns_responses_total and
 * dropzone_dns_request_duration_seconds, summed over every registered
 * worker, in the Prometheus text format (0.0.4), with the label
 * server="server" on every series. Any thread; takes the registry lock.
 */
void dz_stats_write(FILE *out, const char *server);

/*
 * Write a label value with the escapes of the text format (\\, \", \n).
 */
void dz_stats_put_label(FILE *out, const char *value);
