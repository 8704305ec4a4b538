/* SPDX-License-Identifier: MIT */
/* test_snapshot.c -- zone sets: longest-match lookup and RCU publication. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "util/dname.h"
#include "util/errcode.h"
#include "zone/snapshot.h"
#include "zone/zone-internal.h"

static void name(const char *text, uint8_t *out)
{
	size_t len;
	const char *why;

	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, &why), 0);
}

/* A zone with only an SOA at origin. */
static struct dz_zone *zone(const char *origin)
{
	static const uint8_t soa[] = {
		0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
		0, 0, 0, 5,
	};
	uint8_t o[DZ_DNAME_MAX];
	const char *err;

	name(origin, o);
	struct dz_zone_builder *b = dz_zone_builder_new(o);
	assert_non_null(b);
	assert_int_equal(dz_zone_builder_add(b, o, 6, 60, soa, sizeof(soa),
					     NULL), 0);
	struct dz_zone *z = dz_zone_builder_finish(b, &err);
	assert_non_null(z);
	return z;
}

static const char *find(const struct dz_snapshot *s, const char *text,
			char *out)
{
	uint8_t n[DZ_DNAME_MAX];

	name(text, n);
	dz_dname_tolower(n);
	const struct dz_zone *z = dz_snapshot_find_zone(s, n,
							dz_dname_len(n));
	if (z == NULL) {
		return NULL;
	}
	dz_dname_to_text(dz_zone_origin(z), out, 256);
	return out;
}

static struct dz_snapshot *three_zones(void)
{
	struct dz_snapshot *s = dz_snapshot_new();
	const char *origins[] = { "sub.example.com.", "example.com.",
				  "example.net.", "deep.a.b.sub.example.com." };

	assert_non_null(s);
	for (size_t i = 0; i < 4; i++) {
		struct dz_zone *z = zone(origins[i]);
		assert_int_equal(dz_snapshot_add_zone(s, z), 0);
		dz_zone_unref(z);
	}
	return s;
}

static void test_snapshot_find_zone_longest_match(void **state)
{
	(void)state;
	char buf[256];
	struct dz_snapshot *s = three_zones();

	assert_int_equal(dz_snapshot_zone_count(s), 4);
	assert_string_equal(find(s, "example.com.", buf), "example.com.");
	assert_string_equal(find(s, "WWW.Example.com.", buf), "example.com.");
	assert_string_equal(find(s, "sub.example.com.", buf),
			    "sub.example.com.");
	assert_string_equal(find(s, "x.y.sub.example.com.", buf),
			    "sub.example.com.");
	assert_string_equal(find(s, "b.sub.example.com.", buf),
			    "sub.example.com.");
	assert_string_equal(find(s, "x.deep.a.b.sub.example.com.", buf),
			    "deep.a.b.sub.example.com.");
	assert_string_equal(find(s, "a.b.c.d.e.f.g.example.net.", buf),
			    "example.net.");
	assert_null(find(s, "com.", buf));
	assert_null(find(s, ".", buf));
	assert_null(find(s, "example.org.", buf));
	assert_null(find(s, "xexample.com.", buf));
	dz_snapshot_unref(s);
}

static void test_snapshot_root_zone(void **state)
{
	(void)state;
	char buf[256];
	struct dz_snapshot *s = three_zones();
	struct dz_zone *root = zone(".");

	assert_int_equal(dz_snapshot_add_zone(s, root), 0);
	assert_string_equal(find(s, "example.org.", buf), ".");
	assert_string_equal(find(s, ".", buf), ".");
	assert_string_equal(find(s, "a.example.com.", buf), "example.com.");
	dz_zone_unref(root);
	dz_snapshot_unref(s);
}

static void test_snapshot_duplicate_and_order(void **state)
{
	(void)state;
	char buf[256];
	struct dz_snapshot *s = three_zones();
	struct dz_zone *dup = zone("Example.COM.");

	assert_int_equal(dz_snapshot_add_zone(s, dup), DZ_EEXIST);
	dz_zone_unref(dup);
	const char *want[] = { "example.com.", "sub.example.com.",
			       "deep.a.b.sub.example.com.", "example.net." };
	for (size_t i = 0; i < 4; i++) {
		dz_dname_to_text(dz_zone_origin(dz_snapshot_zone_at(s, i)),
				 buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
	}
	assert_null(dz_snapshot_zone_at(s, 4));
	assert_null(dz_snapshot_find_zone(NULL, (const uint8_t *)"", 1));
	dz_snapshot_unref(s);
}

static void test_snapshot_many_zones(void **state)
{
	(void)state;
	char text[64], buf[256];
	struct dz_snapshot *s = dz_snapshot_new();

	for (int i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "z%d.example.", i);
		struct dz_zone *z = zone(text);
		assert_int_equal(dz_snapshot_add_zone(s, z), 0);
		dz_zone_unref(z);
	}
	for (int i = 0; i < 300; i += 13) {
		char q[64];
		snprintf(text, sizeof(text), "z%d.example.", i);
		snprintf(q, sizeof(q), "www.z%d.example.", i);
		assert_string_equal(find(s, q, buf), text);
	}
	dz_snapshot_unref(s);
}

static atomic_bool stop;
static atomic_ulong reads;

static void *reader(void *arg)
{
	uint8_t n[DZ_DNAME_MAX];

	(void)arg;
	name("www.example.com.", n);
	dz_snapshot_reader_register();
	while (!atomic_load(&stop)) {
		dz_snapshot_read_lock();
		const struct dz_snapshot *s = dz_snapshot_current();
		if (s != NULL) {
			/* every published snapshot has the zone */
			assert_non_null(dz_snapshot_find_zone(s, n,
							      dz_dname_len(n)));
			assert_true(dz_snapshot_generation(s) > 0);
			atomic_fetch_add(&reads, 1);
		}
		dz_snapshot_read_unlock();
	}
	dz_snapshot_reader_unregister();
	return NULL;
}

static void test_snapshot_publish_with_reader(void **state)
{
	(void)state;
	pthread_t t;
	uint64_t last = 0;

	atomic_store(&stop, false);
	assert_int_equal(pthread_create(&t, NULL, reader, NULL), 0);
	for (int i = 0; i < 200; i++) {
		struct dz_snapshot *s = three_zones();
		dz_snapshot_publish(s);
		dz_snapshot_reader_register();
		dz_snapshot_read_lock();
		const struct dz_snapshot *c = dz_snapshot_current();
		assert_ptr_equal(c, s);
		assert_true(dz_snapshot_generation(c) > last);
		last = dz_snapshot_generation(c);
		dz_snapshot_read_unlock();
		dz_snapshot_reader_unregister();
		if (i % 20 == 0) {
			/* give the reader a chance to see some */
			while (atomic_load(&reads) < (unsigned long)i / 20) {
				sched_yield();
			}
		}
	}
	atomic_store(&stop, true);
	pthread_join(t, NULL);
	assert_true(atomic_load(&reads) > 0);
	dz_snapshot_publish(NULL); /* drops the last one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_find_zone_longest_match),
		cmocka_unit_test(test_snapshot_root_zone),
		cmocka_unit_test(test_snapshot_duplicate_and_order),
		cmocka_unit_test(test_snapshot_many_zones),
		cmocka_unit_test(test_snapshot_publish_with_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
