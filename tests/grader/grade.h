/*
 * grade.h - the grader every stage's suite shares.
 *
 * A suite is a table of graded tests; grade_stage() runs each one in its
 * own process (Check's fork mode) with its own timeout, and prints a
 * report a learner can act on: one line per test, ok or FAIL, and on a
 * failure what was expected, what happened, and which exercise to
 * revisit.  A crash or a timeout is named as such, with its likely cause.
 *
 *     static const struct graded_test tests[] = {
 *         GRADED("1.2", countdown_yields_n_to_1, "countdown(3) yields 3, 2, 1"),
 *     };
 *     int main(int argc, char **argv)
 *     {
 *         return grade_stage(argc, argv, &stage_one, tests, GRADED_COUNT(tests));
 *     }
 *
 * `test-NN --list` prints one line per test (exercise, TAB, its title in the
 * learner's language, TAB, its English title): how
 * grade.sh scores a stage that does not compile, from the suite built
 * against solutions/.
 *
 * After a stage's tests, when any failed, the report names the exercise
 * to fix first.  It weighs what each failing test learned while it ran:
 * which stubs ran (exercise_todo() tells the grader), and what the test
 * itself found out with grade_needs() and grade_blame() below.
 */
#ifndef GRADE_H
#define GRADE_H

#include "report_text.h"

#include <check.h>
#include <stddef.h>
#include <string.h>

/* 1 when built with AddressSanitizer (gcc says so one way, clang
 * another): memory figures and some reports differ under it. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

struct graded_test {
    const char *exercise;  /* "1.2": the exercise this test grades */
    const TTest *const *test; /* &name of a START_TEST function */
    const char *behavior;  /* what it checks, as a learner reads it */
    double timeout;        /* seconds; 0 means the stage's default */
};

#define GRADED(exercise, test, behavior) { exercise, &test, behavior, 0 }
#define GRADED_SLOW(exercise, test, behavior, seconds) { exercise, &test, behavior, seconds }
#define GRADED_COUNT(table) (sizeof (table) / sizeof (table)[0])

struct stage_info {
    int number;               /* 1 to 5 */
    const char *title;        /* "generators via Duff's device" */
    double timeout;           /* default seconds per test */
    const char *crash_cause;  /* the likely cause of a crash in this stage */
    const char *hang_cause;   /* the likely cause of a timeout in this stage */
};

/* Run TESTS (all, or those whose behavior or exercise contains argv[1]),
 * print the report and "Stage N score: x/y"; return the exit status:
 * 0 if every selected test passed, 1 if any failed, 2 if none ran. */
int grade_stage(int argc, char **argv, const struct stage_info *stage,
                const struct graded_test *tests, size_t count);

/*
 * What a test tells the grader while it runs (it lands in the report
 * only if the test fails).
 *
 * grade_needs(): the test found that EXERCISE, which it relies on but
 * does not grade, does not work yet; the failure is that exercise's.
 * grade_blame(): the failure is EXERCISE's, for CAUSE (a test that can
 * tell whose code made it fail, say a handler that never yields).
 * grade_cause(): what most likely went wrong if the test crashes or
 * hangs from here on, in place of the stage's general cause.
 */
void grade_needs(const char *exercise);
void grade_blame(const char *exercise, const char *cause);
void grade_cause(const char *cause);

/* grade_covers(): the test does without EXERCISE (the grader stands in
 * for it, or frees what it would): that exercise's stub running in the
 * test is no cause of its failure.  A test of an earlier exercise thus
 * fails for its own exercise only, before the later ones are written. */
void grade_covers(const char *exercise);

/* A leak a sanitizer finds in this stage is EXERCISE's (the code that
 * frees tasks); call before grade_stage().  Unset, a leak blames nobody. */
void grade_leaks_belong_to(const char *exercise);

/* Called in a child process that checks a piece (support.c, probe()):
 * a sanitizer's report from it concerns that piece, not the test. */
void grade_probe_started(void);

/*
 * Assertions that say what was expected and what happened.  The grader
 * adds which exercise the failing test belongs to.
 */
#define EXPECT(condition, ...) ck_assert_msg((condition), __VA_ARGS__)

#define EXPECT_INT(actual, expected, what)                                    \
    do {                                                                      \
        long long expect_actual_ = (long long)(actual);                       \
        long long expect_wanted_ = (long long)(expected);                     \
        ck_assert_msg(expect_actual_ == expect_wanted_,                       \
                      "%s: expected %lld, got %lld", (what),                  \
                      expect_wanted_, expect_actual_);                        \
    } while (0)

#define EXPECT_STR(actual, expected, what)                                    \
    do {                                                                      \
        const char *expect_actual_ = (actual);                                \
        const char *expect_wanted_ = (expected);                              \
        ck_assert_msg(expect_actual_ != NULL                                  \
                          && strcmp(expect_actual_, expect_wanted_) == 0,     \
                      "%s:\n    expected: %s\n    got:      %s",              \
                      (what), shown_quoted(expect_wanted_),                   \
                      expect_actual_ ? shown_quoted(expect_actual_) : "(null)"); \
    } while (0)

#endif
