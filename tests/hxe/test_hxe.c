// SPDX-License-Identifier: MIT
/*
 * DOC: HXE loader/writer tests: good images round-trip, and every
 * malformed case is rejected with the right error class, field and offset.
 * Malformed images are built with the writer, then damaged, and (unless
 * the CRC is what is being tested) re-sealed with a correct CRC so that
 * the intended check is the one that fires.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "hxe/hxe.h"

static const uint8_t code8[8] = { 0x01, 0x10, 0x00, 0x2A, 0x25, 0, 0, 0 };

struct img {
	uint8_t *buf;
	size_t len;
};

static struct img build(const struct hsx_hxe_build *b)
{
	struct hsx_hxe_error err;
	struct img im = { 0 };

	if (hsx_hxe_write(b, &im.buf, &im.len, &err))
		fprintf(stderr, "write: %s\n", err.msg);
	return im;
}

static struct img build_v2(const struct hsx_hxe_meta_in *meta, size_t nmeta)
{
	struct hsx_hxe_build b = {
		.version = 2, .flags = HSX_HXE_FLAG_MULTI_INSTANCE,
		.entry = 4, .app_name = "demo", .code = code8, .code_len = 8,
		.rodata = "hello", .ro_len = 5, .meta = meta, .nmeta = nmeta,
	};

	return build(&b);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void reseal(struct img *im)
{
	size_t hsize = im->buf[5] == 2 ? 96 : 32;

	put32(im->buf + 0x1C, hsx_hxe_crc(im->buf, im->len, hsize));
}

/* Load and expect failure with @code at @offset naming @field. */
static int load_fails(struct img *im, enum hsx_hxe_errcode code,
		      const char *field, uint32_t offset, const char *needle)
{
	struct hsx_hxe_image *out = (void *)1;
	struct hsx_hxe_error err;
	int ok;

	ok = hsx_hxe_load(im->buf, im->len, &out, &err) == -1 && !out &&
	     err.code == code && err.offset == offset && err.field &&
	     !strcmp(err.field, field) && strstr(err.msg, field) &&
	     (!needle || strstr(err.msg, needle));
	if (!ok)
		fprintf(stderr, "# got code %d field %s offset 0x%x: %s\n",
			err.code, err.field ? err.field : "-", err.offset,
			err.msg);
	free(im->buf);
	return ok;
}

TEST(v2_round_trip)
{
	struct img im = build_v2(NULL, 0);
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;

	ASSERT_EQ(0, hsx_hxe_load(im.buf, im.len, &img, &err));
	EXPECT_EQ(2, img->hdr.version);
	EXPECT_EQ(96u, img->header_size);
	EXPECT_EQ(HSX_HXE_FLAG_MULTI_INSTANCE, img->hdr.flags);
	EXPECT_EQ(4u, img->hdr.entry);
	EXPECT_EQ(8u, img->hdr.code_len);
	EXPECT_EQ(5u, img->hdr.ro_len);
	EXPECT_EQ(0u, img->hdr.bss_size);
	EXPECT_STREQ("demo", img->hdr.app_name);
	EXPECT_EQ(0, memcmp(img->code, code8, 8));
	EXPECT_EQ(0, memcmp(img->rodata, "hello", 5));
	EXPECT_EQ(96u + 8 + 5, im.len);
	EXPECT_EQ(0u, img->nsections);
	hsx_hxe_free(img);
	free(im.buf);
}

TEST(v1_round_trip_and_crc_scope)
{
	struct hsx_hxe_build b = { .version = 1, .code = code8, .code_len = 8,
				   .rodata = "xy", .ro_len = 2 };
	struct img im = build(&b);
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;

	ASSERT_EQ(32u + 10, im.len);
	ASSERT_EQ(0, hsx_hxe_load(im.buf, im.len, &img, &err));
	EXPECT_EQ(1, img->hdr.version);
	EXPECT_STREQ("", img->hdr.app_name);
	hsx_hxe_free(img);
	free(im.buf);
}

TEST(v2_crc_skips_the_extension)
{
	struct img im = build_v2(NULL, 0);
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;
	uint32_t crc_before = hsx_hxe_crc(im.buf, im.len, 96);

	/* The app_name bytes are outside the CRC: changing one keeps it. */
	im.buf[0x20] = 'D';
	EXPECT_EQ(crc_before, hsx_hxe_crc(im.buf, im.len, 96));
	ASSERT_EQ(0, hsx_hxe_load(im.buf, im.len, &img, &err));
	EXPECT_STREQ("Demo", img->hdr.app_name);
	hsx_hxe_free(img);
	free(im.buf);
}

TEST(bad_magic)
{
	struct img im = build_v2(NULL, 0);

	im.buf[0] = 'X';
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_MAGIC, "magic", 0, "0x58535845"));
}

TEST(bad_version)
{
	struct img im = build_v2(NULL, 0);

	im.buf[5] = 3;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_VERSION, "version", 4,
			       "unsupported_version:3"));
}

TEST(bad_crc)
{
	struct img im = build_v2(NULL, 0);

	im.buf[96] ^= 0xFF; /* a code byte */
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_CRC, "crc32", 0x1C, "computed"));
}

TEST(truncated_header_code_and_rodata)
{
	struct img im = build_v2(NULL, 0);

	im.len = 20;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, "header", 0, "32"));
	im = build_v2(NULL, 0);
	im.len = 64;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, "header", 0, "96"));
	im = build_v2(NULL, 0);
	im.len = 100;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, "code", 96, NULL));
	im = build_v2(NULL, 0);
	im.len = 106;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, "rodata", 104, NULL));
}

TEST(misaligned_code_len_and_entry)
{
	struct img im = build_v2(NULL, 0);

	put32(im.buf + 0x0C, 6);
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_ALIGN, "code_len", 0x0C, NULL));
	im = build_v2(NULL, 0);
	put32(im.buf + 0x08, 2);
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_ALIGN, "entry", 0x08, NULL));
}

TEST(entry_out_of_range)
{
	struct img im = build_v2(NULL, 0);

	put32(im.buf + 0x08, 8);
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_RANGE, "entry", 0x08, "outside"));
}

TEST(lengths_over_64k)
{
	struct img im = build_v2(NULL, 0);

	put32(im.buf + 0x0C, 0x10004);
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_RANGE, "code_len", 0x0C, "64 KiB"));
	im = build_v2(NULL, 0);
	put32(im.buf + 0x10, 0x10001);
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_RANGE, "ro_len", 0x10, NULL));
	im = build_v2(NULL, 0);
	put32(im.buf + 0x14, 0x10001);
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_RANGE, "bss_size", 0x14, NULL));
}

TEST(reserved_bytes_must_be_zero)
{
	struct img im = build_v2(NULL, 0);

	im.buf[0x50] = 1;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_RESERVED, "reserved", 0x50, NULL));
}

TEST(app_name_must_be_ascii_and_terminated)
{
	struct img im = build_v2(NULL, 0);

	im.buf[0x22] = 0xC3;
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_NAME, "app_name", 0x22, "ASCII"));
	im = build_v2(NULL, 0);
	memset(im.buf + 0x20, 'a', 32);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_NAME, "app_name", 0x20,
			       "NUL-terminated"));
}

TEST(writer_refuses_bad_names_and_v1_metadata)
{
	struct hsx_hxe_meta_in m = { .type = 1, .data = "", .size = 0 };
	struct hsx_hxe_build b = { .version = 2, .code = code8, .code_len = 8,
				   .app_name = "0123456789012345678901234567890123" };
	struct hsx_hxe_error err;
	uint8_t *buf;
	size_t len;

	EXPECT_EQ(-1, hsx_hxe_write(&b, &buf, &len, &err));
	EXPECT_EQ(HSX_HXE_E_NAME, err.code);
	b.app_name = "caf\xc3\xa9";
	EXPECT_EQ(-1, hsx_hxe_write(&b, &buf, &len, &err));
	EXPECT_EQ(HSX_HXE_E_NAME, err.code);
	b.app_name = NULL;
	b.version = 1;
	b.meta = &m;
	b.nmeta = 1;
	EXPECT_EQ(-1, hsx_hxe_write(&b, &buf, &len, &err));
	EXPECT_EQ(HSX_HXE_E_ARG, err.code);
}

static const char mbx_json[] =
	"{\"mailboxes\":[{\"target\":\"app:telemetry\",\"capacity\":96,"
	"\"mode_mask\":\"RDWR|FANOUT\",\"owner_pid\":7,"
	"\"bindings\":[{\"pid\":3,\"flags\":1}]},"
	"{\"name\":\"shared:bus\",\"mode\":\"rw | tap\"}],\"version\":1}";

TEST(mailbox_json_section)
{
	struct hsx_hxe_meta_in m = { HSX_HXE_SECT_MAILBOX, mbx_json,
				     sizeof(mbx_json), 2 };
	struct img im = build_v2(&m, 1);
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;

	ASSERT_EQ(0, hsx_hxe_load(im.buf, im.len, &img, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(1u, img->nsections);
	EXPECT_EQ(96u + 8 + 5, img->hdr.meta_offset);
	EXPECT_EQ(96u + 8 + 5 + 16, img->sections[0].offset);
	ASSERT_EQ(2u, img->nmailboxes);
	EXPECT_STREQ("app:telemetry", img->mailboxes[0].target);
	EXPECT_EQ(96u, img->mailboxes[0].capacity);
	EXPECT_EQ(0x0Bu, img->mailboxes[0].mode_mask);
	EXPECT_EQ(7, img->mailboxes[0].owner_pid);
	ASSERT_EQ(1u, img->mailboxes[0].nbindings);
	EXPECT_EQ(3, img->mailboxes[0].bindings[0].pid);
	EXPECT_EQ(1, img->mailboxes[0].bindings[0].flags);
	EXPECT_STREQ("shared:bus", img->mailboxes[1].target);
	EXPECT_EQ(0u, img->mailboxes[1].capacity);
	EXPECT_EQ(0x07u, img->mailboxes[1].mode_mask);
	EXPECT_EQ(-1, img->mailboxes[1].owner_pid);
	hsx_hxe_free(img);
	free(im.buf);
}

TEST(mode_strings)
{
	struct hsx_hxe_error err;
	uint32_t m;

	EXPECT_EQ(0, hsx_hxe_parse_mode("rdwr|fanout_drop|tap", &m, &err));
	EXPECT_EQ(0x17u, m);
	EXPECT_EQ(0, hsx_hxe_parse_mode("rw | tap", &m, &err));
	EXPECT_EQ(0x07u, m);
	EXPECT_EQ(0, hsx_hxe_parse_mode("RO,Fanout_Block", &m, &err));
	EXPECT_EQ(0x21u, m);
	EXPECT_EQ(0, hsx_hxe_parse_mode("WriteOnly", &m, &err));
	EXPECT_EQ(0x02u, m);
	EXPECT_EQ(0, hsx_hxe_parse_mode("", &m, &err));
	EXPECT_EQ(0x03u, m);
	EXPECT_EQ(-1, hsx_hxe_parse_mode("rdwr|bogus", &m, &err));
	EXPECT_EQ(HSX_HXE_E_MODE, err.code);
	EXPECT_NE(NULL, strstr(err.msg, "'bogus'"));
}

static int mailbox_fails(const char *payload, enum hsx_hxe_errcode code,
			 const char *needle)
{
	struct hsx_hxe_mailbox *mb;
	struct hsx_hxe_error err = { 0 };
	size_t n;
	int ret;

	ret = hsx_hxe_parse_mailboxes((const uint8_t *)payload, strlen(payload),
				      0x200, &mb, &n, &err);
	hsx_hxe_free_mailboxes(mb, n);
	if (ret != -1 || err.code != code || !strstr(err.msg, needle)) {
		fprintf(stderr, "# %s -> %d: %s\n", payload, ret, err.msg);
		return 0;
	}
	return 1;
}

TEST(mailbox_json_errors)
{
	EXPECT_TRUE(mailbox_fails("{\"mailboxes\":[", HSX_HXE_E_JSON,
				  "invalid JSON"));
	EXPECT_TRUE(mailbox_fails("[{\"target\":\"app:x\"}] x", HSX_HXE_E_JSON,
				  "invalid JSON"));
	EXPECT_TRUE(mailbox_fails("{\"version\":2,\"mailboxes\":[]}",
				  HSX_HXE_E_VERSION, "version"));
	EXPECT_TRUE(mailbox_fails("[{\"capacity\":4}]", HSX_HXE_E_JSON,
				  "no target"));
	EXPECT_TRUE(mailbox_fails("[{\"target\":\"app:x\",\"mode\":\"rw|nope\"}]",
				  HSX_HXE_E_MODE, "'nope'"));
	EXPECT_TRUE(mailbox_fails("[{\"target\":\"app:x\",\"capacity\":-1}]",
				  HSX_HXE_E_JSON, "capacity"));
	EXPECT_TRUE(mailbox_fails("[{\"target\":\"app:\xc3\xa9\"}]",
				  HSX_HXE_E_NAME, "ASCII"));
	EXPECT_TRUE(mailbox_fails("{\"mailboxes\":{}}", HSX_HXE_E_JSON, "list"));
	EXPECT_TRUE(mailbox_fails("[{\"target\":\"app:x\",\"bindings\":[{}]}]",
				  HSX_HXE_E_JSON, "pid"));
}

TEST(mailbox_bare_array_entries_key_and_padding)
{
	static const char *ok[] = {
		"  [{\"target\":\"app:a\",\"mode_mask\":0}]\0\0\0",
		"{\"entries\":[{\"target\":\" app:a \",\"queue_depth\":8}]}",
	};
	struct hsx_hxe_mailbox *mb;
	struct hsx_hxe_error err;
	size_t n, i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, hsx_hxe_parse_mailboxes((const uint8_t *)ok[i],
						     strlen(ok[i]) + (i ? 0 : 3),
						     0, &mb, &n, &err));
		ASSERT_EQ(1u, n);
		EXPECT_STREQ("app:a", mb[0].target);
		EXPECT_EQ(0x03u, mb[0].mode_mask);
		EXPECT_EQ(i ? 8u : 0u, mb[0].capacity);
		hsx_hxe_free_mailboxes(mb, n);
	}
}

TEST(mailbox_legacy_binary_entry)
{
	uint8_t sect[32] = { 0 };
	struct hsx_hxe_meta_in m = { HSX_HXE_SECT_MAILBOX, sect, sizeof(sect), 1 };
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;
	struct img im;

	put32(sect, 16);                  /* name_offset */
	sect[4] = 0;
	sect[5] = 48;                     /* queue_depth */
	sect[7] = 0x0B;                   /* RDWR|FANOUT */
	memcpy(sect + 16, "app:legacy", 11);
	im = build_v2(&m, 1);
	ASSERT_EQ(0, hsx_hxe_load(im.buf, im.len, &img, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(1u, img->nmailboxes);
	EXPECT_STREQ("app:legacy", img->mailboxes[0].target);
	EXPECT_EQ(48u, img->mailboxes[0].capacity);
	EXPECT_EQ(0x0Bu, img->mailboxes[0].mode_mask);
	hsx_hxe_free(img);
	free(im.buf);

	put32(sect, 40); /* name offset outside the section */
	im = build_v2(&m, 1);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_META, "mailbox.name_offset",
			       96 + 8 + 5 + 16, NULL));
}

TEST(metadata_table_overlaps_rodata)
{
	struct hsx_hxe_meta_in m = { HSX_HXE_SECT_VALUE, "", 0, 0 };
	struct img im = build_v2(&m, 1);

	put32(im.buf + 0x40, 96 + 8 + 2); /* inside rodata */
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_META, "meta_offset", 0x40,
			       "overlaps"));
}

TEST(metadata_table_past_end_of_file)
{
	struct hsx_hxe_meta_in m = { HSX_HXE_SECT_VALUE, "", 0, 0 };
	struct img im = build_v2(&m, 1);

	put32(im.buf + 0x44, 1000);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, "meta_count", 0x44,
			       NULL));
}

TEST(section_overlapping_table_or_other_section)
{
	static const uint8_t v[20] = { 0 };
	struct hsx_hxe_meta_in m[2] = { { HSX_HXE_SECT_VALUE, v, 20, 1 },
					{ HSX_HXE_SECT_CMD, v, 16, 1 } };
	uint32_t table = 96 + 8 + 5;
	struct img im = build_v2(m, 2);

	put32(im.buf + table + 4, table + 8); /* section 0 inside the table */
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_META, "section.offset",
			       table + 4, "metadata table"));
	im = build_v2(m, 2);
	put32(im.buf + table + 16 + 4, table + 32 + 4); /* 1 inside 0 */
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_META, "section.offset",
			       table + 16 + 4, "overlaps section 0"));
	im = build_v2(m, 2);
	put32(im.buf + table + 8, 4000); /* size past the end */
	reseal(&im);
	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, "section.offset",
			       table + 4, "end of the file"));
}

TEST(value_section_entry_count_must_fit)
{
	static const uint8_t v[20] = { 0 };
	struct hsx_hxe_meta_in m = { HSX_HXE_SECT_VALUE, v, 20, 2 };
	struct img im = build_v2(&m, 1);

	EXPECT_TRUE(load_fails(&im, HSX_HXE_E_TRUNCATED, ".value",
			       96 + 8 + 5 + 16, "20 bytes"));
}

TEST(linker_mailbox_json_is_canonical)
{
	struct hsx_hxe_error err;
	char *s = hsx_hxe_mailbox_json(
		"[{\"target\":\"app:x/y\",\"mode_mask\":11,\"capacity\":96}]", &err);

	ASSERT_NE(NULL, s);
	EXPECT_STREQ("{\"mailboxes\":[{\"capacity\":96,\"mode_mask\":11,"
		     "\"target\":\"app:x/y\"}],\"version\":1}", s);
	free(s);
	EXPECT_EQ(NULL, hsx_hxe_mailbox_json("{}", &err));
	EXPECT_EQ(HSX_HXE_E_JSON, err.code);
}

TEST(load_file_reports_missing_file)
{
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;

	EXPECT_EQ(-1, hsx_hxe_load_file("/nonexistent/x.hxe", &img, &err));
	EXPECT_EQ(HSX_HXE_E_IO, err.code);
}

TEST_HARNESS_MAIN
