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

#include "daemon/listen.h"
#include "daemon/server.h"
#include "manifest/load.h"
#include "plugin/plugin.h"
#include "query/query.h"
#include "util/diag.h"
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
	enum dz_log_level log_level;
};

/* What the main loop owns. */
struct daemon {
	const struct opts *o;
	struct event_base *base;
	struct dz_mfile **files; /* the files of the published snapshot */
	size_t nfiles;
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
"  -V, --version          print the version and exit\n"
"  -h, --help             print this help and exit\n"
"\n"
"Signals: SIGHUP reloads the manifests, SIGTERM and SIGINT stop.\n";

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
	enum { OPT_LOG_LEVEL = 256 };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "manifests", required_argument, NULL, 'm' },
		{ "listen", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "plugin-dir", required_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, level;

	memset(o, 0, sizeof(*o));
	o->manifests = "/etc/dropzone/manifests";
	o->state_dir = "/var/lib/dropzone";
	o->log_level = DZ_LOG_INFO;
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

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

static void log_summary(struct dz_mfile *const *files, size_t n,
			const struct dz_snapshot *snap, uint64_t ms)
{
	size_t objects = 0, zones, records = 0;

	for (size_t i = 0; i < n; i++) {
		objects += files[i]->nobjects;
	}
	zones = dz_snapshot_zone_count(snap);
	for (size_t i = 0; i < zones; i++) {
		records += dz_zone_rr_count(dz_snapshot_zone_at(snap, i));
	}
	dz_log_info("loaded %zu files, %zu objects, %zu zones, %zu records "
		    "in %llu ms (generation %llu)", n, objects, zones, records,
		    (unsigned long long)ms,
		    (unsigned long long)dz_snapshot_generation(snap));
}

/*
 * Load the manifest directory, build and publish a snapshot. On failure
 * the served snapshot stays. 0, -errno (directory unreadable) or
 * DZ_ENOMEM.
 */
static int reload(struct daemon *d)
{
	struct dz_diags diags = { 0 };
	struct dz_mfile **files = NULL;
	struct dz_snapshot *snap;
	uint64_t t0 = now_ms();
	size_t n = 0;
	int rc;

	rc = dz_manifest_load_dir(d->o->manifests, &files, &n, &diags);
	log_diags(&diags);
	if (rc < 0 && diags.n == 0) {
		dz_log_err("manifests '%s': %s", d->o->manifests,
			   dz_strerror(rc));
	}
	dz_diags_clear(&diags);
	if (rc < 0) {
		goto out;
	}
	snap = dz_build(files, n, NULL);
	if (snap == NULL) {
		rc = DZ_ENOMEM;
		dz_log_err("manifests '%s': %s", d->o->manifests,
			   dz_strerror(rc));
		goto out;
	}
	dz_build_collect_diags(files, n, &diags);
	log_diags(&diags);
	dz_diags_clear(&diags);
	/* Only this thread publishes, so snap stays alive until the next
	 * reload even after publish takes our reference. */
	dz_snapshot_publish(snap);
	log_summary(files, n, snap, now_ms() - t0);
	dz_manifest_free_all(d->files, d->nfiles);
	d->files = files;
	d->nfiles = n;
	files = NULL;
	n = 0;
out:
	dz_manifest_free_all(files, n);
	return rc;
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
	(void)sig;
	(void)what;
	dz_log_info("reloading manifests");
	reload(arg);
}

/* Nothing is stored there yet: a failure is only a warning. */
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
	if (reload(&d) != 0) {
		goto out;
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
	rc = dz_server_new(o.listen, o.nlisten, o.threads,
			   DZ_EDNS_SIZE_DEFAULT, &srv);
	if (rc != 0) {
		goto out;
	}
	status = serve(&d, srv);
out:
	dz_server_free(srv);
	if (d.base != NULL) {
		event_base_free(d.base);
	}
	dz_snapshot_publish(NULL);
	dz_manifest_free_all(d.files, d.nfiles);
	if (status == 0) {
		dz_log_info("stopped");
	}
	return status;
}
