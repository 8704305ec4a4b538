/* SPDX-License-Identifier: MIT */
/* registry.c -- the table of record kinds: built-in, then loaded ones. */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "plugin/plugin.h"
#include "plugin/registry-builtin.h"
#include "util/errcode.h"
#include "util/log.h"

#define KINDS_MAX 64

/*
 * Built-in kinds first; dz_kind_register() appends. Lookups are a short
 * linear scan by name (load time), and a 65536-entry index by type built
 * as kinds are registered (answer time).
 */
static const struct dz_kind *kinds[KINDS_MAX + 1];
static size_t nkinds;
static const struct dz_kind *by_type[65536];

static int registry_add(const struct dz_kind *k)
{
	if (k->abi != DZ_KIND_ABI) {
		return DZ_EABI;
	}
	if (k->name == NULL || k->parse == NULL || k->type_name == NULL) {
		return DZ_EINVAL;
	}
	for (size_t i = 0; i < nkinds; i++) {
		if (strcmp(kinds[i]->name, k->name) == 0 ||
		    kinds[i]->rrtype == k->rrtype) {
			return DZ_EEXIST;
		}
	}
	if (nkinds == KINDS_MAX) {
		return DZ_ELIMIT;
	}
	kinds[nkinds++] = k;
	kinds[nkinds] = NULL;
	by_type[k->rrtype] = k;
	return 0;
}

static void builtins_add(void)
{
	for (size_t i = 0; dz_kinds_builtin[i] != NULL; i++) {
		int rc = registry_add(dz_kinds_builtin[i]);
		if (rc != 0) {
			dz_fatal("built-in kind '%s': %s",
				 dz_kinds_builtin[i]->name, dz_strerror(rc));
		}
	}
}

/*
 * The built-in kinds, registered once. Files are loaded on several
 * threads at once (load.c), and their first lookups race here: a plain
 * flag let a thread see "done" before the kinds were in.
 */
static void registry_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, builtins_add);
}

const struct dz_kind *dz_kind_lookup_name(const char *kind)
{
	registry_init();
	for (size_t i = 0; i < nkinds; i++) {
		if (strcmp(kinds[i]->name, kind) == 0) {
			return kinds[i];
		}
	}
	return NULL;
}

const struct dz_kind *dz_kind_lookup_type(uint16_t rrtype)
{
	registry_init();
	return by_type[rrtype];
}

const struct dz_kind *const *dz_kind_all(void)
{
	registry_init();
	return kinds;
}

int dz_kind_register(const struct dz_kind *k)
{
	registry_init();
	return registry_add(k);
}
