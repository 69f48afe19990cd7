#!/bin/sh
# as_you_go.sh - every exercise is graded as soon as it is written.
#
# For each exercise N.M, in the manifest's (the tutorial's) order: stage
# N of steps/ (the stages before it come solved in its carried files)
# with the exercises N.1 to N.M spliced in from solutions/ and the later
# ones left as their stubs; `make check TEST=N.M` on it must exit 0.
# Graded as make check grades (SANITIZE=1 where the sanitizers work,
# SANITIZE=0 to skip them); two at a time.
#
#   sh tests/maint/as_you_go.sh WORK_DIR [N.M...]
#
# WORK_DIR/results.tsv: ID, grade exit status, seconds.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/grader/manifest.sh
MAKE=${MAKE:-make}

if [ "${1:-}" = --one ]; then
    work=$2 id=$3
    number=${id%%.*}
    folder=$(course_folder "$number")
    dir=$work/$id
    rm -rf "$dir" && mkdir -p "$dir/src" || exit 2
    cp -R "steps/$folder" "$dir/src/$folder" || exit 2
    for done_id in $(course_exercise_ids); do
        case $done_id in "$number".*) ;; *) continue ;; esac
        for file in "$dir/src/$folder"/*; do
            awk -v mode=ids -f tests/maint/regions.awk "$file" 2>/dev/null | grep -qx "$done_id" || continue
            awk -v mode=splice -v id="$done_id" -v donor="solutions/$folder/$(basename "$file")" \
                -f tests/maint/regions.awk "$file" > "$file.new" && mv "$file.new" "$file"
        done
        [ "$done_id" = "$id" ] && break
    done
    started=$(date +%s)
    env QUIET=0 SRC_ROOT="$dir/src" STEP="$number" TEST="$id" BUILD="$dir/build" \
        SANITIZE_FROM="${SANITIZE_FROM:-file}" SUITE_LIMIT=120 \
        sh tests/grader/grade.sh > "$dir.grade" 2>&1
    status=$?
    printf '%s\t%s\t%s\n' "$id" "$status" "$(( $(date +%s) - started ))"
    exit 0
fi

work=${1:?usage: as_you_go.sh WORK_DIR [N.M...]}
shift
mkdir -p "$work" || exit 2
case $work in /*) ;; *) work=$(pwd)/$work ;; esac
# SANITIZE=0 or 1 given: as given; unset: as make check decides.
[ -n "${SANITIZE:-}" ] && SANITIZE_FROM=environment && export SANITIZE
export SANITIZE_FROM
ids=${*:-$(course_exercise_ids)}
for id in $ids; do echo "$id"; done |
    xargs -P 2 -n 1 sh tests/maint/as_you_go.sh --one "$work" > "$work/results.tsv"
awk -F '\t' -v work="$work" '
    { n++ }
    $2 != 0 { print "  NOT YET  " $1 ": make check TEST=" $1 " exits " $2 " with only the exercises up to it done (" work "/" $1 ".grade)"; bad++ }
    END { printf "%d exercises graded as you go; %d pass as soon as they are written\n", n, n - bad
          exit bad > 0 }' "$work/results.tsv"
