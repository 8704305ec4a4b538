/* SPDX-License-Identifier: MIT */
/* server.h -- worker threads, each with its own event_base and sockets. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "daemon/listen.h"

struct dz_server;

/*
 * Make nthreads workers (1..DZ_SERVER_THREADS_MAX). Each worker gets its
 * own event_base, query context and buffers, and for every address its own
 * UDP socket and TCP listener (SO_REUSEPORT: the kernel spreads queries).
 * The caller must have called evthread_use_pthreads() first.
 * [in]  addrs, naddrs: copied.
 * [in]  edns_size: our EDNS payload size (DZ_EDNS_SIZE_DEFAULT).
 * [out] out: the server, not yet running.
 * Returns 0, DZ_ENOMEM, or -errno when a socket cannot be opened (then
 * the address and the reason have been logged).
 */
int dz_server_new(const struct dz_listen_addr *addrs, size_t naddrs,
		  unsigned nthreads, uint16_t edns_size,
		  struct dz_server **out);

#define DZ_SERVER_THREADS_MAX 256

/*
 * Start the worker threads; each registers as a snapshot reader and runs
 * its event loop. Returns 0 or -errno (threads already started are
 * stopped again).
 */
int dz_server_start(struct dz_server *s);

/*
 * Shut down gracefully: every worker closes its TCP listeners (new
 * connections are refused), closes its idle connections, lets the others
 * finish answering what they have read, and leaves its loop once none is
 * left or timeout_ms have passed (the rest are cut); UDP is answered
 * meanwhile. Returns once every worker thread has ended. Then
 * dz_server_stop() has nothing left to do.
 */
void dz_server_drain(struct dz_server *s, unsigned timeout_ms);

/*
 * Ask every worker to leave its loop once the events at hand are handled,
 * and join the threads. Safe to call when not started or twice.
 */
void dz_server_stop(struct dz_server *s);

/* Stop, close every socket and free. NULL is a no-op. */
void dz_server_free(struct dz_server *s);
