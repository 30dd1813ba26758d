// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Commands
 *
 * The control device's commands, shared by ioctl() and IORING_OP_URING_CMD.
 * hsxmbx_cmd() looks the command number up (the size encoded in it must
 * match the struct exactly, otherwise ENOTTY), copies the argument struct
 * in, runs the handler and copies it back for _IOC_READ commands.  A
 * handler returns the HSX status (>= 0) or a negative errno.
 *
 * Validation happens before the engine is touched: unknown flag bits and
 * non-zero reserved fields give EINVAL, targets longer than
 * HSXMBX_TARGET_MAX_BYTES give EINVAL, payloads longer than the module's
 * max_msg_bytes give HSX_MBX_STATUS_MSG_TOO_LARGE without allocating.
 *
 * User memory is never touched under the engine lock: a SEND allocates
 * and fills the message first; a RECV takes a reference on the message,
 * copies after unlocking and drops the reference under the lock again.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cmd.h"
#include "control.h"
#include "engine.h"
#include "handle.h"
#include "main.h"
#include "node.h"
#include "perm.h"
#include "quota.h"
#include "task.h"
#include "wait.h"

#define HSXMBX_STDIO_MASK 0x3F
#define HSXMBX_SNAPSHOT_MAX 65536 /* entries per SNAPSHOT call */

/*
 * @copies_out: the handler copies its result to uarg itself, because
 * what it does next depends on that copy: HANDLE_FD installs the fd only
 * after it, RECV gives the message back if it fails.
 */
struct hsxmbx_cmd_desc {
	unsigned int cmd;
	long (*fn)(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how);
	bool copies_out;
};

/* Under the engine lock: the task a command acts for, or an ERR_PTR. */
static struct hsxmbx_ktask *hsxmbx_cmd_task(struct hsxmbx_ctl *ctl, u32 pid)
{
	struct hsxmbx_ktask *ht;

	if (pid == 0)
		return ctl->host;
	if (!ctl->exec)
		return ERR_PTR(-EPERM);
	ht = hsxmbx_task_find(pid);
	if (!ht || !ht->t)
		return ERR_PTR(-EPERM);
	return ht;
}

static int hsxmbx_cmd_target(struct hsxmbx_ctl *ctl, u64 ptr, u32 len, char *buf)
{
	struct mbx_target tg;

	if (len > HSXMBX_TARGET_MAX_BYTES)
		return -EINVAL;
	if (copy_from_user(buf, u64_to_user_ptr(ptr), len))
		return -EFAULT;
	/* Task-owned mailboxes (svc:x@N, pid:N) are the executive's. */
	if (!ctl->exec && mbx_target_parse(&tg, buf, len, 0) == 0 && tg.owner != MBX_NO_OWNER &&
	    tg.owner != 0)
		return -EPERM;
	return 0;
}

static long hsxmbx_cmd_features(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg,
				unsigned int how)
{
	struct hsxmbx_features *f = arg;
	const struct mbx_config *cfg = mbx_engine_config(hsxmbx_eng);

	if (f->flags || f->reserved)
		return -EINVAL;
	f->features = HSXMBX_F_ALL;
	f->abi_version = HSXMBX_ABI_VERSION;
	f->profile = hsxmbx_profile;
	f->max_descriptors = cfg->max_descriptors;
	f->handles_per_pid = cfg->handles_per_pid;
	f->default_capacity = cfg->default_capacity ?: HSX_MBX_DEFAULT_RING_CAPACITY;
	f->tap_rate_limit = cfg->tap_rate_limit;
	f->max_total_bytes = cfg->max_total_bytes;
	f->max_msg_bytes = hsxmbx_max_msg_bytes();
	return HSX_MBX_STATUS_OK;
}

static long hsxmbx_cmd_bind(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_bind *b = arg;
	char target[HSXMBX_TARGET_MAX_BYTES];
	struct hsxmbx_ktask *ht;
	long ret;

	if (b->flags || b->reserved || b->capacity > HSX_MBX_MAX_CAPACITY ||
	    (b->mode & ~HSXMBX_STDIO_MASK))
		return -EINVAL;
	ret = hsxmbx_cmd_target(ctl, b->target_ptr, b->target_len, target);
	if (ret)
		return ret;
	hsxmbx_lock();
	ht = b->pid ? hsxmbx_cmd_task(ctl, b->pid) : hsxmbx_host_binder;
	hsxmbx_quota_set_payer(ctl);
	ret = IS_ERR(ht) ? PTR_ERR(ht) :
			   hsxmbx_perm_bind(ctl, target, b->target_len, b->capacity, b->mode);
	if (!ret)
		ret = mbx_bind(hsxmbx_eng, ht->t, target, b->target_len, b->capacity, b->mode,
			       &b->descriptor_id);
	hsxmbx_quota_clear_payer();
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_unbind(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg,
			      unsigned int how)
{
	struct hsxmbx_unbind *u = arg;
	char target[HSXMBX_TARGET_MAX_BYTES];
	struct hsxmbx_ktask *ht;
	long ret;

	if (u->flags & ~HSXMBX_UNBIND_FORCE)
		return -EINVAL;
	ret = hsxmbx_cmd_target(ctl, u->target_ptr, u->target_len, target);
	if (ret)
		return ret;
	hsxmbx_lock();
	ht = u->pid ? hsxmbx_cmd_task(ctl, u->pid) : hsxmbx_host_binder;
	ret = IS_ERR(ht) ? PTR_ERR(ht) : hsxmbx_perm_unbind(ctl, target, u->target_len);
	if (!ret)
		ret = mbx_unbind(hsxmbx_eng, ht->t, target, u->target_len,
				 !!(u->flags & HSXMBX_UNBIND_FORCE));
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_open(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_open *o = arg;
	char target[HSXMBX_TARGET_MAX_BYTES];
	struct hsxmbx_ktask *ht;
	struct mbx_handle *h;
	long ret;

	if (o->flags || o->reserved || o->access > HSX_MBX_MODE_RDWR)
		return -EINVAL;
	ret = hsxmbx_cmd_target(ctl, o->target_ptr, o->target_len, target);
	if (ret)
		return ret;
	hsxmbx_lock();
	ht = hsxmbx_cmd_task(ctl, o->pid);
	/* OPEN creates a missing descriptor: charged like a BIND. */
	hsxmbx_quota_set_payer(ctl);
	ret = IS_ERR(ht) ?
		      PTR_ERR(ht) :
		      mbx_open(hsxmbx_eng, ht->t, target, o->target_len, o->access, &o->handle);
	hsxmbx_quota_clear_payer();
	o->descriptor_id = 0;
	if (ret == HSX_MBX_STATUS_OK) {
		h = mbx_handle_lookup(hsxmbx_eng, ht->t, o->handle);
		o->descriptor_id = h ? mbx_desc_id(mbx_handle_desc(h)) : 0;
	}
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_close(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_close *c = arg;
	struct hsxmbx_ktask *ht;
	long ret;

	if (c->flags)
		return -EINVAL;
	hsxmbx_lock();
	ht = hsxmbx_cmd_task(ctl, c->pid);
	ret = IS_ERR(ht) ? PTR_ERR(ht) : mbx_close(hsxmbx_eng, ht->t, c->handle);
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_tap(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_tap *tp = arg;
	struct hsxmbx_ktask *ht;
	long ret;

	if (tp->flags || tp->reserved || (tp->enable & ~1u))
		return -EINVAL;
	hsxmbx_lock();
	ht = hsxmbx_cmd_task(ctl, tp->pid);
	ret = IS_ERR(ht) ? PTR_ERR(ht) : mbx_tap(hsxmbx_eng, ht->t, tp->handle, tp->enable);
	/* Whoever enables a tap pays for its buffer. */
	if (ret == HSX_MBX_STATUS_OK && tp->enable &&
	    !hsxmbx_hwait_charge_current(mbx_handle_lookup(hsxmbx_eng, ht->t, tp->handle))) {
		mbx_tap(hsxmbx_eng, ht->t, tp->handle, 0);
		ret = -ENOMEM;
	}
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_peek(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_peek *p = arg;
	struct mbx_peek_result r = {};
	struct hsxmbx_ktask *ht;
	long ret;

	if (p->flags)
		return -EINVAL;
	hsxmbx_lock();
	ht = hsxmbx_cmd_task(ctl, p->pid);
	ret = IS_ERR(ht) ? PTR_ERR(ht) : mbx_peek(hsxmbx_eng, ht->t, p->handle, &r);
	hsxmbx_unlock();
	hsxmbx_peek_out(p, &r);
	return ret;
}

/*
 * SEND.  With HSXMBX_SEND_BLOCK a sender refused by a full single-reader
 * or FANOUT_BLOCK descriptor, or by the global byte cap, sleeps until
 * room may have appeared (ops.space), the timeout passes
 * (HSX_MBX_STATUS_TIMEOUT) or the descriptor dies.  It keeps its message
 * across retries (mbx_send_keep): one allocation, one copy from user
 * memory.
 */
static u32 hsxmbx_send_once(struct hsxmbx_ctl *ctl, struct hsxmbx_send *s, struct mbx_msg *m,
			    struct hsxmbx_send_wait *w, bool *wait, long *err)
{
	struct hsxmbx_ktask *ht;
	u32 st = HSX_MBX_STATUS_INTERNAL_ERROR;

	*wait = false;
	hsxmbx_lock();
	ht = hsxmbx_cmd_task(ctl, s->pid);
	if (IS_ERR(ht))
		*err = PTR_ERR(ht);
	else
		st = mbx_send_keep(hsxmbx_eng, ht->t, s->handle, m, s->msg_flags, s->channel,
				   &s->seq);
	if (st == HSX_MBX_STATUS_WOULDBLOCK && w)
		*wait = hsxmbx_send_wait_prepare(ht->t, s->handle, w);
	if (IS_ERR(ht) || (st == HSX_MBX_STATUS_WOULDBLOCK && !*wait))
		mbx_msg_put(hsxmbx_eng, m);
	hsxmbx_unlock();
	return st;
}

static long hsxmbx_cmd_send(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_send *s = arg;
	bool block = (s->flags & HSXMBX_SEND_BLOCK) && s->timeout != HSX_MBX_TIMEOUT_POLL &&
		     !(how & HSXMBX_HOW_NONBLOCK);
	bool forever = s->timeout == HSX_MBX_TIMEOUT_INFINITE;
	ktime_t deadline = hsxmbx_deadline(s->timeout);
	struct hsxmbx_send_wait w;
	struct mbx_msg *m;
	long err = 0;
	bool wait;
	u32 st;
	int ret;

	if ((s->flags & ~HSXMBX_SEND_ALL) || (s->msg_flags & ~0xFFFFu) || (s->channel & ~0xFFFFu) ||
	    s->timeout > HSX_MBX_TIMEOUT_INFINITE)
		return -EINVAL;
	s->sent = 0;
	s->seq = 0;
	if (s->payload_len > hsxmbx_max_msg_bytes())
		return HSX_MBX_STATUS_MSG_TOO_LARGE;
	m = hsxmbx_msg_alloc(s->payload_len);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(mbx_msg_payload(m), u64_to_user_ptr(s->payload_ptr), s->payload_len)) {
		hsxmbx_msg_put(m);
		return -EFAULT;
	}
	for (;;) {
		st = hsxmbx_send_once(ctl, s, m, block ? &w : NULL, &wait, &err);
		if (err)
			return err;
		if (!wait)
			break;
		ret = hsxmbx_send_wait(&w, forever ? NULL : &deadline);
		if (ret) {
			hsxmbx_msg_put(m);
			if (ret == -ETIME)
				return HSX_MBX_STATUS_TIMEOUT;
			return forever ? -ERESTARTSYS : -EINTR;
		}
	}
	if (st == HSX_MBX_STATUS_OK)
		s->sent = s->payload_len;
	return st;
}

/* RECV: POLL, a finite number of ms, or INFINITE. */
static void hsxmbx_recv_out(struct hsxmbx_recv *r, const struct hsxmbx_recv_req *rq, u32 copied)
{
	const struct mbx_recv_result *res = &rq->res;

	r->length = copied;
	r->msg_len = res->length;
	r->msg_flags = res->flags;
	if (copied < res->length)
		r->msg_flags |= HSX_MBX_FLAG_TRUNCATED;
	r->channel = res->channel;
	r->src_pid = res->src_pid;
	r->seq = res->seq;
}

static long hsxmbx_cmd_recv(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg, unsigned int how)
{
	struct hsxmbx_recv *r = arg;
	struct hsxmbx_recv_req rq = {
		.handle = r->handle,
		.timeout = r->timeout,
		.cancel_poll = true,
	};
	long ret;
	u32 n;

	if (r->flags || r->timeout > HSX_MBX_TIMEOUT_INFINITE)
		return -EINVAL;
	if (how & HSXMBX_HOW_NONBLOCK)
		rq.timeout = HSX_MBX_TIMEOUT_POLL;
	hsxmbx_lock();
	rq.ht = hsxmbx_cmd_task(ctl, r->pid);
	if (!IS_ERR(rq.ht))
		hsxmbx_task_get(rq.ht);
	hsxmbx_unlock();
	if (IS_ERR(rq.ht))
		return PTR_ERR(rq.ht);
	ret = hsxmbx_recv_wait(&rq);
	n = 0;
	if (ret == HSX_MBX_STATUS_OK)
		n = min(r->buf_len, rq.res.length);
	hsxmbx_recv_out(r, &rq, n);
	if (ret == HSX_MBX_STATUS_OK &&
	    copy_to_user(u64_to_user_ptr(r->buf_ptr), mbx_msg_payload(rq.res.msg), n))
		ret = -EFAULT;
	if (ret >= 0 && copy_to_user(uarg, r, sizeof(*r)))
		ret = -EFAULT;
	/* A faulting buffer gets EFAULT and the message stays for the next RECV. */
	if (ret == -EFAULT)
		hsxmbx_recv_fail(&rq);
	else
		hsxmbx_recv_done(&rq, n);
	hsxmbx_lock();
	hsxmbx_task_put(rq.ht);
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_handle_fd(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg,
				 unsigned int how)
{
	struct hsxmbx_handle_fd *hf = arg;
	struct hsxmbx_ktask *ht;
	long ret;

	if ((hf->flags & ~HSXMBX_FD_ALL) || hf->reserved)
		return -EINVAL;
	hsxmbx_lock();
	ht = hsxmbx_cmd_task(ctl, hf->pid);
	if (!IS_ERR(ht))
		hsxmbx_task_get(ht);
	hsxmbx_unlock();
	if (IS_ERR(ht))
		return PTR_ERR(ht);
	ret = hsxmbx_handle_fd(ht, hf, uarg);
	hsxmbx_lock();
	hsxmbx_task_put(ht);
	hsxmbx_unlock();
	return ret;
}

static long hsxmbx_cmd_task_check(struct hsxmbx_ctl *ctl, struct hsxmbx_task *rq)
{
	if (!ctl->exec)
		return -EPERM;
	if (rq->flags || rq->reserved || rq->pid == 0 || rq->pid > 0xFFFF ||
	    rq->stdio_capacity > HSX_MBX_MAX_CAPACITY || (rq->stdio_mode & ~HSXMBX_STDIO_MASK))
		return -EINVAL;
	return 0;
}

static long hsxmbx_cmd_task_register(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg,
				     unsigned int how)
{
	struct hsxmbx_task *rq = arg;
	struct hsxmbx_ktask *ht;
	long ret = hsxmbx_cmd_task_check(ctl, rq);
	u32 st;

	if (ret)
		return ret;
	hsxmbx_lock();
	ht = hsxmbx_task_register(rq, ctl, &st);
	if (ht)
		list_add_tail(&ht->link, &ctl->tasks);
	hsxmbx_unlock();
	return st;
}

static long hsxmbx_cmd_task_unregister(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg,
				       unsigned int how)
{
	struct hsxmbx_task *rq = arg;
	struct hsxmbx_ktask *ht;
	long ret = hsxmbx_cmd_task_check(ctl, rq);

	if (ret)
		return ret;
	hsxmbx_lock();
	ht = hsxmbx_task_find(rq->pid);
	if (ht)
		hsxmbx_task_unregister(ht);
	hsxmbx_unlock();
	return ht ? HSX_MBX_STATUS_OK : HSX_MBX_STATUS_INVALID_ARGUMENT;
}

struct hsxmbx_snap_fill {
	const struct hsxmbx_ctl *ctl;
	struct hsxmbx_desc_info *infos;
	u32 cap, count;
};

static int hsxmbx_snap_one(struct mbx_desc *d, void *arg)
{
	struct hsxmbx_snap_fill *f = arg;

	if (!hsxmbx_perm_visible(f->ctl, d))
		return 0;
	if (f->count < f->cap)
		mbx_desc_info(d, &f->infos[f->count]);
	f->count++;
	return 0;
}

static long hsxmbx_cmd_snapshot(struct hsxmbx_ctl *ctl, void *arg, void __user *uarg,
				unsigned int how)
{
	struct hsxmbx_snapshot *s = arg;
	struct hsxmbx_snap_fill f = { .ctl = ctl };
	struct hsxmbx_stats st;
	long ret = HSX_MBX_STATUS_OK;

	if (s->flags)
		return -EINVAL;
	f.cap = s->descs_ptr ? min_t(u32, s->descs_cap, HSXMBX_SNAPSHOT_MAX) : 0;
	if (f.cap) {
		f.infos = kvcalloc(f.cap, sizeof(*f.infos), HSXMBX_GFP);
		if (!f.infos)
			return -ENOMEM;
	}
	hsxmbx_lock();
	mbx_visit_descs(hsxmbx_eng, hsxmbx_snap_one, &f);
	mbx_stats(hsxmbx_eng, &st);
	hsxmbx_unlock();
	s->descs_count = f.count;
	if (f.cap && copy_to_user(u64_to_user_ptr(s->descs_ptr), f.infos,
				  min(f.cap, f.count) * sizeof(*f.infos)))
		ret = -EFAULT;
	if (s->stats_ptr && copy_to_user(u64_to_user_ptr(s->stats_ptr), &st, sizeof(st)))
		ret = -EFAULT;
	kvfree(f.infos);
	return ret;
}

static const struct hsxmbx_cmd_desc hsxmbx_cmds[] = {
	{ HSXMBX_IOC_GET_FEATURES, hsxmbx_cmd_features },
	{ HSXMBX_IOC_SNAPSHOT, hsxmbx_cmd_snapshot },
	{ HSXMBX_IOC_BIND, hsxmbx_cmd_bind },
	{ HSXMBX_IOC_UNBIND, hsxmbx_cmd_unbind },
	{ HSXMBX_IOC_SEND, hsxmbx_cmd_send },
	{ HSXMBX_IOC_RECV, hsxmbx_cmd_recv, .copies_out = true },
	{ HSXMBX_IOC_PEEK, hsxmbx_cmd_peek },
	{ HSXMBX_IOC_OPEN, hsxmbx_cmd_open },
	{ HSXMBX_IOC_CLOSE, hsxmbx_cmd_close },
	{ HSXMBX_IOC_TAP, hsxmbx_cmd_tap },
	{ HSXMBX_IOC_HANDLE_FD, hsxmbx_cmd_handle_fd, .copies_out = true },
	{ HSXMBX_IOC_TASK_REGISTER, hsxmbx_cmd_task_register },
	{ HSXMBX_IOC_TASK_UNREGISTER, hsxmbx_cmd_task_unregister },
};

union hsxmbx_cmd_arg {
	struct hsxmbx_features features;
	struct hsxmbx_snapshot snapshot;
	struct hsxmbx_bind bind;
	struct hsxmbx_unbind unbind;
	struct hsxmbx_send send;
	struct hsxmbx_recv recv;
	struct hsxmbx_peek peek;
	struct hsxmbx_open open;
	struct hsxmbx_close close;
	struct hsxmbx_tap tap;
	struct hsxmbx_handle_fd handle_fd;
	struct hsxmbx_task task;
};

long hsxmbx_cmd(struct hsxmbx_ctl *ctl, unsigned int cmd, void __user *uarg, unsigned int how)
{
	const struct hsxmbx_cmd_desc *c = NULL;
	union hsxmbx_cmd_arg arg;
	size_t size = _IOC_SIZE(cmd);
	long ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(hsxmbx_cmds) && !c; i++)
		if (hsxmbx_cmds[i].cmd == cmd)
			c = &hsxmbx_cmds[i];
	if (!c || WARN_ON_ONCE(size > sizeof(arg)))
		return -ENOTTY;
	if (copy_from_user(&arg, uarg, size))
		return -EFAULT;
	ret = c->fn(ctl, &arg, uarg, how);
	if (ret >= 0 && !c->copies_out && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &arg, size))
		return -EFAULT;
	return ret;
}
