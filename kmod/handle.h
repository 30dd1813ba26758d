/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_HANDLE_H
#define HSXMBX_HANDLE_H

#include <linux/fs.h>

#include "mbx/mbx.h"

struct hsxmbx_ktask;
struct hsxmbx_dnode;

/**
 * struct hsxmbx_recv_req - one receive, possibly blocking
 * @ht: the task (referenced by the caller)
 * @handle: its handle
 * @timeout: HSX_MBX_TIMEOUT_POLL, milliseconds or HSX_MBX_TIMEOUT_INFINITE
 * @cancel_poll: a POLL that finds nothing also leaves the FIFO hand-off
 *	list and takes a message parked meanwhile (ioctl RECV, which the
 *	executive issues after its READ timed out)
 * @join_fifo: a POLL that finds nothing joins the FIFO hand-off list: it
 *	is io_uring's non-blocking attempt at a READ that then waits
 * @missed_seen: a tap file's; set to the tap's missed count on delivery
 * @res: on OK the message, referenced until hsxmbx_recv_done()
 */
struct hsxmbx_recv_req {
	struct hsxmbx_ktask *ht;
	u32 handle;
	u32 timeout;
	bool cancel_poll;
	bool join_fifo;
	u64 *missed_seen;
	struct mbx_recv_result res;
};

long hsxmbx_recv_wait(struct hsxmbx_recv_req *rq);
void hsxmbx_recv_done(struct hsxmbx_recv_req *rq, u32 copied);
void hsxmbx_recv_fail(struct hsxmbx_recv_req *rq);

/**
 * struct hsxmbx_send_wait - where a refused blocking sender waits
 * @dn: its descriptor's dnode (referenced; its death ends the wait)
 * @wq: the queue: the dnode's, or the global byte-cap waiters'
 * @seqp: the sequence number bumped when room may have appeared
 * @seq: its value when the send was refused
 */
struct hsxmbx_send_wait {
	struct hsxmbx_dnode *dn;
	wait_queue_head_t *wq;
	unsigned long *seqp;
	unsigned long seq;
};

bool hsxmbx_send_wait_prepare(struct mbx_task *t, u32 handle, struct hsxmbx_send_wait *w);
int hsxmbx_send_wait(struct hsxmbx_send_wait *w, const ktime_t *deadline);
void hsxmbx_peek_out(struct hsxmbx_peek *p, const struct mbx_peek_result *r);

int hsxmbx_handle_fd(struct hsxmbx_ktask *ht, struct hsxmbx_handle_fd *arg, void __user *uarg);
int hsxmbx_hfile_open_node(struct file *file, struct mbx_desc *d);

#endif /* HSXMBX_HANDLE_H */
