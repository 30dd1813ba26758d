// SPDX-License-Identifier: MIT
/*
 * DOC: fuzz_vm: random code on the HSX VM must only ever fault the task
 *
 * The input is the code image (big-endian words, rounded down to whole
 * words) with the entry point in its first word's low bits.  The task runs
 * for a bounded budget, in slices, with an SVC table whose handlers return
 * every result kind (done, block, exit, yield) and touch task memory
 * through the bounds-checked accessors with register-controlled
 * addresses, as the executive's handlers do.  Whatever the code does, the
 * host must not crash (ASan/UBSan watch the interpreter) and each stop
 * must be a defined reason; a fault must name a defined fault kind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/vm.h"

static void fail(const char *what, unsigned int v)
{
	fprintf(stderr, "fuzz_vm: %s (%u)\n", what, v);
	abort();
}

static enum hsx_vm_svc_result svc(struct hsx_vm_task *t, unsigned int mod,
				  unsigned int fn, void *ctx)
{
	uint8_t buf[64];
	uint32_t addr = hsx_vm_reg(t, 1), len = hsx_vm_reg(t, 2) % sizeof(buf);

	if (hsx_vm_mem_read(t, addr, buf, len) == 0)
		hsx_vm_mem_write(t, hsx_vm_reg(t, 3), buf, len);
	hsx_vm_mem_strnlen(t, addr, 300);
	if (hsx_vm_mem_ptr(t, addr, len) == NULL && len &&
	    (uint64_t)addr + len <= HSX_VM_MEM_SIZE)
		fail("in-range hsx_vm_mem_ptr refused", addr);
	hsx_vm_set_reg(t, 0, fn);
	switch (fn & 3) {
	case 0: return HSX_VM_SVC_DONE;
	case 1: return HSX_VM_SVC_BLOCK;
	case 2: return mod == 1 ? HSX_VM_SVC_EXIT : HSX_VM_SVC_DONE;
	default: return HSX_VM_SVC_YIELD;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hsx_vm_svc_table table;
	struct hsx_vm_task_config cfg = { 0 };
	struct hsx_vm_image *img;
	struct hsx_vm_task *t;
	size_t len = size & ~(size_t)3;
	uint32_t entry, sp, limit;
	enum hsx_vm_stop st = HSX_VM_STOP_BUDGET;

	if (len < 4 || len > 0x10000)
		return 0;
	entry = ((uint32_t)data[3] * 4) % len;
	for (int i = 0; i < 16; i++) {
		table.handler[i] = svc;
		table.ctx[i] = NULL;
	}
	hsx_vm_exec_stack(data[2] % 4, &sp, &limit);
	cfg.sp = data[1] & 1 ? sp : 0;
	cfg.stack_limit = data[1] & 1 ? limit : 0;
	cfg.svc = data[1] & 2 ? &table : NULL;
	img = hsx_vm_image_new(data, len, data, size > 64 ? 64 : size, entry);
	if (!img)
		fail("valid image refused", (unsigned int)len);
	t = hsx_vm_task_new(img, &cfg);
	hsx_vm_image_put(img);
	if (!t)
		fail("task creation failed", 0);
	for (int slice = 0; slice < 40; slice++) {
		st = hsx_vm_run(t, 500);
		if (st > HSX_VM_STOP_ILLEGAL)
			fail("undefined stop reason", st);
		if (st == HSX_VM_STOP_FAULT && hsx_vm_fault(t) == HSX_VM_FAULT_NONE)
			fail("fault stop without a fault kind", 0);
		if (st == HSX_VM_STOP_BLOCKED)
			hsx_vm_resume(t);
		else if (st != HSX_VM_STOP_BUDGET && st != HSX_VM_STOP_YIELD &&
			 st != HSX_VM_STOP_BRK)
			break;
	}
	if (hsx_vm_pc(t) >= 0x10000 + 8 && st == HSX_VM_STOP_BUDGET)
		fail("pc escaped the code space", hsx_vm_pc(t));
	hsx_vm_task_free(t);
	return 0;
}
