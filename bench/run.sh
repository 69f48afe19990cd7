#!/bin/sh
# bench/run.sh - `make bench`: build optimized, measure, print the tables,
# draw the chart, write bench/RESULTS.md.
#
#   sh bench/run.sh            (from the repository's top folder)
#
# Environment: CC (default cc), BENCH_SECONDS (one round's window,
# default 0.4), BENCH_ROUNDS (default 3).  Every load goes to 127.0.0.1
# and is bounded in time and in clients; the whole run stays near three
# minutes on a 2-core machine (it was under two before the peers and strace).
#
# Servers, each started afresh for each load on CPU 0 while the load
# generator runs on CPU 1 (taskset, where there are two CPUs):
#   course  - solutions/05-echo-handler as the course builds it (select)
#   select, poll, epoll - the same tasks on further/ (BACKEND=...)
#   plain   - bench/plain_epoll.c, a hand-written epoll echo server: the floor
#   threads - bench/thread_server.c, one thread per connection
#   asyncio - bench/asyncio_server.py, the original's successor (python3)
#   node    - bench/node_server.js, Node.js net (libuv), where node exists
#   python  - bench/original.py, the original program (where python3 exists)
# Loads: 1, 10, 100, 1000 busy clients; 10 busy + 990 idle; 1 busy beside
# 500 that each send one byte a second ("slow").  Syscalls per round trip
# come from strace -c (where strace exists), in a pass of their own.
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
PLAIN=""
if [ "$(uname -s)" = Linux ]; then
    # shellcheck disable=SC2086
    $CC $CFLAGS_BENCH bench/plain_epoll.c -o "$OUT/plain_epoll" || exit 1
    PLAIN=plain
fi
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
[ -n "$PYTHON" ] || note "python3 not found: the original program and asyncio are not measured"
NODE=$(command -v node 2>/dev/null || true)
[ -n "$NODE" ] || note "node not found: Node.js (libuv) is not measured (install nodejs, then run make bench again)"
STRACE=$(command -v strace 2>/dev/null || true)
[ -n "$STRACE" ] || note "strace not found: no syscalls per round trip (install strace, then run make bench again)"

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
    plain) echo "$OUT/plain_epoll -b 127.0.0.1 -p 0" ;;
    threads) echo "$OUT/thread_server -b 127.0.0.1 -p 0" ;;
    asyncio) echo "$PYTHON bench/asyncio_server.py 0" ;;
    node) echo "$NODE bench/node_server.js 0" ;;
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
    slow) echo "-c 501 -a 1 -t -w 64" ;;
    esac
}
load_label() {
    case $1 in
    idle) echo "10 + 990 idle" ;;
    slow) echo "1 + 500 at 1 B/s" ;;
    *) echo "$1" ;;
    esac
}

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
SERVERS="course $BACKENDS $PLAIN threads"
[ -n "$PYTHON" ] && SERVERS="$SERVERS asyncio"
[ -n "$NODE" ] && SERVERS="$SERVERS node"
[ -n "$PYTHON" ] && SERVERS="$SERVERS python"
LOADS="1 10 100 1000 idle slow"
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

# ---- 4. syscalls per round trip (strace -c) -----------------------------------------
# strace slows the server down, so this is a pass of its own: it counts,
# it does not time.  Every thread of the server is traced (node has a few).
SYSCALL_LOADS="1 100 idle"
SYSCALLS=$OUT/syscalls.tsv
: > "$SYSCALLS"
wait_stopped() { # PID: until the process has stopped itself (10 s at most)
    tries=0
    while [ "$(awk '{ print $3 }' /proc/"$1"/stat 2>/dev/null)" != T ] && [ $tries -lt 500 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.02; tries=$((tries + 1))
    done
}
count_syscalls() { # SERVER LOAD
    log=$LOGS/$1-$2-strace
    start_server "$1" "$log.server" || return
    # shellcheck disable=SC2046
    $PIN_LOAD "$OUT/loadgen" -p "$PORT" $(load_args "$2") -s 64 -w 4 -d 0.5 -r 1 -g \
        > "$log.load" 2>&1 &
    load_pid=$!
    wait_stopped "$load_pid" || { kill "$load_pid"; stop_server; return; }
    targets=""
    for t in /proc/"$SERVER_PID"/task/*; do targets="$targets -p ${t##*/}"; done
    # shellcheck disable=SC2086
    "$STRACE" -c -q -o "$log.txt" $targets 2>/dev/null &
    strace_pid=$!
    # strace has attached once the server's status says it is traced.
    tries=0
    while [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' /proc/"$SERVER_PID"/status)" = 0 ] \
          && [ $tries -lt 100 ]; do sleep 0.02; tries=$((tries + 1)); done
    kill -CONT "$load_pid"
    wait_stopped "$load_pid"
    kill -INT "$strace_pid" 2>/dev/null
    wait "$strace_pid" 2>/dev/null
    kill -CONT "$load_pid"
    wait "$load_pid"
    stop_server
    trips=$(field "$log.load" trips)
    awk -v s="$1" -v l="$2" -v trips="${trips:-0}" '
        $NF == "total" { total = $4 }
        $NF == "epoll_ctl" { ctl = $4 }
        END { if (trips > 0 && total > 0) printf "%s\t%s\t%.2f\t%.2f\n", s, l, total / trips, ctl / trips }
    ' "$log.txt" >> "$SYSCALLS"
}
if [ -n "$STRACE" ]; then
    echo "Syscalls per round trip (strace -c) ..."
    for server in $SERVERS; do
        [ "$server" = python ] && continue # the original: one select() per task switch, slow under strace
        for load in $SYSCALL_LOADS; do count_syscalls "$server" "$load"; done
    done
fi
# ---- 5. short connections (churn) ----------------------------------------------------
# CHURN_CONNECTIONS connections one after the other, each: connect, one
# 64-byte echo, close; the server logs its three lines for each (to its
# log file, as in every pass here).  CPU per connection from a pass of its
# own; syscalls per connection from a pass under strace -c -f, every
# thread (loadgen -g stops itself before and after, for the attach).
CHURN_CONNECTIONS=2000
CHURN_SERVERS="course $BACKENDS $PLAIN"
[ -n "$PYTHON" ] && CHURN_SERVERS="$CHURN_SERVERS asyncio"
[ -n "$NODE" ] && CHURN_SERVERS="$CHURN_SERVERS node"
CHURN=$OUT/churn.tsv
: > "$CHURN"
churn() { # SERVER: a line of $CHURN: server, syscalls and CPU us per connection
    log=$LOGS/$1-churn
    cpu=-
    if start_server "$1" "$log.server"; then
        $PIN_LOAD "$OUT/loadgen" -p "$PORT" -n "$CHURN_CONNECTIONS" -s 64 -P "$SERVER_PID" \
            > "$log.load" 2>&1 || note "$1: short connections failed: $(tail -n 1 "$log.load")"
        cpu=$(sed -n 's/.*cpu_us_per_connection=\([0-9.]*\).*/\1/p' "$log.load")
        stop_server
    fi
    calls=-
    if [ -n "$STRACE" ] && start_server "$1" "$log-strace.server"; then
        $PIN_LOAD "$OUT/loadgen" -p "$PORT" -n "$CHURN_CONNECTIONS" -s 64 -g \
            > "$log-strace.load" 2>&1 &
        load_pid=$!
        if wait_stopped "$load_pid"; then
            targets=""
            for t in /proc/"$SERVER_PID"/task/*; do targets="$targets -p ${t##*/}"; done
            # shellcheck disable=SC2086
            "$STRACE" -c -f -q -o "$log-strace.txt" $targets 2>/dev/null &
            strace_pid=$!
            tries=0
            while [ "$(sed -n 's/^TracerPid:[[:space:]]*//p' /proc/"$SERVER_PID"/status)" = 0 ] \
                  && [ $tries -lt 100 ]; do sleep 0.02; tries=$((tries + 1)); done
            kill -CONT "$load_pid"
            wait_stopped "$load_pid"
            kill -INT "$strace_pid" 2>/dev/null
            wait "$strace_pid" 2>/dev/null
            kill -CONT "$load_pid"
            calls=$(awk -v n="$CHURN_CONNECTIONS" '$NF == "total" { printf "%.1f", $4 / n }' "$log-strace.txt")
        else
            kill "$load_pid" 2>/dev/null
        fi
        wait "$load_pid" 2>/dev/null
        stop_server
    fi
    printf '%s\t%s\t%s\n' "$1" "${calls:--}" "${cpu:--}" >> "$CHURN"
    printf '  %-8s %6s syscalls, %6s us CPU per short connection\n' "$1" "${calls:--}" "${cpu:--}"
}
echo "Short connections (connect, one echo, close; $CHURN_CONNECTIONS in a row) ..."
for server in $CHURN_SERVERS; do churn "$server"; done
churn_get() { # SERVER COLUMN(2 syscalls, 3 CPU us)
    awk -F '\t' -v s="$1" -v c="$2" '$1 == s { print $c }' "$CHURN"
}

sys() { # SERVER LOAD COLUMN(3 per trip, 4 epoll_ctl per trip)
    awk -F '\t' -v s="$1" -v l="$2" -v c="$3" '$1 == s && $2 == l { print $c }' "$SYSCALLS"
}

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
    plain) echo "plain epoll server (C, hand-written)" ;;
    threads) echo "thread per connection (C)" ;;
    asyncio) echo "Python asyncio (streams)" ;;
    node) echo "Node.js net (libuv)" ;;
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
        echo "| server | round trips/s | p50 us | p99 us | CPU us/rt | CPU vs $REFERENCE | syscalls/rt | RSS B/client |"
        echo "|---|---|---|---|---|---|---|---|"
        ref=$(get "$REFERENCE" "$l" 6)
        for s in $SERVERS; do
            cpu=$(get "$s" "$l" 6)
            calls=$(sys "$s" "$l" 3)
            echo "| $(label "$s") | $(get "$s" "$l" 3) | $(get "$s" "$l" 4) | $(get "$s" "$l" 5) | $cpu | $(ratio "$cpu" "$ref") | ${calls:--} | $(get "$s" "$l" 7) |"
        done
    done
    if [ -s "$SYSCALLS" ]; then
        echo
        echo "### Syscalls per round trip (strace -c; epoll_ctl in brackets where made)"
        echo
        printf '| server |'; for l in $SYSCALL_LOADS; do printf ' %s |' "$(load_label "$l")"; done; echo
        printf '|---|'; for l in $SYSCALL_LOADS; do printf -- '---|'; done; echo
        for s in $SERVERS; do
            [ -n "$(sys "$s" 1 3)" ] || continue
            printf '| %s |' "$(label "$s")"
            for l in $SYSCALL_LOADS; do
                c=$(sys "$s" "$l" 4)
                case $c in ""|0.00) printf ' %s |' "$(sys "$s" "$l" 3)" ;;
                *) printf ' %s (%s) |' "$(sys "$s" "$l" 3)" "$c" ;; esac
            done
            echo
        done
    fi
    if [ -s "$CHURN" ]; then
        echo
        echo "### Short connections (connect, one 64-byte echo, close; the server's three log lines included)"
        echo
        echo "| server | syscalls per connection | CPU us per connection |"
        echo "|---|---|---|"
        for s in $CHURN_SERVERS; do
            echo "| $(label "$s") | $(churn_get "$s" 2) | $(churn_get "$s" 3) |"
        done
    fi
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
    cc=$(churn_get course 2)
    echo "| course server: at most 14 syscalls per short connection (connect, one echo, close, three log lines) | $cc | $(verdict 'a <= 14' "$cc" 1) |"
    if [ -n "$PLAIN" ]; then
        ec=$(churn_get epoll 2); pc=$(churn_get plain 2)
        echo "| epoll: at most 12 syscalls per short connection, its three log lines included (the plain epoll server logs nothing) | $ec vs $pc | $(verdict 'a <= 12' "$ec" "$pc") |"
        for l in 1 100 idle; do
            a=$(sys epoll "$l" 3); b=$(sys plain "$l" 3)
            echo "| epoll: syscalls per round trip within 1.1x of the plain epoll server, $(load_label "$l") | $a vs $b: $(ratio "$a" "$b")x | $(verdict 'a <= 1.1 * b' "$a" "$b") |"
        done
        for l in 100 idle; do
            a=$(get epoll "$l" 6); b=$(get plain "$l" 6)
            echo "| epoll: CPU per round trip within 1.1x of the plain epoll server, $(load_label "$l") | $a vs $b us: $(ratio "$a" "$b")x | $(verdict 'a <= 1.1 * b' "$a" "$b") |"
        done
    fi
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
# Colours 9 and 10 of a cycle of 8 would repeat 1 and 2.
set linetype 9 lc rgb "#8b4513"
set linetype 10 lc rgb "#808080"
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
    echo "System calls per round trip (syscalls/rt) come from a pass of their own under"
    echo "\`strace -c\`, which counts every call of every server thread during the round"
    echo "trips alone (loads 1, 100 and 10 + 990 idle; - elsewhere), and per short"
    echo "connection in a pass of short connections of their own."
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
