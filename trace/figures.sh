#!/bin/sh
# figures.sh - the tutorial's pictures of each stage's run: a timeline
# drawn from a committed trace of the solutions (trace/figures/).
#
#   sh trace/figures.sh          run the solutions again, keep their
#                                traces, draw the pictures (needs node)
#   sh trace/figures.sh draw     draw the pictures again from the
#                                committed traces (after a change to
#                                trace/model.js's drawing)
#   sh trace/figures.sh check    the committed pictures are what their
#                                traces draw, and the traces still fit
#                                the code (make test)
#
# A run differs a little each time (select() answers as the kernel
# decides), so the check never compares a new run: it draws the
# committed trace again and compares, byte for byte; and it checks that
# every resume point of the trace is still a yield of the same task in
# the solutions, so an edit that moves a yield makes it say: run
# `sh trace/figures.sh` and commit.
#
# One line per picture: stage, first step, last step (0: the whole run).
set -u
cd "$(dirname "$0")/.." || exit 2
FIGURES="2 1 0
3 1 120
4 1 0
5 1 0"
dir=trace/figures
command -v node >/dev/null 2>&1 || { echo "figures.sh: needs node (Debian package nodejs)"; exit 2; }

draw() { # STAGE FIRST LAST LANG
    if [ "$3" -gt 0 ]; then
        node trace/figure.js "$dir/stage-$1.trace" "$4" "$2" "$3"
    else
        node trace/figure.js "$dir/stage-$1.trace" "$4"
    fi
}

if [ "${1:-}" = draw ]; then
    echo "$FIGURES" | while read -r stage first last; do
        draw "$stage" "$first" "$last" en > "$dir/stage-$stage.svg" &&
        draw "$stage" "$first" "$last" ko > "$dir/stage-$stage.ko.svg" || exit 1
        echo "drew $dir/stage-$stage.svg and $dir/stage-$stage.ko.svg"
    done
    exit $?
fi
if [ "${1:-}" != check ]; then
    mkdir -p "$dir"
    echo "$FIGURES" | while read -r stage first last; do
        ${MAKE:-make} --no-print-directory trace "$stage" SOLUTIONS=1 BUILD=build/figures > /dev/null || exit 1
        grep -v '^@ev meta program ' "build/figures/trace/stage-$stage.trace" > "$dir/stage-$stage.trace"
        draw "$stage" "$first" "$last" en > "$dir/stage-$stage.svg" || exit 1
        draw "$stage" "$first" "$last" ko > "$dir/stage-$stage.ko.svg" || exit 1
        echo "wrote $dir/stage-$stage.trace, $dir/stage-$stage.svg and $dir/stage-$stage.ko.svg"
    done
    exit $?
fi

failed=0
points=$(mktemp "${TMPDIR:-/tmp}/figures.XXXXXX") || exit 2
trap 'rm -f "$points"' EXIT
while read -r stage first last; do
    for lang in en ko; do
        svg=$dir/stage-$stage.svg
        [ "$lang" = ko ] && svg=$dir/stage-$stage.ko.svg
        if ! draw "$stage" "$first" "$last" "$lang" | cmp -s - "$svg"; then
            echo "$svg is not what $dir/stage-$stage.trace draws: run sh trace/figures.sh and commit"
            failed=1
        fi
    done
    # Every "resume ID FILE LINE" (LINE > 0) and "yield ID REASON FD LINE"
    # must name a line of FILE that yields, in a file that makes that task.
    awk '$1 == "@ev" && $2 == "spawn" { name[$3] = $4 }
         $1 == "@ev" && $2 == "resume" { file[$3] = $4; if ($5 > 0) print name[$3], $4, $5 }
         $1 == "@ev" && $2 == "yield" { print name[$3], file[$3], $6 }' "$dir/stage-$stage.trace" |
        sort -u > "$points"
    while read -r name file line; do
        text=$(sed -n "${line}p" "$file" 2>/dev/null)
        case $text in
            *YIELD*|*TASK_END*) ;;
            *) echo "$dir/stage-$stage.trace: $name yields at $file:$line, which now reads '$text': run sh trace/figures.sh and commit"
               failed=1 ;;
        esac
        grep -q "\"$name\"" "$file" 2>/dev/null ||
            { echo "$dir/stage-$stage.trace: task $name is no longer made in $file"; failed=1; }
    done < "$points"
done <<EOF_FIGURES
$FIGURES
EOF_FIGURES
[ "$failed" -eq 0 ] && echo "the pictures of stages $(echo "$FIGURES" | awk '{ printf "%s%s", s, $1; s = ", " }') are what their traces draw, and the traces fit the solutions"
exit "$failed"
