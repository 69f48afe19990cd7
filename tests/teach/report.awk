# report.awk - one learner's reports, from the verdicts of
# tests/teach/submission.sh (never from anything the learner's code wrote).
#
#   awk -F'\t' -f tests/teach/report.awk -v format=grade|results|junit|row \
#       -v learner=NAME -v commit=C -v now=T -v seconds=S -v sandbox=LEVEL \
#       tests/course.txt TESTS_FILE
#
# TESTS_FILE lines:  test STAGE EXERCISE NAME STATUS FAULT TEXT
#                    stage STAGE STATE FIXFIRST NOTE
#                    region EXERCISE ok|reject [REASON]
# An exercise's points are its points in the manifest (6th field) times
# the share of its tests that count: a test counts when it passed, or
# when it failed for another exercise (the grader's blame) that fails its
# own tests too; but an exercise none of whose tests passed, or whose
# region was rejected, gets 0.
function json(s,    out, i, c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\") {
            if (substr(s, i + 1, 1) == "n") { out = out "\\n"; i++ } else out = out "\\\\"
        }
        else if (c == "\"") out = out "\\\""
        else if (index(control, c)) out = out " "
        else out = out c
    }
    return "\"" out "\""
}
function xml(s) {
    gsub(/\\n/, "\n", s); gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
    gsub(/"/, "\\&quot;", s); gsub(/[\001-\010\013\014\016-\037]/, "?", s)
    return s
}
function num(x) { x = sprintf("%.2f", x); sub(/\.00$/, "", x); if (index(x, ".")) sub(/0$/, "", x); return x }
BEGIN { for (i = 1; i < 32; i++) if (i != 10) control = control sprintf("%c", i) }
FILENAME == ARGV[1] && $1 == "stage" { stages[++nstages] = $2; stage_title[$2] = $4; next }
FILENAME == ARGV[1] && $1 == "exercise" {
    ids[++nids] = $2; rank[$2] = nids; title[$2] = $4
    points[$2] = ($6 ~ /^[0-9]+(\.[0-9]+)?$/) ? $6 + 0 : 1
    split($2, p, "."); ex_stage[$2] = p[1]
    next
}
FILENAME == ARGV[1] { next }
$1 == "test" {
    n = ++ntests
    t_stage[n] = $2; t_ex[n] = $3; t_name[n] = $4; t_status[n] = $5; t_fault[n] = $6; t_text[n] = $7
    total_of[$3]++
    if ($5 != "ok" && ($6 == $3 || !($6 in rank))) own_fail[$3] = 1
    next
}
$1 == "stage" { s_state[$2] = $3; s_fix[$2] = $4; s_note[$2] = $5; next }
$1 == "region" && $3 == "reject" { if (!($2 in rejected)) rejected[$2] = $4; own_fail[$2] = 1; next }
END {
    score = 0; max_score = 0; passed_tests = 0
    for (n = 1; n <= ntests; n++) {
        x = t_ex[n]; f = t_fault[n]
        counts[n] = (t_status[n] == "ok") ||
                    (t_status[n] !~ /^(NOT BUILT|NO RESULT|UNCONFIRMED)$/ && f != x && (f in rank) && own_fail[f])
        good_of[x] += counts[n]
        if (t_status[n] == "ok") { passed_tests++; passed_of[x]++ }
    }
    for (i = 1; i <= nids; i++) {
        x = ids[i]
        earned[x] = (x in rejected) || passed_of[x] + 0 == 0 ? 0 : points[x] * good_of[x] / total_of[x]
        earned[x] = num(earned[x]) + 0
        done[x] = earned[x] > 0 && good_of[x] == total_of[x]
        score += earned[x]; max_score += points[x]
    }
    fix_stage = ""; fix_ex = ""
    for (i = 1; i <= nstages; i++) {
        s = stages[i]
        if (fix_ex != "") break
        for (n = 1; n <= ntests; n++) if (t_stage[n] == s && t_status[n] != "ok") {
            fix_stage = s
            fix_ex = s_fix[s]
            if (fix_ex == "") for (j = 1; j <= nids && fix_ex == ""; j++) if (ex_stage[ids[j]] == s && (ids[j] in rejected)) fix_ex = ids[j]
            if (fix_ex == "") fix_ex = t_fault[n]
            break
        }
    }
    if (format == "grade") write_grade()
    else if (format == "results") write_results()
    else if (format == "junit") write_junit()
    else write_row()
}
function write_row(    i) {
    printf "%s", learner
    for (i = 1; i <= nids; i++) printf "\t%s", num(earned[ids[i]])
    printf "\t%s\t%s\t%s\n", num(score), num(max_score), fix_ex
}
function write_grade(    i, s, x, n, sep, passed_in, total_in) {
    print "{"
    print "  \"schema\": \"course-grade/2\","
    print "  \"learner\": " json(learner) ","
    print "  \"grader_commit\": " json(commit) ","
    print "  \"graded_at\": " json(now) ","
    print "  \"seconds\": " seconds + 0 ","
    print "  \"sandbox\": {\"level\": " json(sandbox) ", \"note\": " (sandbox_note == "" ? "null" : json(sandbox_note)) "},"
    print "  \"score\": " num(score) ","
    print "  \"max_score\": " num(max_score) ","
    print "  \"stages\": {"
    for (i = 1; i <= nstages; i++) {
        s = stages[i]; passed_in = 0; total_in = 0
        for (n = 1; n <= ntests; n++) if (t_stage[n] == s) { total_in++; passed_in += (t_status[n] == "ok") }
        printf "    %s: {\"title\": %s, \"state\": %s, \"passed\": %d, \"total\": %d, \"fix_first\": %s, \"note\": %s}%s\n",
            json(s), json(stage_title[s]), json(s_state[s] == "" ? "not graded" : s_state[s]), passed_in, total_in,
            (s_fix[s] == "" ? "null" : json(s_fix[s])), (s_note[s] == "" ? "null" : json(s_note[s])), (i < nstages ? "," : "")
    }
    print "  },"
    print "  \"exercises\": {"
    for (i = 1; i <= nids; i++) {
        x = ids[i]
        printf "    %s: {\"title\": %s, \"points\": %s, \"max_points\": %s, \"done\": %s, \"tests_passed\": %d, \"tests_counted\": %d, \"tests_total\": %d, \"rejected\": %s, \"tests\": [",
            json(x), json(title[x]), num(earned[x]), num(points[x]), (done[x] ? "true" : "false"),
            passed_of[x], good_of[x], total_of[x], ((x in rejected) ? json(rejected[x]) : "null")
        sep = ""
        for (n = 1; n <= ntests; n++) if (t_ex[n] == x) {
            printf "%s\n      {\"name\": %s, \"status\": %s, \"counted\": %s, \"blamed\": %s, \"text\": %s}", sep,
                json(t_name[n]), json(t_status[n]), (counts[n] ? "true" : "false"),
                (t_fault[n] == "" ? "null" : json(t_fault[n])), json(t_text[n])
            sep = ","
        }
        printf "%s]}%s\n", (sep == "" ? "" : "\n    "), (i < nids ? "," : "")
    }
    print "  },"
    print "  \"fix_first\": " (fix_ex == "" ? "null" : "{\"stage\": " fix_stage ", \"exercise\": " json(fix_ex) "}") ","
    printf "  \"total\": {\"passed\": %d, \"failed\": %d, \"total\": %d}\n", passed_tests, ntests - passed_tests, ntests
    print "}"
}
function write_results(    i, x, n, out, sep) {
    print "{"
    print "  \"score\": " num(score) ","
    print "  \"execution_time\": " seconds + 0 ","
    printf "  \"output\": %s,\n", json("Score " num(score) "/" num(max_score) (fix_ex != "" ? "; fix first: exercise " fix_ex " (" title[fix_ex] ")" : "") (sandbox_note != "" ? "\\n" sandbox_note : ""))
    print "  \"visibility\": \"visible\","
    print "  \"tests\": ["
    for (i = 1; i <= nids; i++) {
        x = ids[i]
        out = (x in rejected) ? "Rejected: " rejected[x] "\\n" : ""
        out = out passed_of[x] + 0 " of " total_of[x] + 0 " tests pass; " good_of[x] + 0 " count (a failure that is an earlier exercise's counts for this one)"
        for (n = 1; n <= ntests; n++) if (t_ex[n] == x && t_status[n] != "ok")
            out = out "\\n\\n" t_status[n] ": " t_name[n] (counts[n] ? " (counted: exercise " t_fault[n] "'s fault)" : "") (t_text[n] != "" ? "\\n" t_text[n] : "")
        printf "    {\"name\": %s, \"number\": %s, \"score\": %s, \"max_score\": %s, \"status\": %s, \"output\": %s, \"visibility\": \"visible\"}%s\n",
            json("Exercise " x ": " title[x]), json(x), num(earned[x]), num(points[x]),
            json(done[x] ? "passed" : "failed"), json(out), (i < nids ? "," : "")
    }
    print "  ]"
    print "}"
}
function write_junit(    i, s, n, failures, count, msg) {
    print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    failures = 0
    for (n = 1; n <= ntests; n++) failures += (t_status[n] != "ok")
    printf "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\">\n", xml(learner), ntests, failures
    for (i = 1; i <= nstages; i++) {
        s = stages[i]; failures = 0; count = 0
        for (n = 1; n <= ntests; n++) if (t_stage[n] == s) { count++; failures += (t_status[n] != "ok") }
        printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\">\n", xml("Stage " s ": " stage_title[s]), count, failures
        for (n = 1; n <= ntests; n++) if (t_stage[n] == s) {
            printf "    <testcase classname=\"%s\" name=\"%s\"", xml(t_ex[n]), xml(t_name[n])
            if (t_status[n] == "ok") { print "/>"; continue }
            msg = t_status[n] (t_fault[n] != "" && t_fault[n] != t_ex[n] ? " (exercise " t_fault[n] "'s fault)" : "")
            printf ">\n      <failure message=\"%s\">%s</failure>\n    </testcase>\n", xml(msg), xml(t_text[n])
        }
        print "  </testsuite>"
    }
    print "</testsuites>"
}
