#!/bin/sh
# figures.sh - the "Going further" chapter of TUTORIAL.md quotes no
# measured figure that bench/RESULTS.md lacks: every decimal number in
# the chapter (1.07, 3.00, 24.474; not 127.0.0.1 nor 3.11.7) must occur
# in RESULTS.md.  `make bench` writes the chapter's tables from
# RESULTS.md (between the "make bench writes" markers), so after a new
# run the two agree again; a figure typed into the prose by hand goes
# stale with the next run, and this check says which.
#
#   sh tests/maint/figures.sh [TUTORIAL [RESULTS]]
set -u
cd "$(dirname "$0")/../.." || exit 2
tutorial=${1:-TUTORIAL.md}
results=${2:-bench/RESULTS.md}
[ -f "$results" ] || { echo "figures.sh: $results is missing: run make bench"; exit 1; }
missing=0
# The chapter's heading, in English or in TUTORIAL.ko.md's Korean.
figures=$(awk '/^## (Going further|더 나아가기)/ { on = 1; print; next } on && /^## / { exit } on' "$tutorial" |
          grep -oE '(^|[^0-9.])[0-9]+\.[0-9]+([^0-9.]|$)' | grep -oE '[0-9]+\.[0-9]+' | sort -u)
[ -n "$figures" ] || { echo "figures.sh: no figure found in the Going further chapter of $tutorial"; exit 1; }
for figure in $figures; do
    if ! grep -qF "$figure" "$results"; then
        echo "$tutorial quotes $figure in \"Going further\", but $results does not contain it:"
        grep -n -F "$figure" "$tutorial" | sed 's/^/    /' | head -n 3
        missing=$((missing + 1))
    fi
done
count=$(echo "$figures" | wc -l | tr -d ' ')
if [ "$missing" -gt 0 ]; then
    echo "$missing of $count figures are not in $results: quote the table make bench writes, or refer to $results"
    exit 1
fi
echo "all $count figures of the Going further chapter are in $results"
