# 50-tutorials.sh - the Korean tutorial is kept in step with the English one.
# Sourced by tests/maint/selftest.sh (see README here).

# drifted_korean_fails: a copy of TUTORIAL.ko.md with one byte changed in
# its first code block must be refused, or the check proves nothing.
drifted_korean_fails() {
    awk '/^[ \t]*```/ && !done { print; getline; print $0 "x"; done = 1; next } { print }' \
        TUTORIAL.ko.md > "$ROOT/TUTORIAL.ko.drifted.md" &&
    { sh tests/maint/tutorials.sh TUTORIAL.md "$ROOT/TUTORIAL.ko.drifted.md"; [ $? -eq 1 ]; }
}

echo "Tutorials"
check "TUTORIAL.ko.md matches TUTORIAL.md: headings, exercises, hints, tables, code, inline code" \
    sh tests/maint/tutorials.sh
check "the tutorials check refuses a Korean copy with one code byte changed" drifted_korean_fails
