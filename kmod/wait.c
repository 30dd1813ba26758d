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

/*
 * Wake-ups queued under the engine lock, run by hsxmbx_wake_flush()
 * once it is dropped, so a woken reader does not run straight into the
 * lock its waker holds.  A batch holds HSXMBX_WAKE_BATCH wake-ups (a
 * send wakes one reader, or one per fan-out reader); past that a
 * wake-up runs at once, under the lock: slower, never lost.  Each entry
 * holds a reference on the object that owns the wait queue.
 */
static struct hsxmbx_wake hsxmbx_wakes[HSXMBX_WAKE_BATCH];
static unsigned int hsxmbx_nwakes;

void hsxmbx_wake_later(wait_queue_head_t *wq, __poll_t mask, struct kref *ref,
		       void (*release)(struct kref *ref))
{
	struct hsxmbx_wake *w;

	hsxmbx_assert_locked();
	/* Pairs with the barrier of a sleeper's or poller's queueing. */
	if (!wq_has_sleeper(wq))
		return;
	if (hsxmbx_nwakes == HSXMBX_WAKE_BATCH) {
		wake_up_interruptible_poll(wq, mask);
		return;
	}
	w = &hsxmbx_wakes[hsxmbx_nwakes++];
	kref_get(ref);
	*w = (struct hsxmbx_wake){ .wq = wq, .mask = mask, .ref = ref, .release = release };
}

/* Under the engine lock: move the queued wake-ups to the caller's batch. */
unsigned int hsxmbx_wake_take(struct hsxmbx_wake *batch)
{
	unsigned int n = hsxmbx_nwakes;

	hsxmbx_assert_locked();
	memcpy(batch, hsxmbx_wakes, n * sizeof(*batch));
	hsxmbx_nwakes = 0;
	return n;
}

/* After the engine lock was dropped. */
void hsxmbx_wake_run(struct hsxmbx_wake *batch, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		wake_up_interruptible_poll(batch[i].wq, batch[i].mask);
		kref_put(batch[i].ref, batch[i].release);
	}
}

void hsxmbx_wait_wake(void *host, struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = mbx_handle_host(h);

	if (!hw)
		return;
	/* Sleepers read seq without the lock (hsxmbx_wait_done). */
	WRITE_ONCE(hw->seq, hw->seq + 1);
	hsxmbx_wake_later(&hw->wq, EPOLLIN | EPOLLRDNORM, &hw->ref, hsxmbx_hwait_release);
}

void hsxmbx_wait_closed(void *host, struct mbx_handle *h)
{
	struct hsxmbx_hwait *hw = mbx_handle_host(h);

	if (!hw)
		return;
	mbx_handle_set_host(h, NULL);
	WRITE_ONCE(hw->dead, true);
	WRITE_ONCE(hw->seq, hw->seq + 1);
	hsxmbx_wake_later(&hw->wq, EPOLLIN | EPOLLHUP, &hw->ref, hsxmbx_hwait_release);
	hsxmbx_hwait_put(hw);
}
