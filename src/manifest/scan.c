/* SPDX-License-Identifier: MIT */
/* scan.c -- list the manifest files of a directory tree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/load.h"
#include "util/errcode.h"
#include "util/log.h"

/* Deeper trees are reported, not read: each level holds one open fd. */
#define SCAN_MAX_DEPTH 64

bool dz_scan_follow_outside = false;

struct scan {
	char **v;
	size_t n, cap;
	struct dz_diags *diags;
	const char *dir; /* as given to dz_manifest_list */
	char *top;       /* its real path: where symlinks may lead */
	int rc; /* DZ_ENOMEM stops the walk */
};

/* Is path (a real path) top itself or below it? */
static bool below(const char *top, const char *path)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0) {
		return true;
	}
	return strncmp(path, top, n) == 0 &&
	       (path[n] == '/' || path[n] == '\0');
}

/* The real path of dir/rel in *real (malloc'd), or -errno. */
static int real_of(const char *dir, const char *rel, char **real)
{
	char *path = NULL;
	int rc = 0;

	*real = NULL;
	if (asprintf(&path, "%s/%s", dir, rel) < 0) {
		return DZ_ENOMEM;
	}
	*real = realpath(path, NULL);
	if (*real == NULL) {
		rc = errno == ENOMEM ? DZ_ENOMEM : -errno;
	}
	free(path);
	return rc;
}

/* Why a symlink is not followed: one text for the scan's diagnostics and
 * for single files (dz_manifest_skipped), so that the set can tell a
 * problem it already knows from a new one. */
#define MSG_OUTSIDE \
	"symlink leads outside the manifest directory, to '%s': not followed"
#define MSG_NOFOLLOW "cannot follow symlink: %s"
#define MSG_NOSTAT "cannot stat: %s"

/* *why = fmt with arg (malloc'd); 1, or DZ_ENOMEM. */
static int because(char **why, const char *fmt, const char *arg)
{
	if (asprintf(why, fmt, arg) < 0) {
		*why = NULL;
		return DZ_ENOMEM;
	}
	return 1;
}

int dz_manifest_skipped(const char *dir, const char *rel, char **why)
{
	char *path = NULL, *top = NULL, *real = NULL;
	struct stat st;
	int rc = 0;

	*why = NULL;
	if (asprintf(&path, "%s/%s", dir, rel) < 0) {
		return DZ_ENOMEM;
	}
	if (lstat(path, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			rc = because(why, MSG_NOSTAT, strerror(errno));
		}
		goto out; /* else gone: nothing to skip */
	}
	if (S_ISLNK(st.st_mode) && stat(path, &st) != 0) {
		rc = because(why, MSG_NOFOLLOW, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || dz_scan_follow_outside ||
	    (top = realpath(dir, NULL)) == NULL) {
		goto out;
	}
	rc = real_of(dir, rel, &real);
	if (rc == 0 && !below(top, real)) {
		rc = because(why, MSG_OUTSIDE, real);
	} else if (rc != DZ_ENOMEM) {
		rc = 0; /* gone meanwhile: the reader reports it */
	}
out:
	free(path);
	free(top);
	free(real);
	return rc;
}

static bool is_manifest_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static void add(struct scan *s, char *rel)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			free(rel);
			s->rc = DZ_ENOMEM;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = rel;
}

static void walk(struct scan *s, int dfd, const char *prefix,
		 unsigned depth);

/*
 * A symlink to a regular file: may it be read? Not when it leads out of
 * the directory being listed (a manifest must not expose, say,
 * /etc/shadow's parse errors in the logs), unless dz_scan_follow_outside.
 */
static bool link_ok(struct scan *s, const char *rel)
{
	char *real = NULL;
	bool ok = true;

	if (dz_scan_follow_outside) {
		return true;
	}
	if (s->top == NULL) {
		return false; /* cannot tell: do not follow */
	}
	int rc = real_of(s->dir, rel, &real);
	if (rc == DZ_ENOMEM) {
		s->rc = rc;
		return false;
	}
	if (rc == 0 && !below(s->top, real)) {
		dz_diags_add(s->diags, DZ_SEV_WARNING, rel, 0, 0, MSG_OUTSIDE,
			     real);
		ok = false;
	}
	free(real);
	return ok;
}

/*
 * One directory entry. Names starting with '.' are skipped: editor temp
 * files, and in a Kubernetes ConfigMap mount the "..data" symlink and the
 * "..2026_..." directories it points to. The mount's visible entries are
 * symlinks "a.yaml -> ..data/a.yaml" and are followed like any symlink to
 * a regular file inside the directory, so each file is listed exactly
 * once. Symlinks to directories are not followed, so the walk cannot loop.
 */
static void entry(struct scan *s, int dfd, const char *name, char *rel,
		  unsigned depth)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		dz_diags_add(s->diags, DZ_SEV_ERROR, rel, 0, 0, MSG_NOSTAT,
			     strerror(errno));
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!is_manifest_name(name)) {
			goto out;
		}
		if (fstatat(dfd, name, &st, 0) != 0) {
			dz_diags_add(s->diags, DZ_SEV_WARNING, rel, 0, 0,
				     MSG_NOFOLLOW, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode) || !link_ok(s, rel)) {
			goto out;
		}
	}
	if (S_ISREG(st.st_mode) && is_manifest_name(name)) {
		add(s, rel);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth >= SCAN_MAX_DEPTH) {
			dz_diags_add(s->diags, DZ_SEV_ERROR, rel, 0, 0,
				     "directories nested deeper than %d "
				     "levels: skipped", SCAN_MAX_DEPTH);
			goto out;
		}
		int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY |
				 O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			dz_diags_add(s->diags, DZ_SEV_ERROR, rel, 0, 0,
				     "cannot open directory: %s",
				     strerror(errno));
			goto out;
		}
		walk(s, sub, rel, depth + 1);
	}
out:
	free(rel);
}

/* Read directory dfd (closed here); prefix is its path relative to the
 * top, NULL for the top itself. */
static void walk(struct scan *s, int dfd, const char *prefix, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (d == NULL) {
		dz_diags_add(s->diags, DZ_SEV_ERROR, prefix ? prefix : ".", 0,
			     0, "cannot read directory: %s", strerror(errno));
		close(dfd);
		return;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0) {
				dz_diags_add(s->diags, DZ_SEV_ERROR,
					     prefix ? prefix : ".", 0, 0,
					     "cannot read directory: %s",
					     strerror(errno));
			}
			break;
		}
		if (de->d_name[0] == '.') {
			continue;
		}
		char *rel = NULL;
		if (prefix != NULL) {
			if (asprintf(&rel, "%s/%s", prefix, de->d_name) < 0) {
				rel = NULL;
			}
		} else {
			rel = strdup(de->d_name);
		}
		if (rel == NULL) {
			s->rc = DZ_ENOMEM;
			break;
		}
		entry(s, dirfd(d), de->d_name, rel, depth);
		if (s->rc != 0) {
			break;
		}
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dz_manifest_list(const char *dir, char ***rels, size_t *n,
		     struct dz_diags *diags)
{
	struct scan s = { .diags = diags, .dir = dir };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*rels = NULL;
	*n = 0;
	if (fd < 0) {
		int rc = -errno;
		dz_diags_add(diags, DZ_SEV_ERROR, dir, 0, 0,
			     "cannot open manifest directory: %s",
			     strerror(errno));
		return rc;
	}
	s.top = realpath(dir, NULL);
	walk(&s, fd, NULL, 0);
	free(s.top);
	if (s.rc != 0) {
		dz_manifest_list_free(s.v, s.n);
		return s.rc;
	}
	if (s.n > 1) {
		qsort(s.v, s.n, sizeof(*s.v), cmp);
	}
	*rels = s.v;
	*n = s.n;
	return 0;
}

void dz_manifest_list_free(char **rels, size_t n)
{
	if (rels == NULL) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		free(rels[i]);
	}
	free(rels);
}
