#!/bin/sh
# stress.sh - the solved final server under tests/maint/stress.c's random
# clients, then a look at how it ended.
#
#   sh tests/maint/stress.sh [short|long] [STRESS OPTIONS...]
#
# short (the default): 50 clients at once for 5 s; long: 300 for 60 s.
# Other options go to the stress client as they are (--seed X to replay
# a run, --clients N or --seconds S to override).  CC, MAKE, BUILD and
# SANITIZE are honored as by the Makefile.
#
# Checks, one pass/fail each: both programs build; stress exits 0; the
# server exits 0 on SIGTERM; its "Stopped" line counts the connections
# stress made; it printed no error but the resets that stress causes on
# purpose.  Ends with "N passed, M failed" and exits 1 if any failed.
# The server runs on 127.0.0.1, a port of the system's choosing, and is
# killed on every way out.
set -u
cd "$(dirname "$0")/../.." || exit 2

mode=short
case ${1:-} in
    short | long) mode=$1; shift ;;
esac
if [ "$mode" = long ]; then
    clients=300 seconds=60
else
    clients=50 seconds=5
fi

MAKE=${MAKE:-make}
CC=${CC:-cc}
. tests/grader/manifest.sh
final=$(course_stages | tail -n 1 | cut -f2)
COURSE_FLAGS=$($MAKE -s --no-print-directory -f tests/flags.mk print-flags)
if [ "${SANITIZE:-0}" = 1 ]; then
    BUILD=${BUILD:-build/sanitize}
    SAN=$($MAKE -s --no-print-directory -f tests/flags.mk print-sanitize)
else
    BUILD=${BUILD:-build}
    SAN=
fi
export CC SANITIZE
out=$BUILD/solutions
dir=$BUILD/stress
server=$out/$final
mkdir -p "$dir"

. tests/maint/counter.sh
finish() {
    counted
    exit $?
}

server_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
}
trap cleanup EXIT
trap 'echo "stress.sh: interrupted"; exit 130' INT TERM HUP

echo "Stress ($mode): the solved server against $clients random clients for $seconds s"

if $MAKE --no-print-directory -s -f tests/stage.mk SRC="solutions/$final" \
        NAME="$final" OUT="$out" program; then
    pass "the server builds ($server)"
else
    fail "the server does not build"
    finish
fi
# $SAN and ${CFLAGS} are lists of words: split on purpose.
# shellcheck disable=SC2086
if $CC $COURSE_FLAGS ${CFLAGS:--g -O2} \
        $SAN tests/maint/stress.c -o "$dir/stress"; then
    pass "the stress client builds ($dir/stress)"
else
    fail "the stress client does not build"
    finish
fi

log=$dir/server.log
"$server" -b 127.0.0.1 -p 0 > "$log" 2>&1 &
server_pid=$!
port=
tries=0
while [ -z "$port" ] && [ $tries -lt 100 ] && kill -0 "$server_pid" 2>/dev/null; do
    port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log")
    [ -n "$port" ] || sleep 0.1 2>/dev/null || sleep 1
    tries=$((tries + 1))
done
if [ -z "$port" ]; then
    fail "the server did not print 'Listening on 127.0.0.1:PORT'; it printed:"
    sed 's/^/          /' "$log"
    finish
fi

report=$dir/stress.out
"$dir/stress" "$port" --clients "$clients" --seconds "$seconds" "$@" > "$report" 2>&1
status=$?
sed 's/^/          /' "$report"
made=$(sed -n 's/^stress: \([0-9][0-9]*\) connections, .* 0 errors$/\1/p' "$report")
if [ $status -eq 0 ] && [ -n "$made" ]; then
    pass "every reply to $made connections echoed every byte, in order, in chunks of 1 to 1000"
else
    fail "the stress client failed (exit status $status); see above and $log"
fi

kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid"
status=$?
server_pid=
if [ $status -eq 0 ]; then
    pass "the server exits with status 0 on SIGTERM"
else
    fail "the server exited with status $status on SIGTERM (expected 0); the end of $log:"
    tail -n 5 "$log" | sed 's/^/          /'
fi

stopped=$(sed -n 's/^Stopped by signal 15 (.*) after \([0-9][0-9]*\) connection(s)$/\1/p' "$log")
if [ -n "$stopped" ] && [ "$stopped" = "$made" ]; then
    pass "the server counted the $stopped connections stress made"
else
    fail "the server's 'Stopped by signal 15 (...) after K connection(s)' line says K=${stopped:-(no line)}; stress made ${made:-?}"
fi

# Resets are the stress client's doing (reset and unread connections,
# and echo ones that close as their reply completes); anything else is
# an error of the server.
unexpected=$(grep -v -e '^Listening on ' -e '^Connection from ' -e '^Connection closed$' \
    -e '^Task done$' -e '^Stopped by signal ' \
    -e '^echo_handler: 127\.0\.0\.1:[0-9]*: recv failed: Connection reset by peer$' \
    -e '^echo_handler: 127\.0\.0\.1:[0-9]*: send failed: Connection reset by peer$' \
    -e '^echo_handler: 127\.0\.0\.1:[0-9]*: send failed: Broken pipe$' "$log")
if [ -z "$unexpected" ]; then
    resets=$(grep -c '^echo_handler: ' "$log")
    pass "the server printed no unexpected line ($resets reset(s) reported, all caused by stress)"
else
    fail "the server printed unexpected lines (first 10 below; all in $log):"
    echo "$unexpected" | head -n 10 | sed 's/^/          /'
fi

finish
