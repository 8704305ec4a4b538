/* SPDX-License-Identifier: MIT */
/* test_reload_edit.c -- zones edited in place equal zones built anew. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/set.h"
#include "manifest/status.h"
#include "util/dname.h"
#include "zone/build.h"
#include "zone/snapshot.h"
#include "zone/zone.h"

/*
 * Random batches of file changes go to a set applied with the served
 * snapshot (so that zones are edited in place where they can be); after
 * each, the same file versions are built again from scratch, and every
 * zone and every object's status must be the same. DZ_EDIT_SEED=N tries
 * another mix; DZ_EDIT_TRACE=1 prints each step's operations and what
 * became of each zone (kept, edited, built).
 */

#define NFILES 24
#define STEPS 160

static char dir[64];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Zones: example.com takes label zone: com, example.org takes team: x
 * (a record with both joins both), example.net takes records by zoneRef. */
static const char *zone_doc(const char *name, const char *zname,
			    const char *sel, unsigned serial)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		 "metadata: {name: %s, namespace: t}\n"
		 "spec:\n  zoneName: %s\n"
		 "  soaRecord: {primaryNs: ns1.%s., adminEmail: h.%s., "
		 "serial: %u, refresh: 3600, retry: 600, expire: 604800, "
		 "negativeTtl: 300}\n"
		 "  nameServers: [{hostname: ns1.%s., ipv4Address: "
		 "192.0.2.53}]\n"
		 "%s%s%s", name, zname, zname, zname, serial, zname,
		 sel ? "  recordsFrom: [{selector: {matchLabels: {" : "",
		 sel ? sel : "", sel ? "}}}]\n" : "");
	return buf;
}

static void write_file(const char *rel, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *const owners[] = {
	"www", "mail", "a.b", "b", "c.a.b", "*", "*.w", "x.w", "deep.er.er",
	"er", "ns1", "api",
};

/* One record document, random kind, owner and data (some collide). */
static void record_doc(char *out, size_t size, unsigned file, unsigned k)
{
	const char *zones[] = { "labels: {zone: com}", "labels: {team: x}",
				"labels: {zone: com, team: x}" };
	const char *owner = owners[rnd(sizeof(owners) / sizeof(owners[0]))];
	char name[32], spec[256], meta[160], o[64];
	const char *kind;
	unsigned how = rnd(20);

	/* mostly unique names; sometimes the same name in two files */
	snprintf(name, sizeof(name), "r%u-%u", rnd(4) == 0 ? 0 : file, k);
	snprintf(o, sizeof(o), "%s', zoneRef: 'net", owner);
	if (how == 19) {
		snprintf(meta, sizeof(meta), "{name: %s, namespace: t}", name);
		owner = o;
	} else {
		snprintf(meta, sizeof(meta), "{name: %s, namespace: t, %s}",
			 name, zones[how < 12 ? 0 : how < 18 ? 1 :
				     rnd(4) == 0 ? 2 : 0]);
	}
	/* CNAMEs are rarer: each may fail a check, and a zone whose last
	 * build failed one is built, not edited */
	switch (rnd(16) == 0 ? 5 : rnd(5)) {
	case 0:
		kind = "ARecord";
		snprintf(spec, sizeof(spec), "{name: '%s', ipv4Addresses: "
			 "[\"192.0.2.%u\"]%s}", owner, rnd(4),
			 rnd(5) == 0 ? ", ttl: 60" : "");
		break;
	case 1:
		kind = "AAAARecord";
		snprintf(spec, sizeof(spec), "{name: '%s', ipv6Addresses: "
			 "[\"2001:db8::%u\"]}", owner, rnd(3));
		break;
	case 2:
	case 3:
		kind = "MXRecord";
		snprintf(spec, sizeof(spec), "{name: '%s', priority: %u, "
			 "mailServer: mx%u.example.com.}", owner,
			 10 * rnd(3), rnd(4));
		break;
	case 4:
		kind = "TXTRecord";
		snprintf(spec, sizeof(spec), "{name: '%s', text: [\"t%u\"]}",
			 owner, rnd(3));
		break;
	default:
		kind = "CNAMERecord";
		snprintf(spec, sizeof(spec), "{name: '%s', target: "
			 "t%u.example.com.}", owner, rnd(2));
		break;
	}
	snprintf(out, size, "apiVersion: bindy.firestoned.io/v1beta1\n"
		 "kind: %s\nmetadata: %s\nspec: %s\n", kind, meta, spec);
}

static void random_file(unsigned i, char *rel, size_t relsize)
{
	char text[4096], doc[1024];
	size_t len = 0;
	unsigned n = 1 + rnd(3);

	snprintf(rel, relsize, "f%02u.yaml", i);
	text[0] = '\0';
	for (unsigned k = 0; k < n; k++) {
		record_doc(doc, sizeof(doc), i, k);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
					k ? "---\n" : "", doc);
	}
	if (rnd(25) == 0) { /* broken: rejected, last good kept */
		snprintf(text + len, sizeof(text) - len, "---\n: : [\n");
	}
	write_file(rel, text);
}

static int put_rr(const uint8_t *owner, uint16_t type, uint32_t ttl,
		  const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	FILE *f = arg;
	char text[DZ_DNAME_MAX * 4];

	dz_dname_to_text(owner, text, sizeof(text));
	fprintf(f, "%s %u %u ", text, type, ttl);
	for (uint16_t i = 0; i < rdlen; i++) {
		fprintf(f, "%02x", rdata[i]);
	}
	fputc('\n', f);
	return 0;
}

/* The zone as text, every RR in walk order. */
static char *zone_text(const struct dz_zone *z)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fprintf(f, "nodes %zu rrs %zu serial %u\n", dz_zone_node_count(z),
		dz_zone_rr_count(z), dz_zone_serial(z));
	dz_zone_walk(z, put_rr, f);
	fclose(f);
	return buf;
}

static void same_zones(const struct dz_snapshot *a,
		       const struct dz_snapshot *b)
{
	assert_int_equal(dz_snapshot_zone_count(a), dz_snapshot_zone_count(b));
	for (size_t i = 0; i < dz_snapshot_zone_count(a); i++) {
		const struct dz_zone *za = dz_snapshot_zone_at(a, i);
		const struct dz_zone *zb = dz_snapshot_zone_at(b, i);
		char *ta = zone_text(za), *tb = zone_text(zb);
		if (strcmp(ta, tb) != 0) {
			FILE *f = fopen("/tmp/dz-edit-a.txt", "w");
			fputs(ta, f);
			fclose(f);
			f = fopen("/tmp/dz-edit-b.txt", "w");
			fputs(tb, f);
			fclose(f);
			fail_msg("zone %zu differs: diff /tmp/dz-edit-a.txt "
				 "(edited) /tmp/dz-edit-b.txt (built)", i);
		}
		free(ta);
		free(tb);
	}
}

/* An object's status, moved out of it while a reference build runs. */
struct ostate {
	enum dz_reason reason;
	char *message;
	const char *zone;
	struct dz_diags bdiags;
	uint8_t built;
	bool reused;
};

static void swap_status(struct dz_object *o, struct ostate *s)
{
	struct ostate t = { o->reason, NULL, o->zone, { 0 }, o->built,
			    o->reused };

	dz_object_take_status(o, &t.message, &t.bdiags);
	o->reason = s->reason;
	dz_object_put_status(o, s->message, &s->bdiags);
	o->zone = s->zone;
	o->built = s->built;
	o->reused = s->reused;
	*s = t;
}

/* Swap the status of every served object with v[] (n of them). */
static void swap_all(struct dz_mset *set, struct ostate *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < dz_mset_count(set); i++) {
		struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; f != NULL && j < f->nobjects; j++) {
			assert_true(k < n);
			swap_status(&f->objects[j], &v[k++]);
		}
	}
}

static void diags_equal(const char *rel, size_t j, const struct dz_diags *x,
			const struct dz_diags *y)
{
	for (size_t k = 0, l = 0; k < x->n || l < y->n; k++, l++) {
		const char *dx = k < x->n ? x->items[k].msg : "-";
		const char *dy = l < y->n ? y->items[l].msg : "-";
		if (strcmp(dx, dy) != 0) {
			fail_msg("%s #%zu: diag %zu: '%s' vs '%s'", rel, j, k,
				 dx, dy);
		}
	}
}

static void dump(const struct dz_mset *set, const struct ostate *v,
		 const struct dz_object *like)
{
	size_t k = 0;

	for (size_t i = 0; i < dz_mset_count(set); i++) {
		const struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; f != NULL && j < f->nobjects; j++, k++) {
			const struct dz_object *y = &f->objects[j];
			if (strcmp(y->name, like->name) == 0) {
				print_message("%s #%zu %s seq %llu rej %d: "
					      "%s / %s\n", f->rel, j,
					      y->cls->kind,
					      (unsigned long long)f->seq,
					      dz_mset_rejected(set, i) != NULL,
					      dz_reason_name(v[k].reason),
					      dz_reason_name(y->reason));
			}
		}
	}
}

/* Each served object's status (from the full build) against v[] (the
 * incremental one); files with a rejected newer version left out (the
 * set marks their objects after the build). */
static void same_status(const struct dz_mset *set, const struct ostate *v)
{
	size_t k = 0;

	for (size_t i = 0; i < dz_mset_count(set); i++) {
		const struct dz_mfile *f = dz_mset_served(set, i);
		bool skip = dz_mset_rejected(set, i) != NULL;
		for (size_t j = 0; f != NULL && j < f->nobjects; j++, k++) {
			const struct dz_object *y = &f->objects[j];
			struct dz_object x = *y;
			struct dz_orare xr = { .message = v[k].message };
			char mx[512];
			if (skip) {
				continue;
			}
			x.reason = v[k].reason;
			x.rare = &xr;
			if (x.reason != y->reason) {
				dump(set, v, y);
				snprintf(mx, sizeof(mx), "%s",
					 dz_object_message(&x));
				fail_msg("%s #%zu: %s (edit: %s) vs %s (%s)",
					 f->rel, j, dz_reason_name(x.reason),
					 mx, dz_reason_name(y->reason),
					 dz_object_message(y));
			}
			snprintf(mx, sizeof(mx), "%s", dz_object_message(&x));
			assert_string_equal(mx, dz_object_message(y));
			assert_true((v[k].zone == NULL) == (y->zone == NULL));
			if (y->zone != NULL) {
				assert_string_equal(v[k].zone, y->zone);
			}
			diags_equal(f->rel, j, &v[k].bdiags,
				    dz_object_bdiags(y));
			assert_int_equal(v[k].built, y->built);
		}
	}
}

/*
 * The served versions built again from scratch (no served snapshot):
 * its zones and every object's status must be those of the incremental
 * build, which is put back afterwards.
 */
static void check_against_full_build(struct dz_mset *set,
				     const struct dz_snapshot *snap)
{
	struct dz_mfile *const *files;
	struct dz_snapshot *full;
	struct ostate *v;
	size_t nf, n = 0;

	for (size_t i = 0; i < dz_mset_count(set); i++) {
		const struct dz_mfile *f = dz_mset_served(set, i);
		n += f != NULL ? f->nobjects : 0;
	}
	v = calloc(n + 1, sizeof(*v));
	assert_non_null(v);
	swap_all(set, v, n);
	files = dz_mset_files(set, &nf);
	full = dz_build(files, nf, NULL);
	assert_non_null(full);
	same_zones(snap, full);
	same_status(set, v);
	swap_all(set, v, n);
	for (size_t k = 0; k < n; k++) {
		free(v[k].message);
		dz_diags_clear(&v[k].bdiags);
	}
	free(v);
	dz_snapshot_unref(full);
}

/* The table printed (ages all 0: every update ran at time 1000). */
static char *table_text(const struct dz_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	dz_status_print_table(st, f, 1000);
	fclose(f);
	return buf;
}

/* The status table, updated batch by batch (in place after a delta
 * build), shows what one made from scratch shows. */
static void check_status_table(struct dz_status *st, struct dz_mset *set,
			       const struct dz_snapshot *snap)
{
	struct dz_status *fresh = dz_status_new();
	uint32_t *sidx;
	size_t n = 0, k = 0;
	char *a, *b;

	/* o->sidx belongs to one table: st's is put back */
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		n += dz_mset_served(set, i)->nobjects;
	}
	sidx = malloc((n + 1) * sizeof(*sidx));
	assert_non_null(sidx);
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		const struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; j < f->nobjects; j++) {
			sidx[k++] = f->objects[j].sidx;
		}
	}
	assert_non_null(fresh);
	assert_int_equal(dz_status_update(fresh, set, snap, 1000), 0);
	k = 0;
	for (size_t i = 0; i < dz_mset_count(set); i++) {
		struct dz_mfile *f = dz_mset_served(set, i);
		for (size_t j = 0; j < f->nobjects; j++) {
			f->objects[j].sidx = sidx[k++];
		}
	}
	free(sidx);
	a = table_text(st);
	b = table_text(fresh);
	assert_string_equal(a, b);
	free(a);
	free(b);
	dz_status_free(fresh);
}

static int count_rr(const uint8_t *owner, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	(void)owner, (void)type, (void)ttl, (void)rdata, (void)rdlen;
	++*(size_t *)arg;
	return 0;
}

static void test_edits_match_full_builds(void **state)
{
	struct dz_mset *set = dz_mset_new(dir);
	struct dz_snapshot *snap = NULL;
	struct dz_status *table = dz_status_new();
	unsigned edited = 0, changed = 0, deltas = 0;
	size_t nrr = 0;
	const char *how[3] = { "", "", "" };
	char rel[32];

	(void)state;
	if (getenv("DZ_EDIT_SEED") != NULL) { /* to explore: other mixes */
		rng = strtoull(getenv("DZ_EDIT_SEED"), NULL, 0) | 1;
	}
	assert_non_null(set);
	write_file("zones.yaml", zone_doc("com", "example.com", "zone: com", 1));
	write_file("zone-org.yaml", zone_doc("org", "example.org", "team: x",
					     1));
	write_file("zone-net.yaml", zone_doc("net", "example.net", NULL, 1));
	for (unsigned i = 0; i < NFILES; i++) {
		random_file(i, rel, sizeof(rel));
	}
	assert_int_equal(dz_mset_touch_tree(set, "", NULL), 0);
	assert_int_equal(dz_mset_apply(set, NULL, NULL, &snap), 0);
	assert_int_equal(dz_status_update(table, set, snap, 1000), 0);
	dz_mset_release_retired(set);

	for (unsigned step = 0; step < STEPS; step++) {
		unsigned nops = 1 + (rnd(4) == 0 ? rnd(4) : 0);
		for (unsigned k = 0; k < nops; k++) {
			unsigned i = rnd(NFILES + 2), op = rnd(10);
			char path[128];
			if (i == NFILES) { /* the DNSZone: rarely */
				write_file("zone-org.yaml",
					   zone_doc("org", "example.org",
						    "team: x", 1 + rnd(3)));
				assert_int_equal(dz_mset_touch(set,
						 "zone-org.yaml"), 0);
				continue;
			}
			i %= NFILES;
			snprintf(rel, sizeof(rel), "f%02u.yaml", i);
			snprintf(path, sizeof(path), "%s/%s", dir, rel);
			if (getenv("DZ_EDIT_TRACE")) {
				print_message("  %s op %u\n", rel, op);
			}
			if (op == 0) {
				unlink(path);
			} else if (op == 1 && access(path, F_OK) == 0) {
				/* touched, the same bytes: a new version */
			} else {
				random_file(i, rel, sizeof(rel));
			}
			assert_int_equal(dz_mset_touch(set, rel), 0);
		}
		struct dz_build_opts o = { .prev = snap };
		struct dz_snapshot *next = NULL;
		assert_int_equal(dz_mset_apply(set, &o, NULL, &next), 0);
		assert_non_null(next);
		for (size_t z = 0; z < dz_snapshot_zone_count(next); z++) {
			const struct dz_zone *nz = dz_snapshot_zone_at(next, z);
			const struct dz_zone *oz = dz_snapshot_zone_at(snap, z);
			bool ed;
			if (nz == oz) {
				how[z] = "kept";
				continue;
			}
			changed++;
			ed = dz_zone_edit_walk(nz, oz, count_rr, count_rr,
					       &nrr) == 0;
			edited += ed;
			how[z] = ed ? "edited" : "built";
		}
		struct dz_object *const *touched;
		size_t nt;
		bool delta = dz_mset_incremental(set, &touched, &nt);
		deltas += delta;
		if (getenv("DZ_EDIT_TRACE")) {
			print_message("step %u: %s %s %s%s\n", step, how[0],
				      how[1], how[2], delta ? " (delta)" : "");
		}
		assert_int_equal(dz_status_update(table, set, next, 1000), 0);
		check_status_table(table, set, next);
		dz_mset_release_retired(set);
		dz_snapshot_unref(snap);
		snap = next;

		check_against_full_build(set, snap);
	}
	print_message("%u of %u changed zones edited in place; %u of %u "
		      "builds were deltas\n", edited, changed, deltas, STEPS);
	/* Plain changes take the cheap path. (This mix is hard on it: these
	 * zones are tiny, so their edit garbage soon calls for a rebuild;
	 * changes where a check failed, and records of two zones, are
	 * built too.) */
	assert_true(edited * 4 >= changed);
	assert_true(deltas * 10 >= STEPS);
	dz_status_free(table);
	dz_snapshot_unref(snap);
	dz_mset_free(set);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dz-test-edit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_edits_match_full_builds,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
