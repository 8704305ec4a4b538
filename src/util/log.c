/* SPDX-License-Identifier: MIT */
/* log.c -- leveled logging to stderr or syslog. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static enum dz_log_level log_level = DZ_LOG_INFO;
static bool log_syslog;
static bool log_journal;    /* stderr is the journal: "<N>" prefixes */
static int log_fd = -1;     /* the log file; -1: stderr */
static char *log_path;      /* its name, for dz_log_reopen() */

static const char *const level_names[] = {
	[DZ_LOG_ERR] = "error",
	[DZ_LOG_WARN] = "warning",
	[DZ_LOG_INFO] = "info",
	[DZ_LOG_DEBUG] = "debug",
};

/* systemd sets JOURNAL_STREAM=DEV:INODE when stderr goes to the journal. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0) {
		return false;
	}
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void dz_log_init(enum dz_log_level level, bool use_syslog)
{
	log_level = level;
	if (use_syslog && !log_syslog) {
		openlog("dropzoned", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	log_syslog = use_syslog;
	log_journal = stderr_is_journal();
}

static int open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	return fd < 0 ? -errno : fd;
}

int dz_log_open_file(const char *path)
{
	char *copy = strdup(path);
	int fd = open_log(path);

	if (fd < 0 || copy == NULL) {
		free(copy);
		if (fd >= 0) {
			close(fd);
		}
		return fd < 0 ? fd : -ENOMEM;
	}
	free(log_path);
	log_path = copy;
	if (log_fd < 0) {
		log_fd = fd;
		return 0;
	}
	dup2(fd, log_fd);
	close(fd);
	return 0;
}

int dz_log_reopen(void)
{
	int fd, rc = 0;

	if (log_path == NULL || log_fd < 0) {
		return 0;
	}
	fd = open_log(log_path);
	if (fd < 0) {
		return fd;
	}
	/* dup2 swaps the file under the same descriptor at once: a line
	 * other threads write goes whole to the old file or the new. */
	if (dup2(fd, log_fd) < 0) {
		rc = -errno;
	}
	close(fd);
	return rc;
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

/* One line to the log file: UTC timestamp, pid, level, text. */
static void file_emit(enum dz_log_level level, const char *line,
		      const char *suffix)
{
	char out[1400], ts[32];
	struct timespec now;
	struct tm tm;
	int len;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	len = snprintf(out, sizeof(out), "%s.%03ldZ dropzoned[%d]: %s: %s%s\n",
		       ts, now.tv_nsec / 1000000, (int)getpid(),
		       level_names[level], line, suffix);
	if (len < 0) {
		return;
	}
	if ((size_t)len >= sizeof(out)) {
		len = sizeof(out) - 1;
		out[len - 1] = '\n';
	}
	/* One write per line keeps lines whole between threads. */
	if (write(log_fd, out, (size_t)len) < 0) {
		return; /* nowhere left to say so */
	}
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
	if (suffix == NULL) {
		suffix = "";
	}
	if (log_syslog) {
		syslog(prio[level], "%s%s", line, suffix);
	} else if (log_fd >= 0) {
		file_emit(level, line, suffix);
	} else if (log_journal) {
		fprintf(stderr, "<%d>%s: %s%s\n", prio[level],
			level_names[level], line, suffix);
	} else {
		/* One fprintf per line keeps lines whole between threads. */
		fprintf(stderr, "dropzoned: %s: %s%s\n", level_names[level],
			line, suffix);
	}
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
