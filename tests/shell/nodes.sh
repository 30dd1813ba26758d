#!/bin/sh
# DOC: cat and echo on device nodes, mixed with hsx mbox.
#
# `cat NODE` is a tap: it streams raw payloads of messages written with
# `echo > NODE` and `hsx mbox send`, and a consumer (`hsx mbox recv`)
# still receives every one of them afterwards.
. "$(dirname "$0")/tap.subr"
need_module
plan 11

T=app:nodes$$
NODE=$(node_of "$T")
CAT=

cleanup() {
	[ -z "$CAT" ] || kill "$CAT" 2>/dev/null
	"$HSX" mbox rm --force "$T" >/dev/null 2>&1
}
trap cleanup EXIT

check "bind $T" sh -c "'$HSX' mbox bind -c 1024 '$T' >/dev/null"
check "node $NODE appears" wait_for test -c "$NODE"

cat "$NODE" >"$TMP/cat.out" 2>"$TMP/cat.err" &
CAT=$!
check "cat on the node registers a tap" wait_for has_taps "$T" 1

echo hello >"$NODE"
check "echo > node sends one message" wait_for grep -qx hello "$TMP/cat.out"

"$HSX" mbox send "$T" "from hsx"
check "cat sees hsx mbox send" wait_for grep -q "from hsx" "$TMP/cat.out"

check "the queue still holds both messages (tap never consumes)" \
	test "$(json_field "$T" queue_depth)" -eq 2

# Output is bytes, not C strings (issue 18): a NUL passes through.
printf 'A\000B\n' >"$NODE"
check "a NUL byte passes through the node untouched" \
	wait_for sh -c "od -An -tx1 '$TMP/cat.out' | tr -d ' \n' | grep -q 4100420a"

"$HSX" mbox recv -n 2 "$T" >"$TMP/recv.out" 2>&1
check "a consumer still receives both, in order" \
	test "$(cat "$TMP/recv.out")" = "$(printf 'hello\nfrom hsx')"
"$HSX" mbox recv "$T" >/dev/null 2>&1 # the NUL message

kill "$CAT" 2>/dev/null
wait "$CAT" 2>/dev/null
CAT=
check "the tap is gone when cat exits" wait_for no_taps "$T"

# Opening the node read-write gives a consuming reader.
"$HSX" mbox send "$T" consume-me
check "reading the node O_RDWR consumes" \
	sh -c "timeout 5 dd bs=4096 count=1 status=none <>'$NODE' | grep -qx consume-me"

"$HSX" mbox rm --force "$T"
check "the node disappears after hsx mbox rm" wait_for test ! -e "$NODE"
trap - EXIT
finish
