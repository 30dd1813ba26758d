// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-run, run HSX apps in one process
 *
 *   hsx-run [--trace] [--quantum N] [--stdin-to PID] [--continue-on-brk]
 *           [--dump] [--dump-mem ADDR:LEN] APP.hxe [APP.hxe...]
 *
 * Loads each image as a task (PIDs 1, 2, ... in argument order, stacks as
 * the executive lays them out), binds its `.mailbox` declarations, then
 * runs every ready task for a quantum of instructions in PID order until
 * all have ended.  Blocking receives and sleeps wait on real timers: when
 * nothing is runnable the loop sleeps in poll() until the next deadline or
 * stdin input.  No daemon, no kernel module.
 *
 * BRK stops the whole run, as the reference's command-line VM halts at
 * BRK (there is no debugger to hand it to), unless --continue-on-brk.
 *
 * Exit status: the first app's exit status (R0 & 0xFF at RET from main or
 * TASK_EXIT); 70 if it faulted; 3 if every remaining task waits forever
 * (nothing can wake them); 4 if a task stopped the run at BRK; 2 for
 * usage or load errors.
 */
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hxe/hxe.h"
#include "run.h"

#define EXIT_FAULT 70
#define EXIT_DEADLOCK 3
#define EXIT_USAGE 2
#define EXIT_BRK 4

static int bind_declared(struct rt_run *run, struct rt_task *t,
			 const struct hsx_hxe_image *img)
{
	size_t i;

	for (i = 0; i < img->nmailboxes; i++) {
		const struct hsx_hxe_mailbox *m = &img->mailboxes[i];
		struct rt_task *owner = rt_task_of(run, (uint32_t)m->owner_pid);
		uint32_t id = 0, st;

		if (m->owner_pid < 0 || !owner || !owner->mt)
			owner = t;
		st = mbx_bind(run->eng, owner->mt, m->target, strlen(m->target),
			      m->capacity, m->mode_mask, &id);
		rt_trace(run, "pid %u .mailbox %s cap %u mode 0x%x -> %s (%u)",
			 owner->pid, m->target, m->capacity, m->mode_mask,
			 mbx_status_name(st), id);
		if (st) {
			fprintf(stderr, "hsx-run: %s: .mailbox %s: %s\n", t->path,
				m->target, mbx_status_name(st));
			return -1;
		}
	}
	return 0;
}

static int load_task(struct rt_run *run, struct rt_task *t, unsigned int k)
{
	struct hsx_vm_task_config cfg = { .svc = &run->svc.table,
					  .user = &t->svc };
	struct hsx_hxe_error err;
	struct hsx_hxe_image *img;
	struct hsx_vm_image *vimg;
	int ret = -1;

	if (hsx_hxe_load_file(t->path, &img, &err)) {
		fprintf(stderr, "hsx-run: %s: %s\n", t->path, err.msg);
		return -1;
	}
	hsx_vm_exec_stack(k, &cfg.sp, &cfg.stack_limit);
	vimg = hsx_vm_image_new(img->code, img->hdr.code_len, img->rodata,
				img->hdr.ro_len, img->hdr.entry);
	if (vimg)
		t->vm = hsx_vm_task_new(vimg, &cfg);
	t->svc.vm = t->vm;
	if (vimg && t->vm && !mbx_task_register(run->eng, t->pid, &t->mt) &&
	    !rt_stdio_open(run, t) && !bind_declared(run, t, img))
		ret = 0;
	else if (!t->vm || !t->mt)
		fprintf(stderr, "hsx-run: %s: cannot create task %u\n", t->path,
			t->pid);
	if (vimg)
		hsx_vm_image_put(vimg);
	hsx_hxe_free(img);
	return ret;
}

/* A task ended: report, print what is left, release its mailboxes. */
static void end_task(struct rt_run *run, struct rt_task *t,
		     enum hsx_vm_stop stop)
{
	int s;

	t->state = RT_DONE;
	t->stop = stop;
	t->exit_status = hsx_vm_exit_status(t->vm);
	if (stop == HSX_VM_STOP_FAULT || stop == HSX_VM_STOP_ILLEGAL) {
		t->faulted = true;
		fprintf(stderr, "hsx-run: [%u] %s: %s at pc 0x%x (R0 0x%x)\n",
			t->pid, t->path, stop == HSX_VM_STOP_ILLEGAL ? "illegal "
			"instruction" : hsx_vm_fault_name(hsx_vm_fault(t->vm)),
			stop == HSX_VM_STOP_FAULT ? hsx_vm_fault_pc(t->vm) :
			hsx_vm_pc(t->vm) - 4, hsx_vm_reg(t->vm, 0));
	}
	rt_trace(run, "pid %u %s, status %d after %llu steps", t->pid,
		 hsx_vm_stop_name(stop), (int)t->exit_status,
		 (unsigned long long)hsx_vm_steps(t->vm));
	rt_drain_output(run, t);
	rt_flush_lines(run, t);
	for (s = 0; s < 2; s++)
		mbx_close(run->eng, run->host, t->out_h[s]);
	t->out_h[0] = t->out_h[1] = 0;
	if (run->stdin_pid == t->pid && run->stdin_h) {
		mbx_close(run->eng, run->host, run->stdin_h);
		run->stdin_h = 0;
	}
	mbx_task_teardown(run->eng, t->mt);
	t->mt = NULL;
	rt_settle(run);
}

static void run_slice(struct rt_run *run, struct rt_task *t)
{
	enum hsx_vm_stop stop = hsx_vm_run(t->vm, run->quantum);

	switch (stop) {
	case HSX_VM_STOP_BUDGET:
	case HSX_VM_STOP_YIELD:
	case HSX_VM_STOP_BLOCKED: /* the SVC layer set WAIT/SLEEP */
		break;
	case HSX_VM_STOP_BRK:
		if (run->continue_on_brk) {
			rt_trace(run, "pid %u BRK %u at pc 0x%x (continue)",
				 t->pid, hsx_vm_brk_code(t->vm),
				 hsx_vm_pc(t->vm) - 4);
			break;
		}
		fprintf(stderr, "hsx-run: [%u] %s: BRK %u at pc 0x%x: stopping "
			"(--continue-on-brk runs past it)\n", t->pid, t->path,
			hsx_vm_brk_code(t->vm), hsx_vm_pc(t->vm) - 4);
		run->stopped_at_brk = true;
		end_task(run, t, stop);
		break;
	default:
		end_task(run, t, stop);
		break;
	}
}

/* Fire expired timers; return ms to the next deadline (-1 = none). */
static int fire_timers(struct rt_run *run)
{
	uint64_t now = rt_now_ns(), next = 0;
	size_t i;

	for (i = 0; i < run->ntasks; i++) {
		struct rt_task *t = &run->tasks[i];

		if ((t->state != RT_WAIT && t->state != RT_SLEEP) ||
		    !t->deadline_ns)
			continue;
		if (t->deadline_ns <= now) {
			if (t->state == RT_WAIT)
				rt_timeout(run, t);
			t->state = RT_READY;
			t->deadline_ns = 0;
			hsx_vm_resume(t->vm);
		} else if (!next || t->deadline_ns < next) {
			next = t->deadline_ns;
		}
	}
	rt_settle(run);
	return next ? (int)((next - now + 999999) / 1000000) : -1;
}

static size_t count(const struct rt_run *run, enum rt_state s)
{
	size_t i, n = 0;

	for (i = 0; i < run->ntasks; i++)
		n += run->tasks[i].state == s;
	return n;
}

/* The scheduler loop; returns 0, or EXIT_DEADLOCK. */
static int run_all(struct rt_run *run)
{
	size_t i;
	int next;

	while (count(run, RT_DONE) < run->ntasks) {
		for (i = 0; i < run->ntasks && !run->stopped_at_brk; i++)
			if (run->tasks[i].state == RT_READY)
				run_slice(run, &run->tasks[i]);
		if (run->stopped_at_brk)
			return EXIT_BRK;
		next = fire_timers(run);
		if (count(run, RT_READY)) {
			rt_stdin_pump(run, 0);
			continue;
		}
		if (rt_stdin_wants_poll(run)) {
			rt_stdin_pump(run, next);
			continue;
		}
		rt_stdin_pump(run, 0); /* retry held lines, close at EOF */
		if (count(run, RT_READY) || count(run, RT_DONE) == run->ntasks)
			continue;
		if (next < 0) {
			fprintf(stderr, "hsx-run: every remaining task waits "
				"forever; stopping\n");
			return EXIT_DEADLOCK;
		}
		poll(NULL, 0, next);
	}
	return 0;
}

static void usage(FILE *fp)
{
	fputs("Usage: hsx-run [OPTION]... APP.hxe [APP.hxe...]\n"
	      "Run HSX apps to completion in one process (no daemon, no kernel).\n\n"
	      "  -q, --quantum N     instructions per turn (default 1000)\n"
	      "  -i, --stdin-to PID  feed stdin lines to PID (default 1)\n"
	      "  -t, --trace         print SVC and mailbox events on stderr\n"
	      "  -b, --continue-on-brk  run past BRK (default: BRK stops the run)\n"
	      "  -d, --dump          print each task's final registers on stderr\n"
	      "  -m, --dump-mem ADDR:LEN  and LEN bytes of its memory from ADDR\n"
	      "  -h, --help          show this help\n\n"
	      "Apps get PIDs 1, 2, ... in order.  With several apps each output\n"
	      "line is prefixed with \"[pid] \".  Exit status: the first app's;\n"
	      "70 fault, 3 deadlock, 4 stopped at BRK, 2 usage or load error.\n",
	      fp);
}

/* "ADDR:LEN" inside the 64 KiB data memory, LEN 1..65536. */
static int parse_range(const char *arg, uint32_t *addr, uint32_t *len)
{
	unsigned long a, n;
	char *end;

	a = strtoul(arg, &end, 0);
	if (end == arg || *end != ':')
		goto bad;
	n = strtoul(end + 1, &end, 0);
	if (*end || a > 0xFFFF || n < 1 || n > 0x10000 - a)
		goto bad;
	*addr = (uint32_t)a;
	*len = (uint32_t)n;
	return 0;
bad:
	fprintf(stderr, "hsx-run: bad memory range '%s' (want ADDR:LEN inside "
		"0..0xFFFF)\n", arg);
	return -1;
}

static int parse_args(struct rt_run *run, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quantum", required_argument, NULL, 'q' },
		{ "stdin-to", required_argument, NULL, 'i' },
		{ "trace", no_argument, NULL, 't' },
		{ "continue-on-brk", no_argument, NULL, 'b' },
		{ "dump", no_argument, NULL, 'd' },
		{ "dump-mem", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	long v;
	int c;

	run->quantum = 1000;
	run->stdin_pid = 1;
	while ((c = getopt_long(argc, argv, "q:i:tbdm:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
		case 'i':
			v = strtol(optarg, &end, 0);
			if (*end || v < 1 || v > 100000000) {
				fprintf(stderr, "hsx-run: bad number '%s'\n", optarg);
				return -1;
			}
			*(c == 'q' ? &run->quantum : &run->stdin_pid) = (unsigned)v;
			break;
		case 't':
			run->trace = true;
			break;
		case 'b':
			run->continue_on_brk = true;
			break;
		case 'd':
			run->dump = true;
			break;
		case 'm':
			if (parse_range(optarg, &run->dump_addr, &run->dump_len))
				return -1;
			run->dump = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind >= argc || run->stdin_pid > (unsigned)(argc - optind)) {
		fprintf(stderr, optind >= argc ? "hsx-run: no app given\n" :
			"hsx-run: --stdin-to names no loaded app\n");
		return -1;
	}
	return 0;
}

static int open_stdin(struct rt_run *run)
{
	char target[48];
	int n = snprintf(target, sizeof(target), "svc:stdio.in@%u",
			 run->stdin_pid);

	return mbx_open(run->eng, run->host, target, (__u32)n,
			HSX_MBX_MODE_WRONLY, &run->stdin_h) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct rt_run run = { 0 };
	int status = EXIT_USAGE, deadlock;
	size_t i;

	if (parse_args(&run, argc, argv)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	rt_svc_init(&run);
	run.ntasks = (size_t)(argc - optind);
	run.prefix = run.ntasks > 1;
	run.tasks = calloc(run.ntasks, sizeof(*run.tasks));
	if (!run.tasks || rt_engine_init(&run))
		goto out;
	for (i = 0; i < run.ntasks; i++) {
		run.tasks[i].pid = (uint32_t)i + 1;
		run.tasks[i].path = argv[optind + (int)i];
		if (load_task(&run, &run.tasks[i], (unsigned int)i))
			goto out;
	}
	if (open_stdin(&run))
		goto out;
	deadlock = run_all(&run);
	status = run.stopped_at_brk ? EXIT_BRK :
		 run.tasks[0].faulted ? EXIT_FAULT :
		 run.tasks[0].state != RT_DONE ? deadlock :
		 (int)(run.tasks[0].exit_status & 0xFF);
	if (run.dump) {
		fflush(stdout);
		rt_dump(&run, stderr);
	}
out:
	for (i = 0; run.tasks && i < run.ntasks; i++) {
		if (run.tasks[i].mt) {
			rt_drain_output(&run, &run.tasks[i]);
			rt_flush_lines(&run, &run.tasks[i]);
			mbx_task_teardown(run.eng, run.tasks[i].mt);
		}
		if (run.tasks[i].vm)
			hsx_vm_task_free(run.tasks[i].vm);
	}
	if (run.eng)
		rt_engine_fini(&run);
	free(run.tasks);
	return status;
}
