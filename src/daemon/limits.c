/* SPDX-License-Identifier: MIT */
/* limits.c -- the settings of TCP limits and RRL: stub until they land. */
#include <stddef.h>

#include "daemon/limits.h"

const struct dz_opt dz_limit_opts[] = {
	{ .name = NULL },
};
