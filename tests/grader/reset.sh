#!/bin/sh
# reset.sh - `make reset N.M`: puts exercise N.M of steps/ back to its
# stub, byte for byte as committed, and leaves the rest of each file
# (and every other exercise) as it is; `make reset N` does every
# exercise of stage N.
#
#   sh tests/grader/reset.sh N.M | N
#
# The stub is the newest committed version of the file whose region N.M
# still calls exercise_todo("N.M") (tests/grader/stub_ref.sh: your own
# commits are passed over): the regions of N.M are spliced from it into your file
# with tests/maint/regions.awk.  Each file it changes is first copied to
# $BUILD/reset-backup/TIME/, and it says so.  Without git there is no
# committed stub to go back to: it stops and says how to get one.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/grader/manifest.sh
. tests/grader/stub_ref.sh
. tests/grader/messages.sh
BUILD=${BUILD:-build}
TREE=${TREE:-steps}
REF=${COURSE_STUB_REF:-HEAD}
what=${1:-}

usage() {
    msgln reset.usage "$1" >&2
    msgln reset.exercises "$(course_exercise_ids)" >&2
    exit 2
}
case $what in
    '') usage "$(msg reset.which)" ;;
    *.*) [ -n "$(course_section "$what")" ] || usage "$(msgf reset.no_exercise "$what")"
         ids=$what; stage=${what%%.*} ;;
    *) [ -n "$(course_folder "$what")" ] || usage "$(msgf reset.no_stage "$what")"
       stage=$what
       ids=$(course_exercise_ids | tr ' ' '\n' | grep "^$stage\.") ;;
esac
folder=$TREE/$(course_folder "$stage")

if ! git rev-parse --verify -q "$REF^{commit}" >/dev/null 2>&1; then
    msgln reset.no_git "$folder" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/course-reset.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
backup=$BUILD/reset-backup/$(date +%Y%m%d-%H%M%S)
status=0
for id in $ids; do
    changed=""
    unchanged=""
    for file in "$folder"/*; do
        [ -f "$file" ] || continue
        awk -v mode=ids -f tests/maint/regions.awk "$file" 2>/dev/null | grep -qx "$id" || continue
        name=$(basename "$file")
        stub=$(stub_ref "$file" "$id")
        if [ -z "$stub" ] || ! git show "$stub:./$file" > "$tmp/stub" 2>/dev/null; then
            msgln reset.not_in_git "$file" "$REF" >&2
            status=1
            continue
        fi
        if ! awk -v mode=splice -v id="$id" -v donor="$tmp/stub" -f tests/maint/regions.awk \
                "$file" > "$tmp/new" 2> "$tmp/err"; then
            msgln reset.cannot "$id" "$file" "$(head -n 1 "$tmp/err")" "$id" "$file" >&2
            status=1
            continue
        fi
        if cmp -s "$tmp/new" "$file"; then
            unchanged="$unchanged $name"
            continue
        fi
        mkdir -p "$backup/$folder" || exit 2
        cp -p "$file" "$backup/$file" || exit 2
        # cat, not mv: the file keeps its mode and the editor its inode.
        cat "$tmp/new" > "$file" || exit 2
        changed="$changed $name"
    done
    if [ -n "$changed" ]; then
        msgln reset.done "$id" "$changed" "$folder" "$backup" "$folder"
    elif [ -n "$unchanged" ]; then
        msgln reset.unchanged "$id" "$unchanged"
    elif [ "$status" -eq 0 ]; then
        msgln reset.no_region "$id" "$folder" >&2
        status=1
    fi
done
exit $status
