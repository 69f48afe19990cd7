/*
 * course_text.h - the few sentences the course's own programs print
 * (a stub's TODO notice, stage 1's closing line, the options' help and
 * errors), in the learner's language.
 *
 * The programs run anywhere, without the course's files around them, so
 * these sentences are compiled in (course_text.c).  Their one source is
 * tests/grader/messages.txt: `make test` checks that the table in
 * course_text.c says exactly what the catalogue says.
 */
#ifndef COURSE_TEXT_H
#define COURSE_TEXT_H

#include <stdbool.h>

/* True when the first of COURSE_LANG, LC_ALL, LANG that is set and not
 * empty starts with "ko" (the rule of tests/grader/manifest.sh). */
bool course_korean(void);

/* The text of ID in the learner's language; NULL for an unknown ID. */
const char *course_text(const char *id);

#endif
