/* SPDX-License-Identifier: MIT */
/* opt.c -- settings from table rows: parsing, the command line, --help. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/opt.h"

/* Rows over all tables; more is a programming error caught at start. */
#define OPT_MAX 128

/* Rows the command line has set, so that its first value of a list
 * replaces the file's values instead of adding to them. */
static const struct dz_opt *argv_seen[OPT_MAX];
static size_t nargv_seen;

const struct dz_opt *dz_opt_find(const char *name)
{
	for (size_t t = 0; dz_opt_tables[t] != NULL; t++) {
		for (const struct dz_opt *o = dz_opt_tables[t]; o->name; o++) {
			if (strcmp(o->name, name) == 0) {
				return o;
			}
		}
	}
	return NULL;
}

/* True the first time the command line sets row o. */
static bool first_from_argv(const struct dz_opt *o)
{
	for (size_t i = 0; i < nargv_seen; i++) {
		if (argv_seen[i] == o) {
			return false;
		}
	}
	if (nargv_seen < OPT_MAX) {
		argv_seen[nargv_seen++] = o;
	}
	return true;
}

static int parse_flag(const char *value, bool *out, const char **why)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(value, yes[i]) == 0 || strcmp(value, no[i]) == 0) {
			*out = strcmp(value, yes[i]) == 0;
			return 0;
		}
	}
	*why = "not a boolean (true or false)";
	return -1;
}

static int parse_uint(const struct dz_opt *o, const char *value,
		      unsigned *out, const char **why)
{
	static char msg[64];
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
	    v < o->min || v > o->max) {
		snprintf(msg, sizeof(msg), "not a number in %u..%u", o->min,
			 o->max);
		*why = msg;
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int list_add(const struct dz_opt *o, const char *value,
		    const char **why)
{
	struct dz_strlist *l = o->ptr;
	const char **v;

	if (o->parse != NULL && o->parse(value, o->ptr, why) != 0) {
		return -1;
	}
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL) {
		*why = "out of memory";
		return -1;
	}
	l->v = v;
	l->v[l->n++] = value;
	return 0;
}

void dz_opt_forget_argv(void)
{
	nargv_seen = 0;
}

int dz_opt_set(const struct dz_opt *o, const char *value,
	       enum dz_opt_source src, const char **why)
{
	bool first = src == DZ_OPT_SRC_ARGV && first_from_argv(o);

	if (value == NULL && o->type != DZ_OPT_FLAG) {
		*why = "needs a value";
		return -1;
	}
	switch (o->type) {
	case DZ_OPT_FLAG:
		if (value == NULL) {
			*(bool *)o->ptr = true;
			return 0;
		}
		return parse_flag(value, o->ptr, why);
	case DZ_OPT_UINT:
		return parse_uint(o, value, o->ptr, why);
	case DZ_OPT_STRING:
		*(const char **)o->ptr = value;
		return 0;
	case DZ_OPT_LIST:
		if (first) {
			((struct dz_strlist *)o->ptr)->n = 0;
		}
		return list_add(o, value, why);
	case DZ_OPT_FUNC:
		if (first && o->repeat && o->parse(NULL, o->ptr, why) != 0) {
			return -1;
		}
		return o->parse(value, o->ptr, why);
	}
	*why = "unknown option type";
	return -1;
}

size_t dz_opt_rows(const struct dz_opt **rows, size_t max)
{
	size_t n = 0;

	for (size_t t = 0; dz_opt_tables[t] != NULL; t++) {
		for (const struct dz_opt *o = dz_opt_tables[t]; o->name; o++) {
			if (n < max) {
				rows[n] = o;
			}
			n++;
		}
	}
	return n;
}

static void die(const char *fmt, const char *a)
{
	fprintf(stderr, "dropzoned: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\nTry 'dropzoned --help' for more information.\n");
	exit(2);
}

/* getopt_long's tables from the rows: val 256 + i stands for rows[i]. */
static void getopt_tables(const struct dz_opt *const *rows, size_t n,
			  struct option *longopts, char *shorts)
{
	size_t ns = 1;

	shorts[0] = ':';
	for (size_t i = 0; i < n; i++) {
		longopts[i].name = rows[i]->name;
		longopts[i].has_arg = rows[i]->type == DZ_OPT_FLAG ?
				      no_argument : required_argument;
		longopts[i].flag = NULL;
		longopts[i].val = 256 + (int)i;
		if (rows[i]->short_name != 0) {
			shorts[ns++] = (char)rows[i]->short_name;
			if (rows[i]->type != DZ_OPT_FLAG) {
				shorts[ns++] = ':';
			}
		}
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	shorts[ns] = '\0';
}

/* The row getopt_long's answer c stands for, or NULL. */
static const struct dz_opt *row_of(const struct dz_opt *const *rows,
				   size_t n, int c)
{
	if (c >= 256 && (size_t)(c - 256) < n) {
		return rows[c - 256];
	}
	for (size_t i = 0; i < n; i++) {
		if (rows[i]->short_name != 0 && rows[i]->short_name == c) {
			return rows[i];
		}
	}
	return NULL;
}

size_t dz_opt_scan_argv(int argc, char **argv, struct dz_opt_arg *args)
{
	static struct option longopts[OPT_MAX + 1];
	static char shorts[2 * OPT_MAX + 2];
	const struct dz_opt *rows[OPT_MAX];
	size_t n = dz_opt_rows(rows, OPT_MAX), nargs = 0;
	int c;

	if (n > OPT_MAX) {
		abort(); /* raise OPT_MAX */
	}
	getopt_tables(rows, n, longopts, shorts);
	opterr = 0;
	optind = 0; /* full reinitialisation: scanned more than once */
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct dz_opt *o = row_of(rows, n, c);

		if (c == ':') {
			die("option '%s' needs a value", argv[optind - 1]);
		}
		if (o == NULL) {
			char opt[3] = { '-', (char)optopt, '\0' };

			die("unknown option '%s'", optopt != 0 ? opt :
			    argv[optind - 1]);
		}
		args[nargs].o = o;
		args[nargs].value = o->type == DZ_OPT_FLAG ? NULL : optarg;
		nargs++;
	}
	if (optind < argc) {
		die("unexpected argument '%s'", argv[optind]);
	}
	return nargs;
}

void dz_opt_apply_argv(const struct dz_opt_arg *args, size_t n)
{
	const char *why = NULL;

	for (size_t i = 0; i < n; i++) {
		if (dz_opt_set(args[i].o, args[i].value, DZ_OPT_SRC_ARGV,
			       &why) != 0) {
			fprintf(stderr, "dropzoned: --%s '%s': %s\n",
				args[i].o->name,
				args[i].value ? args[i].value : "", why);
			exit(2);
		}
	}
}

int dz_opt_parse_argv(int argc, char **argv)
{
	struct dz_opt_arg *args = calloc((size_t)argc + 1, sizeof(*args));
	size_t n;

	if (args == NULL) {
		fprintf(stderr, "dropzoned: out of memory\n");
		exit(1);
	}
	n = dz_opt_scan_argv(argc, argv, args);
	dz_opt_apply_argv(args, n);
	free(args);
	return 0;
}

void dz_opt_usage(FILE *out)
{
	char left[64];

	for (size_t t = 0; dz_opt_tables[t] != NULL; t++) {
		for (const struct dz_opt *o = dz_opt_tables[t]; o->name; o++) {
			const char *h = o->help, *nl;

			if (o->short_name != 0) {
				snprintf(left, sizeof(left), "-%c, --%s%s%s",
					 o->short_name, o->name,
					 o->arg ? " " : "", o->arg ? o->arg : "");
			} else {
				snprintf(left, sizeof(left), "    --%s%s%s",
					 o->name, o->arg ? " " : "",
					 o->arg ? o->arg : "");
			}
			fprintf(out, "  %-26s", left);
			if (strlen(left) > 26) {
				fprintf(out, "\n  %-26s", "");
			}
			while ((nl = strchr(h, '\n')) != NULL) {
				fprintf(out, " %.*s\n  %-26s", (int)(nl - h),
					h, "");
				h = nl + 1;
			}
			fprintf(out, " %s", h);
			if (o->def != NULL) {
				fprintf(out, " [%s]", o->def);
			}
			fputc('\n', out);
		}
	}
}
