/* SPDX-License-Identifier: MIT */
/* buildtest.h -- fixture of the build tests: YAML buffers in, a snapshot
 * and the objects' statuses out. Included by one test file each. */
#pragma once

#include <string.h>

#include "manifest/load.h"
#include "zone/build.h"
#include "zone/snapshot.h"

#define MAXF 8

struct fx {
	struct dz_mfile *files[MAXF];
	size_t n;
	struct dz_snapshot *snap;
};

static struct fx fx;

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < fx.n; i++) {
		dz_mfile_free(fx.files[i]);
	}
	dz_snapshot_unref(fx.snap);
	return 0;
}

static void add_file(const char *rel, const char *yaml)
{
	assert_true(fx.n < MAXF);
	fx.files[fx.n] = dz_mfile_load_buffer(yaml, strlen(yaml), rel);
	assert_non_null(fx.files[fx.n]);
	fx.n++;
}

static void build(const struct dz_build_opts *opts)
{
	dz_snapshot_unref(fx.snap);
	fx.snap = dz_build(fx.files, fx.n, opts);
	assert_non_null(fx.snap);
}

static struct dz_object *obj(const char *kind, const char *name)
{
	for (size_t i = 0; i < fx.n; i++) {
		for (size_t j = 0; j < fx.files[i]->nobjects; j++) {
			struct dz_object *o = &fx.files[i]->objects[j];
			if (strcmp(o->cls->kind, kind) == 0 &&
			    strcmp(o->name, name) == 0) {
				return o;
			}
		}
	}
	fail_msg("no object %s %s", kind, name);
	return NULL;
}
