/* SPDX-License-Identifier: MIT */
/* query.h -- one DNS query message in, one response out. The hot path. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone/snapshot.h"

/* Our EDNS UDP payload size unless configured (DNS flag day 2020). */
#define DZ_EDNS_SIZE_DEFAULT 1232
/* Room for the largest message (TCP). */
#define DZ_MSG_MAX 65535

struct dz_query_ctx; /* per worker: compression table, rotation counter */

/*
 * One per worker thread, made at startup. edns_size is the payload size we
 * advertise and the cap for UDP answers to EDNS clients (512..65535).
 * NULL on OOM.
 */
struct dz_query_ctx *dz_query_ctx_new(uint16_t edns_size);
void dz_query_ctx_free(struct dz_query_ctx *q);

enum {
	DZ_QUERY_TCP = 1 << 0, /* came over TCP: no size limit but 65535 */
};

/*
 * Answer one query.
 * [in]  snap: the published snapshot (inside a read lock), may be NULL
 *       (then everything is REFUSED).
 * [in]  req, reqlen: the query message.
 * [out] resp: at least DZ_MSG_MAX bytes.
 * [in]  flags: DZ_QUERY_*.
 * Returns the response length, or 0 when the query must be dropped (too
 * short to answer, QR set). Follows RFC 1034 4.3.2, 1035, 2181, 2308, 6891,
 * 8482: see query.c. Hot path: no allocation, no lock, no syscall.
 */
size_t dz_query_answer(struct dz_query_ctx *q, const struct dz_snapshot *snap,
		       const uint8_t *req, size_t reqlen, uint8_t *resp,
		       unsigned flags);
