/* SPDX-License-Identifier: MIT */
/* test_rrl.c -- response rate limiting: buckets, slip, prefixes, whitelist. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/limits.h"
#include "daemon/rrl.h"
#include "util/dname.h"
#include "zone/zone.h"

#define NOW 1000

static struct dz_zone *zone_com, *zone_net;

/* Text to lower-case wire form; its length. */
static size_t wire(const char *text, uint8_t *out)
{
	size_t len;
	const char *why;

	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, &why), 0);
	return len;
}

/* A zone with a SOA only (enough for dz_zone_origin()). */
static struct dz_zone *mkzone(const char *origin)
{
	static const uint8_t soa[] = {
		0, 0, 0, 0, 0, 1, 0, 0, 0x1c, 0x20, 0, 0, 3, 0x84,
		0, 0x12, 0x75, 0, 0, 0, 2, 0x58,
	};
	uint8_t o[DZ_DNAME_MAX];
	struct dz_zone_builder *b;
	const char *err = NULL;
	struct dz_zone *z;

	wire(origin, o);
	b = dz_zone_builder_new(o);
	assert_non_null(b);
	assert_int_equal(dz_zone_builder_add(b, o, 6, 3600, soa, sizeof(soa),
					     NULL), 0);
	z = dz_zone_builder_finish(b, &err);
	assert_non_null(z);
	return z;
}

/* One test case: a response and what dz_query_last() said about it. */
struct ans {
	uint8_t qname[DZ_DNAME_MAX];
	struct dz_query_info info;
	uint8_t resp[512];
	size_t len;
};

/* NOERROR answer (one A RR) for qname, with an OPT when edns. */
static void mkans(struct ans *a, const char *qname, enum dz_answer_class cls,
		  const struct dz_zone *z, bool edns)
{
	static const uint8_t rr[] = {
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1,
	};
	static const uint8_t opt[] = {
		0, 0, 41, 4, 0xd0, 0, 0, 0x80, 0, 0, 4, 0, 3, 0, 0,
	};
	size_t n = wire(qname, a->qname), p = 12;

	memset(&a->info, 0, sizeof(a->info));
	a->info.cls = cls;
	a->info.zone = z;
	a->info.qname = a->qname;
	a->info.qname_len = n;
	a->info.qtype = 1;
	a->info.qclass = 1;
	a->info.edns = edns;
	memset(a->resp, 0, 12);
	a->resp[0] = 0x12;
	a->resp[1] = 0x34;
	a->resp[2] = 0x84;
	a->resp[3] = cls == DZ_ANS_NXDOMAIN ? 3 : 0;
	a->resp[5] = 1;
	a->resp[7] = 1;
	a->resp[11] = edns ? 1 : 0;
	memcpy(a->resp + p, a->qname, n);
	p += n;
	memcpy(a->resp + p, "\0\1\0\1", 4);
	p += 4;
	memcpy(a->resp + p, rr, sizeof(rr));
	p += sizeof(rr);
	if (edns) {
		memcpy(a->resp + p, opt, sizeof(opt));
		p += sizeof(opt);
	}
	a->len = p;
	a->info.len = p;
}

static struct sockaddr_storage v4(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;

	a->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage v6(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

	a->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	return ss;
}

/* Outcome of one check on a fresh copy of a: 'a'nswer, 's'lip, 'd'rop. */
static char try(const struct ans *a, const struct sockaddr_storage *peer,
		uint32_t now)
{
	struct ans c = *a;
	socklen_t plen = peer->ss_family == AF_INET ?
			 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	size_t len;

	len = dz_rrl_check_at(&c.info, (const struct sockaddr *)peer, plen,
			      c.resp, c.len, now);
	if (len == c.len && memcmp(c.resp, a->resp, len) == 0) {
		return 'a';
	}
	if (len == 0) {
		return 'd';
	}
	assert_true(c.resp[2] & 0x02);
	return 's';
}

/* n outcomes in a row, as a string. */
static const char *run(const struct ans *a, const struct sockaddr_storage *p,
		       uint32_t now, int n)
{
	static char out[64];

	for (int i = 0; i < n; i++) {
		out[i] = try(a, p, now);
	}
	out[n] = '\0';
	return out;
}

static void configure(unsigned rate, unsigned slip)
{
	dz_rrl_free();
	dz_limits.rrl_rate = rate;
	dz_limits.rrl_slip = slip;
	dz_limits.rrl_ipv4_prefix = 24;
	dz_limits.rrl_ipv6_prefix = 56;
	dz_limits.rrl_table_size = 1024;
	dz_limits.rrl_nwhitelist = 0;
	dz_limits.seed = 42;
	assert_int_equal(dz_rrl_init(), 0);
}

static int setup(void **state)
{
	(void)state;
	zone_com = mkzone("example.com.");
	zone_net = mkzone("example.net.");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dz_rrl_free();
	dz_zone_unref(zone_com);
	dz_zone_unref(zone_net);
	return 0;
}

static void test_off(void **state)
{
	struct ans a;
	struct sockaddr_storage p = v4("192.0.2.1");

	(void)state;
	configure(0, 2);
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	assert_string_equal(run(&a, &p, NOW, 50), "aaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(dz_rrl_check(&a.info, (struct sockaddr *)&p,
				      sizeof(struct sockaddr_in), a.resp,
				      a.len), a.len);
}

static void test_rate_and_slip(void **state)
{
	struct ans a;
	struct sockaddr_storage p = v4("192.0.2.1");

	(void)state;
	configure(5, 2);
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	/* 5 a second, then every 2nd limited answer slips. */
	assert_string_equal(run(&a, &p, NOW, 12), "aaaaadsdsdsd");
	/* The next second refills. */
	assert_string_equal(run(&a, &p, NOW + 1, 7), "aaaaasd");
	/* The slip count runs on across seconds. */
	assert_string_equal(run(&a, &p, NOW + 5, 7), "aaaaasd");
	configure(3, 0);
	assert_string_equal(run(&a, &p, NOW, 8), "aaaddddd");
	configure(3, 1);
	assert_string_equal(run(&a, &p, NOW, 6), "aaasss");
	configure(2, 3);
	assert_string_equal(run(&a, &p, NOW, 11), "aaddsddsdds");
}

static void test_slip_message(void **state)
{
	struct ans a, c;
	struct sockaddr_storage p = v4("192.0.2.1");
	size_t len, qlen;

	(void)state;
	configure(1, 1);
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, true);
	qlen = a.info.qname_len + 4;
	assert_int_equal(try(&a, &p, NOW), 'a');
	c = a;
	len = dz_rrl_check_at(&c.info, (struct sockaddr *)&p,
			      sizeof(struct sockaddr_in), c.resp, c.len, NOW);
	/* Header, question, OPT (with its option) and nothing else. */
	assert_int_equal(len, 12 + qlen + 15);
	assert_memory_equal(c.resp, "\x12\x34\x86\x00\0\1\0\0\0\0\0\1", 12);
	assert_memory_equal(c.resp + 12, a.resp + 12, qlen);
	assert_memory_equal(c.resp + 12 + qlen, a.resp + a.len - 15, 15);
	/* Without EDNS: no OPT either. */
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	c = a;
	len = dz_rrl_check_at(&c.info, (struct sockaddr *)&p,
			      sizeof(struct sockaddr_in), c.resp, c.len, NOW);
	assert_int_equal(len, 12 + qlen);
	assert_memory_equal(c.resp, "\x12\x34\x86\x00\0\1\0\0\0\0\0\0", 12);
}

static void test_prefixes(void **state)
{
	struct ans a;
	struct sockaddr_storage p1 = v4("192.0.2.1"), p2 = v4("192.0.2.77"),
				p3 = v4("192.0.3.1");
	struct sockaddr_storage s1 = v6("2001:db8:0:1::1"),
				s2 = v6("2001:db8:0:ff::2"),
				s3 = v6("2001:db8:0:100::1");

	(void)state;
	configure(2, 0);
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	assert_string_equal(run(&a, &p1, NOW, 3), "aad");
	/* Same /24: the same bucket; another /24: its own. */
	assert_string_equal(run(&a, &p2, NOW, 1), "d");
	assert_string_equal(run(&a, &p3, NOW, 3), "aad");
	/* IPv6 /56 */
	assert_string_equal(run(&a, &s1, NOW, 3), "aad");
	assert_string_equal(run(&a, &s2, NOW, 1), "d");
	assert_string_equal(run(&a, &s3, NOW, 3), "aad");
	/* /32: every address on its own. */
	configure(2, 0);
	dz_limits.rrl_ipv4_prefix = 32;
	assert_string_equal(run(&a, &p1, NOW, 3), "aad");
	assert_string_equal(run(&a, &p2, NOW, 3), "aad");
}

static void test_answer_keys(void **state)
{
	struct ans a, b;
	struct sockaddr_storage p = v4("192.0.2.1");

	(void)state;
	configure(2, 0);
	/* Positive: per qname and qtype. */
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	mkans(&b, "mail.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	assert_string_equal(run(&a, &p, NOW, 3), "aad");
	assert_string_equal(run(&b, &p, NOW, 3), "aad");
	b = a;
	b.info.qtype = 28;
	assert_string_equal(run(&b, &p, NOW, 3), "aad");
	/* NXDOMAIN: per zone, whatever the name. */
	mkans(&a, "x1.example.com.", DZ_ANS_NXDOMAIN, zone_com, false);
	mkans(&b, "x2.example.com.", DZ_ANS_NXDOMAIN, zone_com, false);
	assert_string_equal(run(&a, &p, NOW, 1), "a");
	assert_string_equal(run(&b, &p, NOW, 2), "ad");
	mkans(&b, "x2.example.net.", DZ_ANS_NXDOMAIN, zone_net, false);
	assert_string_equal(run(&b, &p, NOW, 3), "aad");
	/* NODATA: per zone too, apart from NXDOMAIN. */
	mkans(&a, "y1.example.com.", DZ_ANS_NODATA, zone_com, false);
	mkans(&b, "y2.example.com.", DZ_ANS_NODATA, zone_com, false);
	assert_string_equal(run(&a, &p, NOW, 1), "a");
	assert_string_equal(run(&b, &p, NOW, 2), "ad");
	/* Wildcard answers: per zone and type. */
	mkans(&a, "w1.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	mkans(&b, "w2.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	a.info.wildcard = b.info.wildcard = true;
	assert_string_equal(run(&a, &p, NOW, 1), "a");
	assert_string_equal(run(&b, &p, NOW, 2), "ad");
	/* Errors: one bucket for the prefix, whatever the name or zone. */
	mkans(&a, "www.example.org.", DZ_ANS_REFUSED, NULL, false);
	mkans(&b, "x.example.com.", DZ_ANS_ERROR, zone_com, false);
	assert_string_equal(run(&a, &p, NOW, 1), "a");
	assert_string_equal(run(&b, &p, NOW, 2), "ad");
	/* Dropped queries have nothing to limit. */
	mkans(&a, "www.example.com.", DZ_ANS_DROPPED, NULL, false);
	assert_string_equal(run(&a, &p, NOW, 4), "aaaa");
}

static void test_whitelist(void **state)
{
	struct ans a;
	struct sockaddr_storage p1 = v4("192.0.2.1"), p2 = v4("198.51.100.9"),
				s1 = v6("2001:db8::1");
	const char *why = NULL;

	(void)state;
	configure(1, 0);
	/* Through the option row, as --rrl-whitelist would. */
	for (const struct dz_opt *o = dz_limit_opts; o->name; o++) {
		if (strcmp(o->name, "rrl-whitelist") == 0) {
			assert_int_equal(o->parse("192.0.2.0/24", o->ptr,
						  &why), 0);
			assert_int_equal(o->parse("2001:db8::/32", o->ptr,
						  &why), 0);
			assert_int_not_equal(o->parse("192.0.2.0/33", o->ptr,
						      &why), 0);
		}
	}
	assert_int_equal(dz_limits.rrl_nwhitelist, 2);
	mkans(&a, "www.example.com.", DZ_ANS_POSITIVE, zone_com, false);
	assert_string_equal(run(&a, &p1, NOW, 5), "aaaaa");
	assert_string_equal(run(&a, &s1, NOW, 5), "aaaaa");
	assert_string_equal(run(&a, &p2, NOW, 3), "add");
}

static void test_prefix_parse(void **state)
{
	struct dz_prefix p;
	const char *why = NULL;
	struct sockaddr_storage in = v4("10.1.2.3"), out = v4("10.1.3.3"),
				in6 = v6("fd00::1");

	(void)state;
	assert_int_equal(dz_prefix_parse("10.1.2.0/23", &p, &why), 0);
	assert_int_equal(p.bits, 23);
	assert_true(dz_prefix_match(&p, (struct sockaddr *)&in));
	assert_true(dz_prefix_match(&p, (struct sockaddr *)&out));
	assert_false(dz_prefix_match(&p, (struct sockaddr *)&in6));
	assert_int_equal(dz_prefix_parse("10.1.2.3", &p, &why), 0);
	assert_int_equal(p.bits, 32);
	assert_false(dz_prefix_match(&p, (struct sockaddr *)&out));
	assert_int_equal(dz_prefix_parse("fd00::/8", &p, &why), 0);
	assert_true(dz_prefix_match(&p, (struct sockaddr *)&in6));
	assert_int_equal(dz_prefix_parse("0.0.0.0/0", &p, &why), 0);
	assert_true(dz_prefix_match(&p, (struct sockaddr *)&out));
	assert_int_not_equal(dz_prefix_parse("10.1.2.0/", &p, &why), 0);
	assert_int_not_equal(dz_prefix_parse("10.1.2.0/-1", &p, &why), 0);
	assert_int_not_equal(dz_prefix_parse("fd00::/129", &p, &why), 0);
	assert_int_not_equal(dz_prefix_parse("example.com", &p, &why), 0);
	assert_string_equal(why, "not an IPv4 or IPv6 address");
}

/* Many keys in a small table: each keeps its own bucket (mostly). */
static void test_table_pressure(void **state)
{
	struct sockaddr_storage p = v4("192.0.2.1");
	struct ans a;
	char name[64];
	int passed = 0, limited = 0;

	(void)state;
	configure(1, 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 200; i++) {
			snprintf(name, sizeof(name), "n%d.example.com.", i);
			mkans(&a, name, DZ_ANS_POSITIVE, zone_com, false);
			if (round == 0) {
				passed += try(&a, &p, NOW) == 'a';
			} else {
				limited += try(&a, &p, NOW) == 'd';
			}
		}
	}
	/* A new key always starts with a full bucket; 200 keys in 256
	 * sets of 4 rarely push one another out before the second round. */
	assert_int_equal(passed, 200);
	assert_true(limited >= 190);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_rate_and_slip),
		cmocka_unit_test(test_slip_message),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_answer_keys),
		cmocka_unit_test(test_whitelist),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_table_pressure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
