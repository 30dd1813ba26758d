/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DOC: The portable mailbox engine
 *
 * lib/mbx implements the HSX mailbox semantics (hsx-reference sections 1
 * and 10) in freestanding C11.  The same files compile in Kbuild (the
 * module) and in userspace (the executive's embedded backend, the tests).
 *
 * Rules that make that possible:
 *  - no malloc: every object comes from struct mbx_ops.alloc;
 *  - no locks: the caller serialises every call on one engine;
 *  - no libc: only <linux/types.h> (present in both worlds) and compiler
 *    builtins (__builtin_memcpy and friends);
 *  - no sleeping: the engine never blocks.  It keeps FIFO wait lists and
 *    tells the host, through ops.wake, which handle a message was handed
 *    to.  The host decides how to sleep and wake.
 *
 * Identities.  A struct mbx_task is an actor with an HSX PID.  Registered
 * VM tasks (pid != 0) are unique per pid; the host may create any number of
 * anonymous PID-0 tasks (one per open control file in the module) so that
 * host processes get private handle tables.  src_pid is stamped from the
 * sending task, never taken from the caller.
 *
 * Messages are reference counted and shared: a fan-out message is stored
 * once for all readers; taps hold references too.  mbx_recv() hands the
 * caller a reference that it must drop with mbx_msg_put() (under the same
 * serialisation) once it has copied the payload out.
 *
 * Handoff.  A receive that finds no data may register the handle as a
 * waiter (MBX_RECV_WAIT).  When a send makes data available, the engine
 * performs the receive on the waiter's behalf, parks the result in the
 * handle ("delivered" slot), removes it from the wait list, emits
 * mailbox_wake and calls ops.wake(handle).  The next mbx_recv() on that
 * handle returns the parked message.  Single-reader descriptors hand one
 * message to one waiter at a time in FIFO order; fan-out descriptors hand
 * the message to every waiter.  mbx_cancel_wait() leaves the wait list; if
 * a message was parked meanwhile it is returned rather than lost.
 * Closing a handle puts a parked single-reader message back in the queue.
 *
 * Lifetimes.  Handles, BIND pins and host references (mbx_desc_get) keep
 * a descriptor alive; so do queued messages (a producer may exit before
 * its consumer opens the mailbox).  Descriptors owned by a registered task
 * (pid:N, svc:x@N, app:x@N) are destroyed with the task.  A destroyed
 * descriptor is unlinked at once and freed when its last reference goes.
 *
 * Fan-out.  Any of FANOUT, FANOUT_DROP or FANOUT_BLOCK makes a descriptor
 * fan-out; plain FANOUT behaves as FANOUT_DROP.
 *
 * Hooks run synchronously inside engine calls; a host must not call back
 * into the engine from a hook (record the fact and act after the call).
 */
#ifndef HSX_LIB_MBX_H
#define HSX_LIB_MBX_H

#include <linux/types.h>
#include "uapi/hsxmbx.h"

struct mbx_engine;
struct mbx_task;
struct mbx_desc;
struct mbx_handle;
struct mbx_msg;

/* Object kinds passed to the allocator so a host can use typed caches. */
enum mbx_obj_kind {
	MBX_OBJ_ENGINE,
	MBX_OBJ_TASK,
	MBX_OBJ_DESC,
	MBX_OBJ_HANDLE,
	MBX_OBJ_MSG, /* header + payload in one block, size varies */
	MBX_OBJ_TAPENT, /* tap-buffer entry */
	MBX_OBJ_TABLE, /* hash table arrays */
	MBX_OBJ_PIN, /* a task's BIND pin on a descriptor */
};

enum mbx_event_type {
	MBX_EV_SEND,
	MBX_EV_RECV,
	MBX_EV_WAIT,
	MBX_EV_WAKE,
	MBX_EV_TIMEOUT,
	MBX_EV_OVERRUN,
	MBX_EV_BACKPRESSURE,
	MBX_EV_EXHAUSTED,
	MBX_EV_ERROR,
	MBX_EV_TAP_OVERRUN, /* a tap lost a copy (its buffer was full) */
	MBX_EV_TRUNCATED, /* a receive discarded bytes */
	MBX_EV_DESC_CREATE,
	MBX_EV_DESC_DESTROY,
};

enum mbx_reason {
	MBX_REASON_NONE,
	MBX_REASON_SINGLE, /* backpressure, single-reader full */
	MBX_REASON_FANOUT_BLOCK, /* backpressure, FANOUT_BLOCK full */
	MBX_REASON_FANOUT_DROP, /* overrun: oldest dropped */
	MBX_REASON_TAP_RATE_LIMIT, /* backpressure on a tap */
	MBX_REASON_TAP_FULL, /* tap buffer overflowed */
	MBX_REASON_DESCRIPTOR_POOL_FULL,
	MBX_REASON_HANDLE_LIMIT,
	MBX_REASON_BYTE_CAP, /* global byte cap reached */
	MBX_REASON_HOST_QUOTA, /* desc_created refused it (a per-user quota) */
};

/*
 * One event; fields not meaningful for a type are 0.  Field names follow
 * reference section 1.8.  `name` points at the descriptor's name (valid
 * only during the callback).
 */
struct mbx_event {
	enum mbx_event_type type;
	enum mbx_reason reason;
	__u32 pid; /* acting task (or dropped.src_pid for overrun) */
	__u32 descriptor;
	__u32 handle;
	__u32 ns;
	const char *name;
	__u32 owner; /* MBX_NO_OWNER if none */
	__u32 length;
	__u32 flags;
	__u32 channel;
	__u32 src_pid;
	__u32 status;
	__u32 seq; /* message seq (dropped_seq for overrun) */
	__u32 timeout; /* wait */
	__u32 capacity; /* backpressure */
	__u32 bytes_used; /* backpressure */
	__u32 requested; /* backpressure: cost of the message */
	__u32 queue_depth; /* overrun */
	__u32 tap_pid; /* tap backpressure */
	__u32 tap_handle;
	__u32 limit; /* tap rate limit, handle limit, max descriptors */
	__u32 handles; /* exhausted{handle_limit} */
	__u32 fn; /* error: HSX_MBX_FN_* */
};

#define MBX_NO_OWNER 0xFFFFFFFFu

struct mbx_ops {
	void *(*alloc)(void *host, enum mbx_obj_kind kind, __u32 size);
	void (*free)(void *host, enum mbx_obj_kind kind, void *ptr, __u32 size);
	__u64 (*now_ns)(void *host); /* monotonic clock, for tap rate windows */
	/* Optional hooks (may be NULL). */
	void (*event)(void *host, const struct mbx_event *ev);
	/* A waiting handle got a parked message (or its descriptor died). */
	void (*wake)(void *host, struct mbx_handle *h);
	/* A tap handle's buffer gained a message. */
	void (*tap_ready)(void *host, struct mbx_handle *h);
	/* Space was freed on a descriptor (FANOUT_BLOCK senders may retry). */
	void (*space)(void *host, struct mbx_desc *d);
	/*
	 * Descriptor lifecycle: nodes are created/removed here.  A non-OK
	 * status from desc_created refuses the new descriptor: the call that
	 * would have created it fails with that status (NO_DESCRIPTOR is
	 * counted and announced as exhausted{host_quota}); desc_destroyed is
	 * then never called for it.
	 */
	__u32 (*desc_created)(void *host, struct mbx_desc *d);
	void (*desc_destroyed)(void *host, struct mbx_desc *d);
	/* A handle is being closed (explicitly or by teardown/destroy). */
	void (*handle_closed)(void *host, struct mbx_handle *h);
};

struct mbx_config {
	__u32 max_descriptors; /* pool limit, 0 = unlimited */
	__u32 handles_per_pid; /* quota, 0 = unlimited */
	__u32 default_capacity; /* 0 = HSX_MBX_DEFAULT_RING_CAPACITY */
	__u32 tap_rate_limit; /* msgs per 1 s window per tap, 0 = unlimited */
	__u64 max_total_bytes; /* global cap on queued bytes, 0 = none */
	__u32 max_msg_bytes; /* 0 = HSX_MBX_MAX_MSG_BYTES */
	__u32 stdio_capacity; /* 0 = HSX_MBX_STDIO_CAPACITY */
	__u32 stdio_mode; /* 0 = RDWR */
};

/* Fill cfg from a profile (HSX_MBX_PROFILE_*); returns 0 or -1. */
int mbx_config_profile(struct mbx_config *cfg, __u32 profile);

/* Parsed target (reference section 1.2). */
struct mbx_target {
	__u32 ns; /* HSX_MBX_NAMESPACE_* */
	__u32 owner; /* pid or MBX_NO_OWNER */
	char name[HSX_MBX_MAX_NAME_BYTES + 1]; /* lookup name, NUL-terminated */
};

/*
 * Parse `len` bytes of `target` (not necessarily NUL-terminated; parsing
 * stops at the first NUL) for caller `pid`.  Returns HSX_MBX_STATUS_OK or
 * HSX_MBX_STATUS_INVALID_ARGUMENT (empty, bad @ suffix, bad pid:N, ...).
 */
__u32 mbx_target_parse(struct mbx_target *out, const char *target, __u32 len, __u32 pid);
/*
 * Format a descriptor's canonical target ("app:procon", "svc:stdio.out@3",
 * "pid:3", "shared:x") into buf; returns the length written (excl. NUL).
 */
__u32 mbx_target_format(const struct mbx_desc *d, char *buf, __u32 size);

/* Engine lifetime. */
struct mbx_engine *mbx_engine_create(const struct mbx_config *cfg, const struct mbx_ops *ops,
				     void *host);
void mbx_engine_destroy(struct mbx_engine *eng);
const struct mbx_config *mbx_engine_config(const struct mbx_engine *eng);

/*
 * Tasks.  mbx_task_register creates the four per-task descriptors and
 * handles 1-3 (reference register_task).  Returns a status.
 */
__u32 mbx_task_register(struct mbx_engine *eng, __u32 pid, struct mbx_task **out);
/*
 * Same, with the stdio capacity and mode of HSXMBX_IOC_TASK_REGISTER
 * (0 = config stdio_capacity / the per-stream default mode).  Statuses:
 * OK, INVALID_ARGUMENT (pid 0, pid already registered, bad mode),
 * NO_DESCRIPTOR (pool or handle quota).
 */
__u32 mbx_task_register_with(struct mbx_engine *eng, __u32 pid, __u32 stdio_capacity,
			     __u32 stdio_mode, struct mbx_task **out);
struct mbx_task *mbx_task_lookup(struct mbx_engine *eng, __u32 pid);
/* A host (PID 0) actor with its own handle table. */
struct mbx_task *mbx_task_create_host(struct mbx_engine *eng);
/*
 * Close every handle, cancel every wait, drop binds and destroy the
 * descriptors the task owns; frees the task.
 */
void mbx_task_teardown(struct mbx_engine *eng, struct mbx_task *t);
__u32 mbx_task_pid(const struct mbx_task *t);

/*
 * Descriptor operations.  `bind_pin` keeps the descriptor alive after the
 * call (a BIND reference owned by the task, dropped at teardown or unbind).
 */
__u32 mbx_bind(struct mbx_engine *eng, struct mbx_task *t, const char *target, __u32 len,
	       __u32 capacity, __u32 mode, __u32 *descriptor_id);
__u32 mbx_unbind(struct mbx_engine *eng, struct mbx_task *t, const char *target, __u32 len,
		 int force);
struct mbx_desc *mbx_desc_lookup_id(struct mbx_engine *eng, __u32 id);
struct mbx_desc *mbx_desc_lookup(struct mbx_engine *eng, const struct mbx_target *tg);
/* Host references keep a descriptor alive (e.g. an open device node). */
void mbx_desc_get(struct mbx_desc *d);
void mbx_desc_put(struct mbx_engine *eng, struct mbx_desc *d);
/* Destroy now: unlink, wake every waiter/poller (DESTROYED). */
void mbx_desc_destroy(struct mbx_engine *eng, struct mbx_desc *d);
/*
 * Set the default mode of the stdio streams in stream_mask (MBX_STDIO_*)
 * for future tasks; with update_existing also re-bind every existing
 * svc:stdio.<stream> descriptor with that mode (reference
 * set_default_stdio_mode).  A single task's stream is changed with
 * mbx_bind("svc:stdio.out@N", 0, mode).
 */
#define MBX_STDIO_IN (1u << 0)
#define MBX_STDIO_OUT (1u << 1)
#define MBX_STDIO_ERR (1u << 2)
#define MBX_STDIO_ALL 0x7u
__u32 mbx_set_stdio_mode(struct mbx_engine *eng, __u32 stream_mask, __u32 mode,
			 int update_existing);
/* Default mode for stream 0 (in), 1 (out) or 2 (err). */
__u32 mbx_stdio_default_mode(const struct mbx_engine *eng, __u32 stream);

/* Handles. access: HSX_MBX_MODE_RDONLY/WRONLY/RDWR (0 = RDWR). */
__u32 mbx_open(struct mbx_engine *eng, struct mbx_task *t, const char *target, __u32 len,
	       __u32 access, __u32 *handle);
/* Open a handle on an existing descriptor (device nodes). */
__u32 mbx_open_desc(struct mbx_engine *eng, struct mbx_task *t, struct mbx_desc *d, __u32 access,
		    __u32 *handle);
__u32 mbx_close(struct mbx_engine *eng, struct mbx_task *t, __u32 handle);
__u32 mbx_tap(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, int enable);
struct mbx_handle *mbx_handle_lookup(struct mbx_engine *eng, struct mbx_task *t, __u32 handle);

/* Messages. */
struct mbx_msg *mbx_msg_alloc(struct mbx_engine *eng, __u32 len);
void *mbx_msg_payload(struct mbx_msg *m);
void mbx_msg_put(struct mbx_engine *eng, struct mbx_msg *m);
__u32 mbx_msg_len(const struct mbx_msg *m);

/*
 * Send: takes ownership of `m` in every case.  On OK *seq is the message's
 * sequence number.  Zero-length messages succeed and enqueue nothing.
 * Statuses: OK, WOULDBLOCK (single full / FANOUT_BLOCK full / byte cap),
 * MSG_TOO_LARGE, INVALID_HANDLE, PERMISSION_DENIED, DESTROYED.
 */
__u32 mbx_send(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, struct mbx_msg *m,
	       __u32 flags, __u32 channel, __u32 *seq);

#define MBX_RECV_WAIT (1u << 0) /* no data: join the FIFO wait list */
/* The RECV timeout (HSX_MBX_TIMEOUT_*), reported in mailbox_wait. */
#define MBX_RECV_TIMEOUT(t) (((unsigned int)(t)&0xFFFFu) << 16)

struct mbx_recv_result {
	struct mbx_msg *msg; /* referenced; mbx_msg_put() after copying */
	__u32 length; /* full message length */
	__u32 flags; /* message flags | OVERRUN as applicable */
	__u32 channel;
	__u32 src_pid;
	__u32 seq;
	int woken; /* the message was parked by a wake */
};

/* Statuses: OK, NO_DATA, INVALID_HANDLE, PERMISSION_DENIED, DESTROYED. */
__u32 mbx_recv(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, unsigned int recv_flags,
	       struct mbx_recv_result *res);
/*
 * Leave the wait list.  Returns OK with a parked message in *res if one
 * arrived meanwhile, else NO_DATA (and emits mailbox_timeout when
 * `timed_out`).
 */
__u32 mbx_cancel_wait(struct mbx_engine *eng, struct mbx_task *t, __u32 handle, int timed_out,
		      struct mbx_recv_result *res);
/* Count a truncated delivery (sets nothing in the message). */
void mbx_note_truncated(struct mbx_engine *eng, struct mbx_handle *h, __u32 dropped_bytes);

struct mbx_peek_result {
	__u32 depth, bytes_used, next_len, capacity, head_seq, next_seq, mode;
	__u32 descriptor_id;
};
__u32 mbx_peek(struct mbx_engine *eng, struct mbx_task *t, __u32 handle,
	       struct mbx_peek_result *res);

/*
 * Readiness for poll (no side effects except MBX_RECV_WAIT-like
 * registration when `register_wait`).
 */
#define MBX_READY_IN (1u << 0) /* a recv would return data */
#define MBX_READY_OUT (1u << 1) /* a send of `cost` would not be refused */
#define MBX_READY_HUP (1u << 2) /* descriptor destroyed */
unsigned int mbx_handle_ready(struct mbx_engine *eng, struct mbx_handle *h, int register_wait);

/* Handle accessors for hosts. */
void *mbx_handle_host(const struct mbx_handle *h);
void mbx_handle_set_host(struct mbx_handle *h, void *host_priv);
__u32 mbx_handle_number(const struct mbx_handle *h);
struct mbx_task *mbx_handle_task(const struct mbx_handle *h);
struct mbx_desc *mbx_handle_desc(const struct mbx_handle *h);
int mbx_handle_is_tap(const struct mbx_handle *h);
/* Effective access: HSX_MBX_MODE_RDONLY/WRONLY bits. */
__u32 mbx_handle_access(const struct mbx_handle *h);

/* Per-tap counters: copies put in the tap buffer and copies lost. */
struct mbx_tap_stats {
	__u64 delivered, missed;
	__u32 depth, bytes;
};
void mbx_handle_tap_stats(const struct mbx_handle *h, struct mbx_tap_stats *out);

/* Descriptor accessors. */
void *mbx_desc_host(const struct mbx_desc *d);
void mbx_desc_set_host(struct mbx_desc *d, void *host_priv);
__u32 mbx_desc_id(const struct mbx_desc *d);
__u32 mbx_desc_ns(const struct mbx_desc *d);
const char *mbx_desc_name(const struct mbx_desc *d);
__u32 mbx_desc_owner(const struct mbx_desc *d);
int mbx_desc_is_dead(const struct mbx_desc *d);
__u32 mbx_desc_mode(const struct mbx_desc *d);
__u32 mbx_desc_capacity(const struct mbx_desc *d);

/* Introspection (uapi structs are the one format for every host). */
void mbx_desc_info(const struct mbx_desc *d, struct hsxmbx_desc_info *out);
void mbx_stats(const struct mbx_engine *eng, struct hsxmbx_stats *out);
/* Call fn for every live descriptor in id order; stop if fn returns != 0. */
typedef int (*mbx_desc_visit_fn)(struct mbx_desc *d, void *arg);
int mbx_visit_descs(struct mbx_engine *eng, mbx_desc_visit_fn fn, void *arg);

/* Per-task counters (reference MAILBOX_STEP/WAKE/TIMEOUT). */
struct mbx_task_counters {
	__u64 step, wake, timeout;
};
void mbx_task_counters(const struct mbx_task *t, struct mbx_task_counters *out);

/*
 * Recompute every counter from the object graph: 0 if consistent, else a
 * negative code naming the first broken invariant (tests, debugging).
 */
int mbx_engine_check(const struct mbx_engine *eng);

/* Human-readable names for statuses (never NULL). */
const char *mbx_status_name(__u32 status);
/* Names of enum mbx_reason values ("fanout_drop", ...; never NULL). */
const char *mbx_reason_name(__u32 reason);

#endif /* HSX_LIB_MBX_H */
