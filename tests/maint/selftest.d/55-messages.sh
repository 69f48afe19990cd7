# 55-messages.sh - the learner's language: the message catalogue
# (tests/grader/messages.txt) is complete in English and Korean and in
# step with the code, and under a Korean locale make check, make
# progress and make run write no English sentence of the course's own.
# Sourced by tests/maint/selftest.sh (see README here).
echo "The learner's language (tests/grader/messages.txt)"

check "the message catalogue: every id in English and Korean with the same placeholders, every id used and known, every test titled" \
    python3 tests/maint/messages.py check

# The catalogue check must refuse a catalogue with a Korean text that
# lost a placeholder, and one with an id nobody uses.
messages_refused() {
    messages_copy=$ROOT/messages
    rm -rf "$messages_copy" && mkdir -p "$messages_copy/tests/grader" "$messages_copy/tests/maint" "$messages_copy/common" || return 1
    cp -R tests/grader/. "$messages_copy/tests/grader/" && cp tests/maint/messages.py "$messages_copy/tests/maint/" &&
        cp common/*.c common/*.h "$messages_copy/common/" && cp -R steps solutions Makefile "$messages_copy/" || return 1
    (cd "$messages_copy" && python3 tests/maint/messages.py check) > "$messages_copy/intact.out" 2>&1 ||
        { cat "$messages_copy/intact.out"; return 1; }
    sed 's/^\(grade\.timeout\t[^\t]*\t\)[^\t]*$/\1테스트가 끝나지 않았습니다./' tests/grader/messages.txt \
        > "$messages_copy/tests/grader/messages.txt"
    (cd "$messages_copy" && python3 tests/maint/messages.py check) > "$messages_copy/placeholder.out" 2>&1 &&
        { echo "a lost placeholder was not found"; return 1; }
    grep -q 'grade.timeout: placeholders differ' "$messages_copy/placeholder.out" || return 1
    { cat tests/grader/messages.txt; printf 'grade.nowhere\tnowhere\t어디에도 없음\n'; } \
        > "$messages_copy/tests/grader/messages.txt"
    (cd "$messages_copy" && python3 tests/maint/messages.py check) > "$messages_copy/unused.out" 2>&1 &&
        { echo "an unused id was not found"; return 1; }
    grep -q 'grade.nowhere is used nowhere' "$messages_copy/unused.out"
}
check "the catalogue check refuses a Korean text without its placeholder, and an unused id" messages_refused

# korean_output NAME: the learner's commands under a Korean locale, in a
# build folder of their own, on the untouched steps/.
korean_output() {
    korean_dir=$ROOT/korean
    mkdir -p "$korean_dir"
    for korean_command in "check 3" "progress" "run 1"; do
        # shellcheck disable=SC2086 # the words are the command's
        env -u COURSE_LANG -u MAKEFLAGS -u MAKELEVEL -u STEP -u TEST LC_ALL= LANG=ko_KR.UTF-8 \
            $MAKE -s $korean_command BUILD="$korean_dir/build-$1" \
            > "$korean_dir/$1-$(echo "$korean_command" | tr ' ' '-').out" 2>&1
    done
}
korean_reads_korean() {
    korean_output ko
    python3 tests/maint/messages.py english "$ROOT"/korean/ko-*.out || return 1
    # each command really ran: its Korean lines are there
    grep -q '^3단계 점수: 0/' "$ROOT/korean/ko-check-3.out" &&
        grep -q '^완료한 연습: 0개' "$ROOT/korean/ko-progress.out" &&
        grep -q '^TODO: 연습 1.2' "$ROOT/korean/ko-run-1.out"
}
check "LANG=ko_KR.UTF-8: make check 3 (untouched), make progress and make run 1 print no English sentence" korean_reads_korean

# The detector can fail: it finds the English of the same commands, and
# one English line among Korean ones.
english_is_found() {
    printf '3단계: select 루프\n          the test did not finish within 3 s, so it was stopped.\n' \
        | python3 tests/maint/messages.py english > "$ROOT/korean/one-line.out"
    [ $? -eq 1 ] && grep -q 'did not finish' "$ROOT/korean/one-line.out" || return 1
    env -u MAKEFLAGS -u MAKELEVEL -u STEP -u TEST COURSE_LANG=en $MAKE -s check 3 BUILD="$ROOT/korean/build-ko" \
        > "$ROOT/korean/en-check-3.out" 2>&1
    python3 tests/maint/messages.py english "$ROOT/korean/en-check-3.out" > "$ROOT/korean/en-found.out"
    [ $? -eq 1 ] && [ "$(wc -l < "$ROOT/korean/en-found.out")" -ge 10 ]
}
check "the English detector finds one English line among Korean ones, and the English report's lines" english_is_found

# The grader's matcher finds each suite text's Korean, values and all.
suite_texts_localized() {
    mkdir -p "$ROOT/korean"
    # shellcheck disable=SC2046 # pkg-config's words are flags
    ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Werror \
        -Icommon -Itests/grader $(pkg-config --cflags check) tests/maint/messages_probe.c \
        tests/grader/messages.c common/course_text.c $(pkg-config --libs check) \
        -o "$ROOT/korean/messages_probe" || return 1
    python3 tests/maint/messages.py samples |
        COURSE_LANG=ko COURSE_MESSAGES=tests/grader/messages.txt "$ROOT/korean/messages_probe"
}
check "every suite text of the catalogue (x.*) comes out in Korean with its values" suite_texts_localized
