/* SPDX-License-Identifier: MIT */
/* dnszone.c -- DNSZone spec validation: zoneName, SOA, NS, glue, selectors. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util/errcode.h"
#include "zone/dnszone.h"
#include "zone/kindctx.h"
#include "zone/zone.h"

enum {
	T_A = 1,
	T_NS = 2,
	T_SOA = 6,
	T_AAAA = 28,
};

/* Size of a list or map; 0 for NULL and scalars. */
static size_t ylen(const struct dz_ynode *n)
{
	return (n == NULL || n->type == DZ_YNODE_SCALAR) ? 0 : n->len;
}

void dz_zspec_clear(struct dz_zspec *z)
{
	for (size_t i = 0; i < z->nsels; i++) {
		dz_selector_clear(&z->sels[i]);
	}
	free(z->sels);
	free(z->ns);
	z->sels = NULL;
	z->nsels = 0;
	z->ns = NULL;
	z->nns = 0;
}

bool dz_zspec_selects(const struct dz_zspec *z, const struct dz_label *labels,
		      size_t nlabels)
{
	for (size_t i = 0; i < z->nsels; i++) {
		if (dz_selector_match(&z->sels[i], labels, nlabels)) {
			return true;
		}
	}
	return false;
}

bool dz_zspec_email_to_name(const char *email, char *out, size_t outsz)
{
	const char *at = strrchr(email, '@');
	size_t n = 0;

	if (at == NULL) {
		if (strlen(email) + 1 > outsz) {
			return false;
		}
		strcpy(out, email);
		return true;
	}
	/* RFC 1912 2.2: a dot in the mailbox part is escaped. */
	for (const char *p = email; p < at; p++) {
		if (*p == '.' && n + 1 < outsz) {
			out[n++] = '\\';
		}
		if (n + 1 >= outsz) {
			return false;
		}
		out[n++] = *p;
	}
	size_t rest = strlen(at + 1);
	bool dot = rest > 0 && at[rest] == '.';
	if (n + 1 + rest + 2 > outsz) {
		return false;
	}
	out[n++] = '.';
	memcpy(out + n, at + 1, rest);
	n += rest;
	if (!dot) {
		out[n++] = '.';
	}
	out[n] = '\0';
	return true;
}

/* ---- zoneName ------------------------------------------------------- */

static bool is_ipv4_text(const char *s)
{
	unsigned parts = 0;

	while (*s != '\0') {
		unsigned v = 0, digits = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3) {
				return false;
			}
		}
		if (digits == 0 || v > 255) {
			return false;
		}
		parts++;
		if (*s == '.') {
			s++;
			if (*s == '\0') {
				break; /* trailing dot tolerated */
			}
		} else if (*s != '\0') {
			return false;
		}
	}
	return parts == 4;
}

static int zone_name_fn(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			void *arg)
{
	struct dz_zspec *z = arg;
	const struct dz_ynode *node = NULL;
	const char *s = NULL, *why = "invalid";
	char text[DZ_DNAME_MAX * 4 + 2];
	uint8_t sixbuf[16];
	unsigned flags = 0;
	size_t len;

	if (dz_kind_get_str(ctx, spec, "zoneName", true, &s, &node) != 0) {
		return DZ_EMANIFEST;
	}
	if (is_ipv4_text(s) || inet_pton(AF_INET6, s, sixbuf) == 1) {
		return dz_kind_error(ctx, node, "zoneName '%s' is an IP "
				     "address, not a domain name", s);
	}
	len = strlen(s);
	if (len == 0 || len + 2 > sizeof(text)) {
		return dz_kind_error(ctx, node, "zoneName '%s' is not a valid "
				     "domain name: %s", s, len ? "name longer "
				     "than 255 octets" : "empty");
	}
	/* One trailing dot is tolerated: the name is absolute either way. */
	memcpy(text, s, len + 1);
	if (strcmp(text, ".") != 0 && (len == 1 || text[len - 1] != '.' ||
				       text[len - 2] == '\\')) {
		text[len++] = '.';
		text[len] = '\0';
	}
	if (dz_dname_from_text(text, len, NULL, z->origin, &len, &flags,
			       &why) != 0) {
		return dz_kind_error(ctx, node, "zoneName '%s' is not a valid "
				     "domain name: %s", s, why);
	}
	if (flags & DZ_DNAME_F_WILDCARD) {
		return dz_kind_error(ctx, node, "zoneName '%s' is a wildcard",
				     s);
	}
	if (flags & DZ_DNAME_F_NONHOST) {
		dz_kind_warn(ctx, node, "zoneName '%s' has characters outside "
			     "hostname syntax", s);
	}
	dz_dname_tolower(z->origin);
	dz_dname_to_text(z->origin, z->name, sizeof(z->name));
	len = strlen(z->name);
	if (len > 1 && z->name[len - 1] == '.') {
		z->name[len - 1] = '\0';
	}
	return 0;
}

/* ---- soaRecord ------------------------------------------------------ */

static int get_u32(struct dz_kind_ctx *ctx, const struct dz_ynode *map,
		   const char *field, uint64_t min, uint64_t max,
		   uint32_t *out)
{
	uint64_t v = 0;
	int rc = dz_kind_get_uint(ctx, map, field, min, max, true, &v);

	*out = (uint32_t)v;
	return rc;
}

static int admin_email(struct dz_kind_ctx *ctx, const struct dz_ynode *soa,
		       struct dz_zspec *z)
{
	const struct dz_ynode *node = NULL;
	const char *s = NULL, *why = "invalid";
	char text[DZ_DNAME_MAX * 4 + 2];
	size_t len;

	if (dz_kind_get_str(ctx, soa, "adminEmail", true, &s, &node) != 0) {
		return DZ_EMANIFEST;
	}
	if (strchr(s, '@') == NULL) {
		return dz_kind_name_node(ctx, node, "adminEmail", z->rname,
					 &len);
	}
	if (!dz_zspec_email_to_name(s, text, sizeof(text)) ||
	    dz_dname_from_text(text, strlen(text), NULL, z->rname, &len, NULL,
			       &why) != 0) {
		return dz_kind_error(ctx, node, "adminEmail '%s' is not a "
				     "valid mailbox: %s", s, why);
	}
	return 0;
}

static int soa_fn(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		  struct dz_zspec *z)
{
	const struct dz_ynode *soa = dz_ynode_get(spec, "soaRecord");
	size_t len;
	int bad = 0;

	if (soa == NULL) {
		return dz_kind_error(ctx, spec,
				     "missing required field 'soaRecord'");
	}
	if (dz_ynode_type(soa) != DZ_YNODE_MAP) {
		return dz_kind_error(ctx, soa, "'soaRecord' must be a map");
	}
	bad |= dz_kind_get_name(ctx, soa, "primaryNs", z->mname, &len);
	bad |= admin_email(ctx, soa, z);
	bad |= get_u32(ctx, soa, "serial", 0, UINT32_MAX, &z->serial);
	bad |= get_u32(ctx, soa, "refresh", 1, UINT32_MAX, &z->refresh);
	bad |= get_u32(ctx, soa, "retry", 1, UINT32_MAX, &z->retry);
	bad |= get_u32(ctx, soa, "expire", 1, UINT32_MAX, &z->expire);
	bad |= get_u32(ctx, soa, "negativeTtl", 0, UINT32_MAX, &z->minimum);
	return bad ? DZ_EMANIFEST : 0;
}

/* ---- nameServers, nameServerIps ------------------------------------- */

/* Add a host (deduplicated); returns its entry or NULL on OOM. */
static struct dz_zspec_ns *ns_add(struct dz_zspec *z, const uint8_t *host)
{
	for (size_t i = 0; i < z->nns; i++) {
		if (dz_dname_equal(z->ns[i].host, host)) {
			return &z->ns[i];
		}
	}
	struct dz_zspec_ns *ns = realloc(z->ns, (z->nns + 1) * sizeof(*ns));
	if (ns == NULL) {
		return NULL;
	}
	z->ns = ns;
	ns = &z->ns[z->nns++];
	memset(ns, 0, sizeof(*ns));
	memcpy(ns->host, host, dz_dname_len(host));
	return ns;
}

static int glue_addr(struct dz_kind_ctx *ctx, const struct dz_ynode *node,
		     const char *field, int af, uint8_t *out)
{
	const char *s = dz_ynode_str(node);

	if (s == NULL || inet_pton(af, s, out) != 1) {
		return dz_kind_error(ctx, node, "%s '%s' is not an %s address",
				     field, s ? s : "", af == AF_INET ?
				     "IPv4" : "IPv6");
	}
	return 0;
}

static int one_ns(struct dz_kind_ctx *ctx, const struct dz_ynode *item,
		  struct dz_zspec *z)
{
	uint8_t host[DZ_DNAME_MAX], v4[4], v6[16];
	const struct dz_ynode *a4, *a6;
	struct dz_zspec_ns *ns;
	size_t len;
	int bad = 0;

	if (dz_ynode_type(item) != DZ_YNODE_MAP) {
		return dz_kind_error(ctx, item, "nameServers entry must be a "
				     "map with a hostname");
	}
	if (dz_kind_get_name(ctx, item, "hostname", host, &len) != 0) {
		return DZ_EMANIFEST;
	}
	a4 = dz_ynode_get(item, "ipv4Address");
	a6 = dz_ynode_get(item, "ipv6Address");
	if (a4 != NULL) {
		bad |= glue_addr(ctx, a4, "ipv4Address", AF_INET, v4);
	}
	if (a6 != NULL) {
		bad |= glue_addr(ctx, a6, "ipv6Address", AF_INET6, v6);
	}
	if (bad) {
		return DZ_EMANIFEST;
	}
	if ((ns = ns_add(z, host)) == NULL) {
		return DZ_ENOMEM;
	}
	if (a4 != NULL) {
		ns->has_v4 = true;
		memcpy(ns->v4, v4, 4);
	}
	if (a6 != NULL) {
		ns->has_v6 = true;
		memcpy(ns->v6, v6, 16);
	}
	return 0;
}

static int name_servers(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			struct dz_zspec *z)
{
	const struct dz_ynode *list = dz_ynode_get(spec, "nameServers");
	const struct dz_ynode *ips = dz_ynode_get(spec, "nameServerIps");
	int bad = 0;

	if (list != NULL && dz_ynode_type(list) != DZ_YNODE_SEQ) {
		return dz_kind_error(ctx, list, "'nameServers' must be a list");
	}
	for (size_t i = 0; list != NULL && i < ylen(list); i++) {
		int rc = one_ns(ctx, dz_ynode_at(list, i), z);
		if (rc == DZ_ENOMEM) {
			return rc;
		}
		bad |= rc;
	}
	if (ips == NULL || ylen(ips) == 0) {
		return bad ? DZ_EMANIFEST : 0;
	}
	if (list != NULL && ylen(list) > 0) {
		dz_kind_warn(ctx, ips, "nameServerIps ignored: nameServers "
			     "is set");
		return bad ? DZ_EMANIFEST : 0;
	}
	if (dz_ynode_type(ips) != DZ_YNODE_MAP) {
		return dz_kind_error(ctx, ips, "'nameServerIps' must be a map "
				     "of hostname to IPv4 address");
	}
	for (size_t i = 0; i < ylen(ips); i++) {
		uint8_t host[DZ_DNAME_MAX], v4[4];
		const struct dz_ynode *val = dz_ynode_value_at(ips, i);
		struct dz_zspec_ns *ns;
		size_t len;
		if (dz_kind_name_node(ctx, dz_ynode_key_at(ips, i), "hostname",
				      host, &len) != 0 ||
		    glue_addr(ctx, val, "nameServerIps address", AF_INET,
			      v4) != 0) {
			bad = 1;
			continue;
		}
		if ((ns = ns_add(z, host)) == NULL) {
			return DZ_ENOMEM;
		}
		ns->has_v4 = true;
		memcpy(ns->v4, v4, 4);
	}
	return bad ? DZ_EMANIFEST : 0;
}

/* ---- recordsFrom ---------------------------------------------------- */

static int match_labels(struct dz_kind_ctx *ctx, const struct dz_ynode *ml,
			struct dz_selector *s)
{
	size_t n = ylen(ml);

	if (dz_ynode_type(ml) != DZ_YNODE_MAP) {
		return dz_kind_error(ctx, ml, "'matchLabels' must be a map");
	}
	if (n == 0) {
		return 0;
	}
	if ((s->labels = calloc(n, sizeof(*s->labels))) == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *k = dz_ynode_str(dz_ynode_key_at(ml, i));
		const char *v = dz_ynode_str(dz_ynode_value_at(ml, i));
		if (k == NULL || v == NULL) {
			return dz_kind_error(ctx, dz_ynode_key_at(ml, i),
					     "matchLabels values must be "
					     "strings");
		}
		s->labels[s->nlabels++] = (struct dz_label){ k, v };
	}
	return 0;
}

static int one_expr(struct dz_kind_ctx *ctx, const struct dz_ynode *e,
		    struct dz_sel_expr *x)
{
	const struct dz_ynode *vals, *opn = NULL;
	const char *op = NULL;

	if (dz_ynode_type(e) != DZ_YNODE_MAP) {
		return dz_kind_error(ctx, e, "matchExpressions entry must be "
				     "a map");
	}
	if (dz_kind_get_str(ctx, e, "key", true, &x->key, NULL) != 0 ||
	    dz_kind_get_str(ctx, e, "operator", true, &op, &opn) != 0) {
		return DZ_EMANIFEST;
	}
	if ((x->op = dz_sel_op_parse(op)) == 0) {
		return dz_kind_error(ctx, opn, "operator '%s' must be In, "
				     "NotIn, Exists or DoesNotExist", op);
	}
	vals = dz_ynode_get(e, "values");
	size_t n = ylen(vals);
	if (vals != NULL && dz_ynode_type(vals) != DZ_YNODE_SEQ) {
		return dz_kind_error(ctx, vals, "'values' must be a list");
	}
	if ((x->op == DZ_SEL_IN || x->op == DZ_SEL_NOT_IN) && n == 0) {
		return dz_kind_error(ctx, opn, "operator %s needs values", op);
	}
	if (x->op == DZ_SEL_EXISTS || x->op == DZ_SEL_DOES_NOT_EXIST) {
		if (n > 0) {
			dz_kind_warn(ctx, vals, "values ignored for operator "
				     "%s", op);
		}
		return 0;
	}
	if ((x->values = calloc(n, sizeof(*x->values))) == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *v = dz_ynode_str(dz_ynode_at(vals, i));
		if (v == NULL) {
			return dz_kind_error(ctx, dz_ynode_at(vals, i),
					     "values must be strings");
		}
		x->values[x->nvalues++] = v;
	}
	return 0;
}

static int one_selector(struct dz_kind_ctx *ctx, const struct dz_ynode *sel,
			struct dz_selector *s)
{
	const struct dz_ynode *ml = dz_ynode_get(sel, "matchLabels");
	const struct dz_ynode *me = dz_ynode_get(sel, "matchExpressions");
	int rc;

	if (dz_ynode_type(sel) != DZ_YNODE_MAP) {
		return dz_kind_error(ctx, sel, "'selector' must be a map");
	}
	if (ml != NULL && (rc = match_labels(ctx, ml, s)) != 0) {
		return rc;
	}
	if (me == NULL) {
		return 0;
	}
	if (dz_ynode_type(me) != DZ_YNODE_SEQ) {
		return dz_kind_error(ctx, me, "'matchExpressions' must be a "
				     "list");
	}
	size_t n = ylen(me);
	if (n > 0 && (s->exprs = calloc(n, sizeof(*s->exprs))) == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		/* Counted first so that clear() frees a half-filled entry. */
		s->nexprs++;
		if ((rc = one_expr(ctx, dz_ynode_at(me, i),
				   &s->exprs[i])) != 0) {
			return rc;
		}
	}
	return 0;
}

static int records_from(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			struct dz_zspec *z)
{
	const struct dz_ynode *rf = dz_ynode_get(spec, "recordsFrom");
	size_t n = ylen(rf);
	int bad = 0;

	if (rf == NULL || n == 0) {
		return 0;
	}
	if (dz_ynode_type(rf) != DZ_YNODE_SEQ) {
		return dz_kind_error(ctx, rf, "'recordsFrom' must be a list");
	}
	if ((z->sels = calloc(n, sizeof(*z->sels))) == NULL) {
		return DZ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct dz_ynode *item = dz_ynode_at(rf, i);
		const struct dz_ynode *sel = dz_ynode_get(item, "selector");
		int rc;
		if (sel == NULL) {
			rc = dz_kind_error(ctx, item, "recordsFrom entry "
					   "needs a 'selector'");
		} else {
			z->nsels++;
			rc = one_selector(ctx, sel, &z->sels[z->nsels - 1]);
		}
		if (rc == DZ_ENOMEM) {
			return rc;
		}
		bad |= rc;
	}
	return bad ? DZ_EMANIFEST : 0;
}

static int zone_body_fn(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			void *arg)
{
	struct dz_zspec *z = arg;
	uint64_t ttl = 3600;
	int rc, bad = 0;

	bad |= soa_fn(ctx, spec, z);
	bad |= dz_kind_get_uint(ctx, spec, "ttl", 0, 2147483647, false, &ttl);
	z->ttl = (uint32_t)ttl;
	if ((rc = name_servers(ctx, spec, z)) == DZ_ENOMEM) {
		return rc;
	}
	bad |= rc;
	if ((rc = records_from(ctx, spec, z)) == DZ_ENOMEM) {
		return rc;
	}
	bad |= rc;
	return bad ? DZ_EMANIFEST : 0;
}

int dz_zspec_parse(struct dz_zspec *z, const struct dz_ynode *spec,
		   const char *file, struct dz_diags *diags)
{
	int rc1, rc2;

	memset(z, 0, sizeof(*z));
	rc1 = dz_kind_ctx_call(spec, NULL, file, diags, zone_name_fn, z);
	if (rc1 == DZ_ENOMEM) {
		return rc1;
	}
	/* The rest is read even with a bad zoneName, to report it all;
	 * relative names are then completed with the root. */
	rc2 = dz_kind_ctx_call(spec, rc1 == 0 ? z->origin : NULL, file, diags,
			       zone_body_fn, z);
	if (rc2 == DZ_ENOMEM) {
		return rc2;
	}
	return (rc1 || rc2) ? DZ_EMANIFEST : 0;
}

/* ---- the apex: SOA, NS, glue ---------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

size_t dz_zspec_soa_rdata(const struct dz_zspec *s, uint32_t serial,
			  uint8_t *rd)
{
	size_t ml = dz_dname_len(s->mname), rl = dz_dname_len(s->rname);
	const uint32_t v[5] = { serial, s->refresh, s->retry, s->expire,
				s->minimum };

	memcpy(rd, s->mname, ml);
	memcpy(rd + ml, s->rname, rl);
	for (size_t i = 0; i < 5; i++) {
		put32(rd + ml + rl + 4 * i, v[i]);
	}
	return ml + rl + 20;
}

static int add_soa(const struct dz_zspec *s, struct dz_zone_builder *b,
		   uint32_t serial)
{
	uint8_t rd[DZ_ZSPEC_SOA_MAX];
	size_t len = dz_zspec_soa_rdata(s, serial, rd);

	return dz_zone_builder_add(b, s->origin, T_SOA, s->ttl, rd,
				   (uint16_t)len, NULL);
}

static int add_ns_glue(const struct dz_zspec *s, struct dz_zone_builder *b)
{
	int rc = 0;

	for (size_t i = 0; i < s->nns && rc == 0; i++) {
		const struct dz_zspec_ns *ns = &s->ns[i];
		rc = dz_zone_builder_add(b, s->origin, T_NS, s->ttl,
					 ns->host,
					 (uint16_t)dz_dname_len(ns->host),
					 NULL);
		/* Glue only for hosts we are authoritative for. */
		if (rc != 0 || !dz_dname_is_subdomain(ns->host, s->origin)) {
			continue;
		}
		if (ns->has_v4) {
			rc = dz_zone_builder_add(b, ns->host, T_A, s->ttl,
						 ns->v4, 4, NULL);
		}
		if (rc == 0 && ns->has_v6) {
			rc = dz_zone_builder_add(b, ns->host, T_AAAA,
						 s->ttl, ns->v6, 16, NULL);
		}
	}
	return rc;
}

int dz_zspec_add_apex(const struct dz_zspec *z, struct dz_zone_builder *b,
		      uint32_t serial)
{
	int rc = add_soa(z, b, serial);

	return rc != 0 ? rc : add_ns_glue(z, b);
}

int dz_zspec_add_ns_fallback(const struct dz_zspec *z,
			     struct dz_zone_builder *b)
{
	if (dz_zone_builder_has(b, z->origin, T_NS)) {
		return 0;
	}
	return dz_zone_builder_add(b, z->origin, T_NS, z->ttl, z->mname,
				   (uint16_t)dz_dname_len(z->mname), NULL);
}
