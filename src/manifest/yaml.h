/* SPDX-License-Identifier: MIT */
/* yaml.h -- libyaml events to a tree of nodes that remember file positions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/plugin.h" /* enum dz_ynode_type and the accessors */
#include "util/arena.h"
#include "util/diag.h"

/*
 * Layout of a node. Plugins see only the accessors in plugin.h; the core
 * may read the fields directly. Everything lives in the file's arena.
 * Aliases are resolved to the anchored node (shared, not copied).
 */
struct dz_ynode {
	enum dz_ynode_type type;
	uint32_t line; /* 1-based, libyaml start_mark.line + 1 */
	uint32_t col;  /* 1-based, start_mark.column + 1 */
	bool quoted;   /* scalar written with ' or " (or a block scalar) */
	size_t len;    /* scalar: strlen; seq: items; map: pairs */
	union {
		const char *str;                /* SCALAR, NUL-terminated */
		struct dz_ynode **items;        /* SEQ */
		struct dz_ypair *pairs;         /* MAP, in file order */
	} u;
};

struct dz_ypair {
	struct dz_ynode *key;
	struct dz_ynode *value;
};

/*
 * Pack the tree n into a's memory as a compact byte string (ypack.c: a
 * byte or two per node plus the text; positions kept), for objects that
 * keep their spec after the parse tree is gone. NULL when n is NULL or on
 * OOM.
 */
const uint8_t *dz_ynode_pack(struct dz_arena *a, const struct dz_ynode *n);

/*
 * The tree again, its nodes in a (scalars point into p, which must
 * outlive the tree). NULL when p is NULL or on OOM.
 */
const struct dz_ynode *dz_ynode_unpack(struct dz_arena *a, const uint8_t *p);

struct dz_ydoc {
	struct dz_ynode *root; /* NULL for an empty document */
	uint32_t line;         /* line of the document's first node */
};

/* Limits against hostile input; dz_yaml_limits_default() fills them. */
struct dz_yaml_limits {
	size_t max_file_bytes;    /* default 16 MiB: larger files are refused */
	unsigned max_depth;       /* default 64 nesting levels */
	size_t max_nodes;         /* default 1,000,000 nodes per file, with
	                           * alias references counted by the size of
	                           * what they point to (billion laughs) */
	size_t max_documents;     /* default 100,000 */
};

void dz_yaml_limits_default(struct dz_yaml_limits *l);

/*
 * Parse every document of a YAML file.
 * [in]  path: file to read; display: the name used in diagnostics.
 * [in]  arena: receives all nodes and strings, and the file's text
 *       (a scratch arena with chunks bigger than 4x the files holds
 *       that in its kept blocks: no fresh pages file after file).
 * [out] docs, ndocs: array in the arena.
 * [out] diags: syntax errors and limit violations, with display:line:col
 *       ("yaml syntax error: did not find expected key", "file is 52428800
 *       bytes, larger than the 16777216-byte limit", "nesting deeper than 64
 *       levels", "aliases expand to more than 1000000 nodes").
 * Returns 0, DZ_EYAML (syntax error: nothing from the file is usable),
 * DZ_ELIMIT (a limit was hit: nothing usable), -errno (cannot read the
 * file, also reported in diags) or DZ_ENOMEM.
 */
int dz_yaml_parse_file(const char *path, const char *display,
		       const struct dz_yaml_limits *limits,
		       struct dz_arena *arena, struct dz_ydoc **docs,
		       size_t *ndocs, struct dz_diags *diags);

/* The same for a buffer in memory (tests, fuzzing). */
int dz_yaml_parse_buffer(const char *buf, size_t len, const char *display,
			 const struct dz_yaml_limits *limits,
			 struct dz_arena *arena, struct dz_ydoc **docs,
			 size_t *ndocs, struct dz_diags *diags);

/*
 * The fast path of dz_yaml_parse_buffer() (yfast.c): a parser for the
 * plain block YAML that Kubernetes tools write (block maps with plain
 * keys, block and indentless sequences, one-line plain and quoted
 * scalars, comments, "---" and "..."). Returns 0 with exactly the
 * documents that the libyaml path would return, DZ_EAGAIN when the input
 * is outside that subset or the libyaml path would warn or fail (nothing
 * usable in docs; the caller parses with libyaml), or DZ_ENOMEM. Writes
 * no diagnostics. A declined attempt may leave allocations in arena.
 */
int dz_yaml_fast_parse(const char *buf, size_t len,
		       const struct dz_yaml_limits *lim,
		       struct dz_arena *arena, struct dz_ydoc **docs,
		       size_t *ndocs);

/* Whether dz_yaml_parse_buffer() tries dz_yaml_fast_parse() first
 * (default true; tests turn it off to compare with libyaml). */
extern bool dz_yaml_fast_enabled;
