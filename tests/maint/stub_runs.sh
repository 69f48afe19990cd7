#!/bin/sh
# stub_runs.sh - the learner's untouched stages run without crashing or
# hanging, and say which exercise is missing.
#
#   sh tests/maint/stub_runs.sh BUILD_DIR     (BUILD_DIR holds the steps/ programs)
set -u
cd "$(dirname "$0")/../.." || exit 2
dir=${1:?usage: stub_runs.sh BUILD_DIR}
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_limited() { # SECONDS PROGRAM ARGS...: run with a deadline; print the exit status
    seconds=$1
    shift
    "$@" > "$tmp/out" 2>&1 &
    pid=$!
    ticks=0
    while kill -0 "$pid" 2>/dev/null && [ "$ticks" -lt $((seconds * 20)) ]; do
        sleep 0.05
        ticks=$((ticks + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo hang
        return
    fi
    wait "$pid"
    echo $?
}

. tests/grader/manifest.sh
# Stages 1 to 3 are demonstrations that end by themselves.
for number in 1 2 3; do
    name=$(course_folder "$number")
    result=$(run_limited 10 "$dir/$name")
    echo "$name: exit $result"
    sed 's/^/    /' "$tmp/out"
    case "$result" in
        0) ;;
        *) echo "  $name did not end cleanly (exit $result)"; status=1 ;;
    esac
    grep -q "TODO: exercise" "$tmp/out" || { echo "  $name does not say which exercise is missing"; status=1; }
done

# Stage 4's untouched copy cannot listen yet (exercise 4.1): it must say
# so and exit non-zero, not crash.
name=$(course_folder 4)
result=$(run_limited 10 "$dir/$name" -b 127.0.0.1 -p 0)
echo "$name: exit $result"
sed 's/^/    /' "$tmp/out"
case "$result" in
    1) grep -q "TODO: exercise 4.1" "$tmp/out" || { echo "  no TODO for exercise 4.1"; status=1; } ;;
    *) echo "  $name should exit 1 naming exercise 4.1"; status=1 ;;
esac

# Stage 5's untouched copy listens (stage 4 is solved in it) and stops
# cleanly on SIGTERM.
name=$(course_folder 5)
"$dir/$name" -b 127.0.0.1 -p 0 > "$tmp/out5" 2>&1 &
pid=$!
ticks=0
until grep -q "Listening on" "$tmp/out5" || [ "$ticks" -gt 100 ]; do
    sleep 0.05
    ticks=$((ticks + 1))
done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
result=$?
echo "$name: exit $result after SIGTERM"
sed 's/^/    /' "$tmp/out5"
[ "$result" = 0 ] && grep -q "Listening on" "$tmp/out5" || { echo "  $name did not listen and stop cleanly"; status=1; }
exit $status
