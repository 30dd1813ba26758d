// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Receives and handle files
 *
 * hsxmbx_recv_wait() is the one receive path: ioctl RECV and read() on
 * handle files and nodes all use it.  A blocking receive registers the
 * handle as an engine waiter (MBX_RECV_WAIT) and sleeps on its hwait;
 * the engine parks the next message in the handle and wakes it (wait.c).
 * A timeout or signal leaves the wait list with mbx_cancel_wait(), which
 * also returns a message parked in the meantime, so nothing is lost.
 *
 * A handle file (HSXMBX_IOC_HANDLE_FD, or an opened device node) is an
 * anon-inode file over one handle.  read() returns one message (framed:
 * struct hsxmbx_frame + payload; raw: payload only), write() sends one.
 * The file is FMODE_NOWAIT and pollable, so io_uring never parks a READ
 * on a kernel thread: it tries the read with IOCB_NOWAIT, gets EAGAIN,
 * and arms a poll.  ->poll has no side effects: it computes readiness
 * and waits on the descriptor's queue (dnode->wq, woken by the engine's
 * readable and space hooks) and on the handle's (hwait->wq: hand-offs,
 * tap copies, close).  Only blocked readers join the engine's FIFO
 * hand-off list: a blocking read or RECV, and an io_uring READ, whose
 * failed non-blocking attempt joins it (its async kiocb tells it apart
 * from a plain non-blocking read).  So a poller never takes a message
 * that a blocked receiver waits for, every poller (epoll, EPOLLET,
 * select, io_uring POLL_ADD) sees every message, and armed READs are
 * served in FIFO order; one whose place was given up (a POLL RECV on the
 * handle) is woken by the queue's readable wake and retries.  A
 * poll-armed request is cancellable (ring teardown, process exit,
 * IORING_OP_LINK_TIMEOUT); a message parked for a cancelled READ stays in
 * the handle for the next receive.
 *
 * The file keeps a reference on its task (the handle outlives the control
 * file) and on the handle's hwait and dnode, so it can sleep and poll
 * safely even after the engine closed the handle: it then reads EOF,
 * writes EPIPE and polls EPOLLHUP.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "engine.h"
#include "handle.h"
#include "main.h"
#include "node.h"
#include "task.h"
#include "wait.h"

struct hsxmbx_hfile {
	struct hsxmbx_ktask *ht;
	u32 handle;
	bool raw;
	struct hsxmbx_hwait *hw;
	struct hsxmbx_dnode *dn;
	struct mbx_desc *pinned; /* node files: host reference */
	u64 missed_seen; /* tap copies lost, as of the last read */
};

/* Under the lock: one attempt; arms *hw and *seq to sleep on NO_DATA. */
static u32 hsxmbx_recv_try(struct hsxmbx_recv_req *rq, unsigned int flags, struct hsxmbx_hwait **hw,
			   unsigned long *seq)
{
	struct mbx_task *t = rq->ht->t;
	struct mbx_handle *h;
	u32 st;

	if (!t)
		return HSX_MBX_STATUS_INVALID_HANDLE;
	st = mbx_recv(hsxmbx_eng, t, rq->handle, flags, &rq->res);
	if (st != HSX_MBX_STATUS_NO_DATA || !(flags & MBX_RECV_WAIT))
		return st;
	h = mbx_handle_lookup(hsxmbx_eng, t, rq->handle);
	if (!*hw && h)
		*hw = hsxmbx_hwait_get(h);
	if (!*hw) {
		mbx_cancel_wait(hsxmbx_eng, t, rq->handle, 0, &rq->res);
		return HSX_MBX_STATUS_INTERNAL_ERROR;
	}
	*seq = hsxmbx_hwait_seq(*hw);
	return st;
}

static u32 hsxmbx_recv_cancel(struct hsxmbx_recv_req *rq, bool timed_out)
{
	if (!rq->ht->t)
		return HSX_MBX_STATUS_INVALID_HANDLE;
	return mbx_cancel_wait(hsxmbx_eng, rq->ht->t, rq->handle, timed_out, &rq->res);
}

/* Returns the HSX status (OK: rq->res.msg referenced) or -errno. */
long hsxmbx_recv_wait(struct hsxmbx_recv_req *rq)
{
	bool poll = rq->timeout == HSX_MBX_TIMEOUT_POLL;
	bool forever = rq->timeout == HSX_MBX_TIMEOUT_INFINITE;
	ktime_t deadline = hsxmbx_deadline(rq->timeout);
	struct hsxmbx_hwait *hw = NULL;
	unsigned long seq = 0;
	int ret = 0;
	u32 st;

	memset(&rq->res, 0, sizeof(rq->res));
	hsxmbx_lock();
	/* A joining attempt waits like a blocked reader, INFINITE in the trace. */
	u32 shown = rq->join_fifo ? HSX_MBX_TIMEOUT_INFINITE : rq->timeout;
	unsigned int wait = MBX_RECV_WAIT | MBX_RECV_TIMEOUT(shown);

	st = hsxmbx_recv_try(rq, poll && !rq->join_fifo ? 0 : wait, &hw, &seq);
	if (st == HSX_MBX_STATUS_NO_DATA && poll && rq->cancel_poll)
		st = hsxmbx_recv_cancel(rq, false);
	while (st == HSX_MBX_STATUS_NO_DATA && !poll) {
		hsxmbx_unlock();
		ret = hsxmbx_wait_event(&hw->wq, &hw->seq, seq, &hw->dead,
					forever ? NULL : &deadline);
		hsxmbx_lock();
		if (ret) {
			st = hsxmbx_recv_cancel(rq, ret == -ETIME);
			break;
		}
		st = hsxmbx_recv_try(rq, wait, &hw, &seq);
	}
	hsxmbx_hwait_put(hw);
	hsxmbx_unlock();
	if (st == HSX_MBX_STATUS_NO_DATA && ret == -ETIME)
		return HSX_MBX_STATUS_TIMEOUT;
	if (st == HSX_MBX_STATUS_NO_DATA && ret)
		return forever ? -ERESTARTSYS : -EINTR;
	return st;
}

/* Under the lock: after a delivery, what the reader has now seen. */
static void hsxmbx_recv_note(struct hsxmbx_recv_req *rq, u32 copied)
{
	struct mbx_tap_stats ts;
	struct mbx_handle *h;

	if (!rq->ht->t || (copied == rq->res.length && !rq->missed_seen))
		return;
	h = mbx_handle_lookup(hsxmbx_eng, rq->ht->t, rq->handle);
	if (!h)
		return;
	if (copied < rq->res.length)
		mbx_note_truncated(hsxmbx_eng, h, rq->res.length - copied);
	if (rq->missed_seen && mbx_handle_is_tap(h)) {
		mbx_handle_tap_stats(h, &ts);
		*rq->missed_seen = ts.missed;
	}
}

/* Drop the received message; count what the reader's buffer cut off. */
void hsxmbx_recv_done(struct hsxmbx_recv_req *rq, u32 copied)
{
	if (!rq->res.msg)
		return;
	hsxmbx_lock();
	hsxmbx_recv_note(rq, copied);
	mbx_msg_put(hsxmbx_eng, rq->res.msg);
	rq->res.msg = NULL;
	hsxmbx_unlock();
}

/*
 * The copy to the reader faulted: give the message back to the engine
 * (queue head, or the handle's parked slot) instead of losing it.
 */
void hsxmbx_recv_fail(struct hsxmbx_recv_req *rq)
{
	if (!rq->res.msg)
		return;
	hsxmbx_lock();
	if (rq->ht->t)
		mbx_recv_return(hsxmbx_eng, rq->ht->t, rq->handle, &rq->res);
	else
		mbx_msg_put(hsxmbx_eng, rq->res.msg);
	rq->res.msg = NULL;
	hsxmbx_unlock();
}

/*
 * Under the lock, after a WOULDBLOCK: where the refused sender waits for
 * room.  Full single-reader and FANOUT_BLOCK descriptors wait on their
 * dnode; a send refused by the global byte cap waits for bytes freed
 * anywhere.  FANOUT and FANOUT_DROP make room themselves.  False: do not
 * wait.
 */
bool hsxmbx_send_wait_prepare(struct mbx_task *t, u32 handle, struct hsxmbx_send_wait *w)
{
	const u32 dropping = HSX_MBX_MODE_FANOUT | HSX_MBX_MODE_FANOUT_DROP;
	struct mbx_handle *h = mbx_handle_lookup(hsxmbx_eng, t, handle);
	u32 mode;

	w->dn = h ? hsxmbx_dnode_get(mbx_handle_desc(h)) : NULL;
	if (!w->dn)
		return false;
	mode = mbx_desc_mode(mbx_handle_desc(h));
	if (mbx_handle_refusal(h) == MBX_REASON_BYTE_CAP) {
		w->wq = &hsxmbx_bytes.wq;
		w->seqp = &hsxmbx_bytes.seq;
	} else if (!(mode & dropping) || (mode & HSX_MBX_MODE_FANOUT_BLOCK)) {
		w->wq = &w->dn->wq;
		w->seqp = &w->dn->space_seq;
	} else {
		hsxmbx_dnode_put(w->dn);
		w->dn = NULL;
		return false;
	}
	w->seq = *w->seqp;
	return true;
}

/* Unlocked: sleep until room may have appeared; drops w->dn. */
int hsxmbx_send_wait(struct hsxmbx_send_wait *w, const ktime_t *deadline)
{
	int ret = hsxmbx_wait_event(w->wq, w->seqp, w->seq, &w->dn->dead, deadline);

	hsxmbx_dnode_put(w->dn);
	w->dn = NULL;
	return ret;
}

void hsxmbx_peek_out(struct hsxmbx_peek *p, const struct mbx_peek_result *r)
{
	p->depth = r->depth;
	p->bytes_used = r->bytes_used;
	p->next_len = r->next_len;
	p->capacity = r->capacity;
	p->head_seq = r->head_seq;
	p->next_seq = r->next_seq;
	p->mode = r->mode;
	p->descriptor_id = r->descriptor_id;
}

/* Under the lock: a handle file's state for handle h of task ht. */
static struct hsxmbx_hfile *hsxmbx_hfile_new(struct hsxmbx_ktask *ht, struct mbx_handle *h,
					     bool raw)
{
	struct hsxmbx_hfile *hf = kzalloc(sizeof(*hf), HSXMBX_GFP);

	if (!hf)
		return NULL;
	hf->hw = hsxmbx_hwait_get(h);
	if (!hf->hw) {
		kfree(hf);
		return NULL;
	}
	hsxmbx_task_get(ht);
	hf->ht = ht;
	hf->handle = mbx_handle_number(h);
	hf->raw = raw;
	hf->dn = hsxmbx_dnode_get(mbx_handle_desc(h));
	return hf;
}

/* Under the lock. */
static void hsxmbx_hfile_free(struct hsxmbx_hfile *hf)
{
	hsxmbx_task_put(hf->ht);
	if (hf->pinned)
		mbx_desc_put(hsxmbx_eng, hf->pinned);
	hsxmbx_hwait_put(hf->hw);
	hsxmbx_dnode_put(hf->dn);
	kfree(hf);
}

static int hsxmbx_hfile_release(struct inode *inode, struct file *file)
{
	hsxmbx_lock();
	hsxmbx_hfile_free(file->private_data);
	hsxmbx_unlock();
	return 0;
}

static bool hsxmbx_nonblock(struct kiocb *iocb)
{
	return (iocb->ki_filp->f_flags & O_NONBLOCK) || (iocb->ki_flags & IOCB_NOWAIT);
}

static ssize_t hsxmbx_hfile_copy_out(struct hsxmbx_recv_req *rq, struct iov_iter *to, size_t hdr)
{
	const struct mbx_recv_result *res = &rq->res;
	u32 n = min_t(size_t, res->length, iov_iter_count(to) - hdr);
	struct hsxmbx_frame fr = {
		.length = n,
		.flags = res->flags | (n < res->length ? HSX_MBX_FLAG_TRUNCATED : 0),
		.channel = res->channel,
		.src_pid = res->src_pid,
		.seq = res->seq,
	};
	size_t before = iov_iter_count(to);

	if ((hdr && copy_to_iter(&fr, hdr, to) != hdr) ||
	    copy_to_iter(mbx_msg_payload(res->msg), n, to) != n) {
		iov_iter_revert(to, before - iov_iter_count(to));
		hsxmbx_recv_fail(rq);
		return -EFAULT;
	}
	hsxmbx_recv_done(rq, n);
	return hdr + n;
}

/* Under the lock: the file's handle if it is still open. */
static struct mbx_handle *hsxmbx_hfile_handle(struct hsxmbx_hfile *hf)
{
	if (!hf->ht->t || hf->hw->dead)
		return NULL;
	return mbx_handle_lookup(hsxmbx_eng, hf->ht->t, hf->handle);
}

static u64 hsxmbx_hfile_missed(struct hsxmbx_hfile *hf, struct mbx_tap_stats *ts)
{
	struct mbx_handle *h = hsxmbx_hfile_handle(hf);

	memset(ts, 0, sizeof(*ts));
	if (h && mbx_handle_is_tap(h))
		mbx_handle_tap_stats(h, ts);
	return ts->missed;
}

static ssize_t hsxmbx_hfile_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct hsxmbx_hfile *hf = iocb->ki_filp->private_data;
	size_t hdr = hf->raw ? 0 : sizeof(struct hsxmbx_frame);
	struct hsxmbx_recv_req rq = {
		.ht = hf->ht,
		.handle = hf->handle,
		.timeout = hsxmbx_nonblock(iocb) ? HSX_MBX_TIMEOUT_POLL : HSX_MBX_TIMEOUT_INFINITE,
		.missed_seen = &hf->missed_seen,
		/*
		 * An io_uring READ tries without blocking, then waits on
		 * ->poll: it is a blocked reader and takes its FIFO place.
		 */
		.join_fifo = !is_sync_kiocb(iocb) && (iocb->ki_flags & IOCB_NOWAIT),
	};
	long st;

	if (iov_iter_count(to) < hdr)
		return -EINVAL;
	if (!iov_iter_count(to))
		return 0;
	st = hsxmbx_recv_wait(&rq);
	switch (st) {
	case HSX_MBX_STATUS_OK:
		return hsxmbx_hfile_copy_out(&rq, to, hdr);
	case HSX_MBX_STATUS_DESTROYED:
	case HSX_MBX_STATUS_INVALID_HANDLE:
		return 0;
	default:
		return st < 0 ? st : hsxmbx_status_errno(st);
	}
}

/* One send; on a refused blocking send, *w says where to wait. */
static u32 hsxmbx_hfile_send(struct hsxmbx_hfile *hf, struct mbx_msg *m, struct hsxmbx_send_wait *w,
			     bool *wait)
{
	struct mbx_task *t;
	u32 seq, st;

	*wait = false;
	hsxmbx_lock();
	t = hf->ht->t;
	st = t ? mbx_send_keep(hsxmbx_eng, t, hf->handle, m, 0, 0, &seq) :
		 HSX_MBX_STATUS_INVALID_HANDLE;
	if (st == HSX_MBX_STATUS_WOULDBLOCK && w)
		*wait = hsxmbx_send_wait_prepare(t, hf->handle, w);
	if (!t || (st == HSX_MBX_STATUS_WOULDBLOCK && !*wait))
		mbx_msg_put(hsxmbx_eng, m);
	hsxmbx_unlock();
	return st;
}

/*
 * One message per write.  A blocked writer keeps its message across
 * retries: it is allocated and copied from user memory once.
 */
static ssize_t hsxmbx_hfile_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct hsxmbx_hfile *hf = iocb->ki_filp->private_data;
	size_t len = iov_iter_count(from);
	struct hsxmbx_send_wait w;
	struct mbx_msg *m;
	bool wait;
	u32 st;

	if (len > hsxmbx_max_msg_bytes())
		return -EMSGSIZE;
	m = hsxmbx_msg_alloc(len);
	if (!m)
		return -ENOMEM;
	if (!copy_from_iter_full(mbx_msg_payload(m), len, from)) {
		hsxmbx_msg_put(m);
		return -EFAULT;
	}
	for (;;) {
		st = hsxmbx_hfile_send(hf, m, hsxmbx_nonblock(iocb) ? NULL : &w, &wait);
		if (st == HSX_MBX_STATUS_OK)
			return len;
		if (!wait)
			return hsxmbx_status_errno(st);
		if (hsxmbx_send_wait(&w, NULL)) {
			hsxmbx_msg_put(m);
			return -ERESTARTSYS;
		}
	}
}

static __poll_t hsxmbx_hfile_poll(struct file *file, poll_table *wait)
{
	struct hsxmbx_hfile *hf = file->private_data;
	unsigned int ready = MBX_READY_HUP;
	struct mbx_handle *h = NULL;
	__poll_t mask = 0;

	poll_wait(file, &hf->hw->wq, wait);
	if (hf->dn)
		poll_wait(file, &hf->dn->wq, wait);
	hsxmbx_lock();
	h = hsxmbx_hfile_handle(hf);
	if (h)
		ready = mbx_handle_ready(hsxmbx_eng, h);
	hsxmbx_unlock();
	if (ready & MBX_READY_IN)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ready & MBX_READY_OUT)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (ready & MBX_READY_HUP)
		mask |= EPOLLHUP;
	return mask;
}

static long hsxmbx_hfile_peek(struct hsxmbx_hfile *hf, void __user *uarg)
{
	struct mbx_peek_result r = {};
	struct hsxmbx_peek p;
	u32 st = HSX_MBX_STATUS_INVALID_HANDLE;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (p.flags)
		return -EINVAL;
	hsxmbx_lock();
	if (hf->ht->t)
		st = mbx_peek(hsxmbx_eng, hf->ht->t, hf->handle, &r);
	hsxmbx_unlock();
	hsxmbx_peek_out(&p, &r);
	p.pid = 0;
	p.handle = hf->handle;
	return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : st;
}

static long hsxmbx_hfile_info(struct hsxmbx_hfile *hf, void __user *uarg)
{
	struct hsxmbx_desc_info info = {};
	struct mbx_handle *h = NULL;

	hsxmbx_lock();
	h = hsxmbx_hfile_handle(hf);
	if (h)
		mbx_desc_info(mbx_handle_desc(h), &info);
	hsxmbx_unlock();
	if (!h)
		return HSX_MBX_STATUS_DESTROYED;
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : HSX_MBX_STATUS_OK;
}

static long hsxmbx_hfile_tap_stats(struct hsxmbx_hfile *hf, void __user *uarg)
{
	struct hsxmbx_tap_stats out;
	struct mbx_tap_stats ts;

	if (copy_from_user(&out, uarg, sizeof(out)))
		return -EFAULT;
	if (out.flags || out.reserved)
		return -EINVAL;
	hsxmbx_lock();
	out.overrun = hsxmbx_hfile_missed(hf, &ts) != hf->missed_seen;
	hsxmbx_unlock();
	out.delivered = ts.delivered;
	out.missed = ts.missed;
	out.depth = ts.depth;
	out.bytes = ts.bytes;
	return copy_to_user(uarg, &out, sizeof(out)) ? -EFAULT : HSX_MBX_STATUS_OK;
}

static long hsxmbx_hfile_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hsxmbx_hfile *hf = file->private_data;

	switch (cmd) {
	case HSXMBX_IOC_NODE_PEEK:
		return hsxmbx_hfile_peek(hf, (void __user *)arg);
	case HSXMBX_IOC_NODE_INFO:
		return hsxmbx_hfile_info(hf, (void __user *)arg);
	case HSXMBX_IOC_NODE_TAP_STATS:
		return hsxmbx_hfile_tap_stats(hf, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hsxmbx_hfile_fops = {
	.owner = THIS_MODULE,
	.release = hsxmbx_hfile_release,
	.read_iter = hsxmbx_hfile_read_iter,
	.write_iter = hsxmbx_hfile_write_iter,
	.poll = hsxmbx_hfile_poll,
	.unlocked_ioctl = hsxmbx_hfile_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct hsxmbx_hfile *hsxmbx_hfile_for(struct hsxmbx_ktask *ht, u32 handle, bool raw, u32 *st)
{
	struct hsxmbx_hfile *hf = NULL;
	struct mbx_handle *h = NULL;

	hsxmbx_lock();
	if (ht->t)
		h = mbx_handle_lookup(hsxmbx_eng, ht->t, handle);
	if (h)
		hf = hsxmbx_hfile_new(ht, h, raw);
	hsxmbx_unlock();
	*st = h ? HSX_MBX_STATUS_OK : HSX_MBX_STATUS_INVALID_HANDLE;
	return hf;
}

static void hsxmbx_hfile_drop(struct hsxmbx_hfile *hf)
{
	hsxmbx_lock();
	hsxmbx_hfile_free(hf);
	hsxmbx_unlock();
}

/*
 * Handle files are streams (no pread/pwrite/lseek: a message has no
 * offset) that io_uring may try without blocking.
 */
static void hsxmbx_hfile_modes(struct file *file)
{
	stream_open(file_inode(file), file);
	file->f_mode |= FMODE_NOWAIT;
}

/*
 * HSXMBX_IOC_HANDLE_FD copies its own result: the fd is installed only
 * after the whole struct reached the caller, so a failing copy leaves no
 * fd behind.
 */
int hsxmbx_handle_fd(struct hsxmbx_ktask *ht, struct hsxmbx_handle_fd *arg, void __user *uarg)
{
	struct hsxmbx_hfile *hf;
	struct file *file;
	int fd, flags;
	u32 st;

	hf = hsxmbx_hfile_for(ht, arg->handle, arg->flags & HSXMBX_FD_RAW, &st);
	if (!hf)
		return st == HSX_MBX_STATUS_OK ? -ENOMEM : st;
	fd = get_unused_fd_flags(arg->flags & HSXMBX_FD_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		hsxmbx_hfile_drop(hf);
		return fd;
	}
	flags = O_RDWR | (arg->flags & HSXMBX_FD_NONBLOCK ? O_NONBLOCK : 0);
	file = anon_inode_getfile("[hsxmbx]", &hsxmbx_hfile_fops, hf, flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		hsxmbx_hfile_drop(hf);
		return PTR_ERR(file);
	}
	hsxmbx_hfile_modes(file);
	arg->fd = fd;
	/* The whole result reaches the caller before the fd exists there. */
	if (copy_to_user(uarg, arg, sizeof(*arg))) {
		put_unused_fd(fd);
		fput(file); /* ->release frees hf */
		return -EFAULT;
	}
	fd_install(fd, file);
	return HSX_MBX_STATUS_OK;
}

static u32 hsxmbx_node_access(struct file *file)
{
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) == FMODE_READ)
		return HSX_MBX_MODE_RDONLY;
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) == FMODE_WRITE)
		return HSX_MBX_MODE_WRONLY;
	return HSX_MBX_MODE_RDWR;
}

/*
 * Under the lock: turn an opened device node into a handle file of a
 * private PID-0 task.  Read-only opens become taps.
 */
int hsxmbx_hfile_open_node(struct file *file, struct mbx_desc *d)
{
	u32 access = hsxmbx_node_access(file);
	struct hsxmbx_hfile *hf = NULL;
	struct hsxmbx_ktask *ht;
	u32 handle, st;

	ht = hsxmbx_task_new_host();
	if (!ht)
		return -ENOMEM;
	st = mbx_open_desc(hsxmbx_eng, ht->t, d, access, &handle);
	if (st == HSX_MBX_STATUS_OK && access == HSX_MBX_MODE_RDONLY)
		st = mbx_tap(hsxmbx_eng, ht->t, handle, 1);
	if (st == HSX_MBX_STATUS_OK)
		hf = hsxmbx_hfile_new(ht, mbx_handle_lookup(hsxmbx_eng, ht->t, handle), true);
	/* The opener pays for what its tap buffers (hsxmbx_hfile_new made the hwait). */
	if (hf && access == HSX_MBX_MODE_RDONLY)
		hsxmbx_hwait_charge_current(mbx_handle_lookup(hsxmbx_eng, ht->t, handle));
	hsxmbx_task_put(ht); /* hf holds its own reference */
	if (!hf)
		return st == HSX_MBX_STATUS_OK ? -ENOMEM : hsxmbx_status_errno(st);
	mbx_desc_get(d);
	hf->pinned = d;
	file->private_data = hf;
	/* replace_fops() drops the reference the old fops held. */
	__module_get(THIS_MODULE);
	replace_fops(file, &hsxmbx_hfile_fops);
	hsxmbx_hfile_modes(file);
	return 0;
}
