// SPDX-License-Identifier: MIT
/*
 * DOC: the in-process mailbox engine and the terminal
 *
 * Engine hooks run inside engine calls and must not call back into it,
 * so ops.wake only records the handle; rt_settle() then receives each
 * parked message on the waiter's behalf and makes that task ready, and
 * drains every task's stdout/stderr.
 *
 * Output: hsx-run reads each task's svc:stdio.out@PID / .err@PID as the
 * host (PID 0), so nothing a task writes is lost or left queued.  With one
 * app the bytes go straight to our stdout/stderr; with several, each line
 * gets a "[pid] " prefix (partial lines wait for their newline or the
 * task's end).
 *
 * Input: the terminal's stdin is read with poll(), split into lines (the
 * "\n" or "\r\n" is dropped) and each line is one SEND to the stdin task's
 * svc:stdio.in@PID.  A full mailbox holds the line back (and stops reading)
 * until the task drains it.  At end of input, once the queue is empty, the
 * stdin mailbox is destroyed: a task blocked on it, or reading it later,
 * gets status DESTROYED (0x0A), which apps take as end of file.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

uint64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void rt_trace(struct rt_run *run, const char *fmt, ...)
{
	va_list ap;

	if (!run->trace)
		return;
	fputs("hsx-run: trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct rt_task *rt_task_of(struct rt_run *run, uint32_t pid)
{
	return pid && pid <= run->ntasks ? &run->tasks[pid - 1] : NULL;
}

/* --- engine hooks ---------------------------------------------------------- */

static void *host_alloc(void *host, enum mbx_obj_kind kind, __u32 size)
{
	return calloc(1, size);
}

static void host_free(void *host, enum mbx_obj_kind kind, void *ptr, __u32 size)
{
	free(ptr);
}

static __u64 host_now(void *host)
{
	return rt_now_ns();
}

static void host_wake(void *host, struct mbx_handle *h)
{
	struct rt_run *run = host;
	struct mbx_handle **v;

	if (run->nwoken == run->woken_cap) {
		size_t cap = run->woken_cap ? 2 * run->woken_cap : 16;

		v = realloc(run->woken, cap * sizeof(*v));
		if (!v)
			return;
		run->woken = v;
		run->woken_cap = cap;
	}
	run->woken[run->nwoken++] = h;
}

static const char *const ev_names[] = {
	[MBX_EV_SEND] = "mailbox_send", [MBX_EV_RECV] = "mailbox_recv",
	[MBX_EV_WAIT] = "mailbox_wait", [MBX_EV_WAKE] = "mailbox_wake",
	[MBX_EV_TIMEOUT] = "mailbox_timeout",
	[MBX_EV_OVERRUN] = "mailbox_overrun",
	[MBX_EV_BACKPRESSURE] = "mailbox_backpressure",
	[MBX_EV_EXHAUSTED] = "mailbox_exhausted",
	[MBX_EV_ERROR] = "mailbox_error", [MBX_EV_TAP_OVERRUN] = "tap_overrun",
	[MBX_EV_TRUNCATED] = "truncated", [MBX_EV_DESC_CREATE] = "desc_create",
	[MBX_EV_DESC_DESTROY] = "desc_destroy",
};

static void host_event(void *host, const struct mbx_event *ev)
{
	rt_trace(host, "event %s pid %u desc %u (%s) handle %u len %u flags 0x%x "
		 "ch %u src %u status %u", ev->type < sizeof(ev_names) /
		 sizeof(ev_names[0]) ? ev_names[ev->type] : "?", ev->pid,
		 ev->descriptor, ev->name ? ev->name : "", ev->handle,
		 ev->length, ev->flags, ev->channel, ev->src_pid, ev->status);
}

int rt_engine_init(struct rt_run *run)
{
	static struct mbx_ops ops = {
		.alloc = host_alloc, .free = host_free, .now_ns = host_now,
		.wake = host_wake,
	};
	struct mbx_config cfg = { 0 };

	if (run->trace)
		ops.event = host_event;
	run->eng = mbx_engine_create(&cfg, &ops, run);
	if (!run->eng)
		return -1;
	run->host = mbx_task_create_host(run->eng);
	return run->host ? 0 : -1;
}

void rt_engine_fini(struct rt_run *run)
{
	if (run->host)
		mbx_task_teardown(run->eng, run->host);
	if (run->eng)
		mbx_engine_destroy(run->eng);
	free(run->woken);
	free(run->in);
}

/* --- wakes ------------------------------------------------------------------- */

static void finish_wake(struct rt_run *run, struct mbx_handle *h)
{
	struct rt_task *t = rt_task_of(run, mbx_task_pid(mbx_handle_task(h)));

	if (t && t->state == RT_WAIT &&
	    mbx_handle_number(h) == t->svc.call.handle)
		rt_wake(run, t);
}

/* --- output -------------------------------------------------------------------- */

static void line_put(struct rt_line *l, const void *p, size_t n)
{
	if (l->len + n > l->cap) {
		size_t cap = l->cap ? l->cap : 128;
		char *b;

		while (cap < l->len + n)
			cap *= 2;
		b = realloc(l->buf, cap);
		if (!b)
			return;
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

/* "[pid] " and @n bytes: output is bytes, NULs included (not %.*s). */
static void line_print(FILE *fp, uint32_t pid, const char *p, size_t n)
{
	fprintf(fp, "[%u] ", pid);
	fwrite(p, 1, n, fp);
	fputc('\n', fp);
}

/* Print every complete line (or everything, with @all) as "[pid] line". */
static void line_emit(struct rt_task *t, int stream, bool all)
{
	struct rt_line *l = &t->line[stream];
	FILE *fp = stream ? stderr : stdout;
	size_t start = 0, i;

	if (!l->len)
		return;
	for (i = 0; i < l->len; i++) {
		if (l->buf[i] != '\n')
			continue;
		line_print(fp, t->pid, l->buf + start, i - start);
		start = i + 1;
	}
	if (all && start < l->len) {
		line_print(fp, t->pid, l->buf + start, l->len - start);
		start = l->len;
	}
	memmove(l->buf, l->buf + start, l->len - start);
	l->len -= start;
	fflush(fp);
}

static void output(struct rt_run *run, struct rt_task *t, int stream,
		   const void *p, size_t n)
{
	FILE *fp = stream ? stderr : stdout;

	if (!run->prefix) {
		fwrite(p, 1, n, fp);
		fflush(fp);
		return;
	}
	line_put(&t->line[stream], p, n);
	line_emit(t, stream, false);
}

void rt_drain_output(struct rt_run *run, struct rt_task *t)
{
	struct mbx_recv_result res;
	int s;

	for (s = 0; s < 2; s++) {
		while (t->out_h[s] &&
		       mbx_recv(run->eng, run->host, t->out_h[s], 0, &res) ==
			       HSX_MBX_STATUS_OK) {
			output(run, t, s, mbx_msg_payload(res.msg), res.length);
			mbx_msg_put(run->eng, res.msg);
		}
	}
}

void rt_flush_lines(struct rt_run *run, struct rt_task *t)
{
	if (run->prefix) {
		line_emit(t, 0, true);
		line_emit(t, 1, true);
	}
	free(t->line[0].buf);
	free(t->line[1].buf);
	memset(t->line, 0, sizeof(t->line));
}

int rt_stdio_open(struct rt_run *run, struct rt_task *t)
{
	static const char *const fmt[2] = { "svc:stdio.out@%u", "svc:stdio.err@%u" };
	char target[48];
	int s;

	for (s = 0; s < 2; s++) {
		int n = snprintf(target, sizeof(target), fmt[s], t->pid);

		if (mbx_open(run->eng, run->host, target, (__u32)n,
			     HSX_MBX_MODE_RDONLY, &t->out_h[s]))
			return -1;
	}
	return 0;
}

void rt_settle(struct rt_run *run)
{
	size_t i;

	for (i = 0; i < run->nwoken; i++) {
		struct mbx_handle *h = run->woken[i];

		run->woken[i] = NULL;
		finish_wake(run, h);
	}
	run->nwoken = 0;
	for (i = 0; i < run->ntasks; i++)
		if (run->tasks[i].state != RT_DONE)
			rt_drain_output(run, &run->tasks[i]);
}

/* --- stdin ------------------------------------------------------------------- */

/* Send one line; false if the mailbox is full (try again later). */
static bool send_line(struct rt_run *run, const char *p, size_t n)
{
	struct mbx_msg *m = mbx_msg_alloc(run->eng, (__u32)n);
	uint32_t seq, st;

	if (!m)
		return false;
	memcpy(mbx_msg_payload(m), p, n);
	st = mbx_send(run->eng, run->host, run->stdin_h, m, 0, 0, &seq);
	rt_trace(run, "stdin line (%zu bytes) -> pid %u: status %u", n,
		 run->stdin_pid, st);
	if (st == HSX_MBX_STATUS_WOULDBLOCK)
		return false;
	if (st != HSX_MBX_STATUS_OK)
		fprintf(stderr, "hsx-run: stdin line for pid %u dropped: %s\n",
			run->stdin_pid, mbx_status_name(st));
	return true;
}

/* Send every complete line buffered (and the tail at EOF). */
static void send_lines(struct rt_run *run)
{
	size_t start = 0, i, n;

	for (i = 0; i < run->in_len; i++) {
		if (run->in[i] != '\n')
			continue;
		n = i - start;
		if (n && run->in[start + n - 1] == '\r')
			n--;
		if (!send_line(run, run->in + start, n))
			break;
		start = i + 1;
	}
	if (i == run->in_len && run->stdin_eof && start < run->in_len &&
	    send_line(run, run->in + start, run->in_len - start))
		start = run->in_len;
	memmove(run->in, run->in + start, run->in_len - start);
	run->in_len -= start;
	rt_settle(run);
}

/* At EOF with nothing left queued: destroy the stdin mailbox. */
static void close_stdin(struct rt_run *run)
{
	struct mbx_peek_result p;

	if (run->in_len || mbx_peek(run->eng, run->host, run->stdin_h, &p) ||
	    p.depth)
		return;
	mbx_desc_destroy(run->eng, mbx_desc_lookup_id(run->eng, p.descriptor_id));
	mbx_close(run->eng, run->host, run->stdin_h);
	run->stdin_h = 0;
	rt_trace(run, "stdin closed: svc:stdio.in@%u destroyed", run->stdin_pid);
	rt_settle(run);
}

bool rt_stdin_wants_poll(const struct rt_run *run)
{
	return run->stdin_h && !run->stdin_eof && run->in_len < 65536;
}

static void read_stdin(struct rt_run *run)
{
	ssize_t n;

	if (run->in_cap - run->in_len < 4096) {
		char *b = realloc(run->in, run->in_cap + 8192);

		if (!b)
			return;
		run->in = b;
		run->in_cap += 8192;
	}
	n = read(0, run->in + run->in_len, run->in_cap - run->in_len);
	if (n > 0)
		run->in_len += (size_t)n;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		run->stdin_eof = true;
}

/* Read what stdin has (waiting up to @wait_ms, -1 = forever) and send it. */
void rt_stdin_pump(struct rt_run *run, int wait_ms)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };

	if (!run->stdin_h)
		return;
	if (rt_stdin_wants_poll(run)) {
		if (poll(&pfd, 1, wait_ms) > 0)
			read_stdin(run);
	} else if (wait_ms > 0) {
		poll(NULL, 0, wait_ms);
	}
	if (run->in_len)
		send_lines(run);
	if (run->stdin_eof)
		close_stdin(run);
}
