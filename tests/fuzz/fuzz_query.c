/* SPDX-License-Identifier: MIT */
/* fuzz_query.c -- fuzz target: one query message -> dz_query_answer(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "fixture.h"
#include "query/query.h"

/*
 * Input: one flag byte, then the message. Bit 0 of the flag byte picks
 * TCP. The snapshot is built once from the fixture manifests; every
 * answer must fit its transport, echo the ID and parse with ldns.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dz_snapshot *snap;
static struct dz_query_ctx *qctx;
static uint8_t resp[DZ_MSG_MAX + 1];

static void setup(void)
{
	struct dz_mfile *files[2];
	size_t n = fz_load(files, NULL, 0);

	snap = n == 2 ? dz_build(files, n, NULL) : NULL;
	qctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	/* the fixture must serve its four zones, or the target is blind */
	if (snap == NULL || qctx == NULL ||
	    dz_snapshot_zone_count(snap) != 4) {
		abort();
	}
	/* the snapshot keeps what it needs: the files can go */
	for (size_t i = 0; i < n; i++) {
		dz_mfile_free(files[i]);
	}
}

/* What every answer must satisfy; abort() makes it a finding. */
static void check(const uint8_t *req, size_t len, bool tcp)
{
	ldns_pkt *p = NULL;

	if (len == 0) {
		return;
	}
	if (len < 12 || len > DZ_MSG_MAX ||
	    (!tcp && len > DZ_EDNS_SIZE_DEFAULT) ||
	    memcmp(req, resp, 2) != 0 || (resp[2] & 0x80) == 0) {
		abort();
	}
	if (ldns_wire2pkt(&p, resp, len) != LDNS_STATUS_OK) {
		abort();
	}
	ldns_pkt_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool tcp;
	size_t len;

	if (snap == NULL) {
		setup();
	}
	if (size < 1) {
		return 0;
	}
	tcp = (data[0] & 1) != 0;
	/* a copy of exactly the message, so overreads hit the redzone */
	uint8_t *req = malloc(size - 1 ? size - 1 : 1);
	if (req == NULL) {
		return 0;
	}
	memcpy(req, data + 1, size - 1);
	len = dz_query_answer(qctx, snap, req, size - 1, resp,
			      tcp ? DZ_QUERY_TCP : 0);
	check(req, len, tcp);
	free(req);
	return 0;
}
