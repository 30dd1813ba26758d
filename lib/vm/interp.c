// SPDX-License-Identifier: MIT
/*
 * DOC: HSX VM dispatch loop
 *
 * One function, one computed-goto table (a switch when the compiler has no
 * labels-as-values).  The hot state (pc, psw, the retired count) lives in
 * locals; registers and memory are used in place.  Nothing is allocated
 * and no callback runs per instruction; only SVC leaves the loop, to call
 * the host's handler.
 *
 * Semantics follow host_vm.py MiniVM.step (hsx-reference.md section 3):
 *  - an instruction that faults does not retire: the PC stays on it, R0
 *    gets the fault code and the task halts;
 *  - RET at call depth 0 halts with exit status R0 and does not retire;
 *  - an illegal opcode retires (PC advanced) and halts;
 *  - BRK retires and stops the run; the task can continue afterwards.
 */
#include <math.h>
#include <string.h>

#include "vm/vm_internal.h"

#if defined(__GNUC__) || defined(__clang__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define HSX_HAVE_COMPUTED_GOTO 1
#else
#define likely(x) (x)
#define unlikely(x) (x)
#endif

#define MEM_TOP HSX_VM_MEM_SIZE

static inline uint32_t ld_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline void st_le32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, 4);
}

static inline uint32_t zn(uint32_t psw, uint32_t res)
{
	psw &= ~(HSX_VM_PSW_Z | HSX_VM_PSW_N);
	if (res == 0)
		psw |= HSX_VM_PSW_Z;
	if (res & 0x80000000u)
		psw |= HSX_VM_PSW_N;
	return psw;
}

static inline uint32_t zncv(uint32_t psw, uint32_t res, int c, int v)
{
	psw = zn(psw, res) & ~(HSX_VM_PSW_C | HSX_VM_PSW_V);
	if (c)
		psw |= HSX_VM_PSW_C;
	if (v)
		psw |= HSX_VM_PSW_V;
	return psw;
}

/* Shifts: V cleared, C only touched when the shift count is non-zero. */
static inline uint32_t shift_flags(uint32_t psw, uint32_t res,
				   uint32_t shift, int c)
{
	psw = zn(psw, res) & ~HSX_VM_PSW_V;
	if (shift)
		psw = (psw & ~HSX_VM_PSW_C) | (c ? HSX_VM_PSW_C : 0);
	return psw;
}

static inline uint32_t sub_flags(uint32_t psw, uint32_t a, uint32_t b,
				 uint32_t *out)
{
	uint32_t d = a - b;

	*out = d;
	return zncv(psw, d, a >= b, ((a ^ b) & (a ^ d) & 0x80000000u) != 0);
}

/* ADC as the reference computes it, including its V on (rs2 + C). */
static inline uint32_t adc(uint32_t *psw, uint32_t a, uint32_t b)
{
	uint32_t cin = (*psw & HSX_VM_PSW_C) ? 1 : 0;
	uint64_t total = (uint64_t)a + b + cin;
	uint32_t res = (uint32_t)total;
	int32_t sa = (int32_t)a, sb = (int32_t)(b + cin), sr = (int32_t)res;
	int v = (sa >= 0 && sb >= 0 && sr < 0) || (sa < 0 && sb < 0 && sr >= 0);

	*psw = zncv(*psw, res, (int)(total >> 32), v);
	return res;
}

/* SBC: rs1 - (rs2 + (1 - C)); C = no borrow; V as the reference. */
static inline uint32_t sbc(uint32_t *psw, uint32_t a, uint32_t b)
{
	uint64_t operand = (uint64_t)b + ((*psw & HSX_VM_PSW_C) ? 0 : 1);
	int64_t total = (int64_t)a - (int64_t)operand;
	uint32_t res = (uint32_t)total;
	int32_t sa = (int32_t)a, sb = (int32_t)(uint32_t)operand;
	int32_t sr = (int32_t)res;
	int v = (sa >= 0 && sb < 0 && sr < 0) || (sa < 0 && sb >= 0 && sr >= 0);

	*psw = zncv(*psw, res, total >= 0, v);
	return res;
}

static inline uint32_t div_trunc(uint32_t a, uint32_t b)
{
	int64_t n = (int32_t)a, d = (int32_t)b;

	return (uint32_t)(n / d); /* C99 division truncates toward zero */
}

static inline uint32_t f16_op(uint32_t rd, uint32_t a, uint32_t b, int op)
{
	double x = hsx_vm_f16_to_double((uint16_t)a);
	double y = hsx_vm_f16_to_double((uint16_t)b);
	double r;

	switch (op) {
	case HSX_OP_FADD:
		r = x + y;
		break;
	case HSX_OP_FSUB:
		r = x - y;
		break;
	case HSX_OP_FMUL:
		r = x * y;
		break;
	default:
		r = x / (y == 0.0 ? INFINITY : y);
		break;
	}
	return (rd & 0xFFFF0000u) | hsx_vm_f16_from_double(r);
}

/*
 * F2I truncates toward zero.  The reference raises a Python exception on
 * NaN or infinity (int(nan)); we define NaN -> 0 and saturate infinities.
 */
static inline uint32_t f2i(uint32_t h)
{
	double f = hsx_vm_f16_to_double((uint16_t)h);

	if (isnan(f))
		return 0;
	if (isinf(f))
		return f > 0 ? 0x7FFFFFFFu : 0x80000000u;
	return (uint32_t)(int32_t)f;
}

static uint32_t fetch_unaligned(const struct hsx_vm_image *img, uint32_t pc)
{
	return hsx_be32(img->code + pc);
}

static enum hsx_vm_stop halt(struct hsx_vm_task *t, enum hsx_vm_stop why)
{
	t->state = HSX_VM_HALTED;
	t->halt_reason = why;
	return why;
}

static enum hsx_vm_stop fault(struct hsx_vm_task *t, enum hsx_vm_fault f,
			      uint32_t code)
{
	t->fault = f;
	t->fault_pc = t->pc;
	if (f != HSX_VM_FAULT_PC_RANGE)
		t->r[0] = code;
	return halt(t, HSX_VM_STOP_FAULT);
}

static enum hsx_vm_svc_result call_svc(struct hsx_vm_task *t, uint32_t imm)
{
	unsigned int mod = (imm >> 8) & 0xF;

	t->svc_mod = mod;
	t->svc_fn = imm & 0xFF;
	if (!t->svc || !t->svc->handler[mod]) {
		t->r[0] = HSX_VM_ERR_ENOSYS;
		return HSX_VM_SVC_DONE;
	}
	return t->svc->handler[mod](t, mod, t->svc_fn, t->svc->ctx[mod]);
}

#define OP_RD ((ins >> 20) & 0xF)
#define OP_RS1 ((ins >> 16) & 0xF)
#define OP_RS2 ((ins >> 12) & 0xF)
#define OP_UIMM (ins & 0xFFF)
#define OP_SIMM ((uint32_t)((int32_t)(ins << 20) >> 20))
#define EA ((r[OP_RS1] + OP_SIMM) & 0xFFFF)

enum hsx_vm_stop hsx_vm_run(struct hsx_vm_task *t, uint64_t budget)
{
	const struct hsx_vm_image *img = t->img;
	const uint32_t *words = img->words;
	const uint32_t code_len = img->code_len;
	uint8_t *const mem = t->mem;
	uint32_t *const r = t->r;
	uint32_t pc = t->pc, psw = t->psw, ins = 0, a, b, res;
	uint64_t done = 0;
	enum hsx_vm_svc_result sr;

	if (t->state == HSX_VM_HALTED)
		return t->halt_reason;
	if (t->state == HSX_VM_SUSPENDED)
		return HSX_VM_STOP_BLOCKED;

#ifdef HSX_HAVE_COMPUTED_GOTO
	/* The range default is deliberately overridden per opcode. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#ifdef __clang__
#pragma GCC diagnostic ignored "-Winitializer-overrides"
#endif
	static const void *const table[256] = {
		[0 ... 255] = &&op_illegal,
		[HSX_OP_LDI] = &&op_ldi, [HSX_OP_LD] = &&op_ld,
		[HSX_OP_ST] = &&op_st, [HSX_OP_MOV] = &&op_mov,
		[HSX_OP_LDB] = &&op_ldb, [HSX_OP_LDH] = &&op_ldh,
		[HSX_OP_STB] = &&op_stb, [HSX_OP_STH] = &&op_sth,
		[HSX_OP_ADD] = &&op_add, [HSX_OP_SUB] = &&op_sub,
		[HSX_OP_MUL] = &&op_mul, [HSX_OP_DIV] = &&op_div,
		[HSX_OP_AND] = &&op_and, [HSX_OP_OR] = &&op_or,
		[HSX_OP_XOR] = &&op_xor, [HSX_OP_NOT] = &&op_not,
		[HSX_OP_CMP] = &&op_cmp, [HSX_OP_JMP] = &&op_jmp,
		[HSX_OP_JZ] = &&op_jz, [HSX_OP_JNZ] = &&op_jnz,
		[HSX_OP_CALL] = &&op_call, [HSX_OP_RET] = &&op_ret,
		[HSX_OP_SVC] = &&op_svc, [HSX_OP_LSL] = &&op_lsl,
		[HSX_OP_LSR] = &&op_lsr, [HSX_OP_ASR] = &&op_asr,
		[HSX_OP_ADC] = &&op_adc, [HSX_OP_SBC] = &&op_sbc,
		[HSX_OP_PUSH] = &&op_push, [HSX_OP_POP] = &&op_pop,
		[HSX_OP_FADD] = &&op_fop, [HSX_OP_FSUB] = &&op_fop,
		[HSX_OP_FMUL] = &&op_fop, [HSX_OP_FDIV] = &&op_fop,
		[HSX_OP_I2F] = &&op_i2f, [HSX_OP_F2I] = &&op_f2i,
		[HSX_OP_LDI32] = &&op_ldi32, [HSX_OP_BRK] = &&op_brk,
	};
#pragma GCC diagnostic pop
#define CASE(name) name:
#define DISPATCH() goto *table[ins >> 24]
#else
#define CASE(name) case_##name:
#define DISPATCH() goto dispatch_switch
#endif

/* Retire the current instruction, advance, fetch and dispatch the next. */
#define NEXT(adv)                                                        \
	do {                                                             \
		pc += (adv);                                             \
		done++;                                                  \
		goto fetch;                                              \
	} while (0)
#define JUMP(target)                                                     \
	do {                                                             \
		pc = (target);                                           \
		done++;                                                  \
		goto fetch;                                              \
	} while (0)
#define SYNC()                                                           \
	do {                                                             \
		t->pc = pc;                                              \
		t->psw = psw;                                            \
		t->steps += done;                                        \
		budget -= done;                                          \
		done = 0;                                                \
	} while (0)
#define FAULT(f, code)                                                   \
	do {                                                             \
		SYNC();                                                  \
		return fault(t, (f), (code));                            \
	} while (0)

fetch:
	if (unlikely(done >= budget)) {
		SYNC();
		return HSX_VM_STOP_BUDGET;
	}
	if (unlikely(code_len < 4 || pc > code_len - 4))
		FAULT(HSX_VM_FAULT_PC_RANGE, 0);
	ins = likely(!(pc & 3)) ? words[pc >> 2] : fetch_unaligned(img, pc);
	DISPATCH();

#ifndef HSX_HAVE_COMPUTED_GOTO
dispatch_switch:
	switch (ins >> 24) {
	case HSX_OP_LDI: goto case_op_ldi;
	case HSX_OP_LD: goto case_op_ld;
	case HSX_OP_ST: goto case_op_st;
	case HSX_OP_MOV: goto case_op_mov;
	case HSX_OP_LDB: goto case_op_ldb;
	case HSX_OP_LDH: goto case_op_ldh;
	case HSX_OP_STB: goto case_op_stb;
	case HSX_OP_STH: goto case_op_sth;
	case HSX_OP_ADD: goto case_op_add;
	case HSX_OP_SUB: goto case_op_sub;
	case HSX_OP_MUL: goto case_op_mul;
	case HSX_OP_DIV: goto case_op_div;
	case HSX_OP_AND: goto case_op_and;
	case HSX_OP_OR: goto case_op_or;
	case HSX_OP_XOR: goto case_op_xor;
	case HSX_OP_NOT: goto case_op_not;
	case HSX_OP_CMP: goto case_op_cmp;
	case HSX_OP_JMP: goto case_op_jmp;
	case HSX_OP_JZ: goto case_op_jz;
	case HSX_OP_JNZ: goto case_op_jnz;
	case HSX_OP_CALL: goto case_op_call;
	case HSX_OP_RET: goto case_op_ret;
	case HSX_OP_SVC: goto case_op_svc;
	case HSX_OP_LSL: goto case_op_lsl;
	case HSX_OP_LSR: goto case_op_lsr;
	case HSX_OP_ASR: goto case_op_asr;
	case HSX_OP_ADC: goto case_op_adc;
	case HSX_OP_SBC: goto case_op_sbc;
	case HSX_OP_PUSH: goto case_op_push;
	case HSX_OP_POP: goto case_op_pop;
	case HSX_OP_FADD: case HSX_OP_FSUB: case HSX_OP_FMUL:
	case HSX_OP_FDIV: goto case_op_fop;
	case HSX_OP_I2F: goto case_op_i2f;
	case HSX_OP_F2I: goto case_op_f2i;
	case HSX_OP_LDI32: goto case_op_ldi32;
	case HSX_OP_BRK: goto case_op_brk;
	default: goto case_op_illegal;
	}
#endif

CASE(op_ldi)
	r[OP_RD] = OP_SIMM;
	NEXT(4);
CASE(op_ld)
	a = EA;
	if (unlikely(a > MEM_TOP - 4))
		FAULT(HSX_VM_FAULT_MEMORY, HSX_VM_ERR_MEMORY);
	r[OP_RD] = ld_le32(mem + a);
	NEXT(4);
CASE(op_st)
	a = EA;
	if (unlikely(a > MEM_TOP - 4))
		FAULT(HSX_VM_FAULT_MEMORY, HSX_VM_ERR_MEMORY);
	st_le32(mem + a, r[OP_RS2]);
	NEXT(4);
CASE(op_mov)
	r[OP_RD] = r[OP_RS1];
	NEXT(4);
CASE(op_ldb)
	r[OP_RD] = mem[EA];
	NEXT(4);
CASE(op_ldh)
	a = EA;
	if (unlikely(a > MEM_TOP - 2))
		FAULT(HSX_VM_FAULT_MEMORY, HSX_VM_ERR_MEMORY);
	r[OP_RD] = (uint32_t)mem[a] | (uint32_t)mem[a + 1] << 8;
	NEXT(4);
CASE(op_stb)
	mem[EA] = (uint8_t)r[OP_RS2];
	NEXT(4);
CASE(op_sth)
	a = EA;
	if (unlikely(a > MEM_TOP - 2))
		FAULT(HSX_VM_FAULT_MEMORY, HSX_VM_ERR_MEMORY);
	mem[a] = (uint8_t)r[OP_RS2];
	mem[a + 1] = (uint8_t)(r[OP_RS2] >> 8);
	NEXT(4);
CASE(op_add)
	a = r[OP_RS1];
	b = r[OP_RS2];
	res = a + b;
	r[OP_RD] = res;
	psw = zncv(psw, res, res < a, (~(a ^ b) & (a ^ res) & 0x80000000u) != 0);
	NEXT(4);
CASE(op_sub)
	psw = sub_flags(psw, r[OP_RS1], r[OP_RS2], &res);
	r[OP_RD] = res;
	NEXT(4);
CASE(op_mul) {
	uint64_t p = (uint64_t)r[OP_RS1] * r[OP_RS2];

	res = (uint32_t)p;
	r[OP_RD] = res;
	psw = zncv(psw, res, (p >> 32) != 0, (p >> 32) != 0);
	NEXT(4);
}
CASE(op_div)
	if (unlikely(r[OP_RS2] == 0))
		FAULT(HSX_VM_FAULT_DIV_ZERO, HSX_VM_ERR_DIV_ZERO);
	res = div_trunc(r[OP_RS1], r[OP_RS2]);
	r[OP_RD] = res;
	psw = zncv(psw, res, 0, 0);
	NEXT(4);
CASE(op_and)
	res = r[OP_RS1] & r[OP_RS2];
	r[OP_RD] = res;
	psw = zncv(psw, res, 0, 0);
	NEXT(4);
CASE(op_or)
	res = r[OP_RS1] | r[OP_RS2];
	r[OP_RD] = res;
	psw = zncv(psw, res, 0, 0);
	NEXT(4);
CASE(op_xor)
	res = r[OP_RS1] ^ r[OP_RS2];
	r[OP_RD] = res;
	psw = zncv(psw, res, 0, 0);
	NEXT(4);
CASE(op_not)
	res = ~r[OP_RS1];
	r[OP_RD] = res;
	psw = zncv(psw, res, 0, 0);
	NEXT(4);
CASE(op_cmp)
	psw = sub_flags(psw, r[OP_RS1], r[OP_RS2], &res);
	NEXT(4);
CASE(op_jmp)
	JUMP(OP_UIMM);
CASE(op_jz)
	if (psw & HSX_VM_PSW_Z)
		JUMP(OP_UIMM);
	NEXT(4);
CASE(op_jnz)
	if (!(psw & HSX_VM_PSW_Z))
		JUMP(OP_UIMM);
	NEXT(4);
CASE(op_call)
	a = t->sp - 4; /* new SP; the checks mirror the reference */
	if (unlikely(t->sp < 4 || a < t->stack_limit || a > MEM_TOP - 4))
		FAULT(HSX_VM_FAULT_STACK_OVERFLOW, HSX_VM_ERR_STACK_OVERFLOW);
	b = ((OP_RS1 ? r[OP_RS1] : pc) + (OP_SIMM << 2)) & 0xFFFF;
	st_le32(mem + a, pc + 4);
	t->sp = a;
	r[15] = a;
	t->depth++;
	JUMP(b);
CASE(op_ret)
	if (t->depth == 0) {
		SYNC();
		t->exit_status = r[0];
		return halt(t, HSX_VM_STOP_RETURNED);
	}
	if (unlikely(t->sp >= MEM_TOP))
		FAULT(HSX_VM_FAULT_STACK_UNDERFLOW, HSX_VM_ERR_STACK_UNDERFLOW);
	if (unlikely(t->sp > MEM_TOP - 4))
		FAULT(HSX_VM_FAULT_MEMORY, HSX_VM_ERR_MEMORY);
	b = ld_le32(mem + t->sp);
	t->sp += 4;
	r[15] = t->sp;
	t->depth--;
	JUMP(b);
CASE(op_svc)
	/* Handlers see the PC past the SVC and steps not yet counting it. */
	SYNC();
	t->pc = pc + 4;
	sr = call_svc(t, OP_UIMM);
	t->steps++;
	budget--;
	pc = t->pc;
	psw = t->psw;
	if (likely(sr == HSX_VM_SVC_DONE))
		goto fetch;
	if (sr == HSX_VM_SVC_BLOCK) {
		t->state = HSX_VM_SUSPENDED;
		return HSX_VM_STOP_BLOCKED;
	}
	if (sr == HSX_VM_SVC_EXIT) {
		t->exit_status = r[0];
		return halt(t, HSX_VM_STOP_EXITED);
	}
	return HSX_VM_STOP_YIELD;
CASE(op_lsl)
	b = r[OP_RS2] & 31;
	a = r[OP_RS1];
	res = a << b;
	r[OP_RD] = res;
	psw = shift_flags(psw, res, b, b ? (a >> (32 - b)) & 1 : 0);
	NEXT(4);
CASE(op_lsr)
	b = r[OP_RS2] & 31;
	a = r[OP_RS1];
	res = a >> b;
	r[OP_RD] = res;
	psw = shift_flags(psw, res, b, b ? (a >> (b - 1)) & 1 : 0);
	NEXT(4);
CASE(op_asr)
	b = r[OP_RS2] & 31;
	a = r[OP_RS1];
	res = (uint32_t)((int32_t)a >> b);
	r[OP_RD] = res;
	psw = shift_flags(psw, res, b, b ? (a >> (b - 1)) & 1 : 0);
	NEXT(4);
CASE(op_adc)
	r[OP_RD] = adc(&psw, r[OP_RS1], r[OP_RS2]);
	NEXT(4);
CASE(op_sbc)
	r[OP_RD] = sbc(&psw, r[OP_RS1], r[OP_RS2]);
	NEXT(4);
CASE(op_push)
	a = t->sp - 4;
	if (unlikely(t->sp < 4 || a < t->stack_limit || a > MEM_TOP - 4))
		FAULT(HSX_VM_FAULT_STACK_OVERFLOW, HSX_VM_ERR_STACK_OVERFLOW);
	st_le32(mem + a, r[OP_RS1]);
	t->sp = a;
	r[15] = a;
	NEXT(4);
CASE(op_pop)
	if (unlikely(t->sp >= MEM_TOP))
		FAULT(HSX_VM_FAULT_STACK_UNDERFLOW, HSX_VM_ERR_STACK_UNDERFLOW);
	if (unlikely(t->sp > MEM_TOP - 4))
		FAULT(HSX_VM_FAULT_MEMORY, HSX_VM_ERR_MEMORY);
	b = ld_le32(mem + t->sp);
	t->sp += 4;
	r[15] = t->sp;
	r[OP_RD] = b;
	NEXT(4);
CASE(op_fop)
	r[OP_RD] = f16_op(r[OP_RD], r[OP_RS1], r[OP_RS2], (int)(ins >> 24));
	NEXT(4);
CASE(op_i2f)
	r[OP_RD] = (r[OP_RD] & 0xFFFF0000u) |
		   hsx_vm_f16_from_double((double)(int32_t)r[OP_RS1]);
	NEXT(4);
CASE(op_f2i)
	r[OP_RD] = f2i(r[OP_RS1]);
	NEXT(4);
CASE(op_ldi32)
	if (unlikely((uint64_t)pc + 8 > code_len))
		FAULT(HSX_VM_FAULT_PC_RANGE, 0);
	r[OP_RD] = hsx_be32(img->code + pc + 4);
	NEXT(8);
CASE(op_brk)
	t->brk_code = ins & 0xFF;
	pc += 4;
	done++;
	SYNC();
	return HSX_VM_STOP_BRK;
CASE(op_illegal)
	pc += 4;
	done++;
	SYNC();
	return halt(t, HSX_VM_STOP_ILLEGAL);
}
