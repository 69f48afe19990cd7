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
. tests/grader/messages.sh
id=${1:-}
BUILD=${BUILD:-build}

if [ -z "$id" ] || [ -z "$(course_section "$id")" ]; then
    if [ -n "$id" ]; then msgln hint.no_exercise "$id" "$(course_exercise_ids)" >&2; else msgln hint.which "$(course_exercise_ids)" >&2; fi
    msgln hint.example >&2
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
    msgln hint.none "$tutorial" "$id" >&2
    exit 1
fi

# show FIRST LAST: print hints FIRST to LAST (counting from 1).
show() {
    printf '%s\n' "$hints" | awk -v first="$1" -v last="$2" '
        /^\f$/ { n++; if (n >= first && n <= last) print ""; next }
        n + 1 >= first && n + 1 <= last { print }
    '
}

title=$(exercise_title_in "$id")
if [ "${ALL:-}" = 1 ]; then
    msgln hint.all "$id" "$title" "$count" "$tutorial"
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
    msgln hint.last_again "$id" "$count" "$count"
    next=$count
else
    msgln hint.one "$id" "$title" "$next" "$count"
fi
echo ""
show "$next" "$next"
echo "$next" > "$state"
if [ "$next" -lt "$count" ]; then
    msgln hint.more "$id"
fi
