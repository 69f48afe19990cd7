#!/bin/sh
# watch.sh - `make watch [N]`: grades stage N now, and again each time a
# file under steps/ is saved, until Ctrl-C.
#
# N defaults to the first stage without full marks, from the last grade
# of each stage: the first result shows at once.  The screen is
# cleared before each grade (on a terminal; elsewhere a line of dashes
# separates them), so the `Fix first:` line of the grade is in view.
# It waits with inotifywait (inotify-tools) when installed, else it
# looks at the files' times twice a second: nothing to install.
#
# For the self-test: WATCH_ROUNDS=K stops after K grades, WATCH_POLL=1
# polls even where inotifywait is installed, and WATCH_HOURS (default
# 12) bounds an unattended session.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/grader/manifest.sh
. tests/grader/messages.sh
TREE=${TREE:-steps}
BUILD=${BUILD:-build}
export TREE BUILD
rounds=${WATCH_ROUNDS:-0}
deadline=$(( $(date +%s) + ${WATCH_HOURS:-12} * 3600 ))
stamp=$BUILD/watch.stamp
mkdir -p "$BUILD" || exit 2

stage=${STEP:-}
auto=0
if [ -z "$stage" ]; then
    # The first stage without full marks, from the last grade of each
    # (tests/grader/stage_cache.sh); a stage changed since its last grade
    # is graded first, in view, and passed over if it has full marks.
    . tests/grader/sanitize.sh
    . tests/grader/stage_cache.sh
    choose_sanitize quiet
    OUT=$BUILD/grade/$(echo "$TREE" | tr '/' '_')
    auto=1
    # stage_full N: its last grade, kept, gave every test.
    stage_full() {
        stage_kept "$1" summary | summary_of "$1" |
            awk '{ split($1, s, "/"); exit !(s[1] == s[2] && s[2] > 0) }'
    }
    for number in $(course_stage_numbers); do
        folder=$(course_folder "$number")
        if stage_fresh "$number" "$folder" "$TREE/$folder" &&
           stage_full "$number"; then
            continue
        fi
        stage=$number
        break
    done
    [ -n "$stage" ] || { stage=$(course_stage_numbers | awk '{ print $NF }'); auto=0; }
fi
folder=$(course_folder "$stage")
if [ -z "$folder" ]; then
    msgln watch.no_stage "$stage" "$(course_stage_numbers)" >&2
    exit 2
fi

trap 'echo ""; msgln watch.stopped; exit 0' INT TERM

if [ "${WATCH_POLL:-0}" != 1 ] && command -v inotifywait >/dev/null 2>&1; then
    waiter=inotifywait
else
    waiter=poll
fi
# Editors' swap and backup files are not saves.
ignore='(\.sw[a-p]|~|\.tmp|#)$'

changed_since_stamp() {
    [ -n "$(find "$TREE" -type f -newer "$stamp" 2>/dev/null | grep -Ev "$ignore" | head -n 1)" ]
}

count=0
while :; do
    touch "$stamp"
    if [ -t 1 ]; then printf '\033[H\033[2J'; else echo "----------------------------------------"; fi
    msgln watch.grading "$stage" "$TREE/$folder" "$(date +%H:%M:%S)"
    STEP=$stage sh tests/grader/grade.sh 2>&1 | tee "$BUILD/watch.out"
    # The exercise to fix first, at the bottom where it is in view (unless
    # the grade's own last lines already say it).
    fix=$(awk -F'\t' -v s="$stage" '$1 == "fixfirst" && $2 == s { print $3 ($4 != "" ? ": " $4 : ""); exit }' \
          "$BUILD/grade/$TREE/results.tsv" 2>/dev/null)
    if [ -n "$fix" ] && ! tail -n 6 "$BUILD/watch.out" | grep -qF "$(msgf grade.fix_first "" "" "" | sed 's/:.*//')"; then
        msgln watch.fix_first "$fix"
    fi
    count=$((count + 1))
    if [ "$rounds" -gt 0 ] && [ "$count" -ge "$rounds" ]; then
        exit 0
    fi
    # Chosen by itself and found complete: on to the next stage at once.
    next=$(course_stage_numbers | tr ' ' '\n' | awk -v s="$stage" 'found { print; exit } $0 == s { found = 1 }')
    if [ "$auto" = 1 ] && [ -n "$next" ] &&
       stage_full "$stage"; then
        stage=$next
        folder=$(course_folder "$stage")
        continue
    fi
    auto=0
    echo ""
    msgln watch.waiting "$TREE" "$waiter"
    # Wait for a save made after the grade started (one made while it
    # ran counts at once).
    while ! changed_since_stamp; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            msgln watch.hours "${WATCH_HOURS:-12}"
            exit 0
        fi
        if [ "$waiter" = inotifywait ]; then
            inotifywait -q -q -r -t 60 -e close_write -e moved_to -e create -e delete \
                --exclude "$ignore" "$TREE" >/dev/null 2>&1
            [ $? -eq 1 ] && waiter=poll   # inotify failed (no watches left): poll instead
        else
            sleep 0.5 2>/dev/null || sleep 1
        fi
    done
    # An editor's save may be several writes: let them finish.
    sleep 0.2 2>/dev/null || true
done
