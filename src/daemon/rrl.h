/* SPDX-License-Identifier: MIT */
/* rrl.h -- response rate limiting (off by default). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "query/query.h"

/*
 * Make the shared table from dz_limits (rrl_rate 0: nothing to make).
 * Call once before the workers start (dz_server_new does). 0 or
 * DZ_ENOMEM. dz_rrl_free() releases it; both are no-ops when off.
 */
int dz_rrl_init(void);
void dz_rrl_free(void);

/*
 * Decide the fate of one UDP answer (inside the snapshot read lock).
 * [in]     info: the answer (dz_query_last()).
 * [in]     peer, peerlen: the client.
 * [in,out] resp: the answer; may be rewritten into a truncated slip
 *          answer (TC=1, question only).
 * Returns the length to send: len when allowed, the slip's length, or 0
 * to drop. Off (the default): returns len at once.
 *
 * Each answer falls in one bucket: the client's prefix (/24, /56 by
 * default) with, for a positive answer, its qname and qtype; for a
 * wildcard answer, its zone and qtype; for NXDOMAIN, NODATA and
 * referrals, its zone; all errors (REFUSED, FORMERR, ...) of a prefix
 * share one bucket. A bucket passes rrl_rate answers per second; past
 * that every rrl_slip-th is sent truncated, the rest dropped.
 */
size_t dz_rrl_check(const struct dz_query_info *info,
		    const struct sockaddr *peer, socklen_t peerlen,
		    uint8_t *resp, size_t len);

/* dz_rrl_check() at a given second of the monotonic clock (tests). */
size_t dz_rrl_check_at(const struct dz_query_info *info,
		       const struct sockaddr *peer, socklen_t peerlen,
		       uint8_t *resp, size_t len, uint32_t now);
