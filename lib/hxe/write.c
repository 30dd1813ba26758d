// SPDX-License-Identifier: MIT
/*
 * DOC: HXE writer
 *
 * Lays out header, code, rodata, then (v2) the metadata table followed by
 * the section payloads, exactly as the reference linker (hld.write_hxe_v2)
 * does, and fills in the CRC last.  The `.mailbox` payload is the
 * linker's canonical JSON: {"mailboxes":[...],"version":1}, compact, with
 * keys sorted at every level.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hxe/hxe_err.h"

static int check_build(const struct hsx_hxe_build *b, unsigned int version,
		       struct hsx_hxe_error *err)
{
	const char *name = b->app_name ? b->app_name : "";
	size_t i;

	if (version != 1 && version != 2)
		return hxe_fail(err, HSX_HXE_E_VERSION, "version", 4,
				"unsupported_version:%u", version);
	if (b->code_len % 4 || b->code_len > HSX_HXE_MAX_LEN || !b->code_len)
		return hxe_fail(err, HSX_HXE_E_ALIGN, "code_len", 0x0C,
				"%zu must be a non-zero multiple of 4 <= 64 KiB",
				b->code_len);
	if (b->ro_len > HSX_HXE_MAX_LEN)
		return hxe_fail(err, HSX_HXE_E_RANGE, "ro_len", 0x10,
				"%zu exceeds the 64 KiB limit", b->ro_len);
	if (b->entry % 4 || b->entry >= b->code_len)
		return hxe_fail(err, HSX_HXE_E_RANGE, "entry", 0x08,
				"0x%x is unaligned or outside the code", b->entry);
	if (strlen(name) > HSX_HXE_APP_NAME_MAX)
		return hxe_fail(err, HSX_HXE_E_NAME, "app_name", 0x20,
				"'%s' is longer than %u characters", name,
				HSX_HXE_APP_NAME_MAX);
	for (i = 0; name[i]; i++)
		if ((unsigned char)name[i] >= 0x80 || (unsigned char)name[i] < 0x20)
			return hxe_fail(err, HSX_HXE_E_NAME, "app_name",
					(uint32_t)(0x20 + i), "not printable ASCII");
	if (version == 1 && b->nmeta)
		return hxe_fail(err, HSX_HXE_E_ARG, "meta_count", 0x44,
				"HXE v1 cannot carry metadata");
	return 0;
}

static void put_header(uint8_t *f, const struct hsx_hxe_build *b,
		       unsigned int version)
{
	hxe_put_be32(f, HSX_HXE_MAGIC);
	hxe_put_be16(f + 4, (uint16_t)version);
	hxe_put_be16(f + 6, b->flags);
	hxe_put_be32(f + 8, b->entry);
	hxe_put_be32(f + 0x0C, (uint32_t)b->code_len);
	hxe_put_be32(f + 0x10, (uint32_t)b->ro_len);
	hxe_put_be32(f + 0x14, 0); /* bss_size: the linker always writes 0 */
	hxe_put_be32(f + 0x18, b->req_caps);
	if (version == 2 && b->app_name)
		memcpy(f + 0x20, b->app_name, strlen(b->app_name));
}

static void put_meta(uint8_t *f, const struct hsx_hxe_build *b, size_t table)
{
	size_t i, payload = table + 16 * b->nmeta;

	hxe_put_be32(f + 0x40, b->nmeta ? (uint32_t)table : 0);
	hxe_put_be32(f + 0x44, (uint32_t)b->nmeta);
	for (i = 0; i < b->nmeta; i++) {
		uint8_t *e = f + table + 16 * i;

		hxe_put_be32(e, b->meta[i].type);
		hxe_put_be32(e + 4, (uint32_t)payload);
		hxe_put_be32(e + 8, (uint32_t)b->meta[i].size);
		hxe_put_be32(e + 12, b->meta[i].entry_count);
		if (b->meta[i].size)
			memcpy(f + payload, b->meta[i].data, b->meta[i].size);
		payload += b->meta[i].size;
	}
}

int hsx_hxe_write(const struct hsx_hxe_build *b, uint8_t **out,
		  size_t *out_len, struct hsx_hxe_error *err)
{
	unsigned int version = b->version ? b->version : 2;
	size_t hsize = version == 2 ? HSX_HXE_V2_HEADER_SIZE
				    : HSX_HXE_V1_HEADER_SIZE;
	size_t table, len, i;
	uint8_t *f;

	if (err)
		memset(err, 0, sizeof(*err));
	if (check_build(b, version, err))
		return -1;
	table = hsize + b->code_len + b->ro_len;
	len = table + 16 * b->nmeta;
	for (i = 0; i < b->nmeta; i++)
		len += b->meta[i].size;
	f = calloc(1, len);
	if (!f)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "file", 0, "out of memory");
	put_header(f, b, version);
	memcpy(f + hsize, b->code, b->code_len);
	if (b->ro_len)
		memcpy(f + hsize + b->code_len, b->rodata, b->ro_len);
	if (version == 2)
		put_meta(f, b, table);
	hxe_put_be32(f + 0x1C, hsx_hxe_crc(f, len, hsize));
	*out = f;
	*out_len = len;
	return 0;
}

int hsx_hxe_write_file(const char *path, const struct hsx_hxe_build *b,
		       struct hsx_hxe_error *err)
{
	uint8_t *buf;
	size_t len;
	FILE *fp;
	int ret = 0;

	if (hsx_hxe_write(b, &buf, &len, err))
		return -1;
	fp = fopen(path, "wb");
	if (!fp || fwrite(buf, 1, len, fp) != len)
		ret = hxe_fail(err, HSX_HXE_E_IO, path, 0, "%s", strerror(errno));
	if (fp && fclose(fp) && !ret)
		ret = hxe_fail(err, HSX_HXE_E_IO, path, 0, "%s", strerror(errno));
	free(buf);
	return ret;
}

/* --- canonical mailbox JSON ------------------------------------------- */

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static struct json_object *sorted_copy(struct json_object *o);

static struct json_object *sorted_object(struct json_object *o)
{
	size_t n = (size_t)json_object_object_length(o), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	struct json_object *copy = json_object_new_object();

	if (!keys || !copy) {
		free(keys);
		json_object_put(copy);
		return NULL;
	}
	json_object_object_foreach(o, k, v) {
		(void)v;
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++) {
		struct json_object *val = json_object_object_get(o, keys[i]);

		json_object_object_add(copy, keys[i], sorted_copy(val));
	}
	free(keys);
	return copy;
}

static struct json_object *sorted_copy(struct json_object *o)
{
	struct json_object *copy;
	size_t i, n;

	if (json_object_is_type(o, json_type_object))
		return sorted_object(o);
	if (!json_object_is_type(o, json_type_array))
		return json_object_get(o);
	n = json_object_array_length(o);
	copy = json_object_new_array();
	for (i = 0; copy && i < n; i++)
		json_object_array_add(copy,
				      sorted_copy(json_object_array_get_idx(o, i)));
	return copy;
}

char *hsx_hxe_mailbox_json(const char *entries_json_array,
			   struct hsx_hxe_error *err)
{
	struct json_object *arr = json_tokener_parse(entries_json_array);
	struct json_object *root;
	char *out = NULL;

	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		hxe_fail(err, HSX_HXE_E_JSON, "mailbox", 0,
			 "expected a JSON array of mailbox objects");
		return NULL;
	}
	root = json_object_new_object();
	if (root) {
		json_object_object_add(root, "mailboxes", sorted_copy(arr));
		json_object_object_add(root, "version", json_object_new_int(1));
		out = strdup(json_object_to_json_string_ext(root,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(root);
	json_object_put(arr);
	if (!out)
		hxe_fail(err, HSX_HXE_E_NOMEM, "mailbox", 0, "out of memory");
	return out;
}
