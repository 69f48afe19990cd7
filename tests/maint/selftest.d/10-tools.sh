# 10-tools.sh - sourced by tests/maint/selftest.sh: the learner's and the
# teacher's commands (make step/run/check/watch N, hint, reset, progress,
# the reports, compdb), each tried for real through make, in a copy of
# the course made a git checkout of its own (so that nothing here
# touches steps/, and "the committed stub" is the untouched course).
echo "The learner's and teacher's commands (make step/check/run/watch N, hint, reset, progress, reports)"

TOOLS=$ROOT/tools
COPY=$TOOLS/course
rm -rf "$TOOLS"
mkdir -p "$COPY"
tar cf - --exclude=./build --exclude=./.git --exclude=./compile_commands.json . | (cd "$COPY" && tar xf -)
tools_git=0
if command -v git >/dev/null 2>&1; then
    (cd "$COPY" && git init -q . && git add -A &&
     git -c user.name=course -c user.email=course@localhost commit -q -m course) > "$TOOLS/git.log" 2>&1 &&
        tools_git=1
fi
# in_copy COMMAND...: run it at the top of the copy, away from this
# make's own flags.
in_copy() { (cd "$COPY" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u STEP -u TEST "$@"); }
# splice ID FROM TREE: exercise ID of FROM's files put into TREE's (in the copy).
splice_into() {
    tools_stage=$(course_folder "${1%%.*}")
    for tools_file in "$COPY/$3/$tools_stage"/*; do
        awk -v mode=ids -f tests/maint/regions.awk "$tools_file" | grep -qx "$1" || continue
        awk -v mode=splice -v id="$1" -v donor="$COPY/$2/$tools_stage/$(basename "$tools_file")" \
            -f tests/maint/regions.awk "$tools_file" > "$tools_file.new" &&
        mv "$tools_file.new" "$tools_file" || return 1
    done
}

tools_usage() { # a bad stage or word: one line, with "usage", and exit status 2
    for tools_args in "step 7" "step" "step word" "check 7" "check word" "run 9" "watch x" \
                      "check 1 STEP=2" "check 2 TEST=1.1" "check TEST=1.9" "hint" "reset" "step 1 2" \
                      "trace" "trace 7" "trace 1"; do
        # shellcheck disable=SC2086 # the words are the command's
        in_copy $MAKE $tools_args > "$TOOLS/usage.out" 2>&1
        tools_status=$?
        tools_lines=$(wc -l < "$TOOLS/usage.out" | tr -d ' ')
        if [ "$tools_status" != 2 ] || [ "$tools_lines" != 1 ] || ! grep -q 'usage: make ' "$TOOLS/usage.out"; then
            echo "make $tools_args: exit $tools_status, $tools_lines line(s), expected exit 2 and one usage line:"
            cat "$TOOLS/usage.out"
            return 1
        fi
        echo "make $tools_args: $(cat "$TOOLS/usage.out")"
    done
}
check "make step/check/run/watch/trace refuse a stage 7 or a word with one usage line and exit 2" tools_usage

tools_numbers() { # `make step 3` and `make step STEP=3` are the same; `make check 2` grades stage 2 only
    tools_a=$(in_copy $MAKE -s step 2 | tail -n 1) && tools_b=$(in_copy $MAKE -s step STEP=2 | tail -n 1) || return 1
    echo "make step 2: $tools_a; make step STEP=2: $tools_b"
    [ "$tools_a" = build/steps/02-scheduler ] && [ "$tools_b" = "$tools_a" ] || return 1
    in_copy $MAKE -s check 2 > "$TOOLS/check2.out" 2>&1
    sed -n '/^Summary:/,$p' "$TOOLS/check2.out"
    grep -q '^  Stage 2 ' "$TOOLS/check2.out" && ! grep -q '^  Stage [13-9] ' "$TOOLS/check2.out" || return 1
    # make run 2: the learner's stage 2 (which ends by itself), not the final server.
    in_copy $MAKE -s run 2 > "$TOOLS/run2.out" 2>&1
    head -n 3 "$TOOLS/run2.out"
    grep -q '^Running build/steps/02-scheduler *$' "$TOOLS/run2.out" && grep -q 'TODO: exercise 2\.' "$TOOLS/run2.out"
}
check "make step 2 = make step STEP=2; make check 2 grades stage 2 only; make run 2 runs your stage 2" tools_numbers

tools_reports() { # every stage graded; both reports parse and list every exercise and test
    in_copy $MAKE -s check > "$TOOLS/check.out" 2>&1
    tools_status=$?
    tail -n 3 "$TOOLS/check.out"
    [ "$tools_status" != 0 ] || { echo "the untouched course passed make check"; return 1; }
    tools_results=$COPY/build/grade/steps/results.tsv
    tools_json=$COPY/build/report/grade.json
    tools_junit=$COPY/build/report/junit.xml
    [ -s "$tools_json" ] && [ -s "$tools_junit" ] || { echo "no build/report/grade.json or junit.xml"; return 1; }
    tools_tests=$(grep -c '^test	' "$tools_results")
    tools_passed=$(grep -c '^test	[^	]*	[^	]*	ok	' "$tools_results")
    echo "results.tsv: $tools_tests tests, $tools_passed passed"
    [ "$tools_tests" -gt 0 ] || return 1
    if ! command -v python3 >/dev/null 2>&1; then
        # No parser here: at least every exercise is a key and every test a testcase.
        for tools_id in $(course_exercise_ids); do
            grep -q "^    \"$tools_id\": {" "$tools_json" || { echo "grade.json has no exercise $tools_id"; return 1; }
        done
        [ "$(grep -c '<testcase ' "$tools_junit")" = "$tools_tests" ] || { echo "junit.xml: not $tools_tests testcases"; return 1; }
        echo "(python3 is not installed: grade.json and junit.xml were checked without a parser)"
        return 0
    fi
    python3 - "$tools_json" "$tools_junit" "$tools_results" "$(course_exercise_ids)" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
report = json.load(open(sys.argv[1]))
suites = ET.parse(sys.argv[2]).getroot()
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if l.startswith("test\t")]
ids = sys.argv[4].split()
assert sorted(report["exercises"]) == sorted(ids), report["exercises"].keys()
assert sorted(report["stages"], key=int) == [str(n) for n in range(1, 6)], report["stages"].keys()
for stage in report["stages"].values():
    assert stage["graded"], stage
ok = sum(1 for r in rows if r[3] == "ok")
assert report["total"] == {"passed": ok, "failed": len(rows) - ok, "total": len(rows)}, report["total"]
for id in ids:
    e = report["exercises"][id]
    mine = [r for r in rows if r[2] == id]
    assert e["total"] == len(mine) > 0 and e["passed"] == sum(r[3] == "ok" for r in mine), (id, e)
    assert [t["name"] for t in e["tests"]] == [r[4] for r in mine], id
    assert not e["done"], id
cases = suites.findall("./testsuite/testcase")
assert [(c.get("classname"), c.get("name")) for c in cases] == [(r[2], r[4]) for r in rows]
for c, r in zip(cases, rows):
    assert (r[3] == "ok") == (len(list(c)) == 0), (c.get("name"), r[3])
assert int(suites.get("tests")) == len(rows)
print("grade.json: %d exercises, %d/%d; junit.xml: %d testcases" %
      (len(report["exercises"]), ok, len(rows), len(cases)))
EOF
}
check "make check writes build/report/grade.json and junit.xml listing every exercise and test" tools_reports

tools_broken_report() { # a stage that does not compile is in the reports as such
    tools_broken=$COPY/steps/$(course_folder 2)/task_queue.c
    cp "$tools_broken" "$TOOLS/task_queue.c.real"
    echo "this is not C" >> "$tools_broken"
    in_copy $MAKE -s check 2 > "$TOOLS/broken.out" 2>&1
    cp "$TOOLS/task_queue.c.real" "$tools_broken"
    tail -n 3 "$TOOLS/broken.out"
    # Every test of the stage counted, as failed: the denominators stay.
    tools_count=$("$COPY/build/grade/solutions-list/test-$(course_folder 2)" --list | wc -l)
    grep -q "\"2\": {\"title\": \"the scheduler\", \"folder\": \"02-scheduler\", \"graded\": true, \"state\": \"does not compile\", \"passed\": 0, \"total\": $tools_count," \
        "$COPY/build/report/grade.json" || { cat "$COPY/build/report/grade.json"; return 1; }
    # The other stages keep their last grade (make check above), unchanged since.
    grep -q '"1": {[^}]*"graded": true' "$COPY/build/report/grade.json" || return 1
    grep -q '<error message="NOT-BUILT: the stage does not compile' "$COPY/build/report/junit.xml" || { cat "$COPY/build/report/junit.xml"; return 1; }
}
check "a stage that does not compile is reported so in grade.json and junit.xml" tools_broken_report

tools_test_status() { # make check TEST=N.M exits 0 exactly when N.M passes
    # 1.2's generator runs on 1.1's macros: both solved, 1.3 a stub.
    splice_into 1.1 solutions steps && splice_into 1.2 solutions steps || return 1
    in_copy $MAKE -s check TEST=1.2 > "$TOOLS/t12.out" 2>&1 || { cat "$TOOLS/t12.out"; echo "TEST=1.2 (solved) failed"; return 1; }
    tail -n 1 "$TOOLS/t12.out"
    if in_copy $MAKE -s check TEST=1.3 > "$TOOLS/t13.out" 2>&1; then
        echo "TEST=1.3 (a stub) passed"; return 1
    fi
    tail -n 1 "$TOOLS/t13.out"
    # The reports of a filtered grade say so, in a folder of their own:
    # build/report keeps the whole grade.
    grep -q '"filter": "1.3"' "$COPY/build/report/TEST-1.3/grade.json" || { echo "TEST-1.3/grade.json does not give the filter"; return 1; }
    if grep -q '"filter": "1.3"' "$COPY/build/report/grade.json"; then
        echo "make check TEST=1.3 overwrote build/report/grade.json"; return 1
    fi
}
check "make check TEST=1.2 exits 0 when 1.2 is solved, TEST=1.3 fails while 1.3 is a stub" tools_test_status

tools_list() { # make check 1 LIST=1 lists the tests' names, and runs none
    in_copy $MAKE -s check 1 LIST=1 > "$TOOLS/list.out" 2>&1 || { cat "$TOOLS/list.out"; return 1; }
    cat "$TOOLS/list.out"
    grep -q '^  \(ok\|FAIL\|CRASH\|TIMEOUT\|EXITED\) ' "$TOOLS/list.out" && { echo "LIST=1 ran tests"; return 1; }
    awk -F'\t' '$1 == "test" && $2 == 1 { print $5 }' "$COPY/build/grade/steps/results.tsv" > "$TOOLS/names"
    [ -s "$TOOLS/names" ] || return 1
    while IFS= read -r tools_name; do
        grep -qF "$tools_name" "$TOOLS/list.out" || { echo "not listed: $tools_name"; return 1; }
    done < "$TOOLS/names"
}
check "make check 1 LIST=1 lists every test of stage 1 without running them" tools_list

tools_hint() { # successive hints, ALL=1, an unknown id, Korean
    rm -rf "$COPY/build/hints"
    for tools_n in 1 2 3 3; do
        in_copy $MAKE -s hint 1.2 > "$TOOLS/hint.out" 2>&1 || return 1
        head -n 3 "$TOOLS/hint.out"
        grep -q "^$tools_n\. " "$TOOLS/hint.out" || { echo "call for hint $tools_n did not print hint $tools_n"; return 1; }
        [ "$(grep -c '^[0-9]\. ' "$TOOLS/hint.out")" = 1 ] || { echo "more than one hint printed"; return 1; }
    done
    grep -q 'last hint' "$TOOLS/hint.out" || return 1
    # The text is the tutorial's.
    in_copy $MAKE -s hint 1.1 > "$TOOLS/hint11.out" 2>&1 || return 1
    grep -qF "$(awk '/^### Exercise 1.1:/ { e = 1 } e && /^1\. / { print; exit }' TUTORIAL.md)" "$TOOLS/hint11.out" || return 1
    in_copy $MAKE -s hint 1.1 ALL=1 > "$TOOLS/hintall.out" 2>&1 || return 1
    [ "$(grep -c '^[0-9]\. ' "$TOOLS/hintall.out")" = 5 ] || { echo "ALL=1 did not print the 5 hints of 1.1"; return 1; }
    in_copy $MAKE -s hint 9.9 > "$TOOLS/hint99.out" 2>&1 && return 1
    grep -q '1\.1 1\.2 1\.3 2\.1' "$TOOLS/hint99.out" || { cat "$TOOLS/hint99.out"; return 1; }
    # Korean, from TUTORIAL.ko.md when there is one (a small fake here).
    mv "$COPY/TUTORIAL.ko.md" "$TOOLS/TUTORIAL.ko.md.real" 2>/dev/null
    printf '### 연습 1.2: 가짜\n\n<details><summary>힌트</summary>\n\n1. 첫째 힌트\n   둘째 줄\n2. 둘째 힌트\n\n</details>\n' > "$COPY/TUTORIAL.ko.md"
    rm -rf "$COPY/build/hints"
    in_copy env LANG=ko_KR.UTF-8 LC_ALL= $MAKE -s hint 1.2 > "$TOOLS/hintko.out" 2>&1
    cat "$TOOLS/hintko.out"
    grep -q '^1\. 첫째 힌트' "$TOOLS/hintko.out" && grep -q '둘째 줄' "$TOOLS/hintko.out" || return 1
    in_copy env COURSE_LANG=ko LANG=C $MAKE -s hint 1.2 > "$TOOLS/hintko2.out" 2>&1
    grep -q '^2\. 둘째 힌트' "$TOOLS/hintko2.out" || { cat "$TOOLS/hintko2.out"; return 1; }
    # Without TUTORIAL.ko.md, the English hints.
    rm -f "$COPY/TUTORIAL.ko.md"
    rm -rf "$COPY/build/hints"
    in_copy env LANG=ko_KR.UTF-8 $MAKE -s hint 1.2 > "$TOOLS/hinten.out" 2>&1
    grep -q '^1\. Translate the Python' "$TOOLS/hinten.out" || { cat "$TOOLS/hinten.out"; return 1; }
    [ -f "$TOOLS/TUTORIAL.ko.md.real" ] && mv "$TOOLS/TUTORIAL.ko.md.real" "$COPY/TUTORIAL.ko.md"
    return 0
}
check "make hint 1.2 prints hint 1, 2, 3 on successive calls; ALL=1; unknown ids; Korean (TUTORIAL.ko.md)" tools_hint

tools_reset() { # reset one exercise: the stub byte for byte, the rest untouched, a backup
    tools_folder=steps/$(course_folder 1)
    splice_into 1.3 solutions steps || return 1
    echo "/* a line of my own, outside any exercise */" >> "$COPY/$tools_folder/countup.c"
    cp "$COPY/$tools_folder/countup.c" "$TOOLS/countup.c.mine"
    cp "$COPY/$tools_folder/countdown.c" "$TOOLS/countdown.c.mine"   # 1.2, solved above
    cp "$COPY/$tools_folder/coroutine.h" "$TOOLS/coroutine.h.mine"   # 1.1, solved above
    in_copy $MAKE -s reset 1.3 > "$TOOLS/reset.out" 2>&1 || { cat "$TOOLS/reset.out"; return 1; }
    cat "$TOOLS/reset.out"
    grep -q 'exercise 1.3: put back to its stub in countup.c countup.h' "$TOOLS/reset.out" || return 1
    (cd "$COPY" && git show "HEAD:$tools_folder/countup.c") > "$TOOLS/countup.c.expected" || return 1
    echo "/* a line of my own, outside any exercise */" >> "$TOOLS/countup.c.expected"
    cmp "$COPY/$tools_folder/countup.c" "$TOOLS/countup.c.expected" || return 1
    (cd "$COPY" && git diff --quiet HEAD -- "$tools_folder/countup.h") || { echo "countup.h is not its stub"; return 1; }
    cmp "$COPY/$tools_folder/countdown.c" "$TOOLS/countdown.c.mine" &&
        cmp "$COPY/$tools_folder/coroutine.h" "$TOOLS/coroutine.h.mine" || { echo "reset 1.3 changed another exercise"; return 1; }
    tools_backup=$(ls -d "$COPY"/build/reset-backup/*/ | tail -n 1)
    cmp "$tools_backup/$tools_folder/countup.c" "$TOOLS/countup.c.mine" || { echo "no backup of what was replaced"; return 1; }
    # The whole stage: every exercise back, only the line of my own left.
    in_copy $MAKE -s reset 1 > "$TOOLS/reset1.out" 2>&1 || return 1
    cat "$TOOLS/reset1.out"
    (cd "$COPY" && git diff --quiet HEAD -- "$tools_folder/countdown.c" "$tools_folder/countup.h" "$tools_folder/coroutine.h") || return 1
    # A learner who commits their work: the stub is still the course's.
    splice_into 1.2 solutions steps || return 1
    (cd "$COPY" && git -c user.name=me -c user.email=me@localhost commit -q -am "my 1.2") || return 1
    in_copy $MAKE -s reset 1.2 > "$TOOLS/reset12.out" 2>&1 || { cat "$TOOLS/reset12.out"; return 1; }
    (cd "$COPY" && git diff --quiet HEAD~1 -- "$tools_folder/countdown.c") ||
        { echo "after a commit of my own, reset 1.2 did not bring back the course's stub"; return 1; }
    (cd "$COPY" && git reset -q HEAD~1) || return 1
    in_copy $MAKE -s reset 1.7 > "$TOOLS/reset17.out" 2>&1 && return 1
    grep -q 'no exercise' "$TOOLS/reset17.out"
}
if [ "$tools_git" = 1 ]; then
    check "make reset 1.3 puts the committed stub back byte for byte, leaving the rest; make reset 1; past a commit of the learner's own" tools_reset
else
    skip "make reset" "git is not installed (Debian/Ubuntu: apt-get install git)"
fi

tools_progress() { # done, started, not started; stage scores; what is next
    splice_into 1.1 solutions steps && splice_into 1.2 solutions steps || return 1   # done
    # Started: the stub's exercise_todo() call taken out of 1.3.
    grep -v 'exercise_todo("1.3"' "$COPY/steps/$(course_folder 1)/countup.c" > "$TOOLS/countup.c" &&
        cp "$TOOLS/countup.c" "$COPY/steps/$(course_folder 1)/countup.c" || return 1
    # With git (the committed stub), and as in a copy without git.
    in_copy $MAKE -s progress > "$TOOLS/progress.out" 2>&1
    cat "$TOOLS/progress.out"
    tools_progress_states "$TOOLS/progress.out" || return 1
    in_copy env GIT_DIR=/nonexistent $MAKE -s progress > "$TOOLS/progress-nogit.out" 2>&1
    tools_progress_states "$TOOLS/progress-nogit.out" || { cat "$TOOLS/progress-nogit.out"; return 1; }
    # One grade: after make check, progress grades nothing again and
    # shows make check's scores; a saved file is graded again, alone.
    in_copy $MAKE -s check > "$TOOLS/check-all.out" 2>&1
    in_copy $MAKE -s progress > "$TOOLS/progress-kept.out" 2>&1
    grep -q '^Progress of steps/ (from the last grade: nothing changed since):' "$TOOLS/progress-kept.out" ||
        { echo "make progress graded again right after make check:"; cat "$TOOLS/progress-kept.out"; return 1; }
    sed -n 's/^  \(Stage [0-9]*  [0-9]*\/[0-9]*\) .*/\1/p' "$TOOLS/check-all.out" > "$TOOLS/check-scores"
    sed -n 's/^  \(Stage [0-9]*  [0-9]*\/[0-9]*\) .*/\1/p' "$TOOLS/progress-kept.out" > "$TOOLS/progress-scores"
    [ -s "$TOOLS/check-scores" ] && cmp -s "$TOOLS/check-scores" "$TOOLS/progress-scores" ||
        { echo "make progress and make check disagree:"; paste "$TOOLS/check-scores" "$TOOLS/progress-scores"; return 1; }
    echo "/* saved */" >> "$COPY/steps/$(course_folder 2)/scheduler.c"
    in_copy $MAKE -s progress > "$TOOLS/progress-one.out" 2>&1
    grep -q '^Progress of steps/ (graded just now: stage 2; ' "$TOOLS/progress-one.out" ||
        { echo "a save in stage 2, then make progress:"; cat "$TOOLS/progress-one.out"; return 1; }
}
tools_progress_states() { # FILE: the states and scores the setup above makes
    for tools_id in $(course_exercise_ids); do
        grep -q "^    $tools_id  *\(done\|started\|not started\) " "$1" || { echo "no state for $tools_id"; return 1; }
    done
    grep -q '^    1\.1  *done ' "$1" &&
    grep -q '^    1\.2  *done ' "$1" &&
    grep -q '^    1\.3  *started ' "$1" &&
    grep -q '^    2\.1  *not started ' "$1" &&
    grep -q '^  Stage 1  [0-9]*/[0-9]* ' "$1" &&
    grep -q '^Next: exercise 1\.3 (countup_next), in TUTORIAL.md under "Exercise 1\.3: countup_next"' "$1"
}
check "make progress: 15 exercises done/started/not started, stage scores, the next exercise; make check's grade, kept" tools_progress

tools_watch() { # POLL: a save re-grades within 2 s; no N: the first stage without full marks
    tools_log=$TOOLS/watch-$1.out
    (cd "$COPY" && exec env -u MAKEFLAGS -u MAKELEVEL WATCH_ROUNDS=2 WATCH_POLL=$1 $MAKE -s watch) > "$tools_log" 2>&1 &
    tools_watch_pid=$!
    tools_ticks=0
    until grep -q '^Watching ' "$tools_log" || [ $tools_ticks -ge 600 ] || ! kill -0 $tools_watch_pid 2>/dev/null; do
        sleep 0.05; tools_ticks=$((tools_ticks + 1))
    done
    grep -q '^make watch 1: ' "$tools_log" || { echo "make watch did not start on stage 1"; kill $tools_watch_pid; cat "$tools_log"; return 1; }
    grep -q '^Watching ' "$tools_log" || { kill $tools_watch_pid; cat "$tools_log"; return 1; }
    tools_waiter=inotifywait
    [ "$1" = 1 ] && tools_waiter=poll
    grep -q "^Watching .*($tools_waiter)" "$tools_log" || { echo "not waiting with $tools_waiter"; kill $tools_watch_pid; cat "$tools_log"; return 1; }
    tools_saved=$(date +%s)
    echo "/* saved */" >> "$COPY/steps/$(course_folder 1)/countdown.c"
    tools_ticks=0
    until [ "$(grep -c '^make watch 1: grading' "$tools_log")" -ge 2 ] || [ $tools_ticks -ge 600 ]; do
        sleep 0.05; tools_ticks=$((tools_ticks + 1))
    done
    tools_regraded=$(grep -c '^make watch 1: grading' "$tools_log")
    echo "the save was followed by a new grade after about $((tools_ticks * 5 / 100)) s"
    # Then it finishes that grade and stops (WATCH_ROUNDS=2).
    tools_ticks=0
    while kill -0 $tools_watch_pid 2>/dev/null && [ $tools_ticks -lt 600 ]; do sleep 0.05; tools_ticks=$((tools_ticks + 1)); done
    kill $tools_watch_pid 2>/dev/null
    wait $tools_watch_pid 2>/dev/null
    cat "$tools_log"
    [ "$tools_regraded" -ge 2 ] || { echo "no new grade within 30 s of the save (at $tools_saved)"; return 1; }
    [ "$(grep -c '^Score: ' "$tools_log")" -eq 2 ]
}
check "make watch grades the first unfinished stage, and again after a save (polling)" tools_watch 1
if command -v inotifywait >/dev/null 2>&1; then
    check "make watch, the same with inotifywait" tools_watch 0
fi

tools_compdb() { # compile_commands.json covers every file of every stage; -j2 without jobserver warnings
    in_copy $MAKE -s -j2 compdb > "$TOOLS/compdb.out" 2>&1 || { cat "$TOOLS/compdb.out"; return 1; }
    cat "$TOOLS/compdb.out"
    for tools_file in "$COPY"/steps/*/*.c; do
        grep -qF "\"file\": \"$(cd "$(dirname "$tools_file")" && pwd)/$(basename "$tools_file")\"" \
            "$COPY/compile_commands.json" || { echo "no entry for $tools_file"; return 1; }
    done
    # The course's flags and the default CFLAGS, as make step uses them.
    grep -q '"-std=c11", "-D_POSIX_C_SOURCE=200809L", ' "$COPY/compile_commands.json" &&
    grep -q '"-Wall", "-Wextra", "-Wpedantic", "-Werror", "-g", "-O1"' \
        "$COPY/compile_commands.json" && grep -q '"-Icommon"' "$COPY/compile_commands.json" || return 1
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))), "entries")' \
            "$COPY/compile_commands.json" || return 1
    fi
    in_copy $MAKE -j2 step 5 > "$TOOLS/j2.out" 2>&1 &&
        in_copy $MAKE -j2 check 1 >> "$TOOLS/j2.out" 2>&1
    if grep -i 'jobserver' "$TOOLS/j2.out"; then return 1; fi
    return 0
}
check "make compdb writes compile_commands.json for every stage file; make -j2 without jobserver warnings" tools_compdb

tools_port() { # through make, a port in use is answered with make run ARGS="-p ..."
    (cd "$COPY" && exec env -u MAKEFLAGS -u MAKELEVEL $MAKE -s step 5 SOLUTIONS=1) > "$TOOLS/port.build" 2>&1 || return 1
    "$COPY/build/solutions/$(course_folder 5)" -b 127.0.0.1 -p 0 > "$TOOLS/first.out" 2>&1 &
    tools_first=$!
    tools_ticks=0
    until grep -q '^Listening on' "$TOOLS/first.out" || [ $tools_ticks -ge 100 ]; do sleep 0.05; tools_ticks=$((tools_ticks + 1)); done
    tools_port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TOOLS/first.out")
    if [ -z "$tools_port" ]; then kill $tools_first; wait $tools_first; return 1; fi
    in_copy $MAKE -s run ARGS="-b 127.0.0.1 -p $tools_port" > "$TOOLS/second.out" 2>&1
    tools_status=$?
    kill -TERM $tools_first
    wait $tools_first
    cat "$TOOLS/second.out"
    [ "$tools_status" -ne 0 ] && grep -qF 'make run ARGS="-p 26000"' "$TOOLS/second.out"
}
check "make run on a port in use says how to choose one through make (ARGS=\"-p 26000\")" tools_port

tools_overrides() { # make test CC=x: a script's own CC reaches the builds it starts
    mkdir -p "$TOOLS/overrides/tests/maint" "$TOOLS/overrides/tests/grader"
    cp Makefile tests/course.txt "$TOOLS/overrides/"
    cp tests/course.txt "$TOOLS/overrides/tests/"
    cp tests/grader/need-check.sh "$TOOLS/overrides/tests/grader/"
    cp tests/flags.mk "$TOOLS/overrides/tests/"
    printf 'all:\n\t@echo "the build got CC=$(CC)"\n' > "$TOOLS/overrides/probe.mk"
    printf 'CC=probe-cc $MAKE -s --no-print-directory -f probe.mk\n' > "$TOOLS/overrides/tests/maint/selftest.sh"
    (cd "$TOOLS/overrides" && env -u MAKEFLAGS -u MAKELEVEL $MAKE -s test CC=from-the-command-line) > "$TOOLS/overrides.out" 2>&1
    cat "$TOOLS/overrides.out"
    grep -qx 'the build got CC=probe-cc' "$TOOLS/overrides.out"
}
check "make test CC=... reaches the checks only through the environment: their own CC wins" tools_overrides

tools_manifest() { # stages.sh catches a manifest that disagrees with the regions
    cp "$COPY/tests/course.txt" "$TOOLS/course.txt.real"
    sed 's/^exercise	1\.3	countup\.h,countup\.c	/exercise	1.3	countup.c	/' "$TOOLS/course.txt.real" > "$COPY/tests/course.txt"
    (cd "$COPY" && sh tests/maint/stages.sh check) > "$TOOLS/manifest1.out" 2>&1
    tools_status=$?
    cat "$TOOLS/manifest1.out"
    grep -v '^exercise	3\.2	' "$TOOLS/course.txt.real" > "$COPY/tests/course.txt"
    (cd "$COPY" && sh tests/maint/stages.sh check) > "$TOOLS/manifest2.out" 2>&1
    tools_status2=$?
    cat "$TOOLS/manifest2.out"
    cp "$TOOLS/course.txt.real" "$COPY/tests/course.txt"
    [ "$tools_status" = 1 ] && grep -q 'exercise 1.3: tests/course.txt names countup.c, its regions are in countup.c,countup.h' "$TOOLS/manifest1.out" &&
    [ "$tools_status2" = 1 ] && grep -q 'exercise 3.2 has regions but is not in tests/course.txt' "$TOOLS/manifest2.out"
}
check "stages.sh reports an exercise whose files, or whose very entry, the manifest gets wrong" tools_manifest
