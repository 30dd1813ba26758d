// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-execd start-up and main loop
 *
 *   hsx-execd [--socket PATH] [--backend auto|kernel|embedded]
 *             [--quantum N] [--user USER] [--verbose] [APP.hxe...]
 *
 * Environment: HSX_EXECD_KERNEL_EVENTS=0 does not start hsx-trace on the
 * kernel backend; HSX_TRACE=PATH names the hsx-trace to run.
 *
 * Start-up: choose the backend (kernel when /dev/hsxmbx/control exists,
 * unless told otherwise), open it, raise the file limit, create the
 * control socket, start hsx-trace for the kernel's mailbox events (kernel
 * backend; it needs the capabilities we are about to drop), load the apps
 * named on the command line, then drop every privilege.  The main loop alternates a scheduling pass with one
 * io_uring submission (waiting only when nothing is runnable) and the
 * dispatch of every completion.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "execd.h"
#include "hsxmbx/hsxmbx.h"

struct options {
	const char *socket;
	const char *backend;
	const char *user;
	const char *tracer;	/* $HSX_TRACE, NULL = next to us */
	bool kernel_events;	/* $HSX_EXECD_KERNEL_EVENTS != "0" */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hsx-execd [OPTIONS] [APP.hxe...]\n"
		"  -s, --socket PATH     control socket (default %s)\n"
		"  -b, --backend NAME    auto (default), kernel or embedded\n"
		"  -q, --quantum N       instructions per task turn (default %d;\n"
		"                        1 reproduces the reference interleaving)\n"
		"  -u, --user USER       run as USER after start-up\n"
		"  -v, --verbose         log requests and task exits\n"
		"  -h, --help            this text\n"
		"Environment (kernel backend: the module's overrun, backpressure\n"
		"and exhausted events join the event stream through hsx-trace):\n"
		"  HSX_EXECD_KERNEL_EVENTS=0  do not start hsx-trace\n"
		"  HSX_TRACE=PATH        the hsx-trace to run (default: next to\n"
		"                        hsx-execd, else from PATH)\n",
		EXECD_DEFAULT_SOCKET, EXECD_DEFAULT_QUANTUM);
}

static int parse_args(int argc, char **argv, struct execd *ex,
		      struct options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "backend", required_argument, NULL, 'b' },
		{ "quantum", required_argument, NULL, 'q' },
		{ "user", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	long q;
	int ch;

	while ((ch = getopt_long(argc, argv, "s:b:q:u:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->socket = optarg; break;
		case 'b': o->backend = optarg; break;
		case 'u': o->user = optarg; break;
		case 'v': ex->verbose = true; break;
		case 'q':
			q = strtol(optarg, &end, 10);
			if (*end || q < 1 || q > 100000000) {
				fprintf(stderr, "hsx-execd: bad --quantum '%s'\n", optarg);
				return -1;
			}
			ex->quantum = (unsigned int)q;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	return 0;
}

static void env_options(struct options *o)
{
	const char *v = getenv("HSX_EXECD_KERNEL_EVENTS");

	o->kernel_events = !v || strcmp(v, "0");
	o->tracer = getenv("HSX_TRACE");
	if (o->tracer && !*o->tracer)
		o->tracer = NULL;
}

static const struct backend_ops *pick_backend(const char *name)
{
	if (!name || !strcmp(name, "auto"))
		return access(HSXMBX_CONTROL_PATH, F_OK) == 0 ? &backend_kernel :
								 &backend_embedded;
	if (!strcmp(name, "kernel"))
		return &backend_kernel;
	if (!strcmp(name, "embedded"))
		return &backend_embedded;
	return NULL;
}

/* --- signals through the ring ---------------------------------------- */

static void signal_arm(struct execd *ex)
{
	struct io_uring_sqe *sqe = ring_sqe(ex);

	io_uring_prep_read(sqe, ex->signal_fd, ex->siginfo,
			   sizeof(struct signalfd_siginfo), 0);
	io_uring_sqe_set_data(sqe, &ex->signal_op);
}

static void signal_done(struct execd *ex, struct ev_op *op,
			const struct io_uring_cqe *cqe)
{
	if (cqe->res == (int)sizeof(struct signalfd_siginfo)) {
		fprintf(stderr, "hsx-execd: signal %u, shutting down\n",
			((struct signalfd_siginfo *)ex->siginfo)->ssi_signo);
		ex->quit = true;
		return;
	}
	if (!ex->quit)
		signal_arm(ex);
}

static int signals_init(struct execd *ex)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	ex->signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (ex->signal_fd < 0)
		return -1;
	ex->signal_op.done = signal_done;
	signal_arm(ex);
	return 0;
}

/* --- start-up --------------------------------------------------------- */

static int make_socket(struct execd *ex, const char *path, const char *user)
{
	char dir[256];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);	/* /run/hsx; may exist already */
	}
	if (ctl_listen(ex, path) < 0) {
		fprintf(stderr, "hsx-execd: socket %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (user) {
		struct passwd *pw = getpwnam(user);

		if (pw && chown(path, pw->pw_uid, pw->pw_gid) < 0)
			fprintf(stderr, "hsx-execd: chown %s: %s\n", path,
				strerror(errno));
	}
	return 0;
}

static int load_startup_apps(struct execd *ex, int argc, char **argv)
{
	char err[512];

	for (int i = optind; i < argc; i++) {
		struct task *t = task_load(ex, argv[i], err, sizeof(err), NULL);

		if (!t) {
			fprintf(stderr, "hsx-execd: %s\n", err);
			return -1;
		}
		fprintf(stderr, "hsx-execd: loaded %s as pid %u\n", argv[i], t->pid);
	}
	return 0;
}

static int setup(struct execd *ex, const struct options *o, int argc,
		 char **argv)
{
	int ret;

	ex->tasks = calloc(EXECD_MAX_PID + 1, sizeof(*ex->tasks));
	if (!ex->tasks)
		return -1;
	ret = ring_init(ex, 4096);
	if (ret < 0) {
		fprintf(stderr, "hsx-execd: io_uring: %s\n", strerror(-ret));
		return -1;
	}
	svc_setup(ex);
	if (privs_raise_nofile() < 0)
		fprintf(stderr, "hsx-execd: warning: cannot raise RLIMIT_NOFILE\n");
	if (ex->be->open(ex) < 0)
		return -1;
	if (make_socket(ex, o->socket, o->user) < 0 || signals_init(ex) < 0)
		return -1;
	/* Failure is not fatal: the daemon works without these events. */
	if (ex->be == &backend_kernel && o->kernel_events)
		kevents_start(ex, o->tracer);
	if (load_startup_apps(ex, argc, argv) < 0)
		return -1;
	if (privs_drop(o->user) < 0) {
		fprintf(stderr, "hsx-execd: dropping privileges: %s\n", strerror(errno));
		return -1;
	}
	ctl_start(ex);
	fprintf(stderr, "hsx-execd: listening on %s (backend %s, quantum %u)\n",
		o->socket, ex->be->name, ex->quantum);
	return 0;
}

/* --- main loop -------------------------------------------------------- */

static void run(struct execd *ex)
{
	while (!ex->quit) {
		sched_pass(ex);
		ex->be->flush(ex);
		if (ex->nrunnable)
			io_uring_submit(&ex->ring);
		else
			io_uring_submit_and_wait(&ex->ring, 1);
		ring_reap(ex);
	}
}

/* Let queued replies (the shutdown acknowledgement) reach the clients. */
static void drain(struct execd *ex)
{
	struct __kernel_timespec ts = { .tv_nsec = 50000000 };
	struct io_uring_cqe *cqe;

	for (int i = 0; i < 20; i++) {
		if (io_uring_submit_and_wait_timeout(&ex->ring, &cqe, 1, &ts,
						     NULL) < 0)
			break;
		ring_reap(ex);
	}
}

int main(int argc, char **argv)
{
	struct options o = { .socket = EXECD_DEFAULT_SOCKET };
	struct execd ex = { .quantum = EXECD_DEFAULT_QUANTUM, .next_pid = 1,
			    .listen_fd = -1, .signal_fd = -1 };

	setvbuf(stderr, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &ex, &o) < 0)
		return 2;
	env_options(&o);
	ex.be = pick_backend(o.backend);
	if (!ex.be) {
		fprintf(stderr, "hsx-execd: unknown backend '%s'\n", o.backend);
		return 2;
	}
	if (setup(&ex, &o, argc, argv) < 0)
		return 1;
	run(&ex);
	sched_shutdown(&ex);
	kevents_stop(&ex);
	drain(&ex);
	ctl_close_all(&ex);
	unlink(o.socket);
	ex.be->close(&ex);
	io_uring_queue_exit(&ex.ring);
	kevents_free(&ex);
	free(ex.tasks);
	fprintf(stderr, "hsx-execd: stopped\n");
	return 0;
}
