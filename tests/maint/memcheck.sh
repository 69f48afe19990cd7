#!/bin/sh
# memcheck.sh - the solved final server under Valgrind, driven by the
# stage 5 suites: memory errors, leaks and fds left open.
#
#   sh tests/maint/memcheck.sh [FILTER]
#
# The suites start STAGE_BINARY, a define fixed when they are built; here
# they are built against a wrapper that execs Valgrind on the real server
# (same pid, so the tests still signal and inspect the server itself),
# one log per server process in build/memcheck/logs/valgrind-PID.log.
# Suites: tests/grader/test_05.c (the graded one) when it exists, and
# tests/maint/maint_05.c; FILTER, if given, selects tests as in `make check`.
#
# Checks, one pass/fail each: the server and each suite build; each suite
# passes with the server under Valgrind; and for every server process,
# its log shows no memory error, no definite leak, and no fd left open
# at a clean exit.  Ends with "N passed, M failed", exits 1 if any failed.
#
# MEMCHECK_SRC=DIR checks another copy of the stage (a mutant, say)
# instead of solutions/05-echo-handler.
set -u
cd "$(dirname "$0")/../.." || exit 2

filter=${1:-}
MAKE=${MAKE:-make}
CC=${CC:-cc}
. tests/grader/manifest.sh
final=$(course_stages | tail -n 1 | cut -f2)
src=${MEMCHECK_SRC:-solutions/$final}
COURSE_FLAGS=$($MAKE -s --no-print-directory -f tests/flags.mk print-flags)
dir=${BUILD:-build}/memcheck
root=$(pwd)
case $dir in
    /*) absolute=$dir ;;
    *) absolute=$root/$dir ;;
esac
logs=$dir/logs

. tests/maint/counter.sh
finish() {
    counted
    exit $?
}

if ! command -v valgrind >/dev/null 2>&1; then
    echo "memcheck: valgrind is not installed (Debian/Ubuntu: apt-get install valgrind)"
    exit 2
fi
if ! pkg-config --exists check 2>/dev/null; then
    echo "memcheck: the Check library is missing: run 'make deps'"
    exit 2
fi

echo "Memcheck: $src under valgrind, driven by the stage 5 suites"
rm -rf "$dir"
mkdir -p "$logs"

# Valgrind and the sanitizers do not mix: a plain build, with symbols.
if SANITIZE=0 CFLAGS="-g -O1" $MAKE --no-print-directory -s -f tests/stage.mk SRC="$src" \
        NAME="$final" OUT="$dir" program; then
    pass "the server builds ($dir/$final)"
else
    fail "the server does not build"
    finish
fi

wrapper=$absolute/$final-under-valgrind
cat > "$wrapper" <<EOF
#!/bin/sh
# Written by tests/maint/memcheck.sh: the server, under Valgrind, same pid.
exec valgrind --leak-check=full --track-fds=yes --error-exitcode=99 \\
    --errors-for-leak-kinds=definite --log-file="$absolute/logs/valgrind-%p.log" \\
    "$absolute/$final" "\$@"
EOF
chmod +x "$wrapper"

# The flags of tests/stage.mk, with STAGE_BINARY pointing at the wrapper.
library=
for file in "$src"/*.c; do
    [ "$(basename "$file")" = main.c ] || library="$library $file"
done
suites=
for suite in tests/grader/test_05.c tests/maint/maint_05.c; do
    [ -f "$suite" ] || continue
    name=$(basename "$suite" .c)
    # As tests/stage.mk does: the graded suite compiles the file its
    # tests/grader/expose_05.c names in place of the library's copy.
    lib=$library
    expose=tests/grader/expose_05.c
    if [ "$suite" = tests/grader/test_05.c ] && [ -f "$expose" ]; then
        exposed=$(sed -n '1s/.*exposes: \([^ ]*\).*/\1/p' "$expose")
        lib="$(for file in $library; do [ "$(basename "$file")" = "$exposed" ] || printf '%s ' "$file"; done) $expose"
    fi
    # Word splitting of the flag lists is wanted here.
    # shellcheck disable=SC2046,SC2086
    if $CC $COURSE_FLAGS -g -O1 \
            $(pkg-config --cflags check) -Icommon -I"$src" -Itests/grader \
            -DSTAGE_BINARY="\"$wrapper\"" \
            "$suite" tests/grader/grade.c tests/grader/support.c tests/grader/report_text.c tests/grader/messages.c tests/grader/channel.c $lib common/*.c \
            $(pkg-config --libs check) -o "$dir/$name"; then
        pass "$suite builds against the wrapper"
        suites="$suites $name"
    else
        fail "$suite does not build"
    fi
done

# Valgrind slows the server down many times: give each test more time
# (Check multiplies every timeout by this).  STAGE_UNDER_VALGRIND tells
# tests that measure the server's memory that the numbers are Valgrind's.
CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-10}
STAGE_UNDER_VALGRIND=1
export CK_TIMEOUT_MULTIPLIER STAGE_UNDER_VALGRIND
for name in $suites; do
    echo "Running $name with the server under valgrind (slow)..."
    if [ -n "$filter" ]; then
        "$dir/$name" "$filter" > "$dir/$name.out" 2>&1
    else
        "$dir/$name" > "$dir/$name.out" 2>&1
    fi
    status=$?
    if [ $status -eq 0 ]; then
        pass "$name passes with the server under valgrind ($(tail -n 1 "$dir/$name.out"))"
    else
        fail "$name fails with the server under valgrind (exit status $status):"
        grep -v '^  ok ' "$dir/$name.out" | sed 's/^/          /'
    fi
done

# One verdict per server process.
count=0
for log in "$logs"/valgrind-*.log; do
    [ -f "$log" ] || continue
    count=$((count + 1))
    pid=$(basename "$log" .log | sed 's/^valgrind-//')
    # What it was started with, for the messages.
    command=$(sed -n 's/^==[0-9]*== Command: //p' "$log" | sed "s|$root/||g")
    problems=
    if ! grep -q 'ERROR SUMMARY:' "$log"; then
        problems="$problems; valgrind's report is missing (the server was killed, or is still running)"
    else
        errors=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")
        [ "${errors:-0}" -eq 0 ] || problems="$problems; $errors error(s)"
        if grep -q 'definitely lost in' "$log"; then
            problems="$problems; memory definitely lost"
        fi
        # A clean exit closes every fd the server opened.  An exit from
        # fail() before serving (a port in use, an address not here)
        # leaves them open on purpose, and leaves its tasks allocated;
        # so a process whose heap was not entirely freed is excused,
        # except for a socket that got an address: a server that was
        # listening or serving must have closed it on its way out.
        freed=0
        grep -q 'All heap blocks were freed' "$log" && freed=1
        open=$(awk -v freed=$freed '
            /Open (file descriptor|AF_[A-Z0-9]* socket) [0-9]+:/ { pending = $0; next }
            pending != "" && /<inherited from parent>/ { pending = ""; next }
            pending != "" {
                sub(/^==[0-9]*== */, "", pending)
                if (freed || pending ~ /socket [0-9]+: [^<]/)
                    print pending
                pending = ""
            }
        ' "$log")
        if [ -n "$open" ]; then
            many=$(echo "$open" | wc -l | tr -d ' ')
            shown=$(echo "$open" | head -n 3 | sed 's/^Open //' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
            [ "$many" -le 3 ] || shown="$shown; and $((many - 3)) more"
            problems="$problems; $many fd(s) left open at exit: $shown"
        fi
    fi
    if [ -z "$problems" ]; then
        pass "server $pid ($command): no error, no leak, no fd left open"
    else
        fail "server $pid ($command)${problems#;}  [see $log]"
    fi
done
if [ $count -eq 0 ]; then
    fail "no valgrind log was written: did any test start the server?"
fi

finish
