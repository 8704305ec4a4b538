/* SPDX-License-Identifier: MIT */
/* test_query.c -- answers built from a snapshot, checked with ldns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include <cmocka.h>

#include "query-fixture.h"
#include "query/query.h"
#include "zone/zone-internal.h"

static struct dz_snapshot *snap;
static struct dz_query_ctx *ctx;
static uint8_t resp[DZ_MSG_MAX];
static size_t resplen;

static int setup(void **state)
{
	(void)state;
	snap = fx_snapshot();
	ctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	return snap != NULL && ctx != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dz_query_ctx_free(ctx);
	dz_snapshot_unref(snap);
	return 0;
}

/* Answer raw bytes; the parsed response or NULL when dropped. */
static ldns_pkt *answer_raw(const uint8_t *req, size_t len, unsigned flags)
{
	ldns_pkt *p = NULL;

	resplen = dz_query_answer(ctx, snap, req, len, resp, flags);
	if (resplen == 0) {
		return NULL;
	}
	assert_int_equal(ldns_wire2pkt(&p, resp, resplen), LDNS_STATUS_OK);
	return p;
}

struct q {
	const char *name;
	uint16_t type;
	uint16_t class;  /* 0: IN */
	int edns;        /* 0: none, else the payload size */
	bool dobit;
	uint8_t version;
	unsigned flags;  /* DZ_QUERY_* */
};

#define ASK(...) ask((struct q){ __VA_ARGS__ })

static ldns_pkt *ask(struct q q)
{
	size_t len;
	uint8_t *w = fx_query(q.name, q.type, q.class ? q.class : 1,
			      q.edns ? q.edns : -1, q.dobit, q.version, &len);
	assert_non_null(w);
	ldns_pkt *p = answer_raw(w, len, q.flags);
	free(w);
	assert_non_null(p);
	return p;
}

static char *owner_text(const ldns_rr *rr)
{
	static char buf[256];
	char *s = ldns_rdf2str(ldns_rr_owner(rr));
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

static char *rdf_text(const ldns_rr *rr, size_t i)
{
	static char buf[256];
	char *s = ldns_rdf2str(ldns_rr_rdf(rr, i));
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

/* Checks of the header: rcode, AA, counts. */
static void hdr(const ldns_pkt *p, int rcode, bool aa, size_t an, size_t ns,
		size_t ar)
{
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_aa(p), aa);
	assert_int_equal(ldns_pkt_ancount(p), an);
	assert_int_equal(ldns_pkt_nscount(p), ns);
	assert_int_equal(ldns_pkt_arcount(p), ar);
	assert_true(ldns_pkt_qr(p));
}

/* ---- positive answers -------------------------------------------------- */

static void test_query_answer_aa(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	assert_true(ldns_pkt_rd(p));
	assert_false(ldns_pkt_tc(p));
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
	assert_int_equal(ldns_rr_ttl(rr), 300);
	assert_string_equal(rdf_text(rr, 0), "127.0.0.3");
	ldns_pkt_free(p);
}

static void test_query_refused_outside_zones(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "www.example.org.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	p = ASK(.name = "com.", .type = LDNS_RR_TYPE_NS);
	hdr(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);

	/* no snapshot yet: everything refused */
	size_t len;
	uint8_t *w = fx_query("www.example.com.", 1, 1, -1, false, 0, &len);
	resplen = dz_query_answer(ctx, NULL, w, len, resp, 0);
	free(w);
	assert_true(resplen > 12);
	assert_int_equal(resp[3] & 0x0f, LDNS_RCODE_REFUSED);
}

static void test_query_refused_class(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_A,
		.class = LDNS_RR_CLASS_CH);
	hdr(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
	p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_A,
		.class = LDNS_RR_CLASS_ANY);
	hdr(p, LDNS_RCODE_REFUSED, false, 0, 0, 0);
	ldns_pkt_free(p);
}

static void check_soa(const ldns_pkt *p, const char *zone, uint32_t ttl)
{
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(p), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_string_equal(owner_text(soa), zone);
	assert_int_equal(ldns_rr_ttl(soa), ttl);
	assert_string_equal(rdf_text(soa, 0), "ns1.example.com.");
	assert_string_equal(rdf_text(soa, 1), "hostmaster.example.com.");
}

static void test_query_nxdomain(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "nope.example.com.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	/* min(SOA TTL 3600, MINIMUM 600) */
	check_soa(p, "example.com.", 600);
	ldns_pkt_free(p);
	/* below an existing name */
	p = ASK(.name = "x.www.example.com.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	ldns_pkt_free(p);
}

static void test_query_nodata(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "www.example.com.",
		.type = LDNS_RR_TYPE_AAAA);
	hdr(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	check_soa(p, "example.com.", 600);
	ldns_pkt_free(p);
}

static void test_query_ent_is_nodata(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "b.c.example.com.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	ldns_pkt_free(p);
	p = ASK(.name = "c.example.com.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	ldns_pkt_free(p);
	p = ASK(.name = "a.b.c.example.com.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	ldns_pkt_free(p);
}

static void test_query_negative_ttl_soa_ttl(void **state)
{
	(void)state;
	/* example.net: SOA TTL 100 < MINIMUM 600 */
	ldns_pkt *p = ASK(.name = "nope.example.net.", .type = LDNS_RR_TYPE_A);
	hdr(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	check_soa(p, "example.net.", 100);
	ldns_pkt_free(p);
}

static void test_query_apex_ns_glue(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "example.com.", .type = LDNS_RR_TYPE_NS);
	hdr(p, LDNS_RCODE_NOERROR, true, 2, 0, 3);
	ldns_rr_list *ad = ldns_pkt_additional(p);
	assert_string_equal(owner_text(ldns_rr_list_rr(ad, 0)),
			    "ns1.example.com.");
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ad, 0)),
			 LDNS_RR_TYPE_A);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ad, 1)),
			 LDNS_RR_TYPE_AAAA);
	assert_string_equal(owner_text(ldns_rr_list_rr(ad, 2)),
			    "ns2.example.com.");
	assert_string_equal(rdf_text(ldns_rr_list_rr(ad, 2), 0), "127.0.0.2");
	ldns_pkt_free(p);
}

static void test_query_case_echo(void **state)
{
	(void)state;
	size_t len;
	uint8_t *w = fx_query("WwW.ExAmPlE.CoM.", 1, 1, -1, false, 0, &len);
	ldns_pkt *p = answer_raw(w, len, 0);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	/* the question exactly as sent, then the owner as a pointer */
	assert_memory_equal(resp + 12, w + 12, len - 12);
	assert_memory_equal(resp + len, "\xc0\x0c", 2);
	free(w);
	ldns_pkt_free(p);
}

static bool has_bytes(const uint8_t *buf, size_t len, const void *pat,
		      size_t plen)
{
	for (size_t i = 0; i + plen <= len; i++) {
		if (memcmp(buf + i, pat, plen) == 0) {
			return true;
		}
	}
	return false;
}

static void test_query_compression(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "example.com.", .type = LDNS_RR_TYPE_MX);
	hdr(p, LDNS_RCODE_NOERROR, true, 5, 0, 4);
	assert_true(has_bytes(resp, resplen, "\xc0\x0c", 2));
	/* "example" is spelled out once, in the question (the net zone's
	 * name spells its own) */
	size_t n = 0;
	for (size_t i = 0; i + 8 <= resplen; i++) {
		n += memcmp(resp + i, "\7example", 8) == 0;
	}
	assert_int_equal(n, 2);
	/* uncompressed this would be well over 300 bytes */
	assert_true(resplen < 260);
	/* the RDLENGTH of an MX to mail1.example.com: 2 + "mail1" + ptr */
	ldns_rr *mx = ldns_rr_list_rr(ldns_pkt_answer(p), 4);
	/* names are compared case-insensitively: the target may point at
	 * the earlier lower-case spelling */
	assert_int_equal(strcasecmp(rdf_text(mx, 1), "mail1.example.com."),
			 0);
	ldns_pkt_free(p);

	/* NODATA: the SOA's names compress against the question */
	p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_AAAA);
	assert_true(resplen < 12 + 21 + 12 + 2 + 20 + 12 + 16);
	check_soa(p, "example.com.", 600);
	ldns_pkt_free(p);
}

/* The MX targets in answer order, as "pri:name " text. */
static void mx_list(char *out, size_t outsz)
{
	ldns_pkt *p = ASK(.name = "example.com.", .type = LDNS_RR_TYPE_MX);
	ldns_rr_list *an = ldns_pkt_answer(p);
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		char pri[256];
		snprintf(pri, sizeof(pri), "%s", rdf_text(rr, 0));
		n += (size_t)snprintf(out + n, outsz - n, "%s:%s ", pri,
				      rdf_text(rr, 1));
		for (char *c = out; *c != '\0'; c++) {
			*c = (char)tolower((unsigned char)*c);
		}
	}
	ldns_pkt_free(p);
}

static void test_query_mx_order_and_rotation(void **state)
{
	(void)state;
	char a[512], b[512], c[512], d[512];
	mx_list(a, sizeof(a));
	mx_list(b, sizeof(b));
	mx_list(c, sizeof(c));
	mx_list(d, sizeof(d));
	/* the three 10s rotate; 20 and 30 stay in place */
	const char *tail = "20:mail3.example.com. 30:mail1.example.com. ";
	const char *abc[] = { a, b, c };
	for (int i = 0; i < 3; i++) {
		assert_non_null(strstr(abc[i], tail));
		assert_int_equal(strncmp(abc[i], "10:", 3), 0);
		assert_non_null(strstr(abc[i], "10:mail1.example.com. "));
		assert_non_null(strstr(abc[i], "10:mail2.example.com. "));
		assert_non_null(strstr(abc[i], "10:mail4.example.net. "));
	}
	assert_string_not_equal(a, b);
	assert_string_not_equal(b, c);
	assert_string_not_equal(a, c);
	assert_string_equal(a, d); /* period 3 */
}

static void test_query_additional_dedup(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "example.com.", .type = LDNS_RR_TYPE_MX);
	/* mail1 A, AAAA (once, though two MX name it), mail2 A, mail4 A
	 * (other zone); mail3 is no node */
	hdr(p, LDNS_RCODE_NOERROR, true, 5, 0, 4);
	ldns_rr_list *ad = ldns_pkt_additional(p);
	char all[512] = "";
	for (size_t i = 0; i < 4; i++) {
		ldns_rr *rr = ldns_rr_list_rr(ad, i);
		strcat(all, owner_text(rr));
		strcat(all, ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ? "/A " :
			    "/AAAA ");
	}
	assert_non_null(strstr(all, "mail1.example.com./A "
				    "mail1.example.com./AAAA "));
	assert_non_null(strstr(all, "mail2.example.com./A "));
	assert_non_null(strstr(all, "mail4.example.net./A "));
	ldns_pkt_free(p);
}

static void test_query_additional_left_out_without_tc(void **state)
{
	(void)state;
	/* the target's 60 A RRs do not fit in 512 bytes: left out */
	ldns_pkt *p = ASK(.name = "bigmx.example.com.",
		.type = LDNS_RR_TYPE_MX);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_false(ldns_pkt_tc(p));
	ldns_pkt_free(p);
	/* ...but fit in 1232 */
	p = ASK(.name = "bigmx.example.com.", .type = LDNS_RR_TYPE_MX,
		.edns = 4096);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 60); /* + the hidden OPT */
	ldns_pkt_free(p);
}

static void test_query_any(void **state)
{
	(void)state;
	/* RFC 8482: one RRset of the node (A, the first by type) */
	ldns_pkt *p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_ANY);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 0);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p),
							  0)), LDNS_RR_TYPE_A);
	ldns_pkt_free(p);
	p = ASK(.name = "c.example.com.", .type = LDNS_RR_TYPE_ANY);
	hdr(p, LDNS_RCODE_NOERROR, true, 0, 1, 0);
	ldns_pkt_free(p);
	p = ASK(.name = "zz.example.com.", .type = LDNS_RR_TYPE_ANY);
	hdr(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	ldns_pkt_free(p);
}

/* ---- EDNS ----------------------------------------------------------- */

static void test_query_edns_echo(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_A,
		.edns = 4096, .dobit = true);
	hdr(p, LDNS_RCODE_NOERROR, true, 1, 0, 0); /* ldns hides the OPT */
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), DZ_EDNS_SIZE_DEFAULT);
	assert_true(ldns_pkt_edns_do(p));
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 0);
	assert_int_equal(resp[11], 1); /* ARCOUNT counts the OPT */
	/* no options */
	assert_memory_equal(resp + resplen - 11,
			    "\0\0\x29\x04\xd0\0\0\x80\0\0\0", 11);
	ldns_pkt_free(p);

	p = ASK(.name = "nope.example.com.", .type = LDNS_RR_TYPE_A,
		.edns = 1232);
	hdr(p, LDNS_RCODE_NXDOMAIN, true, 0, 1, 0);
	assert_true(ldns_pkt_edns(p));
	assert_false(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);

	/* refused also carries the OPT */
	p = ASK(.name = "example.org.", .type = LDNS_RR_TYPE_A, .edns = 1232);
	assert_true(ldns_pkt_edns(p));
	ldns_pkt_free(p);
}

static void test_query_edns_badvers(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "www.example.com.", .type = LDNS_RR_TYPE_A,
		.edns = 1232, .dobit = true, .version = 1);
	assert_int_equal(resp[3] & 0x0f, 0);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
}

/* Append bytes and bump a header count (index 3 = ARCOUNT). */
static size_t append(uint8_t *buf, size_t len, const void *add, size_t n,
		     int count)
{
	memcpy(buf + len, add, n);
	if (count > 0) {
		uint16_t c = dz_wire_get_u16(buf + 4 + 2 * count);
		dz_wire_set_u16(buf + 4 + 2 * count, (uint16_t)(c + 1));
	}
	return len + n;
}

static const uint8_t OPT[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 };

static int rcode_of(const uint8_t *req, size_t len, unsigned flags)
{
	resplen = dz_query_answer(ctx, snap, req, len, resp, flags);
	assert_true(resplen >= 12);
	return resp[3] & 0x0f;
}

/* The plain query for www.example.com A, in buf. */
static size_t base_query(uint8_t *buf)
{
	size_t len;
	uint8_t *w = fx_query("www.example.com.", 1, 1, -1, false, 0, &len);
	memcpy(buf, w, len);
	free(w);
	return len;
}

static void test_query_edns_formerr(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len = base_query(buf);

	/* one OPT is fine */
	size_t l1 = append(buf, len, OPT, sizeof(OPT), 3);
	assert_int_equal(rcode_of(buf, l1, 0), 0);
	/* two OPTs */
	size_t l2 = append(buf, l1, OPT, sizeof(OPT), 3);
	assert_int_equal(rcode_of(buf, l2, 0), LDNS_RCODE_FORMERR);
	assert_int_equal(resp[7] + resp[9] + resp[11], 0);

	/* OPT with a non-root owner */
	len = base_query(buf);
	uint8_t opt_owner[] = { 1, 'x', 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 };
	l1 = append(buf, len, opt_owner, sizeof(opt_owner), 3);
	assert_int_equal(rcode_of(buf, l1, 0), LDNS_RCODE_FORMERR);

	/* an option whose length overruns the RDATA */
	len = base_query(buf);
	uint8_t opt_bad[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 6,
			      0, 10, 0, 8, 1, 2 };
	l1 = append(buf, len, opt_bad, sizeof(opt_bad), 3);
	assert_int_equal(rcode_of(buf, l1, 0), LDNS_RCODE_FORMERR);
	/* a good option (cookie, 8 bytes) */
	len = base_query(buf);
	uint8_t opt_ck[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 12,
			     0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	l1 = append(buf, len, opt_ck, sizeof(opt_ck), 3);
	assert_int_equal(rcode_of(buf, l1, 0), 0);

	/* OPT in the answer section */
	len = base_query(buf);
	l1 = append(buf, len, OPT, sizeof(OPT), 1);
	assert_int_equal(rcode_of(buf, l1, 0), LDNS_RCODE_FORMERR);
}

/* ---- truncation ------------------------------------------------------- */

static void test_query_tc_udp_512(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "big.example.com.", .type = LDNS_RR_TYPE_A);
	assert_true(ldns_pkt_tc(p));
	hdr(p, LDNS_RCODE_NOERROR, true, 0, 0, 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(resplen <= 512);
	ldns_pkt_free(p);

	/* EDNS 512: TC, and the OPT stays */
	p = ASK(.name = "big.example.com.", .type = LDNS_RR_TYPE_A,
		.edns = 512);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_true(resplen <= 512);
	ldns_pkt_free(p);

	/* EDNS 4096 is capped at our 1232, which is enough */
	p = ASK(.name = "big.example.com.", .type = LDNS_RR_TYPE_A,
		.edns = 4096);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 60);
	assert_true(resplen <= 1232);
	ldns_pkt_free(p);

	/* EDNS below 512 counts as 512 */
	p = ASK(.name = "big.example.com.", .type = LDNS_RR_TYPE_A,
		.edns = 100);
	assert_true(ldns_pkt_tc(p));
	ldns_pkt_free(p);
}

static void test_query_tc_not_over_tcp(void **state)
{
	(void)state;
	ldns_pkt *p = ASK(.name = "big.example.com.", .type = LDNS_RR_TYPE_A,
		.flags = DZ_QUERY_TCP);
	assert_false(ldns_pkt_tc(p));
	hdr(p, LDNS_RCODE_NOERROR, true, 60, 0, 0);
	assert_true(resplen > 512);
	ldns_pkt_free(p);
}

static void test_query_tc_small_edns_size(void **state)
{
	(void)state;
	struct dz_query_ctx *small = dz_query_ctx_new(600);
	size_t len;
	uint8_t *w = fx_query("big.example.com.", 1, 1, 4096, false, 0, &len);
	resplen = dz_query_answer(small, snap, w, len, resp, 0);
	free(w);
	assert_true(resplen <= 600);
	assert_true(resp[2] & 0x02);
	dz_query_ctx_free(small);
}

/* ---- malformed and unsupported ---------------------------------------- */

/* A header with QDCOUNT qd, then body. */
static size_t mk(uint8_t *buf, uint8_t b2, uint16_t qd, const void *body,
		 size_t n)
{
	uint8_t h[12] = { 0xab, 0xcd, b2, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	dz_wire_set_u16(h + 4, qd);
	memcpy(buf, h, 12);
	memcpy(buf + 12, body, n);
	return 12 + n;
}

#define Q_WWW "\3www\7example\3com\0\0\1\0\1"
#define Q_WWW_LEN 21

static void test_query_formerr(void **state)
{
	(void)state;
	uint8_t buf[1024];
	size_t len;

	/* QDCOUNT 0 and 2 */
	len = mk(buf, 1, 0, "", 0);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	assert_int_equal(resplen, 12);
	assert_int_equal(resp[0], 0xab);
	assert_int_equal(resp[2], 0x81); /* QR, RD copied */
	len = mk(buf, 0, 2, Q_WWW Q_WWW, 2 * Q_WWW_LEN);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	assert_int_equal(resplen, 12);

	/* label longer than 63 */
	uint8_t lab[80] = { 64 };
	memset(lab + 1, 'a', 64);
	memcpy(lab + 65, "\0\0\1\0\1", 5);
	len = mk(buf, 0, 1, lab, 70);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);

	/* name longer than 255 */
	uint8_t longname[320];
	size_t n = 0;
	for (int i = 0; i < 5; i++) {
		longname[n++] = 60;
		memset(longname + n, 'b', 60);
		n += 60;
	}
	memcpy(longname + n, "\0\0\1\0\1", 5);
	len = mk(buf, 0, 1, longname, n + 5);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);

	/* a compression pointer in the question (even a valid-looking one) */
	len = mk(buf, 0, 1, "\3www\xc0\x0c\0\1\0\1", 10);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	len = mk(buf, 0, 1, "\xc0\x0c\0\1\0\1", 6);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);

	/* name runs past the end; type/class missing */
	len = mk(buf, 0, 1, "\3www\7exam", 9);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	len = mk(buf, 0, 1, Q_WWW, Q_WWW_LEN - 2);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);

	/* trailing bytes */
	len = mk(buf, 0, 1, Q_WWW "\0", Q_WWW_LEN + 1);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	assert_int_equal(resp[5], 1); /* question echoed */

	/* an authority RR that runs past the end */
	len = mk(buf, 0, 1, Q_WWW "\0\0\1\0\1\0\0\0\0\0\x10\1",
		 Q_WWW_LEN + 12);
	buf[9] = 1;
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	/* ...and a well-formed one with a compressed owner is fine */
	len = mk(buf, 0, 1, Q_WWW "\xc0\x0c\0\1\0\1\0\0\0\0\0\4\1\2\3\4",
		 Q_WWW_LEN + 16);
	buf[9] = 1;
	assert_int_equal(rcode_of(buf, len, 0), 0);

	/* QTYPE OPT */
	len = mk(buf, 0, 1, "\3www\7example\3com\0\0\x29\0\1", Q_WWW_LEN);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
}

static void test_query_transfers(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t len = mk(buf, 0, 1, "\7example\3com\0\0\xfc\0\1", 17);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	assert_int_equal(rcode_of(buf, len, DZ_QUERY_TCP),
			 LDNS_RCODE_REFUSED);
	buf[12 + 14] = 0xfb; /* IXFR */
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_FORMERR);
	assert_int_equal(rcode_of(buf, len, DZ_QUERY_TCP),
			 LDNS_RCODE_REFUSED);
}

static void test_query_notimp(void **state)
{
	(void)state;
	uint8_t buf[64];
	/* opcode STATUS (2), question echoed */
	size_t len = mk(buf, 2 << 3, 1, Q_WWW, Q_WWW_LEN);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_NOTIMPL);
	assert_int_equal(resplen, len);
	assert_int_equal(resp[2] & 0x78, 2 << 3);
	assert_int_equal(resp[2] & 0x04, 0);
	/* opcode NOTIFY without a question: header only */
	len = mk(buf, 4 << 3, 0, "", 0);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_NOTIMPL);
	assert_int_equal(resplen, 12);
	/* MAILA, MAILB */
	len = mk(buf, 0, 1, "\3www\7example\3com\0\0\xfe\0\1", Q_WWW_LEN);
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_NOTIMPL);
	buf[12 + 18] = 0xfd;
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_NOTIMPL);
}

static void test_query_tsig_notauth(void **state)
{
	(void)state;
	uint8_t buf[128];
	size_t len = mk(buf, 0, 1, Q_WWW "\3key\0\0\xfa\0\xff\0\0\0\0\0\0",
			Q_WWW_LEN + 15);
	buf[11] = 1;
	assert_int_equal(rcode_of(buf, len, 0), LDNS_RCODE_NOTAUTH);
}

static void test_query_drop(void **state)
{
	(void)state;
	uint8_t buf[64];
	/* QR=1 */
	size_t len = mk(buf, 0x80, 1, Q_WWW, Q_WWW_LEN);
	assert_int_equal(dz_query_answer(ctx, snap, buf, len, resp, 0), 0);
	/* shorter than a header */
	assert_int_equal(dz_query_answer(ctx, snap, buf, 11, resp, 0), 0);
	assert_int_equal(dz_query_answer(ctx, snap, buf, 0, resp, 0), 0);
}

/* Every prefix of a valid query, and random bytes: never a crash. */
static void test_query_garbage(void **state)
{
	(void)state;
	uint8_t buf[600];
	size_t len;
	uint8_t *w = fx_query("www.example.com.", 1, 1, 1232, true, 0, &len);

	for (size_t i = 0; i <= len; i++) {
		dz_query_answer(ctx, snap, w, i, resp, 0);
	}
	free(w);
	srand(7);
	for (int k = 0; k < 20000; k++) {
		size_t n = 12 + (size_t)rand() % 100;
		for (size_t i = 0; i < n; i++) {
			buf[i] = (uint8_t)rand();
		}
		buf[2] &= 0x7f;
		if (k % 2) {
			mk(buf, 0, 1, Q_WWW, Q_WWW_LEN);
		}
		size_t r = dz_query_answer(ctx, snap, buf, n, resp, 0);
		assert_true(r <= 512 || r == 0);
	}
}

/* ---- additional section: links against lookups ------------------------ */

/* MX, NS and SRV targets of every sort the additional section meets. */
static const char *const fx_links[] = {
	"links.test. 3600 IN SOA ns1.links.test. h.links.test. 1 2 3 4 5",
	"links.test. 3600 IN NS ns1.links.test.",
	"links.test. 3600 IN NS ns.other.links.test.",
	"links.test. 300 IN A 127.0.2.1",
	"links.test. 300 IN MX 10 links.test.",
	"ns1.links.test. 300 IN A 127.0.2.2",
	"m.links.test. 300 IN MX 10 m2.links.test.",
	"m.links.test. 300 IN MX 20 nomail.links.test.",
	"m.links.test. 300 IN MX 30 mail1.example.com.",
	"m.links.test. 300 IN MX 40 cn.links.test.",
	"m.links.test. 300 IN MX 50 mx.sub.links.test.",
	"m.links.test. 300 IN MX 60 x.wild.links.test.",
	"m.links.test. 300 IN MX 70 M2.LINKS.test.",
	"m.links.test. 300 IN MX 80 m.links.test.",
	"m.links.test. 300 IN MX 90 ent.links.test.",
	"m.links.test. 300 IN A 127.0.2.3",
	"m2.links.test. 300 IN A 127.0.2.4",
	"m2.links.test. 300 IN AAAA fd00::4",
	"cn.links.test. 300 IN CNAME m2.links.test.",
	"sub.links.test. 300 IN NS mx.sub.links.test.",
	"sub.links.test. 300 IN NS ns1.links.test.",
	"mx.sub.links.test. 300 IN A 127.0.2.5",
	"*.wild.links.test. 300 IN A 127.0.2.6",
	"a.ent.links.test. 300 IN A 127.0.2.7",
	"_s._tcp.links.test. 300 IN SRV 1 2 3 m2.links.test.",
	"_s._tcp.links.test. 300 IN SRV 1 2 4 gone.links.test.",
	NULL,
};

static const char *const link_names[] = {
	"links.test.", "m.links.test.", "M.Links.Test.", "m2.links.test.",
	"cn.links.test.", "www.sub.links.test.", "sub.links.test.",
	"x.wild.links.test.", "_s._tcp.links.test.", "nomail.links.test.",
	"example.com.", "bigmx.example.com.", "mail1.example.com.",
};

static const uint16_t link_types[] = {
	LDNS_RR_TYPE_MX, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_A,
	LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_ANY,
};

/*
 * Every query of the lists, answered from a (whose zones are not nested:
 * links) and b (the same zones and a nested pair: lookups), byte for
 * byte, with fresh contexts (the same rotation).
 */
static void same_answers(struct dz_snapshot *a, struct dz_snapshot *b)
{
	static uint8_t ra[DZ_MSG_MAX], rb[DZ_MSG_MAX];
	static const int edns[] = { -1, 1232, 4096 };
	struct dz_query_ctx *ca = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	struct dz_query_ctx *cb = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);

	assert_false(dz_snapshot_nested(a));
	assert_true(dz_snapshot_nested(b));
	for (size_t n = 0; n < sizeof(link_names) / sizeof(*link_names); n++) {
		for (size_t t = 0; t < sizeof(link_types) / sizeof(*link_types);
		     t++) {
			for (size_t e = 0; e < 3; e++) {
				size_t len, la, lb;
				uint8_t *w = fx_query(link_names[n],
						      link_types[t], 1,
						      edns[e], false, 0, &len);
				assert_non_null(w);
				la = dz_query_answer(ca, a, w, len, ra, 0);
				lb = dz_query_answer(cb, b, w, len, rb, 0);
				free(w);
				assert_int_equal(la, lb);
				assert_memory_equal(ra, rb, la);
			}
		}
	}
	dz_query_ctx_free(ca);
	dz_query_ctx_free(cb);
}

/* a: example.com, example.net, z; b: those and a nested pair. */
static void snaps(struct dz_zone *z, struct dz_snapshot **a,
		  struct dz_snapshot **b)
{
	struct dz_zone *com = fx_zone("example.com.", fx_com, true);
	struct dz_zone *net = fx_zone("example.net.", fx_net, false);

	*a = dz_snapshot_new();
	*b = dz_snapshot_new();
	assert_non_null(com);
	assert_non_null(net);
	assert_int_equal(dz_snapshot_add_zone(*a, com), 0);
	assert_int_equal(dz_snapshot_add_zone(*a, net), 0);
	assert_int_equal(dz_snapshot_add_zone(*a, z), 0);
	assert_int_equal(dz_snapshot_add_zone(*b, z), 0);
	assert_int_equal(dz_snapshot_add_zone(*b, net), 0);
	assert_int_equal(dz_snapshot_add_zone(*b, com), 0);
	assert_true(fx_add_zone(*b, "child.example.test.", fx_child));
	assert_true(fx_add_zone(*b, "example.test.", fx_test));
	dz_zone_unref(com);
	dz_zone_unref(net);
}

/* An edit of one RR (zone-file text): added or removed. */
static void edit_rr(struct dz_zone_edit *e, bool add, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_buffer *buf = ldns_buffer_new(512);

	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL),
			 LDNS_STATUS_OK);
	ldns_rr_rdata2buffer_wire(buf, rr);
	assert_int_equal((add ? dz_zone_edit_add : dz_zone_edit_del)(
				 e, ldns_rdf_data(ldns_rr_owner(rr)),
				 ldns_rr_get_type(rr), ldns_rr_ttl(rr),
				 ldns_buffer_begin(buf),
				 (uint16_t)ldns_buffer_position(buf)), 0);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
}

/* z edited by one RR; keeps says whether its links should survive. */
static struct dz_zone *edited(struct dz_zone *z, bool add, const char *text,
			      bool keeps)
{
	int why = 0;
	const char *err = NULL;
	struct dz_zone_edit *e = dz_zone_edit_new(z, &why);
	struct dz_zone *ez;

	assert_non_null(e);
	edit_rr(e, add, text);
	ez = dz_zone_edit_finish(e, &err);
	assert_non_null(ez);
	assert_int_equal((ez->flags & DZ_ZONE_F_LINKS) != 0, keeps);
	dz_zone_unref(z);
	return ez;
}

static void check_links(struct dz_zone *z)
{
	struct dz_snapshot *a, *b;

	snaps(z, &a, &b);
	same_answers(a, b);
	dz_snapshot_unref(a);
	dz_snapshot_unref(b);
}

static void test_query_additional_links(void **state)
{
	(void)state;
	struct dz_zone *z = fx_zone("links.test.", fx_links, false);

	dz_zone_edit_garbage_pct = 100000; /* small zone, many edits */
	assert_non_null(z);
	assert_true(z->flags & DZ_ZONE_F_LINKS);
	check_links(z);
	/* the target keeps its node: the links stay */
	z = edited(z, false, "m2.links.test. 300 IN A 127.0.2.4", true);
	check_links(z);
	z = edited(z, true, "m2.links.test. 300 IN A 127.0.2.8", true);
	check_links(z);
	/* an MX RRset made anew links its RRs */
	z = edited(z, true, "m.links.test. 300 IN MX 5 mx.sub.links.test.",
		   true);
	check_links(z);
	/* a target appears, then goes: lookups from then on */
	z = edited(z, true, "nomail.links.test. 300 IN A 127.0.2.9", false);
	check_links(z);
	z = edited(z, false, "nomail.links.test. 300 IN A 127.0.2.9", false);
	check_links(z);
	/* a compaction links again */
	struct dz_zone *c = dz_zone_compact(z);
	assert_non_null(c);
	assert_true(c->flags & DZ_ZONE_F_LINKS);
	dz_zone_unref(z);
	check_links(c);
	dz_zone_unref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_answer_aa),
		cmocka_unit_test(test_query_refused_outside_zones),
		cmocka_unit_test(test_query_refused_class),
		cmocka_unit_test(test_query_nxdomain),
		cmocka_unit_test(test_query_nodata),
		cmocka_unit_test(test_query_ent_is_nodata),
		cmocka_unit_test(test_query_negative_ttl_soa_ttl),
		cmocka_unit_test(test_query_apex_ns_glue),
		cmocka_unit_test(test_query_case_echo),
		cmocka_unit_test(test_query_compression),
		cmocka_unit_test(test_query_mx_order_and_rotation),
		cmocka_unit_test(test_query_additional_dedup),
		cmocka_unit_test(test_query_additional_left_out_without_tc),
		cmocka_unit_test(test_query_any),
		cmocka_unit_test(test_query_edns_echo),
		cmocka_unit_test(test_query_edns_badvers),
		cmocka_unit_test(test_query_edns_formerr),
		cmocka_unit_test(test_query_tc_udp_512),
		cmocka_unit_test(test_query_tc_not_over_tcp),
		cmocka_unit_test(test_query_tc_small_edns_size),
		cmocka_unit_test(test_query_formerr),
		cmocka_unit_test(test_query_transfers),
		cmocka_unit_test(test_query_notimp),
		cmocka_unit_test(test_query_tsig_notauth),
		cmocka_unit_test(test_query_drop),
		cmocka_unit_test(test_query_garbage),
		cmocka_unit_test(test_query_additional_links),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

