/* SPDX-License-Identifier: MIT */
/* control.h -- the control socket: one request line, one response. */
#pragma once

#include <event2/event.h>
#include <stdio.h>

struct dz_control;

/*
 * Handle one request line (NUL-terminated, without the newline; the
 * callee may modify it) and write the whole response to out. The
 * protocol (dropzonectl speaks it): the first response line is "OK" or
 * "ERR message", the body follows, the server closes the connection.
 */
typedef void (*dz_control_fn)(char *line, FILE *out, void *arg);

/*
 * Listen on the UNIX socket path (a stale socket there is replaced;
 * mode 0600) with events of base, the main loop: requests are handled
 * there, between reloads. NULL (logged) on failure.
 */
struct dz_control *dz_control_new(struct event_base *base, const char *path,
				  dz_control_fn fn, void *arg);

/* Close every connection and the socket, unlink it, free. NULL: no-op. */
void dz_control_free(struct dz_control *c);
