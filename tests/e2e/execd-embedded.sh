#!/usr/bin/env bash
# DOC: hsx-execd end to end with the embedded backend (lib/mbx in-process).
# Runs on the host (HOST_TESTS): no kernel module needed.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/scenarios.sh
. tests/e2e/pressure.sh

start_daemon embedded --quantum 100
check "embedded: daemon starts and says which backend it uses" \
	grep -q "backend embedded" "$WORK/daemon-embedded.log"
SWARM=1000 run_common
scenario_pressure embedded
check "embedded: clean shutdown (exit 0)" stop_daemon
diag "$WORK/daemon-embedded.log"
