#!/usr/bin/env bash
# DOC: make demo: the procon demo on hsx-execd and the hsxmbx module
#
# Runs inside the rig (tools/vm/run, module loaded, as root) and narrates:
#   1. hsx-execd starts on the kernel backend and drops its capabilities;
#   2. the consumer and producer apps are loaded;
#   3. bpftrace counts sends per mailbox from the module's tracepoint;
#   4. hsx listen and cat on the consumer's stdout node watch (taps);
#   5. hsx send feeds lines to the producer's stdin; they travel
#      producer -> app:procon -> consumer -> stdout;
#   6. the apps are told to exit and the daemon shuts down cleanly.
cd "$(dirname "$0")/.." || exit 1

HSX=build/hsx
DEMO=$(mktemp -d /tmp/hsx-demo.XXXXXX)
export HSX_EXECD_SOCKET=$DEMO/execd.sock
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$DEMO"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}
pid_of() { awk '{ print $5 }'; }

say "1. Start the executive: hsx-execd on /dev/hsxmbx/control, socket $HSX_EXECD_SOCKET"
build/hsx-execd --socket "$HSX_EXECD_SOCKET" 2>"$DEMO/execd.log" &
EXECD=$!
PIDS+=("$EXECD")
wait_for 30 "$HSX" ps >/dev/null 2>&1 || { cat "$DEMO/execd.log"; exit 1; }
sed 's/^/   /' "$DEMO/execd.log"
echo "   capabilities after start-up: $(grep CapEff "/proc/$EXECD/status")"

say "2. Load the procon apps (consumer prints what arrives on app:procon)"
for app in consumer producer; do
	printf '$ hsx load build/examples/%s.hxe\n' "$app"
	"$HSX" load "build/examples/$app.hxe" | tee "$DEMO/$app.load"
done
C=$(pid_of <"$DEMO/consumer.load")
P=$(pid_of <"$DEMO/producer.load")
wait_for 30 eval '"$HSX" ps | grep -q "^ *$P  waiting_mbx"'
run "$HSX" ps

say "3. Count sends per mailbox with bpftrace on the module's tracepoint"
BT='tracepoint:hsxmbx:send { @[str(args->name)] = count(); }'
printf "\$ bpftrace -e '%s'\n" "$BT"
bpftrace -e "$BT" >"$DEMO/bpftrace.out" 2>&1 &
BTPID=$!
PIDS+=("$BTPID")
# bpftrace compiles its program first; under TCG that takes a while.
if wait_for 240 grep -q "Attaching" "$DEMO/bpftrace.out"; then
	sed 's/^/   /' "$DEMO/bpftrace.out"
else
	echo "   (bpftrace did not attach; continuing without it)"
fi

say "4. Watch the consumer's stdout, without consuming it"
printf '$ hsx listen %s &\n' "$C"
"$HSX" listen "$C" >"$DEMO/listen.out" 2>&1 &
PIDS+=($!)
printf '$ cat /dev/hsxmbx/svc/stdio.out@%s &\n' "$C"
wait_for 30 sh -c ': <"$0"' "/dev/hsxmbx/svc/stdio.out@$C" 2>/dev/null
cat "/dev/hsxmbx/svc/stdio.out@$C" >"$DEMO/cat.out" 2>&1 &
PIDS+=($!)
# Taps see only what is sent after they open: wait until the module lists
# both (hsx listen's and cat's) on the consumer's stdout.
wait_for 30 awk -v t="svc:stdio.out@$C" '$2 == t && $9 >= 2 { f = 1 } END { exit !f }' \
	/sys/kernel/debug/hsxmbx/descriptors

say "5. Send lines to the producer's stdin (svc:stdio.in@$P)"
for line in "hello from the shell" "mailboxes live in the kernel" "io_uring all the way"; do
	run "$HSX" send "$P" "$line"
done
wait_for 30 eval '[[ $(grep -c . "$DEMO/listen.out") -ge 3 ]]'
echo "-- hsx listen $C printed:"
sed 's/^/   /' "$DEMO/listen.out"
echo "-- cat /dev/hsxmbx/svc/stdio.out@$C printed:"
sed 's/^/   /' "$DEMO/cat.out"
run "$HSX" mbox ls

say "6. bpftrace: sends per mailbox"
kill -INT "$BTPID" 2>/dev/null
wait "$BTPID" 2>/dev/null
grep -v "^Attaching" "$DEMO/bpftrace.out" | sed 's/^/   /'

say "7. Shut down: 'exit' ends both apps, then the daemon stops"
run "$HSX" send "$P" exit
wait_for 30 eval '"$HSX" ps | grep -q "^ *$C  returned"'
run "$HSX" ps
run "$HSX" shutdown
wait "$EXECD"
echo "   hsx-execd exited with status $?; task mailboxes left in the module:"
left=$("$HSX" mbox ls 2>&1 | grep -E "stdio|pid:")
echo "${left:-   none}"
