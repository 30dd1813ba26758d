/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HSXMBX_WAIT_H
#define HSXMBX_WAIT_H

#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/wait.h>

#include "mbx/mbx.h"

struct mem_cgroup;

/**
 * struct hsxmbx_hwait - the sleeping side of one engine handle
 * @ref: one for the engine handle (dropped when it closes), one per
 *	sleeper and per handle file
 * @wq: readers and pollers of the handle sleep here
 * @seq: bumped under the engine lock on every wake of the handle
 * @dead: the handle was closed by the engine
 * @memcg: a tap's: where its entries are charged (referenced), or NULL
 */
struct hsxmbx_hwait {
	struct kref ref;
	wait_queue_head_t wq;
	unsigned long seq;
	bool dead;
	struct mem_cgroup *memcg;
};

/**
 * struct hsxmbx_wake - one wake-up deferred until the engine lock drops
 * @wq: the queue to wake
 * @mask: the poll events to wake it with
 * @ref: a reference on @wq's owner, dropped after the wake-up
 * @release: @ref's release function
 */
struct hsxmbx_wake {
	wait_queue_head_t *wq;
	__poll_t mask;
	struct kref *ref;
	void (*release)(struct kref *ref);
};

#define HSXMBX_WAKE_BATCH 16

void hsxmbx_wake_later(wait_queue_head_t *wq, __poll_t mask, struct kref *ref,
		       void (*release)(struct kref *ref));
unsigned int hsxmbx_wake_take(struct hsxmbx_wake *batch);
void hsxmbx_wake_run(struct hsxmbx_wake *batch, unsigned int n);

struct hsxmbx_hwait *hsxmbx_hwait_get(struct mbx_handle *h);
void hsxmbx_hwait_put(struct hsxmbx_hwait *hw);
unsigned long hsxmbx_hwait_seq(struct hsxmbx_hwait *hw);
bool hsxmbx_hwait_charge_current(struct mbx_handle *h);
struct mem_cgroup *hsxmbx_hwait_memcg(struct mbx_handle *h);

int hsxmbx_wait_event(wait_queue_head_t *wq, unsigned long *seqp, unsigned long seq,
		      const bool *dead, const ktime_t *deadline);
ktime_t hsxmbx_deadline(u32 timeout_ms);

/* mbx_ops hooks. */
void hsxmbx_wait_wake(void *host, struct mbx_handle *h);
void hsxmbx_wait_closed(void *host, struct mbx_handle *h);

#endif /* HSXMBX_WAIT_H */
