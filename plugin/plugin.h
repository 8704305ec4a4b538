/* SPDX-License-Identifier: MIT */
/* plugin.h -- the record-kind plugin API: the only header a kind includes. */
#pragma once

/*
 * A record kind (ARecord, MXRecord, ...) is one const struct dz_kind. The
 * core never names a kind: it finds the descriptor by the manifest's "kind:"
 * value (dz_kind_lookup_name) or by RR type (dz_kind_lookup_type), calls
 * parse() to turn the object's spec into RRs, and uses the flags and
 * callbacks below to order and compress answers.
 *
 * Built-in kinds are listed in plugin/registry.c. Extra kinds are shared
 * objects in --plugin-dir that export
 *     const struct dz_kind *dz_kind_plugin(void);
 * and whose descriptor's abi equals DZ_KIND_ABI.
 *
 * ABI rule: fields are only ever appended to struct dz_kind; DZ_KIND_ABI is
 * bumped when a field is added or a contract changes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/wire.h"

#define DZ_KIND_ABI 1

/* Largest rdata a kind may produce for one RR. */
#define DZ_RDATA_MAX 65535

/* ---- YAML nodes, read-only view for plugins ---------------------------- */

struct dz_ynode; /* a YAML node with its file position (manifest/yaml.h) */

enum dz_ynode_type {
	DZ_YNODE_SCALAR = 1,
	DZ_YNODE_SEQ = 2,
	DZ_YNODE_MAP = 3,
};

enum dz_ynode_type dz_ynode_type(const struct dz_ynode *n);
/* Scalar text (NUL-terminated) or NULL when n is not a scalar. */
const char *dz_ynode_str(const struct dz_ynode *n);
/* Map lookup by key; NULL when n is not a map or has no such key. */
const struct dz_ynode *dz_ynode_get(const struct dz_ynode *map, const char *key);
/* Sequence / map size (0 for a scalar) and items (NULL out of range). */
size_t dz_ynode_len(const struct dz_ynode *n);
const struct dz_ynode *dz_ynode_at(const struct dz_ynode *seq, size_t i);
/* Map entry i: its key node and value node. */
const struct dz_ynode *dz_ynode_key_at(const struct dz_ynode *map, size_t i);
const struct dz_ynode *dz_ynode_value_at(const struct dz_ynode *map, size_t i);
/* 1-based position of the node's first character. */
uint32_t dz_ynode_line(const struct dz_ynode *n);
uint32_t dz_ynode_col(const struct dz_ynode *n);
/* True when the scalar was written in quotes ("10" is then a string). */
bool dz_ynode_quoted(const struct dz_ynode *n);

/* ---- Parse context: where a kind reports RRs and diagnostics ----------- */

struct dz_kind_ctx; /* owned by the core, valid during one parse() call */

/*
 * Report an error or a warning at node 'at' (NULL: at the spec itself).
 * The core adds "file:line:col". Messages are short lower-case phrases that
 * quote the value: "priority 70000 out of range 0..65535".
 * dz_kind_error returns DZ_EMANIFEST so a parse can 'return dz_kind_error()'.
 */
int dz_kind_error(struct dz_kind_ctx *ctx, const struct dz_ynode *at,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dz_kind_warn(struct dz_kind_ctx *ctx, const struct dz_ynode *at,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Add one RR of the kind's type with this rdata (uncompressed wire form).
 * The owner and TTL come from the object (spec.name / spec.ttl). Returns 0
 * or DZ_ENOMEM.
 */
int dz_kind_add_rdata(struct dz_kind_ctx *ctx, const uint8_t *rdata,
		      size_t len);

/*
 * Helpers with the usual diagnostics, for the common field shapes.
 * Each returns 0, or DZ_EMANIFEST after reporting at the field's node
 * ("missing required field 'priority'", "'port' must be an integer",
 * "port 70000 out of range 0..65535").
 */
int dz_kind_get_uint(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		     const char *field, uint64_t min, uint64_t max,
		     bool required, uint64_t *out);
/* A string scalar field; *out borrows the node's text. */
int dz_kind_get_str(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		    const char *field, bool required, const char **out,
		    const struct dz_ynode **node);
/*
 * A domain-name field, converted to wire form. Names without a trailing dot
 * are made relative to the record's zone and draw a warning naming the
 * likely mistake; hostname-syntax issues draw a warning; empty labels,
 * whitespace and length errors are errors. out holds 255 bytes.
 */
int dz_kind_get_name(struct dz_kind_ctx *ctx, const struct dz_ynode *spec,
		     const char *field, uint8_t *out, size_t *outlen);
/* Convert a name scalar the same way (for names inside lists). */
int dz_kind_name_node(struct dz_kind_ctx *ctx, const struct dz_ynode *node,
		      const char *field, uint8_t *out, size_t *outlen);

/* ---- The descriptor ----------------------------------------------------- */

enum {
	/* rdata holds one domain name at name_offset (MX, NS, SRV, CNAME). */
	DZ_KIND_F_NAME = 1 << 0,
	/* ...which may be compressed in answers (RFC 1035 types only). */
	DZ_KIND_F_COMPRESS = 1 << 1,
	/* ...whose A/AAAA, when in a zone we serve, go in the additional
	 * section (MX, NS, SRV). */
	DZ_KIND_F_ADDITIONAL = 1 << 2,
	/* RRs that compare equal under compare() rotate between answers. */
	DZ_KIND_F_ROTATE = 1 << 3,
};

struct dz_kind {
	uint32_t abi;         /* DZ_KIND_ABI */
	const char *name;     /* manifest kind, "MXRecord" */
	const char *type_name; /* RR type mnemonic, "MX" */
	uint16_t rrtype;      /* RR type number, 15 */
	uint16_t name_offset; /* with DZ_KIND_F_NAME: offset of the name */
	uint32_t flags;       /* DZ_KIND_F_* */
	/* spec keys this kind reads, NULL-terminated; the core warns about
	 * others (name, ttl, zone, zoneRef are the core's). */
	const char *const *fields;

	/*
	 * Turn the object's spec into rdata: read only 'spec', call
	 * dz_kind_add_rdata() once per RR, report problems through ctx.
	 * Returns 0, or DZ_EMANIFEST when the object must not be served.
	 * No global state; may run on any thread.
	 */
	int (*parse)(struct dz_kind_ctx *ctx, const struct dz_ynode *spec);

	/*
	 * Optional static answer order: <0, 0, >0 like strcmp. The RRset is
	 * sorted with it once at load; with DZ_KIND_F_ROTATE, RRs comparing
	 * equal rotate between answers (MX: by priority).
	 */
	int (*compare)(const uint8_t *a, size_t alen, const uint8_t *b,
		       size_t blen);

	/*
	 * Optional: rdata as zone-file text (for export and messages).
	 * Returns the length written (NUL-terminated), or 0 on error.
	 */
	size_t (*print)(const uint8_t *rdata, size_t len, char *out,
			size_t outsz);
};

/* ---- Registry (plugin/registry.c) -------------------------------------- */

/* Descriptor for a manifest kind ("MXRecord") or RR type; NULL if none. */
const struct dz_kind *dz_kind_lookup_name(const char *kind);
const struct dz_kind *dz_kind_lookup_type(uint16_t rrtype);
/* NULL-terminated list of every registered kind (built-in, then loaded). */
const struct dz_kind *const *dz_kind_all(void);
/*
 * Register an extra kind; fails with DZ_EABI on an ABI mismatch or
 * DZ_EEXIST when its name or type is taken. Startup only (not thread-safe).
 */
int dz_kind_register(const struct dz_kind *k);
/*
 * dlopen() every "*.so" in dir and register its dz_kind_plugin(). Problems
 * are logged and skipped; returns the number of kinds loaded, or -errno when
 * dir cannot be read. Startup only.
 */
int dz_kind_load_dir(const char *dir);
