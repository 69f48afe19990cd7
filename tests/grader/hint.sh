#!/bin/sh
# hint.sh - `make hint N.M`: the next hint of exercise N.M, one per call.
#
#   sh tests/grader/hint.sh N.M        the next hint (the first, then the second...)
#   ALL=1 sh tests/grader/hint.sh N.M  every hint of N.M
#
# The hints are the numbered items of the folded block
# (<details><summary>Hints</summary>) under "### Exercise N.M: ..." in
# TUTORIAL.md: the tutorial stays their one source.  Where COURSE_LANG,
# else LC_ALL, else LANG starts with "ko", they come from TUTORIAL.ko.md
# ("### 연습 N.M: ...", the same numbered items), when it exists.
# How many were shown is kept in $BUILD/hints/N.M; the last call
# after the last hint says so and shows it again.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/grader/manifest.sh
id=${1:-}
BUILD=${BUILD:-build}

if [ -z "$id" ] || [ -z "$(course_section "$id")" ]; then
    echo "make hint: ${id:+there is no exercise '$id'; }give one of: $(course_exercise_ids)" >&2
    echo "  for example: make hint 1.1 (the next hint), make hint 1.1 ALL=1 (all of them)" >&2
    exit 2
fi

tutorial=$(course_tutorial)

# Every hint of the exercise, each ending with a line holding only "\f".
hints=$(awk -v id="$id" '
    /^### / {
        heading = $0
        sub(/^### [^ ]+ /, "", heading)
        inside = (index(heading, id ":") == 1)
        if (!inside && done_block) exit
        next
    }
    inside && /^<details><summary>/ { block = 1; next }
    block && /^<\/details>/ { if (item) print "\f"; block = 0; done_block = 1; inside = 0; next }
    block && /^[0-9]+\. / { if (item) print "\f"; item = 1 }
    block && item { print }
' "$tutorial")
count=$(printf '%s\n' "$hints" | grep -c "$(printf '^\f$')")
if [ "$count" -eq 0 ]; then
    echo "make hint: $tutorial has no numbered hints under exercise $id: look there" >&2
    exit 1
fi

# show FIRST LAST: print hints FIRST to LAST (counting from 1).
show() {
    printf '%s\n' "$hints" | awk -v first="$1" -v last="$2" '
        /^\f$/ { n++; if (n >= first && n <= last) print ""; next }
        n + 1 >= first && n + 1 <= last { print }
    '
}

title=$(course_exercises | awk -F'\t' -v id="$id" '$1 == id { print $3 }')
if [ "${ALL:-}" = 1 ]; then
    echo "Exercise $id ($title): all $count hints, from $tutorial"
    echo ""
    show 1 "$count"
    exit 0
fi

state=$BUILD/hints/$id
mkdir -p "$BUILD/hints" || exit 2
seen=$(cat "$state" 2>/dev/null)
case $seen in
    '' | *[!0-9]*) seen=0 ;;
esac
next=$((seen + 1))
if [ "$next" -gt "$count" ]; then
    echo "Exercise $id: that was the last hint; here it is again ($count of $count)."
    next=$count
else
    echo "Exercise $id ($title): hint $next of $count"
fi
echo ""
show "$next" "$next"
echo "$next" > "$state"
if [ "$next" -lt "$count" ]; then
    echo "('make hint $id' again for the next one; ALL=1 for all of them)"
fi
