#!/bin/sh
# DOC: module-level faults: rmmod under traffic, exhausted limits, fail_slab.
#
# Runs in the rig as root with the module loaded, after tests/faults/faults.
#  1. rmmod while a soak is running must be refused (the module stays
#     loaded and the soak is unharmed); once the traffic ends it unloads.
#  2. Reloaded with max_descriptors=8 handles_per_pid=4 max_total_bytes=4096,
#     `faults --limits` exhausts the descriptor pool, a handle quota and the
#     global byte cap: each must fail cleanly and recover when freed.
#  3. Debug kernel only (/sys/kernel/debug/failslab): allocations from the
#     module's own slab caches fail at random, only in the workload's
#     processes (fail_slab with the cache filter and the task filter, so
#     9p and the rest of the guest are untouched); the module must fail
#     the calls cleanly (no splat: the runner checks dmesg), and once the
#     injection stops the counters are back at the baseline and a normal
#     workload runs.
#  4. The module is reloaded with the parameters it had at the start, so the
#     tests after this one still have it.  HSXMBX_KO names the module file.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KO=${HSXMBX_KO:-$ROOT/build/hsxmbx.ko}
BIN=$ROOT/build/tests
N=0
out=$(mktemp)

ok() { N=$((N + 1)); echo "ok $N - $*"; }
notok() { N=$((N + 1)); echo "not ok $N - $*"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
# nested PROG ARGS: run a TAP program, pass its results through (not its
# plan), numbered on from ours so the combined stream stays valid TAP.
nested() {
	"$@" >"$out" 2>&1
	awk -v n="$N" '/^(not )?ok / { sub(/ok( [0-9]+)?/, "ok " ++n); print }' "$out"
	grep -vE '^(not )?ok |^1\.\.' "$out" | sed 's/^/# /'
	N=$((N + $(grep -cE '^(not )?ok ' "$out")))
}

[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
[ -d /sys/module/hsxmbx ] || { echo "1..0 # SKIP module not loaded"; exit 0; }
[ -f "$KO" ] || { echo "1..0 # SKIP $KO not built"; exit 0; }

params=
for p in /sys/module/hsxmbx/parameters/*; do
	params="$params ${p##*/}=$(cat "$p")"
done
echo "# module parameters at start:$params"

# 1. rmmod under traffic.  The soak says when its threads hold the device
# and runs until SIGUSR1 (fixed durations raced the debug kernel, where
# starting the soak, cat and rmmod each take seconds).
"$BIN/soak/soak" 900 >"$out.soak" 2>&1 &
soak=$!
while ! grep -q '^# traffic running' "$out.soak" && kill -0 "$soak" 2>/dev/null; do
	sleep 0.2
done
refcnt=$(cat /sys/module/hsxmbx/refcnt 2>/dev/null || echo 0)
if ! grep -q '^# traffic running' "$out.soak" || [ "$refcnt" -eq 0 ]; then
	notok "rmmod during traffic: the soak never held the module (refcnt $refcnt)"
elif rmmod hsxmbx 2>"$out.rmmod"; then
	notok "rmmod during traffic is refused (it unloaded with refcnt $refcnt)"
	insmod "$KO" $params
else
	check "rmmod during traffic is refused (refcnt $refcnt: $(cat "$out.rmmod"))" \
		test -d /sys/module/hsxmbx
fi
check "the soak was still running after the rmmod attempt" kill -0 "$soak"
kill -USR1 "$soak" 2>/dev/null
wait "$soak"
soak_status=$?
check "the soak running during the rmmod attempt passed (status $soak_status)" \
	test "$soak_status" -eq 0
grep -E '^not ok' "$out.soak" | sed 's/^/# soak: /'
check "rmmod succeeds once the traffic has stopped" rmmod hsxmbx

# 2. exhaustion with small limits.
if insmod "$KO" max_descriptors=8 handles_per_pid=4 max_total_bytes=4096; then
	ok "insmod with max_descriptors=8 handles_per_pid=4 max_total_bytes=4096"
	nested "$BIN/faults/faults" --limits
	check "rmmod after the exhaustion tests" rmmod hsxmbx
else
	notok "insmod with small limits"
fi

# 3. fail_slab (debug kernel).
insmod "$KO" $params
fs=/sys/kernel/debug/failslab
if [ -d "$fs" ]; then
	before=$("$BIN/faults/faults" --counts)
	# The rig boots the debug kernel with slub_debug=A,hsxmbx_*, which
	# marks the module's caches for the cache filter (6.1's sysfs
	# "failslab" attribute is read-only).  Caches are created at first
	# use: run a workload first.
	"$BIN/faults/faults" --workload >/dev/null 2>&1
	marked=
	for c in /sys/kernel/slab/hsxmbx*; do
		[ "$(cat "$c/failslab" 2>/dev/null)" = 1 ] && marked="$marked ${c##*/}"
	done
	echo "# fail_slab caches marked:${marked:- none}"
	echo 0 >"$fs/probability"
	echo 1 >"$fs/interval"
	echo 1000000 >"$fs/times"
	echo 0 >"$fs/space"
	echo 1 >"$fs/verbose"
	echo Y >"$fs/task-filter"
	echo Y >"$fs/cache-filter"
	# The module allocates with GFP_KERNEL: failslab skips reclaiming
	# allocations unless told otherwise.
	echo N >"$fs/ignore-gfp-wait"
	echo 25 >"$fs/probability"
	runs=0 failed=0
	while [ "$runs" -lt 30 ]; do
		sh -c 'echo 1 >/proc/self/make-it-fail && exec "$0" --workload' \
			"$BIN/faults/faults" >"$out" 2>&1 || failed=$((failed + 1))
		sh -c 'echo 1 >/proc/self/make-it-fail && exec "$0" 1' \
			"$BIN/soak/soak" >/dev/null 2>&1
		runs=$((runs + 1))
	done
	echo 0 >"$fs/probability"
	injected=$((1000000 - $(cat "$fs/times")))
	echo 0 >"$fs/verbose"
	check "fail_slab marked the module's caches ($marked)" test -n "$marked"
	check "fail_slab injected failures into the module's caches ($injected; $failed of $runs workloads saw one)" \
		test "$injected" -gt 0
	echo 0 >"$fs/probability"
	nested "$BIN/faults/faults" --workload
	after=$("$BIN/faults/faults" --counts)
	check "after fail_slab: handles, descriptors, waiters, bytes back at baseline ($before -> $after)" \
		test "$before" = "$after"
	[ "$before" = "$after" ] ||
		sed 's/^/# left: /' /sys/kernel/debug/hsxmbx/descriptors 2>/dev/null
else
	ok "fail_slab injection # SKIP not a fault-injection kernel (make check-debug runs it)"
fi

# 4. leave the module as we found it.
if [ -d /sys/module/hsxmbx ] || insmod "$KO" $params; then
	ok "module loaded again with its original parameters"
else
	notok "module loaded again with its original parameters"
fi
rm -f "$out" "$out.soak" "$out.rmmod"
echo "1..$N"
