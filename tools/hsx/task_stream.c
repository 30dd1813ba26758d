// SPDX-License-Identifier: MIT
/*
 * DOC: hsx listen and hsx events: streaming commands
 *
 *   hsx listen [PID] [--count N] [--json]
 *       Non-destructive: the daemon taps svc:stdio.out/err@PID (every
 *       task, including ones loaded later, without PID).  Chunks are
 *       joined into lines per task and stream and printed as
 *       "[pid:out] text", coloured by PID on a terminal.  Runs until
 *       Ctrl-C (exit 0), the daemon goes away (exit 1) or N lines.
 *
 *   hsx events [--count N] [--json]
 *       The executive's event stream: "seq type pid key=value...",
 *       including the engine's mailbox_overrun, mailbox_backpressure and
 *       mailbox_exhausted (on the kernel backend through hsx-trace).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsx.h"
#include "task.h"

struct stream_opts {
	long count;
};

static int stream_opt(int ch, const char *arg, void *ctx)
{
	struct stream_opts *s = ctx;
	char *end;

	if (ch != 'n')
		return -1;
	s->count = strtol(arg, &end, 10);
	return *end || s->count < 1 ? -1 : 0;
}

static const struct option stream_extra[] = {
	{ "count", required_argument, NULL, 'n' },
	{ 0 }
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void catch_sigint(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };

	/* No SA_RESTART: a blocked read returns EINTR and we stop. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* --- line assembly per (pid, stream) ---------------------------------------- */

struct partial {
	struct partial *next;
	long pid;
	char stream[8];
	char *buf;
	size_t len;
};

static struct partial *partials;

static struct partial *partial_get(long pid, const char *stream)
{
	struct partial *p;

	for (p = partials; p; p = p->next)
		if (p->pid == pid && !strcmp(p->stream, stream))
			return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->pid = pid;
	snprintf(p->stream, sizeof(p->stream), "%s", stream);
	p->next = partials;
	partials = p;
	return p;
}

/* Output is bytes: NULs and all are written as they came (not %.*s). */
static void print_line(long pid, const char *stream, const char *s, size_t n,
		       bool color)
{
	if (color)
		printf("\033[%dm[%ld:%s]\033[0m ",
		       !strcmp(stream, "err") ? 31 : 32 + (int)(pid % 5), pid,
		       stream);
	else
		printf("[%ld:%s] ", pid, stream);
	fwrite(s, 1, n, stdout);
	putchar('\n');
}

/* Append @n bytes; print every completed line.  Returns lines printed. */
static long feed(long pid, const char *stream, const char *data, size_t n,
		 bool color)
{
	struct partial *p = partial_get(pid, stream);
	long lines = 0;
	char *nl;

	p->buf = realloc(p->buf, p->len + n + 1);
	if (!p->buf)
		abort();
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	while ((nl = memchr(p->buf, '\n', p->len))) {
		size_t line = (size_t)(nl - p->buf);

		print_line(pid, stream, p->buf, line && nl[-1] == '\r' ? line - 1 :
			   line, color);
		memmove(p->buf, nl + 1, p->len - line - 1);
		p->len -= line + 1;
		lines++;
	}
	return lines;
}

static void flush_partials(bool color)
{
	for (struct partial *p = partials; p; p = p->next)
		if (p->len)
			print_line(p->pid, p->stream, p->buf, p->len, color);
}

/* --- streaming loop ------------------------------------------------------- */

typedef long (*stream_fn)(struct json_object *line, bool json, bool color);

static int stream(const struct task_opts *o, struct json_object *req,
		  const char *what, long count, stream_fn fn)
{
	bool color = !o->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	struct execd_conn c;
	struct json_object *reply, *line;
	long seen = 0;
	int ret = execd_connect(o, &c);

	if (ret < 0) {
		json_object_put(req);
		return -ret;
	}
	catch_sigint();
	reply = execd_call(&c, req);
	ret = reply ? execd_check(reply, what) : HSX_EXIT_FAILURE;
	json_object_put(reply);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!ret && !interrupted && (!count || seen < count)) {
		line = execd_read(&c);
		if (!line) {
			if (!interrupted) {
				hsx_err("%s: hsx-execd closed the connection", what);
				ret = HSX_EXIT_FAILURE;
			}
			break;
		}
		seen += fn(line, o->json, color);
		json_object_put(line);
	}
	if (!o->json)
		flush_partials(color);
	execd_close(&c);
	return ret;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	       c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode "data_hex" into a malloc'd buffer; its length or -1. */
static long unhex(const char *hex, char **out)
{
	size_t n = strlen(hex) / 2, i;
	char *b = malloc(n + 1);

	if (!b)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return -1;
		}
		b[i] = (char)(hi << 4 | lo);
	}
	*out = b;
	return (long)n;
}

/* A chunk is "text" (JSON-escaped, may hold NULs) or "data_hex". */
static long listen_line(struct json_object *line, bool json, bool color)
{
	long dropped = (long)jint(line, "dropped", 0);
	long pid = (long)jint(line, "pid", 0), lines, n;
	const char *stream = jstr(line, "stream", "?");
	struct json_object *text;
	char *bytes;

	if (json) {
		print_json(line);
		return 1;
	}
	if (dropped)
		fprintf(stderr, "hsx: listen: %ld stream lines dropped "
			"(client too slow)\n", dropped);
	if (json_object_object_get_ex(line, "text", &text))
		return feed(pid, stream, json_object_get_string(text),
			    (size_t)json_object_get_string_len(text), color);
	n = unhex(jstr(line, "data_hex", ""), &bytes);
	if (n < 0) {
		hsx_err("listen: bad data_hex from hsx-execd");
		return 1;
	}
	lines = feed(pid, stream, bytes, (size_t)n, color);
	free(bytes);
	return lines;
}

int hsx_listen_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	struct stream_opts s = { 0 };
	struct json_object *req;
	uint32_t pid = 0;
	int i = task_getopt(argc, argv, &o, "hsx listen [--count N] [--json] [PID]",
			    stream_extra, "n:", stream_opt, &s);

	if (i < 0)
		return i == -1000 ? 0 : -i;
	if (argc - i > 1 || (argc - i == 1 && (hsx_parse_u32(argv[i], &pid) < 0 ||
					       !pid || pid > 0xFFFF))) {
		hsx_err("listen: usage: hsx listen [PID]");
		return HSX_EXIT_USAGE;
	}
	req = execd_req("listen");
	if (pid)
		json_object_object_add(req, "pid", json_object_new_int64(pid));
	return stream(&o, req, "listen", s.count, listen_line);
}

static long event_line(struct json_object *line, bool json, bool color)
{
	struct json_object *data = NULL;

	if (json) {
		print_json(line);
		return 1;
	}
	printf("%6lld %-16s pid=%lld", (long long)jint(line, "seq", 0),
	       jstr(line, "type", "?"), (long long)jint(line, "pid", 0));
	if (json_object_object_get_ex(line, "data", &data) && data) {
		json_object_object_foreach(data, key, val) {
			if (strcmp(key, "pid"))
				printf(" %s=%s", key, val ?
				       json_object_get_string(val) : "null");
		}
	}
	putchar('\n');
	return 1;
}

int hsx_events_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	struct stream_opts s = { 0 };
	int i = task_getopt(argc, argv, &o, "hsx events [--count N] [--json]",
			    stream_extra, "n:", stream_opt, &s);

	if (i < 0)
		return i == -1000 ? 0 : -i;
	if (i != argc) {
		hsx_err("events: no arguments expected");
		return HSX_EXIT_USAGE;
	}
	return stream(&o, execd_req("events"), "events", s.count, event_line);
}
