/* SPDX-License-Identifier: MIT */
/* stats.c -- per-worker query counters, summed at scrape time; query log. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/stats.h"
#include "util/dname.h"
#include "util/log.h"
#include "zone/zone.h"
#include "zone/zone-internal.h"

/*
 * Each worker owns a struct dz_wstats and is the only writer of it: a
 * count is a relaxed atomic load and store (a plain add on x86, no lock
 * prefix), the scraper reads with relaxed loads and may see a count a
 * moment late, never torn. Zones get a slot in a fixed open-addressing
 * table keyed by their origin: the worker claims a slot the first time it
 * answers from a zone (writes the name, then sets used with release
 * semantics) and never gives it back, so counts stay monotonic when a
 * zone goes away and comes back. Past ZSLOTS_LOAD zones, new ones count
 * under zone="other"; queries outside our zones under zone="dropped"
 * (CoreDNS's label for queries no server block takes).
 */

#define ZSLOTS 128                      /* power of two */
#define ZSLOTS_LOAD (ZSLOTS * 3 / 4)    /* keeps probe runs short */
#define Z_DROPPED ZSLOTS
#define Z_OTHER (ZSLOTS + 1)
#define NTYPES 17                       /* named types, then "other" */
#define NRCODES 25                      /* 0..23 by name, then "other" */
#define NBUCKETS 12                     /* finite histogram bounds */
#define TEXT_MAX 1024                   /* a name as text, escaped */

static const char *const type_names[NTYPES] = {
	"A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "DS",
	"DNSKEY", "HTTPS", "CAA", "IXFR", "AXFR", "ANY", "other",
};

static const char *const rcode_names[NRCODES] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	"RCODE12", "RCODE13", "RCODE14", "RCODE15", "BADVERS", "BADKEY",
	"BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE",
	"other",
};

/* Upper bounds of the duration buckets: nanoseconds and their label. */
static const uint64_t bucket_ns[NBUCKETS] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 10000000,
};
static const char *const bucket_le[NBUCKETS] = {
	"1e-06", "2.5e-06", "5e-06", "1e-05", "2.5e-05", "5e-05", "0.0001",
	"0.00025", "0.0005", "0.001", "0.0025", "0.01",
};

/* All counters of one zone; only uint64_t, summed as an array. */
struct zcounts {
	uint64_t req[2][2][NTYPES];          /* proto, family, type */
	uint64_t resp[NRCODES];
	uint64_t dur[NTYPES][NBUCKETS + 1];  /* per bucket; last: +Inf */
	uint64_t dur_ns[NTYPES];
};

#define NCOUNTS (sizeof(struct zcounts) / sizeof(uint64_t))

struct zslot {
	struct zcounts c;
	uint8_t used;                 /* release: name and len are set */
	uint8_t len;
	uint8_t name[DZ_DNAME_MAX];   /* the zone origin, lower case wire */
};

struct dz_wstats {
	unsigned id;
	struct dz_wstats *next;       /* the registry */
	unsigned nused;               /* zone slots claimed */
	const struct dz_zone *last;   /* the last zone counted ... */
	struct zslot *last_slot;      /* ... and its slot */
	struct zslot slot[ZSLOTS + 2];
};

bool dz_stats_query_log;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dz_wstats *reg_head;

struct dz_wstats *dz_stats_worker_new(unsigned id)
{
	struct dz_wstats *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->id = id;
	pthread_mutex_lock(&reg_lock);
	s->next = reg_head;
	reg_head = s;
	pthread_mutex_unlock(&reg_lock);
	return s;
}

void dz_stats_worker_free(struct dz_wstats *s)
{
	if (s == NULL) {
		return;
	}
	pthread_mutex_lock(&reg_lock);
	for (struct dz_wstats **p = &reg_head; *p != NULL; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	free(s);
}

/* ---- The query path --------------------------------------------------- */

static inline void bump(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

static unsigned type_index(uint16_t type)
{
	switch (type) {
	case 1: return 0;    /* A */
	case 2: return 1;    /* NS */
	case 5: return 2;    /* CNAME */
	case 6: return 3;    /* SOA */
	case 12: return 4;   /* PTR */
	case 15: return 5;   /* MX */
	case 16: return 6;   /* TXT */
	case 28: return 7;   /* AAAA */
	case 33: return 8;   /* SRV */
	case 43: return 9;   /* DS */
	case 48: return 10;  /* DNSKEY */
	case 65: return 11;  /* HTTPS */
	case 257: return 12; /* CAA */
	case 251: return 13; /* IXFR */
	case 252: return 14; /* AXFR */
	case 255: return 15; /* ANY */
	default: return NTYPES - 1;
	}
}

static uint32_t name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h = (h ^ name[i]) * 16777619u;
	}
	return h;
}

static bool slot_is(const struct zslot *z, const uint8_t *name, size_t len)
{
	return z->len == len && dz_bytes_eq(z->name, name, len);
}

/* The slot of a zone: found, claimed, or "other" when the table is full. */
static struct zslot *zone_slot(struct dz_wstats *s, const struct dz_zone *zone)
{
	const uint8_t *name;
	size_t len;
	uint32_t h;

	if (zone == NULL) {
		return &s->slot[Z_DROPPED];
	}
	name = zone->origin; /* inline: this runs for every answer */
	len = zone->origin_len;
	/* The pointer may be a new zone at a freed one's address: the name
	 * decides. */
	if (zone == s->last && slot_is(s->last_slot, name, len)) {
		return s->last_slot;
	}
	h = name_hash(name, len);
	for (unsigned i = 0; i < ZSLOTS; i++) {
		struct zslot *z = &s->slot[(h + i) & (ZSLOTS - 1)];
		if (z->used && slot_is(z, name, len)) {
			s->last = zone;
			s->last_slot = z;
			return z;
		}
		if (!z->used) {
			if (s->nused == ZSLOTS_LOAD) {
				break;
			}
			memcpy(z->name, name, len);
			z->len = (uint8_t)len;
			__atomic_store_n(&z->used, 1, __ATOMIC_RELEASE);
			s->nused++;
			s->last = zone;
			s->last_slot = z;
			return z;
		}
	}
	return &s->slot[Z_OTHER];
}

static void observe(struct zslot *z, unsigned t, uint64_t ns)
{
	unsigned b = 0;

	while (b < NBUCKETS && ns > bucket_ns[b]) {
		b++;
	}
	bump(&z->c.dur[t][b], 1);
	bump(&z->c.dur_ns[t], ns);
}

static void log_query(const struct dz_query_info *info, unsigned flags,
		      const struct sockaddr *peer, size_t len);

void dz_stats_count(struct dz_wstats *s, const struct dz_query_info *info,
		    unsigned flags, const struct sockaddr *peer, size_t len)
{
	struct zslot *z = zone_slot(s, info->zone);
	unsigned t = info->qname != NULL ? type_index(info->qtype) :
		     NTYPES - 1;
	unsigned proto = (flags & DZ_QUERY_TCP) ? 1 : 0;
	unsigned family = peer != NULL && peer->sa_family == AF_INET6;

	bump(&z->c.req[proto][family][t], 1);
	if (len > 0) {
		bump(&z->c.resp[info->rcode < NRCODES - 1 ? info->rcode :
				NRCODES - 1], 1);
	}
	if (info->start_ns != 0) {
		observe(z, t, dz_query_now_ns() - info->start_ns);
	}
	if (dz_stats_query_log && dz_log_enabled(DZ_LOG_DEBUG)) {
		log_query(info, flags, peer, len);
	}
}

/* ---- The query log ---------------------------------------------------- */

static void peer_text(const struct sockaddr *peer, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (peer != NULL && peer->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)peer;
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		port = ntohs(in->sin_port);
	} else if (peer != NULL && peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)peer;
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		port = ntohs(in6->sin6_port);
	}
	snprintf(out, size, "%s#%u", a, port);
}

/* "query CLIENT#PORT PROTO NAME CLASS TYPE RCODE SIZE" at debug. */
static void log_query(const struct dz_query_info *info, unsigned flags,
		      const struct sockaddr *peer, size_t len)
{
	char client[INET6_ADDRSTRLEN + 8], name[TEXT_MAX], type[16], cls[16];
	const char *rcode = "dropped";

	peer_text(peer, client, sizeof(client));
	if (info->qname != NULL) {
		dz_dname_to_text(info->qname, name, sizeof(name));
	} else {
		strcpy(name, "-");
	}
	if (type_index(info->qtype) < NTYPES - 1) {
		snprintf(type, sizeof(type), "%s",
			 type_names[type_index(info->qtype)]);
	} else {
		snprintf(type, sizeof(type), "TYPE%u", info->qtype);
	}
	if (info->qclass == 1 || info->qclass == 3) {
		snprintf(cls, sizeof(cls), "%s",
			 info->qclass == 1 ? "IN" : "CH");
	} else {
		snprintf(cls, sizeof(cls), "CLASS%u", info->qclass);
	}
	if (info->cls != DZ_ANS_DROPPED && len > 0) {
		rcode = rcode_names[info->rcode < NRCODES - 1 ? info->rcode :
				    NRCODES - 1];
	}
	dz_log(DZ_LOG_DEBUG, "query %s %s %s %s %s %s %zu", client,
	       (flags & DZ_QUERY_TCP) ? "tcp" : "udp", name, cls, type, rcode,
	       len);
}

/* ---- The scrape ------------------------------------------------------- */

/* One zone's counts summed over the workers. */
struct agg {
	char name[TEXT_MAX];
	struct zcounts c;
};

struct aggs {
	struct agg *v;
	size_t n, cap;
};

static struct agg *agg_get(struct aggs *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, name) == 0) {
			return &a->v[i];
		}
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct agg *v = realloc(a->v, cap * sizeof(*v));
		if (v == NULL) {
			return NULL;
		}
		a->v = v;
		a->cap = cap;
	}
	memset(&a->v[a->n], 0, sizeof(a->v[a->n]));
	snprintf(a->v[a->n].name, TEXT_MAX, "%s", name);
	return &a->v[a->n++];
}

static void agg_add(struct agg *g, const struct zslot *z)
{
	uint64_t *dst = (uint64_t *)&g->c;
	const uint64_t *src = (const uint64_t *)&z->c;

	for (size_t i = 0; i < NCOUNTS; i++) {
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	}
}

static int agg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct agg *)a)->name,
		      ((const struct agg *)b)->name);
}

/* Sum every registered worker's slots by zone name. 0 or -1 (OOM). */
static int collect(struct aggs *a)
{
	char name[TEXT_MAX];
	struct agg *g;
	int rc = 0;

	pthread_mutex_lock(&reg_lock);
	for (struct dz_wstats *s = reg_head; s != NULL && rc == 0;
	     s = s->next) {
		for (size_t i = 0; i < ZSLOTS + 2 && rc == 0; i++) {
			const struct zslot *z = &s->slot[i];
			if (i == Z_DROPPED || i == Z_OTHER) {
				snprintf(name, sizeof(name), "%s",
					 i == Z_OTHER ? "other" : "dropped");
			} else if (__atomic_load_n(&z->used,
						   __ATOMIC_ACQUIRE)) {
				dz_dname_to_text(z->name, name, sizeof(name));
			} else {
				continue;
			}
			g = agg_get(a, name);
			if (g == NULL) {
				rc = -1;
			} else {
				agg_add(g, z);
			}
		}
	}
	pthread_mutex_unlock(&reg_lock);
	qsort(a->v, a->n, sizeof(*a->v), agg_cmp);
	return rc;
}

void dz_stats_put_label(FILE *out, const char *value)
{
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"') {
			fputc('\\', out);
			fputc(*p, out);
		} else if (*p == '\n') {
			fputs("\\n", out);
		} else {
			fputc(*p, out);
		}
	}
}

/* name{server="..",zone=".." and the caller adds the rest */
static void series(FILE *out, const char *metric, const char *server,
		   const char *zone)
{
	fprintf(out, "%s{server=\"", metric);
	dz_stats_put_label(out, server);
	fputs("\",zone=\"", out);
	dz_stats_put_label(out, zone);
	fputc('"', out);
}

static void write_requests(FILE *out, const struct aggs *a,
			   const char *server)
{
	static const char *const proto[2] = { "udp", "tcp" };

	fputs("# HELP dropzone_dns_requests_total Counter of DNS requests "
	      "made per zone, protocol and family.\n"
	      "# TYPE dropzone_dns_requests_total counter\n", out);
	for (size_t i = 0; i < a->n; i++) {
		const struct agg *g = &a->v[i];
		for (unsigned k = 0; k < 4 * NTYPES; k++) {
			unsigned p = k / (2 * NTYPES), f = k / NTYPES % 2;
			uint64_t v = g->c.req[p][f][k % NTYPES];
			if (v == 0) {
				continue;
			}
			series(out, "dropzone_dns_requests_total", server,
			       g->name);
			fprintf(out, ",proto=\"%s\",family=\"%u\",type=\"%s\"} "
				"%llu\n", proto[p], f + 1,
				type_names[k % NTYPES], (unsigned long long)v);
		}
	}
}

static void write_responses(FILE *out, const struct aggs *a,
			    const char *server)
{
	fputs("# HELP dropzone_dns_responses_total Counter of response "
	      "status codes.\n"
	      "# TYPE dropzone_dns_responses_total counter\n", out);
	for (size_t i = 0; i < a->n; i++) {
		for (unsigned r = 0; r < NRCODES; r++) {
			uint64_t v = a->v[i].c.resp[r];
			if (v == 0) {
				continue;
			}
			series(out, "dropzone_dns_responses_total", server,
			       a->v[i].name);
			fprintf(out, ",rcode=\"%s\"} %llu\n", rcode_names[r],
				(unsigned long long)v);
		}
	}
}

/* One histogram series: cumulative buckets, +Inf, _sum, _count. */
static void write_histogram(FILE *out, const struct agg *g, unsigned t,
			    const char *server)
{
	uint64_t cum = 0;

	for (unsigned b = 0; b <= NBUCKETS; b++) {
		cum += g->c.dur[t][b];
		series(out, "dropzone_dns_request_duration_seconds_bucket",
		       server, g->name);
		fprintf(out, ",type=\"%s\",le=\"%s\"} %llu\n", type_names[t],
			b < NBUCKETS ? bucket_le[b] : "+Inf",
			(unsigned long long)cum);
	}
	series(out, "dropzone_dns_request_duration_seconds_sum", server,
	       g->name);
	fprintf(out, ",type=\"%s\"} %.9f\n", type_names[t],
		(double)g->c.dur_ns[t] / 1e9);
	series(out, "dropzone_dns_request_duration_seconds_count", server,
	       g->name);
	fprintf(out, ",type=\"%s\"} %llu\n", type_names[t],
		(unsigned long long)cum);
}

static void write_durations(FILE *out, const struct aggs *a,
			    const char *server)
{
	fprintf(out, "# HELP dropzone_dns_request_duration_seconds Histogram "
		"of the time (in seconds) each request took per zone (one "
		"query in %d is timed).\n"
		"# TYPE dropzone_dns_request_duration_seconds histogram\n",
		DZ_QUERY_SAMPLE);
	for (size_t i = 0; i < a->n; i++) {
		for (unsigned t = 0; t < NTYPES; t++) {
			uint64_t n = 0;
			for (unsigned b = 0; b <= NBUCKETS; b++) {
				n += a->v[i].c.dur[t][b];
			}
			if (n > 0) {
				write_histogram(out, &a->v[i], t, server);
			}
		}
	}
}

void dz_stats_write(FILE *out, const char *server)
{
	struct aggs a = { 0 };

	if (collect(&a) != 0) {
		dz_log_err("metrics: out of memory");
	}
	write_requests(out, &a, server);
	write_responses(out, &a, server);
	write_durations(out, &a, server);
	free(a.v);
}
