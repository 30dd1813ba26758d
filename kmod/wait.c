// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Blocking and waking
 *
 * The engine never sleeps.  A receive that finds nothing registers the
 * handle on the descriptor's FIFO wait list (MBX_RECV_WAIT); when a send
 * makes data available the engine performs the receive for the first
 * waiter (or every waiter, on fan-out), parks the message in the handle
 * and calls ops.wake.  That hook bumps the handle's hsxmbx_hwait.seq and
 * wakes its queue, so the order in which sleepers are woken is exactly
 * the engine's FIFO order.
 *
 * Lost wake-ups are impossible: a sleeper samples seq under the engine
 * lock in the same critical section that registered it, and the hooks
 * bump seq under the same lock.  Finite waits use hrtimers (with the
 * task's timer slack), so a 50 ms timeout ends within microseconds of
 * 50 ms on real hardware.
 *
 * seq is written under the engine lock and read without it by sleepers,
 * hence WRITE_ONCE/READ_ONCE.
 *
 * A tap's hwait also records the memory cgroup its entries are charged
 * to: the one of whoever enabled the tap (engine.c's charge hooks).
 *
 * The hwait lives as long as anybody may sleep on it: the engine handle
 * holds one reference until it closes (handle_closed hook), every sleeper
 * and every handle file holds another.
 */
#include <linux/memcontrol.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "engine.h"
#include "wait.h"

/* Under the engine lock: the handle's hwait, created on first use. */
struct hsxmbx_hwait *hsxmbx_hwait_get(struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = mbx_handle_host(h);

	hsxmbx_assert_locked();
	if (!hw) {
		hw = kzalloc(sizeof(*hw), HSXMBX_GFP);
		if (!hw)
			return NULL;
		kref_init(&hw->ref);
		init_waitqueue_head(&hw->wq);
		mbx_handle_set_host(h, hw);
	}
	kref_get(&hw->ref);
	return hw;
}

static void hsxmbx_hwait_release(struct kref *ref)
{
	struct hsxmbx_hwait *hw = container_of(ref, struct hsxmbx_hwait, ref);

	mem_cgroup_put(hw->memcg);
	kfree(hw);
}

/*
 * Under the engine lock, from the context of whoever makes h a tap: its
 * tap entries are charged to the caller's memcg from now on.  False only
 * without memory for the hwait.
 */
bool hsxmbx_hwait_charge_current(struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = hsxmbx_hwait_get(h);

	if (!hw)
		return false;
	if (!hw->memcg)
		hw->memcg = get_mem_cgroup_from_mm(current->mm);
	hsxmbx_hwait_put(hw);
	return true;
}

/* Under the engine lock: the memcg h's tap entries are charged to. */
struct mem_cgroup *hsxmbx_hwait_memcg(struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = mbx_handle_host(h);

	return hw ? hw->memcg : NULL;
}

void hsxmbx_hwait_put(struct hsxmbx_hwait *hw)
{
	if (hw)
		kref_put(&hw->ref, hsxmbx_hwait_release);
}

unsigned long hsxmbx_hwait_seq(struct hsxmbx_hwait *hw)
{
	hsxmbx_assert_locked();
	return READ_ONCE(hw->seq);
}

static bool hsxmbx_wait_done(unsigned long *seqp, unsigned long seq, const bool *dead)
{
	return READ_ONCE(*seqp) != seq || (dead && READ_ONCE(*dead));
}

/*
 * Sleep until *seqp moves past seq, *dead is set, the deadline passes
 * (NULL: never) or a signal arrives.  Returns 0, -ETIME or -ERESTARTSYS.
 */
int hsxmbx_wait_event(wait_queue_head_t *wq, unsigned long *seqp, unsigned long seq,
		      const bool *dead, const ktime_t *deadline)
{
	ktime_t left;

	if (!deadline)
		return wait_event_interruptible(*wq, hsxmbx_wait_done(seqp, seq, dead));
	left = ktime_sub(*deadline, ktime_get());
	if (ktime_to_ns(left) <= 0)
		return hsxmbx_wait_done(seqp, seq, dead) ? 0 : -ETIME;
	return wait_event_interruptible_hrtimeout(*wq, hsxmbx_wait_done(seqp, seq, dead), left);
}

ktime_t hsxmbx_deadline(u32 timeout_ms)
{
	return ktime_add_ms(ktime_get(), timeout_ms);
}

void hsxmbx_wait_wake(void *host, struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = mbx_handle_host(h);

	if (!hw)
		return;
	/* Sleepers read seq without the lock (hsxmbx_wait_done). */
	WRITE_ONCE(hw->seq, hw->seq + 1);
	wake_up_interruptible_poll(&hw->wq, EPOLLIN | EPOLLRDNORM);
}

void hsxmbx_wait_closed(void *host, struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = mbx_handle_host(h);

	if (!hw)
		return;
	mbx_handle_set_host(h, NULL);
	WRITE_ONCE(hw->dead, true);
	WRITE_ONCE(hw->seq, hw->seq + 1);
	wake_up_interruptible_poll(&hw->wq, EPOLLIN | EPOLLHUP);
	hsxmbx_hwait_put(hw);
}
