/* SPDX-License-Identifier: MIT */
/* opt.h -- settings: one table row per option, for argv and the config file. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Every setting of dropzoned is one row in a module's table. The same row
 * serves the command line (--name VALUE) and the config file (name: VALUE),
 * so the two can never drift apart. A module keeps its settings in its own
 * variables (read-only once the workers run) with their defaults as
 * initial values; the row points at them.
 */
enum dz_opt_type {
	DZ_OPT_FLAG,   /* bool: no argument on the command line; true/false
			* in the config file */
	DZ_OPT_UINT,   /* unsigned, min..max */
	DZ_OPT_STRING, /* const char *, the text as given */
	DZ_OPT_LIST,   /* repeatable strings: struct dz_strlist */
	DZ_OPT_FUNC,   /* parse() turns the text into *ptr; repeatable when
			* the row says so */
};

/* The values of a DZ_OPT_LIST option, in the order given. */
struct dz_strlist {
	const char **v;
	size_t n;
};

struct dz_opt {
	const char *name;      /* long option and config key, NULL ends */
	int short_name;        /* single-letter option, 0 for none */
	enum dz_opt_type type;
	void *ptr;             /* the variable (holds the default) */
	unsigned min, max;     /* DZ_OPT_UINT */
	/*
	 * DZ_OPT_FUNC: parse value into ptr; for a repeatable row, value NULL
	 * means "forget the values so far" (the command line replaces the
	 * file's). DZ_OPT_LIST: optional check of one item (ptr is the
	 * list). 0, or -1 with *why a phrase naming what is wrong.
	 */
	int (*parse)(const char *value, void *ptr, const char **why);
	bool repeat;           /* DZ_OPT_FUNC: may be given several times */
	const char *arg;       /* argument name for --help ("ADDR:PORT") */
	const char *help;      /* one line; may contain '\n' for more */
	const char *def;       /* default as shown in --help and docs */
	bool cli_only;         /* command line only (--config, --help):
				* the config file rejects the key */
};

/*
 * The tables, one per module, each ended by a row with name NULL, and the
 * list of them (opt-tables.c), ended by NULL.
 */
extern const struct dz_opt dz_main_opts[];    /* main.c: core, daemon */
extern const struct dz_opt dz_observe_opts[]; /* http.c: metrics, NSID */
extern const struct dz_opt dz_limit_opts[];   /* limits.c: TCP, RRL */
extern const struct dz_opt dz_xfr_opts[];     /* xfr/xfr.c: transfers */
extern const struct dz_opt *const dz_opt_tables[];

/* Where a value comes from: the command line wins over the file. */
enum dz_opt_source {
	DZ_OPT_SRC_FILE,
	DZ_OPT_SRC_ARGV,
};

/* The row for a long name, or NULL. */
const struct dz_opt *dz_opt_find(const char *name);

/*
 * Set one option from text (value NULL for a flag given on the command
 * line). A LIST or repeatable FUNC given on the command line replaces
 * what the file gave (the first command-line occurrence clears it).
 * STRING and LIST keep the value itself, not a copy: it must live as long
 * as the settings (argv does; the config file's text is kept).
 * 0, or -1 with *why.
 */
int dz_opt_set(const struct dz_opt *o, const char *value,
	       enum dz_opt_source src, const char **why);

/* Forget which rows the command line has set (tests start over). */
void dz_opt_forget_argv(void);

/*
 * Every row of every table, in --help order, into rows (room for max).
 * Returns how many there are (more than max: only max were stored).
 */
size_t dz_opt_rows(const struct dz_opt **rows, size_t max);

/* One option as found on the command line, not yet set. */
struct dz_opt_arg {
	const struct dz_opt *o;
	const char *value;     /* NULL for a flag */
};

/*
 * Parse argv with every table (getopt_long) without setting anything, so
 * that the config file can be read first. args needs room for argc
 * entries. Usage errors are printed as "dropzoned: unknown option '-x'"
 * and exit with status 2. Returns the number of entries.
 */
size_t dz_opt_scan_argv(int argc, char **argv, struct dz_opt_arg *args);

/*
 * Set scanned options (DZ_OPT_SRC_ARGV), in order. A bad value is printed
 * as "dropzoned: --name 'value': why" and exits with status 2.
 */
void dz_opt_apply_argv(const struct dz_opt_arg *args, size_t n);

/*
 * Scan and apply argv at once (no config file). Errors exit with status
 * 2. Returns 0. Options handled by the caller afterwards (--help,
 * --version) are rows too.
 */
int dz_opt_parse_argv(int argc, char **argv);

/* Print the option list of --help, from the tables. */
void dz_opt_usage(FILE *out);
