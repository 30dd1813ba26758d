# shellcheck shell=bash
# DOC: how the test driver counts TAP (sourced by check and vm-runner).
#
# Every test program prints TAP.  Only lines starting in column 0 count, so
# indented subtests or log lines never count twice:
#   "ok N ..."                    one passed test
#   "ok N ... # SKIP ..."         one skipped test (counted as passed, and
#                                 reported separately)
#   "not ok N ..."                one failed test (a "# SKIP"/"# TODO" on a
#                                 "not ok" line does not excuse it)
#   "1..0 # SKIP ..."             a whole program skipped: one skipped test
# On top of that, a program costs one extra failure when it did not report
# one itself, i.e. when it emitted no "not ok" yet
#   - exited non-zero (other than 4, kselftest's KSFT_SKIP) or died on a
#     signal, or
#   - printed no TAP result at all, or
#   - ran fewer tests than its "1..N" plan announced,
# and always when it was killed for exceeding its timeout (status 124/137).

# tap_tally LOG STATUS: sets TAP_PASS TAP_FAIL TAP_SKIP and TAP_WHY (the
# reason for an extra failure, empty if none).
tap_tally() {
	local log=$1 status=$2 ok notok plan ran
	ok=$(grep -cE '^ok( |$)' "$log")
	notok=$(grep -cE '^not ok( |$)' "$log")
	TAP_SKIP=$(grep -cE '^ok( .*)?#[[:space:]]*[Ss][Kk][Ii][Pp]' "$log")
	plan=$(grep -m 1 -oE '^1\.\.[0-9]+' "$log" | cut -c 4-)
	if ((ok + notok == 0)) && [[ $plan == 0 ]] &&
		grep -qiE '^1\.\.0[[:space:]]*#[[:space:]]*skip' "$log"; then
		ok=1 TAP_SKIP=1
	fi
	TAP_PASS=$ok TAP_FAIL=$notok TAP_WHY=
	ran=$((ok + notok))
	if ((status == 124 || status == 137)); then
		TAP_WHY="timed out"
	elif ((notok > 0)); then
		return 0
	elif ((status != 0 && status != 4)); then
		TAP_WHY=$(tap_status_text "$status")
	elif ((ran == 0)); then
		TAP_WHY="no TAP result lines"
	elif [[ -n $plan ]] && ((ran < plan)); then
		TAP_WHY="planned $plan tests, ran $ran"
	fi
	[[ -z $TAP_WHY ]] || TAP_FAIL=$((TAP_FAIL + 1))
}

tap_status_text() {
	if (($1 > 128)); then
		echo "killed by signal $(($1 - 128)) ($(kill -l "$(($1 - 128))" 2>/dev/null))"
	else
		echo "exit status $1"
	fi
}

# tap_report NAME LOG: one PASS/FAIL line from the last tap_tally; on
# failure, the failing TAP lines and the end of the log.
tap_report() {
	local name=$1 log=$2 detail="$TAP_PASS passed"
	((TAP_SKIP == 0)) || detail+=", $TAP_SKIP skipped"
	((TAP_FAIL == 0)) || detail+=", $TAP_FAIL failed"
	[[ -z $TAP_WHY ]] || detail+="; $TAP_WHY"
	if ((TAP_FAIL == 0)); then
		printf 'PASS %s (%s)\n' "$name" "$detail"
		return
	fi
	printf 'FAIL %s (%s)\n' "$name" "$detail"
	grep -E '^not ok( |$)' "$log" | head -n 20 | sed 's/^/    /'
	echo "    --- last lines of $log:"
	tail -n 15 "$log" | sed 's/^/    | /'
}

# tap_name CMD: a file-name-safe name for a test command.
tap_name() {
	local n=${1#./}
	n=${n#build/}
	echo "${n//\//_}"
}
