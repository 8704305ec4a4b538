/* SPDX-License-Identifier: MIT */
/* builtin.c -- the list of record kinds compiled in. Add a kind here. */
#include "plugin/registry-builtin.h"

const struct dz_kind *const dz_kinds_builtin[] = {
	NULL,
};
