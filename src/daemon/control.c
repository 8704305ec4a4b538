/* SPDX-License-Identifier: MIT */
/* control.c -- the control socket: one request line, one response. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/control.h"
#include "util/log.h"

/* Longest request line; longer ones close the connection. */
#define LINE_MAX_BYTES 4096
/* Seconds a client may take to send its line. */
#define READ_TIMEOUT_SEC 10

struct dz_control {
	struct evconnlistener *lis;
	char *path;
	dz_control_fn fn;
	void *arg;
};

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	bufferevent_free(bev);
}

/* The response is out: close. */
static void on_written(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		bufferevent_free(bev);
	}
}

static void respond(struct dz_control *c, struct bufferevent *bev,
		    char *line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL) {
		bufferevent_free(bev);
		return;
	}
	c->fn(line, out, c->arg);
	fclose(out);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, on_written, on_event, c);
	if (bufferevent_write(bev, text, len) < 0 || len == 0) {
		bufferevent_free(bev);
	}
	free(text);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct dz_control *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);

	if (line != NULL) {
		respond(c, bev, line);
		free(line);
	} else if (evbuffer_get_length(in) > LINE_MAX_BYTES) {
		bufferevent_free(bev);
	}
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct dz_control *c = arg;
	struct timeval tv = { READ_TIMEOUT_SEC, 0 };
	struct bufferevent *bev;

	(void)sa;
	(void)salen;
	bev = bufferevent_socket_new(evconnlistener_get_base(lis), fd,
				     BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, on_read, NULL, on_event, c);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct dz_control *dz_control_new(struct event_base *base, const char *path,
				  dz_control_fn fn, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct dz_control *c = calloc(1, sizeof(*c));
	mode_t old;

	if (c == NULL || strlen(path) >= sizeof(sun.sun_path)) {
		dz_log_err("control socket '%s': %s", path, c ? "path too long"
			   : "out of memory");
		free(c);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c->fn = fn;
	c->arg = arg;
	c->path = strdup(path);
	unlink(path);
	/* Created 0600 from the start: no moment where others may connect. */
	old = umask(0177);
	c->lis = evconnlistener_new_bind(base, on_accept, c,
					 LEV_OPT_CLOSE_ON_FREE |
					 LEV_OPT_CLOSE_ON_EXEC, 16,
					 (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (c->lis == NULL || c->path == NULL) {
		dz_log_err_errno("control socket '%s': cannot listen", path);
		dz_control_free(c);
		return NULL;
	}
	return c;
}

void dz_control_free(struct dz_control *c)
{
	if (c == NULL) {
		return;
	}
	if (c->lis != NULL) {
		evconnlistener_free(c->lis);
		unlink(c->path);
	}
	free(c->path);
	free(c);
}
