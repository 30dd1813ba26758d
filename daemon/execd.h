/* SPDX-License-Identifier: MIT */
/*
 * DOC: hsx-execd, the HSX executive daemon
 *
 * hsx-execd runs HSX VM tasks (lib/vm) loaded from .hxe images (lib/hxe)
 * and services their SVCs.  Mailbox SVCs (module 0x05) go to a *backend*:
 * the hsxmbx kernel module through io_uring, or lib/mbx in-process.
 *
 * Everything flows through one io_uring (struct execd.ring): the control
 * socket (accept/recv/send), signals (a signalfd read), sleeps and mailbox
 * timeouts (IORING_OP_TIMEOUT / LINK_TIMEOUT) and, with the kernel backend,
 * every mailbox operation (uring_cmd) and blocking receive (a READ on a
 * handle file).  The daemon never polls: when no task is runnable it
 * sleeps in io_uring_submit_and_wait().
 *
 * A scheduling *pass* runs every runnable task for one quantum in load
 * (PID) order.  A task that issues a mailbox SVC is suspended; the
 * operation is queued and the whole batch is submitted at the end of the
 * pass (one io_uring_submit for many tasks).  Completions resume the tasks
 * with R0-R4 set as reference section 1.6 says.  The embedded backend
 * executes its queue at the same point, so both backends interleave tasks
 * identically.
 *
 * Every in-flight io_uring request carries a struct ev_op as user_data;
 * its done() callback handles the completion.  A task is freed only when
 * it is dead and no request of it is in flight (task.inflight == 0).
 */
#ifndef HSX_EXECD_H
#define HSX_EXECD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <liburing.h>
#include <json-c/json.h>

#include "svc/svc.h"
#include "uapi/hsxmbx.h"

#define EXECD_VERSION "1.0"
#define EXECD_DEFAULT_SOCKET "/run/hsx/execd.sock"
#define EXECD_DEFAULT_QUANTUM 1000
#define EXECD_MAX_PID 0xFFFF
#define EXECD_MAX_LINE 65536	/* longest accepted request line */
#define EXECD_MAX_OUTBUF (8u << 20) /* per-client queued reply bytes */

struct execd;
struct task;
struct client;

/* An io_uring request in flight; user_data points at it. */
struct ev_op {
	void (*done)(struct execd *ex, struct ev_op *op,
		     const struct io_uring_cqe *cqe);
};

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

enum task_state {
	TS_READY,
	TS_RUNNING,
	TS_WAIT_MBX,
	TS_SLEEPING,
	TS_PAUSED,
	TS_RETURNED,
	TS_TERMINATED,
	TS_KILLED,
};

struct task {
	uint32_t pid;
	enum task_state state;
	bool dead;		/* torn down; freed when inflight == 0 */
	bool runnable;
	uint16_t inflight;	/* io_uring requests owed a completion */
	uint32_t exit_status;
	bool has_exit;
	uint64_t steps_final;	/* steps retired, kept after the VM is freed */
	uint32_t brk_code;	/* the BRK that paused it (TS_PAUSED) */
	struct hsx_vm_task *vm;
	char app[32];
	struct svc_task svc;	/* SVC state: call, counters; VM user data */
	struct ev_op timer_op;	/* sleep / embedded RECV timeout */
	struct __kernel_timespec ts;
	bool timer_armed;
	bool tapped;		/* stdout/stderr taps feed listeners */
	void *be;		/* backend private state */
};

/* A backend: where mailbox operations go.  See be_kernel.c, be_embedded.c. */
struct backend_ops {
	const char *name;
	int (*open)(struct execd *ex);
	void (*close)(struct execd *ex);
	/* Register the task's stdio + pid mailboxes (handles 1-3). */
	int (*task_add)(struct execd *ex, struct task *t);
	/* Close every handle, cancel every wait; may leave requests in
	 * flight (the task is freed when they complete). */
	void (*task_remove)(struct execd *ex, struct task *t);
	/* BIND on behalf of a task (load-time .mailbox), synchronous. */
	uint32_t (*task_bind)(struct execd *ex, struct task *t,
			      const char *target, uint32_t cap, uint32_t mode,
			      uint32_t *desc_id);
	/* Start t->svc.call; completion calls svc_mbx_done(). */
	void (*call)(struct execd *ex, struct task *t);
	/* Block t on t->svc.call (a RECV that found no data); completion calls
	 * svc_mbx_woken() or svc_mbx_timed_out(). */
	void (*wait)(struct execd *ex, struct task *t);
	/* End of a pass: execute/submit queued calls. */
	void (*flush)(struct execd *ex);
	/* Descriptor id behind a task handle (for events), 0 if unknown. */
	uint32_t (*desc_of)(struct execd *ex, struct task *t, uint32_t handle);
	/* Host (PID 0) services for the control protocol. */
	uint32_t (*host_send)(struct execd *ex, const char *target,
			      const void *data, uint32_t len, uint32_t flags,
			      uint32_t channel);
	uint32_t (*stdio_mode)(struct execd *ex, struct task *t,
			       const char *stream, uint32_t mode);
	int (*snapshot)(struct execd *ex, struct hsxmbx_desc_info **descs,
			struct hsxmbx_stats *stats);
	/* Taps on a task's stdout/stderr feeding stdio_deliver(). */
	int (*tap_start)(struct execd *ex, struct task *t);
	void (*tap_stop)(struct execd *ex, struct task *t);
};

extern const struct backend_ops backend_kernel;
extern const struct backend_ops backend_embedded;

struct execd {
	struct io_uring ring;
	const struct backend_ops *be;
	void *be_priv;
	struct svc svc;		/* the SVC table every task's VM uses */
	unsigned int quantum;
	uint32_t stdio_mode;	/* template for future tasks' stdio */
	bool quit;
	bool verbose;

	/* Tasks: indexed by PID; runnable PIDs in a bitmap scanned in order. */
	struct task **tasks;	/* EXECD_MAX_PID + 1 slots */
	uint64_t runnable[(EXECD_MAX_PID + 64) / 64];
	uint32_t next_pid;
	uint32_t ntasks;
	uint32_t nrunnable;
	uint64_t total_steps;

	/* Control socket and clients. */
	int listen_fd;
	struct ev_op accept_op;
	struct client *clients;
	unsigned int nlisteners;	/* clients streaming stdio */
	unsigned int nsubscribers;	/* clients streaming events */
	uint64_t event_seq;

	/* Kernel backend: the module's overrun/backpressure/exhausted events
	 * through an hsx-trace child (kevents.c); NULL without one. */
	struct kevents *kev;

	/* Signals. */
	int signal_fd;
	struct ev_op signal_op;
	uint8_t siginfo[128];
};

/* ring.c */
struct io_uring_sqe *ring_sqe(struct execd *ex);
void ring_reap(struct execd *ex);
int ring_init(struct execd *ex, unsigned int entries);

/* sched.c */
const char *task_state_name(enum task_state s);
struct task *task_get(struct execd *ex, uint32_t pid);
struct task *task_load(struct execd *ex, const char *path, char *err,
		       size_t errlen, struct json_object *mbx_out);
void task_set_state(struct execd *ex, struct task *t, enum task_state s,
		    const char *reason);
void task_make_runnable(struct execd *ex, struct task *t, const char *reason);
void task_kill(struct execd *ex, struct task *t);
void task_put_op(struct execd *ex, struct task *t);
void sched_pass(struct execd *ex);
void sched_shutdown(struct execd *ex);

/* svc.c */
void svc_setup(struct execd *ex);
void svc_mbx_done(struct execd *ex, struct task *t);
void svc_mbx_woken(struct execd *ex, struct task *t);
void svc_mbx_timed_out(struct execd *ex, struct task *t);

/* ctl.c */
int ctl_listen(struct execd *ex, const char *path);
void ctl_start(struct execd *ex);
void ctl_close_all(struct execd *ex);
void client_send_json(struct execd *ex, struct client *c,
		      struct json_object *obj);
bool client_streams_stdio(const struct client *c, uint32_t pid);
bool client_streams_events(const struct client *c);
void client_set_listen(struct execd *ex, struct client *c, int64_t pid);
void client_set_events(struct execd *ex, struct client *c);
void ctl_refresh_taps(struct execd *ex, struct task *t);
void ctl_broadcast(struct execd *ex, bool events, uint32_t pid,
		   struct json_object *obj);

/* proto.c */
void proto_handle_line(struct execd *ex, struct client *c, const char *line,
		       size_t len);
struct json_object *proto_reply(const char *status);
struct json_object *proto_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
struct json_object *task_json(const struct task *t);

/* debug.c: control commands regs and resume */
struct json_object *cmd_regs(struct execd *ex, struct client *c,
			     struct json_object *req);
struct json_object *cmd_resume(struct execd *ex, struct client *c,
			       struct json_object *req);

/* events.c */
struct json_object *ev_new(void);
void ev_emit(struct execd *ex, const char *type, uint32_t pid,
	     struct json_object *data);
bool ev_wanted(const struct execd *ex);
struct mbx_event;
void ev_mbx_engine(struct execd *ex, const struct mbx_event *e);
void ev_task_state(struct execd *ex, struct task *t, enum task_state prev,
		   const char *reason);
void stdio_deliver(struct execd *ex, uint32_t pid, const char *stream,
		   const void *data, uint32_t len, uint32_t flags,
		   uint32_t channel, uint32_t src_pid);

/* kevents.c */
int kevents_start(struct execd *ex, const char *tracer);
void kevents_stop(struct execd *ex);
void kevents_free(struct execd *ex);

/* privs.c */
int privs_raise_nofile(void);
int privs_drop(const char *user);

#endif /* HSX_EXECD_H */
