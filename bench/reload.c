/* SPDX-License-Identifier: MIT */
/* reload.c -- change-to-visible latency of dropzoned under query load. */

/*
 * usage: reload -p PORT -d DIR [-n CHANGES] [-l LOADERS] [-q QNAME]
 *
 * dropzoned serves DIR (made by gen: zone hosting.example, DNSZone
 * "hosting" in namespace "bench") on 127.0.0.1:PORT. Each of CHANGES
 * rounds writes a one-record manifest (rb.hosting.example A, a new
 * address each time) to a temporary file in DIR, takes the time, renames
 * it into place (what an editor or a deploy does), then queries
 * rb.hosting.example until the answer carries the new address: that
 * time is one sample. Meanwhile LOADERS threads query QNAME (default
 * host-1.hosting.example) in a closed loop. Prints p50, p90, p99 and
 * max in milliseconds, and the load rate.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in server;
static atomic_bool stop;
static atomic_ulong load_answers;
static const char *load_qname = "host-1.hosting.example";

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* A query for name/A with id; returns its length. */
static size_t make_query(uint8_t *buf, uint16_t id, const char *name)
{
	size_t n = 12;
	const char *p = name;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[5] = 1; /* QDCOUNT */
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		buf[n++] = (uint8_t)len;
		memcpy(buf + n, p, len);
		n += len;
		p += len + (dot != NULL);
	}
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 1; /* A */
	buf[n++] = 0;
	buf[n++] = 1; /* IN */
	return n;
}

static int udp_socket(void)
{
	struct timeval tv = { 0, 200 * 1000 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&server,
			      sizeof(server)) < 0) {
		perror("reload: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void *loader(void *arg)
{
	uint8_t q[512], r[4096];
	int fd = udp_socket();
	uint16_t id = (uint16_t)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		size_t n = make_query(q, ++id, load_qname);
		if (send(fd, q, n, 0) < 0) {
			continue;
		}
		if (recv(fd, r, sizeof(r), 0) > 0) {
			atomic_fetch_add(&load_answers, 1);
		}
	}
	close(fd);
	return NULL;
}

/* Skip a (possibly compressed) name at r[i]; the index after it. */
static ssize_t skip_name(const uint8_t *r, ssize_t len, ssize_t i)
{
	while (i < len) {
		if ((r[i] & 0xc0) == 0xc0) {
			return i + 2;
		}
		if (r[i] == 0) {
			return i + 1;
		}
		i += r[i] + 1;
	}
	return len;
}

/* True when the first answer RR is an A holding addr (4 bytes). */
static bool shows(const uint8_t *r, ssize_t len, const uint8_t *addr)
{
	ssize_t i;

	if (len < 12 || (r[3] & 0x0f) != 0 || r[7] == 0) {
		return false;
	}
	i = skip_name(r, len, 12) + 4;     /* question */
	i = skip_name(r, len, i);          /* answer owner */
	if (i + 14 > len || r[i] != 0 || r[i + 1] != 1 || r[i + 8] != 0 ||
	    r[i + 9] != 4) {
		return false;
	}
	return memcmp(r + i + 10, addr, 4) == 0;
}

static void write_change(const char *dir, unsigned i, uint8_t *addr)
{
	char tmp[4096], path[4096];
	FILE *f;

	addr[0] = 198;
	addr[1] = 51;
	addr[2] = (uint8_t)(100 + (i / 250) % 2);
	addr[3] = (uint8_t)(i % 250 + 1);
	snprintf(tmp, sizeof(tmp), "%s/.rb.yaml.tmp", dir);
	snprintf(path, sizeof(path), "%s/rb.yaml", dir);
	f = fopen(tmp, "w");
	if (f == NULL) {
		perror(tmp);
		exit(1);
	}
	fprintf(f, "apiVersion: bindy.firestoned.io/v1alpha1\n"
		"kind: ARecord\nmetadata:\n  name: rb\n  namespace: bench\n"
		"spec:\n  zoneRef: hosting\n  name: rb\n"
		"  ipv4Address: \"%u.%u.%u.%u\"\n", addr[0], addr[1], addr[2],
		addr[3]);
	fclose(f);
}

/* One sample: rename into place, query until visible; microseconds. */
static uint64_t one_change(const char *dir, unsigned i, int fd)
{
	char tmp[4096], path[4096];
	uint8_t addr[4], q[512], r[4096];
	uint64_t t0, deadline;
	uint16_t id = (uint16_t)(i * 7);

	write_change(dir, i, addr);
	snprintf(tmp, sizeof(tmp), "%s/.rb.yaml.tmp", dir);
	snprintf(path, sizeof(path), "%s/rb.yaml", dir);
	t0 = now_us();
	if (rename(tmp, path) < 0) {
		perror(path);
		exit(1);
	}
	deadline = t0 + 60 * 1000000ULL;
	while (now_us() < deadline) {
		size_t n = make_query(q, ++id, "rb.hosting.example");
		ssize_t got;
		send(fd, q, n, 0);
		while ((got = recv(fd, r, sizeof(r), 0)) > 0) {
			if (r[0] != q[0] || r[1] != q[1]) {
				continue; /* a late answer to an older query */
			}
			if (shows(r, got, addr)) {
				return now_us() - t0;
			}
			break;
		}
	}
	fprintf(stderr, "reload: change %u not visible after 60 s\n", i);
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double pct(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i] / 1000.0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	unsigned changes = 200, loaders = 1, port = 0;
	pthread_t th[16];
	uint64_t *lat, t0, t1;
	int c, fd;

	while ((c = getopt(argc, argv, "p:d:n:l:q:")) != -1) {
		switch (c) {
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'd': dir = optarg; break;
		case 'n': changes = (unsigned)atoi(optarg); break;
		case 'l': loaders = (unsigned)atoi(optarg); break;
		case 'q': load_qname = optarg; break;
		default:
			fprintf(stderr, "usage: reload -p PORT -d DIR [-n N] "
				"[-l LOADERS] [-q QNAME]\n");
			return 2;
		}
	}
	if (dir == NULL || port == 0 || changes == 0 || loaders > 16) {
		fprintf(stderr, "reload: -p PORT and -d DIR are needed\n");
		return 2;
	}
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)port);
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lat = calloc(changes, sizeof(*lat));
	fd = udp_socket();
	for (unsigned i = 0; i < loaders; i++) {
		pthread_create(&th[i], NULL, loader, (void *)(uintptr_t)i);
	}
	/* A first change so that rb exists; not counted. */
	one_change(dir, 0, fd);
	t0 = now_us();
	unsigned long a0 = atomic_load(&load_answers);
	for (unsigned i = 0; i < changes; i++) {
		lat[i] = one_change(dir, i + 1, fd);
	}
	t1 = now_us();
	unsigned long a1 = atomic_load(&load_answers);
	atomic_store(&stop, true);
	for (unsigned i = 0; i < loaders; i++) {
		pthread_join(th[i], NULL);
	}
	qsort(lat, changes, sizeof(*lat), cmp_u64);
	printf("changes %u  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  "
	       "max %.2f ms  load %.0f answers/s (%u loaders)\n", changes,
	       pct(lat, changes, 0.5), pct(lat, changes, 0.9),
	       pct(lat, changes, 0.99), (double)lat[changes - 1] / 1000.0,
	       (double)(a1 - a0) * 1e6 / (double)(t1 - t0), loaders);
	free(lat);
	close(fd);
	return 0;
}
