/* SPDX-License-Identifier: MIT */
/* tcp.c -- DNS over TCP: 2-byte framing, pipelined queries, idle timeout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/server-internal.h"
#include "query/query.h"
#include "util/errcode.h"
#include "util/log.h"
#include "xfr/xfr.h"
#include "zone/snapshot.h"

/* Connections accepted per readable event before yielding. */
#define ACCEPT_ROUNDS 64

static const struct timeval tcp_idle = { DZ_TCP_IDLE_SEC, 0 };

static void conn_on_read(evutil_socket_t fd, short what, void *arg);
static void conn_on_write(evutil_socket_t fd, short what, void *arg);

int dz_tcp_init(struct dz_worker *w)
{
	w->conns = calloc(DZ_TCP_CONNS, sizeof(*w->conns));
	if (w->conns == NULL) {
		return DZ_ENOMEM;
	}
	w->free_conns = NULL;
	for (size_t i = DZ_TCP_CONNS; i-- > 0;) {
		w->conns[i].fd = -1;
		w->conns[i].w = w;
		w->conns[i].next_free = w->free_conns;
		w->free_conns = &w->conns[i];
	}
	return 0;
}

static void conn_close(struct dz_tcp_conn *c)
{
	event_del(&c->rev);
	event_del(&c->wev);
	close(c->fd);
	c->fd = -1;
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
	if (w->conns == NULL) {
		return;
	}
	for (size_t i = 0; i < DZ_TCP_CONNS; i++) {
		if (w->conns[i].fd >= 0) {
			conn_close(&w->conns[i]);
		}
	}
	free(w->conns);
	w->conns = NULL;
	w->free_conns = NULL;
}

static void conn_open(struct dz_tcp_conn *c, int fd,
		      const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct dz_worker *w = c->w;

	c->fd = fd;
	c->eof = false;
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
	if (event_add(&c->rev, &tcp_idle) < 0) {
		conn_close(c);
	}
}

void dz_tcp_on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct dz_tcp_listener *l = arg;
	struct dz_worker *w = l->w;
	struct dz_tcp_conn *c;
	struct sockaddr_storage peer;
	socklen_t peerlen;
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
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				dz_log_debug("tcp accept: %s", strerror(errno));
			}
			return;
		}
		c = w->free_conns;
		if (c == NULL) {
			/* Pool exhausted: refuse rather than queue. */
			close(cfd);
			continue;
		}
		w->free_conns = c->next_free;
		c->next_free = NULL;
		conn_open(c, cfd, &peer, peerlen);
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

/* Make room for a whole message of msglen bytes after its length. */
static int conn_reserve(struct dz_tcp_conn *c, size_t msglen)
{
	uint8_t *big;

	if (2 + msglen <= c->in_cap) {
		return 0;
	}
	big = malloc(2 + DZ_MSG_MAX);
	if (big == NULL) {
		return -1;
	}
	memcpy(big, c->in, c->in_len);
	c->in = big;
	c->in_cap = 2 + DZ_MSG_MAX;
	return 0;
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

/*
 * Send what a transfer in progress has while the socket takes it, and
 * answer every complete message in the input, in order, until output
 * blocks; keep an incomplete one. A length of 0 closes. 0 or -1 (close).
 */
static int conn_process(struct dz_tcp_conn *c)
{
	size_t pos = 0, msglen;
	int rc = 0;

	while (c->out_len == 0 && (c->xfr != NULL || c->in_len - pos >= 2)) {
		if (c->xfr != NULL) {
			if (conn_xfr_step(c) < 0) {
				return -1;
			}
			continue;
		}
		msglen = (size_t)c->in[pos] << 8 | c->in[pos + 1];
		if (msglen == 0) {
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
 * input, or nothing (peer done: close). */
static void conn_step(struct dz_tcp_conn *c)
{
	if (conn_process(c) < 0) {
		conn_close(c);
		return;
	}
	if (c->out_len > 0) {
		event_del(&c->rev);
		if (event_add(&c->wev, &tcp_idle) < 0) {
			conn_close(c);
		}
		return;
	}
	if (c->eof) {
		conn_close(c);
		return;
	}
	if (!event_pending(&c->rev, EV_READ, NULL) &&
	    event_add(&c->rev, &tcp_idle) < 0) {
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
	conn_step(c);
}
