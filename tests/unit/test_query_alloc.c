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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_alloc_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
