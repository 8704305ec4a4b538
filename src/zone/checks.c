/* SPDX-License-Identifier: MIT */
/* checks.c -- cross-record checks of a build: CNAME at the apex or beside. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugin.h"
#include "util/arena.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/checks.h"

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_AAAA = 28,
};

/* One RR as the checks see it. */
struct centry {
	const struct dz_zspec *zone;  /* the zone key */
	struct dz_object *obj;        /* the record object; NULL: zone data */
	const struct dz_object *zobj; /* zone data: its DNSZone */
	const uint8_t *owner;         /* lower case, in the arena */
	const uint8_t *target;        /* CNAME only: lower case target */
	size_t olen;
	size_t seq;                   /* order noted */
	uint16_t type;
};

/*
 * Only owners with a CNAME can break a rule, and they are few: the first
 * pass notes the CNAMEs alone (and counts every RR, so that seq is the
 * place in the stream), the second, when there was a CNAME, the other
 * RRs at those owners. Nothing is kept for the millions of owners
 * without one.
 */
struct dz_checks {
	struct dz_arena *arena;
	struct centry *e;
	size_t n, cap;
	size_t seq;           /* RRs told in this pass */
	bool second;          /* in the second pass */
	size_t *cidx;         /* open addressing: e[] index of a CNAME
			       * owner (+1; 0 is empty), by zone and owner */
	size_t cmask;
	int nfailed;
};

struct dz_checks *dz_checks_new(void)
{
	struct dz_checks *c = calloc(1, sizeof(*c));

	if (c != NULL && (c->arena = dz_arena_new(0)) == NULL) {
		free(c);
		c = NULL;
	}
	return c;
}

void dz_checks_free(struct dz_checks *c)
{
	if (c == NULL) {
		return;
	}
	dz_arena_free(c->arena);
	free(c->e);
	free(c->cidx);
	free(c);
}

/* A lower-case copy of a wire name in the arena; NULL on OOM. */
static uint8_t *lower_dup(struct dz_checks *c, const uint8_t *name,
			  size_t *len)
{
	uint8_t *p;

	*len = dz_dname_len(name);
	if ((p = dz_arena_memdup(c->arena, name, *len)) != NULL) {
		dz_dname_tolower(p);
	}
	return p;
}

static struct centry *push(struct dz_checks *c, const struct dz_zspec *zone,
			   const uint8_t *owner, uint16_t type)
{
	struct centry *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct centry *p = realloc(c->e, cap * sizeof(*p));
		if (p == NULL) {
			return NULL;
		}
		c->e = p;
		c->cap = cap;
	}
	e = &c->e[c->n];
	memset(e, 0, sizeof(*e));
	if ((e->owner = lower_dup(c, owner, &e->olen)) == NULL) {
		return NULL;
	}
	e->zone = zone;
	e->type = type;
	e->seq = c->seq - 1;
	c->n++;
	return e;
}

static uint64_t owner_hash(const struct dz_zspec *zone, const uint8_t *lower,
			   size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)zone * 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < len; i++) {
		h = (h ^ lower[i]) * 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

/* Is there a CNAME at owner (lower case, len bytes) in zone? */
static bool has_cname(const struct dz_checks *c, const struct dz_zspec *zone,
		      const uint8_t *lower, size_t len)
{
	size_t j = owner_hash(zone, lower, len) & c->cmask;

	for (; c->cidx[j] != 0; j = (j + 1) & c->cmask) {
		const struct centry *e = &c->e[c->cidx[j] - 1];
		if (e->zone == zone && e->olen == len &&
		    memcmp(e->owner, lower, len) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * The RR told now (counted): does this pass note it? The first pass
 * notes CNAMEs, the second the other RRs at a CNAME's owner.
 */
static bool wanted(struct dz_checks *c, const struct dz_zspec *zone,
		   const uint8_t *owner, uint16_t type)
{
	uint8_t lower[DZ_DNAME_MAX];
	size_t len;

	c->seq++;
	if (!c->second || type == T_CNAME) {
		return !c->second && type == T_CNAME;
	}
	len = dz_dname_len(owner);
	memcpy(lower, owner, len);
	dz_dname_tolower(lower);
	return has_cname(c, zone, lower, len);
}

/* Zone data, for either pass. */
static int zone_rr(struct dz_checks *c, const struct dz_zspec *zone,
		   const struct dz_object *zobj, const uint8_t *owner,
		   uint16_t type)
{
	struct centry *e;

	if (!wanted(c, zone, owner, type)) {
		return 0;
	}
	if ((e = push(c, zone, owner, type)) == NULL) {
		return DZ_ENOMEM;
	}
	e->zobj = zobj;
	return 0;
}

bool dz_checks_rewind(struct dz_checks *c)
{
	size_t cap = 16;

	if (c->second || c->n == 0) {
		return false;
	}
	while (cap < 2 * c->n) {
		cap *= 2;
	}
	if ((c->cidx = calloc(cap, sizeof(*c->cidx))) == NULL) {
		return true; /* dz_checks_run tells */
	}
	c->cmask = cap - 1;
	for (size_t i = 0; i < c->n; i++) {
		const struct centry *e = &c->e[i];
		size_t j = owner_hash(e->zone, e->owner, e->olen) & c->cmask;
		while (c->cidx[j] != 0) {
			j = (j + 1) & c->cmask;
		}
		c->cidx[j] = i + 1;
	}
	c->second = true;
	c->seq = 0;
	return true;
}

int dz_checks_add_zone(struct dz_checks *c, const struct dz_zspec *zone,
		       const struct dz_object *zobj)
{
	int rc;

	if ((rc = zone_rr(c, zone, zobj, zone->origin, T_SOA)) != 0 ||
	    (rc = zone_rr(c, zone, zobj, zone->origin, T_NS)) != 0) {
		return rc;
	}
	/* Glue, as dz_zspec_add_apex adds it: in-zone hosts only. */
	for (size_t i = 0; i < zone->nns; i++) {
		const struct dz_zspec_ns *ns = &zone->ns[i];
		if (!dz_dname_is_subdomain(ns->host, zone->origin)) {
			continue;
		}
		for (int k = 0; k < 2; k++) {
			if ((k == 0 ? ns->has_v4 : ns->has_v6) &&
			    (rc = zone_rr(c, zone, zobj, ns->host,
					  k == 0 ? T_A : T_AAAA)) != 0) {
				return rc;
			}
		}
	}
	return 0;
}

int dz_checks_add_rr(struct dz_checks *c, const struct dz_zspec *zone,
		     struct dz_object *o, const uint8_t *owner, uint16_t type,
		     const uint8_t *rdata, size_t rdlen)
{
	struct centry *e;
	size_t len;

	if (!wanted(c, zone, owner, type)) {
		return 0;
	}
	if ((e = push(c, zone, owner, type)) == NULL) {
		return DZ_ENOMEM;
	}
	e->obj = o;
	/* A CNAME's rdata is its target alone; a malformed one (a plugin
	 * overriding CNAME) compares as "no target". */
	if (type == T_CNAME && rdlen > 0 &&
	    dz_dname_check(rdata, rdata + rdlen) == rdlen) {
		if ((e->target = lower_dup(c, rdata, &len)) == NULL) {
			return DZ_ENOMEM;
		}
	}
	return 0;
}

/* Zone, then owner: equal for the RRs of one owner. */
static int centry_cmp_owner(const struct centry *a, const struct centry *b)
{
	uintptr_t za = (uintptr_t)a->zone, zb = (uintptr_t)b->zone;

	if (za != zb) {
		return (za > zb) - (za < zb);
	}
	if (a->olen != b->olen) {
		return (a->olen > b->olen) - (a->olen < b->olen);
	}
	return memcmp(a->owner, b->owner, a->olen);
}

/* Groups of one owner, each in the order noted (oldest first). */
static int centry_cmp(const void *pa, const void *pb)
{
	const struct centry *a = pa, *b = pb;
	int c = centry_cmp_owner(a, b);

	return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static const char *type_name(uint16_t type, char *buf, size_t sz)
{
	const struct dz_kind *k = dz_kind_lookup_type(type);

	if (k != NULL) {
		return k->type_name;
	}
	if (type == T_SOA) {
		return "SOA";
	}
	snprintf(buf, sz, "TYPE%u", type);
	return buf;
}

/* "ARecord default/www in a.yaml:3": where e comes from. */
static void where(const struct centry *e, char *buf, size_t sz)
{
	const struct dz_object *o = e->obj ? e->obj : e->zobj;

	if (o == NULL) {
		snprintf(buf, sz, "the zone");
		return;
	}
	snprintf(buf, sz, "%s %s/%s in %s:%u", o->cls->kind, o->cls->ns,
		 o->name, o->cls->file->rel, o->line);
}

/* ReconcileFailed with msg, reported at spec.name (once per object). */
static void fail(struct dz_checks *c, struct dz_object *o, const char *msg)
{
	const struct dz_ynode *spec, *at;
	struct dz_diags *bd;
	uint32_t line, col;

	if (o->reason == DZ_REASON_FAILED) {
		return;
	}
	/* The spec is kept packed: unpack it just for the position. */
	spec = dz_object_spec(o, c->arena, NULL);
	at = dz_ynode_get(spec, "name");
	if (at == NULL) {
		at = spec;
	}
	line = dz_ynode_line(at);
	col = dz_ynode_col(at);
	bd = dz_object_bdiags_mut(o);
	if (bd != NULL) { /* else dropped, as dz_diags_add drops on OOM */
		dz_diags_add(bd, DZ_SEV_ERROR, o->cls->file->rel, line, col,
			     "%s", msg);
	}
	o->reason = DZ_REASON_FAILED;
	dz_object_set_message(o, "%s:%u:%u: %s", o->cls->file->rel, line,
			      col ? col : 1, msg);
	c->nfailed++;
}

/* The distinct types of g[0..n) other than CNAME: "A, MX". */
static void other_types(const struct centry *g, size_t n, char *buf,
			size_t sz)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < sz; i++) {
		char tmp[16];
		bool seen = g[i].type == T_CNAME;
		for (size_t j = 0; j < i && !seen; j++) {
			seen = g[j].type == g[i].type;
		}
		if (!seen) {
			len += (size_t)snprintf(buf + len, sz - len, "%s%s",
						len ? ", " : "",
						type_name(g[i].type, tmp,
							  sizeof(tmp)));
		}
	}
}

/* First entry of g[0..n) that is not a CNAME, or NULL. */
static const struct centry *first_other(const struct centry *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (g[i].type != T_CNAME) {
			return &g[i];
		}
	}
	return NULL;
}

static bool same_target(const struct centry *a, const struct centry *b)
{
	if (a->target == NULL || b->target == NULL) {
		return a->target == b->target;
	}
	return dz_dname_equal(a->target, b->target);
}

/* One owner's entries g[0..n), in the order noted. */
static void check_owner(struct dz_checks *c, struct centry *g, size_t n)
{
	const struct centry *other = first_other(g, n);
	const struct centry *first = NULL;
	char owner[DZ_DNAME_MAX * 4], types[128], from[600], msg[2048];

	dz_dname_to_text(g[0].owner, owner, sizeof(owner));
	if (other != NULL) {
		other_types(g, n, types, sizeof(types));
		where(other, from, sizeof(from));
	}
	for (size_t i = 0; i < n; i++) {
		if (g[i].type != T_CNAME || g[i].obj == NULL) {
			continue;
		}
		if (dz_dname_equal(g[i].owner, g[i].zone->origin)) {
			fail(c, g[i].obj, "CNAME at the zone apex is not allowed "
			     "(RFC 1034 3.6.2)");
			continue;
		}
		if (other == NULL && first == NULL) {
			first = &g[i]; /* the CNAME that is served */
			continue;
		}
		if (other == NULL && same_target(first, &g[i])) {
			continue; /* the same RR: it collapses */
		}
		if (other == NULL) {
			snprintf(types, sizeof(types), "CNAME");
			where(first, from, sizeof(from));
		}
		snprintf(msg, sizeof(msg), "CNAME '%s' beside other data (%s at "
			 "the same name): see %s", owner, types, from);
		fail(c, g[i].obj, msg);
	}
}

int dz_checks_run(struct dz_checks *c)
{
	size_t i = 0;

	if (c->n == 0) {
		return 0; /* qsort wants a real array, even of none */
	}
	if (!c->second) {
		return DZ_ENOMEM; /* dz_checks_rewind failed */
	}
	qsort(c->e, c->n, sizeof(*c->e), centry_cmp);
	while (i < c->n) {
		size_t j = i + 1;
		bool cname = c->e[i].type == T_CNAME;
		while (j < c->n && centry_cmp_owner(&c->e[i], &c->e[j]) == 0) {
			cname |= c->e[j].type == T_CNAME;
			j++;
		}
		if (cname) {
			check_owner(c, &c->e[i], j - i);
		}
		i = j;
	}
	return c->nfailed;
}
