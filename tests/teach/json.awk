# json.awk - exits 0 when its input is one valid JSON value, else prints
# where it is not and exits 1: the check `make test` runs on the reports
# and the Gradescope files without python (CI's Debian has only awk).
#
#   awk -f tests/teach/json.awk FILE
{ text = text $0 "\n" }
function fail(what) { printf "%s: invalid JSON at character %d: %s\n", FILENAME, pos, what; bad = 1; exit 1 }
function ws() { while (pos <= n && index(" \t\n\r", substr(text, pos, 1))) pos++ }
function value(    c) {
    ws(); c = substr(text, pos, 1)
    if (c == "{") return object()
    if (c == "[") return array()
    if (c == "\"") return string()
    if (match(substr(text, pos), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) { pos += RLENGTH; return }
    if (substr(text, pos, 4) == "true" || substr(text, pos, 4) == "null") { pos += 4; return }
    if (substr(text, pos, 5) == "false") { pos += 5; return }
    fail("a value was expected")
}
function string(    c) {
    pos++
    while (pos <= n) {
        c = substr(text, pos, 1)
        if (c == "\"") { pos++; return }
        if (c == "\\") {
            c = substr(text, pos + 1, 1)
            if (c == "u") { if (substr(text, pos + 2, 4) !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) fail("bad \\u escape"); pos += 6; continue }
            if (!index("\"\\/bfnrt", c)) fail("bad escape"); pos += 2; continue
        }
        if (c < " ") fail("a control character inside a string")
        pos++
    }
    fail("a string is not closed")
}
function object() {
    pos++; ws()
    if (substr(text, pos, 1) == "}") { pos++; return }
    while (1) {
        ws(); if (substr(text, pos, 1) != "\"") fail("a key was expected"); string()
        ws(); if (substr(text, pos, 1) != ":") fail("':' was expected"); pos++
        value(); ws()
        if (substr(text, pos, 1) == ",") { pos++; continue }
        if (substr(text, pos, 1) == "}") { pos++; return }
        fail("',' or '}' was expected")
    }
}
function array() {
    pos++; ws()
    if (substr(text, pos, 1) == "]") { pos++; return }
    while (1) {
        value(); ws()
        if (substr(text, pos, 1) == ",") { pos++; continue }
        if (substr(text, pos, 1) == "]") { pos++; return }
        fail("',' or ']' was expected")
    }
}
END {
    if (bad) exit 1
    n = length(text); pos = 1
    value(); ws()
    if (pos <= n) fail("text after the value")
    exit 0
}
