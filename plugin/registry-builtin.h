/* SPDX-License-Identifier: MIT */
/* registry-builtin.h -- the kinds compiled into the core. */
#pragma once

#include "plugin/plugin.h"

/* NULL-terminated; defined in plugin/builtin.c, one line per kind. */
extern const struct dz_kind *const dz_kinds_builtin[];
