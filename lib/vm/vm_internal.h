/* SPDX-License-Identifier: MIT */
/*
 * DOC: HSX VM internals shared by vm.c (objects, accessors) and interp.c
 * (the dispatch loop).  Not part of the public API.
 */
#ifndef HSX_VM_INTERNAL_H
#define HSX_VM_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "vm/vm.h"

struct hsx_vm_image {
	atomic_uint refs;
	uint32_t entry;
	uint32_t code_len;
	uint8_t *code;    /* big-endian bytes, padded with 8 zero bytes */
	uint32_t *words;  /* host-order copy of each aligned code word */
	uint8_t *rodata;
	uint32_t ro_len;
};

enum hsx_vm_run_state {
	HSX_VM_RUNNABLE = 0,
	HSX_VM_SUSPENDED, /* blocked in an SVC until hsx_vm_resume() */
	HSX_VM_HALTED,    /* returned, exited, faulted or illegal */
};

struct hsx_vm_task {
	uint32_t r[16];
	uint32_t pc;
	uint32_t sp;
	uint32_t psw;
	uint32_t stack_limit;
	uint32_t depth;       /* shadow call depth */
	uint64_t steps;       /* instructions retired */
	uint8_t *mem;         /* HSX_VM_MEM_SIZE bytes, lazily backed */
	struct hsx_vm_image *img;
	const struct hsx_vm_svc_table *svc;
	void *user;
	enum hsx_vm_run_state state;
	enum hsx_vm_stop halt_reason;
	enum hsx_vm_fault fault;
	uint32_t fault_pc;
	uint32_t exit_status;
	unsigned int svc_mod;
	unsigned int svc_fn;
	unsigned int brk_code;
};

static inline uint32_t hsx_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

#endif /* HSX_VM_INTERNAL_H */
