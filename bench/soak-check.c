/* SPDX-License-Identifier: MIT */
/* soak-check.c -- the soak's manifest writer, checking client and sampler. */

/*
 * usage: soak-check gen DIR [SHAPE]
 *        soak-check queries FILE [SHAPE]
 *        soak-check run DIR -p PORT -P PID -s SECONDS [SHAPE] [-w WRITES]
 *                   [-b BROKEN%] [-q QPS] [-j THREADS] [-t MS] [-W SECS]
 *                   [-l LOST] [-R PERCENT] [-o SAMPLES]
 * SHAPE: [-f FILES] [-r RECORDS] [-z ZONES] (the same for all three)
 *
 * gen writes the manifest directory: ZONES DNSZones soakN.test, a file
 * stable.yaml (RECORDS names s<j>.soak0.test that never change) and FILES
 * record files f<i>.yaml at version 1. File i serves zone soak<i % ZONES>;
 * version v of it holds the ARecords r<j>.f<i> (j < RECORDS) for which
 * (j + v) % 8 != 0, each with two addresses: 198.19.<i>.<j> (whose record)
 * and 198.18.<v / 256>.<v % 256> (which version). So names come and go,
 * and every positive answer says which version of its file it came from.
 * queries writes a dnsperf query file over the same names.
 *
 * run, for SECONDS, against dropzoned (pid PID) serving DIR on
 * 127.0.0.1:PORT:
 * - the writer rewrites WRITES files a second, round robin, each time as
 *   the next version, by writing a dot file and renaming it into place;
 *   BROKEN % of them are broken (an unterminated YAML flow sequence in the
 *   last document, or an address with an octet over 255 in the middle
 *   one). A broken version must never be served, not even in part: its
 *   file keeps serving its last good version. The next write of the file
 *   is usually good (fixed again); at the end every broken file is fixed.
 * - THREADS checkers send QPS queries a second in all (A and AAAA of the
 *   r names, A of the stable names, names that never exist) and judge
 *   EVERY answer against the versions that may be live: a version v of
 *   file i is acceptable when it is good, its rename had begun before the
 *   answer came (the writer publishes the number before it renames), and
 *   it is no older than the newest version of file i any answer showed
 *   before the query left (a published snapshot is never taken back: the
 *   workers read the current one per batch). A query without an answer
 *   within MS ms (2000) is waited for no longer; an answer that comes
 *   later is still judged and counted late; a query never answered (by
 *   MS ms after the run) is lost.
 * - the sampler reads VmRSS and counts the open files of PID each second.
 * Then every file must converge on its last good version (30 s deadline).
 * Fails (exit 1) on any wrong answer, more than LOST (0) lost queries, a
 * daemon that dies, a file that does not converge, descriptors that grow
 * (fewest in the last window over the fewest in the window after warm-up),
 * or an RSS in the last window more than PERCENT (5) over the RSS in the
 * window after warm-up (SECS: a tenth of the run, at least 10 s, else a
 * third; windows: a tenth of the run, at least 20 s or a third). The
 * RSS criterion is reported but not applied when the daemon runs under
 * AddressSanitizer or valgrind, whose quarantines grow by design.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TTL 300
#define MAX_THREADS 16
#define LATE_SLOTS 1024
#define MAX_WRONG_SHOWN 20

struct cfg {
	unsigned files, records, zones;
	unsigned port, seconds, writes, broken, qps, threads, timeout_ms;
	unsigned warmup, max_lost, rss_pct;
	long pid;
	const char *dir, *samples_out;
};

/* Per record file: what the writer published, what answers showed. */
struct file {
	_Atomic uint32_t started;  /* newest version whose rename began */
	_Atomic uint32_t floor;    /* newest version any answer showed */
	uint32_t last_good;        /* writer only */
	uint8_t *bad;              /* [v]: 1 when version v is broken */
	_Atomic uint64_t *done_us; /* [v]: when its rename returned */
};

enum kind { Q_REC_A, Q_REC_AAAA, Q_STABLE, Q_NX };

struct query {
	uint16_t id, qtype;
	bool used;      /* late slots */
	enum kind kind;
	unsigned file, rec, zone;
	uint32_t floor; /* newest version seen before sending */
	uint32_t seen;  /* the version the answer showed */
	uint64_t sent_us;
	char name[64];
};

/* What came back, reduced to what the judge needs. */
struct resp {
	uint16_t id, qtype, qclass;
	int rcode;
	bool aa, tc, rr_bad;
	unsigned ancount, na, nsoa;
	uint32_t a[8];
	char qname[256], soa_owner[256];
};

struct counters {
	_Atomic unsigned long sent, answered, wrong, late, lost, stray;
	_Atomic unsigned long stale_max_us;
};

struct sample {
	uint64_t t_us;
	long rss_kb;
	int fds;
};

static struct cfg cfg = {
	.files = 100, .records = 30, .zones = 20, .writes = 100, .broken = 10,
	.qps = 1000, .threads = 2, .timeout_ms = 2000, .max_lost = 0,
	.rss_pct = 5,
};
static struct file *files;
static uint32_t maxver;
static struct counters cnt;
static _Atomic bool stop_load, stop_sampler, daemon_died;
static _Atomic unsigned long n_writes, n_broken_yaml, n_broken_addr;
static struct sample *samples;
static size_t n_samples, max_samples;
static bool under_sanitizer;
static uint64_t t0_us;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void sleep_until(uint64_t us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(us / 1000000),
		.tv_nsec = (long)(us % 1000000) * 1000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR) {
	}
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("soak-check: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

static bool rec_exists(unsigned j, uint32_t v)
{
	return (j + v) % 8 != 0;
}

static bool version_good(const struct file *f, uint32_t v, uint32_t hi)
{
	return v >= 1 && v <= hi && v < maxver && !f->bad[v];
}

/* ---- the manifests ---- */

static void put_record(FILE *o, unsigned i, unsigned j, uint32_t v,
		       int broken)
{
	unsigned lo = v % 256 + (broken == 2 ? 256 : 0);

	fprintf(o, "---\napiVersion: bindy.firestoned.io/v1beta1\n"
		"kind: ARecord\nmetadata:\n  name: r%u-f%u\n"
		"  namespace: soak\n  labels:\n"
		"    bindy.firestoned.io/zone: soak%u.test\n"
		"spec:\n  name: r%u.f%u\n"
		"  ipv4Addresses: [\"198.19.%u.%u\", \"198.18.%u.%u\"%s\n",
		j, i, i % cfg.zones, j, i, i, j, (unsigned)(v / 256), lo,
		broken == 1 ? "" : "]");
}

/*
 * Version v of file i into path; broken: 0 good, 1 YAML error in the last
 * document, 2 an invalid address in the middle one.
 */
static void write_file(const char *path, unsigned i, uint32_t v, int broken)
{
	FILE *o = fopen(path, "w");
	unsigned last = 0, n = 0;

	if (o == NULL) {
		die("%s: %s", path, strerror(errno));
	}
	for (unsigned j = 0; j < cfg.records; j++) {
		last = rec_exists(j, v) ? j : last;
	}
	fprintf(o, "# soak: file %u version %" PRIu32 "%s\n", i, v,
		broken ? " (broken)" : "");
	for (unsigned j = 0; j < cfg.records; j++) {
		int b = 0;

		if (!rec_exists(j, v)) {
			continue;
		}
		if ((broken == 1 && j == last) ||
		    (broken == 2 && n == cfg.records / 3)) {
			b = broken;
		}
		put_record(o, i, j, v, b);
		n++;
	}
	if (fclose(o) != 0) {
		die("%s: %s", path, strerror(errno));
	}
}

static void write_zone(const char *dir, unsigned z)
{
	char path[4096];
	FILE *o;

	snprintf(path, sizeof(path), "%s/zone%u.yaml", dir, z);
	o = fopen(path, "w");
	if (o == NULL) {
		die("%s: %s", path, strerror(errno));
	}
	fprintf(o, "apiVersion: bindy.firestoned.io/v1beta1\nkind: DNSZone\n"
		"metadata:\n  name: soak%u\n  namespace: soak\nspec:\n"
		"  zoneName: soak%u.test\n  ttl: %d\n  soaRecord:\n"
		"    primaryNs: ns1.soak%u.test.\n"
		"    adminEmail: hostmaster.soak%u.test.\n    serial: 1\n"
		"    refresh: 3600\n    retry: 600\n    expire: 604800\n"
		"    negativeTtl: 60\n  nameServers:\n"
		"    - hostname: ns1.soak%u.test.\n"
		"      ipv4Address: \"192.0.2.53\"\n  recordsFrom:\n"
		"    - selector:\n        matchLabels:\n"
		"          bindy.firestoned.io/zone: soak%u.test\n",
		z, z, TTL, z, z, z, z);
	fclose(o);
}

static void gen(const char *dir)
{
	char path[4096];
	FILE *o;

	for (unsigned z = 0; z < cfg.zones; z++) {
		write_zone(dir, z);
	}
	snprintf(path, sizeof(path), "%s/stable.yaml", dir);
	o = fopen(path, "w");
	if (o == NULL) {
		die("%s: %s", path, strerror(errno));
	}
	for (unsigned j = 0; j < cfg.records; j++) {
		fprintf(o, "---\napiVersion: bindy.firestoned.io/v1beta1\n"
			"kind: ARecord\nmetadata:\n  name: s%u\n"
			"  namespace: soak\n  labels:\n"
			"    bindy.firestoned.io/zone: soak0.test\n"
			"spec:\n  name: s%u\n"
			"  ipv4Addresses: [\"198.19.255.%u\"]\n", j, j, j);
	}
	fclose(o);
	for (unsigned i = 0; i < cfg.files; i++) {
		snprintf(path, sizeof(path), "%s/f%03u.yaml", dir, i);
		write_file(path, i, 1, 0);
	}
}

static void gen_queries(const char *path)
{
	FILE *o = fopen(path, "w");

	if (o == NULL) {
		die("%s: %s", path, strerror(errno));
	}
	for (unsigned j = 0; j < cfg.records; j++) {
		for (unsigned i = 0; i < cfg.files; i++) {
			fprintf(o, "r%u.f%u.soak%u.test %s\n", j, i,
				i % cfg.zones, (i + j) % 8 == 0 ? "AAAA" : "A");
		}
		fprintf(o, "s%u.soak0.test A\nnx%u.soak%u.test A\n", j, j,
			j % cfg.zones);
	}
	fclose(o);
}

/* ---- the writer ---- */

static void write_version(unsigned i, int broken)
{
	struct file *f = &files[i];
	uint32_t v = atomic_load(&f->started) + 1;
	char tmp[4096], path[4096];

	snprintf(tmp, sizeof(tmp), "%s/.f%03u.yaml.tmp", cfg.dir, i);
	snprintf(path, sizeof(path), "%s/f%03u.yaml", cfg.dir, i);
	write_file(tmp, i, v, broken);
	f->bad[v] = broken != 0;
	/* Published before the rename: no answer can show v earlier. */
	atomic_store(&f->started, v);
	if (rename(tmp, path) != 0) {
		die("rename %s: %s", path, strerror(errno));
	}
	atomic_store(&f->done_us[v], now_us());
	if (broken == 0) {
		f->last_good = v;
	}
	atomic_fetch_add(&n_writes, 1);
	if (broken != 0) {
		atomic_fetch_add(broken == 1 ? &n_broken_yaml : &n_broken_addr,
				 1);
	}
}

static void *writer(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL, next = now_us();
	uint64_t step = 1000000 / (cfg.writes ? cfg.writes : 1);
	unsigned k = 0;

	(void)arg;
	while (cfg.writes > 0 && !atomic_load(&stop_load)) {
		unsigned i = k++ % cfg.files;
		int broken = 0;

		if (atomic_load(&files[i].started) + 2 >= maxver) {
			continue;
		}
		if (rnd(&seed) % 100 < cfg.broken) {
			broken = 1 + (int)(rnd(&seed) % 2);
		}
		write_version(i, broken);
		next += step;
		if (now_us() > next + 1000000) {
			next = now_us(); /* far behind: no burst */
		}
		sleep_until(next);
	}
	/* Fix what is still broken. */
	for (unsigned i = 0; i < cfg.files; i++) {
		if (files[i].last_good != atomic_load(&files[i].started)) {
			write_version(i, 0);
		}
	}
	return NULL;
}

/* ---- packets ---- */

static size_t make_query(uint8_t *buf, const struct query *q)
{
	size_t n = 12;
	const char *p = q->name;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(q->id >> 8);
	buf[1] = (uint8_t)q->id;
	buf[5] = 1;
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		buf[n++] = (uint8_t)len;
		memcpy(buf + n, p, len);
		n += len;
		p += len + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	buf[n++] = (uint8_t)(q->qtype >> 8);
	buf[n++] = (uint8_t)q->qtype;
	buf[n++] = 0;
	buf[n++] = 1;
	return n;
}

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The (compressed) name at *off, dotted and lower case; -1 if malformed. */
static int get_name(const uint8_t *p, size_t len, size_t *off, char *out,
		    size_t size)
{
	size_t pos = *off, o = 0;
	bool jumped = false;
	int hops = 0;

	for (;;) {
		if (pos >= len) {
			return -1;
		}
		if (p[pos] == 0) {
			if (!jumped) {
				*off = pos + 1;
			}
			break;
		}
		if ((p[pos] & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++hops > 64) {
				return -1;
			}
			if (!jumped) {
				*off = pos + 2;
			}
			jumped = true;
			pos = (size_t)(p[pos] & 0x3f) << 8 | p[pos + 1];
			continue;
		}
		if ((p[pos] & 0xc0) != 0 || pos + 1 + p[pos] > len ||
		    o + p[pos] + 2 > size) {
			return -1;
		}
		if (o > 0) {
			out[o++] = '.';
		}
		for (unsigned k = 0; k < p[pos]; k++) {
			out[o++] = (char)lc(p[pos + 1 + k]);
		}
		pos += 1 + (size_t)p[pos];
	}
	out[o] = '\0';
	return 0;
}

/* Parse an answer into r; -1 when it is malformed. */
static int parse_resp(const uint8_t *p, size_t len, struct resp *r)
{
	size_t off = 12;
	unsigned an, ns;
	char owner[256];

	memset(r, 0, sizeof(*r));
	if (len < 12 || !(p[2] & 0x80) || (p[2] & 0x78) != 0 ||
	    get16(p + 4) != 1) {
		return -1;
	}
	r->id = get16(p);
	r->aa = (p[2] & 0x04) != 0;
	r->tc = (p[2] & 0x02) != 0;
	r->rcode = p[3] & 0x0f;
	an = get16(p + 6);
	ns = get16(p + 8);
	if (get_name(p, len, &off, r->qname, sizeof(r->qname)) != 0 ||
	    off + 4 > len) {
		return -1;
	}
	r->qtype = get16(p + off);
	r->qclass = get16(p + off + 2);
	off += 4;
	r->ancount = an;
	for (unsigned k = 0; k < an + ns; k++) {
		uint16_t type, rdlen;

		if (get_name(p, len, &off, owner, sizeof(owner)) != 0 ||
		    off + 10 > len) {
			return -1;
		}
		type = get16(p + off);
		rdlen = get16(p + off + 8);
		if (off + 10 + rdlen > len) {
			return -1;
		}
		if (k < an && (type != 1 || get16(p + off + 2) != 1 ||
			       rdlen != 4 || get32(p + off + 4) != TTL ||
			       strcmp(owner, r->qname) != 0 || r->na == 8)) {
			r->rr_bad = true;
		} else if (k < an) {
			r->a[r->na++] = get32(p + off + 10);
		} else if (type == 6) {
			r->nsoa++;
			snprintf(r->soa_owner, sizeof(r->soa_owner), "%s",
				 owner);
		}
		off += 10 + (size_t)rdlen;
	}
	return 0;
}

/* ---- the judge ---- */

enum outcome { O_POS, O_NODATA, O_NXDOMAIN, O_BAD };

static enum outcome classify(const struct query *q, const struct resp *r,
			     char *why, size_t n)
{
	char zone[32];
	bool neg_ok;

	snprintf(zone, sizeof(zone), "soak%u.test", q->zone);
	if (!r->aa || r->tc || r->qclass != 1 || r->qtype != q->qtype ||
	    strcmp(r->qname, q->name) != 0) {
		snprintf(why, n, "header or question (aa %d tc %d qname %.64s)",
			 r->aa, r->tc, r->qname);
		return O_BAD;
	}
	if (r->rr_bad) {
		snprintf(why, n, "an answer RR is not A IN %d at the qname",
			 TTL);
		return O_BAD;
	}
	neg_ok = r->ancount == 0 && r->nsoa == 1 &&
		 strcmp(r->soa_owner, zone) == 0;
	if (r->rcode == 0 && r->ancount > 0) {
		return O_POS;
	}
	if (r->rcode == 0 && neg_ok) {
		return O_NODATA;
	}
	if (r->rcode == 3 && neg_ok) {
		return O_NXDOMAIN;
	}
	snprintf(why, n, "rcode %d, %u answers, %u SOA (%.64s)", r->rcode,
		 r->ancount, r->nsoa, r->soa_owner);
	return O_BAD;
}

static void note_max(_Atomic unsigned long *m, unsigned long v)
{
	unsigned long cur = atomic_load(m);

	while (v > cur && !atomic_compare_exchange_weak(m, &cur, v)) {
	}
}

/* How long a newer good version had been on disk when q left. */
static void note_staleness(const struct query *q, uint32_t v, uint32_t hi)
{
	const struct file *f = &files[q->file];

	for (uint32_t w = v + 1; w <= hi && w < maxver; w++) {
		uint64_t done = atomic_load(&f->done_us[w]);

		if (!f->bad[w] && done != 0 && done < q->sent_us) {
			note_max(&cnt.stale_max_us, q->sent_us - done);
			return;
		}
	}
}

/* A positive answer for r<j>.f<i>: two addresses, a version that may be
 * live and has the name. */
static int judge_pos(struct query *q, const struct resp *r, uint32_t hi,
		     char *why, size_t n)
{
	uint32_t mine = 0xc6130000u | q->file << 8 | q->rec, v = 0;
	const struct file *f = &files[q->file];

	if (q->kind != Q_REC_A || r->na != 2) {
		snprintf(why, n, "%u addresses for type %u", r->na, q->qtype);
		return -1;
	}
	for (int k = 0; k < 2; k++) {
		if (r->a[k] == mine && (r->a[1 - k] >> 16) == 0xc612) {
			v = r->a[1 - k] & 0xffff;
		}
	}
	if (v == 0 || !version_good(f, v, hi) || v < q->floor ||
	    !rec_exists(q->rec, v)) {
		snprintf(why, n, "addresses %08x %08x: version %" PRIu32
			 " (%s), live %" PRIu32 "..%" PRIu32, r->a[0],
			 r->a[1], v, v > 0 && v < maxver && f->bad[v] ?
			 "broken" : "not live", q->floor, hi);
		return -1;
	}
	q->seen = v;
	note_staleness(q, v, hi);
	return 0;
}

static int judge_rec(struct query *q, const struct resp *r, enum outcome o,
		     char *why, size_t n)
{
	struct file *f = &files[q->file];
	uint32_t hi = atomic_load(&f->started), cur;
	bool want = o == O_NODATA;

	if (o == O_POS) {
		if (judge_pos(q, r, hi, why, n) != 0) {
			return -1;
		}
		cur = atomic_load(&f->floor);
		while (q->seen > cur &&
		       !atomic_compare_exchange_weak(&f->floor, &cur,
						     q->seen)) {
		}
		return 0;
	}
	if (!(o == O_NODATA && q->kind == Q_REC_A)) {
		for (uint32_t v = q->floor; v <= hi; v++) {
			if (version_good(f, v, hi) &&
			    rec_exists(q->rec, v) == want) {
				return 0;
			}
		}
	}
	snprintf(why, n, "%s, but no live version (%" PRIu32 "..%" PRIu32
		 ") %s the name", o == O_NODATA ? "NODATA" : "NXDOMAIN",
		 q->floor, hi, want ? "has" : "lacks");
	return -1;
}

/* 0 when r is an answer the live versions allow for q. */
static int judge(struct query *q, const struct resp *r, char *why, size_t n)
{
	enum outcome o = classify(q, r, why, n);

	if (o == O_BAD) {
		return -1;
	}
	switch (q->kind) {
	case Q_STABLE:
		if (o == O_POS && r->na == 1 &&
		    r->a[0] == (0xc613ff00u | q->rec)) {
			return 0;
		}
		snprintf(why, n, "stable name: rcode %d, %u addresses",
			 r->rcode, r->na);
		return -1;
	case Q_NX:
		if (o == O_NXDOMAIN) {
			return 0;
		}
		snprintf(why, n, "want NXDOMAIN, rcode %d", r->rcode);
		return -1;
	default:
		return judge_rec(q, r, o, why, n);
	}
}

/* ---- the checkers ---- */

struct checker {
	pthread_t th;
	int fd;
	uint64_t seed;
	uint16_t next_id;
	struct query late[LATE_SLOTS];
};

static int open_socket(void)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)cfg.port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		die("socket: %s", strerror(errno));
	}
	return fd;
}

static void show_wrong(const struct query *q, const char *why)
{
	static unsigned shown;

	pthread_mutex_lock(&print_lock);
	if (shown++ < MAX_WRONG_SHOWN) {
		fprintf(stderr, "soak-check: WRONG at %.3f s: %s %s: %s\n",
			(double)(now_us() - t0_us) / 1e6, q->name,
			q->qtype == 1 ? "A" : "AAAA", why);
	}
	pthread_mutex_unlock(&print_lock);
}

/* Judge an answer to cur or to a query that timed out; true if cur's. */
static bool on_answer(struct checker *c, const uint8_t *buf, size_t len,
		      struct query *cur)
{
	struct query *q = NULL;
	struct resp r;
	char why[256];
	uint16_t id = len >= 2 ? get16(buf) : 0;

	if (cur != NULL && cur->id == id) {
		q = cur;
	} else if (c->late[id % LATE_SLOTS].used &&
		   c->late[id % LATE_SLOTS].id == id) {
		q = &c->late[id % LATE_SLOTS];
		q->used = false;
		atomic_fetch_add(&cnt.late, 1);
	}
	if (q == NULL) {
		atomic_fetch_add(&cnt.stray, 1);
		return false;
	}
	atomic_fetch_add(&cnt.answered, 1);
	if (parse_resp(buf, len, &r) != 0) {
		snprintf(why, sizeof(why), "malformed answer (%zu octets)",
			 len);
		atomic_fetch_add(&cnt.wrong, 1);
		show_wrong(q, why);
	} else if (judge(q, &r, why, sizeof(why)) != 0) {
		atomic_fetch_add(&cnt.wrong, 1);
		show_wrong(q, why);
	}
	return q == cur;
}

static void new_query(struct checker *c, struct query *q, enum kind kind,
		      unsigned file, unsigned rec)
{
	memset(q, 0, sizeof(*q));
	q->id = c->next_id++;
	q->kind = kind;
	q->file = file;
	q->rec = rec;
	q->qtype = kind == Q_REC_AAAA ? 28 : 1;
	switch (kind) {
	case Q_STABLE:
		q->zone = 0;
		snprintf(q->name, sizeof(q->name), "s%u.soak0.test", rec);
		break;
	case Q_NX:
		q->zone = file % cfg.zones;
		snprintf(q->name, sizeof(q->name), "nx%u.soak%u.test",
			 rnd(&c->seed) % 100000, q->zone);
		break;
	default:
		q->zone = file % cfg.zones;
		snprintf(q->name, sizeof(q->name), "r%u.f%u.soak%u.test",
			 rec, file, q->zone);
		break;
	}
}

static void random_query(struct checker *c, struct query *q)
{
	unsigned r = rnd(&c->seed) % 100;
	enum kind kind = r < 70 ? Q_REC_A : r < 80 ? Q_REC_AAAA :
			 r < 90 ? Q_STABLE : Q_NX;

	new_query(c, q, kind, rnd(&c->seed) % cfg.files,
		  rnd(&c->seed) % cfg.records);
}

/* A query that got no answer in time: wait no longer, remember it. */
static void put_late(struct checker *c, const struct query *q)
{
	struct query *slot = &c->late[q->id % LATE_SLOTS];

	if (slot->used) {
		atomic_fetch_add(&cnt.lost, 1); /* evicted: counted now */
	}
	*slot = *q;
	slot->used = true;
}

/* Send q and wait (timeout) for its answer, judging what comes. */
static void ask(struct checker *c, struct query *q)
{
	uint8_t buf[4096];
	size_t len;

	q->floor = atomic_load(&files[q->file].floor);
	q->sent_us = now_us();
	len = make_query(buf, q);
	atomic_fetch_add(&cnt.sent, 1);
	if (send(c->fd, buf, len, 0) < 0) {
		put_late(c, q); /* never answered: lost at the end */
		return;
	}
	for (;;) {
		uint64_t end = q->sent_us + cfg.timeout_ms * 1000ULL;
		uint64_t t = now_us();
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (t >= end ||
		    poll(&pfd, 1, (int)((end - t + 999) / 1000)) == 0) {
			put_late(c, q);
			return;
		}
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n >= 0 && on_answer(c, buf, (size_t)n, q)) {
			return;
		}
	}
}

/* Late answers until deadline; the queries still unanswered are lost. */
static void drain(struct checker *c, uint64_t deadline)
{
	uint8_t buf[4096];

	for (uint64_t t = now_us(); t < deadline; t = now_us()) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)((deadline - t + 999) / 1000)) <= 0) {
			break;
		}
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n >= 0) {
			on_answer(c, buf, (size_t)n, NULL);
		}
	}
	for (int k = 0; k < LATE_SLOTS; k++) {
		if (c->late[k].used) {
			atomic_fetch_add(&cnt.lost, 1);
			c->late[k].used = false;
		}
	}
}

static void *checker(void *arg)
{
	struct checker *c = arg;
	uint64_t step = cfg.threads * 1000000ULL / cfg.qps, next = now_us();

	while (!atomic_load(&stop_load)) {
		struct query q;

		random_query(c, &q);
		ask(c, &q);
		next += step;
		if (now_us() > next + 1000000) {
			next = now_us(); /* far behind: no burst */
		}
		sleep_until(next);
	}
	drain(c, now_us() + cfg.timeout_ms * 1000ULL);
	return NULL;
}

/*
 * After the writer stopped: every file must serve its last good version.
 * The number of files that do within the deadline.
 */
static unsigned converge(struct checker *c, double *secs)
{
	uint64_t start = now_us(), deadline = start + 30000000;
	unsigned ok = 0;

	for (unsigned i = 0; i < cfg.files; i++) {
		uint32_t want = files[i].last_good;
		unsigned j = 0;

		while (!rec_exists(j, want)) {
			j++;
		}
		while (now_us() < deadline) {
			struct query q;

			new_query(c, &q, Q_REC_A, i, j);
			ask(c, &q);
			if (q.seen == want) {
				ok++;
				break;
			}
			sleep_until(now_us() + 20000);
		}
	}
	*secs = (double)(now_us() - start) / 1e6;
	drain(c, now_us() + cfg.timeout_ms * 1000ULL);
	return ok;
}

/* ---- the sampler ---- */

static long read_rss(void)
{
	char path[64], line[256];
	long kb = -1;
	FILE *in;

	snprintf(path, sizeof(path), "/proc/%ld/status", cfg.pid);
	in = fopen(path, "r");
	if (in == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
		}
	}
	fclose(in);
	return kb; /* a zombie has none: -1 */
}

static int count_fds(void)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", cfg.pid);
	d = opendir(path);
	if (d == NULL) {
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	closedir(d);
	return n;
}

/* AddressSanitizer or valgrind in the daemon: its RSS grows by design. */
static bool sanitized(void)
{
	char path[64], line[512];
	bool found = false;
	FILE *in;

	snprintf(path, sizeof(path), "/proc/%ld/maps", cfg.pid);
	in = fopen(path, "r");
	if (in == NULL) {
		return false;
	}
	while (!found && fgets(line, sizeof(line), in) != NULL) {
		found = strstr(line, "libasan") != NULL ||
			strstr(line, "vgpreload") != NULL;
	}
	fclose(in);
	return found;
}

static void *sampler(void *arg)
{
	uint64_t next = now_us();

	(void)arg;
	under_sanitizer = sanitized();
	while (!atomic_load(&stop_sampler) && n_samples < max_samples) {
		struct sample *s = &samples[n_samples];

		s->t_us = now_us() - t0_us;
		s->rss_kb = read_rss();
		s->fds = count_fds();
		if (s->rss_kb < 0 || s->fds < 0) {
			atomic_store(&daemon_died, true);
			atomic_store(&stop_load, true);
			break;
		}
		n_samples++;
		next += 250000;
		sleep_until(next);
	}
	return NULL;
}

/* ---- the report ---- */

struct window {
	long rss_p90;
	int fds_min, fds_max;
	size_t n;
};

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The samples taken from second a (inclusive) to b (exclusive). */
static struct window window(double a, double b)
{
	struct window w = { .fds_min = -1, .fds_max = -1 };
	long *rss = calloc(n_samples + 1, sizeof(*rss));

	for (size_t k = 0; k < n_samples; k++) {
		double t = (double)samples[k].t_us / 1e6;
		int fds = samples[k].fds;

		if (t < a || t >= b) {
			continue;
		}
		rss[w.n++] = samples[k].rss_kb;
		w.fds_min = w.fds_min < 0 || fds < w.fds_min ? fds : w.fds_min;
		w.fds_max = fds > w.fds_max ? fds : w.fds_max;
	}
	qsort(rss, w.n, sizeof(*rss), cmp_long);
	w.rss_p90 = w.n > 0 ? rss[w.n * 9 / 10] : -1;
	free(rss);
	return w;
}

static void progress(double t)
{
	const struct sample *s = n_samples ? &samples[n_samples - 1] : NULL;

	fprintf(stderr, "soak-check: %4.0f s: %lu checked, %lu wrong, %lu "
		"late, %lu writes, rss %ld kB, %d fds\n", t,
		atomic_load(&cnt.answered), atomic_load(&cnt.wrong),
		atomic_load(&cnt.late), atomic_load(&n_writes),
		s ? s->rss_kb : -1L, s ? s->fds : -1);
}

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	return 1;
}

/*
 * RSS and descriptors: after warm-up against the end. 0 or 1 (failed).
 * glibc's heap breathes by 10 % as snapshots come and go, so each side
 * is the 90th percentile of a window of at least 20 s (4 samples a
 * second): the high-water mark without a single outlier.
 */
static int report_memory(void)
{
	double s = cfg.seconds;
	double span = s / 10 >= 20 ? s / 10 : s / 3 < 20 ? s / 3 : 20;
	double w0 = cfg.warmup ? cfg.warmup : s / 10 >= 10 ? s / 10 : s / 3;
	struct window a = window(w0, w0 + span);
	struct window b = window(s - span, s + 1);
	double growth = a.rss_p90 > 0 ?
		100.0 * (double)(b.rss_p90 - a.rss_p90) /
		(double)a.rss_p90 : 0;
	int rc = 0;

	printf("rss: %ld kB after warm-up (p90 of %.0f-%.0f s), %ld kB "
	       "at the end (p90 of %.0f-%u s): %+.1f %% (limit %u %%%s)\n",
	       a.rss_p90, w0, w0 + span, b.rss_p90,
	       cfg.seconds - span, cfg.seconds, growth, cfg.rss_pct,
	       under_sanitizer ? ", not applied: sanitizer or valgrind" : "");
	printf("fds: %d-%d after warm-up, %d-%d at the end\n", a.fds_min,
	       a.fds_max, b.fds_min, b.fds_max);
	if (a.n == 0 || b.n == 0) {
		rc |= fail("too few samples (%zu, %zu)", a.n, b.n);
	}
	if (!under_sanitizer && growth > cfg.rss_pct) {
		rc |= fail("rss grew %.1f %%", growth);
	}
	if (b.fds_min > a.fds_min) {
		rc |= fail("open files grew from %d to %d", a.fds_min,
			   b.fds_min);
	}
	return rc;
}

/* The samples as "seconds rss_kB fds" lines, for a plot. */
static void save_samples(void)
{
	FILE *o;

	if (cfg.samples_out == NULL) {
		return;
	}
	o = fopen(cfg.samples_out, "w");
	if (o == NULL) {
		die("%s: %s", cfg.samples_out, strerror(errno));
	}
	for (size_t k = 0; k < n_samples; k++) {
		fprintf(o, "%.1f %ld %d\n", (double)samples[k].t_us / 1e6,
			samples[k].rss_kb, samples[k].fds);
	}
	fclose(o);
}

static int report(unsigned converged, double conv_secs)
{
	unsigned long sent = atomic_load(&cnt.sent);
	int rc = 0;

	printf("writes: %lu in %u s (%lu broken: %lu YAML, %lu address)\n",
	       atomic_load(&n_writes), cfg.seconds,
	       atomic_load(&n_broken_yaml) + atomic_load(&n_broken_addr),
	       atomic_load(&n_broken_yaml), atomic_load(&n_broken_addr));
	printf("checked: %lu queries, %lu answers judged, %lu wrong, %lu "
	       "late (> %u ms, judged too), %lu lost, %lu stray\n", sent,
	       atomic_load(&cnt.answered), atomic_load(&cnt.wrong),
	       atomic_load(&cnt.late), cfg.timeout_ms,
	       atomic_load(&cnt.lost), atomic_load(&cnt.stray));
	printf("staleness: at most %.1f ms between a good version landing "
	       "and a query still answered from an older one\n",
	       (double)atomic_load(&cnt.stale_max_us) / 1000);
	printf("converged: %u of %u files on their last good version "
	       "(%.1f s)\n", converged, cfg.files, conv_secs);
	save_samples();
	rc |= report_memory();
	if (atomic_load(&daemon_died)) {
		rc |= fail("dropzoned (pid %ld) died", cfg.pid);
	}
	if (atomic_load(&cnt.wrong) > 0 || atomic_load(&cnt.stray) > 0) {
		rc |= fail("%lu wrong answers, %lu stray",
			   atomic_load(&cnt.wrong), atomic_load(&cnt.stray));
	}
	if (atomic_load(&cnt.lost) > cfg.max_lost) {
		rc |= fail("%lu checked queries lost (allowed %u)",
			   atomic_load(&cnt.lost), cfg.max_lost);
	}
	if (converged < cfg.files) {
		rc |= fail("%u files never served their last good version",
			   cfg.files - converged);
	}
	return rc;
}

/* ---- run ---- */

static void init_files(void)
{
	maxver = (uint32_t)((uint64_t)cfg.seconds * cfg.writes / cfg.files) +
		 cfg.files + 16;
	if (maxver > 65535) {
		maxver = 65535; /* the version is an address's last 16 bits */
	}
	files = calloc(cfg.files, sizeof(*files));
	if (files == NULL) {
		die("out of memory");
	}
	for (unsigned i = 0; i < cfg.files; i++) {
		files[i].bad = calloc(maxver, 1);
		files[i].done_us = calloc(maxver, sizeof(*files[i].done_us));
		if (files[i].bad == NULL || files[i].done_us == NULL) {
			die("out of memory");
		}
		atomic_store(&files[i].started, 1);
		atomic_store(&files[i].floor, 1);
		files[i].last_good = 1;
	}
	max_samples = (cfg.seconds + 120) * 4;
	samples = calloc(max_samples, sizeof(*samples));
	if (samples == NULL) {
		die("out of memory");
	}
}

static struct checker *new_checker(unsigned k)
{
	struct checker *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		die("out of memory");
	}
	c->fd = open_socket();
	c->seed = 0x2545f4914f6cdd1dULL * (k + 1);
	c->next_id = (uint16_t)(k * 7919);
	return c;
}

static int run(void)
{
	struct checker *c[MAX_THREADS + 1];
	pthread_t wr, sa;
	uint64_t every = cfg.seconds >= 100 ? 60 : 10;
	unsigned converged;
	double conv_secs = 0;
	int rc;

	init_files();
	t0_us = now_us();
	pthread_create(&sa, NULL, sampler, NULL);
	pthread_create(&wr, NULL, writer, NULL);
	for (unsigned k = 0; k < cfg.threads; k++) {
		c[k] = new_checker(k);
		pthread_create(&c[k]->th, NULL, checker, c[k]);
	}
	for (uint64_t s = 1; s <= cfg.seconds && !atomic_load(&stop_load);
	     s++) {
		sleep_until(t0_us + s * 1000000);
		if (s % every == 0) {
			progress((double)s);
		}
	}
	atomic_store(&stop_load, true);
	atomic_store(&stop_sampler, true);
	pthread_join(wr, NULL);
	pthread_join(sa, NULL);
	for (unsigned k = 0; k < cfg.threads; k++) {
		pthread_join(c[k]->th, NULL);
	}
	c[cfg.threads] = new_checker(cfg.threads);
	converged = atomic_load(&daemon_died) ? 0 :
		    converge(c[cfg.threads], &conv_secs);
	rc = report(converged, conv_secs);
	for (unsigned k = 0; k <= cfg.threads; k++) {
		close(c[k]->fd);
		free(c[k]);
	}
	return rc;
}

static unsigned num(const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		die("'%s': want a number from %u to %u", s, lo, hi);
	}
	return (unsigned)v;
}

static void options(int argc, char **argv)
{
	int o;

	while ((o = getopt(argc, argv, "f:r:z:p:P:s:w:b:q:j:t:W:l:R:o:")) !=
	       -1) {
		switch (o) {
		case 'f': cfg.files = num(optarg, 1, 255); break;
		case 'r': cfg.records = num(optarg, 8, 256); break;
		case 'z': cfg.zones = num(optarg, 1, 255); break;
		case 'p': cfg.port = num(optarg, 1, 65535); break;
		case 'P': cfg.pid = num(optarg, 1, 1u << 30); break;
		case 's': cfg.seconds = num(optarg, 10, 86400); break;
		case 'w': cfg.writes = num(optarg, 0, 10000); break;
		case 'b': cfg.broken = num(optarg, 0, 100); break;
		case 'q': cfg.qps = num(optarg, 1, 1000000); break;
		case 'j': cfg.threads = num(optarg, 1, MAX_THREADS); break;
		case 't': cfg.timeout_ms = num(optarg, 10, 60000); break;
		case 'W': cfg.warmup = num(optarg, 0, 86400); break;
		case 'l': cfg.max_lost = num(optarg, 0, 1u << 30); break;
		case 'R': cfg.rss_pct = num(optarg, 0, 1000); break;
		case 'o': cfg.samples_out = optarg; break;
		default: exit(2);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		die("usage: soak-check gen|queries|run PATH [OPTION]...");
	}
	cfg.dir = argv[2];
	optind = 3;
	options(argc, argv);
	if (strcmp(argv[1], "gen") == 0) {
		gen(cfg.dir);
		return 0;
	}
	if (strcmp(argv[1], "queries") == 0) {
		gen_queries(cfg.dir);
		return 0;
	}
	if (strcmp(argv[1], "run") != 0 || cfg.port == 0 || cfg.pid == 0 ||
	    cfg.seconds == 0) {
		die("run needs -p PORT -P PID -s SECONDS");
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return run();
}
