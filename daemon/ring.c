// SPDX-License-Identifier: MIT
/*
 * DOC: The io_uring event loop
 *
 * One ring carries every event source of the daemon.  Producers take SQEs
 * with ring_sqe(), which submits what is queued when the submission queue
 * is full, so a pass over thousands of tasks still batches as much as the
 * ring holds.  ring_reap() dispatches every available completion to the
 * ev_op its user_data names.  Requests submitted with no ev_op (user_data
 * 0: cancellations, timeout removals) are fire-and-forget.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "execd.h"

int ring_init(struct execd *ex, unsigned int entries)
{
	struct io_uring_params p = { 0 };
	int ret;

	/* A deep CQ ring: 10,000 blocked tasks can complete in one burst. */
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = entries * 8;
	ret = io_uring_queue_init_params(entries, &ex->ring, &p);
	if (ret < 0)
		return ret;
	if (!(p.features & IORING_FEAT_NODROP))
		fprintf(stderr, "hsx-execd: warning: kernel may drop CQEs\n");
	return 0;
}

struct io_uring_sqe *ring_sqe(struct execd *ex)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ex->ring);

	while (!sqe) {
		int ret = io_uring_submit(&ex->ring);

		if (ret < 0 && ret != -EBUSY && ret != -EAGAIN) {
			fprintf(stderr, "hsx-execd: io_uring_submit: %d\n", ret);
			abort();
		}
		if (ret == -EBUSY || ret == -EAGAIN)
			ring_reap(ex);
		sqe = io_uring_get_sqe(&ex->ring);
	}
	io_uring_sqe_set_data(sqe, NULL);
	return sqe;
}

void ring_reap(struct execd *ex)
{
	struct io_uring_cqe *cqe;

	while (io_uring_peek_cqe(&ex->ring, &cqe) == 0) {
		struct io_uring_cqe copy = *cqe;
		struct ev_op *op = io_uring_cqe_get_data(cqe);

		/* Release the slot first: done() may submit and reap. */
		io_uring_cqe_seen(&ex->ring, cqe);
		if (op)
			op->done(ex, op, &copy);
	}
}
