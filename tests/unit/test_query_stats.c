/* SPDX-License-Identifier: MIT */
/* test_query_stats.c -- per-worker counters summed into Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "query-fixture.h"
#include "daemon/stats.h"
#include "query/query.h"

static uint8_t resp[DZ_MSG_MAX];
static struct sockaddr_in v4 = { .sin_family = AF_INET };
static struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };

/* Answer one query from s and count it in w as the worker path does. */
static void count(struct dz_wstats *w, const struct dz_snapshot *s,
		  const char *name, uint16_t type, unsigned flags,
		  const void *peer)
{
	struct dz_query_info info;
	size_t len, rlen;
	uint8_t *q = fx_query(name, type, 1, -1, false, 0, &len);

	assert_non_null(q);
	rlen = dz_query_answer(fx_ctx, s, q, len, resp, flags);
	free(q);
	dz_query_last(fx_ctx, &info);
	dz_stats_count(w, &info, flags, peer, rlen);
}

/* The scrape as one string (free it). */
static char *scrape(void)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	assert_non_null(f);
	dz_stats_write(f, "dns://:53");
	fclose(f);
	return body;
}

/* The value of the series that starts with prefix (up to the value), or
 * -1 when it is not there. */
static long long value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ') {
			return atoll(p + n + 1);
		}
		p = strchr(p, '\n');
		p = p != NULL ? p + 1 : NULL;
	}
	return -1;
}

#define REQ(zone, proto, fam, type)                                      \
	"dropzone_dns_requests_total{server=\"dns://:53\",zone=\"" zone   \
	"\",proto=\"" proto "\",family=\"" fam "\",type=\"" type "\"}"
#define RESP(zone, rcode)                                                 \
	"dropzone_dns_responses_total{server=\"dns://:53\",zone=\"" zone  \
	"\",rcode=\"" rcode "\"}"

/* Two workers' counts are summed per zone, protocol, family and type. */
static void test_sum_over_workers(void **state)
{
	struct dz_wstats *a = dz_stats_worker_new(0);
	struct dz_wstats *b = dz_stats_worker_new(1);
	char *t;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (int i = 0; i < 3; i++) {
		count(a, fx_snap, "www.example.com.", 1, 0, &v4);
		count(b, fx_snap, "www.example.com.", 1, 0, &v4);
	}
	count(b, fx_snap, "www.example.com.", 1, DZ_QUERY_TCP, &v6);
	count(a, fx_snap, "nope.example.com.", 28, 0, &v4);
	count(a, fx_snap, "mail4.example.net.", 15, 0, &v4);
	count(b, fx_snap, "nope.invalid.", 99, 0, &v4);
	t = scrape();
	assert_int_equal(value(t, REQ("example.com.", "udp", "1", "A")), 6);
	assert_int_equal(value(t, REQ("example.com.", "tcp", "2", "A")), 1);
	assert_int_equal(value(t, REQ("example.com.", "udp", "1", "AAAA")),
			 1);
	assert_int_equal(value(t, REQ("example.net.", "udp", "1", "MX")), 1);
	assert_int_equal(value(t, REQ("dropped", "udp", "1", "other")), 1);
	assert_int_equal(value(t, REQ("example.com.", "udp", "2", "A")), -1);
	assert_int_equal(value(t, RESP("example.com.", "NOERROR")), 7);
	assert_int_equal(value(t, RESP("example.com.", "NXDOMAIN")), 1);
	assert_int_equal(value(t, RESP("dropped", "REFUSED")), 1);
	assert_non_null(strstr(t, "# TYPE dropzone_dns_requests_total "
			       "counter\n"));
	assert_non_null(strstr(t, "# TYPE dropzone_dns_request_duration_"
			       "seconds histogram\n"));
	/* each worker times its first query: example.com A at least */
	assert_true(value(t, "dropzone_dns_request_duration_seconds_count"
			     "{server=\"dns://:53\",zone=\"example.com.\","
			     "type=\"A\"}") >= 1);
	assert_true(value(t, "dropzone_dns_request_duration_seconds_bucket"
			     "{server=\"dns://:53\",zone=\"example.com.\","
			     "type=\"A\",le=\"+Inf\"}") >= 1);
	free(t);
	/* a freed worker leaves the sums */
	dz_stats_worker_free(b);
	t = scrape();
	assert_int_equal(value(t, REQ("example.com.", "udp", "1", "A")), 3);
	free(t);
	dz_stats_worker_free(a);
}

/* Nothing sent (rate limited, dropped): a request, no response. */
static void test_not_sent(void **state)
{
	struct dz_wstats *a = dz_stats_worker_new(0);
	struct dz_query_info info;
	size_t len, rlen;
	uint8_t *q = fx_query("www.example.com.", 16, 1, -1, false, 0, &len);
	char *t;

	(void)state;
	rlen = dz_query_answer(fx_ctx, fx_snap, q, len, resp, 0);
	assert_true(rlen > 0);
	dz_query_last(fx_ctx, &info);
	dz_stats_count(a, &info, 0, (const void *)&v4, 0);
	q[2] |= 0x80; /* QR: dropped by the query path */
	assert_int_equal(dz_query_answer(fx_ctx, fx_snap, q, len, resp, 0), 0);
	dz_query_last(fx_ctx, &info);
	dz_stats_count(a, &info, 0, (const void *)&v4, 0);
	free(q);
	t = scrape();
	assert_int_equal(value(t, REQ("example.com.", "udp", "1", "TXT")), 1);
	assert_int_equal(value(t, REQ("dropped", "udp", "1", "other")), 1);
	assert_int_equal(value(t, RESP("example.com.", "NOERROR")), -1);
	free(t);
	dz_stats_worker_free(a);
}

static struct dz_snapshot *zones(int first, int n)
{
	struct dz_snapshot *s = dz_snapshot_new();
	char origin[32], soa[192], ns[96];

	assert_non_null(s);
	for (int i = first; i < first + n; i++) {
		snprintf(origin, sizeof(origin), "z%d.test.", i);
		snprintf(soa, sizeof(soa), "%s 60 IN SOA ns.%s h.%s 1 2 3 4 5",
			 origin, origin, origin);
		snprintf(ns, sizeof(ns), "%s 60 IN NS ns.%s", origin, origin);
		const char *rrs[] = { soa, ns, NULL };
		assert_true(fx_add_zone(s, origin, rrs));
	}
	return s;
}

/* Past the table's load, zones count as "other"; a zone that goes away
 * and comes back (a new object) keeps counting in its series. */
static void test_overflow_and_monotonic(void **state)
{
	struct dz_wstats *a = dz_stats_worker_new(0);
	struct dz_snapshot *s = zones(0, 100);
	char name[64], series[256], *t;
	int named = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "z%d.test.", i);
		count(a, s, name, 6, 0, &v4);
	}
	dz_snapshot_unref(s);
	s = zones(0, 1);
	count(a, s, "z0.test.", 6, 0, &v4);
	dz_snapshot_unref(s);
	t = scrape();
	for (int i = 1; i < 100; i++) {
		snprintf(series, sizeof(series), REQ("z%d.test.", "udp", "1",
						     "SOA"), i);
		named += value(t, series) == 1;
	}
	assert_int_equal(value(t, REQ("z0.test.", "udp", "1", "SOA")), 2);
	assert_int_equal(named, 95); /* 96 slots, z0 has one */
	assert_int_equal(value(t, REQ("other", "udp", "1", "SOA")), 4);
	free(t);
	dz_stats_worker_free(a);
}

static void test_label_escape(void **state)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	(void)state;
	dz_stats_put_label(f, "a\\b\"c\nd");
	fclose(f);
	assert_string_equal(body, "a\\\\b\\\"c\\nd");
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_over_workers),
		cmocka_unit_test(test_not_sent),
		cmocka_unit_test(test_overflow_and_monotonic),
		cmocka_unit_test(test_label_escape),
	};

	return cmocka_run_group_tests(tests, fx_group_setup,
				      fx_group_teardown);
}
