# 35-final.sh - the final server against hostile parents, clients and
# outputs (issue 17), on every build, under the sanitizers.
#
# The maintainers' suite (tests/maint/maint_05.c) tags "final" the cases
# of a parent that blocked the stop signals, stdout on a filesystem that
# fills up, and a terminal paused with Ctrl-S; the timers' suite
# (tests/maint/timers.c) has the client that never reads its replies
# beside one that reads slowly (--idle-timeout).  selftest.sh runs them
# plain and sanitized on the course's server, 40-further.sh plain on each
# backend; here they run sanitized on each backend.  (`make run` passing
# a stop signal on is in the maintainers' suite itself.)
# Sourced by tests/maint/selftest.sh.

echo "The final server: stop mask, never-readers, full disks, paused terminals (every backend, sanitized)"
final_backends="select poll"
[ "$(uname -s)" = Linux ] && final_backends="select poll epoll"
final_sanitized() { # BACKEND
    final_out="$ROOT/sanitize/backend-$1/final"
    SANITIZE=1 CC="$sanitizer_cc" CFLAGS='-g -O1' BACKEND=$1 $MAKE --no-print-directory -f tests/stage.mk \
        SRC=solutions/05-echo-handler NAME=05-echo-handler OUT="$final_out" program maint timer-suite &&
    "$final_out/maint-05-echo-handler" final && "$final_out/test-timers" "never reads"
}
if [ -n "$sanitizer_cc" ]; then
    for final_backend in $final_backends; do
        check_later "BACKEND=$final_backend under ASan+UBSan+LSan: stop mask, full disk, paused terminal, never-reader ($sanitizer_cc)" \
            final_sanitized "$final_backend"
    done
    checks_done
fi
