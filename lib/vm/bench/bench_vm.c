// SPDX-License-Identifier: MIT
/*
 * DOC: bench-vm: instructions per second of the interpreter on four
 * hand-encoded kernels (a counting loop, a word-copy memcpy, call/return,
 * and f16 arithmetic).  Run with `make bench-vm`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vm/vm.h"

#define ENC(op, rd, rs1, rs2, imm)                                       \
	((uint32_t)(op) << 24 | (uint32_t)(rd) << 20 | (uint32_t)(rs1) << 16 | \
	 (uint32_t)(rs2) << 12 | ((uint32_t)(imm) & 0xFFF))
#define RRR(op, d, a, b) ENC(op, d, a, b, 0)
#define LDI(d, v) ENC(HSX_OP_LDI, d, 0, 0, v)
#define LDI32(d) ENC(HSX_OP_LDI32, d, 0, 0, 0)
#define RET ENC(HSX_OP_RET, 0, 0, 0, 0)

#define ITER 20000000u

static const uint32_t k_loop[] = {
	LDI(1, 0), LDI(2, 1), LDI32(3), ITER,
	RRR(HSX_OP_ADD, 1, 1, 2),                 /* 16 */
	RRR(HSX_OP_CMP, 0, 1, 3),
	ENC(HSX_OP_JNZ, 0, 0, 0, 16), RET,
};

/* Copy 256 words from 0x1000 to 0x2000, ITER/1024 times. */
static const uint32_t k_memcpy[] = {
	LDI(8, 0), LDI(9, 1), LDI32(10), ITER / 1024, LDI(11, 4),
	LDI32(12), 0x1400,
	LDI32(1), 0x1000, LDI32(2), 0x2000,            /* 28: outer */
	ENC(HSX_OP_LD, 3, 1, 0, 0),                    /* 44: inner */
	ENC(HSX_OP_ST, 0, 2, 3, 0),
	RRR(HSX_OP_ADD, 1, 1, 11), RRR(HSX_OP_ADD, 2, 2, 11),
	RRR(HSX_OP_CMP, 0, 1, 12), ENC(HSX_OP_JNZ, 0, 0, 0, 44),
	RRR(HSX_OP_ADD, 8, 8, 9), RRR(HSX_OP_CMP, 0, 8, 10),
	ENC(HSX_OP_JNZ, 0, 0, 0, 28), RET,
};

static const uint32_t k_calls[] = {
	LDI(1, 0), LDI(2, 1), LDI32(3), ITER / 5,
	ENC(HSX_OP_CALL, 0, 0, 0, 4),             /* 16 -> 32 */
	RRR(HSX_OP_CMP, 0, 1, 3),
	ENC(HSX_OP_JNZ, 0, 0, 0, 16), RET,
	RRR(HSX_OP_ADD, 1, 1, 2), RET,             /* 32 */
};

static const uint32_t k_f16[] = {
	LDI(1, 0), LDI(2, 1), LDI32(3), ITER / 5,
	LDI32(4), 0x3C00, LDI32(5), 0x3800,       /* 1.0, 0.5 */
	RRR(HSX_OP_FADD, 6, 4, 5),                /* 32 */
	RRR(HSX_OP_FMUL, 6, 6, 5),
	RRR(HSX_OP_ADD, 1, 1, 2),
	RRR(HSX_OP_CMP, 0, 1, 3),
	ENC(HSX_OP_JNZ, 0, 0, 0, 32), RET,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench(const char *name, const uint32_t *w, size_t n)
{
	uint8_t *code = malloc(4 * n);
	struct hsx_vm_image *img;
	struct hsx_vm_task *t;
	enum hsx_vm_stop stop;
	double t0, dt;
	size_t i;

	for (i = 0; i < 4 * n; i++)
		code[i] = (uint8_t)(w[i / 4] >> (24 - 8 * (i % 4)));
	img = hsx_vm_image_new(code, 4 * n, NULL, 0, 0);
	t = hsx_vm_task_new(img, NULL);
	t0 = now();
	while ((stop = hsx_vm_run(t, 1000000)) == HSX_VM_STOP_BUDGET)
		;
	dt = now() - t0;
	printf("%-8s %12llu instructions %8.3f s %8.1f M instr/s (%s)\n", name,
	       (unsigned long long)hsx_vm_steps(t), dt,
	       hsx_vm_steps(t) / dt / 1e6, hsx_vm_stop_name(stop));
	hsx_vm_task_free(t);
	hsx_vm_image_put(img);
	free(code);
	return stop == HSX_VM_STOP_RETURNED ? 0 : 1;
}

#define BENCH(k) bench(#k + 2, k, sizeof(k) / sizeof(k[0]))

int main(void)
{
	return BENCH(k_loop) | BENCH(k_memcpy) | BENCH(k_calls) | BENCH(k_f16);
}
