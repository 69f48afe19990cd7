#!/bin/sh
# class.sh - `make grade-class SUBMISSIONS=DIR [JOBS=N]`: grade every
# learner's copy under DIR (one folder each, named after the learner)
# with tests/teach/submission.sh, JOBS at a time, then write the class's
# reports in CLASS_OUT (build/class):
#
#   grades.csv    one row per learner: the points of each exercise, then
#                 score, max_score and the exercise to fix first
#   summary.txt   how many learners pass each exercise, and the exercise
#                 most often named first in "Fix first"
#   NAME/         grade.json, results.json, junit.xml, report.txt
#
# Each submission graded at once gets a user of its own (60000 + slot).
set -u
cd "$(dirname "$0")/../.." || exit 2
dir=${1:?usage: sh tests/teach/class.sh SUBMISSIONS_DIR}
[ -d "$dir" ] || { echo "grade-class: SUBMISSIONS=$dir is not a folder (one folder per learner in it)"; exit 2; }
JOBS=${JOBS:-2}
case $JOBS in *[!0-9]* | "" | 0) echo "grade-class: JOBS=$JOBS: give a number of submissions to grade at once"; exit 2 ;; esac
CLASS_OUT=${CLASS_OUT:-build/class}
export CLASS_OUT
. tests/grader/manifest.sh
. tests/teach/sandbox.sh
sandbox_probe
[ -n "$SANDBOX_NOTE" ] && echo "$SANDBOX_NOTE"
rm -rf "$CLASS_OUT"
mkdir -p "$CLASS_OUT" || exit 2
started=$(date +%s)

names=""
for learner in "$dir"/*/; do
    [ -d "$learner" ] || continue
    learner=$(basename "$learner")
    case $learner in
        *[!A-Za-z0-9._-]* | .*)
            echo "grade-class: skipping the folder '$learner': a learner's folder is named with letters, digits, . _ - only (rename it)"
            continue ;;
    esac
    names="$names $learner"
done
[ -n "$names" ] || { echo "grade-class: no folder in $dir (one folder per learner)"; exit 2; }

# The first submission alone builds the class's shared parts (the
# teacher's course copy and the lists of tests); then JOBS at a time.
slot=0
running=0
for learner in $names; do
    slot=$((slot + 1))
    CLASS_SLOT=$slot sh tests/teach/submission.sh "$dir/$learner" "$learner" > "$CLASS_OUT/.$learner.out" 2>&1 &
    running=$((running + 1))
    if [ "$slot" = 1 ] || [ "$running" -ge "$JOBS" ]; then
        wait
        running=0
        for done_learner in $names; do
            [ -f "$CLASS_OUT/.$done_learner.out" ] && [ ! -f "$CLASS_OUT/.$done_learner.shown" ] || continue
            sed -n '1p' "$CLASS_OUT/.$done_learner.out" | grep -v '^sandbox:'
            grep '^  rejected\|^  stage' "$CLASS_OUT/.$done_learner.out" || true
            touch "$CLASS_OUT/.$done_learner.shown"
        done
    fi
done
wait
for learner in $names; do
    [ -f "$CLASS_OUT/.$learner.shown" ] && continue
    sed -n '1p' "$CLASS_OUT/.$learner.out" | grep -v '^sandbox:'
    grep '^  rejected\|^  stage' "$CLASS_OUT/.$learner.out" || true
done

# grades.csv: a learner whose grading failed outright still gets a row.
{
    printf 'learner'
    for id in $(course_exercise_ids); do printf ',%s' "$id"; done
    printf ',score,max_score,fix_first\n'
    for learner in $names; do
        row=$CLASS_OUT/$learner/row.tsv
        if [ -f "$row" ]; then
            tr '\t' ',' < "$row"
        else
            printf '%s' "$learner"
            for id in $(course_exercise_ids); do printf ',0'; done
            printf ',0,%s,\n' "$(awk -F'\t' '$1 == "exercise" { s += ($6 == "" ? 1 : $6) } END { print s }' tests/course.txt)"
            echo "grade-class: $learner could not be graded (see $CLASS_OUT/.$learner.out)" >&2
        fi
    done
} > "$CLASS_OUT/grades.csv"

awk -F',' -v learners="$(echo $names | wc -w)" -v seconds=$(( $(date +%s) - started )) '
    FNR == 1 { for (i = 2; i <= NF - 3; i++) id[i] = $i; n = NF; next }
    { for (i = 2; i <= n - 3; i++) {
          if (!(i in max)) max[i] = 0
          got[i] += ($i > 0); full[i] += 0
      }
      if ($n != "") first[$n]++
    }
    END {
        printf "%d learners graded in %d s\n", learners, seconds
        print "Learners with points in each exercise (all of them: see grade.json):"
        for (i = 2; i <= n - 3; i++) printf "  %-5s %d of %d\n", id[i], got[i], learners
        best = ""
        for (e in first) if (best == "" || first[e] > first[best] || (first[e] == first[best] && e < best)) best = e
        if (best != "") printf "Most often named first in Fix first: exercise %s (%d learner%s)\n", best, first[best], first[best] == 1 ? "" : "s"
    }' "$CLASS_OUT/grades.csv" > "$CLASS_OUT/summary.txt"
# Full marks per exercise, from each learner's grade.json.
for id in $(course_exercise_ids); do
    full=0
    for learner in $names; do
        grep -q "^    \"$id\": {[^}]*\"done\": true" "$CLASS_OUT/$learner/grade.json" 2>/dev/null && full=$((full + 1))
    done
    printf '%s\t%s\n' "$id" "$full"
done > "$CLASS_OUT/.done"
awk -F'\t' 'NR == FNR { done[$1] = $2; next }
    /^  [0-9]+\.[0-9]+ / { split($0, w, " "); print $0 ", " done[w[1]] " with full marks"; next } { print }' \
    "$CLASS_OUT/.done" "$CLASS_OUT/summary.txt" > "$CLASS_OUT/summary.tmp" && mv "$CLASS_OUT/summary.tmp" "$CLASS_OUT/summary.txt"
rm -f "$CLASS_OUT"/.*.shown "$CLASS_OUT/.done"
cat "$CLASS_OUT/summary.txt"
echo "Wrote $CLASS_OUT/grades.csv, $CLASS_OUT/summary.txt and, per learner, $CLASS_OUT/NAME/{grade.json,results.json,junit.xml}"
