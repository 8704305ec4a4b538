/* SPDX-License-Identifier: MIT */
/* runtime.c -- the process: systemd notification, privileges, daemon mode. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemon/runtime.h"
#include "util/log.h"

#ifndef HAVE_SYSTEMD
/* The notify protocol without libsystemd: one datagram to the socket. */
static int sd_notify(int unset_environment, const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	int fd, rc;

	(void)unset_environment;
	if (path == NULL || (path[0] != '/' && path[0] != '@')) {
		return 0;
	}
	len = strlen(path);
	if (len >= sizeof(sun.sun_path)) {
		return -EINVAL;
	}
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@') {
		sun.sun_path[0] = '\0'; /* abstract namespace */
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	rc = (int)sendto(fd, state, strlen(state), MSG_NOSIGNAL,
			 (struct sockaddr *)&sun,
			 (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				     len));
	rc = rc < 0 ? -errno : 1;
	close(fd);
	return rc;
}
#endif

void dz_notify(const char *fmt, ...)
{
	char state[512];
	va_list ap;
	int rc;

	if (getenv("NOTIFY_SOCKET") == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	rc = sd_notify(0, state);
	if (rc < 0) {
		dz_log_warn("cannot notify the service manager: %s",
			    strerror(-rc));
	}
}

/* Fill r from a user name (and an optional group name). 0 or -1. */
static int lookup(const char *user, const char *group, struct dz_runas *r,
		  char *why, size_t whysz)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr;

	if (pw == NULL) {
		snprintf(why, whysz, "user '%s' does not exist", user);
		return -1;
	}
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	snprintf(r->user, sizeof(r->user), "%s", pw->pw_name);
	if (group != NULL) {
		gr = getgrnam(group);
		if (gr == NULL) {
			snprintf(why, whysz, "group '%s' does not exist",
				 group);
			return -1;
		}
		r->gid = gr->gr_gid;
	}
	return 0;
}

int dz_runas_resolve(const char *user, const char *group, bool allow_root,
		     struct dz_runas *r, char *why, size_t whysz)
{
	bool root = geteuid() == 0;

	memset(r, 0, sizeof(*r));
	r->uid = geteuid();
	r->gid = getegid();
	if (user == NULL && root) {
		if (getpwnam(DZ_DEFAULT_USER) != NULL) {
			user = DZ_DEFAULT_USER;
		} else {
			r->warn_root = !allow_root;
			user = "root";
		}
	}
	if (user == NULL && group != NULL) {
		snprintf(why, whysz, "cannot switch to group '%s': not started "
			 "as root", group);
		return -1;
	}
	if (user == NULL) {
		return 0; /* unprivileged: as we are */
	}
	if (lookup(user, group, r, why, whysz) != 0) {
		return -1;
	}
	if (!root && (r->uid != geteuid() ||
		      (group != NULL && r->gid != getegid()))) {
		snprintf(why, whysz, "cannot switch to user '%s'%s%s: not "
			 "started as root", user, group ? " and group " : "",
			 group ? group : "");
		return -1;
	}
	if (!root) {
		r->gid = getegid();
	}
	r->drop = root && (r->uid != 0 || r->gid != 0);
	return 0;
}

int dz_runas_drop(const struct dz_runas *r)
{
	int rc;

	if (!r->drop) {
		return 0;
	}
	if (initgroups(r->user, r->gid) < 0 || setgid(r->gid) < 0 ||
	    setuid(r->uid) < 0) {
		rc = -errno;
		dz_log_err_errno("cannot switch to user '%s'", r->user);
		return rc;
	}
	if (r->uid != 0 && setuid(0) == 0) {
		dz_log_err("user '%s': root privileges came back", r->user);
		return -EPERM;
	}
	dz_log_info("running as user '%s' (uid %u, gid %u)", r->user,
		    (unsigned)r->uid, (unsigned)r->gid);
	return 0;
}

int dz_state_dir_make(const char *dir, const struct dz_runas *r)
{
	int rc;

	if (mkdir(dir, 0750) < 0) {
		if (errno == EEXIST) {
			return 0;
		}
		rc = -errno;
		dz_log_warn_errno("state dir '%s': cannot create", dir);
		return rc;
	}
	if (r->drop && chown(dir, r->uid, r->gid) < 0) {
		rc = -errno;
		dz_log_warn_errno("state dir '%s': cannot give it to user '%s'",
				  dir, r->user);
		return rc;
	}
	return 0;
}

/* The parent: wait for the child's word, then leave. */
static void wait_child(pid_t pid, int fd)
{
	char c;
	int status = 0;
	ssize_t n;

	do {
		n = read(fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n == 1) {
		_exit(0);
	}
	/* The child died (or closed the pipe) before it was ready. */
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0) {
		_exit(WEXITSTATUS(status));
	}
	_exit(1);
}

int dz_daemonize(int *fd)
{
	int p[2];
	pid_t pid;

	*fd = -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid > 0) {
		close(p[1]);
		wait_child(pid, p[0]);
	}
	close(p[0]);
	setsid();
	umask(027);
	*fd = p[1];
	return 0;
}

void dz_daemon_ready(int fd)
{
	int null;

	if (fd < 0) {
		return;
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	if (write(fd, "R", 1) < 0) {
		dz_log_warn_errno("cannot release the starting process");
	}
	close(fd);
}

int dz_pidfile_write(const char *path)
{
	char buf[32], old[32] = "";
	int fd, len, rc;
	ssize_t n;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		dz_log_err_errno("pidfile '%s': cannot open", path);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = read(fd, old, sizeof(old) - 1);
		old[n > 0 ? n : 0] = '\0';
		old[strcspn(old, "\n")] = '\0';
		dz_log_err("pidfile '%s': held by a running dropzoned "
			   "(pid %s)", path, old[0] ? old : "unknown");
		close(fd);
		return -EEXIST;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)len) != len) {
		rc = -errno;
		dz_log_err_errno("pidfile '%s': cannot write", path);
		close(fd);
		return rc;
	}
	return fd;
}
