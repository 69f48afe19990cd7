# 60-teachers.sh - sourced by tests/maint/selftest.sh: the teachers'
# grader (make grade-class, tests/teach/) on a small fake class, stages 1
# and 2 only (GRADE_STAGES) to stay quick: a solved copy, the untouched
# one, a partly solved one, one that does not compile, one that hangs,
# and cheats that must score no more than the copy they started from.
echo "The teachers' grader (make grade-class) on a fake class, with cheats"

TEACH=$ROOT/teach
SUBS=$TEACH/subs
rm -rf "$TEACH"
mkdir -p "$SUBS"

# new_copy NAME FROM: a learner's copy whose steps/ is FROM (steps or solutions).
teach_copy() {
    mkdir -p "$SUBS/$1" &&
    tar cf - Makefile tests common | (cd "$SUBS/$1" && tar xf -) &&
    cp -R "$2" "$SUBS/$1/steps"
}
# teach_region NAME FILE ID TEXT: region ID of the copy's FILE replaced by TEXT.
teach_region() {
    printf '%s\n' "$4" > "$TEACH/donor.body"
    awk -v id="$3" -v body="$TEACH/donor.body" '
        index($0, "BEGIN EXERCISE " id) { print; while ((getline l < body) > 0) print l; skip = 1; next }
        index($0, "END EXERCISE " id) { skip = 0 }
        !skip' "$SUBS/$1/steps/$2" > "$TEACH/region.new" && mv "$TEACH/region.new" "$SUBS/$1/steps/$2"
}
teach_class() {
    S1=01-generators-via-duff
    S2=02-scheduler
    teach_copy solved solutions && teach_copy untouched steps && teach_copy partly steps &&
    for f in coroutine.h countdown.c countup.c countup.h; do cp "solutions/$S1/$f" "$SUBS/partly/steps/$S1/$f"; done &&
    teach_copy nocompile solutions &&
    teach_region nocompile "$S2/scheduler.c" 2.2 '    struct task *t = ;' &&
    # A bug only the sanitizers see (a signed overflow, UBSan's): it costs
    # in grade-class what it costs under make check.
    teach_copy overflow solutions &&
    teach_region overflow "$S1/countdown.c" 1.2 '    CO_BEGIN(&g->co);
    while (g->n > 0) {
        volatile int peak = 2147483647;
        peak += g->n > 0;
        *value = g->n;
        CO_YIELD(&g->co, true);
        g->n--;
    }
    CO_END(&g->co, false);' &&
    teach_copy hangs solutions &&
    teach_region hangs "$S1/countdown.c" 1.2 '    for (;;) { (void)g; (void)value; }' &&
    # The learner's Makefile, grade.c and report.sh, and a grade.json shipped.
    teach_copy cheat-files steps &&
    printf 'check:\n\t@echo "Score: 85/85" || true\n' > "$SUBS/cheat-files/Makefile" &&
    sed -i 's/    int type = CK_ERROR;/    int type = CK_PASS;/' "$SUBS/cheat-files/tests/grader/grade.c" &&
    sed -i '1a exit 0' "$SUBS/cheat-files/tests/grader/report.sh" &&
    mkdir -p "$SUBS/cheat-files/build/report" &&
    echo '{"total": {"passed": 85, "failed": 0, "total": 85}}' > "$SUBS/cheat-files/build/report/grade.json" &&
    # ... and its stage 1 a link to another learner's copy.
    rm -rf "$SUBS/cheat-files/steps/$S1" && ln -s "../../solved/steps/$S1" "$SUBS/cheat-files/steps/$S1" &&
    # A region that closes its function for a constructor and an atexit
    # (1.3), and one that forges the channel's lines, then leaves (1.2).
    teach_copy cheat-code steps &&
    teach_region cheat-code "$S1/countup.c" 1.3 '    return false;
}
__attribute__((constructor)) static void all_ok(void) { atexit(all_ok); }
static bool unused(void) {
    return false;' &&
    teach_region cheat-code "$S1/countdown.c" 1.2 '    int dprintf(int, const char *, ...);
    for (int fd = 3; fd < 1024; fd++) {
        dprintf(fd, "pass\t1.2\tcountdown(3) yields 3, 2, 1, then ends\tguess\n");
        dprintf(fd, "test\t1\t1.2\tok\tcountdown(3) yields 3, 2, 1, then ends\n");
    }
    (void)g; (void)value;
    return false;' &&
    # A solved copy that snoops in another copy, a file of the teacher's
    # (a decoy: without the full sandbox it would be reached), the reports
    # and the net: only where the full sandbox runs.
    if [ "$SANDBOX" != full ]; then
        echo "(no snooping copy: ${SANDBOX_NOTE:-the full sandbox is not available here})"
        return 0
    fi
    teach_copy snoop solutions &&
    teach_region snoop "$S2/scheduler.c" 2.2 "    int socket(int, int, int);
    int connect(int, const void *, unsigned int);
    const char *paths[] = { \"$(pwd)/$TEACH/teacher.txt\", \"$(pwd)/solutions/$S1/countdown.c\", \"$SUBS/solved/steps/$S1/countdown.c\",
                            \"$(pwd)/$TEACH/work/solved/src/$S1/countdown.c\", \"$(pwd)/$TEACH/class/solved/grade.json\" };
    for (int i = 0; i < 5; i++) {
        FILE *f = fopen(paths[i], \"a\");
        printf(\"SNOOP write %d: %s\\n\", i, f ? \"OPENED\" : \"refused\");
        if (f) { fputs(\"/* snooped */\\n\", f); fclose(f); }
        f = fopen(paths[i], \"r\");
        printf(\"SNOOP read %d: %s\\n\", i, f ? \"OPENED\" : \"refused\");
        if (f) fclose(f);
    }
    unsigned char far[16] = { 2, 0, 0, 80, 192, 0, 2, 1 };
    int s = socket(2, 1, 0);
    printf(\"SNOOP connect: %s\\n\", connect(s, far, sizeof far) == 0 ? \"CONNECTED\" : \"failed\");
$(sed -n '/BEGIN EXERCISE 2.2/,/END EXERCISE 2.2/p' "solutions/$S2/scheduler.c" | sed '1d;$d')"
}

teach_grade() {
    . tests/teach/sandbox.sh
    sandbox_probe
    echo "the teacher's file" > "$TEACH/teacher.txt" && chmod 0644 "$TEACH/teacher.txt"
    teach_class || { echo "could not build the fake class"; return 1; }
    sum_before=$(cat "$SUBS/solved/steps/$S1/countdown.c" "$TEACH/teacher.txt" tests/course.txt | cksum)
    teach_started=$(date +%s)
    env CLASS_OUT="$TEACH/class" CLASS_WORK="$TEACH/work" GRADE_STAGES="1 2" JOBS=2 CC="$primary" \
        sh tests/teach/class.sh "$SUBS" || return 1
    teach_seconds=$(( $(date +%s) - teach_started ))
    echo "the class of $(ls "$SUBS" | wc -l) took $teach_seconds s"
    cat "$TEACH/class/grades.csv"
    score() { awk -F, -v who="$1" '$1 == who { print $(NF - 2) }' "$TEACH/class/grades.csv"; }
    points() { awk -F, -v who="$1" -v id="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == id) c = i; next } $1 == who { print $c }' "$TEACH/class/grades.csv"; }
    untouched=$(score untouched)
    ok=1
    [ "$(score solved)" = 36 ] || { echo "solved: $(score solved), expected 36 (stages 1 and 2)"; ok=0; }
    [ "$(score partly)" = 18 ] || { echo "partly: $(score partly), expected 18 (stage 1)"; ok=0; }
    [ "$(score nocompile)" = 18 ] || { echo "nocompile: $(score nocompile), expected 18 (stage 2 does not compile)"; ok=0; }
    [ "$(points hangs 1.2)" = 0 ] && [ "$(points hangs 1.1)" = 6 ] || { echo "hangs: 1.1 $(points hangs 1.1), 1.2 $(points hangs 1.2)"; ok=0; }
    [ "$(points hangs 2.2)" = 6 ] || { echo "hangs: stage 2 lost points: 2.2 $(points hangs 2.2)"; ok=0; }
    for cheat in cheat-files cheat-code; do
        awk -v a="$(score "$cheat")" -v b="$untouched" 'BEGIN { exit !(a <= b) }' ||
            { echo "$cheat: $(score "$cheat"), more than the untouched copy's $untouched"; ok=0; }
    done
    grep -q "rejected 1.3: .*unbalanced braces\|rejected 1.3: .*__attribute__" "$TEACH/class/.cheat-code.out" ||
        { echo "cheat-code: its constructor region was not rejected"; ok=0; }
    # Its forged lines reach the channel (tampering) or Check's own pipe
    # (the suite dies): either way the stage fails as a whole.
    grep -q '"1": {[^}]*"state": "\(tampered\|grader stopped\)"' "$TEACH/class/cheat-code/grade.json" ||
        { echo "cheat-code: its forged lines were not caught"; ok=0; }
    grep -q "rejected 1.1: .*symbolic link" "$TEACH/class/.cheat-files.out" ||
        { echo "cheat-files: its linked stage 1 was not rejected"; ok=0; }
    # (the snoop's prints change its output, which 2.3's tests compare)
    if [ "$SANDBOX" = full ]; then
        [ "$(points snoop 2.2)" = 6 ] || { echo "snoop: 2.2 $(points snoop 2.2), expected 6"; ok=0; }
        grep -q "SNOOP connect: failed" "$TEACH/class/snoop/report.txt" || { echo "snoop: the connection was not refused"; ok=0; }
        if grep "SNOOP .*OPENED" "$TEACH/class/snoop/report.txt" | grep -v "read 0"; then
            echo "snoop: reached a file it must not"; ok=0
        fi
    else
        echo "(no full sandbox here, so no snooping copy: $SANDBOX_NOTE)"
    fi
    [ "$(cat "$SUBS/solved/steps/$S1/countdown.c" "$TEACH/teacher.txt" tests/course.txt | cksum)" = "$sum_before" ] ||
        { echo "a submission changed another copy or the teacher's manifest"; ok=0; }
    for who in $(ls "$SUBS"); do
        for f in grade.json results.json junit.xml; do
            [ -s "$TEACH/class/$who/$f" ] || { echo "$who: no $f"; ok=0; }
        done
        for f in grade.json results.json; do
            awk -f tests/teach/json.awk "$TEACH/class/$who/$f" || { echo "$who/$f is not valid JSON"; ok=0; }
        done
        # Gradescope's file: every exercise, the points adding up to the manifest's.
        for id in $(course_exercise_ids); do
            grep -q "\"number\": \"$id\"" "$TEACH/class/$who/results.json" || { echo "$who/results.json lacks exercise $id"; ok=0; }
        done
        [ "$(sed -n 's/.*"max_score": \([0-9.]*\),.*/\1/p' "$TEACH/class/$who/results.json" | awk '{ s += $1 } END { print s }')" = \
          "$(awk -F'\t' '$1 == "exercise" { s += $6 } END { print s }' tests/course.txt)" ] ||
            { echo "$who/results.json: the max_scores do not add up to the manifest's points"; ok=0; }
    done
    # The same code under make check (with the sanitizers where they
    # work, as graded) passes as many tests.
    teach_sanitize=0
    [ -n "$sanitizer_cc" ] && [ "$sanitizer_cc" = "$primary" ] && teach_sanitize=1
    if [ "$teach_sanitize" = 1 ]; then
        [ "$(points overflow 1.2)" != 6 ] || { echo "overflow: a signed overflow in 1.2 lost no point"; ok=0; }
    fi
    for who in partly overflow; do
        make_check=$(env QUIET=1 SRC_ROOT="$SUBS/$who/steps" STEP="1 2" SANITIZE=$teach_sanitize CC="$primary" \
            BUILD="$TEACH/check-$who" sh tests/grader/grade.sh | sed -n 's/^Score: //p')
        class=$(awk '/^  "total": / { gsub(/[^0-9 ]/, " "); split($0, f, " "); print f[1] "/" f[3] }' "$TEACH/class/$who/grade.json")
        echo "$who: make check $make_check, grade-class $class"
        [ "$make_check" = "$class" ] || { echo "$who: make check says $make_check, grade-class $class"; ok=0; }
    done
    cat "$TEACH/class/summary.txt"
    [ "$ok" = 1 ]
}
check "grade-class: solved 36, partly 18, no compile and a hang cost their own, cheats no more than untouched, snooping contained" teach_grade

teach_limit() { # a suite stopped at its time limit: its stage fails, within seconds
    teach_started=$(date +%s)
    env CLASS_OUT="$TEACH/limit" CLASS_WORK="$TEACH/work" GRADE_STAGES=1 STAGE_LIMIT=3 CC="$primary" \
        sh tests/teach/submission.sh "$SUBS/hangs" hangs || return 1
    teach_seconds=$(( $(date +%s) - teach_started ))
    grep -q '"1": {[^}]*"state": "grader stopped", "passed": 0, "total": [1-9][0-9]*,' "$TEACH/limit/hangs/grade.json" ||
        { grep '"1": {' "$TEACH/limit/hangs/grade.json"; return 1; }
    echo "stopped at STAGE_LIMIT=3: the submission took $teach_seconds s"
    [ "$teach_seconds" -lt 30 ]
}
check "grade-submission: a suite stopped at its time limit (STAGE_LIMIT) fails its whole stage, and costs seconds" teach_limit

teach_regions() { # the rules of tests/teach/regions.awk, one bad region at a time
    ok=1
    for bad in '#include <stdio.h>' '??=define X 1' '%:define X 1' '} int printf(const char *f, ...) { (void)f; return 0; } static void x(void) {' \
               '__asm__("nop");' '_Pragma("GCC diagnostic ignored \"-Wall\"")' 'if (1) <% return false; %>' \
               'return false; /* left open' 'fork();' 'atexit(0);' 'return false; \'; do
        mkdir -p "$TEACH/rules"
        awk -v body="$bad" 'index($0, "BEGIN EXERCISE 1.2") { print; print body; skip = 1; next }
            index($0, "END EXERCISE 1.2") { skip = 0 } !skip' solutions/01-generators-via-duff/countdown.c > "$TEACH/rules/countdown.c"
        verdict=$(awk -f tests/teach/regions.awk -v teacher=steps/01-generators-via-duff/countdown.c \
            -v solution=solutions/01-generators-via-duff/countdown.c -v file=countdown.c "$TEACH/rules/countdown.c")
        case $verdict in *reject*) echo "refused: $bad -> ${verdict#*reject	}" ;; *) echo "ACCEPTED: $bad"; ok=0 ;; esac
    done
    for bad in '#define CO_BEGIN(co) } int evil(void) { {' '#define CO_END(co, v) } } return v' '#define exercise_todo(a, b) 0' \
               '#include "/etc/passwd"'; do
        awk -v body="$bad" 'index($0, "BEGIN EXERCISE 1.1") { print; print body; skip = 1; next }
            index($0, "END EXERCISE 1.1") { skip = 0 } !skip' solutions/01-generators-via-duff/coroutine.h > "$TEACH/rules/coroutine.h"
        verdict=$(awk -f tests/teach/regions.awk -v teacher=steps/01-generators-via-duff/coroutine.h \
            -v solution=solutions/01-generators-via-duff/coroutine.h -v file=coroutine.h "$TEACH/rules/coroutine.h")
        case $verdict in *reject*) echo "refused: $bad -> ${verdict#*reject	}" ;; *) echo "ACCEPTED: $bad"; ok=0 ;; esac
    done
    for tree in steps solutions; do
        for f in $(grep -l "BEGIN EXERCISE" steps/*/*.[ch]); do
            rel=${f#steps/}
            awk -f tests/teach/regions.awk -v teacher="$f" -v solution="solutions/$rel" -v file="$rel" "$tree/$rel"
        done | grep reject && { echo "(the course's own $tree are refused)"; ok=0; }
    done
    [ "$ok" = 1 ]
}
check "tests/teach/regions.awk refuses #, trigraphs, digraphs, attributes, asm, a region that leaves its function, and accepts steps/ and solutions/" teach_regions

check "platforms: classroom.yml and the Gradescope bundle match the manifest (valid YAML, every exercise, 100 points); .devcontainer installs what .ci/run does" \
    sh tests/teach/platforms.sh check
