/* SPDX-License-Identifier: MIT */
/* echo.c -- the floor: a UDP responder that only sets QR on each packet. */

/*
 * What the kernel alone costs per answer: one thread, recvmmsg/sendmmsg in
 * batches of up to 64, each datagram sent back unchanged except for the QR
 * bit. Any DNS server pays at least this much per UDP answer.
 *
 * usage: echo -l ADDR -p PORT [-c CPU]      stops on SIGTERM/SIGINT
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define BUFSZ 4096

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
open_socket(const char *addr, int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "echo: bad address '%s'\n", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("echo: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		fprintf(stderr, "echo: cannot bind '%s:%d': %s\n", addr, port,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
serve(int fd)
{
	static unsigned char buf[BATCH][BUFSZ];
	struct sockaddr_in from[BATCH];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	int i, n;

	while (!stop) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = BUFSZ;
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &from[i];
			msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		/* blocks for the first datagram, then takes what is queued */
		n = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0) {
			continue;
		}
		for (i = 0; i < n; i++) {
			if (msg[i].msg_len >= 3) {
				buf[i][2] |= 0x80;
			}
			iov[i].iov_len = msg[i].msg_len;
		}
		sendmmsg(fd, msg, (unsigned)n, 0);
	}
}

int
main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	struct sigaction sa;
	int c, fd, port = 0, cpu = -1;
	cpu_set_t set;

	while ((c = getopt(argc, argv, "l:p:c:")) != -1) {
		switch (c) {
		case 'l': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: echo -l ADDR -p PORT [-c CPU]\n");
			return 2;
		}
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "echo: need -p PORT\n");
		return 2;
	}
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			perror("echo: sched_setaffinity");
			return 1;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recvmmsg returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = open_socket(addr, port);
	if (fd < 0) {
		return 1;
	}
	serve(fd);
	close(fd);
	return 0;
}
