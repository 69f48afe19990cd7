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
. tests/grader/messages.sh
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

. tests/grader/sanitize.sh
choose_sanitize

. tests/grader/stage_cache.sh

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
COURSE_MESSAGES=$(pwd)/tests/grader/messages.txt # the grader's sentences
export COURSE_MANIFEST COURSE_ROOT COURSE_MESSAGES
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
    msgln check.no_stage "$STEP"
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
            index(tolower($2), tolower(test)) || index(tolower($3), tolower(test)) { n++ }
            END { print n + 0 }'
    else
        echo 0
    fi
}

# A stage that does not compile, is missing, or whose grader stopped
# still counts every one of its selected tests in the reports, as failed
# (NOT-BUILT, or NO-RESULT for those the grader never reached): the
# totals keep their real denominators.  After count_tests, which builds
# the list.
record_unrun() { # NAME NUMBER STATUS
    [ -x "$BUILD/grade/solutions-list/test-$1" ] || return 0
    "$BUILD/grade/solutions-list/test-$1" --list | awk -F '\t' -v test="$TEST" -v n="$2" -v status="$3" -v results="$RESULTS" '
        BEGIN { while ((getline l < results) > 0) { split(l, f, "\t"); if (f[1] == "test" && f[2] == n) seen[f[3] "\t" f[5]] = 1 } }
        test ~ /^[0-9]+\.[0-9]+$/ && $1 != test { next }
        test != "" && test !~ /^[0-9]+\.[0-9]+$/ && !index(tolower($2), tolower(test)) { next }
        !(($1 "\t" $2) in seen) { printf "test\t%s\t%s\t%s\t%s\n", n, $1, status, $2 }' >> "$RESULTS"
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
            msgln check.cannot_build_suite "$number" "$list_out/$name.log"
            exit 2
        fi
        msgln grade.header "$number" "$(stage_title_in "$number")"
        "$list_out/test-$name" --list | awk -F '\t' -v test="$TEST" -v tag="$(msg grade.tag)" '
            test ~ /^[0-9]+\.[0-9]+$/ && $1 != test { next }
            test != "" && test !~ /^[0-9]+\.[0-9]+$/ && !index(tolower($2), tolower(test)) && !index(tolower($3), tolower(test)) { next }
            { printf "  %-14s %s\n", ($1 ~ /^[0-9]/ ? "[" tag $1 "]" : "[" $1 "]"), $2 }'
    done
    exit 0
fi

# The compile report: the compiler's first complaints with their notes,
# and what a learner can do about the usual surprises.
explain_build() { # LOG SRC
    if grep -q 'check\.h: No such file\|cannot find -lcheck\|library.*check.*not found' "$1"; then
        say "$(msg_lines "          " check.no_check_lib "${CC:-cc}")"
        return
    fi
    say "          $(msgf check.complaints "$1")"
    if [ "$QUIET" != 1 ]; then
        grep -E 'error|warning|note:' "$1" | head -n 12 | sed 's/^/          /'
    fi
    if grep -q '\[-Werror' "$1"; then
        where=$(msg check.how_course_works)
        say "$(msg_lines "          " check.werror "$where")"
    fi
    first=$(grep -E '(error|warning):' "$1" | head -n 1)
    case $first in
        tests/*)
            macro=$(sed -n "s/.*in expansion of macro ['\`‘]\([A-Za-z_0-9]*\)['’].*/\1/p" "$1" | tail -n 1)
            where=""
            if [ -n "$macro" ]; then
                where=$(grep -l "define[[:space:]]*$macro\b" "$2"/*.h common/*.h 2>/dev/null | head -n 1)
            fi
            if [ -n "$macro" ] && [ -n "$where" ]; then
                say "$(msg_lines "          " check.in_grader_macro "${first%%:*}" "$macro" "$where")"
            else
                say "$(msg_lines "          " check.in_grader "${first%%:*}")"
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
                via=$(msgf check.via "$(basename "$header")" "${id#* }")
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
    ex_title=$(exercise_title_in "$id")
    if [ -n "${via:-}" ]; then
        reason=$(msgf check.reason_via "$file" "$line" "$via")
    else
        reason=$(msgf check.reason "$file" "$line")
    fi
    say "$(msgf grade.fix_first "$id" "$ex_title" "$reason")"
    printf 'fixfirst\t%s\t%s\t%s\n' "$3" "$id" "$reason" >> "$RESULTS"
    fix_first_note=$(msgf check.note_fix "$id" "$ex_title")
}

asan_given=${ASAN_OPTIONS:-}
ubsan_given=${UBSAN_OPTIONS:-}
total_passed=0
total_tests=0
summary=""
for entry in $stages; do
    number=${entry%%:*}
    name=${entry#*:}
    title=$(stage_title_in "$number")
    src=$SRC_ROOT/$name
    log=$OUT/$name.log
    key=$(stage_key "$name" "$src")

    if [ ! -d "$src" ]; then
        count=$(count_tests "$name" "$number")
        record_unrun "$name" "$number" NOT-BUILT
        say "$(msgf grade.header "$number" "$title")"
        say "  $(msgf check.missing "$src")"
        say ""
        line="  $(msgf check.summary_line "$number" "0/$count" "$title $(msg check.note_missing)")"
        summary="$summary
$line"
        total_tests=$((total_tests + count))
        [ -n "$TEST" ] || stage_save "$number" "$key" "$RESULTS" "$line"
        continue
    fi

    if ! $MAKE --no-print-directory -f tests/stage.mk SRC="$src" NAME="$name" OUT="$OUT" \
            program suite > "$log.build" 2>&1; then
        count=$(count_tests "$name" "$number")
        record_unrun "$name" "$number" NOT-BUILT
        say "$(msgf grade.header "$number" "$title")"
        say "  $(msgf check.no_compile "$count")"
        explain_build "$log.build" "$src"
        say "          $(msg check.first_error)"
        fix_first_note=""
        compile_fix_first "$log.build" "$src" "$number"
        say "$(msgf grade.score "$number" 0 "$count")"
        say ""
        line="  $(msgf check.summary_line "$number" "0/$count" "$title $(msg check.note_no_compile)${fix_first_note:+ $fix_first_note}")"
        summary="$summary
$line"
        total_tests=$((total_tests + count))
        [ -n "$TEST" ] || stage_save "$number" "$key" "$RESULTS" "$line"
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
    score_prefix=$(msgf grade.score "$number" 0 0 | sed 's/0\/0$//')
    score=$(awk -v p="$score_prefix" 'index($0, p) == 1 && substr($0, length(p) + 1) ~ /^[0-9]+\/[0-9]+$/ { s = substr($0, length(p) + 1) } END { print s }' "$log")
    if [ -z "$score" ]; then
        count=$(count_tests "$name" "$number")
        record_unrun "$name" "$number" NO-RESULT
        say "$(msg_lines "  " check.grader_stopped "$number" "$log")"
        score="0/$count"
        note=$(msg check.note_stopped)
    else
        note=""
    fi
    fix=$(awk -F '\t' -v n="$number" '$1 == "fixfirst" && $2 == n { f = $3 } END { print f }' "$RESULTS")
    [ -n "$fix" ] && note="${note:+$note }$(msgf check.note_fix "$fix" "$(exercise_title_in "$fix")")"
    passed=${score%/*}
    tests=${score#*/}
    total_passed=$((total_passed + passed))
    total_tests=$((total_tests + tests))
    line="  $(msgf check.summary_line "$number" "$passed/$tests" "$title${note:+ $note}")"
    summary="$summary
$line"
    [ -n "$TEST" ] || stage_save "$number" "$key" "$RESULTS" "$line"
    say ""
done

# The reports: one grade, as make progress has it.  build/report holds
# the last full grade of every stage whose files have not changed since
# (this one's stages, and those kept from earlier grades); a grade of
# some tests only (TEST=) writes its own, build/report/TEST-<what>/, and
# leaves that one alone.
if [ -f tests/grader/report.sh ]; then
    if [ -n "$TEST" ]; then
        sh tests/grader/report.sh "$RESULTS" "$BUILD/report/TEST-$(echo "$TEST" | tr -c 'A-Za-z0-9.\n' '_')"
    else
        kept=$OUT/kept-results.tsv
        : > "$kept"
        kept_stages=""
        for entry in $(awk -F '\t' '$1 == "stage" { print $2 ":" $3 }' "$MANIFEST"); do
            stage_fresh "${entry%%:*}" "${entry#*:}" "$SRC_ROOT/${entry#*:}" || continue
            stage_kept "${entry%%:*}" results >> "$kept"
            kept_stages="$kept_stages ${entry%%:*}"
        done
        STEP=${kept_stages# } sh tests/grader/report.sh "$kept" "$BUILD/report"
    fi
fi

echo "$(msg check.summary)$summary"
msgln check.total "$total_passed" "$total_tests"
msgln check.passed_failed "$total_passed" "$((total_tests - total_passed))"
if [ "$total_tests" -eq 0 ]; then
    exit 2
fi
[ "$total_passed" -eq "$total_tests" ]
