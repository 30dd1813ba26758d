/* SPDX-License-Identifier: MIT */
/*
 * DOC: HSX VM (MiniVM) interpreter, public API
 *
 * A byte- and behaviour-compatible C port of the reference MiniVM
 * (hsx-reference.md section 3).  The VM is plain C11 userspace; the
 * executive links it and drives tasks with an instruction budget.
 *
 * Objects:
 *  - struct hsx_vm_image: code (big-endian 32-bit words) and rodata, shared
 *    read-only by every task created from it.  Reference counted.
 *  - struct hsx_vm_task: one task context: R0-R15, PC, SP (separate from
 *    R15), PSW, shadow call depth, steps retired, and a private 64 KiB data
 *    memory.  Memory is an anonymous MAP_NORESERVE mapping, so pages cost
 *    nothing until touched; rodata is copied to 0x4000 at task creation.
 *
 * SVCs: the VM knows no module numbers.  The host installs a table of 16
 * handlers indexed by the module nibble (imm12[11:8]).  A handler runs with
 * the PC already past the SVC.  It may complete synchronously (set R0..)
 * and return HSX_VM_SVC_DONE, suspend the task with HSX_VM_SVC_BLOCK
 * (hsx_vm_run() returns HSX_VM_STOP_BLOCKED; the host later writes the
 * results into the registers and calls hsx_vm_resume(), exactly like the
 * reference's WAIT_MBX wake in section 1.7), end the task with
 * HSX_VM_SVC_EXIT (TASK_EXIT semantics: status = R0), or ask the run loop
 * to return with HSX_VM_SVC_YIELD (the task stays runnable).  A module
 * without a handler sets R0 = HSX_VM_ERR_ENOSYS and continues.
 *
 * Threading: a task may be run by one thread at a time; distinct tasks,
 * even sharing an image, may run concurrently.
 */
#ifndef HSX_VM_H
#define HSX_VM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HSX_VM_MEM_SIZE 0x10000u      /* data memory per task */
#define HSX_VM_RODATA_BASE 0x4000u    /* .data/rodata load address */
#define HSX_VM_CODE_MAX 0x10000u      /* maximum code length */
#define HSX_VM_STANDALONE_SP 0x8000u  /* SP of a standalone MiniVM */

/* PSW flag bits. */
#define HSX_VM_PSW_Z 0x01u
#define HSX_VM_PSW_C 0x02u
#define HSX_VM_PSW_N 0x04u
#define HSX_VM_PSW_V 0x08u

/* Values the VM (or a host handler) places in R0. */
#define HSX_VM_ERR_ENOSYS 0xFFFFFF01u          /* unknown SVC module */
#define HSX_VM_ERR_STACK_UNDERFLOW 0xFFFFFF02u
#define HSX_VM_ERR_STACK_OVERFLOW 0xFFFFFF03u
#define HSX_VM_ERR_MEMORY 0xFFFFFF04u
#define HSX_VM_ERR_DIV_ZERO 0xFFFFFF05u

/* Opcodes (section 3.2), for the assembler, disassembler and tests. */
enum hsx_vm_opcode {
	HSX_OP_LDI = 0x01, HSX_OP_LD = 0x02, HSX_OP_ST = 0x03,
	HSX_OP_MOV = 0x04, HSX_OP_LDB = 0x06, HSX_OP_LDH = 0x07,
	HSX_OP_STB = 0x08, HSX_OP_STH = 0x09,
	HSX_OP_ADD = 0x10, HSX_OP_SUB = 0x11, HSX_OP_MUL = 0x12,
	HSX_OP_DIV = 0x13, HSX_OP_AND = 0x14, HSX_OP_OR = 0x15,
	HSX_OP_XOR = 0x16, HSX_OP_NOT = 0x17, HSX_OP_CMP = 0x20,
	HSX_OP_JMP = 0x21, HSX_OP_JZ = 0x22, HSX_OP_JNZ = 0x23,
	HSX_OP_CALL = 0x24, HSX_OP_RET = 0x25, HSX_OP_SVC = 0x30,
	HSX_OP_LSL = 0x31, HSX_OP_LSR = 0x32, HSX_OP_ASR = 0x33,
	HSX_OP_ADC = 0x34, HSX_OP_SBC = 0x35,
	HSX_OP_PUSH = 0x40, HSX_OP_POP = 0x41,
	HSX_OP_FADD = 0x50, HSX_OP_FSUB = 0x51, HSX_OP_FMUL = 0x52,
	HSX_OP_FDIV = 0x53, HSX_OP_I2F = 0x54, HSX_OP_F2I = 0x55,
	HSX_OP_LDI32 = 0x60, HSX_OP_BRK = 0x7F,
};

/* Why hsx_vm_run() returned. */
enum hsx_vm_stop {
	HSX_VM_STOP_BUDGET = 0, /* budget used up; runnable */
	HSX_VM_STOP_YIELD,      /* an SVC handler asked to yield; runnable */
	HSX_VM_STOP_BLOCKED,    /* SVC handler blocked; PC past the SVC */
	HSX_VM_STOP_RETURNED,   /* RET at call depth 0; exit_status = R0 */
	HSX_VM_STOP_EXITED,     /* SVC handler returned HSX_VM_SVC_EXIT */
	HSX_VM_STOP_FAULT,      /* see hsx_vm_fault(); PC on the instruction */
	HSX_VM_STOP_BRK,        /* BRK imm8; PC past it; runnable */
	HSX_VM_STOP_ILLEGAL,    /* illegal opcode; PC past it */
};

/* Fault kinds (HSX_VM_STOP_FAULT). R0 holds the code where one exists. */
enum hsx_vm_fault {
	HSX_VM_FAULT_NONE = 0,
	HSX_VM_FAULT_MEMORY,          /* R0 = HSX_VM_ERR_MEMORY */
	HSX_VM_FAULT_STACK_OVERFLOW,  /* R0 = HSX_VM_ERR_STACK_OVERFLOW */
	HSX_VM_FAULT_STACK_UNDERFLOW, /* R0 = HSX_VM_ERR_STACK_UNDERFLOW */
	HSX_VM_FAULT_DIV_ZERO,        /* R0 = HSX_VM_ERR_DIV_ZERO */
	HSX_VM_FAULT_PC_RANGE,        /* fetch past code end; R0 untouched */
};

/* What an SVC handler tells the run loop. */
enum hsx_vm_svc_result {
	HSX_VM_SVC_DONE = 0, /* results are in the registers; continue */
	HSX_VM_SVC_BLOCK,    /* suspend; host calls hsx_vm_resume() later */
	HSX_VM_SVC_EXIT,     /* task exits with status R0 (TASK_EXIT) */
	HSX_VM_SVC_YIELD,    /* stop this run, task stays runnable */
};

struct hsx_vm_image;
struct hsx_vm_task;

/*
 * An SVC handler: @mod is imm12[11:8], @fn is imm12[7:0], @ctx is the
 * pointer registered with the handler.  Arguments are in R1..R5 (the host
 * masks them as its ABI requires).
 */
typedef enum hsx_vm_svc_result (*hsx_vm_svc_handler)(
	struct hsx_vm_task *task, unsigned int mod, unsigned int fn,
	void *ctx);

/* Host-owned dispatch table; may be shared by many tasks. */
struct hsx_vm_svc_table {
	hsx_vm_svc_handler handler[16];
	void *ctx[16];
};

/* Task creation parameters.  Zeroed fields take the defaults noted. */
struct hsx_vm_task_config {
	uint32_t sp;          /* initial SP; 0 = HSX_VM_STANDALONE_SP */
	uint32_t stack_limit; /* PUSH/CALL overflow below this; 0 = none */
	const struct hsx_vm_svc_table *svc; /* NULL = every SVC is ENOSYS */
	void *user;           /* host data, see hsx_vm_user() */
};

/* --- images ----------------------------------------------------------- */

/*
 * Create an image: copies @code (big-endian words, @code_len a multiple
 * of 4, <= 64 KiB) and @rodata.  @entry is a 4-aligned offset < code_len.
 * Returns NULL with errno EINVAL (bad arguments) or ENOMEM.
 */
struct hsx_vm_image *hsx_vm_image_new(const void *code, size_t code_len,
				      const void *rodata, size_t ro_len,
				      uint32_t entry);
struct hsx_vm_image *hsx_vm_image_get(struct hsx_vm_image *img);
void hsx_vm_image_put(struct hsx_vm_image *img);
uint32_t hsx_vm_image_entry(const struct hsx_vm_image *img);
size_t hsx_vm_image_code_len(const struct hsx_vm_image *img);

/* --- tasks ------------------------------------------------------------ */

/*
 * Stack of executive task slot @k: SP starts at 0xFFFC - k*0x1000 and
 * stack_limit is 0xEFFC - k*0x1000 (reference section 3.1).
 */
void hsx_vm_exec_stack(unsigned int k, uint32_t *sp, uint32_t *stack_limit);

/* Create a task (takes a reference on @img).  NULL + errno on failure. */
struct hsx_vm_task *hsx_vm_task_new(struct hsx_vm_image *img,
				    const struct hsx_vm_task_config *cfg);
void hsx_vm_task_free(struct hsx_vm_task *task);

/*
 * Run up to @budget instructions (LDI32 counts one).  Returns why it
 * stopped.  A terminated task (returned, exited, fault, illegal) returns
 * the same reason again without running; a blocked task returns
 * HSX_VM_STOP_BLOCKED until hsx_vm_resume().
 */
enum hsx_vm_stop hsx_vm_run(struct hsx_vm_task *task, uint64_t budget);

/* Make a blocked task runnable again (results already in registers). */
void hsx_vm_resume(struct hsx_vm_task *task);

/* Name of a stop reason / fault kind, for logs ("budget", "memory"...). */
const char *hsx_vm_stop_name(enum hsx_vm_stop stop);
const char *hsx_vm_fault_name(enum hsx_vm_fault fault);

/* --- register and state access (valid from SVC handlers too) ---------- */

uint32_t hsx_vm_reg(const struct hsx_vm_task *task, unsigned int r);
void hsx_vm_set_reg(struct hsx_vm_task *task, unsigned int r, uint32_t v);
uint32_t hsx_vm_pc(const struct hsx_vm_task *task);
void hsx_vm_set_pc(struct hsx_vm_task *task, uint32_t pc);
uint32_t hsx_vm_sp(const struct hsx_vm_task *task);
void hsx_vm_set_sp(struct hsx_vm_task *task, uint32_t sp);
uint32_t hsx_vm_psw(const struct hsx_vm_task *task);
void hsx_vm_set_psw(struct hsx_vm_task *task, uint32_t psw);
uint64_t hsx_vm_steps(const struct hsx_vm_task *task);
uint32_t hsx_vm_call_depth(const struct hsx_vm_task *task);
/* Exit status: R0 at RET depth 0 or at HSX_VM_SVC_EXIT. */
uint32_t hsx_vm_exit_status(const struct hsx_vm_task *task);
/* Fault of the last HSX_VM_STOP_FAULT, and the PC it happened at. */
enum hsx_vm_fault hsx_vm_fault(const struct hsx_vm_task *task);
uint32_t hsx_vm_fault_pc(const struct hsx_vm_task *task);
/* The last SVC's module and function (e.g. after HSX_VM_STOP_BLOCKED). */
unsigned int hsx_vm_svc_mod(const struct hsx_vm_task *task);
unsigned int hsx_vm_svc_func(const struct hsx_vm_task *task);
/* The last BRK's imm8. */
unsigned int hsx_vm_brk_code(const struct hsx_vm_task *task);
void *hsx_vm_user(const struct hsx_vm_task *task);
void hsx_vm_set_user(struct hsx_vm_task *task, void *user);
void hsx_vm_set_svc_table(struct hsx_vm_task *task,
			  const struct hsx_vm_svc_table *svc);

/* --- task memory (bounded; addresses are 16-bit data addresses) ------- */

/* Copy @len bytes out of / into task memory; 0 or -EFAULT past 0xFFFF. */
int hsx_vm_mem_read(const struct hsx_vm_task *task, uint32_t addr,
		    void *dst, size_t len);
int hsx_vm_mem_write(struct hsx_vm_task *task, uint32_t addr,
		     const void *src, size_t len);
/*
 * Length of the NUL-terminated string at @addr, at most @max (strnlen
 * semantics).  -EFAULT if @addr is outside memory or memory ends before
 * both a NUL and @max bytes.
 */
long hsx_vm_mem_strnlen(const struct hsx_vm_task *task, uint32_t addr,
			size_t max);
/* Direct pointer to [addr, addr+len) or NULL if out of range. */
void *hsx_vm_mem_ptr(struct hsx_vm_task *task, uint32_t addr, size_t len);

/*
 * --- f16 helpers (bit-exact with the reference conversions) -----------
 * The reference computes in Python floats, i.e. IEEE doubles, so these
 * take and return double.  hsx_vm_f16_from_double() ports its quirks:
 * NaN -> 0x7E00, a subnormal that rounds up to 2^-14 saturates at 0x03FF.
 */
double hsx_vm_f16_to_double(uint16_t h);
uint16_t hsx_vm_f16_from_double(double v);

#ifdef __cplusplus
}
#endif

#endif /* HSX_VM_H */
