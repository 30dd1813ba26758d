/* SPDX-License-Identifier: MIT */
/*
 * libhsxmbx: a small C library over /dev/hsxmbx (the hsxmbx kernel module).
 *
 * DOC: Conventions
 *
 * The library follows liburing: functions are small, take the control file
 * descriptor first and return a negative errno on failure (never -1 with
 * errno set).  A non-negative return is the useful result: a handle, a
 * descriptor id, a byte count, or 0.
 *
 * The kernel answers every command with either a transport error (-errno:
 * EFAULT, EINVAL, ENOTTY, EPERM, EINTR, ...) or an HSX status (>= 0, see
 * HSX_MBX_STATUS_* in uapi/hsxmbx.h).  The convenience functions fold the
 * status into an errno with the fixed table below, so callers can write
 * `if (r < 0)`.  Callers that need the exact status (the executive, which
 * hands statuses to VM tasks in R0) fill the uapi struct themselves, with
 * or without the hsxmbx_init_*() helpers, and call hsxmbx_cmd(), which
 * returns the raw status; or submit the same struct through io_uring with
 * an hsxmbx_prep_*() helper and read the status from cqe->res.
 *
 * DOC: Status to errno table (hsxmbx_status_errno)
 *
 *   HSX_MBX_STATUS_OK                 0
 *   HSX_MBX_STATUS_WOULDBLOCK         -EAGAIN     (queue full)
 *   HSX_MBX_STATUS_INVALID_HANDLE     -EBADF
 *   HSX_MBX_STATUS_NO_DATA            -ENODATA    (poll receive, nothing queued)
 *   HSX_MBX_STATUS_MSG_TOO_LARGE      -EMSGSIZE
 *   HSX_MBX_STATUS_NO_DESCRIPTOR      -ENOSPC     (pool or handle quota full)
 *   HSX_MBX_STATUS_TIMEOUT            -ETIMEDOUT
 *   HSX_MBX_STATUS_PERMISSION_DENIED  -EACCES
 *   HSX_MBX_STATUS_INVALID_ARGUMENT   -EINVAL
 *   HSX_MBX_STATUS_DESTROYED          -EPIPE
 *   HSX_MBX_STATUS_INTERNAL_ERROR     -EIO
 *   any other status                  -EPROTO
 *
 * NO_DATA and WOULDBLOCK map to different errnos on purpose: "nothing to
 * receive" and "no room to send" must stay distinguishable.  The mapping is
 * one-to-one, so hsxmbx_errno_status() inverts it.
 *
 * DOC: io_uring
 *
 * Every control command can be submitted as IORING_OP_URING_CMD on the
 * control fd: sqe->cmd_op is the command number and the first 8 bytes of
 * sqe->cmd point to the argument struct (struct hsxmbx_uring_cmd), so a
 * normal 64-byte SQE suffices.  The argument struct must stay valid until
 * the completion arrives; cqe->res is the HSX status or -errno, exactly as
 * hsxmbx_cmd() returns it.  uring_cmd never blocks (on 6.1 a queued
 * uring_cmd could not be cancelled), so a blocking receive is an
 * IORING_OP_READ on a handle file (hsxmbx_handle_fd() +
 * hsxmbx_prep_recv_fd()), which can be cancelled and linked to a timeout.
 */
#ifndef HSX_LIBHSXMBX_H
#define HSX_LIBHSXMBX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <liburing.h>

#include "uapi/hsxmbx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HSXMBX_DEV_DIR "/dev/hsxmbx"
#define HSXMBX_CONTROL_PATH HSXMBX_DEV_DIR "/control"

/* Library version (also in the pkg-config file). */
#define HSXMBX_LIB_VERSION_MAJOR 1
#define HSXMBX_LIB_VERSION_MINOR 0

/* --- Statuses ------------------------------------------------------------ */

/* Name of an HSX status ("OK", "WOULDBLOCK", ...); never NULL. */
const char *hsxmbx_strstatus(uint32_t status);
/* The status-to-errno table above: 0 or a negative errno. */
int hsxmbx_status_errno(uint32_t status);
/* Inverse of hsxmbx_status_errno() (err may be negative or positive);
 * errnos outside the table give HSX_MBX_STATUS_INTERNAL_ERROR. */
uint32_t hsxmbx_errno_status(int err);
/* A hsxmbx_cmd()/cqe->res value as "0 or -errno". */
static inline int hsxmbx_res_errno(int res)
{
	return res < 0 ? res : hsxmbx_status_errno((uint32_t)res);
}

/* --- The control device -------------------------------------------------- */

/* open(2) flags beyond O_RDWR|O_CLOEXEC (e.g. O_NONBLOCK).  The path can be
 * overridden with the HSXMBX_CONTROL environment variable.  Returns an fd. */
int hsxmbx_open_control(int flags);
/* Raw command: ioctl(fd, cmd, arg).  Returns the HSX status (>= 0) or
 * -errno for transport errors.  Never retries on EINTR. */
int hsxmbx_cmd(int fd, unsigned long cmd, void *arg);

/* --- Argument initialisers (for hsxmbx_cmd() and io_uring) --------------- */

static inline void hsxmbx_init_bind(struct hsxmbx_bind *a, uint32_t pid, const char *target,
				    uint32_t capacity, uint32_t mode)
{
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->capacity = capacity;
	a->mode = mode;
	a->target_ptr = (uintptr_t)target;
	a->target_len = (uint32_t)strlen(target);
}

static inline void hsxmbx_init_unbind(struct hsxmbx_unbind *a, uint32_t pid, const char *target,
				      uint64_t flags)
{
	memset(a, 0, sizeof(*a));
	a->flags = flags;
	a->pid = pid;
	a->target_ptr = (uintptr_t)target;
	a->target_len = (uint32_t)strlen(target);
}

static inline void hsxmbx_init_open(struct hsxmbx_open *a, uint32_t pid, const char *target,
				    uint32_t access)
{
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->access = access;
	a->target_ptr = (uintptr_t)target;
	a->target_len = (uint32_t)strlen(target);
}

static inline void hsxmbx_init_send(struct hsxmbx_send *a, uint32_t pid, uint32_t handle,
				    const void *buf, uint32_t len, uint32_t msg_flags,
				    uint32_t channel)
{
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->handle = handle;
	a->payload_ptr = (uintptr_t)buf;
	a->payload_len = len;
	a->msg_flags = msg_flags;
	a->channel = channel;
}

static inline void hsxmbx_init_recv(struct hsxmbx_recv *a, uint32_t pid, uint32_t handle, void *buf,
				    uint32_t len, uint32_t timeout)
{
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->handle = handle;
	a->buf_ptr = (uintptr_t)buf;
	a->buf_len = len;
	a->timeout = timeout;
}

/* --- Convenience API (PID 0 unless stated; -errno on failure) ------------ */

/* GET_FEATURES into *out; returns 0. */
int hsxmbx_features(int fd, struct hsxmbx_features *out);
/* BIND: returns the descriptor id.  capacity 0 = default, mode 0 = keep. */
int hsxmbx_bind(int fd, const char *target, uint32_t capacity, uint32_t mode);
/* UNBIND (flags: HSXMBX_UNBIND_FORCE); returns 0. */
int hsxmbx_unbind(int fd, const char *target, uint64_t flags);
/* OPEN: returns the handle; access RDONLY/WRONLY/RDWR, 0 = RDWR. */
int hsxmbx_open(int fd, const char *target, uint32_t access);
/* OPEN that also reports the descriptor id (may be NULL). */
int hsxmbx_open_id(int fd, const char *target, uint32_t access, uint32_t *descriptor_id);
/* CLOSE; returns 0. */
int hsxmbx_close(int fd, uint32_t handle);
/* SEND one message; returns the bytes sent (len).  *seq may be NULL. */
int hsxmbx_send(int fd, uint32_t handle, const void *buf, size_t len, uint32_t msg_flags,
		uint32_t channel);
int hsxmbx_send_seq(int fd, uint32_t handle, const void *buf, size_t len, uint32_t msg_flags,
		    uint32_t channel, uint32_t *seq);

/* What hsxmbx_recv() reports about the received message. */
struct hsxmbx_msg_info {
	uint32_t length; /* bytes copied into the buffer */
	uint32_t msg_len; /* full message length */
	uint32_t flags; /* HSX_MBX_FLAG_* incl. OVERRUN, TRUNCATED */
	uint32_t channel;
	uint32_t src_pid;
	uint32_t seq;
};

/* RECV: timeout HSX_MBX_TIMEOUT_POLL, 1..0xFFFE ms or INFINITE.  Returns
 * the bytes copied; info may be NULL.  -ENODATA on an empty poll,
 * -ETIMEDOUT when a finite wait expires. */
int hsxmbx_recv(int fd, uint32_t handle, void *buf, size_t len, uint32_t timeout,
		struct hsxmbx_msg_info *info);
/* PEEK into *out; returns 0. */
int hsxmbx_peek(int fd, uint32_t handle, struct hsxmbx_peek *out);
/* TAP enable/disable; returns 0. */
int hsxmbx_tap(int fd, uint32_t handle, bool enable);
/* HANDLE_FD (flags: HSXMBX_FD_*); returns the new file descriptor. */
int hsxmbx_handle_fd(int fd, uint32_t handle, uint64_t flags);

/*
 * SNAPSHOT: allocates an array of every descriptor into *descs (free() it;
 * *descs may be NULL on return when there are none) and fills *stats if
 * stats is not NULL.  Either pointer argument may be NULL.  Returns the
 * number of descriptors.  Retries if descriptors appear meanwhile.
 */
int hsxmbx_snapshot(int fd, struct hsxmbx_desc_info **descs, struct hsxmbx_stats *stats);

/* Executive only (control fd opened with CAP_SYS_ADMIN).  Return 0. */
int hsxmbx_task_register(int fd, uint32_t pid, uint32_t stdio_capacity, uint32_t stdio_mode);
int hsxmbx_task_unregister(int fd, uint32_t pid);

/* --- Device nodes --------------------------------------------------------- */

/* The node of a target: "app:procon" -> "/dev/hsxmbx/app/procon",
 * "svc:stdio.out@3" -> "/dev/hsxmbx/svc/stdio.out@3" (target parsed as
 * PID 0).  Returns the length, or -EINVAL for a malformed target. */
int hsxmbx_node_path(char *buf, size_t size, const char *target);
/* Open a target's node: O_RDONLY = tap, O_WRONLY = sender, O_RDWR =
 * consuming reader (plus O_NONBLOCK/O_CLOEXEC).  Returns an fd. */
int hsxmbx_open_node(const char *target, int flags);
/* Ioctls on a node fd; each returns 0 or -errno. */
int hsxmbx_node_info(int node_fd, struct hsxmbx_desc_info *out);
int hsxmbx_node_peek(int node_fd, struct hsxmbx_peek *out);
/* Delivered/missed counters of a tap (node opened O_RDONLY, or a tap
 * handle file). */
int hsxmbx_tap_stats(int fd, struct hsxmbx_tap_stats *out);

/* --- Targets and modes --------------------------------------------------- */

/* A target string resolved as the reference does (section 1.2). */
struct hsxmbx_target {
	uint32_t ns; /* HSX_MBX_NAMESPACE_* */
	uint32_t owner; /* pid, or HSXMBX_NO_OWNER */
	char name[HSX_MBX_MAX_NAME_BYTES + 1];
};
#define HSXMBX_NO_OWNER 0xFFFFFFFFu

/* Parse `target` for caller `pid`; returns 0 or -EINVAL. */
int hsxmbx_target_parse(struct hsxmbx_target *out, const char *target, uint32_t pid);
/* Canonical target text ("app:procon", "svc:stdio.out@3", "pid:3",
 * "shared:x"); returns the length snprintf() would write. */
int hsxmbx_target_format(char *buf, size_t size, uint32_t ns, uint32_t owner, const char *name);
/* Namespace name ("pid", "svc", "app", "shared", or "?"). */
const char *hsxmbx_ns_name(uint32_t ns);

/* Parse a mode: names (case-insensitive, separated by '|', ',' or '+':
 * rdonly/readonly/ro, wronly/writeonly/wo, rdwr/rw, tap, fanout,
 * fanout_drop/drop, fanout_block/block) or a number (0x.., 0.., decimal).
 * Returns 0 or -EINVAL. */
int hsxmbx_mode_parse(const char *text, uint32_t *mode);
/* "RDWR|FANOUT|FANOUT_DROP" ("0" for none); returns snprintf()'s value. */
int hsxmbx_mode_format(char *buf, size_t size, uint32_t mode);

/* --- io_uring helpers (liburing style, all inline) ----------------------- */

/*
 * A uring_cmd SQE for `cmd` on the control fd.  The struct hsxmbx_uring_cmd
 * payload lives in sqe->cmd (16 bytes in a normal SQE); `arg` must stay
 * valid until the CQE arrives.
 */
static inline void hsxmbx_prep_cmd(struct io_uring_sqe *sqe, int fd, uint32_t cmd, void *arg)
{
	struct hsxmbx_uring_cmd pdu = { .arg_ptr = (uintptr_t)arg };

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd;
	memcpy(sqe->cmd, &pdu, sizeof(pdu));
}

#define HSXMBX_DEFINE_PREP(op, cmd, type)                                                       \
	static inline void hsxmbx_prep_##op(struct io_uring_sqe *sqe, int fd, struct type *arg) \
	{                                                                                       \
		hsxmbx_prep_cmd(sqe, fd, cmd, arg);                                             \
	}

HSXMBX_DEFINE_PREP(features, HSXMBX_IOC_GET_FEATURES, hsxmbx_features)
HSXMBX_DEFINE_PREP(snapshot, HSXMBX_IOC_SNAPSHOT, hsxmbx_snapshot)
HSXMBX_DEFINE_PREP(bind, HSXMBX_IOC_BIND, hsxmbx_bind)
HSXMBX_DEFINE_PREP(unbind, HSXMBX_IOC_UNBIND, hsxmbx_unbind)
HSXMBX_DEFINE_PREP(send, HSXMBX_IOC_SEND, hsxmbx_send)
HSXMBX_DEFINE_PREP(recv, HSXMBX_IOC_RECV, hsxmbx_recv)
HSXMBX_DEFINE_PREP(peek, HSXMBX_IOC_PEEK, hsxmbx_peek)
HSXMBX_DEFINE_PREP(open, HSXMBX_IOC_OPEN, hsxmbx_open)
HSXMBX_DEFINE_PREP(close, HSXMBX_IOC_CLOSE, hsxmbx_close)
HSXMBX_DEFINE_PREP(tap, HSXMBX_IOC_TAP, hsxmbx_tap)
HSXMBX_DEFINE_PREP(handle_fd, HSXMBX_IOC_HANDLE_FD, hsxmbx_handle_fd)
HSXMBX_DEFINE_PREP(task_register, HSXMBX_IOC_TASK_REGISTER, hsxmbx_task)
HSXMBX_DEFINE_PREP(task_unregister, HSXMBX_IOC_TASK_UNREGISTER, hsxmbx_task)
#undef HSXMBX_DEFINE_PREP

/*
 * A blocking, cancellable receive: IORING_OP_READ on a handle file from
 * hsxmbx_handle_fd().  The kernel waits for a message by polling the file,
 * so the request can be cancelled, linked to IORING_OP_LINK_TIMEOUT and
 * torn down with the ring.  cqe->res is the bytes read (a struct
 * hsxmbx_frame plus payload in framed mode), 0 at EOF (descriptor
 * destroyed) or -errno.
 */
static inline void hsxmbx_prep_recv_fd(struct io_uring_sqe *sqe, int handle_fd, void *buf,
				       unsigned int len)
{
	io_uring_prep_read(sqe, handle_fd, buf, len, 0);
}

/* One message to a handle file (one write() is one message). */
static inline void hsxmbx_prep_send_fd(struct io_uring_sqe *sqe, int handle_fd, const void *buf,
				       unsigned int len)
{
	io_uring_prep_write(sqe, handle_fd, buf, len, 0);
}

#ifdef __cplusplus
}
#endif

#endif /* HSX_LIBHSXMBX_H */
