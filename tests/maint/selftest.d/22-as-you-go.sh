# 22-as-you-go.sh - every exercise is graded as soon as it is written,
# and what the grader says in the cases issue 15 listed.
#
# tests/maint/as_you_go.sh builds, for each exercise N.M in the
# manifest's order, stage N with the exercises up to N.M solved and the
# later ones left as stubs, and runs make check's grade of TEST=N.M on
# it (two at a time): each must pass.  tests/maint/grade_messages.sh
# grades a few wrong versions and stubbed stages and reads the report.
# Sourced by tests/maint/selftest.sh.
echo "Graded as you go (each exercise passes as soon as it is written, the later ones stubs)"
check "each exercise N.M passes make check TEST=N.M with only the exercises before it done" \
    sh tests/maint/as_you_go.sh "$ROOT/as-you-go"
check "the grader names a second waiter, the fd of a sanitizer's finding, exercise(s), hint 2 of 4.2" \
    env SANITIZER_CC="$sanitizer_cc" sh tests/maint/grade_messages.sh "$ROOT/grade-messages"
