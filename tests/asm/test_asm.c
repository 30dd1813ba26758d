// SPDX-License-Identifier: MIT
/*
 * DOC: hsx-as tests: the reference's verified encodings, multi-file
 * linking through .extern/.export and .include, deviation-13 errors with
 * file:line:col, and the example apps running on the VM against a tiny
 * in-test mailbox service (producer -> app:demo -> consumer -> stdout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "hxe/hxe.h"
#include "vm/vm.h"

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

/* Run hsx-as in tmpdir; returns exit status, stderr in @errbuf. */
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

static struct hsx_hxe_image *load(const char *path)
{
	struct hsx_hxe_image *img;
	struct hsx_hxe_error err;

	if (hsx_hxe_load_file(path, &img, &err)) {
		fprintf(stderr, "# %s: %s\n", path, err.msg);
		return NULL;
	}
	return img;
}

static uint32_t word_at(const struct hsx_hxe_image *img, size_t i)
{
	const uint8_t *p = img->code + 4 * i;

	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

FIXTURE(asm) {
	char err[4096];
};

FIXTURE_SETUP(asm)
{
	strcpy(tmpdir, "/tmp/hsx-as-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(tmpdir));
}

FIXTURE_TEARDOWN(asm)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		TH_LOG("cleanup failed");
}

TEST_F(asm, verified_encodings)
{
	static const uint32_t want[] = {
		0x30000503, 0x01100FFF, 0x02170FF8, 0x030F2004,
		0x40070000, 0x41700000, 0x30000503, 0x7F000007, 0x25000000,
	};
	struct hsx_hxe_image *img;
	char path[256];
	size_t i;

	write_text("enc.mvasm",
		   "svc mod=5, fn=3\n"
		   "LDI R1,-1\n"
		   "LD R1,[R7+-8]\n"
		   "ST [R15+4],R2\n"
		   "PUSH R7\n"
		   "pop r7\n"
		   "SVC 0x503\n"
		   "BRK 7\n"
		   "RET\n");
	ASSERT_EQ(0, run_as("-o enc.hxe enc.mvasm", self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	snprintf(path, sizeof(path), "%s/enc.hxe", tmpdir);
	img = load(path);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(sizeof(want), img->hdr.code_len);
	for (i = 0; i < sizeof(want) / 4; i++)
		EXPECT_EQ(want[i], word_at(img, i)) TH_LOG("word %zu", i);
	EXPECT_EQ(2, img->hdr.version);
	EXPECT_EQ(HSX_HXE_FLAG_MULTI_INSTANCE, img->hdr.flags);
	EXPECT_STREQ("enc", img->hdr.app_name);
	hsx_hxe_free(img);
}

TEST_F(asm, data_symbols_and_expressions)
{
	struct hsx_hxe_image *img;
	char path[256];

	write_text("d.mvasm",
		   ".entry start\n"
		   "start:\n"
		   "  LDI32 R1, msg\n"          /* 0, 4 */
		   "  LDI R2, off16(msg)\n"     /* 8 */
		   "  LDI32 R3, hi16(msg)\n"    /* 12, 16 */
		   "  CALL fn\n"                /* 20 */
		   "  JMP start\n"              /* 24 */
		   "fn: RET\n"                  /* 28 */
		   ".data\n"
		   "pad: .byte 1, 2, 'A', \"z\\n\"\n"
		   "msg: .asciz \"hi\"\n"
		   ".align 4\n"
		   "ptr: .word msg, fn\n"
		   "h: .half lo16(msg)\n");
	ASSERT_EQ(0, run_as("--app-name data d.mvasm", self->err,
			    sizeof(self->err))) TH_LOG("%s", self->err);
	snprintf(path, sizeof(path), "%s/d.hxe", tmpdir);
	img = load(path);
	ASSERT_NE(NULL, img);
	EXPECT_STREQ("data", img->hdr.app_name);
	EXPECT_EQ(0x4005u, word_at(img, 1));
	EXPECT_EQ(0x01200005u, word_at(img, 2));
	EXPECT_EQ(0u, word_at(img, 4));
	EXPECT_EQ(0x24000002u, word_at(img, 5));  /* (28 - 20) / 4 */
	EXPECT_EQ(0x21000000u, word_at(img, 6));
	ASSERT_EQ(18u, img->hdr.ro_len);
	EXPECT_EQ(0, memcmp(img->rodata, "\x01\x02" "Az\nhi\0", 8));
	EXPECT_EQ(0, memcmp(img->rodata + 8, "\x05\x40\0\0\x1c\0\0\0\x05\x40",
			    10));
	hsx_hxe_free(img);
}

TEST_F(asm, extern_export_and_include_link_units)
{
	struct hsx_hxe_image *img;
	char path[256];

	write_text("inc.mvasm", "helper:\n  LDI R0, 5\n  RET\n");
	write_text("a.mvasm",
		   ".extern twice\n"
		   ".include \"inc.mvasm\"\n"
		   ".entry main\n"
		   "main:\n  CALL twice\n  RET\n");
	write_text("b.mvasm",
		   ".export twice\n"
		   "twice:\n  ADD R0, R0, R0\n  RET\n"
		   "main:\n  RET\n"); /* unit-private, no clash */
	ASSERT_EQ(0, run_as("-o ab.hxe a.mvasm b.mvasm", self->err,
			    sizeof(self->err))) TH_LOG("%s", self->err);
	snprintf(path, sizeof(path), "%s/ab.hxe", tmpdir);
	img = load(path);
	ASSERT_NE(NULL, img);
	EXPECT_EQ(8u, img->hdr.entry);
	EXPECT_EQ(0x24000002u, word_at(img, 2)); /* 8 -> 16 */
	hsx_hxe_free(img);

	write_text("c.mvasm", "CALL nowhere\n");
	EXPECT_EQ(1, run_as("c.mvasm", self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "c.mvasm:1:6: error: undefined "
				      "symbol 'nowhere'"));
	write_text("e.mvasm", ".extern gone\nCALL gone\n");
	EXPECT_EQ(1, run_as("e.mvasm b.mvasm", self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not exported"));
}

TEST_F(asm, refuses_what_the_isa_cannot_encode)
{
	static const struct {
		const char *src, *msg;
	} cases[] = {
		{ ".org 0x1000\nfar:\nJMP far\n", "x.mvasm:3:5: error: absolute jump" },
		{ "JMP 4096\n", "x.mvasm:1:5: error: jump target 4096" },
		{ "LDI R1, 2048\n", "x.mvasm:1:9: error: immediate 2048" },
		{ "LD R1, [R2+-2049]\n", "offset -2049" },
		{ "SVC MOD=16, FN=1\n", "SVC module 16" },
		{ "BRK 256\n", "BRK code 256" },
		{ "LDI R16, 1\n", "expected a register" },
		{ "FROB R1\n", "x.mvasm:1:1: error: unknown mnemonic 'FROB'" },
		{ "L:\nL:\n", "duplicate label 'L'" },
		{ "LDI R1, s\n.data\ns: .byte 0\n", "12-bit signed immediate" },
		{ ".data\n.byte 256\n", "value 256" },
		{ ".data\nLDI R1, 0\n", "instruction LDI in .data" },
		{ ".value {}\nRET\n",
		  "x.mvasm:1:1: error: .value: field 'group_id' is required" },
		{ ".frob 1\n", "unsupported directive '.frob'" },
		{ ".include \"missing.mvasm\"\n", "not found" },
		{ ".include\nRET\n", "x.mvasm:1:1: error: .include expects a file name" },
		{ ".include \"\"\nRET\n", "x.mvasm:1:1: error: .include expects a file name" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];

		write_text("x.mvasm", cases[i].src);
		EXPECT_EQ(1, run_as("-o x.hxe x.mvasm", self->err,
				    sizeof(self->err)));
		EXPECT_NE(NULL, strstr(self->err, cases[i].msg))
			TH_LOG("case %zu: %s", i, self->err);
		snprintf(path, sizeof(path), "%s/x.hxe", tmpdir);
		EXPECT_NE(0, access(path, F_OK)); /* no output left behind */
	}
}

TEST_F(asm, mailbox_directive_round_trips)
{
	struct hsx_hxe_image *img;
	char path[256];

	write_text("m.mvasm",
		   ".mailbox {\"target\":\"app:x\",\"capacity\":96,\"mode\":\"RDWR|FANOUT\"}\n"
		   ".mailbox [{\"target\":\"shared:t\",\"mode_mask\":27}]\n"
		   "RET\n");
	ASSERT_EQ(0, run_as("m.mvasm", self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	snprintf(path, sizeof(path), "%s/m.hxe", tmpdir);
	img = load(path);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(1u, img->nsections);
	EXPECT_EQ(2u, img->sections[0].entry_count);
	EXPECT_EQ(0, memcmp(img->sections[0].data,
			    "{\"mailboxes\":[{\"capacity\":96,", 29));
	ASSERT_EQ(2u, img->nmailboxes);
	EXPECT_STREQ("app:x", img->mailboxes[0].target);
	EXPECT_EQ(96u, img->mailboxes[0].capacity);
	EXPECT_EQ(0x0Bu, img->mailboxes[0].mode_mask);
	EXPECT_EQ(0x1Bu, img->mailboxes[1].mode_mask);
	hsx_hxe_free(img);

	write_text("bad.mvasm", ".mailbox {\"target\":\"app:x\",\"mode\":\"rw|nope\"}\nRET\n");
	EXPECT_EQ(1, run_as("bad.mvasm", self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "'nope'"));
}

/* --- running the example apps against a fake mailbox service ---------- */

#define MAXQ 8
struct fake_mbx {
	char names[8][32];
	int nnames;
	char q[8][MAXQ][64];
	int qlen[8][MAXQ], head[8], tail[8];
	int src[8][MAXQ];
	int next_handle[3];
	int handle_desc[3][16];
	char out[8][64];
	int nout;
	struct hsx_vm_task *blocked;
	uint32_t blocked_buf, blocked_max;
	int blocked_desc;
};

static int pid_of(struct hsx_vm_task *t)
{
	return (int)(intptr_t)hsx_vm_user(t);
}

static int desc_for(struct fake_mbx *m, const char *name, int pid)
{
	char key[40];
	int i;

	if (!strncmp(name, "svc:", 4))
		snprintf(key, sizeof(key), "%s@%d", name, pid);
	else
		snprintf(key, sizeof(key), "%s", name);
	for (i = 0; i < m->nnames; i++)
		if (!strcmp(m->names[i], key))
			return i;
	strcpy(m->names[m->nnames], key);
	return m->nnames++;
}

static enum hsx_vm_svc_result fake_svc(struct hsx_vm_task *t, unsigned int mod,
				       unsigned int fn, void *ctx)
{
	struct fake_mbx *m = ctx;
	int pid = pid_of(t), d, h = hsx_vm_reg(t, 1) & 0xFFFF;
	char name[33] = { 0 };

	if (fn == 0 || fn == 1) { /* OPEN/BIND */
		long n = hsx_vm_mem_strnlen(t, hsx_vm_reg(t, 1) & 0xFFFF, 32);

		hsx_vm_mem_read(t, hsx_vm_reg(t, 1) & 0xFFFF, name, n);
		d = desc_for(m, name, pid);
		if (fn == 0) {
			h = m->next_handle[pid]++;
			m->handle_desc[pid][h] = d;
		}
		hsx_vm_set_reg(t, 0, 0);
		hsx_vm_set_reg(t, 1, fn == 0 ? (uint32_t)h : (uint32_t)d + 1);
		return HSX_VM_SVC_DONE;
	}
	d = m->handle_desc[pid][h];
	if (fn == 2) { /* SEND */
		uint32_t len = hsx_vm_reg(t, 3) & 0xFFFF;
		int slot = m->tail[d]++ % MAXQ;

		hsx_vm_mem_read(t, hsx_vm_reg(t, 2) & 0xFFFF, m->q[d][slot], len);
		m->qlen[d][slot] = (int)len;
		m->src[d][slot] = pid;
		if (strstr(m->names[d], "stdio.out")) {
			memcpy(m->out[m->nout], m->q[d][slot], len);
			m->out[m->nout++][len] = 0;
		}
		hsx_vm_set_reg(t, 0, 0);
		hsx_vm_set_reg(t, 1, len);
		return HSX_VM_SVC_DONE;
	}
	if (fn == 3) { /* RECV: only the blocking path matters here */
		m->blocked = t;
		m->blocked_buf = hsx_vm_reg(t, 2) & 0xFFFF;
		m->blocked_max = hsx_vm_reg(t, 3) & 0xFFFF;
		m->blocked_desc = d;
		return HSX_VM_SVC_BLOCK;
	}
	hsx_vm_set_reg(t, 0, 0); /* CLOSE and the rest */
	return HSX_VM_SVC_DONE;
}

static void deliver(struct fake_mbx *m)
{
	struct hsx_vm_task *t = m->blocked;
	int d = m->blocked_desc, slot = m->head[d]++ % MAXQ;
	uint32_t n = (uint32_t)m->qlen[d][slot];

	if (n > m->blocked_max)
		n = m->blocked_max;
	hsx_vm_mem_write(t, m->blocked_buf, m->q[d][slot], n);
	hsx_vm_set_reg(t, 0, 0);
	hsx_vm_set_reg(t, 1, n);
	hsx_vm_set_reg(t, 2, 0);
	hsx_vm_set_reg(t, 3, 0);
	hsx_vm_set_reg(t, 4, (uint32_t)m->src[d][slot]);
	m->blocked = NULL;
	hsx_vm_resume(t);
}

static struct hsx_vm_task *spawn(const char *name, int pid,
				 struct hsx_vm_svc_table *svc)
{
	struct hsx_vm_task_config cfg = { .svc = svc, .user = (void *)(intptr_t)pid };
	struct hsx_hxe_image *hxe;
	struct hsx_vm_image *img;
	struct hsx_vm_task *t;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.hxe", HSX_EXAMPLES_DIR, name);
	hxe = load(path);
	if (!hxe)
		return NULL;
	hsx_vm_exec_stack((unsigned int)pid - 1, &cfg.sp, &cfg.stack_limit);
	img = hsx_vm_image_new(hxe->code, hxe->hdr.code_len, hxe->rodata,
			       hxe->hdr.ro_len, hxe->hdr.entry);
	hsx_hxe_free(hxe);
	t = hsx_vm_task_new(img, &cfg);
	hsx_vm_image_put(img);
	return t;
}

TEST(examples_procon_test_programs_run_on_the_vm)
{
	static struct fake_mbx m = { .next_handle = { 4, 4, 4 } };
	struct hsx_vm_svc_table svc = { .handler = { [5] = fake_svc },
					.ctx = { [5] = &m } };
	struct hsx_vm_task *cons = spawn("test_mailbox_consumer", 1, &svc);
	struct hsx_vm_task *prod = spawn("test_mailbox_producer", 2, &svc);

	ASSERT_NE(NULL, cons);
	ASSERT_NE(NULL, prod);
	/* Consumer first: it opens app:demo as handle 4 and blocks. */
	EXPECT_EQ(HSX_VM_STOP_BLOCKED, hsx_vm_run(cons, 10000));
	EXPECT_EQ(cons, m.blocked);
	EXPECT_EQ(4, m.next_handle[1] - 1);
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(prod, 10000));
	EXPECT_EQ(0u, hsx_vm_exit_status(prod));
	EXPECT_EQ(5, m.next_handle[2]); /* the producer's handle was 4 too */
	EXPECT_EQ(18, m.qlen[0][0]);
	deliver(&m);
	EXPECT_EQ(HSX_VM_STOP_RETURNED, hsx_vm_run(cons, 100000));
	EXPECT_EQ(0u, hsx_vm_exit_status(cons));
	ASSERT_EQ(2, m.nout);
	EXPECT_STREQ("ping from producer", m.out[0]);
	EXPECT_STREQ("\n", m.out[1]);
	hsx_vm_task_free(cons);
	hsx_vm_task_free(prod);
}

TEST(every_example_loads)
{
	static const char *names[] = {
		"producer", "consumer", "test_mailbox_producer",
		"test_mailbox_consumer", "test_stdio_mailbox",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct hsx_hxe_image *img;

		snprintf(path, sizeof(path), "%s/%s.hxe", HSX_EXAMPLES_DIR, names[i]);
		img = load(path);
		EXPECT_NE(NULL, img) TH_LOG("%s", names[i]);
		if (img)
			EXPECT_STREQ(names[i], img->hdr.app_name);
		hsx_hxe_free(img);
	}
}

TEST_HARNESS_MAIN
