/* SPDX-License-Identifier: MIT */
/* dzsend.c -- raw DNS message sender for the packet-level tests. */

/*
 * dzsend [-t] [-r] [-n N] [-s MS] [-w MS] [-c MS] [-e SIZE] [-D] [-b SRC]
 *        [-o N] [-F N] [-P PPS] [-q NAME TYPE]... ADDR PORT [HEX|@FILE]...
 * Sends the -q queries, then each HEX message, over UDP or (-t) over one TCP
 * connection, and prints one line per message: the response summary,
 * "noresponse" on timeout or "closed" when the server closed the TCP
 * connection. -e SIZE adds an OPT to -q queries, -D sets its DO bit.
 * TCP only: -r sends the hex as is (no length prefix added), -n N reads N
 * responses per message (pipelining), -s MS sends one byte every MS ms,
 * -c MS waits at the end until the server closes the connection and
 * prints "closed ms=N" or "stillopen". -b SRC binds the socket(s) to
 * the local address SRC first (127.0.0.2: another client).
 * -o N (TCP): open N idle connections, print "open K" (K connected), hold
 * them until the server has closed them all or -c MS (default 60000)
 * passed, print "closed C of K ms=M".
 * -F N (UDP): send the first -q query N times (ids 0..N-1) at -P PPS
 * (default 2000) per second, wait -w MS for the last answers, print
 * "flood sent=N full=F tc=T lost=L ms=M" (answers whole, truncated,
 * none). Libc only.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXMSG 70000
#define MAXQ 64

static int tcp, raw, wait_ms = 2000, slow_ms = -1, close_ms = -1, per = 1;
static int edns = -1, dobit;
static const char *bind_src;

static const char *const rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

static const struct {
	const char *name;
	int code;
} types[] = {
	{"A", 1}, {"NS", 2}, {"CNAME", 5}, {"SOA", 6}, {"PTR", 12},
	{"MX", 15}, {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}, {"OPT", 41},
	{"IXFR", 251}, {"AXFR", 252}, {"ANY", 255}, {"CAA", 257},
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int type_code(const char *s)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(s, types[i].name) == 0) {
			return types[i].code;
		}
	}
	if (strncasecmp(s, "TYPE", 4) == 0) {
		s += 4;
	}
	return isdigit((unsigned char)*s) ? atoi(s) : -1;
}

/* A normal query: random id, RD=0, optional OPT (-e, -D). */
static size_t build_query(uint8_t *m, const char *name, int type)
{
	size_t n = 12;
	unsigned id = (unsigned)random() & 0xffff;

	memset(m, 0, 12);
	m[0] = id >> 8;
	m[1] = id & 0xff;
	m[5] = 1;
	while (*name != '\0' && strcmp(name, ".") != 0) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		if (len == 0 || len > 63 || n + len + 1 > 270) {
			fprintf(stderr, "dzsend: bad name label near '%s'\n", name);
			exit(1);
		}
		m[n++] = (uint8_t)len;
		memcpy(m + n, name, len);
		n += len;
		name += len + (dot ? 1 : 0);
	}
	m[n++] = 0;
	m[n++] = (uint8_t)(type >> 8);
	m[n++] = (uint8_t)type;
	m[n++] = 0;
	m[n++] = 1;
	if (edns >= 0) {
		uint8_t opt[11] = {0, 0, 41, (uint8_t)(edns >> 8),
				   (uint8_t)edns, 0, 0, dobit ? 0x80 : 0, 0,
				   0, 0};
		m[11] = 1;
		memcpy(m + n, opt, sizeof(opt));
		n += sizeof(opt);
	}
	return n;
}

/* Hex digits (anything else ignored) or @FILE of hex into m. */
static size_t parse_hex(const char *arg, uint8_t *m)
{
	static char filebuf[4 * MAXMSG];
	size_t n = 0;
	int half = -1;

	if (arg[0] == '@') {
		FILE *f = fopen(arg + 1, "r");
		size_t len;

		if (f == NULL) {
			fprintf(stderr, "dzsend: cannot open '%s'\n", arg + 1);
			exit(1);
		}
		len = fread(filebuf, 1, sizeof(filebuf) - 1, f);
		fclose(f);
		filebuf[len] = '\0';
		arg = filebuf;
	}
	for (; *arg != '\0'; arg++) {
		int v;

		if (!isxdigit((unsigned char)*arg)) {
			continue;
		}
		v = isdigit((unsigned char)*arg) ? *arg - '0'
					       : (tolower(*arg) - 'a' + 10);
		if (half < 0) {
			half = v;
		} else if (n < MAXMSG) {
			m[n++] = (uint8_t)(half << 4 | v);
			half = -1;
		}
	}
	return n;
}

/* Skip a (possibly compressed) name; returns the new offset or 0. */
static size_t skip_name(const uint8_t *m, size_t len, size_t p)
{
	while (p < len) {
		if (m[p] == 0) {
			return p + 1;
		}
		if ((m[p] & 0xc0) == 0xc0) {
			return p + 2 <= len ? p + 2 : 0;
		}
		if (m[p] & 0xc0) {
			return 0;
		}
		p += 1 + m[p];
	}
	return 0;
}

static void print_response(const uint8_t *m, size_t len)
{
	unsigned cnt[4], rcode, i, j;
	size_t p = 12;
	int opt = 0, ok = 1, extrc = 0, ver = 0, udp = 0, dob = 0;
	char flags[40] = "", rname[16];

	if (len < 12) {
		printf("garbage len=%zu\n", len);
		return;
	}
	for (i = 0; i < 4; i++) {
		cnt[i] = (unsigned)m[4 + 2 * i] << 8 | m[5 + 2 * i];
	}
	for (i = 0; i < 5; i++) {
		static const char *const fn[] = {",qr", ",aa", ",tc", ",rd",
						 ",ra"};
		static const uint8_t fb[] = {0x80, 0x04, 0x02, 0x01, 0x80};

		if (m[i < 4 ? 2 : 3] & fb[i]) {
			strcat(flags, fn[i]);
		}
	}
	for (i = 0; i < cnt[0] && ok; i++) {
		p = skip_name(m, len, p);
		ok = p != 0 && (p += 4) <= len;
	}
	for (i = 1; i < 4 && ok; i++) {
		for (j = 0; j < cnt[i] && ok; j++) {
			size_t s = p;

			p = skip_name(m, len, p);
			if (p == 0 || p + 10 > len) {
				ok = 0;
				break;
			}
			if (i == 3 && m[s] == 0 && m[p] == 0 && m[p + 1] == 41) {
				opt++;
				udp = m[p + 2] << 8 | m[p + 3];
				extrc = m[p + 4];
				ver = m[p + 5];
				dob = (m[p + 6] & 0x80) != 0;
			}
			p += 10 + (m[p + 8] << 8 | m[p + 9]);
			ok = p <= len;
		}
	}
	rcode = (m[3] & 0x0f) | (opt ? (unsigned)extrc << 4 : 0);
	if (rcode < sizeof(rcodes) / sizeof(rcodes[0])) {
		snprintf(rname, sizeof(rname), "%s", rcodes[rcode]);
	} else if (rcode == 16) {
		snprintf(rname, sizeof(rname), "BADVERS");
	} else {
		snprintf(rname, sizeof(rname), "RCODE%u", rcode);
	}
	printf("rcode=%s id=%u flags=%s qd=%u an=%u ns=%u ar=%u len=%zu", rname,
	       (unsigned)m[0] << 8 | m[1], flags[0] ? flags + 1 : "", cnt[0],
	       cnt[1], cnt[2], cnt[3], len);
	if (opt) {
		printf(" edns=%d udp=%d do=%d extrcode=%d", ver, udp, dob, extrc);
	}
	if ((m[2] >> 3 & 0x0f) != 0) {
		printf(" opcode=%d", m[2] >> 3 & 0x0f);
	}
	printf("%s%s\n", opt > 1 ? " multiopt" : "",
	       ok && p == len ? "" : " malformed");
}

/* Read exactly n bytes before the deadline: 1 ok, 0 timeout, -1 closed. */
static int read_full(int fd, uint8_t *b, size_t n, long long deadline)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			return 0;
		}
		r = read(fd, b + got, n - got);
		if (r <= 0) {
			return r < 0 && errno == EINTR ? 0 : -1;
		}
		got += (size_t)r;
	}
	return 1;
}

static int send_all(int fd, const uint8_t *b, size_t n)
{
	for (size_t off = 0; off < n;) {
		size_t chunk = slow_ms >= 0 ? 1 : n - off;
		ssize_t r = send(fd, b + off, chunk, MSG_NOSIGNAL);

		if (r < 0) {
			return -1;
		}
		off += (size_t)r;
		if (slow_ms > 0 && off < n) {
			usleep((useconds_t)slow_ms * 1000);
		}
	}
	return 0;
}

static void exchange_tcp(int fd, const uint8_t *q, size_t n, int *closed)
{
	static uint8_t buf[MAXMSG + 2];
	long long deadline;
	int r;

	if (*closed) {
		printf("closed\n");
		return;
	}
	if (!raw) {
		buf[0] = (uint8_t)(n >> 8);
		buf[1] = (uint8_t)n;
	}
	memcpy(buf + (raw ? 0 : 2), q, n);
	if (send_all(fd, buf, n + (raw ? 0 : 2)) < 0) {
		*closed = 1;
		printf("closed\n");
		return;
	}
	deadline = now_ms() + wait_ms;
	for (int i = 0; i < per && !*closed; i++) {
		r = read_full(fd, buf, 2, deadline);
		if (r > 0) {
			r = read_full(fd, buf + 2,
				      (size_t)(buf[0] << 8 | buf[1]), deadline);
		}
		*closed = r < 0;
		if (r > 0) {
			print_response(buf + 2, (size_t)(buf[0] << 8 | buf[1]));
		} else {
			printf(r < 0 ? "closed\n" : "noresponse\n");
		}
	}
}

static void exchange_udp(int fd, const uint8_t *q, size_t n)
{
	static uint8_t buf[MAXMSG];
	long long deadline = now_ms() + wait_ms;

	if (send(fd, q, n, 0) < 0) {
		printf("noresponse\n");
		return;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			break;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		/* A late answer to an earlier message is not this one's. */
		if (r < 0 || (n >= 2 && r >= 2 && memcmp(buf, q, 2) != 0)) {
			continue;
		}
		print_response(buf, (size_t)r);
		return;
	}
	printf("noresponse\n");
}

/* -c: how long until the server closes the (idle) TCP connection. */
static void wait_close(int fd, int closed)
{
	long long start = now_ms(), deadline = start + close_ms;
	uint8_t b[512];

	while (!closed) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			printf("stillopen\n");
			return;
		}
		closed = read(fd, b, sizeof(b)) <= 0;
	}
	printf("closed ms=%lld\n", now_ms() - start);
}

/* A socket like ai, bound to -b's address if given, or -1. */
static int open_socket(const struct addrinfo *ai, int flags)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | flags, 0);
	struct addrinfo hints = {0}, *src = NULL;

	if (fd < 0 || bind_src == NULL) {
		return fd;
	}
	hints.ai_family = ai->ai_family;
	hints.ai_socktype = ai->ai_socktype;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(bind_src, NULL, &hints, &src) != 0) {
		fprintf(stderr, "dzsend: bad -b address '%s'\n", bind_src);
		exit(1);
	}
	if (bind(fd, src->ai_addr, src->ai_addrlen) < 0) {
		fprintf(stderr, "dzsend: bind %s: %s\n", bind_src,
			strerror(errno));
		exit(2);
	}
	freeaddrinfo(src);
	return fd;
}

/* -o: open n idle connections, wait for the server to close them. */
static int hold(const struct addrinfo *ai, int n)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	long long start, deadline;
	int open = 0, closed = 0, err;
	socklen_t elen = sizeof(err);
	char b[512];

	if (p == NULL) {
		return 1;
	}
	for (int i = 0; i < n; i++) {
		p[i].fd = open_socket(ai, SOCK_NONBLOCK);
		if (p[i].fd < 0) {
			fprintf(stderr, "dzsend: socket %d: %s\n", i,
				strerror(errno));
			return 2;
		}
		if (connect(p[i].fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
		    errno != EINPROGRESS) {
			fprintf(stderr, "dzsend: connect %d: %s\n", i,
				strerror(errno));
			return 2;
		}
		p[i].events = POLLOUT;
	}
	/* Connected: writable without a pending error. */
	deadline = now_ms() + 30000;
	while (open < n && now_ms() < deadline) {
		if (poll(p, (nfds_t)n, 100) <= 0) {
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (p[i].revents == 0 || p[i].events != POLLOUT) {
				continue;
			}
			err = 0;
			getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &elen);
			p[i].events = err == 0 ? POLLIN : 0;
			p[i].fd = err == 0 ? p[i].fd : -1;
			open += err == 0;
			closed += err != 0;
		}
		if (open + closed == n) {
			break;
		}
	}
	printf("open %d\n", open);
	fflush(stdout);
	start = now_ms();
	deadline = start + (close_ms >= 0 ? close_ms : 60000);
	closed = 0;
	while (closed < open && now_ms() < deadline) {
		if (poll(p, (nfds_t)n, 100) <= 0) {
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (p[i].fd >= 0 && p[i].events == POLLIN &&
			    p[i].revents != 0 && read(p[i].fd, b, sizeof(b)) <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				closed++;
			}
		}
	}
	printf("closed %d of %d ms=%lld\n", closed, open, now_ms() - start);
	for (int i = 0; i < n; i++) {
		if (p[i].fd >= 0) {
			close(p[i].fd);
		}
	}
	free(p);
	return 0;
}

/* -F: n copies of query q (ids 0..n-1) at pps per second; tally. */
static int flood(int fd, uint8_t *q, size_t qlen, int n, int pps)
{
	static uint8_t buf[MAXMSG];
	uint8_t *seen = calloc((size_t)n, 1);
	long long start = now_ms(), deadline;
	int sent = 0, full = 0, tc = 0, bufsz = 1 << 22;
	ssize_t r;

	if (seen == NULL) {
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	for (;;) {
		/* Send what is due by now, then take what has come. */
		long long due = (now_ms() - start) * pps / 1000 + 1;

		while (sent < n && sent < due) {
			q[0] = (uint8_t)(sent >> 8);
			q[1] = (uint8_t)sent;
			if (send(fd, q, qlen, 0) < 0 && errno == EAGAIN) {
				break;
			}
			sent++;
		}
		deadline = sent < n ? now_ms() + 1 : now_ms() + wait_ms;
		for (;;) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			long long left = deadline - now_ms();

			if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
				break;
			}
			r = recv(fd, buf, sizeof(buf), 0);
			if (r >= 12 && (buf[0] << 8 | buf[1]) < n &&
			    !seen[buf[0] << 8 | buf[1]]) {
				seen[buf[0] << 8 | buf[1]] = 1;
				tc += (buf[2] & 0x02) != 0;
				full += (buf[2] & 0x02) == 0;
			}
			if (sent < n) {
				break;
			}
		}
		if (sent == n && deadline <= now_ms()) {
			break;
		}
	}
	printf("flood sent=%d full=%d tc=%d lost=%d ms=%lld\n", sent, full,
	       tc, sent - full - tc, now_ms() - start);
	free(seen);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: dzsend [-t] [-r] [-n N] [-s MS] [-w MS] "
			"[-c MS] [-e SIZE] [-D] [-b SRC] [-o N] [-F N] [-P PPS] "
			"[-q NAME TYPE]... ADDR PORT [HEX|@FILE]...\n");
	return 1;
}

int main(int argc, char **argv)
{
	static uint8_t msg[MAXMSG];
	const char *qn[MAXQ], *qt[MAXQ];
	struct addrinfo hints = {0}, *ai = NULL;
	int c, nq = 0, fd, closed = 0, nhold = 0, nflood = 0, pps = 2000;

	srandom((unsigned)(time(NULL) ^ getpid()));
	while ((c = getopt(argc, argv, "+trn:s:w:c:e:Db:o:F:P:q:")) != -1) {
		switch (c) {
		case 't': tcp = 1; break;
		case 'r': raw = 1; break;
		case 'n': per = atoi(optarg); break;
		case 's': slow_ms = atoi(optarg); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'c': close_ms = atoi(optarg); break;
		case 'e': edns = atoi(optarg) & 0xffff; break;
		case 'D': dobit = 1; break;
		case 'b': bind_src = optarg; break;
		case 'o': nhold = atoi(optarg); tcp = 1; break;
		case 'F': nflood = atoi(optarg); break;
		case 'P': pps = atoi(optarg); break;
		case 'q':
			if (nq == MAXQ || optind >= argc) {
				return usage();
			}
			qn[nq] = optarg;
			qt[nq++] = argv[optind++];
			break;
		default: return usage();
		}
	}
	if (argc - optind < 2) {
		return usage();
	}
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai) != 0) {
		fprintf(stderr, "dzsend: bad address '%s' port '%s'\n",
			argv[optind], argv[optind + 1]);
		return 1;
	}
	if (nhold > 0) {
		int rc = hold(ai, nhold);

		freeaddrinfo(ai);
		return rc;
	}
	fd = open_socket(ai, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "dzsend: connect: %s\n", strerror(errno));
		return 2;
	}
	freeaddrinfo(ai);
	if (nflood > 0) {
		if (tcp || nq == 0 || pps <= 0 || nflood > 65536) {
			return usage();
		}
		return flood(fd, msg, build_query(msg, qn[0], type_code(qt[0])),
			     nflood, pps);
	}
	if (tcp) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	for (int i = 0; i < nq + argc - optind - 2; i++) {
		size_t n;

		if (i < nq) {
			int t = type_code(qt[i]);

			if (t < 0) {
				fprintf(stderr, "dzsend: bad type '%s'\n", qt[i]);
				return 1;
			}
			n = build_query(msg, qn[i], t);
		} else {
			n = parse_hex(argv[optind + 2 + i - nq], msg);
		}
		if (tcp) {
			exchange_tcp(fd, msg, n, &closed);
		} else {
			exchange_udp(fd, msg, n);
		}
		fflush(stdout);
	}
	if (tcp && close_ms >= 0) {
		wait_close(fd, closed);
	}
	close(fd);
	return 0;
}
