# 60-trace.sh - make trace (trace/): the model's unit tests, the
# tutorial's pictures, and the pages themselves: make trace 2, 3 and 5,
# of the solutions and of the untouched stubs, each loaded in headless
# Chromium at its first, middle and last steps and compared with its
# trace (and the keys step through it); a run that hangs or crashes is
# drawn up to where it ended.
# Sourced by tests/maint/selftest.sh (see README here).
echo "make trace: the model, the pictures, the pages"
trace_node=$(command -v node || command -v nodejs)
trace_chromium=$(command -v chromium || command -v chromium-browser)
trace_chromium_broken=""
# A chromium that is only a launcher (Ubuntu's snap wrapper, in a
# container) cannot run headless: skip, as if it were missing.
if [ -n "$trace_chromium" ] && [ -n "$trace_node" ] &&
   ! timeout 60 "$trace_chromium" --headless --no-sandbox --disable-gpu --no-first-run \
         --user-data-dir="$ROOT/trace-probe" --dump-dom about:blank 2>/dev/null | grep -q '<body'; then
    trace_chromium_broken=$trace_chromium
    trace_chromium=""
fi
rm -rf "$ROOT/trace-probe"

# A picture changed by one byte must be refused, or the check proves nothing.
trace_drifted_picture_fails() {
    rm -rf "$ROOT/trace-figures" && mkdir -p "$ROOT/trace-figures" &&
    cp -r trace "$ROOT/trace-figures/" && mkdir -p "$ROOT/trace-figures/solutions" &&
    cp -r solutions/* "$ROOT/trace-figures/solutions/" &&
    sed 's/running/runnin9/' trace/figures/stage-5.svg > "$ROOT/trace-figures/trace/figures/stage-5.svg" &&
    { sh "$ROOT/trace-figures/trace/figures.sh" check; [ $? -eq 1 ]; }
}

# make trace STAGE of TREE into a build folder of its own, then the
# page against its trace at STEPS.
trace_page() { # TREE STAGE STEPS...
    trace_tree=$1 trace_stage=$2
    shift 2
    trace_build=$ROOT/trace-$trace_tree-$trace_stage
    trace_solutions=SOLUTIONS=0
    [ "$trace_tree" = solutions ] && trace_solutions=SOLUTIONS=1
    trace_made=$(CC=$primary $MAKE --no-print-directory trace "$trace_stage" BUILD="$trace_build" \
                 "$trace_solutions") || return 1
    printf '%s\n' "$trace_made"
    trace_html=$(printf '%s\n' "$trace_made" | tail -n 1)
    [ "$trace_html" = "$trace_build/trace/stage-$trace_stage.html" ] &&
    ! grep -Eq '<script[^>]* src=|<link |@import|url\(https?:' "$trace_html" &&
    node trace/check_pages.js "$trace_chromium" "$trace_build/trace/stage-$trace_stage.trace" \
        "$trace_html" "$@"
}

# The check of a page must fail on a page drawn from another run.
trace_wrong_page_fails() {
    [ -f "$ROOT/trace-steps-2/trace/stage-2.html" ] &&
    [ -f "$ROOT/trace-solutions-2/trace/stage-2.trace" ] &&
    { node trace/check_pages.js "$trace_chromium" "$ROOT/trace-solutions-2/trace/stage-2.trace" \
          "$ROOT/trace-steps-2/trace/stage-2.html" 1 last; [ $? -eq 1 ]; }
}

# A learner's stage 3 that hangs (line_writer never closes its end of
# the pipe: line_reader waits for ever) or crashes (flood_reader aborts
# half-way): make trace stops or survives it and draws the run up to
# there, with the cause as the trace's last line.
trace_cut_short() { # hang|crash
    trace_src=$ROOT/trace-$1/03-select-loop
    rm -rf "$trace_src" && mkdir -p "$trace_src" && cp solutions/03-select-loop/* "$trace_src/" || return 1
    if [ "$1" = hang ]; then
        awk '/close\(w->fd\);/ && !done { done = 1; next } { print }' \
            solutions/03-select-loop/pipe_demo.c > "$trace_src/pipe_demo.c"
    else
        { echo '#include <stdlib.h>'
          sed 's/r->received += (size_t)n;/r->received += (size_t)n; if (r->received > 100000) abort();/' \
              solutions/03-select-loop/pipe_demo.c; } > "$trace_src/pipe_demo.c"
    fi
    CC=$primary $MAKE --no-print-directory -f tests/stage.mk SRC="$trace_src" NAME=03-select-loop \
        OUT="$ROOT/trace-$1/build" program || return 1
    TRACE_SECONDS=2 BUILD="$ROOT/trace-$1/build" \
        sh trace/trace.sh 3 "$ROOT/trace-$1" "$ROOT/trace-$1/build/03-select-loop" || return 1
    trace_raw=$ROOT/trace-$1/build/trace/stage-3.trace
    tail -n 1 "$trace_raw"
    [ -s "$ROOT/trace-$1/build/trace/stage-3.html" ] || return 1
    if [ "$1" = hang ]; then
        [ "$(tail -n 1 "$trace_raw")" = "@ev end timeout 2" ] &&
        node -e '
            const M = require("./trace/model.js");
            const m = M.build(M.parse(require("fs").readFileSync(process.argv[1], "utf8")));
            const left = M.stuck(m).map(t => t.name + " " + t.state + " " + t.fd + " " + t.parked);
            console.log("stuck:", left);
            process.exit(left.length === 1 && /^line_reader recv \d+ true$/.test(left[0]) ? 0 : 1);
        ' "$trace_raw"
    else
        tail -n 1 "$trace_raw" | grep -q '^@ev end signal [0-9]* SIGABRT$' &&
        grep -q '^@ev resume 4 ' "$trace_raw"
    fi
}

if [ -z "$trace_node" ]; then
    skip "make trace: the model's unit tests, the pictures, the pages" \
        "node is not installed (Debian/Ubuntu: apt-get install nodejs)"
else
    check "the trace model passes its unit tests (node --test trace/model.test.js)" \
        node --test trace/model.test.js
    check "the tutorial's pictures of each run are what their committed traces draw" \
        sh trace/figures.sh check
    check "the pictures' check refuses a picture changed by one byte" trace_drifted_picture_fails
    check "make trace stops a stage 3 that hangs and draws it: line_reader stuck in recv_wait" \
        trace_cut_short hang
    check "make trace draws a stage 3 that crashes up to the crash (SIGABRT)" trace_cut_short crash
    if [ -z "$trace_chromium" ]; then
        if [ -n "${trace_chromium_broken:-}" ]; then
            skip "make trace's pages in headless Chromium" \
                "$trace_chromium_broken does not run headless here (a snap launcher?): Debian's chromium package does"
        else
            skip "make trace's pages in headless Chromium" \
                "chromium is not installed (Debian/Ubuntu: apt-get install chromium)"
        fi
    else
        # Each in a build folder of its own: two at a time.
        check_later "make trace 2 (solutions): the page shows its trace at the first and last steps" \
            trace_page solutions 2 1 last
        check_later "make trace 3 (solutions): the page shows its trace at steps 1, 17, the middle and the last" \
            trace_page solutions 3 1 17 mid last
        check_later "make trace 5 (solutions, two scripted clients): the page shows its trace at 1, 40, the middle and the last" \
            trace_page solutions 5 1 40 mid last
        for trace_stage in 2 3 5; do
            check_later "make trace $trace_stage (untouched steps/): the page shows its trace at the first and last steps" \
                trace_page steps "$trace_stage" 1 last
        done
        checks_done
        check "the page check refuses a page drawn from another run" trace_wrong_page_fails
    fi
fi
