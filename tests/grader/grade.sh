#!/bin/sh
# grade.sh - `make check`: grade each stage, then total the scores.
#
# Environment (the Makefile sets these):
#   TREE=steps|solutions   which copy to grade (default steps)
#   STEP=N                 grade stage N only, or STEP="1 3" (default: every stage)
#   TEST=word              only tests whose name contains word, or TEST=N.M
#   SRC_ROOT=dir           grade the stages found in dir instead of TREE
#   BUILD=dir              where to build (default build)
#   QUIET=1                print only the summary (for the self-test)
#
# A stage that does not compile, crashes or hangs is reported as such
# and never keeps the other stages from being graded.  Exit status: 0
# when every graded test passed, 1 otherwise, 2 when no test ran.
set -u
cd "$(dirname "$0")/../.." || exit 2
# Grading uses each stage's own scheduler: a BACKEND left in the
# environment (TUTORIAL.md, "Going further") must not reach the builds.
unset BACKEND

TREE=${TREE:-steps}
STEP=${STEP:-}
TEST=${TEST:-}
SRC_ROOT=${SRC_ROOT:-$TREE}
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
QUIET=${QUIET:-0}
OUT=$BUILD/grade/$(echo "$SRC_ROOT" | tr '/' '_')
mkdir -p "$OUT" || exit 2

# A suite that hangs despite Check's per-test timeouts (a stuck runner)
# is stopped after this many seconds.
SUITE_LIMIT=${SUITE_LIMIT:-600}
if command -v timeout >/dev/null 2>&1; then
    with_limit() { timeout -k 5 "$SUITE_LIMIT" "$@"; }
else
    with_limit() { "$@"; }
fi

say() { [ "$QUIET" = 1 ] || printf '%s\n' "$*"; }

# Every suite appends one line per test here (tests/grader/grade.c,
# GRADE_RESULTS); the reports under $BUILD/report are made from it.
RESULTS=$OUT/results.tsv
: > "$RESULTS" || exit 2
case $RESULTS in
    /*) GRADE_RESULTS=$RESULTS ;;
    *) GRADE_RESULTS=$(pwd)/$RESULTS ;;
esac
export GRADE_RESULTS

stages=""
for dir in solutions/*/; do
    name=$(basename "$dir")
    number=$(echo "$name" | sed 's/^0*\([0-9]*\)-.*/\1/')
    case " $STEP " in
        "  " | *" $number "*) ;;
        *) continue ;;
    esac
    stages="$stages $name"
done
if [ -z "$stages" ]; then
    echo "make check: there is no stage '$STEP'; STEP must be a number from 1 to 5"
    exit 2
fi

total_passed=0
total_tests=0
summary=""
for name in $stages; do
    number=$(echo "$name" | sed 's/^0*\([0-9]*\)-.*/\1/')
    nn=$(echo "$name" | cut -c1-2)
    src=$SRC_ROOT/$name
    suite_src=tests/grader/test_$nn.c
    count=$(grep -c '^[[:space:]]*GRADED\(_SLOW\)\{0,1\}(' "$suite_src" 2>/dev/null)
    count=${count:-0}
    title=$(sed -n 's/^[[:space:]]*\.title = "\(.*\)",$/\1/p' "$suite_src" | head -n 1)
    log=$OUT/$name.log

    if [ ! -d "$src" ]; then
        say "Stage $number: $title"
        say "  MISSING  $src does not exist"
        summary="$summary
$(printf '  Stage %s  %-6s %s' "$number" "0/$count" "$title (missing)")"
        total_tests=$((total_tests + count))
        continue
    fi

    if ! $MAKE --no-print-directory -f tests/stage.mk SRC="$src" NAME="$name" OUT="$OUT" \
            program suite > "$log.build" 2>&1; then
        say "Stage $number: $title"
        say "  FAIL    the stage does not compile, so none of its $count tests could run."
        say "          The compiler's first complaints (all of them: $log.build):"
        if [ "$QUIET" != 1 ]; then
            grep -E 'error|warning' "$log.build" | head -n 8 | sed 's/^/          /'
        fi
        say "          hint: fix the first error first; later ones often follow from it."
        say "Stage $number score: 0/$count"
        summary="$summary
$(printf '  Stage %s  %-6s %s' "$number" "0/$count" "$title (does not compile)")"
        total_tests=$((total_tests + count))
        continue
    fi

    if [ "$QUIET" = 1 ]; then
        with_limit "$OUT/test-$name" ${TEST:+"$TEST"} > "$log" 2>&1
    else
        with_limit "$OUT/test-$name" ${TEST:+"$TEST"} 2>&1 | tee "$log"
    fi
    score=$(sed -n "s/^Stage $number score: \([0-9]*\/[0-9]*\)$/\1/p" "$log" | tail -n 1)
    if [ -z "$score" ]; then
        say "  CRASH   the grader of stage $number stopped before it finished (see $log);"
        say "          likely cause: the stage's code ended the whole test program."
        score="0/$count"
        note="(grader stopped)"
    else
        note=""
    fi
    passed=${score%/*}
    tests=${score#*/}
    total_passed=$((total_passed + passed))
    total_tests=$((total_tests + tests))
    summary="$summary
$(printf '  Stage %s  %-6s %s%s' "$number" "$passed/$tests" "$title" "${note:+ $note}")"
    say ""
done

if [ -f tests/grader/report.sh ]; then
    sh tests/grader/report.sh "$RESULTS" "$BUILD/report"
fi

echo "Summary:$summary"
echo "Score: $total_passed/$total_tests"
echo "$total_passed passed, $((total_tests - total_passed)) failed"
if [ "$total_tests" -eq 0 ]; then
    exit 2
fi
[ "$total_passed" -eq "$total_tests" ]
