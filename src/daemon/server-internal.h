/* SPDX-License-Identifier: MIT */
/* server-internal.h -- worker layout shared by server.c, udp.c and tcp.c. */
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon/listen.h"

/* Datagrams per recvmmsg()/sendmmsg() call. */
#define DZ_UDP_BATCH 32
/* Receive room per datagram; a longer query is dropped (MSG_TRUNC). */
#define DZ_UDP_SLOT 4096
/* TCP connections are made this many at a time, as the load asks; the
 * limits (total, per source) are in limits.h. */
#define DZ_TCP_SLAB 64
/* Inline input room per TCP connection: queries longer than this (rare)
 * get a tcp_max_message buffer for the rest of the connection. */
#define DZ_TCP_INLINE 1024

struct dz_worker;
struct dz_tcp_slab;
struct dz_wstats;
struct dz_xfr;
struct dz_snapshot;

struct dz_udp_sock {
	struct event ev;
	int fd;
	bool pktinfo;          /* wildcard: answer from the query's address */
	struct dz_worker *w;
};

struct dz_tcp_listener {
	struct event ev;
	struct event resume;   /* accept paused (EMFILE): timer to resume */
	bool paused;
	int fd;
	struct dz_worker *w;
};

struct dz_tcp_conn {
	struct event rev;      /* EV_READ | EV_PERSIST, timeout: deadline */
	struct event wev;      /* EV_WRITE | EV_PERSIST, while output waits */
	struct dz_worker *w;
	struct dz_tcp_conn *next_free;
	int fd;                /* -1 when free */
	bool eof;              /* peer closed its side: finish, then close */
	bool done;             /* tcp_max_queries reached: finish, close */
	uint16_t src[2];       /* per-source counter slots (tcp.c) */
	uint32_t nqueries;
	int64_t t_idle;        /* ms: accepted or last query complete */
	int64_t t_msg;         /* ms: first octet of the partial query */
	uint8_t *in;           /* inl, or a 2 + tcp_max_message buffer */
	size_t in_len;
	size_t in_cap;
	uint8_t *out;          /* unsent rest of one response (heap, lazy) */
	size_t out_off;
	size_t out_len;
	struct dz_xfr *xfr;    /* a zone transfer being sent, or NULL */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	uint8_t inl[DZ_TCP_INLINE];
};

/* Control message room for one in_pktinfo or in6_pktinfo. */
union dz_udp_ctl {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

/* Per-worker UDP batch state: everything recvmmsg/sendmmsg point into. */
struct dz_udp_batch {
	struct mmsghdr rmsg[DZ_UDP_BATCH];
	struct mmsghdr smsg[DZ_UDP_BATCH];
	struct iovec riov[DZ_UDP_BATCH];
	struct iovec siov[DZ_UDP_BATCH];
	struct sockaddr_storage peer[DZ_UDP_BATCH];
	union dz_udp_ctl rctl[DZ_UDP_BATCH];
	union dz_udp_ctl sctl[DZ_UDP_BATCH];
	uint8_t rx[DZ_UDP_BATCH * DZ_UDP_SLOT];
	uint8_t rmode;         /* rmsg set up: 0 not, 1 plain, 2 pktinfo */
	int rused;             /* rmsg headers the kernel may have written */
	/* Responses back to back; room for DZ_UDP_BATCH answers of at most
	 * udp_max bytes plus DZ_MSG_MAX, the room dz_query_answer() asks. */
	uint8_t *tx;
	size_t udp_max;
};

struct dz_worker {
	unsigned id;
	pthread_t thread;
	bool started;
	struct event_base *base;
	struct dz_query_ctx *qctx;
	struct dz_wstats *stats;          /* this worker's counters */
	uint8_t *tsig_buf;                /* a signed query, unsigned */
	struct dz_udp_sock *udp;          /* one per address */
	struct dz_tcp_listener *tcp;      /* one per address */
	size_t naddrs;
	struct dz_udp_batch *ub;
	uint8_t *resp;                    /* TCP: 2-byte length + DZ_MSG_MAX */
	struct dz_tcp_slab *slabs;        /* every connection, used or free */
	struct dz_tcp_conn *free_conns;
};

/* udp.c: batch buffers (0 or DZ_ENOMEM), release, readable callback. */
int dz_udp_init(struct dz_worker *w, uint16_t edns_size);
void dz_udp_clear(struct dz_worker *w);
void dz_udp_on_read(evutil_socket_t fd, short what, void *arg);

/* tcp.c: connection pool (0 or DZ_ENOMEM), close all and release, accept
 * callback of a listener, and its resume timer (accept paused on EMFILE).
 */
int dz_tcp_init(struct dz_worker *w);
void dz_tcp_clear(struct dz_worker *w);
void dz_tcp_on_accept(evutil_socket_t fd, short what, void *arg);
void dz_tcp_on_resume(evutil_socket_t fd, short what, void *arg);

/*
 * tcp.c, at shutdown (the listeners are closed): close every connection
 * with nothing in progress (no partial query, nothing unsent, no
 * transfer, nothing unread); the others finish what they have first.
 * Returns how many stay open.
 */
size_t dz_tcp_drain(struct dz_worker *w);

/*
 * answer.c: one query through the worker, inside the caller's snapshot
 * read lock: dz_query_answer(), then rate limiting (UDP), then counting.
 * Returns the length to send, 0 for nothing.
 */
size_t dz_worker_answer(struct dz_worker *w, const struct dz_snapshot *snap,
			const uint8_t *req, size_t reqlen, uint8_t *resp,
			unsigned flags, const struct sockaddr *peer,
			socklen_t peerlen);

struct dz_zone;

/*
 * Count a zone transfer request in the metrics like any query: AXFR or
 * IXFR (qtype), the zone it sends (NULL when refused or not ours), and
 * the rcode of its reply (0 for a transfer that streams).
 */
void dz_worker_count_xfr(struct dz_worker *w, const struct dz_zone *zone,
			 uint16_t qtype, unsigned rcode,
			 const struct sockaddr *peer);
