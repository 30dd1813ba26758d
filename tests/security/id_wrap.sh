#!/bin/sh
# DOC: descriptor ids and handle numbers wrap safely (issue 14).
#
# Runs in the rig as root with the module loaded and unused.  Reloads it
# (HSXMBX_KO, else the rig's HSXMBX_RIG_MODULE, else build/hsxmbx.ko) with
# its parameters plus debug_id_start=0xfffffffc, the first descriptor id
# and PID-0 handle number, so that both u32 counters wrap within a few
# calls; build/tests/security/id_wrap then checks that ids and handle
# numbers run 0xfffffffc..0xffffffff, then small non-zero values, all
# distinct, and that the objects work.  A module without the parameter
# loads anyway ("unknown parameter ... ignored" in dmesg): that is a
# failure, as is an insmod refused.  The module is left loaded with
# its original parameters.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KO=${HSXMBX_KO:-${HSXMBX_RIG_MODULE:-$ROOT/build/hsxmbx.ko}}
PROG=$ROOT/build/tests/security/id_wrap
START=0xfffffffc
N=0
out=$(mktemp)

ok() { N=$((N + 1)); echo "ok $N - $*"; }
notok() { N=$((N + 1)); echo "not ok $N - $*"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
# nested PROG ARGS: run a TAP program, pass its results through numbered
# on from ours (as tests/faults/modfaults.sh does).
nested() {
	"$@" >"$out" 2>&1
	awk -v n="$N" '/^(not )?ok / { sub(/ok( [0-9]+)?/, "ok " ++n); print }' "$out"
	grep -vE '^(not )?ok |^1\.\.' "$out" | sed 's/^/# /'
	N=$((N + $(grep -cE '^(not )?ok ' "$out")))
}

[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
[ -d /sys/module/hsxmbx ] || { echo "1..0 # SKIP module not loaded"; exit 0; }
[ -f "$KO" ] || { echo "1..0 # SKIP $KO not built"; exit 0; }
[ -x "$PROG" ] || { echo "1..0 # SKIP $PROG not built"; exit 0; }

params=
for p in /sys/module/hsxmbx/parameters/*; do
	# The test's own parameter is not one of the originals to restore.
	[ "${p##*/}" = debug_id_start ] ||
		params="$params ${p##*/}=$(cat "$p")"
done
echo "# module $KO, parameters:$params"

wait_control() {
	i=0
	while [ ! -c /dev/hsxmbx/control ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/hsxmbx/control ]
}

if rmmod hsxmbx 2>"$out"; then
	ok "rmmod of the unused module"
	# shellcheck disable=SC2086 # the parameters are space-separated
	before=$(dmesg | wc -l)
	if insmod "$KO" $params debug_id_start=$START 2>"$out"; then
		ok "insmod with debug_id_start=$START"
		# A module without the parameter loads anyway, with a warning.
		check "the module knows debug_id_start (no 'unknown parameter' in dmesg)" \
			sh -c "! dmesg | tail -n +$((before + 1)) | grep 'unknown parameter'"
		wait_control
		got=$(cat /sys/module/hsxmbx/parameters/debug_id_start 2>/dev/null)
		echo "# /sys/module/hsxmbx/parameters/debug_id_start: ${got:-absent}"
		nested "$PROG" "$START"
		check "rmmod after the wrap tests" rmmod hsxmbx
	else
		notok "insmod with debug_id_start=$START: $(tr '\n' ' ' <"$out")"
	fi
else
	notok "rmmod of the unused module: $(cat "$out")"
fi

# Leave the module as we found it.
[ -d /sys/module/hsxmbx ] || insmod "$KO" $params
wait_control
now=
for p in /sys/module/hsxmbx/parameters/*; do
	[ "${p##*/}" = debug_id_start ] ||
		now="$now ${p##*/}=$(cat "$p")"
done
dstart=$(cat /sys/module/hsxmbx/parameters/debug_id_start 2>/dev/null || echo 1)
check "module loaded again with its original parameters" \
	test -c /dev/hsxmbx/control -a "$now" = "$params" -a "$dstart" = 1
rm -f "$out"
echo "1..$N"
