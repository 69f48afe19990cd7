#!/bin/sh
# apply.sh - makes one wrong version of the solved course (versions.txt).
#
#   sh tests/maint/wrong/apply.sh VERSIONS ID OUT_DIR   make OUT_DIR/STAGE/
#   sh tests/maint/wrong/apply.sh VERSIONS --list      ID, exercise, stage, core|extra|sanitize|pair
#
# A version is solutions/<its stage> with literal replacements: in the
# file its version line names, or in the one a later "file FILE" line
# switches to.  Each "replace" must match exactly once, so a version
# that no longer fits the solutions stops the check instead of testing
# nothing.  On success it prints EXERCISE<TAB>STAGE<TAB>SET.
set -u
if [ $# -lt 2 ] || { [ "$2" != --list ] && [ $# -lt 3 ]; }; then
    echo "usage: apply.sh VERSIONS ID OUT_DIR | apply.sh VERSIONS --list" >&2
    exit 2
fi
versions=$1 wanted=$2 out=${3:-}
[ -r "$versions" ] || { echo "$versions: cannot read it" >&2; exit 2; }

# One awk program, two passes: "plan" reads VERSIONS and prints the
# list, or the wanted version's stage; "edit" makes its replacements in
# the copy under OUT_DIR.  Files are read whole (RS is a byte no source
# holds), so their last newline, or its absence, is kept.
apply_awk='
function fail(message) { print message > "/dev/stderr"; failed = 1; exit 1 }
function text(t,    r, c) {          # \n, \t and \\ as in versions.txt
    r = ""
    while ((c = index(t, "\\")) > 0 && c < length(t)) {
        r = r substr(t, 1, c - 1)
        c2 = substr(t, c + 1, 1)
        r = r (c2 == "n" ? "\n" : c2 == "t" ? "\t" : c2 == "\\" ? "\\" : "\\" c2)
        t = substr(t, c + 2)
    }
    return r t
}
NR == FNR {                          # course_stages: NUMBER, FOLDER, TITLE
    split($0, f, "\t")
    stage_of[f[1]] = f[2]
    next
}
/^[ \t]*(#|$)/ { next }
$1 == "version" && (NF == 4 || (NF == 5 && ($5 == "extra" || $5 == "sanitize" || $5 == "pair"))) &&
$3 ~ /^[0-9]+\.[0-9]+$/ {
    n++; id[n] = $2; exercise[n] = $3; split($3, num, "."); stage[n] = stage_of[num[1]]
    if (stage[n] == "") fail(FILENAME ":" FNR ": no stage " num[1] " in tests/course.txt")
    set[n] = NF == 5 ? $5 : "core"; file = $4; edits[n] = 0
    next
}
$1 == "note" && NF > 1 { note[n] = 1; next }
$1 == "file" && NF == 2 { file = $2; next }
/^replace \|/ { e = ++edits[n]; where[n, e] = file; old[n, e] = text(substr($0, 10)); next }
/^with \|/ { new[n, edits[n]] = text(substr($0, 7)); has_new[n, edits[n]] = 1; next }
{ fail(FILENAME ":" FNR ": cannot read this line: " $0) }
END {
    if (failed) exit 1
    if (wanted == "--list") {
        for (i = 1; i <= n; i++) print id[i] "\t" exercise[i] "\t" stage[i] "\t" set[i]
        exit 0
    }
    for (v = 1; v <= n && id[v] != wanted; v++) ;
    if (v > n) fail("no version " wanted " in " FILENAME)
    if (!note[v]) fail("version " wanted " has no note")
    if (pass == "plan") { print stage[v]; exit 0 }
    RS = "\001"
    for (e = 1; e <= edits[v]; e++) {
        if (!has_new[v, e]) fail("version " wanted ": a replace without its with")
        path = out "/" stage[v] "/" where[v, e]
        code = ""
        if ((getline code < path) < 0) fail(path ": cannot read it")
        close(path)
        count = 0; rest = code
        while ((at = index(rest, old[v, e])) > 0 && old[v, e] != "") {
            count++; rest = substr(rest, at + length(old[v, e]))
        }
        if (count != 1)
            fail("version " wanted ": \047" old[v, e] "\047 occurs " count " times in " where[v, e] ", not once")
        at = index(code, old[v, e])
        printf "%s", substr(code, 1, at - 1) new[v, e] substr(code, at + length(old[v, e])) > path
        close(path)
    }
    print exercise[v] "\t" stage[v] "\t" set[v]
}'

# The stages, from the manifest's one sh reader (run from the top folder).
. tests/grader/manifest.sh
stages=$(course_stages)
if [ "$wanted" = --list ]; then
    echo "$stages" | awk -v wanted=--list "$apply_awk" - "$versions"
    exit
fi
stage=$(echo "$stages" | awk -v wanted="$wanted" -v pass=plan "$apply_awk" - "$versions") || exit 1
mkdir -p "$out/$stage" || { echo "mkdir $out/$stage failed" >&2; exit 1; }
cp "solutions/$stage"/* "$out/$stage/" || { echo "copying solutions/$stage failed" >&2; exit 1; }
echo "$stages" | awk -v wanted="$wanted" -v pass=edit -v out="$out" "$apply_awk" - "$versions"
