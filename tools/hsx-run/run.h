/* SPDX-License-Identifier: MIT */
/*
 * DOC: hsx-run internals
 *
 * One process, one thread: the VM tasks (lib/vm), the mailbox engine
 * (lib/mbx, in-process) and a small loop that runs every ready task for a
 * quantum in load order, fires expired timers, feeds the terminal's stdin
 * to one task and prints what the tasks write to their stdout/stderr.
 *
 * The SVC layer (modules 0x00, 0x01, 0x04, 0x05, 0x06) is lib/svc, the
 * one hsx-execd uses too; svc.c is hsx-run's side of it (struct svc_ops:
 * calls run on the in-process engine at once, waits and sleeps are
 * timers of the loop).  host.c owns the engine: its hooks, wakes, stdio
 * draining and stdin.
 */
#ifndef HSX_RUN_H
#define HSX_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mbx/mbx.h"
#include "svc/svc.h"
#include "vm/vm.h"

enum rt_state { RT_READY, RT_WAIT, RT_SLEEP, RT_DONE };

struct rt_line {
	char *buf;
	size_t len, cap;
};

struct rt_task {
	uint32_t pid;
	const char *path;
	struct hsx_vm_task *vm;
	struct mbx_task *mt;
	enum rt_state state;
	struct svc_task svc;       /* the SVC in progress (RECV when RT_WAIT) */
	uint64_t deadline_ns;      /* WAIT/SLEEP timer, 0 = none */
	uint32_t out_h[2];         /* host handles on its stdout/stderr */
	struct rt_line line[2];    /* partial output lines (prefix mode) */
	uint32_t exit_status;
	bool faulted;
	enum hsx_vm_stop stop;     /* why it ended (RT_DONE), for --dump */
};

struct rt_run {
	struct mbx_engine *eng;
	struct mbx_task *host;     /* PID 0: stdin feeder, stdio reader */
	struct rt_task *tasks;
	size_t ntasks;
	unsigned int quantum;
	bool trace;
	bool prefix;               /* "[pid] " before each output line */
	bool continue_on_brk;      /* BRK: go on instead of stopping the run */
	bool stopped_at_brk;       /* a task hit BRK: the run ends */
	bool dump;                 /* --dump: final state of every task */
	uint32_t dump_addr, dump_len; /* --dump-mem range */
	struct svc svc;
	/* stdin: the terminal's lines go to stdin_pid's svc:stdio.in */
	uint32_t stdin_pid;
	uint32_t stdin_h;          /* host handle, 0 = not (or no longer) fed */
	bool stdin_eof;
	char *in;                  /* bytes read, not yet sent */
	size_t in_len, in_cap;
	/* handles the engine woke during the last call */
	struct mbx_handle **woken;
	size_t nwoken, woken_cap;
};

/* svc.c */
void rt_svc_init(struct rt_run *run);
void rt_wake(struct rt_run *run, struct rt_task *t);
void rt_timeout(struct rt_run *run, struct rt_task *t);

/* dump.c */
void rt_dump(const struct rt_run *run, FILE *fp);

/* host.c */
int rt_engine_init(struct rt_run *run);
void rt_engine_fini(struct rt_run *run);
struct rt_task *rt_task_of(struct rt_run *run, uint32_t pid);
uint64_t rt_now_ns(void);
void rt_settle(struct rt_run *run);           /* wakes + output */
void rt_drain_output(struct rt_run *run, struct rt_task *t);
void rt_flush_lines(struct rt_run *run, struct rt_task *t);
int rt_stdio_open(struct rt_run *run, struct rt_task *t);
void rt_stdin_pump(struct rt_run *run, int wait_ms);
bool rt_stdin_wants_poll(const struct rt_run *run);
void rt_trace(struct rt_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* HSX_RUN_H */
