/* SPDX-License-Identifier: MIT */
/* dropzonectl.c -- the operator's tool: check a manifest directory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/load.h"
#include "plugin/plugin.h"
#include "util/diag.h"
#include "util/errcode.h"
#include "util/log.h"
#include "zone/build.h"
#include "zone/snapshot.h"

/* Exit codes: 0 fine, 1 problems found (or an operation failed), 2 usage. */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1,
	EXIT_USAGE = 2,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dropzonectl [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  check [--plugin-dir DIR] DIR\n"
		"      load and validate the manifests below DIR without\n"
		"      serving them; print every problem as\n"
		"      FILE:LINE:COL: error|warning: MESSAGE on stdout and a\n"
		"      summary on stderr; exit 1 on any error, else 0\n"
		"\n"
		"exit status: 0 ok, 1 errors found, 2 usage error\n");
}

/* Print the diagnostics and return the number of errors. */
static size_t report(const struct dz_diags *d, size_t nfiles)
{
	size_t nwarn = 0;

	dz_diags_print(d, stdout);
	fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].sev == DZ_SEV_WARNING) {
			nwarn++;
		}
	}
	fprintf(stderr, "%zu error%s, %zu warning%s in %zu file%s\n",
		d->nerrors, d->nerrors == 1 ? "" : "s",
		nwarn, nwarn == 1 ? "" : "s",
		nfiles, nfiles == 1 ? "" : "s");
	return d->nerrors;
}

/* Load, build and report one directory. Returns the exit code. */
static int check_dir(const char *dir)
{
	struct dz_build_opts bopts = {0};
	struct dz_diags diags = {0};
	struct dz_mfile **files = NULL;
	struct dz_snapshot *snap = NULL;
	size_t n = 0;
	int rc, ret = EXIT_PROBLEMS;

	rc = dz_manifest_load_dir(dir, &files, &n, &diags);
	if (rc != 0) {
		fprintf(stderr, "dropzonectl: cannot read '%s': %s\n", dir,
			dz_strerror(rc));
		goto out;
	}
	snap = dz_build(files, n, &bopts);
	if (snap == NULL) {
		fprintf(stderr, "dropzonectl: out of memory\n");
		goto out;
	}
	dz_build_collect_diags(files, n, &diags);
	ret = report(&diags, n) > 0 ? EXIT_PROBLEMS : EXIT_OK;
out:
	dz_snapshot_unref(snap);
	dz_manifest_free_all(files, n);
	dz_diags_clear(&diags);
	return ret;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"plugin-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			rc = dz_kind_load_dir(optarg);
			if (rc < 0) {
				fprintf(stderr, "dropzonectl: plugin dir "
					"'%s': %s\n", optarg, dz_strerror(rc));
				return EXIT_PROBLEMS;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "dropzonectl: check needs exactly one "
			"directory\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	return check_dir(argv[optind]);
}

int main(int argc, char **argv)
{
	const char *cmd;

	/* Loader internals log at info; the diagnostics are what we show. */
	dz_log_init(DZ_LOG_WARN, false);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("dropzonectl %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "check") == 0) {
		return cmd_check(argc - 1, argv + 1);
	}
	fprintf(stderr, "dropzonectl: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
