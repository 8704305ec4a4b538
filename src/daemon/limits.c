/* SPDX-License-Identifier: MIT */
/* limits.c -- the settings of TCP limits and RRL, and the descriptor limit. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "daemon/limits.h"
#include "util/log.h"

/* "auto" never asks for more connections than this. */
#define AUTO_CONNS_MAX 65536

struct dz_limits dz_limits = {
	.tcp_max_conns = 0,
	.tcp_max_per_source = 64,
	.tcp_idle_timeout = 10,
	.tcp_io_timeout = 2000,
	.tcp_max_queries = 0,
	.tcp_max_message = 4096,
	.rrl_rate = 0,
	.rrl_slip = 2,
	.rrl_ipv4_prefix = 24,
	.rrl_ipv6_prefix = 56,
	.rrl_table_size = 65536,
};

/* MurmurHash3's finaliser: every input bit reaches every output bit. */
static uint64_t fmix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

uint64_t dz_limits_hash(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t k;

	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&k, b, 8);
		h = fmix(h ^ k) + 0x9e3779b97f4a7c15ULL;
	}
	k = 0;
	if (len > 0) {
		memcpy(&k, b, len);
	}
	return fmix(h ^ k ^ ((uint64_t)len << 56));
}

int dz_prefix_parse(const char *text, struct dz_prefix *out,
		    const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long bits;
	char *end;

	memset(out, 0, sizeof(*out));
	if (alen >= INET6_ADDRSTRLEN) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		out->bits = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		out->bits = 128;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	if (slash != NULL) {
		errno = 0;
		bits = strtoul(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' ||
		    slash[1] == '-' || bits > out->bits) {
			*why = "prefix length out of range";
			return -1;
		}
		out->bits = (unsigned)bits;
	}
	return 0;
}

bool dz_prefix_match(const struct dz_prefix *p, const struct sockaddr *sa)
{
	const uint8_t *a;
	unsigned full = p->bits / 8, rest = p->bits % 8;

	if (sa->sa_family != p->family) {
		return false;
	}
	if (p->family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else {
		a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	}
	if (memcmp(a, p->addr, full) != 0) {
		return false;
	}
	return rest == 0 ||
	       ((a[full] ^ p->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* --rrl-whitelist: repeatable; NULL forgets the entries so far. */
static int set_whitelist(const char *value, void *ptr, const char **why)
{
	struct dz_limits *l = ptr;

	if (value == NULL) {
		l->rrl_nwhitelist = 0;
		return 0;
	}
	if (l->rrl_nwhitelist == DZ_RRL_WHITELIST_MAX) {
		*why = "too many whitelist entries";
		return -1;
	}
	if (dz_prefix_parse(value, &l->rrl_whitelist[l->rrl_nwhitelist],
			    why) != 0) {
		return -1;
	}
	l->rrl_nwhitelist++;
	return 0;
}

void dz_limits_resolve(void)
{
	struct rlimit rl;
	rlim_t half;

	if (getrandom(&dz_limits.seed, sizeof(dz_limits.seed),
		      GRND_NONBLOCK) != sizeof(dz_limits.seed)) {
		dz_limits.seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	}

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0) {
			dz_log_info("open-file limit raised from %lu to %lu",
				    (unsigned long)old,
				    (unsigned long)rl.rlim_cur);
		} else {
			rl.rlim_cur = old;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		rl.rlim_cur = 1024;
	}
	half = rl.rlim_cur == RLIM_INFINITY ? AUTO_CONNS_MAX * 2 :
		rl.rlim_cur / 2;
	if (dz_limits.tcp_max_conns == 0) {
		dz_limits.tcp_max_conns = half > AUTO_CONNS_MAX ?
			AUTO_CONNS_MAX : (unsigned)(half > 16 ? half : 16);
	} else if (dz_limits.tcp_max_conns > half) {
		dz_log_warn("tcp-max-conns %u is more than half the open-file "
			    "limit (%lu): accept() may fail with EMFILE",
			    dz_limits.tcp_max_conns,
			    (unsigned long)rl.rlim_cur);
	}
}

const struct dz_opt dz_limit_opts[] = {
	{ .name = "tcp-max-conns", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.tcp_max_conns, .min = 0, .max = 1000000,
	  .arg = "N", .help = "TCP connections at once, over all workers;\n"
	  "more are closed at once; 0: half the open-file\n"
	  "limit (raised to its maximum), at most 65536", .def = "0" },
	{ .name = "tcp-max-per-source", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.tcp_max_per_source, .min = 0, .max = 1000000,
	  .arg = "N", .help = "TCP connections at once from one address\n"
	  "(IPv6: one /64); 0: no limit", .def = "64" },
	{ .name = "tcp-idle-timeout", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.tcp_idle_timeout, .min = 1, .max = 3600,
	  .arg = "SECS", .help = "close a TCP connection that sends no query\n"
	  "(or takes no answer) for this long", .def = "10" },
	{ .name = "tcp-io-timeout", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.tcp_io_timeout, .min = 50, .max = 60000,
	  .arg = "MS", .help = "a TCP query must arrive whole within this\n"
	  "time of its first octet: slow clients are cut off",
	  .def = "2000" },
	{ .name = "tcp-max-queries", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.tcp_max_queries, .min = 0, .max = 1000000000,
	  .arg = "N", .help = "queries per TCP connection, then it is closed\n"
	  "once answered; 0: no limit", .def = "0" },
	{ .name = "tcp-max-message", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.tcp_max_message, .min = 512, .max = 65535,
	  .arg = "OCTETS", .help = "longest TCP query; a longer one closes the\n"
	  "connection", .def = "4096" },
	{ .name = "rrl-rate", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.rrl_rate, .min = 0, .max = 1000000,
	  .arg = "N", .help = "response rate limit: UDP answers per second\n"
	  "for one source prefix and one answer; 0: off", .def = "0" },
	{ .name = "rrl-slip", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.rrl_slip, .min = 0, .max = 10,
	  .arg = "N", .help = "every Nth limited answer goes out truncated\n"
	  "(TC=1): real clients retry over TCP; 0: drop\n"
	  "all, 1: truncate all", .def = "2" },
	{ .name = "rrl-ipv4-prefix", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.rrl_ipv4_prefix, .min = 8, .max = 32,
	  .arg = "BITS", .help = "IPv4 clients are limited per prefix of\n"
	  "this length", .def = "24" },
	{ .name = "rrl-ipv6-prefix", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.rrl_ipv6_prefix, .min = 16, .max = 128,
	  .arg = "BITS", .help = "IPv6 clients are limited per prefix of\n"
	  "this length", .def = "56" },
	{ .name = "rrl-whitelist", .type = DZ_OPT_FUNC, .ptr = &dz_limits,
	  .parse = set_whitelist, .repeat = true, .arg = "PREFIX",
	  .help = "never rate-limit this address or prefix\n"
	  "(192.0.2.0/24, 2001:db8::/32); repeatable" },
	{ .name = "rrl-table-size", .type = DZ_OPT_UINT,
	  .ptr = &dz_limits.rrl_table_size, .min = 1024, .max = 1 << 24,
	  .arg = "N", .help = "rate-limiting buckets (24 octets each),\n"
	  "shared by all workers", .def = "65536" },
	{ .name = NULL },
};
