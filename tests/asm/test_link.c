// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-as linking and syntax rules of the reference toolchain (issue 18)
 *
 * Each case is a set of source files assembled together; the image is
 * then run on the VM (no SVC service: the programs only compute and RET)
 * and its entry point and exit status compared with what the reference
 * linker (hld.py, reference section 8 and issue 18) gives:
 *   - a .extern symbol a unit defines itself is exported;
 *   - `.entry sym` exports sym;
 *   - entry: exported _start, else the first unit whose .entry names a
 *     symbol, else unit 0's numeric or bare .entry, else 0;
 *   - `SVC MOD=m FN=f` without a comma.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hxe/hxe.h"
#include "vm/vm.h"

#define MAX_FILES 3

struct src {
	const char *name, *text;
};

struct link_case {
	const char *what;
	struct src files[MAX_FILES];
	uint32_t entry;
	uint32_t exit_status;
};

static const struct link_case link_cases[] = {
	{ "local .extern is exported",
	  { { "a.mvasm", ".entry main\n.import foo\nmain:\n  CALL foo\n  RET\n" },
	    { "b.mvasm", ".extern foo\nfoo:\n  LDI R0, 42\n  RET\n" } },
	  0, 42 },
	{ ".entry sym exports sym",
	  { { "ea.mvasm", ".entry main\nmain:\n  LDI R0, 7\n  RET\n" },
	    { "eb.mvasm", ".import main\nhelper:\n  CALL main\n  RET\n" } },
	  0, 7 },
	{ "named .entry beats an earlier unit's bare .entry",
	  { { "lib.mvasm", ".entry\nlib:\n  LDI R0, 1\n  RET\n" },
	    { "main.mvasm", ".entry main\nmain:\n  LDI R0, 60\n  RET\n" } },
	  8, 60 },
	{ "exported _start beats a named .entry",
	  { { "m.mvasm", ".entry main\nmain:\n  LDI R0, 1\n  RET\n" },
	    { "s.mvasm", ".export _start\n_start:\n  LDI R0, 9\n  RET\n" } },
	  8, 9 },
	{ "unexported _start does not count",
	  { { "m.mvasm", "  LDI R0, 3\n  RET\n" },
	    { "s.mvasm", ".entry\n_start:\n  LDI R0, 9\n  RET\n" } },
	  0, 3 },
	{ "unit 0's numeric .entry",
	  { { "n.mvasm", ".entry 8\n  LDI R0, 1\n  RET\n  LDI R0, 5\n  RET\n" },
	    { "o.mvasm", ".entry 0\n  LDI R0, 2\n  RET\n" } },
	  8, 5 },
	{ "a later unit's numeric .entry is ignored",
	  { { "p.mvasm", "  LDI R0, 4\n  RET\n" },
	    { "q.mvasm", ".entry\n  LDI R0, 2\n  RET\n" } },
	  0, 4 },
};

static char tmpdir[64];

static void write_text(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
}

static int run_as(const char *args, char *errbuf, size_t errlen)
{
	char cmd[1024], path[256];
	FILE *fp;
	size_t n;
	int st;

	snprintf(path, sizeof(path), "%s/err.txt", tmpdir);
	snprintf(cmd, sizeof(cmd), "cd %s && %s %s 2>%s", tmpdir, HSX_AS_PATH,
		 args, path);
	st = system(cmd);
	fp = fopen(path, "r");
	n = fp ? fread(errbuf, 1, errlen - 1, fp) : 0;
	errbuf[n] = 0;
	if (fp)
		fclose(fp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static struct hsx_hxe_image *load(const char *name)
{
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (hsx_hxe_load_file(path, &img, &err)) {
		fprintf(stderr, "# %s: %s\n", path, err.msg);
		return NULL;
	}
	return img;
}

/* Run @img to its end on a bare VM; the exit status, or ~0 if it did not return. */
static uint32_t run_image(const struct hsx_hxe_image *hxe)
{
	struct hsx_vm_task_config cfg = { 0 };
	struct hsx_vm_image *img;
	struct hsx_vm_task *t;
	uint32_t st = ~0u;

	hsx_vm_exec_stack(0, &cfg.sp, &cfg.stack_limit);
	img = hsx_vm_image_new(hxe->code, hxe->hdr.code_len, hxe->rodata,
			       hxe->hdr.ro_len, hxe->hdr.entry);
	if (!img)
		return st;
	t = hsx_vm_task_new(img, &cfg);
	hsx_vm_image_put(img);
	if (t && hsx_vm_run(t, 10000) == HSX_VM_STOP_RETURNED)
		st = hsx_vm_exit_status(t);
	hsx_vm_task_free(t);
	return st;
}

FIXTURE(link) {
	char err[4096];
};

FIXTURE_SETUP(link)
{
	strcpy(tmpdir, "/tmp/hsx-link-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(tmpdir));
}

FIXTURE_TEARDOWN(link)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		TH_LOG("cleanup failed");
}

TEST_F(link, reference_linker_rules)
{
	size_t i, f;

	for (i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		const struct link_case *c = &link_cases[i];
		struct hsx_hxe_image *img;
		char args[512] = "-o out.hxe";

		for (f = 0; f < MAX_FILES && c->files[f].name; f++) {
			write_text(c->files[f].name, c->files[f].text);
			strcat(args, " ");
			strcat(args, c->files[f].name);
		}
		EXPECT_EQ(0, run_as(args, self->err, sizeof(self->err)))
			TH_LOG("%s: %s", c->what, self->err);
		img = load("out.hxe");
		EXPECT_NE(NULL, img) TH_LOG("%s", c->what);
		if (!img)
			continue;
		EXPECT_EQ(c->entry, img->hdr.entry) TH_LOG("%s", c->what);
		EXPECT_EQ(c->exit_status, run_image(img)) TH_LOG("%s", c->what);
		hsx_hxe_free(img);
	}
}

TEST_F(link, svc_operand_forms)
{
	static const struct {
		const char *src;
		uint32_t word;
	} cases[] = {
		{ "SVC MOD=1 FN=0\n", 0x30000100 },
		{ "SVC MOD=14 FN=0\n", 0x30000E00 },
		{ "svc mod=0x5 fn=0x3\n", 0x30000503 },
		{ "SVC MOD=5, FN=3\n", 0x30000503 },
		{ "SVC MOD=5,FN=3\n", 0x30000503 },
		{ "SVC FN=2 MOD=4\n", 0x30000402 },
		{ "SVC 0x101\n", 0x30000101 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hsx_hxe_image *img;

		write_text("s.mvasm", cases[i].src);
		EXPECT_EQ(0, run_as("-o s.hxe s.mvasm", self->err,
				    sizeof(self->err)))
			TH_LOG("%s: %s", cases[i].src, self->err);
		img = load("s.hxe");
		EXPECT_NE(NULL, img);
		if (!img)
			continue;
		EXPECT_EQ(cases[i].word, (uint32_t)img->code[0] << 24 |
			  img->code[1] << 16 | img->code[2] << 8 | img->code[3])
			TH_LOG("%s", cases[i].src);
		hsx_hxe_free(img);
	}
}

TEST_HARNESS_MAIN
