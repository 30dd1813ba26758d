// SPDX-License-Identifier: MIT
/*
 * DOC: Kernel mailbox events through hsx-trace
 *
 * On the kernel backend the engine runs in the module, so overruns,
 * backpressure and exhaustion never reach the daemon as SVC results; the
 * module reports them only as tracepoints (hsxmbx:*).  hsx-trace already
 * turns those into JSON lines through a BPF ring buffer, so the daemon
 * runs it as a child:
 *
 *   hsx-trace --json --event overrun,backpressure,exhausted
 *
 * It is spawned before the daemon drops its capabilities (loading BPF
 * needs them; the child keeps its own) and dies with the daemon
 * (PR_SET_PDEATHSIG, and SIGTERM at shutdown).  Its stdout and stderr are
 * two pipes read by READ SQEs on the daemon's ring and split into lines:
 * each JSON line becomes a struct mbx_event for ev_mbx_engine(), so the
 * kernel backend's mailbox_* events carry the same fields as the embedded
 * one's.  Its "tracing" line on stderr means the probes are attached; the
 * daemon logs that once.  When hsx-trace is missing or fails (no module,
 * no BPF rights) the daemon logs why once and carries on without these
 * events.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "execd.h"
#include "mbx/mbx.h"

#define KEV_LINE_MAX 4096

/* One pipe from the child, read line by line through the ring. */
struct kev_pipe {
	struct ev_op op;
	struct kevents *kev;
	int fd;
	bool eof;
	size_t len;
	char buf[KEV_LINE_MAX];
	void (*line)(struct execd *ex, struct kevents *kev, char *line);
};

struct kevents {
	pid_t child;
	bool attached;
	struct kev_pipe out;	/* JSON events */
	struct kev_pipe err;	/* diagnostics and the "tracing" line */
};

/* hsx-trace's exit codes (tools/hsx-trace --help). */
static const char *exit_reason(int status)
{
	if (WIFSIGNALED(status))
		return "killed by a signal";
	switch (WEXITSTATUS(status)) {
	case 2: return "usage error";
	case 3: return "the hsxmbx module is not loaded";
	case 5: return "no rights to load BPF (needs CAP_BPF+CAP_PERFMON)";
	case 127: return "hsx-trace not found";
	default: return "it failed";
	}
}

/* --- JSON lines -> struct mbx_event ------------------------------------ */

static const struct {
	const char *name;
	enum mbx_event_type type;
} kev_types[] = {
	{ "overrun", MBX_EV_OVERRUN },
	{ "backpressure", MBX_EV_BACKPRESSURE },
	{ "exhausted", MBX_EV_EXHAUSTED },
};

static uint32_t jget_u32(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint32_t)json_object_get_int64(v);
}

static bool kev_type(const char *name, enum mbx_event_type *type)
{
	for (size_t i = 0; i < sizeof(kev_types) / sizeof(kev_types[0]); i++) {
		if (!strcmp(name, kev_types[i].name)) {
			*type = kev_types[i].type;
			return true;
		}
	}
	return false;
}

/* hsx-trace's field names are lib/mbx's, but the HSX task is "hsx_pid". */
static void kev_fill(struct mbx_event *e, struct json_object *o)
{
	e->reason = (enum mbx_reason)jget_u32(o, "reason");
	e->pid = jget_u32(o, "hsx_pid");
	e->descriptor = jget_u32(o, "descriptor");
	e->handle = jget_u32(o, "handle");
	e->ns = jget_u32(o, "ns");
	e->owner = jget_u32(o, "owner");
	e->length = jget_u32(o, "length");
	e->flags = jget_u32(o, "flags");
	e->channel = jget_u32(o, "channel");
	e->src_pid = jget_u32(o, "src_pid");
	e->seq = jget_u32(o, "seq");
	e->capacity = jget_u32(o, "capacity");
	e->bytes_used = jget_u32(o, "bytes_used");
	e->requested = jget_u32(o, "requested");
	e->queue_depth = jget_u32(o, "queue_depth");
	e->tap_pid = jget_u32(o, "tap_pid");
	e->tap_handle = jget_u32(o, "tap_handle");
	e->limit = jget_u32(o, "limit");
	e->handles = jget_u32(o, "handles");
}

static void kev_event_line(struct execd *ex, struct kevents *kev, char *line)
{
	struct json_object *o, *name;
	struct mbx_event e = { 0 };

	if (!ev_wanted(ex))
		return;
	o = json_tokener_parse(line);
	if (!o)
		return;
	if (json_object_object_get_ex(o, "event", &name) &&
	    kev_type(json_object_get_string(name), &e.type)) {
		kev_fill(&e, o);
		if (json_object_object_get_ex(o, "target", &name))
			e.name = json_object_get_string(name);
		ev_mbx_engine(ex, &e);
	}
	json_object_put(o);
}

static void kev_diag_line(struct execd *ex, struct kevents *kev, char *line)
{
	if (!kev->attached && strstr(line, "hsx-trace: tracing")) {
		kev->attached = true;
		fprintf(stderr, "hsx-execd: kernel events: hsx-trace attached "
			"(pid %d), overrun/backpressure/exhausted join the "
			"event stream\n", (int)kev->child);
		return;
	}
	fprintf(stderr, "hsx-execd: kernel events: %s\n", line);
}

/* --- pipes through the ring -------------------------------------------- */

static void kev_arm(struct execd *ex, struct kev_pipe *p)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);

	io_uring_prep_read(sqe, p->fd, p->buf + p->len,
			   (unsigned int)(sizeof(p->buf) - p->len), 0);
	io_uring_sqe_set_data(sqe, &p->op);
}

/* Hand every complete line to p->line(); keep the partial tail. */
static void kev_split(struct execd *ex, struct kev_pipe *p)
{
	char *start = p->buf, *nl;

	while ((nl = memchr(start, '\n', p->len - (size_t)(start - p->buf)))) {
		*nl = '\0';
		p->line(ex, p->kev, start);
		start = nl + 1;
	}
	p->len -= (size_t)(start - p->buf);
	memmove(p->buf, start, p->len);
	if (p->len == sizeof(p->buf))
		p->len = 0;	/* an absurd line: drop it rather than stall */
}

/* Both pipes closed: the child is gone (or going); say why once. */
static void kev_reap(struct kevents *kev)
{
	int status;

	if (!kev->out.eof || !kev->err.eof || kev->child <= 0)
		return;
	if (waitpid(kev->child, &status, 0) == kev->child &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		fprintf(stderr, "hsx-execd: kernel events unavailable: "
			"hsx-trace exited (%s); continuing without "
			"overrun/backpressure/exhausted events\n",
			exit_reason(status));
	kev->child = 0;
}

static void kev_read_done(struct execd *ex, struct ev_op *op,
			  const struct io_uring_cqe *cqe)
{
	struct kev_pipe *p = container_of(op, struct kev_pipe, op);

	if (cqe->res == -EINTR || cqe->res == -EAGAIN) {
		kev_arm(ex, p);
		return;
	}
	if (cqe->res <= 0) {
		p->eof = true;
		kev_reap(p->kev);
		return;
	}
	p->len += (size_t)cqe->res;
	kev_split(ex, p);
	kev_arm(ex, p);
}

/* --- the child ---------------------------------------------------------- */

/* hsx-trace next to our own binary, else by PATH. */
static void default_tracer(char *path, size_t size)
{
	char self[PATH_MAX - 16];	/* room for "/hsx-trace" */
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	snprintf(path, size, "hsx-trace");
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(path, size, "%s/hsx-trace", self);
	if (access(path, X_OK) < 0)
		snprintf(path, size, "hsx-trace");
}

static void child_exec(const char *tracer, int out, int err)
{
	char *const argv[] = { (char *)tracer, "--json", "--event",
			       "overrun,backpressure,exhausted", NULL };
	sigset_t none;

	/* The daemon blocks SIGTERM/SIGINT for its signalfd: unblock them. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(1);
	execvp(tracer, argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", tracer, strerror(errno));
	_exit(127);
}

static void kev_pipe_init(struct kevents *kev, struct kev_pipe *p, int fd,
			  void (*line)(struct execd *, struct kevents *, char *))
{
	p->op.done = kev_read_done;
	p->kev = kev;
	p->fd = fd;
	p->line = line;
}

static int kev_spawn(struct kevents *kev, const char *tracer)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	kev->child = fork();
	if (kev->child == 0)
		child_exec(tracer, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (kev->child < 0) {
		close(out[0]);
		close(err[0]);
		return -1;
	}
	kev_pipe_init(kev, &kev->out, out[0], kev_event_line);
	kev_pipe_init(kev, &kev->err, err[0], kev_diag_line);
	return 0;
}

int kevents_start(struct execd *ex, const char *tracer)
{
	struct kevents *kev = calloc(1, sizeof(*kev));
	char path[PATH_MAX];

	if (!kev)
		return -1;
	if (!tracer) {
		default_tracer(path, sizeof(path));
		tracer = path;
	}
	if (kev_spawn(kev, tracer) < 0) {
		fprintf(stderr, "hsx-execd: kernel events unavailable: cannot "
			"start %s: %s\n", tracer, strerror(errno));
		free(kev);
		return -1;
	}
	fprintf(stderr, "hsx-execd: kernel events: started %s (pid %d), "
		"waiting for it to attach\n", tracer, (int)kev->child);
	ex->kev = kev;
	kev_arm(ex, &kev->out);
	kev_arm(ex, &kev->err);
	return 0;
}

/*
 * Shutdown: end the child; its pipes' READs complete (EOF) while the
 * daemon drains the ring, and kevents_free() runs after the ring is gone.
 */
void kevents_stop(struct execd *ex)
{
	struct kevents *kev = ex->kev;
	int status;

	if (!kev || kev->child <= 0)
		return;
	kill(kev->child, SIGTERM);
	waitpid(kev->child, &status, 0);
	kev->child = 0;
}

void kevents_free(struct execd *ex)
{
	struct kevents *kev = ex->kev;

	if (!kev)
		return;
	close(kev->out.fd);
	close(kev->err.fd);
	free(kev);
	ex->kev = NULL;
}
