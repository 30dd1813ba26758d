#!/bin/bash
# DOC: print what the hsx bash completion offers for the last of WORDS.
# usage: complete.bash COMPLETION-FILE WORD... (the first WORD is the hsx
# binary to ask for --help, the last the word being completed).
. /usr/share/bash-completion/bash_completion
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_hsx "$1" "${!#}" "${@: -2:1}"
printf '%s\n' "${COMPREPLY[@]}"
