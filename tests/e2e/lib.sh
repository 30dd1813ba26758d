# shellcheck shell=bash
# DOC: helpers for the hsx-execd end-to-end tests (sourced).
#
# Each test script starts its own daemon on a private socket, drives it
# with the real `hsx` tool and prints TAP.  Paths are relative to the top
# of the checkout (the test driver runs there, in the rig and on the host).

HSX=${HSX:-build/hsx}
EXECD=${EXECD:-build/hsx-execd}
APPS=build/examples/apps
EXAMPLES=build/examples
TAPNO=0
WORK=$(mktemp -d /tmp/hsx-e2e.XXXXXX)
DPID=
trap 'e2e_cleanup' EXIT

e2e_cleanup() {
	[[ -n $DPID ]] && kill -9 "$DPID" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	rm -rf "$WORK"
}

ok() { TAPNO=$((TAPNO + 1)); echo "ok $TAPNO - $*"; }
not_ok() { TAPNO=$((TAPNO + 1)); echo "not ok $TAPNO - $*"; }
# check NAME CMD...: one TAP line from CMD's status.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
diag() { sed 's/^/# /' "$@" >&2; }

# wait_until SECONDS CMD...: poll CMD every 0.1 s.
wait_until() {
	local limit=$(($1 * 10)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# start_daemon BACKEND [ARGS...]: a daemon on $WORK/BACKEND.sock.
start_daemon() {
	local backend=$1
	shift
	export HSX_EXECD_SOCKET=$WORK/$backend.sock
	"$EXECD" --backend "$backend" --socket "$HSX_EXECD_SOCKET" "$@" \
		2>>"$WORK/daemon-$backend.log" &
	DPID=$!
	wait_until 30 "$HSX" ps >/dev/null 2>&1
}

stop_daemon() {
	"$HSX" shutdown >/dev/null 2>&1
	wait "$DPID" 2>/dev/null
	local st=$?
	DPID=
	return $st
}

# state PID: the task's state from `hsx ps`.
state() { "$HSX" ps | awk -v p="$1" '$1 == p { print $2 }'; }
exit_of() { "$HSX" ps | awk -v p="$1" '$1 == p { print $4 }'; }
is_state() { [[ $(state "$1") == "$2" ]]; }
# count_state STATE: how many tasks are in STATE.
count_state() { "$HSX" ps | awk -v s="$1" '$2 == s { n++ } END { print n + 0 }'; }

# load APP...: load and print the PID of the last one.
load() { "$HSX" load "$@" | awk '{ pid = $5 } END { print pid }'; }

# lines_of FILE PID: what listen printed for PID's stdout, one per line.
lines_of() { sed -n "s/^\[$2:out\] //p" "$1"; }

# kernel_setup: reload hsxmbx with an unlimited descriptor pool (four
# descriptors per task) for this script; the default comes back at exit.
kernel_setup() {
	rmmod hsxmbx 2>/dev/null
	if ! insmod build/hsxmbx.ko max_descriptors=0; then
		echo "1..0 # SKIP cannot reload hsxmbx with max_descriptors=0"
		return 1
	fi
	trap 'e2e_cleanup; rmmod hsxmbx 2>/dev/null; insmod build/hsxmbx.ko' EXIT
}

settled() {
	! "$HSX" ps | awk 'NR > 1 && ($2 == "ready" || $2 == "running") { f = 1 }
		END { exit !f }'
}
