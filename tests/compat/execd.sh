#!/usr/bin/env bash
# DOC: hsx-execd (embedded backend, host test): the reference behaviours
# of issue 18 that live in the executive and the hsx tool.
#   - stdio chunks keep NUL bytes through the events and hsx listen (7);
#   - hsx regs shows a live task's registers and memory (8);
#   - BRK pauses the task (hsx ps: paused), hsx resume continues it (9).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
AS=build/hsx-as

echo "1..8"
cat >"$WORK/nul.mvasm" <<'X'
    LDI32 R1, msg
    LDI R2, 4
    SVC 0x101
    LDI R0, 0
    RET
.data
msg: .byte 0x41, 0, 0x42, 0x0A
X
cat >"$WORK/brk.mvasm" <<'X'
    LDI R0, 5
    LDI32 R1, msg
    BRK 7
    LDI R0, 9
    RET
.data
msg: .ascii "hi"
X
$AS -o "$WORK/nul.hxe" "$WORK/nul.mvasm" && $AS -o "$WORK/brk.hxe" "$WORK/brk.mvasm" ||
	exit 1

start_daemon embedded
"$HSX" listen --count 1 >"$WORK/listen.out" 2>&1 &
LPID=$!
sleep 0.3
pid=$(load "$WORK/nul.hxe")
wait_until 10 eval '! kill -0 $LPID 2>/dev/null'
printf '[%s:out] A\000B\n' "$pid" >"$WORK/want"
check "hsx listen prints a line with a NUL byte whole" cmp -s "$WORK/want" "$WORK/listen.out"

pid=$(load "$WORK/brk.hxe")
check "BRK pauses the task (hsx ps: paused)" wait_until 10 is_state "$pid" paused
"$HSX" regs --mem 0x4000:2 "$pid" >"$WORK/regs.out" 2>&1
printf '%s\n' "[$pid] paused at BRK 7" \
	'  pc 0x00000010  sp 0x0000effc  psw 0x00 (-)  depth 0  steps 3' \
	'  r0  0x00000005  r1  0x00004000  r2  0x00000000  r3  0x00000000' \
	'  r4  0x00000000  r5  0x00000000  r6  0x00000000  r7  0x00000000' \
	'  r8  0x00000000  r9  0x00000000  r10 0x00000000  r11 0x00000000' \
	'  r12 0x00000000  r13 0x00000000  r14 0x00000000  r15 0x00000000' \
	'  mem 0x4000 +2' '  4000  68 69' >"$WORK/want"
check "hsx regs shows registers and memory of the paused task" \
	diff "$WORK/want" "$WORK/regs.out"
"$HSX" regs --json "$pid" >"$WORK/regs.json"
check "hsx regs --json: pc, regs[16], brk_code" \
	grep -q '"pc":16,.*"brk_code":7,"regs":\[5,16384,0' "$WORK/regs.json"
sleep 0.2
check "a paused task stays paused" is_state "$pid" paused
check "hsx resume continues it to its end (exit 9)" \
	eval '"$HSX" resume "$pid" >/dev/null && wait_until 10 is_state '"$pid"' returned &&
	[[ $(exit_of '"$pid"') == 9 ]]'
check "hsx resume refuses a task that is not paused" \
	eval '! "$HSX" resume "$pid" 2>/dev/null'
check "hsx regs refuses a task that has ended" \
	eval '! "$HSX" regs "$pid" 2>/dev/null'
stop_daemon
diag "$WORK/daemon-embedded.log"
