// SPDX-License-Identifier: MIT
/*
 * DOC: `.value` and `.cmd` metadata sections (HXE v2 types 1 and 2)
 *
 *   .value {"group_id":1,"value_id":5,"name":"speed","unit":"rpm",
 *           "init":0.0,"min":0,"max":100,"flags":0,"auth_level":0,
 *           "epsilon":0.5,"persist_key":0,"group_name":"motor"}
 *   .cmd {"group_id":1,"cmd_id":10,"handler":"do_reset",
 *         "name":"reset","help":"Reset the controller"}
 *
 * Each directive takes one JSON object or an array of them, on one line.
 * The binary layout is the reference linker's (hld.py), which is what
 * hsx-reference section 4.3 sizes: big-endian records, then a string
 * table; string offsets count from the section start, 0 means none, equal
 * strings are stored once.
 *
 *   .value, 20 bytes: group_id u8, value_id u8, flags u8, auth_level u8,
 *     init f16, name_off u16, unit_off u16, epsilon f16, min f16, max f16,
 *     persist_key u16, group_name_off u16
 *   .cmd, 16 bytes: group_id u8, cmd_id u8, flags u8, auth_level u8,
 *     handler_offset u32, name_off u16, help_off u16,
 *     reserved u16 << 16 | group_name_off u16
 *
 * Field names and aliases follow hld.py (asm.py's normalisation), in
 * its lookup order: see value_fields and cmd_fields.  flags and auth
 * take a number or hld.py's names (PERSIST|PIN, USER...).  f16 fields take a number (rounded half to even, overflow to
 * infinity, as Python's struct 'e' does) or the raw bits as init_raw,
 * epsilon_raw, min_raw, max_raw.  A handler may also name a code label.
 * Entries of all input files are merged, sorted by (group, id), and a
 * duplicate (group, id) is an error, as in hld.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "as.h"

enum field_kind { K_U8, K_U16, K_U32, K_F16, K_STR, K_HANDLER, K_FLAGS, K_AUTH };

/* A symbolic name for a flag bit or an auth level (hsx_value.h, hsx_command.h). */
struct sym {
	const char *name;
	unsigned int value;
};

static const struct sym value_flags[] = {
	{ "RO", 0x01 }, { "READONLY", 0x01 }, { "READ_ONLY", 0x01 },
	{ "PERSIST", 0x02 }, { "STICKY", 0x04 }, { "PIN", 0x08 },
	{ "BOOL", 0x10 }, { 0 },
};

static const struct sym cmd_flags[] = {
	{ "PIN", 0x01 }, { "ASYNC", 0x02 }, { 0 },
};

static const struct sym auth_levels[] = {
	{ "PUBLIC", 0 }, { "USER", 1 }, { "ADMIN", 2 }, { "FACTORY", 3 },
	{ 0 },
};

#define MAX_KEYS 5

struct field {
	const char *name;             /* in messages */
	const char *keys[MAX_KEYS];   /* JSON keys, in hld.py's lookup order */
	enum field_kind kind;
	unsigned int off;   /* byte offset in the record */
	int required;
	const struct sym *syms;       /* K_FLAGS, K_AUTH */
};

/* Record layouts; K_STR offsets are the u16 slots of the string offsets. */
static const struct field value_fields[] = {
	{ "group_id", { "group", "group_id", "groupId" }, K_U8, 0, 1, NULL },
	{ "value_id", { "id", "value", "value_id", "valueId" }, K_U8, 1, 1, NULL },
	{ "flags", { "flags" }, K_FLAGS, 2, 0, value_flags },
	{ "auth_level", { "auth", "auth_level", "authLevel" }, K_AUTH, 3, 0,
	  auth_levels },
	{ "init", { "init", "init_value" }, K_F16, 4, 0, NULL },
	{ "name", { "name" }, K_STR, 6, 0, NULL },
	{ "unit", { "unit", "unit_name", "unitName" }, K_STR, 8, 0, NULL },
	{ "epsilon", { "epsilon" }, K_F16, 10, 0, NULL },
	{ "min", { "min" }, K_F16, 12, 0, NULL },
	{ "max", { "max" }, K_F16, 14, 0, NULL },
	{ "persist_key", { "persist_key", "persist" }, K_U16, 16, 0, NULL },
	{ "group_name", { "group_name", "groupName" }, K_STR, 18, 0, NULL },
	{ 0 },
};

static const struct field cmd_fields[] = {
	{ "group_id", { "group", "group_id", "groupId" }, K_U8, 0, 1, NULL },
	{ "cmd_id", { "id", "cmd", "cmd_id", "command_id", "commandId" }, K_U8,
	  1, 1, NULL },
	{ "flags", { "flags" }, K_FLAGS, 2, 0, cmd_flags },
	{ "auth_level", { "auth", "auth_level", "authLevel" }, K_AUTH, 3, 0,
	  auth_levels },
	{ "handler_offset", { "handler_offset", "handler" }, K_HANDLER, 4, 0, NULL },
	{ "name", { "name" }, K_STR, 8, 0, NULL },
	{ "help", { "help" }, K_STR, 10, 0, NULL },
	{ "reserved", { "reserved" }, K_U16, 12, 0, NULL },
	{ "group_name", { "group_name", "groupName" }, K_STR, 14, 0, NULL },
	{ 0 },
};

struct meta_kind {
	const char *dir;
	const struct field *fields;
	unsigned int size;
};

static const struct meta_kind kinds[2] = {
	{ ".value", value_fields, 20 },
	{ ".cmd", cmd_fields, 16 },
};

/* An entry being encoded. */
struct rec {
	uint8_t b[20];
	const char *str[3];     /* strings, in field order */
	unsigned int str_off[3];
	unsigned int nstr;
	const struct as_meta_ent *src;
	size_t unit;
};

/* --- collecting ----------------------------------------------------------- */

static int add_one(struct as_meta_list *l, struct json_object *o,
		   const struct as_loc *loc)
{
	struct as_meta_ent *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	l->v = v;
	v[l->n].obj = json_object_get(o);
	v[l->n++].loc = *loc;
	return 0;
}

int as_meta_add(struct as_ctx *as, struct as_meta_list *l, const char *json,
		const char *what, const struct as_loc *loc)
{
	enum json_tokener_error jerr;
	struct json_object *root = json_tokener_parse_verbose(json, &jerr);
	size_t i;
	int ret = 0;

	if (!root || (!json_object_is_type(root, json_type_object) &&
		      !json_object_is_type(root, json_type_array))) {
		as_error(as, loc, "%s expects a JSON object or array on one "
			 "line: %s", what, root ? "wrong JSON type" :
			 json_tokener_error_desc(jerr));
		json_object_put(root);
		return -1;
	}
	if (json_object_is_type(root, json_type_object)) {
		ret = add_one(l, root, loc);
	} else {
		for (i = 0; i < json_object_array_length(root) && !ret; i++) {
			struct json_object *e = json_object_array_get_idx(root, i);

			if (!json_object_is_type(e, json_type_object)) {
				as_error(as, loc, "%s array element %zu is not an "
					 "object", what, i);
				ret = -1;
			} else {
				ret = add_one(l, e, loc);
			}
		}
	}
	json_object_put(root);
	return ret;
}

void as_meta_free(struct as_meta_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_put(l->v[i].obj);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* --- field values ---------------------------------------------------------- */

static struct json_object *lookup(struct json_object *o, const struct field *f,
				  const char *suffix)
{
	struct json_object *v;
	char key[48];
	int i;

	for (i = 0; i < MAX_KEYS && f->keys[i]; i++) {
		snprintf(key, sizeof(key), "%s%s", f->keys[i], suffix);
		if (json_object_object_get_ex(o, key, &v))
			return v;
	}
	return NULL;
}

/* An integer: a JSON integer, an integral number or a numeric string. */
static int get_int(struct json_object *v, int64_t *out)
{
	const char *s;
	char *end;
	double d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		*out = json_object_get_int64(v);
		return 0;
	case json_type_double:
		d = json_object_get_double(v);
		*out = (int64_t)d;
		return (double)*out == d ? 0 : -1;
	case json_type_string:
		s = json_object_get_string(v);
		*out = strtoll(s, &end, 0);
		return *s && !*end ? 0 : -1;
	default:
		return -1;
	}
}

/*
 * Round to binary16, half to even; beyond the range gives infinity (as
 * hld.py's struct 'e' does).  Done on the double's bits: q is the
 * significand in units of the target quantum, the shifted-out bits decide
 * the rounding.  (_Float16 would do, but not every compiler we build
 * with supports it on x86.)
 */
static uint16_t to_f16(double d)
{
	uint64_t bits, sig, q, rem, half;
	uint16_t sign;
	int exp, e, shift;

	memcpy(&bits, &d, sizeof(bits));
	sign = (uint16_t)(bits >> 48) & 0x8000;
	exp = (int)(bits >> 52) & 0x7FF;
	sig = bits & ((1ull << 52) - 1);
	if (exp == 0x7FF)
		return sign | (sig ? 0x7E00 : 0x7C00);
	if (exp == 0 || exp - 1023 < -25)  /* below half the smallest step */
		return sign;
	if (exp - 1023 > 15)
		return sign | 0x7C00;
	sig |= 1ull << 52;
	e = exp - 1023 < -14 ? -14 : exp - 1023;
	shift = 42 + (e - (exp - 1023));
	q = sig >> shift;
	rem = sig & ((1ull << shift) - 1);
	half = 1ull << (shift - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	if (q >= 2048) {
		q >>= 1;
		e++;
	}
	if (e > 15)
		return sign | 0x7C00;
	if (q < 1024)
		return sign | (uint16_t)q;
	return sign | (uint16_t)((e + 15) << 10) | (uint16_t)(q - 1024);
}

static void put_be(uint8_t *p, uint64_t v, unsigned int size)
{
	while (size--) {
		p[size] = (uint8_t)v;
		v >>= 8;
	}
}

static int bad(struct as_ctx *as, const struct rec *r, const char *dir,
	       const char *key, const char *what)
{
	as_error(as, &r->src->loc, "%s: field '%s' %s", dir, key, what);
	return -1;
}

static int field_f16(struct as_ctx *as, struct rec *r, const char *dir,
		     const struct field *f)
{
	struct json_object *raw = lookup(r->src->obj, f, "_raw");
	struct json_object *v = lookup(r->src->obj, f, "");
	int64_t i;

	if (raw) {
		if (get_int(raw, &i) || i < 0 || i > 0xFFFF)
			return bad(as, r, dir, f->name, "_raw must be 0..65535");
		put_be(r->b + f->off, (uint64_t)i, 2);
	} else if (v) {
		if (!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double))
			return bad(as, r, dir, f->name, "must be a number");
		put_be(r->b + f->off, to_f16(json_object_get_double(v)), 2);
	}
	return 0;
}

static int field_handler(struct as_ctx *as, struct rec *r, const char *dir,
			 const struct field *f, struct as_unit *units,
			 size_t n, struct json_object *v)
{
	uint32_t addr;
	int64_t i;

	if (json_object_is_type(v, json_type_string) &&
	    get_int(v, &i) != 0) {
		if (as_resolve_code(as, units, n, r->unit,
				    json_object_get_string(v), &r->src->loc,
				    &addr))
			return -1;
		put_be(r->b + f->off, addr, 4);
		return 0;
	}
	if (get_int(v, &i) || i < 0 || i > 0xFFFFFFFFll)
		return bad(as, r, dir, f->name, "must be a code label or "
			   "0..4294967295");
	put_be(r->b + f->off, (uint64_t)i, 4);
	return 0;
}

static int sym_value(const struct sym *syms, const char *tok, size_t len,
		     unsigned int *v)
{
	for (; syms->name; syms++)
		if (strlen(syms->name) == len && !strncasecmp(syms->name, tok, len)) {
			*v = syms->value;
			return 0;
		}
	return -1;
}

/*
 * flags: "PERSIST|PIN" (names joined by '|'); auth: one name.  Case and
 * blanks around names do not matter and "" is 0, as in hld.py.
 */
static int field_symbolic(struct as_ctx *as, struct rec *r, const char *dir,
			  const struct field *f, const char *s)
{
	unsigned int mask = 0, v;
	size_t len;

	while (*s) {
		s += strspn(s, " \t");
		len = f->kind == K_FLAGS ? strcspn(s, "|") : strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len && sym_value(f->syms, s, len, &v)) {
			char what[96];

			snprintf(what, sizeof(what), "has unknown %s '%.*s'",
				 f->kind == K_FLAGS ? "flag" : "auth level",
				 (int)(len > 32 ? 32 : len), s);
			return bad(as, r, dir, f->name, what);
		}
		mask |= len ? v : 0;
		s += len;
		s += strspn(s, " \t");
		if (*s == '|' && f->kind == K_FLAGS)
			s++;
		else if (*s)
			return bad(as, r, dir, f->name, "is not a name or number");
	}
	r->b[f->off] = (uint8_t)mask;
	return 0;
}

static int one_field(struct as_ctx *as, struct rec *r, const char *dir,
		     const struct field *f, struct as_unit *units, size_t n)
{
	static const int64_t max[] = { [K_U8] = 0xFF, [K_U16] = 0xFFFF,
				       [K_U32] = 0xFFFFFFFFll, [K_FLAGS] = 0xFF,
				       [K_AUTH] = 0xFF };
	struct json_object *v;
	int64_t i;

	if (f->kind == K_F16)
		return field_f16(as, r, dir, f);
	v = lookup(r->src->obj, f, "");
	if (!v || json_object_is_type(v, json_type_null)) {
		if (f->required)
			return bad(as, r, dir, f->name, "is required");
		return 0;
	}
	if (f->kind == K_HANDLER)
		return field_handler(as, r, dir, f, units, n, v);
	if ((f->kind == K_FLAGS || f->kind == K_AUTH) &&
	    json_object_is_type(v, json_type_string) && get_int(v, &i))
		return field_symbolic(as, r, dir, f, json_object_get_string(v));
	if (f->kind == K_STR) {
		if (!json_object_is_type(v, json_type_string))
			return bad(as, r, dir, f->name, "must be a string");
		r->str[r->nstr] = json_object_get_string(v);
		r->str_off[r->nstr++] = f->off;
		return 0;
	}
	if (get_int(v, &i) || i < 0 || i > max[f->kind]) {
		char what[48];

		snprintf(what, sizeof(what), "must be an integer 0..%lld",
			 (long long)max[f->kind]);
		return bad(as, r, dir, f->name, what);
	}
	put_be(r->b + f->off, (uint64_t)i, f->kind == K_U16 ? 2 :
	       f->kind == K_U32 ? 4 : 1);
	return 0;
}

/* --- encoding --------------------------------------------------------------- */

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->b[0] != y->b[0])
		return x->b[0] - y->b[0];
	return x->b[1] - y->b[1];
}

/* Offset of @s in the string table, adding it if new (hld _intern_string). */
static long intern(struct as_buf *tab, size_t base, const char *s)
{
	size_t pos = 0, len = strlen(s);

	while (pos < tab->len) {
		const char *t = (const char *)tab->data + pos;

		if (!strcmp(t, s))
			return (long)(base + pos);
		pos += strlen(t) + 1;
	}
	if (as_buf_put(tab, s, len + 1))
		return -1;
	return (long)(base + pos);
}

static int encode(struct as_ctx *as, const struct meta_kind *k,
		  struct rec *recs, size_t count, struct as_buf *out)
{
	struct as_buf tab = { 0 };
	size_t base = count * k->size, i, j;
	int ret = 0;

	qsort(recs, count, sizeof(*recs), rec_cmp);
	for (i = 0; i < count; i++) {
		if (i && !rec_cmp(&recs[i - 1], &recs[i])) {
			as_error(as, &recs[i].src->loc, "%s: duplicate entry "
				 "(group %u, id %u)", k->dir, recs[i].b[0],
				 recs[i].b[1]);
			ret = -1;
		}
		for (j = 0; j < recs[i].nstr; j++) {
			long off = intern(&tab, base, recs[i].str[j]);

			if (off < 0 || off > 0xFFFF) {
				as_error(as, &recs[i].src->loc, "%s: string table "
					 "exceeds 64 KiB", k->dir);
				ret = -1;
				break;
			}
			put_be(recs[i].b + recs[i].str_off[j], (uint64_t)off, 2);
		}
		as_buf_put(out, recs[i].b, k->size);
	}
	if (tab.len)
		as_buf_put(out, tab.data, tab.len);
	free(tab.data);
	return ret;
}

static int link_kind(struct as_ctx *as, struct as_unit *units, size_t n,
		     int which, struct as_buf *out, uint32_t *count)
{
	const struct meta_kind *k = &kinds[which];
	struct rec *recs;
	size_t total = 0, i, j, c = 0;
	int ret = 0;

	for (i = 0; i < n; i++)
		total += which ? units[i].cmds.n : units[i].values.n;
	*count = 0;
	if (!total)
		return 0;
	recs = calloc(total, sizeof(*recs));
	if (!recs)
		return -1;
	for (i = 0; i < n; i++) {
		struct as_meta_list *l = which ? &units[i].cmds : &units[i].values;

		for (j = 0; j < l->n; j++, c++) {
			const struct field *f;

			recs[c].src = &l->v[j];
			recs[c].unit = i;
			for (f = k->fields; f->name; f++)
				if (one_field(as, &recs[c], k->dir, f, units, n))
					ret = -1;
		}
	}
	if (!ret)
		ret = encode(as, k, recs, total, out);
	*count = (uint32_t)total;
	free(recs);
	return ret;
}

int as_link_meta(struct as_ctx *as, struct as_unit *units, size_t n,
		 struct as_output *out)
{
	int a = link_kind(as, units, n, 0, &out->value_sect, &out->value_count);
	int b = link_kind(as, units, n, 1, &out->cmd_sect, &out->cmd_count);

	return a || b ? -1 : 0;
}
