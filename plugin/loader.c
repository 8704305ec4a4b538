/* SPDX-License-Identifier: MIT */
/* loader.c -- load extra record kinds from shared objects in a directory. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/plugin.h"
#include "util/errcode.h"
#include "util/log.h"

#define PLUGIN_SYMBOL "dz_kind_plugin"

typedef const struct dz_kind *dz_kind_plugin_fn(void);

/* Plain files named "*.so", hidden ones excluded (editor temp files). */
static int ld_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 3 &&
	       strcmp(e->d_name + n - 3, ".so") == 0;
}

/*
 * Open one object and register its kind. Returns 1 when a kind was
 * registered, 0 when the object was logged and skipped. A registered
 * object stays open for the life of the process: the descriptor and its
 * strings live in it.
 */
static int ld_one(const char *path)
{
	dz_kind_plugin_fn *fn;
	const struct dz_kind *k;
	void *h;
	int rc;

	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		dz_log_warn("plugin '%s': cannot load: %s", path, dlerror());
		return 0;
	}
	fn = (dz_kind_plugin_fn *)dlsym(h, PLUGIN_SYMBOL);
	if (fn == NULL) {
		dz_log_warn("plugin '%s': no symbol '%s'", path, PLUGIN_SYMBOL);
		goto out;
	}
	k = fn();
	if (k == NULL) {
		dz_log_warn("plugin '%s': %s() returned no kind", path,
			    PLUGIN_SYMBOL);
		goto out;
	}
	/* Read abi before anything else: with another ABI, the rest of the
	 * struct may not have the layout we expect. */
	if (k->abi != DZ_KIND_ABI) {
		dz_log_warn("plugin '%s': ABI %u, this dropzoned needs %u",
			    path, (unsigned)k->abi, (unsigned)DZ_KIND_ABI);
		goto out;
	}
	rc = dz_kind_register(k);
	if (rc != 0) {
		dz_log_warn("plugin '%s': kind '%s' (type %u) refused: %s",
			    path, k->name ? k->name : "?",
			    (unsigned)k->rrtype, dz_strerror(rc));
		goto out;
	}
	dz_log_info("plugin '%s': kind '%s' (type %s/%u) loaded", path,
		    k->name, k->type_name, (unsigned)k->rrtype);
	return 1;
out:
	dlclose(h);
	return 0;
}

int dz_kind_load_dir(const char *dir)
{
	struct dirent **ents = NULL;
	char path[PATH_MAX];
	int n, loaded = 0;

	/* Sorted, so that when two objects claim a name the winner does not
	 * depend on directory order. */
	n = scandir(dir, &ents, ld_filter, alphasort);
	if (n < 0) {
		int err = -errno;
		dz_log_err_errno("plugin dir '%s'", dir);
		return err;
	}
	for (int i = 0; i < n; i++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dir,
				   ents[i]->d_name);
		if (len < 0 || (size_t)len >= sizeof(path)) {
			dz_log_warn("plugin '%s/%s': path too long", dir,
				    ents[i]->d_name);
		} else {
			loaded += ld_one(path);
		}
		free(ents[i]);
	}
	free(ents);
	return loaded;
}
