#!/bin/sh
# progress.sh - `make progress`: where you are in the course.
#
# Every exercise with its state, each stage's score, and the exercise to
# do next with its TUTORIAL section.  An exercise is
#   done         when all of its tests pass,
#   started      when its region differs from the committed stub,
#   not started  when its region is the committed stub.
# It answers from the last grade of each stage (make check, make watch or
# make progress: one grade, kept by tests/grader/stage_cache.sh) when none
# of the files that grade depends on changed since, and grades again,
# quietly and as make check does, only the stages that did change.
# "The committed stub" is the newest committed version whose region
# still calls exercise_todo("N.M") (tests/grader/stub_ref.sh); in a copy that
# is not a git checkout, an exercise whose regions still call
# exercise_todo("N.M") counts as not started.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/grader/manifest.sh
. tests/grader/stub_ref.sh
. tests/grader/messages.sh
TREE=${TREE:-steps}
BUILD=${BUILD:-build}
export TREE BUILD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/course-progress.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

. tests/grader/sanitize.sh
. tests/grader/stage_cache.sh
choose_sanitize quiet
OUT=$BUILD/grade/$(echo "$TREE" | tr '/' '_')
stale=""
for number in $(course_stage_numbers); do
    folder=$(course_folder "$number")
    stage_fresh "$number" "$folder" "$TREE/$folder" || stale="$stale $number"
done
stale=${stale# }
if [ -n "$stale" ]; then
    env -u TEST -u LIST -u SANITIZE_FROM STEP="$stale" QUIET=1 sh tests/grader/grade.sh > "$tmp/grade" 2>&1
fi
results=$tmp/results
: > "$results"
: > "$tmp/summary"
for number in $(course_stage_numbers); do
    stage_kept "$number" results >> "$results"
    stage_kept "$number" summary >> "$tmp/summary"
done

git=0
git rev-parse --verify -q "HEAD^{commit}" >/dev/null 2>&1 && git=1

# touched ID FOLDER: succeed when the regions of ID differ from the stub.
# Without git: when none of them still calls exercise_todo("ID").
touched() {
    touched_todo=0
    for file in "$2"/*; do
        [ -f "$file" ] || continue
        awk -v mode=ids -f tests/maint/regions.awk "$file" 2>/dev/null | grep -qx "$1" || continue
        if [ "$git" = 1 ]; then
            stub=$(stub_ref "$file" "$1")
            git show "$stub:./$file" > "$tmp/stub" 2>/dev/null || return 0
            awk -v mode=splice -v id="$1" -v donor="$tmp/stub" -f tests/maint/regions.awk \
                "$file" > "$tmp/spliced" 2>/dev/null || return 0
            cmp -s "$tmp/spliced" "$file" || return 0
        else
            awk -v id="$1" '
                index($0, "BEGIN EXERCISE " id) { inside = 1 }
                inside && index($0, "exercise_todo(\"" id "\"") { todo = 1 }
                index($0, "END EXERCISE " id) { inside = 0 }
                END { exit !todo }' "$file" && touched_todo=1
        fi
    done
    [ "$git" = 0 ] && [ "$touched_todo" = 0 ]
}

course_exercises > "$tmp/exercises"
: > "$tmp/states"
while IFS="$(printf '\t')" read -r id files title section; do
    stage=${id%%.*}
    folder=$TREE/$(course_folder "$stage")
    if touched "$id" "$folder"; then state=started; else state="not started"; fi
    counts=$(awk -F'\t' -v id="$id" '$1 == "test" && $3 == id { total++; if ($4 == "ok") ok++ }
                                     END { printf "%d %d", ok, total }' "$results")
    ok=${counts% *}
    total=${counts#* }
    [ "$total" -gt 0 ] && [ "$ok" -eq "$total" ] && state=done
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$state" "$ok" "$total" "$(exercise_title_in "$id")" "$section" >> "$tmp/states"
done < "$tmp/exercises"

if [ -z "$stale" ]; then
    msgln progress.heading_kept "$TREE"
elif [ "$stale" = "$(course_stage_numbers)" ]; then
    msgln progress.heading "$TREE"
else
    msgln progress.heading_some "$TREE" "$(echo "$stale" | sed 's/ /, /g')"
fi
course_stages > "$tmp/stages"
while IFS="$(printf '\t')" read -r number folder title; do
    score=$(summary_of "$number" < "$tmp/summary" | awk '{ print $1 }')
    note=$(summary_of "$number" < "$tmp/summary" | sed -n 's/^[0-9]*\/[0-9]* .*\(([^)]*)\)$/ \1/p')
    printf '  %s%s\n' "$(msgf check.summary_line "$number" "${score:-?}" "$(stage_title_in "$number")")" "$note"
    # Columns padded to the width on screen: a Korean syllable is 3 bytes
    # wide in UTF-8 and 2 columns on screen (awk counts bytes under C).
    LC_ALL=C awk -F'\t' -v n="$number" -v tests="$(msg progress.tests)" -v none="$(msg progress.no_test_ran)" \
        -v done_word="$(msg progress.state.done)" -v started="$(msg progress.state.started)" \
        -v not_started="$(msg progress.state.not_started)" '
    function pad(text, width,   rest, wide) {
        rest = text; wide = gsub(/[\340-\357]/, "", rest)
        width -= length(text) - wide
        while (width-- > 0) text = text " "
        return text
    }
    index($1, n ".") == 1 {
        state = $2 == "done" ? done_word : $2 == "started" ? started : not_started
        count = tests; sub(/%s/, $3, count); sub(/%s/, $4, count)
        printf "    %-5s %s %s %s\n", $1, pad(state, 12), pad($5, 34), ($4 > 0 ? count : none)
    }' "$tmp/states"
done < "$tmp/stages"

done_count=$(awk -F'\t' '$2 == "done"' "$tmp/states" | wc -l | tr -d ' ')
all_count=$(wc -l < "$tmp/states" | tr -d ' ')
msgln progress.done_count "$done_count" "$all_count"
# Next: the fix-first exercise of the first unfinished stage, if the
# grader named one, else the first exercise not done.
next=$(awk -F'\t' '$2 != "done" { print $1; exit }' "$tmp/states")
if [ -z "$next" ]; then
    msgln progress.all_done
    exit 0
fi
first=$(awk -F'\t' -v s="${next%%.*}" '$1 == "fixfirst" && $2 == s { print $3; exit }' "$results")
[ -n "$first" ] && next=$first
line=$(awk -F'\t' -v id="$next" '$1 == id' "$tmp/states")
title=$(echo "$line" | cut -f5)
msgln progress.next "$next" "$title" "$(course_tutorial)" "$(course_heading "$next")"
msgln progress.grade_it "$next" "$next"
