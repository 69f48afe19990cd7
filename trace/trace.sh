#!/bin/sh
# trace.sh - `make trace N`: run stage N with the structured trace on and
# draw the run as one page, build/trace/stage-N.html (its path is the
# last line printed).
#
#   sh trace/trace.sh N TREE PROGRAM [ARGS...]
#
# The Makefile builds PROGRAM (TREE's stage N) first.  A demonstration
# (stages 2 and 3) runs as it is; a server (stages 4 and 5) listens on
# 127.0.0.1, on a port the system picks, and trace/run.c's two scripted
# clients talk to it before SIGINT stops it.  A run that has not ended
# after $TRACE_SECONDS (default 5) seconds is stopped and drawn up to
# there.  The page opens in the learner's language (COURSE_LANG, LC_ALL,
# LANG, as tests/grader/manifest.sh decides).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/grader/manifest.sh
stage=$1 tree=$2 program=$3
shift 3
BUILD=${BUILD:-build}
out=$BUILD/trace
folder=$(course_folder "$stage")
seconds=${TRACE_SECONDS:-5}

if [ ! -f "$tree/$folder/scheduler.c" ]; then
    echo "make trace: stage $stage has no scheduler to draw (tasks and run() come in stage 2): try make trace 2" >&2
    exit 2
fi
mkdir -p "$out" || exit 1
runner=$out/run
if [ ! -x "$runner" ] || [ -n "$(find trace/run.c -newer "$runner")" ]; then
    # shellcheck disable=SC2046 # the flags are words
    ${CC:-cc} $(${MAKE:-make} --no-print-directory -f tests/flags.mk print-flags) \
        trace/run.c -o "$runner" || exit 1
fi

raw=$out/stage-$stage.trace
page=$out/stage-$stage.html
scenario=none
if grep -q parse_server_options "$tree/$folder/main.c" 2>/dev/null; then
    scenario=clients
    set -- -b 127.0.0.1 -p 0 "$@"
fi
{
    printf '@ev meta stage %s\n' "$stage"
    printf '@ev meta title %s\n' "$(course_title "$stage")"
    printf '@ev meta tree %s\n' "$tree"
    printf '@ev meta program %s\n' "$program${*:+ $*}"
} > "$raw"
if [ "$scenario" = clients ]; then
    printf '@ev meta scenario %s\n' "Two clients made by make trace: client 1 connects and sends a line; client 2 connects and sends a line; client 1 sends another line and leaves; client 2 leaves; then SIGINT stops the server." >> "$raw"
    echo "make trace: running $program $* with two scripted clients (trace/run.c)"
else
    echo "make trace: running $program $*"
fi
"$runner" "$seconds" "$raw" "$scenario" "$program" "$@" || exit 1

lang=en
[ "$(course_tutorial)" = TUTORIAL.ko.md ] && lang=ko
events=$(grep -c '^@ev ' "$raw")
lines=$(grep -vc '^@ev ' "$raw")
echo "make trace: $events events and $lines lines of output in $raw"
sh trace/page.sh "$raw" "$page" "$lang" || exit 1
echo "make trace: open it in a browser; #step=K at the end of its address opens step K"
echo "$page"
