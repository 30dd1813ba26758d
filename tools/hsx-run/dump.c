// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-run --dump, each task's final state
 *
 *   [1] app.hxe: returned, exit status 42
 *     pc 0x00000014  sp 0x0000fffc  psw 0x01 (Z)  depth 0  steps 5
 *     r0  0x0000002a  r1  0x00000000  r2  0x00000000  r3  0x00000000
 *     ... r4-r15 ...
 *     mem 0x4000 +16
 *     4000  41 00 42 0a ...
 *
 * PSW flags are named ZCNV ("-" for none).  Written to stderr after the
 * run, so it never mixes with what the apps print on stdout; the lines
 * are stable, for diffing two runs.
 */
#include <stdio.h>

#include "run.h"

static const char *psw_flags(uint32_t psw, char buf[8])
{
	static const char names[] = "ZCNV";
	int i, n = 0;

	for (i = 0; i < 4; i++)
		if (psw & (1u << i))
			buf[n++] = names[i];
	if (!n)
		buf[n++] = '-';
	buf[n] = 0;
	return buf;
}

/* "returned, exit status 42", "fault: memory at pc 0x10", "waiting"... */
static void dump_state(FILE *fp, const struct rt_task *t)
{
	const struct hsx_vm_task *vm = t->vm;

	if (t->state != RT_DONE) {
		fprintf(fp, "%s\n", t->state == RT_WAIT ? "waiting" :
			t->state == RT_SLEEP ? "sleeping" : "ready");
		return;
	}
	switch (t->stop) {
	case HSX_VM_STOP_RETURNED:
	case HSX_VM_STOP_EXITED:
		fprintf(fp, "%s, exit status %u\n", t->stop ==
			HSX_VM_STOP_RETURNED ? "returned" : "exited",
			t->exit_status);
		break;
	case HSX_VM_STOP_FAULT:
		fprintf(fp, "fault: %s at pc 0x%x\n",
			hsx_vm_fault_name(hsx_vm_fault(vm)), hsx_vm_fault_pc(vm));
		break;
	case HSX_VM_STOP_ILLEGAL:
		fprintf(fp, "fault: illegal instruction at pc 0x%x\n",
			hsx_vm_pc(vm) - 4);
		break;
	case HSX_VM_STOP_BRK:
		fprintf(fp, "stopped at BRK %u (pc 0x%x)\n",
			hsx_vm_brk_code(vm), hsx_vm_pc(vm) - 4);
		break;
	default:
		fprintf(fp, "stopped (%s)\n", hsx_vm_stop_name(t->stop));
		break;
	}
}

static void dump_mem(FILE *fp, const struct hsx_vm_task *vm, uint32_t addr,
		     uint32_t len)
{
	uint8_t b[16];
	uint32_t off, i, n;

	fprintf(fp, "  mem 0x%04x +%u\n", addr, len);
	for (off = 0; off < len; off += 16) {
		n = len - off < 16 ? len - off : 16;
		if (hsx_vm_mem_read(vm, addr + off, b, n)) {
			fprintf(fp, "  %04x  (outside memory)\n", addr + off);
			return;
		}
		fprintf(fp, "  %04x ", addr + off);
		for (i = 0; i < n; i++)
			fprintf(fp, " %02x", b[i]);
		fputc('\n', fp);
	}
}

void rt_dump(const struct rt_run *run, FILE *fp)
{
	size_t i;
	unsigned int r;
	char fl[8];

	for (i = 0; i < run->ntasks; i++) {
		const struct rt_task *t = &run->tasks[i];
		const struct hsx_vm_task *vm = t->vm;

		fprintf(fp, "[%u] %s: ", t->pid, t->path);
		if (!vm) {
			fprintf(fp, "not loaded\n");
			continue;
		}
		dump_state(fp, t);
		fprintf(fp, "  pc 0x%08x  sp 0x%08x  psw 0x%02x (%s)  depth %u  "
			"steps %llu\n", hsx_vm_pc(vm), hsx_vm_sp(vm),
			hsx_vm_psw(vm), psw_flags(hsx_vm_psw(vm), fl),
			hsx_vm_call_depth(vm),
			(unsigned long long)hsx_vm_steps(vm));
		for (r = 0; r < 16; r++)
			fprintf(fp, "  r%-2u 0x%08x%s", r, hsx_vm_reg(vm, r),
				r % 4 == 3 ? "\n" : "");
		if (run->dump_len)
			dump_mem(fp, vm, run->dump_addr, run->dump_len);
	}
}
