/* SPDX-License-Identifier: MIT */
/* fuzz_manifest.c -- fuzz target: a manifest file -> load -> dz_build(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "query/query.h"
#include "util/dname.h"
#include "zone/zone.h"

/*
 * Input: the bytes of one manifest file, built beside the fixture's
 * zones and records (so that fuzzed records join real zones and fuzzed
 * zones collide with real ones). The fixture is loaded once: a build
 * resets every object's build-time fields, as in the daemon. The
 * snapshot built from the three files then answers a few queries, and
 * every diagnostic is printed (to /dev/null) to exercise the formatting
 * of hostile values.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dz_mfile *files[3];
static struct dz_query_ctx *qctx;
static FILE *devnull;
static uint8_t resp[DZ_MSG_MAX];

/* SOA at the apex and ANY at www of every zone the build produced. */
static void ask(const struct dz_snapshot *s)
{
	static const uint16_t types[] = { 6, 255, 15 };
	uint8_t q[12 + 4 + 255 + 4] = { 0x12, 0x34, 0, 0, 0, 1 };
	size_t nz = dz_snapshot_zone_count(s);

	for (size_t i = 0; i < nz && i < 8; i++) {
		const uint8_t *apex = dz_zone_origin(dz_snapshot_zone_at(s, i));
		size_t alen = dz_dname_len(apex);
		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			size_t pos = 12;
			if (alen + 4 > 255) {
				memcpy(q + pos, apex, alen);
				pos += alen;
			} else {
				memcpy(q + pos, "\3www", 4);
				memcpy(q + pos + 4, apex, alen);
				pos += alen + 4;
			}
			q[pos++] = 0;
			q[pos++] = (uint8_t)types[t];
			q[pos++] = 0;
			q[pos++] = 1;
			dz_query_answer(qctx, s, q, pos, resp, DZ_QUERY_TCP);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dz_diags all = { 0 };
	struct dz_snapshot *s;
	size_t n = 2;

	if (qctx == NULL) {
		qctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
		devnull = fopen("/dev/null", "w");
		if (qctx == NULL || devnull == NULL ||
		    fz_load(files, NULL, 0) != 2) {
			abort();
		}
	}
	files[2] = dz_mfile_load_buffer((const char *)data, size, "fuzz.yaml");
	n += files[2] != NULL;
	s = dz_build(files, n, NULL);
	if (s != NULL) {
		ask(s);
		dz_snapshot_unref(s);
	}
	dz_build_collect_diags(files, n, &all);
	dz_diags_print(&all, devnull);
	dz_diags_clear(&all);
	dz_mfile_free(files[2]);
	files[2] = NULL;
	return 0;
}
