/*
 * channel.h - the grader's half of the teachers' trusted channel.
 *
 * Under `make check` nothing here does anything.  Under the teachers'
 * grader (tests/teach/submission.sh) the suite is started with
 * GRADE_CHANNEL=TOKEN_FD,OUT_FD: two descriptors the grader opened for
 * it.  The suite then writes, on OUT_FD, one line when each test starts,
 * its verdict and the exercise blamed for a failure; and the test's own
 * process, only once the test body has returned with every check
 * passed, reads the grader's secret from TOKEN_FD and writes it back
 * with a "pass" line.  The grader, a process that never runs the
 * learner's code, believes a pass only when both agree, in order; see
 * tests/teach/verdicts.awk for the rules and TUTORIAL.md, "For
 * teachers", for what this can and cannot prove.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

#include <check.h>
#include <stdarg.h>

/* Before a test's runner starts: announce the test, and have its
 * process confirm a pass (a checked teardown, run only after a body
 * that passed). */
void grade_channel_attach(TCase *tc, const char *exercise, const char *behavior);

/* A results line (tests/grader/grade.c, record()), copied to the channel. */
void grade_channel_record(const char *format, va_list args);

/* The exercise at fault for a failed test. */
void grade_channel_blame(const char *exercise, const char *behavior, const char *fault);

#endif
