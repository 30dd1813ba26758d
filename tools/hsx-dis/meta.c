// SPDX-License-Identifier: MIT
/*
 * DOC: metadata sections as directives
 *
 * `.mailbox` JSON payloads are printed as one `.mailbox [...]` line with
 * the entries as stored; the linker re-canonicalises them, so a payload
 * hsx-as wrote comes back byte for byte.  Legacy binary mailbox entries
 * are printed from their decoded form (same meaning, JSON bytes).
 *
 * `.value` (20-byte) and `.cmd` (16-byte) entries are big-endian records
 * followed by a string table (offsets from the section start, 0 = none),
 * as the reference linker hld.py writes them.  Each entry becomes one
 * `.value {...}` / `.cmd {...}` line carrying the raw field values
 * (init_raw etc.), so reassembly reproduces the bits exactly.
 */
#include <string.h>

#include <json-c/json.h>

#include "dis.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return be16(p) << 16 | be16(p + 2);
}

static void print_json(FILE *out, const char *dir, struct json_object *o)
{
	fprintf(out, "%s %s\n", dir, json_object_to_json_string_ext(o, JSON_FLAGS));
}

static void add_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* A string-table reference; absent (0) or malformed ones are left out. */
static void add_str(struct json_object *o, const char *key,
		    const struct hsx_hxe_section *s, uint32_t off)
{
	const char *p = (const char *)s->data + off;

	if (!off || off >= s->size || !memchr(p, 0, s->size - off))
		return;
	json_object_object_add(o, key, json_object_new_string(p));
}

static void dis_values(FILE *out, const struct hsx_hxe_section *s)
{
	uint32_t i;

	for (i = 0; i < s->entry_count && (i + 1) * 20 <= s->size; i++) {
		const uint8_t *e = s->data + i * 20;
		struct json_object *o = json_object_new_object();

		add_int(o, "group_id", e[0]);
		add_int(o, "value_id", e[1]);
		add_int(o, "flags", e[2]);
		add_int(o, "auth_level", e[3]);
		add_int(o, "init_raw", be16(e + 4));
		add_int(o, "epsilon_raw", be16(e + 10));
		add_int(o, "min_raw", be16(e + 12));
		add_int(o, "max_raw", be16(e + 14));
		add_int(o, "persist_key", be16(e + 16));
		add_str(o, "name", s, be16(e + 6));
		add_str(o, "unit", s, be16(e + 8));
		add_str(o, "group_name", s, be16(e + 18));
		print_json(out, ".value", o);
		json_object_put(o);
	}
}

static void dis_cmds(FILE *out, const struct hsx_hxe_section *s)
{
	uint32_t i;

	for (i = 0; i < s->entry_count && (i + 1) * 16 <= s->size; i++) {
		const uint8_t *e = s->data + i * 16;
		struct json_object *o = json_object_new_object();

		add_int(o, "group_id", e[0]);
		add_int(o, "cmd_id", e[1]);
		add_int(o, "flags", e[2]);
		add_int(o, "auth_level", e[3]);
		add_int(o, "handler_offset", be32(e + 4));
		if (be16(e + 12))
			add_int(o, "reserved", be16(e + 12));
		add_str(o, "name", s, be16(e + 8));
		add_str(o, "help", s, be16(e + 10));
		add_str(o, "group_name", s, be16(e + 14));
		print_json(out, ".cmd", o);
		json_object_put(o);
	}
}

static struct json_object *mailbox_entries(const struct hsx_hxe_section *s)
{
	struct json_object *root, *arr = NULL;
	size_t n = s->size;

	while (n && !s->data[n - 1])
		n--;
	root = json_tokener_parse(n ? strndupa((const char *)s->data, n) : "");
	if (!root)
		return NULL;
	if (json_object_is_type(root, json_type_array))
		return root;
	if (!json_object_object_get_ex(root, "mailboxes", &arr) &&
	    !json_object_object_get_ex(root, "entries", &arr)) {
		json_object_put(root);
		return NULL;
	}
	json_object_get(arr);
	json_object_put(root);
	return arr;
}

/* Legacy binary entries: rebuild JSON entries from the decoded form. */
static struct json_object *mailbox_decoded(const struct hsx_hxe_image *img)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < img->nmailboxes; i++) {
		const struct hsx_hxe_mailbox *m = &img->mailboxes[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "target", json_object_new_string(m->target));
		add_int(o, "capacity", m->capacity);
		add_int(o, "mode_mask", m->mode_mask);
		if (m->owner_pid >= 0)
			add_int(o, "owner_pid", m->owner_pid);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void dis_mailboxes(FILE *out, const struct hsx_hxe_image *img,
			  const struct hsx_hxe_section *s)
{
	struct json_object *arr = mailbox_entries(s);

	if (!arr) {
		fprintf(out, "; legacy binary .mailbox entries, rebuilt as JSON\n");
		arr = mailbox_decoded(img);
	}
	print_json(out, ".mailbox", arr);
	json_object_put(arr);
}

int dis_metadata(FILE *out, const struct hsx_hxe_image *img)
{
	size_t i;

	for (i = 0; i < img->nsections; i++) {
		const struct hsx_hxe_section *s = &img->sections[i];

		fprintf(out, "; section %zu: type %u at 0x%x, %u bytes, %u entries\n",
			i, s->type, s->offset, s->size, s->entry_count);
		if (s->type == HSX_HXE_SECT_VALUE)
			dis_values(out, s);
		else if (s->type == HSX_HXE_SECT_CMD)
			dis_cmds(out, s);
		else if (s->type == HSX_HXE_SECT_MAILBOX)
			dis_mailboxes(out, img, s);
		else
			fprintf(out, "; (unknown section type, not reproduced)\n");
	}
	return 0;
}
