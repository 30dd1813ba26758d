// SPDX-License-Identifier: MIT
/*
 * DOC: MVASM parser
 *
 * One statement per line; ';' starts a comment outside quotes.  A label is
 * `name:` (alone on its line, or followed by a statement).  Mnemonics,
 * registers and directives are case-insensitive.  Operands that name a
 * symbol become fixups resolved at link time; literal operands are range
 * checked here, so nothing the ISA cannot encode is ever truncated.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vm/vm.h"
#include "as.h"

enum form {
	F_NONE, F_RD_IMM, F_RD_IMM32, F_RD_MEM, F_MEM_RS, F_RD_RS, F_RRR,
	F_RS_RS, F_JUMP, F_CALL, F_SVC, F_PUSH, F_POP, F_BRK,
};

static const struct insn {
	const char *name;
	uint8_t op;
	enum form form;
} insns[] = {
	{ "LDI", HSX_OP_LDI, F_RD_IMM }, { "LDI32", HSX_OP_LDI32, F_RD_IMM32 },
	{ "LD", HSX_OP_LD, F_RD_MEM }, { "LDB", HSX_OP_LDB, F_RD_MEM },
	{ "LDH", HSX_OP_LDH, F_RD_MEM }, { "ST", HSX_OP_ST, F_MEM_RS },
	{ "STB", HSX_OP_STB, F_MEM_RS }, { "STH", HSX_OP_STH, F_MEM_RS },
	{ "MOV", HSX_OP_MOV, F_RD_RS }, { "NOT", HSX_OP_NOT, F_RD_RS },
	{ "I2F", HSX_OP_I2F, F_RD_RS }, { "F2I", HSX_OP_F2I, F_RD_RS },
	{ "ADD", HSX_OP_ADD, F_RRR }, { "SUB", HSX_OP_SUB, F_RRR },
	{ "MUL", HSX_OP_MUL, F_RRR }, { "DIV", HSX_OP_DIV, F_RRR },
	{ "AND", HSX_OP_AND, F_RRR }, { "OR", HSX_OP_OR, F_RRR },
	{ "XOR", HSX_OP_XOR, F_RRR }, { "LSL", HSX_OP_LSL, F_RRR },
	{ "LSR", HSX_OP_LSR, F_RRR }, { "ASR", HSX_OP_ASR, F_RRR },
	{ "ADC", HSX_OP_ADC, F_RRR }, { "SBC", HSX_OP_SBC, F_RRR },
	{ "FADD", HSX_OP_FADD, F_RRR }, { "FSUB", HSX_OP_FSUB, F_RRR },
	{ "FMUL", HSX_OP_FMUL, F_RRR }, { "FDIV", HSX_OP_FDIV, F_RRR },
	{ "CMP", HSX_OP_CMP, F_RS_RS }, { "JMP", HSX_OP_JMP, F_JUMP },
	{ "JZ", HSX_OP_JZ, F_JUMP }, { "JNZ", HSX_OP_JNZ, F_JUMP },
	{ "CALL", HSX_OP_CALL, F_CALL }, { "RET", HSX_OP_RET, F_NONE },
	{ "SVC", HSX_OP_SVC, F_SVC }, { "PUSH", HSX_OP_PUSH, F_PUSH },
	{ "POP", HSX_OP_POP, F_POP }, { "BRK", HSX_OP_BRK, F_BRK },
};

#define MAX_ARGS 8

struct stmt {
	struct as_ctx *as;
	struct as_unit *u;
	enum as_section sec;
	struct as_loc loc;
	const char *line;  /* start of the source line, for columns */
	char *args[MAX_ARGS];
	int nargs;
};

/* --- small helpers --------------------------------------------------- */

int as_buf_put(struct as_buf *b, const void *p, size_t n)
{
	/* Empty appends happen (an empty .include operand, say) and may come
	 * with p and b->data still NULL: memcpy/pointer arithmetic on NULL
	 * is undefined even for 0 bytes. */
	if (!n)
		return 0;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static struct as_loc at(const struct stmt *s, const char *p)
{
	struct as_loc l = s->loc;

	l.col = (int)(p - s->line) + 1;
	return l;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_int(const char *s, int64_t *out)
{
	int neg = 0;
	char *end;
	int base = 10;

	if (*s == '\'' && s[1] && s[2] == '\'' && !s[3]) {
		*out = (unsigned char)s[1];
		return 0;
	}
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!isdigit((unsigned char)*s))
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2;
	errno = 0;
	*out = (int64_t)strtoull(s, &end, base);
	if (errno || *end || end == s)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

static int is_symbol(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_' || *s == '.'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' ||
		      *s == '$'))
			return 0;
	return 1;
}

static int parse_reg(const char *s)
{
	char *end;
	long n;

	if (*s != 'R' && *s != 'r')
		return -1;
	if (!isdigit((unsigned char)s[1]))
		return -1;
	n = strtol(s + 1, &end, 10);
	return *end || n < 0 || n > 15 ? -1 : (int)n;
}

static int want_reg(struct stmt *s, int i)
{
	int r;

	if (i >= s->nargs) {
		struct as_loc l = s->loc;

		as_error(s->as, &l, "missing register operand %d", i + 1);
		return -1;
	}
	r = parse_reg(s->args[i]);
	if (r < 0) {
		struct as_loc l = at(s, s->args[i]);

		as_error(s->as, &l, "expected a register R0..R15, got '%s'",
			 s->args[i]);
	}
	return r;
}

static int add_fixup(struct stmt *s, enum as_fix_kind kind,
		     enum as_expr_op op, const char *sym, uint32_t offset,
		     const char *where)
{
	struct as_unit *u = s->u;
	struct as_fixup *f = realloc(u->fix, (u->nfix + 1) * sizeof(*f));

	if (!f)
		return -1;
	u->fix = f;
	f += u->nfix++;
	f->kind = kind;
	f->op = op;
	f->sym = strdup(sym);
	f->offset = offset;
	f->loc = at(s, where);
	return 0;
}

/*
 * An operand that is an integer (returns 1 with *v) or a symbol
 * expression (returns 0 and adds a fixup of @kind at @offset).
 */
static int operand(struct stmt *s, char *arg, enum as_fix_kind kind,
		   uint32_t offset, int64_t *v)
{
	static const struct { const char *fn; enum as_expr_op op; } fns[] = {
		{ "lo16(", EXPR_LO16 }, { "hi16(", EXPR_HI16 },
		{ "off16(", EXPR_OFF16 },
	};
	struct as_loc l = at(s, arg);
	size_t i, n;

	if (!parse_int(arg, v))
		return 1;
	for (i = 0; i < 3; i++) {
		n = strlen(fns[i].fn);
		if (strncasecmp(arg, fns[i].fn, n) || arg[strlen(arg) - 1] != ')')
			continue;
		arg[strlen(arg) - 1] = 0;
		if (!is_symbol(trim(arg + n)))
			break;
		add_fixup(s, kind, fns[i].op, trim(arg + n), offset, arg);
		return 0;
	}
	if (i == 3 && is_symbol(arg)) {
		add_fixup(s, kind, EXPR_SYM, arg, offset, arg);
		return 0;
	}
	as_error(s->as, &l, "expected a number or symbol, got '%s'", arg);
	return -1;
}

static int range(struct stmt *s, const char *arg, int64_t v, int64_t lo,
		 int64_t hi, const char *what)
{
	struct as_loc l = at(s, arg);

	if (v >= lo && v <= hi)
		return 0;
	as_error(s->as, &l, "%s %lld does not fit (allowed %lld..%lld)", what,
		 (long long)v, (long long)lo, (long long)hi);
	return -1;
}

/* --- instructions ------------------------------------------------------ */

static void emit(struct stmt *s, uint32_t w)
{
	uint8_t b[4] = { w >> 24, w >> 16, w >> 8, w };

	as_buf_put(&s->u->text, b, 4);
}

static uint32_t enc(uint8_t op, int rd, int rs1, int rs2, uint32_t imm)
{
	return (uint32_t)op << 24 | (uint32_t)(rd & 15) << 20 |
	       (uint32_t)(rs1 & 15) << 16 | (uint32_t)(rs2 & 15) << 12 |
	       (imm & 0xFFF);
}

static int nargs_is(struct stmt *s, int n)
{
	if (s->nargs == n)
		return 0;
	as_error(s->as, &s->loc, "expected %d operand%s, got %d", n,
		 n == 1 ? "" : "s", s->nargs);
	return -1;
}

/* "[Rs+imm]", "[Rs]", "[Rs+-8]", "[Rs-8]": base register and offset. */
static int mem_operand(struct stmt *s, char *arg, uint32_t here, int *rs,
		       int64_t *imm)
{
	char *p, *end = arg + strlen(arg) - 1;
	struct as_loc l = at(s, arg);
	int r;

	*imm = 0;
	if (*arg != '[' || *end != ']') {
		as_error(s->as, &l, "expected [Rs+imm], got '%s'", arg);
		return -1;
	}
	*end = 0;
	p = arg + 1 + strcspn(arg + 1, "+-");
	if (*p == '-') {
		memmove(p + 1, p, strlen(p) + 1); /* "-8" stays "-8" */
		*p++ = 0;
	} else if (*p) {
		*p++ = 0;
	}
	*rs = parse_reg(trim(arg + 1));
	if (*rs < 0) {
		as_error(s->as, &l, "expected a base register in '%s'", arg + 1);
		return -1;
	}
	if (!*p)
		return 0;
	p = trim(p);
	r = operand(s, p, FIX_IMM12, here, imm);
	if (r == 1 && range(s, p, *imm, -2048, 2047, "offset"))
		return -1;
	return r < 0 ? -1 : 0;
}

/* One "MOD=m" or "FN=f" term; -1 if it is neither. */
static int svc_term(struct stmt *s, char *term, int64_t *mod, int64_t *fn)
{
	char *eq = strchr(term, '=');
	int64_t v;

	if (!eq || parse_int(trim(eq + 1), &v))
		return -1;
	*eq = 0;
	if (!strcasecmp(trim(term), "MOD"))
		return range(s, term, v, 0, 15, "SVC module") ? -1 :
		       (*mod = v, 0);
	if (!strcasecmp(trim(term), "FN"))
		return range(s, term, v, 0, 255, "SVC function") ? -1 :
		       (*fn = v, 0);
	return -1;
}

/*
 * "imm12", "MOD=m, FN=f" or, as the reference assembler also takes it,
 * "MOD=m FN=f" (the compiler emits it without the comma).
 */
static int svc_operands(struct stmt *s, int64_t *imm)
{
	int64_t mod = 0, fn = 0;
	char *term, *save;
	int i;

	if (s->nargs == 1 && !strchr(s->args[0], '=')) {
		if (parse_int(s->args[0], imm) ||
		    range(s, s->args[0], *imm, 0, 0xFFF, "SVC immediate"))
			goto bad;
		return 0;
	}
	for (i = 0; i < s->nargs; i++)
		for (term = strtok_r(s->args[i], " \t", &save); term;
		     term = strtok_r(NULL, " \t", &save))
			if (svc_term(s, term, &mod, &fn))
				goto bad;
	*imm = mod << 8 | fn;
	return 0;
bad:
	as_error(s->as, &s->loc, "SVC expects 'imm12' or 'MOD=m, FN=f'");
	return -1;
}

static int insn_imm(struct stmt *s, const struct insn *in, uint32_t here)
{
	int64_t v = 0;
	int rd = 0, r;

	switch (in->form) {
	case F_RD_IMM:
		if (nargs_is(s, 2) || (rd = want_reg(s, 0)) < 0)
			return -1;
		r = operand(s, s->args[1], FIX_IMM12, here, &v);
		if (r < 0 || (r == 1 && range(s, s->args[1], v, -2048, 2047,
					       "immediate")))
			return -1;
		emit(s, enc(in->op, rd, 0, 0, (uint32_t)v));
		return 0;
	case F_RD_IMM32:
		if (nargs_is(s, 2) || (rd = want_reg(s, 0)) < 0)
			return -1;
		r = operand(s, s->args[1], FIX_IMM32, here + 4, &v);
		if (r < 0 || (r == 1 && range(s, s->args[1], v, INT32_MIN,
					       UINT32_MAX, "immediate")))
			return -1;
		emit(s, enc(in->op, rd, 0, 0, 0));
		emit(s, (uint32_t)v);
		return 0;
	case F_JUMP:
		if (nargs_is(s, 1))
			return -1;
		r = operand(s, s->args[0], FIX_JUMP, here, &v);
		if (r < 0 || (r == 1 && range(s, s->args[0], v, 0, 0xFFF,
					       "jump target")))
			return -1;
		emit(s, enc(in->op, 0, 0, 0, (uint32_t)v));
		return 0;
	default: /* F_CALL */
		if (nargs_is(s, 1))
			return -1;
		r = operand(s, s->args[0], FIX_CALL, here, &v);
		if (r < 0 || (r == 1 && range(s, s->args[0], v, -2048, 2047,
					       "call word offset")))
			return -1;
		emit(s, enc(in->op, 0, 0, 0, (uint32_t)v));
		return 0;
	}
}

static int insn_regs(struct stmt *s, const struct insn *in)
{
	int a, b, c;

	switch (in->form) {
	case F_NONE:
		if (nargs_is(s, 0))
			return -1;
		emit(s, enc(in->op, 0, 0, 0, 0));
		return 0;
	case F_RD_RS:
		if (nargs_is(s, 2) || (a = want_reg(s, 0)) < 0 ||
		    (b = want_reg(s, 1)) < 0)
			return -1;
		emit(s, enc(in->op, a, b, 0, 0));
		return 0;
	case F_RS_RS:
		if (nargs_is(s, 2) || (a = want_reg(s, 0)) < 0 ||
		    (b = want_reg(s, 1)) < 0)
			return -1;
		emit(s, enc(in->op, 0, a, b, 0));
		return 0;
	case F_RRR:
		if (nargs_is(s, 3) || (a = want_reg(s, 0)) < 0 ||
		    (b = want_reg(s, 1)) < 0 || (c = want_reg(s, 2)) < 0)
			return -1;
		emit(s, enc(in->op, a, b, c, 0));
		return 0;
	case F_PUSH:
		if (nargs_is(s, 1) || (a = want_reg(s, 0)) < 0)
			return -1;
		emit(s, enc(in->op, 0, a, 0, 0));
		return 0;
	default: /* F_POP */
		if (nargs_is(s, 1) || (a = want_reg(s, 0)) < 0)
			return -1;
		emit(s, enc(in->op, a, 0, 0, 0));
		return 0;
	}
}

static int insn_other(struct stmt *s, const struct insn *in, uint32_t here)
{
	int64_t v = 0;
	int a, b;

	switch (in->form) {
	case F_RD_MEM:
		if (nargs_is(s, 2) || (a = want_reg(s, 0)) < 0 ||
		    mem_operand(s, s->args[1], here, &b, &v))
			return -1;
		emit(s, enc(in->op, a, b, 0, (uint32_t)v));
		return 0;
	case F_MEM_RS:
		if (nargs_is(s, 2) || (b = want_reg(s, 1)) < 0 ||
		    mem_operand(s, s->args[0], here, &a, &v))
			return -1;
		emit(s, enc(in->op, 0, a, b, (uint32_t)v));
		return 0;
	case F_SVC:
		if (svc_operands(s, &v))
			return -1;
		emit(s, enc(in->op, 0, 0, 0, (uint32_t)v));
		return 0;
	default: /* F_BRK */
		if (s->nargs > 1 || (s->nargs == 1 && (parse_int(s->args[0], &v) ||
				     range(s, s->args[0], v, 0, 255, "BRK code"))))
			return s->nargs > 1 ? nargs_is(s, 1) : -1;
		emit(s, enc(in->op, 0, 0, 0, (uint32_t)v));
		return 0;
	}
}

static int instruction(struct stmt *s, const char *mnem)
{
	uint32_t here = (uint32_t)s->u->text.len;
	size_t i;

	for (i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		const struct insn *in = &insns[i];

		if (strcasecmp(in->name, mnem))
			continue;
		if (s->sec != SEC_TEXT) {
			as_error(s->as, &s->loc, "instruction %s in .data", mnem);
			return -1;
		}
		switch (in->form) {
		case F_RD_IMM: case F_RD_IMM32: case F_JUMP: case F_CALL:
			return insn_imm(s, in, here);
		case F_RD_MEM: case F_MEM_RS: case F_SVC: case F_BRK:
			return insn_other(s, in, here);
		default:
			return insn_regs(s, in);
		}
	}
	as_error(s->as, &s->loc, "unknown mnemonic '%s'", mnem);
	return -1;
}

/* --- operand splitting ------------------------------------------------ */

/* Split at top-level commas (outside quotes and brackets). */
static int split_args(struct stmt *s, char *p)
{
	char quote = 0, *start = p;
	int depth = 0;

	s->nargs = 0;
	for (; ; p++) {
		if (quote) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
			if (*p)
				continue;
		}
		if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '[' || *p == '(' || *p == '{') {
			depth++;
		} else if (*p == ']' || *p == ')' || *p == '}') {
			depth--;
		} else if ((*p == ',' && !depth) || !*p) {
			int last = !*p;

			*p = 0;
			if (s->nargs == MAX_ARGS)
				return -1;
			if (*trim(start) || !last || s->nargs)
				s->args[s->nargs++] = trim(start);
			if (last)
				return 0;
			start = p + 1;
		}
	}
}

static int parse_path(struct stmt *s, const char *path, int depth);

#include "directives.inc"

/* --- lines --------------------------------------------------------------- */

static char *strip_comment(char *line)
{
	char quote = 0, *p;

	for (p = line; *p; p++) {
		if (quote) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
		} else if (*p == '"' || (*p == '\'' && p[1] && p[2] == '\'')) {
			quote = *p;
		} else if (*p == ';') {
			*p = 0;
			break;
		}
	}
	return line;
}

static int define_label(struct stmt *s, char *name)
{
	struct as_unit *u = s->u;
	struct as_label *l;
	size_t i;

	if (!is_symbol(name)) {
		as_error(s->as, &s->loc, "invalid label name '%s'", name);
		return -1;
	}
	for (i = 0; i < u->nlabels; i++)
		if (!strcmp(u->labels[i].name, name)) {
			as_error(s->as, &s->loc, "duplicate label '%s' (first "
				 "defined at line %d)", name,
				 u->labels[i].loc.line);
			return -1;
		}
	l = realloc(u->labels, (u->nlabels + 1) * sizeof(*l));
	if (!l)
		return -1;
	u->labels = l;
	l += u->nlabels++;
	l->name = strdup(name);
	l->sec = s->sec;
	l->offset = (uint32_t)(s->sec == SEC_TEXT ? u->text.len : u->data.len);
	l->loc = s->loc;
	return 0;
}

static int statement(struct stmt *s, char *line, int depth, const char *dir);

static int one_line(struct stmt *s, char *raw, int depth, const char *dir)
{
	char *line = trim(strip_comment(raw)), *colon;

	if (!*line)
		return 0;
	colon = line + strcspn(line, " \t\"'[:");
	if (*colon == ':' && line[0] != '.') {
		*colon = 0;
		if (define_label(s, trim(line)))
			return -1;
		line = trim(colon + 1);
		if (!*line)
			return 0;
	} else if (*colon == ':' && line[strlen(line) - 1] == ':') {
		line[strlen(line) - 1] = 0; /* ".Lfoo:" local-style label */
		return define_label(s, trim(line));
	}
	return statement(s, line, depth, dir);
}

static int statement(struct stmt *s, char *line, int depth, const char *dir)
{
	char *rest = line + strcspn(line, " \t");

	if (*rest)
		*rest++ = 0;
	rest = trim(rest);
	if (line[0] == '.')
		return directive(s, line, rest, depth, dir);
	if (split_args(s, rest)) {
		as_error(s->as, &s->loc, "too many operands");
		return -1;
	}
	return instruction(s, line);
}

static int parse_stream(struct stmt *s, FILE *fp, const char *path,
			int depth)
{
	char *line = NULL, *copy = strdup(path), *dir = dirname(copy);
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, ret = 0;
	struct as_loc saved = s->loc;

	s->loc.file = as_intern(s->as, path);
	while ((n = getline(&line, &cap, fp)) >= 0) {
		s->loc.line = ++lineno;
		s->loc.col = 1;
		s->line = line;
		if (one_line(s, line, depth, dir))
			ret = -1;
	}
	free(line);
	free(copy);
	s->loc = saved;
	return ret;
}

static int parse_path(struct stmt *s, const char *path, int depth)
{
	FILE *fp;
	int ret;

	if (depth > 16) {
		as_error(s->as, &s->loc, ".include nested too deeply at '%s' "
			 "(recursive include?)", path);
		return -1;
	}
	fp = fopen(path, "r");
	if (!fp) {
		as_error(s->as, &s->loc, "cannot open '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	ret = parse_stream(s, fp, path, depth);
	fclose(fp);
	return ret;
}

int as_parse_file(struct as_ctx *as, struct as_unit *u, const char *path)
{
	struct stmt s = { .as = as, .u = u, .sec = SEC_TEXT };
	int errors = as->errors;

	u->path = as_intern(as, path);
	s.loc.file = u->path;
	parse_path(&s, path, 0);
	return as->errors == errors ? 0 : -1;
}

static void free_names(struct as_names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	free(n->loc);
}

void as_unit_free(struct as_unit *u)
{
	size_t i;

	free(u->text.data);
	free(u->data.data);
	for (i = 0; i < u->nlabels; i++)
		free(u->labels[i].name);
	free(u->labels);
	for (i = 0; i < u->nfix; i++)
		free(u->fix[i].sym);
	free(u->fix);
	free_names(&u->externs);
	free_names(&u->exports);
	free(u->entry_sym);
	free(u->mailboxes);
	as_meta_free(&u->values);
	as_meta_free(&u->cmds);
}
