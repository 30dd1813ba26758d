// SPDX-License-Identifier: MIT
/*
 * DOC: MVASM linker
 *
 * Units are laid out in command-line order: text after text, data after
 * data.  A symbol resolves to the unit's own label first; otherwise the
 * unit must have declared it .extern/.import and exactly one unit must
 * export it.  As in the reference linker (hld.py), a unit exports what it
 * names in .export, every .extern/.import symbol it defines itself, and
 * the symbol its .entry names.  Every resolved value is range-checked
 * against its field:
 * JMP/JZ/JNZ need an absolute target <= 0xFFF, CALL a word offset that
 * fits 12 signed bits, LDI and memory offsets a signed 12-bit value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hxe/hxe.h"
#include "vm/vm.h"
#include "as.h"

struct resolved {
	uint32_t abs;       /* absolute address (text offset or 0x4000+) */
	uint32_t data_off;  /* offset inside the linked .data */
	enum as_section sec;
};

static const struct as_label *find_label(const struct as_unit *u,
					 const char *name)
{
	size_t i;

	for (i = 0; i < u->nlabels; i++)
		if (!strcmp(u->labels[i].name, name))
			return &u->labels[i];
	return NULL;
}

static int has_name(const struct as_names *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (!strcmp(n->v[i], name))
			return 1;
	return 0;
}

/* Does unit @u export @name (reference rules, see the DOC above)? */
static int exports(const struct as_unit *u, const char *name)
{
	if (!find_label(u, name))
		return 0;
	return has_name(&u->exports, name) || has_name(&u->externs, name) ||
	       (u->entry_sym && !strcmp(u->entry_sym, name));
}

static void place(const struct as_unit *u, const struct as_label *l,
		  struct resolved *r)
{
	r->sec = l->sec;
	if (l->sec == SEC_TEXT) {
		r->abs = u->text_base + l->offset;
		r->data_off = 0;
	} else {
		r->data_off = u->data_base + l->offset;
		r->abs = HSX_VM_RODATA_BASE + r->data_off;
	}
}

static int resolve(struct as_ctx *as, struct as_unit *units, size_t n,
		   size_t ui, const char *name, const struct as_loc *loc,
		   struct resolved *r)
{
	const struct as_label *l = find_label(&units[ui], name);
	size_t i, found = n;

	if (l) {
		place(&units[ui], l, r);
		return 0;
	}
	if (!has_name(&units[ui].externs, name)) {
		as_error(as, loc, "undefined symbol '%s' (declare it .extern "
			 "if another file exports it)", name);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (i == ui || !exports(&units[i], name))
			continue;
		if (found != n) {
			as_error(as, loc, "symbol '%s' is exported by both %s "
				 "and %s", name, units[found].path, units[i].path);
			return -1;
		}
		found = i;
	}
	if (found == n) {
		as_error(as, loc, "extern symbol '%s' is not exported by any "
			 "input file", name);
		return -1;
	}
	place(&units[found], find_label(&units[found], name), r);
	return 0;
}

int as_resolve_code(struct as_ctx *as, struct as_unit *units, size_t n,
		    size_t ui, const char *sym, const struct as_loc *loc,
		    uint32_t *addr)
{
	struct resolved r;

	if (resolve(as, units, n, ui, sym, loc, &r))
		return -1;
	if (r.sec != SEC_TEXT) {
		as_error(as, loc, "'%s' is not a code label", sym);
		return -1;
	}
	*addr = r.abs;
	return 0;
}

static int expr_value(struct as_ctx *as, const struct as_fixup *f,
		      const struct resolved *r, int64_t *v)
{
	switch (f->op) {
	case EXPR_LO16:
		*v = r->abs & 0xFFFF;
		return 0;
	case EXPR_HI16:
		*v = (r->abs >> 16) & 0xFFFF;
		return 0;
	case EXPR_OFF16:
		if (r->sec != SEC_DATA) {
			as_error(as, &f->loc, "off16(%s) needs a .data symbol",
				 f->sym);
			return -1;
		}
		*v = r->data_off & 0xFFFF;
		return 0;
	default:
		*v = r->abs;
		return 0;
	}
}

static int fits(struct as_ctx *as, const struct as_fixup *f, int64_t v,
		int64_t lo, int64_t hi, const char *what)
{
	if (v >= lo && v <= hi)
		return 1;
	as_error(as, &f->loc, "%s for '%s' is 0x%llx, outside %lld..%lld: "
		 "the instruction cannot encode it", what, f->sym,
		 (unsigned long long)v, (long long)lo, (long long)hi);
	return 0;
}

static void put_imm12(uint8_t *w, int64_t v)
{
	w[2] = (uint8_t)((w[2] & 0xF0) | ((v >> 8) & 0x0F));
	w[3] = (uint8_t)v;
}

static void put_be32(uint8_t *w, uint32_t v)
{
	w[0] = v >> 24;
	w[1] = v >> 16;
	w[2] = v >> 8;
	w[3] = v;
}

static int apply_code(struct as_ctx *as, const struct as_fixup *f,
		      uint8_t *w, uint32_t pc, const struct resolved *r,
		      int64_t v)
{
	switch (f->kind) {
	case FIX_IMM12:
		if (!fits(as, f, v, -2048, 2047, "12-bit signed immediate"))
			return -1;
		put_imm12(w, v);
		return 0;
	case FIX_JUMP:
		if (r->sec != SEC_TEXT && f->op == EXPR_SYM) {
			as_error(as, &f->loc, "jump to .data symbol '%s'", f->sym);
			return -1;
		}
		if (!fits(as, f, v, 0, 0xFFF, "absolute jump target"))
			return -1;
		put_imm12(w, v);
		return 0;
	case FIX_CALL:
		if (r->sec != SEC_TEXT || v % 4) {
			as_error(as, &f->loc, "CALL target '%s' is not code", f->sym);
			return -1;
		}
		v = (v - (int64_t)pc) / 4;
		if (!fits(as, f, v, -2048, 2047, "CALL word offset"))
			return -1;
		put_imm12(w, v);
		return 0;
	default: /* FIX_IMM32, FIX_CODEWORD */
		put_be32(w, (uint32_t)v);
		return 0;
	}
}

static int apply_data(struct as_ctx *as, const struct as_fixup *f,
		      uint8_t *d, int64_t v)
{
	int size = f->kind == FIX_WORD ? 4 : f->kind == FIX_HALF ? 2 : 1;
	int i;

	if (size < 4 && !fits(as, f, v, 0, (1ll << (8 * size)) - 1,
			      size == 2 ? ".half value" : ".byte value"))
		return -1;
	for (i = 0; i < size; i++)
		d[i] = (uint8_t)(v >> (8 * i));
	return 0;
}

static int apply(struct as_ctx *as, struct as_unit *units, size_t n,
		 size_t ui, const struct as_fixup *f, struct as_output *out)
{
	struct as_unit *u = &units[ui];
	struct resolved r;
	int64_t v;

	if (resolve(as, units, n, ui, f->sym, &f->loc, &r) ||
	    expr_value(as, f, &r, &v))
		return -1;
	if (f->kind == FIX_IMM32 || f->kind == FIX_CODEWORD) {
		uint32_t pc = u->text_base + f->offset;

		return apply_code(as, f, out->code + pc, pc, &r, v);
	}
	if (f->kind <= FIX_CALL) {
		uint32_t pc = u->text_base + f->offset;

		return apply_code(as, f, out->code + pc, pc, &r, v);
	}
	return apply_data(as, f, out->rodata + u->data_base + f->offset, v);
}

static int concat(struct as_ctx *as, struct as_unit *units, size_t n,
		  struct as_output *out)
{
	size_t i, code = 0, data = 0;

	for (i = 0; i < n; i++) {
		units[i].text_base = (uint32_t)code;
		units[i].data_base = (uint32_t)data;
		code += units[i].text.len;
		data += units[i].data.len;
	}
	if (!code || code > HSX_VM_CODE_MAX ||
	    data > HSX_VM_MEM_SIZE - HSX_VM_RODATA_BASE) {
		struct as_loc l = { units[0].path, 0, 0 };

		as_error(as, &l, "code is %zu bytes (1..65536 allowed), data %zu "
			 "bytes (at most 49152 fit above 0x4000)", code, data);
		return -1;
	}
	out->code = calloc(1, code);
	out->rodata = calloc(1, data ? data : 1);
	out->code_len = code;
	out->ro_len = data;
	for (i = 0; i < n; i++) {
		memcpy(out->code + units[i].text_base, units[i].text.data,
		       units[i].text.len);
		if (units[i].data.len)
			memcpy(out->rodata + units[i].data_base,
			       units[i].data.data, units[i].data.len);
	}
	return 0;
}

static int check_exports(struct as_ctx *as, struct as_unit *units, size_t n)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < units[i].exports.n; j++)
			if (!find_label(&units[i], units[i].exports.v[j])) {
				as_error(as, &units[i].exports.loc[j],
					 ".export of undefined symbol '%s'",
					 units[i].exports.v[j]);
				ret = -1;
			}
	return ret;
}

static int entry_at(struct as_ctx *as, const struct as_unit *u,
		    uint32_t entry, struct as_output *out)
{
	if (entry % 4 || entry >= out->code_len) {
		as_error(as, &u->entry_loc, "entry 0x%x is not a code address",
			 entry);
		return -1;
	}
	out->entry = entry;
	return 0;
}

/*
 * The reference linker's order: an exported _start; else the first unit
 * whose .entry names a symbol; else unit 0's numeric or bare .entry; else
 * 0.  A numeric or bare .entry in any later unit is ignored: the C
 * compiler emits a bare one in every unit that lacks main.
 */
static int link_entry(struct as_ctx *as, struct as_unit *units, size_t n,
		      struct as_output *out)
{
	struct resolved r;
	size_t i;

	out->entry = 0;
	for (i = 0; i < n; i++)
		if (exports(&units[i], "_start")) {
			place(&units[i], find_label(&units[i], "_start"), &r);
			return entry_at(as, &units[i], r.abs, out);
		}
	for (i = 0; i < n; i++) {
		struct as_unit *u = &units[i];

		if (!u->has_entry || !u->entry_sym)
			continue;
		if (resolve(as, units, n, i, u->entry_sym, &u->entry_loc, &r))
			return -1;
		return entry_at(as, u, r.abs, out);
	}
	if (units[0].has_entry)
		return entry_at(as, &units[0], units[0].entry, out);
	return 0;
}

struct mbx_ent {
	struct json_object *obj;
	const char *target;
	size_t index;
};

/* By target, then source order: Python's stable sort in hld.py. */
static int mbx_cmp(const void *a, const void *b)
{
	const struct mbx_ent *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * hld.py's normalisation: each entry's "target" is its target (or name)
 * without surrounding blanks, a target may be declared once, and the
 * entries are sorted by target.  Returns the JSON array text or NULL.
 */
static char *mailbox_entries(struct as_ctx *as, const struct as_loc *loc,
			     const char *json)
{
	struct json_object *arr = json_tokener_parse(json), *out, *t;
	struct mbx_ent *v = NULL;
	size_t n = 0, i;
	char *text = NULL;

	if (arr && json_object_is_type(arr, json_type_array))
		n = json_object_array_length(arr);
	v = calloc(n ? n : 1, sizeof(*v));
	out = json_object_new_array();
	for (i = 0; v && out && i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		const char *s;
		size_t len;

		if (!json_object_is_type(o, json_type_object) ||
		    (!json_object_object_get_ex(o, "target", &t) &&
		     !json_object_object_get_ex(o, "name", &t)) ||
		    !json_object_is_type(t, json_type_string))
			break;
		s = json_object_get_string(t);
		s += strspn(s, " \t\r\n");
		for (len = strlen(s); len && strchr(" \t\r\n", s[len - 1]); len--)
			;
		if (!len)
			break;
		json_object_object_add(o, "target",
				       json_object_new_string_len(s, (int)len));
		json_object_object_get_ex(o, "target", &t);
		v[i] = (struct mbx_ent){ o, json_object_get_string(t), i };
	}
	if (!v || !out || i < n) {
		as_error(as, loc, ".mailbox: every entry needs a \"target\"");
		goto out;
	}
	qsort(v, n, sizeof(*v), mbx_cmp);
	for (i = 0; i < n; i++) {
		if (i && !strcmp(v[i - 1].target, v[i].target)) {
			as_error(as, loc, ".mailbox: target '%s' is declared "
				 "twice", v[i].target);
			goto out;
		}
		json_object_array_add(out, json_object_get(v[i].obj));
	}
	text = strdup(json_object_to_json_string_ext(out,
				JSON_C_TO_STRING_PLAIN));
out:
	free(v);
	json_object_put(out);
	json_object_put(arr);
	return text;
}

static int link_mailboxes(struct as_ctx *as, struct as_unit *units, size_t n,
			  struct as_output *out)
{
	struct as_loc l = { units[0].path, 0, 0 };
	struct hsx_hxe_mailbox *mb = NULL;
	struct hsx_hxe_error err;
	struct as_buf all = { 0 };
	size_t i, count = 0;
	char *sorted;
	int ret = 0;

	for (i = 0; i < n; i++) {
		const char *m = units[i].mailboxes;

		if (!m)
			continue;
		as_buf_put(&all, all.len ? "," : "[", 1);
		as_buf_put(&all, m + 1, strlen(m) - 2);
	}
	if (!all.len)
		return 0;
	as_buf_put(&all, "]", 2);
	sorted = mailbox_entries(as, &l, (char *)all.data);
	free(all.data);
	if (!sorted)
		return -1;
	out->mailbox_json = hsx_hxe_mailbox_json(sorted, &err);
	if (!out->mailbox_json ||
	    hsx_hxe_parse_mailboxes((uint8_t *)out->mailbox_json,
				    strlen(out->mailbox_json), 0, &mb, &count,
				    &err)) {
		as_error(as, &l, ".mailbox: %s", err.msg);
		ret = -1;
	}
	/* A failed parse leaves the entries decoded so far for us to free. */
	out->mailbox_count = ret ? 0 : (uint32_t)count;
	hsx_hxe_free_mailboxes(mb, count);
	free(sorted);
	return ret;
}

int as_link(struct as_ctx *as, struct as_unit *units, size_t n,
	    struct as_output *out)
{
	size_t i, j;
	int errors = as->errors;

	memset(out, 0, sizeof(*out));
	if (concat(as, units, n, out) || check_exports(as, units, n))
		return -1;
	for (i = 0; i < n; i++)
		for (j = 0; j < units[i].nfix; j++)
			apply(as, units, n, i, &units[i].fix[j], out);
	if (link_entry(as, units, n, out) || link_mailboxes(as, units, n, out) ||
	    as_link_meta(as, units, n, out))
		return -1;
	return as->errors == errors ? 0 : -1;
}
