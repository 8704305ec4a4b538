/* SPDX-License-Identifier: MIT */
/* config.h -- the settings file: one YAML key per option row. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/* Read when no --config is given; a missing default file is fine. */
#define DZ_CONFIG_DEFAULT "/etc/dropzone/dropzoned.yaml"

/*
 * Set options from a settings file: one YAML mapping whose keys are the
 * long option names of dz_opt_tables (DZ_OPT_SRC_FILE). A FLAG takes
 * true/false, a LIST or repeatable row a sequence or a single scalar,
 * the others a scalar. Every problem goes to diags with the file's
 * line and column as "key 'x': why" (unknown key, command-line-only key,
 * key given twice, wrong type, bad value) or as libyaml's syntax error.
 * The values set are copied and kept for the life of the process (the
 * rows point into them); the rest of the parse is freed.
 * [in]  path: the file; display: its name in diagnostics.
 * Returns 0, DZ_EINVAL (problems in diags; the good keys are set),
 * DZ_EYAML / DZ_ELIMIT (nothing set), -errno when the file cannot be
 * read (-ENOENT: missing; also in diags) or DZ_ENOMEM.
 */
int dz_config_load_file(const char *path, const char *display,
			struct dz_diags *diags);

/* The same for text in memory (tests). */
int dz_config_load_buffer(const char *buf, size_t len, const char *display,
			  struct dz_diags *diags);

/* Bytes kept so far for the values set from files (tests). */
size_t dz_config_kept(void);

/*
 * The start-up order of dropzoned's settings: scan argv, read the file
 * (--config FILE, which must exist, else DZ_CONFIG_DEFAULT when it
 * exists), then set argv's values over the file's. Problems are printed
 * on stderr as "FILE:LINE:COL: key 'x': why" or "dropzoned: --x 'v':
 * why".
 * [out] path: the file that was read, NULL when none.
 * Returns 0, or 2 (the exit status for a usage or settings error).
 */
int dz_config_setup(int argc, char **argv, const char **path);
