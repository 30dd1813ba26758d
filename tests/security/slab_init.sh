#!/bin/sh
# DOC: every kmem_cache of the module exists right after insmod (issue 14).
#
# Runs in the rig as root with the module loaded and unused.  Reloads the
# module with the parameters it has (rmmod; insmod HSXMBX_KO, else the
# rig's HSXMBX_RIG_MODULE, else build/hsxmbx.ko) and, before any traffic,
# checks /sys/kernel/slab/<name> for hsxmbx_task, hsxmbx_desc,
# hsxmbx_handle, hsxmbx_msg, hsxmbx_tapent and hsxmbx_pin.  A real
# directory is a cache of its own.  A symlink is a cache merged into
# another one, but SLUB leaves the symlinks of destroyed aliases behind
# (tests/stress/modcycle.sh): a symlink only counts when the `aliases`
# count of the cache it points to grew, over the insmod, by at least the
# number of module caches pointing to it.  The module is left loaded with
# its original parameters.
. "$(dirname "$0")/../shell/tap.subr"
KO=${HSXMBX_KO:-${HSXMBX_RIG_MODULE:-$ROOT/build/hsxmbx.ko}}
CACHES="hsxmbx_task hsxmbx_desc hsxmbx_handle hsxmbx_msg hsxmbx_tapent hsxmbx_pin"
SLAB=/sys/kernel/slab
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -d /sys/module/hsxmbx ] || skip_all "module not loaded"
[ -f "$KO" ] || skip_all "$KO not built"
[ -d "$SLAB" ] || skip_all "no $SLAB (not SLUB)"
plan 9

params=
for p in /sys/module/hsxmbx/parameters/*; do
	params="$params ${p##*/}=$(cat "$p")"
done
echo "# module $KO, parameters:$params"

# aliases of every cache a module cache name links to (before the insmod).
target_of() { readlink -f "$SLAB/$1"; }

if ! rmmod hsxmbx 2>"$TMP/rmmod"; then
	fail "rmmod of the unused module" "$(cat "$TMP/rmmod")"
	fail "insmod with the original parameters" "not tried"
	for c in $CACHES; do fail "$c exists right after insmod" "module not reloaded"; done
	check "the module is loaded at the end" test -c /dev/hsxmbx/control
	finish
	exit
fi
pass "rmmod of the unused module"
for c in $CACHES; do
	if [ -L "$SLAB/$c" ]; then
		t=$(target_of "$c")
		echo "$c $t $(cat "$t/aliases" 2>/dev/null || echo 0)"
	fi
done >"$TMP/before"
sed 's/^/# left after rmmod (stale alias link, target, its aliases): /' "$TMP/before"
# shellcheck disable=SC2086 # the parameters are space-separated
insmod "$KO" $params 2>"$TMP/insmod"
st=$?
wait_for test -c /dev/hsxmbx/control
# Read everything at once, right after the insmod.
for c in $CACHES; do
	if [ -L "$SLAB/$c" ]; then
		t=$(target_of "$c")
		echo "$c link $t $(cat "$t/aliases" 2>/dev/null || echo 0)"
	elif [ -d "$SLAB/$c" ]; then
		echo "$c dir"
	else
		echo "$c none"
	fi
done >"$TMP/after"
sed 's/^/# after insmod: /' "$TMP/after"
check "insmod with the original parameters (status $st: $(cat "$TMP/insmod"))" test "$st" -eq 0

for c in $CACHES; do
	# shellcheck disable=SC2046 # the fields of one line
	set -- $(grep "^$c " "$TMP/after")
	case $2 in
	dir) pass "$c exists right after insmod (its own cache)" ;;
	link)
		t=$3 now=$4
		was=$(awk -v t="$t" '$2 == t { print $3; exit }' "$TMP/before")
		if [ -z "$was" ]; then
			# No stale link to this target before: the link is new.
			pass "$c exists right after insmod (merged into ${t##*/})"
		else
			need=$(awk -v t="$t" '$3 == t' "$TMP/after" | wc -l)
			if [ $((now - was)) -ge "$need" ]; then
				pass "$c exists right after insmod (merged into ${t##*/}, aliases $was -> $now)"
			else
				fail "$c exists right after insmod" \
					"only a stale link to ${t##*/}: its aliases went $was -> $now, $need module caches point to it"
			fi
		fi
		;;
	*) fail "$c exists right after insmod" "no $SLAB/$c" ;;
	esac
done

[ -d /sys/module/hsxmbx ] || insmod "$KO" $params
now=
for p in /sys/module/hsxmbx/parameters/*; do
	now="$now ${p##*/}=$(cat "$p")"
done
check "the module is loaded at the end, with its original parameters" \
	test -c /dev/hsxmbx/control -a "$now" = "$params"
finish
