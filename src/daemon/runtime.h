/* SPDX-License-Identifier: MIT */
/* runtime.h -- the process: systemd notification, privileges, daemon mode. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Run as this user when started as root and no user is configured. */
#define DZ_DEFAULT_USER "dropzone"

/*
 * Tell the service manager our state: "READY=1", "RELOADING=1",
 * "STOPPING=1", "STATUS=...", several separated by '\n' (sd_notify(3)).
 * A no-op unless $NOTIFY_SOCKET is set.
 */
void dz_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Who the daemon runs as once its sockets are bound. */
struct dz_runas {
	bool drop;           /* switch to uid/gid after binding */
	bool warn_root;      /* stays root without being told it may */
	uid_t uid;
	gid_t gid;
	char user[64];       /* name, for messages */
};

/*
 * Decide who the daemon runs as (the rule dropzoned(8) documents):
 *  - user given: "root" (or uid 0) keeps root, quietly; any other user
 *    is switched to after binding (group: the one given, else the user's
 *    own). Started unprivileged, only the current user is accepted.
 *  - no user given, started as root: DZ_DEFAULT_USER when it exists;
 *    else keep root and warn, unless allow_root.
 *  - no user given, unprivileged: stay as we are (ports below 1024 need
 *    CAP_NET_BIND_SERVICE).
 * [out] why: on failure, the reason ("user 'x' does not exist").
 * Returns 0 or -1.
 */
int dz_runas_resolve(const char *user, const char *group, bool allow_root,
		     struct dz_runas *r, char *why, size_t whysz);

/*
 * Switch to r's user and group (initgroups, setgid, setuid) and make sure
 * root cannot come back. No-op when !r->drop. 0 or -errno (logged).
 */
int dz_runas_drop(const struct dz_runas *r);

/*
 * Make the state directory (mode 0750, owned by the run user) when it is
 * missing. An existing one is left as it is. 0 or -errno (logged).
 */
int dz_state_dir_make(const char *dir, const struct dz_runas *r);

/*
 * Fork into the background (classic daemon): the parent waits until the
 * child calls dz_daemon_ready() and exits 0, or exits 1 when the child
 * dies first (its errors went to stderr). The child is a session leader
 * with umask 027 that keeps its working directory (relative paths in
 * the settings stay valid); it returns 0 with *fd for dz_daemon_ready().
 * Returns -errno when fork or pipe fail (in the caller's process).
 */
int dz_daemonize(int *fd);

/* Release the waiting parent and detach stdin/stdout/stderr (to
 * /dev/null). fd < 0: no-op. */
void dz_daemon_ready(int fd);

/*
 * Write our pid to path and keep it locked (flock) while we run, so a
 * second daemon with the same pidfile refuses to start. Returns the
 * descriptor to keep open, -EEXIST when another process holds it
 * (logged with its pid), or -errno (logged).
 */
int dz_pidfile_write(const char *path);
