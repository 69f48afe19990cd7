#!/bin/sh
# page.sh - make the page of one trace: page.html with model.js, page.js
# and the trace inline, so that it is one file that needs no network.
#
#   sh trace/page.sh TRACE PAGE [LANG]
#
# LANG is en or ko (the page opens in it; a button switches).  Every
# "resume" and "yield" line of TRACE that names a file and a line gets
# that line of code added, as a "source" line, for the page to show.
set -u
cd "$(dirname "$0")/.." || exit 2
trace=$1
page=$2
lang=${3:-en}
[ -f "$trace" ] || { echo "page.sh: no trace $trace" >&2; exit 1; }

# The code of each line a task resumes at or yields at, and of the three
# lines before it: "@ev source FILE LINE TEXT".
sources() {
    awk 'function keep(file, line,   l) { for (l = line - 3; l <= line; l++) want[file ":" l] = 1 }
         $1 == "@ev" && $2 == "resume" { file[$3] = $4; keep($4, $5) }
         $1 == "@ev" && $2 == "yield" && ($3 in file) { keep(file[$3], $6) }
         END { for (w in want) print w }' "$trace" | sort -u |
    while IFS=: read -r file line; do
        if [ ! -f "$file" ] || ! [ "$line" -gt 0 ] 2>/dev/null; then
            continue
        fi
        printf '@ev source %s %s %s\n' "$file" "$line" "$(sed -n "${line}p" "$file")"
    done
}

title=$(awk '$1 == "@ev" && $2 == "meta" && $3 == "stage" { print "make trace " $4; exit }' "$trace")
# Each line as a JavaScript string: backslash, quote and tab escaped,
# "<" as \x3c (no "</script>" can end the script early), other control
# characters as "?".
tab=$(printf '\t')
{ sources; cat "$trace"; } | tr -d '\r' | tr '\001-\010\013-\037' '?' |
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/</\\x3c/g' -e "s/$tab/\\\\t/g" \
        -e 's/^/"/' -e 's/$/",/' > "$page.lines"
awk -v lang="$lang" -v title="${title:-make trace}" -v lines="$page.lines" '
    function include(file,   line) {
        while ((getline line < file) > 0) print line
        close(file)
    }
    /^\/\*MODEL\*\/$/ { include("trace/model.js"); next }
    /^\/\*PAGE\*\/$/  { include("trace/page.js"); next }
    /^\/\*TRACE\*\/$/ { include(lines); next }
    { gsub(/@LANG@/, lang); gsub(/@TITLE@/, title); print }
' trace/page.html > "$page.tmp" && mv "$page.tmp" "$page"
status=$?
rm -f "$page.lines"
exit $status
