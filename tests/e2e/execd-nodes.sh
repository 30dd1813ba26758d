#!/usr/bin/env bash
# DOC: what only the kernel backend can show (E2E_TESTS, rig): task stdio
# device nodes driven with cat and echo, the module cleaning up after a
# SIGKILLed daemon, and one scenario on both backends with the same output
# and event traces.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/scenarios.sh
# Kernel events (hsx-trace) are execd-kernel.sh's subject; here they would
# only cost a BPF load (10-40 s of the rig's CPU) per daemon start.
export HSX_EXECD_KERNEL_EVENTS=0
kernel_setup || exit 0

start_daemon kernel
# --- cat and echo on a task's stdio nodes -------------------------------
w=$(load "$APPS/waiter.hxe")
wait_until 30 is_state "$w" waiting_mbx
# Nodes are registered after the engine lock drops, and a fresh node may
# refuse opens for a moment: wait until an open (a tap, harmless) works.
wait_until 30 sh -c ': <"$0"' "/dev/hsxmbx/svc/stdio.out@$w" 2>/dev/null
timeout 30 cat "/dev/hsxmbx/svc/stdio.out@$w" >"$WORK/cat.out" &
catpid=$!
# A tap sees only what is sent after it opened: wait until the module lists
# cat's tap on the descriptor (a fixed sleep lost the race on a busy host).
wait_until 30 awk -v t="svc:stdio.out@$w" '$2 == t && $9 >= 1 { f = 1 } END { exit !f }' \
	/sys/kernel/debug/hsxmbx/descriptors
echo "via echo" >"/dev/hsxmbx/svc/stdio.in@$w"
check "nodes: echo into stdio.in@PID wakes the task" wait_until 30 is_state "$w" returned
wait "$catpid"
check "nodes: cat on stdio.out@PID sees its output and ends with the task" \
	grep -qx "via echo" "$WORK/cat.out"

# --- SIGKILL of the daemon: the module cleans up everything it owned ------
pids=()
for _ in 1 2 3 4 5; do
	pids+=("$(load "$APPS/waiter.hxe")")
done
wait_until 30 is_state "${pids[4]}" waiting_mbx
check "sigkill: nodes of the daemon's tasks exist before" \
	test -e "/dev/hsxmbx/svc/stdio.in@${pids[0]}"
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
DPID=
gone() {
	local p
	for p in "${pids[@]}"; do
		[[ -e /dev/hsxmbx/svc/stdio.in@$p || -e /dev/hsxmbx/pid/$p ]] && return 1
	done
	return 0
}
check "sigkill: every task mailbox of the dead daemon is destroyed" wait_until 10 gone
check "sigkill: no task mailboxes remain in the module" \
	eval '! build/hsx mbox ls 2>/dev/null | grep -Eq "stdio\.(in|out|err)@|pid:[0-9]"'
start_daemon kernel
w=$(load "$APPS/waiter.hxe")
wait_until 30 is_state "$w" waiting_mbx
"$HSX" send "$w" again
check "sigkill: a restarted daemon runs tasks again" wait_until 30 is_state "$w" returned
stop_daemon

# --- both backends, same scenario, same output and event trace ------------
trace_run() {
	local b=$1 subs=()
	start_daemon "$b" --quantum 1
	"$HSX" events --json >"$WORK/ev-$b.raw" &
	local evpid=$!
	"$HSX" listen >"$WORK/out-$b.txt" &
	local lpid=$!
	sleep 0.3
	for _ in 1 2; do
		subs+=("$(load "$APPS/sub.hxe")")
		wait_until 30 settled
	done
	p=$(load "$APPS/pub.hxe")
	wait_until 30 settled
	for line in one two quit; do
		"$HSX" send "$p" "$line"
		wait_until 30 settled
	done
	load "$APPS/timeout.hxe" >/dev/null
	wait_until 30 eval '[[ $(count_state returned) == 4 ]]'
	sleep 0.3
	kill -INT "$evpid" "$lpid"
	wait "$evpid" "$lpid" 2>/dev/null
	stop_daemon
	# Descriptor ids are global to the module; timestamps differ.
	sed -E 's/"seq":[0-9]+,"ts":[0-9.e+-]+,//; s/"descriptor":[0-9]+,?//g' \
		"$WORK/ev-$b.raw" >"$WORK/ev-$b.txt"
}
trace_run embedded
trace_run kernel
# Per task: tasks woken by one fan-out SEND complete in the kernel's
# wait-queue order, so only the interleaving across tasks may differ.
per_task() { sed -E 's/^\{"type":"[a-z_]+","pid":([0-9]+),.*$/\1 &/; s/^\[([0-9]+):/\1 &/' "$1" | sort -s -n -k1,1; }
check "backends: identical stdout of every task" \
	diff <(per_task "$WORK/out-embedded.txt") <(per_task "$WORK/out-kernel.txt")
check "backends: identical event trace of every task ($(wc -l <"$WORK/ev-kernel.txt") events)" \
	diff <(per_task "$WORK/ev-embedded.txt") <(per_task "$WORK/ev-kernel.txt")
check "backends: same events in the same global order, up to fan-out wake order" \
	diff <(sed -E 's/"pid":[0-9]+//g' "$WORK/ev-embedded.txt" | sort) \
	     <(sed -E 's/"pid":[0-9]+//g' "$WORK/ev-kernel.txt" | sort)

diag "$WORK"/daemon-*.log
