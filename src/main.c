/* SPDX-License-Identifier: MIT */
/* main.c -- dropzoned: command line, manifest loading, signals, workers. */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/control.h"
#include "daemon/http.h"
#include "daemon/opt.h"
#include "daemon/listen.h"
#include "daemon/runtime.h"
#include "daemon/serials.h"
#include "daemon/server.h"
#include "manifest/load.h"
#include "manifest/set.h"
#include "manifest/status.h"
#include "manifest/watch.h"
#include "plugin/plugin.h"
#include "query/query.h"
#include "util/diag.h"
#include "util/dname.h"
#include "util/heap.h"
#include "util/errcode.h"
#include "util/log.h"
#include "zone/build.h"
#include "xfr/xfr.h"
#include "zone/snapshot.h"

#define LISTEN_MAX 64
/* SIGTERM: how long open TCP connections may take to finish. */
#define DRAIN_MS 5000

/* Settings (rows of dz_main_opts), defaults merged in parse_args(). */
struct opts {
	const char *config;
	const char *manifests;
	const char *state_dir;
	const char *plugin_dir;
	struct dz_listen_addr listen[LISTEN_MAX];
	size_t nlisten;
	unsigned threads;
	unsigned reload_delay_ms;
	enum dz_log_level log_level;
	const char *log_file;
	const char *pidfile;
	const char *user;
	const char *group;
	bool syslog;
	bool allow_root;
	bool foreground;
	bool check_config;
	bool version;
	bool help;
};

static struct opts opts = {
	.manifests = "/etc/dropzone/manifests",
	.state_dir = "/var/lib/dropzone",
	.reload_delay_ms = 5,
	.log_level = DZ_LOG_INFO,
};

/* What the main loop owns. */
struct daemon {
	const struct opts *o;
	struct event_base *base;
	struct dz_mset *set;       /* the files served */
	struct dz_watch *watch;
	struct dz_serials *serials;
	struct dz_snapshot *snap;  /* our reference to the published one */
	struct dz_status *status;
	struct dz_control *control;
	struct dz_http *http;
	unsigned batches_untrimmed; /* since the last malloc_trim() */
	bool reloading;            /* SIGHUP: READY=1 once it is applied */
	bool daemonized;
	int ready_fd;              /* releases the parent of a daemon */
};

static const char usage_head[] =
"usage: dropzoned [OPTION]...\n"
"Serve bindy DNS manifests (DNSZone, ARecord, MXRecord, ...) over DNS.\n"
"\n";

static const char usage_tail[] =
"\n"
"Every option is also a key of the config file (YAML, see\n"
"dropzoned.yaml(5)); the command line wins over the file.\n"
"Changes in the manifest directory are served within milliseconds.\n"
"Signals: SIGHUP rescans the manifests, SIGTERM and SIGINT stop (open\n"
"TCP connections get 5 s to finish), SIGUSR1 reopens the log file.\n";

static int set_listen(const char *text, void *ptr, const char **why)
{
	struct opts *o = ptr;
	struct dz_listen_addr a;

	if (text == NULL) {
		o->nlisten = 0;
		return 0;
	}
	if (dz_listen_parse(text, &a, why) != 0) {
		return -1;
	}
	for (size_t i = 0; i < o->nlisten; i++) {
		if (strcmp(o->listen[i].text, a.text) == 0) {
			return 0; /* given twice: one set of sockets */
		}
	}
	if (o->nlisten == LISTEN_MAX) {
		*why = "more than 64 addresses";
		return -1;
	}
	o->listen[o->nlisten++] = a;
	return 0;
}

static int set_log_level(const char *text, void *ptr, const char **why)
{
	int level = dz_log_level_parse(text);

	if (level < 0) {
		*why = "not one of error, warning, info, debug";
		return -1;
	}
	*(enum dz_log_level *)ptr = (enum dz_log_level)level;
	return 0;
}

const struct dz_opt dz_main_opts[] = {
	{ .name = "config", .short_name = 'c', .type = DZ_OPT_STRING,
	  .ptr = &opts.config, .arg = "FILE", .cli_only = true,
	  .help = "settings file (YAML; a missing default is fine)",
	  .def = DZ_CONFIG_DEFAULT },
	{ .name = "check-config", .type = DZ_OPT_FLAG,
	  .ptr = &opts.check_config, .cli_only = true,
	  .help = "check the settings (file and command line) and exit:\n"
		  "0 when they are fine, 2 when not" },
	{ .name = "manifests", .short_name = 'm', .type = DZ_OPT_STRING,
	  .ptr = &opts.manifests, .arg = "DIR", .help = "manifest directory",
	  .def = "/etc/dropzone/manifests" },
	{ .name = "listen", .short_name = 'l', .type = DZ_OPT_FUNC,
	  .ptr = &opts, .parse = set_listen, .repeat = true,
	  .arg = "ADDR:PORT",
	  .help = "address to serve on, repeatable; IPv6 as [::1]:5353",
	  .def = "0.0.0.0:53 and [::]:53" },
	{ .name = "state-dir", .short_name = 's', .type = DZ_OPT_STRING,
	  .ptr = &opts.state_dir, .arg = "DIR", .help = "state directory",
	  .def = "/var/lib/dropzone" },
	{ .name = "foreground", .short_name = 'f', .type = DZ_OPT_FLAG,
	  .ptr = &opts.foreground,
	  .help = "stay in the foreground (systemd, containers); without\n"
		  "it dropzoned forks into the background once it serves",
	  .def = "false" },
	{ .name = "pidfile", .type = DZ_OPT_STRING, .ptr = &opts.pidfile,
	  .arg = "FILE", .help = "write the pid to FILE, locked while running",
	  .def = "none" },
	{ .name = "user", .type = DZ_OPT_STRING,
	  .ptr = &opts.user, .arg = "USER",
	  .help = "run as USER once the sockets are bound (root: keep\n"
		  "root)", .def = "dropzone, when started as root and it "
		  "exists" },
	{ .name = "group", .type = DZ_OPT_STRING,
	  .ptr = &opts.group, .arg = "GROUP",
	  .help = "run as GROUP", .def = "the user's group" },
	{ .name = "allow-root", .type = DZ_OPT_FLAG, .ptr = &opts.allow_root,
	  .help = "keep running as root, without a warning, when the\n"
		  "user dropzone does not exist", .def = "false" },
	{ .name = "threads", .short_name = 't', .type = DZ_OPT_UINT,
	  .ptr = &opts.threads, .min = 1, .max = DZ_SERVER_THREADS_MAX,
	  .arg = "N", .help = "worker threads",
	  .def = "number of online CPUs" },
	{ .name = "log-level", .type = DZ_OPT_FUNC, .ptr = &opts.log_level,
	  .parse = set_log_level, .arg = "LEVEL",
	  .help = "error, warning, info or debug", .def = "info" },
	{ .name = "log-file", .type = DZ_OPT_STRING, .ptr = &opts.log_file,
	  .arg = "FILE",
	  .help = "log to FILE (reopened on SIGUSR1)",
	  .def = "stderr; syslog in the background" },
	{ .name = "syslog", .type = DZ_OPT_FLAG, .ptr = &opts.syslog,
	  .help = "log to syslog (facility daemon)", .def = "false" },
	{ .name = "plugin-dir", .short_name = 'p', .type = DZ_OPT_STRING,
	  .ptr = &opts.plugin_dir, .arg = "DIR",
	  .help = "load record kind plugins (*.so) from DIR" },
	{ .name = "reload-delay", .type = DZ_OPT_UINT,
	  .ptr = &opts.reload_delay_ms, .min = 1, .max = 10000, .arg = "MS",
	  .help = "quiet period after a change in the manifest\n"
		  "directory before it is applied", .def = "5" },
	{ .name = "follow-outside-symlinks", .type = DZ_OPT_FLAG,
	  .ptr = &dz_scan_follow_outside,
	  .help = "read manifest symlinks that lead outside the manifest\n"
		  "directory (default: reported and skipped)", .def = "false" },
	{ .name = "version", .short_name = 'V', .type = DZ_OPT_FLAG,
	  .ptr = &opts.version, .cli_only = true,
	  .help = "print the version and exit" },
	{ .name = "help", .short_name = 'h', .type = DZ_OPT_FLAG,
	  .ptr = &opts.help, .cli_only = true,
	  .help = "print this help and exit" },
	{ .name = NULL },
};

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1) {
		return 1;
	}
	return n > DZ_SERVER_THREADS_MAX ? DZ_SERVER_THREADS_MAX : (unsigned)n;
}

/* Settings: the config file, then argv; exits on --help, --version and
 * errors. Returns the config file read (NULL: none). */
static const char *parse_args(int argc, char **argv, struct opts *o)
{
	const char *why, *file = NULL;

	if (dz_config_setup(argc, argv, &file) != 0) {
		exit(2);
	}
	if (o->help) {
		fputs(usage_head, stdout);
		dz_opt_usage(stdout);
		fputs(usage_tail, stdout);
		exit(0);
	}
	if (o->version) {
		printf("dropzoned %s\n", PACKAGE_VERSION);
		exit(0);
	}
	if (o->nlisten == 0 && (set_listen("0.0.0.0:53", o, &why) != 0 ||
				set_listen("[::]:53", o, &why) != 0)) {
		exit(2);
	}
	if (o->threads == 0) {
		o->threads = default_threads();
	}
	return file;
}

/* CPU time of this thread. */
static uint64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* One log line per diagnostic, at its own severity. */
static void log_diags(const struct dz_diags *d)
{
	char buf[1024];
	size_t len;

	for (size_t i = 0; i < d->n; i++) {
		len = dz_diag_format(&d->items[i], buf, sizeof(buf));
		if (len >= sizeof(buf)) {
			len = sizeof(buf) - 1;
		}
		while (len > 0 && buf[len - 1] == '\n') {
			buf[--len] = '\0';
		}
		dz_log(d->items[i].sev == DZ_SEV_ERROR ? DZ_LOG_ERR :
		       DZ_LOG_WARN, "manifest %s", buf);
	}
}

/* What changed between two snapshots, zone by zone: exact RR counts for
 * zones edited in place (the SOA left out); for rebuilt zones net ones (a
 * changed RR counts only when the counts move). */
struct delta {
	size_t added, removed, changed, zones, records, rebuilt, edited;
};

static int count_del(const uint8_t *owner, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	(void)owner, (void)ttl, (void)rdata, (void)rdlen;
	((struct delta *)arg)->removed += type != 6; /* SOA */
	return 0;
}

static int count_add(const uint8_t *owner, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen, void *arg)
{
	(void)owner, (void)ttl, (void)rdata, (void)rdlen;
	((struct delta *)arg)->added += type != 6;
	return 0;
}

static const struct dz_zone *same_zone(const struct dz_snapshot *s,
				       const struct dz_zone *z)
{
	uint8_t lname[DZ_DNAME_MAX];
	const uint8_t *o = dz_zone_origin(z);
	size_t len = dz_dname_len(o);
	const struct dz_zone *f;

	if (s == NULL) {
		return NULL;
	}
	memcpy(lname, o, len);
	dz_dname_tolower(lname);
	f = dz_snapshot_find_zone(s, lname, len);
	return f != NULL && dz_dname_equal(dz_zone_origin(f), o) ? f : NULL;
}

static void diff(const struct dz_snapshot *old, const struct dz_snapshot *new,
		 struct delta *d)
{
	memset(d, 0, sizeof(*d));
	d->zones = dz_snapshot_zone_count(new);
	for (size_t i = 0; i < d->zones; i++) {
		const struct dz_zone *z = dz_snapshot_zone_at(new, i);
		const struct dz_zone *o = same_zone(old, z);
		size_t nn = dz_zone_rr_count(z), on = o ? dz_zone_rr_count(o) : 0;
		d->records += nn;
		if (o != NULL && o != z &&
		    dz_zone_edit_walk(z, o, count_del, count_add, d) == 0) {
			d->edited++;
		} else {
			d->added += nn > on ? nn - on : 0;
			d->removed += on > nn ? on - nn : 0;
			d->rebuilt += o != z;
		}
		d->changed += o == NULL || dz_zone_serial(o) != dz_zone_serial(z)
			      || on != nn;
	}
	for (size_t i = 0; old != NULL && i < dz_snapshot_zone_count(old); i++) {
		const struct dz_zone *o = dz_snapshot_zone_at(old, i);
		if (same_zone(new, o) == NULL) {
			d->removed += dz_zone_rr_count(o);
			d->changed++;
		}
	}
}

static void log_batch(const struct dz_mset_stats *st,
		      const struct dz_snapshot *old,
		      const struct dz_snapshot *snap, uint64_t us)
{
	struct delta d;

	diff(old, snap, &d);
	dz_log_info("reload: %zu file%s (%zu loaded, %zu rejected, %zu "
		    "removed), records +%zu -%zu (%zu served), %zu of %zu "
		    "zones changed (%zu rebuilt, %zu edited in place), "
		    "%llu.%03llu ms from first event to publication "
		    "(generation %llu)", st->files,
		    st->files == 1 ? "" : "s", st->loaded, st->rejected,
		    st->removed, d.added, d.removed, d.records, d.changed,
		    d.zones, d.rebuilt, d.edited,
		    (unsigned long long)(us / 1000),
		    (unsigned long long)(us % 1000),
		    (unsigned long long)dz_snapshot_generation(snap));
}

/*
 * Errors now reported over every served and rejected file, plus one per
 * skipped file (a symlink that loops, dangles or leads outside the
 * root): it is not served either (metrics).
 */
static unsigned manifest_errors(void *arg)
{
	const struct daemon *d = arg;
	struct dz_diags all = { 0 };
	struct dz_mfile *const *files;
	struct dz_mset_problem *pv = NULL;
	unsigned n = 0;
	size_t nf, np = 0;

	files = dz_mset_files(d->set, &nf);
	dz_build_collect_diags(files, nf, &all);
	for (size_t i = 0; i < all.n; i++) {
		n += all.items[i].sev == DZ_SEV_ERROR;
	}
	dz_diags_clear(&all);
	for (size_t i = 0; i < dz_mset_count(d->set); i++) {
		n += dz_mset_rejected(d->set, i) != NULL;
	}
	if (dz_mset_problems(d->set, &pv, &np) == 0) {
		for (size_t i = 0; i < np; i++) {
			n += pv[i].fault == DZ_MSET_SKIPPED;
		}
		dz_mset_problems_free(pv, np);
	}
	return n;
}

/* Address space for the first load's heap in huge pages (heap.h): more
 * than a million records need; untouched, it costs nothing. */
#define HEAP_HUGE_RESERVE ((size_t)1792 << 20)

/*
 * Apply the files marked in the set: re-read, build, publish. On failure
 * (out of memory) the served snapshot stays. first_us: when the first
 * change was seen. 0 or DZ_ENOMEM.
 */
static int apply(struct daemon *d, uint64_t first_us)
{
	struct dz_build_opts bopts = {
		.content_serial = dz_serials_pick,
		.prev = d->snap,
		.serial_arg = d->serials,
	};
	struct dz_diags diags = { 0 };
	struct dz_mset_stats st;
	struct dz_snapshot *snap = NULL, *old = d->snap;
	int rc;

	uint64_t t_apply = now_us(), c_apply = cpu_us();
	if (d->snap == NULL) {
		dz_heap_huge_begin(HEAP_HUGE_RESERVE);
	}
	rc = dz_mset_apply(d->set, &bopts, &st, &snap);
	/* CPU time too: on a busy machine wall time says little. */
	dz_log_debug("reload: waited %llu us, built in %llu us (%llu us "
		     "CPU)", (unsigned long long)(t_apply - first_us),
		     (unsigned long long)(now_us() - t_apply),
		     (unsigned long long)(cpu_us() - c_apply));
	if (rc != 0 || snap == NULL) {
		dz_heap_huge_end();
	}
	if (rc != 0) {
		dz_http_note_reload(false, (double)(now_us() - first_us) / 1e6);
		dz_log_err("manifests '%s': %s: keeping the served zones",
			   d->o->manifests, dz_strerror(rc));
		/* Files may have left the set: no pointer to them stays. */
		if (dz_status_update(d->status, d->set, d->snap,
				     time(NULL)) == 0) {
			dz_mset_release_retired(d->set);
		}
		return rc;
	}
	if (snap == NULL) {
		return 0;
	}
	/* With --catalog-zone: the RFC 9432 catalog of the zones, served
	 * and transferred like them (a failure is logged; we serve on). */
	dz_xfr_catalog_add(snap);
	/* Only this thread publishes: our reference keeps snap alive for
	 * the status and the next diff. */
	dz_snapshot_ref(snap);
	dz_snapshot_publish(snap);
	d->snap = snap;
	log_batch(&st, old, snap, now_us() - first_us);
	dz_xfr_published(d->base, d->o->state_dir, old, snap);
	dz_snapshot_unref(old);
	if (dz_status_update(d->status, d->set, snap, time(NULL)) != 0) {
		dz_log_err("status: out of memory");
	} else {
		dz_mset_release_retired(d->set);
	}
	dz_serials_commit(d->serials, snap);
	/* A build in full frees as much as it allocates; give the freed
	 * pages of the old snapshot and of the parse back to the system.
	 * Trimming walks the whole heap (madvise, TLB flushes: ~1 s at a
	 * million records): worth it after a big batch, not after every
	 * one-file change, and never after a delta build, which frees
	 * little and whose pages the next ones reuse. */
	struct dz_object *const *touched;
	size_t ntouched;
	if (dz_heap_huge_end()) {
		d->batches_untrimmed = 0; /* it trimmed */
	} else if (!dz_mset_incremental(d->set, &touched, &ntouched) &&
		   (st.files >= 16 || ++d->batches_untrimmed >= 32)) {
		malloc_trim(0);
		d->batches_untrimmed = 0;
	}
	dz_mset_collect_changed(d->set, &diags);
	log_diags(&diags);
	dz_diags_clear(&diags);
	dz_http_note_reload(true, (double)(now_us() - first_us) / 1e6);
	return 0;
}

/* Split line into at most max words; returns how many. */
static int split(char *line, char **argv, int max)
{
	int n = 0;

	for (char *t = strtok(line, " \t"); t != NULL && n < max;
	     t = strtok(NULL, " \t")) {
		argv[n++] = t;
	}
	return n;
}

/* "export ZONE": the served zone as an RFC 1035 zone file. */
static void control_export(const struct daemon *d, const char *zone,
			   FILE *out)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	int rc = f != NULL ? dz_xfr_export(d->snap, zone, f) : DZ_ENOMEM;

	if (f != NULL) {
		fclose(f);
	}
	if (rc == 0) {
		fprintf(out, "OK\n%s", body);
	} else if (rc == DZ_ENOENT) {
		fprintf(out, "ERR zone '%s' is not served\n", zone);
	} else {
		fprintf(out, "ERR %s\n", dz_strerror(rc));
	}
	free(body);
}

/*
 * Control requests (dropzonectl): "status", "status json" (the /status
 * List), "get KIND NAME NS yaml|json"
 * (NS "-": any namespace), "serial ZONE", "export ZONE".
 */
static void on_control(char *line, FILE *out, void *arg)
{
	struct daemon *d = arg;
	char *av[6];
	int ac = split(line, av, 6), rc;
	uint32_t serial;

	if (ac == 1 && strcmp(av[0], "status") == 0) {
		fputs("OK\n", out);
		dz_status_print_table(d->status, out, time(NULL));
	} else if (ac == 2 && strcmp(av[0], "status") == 0 &&
		   strcmp(av[1], "json") == 0) {
		fputs("OK\n", out);
		dz_status_print_list(d->status, out);
	} else if (ac == 5 && strcmp(av[0], "get") == 0) {
		char *body = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&body, &len);
		if (f == NULL) {
			fputs("ERR out of memory\n", out);
			return;
		}
		rc = dz_status_print_object(d->status, av[1], av[2],
					    strcmp(av[3], "-") ? av[3] : NULL,
					    strcmp(av[4], "json") == 0 ?
					    DZ_STATUS_JSON : DZ_STATUS_YAML, f);
		fclose(f);
		if (rc == -ENOENT) {
			fprintf(out, "ERR %s '%s' not found\n", av[1], av[2]);
		} else if (rc != 0) {
			fprintf(out, "ERR %s '%s' is in several namespaces: "
				"use -n\n", av[1], av[2]);
		} else {
			fprintf(out, "OK\n%s", body);
		}
		free(body);
	} else if (ac == 2 && strcmp(av[0], "export") == 0) {
		control_export(d, av[1], out);
	} else if (ac == 2 && strcmp(av[0], "serial") == 0) {
		if (dz_status_zone_serial(d->snap, av[1], &serial) == 0) {
			fprintf(out, "OK\n%u\n", serial);
		} else {
			fprintf(out, "ERR zone '%s' is not served\n", av[1]);
		}
	} else {
		fputs("ERR unknown request\n", out);
	}
}

/* Tell systemd we serve (again): at start and after a SIGHUP rescan. */
static void notify_ready(const struct daemon *d)
{
	size_t n = d->snap ? dz_snapshot_zone_count(d->snap) : 0;

	dz_notify("READY=1\nSTATUS=serving %zu zone%s", n, n == 1 ? "" : "s");
}

static void on_batch(struct dz_mset *set, uint64_t first_us, void *arg)
{
	struct daemon *d = arg;

	(void)set;
	apply(d, first_us);
	if (d->reloading) {
		d->reloading = false;
		notify_ready(d);
	}
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	dz_notify("STOPPING=1");
	dz_log_info("shutting down (signal %d)", (int)sig);
	event_base_loopexit(d->base, NULL);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)sig;
	(void)what;
	dz_log_info("SIGHUP: rescanning the manifests");
	dz_notify("RELOADING=1\nMONOTONIC_USEC=%llu",
		  (unsigned long long)now_us());
	d->reloading = true;
	dz_watch_rescan(d->watch);
	if (dz_mset_pending(d->set) == 0) {
		d->reloading = false; /* no file: no batch will come */
		notify_ready(d);
	}
}

static void on_usr1(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	int rc = dz_log_reopen();

	(void)sig;
	(void)what;
	if (d->o->log_file == NULL) {
		dz_log_debug("SIGUSR1: no log file to reopen");
	} else if (rc != 0) {
		dz_log_err("log file '%s': cannot reopen: %s", d->o->log_file,
			   strerror(-rc));
	} else {
		dz_log_info("SIGUSR1: log file reopened");
	}
}

static void load_plugins(const char *dir)
{
	struct stat st;
	int n;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		dz_log_warn("plugin dir '%s': not a directory: skipped", dir);
		return;
	}
	n = dz_kind_load_dir(dir);
	if (n >= 0) {
		dz_log_info("plugin dir '%s': %d kinds loaded", dir, n);
	}
}

static void log_serving(const struct opts *o)
{
	char line[LISTEN_MAX * DZ_LISTEN_TEXT_MAX];
	size_t len = 0;

	line[0] = '\0';
	for (size_t i = 0; i < o->nlisten && len < sizeof(line); i++) {
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s",
					i > 0 ? " " : "", o->listen[i].text);
	}
	dz_log_info("serving on %s (udp and tcp, %u threads)", line,
		    o->threads);
}

/* Serving: tell systemd (and the parent of a daemon, which exits). */
static void ready(struct daemon *d)
{
	const struct opts *o = d->o;

	if (d->daemonized) {
		dz_notify("MAINPID=%d", (int)getpid());
	}
	notify_ready(d);
	if (d->daemonized) {
		/* From now on nobody reads our stderr. */
		dz_log_init(o->log_level, o->syslog || o->log_file == NULL);
		dz_daemon_ready(d->ready_fd);
		d->ready_fd = -1;
	}
}

/* Run the main loop until SIGTERM/SIGINT; returns the exit status. */
static int serve(struct daemon *d, struct dz_server *srv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	static const event_callback_fn fns[] = { on_stop, on_stop, on_hup,
						  on_usr1 };
	struct event *ev[4] = { NULL, NULL, NULL, NULL };
	int rc = 1;

	for (size_t i = 0; i < 4; i++) {
		ev[i] = evsignal_new(d->base, sigs[i], fns[i], d);
		if (ev[i] == NULL || event_add(ev[i], NULL) < 0) {
			dz_log_err("cannot set up signal %d", sigs[i]);
			goto out;
		}
	}
	if (dz_server_start(srv) != 0) {
		goto out;
	}
	log_serving(d->o);
	ready(d);
	if (event_base_dispatch(d->base) < 0) {
		dz_log_err("main event loop failed");
		goto out;
	}
	dz_server_drain(srv, DRAIN_MS);
	rc = 0;
out:
	dz_server_stop(srv);
	for (size_t i = 0; i < 4; i++) {
		if (ev[i] != NULL) {
			event_free(ev[i]);
		}
	}
	return rc;
}

/*
 * The manifest set, its inotify watch and the first snapshot. Watching
 * starts before the first scan, so no change is missed in between.
 * 0, or 1 when the directory cannot be served (logged).
 */
static int start_manifests(struct daemon *d)
{
	struct dz_diags diags = { 0 };
	struct stat st;
	int rc;

	if (stat(d->o->manifests, &st) < 0 || !S_ISDIR(st.st_mode)) {
		dz_log_err("manifests '%s': %s", d->o->manifests,
			   errno ? strerror(errno) : "not a directory");
		return 1;
	}
	d->serials = dz_serials_open(d->o->state_dir);
	d->set = dz_mset_new(d->o->manifests);
	d->status = dz_status_new();
	if (d->serials == NULL || d->set == NULL || d->status == NULL) {
		dz_log_err("out of memory");
		return 1;
	}
	d->watch = dz_watch_new(d->base, d->set, d->o->reload_delay_ms,
				on_batch, d);
	if (d->watch == NULL) {
		return 1;
	}
	rc = dz_mset_touch_tree(d->set, "", &diags);
	log_diags(&diags);
	dz_diags_clear(&diags);
	if (rc != 0 || apply(d, now_us()) != 0) {
		return 1;
	}
	dz_log_info("watching %zu director%s below '%s'",
		    dz_watch_count(d->watch),
		    dz_watch_count(d->watch) == 1 ? "y" : "ies",
		    d->o->manifests);
	return 0;
}

static bool http_ready(void *arg)
{
	const struct daemon *d = arg;

	return d->snap != NULL;
}

static const struct dz_snapshot *http_snapshot(void *arg)
{
	const struct daemon *d = arg;

	return d->snap;
}

static void http_status(FILE *out, void *arg)
{
	const struct daemon *d = arg;

	dz_status_print_list(d->status, out);
}

/* The control socket is a convenience: without it we still serve. */
static void start_control(struct daemon *d)
{
	char *path = NULL;

	if (asprintf(&path, "%s/control.sock", d->o->state_dir) < 0) {
		return;
	}
	d->control = dz_control_new(d->base, path, on_control, d);
	free(path);
}

/* --check-config: the settings parse (or parse_args() has exited 2);
 * the user to run as and the manifest directory exist. */
static int check_config(const struct opts *o, const char *file)
{
	struct dz_runas ra;
	struct stat st;
	char why[160];
	int status = 0;

	if (dz_runas_resolve(o->user, o->group, o->allow_root, &ra, why,
			     sizeof(why)) != 0) {
		fprintf(stderr, "dropzoned: %s\n", why);
		status = 2;
	}
	errno = 0;
	if (stat(o->manifests, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "dropzoned: manifests '%s': %s\n",
			o->manifests, errno ? strerror(errno) :
			"not a directory");
		status = 2;
	}
	if (status == 0) {
		printf("dropzoned: settings ok (%s%s%s)\n",
		       file ? "config file '" : "no config file",
		       file ? file : "", file ? "'" : "");
	}
	return status;
}

/*
 * Before any thread or event loop: the log sink, who we run as, the
 * background, the pidfile. Returns 0 or the exit status.
 */
static int setup_process(struct daemon *d, struct dz_runas *ra, int *pidfd)
{
	const struct opts *o = d->o;
	char why[160];
	int rc;

	dz_log_init(o->log_level, o->syslog);
	if (o->log_file != NULL && !o->syslog &&
	    (rc = dz_log_open_file(o->log_file)) != 0) {
		dz_log_err("log file '%s': %s", o->log_file, strerror(-rc));
		return 1;
	}
	if (dz_runas_resolve(o->user, o->group, o->allow_root, ra, why,
			     sizeof(why)) != 0) {
		dz_log_err("%s", why);
		return 1;
	}
	if (!o->foreground) {
		rc = dz_daemonize(&d->ready_fd);
		if (rc != 0) {
			dz_log_err("cannot fork into the background: %s",
				   strerror(-rc));
			return 1;
		}
		d->daemonized = true;
	}
	if (o->pidfile != NULL && (*pidfd = dz_pidfile_write(o->pidfile)) < 0) {
		return 1;
	}
	return 0;
}

/* Once the sockets are bound: the state dir, then the run user. */
static int drop_privileges(const struct opts *o, const struct dz_runas *ra)
{
	dz_state_dir_make(o->state_dir, ra);
	if (dz_runas_drop(ra) != 0) {
		return 1;
	}
	if (ra->warn_root) {
		dz_log_warn("RUNNING AS ROOT: user '%s' does not exist; create "
			    "it, or set --user USER (--user root or "
			    "--allow-root keeps root without this warning)",
			    DZ_DEFAULT_USER);
	}
	if (access(o->state_dir, W_OK | X_OK) != 0) {
		dz_log_warn_errno("state dir '%s': not writable by user '%s': "
				  "serials and control socket not kept",
				  o->state_dir, ra->user);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts *op = &opts;
	struct daemon d = { .o = &opts, .ready_fd = -1 };
	struct dz_server *srv = NULL;
	struct dz_runas ra;
	const char *file;
	int rc, status = 1, pidfd = -1;

	/* A batch's per-object arrays are tens of MB at a million records:
	 * past glibc's mmap threshold (32 MB at most) each would be fresh
	 * pages, faulted in and zeroed every batch. From the heap they are
	 * reused; malloc_trim() after big batches gives memory back. */
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	file = parse_args(argc, argv, op);
	if (op->check_config) {
		return check_config(op, file);
	}
	if (setup_process(&d, &ra, &pidfd) != 0) {
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (op->plugin_dir != NULL) {
		load_plugins(op->plugin_dir);
	}
	/* Before any event_base: workers are stopped from this thread. */
	if (evthread_use_pthreads() < 0) {
		dz_log_err("libevent: no thread support");
		goto out;
	}
	d.base = event_base_new();
	if (d.base == NULL) {
		dz_log_err("cannot create the main event loop");
		goto out;
	}
	/* Bind while we may (ports below 1024), then drop root. */
	rc = dz_server_new(op->listen, op->nlisten, op->threads,
			   DZ_EDNS_SIZE_DEFAULT, &srv);
	if (rc != 0 || drop_privileges(op, &ra) != 0 ||
	    start_manifests(&d) != 0) {
		goto out;
	}
	start_control(&d);
	struct dz_http_src hsrc = {
		.ready = http_ready, .status_json = http_status,
		.manifest_errors = manifest_errors, .snapshot = http_snapshot,
		.listen = op->listen, .nlisten = op->nlisten, .arg = &d,
	};
	bool http_failed = false;
	d.http = dz_http_start(d.base, &hsrc, &http_failed);
	if (http_failed) {
		goto out;
	}
	status = serve(&d, srv);
out:
	dz_server_free(srv);
	dz_http_free(d.http);
	dz_xfr_shutdown();
	dz_control_free(d.control);
	dz_watch_free(d.watch);
	if (d.base != NULL) {
		event_base_free(d.base);
	}
	dz_snapshot_publish(NULL);
	dz_snapshot_unref(d.snap);
	dz_status_free(d.status);
	dz_mset_free(d.set);
	dz_serials_free(d.serials);
	if (pidfd >= 0) {
		unlink(op->pidfile); /* may fail once root is gone: harmless */
		close(pidfd);
	}
	if (status == 0) {
		dz_log_info("stopped");
	}
	return status;
}
