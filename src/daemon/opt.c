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
	char *copy;

	if (o->parse != NULL && o->parse(value, o->ptr, why) != 0) {
		return -1;
	}
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	copy = strdup(value);
	if (v == NULL || copy == NULL) {
		if (v != NULL) {
			l->v = v;
		}
		free(copy);
		*why = "out of memory";
		return -1;
	}
	l->v = v;
	l->v[l->n++] = copy;
	return 0;
}

int dz_opt_set(const struct dz_opt *o, const char *value,
	       enum dz_opt_source src, const char **why)
{
	bool first = src == DZ_OPT_SRC_ARGV && first_from_argv(o);
	char *copy;

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
		copy = strdup(value);
		if (copy == NULL) {
			*why = "out of memory";
			return -1;
		}
		*(const char **)o->ptr = copy;
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

/* Every row, flattened, for getopt_long's val numbering. */
static size_t all_rows(const struct dz_opt **rows)
{
	size_t n = 0;

	for (size_t t = 0; dz_opt_tables[t] != NULL; t++) {
		for (const struct dz_opt *o = dz_opt_tables[t]; o->name; o++) {
			if (n == OPT_MAX) {
				abort(); /* raise OPT_MAX */
			}
			rows[n++] = o;
		}
	}
	return n;
}

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "dropzoned: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\nTry 'dropzoned --help' for more information.\n");
	exit(2);
}

int dz_opt_parse_argv(int argc, char **argv)
{
	static struct option longopts[OPT_MAX + 1];
	static char shorts[2 * OPT_MAX + 2];
	const struct dz_opt *rows[OPT_MAX];
	size_t n = all_rows(rows), ns = 1;
	const char *why = NULL;
	int c;

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
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct dz_opt *o = NULL;

		if (c >= 256 && (size_t)(c - 256) < n) {
			o = rows[c - 256];
		}
		for (size_t i = 0; o == NULL && i < n; i++) {
			if (rows[i]->short_name != 0 &&
			    rows[i]->short_name == c) {
				o = rows[i];
			}
		}
		if (c == ':') {
			die("option '%s' needs a value%s", argv[optind - 1],
			    "");
		}
		if (o == NULL) {
			char opt[3] = { '-', (char)optopt, '\0' };

			die("unknown option '%s'%s", optopt != 0 ? opt :
			    argv[optind - 1], "");
		}
		if (dz_opt_set(o, o->type == DZ_OPT_FLAG ? NULL : optarg,
			       DZ_OPT_SRC_ARGV, &why) != 0) {
			fprintf(stderr, "dropzoned: --%s '%s': %s\n", o->name,
				optarg != NULL ? optarg : "", why);
			exit(2);
		}
	}
	if (optind < argc) {
		die("unexpected argument '%s'%s", argv[optind], "");
	}
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
