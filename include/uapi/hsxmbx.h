/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * hsxmbx: HSX mailboxes as a Linux kernel service.
 *
 * This header is the single source of truth for the hsxmbx ABI.  The kernel
 * module, the portable engine (lib/mbx), libhsxmbx, the executive and the
 * tests all include it.  Constants are plain literals so that other
 * languages can scrape `#define HSX_MBX_*` lines with a regular expression.
 *
 * DOC: Protocol overview
 *
 * Objects.  A *descriptor* is a named mailbox: (namespace, name, owner) with
 * a byte capacity (each message costs len + 8) and a mode mask.  A *handle*
 * is a per-PID small integer naming an open descriptor; handles 1-3 of a
 * registered task are its stdio, so its first own handle is 4.  Handle
 * numbers are monotonic per PID and never reused.
 *
 * PIDs.  HSX PIDs are VM task ids, not Linux pids.  PID 0 is "the host":
 * every process that does not act for a VM task.  Each open file of
 * /dev/hsxmbx/control has a private PID-0 identity (its own handle table),
 * so host processes cannot use each other's handles.  Only a control file
 * opened with CAP_SYS_ADMIN (the executive) may register tasks with
 * HSXMBX_IOC_TASK_REGISTER and set the `pid` field of a command to act for
 * one; everybody else must pass pid 0.  src_pid is stamped by the kernel.
 *
 * Commands.  Every command is an ioctl-encoded number with a fixed-size
 * argument struct whose first field is `flags` (__u64).  Unknown flag bits
 * give EINVAL.  Pointers are __u64 values paired with a length.  The same
 * command numbers and structs are accepted as io_uring IORING_OP_URING_CMD:
 * sqe->cmd_op holds the command and the first 8 bytes of sqe->cmd hold a
 * pointer to the argument struct (struct hsxmbx_uring_cmd).  uring_cmd
 * commands always complete inline and never block; use a handle file
 * (below) with IORING_OP_READ for a blocking, cancellable receive.
 *
 * Results.  A command returns a negative errno (ioctl: -1 and errno) for
 * transport errors: EFAULT (bad pointer), EINVAL (bad flags, sizes or
 * reserved fields), ENOTTY (unknown command), EPERM (acting for a PID
 * without the right), EINTR/ERESTARTSYS (signal).  Otherwise it returns the
 * HSX status (HSX_MBX_STATUS_*, >= 0) and fills the struct's out fields.
 *
 * Handle files.  HSXMBX_IOC_HANDLE_FD turns a handle into a file descriptor
 * usable with read/write/poll/epoll/select/io_uring.  In framed mode every
 * read() returns one struct hsxmbx_frame followed by the payload; in raw
 * mode only the payload.  A read shorter than the message truncates it
 * (HSX_MBX_FLAG_TRUNCATED in framed mode; counted either way).  Every
 * write() is one message.  O_NONBLOCK gives EAGAIN where the reference
 * returns WOULDBLOCK/NO_DATA.  A destroyed descriptor gives EPIPE on write,
 * 0 (EOF) on read and EPOLLHUP from poll; a tap first reads the copies it
 * already holds (so `cat` shows a task's last output after it exits).
 *
 * Device nodes.  Each live descriptor has a node named after its target:
 * /dev/hsxmbx/app/procon, /dev/hsxmbx/svc/stdio.out@3, /dev/hsxmbx/pid/3,
 * /dev/hsxmbx/shared/telemetry.  Opening a node O_RDONLY gives a tap (raw
 * payload bytes, never consumes, never slows the owner); O_WRONLY gives a
 * sender (one message per write); O_RDWR a consuming reader and sender.
 * Node files accept the HSXMBX_IOC_NODE_* ioctls.
 *
 * Waiting.  Blocking receives wait in the engine's FIFO order: one waiter
 * per message on single-reader descriptors, every waiter on fan-out ones.
 * The message is handed to the woken waiter, so FIFO order is exact.
 */
#ifndef _UAPI_HSXMBX_H
#define _UAPI_HSXMBX_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* --- Reference constants (hsx_mailbox.h), same names and values. --- */
#define HSX_MBX_MODULE_ID 0x05
#define HSX_MBX_MAX_NAME_BYTES 32
#define HSX_MBX_DEFAULT_RING_CAPACITY 64
#define HSX_MBX_MAX_PREFIX_BYTES 8
#define HSX_MBX_TIMEOUT_POLL 0x0000
#define HSX_MBX_TIMEOUT_INFINITE 0xFFFF
#define HSX_MBX_NAMESPACE_PID 0x00
#define HSX_MBX_NAMESPACE_SVC 0x01
#define HSX_MBX_NAMESPACE_APP 0x02
#define HSX_MBX_NAMESPACE_SHARED 0x03
#define HSX_MBX_MODE_RDONLY 0x01
#define HSX_MBX_MODE_WRONLY 0x02
#define HSX_MBX_MODE_RDWR 0x03
#define HSX_MBX_MODE_TAP 0x04
#define HSX_MBX_MODE_FANOUT 0x08
#define HSX_MBX_MODE_FANOUT_DROP 0x10
#define HSX_MBX_MODE_FANOUT_BLOCK 0x20
#define HSX_MBX_FLAG_STDOUT 0x0001
#define HSX_MBX_FLAG_STDERR 0x0002
#define HSX_MBX_FLAG_OOB 0x0004
#define HSX_MBX_FLAG_OVERRUN 0x0008
#define HSX_MBX_PREFIX_PID "pid:"
#define HSX_MBX_PREFIX_SVC "svc:"
#define HSX_MBX_PREFIX_APP "app:"
#define HSX_MBX_PREFIX_SHARED "shared:"
#define HSX_MBX_STDIO_IN "svc:stdio.in"
#define HSX_MBX_STDIO_OUT "svc:stdio.out"
#define HSX_MBX_STDIO_ERR "svc:stdio.err"
#define HSX_MBX_TRACE_FLAG_ENABLED 0x01
#define HSX_MBX_FN_OPEN 0x00
#define HSX_MBX_FN_BIND 0x01
#define HSX_MBX_FN_SEND 0x02
#define HSX_MBX_FN_RECV 0x03
#define HSX_MBX_FN_PEEK 0x04
#define HSX_MBX_FN_TAP 0x05
#define HSX_MBX_FN_CLOSE 0x06
#define HSX_MBX_STATUS_OK 0x0000
#define HSX_MBX_STATUS_WOULDBLOCK 0x0001
#define HSX_MBX_STATUS_INVALID_HANDLE 0x0002
#define HSX_MBX_STATUS_NO_DATA 0x0003
#define HSX_MBX_STATUS_MSG_TOO_LARGE 0x0004
#define HSX_MBX_STATUS_NO_DESCRIPTOR 0x0005
#define HSX_MBX_STATUS_TIMEOUT 0x0007
#define HSX_MBX_STATUS_INTERNAL_ERROR 0x00FF

/* --- hsxmbx additions (reference section 10). Existing values never change. --- */

/* Status codes after 0x0007 (deviations 3 and 4). */
#define HSX_MBX_STATUS_PERMISSION_DENIED 0x0008 /* access mode forbids it */
#define HSX_MBX_STATUS_INVALID_ARGUMENT 0x0009  /* bad target, name, flags */
#define HSX_MBX_STATUS_DESTROYED 0x000A         /* descriptor destroyed */

/* Message flag: the receive buffer was shorter than the message. */
#define HSX_MBX_FLAG_TRUNCATED 0x0010

/* Maximum single message payload (bytes) the module accepts. */
#define HSX_MBX_MAX_MSG_BYTES 65536
/* Longest target string a command accepts (target_len above it: EINVAL).
 * The name part is still limited to HSX_MBX_MAX_NAME_BYTES by the engine. */
#define HSXMBX_TARGET_MAX_BYTES 64
/* Maximum descriptor capacity (bytes). */
#define HSX_MBX_MAX_CAPACITY 16777216
/* Capacity the executive gives stdio mailboxes (deviation 6). */
#define HSX_MBX_STDIO_CAPACITY 4096
/* Handles 1..3 are a task's stdin/stdout/stderr. */
#define HSX_MBX_HANDLE_STDIN 1
#define HSX_MBX_HANDLE_STDOUT 2
#define HSX_MBX_HANDLE_STDERR 3
#define HSX_MBX_FIRST_USER_HANDLE 4

/* Resource profiles (reference section 1.3). */
#define HSX_MBX_PROFILE_DESKTOP 0
#define HSX_MBX_PROFILE_EMBEDDED 1
#define HSX_MBX_DESKTOP_MAX_DESCRIPTORS 256
#define HSX_MBX_DESKTOP_HANDLES_PER_PID 64
#define HSX_MBX_DESKTOP_TAP_RATE_LIMIT 0
#define HSX_MBX_EMBEDDED_MAX_DESCRIPTORS 16
#define HSX_MBX_EMBEDDED_HANDLES_PER_PID 8
#define HSX_MBX_EMBEDDED_TAP_RATE_LIMIT 20

/* SVC modules the executive dispatches (reference section 3.3). */
#define HSX_SVC_MOD_CORE 0x00
#define HSX_SVC_MOD_TASK 0x01
#define HSX_SVC_MOD_CAN 0x02
#define HSX_SVC_MOD_FS 0x04
#define HSX_SVC_MOD_MAILBOX 0x05
#define HSX_SVC_MOD_EXEC 0x06
#define HSX_SVC_MOD_VALUE 0x07
#define HSX_SVC_MOD_COMMAND 0x08
#define HSX_ERR_ENOSYS 0xFFFFFF01

/* --- Kernel ABI ---------------------------------------------------------- */

#define HSXMBX_ABI_VERSION 1
#define HSXMBX_IOC_MAGIC 0xB5

/* Feature bits reported by HSXMBX_IOC_GET_FEATURES. */
#define HSXMBX_F_URING_CMD (1ULL << 0)   /* commands accepted as uring_cmd */
#define HSXMBX_F_HANDLE_FD (1ULL << 1)   /* HSXMBX_IOC_HANDLE_FD */
#define HSXMBX_F_NODES (1ULL << 2)       /* per-descriptor device nodes */
#define HSXMBX_F_SEND_BLOCK (1ULL << 3)  /* FANOUT_BLOCK senders may wait */
#define HSXMBX_F_TASKS (1ULL << 4)       /* task registration (executive) */
#define HSXMBX_F_SNAPSHOT (1ULL << 5)    /* HSXMBX_IOC_SNAPSHOT */
#define HSXMBX_F_ALL 0x3FULL

struct hsxmbx_features {
	__u64 flags;            /* in: must be 0 */
	__u64 features;         /* out: HSXMBX_F_* */
	__u32 abi_version;      /* out: HSXMBX_ABI_VERSION */
	__u32 profile;          /* out: HSX_MBX_PROFILE_* in effect */
	__u32 max_descriptors;  /* out: descriptor pool limit */
	__u32 handles_per_pid;  /* out: handle quota per PID (0 = none) */
	__u32 default_capacity; /* out: bytes */
	__u32 tap_rate_limit;   /* out: messages/s per tap (0 = unlimited) */
	__u64 max_total_bytes;  /* out: global byte cap (0 = none) */
	__u32 max_msg_bytes;    /* out: HSX_MBX_MAX_MSG_BYTES */
	__u32 reserved;
};

/* BIND: create or reconfigure a descriptor; returns its id, not a handle. */
struct hsxmbx_bind {
	__u64 flags;         /* in: 0 */
	__u32 pid;           /* in: act for this task (executive only), or 0 */
	__u32 capacity;      /* in: bytes, 0 = default */
	__u32 mode;          /* in: HSX_MBX_MODE_* mask, 0 = keep/plain */
	__u32 descriptor_id; /* out */
	__u64 target_ptr;    /* in: target string, need not be NUL-terminated */
	__u32 target_len;    /* in: bytes at target_ptr */
	__u32 reserved;
};

/* OPEN: open (auto-creating) a target; returns a handle. */
struct hsxmbx_open {
	__u64 flags;         /* in: 0 */
	__u32 pid;           /* in */
	__u32 access;        /* in: HSX_MBX_MODE_RDONLY/WRONLY/RDWR, 0 = RDWR */
	__u64 target_ptr;    /* in */
	__u32 target_len;    /* in */
	__u32 handle;        /* out */
	__u32 descriptor_id; /* out */
	__u32 reserved;
};

/* SEND flags (the command's own flags, not message flags). */
#define HSXMBX_SEND_BLOCK (1ULL << 0) /* FANOUT_BLOCK: wait up to timeout */
#define HSXMBX_SEND_ALL HSXMBX_SEND_BLOCK

struct hsxmbx_send {
	__u64 flags;       /* in: HSXMBX_SEND_* */
	__u32 pid;         /* in */
	__u32 handle;      /* in */
	__u64 payload_ptr; /* in */
	__u32 payload_len; /* in */
	__u32 msg_flags;   /* in: HSX_MBX_FLAG_* (low 16 bits) */
	__u32 channel;     /* in: opaque, low 16 bits */
	__u32 timeout;     /* in: HSX_MBX_TIMEOUT_* or ms, with SEND_BLOCK */
	__u32 sent;        /* out: bytes sent */
	__u32 seq;         /* out: sequence number given to the message */
};

/* RECV: timeout is HSX_MBX_TIMEOUT_POLL, 1..0xFFFE ms or INFINITE. */
struct hsxmbx_recv {
	__u64 flags;     /* in: 0 */
	__u32 pid;       /* in */
	__u32 handle;    /* in */
	__u64 buf_ptr;   /* in */
	__u32 buf_len;   /* in */
	__u32 timeout;   /* in */
	__u32 length;    /* out: bytes copied (min(buf_len, message length)) */
	__u32 msg_len;   /* out: full message length */
	__u32 msg_flags; /* out: HSX_MBX_FLAG_* incl. OVERRUN, TRUNCATED */
	__u32 channel;   /* out */
	__u32 src_pid;   /* out */
	__u32 seq;       /* out */
};

struct hsxmbx_peek {
	__u64 flags;         /* in: 0 */
	__u32 pid;           /* in */
	__u32 handle;        /* in */
	__u32 depth;         /* out: total queue length */
	__u32 bytes_used;    /* out */
	__u32 next_len;      /* out: next message this handle would get, or 0 */
	__u32 capacity;      /* out */
	__u32 head_seq;      /* out */
	__u32 next_seq;      /* out */
	__u32 mode;          /* out */
	__u32 descriptor_id; /* out */
};

struct hsxmbx_tap {
	__u64 flags;  /* in: 0 */
	__u32 pid;    /* in */
	__u32 handle; /* in */
	__u32 enable; /* in: bit 0 */
	__u32 reserved;
};

struct hsxmbx_close {
	__u64 flags;  /* in: 0 */
	__u32 pid;    /* in */
	__u32 handle; /* in */
};

/* UNBIND: drop the host's bind pin on a target; destroy it if unused. */
#define HSXMBX_UNBIND_FORCE (1ULL << 0) /* destroy even if handles remain */
struct hsxmbx_unbind {
	__u64 flags;      /* in: HSXMBX_UNBIND_* */
	__u32 pid;        /* in */
	__u32 target_len; /* in */
	__u64 target_ptr; /* in */
};

/* TASK_REGISTER / TASK_UNREGISTER (executive only, CAP_SYS_ADMIN at open).
 * Register creates svc:stdio.in/out/err@pid and pid:<pid> and opens
 * handles 1-3.  Unregister closes every handle of the task, cancels its
 * waits and destroys the descriptors it owns. */
struct hsxmbx_task {
	__u64 flags;          /* in: 0 */
	__u32 pid;            /* in: 1..0xFFFF */
	__u32 stdio_capacity; /* in: bytes, 0 = HSX_MBX_STDIO_CAPACITY */
	__u32 stdio_mode;     /* in: mode of the stdio descriptors, 0 = RDWR */
	__u32 reserved;
};

/* HANDLE_FD: a file descriptor for a handle (O_NONBLOCK/O_CLOEXEC honoured). */
#define HSXMBX_FD_RAW (1ULL << 0)      /* payload only, no frame header */
#define HSXMBX_FD_NONBLOCK (1ULL << 1) /* open the file O_NONBLOCK */
#define HSXMBX_FD_CLOEXEC (1ULL << 2)  /* O_CLOEXEC on the new fd */
#define HSXMBX_FD_ALL 0x7ULL
struct hsxmbx_handle_fd {
	__u64 flags;  /* in: HSXMBX_FD_* */
	__u32 pid;    /* in */
	__u32 handle; /* in */
	__s32 fd;     /* out */
	__u32 reserved;
};

/* The header that precedes each payload on a framed handle file. */
struct hsxmbx_frame {
	__u32 length;  /* bytes of payload that follow */
	__u16 flags;   /* HSX_MBX_FLAG_* */
	__u16 channel;
	__u32 src_pid;
	__u32 seq;
};

/* SNAPSHOT: every descriptor plus the global statistics. */
struct hsxmbx_desc_info {
	__u32 descriptor_id;
	__u32 ns;         /* HSX_MBX_NAMESPACE_* */
	__u32 owner_pid; /* 0xFFFFFFFF = none */
	__u32 mode;
	__u32 capacity;
	__u32 bytes_used;
	__u32 queue_depth;
	__u32 head_seq;
	__u32 next_seq;
	__u32 readers;
	__u32 taps;
	__u32 waiters;
	__u32 handles;
	__u32 reserved;
	__u64 sent;
	__u64 received;
	__u64 dropped;
	__u64 overruns;
	__u64 backpressure;
	char name[HSX_MBX_MAX_NAME_BYTES + 8]; /* NUL-terminated */
};

struct hsxmbx_stats {
	__u32 max_descriptors;
	__u32 active_descriptors;
	__u32 free_descriptors;
	__u32 handle_limit_per_pid;
	__u64 total_capacity;
	__u64 bytes_used;
	__u64 bytes_available;
	__u32 queue_depth;
	__u32 handles_total;
	__u32 tap_rate_limit;
	__u32 descriptor_pool_exhausted;
	__u32 tap_count;
	__u32 tap_queue_depth;
	__u32 waiter_count;
	__u32 fanout_descriptors;
	__u32 tasks;
	__u32 reserved;
	__u64 sent;
	__u64 received;
	__u64 dropped;
	__u64 overruns;
	__u64 backpressure;
	__u64 exhausted;
	__u64 errors;
	__u64 truncated;
};

struct hsxmbx_snapshot {
	__u64 flags;       /* in: 0 */
	__u64 descs_ptr;   /* in: array of struct hsxmbx_desc_info, may be 0 */
	__u32 descs_cap;   /* in: entries available at descs_ptr */
	__u32 descs_count; /* out: entries that exist (may exceed descs_cap) */
	__u64 stats_ptr;   /* in: struct hsxmbx_stats, may be 0 */
};

/* uring_cmd payload: the first 8 bytes of sqe->cmd. */
struct hsxmbx_uring_cmd {
	__u64 arg_ptr; /* pointer to the command's argument struct */
	__u64 reserved;
};

/* Commands, numbered by family: 0x0x global, 0x1x descriptor, 0x2x
 * message, 0x3x handle, 0x4x task. */
#define HSXMBX_IOC_GET_FEATURES _IOWR(HSXMBX_IOC_MAGIC, 0x00, struct hsxmbx_features)
#define HSXMBX_IOC_SNAPSHOT _IOWR(HSXMBX_IOC_MAGIC, 0x01, struct hsxmbx_snapshot)
#define HSXMBX_IOC_BIND _IOWR(HSXMBX_IOC_MAGIC, 0x10, struct hsxmbx_bind)
#define HSXMBX_IOC_UNBIND _IOW(HSXMBX_IOC_MAGIC, 0x11, struct hsxmbx_unbind)
#define HSXMBX_IOC_SEND _IOWR(HSXMBX_IOC_MAGIC, 0x20, struct hsxmbx_send)
#define HSXMBX_IOC_RECV _IOWR(HSXMBX_IOC_MAGIC, 0x21, struct hsxmbx_recv)
#define HSXMBX_IOC_PEEK _IOWR(HSXMBX_IOC_MAGIC, 0x22, struct hsxmbx_peek)
#define HSXMBX_IOC_OPEN _IOWR(HSXMBX_IOC_MAGIC, 0x30, struct hsxmbx_open)
#define HSXMBX_IOC_CLOSE _IOW(HSXMBX_IOC_MAGIC, 0x31, struct hsxmbx_close)
#define HSXMBX_IOC_TAP _IOW(HSXMBX_IOC_MAGIC, 0x32, struct hsxmbx_tap)
#define HSXMBX_IOC_HANDLE_FD _IOWR(HSXMBX_IOC_MAGIC, 0x33, struct hsxmbx_handle_fd)
#define HSXMBX_IOC_TASK_REGISTER _IOW(HSXMBX_IOC_MAGIC, 0x40, struct hsxmbx_task)
#define HSXMBX_IOC_TASK_UNREGISTER _IOW(HSXMBX_IOC_MAGIC, 0x41, struct hsxmbx_task)

/* NODE_TAP_STATS: what a tap (a node opened O_RDONLY, or a tap handle
 * file) got and missed.  overrun is 1 when copies were lost since this
 * file's last read (raw reads cannot carry HSX_MBX_FLAG_OVERRUN). */
struct hsxmbx_tap_stats {
	__u64 flags;     /* in: 0 */
	__u64 delivered; /* out: copies put in the tap's buffer */
	__u64 missed;    /* out: copies lost (rate limit or full tap buffer) */
	__u32 depth;     /* out: copies waiting in the tap's buffer */
	__u32 bytes;     /* out: bytes waiting, each copy costing len + 8 */
	__u32 overrun;   /* out: 1 if copies were lost since the last read */
	__u32 reserved;
};

/* Node files: the node's own handle (PID 0, private to the open file). */
#define HSXMBX_IOC_NODE_PEEK _IOWR(HSXMBX_IOC_MAGIC, 0x50, struct hsxmbx_peek)
#define HSXMBX_IOC_NODE_INFO _IOWR(HSXMBX_IOC_MAGIC, 0x51, struct hsxmbx_desc_info)
#define HSXMBX_IOC_NODE_TAP_STATS _IOWR(HSXMBX_IOC_MAGIC, 0x52, struct hsxmbx_tap_stats)

#endif /* _UAPI_HSXMBX_H */
