/* SPDX-License-Identifier: MIT */
/* http.c -- the HTTP endpoint: stub until metrics land. */
#include <stddef.h>
#include <stdio.h>

#include "daemon/http.h"

const struct dz_opt dz_observe_opts[] = {
	{ .name = NULL },
};

struct dz_http *dz_http_start(struct event_base *base,
			      const struct dz_http_src *src, bool *failed)
{
	(void)base;
	(void)src;
	*failed = false;
	return NULL;
}

void dz_http_free(struct dz_http *h)
{
	(void)h;
}

void dz_http_note_reload(bool ok, double seconds)
{
	(void)ok;
	(void)seconds;
}
