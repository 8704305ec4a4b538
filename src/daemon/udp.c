/* SPDX-License-Identifier: MIT */
/* udp.c -- UDP queries: recvmmsg a batch, answer it, sendmmsg the answers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/server-internal.h"
#include "query/query.h"
#include "util/errcode.h"
#include "util/log.h"
#include "zone/snapshot.h"

_Static_assert(DZ_UDP_BATCH <= DZ_QUERY_BATCH,
	       "a UDP batch is prepared whole in the query context");

/* Batches per readable event before yielding to the other sockets. */
#define UDP_ROUNDS 8

int dz_udp_init(struct dz_worker *w, uint16_t edns_size)
{
	struct dz_udp_batch *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		return DZ_ENOMEM;
	}
	/* A UDP answer never exceeds our EDNS size (a client without EDNS
	 * gets 512 at most), so the answers of one batch fit back to back. */
	b->udp_max = edns_size < 512 ? 512 : edns_size;
	b->tx = malloc(DZ_UDP_BATCH * b->udp_max + DZ_MSG_MAX);
	if (b->tx == NULL) {
		free(b);
		return DZ_ENOMEM;
	}
	w->ub = b;
	return 0;
}

void dz_udp_clear(struct dz_worker *w)
{
	if (w->ub != NULL) {
		free(w->ub->tx);
		free(w->ub);
		w->ub = NULL;
	}
}

/*
 * The receive headers: what stays is set once; what the kernel writes
 * back (name and control lengths, flags) again only for the datagrams
 * it wrote, not all DZ_UDP_BATCH of them each time. Control buffers
 * only for a wildcard socket (it wants the destination address).
 */
static void udp_recv_reset(const struct dz_udp_sock *u,
			   struct dz_udp_batch *b)
{
	size_t ctl = u->pktinfo ? sizeof(b->rctl[0].buf) : 0;
	uint8_t mode = u->pktinfo ? 2 : 1;

	if (b->rmode != mode) {
		for (int i = 0; i < DZ_UDP_BATCH; i++) {
			struct msghdr *h = &b->rmsg[i].msg_hdr;

			b->riov[i].iov_base = b->rx + (size_t)i * DZ_UDP_SLOT;
			b->riov[i].iov_len = DZ_UDP_SLOT;
			h->msg_name = &b->peer[i];
			h->msg_iov = &b->riov[i];
			h->msg_iovlen = 1;
			h->msg_control = ctl ? b->rctl[i].buf : NULL;
		}
		b->rmode = mode;
		b->rused = DZ_UDP_BATCH;
	}
	for (int i = 0; i < b->rused; i++) {
		struct msghdr *h = &b->rmsg[i].msg_hdr;

		h->msg_namelen = sizeof(b->peer[i]);
		h->msg_controllen = ctl;
		h->msg_flags = 0;
	}
}

/* Receive up to DZ_UDP_BATCH datagrams; their count, 0 when none. */
static int udp_recv(struct dz_udp_sock *u, struct dz_udp_batch *b)
{
	int n;

	udp_recv_reset(u, b);
	do {
		n = recvmmsg(u->fd, b->rmsg, DZ_UDP_BATCH, MSG_DONTWAIT, NULL);
	} while (n < 0 && errno == EINTR);
	/* the headers written, and the next one in case it was touched */
	b->rused = n < 0 ? 1 : n < DZ_UDP_BATCH ? n + 1 : DZ_UDP_BATCH;
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			dz_log_debug("udp recvmmsg: %s", strerror(errno));
		}
		return 0;
	}
	return n;
}

/*
 * Turn the query's destination address (IP_PKTINFO / IPV6_PKTINFO) into
 * the source address of the answer, so that a wildcard socket answers
 * from the address the client asked. Without it the kernel would pick the
 * route's preferred address and the client would drop the answer.
 */
static void udp_reply_from(struct msghdr *rh, struct msghdr *sh,
			   union dz_udp_ctl *ctl)
{
	struct cmsghdr *c, *out;

	sh->msg_control = NULL;
	sh->msg_controllen = 0;
	for (c = CMSG_FIRSTHDR(rh); c != NULL; c = CMSG_NXTHDR(rh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			/* ipi_spec_dst is the local address; let the
			 * routing table choose the interface. */
			pi.ipi_ifindex = 0;
			sh->msg_control = ctl->buf;
			sh->msg_controllen = CMSG_SPACE(sizeof(pi));
			out = CMSG_FIRSTHDR(sh);
			out->cmsg_level = IPPROTO_IP;
			out->cmsg_type = IP_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(out), &pi, sizeof(pi));
			return;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			/* Keep the interface index: link-local needs it. */
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			sh->msg_control = ctl->buf;
			sh->msg_controllen = CMSG_SPACE(sizeof(pi));
			out = CMSG_FIRSTHDR(sh);
			out->cmsg_level = IPPROTO_IPV6;
			out->cmsg_type = IPV6_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(out), &pi, sizeof(pi));
			return;
		}
	}
}

/*
 * Parse every query of the batch and start the memory loads of its
 * lookup before answering any of it (query.h): each answer needs its
 * name's hash slot, then the node the slot points to, then the node's
 * RRsets, three dependent cache misses that, one query after another,
 * add up to more than the rest of the answer.
 */
static void udp_prepare(struct dz_worker *w, const struct dz_snapshot *s,
			int n)
{
	struct dz_udp_batch *b = w->ub;

	for (int i = 0; i < n; i++) {
		dz_query_prepare(w->qctx, s, (unsigned)i, b->riov[i].iov_base,
				 b->rmsg[i].msg_len);
	}
	dz_query_prefetch(w->qctx, (unsigned)n);
}

/* Answer the n received queries under one read lock; the answer count. */
static int udp_answer(struct dz_worker *w, const struct dz_udp_sock *u,
		      int n)
{
	struct dz_udp_batch *b = w->ub;
	const struct dz_snapshot *snap;
	bool prep;
	size_t off = 0;
	int m = 0;

	dz_snapshot_read_lock();
	snap = dz_snapshot_current();
	/* one query: nothing to overlap */
	prep = snap != NULL && n > 1;
	if (prep) {
		udp_prepare(w, snap, n);
	}
	for (int i = 0; i < n; i++) {
		struct msghdr *rh = &b->rmsg[i].msg_hdr;
		struct msghdr *sh = &b->smsg[m].msg_hdr;
		size_t len;

		if (rh->msg_flags & MSG_TRUNC) {
			continue; /* longer than any sane query: drop */
		}
		len = dz_worker_answer(w, snap, b->riov[i].iov_base,
				       b->rmsg[i].msg_len, b->tx + off,
				       prep ? DZ_QUERY_PREPARED(i) : 0,
				       (const struct sockaddr *)&b->peer[i],
				       rh->msg_namelen);
		if (len == 0 || len > b->udp_max) {
			continue; /* dropped by the query path, or oversized */
		}
		b->siov[m].iov_base = b->tx + off;
		b->siov[m].iov_len = len;
		off += len;
		sh->msg_name = &b->peer[i];
		sh->msg_namelen = rh->msg_namelen;
		sh->msg_iov = &b->siov[m];
		sh->msg_iovlen = 1;
		sh->msg_flags = 0;
		if (u->pktinfo) {
			udp_reply_from(rh, sh, &b->sctl[m]);
		} else {
			sh->msg_control = NULL;
			sh->msg_controllen = 0;
		}
		m++;
	}
	dz_snapshot_read_unlock();
	return m;
}

/* Send m answers; one that fails (peer unreachable, buffer full) is
 * dropped like a lost datagram. */
static void udp_send(const struct dz_udp_sock *u, struct dz_udp_batch *b,
		     int m)
{
	int k = 0, sent;

	while (k < m) {
		sent = sendmmsg(u->fd, b->smsg + k, (unsigned)(m - k),
				MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR) {
				continue;
			}
			dz_log_debug("udp sendmmsg: %s", strerror(errno));
			k++;
			continue;
		}
		k += sent;
	}
}

void dz_udp_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct dz_udp_sock *u = arg;
	struct dz_worker *w = u->w;
	int n, m;

	(void)fd;
	(void)what;
	for (int round = 0; round < UDP_ROUNDS; round++) {
		n = udp_recv(u, w->ub);
		if (n == 0) {
			break;
		}
		m = udp_answer(w, u, n);
		udp_send(u, w->ub, m);
		if (n < DZ_UDP_BATCH) {
			break; /* drained */
		}
	}
}
