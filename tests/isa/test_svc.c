// SPDX-License-Identifier: MIT
/*
 * DOC: SVC dispatch of the VM (vm.h, reference sections 1.6, 1.7 and 3.3)
 *
 * A recording handler stands in for the executive.  The tests check what
 * the VM guarantees a host: the handler sees the PC past the SVC and the
 * module/function split of imm12; BLOCK suspends with that PC, resume
 * continues there with whatever the host put in R0-R4; EXIT ends the task
 * with R0; YIELD returns with the task runnable; an unregistered module
 * sets R0 = 0xFFFFFF01 and carries on.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "isa/isa_util.h"

struct rec {
	enum hsx_vm_svc_result answer;
	unsigned int calls, mod, fn;
	uint32_t pc_seen, r1_seen;
	uint64_t steps_seen;
};

static enum hsx_vm_svc_result record(struct hsx_vm_task *t, unsigned int mod,
				     unsigned int fn, void *ctx)
{
	struct rec *r = ctx;

	r->calls++;
	r->mod = mod;
	r->fn = fn;
	r->pc_seen = hsx_vm_pc(t);
	r->r1_seen = hsx_vm_reg(t, 1);
	r->steps_seen = hsx_vm_steps(t);
	return r->answer;
}

static struct hsx_vm_task *svc_task(const uint32_t *prog, size_t n,
				    struct hsx_vm_svc_table *tab, int mod,
				    struct rec *rec)
{
	struct hsx_vm_task_config cfg = { .svc = tab };

	memset(tab, 0, sizeof(*tab));
	if (mod >= 0) {
		tab->handler[mod] = record;
		tab->ctx[mod] = rec;
	}
	return isa_task_ro(prog, n, NULL, 0, &cfg);
}

TEST(block_then_resume_continues_past_the_svc_with_results)
{
	uint32_t prog[] = { I_LDI(1, 77), I_SVC(5, 3), ENC(HSX_OP_MOV, 6, 0, 0, 0),
			    ENC(HSX_OP_MOV, 7, 4, 0, 0), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_BLOCK };
	struct hsx_vm_task *t = svc_task(prog, 5, &tab, 5, &rec);
	unsigned int r;

	ASSERT_NE(NULL, t);
	EXPECT_EQ(HSX_VM_STOP_BLOCKED, hsx_vm_run(t, 100));
	EXPECT_EQ(1, rec.calls);
	EXPECT_EQ(5, rec.mod);
	EXPECT_EQ(3, rec.fn);
	EXPECT_EQ(8, rec.pc_seen);   /* the handler already sees PC past it */
	EXPECT_EQ(77, rec.r1_seen);
	EXPECT_EQ(8, hsx_vm_pc(t));
	EXPECT_EQ(5, hsx_vm_svc_mod(t));
	EXPECT_EQ(3, hsx_vm_svc_func(t));
	EXPECT_EQ(2, hsx_vm_steps(t));  /* the SVC retired */
	/* Blocked: running again does nothing until resumed. */
	EXPECT_EQ(HSX_VM_STOP_BLOCKED, hsx_vm_run(t, 100));
	EXPECT_EQ(1, rec.calls);
	EXPECT_EQ(2, hsx_vm_steps(t));
	/* The host completes the wait as reference 1.7 does. */
	for (r = 0; r <= 4; r++)
		hsx_vm_set_reg(t, r, 0x100 + r);
	hsx_vm_resume(t);
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0x100, hsx_vm_reg(t, 6));
	EXPECT_EQ(0x104, hsx_vm_reg(t, 7));
	EXPECT_EQ(0x100, hsx_vm_exit_status(t));
	EXPECT_EQ(1, rec.calls);
	hsx_vm_task_free(t);
}

TEST(done_continues_in_the_same_run)
{
	uint32_t prog[] = { I_SVC(0, 0), I_LDI(2, 5), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_DONE };
	struct hsx_vm_task *t = svc_task(prog, 3, &tab, 0, &rec);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(1, rec.calls);
	EXPECT_EQ(0, rec.steps_seen); /* steps do not yet count the SVC */
	EXPECT_EQ(5, hsx_vm_reg(t, 2));
	hsx_vm_task_free(t);
}

TEST(exit_ends_the_task_with_r0)
{
	uint32_t prog[] = { I_LDI(0, 42), I_SVC(1, 0), I_LDI(0, 9), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_EXIT };
	struct hsx_vm_task *t = svc_task(prog, 4, &tab, 1, &rec);

	EXPECT_EQ(HSX_VM_STOP_EXITED, hsx_vm_run(t, 100));
	EXPECT_EQ(42, hsx_vm_exit_status(t));
	EXPECT_EQ(42, hsx_vm_reg(t, 0));
	EXPECT_EQ(8, hsx_vm_pc(t));
	/* Terminated: another run reports the same and runs nothing. */
	EXPECT_EQ(HSX_VM_STOP_EXITED, hsx_vm_run(t, 100));
	EXPECT_EQ(1, rec.calls);
	EXPECT_EQ(2, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(yield_returns_runnable_and_continues)
{
	uint32_t prog[] = { I_SVC(6, 0), I_LDI(3, 1), I_SVC(6, 0), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_YIELD };
	struct hsx_vm_task *t = svc_task(prog, 4, &tab, 6, &rec);

	EXPECT_EQ(HSX_VM_STOP_YIELD, hsx_vm_run(t, 100));
	EXPECT_EQ(4, hsx_vm_pc(t));
	EXPECT_EQ(0, hsx_vm_reg(t, 3));
	EXPECT_EQ(HSX_VM_STOP_YIELD, hsx_vm_run(t, 100));
	EXPECT_EQ(1, hsx_vm_reg(t, 3));
	EXPECT_EQ(12, hsx_vm_pc(t));
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(2, rec.calls);
	hsx_vm_task_free(t);
}

TEST(unregistered_module_sets_enosys_and_continues)
{
	uint32_t prog[] = { I_LDI(0, 1), I_SVC(7, 0x12), ENC(HSX_OP_MOV, 5, 0, 0, 0),
			    I_SVC(5, 0), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_DONE };
	struct hsx_vm_task *t = svc_task(prog, 5, &tab, 5, &rec);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(HSX_VM_ERR_ENOSYS, hsx_vm_reg(t, 5));
	EXPECT_EQ(0xFFFFFF01u, HSX_VM_ERR_ENOSYS);
	EXPECT_EQ(1, rec.calls);  /* only module 5 reached the handler */
	EXPECT_EQ(5, rec.mod);
	hsx_vm_task_free(t);
}

TEST(no_table_means_every_module_is_enosys)
{
	struct hsx_vm_task *t = ISA_TASK(I_SVC(5, 3), ENC(HSX_OP_MOV, 4, 0, 0, 0),
					 I_SVC(0, 0), I_RET);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(HSX_VM_ERR_ENOSYS, hsx_vm_reg(t, 4));
	EXPECT_EQ(HSX_VM_ERR_ENOSYS, hsx_vm_exit_status(t));
	EXPECT_EQ(0, hsx_vm_svc_mod(t));
	hsx_vm_task_free(t);
}

TEST(svc_imm12_splits_module_nibble_and_function_byte)
{
	uint32_t prog[] = { ENC(HSX_OP_SVC, 0, 0, 0, 0xEFF), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_DONE };
	struct hsx_vm_task *t = svc_task(prog, 2, &tab, 0xE, &rec);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0xE, rec.mod);
	EXPECT_EQ(0xFF, rec.fn);
	hsx_vm_task_free(t);
}

TEST(block_counts_against_the_budget)
{
	uint32_t prog[] = { I_SVC(5, 3), I_LDI(1, 1), I_LDI(1, 2), I_RET };
	struct hsx_vm_svc_table tab;
	struct rec rec = { .answer = HSX_VM_SVC_BLOCK };
	struct hsx_vm_task *t = svc_task(prog, 4, &tab, 5, &rec);

	EXPECT_EQ(HSX_VM_STOP_BLOCKED, hsx_vm_run(t, 1));
	hsx_vm_resume(t);
	EXPECT_EQ(HSX_VM_STOP_BUDGET, hsx_vm_run(t, 1));
	EXPECT_EQ(1, hsx_vm_reg(t, 1));
	EXPECT_EQ(2, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST_HARNESS_MAIN
