#!/bin/sh
# run.sh - `make run`: runs a stage's program as it is, except that its
# advice about options is given in make's terms: a server that says
# "choose another port with -p" is run as make run ARGS="-p 26000".
#
#   sh tests/grader/run.sh PROGRAM [ARGS...]
#
# The program's stdout is untouched; its stderr passes through a filter
# (awk, which ignores Ctrl-C, so the server's last words still get through).
# A stop signal that reaches this script is passed on to the program, and
# the script waits for it to say its last words and exit: an editor's stop
# button or a supervisor sends SIGTERM to make alone, make passes it to its
# child (this script), and the server must not be left behind holding its
# port.  (GNU make passes on SIGTERM only: on a SIGINT it waits for its
# children, since a Ctrl-C at the terminal reaches the whole group.)
# The exit status is the program's.
set -u
. tests/grader/messages.sh
program=${1:?usage: run.sh PROGRAM [ARGS...]}
shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/course-run.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/stderr" || exit 2
awk -v note="$(msg run.port)" '{ print; fflush() }
     /with -p/ && !said { print note; said = 1; fflush() }' \
    < "$dir/stderr" >&2 &
filter=$!
# In the background, so that a trap can run while we wait (sh runs traps
# only between commands, and `wait` is one).  A background command gets
# /dev/null for stdin unless told otherwise: it keeps ours.
exec 3<&0
"$program" "$@" <&3 3<&- 2> "$dir/stderr" &
pid=$!
exec 3<&-
for sig in INT TERM HUP; do
    # shellcheck disable=SC2064 # the signal's name is meant to be expanded now
    trap "kill -$sig $pid 2>/dev/null" "$sig"
done
# wait returns early (above 128) when a trapped signal comes: wait again
# until the program itself has ended (a zombie still answers kill -0).
while :; do
    wait "$pid"
    status=$?
    kill -0 "$pid" 2>/dev/null || break
done
wait "$filter"
exit "$status"
