#!/usr/bin/env bash
# DOC: tests/trace/trace.sh: hsx-trace and the bpftrace scripts count exactly.
#
# In the rig (E2E_TESTS).  Starts hsx-trace --json --summary and the four
# tools/bpftrace scripts together (one bpftrace startup under TCG costs
# ~15 s, so they start in parallel and the test waits for each to report
# its probes attached), runs tests/trace/workload once on mailboxes named
# after a unique prefix, stops the tracers with SIGINT and checks that
# each one reports exactly the events the workload caused (the workload
# prints them), that the latency histograms hold exactly the pairs it
# made, and that the wait->timeout latencies are at least the timeout.
# Then the filters (--pid, --hsx-pid, --event, --duration) on a second
# workload, and the error paths: bad usage (2), no rights (5), no module (3).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$ROOT/build
TRACE=$B/hsx-trace
WORKLOAD=$B/tests/trace/trace-workload
BT=$ROOT/tools/bpftrace
SCRIPTS=(snoop lat top drops)
PREFIX=app:trc$$
TMP=$(mktemp -d)
N=0 FAILED=0 PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT

pass() { N=$((N + 1)); echo "ok $N - $1"; }
fail() { N=$((N + 1)) FAILED=$((FAILED + 1)); echo "not ok $N - $1"; [[ -z ${2:-} ]] || echo "# $2"; }
# same DESC GOT WANT
same() { if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

[[ -c /dev/hsxmbx/control ]] || { echo "1..0 # SKIP module not loaded"; exit 0; }
for f in "$TRACE" "$WORKLOAD"; do
	[[ -x $f ]] || { echo "1..0 # SKIP $f not built"; exit 0; }
done
command -v bpftrace >/dev/null && command -v jq >/dev/null ||
	{ echo "1..0 # SKIP bpftrace or jq missing"; exit 0; }



# wait_attached FILE PATTERN SECONDS
wait_attached() {
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		grep -q "$2" "$1" && return 0
		sleep 0.2
	done
	return 1
}

start_tracers() {
	"$TRACE" --json --summary --target "$PREFIX.*" >"$TMP/ht.json" 2>"$TMP/ht.err" &
	PIDS+=($!)
	for s in "${SCRIPTS[@]}"; do
		bpftrace "$BT/hsxmbx-$s.bt" >"$TMP/$s.out" 2>&1 &
		PIDS+=($!)
	done
	wait_attached "$TMP/ht.err" "tracing .* hsxmbx events" 60 &&
		pass "hsx-trace attached" || fail "hsx-trace attached" "$(cat "$TMP/ht.err")"
	for s in "${SCRIPTS[@]}"; do
		wait_attached "$TMP/$s.out" "^Attaching [0-9]* probe" 120 &&
			pass "hsxmbx-$s.bt attached" ||
			fail "hsxmbx-$s.bt attached" "$(head -c 400 "$TMP/$s.out")"
	done
}

stop_tracers() {
	# One interval:s:1 tick of hsxmbx-top.bt after the workload.
	sleep 1.5
	kill -INT "${PIDS[@]}" 2>/dev/null
	wait "${PIDS[@]}"
	PIDS=()
}

want() { jq -r "$1" "$TMP/expected.json"; }

check_hsx_trace() {
	local sum=$TMP/summary.json ev w lat
	tail -n 1 "$TMP/ht.json" | jq -e .summary >"$sum" ||
		{ fail "hsx-trace summary line" "$(tail -n 3 "$TMP/ht.json")"; return; }
	for ev in send recv wait wake timeout overrun backpressure; do
		w=$(want ".events.$ev")
		same "hsx-trace --summary counts $w $ev" "$(jq ".events.$ev" "$sum")" "$w"
	done
	same "hsx-trace streams one JSON line per counted event" \
		"$(grep -c '"event"' "$TMP/ht.json")" "$(jq '[.events[]] | add' "$sum")"
	same "hsx-trace: no other events, none lost" \
		"$(jq '[.events.exhausted, .events.error, .lost] | add' "$sum")" 0
	for lat in send_recv wait_wake wait_timeout; do
		same "hsx-trace latency $lat has $(want ".pairs.$lat") samples" \
			"$(jq -r ".latency_ns.$lat | [.count, ([.buckets[].count] | add)] | unique | join(\",\")" "$sum")" \
			"$(want ".pairs.$lat")"
	done
	# Plausible: a timeout waits at least its timeout, nothing takes a minute.
	jq -e --argjson ms "$(want .timeout_ms)" '.latency_ns.wait_timeout.min >= $ms * 1000000 and
		([.latency_ns[].max] | max) < 60e9 and .latency_ns.send_recv.min > 0' "$sum" >/dev/null &&
		pass "hsx-trace latencies plausible (timeout >= $(want .timeout_ms) ms)" ||
		fail "hsx-trace latencies plausible" "$(jq -c .latency_ns "$sum")"
}

# snoop_count EVENT: lines of that event on our mailboxes.
snoop_count() {
	awk -v ev="$1" -v p="$PREFIX." '$4 == ev && index($5, p) == 1' "$TMP/snoop.out" | wc -l
}

check_snoop() {
	local ev
	for ev in send recv wait wake timeout overrun; do
		same "hsxmbx-snoop.bt shows $(want ".events.$ev") $ev" "$(snoop_count "$ev")" "$(want ".events.$ev")"
	done
}

# map_sum FILE MAP: the sum of @MAP[PREFIX.*] values, scalar or histogram.
map_sum() {
	awk -v m="@$2[$PREFIX." '
		/^@/ { cur = (index($0, m) == 1) }
		cur && /^@.*\]: [0-9]+$/ { s += $NF }
		cur && /^\[/ { split($0, a, ")"); split(a[2], c, " "); s += c[1] }
		END { print s + 0 }' "$1"
}

check_lat() {
	local lat
	for lat in send_recv wait_wake wait_timeout; do
		same "hsxmbx-lat.bt @${lat}_us has $(want ".pairs.$lat") samples" \
			"$(map_sum "$TMP/lat.out" "${lat}_us")" "$(want ".pairs.$lat")"
	done
	# The lowest wait->timeout bucket starts at 16K us or above (20 ms timeouts).
	awk -v m="@wait_timeout_us[$PREFIX." '/^@/ { cur = (index($0, m) == 1) }
		cur && /^\[/ { sub(/^\[/, ""); split($0, a, ","); print a[1]; exit }' \
		"$TMP/lat.out" | grep -qE '^(16K|32K|64K|128K|256K|512K|[0-9]+M)$' &&
		pass "hsxmbx-lat.bt timeouts wait >= 16 ms" ||
		fail "hsxmbx-lat.bt timeouts wait >= 16 ms" "$(grep -A3 wait_timeout "$TMP/lat.out")"
}

check_top() {
	same "hsxmbx-top.bt @send_msgs" "$(map_sum "$TMP/top.out" send_msgs)" "$(want .events.send)"
	same "hsxmbx-top.bt @send_bytes" "$(map_sum "$TMP/top.out" send_bytes)" "$(want '.events.send * 8')"
	same "hsxmbx-top.bt @recv_msgs (recv + wake)" "$(map_sum "$TMP/top.out" recv_msgs)" \
		"$(want '.events.recv + .events.wake')"
	same "hsxmbx-top.bt @drops" "$(map_sum "$TMP/top.out" drops)" "$(want .events.overrun)"
	same "hsxmbx-top.bt @refused" "$(map_sum "$TMP/top.out" refused)" "$(want .events.backpressure)"
}

check_drops() {
	local o=$TMP/drops.out
	same "hsxmbx-drops.bt lists each overrun (fanout_drop)" \
		"$(awk -v t="$PREFIX.f" '$4 == "overrun" && $5 == t && $6 == "fanout_drop"' "$o" | wc -l)" \
		"$(want .events.overrun)"
	same "hsxmbx-drops.bt lists each refused send (single)" \
		"$(awk -v t="$PREFIX.b" '$4 == "backpressure" && $5 == t && $6 == "single"' "$o" | wc -l)" \
		"$(want .events.backpressure)"
	same "hsxmbx-drops.bt totals" \
		"$(grep -F "[$PREFIX." "$o" | grep -c '^@total')" 2
}

# --pid, --hsx-pid, --event and --duration, on a second, smaller workload.
check_filters() {
	local p2=${PREFIX}x a b status
	"$TRACE" -j -s -q --pid 1 --target "$p2.*" >"$TMP/pid1.json" 2>"$TMP/pid1.err" &
	a=$!
	"$TRACE" -j -s -q --hsx-pid 0 --event send --target "$p2.*" --duration 10 \
		>"$TMP/dur.json" 2>"$TMP/dur.err" &
	b=$!
	wait_attached "$TMP/pid1.err" "hsxmbx events" 60 && wait_attached "$TMP/dur.err" "hsxmbx events" 60
	"$WORKLOAD" "$p2" 2 1 1 1 1 1 >"$TMP/expected2.json" 2>&1
	sleep 0.5
	kill -INT "$a"
	wait "$a"
	same "hsx-trace --pid 1 sees none of the workload" \
		"$(tail -n 1 "$TMP/pid1.json" | jq '[.summary.events[]] | add')" 0
	wait "$b"
	status=$?
	same "hsx-trace --duration 10 ends by itself, exit 0" "$status" 0
	same "hsx-trace --hsx-pid 0 --event send counts only the sends" \
		"$(tail -n 1 "$TMP/dur.json" | jq -c '.summary.events | [.send, ([.[]] | add)]')" \
		"$(jq -c '[.events.send, .events.send]' "$TMP/expected2.json")"
}

check_errors() {
	"$TRACE" --event nosuch >/dev/null 2>&1
	same "hsx-trace: bad --event exits 2" "$?" 2
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TRACE" >/dev/null 2>"$TMP/perm.err"
	same "hsx-trace without rights exits 5" "$?" 5
	grep -q "permission denied" "$TMP/perm.err" && pass "hsx-trace says permission denied" ||
		fail "hsx-trace says permission denied" "$(cat "$TMP/perm.err")"
	check_no_module
}

# Unload the module (if nothing holds it), expect exit 3, load it back.
check_no_module() {
	local ko=$B/hsxmbx.ko
	if ! rmmod hsxmbx 2>"$TMP/rmmod.err"; then
		N=$((N + 2)); echo "ok $((N - 1)) - hsx-trace without the module # SKIP module busy"
		echo "ok $N - module reloaded # SKIP module busy"
		return
	fi
	local status
	"$TRACE" >/dev/null 2>"$TMP/nomod.err"
	status=$?
	same "hsx-trace without the module exits 3: $(cat "$TMP/nomod.err")" "$status" 3
	insmod "$ko" && wait_attached_dev && pass "module reloaded" || fail "module reloaded"
}

wait_attached_dev() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -c /dev/hsxmbx/control ]] && return 0
		sleep 0.1
	done
	return 1
}

start_tracers
if "$WORKLOAD" "$PREFIX" 20 12 5 3 4 2 >"$TMP/expected.json" 2>"$TMP/workload.err"; then
	pass "workload ran: $(cat "$TMP/expected.json")"
else
	fail "workload ran" "$(cat "$TMP/workload.err")"
fi
stop_tracers
check_hsx_trace
check_snoop
check_lat
check_top
check_drops
if ((FAILED)); then
	for f in "$TMP"/*.out "$TMP"/*.err; do
		echo "# --- $f"; sed 's/^/# /' "$f" | head -60
	done
fi
# TRACE_SAVE=DIR keeps the tracers' outputs (docs/observability.md uses them).
[[ -z ${TRACE_SAVE:-} ]] || cp "$TMP"/* "$TRACE_SAVE"/
check_filters
check_errors
echo "1..$N"
exit 0
