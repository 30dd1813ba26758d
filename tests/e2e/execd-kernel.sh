#!/usr/bin/env bash
# DOC: hsx-execd end to end on the hsxmbx kernel module (E2E_TESTS, rig).
#
# The scenarios every backend passes (scenarios.sh), on the kernel backend,
# plus: the killed task's descriptors and nodes are gone.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/scenarios.sh
kernel_setup || exit 0

# --- common scenarios -------------------------------------------------
start_daemon kernel
check "kernel: daemon uses the kernel backend by default" \
	eval '"$HSX" ps --json | grep -q "\"backend\":\"kernel\""'
SWARM=1000 run_common
check "kill: the killed task's descriptors and nodes are gone" \
	eval '[[ ! -e /dev/hsxmbx/svc/stdio.in@'"$KILLED_PID"' && ! -e /dev/hsxmbx/pid/'"$KILLED_PID"' ]]'
check "kernel: clean shutdown (exit 0)" stop_daemon

diag "$WORK"/daemon-*.log
