/* SPDX-License-Identifier: MIT */
/* main.c -- dropzoned: command line, manifest loading, signals, workers. */
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/listen.h"
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
#include "util/errcode.h"
#include "util/log.h"
#include "zone/build.h"
#include "zone/snapshot.h"

#define LISTEN_MAX 64

/* Settings from the command line, defaults merged in parse_args(). */
struct opts {
	const char *manifests;
	const char *state_dir;
	const char *plugin_dir;
	struct dz_listen_addr listen[LISTEN_MAX];
	size_t nlisten;
	unsigned threads;
	unsigned reload_delay_ms;
	enum dz_log_level log_level;
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
};

static const char usage_text[] =
"usage: dropzoned [OPTION]...\n"
"Serve bindy DNS manifests (DNSZone, ARecord, MXRecord, ...) over DNS.\n"
"\n"
"  -c, --config FILE      settings file (not supported in this version)\n"
"  -m, --manifests DIR    manifest directory [/etc/dropzone/manifests]\n"
"  -l, --listen ADDR:PORT address to serve on, repeatable; IPv6 as\n"
"                         [::1]:5353 [0.0.0.0:53 and [::]:53]\n"
"  -s, --state-dir DIR    state directory [/var/lib/dropzone]\n"
"  -f, --foreground       stay in the foreground (always, for now)\n"
"  -t, --threads N        worker threads [number of online CPUs]\n"
"      --log-level LEVEL  error, warning, info or debug [info]\n"
"  -p, --plugin-dir DIR   load record kind plugins (*.so) from DIR\n"
"      --reload-delay MS  quiet period after a change in the manifest\n"
"                         directory before it is applied [5]\n"
"  -V, --version          print the version and exit\n"
"  -h, --help             print this help and exit\n"
"\n"
"Changes in the manifest directory are served within milliseconds.\n"
"Signals: SIGHUP rescans the manifests, SIGTERM and SIGINT stop.\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "dropzoned: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'dropzoned --help' for more information.\n");
	exit(2);
}

static void add_listen(struct opts *o, const char *text)
{
	struct dz_listen_addr a;
	const char *why = NULL;

	if (dz_listen_parse(text, &a, &why) != 0) {
		fprintf(stderr, "dropzoned: --listen '%s': %s\n", text, why);
		exit(2);
	}
	for (size_t i = 0; i < o->nlisten; i++) {
		if (strcmp(o->listen[i].text, a.text) == 0) {
			return; /* given twice: one set of sockets */
		}
	}
	if (o->nlisten == LISTEN_MAX) {
		usage_error("--listen: more than %s addresses", "64");
	}
	o->listen[o->nlisten++] = a;
}

static unsigned parse_threads(const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    v < 1 || v > DZ_SERVER_THREADS_MAX) {
		usage_error("--threads '%s': not a number in 1..256", arg);
	}
	return (unsigned)v;
}

static unsigned parse_delay(const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    v < 1 || v > 10000) {
		usage_error("--reload-delay '%s': not a number of "
			    "milliseconds in 1..10000", arg);
	}
	return (unsigned)v;
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1) {
		return 1;
	}
	return n > DZ_SERVER_THREADS_MAX ? DZ_SERVER_THREADS_MAX : (unsigned)n;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_LOG_LEVEL = 256, OPT_RELOAD_DELAY };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "manifests", required_argument, NULL, 'm' },
		{ "listen", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "plugin-dir", required_argument, NULL, 'p' },
		{ "reload-delay", required_argument, NULL, OPT_RELOAD_DELAY },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, level;

	memset(o, 0, sizeof(*o));
	o->manifests = "/etc/dropzone/manifests";
	o->state_dir = "/var/lib/dropzone";
	o->log_level = DZ_LOG_INFO;
	o->reload_delay_ms = 5;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:m:l:s:ft:p:Vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			fprintf(stderr, "dropzoned: --config: not supported "
				"in this version\n");
			exit(2);
		case 'm':
			o->manifests = optarg;
			break;
		case 'l':
			add_listen(o, optarg);
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'f':
			break; /* we never daemonize yet */
		case 't':
			o->threads = parse_threads(optarg);
			break;
		case OPT_LOG_LEVEL:
			level = dz_log_level_parse(optarg);
			if (level < 0) {
				usage_error("--log-level '%s': not one of "
					    "error, warning, info, debug",
					    optarg);
			}
			o->log_level = (enum dz_log_level)level;
			break;
		case 'p':
			o->plugin_dir = optarg;
			break;
		case OPT_RELOAD_DELAY:
			o->reload_delay_ms = parse_delay(optarg);
			break;
		case 'V':
			printf("dropzoned %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value",
				    argv[optind - 1]);
			break;
		default:
			if (optopt != 0) {
				char opt[3] = { '-', (char)optopt, '\0' };

				usage_error("unknown option '%s'", opt);
			}
			usage_error("unknown option '%s'", argv[optind - 1]);
			break;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
	}
	if (o->nlisten == 0) {
		add_listen(o, "0.0.0.0:53");
		add_listen(o, "[::]:53");
	}
	if (o->threads == 0) {
		o->threads = default_threads();
	}
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

/* What changed between two snapshots, zone by zone (by RR counts: a
 * changed RR counts as one added and one removed only when the counts
 * move, so these are net figures). */
struct delta {
	size_t added, removed, changed, zones, records;
};

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
		d->added += nn > on ? nn - on : 0;
		d->removed += on > nn ? on - nn : 0;
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
		    "zones changed (all rebuilt), %llu.%03llu ms from first "
		    "event to publication (generation %llu)", st->files,
		    st->files == 1 ? "" : "s", st->loaded, st->rejected,
		    st->removed, d.added, d.removed, d.records, d.changed,
		    d.zones, (unsigned long long)(us / 1000),
		    (unsigned long long)(us % 1000),
		    (unsigned long long)dz_snapshot_generation(snap));
}

/*
 * Apply the files marked in the set: re-read, build, publish. On failure
 * (out of memory) the served snapshot stays. first_us: when the first
 * change was seen. 0 or DZ_ENOMEM.
 */
static int apply(struct daemon *d, uint64_t first_us)
{
	struct dz_build_opts bopts = {
		.content_serial = dz_serials_pick,
		.serial_arg = d->serials,
	};
	struct dz_diags diags = { 0 };
	struct dz_mset_stats st;
	struct dz_snapshot *snap = NULL, *old = d->snap;
	int rc;

	uint64_t t_apply = now_us();
	rc = dz_mset_apply(d->set, &bopts, &st, &snap);
	dz_log_debug("reload: waited %llu us, built in %llu us",
		     (unsigned long long)(t_apply - first_us),
		     (unsigned long long)(now_us() - t_apply));
	if (rc != 0) {
		dz_log_err("manifests '%s': %s: keeping the served zones",
			   d->o->manifests, dz_strerror(rc));
		/* Files may have left the set: no pointer to them stays. */
		dz_status_update(d->status, d->set, d->snap, time(NULL));
		return rc;
	}
	if (snap == NULL) {
		return 0;
	}
	/* Only this thread publishes: our reference keeps snap alive for
	 * the status and the next diff. */
	dz_snapshot_ref(snap);
	dz_snapshot_publish(snap);
	d->snap = snap;
	log_batch(&st, old, snap, now_us() - first_us);
	dz_snapshot_unref(old);
	if (dz_status_update(d->status, d->set, snap, time(NULL)) != 0) {
		dz_log_err("status: out of memory");
	}
	dz_serials_commit(d->serials, snap);
	dz_mset_collect_changed(d->set, &diags);
	log_diags(&diags);
	dz_diags_clear(&diags);
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

/*
 * Control requests (dropzonectl): "status", "get KIND NAME NS yaml|json"
 * (NS "-": any namespace), "serial ZONE".
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

static void on_batch(struct dz_mset *set, uint64_t first_us, void *arg)
{
	(void)set;
	apply(arg, first_us);
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	dz_log_info("shutting down (signal %d)", (int)sig);
	event_base_loopexit(d->base, NULL);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)sig;
	(void)what;
	dz_log_info("SIGHUP: rescanning the manifests");
	dz_watch_rescan(d->watch);
}

/* Serials live there: without it they restart from the specs. */
static void make_state_dir(const char *dir)
{
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		dz_log_warn_errno("state dir '%s': cannot create", dir);
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

/* Run the main loop until SIGTERM/SIGINT; returns the exit status. */
static int serve(struct daemon *d, struct dz_server *srv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct event *ev[3] = { NULL, NULL, NULL };
	int rc = 1;

	for (size_t i = 0; i < 3; i++) {
		ev[i] = evsignal_new(d->base, sigs[i],
				     sigs[i] == SIGHUP ? on_hup : on_stop, d);
		if (ev[i] == NULL || event_add(ev[i], NULL) < 0) {
			dz_log_err("cannot set up signal %d", sigs[i]);
			goto out;
		}
	}
	if (dz_server_start(srv) != 0) {
		goto out;
	}
	log_serving(d->o);
	if (event_base_dispatch(d->base) < 0) {
		dz_log_err("main event loop failed");
		goto out;
	}
	rc = 0;
out:
	dz_server_stop(srv);
	for (size_t i = 0; i < 3; i++) {
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

int main(int argc, char **argv)
{
	struct opts o;
	struct daemon d = { .o = &o };
	struct dz_server *srv = NULL;
	int rc, status = 1;

	parse_args(argc, argv, &o);
	dz_log_init(o.log_level, false);
	signal(SIGPIPE, SIG_IGN);
	make_state_dir(o.state_dir);
	if (o.plugin_dir != NULL) {
		load_plugins(o.plugin_dir);
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
	if (start_manifests(&d) != 0) {
		goto out;
	}
	rc = dz_server_new(o.listen, o.nlisten, o.threads,
			   DZ_EDNS_SIZE_DEFAULT, &srv);
	if (rc != 0) {
		goto out;
	}
	start_control(&d);
	status = serve(&d, srv);
out:
	dz_server_free(srv);
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
	if (status == 0) {
		dz_log_info("stopped");
	}
	return status;
}
