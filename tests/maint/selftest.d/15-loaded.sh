# 15-loaded.sh - no correct code fails on a loaded machine.
#
# The solutions are graded as `make check` grades a learner (every stage,
# under the sanitizers where they work), first with a busy process on
# every core, then pinned to one core that a busy process shares.  A test
# that measures time or CPU instead of events fails here first.  Sourced
# by tests/maint/selftest.sh.
echo "The solutions on a loaded machine (full marks with busy processes beside them)"

# busy_start [CPU]: one process that spins (on CPU, when given); its PID
# is added to $busy_pids.  busy_stop ends them all.
busy_pids=""
busy_start() {
    if [ -n "${1:-}" ]; then
        taskset -c "$1" sh -c 'while :; do :; done' &
    else
        sh -c 'while :; do :; done' &
    fi
    busy_pids="$busy_pids $!"
}
busy_stop() {
    # shellcheck disable=SC2086 # a list of PIDs
    [ -n "$busy_pids" ] && kill $busy_pids 2>/dev/null
    wait $busy_pids 2>/dev/null
    busy_pids=""
}
trap 'busy_stop' EXIT INT TERM

# The grade make check gives: under the sanitizers where they work.
loaded_sanitize=0
[ -n "$sanitizer_cc" ] && loaded_sanitize=1
# The builds of the grades above are used again.
loaded_build=grades
[ -n "$sanitizer_cc" ] && loaded_build=sanitize
loaded_grade() { # grade every stage of the solutions
    env QUIET=1 TREE=solutions SANITIZE=$loaded_sanitize CC="${sanitizer_cc:-$primary}" \
        CFLAGS="-g -O1" BUILD="$ROOT/$loaded_build" sh tests/grader/grade.sh
}
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
core=0
while [ "$core" -lt "$cores" ]; do
    busy_start
    core=$((core + 1))
done
check "the solutions score full marks with a busy process on each of the $cores cores" loaded_grade
busy_stop
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
    busy_start 0
    check "the solutions score full marks pinned to one core shared with a busy process" \
        taskset -c 0 env QUIET=1 TREE=solutions SANITIZE=$loaded_sanitize CC="${sanitizer_cc:-$primary}" \
            CFLAGS="-g -O1" BUILD="$ROOT/$loaded_build" sh tests/grader/grade.sh
    busy_stop
else
    skip "the solutions pinned to one core" "taskset is missing (Debian/Ubuntu: apt-get install util-linux)"
fi
trap - EXIT INT TERM
