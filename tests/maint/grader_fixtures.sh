#!/bin/sh
# grader_fixtures.sh - tests the grader on a learner's typical mistakes.
#
# Builds a copy of the solved stages 1-3 with:
#   stage 1: countdown off by one (a wrong answer) and countup stuck in
#            a loop (a hang);
#   stage 2: task_done dereferences a null pointer (a crash);
#   stage 3: a syntax error (does not compile);
# grades them, and checks that each mistake is reported as what it is,
# that the grade fails, and that it all ends in bounded time.
#
#   sh tests/maint/grader_fixtures.sh WORK_DIR
set -u
cd "$(dirname "$0")/../.." || exit 2
work=${1:?usage: grader_fixtures.sh WORK_DIR}
rm -rf "$work"
mkdir -p "$work/tree" "$work/donors"

# put_back STAGE FILE EXERCISE BODY: replace the exercise's region in the
# fixture's copy of FILE with BODY.
put_back() {
    donor="$work/donors/$2.$3"
    printf '/* BEGIN EXERCISE %s */\n%s\n/* END EXERCISE %s */\n' "$3" "$4" "$3" > "$donor"
    awk -v mode=splice -v id="$3" -v donor="$donor" -f tests/maint/regions.awk \
        "solutions/$1/$2" > "$work/tree/$1/$2"
}

for stage in 01-generators-via-duff 02-scheduler 03-select-loop; do
    cp -R "solutions/$stage" "$work/tree/$stage"
done
put_back 01-generators-via-duff countdown.c 1.2 '
    CO_BEGIN(&g->co);
    while (g->n >= 0) {
        *value = g->n;
        CO_YIELD(&g->co, true);
        g->n--;
    }
    CO_END(&g->co, false);'
put_back 01-generators-via-duff countup.c 1.3 '
    (void)value;
    for (;;)
        g->x = g->n;'
put_back 02-scheduler scheduler.c 2.3 '
    struct task *volatile next = t->next;
    printf("Task %u done\\n", next->id);
    free(t);'
put_back 03-select-loop scheduler.c 3.2 '
    this line is not C;'

limit=300
started=$(date +%s)
env QUIET=0 SRC_ROOT="$work/tree" STEP="1 2 3" BUILD="$work/build" SUITE_LIMIT=$limit \
    sh tests/grader/grade.sh > "$work/report" 2>&1
status=$?
elapsed=$(( $(date +%s) - started ))
cat "$work/report"
echo "(grade exit status $status, $elapsed s)"

problems=0
expect() { # DESCRIPTION PATTERN
    if grep -q -- "$2" "$work/report"; then
        echo "ok: $1"
    else
        echo "MISSING: $1 (no line matching '$2')"
        problems=$((problems + 1))
    fi
}
expect "a wrong answer is a FAIL naming the exercise" "FAIL    countdown(3) yields 3, 2, 1, then ends   \[exercise 1.2\]"
expect "a FAIL says what was expected and what came" "expected 3, got 4"
expect "a hang is reported as a TIMEOUT" "TIMEOUT countup(4) yields 0, 1, 2, 3, then ends   \[exercise 1.3\]"
expect "a TIMEOUT gives the likely cause" "likely cause: a generator that never reaches CO_END"
expect "a crash is reported as a CRASH with its signal" "CRASH .*\[exercise 2.3\]"
expect "a CRASH names the signal" "the test crashed: signal 11"
expect "a stage that does not compile is reported as such" "the stage does not compile"
expect "the compiler's error is shown" "error"
expect "stage 3 scores zero" "Stage 3  0/"
expect "stage 1 names the earlier of its two wrong exercises to fix first" "^Fix first: exercise 1.2 (countdown_next): "
expect "stage 2 names task_done to fix first" "^Fix first: exercise 2.3 (task_done): "
expect "a stage that does not compile names the exercise of its first error" "^Fix first: exercise 3.2 (wait_for_io): it does not compile"
expect "the summary shows each failing stage's fix-first exercise" "Stage 2 .* - fix first: exercise 2.3 (task_done)"
expect "a CRASH without sanitizers says how to find the line" "to find the faulty line: make check 2 SANITIZE=1"
expect "hints name the tutorial's section" 'hint: TUTORIAL.md, "Exercise 1.2: countdown_next"'
expect "the total score is printed" "^Score: "
expect "the closing line is printed" "^[0-9]* passed, [0-9]* failed$"
if [ "$status" -ne 1 ]; then
    echo "MISSING: the grade should exit 1, not $status"
    problems=$((problems + 1))
fi
if [ "$elapsed" -ge "$limit" ]; then
    echo "MISSING: the grade took $elapsed s, beyond its bound"
    problems=$((problems + 1))
fi
# Korean: hints point to TUTORIAL.ko.md's heading of the exercise, found
# by its id, and to TUTORIAL.md for an exercise it lacks.
mkdir -p "$work/ko"
printf '### \354\227\260\354\212\265 1.2: countdown_next \355\225\250\354\210\230\n' > "$work/ko/TUTORIAL.ko.md"
env QUIET=0 COURSE_LANG=ko COURSE_ROOT="$work/ko" SRC_ROOT="$work/tree" STEP=1 BUILD="$work/build" \
    SUITE_LIMIT=$limit sh tests/grader/grade.sh > "$work/report.ko" 2>&1
cp "$work/report.ko" "$work/report"
expect "a Korean reader's hint names TUTORIAL.ko.md's heading" '힌트: TUTORIAL.ko.md의 "연습 1.2: countdown_next'
expect "an exercise TUTORIAL.ko.md lacks falls back to TUTORIAL.md" '힌트: TUTORIAL.md의 "Exercise 1.3: countup_next"'
env QUIET=0 LANG=ko_KR.UTF-8 LC_ALL= COURSE_ROOT="$work/none" SRC_ROOT="$work/tree" STEP=1 \
    BUILD="$work/build" SUITE_LIMIT=$limit sh tests/grader/grade.sh > "$work/report" 2>&1
expect "without TUTORIAL.ko.md, a Korean reader gets TUTORIAL.md" '힌트: TUTORIAL.md의 "Exercise 1.2: countdown_next"'

[ "$problems" -eq 0 ]
