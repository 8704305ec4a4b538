/* SPDX-License-Identifier: MIT */
/* answer.c -- one query through a worker: answer, rate limit, count. */
#include "daemon/rrl.h"
#include "daemon/server-internal.h"
#include "daemon/stats.h"
#include "query/query.h"
#include "xfr/xfr.h"

/*
 * A query signed with our TSIG key (a secondary's SOA query): verified
 * and answered unsigned, then the answer signed (RFC 8945 5.3). Only
 * with --tsig-key; without it query.c answers a signed query NOTAUTH.
 */
static size_t answer_signed(struct dz_worker *w,
			    const struct dz_snapshot *snap, const uint8_t *req,
			    size_t reqlen, uint8_t *resp, unsigned flags,
			    bool *done)
{
	struct dz_xfr_tsig *ctx = NULL;
	size_t slen = 0, len = 0;

	switch (dz_xfr_tsig_unwrap(req, reqlen, w->tsig_buf, &slen, resp,
				   &len, &ctx)) {
	case DZ_XFR_TSIG_REPLY:
		*done = true;
		return len;
	case DZ_XFR_TSIG_SIGNED:
		*done = true;
		len = dz_query_answer(w->qctx, snap, w->tsig_buf, slen, resp,
				      flags);
		return dz_xfr_tsig_wrap(ctx, resp, len, (flags & DZ_QUERY_TCP) ?
					DZ_MSG_MAX : w->ub->udp_max);
	default:
		*done = false;
		return 0;
	}
}

/*
 * IXFR over UDP (RFC 1995 2) goes to the transfer code, which applies the
 * access rules of TCP transfers. Only QTYPE IXFR gets here, after the
 * query path (which answered FORMERR): the hot path stays as it was.
 * The query path's answer stands when the query is not a well-formed
 * IXFR; else the new one replaces it, and info describes it.
 */
static size_t ixfr_udp(struct dz_worker *w, const struct dz_snapshot *snap,
		       const uint8_t *req, size_t reqlen, uint8_t *resp,
		       size_t len, const struct sockaddr *peer,
		       struct dz_query_info *info)
{
	const struct dz_zone *z = NULL;
	size_t n = 0;

	if (!dz_xfr_udp(snap, req, reqlen, peer, w->ub->udp_max, resp, &n,
			&z)) {
		return len;
	}
	info->zone = z;
	info->rcode = n >= 12 ? resp[3] & 0x0f : 0;
	info->cls = info->rcode == 0 ? DZ_ANS_POSITIVE :
		    info->rcode == 5 ? DZ_ANS_REFUSED : DZ_ANS_ERROR;
	info->tc = n >= 12 && (resp[2] & 0x02);
	info->len = n;
	return n;
}

size_t dz_worker_answer(struct dz_worker *w, const struct dz_snapshot *snap,
			const uint8_t *req, size_t reqlen, uint8_t *resp,
			unsigned flags, const struct sockaddr *peer,
			socklen_t peerlen)
{
	struct dz_query_info info;
	bool done = false;
	size_t len = 0;

	if (dz_xfr_tsig_enabled()) {
		len = answer_signed(w, snap, req, reqlen, resp, flags, &done);
	}
	if (!done) {
		len = dz_query_answer(w->qctx, snap, req, reqlen, resp, flags);
	}
	dz_query_last(w->qctx, &info);
	if (info.qtype == 251 && !(flags & DZ_QUERY_TCP)) { /* IXFR */
		len = ixfr_udp(w, snap, req, reqlen, resp, len, peer, &info);
	}
	if (len > 0 && !(flags & DZ_QUERY_TCP)) {
		len = dz_rrl_check(&info, peer, peerlen, resp, len);
	}
	dz_stats_count(w->stats, &info, flags, peer, len);
	return len;
}

void dz_worker_count_xfr(struct dz_worker *w, const struct dz_zone *zone,
			 uint16_t qtype, unsigned rcode,
			 const struct sockaddr *peer)
{
	static const uint8_t root = 0;
	struct dz_query_info info = {
		.zone = zone, .qname = &root, .qname_len = 1,
		.qtype = qtype, .qclass = 1, .rcode = (uint16_t)rcode,
		.len = 1,
	};

	dz_stats_count(w->stats, &info, DZ_QUERY_TCP, peer, 1);
}
