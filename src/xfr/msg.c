/* SPDX-License-Identifier: MIT */
/* msg.c -- transfer messages: name compression, requests, OPT. */
#include <string.h>

#include "util/errcode.h"
#include "util/wire.h"
#include "xfr/xfr-internal.h"

#define HDR_LEN 12
#define PTR_MAX 0x3fff

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* FNV-1a over the name's bytes, letters folded. */
static uint32_t name_hash(const uint8_t *s)
{
	uint32_t h = 2166136261u;

	for (;;) {
		uint8_t l = *s;
		h = (h ^ l) * 16777619u;
		if (l == 0) {
			return h;
		}
		for (uint8_t k = 1; k <= l; k++) {
			h = (h ^ lower(s[k])) * 16777619u;
		}
		s += l + 1;
	}
}

void dz_xfr_msg_init(struct xmsg *m, uint8_t *buf, size_t cap,
		     const uint8_t *id, bool rd)
{
	dz_wire_init(&m->w, buf, cap);
	dz_wire_put_bytes(&m->w, id, 2);
	dz_wire_put_u8(&m->w, (uint8_t)(XF2_QR | XF2_AA | (rd ? XF2_RD : 0)));
	dz_wire_put_bytes(&m->w, "\0\0\0\0\0\0\0\0\0", 9);
	m->qd = m->an = m->ns = m->ar = 0;
	if (m->nent != 0) {
		memset(m->tab, 0, sizeof(m->tab));
		m->nent = 0;
	}
}

/* Look s up among the suffixes written; its offset or 0. */
static uint16_t tab_find(const struct xmsg *m, const uint8_t *s, uint32_t h)
{
	for (uint32_t i = h & (XMSG_SLOTS - 1);; i = (i + 1) & (XMSG_SLOTS - 1)) {
		uint16_t e = m->tab[i];
		if (e == 0) {
			return 0;
		}
		if (dz_wire_name_eq(m->w.buf, (size_t)e - 1, s)) {
			return e;
		}
	}
}

static void tab_add(struct xmsg *m, uint32_t h, size_t off)
{
	uint32_t i = h & (XMSG_SLOTS - 1);

	/* Keep a quarter free so that probes end quickly. */
	if (off > PTR_MAX || m->nent >= XMSG_SLOTS / 4 * 3) {
		return;
	}
	while (m->tab[i] != 0) {
		i = (i + 1) & (XMSG_SLOTS - 1);
	}
	m->tab[i] = (uint16_t)(off + 1);
	m->nent++;
}

void dz_xfr_msg_name(struct xmsg *m, const uint8_t *name)
{
	struct dz_wire *w = &m->w;

	for (const uint8_t *p = name; *p != 0; p += *p + 1) {
		uint32_t h = name_hash(p);
		uint16_t e = tab_find(m, p, h);
		if (e != 0) {
			dz_wire_put_u16(w, (uint16_t)(0xc000 | (e - 1)));
			return;
		}
		if (!w->err) {
			tab_add(m, h, w->pos);
		}
		dz_wire_put_bytes(w, p, (size_t)*p + 1);
	}
	dz_wire_put_u8(w, 0);
}

void dz_xfr_msg_question(struct xmsg *m, const uint8_t *qname,
			 uint16_t qtype, uint16_t qclass)
{
	dz_xfr_msg_name(m, qname);
	dz_wire_put_u16(&m->w, qtype);
	dz_wire_put_u16(&m->w, qclass);
	m->qd++;
}

bool dz_xfr_msg_fits(const struct xmsg *m, const uint8_t *owner,
		     uint16_t rdlen, size_t reserve)
{
	size_t need = dz_dname_len(owner) + 10 + rdlen + reserve;

	return !m->w.err && m->w.cap - m->w.pos >= need;
}

/* Offset of the first compressible name in rdata of type, or -1. */
static int name_at(uint16_t type)
{
	switch (type) {
	case XT_NS:
	case XT_CNAME:
	case XT_PTR:
	case XT_SOA:
		return 0;
	case XT_MX:
		return 2;
	default:
		return -1;
	}
}

static void put_rdata(struct xmsg *m, uint16_t type, const uint8_t *rd,
		      uint16_t rdlen)
{
	struct dz_wire *w = &m->w;
	const uint8_t *end = rd + rdlen;
	int at = name_at(type);
	size_t lenpos = w->pos, start, a, b = 0;

	dz_wire_put_u16(w, rdlen);
	start = w->pos;
	if (at < 0 || (size_t)at >= rdlen ||
	    (a = dz_dname_check(rd + at, end)) == 0 ||
	    (type == XT_SOA && (b = dz_dname_check(rd + a, end)) == 0)) {
		dz_wire_put_bytes(w, rd, rdlen);
		return;
	}
	dz_wire_put_bytes(w, rd, (size_t)at);
	dz_xfr_msg_name(m, rd + at);
	if (type == XT_SOA) {
		dz_xfr_msg_name(m, rd + a);
	}
	dz_wire_put_bytes(w, rd + at + a + b, rdlen - (size_t)at - a - b);
	if (!w->err) {
		dz_wire_set_u16(w->buf + lenpos, (uint16_t)(w->pos - start));
	}
}

void dz_xfr_msg_rr(struct xmsg *m, const uint8_t *owner, uint16_t type,
		   uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	dz_xfr_msg_name(m, owner);
	dz_wire_put_u16(&m->w, type);
	dz_wire_put_u16(&m->w, XC_IN);
	dz_wire_put_u32(&m->w, ttl);
	put_rdata(m, type, rdata, rdlen);
	m->an++;
}

void dz_xfr_msg_opt(struct xmsg *m)
{
	dz_wire_put_u8(&m->w, 0);
	dz_wire_put_u16(&m->w, XT_OPT);
	dz_wire_put_u16(&m->w, 1232);
	dz_wire_put_u32(&m->w, 0);
	dz_wire_put_u16(&m->w, 0);
	m->ar++;
}

size_t dz_xfr_msg_finish(struct xmsg *m, int rcode)
{
	uint8_t *h = m->w.buf;

	if (m->w.err) {
		return 0;
	}
	h[3] = (uint8_t)(rcode & 0x0f);
	dz_wire_set_u16(h + 4, m->qd);
	dz_wire_set_u16(h + 6, m->an);
	dz_wire_set_u16(h + 8, m->ns);
	dz_wire_set_u16(h + 10, m->ar);
	return m->w.pos;
}

/* ---- Requests -------------------------------------------------------- */

bool dz_xfr_skip_name(const uint8_t *m, size_t len, size_t *pos)
{
	size_t p = *pos, total = 0;

	while (p < len) {
		uint8_t l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 2 > len) {
				return false;
			}
			*pos = p + 2;
			return true;
		}
		if (l & 0xc0) {
			return false;
		}
		total += (size_t)l + 1;
		if (total > DZ_DNAME_MAX || p + 1 + l > len) {
			return false;
		}
		p += (size_t)l + 1;
		if (l == 0) {
			*pos = p;
			return true;
		}
	}
	return false;
}

/* One RR of the answer, authority or additional section. */
static int parse_rr(struct xreq *r, size_t *pos, int section, bool last)
{
	const uint8_t *m = r->msg;
	size_t start = *pos, p = *pos;
	uint16_t type, rdlen;

	if (!dz_xfr_skip_name(m, r->len, &p) || p + 10 > r->len) {
		return DZ_EFORMERR;
	}
	type = dz_wire_get_u16(m + p);
	rdlen = dz_wire_get_u16(m + p + 8);
	if (p + 10 + rdlen > r->len) {
		return DZ_EFORMERR;
	}
	if (section == 2 && type == XT_SOA && rdlen >= 22 && !r->has_soa) {
		r->has_soa = true;
		r->soa_serial = dz_wire_get_u32(m + p + 10 + rdlen - 20);
	}
	if (section == 3 && type == XT_OPT) {
		r->edns = true;
		r->payload = dz_wire_get_u16(m + p + 2);
	}
	if (type == XT_TSIG) {
		if (section != 3 || !last) {
			return DZ_EFORMERR;
		}
		r->tsig = true;
		r->tsig_off = start;
	}
	*pos = p + 10 + rdlen;
	return 0;
}

int dz_xfr_req_parse(struct xreq *r, const uint8_t *msg, size_t len)
{
	size_t pos = HDR_LEN, n;
	uint16_t cnt[3];

	memset(r, 0, sizeof(*r));
	r->msg = msg;
	r->len = len;
	if (len < HDR_LEN || dz_wire_get_u16(msg + 4) != 1) {
		return DZ_EFORMERR;
	}
	r->rd = (msg[2] & XF2_RD) != 0;
	n = dz_dname_check(msg + pos, msg + len);
	if (n == 0 || pos + n + 4 > len) {
		return DZ_EFORMERR;
	}
	memcpy(r->qname, msg + pos, n);
	dz_dname_tolower(r->qname);
	r->qname_len = n;
	pos += n;
	r->qtype = dz_wire_get_u16(msg + pos);
	r->qclass = dz_wire_get_u16(msg + pos + 2);
	pos += 4;
	r->qend = pos;
	for (int s = 0; s < 3; s++) {
		cnt[s] = dz_wire_get_u16(msg + 6 + 2 * s);
	}
	for (int s = 0; s < 3; s++) {
		for (unsigned i = 0; i < cnt[s]; i++) {
			bool last = s == 2 && i + 1 == cnt[s];
			if (parse_rr(r, &pos, s + 1, last) != 0) {
				return DZ_EFORMERR;
			}
		}
	}
	return pos == len ? 0 : DZ_EFORMERR;
}

const uint8_t *dz_xfr_rr_decode(const uint8_t *p, struct xrr *rr)
{
	size_t n = dz_dname_len(p);

	rr->owner = p;
	p += n;
	rr->type = dz_wire_get_u16(p);
	rr->ttl = dz_wire_get_u32(p + 2);
	rr->rdlen = dz_wire_get_u16(p + 6);
	rr->rdata = p + 8;
	return p + 8 + rr->rdlen;
}
