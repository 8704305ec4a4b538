/* SPDX-License-Identifier: MIT */
/* xfr.c -- zone transfers: stub until the transfer code lands. */
#include <stdbool.h>

#include "daemon/opt.h"
#include "xfr/xfr.h"

const struct dz_opt dz_xfr_opts[] = {
	{ .name = NULL },
};

enum dz_xfr_verdict dz_xfr_start(const struct dz_snapshot *snap,
				 const uint8_t *req, size_t reqlen,
				 const struct sockaddr *peer, socklen_t peerlen,
				 uint8_t *resp, size_t *resplen,
				 struct dz_xfr **out)
{
	(void)snap;
	(void)req;
	(void)reqlen;
	(void)peer;
	(void)peerlen;
	(void)resp;
	(void)resplen;
	*out = NULL;
	return DZ_XFR_NONE;
}

size_t dz_xfr_next(struct dz_xfr *x, uint8_t *resp)
{
	(void)x;
	(void)resp;
	return 0;
}

void dz_xfr_free(struct dz_xfr *x)
{
	(void)x;
}

void dz_xfr_published(struct event_base *base, const char *state_dir,
		      const struct dz_snapshot *old,
		      const struct dz_snapshot *snap)
{
	(void)base;
	(void)state_dir;
	(void)old;
	(void)snap;
}

void dz_xfr_shutdown(void)
{
}
