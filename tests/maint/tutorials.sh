#!/bin/sh
# tutorials.sh - keeps TUTORIAL.ko.md in step with TUTORIAL.md.
#
#   sh tests/maint/tutorials.sh [ENGLISH KOREAN]
#
# The Korean tutorial is a translation, so its prose is free, but what a
# learner compares with the screen or the tools rely on is not. Both
# files must have, in the same order:
#   - the same headings (level by level; the text is translated);
#   - the same exercises: `### Exercise N.M: ...` in English is
#     `### 연습 N.M: ...` in Korean;
#   - the same hints: each `<details><summary>Hints</summary>` block
#     (`<summary>힌트</summary>` in Korean) with the same numbered items,
#     and every other folded block in the same place;
#   - the same tables, with as many rows;
#   - every fenced code block byte for byte, indentation included
#   - every block that make bench writes (between bench: markers), byte for byte
#     (commands, program output, the grader's lines, pictures);
#   - and, section by section (heading to heading), every `inline code`
#     of the English text somewhere in the Korean text of that section
#     (commands, names, values, whatever the line breaks), so that a
#     command or a name dropped in translation is found.  The Korean may
#     have more (its glossary, the notes on the Korean tools).
# The first difference is reported with both line numbers, and the exit
# status is 1.  2 means a file is missing.
set -u
here=$PWD
cd "$(dirname "$0")/../.." || exit 2
english=${1:-TUTORIAL.md}
korean=${2:-TUTORIAL.ko.md}
# files named on the command line are relative to where it was typed
case $# in 0) ;; *)
    case $english in /*) ;; *) english=$here/$english ;; esac
    case $korean in /*) ;; *) korean=$here/$korean ;; esac ;;
esac
for f in "$english" "$korean"; do
    if [ ! -f "$f" ]; then
        echo "tutorials: $f not found (run from the course's top folder, or name both files)"
        exit 2
    fi
done

# Each file becomes a list of items, "what" and "line" per item; the two
# lists must have the same "what" in the same order.  Code blocks are
# whole items, so one changed byte in one makes the items differ.
LC_ALL=C awk -v en="$english" -v ko="$korean" '
function item(what, text, at) {
    n[file]++
    what_[file, n[file]] = what
    line_[file, n[file]] = at
    text_[file, n[file]] = text
}
function end_table() {
    if (table_rows > 0)
        item("a table of " table_rows " rows", table_first, table_line)
    table_rows = 0
}
FNR == 1 {
    file = (FILENAME == en) ? "en" : "ko"
    in_code = 0; in_bench = 0; in_details = 0; table_rows = 0; exercise = ""
    sections[file] = 0; section_line[file, 0] = 1; section_text[file, 0] = ""
}
in_bench {
    bench = bench "\n" $0
    if ($0 ~ /^<!-- END bench:/) {
        in_bench = 0
        what_[file, n[file]] = "block written by make bench:" bench
    }
    next
}
/^<!-- BEGIN bench:/ {
    end_table()
    in_bench = 1
    bench = $0
    item("block written by make bench", $0, FNR)
    next
}
in_code {
    code = code "\n" $0
    if ($0 ~ /^[ \t]*```[ \t]*$/) {
        in_code = 0
        # the block is named after its first line, for the message
        what_[file, n[file]] = "code block:" code
    }
    next
}
/^[ \t]*```/ {
    end_table()
    in_code = 1
    code = $0
    item("code block", $0, FNR)
    next
}
!/^#+ / { section_text[file, sections[file]] = section_text[file, sections[file]] " " $0 }
/^\|/ {
    if (table_rows == 0) { table_first = $0; table_line = FNR }
    table_rows++
    next
}
{ end_table() }
/^#+ / {
    sections[file]++
    section_line[file, sections[file]] = FNR
    section_head[file, sections[file]] = $0
    section_text[file, sections[file]] = ""
    level = index($0, " ") - 1
    if (file == "en" && match($0, /^### Exercise [0-9]+\.[0-9]+:/))
        exercise = substr($0, 14, RLENGTH - 14)
    else if (file == "ko" && match($0, /^### 연습 [0-9]+\.[0-9]+:/))
        exercise = substr($0, 12, RLENGTH - 12)
    else
        exercise = ""
    if (exercise != "")
        item("the heading of exercise " exercise, $0, FNR)
    else
        item("a heading of level " level, $0, FNR)
    next
}
/^[ \t]*<details>/ {
    in_details = 1
    hints = ($0 ~ /<summary>(Hints|힌트)<\/summary>/)
    items = ""
    details_line = FNR
    details_text = $0
    if (hints && exercise == "")
        item("hints outside any exercise", $0, FNR)
    next
}
in_details && /^[ \t]*<\/details>/ {
    in_details = 0
    if (hints)
        item("the hints of exercise " exercise ", items" items, details_text, details_line)
    else
        item("a folded block (<details>) that is not hints", details_text, details_line)
    next
}
in_details && hints && /^[0-9]+\. / {
    items = items " " substr($0, 1, index($0, ".") - 1)
    next
}
END {
    file = "en"; end_table()
    count = n["en"] > n["ko"] ? n["en"] : n["ko"]
    for (i = 1; i <= count; i++) {
        if (what_["en", i] == what_["ko", i])
            continue
        printf "tutorials: %s and %s differ at item %d:\n", en, ko, i
        describe("en", en, i)
        describe("ko", ko, i)
        if (what_["en", i] ~ /^code block:/ && what_["ko", i] ~ /^code block:/)
            first_line_apart(what_["en", i], what_["ko", i])
        print "Edit TUTORIAL.md first, then mirror the change in TUTORIAL.ko.md:"
        print "headings, exercises, hints and tables must match; code blocks byte for byte."
        exit 1
    }
    for (i = 0; i <= sections["en"]; i++) {
        text = section_text["en", i]; gsub(/[ \t]+/, " ", text)
        other = section_text["ko", i]; gsub(/[ \t]+/, " ", other)
        while (match(text, /`[^`]+`/)) {
            span = substr(text, RSTART, RLENGTH)
            text = substr(text, RSTART + RLENGTH)
            if (index(other, span) > 0)
                continue
            printf "tutorials: %s lacks %s in the section where %s has it:\n", ko, span, en
            printf "  %s:%d: %s\n", en, section_line["en", i], i ? section_head["en", i] : "(before the first heading)"
            printf "  %s:%d: %s\n", ko, section_line["ko", i], i ? section_head["ko", i] : "(before the first heading)"
            print "Commands, names and values in `inline code` stay as they are in a translation."
            exit 1
        }
    }
    printf "tutorials: %s and %s agree (%d items: headings, exercises, hints, tables, code blocks; inline code in %d sections)\n", en, ko, count, sections["en"] + 1
}
function describe(f, name, i,    w) {
    if (i > n[f]) {
        printf "  %s: nothing more (it ends after %d items)\n", name, n[f]
        return
    }
    w = what_[f, i]
    if (w ~ /^code block:/) w = "a code block"
    printf "  %s:%d: %s: %s\n", name, line_[f, i], w, text_[f, i]
}
function first_line_apart(a, b,    la, lb, na, nb, j) {
    sub(/^code block:/, "", a); sub(/^code block:/, "", b)
    na = split(a, la, "\n"); nb = split(b, lb, "\n")
    for (j = 1; j <= na || j <= nb; j++)
        if (la[j] != lb[j]) {
            printf "  line %d of the block: [%s] against [%s]\n", j, la[j], lb[j]
            return
        }
}
' "$english" "$korean"
