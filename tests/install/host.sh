#!/bin/sh
# DOC: make install/uninstall, pkg-config, man pages, unit, completion, DKMS
# and the .deb packages, all on the host and without root.
#
# - install into a DESTDIR: the file list equals tests/install/manifest,
#   the library symlinks and soname are right, uninstall leaves nothing;
# - the installed hsxmbx.pc (another PREFIX too) compiles and links the
#   example of libhsxmbx(3), shared and static;
# - every man page renders with `man -l` without warnings, and documents
#   every --option its program's --help (and each subcommand's) prints,
#   and claims no option the program lacks;
# - the unit passes `systemd-analyze verify` and its security review, the
#   sysusers entry creates the group, the completion completes;
# - the DKMS tree in the hsxmbx-dkms package builds with real `dkms build`
#   in a private tree, and the three packages hold what they should.
. "$(dirname "$0")/lib.sh"

BUILD=${BUILD:-build}
DEST=$TMP/dest
MANIFEST_MISSING=$(make -s --no-print-directory print-install-missing)
KVER=$(tools/vm/kver)
VERSION=$(make -s --no-print-directory -f Makefile -f - print-version <<'EOF'
print-version: ; @echo $(HSXMBX_PKG_VERSION)
EOF
)

plan 36

# --- make install / uninstall ------------------------------------------------
check "make install DESTDIR=... succeeds" make -s --no-print-directory install DESTDIR="$DEST"
installed_files "$DEST" >"$TMP/got"
expected_files >"$TMP/want"
check "installed files match tests/install/manifest" diff -u "$TMP/want" "$TMP/got"
if [ -n "$MANIFEST_MISSING" ]; then
	skip "every program in the manifest is installed" \
		"the build does not produce $(echo $MANIFEST_MISSING) yet"
else
	pass "every program in the manifest is installed"
fi

LIB=$DEST/usr/local/lib
check "libhsxmbx.so -> libhsxmbx.so.1 -> libhsxmbx.so.$VERSION" sh -c "
	test \"\$(readlink '$LIB/libhsxmbx.so')\" = libhsxmbx.so.1 &&
	test \"\$(readlink '$LIB/libhsxmbx.so.1')\" = libhsxmbx.so.$VERSION &&
	test -f '$LIB/libhsxmbx.so.$VERSION' -a ! -L '$LIB/libhsxmbx.so.$VERSION'"
check "the shared library's soname is libhsxmbx.so.1" sh -c \
	"readelf -d '$LIB/libhsxmbx.so.$VERSION' | grep -q 'SONAME.*\[libhsxmbx.so.1\]'"
check "modes: programs 0755, data 0644" sh -c "
	test \$(stat -c %a '$DEST/usr/local/bin/hsx') = 755 &&
	test \$(stat -c %a '$DEST/usr/local/sbin/hsx-execd') = 755 &&
	test \$(stat -c %a '$LIB/libhsxmbx.a') = 644 &&
	test \$(stat -c %a '$DEST/usr/local/lib/udev/rules.d/60-hsxmbx.rules') = 644"
check "the unit runs the installed daemon" \
	grep -qx 'ExecStart=/usr/local/sbin/hsx-execd --backend kernel --socket /run/hsx/execd.sock' \
	"$DEST/usr/local/lib/systemd/system/hsx-execd.service"

# --- pkg-config: compile the libhsxmbx(3) example against the install --------
sed -n '/^\.SH EXAMPLES/,/^\.fi/p' man/libhsxmbx.3 | sed '1,2d;$d' | sed 's/\\-/-/g' >"$TMP/demo.c"
PC="env PKG_CONFIG_SYSROOT_DIR=$DEST PKG_CONFIG_PATH=$LIB/pkgconfig pkg-config"
check "pkg-config hsxmbx: version and prefix" sh -c \
	"test \"\$($PC --modversion hsxmbx)\" = $VERSION &&
	 test \"\$(PKG_CONFIG_PATH=$LIB/pkgconfig pkg-config --variable=prefix hsxmbx)\" = /usr/local"
check "libhsxmbx(3) example builds with the installed pc (shared)" sh -c \
	"cc -Wall -Werror -o '$TMP/demo' '$TMP/demo.c' \$($PC --cflags --libs hsxmbx) &&
	 readelf -d '$TMP/demo' | grep -q 'NEEDED.*libhsxmbx.so.1'"
check "... and statically (pkg-config --static)" sh -c \
	"cc -Wall -Werror -o '$TMP/demo-static' '$TMP/demo.c' -Wl,-Bstatic \$($PC --cflags --libs-only-L hsxmbx) -lhsxmbx -Wl,-Bdynamic \$($PC --static --libs-only-l hsxmbx | sed 's/-lhsxmbx//') &&
	 ! readelf -d '$TMP/demo-static' | grep -q libhsxmbx"
check "the example runs against the installed shared library" sh -c \
	"LD_LIBRARY_PATH='$LIB' HSXMBX_CONTROL=/nonexistent '$TMP/demo'; test \$? -eq 1 &&
	 LD_LIBRARY_PATH='$LIB' ldd '$TMP/demo' | grep -q '$LIB/libhsxmbx.so.1'"
check "PREFIX=/opt/hsx: the pc file and the unit follow it" sh -c "
	make -s --no-print-directory install DESTDIR='$TMP/opt' PREFIX=/opt/hsx &&
	grep -qx 'prefix=/opt/hsx' '$TMP/opt/opt/hsx/lib/pkgconfig/hsxmbx.pc' &&
	grep -qx 'includedir=/opt/hsx/include' '$TMP/opt/opt/hsx/lib/pkgconfig/hsxmbx.pc' &&
	grep -q '^ExecStart=/opt/hsx/sbin/hsx-execd ' '$TMP/opt/opt/hsx/lib/systemd/system/hsx-execd.service'"

check "make uninstall removes every installed file" sh -c "
	make -s --no-print-directory uninstall DESTDIR='$DEST' &&
	test -z \"\$(find '$DEST' \\( -type f -o -type l \\) -print)\" &&
	test ! -e '$DEST/usr/local/include/hsxmbx'"

# --- man pages ---------------------------------------------------------------
bad=
for m in man/*.[1-8]; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	out=$(LC_ALL=C.UTF-8 man -l "$m" 2>/dev/null | wc -l)
	[ -z "$w" ] && [ "$out" -gt 10 ] || bad="$bad $m:$w"
done
check "every man page renders with man -l, without warnings" test -z "$bad"
[ -z "$bad" ] || echo "# $bad"

# help_options PROG: every --long option in PROG's --help and, for commands
# it lists (hsx), in each command's and subcommand's --help.
help_options() {
	"$1" --help 2>&1 >"$TMP/h" || :
	cmds=$(awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }' "$TMP/h")
	for c in $cmds; do
		"$1" "$c" --help >>"$TMP/h" 2>&1
		for s in $(sed -n "s/^usage: [^ ]* $c \([a-z][a-z-]*\).*/\1/p" "$TMP/h" | sort -u); do
			"$1" "$c" "$s" --help >>"$TMP/h" 2>&1
		done
	done
	grep -oE -- '--[a-z][a-z0-9-]*' "$TMP/h" | sort -u
}

# man_text PAGE: the page as plain text, one long line per paragraph and no
# hyphenation, so an option is never split.
man_text() { groff -man -Tascii -rLL=2000n -rHY=0 "$1" 2>/dev/null | col -bx; }

# man_documented PAGE: the --options the page documents as options (in the
# tag of a tagged paragraph), for the reverse check.
man_documented() {
	awk 'prev == ".TP" { print } { prev = $1 }' "$1" | sed 's/\\-/-/g' |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

for m in man/hsx.1 man/hsx-as.1 man/hsx-dis.1 man/hsx-execd.8 man/hsx-trace.8; do
	prog=$(basename "${m%.*}")
	if [ ! -x "$BUILD/$prog" ]; then
		skip "$m documents every option of $prog --help" "$BUILD/$prog not built"
		skip "$m documents no option $prog lacks" "$BUILD/$prog not built"
		continue
	fi
	help_options "$BUILD/$prog" >"$TMP/help-opts"
	man_text "$m" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u >"$TMP/man-opts"
	missing=$(comm -23 "$TMP/help-opts" "$TMP/man-opts" | tr '\n' ' ')
	check "$m documents every option of $prog --help${missing:+ (missing: $missing)}" \
		test -z "$missing" -a -s "$TMP/help-opts"
	man_documented "$m" >"$TMP/man-doc"
	extra=$(comm -13 "$TMP/help-opts" "$TMP/man-doc" | tr '\n' ' ')
	check "$m documents no option $prog lacks${extra:+ (extra: $extra)}" test -z "$extra"
done

# --- systemd unit, sysusers, udev, completion --------------------------------
make -s --no-print-directory install-data DESTDIR="$TMP/data"
UNIT=$TMP/data/usr/local/lib/systemd/system/hsx-execd.service
# verify checks that ExecStart exists: point it at the build tree.
sed "s|/usr/local/sbin/hsx-execd|$PWD/$BUILD/hsx-execd|" "$UNIT" >"$TMP/hsx-execd.service"
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify: the unit is clean" sh -c \
		"systemd-analyze verify --man=no '$TMP/hsx-execd.service' 2>&1 | tee /dev/stderr | grep -q . && exit 1 || exit 0"
	check "systemd-analyze security: exposure at most 3.0 (of 10)" \
		systemd-analyze security --offline=yes --threshold=30 "$TMP/hsx-execd.service"
else
	skip "systemd-analyze verify" "systemd-analyze missing"
	skip "systemd-analyze security" "systemd-analyze missing"
fi
check "the unit bounds capabilities and hardens the sandbox" sh -c "
	grep -qx 'CapabilityBoundingSet=CAP_SYS_ADMIN CAP_SYS_RESOURCE CAP_SETPCAP' '$UNIT' &&
	grep -qx 'ProtectSystem=strict' '$UNIT' && grep -qx 'NoNewPrivileges=yes' '$UNIT' &&
	grep -qx 'RuntimeDirectory=hsx' '$UNIT' && grep -qx 'Group=hsxmbx' '$UNIT' &&
	grep -qx 'ExecStartPre=+/sbin/modprobe hsxmbx' '$UNIT'"
mkdir -p "$TMP/sysroot/etc"
check "sysusers.d creates the hsxmbx system group" sh -c "
	systemd-sysusers --root='$TMP/sysroot' --inline \"\$(grep -v '^#' packaging/sysusers/hsxmbx.conf)\" &&
	grep -q '^hsxmbx:x:[0-9]*:' '$TMP/sysroot/etc/group'"
check "udev rules: group hsxmbx 0660 for control/app/shared, 0600 for svc/pid/app@N" sh -c "
	R=packaging/udev/60-hsxmbx.rules
	grep -q 'DEVNAME}==\"/dev/hsxmbx/control\".*GROUP=\"hsxmbx\", MODE=\"0660\"' \$R &&
	grep -q 'DEVNAME}==\"/dev/hsxmbx/app/\*\".*GROUP=\"hsxmbx\", MODE=\"0660\"' \$R &&
	grep -q 'DEVNAME}==\"/dev/hsxmbx/app/\*@\[1-9\]\*\".*GROUP=\"root\", MODE=\"0600\"' \$R &&
	grep -q 'DEVNAME}==\"/dev/hsxmbx/shared/\*\".*GROUP=\"hsxmbx\", MODE=\"0660\"' \$R &&
	grep -q 'DEVNAME}==\"/dev/hsxmbx/svc/\*\".*MODE=\"0600\"' \$R &&
	grep -q 'DEVNAME}==\"/dev/hsxmbx/pid/\*\".*MODE=\"0600\"' \$R"

# offers WORD... -- EXPECTED: bash completion of WORD... offers EXPECTED.
offers() {
	want=$(eval echo "\${$#}")
	n=$(($# - 2))
	words=
	while [ $n -gt 0 ]; do words="$words $1"; shift; n=$((n - 1)); done
	tests/install/complete.bash packaging/bash-completion/hsx $words | grep -qx -- "$want" ||
		{ echo "completing '$words' does not offer '$want'"; return 1; }
}
completion_ok() {
	offers "$1" mb -- mbox && offers "$1" mbox re -- recv &&
		offers "$1" mbox recv --ti -- --timeout &&
		offers "$1" load --so -- --socket && offers "$1" mbox ls --ns a -- app
}
if [ -r /usr/share/bash-completion/bash_completion ]; then
	check "completion: commands, mbox subcommands, options from --help" \
		completion_ok "$BUILD/hsx"
else
	skip "completion" "bash-completion not installed"
fi

# --- DKMS and the Debian packages ---------------------------------------------
DEB=$BUILD/deb
if [ -e "$DEB/.built" ]; then
	check "make deb built hsxmbx-dkms, hsxmbx-tools and libhsxmbx-dev" test \
		-f "$DEB/hsxmbx-dkms_${VERSION}_all.deb" -a -f "$DEB/hsxmbx-tools_${VERSION}_amd64.deb" \
		-a -f "$DEB/libhsxmbx-dev_${VERSION}_amd64.deb"
	check "hsxmbx-tools: programs, unit, rules, sysusers, man, completion" sh -c "
		dpkg-deb -c '$DEB/hsxmbx-tools_${VERSION}_amd64.deb' | awk '{ print \$6 }' >'$TMP/tools'
		for f in ./usr/bin/hsx ./usr/sbin/hsx-execd ./lib/systemd/system/hsx-execd.service \
			./lib/udev/rules.d/60-hsxmbx.rules ./usr/lib/sysusers.d/hsxmbx.conf \
			./usr/share/man/man1/hsx.1.gz ./usr/share/man/man4/hsxmbx.4.gz \
			./usr/share/man/man8/hsx-execd.8.gz ./usr/share/bash-completion/completions/hsx; do
			grep -qx \"\$f\" '$TMP/tools' || { echo missing \$f; exit 1; }
		done
		dpkg-deb -I '$DEB/hsxmbx-tools_${VERSION}_amd64.deb' postinst | grep -q deb-systemd-helper"
	check "libhsxmbx-dev: headers, pc, shared and static library" sh -c "
		dpkg-deb -c '$DEB/libhsxmbx-dev_${VERSION}_amd64.deb' | awk '{ print \$6 }' >'$TMP/dev'
		for f in ./usr/include/hsxmbx/hsxmbx.h ./usr/include/hsxmbx/uapi/hsxmbx.h \
			./usr/lib/x86_64-linux-gnu/libhsxmbx.a ./usr/lib/x86_64-linux-gnu/libhsxmbx.so.$VERSION \
			./usr/lib/x86_64-linux-gnu/libhsxmbx.so.1 ./usr/lib/x86_64-linux-gnu/pkgconfig/hsxmbx.pc \
			./usr/share/man/man3/libhsxmbx.3.gz; do
			grep -qx \"\$f\" '$TMP/dev' || { echo missing \$f; exit 1; }
		done"
	dpkg-deb -x "$DEB/hsxmbx-dkms_${VERSION}_all.deb" "$TMP/dkms-pkg"
	SRC=$TMP/dkms-pkg/usr/src/hsxmbx-$VERSION
	check "hsxmbx-dkms: dkms.conf names the module and builds only it" sh -c "
		grep -qx 'PACKAGE_VERSION=\"$VERSION\"' '$SRC/dkms.conf' &&
		grep -qx 'BUILT_MODULE_NAME\[0\]=\"hsxmbx\"' '$SRC/dkms.conf' &&
		test -f '$SRC/Kbuild' -a -f '$SRC/include/uapi/hsxmbx.h' &&
		dpkg-deb -I '$DEB/hsxmbx-dkms_${VERSION}_all.deb' postinst | grep -q 'dkms/common.postinst'"
	if command -v dkms >/dev/null && [ -d "/lib/modules/$KVER/build" ]; then
		mkdir -p "$TMP/dkmstree" "$TMP/dkmssrc"
		cp -r "$SRC" "$TMP/dkmssrc/"
		check "dkms build of the packaged tree gives hsxmbx.ko for $KVER" sh -c "
			dkms build -m hsxmbx -v $VERSION -k $KVER --dkmstree '$TMP/dkmstree' \
				--sourcetree '$TMP/dkmssrc' &&
			modinfo -F name '$TMP/dkmstree/hsxmbx/$VERSION/$KVER/x86_64/module/hsxmbx.ko' | grep -qx hsxmbx"
	else
		skip "dkms build" "dkms or the $KVER headers missing"
	fi
else
	for t in "deb files" "tools package" "dev package" "dkms package" "dkms build"; do
		skip "$t" "$DEB/.built missing: run make deb"
	done
fi

# modules_install into a private INSTALL_MOD_PATH, depmod included.
if [ -e "$BUILD/hsxmbx.ko" ] && [ -e hsxmbx.ko ]; then
	check "make modules_install INSTALL_MOD_PATH=... installs and depmods" sh -c "
		make -s --no-print-directory modules_install INSTALL_MOD_PATH='$TMP/mods' >/dev/null &&
		cmp '$TMP/mods/lib/modules/$KVER/updates/hsxmbx.ko' '$BUILD/hsxmbx.ko' &&
		grep -q '^updates/hsxmbx.ko:' '$TMP/mods/lib/modules/$KVER/modules.dep'"
else
	skip "make modules_install" "the module is not built"
fi
