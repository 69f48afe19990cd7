# counter.sh - the one pass/fail counter of the maintainers' scripts
# (selftest.sh, stress.sh, memcheck.sh source it; the grader has its own).
#
#   pass WHAT          one check passed: "  ok      WHAT"
#   fail WHAT [LOG]    one check failed: "  FAIL    WHAT", remembered with LOG
#   counted            "N passed, M failed"; status 0 when none failed
passed=0
failed=0
failures=""
pass() {
    passed=$((passed + 1))
    printf '  ok      %s\n' "$1"
}
fail() {
    failed=$((failed + 1))
    failures="$failures
  $1${2:+ ($2)}"
    printf '  FAIL    %s\n' "$1"
}
counted() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
