// SPDX-License-Identifier: MIT
/*
 * DOC: hsx regs and hsx resume: looking into a live task
 *
 *   hsx regs [--mem ADDR:LEN] PID
 *       PC, SP, PSW, call depth, steps and R0-R15 of a live task (and the
 *       BRK code when it is paused there), plus LEN bytes of its memory
 *       from ADDR (at most 4096), in the layout of hsx-run --dump.
 *
 *   hsx resume PID...
 *       A task paused at BRK (state "paused" in hsx ps) runs on.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hsx.h"
#include "task.h"

struct regs_opts {
	uint32_t addr, len;
	bool mem;
};

static int regs_opt(int ch, const char *arg, void *ctx)
{
	struct regs_opts *r = ctx;
	unsigned long a, n;
	char *end;

	if (ch != 'm')
		return -1;
	a = strtoul(arg, &end, 0);
	if (end == arg || *end != ':')
		return -1;
	n = strtoul(end + 1, &end, 0);
	if (*end || a > 0xFFFF || n < 1 || n > 4096 || n > 0x10000 - a)
		return -1;
	r->addr = (uint32_t)a;
	r->len = (uint32_t)n;
	r->mem = true;
	return 0;
}

static int pid_arg(const char *s, uint32_t *pid)
{
	if (hsx_parse_u32(s, pid) < 0 || !*pid || *pid > 0xFFFF) {
		hsx_err("bad PID '%s' (expected 1..65535)", s);
		return -1;
	}
	return 0;
}

static void print_mem(struct json_object *m)
{
	const char *hex = jstr(m, "data_hex", "");
	long addr = (long)jint(m, "addr", 0);
	size_t n = strlen(hex) / 2;

	printf("  mem 0x%04lx +%zu\n", addr, n);
	for (size_t i = 0; i < n; i++) {
		if (i % 16 == 0)
			printf("  %04lx ", addr + (long)i);
		printf(" %.2s", hex + 2 * i);
		if (i % 16 == 15 || i + 1 == n)
			putchar('\n');
	}
}

static void print_regs(struct json_object *r)
{
	struct json_object *regs = NULL, *m;
	uint32_t psw = (uint32_t)jint(r, "psw", 0);
	char fl[8];
	int n = 0;

	for (int i = 0; i < 4; i++)
		if (psw & (1u << i))
			fl[n++] = "ZCNV"[i];
	if (!n)
		fl[n++] = '-';
	fl[n] = 0;
	printf("[%lld] %s", (long long)jint(r, "pid", 0), jstr(r, "state", "?"));
	if (json_object_object_get_ex(r, "brk_code", NULL))
		printf(" at BRK %lld", (long long)jint(r, "brk_code", 0));
	printf("\n  pc 0x%08llx  sp 0x%08llx  psw 0x%02x (%s)  depth %lld  "
	       "steps %lld\n", (long long)jint(r, "pc", 0),
	       (long long)jint(r, "sp", 0), psw, fl,
	       (long long)jint(r, "call_depth", 0), (long long)jint(r, "steps", 0));
	json_object_object_get_ex(r, "regs", &regs);
	for (size_t i = 0; i < 16; i++)
		printf("  r%-2zu 0x%08llx%s", i, (unsigned long long)(uint32_t)
		       json_object_get_int64(json_object_array_get_idx(regs, i)),
		       i % 4 == 3 ? "\n" : "");
	if (json_object_object_get_ex(r, "mem", &m))
		print_mem(m);
}

int hsx_regs_main(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ 0 }
	};
	struct regs_opts ro = { 0 };
	struct task_opts o = { 0 };
	struct json_object *req, *reply = NULL;
	uint32_t pid;
	int i = task_getopt(argc, argv, &o, "hsx regs [--json] [--mem ADDR:LEN] PID",
			    extra, "m:", regs_opt, &ro);
	int ret;

	if (i < 0)
		return i == -1000 ? 0 : -i;
	if (argc - i != 1 || pid_arg(argv[i], &pid) < 0) {
		hsx_err("regs: usage: hsx regs [--mem ADDR:LEN] PID");
		return HSX_EXIT_USAGE;
	}
	req = execd_req("regs");
	json_object_object_add(req, "pid", json_object_new_int64(pid));
	if (ro.mem) {
		json_object_object_add(req, "addr", json_object_new_int64(ro.addr));
		json_object_object_add(req, "len", json_object_new_int64(ro.len));
	}
	ret = execd_simple(&o, req, "regs", &reply);
	if (ret)
		return ret;
	if (o.json)
		print_json(reply);
	else
		print_regs(reply);
	json_object_put(reply);
	return 0;
}

int hsx_resume_main(int argc, char **argv)
{
	struct task_opts o = { 0 };
	int i = task_getopt(argc, argv, &o, "hsx resume [--json] PID...", NULL,
			    NULL, NULL, NULL);
	int status = 0;

	if (i < 0)
		return i == -1000 ? 0 : -i;
	if (i >= argc) {
		hsx_err("resume: no PID given");
		return HSX_EXIT_USAGE;
	}
	for (; i < argc; i++) {
		struct json_object *req, *reply = NULL;
		uint32_t pid;
		int ret;

		if (pid_arg(argv[i], &pid) < 0)
			return HSX_EXIT_USAGE;
		req = execd_req("resume");
		json_object_object_add(req, "pid", json_object_new_int64(pid));
		ret = execd_simple(&o, req, "resume", &reply);
		if (ret) {
			status = ret;
			continue;
		}
		if (o.json)
			print_json(reply);
		else
			printf("resumed %u\n", pid);
		json_object_put(reply);
	}
	return status;
}
