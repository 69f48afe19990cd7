# messages.sh - the course's sentences in the learner's language, for the
# shell scripts (the C reader is tests/grader/messages.c).  Sourced from
# the top folder of the course; or run as a command, which prints one
# message (the Makefile's usage lines):
#
#   sh tests/grader/messages.sh ID [VALUE...]
#
#   course_korean            succeeds when the first set of COURSE_LANG,
#                            LC_ALL, LANG starts with ko
#   msg ID                   ID's printf format, in that language
#   msgf ID [VALUE...]       the message filled in (no newline after it)
#   msgln ID [VALUE...]      the same, then a newline
#   msg_lines INDENT ID [VALUE...]   each of its lines after INDENT
#   stage_title_in N         stage N's title: its chapter heading in
#                            TUTORIAL.ko.md for a Korean reader
#   exercise_title_in ID     exercise ID's title, the same way
#   summary_of N             stage N's line in make check's summary (read on
#                            stdin), from its score on: "19/20 title ..."
#
# The catalogue, tests/grader/messages.txt, says more; an unknown ID is
# printed as it is (make test finds such ids before a learner does).
COURSE_MESSAGES=${COURSE_MESSAGES:-tests/grader/messages.txt}

course_korean() {
    case ${COURSE_LANG:-${LC_ALL:-${LANG:-}}} in
        ko*) return 0 ;;
    esac
    return 1
}
msg() {
    if course_korean; then msg_column=3; else msg_column=2; fi
    awk -F '\t' -v id="$1" -v column="$msg_column" '
        $1 == id { print $column; found = 1; exit }
        END { if (!found) print id }' "$COURSE_MESSAGES"
}
msgf() {
    msgf_format=$(msg "$1")
    shift
    case $msgf_format in # printf would read a leading - as an option
        -*) printf '%s' -; msgf_format=${msgf_format#-} ;;
    esac
    # shellcheck disable=SC2059 # the format is the catalogue's
    printf "$msgf_format" "$@"
}
msgln() {
    msgf "$@"
    echo
}
msg_lines() {
    msg_indent=$1
    shift
    msgln "$@" | sed "s/^/$msg_indent/"
}
stage_title_in() {
    if course_korean && [ -f "${COURSE_ROOT:-.}/TUTORIAL.ko.md" ]; then
        awk -v h="## $1장: " 'index($0, h) == 1 { print substr($0, length(h) + 1); exit }' "${COURSE_ROOT:-.}/TUTORIAL.ko.md"
    else
        awk -F '\t' -v n="$1" '$1 == "stage" && $2 == n { print $4 }' "${COURSE_MANIFEST:-tests/course.txt}"
    fi
}
exercise_title_in() {
    if course_korean && [ -f "${COURSE_ROOT:-.}/TUTORIAL.ko.md" ]; then
        awk -v h="### 연습 $1: " 'index($0, h) == 1 { print substr($0, length(h) + 1); exit }' "${COURSE_ROOT:-.}/TUTORIAL.ko.md"
    else
        awk -F '\t' -v id="$1" '$1 == "exercise" && $2 == id { print $4 }' "${COURSE_MANIFEST:-tests/course.txt}"
    fi
}

summary_of() { # N: stage N's line of make check's summary (on stdin), after "Stage N"
    summary_prefix="  $(msgf check.summary_line "$1" "" "" | sed 's/ *$//')"
    awk -v p="$summary_prefix" 'index($0, p) == 1 {
        rest = substr($0, length(p) + 1)
        if (rest ~ /^  /) { sub(/^ +/, "", rest); print rest; exit } }'
}

case $0 in
    *messages.sh) msgln "$@" ;;
esac
