# 30-output.sh - the final server never stalls on its own output and
# always stops (issue 10), on every build.
#
# The cases tagged "stall" in tests/maint/maint_05.c (an unread stdout
# with 5000 clients, a full stderr under a refusal flood, SIGTERM,
# SIGINT and SIGHUP while stuck, bytes verified, resets, accept storms,
# ENOBUFS, bad arguments) run plain and sanitized with the rest of that
# suite in selftest.sh; here they run again against the scheduler of
# further/ with each backend.  Sourced by tests/maint/selftest.sh.

echo "Output never stalls the server, signals always stop it (every build)"

# The stage 3 demo with stdin and stdout closed: without
# open_standard_fds(), pipe() would hand it fds 0 and 1 and its log would
# go into its own pipe.  Closed, it must still run to its end, quietly;
# with only stdin closed, every line of its log must come out.
demo_with_closed_fds() { # PROGRAM
    demo_dir="$ROOT/demo-fds"
    mkdir -p "$demo_dir"
    "$1" <&- >&- 2> "$demo_dir/closed.err" &
    demo_pid=$!
    demo_waited=0
    # A watchdog, not a synchronization: the demo normally ends at once.
    while kill -0 "$demo_pid" 2>/dev/null && [ "$demo_waited" -lt 100 ]; do
        sleep 0.1
        demo_waited=$((demo_waited + 1))
    done
    if kill -0 "$demo_pid" 2>/dev/null; then
        kill -9 "$demo_pid"
        wait "$demo_pid"
        echo "with stdin and stdout closed the demo did not end within 10 s"
        return 1
    fi
    wait "$demo_pid"
    demo_status=$?
    [ "$demo_status" -eq 0 ] || { echo "with stdin and stdout closed the demo exited $demo_status"; return 1; }
    if [ -s "$demo_dir/closed.err" ]; then
        echo "with stdin and stdout closed the demo complained:"
        cat "$demo_dir/closed.err"
        return 1
    fi
    "$1" <&- > "$demo_dir/log" 2>&1 || { echo "with stdin closed the demo failed"; return 1; }
    for line in "line_reader: end of file" "flood_reader: end of file after 1048576 bytes" \
                "line_writer: done, closed its end"; do
        grep -qx "$line" "$demo_dir/log" || {
            echo "with stdin closed the demo's log lacks \"$line\"; it was:"
            cat "$demo_dir/log"
            return 1
        }
    done
    [ "$(grep -c '^Task done$' "$demo_dir/log")" -eq 4 ] || {
        echo "with stdin closed the demo's log should have 4 \"Task done\" lines; it was:"
        cat "$demo_dir/log"
        return 1
    }
}
check "the stage 3 demo runs with stdin and stdout closed, and logs everything with stdin closed" \
    demo_with_closed_fds "$ROOT/$primary/solutions/03-select-loop"

# accept() failing with ENOBUFS cannot be provoked from outside: a
# preloaded library fakes it (LD_PRELOAD, so Linux only).  Elsewhere the
# test says it was not run.
output_shim=
if [ "$(uname -s)" = Linux ]; then
    case $ROOT in
        /*) output_shim=$ROOT/enobufs_shim.so ;;
        *) output_shim=$(pwd)/$ROOT/enobufs_shim.so ;;
    esac
    check "the ENOBUFS fault-injection library builds" \
        "$primary" -shared -fPIC -D_GNU_SOURCE -Wall -Wextra -Werror -o "$output_shim" \
            tests/maint/enobufs_shim.c -ldl
    check "accept() failing with ENOBUFS: the course's server backs off and logs once a second" \
        env ENOBUFS_SHIM="$output_shim" "$ROOT/$primary/solutions/maint-05-echo-handler" ENOBUFS
fi

output_backends="select poll"
[ "$(uname -s)" = Linux ] && output_backends="select poll epoll"
output_cases() { # BACKEND
    output_out="$ROOT/backend-$1/solutions"
    BACKEND=$1 $MAKE --no-print-directory -f tests/stage.mk SRC=solutions/05-echo-handler \
        NAME=05-echo-handler OUT="$output_out" program maint &&
    ENOBUFS_SHIM=$output_shim "$output_out/maint-05-echo-handler" stall
}
for backend in $output_backends; do
    check_later "BACKEND=$backend: output never stalls, signals stop it, bytes and fds add up" \
        output_cases "$backend"
done
checks_done
