/* SPDX-License-Identifier: MIT */
/* opts.c -- transfer settings: option rows, access list, NOTIFY targets. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/listen.h"
#include "util/log.h"
#include "xfr/xfr-internal.h"
#include "xfr/xfr.h"

struct dz_strlist dz_xfr_allow;
struct dz_strlist dz_xfr_notify;
const char *dz_xfr_tsig_file;
unsigned dz_xfr_ixfr_history = 64;
const char *dz_xfr_catalog;

static int check_allow(const char *value, void *ptr, const char **why)
{
	struct xacl a;

	(void)ptr;
	return dz_xfr_acl_parse(value, &a, why);
}

static int check_notify(const char *value, void *ptr, const char **why)
{
	struct dz_listen_addr a;

	(void)ptr;
	return dz_listen_parse(value, &a, why) == 0 ? 0 : -1;
}

const struct dz_opt dz_xfr_opts[] = {
	{ .name = "allow-transfer", .type = DZ_OPT_LIST,
	  .ptr = &dz_xfr_allow, .parse = check_allow,
	  .arg = "ADDR[/LEN]",
	  .help = "let this address or prefix transfer zones\n"
		  "(AXFR, IXFR), repeatable; others: REFUSED",
	  .def = "nobody" },
	{ .name = "notify", .type = DZ_OPT_LIST, .ptr = &dz_xfr_notify,
	  .parse = check_notify, .arg = "ADDR:PORT",
	  .help = "send NOTIFY to this secondary when a zone's\n"
		  "serial changes, repeatable; IPv6 as [::1]:53",
	  .def = "none" },
	{ .name = "tsig-key", .type = DZ_OPT_FUNC, .ptr = &dz_xfr_tsig_file,
	  .parse = dz_xfr_tsig_opt, .arg = "FILE",
	  .help = "BIND-style key file (hmac-sha256): transfers\n"
		  "must be signed with it (and come from an\n"
		  "allowed address); NOTIFYs are signed with it",
	  .def = "none" },
	{ .name = "ixfr-history", .type = DZ_OPT_UINT,
	  .ptr = &dz_xfr_ixfr_history, .min = 0, .max = 100000,
	  .arg = "N",
	  .help = "changes per zone kept for IXFR (state dir);\n"
		  "0: always send the whole zone",
	  .def = "64" },
	{ .name = "catalog-zone", .type = DZ_OPT_STRING,
	  .ptr = &dz_xfr_catalog, .arg = "NAME",
	  .help = "serve an RFC 9432 catalog zone NAME listing\n"
		  "every zone (transferable like the others)",
	  .def = "none" },
	{ .name = NULL },
};

int dz_xfr_acl_parse(const char *text, struct xacl *a, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned long len;
	unsigned max;

	if (strlen(text) >= sizeof(buf)) {
		*why = "not an address or prefix";
		return -1;
	}
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash++ = '\0';
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->addr) == 1) {
		a->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a->addr) == 1) {
		a->family = AF_INET6;
		max = 128;
	} else {
		*why = "not a numeric IPv4 or IPv6 address";
		return -1;
	}
	a->len = max;
	if (slash != NULL) {
		len = strtoul(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || len > max) {
			*why = "prefix length out of range";
			return -1;
		}
		a->len = (unsigned)len;
	}
	return 0;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, whole) != 0) {
		return false;
	}
	if (rest == 0) {
		return true;
	}
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

bool dz_xfr_acl_allows(const struct xcfg *c, const struct sockaddr *peer)
{
	const uint8_t *addr;
	int family = peer->sa_family;

	if (family == AF_INET) {
		addr = (const uint8_t *)
		       &((const struct sockaddr_in *)peer)->sin_addr;
	} else if (family == AF_INET6) {
		const struct in6_addr *a6 =
			&((const struct sockaddr_in6 *)peer)->sin6_addr;
		addr = a6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			family = AF_INET;
			addr += 12;
		}
	} else {
		return false;
	}
	for (size_t i = 0; i < c->nacl; i++) {
		if (c->acl[i].family == family &&
		    prefix_eq(c->acl[i].addr, addr, c->acl[i].len)) {
			return true;
		}
	}
	return false;
}

void dz_xfr_addr_text(const struct sockaddr *sa, char *out, size_t outsz)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	}
	snprintf(out, outsz, "%s#%u", a, port);
}

static struct xcfg cfg;
static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;

static void cfg_free(void)
{
	free(cfg.acl);
	free(cfg.notify);
	free(cfg.notify_len);
	free(cfg.notify_text);
	memset(&cfg, 0, sizeof(cfg));
}

static void cfg_build(void)
{
	const char *why = "";
	size_t na = dz_xfr_allow.n, nn = dz_xfr_notify.n;

	cfg.acl = calloc(na + 1, sizeof(*cfg.acl));
	cfg.notify = calloc(nn + 1, sizeof(*cfg.notify));
	cfg.notify_len = calloc(nn + 1, sizeof(*cfg.notify_len));
	cfg.notify_text = calloc(nn + 1, sizeof(*cfg.notify_text));
	if (!cfg.acl || !cfg.notify || !cfg.notify_len || !cfg.notify_text) {
		dz_log_err("transfers: out of memory: none allowed");
		cfg_free();
		return;
	}
	for (size_t i = 0; i < na; i++) {
		if (dz_xfr_acl_parse(dz_xfr_allow.v[i], &cfg.acl[cfg.nacl],
				     &why) == 0) {
			cfg.nacl++;
		} else {
			dz_log_err("--allow-transfer '%s': %s: ignored",
				   dz_xfr_allow.v[i], why);
		}
	}
	for (size_t i = 0; i < nn; i++) {
		struct dz_listen_addr a;
		if (dz_listen_parse(dz_xfr_notify.v[i], &a, &why) != 0) {
			dz_log_err("--notify '%s': %s: ignored",
				   dz_xfr_notify.v[i], why);
			continue;
		}
		cfg.notify[cfg.nnotify] = a.ss;
		cfg.notify_len[cfg.nnotify] = a.len;
		snprintf(cfg.notify_text[cfg.nnotify], 64, "%s", a.text);
		cfg.nnotify++;
	}
	cfg.key = dz_xfr_tsig_key();
}

const struct xcfg *dz_xfr_cfg(void)
{
	pthread_once(&cfg_once, cfg_build);
	return &cfg;
}

void dz_xfr_cfg_reload(void)
{
	pthread_once(&cfg_once, cfg_build);
	cfg_free();
	cfg_build();
}
