/* SPDX-License-Identifier: MIT */
/* builtin.c -- the list of record kinds compiled in. Add a kind here. */
#include "plugin/registry-builtin.h"

/* One descriptor per plugin/<kind>.c. */
extern const struct dz_kind dz_kind_a;
extern const struct dz_kind dz_kind_aaaa;
extern const struct dz_kind dz_kind_mx;

const struct dz_kind *const dz_kinds_builtin[] = {
	&dz_kind_a,
	&dz_kind_aaaa,
	&dz_kind_mx,
	NULL,
};
