/* SPDX-License-Identifier: MIT */
/* ferret.c -- the Ferret conformance corpus against our query path. */

/*
 * ferret [options] [LOG]
 *   --cases FILE      cases.jsonl (default $DZ_SHARED/corpus/ferret/...)
 *   --known FILE      known failures: one id per line, '#' comments
 *   --log FILE        failure log (default LOG or ferret-failures.log)
 *   --case ID         run one case only
 *   --limit N         run the first N cases only
 *   -v ID             full detail of one case
 *   --emit ID DIR     write the manifests to DIR/case.yaml and print
 *                     "qname qtype zone"
 *   --server ADDR PORT  ask a running server over UDP instead of
 *                     answering in-process (with --case, --limit or all)
 *   --sample N        print the id of every Nth case (0, N, 2N, ...)
 *   -q                no per-combination table
 * Each case: load its manifests, build a snapshot, send the query the way
 * Ferret's querier did (flags 0, no EDNS, UDP) and compare the response
 * with the recorded ones as the corpus README says: rcode, AA and TC
 * exact, QR set, sections as sets of RRs (names case-insensitive, TTL
 * compared). Exit 0 when every non-skipped case passes or is a listed
 * known failure, 1 otherwise (also when a known failure now passes), 77
 * when the corpus is absent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <ldns/ldns.h>

#include "manifest/load.h"
#include "query/query.h"
#include "zone/build.h"
#include "zone/snapshot.h"

enum { SEC_AN, SEC_NS, SEC_AR, NSEC };

/* What differs from one expected response; a lower value is closer. */
enum {
	D_AR = 1 << 0,
	D_NS = 1 << 1,
	D_AN = 1 << 2,
	D_FLAGS = 1 << 3,
	D_RCODE = 1 << 4,
	D_QUESTION = 1 << 5,
	D_NORESP = 1 << 6,
};

enum outcome { O_PASS, O_PASS_AUTH, O_FAIL, O_SKIP };

/* One RR: canonical wire form (RFC 4034 6.2, owner lower-cased). */
struct rrkey {
	uint8_t *wire;
	size_t len;
	ldns_rr *rr;
};

struct rrsec {
	struct rrkey *v;
	size_t n;
};

struct resp {
	int rcode;
	bool qr, aa, tc;
	int nservers;
	char servers[64];
	struct rrsec sec[NSEC];
};

struct fcase {
	long id;
	char types[96];
	const char *manifests;
	const char *zonefile;
	const char *qname;
	const char *qtype;
	struct resp *exp;
	size_t nexp;
	bool all_agree;
	json_object *root;
};

struct result {
	enum outcome o;
	unsigned mask;       /* differences from the closest response */
	size_t best;         /* index of that response */
	bool rejected;       /* an object of the case failed to build */
	bool qcase;          /* question echoed in another case */
	size_t dups;         /* duplicate RRs in our response (dropped) */
	char skipkinds[128]; /* "NSRecord CNAMERecord" */
	struct resp got;
	uint8_t msg[DZ_MSG_MAX];
	size_t msglen;
	ldns_pkt *pkt;
	char zone[256];
};

/* One line per combination of zone types, per skip kind, per class. */
struct tally {
	char key[128];
	long n, pass, pass_auth, fail, skip;
	long example;
};

struct tallies {
	struct tally *v;
	size_t n, cap;
};

static struct {
	const char *cases;
	const char *known;
	const char *log;
	long only;          /* --case, -v, --emit: -1 = all */
	long limit;
	bool verbose;
	bool quiet;
	const char *emit_dir;
	const char *srv_addr;
	int srv_port;
	long sample;        /* --sample N: print every Nth id */
} opt = { .only = -1, .limit = -1 };

static struct dz_query_ctx *qctx;
static ldns_buffer *cbuf;

/* ---- Known failures -------------------------------------------------- */

static long *known;
static bool *known_ran;
static size_t nknown;

static bool is_known(long id, size_t *idx)
{
	for (size_t i = 0; i < nknown; i++) {
		if (known[i] == id) {
			if (idx != NULL) {
				*idx = i;
			}
			return true;
		}
	}
	return false;
}

static int load_known(const char *path)
{
	char line[512], *p, *end;
	FILE *f = fopen(path, "r");
	long id;

	if (f == NULL) {
		fprintf(stderr, "ferret: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		p = strchr(line, '#');
		if (p != NULL) {
			*p = '\0';
		}
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0') {
			continue;
		}
		id = strtol(p, &end, 10);
		if (end == p || *(end + strspn(end, " \t\r\n")) != '\0') {
			fprintf(stderr, "ferret: %s: bad line '%s'\n", path, p);
			fclose(f);
			return -1;
		}
		known = realloc(known, (nknown + 1) * sizeof(*known));
		known_ran = realloc(known_ran,
				    (nknown + 1) * sizeof(*known_ran));
		if (known == NULL || known_ran == NULL) {
			abort();
		}
		known[nknown] = id;
		known_ran[nknown++] = false;
	}
	fclose(f);
	return 0;
}

/* ---- RR sets ----------------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const struct rrkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->wire, y->wire, n);

	if (c != 0) {
		return c;
	}
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Add rr (taken over) to s. */
static void sec_add(struct rrsec *s, ldns_rr *rr)
{
	struct rrkey *k;

	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (s->v == NULL) {
		abort();
	}
	k = &s->v[s->n++];
	ldns_buffer_clear(cbuf);
	ldns_rr2buffer_wire_canonical(cbuf, rr, LDNS_SECTION_ANSWER);
	k->len = ldns_buffer_position(cbuf);
	k->wire = malloc(k->len);
	if (k->wire == NULL) {
		abort();
	}
	memcpy(k->wire, ldns_buffer_begin(cbuf), k->len);
	k->rr = rr;
}

/* Sort and drop duplicates (sections are sets); how many were dropped. */
static size_t sec_sort(struct rrsec *s)
{
	size_t j = 0;

	if (s->n > 1) {
		qsort(s->v, s->n, sizeof(*s->v), key_cmp);
	}
	for (size_t i = 0; i < s->n; i++) {
		if (j > 0 && key_cmp(&s->v[j - 1], &s->v[i]) == 0) {
			free(s->v[i].wire);
			ldns_rr_free(s->v[i].rr);
		} else {
			s->v[j++] = s->v[i];
		}
	}
	j = s->n - j;
	s->n -= j;
	return j;
}

static void sec_free(struct rrsec *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].wire);
		ldns_rr_free(s->v[i].rr);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static bool sec_equal(const struct rrsec *a, const struct rrsec *b)
{
	if (a->n != b->n) {
		return false;
	}
	for (size_t i = 0; i < a->n; i++) {
		if (key_cmp(&a->v[i], &b->v[i]) != 0) {
			return false;
		}
	}
	return true;
}

static bool sec_has_type(const struct rrsec *s, ldns_rr_type t)
{
	for (size_t i = 0; i < s->n; i++) {
		if (ldns_rr_get_type(s->v[i].rr) == t) {
			return true;
		}
	}
	return false;
}

static void resp_free(struct resp *r)
{
	for (int i = 0; i < NSEC; i++) {
		sec_free(&r->sec[i]);
	}
}

/* ---- Cases from JSON ----------------------------------------------------- */

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		return NULL;
	}
	return json_object_get_string(v);
}

static json_object *jarr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array)) {
		return NULL;
	}
	return v;
}

static int sec_from_json(struct rrsec *s, json_object *a, long id)
{
	size_t n = a == NULL ? 0 : json_object_array_length(a);

	for (size_t i = 0; i < n; i++) {
		const char *t = json_object_get_string(
			json_object_array_get_idx(a, i));
		ldns_rr *rr = NULL;

		if (t == NULL || ldns_rr_new_frm_str(&rr, t, 500, NULL,
						     NULL) != LDNS_STATUS_OK) {
			fprintf(stderr, "ferret: case %ld: bad RR '%s'\n", id,
				t != NULL ? t : "(null)");
			return -1;
		}
		sec_add(s, rr);
	}
	sec_sort(s);
	return 0;
}

static int resp_from_json(struct resp *r, json_object *o, long id)
{
	static const char *const secs[NSEC] = {
		"answer", "authority", "additional"
	};
	json_object *a = jarr(o, "flags"), *sv = jarr(o, "servers");
	const char *rc = jstr(o, "rcode");
	ldns_lookup_table *lt;
	size_t n;

	lt = rc == NULL ? NULL : ldns_lookup_by_name(ldns_rcodes, rc);
	if (lt == NULL || a == NULL) {
		fprintf(stderr, "ferret: case %ld: bad response\n", id);
		return -1;
	}
	r->rcode = lt->id;
	n = json_object_array_length(a);
	for (size_t i = 0; i < n; i++) {
		const char *f = json_object_get_string(
			json_object_array_get_idx(a, i));

		r->qr |= strcmp(f, "QR") == 0;
		r->aa |= strcmp(f, "AA") == 0;
		r->tc |= strcmp(f, "TC") == 0;
	}
	n = sv == NULL ? 0 : json_object_array_length(sv);
	r->nservers = (int)n;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(r->servers);

		snprintf(r->servers + l, sizeof(r->servers) - l, "%s%s",
			 i > 0 ? "," : "",
			 json_object_get_string(
				 json_object_array_get_idx(sv, i)));
	}
	for (int i = 0; i < NSEC; i++) {
		if (sec_from_json(&r->sec[i], jarr(o, secs[i]), id) != 0) {
			return -1;
		}
	}
	return 0;
}

static void case_free(struct fcase *c)
{
	for (size_t i = 0; i < c->nexp; i++) {
		resp_free(&c->exp[i]);
	}
	free(c->exp);
	json_object_put(c->root);
	memset(c, 0, sizeof(*c));
}

static void types_key(struct fcase *c, json_object *t)
{
	size_t n = t == NULL ? 0 : json_object_array_length(t);

	c->types[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(c->types);

		snprintf(c->types + l, sizeof(c->types) - l, "%s%s",
			 i > 0 ? " " : "",
			 json_object_get_string(
				 json_object_array_get_idx(t, i)));
	}
}

/* Parse one line of cases.jsonl into c. 0, or -1 (reported). */
static int case_parse(struct fcase *c, const char *line)
{
	json_object *q, *rs, *id;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->root = json_tokener_parse(line);
	if (c->root == NULL || !json_object_object_get_ex(c->root, "id", &id)) {
		fprintf(stderr, "ferret: unparsable line in cases\n");
		return -1;
	}
	c->id = json_object_get_int64(id);
	types_key(c, jarr(c->root, "types"));
	c->manifests = jstr(c->root, "manifests");
	c->zonefile = jstr(c->root, "zonefile");
	q = jarr(c->root, "queries");
	q = q == NULL ? NULL : json_object_array_get_idx(q, 0);
	rs = q == NULL ? NULL : jarr(q, "responses");
	c->qname = q == NULL ? NULL : jstr(q, "name");
	c->qtype = q == NULL ? NULL : jstr(q, "type");
	if (c->manifests == NULL || c->qname == NULL || c->qtype == NULL ||
	    rs == NULL) {
		fprintf(stderr, "ferret: case %ld: missing fields\n", c->id);
		return -1;
	}
	n = json_object_array_length(rs);
	c->exp = calloc(n ? n : 1, sizeof(*c->exp));
	if (c->exp == NULL) {
		abort();
	}
	c->nexp = n;
	for (size_t i = 0; i < n; i++) {
		if (resp_from_json(&c->exp[i], json_object_array_get_idx(rs, i),
				   c->id) != 0) {
			return -1;
		}
	}
	c->all_agree = n == 1 && c->exp[0].nservers == 4;
	return 0;
}

/* ---- The query --------------------------------------------------------- */

/* Ferret's query: id, flags 0, one question, no EDNS. Length or 0. */
static size_t make_query(const struct fcase *c, uint8_t *buf, size_t sz)
{
	ldns_rdf *name = NULL;
	ldns_rr_type t = ldns_get_rr_type_by_name(c->qtype);
	size_t len;

	if (t == 0 || ldns_str2rdf_dname(&name, c->qname) !=
			      LDNS_STATUS_OK) {
		return 0;
	}
	len = ldns_rdf_size(name);
	if (12 + len + 4 > sz) {
		ldns_rdf_deep_free(name);
		return 0;
	}
	memset(buf, 0, 12);
	buf[0] = (uint8_t)(c->id >> 8);
	buf[1] = (uint8_t)c->id;
	buf[5] = 1; /* QDCOUNT */
	memcpy(buf + 12, ldns_rdf_data(name), len);
	buf[12 + len] = (uint8_t)(t >> 8);
	buf[13 + len] = (uint8_t)t;
	buf[14 + len] = 0;
	buf[15 + len] = LDNS_RR_CLASS_IN;
	ldns_rdf_deep_free(name);
	return 12 + len + 4;
}

/* Send over UDP to --server and wait for the answer (2 s, 3 tries). */
static size_t ask_server(const uint8_t *q, size_t qlen, uint8_t *resp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n = -1;

	sa.sin_port = htons((uint16_t)opt.srv_port);
	if (fd < 0 || inet_pton(AF_INET, opt.srv_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "ferret: bad server address '%s'\n",
			opt.srv_addr);
		exit(2);
	}
	for (int i = 0; i < 3 && n < 0; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (sendto(fd, q, qlen, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) < 0) {
			continue;
		}
		while (poll(&p, 1, 2000) == 1) {
			n = recv(fd, resp, DZ_MSG_MAX, 0);
			/* a late answer to an earlier try has the same id */
			if (n >= 2 && memcmp(resp, q, 2) == 0) {
				break;
			}
			n = -1;
		}
	}
	close(fd);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- Comparison -------------------------------------------------------- */

static unsigned resp_diff(const struct resp *e, const struct resp *g)
{
	unsigned m = 0;

	if (e->rcode != g->rcode) {
		m |= D_RCODE;
	}
	if (e->aa != g->aa || e->tc != g->tc || !g->qr) {
		m |= D_FLAGS;
	}
	if (!sec_equal(&e->sec[SEC_AN], &g->sec[SEC_AN])) {
		m |= D_AN;
	}
	if (!sec_equal(&e->sec[SEC_NS], &g->sec[SEC_NS])) {
		m |= D_NS;
	}
	if (!sec_equal(&e->sec[SEC_AR], &g->sec[SEC_AR])) {
		m |= D_AR;
	}
	return m;
}

static size_t sec_from_list(struct rrsec *s, ldns_rr_list *l)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		sec_add(s, ldns_rr_clone(ldns_rr_list_rr(l, i)));
	}
	return sec_sort(s);
}

/* Our response to struct resp; D_QUESTION when the question is wrong. */
static unsigned parse_got(const struct fcase *c, struct result *r,
			  const uint8_t *q)
{
	ldns_rr_list *ql;
	ldns_rdf *want = NULL;
	unsigned m = 0;

	if (r->msglen == 0) {
		return D_NORESP;
	}
	if (ldns_wire2pkt(&r->pkt, r->msg, r->msglen) != LDNS_STATUS_OK) {
		r->pkt = NULL;
		return D_NORESP;
	}
	r->got.rcode = ldns_pkt_get_rcode(r->pkt);
	r->got.qr = ldns_pkt_qr(r->pkt);
	r->got.aa = ldns_pkt_aa(r->pkt);
	r->got.tc = ldns_pkt_tc(r->pkt);
	r->dups = sec_from_list(&r->got.sec[SEC_AN], ldns_pkt_answer(r->pkt)) +
		  sec_from_list(&r->got.sec[SEC_NS],
				ldns_pkt_authority(r->pkt)) +
		  sec_from_list(&r->got.sec[SEC_AR],
				ldns_pkt_additional(r->pkt));
	ql = ldns_pkt_question(r->pkt);
	ldns_str2rdf_dname(&want, c->qname);
	if (memcmp(r->msg, q, 2) != 0 || ldns_rr_list_rr_count(ql) != 1 ||
	    want == NULL ||
	    ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(ql, 0)),
			       want) != 0 ||
	    ldns_rr_get_type(ldns_rr_list_rr(ql, 0)) !=
		    ldns_get_rr_type_by_name(c->qtype)) {
		m |= D_QUESTION;
	} else if (memcmp(ldns_rdf_data(ldns_rr_owner(ldns_rr_list_rr(ql, 0))),
			  ldns_rdf_data(want), ldns_rdf_size(want)) != 0) {
		r->qcase = true;
	}
	ldns_rdf_deep_free(want);
	return m;
}

static void judge(const struct fcase *c, struct result *r, unsigned qm)
{
	unsigned best = ~0u;

	r->o = O_FAIL;
	for (size_t i = 0; i < c->nexp; i++) {
		unsigned m = qm | resp_diff(&c->exp[i], &r->got);

		if (qm & D_NORESP) {
			m = qm;
		}
		if (m < best) {
			best = m;
			r->best = i;
		}
		if (m == 0) {
			r->o = O_PASS;
			break;
		}
		/* README point 5: that authority was one server's pick */
		if (m == D_NS && c->exp[i].sec[SEC_AN].n > 0 &&
		    r->o == O_FAIL) {
			r->o = O_PASS_AUTH;
		}
	}
	r->mask = best;
}

/* Unsupported kinds (skip), rejected objects, the zone's name. */
static void scan_objects(const struct dz_mfile *f, struct result *r)
{
	r->skipkinds[0] = '\0';
	r->rejected = f->failed;
	for (size_t i = 0; i < f->nobjects; i++) {
		const struct dz_object *o = &f->objects[i];
		size_t l = strlen(r->skipkinds);

		if (o->reason == DZ_REASON_UNSUPPORTED_KIND) {
			if (strstr(r->skipkinds, o->cls->kind) == NULL) {
				snprintf(r->skipkinds + l,
					 sizeof(r->skipkinds) - l, "%s%s",
					 l > 0 ? " " : "", o->cls->kind);
			}
		} else if (o->reason != DZ_REASON_SUCCEEDED) {
			r->rejected = true;
		}
		if (o->cls->is_zone && r->zone[0] == '\0') {
			struct dz_arena *a = dz_arena_new(0);
			const char *zn = a ? dz_ynode_str(dz_ynode_get(
				dz_object_spec(o, a, NULL), "zoneName")) : NULL;

			snprintf(r->zone, sizeof(r->zone), "%s",
				 zn != NULL ? zn : "");
			dz_arena_free(a);
		}
	}
}

/* Run one case into r (r->pkt and r->got freed by result_free). */
static void run_case(const struct fcase *c, struct result *r,
		     struct dz_diags *diags)
{
	struct dz_mfile *f;
	struct dz_snapshot *snap;
	uint8_t q[512];
	size_t qlen;
	unsigned qm;

	f = dz_mfile_load_buffer(c->manifests, strlen(c->manifests),
				 "case.yaml");
	if (f == NULL) {
		abort();
	}
	snap = dz_build(&f, 1, NULL);
	scan_objects(f, r);
	if (diags != NULL) {
		dz_build_collect_diags(&f, 1, diags);
	}
	if (r->skipkinds[0] != '\0') {
		r->o = O_SKIP;
		goto out;
	}
	qlen = make_query(c, q, sizeof(q));
	if (qlen == 0) {
		fprintf(stderr, "ferret: case %ld: cannot make the query\n",
			c->id);
		r->msglen = 0;
	} else if (opt.srv_addr != NULL) {
		r->msglen = ask_server(q, qlen, r->msg);
	} else {
		r->msglen = dz_query_answer(qctx, snap, q, qlen, r->msg, 0);
	}
	qm = parse_got(c, r, q);
	judge(c, r, qm);
out:
	dz_snapshot_unref(snap);
	dz_mfile_free(f);
}

static void result_free(struct result *r)
{
	resp_free(&r->got);
	ldns_pkt_free(r->pkt);
	r->pkt = NULL;
}

/* ---- Reporting --------------------------------------------------------- */

static struct tally *tally_get(struct tallies *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].key, key) == 0) {
			return &t->v[i];
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (t->v == NULL) {
			abort();
		}
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	snprintf(t->v[t->n].key, sizeof(t->v[0].key), "%s", key);
	t->v[t->n].example = -1;
	return &t->v[t->n++];
}

static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->key, y->key);
}

static void tally_sort(struct tallies *t)
{
	if (t->n > 1) {
		qsort(t->v, t->n, sizeof(*t->v), tally_cmp);
	}
}

static void mask_text(unsigned m, char *buf, size_t sz)
{
	static const char *const names[] = {
		"additional", "authority", "answer", "flags", "rcode",
		"question", "no response",
	};
	size_t l = 0;

	buf[0] = '\0';
	for (int i = 6; i >= 0; i--) {
		if ((m & (1u << i)) && l < sz) {
			l += (size_t)snprintf(buf + l, sz - l, "%s%s",
					      l > 0 ? "," : "", names[i]);
		}
	}
}

/* A guess at the cause of a failure, to group them for the developers. */
static const char *cause(const struct fcase *c, const struct result *r)
{
	const struct resp *e = &c->exp[r->best];

	if (r->rejected) {
		return "object rejected";
	}
	if (r->mask & D_NORESP) {
		return "no response";
	}
	if (!e->aa && e->rcode == LDNS_RCODE_NOERROR &&
	    sec_has_type(&e->sec[SEC_NS], LDNS_RR_TYPE_NS)) {
		return "referral";
	}
	if (sec_has_type(&e->sec[SEC_AN], LDNS_RR_TYPE_CNAME) ||
	    sec_has_type(&r->got.sec[SEC_AN], LDNS_RR_TYPE_CNAME)) {
		return "cname";
	}
	if (strstr(c->manifests, "name: \"*") != NULL) {
		return "wildcard";
	}
	if (r->mask == D_AR) {
		return "additional";
	}
	return "other";
}

static const char *flags_text(const struct resp *r)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "%s%s%s", r->qr ? "qr" : "-",
		 r->aa ? ",aa" : "", r->tc ? ",tc" : "");
	return buf;
}

static void resp_short(FILE *out, const struct resp *r)
{
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, r->rcode);

	fprintf(out, "%s %s an=%zu ns=%zu ar=%zu",
		lt != NULL ? lt->name : "?", flags_text(r), r->sec[SEC_AN].n,
		r->sec[SEC_NS].n, r->sec[SEC_AR].n);
}

static void rr_out(FILE *out, const char *what, const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	size_t l = s == NULL ? 0 : strlen(s);

	while (l > 0 && s[l - 1] == '\n') {
		s[--l] = '\0';
	}
	fprintf(out, "; %s: %s", what, s != NULL ? s : "?");
	free(s);
}

/* The first RR missing from got and the first extra one, of section i. */
static void first_diff(FILE *out, const struct rrsec *e,
		       const struct rrsec *g)
{
	const ldns_rr *miss = NULL, *extra = NULL;
	size_t i = 0, j = 0;

	while ((i < e->n || j < g->n) && (miss == NULL || extra == NULL)) {
		int c = i == e->n ? 1 : j == g->n ? -1 :
			key_cmp(&e->v[i], &g->v[j]);

		if (c == 0) {
			i++, j++;
		} else if (c < 0) {
			miss = miss != NULL ? miss : e->v[i].rr;
			i++;
		} else {
			extra = extra != NULL ? extra : g->v[j].rr;
			j++;
		}
	}
	if (miss != NULL) {
		rr_out(out, "missing", miss);
	}
	if (extra != NULL) {
		rr_out(out, "extra", extra);
	}
}

static void log_failure(FILE *out, const struct fcase *c,
			const struct result *r, const char *cls)
{
	const struct resp *e = &c->exp[r->best];

	fprintf(out, "%ld %s %s [%s]: expected ", c->id, c->qname, c->qtype,
		cls);
	resp_short(out, e);
	if (r->mask & D_NORESP) {
		fprintf(out, "; got no response");
	} else {
		fprintf(out, "; got ");
		resp_short(out, &r->got);
	}
	for (int s = 0; s < NSEC; s++) {
		if (r->mask & (D_AN >> s)) {
			first_diff(out, &e->sec[s], &r->got.sec[s]);
			break;
		}
	}
	fputc('\n', out);
}

static void print_sec(const struct rrsec *s, const char *name)
{
	printf(";; %s\n", name);
	for (size_t i = 0; i < s->n; i++) {
		ldns_rr_print(stdout, s->v[i].rr);
	}
}

/* -v ID: everything about one case. */
static void verbose(const struct fcase *c, const struct result *r,
		    const struct dz_diags *d)
{
	static const char *const secs[NSEC] = {
		"answer", "authority", "additional"
	};
	static const char *const outcomes[] = {
		"pass", "pass (authority differs)", "FAIL", "skip"
	};
	char m[96];

	printf("==== case %ld (%s)\n---- zone file\n%s---- manifests\n%s",
	       c->id, c->types, c->zonefile != NULL ? c->zonefile : "",
	       c->manifests);
	printf("---- diagnostics\n");
	dz_diags_print(d, stdout);
	printf("---- query: %s %s (flags 0, no EDNS, UDP)\n", c->qname,
	       c->qtype);
	for (size_t i = 0; i < c->nexp; i++) {
		const struct resp *e = &c->exp[i];

		printf("---- expected %zu/%zu (%s): ", i + 1, c->nexp,
		       e->servers);
		resp_short(stdout, e);
		putchar('\n');
		for (int s = 0; s < NSEC; s++) {
			print_sec(&e->sec[s], secs[s]);
		}
	}
	printf("---- our response\n");
	if (r->pkt != NULL) {
		ldns_pkt_print(stdout, r->pkt);
	} else {
		printf("(none)\n");
	}
	mask_text(r->mask, m, sizeof(m));
	printf("---- result: %s", outcomes[r->o]);
	if (r->o == O_SKIP) {
		printf(" (no plugin for %s)", r->skipkinds);
	} else if (r->o != O_PASS) {
		printf(" (differs from expected %zu in: %s)", r->best + 1, m);
	}
	printf("%s%s\n", r->qcase ? "; question case not preserved" : "",
	       r->dups > 0 ? "; duplicate RRs in our response" : "");
}

/* ---- The run ----------------------------------------------------------- */

static struct {
	long n, pass, pass_auth, fail, skip, known_fail, unexpected, qcase;
	long dups, minority, auth_example;
	long agree_n, agree_pass;
	struct tallies types, kinds, classes;
} st;

/* --emit: the case's manifests to DIR/case.yaml, its query to stdout. */
static int emit(const struct fcase *c)
{
	char path[4096];
	struct result *r = calloc(1, sizeof(*r));
	FILE *f;

	snprintf(path, sizeof(path), "%s/case.yaml", opt.emit_dir);
	f = fopen(path, "w");
	if (f == NULL || r == NULL ||
	    fputs(c->manifests, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "ferret: cannot write '%s': %s\n", path,
			strerror(errno));
		free(r);
		return 2;
	}
	{
		struct dz_mfile *m = dz_mfile_load_buffer(
			c->manifests, strlen(c->manifests), "case.yaml");

		scan_objects(m, r);
		dz_mfile_free(m);
	}
	printf("%s %s %s\n", c->qname, c->qtype, r->zone);
	free(r);
	return 0;
}

static void count(const struct fcase *c, const struct result *r, FILE *log)
{
	struct tally *t = tally_get(&st.types, c->types);
	size_t ki;
	bool kn = is_known(c->id, &ki);
	char m[96], cls[160];

	st.n++, t->n++;
	if (r->o == O_SKIP) {
		char kinds[128], *save = NULL, *k;

		st.skip++, t->skip++;
		snprintf(kinds, sizeof(kinds), "%s", r->skipkinds);
		for (k = strtok_r(kinds, " ", &save); k != NULL;
		     k = strtok_r(NULL, " ", &save)) {
			tally_get(&st.kinds, k)->n++;
		}
		return;
	}
	st.qcase += r->qcase;
	st.dups += r->dups > 0;
	st.agree_n += c->all_agree;
	if (kn) {
		known_ran[ki] = true;
	}
	if (r->o != O_FAIL) {
		st.pass++, t->pass++;
		st.agree_pass += c->all_agree;
		st.minority += r->best > 0;
		if (r->o == O_PASS_AUTH && st.pass_auth++ == 0) {
			st.auth_example = c->id;
		}
		t->pass_auth += r->o == O_PASS_AUTH;
		if (r->o == O_PASS_AUTH && log != NULL) {
			log_failure(log, c, r, "pass, authority differs");
		}
		return;
	}
	st.fail++, t->fail++;
	if (kn) {
		st.known_fail++;
		known_ran[ki] = false; /* still failing: as listed */
	} else {
		st.unexpected++;
	}
	mask_text(r->mask, m, sizeof(m));
	snprintf(cls, sizeof(cls), "%s: %s", cause(c, r), m);
	t = tally_get(&st.classes, cls);
	if (t->n++ == 0) {
		t->example = c->id;
	}
	if (log != NULL) {
		log_failure(log, c, r, cls);
	}
}

static void print_table(void)
{
	printf("%-22s %6s %6s %6s %6s %6s\n", "types in the zone", "cases",
	       "pass", "p-auth", "fail", "skip");
	tally_sort(&st.types);
	for (size_t i = 0; i < st.types.n; i++) {
		const struct tally *t = &st.types.v[i];

		printf("%-22s %6ld %6ld %6ld %6ld %6ld\n", t->key, t->n,
		       t->pass, t->pass_auth, t->fail, t->skip);
	}
}

static int summary(double secs)
{
	long fixed = 0;

	printf("ferret: %ld cases in %.1f s: %ld pass (%ld of them with a "
	       "different authority section), %ld fail (%ld known), "
	       "%ld skipped\n", st.n, secs, st.pass, st.pass_auth, st.fail,
	       st.known_fail, st.skip);
	if (st.pass_auth > 0) {
		printf("authority differs from the one recorded (README point "
		       "5), e.g. case %ld\n", st.auth_example);
	}
	printf("cases where the four servers agree: %ld of %ld pass\n",
	       st.agree_pass, st.agree_n);
	if (st.minority > 0) {
		printf("passes that match a minority response (not the first "
		       "listed): %ld\n", st.minority);
	}
	if (st.qcase > 0) {
		printf("question echoed in another letter case: %ld\n",
		       st.qcase);
	}
	if (st.dups > 0) {
		printf("responses with duplicate RRs (compared as sets): %ld\n",
		       st.dups);
	}
	tally_sort(&st.kinds);
	for (size_t i = 0; i < st.kinds.n; i++) {
		printf("%s %s %ld", i == 0 ? "skipped, no plugin for:" : ",",
		       st.kinds.v[i].key, st.kinds.v[i].n);
	}
	printf("%s", st.kinds.n > 0 ? "\n" : "");
	if (!opt.quiet && opt.only < 0) {
		print_table();
	}
	tally_sort(&st.classes);
	for (size_t i = 0; i < st.classes.n; i++) {
		printf("%s  %5ld  %-50s e.g. %ld\n",
		       i == 0 ? "failures by probable cause:\n" : "",
		       st.classes.v[i].n, st.classes.v[i].key,
		       st.classes.v[i].example);
	}
	for (size_t i = 0; i < nknown; i++) {
		if (known_ran[i]) {
			printf("known failure %ld now passes: remove it from "
			       "%s\n", known[i], opt.known);
			fixed++;
		}
	}
	if (st.unexpected > 0) {
		printf("%ld failures not in the known-failures list (see %s)\n",
		       st.unexpected, opt.log);
	}
	if (st.unexpected > 0 || fixed > 0) {
		return 1;
	}
	/* one case asked for and skipped: tell the daemon test */
	return opt.only >= 0 && st.skip == st.n ? 77 : 0;
}

/* One case from the file: run, count, report. 0, or 2 on a bad case. */
static int one(const char *line, FILE *log, bool *done)
{
	static long nseen;
	struct fcase c;
	struct result *r;
	struct dz_diags d = { 0 };
	const char *p = strstr(line, "\"id\":");

	/* --case: skip other lines unparsed (the id comes first) */
	if (opt.only >= 0 && p != NULL && p - line < 8 &&
	    strtol(p + 5, NULL, 10) != opt.only) {
		return 0;
	}
	if (case_parse(&c, line) != 0) {
		case_free(&c);
		return 2;
	}
	if (opt.only >= 0 && c.id != opt.only) {
		case_free(&c);
		return 0;
	}
	*done = opt.only >= 0;
	if (opt.sample > 0) {
		if (nseen++ % opt.sample == 0) {
			printf("%ld\n", c.id);
		}
		case_free(&c);
		return 0;
	}
	if (opt.emit_dir != NULL) {
		int rc = emit(&c);

		case_free(&c);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		abort();
	}
	run_case(&c, r, opt.verbose ? &d : NULL);
	if (opt.verbose) {
		verbose(&c, r, &d);
	}
	count(&c, r, log);
	dz_diags_clear(&d);
	result_free(r);
	free(r);
	case_free(&c);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ferret [--cases FILE] [--known FILE] [--log FILE]\n"
		"              [--case ID | -v ID | --limit N] [-q]\n"
		"              [--server ADDR PORT] [LOG]\n"
		"       ferret [--cases FILE] --emit ID DIR\n"
		"       ferret [--cases FILE] --sample N\n");
	exit(2);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0) {
		usage();
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (strcmp(a, "--cases") == 0 && more) {
			opt.cases = argv[++i];
		} else if (strcmp(a, "--known") == 0 && more) {
			opt.known = argv[++i];
		} else if (strcmp(a, "--log") == 0 && more) {
			opt.log = argv[++i];
		} else if (strcmp(a, "--case") == 0 && more) {
			opt.only = num(argv[++i]);
		} else if (strcmp(a, "-v") == 0 && more) {
			opt.only = num(argv[++i]);
			opt.verbose = true;
		} else if (strcmp(a, "--limit") == 0 && more) {
			opt.limit = num(argv[++i]);
		} else if (strcmp(a, "--emit") == 0 && i + 2 < argc) {
			opt.only = num(argv[++i]);
			opt.emit_dir = argv[++i];
		} else if (strcmp(a, "--server") == 0 && i + 2 < argc) {
			opt.srv_addr = argv[++i];
			opt.srv_port = (int)num(argv[++i]);
		} else if (strcmp(a, "--sample") == 0 && more) {
			opt.sample = num(argv[++i]);
		} else if (strcmp(a, "-q") == 0) {
			opt.quiet = true;
		} else if (a[0] != '-' && opt.log == NULL) {
			opt.log = a;
		} else {
			usage();
		}
	}
	if (opt.log == NULL) {
		opt.log = "ferret-failures.log";
	}
}

/* The corpus file, or NULL (exit 77) when it is not there. */
static FILE *open_cases(char *buf, size_t sz)
{
	const char *shared = getenv("DZ_SHARED");
	FILE *f;

	if (opt.cases == NULL) {
		if (shared == NULL || shared[0] == '\0') {
			shared = "../shared";
		}
		snprintf(buf, sz, "%s/corpus/ferret/cases.jsonl", shared);
		opt.cases = buf;
	}
	f = fopen(opt.cases, "r");
	if (f == NULL) {
		printf("SKIP: the Ferret corpus '%s' is not there (%s); set "
		       "DZ_SHARED or --cases\n", opt.cases, strerror(errno));
	}
	return f;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	FILE *in, *log = NULL;
	bool done = false;
	double t0 = now();
	int rc = 0;

	/* Every case allocates and frees the same sizes: keep the heap
	 * instead of trimming and growing it again (sys time halved). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	parse_args(argc, argv);
	in = open_cases(path, sizeof(path));
	if (in == NULL) {
		return 77;
	}
	if (opt.known != NULL && load_known(opt.known) != 0) {
		fclose(in);
		return 2;
	}
	if (opt.emit_dir == NULL && opt.sample == 0) {
		log = fopen(opt.log, "w");
		if (log == NULL) {
			fprintf(stderr, "ferret: cannot write '%s': %s\n",
				opt.log, strerror(errno));
			fclose(in);
			return 2;
		}
	}
	qctx = dz_query_ctx_new(DZ_EDNS_SIZE_DEFAULT);
	cbuf = ldns_buffer_new(4096);
	while (rc == 0 && !done && opt.limit != 0 &&
	       getline(&line, &cap, in) > 0) {
		rc = one(line, log, &done);
		if (opt.limit > 0 && st.n >= opt.limit) {
			break;
		}
	}
	if (rc == 0 && opt.only >= 0 && !done) {
		fprintf(stderr, "ferret: no case %ld in '%s'\n", opt.only,
			opt.cases);
		rc = 2;
	}
	if (rc == 0 && opt.emit_dir == NULL && opt.sample == 0) {
		rc = summary(now() - t0);
	}
	if (log != NULL) {
		fclose(log);
	}
	free(line);
	fclose(in);
	ldns_buffer_free(cbuf);
	dz_query_ctx_free(qctx);
	free(known);
	free(known_ran);
	free(st.types.v);
	free(st.kinds.v);
	free(st.classes.v);
	return rc;
}
