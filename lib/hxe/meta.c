// SPDX-License-Identifier: MIT
/*
 * DOC: HXE v2 metadata: the section table, `.value`/`.cmd` sizes and the
 * `.mailbox` declarations (JSON via json-c, or legacy 16-byte entries).
 *
 * The table must lie after rodata and every section after the table; no
 * two ranges may overlap, so a section can never alias code, rodata or
 * the table itself.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "hxe/hxe_err.h"

static const struct {
	const char *name;
	uint32_t bits;
} mode_names[] = {
	{ "RDONLY", 0x01 }, { "READONLY", 0x01 }, { "RO", 0x01 },
	{ "WRONLY", 0x02 }, { "WRITEONLY", 0x02 }, { "WO", 0x02 },
	{ "RDWR", 0x03 }, { "RW", 0x03 },
	{ "TAP", 0x04 }, { "FANOUT", 0x08 },
	{ "FANOUT_DROP", 0x10 }, { "FANOUT_BLOCK", 0x20 },
};

static int mode_token(const char *tok, size_t n, uint32_t *mask,
		      struct hsx_hxe_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strlen(mode_names[i].name) == n &&
		    !strncasecmp(mode_names[i].name, tok, n)) {
			*mask |= mode_names[i].bits;
			return 0;
		}
	}
	return hxe_fail(err, HSX_HXE_E_MODE, "mode", 0,
			"unknown mode name '%.*s'", (int)n, tok);
}

int hsx_hxe_parse_mode(const char *s, uint32_t *mask,
		       struct hsx_hxe_error *err)
{
	uint32_t m = 0;

	while (*s) {
		size_t n;

		s += strspn(s, " \t|,");
		n = strcspn(s, " \t|,");
		if (n && mode_token(s, n, &m, err))
			return -1;
		s += n;
	}
	*mask = m ? m : 0x03; /* empty means RDWR */
	return 0;
}

/* --- JSON entries ---------------------------------------------------- */

static struct json_object *first_key(struct json_object *o, const char *a,
				     const char *b, const char *c)
{
	struct json_object *v = NULL;

	if (json_object_object_get_ex(o, a, &v) && v)
		return v;
	if (b && json_object_object_get_ex(o, b, &v) && v)
		return v;
	if (c && json_object_object_get_ex(o, c, &v) && v)
		return v;
	return NULL;
}

static int json_uint(struct json_object *v, int64_t *out)
{
	if (!json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return *out < 0 ? -1 : 0;
}

static int entry_target(struct json_object *o, struct hsx_hxe_mailbox *mb,
			size_t idx, uint32_t base, struct hsx_hxe_error *err)
{
	struct json_object *v = first_key(o, "target", "name", NULL);
	const char *s;
	size_t i, n;

	if (!v || !json_object_is_type(v, json_type_string))
		return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.target", base,
				"entry %zu has no target string", idx);
	s = json_object_get_string(v);
	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || n >= sizeof(mb->target))
		return hxe_fail(err, HSX_HXE_E_NAME, "mailbox.target", base,
				"entry %zu target is empty or longer than %zu",
				idx, sizeof(mb->target) - 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20)
			return hxe_fail(err, HSX_HXE_E_NAME, "mailbox.target",
					base, "entry %zu target is not ASCII",
					idx);
	memcpy(mb->target, s, n);
	mb->target[n] = 0;
	return 0;
}

static int entry_mode(struct json_object *o, struct hsx_hxe_mailbox *mb,
		      size_t idx, uint32_t base, struct hsx_hxe_error *err)
{
	struct json_object *v = first_key(o, "mode_mask", "mode", "flags");
	int64_t n;

	mb->mode_mask = 0x03;
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_string)) {
		if (hsx_hxe_parse_mode(json_object_get_string(v),
				       &mb->mode_mask, err)) {
			err->offset = base;
			err->field = "mailbox.mode_mask";
			return -1;
		}
		return 0;
	}
	if (json_uint(v, &n))
		return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.mode_mask", base,
				"entry %zu mode_mask must be a non-negative "
				"integer or a mode string", idx);
	mb->mode_mask = n ? (uint32_t)(n & 0xFFFF) : 0x03;
	return 0;
}

static int entry_bindings(struct json_object *o, struct hsx_hxe_mailbox *mb,
			  size_t idx, uint32_t base, struct hsx_hxe_error *err)
{
	struct json_object *v = first_key(o, "bindings", NULL, NULL), *b, *x;
	size_t i, n;

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.bindings", base,
				"entry %zu bindings must be a list", idx);
	n = json_object_array_length(v);
	mb->bindings = calloc(n ? n : 1, sizeof(*mb->bindings));
	if (!mb->bindings)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "mailbox", base, "no memory");
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(v, i);
		if (!json_object_is_type(b, json_type_object) ||
		    !json_object_object_get_ex(b, "pid", &x) ||
		    !json_object_is_type(x, json_type_int))
			return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.bindings",
					base, "entry %zu binding %zu needs an "
					"integer pid", idx, i);
		mb->bindings[i].pid = json_object_get_int64(x);
		if (json_object_object_get_ex(b, "flags", &x))
			mb->bindings[i].flags = json_object_get_int64(x) & 0xFFFF;
		mb->nbindings++;
	}
	return 0;
}

static int entry_numbers(struct json_object *o, struct hsx_hxe_mailbox *mb,
			 size_t idx, uint32_t base, struct hsx_hxe_error *err)
{
	struct json_object *v = first_key(o, "capacity", "queue_depth", NULL);
	int64_t n;

	if (v && !json_object_is_type(v, json_type_null)) {
		if (json_uint(v, &n) || n > 0xFFFFFFFFll)
			return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.capacity",
					base, "entry %zu capacity must be a "
					"non-negative integer", idx);
		mb->capacity = (uint32_t)n;
	}
	mb->owner_pid = -1;
	v = first_key(o, "owner_pid", NULL, NULL);
	if (v && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_int))
			return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.owner_pid",
					base, "entry %zu owner_pid must be an "
					"integer", idx);
		mb->owner_pid = json_object_get_int64(v);
	}
	v = first_key(o, "reserved", NULL, NULL);
	if (v && json_object_is_type(v, json_type_int))
		mb->reserved = (uint64_t)json_object_get_int64(v);
	return 0;
}

static int json_entry(struct json_object *o, struct hsx_hxe_mailbox *mb,
		      size_t idx, uint32_t base, struct hsx_hxe_error *err)
{
	if (!json_object_is_type(o, json_type_object))
		return hxe_fail(err, HSX_HXE_E_JSON, "mailbox", base,
				"entry %zu must be an object", idx);
	return entry_target(o, mb, idx, base, err) ||
	       entry_mode(o, mb, idx, base, err) ||
	       entry_numbers(o, mb, idx, base, err) ||
	       entry_bindings(o, mb, idx, base, err) ? -1 : 0;
}

/* Find the entry array: a bare array, or "mailboxes"/"entries" of an
 * object whose version is 1 or absent.  *arr is NULL when there is none. */
static int json_entries(struct json_object *root, struct json_object **arr,
			uint32_t base, struct hsx_hxe_error *err)
{
	struct json_object *v;

	*arr = NULL;
	if (json_object_is_type(root, json_type_array)) {
		*arr = root;
		return 0;
	}
	if (!json_object_is_type(root, json_type_object))
		return hxe_fail(err, HSX_HXE_E_JSON, "mailbox", base,
				"JSON must be an object or an array");
	if (json_object_object_get_ex(root, "version", &v) &&
	    !(json_object_is_type(v, json_type_int) &&
	      json_object_get_int64(v) == 1))
		return hxe_fail(err, HSX_HXE_E_VERSION, "mailbox.version", base,
				"JSON version %s not supported",
				json_object_to_json_string(v));
	v = first_key(root, "mailboxes", "entries", NULL);
	if (v && !json_object_is_type(v, json_type_array))
		return hxe_fail(err, HSX_HXE_E_JSON, "mailbox.mailboxes", base,
				"entries must be a list");
	*arr = v;
	return 0;
}

static int json_decode(struct json_object *arr, uint32_t base,
		       struct hsx_hxe_mailbox **out, size_t *count,
		       struct hsx_hxe_error *err)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "mailbox", base, "no memory");
	for (i = 0; i < n; i++, (*count)++)
		if (json_entry(json_object_array_get_idx(arr, i), &(*out)[i],
			       i, base, err))
			return -1;
	return 0;
}

static int parse_json(const char *text, size_t len, uint32_t base,
		      struct hsx_hxe_mailbox **out, size_t *count,
		      struct hsx_hxe_error *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root, *arr;
	int ret = -1;

	if (!tok)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "mailbox", base, "no memory");
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)
		hxe_fail(err, HSX_HXE_E_JSON, "mailbox",
			 base + (uint32_t)json_tokener_get_parse_end(tok),
			 "invalid JSON: %s", root ? "trailing data" :
			 json_tokener_error_desc(json_tokener_get_error(tok)));
	else if (!json_entries(root, &arr, base, err))
		ret = json_decode(arr, base, out, count, err);
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

/* --- legacy binary entries ------------------------------------------- */

static int parse_legacy(const uint8_t *d, size_t len, uint32_t count,
			uint32_t base, struct hsx_hxe_mailbox **out,
			size_t *nout, struct hsx_hxe_error *err)
{
	uint32_t i;

	if ((uint64_t)count * HSX_HXE_MAILBOX_BIN_ENTRY_SIZE > len)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "mailbox", base,
				"%u entries need %u bytes, section has %zu",
				count, count * 16, len);
	*out = calloc(count ? count : 1, sizeof(**out));
	if (!*out)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "mailbox", base, "no memory");
	for (i = 0; i < count; i++, (*nout)++) {
		const uint8_t *e = d + 16 * i;
		struct hsx_hxe_mailbox *mb = &(*out)[i];
		uint32_t name_off = hxe_be32(e), eoff = base + 16 * i;
		size_t n, k;

		if (!name_off || name_off >= len)
			return hxe_fail(err, HSX_HXE_E_META, "mailbox.name_offset",
					eoff, "entry %u name offset %u outside "
					"the section (%zu bytes)", i, name_off, len);
		n = strnlen((const char *)d + name_off, len - name_off);
		if (n == len - name_off || !n || n >= sizeof(mb->target))
			return hxe_fail(err, HSX_HXE_E_NAME, "mailbox.name",
					base + name_off, "entry %u name is empty, "
					"too long or not NUL-terminated", i);
		for (k = 0; k < n; k++)
			if (d[name_off + k] >= 0x80 || d[name_off + k] < 0x20)
				return hxe_fail(err, HSX_HXE_E_NAME, "mailbox.name",
						(uint32_t)(base + name_off + k),
						"entry %u name is not ASCII", i);
		memcpy(mb->target, d + name_off, n);
		mb->capacity = hxe_be16(e + 4);
		mb->mode_mask = hxe_be16(e + 6) ? hxe_be16(e + 6) : 0x03;
		mb->reserved = (uint64_t)hxe_be32(e + 8) << 32 | hxe_be32(e + 12);
		mb->owner_pid = -1;
	}
	return 0;
}

int hsx_hxe_parse_mailboxes(const uint8_t *data, size_t len, uint32_t base,
			    struct hsx_hxe_mailbox **out, size_t *count,
			    struct hsx_hxe_error *err)
{
	size_t trimmed = len, lead;

	*out = NULL;
	*count = 0;
	while (trimmed && !data[trimmed - 1])
		trimmed--;
	lead = 0;
	while (lead < trimmed && isspace(data[lead]))
		lead++;
	if (lead == trimmed)
		return 0;
	if (data[lead] == '{' || data[lead] == '[')
		return parse_json((const char *)data, trimmed, base, out,
				  count, err);
	return -2; /* legacy: needs entry_count, see parse_section */
}

void hsx_hxe_free_mailboxes(struct hsx_hxe_mailbox *mb, size_t count)
{
	size_t i;

	if (!mb)
		return;
	for (i = 0; i < count; i++)
		free(mb[i].bindings);
	free(mb);
}

/* --- the table -------------------------------------------------------- */

static int append_mailboxes(struct hsx_hxe_image *img,
			    struct hsx_hxe_mailbox *mb, size_t n)
{
	struct hsx_hxe_mailbox *all;

	all = realloc(img->mailboxes, (img->nmailboxes + n + 1) * sizeof(*all));
	if (!all)
		return -1;
	memcpy(all + img->nmailboxes, mb, n * sizeof(*mb));
	img->mailboxes = all;
	img->nmailboxes += n;
	free(mb); /* the entries' bindings now belong to img */
	return 0;
}

static int parse_mailbox_section(struct hsx_hxe_image *img,
				 const struct hsx_hxe_section *s,
				 struct hsx_hxe_error *err)
{
	struct hsx_hxe_mailbox *mb = NULL;
	size_t n = 0;
	int ret;

	ret = hsx_hxe_parse_mailboxes(s->data, s->size, s->offset, &mb, &n, err);
	if (ret == -2)
		ret = parse_legacy(s->data, s->size, s->entry_count, s->offset,
				   &mb, &n, err);
	if (ret || !mb) {
		hsx_hxe_free_mailboxes(mb, n);
		return ret;
	}
	if (append_mailboxes(img, mb, n)) {
		hsx_hxe_free_mailboxes(mb, n);
		return hxe_fail(err, HSX_HXE_E_NOMEM, "mailbox", s->offset,
				"no memory");
	}
	return 0;
}

static int check_entries(const struct hsx_hxe_section *s, uint32_t esize,
			 const char *field, struct hsx_hxe_error *err)
{
	if ((uint64_t)s->entry_count * esize > s->size)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, field, s->offset,
				"%u entries of %u bytes exceed the section "
				"size %u", s->entry_count, esize, s->size);
	return 0;
}

static int read_section(struct hsx_hxe_image *img, uint32_t i,
			uint64_t table_end, struct hsx_hxe_error *err)
{
	const uint8_t *e = img->file + img->hdr.meta_offset + 16 * i;
	struct hsx_hxe_section *s = &img->sections[i];
	uint32_t eoff = img->hdr.meta_offset + 16 * i;
	uint32_t j;

	s->type = hxe_be32(e);
	s->offset = hxe_be32(e + 4);
	s->size = hxe_be32(e + 8);
	s->entry_count = hxe_be32(e + 12);
	if ((uint64_t)s->offset + s->size > img->file_len)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "section.offset",
				eoff + 4, "section %u [0x%x, +%u) runs past the "
				"end of the file (%zu bytes)", i, s->offset,
				s->size, img->file_len);
	if (s->size && s->offset < table_end)
		return hxe_fail(err, HSX_HXE_E_META, "section.offset", eoff + 4,
				"section %u at 0x%x overlaps the header, code, "
				"rodata or metadata table (ending at 0x%llx)", i,
				s->offset, (unsigned long long)table_end);
	for (j = 0; j < i; j++) {
		const struct hsx_hxe_section *o = &img->sections[j];

		if (s->size && o->size && s->offset < o->offset + o->size &&
		    o->offset < s->offset + s->size)
			return hxe_fail(err, HSX_HXE_E_META, "section.offset",
					eoff + 4, "section %u overlaps section %u",
					i, j);
	}
	s->data = img->file + s->offset;
	return 0;
}

static int parse_section(struct hsx_hxe_image *img,
			 const struct hsx_hxe_section *s,
			 struct hsx_hxe_error *err)
{
	switch (s->type) {
	case HSX_HXE_SECT_VALUE:
		return check_entries(s, HSX_HXE_VALUE_ENTRY_SIZE, ".value", err);
	case HSX_HXE_SECT_CMD:
		return check_entries(s, HSX_HXE_CMD_ENTRY_SIZE, ".cmd", err);
	case HSX_HXE_SECT_MAILBOX:
		return parse_mailbox_section(img, s, err);
	default:
		return 0; /* unknown sections are kept raw */
	}
}

int hxe_parse_meta(struct hsx_hxe_image *img, struct hsx_hxe_error *err)
{
	const struct hsx_hxe_header *h = &img->hdr;
	uint64_t body_end = img->header_size + h->code_len + h->ro_len;
	uint64_t table_end = (uint64_t)h->meta_offset + 16ull * h->meta_count;
	uint32_t i;

	if (img->header_size != HSX_HXE_V2_HEADER_SIZE || !h->meta_count)
		return 0;
	if (h->meta_offset < body_end)
		return hxe_fail(err, HSX_HXE_E_META, "meta_offset", 0x40,
				"0x%x overlaps the header, code or rodata "
				"(which end at 0x%llx)", h->meta_offset,
				(unsigned long long)body_end);
	if (table_end > img->file_len)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "meta_count", 0x44,
				"%u entries at 0x%x run past the end of the "
				"file (%zu bytes)", h->meta_count,
				h->meta_offset, img->file_len);
	img->sections = calloc(h->meta_count, sizeof(*img->sections));
	if (!img->sections)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "meta", 0x40, "no memory");
	for (i = 0; i < h->meta_count; i++, img->nsections++)
		if (read_section(img, i, table_end, err) ||
		    parse_section(img, &img->sections[i], err))
			return -1;
	return 0;
}
