// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-as `.value` / `.cmd` sections: golden bytes and errors
 *
 * The expected bytes are written out by hand from the reference linker's
 * layout (hld.py: ">BBBBHHHHHHHH" and ">BBBBIHHI" records sorted by
 * (group, id), then a shared string table with offsets from the section
 * start), so a change in field order, endianness, rounding or interning
 * shows up here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hxe/hxe.h"

FIXTURE(meta) {
	char dir[64];
	char err[4096];
};

FIXTURE_SETUP(meta)
{
	strcpy(self->dir, "/tmp/hsx-meta-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(meta)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cleanup failed");
}

/* Assemble @src as a.mvasm; exit status, stderr in self->err. */
static int assemble(const char *dir, const char *src, char *err, size_t len)
{
	char cmd[512], path[256];
	FILE *fp;
	size_t n;
	int st;

	snprintf(path, sizeof(path), "%s/a.mvasm", dir);
	fp = fopen(path, "w");
	fputs(src, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "cd %s && %s -o a.hxe a.mvasm 2>err.txt",
		 dir, HSX_AS_PATH);
	st = system(cmd);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	fp = fopen(path, "r");
	n = fp ? fread(err, 1, len - 1, fp) : 0;
	err[n] = 0;
	if (fp)
		fclose(fp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const struct hsx_hxe_section *section(const struct hsx_hxe_image *img,
					     uint32_t type)
{
	size_t i;

	for (i = 0; i < img->nsections; i++)
		if (img->sections[i].type == type)
			return &img->sections[i];
	return NULL;
}

static struct hsx_hxe_image *load(const char *dir)
{
	struct hsx_hxe_image *img = NULL;
	struct hsx_hxe_error e;
	char path[128];

	snprintf(path, sizeof(path), "%s/a.hxe", dir);
	if (hsx_hxe_load_file(path, &img, &e))
		fprintf(stderr, "# %s\n", e.msg);
	return img;
}

TEST_F(meta, value_entries_are_golden)
{
	static const char src[] =
		".value {\"group_id\":2,\"value_id\":1,\"name\":\"speed\","
		"\"unit\":\"rpm\",\"init\":1.5,\"max\":100,\"epsilon\":0.1,"
		"\"flags\":3,\"auth_level\":1,\"persist_key\":4660,"
		"\"group_name\":\"motor\"}\n"
		".value [{\"group\":1,\"value\":7,\"name\":\"temp\","
		"\"init_raw\":15360,\"min\":-65520}]\n"
		".text\n    RET\n";
	static const uint8_t want[] = {
		/* (1,7) sorted first: init raw 0x3C00, name "temp" at 40,
		 * min -65520 overflows to -inf 0xFC00 */
		1, 7, 0, 0, 0x3C, 0x00, 0, 40, 0, 0, 0, 0, 0xFC, 0x00, 0, 0,
		0, 0, 0, 0,
		/* (2,1): init 1.5 = 0x3E00, name 45, unit 51, eps 0.1 = 0x2E66
		 * (half-even), min 0, max 100 = 0x5640, key 0x1234, group 55 */
		2, 1, 3, 1, 0x3E, 0x00, 0, 45, 0, 51, 0x2E, 0x66, 0, 0,
		0x56, 0x40, 0x12, 0x34, 0, 55,
		't', 'e', 'm', 'p', 0, 's', 'p', 'e', 'e', 'd', 0,
		'r', 'p', 'm', 0, 'm', 'o', 't', 'o', 'r', 0,
	};
	const struct hsx_hxe_section *s;
	struct hsx_hxe_image *img;

	ASSERT_EQ(0, assemble(self->dir, src, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	img = load(self->dir);
	ASSERT_NE(NULL, img);
	s = section(img, HSX_HXE_SECT_VALUE);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(2, s->entry_count);
	ASSERT_EQ(sizeof(want), s->size);
	EXPECT_EQ(0, memcmp(want, s->data, sizeof(want)));
	EXPECT_EQ(NULL, section(img, HSX_HXE_SECT_CMD));
	hsx_hxe_free(img);
}

TEST_F(meta, cmd_entries_are_golden_and_handlers_resolve_labels)
{
	static const char src[] =
		".cmd {\"group_id\":1,\"cmd_id\":10,\"handler\":\"do_reset\","
		"\"name\":\"reset\",\"help\":\"Reset it\",\"group_name\":\"reset\","
		"\"flags\":1,\"auth_level\":2,\"reserved\":5}\n"
		".cmd {\"group\":0,\"cmd\":3,\"handler_offset\":4}\n"
		".text\nmain:\n    RET\n    RET\ndo_reset:\n    RET\n";
	static const uint8_t want[] = {
		0, 3, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
		/* handler = do_reset at 8; "reset" shared by name and group */
		1, 10, 1, 2, 0, 0, 0, 8, 0, 32, 0, 38, 0, 5, 0, 32,
		'r', 'e', 's', 'e', 't', 0, 'R', 'e', 's', 'e', 't', ' ', 'i',
		't', 0,
	};
	const struct hsx_hxe_section *s;
	struct hsx_hxe_image *img;

	ASSERT_EQ(0, assemble(self->dir, src, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	img = load(self->dir);
	ASSERT_NE(NULL, img);
	s = section(img, HSX_HXE_SECT_CMD);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(2, s->entry_count);
	ASSERT_EQ(sizeof(want), s->size);
	EXPECT_EQ(0, memcmp(want, s->data, sizeof(want)));
	hsx_hxe_free(img);
}

TEST_F(meta, sections_come_in_type_order)
{
	static const char src[] =
		".mailbox {\"target\":\"app:m\"}\n"
		".cmd {\"group_id\":1,\"cmd_id\":1}\n"
		".value {\"group_id\":1,\"value_id\":1}\n"
		".text\n    RET\n";
	struct hsx_hxe_image *img;

	ASSERT_EQ(0, assemble(self->dir, src, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	img = load(self->dir);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(3, img->nsections);
	EXPECT_EQ(HSX_HXE_SECT_VALUE, img->sections[0].type);
	EXPECT_EQ(20, img->sections[0].size); /* no strings: no table */
	EXPECT_EQ(HSX_HXE_SECT_CMD, img->sections[1].type);
	EXPECT_EQ(HSX_HXE_SECT_MAILBOX, img->sections[2].type);
	hsx_hxe_free(img);
}

/* The whole a.hxe @src assembles to, in @buf; its length or -1. */
static long image_of(const char *dir, const char *src, uint8_t *buf,
		     size_t len, char *err, size_t errlen)
{
	char path[128];
	FILE *fp;
	long n;

	if (assemble(dir, src, err, errlen))
		return -1;
	snprintf(path, sizeof(path), "%s/a.hxe", dir);
	fp = fopen(path, "rb");
	if (!fp)
		return -1;
	n = (long)fread(buf, 1, len, fp);
	fclose(fp);
	return n;
}

/*
 * hld.py's spellings (field aliases, symbolic flags and auth levels) give
 * the same image, byte for byte, as the numeric fields (issue 18 item 6).
 */
TEST_F(meta, aliases_and_symbolic_values_match_numeric_fields)
{
	static const struct {
		const char *alias, *numeric;
	} cases[] = {
		{ ".value {\"group\":1,\"id\":2,\"flags\":\"PERSIST\",\"auth\":\"PUBLIC\","
		  "\"init\":12.5,\"name\":\"temperature\"}\n",
		  ".value {\"group_id\":1,\"value_id\":2,\"flags\":2,\"auth_level\":0,"
		  "\"init\":12.5,\"name\":\"temperature\"}\n" },
		{ ".cmd {\"group\":1,\"id\":7,\"flags\":\"PIN\",\"auth\":\"USER\","
		  "\"handler\":\"reset_handler\",\"name\":\"reset\"}\n",
		  ".cmd {\"group_id\":1,\"cmd_id\":7,\"flags\":1,\"auth_level\":1,"
		  "\"handler\":\"reset_handler\",\"name\":\"reset\"}\n" },
		{ ".value {\"groupId\":3,\"valueId\":4,\"unit_name\":\"C\","
		  "\"authLevel\":\"admin\",\"persist\":9,\"rateMs\":100,"
		  "\"flags\":\"ro | sticky|PIN|BOOL\"}\n",
		  ".value {\"group_id\":3,\"value_id\":4,\"unit\":\"C\","
		  "\"auth_level\":2,\"persist_key\":9,\"flags\":29}\n" },
		{ ".value {\"group\":3,\"value_id\":5,\"unitName\":\"K\","
		  "\"flags\":\"READONLY|READ_ONLY\",\"auth\":\"FACTORY\"}\n",
		  ".value {\"group_id\":3,\"value_id\":5,\"unit\":\"K\","
		  "\"flags\":1,\"auth_level\":3}\n" },
		{ ".cmd {\"groupId\":2,\"command_id\":1,\"flags\":\"PIN|ASYNC\","
		  "\"authLevel\":\"ADMIN\"}\n"
		  ".cmd {\"group\":2,\"commandId\":2,\"flags\":\"\",\"auth\":\"\"}\n",
		  ".cmd {\"group_id\":2,\"cmd_id\":1,\"flags\":3,\"auth_level\":2}\n"
		  ".cmd {\"group_id\":2,\"cmd_id\":2}\n" },
	};
	static const char code[] = ".text\nreset_handler:\n RET\n";
	static uint8_t a[4096], b[4096];
	char src[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long na, nb;

		snprintf(src, sizeof(src), "%s%s", cases[i].alias, code);
		na = image_of(self->dir, src, a, sizeof(a), self->err,
			      sizeof(self->err));
		EXPECT_LT(0, na) TH_LOG("case %zu: %s", i, self->err);
		snprintf(src, sizeof(src), "%s%s", cases[i].numeric, code);
		nb = image_of(self->dir, src, b, sizeof(b), self->err,
			      sizeof(self->err));
		EXPECT_LT(0, nb) TH_LOG("case %zu: %s", i, self->err);
		EXPECT_EQ(na, nb) TH_LOG("case %zu", i);
		if (na > 0 && na == nb)
			EXPECT_EQ(0, memcmp(a, b, (size_t)na)) TH_LOG("case %zu", i);
	}
}

/*
 * The linker sorts .mailbox entries by target, as hld.py does, and fills
 * in "target" from "name" (issue 18 item 4); the payload is compact JSON
 * with sorted keys.
 */
TEST_F(meta, mailbox_entries_are_sorted_by_target)
{
	static const struct {
		const char *src, *payload;
	} cases[] = {
		{ ".mailbox {\"target\":\"svc:log\",\"capacity\":8}\n"
		  ".mailbox {\"target\":\"app:telemetry\"}\n",
		  "{\"mailboxes\":[{\"target\":\"app:telemetry\"},"
		  "{\"capacity\":8,\"target\":\"svc:log\"}],\"version\":1}" },
		{ ".mailbox [{\"target\":\"shared:b\"},{\"name\":\" app:z \"},"
		  "{\"target\":\"app:a\",\"mode\":\"RDWR\"}]\n",
		  "{\"mailboxes\":[{\"mode\":\"RDWR\",\"target\":\"app:a\"},"
		  "{\"name\":\" app:z \",\"target\":\"app:z\"},"
		  "{\"target\":\"shared:b\"}],\"version\":1}" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hsx_hxe_section *sec;
		struct hsx_hxe_image *img;
		char src[512];

		snprintf(src, sizeof(src), "%s.text\n RET\n", cases[i].src);
		ASSERT_EQ(0, assemble(self->dir, src, self->err,
				      sizeof(self->err))) TH_LOG("%s", self->err);
		img = load(self->dir);
		ASSERT_NE(NULL, img);
		sec = section(img, 3);
		ASSERT_NE(NULL, sec);
		EXPECT_EQ(strlen(cases[i].payload), sec->size) TH_LOG("case %zu", i);
		EXPECT_EQ(0, strncmp(cases[i].payload, (const char *)sec->data,
				     sec->size))
			TH_LOG("case %zu: %.*s", i, (int)sec->size, sec->data);
		hsx_hxe_free(img);
	}
	EXPECT_EQ(1, assemble(self->dir, ".mailbox {\"target\":\"app:x\"}\n"
			      ".mailbox {\"target\":\"app:x \"}\n.text\n RET\n",
			      self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "target 'app:x' is declared twice"));
}

TEST_F(meta, errors_name_the_line_and_the_field)
{
	static const struct {
		const char *src, *msg;
	} cases[] = {
		{ ".value {\"value_id\":1}\n.text\n RET\n",
		  "a.mvasm:1:1: error: .value: field 'group_id' is required" },
		{ ".text\n RET\n.value {\"group_id\":256,\"value_id\":1}\n",
		  "a.mvasm:3:1: error: .value: field 'group_id' must be an "
		  "integer 0..255" },
		{ ".value {\"group_id\":1,\"value_id\":1}\n"
		  ".value {\"group\":1,\"value\":1}\n.text\n RET\n",
		  "duplicate entry (group 1, id 1)" },
		{ ".cmd {\"group_id\":1,\"cmd_id\":1,\"handler\":\"nowhere\"}\n"
		  ".text\n RET\n",
		  "a.mvasm:1:1: error: undefined symbol 'nowhere'" },
		{ ".cmd {\"group_id\":1,\"cmd_id\":1,\"name\":5}\n.text\n RET\n",
		  ".cmd: field 'name' must be a string" },
		{ ".value {\"group_id\":1,\n.text\n RET\n",
		  "a.mvasm:1:1: error: .value expects a JSON object or array" },
		{ ".value {\"group_id\":1,\"value_id\":1,\"init\":\"x\"}\n"
		  ".text\n RET\n", ".value: field 'init' must be a number" },
		{ ".value {\"group\":1,\"id\":1,\"flags\":\"PERSIST|NOPE\"}\n"
		  ".text\n RET\n", ".value: field 'flags' has unknown flag 'NOPE'" },
		{ ".cmd {\"group\":1,\"id\":1,\"flags\":\"BOOL\"}\n.text\n RET\n",
		  ".cmd: field 'flags' has unknown flag 'BOOL'" },
		{ ".cmd {\"group\":1,\"id\":1,\"auth\":\"ROOT\"}\n.text\n RET\n",
		  ".cmd: field 'auth_level' has unknown auth level 'ROOT'" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(1, assemble(self->dir, cases[i].src, self->err,
				      sizeof(self->err)));
		EXPECT_NE(NULL, strstr(self->err, cases[i].msg))
			TH_LOG("case %zu: %s", i, self->err);
	}
}

TEST_HARNESS_MAIN
