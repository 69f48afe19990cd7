# stub_ref.sh - sourced by reset.sh and progress.sh: the commit that
# holds an exercise's stub.
#
#   stub_ref FILE ID    prints that commit (nothing, and status 1, if none)
#
# A learner may commit their own work, so the file in HEAD is not always
# the stub.  The stub is the newest version of FILE, from
# COURSE_STUB_REF (default HEAD) back, whose region ID still calls
# exercise_todo("ID"); a file whose region never calls it (a header
# that only declares) takes COURSE_STUB_REF's version.
stub_ref() {
    for stub_rev in $(git rev-list "${COURSE_STUB_REF:-HEAD}" -- "$1" 2>/dev/null); do
        if git show "$stub_rev:./$1" 2>/dev/null | awk -v id="$2" '
                index($0, "BEGIN EXERCISE " id ":") { inside = 1 }
                inside && index($0, "exercise_todo(\"" id "\"") { todo = 1 }
                index($0, "END EXERCISE " id) { inside = 0 }
                END { exit !todo }'; then
            echo "$stub_rev"
            return 0
        fi
    done
    git rev-parse --verify -q "${COURSE_STUB_REF:-HEAD}^{commit}" 2>/dev/null
}
