/* SPDX-License-Identifier: MIT */
/* rrl.h -- response rate limiting (off by default). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "query/query.h"

/*
 * Decide the fate of one UDP answer (inside the snapshot read lock).
 * [in]     info: the answer (dz_query_last()).
 * [in]     peer, peerlen: the client.
 * [in,out] resp: the answer; may be rewritten into a truncated slip
 *          answer (TC=1, question only).
 * Returns the length to send: len when allowed, the slip's length, or 0
 * to drop. Off (the default): returns len at once.
 */
size_t dz_rrl_check(const struct dz_query_info *info,
		    const struct sockaddr *peer, socklen_t peerlen,
		    uint8_t *resp, size_t len);
