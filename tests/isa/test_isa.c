// SPDX-License-Identifier: MIT
/*
 * DOC: per-opcode conformance of the HSX VM against hsx-reference.md s3.2
 *
 * Each test hand-encodes a few instructions, runs them, and checks the
 * registers, flags, memory, PC, steps and stop reason the reference
 * MiniVM would produce.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "isa/isa_util.h"

#define Z HSX_VM_PSW_Z
#define C HSX_VM_PSW_C
#define N HSX_VM_PSW_N
#define V HSX_VM_PSW_V

/* Run a 3-register ALU op on (a, b) with an initial PSW; return result. */
static uint32_t alu(int op, uint32_t a, uint32_t b, uint32_t psw_in,
		    uint32_t *psw_out)
{
	uint32_t prog[] = { I_RRR(op, 3, 1, 2), I_RET };
	struct hsx_vm_task *t = isa_task(prog, 2);
	uint32_t res;

	hsx_vm_set_reg(t, 1, a);
	hsx_vm_set_reg(t, 2, b);
	hsx_vm_set_psw(t, psw_in);
	hsx_vm_run(t, 1);
	res = hsx_vm_reg(t, 3);
	*psw_out = hsx_vm_psw(t);
	hsx_vm_task_free(t);
	return res;
}

TEST(ldi_sign_extends)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, -1), I_LDI(2, 0x7FF),
					 I_LDI(3, 0x800), I_RET);

	ASSERT_NE(NULL, t);
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0xFFFFFFFFu, hsx_vm_reg(t, 1));
	EXPECT_EQ(0x7FFu, hsx_vm_reg(t, 2));
	EXPECT_EQ(0xFFFFF800u, hsx_vm_reg(t, 3));
	EXPECT_EQ(0u, hsx_vm_psw(t)); /* LDI leaves flags alone */
	EXPECT_EQ(3u, hsx_vm_steps(t)); /* the final RET does not retire */
	EXPECT_EQ(12u, hsx_vm_pc(t));
	hsx_vm_task_free(t);
}

TEST(ld_st_little_endian_with_signed_offset)
{
	struct hsx_vm_task *t = ISA_TASK(
		ENC(HSX_OP_LDI32, 1, 0, 0, 0), 0x11223344,
		I_LDI(7, 0x108),
		ENC(HSX_OP_ST, 0, 7, 1, -8),      /* ST [R7+-8], R1 */
		ENC(HSX_OP_LD, 2, 7, 0, -8),      /* LD R2, [R7+-8] */
		ENC(HSX_OP_LDB, 3, 7, 0, -8),
		ENC(HSX_OP_LDH, 4, 7, 0, -6),
		I_RET);
	uint8_t raw[4];

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0, hsx_vm_mem_read(t, 0x100, raw, 4));
	EXPECT_EQ(0x44, raw[0]);
	EXPECT_EQ(0x11, raw[3]);
	EXPECT_EQ(0x11223344u, hsx_vm_reg(t, 2));
	EXPECT_EQ(0x44u, hsx_vm_reg(t, 3));
	EXPECT_EQ(0x1122u, hsx_vm_reg(t, 4));
	EXPECT_EQ(6u, hsx_vm_steps(t)); /* LDI32 counts one step */
	hsx_vm_task_free(t);
}

TEST(ldb_ldh_zero_extend_stb_sth_store_low_bits)
{
	struct hsx_vm_task *t = ISA_TASK(
		I_LDI(1, -1), I_LDI(7, 0x200),
		ENC(HSX_OP_STB, 0, 7, 1, 0),
		ENC(HSX_OP_STH, 0, 7, 1, 2),
		ENC(HSX_OP_LDB, 2, 7, 0, 0),
		ENC(HSX_OP_LDH, 3, 7, 0, 2),
		ENC(HSX_OP_LD, 4, 7, 0, 0),
		I_RET);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0xFFu, hsx_vm_reg(t, 2));
	EXPECT_EQ(0xFFFFu, hsx_vm_reg(t, 3));
	EXPECT_EQ(0xFFFF00FFu, hsx_vm_reg(t, 4));
	hsx_vm_task_free(t);
}

TEST(address_wraps_at_64k_and_faults_past_the_end)
{
	struct hsx_vm_task *t = ISA_TASK(
		I_LDI(1, 0x7B),
		ENC(HSX_OP_LDI32, 7, 0, 0, 0), 0x0001FFFF,
		ENC(HSX_OP_STB, 0, 7, 1, 1),  /* (0x1FFFF+1)&0xFFFF = 0 */
		ENC(HSX_OP_LDB, 2, 0, 0, 0),  /* R0 = 0: reads address 0 */
		ENC(HSX_OP_LD, 3, 7, 0, -2),  /* 0xFFFD: runs past 0xFFFF */
		I_RET);

	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 100));
	EXPECT_EQ(0x7Bu, hsx_vm_reg(t, 2));
	EXPECT_EQ(HSX_VM_FAULT_MEMORY, hsx_vm_fault(t));
	EXPECT_EQ(HSX_VM_ERR_MEMORY, hsx_vm_reg(t, 0));
	EXPECT_EQ(20u, hsx_vm_pc(t)); /* PC stays on the faulting LD */
	EXPECT_EQ(20u, hsx_vm_fault_pc(t));
	EXPECT_EQ(4u, hsx_vm_steps(t));
	/* A halted task stays halted. */
	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 100));
	EXPECT_EQ(4u, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(sth_and_ldh_fault_at_last_byte)
{
	struct hsx_vm_task *t = ISA_TASK(
		ENC(HSX_OP_LDI32, 7, 0, 0, 0), 0xFFFF,
		ENC(HSX_OP_STB, 0, 7, 1, 0),
		ENC(HSX_OP_STH, 0, 7, 1, 0), I_RET);

	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 100));
	EXPECT_EQ(12u, hsx_vm_fault_pc(t));
	hsx_vm_task_free(t);
}

TEST(mov_copies_without_flags)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, 0), ENC(HSX_OP_MOV, 2, 1, 0, 0),
					 I_RET);

	hsx_vm_set_reg(t, 2, 99);
	hsx_vm_run(t, 10);
	EXPECT_EQ(0u, hsx_vm_reg(t, 2));
	EXPECT_EQ(0u, hsx_vm_psw(t) & Z);
	hsx_vm_task_free(t);
}

TEST(add_flags)
{
	uint32_t psw;

	EXPECT_EQ(0u, alu(HSX_OP_ADD, 0xFFFFFFFF, 1, 0, &psw));
	EXPECT_EQ(Z | C, psw);
	EXPECT_EQ(0x80000000u, alu(HSX_OP_ADD, 0x7FFFFFFF, 1, 0, &psw));
	EXPECT_EQ(N | V, psw);
	EXPECT_EQ(0u, alu(HSX_OP_ADD, 0x80000000, 0x80000000, 0, &psw));
	EXPECT_EQ(Z | C | V, psw);
	EXPECT_EQ(3u, alu(HSX_OP_ADD, 1, 2, Z | C | N | V, &psw));
	EXPECT_EQ(0u, psw);
}

TEST(sub_and_cmp_flags_carry_is_no_borrow)
{
	uint32_t psw;

	EXPECT_EQ(0u, alu(HSX_OP_SUB, 5, 5, 0, &psw));
	EXPECT_EQ(Z | C, psw);
	EXPECT_EQ(0xFFFFFFFFu, alu(HSX_OP_SUB, 0, 1, 0, &psw));
	EXPECT_EQ(N, psw);
	EXPECT_EQ(0x7FFFFFFFu, alu(HSX_OP_SUB, 0x80000000, 1, 0, &psw));
	EXPECT_EQ(C | V, psw);
	/* CMP writes nothing: R3 keeps the 0 it was created with. */
	EXPECT_EQ(0u, alu(HSX_OP_CMP, 0, 1, 0, &psw));
	EXPECT_EQ(N, psw);
	alu(HSX_OP_CMP, 7, 3, 0, &psw);
	EXPECT_EQ(C, psw);
}

TEST(mul_low_word_carry_overflow_on_high_word)
{
	uint32_t psw;

	EXPECT_EQ(6u, alu(HSX_OP_MUL, 2, 3, C | V, &psw));
	EXPECT_EQ(0u, psw);
	EXPECT_EQ(0u, alu(HSX_OP_MUL, 0x10000, 0x10000, 0, &psw));
	EXPECT_EQ(Z | C | V, psw);
	/* Unsigned product: -1 * 2 has a non-zero high word. */
	EXPECT_EQ(0xFFFFFFFEu, alu(HSX_OP_MUL, 0xFFFFFFFF, 2, 0, &psw));
	EXPECT_EQ(N | C | V, psw);
}

TEST(div_signed_truncates_toward_zero)
{
	uint32_t psw;

	EXPECT_EQ((uint32_t)-3, alu(HSX_OP_DIV, (uint32_t)-7, 2, C | V, &psw));
	EXPECT_EQ(N, psw);
	EXPECT_EQ((uint32_t)-3, alu(HSX_OP_DIV, 7, (uint32_t)-2, 0, &psw));
	EXPECT_EQ(3u, alu(HSX_OP_DIV, (uint32_t)-7, (uint32_t)-2, 0, &psw));
	EXPECT_EQ(0u, alu(HSX_OP_DIV, 1, 2, 0, &psw));
	EXPECT_EQ(Z, psw);
	/* INT_MIN / -1 wraps (Python computes 2^31 and masks it). */
	EXPECT_EQ(0x80000000u, alu(HSX_OP_DIV, 0x80000000, 0xFFFFFFFF, 0, &psw));
}

TEST(div_by_zero_faults_and_keeps_pc)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, 5), I_RRR(HSX_OP_DIV, 3, 1, 2),
					 I_RET);

	hsx_vm_set_reg(t, 3, 77);
	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 10));
	EXPECT_EQ(HSX_VM_FAULT_DIV_ZERO, hsx_vm_fault(t));
	EXPECT_EQ(0xFFFFFF05u, hsx_vm_reg(t, 0));
	EXPECT_EQ(77u, hsx_vm_reg(t, 3));
	EXPECT_EQ(4u, hsx_vm_pc(t));
	EXPECT_EQ(1u, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(logic_ops_clear_carry_and_overflow)
{
	uint32_t psw;

	EXPECT_EQ(0x0F00u, alu(HSX_OP_AND, 0xFF00, 0x0FF0, C | V, &psw));
	EXPECT_EQ(0u, psw);
	EXPECT_EQ(0u, alu(HSX_OP_AND, 0xF0, 0x0F, C | V, &psw));
	EXPECT_EQ(Z, psw);
	EXPECT_EQ(0x80000001u, alu(HSX_OP_OR, 0x80000000, 1, C, &psw));
	EXPECT_EQ(N, psw);
	EXPECT_EQ(0u, alu(HSX_OP_XOR, 0x1234, 0x1234, V, &psw));
	EXPECT_EQ(Z, psw);
	EXPECT_EQ(0xFFFFFFFFu, alu(HSX_OP_NOT, 0, 0, C | V, &psw));
	EXPECT_EQ(N, psw);
}

TEST(shifts_carry_is_last_bit_out_and_kept_on_zero_shift)
{
	uint32_t psw;

	EXPECT_EQ(0x80000000u, alu(HSX_OP_LSL, 0x40000000, 1, V, &psw));
	EXPECT_EQ(N, psw);
	EXPECT_EQ(0u, alu(HSX_OP_LSL, 0x80000000, 1, 0, &psw));
	EXPECT_EQ(Z | C, psw);
	EXPECT_EQ(1u, alu(HSX_OP_LSR, 3, 1, 0, &psw));
	EXPECT_EQ(C, psw);
	EXPECT_EQ(0xFFFFFFFFu, alu(HSX_OP_ASR, 0x80000000, 31, 0, &psw));
	EXPECT_EQ(N, psw);
	EXPECT_EQ(0xFFFFFFFFu, alu(HSX_OP_ASR, 0xFFFFFFFF, 4, 0, &psw));
	EXPECT_EQ(N | C, psw);
	/* Count is rs2 & 31: 33 shifts by 1. */
	EXPECT_EQ(2u, alu(HSX_OP_LSL, 1, 33, 0, &psw));
	/* Shift by 0: C unchanged, V cleared. */
	EXPECT_EQ(5u, alu(HSX_OP_LSR, 5, 32, C | V, &psw));
	EXPECT_EQ(C, psw);
	EXPECT_EQ(5u, alu(HSX_OP_LSL, 5, 0, V, &psw));
	EXPECT_EQ(0u, psw);
}

TEST(adc_and_sbc)
{
	uint32_t psw;

	EXPECT_EQ(0u, alu(HSX_OP_ADC, 0xFFFFFFFF, 0, C, &psw));
	EXPECT_EQ(Z | C, psw);
	EXPECT_EQ(3u, alu(HSX_OP_ADC, 1, 1, C, &psw));
	EXPECT_EQ(0u, psw);
	EXPECT_EQ(0x80000000u, alu(HSX_OP_ADC, 0x7FFFFFFF, 0, C, &psw));
	EXPECT_EQ(N | V, psw);
	/* Reference quirk: V is computed on rs2 + C, so 0x7FFFFFFF + C
	 * counts as a negative operand and this signed overflow is missed. */
	EXPECT_EQ(0x80000000u, alu(HSX_OP_ADC, 0, 0x7FFFFFFF, C, &psw));
	EXPECT_EQ(N, psw);
	/* SBC: C set means no borrow pending. */
	EXPECT_EQ(2u, alu(HSX_OP_SBC, 5, 3, C, &psw));
	EXPECT_EQ(C, psw);
	EXPECT_EQ(1u, alu(HSX_OP_SBC, 5, 3, 0, &psw));
	EXPECT_EQ(C, psw);
	EXPECT_EQ(0xFFFFFFFFu, alu(HSX_OP_SBC, 0, 0, 0, &psw));
	EXPECT_EQ(N, psw);
	EXPECT_EQ(0x7FFFFFFFu, alu(HSX_OP_SBC, 0x80000000, 0, 0, &psw));
	EXPECT_EQ(C | V, psw);
}

TEST(jumps_are_absolute_12_bit)
{
	struct hsx_vm_task *t = ISA_TASK(
		ENC(HSX_OP_JMP, 0, 0, 0, 12),  /* 0 */
		I_LDI(1, 1),                   /* 4: skipped */
		I_LDI(1, 2),                   /* 8: skipped */
		I_LDI(2, 0),                   /* 12 */
		I_RRR(HSX_OP_CMP, 0, 2, 2),    /* 16: Z=1 */
		ENC(HSX_OP_JZ, 0, 0, 0, 28),   /* 20 */
		I_LDI(3, 9),                   /* 24: skipped */
		ENC(HSX_OP_JNZ, 0, 0, 0, 4),   /* 28: not taken */
		I_LDI(4, 7),                   /* 32 */
		I_RET);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0u, hsx_vm_reg(t, 1));
	EXPECT_EQ(0u, hsx_vm_reg(t, 3));
	EXPECT_EQ(7u, hsx_vm_reg(t, 4));
	EXPECT_EQ(6u, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(jmp_imm_is_unsigned)
{
	/* 0xFFC would be -4 if signed; it is the absolute byte 0xFFC. */
	struct hsx_vm_task *t = ISA_TASK(ENC(HSX_OP_JMP, 0, 0, 0, 0xFFC));

	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 10));
	EXPECT_EQ(HSX_VM_FAULT_PC_RANGE, hsx_vm_fault(t));
	EXPECT_EQ(0xFFCu, hsx_vm_pc(t));
	EXPECT_EQ(1u, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(call_is_pc_relative_words_and_ret_unwinds)
{
	struct hsx_vm_task *t = ISA_TASK(
		ENC(HSX_OP_CALL, 0, 0, 0, 3),  /* 0: -> 12 */
		I_LDI(0, 42),                  /* 4 */
		I_RET,                         /* 8: depth 0 -> returned */
		I_LDI(5, 1),                   /* 12 */
		I_RET);                        /* 16 */

	EXPECT_EQ(HSX_VM_STOP_BUDGET, hsx_vm_run(t, 2));
	EXPECT_EQ(1u, hsx_vm_call_depth(t));
	EXPECT_EQ(0x7FFCu, hsx_vm_sp(t));
	EXPECT_EQ(0x7FFCu, hsx_vm_reg(t, 15));
	EXPECT_EQ(16u, hsx_vm_pc(t));
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(42u, hsx_vm_exit_status(t));
	EXPECT_EQ(0x8000u, hsx_vm_sp(t));
	EXPECT_EQ(0x8000u, hsx_vm_reg(t, 15));
	EXPECT_EQ(0u, hsx_vm_call_depth(t));
	EXPECT_EQ(8u, hsx_vm_pc(t));
	EXPECT_EQ(4u, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(call_backwards_and_register_base)
{
	struct hsx_vm_task *t = ISA_TASK(
		ENC(HSX_OP_JMP, 0, 0, 0, 12),  /* 0 */
		I_LDI(4, 4),                   /* 4: callee */
		I_RET,                         /* 8 */
		ENC(HSX_OP_CALL, 0, 0, 0, -2), /* 12: -> 4 */
		I_LDI(6, 16),                  /* 16 */
		ENC(HSX_OP_CALL, 0, 6, 0, 8),  /* 20: R6 + 32 = 48 */
		I_RET,                         /* 24 */
		0, 0, 0, 0, 0,                 /* 28..44 */
		I_LDI(0, 9),                   /* 48 */
		I_RET);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(4u, hsx_vm_reg(t, 4));
	EXPECT_EQ(9u, hsx_vm_exit_status(t));
	EXPECT_EQ(24u, hsx_vm_pc(t));
	hsx_vm_task_free(t);
}

TEST(push_pop_sp_r15_split)
{
	struct hsx_vm_task *t = ISA_TASK(
		I_LDI(7, 0x55),
		ENC(HSX_OP_PUSH, 0, 7, 0, 0),
		I_LDI(15, 0),                  /* writing R15 does not move SP */
		ENC(HSX_OP_POP, 1, 0, 0, 0),
		I_RET);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0x55u, hsx_vm_reg(t, 1));
	EXPECT_EQ(0x8000u, hsx_vm_sp(t));
	EXPECT_EQ(0x8000u, hsx_vm_reg(t, 15));
	hsx_vm_task_free(t);
}

TEST(pop_into_r15_takes_the_value)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(7, 0x123),
					 ENC(HSX_OP_PUSH, 0, 7, 0, 0),
					 ENC(HSX_OP_POP, 15, 0, 0, 0), I_RET);

	hsx_vm_run(t, 100);
	EXPECT_EQ(0x123u, hsx_vm_reg(t, 15));
	EXPECT_EQ(0x8000u, hsx_vm_sp(t));
	hsx_vm_task_free(t);
}

TEST(stack_overflow_below_limit_and_underflow_at_top)
{
	struct hsx_vm_task_config cfg = { 0 };
	static const uint32_t push2[] = { ENC(HSX_OP_PUSH, 0, 1, 0, 0),
					  ENC(HSX_OP_PUSH, 0, 1, 0, 0),
					  I_RET };
	static const uint32_t pop2[] = { ENC(HSX_OP_POP, 1, 0, 0, 0),
					 ENC(HSX_OP_POP, 1, 0, 0, 0), I_RET };
	static const uint32_t call_self[] = { ENC(HSX_OP_CALL, 0, 0, 0, 0) };
	struct hsx_vm_task *t;

	hsx_vm_exec_stack(0, &cfg.sp, &cfg.stack_limit);
	EXPECT_EQ(0xFFFCu, cfg.sp);
	EXPECT_EQ(0xEFFCu, cfg.stack_limit);
	cfg.sp = cfg.stack_limit + 4;
	t = isa_task_ro(push2, 3, NULL, 0, &cfg);
	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 10));
	EXPECT_EQ(HSX_VM_FAULT_STACK_OVERFLOW, hsx_vm_fault(t));
	EXPECT_EQ(0xFFFFFF03u, hsx_vm_reg(t, 0));
	EXPECT_EQ(4u, hsx_vm_pc(t));
	EXPECT_EQ(0xEFFCu, hsx_vm_sp(t));
	hsx_vm_task_free(t);

	hsx_vm_exec_stack(0, &cfg.sp, &cfg.stack_limit);
	t = isa_task_ro(pop2, 3, NULL, 0, &cfg);
	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 10));
	EXPECT_EQ(HSX_VM_FAULT_STACK_UNDERFLOW, hsx_vm_fault(t));
	EXPECT_EQ(0xFFFFFF02u, hsx_vm_reg(t, 0));
	EXPECT_EQ(4u, hsx_vm_pc(t));
	EXPECT_EQ(0x10000u, hsx_vm_sp(t));
	hsx_vm_task_free(t);

	/* Unbounded recursion overflows at the limit, never wraps. */
	hsx_vm_exec_stack(1, &cfg.sp, &cfg.stack_limit);
	t = isa_task_ro(call_self, 1, NULL, 0, &cfg);
	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 100000));
	EXPECT_EQ(HSX_VM_FAULT_STACK_OVERFLOW, hsx_vm_fault(t));
	EXPECT_EQ(0x400u, hsx_vm_call_depth(t));
	EXPECT_EQ(0xDFFCu, hsx_vm_sp(t));
	hsx_vm_task_free(t);
}

TEST(ldi32_loads_next_word_and_counts_one_step)
{
	struct hsx_vm_task *t = ISA_TASK(ENC(HSX_OP_LDI32, 9, 0, 0, 0),
					 0xDEADBEEF, I_RET);

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(0xDEADBEEFu, hsx_vm_reg(t, 9));
	EXPECT_EQ(1u, hsx_vm_steps(t));
	EXPECT_EQ(8u, hsx_vm_pc(t));
	hsx_vm_task_free(t);
}

TEST(ldi32_overrunning_code_faults)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, 1),
					 ENC(HSX_OP_LDI32, 9, 0, 0, 0));

	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 100));
	EXPECT_EQ(HSX_VM_FAULT_PC_RANGE, hsx_vm_fault(t));
	EXPECT_EQ(4u, hsx_vm_pc(t));
	EXPECT_EQ(1u, hsx_vm_steps(t));
	hsx_vm_task_free(t);
}

TEST(brk_stops_with_code_and_continues)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, 1), ENC(HSX_OP_BRK, 0, 0, 0, 0x2A),
					 I_LDI(0, 3), I_RET);

	EXPECT_EQ(HSX_VM_STOP_BRK, hsx_vm_run(t, 100));
	EXPECT_EQ(0x2Au, hsx_vm_brk_code(t));
	EXPECT_EQ(8u, hsx_vm_pc(t));
	EXPECT_EQ(2u, hsx_vm_steps(t));
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 100));
	EXPECT_EQ(3u, hsx_vm_exit_status(t));
	hsx_vm_task_free(t);
}

TEST(illegal_opcode_halts_with_pc_advanced)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, 1), ENC(0x05, 0, 0, 0, 0),
					 I_RET);

	EXPECT_EQ(HSX_VM_STOP_ILLEGAL, hsx_vm_run(t, 100));
	EXPECT_EQ(8u, hsx_vm_pc(t));
	EXPECT_EQ(2u, hsx_vm_steps(t));
	EXPECT_EQ(HSX_VM_STOP_ILLEGAL, hsx_vm_run(t, 100));
	EXPECT_STREQ("illegal_opcode", hsx_vm_stop_name(HSX_VM_STOP_ILLEGAL));
	hsx_vm_task_free(t);
}

TEST(every_undefined_opcode_is_illegal)
{
	static const uint8_t defined[] = {
		0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11,
		0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x20, 0x21, 0x22, 0x23,
		0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x40, 0x41,
		0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x60, 0x7F,
	};
	unsigned int op, i, illegal = 0;

	for (op = 0; op < 256; op++) {
		uint32_t prog[] = { ENC(op, 1, 2, 3, 4), 0, I_RET };
		struct hsx_vm_task *t;
		bool is_defined = false;

		for (i = 0; i < sizeof(defined); i++)
			is_defined |= defined[i] == op;
		t = isa_task(prog, 3);
		hsx_vm_set_reg(t, 3, 1); /* no DIV by zero */
		if ((hsx_vm_run(t, 1) == HSX_VM_STOP_ILLEGAL) != !is_defined)
			TH_LOG("opcode 0x%02x misclassified", op);
		illegal += !is_defined;
		EXPECT_EQ(!is_defined, hsx_vm_run(t, 0) == HSX_VM_STOP_ILLEGAL);
		hsx_vm_task_free(t);
	}
	EXPECT_EQ(256u - sizeof(defined), illegal);
}

TEST(budget_is_exact_and_resumable)
{
	struct hsx_vm_task *t = ISA_TASK(
		I_LDI(1, 0), I_LDI(2, 1), I_LDI(3, 100),
		I_RRR(HSX_OP_ADD, 1, 1, 2),    /* 12 */
		I_RRR(HSX_OP_CMP, 0, 1, 3),
		ENC(HSX_OP_JNZ, 0, 0, 0, 12),
		I_RET);
	unsigned int runs = 0;

	EXPECT_EQ(HSX_VM_STOP_BUDGET, hsx_vm_run(t, 0));
	EXPECT_EQ(0u, hsx_vm_steps(t));
	while (hsx_vm_run(t, 7) == HSX_VM_STOP_BUDGET)
		runs++;
	EXPECT_EQ(100u, hsx_vm_reg(t, 1));
	EXPECT_EQ(303u, hsx_vm_steps(t));
	EXPECT_EQ(303u / 7, runs);
	hsx_vm_task_free(t);
}

TEST(pc_out_of_range_halts)
{
	struct hsx_vm_task *t = ISA_TASK(I_LDI(1, 1));

	EXPECT_EQ(HSX_VM_STOP_FAULT, hsx_vm_run(t, 10));
	EXPECT_EQ(HSX_VM_FAULT_PC_RANGE, hsx_vm_fault(t));
	EXPECT_EQ(4u, hsx_vm_fault_pc(t));
	EXPECT_EQ(1u, hsx_vm_reg(t, 1));
	EXPECT_EQ(0u, hsx_vm_reg(t, 0)); /* no code in R0 for this one */
	hsx_vm_task_free(t);
}

TEST(unaligned_jump_target_fetches_bytes)
{
	/* JMP 2 executes the word made of bytes 2..5, 0x00020110: illegal
	 * opcode 0x00, fetched across the word boundary. */
	struct hsx_vm_task *t = ISA_TASK(ENC(HSX_OP_JMP, 0, 0, 0, 2),
					 I_LDI(1, 0), I_RET);

	EXPECT_EQ(HSX_VM_STOP_ILLEGAL, hsx_vm_run(t, 10));
	EXPECT_EQ(6u, hsx_vm_pc(t));
	hsx_vm_task_free(t);
}

TEST(rodata_is_copied_to_0x4000_and_writable)
{
	static const uint32_t prog[] = {
		ENC(HSX_OP_LDI32, 7, 0, 0, 0), 0x4000,
		ENC(HSX_OP_LDB, 1, 7, 0, 1),
		I_LDI(2, 'Z'),
		ENC(HSX_OP_STB, 0, 7, 2, 0),
		I_RET,
	};
	struct hsx_vm_task *t = isa_task_ro(prog, 6, "hi", 3, NULL);
	char buf[4];

	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(t, 10));
	EXPECT_EQ('i', hsx_vm_reg(t, 1));
	EXPECT_EQ(0, hsx_vm_mem_read(t, 0x4000, buf, 3));
	EXPECT_STREQ("Zi", buf);
	hsx_vm_task_free(t);
}

TEST(tasks_share_code_but_not_memory)
{
	static const uint32_t prog[] = { I_LDI(1, 1), ENC(HSX_OP_STB, 0, 0, 1, 0x10),
					 I_RET };
	uint8_t code[12];
	struct hsx_vm_image *img;
	struct hsx_vm_task *a, *b;
	uint8_t va = 0, vb = 0;
	int i;

	for (i = 0; i < 12; i++)
		code[i] = prog[i / 4] >> (24 - 8 * (i % 4));
	img = hsx_vm_image_new(code, sizeof(code), NULL, 0, 0);
	ASSERT_NE(NULL, img);
	a = hsx_vm_task_new(img, NULL);
	b = hsx_vm_task_new(img, NULL);
	hsx_vm_image_put(img); /* the tasks keep it alive */
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(a, 10));
	hsx_vm_mem_read(a, 0x10, &va, 1);
	hsx_vm_mem_read(b, 0x10, &vb, 1);
	EXPECT_EQ(1, va);
	EXPECT_EQ(0, vb);
	hsx_vm_task_free(a);
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(b, 10));
	hsx_vm_task_free(b);
}

TEST(untouched_task_memory_is_not_resident)
{
	struct hsx_vm_task *t = ISA_TASK(I_RET);
	long page = sysconf(_SC_PAGESIZE);
	size_t npages = HSX_VM_MEM_SIZE / page, i, resident = 0;
	unsigned char vec[HSX_VM_MEM_SIZE / 4096 + 1];

	ASSERT_LE(npages, sizeof(vec));
	ASSERT_EQ(0, mincore(hsx_vm_mem_ptr(t, 0, HSX_VM_MEM_SIZE),
			     HSX_VM_MEM_SIZE, vec));
	for (i = 0; i < npages; i++)
		resident += vec[i] & 1;
	EXPECT_EQ(0u, resident);
	hsx_vm_task_free(t);
}

TEST(image_rejects_bad_arguments)
{
	uint8_t code[8] = { 0 };

	errno = 0;
	EXPECT_EQ(NULL, hsx_vm_image_new(code, 6, NULL, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, hsx_vm_image_new(code, 8, NULL, 0, 8));
	EXPECT_EQ(NULL, hsx_vm_image_new(code, 8, NULL, 0, 2));
	EXPECT_EQ(NULL, hsx_vm_image_new(code, 0, NULL, 0, 0));
}

TEST(memory_helpers_are_bounded)
{
	struct hsx_vm_task *t = ISA_TASK(I_RET);
	char buf[8] = "abc";

	EXPECT_EQ(0, hsx_vm_mem_write(t, 0xFFFC, buf, 4));
	EXPECT_EQ(-EFAULT, hsx_vm_mem_write(t, 0xFFFD, buf, 4));
	EXPECT_EQ(-EFAULT, hsx_vm_mem_read(t, 0x10000, buf, 1));
	EXPECT_EQ(0, hsx_vm_mem_read(t, 0x10000, buf, 0));
	EXPECT_EQ(3, hsx_vm_mem_strnlen(t, 0xFFFC, 32));
	EXPECT_EQ(2, hsx_vm_mem_strnlen(t, 0xFFFC, 2));
	hsx_vm_mem_write(t, 0xFFFC, "abcd", 4);
	EXPECT_EQ(-EFAULT, hsx_vm_mem_strnlen(t, 0xFFFC, 32));
	EXPECT_EQ(4, hsx_vm_mem_strnlen(t, 0xFFFC, 4));
	EXPECT_EQ(-EFAULT, hsx_vm_mem_strnlen(t, 0x10000, 4));
	EXPECT_EQ(NULL, hsx_vm_mem_ptr(t, 0xFFFF, 2));
	EXPECT_NE(NULL, hsx_vm_mem_ptr(t, 0xFFFF, 1));
	hsx_vm_task_free(t);
}

TEST_HARNESS_MAIN
