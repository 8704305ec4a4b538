/* SPDX-License-Identifier: MIT */
/* listen.h -- listen addresses: "ADDR:PORT" parsing and socket setup. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Longest text form: "[" INET6_ADDRSTRLEN "]:65535". */
#define DZ_LISTEN_TEXT_MAX 64

struct dz_listen_addr {
	struct sockaddr_storage ss; /* AF_INET or AF_INET6, port set */
	socklen_t len;
	bool wildcard;              /* 0.0.0.0 or [::] */
	char text[DZ_LISTEN_TEXT_MAX]; /* canonical: "127.0.0.1:53", "[::1]:53" */
};

/*
 * Parse "A.B.C.D:PORT" or "[IPV6]:PORT" (numeric addresses only, port
 * 1..65535) into out.
 * [in]  text: the option value.
 * [out] out: the address; untouched on failure.
 * [out] why: on failure (may be NULL), a static lower-case phrase such as
 *       "missing ':PORT'".
 * Returns 0 or DZ_EINVAL.
 */
int dz_listen_parse(const char *text, struct dz_listen_addr *out,
		    const char **why);

/*
 * Open a non-blocking, close-on-exec socket of type SOCK_DGRAM or
 * SOCK_STREAM bound to a with SO_REUSEPORT (one socket per worker thread
 * and address, the kernel spreads the load), IPV6_V6ONLY for IPv6 (so
 * 0.0.0.0 and [::] coexist), and for UDP on a wildcard address
 * IP_PKTINFO / IPV6_RECVPKTINFO (answers must leave from the address the
 * query came to). Stream sockets are listening.
 * Returns the descriptor, or -errno (errno is set as well).
 */
int dz_listen_open(const struct dz_listen_addr *a, int type);
