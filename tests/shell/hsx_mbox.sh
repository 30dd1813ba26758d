#!/bin/sh
# DOC: hsx mbox: help, JSON, modes, exit codes, stdin lines, tap and Ctrl-C.
. "$(dirname "$0")/tap.subr"
need_module
plan 33

T=app:cli$$
SMALL=app:small$$
cleanup() {
	"$HSX" mbox rm --force "$T" >/dev/null 2>&1
	"$HSX" mbox rm --force "$SMALL" >/dev/null 2>&1
}
trap cleanup EXIT

# --- help lists every option -------------------------------------------------
"$HSX" --help >"$TMP/help" 2>&1
check "hsx --help exits 0 and names mbox" grep -q "mbox" "$TMP/help"
"$HSX" mbox --help >"$TMP/mhelp" 2>&1
missing=
for opt in --json --ns --owner --stats --capacity --mode --channel --flags \
	--timeout --count --verbose --force --help; do
	grep -q -- "$opt" "$TMP/mhelp" || missing="$missing $opt"
done
check "hsx mbox --help lists every option${missing:+ (missing:$missing)}" test -z "$missing"
bad=
for sub in ls bind send recv tap peek rm; do
	"$HSX" mbox "$sub" --help >"$TMP/sub" 2>&1 && grep -q "usage: hsx mbox $sub" "$TMP/sub" ||
		bad="$bad $sub"
done
check "every subcommand has --help${bad:+ (broken:$bad)}" test -z "$bad"
expect_status 2 "unknown subcommand exits 2" "$HSX" mbox frobnicate
expect_status 2 "unknown option exits 2" "$HSX" mbox ls --bogus
expect_status 2 "missing TARGET exits 2" "$HSX" mbox recv
expect_status 2 "bad mode name exits 2" "$HSX" mbox bind -m "rdwr|bogus" "$T"

# --- module missing ------------------------------------------------------------
HSXMBX_CONTROL=/nonexistent/control "$HSX" mbox ls >/dev/null 2>"$TMP/err"
st=$?
check "no control device exits 3" test "$st" -eq 3
check "... and says the module may not be loaded" grep -q "is the hsxmbx module loaded" "$TMP/err"

# --- bind, ls, json ------------------------------------------------------------
id=$("$HSX" mbox bind -c 512 -m "rdwr|fanout_drop" "$T")
check "bind prints the descriptor id" test "${id:-0}" -gt 0
check "binding again returns the same id" \
	test "${id:-0}" -gt 0 -a "$("$HSX" mbox bind "$T")" = "$id"
"$HSX" mbox ls >"$TMP/ls"
check "ls has the reference columns" \
	sh -c "head -1 '$TMP/ls' | grep -q 'ID *NAMESPACE *OWNER *DEPTH *BYTES .*MODE .*NAME'"
check "ls lists the target" grep -q " $T\$" "$TMP/ls"
check "ls --json parses" sh -c "'$HSX' mbox ls --json | $PY -I -c 'import json,sys; json.load(sys.stdin)'"
check "json has the capacity" test "$(json_field "$T" capacity)" -eq 512
check "fanout_drop implies fanout (mode 0x1b)" test "$(json_field "$T" mode_mask)" -eq 27
check "ls --ns app filters" sh -c "'$HSX' mbox ls --ns app | grep -q ' $T\$' && ! '$HSX' mbox ls svc | grep -q ' $T\$'"

# --- bad targets ---------------------------------------------------------------
expect_status 4 "malformed target exits 4" "$HSX" mbox send "app:x@abc" hi
check "... and says bad target" grep -q "bad target" "$TMP/stderr"
expect_status 4 "missing mailbox exits 4" "$HSX" mbox recv "app:nosuch$$"
check "... and says no such mailbox" grep -q "no such mailbox" "$TMP/stderr"

# --- send / recv ---------------------------------------------------------------
"$HSX" mbox bind -c 1024 -m rdwr "$SMALL" >/dev/null
expect_status 6 "recv on an empty mailbox exits 6" "$HSX" mbox recv "$SMALL"
expect_status 6 "recv -t 200 times out with 6" "$HSX" mbox recv -t 200 "$SMALL"
printf 'one\ntwo\nthree\n' | "$HSX" mbox send "$SMALL" -
"$HSX" mbox recv -n 0 "$SMALL" >"$TMP/lines"
check "send - sends one message per stdin line" \
	test "$(cat "$TMP/lines")" = "$(printf 'one\ntwo\nthree')"
"$HSX" mbox send -C 7 -f stderr "$SMALL" with channel
"$HSX" mbox recv -v "$SMALL" >"$TMP/v"
check "recv -v shows channel and flags" grep -q "ch=7 flags=0x2 .*with channel" "$TMP/v"

"$HSX" mbox rm "$SMALL"
"$HSX" mbox bind -c 16 "$SMALL" >/dev/null
"$HSX" mbox send "$SMALL" 8bytes!!
expect_status 7 "send to a full mailbox exits 7" "$HSX" mbox send "$SMALL" 8bytes!!
expect_status 8 "a message larger than the capacity exits 8" \
	"$HSX" mbox send "$SMALL" twelve-bytes

# --- peek, tap, rm ---------------------------------------------------------------
check "peek --json parses and shows the depth" \
	sh -c "'$HSX' mbox peek --json '$SMALL' | $PY -I -c 'import json,sys; assert json.load(sys.stdin)[\"depth\"] == 1'"

"$HSX" mbox tap "$T" >"$TMP/tap" 2>"$TMP/tap.err" &
TAPPID=$!
wait_for has_taps "$T" 1
"$HSX" mbox send "$T" tapped
wait_for grep -q tapped "$TMP/tap"
kill -INT "$TAPPID"
wait "$TAPPID"
st=$?
check "tap prints messages and exits 0 on SIGINT (got $st)" \
	sh -c "[ $st -eq 0 ] && grep -qx tapped '$TMP/tap'"

"$HSX" mbox rm "$SMALL"
check "rm keeps a mailbox that still holds messages" \
	sh -c "'$HSX' mbox ls | grep -q ' $SMALL\$'"
"$HSX" mbox recv -n 0 "$SMALL" >/dev/null
check "... until it is drained" sh -c "! '$HSX' mbox ls | grep -q ' $SMALL\$'"
"$HSX" mbox bind "$SMALL" >/dev/null
"$HSX" mbox send "$SMALL" queued
"$HSX" mbox rm --force "$SMALL"
check "rm --force destroys it at once" sh -c "! '$HSX' mbox ls | grep -q ' $SMALL\$'"
expect_status 4 "rm of a missing mailbox exits 4" "$HSX" mbox rm "$SMALL"
trap - EXIT
cleanup
finish
