#!/bin/sh
# platforms.sh - the files teachers' platforms read, made from the
# course manifest (tests/course.txt) and .ci/run, and checked by make test.
#
#   sh tests/teach/platforms.sh write   (re)write them (make platforms)
#   sh tests/teach/platforms.sh check   exit 1, naming the problem, when one
#                                       is stale or malformed
#
#   .github/workflows/classroom.yml     GitHub Classroom: one step per exercise
#                                       (the command grader runs
#                                       `make check TEST=N.M`; its points
#                                       from the manifest), then the reporter
#   tests/teach/gradescope/setup.sh     Gradescope: installs what .ci/run does
#   tests/teach/gradescope/run_autograder  grades /autograder/submission with
#                                       make grade-submission, writes
#                                       /autograder/results/results.json
#   .devcontainer/                      checked only: it must install every
#                                       package .ci/run installs
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${1:-check}
. tests/grader/manifest.sh
packages=$(sed -n 's/^packages="\(.*\)"$/\1/p' .ci/run)

classroom() {
    cat <<'EOF'
# classroom.yml - GitHub Classroom's autograding, one step per exercise
# with its points (tests/course.txt).  Made by `make platforms`
# (tests/teach/platforms.sh): edit the manifest, not this file.
# It runs in the learner's own repository, with the learner's Makefile:
# feedback for the learner, not a grade to trust (TUTORIAL.md, "For
# teachers": grade with make grade-class).
name: Autograding Tests
'on':
  - push
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Install the course's tools
EOF
    echo "        run: sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends $packages"
    course_exercises | while IFS="$(printf '\t')" read -r id files title section; do
        step=exercise-$(echo "$id" | tr . -)
        cat <<EOF
      - name: 'Exercise $id: $(echo "$title" | sed "s/'/''/g")'
        id: $step
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: 'Exercise $id'
          setup-command: ''
          command: make -s check TEST=$id SANITIZE=0
          timeout: 3
          max-score: $(course_points "$id")
EOF
    done
    echo "      - name: Autograding Reporter"
    echo "        uses: classroom-resources/autograding-grading-reporter@v1"
    echo "        env:"
    for id in $(course_exercise_ids); do
        step=exercise-$(echo "$id" | tr . -)
        echo "          $(echo "$step" | tr a-z A-Z)_RESULTS: \"\${{steps.$step.outputs.result}}\""
    done
    echo "        with:"
    printf '          runners: '
    for id in $(course_exercise_ids); do printf '%sexercise-%s' "${sep:-}" "$(echo "$id" | tr . -)"; sep=,; done
    echo
}

gradescope_setup() {
    cat <<EOF
#!/bin/sh
# setup.sh - Gradescope's autograder image: what the course needs, the
# packages .ci/run installs.  Made by \`make platforms\`.
set -eu
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages util-linux iproute2 git
EOF
}

gradescope_run() {
    cat <<'EOF'
#!/bin/sh
# run_autograder - Gradescope runs this as root for each submission: the
# course in /autograder/source (this bundle: the teacher's checkout,
# setup.sh and run_autograder at its top), the learner's copy in
# /autograder/submission.  The teacher's checkout grades it
# (make grade-submission: only the exercise regions are taken, in the
# sandbox) and its results.json, one test per exercise with the points of
# tests/course.txt, is what Gradescope shows.  Made by `make platforms`.
set -u
cd /autograder/source || exit 1
mkdir -p /autograder/results
submission=/autograder/submission
# A submission uploaded as the course's folder, or as its steps/ alone.
[ -d "$submission/steps" ] || { mkdir -p /tmp/learner && ln -s "$submission" /tmp/learner/steps && submission=/tmp/learner; }
CLASS_OUT=/autograder/class make -s grade-submission DIR="$submission" NAME=submission
if [ -f /autograder/class/submission/results.json ]; then
    cp /autograder/class/submission/results.json /autograder/results/results.json
else
    printf '{"score": 0, "output": "The grader could not run: see the autograder output.", "tests": []}\n' \
        > /autograder/results/results.json
fi
EOF
}

# yaml_check FILE: the subset of YAML the workflow uses (block mappings and
# lists, plain or quoted scalars), without a parser: indentation by two
# spaces, no tabs, every line a "key: value", "key:" or "- item", a
# quoted value closed at its end.
yaml_check() {
    awk '
        /^[ ]*#/ || /^[ ]*$/ { next }
        /\t/ { bad("a tab") }
        { match($0, /^ */); indent = RLENGTH; if (indent % 2) bad("indentation not by two spaces") }
        { line = substr($0, indent + 1); sub(/^- /, "", line) }
        line !~ /^('"'"'[^'"'"']*'"'"'|[A-Za-z0-9_.${}-]+): ?/ && $0 !~ /^ *- / { bad("neither key: value nor - item") }
        # a quoted scalar: closed at its end, its own quotes doubled (single)
        { v = line; sub(/^('"'"'[^'"'"']*'"'"'|[^:]*): ?/, "", v); if ($0 ~ /^ *- / && line == v) v = line }
        v ~ /^'"'"'/ { q = substr(v, 2); if (q !~ /'"'"'$/) bad("a quote left open"); q = substr(q, 1, length(q) - 1); gsub(/'"'"''"'"'/, "", q); if (index(q, "'"'"'")) bad("a single quote inside single quotes") }
        v ~ /^"/ { if (v !~ /.+"$/ || length(v) < 2) bad("a double quote left open") }
        function bad(what) { printf "%s:%d: not valid YAML here (%s): %s\n", FILENAME, NR, what, $0; failed = 1 }
        END { exit failed }' "$1"
}

case $mode in
    write)
        mkdir -p .github/workflows tests/teach/gradescope
        classroom > .github/workflows/classroom.yml
        gradescope_setup > tests/teach/gradescope/setup.sh
        gradescope_run > tests/teach/gradescope/run_autograder
        chmod +x tests/teach/gradescope/setup.sh tests/teach/gradescope/run_autograder
        echo "wrote .github/workflows/classroom.yml, tests/teach/gradescope/setup.sh and run_autograder"
        ;;
    check)
        problems=0
        tmp=$(mktemp -d) || exit 2
        trap 'rm -rf "$tmp"' EXIT
        classroom > "$tmp/classroom.yml"
        gradescope_setup > "$tmp/setup.sh"
        gradescope_run > "$tmp/run_autograder"
        for pair in .github/workflows/classroom.yml:classroom.yml tests/teach/gradescope/setup.sh:setup.sh \
                    tests/teach/gradescope/run_autograder:run_autograder; do
            cmp -s "${pair%%:*}" "$tmp/${pair#*:}" ||
                { echo "platforms: ${pair%%:*} is not what tests/course.txt and .ci/run make: run make platforms"; problems=$((problems + 1)); }
        done
        yaml_check .github/workflows/classroom.yml || problems=$((problems + 1))
        total=0
        for id in $(course_exercise_ids); do
            step=exercise-$(echo "$id" | tr . -)
            points=$(course_points "$id")
            total=$((total + points))
            awk -v step="$step" -v id="$id" -v points="$points" '
                $0 == "        id: " step { inside = 1; next }
                inside && $0 == "          command: make -s check TEST=" id " SANITIZE=0" { command = 1 }
                inside && $0 == "          max-score: " points { score = 1 }
                inside && /^      - / { inside = 0 }
                END { exit !(command && score) }' .github/workflows/classroom.yml ||
                { echo "platforms: classroom.yml has no step $step running TEST=$id for $points points"; problems=$((problems + 1)); }
            grep -q "^          runners: .*\\b$step\\b" .github/workflows/classroom.yml ||
                { echo "platforms: the reporter does not list $step"; problems=$((problems + 1)); }
        done
        sum=$(awk '/max-score:/ { s += $2 } END { print s + 0 }' .github/workflows/classroom.yml)
        [ "$sum" = "$total" ] || { echo "platforms: classroom.yml gives $sum points, the manifest $total"; problems=$((problems + 1)); }
        for file in .devcontainer/devcontainer.json; do
            awk -f tests/teach/json.awk "$file" || problems=$((problems + 1))
        done
        for package in $packages netcat-openbsd git; do
            grep -qw -- "$package" .devcontainer/Dockerfile ||
                { echo "platforms: .devcontainer/Dockerfile does not install $package (.ci/run does, or the course needs it)"; problems=$((problems + 1)); }
        done
        [ "$problems" = 0 ] && echo "platforms: classroom.yml ($(course_exercise_ids | wc -w) exercises, $sum points), the Gradescope bundle and .devcontainer agree with the manifest and .ci/run"
        [ "$problems" = 0 ]
        ;;
    *) echo "usage: sh tests/teach/platforms.sh write|check"; exit 2 ;;
esac
