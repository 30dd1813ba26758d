#!/bin/sh
# DOC: 50 rmmod/insmod cycles of build/hsxmbx.ko with traffic in between.
#
# Runs in the rig with the module loaded.  Each cycle unloads the module,
# checks that its kmem_caches and device nodes are gone, reloads it and
# pushes a little traffic through (a bound mailbox with queued messages,
# a tap, a consumed message) so that every unload must free live objects.
# rmmod must fail (EBUSY) while a file of the module is open.  The module
# is left loaded.  CYCLES overrides the count.
. "$(dirname "$0")/../shell/tap.subr"
KO=${HSXMBX_KO:-$ROOT/build/hsxmbx.ko}
CYCLES=${CYCLES:-50}
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -f "$KO" ] || skip_all "$KO not built"
need_module
plan 8

# The module's own caches: /proc/slabinfo lists the unmerged ones; SLUB
# keeps the sysfs symlinks of merged aliases after their destruction, so
# only real directories count there.
slab_entries() {
	grep hsxmbx /proc/slabinfo 2>/dev/null | awk '{print $1}'
	find /sys/kernel/slab -maxdepth 1 -name '*hsxmbx*' ! -type l 2>/dev/null
}

# traffic N: bind, two messages through the node (shell builtins, cheap
# under TCG), consume one; every 10th cycle also a tap.  One message stays
# queued on purpose so that rmmod must free it.
traffic() {
	t=app:cycle$1
	node=$(node_of "$t")
	"$HSX" mbox bind -c 256 "$t" >/dev/null || return 1
	wait_for test -c "$node" || return 1
	echo "a$1" >"$node" && echo "b$1" >"$node" || return 1
	"$HSX" mbox recv "$t" >/dev/null || return 1
	[ $(($1 % 10)) -ne 0 ] || timeout 0.3 cat "$node" >/dev/null 2>&1
	return 0
}

before_dmesg=$(dmesg | wc -l)
echo "# module caches while loaded: $(slab_entries | tr '\n' ' ')"

exec 3</dev/hsxmbx/control
rmmod hsxmbx 2>"$TMP/busy"
st=$?
check "rmmod fails while the control device is open" test "$st" -ne 0
check "... with EBUSY (in use)" grep -qi "in use\|busy" "$TMP/busy"
exec 3<&-

bad_unload= bad_slab= bad_load= bad_traffic=
cycle=1
while [ "$cycle" -le "$CYCLES" ]; do
	rmmod hsxmbx || bad_unload="$bad_unload $cycle"
	left=$(slab_entries)
	[ -z "$left" ] || bad_slab="$bad_slab $cycle($(echo $left))"
	[ ! -e /dev/hsxmbx/control ] || bad_unload="$bad_unload $cycle(node)"
	insmod "$KO" || { bad_load="$bad_load $cycle"; break; }
	wait_for test -c /dev/hsxmbx/control || bad_load="$bad_load $cycle(node)"
	traffic "$cycle" || bad_traffic="$bad_traffic $cycle"
	cycle=$((cycle + 1))
done
echo "# $((cycle - 1)) cycles"

check "every rmmod succeeded${bad_unload:+ (failed:$bad_unload)}" test -z "$bad_unload"
check "no hsxmbx slab caches after any rmmod${bad_slab:+ (left in cycles:$bad_slab)}" test -z "$bad_slab"
check "every insmod succeeded${bad_load:+ (failed:$bad_load)}" test -z "$bad_load"
check "traffic worked after every reload${bad_traffic:+ (failed:$bad_traffic)}" test -z "$bad_traffic"

dmesg | tail -n +"$((before_dmesg + 1))" >"$TMP/dmesg"
check "no leaked objects reported on cache destruction" \
	sh -c "! grep -E 'Objects remaining|hsxmbx.*(leak|BUG)' '$TMP/dmesg'"
check "the module is loaded at the end" test -c /dev/hsxmbx/control
finish
