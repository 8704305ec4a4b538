/* SPDX-License-Identifier: MIT */
/* snapshot.c -- the zones served at one moment, published with RCU. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "util/dname.h"
#include "util/errcode.h"
#include "zone/snapshot.h"
#include "zone/zone-internal.h"

/* The origin's hash as a tag, so a probe rarely reads a zone. */
struct zslot {
	uint32_t hash;
	const struct dz_zone *zone;
};

struct dz_snapshot {
	atomic_uint refs;
	uint64_t generation;
	struct dz_zone **zones;     /* canonical order of origins */
	size_t nzones, cap;
	struct zslot *table;        /* by origin hash, linear probing */
	size_t mask;
	unsigned min_labels, max_labels; /* of the origins, to skip probes */
	bool nested;                /* an origin is below another */
};

struct dz_snapshot *dz_snapshot_new(void)
{
	struct dz_snapshot *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->mask = 15;
	s->table = calloc(s->mask + 1, sizeof(*s->table));
	if (s->table == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

static void table_put(struct zslot *t, size_t mask, const struct dz_zone *z)
{
	uint32_t h = dz_name_hash(z->origin, z->origin_len);
	size_t i = h & mask;

	while (t[i].zone != NULL) {
		i = (i + 1) & mask;
	}
	t[i].hash = h;
	t[i].zone = z;
}

static int table_grow(struct dz_snapshot *s)
{
	size_t mask = (s->mask + 1) * 2 - 1;
	struct zslot *t = calloc(mask + 1, sizeof(*t));

	if (t == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t k = 0; k < s->nzones; k++) {
		table_put(t, mask, s->zones[k]);
	}
	free(s->table);
	s->table = t;
	s->mask = mask;
	return 0;
}

static const struct dz_zone *probe(const struct dz_snapshot *s,
				   const uint8_t *lname, size_t len,
				   uint32_t h)
{
	for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
		const struct zslot *t = &s->table[i];
		if (t->zone == NULL) {
			return NULL;
		}
		if (t->hash == h && t->zone->origin_len == len &&
		    dz_bytes_eq(t->zone->origin, lname, len)) {
			return t->zone;
		}
	}
}

int dz_snapshot_add_zone(struct dz_snapshot *s, struct dz_zone *z)
{
	size_t at = 0;

	if (probe(s, z->origin, z->origin_len,
		  dz_name_hash(z->origin, z->origin_len)) != NULL) {
		return DZ_EEXIST;
	}
	if ((s->nzones + 1) * 2 > s->mask + 1 && table_grow(s) != 0) {
		return DZ_ENOMEM;
	}
	if (s->nzones == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		void *p = realloc(s->zones, cap * sizeof(*s->zones));
		if (p == NULL) {
			return DZ_ENOMEM;
		}
		s->zones = p;
		s->cap = cap;
	}
	/* canonical order by binary search: zones added in that order
	 * (builds sort them first) go at the end, nothing moves */
	for (size_t hi = s->nzones; at < hi;) {
		size_t mid = at + (hi - at) / 2;
		if (dz_dname_cmp_canonical(s->zones[mid]->origin,
					   z->origin) < 0) {
			at = mid + 1;
		} else {
			hi = mid;
		}
	}
	memmove(&s->zones[at + 1], &s->zones[at],
		(s->nzones - at) * sizeof(*s->zones));
	s->zones[at] = z;
	s->nzones++;
	/* a zone's descendants follow it in canonical order: if z has an
	 * ancestor or a descendant here, it is a neighbour, or a nested
	 * pair was already here */
	if ((at > 0 && dz_dname_is_subdomain(z->origin,
					     s->zones[at - 1]->origin)) ||
	    (at + 1 < s->nzones &&
	     dz_dname_is_subdomain(s->zones[at + 1]->origin, z->origin))) {
		s->nested = true;
	}
	table_put(s->table, s->mask, z);
	dz_zone_ref(z);
	if (s->nzones == 1 || z->origin_labels < s->min_labels) {
		s->min_labels = z->origin_labels;
	}
	if (z->origin_labels > s->max_labels) {
		s->max_labels = z->origin_labels;
	}
	return 0;
}

void dz_snapshot_ref(struct dz_snapshot *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void dz_snapshot_unref(struct dz_snapshot *s)
{
	if (s == NULL ||
	    atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) {
		return;
	}
	for (size_t k = 0; k < s->nzones; k++) {
		dz_zone_unref(s->zones[k]);
	}
	free(s->zones);
	free(s->table);
	free(s);
}

size_t dz_snapshot_zone_count(const struct dz_snapshot *s)
{
	return s->nzones;
}

const struct dz_zone *dz_snapshot_zone_at(const struct dz_snapshot *s,
					  size_t i)
{
	return i < s->nzones ? s->zones[i] : NULL;
}

bool dz_snapshot_nested(const struct dz_snapshot *s)
{
	return s->nested;
}

uint64_t dz_snapshot_generation(const struct dz_snapshot *s)
{
	return s->generation;
}

const struct dz_zone *dz_snapshot_find_zone_ln(const struct dz_snapshot *s,
					       const struct dz_lname *ln,
					       unsigned *at)
{
	unsigned i = 0, last;

	if (s == NULL || s->nzones == 0 || ln->labels < s->min_labels) {
		return NULL;
	}
	/* skip labels that no origin is long enough to need */
	if (ln->labels > s->max_labels) {
		i = ln->labels - s->max_labels;
	}
	last = ln->labels - s->min_labels;
	for (; i <= last; i++) {
		const struct dz_zone *z = probe(s, ln->name + ln->off[i],
						ln->len - ln->off[i],
						ln->hash[i]);
		if (z != NULL) {
			*at = i;
			return z;
		}
	}
	return NULL;
}

const struct dz_zone *dz_snapshot_find_zone(const struct dz_snapshot *s,
					    const uint8_t *lname, size_t len)
{
	struct dz_lname ln;
	unsigned at;

	if (s == NULL || s->nzones == 0 ||
	    dz_lname_parse(&ln, lname, lname + len) != len) {
		return NULL;
	}
	return dz_snapshot_find_zone_ln(s, &ln, &at);
}

/* ---- publication ----------------------------------------------------- */

static struct dz_snapshot *current;
static uint64_t last_generation;

void dz_snapshot_reader_register(void)
{
	urcu_memb_register_thread();
}

void dz_snapshot_reader_unregister(void)
{
	urcu_memb_unregister_thread();
}

void dz_snapshot_read_lock(void)
{
	urcu_memb_read_lock();
}

void dz_snapshot_read_unlock(void)
{
	urcu_memb_read_unlock();
}

const struct dz_snapshot *dz_snapshot_current(void)
{
	return rcu_dereference(current);
}

void dz_snapshot_publish(struct dz_snapshot *s)
{
	struct dz_snapshot *old;

	if (s != NULL) {
		s->generation = ++last_generation;
	}
	old = rcu_xchg_pointer(&current, s);
	urcu_memb_synchronize_rcu();
	dz_snapshot_unref(old);
}
