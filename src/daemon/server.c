/* SPDX-License-Identifier: MIT */
/* server.c -- worker threads, each with its own event_base and sockets. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/limits.h"
#include "daemon/rrl.h"
#include "daemon/server.h"
#include "daemon/server-internal.h"
#include "daemon/stats.h"
#include "query/query.h"
#include "util/errcode.h"
#include "util/log.h"
#include "zone/snapshot.h"

struct dz_server {
	struct dz_worker *workers;
	unsigned nworkers;
	struct dz_listen_addr *addrs;
	size_t naddrs;
};

/* Open this worker's UDP socket and TCP listener for address i. */
static int worker_listen(struct dz_worker *w, const struct dz_listen_addr *a,
			 size_t i)
{
	struct dz_udp_sock *u = &w->udp[i];
	struct dz_tcp_listener *l = &w->tcp[i];
	int fd;

	fd = dz_listen_open(a, SOCK_DGRAM);
	if (fd < 0) {
		dz_log_err("cannot listen on %s (udp): %s", a->text,
			   strerror(-fd));
		return fd;
	}
	u->fd = fd;
	u->w = w;
	u->pktinfo = a->wildcard;
	event_assign(&u->ev, w->base, fd, EV_READ | EV_PERSIST,
		     dz_udp_on_read, u);
	fd = dz_listen_open(a, SOCK_STREAM);
	if (fd < 0) {
		dz_log_err("cannot listen on %s (tcp): %s", a->text,
			   strerror(-fd));
		return fd;
	}
	l->fd = fd;
	l->w = w;
	event_assign(&l->ev, w->base, fd, EV_READ | EV_PERSIST,
		     dz_tcp_on_accept, l);
	evtimer_assign(&l->resume, w->base, dz_tcp_on_resume, l);
	if (event_add(&u->ev, NULL) < 0 || event_add(&l->ev, NULL) < 0) {
		dz_log_err("cannot listen on %s: event setup failed", a->text);
		return DZ_ENOMEM;
	}
	return 0;
}

static int worker_init(struct dz_worker *w, const struct dz_server *s,
		       unsigned id, uint16_t edns_size)
{
	int rc;

	w->id = id;
	w->naddrs = s->naddrs;
	w->udp = calloc(s->naddrs, sizeof(*w->udp));
	w->tcp = calloc(s->naddrs, sizeof(*w->tcp));
	for (size_t i = 0; i < s->naddrs; i++) {
		if (w->udp != NULL) {
			w->udp[i].fd = -1;
		}
		if (w->tcp != NULL) {
			w->tcp[i].fd = -1;
		}
	}
	w->resp = malloc(2 + DZ_MSG_MAX);
	w->tsig_buf = malloc(DZ_MSG_MAX);
	w->base = event_base_new();
	w->qctx = dz_query_ctx_new(edns_size);
	w->stats = dz_stats_worker_new(w->id);
	if (w->udp == NULL || w->tcp == NULL || w->resp == NULL ||
	    w->tsig_buf == NULL ||
	    w->base == NULL || w->qctx == NULL || w->stats == NULL) {
		return DZ_ENOMEM;
	}
	rc = dz_udp_init(w, edns_size);
	if (rc == 0) {
		rc = dz_tcp_init(w);
	}
	for (size_t i = 0; rc == 0 && i < s->naddrs; i++) {
		rc = worker_listen(w, &s->addrs[i], i);
	}
	return rc;
}

static void worker_clear(struct dz_worker *w)
{
	for (size_t i = 0; w->udp != NULL && i < w->naddrs; i++) {
		if (w->udp[i].fd >= 0) {
			event_del(&w->udp[i].ev);
			close(w->udp[i].fd);
		}
	}
	for (size_t i = 0; w->tcp != NULL && i < w->naddrs; i++) {
		if (w->tcp[i].fd >= 0) {
			event_del(&w->tcp[i].ev);
			event_del(&w->tcp[i].resume);
			close(w->tcp[i].fd);
		}
	}
	dz_tcp_clear(w);
	dz_udp_clear(w);
	if (w->base != NULL) {
		event_base_free(w->base);
	}
	dz_query_ctx_free(w->qctx);
	dz_stats_worker_free(w->stats);
	free(w->resp);
	free(w->tsig_buf);
	free(w->tcp);
	free(w->udp);
	memset(w, 0, sizeof(*w));
}

int dz_server_new(const struct dz_listen_addr *addrs, size_t naddrs,
		  unsigned nthreads, uint16_t edns_size,
		  struct dz_server **out)
{
	struct dz_server *s = NULL;
	int rc = DZ_ENOMEM;

	*out = NULL;
	if (nthreads == 0 || nthreads > DZ_SERVER_THREADS_MAX ||
	    naddrs == 0) {
		return DZ_EINVAL;
	}
	/* Limits first: the descriptor limit, then the shared RRL table. */
	dz_limits_resolve();
	rc = dz_rrl_init();
	if (rc != 0) {
		goto out;
	}
	rc = DZ_ENOMEM;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		goto out;
	}
	s->addrs = calloc(naddrs, sizeof(*addrs));
	s->workers = calloc(nthreads, sizeof(*s->workers));
	if (s->addrs == NULL || s->workers == NULL) {
		goto out;
	}
	memcpy(s->addrs, addrs, naddrs * sizeof(*addrs));
	s->naddrs = naddrs;
	s->nworkers = nthreads;
	for (unsigned i = 0; i < nthreads; i++) {
		rc = worker_init(&s->workers[i], s, i, edns_size);
		if (rc != 0) {
			goto out;
		}
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (rc == DZ_ENOMEM) {
		dz_log_err("cannot start workers: %s", dz_strerror(rc));
	}
	dz_server_free(s);
	return rc;
}

static void *worker_main(void *arg)
{
	struct dz_worker *w = arg;

	dz_snapshot_reader_register();
	if (event_base_dispatch(w->base) < 0) {
		dz_log_err("worker %u: event loop failed", w->id);
	}
	dz_snapshot_reader_unregister();
	return NULL;
}

int dz_server_start(struct dz_server *s)
{
	sigset_t block, old;
	int rc = 0;

	/* Signals belong to the main thread's event_base: workers never
	 * take them (libevent's handler would wake the wrong loop). */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct dz_worker *w = &s->workers[i];

		rc = -pthread_create(&w->thread, NULL, worker_main, w);
		if (rc != 0) {
			dz_log_err("cannot start worker %u: %s", i,
				   strerror(-rc));
			break;
		}
		w->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		dz_server_stop(s);
	}
	return rc;
}

static void join_all(struct dz_server *s)
{
	for (unsigned i = 0; i < s->nworkers; i++) {
		if (s->workers[i].started) {
			pthread_join(s->workers[i].thread, NULL);
			s->workers[i].started = false;
		}
	}
}

/* One worker's shutdown, run in its own thread. */
struct drain {
	struct dz_worker *w;
	struct event *tick;      /* every DRAIN_TICK_MS until done */
	struct timespec deadline;
};

#define DRAIN_TICK_MS 10

static bool past(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static void drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct drain *dr = arg;
	size_t open = dz_tcp_drain(dr->w);

	(void)fd;
	(void)what;
	if (open == 0) {
		event_base_loopbreak(dr->w->base);
	} else if (past(&dr->deadline)) {
		dz_log_info("worker %u: %zu tcp connection%s cut at the "
			    "shutdown deadline", dr->w->id, open,
			    open == 1 ? "" : "s");
		event_base_loopbreak(dr->w->base);
	}
}

static void drain_start(evutil_socket_t fd, short what, void *arg)
{
	struct drain *dr = arg;
	struct dz_worker *w = dr->w;
	struct timeval tick = { 0, DRAIN_TICK_MS * 1000 };

	/* Stop accepting: the kernel refuses new connections from now. */
	for (size_t i = 0; i < w->naddrs; i++) {
		if (w->tcp[i].fd >= 0) {
			event_del(&w->tcp[i].ev);
			event_del(&w->tcp[i].resume);
			close(w->tcp[i].fd);
			w->tcp[i].fd = -1;
		}
	}
	if (event_add(dr->tick, &tick) < 0) {
		event_base_loopbreak(w->base);
		return;
	}
	drain_tick(fd, what, dr);
}

void dz_server_drain(struct dz_server *s, unsigned timeout_ms)
{
	struct timeval now = { 0, 0 };
	struct drain *dr;

	if (s == NULL) {
		return;
	}
	dr = calloc(s->nworkers, sizeof(*dr));
	for (unsigned i = 0; dr != NULL && i < s->nworkers; i++) {
		struct dz_worker *w = &s->workers[i];

		dr[i].w = w;
		clock_gettime(CLOCK_MONOTONIC, &dr[i].deadline);
		dr[i].deadline.tv_sec += timeout_ms / 1000;
		dr[i].deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (dr[i].deadline.tv_nsec >= 1000000000) {
			dr[i].deadline.tv_sec++;
			dr[i].deadline.tv_nsec -= 1000000000;
		}
		dr[i].tick = event_new(w->base, -1, EV_PERSIST, drain_tick,
				       &dr[i]);
		if (!w->started || dr[i].tick == NULL ||
		    event_base_once(w->base, -1, EV_TIMEOUT, drain_start,
				    &dr[i], &now) < 0) {
			event_base_loopexit(w->base, NULL); /* no drain */
		}
	}
	if (dr == NULL) {
		dz_server_stop(s); /* no memory to drain: stop at once */
		return;
	}
	join_all(s);
	for (unsigned i = 0; dr != NULL && i < s->nworkers; i++) {
		if (dr[i].tick != NULL) {
			event_free(dr[i].tick);
		}
	}
	free(dr);
}

void dz_server_stop(struct dz_server *s)
{
	if (s == NULL) {
		return;
	}
	for (unsigned i = 0; i < s->nworkers; i++) {
		if (s->workers[i].started) {
			event_base_loopexit(s->workers[i].base, NULL);
		}
	}
	join_all(s);
}

void dz_server_free(struct dz_server *s)
{
	if (s == NULL) {
		return;
	}
	dz_server_stop(s);
	for (unsigned i = 0; s->workers != NULL && i < s->nworkers; i++) {
		worker_clear(&s->workers[i]);
	}
	free(s->workers);
	free(s->addrs);
	free(s);
	dz_rrl_free();
}
