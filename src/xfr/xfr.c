/* SPDX-License-Identifier: MIT */
/* xfr.c -- outgoing zone transfers: AXFR (RFC 5936), IXFR (RFC 1995). */
#include <stdlib.h>
#include <string.h>

#include "daemon/serials.h"
#include "query/query.h"
#include "util/errcode.h"
#include "util/log.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"
#include "zone/zone-internal.h"

/* A message is closed once it holds this much (RFC 5936 4.2: pack). */
#define MSG_TARGET 16384
/* Room kept at the end of each message for OPT and TSIG. */
#define MSG_RESERVE 512
/* An OPT RR without options; a TSIG RR (hmac-sha256, a key name of up
 * to 100 octets): kept free when a reply must fit a UDP size. */
#define OPT_ROOM 11
#define TSIG_ROOM 200

/* The parts a transfer sends, in order. */
enum seg_kind {
	SEG_SOA,  /* the zone's SOA */
	SEG_BODY, /* every RR of the zone but the SOA */
	SEG_LIST, /* a packed RR list of an IXFR difference */
};

struct seg {
	enum seg_kind kind;
	const uint8_t *p, *end; /* SEG_LIST */
};

struct dz_xfr {
	struct dz_zone *zone;      /* held */
	const struct dz_node *const *sorted; /* its nodes (full transfer) */
	struct xdiff **diffs;      /* held (IXFR) */
	size_t ndiffs;
	struct seg *segs;
	size_t nsegs, seg;
	size_t node, rrset, rr;    /* SEG_BODY cursor */
	const uint8_t *lp;         /* SEG_LIST cursor */
	bool question;             /* still to send (first message) */
	bool edns;
	bool rd;
	uint8_t id[2];
	uint16_t qtype;
	struct xtsig_state *tsig;  /* NULL: unsigned */
	size_t nrr, nmsg;
	char what[DZ_DNAME_MAX * 4 + 200]; /* "AXFR zone serial N to peer" */
	struct xmsg m;
};

/* ---- Walking the parts ------------------------------------------------- */

/* Settle the body cursor on an RR (skipping the SOA); false at the end. */
static bool body_settle(struct dz_xfr *x)
{
	const struct dz_zone *z = x->zone;

	for (; x->node < z->nnodes; x->node++, x->rrset = 0, x->rr = 0) {
		const struct dz_node *n = x->sorted[x->node];
		for (; x->rrset < n->nrrsets; x->rrset++, x->rr = 0) {
			const struct dz_rrset *rs = &n->rrsets[x->rrset];
			if (rs->type != XT_SOA && x->rr < rs->count) {
				return true;
			}
		}
	}
	return false;
}

static void rr_of_set(const uint8_t *owner, const struct dz_rrset *rs,
		      size_t i, struct xrr *rr)
{
	rr->owner = owner;
	rr->type = rs->type;
	rr->ttl = rs->ttl;
	rr->rdlen = dz_wire_get_u16(rs->rr[i]);
	rr->rdata = rs->rr[i] + 2;
}

/* Enter segment x->seg; false when there is none left. */
static void seg_enter(struct dz_xfr *x)
{
	if (x->seg < x->nsegs && x->segs[x->seg].kind == SEG_LIST) {
		x->lp = x->segs[x->seg].p;
	}
	x->node = x->rrset = x->rr = 0;
}

/* The RR at the cursor; false when the transfer is complete. */
static bool cur(struct dz_xfr *x, struct xrr *rr)
{
	for (; x->seg < x->nsegs; x->seg++, seg_enter(x)) {
		const struct seg *s = &x->segs[x->seg];
		const struct dz_node *n;
		switch (s->kind) {
		case SEG_SOA:
			if (x->rr == 0) {
				rr_of_set(x->zone->origin, x->zone->soa, 0, rr);
				return true;
			}
			break;
		case SEG_BODY:
			if (body_settle(x)) {
				n = x->sorted[x->node];
				rr_of_set(n->name, &n->rrsets[x->rrset], x->rr,
					  rr);
				return true;
			}
			break;
		case SEG_LIST:
			if (x->lp < s->end) {
				dz_xfr_rr_decode(x->lp, rr);
				return true;
			}
			break;
		}
	}
	return false;
}

static void advance(struct dz_xfr *x)
{
	struct xrr rr;

	switch (x->segs[x->seg].kind) {
	case SEG_SOA:
	case SEG_BODY:
		x->rr++;
		break;
	case SEG_LIST:
		x->lp = dz_xfr_rr_decode(x->lp, &rr);
		break;
	}
}

/* ---- Building a transfer ----------------------------------------------- */

static struct dz_xfr *xfr_new(const struct dz_zone *z, const struct xreq *r,
			      size_t nsegs)
{
	struct dz_xfr *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		return NULL;
	}
	x->segs = calloc(nsegs, sizeof(*x->segs));
	if (x->segs == NULL) {
		free(x);
		return NULL;
	}
	x->zone = (struct dz_zone *)z;
	dz_zone_ref(x->zone);
	x->question = true;
	x->edns = r->edns;
	x->rd = r->rd;
	memcpy(x->id, r->msg, 2);
	x->qtype = r->qtype;
	return x;
}

static void add_seg(struct dz_xfr *x, enum seg_kind kind, const uint8_t *p,
		    size_t len)
{
	x->segs[x->nsegs].kind = kind;
	x->segs[x->nsegs].p = p;
	x->segs[x->nsegs].end = p + len;
	x->nsegs++;
}

/* The whole zone: SOA, body, SOA (RFC 5936 2.2; RFC 1995 4 fallback). */
static struct dz_xfr *full_transfer(const struct dz_zone *z,
				    const struct xreq *r)
{
	struct dz_xfr *x = xfr_new(z, r, 3);

	if (x != NULL) {
		/* made on first use for an edited zone */
		x->sorted = dz_zone_sorted(z);
		if (x->sorted == NULL) {
			dz_xfr_free(x);
			return NULL;
		}
		add_seg(x, SEG_SOA, NULL, 0);
		add_seg(x, SEG_BODY, NULL, 0);
		add_seg(x, SEG_SOA, NULL, 0);
		seg_enter(x);
	}
	return x;
}

/*
 * RFC 1995 4: the new SOA, then per difference the old SOA and the
 * deleted RRs, the new SOA and the added RRs (each list starts with its
 * SOA), then the new SOA again. Takes over the references in diffs.
 */
static struct dz_xfr *incremental(const struct dz_zone *z,
				  const struct xreq *r, struct xdiff **diffs,
				  size_t n)
{
	struct dz_xfr *x = xfr_new(z, r, 2 + 2 * n);

	if (x == NULL) {
		dz_xfr_diffs_unref(diffs, n);
		return NULL;
	}
	x->diffs = diffs;
	x->ndiffs = n;
	add_seg(x, SEG_SOA, NULL, 0);
	for (size_t i = 0; i < n; i++) {
		add_seg(x, SEG_LIST, diffs[i]->del, diffs[i]->del_len);
		add_seg(x, SEG_LIST, diffs[i]->add, diffs[i]->add_len);
	}
	add_seg(x, SEG_SOA, NULL, 0);
	seg_enter(x);
	return x;
}

void dz_xfr_free(struct dz_xfr *x)
{
	if (x == NULL) {
		return;
	}
	if (x->nmsg > 0 && cur(x, &(struct xrr){ 0 })) {
		dz_log_info("transfer: %s: stopped after %zu records",
			    x->what, x->nrr);
	}
	dz_xfr_diffs_unref(x->diffs, x->ndiffs);
	dz_xfr_tsig_state_free(x->tsig);
	dz_zone_unref(x->zone);
	free(x->segs);
	free(x);
}

/* ---- Streaming --------------------------------------------------------- */

size_t dz_xfr_next(struct dz_xfr *x, uint8_t *resp)
{
	struct xmsg *m = &x->m;
	struct xrr rr;
	size_t len;
	int rcode = XRC_NOERROR;

	if (!cur(x, &rr)) {
		return 0;
	}
	dz_xfr_msg_init(m, resp, DZ_MSG_MAX, x->id, x->rd);
	if (x->question) {
		dz_xfr_msg_question(m, x->zone->origin, x->qtype, XC_IN);
		x->question = false;
	}
	do {
		if (!dz_xfr_msg_fits(m, rr.owner, rr.rdlen, MSG_RESERVE)) {
			break;
		}
		dz_xfr_msg_rr(m, rr.owner, rr.type, rr.ttl, rr.rdata,
			      rr.rdlen);
		x->nrr++;
		advance(x);
	} while (m->w.pos < MSG_TARGET && cur(x, &rr));
	if (m->an == 0) {
		/* One RR larger than a message: cannot be sent. */
		dz_log_err("transfer: %s: a record does not fit in a message",
			   x->what);
		rcode = XRC_SERVFAIL;
		x->seg = x->nsegs;
	}
	if (x->edns) {
		dz_xfr_msg_opt(m);
	}
	len = dz_xfr_msg_finish(m, rcode);
	len = dz_xfr_tsig_sign(x->tsig, resp, len, DZ_MSG_MAX);
	x->nmsg++;
	if (!cur(x, &rr)) {
		dz_log_info("transfer: %s: %zu records in %zu message%s",
			    x->what, x->nrr, x->nmsg, x->nmsg == 1 ? "" : "s");
	}
	return len;
}

/* ---- Starting ---------------------------------------------------------- */

/*
 * A reply of one message of at most limit bytes: the question, maybe
 * one SOA, OPT, TSIG. An SOA that does not fit (UDP) is left out and TC
 * set, which sends the client to TCP all the same.
 */
static size_t reply(const struct xreq *r, int rcode, const struct dz_zone *z,
		    struct xtsig_state *ts, uint8_t *resp, size_t limit)
{
	struct xmsg *m = malloc(sizeof(*m));
	size_t reserve = (r->edns ? OPT_ROOM : 0) + (ts ? TSIG_ROOM : 0);
	struct xrr rr;
	size_t len;

	if (m == NULL) {
		return 0;
	}
	m->nent = 0;
	memset(m->tab, 0, sizeof(m->tab));
	dz_xfr_msg_init(m, resp, limit, r->msg, r->rd);
	if (rcode != XRC_NOERROR) {
		resp[2] &= (uint8_t)~XF2_AA;
	}
	dz_xfr_msg_question(m, r->qname, r->qtype, r->qclass);
	if (z != NULL) {
		rr_of_set(z->origin, z->soa, 0, &rr);
		if (dz_xfr_msg_fits(m, rr.owner, rr.rdlen, reserve)) {
			dz_xfr_msg_rr(m, rr.owner, rr.type, rr.ttl, rr.rdata,
				      rr.rdlen);
		} else {
			resp[2] |= XF2_TC;
		}
	}
	if (r->edns) {
		dz_xfr_msg_opt(m);
	}
	len = dz_xfr_msg_finish(m, rcode);
	free(m);
	return dz_xfr_tsig_sign(ts, resp, len, limit);
}

/* Cheap test on the question: AXFR or IXFR at all? */
static bool is_transfer(const uint8_t *req, size_t reqlen)
{
	size_t n;
	uint16_t t;

	if (reqlen < 12 + 5 || (req[2] & (XF2_QR | XF2_OPCODE)) != 0) {
		return false;
	}
	n = dz_dname_check(req + 12, req + reqlen);
	if (n == 0 || 12 + n + 4 > reqlen) {
		return false;
	}
	t = dz_wire_get_u16(req + 12 + n);
	return t == XT_AXFR || t == XT_IXFR;
}

static void describe(struct dz_xfr *x, const struct xreq *r,
		     const char *peer, uint32_t from)
{
	char zone[DZ_DNAME_MAX * 4 + 1];
	const char *kind = "AXFR";

	dz_dname_to_text(x->zone->origin, zone, sizeof(zone));
	if (r->qtype == XT_IXFR) {
		kind = x->ndiffs > 0 ? "IXFR" : "IXFR (full zone)";
	}
	snprintf(x->what, sizeof(x->what), "%s %s serial %u to %s", kind,
		 zone, x->zone->serial, peer);
	if (r->qtype == XT_IXFR && r->has_soa) {
		size_t l = strlen(x->what);
		snprintf(x->what + l, sizeof(x->what) - l, " (from %u)", from);
	}
}

/* An IXFR or AXFR for zone z the peer may have. */
static enum dz_xfr_verdict begin(const struct dz_zone *z, const struct xreq *r,
				 const char *peer, struct xtsig_state *ts,
				 uint8_t *resp, size_t *resplen,
				 struct dz_xfr **out)
{
	struct dz_xfr *x = NULL;
	struct xdiff **diffs = NULL;
	size_t n = 0;

	if (r->qtype == XT_IXFR && r->has_soa &&
	    !dz_serial_gt(z->serial, r->soa_serial)) {
		/* Up to date (RFC 1995 2): our SOA alone. */
		*resplen = reply(r, XRC_NOERROR, z, ts, resp, DZ_MSG_MAX);
		dz_xfr_tsig_state_free(ts);
		return DZ_XFR_REPLY;
	}
	if (r->qtype == XT_IXFR && r->has_soa &&
	    dz_xfr_hist_chain(z->origin, r->soa_serial, z->serial, &diffs,
			      &n) == 0 && n > 0) {
		x = incremental(z, r, diffs, n);
	} else {
		x = full_transfer(z, r);
	}
	if (x == NULL) {
		*resplen = reply(r, XRC_SERVFAIL, NULL, ts, resp, DZ_MSG_MAX);
		dz_xfr_tsig_state_free(ts);
		return DZ_XFR_REPLY;
	}
	x->tsig = ts;
	describe(x, r, peer, r->soa_serial);
	dz_log_info("transfer: %s", x->what);
	*out = x;
	return DZ_XFR_STREAM;
}

const struct dz_zone *dz_xfr_zone(const struct dz_xfr *x)
{
	return x->zone;
}

/*
 * The checks every transfer request passes: class IN, --tsig-key,
 * --allow-transfer, a zone we serve. The zone, with *ts the state to
 * sign the answer with (NULL: unsigned); or NULL with the error reply in
 * resp. Over UDP the address is checked first and a refusal is only
 * logged at debug level: a forged source must not fill the log.
 */
static const struct dz_zone *admit(const struct dz_snapshot *snap,
				   const struct xreq *r,
				   const struct sockaddr *peer, const char *who,
				   bool udp, struct xtsig_state **ts,
				   uint8_t *resp, size_t *resplen)
{
	const struct xcfg *c = dz_xfr_cfg();
	const char *kind = r->qtype == XT_AXFR ? "AXFR" : "IXFR";
	char zone[DZ_DNAME_MAX * 4 + 1];
	const struct dz_zone *z;
	int rcode;

	*ts = NULL;
	dz_dname_to_text(r->qname, zone, sizeof(zone));
	if (r->qclass != XC_IN) {
		*resplen = reply(r, XRC_REFUSED, NULL, NULL, resp, DZ_MSG_MAX);
		return NULL;
	}
	if (udp && !dz_xfr_acl_allows(c, peer)) {
		dz_log_debug("transfer: %s of '%s' over UDP to %s refused: "
			     "not in --allow-transfer", kind, zone, who);
		*resplen = reply(r, XRC_REFUSED, NULL, NULL, resp, DZ_MSG_MAX);
		return NULL;
	}
	rcode = dz_xfr_tsig_check(c, r, ts, who, zone);
	if (rcode >= 0) {
		*resplen = dz_xfr_tsig_error(r, rcode, resp);
		return NULL;
	}
	if (!udp && !dz_xfr_acl_allows(c, peer)) {
		dz_log_warn("transfer: %s of '%s' to %s refused: not in "
			    "--allow-transfer", kind, zone, who);
		*resplen = reply(r, XRC_REFUSED, NULL, *ts, resp, DZ_MSG_MAX);
		goto fail;
	}
	z = dz_xfr_zone_exact(snap, r->qname, r->qname_len);
	if (z == NULL) {
		dz_log_info("transfer: zone '%s' asked by %s is not served",
			    zone, who);
		*resplen = reply(r, XRC_NOTAUTH, NULL, *ts, resp, DZ_MSG_MAX);
		goto fail;
	}
	return z;
fail:
	dz_xfr_tsig_state_free(*ts);
	*ts = NULL;
	return NULL;
}

enum dz_xfr_verdict dz_xfr_start(const struct dz_snapshot *snap,
				 const uint8_t *req, size_t reqlen,
				 const struct sockaddr *peer, socklen_t peerlen,
				 uint8_t *resp, size_t *resplen,
				 struct dz_xfr **out)
{
	const struct dz_zone *z;
	struct xtsig_state *ts;
	struct xreq r;
	char who[80];

	(void)peerlen;
	*out = NULL;
	if (!is_transfer(req, reqlen)) {
		return DZ_XFR_NONE;
	}
	if (dz_xfr_req_parse(&r, req, reqlen) != 0) {
		return DZ_XFR_NONE; /* the query path answers FORMERR */
	}
	dz_xfr_addr_text(peer, who, sizeof(who));
	z = admit(snap, &r, peer, who, false, &ts, resp, resplen);
	if (z == NULL) {
		return DZ_XFR_REPLY;
	}
	return begin(z, &r, who, ts, resp, resplen, out);
}

bool dz_xfr_udp(const struct dz_snapshot *snap, const uint8_t *req,
		size_t reqlen, const struct sockaddr *peer, size_t udp_max,
		uint8_t *resp, size_t *resplen, const struct dz_zone **zone)
{
	const struct dz_zone *z;
	struct xtsig_state *ts;
	struct xreq r;
	char who[80];
	size_t limit;

	*zone = NULL;
	if (!is_transfer(req, reqlen) ||
	    dz_xfr_req_parse(&r, req, reqlen) != 0 || r.qtype != XT_IXFR ||
	    !r.has_soa) {
		return false; /* the query path answers FORMERR */
	}
	dz_xfr_addr_text(peer, who, sizeof(who));
	z = admit(snap, &r, peer, who, true, &ts, resp, resplen);
	if (z == NULL) {
		return true;
	}
	/* RFC 1995 2: our SOA tells the client to come back over TCP
	 * (or that it is up to date); no difference is sent over UDP. */
	limit = r.edns ? (r.payload < 512 ? 512 : r.payload) : 512;
	*resplen = reply(&r, XRC_NOERROR, z, ts, resp,
			 limit < udp_max ? limit : udp_max);
	dz_xfr_tsig_state_free(ts);
	*zone = z;
	return true;
}
