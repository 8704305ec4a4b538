/* SPDX-License-Identifier: MIT */
/* test_set.c -- the manifest set: batches, last good version, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/set.h"
#include "manifest/status.h"
#include "util/dname.h"
#include "zone/build.h"
#include "zone/snapshot.h"
#include "zone/zone.h"

#define ZONE \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n" \
	"metadata: {name: z, namespace: t}\n" \
	"spec:\n  zoneName: example.com\n" \
	"  soaRecord: {primaryNs: ns1.example.com., adminEmail: " \
	"h.example.com., serial: 1, refresh: 3600, retry: 600, " \
	"expire: 604800, negativeTtl: 300}\n" \
	"  nameServers: [{hostname: ns1.example.com., ipv4Address: " \
	"192.0.2.53}]\n" \
	"  recordsFrom: [{selector: {matchLabels: {zone: example.com}}}]\n"

/* An ARecord NAME -> ADDR in example.com. */
#define AREC(name, addr) \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\n" \
	"metadata: {name: " name ", namespace: t, labels: " \
	"{zone: example.com}}\n" \
	"spec: {name: " name ", ipv4Addresses: [\"" addr "\"]}\n"

struct fx {
	char dir[64];
	struct dz_mset *set;
	struct dz_snapshot *snap;
	struct dz_mset_stats st;
};

static struct fx fx;

static void put(const char *rel, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx.dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(dz_mset_touch(fx.set, rel), 0);
}

static void del(const char *rel)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", fx.dir, rel);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(dz_mset_touch(fx.set, rel), 0);
}

static void apply(void)
{
	dz_snapshot_unref(fx.snap);
	fx.snap = NULL;
	assert_int_equal(dz_mset_apply(fx.set, NULL, &fx.st, &fx.snap), 0);
	assert_non_null(fx.snap);
}

/* Number of A RRs at NAME.example.com (0 when no such node). */
static size_t count_a(const char *name)
{
	uint8_t wire[DZ_DNAME_MAX];
	char text[128];
	size_t len;

	snprintf(text, sizeof(text), "%s.example.com.", name);
	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, wire,
					    &len, NULL, NULL), 0);
	dz_dname_tolower(wire);
	const struct dz_zone *z = dz_snapshot_find_zone(fx.snap, wire, len);
	assert_non_null(z);
	const struct dz_node *n = dz_zone_lookup(z, wire, len);
	return n != NULL && dz_node_rrset(n, 1) != NULL;
}

static const struct dz_object *object(const char *rel, size_t k)
{
	for (size_t i = 0; i < dz_mset_count(fx.set); i++) {
		const struct dz_mfile *f = dz_mset_served(fx.set, i);
		if (strcmp(f->rel, rel) == 0) {
			assert_true(k < f->nobjects);
			return &f->objects[k];
		}
	}
	fail_msg("no file %s", rel);
	return NULL;
}

static const struct dz_mfile *rejected(const char *rel)
{
	for (size_t i = 0; i < dz_mset_count(fx.set); i++) {
		if (strcmp(dz_mset_served(fx.set, i)->rel, rel) == 0) {
			return dz_mset_rejected(fx.set, i);
		}
	}
	fail_msg("no file %s", rel);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/dz-test-set.XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	fx.set = dz_mset_new(fx.dir);
	assert_non_null(fx.set);
	put("zone.yaml", ZONE);
	put("www.yaml", AREC("www", "192.0.2.1"));
	apply();
	return 0;
}

static int teardown(void **state)
{
	char cmd[192];

	(void)state;
	dz_snapshot_unref(fx.snap);
	dz_mset_free(fx.set);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.out'", fx.dir, fx.dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_set_first_load(void **state)
{
	(void)state;
	assert_int_equal(fx.st.files, 2);
	assert_int_equal(fx.st.loaded, 2);
	assert_int_equal(fx.st.builds, 1);
	assert_int_equal(dz_mset_count(fx.set), 2);
	assert_true(count_a("www"));
	assert_int_equal(object("www.yaml", 0)->reason, DZ_REASON_SUCCEEDED);
}

static void test_set_nothing_pending(void **state)
{
	struct dz_snapshot *s = (void *)1;

	(void)state;
	assert_int_equal(dz_mset_pending(fx.set), 0);
	assert_int_equal(dz_mset_apply(fx.set, NULL, NULL, &s), 0);
	assert_null(s);
}

static void test_set_rereads_only_touched(void **state)
{
	const struct dz_mfile *zone = object("zone.yaml", 0)->cls->file;

	(void)state;
	put("www.yaml", AREC("www", "192.0.2.2"));
	put("www.yaml", AREC("www", "192.0.2.2")); /* twice: read once */
	apply();
	assert_int_equal(fx.st.files, 1);
	assert_ptr_equal(object("zone.yaml", 0)->cls->file, zone);
}

static void test_set_syntax_error_keeps_last_good(void **state)
{
	(void)state;
	put("www.yaml", "apiVersion: [\n");
	apply();
	assert_int_equal(fx.st.rejected, 1);
	assert_int_equal(fx.st.loaded, 0);
	assert_true(count_a("www"));
	assert_non_null(rejected("www.yaml"));
	const struct dz_object *o = object("www.yaml", 0);
	assert_int_equal(o->reason, DZ_REASON_FAILED);
	assert_non_null(strstr(dz_object_message(o), "www.yaml:2:1: yaml syntax"));
	assert_non_null(strstr(dz_object_message(o), "last good version still served"));
	/* Fixed: the new version, its own status again. */
	put("www.yaml", AREC("www", "192.0.2.9"));
	apply();
	assert_null(rejected("www.yaml"));
	assert_int_equal(object("www.yaml", 0)->reason, DZ_REASON_SUCCEEDED);
	assert_int_equal(fx.st.loaded, 1);
}

static void test_set_invalid_object_keeps_last_good(void **state)
{
	(void)state;
	put("www.yaml", AREC("www", "192.0.2.300") "---\n"
	    AREC("new", "192.0.2.5"));
	apply();
	assert_int_equal(fx.st.builds, 2);
	assert_int_equal(fx.st.rejected, 1);
	assert_true(count_a("www"));
	assert_false(count_a("new")); /* the whole file waits */
	const struct dz_object *o = object("www.yaml", 0);
	assert_int_equal(o->reason, DZ_REASON_FAILED);
	assert_non_null(strstr(dz_object_message(o), "www.yaml:"));
	assert_non_null(strstr(dz_object_message(o), "192.0.2.300"));
	/* The rejected version keeps its own diagnostics. */
	const struct dz_mfile *r = rejected("www.yaml");
	assert_non_null(r);
	assert_int_equal(r->objects[0].reason, DZ_REASON_FAILED);
	struct dz_diags d = { 0 };
	dz_mset_collect_changed(fx.set, &d);
	assert_true(d.nerrors > 0);
	dz_diags_clear(&d);
}

static void test_set_unclean_file_takes_new_version(void **state)
{
	(void)state;
	/* Never clean: a new file with one bad object is served as is. */
	put("two.yaml", AREC("ok", "192.0.2.7") "---\n"
	    AREC("bad", "192.0.2.300"));
	apply();
	assert_int_equal(fx.st.builds, 1);
	assert_true(count_a("ok"));
	assert_int_equal(object("two.yaml", 1)->reason, DZ_REASON_FAILED);
	/* Still not clean: the newer version replaces it. */
	put("two.yaml", AREC("ok2", "192.0.2.8") "---\n"
	    AREC("bad", "192.0.2.301"));
	apply();
	assert_int_equal(fx.st.builds, 1);
	assert_true(count_a("ok2"));
	assert_false(count_a("ok"));
}

static void test_set_new_broken_file(void **state)
{
	(void)state;
	put("bad.yaml", "apiVersion: [\n");
	apply();
	assert_int_equal(fx.st.loaded, 1);
	assert_int_equal(dz_mset_count(fx.set), 3);
	assert_null(rejected("bad.yaml"));
	assert_true(count_a("www"));
}

static void test_set_delete(void **state)
{
	(void)state;
	del("www.yaml");
	apply();
	assert_int_equal(fx.st.removed, 1);
	assert_int_equal(dz_mset_count(fx.set), 1);
	assert_false(count_a("www"));
	/* Deleting a rejected file drops both versions. */
	put("www.yaml", AREC("www", "192.0.2.1"));
	apply();
	put("www.yaml", "apiVersion: [\n");
	apply();
	del("www.yaml");
	apply();
	assert_int_equal(dz_mset_count(fx.set), 1);
	/* Touching a file that never existed is harmless. */
	assert_int_equal(dz_mset_touch(fx.set, "nope.yaml"), 0);
	apply();
	assert_int_equal(fx.st.removed, 0);
}

static void test_set_touch_tree(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/sub", fx.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub/a.yaml", fx.dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(AREC("suba", "192.0.2.11"), f);
	fclose(f);
	assert_int_equal(dz_mset_touch_tree(fx.set, "sub", NULL), 0);
	apply();
	assert_int_equal(fx.st.files, 1);
	assert_true(count_a("suba"));
	/* The directory gone: its files leave, others stay. */
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/sub", fx.dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(dz_mset_touch_tree(fx.set, "sub", NULL), 0);
	apply();
	assert_int_equal(fx.st.removed, 1);
	assert_false(count_a("suba"));
	assert_true(count_a("www"));
	/* The whole tree: everything re-read. */
	assert_int_equal(dz_mset_touch_tree(fx.set, "", NULL), 0);
	apply();
	assert_int_equal(fx.st.files, 2);
}

/* A second zone, example.org, whose records carry zone: example.org. */
#define ZONE2(serial) \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n" \
	"metadata: {name: z2, namespace: t}\n" \
	"spec:\n  zoneName: example.org\n" \
	"  soaRecord: {primaryNs: ns1.example.org., adminEmail: " \
	"h.example.org., serial: " serial ", refresh: 3600, retry: 600, " \
	"expire: 604800, negativeTtl: 300}\n" \
	"  nameServers: [{hostname: ns1.example.org., ipv4Address: " \
	"192.0.2.54}]\n" \
	"  recordsFrom: [{selector: {matchLabels: {zone: example.org}}}]\n"

#define AREC2(name, addr) \
	"apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\n" \
	"metadata: {name: " name ", namespace: t, labels: " \
	"{zone: example.org}}\n" \
	"spec: {name: " name ", ipv4Addresses: [\"" addr "\"]}\n"

/* Apply with the served snapshot as prev: unchanged zones are kept. */
static void apply_reusing(void)
{
	struct dz_build_opts o = { .prev = fx.snap };
	struct dz_snapshot *snap = NULL;

	assert_int_equal(dz_mset_apply(fx.set, &o, &fx.st, &snap), 0);
	assert_non_null(snap);
	dz_snapshot_unref(fx.snap);
	fx.snap = snap;
}

static const struct dz_zone *zone_named(const char *text)
{
	uint8_t wire[DZ_DNAME_MAX];
	size_t len;

	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, wire,
					    &len, NULL, NULL), 0);
	const struct dz_zone *z = dz_snapshot_find_zone(fx.snap, wire, len);
	assert_non_null(z);
	return z;
}

static void test_set_reuses_untouched_zones(void **state)
{
	const struct dz_zone *com, *org;
	const struct dz_object *o;

	(void)state;
	put("zone2.yaml", ZONE2("1"));
	put("org.yaml", AREC2("web", "192.0.2.7"));
	apply_reusing();
	com = zone_named("example.com.");
	org = zone_named("example.org.");

	/* A record of example.com changes: example.org is kept as is,
	 * and its record keeps its status without being parsed again. */
	put("www.yaml", AREC("www", "192.0.2.2"));
	apply_reusing();
	assert_ptr_not_equal(zone_named("example.com."), com);
	assert_ptr_equal(zone_named("example.org."), org);
	o = object("org.yaml", 0);
	/* a delta build does not look at it at all */
	struct dz_object *const *touched;
	size_t nt;
	assert_true(dz_mset_incremental(fx.set, &touched, &nt));
	assert_int_equal(nt, 1); /* example.com's DNSZone: new serial */
	assert_string_equal(touched[0]->name, "z");
	assert_int_equal(o->reason, DZ_REASON_SUCCEEDED);
	assert_string_equal(o->zone, "example.org");
	assert_string_equal(dz_object_message(o),
			    "A record added to zone example.org");
	assert_false(object("www.yaml", 0)->reused);

	/* The same bytes written again are a new version, read again;
	 * its zone would be edited, but nothing changes: it is kept. */
	com = zone_named("example.com.");
	org = zone_named("example.org.");
	put("org.yaml", AREC2("web", "192.0.2.7"));
	apply_reusing();
	assert_ptr_equal(zone_named("example.com."), com);
	assert_ptr_equal(zone_named("example.org."), org);
	assert_false(object("org.yaml", 0)->reused);
	assert_int_equal(object("org.yaml", 0)->reason, DZ_REASON_SUCCEEDED);

	/* The DNSZone changes: its zone is rebuilt, the other kept. */
	put("zone2.yaml", ZONE2("2"));
	apply_reusing();
	assert_ptr_equal(zone_named("example.com."), com);
	assert_ptr_not_equal(zone_named("example.org."), org);
	assert_int_equal(dz_zone_serial(zone_named("example.org.")), 2);

	/* A record moves to the other zone: both are rebuilt. */
	org = zone_named("example.org.");
	put("www.yaml", AREC2("www", "192.0.2.2"));
	apply_reusing();
	assert_ptr_not_equal(zone_named("example.com."), com);
	assert_ptr_not_equal(zone_named("example.org."), org);
	assert_string_equal(object("www.yaml", 0)->zone, "example.org");
}

/* A file broken twice, with a batch in between that rebuilds only
 * another zone: its last good version is still the one served. */
static void test_set_broken_twice_across_reuse(void **state)
{
	const struct dz_object *o;

	(void)state;
	put("zone2.yaml", ZONE2("1"));
	put("org.yaml", AREC2("web", "192.0.2.7"));
	apply_reusing();
	put("www.yaml", AREC("www", "192.0.2.300"));
	apply_reusing();
	assert_true(count_a("www"));
	put("org.yaml", AREC2("web", "192.0.2.8"));
	apply_reusing();
	put("www.yaml", AREC("www", "192.0.2.301") "---\n"
	    AREC("new", "192.0.2.9"));
	apply_reusing();
	assert_true(count_a("www"));
	assert_false(count_a("new"));
	o = object("www.yaml", 0);
	assert_int_equal(o->reason, DZ_REASON_FAILED);
	assert_non_null(strstr(dz_object_message(o), "last good version"));
}

static void test_set_manifest_names(void **state)
{
	static const struct { const char *rel; bool ok; } v[] = {
		{ "a.yaml", true }, { "a.yml", true }, { "d/e/a.yaml", true },
		{ ".a.yaml", false }, { "d/.a.yaml", false },
		{ ".d/a.yaml", false }, { "..data/a.yaml", false },
		{ "a.yaml~", false }, { ".a.yaml.swp", false },
		{ "4913", false }, { ".yaml", false }, { "a.txt", false },
		{ "d//a.yaml", false }, { "/a.yaml", false }, { "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (dz_mset_is_manifest_name(v[i].rel) != v[i].ok) {
			fail_msg("'%s': want %d", v[i].rel, v[i].ok);
		}
	}
}

/* The problem listed for rel, as "Reason: message" (static), or NULL. */
static const char *problem(const char *rel)
{
	static char buf[600];
	struct dz_mset_problem *v;
	size_t n;
	const char *got = NULL;

	assert_int_equal(dz_mset_problems(fx.set, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			assert_true(strcmp(v[i - 1].rel, v[i].rel) < 0);
		}
		if (strcmp(v[i].rel, rel) == 0) {
			snprintf(buf, sizeof(buf), "%s: %s",
				 dz_mset_fault_name(v[i].fault), v[i].message);
			got = buf;
		}
	}
	dz_mset_problems_free(v, n);
	return got;
}

/* Does the problem of rel start with want (and contain also, if any)? */
static void expect_problem(const char *rel, const char *want,
			   const char *also)
{
	const char *got = problem(rel);

	if (got == NULL || strncmp(got, want, strlen(want)) != 0 ||
	    (also != NULL && strstr(got, also) == NULL)) {
		fail_msg("%s: got '%s', want '%s...%s'", rel, got ? got : "",
			 want, also ? also : "");
	}
}

static void link_at(const char *target, const char *rel)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", fx.dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

static void test_set_problems_load(void **state)
{
	(void)state;
	assert_null(problem("www.yaml"));
	/* Never good: no last good version. */
	put("bad.yaml", "apiVersion: [\n");
	apply();
	expect_problem("bad.yaml", "LoadFailed: bad.yaml:2:1: yaml syntax",
		       NULL);
	assert_null(strstr(problem("bad.yaml"), "last good"));
	/* Broken twice: still the newest error, still no last good. */
	put("bad.yaml", "a: [\n\n");
	apply();
	expect_problem("bad.yaml", "LoadFailed: bad.yaml:3:1: ", NULL);
	assert_null(strstr(problem("bad.yaml"), "last good"));
	/* A good file that fails to load keeps its last good version. */
	put("www.yaml", "apiVersion: [\n");
	apply();
	expect_problem("www.yaml", "LoadFailed: www.yaml:2:1: yaml syntax",
		       "(last good version still served)");
	/* One that loads with a bad object: rejected. */
	put("www.yaml", AREC("www", "192.0.2.300"));
	apply();
	expect_problem("www.yaml", "Rejected: www.yaml:", "192.0.2.300");
	expect_problem("www.yaml", "Rejected: ", "last good version still");
	/* Fixed or deleted: gone from the list. */
	put("www.yaml", AREC("www", "192.0.2.2"));
	del("bad.yaml");
	apply();
	assert_null(problem("www.yaml"));
	assert_null(problem("bad.yaml"));
	/* Not a regular file (a FIFO): neither read nor listed. */
	put("fifo.yaml", "");
	char path[128];
	snprintf(path, sizeof(path), "%s/fifo.yaml", fx.dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	apply();
	assert_null(problem("fifo.yaml"));
}

static void test_set_problems_skipped(void **state)
{
	struct dz_diags d = { 0 };
	char out[80];
	FILE *f;

	(void)state;
	/* Seen by an event: a symlink leading outside, a loop. */
	snprintf(out, sizeof(out), "%s.out", fx.dir);
	assert_non_null(f = fopen(out, "w"));
	fputs(AREC("out", "192.0.2.66"), f);
	fclose(f);
	link_at(out, "out.yaml");
	assert_int_equal(dz_mset_touch(fx.set, "out.yaml"), 0);
	link_at("loop2.yaml", "loop1.yaml");
	link_at("loop1.yaml", "loop2.yaml");
	assert_int_equal(dz_mset_touch(fx.set, "loop1.yaml"), 0);
	apply();
	assert_int_equal(fx.st.files, 0); /* nothing was read */
	expect_problem("out.yaml", "Skipped: out.yaml: symlink leads outside "
		       "the manifest directory, to '", "': not followed");
	expect_problem("loop1.yaml", "Skipped: loop1.yaml: cannot follow "
		       "symlink: ", NULL);
	assert_null(problem("loop2.yaml")); /* not touched yet */
	/* Seen by a scan: all of them, each reported once, to the caller. */
	assert_int_equal(dz_mset_touch_tree(fx.set, "", &d), 0);
	assert_int_equal(d.n, 3);
	dz_diags_clear(&d);
	apply();
	expect_problem("loop2.yaml", "Skipped: loop2.yaml: cannot follow "
		       "symlink: ", NULL);
	/* A symlink follows its target: loop1 dangles, then is read once
	 * loop2 is a file, though only loop2 was touched. */
	del("loop2.yaml");
	apply();
	expect_problem("loop1.yaml", "Skipped: loop1.yaml: cannot follow "
		       "symlink: No such file", NULL);
	assert_null(problem("loop2.yaml"));
	put("loop2.yaml", AREC("loop", "192.0.2.8"));
	apply();
	assert_null(problem("loop1.yaml"));
	assert_true(count_a("loop"));
	assert_false(count_a("out"));
	assert_int_equal(dz_mset_count(fx.set), 4);
	/* A served file replaced by a symlink outside leaves the set. */
	del("www.yaml");
	link_at(out, "www.yaml");
	apply();
	assert_false(count_a("www"));
	expect_problem("www.yaml", "Skipped: www.yaml: symlink leads", NULL);
	/* A skipped file removed leaves the list at the next apply. */
	del("out.yaml");
	apply();
	assert_null(problem("out.yaml"));
	assert_non_null(problem("www.yaml"));
}

/* The generation the status table shows for ARecord t/NAME. */
static unsigned generation(struct dz_status *st, const char *name)
{
	char *buf = NULL, *at;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	unsigned g = 0;

	assert_non_null(f);
	assert_int_equal(dz_status_print_object(st, "ARecord", name, "t",
						DZ_STATUS_YAML, f), 0);
	fclose(f);
	at = strstr(buf, "observedGeneration: ");
	assert_non_null(at);
	g = (unsigned)strtoul(at + strlen("observedGeneration: "), NULL, 10);
	free(buf);
	return g;
}

static void status_apply(struct dz_status *st)
{
	struct dz_build_opts o = { .prev = fx.snap };
	struct dz_snapshot *snap = NULL;

	assert_int_equal(dz_mset_apply(fx.set, &o, &fx.st, &snap), 0);
	assert_non_null(snap);
	assert_int_equal(dz_status_update(st, fx.set, snap, 1000), 0);
	dz_mset_release_retired(fx.set);
	dz_snapshot_unref(fx.snap);
	fx.snap = snap;
}

/*
 * The status table follows an identity across versions and files: a new
 * version takes over its entry (the generation moves with the spec), and
 * so does another file's copy when the one served goes, or when a file
 * earlier in set order takes the identity over (a duplicate changes
 * hands: the general update).
 */
static void test_set_status_follows_identity(void **state)
{
	struct dz_status *st = dz_status_new();

	(void)state;
	assert_non_null(st);
	assert_int_equal(dz_status_update(st, fx.set, fx.snap, 1000), 0);
	dz_mset_release_retired(fx.set);
	assert_int_equal(generation(st, "www"), 1);
	put("www.yaml", AREC("www", "192.0.2.2"));
	status_apply(st);
	assert_int_equal(generation(st, "www"), 2);
	/* a copy in a later file: a duplicate, the first is served */
	put("x-www.yaml", AREC("www", "192.0.2.3"));
	status_apply(st);
	assert_int_equal(generation(st, "www"), 2);
	/* the served one goes: the copy takes over its entry */
	del("www.yaml");
	status_apply(st);
	assert_int_equal(generation(st, "www"), 3);
	/* a file earlier in set order takes the identity */
	put("a-www.yaml", AREC("www", "192.0.2.4"));
	status_apply(st);
	assert_int_equal(generation(st, "www"), 4);
	assert_int_equal(object("x-www.yaml", 0)->reason,
			 DZ_REASON_DUPLICATE_OBJECT);
	dz_status_free(st);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_set_first_load),
		T(test_set_nothing_pending),
		T(test_set_rereads_only_touched),
		T(test_set_syntax_error_keeps_last_good),
		T(test_set_invalid_object_keeps_last_good),
		T(test_set_unclean_file_takes_new_version),
		T(test_set_new_broken_file),
		T(test_set_delete),
		T(test_set_touch_tree),
		T(test_set_reuses_untouched_zones),
		T(test_set_broken_twice_across_reuse),
		T(test_set_manifest_names),
		T(test_set_problems_load),
		T(test_set_problems_skipped),
		T(test_set_status_follows_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
