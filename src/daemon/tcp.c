/* SPDX-License-Identifier: MIT */
/* tcp.c -- DNS over TCP: 2-byte framing, pipelined queries, limits. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/limits.h"
#include "daemon/server-internal.h"
#include "query/query.h"
#include "util/errcode.h"
#include "util/log.h"
#include "xfr/xfr.h"
#include "zone/snapshot.h"

/* Connections accepted per readable event before yielding. */
#define ACCEPT_ROUNDS 64
/* Out of descriptors: stop accepting on that listener for this long. */
#define ACCEPT_PAUSE_MS 100
/* At most one "out of descriptors" warning per worker this often. */
#define EMFILE_LOG_MS 10000

/*
 * Connections per source, shared by all workers: two rows of counters,
 * each source counted in one slot of each row (two independent hashes),
 * its count the smaller of the two. Sources that share a slot in one row
 * rarely share it in the other, so an innocent client is seldom counted
 * with a busy one (a count-min sketch), and the table is fixed: no lock,
 * no allocation. Two workers admitting the same source at the same
 * instant may overshoot the limit by one each; the total is exact.
 */
#define SRC_SLOTS 4096

struct dz_tcp_slab {
	struct dz_tcp_slab *next;
	struct dz_tcp_conn c[DZ_TCP_SLAB];
};

static atomic_uint tcp_total;
static atomic_uint tcp_src[2][SRC_SLOTS];

static void conn_on_read(evutil_socket_t fd, short what, void *arg);
static void conn_on_write(evutil_socket_t fd, short what, void *arg);

/* Milliseconds on a monotonic clock; the coarse one is a vDSO read. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval ms_tv(int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000 };

	return tv;
}

/* Add a slab of free connections to the worker. 0 or DZ_ENOMEM. */
static int pool_grow(struct dz_worker *w)
{
	struct dz_tcp_slab *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return DZ_ENOMEM;
	}
	s->next = w->slabs;
	w->slabs = s;
	for (size_t i = DZ_TCP_SLAB; i-- > 0;) {
		s->c[i].fd = -1;
		s->c[i].w = w;
		s->c[i].next_free = w->free_conns;
		w->free_conns = &s->c[i];
	}
	return 0;
}

int dz_tcp_init(struct dz_worker *w)
{
	w->slabs = NULL;
	w->free_conns = NULL;
	return pool_grow(w);
}

/* The two counter slots of a source: IPv4 address or IPv6 /64. */
static void src_slots(const struct sockaddr_storage *peer, uint16_t *s)
{
	const void *key = NULL;
	size_t len = 0;
	uint64_t h;

	if (peer->ss_family == AF_INET) {
		key = &((const struct sockaddr_in *)peer)->sin_addr;
		len = 4;
	} else if (peer->ss_family == AF_INET6) {
		key = ((const struct sockaddr_in6 *)peer)->sin6_addr.s6_addr;
		len = 8;
	}
	h = dz_limits_hash(dz_limits.seed, key, len);
	s[0] = (uint16_t)(h % SRC_SLOTS);
	s[1] = (uint16_t)((h >> 32) % SRC_SLOTS);
}

/* Count a new connection in; false (nothing counted) when over a limit. */
static bool admit(const struct sockaddr_storage *peer, uint16_t *s)
{
	unsigned per = dz_limits.tcp_max_per_source, a, b;

	if (atomic_fetch_add(&tcp_total, 1) >= dz_limits.tcp_max_conns) {
		atomic_fetch_sub(&tcp_total, 1);
		return false;
	}
	src_slots(peer, s);
	a = atomic_fetch_add(&tcp_src[0][s[0]], 1);
	b = atomic_fetch_add(&tcp_src[1][s[1]], 1);
	if (per > 0 && (a < b ? a : b) >= per) {
		atomic_fetch_sub(&tcp_src[0][s[0]], 1);
		atomic_fetch_sub(&tcp_src[1][s[1]], 1);
		atomic_fetch_sub(&tcp_total, 1);
		return false;
	}
	return true;
}

static void conn_close(struct dz_tcp_conn *c)
{
	event_del(&c->rev);
	event_del(&c->wev);
	close(c->fd);
	c->fd = -1;
	atomic_fetch_sub(&tcp_src[0][c->src[0]], 1);
	atomic_fetch_sub(&tcp_src[1][c->src[1]], 1);
	atomic_fetch_sub(&tcp_total, 1);
	if (c->in != c->inl) {
		free(c->in);
	}
	c->in = NULL;
	free(c->out);
	c->out = NULL;
	dz_xfr_free(c->xfr);
	c->xfr = NULL;
	c->next_free = c->w->free_conns;
	c->w->free_conns = c;
}

void dz_tcp_clear(struct dz_worker *w)
{
	struct dz_tcp_slab *s, *next;

	for (s = w->slabs; s != NULL; s = next) {
		next = s->next;
		for (size_t i = 0; i < DZ_TCP_SLAB; i++) {
			if (s->c[i].fd >= 0) {
				conn_close(&s->c[i]);
			}
		}
		free(s);
	}
	w->slabs = NULL;
	w->free_conns = NULL;
}

/*
 * Wait for the next input until the connection's deadline: a query that
 * has begun must be whole tcp_io_timeout after its first octet (a client
 * dripping one octet a second is cut off, not kept alive by each octet);
 * otherwise the connection may idle tcp_idle_timeout. 0 or -1.
 */
static int conn_wait_input(struct dz_tcp_conn *c)
{
	int64_t deadline, left;
	struct timeval tv;

	if (c->in_len > 0) {
		deadline = c->t_msg + dz_limits.tcp_io_timeout;
	} else {
		deadline = c->t_idle + (int64_t)dz_limits.tcp_idle_timeout *
			   1000;
	}
	left = deadline - now_ms();
	tv = ms_tv(left > 0 ? left : 1);
	return event_add(&c->rev, &tv);
}

static void conn_open(struct dz_tcp_conn *c, int fd,
		      const struct sockaddr_storage *peer, socklen_t peerlen,
		      const uint16_t *src)
{
	struct dz_worker *w = c->w;

	c->fd = fd;
	c->eof = false;
	c->done = false;
	c->src[0] = src[0];
	c->src[1] = src[1];
	c->nqueries = 0;
	c->t_idle = now_ms();
	c->t_msg = 0;
	c->in = c->inl;
	c->in_len = 0;
	c->in_cap = sizeof(c->inl);
	c->out = NULL;
	c->out_off = 0;
	c->out_len = 0;
	c->xfr = NULL;
	c->peer = *peer;
	c->peerlen = peerlen;
	event_assign(&c->rev, w->base, fd, EV_READ | EV_PERSIST,
		     conn_on_read, c);
	event_assign(&c->wev, w->base, fd, EV_WRITE | EV_PERSIST,
		     conn_on_write, c);
	if (conn_wait_input(c) < 0) {
		conn_close(c);
	}
}

/*
 * Out of descriptors (or kernel memory): the pending connection stays in
 * the backlog and the listener stays readable, so retrying at once would
 * spin. Stop accepting on this listener for a moment instead; closing
 * idle connections meanwhile frees descriptors.
 */
static void accept_pause(struct dz_tcp_listener *l, int err)
{
	static _Thread_local int64_t last_log;
	struct timeval tv = ms_tv(ACCEPT_PAUSE_MS);
	int64_t now = now_ms();

	if (last_log == 0 || now - last_log >= EMFILE_LOG_MS) {
		last_log = now;
		dz_log_warn("tcp accept: %s: pausing new connections for "
			    "%d ms", strerror(err), ACCEPT_PAUSE_MS);
	}
	event_del(&l->ev);
	l->paused = true;
	evtimer_add(&l->resume, &tv);
}

void dz_tcp_on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct dz_tcp_listener *l = arg;

	(void)fd;
	(void)what;
	l->paused = false;
	event_add(&l->ev, NULL);
}

/* A connection from the pool (growing it if need be), or NULL. */
static struct dz_tcp_conn *conn_get(struct dz_worker *w)
{
	struct dz_tcp_conn *c;

	if (w->free_conns == NULL && pool_grow(w) != 0) {
		return NULL;
	}
	c = w->free_conns;
	w->free_conns = c->next_free;
	c->next_free = NULL;
	return c;
}

void dz_tcp_on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct dz_tcp_listener *l = arg;
	struct dz_tcp_conn *c;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	uint16_t src[2];
	int cfd;

	(void)what;
	for (int i = 0; i < ACCEPT_ROUNDS; i++) {
		peerlen = sizeof(peer);
		cfd = accept4(fd, (struct sockaddr *)&peer, &peerlen,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				continue;
			}
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				accept_pause(l, errno);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				dz_log_debug("tcp accept: %s", strerror(errno));
			}
			return;
		}
		/* Over a limit: refuse rather than queue. */
		if (!admit(&peer, src)) {
			close(cfd);
			continue;
		}
		c = conn_get(l->w);
		if (c == NULL) {
			close(cfd);
			atomic_fetch_sub(&tcp_src[0][src[0]], 1);
			atomic_fetch_sub(&tcp_src[1][src[1]], 1);
			atomic_fetch_sub(&tcp_total, 1);
			continue;
		}
		conn_open(c, cfd, &peer, peerlen, src);
	}
}

/*
 * Send one framed response; what the socket does not take now is kept in
 * c->out (allocated on the first partial write of this connection, which
 * only a slow or non-reading peer causes). 0 or -1 (close).
 */
static int conn_send(struct dz_tcp_conn *c, const uint8_t *buf, size_t len)
{
	ssize_t n;

	do {
		n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			return -1;
		}
		n = 0;
	}
	if ((size_t)n == len) {
		return 0;
	}
	if (c->out == NULL) {
		c->out = malloc(2 + DZ_MSG_MAX);
		if (c->out == NULL) {
			return -1;
		}
	}
	c->out_off = 0;
	c->out_len = len - (size_t)n;
	memcpy(c->out, buf + n, c->out_len);
	return 0;
}

/* Make room for a whole message of msglen bytes after its length; one
 * longer than tcp_max_message closes the connection. 0 or -1. */
static int conn_reserve(struct dz_tcp_conn *c, size_t msglen)
{
	size_t cap = 2 + (size_t)dz_limits.tcp_max_message;
	uint8_t *big;

	if (msglen > dz_limits.tcp_max_message) {
		return -1;
	}
	if (2 + msglen <= c->in_cap) {
		return 0;
	}
	big = malloc(cap);
	if (big == NULL) {
		return -1;
	}
	memcpy(big, c->in, c->in_len);
	c->in = big;
	c->in_cap = cap;
	return 0;
}

/* The qtype of a query whose question is known to parse (AXFR, IXFR). */
static uint16_t xfr_qtype(const uint8_t *msg, size_t len)
{
	size_t i = 12;

	while (i < len && msg[i] != 0 && msg[i] < 64) {
		i += (size_t)msg[i] + 1;
	}
	return i + 2 < len ? (uint16_t)(msg[i + 1] << 8 | msg[i + 2]) : 0;
}

/*
 * Answer one query of len bytes at msg; a zone transfer is only started
 * here (c->xfr) and sent by conn_process(). 0 or -1 (close).
 */
static int conn_answer(struct dz_tcp_conn *c, const uint8_t *msg, size_t len)
{
	struct dz_worker *w = c->w;
	const struct sockaddr *peer = (const struct sockaddr *)&c->peer;
	const struct dz_snapshot *snap;
	enum dz_xfr_verdict v;
	size_t rlen = 0;

	dz_snapshot_read_lock();
	snap = dz_snapshot_current();
	v = dz_xfr_start(snap, msg, len, peer, c->peerlen, w->resp + 2, &rlen,
			 &c->xfr);
	if (v == DZ_XFR_NONE) {
		rlen = dz_worker_answer(w, snap, msg, len, w->resp + 2,
					DZ_QUERY_TCP, peer, c->peerlen);
	} else {
		/* Transfers bypass the query path: count them here. */
		uint16_t qtype = len >= 12 ? xfr_qtype(msg, len) : 0;
		dz_worker_count_xfr(w, v == DZ_XFR_STREAM ?
				    dz_xfr_zone(c->xfr) : NULL, qtype,
				    v == DZ_XFR_STREAM ? 0 : w->resp[2 + 3] & 0xf,
				    peer);
	}
	dz_snapshot_read_unlock();
	if (v == DZ_XFR_STREAM || rlen == 0 || rlen > DZ_MSG_MAX) {
		return 0; /* dropped by the query path */
	}
	w->resp[0] = (uint8_t)(rlen >> 8);
	w->resp[1] = (uint8_t)rlen;
	return conn_send(c, w->resp, 2 + rlen);
}

/* Send the next message of the transfer in progress; at its end, drop
 * it. 0 or -1 (close). */
static int conn_xfr_step(struct dz_tcp_conn *c)
{
	struct dz_worker *w = c->w;
	size_t rlen = dz_xfr_next(c->xfr, w->resp + 2);

	if (rlen == 0 || rlen > DZ_MSG_MAX) {
		dz_xfr_free(c->xfr);
		c->xfr = NULL;
		return 0;
	}
	w->resp[0] = (uint8_t)(rlen >> 8);
	w->resp[1] = (uint8_t)rlen;
	return conn_send(c, w->resp, 2 + rlen);
}

/* After one query: count it, and stop taking more at tcp_max_queries. */
static void conn_count(struct dz_tcp_conn *c)
{
	c->nqueries++;
	if (dz_limits.tcp_max_queries > 0 &&
	    c->nqueries >= dz_limits.tcp_max_queries) {
		c->done = true;
	}
}

/*
 * Send what a transfer in progress has while the socket takes it, and
 * answer every complete message in the input, in order, until output
 * blocks; keep an incomplete one. A length of 0 closes. 0 or -1 (close).
 */
static int conn_process(struct dz_tcp_conn *c)
{
	size_t pos = 0, msglen;
	int rc = 0;

	while (c->out_len == 0 &&
	       (c->xfr != NULL || (!c->done && c->in_len - pos >= 2))) {
		if (c->xfr != NULL) {
			if (conn_xfr_step(c) < 0) {
				return -1;
			}
			continue;
		}
		msglen = (size_t)c->in[pos] << 8 | c->in[pos + 1];
		if (msglen == 0 || msglen > dz_limits.tcp_max_message) {
			return -1;
		}
		if (c->in_len - pos < 2 + msglen) {
			break;
		}
		rc = conn_answer(c, c->in + pos + 2, msglen);
		if (rc < 0) {
			return rc;
		}
		pos += 2 + msglen;
		conn_count(c);
	}
	if (pos > 0) {
		/* What is left began in the read that completed a query. */
		c->t_idle = c->t_msg = now_ms();
	}
	memmove(c->in, c->in + pos, c->in_len - pos);
	c->in_len -= pos;
	if (c->in_len >= 2) {
		msglen = (size_t)c->in[0] << 8 | c->in[1];
		return conn_reserve(c, msglen);
	}
	return 0;
}

/* Process the input, then wait for what comes next: output room, more
 * input, or nothing (peer done, or enough queries: close). */
static void conn_step(struct dz_tcp_conn *c)
{
	struct timeval tv = ms_tv((int64_t)dz_limits.tcp_idle_timeout * 1000);

	if (conn_process(c) < 0) {
		conn_close(c);
		return;
	}
	if (c->out_len > 0) {
		event_del(&c->rev);
		if (event_add(&c->wev, &tv) < 0) {
			conn_close(c);
		}
		return;
	}
	if (c->eof || c->done) {
		conn_close(c);
		return;
	}
	if (conn_wait_input(c) < 0) {
		conn_close(c);
	}
}

static void conn_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct dz_tcp_conn *c = arg;
	ssize_t n;

	if (what & EV_TIMEOUT) {
		conn_close(c);
		return;
	}
	n = read(fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			return;
		}
		conn_close(c);
		return;
	}
	if (n == 0) {
		c->eof = true;
	} else if (c->in_len == 0) {
		c->t_msg = now_ms();
	}
	c->in_len += (size_t)n;
	conn_step(c);
}

static void conn_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct dz_tcp_conn *c = arg;
	ssize_t n;

	if (what & EV_TIMEOUT) {
		conn_close(c);
		return;
	}
	n = send(fd, c->out + c->out_off, c->out_len - c->out_off,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			return;
		}
		conn_close(c);
		return;
	}
	c->out_off += (size_t)n;
	if (c->out_off < c->out_len) {
		return;
	}
	c->out_off = 0;
	c->out_len = 0;
	event_del(&c->wev);
	/* Input waited on our output, not on the peer: its clock restarts. */
	c->t_msg = now_ms();
	conn_step(c);
}

/* True when the peer has sent octets we have not read yet. */
static bool conn_unread(const struct dz_tcp_conn *c)
{
	uint8_t b;

	return recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

size_t dz_tcp_drain(struct dz_worker *w)
{
	size_t open = 0;

	for (struct dz_tcp_slab *s = w->slabs; s != NULL; s = s->next) {
		for (size_t i = 0; i < DZ_TCP_SLAB; i++) {
			struct dz_tcp_conn *c = &s->c[i];

			if (c->fd < 0) {
				continue;
			}
			if (c->in_len == 0 && c->out_len == 0 &&
			    c->xfr == NULL && !conn_unread(c)) {
				conn_close(c);
			} else {
				open++;
			}
		}
	}
	return open;
}
