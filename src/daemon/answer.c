/* SPDX-License-Identifier: MIT */
/* answer.c -- one query through a worker: answer, rate limit, count. */
#include "daemon/rrl.h"
#include "daemon/server-internal.h"
#include "daemon/stats.h"
#include "query/query.h"

size_t dz_worker_answer(struct dz_worker *w, const struct dz_snapshot *snap,
			const uint8_t *req, size_t reqlen, uint8_t *resp,
			unsigned flags, const struct sockaddr *peer,
			socklen_t peerlen)
{
	struct dz_query_info info;
	size_t len;

	len = dz_query_answer(w->qctx, snap, req, reqlen, resp, flags);
	dz_query_last(w->qctx, &info);
	if (len > 0 && !(flags & DZ_QUERY_TCP)) {
		len = dz_rrl_check(&info, peer, peerlen, resp, len);
	}
	dz_stats_count(w->stats, &info, flags, peer, len);
	return len;
}
