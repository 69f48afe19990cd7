#!/bin/sh
# submission.sh - grade one learner's copy of the course with the
# teacher's checkout (`make grade-submission DIR=...`, and each learner of
# `make grade-class`).  TUTORIAL.md, "For teachers", is the manual.
#
#   sh tests/teach/submission.sh DIR [NAME]
#
# From DIR only the text inside the exercise regions of DIR/steps/ is
# taken (tests/teach/regions.awk decides what may be there), spliced into
# a fresh copy of the teacher's steps/; the Makefile, tests/, common/,
# flags and manifest are the teacher's.  Each stage is built and its suite
# run once, in the sandbox (tests/teach/sandbox.sh), as a user of its own;
# the verdicts come from this script, which never runs the learner's code
# (tests/teach/verdicts.awk).  Writes CLASS_OUT/NAME/: grade.json,
# results.json (Gradescope), junit.xml, report.txt (the suites' own
# report), and row.tsv for the class table.
#
# Environment: CLASS_OUT (build/class), CLASS_WORK (build/class-work),
# CLASS_SLOT (a number per submission graded at once: its user is
# 60000 + slot), SUBMISSION_LIMIT (seconds for the whole submission, 150),
# STAGE_LIMIT (seconds per stage's suite, 60), CC.
set -u
cd "$(dirname "$0")/../.." || exit 2
COURSE=$(pwd)
dir=${1:?usage: sh tests/teach/submission.sh DIR [NAME]}
[ -d "$dir" ] || { echo "grade-submission: $dir is not a folder: give DIR=the learner's copy of the course"; exit 2; }
dir=$(cd "$dir" && pwd)
name=${2:-$(basename "$dir")}
case $name in
    *[!A-Za-z0-9._-]* | .* | "") echo "grade-submission: '$name' cannot be a learner's name (letters, digits, . _ - only)"; exit 2 ;;
esac
CLASS_OUT=${CLASS_OUT:-build/class}
CLASS_WORK=${CLASS_WORK:-$(dirname "$CLASS_OUT")/class-work}
mkdir -p "$CLASS_OUT" "$CLASS_WORK" || exit 2
CLASS_OUT=$(cd "$CLASS_OUT" && pwd)
CLASS_WORK=$(cd "$CLASS_WORK" && pwd)
SUBMISSION_LIMIT=${SUBMISSION_LIMIT:-150}
STAGE_LIMIT=${STAGE_LIMIT:-60}
slot=${CLASS_SLOT:-0}
uid=$((60000 + slot))
MAKE=${MAKE:-make}
unset BACKEND MAKEFLAGS MAKELEVEL MFLAGS
. tests/grader/manifest.sh
. tests/teach/sandbox.sh
sandbox_probe
# The grade make check gives: under ASan+UBSan (+LSan) wherever they work
# (CLASS_SANITIZE=0 turns them off).  AddressSanitizer reserves terabytes
# of address space for its shadow, so a sanitized copy's memory is bounded
# by ASan itself (hard_rss_limit_mb) instead of by its address space.
if [ -z "${CLASS_SANITIZE:-}" ]; then
    . tests/grader/sanitize.sh
    CLASS_SANITIZE=0
    BUILD=$CLASS_WORK sanitizers_work && CLASS_SANITIZE=1
fi
sanitizer_env=""
if [ "$CLASS_SANITIZE" = 1 ]; then
    SANDBOX_MEMORY=unlimited
    sanitizer_env="hard_rss_limit_mb=${SANDBOX_RSS_MB:-1024}:detect_leaks=0"
fi
started=$(date +%s)
# Out of the sandbox's sight: the submitted copies, the class's reports,
# and the teacher's solutions/ and git history (a test's output reaches
# the learner's feedback, so a copy must not print the solutions there).
SANDBOX_HIDE="$CLASS_OUT $COURSE/solutions"
gitdir=$(cd "$(git rev-parse --git-common-dir 2>/dev/null || echo /nonexistent)" 2>/dev/null && pwd)
[ -n "$gitdir" ] && [ "$gitdir" != / ] && SANDBOX_HIDE="$SANDBOX_HIDE $gitdir"
parent=$(dirname "$dir")
case "$COURSE/ $CLASS_WORK/" in
    "$parent"/* | *" $parent"/*) ;;
    *) [ "$parent" = / ] || SANDBOX_HIDE="$parent $SANDBOX_HIDE" ;;
esac
export SANDBOX_HIDE
# A private /tmp would hide the grader's own folders if they lie under /tmp.
case "$COURSE/ $CLASS_WORK/" in
    /tmp/* | *" /tmp/"*) SANDBOX_TMP=0 ;;
    *) SANDBOX_TMP=1 ;;
esac
export SANDBOX_TMP
# GRADE_STAGES="1 2": grade these stages only (the self-test's shortcut;
# the other stages' exercises then score 0).
graded_stages() { echo "${GRADE_STAGES:-$(course_stage_numbers)}"; }

out=$CLASS_OUT/$name
work=$CLASS_WORK/$name
[ ! -d "$work" ] || chmod -R u+w "$work" 2>/dev/null
rm -rf "$out" "$work"
mkdir -p "$out" "$work" || exit 2
printf '%s\n' "$SANDBOX_NOTE" > "$out/sandbox.txt"

# The teacher's course as the builds and suites see it, once per class:
# a copy readable by the submissions' users and writable by none.
# Made again whenever the teacher's tests, common/, solutions/ or compiler
# change (a git pull between two runs).
course=$CLASS_WORK/course
key=$( (echo "${CC:-cc}"; find tests common solutions -type f | LC_ALL=C sort | xargs cat) | cksum)
if [ "$(cat "$CLASS_WORK/key" 2>/dev/null)" != "$key" ]; then
    rm -rf "$course" "$CLASS_WORK/lists"
    printf '%s\n' "$key" > "$CLASS_WORK/key"
fi
if [ ! -f "$course/.complete" ]; then
    mkdir -p "$course.$$" && tar cf - tests common | (cd "$course.$$" && tar xf -) &&
        rm -rf "$course.$$/tests/maint" && touch "$course.$$/.complete" &&
        chmod -R a+rX,go-w "$course.$$" && { mv "$course.$$" "$course" 2>/dev/null || rm -rf "$course.$$"; }
fi
# Each stage's tests, listed by the suite built from the teacher's
# solutions/: the denominators (a stage that does not compile, or whose
# suite dies, still counts every one of its tests).
lists=$CLASS_WORK/lists
for number in $(graded_stages); do
    stage=$(course_folder "$number")
    [ -s "$lists/$number.tsv" ] && continue
    mkdir -p "$lists"
    if ! CC=${CC:-cc} SANITIZE=0 $MAKE --no-print-directory -f tests/stage.mk SRC="solutions/$stage" NAME="$stage" \
            OUT="$lists/build" suite > "$lists/$number.log" 2>&1 ||
       ! "$lists/build/test-$stage" --list > "$lists/$number.tsv.$$" 2>> "$lists/$number.log"; then
        echo "grade-submission: cannot build the suite of solutions/$stage (see $lists/$number.log)"
        exit 2
    fi
    mv "$lists/$number.tsv.$$" "$lists/$number.tsv"
done

# 1. The regions: checked, then spliced into a fresh copy of steps/.
src=$work/src
mkdir -p "$src" && cp -R steps/. "$src/" || exit 2
: > "$work/regions.tsv"
for number in $(graded_stages); do
    stage=$(course_folder "$number")
    for file in steps/"$stage"/*; do
        grep -q "BEGIN EXERCISE" "$file" || continue
        base=$(basename "$file")
        theirs=$dir/steps/$stage/$base
        # Read only a regular file of theirs, reached without a symbolic
        # link (one could point into another learner's copy), not huge.
        why=""
        if [ -h "$dir/steps" ] || [ -h "$dir/steps/$stage" ] || [ -h "$theirs" ]; then
            why="a symbolic link"
        elif [ ! -f "$theirs" ]; then
            why="the file is missing"
        elif [ "$(wc -c < "$theirs")" -gt 1000000 ]; then
            why="the file is larger than 1 MB"
        fi
        if [ -n "$why" ]; then
            awk -v mode=ids -f tests/maint/regions.awk "$file" | sort -u | while read -r id; do
                printf '%s\treject\t%s: %s\n' "$id" "$stage/$base" "$why"
            done >> "$work/regions.tsv"
            continue
        fi
        awk -f tests/teach/regions.awk -v teacher="$file" -v solution="solutions/$stage/$base" \
            -v file="$stage/$base" "$theirs" >> "$work/regions.tsv" 2>/dev/null
    done
done
rejected=$(awk -F'\t' '$2 == "reject" { print $1 }' "$work/regions.tsv" | sort -u | tr '\n' ' ')
for number in $(graded_stages); do
    stage=$(course_folder "$number")
    for file in steps/"$stage"/*; do
        grep -q "BEGIN EXERCISE" "$file" || continue
        base=$(basename "$file")
        for id in $(awk -v mode=ids -f tests/maint/regions.awk "$file" | sort -u); do
            case " $rejected " in *" $id "*) continue ;; esac
            awk -v mode=splice -v id="$id" -v donor="$dir/steps/$stage/$base" -f tests/maint/regions.awk \
                "$src/$stage/$base" > "$src/$stage/$base.new" 2>/dev/null &&
                mv "$src/$stage/$base.new" "$src/$stage/$base"
        done
    done
done
rm -f "$src"/*/*.new

# 2. The folders: the work folder is the grader's, entered only by the
# submission's user (its group); bin/ is the user's while it builds,
# the grader's after; run-N/ is where stage N's tests may write.
bin=$work/bin
run=$work/run
mkdir -p "$bin" "$run"
chmod -R a+rX,go-w "$src"
if [ "$SANDBOX" = full ]; then
    chown "0:$uid" "$work" && chmod 0750 "$work"
    chown "$uid:$uid" "$bin" "$run" && chmod 0700 "$run"
fi
remaining() { echo $((SUBMISSION_LIMIT - ($(date +%s) - started))); }
limit_for() { # SECONDS: the smaller of SECONDS and what is left
    left=$(remaining)
    [ "$left" -lt "$1" ] && echo "$((left > 1 ? left : 1))" || echo "$1"
}

# 3. Build every stage (no code of the learner's runs while it builds).
: > "$work/built"
for number in $(graded_stages); do
    stage=$(course_folder "$number")
    (cd "$course" && sandboxed "$uid" "$(limit_for 120)" env -i PATH="$PATH" HOME="$run" LANG=C \
        CC="${CC:-cc}" SANITIZE=$CLASS_SANITIZE $MAKE --no-print-directory -f tests/stage.mk SRC="$src/$stage" NAME="$stage" \
        OUT="$bin" program suite) > "$work/build-$number.log" 2>&1 &&
        [ -x "$bin/test-$stage" ] && echo "$number" >> "$work/built"
done
# Sealed: from here on the builds are the grader's, unwritable by the
# submission's user (a stage's test could otherwise replace the next
# stage's suite or program).
if [ "$SANDBOX" = full ]; then
    chown -R 0:0 "$bin"
fi
chmod -R a+rX,go-w "$bin"
[ "$SANDBOX" = full ] || chmod -R a-w "$bin"

# 4. Run each built stage's suite once, with the channel: fd 3 reads the
# secret, fd 4 appends to the channel; both files are the grader's
# (mode 0600), reachable to the suite only through these descriptors.
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
umask 077
printf '%s\n' "$token" > "$work/token"
: > "$out/report.txt"
for number in $(graded_stages); do
    stage=$(course_folder "$number")
    chan=$work/channel-$number
    : > "$chan"
    status=0
    built=0
    if grep -qx "$number" "$work/built"; then
        built=1
        left=$(remaining)
        if [ "$left" -le 1 ]; then
            status=137
            echo "(no time left for stage $number: the submission's limit is $SUBMISSION_LIMIT s)" > "$work/log-$number"
        else
            # A fresh folder per stage: what one stage's code leaves there
            # (a planted report, say) never reaches the next stage's suite.
            run=$work/run-$number
            mkdir -p "$run" && chmod 0700 "$run"
            [ "$SANDBOX" = full ] && chown "$uid:$uid" "$run"
            (cd "$course" && sandboxed "$uid" "$(limit_for "$STAGE_LIMIT")" env -i PATH="$PATH" HOME="$run" LANG=C \
                TMPDIR=/tmp COURSE_MANIFEST="$course/tests/course.txt" COURSE_ROOT="$course" \
                GRADE_RESULTS="$run/results-$number.tsv" GRADE_SANITIZER_DIR="$run" GRADE_CHANNEL=3,4 \
                ASAN_OPTIONS="log_path=$run/asan${sanitizer_env:+:$sanitizer_env}" \
                UBSAN_OPTIONS="log_path=$run/ubsan:print_stacktrace=1" \
                "$bin/test-$stage" 3< "$work/token" 4>> "$chan") > "$work/log-$number" 2>&1
            status=$?
        fi
        head -c 200000 "$work/log-$number" >> "$out/report.txt"
    else
        echo "Stage $number: does not compile" >> "$out/report.txt"
        grep -E 'error' "$work/build-$number.log" | head -n 12 >> "$out/report.txt"
    fi
    echo >> "$out/report.txt"
    # A stage that does not compile: the exercise whose region holds the
    # first error (else the first of the stage), for Fix first.
    fix=""
    if [ "$built" = 0 ]; then
        first=$(grep -E '^[^ :]+:[0-9]+:[0-9]+: (fatal )?error:' "$work/build-$number.log" | head -n 1)
        file=${first%%:*}
        line=$(echo "$first" | cut -d: -f2)
        [ -f "$file" ] && fix=$(awk -v want="$line" '
            /BEGIN EXERCISE [0-9]+\.[0-9]+/ { match($0, /[0-9]+\.[0-9]+/); open = substr($0, RSTART, RLENGTH) }
            NR == want { print open; exit }
            /END EXERCISE [0-9]+\.[0-9]+/ { open = "" }' "$file")
    fi
    awk -F'\t' -f tests/teach/verdicts.awk -v token="$token" -v status="$status" -v built="$built" \
        -v stage="$number" -v compile_fix="$fix" "$lists/$number.tsv" "$chan" > "$work/verdicts-$number"
done
umask 022
elapsed=$(( $(date +%s) - started ))

# 5. Failure texts from the suites' reports, and the reports.
for number in $(graded_stages); do
    stage=$(course_folder "$number")
    log=$work/log-$number
    [ -f "$log" ] || log=$work/build-$number.log
    awk -F'\t' -v stage="$number" -v logfile="$log" -v built="$(grep -qx "$number" "$work/built" && echo 1 || echo 0)" '
        BEGIN {
            # the block each failed test has in the report: its line, then
            # the lines indented under it
            while ((getline line < logfile) > 0) {
                if (match(line, /^  [A-Z]+ +/)) { cur = substr(line, RLENGTH + 1); sub(/   \[[^]]*\]$/, "", cur); text[cur] = line; continue }
                if (cur != "" && line ~ /^          /) { if (length(text[cur]) < 1500) text[cur] = text[cur] "\n" line; continue }
                cur = ""
                if (line ~ /error:/ && first_error == "") first_error = line
            }
        }
        $1 == "stage" { print "stage\t" stage "\t" $2 "\t" $3 "\t" $4; next }
        {
            t = ($3 == "ok") ? "" : ($2 in text) ? text[$2] : ""
            if ($3 == "NOT BUILT") t = "the stage does not compile" (first_error != "" ? ": " first_error : "")
            if ($3 == "UNCONFIRMED") t = "the suite said ok, but the test'"'"'s own process never confirmed it: not counted"
            if ($3 == "NO RESULT") t = "no trustworthy result for this test (see the stage'"'"'s note)"
            gsub(/\\/, "\\\\", t); gsub(/\t/, " ", t); gsub(/\n/, "\\n", t)
            print "test\t" stage "\t" $1 "\t" $2 "\t" $3 "\t" $4 "\t" t
        }' "$work/verdicts-$number"
done > "$out/tests.tsv"
awk -F'\t' '{ print "region\t" $0 }' "$work/regions.tsv" >> "$out/tests.tsv"

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for format in grade results junit row; do
    case $format in
        grade) file=grade.json ;; results) file=results.json ;; junit) file=junit.xml ;; row) file=row.tsv ;;
    esac
    awk -F'\t' -f tests/teach/report.awk -v format="$format" -v learner="$name" -v commit="$commit" \
        -v now="$now" -v seconds="$elapsed" -v sandbox="$SANDBOX" -v sandbox_note="$SANDBOX_NOTE" \
        tests/course.txt "$out/tests.tsv" > "$out/$file" || exit 2
done
awk -F'\t' '{ printf "%s: %s/%s (%s s; sandbox %s)\n", $1, $(NF-2), $(NF-1), "'"$elapsed"'", "'"$SANDBOX"'" }' "$out/row.tsv"
[ -n "$SANDBOX_NOTE" ] && echo "  $SANDBOX_NOTE"
awk -F'\t' '$1 == "region" && $3 == "reject" { print "  rejected " $2 ": " $4 }' "$out/tests.tsv"
awk -F'\t' '$1 == "stage" && $5 != "" { print "  stage " $2 ": " $5 }' "$out/tests.tsv"
[ "${KEEP_WORK:-0}" = 1 ] || { chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
exit 0
