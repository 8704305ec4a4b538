/* SPDX-License-Identifier: MIT */
/* xfr.h -- outgoing zone transfers (AXFR, IXFR), NOTIFY and their ACL. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zone/snapshot.h"

struct event_base;
struct dz_xfr;

/* What dz_xfr_start() made of a query that came over TCP. */
enum dz_xfr_verdict {
	DZ_XFR_NONE = 0,  /* not a transfer: answer it the normal way */
	DZ_XFR_REPLY,     /* one message is in resp (REFUSED, NOTAUTH, an
			   * IXFR that is up to date, ...): send it */
	DZ_XFR_STREAM,    /* a transfer: send dz_xfr_next() until it
			   * returns 0, then dz_xfr_free() */
};

/*
 * Called by tcp.c for every query over TCP, inside a snapshot read lock,
 * before the normal answer path. Cheap when the query is not AXFR/IXFR
 * (it looks at the question type and returns DZ_XFR_NONE).
 * [in]  snap: the published snapshot (may be NULL).
 * [in]  req, reqlen: the query message.
 * [in]  peer, peerlen: the client's address (access control, logs).
 * [out] resp, *resplen: DZ_XFR_REPLY: the message (resp has DZ_MSG_MAX
 *       bytes of room).
 * [out] *out: DZ_XFR_STREAM: the transfer. It holds references to the
 *       zones it needs, so it stays valid outside the read lock.
 */
enum dz_xfr_verdict dz_xfr_start(const struct dz_snapshot *snap,
				 const uint8_t *req, size_t reqlen,
				 const struct sockaddr *peer, socklen_t peerlen,
				 uint8_t *resp, size_t *resplen,
				 struct dz_xfr **out);

/*
 * The next message of a transfer into resp (DZ_MSG_MAX bytes of room);
 * returns its length, or 0 when the transfer is complete. Called outside
 * the read lock, whenever the connection can take more output.
 */
size_t dz_xfr_next(struct dz_xfr *x, uint8_t *resp);

/* Release a transfer, complete or not (peer gone). NULL is a no-op. */
void dz_xfr_free(struct dz_xfr *x);

/*
 * The main loop calls this after every publication (old is NULL for the
 * first snapshot): record IXFR history for zones whose serial moved and
 * send NOTIFY to the configured secondaries for them, from base.
 * Main thread only.
 */
void dz_xfr_published(struct event_base *base, const char *state_dir,
		      const struct dz_snapshot *old,
		      const struct dz_snapshot *snap);

/* Stop NOTIFY retries and free what dz_xfr_published() kept. */
void dz_xfr_shutdown(void);
