#!/usr/bin/env bash
# DOC: fields that sleepers read without the engine lock are written with
# WRITE_ONCE (issue 14: "seq and space_seq are incremented with ++ but
# read without the lock", a KCSAN report).  hsxmbx_wait_done() reads
# hwait.seq, dnode.space_seq and both .dead flags locklessly; a plain
# store may be torn or re-done by the compiler.  A static check, because
# the debug kernel has KASAN, which excludes KCSAN.
# usage: lockless-fields.sh [TREE]   (default: this checkout)
set -uo pipefail
cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}"

# hw is a struct hsxmbx_hwait, dn a struct hsxmbx_dnode, everywhere.
objects='hw|dn'
fields='seq|space_seq|dead'
n=0 failed=0
check() { # FILE
	local bad
	n=$((n + 1))
	bad=$(grep -nE "\<($objects)->($fields)[[:space:]]*(\+\+|--|[-+]?=[^=])" "$1" | grep -v WRITE_ONCE)
	if [[ -z $bad ]]; then
		echo "ok $n - $1: lockless fields ($fields) written only with WRITE_ONCE"
	else
		echo "not ok $n - $1: plain stores to lockless fields:"
		sed 's/^/#   /' <<<"$bad"
		failed=1
	fi
}
for f in kmod/*.c; do
	check "$f"
done
echo "1..$n"
exit "$failed"
