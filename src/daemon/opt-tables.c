/* SPDX-License-Identifier: MIT */
/* opt-tables.c -- every module's settings table, in --help order. */
#include <stddef.h>

#include "daemon/opt.h"

const struct dz_opt *const dz_opt_tables[] = {
	dz_main_opts,
	dz_limit_opts,
	dz_observe_opts,
	dz_xfr_opts,
	NULL,
};
