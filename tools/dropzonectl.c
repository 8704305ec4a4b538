/* SPDX-License-Identifier: MIT */
/* dropzonectl.c -- the operator's tool: check, status, wait, export, import. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/serials.h"
#include "manifest/load.h"
#include "plugin/plugin.h"
#include "util/diag.h"
#include "util/errcode.h"
#include "util/log.h"
#include "xfr/xfr.h"
#include "zone/build.h"
#include "zone/snapshot.h"

/* Exit codes: 0 fine, 1 problems found (or an operation failed), 2 usage. */
enum {
	EXIT_OK = 0,
	EXIT_PROBLEMS = 1,
	EXIT_USAGE = 2,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dropzonectl [--help] [--version] [--state-dir DIR] "
		"COMMAND [ARGS]\n"
		"\n"
		"commands:\n"
		"  check [--plugin-dir DIR] DIR\n"
		"      load and validate the manifests below DIR without\n"
		"      serving them; print every problem as\n"
		"      FILE:LINE:COL: error|warning: MESSAGE on stdout and a\n"
		"      summary on stderr; exit 1 on any error, else 0\n"
		"  status [-o json] | status KIND/NAME [-n NAMESPACE] "
		"[-o yaml|json]\n"
		"      ask the running dropzoned (control.sock in the state\n"
		"      dir, default /var/lib/dropzone): every object as a\n"
		"      table, then the files not served as they are on disk\n"
		"      (FILE READY REASON MESSAGE), or all as a JSON List; or\n"
		"      one object as kubectl get -o yaml|json shows it\n"
		"      (without -n: any namespace, if unique; a file is\n"
		"      ManifestFile/PATH)\n"
		"  wait ZONE --serial N [--timeout SECONDS]\n"
		"      return once ZONE serves serial N or later (RFC 1982);\n"
		"      exit 1 after the timeout [60]\n"
		"  export ZONE [--manifests DIR [--plugin-dir DIR]]\n"
		"      write ZONE as an RFC 1035 zone file on stdout: as the\n"
		"      running dropzoned serves it (control socket), or as\n"
		"      built from the manifests below DIR (with the serials\n"
		"      on record in --state-dir when it has them)\n"
		"  import ZONEFILE --origin NAME --namespace NS [--out DIR]\n"
		"      write bindy manifests for a zone file: a DNSZone and\n"
		"      one file per RRset in DIR, or one YAML stream on stdout\n"
		"\n"
		"exit status: 0 ok, 1 errors found, 2 usage error\n");
}

/* Print the diagnostics and return the number of errors. */
static size_t report(const struct dz_diags *d, size_t nfiles)
{
	size_t nwarn = 0;

	dz_diags_print(d, stdout);
	fflush(stdout);
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].sev == DZ_SEV_WARNING) {
			nwarn++;
		}
	}
	fprintf(stderr, "%zu error%s, %zu warning%s in %zu file%s\n",
		(size_t)d->nerrors, d->nerrors == 1 ? "" : "s",
		nwarn, nwarn == 1 ? "" : "s",
		nfiles, nfiles == 1 ? "" : "s");
	return d->nerrors;
}

/*
 * Load and build the manifests below dir (problems printed); the
 * snapshot, or NULL. The caller frees *files and *diags.
 */
static struct dz_snapshot *load_build(const char *dir,
				      const struct dz_build_opts *bopts,
				      struct dz_mfile ***files, size_t *n,
				      struct dz_diags *diags)
{
	struct dz_snapshot *snap;
	int rc = dz_manifest_load_dir(dir, files, n, diags);

	if (rc != 0) {
		fprintf(stderr, "dropzonectl: cannot read '%s': %s\n", dir,
			dz_strerror(rc));
		return NULL;
	}
	snap = dz_build(*files, *n, bopts);
	if (snap == NULL) {
		fprintf(stderr, "dropzonectl: out of memory\n");
	}
	return snap;
}

/* Load, build and report one directory. Returns the exit code. */
static int check_dir(const char *dir)
{
	struct dz_build_opts bopts = {0};
	struct dz_diags diags = {0};
	struct dz_mfile **files = NULL;
	struct dz_snapshot *snap;
	size_t n = 0;
	int ret = EXIT_PROBLEMS;

	snap = load_build(dir, &bopts, &files, &n, &diags);
	if (snap != NULL) {
		dz_build_collect_diags(files, n, &diags);
		ret = report(&diags, n) > 0 ? EXIT_PROBLEMS : EXIT_OK;
	}
	dz_snapshot_unref(snap);
	dz_manifest_free_all(files, n);
	dz_diags_clear(&diags);
	return ret;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"plugin-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			rc = dz_kind_load_dir(optarg);
			if (rc < 0) {
				fprintf(stderr, "dropzonectl: plugin dir "
					"'%s': %s\n", optarg, dz_strerror(rc));
				return EXIT_PROBLEMS;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "dropzonectl: check needs exactly one "
			"directory\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	return check_dir(argv[optind]);
}

static const char *state_dir = "/var/lib/dropzone";

/*
 * One request to dropzoned's control socket. *body gets the response
 * after its "OK" line (malloc'd). Returns 0, 1 with the server's "ERR"
 * message printed, or -1 when dropzoned cannot be reached (printed
 * unless quiet).
 */
static int request(const char *line, char **body, bool quiet)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096], *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	ssize_t n;
	int fd, rc = -1;

	*body = NULL;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/control.sock",
		 state_dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (mem == NULL || fd < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    send(fd, line, strlen(line), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(line)) {
		if (!quiet) {
			fprintf(stderr, "dropzonectl: cannot reach dropzoned "
				"at '%s': %s\n", sun.sun_path,
				strerror(errno));
		}
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, mem);
	}
	fclose(mem);
	mem = NULL;
	if (strncmp(text, "OK\n", 3) == 0) {
		*body = strdup(text + 3);
		rc = *body != NULL ? 0 : -1;
	} else {
		fprintf(stderr, "dropzonectl: %s%s",
			strncmp(text, "ERR ", 4) == 0 ? text + 4 :
			"no answer from dropzoned\n", "");
		rc = 1;
	}
out:
	if (mem != NULL) {
		fclose(mem);
	}
	if (fd >= 0) {
		close(fd);
	}
	free(text);
	return rc;
}

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{"namespace", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *ns = "-", *fmt = "yaml";
	char line[1024], *body, *slash;
	bool fmt_given = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ns = optarg;
			break;
		case 'o':
			fmt = optarg;
			fmt_given = true;
			if (strcmp(fmt, "yaml") != 0 &&
			    strcmp(fmt, "json") != 0) {
				fprintf(stderr, "dropzonectl: -o '%s': yaml "
					"or json\n", fmt);
				return EXIT_USAGE;
			}
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc == optind && fmt_given && strcmp(fmt, "json") != 0) {
		fprintf(stderr, "dropzonectl: -o yaml needs KIND/NAME (the "
			"whole list is -o json)\n");
		return EXIT_USAGE;
	}
	if (argc == optind) {
		snprintf(line, sizeof(line), fmt_given ? "status json\n" :
			 "status\n");
	} else {
		slash = strchr(argv[optind], '/');
		if (slash == NULL || slash == argv[optind] || slash[1] == '\0' ||
		    strpbrk(argv[optind], " \t\n") != NULL) {
			fprintf(stderr, "dropzonectl: '%s': not KIND/NAME\n",
				argv[optind]);
			return EXIT_USAGE;
		}
		*slash = '\0';
		snprintf(line, sizeof(line), "get %s %s %s %s\n",
			 argv[optind], slash + 1, ns, fmt);
	}
	rc = request(line, &body, false);
	if (rc == 0) {
		fputs(body, stdout);
	}
	free(body);
	return rc == 0 ? EXIT_OK : EXIT_PROBLEMS;
}

/* RFC 1982: a >= b. */
static bool serial_ge(uint32_t a, uint32_t b)
{
	return a == b || (a > b && a - b < 0x80000000u) ||
	       (a < b && b - a > 0x80000000u);
}

static bool parse_u32(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && s[0] != '-' &&
	       *v <= max;
}

static int cmd_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{"serial", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	unsigned long want = 0, timeout = 60, got;
	bool have = false;
	struct timespec t0, now, nap = { 0, 20 * 1000 * 1000 };
	char line[1100], *body;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:t:", opts, NULL)) != -1) {
		if ((c == 's' && !(have = parse_u32(optarg, UINT32_MAX,
						    &want))) ||
		    (c == 't' && !parse_u32(optarg, 86400, &timeout)) ||
		    (c != 's' && c != 't')) {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !have || strlen(argv[optind]) > 1000 ||
	    strpbrk(argv[optind], " \t\n") != NULL) {
		fprintf(stderr, "dropzonectl: wait needs ZONE and --serial N\n");
		return EXIT_USAGE;
	}
	snprintf(line, sizeof(line), "serial %s\n", argv[optind]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		rc = request(line, &body, true);
		if (rc == 0 && sscanf(body, "%lu", &got) == 1 &&
		    serial_ge((uint32_t)got, (uint32_t)want)) {
			printf("%s serves serial %lu\n", argv[optind], got);
			free(body);
			return EXIT_OK;
		}
		free(body);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= (time_t)timeout) {
			break;
		}
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "dropzonectl: %s does not serve serial %lu after "
		"%lu s\n", argv[optind], want, timeout);
	return EXIT_PROBLEMS;
}

/* Export from a manifest directory, built the way dropzoned builds it. */
static int export_dir(const char *dir, const char *zone)
{
	struct dz_serials *serials = dz_serials_open(state_dir);
	struct dz_build_opts bopts = {
		.content_serial = serials ? dz_serials_pick : NULL,
		.serial_arg = serials,
	};
	struct dz_diags diags = {0};
	struct dz_mfile **files = NULL;
	struct dz_snapshot *snap;
	const struct dz_zone *z;
	size_t n = 0;
	int ret = EXIT_PROBLEMS;

	snap = load_build(dir, &bopts, &files, &n, &diags);
	if (snap == NULL) {
		goto out;
	}
	z = dz_xfr_find_zone(snap, zone);
	if (z == NULL) {
		fprintf(stderr, "dropzonectl: zone '%s' is not served from "
			"'%s' (see dropzonectl check)\n", zone, dir);
		goto out;
	}
	if (dz_xfr_zone_print(z, stdout) == 0 && fflush(stdout) == 0) {
		ret = EXIT_OK;
	}
out:
	dz_snapshot_unref(snap);
	dz_manifest_free_all(files, n);
	dz_diags_clear(&diags);
	dz_serials_free(serials);
	return ret;
}

static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"manifests", required_argument, NULL, 'm'},
		{"plugin-dir", required_argument, NULL, 'p'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	char line[1100], *body = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:p:", opts, NULL)) != -1) {
		if (c == 'm') {
			dir = optarg;
		} else if (c == 'p' && dz_kind_load_dir(optarg) < 0) {
			fprintf(stderr, "dropzonectl: plugin dir '%s': cannot "
				"load\n", optarg);
			return EXIT_PROBLEMS;
		} else if (c != 'p') {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || strlen(argv[optind]) > 1000 ||
	    strpbrk(argv[optind], " \t\n") != NULL) {
		fprintf(stderr, "dropzonectl: export needs one ZONE\n");
		return EXIT_USAGE;
	}
	if (dir != NULL) {
		return export_dir(dir, argv[optind]);
	}
	snprintf(line, sizeof(line), "export %s\n", argv[optind]);
	rc = request(line, &body, false);
	if (rc == 0) {
		fputs(body, stdout);
	}
	free(body);
	return rc == 0 ? EXIT_OK : EXIT_PROBLEMS;
}

static int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"origin", required_argument, NULL, 'o'},
		{"namespace", required_argument, NULL, 'n'},
		{"out", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	const char *origin = NULL, *ns = NULL, *out = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			origin = optarg;
			break;
		case 'n':
			ns = optarg;
			break;
		case 'd':
			out = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || origin == NULL || ns == NULL) {
		fprintf(stderr, "dropzonectl: import needs ZONEFILE, --origin "
			"and --namespace\n");
		return EXIT_USAGE;
	}
	return dz_xfr_import(argv[optind], origin, ns, out, stdout,
			     stderr) == 0 ? EXIT_OK : EXIT_PROBLEMS;
}

int main(int argc, char **argv)
{
	const char *cmd;

	/* Loader internals log at info; the diagnostics are what we show. */
	dz_log_init(DZ_LOG_WARN, false);
	while (argc >= 3 && (strcmp(argv[1], "--state-dir") == 0 ||
			     strcmp(argv[1], "-s") == 0)) {
		state_dir = argv[2];
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	if (argc >= 2 && strncmp(argv[1], "--state-dir=", 12) == 0) {
		state_dir = argv[1] + 12;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("dropzonectl %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "check") == 0) {
		return cmd_check(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "status") == 0) {
		return cmd_status(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "wait") == 0) {
		return cmd_wait(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "export") == 0) {
		return cmd_export(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "import") == 0) {
		return cmd_import(argc - 1, argv + 1);
	}
	fprintf(stderr, "dropzonectl: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
