/* SPDX-License-Identifier: MIT */
/* fuzz_kind.c -- fuzz target: a YAML spec -> one kind's parse() and print().
 * Built once per kind with -DFUZZ_KIND=\"MXRecord\"; without it (the
 * replay of make check) the kind comes from $FUZZ_KIND. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/yaml.h"
#include "plugin/plugin.h"
#include "util/arena.h"
#include "util/dname.h"
#include "zone/kindctx.h"


/*
 * Input: a YAML stream; the root map of every document is handed to the
 * kind as its spec, in the zone example.com. Every RR it makes is printed
 * back, and the raw input is also given to print() as rdata: print must
 * refuse, never overrun, malformed rdata.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct dz_kind *kind;
static uint8_t origin[DZ_DNAME_MAX];

static void setup(void)
{
	size_t len;
#ifdef FUZZ_KIND
	const char *name = FUZZ_KIND;
#else
	const char *name = getenv("FUZZ_KIND");
#endif

	kind = name != NULL ? dz_kind_lookup_name(name) : NULL;
	if (kind == NULL || dz_dname_from_text("example.com.", 12, NULL,
					       origin, &len, NULL,
					       NULL) != 0) {
		abort();
	}
}

/* print() into a buffer just big enough for what it claims. */
static void print(const uint8_t *rd, size_t len)
{
	char out[4096];
	size_t n;

	if (kind->print == NULL) {
		return;
	}
	n = kind->print(rd, len, out, sizeof(out));
	if (n >= sizeof(out) || (n > 0 && strlen(out) != n)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dz_yaml_limits lim;
	struct dz_arena *arena;
	struct dz_ydoc *docs = NULL;
	struct dz_diags diags = { 0 };
	struct dz_rdata_list out = { 0 };
	size_t ndocs = 0;

	if (kind == NULL) {
		setup();
	}
	print(data, size);
	arena = dz_arena_new(0);
	if (arena == NULL) {
		return 0;
	}
	dz_yaml_limits_default(&lim);
	if (dz_yaml_parse_buffer((const char *)data, size, "fuzz.yaml", &lim,
				 arena, &docs, &ndocs, &diags) == 0) {
		for (size_t i = 0; i < ndocs; i++) {
			/* the loader hands kinds map specs only */
			if (docs[i].root != NULL &&
			    dz_ynode_type(docs[i].root) == DZ_YNODE_MAP) {
				dz_kind_run(kind, docs[i].root, origin,
					    "fuzz.yaml", &diags, &out);
			}
		}
	}
	for (size_t i = 0; i < out.n; i++) {
		print(out.items[i].data, out.items[i].len);
	}
	dz_rdata_list_clear(&out);
	dz_diags_clear(&diags);
	dz_arena_free(arena);
	return 0;
}
