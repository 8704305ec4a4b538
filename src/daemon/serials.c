/* SPDX-License-Identifier: MIT */
/* serials.c -- the serial each zone last served, kept in the state dir. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/serials.h"
#include "util/dname.h"
#include "util/errcode.h"
#include "util/log.h"

struct rec {
	char *zone;
	uint32_t serial;     /* last served */
	uint64_t hash;       /* content when it was served */
	bool known;          /* serial and hash are on record */
	uint32_t pserial;    /* candidate of the last build */
	uint64_t phash;
	bool picked;
};

struct dz_serials {
	char *path;
	struct rec *v;       /* sorted by zone */
	size_t n, cap;
};

bool dz_serial_gt(uint32_t a, uint32_t b)
{
	return (a < b && b - a > 0x80000000u) ||
	       (a > b && a - b < 0x80000000u);
}

static struct rec *find(struct dz_serials *s, const char *zone, bool add)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].zone, zone);
		if (c == 0) {
			return &s->v[mid];
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (!add) {
		return NULL;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct rec *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL) {
			return NULL;
		}
		s->v = v;
		s->cap = cap;
	}
	char *copy = strdup(zone);
	if (copy == NULL) {
		return NULL;
	}
	memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
	memset(&s->v[lo], 0, sizeof(*s->v));
	s->v[lo].zone = copy;
	s->n++;
	return &s->v[lo];
}

static void load(struct dz_serials *s)
{
	char line[1100], zone[1024];
	unsigned long serial;
	uint64_t hash;
	unsigned no = 0;
	FILE *f = fopen(s->path, "r");

	if (f == NULL) {
		if (errno != ENOENT) {
			dz_log_warn_errno("serials '%s': cannot read", s->path);
		}
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct rec *r;
		no++;
		if (sscanf(line, "%1023s %lu %" SCNx64, zone, &serial,
			   &hash) != 3 || serial > UINT32_MAX) {
			dz_log_warn("serials '%s' line %u: not 'zone serial "
				    "hash': skipped", s->path, no);
			continue;
		}
		if ((r = find(s, zone, true)) == NULL) {
			break;
		}
		r->serial = (uint32_t)serial;
		r->hash = hash;
		r->known = true;
	}
	fclose(f);
}

struct dz_serials *dz_serials_open(const char *state_dir)
{
	struct dz_serials *s = calloc(1, sizeof(*s));

	if (s == NULL || asprintf(&s->path, "%s/serials", state_dir) < 0) {
		free(s);
		return NULL;
	}
	load(s);
	return s;
}

void dz_serials_free(struct dz_serials *s)
{
	if (s == NULL) {
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].zone);
	}
	free(s->v);
	free(s->path);
	free(s);
}

uint32_t dz_serials_pick(const char *zone, uint32_t spec_serial,
			 uint64_t hash, void *arg)
{
	struct dz_serials *s = arg;
	struct rec *r = find(s, zone, true);
	uint32_t serial = spec_serial, floor;

	if (r == NULL) {
		return spec_serial; /* OOM: the spec serial, unrecorded */
	}
	if (r->known) {
		floor = r->hash == hash ? r->serial : r->serial + 1;
		if (!dz_serial_gt(spec_serial, floor)) {
			serial = floor;
		}
	}
	r->pserial = serial;
	r->phash = hash;
	r->picked = true;
	return serial;
}

static int save(struct dz_serials *s)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int rc = 0, fd;

	if (asprintf(&tmp, "%s.tmp", s->path) < 0) {
		return DZ_ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		if (fd >= 0) {
			close(fd);
		}
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].known) {
			fprintf(f, "%s %" PRIu32 " %016" PRIx64 "\n",
				s->v[i].zone, s->v[i].serial, s->v[i].hash);
		}
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = -errno;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
	}
	if (rc == 0 && rename(tmp, s->path) != 0) {
		rc = -errno;
	}
out:
	if (rc != 0) {
		dz_log_warn("serials '%s': cannot write: %s", s->path,
			    strerror(-rc));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int dz_serials_commit(struct dz_serials *s, const struct dz_snapshot *snap)
{
	size_t nz = snap ? dz_snapshot_zone_count(snap) : 0;
	char name[DZ_DNAME_MAX * 4 + 1];
	bool dirty = false;

	for (size_t i = 0; i < nz; i++) {
		const struct dz_zone *z = dz_snapshot_zone_at(snap, i);
		size_t len = dz_dname_to_text(dz_zone_origin(z), name,
					      sizeof(name));
		if (len > 1 && name[len - 1] == '.') {
			name[len - 1] = '\0';
		}
		for (char *c = name; *c != '\0'; c++) {
			if (*c >= 'A' && *c <= 'Z') {
				*c = (char)(*c + 32);
			}
		}
		struct rec *r = find(s, name, false);
		if (r == NULL || !r->picked) {
			continue;
		}
		if (!r->known || r->serial != dz_zone_serial(z) ||
		    r->hash != r->phash) {
			r->serial = dz_zone_serial(z);
			r->hash = r->phash;
			r->known = true;
			dirty = true;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].picked = false;
	}
	return dirty ? save(s) : 0;
}

bool dz_serials_lookup(const struct dz_serials *s, const char *zone,
		       uint32_t *serial)
{
	struct rec *r = find((struct dz_serials *)s, zone, false);

	if (r == NULL || !r->known) {
		return false;
	}
	*serial = r->serial;
	return true;
}
