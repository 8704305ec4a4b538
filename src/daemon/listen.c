/* SPDX-License-Identifier: MIT */
/* listen.c -- listen addresses: "ADDR:PORT" parsing and socket setup. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/listen.h"
#include "util/errcode.h"

/* Pending TCP connections per listener socket (one per worker): a burst
 * of new clients waits here rather than retrying its SYN a second later.
 * The kernel caps it at net.core.somaxconn. */
#define LISTEN_BACKLOG 1024

/* Decimal 1..65535, digits only (no sign, no spaces, no hex). */
static int parse_port(const char *s, uint16_t *port, const char **why)
{
	unsigned long v = 0;

	if (*s == '\0') {
		*why = "missing port after ':'";
		return DZ_EINVAL;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			*why = "port is not a decimal number";
			return DZ_EINVAL;
		}
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535) {
			*why = "port out of range 1..65535";
			return DZ_EINVAL;
		}
	}
	if (v == 0) {
		*why = "port out of range 1..65535";
		return DZ_EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

static int parse_v6(const char *text, struct dz_listen_addr *a,
		    const char **why)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	const char *close = strchr(text, ']');
	char host[INET6_ADDRSTRLEN];
	uint16_t port;
	size_t len;
	int rc;

	if (close == NULL) {
		*why = "missing ']' after an IPv6 address";
		return DZ_EINVAL;
	}
	len = (size_t)(close - (text + 1));
	if (len == 0 || len >= sizeof(host)) {
		*why = "not an IPv6 address";
		return DZ_EINVAL;
	}
	if (close[1] != ':') {
		*why = "missing ':PORT'";
		return DZ_EINVAL;
	}
	memcpy(host, text + 1, len);
	host[len] = '\0';
	sin6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
		*why = "not an IPv6 address";
		return DZ_EINVAL;
	}
	rc = parse_port(close + 2, &port, why);
	if (rc != 0) {
		return rc;
	}
	sin6->sin6_port = htons(port);
	a->len = sizeof(*sin6);
	a->wildcard = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
	snprintf(a->text, sizeof(a->text), "[%s]:%u", host, port);
	return 0;
}

static int parse_v4(const char *text, struct dz_listen_addr *a,
		    const char **why)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	const char *colon = strrchr(text, ':');
	char host[INET_ADDRSTRLEN];
	uint16_t port;
	size_t len;
	int rc;

	if (colon == NULL) {
		*why = "missing ':PORT'";
		return DZ_EINVAL;
	}
	if (strchr(text, ':') != colon) {
		*why = "IPv6 addresses need brackets, as in [::1]:53";
		return DZ_EINVAL;
	}
	len = (size_t)(colon - text);
	if (len == 0) {
		*why = "missing address before ':'";
		return DZ_EINVAL;
	}
	if (len >= sizeof(host)) {
		*why = "not a numeric IPv4 address";
		return DZ_EINVAL;
	}
	memcpy(host, text, len);
	host[len] = '\0';
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		*why = "not a numeric IPv4 address";
		return DZ_EINVAL;
	}
	rc = parse_port(colon + 1, &port, why);
	if (rc != 0) {
		return rc;
	}
	sin->sin_port = htons(port);
	a->len = sizeof(*sin);
	a->wildcard = sin->sin_addr.s_addr == htonl(INADDR_ANY);
	inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
	snprintf(a->text, sizeof(a->text), "%s:%u", host, port);
	return 0;
}

int dz_listen_parse(const char *text, struct dz_listen_addr *out,
		    const char **why)
{
	struct dz_listen_addr a;
	const char *dummy;
	int rc;

	if (why == NULL) {
		why = &dummy;
	}
	memset(&a, 0, sizeof(a));
	if (text == NULL || *text == '\0') {
		*why = "empty address";
		return DZ_EINVAL;
	}
	if (text[0] == '[') {
		rc = parse_v6(text, &a, why);
	} else {
		rc = parse_v4(text, &a, why);
	}
	if (rc == 0) {
		*out = a;
	}
	return rc;
}

/* Receive buffer asked for each UDP socket. */
#define UDP_RCVBUF (4 * 1024 * 1024)

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/* Options before bind(); 0 or -1 with errno. */
static int set_options(int fd, const struct dz_listen_addr *a, int type)
{
	bool v6 = a->ss.ss_family == AF_INET6;

	if (set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 ||
	    set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0) {
		return -1;
	}
	if (v6 && set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0) {
		return -1;
	}
	if (type == SOCK_DGRAM) {
		/* Room for a burst while a worker is busy: the default
		 * (about 200 KiB) drops a few queries per million under
		 * load. Past net.core.rmem_max only with CAP_NET_ADMIN
		 * (SO_RCVBUFFORCE); best effort either way. */
		if (set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, UDP_RCVBUF) < 0) {
			(void)set_int(fd, SOL_SOCKET, SO_RCVBUF, UDP_RCVBUF);
		}
	}
	if (type != SOCK_DGRAM || !a->wildcard) {
		return 0;
	}
	/* A wildcard UDP socket must learn each query's destination
	 * address to answer from it (udp.c sends it back as pktinfo). */
	if (v6) {
		return set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	}
	return set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
}

int dz_listen_open(const struct dz_listen_addr *a, int type)
{
	int fd, err;

	fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (set_options(fd, a, type) < 0 ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, LISTEN_BACKLOG) < 0)) {
		err = errno;
		close(fd);
		errno = err;
		return -err;
	}
	return fd;
}
