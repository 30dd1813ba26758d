// SPDX-License-Identifier: MIT
/*
 * DOC: instruction decoding for hsx-dis
 *
 * Each opcode has an operand *form* that says which fields it uses (the
 * same forms hsx-as parses).  A word is printed as an instruction only if
 * re-encoding the fields of its form gives the word back; a word with
 * stray bits in unused fields, an unknown opcode, or a field hsx-as
 * cannot express (a CALL with a base register) becomes `.word 0x...`, so
 * the listing always reassembles to identical bytes.
 */
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"
#include "dis.h"

enum form {
	F_BAD, F_NONE, F_RD_IMM, F_RD_IMM32, F_RD_MEM, F_MEM_RS, F_RD_RS,
	F_RRR, F_RS_RS, F_JUMP, F_CALL, F_SVC, F_PUSH, F_POP, F_BRK,
};

struct opinfo {
	const char *name;
	enum form form;
};

static const struct opinfo ops[256] = {
	[HSX_OP_LDI] = { "LDI", F_RD_IMM }, [HSX_OP_LD] = { "LD", F_RD_MEM },
	[HSX_OP_ST] = { "ST", F_MEM_RS }, [HSX_OP_MOV] = { "MOV", F_RD_RS },
	[HSX_OP_LDB] = { "LDB", F_RD_MEM }, [HSX_OP_LDH] = { "LDH", F_RD_MEM },
	[HSX_OP_STB] = { "STB", F_MEM_RS }, [HSX_OP_STH] = { "STH", F_MEM_RS },
	[HSX_OP_ADD] = { "ADD", F_RRR }, [HSX_OP_SUB] = { "SUB", F_RRR },
	[HSX_OP_MUL] = { "MUL", F_RRR }, [HSX_OP_DIV] = { "DIV", F_RRR },
	[HSX_OP_AND] = { "AND", F_RRR }, [HSX_OP_OR] = { "OR", F_RRR },
	[HSX_OP_XOR] = { "XOR", F_RRR }, [HSX_OP_NOT] = { "NOT", F_RD_RS },
	[HSX_OP_CMP] = { "CMP", F_RS_RS }, [HSX_OP_JMP] = { "JMP", F_JUMP },
	[HSX_OP_JZ] = { "JZ", F_JUMP }, [HSX_OP_JNZ] = { "JNZ", F_JUMP },
	[HSX_OP_CALL] = { "CALL", F_CALL }, [HSX_OP_RET] = { "RET", F_NONE },
	[HSX_OP_SVC] = { "SVC", F_SVC }, [HSX_OP_LSL] = { "LSL", F_RRR },
	[HSX_OP_LSR] = { "LSR", F_RRR }, [HSX_OP_ASR] = { "ASR", F_RRR },
	[HSX_OP_ADC] = { "ADC", F_RRR }, [HSX_OP_SBC] = { "SBC", F_RRR },
	[HSX_OP_PUSH] = { "PUSH", F_PUSH }, [HSX_OP_POP] = { "POP", F_POP },
	[HSX_OP_FADD] = { "FADD", F_RRR }, [HSX_OP_FSUB] = { "FSUB", F_RRR },
	[HSX_OP_FMUL] = { "FMUL", F_RRR }, [HSX_OP_FDIV] = { "FDIV", F_RRR },
	[HSX_OP_I2F] = { "I2F", F_RD_RS }, [HSX_OP_F2I] = { "F2I", F_RD_RS },
	[HSX_OP_LDI32] = { "LDI32", F_RD_IMM32 }, [HSX_OP_BRK] = { "BRK", F_BRK },
};

#define RD(w) (((w) >> 20) & 0xF)
#define RS1(w) (((w) >> 16) & 0xF)
#define RS2(w) (((w) >> 12) & 0xF)
#define IMM(w) ((w) & 0xFFF)

static int32_t simm(uint32_t w)
{
	return (int32_t)(IMM(w) ^ 0x800) - 0x800;
}

/* The bits each form encodes; any other set bit makes the word raw. */
static const uint32_t form_mask[] = {
	[F_BAD] = 0, [F_NONE] = 0xFF000000u, [F_RD_IMM] = 0xFFF00FFFu,
	[F_RD_IMM32] = 0xFFF00000u, [F_RD_MEM] = 0xFFFF0FFFu,
	[F_MEM_RS] = 0xFF0FFFFFu, [F_RD_RS] = 0xFFFF0000u,
	[F_RRR] = 0xFFFFF000u, [F_RS_RS] = 0xFF0FF000u, [F_JUMP] = 0xFF000FFFu,
	[F_CALL] = 0xFF000FFFu, [F_SVC] = 0xFF000FFFu, [F_PUSH] = 0xFF0F0000u,
	[F_POP] = 0xFFF00000u, [F_BRK] = 0xFF0000FFu,
};

void dis_decode(uint32_t pc, uint32_t word, uint32_t next, int has_next,
		struct dis_insn *out)
{
	enum form f = ops[word >> 24].form;

	memset(out, 0, sizeof(*out));
	out->word = word;
	out->valid = f != F_BAD && !(word & ~form_mask[f]);
	if (!out->valid)
		return;
	if (f == F_RD_IMM32) {
		out->valid = has_next;
		out->wide = has_next;
	} else if (f == F_JUMP) {
		out->target_kind = 1;
		out->target = IMM(word);
	} else if (f == F_CALL) {
		out->target_kind = 2;
		out->target = (pc + (uint32_t)(simm(word) * 4)) & 0xFFFF;
	}
	(void)next;
}

static void mem(char *buf, size_t size, int base, int32_t off)
{
	if (off)
		snprintf(buf, size, "[R%d+%d]", base, off);
	else
		snprintf(buf, size, "[R%d]", base);
}

static void fmt_target(const struct dis_insn *in, uint32_t pc,
		       const char *(*label)(uint32_t, void *), void *arg,
		       char *buf, size_t size)
{
	const char *name = label ? label(in->target, arg) : NULL;

	if (name && (in->target_kind == 1 ||
		     pc + (uint32_t)(simm(in->word) * 4) == in->target))
		snprintf(buf, size, "%s", name);
	else if (in->target_kind == 1)
		snprintf(buf, size, "0x%03x", in->target);
	else
		snprintf(buf, size, "%d", simm(in->word));
}

void dis_format(const struct dis_insn *in, uint32_t pc, uint32_t next,
		const char *(*label)(uint32_t addr, void *arg), void *arg,
		char *buf, size_t size)
{
	const struct opinfo *o = &ops[in->word >> 24];
	uint32_t w = in->word;
	char m[48];

	if (!in->valid) {
		snprintf(buf, size, ".word 0x%08x", w);
		return;
	}
	switch (o->form) {
	case F_NONE:
		snprintf(buf, size, "%s", o->name);
		break;
	case F_RD_IMM:
		snprintf(buf, size, "%s R%u, %d", o->name, RD(w), simm(w));
		break;
	case F_RD_IMM32:
		snprintf(buf, size, "%s R%u, 0x%08x", o->name, RD(w), next);
		break;
	case F_RD_MEM:
		mem(m, sizeof(m), RS1(w), simm(w));
		snprintf(buf, size, "%s R%u, %s", o->name, RD(w), m);
		break;
	case F_MEM_RS:
		mem(m, sizeof(m), RS1(w), simm(w));
		snprintf(buf, size, "%s %s, R%u", o->name, m, RS2(w));
		break;
	case F_RD_RS:
		snprintf(buf, size, "%s R%u, R%u", o->name, RD(w), RS1(w));
		break;
	case F_RRR:
		snprintf(buf, size, "%s R%u, R%u, R%u", o->name, RD(w), RS1(w),
			 RS2(w));
		break;
	case F_RS_RS:
		snprintf(buf, size, "%s R%u, R%u", o->name, RS1(w), RS2(w));
		break;
	case F_JUMP:
	case F_CALL:
		fmt_target(in, pc, label, arg, m, sizeof(m));
		snprintf(buf, size, "%s %s", o->name, m);
		break;
	case F_SVC:
		snprintf(buf, size, "SVC MOD=0x%x, FN=0x%02x", IMM(w) >> 8,
			 IMM(w) & 0xFF);
		break;
	case F_PUSH:
		snprintf(buf, size, "PUSH R%u", RS1(w));
		break;
	case F_POP:
		snprintf(buf, size, "POP R%u", RD(w));
		break;
	default: /* F_BRK */
		snprintf(buf, size, "BRK %u", IMM(w));
		break;
	}
}
