/* SPDX-License-Identifier: MIT */
/* kindctx.c -- the core side of a kind's parse(): context, helpers, run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/yaml.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "zone/kindctx.h"

struct dz_kind_ctx {
	const struct dz_kind *kind;
	const struct dz_ynode *spec;
	const uint8_t *origin; /* NULL: the root */
	const char *file;
	struct dz_diags *diags;
	struct dz_rdata_list *out;
	bool failed;  /* an error was reported */
	bool nomem;   /* dz_kind_add_rdata ran out of memory */
};

void dz_rdata_list_clear(struct dz_rdata_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((void *)l->items[i].data);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
	l->cap = 0;
}

/* Drop the entries from index 'from' on (what one run added). */
static void rdata_truncate(struct dz_rdata_list *l, size_t from)
{
	for (size_t i = from; i < l->n; i++) {
		free((void *)l->items[i].data);
	}
	if (from < l->n) {
		l->n = from;
	}
}

static void ctx_vreport(struct dz_kind_ctx *ctx, enum dz_severity sev,
			const struct dz_ynode *at, const char *fmt,
			va_list ap)
{
	char *msg = NULL;
	uint32_t line = 0, col = 0;

	if (at == NULL) {
		at = ctx->spec;
	}
	if (at != NULL) {
		line = at->line;
		col = at->col;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
	}
	if (sev == DZ_SEV_ERROR) {
		ctx->failed = true;
	}
	if (msg == NULL) {
		ctx->nomem = true;
		return;
	}
	dz_diags_add(ctx->diags, sev, ctx->file, line, col, "%s", msg);
	free(msg);
}

int dz_kind_error(struct dz_kind_ctx *ctx, const struct dz_ynode *at,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vreport(ctx, DZ_SEV_ERROR, at, fmt, ap);
	va_end(ap);
	return DZ_EMANIFEST;
}

void dz_kind_warn(struct dz_kind_ctx *ctx, const struct dz_ynode *at,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vreport(ctx, DZ_SEV_WARNING, at, fmt, ap);
	va_end(ap);
}

int dz_kind_add_rdata(struct dz_kind_ctx *ctx, const uint8_t *rdata,
		      size_t len)
{
	struct dz_rdata_list *l = ctx->out;

	if (l == NULL) {
		return DZ_EINVAL;
	}
	if (len > DZ_RDATA_MAX) {
		return dz_kind_error(ctx, NULL,
				     "record data of %zu bytes exceeds %u",
				     len, (unsigned)DZ_RDATA_MAX);
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct dz_rdata *items = realloc(l->items,
						 cap * sizeof(*items));
		if (items == NULL) {
			ctx->nomem = true;
			return DZ_ENOMEM;
		}
		l->items = items;
		l->cap = cap;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		ctx->nomem = true;
		return DZ_ENOMEM;
	}
	if (len > 0) {
		memcpy(copy, rdata, len);
	}
	l->items[l->n++] = (struct dz_rdata){ .len = (uint16_t)len,
					      .data = copy };
	return 0;
}

/* A YAML null ("", "~", "null" unquoted) counts as an absent field. */
static bool is_null_scalar(const struct dz_ynode *n)
{
	if (n->type != DZ_YNODE_SCALAR || n->quoted) {
		return false;
	}
	const char *s = n->u.str;
	return s[0] == '\0' || strcmp(s, "~") == 0 ||
	       strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

/* The field's node, or NULL when absent or null. */
static const struct dz_ynode *field_node(const struct dz_ynode *spec,
					 const char *field)
{
	const struct dz_ynode *n = dz_ynode_get(spec, field);

	if (n == NULL || is_null_scalar(n)) {
		return NULL;
	}
	return n;
}

/*
 * The scalar node of spec.<field>, checked once for every getter: *n is
 * NULL when the field is absent and optional; a missing required field or
 * a map or list where a scalar (what: "an integer", "a string") belongs
 * is reported and returns DZ_EMANIFEST.
 */
static int scalar_field(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
			const char *field, bool required, const char *what,
			const struct dz_ynode **n)
{
	*n = field_node(spec, field);
	if (*n == NULL) {
		return required ? dz_kind_error(ctx, spec,
						"missing required field '%s'",
						field) : 0;
	}
	if ((*n)->type != DZ_YNODE_SCALAR) {
		return dz_kind_error(ctx, *n, "'%s' must be %s, got a %s",
				     field, what, (*n)->type == DZ_YNODE_MAP ?
				     "map" : "list");
	}
	return 0;
}

/* Decimal integer with optional sign; *neg for a '-' sign. */
static bool parse_int(const char *s, uint64_t *v, bool *neg, bool *big)
{
	uint64_t x = 0;

	*neg = false;
	*big = false;
	if (*s == '+' || *s == '-') {
		*neg = (*s == '-');
		s++;
	}
	if (*s == '\0') {
		return false;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10) {
			*big = true;
		} else {
			x = x * 10 + d;
		}
	}
	*v = x;
	return true;
}

int dz_kind_get_uint(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		     const char *field, uint64_t min, uint64_t max,
		     bool required, uint64_t *out)
{
	const struct dz_ynode *n;
	uint64_t v = 0;
	bool neg, big;
	int rc = scalar_field(ctx, spec, field, required, "an integer", &n);

	if (rc != 0 || n == NULL) {
		return rc;
	}
	if (!parse_int(n->u.str, &v, &neg, &big)) {
		return dz_kind_error(ctx, n,
				     "'%s' must be an integer, got '%s'",
				     field, n->u.str);
	}
	if (big || (neg && v != 0) || v < min || v > max) {
		return dz_kind_error(ctx, n, "%s %s out of range %llu..%llu",
				     field, n->u.str,
				     (unsigned long long)min,
				     (unsigned long long)max);
	}
	*out = v;
	return 0;
}

int dz_kind_get_str(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		    const char *field, bool required, const char **out,
		    const struct dz_ynode **node)
{
	const struct dz_ynode *n;
	int rc = scalar_field(ctx, spec, field, required, "a string", &n);

	if (node != NULL) {
		*node = n;
	}
	if (rc != 0 || n == NULL) {
		return rc;
	}
	*out = n->u.str;
	return 0;
}

int dz_kind_name_node(struct dz_kind_ctx *ctx, const struct dz_ynode *node,
		      const char *field, uint8_t *out, size_t *outlen)
{
	const char *why = "invalid";
	unsigned flags = 0;
	char text[DZ_DNAME_MAX * 4 + 2];

	if (node == NULL || node->type != DZ_YNODE_SCALAR) {
		return dz_kind_error(ctx, node, "'%s' must be a domain name",
				     field);
	}
	const char *s = node->u.str;
	if (dz_dname_from_text(s, node->len, ctx->origin, out, outlen,
			       &flags, &why) != 0) {
		return dz_kind_error(ctx, node,
				     "%s '%s' is not a valid domain name: %s",
				     field, s, why);
	}
	bool at_origin = node->len == 0 || strcmp(s, "@") == 0;
	/* The likely mistake (MANIFESTS.md): say what is served, or, for a
	 * record in no zone yet, that it will depend on the zone. */
	if ((flags & DZ_DNAME_F_RELATIVE) && !at_origin) {
		if (ctx->origin != NULL) {
			dz_dname_to_text(out, text, sizeof(text));
			dz_kind_warn(ctx, node, "%s '%s' has no trailing dot: "
				     "served as %s", field, s, text);
		} else {
			dz_kind_warn(ctx, node, "%s '%s' has no trailing dot: "
				     "it is relative to the zone the record "
				     "joins", field, s);
		}
	}
	if (flags & DZ_DNAME_F_NONHOST) {
		dz_kind_warn(ctx, node,
			     "%s '%s' has characters outside hostname syntax",
			     field, s);
	}
	return 0;
}

int dz_kind_get_name(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		     const char *field, uint8_t *out, size_t *outlen)
{
	const struct dz_ynode *n = field_node(spec, field);

	if (n == NULL) {
		return dz_kind_error(ctx, spec, "missing required field '%s'",
				     field);
	}
	return dz_kind_name_node(ctx, n, field, out, outlen);
}

static bool known_key(const struct dz_kind *k, const char *key)
{
	static const char *const core[] = { "name", "ttl", "zone",
					     "zoneRef", NULL };

	for (size_t i = 0; core[i] != NULL; i++) {
		if (strcmp(core[i], key) == 0) {
			return true;
		}
	}
	for (size_t i = 0; k->fields[i] != NULL; i++) {
		if (strcmp(k->fields[i], key) == 0) {
			return true;
		}
	}
	return false;
}

static void warn_unknown_keys(struct dz_kind_ctx *ctx)
{
	const struct dz_ynode *spec = ctx->spec;

	if (ctx->kind->fields == NULL || spec == NULL ||
	    spec->type != DZ_YNODE_MAP) {
		return;
	}
	for (size_t i = 0; i < spec->len; i++) {
		const struct dz_ynode *key = spec->u.pairs[i].key;
		if (key == NULL || key->type != DZ_YNODE_SCALAR) {
			continue;
		}
		if (!known_key(ctx->kind, key->u.str)) {
			dz_kind_warn(ctx, key, "unknown field '%s' ignored",
				     key->u.str);
		}
	}
}

int dz_kind_run(const struct dz_kind *k, const struct dz_ynode *spec,
		const uint8_t *origin, const char *file,
		struct dz_diags *diags, struct dz_rdata_list *out)
{
	struct dz_kind_ctx ctx = {
		.kind = k, .spec = spec, .origin = origin, .file = file,
		.diags = diags, .out = out,
	};
	size_t start = out->n;
	int rc;

	if (spec == NULL || spec->type != DZ_YNODE_MAP) {
		dz_kind_error(&ctx, NULL, "spec must be a map");
		return DZ_EMANIFEST;
	}
	warn_unknown_keys(&ctx);
	rc = k->parse(&ctx, spec);
	if (ctx.nomem || rc == DZ_ENOMEM) {
		rc = DZ_ENOMEM;
	} else if (rc != 0 || ctx.failed) {
		/* A kind that reported an error must not be served, even
		 * if it forgot to return the failure. */
		if (!ctx.failed) {
			dz_kind_error(&ctx, NULL, "%s: %s", k->name,
				      dz_strerror(rc));
		}
		rc = DZ_EMANIFEST;
	}
	if (rc != 0) {
		rdata_truncate(out, start);
	}
	return rc;
}

int dz_kind_ctx_call(const struct dz_ynode *spec, const uint8_t *origin,
		     const char *file, struct dz_diags *diags,
		     int (*fn)(struct dz_kind_ctx *ctx,
			       const struct dz_ynode *spec, void *arg),
		     void *arg)
{
	struct dz_kind_ctx ctx = {
		.spec = spec, .origin = origin, .file = file, .diags = diags,
	};
	int rc = fn(&ctx, spec, arg);

	if (ctx.nomem || rc == DZ_ENOMEM) {
		return DZ_ENOMEM;
	}
	if (rc != 0 || ctx.failed) {
		return DZ_EMANIFEST;
	}
	return 0;
}
