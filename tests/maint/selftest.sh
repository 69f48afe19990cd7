#!/bin/sh
# selftest.sh - `make test`: the project's own suite, for maintainers and CI.
#
# It proves, from a clean tree, that:
#   - steps/ and solutions/ are consistent (tests/maint/stages.sh check);
#   - every stub and every solution compiles with -Werror under gcc and
#     clang (where present), and under -O2 -D_FORTIFY_SOURCE=2;
#   - the learner's untouched stages run without crashing or hanging;
#   - the solutions score 100%, also under ASan/UBSan/LSan;
#   - the untouched course fails its grade, stage by stage;
#   - every exercise is graded: the solutions with that one exercise put
#     back to its stub fail that exercise's tests, and the stage's
#     "Fix first:" line names it;
#   - the grader reports a crash, a hang, a compile error and a wrong
#     answer as such (tests/maint/grader_fixtures.sh);
#   - the maintainers' suites and a short stress run pass.
# It ends with the line "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
# The backends are built and tested on their own (near the end); a
# BACKEND left in the environment must not reach the stage builds.
unset BACKEND
# The checks read the grader's English lines: a maintainer's Korean
# locale must not change them (the Korean checks set their own).
unset COURSE_LANG LC_ALL
case ${LANG:-} in ko*) LANG=C.UTF-8; export LANG ;; esac
MAKE=${MAKE:-make}
ROOT=build/selftest
rm -rf "$ROOT"
mkdir -p "$ROOT/logs"
. tests/maint/counter.sh
started=$(date +%s)

# check NAME COMMAND...: run COMMAND, log its output, count the result.
# (sh has no local variables: the check_ names are used nowhere else.)
check() {
    check_name=$1
    shift
    check_log="$ROOT/logs/$(echo "$check_name" | tr -c 'A-Za-z0-9.\n-' '_').log"
    check_started=$(date +%s)
    "$@" > "$check_log" 2>&1
    report_check "$check_name" $? $(( $(date +%s) - check_started )) "$check_log"
}

# report_check NAME STATUS SECONDS LOG: count and print one result.
report_check() {
    printf '%s\t%s\n' "$3" "$1" >> "$ROOT/times"
    if [ "$2" -eq 0 ]; then
        pass "$1"
    else
        fail "$1" "$4"
        tail -n 15 "$4" | sed 's/^/        | /'
    fi
}

# check_later NAME COMMAND...: check, for checks that share nothing
# (builds and grades in folders of their own): two run at a time in
# the background, and checks_done reports them in order.  The machine
# has two cores; make test must stay under 6 minutes.
later=0
reported=0
check_later() {
    later=$((later + 1))
    printf '%s\n' "$1" > "$ROOT/later.$later.name"
    shift
    (
        later_started=$(date +%s)
        "$@" > "$ROOT/later.$later.log" 2>&1
        echo "$? $(( $(date +%s) - later_started ))" > "$ROOT/later.$later.status"
    ) &
    [ $((later - reported)) -lt 2 ] || checks_done
}
checks_done() {
    wait
    while [ "$reported" -lt "$later" ]; do
        reported=$((reported + 1))
        later_name=$(cat "$ROOT/later.$reported.name")
        later_log="$ROOT/logs/$(echo "$later_name" | tr -c 'A-Za-z0-9.\n-' '_').log"
        mv "$ROOT/later.$reported.log" "$later_log"
        read -r later_status later_seconds < "$ROOT/later.$reported.status"
        report_check "$later_name" "$later_status" "$later_seconds" "$later_log"
    done
}

# expect_failure COMMAND...: succeed when COMMAND fails (a grade that must not pass).
expect_failure() {
    if "$@"; then
        echo "expected a failing grade, but everything passed"
        return 1
    fi
    return 0
}

# The stages come from the course manifest (tests/course.txt).
. tests/grader/manifest.sh
stage_names=$(course_stages | cut -f2)
stage_number() { # FOLDER: its stage number, from the manifest
    course_stages | awk -F'\t' -v f="$1" '$2 == f { print $1 }'
}

# skip NAME REASON: a check this machine cannot run, with what to install.
skipped=0
skips=""
skip() {
    skipped=$((skipped + 1))
    skips="$skips
  $1: $2"
    printf '  skip  %s: %s\n' "$1" "$2"
}

# The toolchains.  Every check names the compiler it uses and sets CC
# and CFLAGS itself: a CC= or CFLAGS= given to `make test` changes no
# check (the Makefile passes them on only through the environment).
# gcc and clang are each tested when present; the first one found is
# the primary compiler, used by the checks that need only one.
debian_package() { # COMPILER WHAT: the Debian package that provides WHAT
    case $1:$2 in
        gcc:compiler) echo gcc ;;
        clang:compiler) echo clang ;;
        gcc:sanitizers) echo "libgcc-$(gcc -dumpversion 2>/dev/null | cut -d. -f1)-dev" ;;
        clang:sanitizers) echo "libclang-rt-$(clang --version 2>/dev/null |
            sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)-dev" ;;
    esac
}
compilers=""
missing_compilers=""
for cc in gcc clang; do
    if command -v "$cc" >/dev/null 2>&1; then
        compilers="$compilers $cc"
    else
        missing_compilers="$missing_compilers $cc"
    fi
done
compilers=${compilers# }
if [ -z "$compilers" ]; then
    if command -v cc >/dev/null 2>&1; then
        compilers=cc
    else
        echo "make test: no C compiler (gcc, clang or cc) is installed: apt-get install gcc"
        exit 2
    fi
fi
primary=${compilers%% *}
if [ "${CC:-}" != "" ] && [ "$CC" != cc ] && [ "$CC" != "$primary" ]; then
    echo "(CC=$CC is not used: each check below names the compiler it runs)"
fi
CC=$primary
CFLAGS="-g -O1"
export CC CFLAGS
COURSE_FLAGS=$($MAKE -s --no-print-directory -f tests/flags.mk print-flags)
SANITIZE_FLAGS=$($MAKE -s --no-print-directory -f tests/flags.mk print-sanitize)

# The sanitizers need their runtime libraries, packaged apart from the
# compiler on some systems: the first compiler that links with them.
sanitizer_cc=""
printf 'int main(void) { return 0; }\n' > "$ROOT/sanitize-probe.c"
for cc in $compilers; do
    # shellcheck disable=SC2086 # lists of flags
    if $cc $COURSE_FLAGS $SANITIZE_FLAGS "$ROOT/sanitize-probe.c" -o "$ROOT/sanitize-probe" 2>/dev/null &&
       "$ROOT/sanitize-probe"; then
        sanitizer_cc=$cc
        break
    fi
done

echo "Toolchains: $compilers${missing_compilers:+ (not installed:$missing_compilers)}"
for cc in $missing_compilers; do
    skip "builds with $cc" "$cc is not installed (Debian/Ubuntu: apt-get install $(debian_package "$cc" compiler))"
done
if [ -z "$sanitizer_cc" ]; then
    skip "grades under ASan+UBSan+LSan" "no compiler here links -fsanitize=address,undefined (Debian/Ubuntu: apt-get install $(debian_package "$primary" sanitizers))"
fi

build_stage() { # CC OUT TREE NAME [EXTRA_CFLAGS]
    CC=$1 CFLAGS="${5:--g -O1}" $MAKE --no-print-directory -f tests/stage.mk \
        SRC="$3/$4" NAME="$4" OUT="$2" program suite &&
    if [ -f "tests/maint/maint_$(echo "$4" | cut -c1-2).c" ]; then
        CC=$1 CFLAGS="${5:--g -O1}" $MAKE --no-print-directory -f tests/stage.mk \
            SRC="$3/$4" NAME="$4" OUT="$2" maint
    fi
}

fortified() { # NAME: built optimized and fortified, still passes its suite
    build_stage "$primary" "$ROOT/fortify/solutions" solutions "$1" "-O2 -D_FORTIFY_SOURCE=2" &&
    "$ROOT/fortify/solutions/test-$1"
}

# ONLY=WORD: only the groups of selftest.d/ whose file name holds WORD
# (ONLY=trace runs 60-trace.sh), without the checks above: for a
# maintainer working on one part.  make test runs everything.
if [ -z "${ONLY:-}" ]; then
echo "Consistency"
check "steps/ and solutions/ agree outside the exercises; carried files match" sh tests/maint/stages.sh check

echo "Builds (-Wall -Wextra -Wpedantic -Werror)"
for cc in $compilers; do
    for tree in steps solutions; do
        for name in $stage_names; do
            check_later "$cc builds $tree/$name" build_stage "$cc" "$ROOT/$cc/$tree" "$tree" "$name"
        done
    done
done
for name in $stage_names; do
    check_later "$primary -O2 -D_FORTIFY_SOURCE=2 builds solutions/$name, which passes its suite" \
        fortified "$name"
done
checks_done

echo "The learner's untouched stages run, and say what is missing"
check "the untouched stages run without crashing or hanging ($primary)" sh tests/maint/stub_runs.sh "$ROOT/$primary/steps"

echo "Grades"
for name in $stage_names; do
    number=$(stage_number "$name")
    check "solutions/$name scores 100% ($primary)" \
        env QUIET=1 TREE=solutions STEP="$number" BUILD="$ROOT/grades" sh tests/grader/grade.sh
    [ -n "$sanitizer_cc" ] &&
    check "solutions/$name scores 100% under ASan+UBSan+LSan ($sanitizer_cc)" \
        env QUIET=1 TREE=solutions STEP="$number" SANITIZE=1 CC="$sanitizer_cc" CFLAGS="-g -O1" \
            BUILD="$ROOT/sanitize" sh tests/grader/grade.sh
    check "the untouched steps/$name fails its grade" \
        expect_failure env QUIET=1 TREE=steps STEP="$number" BUILD="$ROOT/grades" sh tests/grader/grade.sh
done

echo "Every exercise is graded (solutions with one exercise undone fail its tests; Fix first names it)"
exercises=$(awk -v mode=ids -f tests/maint/regions.awk solutions/*/*.[ch] | sort -t. -k1,1n -k2,2n -u)
mutant() { # EXERCISE
    id=$1
    mutant_number=${id%%.*}
    mutant_stage=$(echo "$stage_names" | grep "^0*$mutant_number-")
    dir="$ROOT/mutants/$id/$mutant_stage"
    mkdir -p "$dir"
    for file in "solutions/$mutant_stage"/*; do
        base=$(basename "$file")
        awk -v mode=splice -v id="$id" -v donor="steps/$mutant_stage/$base" -f tests/maint/regions.awk \
            "$file" > "$dir/$base" || return 2
    done
    if diff -r -q "solutions/$mutant_stage" "$dir" > /dev/null; then
        echo "putting exercise $id back to its stub changed nothing: is it missing from steps/?"
        return 1
    fi
    # The whole stage is graded, as a learner would: its Fix first line
    # must name the exercise, and that exercise's own tests must fail.
    env QUIET=0 SRC_ROOT="$ROOT/mutants/$id" STEP="$mutant_number" \
        BUILD="$ROOT/mutants/$id/build" sh tests/grader/grade.sh > "$dir.grade" 2>&1
    cat "$dir.grade"
    results=$(ls "$ROOT/mutants/$id/build/grade"/*/results.tsv 2>/dev/null | head -n 1)
    own=$(awk -F '\t' -v id="$id" '$1 == "test" && $3 == id' "$results" 2>/dev/null | wc -l)
    own_ok=$(awk -F '\t' -v id="$id" '$1 == "test" && $3 == id && $4 == "ok"' "$results" 2>/dev/null | wc -l)
    if [ "$own" -eq 0 ]; then
        echo "no test grades exercise $id"
        return 1
    fi
    if [ "$own_ok" -eq "$own" ]; then
        echo "with exercise $id undone, all of its $own tests still pass"
        return 1
    fi
    if ! grep -q "^Fix first: exercise $id (" "$dir.grade"; then
        echo "with exercise $id undone, the Fix first line does not name it:"
        grep "^Fix first:" "$dir.grade" || echo "(no Fix first line)"
        return 1
    fi
    echo "with exercise $id undone: $own_ok of its $own tests pass, and Fix first names it"
}
for id in $exercises; do
    check_later "exercise $id is graded" mutant "$id"
done
checks_done

echo "The grader itself"
check "the grader reports crashes, hangs, compile errors and wrong answers" \
    sh tests/maint/grader_fixtures.sh "$ROOT/fixtures"

if [ -f tests/maint/maint_05.c ]; then
    echo "The final server under faults"
    final=$(course_stages | tail -n 1 | cut -f2)
    check "maintainers' suite of the final server ($primary)" "$ROOT/$primary/solutions/maint-$final"
    [ -n "$sanitizer_cc" ] &&
    check "maintainers' suite of the final server under ASan+UBSan+LSan ($sanitizer_cc)" \
        sh -c "SANITIZE=1 CC='$sanitizer_cc' CFLAGS='-g -O1' $MAKE --no-print-directory -f tests/stage.mk \
               SRC=solutions/$final NAME=$final OUT=$ROOT/sanitize/maint maint &&
               $ROOT/sanitize/maint/maint-$final"
fi
echo "Going further: the poll and epoll backends"
backends=poll
[ "$(uname -s)" = Linux ] && backends="poll epoll"
backend_suites() { # BACKEND
    out="$ROOT/backend-$1/solutions"
    BACKEND=$1 $MAKE --no-print-directory -f tests/stage.mk SRC=solutions/05-echo-handler \
        NAME=05-echo-handler OUT="$out" program suite backend-suite &&
    "$out/test-backends" && "$out/test-05-echo-handler"
}
for backend in $backends; do
    check "stage 5 with BACKEND=$backend passes its suite and the backend's (5000 clients)" \
        backend_suites "$backend"
done

if [ -f tests/maint/stress.sh ]; then
    check "a short stress run against the final server" sh tests/maint/stress.sh
fi

fi
# Further groups of checks, one file per topic (tests/maint/selftest.d/):
# each is sourced here and uses check and expect_failure as above.
for part in tests/maint/selftest.d/*.sh; do
    [ -f "$part" ] || continue
    case $part in *"${ONLY:-}"*) ;; *) continue ;; esac
    . "./$part"
done

elapsed=$(( $(date +%s) - started ))
# Where the time went: the slowest checks (the whole suite must stay
# under 6 minutes on a 2-core machine).
echo ""
echo "Slowest checks (seconds):"
sort -t "$(printf '\t')" -k1,1nr "$ROOT/times" | head -n 6 | sed "s/^/  /"
echo ""
if [ "$failed" -gt 0 ]; then
    echo "Failed:$failures"
fi
if [ "$skipped" -gt 0 ]; then
    echo "Skipped (this machine lacks what they need):$skips"
fi
echo "make test took ${elapsed} s"
counted
