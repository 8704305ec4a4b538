/* SPDX-License-Identifier: MIT */
/* fuzz_yfast.c -- fuzz target: the fast YAML path must agree with libyaml. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ycmp.h"

/*
 * Input: a YAML file. It is parsed by dz_yaml_fast_parse() and by
 * dz_yaml_parse_buffer() with the fast path off; whenever the fast path
 * accepts, libyaml must accept too, without a diagnostic, and build the
 * same documents and nodes (types, positions, quoting, bytes). The first
 * input byte, when it is '\x01'..'\x04', also lowers a limit (depth,
 * nodes, documents or file size) so that the limits are fuzzed as well.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dz_yaml_limits lim;
	struct ycmp c;

	dz_yaml_limits_default(&lim);
	if (size > 0 && data[0] >= 1 && data[0] <= 4) {
		switch (data[0]) {
		case 1: lim.max_depth = 3; break;
		case 2: lim.max_nodes = 20; break;
		case 3: lim.max_documents = 2; break;
		default: lim.max_file_bytes = 64; break;
		}
		data++;
		size--;
	}
	ycmp_run((const char *)data, size, &lim, &c);
	if (!c.same) {
		fprintf(stderr, "fuzz_yfast: %s\n", c.why);
		abort();
	}
	return 0;
}
