#!/usr/bin/env bash
# DOC: hsx-execd end to end on the hsxmbx kernel module (E2E_TESTS, rig).
#
# The common scenarios (scenarios.sh) on the kernel backend, then what only
# the kernel can show: task stdio device nodes driven with cat and echo,
# descriptors gone after a kill, the module cleaning up after a SIGKILLed
# daemon, the same scenario on both backends with identical output and
# event traces, and 10,000 idle tasks (memory per task is reported).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/scenarios.sh

# Four descriptors per task: thousands of tasks need an unlimited pool.
reload_module() {
	rmmod hsxmbx 2>/dev/null
	insmod build/hsxmbx.ko "$@"
}

if ! reload_module max_descriptors=0; then
	echo "1..0 # SKIP cannot reload hsxmbx with max_descriptors=0"
	exit 0
fi

settled() {
	! "$HSX" ps | awk 'NR > 1 && ($2 == "ready" || $2 == "running") { f = 1 }
		END { exit !f }'
}

# --- common scenarios -------------------------------------------------
start_daemon kernel
check "kernel: daemon uses the kernel backend by default" \
	eval '"$HSX" ps --json | grep -q "\"backend\":\"kernel\""'
SWARM=1000 run_common
check "kill: the killed task's descriptors and nodes are gone" \
	eval '[[ ! -e /dev/hsxmbx/svc/stdio.in@'"$KILLED_PID"' && ! -e /dev/hsxmbx/pid/'"$KILLED_PID"' ]]'

# --- cat and echo on a task's stdio nodes -------------------------------
w=$(load "$APPS/waiter.hxe")
wait_until 30 is_state "$w" waiting_mbx
timeout 30 cat "/dev/hsxmbx/svc/stdio.out@$w" >"$WORK/cat.out" &
catpid=$!
sleep 0.5
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
check "backends: identical stdout of every task" diff "$WORK/out-embedded.txt" "$WORK/out-kernel.txt"
check "backends: identical event traces ($(wc -l <"$WORK/ev-kernel.txt") events)" \
	diff "$WORK/ev-embedded.txt" "$WORK/ev-kernel.txt"

# --- 10,000 idle tasks ------------------------------------------------------
N=${SCALE_TASKS:-10000}
slab() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }
start_daemon kernel
s0=$(slab) r0=$(rss)
"$HSX" load --count "$N" "$APPS/waiter.hxe" >/dev/null
check "scale: $N tasks loaded and blocked in WAIT_MBX" \
	wait_until 600 eval '[[ $(count_state waiting_mbx) == '"$N"' ]]'
s1=$(slab) r1=$(rss)
echo "# scale: $N idle tasks: daemon RSS +$(((r1 - r0) / 1024)) MiB" \
	"($(((r1 - r0) * 1024 / N)) B/task), kernel slab +$(((s1 - s0) / 1024)) MiB" \
	"($(((s1 - s0) * 1024 / N)) B/task)"
mid=$((N / 2))
t0=$(date +%s%N)
"$HSX" send "$mid" wake-one
wait_until 60 is_state "$mid" returned
t1=$(date +%s%N)
check "scale: one message wakes exactly its recipient" \
	eval '[[ $(count_state waiting_mbx) == $(('"$N"' - 1)) ]]'
echo "# scale: send-to-wake round trip with $N blocked tasks: $(((t1 - t0) / 1000000)) ms (TCG, includes two hsx invocations)"
stop_daemon
check "scale: daemon shuts down cleanly with $N tasks" eval '[[ ! -e /dev/hsxmbx/pid/'"$mid"' ]]'

reload_module
diag "$WORK"/daemon-*.log
