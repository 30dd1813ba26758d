/* SPDX-License-Identifier: MIT */
/*
 * DOC: MVASM assembler internals
 *
 * Each input file is a *unit*: its own .text and .data, labels private to
 * it unless exported.  Parsing (parse.c) turns lines into code words, data
 * bytes and fixups; linking (link.c) places units one after another,
 * resolves fixups against unit-local labels first and then against other
 * units' exports (for names the unit declared .extern/.import), and
 * refuses any value the encoding cannot hold (deviation 13).
 */
#ifndef HSX_AS_H
#define HSX_AS_H

#include <stddef.h>
#include <stdint.h>

enum as_section { SEC_TEXT, SEC_DATA };

enum as_fix_kind {
	FIX_IMM12,   /* signed 12-bit immediate (LDI, memory offsets) */
	FIX_JUMP,    /* absolute byte address, 0..0xFFF */
	FIX_CALL,    /* PC-relative word offset, signed 12-bit */
	FIX_IMM32,   /* LDI32 second word */
	FIX_WORD,    /* .word in .data (little-endian) */
	FIX_HALF,
	FIX_BYTE,
	FIX_CODEWORD, /* .word in .text (big-endian code word) */
};

enum as_expr_op { EXPR_SYM, EXPR_LO16, EXPR_HI16, EXPR_OFF16 };

struct as_loc {
	const char *file; /* interned, lives as long as the assembler */
	int line;
	int col;
};

struct as_fixup {
	enum as_fix_kind kind;
	enum as_expr_op op;
	char *sym;
	uint32_t offset;   /* byte offset in the unit's section */
	struct as_loc loc;
};

struct as_label {
	char *name;
	enum as_section sec;
	uint32_t offset;
	struct as_loc loc;
};

struct as_buf {
	uint8_t *data;
	size_t len, cap;
};

struct as_names {
	char **v;
	size_t n;
	struct as_loc *loc;
};

struct json_object;

/* A `.value` / `.cmd` entry as written (JSON), linked by meta.c. */
struct as_meta_ent {
	struct json_object *obj;
	struct as_loc loc;
};

struct as_meta_list {
	struct as_meta_ent *v;
	size_t n;
};

struct as_unit {
	const char *path;
	struct as_buf text, data;
	struct as_label *labels;
	size_t nlabels;
	struct as_fixup *fix;
	size_t nfix;
	struct as_names externs;  /* .extern / .import */
	struct as_names exports;  /* .export */
	char *entry_sym;
	int has_entry;
	uint32_t entry;
	struct as_loc entry_loc;
	char *mailboxes;          /* JSON array text of .mailbox entries */
	struct as_meta_list values, cmds; /* .value / .cmd entries */
	uint32_t text_base, data_base; /* set by the linker */
};

struct as_ctx {
	const char **incdirs;
	size_t nincdirs;
	int errors;
	char **interned;
	size_t ninterned;
};

/* Report "file:line:col: error: ..." and count it. */
void as_error(struct as_ctx *as, const struct as_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *as_intern(struct as_ctx *as, const char *s);

int as_parse_file(struct as_ctx *as, struct as_unit *u, const char *path);
void as_unit_free(struct as_unit *u);

struct as_output {
	uint8_t *code;
	size_t code_len;
	uint8_t *rodata;
	size_t ro_len;
	uint32_t entry;
	char *mailbox_json; /* canonical payload, or NULL */
	uint32_t mailbox_count;
	struct as_buf value_sect, cmd_sect; /* encoded sections, or empty */
	uint32_t value_count, cmd_count;
};

int as_link(struct as_ctx *as, struct as_unit *units, size_t n,
	    struct as_output *out);

int as_buf_put(struct as_buf *b, const void *p, size_t n);

/* Absolute code address of label @sym as seen from unit @ui. */
int as_resolve_code(struct as_ctx *as, struct as_unit *units, size_t n,
		    size_t ui, const char *sym, const struct as_loc *loc,
		    uint32_t *addr);

/* meta.c: collect `.value`/`.cmd` JSON (object or array) at @loc. */
int as_meta_add(struct as_ctx *as, struct as_meta_list *l, const char *json,
		const char *what, const struct as_loc *loc);
void as_meta_free(struct as_meta_list *l);
/* Encode every unit's entries into out->value_sect / out->cmd_sect. */
int as_link_meta(struct as_ctx *as, struct as_unit *units, size_t n,
		 struct as_output *out);

#endif /* HSX_AS_H */
