# shellcheck shell=sh
# DOC: TAP helpers and shared checks for tests/install (sourced, not run).
#
# Scripts run from the top of the checkout (the test driver's cwd); they
# cd there themselves so they also run by hand.

cd "$(dirname "$0")/../.." || exit 2
TAP_N=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hsxmbx-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

plan() { echo "1..$1"; }
pass() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
fail() {
	TAP_N=$((TAP_N + 1))
	echo "not ok $TAP_N - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

# check DESC CMD...: one test that passes when CMD succeeds; its output is
# shown (as TAP comments) only on failure.
check() {
	desc=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then
		pass "$desc"
	else
		fail "$desc" "$(head -c 2000 "$TMP/out")"
	fi
}

# installed_files ROOT: every file and symlink under ROOT, relative, sorted.
installed_files() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
}

# expected_files: the committed manifest, without the programs the build
# does not produce (yet); those are reported by the caller.
expected_files() {
	missing=$(make -s --no-print-directory print-install-missing)
	pat='^$'
	for p in $missing; do pat="$pat|/$p\$"; done
	grep -v '^#' tests/install/manifest | grep -Ev "$pat" | sort
}
