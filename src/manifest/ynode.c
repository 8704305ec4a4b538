/* SPDX-License-Identifier: MIT */
/* ynode.c -- the read-only node accessors of plugin.h; NULL-safe. */
#include <string.h>

#include "manifest/yaml.h"

enum dz_ynode_type dz_ynode_type(const struct dz_ynode *n)
{
	return n ? n->type : 0;
}

const char *dz_ynode_str(const struct dz_ynode *n)
{
	return n && n->type == DZ_YNODE_SCALAR ? n->u.str : NULL;
}

const struct dz_ynode *dz_ynode_get(const struct dz_ynode *map,
				    const char *key)
{
	if (map == NULL || map->type != DZ_YNODE_MAP || key == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < map->len; i++) {
		if (strcmp(map->u.pairs[i].key->u.str, key) == 0) {
			return map->u.pairs[i].value;
		}
	}
	return NULL;
}

size_t dz_ynode_len(const struct dz_ynode *n)
{
	return n && n->type != DZ_YNODE_SCALAR ? n->len : 0;
}

const struct dz_ynode *dz_ynode_at(const struct dz_ynode *seq, size_t i)
{
	if (seq == NULL || seq->type != DZ_YNODE_SEQ || i >= seq->len) {
		return NULL;
	}
	return seq->u.items[i];
}

const struct dz_ynode *dz_ynode_key_at(const struct dz_ynode *map, size_t i)
{
	if (map == NULL || map->type != DZ_YNODE_MAP || i >= map->len) {
		return NULL;
	}
	return map->u.pairs[i].key;
}

const struct dz_ynode *dz_ynode_value_at(const struct dz_ynode *map,
					 size_t i)
{
	if (map == NULL || map->type != DZ_YNODE_MAP || i >= map->len) {
		return NULL;
	}
	return map->u.pairs[i].value;
}

uint32_t dz_ynode_line(const struct dz_ynode *n)
{
	return n ? n->line : 0;
}

uint32_t dz_ynode_col(const struct dz_ynode *n)
{
	return n ? n->col : 0;
}

bool dz_ynode_quoted(const struct dz_ynode *n)
{
	return n ? n->quoted : false;
}
