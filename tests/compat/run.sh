#!/usr/bin/env bash
# DOC: the compatibility corpus (issue 18): MVASM programs with the image
# bytes, output and exit status the HSX reference gives them.
#
# Each directory under tests/compat/cases/ is one case.  Its file `case`:
#
#   app NAME SOURCE...   assemble SOURCE... (in this order) as NAME.hxe;
#                        NAME.spec holds the bytes it must have (written by
#                        hand from the reference, see spec2hxe.py)
#   run [=N] ARG...      hsx-run ARG..., with NAME standing for NAME.hxe;
#                        =N: this run's exit status, else the case's
#   status N             the exit status of its runs
#   stdout TEXT          its stdout, printf %b escapes (\n, \0000 ...)
#   stdout_hex HEX...    or its stdout as hex bytes (the lines add up)
#
# Two TAP lines per app (assembles; image matches) and one per run.
cd "$(dirname "$0")/../.." || exit 1
B=build
AS=$(readlink -f "${HSX_AS:-$B/hsx-as}")
RUN=${HSX_RUN:-$B/tests/apps/hsx-run-san}
[[ -x $RUN ]] || RUN=$B/hsx-run
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=0

ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); echo "not ok $N - $*"; }

# Count the TAP lines first so the plan comes before them.
plan=0
for c in tests/compat/cases/*/; do
	plan=$((plan + 2 * $(grep -c '^app ' "$c/case") + $(grep -c '^run ' "$c/case")))
done
echo "1..$plan"

check_app() { # CASEDIR NAME SOURCE...
	local dir=$1 name=$2 want got
	shift 2
	if ! (cd "$dir" && "$AS" --app-name "$name" -o "$TMP/$name.hxe" \
		"$@") 2>"$TMP/err"; then
		not_ok "$(basename "$dir"): $name assembles"
		sed 's/^/# /' "$TMP/err"
		not_ok "$(basename "$dir"): $name image bytes"
		return
	fi
	ok "$(basename "$dir"): $name assembles"
	want=$(python3 tests/compat/spec2hxe.py "$dir/$name.spec" "$name") || want=spec-error
	got=$(od -An -v -tx1 "$TMP/$name.hxe" | tr -d ' \n')
	if [[ $want == "$got" ]]; then
		ok "$(basename "$dir"): $name image bytes"
	else
		not_ok "$(basename "$dir"): $name image bytes"
		echo "# want $want"
		echo "# got  $got"
	fi
}

check_run() { # CASEDIR STATUS STDOUT ARG...
	local dir=$1 want_st=$2 want_out=$3 args=() a st
	shift 3
	for a in "$@"; do
		[[ -f $TMP/$a.hxe ]] && a=$TMP/$a.hxe
		args+=("$a")
	done
	"$RUN" "${args[@]}" </dev/null >"$TMP/out" 2>"$TMP/err"
	st=$?
	printf '%b' "$want_out" >"$TMP/want"
	if [[ $st -eq $want_st ]] && cmp -s "$TMP/out" "$TMP/want"; then
		ok "$(basename "$dir"): hsx-run $* exits $want_st with its output"
	else
		not_ok "$(basename "$dir"): hsx-run $* exits $want_st with its output"
		echo "# status $st"
		od -c "$TMP/out" | sed 's/^/# out: /' | head -10
		sed 's/^/# err: /' "$TMP/err" | head -10
	fi
}

for c in tests/compat/cases/*/; do
	c=${c%/}
	runs=() status=0 stdout= hex=
	while read -r key rest; do
		case $key in
		app) read -ra a <<<"$rest"; check_app "$c" "${a[@]}" ;;
		run) runs+=("$rest") ;;
		status) status=$rest ;;
		stdout) stdout=$rest ;;
		stdout_hex) hex+=$rest ;;
		esac
	done < <(grep -v '^#' "$c/case")
	[[ -n $hex ]] && stdout=$(tr -d ' ' <<<"$hex" | sed 's/../\\x&/g')
	for r in "${runs[@]}"; do
		read -ra a <<<"$r"
		if [[ ${a[0]} == =* ]]; then
			check_run "$c" "${a[0]#=}" "$stdout" "${a[@]:1}"
		else
			check_run "$c" "$status" "$stdout" "${a[@]}"
		fi
	done
done
