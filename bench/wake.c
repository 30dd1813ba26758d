// SPDX-License-Identifier: MIT
/*
 * DOC: Executive wake latency (run by bench/execd)
 *
 * hsx-execd has loaded many copies of examples/apps/waiter, each blocked
 * in RECV(INFINITE) on its stdin.  For each PID given, this program
 * attaches a tap to the task's stdout node, sends one message to its
 * stdin as the host (PID 0), and times until the tap sees the echo: the
 * kernel hands the message to the daemon's pending READ, the daemon
 * resumes the task, the task SENDs, the tap wakes.  One sample per task
 * (a waiter exits after one message).  The sample ends when poll() sees
 * the tap readable or hung up: the task may send and exit (destroying its
 * stdout) before this process is scheduled again, and either event comes
 * after the task's SEND.
 */
#include "bench.h"
#include "hsxmbx/hsxmbx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t wake_one(int ctl, unsigned pid)
{
	char target[48], node[96], buf[64];
	struct pollfd p = { .events = POLLIN };
	uint64_t t0;
	int tap, h, r;

	snprintf(node, sizeof(node), HSXMBX_DEV_DIR "/svc/stdio.out@%u", pid);
	tap = open(node, O_RDONLY | O_CLOEXEC);
	if (tap < 0)
		bench_die(node, errno);
	p.fd = tap;
	snprintf(target, sizeof(target), "svc:stdio.in@%u", pid);
	h = hsxmbx_open(ctl, target, HSX_MBX_MODE_WRONLY);
	if (h < 0)
		bench_die(target, h);
	t0 = bench_now_ns();
	r = hsxmbx_send(ctl, (uint32_t)h, "wake", 4, 0, 0);
	if (r < 0)
		bench_die("send", r);
	if (poll(&p, 1, 60000) != 1)
		bench_die("tap poll", errno ? errno : ETIMEDOUT);
	t0 = bench_now_ns() - t0;
	if (read(tap, buf, sizeof(buf)) < 0)
		bench_die("tap read", errno);
	hsxmbx_close(ctl, (uint32_t)h);
	close(tap);
	return t0;
}

int main(int argc, char **argv)
{
	struct bench_opts o = { .peer = "hsx-execd", .iters = 1, .reps = 1,
				.batch = 1, .depth = 1 };
	uint64_t *samples;
	struct bench_stats st;
	struct jline j;
	unsigned long tasks;
	unsigned n = 0;
	int ctl;

	bench_parse(argc, argv, &o, "[--round R] TASKS_LOADED PID...");
	if (optind + 1 >= argc)
		bench_die("need TASKS_LOADED and at least one PID", EINVAL);
	tasks = strtoul(argv[optind++], NULL, 0);
	ctl = hsxmbx_open_control(0);
	if (ctl < 0)
		bench_die("open control", ctl);
	samples = calloc((size_t)argc, sizeof(*samples));
	for (int i = optind; i < argc; i++)
		samples[n++] = wake_one(ctl, (unsigned)strtoul(argv[i], NULL, 0));
	bench_summarise(samples, n, &st);
	jl_begin(&j, "execd_wake", &o);
	jl_u64(&j, "tasks", tasks);
	jl_u64(&j, "n", st.n);
	jl_u64(&j, "min_ns", st.min);
	jl_u64(&j, "p50_ns", st.p50);
	jl_u64(&j, "p99_ns", st.p99);
	jl_u64(&j, "max_ns", st.max);
	jl_end(&j);
	return 0;
}
