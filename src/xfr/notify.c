/* SPDX-License-Identifier: MIT */
/* notify.c -- NOTIFY (RFC 1996) to the secondaries after a publication. */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "util/log.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"
#include "zone/zone-internal.h"

/* Tries per NOTIFY; the wait doubles from 1 s after each (RFC 1996 3.6). */
#define NOTIFY_TRIES 5

/* One NOTIFY waiting for its answer. */
struct pend {
	struct pend *next;
	struct event *timer;
	size_t target;               /* index in the settings */
	uint16_t id;
	unsigned tries;
	uint32_t serial;
	uint8_t zone[DZ_DNAME_MAX];  /* lower case */
	uint8_t soa[512];            /* the SOA RR's rdata */
	uint16_t soa_len;
	uint32_t soa_ttl;
};

static struct {
	struct event_base *base;
	int fd[2];                   /* IPv4, IPv6; -1 until needed */
	struct event *rev[2];
	struct pend *pending;
} ns = { .fd = { -1, -1 } };

static void on_timer(evutil_socket_t fd, short what, void *arg);

static void pend_free(struct pend *p)
{
	struct pend **pp;

	for (pp = &ns.pending; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	event_free(p->timer);
	free(p);
}

static void zone_text(const uint8_t *zone, char *out, size_t outsz)
{
	dz_dname_to_text(zone, out, outsz);
}

/* ---- Answers ----------------------------------------------------------- */

static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family) {
		return false;
	}
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

/* A datagram on our socket: the answer to one of our NOTIFYs? */
static void on_read(evutil_socket_t fd, short what, void *arg)
{
	const struct xcfg *c = dz_xfr_cfg();
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t buf[1500];
	char zt[DZ_DNAME_MAX * 4 + 1];
	ssize_t n;
	size_t qn;

	(void)what;
	(void)arg;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fromlen);
	if (n < 12 || (buf[2] & XF2_QR) == 0 ||
	    ((buf[2] & XF2_OPCODE) >> 3) != XOP_NOTIFY) {
		return;
	}
	qn = dz_dname_check(buf + 12, buf + n);
	for (struct pend *p = ns.pending; p != NULL; p = p->next) {
		if (p->id != dz_wire_get_u16(buf) ||
		    !same_addr(&from, &c->notify[p->target]) ||
		    (qn != 0 && !dz_dname_equal(buf + 12, p->zone))) {
			continue;
		}
		zone_text(p->zone, zt, sizeof(zt));
		if ((buf[3] & 0x0f) != XRC_NOERROR) {
			dz_log_warn("notify: %s answered rcode %d for '%s'",
				    c->notify_text[p->target], buf[3] & 0x0f,
				    zt);
		} else {
			dz_log_info("notify: %s acknowledged '%s' serial %u",
				    c->notify_text[p->target], zt, p->serial);
		}
		pend_free(p);
		return;
	}
}

/* The socket for family (lazily, on the main loop); -1 on failure. */
static int sock_for(int family)
{
	int i = family == AF_INET6 ? 1 : 0, fd;

	if (ns.fd[i] >= 0) {
		return ns.fd[i];
	}
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		dz_log_warn_errno("notify: cannot open a socket");
		return -1;
	}
	ns.rev[i] = event_new(ns.base, fd, EV_READ | EV_PERSIST, on_read,
			      NULL);
	if (ns.rev[i] == NULL || event_add(ns.rev[i], NULL) < 0) {
		dz_log_err("notify: cannot watch the socket");
		if (ns.rev[i] != NULL) {
			event_free(ns.rev[i]);
			ns.rev[i] = NULL;
		}
		close(fd);
		return -1;
	}
	ns.fd[i] = fd;
	return fd;
}

/* ---- Sending ----------------------------------------------------------- */

/* RFC 1996 3.7: opcode NOTIFY, AA, the zone's SOA as question and as
 * the answer (its serial lets a secondary skip the SOA query). */
static size_t build(const struct pend *p, uint8_t *buf, size_t cap)
{
	struct xmsg *m = calloc(1, sizeof(*m));
	size_t len;

	if (m == NULL) {
		return 0;
	}
	dz_xfr_msg_init(m, buf, cap, (const uint8_t[2]){ p->id >> 8, p->id },
			false);
	buf[2] = (uint8_t)((XOP_NOTIFY << 3) | XF2_AA);
	dz_xfr_msg_question(m, p->zone, XT_SOA, XC_IN);
	dz_xfr_msg_rr(m, p->zone, XT_SOA, p->soa_ttl, p->soa, p->soa_len);
	len = dz_xfr_msg_finish(m, XRC_NOERROR);
	free(m);
	/* With a key, secondaries accept only signed NOTIFYs. */
	return dz_xfr_tsig_sign_request(buf, len, cap);
}

static void send_one(struct pend *p)
{
	const struct xcfg *c = dz_xfr_cfg();
	const struct sockaddr_storage *to = &c->notify[p->target];
	struct timeval tv = { 1 << p->tries, 0 };
	uint8_t buf[1500];
	size_t len = build(p, buf, sizeof(buf));
	int fd = sock_for(to->ss_family);

	p->tries++;
	if (fd >= 0 && len > 0 &&
	    sendto(fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)to,
		   c->notify_len[p->target]) < 0) {
		dz_log_debug("notify: %s: %s", c->notify_text[p->target],
			     strerror(errno));
	}
	evtimer_add(p->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pend *p = arg;
	const struct xcfg *c = dz_xfr_cfg();
	char zt[DZ_DNAME_MAX * 4 + 1];

	(void)fd;
	(void)what;
	if (p->tries < NOTIFY_TRIES) {
		send_one(p);
		return;
	}
	zone_text(p->zone, zt, sizeof(zt));
	dz_log_warn("notify: no answer from %s for '%s' serial %u after %d "
		    "tries", c->notify_text[p->target], zt, p->serial,
		    NOTIFY_TRIES);
	pend_free(p);
}

/* NOTIFY zone z to target t, replacing a NOTIFY still in flight. */
static void notify_one(const struct dz_zone *z, size_t t)
{
	const uint8_t *rr = z->soa->rr[0];
	uint16_t id;
	struct pend *p;

	for (p = ns.pending; p != NULL; p = p->next) {
		if (p->target == t && dz_dname_equal(p->zone, z->origin)) {
			pend_free(p);
			break;
		}
	}
	if (dz_wire_get_u16(rr) > sizeof(p->soa) ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		return;
	}
	p->timer = evtimer_new(ns.base, on_timer, p);
	if (p->timer == NULL) {
		free(p);
		return;
	}
	if (getrandom(&id, sizeof(id), 0) != sizeof(id)) {
		id = (uint16_t)random();
	}
	p->id = id;
	p->target = t;
	p->serial = z->serial;
	memcpy(p->zone, z->origin, dz_dname_len(z->origin));
	p->soa_len = dz_wire_get_u16(rr);
	memcpy(p->soa, rr + 2, p->soa_len);
	p->soa_ttl = z->soa->ttl;
	p->next = ns.pending;
	ns.pending = p;
	send_one(p);
}

void dz_xfr_published(struct event_base *base, const char *state_dir,
		      const struct dz_snapshot *old,
		      const struct dz_snapshot *snap)
{
	const struct xcfg *c = dz_xfr_cfg();
	size_t nz = snap ? dz_snapshot_zone_count(snap) : 0;

	ns.base = base;
	for (size_t i = 0; i < nz; i++) {
		const struct dz_zone *z = dz_snapshot_zone_at(snap, i);
		const struct dz_zone *o = dz_xfr_zone_exact(old, z->origin,
							    z->origin_len);
		if (o != NULL && o->serial == z->serial) {
			continue;
		}
		dz_xfr_hist_record(state_dir, o, z);
		for (size_t t = 0; base != NULL && t < c->nnotify; t++) {
			notify_one(z, t);
		}
	}
}

void dz_xfr_shutdown(void)
{
	while (ns.pending != NULL) {
		pend_free(ns.pending);
	}
	for (int i = 0; i < 2; i++) {
		if (ns.rev[i] != NULL) {
			event_free(ns.rev[i]);
			ns.rev[i] = NULL;
		}
		if (ns.fd[i] >= 0) {
			close(ns.fd[i]);
			ns.fd[i] = -1;
		}
	}
	dz_xfr_hist_clear();
}
