/* SPDX-License-Identifier: MIT */
/* test_kind_conformance.c -- every registered kind against its contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ldns/ldns.h>

#include "kindtest.h"
#include "util/dname.h"
#include "util/errcode.h"

/*
 * A seed spec per kind; a built-in kind without one fails the test, so a
 * new kind cannot skip this check. Each seed gives RRs whose rdata must
 * decode with ldns and whose print() text ldns must read back to the very
 * same wire bytes.
 */
struct seed {
	const char *kind;
	const char *yaml;
	size_t nrr;
};

static const struct seed seeds[] = {
	{ "ARecord", "ipv4Addresses: [192.0.2.1, 198.51.100.255]\n", 2 },
	{ "AAAARecord", "ipv6Addresses: [\"2001:db8::1\", \"::ffff:1.2.3.4\"]\n",
	  2 },
	{ "MXRecord", "priority: 10\nmailServer: mail.example.com.\n", 1 },
	{ "MXRecord", "priority: 65535\nmailServer: mx\n", 1 },
	{ "CNAMERecord", "target: www.example.com.\n", 1 },
	{ "CNAMERecord", "target: blog\n", 1 },
	{ "TXTRecord", "text: [\"v=spf1 mx -all\", \"say \\\"hi\\\" \\\\ bye\"]\n",
	  1 },
	{ "TXTRecord", "text: \"caf\\u00e9\\ttab\"\n", 1 },
	{ "TXTRecord", "text: [\"\", \"x\"]\n", 1 },
	{ "NSRecord", "nameserver: ns1.example.net.\n", 1 },
	{ "NSRecord", "nameserver: ns2\n", 1 },
	{ "SRVRecord", "priority: 10\nweight: 60\nport: 8080\n"
	  "target: server1.example.com.\n", 1 },
	{ "SRVRecord", "priority: 0\nweight: 0\nport: 0\ntarget: .\n", 1 },
	{ "CAARecord", "flags: 0\ntag: issue\nvalue: letsencrypt.org\n", 1 },
	{ "CAARecord", "flags: 128\ntag: iodef\n"
	  "value: mailto:security@example.com\n", 1 },
	{ "CAARecord", "flags: 0\ntag: issue\n"
	  "value: \"ca.example.net; account=\\\"230123\\\"\"\n", 1 },
	{ "CAARecord", "flags: 0\ntag: issuewild\nvalue: \";\"\n", 1 },
	{ "PTRRecord", "target: host10.example.com.\n", 1 },
};

static const struct seed *seed_for(const char *kind, size_t from)
{
	for (size_t i = from; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		if (strcmp(seeds[i].kind, kind) == 0) {
			return &seeds[i];
		}
	}
	return NULL;
}

static void test_kind_conformance_descriptors(void **state)
{
	const struct dz_kind *const *all = dz_kind_all();
	size_t n = 0;

	for (; all[n] != NULL; n++) {
		const struct dz_kind *k = all[n];

		print_message("kind %s\n", k->name);
		assert_int_equal(k->abi, DZ_KIND_ABI);
		assert_non_null(k->name);
		assert_non_null(k->type_name);
		assert_non_null(k->parse);
		assert_non_null(k->print);
		assert_non_null(k->fields);
		assert_true(k->rrtype != 0);
		/* Manifest kinds are "<Something>Record". */
		assert_non_null(strstr(k->name, "Record"));
		assert_ptr_equal(dz_kind_lookup_name(k->name), k);
		assert_ptr_equal(dz_kind_lookup_type(k->rrtype), k);
		/* Our mnemonic is the IANA one ldns knows. */
		assert_int_equal(ldns_get_rr_type_by_name(k->type_name),
				 k->rrtype);
		for (size_t j = 0; j < n; j++) {
			assert_string_not_equal(all[j]->name, k->name);
			assert_int_not_equal(all[j]->rrtype, k->rrtype);
		}
		if (k->flags & (DZ_KIND_F_COMPRESS | DZ_KIND_F_ADDITIONAL)) {
			assert_true(k->flags & DZ_KIND_F_NAME);
		}
		if (k->flags & DZ_KIND_F_ROTATE) {
			assert_non_null(k->compare);
		}
	}
	assert_true(n >= 3);
	assert_null(dz_kind_lookup_name("NoSuchRecord"));
}

/* The rdata as a whole RR (root owner, IN, TTL 0) decodes with ldns. */
static void check_decodes(const struct dz_kind *k, const struct dz_rdata *rd)
{
	uint8_t wire[11 + 65535];
	ldns_rr *rr = NULL;
	size_t pos = 0;
	const ldns_rr_descriptor *d = ldns_rr_descript(k->rrtype);

	memset(wire, 0, 11);
	wire[1] = (uint8_t)(k->rrtype >> 8);
	wire[2] = (uint8_t)k->rrtype;
	wire[4] = 1; /* IN */
	wire[9] = (uint8_t)(rd->len >> 8);
	wire[10] = (uint8_t)rd->len;
	memcpy(wire + 11, rd->data, rd->len);
	assert_int_equal(ldns_wire2rr(&rr, wire, 11 + rd->len, &pos,
				      LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
	assert_int_equal(pos, 11 + rd->len);
	assert_int_equal(ldns_rr_get_type(rr), k->rrtype);
	if (k->flags & DZ_KIND_F_NAME) {
		/* The declared name offset is where ldns finds a name. */
		size_t off = 0, i = 0;
		for (; i < ldns_rr_rd_count(rr) && off < k->name_offset; i++) {
			off += ldns_rdf_size(ldns_rr_rdf(rr, i));
		}
		assert_int_equal(off, k->name_offset);
		assert_int_equal(ldns_rdf_get_type(ldns_rr_rdf(rr, i)),
				 LDNS_RDF_TYPE_DNAME);
		assert_int_equal(d->_compress == LDNS_RR_COMPRESS,
				 (k->flags & DZ_KIND_F_COMPRESS) != 0);
	}
	ldns_rr_free(rr);
}

/* print() text, read by ldns as zone-file data, gives the same wire. */
static void check_print_roundtrip(const struct dz_kind *k,
				  const struct dz_rdata *rd)
{
	char text[8192], line[8300];
	ldns_rr *rr = NULL;
	ldns_buffer *buf = ldns_buffer_new(65535);
	size_t n = k->print(rd->data, rd->len, text, sizeof(text));

	assert_true(n > 0);
	assert_int_equal(n, strlen(text));
	snprintf(line, sizeof(line), "x.example. 0 IN %s %s", k->type_name,
		 text);
	print_message("  %s\n", line);
	assert_int_equal(ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL),
			 LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_rdata2buffer_wire(buf, rr), LDNS_STATUS_OK);
	assert_int_equal(ldns_buffer_position(buf), rd->len);
	assert_memory_equal(ldns_buffer_begin(buf), rd->data, rd->len);
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
}

static void check_seed(const struct dz_kind *k, const struct seed *s)
{
	struct dz_diags diags = { 0 };
	struct dz_rdata_list out = { 0 };

	assert_int_equal(kt_run(k, s->yaml, KT_ORIGIN, &diags, &out), 0);
	assert_int_equal(out.n, s->nrr);
	for (size_t i = 0; i < out.n; i++) {
		check_decodes(k, &out.items[i]);
		check_print_roundtrip(k, &out.items[i]);
		if (k->compare != NULL) {
			assert_int_equal(k->compare(out.items[i].data,
						    out.items[i].len,
						    out.items[i].data,
						    out.items[i].len), 0);
		}
	}
	dz_rdata_list_clear(&out);
	dz_diags_clear(&diags);
}

static void test_kind_conformance_seeds(void **state)
{
	const struct dz_kind *const *all = dz_kind_all();

	for (size_t i = 0; all[i] != NULL; i++) {
		const struct seed *s = seed_for(all[i]->name, 0);

		if (s == NULL) {
			fail_msg("kind '%s' has no seed in "
				 "test_kind_conformance.c", all[i]->name);
		}
		for (; s != NULL; s = seed_for(all[i]->name,
					       (size_t)(s - seeds) + 1)) {
			print_message("%s: %s", s->kind, s->yaml);
			check_seed(all[i], s);
		}
	}
}

/* A spec that is not a map, or an empty map, fails cleanly everywhere. */
static void test_kind_conformance_empty_spec(void **state)
{
	const struct dz_kind *const *all = dz_kind_all();

	for (size_t i = 0; all[i] != NULL; i++) {
		struct dz_diags diags = { 0 };
		struct dz_rdata_list out = { 0 };

		assert_int_equal(kt_run(all[i], "{}\n", KT_ORIGIN, &diags,
					&out), DZ_EMANIFEST);
		assert_int_equal(out.n, 0);
		assert_true(diags.nerrors > 0);
		dz_diags_clear(&diags);
		dz_rdata_list_clear(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_conformance_descriptors),
		cmocka_unit_test(test_kind_conformance_seeds),
		cmocka_unit_test(test_kind_conformance_empty_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
