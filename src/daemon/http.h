/* SPDX-License-Identifier: MIT */
/* http.h -- the HTTP endpoint: /metrics, /health, /ready, /status. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "daemon/listen.h"
#include "daemon/opt.h"

struct event_base;
struct dz_http;
struct dz_snapshot;

/* What the endpoint reads from the main loop (all main-thread calls). */
struct dz_http_src {
	/* True once the first snapshot is published and served. */
	bool (*ready)(void *arg);
	/* Every object's status as JSON into out (open_memstream). */
	void (*status_json)(FILE *out, void *arg);
	/* Manifest errors now reported (dropzone_manifest_errors). */
	unsigned (*manifest_errors)(void *arg);
	/* The served snapshot (dropzone_records, dropzone_zone_serial);
	 * valid during the call. */
	const struct dz_snapshot *(*snapshot)(void *arg);
	void *arg;
	/* The DNS listen addresses (optional, copied): when they share one
	 * port the server label is "dns://:PORT" as CoreDNS writes it, else
	 * "dns://". */
	const struct dz_listen_addr *listen;
	size_t nlisten;
};

/*
 * Start the endpoint on base when --http is set (NULL returned and
 * nothing done when it is not). Exits through the caller on a bind
 * failure: *failed set true and the reason logged. Routes, GET and HEAD
 * only: /metrics (Prometheus text format 0.0.4), /health (200 while the
 * main loop runs), /ready (200 once src->ready(), else 503), /status (the
 * objects' status as JSON).
 */
struct dz_http *dz_http_start(struct event_base *base,
			      const struct dz_http_src *src, bool *failed);
void dz_http_free(struct dz_http *h);

/*
 * Reload accounting for /metrics (main thread): one applied batch (ok:
 * published; false: failed, the served zones kept) and how long it took
 * from the first event to publication.
 */
void dz_http_note_reload(bool ok, double seconds);
