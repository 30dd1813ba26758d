// SPDX-License-Identifier: MIT
/*
 * DOC: HSX VM images, tasks and host accessors
 *
 * An image owns the code and rodata and is shared by every task created
 * from it.  A task owns its registers and a private 64 KiB data memory:
 * an anonymous MAP_NORESERVE mapping, so untouched pages cost nothing and
 * an idle task costs one small struct plus the pages it actually wrote.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm/vm_internal.h"

static int image_copy_code(struct hsx_vm_image *img, const void *code,
			   size_t code_len)
{
	size_t i, nwords = code_len / 4;

	img->code = calloc(1, code_len + 8);
	img->words = calloc(nwords + 2, sizeof(uint32_t));
	if (!img->code || !img->words)
		return -1;
	memcpy(img->code, code, code_len);
	for (i = 0; i < nwords; i++)
		img->words[i] = hsx_be32(img->code + 4 * i);
	img->code_len = (uint32_t)code_len;
	return 0;
}

static void image_destroy(struct hsx_vm_image *img)
{
	free(img->code);
	free(img->words);
	free(img->rodata);
	free(img);
}

struct hsx_vm_image *hsx_vm_image_new(const void *code, size_t code_len,
				      const void *rodata, size_t ro_len,
				      uint32_t entry)
{
	struct hsx_vm_image *img;

	if (!code || code_len < 4 || code_len % 4 || code_len > HSX_VM_CODE_MAX ||
	    entry % 4 || entry >= code_len || (ro_len && !rodata)) {
		errno = EINVAL;
		return NULL;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		return NULL;
	atomic_init(&img->refs, 1);
	img->entry = entry;
	if (image_copy_code(img, code, code_len))
		goto nomem;
	if (ro_len > HSX_VM_MEM_SIZE - HSX_VM_RODATA_BASE)
		ro_len = HSX_VM_MEM_SIZE - HSX_VM_RODATA_BASE; /* truncated */
	if (ro_len) {
		img->rodata = malloc(ro_len);
		if (!img->rodata)
			goto nomem;
		memcpy(img->rodata, rodata, ro_len);
	}
	img->ro_len = (uint32_t)ro_len;
	return img;
nomem:
	image_destroy(img);
	errno = ENOMEM;
	return NULL;
}

struct hsx_vm_image *hsx_vm_image_get(struct hsx_vm_image *img)
{
	atomic_fetch_add(&img->refs, 1);
	return img;
}

void hsx_vm_image_put(struct hsx_vm_image *img)
{
	if (img && atomic_fetch_sub(&img->refs, 1) == 1)
		image_destroy(img);
}

uint32_t hsx_vm_image_entry(const struct hsx_vm_image *img)
{
	return img->entry;
}

size_t hsx_vm_image_code_len(const struct hsx_vm_image *img)
{
	return img->code_len;
}

void hsx_vm_exec_stack(unsigned int k, uint32_t *sp, uint32_t *stack_limit)
{
	*sp = 0xFFFCu - k * 0x1000u;
	*stack_limit = 0xEFFCu - k * 0x1000u;
}

struct hsx_vm_task *hsx_vm_task_new(struct hsx_vm_image *img,
				    const struct hsx_vm_task_config *cfg)
{
	struct hsx_vm_task *t;
	void *mem;

	if (!img) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	mem = mmap(NULL, HSX_VM_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	/*
	 * Neighbouring task mappings merge into one VMA; without this a
	 * touched stack page could fault in a 2 MiB huge page shared by 32
	 * tasks' worth of address space, and idle tasks would stop being
	 * cheap.  Failure only costs memory, so it is not an error.
	 */
	(void)madvise(mem, HSX_VM_MEM_SIZE, MADV_NOHUGEPAGE);
	t->mem = mem;
	if (img->ro_len)
		memcpy(t->mem + HSX_VM_RODATA_BASE, img->rodata, img->ro_len);
	t->img = hsx_vm_image_get(img);
	t->pc = img->entry;
	t->sp = cfg && cfg->sp ? cfg->sp : HSX_VM_STANDALONE_SP;
	t->stack_limit = cfg ? cfg->stack_limit : 0;
	t->svc = cfg ? cfg->svc : NULL;
	t->user = cfg ? cfg->user : NULL;
	return t;
}

void hsx_vm_task_free(struct hsx_vm_task *task)
{
	if (!task)
		return;
	munmap(task->mem, HSX_VM_MEM_SIZE);
	hsx_vm_image_put(task->img);
	free(task);
}

void hsx_vm_resume(struct hsx_vm_task *task)
{
	if (task->state == HSX_VM_SUSPENDED)
		task->state = HSX_VM_RUNNABLE;
}

const char *hsx_vm_stop_name(enum hsx_vm_stop stop)
{
	static const char *const names[] = {
		[HSX_VM_STOP_BUDGET] = "budget",
		[HSX_VM_STOP_YIELD] = "yield",
		[HSX_VM_STOP_BLOCKED] = "blocked",
		[HSX_VM_STOP_RETURNED] = "returned",
		[HSX_VM_STOP_EXITED] = "exited",
		[HSX_VM_STOP_FAULT] = "fault",
		[HSX_VM_STOP_BRK] = "brk",
		[HSX_VM_STOP_ILLEGAL] = "illegal_opcode",
	};

	if ((unsigned int)stop >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[stop];
}

const char *hsx_vm_fault_name(enum hsx_vm_fault fault)
{
	static const char *const names[] = {
		[HSX_VM_FAULT_NONE] = "none",
		[HSX_VM_FAULT_MEMORY] = "memory",
		[HSX_VM_FAULT_STACK_OVERFLOW] = "stack_overflow",
		[HSX_VM_FAULT_STACK_UNDERFLOW] = "stack_underflow",
		[HSX_VM_FAULT_DIV_ZERO] = "div_zero",
		[HSX_VM_FAULT_PC_RANGE] = "pc_out_of_range",
	};

	if ((unsigned int)fault >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[fault];
}

/* --- accessors ---------------------------------------------------------- */

uint32_t hsx_vm_reg(const struct hsx_vm_task *task, unsigned int r)
{
	return r < 16 ? task->r[r] : 0;
}

void hsx_vm_set_reg(struct hsx_vm_task *task, unsigned int r, uint32_t v)
{
	if (r < 16)
		task->r[r] = v;
}

uint32_t hsx_vm_pc(const struct hsx_vm_task *task) { return task->pc; }
void hsx_vm_set_pc(struct hsx_vm_task *task, uint32_t pc) { task->pc = pc; }
uint32_t hsx_vm_sp(const struct hsx_vm_task *task) { return task->sp; }
void hsx_vm_set_sp(struct hsx_vm_task *task, uint32_t sp) { task->sp = sp; }
uint32_t hsx_vm_psw(const struct hsx_vm_task *task) { return task->psw; }
void hsx_vm_set_psw(struct hsx_vm_task *task, uint32_t psw) { task->psw = psw & 0xFF; }
uint64_t hsx_vm_steps(const struct hsx_vm_task *task) { return task->steps; }
uint32_t hsx_vm_call_depth(const struct hsx_vm_task *task) { return task->depth; }
uint32_t hsx_vm_exit_status(const struct hsx_vm_task *task) { return task->exit_status; }
enum hsx_vm_fault hsx_vm_fault(const struct hsx_vm_task *task) { return task->fault; }
uint32_t hsx_vm_fault_pc(const struct hsx_vm_task *task) { return task->fault_pc; }
unsigned int hsx_vm_svc_mod(const struct hsx_vm_task *task) { return task->svc_mod; }
unsigned int hsx_vm_svc_func(const struct hsx_vm_task *task) { return task->svc_fn; }
unsigned int hsx_vm_brk_code(const struct hsx_vm_task *task) { return task->brk_code; }
void *hsx_vm_user(const struct hsx_vm_task *task) { return task->user; }
void hsx_vm_set_user(struct hsx_vm_task *task, void *user) { task->user = user; }

void hsx_vm_set_svc_table(struct hsx_vm_task *task,
			  const struct hsx_vm_svc_table *svc)
{
	task->svc = svc;
}

/* --- bounded memory access ------------------------------------------- */

static bool mem_range_ok(uint32_t addr, size_t len)
{
	return addr <= HSX_VM_MEM_SIZE && len <= HSX_VM_MEM_SIZE - addr;
}

int hsx_vm_mem_read(const struct hsx_vm_task *task, uint32_t addr,
		    void *dst, size_t len)
{
	if (!mem_range_ok(addr, len))
		return -EFAULT;
	memcpy(dst, task->mem + addr, len);
	return 0;
}

int hsx_vm_mem_write(struct hsx_vm_task *task, uint32_t addr,
		     const void *src, size_t len)
{
	if (!mem_range_ok(addr, len))
		return -EFAULT;
	memcpy(task->mem + addr, src, len);
	return 0;
}

long hsx_vm_mem_strnlen(const struct hsx_vm_task *task, uint32_t addr,
			size_t max)
{
	size_t avail, n;

	if (addr >= HSX_VM_MEM_SIZE)
		return -EFAULT;
	avail = HSX_VM_MEM_SIZE - addr;
	n = strnlen((const char *)task->mem + addr, max < avail ? max : avail);
	if (n == avail && n < max)
		return -EFAULT; /* memory ended before a NUL */
	return (long)n;
}

void *hsx_vm_mem_ptr(struct hsx_vm_task *task, uint32_t addr, size_t len)
{
	return mem_range_ok(addr, len) ? task->mem + addr : NULL;
}
