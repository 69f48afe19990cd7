#!/bin/sh
# run.sh - `make run`: runs a stage's program as it is, except that its
# advice about options is given in make's terms: a server that says
# "choose another port with -p" is run as make run ARGS="-p 26000".
#
#   sh tests/grader/run.sh PROGRAM [ARGS...]
#
# The program's stdout is untouched; its stderr passes through a filter
# that ignores Ctrl-C, so the server's last words still get through.
# The exit status is the program's.
set -u
. tests/grader/messages.sh
program=${1:?usage: run.sh PROGRAM [ARGS...]}
shift
status_file=$(mktemp "${TMPDIR:-/tmp}/course-run.XXXXXX") || exit 2
trap 'rm -f "$status_file"' EXIT
trap '' INT
{ { (trap - INT; exec "$program" "$@") 2>&1 1>&3 3>&-; echo $? > "$status_file"; } |
    awk -v note="$(msg run.port)" '{ print; fflush() }
         /with -p/ && !said { print note; said = 1; fflush() }' >&2
} 3>&1
status=$(cat "$status_file")
exit "${status:-1}"
