# 40-further.sh - Going further (further/): every backend passes the
# stage 5 suite, the maintainers' suite and the timers' suite (sleeping
# tasks, --idle-timeout); the stages' own server refuses --idle-timeout;
# the TUTORIAL quotes no benchmark figure that bench/RESULTS.md lacks.
# (selftest.sh's own check covers the backend suites of poll and epoll.)
echo "Going further: every backend, time, quoted figures"
further_backends="select poll"
[ "$(uname -s)" = Linux ] && further_backends="select poll epoll"

further_suites() { # BACKEND: build everything, run the suites selftest.sh does not
    further_out="$ROOT/backend-$1/solutions"
    BACKEND=$1 $MAKE --no-print-directory -f tests/stage.mk SRC=solutions/05-echo-handler \
        NAME=05-echo-handler OUT="$further_out" program suite backend-suite maint timer-suite &&
    if [ "$1" = select ]; then
        "$further_out/test-backends" && "$further_out/test-05-echo-handler"
    fi &&
    "$further_out/maint-05-echo-handler" && "$further_out/test-timers"
}
for further_backend in $further_backends; do
    check_later "BACKEND=$further_backend passes the maintainers' suite and the timers' (sleepers, --idle-timeout)" \
        further_suites "$further_backend"
done
checks_done

# The heap of deadlines and the per-fd state, under the sanitizers.
further_sanitized() { # BACKEND
    further_out="$ROOT/sanitize/backend-$1/solutions"
    SANITIZE=1 CC="$sanitizer_cc" CFLAGS='-g -O1' BACKEND=$1 $MAKE --no-print-directory -f tests/stage.mk \
        SRC=solutions/05-echo-handler NAME=05-echo-handler OUT="$further_out" timer-suite &&
    "$further_out/test-timers"
}
further_last=$(echo "$further_backends" | awk '{ print $NF }')
if [ -n "$sanitizer_cc" ]; then
    check "BACKEND=$further_last passes the timers' suite under ASan+UBSan+LSan ($sanitizer_cc)" \
        further_sanitized "$further_last"
fi

# The stage server has no timers: it must say which build has them.
stage_refuses_idle_timeout() {
    further_binary="$ROOT/$primary/solutions/05-echo-handler"
    further_output=$("$further_binary" --idle-timeout 2 2>&1)
    further_status=$?
    echo "$further_output"
    [ "$further_status" -eq 2 ] && echo "$further_output" | grep -q "BACKEND=select"
}
check "the stages' own server refuses --idle-timeout, naming the build that has it" \
    stage_refuses_idle_timeout

check "the tutorials' bench: blocks are bench/RESULTS.md's tables (bench/to_tutorials.sh)" \
    sh bench/to_tutorials.sh --check
check "TUTORIAL.md's Going further quotes only figures that bench/RESULTS.md contains" \
    sh tests/maint/figures.sh
check "TUTORIAL.ko.md's Going further quotes only figures that bench/RESULTS.md contains" \
    sh tests/maint/figures.sh TUTORIAL.ko.md
