# stage_cache.sh - sourced by grade.sh, progress.sh and watch.sh: the last
# full grade of each stage, kept with a key of everything it depends on.
#
# One grade everywhere: make check, make progress and make watch grade
# the same way (grade.sh, with the same sanitizer default), and each full
# grade of a stage is kept under $OUT/stages/.  make progress answers from
# what is kept when nothing it depends on changed, and grades again only
# the stages that did change.
#
#   stage_key NAME DIR   prints the key of stage NAME whose sources are in
#                        DIR: a checksum of its files, the grader's files,
#                        the flags, and the compiler, flags and sanitizer
#                        setting of this grade
#   stage_save NUMBER KEY RESULTS SUMMARY
#                        keeps the lines of RESULTS about stage NUMBER and
#                        its summary line, under KEY (taken before the
#                        grade: a file saved while it ran makes it stale)
#   stage_fresh NUMBER NAME DIR
#                        succeeds when what is kept for stage NUMBER has
#                        the key of its files now
#   stage_kept NUMBER results|summary
#                        prints what is kept
# Needs OUT (the grade's folder under build/) and SANITIZE set as grade.sh
# sets them; COURSE_LANG, LC_ALL and LANG are in the key (the text of the
# report follows the language).

stage_key() {
    # The learner's files, the course's shared code and the grader: a
    # change to any of them may change the grade.
    {
        printf '%s|%s|%s|%s|%s\n' "${CC:-cc}" "${CFLAGS:-}" "${SANITIZE:-0}" \
            "${COURSE_LANG:-}" "${LC_ALL:-${LANG:-}}"
        for file in "$2"/* common/* tests/grader/* tests/stage.mk tests/flags.mk tests/course.txt; do
            [ -f "$file" ] && printf '%s\n' "$file" && cat "$file"
        done
    } 2>/dev/null | cksum | tr -d ' \t'
}

stage_save() {
    mkdir -p "$OUT/stages" || return 0
    awk -F '\t' -v n="$1" '$2 == n' "$3" > "$OUT/stages/$1.tsv"
    printf '%s\n' "$4" > "$OUT/stages/$1.summary"
    printf '%s\n' "$2" > "$OUT/stages/$1.key"
}

stage_fresh() {
    [ -f "$OUT/stages/$1.key" ] && [ -f "$OUT/stages/$1.summary" ] &&
        [ "$(cat "$OUT/stages/$1.key")" = "$(stage_key "$2" "$3")" ]
}

stage_kept() {
    case $2 in
        results) cat "$OUT/stages/$1.tsv" 2>/dev/null ;;
        summary) cat "$OUT/stages/$1.summary" 2>/dev/null ;;
    esac
}
