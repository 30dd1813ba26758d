#!/bin/sh
# DOC: install on the rig, as docs/install.md tells a user to, then remove.
#
# Runs as root inside the rig, whose / is a writable overlay:
#  1. `make install` (PREFIX=/usr/local) and `make modules_install`, depmod,
#     sysusers; rmmod the rig's module and `modprobe hsxmbx` the installed
#     one; udevd applies the installed rules (group hsxmbx, 0660/0600);
#  2. start hsx-execd the way hsx-execd.service does (its ExecStart line,
#     group hsxmbx, the unit's capability bounding set, no new privileges,
#     /run/hsx 0750) and run a smoke test with the installed hsx, the
#     group's access rules and the libhsxmbx(3) example built against the
#     installed pkg-config file;
#  3. `make uninstall`, modules_uninstall: nothing of the manifest is left;
#  4. with HSXMBX_RIG_DPKG=1: `dpkg -i` hsxmbx-tools and libhsxmbx-dev
#     (hsxmbx-dkms is checked on the host: its dkms build takes minutes
#     under TCG), the same smoke, and `dpkg --purge`.
# At the end the rig's own module is loaded again with the parameters it
# had, with the module's default modes, so later tests are unaffected.
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-build}
KVER=$(uname -r)
VERSION=$(cat "$BUILD/deb/hsxmbx-1.0.0/debian/changelog" 2>/dev/null |
	sed -n '1s/.*(\(.*\)).*/\1/p')
[ "$(id -u)" = 0 ] || skip_all "needs root (runs in the rig)"
[ -c /dev/hsxmbx/control ] || skip_all "the rig's module is not loaded"
grep -q '^hsxmbx ' /proc/modules || skip_all "hsxmbx is not a loaded module"
[ -e "$BUILD/hsxmbx.ko" ] || skip_all "$BUILD/hsxmbx.ko not built"
# The debug kernel (make check-debug) has no /lib/modules tree in the rig:
# modules_install and modprobe need the distribution kernel's.
[ -f "/lib/modules/$KVER/modules.dep" ] ||
	skip_all "no module tree for kernel $KVER: installing needs the distribution kernel"

# --- keep the rig as we found it -----------------------------------------------
PARAMS=
for p in /sys/module/hsxmbx/parameters/*; do
	PARAMS="$PARAMS $(basename "$p")=$(cat "$p")"
done
UDEVD_PID= DAEMON_PID=
restore() {
	[ -z "$DAEMON_PID" ] || { kill "$DAEMON_PID"; wait "$DAEMON_PID"; } 2>/dev/null
	[ -z "$UDEVD_PID" ] || { kill "$UDEVD_PID"; sleep 1; } 2>/dev/null
	rmmod hsxmbx 2>/dev/null
	[ ! -d "$TMP/moddep" ] || cp -a "$TMP/moddep/." "/lib/modules/$KVER/"
	# shellcheck disable=SC2086
	insmod "$BUILD/hsxmbx.ko" $PARAMS || echo "# could not reload $BUILD/hsxmbx.ko" >&2
	rm -rf "$TMP"
}
trap restore EXIT
rmmod hsxmbx || skip_all "rmmod hsxmbx failed (module busy)"

plan 31

# --- 1. install -----------------------------------------------------------------
check "make install PREFIX=/usr/local" make -s --no-print-directory install PREFIX=/usr/local
# A full depmod reads and decompresses every module of the 9p-mounted tree:
# about 5 minutes under TCG.  The stock entries of modules.dep are already
# right, so depmod here searches only updates/ (where hsxmbx goes); the
# original index files are saved and put back by restore().
mkdir -p "$TMP/moddep"
cp -a /lib/modules/"$KVER"/modules.* "$TMP/moddep/"
echo "search updates" >"$TMP/depmod.conf"
RIG_DEPMOD=$TMP/depmod
printf '#!/bin/sh\nexec /sbin/depmod -C %s "$@"\n' "$TMP/depmod.conf" >"$RIG_DEPMOD"
chmod +x "$RIG_DEPMOD"
check "make modules_install (+ depmod)" make -s --no-print-directory modules_install \
	DEPMOD="$RIG_DEPMOD"
check "modprobe finds the installed module" sh -c \
	"modprobe -n -v hsxmbx | grep -q '/lib/modules/$KVER/updates/hsxmbx.ko'"
check "systemd-sysusers creates the hsxmbx group" sh -c \
	"systemd-sysusers /usr/local/lib/sysusers.d/hsxmbx.conf && getent group hsxmbx"

UNIT=/usr/local/lib/systemd/system/hsx-execd.service
unit_value() { sed -n "s/^$1=//p" "$UNIT"; }
PRE=$(unit_value ExecStartPre | sed 's/^+//')
check "the unit's ExecStartPre loads the module ($PRE)" sh -c \
	"$PRE && grep -q '^hsxmbx ' /proc/modules && test -c /dev/hsxmbx/control"

# udev: the installed rules give the nodes group hsxmbx.
UDEVD=/lib/systemd/systemd-udevd
if [ -x "$UDEVD" ]; then
	mkdir -p /run/udev
	"$UDEVD" >"$TMP/udevd.log" 2>&1 &
	UDEVD_PID=$!
	sleep 2
	/usr/local/bin/hsx mbox bind app:install$$ >/dev/null
	/usr/local/bin/hsx mbox bind app:install$$@77 >/dev/null
	udevadm trigger --subsystem-match=hsxmbx --action=add
	udevadm settle --timeout=60
	check "udev: control is root:hsxmbx 0660" test \
		"$(stat -c '%U:%G %a' /dev/hsxmbx/control)" = "root:hsxmbx 660"
	check "udev: app: nodes are root:hsxmbx 0660" test \
		"$(stat -c '%U:%G %a' /dev/hsxmbx/app/install$$)" = "root:hsxmbx 660"
	check "udev: task-owned app: nodes are root:root 0600" test \
		"$(stat -c '%U:%G %a' /dev/hsxmbx/app/install$$@77)" = "root:root 600"
	/usr/local/bin/hsx mbox rm app:install$$@77 >/dev/null 2>&1
	check "a member of hsxmbx may use the mailboxes" \
		setpriv --reuid=nobody --regid=nogroup --groups=hsxmbx --inh-caps=-all \
		/usr/local/bin/hsx mbox ls
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		/usr/local/bin/hsx mbox ls >/dev/null 2>&1
	check "anyone else gets 'permission denied' (exit 5)" test $? -eq 5
else
	for t in control app-node task-app-node member non-member; do skip "udev $t" "$UDEVD missing"; done
fi

# start_daemon: the unit's ExecStart with its group, bounding set and
# RuntimeDirectory, without systemd; sets DAEMON_PID.
start_daemon() {
	mkdir -p /run/hsx && chgrp hsxmbx /run/hsx && chmod 0750 /run/hsx
	bound=$(unit_value CapabilityBoundingSet | tr 'A-Z' 'a-z' |
		sed 's/cap_/+/g; s/ /,/g')
	# shellcheck disable=SC2046
	setpriv --regid=hsxmbx --clear-groups --bounding-set=-all,$bound \
		--no-new-privs -- $(unit_value ExecStart) >"$TMP/execd.log" 2>&1 &
	DAEMON_PID=$!
	i=0
	while [ ! -S /run/hsx/execd.sock ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	test -S /run/hsx/execd.sock
}

# smoke BINDIR LIBDIR: the daemon runs apps, members reach it, the library
# example sends and receives.
smoke() {
	check "[$1] hsx-execd started as the unit does" start_daemon
	check "[$1] socket is root:hsxmbx 0660 in /run/hsx (0750)" test \
		"$(stat -c '%G %a' /run/hsx/execd.sock) $(stat -c '%a' /run/hsx)" = "hsxmbx 660 750"
	check "[$1] the daemon runs with no effective capability" \
		grep -q '^CapEff:[[:space:]]*0*$' /proc/$DAEMON_PID/status
	check "[$1] hsx load + ps: producer and consumer run" sh -c "
		'$1/hsx' load '$PWD/$BUILD/examples/producer.hxe' '$PWD/$BUILD/examples/consumer.hxe' &&
		'$1/hsx' ps | grep -q producer && '$1/hsx' ps | grep -q consumer"
	check "[$1] a member of hsxmbx reaches the daemon" \
		setpriv --reuid=nobody --regid=nogroup --groups=hsxmbx "$1/hsx" ps
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$1/hsx" ps >/dev/null 2>&1
	check "[$1] anyone else cannot" test $? -ne 0
	check "[$1] hsx shutdown stops the daemon" sh -c \
		"'$1/hsx' shutdown && wait_gone $DAEMON_PID"
	DAEMON_PID=
	sed -n '/^\.SH EXAMPLES/,/^\.fi/p' man/libhsxmbx.3 | sed '1,2d;$d' |
		sed 's/\\-/-/g' >"$TMP/demo.c"
	check "[$1] the libhsxmbx(3) example builds with the installed pc and runs" sh -c "
		cc -o '$TMP/demo' '$TMP/demo.c' \$(PKG_CONFIG_PATH='$2/pkgconfig' pkg-config --cflags --libs hsxmbx) &&
		ldd '$TMP/demo' | grep -q '$2/libhsxmbx.so.1' && '$TMP/demo' | grep -qx received"
}
# `sh -c` above needs wait_gone: give it a script of its own.
printf '#!/bin/sh\ni=0\nwhile kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done\n! kill -0 "$1" 2>/dev/null\n' >"$TMP/wait_gone"
chmod +x "$TMP/wait_gone"
PATH=$TMP:$PATH

smoke /usr/local/bin /usr/local/lib

# --- 2. uninstall -------------------------------------------------------------------
check "make uninstall and modules_uninstall" sh -c \
	"make -s --no-print-directory uninstall PREFIX=/usr/local &&
	 make -s --no-print-directory modules_uninstall DEPMOD='$RIG_DEPMOD'"
left=
for f in $(grep -v '^#' tests/install/manifest) /lib/modules/$KVER/updates/hsxmbx.ko; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || left="$left $f"
done
check "nothing of the manifest or the module is left${left:+ (left:$left)}" test -z "$left"

# --- 3. the Debian packages ---------------------------------------------------------
DEBS="$BUILD/deb/hsxmbx-tools_${VERSION}_amd64.deb $BUILD/deb/libhsxmbx-dev_${VERSION}_amd64.deb"
# dpkg reads its whole database (hundreds of thousands of files) over 9p,
# which takes well over 10 minutes under TCG, so `make check` leaves this
# part to an explicit HSXMBX_RIG_DPKG=1 run; the packages' contents and
# maintainer scripts are checked on the host by tests/install/host.sh.
DPKG_SKIP=
if [ "${HSXMBX_RIG_DPKG:-0}" != 1 ]; then
	DPKG_SKIP="HSXMBX_RIG_DPKG=1 enables it (dpkg over 9p: >10 min under TCG)"
elif [ -z "$VERSION" ] || ! ls $DEBS >/dev/null 2>&1; then
	DPKG_SKIP="$BUILD/deb not built (make deb)"
fi
if [ -z "$DPKG_SKIP" ]; then
	# Skip man-db's index rebuild: minutes under TCG, nothing to test.
	echo "man-db man-db/auto-update boolean false" | debconf-set-selections 2>/dev/null
	check "dpkg -i hsxmbx-tools libhsxmbx-dev" dpkg -i $DEBS
	UNIT=/lib/systemd/system/hsx-execd.service
	check "the packaged unit is enabled and runs /usr/sbin/hsx-execd" sh -c "
		test -L /etc/systemd/system/multi-user.target.wants/hsx-execd.service &&
		grep -q '^ExecStart=/usr/sbin/hsx-execd ' $UNIT"
	smoke /usr/bin "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
	dpkg -L hsxmbx-tools libhsxmbx-dev >"$TMP/pkgfiles"
	check "dpkg --purge removes both packages" dpkg --purge hsxmbx-tools libhsxmbx-dev
	left=
	while read -r f; do
		[ -d "$f" ] || [ ! -e "$f" ] || left="$left $f"
	done <"$TMP/pkgfiles"
	check "no packaged file is left${left:+ (left:$left)}" test -z "$left"
else
	skip "dpkg -i" "$DPKG_SKIP"
	skip "packaged unit" "$DPKG_SKIP"
	for t in 1 2 3 4 5 6 7 8; do skip "packaged smoke $t" "$DPKG_SKIP"; done
	skip "dpkg --purge" "$DPKG_SKIP"
	skip "nothing left" "$DPKG_SKIP"
fi
