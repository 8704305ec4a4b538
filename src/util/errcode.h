/* SPDX-License-Identifier: MIT */
/* errcode.h -- status codes shared by every module: 0 ok, -errno, or ours. */
#pragma once

/*
 * Functions that can fail return int: 0 on success, -errno for system
 * failures, or one of the codes below (all <= -1000).
 */
enum {
	DZ_EOK = 0,
	DZ_EINVAL = -1000,   /* invalid argument or value */
	DZ_ENOMEM = -1001,   /* out of memory */
	DZ_EMANIFEST = -1002, /* manifest content is invalid (see diagnostics) */
	DZ_EYAML = -1003,    /* YAML syntax error */
	DZ_ELIMIT = -1004,   /* input exceeds a configured limit */
	DZ_EDNAME = -1005,   /* malformed domain name */
	DZ_ESPACE = -1006,   /* buffer too small */
	DZ_EEXIST = -1007,   /* duplicate */
	DZ_ENOENT = -1008,   /* not found */
	DZ_EABI = -1009,     /* plugin ABI mismatch */
	DZ_EFORMERR = -1010, /* malformed DNS message */
	DZ_EAGAIN = -1011,   /* not handled here: use the general path */
};

/* Text for a status code (static string, never NULL). Hot-path safe. */
const char *dz_strerror(int code);
