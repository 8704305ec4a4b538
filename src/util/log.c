/* SPDX-License-Identifier: MIT */
/* log.c -- leveled logging to stderr or syslog. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "util/log.h"

static enum dz_log_level log_level = DZ_LOG_INFO;
static bool log_syslog;

static const char *const level_names[] = {
	[DZ_LOG_ERR] = "error",
	[DZ_LOG_WARN] = "warning",
	[DZ_LOG_INFO] = "info",
	[DZ_LOG_DEBUG] = "debug",
};

void dz_log_init(enum dz_log_level level, bool use_syslog)
{
	log_level = level;
	if (use_syslog && !log_syslog) {
		openlog("dropzoned", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	log_syslog = use_syslog;
}

int dz_log_level_parse(const char *name)
{
	for (int i = 0; i <= DZ_LOG_DEBUG; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			return i;
		}
	}
	if (strcasecmp(name, "err") == 0) {
		return DZ_LOG_ERR;
	}
	if (strcasecmp(name, "warn") == 0) {
		return DZ_LOG_WARN;
	}
	return -1;
}

bool dz_log_enabled(enum dz_log_level level)
{
	return level <= log_level;
}

static void log_emit(enum dz_log_level level, const char *suffix,
		     const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[1024];

	if (!dz_log_enabled(level)) {
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_syslog) {
		syslog(prio[level], "%s%s", line, suffix ? suffix : "");
		return;
	}
	/* One fprintf per line keeps lines whole between threads. */
	fprintf(stderr, "dropzoned: %s: %s%s\n", level_names[level], line,
		suffix ? suffix : "");
}

void dz_log(enum dz_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(level, NULL, fmt, ap);
	va_end(ap);
}

static void log_errno(enum dz_log_level level, const char *fmt, va_list ap)
{
	char suffix[256];

	snprintf(suffix, sizeof(suffix), ": %s", strerror(errno));
	log_emit(level, suffix, fmt, ap);
}

void dz_log_err_errno(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_errno(DZ_LOG_ERR, fmt, ap);
	va_end(ap);
	errno = saved;
}

void dz_log_warn_errno(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_errno(DZ_LOG_WARN, fmt, ap);
	va_end(ap);
	errno = saved;
}

void dz_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(DZ_LOG_ERR, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
