# shellcheck shell=bash
# DOC: backend-independent hsx-execd scenarios (sourced after lib.sh).
#
# Every scenario runs against the daemon started by the caller, through the
# `hsx` tool, and reports TAP.  They run on the host (embedded backend) and
# in the rig (kernel backend), so both backends pass the same checks.

# A listener for every task (including later ones) for the whole run.
start_listen() {
	"$HSX" listen >"$WORK/listen.out" 2>&1 &
	LISTEN_PID=$!
	sleep 0.3
}

stop_listen() {
	kill -INT "$LISTEN_PID" 2>/dev/null
	wait "$LISTEN_PID" 2>/dev/null
}

scenario_procon() {
	local c p
	c=$(load "$EXAMPLES/consumer.hxe")
	p=$(load "$EXAMPLES/producer.hxe")
	wait_until 30 is_state "$p" waiting_mbx
	for line in "hello procon" "second line" "third"; do
		"$HSX" send "$p" "$line"
	done
	check "procon: lines sent to the producer reach the consumer's stdout" \
		wait_until 30 eval '[[ $(lines_of "$WORK/listen.out" '"$c"' | wc -l) -ge 3 ]]'
	check "procon: consumer output is exactly the lines, in order" \
		diff <(lines_of "$WORK/listen.out" "$c") <(printf '%s\n' "hello procon" "second line" "third")
	"$HSX" send "$p" exit
	check "procon: both tasks return 0 after 'exit'" \
		wait_until 30 eval '[[ $(exit_of '"$c"') == 0 && $(exit_of '"$p"') == 0 ]]'
}

scenario_pubsub() {
	local subs=() s p
	for _ in 1 2 3; do
		subs+=("$(load "$APPS/sub.hxe")")
	done
	p=$(load "$APPS/pub.hxe")
	for s in "${subs[@]}" "$p"; do
		wait_until 30 is_state "$s" waiting_mbx
	done
	for line in alpha beta quit; do
		"$HSX" send "$p" "$line"
	done
	for s in "${subs[@]}"; do
		wait_until 30 is_state "$s" returned
	done
	for s in "${subs[@]}"; do
		check "pubsub: subscriber $s got every message in order" \
			diff <(lines_of "$WORK/listen.out" "$s") <(printf '%s\n' alpha beta quit)
	done
	check "pubsub: publisher returned 0" wait_until 10 eval '[[ $(exit_of '"$p"') == 0 ]]'
}

scenario_timeout() {
	local t
	t=$(load "$APPS/timeout.hxe")
	check "timeout: app returns 0 (R0=7, R1..R4=0, info {7,0,...})" \
		wait_until 30 eval '[[ $(exit_of '"$t"') == 0 ]]'
	check "timeout: app reports the status on stdout" \
		wait_until 10 eval 'lines_of "$WORK/listen.out" '"$t"' | grep -qx "timeout: status 7"'
}

scenario_kill_blocked() {
	local w
	w=$(load "$APPS/waiter.hxe")
	wait_until 30 is_state "$w" waiting_mbx
	"$HSX" kill "$w" >/dev/null
	check "kill: a task blocked in WAIT_MBX is killed" is_state "$w" killed
	KILLED_PID=$w
	"$HSX" kill "$w" >/dev/null
	check "kill: killing it again removes it from ps" eval '[[ -z $(state '"$w"') ]]'
	check "kill: sending to it is a clear error (exit 4)" \
		eval '"$HSX" send '"$w"' x 2>/dev/null; [[ $? == 4 ]]'
}

scenario_swarm() {
	local n=$1 before
	before=$(count_state returned)
	"$HSX" load --count "$n" "$APPS/swarm.hxe" >/dev/null
	check "swarm: $n tasks exchange $n messages and all return" \
		wait_until 120 eval '[[ $(count_state returned) -ge $((before + n)) ]]'
	check "swarm: every swarm task exited 0" \
		eval '[[ $("$HSX" ps | awk '"'"'$NF == "swarm" && $4 != 0'"'"' | wc -l) == 0 ]]'
}

scenario_security() {
	check "security: daemon runs with CapEff 0" \
		grep -qx $'CapEff:\t0000000000000000' "/proc/$DPID/status"
	check "security: control socket is mode 0660" \
		eval '[[ $(stat -c %a "$HSX_EXECD_SOCKET") == 660 ]]'
}

scenario_fuzz() {
	build/tests/e2e/proto_fuzz "$HSX_EXECD_SOCKET" "$TAPNO" >"$WORK/fuzz.out"
	cat "$WORK/fuzz.out"
	TAPNO=$((TAPNO + $(grep -c '^\(not \)\?ok' "$WORK/fuzz.out")))
	check "fuzz: daemon process still alive" kill -0 "$DPID"
}

# The scenarios every backend must pass, in order.
run_common() {
	start_listen
	scenario_security
	scenario_procon
	scenario_pubsub
	scenario_timeout
	scenario_kill_blocked
	scenario_swarm "${SWARM:-200}"
	scenario_fuzz
	stop_listen
}
