/*
 * messages.h - the grader's sentences in the learner's language.
 *
 * Every sentence the grader writes is in tests/grader/messages.txt, one
 * line per message: ID, TAB, English, TAB, Korean, with the same printf
 * placeholders in both (its header says more).  Korean is chosen by the
 * course's rule (course_korean(), common/course_text.h).
 *
 *     printf("%s\n", msgf("grade.header", stage->number, title));
 *
 * The suites' own texts (test titles, EXPECT messages, the causes a test
 * names) stay English in the test files; localized() finds the Korean of
 * such a text in the catalogue, by its English pattern, and fills the
 * Korean with the values the English held.
 */
#ifndef MESSAGES_H
#define MESSAGES_H

struct graded_test;

/* The format of ID in the learner's language (ID itself if unknown). */
const char *msg(const char *id);

/* ID's format filled in: one of several rotating buffers of 2 KiB. */
const char *msgf(const char *id, ...);

/* TEXT, an English text of a suite, in the learner's language: itself
 * unless the reader is Korean and a catalogue entry of kind "x." has
 * an English pattern TEXT fits. */
const char *localized(const char *text);

/* A test's title in the learner's language: "title.N.NAME" in the
 * catalogue, N its stage and NAME its function's name. */
const char *test_title(const struct graded_test *test);

/* Stage NUMBER's title: for a Korean reader, from its chapter heading
 * in TUTORIAL.ko.md ("## N장: ..."); else ENGLISH. */
const char *stage_title(int number, const char *english);

/* Exercise ID's title: for a Korean reader, from its heading in
 * TUTORIAL.ko.md ("### 연습 N.M: ..."); else ENGLISH. */
const char *exercise_title(const char *id, const char *english);

/* What signal SIGNAL_NUMBER means, in words. */
const char *signal_words(int signal_number);

#endif
