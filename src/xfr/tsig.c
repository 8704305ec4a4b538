/* SPDX-License-Identifier: MIT */
/* tsig.c -- the TSIG key (RFC 8945): BIND-style key file. */
#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <strings.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query.h"
#include "util/log.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"

static struct xtsig_key the_key;
static bool have_key;

/* Next token of a named.conf-style text: a word, a quoted string or one
 * of "{};". Comments (#, //, C style) are skipped. NULL at the end. */
static const char *token(const char **pp, char *out, size_t outsz)
{
	const char *p = *pp;
	size_t n = 0;

	for (;;) {
		while (isspace((unsigned char)*p)) {
			p++;
		}
		if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else {
			break;
		}
	}
	if (*p == '\0') {
		return NULL;
	}
	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (n + 1 < outsz) {
				out[n++] = *p;
			}
		}
		if (*p == '"') {
			p++;
		}
	} else if (strchr("{};", *p) != NULL) {
		out[n++] = *p++;
	} else {
		while (*p != '\0' && !isspace((unsigned char)*p) &&
		       strchr("{};\"", *p) == NULL) {
			if (n + 1 < outsz) {
				out[n++] = *p;
			}
			p++;
		}
	}
	out[n] = '\0';
	*pp = p;
	return out;
}

/* The statements between "{" and "}". 0 or -1 with *why. */
static int parse_body(const char **p, struct xtsig_key *k, const char **why)
{
	char word[32], val[sizeof(k->secret)];

	for (;;) {
		if (token(p, word, sizeof(word)) == NULL) {
			*why = "missing '}'";
			return -1;
		}
		if (strcmp(word, "}") == 0) {
			return 0;
		}
		if (token(p, val, sizeof(val)) == NULL) {
			*why = "statement without a value";
			return -1;
		}
		if (strcmp(word, "algorithm") == 0) {
			snprintf(k->algorithm, sizeof(k->algorithm), "%.31s", val);
		} else if (strcmp(word, "secret") == 0) {
			snprintf(k->secret, sizeof(k->secret), "%s", val);
		}
		if (token(p, val, sizeof(val)) == NULL || strcmp(val, ";")) {
			*why = "missing ';' after a statement";
			return -1;
		}
	}
}

int dz_xfr_tsig_parse(const char *text, struct xtsig_key *k,
		      const char **why)
{
	const char *p = text;
	char word[DZ_DNAME_MAX * 4];

	memset(k, 0, sizeof(*k));
	if (token(&p, word, sizeof(word)) == NULL || strcmp(word, "key")) {
		*why = "no 'key \"name\" { ... };' statement";
		return -1;
	}
	if (token(&p, word, sizeof(word)) == NULL || strcmp(word, "{") == 0 ||
	    strlen(word) + 2 > sizeof(k->name)) {
		*why = "the key has no name";
		return -1;
	}
	snprintf(k->name, sizeof(k->name), "%s%s", word,
		 word[strlen(word) - 1] == '.' ? "" : ".");
	if (token(&p, word, sizeof(word)) == NULL || strcmp(word, "{")) {
		*why = "missing '{' after the key name";
		return -1;
	}
	if (parse_body(&p, k, why) != 0) {
		return -1;
	}
	for (char *c = k->algorithm; *c != '\0'; c++) {
		*c = (char)tolower((unsigned char)*c);
	}
	if (strcmp(k->algorithm, "hmac-sha256") != 0 &&
	    strcmp(k->algorithm, "hmac-sha256.") != 0) {
		*why = "algorithm is not hmac-sha256";
		return -1;
	}
	snprintf(k->algorithm, sizeof(k->algorithm), "hmac-sha256.");
	if (k->secret[0] == '\0') {
		*why = "the key has no secret";
		return -1;
	}
	return 0;
}

int dz_xfr_tsig_opt(const char *value, void *ptr, const char **why)
{
	static char text[8192];
	FILE *f;
	size_t n;

	if (value == NULL) { /* cleared */
		have_key = false;
		*(const char **)ptr = NULL;
		return 0;
	}
	f = fopen(value, "r");
	if (f == NULL) {
		*why = errno == ENOENT ? "no such file" : "cannot read it";
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (dz_xfr_tsig_parse(text, &the_key, why) != 0) {
		have_key = false;
		return -1;
	}
	have_key = true;
	*(const char **)ptr = "set"; /* the key is kept, not the path */
	return 0;
}

struct xtsig_key *dz_xfr_tsig_key(void)
{
	return have_key ? &the_key : NULL;
}

bool dz_xfr_tsig_enabled(void)
{
	return have_key;
}

/* ---- Requests and responses (through ldns) ---------------------------------- */

#define TSIG_FUDGE 300
enum { BADSIG = 16, BADKEY = 17, BADTIME = 18 };

struct xtsig_state {
	const struct xtsig_key *key;
	ldns_rdf *mac;       /* of the request, then of our last message */
	bool next;           /* a message was signed: timers only from now */
};

void dz_xfr_tsig_state_free(struct xtsig_state *ts)
{
	if (ts != NULL) {
		ldns_rdf_deep_free(ts->mac);
		free(ts);
	}
}

/* Time signed of a TSIG RR (48 bits). */
static uint64_t time_signed(const ldns_rr *t)
{
	const uint8_t *d = ldns_rdf_data(ldns_rr_rdf(t, 1));
	uint64_t v = 0;

	for (int i = 0; i < 6; i++) {
		v = v << 8 | d[i];
	}
	return v;
}

/* The TSIG error of a signed request, or 0 with its MAC in *mac. */
static int verify(const struct xtsig_key *k, const struct xreq *r,
		  ldns_rdf **mac)
{
	ldns_pkt *p = NULL;
	ldns_rr *t;
	char *name = NULL, *alg = NULL;
	int err = BADSIG;
	int64_t skew;

	if (ldns_wire2pkt(&p, r->msg, r->len) != LDNS_STATUS_OK ||
	    (t = ldns_pkt_tsig(p)) == NULL || ldns_rr_rd_count(t) < 7) {
		goto out;
	}
	name = ldns_rdf2str(ldns_rr_owner(t));
	alg = ldns_rdf2str(ldns_rr_rdf(t, 0));
	if (k == NULL || name == NULL || alg == NULL ||
	    strcasecmp(name, k->name) != 0 ||
	    strcasecmp(alg, k->algorithm) != 0) {
		err = BADKEY;
		goto out;
	}
	if (!ldns_pkt_tsig_verify(p, r->msg, r->len, k->name, k->secret,
				  NULL)) {
		goto out;
	}
	skew = (int64_t)time(NULL) - (int64_t)time_signed(t);
	if (skew > TSIG_FUDGE || skew < -TSIG_FUDGE) {
		err = BADTIME;
		goto out;
	}
	*mac = ldns_rdf_clone(ldns_rr_rdf(t, 3));
	err = *mac != NULL ? 0 : BADSIG;
out:
	free(name);
	free(alg);
	ldns_pkt_free(p);
	return err;
}

int dz_xfr_tsig_check(const struct xcfg *c, const struct xreq *r,
		      struct xtsig_state **ts, const char *who,
		      const char *zone)
{
	static const char *const names[] = { "BADSIG", "BADKEY", "BADTIME" };
	ldns_rdf *mac = NULL;
	int err;

	*ts = NULL;
	if (!r->tsig) {
		if (c->key == NULL) {
			return -1;
		}
		dz_log_warn("transfer: '%s' to %s refused: not signed with "
			    "the --tsig-key key", zone, who);
		return XRC_REFUSED;
	}
	err = verify(c->key, r, &mac);
	if (err != 0) {
		dz_log_warn("transfer: '%s' to %s refused: TSIG %s", zone, who,
			    names[err - BADSIG]);
		return XRC_NOTAUTH | err << 8;
	}
	*ts = calloc(1, sizeof(**ts));
	if (*ts == NULL) {
		ldns_rdf_deep_free(mac);
		return XRC_SERVFAIL;
	}
	(*ts)->key = c->key;
	(*ts)->mac = mac;
	return -1;
}

/*
 * RFC 8945 5.3: NOTAUTH with an unsigned TSIG RR that carries the error;
 * REFUSED (unsigned request) and SERVFAIL as plain replies. The rcode
 * argument holds the TSIG error in its upper bits.
 */
size_t dz_xfr_tsig_error(const struct xreq *r, int rcode, uint8_t *resp)
{
	struct dz_wire w;
	const uint8_t *t = r->msg + r->tsig_off, *end = r->msg + r->len;
	size_t on = dz_dname_check(t, end), an, q = r->qend - 12;

	dz_wire_init(&w, resp, DZ_MSG_MAX);
	dz_wire_put_bytes(&w, r->msg, 2);
	dz_wire_put_u8(&w, (uint8_t)(XF2_QR | (r->rd ? XF2_RD : 0)));
	dz_wire_put_u8(&w, (uint8_t)(rcode & 0x0f));
	dz_wire_put_u16(&w, 1);
	dz_wire_put_u16(&w, 0);
	dz_wire_put_u16(&w, 0);
	dz_wire_put_u16(&w, 0);
	dz_wire_put_bytes(&w, r->msg + 12, q);
	if (!r->tsig || (rcode & 0x0f) != XRC_NOTAUTH || on == 0 ||
	    (an = dz_dname_check(t + on + 10, end)) == 0 ||
	    t + on + 10 + an + 10 > end) {
		return w.err ? 0 : w.pos;
	}
	/* owner, TSIG ANY 0, then algorithm, time, fudge, empty MAC, the
	 * request's ID, the error, no other data */
	dz_wire_put_bytes(&w, t, on);
	dz_wire_put_u16(&w, XT_TSIG);
	dz_wire_put_u16(&w, XC_ANY);
	dz_wire_put_u32(&w, 0);
	dz_wire_put_u16(&w, (uint16_t)(an + 16));
	dz_wire_put_bytes(&w, t + on + 10, an + 8);
	dz_wire_put_u16(&w, 0);
	dz_wire_put_bytes(&w, r->msg, 2);
	dz_wire_put_u16(&w, (uint16_t)(rcode >> 8));
	dz_wire_put_u16(&w, 0);
	if (w.err) {
		return 0;
	}
	dz_wire_set_u16(resp + 10, 1);
	return w.pos;
}

size_t dz_xfr_tsig_sign(struct xtsig_state *ts, uint8_t *msg, size_t len,
			size_t cap)
{
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0, out = 0;
	ldns_rr *t;

	if (ts == NULL || len == 0) {
		return len;
	}
	if (ldns_wire2pkt(&p, msg, len) == LDNS_STATUS_OK &&
	    ldns_pkt_tsig_sign_next(p, ts->key->name, ts->key->secret,
				    TSIG_FUDGE, ts->key->algorithm, ts->mac,
				    ts->next ? 1 : 0) == LDNS_STATUS_OK &&
	    ldns_pkt2wire(&wire, p, &wlen) == LDNS_STATUS_OK &&
	    wlen <= cap && (t = ldns_pkt_tsig(p)) != NULL) {
		ldns_rdf_deep_free(ts->mac);
		ts->mac = ldns_rdf_clone(ldns_rr_rdf(t, 3));
		ts->next = true;
		memcpy(msg, wire, wlen);
		out = wlen;
	}
	if (out == 0) {
		dz_log_err("transfer: cannot sign a message with TSIG");
	}
	free(wire);
	ldns_pkt_free(p);
	return out;
}

size_t dz_xfr_tsig_sign_request(uint8_t *msg, size_t len, size_t cap)
{
	struct xtsig_state ts = { .key = dz_xfr_tsig_key() };
	size_t out;

	if (ts.key == NULL) {
		return len;
	}
	out = dz_xfr_tsig_sign(&ts, msg, len, cap);
	ldns_rdf_deep_free(ts.mac);
	return out;
}

/* ---- Signed queries that are not transfers (the query path's hook) ---- */

/* Does the message end with a TSIG RR? Only skips: hot-path cheap. */
static bool has_tsig(const uint8_t *m, size_t len)
{
	size_t pos = 12, n = 0;
	uint16_t type = 0;

	if (len < 12 || dz_wire_get_u16(m + 10) == 0) {
		return false;
	}
	for (int s = 0; s < 4; s++) {
		n += dz_wire_get_u16(m + 4 + 2 * s);
	}
	for (size_t i = 0; i < n; i++) {
		if (!dz_xfr_skip_name(m, len, &pos) || pos + 4 > len) {
			return false;
		}
		type = dz_wire_get_u16(m + pos);
		pos += 4;
		if (i >= dz_wire_get_u16(m + 4)) { /* not the question */
			if (pos + 6 > len) {
				return false;
			}
			pos += 6 + (size_t)dz_wire_get_u16(m + pos + 4);
		}
	}
	return type == XT_TSIG && pos == len;
}

enum dz_xfr_tsig_verdict dz_xfr_tsig_unwrap(const uint8_t *req,
					    size_t reqlen, uint8_t *stripped,
					    size_t *slen, uint8_t *resp,
					    size_t *rlen,
					    struct dz_xfr_tsig **ctx)
{
	struct xreq r;
	struct xtsig_state *ts = NULL;
	int rc;

	*ctx = NULL;
	if (!has_tsig(req, reqlen) || dz_xfr_req_parse(&r, req, reqlen) != 0 ||
	    !r.tsig) {
		return DZ_XFR_TSIG_NONE;
	}
	rc = dz_xfr_tsig_check(dz_xfr_cfg(), &r, &ts, "a client", "query");
	if (rc >= 0) {
		*rlen = dz_xfr_tsig_error(&r, rc, resp);
		return DZ_XFR_TSIG_REPLY;
	}
	/* The query as it was before it was signed (RFC 8945 4.3.3). */
	memcpy(stripped, req, r.tsig_off);
	dz_wire_set_u16(stripped + 10, (uint16_t)(dz_wire_get_u16(req + 10) -
						  1));
	*slen = r.tsig_off;
	*ctx = (struct dz_xfr_tsig *)ts;
	return DZ_XFR_TSIG_SIGNED;
}

size_t dz_xfr_tsig_wrap(struct dz_xfr_tsig *ctx, uint8_t *resp, size_t len,
			size_t cap)
{
	struct xtsig_state *ts = (struct xtsig_state *)ctx;

	if (len > 0) {
		len = dz_xfr_tsig_sign(ts, resp, len, cap);
	}
	dz_xfr_tsig_state_free(ts);
	return len;
}
