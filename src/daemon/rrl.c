/* SPDX-License-Identifier: MIT */
/* rrl.c -- response rate limiting: token buckets in a shared table. */
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/limits.h"
#include "daemon/rrl.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "util/wire.h"
#include "zone/zone.h"

/*
 * The table: a fixed array of buckets shared by every worker, four ways
 * per set. A bucket belongs to one key (a 64-bit hash of the prefix and
 * the answer); a new key takes the stalest bucket of its set. Every field
 * is an atomic updated without a lock: two workers racing on one bucket
 * may lose an update (one answer too many or too few this second, or a
 * bucket taken over twice), which is what Knot DNS accepts too. What must
 * never happen, and cannot, is a torn read or a worker blocked.
 */
#define WAYS 4

/* Answer groups: part of the key, so that kinds never share a bucket. */
enum {
	K_POSITIVE = 1,
	K_WILDCARD,
	K_NODATA,
	K_NXDOMAIN,
	K_REFERRAL,
	K_ERROR,
};

struct bucket {
	_Atomic uint64_t key;      /* 0: never used */
	_Atomic uint32_t stamp;    /* second of the last refill */
	_Atomic int32_t tokens;    /* answers left this second */
	_Atomic uint32_t limited;  /* answers limited so far: slip count */
	uint32_t pad;
};

static struct bucket *table;
static size_t table_mask;

int dz_rrl_init(void)
{
	size_t n = 1024;

	if (dz_limits.rrl_rate == 0 || table != NULL) {
		return 0;
	}
	while (n < dz_limits.rrl_table_size) {
		n <<= 1;
	}
	table = calloc(n, sizeof(*table));
	if (table == NULL) {
		return DZ_ENOMEM;
	}
	table_mask = n - 1;
	return 0;
}

void dz_rrl_free(void)
{
	free(table);
	table = NULL;
	table_mask = 0;
}

static bool whitelisted(const struct sockaddr *peer)
{
	for (size_t i = 0; i < dz_limits.rrl_nwhitelist; i++) {
		if (dz_prefix_match(&dz_limits.rrl_whitelist[i], peer)) {
			return true;
		}
	}
	return false;
}

/* The client's prefix into k (family, masked address); its length. */
static size_t key_prefix(const struct sockaddr *peer, uint8_t *k)
{
	unsigned bits, n;

	k[0] = (uint8_t)peer->sa_family;
	if (peer->sa_family == AF_INET) {
		memcpy(k + 1, &((const struct sockaddr_in *)peer)->sin_addr, 4);
		bits = dz_limits.rrl_ipv4_prefix;
		n = 4;
	} else {
		memcpy(k + 1, ((const struct sockaddr_in6 *)peer)->
		       sin6_addr.s6_addr, 16);
		bits = dz_limits.rrl_ipv6_prefix;
		n = 16;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned keep = bits > 8 * i ? bits - 8 * i : 0;

		if (keep < 8) {
			k[1 + i] &= (uint8_t)(0xff00 >> keep);
		}
	}
	return 1 + n;
}

/* The 64-bit key of an answer to a client (never 0). */
static uint64_t answer_key(const struct dz_query_info *info,
			   const struct sockaddr *peer)
{
	uint8_t k[20];
	uint8_t kind;
	const uint8_t *name = NULL;
	size_t name_len = 0, n = key_prefix(peer, k);
	uint16_t qtype = 0;
	uint64_t h;

	switch (info->cls) {
	case DZ_ANS_POSITIVE:
		kind = info->wildcard ? K_WILDCARD : K_POSITIVE;
		qtype = info->qtype;
		if (!info->wildcard) {
			name = info->qname;
			name_len = info->qname_len;
		}
		break;
	case DZ_ANS_NODATA:
		kind = K_NODATA;
		break;
	case DZ_ANS_NXDOMAIN:
		kind = K_NXDOMAIN;
		break;
	case DZ_ANS_REFERRAL:
		kind = K_REFERRAL;
		break;
	default:
		kind = K_ERROR;
		break;
	}
	/* Negative answers, referrals and wildcards: one bucket per zone,
	 * so random names under it cannot each get a fresh bucket. */
	if (name == NULL && kind != K_ERROR && info->zone != NULL) {
		name = dz_zone_origin(info->zone);
		name_len = dz_dname_len(name);
	}
	h = dz_limits_hash(dz_limits.seed ^ kind, k, n);
	h = dz_limits_hash(h ^ qtype, name, name != NULL ? name_len : 0);
	return h != 0 ? h : 1;
}

/* The bucket of key: found in its set, or the set's stalest taken. */
static struct bucket *bucket_get(uint64_t key, uint32_t now)
{
	struct bucket *set = &table[key & table_mask & ~(size_t)(WAYS - 1)];
	struct bucket *old = &set[0];
	uint32_t age, oldest = 0;

	for (size_t i = 0; i < WAYS; i++) {
		uint64_t k = atomic_load_explicit(&set[i].key,
						  memory_order_relaxed);

		if (k == key) {
			return &set[i];
		}
		age = k == 0 ? UINT32_MAX :
		      now - atomic_load_explicit(&set[i].stamp,
						 memory_order_relaxed);
		if (i == 0 || age > oldest) {
			oldest = age;
			old = &set[i];
		}
	}
	atomic_store_explicit(&old->stamp, now - 1, memory_order_relaxed);
	atomic_store_explicit(&old->limited, 0, memory_order_relaxed);
	atomic_store_explicit(&old->key, key, memory_order_relaxed);
	return old;
}

/* Take one token; false when the bucket is empty this second. */
static bool bucket_take(struct bucket *b, uint32_t now)
{
	uint32_t s = atomic_load_explicit(&b->stamp, memory_order_relaxed);

	/* The first answer of a new second refills; one worker wins. */
	if (s != now && atomic_compare_exchange_strong(&b->stamp, &s, now)) {
		atomic_store_explicit(&b->tokens, (int32_t)dz_limits.rrl_rate,
				      memory_order_relaxed);
	}
	return atomic_fetch_sub_explicit(&b->tokens, 1,
					 memory_order_relaxed) > 0;
}

/* Skip a name (maybe compressed) at p; the offset after it, or 0. */
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
		p += (size_t)m[p] + 1;
	}
	return 0;
}

/* Skip count RRs from p; the offset after them, or 0. Sets *opt (and
 * *optlen) to the OPT RR met on the way, if any. */
static size_t skip_rrs(const uint8_t *m, size_t len, size_t p,
		       unsigned count, size_t *opt, size_t *optlen)
{
	for (unsigned i = 0; i < count && p != 0; i++) {
		size_t start = p;

		p = skip_name(m, len, p);
		if (p == 0 || p + 10 > len) {
			return 0;
		}
		if (dz_wire_get_u16(m + p) == 41 && opt != NULL) {
			*opt = start;
			*optlen = p + 10 + dz_wire_get_u16(m + p + 8) - start;
		}
		p += 10 + (size_t)dz_wire_get_u16(m + p + 8);
		if (p > len) {
			return 0;
		}
	}
	return p;
}

/*
 * Turn the answer into a slip: same header with TC=1, the question, the
 * OPT (so that EDNS clients keep trusting us), nothing else. A client
 * that really asked retries over TCP, which is never limited; a spoofed
 * victim gets a small packet. The new length.
 */
static size_t slip(uint8_t *resp, size_t len)
{
	unsigned qd = dz_wire_get_u16(resp + 4);
	size_t q = 12, end, opt = 0, optlen = 0;

	for (unsigned i = 0; i < qd && q != 0; i++) {
		q = skip_name(resp, len, q);
		q = q != 0 && q + 4 <= len ? q + 4 : 0;
	}
	if (q == 0) {
		q = 12;
		qd = 0;
	}
	end = skip_rrs(resp, len, q, dz_wire_get_u16(resp + 6) +
		       dz_wire_get_u16(resp + 8), NULL, NULL);
	if (end != 0) {
		skip_rrs(resp, len, end, dz_wire_get_u16(resp + 10), &opt,
			 &optlen);
	}
	if (optlen > 0) {
		memmove(resp + q, resp + opt, optlen);
	}
	resp[2] |= 0x02;
	dz_wire_set_u16(resp + 4, (uint16_t)qd);
	dz_wire_set_u16(resp + 6, 0);
	dz_wire_set_u16(resp + 8, 0);
	dz_wire_set_u16(resp + 10, optlen > 0 ? 1 : 0);
	return q + optlen;
}

size_t dz_rrl_check_at(const struct dz_query_info *info,
		       const struct sockaddr *peer, socklen_t peerlen,
		       uint8_t *resp, size_t len, uint32_t now)
{
	struct bucket *b;
	unsigned slip_every = dz_limits.rrl_slip;
	uint32_t n;

	if (table == NULL || len < 12 || info->cls == DZ_ANS_DROPPED ||
	    (peer->sa_family != AF_INET && peer->sa_family != AF_INET6) ||
	    peerlen < sizeof(struct sockaddr_in) || whitelisted(peer)) {
		return len;
	}
	b = bucket_get(answer_key(info, peer), now);
	if (bucket_take(b, now)) {
		return len;
	}
	n = atomic_fetch_add_explicit(&b->limited, 1,
				      memory_order_relaxed) + 1;
	if (slip_every > 0 && n % slip_every == 0) {
		return slip(resp, len);
	}
	return 0;
}

size_t dz_rrl_check(const struct dz_query_info *info,
		    const struct sockaddr *peer, socklen_t peerlen,
		    uint8_t *resp, size_t len)
{
	struct timespec ts;

	if (table == NULL) {
		return len;
	}
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return dz_rrl_check_at(info, peer, peerlen, resp, len,
			       (uint32_t)ts.tv_sec);
}
