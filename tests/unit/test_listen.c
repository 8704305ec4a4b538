/* SPDX-License-Identifier: MIT */
/* test_listen.c -- listen address parsing and socket options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/listen.h"
#include "util/errcode.h"

struct good_vec {
	const char *in;
	int family;
	unsigned port;
	bool wildcard;
	const char *text;
};

struct bad_vec {
	const char *in;
	const char *why; /* key phrase */
};

static const struct good_vec good[] = {
	{ "127.0.0.1:5353", AF_INET, 5353, false, "127.0.0.1:5353" },
	{ "[::1]:5353", AF_INET6, 5353, false, "[::1]:5353" },
	{ "0.0.0.0:53", AF_INET, 53, true, "0.0.0.0:53" },
	{ "[::]:53", AF_INET6, 53, true, "[::]:53" },
	{ "127.0.0.1:1", AF_INET, 1, false, "127.0.0.1:1" },
	{ "127.0.0.1:65535", AF_INET, 65535, false, "127.0.0.1:65535" },
	{ "[0:0:0:0:0:0:0:1]:53", AF_INET6, 53, false, "[::1]:53" },
};

static const struct bad_vec bad[] = {
	{ "1.2.3.4", "missing ':PORT'" },
	{ "[::1]", "missing ':PORT'" },
	{ "[::1]53", "missing ':PORT'" },
	{ "[::1", "missing ']'" },
	{ "[]:53", "not an IPv6 address" },
	{ "[1.2.3.4]:53", "not an IPv6 address" },
	{ "host:53", "not a numeric IPv4 address" },
	{ "localhost:53", "not a numeric IPv4 address" },
	{ "1.2.3:53", "not a numeric IPv4 address" },
	{ ":53", "missing address" },
	{ "::1:53", "need brackets" },
	{ "127.0.0.1:", "missing port" },
	{ "127.0.0.1:0", "out of range" },
	{ "127.0.0.1:65536", "out of range" },
	{ "[::1]:0", "out of range" },
	{ "[::1]:65536", "out of range" },
	{ "127.0.0.1:99999999999999999999", "out of range" },
	{ "127.0.0.1:-1", "not a decimal number" },
	{ "127.0.0.1:+53", "not a decimal number" },
	{ "127.0.0.1:53 ", "not a decimal number" },
	{ "127.0.0.1:0x35", "not a decimal number" },
	{ "", "empty" },
};

static unsigned port_of(const struct dz_listen_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	}
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

static void test_listen_parse_accepts(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct dz_listen_addr a;
		const char *why = NULL;

		if (dz_listen_parse(good[i].in, &a, &why) != 0) {
			fail_msg("'%s': rejected: %s", good[i].in, why);
		}
		assert_null(why);
		assert_int_equal(a.ss.ss_family, good[i].family);
		assert_int_equal(port_of(&a), good[i].port);
		assert_int_equal(a.wildcard, good[i].wildcard);
		assert_string_equal(a.text, good[i].text);
		assert_int_equal(a.len, good[i].family == AF_INET ?
				 sizeof(struct sockaddr_in) :
				 sizeof(struct sockaddr_in6));
	}
}

static void test_listen_parse_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dz_listen_addr a;
		const char *why = NULL;

		memset(&a, 0xa5, sizeof(a));
		if (dz_listen_parse(bad[i].in, &a, &why) != DZ_EINVAL) {
			fail_msg("'%s': accepted", bad[i].in);
		}
		assert_non_null(why);
		if (strstr(why, bad[i].why) == NULL) {
			fail_msg("'%s': got '%s', want '%s'", bad[i].in, why,
				 bad[i].why);
		}
		/* out is untouched on failure */
		assert_int_equal(((unsigned char *)&a)[0], 0xa5);
	}
	assert_int_equal(dz_listen_parse(NULL, NULL, NULL), DZ_EINVAL);
}

/* A free loopback UDP port, from the kernel. */
static unsigned free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned port;

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* SO_REUSEPORT: every worker binds its own socket to the same address. */
static void test_listen_open_reuseport(void **state)
{
	struct dz_listen_addr a;
	char text[64];
	int fds[4];
	int types[4] = { SOCK_DGRAM, SOCK_DGRAM, SOCK_STREAM, SOCK_STREAM };

	(void)state;
	/* A port free for UDP a moment ago may be taken for TCP by the
	 * time we bind (tests run in parallel): try a few. */
	for (int attempt = 0; attempt < 20; attempt++) {
		int n = 0;
		snprintf(text, sizeof(text), "127.0.0.1:%u", free_port());
		assert_int_equal(dz_listen_parse(text, &a, NULL), 0);
		while (n < 4 && (fds[n] = dz_listen_open(&a, types[n])) >= 0) {
			n++;
		}
		for (int i = 0; i < n; i++) {
			close(fds[i]);
		}
		if (n == 4) {
			return;
		}
		assert_int_equal(fds[n], -EADDRINUSE);
	}
	fail_msg("no port took two UDP and two TCP sockets");
}

/* IPv6 loopback, when the host has it. */
static void test_listen_open_v6(void **state)
{
	struct dz_listen_addr a;
	char text[64];
	int fd, v6only = 0;
	socklen_t len = sizeof(v6only);

	(void)state;
	snprintf(text, sizeof(text), "[::1]:%u", free_port());
	assert_int_equal(dz_listen_parse(text, &a, NULL), 0);
	fd = dz_listen_open(&a, SOCK_DGRAM);
	if (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT) {
		skip();
	}
	assert_true(fd >= 0);
	assert_int_equal(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
				    &len), 0);
	assert_int_equal(v6only, 1);
	close(fd);
}

/* A port held without SO_REUSEPORT cannot be shared: -EADDRINUSE. */
static void test_listen_open_reports_errno(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct dz_listen_addr a;
	char text[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(text, sizeof(text), "127.0.0.1:%u", ntohs(sin.sin_port));
	assert_int_equal(dz_listen_parse(text, &a, NULL), 0);
	assert_int_equal(dz_listen_open(&a, SOCK_DGRAM), -EADDRINUSE);
	assert_int_equal(errno, EADDRINUSE);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_parse_accepts),
		cmocka_unit_test(test_listen_parse_rejects),
		cmocka_unit_test(test_listen_open_reuseport),
		cmocka_unit_test(test_listen_open_v6),
		cmocka_unit_test(test_listen_open_reports_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
