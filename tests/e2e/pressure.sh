# shellcheck shell=bash
# DOC: the engine's overrun, backpressure and exhaustion events in the
# executive's event stream (sourced after lib.sh).
#
# The pressure app (pressure.mvasm) drops 8 messages from a fan-out queue
# (12 sends of 8 bytes, cost 16 each, capacity 64), is refused twice by a
# full single-reader queue, then opens handles until the per-PID quota (64)
# refuses one.  On the embedded backend the events come from lib/mbx's
# event hook; on the kernel backend from the module's tracepoints through
# hsx-trace.  Either way `hsx events --json` must show exactly these
# events with the reference (section 1.8) fields.

# evq FILTER: jq over this run's mailbox events of the pressure task.
evq() {
	jq -sc --argjson p "$PRESSURE_PID" \
		"[.[] | select(.pid == \$p and (.type | startswith(\"mailbox_\")))] | $1" \
		"$WORK/pressure-events.out"
}

# scenario_pressure LABEL
scenario_pressure() {
	local label=$1 app=$WORK/pressure.hxe ev
	build/hsx-as --app-name pressure -o "$app" tests/e2e/pressure.mvasm || return 1
	"$HSX" events --json >"$WORK/pressure-events.out" 2>&1 &
	ev=$!
	sleep 0.3
	PRESSURE_PID=$(load "$app")
	check "$label: pressure task sees WOULDBLOCK, then NO_DESCRIPTOR (exit 0)" \
		wait_until 30 eval '[[ $(exit_of '"$PRESSURE_PID"') == 0 ]]'
	# Kernel events travel through hsx-trace's ring buffer: give them time.
	wait_until 30 eval '[[ $(evq "map(select(.type == \"mailbox_exhausted\")) | length") -ge 1 ]]'
	sleep 0.5
	kill -INT "$ev" 2>/dev/null
	wait "$ev" 2>/dev/null
	check "$label: 8 mailbox_overrun events, dropped_seq 0..7, fanout_drop" \
		eval '[[ $(evq "map(select(.type == \"mailbox_overrun\") | .data) |
			[map(.dropped_seq), (map(.reason) | unique),
			 (map(.dropped_length) | unique), (map(.dropped_flags) | unique),
			 (map(.channel) | unique), (map(.queue_depth) | unique),
			 (map(.descriptor > 0) | unique), (map(.pid) | unique)]") == \
			"[[0,1,2,3,4,5,6,7],[\"fanout_drop\"],[8],[0],[0],[3],[true],[$PRESSURE_PID]]" ]]'
	check "$label: 2 mailbox_backpressure events, policy single, full queue" \
		eval '[[ $(evq "map(select(.type == \"mailbox_backpressure\") | .data |
			[.policy, .capacity, .bytes_used, .requested, .descriptor > 0])") == \
			"[[\"single\",16,16,16,true],[\"single\",16,16,16,true]]" ]]'
	check "$label: 1 mailbox_exhausted event, handle_limit 64 at 64 handles" \
		eval '[[ $(evq "map(select(.type == \"mailbox_exhausted\") | .data |
			[.reason, .pid, .handle_limit, .handles])") == \
			"[[\"handle_limit\",$PRESSURE_PID,64,64]]" ]]'
	check "$label: events keep the {seq, ts, type, pid, data} envelope" \
		eval '[[ $(evq "map(select(.type | test(\"overrun|backpressure|exhausted\")) |
			(.seq > 0) and (.ts > 0) and (.data | type == \"object\")) | unique") == "[true]" ]]'
}
