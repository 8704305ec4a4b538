/* SPDX-License-Identifier: MIT */
/* limits.h -- TCP limits and rate-limiting settings (rows in dz_limit_opts). */
#pragma once

#include "daemon/opt.h"
