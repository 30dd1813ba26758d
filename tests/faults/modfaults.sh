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
# nested PROG ARGS: run a TAP program, pass its results through (not its plan).
nested() {
	"$@" >"$out" 2>&1
	grep -E '^(not )?ok ' "$out" | while read -r line; do
		echo "$line"
	done
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

# 1. rmmod under traffic.
"$BIN/soak/soak" 4 >"$out.soak" 2>&1 &
soak=$!
# Wait until the soak holds the device (its files pin the module).
i=0
while [ "$(cat /sys/module/hsxmbx/refcnt 2>/dev/null || echo 0)" -eq 0 ] && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if rmmod hsxmbx 2>"$out.rmmod"; then
	notok "rmmod during traffic is refused (it unloaded)"
	insmod "$KO" $params
else
	check "rmmod during traffic is refused ($(cat "$out.rmmod"))" \
		test -d /sys/module/hsxmbx
fi
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
	echo 0 >"$fs/probability"
	echo 1 >"$fs/interval"
	echo -1 >"$fs/times"
	echo 0 >"$fs/space"
	echo 0 >"$fs/verbose"
	echo Y >"$fs/task-filter"
	echo N >"$fs/ignore-gfp-wait"
	# Only the module's caches (created at first use: run a workload first).
	"$BIN/faults/faults" --workload >/dev/null 2>&1
	echo Y >"$fs/cache-filter"
	for c in /sys/kernel/slab/hsxmbx*; do
		[ -w "$c/failslab" ] && echo 1 >"$c/failslab"
	done
	echo "# fail_slab caches: $(ls -d /sys/kernel/slab/hsxmbx* 2>/dev/null | xargs -n1 basename | tr '\n' ' ')"
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
	ok "fail_slab at 25% on $runs workloads and 1 s soaks ($failed workloads saw a failure)"
	nested "$BIN/faults/faults" --workload
	after=$("$BIN/faults/faults" --counts)
	check "after fail_slab: handles, descriptors, waiters, bytes back at baseline ($before -> $after)" \
		test "$before" = "$after"
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
