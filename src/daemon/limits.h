/* SPDX-License-Identifier: MIT */
/* limits.h -- TCP limits and rate-limiting settings (rows in dz_limit_opts). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "daemon/opt.h"

/* Whitelist entries (--rrl-whitelist) at most. */
#define DZ_RRL_WHITELIST_MAX 64

/* One address prefix: AF_INET or AF_INET6, address bytes, length. */
struct dz_prefix {
	int family;
	uint8_t addr[16];
	unsigned bits;
};

/*
 * Every limit, in one place. Filled from dz_limit_opts (defaults are the
 * initial values), resolved by dz_limits_resolve() before the workers
 * start, read-only afterwards.
 */
struct dz_limits {
	unsigned tcp_max_conns;      /* total over all workers; 0 = auto */
	unsigned tcp_max_per_source; /* per address (IPv6: /64); 0 = off */
	unsigned tcp_idle_timeout;   /* seconds without a query */
	unsigned tcp_io_timeout;     /* ms to receive one whole query */
	unsigned tcp_max_queries;    /* per connection; 0 = unlimited */
	unsigned tcp_max_message;    /* octets of one TCP query */
	unsigned rrl_rate;           /* responses/s per bucket; 0 = off */
	unsigned rrl_slip;           /* every Nth limited answer slips */
	unsigned rrl_ipv4_prefix;
	unsigned rrl_ipv6_prefix;
	unsigned rrl_table_size;     /* buckets, rounded up to a power of 2 */
	struct dz_prefix rrl_whitelist[DZ_RRL_WHITELIST_MAX];
	size_t rrl_nwhitelist;
	uint64_t seed;               /* random, per process: hash keys */
};

extern struct dz_limits dz_limits;

/*
 * Settle what depends on the process: raise the soft RLIMIT_NOFILE to the
 * hard one (thousands of TCP clients need thousands of descriptors) and
 * turn tcp_max_conns 0 ("auto") into half the descriptor limit; pick the
 * hash seed. Logs what it did. Called once, before the workers start.
 */
void dz_limits_resolve(void);

/*
 * Keyed 64-bit hash of len octets, chained from h (start with
 * dz_limits.seed): the seed is random per process, so colliding keys
 * cannot be worked out offline. Not cryptographic.
 */
uint64_t dz_limits_hash(uint64_t h, const void *p, size_t len);

/*
 * Parse "ADDR" or "ADDR/BITS" (IPv4 or IPv6, numeric) into out.
 * Returns 0, or -1 with *why a phrase.
 */
int dz_prefix_parse(const char *text, struct dz_prefix *out,
		    const char **why);

/* True when the address (AF_INET or AF_INET6 sockaddr) is inside p. */
bool dz_prefix_match(const struct dz_prefix *p, const struct sockaddr *sa);
