/* SPDX-License-Identifier: MIT */
/* errcode.c -- text for status codes. */
#include <string.h>

#include "util/errcode.h"

const char *dz_strerror(int code)
{
	switch (code) {
	case DZ_EOK: return "ok";
	case DZ_EINVAL: return "invalid value";
	case DZ_ENOMEM: return "out of memory";
	case DZ_EMANIFEST: return "invalid manifest";
	case DZ_EYAML: return "yaml syntax error";
	case DZ_ELIMIT: return "limit exceeded";
	case DZ_EDNAME: return "malformed domain name";
	case DZ_ESPACE: return "no space left in buffer";
	case DZ_EEXIST: return "already exists";
	case DZ_ENOENT: return "not found";
	case DZ_EABI: return "plugin ABI mismatch";
	case DZ_EFORMERR: return "malformed DNS message";
	default:
		break;
	}
	if (code < 0 && code > -1000) {
		return strerror(-code);
	}
	return "unknown error";
}
