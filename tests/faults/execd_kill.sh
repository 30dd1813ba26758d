#!/bin/sh
# DOC: SIGKILL of the executive daemon mid-traffic leaves nothing behind.
#
# Runs in the rig as root with the module loaded.  hsx-execd (kernel
# backend) starts with 8 VM tasks (swarm, sub, waiter: tasks that send,
# block in receives and wait), and `hsx send` keeps feeding one of them; after a
# moment the daemon is SIGKILLed.  Its control file's release must
# unregister every task: the module's counters (handles, descriptors,
# waiters, queued bytes) return to the baseline and a normal workload runs.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build
FAULTS=$B/tests/faults/faults
N=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
notok() { N=$((N + 1)); echo "not ok $N - $*"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }

[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
[ -c /dev/hsxmbx/control ] || { echo "1..0 # SKIP module not loaded"; exit 0; }
[ -x "$B/hsx-execd" ] || { echo "1..0 # SKIP hsx-execd not built"; exit 0; }

apps=
for a in swarm swarm swarm sub sub waiter waiter swarm; do
	[ -f "$B/examples/apps/$a.hxe" ] && apps="$apps $B/examples/apps/$a.hxe"
done
[ -n "$apps" ] || { echo "1..0 # SKIP example apps not built"; exit 0; }

base=$("$FAULTS" --counts)
sock=/tmp/execd-kill.$$.sock
"$B/hsx-execd" --backend kernel --socket "$sock" $apps >/tmp/execd-kill.$$.log 2>&1 &
pid=$!
i=0
while [ ! -S "$sock" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "hsx-execd started with $(echo $apps | wc -w) tasks" test -S "$sock"
during=$("$FAULTS" --counts)
echo "# counts (handles descriptors waiters bytes): before $base, running $during"
check "the tasks hold handles and descriptors while it runs" test "$during" != "$base"
sleep 1
kill -9 "$pid"
wait "$pid" 2>/dev/null
after=$base
i=0
while [ "$i" -lt 50 ]; do
	after=$("$FAULTS" --counts)
	[ "$after" = "$base" ] && break
	sleep 0.1
	i=$((i + 1))
done
check "after SIGKILL of hsx-execd: counters back at baseline ($base -> $after)" \
	test "$after" = "$base"
check "no task pid nodes left under /dev/hsxmbx/pid" \
	sh -c '[ -z "$(ls /dev/hsxmbx/pid 2>/dev/null)" ]'
"$FAULTS" --workload | grep -E '^(not )?ok' >/tmp/execd-kill.$$.wl
if grep -q '^ok' /tmp/execd-kill.$$.wl; then
	ok "after SIGKILL of hsx-execd: the next workload runs normally"
else
	notok "after SIGKILL of hsx-execd: the next workload runs normally"
fi
rm -f "$sock" /tmp/execd-kill.$$.log /tmp/execd-kill.$$.wl
echo "1..$N"
