#!/bin/sh
# to_tutorials.sh - copies the figures of bench/RESULTS.md into both
# tutorials: the blocks between their bench: markers in "Going further"
# (make bench runs it after bench/run.sh).  Nothing is measured here.
#
#   sh bench/to_tutorials.sh           rewrite the blocks from RESULTS.md
#   sh bench/to_tutorials.sh --check   exit 1 if a block differs from RESULTS.md
set -u
cd "$(dirname "$0")/.." || exit 2
REPORT=bench/RESULTS.md
[ -f "$REPORT" ] || { echo "to_tutorials: $REPORT is missing: run make bench"; exit 1; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

section() { # HEADING: that section of $REPORT, heading included, up to the next one
    awk -v h="$1" '
        index($0, h) == 1 { on = 1; print; next }
        on && /^##/ { exit }
        on { print }' "$REPORT"
}
# "From `make bench` on DATE: N CPUs (MODEL), SYSTEM RELEASE.", from the
# report's own header and its Machine section.
made_on=$(sed -n 's/^Written by `make bench` (bench\/run.sh) on \([0-9-]*\) .*/\1/p' "$REPORT")
cpus=$(sed -n 's/^- CPUs: //p' "$REPORT" | sed 's/^\([0-9]*\) /\1 CPUs /')
system=$(sed -n 's/^- system: \([^ ]*\) \([^ ]*\).*/\1 \2/p' "$REPORT")
origin="From \`make bench\` on $made_on: $cpus, $system."
{
    echo
    echo "$origin"
    echo
    section "### Syscalls per round trip" | sed 1,2d
} > "$tmp/syscalls.md"
{
    echo
    echo "$origin"
    echo
    section "### Short connections" | sed 1,2d
} > "$tmp/churn.md"
{
    echo
    echo "$origin"
    echo
    echo "#### Targets"
    section "## Targets" | sed 1d
    for heading in "### Switch cost" "### Server CPU per round trip" "### 10 + 990 idle" "### 1 + 500 at 1 B/s"; do
        section "$heading" | sed 's/^###/####/'
    done
} | sed 's#](results\.svg)#](bench/results.svg)#' > "$tmp/results.md"

differ=0
for tutorial in TUTORIAL.md TUTORIAL.ko.md; do
    [ -f "$tutorial" ] || continue
    cp "$tutorial" "$tmp/new"
    for name in syscalls churn results; do
        awk -v name="$name" -v file="$tmp/$name.md" '
            index($0, "<!-- BEGIN bench:" name " ") == 1 {
                print; while ((getline line < file) > 0) print line; close(file); skip = 1; next }
            index($0, "<!-- END bench:" name " ") == 1 || $0 == "<!-- END bench:" name " -->" { skip = 0 }
            !skip { print }' "$tmp/new" > "$tmp/next" && mv "$tmp/next" "$tmp/new"
    done
    if cmp -s "$tmp/new" "$tutorial"; then
        continue
    elif [ "${1:-}" = --check ]; then
        echo "to_tutorials: the bench: blocks of $tutorial differ from $REPORT: run sh bench/to_tutorials.sh"
        differ=1
    else
        cat "$tmp/new" > "$tutorial"
        echo "Copied the tables of $REPORT into $tutorial (Going further)."
    fi
done
exit $differ
