#!/bin/sh
# bench/run.sh - `make bench`: build optimized, measure, print the tables,
# draw the chart, write bench/RESULTS.md.
#
#   sh bench/run.sh            (from the repository's top folder)
#
# Environment: CC (default cc), BENCH_SECONDS (one round's window,
# default 0.4), BENCH_ROUNDS (default 3).  Every load goes to 127.0.0.1
# and is bounded in time and in clients; the whole run stays under two
# minutes on a 2-core machine.
#
# Servers, each started afresh for each load on CPU 0 while the load
# generator runs on CPU 1 (taskset, where there are two CPUs):
#   course  - solutions/05-echo-handler as the course builds it (select)
#   select, poll, epoll - the same tasks on further/ (BACKEND=...)
#   threads - bench/thread_server.c, one thread per connection
#   python  - bench/original.py, the original program (where python3 exists)
set -u
cd "$(dirname "$0")/.." || exit 1

CC=${CC:-cc}
SECONDS_PER_ROUND=${BENCH_SECONDS:-0.4}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=build/bench
LOGS=$OUT/logs
RESULTS=$OUT/results.tsv
REPORT=bench/RESULTS.md
CHART=bench/results.svg
# The course's flags (tests/flags.mk), optimized.
CFLAGS_BENCH="$(${MAKE:-make} -s --no-print-directory -f tests/flags.mk print-flags) -O2"
started=$(date +%s)

rm -rf "$OUT"
mkdir -p "$LOGS" || exit 1
: > "$RESULTS"
notes=""
note() { notes="$notes
- $*"; echo "note: $*"; }

# ---- build ----------------------------------------------------------------
echo "Building optimized (-O2) with $CC ..."
build_stage() { # OUT-folder [BACKEND]
    make --no-print-directory -f tests/stage.mk SRC=solutions/05-echo-handler \
        NAME=05-echo-handler OUT="$1" BACKEND="${2:-}" CC="$CC" CFLAGS=-O2 \
        SANITIZE=0 V=0 program >/dev/null || exit 1
}
build_stage "$OUT/course"
BACKENDS="select poll"
if [ "$(uname -s)" = Linux ]; then
    BACKENDS="$BACKENDS epoll"
else
    note "epoll is Linux only: not measured on $(uname -s)"
fi
for b in $BACKENDS; do build_stage "$OUT/backend-$b" "$b"; done
# shellcheck disable=SC2086 # CFLAGS_BENCH is a list of flags
$CC $CFLAGS_BENCH bench/loadgen.c -o "$OUT/loadgen" || exit 1
# shellcheck disable=SC2086
$CC $CFLAGS_BENCH -pthread bench/thread_server.c -o "$OUT/thread_server" || exit 1
# shellcheck disable=SC2086
$CC $CFLAGS_BENCH -Isolutions/05-echo-handler -Icommon bench/switch_cost.c \
    -o "$OUT/switch_cost" || exit 1

PYTHON=""
if command -v python3 >/dev/null 2>&1; then
    # The interpreter itself, not a wrapper script: its pid is the server's.
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
fi
[ -n "$PYTHON" ] || note "python3 not found: the original program is not measured"

# ---- pinning ----------------------------------------------------------------
CPUS=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
PIN_SERVER=""
PIN_LOAD=""
if [ "$CPUS" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
    PIN_SERVER="taskset -c 0"
    PIN_LOAD="taskset -c 1"
    pinning="server on CPU 0, load generator on CPU 1 (taskset)"
else
    pinning="not pinned (needs taskset and 2 CPUs)"
    note "server and load generator not pinned: $pinning"
fi
# 5000 clients need 5000 fds in the server and in the load generator.
# shellcheck disable=SC3045 # dash, bash, ksh and zsh all have ulimit -n
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

# ---- helpers ----------------------------------------------------------------
median() {
    sort -n | awk '{ v[NR] = $1 } END {
        if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
        else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
field() { # FILE KEY: the KEY=value of every round line
    grep '^round=' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

server_command() { # NAME
    case $1 in
    course) echo "$OUT/course/05-echo-handler -b 127.0.0.1 -p 0" ;;
    select|poll|epoll) echo "$OUT/backend-$1/05-echo-handler -b 127.0.0.1 -p 0" ;;
    threads) echo "$OUT/thread_server -b 127.0.0.1 -p 0" ;;
    python) echo "$PYTHON bench/original.py 0" ;;
    esac
}

SERVER_PID=""
start_server() { # NAME LOG: sets SERVER_PID and PORT
    # Emptied here, not by the background job's redirection: that one
    # may come late, and the previous round's port would be read.
    : > "$2"
    # shellcheck disable=SC2046
    $PIN_SERVER $(server_command "$1") >> "$2" 2>&1 &
    SERVER_PID=$!
    PORT=""
    tries=0
    while [ -z "$PORT" ] && [ $tries -lt 100 ]; do
        PORT=$(sed -n 's/^Listening on [0-9.]*:\([0-9][0-9]*\).*/\1/p' "$2" | head -n 1)
        [ -n "$PORT" ] || { sleep 0.05; tries=$((tries + 1)); }
    done
    [ -n "$PORT" ] || { echo "bench: $1 did not start; its output:"; cat "$2"; stop_server; return 1; }
}
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}
trap 'stop_server' EXIT INT TERM

load_args() { # LOAD
    case $1 in
    1|10|100|1000) echo "-c $1" ;;
    idle) echo "-c 1000 -a 10" ;;
    esac
}
load_label() { [ "$1" = idle ] && echo "10 + 990 idle" || echo "$1"; }

measure() { # SERVER LOAD: one round, appended to $LOGS/SERVER-LOAD.load
    log=$LOGS/$1-$2
    start_server "$1" "$log.server" || return
    # shellcheck disable=SC2046
    if ! $PIN_LOAD "$OUT/loadgen" -p "$PORT" $(load_args "$2") -s 64 -w 4 \
            -d "$SECONDS_PER_ROUND" -r 1 -P "$SERVER_PID" >> "$log.load" 2>&1; then
        echo "bench: $1 at $(load_label "$2") clients failed:"; tail -n 3 "$log.load"
        note "$1 at $(load_label "$2") clients failed: $(tail -n 1 "$log.load")"
    fi
    stop_server
}
summarize() { # SERVER LOAD: the medians of its rounds, as a line of $RESULTS
    log=$LOGS/$1-$2.load
    rtps=$(field "$log" rtps | median)
    p50=$(field "$log" p50_us | median)
    p99=$(field "$log" p99_us | median)
    cpu=$(field "$log" cpu_us_per_trip | median)
    rss=$(sed -n 's/^rss_bytes_per_client=//p' "$log" | median)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rtps" "$p50" "$p99" "$cpu" "$rss" >> "$RESULTS"
    printf '  %-8s %-14s %8s rt/s  p50 %7s us  p99 %8s us  CPU %7s us/rt\n' \
        "$1" "$(load_label "$2")" "$rtps" "$p50" "$p99" "$cpu"
}

# ---- 1. switch cost ---------------------------------------------------------
echo "Switch cost ..."
$PIN_LOAD "$OUT/switch_cost" > "$LOGS/switch_cost" || exit 1
sc() { sed -n "s/^$1=//p" "$LOGS/switch_cost"; }

# ---- 2. the echo servers under load -------------------------------------------
SERVERS="course $BACKENDS threads"
[ -n "$PYTHON" ] && SERVERS="$SERVERS python"
LOADS="1 10 100 1000 idle"
echo "Echo servers, 64-byte messages, $ROUNDS rounds of ${SECONDS_PER_ROUND}s, medians:"
# Rounds outermost: a noisy minute of a shared machine then hits every
# server alike instead of all the rounds of one.
round=1
while [ $round -le "$ROUNDS" ]; do
    for server in $SERVERS; do
        for load in $LOADS; do
            measure "$server" "$load"
        done
    done
    echo "  round $round of $ROUNDS done"
    round=$((round + 1))
done
for server in $SERVERS; do
    for load in $LOADS; do
        summarize "$server" "$load"
    done
done

# ---- 3. 5000 clients at once -----------------------------------------------------
many=""
for b in $BACKENDS; do
    [ "$b" = select ] && continue
    start_server "$b" "$LOGS/$b-5000.server" || continue
    # shellcheck disable=SC2086
    if $PIN_LOAD "$OUT/loadgen" -p "$PORT" -c 5000 -a 5000 -s 64 -d 0.3 -r 1 -w 64 \
            -P "$SERVER_PID" > "$LOGS/$b-5000.load" 2>&1; then
        r=$(field "$LOGS/$b-5000.load" rtps | median)
        many="$many
| $b | 5000 served, every reply checked | $r |"
    else
        many="$many
| $b | FAILED: $(tail -n 1 "$LOGS/$b-5000.load") | - |"
    fi
    stop_server
done

# ---- tables -------------------------------------------------------------------
get() { # SERVER LOAD COLUMN(3 rtps, 4 p50, 5 p99, 6 cpu, 7 rss)
    awk -F '\t' -v s="$1" -v l="$2" -v c="$3" '$1 == s && $2 == l { print $c }' "$RESULTS"
}
ratio() { # A B: A / B to 2 decimals, or -
    awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'
}
label() {
    case $1 in
    course) echo "course server (select, stage 5)" ;;
    select) echo "BACKEND=select" ;;
    poll) echo "BACKEND=poll" ;;
    epoll) echo "BACKEND=epoll" ;;
    threads) echo "thread per connection (C)" ;;
    python) echo "original Python program" ;;
    esac
}
REFERENCE=epoll
case " $BACKENDS " in *" epoll "*) ;; *) REFERENCE=poll ;; esac

tables() {
    echo "### Switch cost"
    echo
    echo "| what | ns per yield + resume |"
    echo "|---|---|"
    echo "| course generator (CO_YIELD, step called through a pointer) | $(sc generator_ns) |"
    echo "| plain function call through a volatile pointer | $(sc call_ns) |"
    echo "| swapcontext() there and back | $(sc swapcontext_ns) |"
    echo
    echo "State per task: struct task $(sc task_bytes) B (of which the resume point"
    echo "$(sc coroutine_bytes) B); the echo handler's struct $(sc handler_bytes) B including its"
    echo "1004-byte reply buffer; malloc takes $(sc handler_malloc_bytes) B for it."
    echo
    echo "### Server CPU per round trip (us, user + system), by load"
    echo
    printf '| server |'; for l in $LOADS; do printf ' %s |' "$(load_label "$l")"; done; echo
    printf '|---|'; for l in $LOADS; do printf -- '---|'; done; echo
    for s in $SERVERS; do
        printf '| %s |' "$(label "$s")"
        for l in $LOADS; do printf ' %s |' "$(get "$s" "$l" 6)"; done; echo
    done
    for l in $LOADS; do
        echo
        echo "### $(load_label "$l") client(s)"
        echo
        echo "| server | round trips/s | p50 us | p99 us | CPU us/rt | CPU vs $REFERENCE | RSS B/client |"
        echo "|---|---|---|---|---|---|---|"
        ref=$(get "$REFERENCE" "$l" 6)
        for s in $SERVERS; do
            cpu=$(get "$s" "$l" 6)
            echo "| $(label "$s") | $(get "$s" "$l" 3) | $(get "$s" "$l" 4) | $(get "$s" "$l" 5) | $cpu | $(ratio "$cpu" "$ref") | $(get "$s" "$l" 7) |"
        done
    done
    if [ -n "$many" ]; then
        echo
        echo "### 5000 clients at once (each connected, then all in round trips)"
        echo
        echo "| backend | result | round trips/s |"
        echo "|---|---|---|$many"
    fi
}

verdict() { # CONDITION(awk expression on a, b) A B
    awk -v a="$2" -v b="$3" "BEGIN { if (a == \"\" || a == \"-\" || b == \"\" || b == \"-\") print \"not measured\"; else if ($1) print \"met\"; else print \"MISSED\" }"
}
targets() {
    c100=$(get course 100 6); e100=$(get "$REFERENCE" 100 6)
    e10=$(get "$REFERENCE" 10 6); eidle=$(get "$REFERENCE" idle 6); e1000=$(get "$REFERENCE" 1000 6)
    cidle=$(get course idle 6)
    gen=$(sc generator_ns); mem=$(sc handler_malloc_bytes); rss=$(get course 1000 7)
    echo "| target | measured | verdict |"
    echo "|---|---|---|"
    echo "| course server's CPU per round trip at 100 clients within 1.15x of $REFERENCE | $c100 vs $e100 us: $(ratio "$c100" "$e100")x | $(verdict 'a <= 1.15 * b' "$c100" "$e100") |"
    echo "| yield + resume within 5 ns | $gen ns | $(verdict 'a <= 5' "$gen" 1) |"
    echo "| memory per connection within 1.5 KB, buffer included | $mem B per handler (malloc); $rss B RSS per client at 1000 clients | $(verdict 'a <= 1536 && b <= 1536' "$mem" "$rss") |"
    echo "| $REFERENCE: 10 active + 990 idle within 1.3x of 10 busy clients' CPU per round trip | $eidle vs $e10 us: $(ratio "$eidle" "$e10")x (vs 1000 busy: $e1000 us) | $(verdict 'a <= 1.3 * b' "$eidle" "$e10") |"
    echo "| (for contrast) course server, 10 active + 990 idle, vs $REFERENCE | $cidle vs $eidle us: $(ratio "$cidle" "$eidle")x | - |"
    echo "| 5000 concurrent clients served with epoll | see the 5000-client table; also tests/maint/backends.c | - |"
}

cpu_model=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$cpu_model" ] || cpu_model=$(sysctl -n machdep.cpu.brand_string 2>/dev/null || echo unknown)
machine() {
    echo "- CPUs: $CPUS ($cpu_model)"
    echo "- system: $(uname -srm)"
    echo "- compiler: $($CC --version 2>/dev/null | head -n 1)"
    [ -n "$PYTHON" ] && echo "- python: $($PYTHON --version 2>&1)"
    echo "- pinning: $pinning"
    echo "- rounds: $ROUNDS of ${SECONDS_PER_ROUND} s per server and load, interleaved (medians); a fresh server and fresh clients each time"
}

# ---- chart ----------------------------------------------------------------------
chart_note=""
if command -v gnuplot >/dev/null 2>&1; then
    data=$OUT/chart.dat
    {
        printf 'load'; for s in $SERVERS; do printf '\t%s' "$s"; done; echo
        for l in $LOADS; do
            printf '"%s"' "$(load_label "$l")"
            for s in $SERVERS; do v=$(get "$s" "$l" 6); printf '\t%s' "${v:--}"; done; echo
        done
    } > "$data"
    n=$(echo "$SERVERS" | wc -w)
    gnuplot <<EOF 2>"$LOGS/gnuplot" || chart_note="gnuplot failed: see $LOGS/gnuplot"
set terminal svg size 800,480 dynamic font "sans,11"
set output "$CHART"
set title "Echo server: CPU per round trip (64-byte messages; lower is better)"
set ylabel "server CPU us per round trip (log scale)"
set xlabel "clients"
set logscale y
set datafile missing "-"
set key outside right top
set grid ytics
set style data linespoints
plot for [i=2:$((n + 1))] "$data" using i:xtic(1) title columnheader(i) lw 2 pt 7
EOF
else
    chart_note="gnuplot not found: no chart (install gnuplot, then run make bench again)"
    rm -f "$CHART"
fi
[ -n "$chart_note" ] && note "$chart_note"

# ---- report ---------------------------------------------------------------------
elapsed=$(( $(date +%s) - started ))
{
    echo "# Benchmark results"
    echo
    echo "Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'), in ${elapsed} s."
    echo "Numbers from one machine; rerun \`make bench\` for yours.  CPU is the server"
    echo "process's user + system time over each round, divided by the round trips it"
    echo "served: the figure that stays steady on a shared machine, where round trips"
    echo "per second and latencies also measure the neighbours (and the load"
    echo "generator, one thread on one CPU, is often the bottleneck)."
    echo
    echo "## Machine"
    echo
    machine
    echo
    echo "## Targets"
    echo
    targets
    echo
    [ -f "$CHART" ] && { echo "![CPU per round trip](results.svg)"; echo; }
    echo "## Tables"
    echo
    tables
    if [ -n "$notes" ]; then
        echo
        echo "## Notes"
        echo "$notes"
    fi
} > "$REPORT"

echo
tables
echo
targets
echo
echo "Wrote $REPORT${chart_note:+ (}${chart_note}${chart_note:+)}$( [ -f "$CHART" ] && echo " and $CHART") in ${elapsed} s."
