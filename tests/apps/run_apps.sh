#!/bin/sh
# DOC: every app in build/apps runs under hsx-run to its expected output
# and exit code, without daemon or kernel (TAP).  Also covers hsx-run
# itself: several apps with [pid] prefixes, --stdin-to, --quantum,
# --trace, exit status of the first app, faults, deadlock, real timers,
# and the non-mailbox SVC modules (UART, fs write, sleep, steps).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build
# The sanitised build of the same sources when present (mk/apps.mk).
RUN=$B/tests/apps/hsx-run-san
[ -x "$RUN" ] || RUN=$B/hsx-run
AS=$B/hsx-as
A=$B/apps
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=0

echo "1..20"
pass() { N=$((N + 1)); echo "ok $N - $1"; }
fail() {
	N=$((N + 1)); echo "not ok $N - $1"
	shift
	for l in "$@"; do echo "# $l"; done
	sed 's/^/# out: /' "$TMP/out" | head -20
	sed 's/^/# err: /' "$TMP/err" | head -10
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_case DESC WANT_STATUS EXPECTED_STDOUT_FILE STDIN_TEXT HSX-RUN-ARGS...
run_case() {
	desc=$1 want=$2 expect=$3 input=$4
	shift 4
	printf '%b' "$input" | "$RUN" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ "$st" -ne "$want" ]; then
		fail "$desc" "exit status $st, want $want"
	elif ! cmp -s "$TMP/out" "$expect"; then
		fail "$desc" "stdout differs from:" "$(cat "$expect")"
	else
		pass "$desc"
	fi
}

want() { printf '%b' "$1" >"$TMP/want"; }

# A throw-away app assembled from the text given on stdin.
mkapp() { cat >"$TMP/$1.mvasm" && "$AS" -o "$TMP/$1.hxe" "$TMP/$1.mvasm"; }

want 'hello, world\n'
run_case "hello prints hello, world and exits 0" 0 "$TMP/want" '' "$A/hello.hxe"

# An empty line is a zero-length message, which carries nothing
# (reference: a zero-length send succeeds and enqueues nothing).
want 'abc\nsecond line\nthird\n'
run_case "echo copies stdin lines (CRLF too) and ends at EOF" 0 "$TMP/want" \
	'abc\r\nsecond line\n\nthird' "$A/echo.hxe"

want 'one\n'
run_case "echo stops at a line 'exit'" 0 "$TMP/want" 'one\nexit\nnot echoed\n' \
	"$A/echo.hxe"

want '[2] hello\n[2] world\n'
run_case "procon: stdin -> producer -> app:procon -> consumer -> stdout" 0 \
	"$TMP/want" 'hello\nworld\nexit\n' "$A/producer.hxe" "$A/consumer.hxe"

run_case "procon gives the same output with --quantum 1" 0 "$TMP/want" \
	'hello\nworld\nexit\n' --quantum 1 "$A/producer.hxe" "$A/consumer.hxe"

# pubsub: each subscriber gets every message, in order.
"$RUN" "$A/pubsub-sub.hxe" "$A/pubsub-sub.hxe" "$A/pubsub-sub.hxe" \
	"$A/pubsub-pub.hxe" </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
ok=1
for p in 1 2 3; do
	grep "^\[$p\] " "$TMP/out" | sed "s/^\[$p\] //" >"$TMP/sub$p"
	printf 'news 1: hsxmbx is up\nnews 2: fan-out delivers to everyone\nnews 3: no subscriber misses a message\n' |
		cmp -s - "$TMP/sub$p" || ok=0
done
grep -qx '\[4\] pubsub: published 3 messages and quit' "$TMP/out" || ok=0
if [ $st -eq 0 ] && [ $ok -eq 1 ]; then
	pass "pubsub: three subscribers each get all three messages (shared: fan-out)"
else
	fail "pubsub: three subscribers each get all three messages" "status $st"
fi

t0=$(now_ms)
want 'timeout: waiting 250 ms on app:timeout-demo\ntimeout: RECV returned status 7 (TIMEOUT), info {7,0,0,0,0}\n'
run_case "timeout: RECV with 250 ms times out with status 7 and the info struct" \
	0 "$TMP/want" '' "$A/timeout.hxe"
el=$(($(now_ms) - t0))
if [ "$el" -ge 250 ] && [ "$el" -lt 5000 ]; then
	pass "timeout fires on a real timer (${el} ms >= 250 ms)"
else
	fail "timeout fires on a real timer" "took ${el} ms"
fi

want 'spin: 3000000 iterations done\n'
run_case "spin runs 9M instructions and checks CORE_GET_STEPS" 0 "$TMP/want" \
	'' "$A/spin.hxe"

want '[1] hello, world\n[2] hi\n'
run_case "--stdin-to 2 feeds the second app" 0 "$TMP/want" 'hi\n' \
	--stdin-to 2 "$A/hello.hxe" "$A/echo.hxe"

printf 'ping\nexit\n' | "$RUN" --trace "$A/producer.hxe" "$A/consumer.hxe" \
	>"$TMP/out" 2>"$TMP/err"
if grep -q 'mailbox_send pid 1 .*(procon)' "$TMP/err" &&
	grep -q 'pid 2 blocks on' "$TMP/err" &&
	grep -q 'mailbox_wake' "$TMP/err" && grep -q 'pid 1 open "app:procon"' "$TMP/err"; then
	pass "--trace prints SVC and mailbox events"
else
	fail "--trace prints SVC and mailbox events"
fi

mkapp ret42 <<'X'
.text
    LDI R0, 42
    RET
X
want '[2] hello, world\n'
run_case "exit status is the first app's R0 at RET" 42 "$TMP/want" '' \
	"$TMP/ret42.hxe" "$A/hello.hxe"

# UART_WRITE (0x01/1) and fs write on fd 1 and 2 (0x04/2), SLEEP_MS
# (0x06/0) on a real timer, then TASK_EXIT (0x01/0) with 7.
mkapp svcs <<'X'
.text
.entry main
main:
    LDI32 R1, uart
    LDI R2, 5
    SVC MOD=0x1, FN=0x1
    LDI R3, 5
    CMP R0, R3
    JNZ bad
    LDI R1, 1
    LDI32 R2, out
    LDI R3, 4
    SVC MOD=0x4, FN=0x2
    LDI R1, 2
    LDI32 R2, err
    LDI R3, 4
    SVC MOD=0x4, FN=0x2
    LDI R0, 120
    SVC MOD=0x6, FN=0x0
    LDI R0, 7
    SVC MOD=0x1, FN=0x0
bad:
    LDI R0, 1
    RET
.data
uart: .ascii "uart\n"
out: .ascii "out\n"
err: .ascii "err\n"
X
t0=$(now_ms)
want 'uart\nout\n'
run_case "UART and fs writes reach stdout, TASK_EXIT status is kept" 7 \
	"$TMP/want" '' "$TMP/svcs.hxe"
el=$(($(now_ms) - t0))
if grep -qx 'err' "$TMP/err" && [ "$el" -ge 120 ]; then
	pass "fs write on fd 2 reaches stderr; SLEEP_MS waited ${el} ms"
else
	fail "fs write on fd 2 reaches stderr; SLEEP_MS waits" "${el} ms"
fi

mkapp fault <<'X'
.text
    LDI32 R1, 0xFFFF
    LD R2, [R1+0]
    RET
X
want ''
run_case "a memory fault in the first app exits 70" 70 "$TMP/want" '' \
	"$TMP/fault.hxe"

want ''
run_case "a task nothing can wake ends the run with status 3" 3 "$TMP/want" \
	'' "$A/consumer.hxe"

# Output is bytes: a NUL does not end a line, with or without the [pid]
# prefixes (issue 18 item 7; UART write and fs write to fd 1).
mkapp nul1 <<'X'
    LDI32 R1, msg
    LDI R2, 4
    SVC 0x101
    LDI R0, 0
    RET
.data
msg: .byte 0x41, 0, 0x42, 0x0A
X
mkapp nul2 <<'X'
    LDI R1, 1
    LDI32 R2, msg
    LDI R3, 4
    SVC 0x402
    LDI R0, 0
    RET
.data
msg: .byte 0x43, 0, 0x44, 0x0A
X
want '[1] A\0000B\n[2] C\0000D\n'
run_case "NUL bytes in output are kept ([pid] lines)" 0 "$TMP/want" '' \
	"$TMP/nul1.hxe" "$TMP/nul2.hxe"

# BRK stops the run with a message and status 4 unless --continue-on-brk
# (issue 18 item 9); --dump shows each task's final registers and the
# memory range asked for (item 8).
mkapp brk <<'X'
    LDI R0, 5
    BRK 3
    LDI R0, 6
    LDI32 R1, 0x11223344
    ST [R1+0], R1
    RET
X
want ''
run_case "BRK stops the run with status 4" 4 "$TMP/want" '' "$TMP/brk.hxe"
if grep -q 'BRK 3 at pc 0x4: stopping' "$TMP/err"; then
	pass "BRK names the code and the pc"
else
	fail "BRK names the code and the pc"
fi
printf '%s\n' \
	'[1] '"$TMP"'/brk.hxe: returned, exit status 6' \
	'  pc 0x00000018  sp 0x0000fffc  psw 0x00 (-)  depth 0  steps 5' \
	'  r0  0x00000006  r1  0x11223344  r2  0x00000000  r3  0x00000000' \
	'  r4  0x00000000  r5  0x00000000  r6  0x00000000  r7  0x00000000' \
	'  r8  0x00000000  r9  0x00000000  r10 0x00000000  r11 0x00000000' \
	'  r12 0x00000000  r13 0x00000000  r14 0x00000000  r15 0x00000000' \
	'  mem 0x3344 +6' '  3344  44 33 22 11 00 00' >"$TMP/want"
"$RUN" --continue-on-brk --dump-mem 0x3344:6 "$TMP/brk.hxe" >/dev/null \
	2>"$TMP/err"
st=$?
if [ $st -eq 6 ] && cmp -s "$TMP/err" "$TMP/want"; then
	pass "--continue-on-brk runs on; --dump prints registers and memory"
else
	fail "--continue-on-brk runs on; --dump prints registers and memory" \
		"status $st" "$(diff "$TMP/want" "$TMP/err")"
fi
