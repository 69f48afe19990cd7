#!/bin/sh
# grade_messages.sh - what the grader says in a few cases of issue 15,
# each graded as make check grades it:
#   - a second task waiting on one fd (park() overwriting the first) is a
#     FAIL that names the double wait, not a TIMEOUT;
#   - the sanitizer's line for a wait on fd 1024 comes with a cause that
#     names the fd (SANITIZE=1, where the sanitizers work);
#   - Fix first says "the tests of exercise 2.3" for one exercise and
#     "the tests of exercises 2.2, 2.3" for several;
#   - peer_length set once, against hint 2 of 4.2, is caught and named.
#
#   sh tests/maint/grade_messages.sh WORK_DIR
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/grader/manifest.sh
work=${1:?usage: grade_messages.sh WORK_DIR}
mkdir -p "$work" || exit 2
failed=0
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# grade VERSION SANITIZE: the wrong version's stage, graded; its report.
grade_version() {
    dir=$work/$1
    rm -rf "$dir"
    placed=$(sh tests/maint/wrong/apply.sh tests/maint/wrong/versions.txt "$1" "$dir/src") || return 1
    number=$(echo "$placed" | cut -f1 | cut -d. -f1)
    env QUIET=0 SANITIZE="$2" SRC_ROOT="$dir/src" STEP="$number" BUILD="$dir/build" \
        sh tests/grader/grade.sh > "$dir.grade" 2>&1
    return 0
}

grade_version 3.1-no-duplicate-check 0 || bad "cannot apply 3.1-no-duplicate-check"
if grep -q '^  TIMEOUT' "$work/3.1-no-duplicate-check.grade"; then
    bad "a second waiter on one fd shows as a TIMEOUT ($work/3.1-no-duplicate-check.grade)"
fi
grep -q 'refuse the second waiter' "$work/3.1-no-duplicate-check.grade" ||
    bad "a second waiter on one fd: no failure names it ($work/3.1-no-duplicate-check.grade)"
grep -q '^Fix first: exercise 3.1 ' "$work/3.1-no-duplicate-check.grade" ||
    bad "a second waiter on one fd: Fix first is not 3.1 ($work/3.1-no-duplicate-check.grade)"

if [ "${SANITIZER_CC:-}" != "" ]; then
    CC=$SANITIZER_CC grade_version 3.1-limit-off-by-one 1 || bad "cannot apply 3.1-limit-off-by-one"
    if grep -q 'Sanitizer' "$work/3.1-limit-off-by-one.grade"; then
        grep -q 'fd 1024' "$work/3.1-limit-off-by-one.grade" ||
            bad "the sanitizer's report of a wait on fd 1024 never names the fd ($work/3.1-limit-off-by-one.grade)"
    fi
fi

grade_version 4.2-peer-length-once 0 || bad "cannot apply 4.2-peer-length-once"
grep -q '^Fix first: exercise 4.2 ' "$work/4.2-peer-length-once.grade" ||
    bad "peer_length set once: Fix first is not 4.2 ($work/4.2-peer-length-once.grade)"
grep -q 'hint 2' "$work/4.2-peer-length-once.grade" ||
    bad "peer_length set once: the report does not point to hint 2 ($work/4.2-peer-length-once.grade)"

# Stage 2 untouched: 2.1's stub; the tests of 2.2 and 2.3 need it.
# Stage 2 with 2.2 alone a stub: only the tests of 2.3 need it.
folder=$(course_folder 2)
for case in untouched only-2.2; do
    dir=$work/plural-$case
    rm -rf "$dir" && mkdir -p "$dir/src" && cp -R "steps/$folder" "$dir/src/" || exit 2
    if [ "$case" = only-2.2 ]; then
        for id in 2.1 2.3; do
            for file in "$dir/src/$folder"/*; do
                awk -v mode=ids -f tests/maint/regions.awk "$file" 2>/dev/null | grep -qx "$id" || continue
                awk -v mode=splice -v id="$id" -v donor="solutions/$folder/$(basename "$file")" \
                    -f tests/maint/regions.awk "$file" > "$file.new" && mv "$file.new" "$file"
            done
        done
    fi
    env QUIET=0 SANITIZE=0 SRC_ROOT="$dir/src" STEP=2 BUILD="$dir/build" \
        sh tests/grader/grade.sh > "$dir.grade" 2>&1
done
grep -q 'the tests of exercises 2.2, 2.3 need it too' "$work/plural-untouched.grade" ||
    bad "untouched stage 2: no \"the tests of exercises 2.2, 2.3 need it too\" ($work/plural-untouched.grade)"
grep -q 'the tests of exercise 2.3 need it too' "$work/plural-only-2.2.grade" ||
    bad "stage 2 with 2.2 a stub: no \"the tests of exercise 2.3 need it too\" ($work/plural-only-2.2.grade)"

[ "$failed" -eq 0 ] && echo "grade_messages: all as expected"
[ "$failed" -eq 0 ]
