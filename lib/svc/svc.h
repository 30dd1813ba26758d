/* SPDX-License-Identifier: MIT */
/*
 * DOC: the SVC layer shared by hsx-execd and hsx-run
 *
 * One register contract for every host of HSX VM tasks (reference
 * sections 1.6 and 3.3):
 *
 *   0x00 core     fn 0 GET_STEPS: R0 = instructions retired
 *   0x01 task     fn 0 EXIT (status R0); fn 1 UART_WRITE(R1 ptr, R2 len),
 *                 a SEND on the task's stdout; R0 = len
 *   0x04 fs       read(R1 fd 0, R2 buf, R3 len) receives from stdin
 *                 (blocking); write(R1 fd 1/2, R2 buf, R3 len) sends to
 *                 stdout/stderr like a SEND (deviation 7); close of fd 0-2
 *                 is a no-op; everything else HSX_ERR_ENOSYS.  Results:
 *                 bytes, or a negative errno.
 *   0x05 mailbox  reference 1.6: R1..R5 masked to 16 bits, R0 = status,
 *                 results in R0-R4 and the 20-byte info struct
 *   0x06 exec     fn 0 SLEEP_MS(R0 ms); R0 = 0
 *
 * Modules without a handler get R0 = HSX_ERR_ENOSYS from the VM.
 *
 * This layer decodes and checks the arguments into struct svc_call, hands
 * the call to the host (struct svc_ops), and applies the host's results
 * to the registers, the info struct and the counters.  How an operation
 * is executed (kernel uring_cmd, or lib/mbx in-process: svc_engine_exec),
 * how a task blocks, sleeps and resumes, and what an event becomes are
 * the host's.  A host may complete a call inside ops.call (return
 * HSX_VM_SVC_DONE) or later (return HSX_VM_SVC_BLOCK); either way it
 * passes the result through svc_done(), svc_woken() or svc_timed_out().
 *
 * hsx_vm_user() of every VM task must be its struct svc_task.
 */
#ifndef HSX_SVC_H
#define HSX_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "mbx/mbx.h"
#include "uapi/hsxmbx.h"
#include "vm/vm.h"

/* The mailbox SVC a task is executing (arguments masked to 16 bits). */
enum svc_call_kind {
	SVC_CALL_MBX, /* module 0x05 */
	SVC_CALL_UART, /* module 0x01 fn 1: stdout */
	SVC_CALL_FS_READ, /* module 0x04 read(fd 0): stdin */
	SVC_CALL_FS_WRITE, /* module 0x04 write(fd 1/2): stdout/stderr */
};

struct svc_call {
	uint8_t kind; /* enum svc_call_kind */
	uint8_t fn;
	uint16_t handle;
	uint16_t ptr; /* payload / receive buffer */
	uint16_t len;
	uint16_t flags; /* SEND message flags; BIND capacity */
	uint16_t channel; /* SEND channel; BIND mode */
	uint16_t timeout;
	uint16_t info_ptr;
	char target[HSX_MBX_MAX_NAME_BYTES + 1];
	/* Results, filled by the host. */
	uint32_t status;
	uint32_t r1, r2, r3, r4;
	uint32_t descriptor; /* for events, when the host knows it */
};

/* Per-task mailbox counters (reference MAILBOX_STEP/WAKE/TIMEOUT). */
struct svc_counters {
	uint64_t step, wake, timeout;
};

/* The SVC state of one VM task; hsx_vm_user() points at it. */
struct svc_task {
	struct hsx_vm_task *vm;
	struct svc_call call;
	struct svc_counters ctr;
};

/* What happened to a mailbox call, for the host's event stream. */
enum svc_event {
	SVC_EV_SEND, /* a SEND succeeded */
	SVC_EV_RECV, /* a RECV returned a message at once */
	SVC_EV_WAKE, /* a waiting RECV got its message */
	SVC_EV_TIMEOUT, /* a waiting RECV timed out */
	SVC_EV_ERROR, /* a call failed (not WOULDBLOCK) */
};

struct svc;

struct svc_ops {
	/* Start st->call: DONE once completed in place, else BLOCK. */
	enum hsx_vm_svc_result (*call)(struct svc *svc, struct svc_task *st);
	/* A RECV or read(0) found no data and may wait: block the task. */
	/* It ends in svc_woken() or svc_timed_out(). */
	void (*park)(struct svc *svc, struct svc_task *st);
	/* SLEEP_MS: R0 = 0 once the host resumes the task. */
	enum hsx_vm_svc_result (*sleep)(struct svc *svc, struct svc_task *st, uint32_t ms);
	/* EXIT (optional): the VM stops the task after it. */
	void (*exit)(struct svc *svc, struct svc_task *st);
	/* Mailbox events (optional).  A wait is the host's own: park(). */
	void (*event)(struct svc *svc, struct svc_task *st, enum svc_event ev);
};

struct svc {
	struct hsx_vm_svc_table table; /* give this to the VM tasks */
	const struct svc_ops *ops;
	void *host;
};

void svc_init(struct svc *svc, const struct svc_ops *ops, void *host);

/*
 * Results of st->call, applied to the registers and the info struct.
 * svc_done() returns false when it parked the task (ops.park), true when
 * the task may run on.  After svc_woken() and svc_timed_out() it may.
 */
bool svc_done(struct svc *svc, struct svc_task *st);
void svc_woken(struct svc *svc, struct svc_task *st);
void svc_timed_out(struct svc *svc, struct svc_task *st);

/* A status as the POSIX-style result of the file SVCs. */
uint32_t svc_fs_result(uint32_t status, uint32_t bytes);

/*
 * engine.c: execute a call on the in-process engine (lib/mbx) for the
 * task @mt.  A RECV with a timeout joins the wait list (MBX_RECV_WAIT).
 */
uint32_t svc_engine_exec(struct mbx_engine *eng, struct mbx_task *mt, struct svc_task *st);
/* Deliver a parked or raced message (res from mbx_recv/cancel_wait). */
void svc_engine_take(struct mbx_engine *eng, struct mbx_task *mt, struct svc_task *st,
		     struct mbx_recv_result *res);

#endif /* HSX_SVC_H */
