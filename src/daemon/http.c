/* SPDX-License-Identifier: MIT */
/* http.c -- the HTTP endpoint (metrics, health, status) and its settings. */
#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/http.h"
#include "daemon/stats.h"
#include "query/query.h"
#include "util/dname.h"
#include "util/hex.h"
#include "util/log.h"
#include "zone/snapshot.h"

#define SERVER_LABEL_MAX 32
#define RELOAD_BUCKETS 12

/* Settings: --http, --query-log (stats.c), --nsid, --identity,
 * --version-string (dz_query_ident, query.c). */
static bool http_on;
static struct dz_listen_addr http_addr;

struct dz_http {
	struct evhttp *http;
	struct dz_http_src src;
	char server[SERVER_LABEL_MAX]; /* the server label of DNS series */
	double start_time;             /* process_start_time_seconds */
};

/* Reload accounting, main thread only; counts from before the start. */
static const double reload_le[RELOAD_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};
static struct {
	unsigned long long ok, failed;
	unsigned long long bucket[RELOAD_BUCKETS + 1];
	double sum;
} reloads;

/* ---- Settings --------------------------------------------------------- */

static int set_http(const char *text, void *ptr, const char **why)
{
	(void)ptr;
	if (dz_listen_parse(text, &http_addr, why) != 0) {
		return -1;
	}
	http_on = true;
	return 0;
}

/*
 * TEXT, or "@hostname" (gethostname() now), into out (at most max
 * bytes); 0 or -1 with *why.
 */
static int ident_text(const char *text, uint8_t *out, size_t max,
		      size_t *len, const char **why)
{
	char host[256];

	if (strcmp(text, "@hostname") == 0) {
		if (gethostname(host, sizeof(host)) < 0) {
			*why = "cannot read the host name";
			return -1;
		}
		host[sizeof(host) - 1] = '\0';
		text = host;
	}
	if (strlen(text) > max) {
		*why = max == DZ_NSID_MAX ? "longer than 128 octets" :
		       "longer than 255 octets";
		return -1;
	}
	*len = strlen(text);
	memcpy(out, text, *len);
	return 0;
}

static int set_nsid(const char *text, void *ptr, const char **why)
{
	struct dz_query_ident *id = ptr;
	size_t n;

	if (strncmp(text, "hex:", 4) != 0) {
		return ident_text(text, id->nsid, DZ_NSID_MAX, &id->nsid_len,
				  why);
	}
	text += 4;
	n = strlen(text);
	if (n % 2 != 0 || n / 2 > DZ_NSID_MAX) {
		*why = n % 2 ? "odd number of hex digits" :
		       "longer than 128 octets";
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		int hi = dz_hexval(text[i]), lo = dz_hexval(text[i + 1]);
		if (hi < 0 || lo < 0) {
			*why = "not a hex digit after 'hex:'";
			return -1;
		}
		id->nsid[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	id->nsid_len = n / 2;
	return 0;
}

static int set_identity(const char *text, void *ptr, const char **why)
{
	struct dz_query_ident *id = ptr;

	return ident_text(text, id->identity, DZ_IDENT_MAX, &id->identity_len,
			  why);
}

static int set_version(const char *text, void *ptr, const char **why)
{
	struct dz_query_ident *id = ptr;

	return ident_text(text, id->version, DZ_IDENT_MAX, &id->version_len,
			  why);
}

const struct dz_opt dz_observe_opts[] = {
	{ .name = "http", .type = DZ_OPT_FUNC, .parse = set_http,
	  .arg = "ADDR:PORT",
	  .help = "serve /metrics, /health, /ready and /status over HTTP\n"
		  "on ADDR:PORT; IPv6 as [::1]:9153", .def = "off" },
	{ .name = "query-log", .type = DZ_OPT_FLAG,
	  .ptr = &dz_stats_query_log,
	  .help = "log every query at debug level (with --log-level debug)" },
	{ .name = "nsid", .type = DZ_OPT_FUNC, .ptr = &dz_query_ident,
	  .parse = set_nsid, .arg = "TEXT",
	  .help = "NSID sent to queries that ask for it (RFC 5001): TEXT,\n"
		  "hex:HEXDIGITS or @hostname", .def = "off" },
	{ .name = "identity", .type = DZ_OPT_FUNC, .ptr = &dz_query_ident,
	  .parse = set_identity, .arg = "TEXT",
	  .help = "answer CH TXT id.server and hostname.bind with TEXT\n"
		  "(@hostname: the host name)", .def = "off: REFUSED" },
	{ .name = "version-string", .type = DZ_OPT_FUNC,
	  .ptr = &dz_query_ident, .parse = set_version, .arg = "TEXT",
	  .help = "answer CH TXT version.bind and version.server with TEXT",
	  .def = "off: REFUSED" },
	{ .name = NULL },
};

/* ---- Reload accounting ------------------------------------------------ */

void dz_http_note_reload(bool ok, double seconds)
{
	unsigned b = 0;

	if (ok) {
		reloads.ok++;
	} else {
		reloads.failed++;
	}
	while (b < RELOAD_BUCKETS && seconds > reload_le[b]) {
		b++;
	}
	reloads.bucket[b]++;
	reloads.sum += seconds;
}

/* ---- /metrics ---------------------------------------------------------- */

static void help_type(FILE *out, const char *name, const char *type,
		      const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Seconds since the epoch the process started (/proc), or now. */
static double process_start_time(void)
{
	char buf[1024], *p;
	unsigned long long start = 0, btime = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	long tick = sysconf(_SC_CLK_TCK);

	if (f != NULL) {
		fclose(f);
	}
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command may hold spaces */
	/* field 22, starttime: the 20th after the command */
	for (int i = 0; p != NULL && i < 19; i++) {
		p = strchr(p + 1, ' ');
	}
	f = fopen("/proc/stat", "r");
	while (f != NULL && fgets(buf, sizeof(buf), f) != NULL &&
	       sscanf(buf, "btime %llu", &btime) != 1) {
	}
	if (f != NULL) {
		fclose(f);
	}
	if (p == NULL || sscanf(p, " %llu", &start) != 1 || btime == 0 ||
	    tick <= 0) {
		return (double)time(NULL);
	}
	return (double)btime + (double)start / (double)tick;
}

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		n += e->d_name[0] != '.';
	}
	if (d != NULL) {
		closedir(d);
		n--; /* the directory being read */
	}
	return n;
}

static void write_process(FILE *out, const struct dz_http *h)
{
	struct rusage ru;
	struct rlimit rl;
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &rss) != 2) {
			rss = 0;
		}
		fclose(f);
	}
	getrusage(RUSAGE_SELF, &ru);
	help_type(out, "process_cpu_seconds_total", "counter",
		  "Total user and system CPU time spent in seconds.");
	fprintf(out, "process_cpu_seconds_total %.6f\n",
		(double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	help_type(out, "process_resident_memory_bytes", "gauge",
		  "Resident memory size in bytes.");
	fprintf(out, "process_resident_memory_bytes %llu\n",
		(unsigned long long)rss * (unsigned long long)sysconf(
			_SC_PAGESIZE));
	help_type(out, "process_open_fds", "gauge",
		  "Number of open file descriptors.");
	fprintf(out, "process_open_fds %u\n", count_fds());
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		help_type(out, "process_max_fds", "gauge",
			  "Maximum number of open file descriptors.");
		fprintf(out, "process_max_fds %llu\n",
			(unsigned long long)rl.rlim_cur);
	}
	help_type(out, "process_start_time_seconds", "gauge",
		  "Start time of the process since unix epoch in seconds.");
	fprintf(out, "process_start_time_seconds %.2f\n", h->start_time);
}

static void write_reloads(FILE *out, const struct dz_http *h)
{
	unsigned long long cum = 0;

	help_type(out, "dropzone_reload_total", "counter",
		  "Manifest batches applied, by result (failure: the served "
		  "zones were kept).");
	fprintf(out, "dropzone_reload_total{result=\"success\"} %llu\n"
		"dropzone_reload_total{result=\"failure\"} %llu\n",
		reloads.ok, reloads.failed);
	help_type(out, "dropzone_reload_duration_seconds", "histogram",
		  "Time from the first change seen to publication.");
	for (unsigned b = 0; b <= RELOAD_BUCKETS; b++) {
		cum += reloads.bucket[b];
		if (b < RELOAD_BUCKETS) {
			fprintf(out, "dropzone_reload_duration_seconds_bucket"
				"{le=\"%g\"} %llu\n", reload_le[b], cum);
		} else {
			fprintf(out, "dropzone_reload_duration_seconds_bucket"
				"{le=\"+Inf\"} %llu\n", cum);
		}
	}
	fprintf(out, "dropzone_reload_duration_seconds_sum %.6f\n"
		"dropzone_reload_duration_seconds_count %llu\n", reloads.sum,
		cum);
	help_type(out, "dropzone_manifest_errors", "gauge",
		  "Errors now reported in the manifest directory.");
	fprintf(out, "dropzone_manifest_errors %u\n",
		h->src.manifest_errors != NULL ?
		h->src.manifest_errors(h->src.arg) : 0);
}

/* dropzone_records and dropzone_zone_serial, zone by zone. */
static void write_zones(FILE *out, const struct dz_snapshot *snap)
{
	static const char *const names[2] = {
		"dropzone_records", "dropzone_zone_serial",
	};
	static const char *const helps[2] = {
		"Resource records served per zone (SOA and NS included).",
		"SOA serial served per zone.",
	};
	size_t n = snap != NULL ? dz_snapshot_zone_count(snap) : 0;
	char name[1024];

	help_type(out, "dropzone_zones", "gauge", "Zones served.");
	fprintf(out, "dropzone_zones %zu\n", n);
	for (int m = 0; m < 2; m++) {
		help_type(out, names[m], "gauge", helps[m]);
		for (size_t i = 0; i < n; i++) {
			const struct dz_zone *z = dz_snapshot_zone_at(snap, i);
			dz_dname_to_text(dz_zone_origin(z), name,
					 sizeof(name));
			fprintf(out, "%s{zone=\"", names[m]);
			dz_stats_put_label(out, name);
			fprintf(out, "\"} %llu\n", m == 0 ?
				(unsigned long long)dz_zone_rr_count(z) :
				(unsigned long long)dz_zone_serial(z));
		}
	}
}

static void write_metrics(FILE *out, const struct dz_http *h)
{
	help_type(out, "dropzone_build_info", "gauge",
		  "A metric with a constant '1' value labeled by version.");
	fprintf(out, "dropzone_build_info{version=\"%s\"} 1\n",
		PACKAGE_VERSION);
	write_process(out, h);
	dz_stats_write(out, h->server);
	write_reloads(out, h);
	write_zones(out, h->src.snapshot != NULL ?
		    h->src.snapshot(h->src.arg) : NULL);
}

/* ---- Requests ----------------------------------------------------------- */

/* Reply with code, reason, content type and text (NULL: no body). */
static void reply(struct evhttp_request *req, int code, const char *reason,
		 const char *type, const char *text)
{
	struct evbuffer *buf = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Content-Type", type);
	evhttp_add_header(evhttp_request_get_output_headers(req),
			  "Cache-Control", "no-store");
	if (buf != NULL && text != NULL) {
		evbuffer_add(buf, text, strlen(text));
	}
	evhttp_send_reply(req, code, reason, buf);
	if (buf != NULL) {
		evbuffer_free(buf);
	}
}

static void reply_made(struct evhttp_request *req, const char *type,
		      void (*fn)(FILE *out, struct dz_http *h),
		      struct dz_http *h)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);

	if (f == NULL) {
		reply(req, 500, "Internal Server Error", "text/plain",
		     "out of memory\n");
		return;
	}
	fn(f, h);
	if (fclose(f) != 0 || body == NULL) {
		free(body);
		reply(req, 500, "Internal Server Error", "text/plain",
		     "out of memory\n");
		return;
	}
	reply(req, 200, "OK", type, body);
	free(body);
}

static void metrics_body(FILE *out, struct dz_http *h)
{
	write_metrics(out, h);
}

static void status_body(FILE *out, struct dz_http *h)
{
	if (h->src.status_json != NULL) {
		h->src.status_json(out, h->src.arg);
	}
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct dz_http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Allow", "GET, HEAD");
		reply(req, 405, "Method Not Allowed", "text/plain",
		     "method not allowed\n");
	} else if (path == NULL) {
		reply(req, 404, "Not Found", "text/plain", "not found\n");
	} else if (strcmp(path, "/metrics") == 0) {
		reply_made(req, "text/plain; version=0.0.4; charset=utf-8",
			  metrics_body, h);
	} else if (strcmp(path, "/health") == 0) {
		reply(req, 200, "OK", "text/plain", "ok\n");
	} else if (strcmp(path, "/ready") == 0) {
		if (h->src.ready != NULL && h->src.ready(h->src.arg)) {
			reply(req, 200, "OK", "text/plain", "ready\n");
		} else {
			reply(req, 503, "Service Unavailable", "text/plain",
			     "not ready\n");
		}
	} else if (strcmp(path, "/status") == 0) {
		reply_made(req, "application/json", status_body, h);
	} else {
		reply(req, 404, "Not Found", "text/plain", "not found\n");
	}
}

/* ---- Start and stop ----------------------------------------------------- */

/* "dns://:PORT" when every address has the same port, else "dns://". */
static void server_label(const struct dz_http_src *src, char *out,
			 size_t size)
{
	unsigned port = 0;

	for (size_t i = 0; i < src->nlisten; i++) {
		const struct sockaddr_storage *ss = &src->listen[i].ss;
		unsigned p = ss->ss_family == AF_INET6 ?
			ntohs(((const struct sockaddr_in6 *)ss)->sin6_port) :
			ntohs(((const struct sockaddr_in *)ss)->sin_port);
		port = (i == 0 || p == port) ? p : 0;
		if (port == 0) {
			break;
		}
	}
	if (port != 0) {
		snprintf(out, size, "dns://:%u", port);
	} else {
		snprintf(out, size, "dns://");
	}
}

/* A listening socket of our own: a clear reason on failure, and no
 * SO_REUSEPORT (a second daemon on the port must fail, not share). */
static int open_socket(const struct dz_listen_addr *a)
{
	int one = 1, fd, err;

	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->ss.ss_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 ||
	    listen(fd, 64) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

struct dz_http *dz_http_start(struct event_base *base,
			      const struct dz_http_src *src, bool *failed)
{
	struct dz_http *h;
	int fd;

	*failed = false;
	if (dz_stats_query_log && !dz_log_enabled(DZ_LOG_DEBUG)) {
		dz_log_warn("--query-log: queries are logged at debug level "
			    "only: add --log-level debug");
	}
	if (!http_on) {
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL || (h->http = evhttp_new(base)) == NULL) {
		dz_log_err("http %s: out of memory", http_addr.text);
		goto fail;
	}
	h->src = *src;
	server_label(src, h->server, sizeof(h->server));
	h->start_time = process_start_time();
	fd = open_socket(&http_addr);
	if (fd < 0) {
		dz_log_err("http %s: cannot listen: %s", http_addr.text,
			   strerror(-fd));
		goto fail;
	}
	if (evhttp_accept_socket(h->http, fd) != 0) {
		close(fd);
		dz_log_err("http %s: cannot listen: event setup failed",
			   http_addr.text);
		goto fail;
	}
	evhttp_set_timeout(h->http, 10);
	evhttp_set_max_headers_size(h->http, 8192);
	evhttp_set_max_body_size(h->http, 0);
	evhttp_set_gencb(h->http, on_request, h);
	dz_log_info("http: serving /metrics, /health, /ready, /status on %s",
		    http_addr.text);
	return h;
fail:
	dz_http_free(h);
	*failed = true;
	return NULL;
}

void dz_http_free(struct dz_http *h)
{
	if (h == NULL) {
		return;
	}
	if (h->http != NULL) {
		evhttp_free(h->http);
	}
	free(h);
}
