/* SPDX-License-Identifier: MIT */
/* log.h -- leveled logging to stderr or syslog. */
#pragma once

#include <stdbool.h>

enum dz_log_level {
	DZ_LOG_ERR = 0,
	DZ_LOG_WARN = 1,
	DZ_LOG_INFO = 2,
	DZ_LOG_DEBUG = 3,
};

/*
 * Set the threshold and the sink. Lines go to stderr (or the file of
 * dz_log_open_file), or to syslog(3), facility LOG_DAEMON, when
 * use_syslog is true (ident "dropzoned"). Default: INFO on stderr. When
 * stderr is the systemd journal (JOURNAL_STREAM), lines carry their
 * priority as a "<N>" prefix.
 */
void dz_log_init(enum dz_log_level level, bool use_syslog);

/*
 * Write lines to the file at path instead (appended, created 0640, each
 * line with a timestamp and the pid), until dz_log_init() picks syslog.
 * Returns 0 or -errno (the sink is unchanged).
 */
int dz_log_open_file(const char *path);

/*
 * Reopen the log file by its name (SIGUSR1 after logrotate moved it).
 * Safe while other threads log. 0 (also without a log file) or -errno,
 * then the old file stays in use.
 */
int dz_log_reopen(void);

/* Parse "error", "warning", "info", "debug"; -1 on an unknown name. */
int dz_log_level_parse(const char *name);

/* True when messages at this level are printed (guard debug on hot paths). */
bool dz_log_enabled(enum dz_log_level level);

void dz_log(enum dz_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define dz_log_err(...)   dz_log(DZ_LOG_ERR, __VA_ARGS__)
#define dz_log_warn(...)  dz_log(DZ_LOG_WARN, __VA_ARGS__)
#define dz_log_info(...)  dz_log(DZ_LOG_INFO, __VA_ARGS__)
#define dz_log_debug(...) \
	do { if (dz_log_enabled(DZ_LOG_DEBUG)) dz_log(DZ_LOG_DEBUG, __VA_ARGS__); } while (0)

/* Like dz_log_err / dz_log_warn with ": strerror(errno)" appended. */
void dz_log_err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dz_log_warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log at error level and exit(1). Startup and broken invariants only. */
void dz_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
