#!/bin/sh
# stages.sh - keeps the stage snapshots consistent: the one mechanism.
#
#   sh tests/maint/stages.sh check   report every drift, exit 1 if any
#   sh tests/maint/stages.sh sync    rewrite the carried copies from their source,
#                              and steps/ outside the exercises from solutions/
#
# The rules, for each stage NN:
#  1. steps/NN and solutions/NN hold the same files, identical outside
#     the exercise regions, with the same regions; every region of stage
#     NN is numbered NN.M.
#  2. A file that stage NN shares with stage NN-1 is solutions/NN-1's
#     file with the exercise markers taken out (in steps/NN as well),
#     unless an evolving record of tests/course.txt lists it as changing
#     in stage NN.
# So a fix is made once, in solutions/ of the earliest stage that has
# the file, and `sync` carries it forward and into steps/; only the
# stubs inside the exercise regions of steps/ are written by hand.
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${1:-check}
REGIONS="awk -f tests/maint/regions.awk"
problems=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

complain() { echo "stages: $*"; problems=$((problems + 1)); }

. tests/grader/manifest.sh
course_stages > "$tmp/stages"
for dir in solutions/*/; do
    awk -F'\t' -v f="$(basename "$dir")" '$2 == f { found = 1 } END { exit !found }' "$tmp/stages" ||
        complain "$dir is not a stage of tests/course.txt (add it there, or remove it)"
done
previous=""
while IFS="$(printf '\t')" read -r number stage title; do
    [ -d "solutions/$stage" ] || { complain "solutions/$stage is missing (tests/course.txt lists it)"; continue; }

    # Rule 2: carried files.
    if [ -n "$previous" ]; then
        for file in "solutions/$stage"/*; do
            name=$(basename "$file")
            [ -f "solutions/$previous/$name" ] || continue
            course_evolving "$number" "$name" && continue
            $REGIONS -v mode=strip "solutions/$previous/$name" > "$tmp/carried"
            for tree in solutions steps; do
                if ! cmp -s "$tmp/carried" "$tree/$stage/$name"; then
                    if [ "$mode" = sync ]; then
                        cp "$tmp/carried" "$tree/$stage/$name"
                        echo "synced $tree/$stage/$name from solutions/$previous/$name"
                    else
                        complain "$tree/$stage/$name differs from solutions/$previous/$name" \
                                 "(fix it there and run 'sh tests/maint/stages.sh sync', or add an evolving record to tests/course.txt)"
                    fi
                fi
            done
        done
    fi

    # Rule 1: steps vs solutions.
    if [ -d "steps/$stage" ]; then
        (cd "solutions/$stage" && ls) > "$tmp/solution-files"
        (cd "steps/$stage" && ls) > "$tmp/step-files"
        cmp -s "$tmp/solution-files" "$tmp/step-files" ||
            complain "steps/$stage and solutions/$stage hold different files:" \
                     "$(diff "$tmp/solution-files" "$tmp/step-files" | grep '^[<>]' | tr '\n' ' ')"
        for file in "solutions/$stage"/*; do
            name=$(basename "$file")
            [ -f "steps/$stage/$name" ] || continue
            for tree in solutions steps; do
                $REGIONS -v mode=ids "$tree/$stage/$name" > "$tmp/ids-$tree" ||
                    complain "$tree/$stage/$name: badly formed exercise regions"
                if grep -qv "^$number\." "$tmp/ids-$tree"; then
                    complain "$tree/$stage/$name has a region of another stage:" \
                             "$(grep -v "^$number\." "$tmp/ids-$tree" | tr '\n' ' ')"
                fi
            done
            $REGIONS -v mode=outside "solutions/$stage/$name" > "$tmp/outside-solution"
            $REGIONS -v mode=outside "steps/$stage/$name" > "$tmp/outside-step"
            if [ "$mode" = sync ] && ! cmp -s "$tmp/outside-solution" "$tmp/outside-step" &&
               cmp -s "$tmp/ids-solutions" "$tmp/ids-steps"; then
                # The solution's file with each region's body from steps/.
                cp "solutions/$stage/$name" "$tmp/merged"
                for id in $(sort -u "$tmp/ids-steps"); do
                    $REGIONS -v mode=splice -v id="$id" -v donor="steps/$stage/$name" \
                        "$tmp/merged" > "$tmp/merged.next" && mv "$tmp/merged.next" "$tmp/merged"
                done
                cp "$tmp/merged" "steps/$stage/$name"
                echo "synced steps/$stage/$name outside its exercises from solutions/$stage/$name"
                $REGIONS -v mode=outside "steps/$stage/$name" > "$tmp/outside-step"
            fi
            cmp -s "$tmp/outside-solution" "$tmp/outside-step" ||
                complain "steps/$stage/$name differs from solutions/$stage/$name outside its exercise regions:" \
                         "$(diff "$tmp/outside-solution" "$tmp/outside-step" | head -5)"
        done
    else
        complain "steps/$stage is missing"
    fi
    previous=$stage
done < "$tmp/stages"

# The manifest's exercises are the regions: each one's regions are in the
# files the manifest names, in both trees, and no region is left out.
course_exercises > "$tmp/exercises"
while IFS="$(printf '\t')" read -r id files title section; do
    stage=$(course_folder "${id%%.*}")
    for tree in solutions steps; do
        [ -d "$tree/$stage" ] || continue
        found=$(for file in "$tree/$stage"/*; do
                    $REGIONS -v mode=ids "$file" 2>/dev/null | grep -qx "$id" && basename "$file"
                done | sort | tr '\n' ',' | sed 's/,$//')
        listed=$(echo "$files" | tr ',' '\n' | sort | tr '\n' ',' | sed 's/,$//')
        [ "$found" = "$listed" ] ||
            complain "exercise $id: tests/course.txt names ${listed:-no file}, its regions are in ${found:-no file} of $tree/$stage"
    done
done < "$tmp/exercises"
for file in solutions/*/* steps/*/*; do
    $REGIONS -v mode=ids "$file" 2>/dev/null
done | sort -u > "$tmp/region-ids"
cut -f1 "$tmp/exercises" | sort -u > "$tmp/manifest-ids"
for id in $(comm -23 "$tmp/region-ids" "$tmp/manifest-ids"); do
    complain "exercise $id has regions but is not in tests/course.txt"
done

if [ "$problems" -gt 0 ]; then
    echo "stages: $problems problem(s)"
    exit 1
fi
[ "$mode" = check ] && echo "stages: steps/ and solutions/ are consistent"
exit 0
