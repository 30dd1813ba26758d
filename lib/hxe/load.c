// SPDX-License-Identifier: MIT
/*
 * DOC: HXE loader
 *
 * Validates a whole image before anything uses it, in file order: header
 * size, magic, version, lengths and alignment, that code and rodata are
 * present, the v2 extension (app_name, reserved bytes), the CRC, then the
 * metadata table and each section.  The first problem found is reported
 * with the field's name and file offset.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hxe/hxe_err.h"

int hxe_fail(struct hsx_hxe_error *err, enum hsx_hxe_errcode code,
	     const char *field, uint32_t offset, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -1;
	err->code = code;
	err->field = field;
	err->offset = offset;
	n = snprintf(err->msg, sizeof(err->msg), "%s at 0x%x: ",
		     field ? field : "file", offset);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
	va_end(ap);
	return -1;
}

uint32_t hsx_hxe_crc(const uint8_t *file, size_t len, size_t header_size)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, file, 0x1C);
	if (len > header_size)
		crc = crc32(crc, file + header_size, (uInt)(len - header_size));
	return (uint32_t)crc;
}

static void parse_header(const uint8_t *f, struct hsx_hxe_header *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = hxe_be32(f);
	h->version = hxe_be16(f + 4);
	h->flags = hxe_be16(f + 6);
	h->entry = hxe_be32(f + 8);
	h->code_len = hxe_be32(f + 0x0C);
	h->ro_len = hxe_be32(f + 0x10);
	h->bss_size = hxe_be32(f + 0x14);
	h->req_caps = hxe_be32(f + 0x18);
	h->crc32 = hxe_be32(f + 0x1C);
}

static int check_ident(const uint8_t *f, size_t len, size_t *hsize,
		       struct hsx_hxe_error *err)
{
	uint32_t magic, version;

	if (len < HSX_HXE_V1_HEADER_SIZE)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "header", 0,
				"file is %zu bytes, a header needs %u", len,
				HSX_HXE_V1_HEADER_SIZE);
	magic = hxe_be32(f);
	if (magic != HSX_HXE_MAGIC)
		return hxe_fail(err, HSX_HXE_E_MAGIC, "magic", 0,
				"0x%08x, expected 0x%08x (\"HSXE\")", magic,
				HSX_HXE_MAGIC);
	version = hxe_be16(f + 4);
	if (version != 1 && version != 2)
		return hxe_fail(err, HSX_HXE_E_VERSION, "version", 4,
				"unsupported_version:%u", version);
	*hsize = version == 2 ? HSX_HXE_V2_HEADER_SIZE : HSX_HXE_V1_HEADER_SIZE;
	if (len < *hsize)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "header", 0,
				"file is %zu bytes, a v2 header needs %zu",
				len, *hsize);
	return 0;
}

static int check_limit(uint32_t v, const char *field, uint32_t off,
		       struct hsx_hxe_error *err)
{
	if (v > HSX_HXE_MAX_LEN)
		return hxe_fail(err, HSX_HXE_E_RANGE, field, off,
				"%u exceeds the 64 KiB limit", v);
	return 0;
}

static int check_lengths(const struct hsx_hxe_header *h, size_t len,
			 size_t hsize, struct hsx_hxe_error *err)
{
	if (check_limit(h->code_len, "code_len", 0x0C, err) ||
	    check_limit(h->ro_len, "ro_len", 0x10, err) ||
	    check_limit(h->bss_size, "bss_size", 0x14, err))
		return -1;
	if (h->code_len % 4)
		return hxe_fail(err, HSX_HXE_E_ALIGN, "code_len", 0x0C,
				"%u is not a multiple of 4", h->code_len);
	if (h->entry % 4)
		return hxe_fail(err, HSX_HXE_E_ALIGN, "entry", 0x08,
				"0x%x is not 4-aligned", h->entry);
	if (h->entry >= h->code_len)
		return hxe_fail(err, HSX_HXE_E_RANGE, "entry", 0x08,
				"0x%x is outside the code (code_len %u)",
				h->entry, h->code_len);
	if (hsize + h->code_len > len)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "code",
				(uint32_t)hsize, "needs %u bytes, file has %zu",
				h->code_len, len - hsize);
	if (hsize + h->code_len + h->ro_len > len)
		return hxe_fail(err, HSX_HXE_E_TRUNCATED, "rodata",
				(uint32_t)(hsize + h->code_len),
				"needs %u bytes, file has %zu", h->ro_len,
				len - hsize - h->code_len);
	return 0;
}

static int check_app_name(const uint8_t *f, struct hsx_hxe_header *h,
			  struct hsx_hxe_error *err)
{
	const uint8_t *name = f + 0x20;
	size_t i, n = strnlen((const char *)name, 32);

	if (n == 32)
		return hxe_fail(err, HSX_HXE_E_NAME, "app_name", 0x20,
				"not NUL-terminated within 32 bytes");
	for (i = 0; i < n; i++)
		if (name[i] >= 0x80 || name[i] < 0x20)
			return hxe_fail(err, HSX_HXE_E_NAME, "app_name",
					(uint32_t)(0x20 + i),
					"byte 0x%02x is not printable ASCII",
					name[i]);
	for (i = n; i < 32; i++)
		if (name[i])
			return hxe_fail(err, HSX_HXE_E_NAME, "app_name",
					(uint32_t)(0x20 + i),
					"padding after the NUL is not zero");
	memcpy(h->app_name, name, n + 1);
	return 0;
}

static int check_v2(const uint8_t *f, struct hsx_hxe_header *h,
		    struct hsx_hxe_error *err)
{
	unsigned int i;

	if (check_app_name(f, h, err))
		return -1;
	h->meta_offset = hxe_be32(f + 0x40);
	h->meta_count = hxe_be32(f + 0x44);
	for (i = 0x48; i < 0x60; i++)
		if (f[i])
			return hxe_fail(err, HSX_HXE_E_RESERVED, "reserved", i,
					"byte 0x%02x must be zero", f[i]);
	return 0;
}

static int check_crc(const uint8_t *f, size_t len, size_t hsize,
		     const struct hsx_hxe_header *h, struct hsx_hxe_error *err)
{
	uint32_t crc = hsx_hxe_crc(f, len, hsize);

	if (crc != h->crc32)
		return hxe_fail(err, HSX_HXE_E_CRC, "crc32", 0x1C,
				"stored 0x%08x, computed 0x%08x", h->crc32, crc);
	return 0;
}

int hsx_hxe_load(const void *buf, size_t len, struct hsx_hxe_image **out,
		 struct hsx_hxe_error *err)
{
	struct hsx_hxe_image *img;
	size_t hsize;
	const uint8_t *f = buf;

	if (err)
		memset(err, 0, sizeof(*err));
	*out = NULL;
	if (check_ident(f, len, &hsize, err))
		return -1;
	img = calloc(1, sizeof(*img));
	if (!img)
		return hxe_fail(err, HSX_HXE_E_NOMEM, "file", 0, "out of memory");
	parse_header(f, &img->hdr);
	img->header_size = hsize;
	if (check_lengths(&img->hdr, len, hsize, err) ||
	    (hsize == HSX_HXE_V2_HEADER_SIZE && check_v2(f, &img->hdr, err)) ||
	    check_crc(f, len, hsize, &img->hdr, err))
		goto fail;
	img->file = malloc(len ? len : 1);
	if (!img->file) {
		hxe_fail(err, HSX_HXE_E_NOMEM, "file", 0, "out of memory");
		goto fail;
	}
	memcpy(img->file, f, len);
	img->file_len = len;
	img->code = img->file + hsize;
	img->rodata = img->code + img->hdr.code_len;
	if (hxe_parse_meta(img, err))
		goto fail;
	*out = img;
	return 0;
fail:
	hsx_hxe_free(img);
	return -1;
}

int hsx_hxe_load_file(const char *path, struct hsx_hxe_image **out,
		      struct hsx_hxe_error *err)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	*out = NULL;
	if (!fp)
		return hxe_fail(err, HSX_HXE_E_IO, path, 0, "%s",
				strerror(errno));
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				free(buf);
				fclose(fp);
				return hxe_fail(err, HSX_HXE_E_NOMEM, path, 0,
						"out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	ret = ferror(fp) ? hxe_fail(err, HSX_HXE_E_IO, path, 0, "read error")
			 : hsx_hxe_load(buf, len, out, err);
	fclose(fp);
	free(buf);
	return ret;
}

void hsx_hxe_free(struct hsx_hxe_image *img)
{
	if (!img)
		return;
	hsx_hxe_free_mailboxes(img->mailboxes, img->nmailboxes);
	free(img->sections);
	free(img->file);
	free(img);
}
