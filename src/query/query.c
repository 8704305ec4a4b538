/* SPDX-License-Identifier: MIT */
/* query.c -- one DNS query message in, one response out. The hot path. */
#include <stdlib.h>
#include <string.h>

#include "plugin/plugin.h"
#include "query/query.h"
#include "util/dname.h"
#include "util/wire.h"
#include "zone/zone-internal.h"

/*
 * The rules, in the order they are applied (RFC 1034 4.3.2, 1035, 2181,
 * 2308, 6891, 8482):
 *  - shorter than a header, or QR set: dropped (no answer at all);
 *  - opcode other than QUERY: NOTIMP, question echoed if it parses;
 *  - QDCOUNT != 1 or a malformed question: FORMERR, header only;
 *  - answer/authority/additional RRs must parse, one OPT at most, in the
 *    additional section, with the root owner; nothing may trail: FORMERR;
 *    a TSIG RR: NOTAUTH (we have no keys);
 *  - EDNS version > 0: BADVERS;
 *  - class CH: TXT (or ANY) for id.server and hostname.bind (identity),
 *    version.bind and version.server (version) when configured (RFC
 *    4892), else REFUSED;
 *  - class other than IN: REFUSED; type OPT: FORMERR; AXFR/IXFR: FORMERR
 *    over UDP, REFUSED over TCP; MAILA/MAILB: NOTIMP (the daemon gives
 *    transfers over TCP to xfr/ first, dz_xfr_start(), and an IXFR over
 *    UDP that has an SOA in its authority section, dz_xfr_udp());
 *  - no zone of ours at or above the name: REFUSED; DS at a zone's apex
 *    goes to the parent zone when it is ours too;
 *  - a zone cut at or above the name (NS below the apex; DS at the cut
 *    itself excepted): a referral, AA clear, the cut's NS RRset in the
 *    authority section, A/AAAA of its name servers that we have;
 *  - the name is a node with the type: the RRset (+ additional A/AAAA
 *    of the names it points to); with a CNAME instead (qtype not CNAME):
 *    the CNAME, then the same steps for its target while that is in the
 *    zone, new, and at most CHAIN_MAX more; a node without either:
 *    NODATA; no node: the wildcard at the closest encloser answers with
 *    the name as owner (RFC 4592), else NXDOMAIN; negative answers carry
 *    the SOA with TTL neg_ttl; the rcode is the last name's (RFC 6604).
 * Every response with an OPT RR carries our NSID when the query asked for
 * it and one is configured (RFC 5001).
 * Nothing is allocated: all state is in the per-worker context.
 */

enum {
	RC_NOERROR = 0,
	RC_FORMERR = 1,
	RC_NXDOMAIN = 3,
	RC_NOTIMP = 4,
	RC_REFUSED = 5,
	RC_NOTAUTH = 9,
	RC_BADVERS = 16, /* extended: ext-rcode 1, header 0 */
};

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_TXT = 16,
	T_AAAA = 28,
	T_DS = 43,
	T_OPT = 41,
	T_TSIG = 250,
	T_IXFR = 251,
	T_AXFR = 252,
	T_MAILB = 253,
	T_MAILA = 254,
	T_ANY = 255,
	C_IN = 1,
	C_CH = 3,
	O_NSID = 3,      /* EDNS option code (RFC 5001) */
};

#define HDR_LEN 12
#define OPT_LEN 11       /* root, type, class, ttl, rdlength */
#define CMP_MAX 256      /* label offsets kept for compression */
#define SEEN_MAX 256     /* nodes already in the additional section */
#define PTR_MAX 0x3fff   /* largest offset a pointer can hold */
#define CHAIN_MAX 16     /* CNAMEs followed after the first */
#define POOL_MAX 2048    /* lower-case copies of rdata names written */

/* Header flag bits, byte 2 and byte 3. */
#define F2_QR 0x80
#define F2_OPCODE 0x78
#define F2_AA 0x04
#define F2_TC 0x02
#define F2_RD 0x01

/*
 * A query of a UDP batch, prepared before the batch is answered
 * (dz_query_prepare): its question parsed, its zone and node found, the
 * memory the answer reads loaded ahead.
 */
struct prep {
	const uint8_t *req;          /* the query; NULL: nothing prepared */
	size_t reqlen;
	const struct dz_snapshot *snap;
	size_t qlen;                 /* the name's length; 0: FORMERR */
	const struct dz_zone *zone;  /* the name's zone, or NULL */
	const struct dz_slot *slot;  /* the name's first index probe */
	const struct dz_node *node;  /* the name's node, or NULL */
	unsigned at;                 /* the zone origin's suffix index */
	bool found;                  /* node is the lookup's answer */
	struct dz_lname qn;
};

struct dz_query_ctx {
	uint16_t edns_size;
	uint32_t rotate;       /* advances once per answer that rotated */
	uint32_t nq;           /* queries seen: one in DZ_QUERY_SAMPLE timed */
	struct dz_query_ident ident;

	/* Per query, reset by dz_query_answer(). */
	const uint8_t *req;
	size_t reqlen;
	struct dz_wire w;
	const struct dz_snapshot *snap;
	const struct dz_zone *zone;
	unsigned flags;        /* DZ_QUERY_* */
	size_t qend;           /* request offset after the question */
	uint16_t qtype, qclass;
	const struct dz_lname *qn; /* the question's name, lower case:
				    * own, or a prepared one */
	const struct dz_node *qnode; /* its node when prepared, or NULL */
	bool qnode_ok;         /* qnode is the lookup's answer in zone */
	size_t qname_len;
	uint16_t zone_ptr;     /* where the zone's origin is in the question,
				* as a compression target; 0: not there */
	bool edns, do_bit, tsig, rotated, wild;
	bool nsid;             /* NSID asked for and configured */
	uint64_t start_ns;
	int rcode;             /* of the last answer, -1 when dropped */
	size_t rlen;           /* its length */
	uint8_t edns_version;
	uint16_t edns_payload;
	uint16_t an, ns, ar;
	uint8_t flags2;        /* header byte 2 of the response */
	size_t ncmp;
	bool cmp_ready;        /* the question's labels are in cmp[] */
	uint16_t cmp[CMP_MAX]; /* response offsets of labels written */
	uint8_t cmp_len[CMP_MAX]; /* length of the name from there on */
	const uint8_t *cmp_src[CMP_MAX]; /* that name in lower case, or NULL */
	size_t npool;
	uint8_t pool[POOL_MAX + 8]; /* for cmp_src; + room for word writes */
	size_t nseen;
	const struct dz_node *seen[SEEN_MAX];
	struct dz_lname tn;    /* scratch: an additional section target */
	struct dz_lname cn;    /* scratch: a CNAME target being followed */
	uint8_t wname[DZ_DNAME_MAX + 2]; /* scratch: "*." + closest encloser */
	uint8_t chain[CHAIN_MAX][DZ_DNAME_MAX]; /* CNAME targets followed */
	uint8_t chain_len[CHAIN_MAX];
	struct dz_lname own;   /* the question's name when not prepared */
	struct prep prep[DZ_QUERY_BATCH];
};

struct dz_query_ident dz_query_ident;

struct dz_query_ctx *dz_query_ctx_new(uint16_t edns_size)
{
	struct dz_query_ctx *q = calloc(1, sizeof(*q));

	if (q != NULL) {
		q->edns_size = edns_size < 512 ? 512 : edns_size;
		dz_query_ctx_set_ident(q, &dz_query_ident);
	}
	return q;
}

void dz_query_ctx_set_ident(struct dz_query_ctx *q,
			    const struct dz_query_ident *id)
{
	q->ident = *id;
	if (q->ident.nsid_len > DZ_NSID_MAX) {
		q->ident.nsid_len = DZ_NSID_MAX;
	}
	if (q->ident.identity_len > DZ_IDENT_MAX) {
		q->ident.identity_len = DZ_IDENT_MAX;
	}
	if (q->ident.version_len > DZ_IDENT_MAX) {
		q->ident.version_len = DZ_IDENT_MAX;
	}
}

void dz_query_ctx_free(struct dz_query_ctx *q)
{
	free(q);
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* ---- Request parsing ------------------------------------------------- */

/* Skip a name that may end in a pointer (not in the question). */
static bool skip_name(const uint8_t *m, size_t len, size_t *pos)
{
	size_t p = *pos, total = 0;

	for (;;) {
		if (p >= len) {
			return false;
		}
		uint8_t l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 2 > len) {
				return false;
			}
			*pos = p + 2;
			return true;
		}
		if (l > DZ_LABEL_MAX) {
			return false;
		}
		total += (size_t)l + 1;
		if (total > DZ_DNAME_MAX || len - p < (size_t)l + 1) {
			return false;
		}
		p += (size_t)l + 1;
		if (l == 0) {
			*pos = p;
			return true;
		}
	}
}

/* OPT RR: owner at 'owner', fixed fields at f, rdata at rd. */
static bool parse_opt(struct dz_query_ctx *q, size_t owner, const uint8_t *f,
		      const uint8_t *rd, uint16_t rdlen)
{
	if (q->edns || q->req[owner] != 0) {
		return false; /* second OPT, or owner not the root */
	}
	for (size_t i = 0; i < rdlen;) {
		if (rdlen - i < 4) {
			return false;
		}
		size_t olen = dz_wire_get_u16(rd + i + 2);
		if (rdlen - i - 4 < olen) {
			return false;
		}
		if (dz_wire_get_u16(rd + i) == O_NSID) {
			q->nsid = q->ident.nsid_len > 0;
		}
		i += 4 + olen;
	}
	q->edns = true;
	q->edns_payload = dz_wire_get_u16(f + 2);
	q->edns_version = f[5];
	q->do_bit = (f[6] & 0x80) != 0;
	return true;
}

/* One RR of section 0 (answer), 1 (authority) or 2 (additional). */
static bool parse_rr(struct dz_query_ctx *q, size_t *pos, int section)
{
	size_t owner = *pos, p = *pos;

	if (!skip_name(q->req, q->reqlen, &p) || q->reqlen - p < 10) {
		return false;
	}
	const uint8_t *f = q->req + p;
	uint16_t type = dz_wire_get_u16(f);
	uint16_t rdlen = dz_wire_get_u16(f + 8);
	if (q->reqlen - p - 10 < rdlen) {
		return false;
	}
	if (type == T_OPT &&
	    (section != 2 || !parse_opt(q, owner, f, f + 10, rdlen))) {
		return false;
	}
	if (type == T_TSIG) {
		q->tsig = true;
	}
	*pos = p + 10 + rdlen;
	return true;
}

/* Everything after the question; false means FORMERR. */
static bool parse_rest(struct dz_query_ctx *q)
{
	size_t pos = q->qend;
	uint16_t counts[3] = {
		dz_wire_get_u16(q->req + 6),
		dz_wire_get_u16(q->req + 8),
		dz_wire_get_u16(q->req + 10),
	};

	if ((counts[0] | counts[1] | counts[2]) == 0) {
		return pos == q->reqlen; /* most queries: no EDNS */
	}
	for (int s = 0; s < 3; s++) {
		for (uint16_t i = 0; i < counts[s]; i++) {
			if (!parse_rr(q, &pos, s)) {
				return false;
			}
		}
	}
	return pos == q->reqlen;
}

/*
 * The question's name, parsed into ln in one pass (checked, lower-cased,
 * every suffix hashed); its length, or 0 when the question is not one
 * uncompressed name, type and class (or QDCOUNT is not 1).
 */
static size_t question_name(struct dz_lname *ln, const uint8_t *req,
			    size_t reqlen)
{
	size_t n;

	if (dz_wire_get_u16(req + 4) != 1) {
		return 0;
	}
	n = dz_lname_parse(ln, req + HDR_LEN, req + reqlen);
	if (n == 0 || reqlen - HDR_LEN - n < 4) {
		return 0;
	}
	return n;
}

/* The question, its name of length n parsed (0: malformed). */
static bool parse_question(struct dz_query_ctx *q, size_t n)
{
	if (n == 0) {
		return false;
	}
	q->qname_len = n;
	q->qtype = dz_wire_get_u16(q->req + HDR_LEN + n);
	q->qclass = dz_wire_get_u16(q->req + HDR_LEN + n + 2);
	q->qend = HDR_LEN + n + 4;
	return true;
}

/* ---- Response writing ------------------------------------------------ */

/*
 * Among the first n entries (those of names written completely), the
 * first whose name is s (lower-cased: ls, or NULL) of length slen. Both
 * lower-case: compared a word at a time; else octet by octet.
 */
static bool cmp_find(const struct dz_query_ctx *q, size_t n,
		     const uint8_t *s, const uint8_t *ls, size_t slen,
		     uint16_t *off)
{
	for (size_t i = 0; i < n; i++) {
		if (q->cmp_len[i] != slen) {
			continue;
		}
		if (ls != NULL && q->cmp_src[i] != NULL ?
		    dz_bytes_eq(q->cmp_src[i], ls, slen) :
		    q->w.buf[q->cmp[i]] == s[0] &&
		    dz_wire_name_eq(q->w.buf, q->cmp[i], s)) {
			*off = q->cmp[i];
			return true;
		}
	}
	return false;
}

/* A compression target at the current position: a name of len left. */
static inline void cmp_add(struct dz_query_ctx *q, size_t len,
			   const uint8_t *ls)
{
	if (!q->w.err && q->w.pos <= PTR_MAX && q->ncmp < CMP_MAX) {
		q->cmp_len[q->ncmp] = (uint8_t)len;
		q->cmp_src[q->ncmp] = ls;
		q->cmp[q->ncmp++] = (uint16_t)q->w.pos;
	}
}

/* A lower-case copy of a valid name in the pool; NULL when it is full. */
static const uint8_t *pool_lower(struct dz_query_ctx *q, const uint8_t *name,
				 size_t len)
{
	uint8_t *d = q->pool + q->npool;

	if (POOL_MAX - q->npool < len) {
		return NULL;
	}
	memcpy(d, name, len);
	dz_lower_name8(d, len);
	q->npool += len;
	return d;
}

/*
 * The question's labels are the first compression targets; entered when
 * a name first needs the search (most answers' names are pointers to the
 * question or its zone, without one). No other target is in yet.
 */
static void cmp_question(struct dz_query_ctx *q)
{
	const struct dz_lname *qn = q->qn;

	for (unsigned i = 0; i < qn->labels; i++) {
		q->cmp[i] = (uint16_t)(HDR_LEN + qn->off[i]);
		q->cmp_len[i] = (uint8_t)(qn->len - qn->off[i]);
		q->cmp_src[i] = qn->name + qn->off[i];
	}
	q->ncmp = qn->labels;
	q->cmp_ready = true;
}

/*
 * Write a name, compressed against the suffixes already written (and
 * its own labels become targets for later names). lname is the name in
 * lower case (the name itself when it is), NULL to make one. The
 * question's name and its zone's origin need no search: the question's
 * labels are the first targets, so the search would find them first.
 */
static void put_name(struct dz_query_ctx *q, const uint8_t *name,
		     const uint8_t *lname)
{
	struct dz_wire *w = &q->w;
	size_t base = q->ncmp; /* not the labels of this name: unfinished */
	size_t len;
	uint16_t off;

	if (name == q->qn->name && q->qn->labels > 0) {
		dz_wire_put_u16(w, 0xc000 | HDR_LEN);
		return;
	}
	if (q->zone_ptr != 0 && name == q->zone->origin) {
		dz_wire_put_u16(w, (uint16_t)(0xc000 | q->zone_ptr));
		return;
	}
	if (!q->cmp_ready) {
		cmp_question(q);
		base = q->ncmp;
	}
	len = dz_dname_len(name);
	if (lname == NULL) {
		lname = pool_lower(q, name, len);
	}
	for (const uint8_t *p = name; *p != 0; p += *p + 1) {
		const uint8_t *lp = lname ? lname + (p - name) : NULL;
		if (cmp_find(q, base, p, lp, len, &off)) {
			dz_wire_put_u16(w, (uint16_t)(0xc000 | off));
			return;
		}
		cmp_add(q, len, lp);
		dz_wire_put_bytes(w, p, (size_t)*p + 1);
		len -= (size_t)*p + 1;
	}
	dz_wire_put_u8(w, 0);
}

/* Rdata with its names compressed where the type allows it. */
static void put_rdata(struct dz_query_ctx *q, const struct dz_rrset *rs,
		      const uint8_t *rr)
{
	struct dz_wire *w = &q->w;
	uint16_t rdlen = dz_wire_get_u16(rr);
	const uint8_t *rd = rr + 2, *end = rd + rdlen;
	const uint32_t cn = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS;
	size_t lenpos = w->pos, start, a = 0, b = 0;

	dz_wire_put_u16(w, rdlen);
	start = w->pos;
	if (rs->flags & DZ_RRSET_F_SOA) {
		a = dz_dname_check(rd, end);
		b = a ? dz_dname_check(rd + a, end) : 0;
	}
	if (b != 0) {
		put_name(q, rd, NULL);
		put_name(q, rd + a, NULL);
		dz_wire_put_bytes(w, rd + a + b, rdlen - a - b);
	} else if ((rs->flags & cn) == cn && rs->name_offset < rdlen &&
		   (a = dz_dname_check(rd + rs->name_offset, end)) != 0) {
		dz_wire_put_bytes(w, rd, rs->name_offset);
		put_name(q, rd + rs->name_offset, NULL);
		b = rs->name_offset + a;
		dz_wire_put_bytes(w, rd + b, rdlen - b);
	} else {
		dz_wire_put_bytes(w, rd, rdlen);
	}
	if (!w->err) {
		dz_wire_set_u16(w->buf + lenpos, (uint16_t)(w->pos - start));
	}
}

/* Rdata without names to compress: stored as it goes out, rdlength first. */
static inline bool plain_rdata(const struct dz_rrset *rs)
{
	const uint32_t cn = DZ_KIND_F_NAME | DZ_KIND_F_COMPRESS;

	return !(rs->flags & DZ_RRSET_F_SOA) && (rs->flags & cn) != cn;
}

static void put_rr(struct dz_query_ctx *q, const uint8_t *owner,
		   const struct dz_rrset *rs, uint32_t ttl, const uint8_t *rr)
{
	struct dz_wire *w = &q->w;
	size_t n = (size_t)dz_wire_get_u16(rr) + 2;
	uint8_t *p;

	if (owner == q->qn->name && q->qn->labels > 0) {
		/* the usual owner, the question's name: no search */
		if (!dz_wire_reserve(w, 10 + (plain_rdata(rs) ? n : 0))) {
			return;
		}
		dz_wire_set_u16(w->buf + w->pos, 0xc000 | HDR_LEN);
		w->pos += 2;
	} else {
		put_name(q, owner, owner); /* owners are lower case */
		if (!dz_wire_reserve(w, 8 + (plain_rdata(rs) ? n : 0))) {
			return;
		}
	}
	p = w->buf + w->pos;
	dz_wire_set_u16(p, rs->type);
	dz_wire_set_u16(p + 2, C_IN);
	dz_wire_set_u16(p + 4, (uint16_t)(ttl >> 16));
	dz_wire_set_u16(p + 6, (uint16_t)ttl);
	if (plain_rdata(rs)) {
		memcpy(p + 8, rr, n);
		w->pos += 8 + n;
		return;
	}
	w->pos += 8;
	put_rdata(q, rs, rr);
}

/*
 * Write the RRset in stored order; each run of RRs that compare equal
 * (group[]) starts at the rotation counter. Adds the RRs to *count.
 */
static void put_rrset(struct dz_query_ctx *q, const uint8_t *owner,
		      const struct dz_rrset *rs, uint32_t ttl, uint16_t *count)
{
	for (size_t i = 0; i < rs->count;) {
		size_t g = (rs->group != NULL && rs->group[i] > 1) ?
			   rs->group[i] : 1;
		size_t rot = 0;
		if (g > 1) {
			rot = q->rotate % g;
			q->rotated = true;
		}
		for (size_t k = 0; k < g; k++) {
			put_rr(q, owner, rs, ttl, rs->rr[i + (k + rot) % g]);
		}
		i += g;
	}
	*count = (uint16_t)(*count + rs->count);
}

/* After the answer or authority section: on overflow, keep no RR. */
static bool section_fits(struct dz_query_ctx *q)
{
	if (!q->w.err) {
		return true;
	}
	q->w.err = false;
	q->w.pos = q->qend;
	q->an = q->ns = q->ar = 0;
	q->flags2 |= F2_TC;
	return false;
}

/* An additional RRset, left out whole when it does not fit. */
static void put_additional(struct dz_query_ctx *q, const uint8_t *owner,
			   const struct dz_rrset *rs)
{
	size_t pos = q->w.pos, ncmp = q->ncmp;
	bool ready = q->cmp_ready;
	uint16_t ar = q->ar;

	put_rrset(q, owner, rs, rs->ttl, &q->ar);
	if (q->w.err) {
		q->w.err = false;
		q->w.pos = pos;
		q->ncmp = ncmp;
		q->cmp_ready = ready;
		q->ar = ar;
	}
}

static bool seen(struct dz_query_ctx *q, const struct dz_node *n)
{
	for (size_t i = 0; i < q->nseen; i++) {
		if (q->seen[i] == n) {
			return true;
		}
	}
	if (q->nseen == SEEN_MAX) {
		return true; /* full: add nothing more */
	}
	q->seen[q->nseen++] = n;
	return false;
}

/* The node of RR i's target name in any zone of ours, or NULL. */
static const struct dz_node *target_node(struct dz_query_ctx *q,
					 const struct dz_rrset *rs, size_t i)
{
	struct dz_lname *t = &q->tn;
	const uint8_t *rd = rs->rr[i] + 2;
	uint16_t rdlen = dz_wire_get_u16(rs->rr[i]);
	const struct dz_zone *z;
	unsigned at;

	if (rs->name_offset >= rdlen ||
	    dz_lname_parse(t, rd + rs->name_offset, rd + rdlen) == 0) {
		return NULL;
	}
	z = dz_snapshot_find_zone_ln(q->snap, t, &at);
	return z ? dz_zone_find(z, t->name, t->len, t->hash[0]) : NULL;
}

/*
 * A and AAAA of the names rs points to, when they are nodes of ours.
 * rs is q->zone's: its links (zone-internal.h) name the target's node
 * there without a lookup, unless another zone of ours is nested in or
 * above it and might hold the name instead.
 */
static void additional(struct dz_query_ctx *q, const struct dz_rrset *rs)
{
	const struct dz_zone *z = q->zone;
	bool linked = (rs->flags & DZ_RRSET_F_LINKS) &&
		      (z->flags & DZ_ZONE_F_LINKS) &&
		      !dz_snapshot_nested(q->snap);

	for (uint16_t i = 0; i < rs->count; i++) {
		uint32_t l = linked ? dz_rrset_link(rs, i) : DZ_LINK_UNKNOWN;
		const struct dz_node *node;
		if (l >= DZ_LINK_NODE) {
			node = dz_zone_node_at(z, l - DZ_LINK_NODE);
		} else if (l == DZ_LINK_NONE) {
			continue;
		} else {
			node = target_node(q, rs, i);
		}
		if (node == NULL || seen(q, node)) {
			continue;
		}
		const struct dz_rrset *a = dz_node_rrset(node, T_A);
		const struct dz_rrset *aaaa = dz_node_rrset(node, T_AAAA);
		if (a != NULL) {
			put_additional(q, node->name, a);
		}
		if (aaaa != NULL) {
			put_additional(q, node->name, aaaa);
		}
	}
}

/* ---- Lookup: one function per step ---------------------------------- */

/* NXDOMAIN or NODATA: the zone's SOA in the authority section. */
static int negative(struct dz_query_ctx *q, int rcode)
{
	const struct dz_zone *z = q->zone;

	put_rrset(q, z->origin, z->soa, z->neg_ttl, &q->ns);
	section_fits(q);
	return rcode;
}

/*
 * A zone cut (RFC 1034 4.3.2 step 3b): its NS RRset in the authority
 * section, the addresses of the name servers we have in the additional
 * one. AA is cleared unless a CNAME from our data led here.
 */
static int referral(struct dz_query_ctx *q, const struct dz_node *cut)
{
	const struct dz_rrset *ns = dz_node_rrset(cut, T_NS);

	if (q->an == 0) {
		q->flags2 &= (uint8_t)~F2_AA;
	}
	put_rrset(q, cut->name, ns, ns->ttl, &q->ns);
	if (section_fits(q)) {
		additional(q, ns);
	}
	return RC_NOERROR;
}

/*
 * The node exists (data, empty non-terminal or the wildcard that stands
 * for owner). *cname is set when its CNAME was answered instead of qtype
 * and should be followed.
 */
static int answer_node(struct dz_query_ctx *q, const struct dz_node *n,
		       const uint8_t *owner, const struct dz_rrset **cname)
{
	const struct dz_rrset *rs;

	*cname = NULL;
	if (q->qtype == T_ANY) { /* RFC 8482: one RRset is enough */
		rs = dz_node_rrset(n, T_CNAME);
		if (rs == NULL && n->nrrsets > 0) {
			rs = &n->rrsets[0];
		}
	} else {
		rs = dz_node_rrset(n, q->qtype);
		if (rs == NULL && q->qtype != T_CNAME) {
			rs = *cname = dz_node_rrset(n, T_CNAME);
		}
	}
	if (rs == NULL) {
		return negative(q, RC_NOERROR);
	}
	put_rrset(q, owner, rs, rs->ttl, &q->an);
	if (!section_fits(q)) {
		*cname = NULL;
		return RC_NOERROR;
	}
	if (*cname == NULL && (rs->flags & DZ_KIND_F_ADDITIONAL)) {
		additional(q, rs);
	}
	return RC_NOERROR;
}

/* The label index in ln of z's origin (z holds the name). */
static inline unsigned zone_at(const struct dz_zone *z,
			       const struct dz_lname *ln)
{
	return (unsigned)ln->labels - z->origin_labels;
}

/* The node of ln's suffix i (at or below z's origin), or NULL. */
static inline const struct dz_node *suffix_node(const struct dz_zone *z,
						const struct dz_lname *ln,
						unsigned i)
{
	return dz_zone_find(z, ln->name + ln->off[i], ln->len - ln->off[i],
			    ln->hash[i]);
}

/*
 * The deepest node above a name that is not one (the apex at worst);
 * *at gets its suffix index.
 */
static const struct dz_node *encloser(const struct dz_zone *z,
				      const struct dz_lname *ln,
				      unsigned *at)
{
	unsigned top = zone_at(z, ln);

	for (unsigned i = 1; i < top; i++) {
		const struct dz_node *n = suffix_node(z, ln, i);
		if (n != NULL) {
			*at = i;
			return n;
		}
	}
	*at = top;
	return z->apex;
}

/* The highest zone cut at or above n, suffix i of ln: a cut or below one. */
static const struct dz_node *top_cut(const struct dz_zone *z,
				     const struct dz_lname *ln, unsigned i,
				     const struct dz_node *n)
{
	const struct dz_node *cut = NULL;
	unsigned top = zone_at(z, ln);

	while (n != NULL && i < top) {
		if (n->flags & DZ_NODE_F_DELEG) {
			cut = n;
		}
		n = suffix_node(z, ln, ++i);
	}
	return cut;
}

struct found {
	const struct dz_node *node; /* exact or wildcard; NULL: NXDOMAIN */
	const struct dz_node *cut;  /* a referral to this cut */
};

/*
 * RFC 1034 4.3.2 step 3 for one name: the exact node, else a zone cut
 * above it, else the wildcard at the closest encloser (RFC 4592 3.3.1).
 * Nodes at and below cuts are marked, so the usual answer costs one
 * lookup; the walks run only for names that are not nodes or are cut off.
 */
static void find(struct dz_query_ctx *q, const struct dz_lname *ln,
		 struct found *f)
{
	const struct dz_zone *z = q->zone;
	const struct dz_node *n = ln == q->qn && q->qnode_ok ? q->qnode :
				  suffix_node(z, ln, 0);
	unsigned at = 0;

	f->node = n;
	f->cut = NULL;
	if (n == NULL) {
		n = encloser(z, ln, &at);
	}
	if (n->flags & (DZ_NODE_F_DELEG | DZ_NODE_F_OCCLUDED)) {
		f->cut = top_cut(z, ln, at, n);
		/* DS at the cut belongs to the parent side: us */
		if (f->cut == f->node && q->qtype == T_DS) {
			f->cut = NULL;
		}
		return;
	}
	if (f->node == NULL && (n->flags & DZ_NODE_F_WILD_PARENT)) {
		q->wname[0] = 1;
		q->wname[1] = '*';
		memcpy(q->wname + 2, n->name, n->name_len);
		f->node = dz_zone_find(z, q->wname, (size_t)n->name_len + 2,
				       dz_label_hash(ln->hash[at], q->wname));
		q->wild = f->node != NULL;
		/* "*" with NS (RFC 4592 4.2, undefined): a referral to it */
		if (f->node != NULL && (f->node->flags & DZ_NODE_F_DELEG)) {
			f->cut = f->node;
		}
	}
}

/*
 * The next name of a CNAME chain, lower-cased into q->chain[step]; false
 * when the chain ends here: the target is outside the zone, was already
 * answered (a loop), or the chain is CHAIN_MAX long.
 */
static bool next_target(struct dz_query_ctx *q, const struct dz_rrset *rs,
			unsigned step, const uint8_t **name)
{
	const uint8_t *rd = rs->rr[0] + 2;
	uint16_t rdlen = dz_wire_get_u16(rs->rr[0]);
	const struct dz_lname *t = &q->cn;
	size_t n;

	if (step >= CHAIN_MAX || rs->name_offset >= rdlen) {
		return false;
	}
	n = dz_lname_parse(&q->cn, rd + rs->name_offset, rd + rdlen);
	if (n == 0) {
		return false;
	}
	if (!dz_dname_is_subdomain(t->name, q->zone->origin) ||
	    (n == q->qname_len && memcmp(t->name, q->qn->name, n) == 0)) {
		return false;
	}
	for (unsigned i = 0; i < step; i++) {
		if (q->chain_len[i] == n &&
		    memcmp(q->chain[i], t->name, n) == 0) {
			return false;
		}
	}
	memcpy(q->chain[step], t->name, n);
	q->chain_len[step] = (uint8_t)n;
	*name = q->chain[step];
	return true;
}

/*
 * Answer the qname from q->zone, following CNAMEs inside the zone
 * (RFC 1034 4.3.2 step 3a; the rcode is that of the last name, RFC 6604).
 */
static int lookup(struct dz_query_ctx *q)
{
	const struct dz_lname *ln = q->qn;
	const uint8_t *name = q->qn->name;
	const struct dz_rrset *cname;
	struct found f;

	for (unsigned step = 0;; step++) {
		find(q, ln, &f);
		if (f.cut != NULL) {
			return referral(q, f.cut);
		}
		if (f.node == NULL) {
			return negative(q, RC_NXDOMAIN);
		}
		int rc = answer_node(q, f.node, name, &cname);
		if (cname == NULL || !next_target(q, cname, step, &name)) {
			return rc;
		}
		ln = &q->cn;
	}
}

/*
 * DS at a zone's apex is the parent's to answer (RFC 4035 3.1.4.1): the
 * parent zone when it is ours too.
 */
static const struct dz_zone *ds_zone(const struct dz_query_ctx *q,
				     const struct dz_zone *z)
{
	const struct dz_zone *p;

	if (q->qtype != T_DS || q->qname_len != z->origin_len ||
	    q->qn->labels == 0) {
		return z;
	}
	p = dz_snapshot_find_zone(q->snap, q->qn->name + q->qn->off[1],
				  q->qname_len - q->qn->off[1]);
	return p != NULL ? p : z;
}

/* ---- Assembly -------------------------------------------------------- */

static size_t finish(struct dz_query_ctx *q, int rcode, bool opt,
		     size_t limit)
{
	struct dz_wire *w = &q->w;
	uint8_t *h = w->buf;

	w->cap = limit;
	if (opt) {
		size_t nsid = q->nsid ? q->ident.nsid_len : 0;
		dz_wire_put_u8(w, 0);
		dz_wire_put_u16(w, T_OPT);
		dz_wire_put_u16(w, q->edns_size);
		dz_wire_put_u8(w, (uint8_t)(rcode >> 4));
		dz_wire_put_u8(w, 0); /* version */
		dz_wire_put_u8(w, q->do_bit ? 0x80 : 0);
		dz_wire_put_u8(w, 0);
		dz_wire_put_u16(w, (uint16_t)(nsid ? 4 + nsid : 0));
		if (nsid > 0) {
			dz_wire_put_u16(w, O_NSID);
			dz_wire_put_u16(w, (uint16_t)nsid);
			dz_wire_put_bytes(w, q->ident.nsid, nsid);
		}
		q->ar++;
	}
	if (w->err) { /* cannot happen: room was reserved */
		return 0;
	}
	h[2] = q->flags2;
	h[3] = (uint8_t)(rcode & 0x0f);
	q->rcode = rcode;
	q->rlen = w->pos;
	dz_wire_set_u16(h + 4, q->qend > HDR_LEN ? 1 : 0);
	dz_wire_set_u16(h + 6, q->an);
	dz_wire_set_u16(h + 8, q->ns);
	dz_wire_set_u16(h + 10, q->ar);
	return w->pos;
}

/* An answer without records: header, the question when given, OPT. */
static size_t reply(struct dz_query_ctx *q, int rcode, bool question,
		    bool opt)
{
	if (question) {
		dz_wire_put_bytes(&q->w, q->req + HDR_LEN, q->qend - HDR_LEN);
	} else {
		q->qend = HDR_LEN;
	}
	return finish(q, rcode, opt, DZ_MSG_MAX);
}

/* Room the OPT RR will take at the end (with the NSID option). */
static size_t opt_room(const struct dz_query_ctx *q)
{
	if (!q->edns) {
		return 0;
	}
	return OPT_LEN + (q->nsid ? 4 + q->ident.nsid_len : 0);
}

static size_t size_limit(const struct dz_query_ctx *q)
{
	size_t n;

	if (q->flags & DZ_QUERY_TCP) {
		return DZ_MSG_MAX;
	}
	if (!q->edns) {
		return 512;
	}
	n = q->edns_payload < 512 ? 512 : q->edns_payload;
	return n < q->edns_size ? n : q->edns_size;
}

/*
 * The question parsed and passed every check: look the name up, with
 * what dz_query_prepare() found when p is not NULL.
 */
static size_t answer(struct dz_query_ctx *q, const struct prep *p)
{
	size_t limit = size_limit(q);
	int rcode;

	const struct dz_zone *z;
	unsigned at = 0;

	if (p != NULL) {
		z = p->zone;
		at = p->at;
	} else {
		z = dz_snapshot_find_zone_ln(q->snap, q->qn, &at);
	}
	if (z == NULL) {
		return reply(q, RC_REFUSED, true, q->edns);
	}
	q->zone = ds_zone(q, z);
	/* the prepared node is the one the lookup would find in z */
	if (p != NULL && p->found && q->zone == z) {
		q->qnode = p->node;
		q->qnode_ok = true;
	}
	q->w.cap = limit - opt_room(q);
	if (q->zone == z && at < q->qn->labels) {
		q->zone_ptr = (uint16_t)(HDR_LEN + q->qn->off[at]);
	}
	dz_wire_put_bytes(&q->w, q->req + HDR_LEN, q->qend - HDR_LEN);
	q->flags2 |= F2_AA;
	rcode = lookup(q);
	if (q->rotated) {
		q->rotate++;
	}
	return finish(q, rcode, q->edns, limit);
}

/* The text a class CH TXT question asks for, or NULL (RFC 4892). */
static const uint8_t *chaos_text(const struct dz_query_ctx *q, size_t *len)
{
	static const struct {
		const char *name; /* wire, lower case */
		size_t len;
		bool version;
	} names[] = {
		{ "\2id\6server", 11, false },
		{ "\10hostname\4bind", 15, false },
		{ "\7version\4bind", 14, true },
		{ "\7version\6server", 16, true },
	};

	if (q->qtype != T_TXT && q->qtype != T_ANY) {
		return NULL;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (q->qname_len != names[i].len ||
		    memcmp(q->qn->name, names[i].name, names[i].len) != 0) {
			continue;
		}
		*len = names[i].version ? q->ident.version_len :
		       q->ident.identity_len;
		return names[i].version ? q->ident.version : q->ident.identity;
	}
	return NULL;
}

/* A class CH question: our identity or version as TXT, else REFUSED. */
static size_t chaos(struct dz_query_ctx *q)
{
	size_t limit = size_limit(q), len = 0;
	const uint8_t *txt = chaos_text(q, &len);

	if (txt == NULL || len == 0) {
		return reply(q, RC_REFUSED, true, q->edns);
	}
	q->w.cap = limit - opt_room(q);
	dz_wire_put_bytes(&q->w, q->req + HDR_LEN, q->qend - HDR_LEN);
	dz_wire_put_u16(&q->w, 0xc000 | HDR_LEN); /* the qname */
	dz_wire_put_u16(&q->w, T_TXT);
	dz_wire_put_u16(&q->w, C_CH);
	dz_wire_put_u32(&q->w, 0);
	dz_wire_put_u16(&q->w, (uint16_t)(len + 1));
	dz_wire_put_u8(&q->w, (uint8_t)len);
	dz_wire_put_bytes(&q->w, txt, len);
	q->an = 1;
	q->flags2 |= F2_AA;
	section_fits(q);
	return finish(q, RC_NOERROR, q->edns, limit);
}

/* Checks on the question's class and type; -1 when all pass. */
static int check_question(const struct dz_query_ctx *q)
{
	if (q->qclass != C_IN) {
		return RC_REFUSED;
	}
	switch (q->qtype) {
	case T_OPT:
		return RC_FORMERR;
	case T_AXFR:
	case T_IXFR:
		/* AXFR over UDP is not defined (RFC 5936 4.2). The daemon,
		 * which has the client's address for --allow-transfer,
		 * replaces this FORMERR for a well-formed IXFR (answer.c). */
		return (q->flags & DZ_QUERY_TCP) ? RC_REFUSED : RC_FORMERR;
	case T_MAILA:
	case T_MAILB:
		return RC_NOTIMP;
	default:
		return -1;
	}
}

static void reset(struct dz_query_ctx *q, const struct dz_snapshot *snap,
		  const uint8_t *req, size_t reqlen, uint8_t *resp,
		  unsigned flags)
{
	q->req = req;
	q->reqlen = reqlen;
	q->snap = snap;
	q->zone = NULL;
	q->flags = flags;
	q->qend = HDR_LEN;
	q->qname_len = 0;
	q->zone_ptr = 0;
	q->qnode = NULL;
	q->qnode_ok = false;
	q->edns = q->do_bit = q->tsig = q->rotated = q->wild = false;
	q->nsid = false;
	/* Sampled: a clock read costs about as much as a small answer. */
	q->start_ns = q->nq++ % DZ_QUERY_SAMPLE == 0 ? dz_query_now_ns() : 0;
	q->rcode = -1;
	q->rlen = 0;
	q->edns_version = 0;
	q->edns_payload = 0;
	q->an = q->ns = q->ar = 0;
	q->ncmp = 0;
	q->cmp_ready = false;
	q->npool = 0;
	q->nseen = 0;
	q->flags2 = F2_QR | (req[2] & (F2_OPCODE | F2_RD));
	dz_wire_init(&q->w, resp, DZ_MSG_MAX);
	dz_wire_put_bytes(&q->w, req, 2); /* ID */
	dz_wire_put_bytes(&q->w, "\0\0\0\0\0\0\0\0\0\0", 10);
}

/* ---- Batches --------------------------------------------------------- */

void dz_query_prepare(struct dz_query_ctx *q, const struct dz_snapshot *snap,
		      unsigned i, const uint8_t *req, size_t reqlen)
{
	struct prep *p;
	const struct dz_zone *z;
	uint32_t k;

	if (i >= DZ_QUERY_BATCH) {
		return; /* answered from scratch */
	}
	p = &q->prep[i];
	p->req = req;
	p->reqlen = reqlen;
	p->snap = snap;
	p->zone = NULL;
	p->found = false;
	p->qlen = 0;
	if (reqlen < HDR_LEN || (req[2] & F2_QR)) {
		p->req = NULL; /* dropped: nothing to prepare */
		return;
	}
	p->qlen = question_name(&p->qn, req, reqlen);
	if (p->qlen == 0) {
		return;
	}
	p->zone = z = dz_snapshot_find_zone_ln(snap, &p->qn, &p->at);
	if (z != NULL) {
		k = p->qn.hash[0] & z->mask;
		p->slot = &z->slots[k >> DZ_SLOT_PAGE_SHIFT]
				   [k & (DZ_SLOT_PAGE - 1)];
		__builtin_prefetch(p->slot);
	}
}

/*
 * The node of each prepared name: every slot's node is loaded, then each
 * name is looked up (its slot and node now at hand) and its RRsets
 * loaded. Three dependent misses per query, overlapped across the batch.
 */
void dz_query_prefetch(struct dz_query_ctx *q, unsigned n)
{
	if (n > DZ_QUERY_BATCH) {
		n = DZ_QUERY_BATCH;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct prep *p = &q->prep[i];
		const struct dz_zone *z = p->zone;
		uint32_t k;

		if (p->req == NULL || z == NULL || p->slot->node == 0 ||
		    p->slot->hash != p->qn.hash[0]) {
			continue;
		}
		k = p->slot->node - 1;
		__builtin_prefetch(&z->nodes[k >> DZ_NODE_PAGE_SHIFT]
					    [k & (DZ_NODE_PAGE - 1)]);
	}
	for (unsigned i = 0; i < n; i++) {
		struct prep *p = &q->prep[i];

		if (p->req == NULL || p->zone == NULL) {
			continue;
		}
		p->node = dz_zone_find(p->zone, p->qn.name, p->qn.len,
				       p->qn.hash[0]);
		p->found = true;
		if (p->node != NULL) {
			__builtin_prefetch(p->node->rrsets);
		}
	}
}

/* The preparation flags name for this query, or NULL. */
static const struct prep *prepared(const struct dz_query_ctx *q,
				   const struct dz_snapshot *snap,
				   const uint8_t *req, size_t reqlen,
				   unsigned flags)
{
	unsigned i = flags >> DZ_QUERY_PREP_SHIFT;
	const struct prep *p;

	if (i == 0 || i > DZ_QUERY_BATCH) {
		return NULL;
	}
	p = &q->prep[i - 1];
	/* a signed query is answered from its unsigned copy: not this */
	if (p->req != req || p->reqlen != reqlen || p->snap != snap) {
		return NULL;
	}
	return p;
}

size_t dz_query_answer(struct dz_query_ctx *q, const struct dz_snapshot *snap,
		       const uint8_t *req, size_t reqlen, uint8_t *resp,
		       unsigned flags)
{
	const struct prep *p;
	bool qok;
	int rc;

	if (reqlen < HDR_LEN || (req[2] & F2_QR)) {
		q->rcode = -1;
		q->rlen = 0;
		q->qname_len = 0;
		q->zone = NULL;
		return 0;
	}
	reset(q, snap, req, reqlen, resp, flags);
	p = prepared(q, snap, req, reqlen, flags);
	if (p != NULL) {
		q->qn = &p->qn;
		qok = parse_question(q, p->qlen);
	} else {
		q->qn = &q->own;
		qok = parse_question(q, question_name(&q->own, req, reqlen));
	}
	if ((req[2] & F2_OPCODE) != 0) {
		return reply(q, RC_NOTIMP, qok, false);
	}
	if (!qok) {
		return reply(q, RC_FORMERR, false, false);
	}
	if (!parse_rest(q)) {
		return reply(q, RC_FORMERR, true, false);
	}
	if (q->tsig) {
		return reply(q, RC_NOTAUTH, true, q->edns);
	}
	if (q->edns && q->edns_version > 0) {
		return reply(q, RC_BADVERS, true, true);
	}
	if (q->qclass == C_CH) {
		return chaos(q);
	}
	rc = check_question(q);
	if (rc >= 0) {
		return reply(q, rc, true, q->edns);
	}
	return answer(q, p);
}

/* The class of the last answer (it was not dropped). */
static enum dz_answer_class answer_class(const struct dz_query_ctx *q)
{
	switch (q->rcode) {
	case RC_NOERROR:
		if (q->an > 0) {
			return DZ_ANS_POSITIVE;
		}
		if (q->zone != NULL && !(q->flags2 & F2_AA)) {
			return DZ_ANS_REFERRAL;
		}
		return DZ_ANS_NODATA;
	case RC_NXDOMAIN:
		return DZ_ANS_NXDOMAIN;
	case RC_REFUSED:
		return DZ_ANS_REFUSED;
	default:
		return DZ_ANS_ERROR;
	}
}

void dz_query_last(const struct dz_query_ctx *q, struct dz_query_info *info)
{
	if (q->rcode < 0) {
		*info = (struct dz_query_info){ .cls = DZ_ANS_DROPPED };
		return;
	}
	/* every field: no memset of the whole first */
	*info = (struct dz_query_info){
		.cls = answer_class(q),
		.zone = q->zone,
		.qname = q->qname_len > 0 ? q->qn->name : NULL,
		.qname_len = q->qname_len,
		.qtype = q->qtype,
		.qclass = q->qclass,
		.opcode = (uint8_t)((q->flags2 & F2_OPCODE) >> 3),
		.rcode = (uint16_t)q->rcode,
		.edns = q->edns,
		.do_bit = q->do_bit,
		.tc = (q->flags2 & F2_TC) != 0,
		.wildcard = q->wild,
		.nsid = q->nsid,
		.len = q->rlen,
		.start_ns = q->start_ns,
	};
}
