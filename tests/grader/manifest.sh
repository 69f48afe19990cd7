# manifest.sh - sourced by the course's scripts: reads tests/course.txt,
# the one list of stages and exercises (see its header for the format).
# Run from the top folder of the course.
#
#   course_stages            NUMBER<TAB>FOLDER<TAB>TITLE, one line per stage
#   course_exercises         ID<TAB>FILES<TAB>TITLE<TAB>SECTION, one line per exercise
#   course_stage_numbers     1 2 3 4 5
#   course_exercise_ids      1.1 1.2 ... 5.3
#   course_folder N          the folder of stage N (nothing if there is none)
#   course_title N           the title of stage N
#   course_section ID        the TUTORIAL section of exercise ID
#   course_points ID         what exercise ID is worth in the teachers' grade
#   course_tutorial          the learner's tutorial: TUTORIAL.ko.md where the
#                            first set of COURSE_LANG, LC_ALL, LANG starts with ko
#   course_heading ID        exercise ID's heading in course_tutorial, without ###
#   course_evolving N FILE   true when FILE changes on purpose in stage N
COURSE_MANIFEST=${COURSE_MANIFEST:-tests/course.txt}

course_stages() {
    awk -F'\t' '$1 == "stage" { print $2 "\t" $3 "\t" $4 }' "$COURSE_MANIFEST"
}
course_exercises() {
    awk -F'\t' '$1 == "exercise" { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$COURSE_MANIFEST"
}
course_stage_numbers() {
    awk -F'\t' '$1 == "stage" { printf "%s%s", sep, $2; sep = " " } END { print "" }' "$COURSE_MANIFEST"
}
course_exercise_ids() {
    awk -F'\t' '$1 == "exercise" { printf "%s%s", sep, $2; sep = " " } END { print "" }' "$COURSE_MANIFEST"
}
course_folder() {
    awk -F'\t' -v n="$1" '$1 == "stage" && $2 == n { print $3 }' "$COURSE_MANIFEST"
}
course_title() {
    awk -F'\t' -v n="$1" '$1 == "stage" && $2 == n { print $4 }' "$COURSE_MANIFEST"
}
course_section() {
    awk -F'\t' -v id="$1" '$1 == "exercise" && $2 == id { print $5 }' "$COURSE_MANIFEST"
}
course_evolving() {
    awk -F'\t' -v n="$1" -v f="$2" '$1 == "evolving" && $2 == n && $3 == f { found = 1 }
                                    END { exit !found }' "$COURSE_MANIFEST"
}
course_points() {
    awk -F'\t' -v id="$1" '$1 == "exercise" && $2 == id { print ($6 == "" ? 1 : $6) }' "$COURSE_MANIFEST"
}
course_tutorial() {
    case ${COURSE_LANG:-${LC_ALL:-${LANG:-}}} in
        ko*) [ -f TUTORIAL.ko.md ] && { echo TUTORIAL.ko.md; return; } ;;
    esac
    echo TUTORIAL.md
}
course_heading() {
    if [ "$(course_tutorial)" = TUTORIAL.ko.md ]; then
        awk -v id="$1" '/^### / { h = $0; sub(/^### [^ ]+ /, "", h)
                                  if (index(h, id ":") == 1) { sub(/^### /, ""); print; exit } }' TUTORIAL.ko.md
    else
        course_section "$1"
    fi
}
