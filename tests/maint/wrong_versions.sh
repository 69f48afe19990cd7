#!/bin/sh
# wrong_versions.sh - grades each wrong version of tests/maint/wrong/versions.txt.
#
# Each version is the solved course with one exercise wrong.  Its stage
# must fail, and the grader's "Fix first:" line must name that exercise
# in at least 95% of the versions; no stage grade may take over 15 s on
# this machine as it was when the course was measured: the bound grows
# with a calibration taken in the same run (the solved stage 5 graded
# once, 2.5 s then), so a loaded or slow machine fails no grade that is
# merely slow.  WRONG_LIMIT=S sets the bound instead.
# Two versions are graded at a time, each only its own stage.
#
#   sh tests/maint/wrong_versions.sh WORK_DIR [ID...]
#
# AS_YOU_GO=1: the exercises after the wrong one are left as their stubs,
# as a learner who writes them in the tutorial's order meets them.
#
# Without IDs it grades the core set (make test); WRONG_SET=all grades
# the extra and sanitize versions too.  Graded without sanitizers
# (SANITIZE=0), as make test's time allows, except the sanitize ones: a
# bug only a sanitizer sees, graded as make check does (SANITIZE=1).
#
# WORK_DIR/results.tsv: ID, exercise, grade exit status, the exercise
# Fix first names, seconds the grade took (the build excluded).
set -u
# It reads the grader's English "Fix first:" line, whatever the locale.
COURSE_LANG=en
export COURSE_LANG
cd "$(dirname "$0")/../.." || exit 2
VERSIONS=${VERSIONS:-tests/maint/wrong/versions.txt}
. tests/grader/manifest.sh
MAKE=${MAKE:-make}

# milliseconds: a clock for the calibration (date +%N is not POSIX).
milliseconds() {
    ms=$(date +%s%N 2>/dev/null)
    case $ms in *N|'') echo $(( $(date +%s) * 1000 )) ;; *) echo $(( ms / 1000000 )) ;; esac
}
# The share of versions that must fail their stage, in percent: every one
# for the maintainers' own set; a set written blind may hold a mistake no
# test can see (it changes nothing the program does), so it may ask less.
MIN_CAUGHT=${WRONG_MIN_CAUGHT:-100}

if [ "${1:-}" = --one ]; then
    work=$2 id=$3
    dir=$work/$id
    rm -rf "$dir"
    if ! placed=$(sh tests/maint/wrong/apply.sh "$VERSIONS" "$id" "$dir/src" 2> "$dir.apply"); then
        printf '%s\t?\tapply\t-\t0\n' "$id"
        exit 0
    fi
    exercise=$(echo "$placed" | cut -f1)
    stage=$(echo "$placed" | cut -f2)
    if [ "${AS_YOU_GO:-0}" = 1 ]; then
        # As a learner meets it: the exercises after this one are stubs.
        . tests/grader/manifest.sh
        later=0
        for other in $(course_exercise_ids); do
            case $other in "${exercise%%.*}".*) ;; *) continue ;; esac
            [ "$later" = 1 ] || { [ "$other" = "$exercise" ] && later=1; continue; }
            for file in "$dir/src/$stage"/*; do
                awk -v mode=ids -f tests/maint/regions.awk "$file" 2>/dev/null | grep -qx "$other" || continue
                awk -v mode=splice -v id="$other" -v donor="steps/$stage/$(basename "$file")" \
                    -f tests/maint/regions.awk "$file" > "$file.new" && mv "$file.new" "$file"
            done
        done
    fi
    sanitize=0
    [ "$(echo "$placed" | cut -f3)" = sanitize ] && sanitize=1
    number=${exercise%%.*}
    out=$dir/build/grade/$(echo "$dir/src" | tr '/' '_')
    SANITIZE=$sanitize $MAKE --no-print-directory -f tests/stage.mk SRC="$dir/src/$stage" NAME="$stage" \
        OUT="$out" program suite > "$dir.build" 2>&1
    started=$(date +%s)
    env QUIET=0 SANITIZE=$sanitize SRC_ROOT="$dir/src" STEP="$number" BUILD="$dir/build" SUITE_LIMIT=120 \
        sh tests/grader/grade.sh > "$dir.grade" 2>&1
    status=$?
    seconds=$(( $(date +%s) - started ))
    fix=$(sed -n 's/^Fix first: exercise \([0-9.]*\) .*/\1/p' "$dir.grade" | head -n 1)
    printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$exercise" "$status" "${fix:--}" "$seconds"
    exit 0
fi

work=${1:?usage: wrong_versions.sh WORK_DIR [ID...]}
shift
mkdir -p "$work" || exit 2
case $work in /*) ;; *) work=$(pwd)/$work ;; esac
if [ $# -gt 0 ]; then
    ids=$*
else
    ids=$(sh tests/maint/wrong/apply.sh "$VERSIONS" --list |
          awk -F '\t' -v set="${WRONG_SET:-core}" 'set == "all" || $4 == set || (set == "core" && $4 == "pair") { print $1 }') || exit 2
fi
if [ -n "${WRONG_LIMIT:-}" ]; then
    LIMIT=$WRONG_LIMIT
else
    # The calibration: the solved stage 5, built, then graded as the
    # versions are (two at a time, to load the machine as they do).
    final=$(course_stages | tail -n 1)
    calibrate() {
        env QUIET=1 SANITIZE=0 TREE=solutions STEP="${final%%	*}" BUILD="$work/calibration$1" \
            sh tests/grader/grade.sh > "$work/calibration$1.log" 2>&1
    }
    calibrate 1 & calibrate 2
    wait
    calibration_started=$(milliseconds)
    calibrate 1 & calibrate 2
    wait
    calibration=$(( $(milliseconds) - calibration_started ))
    LIMIT=$(( 15 * (calibration > 2500 ? calibration : 2500) / 2500 ))
    echo "calibration: the solved final stage graded in $calibration ms (2500 when measured); each grade may take $LIMIT s"
fi
started=$(date +%s)
for id in $ids; do echo "$id"; done |
    xargs -P 2 -n 1 sh tests/maint/wrong_versions.sh --one "$work" > "$work/results.tsv"
elapsed=$(( $(date +%s) - started ))

all=0
[ $# -eq 0 ] && all=1
awk -F '\t' -v limit="$LIMIT" -v elapsed="$elapsed" -v work="$work" -v all="$all" -v min_caught="$MIN_CAUGHT" '
    { n++; per[$2]++ }
    $3 == "apply" { print "  CANNOT APPLY " $1 " (" work "/" $1 ".apply)"; bad++; next }
    $3 == 1 { caught++ }
    $3 != 1 { print "  PASSES       " $1 ": its stage did not fail (" work "/" $1 ".grade)"; passes++ }
    $4 == $2 { right++ }
    $4 != $2 { print "  WRONG FIX    " $1 ": Fix first names " $4 ", not " $2 " (" work "/" $1 ".grade)" }
    $5 > slowest { slowest = $5; slow = $1 }
    $5 > limit { print "  SLOW         " $1 ": its stage took " $5 " s (more than " limit ")"; bad++ }
    END {
        for (e in per) if (per[e] < 4 && all) { print "  exercise " e " has only " per[e] " wrong versions (4 at least)"; bad++ }
        printf "%d wrong versions; %d fail their stage (%.0f%%); %d with the right Fix first (%.0f%%); slowest grade %d s (%s); %d s in all\n",
               n, caught, n ? 100 * caught / n : 0, right, n ? 100 * right / n : 0, slowest, slow, elapsed
        if (passes > 0 && 100 * caught < min_caught * n) { print "fewer than " min_caught "% fail their stage"; bad++ }
        if (n < 60 && all) { print "fewer than 60 wrong versions"; bad++ }
        exit (bad > 0 || right < 0.95 * n) ? 1 : 0
    }' "$work/results.tsv"
