/* SPDX-License-Identifier: MIT */
/* test_kind_loader.c -- kinds from shared objects: load, refuse, skip. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kindtest.h"
#include "util/errcode.h"
#include "util/log.h"

/*
 * `make check` builds tests/plugin/{hinfo,badabi,nosym}.la as modules;
 * libtool puts the .so files in tests/plugin/.libs under the build dir.
 */
static char plugdir[PATH_MAX];

static int setup(void **state)
{
	const char *top = getenv("top_builddir");
	struct stat st;

	if (top == NULL) {
		top = ".";
	}
	snprintf(plugdir, sizeof(plugdir), "%s/tests/plugin/.libs", top);
	if (stat(plugdir, &st) != 0) {
		fprintf(stderr, "skip: %s missing (run through make check)\n",
			plugdir);
		exit(77);
	}
	dz_log_init(DZ_LOG_DEBUG, false);
	return 0;
}

static void test_loader_registers_hinfo(void **state)
{
	const struct dz_kind *k;

	assert_null(dz_kind_lookup_name("HINFORecord"));
	/* hinfo.so loads; badabi.so (ABI + 1) and nosym.so are skipped. */
	assert_int_equal(dz_kind_load_dir(plugdir), 1);
	k = dz_kind_lookup_name("HINFORecord");
	assert_non_null(k);
	assert_ptr_equal(dz_kind_lookup_type(13), k);
	assert_string_equal(k->type_name, "HINFO");
	assert_null(dz_kind_lookup_name("BadAbiRecord"));
	assert_null(dz_kind_lookup_type(65280));
	/* Built-ins first, then the loaded kind. */
	assert_ptr_equal(dz_kind_all()[0], dz_kind_lookup_name("ARecord"));
	/* A second load finds the name taken: nothing new. */
	assert_int_equal(dz_kind_load_dir(plugdir), 0);
}

static const struct kt_vec hinfo_vecs[] = {
	{ "cpu: ARM64\nos: Linux\n", 0, "0541524d3634054c696e7578", NULL, 0 },
	{ "cpu: \"\"\nos: \"a \\\"b\\\"\"\n", 0, "000561202262" "22", NULL, 0 },
	{ "cpu: ARM64\n", DZ_EMANIFEST, NULL, "missing required field 'os'",
	  1 },
	{ "cpu: [1]\nos: x\n", DZ_EMANIFEST, NULL, "'cpu' must be a string",
	  1 },
};

/* The loaded kind parses through the same core helpers as built-ins. */
static void test_loader_hinfo_parses(void **state)
{
	const struct dz_kind *k = dz_kind_lookup_name("HINFORecord");

	assert_non_null(k);
	kt_check(k, hinfo_vecs, sizeof(hinfo_vecs) / sizeof(hinfo_vecs[0]));
	kt_check_print(k, "0541524d3634054c696e7578", "\"ARM64\" \"Linux\"");
	kt_check_print(k, "000561202262" "22", "\"\" \"a \\\"b\\\"\"");
}

static void test_loader_missing_dir(void **state)
{
	assert_int_equal(dz_kind_load_dir("/nonexistent/dropzone-plugins"),
			 -ENOENT);
}

/* A file that is not an ELF object, and non-.so files, are skipped. */
static void test_loader_skips_junk(void **state)
{
	char dir[] = "/tmp/dz-plugins-XXXXXX";
	char path[PATH_MAX];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/junk.so", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not an ELF object\n", f);
	fclose(f);
	assert_int_equal(dz_kind_load_dir(dir), 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_registers_hinfo),
		cmocka_unit_test(test_loader_hinfo_parses),
		cmocka_unit_test(test_loader_missing_dir),
		cmocka_unit_test(test_loader_skips_junk),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
