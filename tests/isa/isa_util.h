/* SPDX-License-Identifier: MIT */
/*
 * DOC: helpers for the ISA conformance tests: hand-encode instructions,
 * build an image from words and create a task on it.
 */
#ifndef HSX_TESTS_ISA_UTIL_H
#define HSX_TESTS_ISA_UTIL_H

#include <stdlib.h>

#include "vm/vm.h"

#define ENC(op, rd, rs1, rs2, imm)                                       \
	((uint32_t)(op) << 24 | (uint32_t)(rd) << 20 | (uint32_t)(rs1) << 16 | \
	 (uint32_t)(rs2) << 12 | ((uint32_t)(imm) & 0xFFF))
#define I_LDI(rd, imm) ENC(HSX_OP_LDI, rd, 0, 0, imm)
#define I_RRR(op, rd, a, b) ENC(op, rd, a, b, 0)
#define I_RET ENC(HSX_OP_RET, 0, 0, 0, 0)
#define I_SVC(mod, fn) ENC(HSX_OP_SVC, 0, 0, 0, ((mod) << 8) | (fn))

static inline struct hsx_vm_task *
isa_task_ro(const uint32_t *words, size_t n, const void *ro, size_t ro_len,
	    const struct hsx_vm_task_config *cfg)
{
	uint8_t *code = malloc(n * 4);
	struct hsx_vm_image *img;
	struct hsx_vm_task *t;
	size_t i;

	if (!code)
		return NULL;
	for (i = 0; i < n; i++) {
		code[4 * i] = words[i] >> 24;
		code[4 * i + 1] = words[i] >> 16;
		code[4 * i + 2] = words[i] >> 8;
		code[4 * i + 3] = words[i];
	}
	img = hsx_vm_image_new(code, n * 4, ro, ro_len, 0);
	free(code);
	if (!img)
		return NULL;
	t = hsx_vm_task_new(img, cfg);
	hsx_vm_image_put(img);
	return t;
}

static inline struct hsx_vm_task *isa_task(const uint32_t *words, size_t n)
{
	return isa_task_ro(words, n, NULL, 0, NULL);
}

#define ISA_TASK(...)                                                    \
	({                                                               \
		static const uint32_t prog_[] = { __VA_ARGS__ };         \
		isa_task(prog_, sizeof(prog_) / sizeof(prog_[0]));       \
	})

#endif /* HSX_TESTS_ISA_UTIL_H */
