/* SPDX-License-Identifier: MIT */
/* watch.c -- inotify on the manifest tree: kernel events to batches. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "manifest/watch.h"
#include "util/errcode.h"
#include "util/log.h"

#define DIR_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
		  IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | \
		  IN_DONT_FOLLOW)
#define PARENT_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
/* A burst that never pauses is applied after this many delays. */
#define MAX_DELAYS 100
#define DEPTH_MAX 64

struct wdir {
	int wd;
	char *rel; /* "" for the root */
};

struct dz_watch {
	struct event_base *base;
	struct dz_mset *set;
	dz_watch_batch_fn cb;
	void *arg;
	int fd;
	int parent_wd;          /* the root's parent, -1 if none */
	char *root_name;        /* basename of the root in the parent */
	struct event *rev;      /* inotify readable */
	struct event *timer;    /* quiet period */
	struct timeval delay;
	uint64_t delay_us;
	uint64_t first_us;      /* first event of the batch, 0 if none */
	struct wdir *dirs;
	size_t ndirs, capdirs;
	bool nomem;             /* marking failed: rescan at the batch */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct wdir *dir_by_wd(struct dz_watch *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++) {
		if (w->dirs[i].wd == wd) {
			return &w->dirs[i];
		}
	}
	return NULL;
}

static void dir_forget(struct dz_watch *w, size_t i)
{
	free(w->dirs[i].rel);
	w->dirs[i] = w->dirs[--w->ndirs];
}

/* Remember wd for rel (the kernel gives the same wd for the same inode:
 * then only the name changes). */
static int dir_note(struct dz_watch *w, int wd, const char *rel)
{
	struct wdir *d = dir_by_wd(w, wd);
	char *copy = strdup(rel);

	if (copy == NULL) {
		return DZ_ENOMEM;
	}
	if (d == NULL) {
		if (w->ndirs == w->capdirs) {
			size_t cap = w->capdirs ? w->capdirs * 2 : 16;
			struct wdir *v = realloc(w->dirs, cap * sizeof(*v));
			if (v == NULL) {
				free(copy);
				return DZ_ENOMEM;
			}
			w->dirs = v;
			w->capdirs = cap;
		}
		d = &w->dirs[w->ndirs++];
		d->wd = wd;
	} else {
		free(d->rel);
	}
	d->rel = copy;
	return 0;
}

static char *join(const char *a, const char *b)
{
	char *s = NULL;

	if (asprintf(&s, "%s%s%s", a, a[0] && b[0] ? "/" : "", b) < 0) {
		return NULL;
	}
	return s;
}

/* Watch directory rel and, recursively, its subdirectories. */
static int watch_tree(struct dz_watch *w, const char *rel, unsigned depth)
{
	char *path = join(dz_mset_root(w->set), rel);
	struct dirent *de;
	DIR *d = NULL;
	int wd, rc = 0;

	if (path == NULL) {
		return DZ_ENOMEM;
	}
	wd = inotify_add_watch(w->fd, path, DIR_MASK);
	if (wd < 0) {
		/* Gone already, or not a directory: nothing to watch. */
		if (errno == ENOSPC) {
			dz_log_warn("manifests '%s': inotify watch limit "
				    "reached (fs.inotify.max_user_watches)",
				    path);
		}
		goto out;
	}
	if ((rc = dir_note(w, wd, rel)) != 0 || depth >= DEPTH_MAX ||
	    (d = opendir(path)) == NULL) {
		goto out;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR &&
					     de->d_type != DT_UNKNOWN)) {
			continue;
		}
		char *sub = join(rel, de->d_name);
		struct stat st;
		if (sub == NULL) {
			rc = DZ_ENOMEM;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)
		    == 0 && S_ISDIR(st.st_mode)) {
			rc = watch_tree(w, sub, depth + 1);
		}
		free(sub);
	}
out:
	if (d != NULL) {
		closedir(d);
	}
	free(path);
	return rc;
}

/* Drop the watches of rel and everything below it. */
static void unwatch_tree(struct dz_watch *w, const char *rel)
{
	size_t len = strlen(rel);

	for (size_t i = 0; i < w->ndirs;) {
		const char *r = w->dirs[i].rel;
		if (len == 0 || strcmp(r, rel) == 0 ||
		    (strncmp(r, rel, len) == 0 && r[len] == '/')) {
			inotify_rm_watch(w->fd, w->dirs[i].wd);
			dir_forget(w, i);
			continue;
		}
		i++;
	}
}

static void arm(struct dz_watch *w, bool now)
{
	uint64_t t = now_us();
	struct timeval zero = { 0, 0 };

	if (w->first_us == 0) {
		w->first_us = t;
	}
	if (now) {
		event_add(w->timer, &zero);
	} else if (t - w->first_us < MAX_DELAYS * w->delay_us ||
		   !event_pending(w->timer, EV_TIMEOUT, NULL)) {
		event_add(w->timer, &w->delay);
	}
}

static void mark(struct dz_watch *w, int rc)
{
	if (rc != 0) {
		w->nomem = true;
	}
}

/* Every watch again and every file: overflow, root replaced, SIGHUP. */
static void resync(struct dz_watch *w, bool now)
{
	struct dz_diags diags = { 0 };

	unwatch_tree(w, "");
	mark(w, watch_tree(w, "", 0));
	mark(w, dz_mset_touch_tree(w->set, "", &diags));
	for (size_t i = 0; i < diags.n; i++) {
		dz_log_warn("manifests '%s': %s: %s", dz_mset_root(w->set),
			    diags.items[i].file, diags.items[i].msg);
	}
	dz_diags_clear(&diags);
	arm(w, now);
}

void dz_watch_rescan(struct dz_watch *w)
{
	resync(w, true);
}

/* Editor droppings that can still end in .yaml are dotfiles or have a
 * suffix; "4913" is vim's probe. All fail dz_mset_is_manifest_name. */
static void on_name(struct dz_watch *w, const struct wdir *d,
		    const struct inotify_event *ev)
{
	char *rel = join(d->rel, ev->name);
	struct stat st;

	if (rel == NULL) {
		w->nomem = true;
		return;
	}
	if (strcmp(ev->name, "..data") == 0) {
		/* ConfigMap update: the visible symlinks point at new files. */
		if (ev->mask & (IN_MOVED_TO | IN_CREATE)) {
			mark(w, dz_mset_touch_tree(w->set, d->rel, NULL));
		}
	} else if (ev->name[0] == '.') {
		/* dotfiles and dot directories: ignored */
	} else if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
			mark(w, watch_tree(w, rel, 0));
		} else {
			unwatch_tree(w, rel);
		}
		mark(w, dz_mset_touch_tree(w->set, rel, NULL));
	} else if (!dz_mset_is_manifest_name(rel)) {
		/* not a manifest */
	} else if (!(ev->mask & IN_CREATE)) {
		mark(w, dz_mset_touch(w->set, rel));
	} else {
		/* A new file is read at IN_CLOSE_WRITE; a new symlink (a
		 * ConfigMap entry) is complete at once. */
		char *path = join(dz_mset_root(w->set), rel);
		if (path != NULL && lstat(path, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			mark(w, dz_mset_touch(w->set, rel));
		}
		free(path);
	}
	free(rel);
}

/* One event; true when a full resync is due. */
static bool on_event(struct dz_watch *w, const struct inotify_event *ev)
{
	struct wdir *d;

	dz_log_debug("inotify: wd %d mask 0x%x '%s'", ev->wd,
		     (unsigned)ev->mask, ev->len ? ev->name : "");
	if (ev->mask & IN_Q_OVERFLOW) {
		dz_log_warn("manifests '%s': inotify queue overflow: "
			    "rescanning", dz_mset_root(w->set));
		return true;
	}
	if (ev->wd == w->parent_wd) {
		return ev->len > 0 && strcmp(ev->name, w->root_name) == 0;
	}
	d = dir_by_wd(w, ev->wd);
	if (d == NULL) {
		return false; /* a watch dropped already */
	}
	if (ev->mask & IN_IGNORED) {
		dir_forget(w, (size_t)(d - w->dirs));
		return false;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		/* A subdirectory is handled by its parent's event. */
		return d->rel[0] == '\0';
	}
	if (ev->len > 0) {
		on_name(w, d, ev);
	}
	return false;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct dz_watch *w = arg;
	char buf[16384] __attribute__((aligned(__alignof__(
		struct inotify_event))));
	bool full = false, any = false;
	ssize_t n;

	(void)what;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			full |= on_event(w, ev);
			p += sizeof(*ev) + ev->len;
		}
		any = true;
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		dz_log_warn_errno("manifests '%s': inotify read",
				  dz_mset_root(w->set));
	}
	if (full) {
		resync(w, false);
	} else if (any && (dz_mset_pending(w->set) > 0 || w->nomem)) {
		arm(w, false);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dz_watch *w = arg;
	uint64_t first = w->first_us;

	(void)fd;
	(void)what;
	w->first_us = 0;
	if (w->nomem) {
		w->nomem = false;
		dz_log_warn("manifests '%s': out of memory tracking changes: "
			    "rescanning", dz_mset_root(w->set));
		resync(w, false);
		return;
	}
	if (dz_mset_pending(w->set) > 0) {
		w->cb(w->set, first, w->arg);
	}
}

/* Watch the root's parent, to see the root made again. */
static void watch_parent(struct dz_watch *w)
{
	char real[PATH_MAX], copy[PATH_MAX];

	w->parent_wd = -1;
	if (realpath(dz_mset_root(w->set), real) == NULL ||
	    strcmp(real, "/") == 0) {
		return;
	}
	memcpy(copy, real, sizeof(copy));
	w->root_name = strdup(basename(copy));
	memcpy(copy, real, sizeof(copy));
	if (w->root_name != NULL) {
		w->parent_wd = inotify_add_watch(w->fd, dirname(copy),
						 PARENT_MASK);
	}
}

struct dz_watch *dz_watch_new(struct event_base *base, struct dz_mset *set,
			      unsigned delay_ms, dz_watch_batch_fn cb,
			      void *arg)
{
	struct dz_watch *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		dz_log_err("manifests: out of memory");
		return NULL;
	}
	w->base = base;
	w->set = set;
	w->cb = cb;
	w->arg = arg;
	w->parent_wd = -1;
	w->delay_us = (delay_ms ? delay_ms : 5) * 1000ULL;
	w->delay.tv_sec = (time_t)(w->delay_us / 1000000);
	w->delay.tv_usec = (suseconds_t)(w->delay_us % 1000000);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		dz_log_err_errno("manifests '%s': inotify", dz_mset_root(set));
		goto fail;
	}
	w->rev = event_new(base, w->fd, EV_READ | EV_PERSIST, on_read, w);
	w->timer = evtimer_new(base, on_timer, w);
	if (w->rev == NULL || w->timer == NULL || event_add(w->rev, NULL) < 0 ||
	    watch_tree(w, "", 0) != 0) {
		dz_log_err("manifests '%s': cannot set up the watch",
			   dz_mset_root(set));
		goto fail;
	}
	if (w->ndirs == 0) {
		dz_log_err("manifests '%s': cannot watch the directory",
			   dz_mset_root(set));
		goto fail;
	}
	watch_parent(w);
	return w;
fail:
	dz_watch_free(w);
	return NULL;
}

void dz_watch_free(struct dz_watch *w)
{
	if (w == NULL) {
		return;
	}
	if (w->rev != NULL) {
		event_free(w->rev);
	}
	if (w->timer != NULL) {
		event_free(w->timer);
	}
	if (w->fd >= 0) {
		close(w->fd);
	}
	for (size_t i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].rel);
	}
	free(w->dirs);
	free(w->root_name);
	free(w);
}

size_t dz_watch_count(const struct dz_watch *w)
{
	return w->ndirs;
}
