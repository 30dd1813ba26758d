#!/usr/bin/env bash
# DOC: memory cgroup accounting of the module's allocations (issue 14).
#
# Runs in the rig as root with the module loaded and cgroup2 mounted at
# /sys/fs/cgroup.  Each workload runs in a child memory cgroup (the process
# writes its pid to cgroup.procs, then execs build/tests/security/memcg_load):
#  1. the reproduction of the issue: in one cgroup, a mailbox, 62 taps (its
#     node opened O_RDONLY 62 times) and 20,000 one-byte sends, all kept
#     open: the cgroup's memory.current must grow by at least 90 % of the
#     growth of the module's live allocations (`total` bytes in
#     /sys/kernel/debug/hsxmbx/memory);
#  2. taps opened in cgroup T, sends from cgroup S: tap entries are charged
#     to the tap's opener, T grows by at least 90 % of the tapent bytes;
#  3. memory.max = current + 4 MiB on the sender's cgroup, a 16 MiB single-
#     reader mailbox nobody reads, 1 KiB sends until the first error: the
#     error is ENOMEM (SEND ioctl, and write() on the node), the sender is
#     not killed and memory.events reports no oom_kill; meanwhile a process
#     in another cgroup binds, sends and receives normally; unbinding the
#     mailbox gives the memory back.  (The sender locks its own pages in
#     advance and leaves the cgroup before reporting: a page fault of its
#     own at the limit would rightly be an OOM kill.)
# Everything (cgroups, mailboxes, +memory in the root's subtree_control if
# this test enabled it) is removed at the end; the module's allocations
# must be back where they started.
. "$(dirname "$0")/../shell/tap.subr"
LOAD=$ROOT/build/tests/security/memcg_load
CG=/sys/fs/cgroup
MEMF=/sys/kernel/debug/hsxmbx/memory
KINDS="engine task desc handle msg tapent table pin"
NTAPS=62
NSENDS=20000
SLACK=90 # percent

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
need_module
[ -x "$LOAD" ] || skip_all "$LOAD not built"
grep -qw memory "$CG/cgroup.controllers" 2>/dev/null ||
	skip_all "no cgroup2 memory controller at $CG"
added_memory=
if ! grep -qw memory "$CG/cgroup.subtree_control"; then
	echo +memory >"$CG/cgroup.subtree_control" 2>/dev/null ||
		skip_all "cannot enable +memory in $CG/cgroup.subtree_control"
	added_memory=1
fi
plan 13

PFX=hsxmbx-memcg-$$
CGS=
PIDS=
TARGETS=

# mkcg VAR NAME: create a child cgroup, its path in VAR.
mkcg() {
	mkdir "$CG/$PFX-$2" && CGS="$CGS $CG/$PFX-$2"
	eval "$1=\$CG/\$PFX-\$2"
}

# in_cg CGDIR CMD...: run CMD as a member of CGDIR.
in_cg() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	/bin/sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"
}

# bg CGDIR OUT CMD...: in_cg in the background, output to OUT; sets BGPID.
bg() {
	local cg=$1 out=$2
	shift 2
	# A simple command, not the function: $! is then the workload itself.
	# shellcheck disable=SC2016 # expanded by the inner shell
	/bin/sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" >"$out" 2>&1 &
	BGPID=$!
	PIDS="$PIDS $BGPID"
}

# wait_line FILE PATTERN PID SECS: FILE has a line matching PATTERN (an
# "error" line or PID's death ends the wait early).
wait_line() {
	local i=0
	while [ $i -lt $(($4 * 10)) ]; do
		grep -qE "$2" "$1" && return 0
		grep -q '^error' "$1" && return 1
		kill -0 "$3" 2>/dev/null || { grep -qE "$2" "$1"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

stop() {
	local p
	for p; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

# mem KIND FIELD(2 objects, 3 bytes): from the module's debugfs file, or 0.
mem() {
	if [ -r "$MEMF" ]; then
		awk -v k="$1" -v f="$2" '$1 == k { v = $f } END { print v + 0 }' "$MEMF"
	else
		echo 0
	fi
}
cur() { cat "$1/memory.current"; }
pct() { if [ "$2" -gt 0 ]; then echo "$(($1 * 100 / $2)) %"; else echo "n/a"; fi; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

bind() {
	in_cg "$1" "$LOAD" bind "$2" "$3" >"$TMP/bind" 2>&1 || {
		sed 's/^/# /' "$TMP/bind"
		return 1
	}
	TARGETS="$TARGETS $2"
}
unbind() { "$LOAD" unbind "$1" >/dev/null 2>&1; }

cleanup() {
	local t c
	# shellcheck disable=SC2086
	stop $PIDS
	PIDS=
	for c in $CGS; do
		# A process still in it would keep the rmdir from working.
		if [ -s "$c/cgroup.procs" ]; then
			echo "# killing what is left in $c: $(tr '\n' ' ' <"$c/cgroup.procs")"
			echo 1 >"$c/cgroup.kill"
			wait_for test ! -s "$c/cgroup.procs"
		fi
	done
	for t in $TARGETS; do unbind "$t"; done
	TARGETS=
	for c in $CGS; do
		rmdir "$c" 2>/dev/null || echo "# cannot remove $c"
	done
	CGS=
}
trap cleanup EXIT

"$LOAD" features | sed 's/^/# module: /'
cap_bytes=$("$LOAD" features | awk '$1 == "max_total_bytes" { print $2 }')
obj0=$(mem total 2)

# 0. The debugfs file: one line per kind, then the total.
if [ -r "$MEMF" ]; then
	sed 's/^/# memory: /' "$MEMF"
	want="$KINDS total"
	got=$(awk '{ print $1 }' "$MEMF" | tr '\n' ' ')
	check "$MEMF lists '$want' (got '$got')" \
		awk -v want="$want" 'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { k = k (k ? " " : "") $1 }
			END { exit k != want }' "$MEMF"
else
	fail "$MEMF exists" "no such file: the module does not report its allocations"
fi

# 1. The reproduction: everything in one cgroup.
mkcg A all
T1=app:memcg-all-$$
a0=$(cur "$A") m0=$(mem total 3)
if bind "$A" "$T1" 262144; then
	bg "$A" "$TMP/taps1" "$LOAD" taps "$T1" "$NTAPS"
	taps=$BGPID
	wait_line "$TMP/taps1" '^ready' "$taps" 60 &&
		bg "$A" "$TMP/send1" "$LOAD" send "$T1" "$NSENDS" 1 &&
		wait_line "$TMP/send1" '^sent' "$BGPID" 600
fi
check "1: $NTAPS taps and $NSENDS one-byte sends in one cgroup ($(cat "$TMP/taps1" "$TMP/send1" 2>/dev/null | tr '\n' ' '))" \
	grep -q "^sent $NSENDS err 0" "$TMP/send1"
a1=$(cur "$A") m1=$(mem total 3)
echo "# 1: took $SECONDS s"
echo "# 1: tapent objects $(mem tapent 2) ($(mib "$(mem tapent 3)")), msg objects $(mem msg 2) ($(mib "$(mem msg 3)"))"
da=$((a1 - a0)) dm=$((m1 - m0))
check "1: memory.current grew by $(mib $da), >= $SLACK % of the module's growth $(mib $dm) ($(pct $da $dm))" \
	test "$dm" -gt 0 -a $((da * 100)) -ge $((dm * SLACK))
cleanup

# 2. Taps charged to their opener, not to the sender.
mkcg T tap
mkcg S send
T2=app:memcg-tap-$$
if bind "$S" "$T2" 262144; then
	t0=$(cur "$T") s0=$(cur "$S") e0=$(mem tapent 3)
	bg "$T" "$TMP/taps2" "$LOAD" taps "$T2" "$NTAPS"
	wait_line "$TMP/taps2" '^ready' "$BGPID" 60 &&
		bg "$S" "$TMP/send2" "$LOAD" send "$T2" 10000 1 &&
		wait_line "$TMP/send2" '^sent' "$BGPID" 600
	t1=$(cur "$T") s1=$(cur "$S") e1=$(mem tapent 3)
fi
check "2: $NTAPS taps in cgroup T, 10000 sends from cgroup S ($(cat "$TMP/taps2" "$TMP/send2" 2>/dev/null | tr '\n' ' '))" \
	grep -q "^sent 10000 err 0" "$TMP/send2"
dt=$((${t1:-0} - ${t0:-0})) de=$((${e1:-0} - ${e0:-0}))
echo "# 2: T grew $(mib $dt), S grew $(mib $((${s1:-0} - ${s0:-0}))), tapent bytes grew $(mib $de)"
check "2: the taps' cgroup grew by $(mib $dt), >= $SLACK % of the tap entries' $(mib $de) ($(pct $dt $de))" \
	test "$de" -gt 0 -a $((dt * 100)) -ge $((de * SLACK))
cleanup
echo "# 2: done at $SECONDS s"

# 3. A sender at its cgroup's memory.max gets ENOMEM, nobody is killed.
mkcg S fill
mkcg O other
T3=app:memcg-fill-$$
LEN=1024
if [ "${cap_bytes:-0}" -ne 0 ] && [ "$cap_bytes" -lt $((16 << 20)) ]; then
	echo "# the module's max_total_bytes ($cap_bytes) may stop the sends before memory.max"
fi
s0=$(cur "$S")
echo $((s0 + (4 << 20))) >"$S/memory.max"
TARGETS="$TARGETS $T3"
timeout 600 /bin/sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$S" \
	"$LOAD" fill "$T3" $((16 << 20)) $LEN >"$TMP/fill" 2>&1
st=$?
s1=$(cur "$S")
oomk=$(awk '$1 == "oom_kill" { print $2 }' "$S/memory.events")
echo "# 3: memory.max $(mib $((s0 + (4 << 20)))) (start $(mib "$s0")), after the sends $(mib "$s1");" \
	"fill: $(tr '\n' ' ' <"$TMP/fill")(status $st)"
sed 's/^/# 3: memory.events: /' "$S/memory.events"
check "3: the sender ran to its first error and exited normally (status $st)" \
	sh -c "[ $st -eq 0 ] && grep -q '^sent [1-9]' '$TMP/fill'"
enomem=$(/usr/bin/python3 -c 'import errno; print(errno.ENOMEM)' 2>/dev/null || echo 12)
check "3: the first failed HSXMBX_IOC_SEND failed with ENOMEM" \
	grep -q "ioctl_errno $enomem " "$TMP/fill"
check "3: write() on the node then failed with ENOMEM" \
	grep -q "write_errno $enomem\$" "$TMP/fill"
check "3: no OOM kill in the sender's cgroup (memory.events oom_kill ${oomk:-?})" \
	test "${oomk:-1}" -eq 0
in_cg "$O" "$LOAD" pingpong "app:memcg-other-$$" 200 >"$TMP/ping" 2>&1
st=$?
check "3: meanwhile another cgroup binds, sends and receives normally ($(tr '\n' ' ' <"$TMP/ping")status $st)" \
	test "$st" -eq 0
unbind "$T3"
sleep 0.5
s2=$(cur "$S")
echo "# 3: after unbinding $T3: $(mib "$s2")"
check "3: unbinding gives the memory back ($(mib "$s1") -> $(mib "$s2"), start $(mib "$s0"))" \
	test $((s1 - s2)) -ge $(((s1 - s0) / 2)) -a "$s1" -gt "$s0"
cleanup
echo "# 3: done at $SECONDS s"

# The module is left as it was found.
trap - EXIT
left=$(find /dev/hsxmbx/app -name "memcg-*-$$" 2>/dev/null | wc -l)
check "no test mailbox or cgroup left ($left nodes)" \
	sh -c "[ $left -eq 0 ] && ! ls -d $CG/$PFX-* 2>/dev/null"
obj1=$(mem total 2)
check "the module's live objects are back at the start ($obj0 -> $obj1)" test "$obj0" = "$obj1"
[ -z "$added_memory" ] || echo -memory >"$CG/cgroup.subtree_control" 2>/dev/null
finish
