#!/usr/bin/env bash
# DOC: hsx-execd end to end on the hsxmbx kernel module (E2E_TESTS, rig).
#
# The scenarios every backend passes (scenarios.sh), on the kernel backend,
# plus: the killed task's descriptors and nodes are gone; the module's
# overrun/backpressure/exhausted events reach `hsx events` through the
# daemon's hsx-trace child (pressure.sh); without hsx-trace the daemon
# says so once and works on.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/scenarios.sh
. tests/e2e/pressure.sh
kernel_setup || exit 0

# --- common scenarios -------------------------------------------------
start_daemon kernel
check "kernel: daemon uses the kernel backend by default" \
	eval '"$HSX" ps --json | grep -q "\"backend\":\"kernel\""'
SWARM=1000 run_common
check "kill: the killed task's descriptors and nodes are gone" \
	eval '[[ ! -e /dev/hsxmbx/svc/stdio.in@'"$KILLED_PID"' && ! -e /dev/hsxmbx/pid/'"$KILLED_PID"' ]]'
# hsx-trace loads its BPF programs while the scenarios above run (10-40 s
# under TCG); the pressure load must wait until its probes are attached.
check "kernel events: the daemon reports hsx-trace attached" \
	wait_until 120 grep -q "kernel events: hsx-trace attached" "$WORK/daemon-kernel.log"
scenario_pressure kernel
check "kernel: clean shutdown (exit 0)" stop_daemon
check "kernel events: the daemon's hsx-trace child is gone after shutdown" \
	eval 'tp=$(sed -n "s/.*kernel events: started .* (pid \([0-9]*\)).*/\1/p" "$WORK/daemon-kernel.log") &&
		[[ -n $tp ]] && ! kill -0 "$tp" 2>/dev/null'

# --- no hsx-trace: one message, then business as usual -----------------
mv "$WORK/daemon-kernel.log" "$WORK/daemon-kernel-1.log"
HSX_TRACE=$WORK/no-such-hsx-trace start_daemon kernel
check "kernel events: a missing hsx-trace is reported once" \
	wait_until 30 eval '[[ $(grep -c "kernel events unavailable" "$WORK/daemon-kernel.log") == 1 ]]'
check "kernel events: the daemon works without hsx-trace" \
	eval 'p=$(load "$APPS/hello.hxe") && wait_until 30 eval "[[ \$(exit_of $p) == 0 ]]"'
check "kernel: clean shutdown without hsx-trace (exit 0)" stop_daemon

diag "$WORK"/daemon-*.log
