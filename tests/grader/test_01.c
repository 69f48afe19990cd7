/*
 * test_01.c - grades stage 1: the CO_ macros, countdown, countup.
 *
 * Generators are driven by hand here, exactly as main() does: call
 * *_next() and look at what comes out.  Loops are bounded, so a
 * generator that never finishes fails a test instead of hanging it.
 */
#include "grade.h"

#include "countdown.h"
#include "countup.h"

#include <stdbool.h>
#include <string.h>

/* What a generator that ends after its first value most likely did,
 * once 1.1's own tests pass: a CO_YIELD inside a switch of its own. */
#define ENDS_AFTER_ONE_HINT                                                     \
    "\n(it ended after its first value: is a CO_YIELD inside a switch statement of your own?\n" \
    "Its case label then belongs to that switch, and the next call jumps to the end: use\n" \
    "if/else in a generator; TUTORIAL.md, \"The limits\", 3)"

/* Pull up to MAX values from a countdown into VALUES; return how many
 * came before it reported the end (MAX + 1 if it never did). */
static int drain_countdown(struct countdown *g, int values[], int max)
{
    for (int i = 0; i <= max; i++) {
        int value = -12345;
        if (!countdown_next(g, &value))
            return i;
        if (i < max)
            values[i] = value;
    }
    return max + 1;
}

static int drain_countup(struct countup *g, int values[], int max)
{
    for (int i = 0; i <= max; i++) {
        int value = -12345;
        if (!countup_next(g, &value))
            return i;
        if (i < max)
            values[i] = value;
    }
    return max + 1;
}

/* A generator written in this file with the macros alone: it yields
 * from two nested loops and between them, so it needs CO_YIELD's case
 * label to land inside loops, exactly as in Duff's device. */
struct pairs {
    struct coroutine co;
    int i, j;
};

static int pairs_next(struct pairs *g)
{
    CO_BEGIN(&g->co);
    CO_YIELD(&g->co, 100);
    for (g->i = 1; g->i <= 2; g->i++)
        for (g->j = 1; g->j <= 3; g->j++)
            CO_YIELD(&g->co, g->i * 10 + g->j);
    CO_YIELD(&g->co, 200);
    CO_END(&g->co, -1);
}

START_TEST(macros_resume_inside_nested_loops)
{
    struct pairs g = { CO_START, 0, 0 };
    const int expected[] = { 100, 11, 12, 13, 21, 22, 23, 200 };
    for (int k = 0; k < 8; k++) {
        int value = pairs_next(&g);
        ck_assert_msg(value == expected[k],
                      "call %d of a generator yielding from nested loops: expected %d, got %d\n"
                      "(each call must continue right after the CO_YIELD that returned last)",
                      k + 1, expected[k], value);
    }
    EXPECT_INT(pairs_next(&g), -1, "the call after the last CO_YIELD returns CO_END's value");
    EXPECT(co_finished(&g.co), "after CO_END, co_finished() is true (resume_line is CO_FINISHED)");
}
END_TEST

START_TEST(macros_stay_finished)
{
    struct pairs g = { CO_START, 0, 0 };
    for (int k = 0; k < 9; k++)
        pairs_next(&g);
    for (int k = 0; k < 3; k++)
        EXPECT_INT(pairs_next(&g), -1, "every call after CO_END returns CO_END's value again");
    EXPECT(co_finished(&g.co), "a finished generator stays finished");
}
END_TEST

START_TEST(countdown_yields_n_to_1)
{
    struct countdown g = countdown(3);
    int values[8];
    int n = drain_countdown(&g, values, 8);
    EXPECT(n <= 8, "countdown(3) never reported its end (still yielding after 8 values)");
    EXPECT(n == 3, "number of values countdown(3) yields before it ends: expected 3, got %d%s",
           n, n == 1 ? ENDS_AFTER_ONE_HINT : "");
    EXPECT_INT(values[0], 3, "countdown(3), 1st value");
    EXPECT_INT(values[1], 2, "countdown(3), 2nd value");
    EXPECT_INT(values[2], 1, "countdown(3), 3rd value");
}
END_TEST

START_TEST(countdown_zero_yields_nothing)
{
    struct countdown g = countdown(0);
    int value = 777;
    EXPECT(!countdown_next(&g, &value), "countdown(0) yields nothing: its first call returns false");
    EXPECT_INT(value, 777, "a call that returns false leaves *value alone");
}
END_TEST

START_TEST(countdown_after_end)
{
    struct countdown g = countdown(2);
    int values[4];
    int n = drain_countdown(&g, values, 4);
    EXPECT(n <= 4, "countdown(2) never reported its end (still yielding after 4 values)");
    EXPECT_INT(n, 2, "values countdown(2) yields");
    for (int k = 0; k < 3; k++) {
        int value = 555;
        EXPECT(!countdown_next(&g, &value), "a finished countdown returns false on every later call");
        EXPECT_INT(value, 555, "a finished countdown leaves *value alone");
    }
}
END_TEST

START_TEST(countdowns_are_independent)
{
    struct countdown a = countdown(3), b = countdown(5);
    const int want_a[] = { 3, 2, 1 }, want_b[] = { 5, 4, 3, 2, 1 };
    for (int k = 0; k < 5; k++) {
        int value = -1;
        if (k < 3) {
            EXPECT(countdown_next(&a, &value), "countdown(3) ended early, taking turns with countdown(5)");
            ck_assert_msg(value == want_a[k], "taking turns, countdown(3)'s value %d: expected %d, got %d\n"
                          "(each countdown must keep its own state in its own struct)",
                          k + 1, want_a[k], value);
        }
        EXPECT(countdown_next(&b, &value), "countdown(5) ended early, taking turns with countdown(3)");
        ck_assert_msg(value == want_b[k], "taking turns, countdown(5)'s value %d: expected %d, got %d\n"
                      "(each countdown must keep its own state in its own struct)",
                      k + 1, want_b[k], value);
    }
    int value;
    EXPECT(!countdown_next(&a, &value) && !countdown_next(&b, &value), "both countdowns end");
}
END_TEST

START_TEST(countup_yields_0_to_n_minus_1)
{
    struct countup g = countup(4);
    int values[10];
    int n = drain_countup(&g, values, 10);
    EXPECT(n <= 10, "countup(4) never reported its end (still yielding after 10 values):\n"
           "is the loop variable a local, reset every time the function is entered?");
    EXPECT(n == 4, "number of values countup(4) yields before it ends: expected 4, got %d%s",
           n, n == 1 ? ENDS_AFTER_ONE_HINT : "");
    for (int k = 0; k < 4; k++)
        ck_assert_msg(values[k] == k, "countup(4), value %d: expected %d, got %d", k + 1, k, values[k]);
}
END_TEST

START_TEST(countup_counts_far)
{
    /* Past every small type's range: the count is an int, as n is. */
    enum { FAR = 70000 };
    struct countup g = countup(FAR);
    int value = -1, k = 0;
    for (; k <= FAR && countup_next(&g, &value); k++)
        ck_assert_msg(value == k, "countup(%d), value %d: expected %d, got %d (does the field\n"
                      "that keeps the count hold numbers that large? make it an int, as n)",
                      FAR, k + 1, k, value);
    EXPECT(k == FAR, "countup(%d) yielded %d values before it ended: expected %d", FAR, k, FAR);
}
END_TEST

START_TEST(countup_after_end)
{
    struct countup g = countup(1);
    int values[3];
    int n = drain_countup(&g, values, 3);
    EXPECT(n <= 3, "countup(1) never reported its end (still yielding after 3 values):\n"
           "is the loop variable a local, reset every time the function is entered?");
    EXPECT_INT(n, 1, "values countup(1) yields");
    int value = 555;
    EXPECT(!countup_next(&g, &value), "a finished countup returns false on every later call");
    EXPECT_INT(value, 555, "a finished countup leaves *value alone");
}
END_TEST

/* Stack noise between calls: a local that "survived" by luck in the
 * simple test is overwritten here, as it would be in a real program. */
static int scribble(int depth)
{
    volatile int junk[64];
    for (int i = 0; i < 64; i++)
        junk[i] = 1000 + depth * 64 + i;
    return depth > 0 ? scribble(depth - 1) + junk[depth] : junk[0];
}

START_TEST(countups_keep_their_place)
{
    struct countup a = countup(3), b = countup(6), c = countup(3);
    for (int k = 0; k < 3; k++) {
        int value = -1;
        scribble(4);
        EXPECT(countup_next(&a, &value), "countup(3) ended early while others ran between its calls");
        ck_assert_msg(value == k, "three countups taking turns, the 1st one's value %d: expected %d, got %d\n"
                      "(the loop variable must live in struct countup, one per generator)",
                      k + 1, k, value);
        scribble(2);
        EXPECT(countup_next(&b, &value), "countup(6) ended early while others ran between its calls");
        ck_assert_msg(value == k, "three countups taking turns, the 2nd one's value %d: expected %d, got %d\n"
                      "(the loop variable must live in struct countup, one per generator)",
                      k + 1, k, value);
        EXPECT(countup_next(&c, &value), "countup(3) ended early while others ran between its calls");
        ck_assert_msg(value == k, "three countups taking turns, the 3rd one's value %d: expected %d, got %d",
                      k + 1, k, value);
    }
    int value;
    EXPECT(!countup_next(&a, &value), "the 1st countup(3) ends after 3 values");
    EXPECT(countup_next(&b, &value) && value == 3, "countup(6) goes on with 3 after the others end");
}
END_TEST

static const struct graded_test tests[] = {
    GRADED("1.1", macros_resume_inside_nested_loops, "CO_YIELD resumes right after itself, inside nested loops"),
    GRADED("1.1", macros_stay_finished, "after CO_END a generator stays finished"),
    GRADED("1.2", countdown_yields_n_to_1, "countdown(3) yields 3, 2, 1, then ends"),
    GRADED("1.2", countdown_zero_yields_nothing, "countdown(0) yields nothing"),
    GRADED("1.2", countdown_after_end, "a finished countdown keeps returning false"),
    GRADED("1.2", countdowns_are_independent, "two countdowns taking turns do not disturb each other"),
    GRADED("1.3", countup_yields_0_to_n_minus_1, "countup(4) yields 0, 1, 2, 3, then ends"),
    GRADED("1.3", countup_counts_far, "countup(70000) yields 0 to 69999: the count is kept in an int"),
    GRADED("1.3", countup_after_end, "a finished countup keeps returning false"),
    GRADED("1.3", countups_keep_their_place, "three countups taking turns each keep their own place"),
};

static const struct stage_info stage = {
    .number = 1,
    .title = "generators via Duff's device",
    .timeout = 3,
    .crash_cause = "a local variable read after a yield. The function really returns at each "
                   "CO_YIELD, so when it resumes its locals hold garbage: keep what must "
                   "survive a yield in the generator's struct.",
    .hang_cause = "a generator that never reaches CO_END, or a CO_YIELD that resumes at the "
                  "top instead of after itself (check the case label in CO_YIELD).",
};

int main(int argc, char **argv)
{
    return grade_stage(argc, argv, &stage, tests, GRADED_COUNT(tests));
}
