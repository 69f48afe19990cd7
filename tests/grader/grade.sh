#!/bin/sh
# grade.sh - `make check`: grade each stage, then total the scores.
#
# Environment (the Makefile sets these):
#   TREE=steps|solutions   which copy to grade (default steps)
#   STEP=N                 grade stage N only, or STEP="1 3" (default: every stage)
#   TEST=word              only tests whose name contains word, or TEST=N.M:
#                          exactly exercise N.M's tests
#   KEEP_GOING=1           run every test even after a hang (no fail-fast)
#   LIST=1                 list the selected tests' names; run none
#   SRC_ROOT=dir           grade the stages found in dir instead of TREE
#   BUILD=dir              where to build (default build)
#   QUIET=1                print only the summary (for the self-test)
#   SANITIZE=1|0           with or without ASan+UBSan (+LSan); under make
#                          check (SANITIZE_FROM=file: the Makefile's own
#                          default stands) the default is on wherever a
#                          probe shows the compiler supports them
#
# A stage that does not compile, crashes or hangs is reported as such
# and never keeps the other stages from being graded.  Exit status: 0
# when every graded test passed, 1 otherwise, 2 when no test ran.
set -u
cd "$(dirname "$0")/../.." || exit 2
# Grading uses each stage's own scheduler: a BACKEND left in the
# environment (TUTORIAL.md, "Going further") must not reach the builds.
unset BACKEND

TREE=${TREE:-steps}
STEP=${STEP:-}
TEST=${TEST:-}
SRC_ROOT=${SRC_ROOT:-$TREE}
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
QUIET=${QUIET:-0}
OUT=$BUILD/grade/$(echo "$SRC_ROOT" | tr '/' '_')
mkdir -p "$OUT" || exit 2

# A suite that hangs despite Check's per-test timeouts (a stuck runner)
# is stopped after this many seconds.
SUITE_LIMIT=${SUITE_LIMIT:-600}
if command -v timeout >/dev/null 2>&1; then
    with_limit() { timeout -k 5 "$SUITE_LIMIT" "$@"; }
else
    with_limit() { "$@"; }
fi

say() { [ "$QUIET" = 1 ] || printf '%s\n' "$*"; }

# Sanitizers by default: a tiny program built and run with them once per
# compiler (the answer is cached under $BUILD) says whether they work
# here; clang without its runtime, or musl, falls back with one line.
sanitizers_work() {
    cc=${CC:-cc}
    cache=$BUILD/sanitizers.$(echo "$cc" | tr -c 'A-Za-z0-9.\n' '_')
    if [ ! -f "$cache" ]; then
        mkdir -p "$BUILD"
        printf '#include <stdlib.h>\nint main(void) { char *p = malloc(4); p[0] = 1; free(p); return 0; }\n' \
            > "$BUILD/sanitizers-probe.c"
        if $cc -fsanitize=address,undefined -fno-omit-frame-pointer "$BUILD/sanitizers-probe.c" \
                -o "$BUILD/sanitizers-probe" > "$BUILD/sanitizers-probe.log" 2>&1 &&
           "$BUILD/sanitizers-probe" >> "$BUILD/sanitizers-probe.log" 2>&1; then
            echo yes > "$cache"
        else
            echo no > "$cache"
        fi
    fi
    [ "$(cat "$cache")" = yes ]
}
case ${SANITIZE_FROM:-} in
    file | undefined | default)
        if sanitizers_work; then
            SANITIZE=1
        else
            SANITIZE=0
            echo "(AddressSanitizer is not available with ${CC:-cc} here, see $BUILD/sanitizers-probe.log:"
            echo " grading without it; leaks are still counted)"
        fi
        export SANITIZE
        ;;
esac

# Every suite appends one line per test here (tests/grader/grade.c,
# GRADE_RESULTS); the reports under $BUILD/report are made from it.
RESULTS=$OUT/results.tsv
[ "${LIST:-}" = 1 ] || : > "$RESULTS" || exit 2
case $RESULTS in
    /*) GRADE_RESULTS=$RESULTS ;;
    *) GRADE_RESULTS=$(pwd)/$RESULTS ;;
esac
export GRADE_RESULTS

# The stages, their folders and titles: from the course manifest only.
MANIFEST=tests/course.txt
COURSE_MANIFEST=$(pwd)/$MANIFEST
COURSE_ROOT=${COURSE_ROOT:-$(pwd)} # where TUTORIAL.ko.md is looked for
export COURSE_MANIFEST COURSE_ROOT
stages=""
for entry in $(awk -F '\t' '$1 == "stage" { print $2 ":" $3 }' "$MANIFEST"); do
    number=${entry%%:*}
    case " $STEP " in
        "  " | *" $number "*) ;;
        *) continue ;;
    esac
    stages="$stages $entry"
done
if [ -z "$stages" ]; then
    echo "make check: there is no stage '$STEP'; STEP must be a number from 1 to 5"
    exit 2
fi

# How many tests a stage has (those TEST selects), asked of its suite
# built against solutions/, which always compiles: a stage that does not
# compile still scores 0 out of its real number of tests.
count_tests() { # NAME NUMBER
    list_out=$BUILD/grade/solutions-list
    mkdir -p "$list_out"
    if $MAKE --no-print-directory -f tests/stage.mk SRC="solutions/$1" NAME="$1" \
            OUT="$list_out" suite > "$list_out/$1.log" 2>&1; then
        "$list_out/test-$1" --list | awk -F '\t' -v test="$TEST" '
            test == "" { n++; next }
            test ~ /^[0-9]+\.[0-9]+$/ { n += ($1 == test); next }
            index(tolower($2), tolower(test)) { n++ }
            END { print n + 0 }'
    else
        echo 0
    fi
}

# LIST=1: the names of the selected tests, stage by stage, none run.
if [ "${LIST:-}" = 1 ]; then
    for entry in $stages; do
        number=${entry%%:*}
        name=${entry#*:}
        list_out=$BUILD/grade/solutions-list
        mkdir -p "$list_out"
        if ! $MAKE --no-print-directory -f tests/stage.mk SRC="solutions/$name" NAME="$name" \
                OUT="$list_out" suite > "$list_out/$name.log" 2>&1; then
            echo "make check: cannot build the suite of stage $number (see $list_out/$name.log)"
            exit 2
        fi
        echo "Stage $number: $(awk -F '\t' -v n="$number" '$1 == "stage" && $2 == n { print $4 }' "$MANIFEST")"
        "$list_out/test-$name" --list | awk -F '\t' -v test="$TEST" '
            test ~ /^[0-9]+\.[0-9]+$/ && $1 != test { next }
            test != "" && test !~ /^[0-9]+\.[0-9]+$/ && !index(tolower($2), tolower(test)) { next }
            { printf "  %-14s %s\n", ($1 ~ /^[0-9]/ ? "[exercise " $1 "]" : "[" $1 "]"), $2 }'
    done
    exit 0
fi

# The compile report: the compiler's first complaints with their notes,
# and what a learner can do about the usual surprises.
explain_build() { # LOG SRC
    if grep -q 'check\.h: No such file\|cannot find -lcheck\|library.*check.*not found' "$1"; then
        say "          The Check unit-test library is not installed for this compiler (CC=${CC:-cc})."
        say "          Install it (Debian/Ubuntu: sudo apt-get install check pkg-config;"
        say "          macOS: brew install check pkg-config), or grade with a compiler that has"
        say "          it, for example: make check CC=gcc"
        return
    fi
    say "          The compiler's first complaints (all of them: $1):"
    if [ "$QUIET" != 1 ]; then
        grep -E 'error|warning|note:' "$1" | head -n 12 | sed 's/^/          /'
    fi
    if grep -q '\[-Werror' "$1"; then
        say "          Warnings count as errors here (-Werror): each one is a likely bug, so fix"
        case ${COURSE_LANG:-${LC_ALL:-${LANG:-}}} in
            ko*) [ -f TUTORIAL.ko.md ] && where='TUTORIAL.ko.md, "과정 진행 방식"' ;;
            *) where='TUTORIAL.md, "How the course works"' ;;
        esac
        say "          it as you would an error (${where:-TUTORIAL.md, \"How the course works\"})."
    fi
    first=$(grep -E '(error|warning):' "$1" | head -n 1)
    case $first in
        tests/*)
            macro=$(sed -n "s/.*in expansion of macro ['\`‘]\([A-Za-z_0-9]*\)['’].*/\1/p" "$1" | tail -n 1)
            where=""
            if [ -n "$macro" ]; then
                where=$(grep -l "define[[:space:]]*$macro\b" "$2"/*.h common/*.h 2>/dev/null | head -n 1)
            fi
            say "          The first error is located in the grader's file ${first%%:*}, but the"
            if [ -n "$macro" ] && [ -n "$where" ]; then
                say "          cause is most likely your macro $macro in $where: the grader's code"
                say "          uses it, so a mistake in it shows where it is expanded."
            else
                say "          cause is most likely in your code: a header or macro of yours that"
                say "          the grader's file includes (the Fix first line below names the likeliest)."
            fi
            ;;
    esac
}

# The exercise a compile error most likely belongs to: the exercise
# region holding its line, else the one exercise of its file.  An error
# in the grader's files counts where the macro it expanded is defined.
compile_fix_first() { # LOG SRC NUMBER
    first=$(grep -E '^[^ :]+:[0-9]+:[0-9]+: (fatal )?error:' "$1" | head -n 1)
    [ -n "$first" ] || return 0
    via=""
    file=${first%%:*}
    line=$(echo "$first" | cut -d: -f2)
    case $file in
        tests/*)
            macro=$(sed -n "s/.*in expansion of macro ['\`‘]\([A-Za-z_0-9]*\)['’].*/\1/p" "$1" | tail -n 1)
            if [ -n "$macro" ]; then
                file=$(grep -l "define[[:space:]]*$macro\b" "$2"/*.h 2>/dev/null | head -n 1)
                [ -n "$file" ] || return 0
                line=$(grep -n "define[[:space:]]*$macro\b" "$file" | head -n 1 | cut -d: -f1)
            fi
            ;;
    esac
    [ -f "$file" ] || return 0
    id=$(awk -v want="$line" '
        /BEGIN EXERCISE [0-9]+\.[0-9]+/ { match($0, /[0-9]+\.[0-9]+/); open = substr($0, RSTART, RLENGTH) }
        NR == want { print open; exit }
        /END EXERCISE [0-9]+\.[0-9]+/ { open = "" }' "$file")
    syntax=""
    window=""
    case $first in
        *"end of input"* | *"case label"* | *expected* | *switch* | *"invalid storage class"*) syntax=1 ;;
        *"control reaches end of non-void function"*)
            # A function that falls off its end just after an exercise's
            # macro (a CO_END that lost its return, say): look only at the
            # lines just above for that macro.
            window=$(awk -v want="$line" 'NR >= want - 8 && NR < want' "$file")
            [ -n "$window" ] && syntax=1 ;;
    esac
    if [ -z "$id" ] && [ -n "$syntax" ]; then
        # An exercise of this file that opens with CO_BEGIN and never
        # closes with CO_END (or the other way round) is the cause itself.
        id=$(awk '
            /BEGIN EXERCISE [0-9]+\.[0-9]+/ { match($0, /[0-9]+\.[0-9]+/); open = substr($0, RSTART, RLENGTH); b = 0; e = 0; next }
            open != "" && /END EXERCISE/ { if (b != e) { print open; exit } open = "" }
            open != "" { b += gsub(/CO_BEGIN\(/, "&"); e += gsub(/CO_END\(/, "&") }' "$file")
    fi
    if [ -z "$id" ] && [ -n "$syntax" ]; then
        # A syntax error outside every exercise: most likely a macro of an
        # exercise (the CO_ macros of 1.1, say) with unbalanced braces.
        for header in "$2"/*.h; do
            [ -f "$header" ] || continue
            id=$(awk '
                /BEGIN EXERCISE [0-9]+\.[0-9]+/ { match($0, /[0-9]+\.[0-9]+/); open = substr($0, RSTART, RLENGTH) }
                /END EXERCISE/ { open = "" }
                open != "" && /^[[:space:]]*#[[:space:]]*define[[:space:]]+[A-Za-z_]/ {
                    name = $0; sub(/^[[:space:]]*#[[:space:]]*define[[:space:]]+/, "", name)
                    sub(/[^A-Za-z_0-9].*/, "", name); print open, name }' "$header" |
                while read -r region name; do
                    if [ -n "$window" ]; then
                        # the macro used last above the error
                        at=$(printf '%s\n' "$window" | grep -n "\b$name\b" | tail -n 1 | cut -d: -f1)
                        [ -n "$at" ] && echo "$at $region $name"
                    elif grep -q "\b$name\b" "$file"; then
                        echo "0 $region $name"
                    fi
                done | sort -k1,1nr | head -n 1 | cut -d' ' -f2-)
            if [ -n "$id" ]; then
                via="$(basename "$header")'s ${id#* }"
                id=${id%% *}
            fi
            [ -n "$id" ] && break
        done
    fi
    if [ -z "$id" ]; then
        id=$(awk -F '\t' -v n="$3" -v f="$(basename "$file")" '
            $1 == "exercise" && index($2, n ".") == 1 && ("," $3 ",") ~ ("," f ",") { print $2; exit }' "$MANIFEST")
    fi
    [ -n "$id" ] || return 0
    ex_title=$(awk -F '\t' -v id="$id" '$1 == "exercise" && $2 == id { print $4 }' "$MANIFEST")
    if [ -n "${via:-}" ]; then
        reason="it does not compile: the first error, at $file:$line, most likely comes from $via"
    else
        reason="it does not compile (the first error is at $file:$line)"
    fi
    say "Fix first: exercise $id ($ex_title): $reason"
    printf 'fixfirst\t%s\t%s\t%s\n' "$3" "$id" "$reason" >> "$RESULTS"
    fix_first_note="- fix first: exercise $id ($ex_title)"
}

asan_given=${ASAN_OPTIONS:-}
ubsan_given=${UBSAN_OPTIONS:-}
total_passed=0
total_tests=0
summary=""
for entry in $stages; do
    number=${entry%%:*}
    name=${entry#*:}
    title=$(awk -F '\t' -v n="$number" '$1 == "stage" && $2 == n { print $4 }' "$MANIFEST")
    src=$SRC_ROOT/$name
    log=$OUT/$name.log

    if [ ! -d "$src" ]; then
        count=$(count_tests "$name" "$number")
        say "Stage $number: $title"
        say "  MISSING  $src does not exist"
        say ""
        summary="$summary
$(printf '  Stage %s  %-6s %s' "$number" "0/$count" "$title (missing)")"
        total_tests=$((total_tests + count))
        continue
    fi

    if ! $MAKE --no-print-directory -f tests/stage.mk SRC="$src" NAME="$name" OUT="$OUT" \
            program suite > "$log.build" 2>&1; then
        count=$(count_tests "$name" "$number")
        say "Stage $number: $title"
        say "  FAIL    the stage does not compile, so none of its $count tests could run."
        explain_build "$log.build" "$src"
        say "          hint: fix the first error first; later ones often follow from it."
        fix_first_note=""
        compile_fix_first "$log.build" "$src" "$number"
        say "Stage $number score: 0/$count"
        say ""
        summary="$summary
$(printf '  Stage %s  %-6s %s' "$number" "0/$count" "$title (does not compile)${fix_first_note:+ $fix_first_note}")"
        total_tests=$((total_tests + count))
        continue
    fi

    # A sanitizer's report goes to a file of its own, which the suite
    # reduces to the learner's file:line and one sentence.
    reports=$OUT/sanitizer-$name
    rm -rf "$reports" && mkdir -p "$reports"
    case $reports in /*) ;; *) reports=$(pwd)/$reports ;; esac
    GRADE_SANITIZER_DIR=$reports
    ASAN_OPTIONS="log_path=$reports/asan${asan_given:+:$asan_given}"
    UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1${ubsan_given:+:$ubsan_given}"
    export GRADE_SANITIZER_DIR ASAN_OPTIONS UBSAN_OPTIONS
    if [ "$QUIET" = 1 ]; then
        with_limit "$OUT/test-$name" ${TEST:+"$TEST"} > "$log" 2>&1
    else
        with_limit "$OUT/test-$name" ${TEST:+"$TEST"} 2>&1 | tee "$log"
    fi
    unset GRADE_SANITIZER_DIR
    score=$(sed -n "s/^Stage $number score: \([0-9]*\/[0-9]*\)$/\1/p" "$log" | tail -n 1)
    if [ -z "$score" ]; then
        count=$(count_tests "$name" "$number")
        say "  CRASH   the grader of stage $number stopped before it finished (see $log);"
        say "          likely cause: the stage's code ended the whole test program."
        score="0/$count"
        note="(grader stopped)"
    else
        note=""
    fi
    fix=$(sed -n 's/^Fix first: \(exercise [0-9.]* ([^)]*)\).*/\1/p' "$log" | tail -n 1)
    [ -n "$fix" ] && note="${note:+$note }- fix first: $fix"
    passed=${score%/*}
    tests=${score#*/}
    total_passed=$((total_passed + passed))
    total_tests=$((total_tests + tests))
    summary="$summary
$(printf '  Stage %s  %-6s %s%s' "$number" "$passed/$tests" "$title" "${note:+ $note}")"
    say ""
done

if [ -f tests/grader/report.sh ]; then
    sh tests/grader/report.sh "$RESULTS" "$BUILD/report"
fi

echo "Summary:$summary"
echo "Score: $total_passed/$total_tests"
echo "$total_passed passed, $((total_tests - total_passed)) failed"
if [ "$total_tests" -eq 0 ]; then
    exit 2
fi
[ "$total_passed" -eq "$total_tests" ]
