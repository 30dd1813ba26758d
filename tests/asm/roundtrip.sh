#!/bin/sh
# DOC: hsx-dis round trip: every assembled example, disassembled and
# assembled again, gives identical bytes (TAP).
#
# Images: build/examples/*.hxe, build/examples/apps/*.hxe, build/apps/*.hxe
# and the metadata fixture tests/asm/meta_fixture.mvasm (.value, .cmd,
# .mailbox).  The app name is not a directive; the listing's header
# comment names it and we pass it back with --app-name.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$ROOT/build
AS=$B/hsx-as
DIS=$B/hsx-dis
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$AS" --app-name meta_fixture -o "$TMP/meta_fixture.hxe" \
	"$ROOT/tests/asm/meta_fixture.mvasm" 2>"$TMP/fixture.err"
fixture_status=$?

set --
for f in "$B"/examples/*.hxe "$B"/examples/apps/*.hxe "$B"/apps/*.hxe \
	"$TMP/meta_fixture.hxe"; do
	[ -f "$f" ] && set -- "$@" "$f"
done
echo "1..$(($# + 2))"
n=0
if [ "$fixture_status" -eq 0 ]; then
	n=$((n + 1)); echo "ok $n - fixture with .value/.cmd/.mailbox assembles"
else
	n=$((n + 1)); echo "not ok $n - fixture with .value/.cmd/.mailbox assembles"
	sed 's/^/# /' "$TMP/fixture.err"
fi
if [ $# -ge 10 ]; then
	n=$((n + 1)); echo "ok $n - found $# images to round-trip"
else
	n=$((n + 1)); echo "not ok $n - only $# images found (run make first)"
fi
for f in "$@"; do
	n=$((n + 1))
	rel=${f#"$B"/}
	base=$(basename "$f" .hxe)
	lst=$TMP/$base.$n.mvasm
	if ! "$DIS" -o "$lst" "$f" 2>"$TMP/err"; then
		echo "not ok $n - $rel: hsx-dis failed"
		sed 's/^/# /' "$TMP/err"
		continue
	fi
	name=$(sed -n "s/^; app_name \"\([^\"]*\)\".*/\1/p" "$lst")
	if ! "$AS" --app-name "$name" -o "$TMP/again.hxe" "$lst" 2>"$TMP/err"; then
		echo "not ok $n - $rel: listing does not assemble"
		sed 's/^/# /' "$TMP/err" | head -5
		continue
	fi
	if cmp -s "$f" "$TMP/again.hxe"; then
		echo "ok $n - $rel round-trips byte for byte"
	else
		echo "not ok $n - $rel differs after round trip"
		cmp "$f" "$TMP/again.hxe" | sed 's/^/# /'
	fi
done
