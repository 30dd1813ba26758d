/* SPDX-License-Identifier: MIT */
/*
 * DOC: hsx-dis internals
 *
 * decode.c turns code words into MVASM text that hsx-as encodes back to
 * the same word (anything else is printed as a raw `.word`); meta.c
 * prints the metadata sections as the directives that produce them.
 */
#ifndef HSX_DIS_H
#define HSX_DIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hxe/hxe.h"

/* What one code word is, after decoding. */
struct dis_insn {
	uint32_t word;
	int valid;        /* encodes back to exactly this word */
	int wide;         /* LDI32: the next word is its operand */
	int target_kind;  /* 0 none, 1 absolute jump, 2 PC-relative call */
	uint32_t target;  /* code address for target_kind != 0 */
};

/* Decode the word at @pc (@next is the following word, if @has_next). */
void dis_decode(uint32_t pc, uint32_t word, uint32_t next, int has_next,
		struct dis_insn *out);

/*
 * Print the instruction's mnemonic and operands into @buf.  @label(pc)
 * returns the label name for a code address, or NULL; targets without
 * a label are printed numerically.
 */
void dis_format(const struct dis_insn *in, uint32_t pc, uint32_t next,
		const char *(*label)(uint32_t addr, void *arg), void *arg,
		char *buf, size_t size);

/* Print every metadata section as .mailbox/.value/.cmd directives. */
int dis_metadata(FILE *out, const struct hsx_hxe_image *img);

#endif /* HSX_DIS_H */
