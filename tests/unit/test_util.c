/* SPDX-License-Identifier: MIT */
/* test_util.c -- names, arena, diagnostics and the wire cursor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "util/wire.h"

struct name_vec {
	const char *text;
	const char *origin; /* NULL: root */
	int rc;
	const char *expect; /* to_text of the result, or the error phrase */
	unsigned flags;
};

static const struct name_vec name_vecs[] = {
	{ "www", "example.com.", 0, "www.example.com.", DZ_DNAME_F_RELATIVE },
	{ "@", "example.com.", 0, "example.com.", DZ_DNAME_F_RELATIVE },
	{ "", "example.com.", 0, "example.com.", DZ_DNAME_F_RELATIVE },
	{ "mail.example.com.", "example.com.", 0, "mail.example.com.", 0 },
	{ "Mail.Example.COM.", NULL, 0, "Mail.Example.COM.", 0 },
	{ ".", NULL, 0, ".", 0 },
	{ "_ldap._tcp", "example.com.", 0, "_ldap._tcp.example.com.",
	  DZ_DNAME_F_RELATIVE },
	{ "*.dev", "example.com.", 0, "*.dev.example.com.",
	  DZ_DNAME_F_RELATIVE | DZ_DNAME_F_WILDCARD },
	{ "net.*.bankcard.", NULL, 0, "net.*.bankcard.", DZ_DNAME_F_NONHOST },
	{ "a\\.b.c.", NULL, 0, "a\\.b.c.", DZ_DNAME_F_NONHOST },
	{ "a\\065.", NULL, 0, "aA.", 0 },
	{ "ex!mple.com.", NULL, 0, "ex!mple.com.", DZ_DNAME_F_NONHOST },
	{ "a..b.", NULL, DZ_EDNAME, "empty label", 0 },
	{ ".a.", NULL, DZ_EDNAME, "empty label", 0 },
	{ "mail example.com.", NULL, DZ_EDNAME,
	  "whitespace or control character", 0 },
	{ "tab\there.", NULL, DZ_EDNAME, "whitespace or control character", 0 },
	{ "a\\1.", NULL, DZ_EDNAME, "bad escape", 0 },
	{ "a\\999.", NULL, DZ_EDNAME, "bad escape", 0 },
	{ "0123456789012345678901234567890123456789012345678901234567890123.",
	  NULL, DZ_EDNAME, "label longer than 63 octets", 0 },
};

static void origin_wire(const char *text, uint8_t *out)
{
	size_t len;

	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, NULL), 0);
}

static void test_dname_from_text_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(name_vecs) / sizeof(name_vecs[0]); i++) {
		const struct name_vec *v = &name_vecs[i];
		uint8_t origin[DZ_DNAME_MAX], out[DZ_DNAME_MAX];
		char text[1024];
		size_t len = 0;
		unsigned flags = 0;
		const char *why = NULL;

		if (v->origin) {
			origin_wire(v->origin, origin);
		}
		int rc = dz_dname_from_text(v->text, strlen(v->text),
					    v->origin ? origin : NULL, out,
					    &len, &flags, &why);
		if (rc != v->rc) {
			fail_msg("'%s': rc %d, expected %d", v->text, rc, v->rc);
		}
		if (rc == 0) {
			assert_int_equal(len, dz_dname_len(out));
			dz_dname_to_text(out, text, sizeof(text));
			assert_string_equal(text, v->expect);
			if (flags != v->flags) {
				fail_msg("'%s': flags %u, expected %u",
					 v->text, flags, v->flags);
			}
		} else {
			assert_non_null(why);
			assert_string_equal(why, v->expect);
		}
	}
}

static void test_dname_too_long(void **state)
{
	char text[400];
	uint8_t out[DZ_DNAME_MAX];
	size_t len;
	const char *why = NULL;

	(void)state;
	/* 64 labels of "abc." = 256 octets of labels + root: too long. */
	text[0] = '\0';
	for (int i = 0; i < 64; i++) {
		strcat(text, "abc.");
	}
	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, &why), DZ_EDNAME);
	assert_string_equal(why, "name longer than 255 octets");
	/* 63 of them fit: 63 * 4 + 1 = 253. */
	text[strlen(text) - 4] = '\0';
	assert_int_equal(dz_dname_from_text(text, strlen(text), NULL, out,
					    &len, NULL, &why), 0);
	assert_int_equal(len, 253);
}

static void test_dname_compare(void **state)
{
	uint8_t a[DZ_DNAME_MAX], b[DZ_DNAME_MAX], c[DZ_DNAME_MAX];

	(void)state;
	origin_wire("WWW.Example.com.", a);
	origin_wire("www.example.COM.", b);
	origin_wire("example.com.", c);
	assert_true(dz_dname_equal(a, b));
	assert_false(dz_dname_equal(a, c));
	assert_true(dz_dname_is_subdomain(a, c));
	assert_true(dz_dname_is_subdomain(c, c));
	assert_false(dz_dname_is_subdomain(c, a));
	assert_int_equal(dz_dname_labels(a), 3);
	assert_int_equal(dz_dname_cmp_canonical(a, b), 0);
	assert_true(dz_dname_cmp_canonical(c, a) < 0);
	dz_dname_tolower(a);
	assert_memory_equal(a, "\3www\7example\3com", 17);
}

static void test_dname_check(void **state)
{
	static const uint8_t good[] = "\3www\7example\3com";
	static const uint8_t ptr[] = { 3, 'w', 'w', 'w', 0xc0, 12 };

	(void)state;
	assert_int_equal(dz_dname_check(good, good + sizeof(good)), 17);
	assert_int_equal(dz_dname_check(good, good + 10), 0);
	assert_int_equal(dz_dname_check(ptr, ptr + sizeof(ptr)), 0);
}

static void test_arena(void **state)
{
	struct dz_arena *a = dz_arena_new(1024);

	(void)state;
	assert_non_null(a);
	for (int i = 0; i < 1000; i++) {
		uint64_t *p = dz_arena_alloc(a, 24);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal(p[0], 0);
		p[0] = (uint64_t)i;
	}
	char *big = dz_arena_alloc(a, 100000);
	assert_non_null(big);
	memset(big, 'x', 100000);
	assert_string_equal(dz_arena_strdup(a, "hello"), "hello");
	assert_true(dz_arena_used(a) >= 1000 * 32 + 100000);
	dz_arena_free(a);
	dz_arena_free(NULL);
}

/* Mapped blocks: standard ones across reset, big ones of their own. */
static void test_arena_mapped(void **state)
{
	struct dz_arena *a = dz_arena_new_mapped(0);
	uint8_t *first = NULL;

	(void)state;
	assert_non_null(a);
	for (int round = 0; round < 2; round++) {
		/* past one 2 MiB block, then a block of its own */
		for (int i = 0; i < 40000; i++) {
			uint8_t *p = dz_arena_alloc(a, 100);
			assert_non_null(p);
			assert_int_equal((uintptr_t)p % 16, 0);
			assert_int_equal(p[99], 0);
			memset(p, 0xab, 100);
			if (i == 0 && round == 0) {
				first = p;
			}
		}
		char *big = dz_arena_alloc_raw(a, 3 << 20);
		assert_non_null(big);
		memset(big, 'x', 3 << 20);
		assert_true(dz_arena_used(a) >= 40000 * 112 + (3 << 20));
		dz_arena_reset(a);
		assert_int_equal(dz_arena_used(a), 0);
	}
	assert_non_null(first);
	dz_arena_free(a);
}

/* Strings and bytes are packed one after the other; aligned allocations
 * still start at 16; the bytes handed out count the padding. */
static void test_arena_packed(void **state)
{
	struct dz_arena *a = dz_arena_new(0);
	static const uint8_t name[] = { 3, 'f', 'o', 'o', 0 };

	(void)state;
	assert_non_null(a);
	char *s1 = dz_arena_strdup(a, "host-1");
	char *s2 = dz_arena_strdup(a, "mx");
	uint8_t *b = dz_arena_bytes(a, name, sizeof(name));
	assert_non_null(s1);
	assert_non_null(s2);
	assert_non_null(b);
	assert_ptr_equal(s2, s1 + 7);
	assert_ptr_equal(b, (uint8_t *)s2 + 3);
	assert_string_equal(s1, "host-1");
	assert_string_equal(s2, "mx");
	assert_memory_equal(b, name, sizeof(name));
	assert_int_equal(dz_arena_used(a), 7 + 3 + 5);
	uint8_t *p = dz_arena_alloc(a, 3);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_int_equal(dz_arena_used(a), 32);
	assert_ptr_equal(dz_arena_strdup(a, "x"), (char *)p + 16);
	dz_arena_free(a);
}

static void test_diags(void **state)
{
	struct dz_diags d = { 0 };
	char buf[256];

	(void)state;
	dz_diags_add(&d, DZ_SEV_ERROR, "mx.yaml", 14, 3,
		     "mailServer '%s' is not a valid domain name", "a b");
	dz_diags_add(&d, DZ_SEV_WARNING, "z.yaml", 0, 0, "no position");
	assert_int_equal(d.n, 2);
	assert_int_equal(d.nerrors, 1);
	dz_diag_format(&d.items[0], buf, sizeof(buf));
	assert_string_equal(buf, "mx.yaml:14:3: error: mailServer 'a b' is "
			    "not a valid domain name");
	dz_diag_format(&d.items[1], buf, sizeof(buf));
	assert_string_equal(buf, "z.yaml: warning: no position");
	dz_diags_clear(&d);
	assert_int_equal(d.n, 0);
}

static void test_wire_sticky(void **state)
{
	uint8_t buf[5];
	struct dz_wire w;

	(void)state;
	dz_wire_init(&w, buf, sizeof(buf));
	dz_wire_put_u16(&w, 0x1234);
	dz_wire_put_u16(&w, 0x5678);
	assert_false(w.err);
	dz_wire_put_u16(&w, 0x9abc); /* one byte left: overflow */
	assert_true(w.err);
	dz_wire_put_u8(&w, 1);       /* sticky: still refused */
	assert_int_equal(w.pos, 4);
	assert_int_equal(dz_wire_get_u16(buf + 2), 0x5678);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(dz_strerror(DZ_ENOMEM), "out of memory");
	assert_string_equal(dz_strerror(-2), "No such file or directory");
}

/* Every octet value at every offset of a word: only A-Z change. */
static void test_dname_tolower_octets(void **state)
{
	uint8_t name[DZ_DNAME_MAX], want[DZ_DNAME_MAX];

	(void)state;
	for (unsigned shift = 1; shift <= 8; shift++) {
		for (unsigned base = 0; base < 256; base += 128) {
			size_t at = 0;
			/* a short first label moves the rest off word
			 * boundaries */
			name[at++] = (uint8_t)shift;
			for (unsigned k = 0; k < shift; k++) {
				name[at++] = 'Q';
			}
			for (unsigned v = base; v < base + 128; v += 64) {
				name[at++] = 63;
				for (unsigned k = 0; k < 63; k++) {
					name[at++] = (uint8_t)(v + k);
				}
			}
			name[at++] = 0;
			assert_true(at <= sizeof(name));
			/* length octets (<= 63) are never letters */
			for (size_t i = 0; i < at; i++) {
				want[i] = name[i] >= 'A' && name[i] <= 'Z' ?
					  (uint8_t)(name[i] + 32) : name[i];
			}
			dz_dname_tolower(name);
			assert_memory_equal(name, want, at);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dname_from_text_vectors),
		cmocka_unit_test(test_dname_too_long),
		cmocka_unit_test(test_dname_compare),
		cmocka_unit_test(test_dname_tolower_octets),
		cmocka_unit_test(test_dname_check),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_arena_mapped),
		cmocka_unit_test(test_arena_packed),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_wire_sticky),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
