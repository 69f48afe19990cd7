# verdicts.awk - the verdict of each test of one stage, decided by the
# teachers' grader (a process that never runs the learner's code) from
# what the stage's suite wrote on its channel (tests/grader/channel.c).
#
#   awk -F'\t' -f tests/teach/verdicts.awk -v token=SECRET -v status=EXIT \
#       -v built=1|0 -v stage=N LIST_FILE CHANNEL_FILE
#
# LIST_FILE: the stage's tests (exercise TAB name), from the suite built
# against the teacher's solutions/: the denominator, whatever happens.
# Prints one line per test: EXERCISE TAB NAME TAB STATUS TAB FAULT, then
# "stage TAB STATE TAB FIXFIRST-EXERCISE TAB NOTE".
#
# A test passes only when, in this order, the suite announced it
# ("start"), the test's own process confirmed its body passed with the
# secret only this grader and that process's teardown can read ("pass"),
# and the suite recorded it as ok ("test"), and the suite then exited
# normally.  Anything out of order (a test announced twice or backwards,
# a verdict twice, a wrong secret, an unknown line) is tampering: every
# test of the stage fails.  So does a suite that did not exit by itself
# with 0 or 1 (stopped at its time limit, killed, crashed): "a grader
# that dies counts all its tests as failed".
FILENAME == ARGV[1] {
    n++; ex[n] = $1; name[n] = $2; index_of[$1 "\t" $2] = n
    next
}
{
    key = $2 "\t" $3
    if ($1 == "start" && NF == 3) {
        i = index_of[key]
        if (i == "" || i <= last) { tamper = "a test was announced out of order: " $3; next }
        current = i; last = i; started[i] = 1
        next
    }
    if ($1 == "pass" && NF == 4) {
        i = index_of[key]
        if (i == "" || i != current || $4 != token || confirmed[i]) { tamper = "a pass that the grader did not issue, for: " $3; next }
        confirmed[i] = 1
        next
    }
    if ($1 == "test" && NF == 5) {
        i = index_of[$3 "\t" $5]
        if (i == "" || $2 != stage || (i in verdict)) { tamper = "a verdict given twice or for an unknown test: " $5; next }
        if ($4 == "SKIPPED" ? started[i] : i != current) { tamper = "a verdict out of order: " $5; next }
        verdict[i] = $4
        current = 0
        next
    }
    if ($1 == "fault" && NF == 4) {
        i = index_of[key]
        if (i != "" && $4 ~ /^([0-9]+\.[0-9]+|maint)$/ && !(i in fault)) fault[i] = $4
        next
    }
    if ($1 == "fixfirst" && NF >= 3) {
        if (fix == "" && $3 ~ /^[0-9]+\.[0-9]+$/) fix = $3
        next
    }
    tamper = "a line the suite never writes"
}
END {
    state = "graded"; note = ""
    if (built != 1) { state = "does not compile"; all = "NOT BUILT" }
    else if (tamper != "") { state = "tampered"; all = "NO RESULT"; note = "the results channel was tampered with (" tamper "): every test of the stage fails" }
    else if (status != 0 && status != 1) {
        state = "grader stopped"; all = "NO RESULT"
        note = (status == 124 || status == 137) ? "the stage's suite was stopped at its time limit: every test of the stage fails" \
                                              : "the stage's suite ended abnormally (exit status " status "): every test of the stage fails"
    }
    for (i = 1; i <= n; i++) {
        if (all != "") s = all
        else if (!(i in verdict)) { s = "NO RESULT"; if (note == "") note = "some tests have no verdict" }
        else if (verdict[i] == "ok") s = confirmed[i] ? "ok" : "UNCONFIRMED"
        else s = verdict[i]
        f = (s == "ok") ? "" : ((i in fault) && all == "" ? fault[i] : ex[i])
        printf "%s\t%s\t%s\t%s\n", ex[i], name[i], s, f
    }
    printf "stage\t%s\t%s\t%s\n", state, (all == "" ? fix : built != 1 ? compile_fix : ""), note
}
