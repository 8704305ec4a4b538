/* SPDX-License-Identifier: MIT */
/* import.c -- an RFC 1035 zone file (read by ldns) to bindy manifests. */
#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/errcode.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"

#define API "bindy.firestoned.io/v1beta1"
#define ZONE_LABEL "bindy.firestoned.io/zone"

/* All RRs of one owner and type, in file order. */
struct rrset {
	ldns_rr_list *rrs;
	uint32_t ttl;          /* the smallest */
	int line;              /* of the first RR */
};

struct imp {
	const char *path;
	const char *ns;
	const char *outdir;    /* NULL: one stream on out */
	FILE *out, *err;
	ldns_rdf *origin;
	char zone[DZ_DNAME_MAX * 4 + 2]; /* "x.test" (no trailing dot) */
	struct rrset *sets;
	size_t nsets, cap;
	ldns_rr *soa;
	char **names;          /* metadata names used so far */
	size_t nnames;
	int warnings;
	size_t files, objects;
};

static void warn(struct imp *im, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct imp *im, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(im->err, "%s:%d: warning: ", im->path, line);
	va_start(ap, fmt);
	vfprintf(im->err, fmt, ap);
	va_end(ap);
	fputc('\n', im->err);
	im->warnings++;
}

/* ---- Reading -------------------------------------------------------------- */

static struct rrset *set_for(struct imp *im, const ldns_rr *rr, int line)
{
	for (size_t i = 0; i < im->nsets; i++) {
		ldns_rr *f = ldns_rr_list_rr(im->sets[i].rrs, 0);
		if (ldns_rr_get_type(f) == ldns_rr_get_type(rr) &&
		    ldns_dname_compare(ldns_rr_owner(f),
				       ldns_rr_owner(rr)) == 0) {
			return &im->sets[i];
		}
	}
	if (im->nsets == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		struct rrset *v = realloc(im->sets, cap * sizeof(*v));
		if (v == NULL) {
			return NULL;
		}
		im->sets = v;
		im->cap = cap;
	}
	struct rrset *s = &im->sets[im->nsets];
	s->rrs = ldns_rr_list_new();
	s->ttl = ldns_rr_ttl(rr);
	s->line = line;
	if (s->rrs == NULL) {
		return NULL;
	}
	im->nsets++;
	return s;
}

/* Keep rr (taken over) unless it cannot be imported. */
static int keep(struct imp *im, ldns_rr *rr, int line)
{
	struct rrset *s;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		warn(im, line, "class is not IN: skipped");
	} else if (!ldns_dname_is_subdomain(ldns_rr_owner(rr), im->origin) &&
		   ldns_dname_compare(ldns_rr_owner(rr), im->origin) != 0) {
		warn(im, line, "owner is outside the origin: skipped");
	} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
		if (im->soa != NULL ||
		    ldns_dname_compare(ldns_rr_owner(rr), im->origin) != 0) {
			warn(im, line, "SOA not at the origin, or a second "
			     "one: skipped");
		} else {
			im->soa = rr;
			return 0;
		}
	} else if ((s = set_for(im, rr, line)) == NULL) {
		ldns_rr_free(rr);
		return DZ_ENOMEM;
	} else {
		if (ldns_rr_ttl(rr) != s->ttl) {
			warn(im, line, "TTL %u differs from the RRset's %u: "
			     "the smallest is served", ldns_rr_ttl(rr),
			     s->ttl);
			s->ttl = ldns_rr_ttl(rr) < s->ttl ? ldns_rr_ttl(rr) :
				 s->ttl;
		}
		ldns_rr_list_push_rr(s->rrs, rr);
		return 0;
	}
	ldns_rr_free(rr);
	return 0;
}

static int read_file(struct imp *im, FILE *f)
{
	uint32_t ttl = 3600;
	ldns_rdf *origin = ldns_rdf_clone(im->origin), *prev = NULL;
	int line = 0, rc = 0;

	while (rc == 0 && !feof(f)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin,
						      &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN) {
			continue;
		}
		if (st != LDNS_STATUS_OK) {
			fprintf(im->err, "%s:%d: error: %s\n", im->path, line,
				ldns_get_errorstr_by_id(st));
			rc = DZ_EINVAL;
			break;
		}
		rc = keep(im, rr, line);
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return rc;
}

/* ---- Writing YAML ------------------------------------------------------- */

/* A YAML double-quoted scalar of len bytes. */
static void yq(FILE *out, const uint8_t *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			fprintf(out, "\\%c", s[i]);
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			fprintf(out, "\\x%02x", s[i]);
		} else {
			fputc(s[i], out);
		}
	}
	fputc('"', out);
}

static void yqs(FILE *out, const char *s)
{
	yq(out, (const uint8_t *)s, strlen(s));
}

/* Presentation form of a name rdf, absolute (trailing dot). */
static char *name_text(const ldns_rdf *d)
{
	return ldns_rdf2str(d);
}

/* The owner relative to the origin: "@", "www", "*.dev". */
static char *relative(struct imp *im, const ldns_rdf *owner)
{
	char *o = ldns_rdf2str(owner), *z = ldns_rdf2str(im->origin);
	size_t ol = o ? strlen(o) : 0, zl = z ? strlen(z) : 0;

	if (o != NULL && z != NULL) {
		if (strcasecmp(o, z) == 0) {
			strcpy(o, "@");
		} else if (ol > zl + 1 && o[ol - zl - 1] == '.' &&
			   strcasecmp(o + ol - zl, z) == 0) {
			o[ol - zl - 1] = '\0';
		}
	}
	free(z);
	return o;
}

/* A DNS-1123 object name from "a-b", unique among those made. */
static char *object_name(struct imp *im, const char *a, const char *b)
{
	char joined[512], base[200], *name = NULL;
	size_t n = 0;

	snprintf(joined, sizeof(joined), "%s-%s", a, b);
	for (const char *p = joined; *p != '\0' && n + 1 < sizeof(base);
	     p++) {
		char c = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)c)) {
			c = '-';
		}
		if (c != '-' || (n > 0 && base[n - 1] != '-')) {
			base[n++] = c;
		}
	}
	while (n > 0 && base[n - 1] == '-') {
		n--;
	}
	base[n] = '\0';
	for (unsigned i = 1; name == NULL; i++) {
		char *cand;
		bool used = false;
		if ((i == 1 ? asprintf(&cand, "%s", base) :
		     asprintf(&cand, "%s-%u", base, i)) < 0) {
			return NULL;
		}
		for (size_t k = 0; k < im->nnames && !used; k++) {
			used = strcmp(im->names[k], cand) == 0;
		}
		if (used) {
			free(cand);
			continue;
		}
		char **v = realloc(im->names, (im->nnames + 1) * sizeof(*v));
		if (v == NULL) {
			free(cand);
			return NULL;
		}
		im->names = v;
		im->names[im->nnames++] = cand;
		name = cand;
	}
	return name;
}

/* The stream for one object file: a new file in outdir, or out. */
static FILE *open_out(struct imp *im, const char *name)
{
	char *path;
	FILE *f;

	if (im->outdir == NULL) {
		fputs("---\n", im->out);
		return im->out;
	}
	if (asprintf(&path, "%s/%s.yaml", im->outdir, name) < 0) {
		return NULL;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(im->err, "dropzonectl: cannot write '%s': %s\n", path,
			strerror(errno));
	}
	free(path);
	im->files++;
	return f;
}

static int close_out(struct imp *im, FILE *f)
{
	if (f == im->out) {
		return 0;
	}
	return fclose(f) == 0 ? 0 : -errno;
}

static void header(struct imp *im, FILE *f, const char *kind,
		   const char *name)
{
	fprintf(f, "apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n"
		"  namespace: %s\n", API, kind, name, im->ns);
	im->objects++;
}

static void labels(struct imp *im, FILE *f)
{
	fprintf(f, "  labels:\n    %s: ", ZONE_LABEL);
	yqs(f, im->zone);
	fputc('\n', f);
}

static uint32_t rdf32(const ldns_rr *rr, size_t i)
{
	return ldns_rdf2native_int32(ldns_rr_rdf(rr, i));
}

static uint16_t rdf16(const ldns_rr *rr, size_t i)
{
	return ldns_rdf2native_int16(ldns_rr_rdf(rr, i));
}

/* A name field of the spec, absolute. */
static void name_field(FILE *f, const char *key, const ldns_rdf *d)
{
	char *t = name_text(d);

	fprintf(f, "  %s: ", key);
	yqs(f, t ? t : ".");
	fputc('\n', f);
	free(t);
}

static struct rrset *apex_ns(struct imp *im)
{
	for (size_t i = 0; i < im->nsets; i++) {
		ldns_rr *f = ldns_rr_list_rr(im->sets[i].rrs, 0);
		if (ldns_rr_get_type(f) == LDNS_RR_TYPE_NS &&
		    ldns_dname_compare(ldns_rr_owner(f), im->origin) == 0) {
			return &im->sets[i];
		}
	}
	return NULL;
}

static int write_zone(struct imp *im)
{
	const struct rrset *ns = apex_ns(im);
	const ldns_rr *soa = im->soa;
	char *name = object_name(im, "zone", im->zone);
	FILE *f = name ? open_out(im, name) : NULL;

	if (f == NULL) {
		return DZ_ENOMEM;
	}
	header(im, f, "DNSZone", name);
	fprintf(f, "spec:\n  zoneName: ");
	yqs(f, im->zone);
	fprintf(f, "\n  ttl: %u\n  soaRecord:\n", ldns_rr_ttl(soa));
	name_field(f, "  primaryNs", ldns_rr_rdf(soa, 0));
	name_field(f, "  adminEmail", ldns_rr_rdf(soa, 1));
	fprintf(f, "    serial: %u\n    refresh: %u\n    retry: %u\n"
		"    expire: %u\n    negativeTtl: %u\n", rdf32(soa, 2),
		rdf32(soa, 3), rdf32(soa, 4), rdf32(soa, 5), rdf32(soa, 6));
	if (ns != NULL) {
		fprintf(f, "  nameServers:\n");
		for (size_t i = 0; i < ldns_rr_list_rr_count(ns->rrs); i++) {
			ldns_rr *rr = ldns_rr_list_rr(ns->rrs, i);
			name_field(f, "  - hostname", ldns_rr_rdf(rr, 0));
		}
		if (ns->ttl != ldns_rr_ttl(soa)) {
			warn(im, ns->line, "NS at the origin has TTL %u, the "
			     "SOA %u: served with the SOA's", ns->ttl,
			     ldns_rr_ttl(soa));
		}
	} else {
		warn(im, 0, "no NS at the origin: the SOA's primary name "
		     "server is served as NS");
	}
	fprintf(f, "  recordsFrom:\n  - selector:\n      matchLabels:\n"
		"        %s: ", ZONE_LABEL);
	yqs(f, im->zone);
	fputc('\n', f);
	return close_out(im, f);
}

/* The rdata of rr in wire form (caller frees). */
static ldns_buffer *rdata_wire(const ldns_rr *rr)
{
	ldns_buffer *b = ldns_buffer_new(1024);

	if (b != NULL && ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK) {
		ldns_buffer_free(b);
		b = NULL;
	}
	return b;
}

/*
 * TXT: the character-strings as a list; false when one cannot be (with
 * f NULL: only check, and warn).
 */
static bool txt_fields(struct imp *im, FILE *f, const ldns_rr *rr, int line)
{
	ldns_buffer *b = rdata_wire(rr);
	const uint8_t *p, *end;
	bool ok = b != NULL;

	if (!ok) {
		return false;
	}
	p = ldns_buffer_begin(b);
	end = p + ldns_buffer_position(b);
	for (const uint8_t *q = p; f == NULL && q < end; q += 1 + *q) {
		if (memchr(q + 1, 0, *q) != NULL) {
			warn(im, line, "TXT with a NUL byte cannot be a "
			     "TXTRecord: skipped");
			ok = false;
		}
	}
	if (ok && f != NULL) {
		fprintf(f, "  text:\n");
		for (; p < end; p += 1 + *p) {
			fprintf(f, "  - ");
			yq(f, p + 1, *p);
			fputc('\n', f);
		}
	}
	ldns_buffer_free(b);
	return ok;
}

static bool caa_fields(struct imp *im, FILE *f, const ldns_rr *rr, int line)
{
	ldns_buffer *b = rdata_wire(rr);
	const uint8_t *p;
	size_t len;
	char tag[256];
	bool ok = false;

	if (b == NULL) {
		return false;
	}
	p = ldns_buffer_begin(b);
	len = ldns_buffer_position(b);
	if (len >= 2 && (size_t)2 + p[1] <= len) {
		snprintf(tag, sizeof(tag), "%.*s", p[1], (const char *)p + 2);
		ok = strcmp(tag, "issue") == 0 ||
		     strcmp(tag, "issuewild") == 0 ||
		     strcmp(tag, "iodef") == 0;
		if (!ok && f == NULL) {
			warn(im, line, "CAA tag '%s' is not issue, issuewild "
			     "or iodef: skipped", tag);
		}
	}
	if (ok && f != NULL) {
		fprintf(f, "  flags: %u\n  tag: %s\n  value: ", p[0], tag);
		yq(f, p + 2 + p[1], len - 2 - p[1]);
		fputc('\n', f);
	}
	ldns_buffer_free(b);
	return ok;
}

/* The spec fields of one RR after name and ttl; false: it cannot be
 * written (warned when f is NULL: the check before writing). */
static bool fields(struct imp *im, FILE *f, const ldns_rr *rr, int line)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	if (f == NULL) {
		return t == LDNS_RR_TYPE_TXT ? txt_fields(im, f, rr, line) :
		       t == LDNS_RR_TYPE_CAA ? caa_fields(im, f, rr, line) :
		       true;
	}
	switch (t) {
	case LDNS_RR_TYPE_MX:
		fprintf(f, "  priority: %u\n", rdf16(rr, 0));
		name_field(f, "mailServer", ldns_rr_rdf(rr, 1));
		return true;
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_PTR:
		name_field(f, "target", ldns_rr_rdf(rr, 0));
		return true;
	case LDNS_RR_TYPE_NS:
		name_field(f, "nameserver", ldns_rr_rdf(rr, 0));
		return true;
	case LDNS_RR_TYPE_SRV:
		fprintf(f, "  priority: %u\n  weight: %u\n  port: %u\n",
			rdf16(rr, 0), rdf16(rr, 1), rdf16(rr, 2));
		name_field(f, "target", ldns_rr_rdf(rr, 3));
		return true;
	case LDNS_RR_TYPE_TXT:
		return txt_fields(im, f, rr, line);
	case LDNS_RR_TYPE_CAA:
		return caa_fields(im, f, rr, line);
	default:
		return false;
	}
}

static const char *kind_of(ldns_rr_type t)
{
	switch (t) {
	case LDNS_RR_TYPE_A: return "ARecord";
	case LDNS_RR_TYPE_AAAA: return "AAAARecord";
	case LDNS_RR_TYPE_MX: return "MXRecord";
	case LDNS_RR_TYPE_CNAME: return "CNAMERecord";
	case LDNS_RR_TYPE_TXT: return "TXTRecord";
	case LDNS_RR_TYPE_NS: return "NSRecord";
	case LDNS_RR_TYPE_SRV: return "SRVRecord";
	case LDNS_RR_TYPE_CAA: return "CAARecord";
	case LDNS_RR_TYPE_PTR: return "PTRRecord";
	default: return NULL;
	}
}

/* One object's head: metadata, spec.name and spec.ttl. */
static void record_head(struct imp *im, FILE *f, const char *kind,
			const char *name, const char *owner, uint32_t ttl)
{
	header(im, f, kind, name);
	labels(im, f);
	fprintf(f, "spec:\n  name: ");
	yqs(f, owner);
	fputc('\n', f);
	if (ttl != ldns_rr_ttl(im->soa)) {
		fprintf(f, "  ttl: %u\n", ttl);
	}
}

/* A and AAAA: the whole RRset in one object. */
static void addresses(struct imp *im, FILE *f, const struct rrset *s)
{
	bool v4 = ldns_rr_get_type(ldns_rr_list_rr(s->rrs, 0)) ==
		  LDNS_RR_TYPE_A;

	fprintf(f, "  %s:\n", v4 ? "ipv4Addresses" : "ipv6Addresses");
	for (size_t i = 0; i < ldns_rr_list_rr_count(s->rrs); i++) {
		char *t = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(s->rrs, i),
						   0));
		fprintf(f, "  - ");
		yqs(f, t ? t : "");
		fputc('\n', f);
		free(t);
	}
}

static int write_set(struct imp *im, const struct rrset *s)
{
	const ldns_rr *first = ldns_rr_list_rr(s->rrs, 0);
	ldns_rr_type t = ldns_rr_get_type(first);
	const char *kind = kind_of(t);
	char *owner, *base, tname[32], *name;
	FILE *f;
	int rc;

	if (kind == NULL) {
		char *tt = ldns_rr_type2str(t);
		warn(im, s->line, "type %s has no bindy kind: skipped",
		     tt ? tt : "?");
		free(tt);
		return 0;
	}
	owner = relative(im, ldns_rr_owner(first));
	snprintf(tname, sizeof(tname), "%s", kind);
	tname[strlen(tname) - strlen("Record")] = '\0';
	base = object_name(im, strcmp(owner, "@") == 0 ? "apex" :
			   strcmp(owner, "*") == 0 ? "wildcard" : owner,
			   tname);
	f = base != NULL ? open_out(im, base) : NULL;
	if (f == NULL) {
		free(owner);
		return base == NULL ? DZ_ENOMEM : -EIO;
	}
	if (t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) {
		record_head(im, f, kind, base, owner, s->ttl);
		addresses(im, f, s);
	}
	for (size_t i = 0, n = 0; t != LDNS_RR_TYPE_A &&
	     t != LDNS_RR_TYPE_AAAA && i < ldns_rr_list_rr_count(s->rrs);
	     i++) {
		const ldns_rr *rr = ldns_rr_list_rr(s->rrs, i);
		if (!fields(im, NULL, rr, s->line)) {
			continue;
		}
		name = n == 0 ? base : object_name(im, base, "");
		if (name == NULL) {
			break;
		}
		if (n++ > 0) {
			fputs("---\n", f);
		}
		record_head(im, f, kind, name, owner, s->ttl);
		fields(im, f, rr, s->line);
	}
	free(owner);
	rc = close_out(im, f);
	return rc;
}

static void imp_free(struct imp *im)
{
	for (size_t i = 0; i < im->nsets; i++) {
		ldns_rr_list_deep_free(im->sets[i].rrs);
	}
	free(im->sets);
	for (size_t i = 0; i < im->nnames; i++) {
		free(im->names[i]);
	}
	free(im->names);
	ldns_rr_free(im->soa);
	ldns_rdf_deep_free(im->origin);
}

/* The origin as an absolute ldns name and as "x.test" text. */
static int set_origin(struct imp *im, const char *origin)
{
	char *abs = NULL;
	size_t n = strlen(origin);

	if (n == 0 || n > DZ_DNAME_MAX * 4 ||
	    asprintf(&abs, "%s%s", origin,
		     origin[n - 1] == '.' ? "" : ".") < 0) {
		return DZ_EINVAL;
	}
	im->origin = ldns_dname_new_frm_str(abs);
	snprintf(im->zone, sizeof(im->zone), "%s", abs);
	n = strlen(im->zone);
	if (n > 1) {
		im->zone[n - 1] = '\0';
	}
	free(abs);
	return im->origin != NULL ? 0 : DZ_EINVAL;
}

int dz_xfr_import(const char *path, const char *origin, const char *ns,
		  const char *outdir, FILE *out, FILE *err)
{
	struct imp im = { .path = path, .ns = ns, .outdir = outdir,
			  .out = out, .err = err };
	FILE *f = NULL;
	int rc;

	if (set_origin(&im, origin) != 0) {
		fprintf(err, "dropzonectl: --origin '%s': not a domain name\n",
			origin);
		rc = DZ_EINVAL;
		goto out;
	}
	if (outdir != NULL && mkdir(outdir, 0755) < 0 && errno != EEXIST) {
		fprintf(err, "dropzonectl: cannot create '%s': %s\n", outdir,
			strerror(errno));
		rc = -errno;
		goto out;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(err, "dropzonectl: cannot read '%s': %s\n", path,
			strerror(errno));
		rc = -errno;
		goto out;
	}
	rc = read_file(&im, f);
	if (rc == 0 && im.soa == NULL) {
		fprintf(err, "%s: error: no SOA record at the origin '%s.'\n",
			path, im.zone);
		rc = DZ_EINVAL;
	}
	if (rc == 0) {
		rc = write_zone(&im);
	}
	for (size_t i = 0; rc == 0 && i < im.nsets; i++) {
		const ldns_rr *first = ldns_rr_list_rr(im.sets[i].rrs, 0);
		if (ldns_rr_get_type(first) == LDNS_RR_TYPE_NS &&
		    ldns_dname_compare(ldns_rr_owner(first), im.origin) == 0) {
			continue; /* the DNSZone's nameServers */
		}
		rc = write_set(&im, &im.sets[i]);
	}
	if (rc == 0) {
		fprintf(err, "%zu objects from %s, %d warning%s\n",
			im.objects, path, im.warnings,
			im.warnings == 1 ? "" : "s");
	}
out:
	if (f != NULL) {
		fclose(f);
	}
	imp_free(&im);
	return rc;
}
