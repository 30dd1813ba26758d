// SPDX-License-Identifier: MIT
/*
 * DOC: The control socket
 *
 * A Unix stream socket (mode 0660) carries JSON lines.  Accepting, reading
 * and writing are io_uring requests (ACCEPT, RECV, SEND), so a slow or
 * hostile client never blocks the executive.  Requests longer than
 * EXECD_MAX_LINE are answered with an error and skipped up to the next
 * newline.  Each client has one RECV and at most one SEND in flight;
 * replies queue behind the SEND.  A streaming client (listen, events)
 * that stops reading loses stream lines beyond EXECD_MAX_OUTBUF queued
 * bytes; the loss is counted and reported in its next stream line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "execd.h"

struct client {
	struct client *next, **pprev;
	int fd;
	bool closing;
	unsigned int inflight;
	struct ev_op recv_op, send_op;
	uint8_t rbuf[4096];
	char *line;		/* partial request line */
	size_t line_len;
	bool line_overflow;
	char *out;		/* queued output */
	size_t out_len, out_cap;
	char *sending;		/* output in flight */
	size_t sending_len, sending_off;
	int64_t listen_pid;	/* -1: none, 0: every task, else one PID */
	bool events;
	uint64_t dropped;
};

static void client_recv(struct execd *ex, struct client *c);
static void client_kick(struct execd *ex, struct client *c);

int ctl_listen(struct execd *ex, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	ex->listen_fd = fd;
	return 0;
}

/* --- lifetime ------------------------------------------------------- */

static void client_free(struct execd *ex, struct client *c)
{
	close(c->fd);
	free(c->line);
	free(c->out);
	free(c->sending);
	free(c);
}

static void client_put(struct execd *ex, struct client *c)
{
	if (--c->inflight == 0 && c->closing)
		client_free(ex, c);
}

static void client_close(struct execd *ex, struct client *c)
{
	if (c->closing)
		return;
	client_set_listen(ex, c, -1);
	if (c->events) {
		c->events = false;
		ex->nsubscribers--;
	}
	c->closing = true;
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	/* Fails the RECV in flight; the last completion frees c. */
	shutdown(c->fd, SHUT_RDWR);
	if (c->inflight == 0)
		client_free(ex, c);
}

void ctl_close_all(struct execd *ex)
{
	while (ex->clients)
		client_close(ex, ex->clients);
}

/* --- output --------------------------------------------------------- */

static void send_done(struct execd *ex, struct ev_op *op,
		      const struct io_uring_cqe *cqe)
{
	struct client *c = container_of(op, struct client, send_op);

	if (cqe->res <= 0) {
		client_close(ex, c);
	} else {
		c->sending_off += (size_t)cqe->res;
		if (c->sending_off == c->sending_len) {
			free(c->sending);
			c->sending = NULL;
		}
		if (!c->closing)
			client_kick(ex, c);
	}
	client_put(ex, c);
}

static void client_kick(struct execd *ex, struct client *c)
{
	struct io_uring_sqe *sqe;

	if (!c->sending) {
		if (!c->out_len)
			return;
		c->sending = c->out;
		c->sending_len = c->out_len;
		c->sending_off = 0;
		c->out = NULL;
		c->out_len = c->out_cap = 0;
	}
	sqe = ring_sqe(ex);
	io_uring_prep_send(sqe, c->fd, c->sending + c->sending_off,
			   c->sending_len - c->sending_off, MSG_NOSIGNAL);
	io_uring_sqe_set_data(sqe, &c->send_op);
	c->inflight++;
}

static bool out_append(struct client *c, const char *s, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p)
			return false;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, len);
	c->out_len += len;
	return true;
}

static void client_write(struct execd *ex, struct client *c, const char *s,
			 size_t len, bool stream)
{
	bool busy = c->sending != NULL;

	if (c->closing)
		return;
	if (stream && c->out_len + len > EXECD_MAX_OUTBUF) {
		c->dropped++;
		return;
	}
	if (!out_append(c, s, len) || !out_append(c, "\n", 1)) {
		client_close(ex, c);
		return;
	}
	if (!busy)
		client_kick(ex, c);
}

static const char *json_text(struct json_object *obj, size_t *len)
{
	const char *s = json_object_to_json_string_length(obj,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);

	return s;
}

void client_send_json(struct execd *ex, struct client *c,
		      struct json_object *obj)
{
	size_t len;
	const char *s = json_text(obj, &len);

	client_write(ex, c, s, len, false);
}

static bool wants(const struct client *c, bool events, uint32_t pid)
{
	if (events)
		return c->events;
	return c->listen_pid == 0 || (c->listen_pid > 0 &&
				      (uint32_t)c->listen_pid == pid);
}

void ctl_broadcast(struct execd *ex, bool events, uint32_t pid,
		   struct json_object *obj)
{
	const char *s = NULL;
	size_t len = 0;

	for (struct client *c = ex->clients, *n; c; c = n) {
		n = c->next;
		if (!wants(c, events, pid))
			continue;
		if (c->dropped)
			json_object_object_add(obj, "dropped",
					       json_object_new_int64((int64_t)c->dropped));
		if (!s || c->dropped)
			s = json_text(obj, &len);
		c->dropped = 0;
		client_write(ex, c, s, len, true);
		if (json_object_object_get_ex(obj, "dropped", NULL)) {
			json_object_object_del(obj, "dropped");
			s = NULL;
		}
	}
}

/* --- stream subscriptions -------------------------------------------- */

bool client_streams_stdio(const struct client *c, uint32_t pid)
{
	return wants(c, false, pid);
}

bool client_streams_events(const struct client *c)
{
	return c->events;
}

static void taps_refresh(struct execd *ex, struct task *t)
{
	bool want = false;

	if (!t || t->dead)
		return;
	for (struct client *c = ex->clients; c && !want; c = c->next)
		want = !c->closing && wants(c, false, t->pid);
	if (want && !t->tapped)
		t->tapped = ex->be->tap_start(ex, t) == 0;
	else if (!want && t->tapped) {
		ex->be->tap_stop(ex, t);
		t->tapped = false;
	}
}

void ctl_refresh_taps(struct execd *ex, struct task *t)
{
	taps_refresh(ex, t);
}

static void taps_refresh_pid(struct execd *ex, int64_t pid)
{
	if (pid > 0) {
		taps_refresh(ex, task_get(ex, (uint32_t)pid));
		return;
	}
	for (uint32_t p = 1; pid == 0 && p <= EXECD_MAX_PID; p++)
		if (ex->tasks[p])
			taps_refresh(ex, ex->tasks[p]);
}

void client_set_listen(struct execd *ex, struct client *c, int64_t pid)
{
	int64_t old = c->listen_pid;

	if (old == pid)
		return;
	c->listen_pid = pid;
	if (old >= 0)
		ex->nlisteners--;
	if (pid >= 0)
		ex->nlisteners++;
	taps_refresh_pid(ex, old);
	taps_refresh_pid(ex, pid);
}

void client_set_events(struct execd *ex, struct client *c)
{
	if (!c->events) {
		c->events = true;
		ex->nsubscribers++;
	}
}

/* --- input ---------------------------------------------------------- */

static void line_error(struct execd *ex, struct client *c)
{
	struct json_object *r = proto_error("request too long (limit %d bytes)",
					    EXECD_MAX_LINE);

	client_send_json(ex, c, r);
	json_object_put(r);
}

static bool line_push(struct client *c, const uint8_t *p, size_t n)
{
	char *q;

	if (c->line_overflow)
		return true;
	if (c->line_len + n > EXECD_MAX_LINE) {
		c->line_overflow = true;
		return true;
	}
	q = realloc(c->line, c->line_len + n + 1);
	if (!q)
		return false;
	c->line = q;
	memcpy(c->line + c->line_len, p, n);
	c->line_len += n;
	c->line[c->line_len] = '\0';
	return true;
}

static void line_end(struct execd *ex, struct client *c)
{
	if (c->line_overflow)
		line_error(ex, c);
	else if (c->line_len)
		proto_handle_line(ex, c, c->line, c->line_len);
	c->line_len = 0;
	c->line_overflow = false;
}

static void client_feed(struct execd *ex, struct client *c, size_t n)
{
	const uint8_t *p = c->rbuf, *end = p + n;

	while (p < end && !c->closing) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t chunk = (size_t)((nl ? nl : end) - p);

		if (!line_push(c, p, chunk)) {
			client_close(ex, c);
			return;
		}
		p += chunk;
		if (nl) {
			p++;
			line_end(ex, c);
		}
	}
}

static void recv_done(struct execd *ex, struct ev_op *op,
		      const struct io_uring_cqe *cqe)
{
	struct client *c = container_of(op, struct client, recv_op);

	if (!c->closing) {
		if (cqe->res <= 0) {
			/* EOF: a final line without newline still counts. */
			if (cqe->res == 0 && c->line_len)
				line_end(ex, c);
			client_close(ex, c);
		} else {
			client_feed(ex, c, (size_t)cqe->res);
			if (!c->closing)
				client_recv(ex, c);
		}
	}
	client_put(ex, c);
}

static void client_recv(struct execd *ex, struct client *c)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);

	io_uring_prep_recv(sqe, c->fd, c->rbuf, sizeof(c->rbuf), 0);
	io_uring_sqe_set_data(sqe, &c->recv_op);
	c->inflight++;
}

/* --- accept --------------------------------------------------------- */

static void accept_arm(struct execd *ex)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);

	io_uring_prep_accept(sqe, ex->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data(sqe, &ex->accept_op);
}

static void accept_done(struct execd *ex, struct ev_op *op,
			const struct io_uring_cqe *cqe)
{
	struct client *c;

	if (ex->quit)
		return;
	accept_arm(ex);
	if (cqe->res < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cqe->res);
		return;
	}
	c->fd = cqe->res;
	c->listen_pid = -1;
	c->recv_op.done = recv_done;
	c->send_op.done = send_done;
	c->next = ex->clients;
	c->pprev = &ex->clients;
	if (ex->clients)
		ex->clients->pprev = &c->next;
	ex->clients = c;
	client_recv(ex, c);
}

void ctl_start(struct execd *ex)
{
	ex->accept_op.done = accept_done;
	accept_arm(ex);
}
