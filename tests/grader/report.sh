#!/bin/sh
# report.sh - the grade for teachers and CI: turns the results file that
# grade.sh collects (one line per test, tests/grader/grade.c) into
#
#   REPORT_DIR/grade.json   per stage and per exercise (keyed "1.2"):
#                           tests passed and total, the fix-first exercise,
#                           the totals; a stage that does not compile (or
#                           whose grader stopped) counts every test as
#                           failed (grade.sh's NOT-BUILT / NO-RESULT lines)
#   REPORT_DIR/junit.xml    one testcase per test, classname the exercise;
#                           a failure holds what the report said under it
#
#   sh tests/grader/report.sh RESULTS_FILE REPORT_DIR
#
# grade.sh runs it after every `make check`.  The stages and exercises
# come from tests/course.txt; STEP (as grade.sh has it) says which stages
# were graded: a graded stage without a single result did not compile,
# or its grader stopped first, and is reported so, with no test.
set -u
cd "$(dirname "$0")/../.." || exit 2
results=${1:?usage: report.sh RESULTS_FILE REPORT_DIR}
dir=${2:?usage: report.sh RESULTS_FILE REPORT_DIR}
mkdir -p "$dir" || exit 2
[ -f "$results" ] || : > "$results"

for format in json junit; do
    case $format in
        json) out=$dir/grade.json ;;
        junit) out=$dir/junit.xml ;;
    esac
    awk -F'\t' -v format="$format" -v graded="${STEP:-}" -v filter="${TEST:-}" -v tree="${SRC_ROOT:-${TREE:-steps}}" '
    # Character by character: gsub and backslashes differ between awks.
    function json(s,    out, i, c) {
        out = ""
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\\") out = out "\\\\"
            else if (c == "\"") out = out "\\\""
            else if (c == "\t") out = out "\\t"
            else if (index(control, c)) out = out "?"
            else out = out c
        }
        return "\"" out "\""
    }
    BEGIN { for (i = 1; i < 32; i++) control = control sprintf("%c", i) }
    function xml(s) {
        gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
        gsub(/"/, "\\&quot;", s); gsub(/[\001-\010\013\014\016-\037]/, "?", s)
        return s
    }
    # The manifest first, then the results.
    FILENAME == manifest && $1 == "stage" {
        stages[++nstages] = $2; folder[$2] = $3; title[$2] = $4
        wanted[$2] = (graded == "" || index(" " graded " ", " " $2 " ") > 0)
        next
    }
    FILENAME == manifest && $1 == "exercise" {
        ids[++nids] = $2; ex_title[$2] = $4; section[$2] = $5
        split($2, part, "."); ex_stage[$2] = part[1]
        next
    }
    FILENAME == manifest { next }
    $1 == "test" {
        n = ++ntests
        t_stage[n] = $2; t_ex[n] = $3; t_status[n] = $4; t_name[n] = $5
        tests_in[$2]++; tests_of[$3]++
        if ($4 == "ok") { passed_in[$2]++; passed_of[$3]++ }
        seen[$2] = 1
        next
    }
    $1 == "fixfirst" && !($2 in fix) { fix[$2] = $3; fix_reason[$2] = $4; next }
    END {
        total = 0; passed = 0; first_fix = ""
        for (i = 1; i <= nstages; i++) {
            s = stages[i]
            total += tests_in[s]; passed += passed_in[s]
            if (first_fix == "" && (s in fix)) first_fix = s
        }
        if (format == "json") write_json(); else write_junit()
    }
    function state(s,    n) {
        if (!wanted[s]) return "not graded"
        if (!(s in seen)) return "no results"
        for (n = 1; n <= ntests; n++) if (t_stage[n] == s && t_status[n] == "NOT-BUILT") return "does not compile"
        for (n = 1; n <= ntests; n++) if (t_stage[n] == s && t_status[n] == "NO-RESULT") return "grader stopped"
        return passed_in[s] + 0 == tests_in[s] + 0 ? "full marks" : "graded"
    }
    function write_json(    i, s, id, sep, n, has) {
        print "{"
        print "  \"schema\": \"course-report/2\","
        print "  \"tree\": " json(tree) ","
        print "  \"filter\": " (filter == "" ? "null" : json(filter)) ","
        print "  \"stages\": {"
        for (i = 1; i <= nstages; i++) {
            s = stages[i]
            printf "    %s: {\"title\": %s, \"folder\": %s, \"graded\": %s, \"state\": %s, \"passed\": %d, \"total\": %d, \"fix_first\": %s}%s\n",
                json(s), json(title[s]), json(folder[s]), (wanted[s] ? "true" : "false"), json(state(s)),
                passed_in[s], tests_in[s],
                ((s in fix) ? "{\"exercise\": " json(fix[s]) ", \"reason\": " json(fix_reason[s]) "}" : "null"),
                (i < nstages ? "," : "")
        }
        print "  },"
        print "  \"exercises\": {"
        for (i = 1; i <= nids; i++) {
            id = ids[i]; s = ex_stage[id]
            has = (id in tests_of)
            printf "    %s: {\"stage\": %s, \"title\": %s, \"section\": %s, \"graded\": %s, \"passed\": %d, \"total\": %d, \"done\": %s, \"tests\": [",
                json(id), s, json(ex_title[id]), json(section[id]),
                (has ? "true" : "false"), passed_of[id], tests_of[id],
                (has && passed_of[id] + 0 == tests_of[id] + 0 ? "true" : "false")
            sep = ""
            for (n = 1; n <= ntests; n++) if (t_ex[n] == id) {
                printf "%s{\"name\": %s, \"status\": %s}", sep, json(t_name[n]), json(t_status[n])
                sep = ", "
            }
            printf "]}%s\n", (i < nids ? "," : "")
        }
        print "  },"
        if (first_fix != "")
            print "  \"fix_first\": {\"stage\": " first_fix ", \"exercise\": " json(fix[first_fix]) ", \"reason\": " json(fix_reason[first_fix]) "},"
        else
            print "  \"fix_first\": null,"
        printf "  \"total\": {\"passed\": %d, \"failed\": %d, \"total\": %d}\n", passed, total - passed, total
        print "}"
    }
    # What the report said under a failed test: its line and the lines
    # indented below it, from the stage'"'"'s log beside the results file.
    function failure_text(s, name,    path, line, cur, text) {
        if (!(s in log_read)) {
            log_read[s] = 1
            path = logs "/" folder[s] ".log"; cur = ""
            while ((getline line < path) > 0) {
                if (match(line, /^  [A-Z]+ +/)) { cur = substr(line, RLENGTH + 1); sub(/   \[[^]]*\]$/, "", cur); said[s, cur] = line; continue }
                if (cur != "" && line ~ /^          /) { if (length(said[s, cur]) < 2000) said[s, cur] = said[s, cur] "\n" line; continue }
                cur = ""
            }
            close(path)
        }
        return ((s, name) in said) ? said[s, name] : ""
    }
    function write_junit(    i, s, n, failures, errors, missing) {
        failures = 0; errors = 0; missing = 0
        for (n = 1; n <= ntests; n++) {
            if (t_status[n] == "FAIL") failures++
            else if (t_status[n] != "ok") errors++
        }
        for (i = 1; i <= nstages; i++) if (wanted[stages[i]] && !(stages[i] in seen)) missing++
        print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        printf "<testsuites name=\"course\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
            ntests + missing, failures, errors + missing
        for (i = 1; i <= nstages; i++) {
            s = stages[i]
            if (!wanted[s]) continue
            failures = 0; errors = 0
            for (n = 1; n <= ntests; n++) if (t_stage[n] == s) {
                if (t_status[n] == "FAIL") failures++
                else if (t_status[n] != "ok") errors++
            }
            if (!(s in seen)) {
                printf "  <testsuite name=\"%s\" tests=\"1\" failures=\"0\" errors=\"1\">\n", xml("Stage " s ": " title[s])
                printf "    <testcase classname=\"stage %s\" name=\"the stage builds and its grader runs\">\n", s
                printf "      <error message=\"no result: the stage does not compile, or its grader stopped (see the output of make check %s)\"/>\n", s
                print "    </testcase>"
                print "  </testsuite>"
                continue
            }
            printf "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
                xml("Stage " s ": " title[s]), tests_in[s], failures, errors
            for (n = 1; n <= ntests; n++) if (t_stage[n] == s) {
                printf "    <testcase classname=\"%s\" name=\"%s\"", xml(t_ex[n]), xml(t_name[n])
                if (t_status[n] == "ok") { print "/>"; continue }
                print ">"
                if (t_status[n] == "FAIL")
                    printf "      <failure message=\"%s\">%s</failure>\n", xml("FAIL: see TUTORIAL.md, exercise " t_ex[n] "; make hint " t_ex[n]), xml(failure_text(s, t_name[n]))
                else if (t_status[n] == "NOT-BUILT")
                    printf "      <error message=\"%s\"/>\n", xml("NOT-BUILT: the stage does not compile, so this test could not run (see the output of make check " s ")")
                else if (t_status[n] == "NO-RESULT")
                    printf "      <error message=\"%s\"/>\n", xml("NO-RESULT: the grader of the stage stopped before this test (see the output of make check " s ")")
                else
                    printf "      <error message=\"%s\"/>\n", xml(t_status[n] ": the test did not finish normally")
                print "    </testcase>"
            }
            print "  </testsuite>"
        }
        print "</testsuites>"
    }
    ' manifest=tests/course.txt logs="$(dirname "$results")" tests/course.txt "$results" > "$out.tmp" && mv "$out.tmp" "$out" || exit 1
done
