/* SPDX-License-Identifier: MIT */
/* test_query_alloc.c -- dz_query_answer() never allocates (STYLE.md 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query-fixture.h"
#include "query/query.h"

/* Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static unsigned long allocs;

void *__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	allocs++;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	__real_free(p);
}

struct req {
	uint8_t wire[512];
	size_t len;
	unsigned flags;
};

static const char *const names[] = {
	"www.example.com.", "WWW.EXAMPLE.COM.", "example.com.",
	"nope.example.com.", "b.c.example.com.", "big.example.com.",
	"bigmx.example.com.", "mail1.example.com.", "ns1.example.com.",
	"x.y.example.net.", "example.net.", "example.org.", ".",
	"alias.example.com.",
	/* zone cuts, CNAME chains, wildcards */
	"deep.www.sub.example.test.", "sub.example.test.",
	"child.example.test.", "a.example.test.", "dangling.example.test.",
	"loop1.example.test.", "c0.example.test.", "todeleg.example.test.",
	"host3.example.test.", "HOST3.Example.Test.", "towild.example.test.",
	"y.e.example.test.", "_telnet._tcp.host1.example.test.",
	"foo.wns.example.test.", "tomx.example.test.",
};
static const uint16_t types[] = { 1, 28, 15, 2, 6, 255, 16, 5, 252, 41,
				  254, 43 };

/* Varied queries, made before counting starts. */
static size_t make_batch(struct req *r, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; n < max; i++) {
		const char *name = names[i % (sizeof(names) / sizeof(*names))];
		uint16_t type = types[(i / 3) % (sizeof(types) /
						  sizeof(*types))];
		int edns = (i % 4 == 0) ? -1 : (i % 4 == 1) ? 512 : 4096;
		size_t len;
		uint8_t *w = fx_query(name, type, (i % 17 == 0) ? 3 : 1, edns,
				      i % 2, (i % 29 == 0) ? 1 : 0, &len);
		assert_non_null(w);
		assert_true(len <= sizeof(r[n].wire));
		memcpy(r[n].wire, w, len);
		free(w);
		r[n].len = len;
		r[n].flags = (i % 5 == 0) ? DZ_QUERY_TCP : 0;
		if (i % 23 == 0) {
			r[n].wire[5] = 2; /* QDCOUNT 2: FORMERR */
		}
		if (i % 31 == 0) {
			r[n].len -= 1; /* truncated */
		}
		n++;
	}
	return n;
}

static void test_query_alloc_none(void **state)
{
	(void)state;
	enum { N = 1000 };
	static struct req batch[N];
	static uint8_t resp[DZ_MSG_MAX];
	struct dz_snapshot *snap = fx_snapshot();
	struct dz_query_ctx *ctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	size_t n = make_batch(batch, N);
	size_t answered = 0, bytes = 0;

	assert_non_null(snap);
	assert_non_null(ctx);
	allocs = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = dz_query_answer(ctx, snap, batch[i].wire,
					   batch[i].len, resp, batch[i].flags);
		answered += r > 0;
		bytes += r;
	}
	unsigned long seen = allocs;
	assert_int_equal(seen, 0);
	assert_int_equal(answered, n);
	assert_true(bytes > n * 12);
	dz_query_ctx_free(ctx);
	dz_snapshot_unref(snap);
	/* the wrappers do count */
	void *(*volatile m)(size_t) = malloc; /* not optimised away */
	void *p = m(1);
	free(p);
	assert_int_equal(allocs, 1);
}

/* What dz_query_last() tells, and the answer, alike for both ways. */
static void same_answer(struct dz_query_ctx *a, struct dz_query_ctx *b,
			const uint8_t *ra, size_t la, const uint8_t *rb,
			size_t lb)
{
	struct dz_query_info ia, ib;

	assert_int_equal(la, lb);
	assert_memory_equal(ra, rb, la);
	dz_query_last(a, &ia);
	dz_query_last(b, &ib);
	assert_int_equal(ia.cls, ib.cls);
	assert_ptr_equal(ia.zone, ib.zone);
	assert_int_equal(ia.qname_len, ib.qname_len);
	if (ia.qname_len > 0) {
		assert_memory_equal(ia.qname, ib.qname, ia.qname_len);
	}
	assert_int_equal(ia.qtype, ib.qtype);
	assert_int_equal(ia.rcode, ib.rcode);
	assert_int_equal(ia.wildcard, ib.wildcard);
	assert_int_equal(ia.tc, ib.tc);
}

/*
 * Batches prepared first (dz_query_prepare, dz_query_prefetch) answer
 * exactly as queries answered one by one, allocate nothing, and a query
 * whose buffer is not the prepared one (a signed query's copy) is
 * answered from scratch.
 */
static void test_query_alloc_batch(void **state)
{
	(void)state;
	enum { N = 1000 };
	static struct req batch[N];
	static uint8_t ra[DZ_MSG_MAX], rb[DZ_MSG_MAX], copy[512];
	struct dz_snapshot *snap = fx_snapshot();
	struct dz_query_ctx *a = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	struct dz_query_ctx *b = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	size_t n = make_batch(batch, N), prepared = 0;

	assert_non_null(snap);
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i += 37) {
		batch[i].wire[2] |= 0x80; /* QR set: dropped */
	}
	batch[5].len = 7; /* shorter than a header */
	allocs = 0;
	for (size_t s = 0; s < n; s += DZ_QUERY_BATCH) {
		size_t k = n - s < DZ_QUERY_BATCH ? n - s : DZ_QUERY_BATCH;

		for (size_t i = 0; i < k; i++) {
			dz_query_prepare(b, snap, (unsigned)i,
					 batch[s + i].wire, batch[s + i].len);
		}
		dz_query_prefetch(b, (unsigned)k);
		for (size_t i = 0; i < k; i++) {
			const struct req *r = &batch[s + i];
			const uint8_t *in = r->wire;
			size_t la, lb;

			if (i == 3) { /* not the prepared buffer */
				memcpy(copy, r->wire, r->len);
				in = copy;
			} else {
				prepared++;
			}
			la = dz_query_answer(a, snap, r->wire, r->len, ra,
					     r->flags);
			lb = dz_query_answer(b, snap, in, r->len, rb,
					     r->flags | DZ_QUERY_PREPARED(i));
			same_answer(a, b, ra, la, rb, lb);
		}
	}
	assert_int_equal(allocs, 0);
	assert_true(prepared > n / 2);
	dz_query_ctx_free(a);
	dz_query_ctx_free(b);
	dz_snapshot_unref(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_alloc_none),
		cmocka_unit_test(test_query_alloc_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
