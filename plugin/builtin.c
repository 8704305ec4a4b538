/* SPDX-License-Identifier: MIT */
/* builtin.c -- the list of record kinds compiled in. Add a kind here. */
#include "plugin/registry-builtin.h"

/* One descriptor per plugin/<kind>.c. */
extern const struct dz_kind dz_kind_a;
extern const struct dz_kind dz_kind_aaaa;
extern const struct dz_kind dz_kind_mx;
extern const struct dz_kind dz_kind_cname;
extern const struct dz_kind dz_kind_txt;
extern const struct dz_kind dz_kind_ns;
extern const struct dz_kind dz_kind_srv;
extern const struct dz_kind dz_kind_caa;
extern const struct dz_kind dz_kind_ptr;

const struct dz_kind *const dz_kinds_builtin[] = {
	&dz_kind_a,
	&dz_kind_aaaa,
	&dz_kind_mx,
	&dz_kind_cname,
	&dz_kind_txt,
	&dz_kind_ns,
	&dz_kind_srv,
	&dz_kind_caa,
	&dz_kind_ptr,
	NULL,
};
